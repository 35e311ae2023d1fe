//! `nhiscan.toml`: thresholds, the organisation's own tenants, accounts and
//! vendors, which checks run at what severity, and accepted risks.
//!
//! The file is read from `--config FILE` (which must exist) or, without it, from
//! `nhiscan.toml` in the working directory if there is one. Suppressions may also
//! live in `.nhiscan-ignore.toml` next to it (see [`suppress`]). Every key is
//! known: an unknown key or a bad value is an error naming the file, line and
//! column, and the scan does not run (exit 3). `nhiscan init` writes
//! [`DEFAULT_TOML`], every setting at its default and commented.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use crate::checks::meta::{ALL_META, lookup};
use crate::checks::{Severity, Thresholds};

pub mod suppress;

pub use suppress::Suppression;

/// The config file name looked for in the working directory.
pub const FILE_NAME: &str = "nhiscan.toml";
/// The suppressions file looked for next to the config (or in the working directory).
pub const IGNORE_FILE_NAME: &str = ".nhiscan-ignore.toml";

/// A problem in a config or suppressions file, with where it is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{path}:{line}:{column}: {message}")]
pub struct ConfigError {
    pub path: String,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl ConfigError {
    /// An error about the whole file (it cannot be read): line and column 1.
    fn file(path: &Path, message: String) -> ConfigError {
        ConfigError {
            path: path.display().to_string(),
            line: 1,
            column: 1,
            message,
        }
    }
}

/// The effective configuration: defaults overlaid with the file's settings.
#[derive(Debug, Clone, Default)]
pub struct Config {
    /// The files it was read from (config, then suppressions), for the report.
    pub sources: Vec<String>,
    pub fail_on: Option<Severity>,
    /// `fail_on = "none"` in the file: the gate is off unless `--fail-on` says otherwise.
    pub fail_on_none: bool,
    pub allow_incomplete: bool,
    pub thresholds: Thresholds,
    pub home_tenants: Vec<String>,
    pub first_party_app_ids: Vec<String>,
    pub known_vendor_app_ids: Vec<String>,
    pub trusted_aws_accounts: Vec<String>,
    pub trusted_github_orgs: Vec<String>,
    /// When set, only these checks run (ids).
    pub enabled: Option<Vec<&'static str>>,
    /// Checks that do not run (ids).
    pub disabled: Vec<&'static str>,
    /// Per-check severity overrides (ids).
    pub severity: BTreeMap<&'static str, Severity>,
    pub suppressions: Vec<Suppression>,
}

impl Config {
    /// Finds and reads the configuration. `explicit` is `--config`; without it,
    /// `nhiscan.toml` and `.nhiscan-ignore.toml` in `cwd` are read if present.
    pub fn discover(explicit: Option<&Path>, cwd: &Path) -> Result<Config, ConfigError> {
        // Paths are shown as the user would type them: as given, or relative to
        // the working directory.
        let (config_path, dir, shown_dir) = match explicit {
            Some(p) => {
                if !p.is_file() {
                    return Err(ConfigError::file(
                        p,
                        "config file not found (named by --config)".into(),
                    ));
                }
                let parent = p.parent().map(Path::to_path_buf).unwrap_or_default();
                (Some((p.to_path_buf(), display(p))), parent.clone(), parent)
            }
            None => {
                let p = cwd.join(FILE_NAME);
                let found = p.is_file().then(|| (p, FILE_NAME.to_string()));
                (found, cwd.to_path_buf(), PathBuf::new())
            }
        };
        let mut config = Config::default();
        if let Some((p, shown)) = &config_path {
            let text = read(p, shown)?;
            config.apply(&text, shown)?;
        }
        let ignore = dir.join(IGNORE_FILE_NAME);
        if ignore.is_file() {
            let shown = display(&shown_dir.join(IGNORE_FILE_NAME));
            let text = read(&ignore, &shown)?;
            config.apply_ignore_file(&text, &shown)?;
        }
        Ok(config)
    }

    /// Overlays the settings of one `nhiscan.toml` text.
    pub fn apply(&mut self, text: &str, path: &str) -> Result<(), ConfigError> {
        let file: ConfigFile = toml::from_str(text).map_err(|e| toml_error(text, path, &e))?;
        let at = |span: std::ops::Range<usize>, message: String| located(text, path, span, message);
        self.sources.push(path.to_string());
        if let Some(gate) = file.gate {
            if let Some(v) = gate.fail_on {
                match parse_fail_on(v.get_ref()) {
                    Some(s) => {
                        self.fail_on = s;
                        self.fail_on_none = s.is_none();
                    }
                    None => {
                        return Err(at(
                            v.span(),
                            format!(
                                "fail_on = {:?}: expected one of critical, high, medium, low, none",
                                v.get_ref()
                            ),
                        ));
                    }
                }
            }
            if let Some(v) = gate.allow_incomplete {
                self.allow_incomplete = v;
            }
        }
        if let Some(t) = file.thresholds {
            let days = |v: Option<Spanned<i64>>, into: &mut i64, key: &str| {
                if let Some(v) = v {
                    if !(1..=36_500).contains(v.get_ref()) {
                        return Err(at(
                            v.span(),
                            format!(
                                "{key} = {}: expected a number of days from 1 to 36500",
                                v.get_ref()
                            ),
                        ));
                    }
                    *into = *v.get_ref();
                }
                Ok(())
            };
            let th = &mut self.thresholds;
            days(
                t.secret_max_lifetime_days,
                &mut th.secret_max_lifetime_days,
                "secret_max_lifetime_days",
            )?;
            days(t.rotation_days, &mut th.rotation_days, "rotation_days")?;
            days(t.unused_days, &mut th.unused_days, "unused_days")?;
            days(
                t.expiry_warning_days,
                &mut th.expiry_warning_days,
                "expiry_warning_days",
            )?;
            days(
                t.access_key_unused_days,
                &mut th.access_key_unused_days,
                "access_key_unused_days",
            )?;
            if let Some(v) = t.max_active_secrets {
                if !(1..=1000).contains(v.get_ref()) {
                    return Err(at(
                        v.span(),
                        format!(
                            "max_active_secrets = {}: expected a number from 1 to 1000",
                            v.get_ref()
                        ),
                    ));
                }
                th.max_active_secrets = *v.get_ref() as usize;
            }
        }
        if let Some(entra) = file.entra {
            for v in entra.home_tenants {
                self.home_tenants.push(guid(&v, "home tenant id", &at)?);
            }
            for v in entra.first_party_app_ids {
                self.first_party_app_ids.push(guid(&v, "app id", &at)?);
            }
            for v in entra.known_vendor_app_ids {
                self.known_vendor_app_ids.push(guid(&v, "app id", &at)?);
            }
        }
        if let Some(aws) = file.aws {
            for v in aws.trusted_accounts {
                let s = v.get_ref();
                if s.len() != 12 || !s.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(at(
                        v.span(),
                        format!("{s:?} is not an AWS account id (12 digits)"),
                    ));
                }
                self.trusted_aws_accounts.push(s.clone());
            }
        }
        if let Some(github) = file.github {
            for v in github.trusted_orgs {
                let s = v.get_ref();
                let ok = !s.is_empty()
                    && s.len() <= 39
                    && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
                if !ok {
                    return Err(at(
                        v.span(),
                        format!("{s:?} is not a GitHub organisation name"),
                    ));
                }
                self.trusted_github_orgs.push(s.to_ascii_lowercase());
            }
        }
        if let Some(checks) = file.checks {
            if let Some(list) = checks.enable {
                let mut ids = Vec::new();
                for v in list {
                    ids.extend(check_ids(&v, &at)?);
                }
                self.enabled = Some(ids);
            }
            for v in checks.disable {
                self.disabled.extend(check_ids(&v, &at)?);
            }
            for (key, v) in checks.severity {
                let ids = check_ids(&Spanned::new(v.span(), key.clone()), &at)?;
                let Some(severity) = parse_severity(v.get_ref()) else {
                    return Err(at(
                        v.span(),
                        format!(
                            "severity {:?} for {key}: expected one of critical, high, medium, low, info",
                            v.get_ref()
                        ),
                    ));
                };
                for id in ids {
                    self.severity.insert(id, severity);
                }
            }
        }
        for raw in file.suppress {
            self.suppressions
                .push(Suppression::from_raw(raw, text, path)?);
        }
        Ok(())
    }

    /// Adds the suppressions of one `.nhiscan-ignore.toml` text.
    pub fn apply_ignore_file(&mut self, text: &str, path: &str) -> Result<(), ConfigError> {
        let file: IgnoreFile = toml::from_str(text).map_err(|e| toml_error(text, path, &e))?;
        self.sources.push(path.to_string());
        for raw in file.suppress {
            self.suppressions
                .push(Suppression::from_raw(raw, text, path)?);
        }
        Ok(())
    }

    /// Whether a check runs under this configuration.
    pub fn runs(&self, id: &str) -> bool {
        self.enabled.as_ref().is_none_or(|e| e.contains(&id)) && !self.disabled.contains(&id)
    }
}

fn read(path: &Path, shown: &str) -> Result<String, ConfigError> {
    let shown = Path::new(shown);
    let bytes =
        std::fs::read(path).map_err(|e| ConfigError::file(shown, format!("cannot read: {e}")))?;
    let text =
        String::from_utf8(bytes).map_err(|_| ConfigError::file(shown, "not UTF-8 text".into()))?;
    Ok(text
        .strip_prefix('\u{feff}')
        .map(str::to_string)
        .unwrap_or(text))
}

fn display(path: &Path) -> String {
    path.display().to_string()
}

/// 1-based line and column of a byte offset.
pub(crate) fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text.as_bytes()[..offset];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |p| p + 1);
    let column = text[line_start..offset].chars().count() + 1;
    (line, column)
}

pub(crate) fn located(
    text: &str,
    path: &str,
    span: std::ops::Range<usize>,
    message: String,
) -> ConfigError {
    let (line, column) = line_col(text, span.start);
    ConfigError {
        path: path.to_string(),
        line,
        column,
        message,
    }
}

fn toml_error(text: &str, path: &str, e: &toml::de::Error) -> ConfigError {
    let span = e.span().unwrap_or(0..0);
    located(text, path, span, e.message().trim().replace('\n', " "))
}

fn guid(
    v: &Spanned<String>,
    what: &str,
    at: &impl Fn(std::ops::Range<usize>, String) -> ConfigError,
) -> Result<String, ConfigError> {
    let s = v.get_ref();
    let hex = |r: std::ops::Range<usize>| {
        s.get(r)
            .is_some_and(|p| p.bytes().all(|b| b.is_ascii_hexdigit()))
    };
    let ok = s.len() == 36
        && [8, 13, 18, 23].iter().all(|&i| s.as_bytes()[i] == b'-')
        && hex(0..8)
        && hex(9..13)
        && hex(14..18)
        && hex(19..23)
        && hex(24..36);
    if !ok {
        return Err(at(v.span(), format!("{s:?} is not a {what} (a GUID)")));
    }
    Ok(s.to_ascii_lowercase())
}

/// Check ids for one entry: an id (`AWS-016`), a name (`user-with-direct-policies`)
/// or a provider (`aws`, every check of it).
fn check_ids(
    v: &Spanned<String>,
    at: &impl Fn(std::ops::Range<usize>, String) -> ConfigError,
) -> Result<Vec<&'static str>, ConfigError> {
    let key = v.get_ref();
    if let Some(m) = lookup(key) {
        return Ok(vec![crate::checks::registry::static_id(&m.id)]);
    }
    let provider: Vec<&'static str> = ALL_META
        .iter()
        .filter(|m| m.provider.eq_ignore_ascii_case(key))
        .map(|m| crate::checks::registry::static_id(&m.id))
        .collect();
    if provider.is_empty() {
        return Err(at(
            v.span(),
            format!(
                "unknown check {key:?} (give an id such as AWS-016, a check name, or a provider; `nhiscan checks` lists them)"
            ),
        ));
    }
    Ok(provider)
}

pub fn parse_severity(s: &str) -> Option<Severity> {
    Severity::ALL
        .into_iter()
        .find(|v| v.as_str().eq_ignore_ascii_case(s))
}

/// `Some(None)`: "none".
fn parse_fail_on(s: &str) -> Option<Option<Severity>> {
    if s.eq_ignore_ascii_case("none") {
        return Some(None);
    }
    parse_severity(s).filter(|s| *s != Severity::Info).map(Some)
}

// ---- the file as written ----

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    gate: Option<GateSection>,
    thresholds: Option<ThresholdsSection>,
    entra: Option<EntraSection>,
    aws: Option<AwsSection>,
    github: Option<GithubSection>,
    checks: Option<ChecksSection>,
    #[serde(default)]
    suppress: Vec<Spanned<suppress::RawSuppression>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct IgnoreFile {
    #[serde(default)]
    suppress: Vec<Spanned<suppress::RawSuppression>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct GateSection {
    fail_on: Option<Spanned<String>>,
    allow_incomplete: Option<bool>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ThresholdsSection {
    secret_max_lifetime_days: Option<Spanned<i64>>,
    rotation_days: Option<Spanned<i64>>,
    unused_days: Option<Spanned<i64>>,
    expiry_warning_days: Option<Spanned<i64>>,
    access_key_unused_days: Option<Spanned<i64>>,
    max_active_secrets: Option<Spanned<i64>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct EntraSection {
    #[serde(default)]
    home_tenants: Vec<Spanned<String>>,
    #[serde(default)]
    first_party_app_ids: Vec<Spanned<String>>,
    #[serde(default)]
    known_vendor_app_ids: Vec<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AwsSection {
    #[serde(default)]
    trusted_accounts: Vec<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct GithubSection {
    #[serde(default)]
    trusted_orgs: Vec<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ChecksSection {
    enable: Option<Vec<Spanned<String>>>,
    #[serde(default)]
    disable: Vec<Spanned<String>>,
    #[serde(default)]
    severity: BTreeMap<String, Spanned<String>>,
}

/// What `nhiscan init` writes: every setting, at its default, explained.
pub const DEFAULT_TOML: &str = include_str!("default.toml");

/// Writes [`DEFAULT_TOML`] to `path` unless a file is there already.
pub fn init(path: &Path, force: bool) -> Result<PathBuf, String> {
    if path.exists() && !force {
        return Err(format!(
            "{} exists already; pass --force to overwrite it",
            path.display()
        ));
    }
    std::fs::write(path, DEFAULT_TOML).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(path.to_path_buf())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config, ConfigError> {
        let mut c = Config::default();
        c.apply(text, "nhiscan.toml")?;
        Ok(c)
    }

    #[test]
    fn the_default_file_parses_to_the_defaults() {
        let c = parse(DEFAULT_TOML).unwrap();
        assert_eq!(c.thresholds, Thresholds::default());
        assert_eq!(c.fail_on, None);
        assert!(c.enabled.is_none() && c.disabled.is_empty() && c.severity.is_empty());
        assert!(c.suppressions.is_empty());
    }

    #[test]
    fn settings_are_read() {
        let c = parse(
            r#"
[gate]
fail_on = "high"
[thresholds]
rotation_days = 30
[entra]
home_tenants = ["AAAAAAAA-bbbb-cccc-dddd-eeeeeeeeeeee"]
[aws]
trusted_accounts = ["123456789012"]
[github]
trusted_orgs = ["Contoso"]
[checks]
disable = ["AWS-016", "access-key-unused"]
severity = { "ENTRA-007" = "low", gcp = "info" }
"#,
        )
        .unwrap();
        assert_eq!(c.fail_on, Some(Severity::High));
        assert_eq!(c.thresholds.rotation_days, 30);
        assert_eq!(c.home_tenants, ["aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"]);
        assert_eq!(c.trusted_github_orgs, ["contoso"]);
        assert_eq!(c.disabled, ["AWS-016", "AWS-011"]);
        assert!(!c.runs("AWS-016") && c.runs("AWS-001"));
        assert_eq!(c.severity.get("ENTRA-007"), Some(&Severity::Low));
        assert_eq!(c.severity.get("GCP-001"), Some(&Severity::Info));
    }

    #[test]
    fn errors_name_the_line_and_column() {
        let e = parse("[thresholds]\nrotation_days = 90\nrotaton_days = 3\n").unwrap_err();
        assert_eq!((e.line, e.column), (3, 1), "{e}");
        assert!(e.message.contains("rotaton_days"), "{e}");

        let e = parse("[aws]\ntrusted_accounts = [\"12345\"]\n").unwrap_err();
        assert_eq!((e.line, e.column), (2, 21), "{e}");

        let e = parse("[checks]\ndisable = [\n  \"AWS-999\",\n]\n").unwrap_err();
        assert_eq!(e.line, 3, "{e}");
        assert!(e.message.contains("AWS-999"), "{e}");

        let e = parse("[gate]\nfail_on = \"severe\"\n").unwrap_err();
        assert_eq!(e.line, 2, "{e}");

        let e = parse("[thresholds]\nunused_days = \"ninety\"\n").unwrap_err();
        assert_eq!(e.line, 2, "{e}");
        assert!(e.to_string().starts_with("nhiscan.toml:2:"), "{e}");
    }

    #[test]
    fn a_named_config_that_is_missing_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let e = Config::discover(Some(&dir.path().join("nope.toml")), dir.path()).unwrap_err();
        assert!(e.message.contains("not found"), "{e}");
        // Without --config, a missing nhiscan.toml just means defaults.
        let c = Config::discover(None, dir.path()).unwrap();
        assert!(c.sources.is_empty());
    }
}
