//! `nhiscan collect okta`: the Okta Management API, following `Link: rel="next"`
//! and honouring `X-Rate-Limit-Reset`.
//!
//! | endpoint | file |
//! |---|---|
//! | `/api/v1/apps?limit=200` | `apps.json` |
//! | per OAuth app: `/api/v1/apps/{id}/grants` | `app-grants/{id}.json` |
//! | per OAuth app: `/api/v1/apps/{id}/credentials/secrets` | `app-secrets/{id}.json` |
//! | per OAuth client: `/oauth2/v1/clients/{clientId}/roles` | `client-roles/{clientId}.json` |
//! | `/api/v1/api-tokens` | `api-tokens.json` |
//! | per token owner: `/api/v1/users/{id}` | `users.json` |
//!
//! Each file holds one JSON array with every page's items.

use std::path::Path;
use std::sync::Arc;

use serde_json::Value;

use super::{Failure, Http, Run, link_paged_list, safe_name, write_file};

fn array(v: &Value) -> Option<&Vec<Value>> {
    v.as_array()
}

/// Collects an Okta org into `run.out`.
pub async fn collect(run: &mut Run, org_url: &str) -> Result<(), String> {
    let org = org_url.trim_end_matches('/').to_string();
    let apps = list(
        run,
        "apps",
        &format!("{org}/api/v1/apps?limit=200"),
        "apps.json",
    )
    .await;
    let tokens = list(
        run,
        "apiTokens",
        &format!("{org}/api/v1/api-tokens"),
        "api-tokens.json",
    )
    .await;

    // OAuth apps: those with a client id (OIDC and service apps).
    let oauth: Vec<(String, String)> = apps
        .iter()
        .filter_map(|a| {
            let id = a.get("id")?.as_str()?.to_string();
            let client = a
                .pointer("/credentials/oauthClient/client_id")?
                .as_str()?
                .to_string();
            Some((id, client))
        })
        .collect();
    let app_ids: Vec<String> = oauth.iter().map(|(a, _)| a.clone()).collect();
    let client_ids: Vec<String> = oauth.iter().map(|(_, c)| c.clone()).collect();
    per_app(
        run,
        &org,
        "appGrants",
        "/api/v1/apps/{id}/grants",
        "app-grants",
        app_ids.clone(),
    )
    .await;
    per_app(
        run,
        &org,
        "appClientSecrets",
        "/api/v1/apps/{id}/credentials/secrets",
        "app-secrets",
        app_ids,
    )
    .await;
    per_app(
        run,
        &org,
        "clientRoles",
        "/oauth2/v1/clients/{id}/roles",
        "client-roles",
        client_ids,
    )
    .await;

    // The users who own API tokens (a token acts as its owner).
    let mut owners: Vec<String> = tokens
        .iter()
        .filter_map(|t| t.get("userId")?.as_str().map(str::to_string))
        .collect();
    owners.sort();
    owners.dedup();
    if !run.done_before("tokenOwners") {
        let endpoint =
            super::per_object(run, "tokenOwners", "/api/v1/users/{id}", owners.clone(), {
                let org = org.clone();
                let out = run.out.clone();
                move |http: Arc<Http>, id: String| {
                    let url = format!("{org}/api/v1/users/{id}");
                    let out = out.clone();
                    async move {
                        let page = http.get(&url).await?;
                        write_file(
                            &out,
                            &format!("users/{}.json", safe_name(&id)),
                            &(super::pretty(&page.json) + "\n"),
                        )
                        .map_err(Failure::Rejected)?;
                        Ok((1, 1))
                    }
                }
            })
            .await;
        run.record(endpoint);
    }
    merge_users(&run.out)?;
    Ok(())
}

/// A whole list, unless an earlier run completed it (then its file is read back).
async fn list(run: &mut Run, name: &str, url: &str, file: &str) -> Vec<Value> {
    if run.done_before(name) {
        return read_array(&run.out.join(file));
    }
    let bar = run.bar(name);
    let (endpoint, items) = link_paged_list(run, name, url, file, array, &bar).await;
    run.record(endpoint);
    items
}

async fn per_app(run: &mut Run, org: &str, name: &str, path: &str, dir: &str, all: Vec<String>) {
    if run.done_before(name) {
        return;
    }
    let objects = run.objects_to_fetch(name, all);
    let out = run.out.clone();
    let (org, path_t, dir) = (org.to_string(), path.to_string(), dir.to_string());
    let endpoint = super::per_object(run, name, path, objects, move |http, id| {
        let url = format!("{org}{}", path_t.replace("{id}", &id));
        let file = format!("{dir}/{}.json", safe_name(&id));
        let out = out.clone();
        async move { paged_array(&http, &url, &out, &file).await }
    })
    .await;
    run.record(endpoint);
}

/// Every page of one object's list, merged into one array file.
pub(crate) async fn paged_array(
    http: &Http,
    first: &str,
    out: &Path,
    file: &str,
) -> Result<(usize, usize), Failure> {
    let mut items: Vec<Value> = Vec::new();
    let mut pages = 0;
    let mut url = Some(first.to_string());
    while let Some(u) = url.take() {
        let page = http.get(&u).await?;
        let Some(list) = page.json.as_array() else {
            return Err(Failure::Rejected(format!(
                "{} is not a list",
                super::path_of(&u)
            )));
        };
        items.extend(list.iter().cloned());
        pages += 1;
        url = page.next_link;
    }
    let n = items.len();
    write_file(out, file, &(super::pretty(&Value::Array(items)) + "\n"))
        .map_err(Failure::Rejected)?;
    Ok((pages, n))
}

fn read_array(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .ok()
        .and_then(|t| serde_json::from_str::<Value>(&t).ok())
        .and_then(|v| v.as_array().cloned())
        .unwrap_or_default()
}

/// `users/{id}.json` → one `users.json` array (sorted by id).
fn merge_users(out: &Path) -> Result<(), String> {
    let dir = out.join("users");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .collect();
    files.sort();
    let users: Vec<Value> = files
        .iter()
        .filter_map(|p| serde_json::from_str(&std::fs::read_to_string(p).ok()?).ok())
        .collect();
    if users.is_empty() {
        return Ok(());
    }
    write_file(
        out,
        "users.json",
        &(super::pretty(&Value::Array(users)) + "\n"),
    )?;
    std::fs::remove_dir_all(&dir).map_err(|e| format!("cannot remove {}: {e}", dir.display()))
}
