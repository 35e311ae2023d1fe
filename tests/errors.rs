//! Bad input: clear errors naming the file (and line and column), exit 3, no panic,
//! and the rest of the scan still reported.

mod common;

use common::*;
use predicates::str::contains;

const GOOD_SP: &[u8] = br#"{"@odata.context":"https://graph.microsoft.com/v1.0/$metadata#servicePrincipals","value":[
{"id":"11111111-1111-1111-1111-111111111111","appId":"22222222-2222-2222-2222-222222222222","displayName":"Good App","servicePrincipalType":"Application","appOwnerOrganizationId":"33333333-3333-3333-3333-333333333333",
 "passwordCredentials":[{"keyId":"44444444-4444-4444-4444-444444444444","displayName":"forever","startDateTime":"2026-01-01T00:00:00Z","endDateTime":"2299-12-31T00:00:00Z"}]}]}"#;

#[test]
fn truncated_json_names_path_line_and_column_and_keeps_the_other_files() {
    let dir = dir_with(&[
        ("a_good.json", GOOD_SP),
        (
            "b_truncated.json",
            b"{\n  \"value\": [\n    {\"id\": \"1\",\n",
        ),
    ]);
    let (code, report, stderr) = json("scan", &[dir.path()], &[]);
    assert_eq!(code, 3, "{stderr}");
    assert!(
        stderr.contains("b_truncated.json:4:1: invalid JSON: EOF while parsing"),
        "{stderr}"
    );
    assert_eq!(report["errors"].as_array().unwrap().len(), 1);
    // The good file was still scanned.
    assert!(fired(&report).contains(&("ENTRA-011".into(), "Good App".into())));
}

#[test]
fn invalid_utf8_is_an_encoding_error_with_its_position() {
    let dir = dir_with(&[("bad.json", b"[\n{\"displayName\": \"caf\xe9\"}]")]);
    nhiscan()
        .args(["scan", "--now", NOW])
        .arg(dir.path())
        .assert()
        .code(3)
        .stderr(contains("bad.json: invalid UTF-8 at line 2 column 21"));
}

#[test]
fn broken_utf16_is_an_encoding_error() {
    let dir = dir_with(&[("ps.json", b"\xFF\xFE[\x00{\x00\x00\xD8")]);
    nhiscan()
        .args(["scan", "--now", NOW])
        .arg(dir.path())
        .assert()
        .code(3)
        .stderr(contains("ps.json: invalid UTF-16"));
}

#[test]
fn powershell_depth_truncation_is_an_error_naming_the_fix() {
    let text = r#"[
  {
    "Id": "11111111-1111-1111-1111-111111111111",
    "AppId": "22222222-2222-2222-2222-222222222222",
    "DisplayName": "Truncated",
    "AppOwnerOrganizationId": "33333333-3333-3333-3333-333333333333",
    "PasswordCredentials": [
      "Microsoft.Graph.PowerShell.Models.MicrosoftGraphPasswordCredential"
    ]
  }
]"#;
    let dir = dir_with(&[("sps.json", text.as_bytes())]);
    let (code, report, stderr) = json("scan", &[dir.path()], &[]);
    assert_eq!(code, 3);
    assert!(
        stderr.contains("sps.json:8: export truncated by ConvertTo-Json's default -Depth 2"),
        "{stderr}"
    );
    assert!(stderr.contains("ConvertTo-Json -Depth 10"), "{stderr}");
    // No credential-less SP was silently produced.
    assert_eq!(report["summary"]["identities"], 0);
}

#[test]
fn empty_files_are_errors() {
    let dir = dir_with(&[("empty.json", b""), ("blank.json", b"  \n")]);
    let (code, report, stderr) = json("scan", &[dir.path()], &[]);
    assert_eq!(code, 3);
    assert!(stderr.contains("blank.json: empty file"), "{stderr}");
    assert!(stderr.contains("empty.json: empty file"), "{stderr}");
    assert_eq!(report["errors"].as_array().unwrap().len(), 2);
}

#[test]
fn a_directory_of_unrelated_json_is_skipped_with_reasons_not_fatal() {
    let dir = dir_with(&[
        (
            "package.json",
            br#"{"name":"x","version":"1.0.0","dependencies":{}}"#,
        ),
        ("list.json", b"[1, 2, 3]"),
        ("notes.txt", b"hello"),
    ]);
    let (code, report, stderr) = json("scan", &[dir.path()], &[]);
    assert_eq!(code, 0, "{stderr}");
    let skipped = report["skipped"].as_array().unwrap();
    assert_eq!(skipped.len(), 3);
    for s in skipped {
        assert!(!s["reason"].as_str().unwrap().is_empty());
    }
    assert_eq!(report["summary"]["findings"], 0);
}

#[test]
fn an_explicit_non_json_file_is_an_error() {
    let dir = dir_with(&[("notes.txt", b"hello")]);
    nhiscan()
        .args(["scan", "--now", NOW])
        .arg(dir.path().join("notes.txt"))
        .assert()
        .code(3)
        .stderr(contains("notes.txt: not a JSON or CSV export"));
}

#[test]
fn a_missing_path_is_an_input_error() {
    nhiscan()
        .args(["scan", "--now", NOW, "/nonexistent/nhiscan/path"])
        .assert()
        .code(3)
        .stderr(contains("/nonexistent/nhiscan/path: cannot read"));
}

#[test]
fn deeply_nested_json_neither_overflows_the_stack_nor_stops_the_scan() {
    // Valid but absurd: skipped as not an inventory.
    let mut deep = "[".repeat(100_000);
    deep.push_str(&"]".repeat(100_000));
    // Invalid: unclosed, so an error with a position.
    let mut open = r#"{"value":[{"id":"1","appId":"2","servicePrincipalType":"#.to_string();
    open.push_str(&"{\"a\":".repeat(50_000));
    let dir = dir_with(&[
        ("deep.json", deep.as_bytes()),
        ("open.json", open.as_bytes()),
        ("good.json", GOOD_SP),
    ]);
    let (code, report, stderr) = json("scan", &[dir.path()], &[]);
    assert_eq!(code, 3, "{stderr}");
    assert!(stderr.contains("open.json:1:"), "{stderr}");
    assert_eq!(
        report["skipped"][0]["path"]
            .as_str()
            .unwrap()
            .rsplit('/')
            .next(),
        Some("deep.json")
    );
    assert!(fired(&report).contains(&("ENTRA-011".into(), "Good App".into())));
}

#[test]
fn usage_errors_exit_2() {
    nhiscan()
        .args(["scan", "--now", "yesterday", "x"])
        .assert()
        .code(2);
    nhiscan().args(["scan"]).assert().code(2);
    nhiscan().args(["frobnicate"]).assert().code(2);
    nhiscan().args(["explain", "NOPE-999"]).assert().code(2);
    nhiscan()
        .args([
            "scan",
            "--now",
            NOW,
            "--output",
            "/nonexistent/dir/report.json",
        ])
        .arg(demo())
        .assert()
        .code(2)
        .stderr(contains("cannot write /nonexistent/dir/report.json"));
}

#[test]
fn help_documents_the_exit_codes() {
    nhiscan()
        .args(["scan", "--help"])
        .assert()
        .success()
        .stdout(contains("the --fail-on gate tripped"))
        .stdout(contains("unreadable or invalid input"));
}
