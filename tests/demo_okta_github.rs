//! The demo Okta org and GitHub organisation: every check fires exactly where the
//! READMEs say and nowhere else; the clean twins fire nothing; secret values and
//! public key text never reach a report.

mod common;

use std::collections::BTreeSet;

use common::*;

fn okta_demo() -> std::path::PathBuf {
    root().join("testdata/okta/demo-org")
}

fn github_demo() -> std::path::PathBuf {
    root().join("testdata/github/demo-org")
}

/// (check, identity name, severity) of every finding, sorted, repeats kept.
fn triples(report: &serde_json::Value) -> Vec<(String, String, String)> {
    let mut v: Vec<(String, String, String)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["check_id"].as_str().unwrap().to_string(),
                f["identity"]["name"].as_str().unwrap().to_string(),
                f["severity"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    v.sort();
    v
}

fn expected(list: &[(&str, &str, &str)]) -> Vec<(String, String, String)> {
    let mut v: Vec<(String, String, String)> = list
        .iter()
        .map(|(c, n, s)| (c.to_string(), n.to_string(), s.to_string()))
        .collect();
    v.sort();
    v
}

/// The "Should emit" contract of testdata/okta/demo-org/README.md.
const OKTA_EXPECTED: &[(&str, &str, &str)] = &[
    ("OKTA-001", "Terraform provider", "high"),
    ("OKTA-001", "Old cleanup script", "high"),
    ("OKTA-002", "Workday sync", "medium"),
    ("OKTA-002", "Jira integration", "medium"),
    ("OKTA-002", "Old cleanup script", "medium"),
    ("OKTA-003", "SCIM Provisioner", "critical"),
    ("OKTA-003", "Directory Sync", "high"),
    ("OKTA-004", "Backup Automation", "critical"),
    ("OKTA-004", "Helpdesk Bot", "high"),
    ("OKTA-004", "Audit Reader", "medium"),
    ("OKTA-005", "SCIM Provisioner", "medium"),
    ("OKTA-007", "Legacy Reporting", "critical"),
];

const OKTA_CLEAN: &[&str] = &[
    "Log Shipper",
    "Customer Portal",
    "Acme Mobile",
    "SIEM export",
    "Expired import token",
];

/// The "Should emit" contract of testdata/github/demo-org/README.md.
const GITHUB_EXPECTED: &[(&str, &str, &str)] = &[
    ("GITHUB-001", "acme-org-admin (acme-corp)", "critical"),
    ("GITHUB-001", "renovate (acme-corp)", "high"),
    ("GITHUB-002", "acme-corp/web: prod-deploy", "medium"),
    ("GITHUB-002", "acme-corp/infra: old-jenkins", "medium"),
    ("GITHUB-003", "acme-corp/infra: old-jenkins", "medium"),
    ("GITHUB-003", "acme-corp/infra: backup-mirror", "low"),
    ("GITHUB-003", "acme-corp/docs: docs-preview", "low"),
    ("GITHUB-004", "acme-corp/infra: old-jenkins", "medium"),
    ("GITHUB-004", "acme-corp/docs: docs-preview", "low"),
    ("GITHUB-005", "release-script (alice-ops)", "medium"),
    ("GITHUB-005", "quick-fix (erin-sre, requested)", "low"),
    ("GITHUB-006", "old-migration (carol-dev)", "low"),
    ("GITHUB-006", "quarterly-report (dave-fin)", "low"),
];

const GITHUB_CLEAN: &[&str] = &[
    "codecov (acme-corp)",
    "acme-deployer (acme-corp)",
    "legacy-ci (acme-corp)",
    "acme-corp/web: ci-clone",
    "data-export (bob-data)",
    "ci-metrics (frank-ci, requested)",
];

/// Scans a demo without config and checks its README contract: exactly the
/// expected findings, nothing on the clean objects, no notes and no gaps.
fn scan_contract(
    demo: &std::path::Path,
    expected_findings: &[(&str, &str, &str)],
    clean: &[&str],
) -> serde_json::Value {
    let (code, report, stderr) = json("scan", &[demo], &["--no-config"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(triples(&report), expected(expected_findings));
    for clean in clean {
        assert!(
            !triples(&report).iter().any(|(_, n, _)| n == clean),
            "{clean} must fire nothing"
        );
    }
    assert!(
        report["notes"].as_array().unwrap().is_empty(),
        "{}",
        report["notes"]
    );
    assert!(report["incomplete"].as_array().unwrap().is_empty());
    report
}

#[test]
fn every_okta_check_fires_where_the_demo_readme_says() {
    let report = scan_contract(&okta_demo(), OKTA_EXPECTED, OKTA_CLEAN);
    for s in report["skipped"].as_array().unwrap() {
        let path = s["path"].as_str().unwrap();
        if path.ends_with(".json") {
            assert_eq!(s["reason"], "empty list: nothing to import", "{path}");
        }
    }
    let exposure = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["check_id"] == "OKTA-007")
        .unwrap();
    assert_eq!(exposure["evidence"]["value"], "[redacted]");
    let path = exposure["location"]["path"].as_str().unwrap();
    assert!(
        path.ends_with("legacy-reporting-create-response.json"),
        "{path}"
    );
}

#[test]
fn okta_secret_limit_of_one_reports_the_unfinished_rotation() {
    let dir = dir_with(&[(
        "strict.toml",
        b"[thresholds]\nmax_active_secrets = 1\n".as_slice(),
    )]);
    let config = dir.path().join("strict.toml");
    let (code, report, stderr) = json(
        "scan",
        &[&okta_demo()],
        &["--config", config.to_str().unwrap()],
    );
    assert_eq!(code, 0, "{stderr}");
    let six: Vec<(String, String, String)> = triples(&report)
        .into_iter()
        .filter(|(c, _, _)| c == "OKTA-006")
        .collect();
    assert_eq!(
        six,
        expected(&[("OKTA-006", "Backup Automation", "medium")])
    );
}

#[test]
fn every_github_check_fires_where_the_demo_readme_says() {
    let report = scan_contract(&github_demo(), GITHUB_EXPECTED, GITHUB_CLEAN);
    let skipped: Vec<(String, String)> = report["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            let path = s["path"].as_str().unwrap();
            let name = path.rsplit("demo-org/").next().unwrap().to_string();
            (name, s["reason"].as_str().unwrap().to_string())
        })
        .filter(|(name, _)| name != "README.md")
        .collect();
    assert_eq!(skipped.len(), 2, "{skipped:?}");
    assert_eq!(skipped[0].0, "deploy-keys/api.json");
    assert_eq!(skipped[0].1, "empty list: nothing to import");
    assert_eq!(skipped[1].0, "repos.json");
    assert!(skipped[1].1.contains("repository list"), "{skipped:?}");
}

#[test]
fn the_inventory_lists_every_okta_and_github_identity_once() {
    let (code, report, stderr) = json(
        "inventory",
        &[&okta_demo(), &github_demo()],
        &["--no-config"],
    );
    assert_eq!(code, 0, "{stderr}");
    let mut kinds = std::collections::BTreeMap::<String, usize>::new();
    let mut ids = BTreeSet::new();
    for i in report["identities"].as_array().unwrap() {
        *kinds
            .entry(i["kind"].as_str().unwrap().to_string())
            .or_default() += 1;
        assert!(
            ids.insert((i["kind"].to_string(), i["id"].to_string())),
            "{i}"
        );
    }
    let want: Vec<(&str, usize)> = vec![
        ("github_app_installation", 5),
        ("github_deploy_key", 5),
        ("github_fine_grained_pat", 6),
        ("okta_api_token", 6),
        ("okta_app", 9),
    ];
    let got: Vec<(&str, usize)> = kinds.iter().map(|(k, n)| (k.as_str(), *n)).collect();
    assert_eq!(got, want);
    let scim = report["identities"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["name"] == "SCIM Provisioner")
        .unwrap();
    assert_eq!(scim["id"], "0oa9scim7Prov1s3n4x7");
    assert_eq!(scim["app_id"], "0oa9scim7Prov1s3n4x7");
    assert_eq!(scim["highest_tier"], "tier0");
    assert_eq!(scim["credentials"].as_array().unwrap().len(), 1);
    let token = report["identities"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["name"] == "Terraform provider")
        .unwrap();
    assert_eq!(token["owners"][0]["name"], "jordan.lee@acme.example");
    assert_eq!(token["owners"][0]["enabled"], false);
    let key = report["identities"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["name"] == "acme-corp/infra: old-jenkins")
        .unwrap();
    assert_eq!(key["id"], "acme-corp/infra/91000003");
    assert_eq!(key["grants"][0]["permission"], "contents:write");
}

#[test]
fn secret_values_and_public_keys_never_reach_any_output() {
    let canaries = [
        "CANARY-okta-secret",
        "Xq7vN2pL9sR4tW8yZ1bC3dF6gH0jK5mA",
        "Tz4u......9PqA",
        "q8Jx0cV2bN4mZ6aS8dF0gH",
        "AAAAC3NzaC1lZDI1NTE5",
        "AAAAB3NzaC1yc2E",
    ];
    let all =
        std::fs::read_to_string(okta_demo().join("legacy-reporting-create-response.json")).unwrap();
    assert!(all.contains(canaries[0]), "the demo must carry the canary");
    let out = tempfile::tempdir().unwrap();
    let status = nhiscan()
        .args([
            "scan",
            "--no-config",
            "--now",
            NOW,
            "--format",
            "table,json,sarif,html,ocsf,csv,markdown,junit",
            "--output-dir",
        ])
        .arg(out.path())
        .arg(okta_demo())
        .arg(github_demo())
        .output()
        .unwrap();
    assert!(status.status.success(), "{status:?}");
    let mut checked = 0;
    for entry in std::fs::read_dir(out.path()).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        for c in canaries {
            assert!(!text.contains(c), "{} leaks {c}", path.display());
        }
        checked += 1;
    }
    assert_eq!(checked, 8);
    for format in ["json", "table"] {
        let out = nhiscan()
            .args(["inventory", "--no-config", "--format", format, "--now", NOW])
            .arg(okta_demo())
            .arg(github_demo())
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        for c in canaries {
            assert!(!text.contains(c), "inventory {format} leaks {c}");
        }
    }
}

#[test]
fn secrets_naming_no_app_and_owners_missing_from_users_are_noted_not_guessed() {
    let secrets = br#"[
  {"id": "ocs9orph1S3cr3t0a1b", "status": "ACTIVE", "client_secret": "AbCd......WxYz", "secret_hash": "h4sh", "created": "2025-01-01T00:00:00.000Z", "lastUpdated": "2025-01-01T00:00:00.000Z"}
]
"#;
    let tokens = br#"[
  {"name": "Workflows connector", "userId": "00u5gone6Usr9x3w1e5", "tokenWindow": "P30D", "network": {"connection": "ZONE", "include": ["nzo1"]}, "id": "00T9wkfl7C0nn3ct4k7", "clientName": "Okta API", "expiresAt": "2026-11-20T12:00:00.000Z", "created": "2025-11-18T12:00:00.000Z"}
]
"#;
    let users = br#"[{"id": "00u5other1Usr0a1b2c", "status": "DEPROVISIONED", "profile": {"login": "x@acme.example"}}]
"#;
    let dir = dir_with(&[
        ("secrets.json", secrets.as_slice()),
        ("tokens.json", tokens.as_slice()),
        ("users.json", users.as_slice()),
    ]);
    let (code, report, stderr) = json("scan", &[dir.path()], &["--no-config"]);
    assert_eq!(code, 0, "{stderr}");
    let notes = report["notes"].to_string();
    assert!(notes.contains("unknown app"), "{notes}");
    // The token's owner is not in the users export: a note, and no guess.
    assert!(notes.contains("00u5gone6Usr9x3w1e5"), "{notes}");
    assert_eq!(report["findings"].as_array().unwrap().len(), 1);
    let f = &report["findings"][0];
    assert_eq!(f["check_id"], "OKTA-005");
    assert_eq!(f["identity"]["name"], "unknown Okta app");
    assert_eq!(f["evidence"]["key_id"], "ocs9orph1S3cr3t0a1b");
    assert!(!report.to_string().contains("AbCd"));
}

#[test]
fn a_scan_of_every_demo_keeps_each_providers_findings_to_itself() {
    let (code, all, stderr) = json(
        "scan",
        &[
            &demo(),
            &root().join("testdata/aws/demo-account"),
            &root().join("testdata/gcp/demo-project"),
            &root().join("testdata/k8s/demo-cluster"),
            &okta_demo(),
            &github_demo(),
        ],
        &["--no-config", GCP_RESOURCE[0], GCP_RESOURCE[1]],
    );
    assert_eq!(code, 0, "{stderr}");
    let providers: BTreeSet<&str> = all["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["provider"].as_str().unwrap())
        .collect();
    assert_eq!(
        providers,
        BTreeSet::from(["aws", "entra", "gcp", "github", "k8s", "okta"])
    );
    let of = |prefix: &str| -> Vec<(String, String, String)> {
        triples(&all)
            .into_iter()
            .filter(|(c, _, _)| c.starts_with(prefix))
            .collect()
    };
    assert_eq!(of("OKTA-"), expected(OKTA_EXPECTED));
    assert_eq!(of("GITHUB-"), expected(GITHUB_EXPECTED));
    // No other provider's check fires on an Okta or GitHub identity.
    for f in all["findings"].as_array().unwrap() {
        let provider = f["identity"]["provider"].as_str().unwrap();
        let check = f["check_id"].as_str().unwrap();
        if provider == "okta" || provider == "github" {
            assert!(
                check.to_ascii_lowercase().starts_with(provider),
                "{check} fired on a {provider} identity"
            );
        }
    }
}

fn json_files(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            json_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "json") {
            out.push(p);
        }
    }
}

fn fingerprints(report: &serde_json::Value) -> BTreeSet<String> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["fingerprint"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn findings_and_fingerprints_do_not_depend_on_file_names_or_lines() {
    let (_, before, _) = json("scan", &[&okta_demo(), &github_demo()], &["--no-config"]);
    // Flatten both demos into one directory under meaningless names, in reverse
    // order, with every object moved down three lines.
    let flat = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    json_files(&okta_demo(), &mut files);
    json_files(&github_demo(), &mut files);
    files.reverse();
    for (i, file) in files.iter().enumerate() {
        let text = std::fs::read_to_string(file).unwrap();
        std::fs::write(
            flat.path().join(format!("{i:02}-export.json")),
            format!("\n\n\n{text}"),
        )
        .unwrap();
    }
    let (code, after, stderr) = json("scan", &[flat.path()], &["--no-config"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(triples(&after), triples(&before));
    assert_eq!(fingerprints(&after), fingerprints(&before));
    assert_eq!(after["notes"], before["notes"]);
}
