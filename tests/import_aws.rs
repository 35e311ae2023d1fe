//! AWS export variants of formats.md §2, and every real AWS sample.

mod common;

use base64::Engine;
use common::*;

const HEADER: &str = "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated";

fn report_csv() -> String {
    format!(
        "{HEADER}\n<root_account>,arn:aws:iam::123456789012:root,2016-05-16T18:13:11+00:00,not_supported,no_information,not_supported,not_supported,true,true,2026-10-01T00:00:00Z,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A"
    )
}

#[test]
fn every_aws_sample_imports() {
    let dir = samples("aws");
    let (code, report, stderr) = json("inventory", &[&dir], &[]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        report["skipped"].as_array().unwrap().is_empty(),
        "{}",
        report["skipped"]
    );
    let inputs = report["inputs"].as_array().unwrap();
    assert_eq!(inputs.len(), std::fs::read_dir(&dir).unwrap().count());
    for i in inputs {
        assert!(i["format"].as_str().unwrap().starts_with("aws."), "{i}");
        assert!(i["records"].as_u64().unwrap() > 0, "{i}");
    }
}

#[test]
fn credential_report_json_with_base64_or_plain_content_and_recordings() {
    let csv = report_csv();
    let b64 = base64::engine::general_purpose::STANDARD.encode(&csv);
    let api = format!(
        r#"{{"Content": "{b64}", "ReportFormat": "text/csv", "GeneratedTime": "2026-10-31T00:00:00Z"}}"#
    );
    let plain = serde_json::json!({"Content": csv, "ReportFormat": "text/csv"}).to_string();
    let recorded = serde_json::json!({"status_code": 200, "data": {"Content": csv, "ReportFormat": "text/csv"}}).to_string();
    for (name, text) in [
        ("api.json", api),
        ("plain.json", plain),
        ("recorded.json", recorded),
    ] {
        let dir = dir_with(&[(name, text.as_bytes())]);
        let (code, report, stderr) = json("scan", &[dir.path()], &[]);
        assert_eq!(code, 0, "{name}: {stderr}");
        assert_eq!(
            report["inputs"][0]["format"], "aws.credential-report-json",
            "{name}"
        );
        assert_eq!(
            fired(&report),
            [("AWS-013".to_string(), "<root_account>".to_string())],
            "{name}"
        );
    }
}

#[test]
fn a_credential_report_with_the_wrong_header_is_an_error_with_its_line() {
    let dir = dir_with(&[("report.csv", b"user,name,created\nalice,Alice,2024-01-01\n")]);
    nhiscan()
        .args(["scan", "--now", NOW])
        .arg(dir.path())
        .assert()
        .code(3)
        .stderr(predicates::str::contains(
            "report.csv:1: credential report header lacks the column(s) arn",
        ));
}

#[test]
fn url_encoded_and_string_policy_documents_are_evaluated() {
    let doc =
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}"#;
    let encoded: String = doc
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    let details = serde_json::json!({
        "UserDetailList": [],
        "GroupDetailList": [],
        "Policies": [],
        "RoleDetailList": [
            {"RoleName": "encoded", "Arn": "arn:aws:iam::123456789012:role/encoded", "Path": "/", "CreateDate": "2023-03-09 10:41:45+00:00",
             "AssumeRolePolicyDocument": encoded.clone(), "RolePolicyList": [{"PolicyName": "p", "PolicyDocument": encoded}]},
            {"RoleName": "string", "Arn": "arn:aws:iam::123456789012:role/string", "Path": "/", "CreateDate": "2023-03-09T10:41:45Z",
             "AssumeRolePolicyDocument": {"Statement": []}, "RolePolicyList": [{"PolicyName": "p", "PolicyDocument": doc}]}
        ]
    });
    let dir = dir_with(&[("authz.json", details.to_string().as_bytes())]);
    let (_, report, _) = json("scan", &[dir.path()], &[]);
    let admins: Vec<(String, String)> = fired(&report)
        .into_iter()
        .filter(|(c, _)| c == "AWS-001")
        .collect();
    assert_eq!(
        admins,
        [
            ("AWS-001".into(), "encoded".into()),
            ("AWS-001".into(), "string".into())
        ]
    );
}

#[test]
fn unmerged_pages_and_unreadable_policies_are_noted_not_fatal() {
    let details = r#"{"UserDetailList": [], "RoleDetailList": [
        {"RoleName": "r", "Arn": "arn:aws:iam::123456789012:role/r", "AssumeRolePolicyDocument": "<URL-encoded-JSON>"}],
        "IsTruncated": true, "Marker": "abc"}"#;
    let dir = dir_with(&[("page1.json", details.as_bytes())]);
    // Unmerged pages mean missing principals: incomplete input, exit 4.
    let (code, report, _) = json("scan", &[dir.path()], &[]);
    assert_eq!(code, 4);
    assert!(report["incomplete"].to_string().contains("IsTruncated"));
    let (code, report, _) = json("scan", &[dir.path()], &["--allow-incomplete"]);
    assert_eq!(code, 0);
    let notes = report["notes"].to_string();
    assert!(notes.contains("IsTruncated"), "{notes}");
    assert!(
        notes.contains("trust policy of role r could not be read"),
        "{notes}"
    );
}

#[test]
fn the_cloudsplaining_sample_finds_escalation_and_respects_denies() {
    let file = samples("aws").join("cloudsplaining_examples_example_authz_details.json");
    let (_, report, _) = json("scan", &[&file], &[]);
    let privesc: Vec<String> = fired(&report)
        .into_iter()
        .filter(|(c, _)| c == "AWS-002")
        .map(|(_, n)| n)
        .collect();
    for who in [
        "privesc1-CreateNewPolicyVersion-user",
        "privesc4-CreateAccessKey-role",
        "fn1-privesc3-partial-user",
        "fn4-exploitableNotAction-role",
    ] {
        assert!(
            privesc.iter().any(|p| p == who),
            "{who} not reported: {privesc:?}"
        );
    }
}
