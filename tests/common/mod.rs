//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

/// The clock every test passes.
pub const NOW: &str = "2026-11-01T00:00:00Z";

/// The demo exports, relative to the crate root.
pub const DEMOS: [&str; 6] = [
    "testdata/entra/contoso",
    "testdata/aws/demo-account",
    "testdata/gcp/demo-project",
    "testdata/k8s/demo-cluster",
    "testdata/okta/demo-org",
    "testdata/github/demo-org",
];

/// Names the GCP demo's bare project policy (`--gcp-resource`).
pub const GCP_RESOURCE: [&str; 2] = [
    "--gcp-resource",
    "project-iam-policy.json=projects/contoso-prod",
];

/// The demo exports as absolute paths.
pub fn demos() -> Vec<PathBuf> {
    DEMOS.iter().map(|p| root().join(p)).collect()
}

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn demo() -> PathBuf {
    root().join("testdata/entra/contoso")
}

/// `../shared/samples/<provider>`, as CI lays it out beside the clone.
pub fn samples(provider: &str) -> PathBuf {
    let dir = root().join("../shared/samples").join(provider);
    assert!(
        dir.is_dir(),
        "{} is missing: the tests read the shared samples there",
        dir.display()
    );
    dir
}

pub fn nhiscan() -> Command {
    Command::cargo_bin("nhiscan").expect("binary is built")
}

/// Runs `nhiscan <cmd> --format json --now NOW <paths>` and returns (exit code, JSON, stderr).
pub fn json(cmd: &str, paths: &[&Path], extra: &[&str]) -> (i32, Value, String) {
    let mut c = nhiscan();
    c.arg(cmd)
        .args(["--format", "json", "--now", NOW])
        .args(extra);
    for p in paths {
        c.arg(p);
    }
    let out = c.output().expect("runs");
    let code = out.status.code().expect("exit code");
    let stdout = String::from_utf8(out.stdout).expect("utf-8 stdout");
    let value = serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {stdout}"));
    (
        code,
        value,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Writes `files` (name, bytes) into a fresh temporary directory.
pub fn dir_with(files: &[(&str, &[u8])]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    for (name, bytes) in files {
        let path = dir.path().join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::fs::write(path, bytes).expect("write fixture");
    }
    dir
}

/// (check id, identity name) of every finding, sorted.
pub fn fired(report: &Value) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["check_id"].as_str().unwrap().to_string(),
                f["identity"]["name"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    v.sort();
    v.dedup();
    v
}
