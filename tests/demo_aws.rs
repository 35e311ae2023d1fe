//! The demo AWS account (testdata/aws/demo-account): every AWS check fires exactly
//! where its README says, and the clean twins fire nothing.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use common::*;

fn aws_demo() -> std::path::PathBuf {
    root().join("testdata/aws/demo-account")
}

/// The "Should emit" contract of testdata/aws/demo-account/README.md: (check, identity, severity).
const EXPECTED: &[(&str, &str, &str)] = &[
    ("AWS-001", "contoso-legacy-admin", "critical"),
    ("AWS-001", "contoso-terraform-admin", "critical"),
    ("AWS-001", "ops-automation", "critical"),
    ("AWS-002", "ci-deployer", "critical"),
    ("AWS-002", "contoso-batch-launcher", "high"),
    ("AWS-002", "contoso-lambda-hotfix", "high"),
    ("AWS-002", "gha-infra-plan", "high"),
    ("AWS-002", "svc-policy-manager", "critical"),
    ("AWS-003", "gha-legacy-deploy", "critical"),
    ("AWS-004", "gha-any-repo", "critical"),
    ("AWS-004", "gha-docs-preview", "medium"),
    ("AWS-004", "gha-org-deploy", "high"),
    ("AWS-005", "gha-infra-plan", "high"),
    ("AWS-006", "gha-payments-prod", "medium"),
    ("AWS-007", "partner-data-exchange", "critical"),
    ("AWS-008", "acme-monitoring-vendor", "high"),
    ("AWS-009", "acme-monitoring-vendor", "medium"),
    ("AWS-009", "fabrikam-cost-explorer", "medium"),
    ("AWS-010", "svc-backup", "medium"),
    ("AWS-011", "svc-legacy-etl", "medium"),
    ("AWS-011", "svc-reporting", "medium"),
    ("AWS-012", "svc-data-sync", "medium"),
    ("AWS-013", "<root_account>", "critical"),
    ("AWS-014", "jsmith", "high"),
    ("AWS-014", "mgarcia", "medium"),
    ("AWS-015", "contoso-lambda-hotfix", "medium"),
    ("AWS-015", "contoso-legacy-admin", "high"),
    ("AWS-016", "svc-backup", "low"),
    ("AWS-016", "svc-legacy-etl", "low"),
    ("AWS-016", "svc-policy-manager", "low"),
    ("AWS-016", "svc-reporting", "low"),
    ("AWS-017", "contoso-data-engineering", "high"),
    ("AWS-017", "contoso-secrets-broker", "high"),
];

/// The methods AWS-002 must name per principal.
const METHODS: &[(&str, &str)] = &[
    ("ci-deployer", "iam-007"),
    ("contoso-batch-launcher", "ec2-001"),
    ("contoso-lambda-hotfix", "lambda-003"),
    ("gha-infra-plan", "sts-001"),
    ("svc-policy-manager", "iam-001"),
];

const CLEAN: &[&str] = &[
    "svc-provisioner",
    "svc-key-rotator",
    "svc-metrics",
    "alee",
    "contoso-web-ec2",
    "contoso-orders-lambda",
    "gha-api-deploy",
    "org-security-audit",
    "contoso-ops-readonly",
    "AWSServiceRoleForAutoScaling",
];

fn triples(report: &serde_json::Value) -> BTreeSet<(String, String, String)> {
    report["findings"]
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
        .collect()
}

#[test]
fn every_aws_check_fires_exactly_where_the_demo_readme_says() {
    let (code, report, stderr) = json("scan", &[&aws_demo()], &[]);
    assert_eq!(code, 0, "{stderr}");
    let expected: BTreeSet<(String, String, String)> = EXPECTED
        .iter()
        .map(|(c, n, s)| (c.to_string(), n.to_string(), s.to_string()))
        .collect();
    assert_eq!(triples(&report), expected);
    let methods: BTreeMap<String, Vec<String>> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["check_id"] == "AWS-002")
        .map(|f| {
            let ids = f["evidence"]["method_ids"].as_array().unwrap();
            (
                f["identity"]["name"].as_str().unwrap().to_string(),
                ids.iter()
                    .map(|i| i.as_str().unwrap().to_string())
                    .collect(),
            )
        })
        .collect();
    for (who, method) in METHODS {
        assert_eq!(methods[*who], [method.to_string()], "{who}");
    }
    assert!(
        report["notes"].as_array().unwrap().is_empty(),
        "{}",
        report["notes"]
    );
}

#[test]
fn clean_aws_identities_are_listed_and_fire_nothing() {
    let (_, report, _) = json("scan", &[&aws_demo()], &[]);
    let flagged: BTreeSet<String> = triples(&report).into_iter().map(|t| t.1).collect();
    let (_, inventory, _) = json("inventory", &[&aws_demo()], &[]);
    let listed: BTreeSet<&str> = inventory["identities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["name"].as_str().unwrap())
        .collect();
    for name in CLEAN {
        assert!(listed.contains(name), "{name} missing from the inventory");
        assert!(!flagged.contains(*name), "{name} must not raise findings");
    }
}

#[test]
fn known_accounts_silence_the_cross_account_findings() {
    let (_, report, _) = json(
        "scan",
        &[&aws_demo()],
        &[
            "--trusted-aws-account",
            "444455556666",
            "--trusted-aws-account",
            "999988887777",
        ],
    );
    let checks: BTreeSet<String> = triples(&report).into_iter().map(|t| t.0).collect();
    assert!(!checks.contains("AWS-008") && !checks.contains("AWS-009"));
    assert!(checks.contains("AWS-007"));
    nhiscan()
        .args(["scan", "--trusted-aws-account", "12345"])
        .arg(aws_demo())
        .assert()
        .code(2);
}

#[test]
fn findings_name_the_identity_by_arn_and_point_at_its_line_or_row() {
    let (_, report, _) = json("scan", &[&aws_demo()], &[]);
    for f in report["findings"].as_array().unwrap() {
        let id = f["identity"]["id"].as_str().unwrap();
        assert!(id.starts_with("arn:aws:iam::"), "{id}");
        let path = f["location"]["path"].as_str().unwrap();
        let line = f["location"]["line"].as_u64().unwrap() as usize;
        let text = std::fs::read_to_string(path).unwrap();
        let at = text.lines().nth(line - 1).unwrap();
        if path.ends_with(".csv") {
            let user = f["identity"]["name"].as_str().unwrap();
            assert!(
                at.starts_with(&format!("{user},")),
                "{path}:{line} is not {user}'s row"
            );
        } else {
            assert!(at.trim_start().starts_with('{'), "{path}:{line}: {at}");
        }
    }
}

#[test]
fn a_mixed_scan_gives_one_combined_report() {
    let (code, report, _) = json("scan", &[&demo(), &aws_demo()], &[]);
    assert_eq!(code, 0);
    let providers: BTreeSet<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["provider"].as_str().unwrap())
        .collect();
    assert_eq!(providers, BTreeSet::from(["aws", "entra"]));
    let (_, entra_only, _) = json("scan", &[&demo()], &[]);
    let (_, aws_only, _) = json("scan", &[&aws_demo()], &[]);
    assert_eq!(
        report["summary"]["findings"].as_u64().unwrap(),
        entra_only["summary"]["findings"].as_u64().unwrap()
            + aws_only["summary"]["findings"].as_u64().unwrap()
    );
}
