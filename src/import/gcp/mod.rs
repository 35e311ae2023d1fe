//! Google Cloud IAM exports (formats.md §3): service accounts, their keys, IAM
//! policies (bare `get-iam-policy` output, Cloud Asset Inventory search results,
//! `asset list` and the snake_case `asset export` NDJSON), workload identity pool
//! providers, and Policy Intelligence activity.
//!
//! [`sniff`] recognises the shapes by their fields; [`parse`] reads them into
//! [`FileRecords`]; [`join`] adds them to the inventory.

use jiff::Timestamp;
use serde_json::value::RawValue;

use super::InputError;
use super::json::{JsonType, LineIndex, Obj, elements, first_elements};
use crate::model::Provenance;
use crate::time::parse_timestamp;

mod join;

pub use join::{is_default_sa, is_service_agent, join};

#[derive(Debug, Clone)]
pub struct RawSa {
    pub email: String,
    pub display_name: Option<String>,
    pub project: Option<String>,
    pub unique_id: Option<String>,
    pub disabled: bool,
    pub source: Provenance,
}

#[derive(Debug, Clone)]
pub struct RawKey {
    pub sa: String,
    pub key_id: String,
    pub valid_after: Option<Timestamp>,
    pub valid_before: Option<Timestamp>,
    pub user_managed: bool,
    pub disabled: bool,
    pub source: Provenance,
}

#[derive(Debug, Clone)]
pub struct RawBinding {
    pub role: String,
    pub members: Vec<String>,
    pub condition: Option<String>,
}

/// An IAM policy and the resource it is attached to (`None` for a bare
/// `get-iam-policy` output, which does not name its resource).
#[derive(Debug, Clone)]
pub struct RawPolicy {
    pub resource: Option<String>,
    pub bindings: Vec<RawBinding>,
    pub source: Provenance,
}

#[derive(Debug, Clone)]
pub struct RawProvider {
    pub name: String,
    pub issuer: Option<String>,
    pub condition: Option<String>,
    pub disabled: bool,
    pub source: Provenance,
}

#[derive(Debug, Default)]
pub struct FileRecords {
    pub format: String,
    pub path: String,
    pub sas: Vec<RawSa>,
    pub keys: Vec<RawKey>,
    pub policies: Vec<RawPolicy>,
    pub providers: Vec<RawProvider>,
    /// (service account resource or email, last authentication).
    pub sa_activity: Vec<(String, Option<Timestamp>)>,
    pub sa_activity_present: bool,
    /// (key resource name, last authentication).
    pub key_activity: Vec<(String, Option<Timestamp>)>,
    pub key_activity_present: bool,
}

impl FileRecords {
    pub fn len(&self) -> usize {
        self.sas.len()
            + self.keys.len()
            + self.policies.len()
            + self.providers.len()
            + self.sa_activity.len()
            + self.key_activity.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Sa,
    Key,
    Policy,
    Asset,
    Provider,
    Activity,
}

fn classify(o: &Obj) -> Option<Kind> {
    let name = o.str("name").unwrap_or_default();
    if o.has("email")
        && (o.has("uniqueId") || o.has("oauth2ClientId") || name.contains("/serviceAccounts/"))
    {
        return Some(Kind::Sa);
    }
    if name.contains("/serviceAccounts/")
        && name.contains("/keys/")
        && (o.has("validAfterTime") || o.has("keyType"))
    {
        return Some(Kind::Key);
    }
    if o.has("activityType") && o.has("activity") {
        return Some(Kind::Activity);
    }
    if name.contains("/workloadIdentityPools/") && name.contains("/providers/") {
        return Some(Kind::Provider);
    }
    if o.has("asset_type") || o.has("assetType") || (o.has("resource") && o.has("policy")) {
        return Some(Kind::Asset);
    }
    if o.get("bindings")
        .is_some_and(|b| JsonType::of(b) == JsonType::Array)
    {
        return Some(Kind::Policy);
    }
    None
}

/// The first objects of a document, for sniffing: never the whole of a large array.
fn head_items(doc: &RawValue) -> Vec<&RawValue> {
    match JsonType::of(doc) {
        JsonType::Array => first_elements(doc, 64),
        _ => items(doc),
    }
}

/// The objects of a document: a list, a REST wrapper (`accounts`, `keys`,
/// `providers`, `results`), or one object.
fn items(doc: &RawValue) -> Vec<&RawValue> {
    match JsonType::of(doc) {
        JsonType::Array => elements(doc),
        JsonType::Object => {
            if let Some(o) = Obj::parse(doc) {
                for key in [
                    "accounts",
                    "keys",
                    "workloadIdentityPoolProviders",
                    "results",
                    "assets",
                ] {
                    if let Some(v) = o.get(key).filter(|v| JsonType::of(v) == JsonType::Array) {
                        return elements(v);
                    }
                }
            }
            vec![doc]
        }
        _ => Vec::new(),
    }
}

/// `true` when the documents hold GCP IAM objects.
pub fn sniff(docs: &[&RawValue]) -> bool {
    docs.iter().any(|d| {
        head_items(d)
            .iter()
            .take(16)
            .filter_map(|i| Obj::parse(i))
            .any(|o| classify(&o).is_some())
    })
}

/// The service account email in a key or activity resource name.
fn sa_of(name: &str) -> Option<String> {
    let rest = name.split("/serviceAccounts/").nth(1)?;
    Some(rest.split('/').next()?.to_string())
}

fn date(o: &Obj, key: &str) -> Option<Timestamp> {
    o.str(key).and_then(|s| parse_timestamp(&s))
}

fn bindings(policy: &Obj) -> Vec<RawBinding> {
    policy
        .array("bindings")
        .unwrap_or_default()
        .into_iter()
        .filter_map(Obj::parse)
        .filter_map(|b| {
            Some(RawBinding {
                role: b.text("role")?,
                members: b.strings("members"),
                condition: b.obj("condition").and_then(|c| c.text("expression")),
            })
        })
        .collect()
}

pub fn parse(
    docs: &[&RawValue],
    lines: &LineIndex,
    file: u32,
    path: &str,
) -> Result<FileRecords, InputError> {
    let at = |raw: &RawValue| Provenance {
        file,
        line: lines.line_of(raw),
    };
    let mut out = FileRecords {
        path: path.to_string(),
        ..FileRecords::default()
    };
    let mut shapes: Vec<&str> = Vec::new();
    for doc in docs {
        for raw in items(doc) {
            let Some(o) = Obj::parse(raw) else { continue };
            let Some(kind) = classify(&o) else { continue };
            match kind {
                Kind::Sa => {
                    let email = o.text("email").unwrap_or_default();
                    out.sas.push(RawSa {
                        project: o.text("projectId").or_else(|| {
                            email
                                .split('@')
                                .nth(1)
                                .and_then(|d| d.split('.').next())
                                .map(str::to_string)
                        }),
                        display_name: o.text("displayName"),
                        unique_id: o.text("uniqueId"),
                        disabled: o.bool("disabled") == Some(true),
                        source: at(raw),
                        email,
                    });
                    shapes.push("service-accounts");
                }
                Kind::Key => {
                    let name = o.text("name").unwrap_or_default();
                    out.keys.push(key(&o, &name, at(raw)));
                    shapes.push("keys");
                }
                Kind::Policy => {
                    out.policies.push(RawPolicy {
                        resource: None,
                        bindings: bindings(&o),
                        source: at(raw),
                    });
                    shapes.push("iam-policy");
                }
                Kind::Asset => {
                    let asset_type = o
                        .text("assetType")
                        .or_else(|| o.text("asset_type"))
                        .unwrap_or_default();
                    let name = o
                        .text("resource")
                        .or_else(|| o.text("name"))
                        .unwrap_or_default();
                    if asset_type.ends_with("/ServiceAccountKey") {
                        let data = o.obj("resource").and_then(|r| r.obj("data"));
                        if let Some(d) = data {
                            out.keys.push(key(&d, &name, at(raw)));
                        }
                        shapes.push("asset-keys");
                        continue;
                    }
                    if asset_type.ends_with("/ServiceAccount")
                        && let Some(d) = o.obj("resource").and_then(|r| r.obj("data"))
                        && let Some(email) = d.text("email")
                    {
                        out.sas.push(RawSa {
                            project: d.text("projectId"),
                            display_name: d.text("displayName"),
                            unique_id: d.text("uniqueId"),
                            disabled: d.bool("disabled") == Some(true),
                            source: at(raw),
                            email,
                        });
                    }
                    let policy = o
                        .obj("policy")
                        .or_else(|| o.obj("iamPolicy"))
                        .or_else(|| o.obj("iam_policy"));
                    if let Some(policy) = policy {
                        out.policies.push(RawPolicy {
                            resource: Some(name),
                            bindings: bindings(&policy),
                            source: at(raw),
                        });
                    }
                    shapes.push("asset-inventory");
                }
                Kind::Provider => {
                    out.providers.push(RawProvider {
                        name: o.text("name").unwrap_or_default(),
                        issuer: o.obj("oidc").and_then(|x| x.text("issuerUri")),
                        condition: o.text("attributeCondition"),
                        disabled: o.bool("disabled") == Some(true)
                            || o.text("state").is_some_and(|s| s == "DELETED"),
                        source: at(raw),
                    });
                    shapes.push("wif-providers");
                }
                Kind::Activity => {
                    let activity = o.obj("activity");
                    let last = activity
                        .as_ref()
                        .and_then(|a| date(a, "lastAuthenticatedTime"));
                    let name = o.text("fullResourceName").unwrap_or_default();
                    match o.text("activityType").as_deref() {
                        Some("serviceAccountKeyLastAuthentication") => {
                            out.key_activity_present = true;
                            out.key_activity.push((name, last));
                        }
                        _ => {
                            out.sa_activity_present = true;
                            out.sa_activity.push((name, last));
                        }
                    }
                    shapes.push("activity");
                }
            }
        }
    }
    shapes.sort();
    shapes.dedup();
    out.format = format!("gcp.{}", shapes.join("+"));
    Ok(out)
}

fn key(o: &Obj, name: &str, source: Provenance) -> RawKey {
    RawKey {
        sa: sa_of(name).unwrap_or_default(),
        key_id: name.rsplit('/').next().unwrap_or(name).to_string(),
        valid_after: date(o, "validAfterTime"),
        valid_before: date(o, "validBeforeTime"),
        // CAI key assets may omit keyType; keys listed there are user keys.
        user_managed: o.text("keyType").is_none_or(|t| t == "USER_MANAGED"),
        disabled: o.bool("disabled") == Some(true),
        source,
    }
}
