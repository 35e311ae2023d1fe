//! One lenient timestamp parser for every date format seen in real exports
//! (formats.md §0.3), and day arithmetic for checks.

use jiff::{SignedDuration, Timestamp};

/// Parses the date formats exports use:
/// RFC 3339 with 0–9 fractional digits; `Z`, `±HH:MM`, `±H:MM` or `±HHMM` offsets;
/// a space instead of `T` (boto3); `/Date(ms)/` with or without backslashes
/// (PowerShell 5.1); and a date-time without offset, read as UTC.
/// Returns `None` for anything else, including sentinels such as `N/A`.
pub fn parse_timestamp(raw: &str) -> Option<Timestamp> {
    let s = raw.trim();
    if s.is_empty() {
        return None;
    }
    if let Some(ms) = powershell_date(s) {
        return Timestamp::from_millisecond(ms).ok();
    }
    if let Ok(ts) = s.parse::<Timestamp>() {
        return Some(ts);
    }
    let normalised = normalise(s)?;
    match normalised.parse::<Timestamp>() {
        Ok(ts) => Some(ts),
        // "Never expires" sentinels (GCP's 9999-12-31T23:59:59Z) lie just past the
        // latest instant jiff represents: clamp them to it.
        Err(_) if s.starts_with("9999-") => Some(Timestamp::MAX),
        Err(_) => None,
    }
}

/// Parses integer epoch seconds (GitHub webhooks).
pub fn from_epoch_seconds(secs: i64) -> Option<Timestamp> {
    Timestamp::from_second(secs).ok()
}

/// `/Date(1618315427741)/`, `\/Date(…)\/` and `/Date(…+0000)/`.
fn powershell_date(s: &str) -> Option<i64> {
    let inner = s.trim_matches(|c| c == '\\' || c == '/');
    let inner = inner.strip_prefix("Date(")?.strip_suffix(')')?;
    let end = inner
        .char_indices()
        .skip(1)
        .find(|(_, c)| *c == '+' || *c == '-')
        .map(|(i, _)| i)
        .unwrap_or(inner.len());
    inner[..end].parse().ok()
}

/// Rewrites the non-RFC 3339 variants into RFC 3339.
fn normalise(s: &str) -> Option<String> {
    let mut out = String::with_capacity(s.len() + 6);
    let bytes = s.as_bytes();
    // Date part must look like YYYY-MM-DD.
    if bytes.len() < 10 || !s.is_char_boundary(10) || bytes[4] != b'-' || bytes[7] != b'-' {
        return None;
    }
    out.push_str(&s[..10]);
    let rest = &s[10..];
    if rest.is_empty() {
        out.push_str("T00:00:00Z");
        return Some(out);
    }
    let rest = rest
        .strip_prefix(' ')
        .or_else(|| rest.strip_prefix('T'))
        .or_else(|| rest.strip_prefix('t'))?;
    out.push('T');
    // Split time from offset.
    let offset_at = rest
        .char_indices()
        .find(|(i, c)| *i >= 5 && (*c == '+' || *c == '-' || *c == 'Z' || *c == 'z'))
        .map(|(i, _)| i);
    let (time, offset) = match offset_at {
        Some(i) => rest.split_at(i),
        None => (rest, "Z"),
    };
    out.push_str(time.trim_end());
    if offset.eq_ignore_ascii_case("z") {
        out.push('Z');
        return Some(out);
    }
    if !offset.is_ascii() {
        return None;
    }
    let (sign, digits) = offset.split_at(1);
    let (hours, minutes) = match digits.split_once(':') {
        Some((h, m)) => (h, m),
        None if digits.len() == 4 => digits.split_at(2),
        None if digits.len() <= 2 => (digits, "00"),
        None => return None,
    };
    if hours.is_empty() || hours.len() > 2 || minutes.len() != 2 {
        return None;
    }
    out.push_str(sign);
    if hours.len() == 1 {
        out.push('0');
    }
    out.push_str(hours);
    out.push(':');
    out.push_str(minutes);
    Some(out)
}

/// Whole days from `earlier` to `later` (negative when `later` is before `earlier`).
pub fn days_between(earlier: Timestamp, later: Timestamp) -> i64 {
    later.duration_since(earlier).as_secs() / 86_400
}

/// `now` minus a number of days.
pub fn days_before(now: Timestamp, days: i64) -> Timestamp {
    now.checked_sub(SignedDuration::from_hours(days * 24))
        .unwrap_or(Timestamp::MIN)
}

/// The year of a timestamp in UTC.
pub fn year(ts: Timestamp) -> i16 {
    jiff::tz::Offset::UTC.to_datetime(ts).year()
}

/// RFC 3339 in UTC with second precision, as every report writes it.
pub fn format(ts: Timestamp) -> String {
    // A UTC civil time straight from the offset: no time zone value is built.
    let dt = jiff::tz::Offset::UTC.to_datetime(ts);
    let Ok(year) = u16::try_from(dt.year()) else {
        // Years before 0 (only `Timestamp::MIN` and its neighbours) keep their sign.
        return format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
            dt.year(),
            dt.month(),
            dt.day(),
            dt.hour(),
            dt.minute(),
            dt.second()
        );
    };
    // Written digit by digit: reports format a timestamp for nearly every
    // credential finding, and `format!` was most of the cost.
    let mut out = String::with_capacity(20);
    push_digits(&mut out, year, 4);
    for (sep, value) in [
        ('-', dt.month()),
        ('-', dt.day()),
        ('T', dt.hour()),
        (':', dt.minute()),
        (':', dt.second()),
    ] {
        out.push(sep);
        push_digits(&mut out, value.unsigned_abs().into(), 2);
    }
    out.push('Z');
    out
}

/// Appends the last `width` decimal digits of `value`, zero-padded.
fn push_digits(out: &mut String, value: u16, width: u32) {
    for place in (0..width).rev() {
        let digit = (value / 10u16.pow(place) % 10) as u8;
        out.push(char::from(b'0' + digit));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> String {
        format(parse_timestamp(s).unwrap_or_else(|| panic!("did not parse {s}")))
    }

    #[test]
    fn parses_every_observed_format() {
        assert_eq!(p("2022-05-07T06:52:43Z"), "2022-05-07T06:52:43Z");
        assert_eq!(p("2020-10-25T12:04:13.6550724Z"), "2020-10-25T12:04:13Z");
        assert_eq!(p("2021-05-31T08:09:50.738165Z"), "2021-05-31T08:09:50Z");
        assert_eq!(p("2021-03-01T00:00:00-8:00"), "2021-03-01T08:00:00Z");
        assert_eq!(p("/Date(1769788627239)/"), "2026-01-30T15:57:07Z");
        assert_eq!(p("\\/Date(1733343742000)\\/"), "2024-12-04T20:22:22Z");
        assert_eq!(p("2023-09-21T20:29:38+00:00"), "2023-09-21T20:29:38Z");
        assert_eq!(p("2023-03-09 10:41:45+00:00"), "2023-03-09T10:41:45Z");
        assert_eq!(p("2021-04-28T22:32:21.000-04:00"), "2021-04-29T02:32:21Z");
        assert_eq!(year(parse_timestamp("9999-12-31T23:59:59Z").unwrap()), 9999);
        assert_eq!(p("2024-01-02"), "2024-01-02T00:00:00Z");
        assert_eq!(p("2024-01-02T03:04:05"), "2024-01-02T03:04:05Z");
    }

    #[test]
    fn rejects_sentinels_and_garbage() {
        for s in [
            "N/A",
            "not_supported",
            "no_information",
            "",
            "2024",
            "Date(x)",
            "🦀🦀🦀🦀🦀🦀🦀🦀🦀🦀🦀",
        ] {
            assert_eq!(parse_timestamp(s), None, "{s}");
        }
    }

    #[test]
    fn day_arithmetic() {
        let a = parse_timestamp("2026-01-01T00:00:00Z").unwrap();
        let b = parse_timestamp("2026-04-01T12:00:00Z").unwrap();
        assert_eq!(days_between(a, b), 90);
        assert_eq!(days_between(b, a), -90);
        assert_eq!(format(days_before(b, 90)), "2026-01-01T12:00:00Z");
        assert_eq!(year(b), 2026);
    }
}
