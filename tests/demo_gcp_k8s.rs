//! The demo GCP project and Kubernetes cluster: every check fires where the READMEs
//! say; the samples import; a scan of every provider gives one report; secret
//! values never leave the export.

mod common;

use std::collections::BTreeSet;

use common::*;

fn gcp_demo() -> std::path::PathBuf {
    root().join("testdata/gcp/demo-project")
}

fn k8s_demo() -> std::path::PathBuf {
    root().join("testdata/k8s/demo-cluster")
}

fn pairs(report: &serde_json::Value) -> BTreeSet<(String, String)> {
    fired(report).into_iter().collect()
}

fn expect(list: &[(&str, &[&str])]) -> BTreeSet<(String, String)> {
    list.iter()
        .flat_map(|(c, names)| names.iter().map(move |n| (c.to_string(), n.to_string())))
        .collect()
}

const SA: &str = "@contoso-prod.iam.gserviceaccount.com";

fn sa(name: &str) -> String {
    if name.contains('@') {
        name.to_string()
    } else {
        format!("{name}{SA}")
    }
}

#[test]
fn every_gcp_check_fires_where_the_demo_readme_says() {
    let (code, report, stderr) = json(
        "scan",
        &[&gcp_demo()],
        &[
            "--gcp-resource",
            "project-iam-policy.json=projects/contoso-prod",
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    let compute = "123456789012-compute@developer.gserviceaccount.com";
    let expected: Vec<(&str, Vec<String>)> = vec![
        ("GCP-001", vec![sa("analytics-legacy"), sa("backup-runner")]),
        ("GCP-002", vec![sa("terraform-admin"), sa("reporting"), sa("analytics-legacy")]),
        ("GCP-003", vec![sa("terraform-admin"), sa("net-automation"), sa("functions-deployer")]),
        ("GCP-004", vec![sa("legacy-importer")]),
        ("GCP-005", vec![sa("terraform-admin"), compute.into(), sa("net-automation")]),
        ("GCP-006", vec![compute.into()]),
        ("GCP-007", vec![sa("token-broker"), sa("functions-deployer"), "projects/contoso-prod".into(), "//cloudresourcemanager.googleapis.com/organizations/555555555555".into()]),
        ("GCP-008", vec![sa("legacy-signer")]),
        ("GCP-009", vec![sa("token-broker"), sa("ci-runner"), compute.into(), sa("functions-deployer")]),
        ("GCP-010", vec!["projects/123456789012/locations/global/workloadIdentityPools/github/providers/github-legacy".into(), "projects/123456789012/locations/global/workloadIdentityPools/partners/providers/gitlab-ci".into()]),
        ("GCP-011", vec!["projects/123456789012/locations/global/workloadIdentityPools/github/providers/github-main".into()]),
        ("GCP-012", vec![sa("gha-deployer")]),
        ("GCP-013", vec![sa("old-migration"), sa("sandbox-test")]),
        ("GCP-014", vec![sa("analytics-legacy")]),
    ];
    let expected: BTreeSet<(String, String)> = expected
        .into_iter()
        .flat_map(|(c, names)| names.into_iter().map(move |n| (c.to_string(), n)))
        .collect();
    assert_eq!(pairs(&report), expected);
    let count = |id: &str| {
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["check_id"] == id)
            .count()
    };
    assert_eq!(
        count("GCP-007"),
        4,
        "one finding per resource, role and member"
    );
    for clean in ["payments-api", "gha-api", "org-audit", "old-etl"] {
        assert!(
            !pairs(&report).iter().any(|(_, n)| *n == sa(clean)),
            "{clean} must fire nothing"
        );
    }
    assert!(
        report["notes"].as_array().unwrap().is_empty(),
        "{}",
        report["notes"]
    );
}

#[test]
fn a_bare_policy_without_gcp_resource_is_named_after_its_file_and_noted() {
    let (_, report, _) = json("scan", &[&gcp_demo()], &[]);
    let notes = report["notes"].to_string();
    assert!(
        notes.contains("project-iam-policy.json does not name its resource"),
        "{notes}"
    );
    assert!(pairs(&report).contains(&("GCP-007".into(), "projects/project-iam-policy".into())));
}

#[test]
fn every_k8s_check_fires_where_the_demo_readme_says() {
    let (code, report, stderr) = json("scan", &[&k8s_demo()], &[]);
    assert_eq!(code, 0, "{stderr}");
    let expected = expect(&[
        (
            "K8S-001",
            &["ci/cluster-deployer", "payments/payments-operator"],
        ),
        (
            "K8S-002",
            &[
                "ci/cluster-deployer",
                "monitoring/prometheus",
                "monitoring/vault-sync",
            ],
        ),
        ("K8S-003", &["ci/cluster-deployer", "ci/pipeline-runner"]),
        (
            "K8S-004",
            &[
                "ci/cluster-deployer",
                "payments/payments-operator",
                "ci/rbac-manager",
                "default/support-bot",
            ],
        ),
        ("K8S-005", &["ci/build-bot"]),
        ("K8S-006", &["payments/payments-app"]),
        ("K8S-007", &["payments/default", "default/default"]),
        (
            "K8S-008",
            &["monitoring/blackbox-exporter", "monitoring/legacy-exporter"],
        ),
        (
            "K8S-009",
            &[
                "Secret ci/build-bot-token",
                "Secret monitoring/grafana-admin",
                "Secret payments/stripe-api",
            ],
        ),
    ]);
    assert_eq!(pairs(&report), expected);
    let flagged: BTreeSet<String> = pairs(&report).into_iter().map(|(_, n)| n).collect();
    for clean in [
        "ci/job-runner",
        "monitoring/grafana",
        "payments/ledger",
        "ci/kaniko-builder",
        "payments/fraud-scorer",
        "ci/default",
        "monitoring/default",
    ] {
        assert!(!flagged.contains(clean), "{clean} must fire nothing");
    }
    assert!(!flagged.iter().any(|n| n.starts_with("kube-system/")));
}

#[test]
fn yaml_objects_point_at_their_yaml_lines() {
    let (_, report, _) = json("scan", &[&k8s_demo()], &[]);
    let support = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["identity"]["name"] == "default/support-bot" && f["check_id"] == "K8S-004")
        .unwrap();
    let path = support["location"]["path"].as_str().unwrap();
    assert!(path.ends_with("rbac.yaml"), "{path}");
    let line = support["location"]["line"].as_u64().unwrap() as usize;
    let text = std::fs::read_to_string(path).unwrap();
    let at = text.lines().nth(line - 1).unwrap();
    assert!(
        at.trim_start().starts_with("- apiVersion") || at.contains("kind: RoleBinding"),
        "{path}:{line}: {at}"
    );
}

#[test]
fn one_scan_of_every_provider_gives_one_report_with_cloud_links() {
    let (code, report, stderr) = json(
        "scan",
        &[
            &demo(),
            &root().join("testdata/aws/demo-account"),
            &gcp_demo(),
            &k8s_demo(),
        ],
        &[
            "--gcp-resource",
            "project-iam-policy.json=projects/contoso-prod",
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    let providers: BTreeSet<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["provider"].as_str().unwrap())
        .collect();
    assert_eq!(providers, BTreeSet::from(["aws", "entra", "gcp", "k8s"]));
    let links: BTreeSet<String> = pairs(&report)
        .into_iter()
        .filter(|(c, _)| c == "K8S-010")
        .map(|(_, n)| n)
        .collect();
    assert_eq!(
        links,
        BTreeSet::from([
            "ci/terraform-aws".to_string(),
            "ci/terraform-gcp".to_string()
        ])
    );
}

#[test]
fn kubernetes_secret_values_never_reach_any_output() {
    let canary = "CANARY-k8s-token-do-not-print";
    let encoded = "Q0FOQVJZLWs4cy10b2tlbi1kby1ub3QtcHJpbnQ=";
    let all = std::fs::read_to_string(k8s_demo().join("cluster.json")).unwrap();
    assert!(
        all.contains(canary) || all.contains(encoded),
        "the demo must carry the canary"
    );
    for cmd in ["scan", "inventory"] {
        for format in ["json", "table"] {
            let out = nhiscan()
                .args([cmd, "--format", format, "--now", NOW])
                .arg(k8s_demo())
                .output()
                .unwrap();
            let text = String::from_utf8_lossy(&out.stdout);
            assert!(
                !text.contains(canary) && !text.contains(encoded),
                "{cmd} {format} leaks a Secret value"
            );
            assert!(
                !text.contains("Q0FOQVJZ"),
                "{cmd} {format} leaks part of a Secret value"
            );
        }
    }
}

#[test]
fn every_gcp_and_k8s_sample_imports() {
    for provider in ["gcp", "k8s"] {
        let dir = samples(provider);
        let (code, report, stderr) = json("inventory", &[&dir], &[]);
        assert_eq!(code, 0, "{stderr}");
        assert!(
            report["skipped"].as_array().unwrap().is_empty(),
            "{provider}: {}",
            report["skipped"]
        );
        for i in report["inputs"].as_array().unwrap() {
            assert!(
                i["format"]
                    .as_str()
                    .unwrap()
                    .starts_with(&format!("{provider}.")),
                "{i}"
            );
            assert!(i["records"].as_u64().unwrap() > 0, "{i}");
        }
    }
}

#[test]
fn asset_export_ndjson_and_asset_list_shapes_are_read() {
    let ndjson = concat!(
        r#"{"name": "//cloudresourcemanager.googleapis.com/projects/123", "asset_type": "cloudresourcemanager.googleapis.com/Project", "iam_policy": {"version": 1, "bindings": [{"role": "roles/owner", "members": ["serviceAccount:ops@p.iam.gserviceaccount.com"]}]}}"#,
        "\n",
        r#"{"name": "//iam.googleapis.com/projects/p/serviceAccounts/ops@p.iam.gserviceaccount.com/keys/abc", "asset_type": "iam.googleapis.com/ServiceAccountKey", "resource": {"data": {"validAfterTime": "2020-01-01T00:00:00Z", "validBeforeTime": "9999-12-31T23:59:59Z", "keyType": "USER_MANAGED"}}}"#,
        "\n"
    );
    let asset_list = r#"[{"name": "//iam.googleapis.com/projects/p/serviceAccounts/ops@p.iam.gserviceaccount.com", "assetType": "iam.googleapis.com/ServiceAccount", "iamPolicy": {"bindings": [{"role": "roles/iam.serviceAccountTokenCreator", "members": ["allAuthenticatedUsers"]}]}}]"#;
    let dir = dir_with(&[
        ("export.ndjson", ndjson.as_bytes()),
        ("assets.json", asset_list.as_bytes()),
    ]);
    let (code, report, stderr) = json("scan", &[dir.path()], &[]);
    assert_eq!(code, 0, "{stderr}");
    let got = pairs(&report);
    for (check, who) in [
        ("GCP-005", "ops@p.iam.gserviceaccount.com"),
        ("GCP-002", "ops@p.iam.gserviceaccount.com"),
        ("GCP-003", "ops@p.iam.gserviceaccount.com"),
        ("GCP-008", "ops@p.iam.gserviceaccount.com"),
    ] {
        assert!(
            got.contains(&(check.to_string(), who.to_string())),
            "{check} on {who} missing: {got:?}"
        );
    }
}
