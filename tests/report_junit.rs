//! `--format junit`: a well-formed JUnit document with a suite per check, a test
//! case per (check, identity) and a failure per finding.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use common::*;
use serde_json::Value;

fn scan(format: &str, paths: &[PathBuf]) -> String {
    let out = nhiscan()
        .args(["scan", "--format", format, "--now", NOW])
        .args(GCP_RESOURCE)
        .args(paths)
        .output()
        .expect("runs");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8")
}

/// One element: its name, attributes (unescaped) and child elements.
#[derive(Debug, Default)]
struct Element {
    name: String,
    attrs: BTreeMap<String, String>,
    children: Vec<Element>,
}

fn unescape(s: &str) -> String {
    assert!(!s.contains('<'), "raw < in {s:?}");
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        let end = rest[i..].find(';').expect("entity ends with ;") + i;
        out.push_str(match &rest[i..=end] {
            "&amp;" => "&",
            "&lt;" => "<",
            "&gt;" => ">",
            "&quot;" => "\"",
            "&apos;" => "'",
            "&#10;" => "\n",
            "&#9;" => "\t",
            "&#13;" => "\r",
            other => panic!("unexpected entity {other}"),
        });
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    out
}

/// A minimal XML reader for this document: checks that tags nest, attributes are
/// quoted and text holds no raw markup; returns the root element.
fn parse(xml: &str) -> Element {
    let body = xml
        .strip_prefix("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
        .expect("XML declaration");
    let mut stack: Vec<Element> = vec![Element::default()];
    let mut rest = body;
    while !rest.is_empty() {
        let lt = rest.find('<').unwrap_or(rest.len());
        unescape(&rest[..lt]);
        rest = &rest[lt..];
        if rest.is_empty() {
            break;
        }
        let gt = rest.find('>').expect("tag ends");
        let tag = &rest[1..gt];
        rest = &rest[gt + 1..];
        if let Some(name) = tag.strip_prefix('/') {
            let done = stack.pop().unwrap();
            assert_eq!(done.name, name, "mismatched close tag");
            stack.last_mut().unwrap().children.push(done);
            continue;
        }
        let self_closing = tag.ends_with('/');
        let tag = tag.trim_end_matches('/');
        let (name, mut attrs) = tag.split_once(' ').unwrap_or((tag, ""));
        let mut el = Element {
            name: name.to_string(),
            ..Element::default()
        };
        while !attrs.trim().is_empty() {
            let (key, after) = attrs
                .trim_start()
                .split_once("=\"")
                .expect("quoted attribute");
            let close = after.find('"').expect("attribute closes");
            let old = el.attrs.insert(key.to_string(), unescape(&after[..close]));
            assert!(old.is_none(), "duplicate attribute {key}");
            attrs = &after[close + 1..];
        }
        if self_closing {
            stack.last_mut().unwrap().children.push(el);
        } else {
            stack.push(el);
        }
    }
    assert_eq!(stack.len(), 1, "unclosed elements");
    let mut top = stack.pop().unwrap().children;
    assert_eq!(top.len(), 1, "one root element");
    top.pop().unwrap()
}

fn num(e: &Element, key: &str) -> usize {
    e.attrs[key].parse().unwrap()
}

#[test]
fn junit_has_a_suite_per_check_and_a_failure_per_finding() {
    let dirs = demos();
    let xml = scan("junit", &dirs);
    let doc = parse(&xml);
    assert_eq!(doc.name, "testsuites");

    let paths: Vec<&Path> = dirs.iter().map(PathBuf::as_path).collect();
    let (_, report, _) = json("scan", &paths, &GCP_RESOURCE);
    let findings = report["findings"].as_array().unwrap();
    let catalog: Value = serde_json::from_slice(
        &nhiscan()
            .args(["checks", "--format", "json"])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    let mut ids: Vec<&str> = catalog
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap())
        .collect();
    ids.sort();

    let suites: Vec<&Element> = doc.children.iter().collect();
    let names: Vec<&str> = suites
        .iter()
        .map(|s| s.attrs["name"].split(' ').next().unwrap())
        .collect();
    assert_eq!(names, ids, "every check is a suite, sorted by id");

    let (mut tests, mut failing, mut failures) = (0, 0, 0);
    for s in &suites {
        assert_eq!(s.name, "testsuite");
        assert_eq!(s.attrs["time"], "0");
        let cases: Vec<&Element> = s.children.iter().filter(|c| c.name == "testcase").collect();
        assert_eq!(num(s, "tests"), cases.len());
        let failed = cases.iter().filter(|c| !c.children.is_empty()).count();
        assert_eq!(num(s, "failures"), failed);
        let mut case_names = std::collections::BTreeSet::new();
        for c in &cases {
            assert_eq!(c.attrs["time"], "0");
            assert!(
                case_names.insert(c.attrs["name"].clone()),
                "duplicate test case name"
            );
            for f in &c.children {
                assert_eq!(f.name, "failure");
                assert!(
                    ["critical", "high", "medium", "low", "info"]
                        .contains(&f.attrs["type"].as_str())
                );
                assert!(!f.attrs["message"].is_empty());
                failures += 1;
            }
        }
        tests += cases.len();
        failing += failed;
    }
    assert_eq!(failures, findings.len());
    assert_eq!(xml.matches("<failure ").count(), findings.len());
    assert_eq!(xml.matches("<testcase ").count(), tests);
    assert_eq!(num(&doc, "tests"), tests);
    assert_eq!(num(&doc, "failures"), failing);

    // Each (check, identity) with findings is one test case, named after the identity.
    let mut expected: BTreeMap<(String, String), usize> = BTreeMap::new();
    for f in findings {
        *expected
            .entry((
                f["check_id"].as_str().unwrap().to_string(),
                f["identity"]["name"].as_str().unwrap().to_string(),
            ))
            .or_default() += 1;
    }
    let mut seen: BTreeMap<(String, String), usize> = BTreeMap::new();
    for s in &suites {
        for c in s
            .children
            .iter()
            .filter(|c| c.name == "testcase" && !c.children.is_empty())
        {
            *seen
                .entry((c.attrs["classname"].clone(), c.attrs["name"].clone()))
                .or_default() += c.children.len();
        }
    }
    assert_eq!(seen, expected);
}

#[test]
fn checks_without_findings_pass() {
    let xml = scan("junit", &[root().join("testdata/entra/contoso")]);
    let doc = parse(&xml);
    let aws = doc
        .children
        .iter()
        .find(|s| s.attrs["name"].starts_with("AWS-001 "))
        .expect("AWS-001 suite");
    assert_eq!(num(aws, "tests"), 1);
    assert_eq!(num(aws, "failures"), 0);
    let case = aws.children.iter().find(|c| c.name == "testcase").unwrap();
    assert_eq!(case.attrs["classname"], "AWS-001");
    assert!(case.children.is_empty(), "a passing test case");
    assert!(num(&doc, "tests") > num(&doc, "failures"));
}

#[test]
fn junit_is_byte_identical_across_runs() {
    assert_eq!(scan("junit", &demos()), scan("junit", &demos()));
}

#[test]
fn junit_never_contains_a_secret_value_and_lists_input_errors() {
    const CANARY: &str = "CANARY-9c4e02-junit-secret";
    let apps = format!(
        r#"[{{"id":"a1","appId":"b1","displayName":"Leaky <&> \"q\"","signInAudience":"AzureADMyOrg","requiredResourceAccess":[],
  "passwordCredentials":[{{"keyId":"k1","displayName":"new","secretText":"{CANARY}","hint":"CAN","startDateTime":"2026-10-01T00:00:00Z","endDateTime":"2027-01-01T00:00:00Z"}}]}}]"#
    );
    let dir = dir_with(&[
        ("apps.json", apps.as_bytes()),
        (
            "broken.json",
            format!(r#"{{"value":[{{"secretText":"{CANARY}" "#).as_bytes(),
        ),
    ]);
    let out = nhiscan()
        .args(["scan", "--format", "junit", "--now", NOW])
        .arg(dir.path())
        .output()
        .unwrap();
    let xml = String::from_utf8(out.stdout).unwrap();
    assert!(!xml.contains("CANARY"), "JUnit leaks the secret");
    let doc = parse(&xml);
    assert_eq!(num(&doc, "errors"), 1);
    let inputs = doc.children.last().unwrap();
    assert_eq!(inputs.attrs["name"], "nhiscan inputs");
    assert_eq!(inputs.children[0].children[0].name, "error");
    // Names with markup characters survive escaping.
    assert!(doc.children.iter().any(|s| {
        s.children
            .iter()
            .any(|c| c.attrs.get("name").is_some_and(|n| n == "Leaky <&> \"q\""))
    }));
}
