//! SARIF 2.1.0 output (`--format sarif`) for GitHub code scanning and other SARIF
//! consumers.
//!
//! The log has one run of one tool, `nhiscan`, and follows the rules GitHub code
//! scanning applies to uploads (shared/reference/outputs.md §1):
//!
//! - `tool.driver.rules` lists every check of the catalog, sorted by id, whether it
//!   fired or not, with the required short and full descriptions (at most 1,024
//!   characters; longer descriptions are cut at a sentence), `help.text` and
//!   `help.markdown` with the remediation, a default level, at most 10 tags
//!   (`security`, the provider, the OWASP NHI and NIST CSF ids), `precision` and
//!   `security-severity` as a string on a mid-band scale (critical 9.5, high 8.0,
//!   medium 5.5, low 2.0; none for info) so that no value sits on a band edge.
//! - Every result has `ruleId`, a `ruleIndex` into the rules, a `level` from the
//!   finding's own severity (critical and high: `error`; medium: `warning`; low and
//!   info: `note`) and exactly one location: the export file as a relative URI with
//!   a `uriBaseId`, `region.startLine` of at least 1, and a logical location naming
//!   the identity. GitHub rejects a whole upload for one result without a physical
//!   location, so there is always one.
//! - Paths relative to the working directory are written as they are, with `/`
//!   separators and percent-encoded where a URI needs it, against `%SRCROOT%` (the
//!   working directory; its absolute path is not written, so the output does not
//!   depend on the machine). An absolute path under the working directory is made
//!   relative to it; any other absolute path is written without its leading `/`
//!   against `%FSROOT%` (`file:///`).
//! - `partialFingerprints` carries the finding's fingerprint as
//!   `nhiscanFingerprint/v1`, and as `primaryLocationLineHash`, the only key GitHub
//!   reads: several findings of one check can share a line (the bindings of one GCP
//!   IAM policy, for example), and a hash of the line's text would merge them into
//!   one alert.
//! - At most 25,000 results per run, GitHub's limit. Findings are sorted most
//!   severe first, so the first 25,000 are kept; a cut is recorded in
//!   `run.properties` (`truncated`, `totalResults`, `includedResults`) and as a
//!   warning notification. The JSON report always has every finding.
//! - `automationDetails.id` is always `nhiscan/`, so that alerts keep their
//!   category when exports are added or removed and GitHub closes fixed ones.
//! - The only time written is `scanned_at` (the `--now` clock), in
//!   `run.properties`; input errors, skipped files and import notes become
//!   `toolExecutionNotifications`. Nothing depends on the real clock or on hash
//!   order, so the same inputs and `--now` give byte-identical output.

use std::collections::BTreeMap;
use std::io::{self, Write};
use std::path::{Component, Path};

use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};
use serde::Serialize;

use super::{FindingOut, Report};
use crate::checks::meta::{ALL_META, CheckMeta, OWASP_NHI};
use crate::checks::{FrozenEvidence, Severity};

/// GitHub code scanning rejects a run with more results than this.
pub const MAX_RESULTS: usize = 25_000;
/// GitHub rejects more than 20 tags per rule and shows 10.
const MAX_TAGS: usize = 10;
/// GitHub's limit on `shortDescription.text` and `fullDescription.text`.
const MAX_DESCRIPTION: usize = 1024;

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";
const INFORMATION_URI: &str = "https://github.com/nhiscan/nhiscan";
const SRCROOT: &str = "%SRCROOT%";
const FSROOT: &str = "%FSROOT%";

/// Writes the report as a SARIF 2.1.0 log, pretty-printed, with a trailing newline.
pub fn write(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let cwd = std::env::current_dir().ok();
    write_with(report, out, MAX_RESULTS, cwd.as_deref())
}

fn write_with(
    report: &Report,
    out: &mut dyn Write,
    limit: usize,
    cwd: Option<&Path>,
) -> io::Result<()> {
    let log = build(report, limit, cwd);
    serde_json::to_writer_pretty(&mut *out, &log)?;
    out.write_all(b"\n")
}

#[derive(Serialize)]
struct Log<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: [Run<'a>; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<'a> {
    tool: Tool<'a>,
    automation_details: AutomationDetails,
    invocations: [Invocation; 1],
    original_uri_base_ids: BTreeMap<&'static str, BaseUri>,
    artifacts: Vec<Artifact<'a>>,
    results: Vec<SarifResult<'a>>,
    properties: RunProperties<'a>,
}

#[derive(Serialize)]
struct Tool<'a> {
    driver: Driver<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver<'a> {
    name: &'static str,
    version: &'static str,
    semantic_version: &'static str,
    information_uri: &'static str,
    rules: Vec<Rule<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Rule<'a> {
    id: &'a str,
    name: &'a str,
    short_description: Text,
    full_description: Text,
    #[serde(skip_serializing_if = "Option::is_none")]
    help_uri: Option<&'a str>,
    help: Help,
    default_configuration: Configuration,
    properties: RuleProperties,
}

#[derive(Serialize)]
struct Text {
    text: String,
}

#[derive(Serialize)]
struct Help {
    text: String,
    markdown: String,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
struct RuleProperties {
    tags: Vec<String>,
    precision: &'static str,
    #[serde(rename = "security-severity", skip_serializing_if = "Option::is_none")]
    security_severity: Option<&'static str>,
    #[serde(rename = "problem.severity")]
    problem_severity: &'static str,
    severity: &'static str,
}

#[derive(Serialize)]
struct AutomationDetails {
    id: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Invocation {
    execution_successful: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tool_execution_notifications: Vec<Notification>,
}

#[derive(Serialize)]
struct Notification {
    descriptor: Descriptor,
    level: &'static str,
    message: Text,
}

#[derive(Serialize)]
struct Descriptor {
    id: &'static str,
}

#[derive(Serialize)]
struct BaseUri {
    #[serde(skip_serializing_if = "Option::is_none")]
    uri: Option<&'static str>,
    description: Text,
}

#[derive(Serialize)]
struct Artifact<'a> {
    location: ArtifactLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    hashes: Option<Hashes<'a>>,
    properties: ArtifactProperties<'a>,
}

#[derive(Serialize)]
struct Hashes<'a> {
    #[serde(rename = "sha-256")]
    sha256: &'a str,
}

#[derive(Serialize)]
struct ArtifactProperties<'a> {
    format: &'a str,
    records: usize,
}

#[derive(Serialize, Clone)]
#[serde(rename_all = "camelCase")]
struct ArtifactLocation {
    uri: String,
    uri_base_id: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    index: Option<usize>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult<'a> {
    rule_id: &'a str,
    rule_index: usize,
    level: &'static str,
    message: Text,
    locations: [Location; 1],
    partial_fingerprints: Fingerprints,
    /// An accepted risk: GitHub shows the alert as dismissed, not open.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    suppressions: Vec<SarifSuppression<'a>>,
    /// With `--baseline`: `new` or `unchanged`.
    #[serde(skip_serializing_if = "Option::is_none")]
    baseline_state: Option<&'static str>,
    properties: ResultProperties<'a>,
}

/// SARIF §3.35: a suppression of a result, with its justification.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifSuppression<'a> {
    kind: &'static str,
    status: &'static str,
    justification: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    properties: Option<SuppressionProperties<'a>>,
}

#[derive(Serialize)]
struct SuppressionProperties<'a> {
    source: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    owner: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    ticket: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    expires: Option<&'a str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location {
    physical_location: PhysicalLocation,
    logical_locations: [LogicalLocation; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    region: Region,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: u32,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct LogicalLocation {
    name: String,
    fully_qualified_name: String,
    kind: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Fingerprints {
    #[serde(rename = "nhiscanFingerprint/v1")]
    nhiscan: String,
    primary_location_line_hash: String,
}

#[derive(Serialize)]
struct ResultProperties<'a> {
    severity: &'static str,
    provider: &'a str,
    identity: IdentityProperties<'a>,
    owasp: &'a [String],
    nist: &'a [String],
    evidence: FrozenEvidence<'a>,
}

#[derive(Serialize)]
struct IdentityProperties<'a> {
    id: &'a str,
    name: &'a str,
    kind: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RunProperties<'a> {
    scanned_at: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    tenant_id: Option<&'a str>,
    truncated: bool,
    total_results: usize,
    included_results: usize,
}

fn build<'a>(report: &'a Report, limit: usize, cwd: Option<&Path>) -> Log<'a> {
    let mut metas: Vec<&'static CheckMeta> = ALL_META.iter().collect();
    metas.sort_by(|a, b| a.id.cmp(&b.id));
    let rules = metas.iter().copied().map(rule).collect();

    let mut bases = BTreeMap::new();
    let mut use_base = |loc: &ArtifactLocation| {
        bases
            .entry(loc.uri_base_id)
            .or_insert_with(|| base(loc.uri_base_id));
    };

    let mut artifacts = Vec::with_capacity(report.inputs.len());
    let mut artifact_index: BTreeMap<&str, usize> = BTreeMap::new();
    for (i, input) in report.inputs.iter().enumerate() {
        let location = locate(&input.path, cwd);
        use_base(&location);
        artifact_index.entry(&input.path).or_insert(i);
        artifacts.push(Artifact {
            location,
            hashes: (!input.sha256.is_empty()).then_some(Hashes {
                sha256: &input.sha256,
            }),
            properties: ArtifactProperties {
                format: &input.format,
                records: input.records,
            },
        });
    }

    let total = report.findings.len();
    let included = total.min(limit);
    let mut results = Vec::with_capacity(included);
    for f in report.findings.iter().take(included) {
        let rule_index = metas
            .binary_search_by(|m| m.id.as_str().cmp(f.check_id))
            .expect("every finding's check is in the catalog");
        let mut artifact_location = locate(f.location.path, cwd);
        use_base(&artifact_location);
        artifact_location.index = artifact_index.get(f.location.path).copied();
        results.push(result(f, rule_index, artifact_location));
    }

    let mut notifications = Vec::new();
    for e in &report.errors {
        notifications.push(notification("input-error", "error", e.message.clone()));
    }
    if included < total {
        notifications.push(notification(
            "results-truncated",
            "warning",
            format!(
                "{total} findings; GitHub code scanning accepts at most {limit} results per run, \
                 so only the {included} most severe are included. The JSON report (--format json) has them all."
            ),
        ));
    }
    for s in &report.skipped {
        notifications.push(notification(
            "input-skipped",
            "note",
            format!("skipped {}: {}", s.path, s.reason),
        ));
    }
    for n in &report.notes {
        notifications.push(notification("import-note", "note", n.clone()));
    }

    Log {
        schema: SCHEMA,
        version: "2.1.0",
        runs: [Run {
            tool: Tool {
                driver: Driver {
                    name: report.tool.name,
                    version: report.tool.version,
                    semantic_version: report.tool.version,
                    information_uri: INFORMATION_URI,
                    rules,
                },
            },
            automation_details: AutomationDetails {
                id: automation_id(report),
            },
            invocations: [Invocation {
                execution_successful: true,
                tool_execution_notifications: notifications,
            }],
            original_uri_base_ids: bases,
            artifacts,
            results,
            properties: RunProperties {
                scanned_at: &report.scanned_at,
                tenant_id: report.tenant.id.as_deref(),
                truncated: included < total,
                total_results: total,
                included_results: included,
            },
        }],
    }
}

fn notification(id: &'static str, level: &'static str, text: String) -> Notification {
    Notification {
        descriptor: Descriptor { id },
        level,
        message: Text { text },
    }
}

fn base(id: &'static str) -> BaseUri {
    if id == FSROOT {
        BaseUri {
            uri: Some("file:///"),
            description: Text {
                text: "The file system root: the export was given by an absolute path outside the working directory.".into(),
            },
        }
    } else {
        BaseUri {
            uri: None,
            description: Text {
                text: "The directory nhiscan ran in; export paths are relative to it.".into(),
            },
        }
    }
}

/// The run's category for GitHub: always `nhiscan/`. A category that followed
/// the inputs (providers, tenant) would change when an export is added or
/// removed, and the alerts of the old category would then stay open forever;
/// scan every export of a repository in one run instead (docs/ci.md).
fn automation_id(_report: &Report) -> String {
    String::from("nhiscan/")
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "note",
    }
}

fn security_severity(s: Severity) -> Option<&'static str> {
    match s {
        Severity::Critical => Some("9.5"),
        Severity::High => Some("8.0"),
        Severity::Medium => Some("5.5"),
        Severity::Low => Some("2.0"),
        Severity::Info => None,
    }
}

fn problem_severity(s: Severity) -> &'static str {
    match s {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "recommendation",
    }
}

fn rule(m: &'static CheckMeta) -> Rule<'static> {
    let mut tags: Vec<String> = vec!["security".into(), m.provider.clone()];
    for t in m.owasp.iter().chain(&m.nist) {
        if !tags.contains(t) {
            tags.push(t.clone());
        }
    }
    tags.truncate(MAX_TAGS);
    Rule {
        id: &m.id,
        name: &m.name,
        short_description: Text {
            text: cut(m.title.trim(), MAX_DESCRIPTION),
        },
        full_description: Text {
            text: cut(m.description.trim(), MAX_DESCRIPTION),
        },
        help_uri: m.references.first().map(String::as_str),
        help: Help {
            text: help_text(m),
            markdown: help_markdown(m),
        },
        default_configuration: Configuration {
            level: level(m.severity),
        },
        properties: RuleProperties {
            tags,
            precision: "high",
            security_severity: security_severity(m.severity),
            problem_severity: problem_severity(m.severity),
            severity: m.severity.as_str(),
        },
    }
}

fn owasp_titles(ids: &[String]) -> String {
    ids.iter()
        .map(|id| match OWASP_NHI.iter().find(|(o, _)| o == id) {
            Some((_, title)) => format!("{id} {title}"),
            None => id.clone(),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn help_text(m: &CheckMeta) -> String {
    let mut s = format!(
        "{}\n\n{}\n\nWhy it matters: {}\n\nRemediation:\n{}\n\nSeverity: {}\nOWASP NHI Top 10 2025: {}\nNIST CSF 2.0: {}\n",
        m.title.trim(),
        m.description.trim(),
        m.rationale.trim(),
        m.remediation.trim(),
        m.severity.as_str(),
        owasp_titles(&m.owasp),
        m.nist.join(", "),
    );
    if !m.cis.is_empty() {
        s.push_str(&format!("CIS: {}\n", m.cis.join("; ")));
    }
    if !m.attack.is_empty() {
        s.push_str(&format!("MITRE ATT&CK: {}\n", m.attack.join(", ")));
    }
    for r in &m.references {
        s.push_str(&format!("Reference: {r}\n"));
    }
    s
}

fn help_markdown(m: &CheckMeta) -> String {
    let cell = |s: &str| s.replace('|', "\\|");
    let mut s = format!(
        "**{}** (`{}`, `{}`)\n\n{}\n\n**Why it matters.** {}\n\n**Remediation.**\n\n{}\n\n| | |\n|---|---|\n| Severity | {} |\n| OWASP NHI Top 10 2025 | {} |\n| NIST CSF 2.0 | {} |\n",
        m.title.trim(),
        m.id,
        m.name,
        m.description.trim(),
        m.rationale.trim(),
        m.remediation.trim(),
        m.severity.as_str(),
        cell(&owasp_titles(&m.owasp)),
        cell(&m.nist.join(", ")),
    );
    if !m.cis.is_empty() {
        s.push_str(&format!("| CIS | {} |\n", cell(&m.cis.join("; "))));
    }
    if !m.attack.is_empty() {
        s.push_str(&format!(
            "| MITRE ATT&CK | {} |\n",
            cell(&m.attack.join(", "))
        ));
    }
    if !m.references.is_empty() {
        s.push_str("\n**References**\n\n");
        for r in &m.references {
            s.push_str(&format!("- <{r}>\n"));
        }
    }
    s
}

/// `text` in at most `max` bytes: whole sentences when they fit, else cut at a
/// character boundary with an ellipsis.
fn cut(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_string();
    }
    let ellipsis = "…";
    let mut end = max - ellipsis.len();
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let head = &text[..end];
    if let Some(i) = head.rfind(". ")
        && i > max / 2
    {
        return text[..=i].to_string();
    }
    format!("{}{ellipsis}", head.trim_end())
}

fn result<'a>(
    f: FindingOut<'a>,
    rule_index: usize,
    artifact_location: ArtifactLocation,
) -> SarifResult<'a> {
    let id = &f.identity;
    let message = format!(
        "{}. Identity: {} ({} {}).",
        f.message.trim().trim_end_matches('.'),
        id.name,
        id.provider,
        id.kind
    );
    let key = if id.id.is_empty() { id.name } else { id.id };
    SarifResult {
        rule_id: f.check_id,
        rule_index,
        level: level(f.severity),
        message: Text { text: message },
        locations: [Location {
            physical_location: PhysicalLocation {
                artifact_location,
                region: Region {
                    start_line: f.location.line.max(1),
                },
            },
            logical_locations: [LogicalLocation {
                name: id.name.to_string(),
                fully_qualified_name: format!("{}/{}/{}", id.provider, id.kind, key),
                kind: "resource",
            }],
        }],
        partial_fingerprints: Fingerprints {
            nhiscan: f.fingerprint.to_string(),
            primary_location_line_hash: format!(
                "{}:1",
                &f.fingerprint[..f.fingerprint.len().min(16)]
            ),
        },
        suppressions: f
            .suppression
            .map(|s| SarifSuppression {
                kind: "external",
                status: "accepted",
                justification: &s.reason,
                properties: Some(SuppressionProperties {
                    source: &s.source,
                    owner: s.owner.as_deref(),
                    ticket: s.ticket.as_deref(),
                    expires: s.expires.as_deref(),
                }),
            })
            .into_iter()
            .collect(),
        baseline_state: f.baseline,
        properties: ResultProperties {
            severity: f.severity.as_str(),
            provider: f.provider,
            identity: IdentityProperties {
                id: id.id,
                name: id.name,
                kind: id.kind,
            },
            owasp: f.owasp_nhi,
            nist: f.nist_csf,
            evidence: f.evidence,
        },
    }
}

/// Characters percent-encoded in a URI path segment (besides controls and
/// non-ASCII): those with a meaning in URI syntax, and `:`, which would make the
/// first segment look like a scheme.
const SEGMENT: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'[')
    .add(b']')
    .add(b'\\')
    .add(b'^')
    .add(b'`')
    .add(b'{')
    .add(b'|')
    .add(b'}')
    .add(b':');

/// The path's components with `.` and `..` resolved lexically; the flag says
/// whether it is absolute. A Windows prefix (`C:`) is kept as the first part.
fn lexical(path: &Path) -> (bool, Vec<String>) {
    let mut absolute = false;
    let mut prefix = 0;
    let mut parts: Vec<String> = Vec::new();
    for c in path.components() {
        match c {
            Component::Prefix(p) => {
                parts.push(p.as_os_str().to_string_lossy().into_owned());
                prefix = 1;
                absolute = true;
            }
            Component::RootDir => absolute = true,
            Component::CurDir => {}
            Component::ParentDir => {
                if parts.len() > prefix && parts.last().is_some_and(|p| p != "..") {
                    parts.pop();
                } else if !absolute {
                    parts.push("..".into());
                }
            }
            Component::Normal(s) => parts.push(s.to_string_lossy().into_owned()),
        }
    }
    (absolute, parts)
}

fn uri(parts: &[String], base: &'static str) -> ArtifactLocation {
    let uri = parts
        .iter()
        .map(|p| utf8_percent_encode(p, SEGMENT).to_string())
        .collect::<Vec<_>>()
        .join("/");
    ArtifactLocation {
        uri: if uri.is_empty() { ".".into() } else { uri },
        uri_base_id: base,
        index: None,
    }
}

/// A report path as a relative URI: against `%SRCROOT%` (the working directory)
/// when it is relative or under the working directory, else against `%FSROOT%`.
fn locate(path: &str, cwd: Option<&Path>) -> ArtifactLocation {
    let p = Path::new(path);
    let (absolute, parts) = lexical(p);
    let leaves = parts.first().is_some_and(|f| f == "..");
    if !absolute && !leaves {
        return uri(&parts, SRCROOT);
    }
    let Some(cwd) = cwd else {
        return uri(&parts, if absolute { FSROOT } else { SRCROOT });
    };
    let (_, base) = lexical(cwd);
    let full = if absolute {
        parts
    } else {
        lexical(&cwd.join(p)).1
    };
    if full.len() > base.len() && full.starts_with(&base) {
        uri(&full[base.len()..], SRCROOT)
    } else {
        uri(&full, FSROOT)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    fn demo_sarif(limit: usize) -> (usize, Value) {
        let demo = crate::checks::testkit::demo();
        let report = demo.report();
        let mut out = Vec::new();
        write_with(
            &report,
            &mut out,
            limit,
            Some(Path::new(env!("CARGO_MANIFEST_DIR"))),
        )
        .unwrap();
        (report.findings.len(), serde_json::from_slice(&out).unwrap())
    }

    #[test]
    fn results_beyond_the_limit_are_cut_and_the_cut_is_recorded() {
        let (total, log) = demo_sarif(3);
        assert!(total > 3);
        let run = &log["runs"][0];
        let results = run["results"].as_array().unwrap();
        assert_eq!(results.len(), 3);
        // The most severe come first, as in the report.
        assert_eq!(results[0]["level"], "error");
        assert_eq!(run["properties"]["truncated"], true);
        assert_eq!(run["properties"]["totalResults"], total);
        assert_eq!(run["properties"]["includedResults"], 3);
        let notes = run["invocations"][0]["toolExecutionNotifications"]
            .as_array()
            .unwrap();
        assert!(notes.iter().any(|n| n["level"] == "warning"
            && n["descriptor"]["id"] == "results-truncated"
            && n["message"]["text"].as_str().unwrap().contains("at most 3")));
        assert_eq!(run["invocations"][0]["executionSuccessful"], true);

        let (total, log) = demo_sarif(MAX_RESULTS);
        let run = &log["runs"][0];
        assert_eq!(run["results"].as_array().unwrap().len(), total);
        assert_eq!(run["properties"]["truncated"], false);
        let notes = run["invocations"][0]["toolExecutionNotifications"]
            .as_array()
            .unwrap();
        assert!(notes.iter().all(|n| n["level"] != "warning"));
        // The demo tenant's README is skipped: a note says so.
        assert!(
            notes
                .iter()
                .any(|n| n["descriptor"]["id"] == "input-skipped")
        );
    }

    fn loc(path: &str, cwd: Option<&str>) -> (String, &'static str) {
        let l = locate(path, cwd.map(Path::new));
        (l.uri, l.uri_base_id)
    }

    #[cfg(unix)]
    #[test]
    fn paths_become_relative_uris() {
        let cwd = Some("/work/main");
        let rel = |s: &str| (s.to_string(), SRCROOT);
        let root = |s: &str| (s.to_string(), FSROOT);
        assert_eq!(loc("testdata/a/b.json", cwd), rel("testdata/a/b.json"));
        assert_eq!(loc("./testdata//a/./b.json", cwd), rel("testdata/a/b.json"));
        assert_eq!(
            loc("/work/main/testdata/b.json", cwd),
            rel("testdata/b.json")
        );
        assert_eq!(loc("/work/mainly/b.json", cwd), root("work/mainly/b.json"));
        assert_eq!(loc("/tmp/x/y.json", cwd), root("tmp/x/y.json"));
        assert_eq!(loc("../shared/s.json", cwd), root("work/shared/s.json"));
        assert_eq!(loc("../main/s.json", cwd), rel("s.json"));
        assert_eq!(loc("a/../../s.json", None), rel("../s.json"));
        assert_eq!(loc("/tmp/s.json", None), root("tmp/s.json"));
        assert_eq!(
            loc("exports/my file#1:v2?.json", cwd),
            rel("exports/my%20file%231%3Av2%3F.json")
        );
        assert_eq!(loc("exports/café.json", cwd), rel("exports/caf%C3%A9.json"));
    }

    #[test]
    fn descriptions_are_cut_to_github_limits() {
        let long = "First sentence is here. ".repeat(100);
        let c = cut(long.trim(), MAX_DESCRIPTION);
        assert!(c.len() <= MAX_DESCRIPTION);
        assert!(c.ends_with('.'));
        let word = "é".repeat(1000);
        let c = cut(&word, MAX_DESCRIPTION);
        assert!(c.len() <= MAX_DESCRIPTION && c.ends_with('…'));
        assert_eq!(cut("short", MAX_DESCRIPTION), "short");
    }

    #[test]
    fn every_rule_respects_github_limits() {
        for m in ALL_META.iter() {
            let r = rule(m);
            assert!(r.short_description.text.len() <= MAX_DESCRIPTION);
            assert!(r.full_description.text.len() <= MAX_DESCRIPTION);
            assert!(r.name.len() <= 255);
            assert!(r.properties.tags.len() <= MAX_TAGS);
            assert!(r.help.markdown.contains(m.remediation.trim()));
        }
    }
}
