//! Okta Management API exports (formats.md §4): apps (`/api/v1/apps`), their
//! management-scope grants, client secrets and JWKs, admin roles assigned to
//! OAuth clients, SSWS API tokens, and the users who own the tokens.
//!
//! Every list endpoint returns a plain array; hand exports may hold one array per
//! page, several concatenated arrays, a single object, the JWKS wrapper
//! `{"jwks": {"keys": [...]}}` or an object whose values are such arrays (the
//! OpenAPI examples). Objects are recognised by their fields, never by the file
//! name, and the app or client an object belongs to is read from its content
//! (`_links` hrefs, `clientId`). Secret values (`client_secret`, even masked, and
//! `secret_hash`) are never kept: an unmasked `client_secret` is recorded only as
//! the place where it was found.

use jiff::Timestamp;
use serde_json::value::RawValue;

use super::InputError;
use super::json::{JsonType, LineIndex, Obj, elements, first_elements};
use crate::model::Provenance;
use crate::time::parse_timestamp;

mod join;

pub use join::join;

/// An OAuth 2.0 client app from apps.json.
#[derive(Debug, Clone)]
pub struct RawApp {
    pub id: String,
    pub label: Option<String>,
    pub name: Option<String>,
    pub status: Option<String>,
    pub sign_on_mode: Option<String>,
    pub client_id: Option<String>,
    pub application_type: Option<String>,
    pub grant_types: Vec<String>,
    pub token_endpoint_auth_method: Option<String>,
    pub created: Option<Timestamp>,
    pub org: Option<String>,
    pub source: Provenance,
}

/// A management scope granted to an app (`/api/v1/apps/{appId}/grants`).
#[derive(Debug, Clone)]
pub struct RawGrant {
    pub id: Option<String>,
    pub app_id: Option<String>,
    pub client_id: Option<String>,
    pub scope: String,
    pub status: Option<String>,
    pub issuer: Option<String>,
    pub source: Provenance,
}

/// A client secret's metadata (`/api/v1/apps/{appId}/credentials/secrets`), never its value.
#[derive(Debug, Clone)]
pub struct RawSecret {
    pub id: String,
    pub app_id: Option<String>,
    pub status: Option<String>,
    pub created: Option<Timestamp>,
    pub source: Provenance,
}

/// A public key of an app (`/api/v1/apps/{appId}/credentials/jwks`).
#[derive(Debug, Clone)]
pub struct RawJwk {
    pub id: Option<String>,
    pub kid: Option<String>,
    pub app_id: Option<String>,
    pub status: Option<String>,
    pub created: Option<Timestamp>,
    pub expires: Option<Timestamp>,
    pub source: Provenance,
}

/// An admin role assigned to an OAuth client (`/oauth2/v1/clients/{clientId}/roles`).
#[derive(Debug, Clone)]
pub struct RawRole {
    pub id: Option<String>,
    pub client_id: Option<String>,
    pub role_type: String,
    pub label: Option<String>,
    pub status: Option<String>,
    pub resource_set: Option<String>,
    pub source: Provenance,
}

/// An SSWS API token (`/api/v1/api-tokens`).
#[derive(Debug, Clone)]
pub struct RawToken {
    pub id: String,
    pub name: Option<String>,
    pub user_id: Option<String>,
    pub client_name: Option<String>,
    pub token_window: Option<String>,
    /// `None` when the token has no `network` object.
    pub network: Option<(String, Vec<String>, Vec<String>)>,
    pub created: Option<Timestamp>,
    pub expires: Option<Timestamp>,
    pub org: Option<String>,
    pub source: Provenance,
}

/// An Okta user (users.json), for judging API token owners.
#[derive(Debug, Clone)]
pub struct RawUser {
    pub id: String,
    pub status: Option<String>,
    pub login: Option<String>,
}

/// An unmasked `client_secret` found in an export: where, never the value.
#[derive(Debug, Clone)]
pub struct RawExposure {
    pub app_id: Option<String>,
    pub what: &'static str,
    pub key_id: Option<String>,
    pub source: Provenance,
}

#[derive(Debug, Default)]
pub struct FileRecords {
    pub format: String,
    pub path: String,
    pub apps: Vec<RawApp>,
    pub grants: Vec<RawGrant>,
    pub secrets: Vec<RawSecret>,
    pub jwks: Vec<RawJwk>,
    pub roles: Vec<RawRole>,
    pub tokens: Vec<RawToken>,
    pub users: Vec<RawUser>,
    pub users_present: bool,
    pub exposures: Vec<RawExposure>,
    /// Objects the file holds that are not read (JWKs naming no app), for notes.
    pub unattached_keys: usize,
}

impl FileRecords {
    pub fn len(&self) -> usize {
        self.apps.len()
            + self.grants.len()
            + self.secrets.len()
            + self.jwks.len()
            + self.roles.len()
            + self.tokens.len()
            + self.users.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    App,
    Secret,
    Grant,
    Role,
    Token,
    User,
    Jwk,
    RefreshToken,
}

fn classify(o: &Obj) -> Option<Kind> {
    let has = |k: &str| o.has(k);
    let id = o.str("id").unwrap_or_default();
    if has("signOnMode") && has("id") {
        return Some(Kind::App);
    }
    // Client secrets: `secret_hash` and the masked `client_secret` in every API
    // response; an `ocs…` id with a status when an export dropped both.
    if has("secret_hash") || (id.starts_with("ocs") && (has("client_secret") || has("status"))) {
        return Some(Kind::Secret);
    }
    if has("scopeId") && has("clientId") {
        return Some(Kind::Grant);
    }
    if has("assignmentType") && has("type") {
        return Some(Kind::Role);
    }
    if has("tokenWindow") || (has("clientName") && has("userId") && id.starts_with("00T")) {
        return Some(Kind::Token);
    }
    if has("clientId") && has("userId") && (has("scopes") || id.starts_with("oar")) {
        return Some(Kind::RefreshToken);
    }
    if has("status") && o.obj("profile").is_some_and(|p| p.has("login")) {
        return Some(Kind::User);
    }
    if has("kty") && has("kid") && (has("created") || has("status") || has("_links")) {
        return Some(Kind::Jwk);
    }
    None
}

/// True for an app with an OAuth 2.0 client: OIDC and API service apps. SAML,
/// WS-Fed, SWA and bookmark apps are sign-on integrations, not identities that
/// authenticate to anything.
fn is_oauth_client(o: &Obj) -> bool {
    o.obj("credentials").is_some_and(|c| c.has("oauthClient"))
        || o.obj("settings").is_some_and(|s| s.has("oauthClient"))
        || o.str("signOnMode").as_deref() == Some("OPENID_CONNECT")
}

/// The first objects of a document, for sniffing: never the whole of a large array.
fn head_items(doc: &RawValue) -> Vec<&RawValue> {
    match JsonType::of(doc) {
        JsonType::Array => first_elements(doc, 64),
        _ => items(doc),
    }
}

/// The objects of a document: an array, the JWKS wrapper, one object, or an
/// object whose values are arrays (examples keyed by name).
fn items(doc: &RawValue) -> Vec<&RawValue> {
    match JsonType::of(doc) {
        JsonType::Array => elements(doc),
        JsonType::Object => {
            let Some(o) = Obj::parse(doc) else {
                return Vec::new();
            };
            if let Some(keys) = o.obj("jwks").and_then(|j| j.array("keys")) {
                return keys;
            }
            if classify(&o).is_some() {
                return vec![doc];
            }
            let values: Vec<&RawValue> = o
                .keys()
                .map(str::to_string)
                .collect::<Vec<_>>()
                .iter()
                .filter_map(|k| o.get(k))
                .collect();
            if !values.is_empty() && values.iter().all(|v| JsonType::of(v) == JsonType::Array) {
                return values.into_iter().flat_map(elements).collect();
            }
            vec![doc]
        }
        _ => Vec::new(),
    }
}

/// Whether the documents hold Okta objects: `Some(Ok)` when this importer reads
/// them, `Some(Err(reason))` when they are Okta objects nhiscan does not read,
/// `None` when they are not Okta's.
pub fn sniff(docs: &[&RawValue]) -> Option<Result<(), String>> {
    let mut skip: Option<&'static str> = None;
    for doc in docs {
        for raw in head_items(doc).into_iter().take(64) {
            let Some(o) = Obj::parse(raw) else { continue };
            match classify(&o) {
                None => {}
                Some(Kind::App) => {
                    if is_oauth_client(&o) {
                        return Some(Ok(()));
                    }
                    skip.get_or_insert(
                        "Okta apps without an OAuth client (SAML, WS-Fed, SWA or bookmark apps): sign-on integrations, not non-human identities",
                    );
                }
                Some(Kind::Jwk) => {
                    if app_of(&o).is_some() {
                        return Some(Ok(()));
                    }
                    skip.get_or_insert(
                        "Okta app signing keys that name no app (/credentials/keys): they sign the assertions Okta issues and are not credentials an app authenticates with",
                    );
                }
                Some(Kind::RefreshToken) => {
                    skip.get_or_insert(
                        "Okta refresh tokens (/api/v1/apps/{appId}/tokens): tokens users granted to an app, not credentials of a non-human identity",
                    );
                }
                Some(_) => return Some(Ok(())),
            }
        }
    }
    skip.map(|s| Err(s.to_string()))
}

/// Every `href` under `_links` (values may be link objects or arrays of them).
fn hrefs(o: &Obj) -> Vec<String> {
    let Some(links) = o.obj("_links") else {
        return Vec::new();
    };
    let names: Vec<String> = links.keys().map(str::to_string).collect();
    let mut out = Vec::new();
    for name in names {
        let Some(v) = links.get(&name) else { continue };
        for link in elements(v) {
            if let Some(h) = Obj::parse(link).and_then(|l| l.text("href")) {
                out.push(h);
            }
        }
    }
    out
}

/// The path segment after `marker` in `href`.
fn segment_after(href: &str, marker: &str) -> Option<String> {
    let rest = href.split(marker).nth(1)?;
    let seg = rest.split(['/', '?', '#']).next()?;
    (!seg.is_empty()).then(|| seg.to_string())
}

/// The app an object's links name (`/api/v1/apps/{appId}…`).
fn app_of(o: &Obj) -> Option<String> {
    hrefs(o)
        .iter()
        .find_map(|h| segment_after(h, "/api/v1/apps/"))
}

/// The org host of the first concrete link (not a `{yourOktaDomain}` placeholder).
fn org_of(o: &Obj) -> Option<String> {
    hrefs(o).iter().find_map(|h| {
        let host = h.split("://").nth(1)?.split('/').next()?;
        (!host.is_empty() && !host.contains('{')).then(|| host.to_string())
    })
}

fn date(o: &Obj, key: &str) -> Option<Timestamp> {
    o.str(key).and_then(|s| parse_timestamp(&s))
}

/// A `client_secret` shown in full. Okta masks secrets in list responses
/// (`DRUF……Zu5B`) and returns them whole only on creation, or on a GET of an app
/// with a secret that predates multiple-secret support.
fn unmasked(value: &str) -> bool {
    let v = value.trim();
    !v.is_empty() && !v.contains("..") && !v.contains('*') && !v.contains('\u{2026}')
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
            let source = at(raw);
            match kind {
                Kind::App => {
                    if !is_oauth_client(&o) {
                        continue;
                    }
                    let Some(id) = o.text("id") else { continue };
                    let creds = o.obj("credentials").and_then(|c| c.obj("oauthClient"));
                    let settings = o.obj("settings").and_then(|s| s.obj("oauthClient"));
                    if creds
                        .as_ref()
                        .and_then(|c| c.str("client_secret"))
                        .is_some_and(|s| unmasked(&s))
                    {
                        out.exposures.push(RawExposure {
                            app_id: Some(id.clone()),
                            what: "client_secret of an Okta OAuth app",
                            key_id: None,
                            source,
                        });
                    }
                    // Public keys kept in the app itself (settings.oauthClient.jwks).
                    for key in settings
                        .as_ref()
                        .and_then(|s| s.obj("jwks"))
                        .and_then(|j| j.array("keys"))
                        .unwrap_or_default()
                    {
                        let Some(k) = Obj::parse(key) else { continue };
                        out.jwks.push(RawJwk {
                            id: k.text("id"),
                            kid: k.text("kid"),
                            app_id: Some(id.clone()),
                            status: k.text("status"),
                            created: date(&k, "created"),
                            expires: date(&k, "expiresAt"),
                            source: at(key),
                        });
                    }
                    out.apps.push(RawApp {
                        label: o.text("label"),
                        name: o.text("name"),
                        status: o.text("status"),
                        sign_on_mode: o.text("signOnMode"),
                        client_id: creds.as_ref().and_then(|c| c.text("client_id")),
                        application_type: settings
                            .as_ref()
                            .and_then(|s| s.text("application_type")),
                        grant_types: settings
                            .as_ref()
                            .map(|s| s.strings("grant_types"))
                            .unwrap_or_default(),
                        token_endpoint_auth_method: creds
                            .as_ref()
                            .and_then(|c| c.text("token_endpoint_auth_method")),
                        created: date(&o, "created"),
                        org: org_of(&o),
                        source,
                        id,
                    });
                    shapes.push("apps");
                }
                Kind::Secret => {
                    let Some(id) = o.text("id") else { continue };
                    let app_id = app_of(&o);
                    if o.str("client_secret").is_some_and(|s| unmasked(&s)) {
                        out.exposures.push(RawExposure {
                            app_id: app_id.clone(),
                            what: "client_secret in an Okta client secrets list",
                            key_id: Some(id.clone()),
                            source,
                        });
                    }
                    out.secrets.push(RawSecret {
                        app_id,
                        status: o.text("status"),
                        created: date(&o, "created"),
                        source,
                        id,
                    });
                    shapes.push("client-secrets");
                }
                Kind::Grant => {
                    let Some(scope) = o
                        .text("scopeId")
                        .or_else(|| o.obj("_embedded")?.obj("scope")?.text("id"))
                    else {
                        continue;
                    };
                    let app_id = o
                        .obj("_links")
                        .and_then(|l| l.obj("app"))
                        .and_then(|a| a.text("href"))
                        .and_then(|h| segment_after(&h, "/api/v1/apps/"))
                        .or_else(|| app_of(&o));
                    out.grants.push(RawGrant {
                        id: o.text("id"),
                        app_id,
                        client_id: o.text("clientId"),
                        scope,
                        status: o.text("status"),
                        issuer: o.text("issuer"),
                        source,
                    });
                    shapes.push("grants");
                }
                Kind::Role => {
                    let Some(role_type) = o.text("type") else {
                        continue;
                    };
                    let client_id = o
                        .obj("_links")
                        .and_then(|l| l.obj("assignee"))
                        .and_then(|a| a.text("href"))
                        .and_then(|h| segment_after(&h, "/clients/"));
                    out.roles.push(RawRole {
                        id: o.text("id"),
                        client_id,
                        role_type,
                        label: o.text("label"),
                        status: o.text("status"),
                        resource_set: o.text("resource-set"),
                        source,
                    });
                    shapes.push("client-roles");
                }
                Kind::Token => {
                    let Some(id) = o.text("id") else { continue };
                    let network = o.obj("network").map(|n| {
                        (
                            n.text("connection").unwrap_or_default(),
                            n.strings("include"),
                            n.strings("exclude"),
                        )
                    });
                    out.tokens.push(RawToken {
                        name: o.text("name"),
                        user_id: o.text("userId"),
                        client_name: o.text("clientName"),
                        token_window: o.text("tokenWindow"),
                        network,
                        created: date(&o, "created"),
                        expires: date(&o, "expiresAt"),
                        org: org_of(&o),
                        source,
                        id,
                    });
                    shapes.push("api-tokens");
                }
                Kind::User => {
                    let Some(id) = o.text("id") else { continue };
                    out.users.push(RawUser {
                        id,
                        status: o.text("status"),
                        login: o.obj("profile").and_then(|p| p.text("login")),
                    });
                    out.users_present = true;
                    shapes.push("users");
                }
                Kind::Jwk => {
                    let Some(app_id) = app_of(&o) else {
                        out.unattached_keys += 1;
                        continue;
                    };
                    out.jwks.push(RawJwk {
                        id: o.text("id"),
                        kid: o.text("kid"),
                        app_id: Some(app_id),
                        status: o.text("status"),
                        created: date(&o, "created"),
                        expires: date(&o, "expiresAt"),
                        source,
                    });
                    shapes.push("jwks");
                }
                Kind::RefreshToken => {}
            }
        }
    }
    shapes.sort();
    shapes.dedup();
    out.format = format!("okta.{}", shapes.join("+"));
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn docs(text: &str) -> Vec<&RawValue> {
        crate::import::documents(text).unwrap()
    }

    #[test]
    fn links_name_apps_clients_and_orgs() {
        assert_eq!(
            segment_after(
                "https://acme.okta.com/api/v1/apps/0oa1/credentials/secrets/ocs1/lifecycle/activate",
                "/api/v1/apps/"
            )
            .as_deref(),
            Some("0oa1")
        );
        assert_eq!(
            segment_after("https://x/oauth2/v1/clients/0oa2/roles", "/clients/").as_deref(),
            Some("0oa2")
        );
        assert_eq!(
            segment_after("https://x/api/v1/clients/0oa3", "/clients/").as_deref(),
            Some("0oa3")
        );
    }

    #[test]
    fn masked_secrets_are_not_exposures() {
        assert!(!unmasked("DRUFXGF9XbLn......a3x3POBiIxDreBCdZuFs5B"));
        assert!(!unmasked(""));
        assert!(unmasked(
            "wj9bOsLK0BRNJqy7KMMnaE7m8qrW51bPO2n1-PYvkOmhHRYgcuOecQkEwq9MPYa5"
        ));
    }

    #[test]
    fn saml_only_app_lists_and_refresh_tokens_are_skipped_with_reasons() {
        let saml = r#"[{"id": "0oa1", "signOnMode": "SAML_2_0", "settings": {"app": {}}}]"#;
        assert!(matches!(sniff(&docs(saml)), Some(Err(r)) if r.contains("SAML")));
        let oidc = r#"[{"id": "0oa1", "signOnMode": "SAML_2_0"}, {"id": "0oa2", "signOnMode": "OPENID_CONNECT"}]"#;
        assert_eq!(sniff(&docs(oidc)), Some(Ok(())));
        let refresh =
            r#"[{"id": "oar1", "clientId": "0oa1", "userId": "00u1", "scopes": ["openid"]}]"#;
        assert!(matches!(sniff(&docs(refresh)), Some(Err(r)) if r.contains("refresh")));
        assert_eq!(sniff(&docs(r#"[{"value": 1}]"#)), None);
    }

    #[test]
    fn secret_values_are_never_kept() {
        let text = r#"[{"id": "ocs1", "status": "ACTIVE", "client_secret": "abcdefghijklmnopqrstuvwxyz0123456789ABCD", "secret_hash": "h", "created": "2024-01-01T00:00:00.000Z",
            "_links": {"deactivate": {"href": "https://acme.okta.com/api/v1/apps/0oa9/credentials/secrets/ocs1/lifecycle/deactivate"}}}]"#;
        let d = docs(text);
        let lines = LineIndex::new(text);
        let r = parse(&d, &lines, 0, "s.json").unwrap();
        assert_eq!(r.secrets.len(), 1);
        assert_eq!(r.secrets[0].app_id.as_deref(), Some("0oa9"));
        assert_eq!(r.exposures.len(), 1);
        assert!(!format!("{r:?}").contains("abcdefghijklmnop"));
    }
}
