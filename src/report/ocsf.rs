//! OCSF output (`--format ocsf`): one OCSF 1.8.0 Detection Finding per finding,
//! written as a JSON array with one compact record per line: valid JSON for tools
//! that read the array (as Prowler's `json-ocsf`), and line-oriented for those that
//! stream it. Pretty-printing would add a third to records of several kilobytes.
//!
//! Every record is class 2004 (Detection Finding) in category 2 (Findings), with
//! activity 1 (Create) and so `type_uid` 200401 (`class_uid * 100 + activity_id`),
//! status 1 (New), and fits the OCSF 1.8.0 class schema without profiles
//! (`shared/schemas/ocsf-1.8.0-detection_finding.schema.json`, which admits no
//! field outside the class):
//!
//! - `time` and `finding_info.created_time` are the scan clock (`scanned_at`, from
//!   `--now`) in epoch **milliseconds**, as OCSF `timestamp_t` requires; no other
//!   time is written, so the same inputs and `--now` give byte-identical output.
//! - `severity_id` follows the OCSF scale from the finding's own severity: 1
//!   Informational, 2 Low, 3 Medium, 4 High, 5 Critical.
//! - `finding_info.uid` is the finding's fingerprint, stable across runs;
//!   `finding_info.analytic` names the check (`uid` = check id, `name` = check
//!   name, type 1 Rule); `finding_info.types` holds the OWASP NHI Top 10 ids;
//!   `finding_info.attacks` the MITRE ATT&CK techniques of the check.
//! - `resources[0]` is the identity (or the resource) the finding is about.
//! - `evidences[0].data` holds the finding's evidence, which never contains a
//!   secret value.
//! - `remediation` and `risk_details` come from the check's metadata.
//! - OCSF has no field for framework mappings in this class, so the OWASP NHI, NIST
//!   CSF 2.0 and CIS ids go in `unmapped.compliance`, with the export file and line
//!   in `unmapped.location`.

use std::io::{self, Write};

use rayon::prelude::*;
use serde::Serialize;

use rustc_hash::FxHashMap as HashMap;

use serde_json::value::RawValue;

use super::{FindingOut, Report};
use crate::checks::Severity;
use crate::checks::meta::{ALL_META, CheckMeta};
use crate::json_string;

/// The OCSF schema version the records follow.
pub const OCSF_VERSION: &str = "1.8.0";

const PRODUCT_URL: &str = "https://github.com/nhiscan/nhiscan";

/// Records per parallel serialisation task. Small, so that each chunk's buffer
/// (about 50 KB, allocated once) is reused by the allocator from chunk to chunk:
/// chunks of 1,024 records took 3 MB buffers that doubled as they filled, and the
/// freed ones stayed resident (docs/performance.md).
const CHUNK: usize = 16;

/// Writes every finding as an OCSF Detection Finding, in report order.
///
/// Records are rendered in parallel chunks, each batch written while the next
/// renders; the bytes are those of `serde_json::to_string` of each record, one per
/// line, inside `[` and `]`.
pub fn write(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    write_chunked(report, out, CHUNK)
}

fn write_chunked(report: &Report, out: &mut dyn Write, chunk_len: usize) -> io::Result<()> {
    let time = epoch_ms(&report.scanned_at)?;
    if report.findings.is_empty() {
        return out.write_all(b"[]\n");
    }
    let run = RunParts::new(time);
    let parts = CheckParts::all(report, time)?;
    out.write_all(b"[")?;
    // Batches of chunks bound the memory held in rendered-but-unwritten bytes.
    let batch = chunk_len * 4 * rayon::current_num_threads();
    let render_group = |group: std::ops::Range<usize>| -> io::Result<Vec<Vec<u8>>> {
        let ranges: Vec<std::ops::Range<usize>> = group
            .clone()
            .step_by(chunk_len)
            .map(|start| start..(start + chunk_len).min(group.end))
            .collect();
        ranges
            .into_par_iter()
            .map(|range| render_chunk(report, &run, &parts, range))
            .collect()
    };
    let mut first = true;
    super::pipeline::pipeline(
        report.findings.chunks(batch),
        None,
        render_group,
        |chunks| {
            for chunk in &chunks {
                out.write_all(if first { b"\n" } else { b",\n" })?;
                out.write_all(chunk)?;
                first = false;
            }
            Ok(())
        },
    )?;
    out.write_all(b"\n]\n")
}

/// Records separated by `,` and a line feed, one per line.
fn render_chunk(
    report: &Report,
    run: &RunParts,
    parts: &HashMap<&str, CheckParts>,
    chunk: std::ops::Range<usize>,
) -> io::Result<Vec<u8>> {
    // Records are about 3.4 KB: one allocation for the whole chunk.
    let mut buf = Vec::with_capacity(chunk.len() * 3584);
    for (i, f) in report.findings.range(chunk).enumerate() {
        if i > 0 {
            buf.extend_from_slice(b",\n");
        }
        let p = parts
            .get(f.check_id)
            .ok_or_else(|| io::Error::other(format!("{}: no check metadata", f.check_id)))?;
        write_record(&mut buf, run, p, &f);
    }
    Ok(buf)
}

/// One record, compact, as serde_json serialises the record's fields in their
/// OCSF order (the tests' reference): the run's and the check's parts are copied
/// as rendered once, and only the finding's own values are written here. The
/// title and the OWASP, NIST and CIS ids come with the check's parts: a finding's
/// are always its check's.
fn write_record(buf: &mut Vec<u8>, run: &RunParts, p: &CheckParts, f: &FindingOut) {
    buf.extend_from_slice(HEAD);
    buf.extend_from_slice(&run.severity[usize::from(severity(f.severity).0 - 1)]);
    buf.extend_from_slice(&run.status[usize::from(f.suppression.is_some())]);
    json_string::push(buf, f.message);
    buf.extend_from_slice(&p.before_uid);
    buf.extend_from_slice(f.fingerprint.as_str().as_bytes());
    buf.extend_from_slice(&p.after_uid);
    let (uid, namespace) = resource_uid(f);
    let id = &f.identity;
    json_string::push(buf, uid);
    buf.extend_from_slice(b",\"name\":");
    json_string::push(buf, id.name);
    buf.extend_from_slice(b",\"type\":");
    json_string::push(buf, id.kind);
    if let Some(ns) = namespace {
        buf.extend_from_slice(b",\"namespace\":");
        json_string::push(buf, ns);
    }
    buf.extend_from_slice(b",\"labels\":[\"provider:");
    json_string::push_unquoted(buf, id.provider);
    buf.extend_from_slice(b"\"]}],\"evidences\":[{\"data\":");
    f.evidence.write_json(buf);
    buf.extend_from_slice(&p.after_evidence);
    json_string::push(buf, f.provider);
    buf.extend_from_slice(&p.after_provider);
    json_string::push(buf, f.location.path);
    let _ = write!(buf, ",\"line\":{}}}}}}}", f.location.line);
}

/// A record's start, the same for every finding.
const HEAD: &[u8] = b"{\"activity_id\":1,\"activity_name\":\"Create\",\"category_uid\":2,\"category_name\":\"Findings\",\"class_uid\":2004,\"class_name\":\"Detection Finding\",\"type_uid\":200401,\"type_name\":\"Detection Finding: Create\",\"severity_id\":";

/// The parts of a record that depend on the run alone.
struct RunParts {
    /// `5,"severity":"Critical"` and the like, by `severity_id - 1`.
    severity: [Vec<u8>; 5],
    /// From `,"status_id"` to `"message":`: status New, then Suppressed.
    status: [Vec<u8>; 2],
}

impl RunParts {
    fn new(time: i64) -> RunParts {
        let severity = [
            Severity::Info,
            Severity::Low,
            Severity::Medium,
            Severity::High,
            Severity::Critical,
        ]
        .map(|s| {
            let (id, name) = severity(s);
            format!(r#"{id},"severity":"{name}""#).into_bytes()
        });
        let status = [(1, "New"), (3, "Suppressed")].map(|(id, name)| {
            format!(r#","status_id":{id},"status":"{name}","status_code":"FAIL","time":{time},"message":"#)
                .into_bytes()
        });
        RunParts { severity, status }
    }
}

/// The parts of a record that depend on the run and the check alone, rendered once
/// per check instead of once per finding (descriptions and remediations are long),
/// each the bytes between two of the finding's own values.
struct CheckParts {
    /// From `,"metadata":` to `"finding_info":{"uid":"`.
    before_uid: Vec<u8>,
    /// From the fingerprint's closing quote to `"resources":[{"uid":`.
    after_uid: Vec<u8>,
    /// From the evidence's end to `"unmapped":{"provider":`.
    after_evidence: Vec<u8>,
    /// From `,"check_name":` to `"location":{"path":`.
    after_provider: Vec<u8>,
}

impl CheckParts {
    fn all(report: &Report, time: i64) -> io::Result<HashMap<&'static str, CheckParts>> {
        ALL_META
            .iter()
            .map(|m| Ok((m.id.as_str(), CheckParts::of(report, m, time)?)))
            .collect()
    }

    fn of(report: &Report, m: &'static CheckMeta, time: i64) -> io::Result<CheckParts> {
        let texts = CheckTexts::of(m)?;
        let mut before_uid = b",\"metadata\":".to_vec();
        append(&mut before_uid, &metadata(report, &m.id))?;
        before_uid.extend_from_slice(b",\"finding_info\":{\"uid\":\"");

        let mut after_uid = b"\",\"title\":".to_vec();
        json_string::push(&mut after_uid, &m.title);
        after_uid.extend_from_slice(b",\"desc\":");
        after_uid.extend_from_slice(texts.desc.get().as_bytes());
        after_uid.extend_from_slice(b",\"types\":");
        append(&mut after_uid, &m.owasp)?;
        write!(after_uid, ",\"created_time\":{time},\"analytic\":")?;
        after_uid.extend_from_slice(texts.analytic.get().as_bytes());
        if let Some(attacks) = &texts.attacks {
            after_uid.extend_from_slice(b",\"attacks\":");
            after_uid.extend_from_slice(attacks.get().as_bytes());
        }
        after_uid.extend_from_slice(b"},\"resources\":[{\"uid\":");

        let mut after_evidence = b"}],\"remediation\":".to_vec();
        after_evidence.extend_from_slice(texts.remediation.get().as_bytes());
        after_evidence.extend_from_slice(b",\"risk_details\":");
        after_evidence.extend_from_slice(texts.risk_details.get().as_bytes());
        after_evidence.extend_from_slice(b",\"unmapped\":{\"provider\":");

        let mut after_provider = b",\"check_name\":".to_vec();
        json_string::push(&mut after_provider, &m.name);
        after_provider.extend_from_slice(b",\"compliance\":");
        append(
            &mut after_provider,
            &Compliance {
                owasp: &m.owasp,
                nist: &m.nist,
                cis: &m.cis,
            },
        )?;
        after_provider.extend_from_slice(b",\"location\":{\"path\":");
        Ok(CheckParts {
            before_uid,
            after_uid,
            after_evidence,
            after_provider,
        })
    }
}

/// The check's long texts as OCSF JSON values.
struct CheckTexts {
    desc: Box<RawValue>,
    analytic: Box<RawValue>,
    attacks: Option<Box<RawValue>>,
    remediation: Box<RawValue>,
    risk_details: Box<RawValue>,
}

impl CheckTexts {
    fn of(m: &CheckMeta) -> io::Result<CheckTexts> {
        let attacks: Vec<Attack> = m.attack.iter().map(|a| attack(a)).collect();
        Ok(CheckTexts {
            desc: raw(&m.description.trim())?,
            analytic: raw(&Analytic {
                uid: &m.id,
                name: &m.name,
                desc: &m.title,
                category: &m.provider,
                type_id: 1,
                kind: "Rule",
            })?,
            attacks: if attacks.is_empty() {
                None
            } else {
                Some(raw(&attacks)?)
            },
            remediation: raw(&Remediation {
                desc: m.remediation.trim(),
                references: &m.references,
            })?,
            risk_details: raw(&m.rationale.trim())?,
        })
    }
}

fn raw<T: Serialize + ?Sized>(value: &T) -> io::Result<Box<RawValue>> {
    serde_json::value::to_raw_value(value).map_err(io::Error::from)
}

/// `value` as compact JSON, appended to `buf`.
fn append<T: Serialize + ?Sized>(buf: &mut Vec<u8>, value: &T) -> io::Result<()> {
    serde_json::to_writer(buf, value).map_err(io::Error::from)
}

/// `scanned_at` (RFC 3339) as milliseconds since the Unix epoch.
fn epoch_ms(scanned_at: &str) -> io::Result<i64> {
    scanned_at
        .parse::<jiff::Timestamp>()
        .map(|t| t.as_millisecond())
        .map_err(|e| io::Error::other(format!("scanned_at {scanned_at:?}: {e}")))
}

/// The record's `metadata` for findings of the check `event_code`.
fn metadata<'a>(report: &'a Report, event_code: &'a str) -> Metadata<'a> {
    Metadata {
        version: OCSF_VERSION,
        product: Product {
            uid: "nhiscan",
            name: report.tool.name,
            vendor_name: "nhiscan",
            version: report.tool.version,
            url_string: PRODUCT_URL,
        },
        event_code,
        log_name: "nhiscan scan",
        tenant_uid: report.tenant.id.as_deref(),
    }
}

/// The resource's `uid` (the identity's id, or its name when it has none) and,
/// for a Kubernetes service account, its namespace.
fn resource_uid<'a>(f: &FindingOut<'a>) -> (&'a str, Option<&'a str>) {
    let id = &f.identity;
    let uid = if id.id.is_empty() { id.name } else { id.id };
    let namespace = (id.kind == "k8s_service_account")
        .then(|| id.id.split_once('/').map(|(ns, _)| ns))
        .flatten();
    (uid, namespace)
}

#[derive(Serialize)]
struct Metadata<'a> {
    version: &'static str,
    product: Product,
    event_code: &'a str,
    log_name: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    tenant_uid: Option<&'a str>,
}

#[derive(Serialize)]
struct Product {
    uid: &'static str,
    name: &'static str,
    vendor_name: &'static str,
    version: &'static str,
    url_string: &'static str,
}

#[derive(Serialize)]
struct Analytic<'a> {
    uid: &'a str,
    name: &'a str,
    desc: &'a str,
    category: &'a str,
    type_id: u8,
    #[serde(rename = "type")]
    kind: &'static str,
}

#[derive(Serialize)]
struct Attack {
    technique: Technique,
    #[serde(skip_serializing_if = "Option::is_none")]
    sub_technique: Option<Technique>,
}

#[derive(Serialize)]
struct Technique {
    uid: String,
    src_url: String,
}

#[derive(Serialize)]
struct Remediation<'a> {
    desc: &'a str,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    references: &'a [String],
}

#[derive(Serialize)]
struct Compliance<'a> {
    #[serde(rename = "OWASP-NHI-Top10-2025")]
    owasp: &'a [String],
    #[serde(rename = "NIST-CSF-2.0")]
    nist: &'a [String],
    #[serde(rename = "CIS", skip_serializing_if = "<[String]>::is_empty")]
    cis: &'a [String],
}

/// OCSF `severity_id` and its caption.
fn severity(s: Severity) -> (u8, &'static str) {
    match s {
        Severity::Info => (1, "Informational"),
        Severity::Low => (2, "Low"),
        Severity::Medium => (3, "Medium"),
        Severity::High => (4, "High"),
        Severity::Critical => (5, "Critical"),
    }
}

/// `T1078.004` as technique T1078 with sub-technique T1078.004.
fn attack(id: &str) -> Attack {
    let url = |path: &str| format!("https://attack.mitre.org/techniques/{path}/");
    match id.split_once('.') {
        Some((t, sub)) => Attack {
            technique: Technique {
                uid: t.to_string(),
                src_url: url(t),
            },
            sub_technique: Some(Technique {
                uid: id.to_string(),
                src_url: url(&format!("{t}/{sub}")),
            }),
        },
        None => Attack {
            technique: Technique {
                uid: id.to_string(),
                src_url: url(id),
            },
            sub_technique: None,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::{FrozenEvidence, Thresholds};

    // The reference: each record as serde_json serialises these structs, in the
    // field order OCSF documents. The writer must give the same bytes.

    #[derive(Serialize)]
    struct Record<'a> {
        activity_id: u32,
        activity_name: &'static str,
        category_uid: u32,
        category_name: &'static str,
        class_uid: u32,
        class_name: &'static str,
        type_uid: u32,
        type_name: &'static str,
        severity_id: u8,
        severity: &'static str,
        status_id: u8,
        status: &'static str,
        status_code: &'static str,
        time: i64,
        message: &'a str,
        metadata: Metadata<'a>,
        finding_info: FindingInfo<'a>,
        resources: [Resource<'a>; 1],
        evidences: [Evidence<'a>; 1],
        remediation: &'a RawValue,
        risk_details: &'a RawValue,
        unmapped: Unmapped<'a>,
    }

    #[derive(Serialize)]
    struct FindingInfo<'a> {
        uid: crate::checks::Fingerprint,
        title: &'a str,
        desc: &'a RawValue,
        types: &'a [String],
        created_time: i64,
        analytic: &'a RawValue,
        #[serde(skip_serializing_if = "Option::is_none")]
        attacks: Option<&'a RawValue>,
    }

    #[derive(Serialize)]
    struct Resource<'a> {
        uid: &'a str,
        name: &'a str,
        #[serde(rename = "type")]
        kind: &'a str,
        #[serde(skip_serializing_if = "Option::is_none")]
        namespace: Option<&'a str>,
        labels: [String; 1],
    }

    #[derive(Serialize)]
    struct Evidence<'a> {
        data: FrozenEvidence<'a>,
    }

    #[derive(Serialize)]
    struct Unmapped<'a> {
        provider: &'a str,
        check_name: &'a str,
        compliance: Compliance<'a>,
        location: Location<'a>,
    }

    #[derive(Serialize)]
    struct Location<'a> {
        path: &'a str,
        line: u32,
    }

    fn record<'a>(
        report: &'a Report,
        m: &'a CheckMeta,
        texts: &'a CheckTexts,
        f: &'a FindingOut<'a>,
        time: i64,
    ) -> Record<'a> {
        const CLASS_UID: u32 = 2004;
        const ACTIVITY_CREATE: u32 = 1;
        let (severity_id, severity) = severity(f.severity);
        let id = &f.identity;
        let (uid, namespace) = resource_uid(f);
        Record {
            activity_id: ACTIVITY_CREATE,
            activity_name: "Create",
            category_uid: 2,
            category_name: "Findings",
            class_uid: CLASS_UID,
            class_name: "Detection Finding",
            type_uid: CLASS_UID * 100 + ACTIVITY_CREATE,
            type_name: "Detection Finding: Create",
            severity_id,
            severity,
            // OCSF status: 3 Suppressed for an accepted risk, else 1 New.
            status_id: if f.suppression.is_some() { 3 } else { 1 },
            status: if f.suppression.is_some() {
                "Suppressed"
            } else {
                "New"
            },
            status_code: "FAIL",
            time,
            message: f.message,
            metadata: Metadata {
                version: OCSF_VERSION,
                product: Product {
                    uid: "nhiscan",
                    name: report.tool.name,
                    vendor_name: "nhiscan",
                    version: report.tool.version,
                    url_string: PRODUCT_URL,
                },
                event_code: f.check_id,
                log_name: "nhiscan scan",
                tenant_uid: report.tenant.id.as_deref(),
            },
            finding_info: FindingInfo {
                uid: f.fingerprint,
                title: f.title,
                desc: &texts.desc,
                types: f.owasp_nhi,
                created_time: time,
                analytic: &texts.analytic,
                attacks: texts.attacks.as_deref(),
            },
            resources: [Resource {
                uid,
                name: id.name,
                kind: id.kind,
                namespace,
                labels: [format!("provider:{}", id.provider)],
            }],
            evidences: [Evidence { data: f.evidence }],
            remediation: &texts.remediation,
            risk_details: &texts.risk_details,
            unmapped: Unmapped {
                provider: f.provider,
                check_name: &m.name,
                compliance: Compliance {
                    owasp: f.owasp_nhi,
                    nist: f.nist_csf,
                    cis: &m.cis,
                },
                location: Location {
                    path: f.location.path,
                    line: f.location.line,
                },
            },
        }
    }

    fn reference(report: &Report, f: &FindingOut, time: i64) -> String {
        let m = crate::checks::meta::lookup(f.check_id).unwrap();
        let texts = CheckTexts::of(m).unwrap();
        serde_json::to_string(&record(report, m, &texts, f, time)).unwrap()
    }

    fn written(report: &Report, f: &FindingOut, time: i64) -> String {
        let m = crate::checks::meta::lookup(f.check_id).unwrap();
        let mut buf = Vec::new();
        write_record(
            &mut buf,
            &RunParts::new(time),
            &CheckParts::of(report, m, time).unwrap(),
            f,
        );
        String::from_utf8(buf).unwrap()
    }

    #[test]
    fn records_are_written_as_serde_writes_them() {
        // Every finding of testdata (every provider, Kubernetes namespaces
        // included), as found, suppressed, and with values that need every kind of
        // escape; with and without a tenant.
        let scan = crate::checks::testkit::scan("testdata");
        let mut report = scan.report();
        let time = epoch_ms(&report.scanned_at).unwrap();
        let mut config = crate::config::Config::default();
        config
            .apply_ignore_file(
                "[[suppress]]\ncheck = \"ENTRA-001\"\nreason = \"accepted\"\n",
                "ignore.toml",
            )
            .unwrap();
        let suppression = &config.suppressions[0];
        let odd =
            "quote \" backslash \\ \u{1}\u{8}\u{c}\n\r\t\u{1f}\u{7f} ✓ long enough to span blocks";
        assert!(report.findings.len() > 100);
        assert!(
            report.findings.iter().any(|f| resource_uid(&f).1.is_some()),
            "testdata has a Kubernetes service account's finding"
        );
        for tenant in [report.tenant.id.clone(), None, Some(odd.to_string())] {
            report.tenant.id = tenant;
            let all = report.findings;
            for n in 0..all.len() {
                let mut variants: Vec<FindingOut> = (0..3).map(|_| all.get(n)).collect();
                variants[1].suppression = Some(suppression);
                let v = &mut variants[2];
                v.message = odd;
                v.provider = odd;
                v.identity.id = "";
                v.identity.name = odd;
                v.identity.kind = odd;
                v.identity.provider = odd;
                v.location.path = odd;
                v.location.line = u32::MAX;
                for v in &variants {
                    assert_eq!(written(&report, v, time), reference(&report, v, time));
                }
            }
        }
    }

    #[test]
    fn parallel_rendering_is_byte_identical_to_one_record_per_line() {
        let demo = crate::checks::testkit::demo();
        let report = demo.report();
        assert!(report.findings.len() > 40);
        let time = epoch_ms(&report.scanned_at).unwrap();
        let outs: Vec<FindingOut> = report.findings.iter().collect();
        let lines: Vec<String> = outs.iter().map(|f| reference(&report, f, time)).collect();
        let reference = format!("[\n{}\n]\n", lines.join(",\n")).into_bytes();
        // Each line is one whole record, and the check-level parts are the metadata's.
        let first: serde_json::Value = serde_json::from_str(&lines[0]).unwrap();
        let m = crate::checks::meta::lookup(outs[0].check_id).unwrap();
        assert_eq!(first["finding_info"]["desc"], m.description.trim());
        assert_eq!(first["remediation"]["desc"], m.remediation.trim());
        assert_eq!(first["finding_info"]["analytic"]["uid"], m.id.as_str());
        for chunk_len in [1, 7, CHUNK] {
            let mut ours = Vec::new();
            write_chunked(&report, &mut ours, chunk_len).unwrap();
            assert_eq!(
                String::from_utf8(ours).unwrap(),
                String::from_utf8(reference.clone()).unwrap()
            );
        }

        let now = crate::checks::testkit::ts(crate::checks::testkit::NOW);
        let empty = Report::build(&demo.loaded.inventory, &[], &[], now, Thresholds::default());
        let mut ours = Vec::new();
        write(&empty, &mut ours).unwrap();
        assert_eq!(ours, b"[]\n");
    }

    #[test]
    fn time_is_epoch_milliseconds() {
        assert_eq!(epoch_ms("2026-11-01T00:00:00Z").unwrap(), 1_793_491_200_000);
        assert_eq!(epoch_ms("1970-01-01T00:00:01Z").unwrap(), 1_000);
        assert!(epoch_ms("yesterday").is_err());
    }

    #[test]
    fn attack_ids_split_into_technique_and_sub_technique() {
        let a = serde_json::to_value(attack("T1078.004")).unwrap();
        assert_eq!(a["technique"]["uid"], "T1078");
        assert_eq!(a["sub_technique"]["uid"], "T1078.004");
        assert_eq!(
            a["sub_technique"]["src_url"],
            "https://attack.mitre.org/techniques/T1078/004/"
        );
        let a = serde_json::to_value(attack("T1098")).unwrap();
        assert_eq!(a["technique"]["uid"], "T1098");
        assert!(a.get("sub_technique").is_none());
    }
}
