//! `nhiscan collect entra`: Microsoft Graph, into the page files `scan` reads
//! (docs/inputs.md), following `@odata.nextLink` everywhere.
//!
//! | endpoint | files |
//! |---|---|
//! | `/v1.0/organization` | `organization.N.json` |
//! | `/v1.0/servicePrincipals?$top=999` | `servicePrincipals.N.json` |
//! | `/v1.0/applications?$top=999` | `applications.N.json` |
//! | `/v1.0/oauth2PermissionGrants?$top=999` | `oauth2PermissionGrants.N.json` |
//! | `/v1.0/users?$select=id,userPrincipalName,accountEnabled,userType&$top=999` | `users.N.json` |
//! | `/v1.0/roleManagement/directory/roleAssignments` | `roleAssignments.N.json` |
//! | `/beta/reports/servicePrincipalSignInActivities` | `servicePrincipalSignInActivities.N.json` |
//! | `/beta/reports/appCredentialSignInActivities` | `appCredentialSignInActivities.N.json` |
//! | per service principal: `/v1.0/servicePrincipals/{id}/appRoleAssignments?$top=999` | `appRoleAssignments/{id}.json` |
//! | per application: `/v1.0/applications/{id}/owners?$top=999` | `applications_owners/{id}.json`, its `@odata.context` naming the application |
//! | per application: `/v1.0/applications/{id}/federatedIdentityCredentials` | `federatedIdentityCredentials/{id}.json` |
//!
//! Later pages of one object's list go to `{id}.N.json`.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde_json::Value;

use super::{Endpoint, Failure, Http, Run, path_of, safe_name, status_word, write_file};

/// The default Graph endpoint (`--graph-url` overrides it for national clouds).
pub const GRAPH: &str = "https://graph.microsoft.com";

struct List {
    name: &'static str,
    path: &'static str,
}

const LISTS: [List; 8] = [
    List {
        name: "organization",
        path: "/v1.0/organization",
    },
    List {
        name: "servicePrincipals",
        path: "/v1.0/servicePrincipals?$top=999",
    },
    List {
        name: "applications",
        path: "/v1.0/applications?$top=999",
    },
    List {
        name: "oauth2PermissionGrants",
        path: "/v1.0/oauth2PermissionGrants?$top=999",
    },
    List {
        name: "users",
        path: "/v1.0/users?$select=id,userPrincipalName,accountEnabled,userType&$top=999",
    },
    List {
        name: "roleAssignments",
        path: "/v1.0/roleManagement/directory/roleAssignments",
    },
    List {
        name: "servicePrincipalSignInActivities",
        path: "/beta/reports/servicePrincipalSignInActivities",
    },
    List {
        name: "appCredentialSignInActivities",
        path: "/beta/reports/appCredentialSignInActivities",
    },
];

/// Collects a tenant into `run.out`.
pub async fn collect(run: &mut Run, graph: &str) -> Result<(), String> {
    let graph = graph.trim_end_matches('/').to_string();
    for list in &LISTS {
        if run.done_before(list.name) {
            continue;
        }
        let bar = run.bar(list.name);
        let endpoint = odata_list(run, list.name, &format!("{graph}{}", list.path), &bar).await;
        bar.finish_with_message(status_word(&endpoint));
        run.record(endpoint);
    }
    run.set_tenant(first_id(&run.out, "organization"));

    let sps = ids(&run.out, "servicePrincipals");
    let apps = ids(&run.out, "applications");
    per_object(run, &graph, PerObject::Assignments, sps).await;
    per_object(run, &graph, PerObject::Owners, apps.clone()).await;
    per_object(run, &graph, PerObject::FederatedCredentials, apps).await;
    Ok(())
}

#[derive(Clone, Copy)]
enum PerObject {
    Assignments,
    Owners,
    FederatedCredentials,
}

impl PerObject {
    fn name(self) -> &'static str {
        match self {
            PerObject::Assignments => "appRoleAssignments",
            PerObject::Owners => "applicationOwners",
            PerObject::FederatedCredentials => "federatedIdentityCredentials",
        }
    }

    fn path(self, id: &str) -> String {
        match self {
            PerObject::Assignments => {
                format!("/v1.0/servicePrincipals/{id}/appRoleAssignments?$top=999")
            }
            PerObject::Owners => format!("/v1.0/applications/{id}/owners?$top=999"),
            PerObject::FederatedCredentials => {
                format!("/v1.0/applications/{id}/federatedIdentityCredentials")
            }
        }
    }

    fn dir(self) -> &'static str {
        match self {
            PerObject::Assignments => "appRoleAssignments",
            PerObject::Owners => "applications_owners",
            PerObject::FederatedCredentials => "federatedIdentityCredentials",
        }
    }
}

async fn per_object(run: &mut Run, graph: &str, kind: PerObject, all: Vec<String>) {
    if run.done_before(kind.name()) {
        return;
    }
    let objects = run.objects_to_fetch(kind.name(), all);
    let out = run.out.clone();
    let graph = graph.to_string();
    let endpoint = super::per_object(
        run,
        kind.name(),
        &kind.path("{id}"),
        objects,
        move |http, id| {
            let out = out.clone();
            let url = format!("{graph}{}", kind.path(&id));
            let graph = graph.clone();
            async move { object_pages(&http, &out, &graph, kind, &id, &url).await }
        },
    )
    .await;
    run.record(endpoint);
}

/// Every page of one object's list; returns (pages, records).
async fn object_pages(
    http: &Arc<Http>,
    out: &Path,
    graph: &str,
    kind: PerObject,
    id: &str,
    first: &str,
) -> Result<(usize, usize), Failure> {
    let mut url = Some(first.to_string());
    let (mut pages, mut records) = (0, 0);
    while let Some(u) = url.take() {
        let page = http.get(&u).await?;
        let mut json = page.json;
        let Some(items) = json.get("value").and_then(Value::as_array) else {
            return Err(Failure::Rejected(format!(
                "{} is not a Graph page",
                path_of(&u)
            )));
        };
        records += items.len();
        pages += 1;
        url = next_link(&json);
        let text = match kind {
            // Graph names the parent of an owners page only as `directoryObjects`:
            // name the application, as `scan` needs (docs/inputs.md).
            PerObject::Owners => {
                json["@odata.context"] = Value::String(format!(
                    "{graph}/v1.0/$metadata#applications('{id}')/owners"
                ));
                super::pretty(&json) + "\n"
            }
            _ => page.body,
        };
        let file = if pages == 1 {
            format!("{}/{}.json", kind.dir(), safe_name(id))
        } else {
            format!("{}/{}.{pages}.json", kind.dir(), safe_name(id))
        };
        write_file(out, &file, &text).map_err(Failure::Rejected)?;
    }
    Ok((pages, records))
}

/// Every page of a collection, written as `name.N.json`, as Graph returned it.
async fn odata_list(run: &Run, name: &str, first: &str, bar: &indicatif::ProgressBar) -> Endpoint {
    let mut endpoint = Endpoint::new(name, &path_of(first));
    let mut url = Some(first.to_string());
    while let Some(u) = url.take() {
        match run.http.get(&u).await {
            Ok(page) => {
                let Some(items) = page.json.get("value").and_then(Value::as_array) else {
                    endpoint.fail(&Failure::Rejected(format!(
                        "page {} of {name} is not a Graph page",
                        endpoint.pages + 1
                    )));
                    break;
                };
                endpoint.pages += 1;
                endpoint.records += items.len();
                bar.set_position(endpoint.records as u64);
                url = next_link(&page.json);
                if let Err(e) = run.write(&format!("{name}.{}.json", endpoint.pages), &page.body) {
                    endpoint.fail(&Failure::Rejected(e));
                    break;
                }
            }
            Err(f) => {
                endpoint.fail(&f);
                break;
            }
        }
    }
    endpoint
}

fn next_link(json: &Value) -> Option<String> {
    json.get("@odata.nextLink")
        .and_then(Value::as_str)
        .map(str::to_string)
}

/// The object ids in the `name.N.json` pages written (this run or an earlier one).
fn ids(out: &Path, name: &str) -> Vec<String> {
    let mut ids = Vec::new();
    for page in pages(out, name) {
        if let Some(items) = page.get("value").and_then(Value::as_array) {
            ids.extend(
                items
                    .iter()
                    .filter_map(|o| o.get("id")?.as_str().map(str::to_string)),
            );
        }
    }
    ids.sort();
    ids.dedup();
    ids
}

fn first_id(out: &Path, name: &str) -> Option<String> {
    ids(out, name).into_iter().next()
}

fn pages(out: &Path, name: &str) -> Vec<Value> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(out)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .and_then(|n| n.strip_prefix(name))
                .and_then(|rest| rest.strip_prefix('.'))
                .is_some_and(|rest| rest.trim_end_matches(".json").parse::<u32>().is_ok())
        })
        .collect();
    files.sort();
    files
        .iter()
        .filter_map(|p| serde_json::from_str(&std::fs::read_to_string(p).ok()?).ok())
        .collect()
}
