//! Suppressions: accepted risks, each with a reason, and optionally an owner, a
//! ticket and an expiry date.
//!
//! ```toml
//! [[suppress]]
//! check = "AWS-016"                                  # id, name or provider
//! identity = "arn:aws:iam::111122223333:user/ci-*"   # id, name or app id; * and ? glob
//! provider = "aws"
//! reason = "CI user; replaced by OIDC in Q1"
//! owner = "platform-team@example.com"
//! ticket = "SEC-1234"
//! expires = 2027-03-31                               # a date (valid through that day, UTC) or RFC 3339
//! ```
//!
//! A suppression needs a reason and at least one selector. A suppressed finding
//! stays in the JSON and SARIF reports, marked, but does not count for the gate.
//! After its expiry date a suppression stops suppressing and is reported as
//! expired; one that matches no finding is reported as stale.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use toml::Spanned;

use super::{ConfigError, located};
use crate::checks::Settled;
use crate::model::{Identity, Inventory};

/// One `[[suppress]]` table as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawSuppression {
    check: Option<Spanned<String>>,
    identity: Option<Spanned<String>>,
    provider: Option<Spanned<String>>,
    reason: Option<Spanned<String>>,
    owner: Option<String>,
    ticket: Option<String>,
    expires: Option<Spanned<toml::Value>>,
}

/// One accepted risk.
#[derive(Debug, Clone, Serialize)]
pub struct Suppression {
    /// `file:line` of its `[[suppress]]` entry.
    pub source: String,
    /// Check ids it applies to (one check, or a provider's checks); `None`: any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub check: Option<String>,
    #[serde(skip)]
    pub check_ids: Option<Vec<&'static str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub identity: Option<String>,
    #[serde(skip)]
    identity_pattern: Option<regex::Regex>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provider: Option<String>,
    pub reason: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ticket: Option<String>,
    /// The first instant at which it no longer applies.
    #[serde(skip)]
    pub expires_at: Option<Timestamp>,
    /// The expiry as written.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires: Option<String>,
}

const PROVIDERS: [&str; 6] = ["entra", "aws", "gcp", "k8s", "okta", "github"];

impl Suppression {
    pub(crate) fn from_raw(
        raw: Spanned<RawSuppression>,
        text: &str,
        path: &str,
    ) -> Result<Suppression, ConfigError> {
        let at = |span: std::ops::Range<usize>, message: String| located(text, path, span, message);
        // The entry is cited by the line of its `[[suppress]]` header.
        let first = raw.span().start;
        let raw = raw.into_inner();
        let (line, _) = super::line_col(text, first);
        let source = format!("{path}:{line}");
        let reason = match &raw.reason {
            Some(r) if !r.get_ref().trim().is_empty() => r.get_ref().trim().to_string(),
            Some(r) => {
                return Err(at(
                    r.span(),
                    "a suppression's reason must not be empty".into(),
                ));
            }
            None => {
                return Err(at(
                    first..first,
                    "a suppression needs a reason (reason = \"why this risk is accepted\")".into(),
                ));
            }
        };
        if raw.check.is_none() && raw.identity.is_none() && raw.provider.is_none() {
            return Err(at(
                first..first,
                "a suppression needs at least one of check, identity, provider".into(),
            ));
        }
        let check_ids = match &raw.check {
            Some(c) => Some(super::check_ids(c, &at)?),
            None => None,
        };
        let provider = match &raw.provider {
            Some(p) => {
                let lower = p.get_ref().to_ascii_lowercase();
                if !PROVIDERS.contains(&lower.as_str()) {
                    return Err(at(
                        p.span(),
                        format!(
                            "unknown provider {:?}: expected one of {}",
                            p.get_ref(),
                            PROVIDERS.join(", ")
                        ),
                    ));
                }
                Some(lower)
            }
            None => None,
        };
        let identity_pattern = match &raw.identity {
            Some(i) if i.get_ref().is_empty() => {
                return Err(at(i.span(), "identity must not be empty".into()));
            }
            Some(i) => Some(glob(i.get_ref())),
            None => None,
        };
        let (expires, expires_at) = match &raw.expires {
            Some(v) => {
                let written = match v.get_ref() {
                    toml::Value::String(s) => s.clone(),
                    toml::Value::Datetime(d) => d.to_string(),
                    other => {
                        return Err(at(
                            v.span(),
                            format!(
                                "expires must be a date such as 2027-03-31, not {}",
                                other.type_str()
                            ),
                        ));
                    }
                };
                match expiry(&written) {
                    Some(t) => (Some(written), Some(t)),
                    None => {
                        return Err(at(
                            v.span(),
                            format!(
                                "expires = {written:?}: expected a date (2027-03-31) or an RFC 3339 time"
                            ),
                        ));
                    }
                }
            }
            None => (None, None),
        };
        Ok(Suppression {
            source,
            check: raw.check.map(|c| c.into_inner()),
            check_ids,
            identity: raw.identity.map(|i| i.into_inner()),
            identity_pattern,
            provider,
            reason,
            owner: raw.owner,
            ticket: raw.ticket,
            expires_at,
            expires,
        })
    }

    /// Whether the suppression has expired at `now`.
    pub fn expired(&self, now: Timestamp) -> bool {
        self.expires_at.is_some_and(|t| now >= t)
    }

    /// Whether its selectors match a finding (expiry aside).
    pub fn matches(&self, inv: &Inventory, f: &Settled, provider: &str) -> bool {
        if let Some(ids) = &self.check_ids
            && !ids.contains(&f.check_id())
        {
            return false;
        }
        if let Some(p) = &self.provider
            && p != provider
        {
            return false;
        }
        if let Some(re) = &self.identity_pattern {
            let hit = match f.identity() {
                Some(i) => identity_keys(&inv.identities[i]).any(|k| re.is_match(k)),
                None => f.target().is_some_and(|t| re.is_match(t)),
            };
            if !hit {
                return false;
            }
        }
        true
    }
}

/// The strings an identity selector is compared with: id, key, name, app id.
fn identity_keys(i: &Identity) -> impl Iterator<Item = &str> {
    [
        Some(i.id.as_str()),
        Some(i.key.as_str()),
        Some(i.name.as_str()),
        i.app_id.as_deref(),
    ]
    .into_iter()
    .flatten()
}

/// A case-insensitive whole-string glob: `*` any run of characters, `?` one.
fn glob(pattern: &str) -> regex::Regex {
    let mut re = String::from("(?is)^");
    for ch in pattern.chars() {
        match ch {
            '*' => re.push_str(".*"),
            '?' => re.push('.'),
            c => re.push_str(&regex::escape(c.encode_utf8(&mut [0; 4]))),
        }
    }
    re.push('$');
    regex::Regex::new(&re).expect("an escaped glob is a valid regex")
}

/// A date is valid through that day (UTC); an RFC 3339 time is the instant itself.
fn expiry(s: &str) -> Option<Timestamp> {
    if let Ok(t) = s.parse::<Timestamp>() {
        return Some(t);
    }
    let date: jiff::civil::Date = s.trim().parse().ok()?;
    let next = date
        .tomorrow()
        .ok()?
        .to_datetime(jiff::civil::Time::midnight());
    jiff::tz::TimeZone::UTC.to_timestamp(next).ok()
}

#[cfg(test)]
mod tests {
    use super::super::Config;
    use super::*;

    fn suppressions(text: &str) -> Result<Vec<Suppression>, ConfigError> {
        let mut c = Config::default();
        c.apply_ignore_file(text, ".nhiscan-ignore.toml")?;
        Ok(c.suppressions)
    }

    #[test]
    fn globs_match_whole_strings_case_insensitively() {
        let g = glob("arn:aws:iam::*:user/ci-?");
        assert!(g.is_match("arn:aws:iam::111122223333:user/CI-1"));
        assert!(!g.is_match("arn:aws:iam::111122223333:user/ci-12"));
        assert!(glob("a.b").is_match("A.B") && !glob("a.b").is_match("axb"));
    }

    #[test]
    fn a_date_is_valid_through_its_day() {
        let s = &suppressions(
            "[[suppress]]\ncheck = \"AWS-016\"\nreason = \"r\"\nexpires = 2027-03-31\n",
        )
        .unwrap()[0];
        assert_eq!(s.source, ".nhiscan-ignore.toml:1");
        assert!(!s.expired("2027-03-31T23:59:59Z".parse().unwrap()));
        assert!(s.expired("2027-04-01T00:00:00Z".parse().unwrap()));
        let quoted = &suppressions(
            "[[suppress]]\nprovider = \"aws\"\nreason = \"r\"\nexpires = \"2027-03-31\"\n",
        )
        .unwrap()[0];
        assert_eq!(quoted.expires_at, s.expires_at);
    }

    #[test]
    fn reason_and_a_selector_are_required() {
        let e = suppressions("[[suppress]]\ncheck = \"AWS-016\"\n").unwrap_err();
        assert!(e.message.contains("reason"), "{e}");
        assert_eq!(e.line, 1);
        let e = suppressions("[[suppress]]\nreason = \"because\"\n").unwrap_err();
        assert!(e.message.contains("at least one of"), "{e}");
        let e = suppressions("[[suppress]]\nprovider = \"azure\"\nreason = \"x\"\n").unwrap_err();
        assert_eq!((e.line, e.column), (2, 12), "{e}");
        let e =
            suppressions("[[suppress]]\ncheck = \"AWS-016\"\nreason = \"x\"\nexpires = \"soon\"\n")
                .unwrap_err();
        assert_eq!(e.line, 4, "{e}");
        let e = suppressions("[[suppress]]\ncheck = \"AWS-016\"\nreason = \"x\"\nowner = 3\n")
            .unwrap_err();
        assert_eq!(e.line, 4, "{e}");
        let e = suppressions("[[suppress]]\ncheck = \"AWS-016\"\nreason = \"x\"\nonwer = \"me\"\n")
            .unwrap_err();
        assert!(e.message.contains("onwer"), "{e}");
    }
}
