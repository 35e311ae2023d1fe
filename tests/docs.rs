//! Generated documentation stays current, and the README's commands exist.

mod common;

use common::*;

#[test]
fn docs_checks_md_is_generated_from_the_metadata() {
    let path = root().join("docs/checks.md");
    let fresh = nhiscan::checks::meta::catalog_markdown();
    if std::env::var_os("NHISCAN_BLESS").is_some() {
        std::fs::write(&path, &fresh).unwrap();
    }
    let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        on_disk == fresh,
        "docs/checks.md is stale: run `NHISCAN_BLESS=1 cargo test --test docs`"
    );
}

#[test]
fn checks_and_explain_print_the_catalog() {
    let out = nhiscan()
        .args(["checks", "--format", "json"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let list: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        list.as_array().unwrap().len(),
        nhiscan::checks::registry::ALL.len()
    );
    assert_eq!(list[0]["id"], "AWS-001");
    nhiscan()
        .args(["explain", "app-permission-tier0"])
        .assert()
        .success()
        .stdout(predicates::str::contains("ENTRA-001"))
        .stdout(predicates::str::contains("Remediation"))
        .stdout(predicates::str::contains("NHI5:2025"));
    let table = nhiscan().args(["checks"]).output().unwrap();
    let text = String::from_utf8(table.stdout).unwrap();
    assert!(text.contains("ENTRA-024") && text.trim_end().ends_with("checks"));
}

#[test]
fn readme_names_the_commands_ci_runs() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    assert!(readme.contains("cargo run --release -- scan testdata/entra/contoso"));
    assert!(readme.contains("cargo test"));
    let ci = std::fs::read_to_string(root().join(".ci/run")).unwrap();
    assert!(
        ci.contains("cargo test"),
        ".ci/run must run the README's test command"
    );
}
