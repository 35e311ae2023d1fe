//! The demo tenant (testdata/entra/contoso): every check fires where its README
//! says, and the clean identities fire nothing.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use common::*;

/// The "Should emit" contract of testdata/entra/contoso/README.md.
const EXPECTED: &[(&str, &[&str])] = &[
    (
        "ENTRA-001",
        &[
            "Contoso Exchange Connector",
            "Contoso Identity Governance Automation",
            "Contoso Infra Pipeline",
            "Woodgrove Directory Sync",
        ],
    ),
    (
        "ENTRA-002",
        &[
            "Adatum Backup Cloud",
            "Contoso Mail Archiver",
            "Proseware Mail Insights",
        ],
    ),
    (
        "ENTRA-003",
        &["Contoso Directory Admin Bot", "Contoso Tenant Provisioning"],
    ),
    (
        "ENTRA-004",
        &["Contoso Admin Console", "Northwind Files Sync"],
    ),
    (
        "ENTRA-005",
        &[
            "Adatum Backup Cloud",
            "Northwind Files Sync",
            "Proseware Mail Insights",
            "Woodgrove Directory Sync",
        ],
    ),
    (
        "ENTRA-006",
        &["Proseware Mail Insights", "Tailspin Analytics"],
    ),
    ("ENTRA-007", &["Contoso Timesheets"]),
    (
        "ENTRA-008",
        &["Contoso Legacy Reporting", "Contoso Vendor Bridge"],
    ),
    ("ENTRA-009", &["Contoso Marketing Site"]),
    ("ENTRA-010", &["Contoso Identity Governance Automation"]),
    ("ENTRA-011", &["Contoso Mail Archiver"]),
    (
        "ENTRA-012",
        &[
            "Contoso Identity Governance Automation",
            "Contoso Mail Archiver",
        ],
    ),
    ("ENTRA-013", &["Contoso Legacy Reporting"]),
    ("ENTRA-014", &["Contoso Expense Portal"]),
    ("ENTRA-015", &["Contoso Partner Portal"]),
    ("ENTRA-016", &["Contoso Webhook Relay"]),
    (
        "ENTRA-017",
        &[
            "Contoso Expense Portal",
            "Contoso Field Mobile",
            "Contoso Identity Governance Automation",
            "Contoso Mail Archiver",
            "Contoso Onboarding Script",
            "Contoso Partner Portal",
            "Contoso Webhook Relay",
        ],
    ),
    ("ENTRA-018", &["Contoso Infra Pipeline"]),
    ("ENTRA-019", &["Contoso Build Agents"]),
    ("ENTRA-020", &["Contoso Data Export"]),
    (
        "ENTRA-021",
        &[
            "Adatum Backup Cloud",
            "Contoso Exchange Connector",
            "Contoso Sales Insights",
            "Contoso Tenant Provisioning",
        ],
    ),
    ("ENTRA-022", &["Contoso Intranet (Legacy SPA)"]),
    ("ENTRA-023", &["Contoso Field Mobile"]),
    ("ENTRA-024", &["Contoso Onboarding Script"]),
];

/// Identities that must fire nothing, traps included (README "must fire nothing").
const CLEAN: &[&str] = &[
    "Contoso HR Sync",
    "Contoso Payments Deploy",
    "func-invoice-processor",
    "Fabrikam Meetings",
    "Litware CRM Connector",
    "Microsoft Graph",
    "Office 365 Exchange Online",
    "Office 365 SharePoint Online",
    "Microsoft Intune",
    "Office 365 Management APIs",
    "Graph Explorer",
];

#[test]
fn every_check_fires_exactly_where_the_demo_readme_says() {
    let (code, report, stderr) = json("scan", &[&demo()], &[]);
    assert_eq!(code, 0, "{stderr}");
    let mut actual: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (check, who) in fired(&report) {
        actual.entry(check).or_default().insert(who);
    }
    let expected: BTreeMap<String, BTreeSet<String>> = EXPECTED
        .iter()
        .map(|(c, names)| (c.to_string(), names.iter().map(|n| n.to_string()).collect()))
        .collect();
    assert_eq!(actual, expected);
}

#[test]
fn clean_identities_fire_nothing_but_are_in_the_inventory() {
    let (_, report, _) = json("scan", &[&demo()], &[]);
    let flagged: BTreeSet<String> = fired(&report).into_iter().map(|(_, who)| who).collect();
    let (_, inventory, _) = json("inventory", &[&demo()], &[]);
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
fn every_finding_carries_ids_location_and_fingerprint() {
    let (_, report, _) = json("scan", &[&demo()], &[]);
    for f in report["findings"].as_array().unwrap() {
        assert!(
            f["owasp_nhi"][0].as_str().unwrap().ends_with(":2025"),
            "{f}"
        );
        assert!(!f["nist_csf"].as_array().unwrap().is_empty(), "{f}");
        assert!(f["location"]["line"].as_u64().unwrap() >= 1, "{f}");
        let path = f["location"]["path"].as_str().unwrap();
        assert!(
            path.contains("testdata/entra/contoso/") && path.ends_with(".json"),
            "{f}"
        );
        assert_eq!(f["fingerprint"].as_str().unwrap().len(), 32, "{f}");
    }
}

#[test]
fn findings_point_at_the_line_where_their_object_starts() {
    let (_, report, _) = json("scan", &[&demo()], &[]);
    for f in report["findings"].as_array().unwrap() {
        let path = f["location"]["path"].as_str().unwrap();
        let line = f["location"]["line"].as_u64().unwrap() as usize;
        let text = std::fs::read_to_string(path).unwrap();
        let at = text.lines().nth(line - 1).unwrap().trim_start();
        assert!(
            at.starts_with('{'),
            "{path}:{line} is not the start of an object: {at}"
        );
    }
}

#[test]
fn home_tenant_comes_from_the_organization_export() {
    let (_, report, _) = json("scan", &[&demo()], &[]);
    assert_eq!(
        report["tenant"]["id"],
        "a1b2c3d4-0000-4000-8000-00000000c0de"
    );
    assert_eq!(report["tenant"]["source"], "organization_export");
    let (_, report, _) = json(
        "scan",
        &[&demo()],
        &["--tenant-id", "00000000-0000-0000-0000-00000000beef"],
    );
    assert_eq!(report["tenant"]["source"], "command_line");
    assert_eq!(
        report["tenant"]["id"],
        "00000000-0000-0000-0000-00000000beef"
    );
}

#[test]
fn the_gate_fails_on_the_threshold_and_passes_without_one() {
    nhiscan()
        .args(["scan", "--now", NOW, "--fail-on", "critical"])
        .arg(demo())
        .assert()
        .code(1)
        .stderr(predicates::str::contains("at or above --fail-on critical"));
    nhiscan()
        .args(["scan", "--now", NOW, "--fail-on", "none"])
        .arg(demo())
        .assert()
        .code(0);
}

#[test]
fn table_output_has_findings_and_a_summary_line() {
    let out = nhiscan()
        .args(["scan", "--now", NOW])
        .arg(demo())
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("ENTRA-001"));
    assert!(!text.contains("\u{1b}["), "no colour when not a terminal");
    let last = text.lines().last().unwrap();
    assert!(
        last.starts_with("49 finding(s) on 25 of 40 identities"),
        "{last}"
    );
}

#[test]
fn inventory_reports_visibility_per_kind() {
    let (code, inv, _) = json("inventory", &[&demo()], &[]);
    assert_eq!(code, 0);
    let groups = inv["visibility"]["groups"].as_array().unwrap();
    let sp = groups
        .iter()
        .find(|g| g["kind"] == "service_principal")
        .unwrap();
    assert_eq!(sp["total"], 39);
    assert_eq!(sp["first_party"], 10);
    assert_eq!(sp["third_party"], 7);
    assert!(inv["visibility"]["score"].as_u64().unwrap() <= 100);
}
