//! GitHub exports (formats.md §6): App installations (`/orgs/{org}/installations`
//! and webhook payloads), repository deploy keys (`/repos/{owner}/{repo}/keys` and
//! the `deploy_key` webhook), and fine-grained personal access tokens approved for
//! an organisation or waiting for approval (`/orgs/{org}/personal-access-tokens`,
//! `/orgs/{org}/personal-access-token-requests`).
//!
//! Objects are recognised by their fields. The repository of a deploy key comes
//! from its `url` (or the webhook's `repository`), the organisation of a token
//! from its `repositories_url`, never from the file name. The public key text of
//! a deploy key is not kept: its id and title name it.

use jiff::Timestamp;
use serde_json::value::RawValue;

use super::InputError;
use super::json::{JsonType, LineIndex, Obj, elements, first_elements};
use crate::model::Provenance;
use crate::model::github::PatStatus;
use crate::time::{from_epoch_seconds, parse_timestamp};

mod join;

pub use join::join;

#[derive(Debug, Clone)]
pub struct RawInstallation {
    pub id: String,
    pub app_id: Option<String>,
    pub app_slug: Option<String>,
    pub account: Option<String>,
    pub target_type: Option<String>,
    pub repository_selection: Option<String>,
    /// (permission, level), sorted.
    pub permissions: Vec<(String, String)>,
    pub created: Option<Timestamp>,
    pub updated: Option<Timestamp>,
    pub suspended: bool,
    pub source: Provenance,
}

#[derive(Debug, Clone)]
pub struct RawDeployKey {
    pub id: String,
    pub repository: Option<String>,
    pub title: Option<String>,
    pub read_only: Option<bool>,
    pub created: Option<Timestamp>,
    /// `Some(None)`: `last_used` is in the export and `null` (never used).
    pub last_used: Option<Option<Timestamp>>,
    pub added_by: Option<String>,
    pub enabled: Option<bool>,
    pub source: Provenance,
}

/// One permission of a fine-grained token: (`organization`, `repository` or
/// `other`, permission, level).
pub type PatPermission = (&'static str, String, String);

#[derive(Debug, Clone)]
pub struct RawPat {
    pub id: String,
    pub status: PatStatus,
    pub organization: Option<String>,
    pub owner: Option<String>,
    pub token_id: Option<String>,
    pub token_name: Option<String>,
    pub token_expired: Option<bool>,
    pub expiry_known: bool,
    pub expires: Option<Timestamp>,
    /// `Some(None)`: `token_last_used_at` is in the export and `null`.
    pub last_used: Option<Option<Timestamp>>,
    pub repository_selection: Option<String>,
    pub permissions: Vec<PatPermission>,
    /// `access_granted_at` of a grant, `created_at` of a request.
    pub since: Option<Timestamp>,
    pub reason: Option<String>,
    pub source: Provenance,
}

#[derive(Debug, Default)]
pub struct FileRecords {
    pub format: String,
    pub path: String,
    pub installations: Vec<RawInstallation>,
    pub deploy_keys: Vec<RawDeployKey>,
    pub pats: Vec<RawPat>,
}

impl FileRecords {
    pub fn len(&self) -> usize {
        self.installations.len() + self.deploy_keys.len() + self.pats.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Installation,
    DeployKey,
    Pat,
    /// A repository (`/orgs/{org}/repos`): no identity in it.
    Repository,
}

fn classify(o: &Obj) -> Option<Kind> {
    let has = |k: &str| o.has(k);
    if has("token_id") && (has("owner") || has("permissions")) {
        return Some(Kind::Pat);
    }
    if (has("permissions")
        && (has("app_id") || has("app_slug"))
        && (has("target_type") || has("account") || has("repository_selection")))
        || has("access_tokens_url")
    {
        return Some(Kind::Installation);
    }
    if has("read_only") && (has("key") || has("title")) {
        return Some(Kind::DeployKey);
    }
    if has("full_name") && has("html_url") && has("owner") && (has("private") || has("fork")) {
        return Some(Kind::Repository);
    }
    None
}

/// One object to read, with what its envelope says about it.
struct Item<'a> {
    raw: &'a RawValue,
    /// The repository of a webhook payload (`repository.full_name`).
    repository: Option<String>,
    /// The webhook's `action` (`deleted` installations are not read).
    action: Option<String>,
}

/// The first objects of a document, for sniffing: never the whole of a large array.
fn head_items(doc: &RawValue) -> Vec<Item<'_>> {
    match JsonType::of(doc) {
        JsonType::Array => first_elements(doc, 64)
            .into_iter()
            .map(|raw| Item {
                raw,
                repository: None,
                action: None,
            })
            .collect(),
        _ => items(doc),
    }
}

/// The objects of a document: an array, the installations wrapper, a webhook
/// payload (the object at `.installation` or `.key`), or one object.
fn items(doc: &RawValue) -> Vec<Item<'_>> {
    let plain = |raw| Item {
        raw,
        repository: None,
        action: None,
    };
    match JsonType::of(doc) {
        JsonType::Array => elements(doc).into_iter().map(plain).collect(),
        JsonType::Object => {
            let Some(o) = Obj::parse(doc) else {
                return Vec::new();
            };
            if let Some(list) = o
                .get("installations")
                .filter(|v| JsonType::of(v) == JsonType::Array)
            {
                return elements(list).into_iter().map(plain).collect();
            }
            if classify(&o).is_some() {
                return vec![plain(doc)];
            }
            // A webhook payload: the objects sit under `installation` and `key`.
            let action = o.text("action");
            let repository = o.obj("repository").and_then(|r| r.text("full_name"));
            ["installation", "key"]
                .iter()
                .filter_map(|k| o.get(k))
                .filter(|v| JsonType::of(v) == JsonType::Object)
                .map(|raw| Item {
                    raw,
                    repository: repository.clone(),
                    action: action.clone(),
                })
                .collect()
        }
        _ => Vec::new(),
    }
}

/// Whether the documents hold GitHub objects: `Some(Ok)` when this importer
/// reads them, `Some(Err(reason))` when they are GitHub objects nhiscan does not
/// read, `None` when they are not GitHub's.
pub fn sniff(docs: &[&RawValue]) -> Option<Result<(), String>> {
    let mut skip = None;
    for doc in docs {
        for item in head_items(doc).into_iter().take(64) {
            let Some(o) = Obj::parse(item.raw) else {
                continue;
            };
            match classify(&o) {
                None => {}
                Some(Kind::Installation) if item.action.as_deref() == Some("deleted") => {
                    skip.get_or_insert(
                        "GitHub webhook for a deleted App installation: nothing left to inventory",
                    );
                }
                Some(Kind::Repository) => {
                    skip.get_or_insert(
                        "GitHub repository list (/orgs/{org}/repos): the index the collector reads deploy keys from; it holds no identities",
                    );
                }
                Some(_) => return Some(Ok(())),
            }
        }
    }
    skip.map(|s| Err(s.to_string()))
}

/// A timestamp as RFC 3339 text or, in webhook payloads, epoch seconds.
fn time(o: &Obj, key: &str) -> Option<Timestamp> {
    let raw = o.get(key)?;
    match JsonType::of(raw) {
        JsonType::String => o.str(key).and_then(|s| parse_timestamp(&s)),
        JsonType::Number => o.int(key).and_then(from_epoch_seconds),
        _ => None,
    }
}

/// `Some(None)` when the key is present as `null`, `Some(Some(t))` with a time,
/// `None` when absent.
fn optional_time(o: &Obj, key: &str) -> Option<Option<Timestamp>> {
    o.has(key).then(|| time(o, key))
}

/// A string or a number as text (GitHub ids are numbers).
fn id_text(o: &Obj, key: &str) -> Option<String> {
    o.text(key)
        .or_else(|| o.int(key).map(|n| n.to_string()))
        .or_else(|| {
            let raw = o.get(key)?;
            (JsonType::of(raw) == JsonType::Number).then(|| raw.get().to_string())
        })
}

/// The login of a user field that is either an object with `login` or a string.
fn login(o: &Obj, key: &str) -> Option<String> {
    o.obj(key)
        .and_then(|u| u.text("login"))
        .or_else(|| o.text(key))
}

/// `owner/repo` from an API URL (`…/repos/{owner}/{repo}/keys/{id}`).
pub(crate) fn repository_of(url: &str) -> Option<String> {
    let rest = url.split("/repos/").nth(1)?;
    let mut parts = rest.split('/');
    let owner = parts.next().filter(|s| !s.is_empty())?;
    let repo = parts.next().filter(|s| !s.is_empty())?;
    Some(format!("{owner}/{repo}"))
}

/// The organisation of an API URL (`…/orgs/{org}/…`).
fn organization_of(url: &str) -> Option<String> {
    let rest = url.split("/orgs/").nth(1)?;
    rest.split('/')
        .next()
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

/// A permissions object's (permission, level) pairs, sorted.
fn permissions(o: Option<Obj>) -> Vec<(String, String)> {
    let Some(p) = o else { return Vec::new() };
    let mut out: Vec<(String, String)> = p
        .keys()
        .map(str::to_string)
        .collect::<Vec<_>>()
        .into_iter()
        .filter_map(|k| {
            let level = p.text(&k)?;
            Some((k, level))
        })
        .collect();
    out.sort();
    out
}

pub fn parse(
    docs: &[&RawValue],
    lines: &LineIndex,
    file: u32,
    path: &str,
) -> Result<FileRecords, InputError> {
    let mut out = FileRecords {
        path: path.to_string(),
        ..FileRecords::default()
    };
    let mut shapes: Vec<&str> = Vec::new();
    for doc in docs {
        for item in items(doc) {
            let Some(o) = Obj::parse(item.raw) else {
                continue;
            };
            let Some(kind) = classify(&o) else { continue };
            let source = Provenance {
                file,
                line: lines.line_of(item.raw),
            };
            match kind {
                Kind::Installation => {
                    if item.action.as_deref() == Some("deleted") {
                        continue;
                    }
                    let Some(id) = id_text(&o, "id") else {
                        continue;
                    };
                    out.installations.push(RawInstallation {
                        id,
                        app_id: id_text(&o, "app_id"),
                        app_slug: o.text("app_slug"),
                        account: login(&o, "account"),
                        target_type: o.text("target_type"),
                        repository_selection: o.text("repository_selection"),
                        permissions: permissions(o.obj("permissions")),
                        created: time(&o, "created_at"),
                        updated: time(&o, "updated_at"),
                        suspended: o.get("suspended_at").is_some(),
                        source,
                    });
                    shapes.push("installations");
                }
                Kind::DeployKey => {
                    let Some(id) = id_text(&o, "id") else {
                        continue;
                    };
                    out.deploy_keys.push(RawDeployKey {
                        id,
                        repository: o
                            .text("url")
                            .and_then(|u| repository_of(&u))
                            .or(item.repository.clone()),
                        title: o.text("title"),
                        read_only: o.bool("read_only"),
                        created: time(&o, "created_at"),
                        last_used: optional_time(&o, "last_used"),
                        added_by: login(&o, "added_by"),
                        enabled: o.bool("enabled"),
                        source,
                    });
                    shapes.push("deploy-keys");
                }
                Kind::Pat => {
                    let Some(id) = id_text(&o, "id") else {
                        continue;
                    };
                    let url = o.text("repositories_url").unwrap_or_default();
                    let status = if url.contains("/personal-access-token-requests/")
                        || (o.has("reason") && !o.has("access_granted_at"))
                        || (o.has("created_at") && !o.has("access_granted_at"))
                    {
                        PatStatus::Pending
                    } else {
                        PatStatus::Approved
                    };
                    let perms = o.obj("permissions");
                    let mut list: Vec<PatPermission> = Vec::new();
                    for group in ["organization", "repository", "other"] {
                        for (p, level) in permissions(perms.as_ref().and_then(|x| x.obj(group))) {
                            list.push((group, p, level));
                        }
                    }
                    out.pats.push(RawPat {
                        id,
                        status,
                        organization: organization_of(&url),
                        owner: login(&o, "owner"),
                        token_id: id_text(&o, "token_id"),
                        token_name: o.text("token_name"),
                        token_expired: o.bool("token_expired"),
                        expiry_known: o.has("token_expires_at"),
                        expires: time(&o, "token_expires_at"),
                        last_used: optional_time(&o, "token_last_used_at"),
                        repository_selection: o.text("repository_selection"),
                        permissions: list,
                        since: match status {
                            PatStatus::Approved => time(&o, "access_granted_at"),
                            PatStatus::Pending => time(&o, "created_at"),
                        },
                        reason: o.text("reason"),
                        source,
                    });
                    shapes.push(match status {
                        PatStatus::Approved => "pat-grants",
                        PatStatus::Pending => "pat-requests",
                    });
                }
                Kind::Repository => {}
            }
        }
    }
    shapes.sort();
    shapes.dedup();
    out.format = format!("github.{}", shapes.join("+"));
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn docs(text: &str) -> Vec<&RawValue> {
        crate::import::documents(text).unwrap()
    }

    #[test]
    fn urls_name_repositories_and_organisations() {
        assert_eq!(
            repository_of("https://api.github.com/repos/acme/web/keys/7").as_deref(),
            Some("acme/web")
        );
        assert_eq!(
            repository_of("https://ghe.example.com/api/v3/repos/acme/web/keys/7").as_deref(),
            Some("acme/web")
        );
        assert_eq!(
            organization_of(
                "https://api.github.com/orgs/acme/personal-access-tokens/5/repositories"
            )
            .as_deref(),
            Some("acme")
        );
    }

    #[test]
    fn webhooks_wrappers_and_lists_are_read() {
        let wrapper = r#"{"total_count": 1, "installations": [{"id": 5, "app_id": 9, "account": {"login": "acme"}, "target_type": "Organization", "permissions": {"contents": "write"}, "repository_selection": "all", "created_at": 1557933591}]}"#;
        let d = docs(wrapper);
        assert_eq!(sniff(&d), Some(Ok(())));
        let r = parse(&d, &LineIndex::new(wrapper), 0, "i.json").unwrap();
        assert_eq!(r.installations[0].id, "5");
        assert_eq!(r.installations[0].account.as_deref(), Some("acme"));
        assert!(r.installations[0].created.is_some());
        let deleted = r#"{"action": "deleted", "installation": {"id": 5, "app_id": 9, "account": {"login": "acme"}, "target_type": "Organization", "permissions": {}}}"#;
        assert!(matches!(sniff(&docs(deleted)), Some(Err(_))));
        let key = r#"{"action": "created", "key": {"id": 1, "key": "ssh-ed25519 AAAA", "title": "ci", "read_only": false, "created_at": "2024-01-01T00:00:00Z"}, "repository": {"full_name": "acme/web"}}"#;
        let d = docs(key);
        let r = parse(&d, &LineIndex::new(key), 0, "k.json").unwrap();
        assert_eq!(r.deploy_keys[0].repository.as_deref(), Some("acme/web"));
        assert!(!format!("{r:?}").contains("AAAA"));
        assert_eq!(sniff(&docs(r#"[{"name": "x"}]"#)), None);
        let repos = r#"[{"id": 1, "name": "web", "full_name": "acme/web", "owner": {"login": "acme"}, "private": true, "html_url": "https://github.com/acme/web"}]"#;
        assert!(matches!(sniff(&docs(repos)), Some(Err(r)) if r.contains("repository list")));
    }
}
