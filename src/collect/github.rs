//! `nhiscan collect github --org ORG`: the GitHub REST API, following `Link:
//! rel="next"` and honouring the rate-limit headers.
//!
//! | endpoint | file |
//! |---|---|
//! | `/orgs/{org}/installations?per_page=100` | `installations.json` (`{"total_count", "installations"}`) |
//! | `/orgs/{org}/repos?per_page=100` | `repos.json` |
//! | per repository: `/repos/{org}/{repo}/keys?per_page=100` | `deploy-keys/{repo}.json` |
//! | `/orgs/{org}/personal-access-tokens?per_page=100` | `pat-grants.json` |
//! | `/orgs/{org}/personal-access-token-requests?per_page=100` | `pat-requests.json` |

use serde_json::Value;

use super::{Run, link_paged_list, safe_name};

/// The default API endpoint (`--api-url` overrides it for GitHub Enterprise Server).
pub const API: &str = "https://api.github.com";

fn array(v: &Value) -> Option<&Vec<Value>> {
    v.as_array()
}

fn installations(v: &Value) -> Option<&Vec<Value>> {
    v.get("installations")?.as_array()
}

/// Collects one organisation into `run.out`.
pub async fn collect(run: &mut Run, api: &str, org: &str) -> Result<(), String> {
    let api = api.trim_end_matches('/').to_string();
    if !run.done_before("installations") {
        let bar = run.bar("installations");
        let url = format!("{api}/orgs/{org}/installations?per_page=100");
        let tmp = ".installations.tmp.json";
        let (endpoint, items) =
            link_paged_list(run, "installations", &url, tmp, installations, &bar).await;
        let _ = std::fs::remove_file(run.out.join(tmp));
        if endpoint.pages > 0 {
            let doc = serde_json::json!({"total_count": items.len(), "installations": items});
            run.write("installations.json", &(super::pretty(&doc) + "\n"))?;
        }
        run.record(endpoint);
    }
    let repos: Vec<Value> = if run.done_before("repos") {
        std::fs::read_to_string(run.out.join("repos.json"))
            .ok()
            .and_then(|t| serde_json::from_str::<Value>(&t).ok())
            .and_then(|v| v.as_array().cloned())
            .unwrap_or_default()
    } else {
        let bar = run.bar("repos");
        let url = format!("{api}/orgs/{org}/repos?per_page=100");
        let (endpoint, items) =
            link_paged_list(run, "repos", &url, "repos.json", array, &bar).await;
        run.record(endpoint);
        items
    };
    for (name, path, file) in [
        ("patGrants", "personal-access-tokens", "pat-grants.json"),
        (
            "patRequests",
            "personal-access-token-requests",
            "pat-requests.json",
        ),
    ] {
        if run.done_before(name) {
            continue;
        }
        let bar = run.bar(name);
        let url = format!("{api}/orgs/{org}/{path}?per_page=100");
        let (endpoint, _) = link_paged_list(run, name, &url, file, array, &bar).await;
        run.record(endpoint);
    }
    if !run.done_before("deployKeys") {
        let names: Vec<String> = repos
            .iter()
            .filter_map(|r| r.get("name")?.as_str().map(str::to_string))
            .collect();
        let objects = run.objects_to_fetch("deployKeys", names);
        let out = run.out.clone();
        let (api, org) = (api.clone(), org.to_string());
        let endpoint = super::per_object(
            run,
            "deployKeys",
            "/repos/{org}/{repo}/keys",
            objects,
            move |http, repo| {
                let url = format!("{api}/repos/{org}/{repo}/keys?per_page=100");
                let file = format!("deploy-keys/{}.json", safe_name(&repo));
                let out = out.clone();
                async move { super::okta::paged_array(&http, &url, &out, &file).await }
            },
        )
        .await;
        run.record(endpoint);
    }
    Ok(())
}
