//! `--format sarif`: valid SARIF 2.1.0 (Errata 01 schema) that follows GitHub code
//! scanning's rules, over all four demos in one scan.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use common::*;
use serde_json::Value;

/// `nhiscan scan --format FORMAT` over the four demos, run in `cwd`.
fn scan(format: &str, cwd: &Path) -> Vec<u8> {
    let mut c = nhiscan();
    c.current_dir(cwd)
        .args(["scan", "--format", format, "--now", NOW])
        .args([
            "--gcp-resource",
            "project-iam-policy.json=projects/contoso-prod",
        ])
        .args(demos());
    let out = c.output().expect("runs");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

fn schema_errors(schema: &str, instance: &Value) -> Vec<String> {
    let path = root().join("../shared/schemas").join(schema);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{} is missing ({e}): CI lays out ../shared", path.display()));
    let schema: Value = serde_json::from_str(&text).unwrap();
    let validator = jsonschema::validator_for(&schema).expect("schema compiles");
    validator
        .iter_errors(instance)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect()
}

#[test]
fn sarif_is_valid_and_follows_github_code_scanning_rules() {
    let log: Value = serde_json::from_slice(&scan("sarif", &root())).unwrap();
    let errors = schema_errors("sarif-schema-2.1.0.json", &log);
    assert!(errors.is_empty(), "schema errors: {errors:#?}");

    assert_eq!(log["version"], "2.1.0");
    assert_eq!(
        log["$schema"],
        "https://json.schemastore.org/sarif-2.1.0.json"
    );
    let runs = log["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 1, "one run per file");
    let run = &runs[0];
    let driver = &run["tool"]["driver"];
    assert_eq!(driver["name"], "nhiscan");
    assert!(!driver["semanticVersion"].as_str().unwrap().is_empty());

    // Every check of the catalog is a rule, sorted by id.
    let catalog: Value = serde_json::from_slice(
        &nhiscan()
            .args(["checks", "--format", "json"])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    let catalog: BTreeMap<&str, &Value> = catalog
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m["id"].as_str().unwrap(), m))
        .collect();
    let rules = driver["rules"].as_array().unwrap();
    let ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(ids, catalog.keys().copied().collect::<Vec<_>>());
    for r in rules {
        let id = r["id"].as_str().unwrap();
        let m = catalog[id];
        assert_eq!(r["name"], m["name"]);
        assert_ne!(r["name"], r["id"]);
        for key in ["shortDescription", "fullDescription"] {
            let text = r[key]["text"].as_str().unwrap();
            assert!(!text.is_empty() && text.len() <= 1024, "{id} {key}");
        }
        assert!(!r["help"]["text"].as_str().unwrap().is_empty());
        let remediation = m["remediation"].as_str().unwrap().trim();
        assert!(
            r["help"]["markdown"]
                .as_str()
                .unwrap()
                .contains(remediation)
        );
        assert!(r["help"]["text"].as_str().unwrap().contains(remediation));
        let level = r["defaultConfiguration"]["level"].as_str().unwrap();
        assert!(["error", "warning", "note"].contains(&level));
        let props = &r["properties"];
        let sev: f64 = props["security-severity"]
            .as_str()
            .expect("security-severity is a string")
            .parse()
            .unwrap();
        assert!(sev > 0.0 && sev <= 10.0, "{id} {sev}");
        // Mid-band values, never on GitHub's band edges.
        assert!(![9.0, 7.0, 4.0, 0.1].contains(&sev));
        assert!(
            ["error", "warning", "recommendation"]
                .contains(&props["problem.severity"].as_str().unwrap())
        );
        let tags: Vec<&str> = props["tags"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t.as_str().unwrap())
            .collect();
        assert!(tags.len() <= 10, "{id} has {} tags", tags.len());
        assert!(tags.contains(&"security"));
        assert!(tags.contains(&m["provider"].as_str().unwrap()));
        for o in m["owasp"].as_array().unwrap() {
            assert!(tags.contains(&o.as_str().unwrap()), "{id} lacks tag {o}");
        }
    }

    // Results: one per finding, in report order, each anchored at a file and line.
    let dirs = demos();
    let paths: Vec<&Path> = dirs.iter().map(PathBuf::as_path).collect();
    let (_, report, _) = json(
        "scan",
        &paths,
        &[
            "--gcp-resource",
            "project-iam-policy.json=projects/contoso-prod",
        ],
    );
    let findings = report["findings"].as_array().unwrap();
    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), findings.len());
    assert!(results.len() > 100);
    let bases = run["originalUriBaseIds"].as_object().unwrap();
    let mut hashes = BTreeSet::new();
    for (r, f) in results.iter().zip(findings) {
        let rule_id = r["ruleId"].as_str().unwrap();
        assert_eq!(rule_id, f["check_id"]);
        let index = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index]["id"], rule_id);
        let level = match f["severity"].as_str().unwrap() {
            "critical" | "high" => "error",
            "medium" => "warning",
            _ => "note",
        };
        assert_eq!(r["level"], level);
        let message = r["message"]["text"].as_str().unwrap();
        assert!(message.contains(f["identity"]["name"].as_str().unwrap()));

        let locations = r["locations"].as_array().unwrap();
        assert_eq!(locations.len(), 1);
        let physical = &locations[0]["physicalLocation"];
        let uri = physical["artifactLocation"]["uri"].as_str().unwrap();
        assert!(!uri.is_empty());
        assert!(!uri.starts_with('/') && !uri.contains(':') && !uri.contains('\\'));
        assert!(!uri.split('/').any(|s| s == ".." || s == "."), "{uri}");
        // The paths were given absolute, under the working directory.
        assert_eq!(
            root().join(uri),
            Path::new(f["location"]["path"].as_str().unwrap())
        );
        assert_eq!(physical["artifactLocation"]["uriBaseId"], "%SRCROOT%");
        assert!(bases.contains_key("%SRCROOT%"));
        let line = physical["region"]["startLine"].as_u64().unwrap();
        assert!(line >= 1);
        let logical = &locations[0]["logicalLocations"][0];
        assert_eq!(logical["name"], f["identity"]["name"]);
        assert!(!logical["fullyQualifiedName"].as_str().unwrap().is_empty());

        let fp = &r["partialFingerprints"];
        assert_eq!(fp["nhiscanFingerprint/v1"], f["fingerprint"]);
        let hash = fp["primaryLocationLineHash"].as_str().unwrap();
        // Findings of one rule on one line stay separate alerts.
        assert!(hashes.insert((rule_id.to_string(), uri.to_string(), hash.to_string())));

        assert_eq!(r["properties"]["severity"], f["severity"]);
        assert_eq!(r["properties"]["owasp"], f["owasp_nhi"]);
        assert_eq!(r["properties"]["nist"], f["nist_csf"]);
        assert_eq!(r["properties"]["evidence"], f["evidence"]);
    }

    assert_eq!(run["properties"]["truncated"], false);
    assert_eq!(run["properties"]["totalResults"], findings.len());
    assert_eq!(run["properties"]["scannedAt"], NOW);
    assert_eq!(run["invocations"][0]["executionSuccessful"], true);
    // One category whatever the inputs, so fixed alerts close on GitHub.
    assert_eq!(run["automationDetails"]["id"], "nhiscan/");
}

#[test]
fn paths_outside_the_working_directory_are_relative_to_the_file_system_root() {
    let elsewhere = tempfile::tempdir().unwrap();
    let log: Value = serde_json::from_slice(&scan("sarif", elsewhere.path())).unwrap();
    let errors = schema_errors("sarif-schema-2.1.0.json", &log);
    assert!(errors.is_empty(), "schema errors: {errors:#?}");
    let run = &log["runs"][0];
    assert_eq!(run["originalUriBaseIds"]["%FSROOT%"]["uri"], "file:///");
    let root = root().canonicalize().unwrap();
    let root = root.to_string_lossy();
    for r in run["results"].as_array().unwrap() {
        let loc = &r["locations"][0]["physicalLocation"]["artifactLocation"];
        assert_eq!(loc["uriBaseId"], "%FSROOT%");
        let uri = loc["uri"].as_str().unwrap();
        assert!(!uri.starts_with('/'));
        #[cfg(unix)]
        assert!(
            format!("/{uri}").starts_with(&format!("{root}/testdata/")),
            "{uri}"
        );
    }
}

#[test]
fn sarif_is_byte_identical_across_runs() {
    let a = scan("sarif", &root());
    let b = scan("sarif", &root());
    assert_eq!(a, b);
}

#[test]
fn sarif_never_contains_a_secret_value() {
    const CANARY: &str = "CANARY-5e1b77-sarif-secret";
    let apps = format!(
        r#"[{{"id":"a1","appId":"b1","displayName":"Leaky","signInAudience":"AzureADMyOrg","requiredResourceAccess":[],
  "passwordCredentials":[{{"keyId":"k1","displayName":"new","secretText":"{CANARY}","hint":"CAN","startDateTime":"2026-10-01T00:00:00Z","endDateTime":"2027-01-01T00:00:00Z"}}]}}]"#
    );
    let dir = dir_with(&[
        ("apps.json", apps.as_bytes()),
        (
            "broken.json",
            format!(r#"{{"value":[{{"secretText":"{CANARY}" "#).as_bytes(),
        ),
    ]);
    let out = nhiscan()
        .args(["scan", "--format", "sarif", "--now", NOW])
        .arg(dir.path())
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("ENTRA-024"), "the exposure is reported");
    assert!(!text.contains("CANARY"), "SARIF leaks the secret");
    let log: Value = serde_json::from_str(&text).unwrap();
    let notes = log["runs"][0]["invocations"][0]["toolExecutionNotifications"]
        .as_array()
        .unwrap();
    assert!(
        notes.iter().any(|n| n["level"] == "error"),
        "the input error is reported"
    );
}

#[test]
fn relative_paths_are_kept_as_given() {
    let out = nhiscan()
        .current_dir(root())
        .args([
            "scan",
            "--format",
            "sarif",
            "--now",
            NOW,
            "./testdata/entra/../entra/contoso",
        ])
        .output()
        .unwrap();
    let log: Value = serde_json::from_slice(&out.stdout).unwrap();
    for r in log["runs"][0]["results"].as_array().unwrap() {
        let loc = &r["locations"][0]["physicalLocation"]["artifactLocation"];
        assert_eq!(loc["uriBaseId"], "%SRCROOT%");
        assert!(
            loc["uri"]
                .as_str()
                .unwrap()
                .starts_with("testdata/entra/contoso/"),
            "{loc}"
        );
    }
}

#[test]
fn suppressions_and_baseline_states_keep_the_log_valid() {
    let dir = dir_with(&[(
        "nhiscan.toml",
        b"[[suppress]]\ncheck = \"AWS-001\"\nreason = \"Break-glass roles\"\nowner = \"secops\"\nexpires = 2027-01-31\n",
    )]);
    let baseline = dir.path().join("baseline.json");
    let aws = root().join("testdata/aws/demo-account");
    let run = |extra: &[&str]| {
        let out = nhiscan()
            .current_dir(dir.path())
            .args(["scan", "--format", "sarif", "--now", NOW])
            .args(extra)
            .arg(&aws)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0));
        serde_json::from_slice::<Value>(&out.stdout).unwrap()
    };
    run(&["--write-baseline", baseline.to_str().unwrap()]);
    let log = run(&["--baseline", baseline.to_str().unwrap()]);
    let errors = schema_errors("sarif-schema-2.1.0.json", &log);
    assert!(errors.is_empty(), "schema errors: {errors:#?}");
    let results = log["runs"][0]["results"].as_array().unwrap();
    assert!(results.iter().all(|r| r["baselineState"] == "unchanged"));
    let suppressed: Vec<&Value> = results
        .iter()
        .filter_map(|r| r.get("suppressions"))
        .collect();
    assert_eq!(suppressed.len(), 3);
    assert_eq!(suppressed[0][0]["properties"]["owner"], "secops");
}
