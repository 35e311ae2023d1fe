//! Same inputs and the same --now give byte-identical reports; fingerprints do not
//! depend on file names, file order, line positions or thread count.

mod common;

use std::collections::BTreeSet;
use std::path::Path;

use common::*;

fn report_bytes(format: &str, paths: &[&Path], threads: &str) -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("report");
    let mut c = nhiscan();
    c.args(["scan", "--format", format, "--now", NOW, "--output"])
        .arg(&out)
        .env("RAYON_NUM_THREADS", threads);
    for p in paths {
        c.arg(p);
    }
    c.assert().success();
    std::fs::read(out).unwrap()
}

#[test]
fn reports_are_byte_identical_across_runs_and_thread_counts() {
    for format in ["json", "table"] {
        let a = report_bytes(format, &[&demo()], "1");
        let b = report_bytes(format, &[&demo()], "2");
        let c = report_bytes(format, &[&demo()], "2");
        assert_eq!(a, b, "{format} differs between 1 and 2 threads");
        assert_eq!(b, c, "{format} differs between runs");
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

/// Copies every demo export under a new name, in reverse order, with extra
/// leading blank lines so that every object moves to another line.
fn reexport(to: &Path) {
    let mut files: Vec<_> = walk(&demo());
    files.reverse();
    for (i, file) in files.iter().enumerate() {
        let text = std::fs::read_to_string(file).unwrap();
        std::fs::write(
            to.join(format!("{i:02}-export.json")),
            format!("\n\n\n{text}"),
        )
        .unwrap();
    }
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else if p.extension().is_some_and(|x| x == "json") {
            out.push(p);
        }
    }
    out.sort();
    out
}

#[test]
fn fingerprints_survive_renamed_reordered_and_shifted_exports() {
    let (_, original, _) = json("scan", &[&demo()], &[]);
    let dir = tempfile::tempdir().unwrap();
    reexport(dir.path());
    let (code, moved, stderr) = json("scan", &[dir.path()], &[]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(fingerprints(&original), fingerprints(&moved));
    assert_ne!(
        original["findings"][0]["location"], moved["findings"][0]["location"],
        "the test must actually move the findings"
    );
}

#[test]
fn fingerprints_change_when_the_substance_changes() {
    let (_, original, _) = json("scan", &[&demo()], &[]);
    let (_, later, _) = json(
        "scan",
        &[&demo()],
        &["--tenant-id", "00000000-0000-0000-0000-000000000001"],
    );
    // Another tenant is another finding, even for the same app.
    assert!(fingerprints(&original).is_disjoint(&fingerprints(&later)));
    let all: Vec<_> = original["findings"].as_array().unwrap().iter().collect();
    let unique: BTreeSet<_> = all
        .iter()
        .map(|f| f["fingerprint"].as_str().unwrap())
        .collect();
    assert_eq!(unique.len(), all.len(), "two findings share a fingerprint");
}

#[test]
fn other_providers_fingerprints_do_not_depend_on_the_entra_files_in_the_scan() {
    let root = root().join("testdata");
    let (aws, gcp, k8s) = (
        root.join("aws/demo-account"),
        root.join("gcp/demo-project"),
        root.join("k8s/demo-cluster"),
    );
    let (_, alone, _) = json("scan", &[&aws, &gcp, &k8s], &[]);
    let (_, combined, _) = json("scan", &[&demo(), &aws, &gcp, &k8s], &[]);
    let alone = fingerprints(&alone);
    assert!(
        alone.len() > 50,
        "the three demos give {} findings",
        alone.len()
    );
    let combined = fingerprints(&combined);
    let missing: Vec<_> = alone.difference(&combined).collect();
    assert!(missing.is_empty(), "fingerprints that changed: {missing:?}");
}
