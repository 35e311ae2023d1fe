//! Every report format: several formats from one scan, determinism, no secret
//! values, and the CSV, Markdown and compliance outputs' contracts.

mod common;

use std::path::{Path, PathBuf};

use common::*;

/// Every format `scan` writes, with the file `--output-dir` gives it.
const FORMATS: [(&str, &str); 8] = [
    ("table", "nhiscan.txt"),
    ("json", "nhiscan.json"),
    ("sarif", "nhiscan.sarif"),
    ("html", "nhiscan.html"),
    ("ocsf", "nhiscan.ocsf.json"),
    ("csv", "nhiscan.csv"),
    ("markdown", "nhiscan.md"),
    ("junit", "nhiscan.junit.xml"),
];

fn all_formats() -> String {
    FORMATS.map(|(f, _)| f).join(",")
}

/// Scans `paths` to every format in a new directory; returns it.
fn scan_all(paths: &[PathBuf], threads: &str) -> tempfile::TempDir {
    let out = tempfile::tempdir().unwrap();
    scan_into(out.path(), paths, threads);
    out
}

/// Scans `paths` to every format in `dir`.
fn scan_into(dir: &Path, paths: &[PathBuf], threads: &str) {
    let mut c = nhiscan();
    c.args([
        "scan",
        "--now",
        NOW,
        "--format",
        &all_formats(),
        "--output-dir",
    ])
    .arg(dir)
    .env("RAYON_NUM_THREADS", threads)
    .args(paths);
    let status = c.output().unwrap().status.code();
    assert!(matches!(status, Some(0 | 3)), "scan exited {status:?}");
}

fn read(dir: &Path, name: &str) -> Vec<u8> {
    std::fs::read(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

#[test]
fn one_scan_writes_every_format_and_each_is_byte_identical_across_runs() {
    let a = scan_all(&demos(), "1");
    let b = scan_all(&demos(), "2");
    for (format, file) in FORMATS {
        let (x, y) = (read(a.path(), file), read(b.path(), file));
        assert!(!x.is_empty(), "{format} is empty");
        assert!(x == y, "{format} differs between runs");
    }
}

/// A report is written over the file already at its path (ext4 flushes a file
/// truncated to nothing when it closes, so the file is cut after the write
/// instead): whatever was there, longer or shorter, the file ends up holding the
/// report alone.
#[test]
fn a_report_written_over_an_existing_file_replaces_it_whole() {
    let fresh = scan_all(&demos(), "2");
    let over = tempfile::tempdir().unwrap();
    for (k, (_, file)) in FORMATS.iter().enumerate() {
        let report = read(fresh.path(), file);
        let old = if k % 2 == 0 {
            vec![b'x'; report.len() + 100_000]
        } else {
            b"short".to_vec()
        };
        std::fs::write(over.path().join(file), old).unwrap();
    }
    scan_into(over.path(), &demos(), "2");
    for (format, file) in FORMATS {
        assert!(
            read(fresh.path(), file) == read(over.path(), file),
            "{format} written over an existing file differs from a fresh one"
        );
    }

    // `--output` too, and a device takes the report as it is.
    let json = over.path().join("nhiscan.json");
    std::fs::write(&json, vec![b'{'; 3_000_000]).unwrap();
    for path in [json.as_path(), Path::new("/dev/null")] {
        let out = nhiscan()
            .args(["scan", "--now", NOW, "--format", "json", "-o"])
            .arg(path)
            .args(demos())
            .output()
            .unwrap();
        assert!(
            matches!(out.status.code(), Some(0 | 3)),
            "{}: {out:?}",
            path.display()
        );
    }
    assert!(read(fresh.path(), "nhiscan.json") == std::fs::read(&json).unwrap());
}

#[test]
fn several_formats_need_an_output_directory() {
    let out = nhiscan()
        .args(["scan", "--now", NOW, "--format", "json,csv"])
        .arg(demo())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--output-dir"));
    let out = nhiscan()
        .args(["inventory", "--now", NOW, "--format", "sarif"])
        .arg(demo())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "inventory has no SARIF form");
}

const CANARY: &str = "CANARY-51d0-report-formats";

#[test]
fn no_format_contains_a_secret_value() {
    let leaky = dir_with(&[(
        "apps.json",
        format!(
            r#"[{{"id":"a1","appId":"b1","displayName":"Leaky","signInAudience":"AzureADMyOrg","requiredResourceAccess":[],"passwordCredentials":[{{"keyId":"k1","secretText":"{CANARY}","startDateTime":"2026-10-01T00:00:00Z","endDateTime":"2027-01-01T00:00:00Z"}}]}}]"#
        )
        .as_bytes(),
    )]);
    let secret = dir_with(&[(
        "secrets.json",
        format!(
            r#"{{"apiVersion":"v1","kind":"List","items":[{{"apiVersion":"v1","kind":"Secret","metadata":{{"name":"t","namespace":"ci","annotations":{{"kubernetes.io/service-account.name":"bot"}}}},"type":"kubernetes.io/service-account-token","stringData":{{"token":"{CANARY}"}}}}]}}"#
        )
        .as_bytes(),
    )]);
    let out = scan_all(&[leaky.path().into(), secret.path().into()], "2");
    for (format, file) in FORMATS {
        let text = String::from_utf8_lossy(&read(out.path(), file)).into_owned();
        assert!(!text.contains("CANARY"), "{format} leaks the secret");
    }
    // The exposures themselves are reported.
    let report: serde_json::Value =
        serde_json::from_slice(&read(out.path(), "nhiscan.json")).unwrap();
    let checks: Vec<_> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["check_id"].as_str().unwrap())
        .collect();
    assert!(checks.contains(&"ENTRA-024") && checks.contains(&"K8S-009"));
}

#[test]
fn csv_has_the_documented_columns_and_one_row_per_finding() {
    let out = scan_all(&demos(), "2");
    let report: serde_json::Value =
        serde_json::from_slice(&read(out.path(), "nhiscan.json")).unwrap();
    let findings = report["findings"].as_array().unwrap();
    let bytes = read(out.path(), "nhiscan.csv");
    let mut r = csv::Reader::from_reader(bytes.as_slice());
    let header: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(
        header,
        [
            "severity",
            "check_id",
            "title",
            "provider",
            "identity_kind",
            "identity_name",
            "identity_id",
            "message",
            "owasp_nhi",
            "nist_csf",
            "file",
            "line",
            "fingerprint",
            "evidence",
            "risk_score",
            "suppressed_reason",
            "baseline"
        ]
    );
    let rows: Vec<csv::StringRecord> = r.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), findings.len());
    for (row, f) in rows.iter().zip(findings) {
        assert_eq!(&row[1], f["check_id"].as_str().unwrap());
        assert_eq!(&row[12], f["fingerprint"].as_str().unwrap());
        assert_eq!(row[11].parse::<u64>().unwrap(), f["location"]["line"]);
        let evidence: serde_json::Value = serde_json::from_str(&row[13]).unwrap();
        assert_eq!(evidence, f["evidence"]);
    }
}

#[test]
fn markdown_summarises_within_githubs_comment_limit() {
    let out = scan_all(&demos(), "2");
    let md = String::from_utf8(read(out.path(), "nhiscan.md")).unwrap();
    assert!(md.len() < 65_536);
    for section in [
        "## nhiscan report",
        "### Riskiest identities",
        "### OWASP Non-Human Identities Top 10 (2025)",
        "### Findings, most severe first",
    ] {
        assert!(md.contains(section), "missing {section}");
    }
    // Every table row has the header's number of cells: names cannot break it.
    let rows = md
        .lines()
        .skip_while(|l| !l.starts_with("| Severity | Check"))
        .take_while(|l| l.starts_with('|'));
    for row in rows {
        let cells = row.replace("\\|", "").matches('|').count();
        assert_eq!(cells, 6, "{row}");
    }
}

#[test]
fn the_risk_list_orders_identities_and_the_json_carries_the_compliance_view() {
    let (_, report, _) = json("scan", &[&demo()], &[]);
    let risk = report["risk"].as_array().unwrap();
    assert!(!risk.is_empty());
    let scores: Vec<u64> = risk.iter().map(|r| r["score"].as_u64().unwrap()).collect();
    assert!(scores.windows(2).all(|w| w[0] >= w[1]), "riskiest first");
    for r in risk {
        let parts = r["findings"].as_u64().unwrap()
            + r["privilege"].as_u64().unwrap()
            + r["exposure"].as_u64().unwrap();
        assert_eq!(parts, r["score"].as_u64().unwrap());
        assert!(parts <= 100);
    }
    let frameworks: Vec<_> = report["compliance"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["framework"].as_str().unwrap())
        .collect();
    assert_eq!(frameworks, ["owasp-nhi", "nist-csf"]);
}

#[test]
fn report_framework_lists_every_control_with_failing_and_passing_identities() {
    let (code, view, _) = json("report", &[&demo()], &["--framework", "owasp-nhi"]);
    assert_eq!(code, 0);
    let controls = view["controls"].as_array().unwrap();
    let ids: Vec<_> = controls.iter().map(|c| c["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), 10);
    assert_eq!(ids[0], "NHI1:2025");
    assert_eq!(ids[9], "NHI10:2025");
    let nhi5 = &controls[4];
    assert_eq!(nhi5["status"], "fail");
    let (evaluated, failing, passing) = (
        nhi5["evaluated"].as_u64().unwrap(),
        nhi5["failing"].as_u64().unwrap(),
        nhi5["passing"].as_u64().unwrap(),
    );
    assert!(failing > 0 && failing + passing == evaluated);

    let (_, nist, _) = json("report", &[&demo()], &["--framework", "nist-csf"]);
    let ids: Vec<_> = nist["controls"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_string())
        .collect();
    for id in ["PR.AA-01", "PR.AA-02", "PR.AA-03", "PR.AA-04", "PR.AA-05"] {
        assert!(ids.iter().any(|x| x == id), "{id} missing");
    }
}
