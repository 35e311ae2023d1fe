//! Property tests: the lenient date parser and the policy engine's wildcard
//! matcher, over generated inputs rather than examples.

use jiff::Timestamp;
use nhiscan::policy::aws::glob;
use nhiscan::time::{format, parse_timestamp};
use proptest::prelude::*;

/// Seconds from 1970 to 2100, and milliseconds within the second.
fn instants() -> impl Strategy<Value = (i64, i64)> {
    (0i64..4_102_444_800, 0i64..1000)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    /// Whatever the text, the parser returns, and never panics.
    #[test]
    fn any_text_parses_or_is_refused(s in "\\PC{0,40}") {
        let _ = parse_timestamp(&s);
    }

    /// Text shaped like a date but wrong in any position is refused or parsed,
    /// never a panic (the parser slices by byte position).
    #[test]
    fn date_shaped_noise_never_panics(s in "[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9:.+Z-]{0,20}") {
        let _ = parse_timestamp(&s);
    }

    /// Every format seen in exports reads back the same instant.
    #[test]
    fn every_export_format_reads_back_the_instant((secs, ms) in instants(), digits in 0usize..=9) {
        let t = Timestamp::from_millisecond(secs * 1000 + ms).unwrap();
        let utc = t.to_zoned_datetime(jiff::tz::TimeZone::UTC);
        let date_time = utc.strftime("%Y-%m-%dT%H:%M:%S").to_string();
        // RFC 3339 with 0-9 fractional digits (Graph uses 7); milliseconds survive
        // when there are 3 or more digits.
        let fraction = format!("{:03}000000", ms);
        let fractional = if digits == 0 {
            date_time.clone()
        } else {
            format!("{date_time}.{}", &fraction[..digits])
        };
        let kept_ms = if digits >= 3 { ms } else { ms / 10i64.pow(3 - digits as u32) * 10i64.pow(3 - digits as u32) };
        let expected = Timestamp::from_millisecond(secs * 1000 + kept_ms).unwrap();
        prop_assert_eq!(parse_timestamp(&format!("{fractional}Z")), Some(expected));
        prop_assert_eq!(parse_timestamp(&format!("{fractional}+00:00")), Some(expected));
        // boto3: a space for the T.
        prop_assert_eq!(parse_timestamp(&format!("{}+00:00", fractional.replacen('T', " ", 1))), Some(expected));
        // No offset: read as UTC.
        prop_assert_eq!(parse_timestamp(&fractional), Some(expected));
        // PowerShell 5.1: /Date(ms)/, with or without escaped slashes.
        let millis = secs * 1000 + ms;
        prop_assert_eq!(parse_timestamp(&format!("/Date({millis})/")), Some(t));
        prop_assert_eq!(parse_timestamp(&format!("\\/Date({millis})\\/")), Some(t));
    }

    /// Reports write any instant jiff can hold as jiff itself would, to the second,
    /// and read it back.
    #[test]
    fn formatting_matches_jiff_and_reads_back(secs in Timestamp::MIN.as_second()..=Timestamp::MAX.as_second()) {
        let t = Timestamp::from_second(secs).unwrap();
        let expected = t.to_zoned_datetime(jiff::tz::TimeZone::UTC).strftime("%Y-%m-%dT%H:%M:%SZ").to_string();
        prop_assert_eq!(format(t), expected.clone());
        if (0..=9999).contains(&nhiscan::time::year(t)) {
            prop_assert_eq!(parse_timestamp(&expected), Some(t));
        }
    }

    /// An offset moves the instant by exactly that much.
    #[test]
    fn offsets_are_applied((secs, _) in instants(), hours in -12i64..=14, half in proptest::bool::ANY) {
        let sign = if hours < 0 { -1 } else { 1 };
        let total_minutes = hours * 60 + if half { 30 * sign } else { 0 };
        let offset = total_minutes * 60;
        let local = Timestamp::from_second(secs + offset).unwrap().to_zoned_datetime(jiff::tz::TimeZone::UTC);
        let text = format!(
            "{}{}{:02}:{:02}",
            local.strftime("%Y-%m-%dT%H:%M:%S"),
            if total_minutes < 0 { '-' } else { '+' },
            total_minutes.abs() / 60,
            total_minutes.abs() % 60
        );
        prop_assert_eq!(parse_timestamp(&text), Some(Timestamp::from_second(secs).unwrap()));
    }
}

/// The reference: the same glob, as an anchored, case-insensitive regex.
fn oracle(pattern: &str, text: &str) -> bool {
    let mut re = String::from("(?is)^");
    for c in pattern.chars() {
        match c {
            '*' => re.push_str(".*"),
            '?' => re.push('.'),
            c => re.push_str(&regex::escape(&c.to_string())),
        }
    }
    re.push('$');
    regex::Regex::new(&re).unwrap().is_match(text)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 5000, ..ProptestConfig::default() })]

    /// On IAM-like alphabets the matcher agrees with the regex reference.
    #[test]
    fn glob_agrees_with_the_reference(pattern in "[aAbB:*?]{0,8}", text in "[aAbB:]{0,10}") {
        prop_assert_eq!(glob(&pattern, &text), oracle(&pattern, &text), "pattern {:?} text {:?}", pattern, text);
    }

    /// Actions: `*` and `service:*` cover every action of the service; a prefix
    /// wildcard covers exactly the actions that start with the prefix, in any case.
    #[test]
    fn action_wildcards(service in "[a-z]{2,8}", action in "[A-Za-z]{1,12}", cut in 0usize..12) {
        let full = format!("{service}:{action}");
        let prefix = &action[..cut.min(action.len())];
        let whole_service = format!("{service}:*");
        let prefixed = format!("{service}:{prefix}*");
        let other_service = format!("{service}x:{prefix}*");
        prop_assert!(glob("*", &full));
        prop_assert!(glob(&whole_service, &full));
        prop_assert!(glob(&full.to_uppercase(), &full.to_lowercase()));
        prop_assert!(glob(&prefixed, &full));
        prop_assert!(!glob(&other_service, &full));
    }

    /// Arbitrary text never makes the matcher panic or loop.
    #[test]
    fn glob_is_total(pattern in "\\PC{0,20}", text in "\\PC{0,40}") {
        let _ = glob(&pattern, &text);
    }
}
