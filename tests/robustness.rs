//! Inputs that must give clean errors, never a panic or a hang, while the rest of
//! the scan goes on: symbolic-link loops, dangling links and unreadable files in a
//! scanned directory, CSV files with the wrong header, and files too large to hold
//! in memory.

mod common;

use common::*;

fn aws_demo_file() -> std::path::PathBuf {
    root().join("testdata/aws/demo-account/authorization-details.json")
}

#[cfg(unix)]
#[test]
fn link_loops_dangling_links_and_unreadable_files_are_errors_and_the_rest_is_scanned() {
    use std::os::unix::fs::{PermissionsExt, symlink};
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::copy(aws_demo_file(), d.join("authorization-details.json")).unwrap();
    std::fs::create_dir(d.join("sub")).unwrap();
    symlink(d, d.join("sub/back")).unwrap();
    symlink(d.join("gone.json"), d.join("dangling.json")).unwrap();
    let locked = d.join("locked.json");
    std::fs::write(&locked, b"{\"value\": []}").unwrap();
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).unwrap();
    // Root reads a file without permissions: then it is not an error.
    let locked_unreadable = std::fs::read(&locked).is_err();

    let (code, report, stderr) = json("scan", &[d], &[]);
    assert_eq!(code, 3, "{stderr}");
    let errors = report["errors"].to_string();
    assert!(
        errors.contains("sub/back: cannot read: symlink loop"),
        "{errors}"
    );
    assert!(errors.contains("dangling.json: cannot read"), "{errors}");
    if locked_unreadable {
        assert!(errors.contains("locked.json: cannot read"), "{errors}");
    }
    // The readable export was scanned in full.
    assert_eq!(report["summary"]["identities"], 34);
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o600)).unwrap();
}

#[test]
fn a_credential_report_with_the_wrong_header_is_an_error_naming_the_file() {
    let dir = dir_with(&[
        ("report.csv", b"user,password_enabled\nsvc,false\n"),
        ("notes.csv", b"name,owner\nx,y\n"),
    ]);
    let (code, report, stderr) = json("scan", &[&dir.path().join("report.csv")], &[]);
    assert_eq!(code, 3, "{stderr}");
    assert!(
        report["errors"][0]["message"]
            .as_str()
            .unwrap()
            .ends_with("report.csv:1: credential report header lacks the column(s) arn; expected the header of `aws iam get-credential-report`"),
        "{report}"
    );
    // A CSV that is no credential report: an error when named, a skip in a directory.
    let (code, _, stderr) = json("scan", &[&dir.path().join("notes.csv")], &[]);
    assert_eq!(code, 3);
    assert!(
        stderr.contains("notes.csv: not a JSON or CSV export"),
        "{stderr}"
    );
    let only_notes = dir_with(&[("notes.csv", b"name,owner\nx,y\n")]);
    let (code, report, _) = json("scan", &[only_notes.path()], &[]);
    assert_eq!(code, 0);
    assert_eq!(report["skipped"][0]["reason"], "not a JSON document");
}

#[test]
fn a_large_single_line_export_is_read() {
    // The demo account re-serialised on one line, its users repeated under new names
    // until the file is several megabytes: one line, read once.
    let text = std::fs::read_to_string(aws_demo_file()).unwrap();
    let mut v: serde_json::Value = serde_json::from_str(&text).unwrap();
    let users = v["UserDetailList"].as_array().unwrap().clone();
    let list = v["UserDetailList"].as_array_mut().unwrap();
    for i in 0..2000 {
        for u in &users {
            let mut u = u.clone();
            let name = format!("{}-{i}", u["UserName"].as_str().unwrap());
            u["Arn"] = format!("arn:aws:iam::111122223333:user/{name}").into();
            u["UserName"] = name.into();
            list.push(u);
        }
    }
    let line = serde_json::to_string(&v).unwrap();
    assert!(!line.contains('\n') && line.len() > 5_000_000);
    let dir = dir_with(&[("one-line.json", line.as_bytes())]);
    let (code, report, stderr) = json("scan", &[dir.path()], &[]);
    assert_eq!(code, 0, "{stderr}");
    let identities = report["summary"]["identities"].as_u64().unwrap();
    assert!(identities > 2000 * users.len() as u64, "{identities}");
    // Every finding points at line 1.
    assert!(
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["location"]["line"] == 1)
    );
}

#[cfg(target_os = "linux")]
#[test]
fn a_file_larger_than_memory_is_refused_before_reading_and_the_rest_is_scanned() {
    // A sparse file larger than the memory available: it takes no disk space and no
    // time to make, and reading it would exhaust memory. It must be refused up front.
    let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap();
    let available_kb: u64 = meminfo
        .lines()
        .find_map(|l| l.strip_prefix("MemAvailable:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        aws_demo_file(),
        dir.path().join("authorization-details.json"),
    )
    .unwrap();
    let huge = dir.path().join("huge-single-line.json");
    let f = std::fs::File::create(&huge).unwrap();
    f.set_len(available_kb * 1024 + (1 << 30)).unwrap();
    drop(f);

    let (code, report, stderr) = json("scan", &[dir.path()], &[]);
    assert_eq!(code, 3, "{stderr}");
    let errors = report["errors"].to_string();
    assert!(
        errors.contains("huge-single-line.json: cannot read: the file is")
            && errors.contains("cannot be held in memory"),
        "{errors}"
    );
    assert_eq!(report["summary"]["identities"], 34);
}

#[test]
fn a_large_graph_page_is_read_in_blocks_with_its_lines_and_digest() {
    // A Graph page of service principals past the size from which exports are read
    // in blocks (64 MiB), each object padded with text that has two-byte
    // characters, so that blocks end inside objects and inside characters.
    use sha2::{Digest, Sha256};
    const SPS: usize = 1100;
    let pad = "é".repeat(31_000);
    let mut text = String::from(
        "{\n  \"@odata.context\": \"https://graph.microsoft.com/v1.0/$metadata#servicePrincipals\",\n  \"value\": [\n",
    );
    let mut starts = Vec::new();
    for i in 0..SPS {
        if i > 0 {
            text.push_str(",\n");
        }
        starts.push(text.matches('\n').count() + 1);
        let sp = serde_json::json!({
            "id": format!("00000000-0000-4000-8000-{i:012}"),
            "appId": format!("10000000-0000-4000-8000-{i:012}"),
            "displayName": format!("padded-sp-{i}"),
            "servicePrincipalType": "Application",
            "appOwnerOrganizationId": "a1b2c3d4-0000-4000-8000-00000000c0de",
            "notes": pad,
        });
        text.push_str(&serde_json::to_string_pretty(&sp).unwrap());
    }
    text.push_str("\n  ],\n  \"@odata.nextLink\": \"https://graph.microsoft.com/v1.0/servicePrincipals?$skiptoken=x\"\n}\n");
    assert!(text.len() > 64 << 20, "{} bytes", text.len());
    let dir = dir_with(&[("servicePrincipals.json", text.as_bytes())]);
    let (code, report, stderr) = json("inventory", &[dir.path()], &[]);
    assert_eq!(code, 0, "{stderr}");
    let input = &report["inputs"][0];
    assert_eq!(input["format"], "entra.graph-page");
    let digest: String = Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(input["sha256"], digest.as_str());
    let identities = report["identities"].as_array().unwrap();
    assert_eq!(identities.len(), SPS);
    for identity in identities {
        let i: usize = identity["name"].as_str().unwrap()["padded-sp-".len()..]
            .parse()
            .unwrap();
        assert_eq!(
            identity["location"]["line"], starts[i],
            "{}",
            identity["name"]
        );
    }
}
