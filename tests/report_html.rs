//! The HTML report (`nhiscan scan --format html`): one self-contained file that
//! loads nothing from the network, holds the summary, charts, compliance,
//! visibility, findings, identities and the check catalog, is byte-identical
//! across runs, and renders in a real headless Chromium without script errors.
//!
//! The browser tests need Chromium. Install it with
//! `apt-get install -y --no-install-recommends chromium` (Debian; `.ci/run` does
//! this), or point `NHISCAN_CHROMIUM` at a Chromium or Chrome binary. Without
//! one they fail, unless `NHISCAN_SKIP_BROWSER=1` is set, which skips them.
//! The demo screenshot is written to `target/test-artifacts/report.png`.
//!
//! The large test (about 100,000 findings) is ignored by default. It scans a
//! synthetic tenant written by `examples/synth.rs`:
//!
//! ```sh
//! cargo build --release --example synth
//! cargo test --test report_html -- --ignored --nocapture
//! ```
//!
//! `NHISCAN_LARGE_IDENTITIES` sets the tenant size (default 24,000 service
//! principals, which give about 103,000 findings).

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::*;
use regex::Regex;
use serde_json::Value;

/// Runs `nhiscan scan --now NOW --format <format> <args>` and returns stdout.
fn scan(format: &str, args: &[&str]) -> String {
    let out = nhiscan()
        .current_dir(root())
        .args(["scan", "--now", NOW, "--format", format])
        .args(args)
        .output()
        .expect("runs");
    assert_eq!(
        out.status.code(),
        Some(0),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8")
}

fn demo_args() -> Vec<&'static str> {
    let mut args = DEMOS.to_vec();
    args.extend(GCP_RESOURCE);
    args
}

/// The text of the JSON data block.
fn data_block(html: &str) -> &str {
    let open = "<script type=\"application/json\" id=\"data\">";
    let start = html.find(open).expect("data block") + open.len();
    let end = start + html[start..].find("</script>").expect("data block ends");
    &html[start..end]
}

/// The page with the text of every script and style element removed, so that
/// only markup is left to inspect.
fn markup(html: &str) -> String {
    let re = Regex::new(r"(?s)(<(script|style)\b[^>]*>).*?(</(script|style)>)").unwrap();
    re.replace_all(html, "$1$3").into_owned()
}

/// Every way the page could make a request: fails with the offending tag.
fn assert_self_contained(html: &str) {
    let csp = Regex::new(r#"<meta http-equiv="Content-Security-Policy" content="([^"]*)">"#)
        .unwrap()
        .captures(html)
        .expect("a Content-Security-Policy meta element");
    assert!(
        csp[1].starts_with("default-src &#39;none&#39;;")
            || csp[1].starts_with("default-src 'none';"),
        "{}",
        &csp[1]
    );
    let tags = Regex::new(r#"<([a-zA-Z][a-zA-Z0-9:-]*)((?:[^>"']|"[^"]*"|'[^']*')*)>"#).unwrap();
    let attrs = Regex::new(r#"([a-zA-Z_:][-a-zA-Z0-9_:.]*)\s*=\s*"([^"]*)""#).unwrap();
    let page = markup(html);
    let mut links = 0;
    for tag in tags.captures_iter(&page) {
        let name = tag[1].to_ascii_lowercase();
        assert!(
            ![
                "img", "iframe", "frame", "object", "embed", "video", "audio", "source", "track",
                "base", "applet", "picture", "portal", "use", "image", "feimage",
            ]
            .contains(&name.as_str()),
            "a <{name}> element: {}",
            &tag[0]
        );
        for a in attrs.captures_iter(&tag[2]) {
            let attr = a[1].to_ascii_lowercase();
            let value = &a[2];
            assert!(
                ![
                    "src",
                    "srcset",
                    "poster",
                    "background",
                    "action",
                    "formaction",
                    "ping",
                    "xlink:href",
                    "style",
                    "manifest",
                    "data",
                ]
                .contains(&attr.as_str()),
                "attribute {attr} in {}",
                &tag[0]
            );
            if attr == "href" {
                match name.as_str() {
                    // Links are followed only when clicked: the catalog's references.
                    "a" => {
                        links += 1;
                        assert!(
                            value.starts_with('#') || value.starts_with("https://"),
                            "{}",
                            &tag[0]
                        );
                    }
                    "link" => assert!(value.starts_with("data:"), "{}", &tag[0]),
                    _ => panic!("href on <{name}>: {}", &tag[0]),
                }
            }
        }
    }
    assert!(links > 0, "the page has in-page and reference links");
    let code = Regex::new(r"(?s)<(script|style)\b([^>]*)>(.*?)</(script|style)>").unwrap();
    let mut scripts = 0;
    for c in code.captures_iter(html) {
        assert!(!c[2].contains("src"), "{}", &c[2]);
        if c[2].contains("application/json") {
            continue;
        }
        scripts += usize::from(&c[1] == "script");
        let text = c[3].to_ascii_lowercase();
        for bad in [
            "http://",
            "https://",
            "url(",
            "@import",
            "fetch(",
            "xmlhttprequest",
            "websocket",
            "eventsource",
            "sendbeacon",
            "import(",
            "innerhtml",
            "outerhtml",
            "insertadjacenthtml",
            "document.write",
            "date.now",
            "new date",
            "math.random",
        ] {
            assert!(!text.contains(bad), "{bad} in a <{}> element", &c[1]);
        }
    }
    assert_eq!(scripts, 2, "the error guard and the report script");
}

#[test]
fn html_report_is_self_contained_complete_and_deterministic() {
    let args = demo_args();
    let html = scan("html", &args);
    let json: Value = serde_json::from_str(&scan("json", &args)).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>\n<html lang=\"en\">"));
    assert!(html.ends_with("</html>\n"));
    assert_self_contained(&html);

    // The executive summary.
    for text in [
        "Executive summary",
        NOW,
        "a1b2c3d4-0000-4000-8000-00000000c0de",
        "Top 5 riskiest identities",
        "111122223333",
        "contoso-prod",
        "Visibility score",
    ] {
        assert!(html.contains(text), "{text}");
    }
    let risk = json["risk"].as_array().unwrap();
    for r in risk.iter().take(5) {
        let row = format!(
            "data-risk=\"{}\">{}</button>",
            risk.iter().position(|x| x == r).unwrap(),
            r["name"].as_str().unwrap()
        );
        assert!(html.contains(&row), "{row}");
    }
    assert!(!html.contains("data-risk=\"5\""), "only the top 5");
    let findings = json["summary"]["findings"].as_u64().unwrap();
    assert!(html.contains(&format!("data-findings=\"{findings}\"")));

    // Charts, compliance and visibility, as inline SVG.
    for id in [
        "chart-severity",
        "chart-owasp",
        "chart-nist",
        "chart-ages",
        "chart-expiry",
    ] {
        let at = html
            .find(&format!("<figure id=\"{id}\">"))
            .unwrap_or_else(|| panic!("{id}"));
        assert!(html[at..].find("<svg").unwrap() < 200, "{id} has an SVG");
    }
    assert!(html.matches("<svg").count() >= 5);
    for control in ["PR.AA-01", "PR.AA-05", "NHI5:2025", "NHI10:2025"] {
        assert!(html.contains(control), "{control}");
    }
    for g in json["visibility"]["groups"].as_array().unwrap() {
        let row = format!(
            "<tr><td>{}</td><td>{}</td>",
            g["provider"].as_str().unwrap(),
            g["kind"].as_str().unwrap()
        );
        assert!(html.contains(&row), "{row}");
    }

    // The check catalog: every check, with its remediation.
    for m in nhiscan::checks::meta::ALL_META.iter() {
        assert!(
            html.contains(&format!("<tr id=\"check-{}\">", m.id)),
            "{}",
            m.id
        );
    }
    assert!(html.contains("<summary>Remediation</summary>"));

    // The data block: JSON with every finding, and no '<' at all.
    let data = data_block(&html);
    assert!(!data.contains('<'));
    let data: Value = serde_json::from_str(data).expect("the data block is JSON");
    assert_eq!(data["findings"].as_array().unwrap().len() as u64, findings);
    let first = &json["findings"][0];
    let row = &data["findings"][0];
    assert_eq!(
        data["checks"][row[1].as_u64().unwrap() as usize][0],
        first["check_id"]
    );
    assert_eq!(
        data["identities"][row[2].as_u64().unwrap() as usize][1],
        first["identity"]["name"]
    );
    assert_eq!(row[3], first["message"]);
    assert_eq!(row[6], first["fingerprint"]);
    assert_eq!(row[7], first["evidence"]);

    // Deterministic: a second run, and --output-dir, give the same bytes.
    assert_eq!(html, scan("html", &args), "the HTML differs between runs");
    let dir = tempfile::tempdir().unwrap();
    let mut with_dir = args.clone();
    let out_dir = dir.path().to_str().unwrap();
    with_dir.extend(["--output-dir", out_dir]);
    scan("html,json", &with_dir);
    assert_eq!(
        std::fs::read_to_string(dir.path().join("nhiscan.html")).unwrap(),
        html
    );
}

/// A Kubernetes export whose names try to break out of the page.
fn hostile_export() -> tempfile::TempDir {
    let name = "evil</script><script>document.body.dataset.pwned='1'</script><!--<img src=x onerror=\"document.body.dataset.pwned='2'\">'&amp;";
    let export = serde_json::json!({
        "apiVersion": "v1", "kind": "List", "metadata": {},
        "items": [
            {"apiVersion": "v1", "kind": "ServiceAccount",
             "metadata": {"name": name, "namespace": "ns<b>", "uid": "u1",
                          "creationTimestamp": "2025-01-01T00:00:00Z"}},
            {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
             "metadata": {"name": "admin</script>", "uid": "u2"},
             "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "cluster-admin"},
             "subjects": [{"kind": "ServiceAccount", "name": name, "namespace": "ns<b>"}]}
        ]
    });
    dir_with(&[("cluster.json", export.to_string().as_bytes())])
}

#[test]
fn text_from_exports_cannot_break_out_of_the_page() {
    let dir = hostile_export();
    let html = scan("html", &[dir.path().to_str().unwrap()]);
    assert!(
        html.contains("data-findings=\"1\""),
        "the binding is reported"
    );
    assert!(!html.contains("<script>document"));
    assert!(!html.contains("<img"));
    assert!(!html.contains("<b>"));
    assert!(html.contains("ns&lt;b&gt;/evil&lt;/script&gt;&lt;script&gt;document.body.dataset.pwned=&#39;1&#39;&lt;/script&gt;&lt;!--&lt;img"));
    assert_self_contained(&html);
    let data = data_block(&html);
    assert!(!data.contains('<'));
    let data: Value = serde_json::from_str(data).unwrap();
    assert!(
        data["identities"][0][1]
            .as_str()
            .unwrap()
            .starts_with("ns<b>/evil</script><script>")
    );
}

// ---- headless Chromium ---------------------------------------------------

/// The Chromium to use: `NHISCAN_CHROMIUM`, else `chromium` on the PATH, else
/// `/usr/bin/chromium`. `None` (after a notice) when there is none and
/// `NHISCAN_SKIP_BROWSER=1`; a failure with install instructions otherwise.
fn chromium(test: &str) -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("NHISCAN_CHROMIUM").filter(|p| !p.is_empty()) {
        let path = PathBuf::from(path);
        assert!(
            path.is_file(),
            "NHISCAN_CHROMIUM={} is not a file",
            path.display()
        );
        return Some(path);
    }
    let on_path = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .flat_map(|dir| ["chromium", "chromium-browser"].map(|n| dir.join(n)))
            .find(|p| p.is_file())
    });
    if let Some(p) = on_path.or_else(|| {
        let p = PathBuf::from("/usr/bin/chromium");
        p.is_file().then_some(p)
    }) {
        return Some(p);
    }
    if std::env::var("NHISCAN_SKIP_BROWSER").as_deref() == Ok("1") {
        eprintln!("skipped {test}: no Chromium, and NHISCAN_SKIP_BROWSER=1");
        return None;
    }
    panic!(
        "{test} renders the HTML report in headless Chromium, and none was found.\n\
         Install it (Debian/Ubuntu): sudo apt-get update && sudo apt-get install -y --no-install-recommends chromium\n\
         or set NHISCAN_CHROMIUM=/path/to/chromium, or set NHISCAN_SKIP_BROWSER=1 to skip the browser tests."
    )
}

/// Runs headless Chromium on a local file with a fresh profile and no network
/// chatter, and returns its stdout. Fails after `timeout`.
fn run_chromium(bin: &Path, page: &Path, args: &[&str], timeout: Duration) -> String {
    let profile = tempfile::tempdir().unwrap();
    let url = format!("file://{}", page.canonicalize().unwrap().display());
    let mut child = Command::new(bin)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-extensions",
            "--hide-scrollbars",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(args)
        .arg(&url)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}", bin.display()));
    // Read stdout on a thread so that a large DOM cannot fill the pipe.
    let mut stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut stdout, &mut s).map(|_| s)
    });
    let mut stderr = child.stderr.take().unwrap();
    let errors = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = std::io::Read::read_to_string(&mut stderr, &mut s);
        s
    });
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > timeout {
            let _ = child.kill();
            let _ = child.wait();
            panic!("Chromium did not finish within {timeout:?} on {url}");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let out = reader.join().unwrap().expect("Chromium's output is UTF-8");
    let err = errors.join().unwrap();
    assert!(status.success(), "Chromium failed ({status}): {err}");
    out
}

/// The value of `attr` on the first element whose opening tag contains `marker`.
fn attr_of(dom: &str, marker: &str, attr: &str) -> Option<String> {
    let at = dom.find(marker)?;
    let open = dom[..=at].rfind('<')?;
    let end = at + dom[at..].find('>')?;
    let tag = &dom[open..end];
    let key = format!(" {attr}=\"");
    let start = tag.find(&key)? + key.len();
    let len = tag[start..].find('"')?;
    Some(tag[start..start + len].to_string())
}

/// Checks what the page's script reports about itself in a dumped DOM, and
/// returns (rows on the page, total rows after filters).
fn assert_rendered(dom: &str) -> (usize, usize) {
    let body = &dom[dom.find("<body").expect("a body")..];
    let body_tag = &body[..body.find('>').unwrap()];
    if let Some(errors) = attr_of(dom, "<body", "data-js-errors") {
        panic!("the page recorded script errors:\n{errors}");
    }
    assert!(
        body_tag.contains("data-rendered=\"true\""),
        "the script did not finish rendering: {body_tag}"
    );
    let rows: usize = attr_of(dom, "id=\"findings-table\"", "data-rows")
        .unwrap()
        .parse()
        .unwrap();
    let total: usize = attr_of(dom, "id=\"findings-table\"", "data-total")
        .unwrap()
        .parse()
        .unwrap();
    (rows, total)
}

#[test]
fn html_report_renders_in_headless_chromium() {
    let Some(bin) = chromium("html_report_renders_in_headless_chromium") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("nhiscan.html");
    std::fs::write(&page, scan("html", &demo_args())).unwrap();
    let json: Value = serde_json::from_str(&scan("json", &demo_args())).unwrap();
    let findings = json["findings"].as_array().unwrap().len();

    let dom = run_chromium(
        &bin,
        &page,
        &["--virtual-time-budget=5000", "--dump-dom"],
        Duration::from_secs(120),
    );
    let (rows, total) = assert_rendered(&dom);
    assert_eq!(rows, findings.min(100), "one page of rows");
    assert_eq!(total, findings);
    assert_eq!(dom.matches("<tr class=\"row\"").count(), rows);
    let identities: usize = attr_of(&dom, "id=\"identities-table\"", "data-rows")
        .unwrap()
        .parse()
        .unwrap();
    assert!(identities > 0, "the identity list has rows");
    let top = json["risk"][0]["name"].as_str().unwrap();
    let detail = &dom[dom.find("id=\"identity-detail\"").unwrap()..];
    assert!(
        detail.starts_with(&format!(
            "id=\"identity-detail\" class=\"detail\" aria-live=\"polite\"><h3>{top}</h3>"
        )),
        "the riskiest identity is open: {}",
        &detail[..200.min(detail.len())]
    );
    for id in [
        "chart-severity",
        "chart-owasp",
        "chart-nist",
        "chart-ages",
        "chart-expiry",
    ] {
        assert!(dom.contains(&format!("<figure id=\"{id}\">")), "{id}");
    }
    assert!(dom.matches("<svg").count() >= 5);

    // A screenshot to look at (target/ is not in git).
    let artifacts = root().join("target/test-artifacts");
    std::fs::create_dir_all(&artifacts).unwrap();
    let png = artifacts.join("report.png");
    let _ = std::fs::remove_file(&png);
    run_chromium(
        &bin,
        &page,
        &[
            "--virtual-time-budget=5000",
            &format!("--screenshot={}", png.display()),
            "--window-size=1400,2000",
        ],
        Duration::from_secs(120),
    );
    let bytes = std::fs::read(&png).expect("the screenshot was written");
    assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n") && bytes.len() > 10_000);
    eprintln!("screenshot: {}", png.display());

    // Names that try to break out stay text.
    let hostile = hostile_export();
    let page = dir.path().join("hostile.html");
    std::fs::write(&page, scan("html", &[hostile.path().to_str().unwrap()])).unwrap();
    let dom = run_chromium(
        &bin,
        &page,
        &["--virtual-time-budget=5000", "--dump-dom"],
        Duration::from_secs(120),
    );
    assert_eq!(assert_rendered(&dom), (1, 1));
    assert!(!dom.contains("data-pwned"), "a name ran as script");
    assert!(dom.contains("ns&lt;b&gt;/evil&lt;/script&gt;&lt;script&gt;"));
}

/// The synth example, built by `cargo build [--release] --example synth`.
fn synth() -> PathBuf {
    ["release", "debug"]
        .iter()
        .map(|p| root().join("target").join(p).join("examples/synth"))
        .find(|p| p.is_file())
        .expect("build the generator first: cargo build --release --example synth")
}

#[test]
#[ignore = "large: about 100,000 findings; run with --ignored (see the module docs)"]
fn large_html_report_stays_responsive() {
    let bin = chromium("large_html_report_stays_responsive");
    let identities = std::env::var("NHISCAN_LARGE_IDENTITIES").unwrap_or_else(|_| "24000".into());
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("tenant");
    let status = Command::new(synth())
        .args(["--provider", "entra", "--identities", &identities, "--out"])
        .arg(&input)
        .status()
        .unwrap();
    assert!(status.success());

    let page = dir.path().join("nhiscan.html");
    let start = Instant::now();
    nhiscan()
        .args(["scan", "--now", NOW, "--format", "html", "--output"])
        .arg(&page)
        .arg(&input)
        .assert()
        .success();
    let scan_time = start.elapsed();
    let html = std::fs::read_to_string(&page).unwrap();
    let findings: usize = attr_of(&html, "id=\"findings-table\"", "data-findings")
        .unwrap()
        .parse()
        .unwrap();
    assert!(findings >= 90_000, "{findings} findings");
    eprintln!(
        "{identities} identities: {findings} findings, HTML {:.1} MB, written in {:.1} s (this build's nhiscan, scan included)",
        html.len() as f64 / 1e6,
        scan_time.as_secs_f64()
    );
    let Some(bin) = bin else { return };

    let start = Instant::now();
    let dom = run_chromium(
        &bin,
        &page,
        &["--virtual-time-budget=5000", "--dump-dom"],
        Duration::from_secs(300),
    );
    let dump_time = start.elapsed();
    let (rows, total) = assert_rendered(&dom);
    assert_eq!((rows, total), (100, findings));
    assert_eq!(
        dom.matches("<tr class=\"row\"").count(),
        100,
        "one page of rows in the DOM"
    );
    let render_ms = attr_of(&dom, "<body", "data-render-ms").unwrap();

    let png = dir.path().join("large.png");
    let start = Instant::now();
    run_chromium(
        &bin,
        &page,
        &[
            "--virtual-time-budget=5000",
            &format!("--screenshot={}", png.display()),
            "--window-size=1400,2000",
        ],
        Duration::from_secs(300),
    );
    let shot_time = start.elapsed();
    eprintln!(
        "Chromium: page rendered {render_ms} ms after navigation; --dump-dom took {:.1} s, --screenshot {:.1} s (browser start included)",
        dump_time.as_secs_f64(),
        shot_time.as_secs_f64()
    );
}

#[test]
fn the_identity_view_carries_each_identitys_credentials_and_grants() {
    let html = scan("html", &demo_args());
    let data: Value = serde_json::from_str(data_block(&html)).unwrap();
    let identities = data["identities"].as_array().unwrap();
    let holdings = data["holdings"].as_array().unwrap();
    assert_eq!(identities.len(), holdings.len());
    let of = |name: &str| {
        let i = identities.iter().position(|x| x[1] == name).unwrap();
        &holdings[i]
    };
    // Contoso Tenant Provisioning has a certificate and Tier-0 directory roles.
    let provisioning = of("Contoso Tenant Provisioning");
    assert!(
        provisioning[0]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c[0] == "certificate" && c[3] == "2027-09-01T00:00:00Z")
    );
    assert!(
        provisioning[1]
            .as_array()
            .unwrap()
            .iter()
            .any(|g| g[3] == "tier0")
    );
}
