//! The CI gate: config file, suppressions with expiry, baselines and exit codes.

mod common;

use std::path::{Path, PathBuf};

use common::*;
use serde_json::Value;

fn aws_demo() -> PathBuf {
    root().join("testdata/aws/demo-account")
}

/// Runs `nhiscan scan` in `cwd` (so that `./nhiscan.toml` there is found) and
/// returns (exit code, JSON report, stderr).
fn scan_in(cwd: &Path, paths: &[&Path], extra: &[&str]) -> (i32, Value, String) {
    let mut cmd = nhiscan();
    cmd.current_dir(cwd).args(["scan", "--format", "json"]);
    if !extra.contains(&"--now") {
        cmd.args(["--now", NOW]);
    }
    let out = cmd.args(extra).args(paths).output().expect("runs");
    let stdout = String::from_utf8(out.stdout).expect("utf-8");
    let report = serde_json::from_str(&stdout).unwrap_or(Value::Null);
    (
        out.status.code().expect("exit code"),
        report,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A copy of the AWS demo account, the authorization details changed by `edit`,
/// written under `name` with `indent` spaces (0: one line), so that paths, file
/// order and line numbers all differ from the original.
fn aws_copy(name: &str, indent: usize, edit: impl Fn(&mut Value)) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let src = aws_demo();
    let mut details: Value = serde_json::from_str(
        &std::fs::read_to_string(src.join("authorization-details.json")).unwrap(),
    )
    .unwrap();
    edit(&mut details);
    let text = if indent == 0 {
        serde_json::to_string(&details).unwrap()
    } else {
        let pad = " ".repeat(indent);
        let mut buf = Vec::new();
        let fmt = serde_json::ser::PrettyFormatter::with_indent(pad.as_bytes());
        let mut ser = serde_json::Serializer::with_formatter(&mut buf, fmt);
        serde::Serialize::serialize(&details, &mut ser).unwrap();
        String::from_utf8(buf).unwrap()
    };
    std::fs::create_dir_all(dir.path().join("exports/iam")).unwrap();
    std::fs::write(dir.path().join("exports/iam").join(name), text).unwrap();
    for f in [
        "credential-report.csv",
        "list-access-keys.json",
        "get-access-key-last-used.json",
    ] {
        std::fs::copy(
            src.join(f),
            dir.path().join("exports").join(format!("0-{f}")),
        )
        .unwrap();
    }
    dir
}

fn roles(details: &mut Value) -> &mut Vec<Value> {
    details["RoleDetailList"].as_array_mut().unwrap()
}

fn fingerprints(report: &Value) -> Vec<String> {
    let mut v: Vec<String> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["fingerprint"].as_str().unwrap().to_string())
        .collect();
    v.sort();
    v
}

fn finding<'a>(report: &'a Value, check: &str, name: &str) -> &'a Value {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["check_id"] == check && f["identity"]["name"] == name)
        .unwrap_or_else(|| panic!("no {check} finding on {name}"))
}

// ---- exit codes ----

#[test]
fn exit_0_without_a_gate_and_1_when_it_trips() {
    let empty = tempfile::tempdir().unwrap();
    let (code, report, stderr) = scan_in(empty.path(), &[&aws_demo()], &[]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("nhiscan: gate off (no --fail-on): 33 findings"),
        "{stderr}"
    );
    assert_eq!(report["gate"]["exit_code"], 0);

    let (code, report, stderr) = scan_in(empty.path(), &[&aws_demo()], &["--fail-on", "critical"]);
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(report["gate"]["failing"], 9);
    assert!(
        stderr.contains("gate failed: 9 unsuppressed finding(s) at or above --fail-on critical (AWS-001 x3, AWS-002 x2, AWS-003 x1, AWS-004 x1, AWS-007 x1, AWS-013 x1; 33 findings)"),
        "{stderr}"
    );
}

#[test]
fn exit_2_on_usage_errors() {
    nhiscan()
        .args(["scan", "--fail-on", "severe"])
        .arg(aws_demo())
        .assert()
        .code(2);
    nhiscan()
        .args(["scan", "--no-config", "--config", "x.toml"])
        .arg(aws_demo())
        .assert()
        .code(2);
}

#[test]
fn exit_3_on_a_missing_or_invalid_config_and_on_a_bad_baseline() {
    let dir = dir_with(&[
        (
            "nhiscan.toml",
            b"[thresholds]\nrotation_days = 90\nrotaton_days = 30\n",
        ),
        (
            "baseline.json",
            b"{\"nhiscan_baseline\": 1,\n \"findings\": 3}",
        ),
    ]);
    // From the working directory.
    let (code, _, stderr) = scan_in(dir.path(), &[&aws_demo()], &[]);
    assert_eq!(code, 3, "{stderr}");
    assert!(
        stderr.contains("nhiscan.toml:3:1: unknown field `rotaton_days`"),
        "{stderr}"
    );
    // Named, but missing.
    let elsewhere = tempfile::tempdir().unwrap();
    let (code, _, stderr) = scan_in(
        elsewhere.path(),
        &[&aws_demo()],
        &["--config", "missing.toml"],
    );
    assert_eq!(code, 3, "{stderr}");
    assert!(
        stderr.contains("missing.toml:1:1: config file not found"),
        "{stderr}"
    );
    // --no-config ignores the bad file.
    let (code, _, stderr) = scan_in(dir.path(), &[&aws_demo()], &["--no-config"]);
    assert_eq!(code, 0, "{stderr}");
    // A baseline that is not one.
    let (code, _, stderr) = scan_in(
        elsewhere.path(),
        &[&aws_demo()],
        &[
            "--baseline",
            dir.path().join("baseline.json").to_str().unwrap(),
        ],
    );
    assert_eq!(code, 3, "{stderr}");
    assert!(stderr.contains("baseline.json:2:"), "{stderr}");
}

#[test]
fn config_errors_name_the_line_for_bad_values_too() {
    let cases: [(&str, &str); 5] = [
        (
            "[gate]\nfail_on = \"severe\"\n",
            "nhiscan.toml:2:11: fail_on = \"severe\"",
        ),
        (
            "[aws]\ntrusted_accounts = [\n  \"123\",\n]\n",
            "nhiscan.toml:3:3: \"123\" is not an AWS account id",
        ),
        (
            "[checks]\ndisable = [\"AWS-099\"]\n",
            "nhiscan.toml:2:12: unknown check \"AWS-099\"",
        ),
        (
            "[checks.severity]\n\"AWS-016\" = \"urgent\"\n",
            "nhiscan.toml:2:13: severity \"urgent\" for AWS-016",
        ),
        (
            "\n\n[[suppress]]\ncheck = \"AWS-016\"\n",
            "nhiscan.toml:3:1: a suppression needs a reason",
        ),
    ];
    for (toml, expected) in cases {
        let dir = dir_with(&[("nhiscan.toml", toml.as_bytes())]);
        let (code, _, stderr) = scan_in(dir.path(), &[&aws_demo()], &[]);
        assert_eq!(code, 3, "{toml}: {stderr}");
        assert!(stderr.contains(expected), "{toml}: {stderr}");
    }
}

#[test]
fn exit_4_on_incomplete_input_unless_allowed() {
    // A collection manifest with an endpoint that ran out of retries.
    let manifest = br#"{"nhiscan_manifest": 1, "provider": "entra", "endpoints": [
        {"name": "servicePrincipals", "status": "complete", "pages": 1, "records": 40},
        {"name": "oauth2PermissionGrants", "status": "incomplete", "errors": ["page 3: 429 Too Many Requests after 8 retries"]}]}"#;
    let dir = dir_with(&[("manifest.json", manifest)]);
    let empty = tempfile::tempdir().unwrap();
    let (code, report, stderr) = scan_in(empty.path(), &[&demo(), dir.path()], &[]);
    assert_eq!(code, 4, "{stderr}");
    assert!(
        stderr.contains("exit 4: the input is incomplete (1 gap(s)"),
        "{stderr}"
    );
    assert_eq!(
        report["incomplete"][0]["reason"],
        "collection of oauth2PermissionGrants is incomplete: page 3: 429 Too Many Requests after 8 retries"
    );
    let (code, _, stderr) = scan_in(
        empty.path(),
        &[&demo(), dir.path()],
        &["--allow-incomplete"],
    );
    assert_eq!(code, 0, "{stderr}");
    // The gate still applies when incompleteness is accepted.
    let (code, _, _) = scan_in(
        empty.path(),
        &[&demo(), dir.path()],
        &["--allow-incomplete", "--fail-on", "critical"],
    );
    assert_eq!(code, 1);
    // Grants naming service principals that are not in the export are a gap too.
    let grants = br#"{"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#oauth2PermissionGrants", "value": [
        {"id": "g1", "clientId": "00000000-0000-0000-0000-0000000000aa", "consentType": "AllPrincipals",
         "resourceId": "00000000-0000-0000-0000-0000000000bb", "scope": "Mail.Read"}]}"#;
    let dir = dir_with(&[("grants.json", grants)]);
    let (code, report, _) = scan_in(empty.path(), &[&demo(), dir.path()], &[]);
    assert_eq!(code, 4);
    assert!(
        report["incomplete"]
            .to_string()
            .contains("client service principal that is not in the export")
    );
    // Input errors take precedence over incompleteness.
    let bad = dir_with(&[("broken.json", b"{\"value\": [")]);
    let (code, _, _) = scan_in(empty.path(), &[&demo(), dir.path(), bad.path()], &[]);
    assert_eq!(code, 3);
}

// ---- suppressions ----

const SUPPRESS_ADMINS: &str = r#"
[gate]
fail_on = "critical"

[[suppress]]
check = "AWS-001"
identity = "arn:aws:iam::111122223333:role/contoso-*-admin"
reason = "Break-glass roles, reviewed quarterly"
owner = "cloud-platform@contoso.example"
ticket = "SEC-42"
expires = 2026-11-15

[[suppress]]
check = "AWS-010"
identity = "svc-no-such-user"
reason = "Left over from a user deleted long ago"
"#;

#[test]
fn suppressions_apply_until_they_expire_and_unused_ones_are_stale() {
    let dir = dir_with(&[("nhiscan.toml", SUPPRESS_ADMINS.as_bytes())]);
    let (code, report, stderr) = scan_in(dir.path(), &[&aws_demo()], &[]);
    // 9 critical findings, 2 of them suppressed: the gate still fails on 7.
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(report["gate"]["failing"], 7);
    assert_eq!(report["gate"]["suppressed"], 2);
    let f = finding(&report, "AWS-001", "contoso-legacy-admin");
    assert_eq!(
        f["suppression"]["reason"],
        "Break-glass roles, reviewed quarterly"
    );
    assert_eq!(f["suppression"]["ticket"], "SEC-42");
    assert_eq!(f["suppression"]["source"], "nhiscan.toml:5");
    assert!(
        finding(&report, "AWS-001", "ops-automation")
            .get("suppression")
            .is_none()
    );
    let statuses: Vec<(&str, u64)> = report["suppressions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["status"].as_str().unwrap(),
                s["matched"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(statuses, [("active", 2), ("stale", 0)]);
    assert!(
        stderr.contains("nhiscan.toml:13: suppression matches no finding (stale"),
        "{stderr}"
    );

    // After 2026-11-15 the first one expires: it suppresses nothing and is reported.
    let (code, report, stderr) = scan_in(
        dir.path(),
        &[&aws_demo()],
        &["--now", "2026-11-16T00:00:00Z"],
    );
    assert_eq!(code, 1);
    assert_eq!(report["gate"]["failing"], 9);
    assert_eq!(report["gate"]["suppressed"], 0);
    assert_eq!(report["suppressions"][0]["status"], "expired");
    assert_eq!(report["suppressions"][0]["matched"], 2);
    assert!(
        stderr.contains("nhiscan.toml:5: suppression expired on 2026-11-15 and no longer applies (2 finding(s) match it)"),
        "{stderr}"
    );
    // Through the last day it still applies.
    let (_, report, _) = scan_in(
        dir.path(),
        &[&aws_demo()],
        &["--now", "2026-11-15T23:59:59Z"],
    );
    assert_eq!(report["suppressions"][0]["status"], "active");
}

#[test]
fn suppressions_in_the_ignore_file_by_provider_let_the_gate_pass() {
    let dir = dir_with(&[(
        ".nhiscan-ignore.toml",
        b"[[suppress]]\nprovider = \"aws\"\nreason = \"Sandbox account, torn down weekly\"\n",
    )]);
    let (code, report, stderr) = scan_in(dir.path(), &[&aws_demo()], &["--fail-on", "low"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(report["gate"]["suppressed"], 33);
    assert!(
        stderr.contains(
            "gate passed: no unsuppressed finding at or above low (33 findings, 33 suppressed)"
        ),
        "{stderr}"
    );
    assert_eq!(report["config"][0], ".nhiscan-ignore.toml");
}

/// The AWS demo scanned to `format` with `SUPPRESS_ADMINS` as the config: stdout.
fn suppressed_scan(format: &str) -> String {
    let dir = dir_with(&[("nhiscan.toml", SUPPRESS_ADMINS.as_bytes())]);
    let out = nhiscan()
        .current_dir(dir.path())
        .args(["scan", "--format", format, "--now", NOW])
        .arg(aws_demo())
        .output()
        .unwrap();
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn suppressed_findings_stay_in_sarif_with_the_justification() {
    let text = suppressed_scan("sarif");
    let sarif: Value = serde_json::from_str(&text).unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 33);
    let suppressed: Vec<&Value> = results
        .iter()
        .filter(|r| r.get("suppressions").is_some())
        .collect();
    assert_eq!(suppressed.len(), 2);
    assert_eq!(suppressed[0]["suppressions"][0]["kind"], "external");
    assert_eq!(suppressed[0]["suppressions"][0]["status"], "accepted");
    assert_eq!(
        suppressed[0]["suppressions"][0]["justification"],
        "Break-glass roles, reviewed quarterly"
    );
}

#[test]
fn junit_skips_accepted_findings_instead_of_failing_them() {
    let text = suppressed_scan("junit");
    let xml = text;
    assert!(xml.contains("skipped=\"2\""), "{xml}");
    assert!(xml.contains(
        "<skipped message=\"suppressed: Break-glass roles, reviewed quarterly (nhiscan.toml:5)\"/>"
    ));
}

// ---- checks and thresholds from the config ----

#[test]
fn the_config_disables_checks_overrides_severity_and_sets_thresholds() {
    let toml = br#"
[thresholds]
rotation_days = 3650
[checks]
disable = ["user-with-direct-policies"]
severity = { "AWS-013" = "low" }
[aws]
trusted_accounts = ["999988887777", "444455556666"]
"#;
    let dir = dir_with(&[("nhiscan.toml", toml)]);
    let (_, base, _) = scan_in(tempfile::tempdir().unwrap().path(), &[&aws_demo()], &[]);
    let (code, report, stderr) = scan_in(dir.path(), &[&aws_demo()], &[]);
    assert_eq!(code, 0, "{stderr}");
    let count = |r: &Value, id: &str| r["summary"]["by_check"][id].as_u64().unwrap_or(0);
    assert_eq!((count(&base, "AWS-016"), count(&report, "AWS-016")), (4, 0));
    assert_eq!((count(&base, "AWS-010"), count(&report, "AWS-010")), (1, 0));
    assert_eq!(
        finding(&base, "AWS-013", "<root_account>")["severity"],
        "critical"
    );
    assert_eq!(
        finding(&report, "AWS-013", "<root_account>")["severity"],
        "low"
    );
    assert_eq!(report["thresholds"]["rotation_days"], 3650);
    assert_eq!(count(&base, "AWS-009"), 2);
    assert_eq!(count(&report, "AWS-009"), 0);
}

// ---- baselines ----

/// Copies the AWS demo's files into a fresh directory under new names (in order),
/// the authorization details re-serialised with `indent` spaces when given.
fn demo_as<S: AsRef<str>>(names: [S; 4], indent: Option<usize>) -> tempfile::TempDir {
    let originals = [
        "authorization-details.json",
        "credential-report.csv",
        "get-access-key-last-used.json",
        "list-access-keys.json",
    ];
    let dir = tempfile::tempdir().unwrap();
    for (original, name) in originals.iter().zip(names) {
        let mut bytes = std::fs::read(aws_demo().join(original)).unwrap();
        if let (Some(n), true) = (indent, original.starts_with("authorization")) {
            let v: Value = serde_json::from_slice(&bytes).unwrap();
            let pad = " ".repeat(n);
            bytes.clear();
            let fmt = serde_json::ser::PrettyFormatter::with_indent(pad.as_bytes());
            serde::Serialize::serialize(
                &v,
                &mut serde_json::Serializer::with_formatter(&mut bytes, fmt),
            )
            .unwrap();
        }
        let path = dir.path().join(name.as_ref());
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }
    dir
}

#[test]
fn fingerprints_survive_reordering_other_paths_and_line_shifts() {
    let work = tempfile::tempdir().unwrap();
    let baseline = work.path().join("baseline.json");
    let (code, first, _) = scan_in(
        work.path(),
        &[&aws_demo()],
        &["--write-baseline", baseline.to_str().unwrap()],
    );
    assert_eq!(code, 0);
    let written: Value =
        serde_json::from_str(&std::fs::read_to_string(&baseline).unwrap()).unwrap();
    assert_eq!(written["nhiscan_baseline"], 1);
    assert_eq!(written["created"], NOW);
    assert_eq!(written["findings"].as_array().unwrap().len(), 33);

    let same_names = [
        "authorization-details.json",
        "credential-report.csv",
        "get-access-key-last-used.json",
        "list-access-keys.json",
    ];
    let cases = [
        // The files in the opposite order (the walk sorts by name).
        (
            "reordered",
            demo_as(["d.json", "c.csv", "b.json", "a.json"], None),
        ),
        // The same names under other directories.
        (
            "other paths",
            demo_as(same_names.map(|n| format!("2027/export/{n}")), None),
        ),
        // Re-serialised with 4-space indentation: every line number moves.
        ("line shifts", demo_as(same_names, Some(4))),
    ];
    for (case, dir) in &cases {
        let (code, again, stderr) = scan_in(
            work.path(),
            &[dir.path()],
            &["--baseline", baseline.to_str().unwrap(), "--fail-on", "low"],
        );
        assert_eq!(code, 0, "{case}: {stderr}");
        assert_eq!(fingerprints(&again), fingerprints(&first), "{case}");
        assert_eq!(again["baseline"]["new"], 0, "{case}");
        assert_eq!(again["baseline"]["unchanged"], 33, "{case}");
        assert!(
            stderr.contains("gate passed: no new unsuppressed finding at or above low (33 findings, 33 in the baseline, 0 fixed since)"),
            "{case}: {stderr}"
        );
    }
    // The line shift really moved the findings.
    let (_, shifted, _) = scan_in(work.path(), &[cases[2].1.path()], &[]);
    assert_ne!(
        finding(&shifted, "AWS-001", "contoso-legacy-admin")["location"]["line"],
        finding(&first, "AWS-001", "contoso-legacy-admin")["location"]["line"]
    );
}

#[test]
fn with_a_baseline_only_new_findings_trip_the_gate_and_fixed_ones_are_reported() {
    let work = tempfile::tempdir().unwrap();
    let baseline = work.path().join("baseline.json");
    scan_in(
        work.path(),
        &[&aws_demo()],
        &["--write-baseline", baseline.to_str().unwrap()],
    );
    let b = baseline.to_str().unwrap();

    // gha-legacy-deploy is fixed (removed); gha-new-deploy repeats its mistake.
    let copy = aws_copy("authz.json", 4, |d| {
        let roles = roles(d);
        let i = roles
            .iter()
            .position(|r| r["RoleName"] == "gha-legacy-deploy")
            .unwrap();
        let mut r = roles.remove(i);
        r["RoleName"] = "gha-new-deploy".into();
        r["Arn"] = "arn:aws:iam::111122223333:role/gha-new-deploy".into();
        roles.push(r);
    });
    let (code, report, stderr) = scan_in(
        work.path(),
        &[copy.path()],
        &["--baseline", b, "--fail-on", "critical"],
    );
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(report["gate"]["failing"], 1);
    assert_eq!(report["gate"]["failing_by_check"]["AWS-003"], 1);
    assert_eq!(report["baseline"]["new"], 1);
    assert_eq!(report["baseline"]["unchanged"], 32);
    let fixed = report["baseline"]["fixed"].as_array().unwrap();
    assert_eq!(fixed.len(), 1);
    assert_eq!(
        (fixed[0]["check_id"].as_str(), fixed[0]["name"].as_str()),
        (Some("AWS-003"), Some("gha-legacy-deploy"))
    );
    assert_eq!(
        finding(&report, "AWS-003", "gha-new-deploy")["baseline"],
        "new"
    );
    assert_eq!(
        finding(&report, "AWS-001", "ops-automation")["baseline"],
        "unchanged"
    );
    assert!(stderr.contains("gate failed: 1 new unsuppressed finding(s) at or above --fail-on critical (AWS-003 x1; 33 findings, 32 in the baseline, 1 fixed since)"), "{stderr}");
}

#[test]
fn a_change_in_substance_changes_the_fingerprint() {
    let work = tempfile::tempdir().unwrap();
    let baseline = work.path().join("baseline.json");
    scan_in(
        work.path(),
        &[&aws_demo()],
        &["--write-baseline", baseline.to_str().unwrap()],
    );
    // contoso-secrets-broker gains a wildcard on STS as well: the AWS-017 finding
    // now names three services, which is a different finding from the old one.
    let copy = aws_copy("authz.json", 2, |d| {
        let r = roles(d)
            .iter_mut()
            .find(|r| r["RoleName"] == "contoso-secrets-broker")
            .unwrap();
        r["RolePolicyList"] = serde_json::json!([{"PolicyName": "sts-all", "PolicyDocument":
            {"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "sts:*", "Resource": "*"}}}]);
    });
    let (_, report, _) = scan_in(
        work.path(),
        &[copy.path()],
        &["--baseline", baseline.to_str().unwrap()],
    );
    let f = finding(&report, "AWS-017", "contoso-secrets-broker");
    assert_eq!(
        f["evidence"]["services"],
        serde_json::json!(["sts", "kms", "secretsmanager"])
    );
    assert_eq!(f["baseline"], "new");
    let fixed: Vec<&str> = report["baseline"]["fixed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["name"].as_str().unwrap())
        .collect();
    assert_eq!(fixed, ["contoso-secrets-broker"]);
}

// ---- init ----

#[test]
fn init_writes_a_commented_default_that_scans_like_no_config() {
    let dir = tempfile::tempdir().unwrap();
    nhiscan()
        .current_dir(dir.path())
        .arg("init")
        .assert()
        .code(0);
    let text = std::fs::read_to_string(dir.path().join("nhiscan.toml")).unwrap();
    assert!(text.contains("# rotation_days = 90"));
    // It refuses to overwrite, unless told to.
    nhiscan()
        .current_dir(dir.path())
        .arg("init")
        .assert()
        .code(2);
    nhiscan()
        .current_dir(dir.path())
        .args(["init", "--force"])
        .assert()
        .code(0);
    let (code, with, _) = scan_in(dir.path(), &[&aws_demo()], &[]);
    let (_, without, _) = scan_in(dir.path(), &[&aws_demo()], &["--no-config"]);
    assert_eq!(code, 0);
    assert_eq!(fingerprints(&with), fingerprints(&without));
    assert_eq!(with["config"][0], "nhiscan.toml");
}

#[test]
fn the_html_report_says_why_a_finding_does_not_count() {
    let text = suppressed_scan("html");
    let html = text;
    assert_eq!(
        html.matches("suppressed: Break-glass roles, reviewed quarterly (nhiscan.toml:5)")
            .count(),
        2
    );
}
