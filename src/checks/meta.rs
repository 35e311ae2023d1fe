//! Check metadata: the `checks/<provider>/<ID>.toml` files, parsed and validated.
//!
//! Framework ids are checked against closed sets so that a typo such as `NHI-05` or
//! `PR.AA-5` fails the build's tests rather than reaching a report.

use std::sync::LazyLock;

use serde::{Deserialize, Serialize};

use super::Severity;

/// NIST CSF 2.0 subcategories nhiscan maps to (frameworks.md §2).
pub const NIST_IDS: &[&str] = &[
    "PR.AA-01", "PR.AA-02", "PR.AA-03", "PR.AA-04", "PR.AA-05", "ID.AM-02", "ID.AM-04", "ID.AM-08",
    "DE.CM-03", "DE.CM-06", "DE.CM-09",
];

/// The official OWASP NHI Top 10 2025 ids and titles (frameworks.md §1).
pub const OWASP_NHI: &[(&str, &str)] = &[
    ("NHI1:2025", "Improper Offboarding"),
    ("NHI2:2025", "Secret Leakage"),
    ("NHI3:2025", "Vulnerable Third-Party NHI"),
    ("NHI4:2025", "Insecure Authentication"),
    ("NHI5:2025", "Overprivileged NHI"),
    ("NHI6:2025", "Insecure Cloud Deployment Configurations"),
    ("NHI7:2025", "Long-Lived Secrets"),
    ("NHI8:2025", "Environment Isolation"),
    ("NHI9:2025", "NHI Reuse"),
    ("NHI10:2025", "Human Use of NHI"),
];

/// One check's metadata, as written in its TOML file.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct CheckMeta {
    pub id: String,
    pub name: String,
    pub provider: String,
    pub title: String,
    pub severity: Severity,
    pub description: String,
    pub rationale: String,
    pub remediation: String,
    pub owasp: Vec<String>,
    pub nist: Vec<String>,
    #[serde(default)]
    pub cis: Vec<String>,
    #[serde(default)]
    pub attack: Vec<String>,
    #[serde(default)]
    pub references: Vec<String>,
}

impl CheckMeta {
    /// Parses and validates one metadata file.
    pub fn parse(file: &str, text: &str) -> Result<CheckMeta, String> {
        let meta: CheckMeta = toml::from_str(text).map_err(|e| format!("{file}: {e}"))?;
        meta.validate().map_err(|e| format!("{file}: {e}"))?;
        Ok(meta)
    }

    fn validate(&self) -> Result<(), String> {
        let id_ok = self.id.split_once('-').is_some_and(|(p, n)| {
            p.eq_ignore_ascii_case(&self.provider)
                && n.len() == 3
                && n.bytes().all(|b| b.is_ascii_digit())
        });
        if !id_ok {
            return Err(format!(
                "id {:?} must be <PROVIDER>-<3 digits> matching provider {:?}",
                self.id, self.provider
            ));
        }
        let kebab = !self.name.is_empty()
            && self
                .name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if !kebab {
            return Err(format!("name {:?} must be kebab-case", self.name));
        }
        for prefix in ["ensure-", "avoid-", "use-", "prefer-", "do-not-"] {
            if self.name.starts_with(prefix) {
                return Err(format!(
                    "name {:?} must name the risky state, not advice",
                    self.name
                ));
            }
        }
        if self.title.len() > 150 || self.title.starts_with("Ensure") {
            return Err("title must be at most 150 characters and not start with 'Ensure'".into());
        }
        for text in [&self.description, &self.rationale, &self.remediation] {
            if text.trim().is_empty() {
                return Err("description, rationale and remediation must not be empty".into());
            }
        }
        if self.owasp.is_empty() {
            return Err("at least one OWASP NHI id is required".into());
        }
        for o in &self.owasp {
            if !OWASP_NHI.iter().any(|(id, _)| id == o) {
                return Err(format!(
                    "unknown OWASP NHI id {o:?} (use the form NHI5:2025)"
                ));
            }
        }
        if self.nist.is_empty() {
            return Err("at least one NIST CSF id is required".into());
        }
        for n in &self.nist {
            if !NIST_IDS.contains(&n.as_str()) {
                return Err(format!("unknown NIST CSF 2.0 id {n:?}"));
            }
        }
        for a in &self.attack {
            let ok = a.starts_with('T')
                && a[1..]
                    .split('.')
                    .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
            if !ok {
                return Err(format!("malformed ATT&CK id {a:?}"));
            }
        }
        Ok(())
    }
}

/// Every check's metadata, in registry order.
pub static ALL_META: LazyLock<Vec<CheckMeta>> = LazyLock::new(|| {
    super::registry::ALL
        .iter()
        .map(|c| CheckMeta::parse(c.id, c.meta).expect("embedded check metadata is valid"))
        .collect()
});

static BY_ID: LazyLock<rustc_hash::FxHashMap<&'static str, usize>> = LazyLock::new(|| {
    ALL_META
        .iter()
        .enumerate()
        .map(|(i, m)| (m.id.as_str(), i))
        .collect()
});

/// The metadata of one check by id (case-insensitive) or name.
pub fn lookup(key: &str) -> Option<&'static CheckMeta> {
    if let Some(&i) = BY_ID.get(key) {
        return Some(&ALL_META[i]);
    }
    ALL_META
        .iter()
        .find(|m| m.id.eq_ignore_ascii_case(key) || m.name == key)
}

/// docs/checks.md, generated from the metadata (a test keeps the file current).
pub fn catalog_markdown() -> String {
    use std::fmt::Write;
    let mut s = String::new();
    let _ = writeln!(s, "# Checks\n");
    let _ = writeln!(
        s,
        "Generated from `checks/<provider>/<ID>.toml` by `NHISCAN_BLESS=1 cargo test --test docs`; do not edit by hand.\n"
    );
    let _ = writeln!(
        s,
        "| ID | Name | Severity | Title | OWASP NHI | NIST CSF 2.0 |"
    );
    let _ = writeln!(s, "|---|---|---|---|---|---|");
    for m in ALL_META.iter() {
        let _ = writeln!(
            s,
            "| [{id}](#{anchor}) | `{name}` | {sev} | {title} | {owasp} | {nist} |",
            id = m.id,
            anchor = m.id.to_ascii_lowercase(),
            name = m.name,
            sev = m.severity.as_str(),
            title = m.title,
            owasp = m.owasp.join(", "),
            nist = m.nist.join(", ")
        );
    }
    for m in ALL_META.iter() {
        let _ = writeln!(s, "\n## {}\n", m.id);
        let _ = writeln!(
            s,
            "**{}** · `{}` · severity **{}**\n",
            m.title,
            m.name,
            m.severity.as_str()
        );
        let _ = writeln!(s, "**What it detects.** {}\n", m.description.trim());
        let _ = writeln!(s, "**Why it matters.** {}\n", m.rationale.trim());
        let _ = writeln!(s, "**Remediation.**\n\n{}\n", m.remediation.trim());
        let _ = writeln!(s, "- OWASP NHI Top 10 2025: {}", m.owasp.join(", "));
        let _ = writeln!(s, "- NIST CSF 2.0: {}", m.nist.join(", "));
        if !m.cis.is_empty() {
            let _ = writeln!(s, "- CIS: {}", m.cis.join("; "));
        }
        if !m.attack.is_empty() {
            let _ = writeln!(s, "- MITRE ATT&CK: {}", m.attack.join(", "));
        }
        for r in &m.references {
            let _ = writeln!(s, "- Reference: <{r}>");
        }
    }
    s
}
