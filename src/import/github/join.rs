//! Joining GitHub records into the inventory.
//!
//! - Installations are merged by id; when several payloads describe one
//!   installation, the most recently updated wins (the later file on a tie). Each
//!   permission becomes a grant on the organisation (organisation permissions)
//!   or on the selected or all repositories, tiered by
//!   [`crate::model::github::permission_tier`].
//! - Deploy keys are merged by repository and id; each has one `ssh_key`
//!   credential and a `contents:write` or `contents:read` grant on its repository.
//! - Fine-grained tokens: one identity per approved grant (keyed by the grant id)
//!   and per pending request (`request/<id>`), each with one `secret` credential.
//!   A request's permissions are recorded as grants marked "requested, not
//!   approved", unclassified, since the token does not hold them yet.

use std::collections::BTreeMap;

use super::{FileRecords, RawDeployKey, RawInstallation, RawPat};
use crate::model::github::{
    DeployKey, GithubData, Installation, Pat, PatStatus, is_organization_permission,
    permission_tier,
};
use crate::model::{
    AuthSettings, Credential, CredentialHost, CredentialKind, Grant, GrantKind, Identity,
    IdentityKind, InventoryBuilder, Origin, Owner, PrincipalKind, Provider, Tier,
};

fn identity(
    kind: IdentityKind,
    id: String,
    name: String,
    tenant: Option<String>,
    origin: Origin,
    source: crate::model::Provenance,
) -> Identity {
    Identity {
        provider: Provider::Github,
        kind,
        key: id.clone(),
        id,
        name,
        app_id: None,
        app_object_id: None,
        publisher_tenant: tenant,
        origin,
        verified_publisher: None,
        enabled: None,
        created: None,
        last_used: None,
        activity_known: false,
        owners: None,
        settings: AuthSettings::default(),
        human_login: None,
        source,
    }
}

fn user(login: &str) -> Owner {
    Owner {
        id: login.to_string(),
        name: Some(login.to_string()),
        kind: PrincipalKind::User,
        enabled: None,
        guest: None,
    }
}

pub fn join(files: Vec<FileRecords>, b: &mut InventoryBuilder, notes: &mut Vec<String>) {
    if files.is_empty() {
        return;
    }
    let mut data = GithubData::default();

    // Installations: the latest description of each.
    let mut installations: BTreeMap<String, &RawInstallation> = BTreeMap::new();
    for f in &files {
        for i in &f.installations {
            match installations.get(&i.id) {
                Some(old) if old.updated > i.updated => {}
                _ => {
                    installations.insert(i.id.clone(), i);
                }
            }
        }
    }
    for (id, i) in installations {
        let account = i
            .account
            .clone()
            .unwrap_or_else(|| "unknown account".into());
        let app = i
            .app_slug
            .clone()
            .or_else(|| i.app_id.as_ref().map(|a| format!("app {a}")))
            .unwrap_or_else(|| format!("installation {id}"));
        let mut x = identity(
            IdentityKind::GithubAppInstallation,
            id.clone(),
            format!("{app} ({account})"),
            i.account.clone(),
            // The installation object does not say who publishes the App.
            Origin::Unknown,
            i.source,
        );
        x.app_id = i.app_id.clone();
        x.enabled = Some(!i.suspended);
        x.created = i.created;
        let idx = b.add_identity(x);
        let all = i.repository_selection.as_deref() == Some("all");
        for (permission, level) in &i.permissions {
            b.inventory.grants.push(Grant {
                identity: idx,
                kind: GrantKind::ApplicationPermission,
                resource: if is_organization_permission(permission) {
                    format!("organization {account}")
                } else if all {
                    format!("all repositories of {account}")
                } else {
                    format!("selected repositories of {account}")
                }
                .into(),
                resource_app_id: None,
                permission: format!("{permission}:{level}").into(),
                permission_id: None,
                tier: permission_tier(permission, level),
                consent: None,
                scope: None,
                resolution_note: None,
                source: i.source,
            });
        }
        data.installations.insert(
            idx,
            Installation {
                app_slug: i.app_slug.clone(),
                app_id: i.app_id.clone(),
                account: i.account.clone(),
                target_type: i.target_type.clone(),
                repository_selection: i.repository_selection.clone(),
                permissions: i.permissions.clone(),
                suspended: i.suspended,
            },
        );
    }

    // Deploy keys.
    let mut keys: BTreeMap<(String, String), &RawDeployKey> = BTreeMap::new();
    for f in &files {
        for k in &f.deploy_keys {
            let repo = match &k.repository {
                Some(r) => r.clone(),
                None => {
                    notes.push(format!(
                        "{}:{}: the deploy key {} names no repository (no url); it is listed under \"unknown\"",
                        f.path, k.source.line, k.id
                    ));
                    "unknown".into()
                }
            };
            keys.entry((repo, k.id.clone())).or_insert(k);
        }
    }
    for ((repo, id), k) in keys {
        let key = format!("{repo}/{id}");
        let title = k.title.clone().unwrap_or_else(|| format!("key {id}"));
        let mut x = identity(
            IdentityKind::GithubDeployKey,
            key,
            format!("{repo}: {title}"),
            repo.split('/').next().map(str::to_string),
            Origin::Home,
            k.source,
        );
        x.created = k.created;
        x.last_used = k.last_used.flatten();
        x.activity_known = k.last_used.is_some();
        x.enabled = k.enabled;
        x.owners = k.added_by.as_deref().map(|a| vec![user(a)]);
        let idx = b.add_identity(x);
        b.inventory.credentials.push(Credential {
            identity: idx,
            kind: CredentialKind::SshKey,
            host: CredentialHost::Identity,
            key_id: Some(id.clone()),
            name: k.title.clone(),
            usage: None,
            created: k.created,
            expires: None,
            last_used: k.last_used.flatten(),
            federation: None,
            active: k.enabled,
            source: k.source,
        });
        if let Some(read_only) = k.read_only {
            let level = if read_only { "read" } else { "write" };
            b.inventory.grants.push(Grant {
                identity: idx,
                kind: GrantKind::ApplicationPermission,
                resource: repo.as_str().into(),
                resource_app_id: None,
                permission: format!("contents:{level}").into(),
                permission_id: None,
                tier: permission_tier("contents", level),
                consent: None,
                scope: None,
                resolution_note: None,
                source: k.source,
            });
        }
        data.deploy_keys.insert(
            idx,
            DeployKey {
                repository: repo,
                read_only: k.read_only,
                last_used_known: k.last_used.is_some(),
            },
        );
    }

    // Fine-grained tokens.
    let mut pats: BTreeMap<String, &RawPat> = BTreeMap::new();
    for f in &files {
        for p in &f.pats {
            let key = match p.status {
                PatStatus::Approved => p.id.clone(),
                PatStatus::Pending => format!("request/{}", p.id),
            };
            pats.entry(key).or_insert(p);
        }
    }
    for (key, p) in pats {
        let token = p
            .token_name
            .clone()
            .or_else(|| p.token_id.as_ref().map(|t| format!("token {t}")))
            .unwrap_or_else(|| format!("token of grant {}", p.id));
        let owner = p.owner.clone().unwrap_or_else(|| "unknown owner".into());
        let org = p
            .organization
            .clone()
            .unwrap_or_else(|| "the organization".into());
        let mut x = identity(
            IdentityKind::GithubFineGrainedPat,
            key,
            match p.status {
                PatStatus::Approved => format!("{token} ({owner})"),
                PatStatus::Pending => format!("{token} ({owner}, requested)"),
            },
            p.organization.clone(),
            Origin::Home,
            p.source,
        );
        x.created = p.since;
        x.last_used = p.last_used.flatten();
        x.activity_known = p.last_used.is_some();
        x.enabled = p.token_expired.map(|e| !e);
        x.owners = p.owner.as_deref().map(|o| vec![user(o)]);
        let idx = b.add_identity(x);
        b.inventory.credentials.push(Credential {
            identity: idx,
            kind: CredentialKind::Secret,
            host: CredentialHost::Identity,
            key_id: p.token_id.clone(),
            name: p.token_name.clone(),
            usage: None,
            created: None,
            expires: p.expires,
            last_used: p.last_used.flatten(),
            federation: None,
            active: p.token_expired.map(|e| !e),
            source: p.source,
        });
        for (group, permission, level) in &p.permissions {
            let resource = match (*group, p.repository_selection.as_deref()) {
                ("organization", _) => format!("organization {org}"),
                ("repository", Some("all")) => format!("all repositories of {org}"),
                ("repository", Some("none")) => format!("public repositories of {org}"),
                ("repository", _) => format!("selected repositories of {org}"),
                _ => format!("account of {owner}"),
            };
            let pending = p.status == PatStatus::Pending;
            b.inventory.grants.push(Grant {
                identity: idx,
                kind: GrantKind::DelegatedPermission,
                resource: resource.into(),
                resource_app_id: None,
                permission: format!("{permission}:{level}").into(),
                permission_id: None,
                tier: if pending {
                    Tier::Unclassified
                } else {
                    permission_tier(permission, level)
                },
                consent: None,
                scope: pending.then(|| "requested, not approved".to_string()),
                resolution_note: None,
                source: p.source,
            });
        }
        data.pats.insert(
            idx,
            Pat {
                status: p.status,
                organization: p.organization.clone(),
                owner: p.owner.clone(),
                token_id: p.token_id.clone(),
                token_name: p.token_name.clone(),
                token_expired: p.token_expired,
                expiry_known: p.expiry_known,
                expires: p.expires,
                repository_selection: p.repository_selection.clone(),
                reason: p.reason.clone(),
            },
        );
    }
    b.inventory.github = data;
}
