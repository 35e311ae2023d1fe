//! Joining Okta records into the inventory.
//!
//! - Apps with an OAuth client become `okta_app` identities keyed by app id; the
//!   client id is their `app_id`. An app named only by a secret, JWK, grant or
//!   role (not in an apps export) is added by id, and a note says so.
//! - Grants, secrets and JWKs find their app through `_links` (`/api/v1/apps/{id}`)
//!   or `clientId`; roles through the assignee link (`/clients/{clientId}`).
//! - Client secrets become `secret` credentials, JWKs `certificate` credentials;
//!   a secret that names no app is kept as belonging to an unknown app (a note).
//! - `okta.*` management scopes and admin roles become grants with a tier.
//! - API tokens become `okta_api_token` identities owned by their user; with a
//!   users export the owner's status decides `enabled`.

use std::collections::{BTreeMap, BTreeSet};

use super::{FileRecords, RawApp, RawUser};
use crate::model::okta::{
    Network, OktaApp, OktaData, OktaToken, OrphanSecret, TokenOwner, role_tier, scope_tier,
};
use crate::model::{
    AuthSettings, Credential, CredentialHost, CredentialKind, Grant, GrantKind, Identity,
    IdentityKind, InventoryBuilder, Origin, Owner, PrincipalKind, Provenance, Provider,
    SecretExposure,
};

fn active(status: Option<&str>) -> Option<bool> {
    status.map(|s| s.eq_ignore_ascii_case("ACTIVE"))
}

struct Apps<'a> {
    by_id: BTreeMap<String, usize>,
    by_client: BTreeMap<String, usize>,
    /// Apps added by id only, with what named them.
    stubs: BTreeMap<String, BTreeSet<&'static str>>,
    data: &'a mut OktaData,
}

impl Apps<'_> {
    /// The identity of the app `app_id` or client `client_id`, added by id when
    /// no apps export holds it.
    fn resolve(
        &mut self,
        b: &mut InventoryBuilder,
        app_id: Option<&str>,
        client_id: Option<&str>,
        what: &'static str,
        source: Provenance,
    ) -> Option<usize> {
        let found = app_id
            .and_then(|a| self.by_id.get(a).or_else(|| self.by_client.get(a)))
            .or_else(|| client_id.and_then(|c| self.by_client.get(c).or_else(|| self.by_id.get(c))))
            .copied();
        if let Some(idx) = found {
            if let Some(names) = self.stubs.get_mut(&b.inventory.identities[idx].id) {
                names.insert(what);
            }
            return Some(idx);
        }
        let id = app_id.or(client_id)?.to_string();
        let idx = b.add_identity(Identity {
            provider: Provider::Okta,
            kind: IdentityKind::OktaApp,
            id: id.clone(),
            key: id.clone(),
            name: id.clone(),
            app_id: client_id.map(str::to_string),
            app_object_id: None,
            publisher_tenant: None,
            origin: Origin::Home,
            verified_publisher: None,
            enabled: None,
            created: None,
            last_used: None,
            activity_known: false,
            owners: None,
            settings: AuthSettings::default(),
            human_login: None,
            source,
        });
        self.data.apps.insert(idx, OktaApp::default());
        self.by_id.insert(id.clone(), idx);
        if let Some(c) = client_id {
            self.by_client.insert(c.to_string(), idx);
        }
        self.stubs.entry(id).or_default().insert(what);
        Some(idx)
    }
}

pub fn join(files: Vec<FileRecords>, b: &mut InventoryBuilder, notes: &mut Vec<String>) {
    if files.is_empty() {
        return;
    }
    let mut data = OktaData::default();
    let mut apps: BTreeMap<String, &RawApp> = BTreeMap::new();
    let mut users: BTreeMap<String, &RawUser> = BTreeMap::new();
    for f in &files {
        for a in &f.apps {
            apps.entry(a.id.clone()).or_insert(a);
        }
        for u in &f.users {
            users.entry(u.id.clone()).or_insert(u);
        }
        data.users_known |= f.users_present;
        if f.unattached_keys > 0 {
            notes.push(format!(
                "{}: {} Okta key(s) name no app (no /api/v1/apps/ link) and were not imported",
                f.path, f.unattached_keys
            ));
        }
    }

    let mut index = Apps {
        by_id: BTreeMap::new(),
        by_client: BTreeMap::new(),
        stubs: BTreeMap::new(),
        data: &mut data,
    };
    for (id, a) in &apps {
        let idx = b.add_identity(Identity {
            provider: Provider::Okta,
            kind: IdentityKind::OktaApp,
            id: id.clone(),
            key: id.clone(),
            name: a
                .label
                .clone()
                .or_else(|| a.name.clone())
                .unwrap_or_else(|| id.clone()),
            app_id: a.client_id.clone(),
            app_object_id: None,
            publisher_tenant: a.org.clone(),
            origin: Origin::Home,
            verified_publisher: None,
            enabled: active(a.status.as_deref()),
            created: a.created,
            last_used: None,
            activity_known: false,
            owners: None,
            settings: AuthSettings {
                implicit_access_tokens: a.grant_types.iter().any(|g| g == "implicit"),
                ..AuthSettings::default()
            },
            human_login: None,
            source: a.source,
        });
        index.data.apps.insert(
            idx,
            OktaApp {
                application_type: a.application_type.clone(),
                grant_types: a.grant_types.clone(),
                token_endpoint_auth_method: a.token_endpoint_auth_method.clone(),
                sign_on_mode: a.sign_on_mode.clone(),
                status: a.status.clone(),
                exported: true,
            },
        );
        index.by_id.insert(id.clone(), idx);
        if let Some(c) = &a.client_id {
            index.by_client.entry(c.clone()).or_insert(idx);
        }
    }

    // Client secrets and JWKs.
    let mut seen: BTreeSet<String> = BTreeSet::new();
    for f in &files {
        let mut orphans = 0;
        for s in &f.secrets {
            if !seen.insert(format!("secret|{}", s.id)) {
                continue;
            }
            let Some(idx) = index.resolve(b, s.app_id.as_deref(), None, "client secrets", s.source)
            else {
                orphans += 1;
                index.data.orphan_secrets.push(OrphanSecret {
                    id: s.id.clone(),
                    active: active(s.status.as_deref()),
                    created: s.created,
                    source: s.source,
                });
                continue;
            };
            b.inventory.credentials.push(Credential {
                identity: idx,
                kind: CredentialKind::Secret,
                host: CredentialHost::Identity,
                key_id: Some(s.id.clone()),
                name: Some("client secret".into()),
                usage: None,
                created: s.created,
                expires: None,
                last_used: None,
                federation: None,
                active: active(s.status.as_deref()),
                source: s.source,
            });
        }
        if orphans > 0 {
            notes.push(format!(
                "{}: {orphans} Okta client secret(s) name no app (no /api/v1/apps/ link); they are kept as belonging to an unknown app",
                f.path
            ));
        }
        for k in &f.jwks {
            let key = k.id.clone().or_else(|| k.kid.clone()).unwrap_or_default();
            if !seen.insert(format!("jwk|{key}")) {
                continue;
            }
            let Some(idx) = index.resolve(b, k.app_id.as_deref(), None, "JWKs", k.source) else {
                continue;
            };
            b.inventory.credentials.push(Credential {
                identity: idx,
                kind: CredentialKind::Certificate,
                host: CredentialHost::Identity,
                key_id: k.kid.clone().or_else(|| k.id.clone()),
                name: Some(match &k.id {
                    Some(id) => format!("public key {id}"),
                    None => "public key".into(),
                }),
                usage: Some("Verify".into()),
                created: k.created,
                expires: k.expires,
                last_used: None,
                federation: None,
                active: active(k.status.as_deref()),
                source: k.source,
            });
        }
    }

    // Management-scope grants and admin roles.
    for f in &files {
        for g in &f.grants {
            if g.status
                .as_deref()
                .is_some_and(|s| s.eq_ignore_ascii_case("REVOKED"))
            {
                continue;
            }
            let key = format!(
                "grant|{}|{}|{}",
                g.id.as_deref().unwrap_or(""),
                g.app_id.as_deref().or(g.client_id.as_deref()).unwrap_or(""),
                g.scope
            );
            if !seen.insert(key) {
                continue;
            }
            let Some(idx) = index.resolve(
                b,
                g.app_id.as_deref(),
                g.client_id.as_deref(),
                "grants",
                g.source,
            ) else {
                notes.push(format!(
                    "{}:{}: the Okta grant of {} names no app or client; it was not imported",
                    f.path, g.source.line, g.scope
                ));
                continue;
            };
            b.inventory.grants.push(Grant {
                identity: idx,
                kind: GrantKind::ApplicationPermission,
                resource: g.issuer.as_deref().unwrap_or("Okta Management API").into(),
                resource_app_id: None,
                permission: g.scope.as_str().into(),
                permission_id: g.id.as_deref().map(Into::into),
                tier: scope_tier(&g.scope),
                consent: None,
                scope: None,
                resolution_note: None,
                source: g.source,
            });
        }
        for r in &f.roles {
            if r.status
                .as_deref()
                .is_some_and(|s| s.eq_ignore_ascii_case("INACTIVE"))
            {
                continue;
            }
            let Some(client) = r.client_id.as_deref() else {
                notes.push(format!(
                    "{}:{}: the Okta role assignment {} names no client (no assignee link); it was not imported",
                    f.path, r.source.line, r.role_type
                ));
                continue;
            };
            let key = format!(
                "role|{client}|{}|{}",
                r.id.as_deref().unwrap_or(""),
                r.role_type
            );
            if !seen.insert(key) {
                continue;
            }
            let Some(idx) = index.resolve(b, None, Some(client), "admin roles", r.source) else {
                continue;
            };
            b.inventory.grants.push(Grant {
                identity: idx,
                kind: GrantKind::DirectoryRole,
                resource: "Okta organization".into(),
                resource_app_id: None,
                permission: match (r.role_type.as_str(), &r.label) {
                    ("CUSTOM", Some(label)) => format!("CUSTOM ({label})").into(),
                    _ => r.role_type.as_str().into(),
                },
                permission_id: r.id.as_deref().map(Into::into),
                tier: role_tier(&r.role_type),
                consent: None,
                scope: r.resource_set.clone().map(|s| format!("resource set {s}")),
                resolution_note: None,
                source: r.source,
            });
        }
    }

    // Secret values found in the exports (where, never what).
    for f in &files {
        for e in &f.exposures {
            let identity = e.app_id.as_deref().and_then(|a| {
                index
                    .by_id
                    .get(a)
                    .or_else(|| index.by_client.get(a))
                    .copied()
            });
            b.inventory.exposures.push(SecretExposure {
                provider: Provider::Okta,
                identity,
                what: e.what,
                key_id: e.key_id.clone(),
                source: e.source,
            });
        }
    }

    for (id, what) in &index.stubs {
        let what: Vec<&str> = what.iter().copied().collect();
        let what = match what.split_last() {
            Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
            _ => what.join(""),
        };
        notes.push(format!(
            "the Okta app {id} is named by its {what} but is in no apps export; it is listed by id only"
        ));
    }

    // API tokens, owned by the admin who created them.
    let mut tokens: BTreeMap<String, &super::RawToken> = BTreeMap::new();
    for f in &files {
        for t in &f.tokens {
            tokens.entry(t.id.clone()).or_insert(t);
        }
    }
    for (id, t) in tokens {
        let user = t.user_id.as_deref().and_then(|u| users.get(u));
        if data.users_known
            && user.is_none()
            && let Some(u) = &t.user_id
        {
            notes.push(format!(
                "the owner {u} of Okta API token {id} is not in the users export; its status is unknown"
            ));
        }
        let owner = t.user_id.as_ref().map(|u| TokenOwner {
            user_id: u.clone(),
            login: user.and_then(|x| x.login.clone()),
            status: user.and_then(|x| x.status.clone()),
        });
        let idx = b.add_identity(Identity {
            provider: Provider::Okta,
            kind: IdentityKind::OktaApiToken,
            id: id.clone(),
            key: id.clone(),
            name: t.name.clone().unwrap_or_else(|| id.clone()),
            app_id: None,
            app_object_id: None,
            publisher_tenant: t.org.clone(),
            origin: Origin::Home,
            verified_publisher: None,
            enabled: None,
            created: t.created,
            last_used: None,
            activity_known: false,
            owners: owner.as_ref().map(|o| {
                vec![Owner {
                    id: o.user_id.clone(),
                    name: o.login.clone(),
                    kind: PrincipalKind::User,
                    enabled: o.status.as_deref().map(crate::model::okta::user_is_active),
                    guest: None,
                }]
            }),
            settings: AuthSettings::default(),
            human_login: None,
            source: t.source,
        });
        b.inventory.credentials.push(Credential {
            identity: idx,
            kind: CredentialKind::Secret,
            host: CredentialHost::Identity,
            key_id: Some(id.clone()),
            name: Some("SSWS API token".into()),
            usage: None,
            created: t.created,
            expires: t.expires,
            last_used: None,
            federation: None,
            active: None,
            source: t.source,
        });
        data.tokens.push(OktaToken {
            identity: idx,
            owner,
            network: t
                .network
                .clone()
                .map(|(connection, include, exclude)| Network {
                    connection,
                    include,
                    exclude,
                }),
            token_window: t.token_window.clone(),
            client_name: t.client_name.clone(),
            expires: t.expires,
        });
    }
    b.inventory.okta = data;
}
