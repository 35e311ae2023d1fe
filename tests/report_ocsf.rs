//! `--format ocsf`: one OCSF 1.8.0 Detection Finding per finding, each valid
//! against the class schema, over all four demos in one scan.

mod common;

use std::path::PathBuf;

use common::*;
use serde_json::Value;

/// 2026-11-01T00:00:00Z (`NOW`) in milliseconds since the Unix epoch.
const NOW_MS: i64 = 1_793_491_200_000;

fn scan(format: &str) -> Vec<u8> {
    let out = nhiscan()
        .args(["scan", "--format", format, "--now", NOW])
        .args(GCP_RESOURCE)
        .args(demos())
        .output()
        .expect("runs");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

#[test]
fn every_record_is_a_valid_detection_finding() {
    let path = root().join("../shared/schemas/ocsf-1.8.0-detection_finding.schema.json");
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("{} is missing ({e})", path.display())),
    )
    .unwrap();
    let validator = jsonschema::validator_for(&schema).expect("schema compiles");

    let records: Value = serde_json::from_slice(&scan("ocsf")).unwrap();
    let records = records.as_array().expect("a JSON array");
    let dirs = demos();
    let paths: Vec<&std::path::Path> = dirs.iter().map(PathBuf::as_path).collect();
    let (_, report, _) = json("scan", &paths, &GCP_RESOURCE);
    let findings = report["findings"].as_array().unwrap();
    assert_eq!(records.len(), findings.len());
    assert!(records.len() > 100);

    for (r, f) in records.iter().zip(findings) {
        let errors: Vec<String> = validator
            .iter_errors(r)
            .map(|e| format!("{}: {e}", e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{}: {errors:#?}", f["fingerprint"]);

        assert_eq!(r["class_uid"], 2004);
        assert_eq!(r["category_uid"], 2);
        assert_eq!(r["activity_id"], 1);
        assert_eq!(r["type_uid"], 2004 * 100 + 1);
        assert_eq!(r["time"], NOW_MS);
        assert_eq!(r["finding_info"]["created_time"], NOW_MS);
        assert_eq!(r["metadata"]["version"], "1.8.0");
        assert_eq!(r["metadata"]["product"]["name"], "nhiscan");
        assert_eq!(r["metadata"]["event_code"], f["check_id"]);
        let severity_id = match f["severity"].as_str().unwrap() {
            "info" => 1,
            "low" => 2,
            "medium" => 3,
            "high" => 4,
            "critical" => 5,
            other => panic!("severity {other}"),
        };
        assert_eq!(r["severity_id"], severity_id);
        assert_eq!(r["finding_info"]["uid"], f["fingerprint"]);
        assert_eq!(r["finding_info"]["title"], f["title"]);
        assert_eq!(r["finding_info"]["analytic"]["uid"], f["check_id"]);
        assert_eq!(r["finding_info"]["types"], f["owasp_nhi"]);
        assert_eq!(r["message"], f["message"]);
        assert_eq!(r["resources"][0]["name"], f["identity"]["name"]);
        assert_eq!(r["evidences"][0]["data"], f["evidence"]);
        assert_eq!(r["unmapped"]["compliance"]["NIST-CSF-2.0"], f["nist_csf"]);
        assert_eq!(r["unmapped"]["location"], f["location"]);
        assert!(!r["remediation"]["desc"].as_str().unwrap().is_empty());
    }
}

#[test]
fn ocsf_is_byte_identical_across_runs() {
    assert_eq!(scan("ocsf"), scan("ocsf"));
}

#[test]
fn ocsf_never_contains_a_secret_value() {
    const CANARY: &str = "CANARY-2b8d41-ocsf-secret";
    let apps = format!(
        r#"[{{"id":"a1","appId":"b1","displayName":"Leaky","signInAudience":"AzureADMyOrg","requiredResourceAccess":[],
  "passwordCredentials":[{{"keyId":"k1","displayName":"new","secretText":"{CANARY}","hint":"CAN","startDateTime":"2026-10-01T00:00:00Z","endDateTime":"2027-01-01T00:00:00Z"}}]}}]"#
    );
    let dir = dir_with(&[("apps.json", apps.as_bytes())]);
    let out = nhiscan()
        .args(["scan", "--format", "ocsf", "--now", NOW])
        .arg(dir.path())
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("ENTRA-024"), "the exposure is reported");
    assert!(!text.contains("CANARY"), "OCSF leaks the secret");
}
