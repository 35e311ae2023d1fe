//! `nhiscan collect` against a local HTTP server on 127.0.0.1 that plays recorded
//! pages and the failures collectors meet: nextLink chains, 429 with Retry-After,
//! bursts of 503, a stalled response, malformed JSON and 403 on the beta reports.

mod common;

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::*;
use serde_json::{Value, json};

const TOKEN: &str = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.canary-token-7f3a9c.signature";
const TENANT: &str = "a1b2c3d4-0000-4000-8000-00000000c0de";

/// What the server answers for one request.
struct Reply {
    status: u16,
    headers: Vec<(&'static str, String)>,
    body: String,
    /// Sleep before answering (a stalled response).
    delay: Duration,
}

fn ok(body: Value) -> Reply {
    Reply {
        status: 200,
        headers: vec![],
        body: body.to_string(),
        delay: Duration::ZERO,
    }
}

fn status(code: u16, headers: Vec<(&'static str, String)>) -> Reply {
    Reply {
        status: code,
        headers,
        body: json!({"error": {"code": "x", "message": "y"}}).to_string(),
        delay: Duration::ZERO,
    }
}

type Router = dyn Fn(&str, usize) -> Reply + Send + Sync;

/// A one-thread-per-connection HTTP/1.1 server; `route(path_and_query, n)` answers
/// the n-th request (from 1) for that path. Requests and their Authorization
/// headers are recorded.
struct Server {
    base: String,
    seen: Arc<Mutex<Vec<(String, String)>>>,
}

impl Server {
    fn start(route: Box<Router>) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let seen: Arc<Mutex<Vec<(String, String)>>> = Arc::default();
        let counts: Arc<Mutex<BTreeMap<String, usize>>> = Arc::default();
        let route: Arc<Router> = Arc::from(route);
        let (seen2, base2) = (seen.clone(), base.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (route, seen, counts, base) =
                    (route.clone(), seen2.clone(), counts.clone(), base2.clone());
                std::thread::spawn(move || {
                    let _ = serve(stream, &*route, &seen, &counts, &base);
                });
            }
        });
        Server { base, seen }
    }

    fn requests(&self, path: &str) -> usize {
        self.seen
            .lock()
            .unwrap()
            .iter()
            .filter(|(p, _)| p == path)
            .count()
    }
}

fn serve(
    mut stream: TcpStream,
    route: &Router,
    seen: &Mutex<Vec<(String, String)>>,
    counts: &Mutex<BTreeMap<String, usize>>,
    base: &str,
) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 {
            return Ok(());
        }
        let path = line.split_whitespace().nth(1).unwrap_or("").to_string();
        let mut auth = String::new();
        let mut length = 0usize;
        loop {
            let mut h = String::new();
            reader.read_line(&mut h)?;
            let h = h.trim_end();
            if h.is_empty() {
                break;
            }
            if let Some((k, v)) = h.split_once(':') {
                if k.eq_ignore_ascii_case("authorization") {
                    auth = v.trim().to_string();
                }
                if k.eq_ignore_ascii_case("content-length") {
                    length = v.trim().parse().unwrap_or(0);
                }
            }
        }
        let mut body = vec![0; length];
        reader.read_exact(&mut body)?;
        seen.lock().unwrap().push((path.clone(), auth));
        let n = {
            let mut c = counts.lock().unwrap();
            let n = c.entry(path.clone()).or_default();
            *n += 1;
            *n
        };
        let reply = route(&path, n);
        std::thread::sleep(reply.delay);
        let body = reply.body.replace("{base}", base);
        let mut head = format!(
            "HTTP/1.1 {} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\n",
            reply.status,
            body.len()
        );
        for (k, v) in &reply.headers {
            head.push_str(&format!("{k}: {}\r\n", v.replace("{base}", base)));
        }
        head.push_str("\r\n");
        stream.write_all(head.as_bytes())?;
        stream.write_all(body.as_bytes())?;
        stream.flush()?;
    }
}

/// A Graph page of the collection named in its path's first segment.
fn page(items: Value, next: Option<&str>) -> Value {
    page_of("x", items, next)
}

fn page_of(collection: &str, items: Value, next: Option<&str>) -> Value {
    let mut p =
        json!({"@odata.context": format!("{{base}}/v1.0/$metadata#{collection}"), "value": items});
    if let Some(n) = next {
        p["@odata.nextLink"] = Value::String(format!("{{base}}{n}"));
    }
    p
}

fn sp(id: &str, app: &str, name: &str) -> Value {
    json!({"id": id, "appId": app, "displayName": name, "servicePrincipalType": "Application",
           "appOwnerOrganizationId": TENANT, "accountEnabled": true, "passwordCredentials": [], "keyCredentials": []})
}

/// The tenant: two pages of service principals (the second after a 429), two
/// applications (after two 503s), users that stall, role assignments that are
/// not JSON, and beta reports the token may not read.
fn entra_route(fixed: bool) -> Box<Router> {
    Box::new(move |path, n| {
        let sp1 = "11111111-1111-1111-1111-111111111111";
        let sp2 = "22222222-2222-2222-2222-222222222222";
        let app1 = "aaaaaaaa-1111-1111-1111-111111111111";
        match path {
            "/v1.0/organization" => ok(page_of(
                "organization",
                json!([{"id": TENANT, "displayName": "Contoso"}]),
                None,
            )),
            "/v1.0/servicePrincipals?$top=999" => ok(page_of(
                "servicePrincipals",
                json!([sp(
                    sp1,
                    "c0000000-0000-0000-0000-000000000001",
                    "ci-deployer"
                )]),
                Some("/v1.0/servicePrincipals?$skiptoken=2"),
            )),
            "/v1.0/servicePrincipals?$skiptoken=2" if n == 1 => {
                status(429, vec![("Retry-After", "1".into())])
            }
            "/v1.0/servicePrincipals?$skiptoken=2" => ok(page_of(
                "servicePrincipals",
                json!([sp(sp2, "c0000000-0000-0000-0000-000000000002", "reporting")]),
                None,
            )),
            "/v1.0/applications?$top=999" if n <= 2 => status(503, vec![]),
            "/v1.0/applications?$top=999" => ok(page_of(
                "applications",
                json!([{"id": app1, "appId": "c0000000-0000-0000-0000-000000000001", "displayName": "ci-deployer",
                        "passwordCredentials": [], "keyCredentials": []}]),
                None,
            )),
            "/v1.0/oauth2PermissionGrants?$top=999" => {
                ok(page_of("oauth2PermissionGrants", json!([]), None))
            }
            "/v1.0/users?$select=id,userPrincipalName,accountEnabled,userType&$top=999"
                if !fixed =>
            {
                Reply {
                    delay: Duration::from_millis(1500),
                    ..ok(page(json!([]), None))
                }
            }
            "/v1.0/users?$select=id,userPrincipalName,accountEnabled,userType&$top=999" => {
                ok(page_of(
                    "users",
                    json!([{"id": "u1", "userPrincipalName": "alex@contoso.com", "accountEnabled": true, "userType": "Member"}]),
                    None,
                ))
            }
            "/v1.0/roleManagement/directory/roleAssignments" if !fixed => Reply {
                body: "{\"value\": [".into(),
                ..ok(json!({}))
            },
            "/v1.0/roleManagement/directory/roleAssignments" => ok(page_of(
                "roleManagement/directory/roleAssignments",
                json!([]),
                None,
            )),
            p if p.starts_with("/beta/reports/") => status(403, vec![]),
            p if p == format!("/v1.0/servicePrincipals/{sp1}/appRoleAssignments?$top=999") => {
                ok(page_of(
                    &format!("servicePrincipals('{sp1}')/appRoleAssignments"),
                    json!([{"id": "as1", "principalId": sp1, "resourceId": sp2,
                        "appRoleId": "00000000-0000-0000-0000-000000000000", "principalType": "ServicePrincipal"}]),
                    None,
                ))
            }
            p if p.contains("/appRoleAssignments") => {
                ok(page_of("appRoleAssignments", json!([]), None))
            }
            p if p == format!("/v1.0/applications/{app1}/owners?$top=999") => ok(json!({
                "@odata.context": "{base}/v1.0/$metadata#directoryObjects",
                "value": [{"@odata.type": "#microsoft.graph.user", "id": "u1", "userPrincipalName": "alex@contoso.com"}]})),
            p if p.contains("/federatedIdentityCredentials") => ok(json!({
                "@odata.context": format!("{{base}}/v1.0/$metadata#applications('{app1}')/federatedIdentityCredentials"),
                "value": [{"id": "f1", "name": "gh", "issuer": "https://token.actions.githubusercontent.com",
                           "subject": "repo:contoso/api:ref:refs/heads/main", "audiences": ["api://AzureADTokenExchange"]}]})),
            _ => status(404, vec![]),
        }
    })
}

fn collect(args: &[&str], base: &str, out: &Path) -> (i32, String, String) {
    let o = nhiscan()
        .args(["collect"])
        .args(args)
        .args([
            "--out",
            out.to_str().unwrap(),
            "--token-env",
            "NHISCAN_TEST_TOKEN",
        ])
        .args([
            "--attempts",
            "3",
            "--timeout",
            "1",
            "--retry-delay",
            "0.01",
            "--concurrency",
            "2",
        ])
        .env("NHISCAN_TEST_TOKEN", TOKEN)
        .env_remove("CI")
        .arg(match args[0] {
            "entra" => "--graph-url",
            _ => "--api-url",
        })
        .arg(base)
        .output()
        .unwrap();
    (
        o.status.code().unwrap(),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

fn files(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = walk(dir)
        .iter()
        .map(|p| {
            p.strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/")
        })
        .collect();
    v.sort();
    v
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

fn statuses(out: &Path) -> BTreeMap<String, String> {
    let m: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("manifest.json")).unwrap()).unwrap();
    m["endpoints"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["name"].as_str().unwrap().to_string(),
                e["status"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn entra_collection_survives_throttling_and_records_what_it_could_not_get() {
    let server = Server::start(entra_route(false));
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("bundle");
    let (code, stdout, stderr) = collect(&["entra"], &server.base, &out);
    assert_eq!(code, 4, "{stderr}");

    // The manifest marks incomplete exactly what must be incomplete.
    let expected: BTreeMap<String, String> = [
        ("organization", "complete"),
        ("servicePrincipals", "complete"),
        ("applications", "complete"),
        ("oauth2PermissionGrants", "complete"),
        ("users", "incomplete"),
        ("roleAssignments", "incomplete"),
        ("servicePrincipalSignInActivities", "forbidden"),
        ("appCredentialSignInActivities", "forbidden"),
        ("appRoleAssignments", "complete"),
        ("applicationOwners", "complete"),
        ("federatedIdentityCredentials", "complete"),
    ]
    .into_iter()
    .map(|(a, b)| (a.to_string(), b.to_string()))
    .collect();
    assert_eq!(statuses(&out), expected);
    let manifest: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("manifest.json")).unwrap()).unwrap();
    let by_name = |n: &str| {
        manifest["endpoints"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["name"] == n)
            .unwrap()
            .clone()
    };
    assert_eq!(by_name("servicePrincipals")["pages"], 2);
    assert_eq!(by_name("servicePrincipals")["records"], 2);
    assert!(
        by_name("users")["errors"][0]
            .as_str()
            .unwrap()
            .contains("timed out")
    );
    assert!(
        by_name("roleAssignments")["errors"][0]
            .as_str()
            .unwrap()
            .contains("malformed JSON")
    );
    assert_eq!(manifest["tenant"], TENANT);

    // The 429 was honoured (one retry of that page), the 503s retried (3 requests).
    assert_eq!(server.requests("/v1.0/servicePrincipals?$skiptoken=2"), 2);
    assert_eq!(server.requests("/v1.0/applications?$top=999"), 3);
    assert_eq!(
        server
            .requests("/v1.0/users?$select=id,userPrincipalName,accountEnabled,userType&$top=999"),
        3
    );

    // The bundle is the page files scan reads.
    assert_eq!(
        files(&out),
        [
            "appRoleAssignments/11111111-1111-1111-1111-111111111111.json",
            "appRoleAssignments/22222222-2222-2222-2222-222222222222.json",
            "applications.1.json",
            "applications_owners/aaaaaaaa-1111-1111-1111-111111111111.json",
            "federatedIdentityCredentials/aaaaaaaa-1111-1111-1111-111111111111.json",
            "manifest.json",
            "oauth2PermissionGrants.1.json",
            "organization.1.json",
            "servicePrincipals.1.json",
            "servicePrincipals.2.json",
        ]
    );
    // Pages are written byte for byte as served.
    assert_eq!(
        std::fs::read_to_string(out.join("organization.1.json")).unwrap(),
        page_of(
            "organization",
            json!([{"id": TENANT, "displayName": "Contoso"}]),
            None
        )
        .to_string()
        .replace("{base}", &server.base)
    );
    let owners: Value = serde_json::from_str(
        &std::fs::read_to_string(
            out.join("applications_owners/aaaaaaaa-1111-1111-1111-111111111111.json"),
        )
        .unwrap(),
    )
    .unwrap();
    assert!(
        owners["@odata.context"]
            .as_str()
            .unwrap()
            .ends_with("$metadata#applications('aaaaaaaa-1111-1111-1111-111111111111')/owners")
    );

    // Every request carried the token; no file, and neither output stream, does.
    assert!(
        server
            .seen
            .lock()
            .unwrap()
            .iter()
            .all(|(_, auth)| auth == &format!("Bearer {TOKEN}"))
    );
    for f in walk(&out) {
        let text = std::fs::read_to_string(&f).unwrap();
        assert!(!text.contains("canary-token-7f3a9c"), "{}", f.display());
    }
    assert!(!stdout.contains("canary-token-7f3a9c") && !stderr.contains("canary-token-7f3a9c"));

    // scan reads the bundle and its manifest: exit 4 on the gaps, unless accepted.
    let (code, report, _) = json("scan", &[&out], &[]);
    assert_eq!(code, 4);
    let gaps = report["incomplete"].to_string();
    assert!(gaps.contains("collection of users is incomplete"), "{gaps}");
    assert!(
        gaps.contains("servicePrincipalSignInActivities was refused (forbidden)"),
        "{gaps}"
    );
    let (code, report, _) = json("scan", &[&out], &["--allow-incomplete"]);
    assert_eq!(code, 0);
    assert_eq!(report["summary"]["identities"], 2);
    assert_eq!(report["tenant"]["id"], TENANT);

    // Running again resumes: complete endpoints are not fetched again.
    let fixed = Server::start(entra_route(true));
    let (code, _, stderr) = collect(&["entra"], &fixed.base, &out);
    assert_eq!(code, 4, "{stderr}"); // the beta reports stay forbidden
    assert_eq!(fixed.requests("/v1.0/organization"), 0);
    assert_eq!(fixed.requests("/v1.0/servicePrincipals?$top=999"), 0);
    assert_eq!(
        fixed.requests("/v1.0/users?$select=id,userPrincipalName,accountEnabled,userType&$top=999"),
        1
    );
    let s = statuses(&out);
    assert_eq!(s["users"], "complete");
    assert_eq!(s["roleAssignments"], "complete");
    assert_eq!(s["servicePrincipalSignInActivities"], "forbidden");
}

#[test]
fn a_missing_token_is_a_usage_error_that_names_no_value() {
    let dir = tempfile::tempdir().unwrap();
    let o = nhiscan()
        .args(["collect", "entra", "--out"])
        .arg(dir.path())
        .args(["--token-env", "NHISCAN_NO_SUCH_VARIABLE"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("NHISCAN_NO_SUCH_VARIABLE is not set"));
    // A failing token command: its output is never shown.
    let o = nhiscan()
        .args(["collect", "entra", "--out"])
        .arg(dir.path())
        .args(["--token-command", "echo canary-token-7f3a9c; exit 3"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(!String::from_utf8_lossy(&o.stderr).contains("canary-token-7f3a9c"));
}

fn epoch_in(secs: u64) -> String {
    (std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        + secs)
        .to_string()
}

fn collect_with(args: &[&str], out: &Path, token: &str) -> (i32, String) {
    let o = nhiscan()
        .args(["collect"])
        .args(args)
        .args([
            "--out",
            out.to_str().unwrap(),
            "--token-env",
            "NHISCAN_TEST_TOKEN",
        ])
        .args(["--attempts", "3", "--timeout", "2", "--retry-delay", "0.01"])
        .env("NHISCAN_TEST_TOKEN", token)
        .output()
        .unwrap();
    (
        o.status.code().unwrap(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

#[test]
fn okta_collection_follows_link_headers_and_waits_for_the_rate_limit_reset() {
    const API_KEY: &str = "00canary-okta-ssws-key";
    let server = Server::start(Box::new(|path, n| {
        let link = |next: &str| vec![("Link", format!("<{{base}}{next}>; rel=\"next\""))];
        match path {
            "/api/v1/apps?limit=200" => Reply {
                headers: link("/api/v1/apps?after=0oa1&limit=200"),
                ..ok(
                    json!([{"id": "0oa1", "label": "ci", "signOnMode": "OPENID_CONNECT", "status": "ACTIVE",
                    "credentials": {"oauthClient": {"client_id": "0oaclient1", "token_endpoint_auth_method": "client_secret_basic"}},
                    "settings": {"oauthClient": {"application_type": "service", "grant_types": ["client_credentials"]}}}]),
                )
            },
            "/api/v1/apps?after=0oa1&limit=200" if n == 1 => status(
                429,
                vec![
                    ("X-Rate-Limit-Remaining", "0".into()),
                    ("X-Rate-Limit-Reset", epoch_in(1)),
                ],
            ),
            "/api/v1/apps?after=0oa1&limit=200" => ok(
                json!([{"id": "0oa2", "label": "wiki", "signOnMode": "SAML_2_0", "status": "ACTIVE"}]),
            ),
            "/api/v1/apps/0oa1/grants" => ok(
                json!([{"id": "oag1", "status": "ACTIVE", "clientId": "0oaclient1", "scopeId": "okta.users.manage",
                "_links": {"app": {"href": "{base}/api/v1/apps/0oa1"}}}]),
            ),
            "/api/v1/apps/0oa1/credentials/secrets" => ok(
                json!([{"id": "ocs1", "status": "ACTIVE", "created": "2024-01-01T00:00:00.000Z",
                "client_secret": "HAGDTYU9XbLnS......3xasFDDwecdZuFs5B", "secret_hash": "0WOOvBSzV9clc4Nr7Rbaug",
                "_links": {"deactivate": {"href": "{base}/api/v1/apps/0oa1/credentials/secrets/ocs1/lifecycle/deactivate"}}}]),
            ),
            "/oauth2/v1/clients/0oaclient1/roles" => ok(
                json!([{"id": "r1", "type": "ORG_ADMIN", "status": "ACTIVE", "assignmentType": "CLIENT",
                "_links": {"assignee": {"href": "{base}/oauth2/v1/clients/0oaclient1/roles"}}}]),
            ),
            "/api/v1/api-tokens" => ok(
                json!([{"id": "00T1", "name": "sync", "userId": "00u1", "clientName": "Okta API",
                "tokenWindow": "P30D", "created": "2025-01-01T00:00:00.000Z", "expiresAt": "2026-12-01T00:00:00.000Z"}]),
            ),
            "/api/v1/users/00u1" => ok(
                json!({"id": "00u1", "status": "DEPROVISIONED", "profile": {"login": "old.admin@contoso.com"}}),
            ),
            _ => status(404, vec![]),
        }
    }));
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("okta");
    let (code, stderr) = collect_with(&["okta", "--org-url", &server.base], &out, API_KEY);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(server.requests("/api/v1/apps?after=0oa1&limit=200"), 2);
    assert!(
        server
            .seen
            .lock()
            .unwrap()
            .iter()
            .all(|(_, a)| a == &format!("SSWS {API_KEY}"))
    );
    assert_eq!(
        files(&out),
        [
            "api-tokens.json",
            "app-grants/0oa1.json",
            "app-secrets/0oa1.json",
            "apps.json",
            "client-roles/0oaclient1.json",
            "manifest.json",
            "users.json",
        ]
    );
    let apps: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("apps.json")).unwrap()).unwrap();
    assert_eq!(apps.as_array().unwrap().len(), 2);
    assert!(statuses(&out).values().all(|s| s == "complete"));
    for f in walk(&out) {
        assert!(!std::fs::read_to_string(&f).unwrap().contains(API_KEY));
    }
    // scan reads what the collector wrote, and keeps no secret material.
    let (code, report, stderr) = json("scan", &[&out], &[]);
    assert_eq!(code, 0, "{stderr}");
    let text = report.to_string();
    assert!(!text.contains("HAGDTYU9") && !text.contains("0WOOvBSz"));
    let checks: Vec<String> = fired(&report).into_iter().map(|(c, _)| c).collect();
    for id in ["OKTA-001", "OKTA-002", "OKTA-003", "OKTA-004", "OKTA-005"] {
        assert!(checks.iter().any(|c| c == id), "{id} in {checks:?}");
    }
}

#[test]
fn github_collection_waits_out_the_rate_limit_and_records_forbidden_endpoints() {
    const GH_TOKEN: &str = "github_pat_canary_1234567890";
    let server = Server::start(Box::new(|path, n| {
        let link = |next: &str| vec![("Link", format!("<{{base}}{next}>; rel=\"next\""))];
        match path {
            "/orgs/contoso/installations?per_page=100" => Reply {
                headers: link("/orgs/contoso/installations?per_page=100&page=2"),
                ..ok(
                    json!({"total_count": 2, "installations": [{"id": 1, "app_slug": "ci", "repository_selection": "all",
                    "permissions": {"administration": "write"}, "account": {"login": "contoso"}}]}),
                )
            },
            "/orgs/contoso/installations?per_page=100&page=2" if n == 1 => status(
                403,
                vec![
                    ("x-ratelimit-remaining", "0".into()),
                    ("x-ratelimit-reset", epoch_in(1)),
                ],
            ),
            "/orgs/contoso/installations?per_page=100&page=2" => {
                ok(json!({"total_count": 2, "installations": [{"id": 2,
                "app_slug": "docs", "repository_selection": "selected", "permissions": {"contents": "read"}, "account": {"login": "contoso"}}]}))
            }
            "/orgs/contoso/repos?per_page=100" => ok(json!([{"name": "api"}, {"name": "web"}])),
            "/repos/contoso/api/keys?per_page=100" => {
                ok(json!([{"id": 7, "title": "deploy", "read_only": false,
                "created_at": "2023-01-01T00:00:00Z", "url": "{base}/repos/contoso/api/keys/7", "key": "ssh-ed25519 AAAA"}]))
            }
            "/repos/contoso/web/keys?per_page=100" => ok(json!([])),
            p if p.contains("personal-access-token") => status(403, vec![]),
            _ => status(404, vec![]),
        }
    }));
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("github");
    let (code, stderr) = collect_with(
        &["github", "--org", "contoso", "--api-url", &server.base],
        &out,
        GH_TOKEN,
    );
    assert_eq!(code, 4, "{stderr}");
    let s = statuses(&out);
    assert_eq!(s["installations"], "complete");
    assert_eq!(s["deployKeys"], "complete");
    assert_eq!(s["patGrants"], "forbidden");
    assert_eq!(s["patRequests"], "forbidden");
    let inst: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("installations.json")).unwrap())
            .unwrap();
    assert_eq!(inst["total_count"], 2);
    assert_eq!(inst["installations"].as_array().unwrap().len(), 2);
    assert_eq!(
        files(&out),
        [
            "deploy-keys/api.json",
            "deploy-keys/web.json",
            "installations.json",
            "manifest.json",
            "repos.json"
        ]
    );
    assert!(stderr.contains("patGrants: forbidden"), "{stderr}");
    // scan reads the bundle; the forbidden PAT endpoints make it incomplete.
    let (code, _, _) = json("scan", &[&out], &[]);
    assert_eq!(code, 4);
    let (code, report, stderr) = json("scan", &[&out], &["--allow-incomplete"]);
    assert_eq!(code, 0, "{stderr}");
    let checks: Vec<String> = fired(&report).into_iter().map(|(c, _)| c).collect();
    for id in ["GITHUB-001", "GITHUB-002", "GITHUB-003"] {
        assert!(checks.iter().any(|c| c == id), "{id} in {checks:?}");
    }
}
