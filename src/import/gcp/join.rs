//! Joining GCP records into the inventory.
//!
//! - Service accounts are merged by email; one that appears only as a binding
//!   member or a key owner is added too. Google-managed service agents are first-party.
//! - Only USER_MANAGED keys become credentials (Google rotates system keys).
//! - Each binding whose member is a service account becomes a grant on it, with a
//!   tier from the role: owner, editor and admin roles, and roles that complete a
//!   privilege-escalation method, are Tier 0.
//! - A bare `get-iam-policy` output names no resource: `--gcp-resource PATH=RESOURCE`
//!   names it; otherwise it is read as a project named after the file, and a note says so.
//! - Activity joins service accounts by resource name (email or unique id), keys by id.

use std::collections::{BTreeMap, BTreeSet};

use super::{FileRecords, RawSa};
use crate::import::LoadOptions;
use crate::model::gcp::{GcpBinding, GcpData, GcpProvider, ResourceKind};
use crate::model::{
    Credential, CredentialHost, CredentialKind, Grant, GrantKind, Identity, IdentityKind,
    InventoryBuilder, Origin, Provider, Tier,
};
use crate::reference::gcp;

/// Google-managed service agents and other Google-owned accounts.
pub fn is_service_agent(email: &str) -> bool {
    let domain = email.split('@').nth(1).unwrap_or("");
    domain.starts_with("gcp-sa-")
        || domain.contains(".gcp-sa-")
        || domain == "cloudservices.gserviceaccount.com"
        || domain.ends_with("cloudbuild.gserviceaccount.com")
        || email
            .split('@')
            .next()
            .and_then(|local| local.strip_prefix("service-"))
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

/// Default compute and App Engine service accounts.
pub fn is_default_sa(email: &str) -> bool {
    email.ends_with("-compute@developer.gserviceaccount.com")
        || email.ends_with("@appspot.gserviceaccount.com")
}

/// The kind and service account of a resource name, full (`//iam.googleapis.com/…`) or short.
fn resource_kind(name: &str) -> (ResourceKind, Option<String>) {
    let short = name
        .strip_prefix("//")
        .and_then(|r| r.split_once('/').map(|(_, rest)| rest))
        .unwrap_or(name);
    if let Some(rest) = short.split("/serviceAccounts/").nth(1) {
        return (
            ResourceKind::ServiceAccount,
            Some(rest.split('/').next().unwrap_or(rest).to_string()),
        );
    }
    let segments: Vec<&str> = short.split('/').collect();
    match segments.as_slice() {
        ["organizations", _] => (ResourceKind::Organization, None),
        ["folders", _] => (ResourceKind::Folder, None),
        ["projects", _] => (ResourceKind::Project, None),
        _ => (ResourceKind::Other, None),
    }
}

/// Is a role on its own privileged (Tier 0)?
fn role_tier(role: &str) -> Tier {
    let completes_method = gcp::METHODS.iter().any(|m| {
        m.permissions.iter().all(|p| {
            gcp::permissions(role)
                .iter()
                .any(|q| q.eq_ignore_ascii_case(p))
        })
    });
    if gcp::is_primitive(role) || gcp::is_admin(role) || completes_method {
        Tier::Tier0
    } else {
        Tier::Unclassified
    }
}

pub fn join(
    files: Vec<FileRecords>,
    options: &LoadOptions,
    b: &mut InventoryBuilder,
    notes: &mut Vec<String>,
) {
    if files.is_empty() {
        return;
    }
    let mut data = GcpData::default();
    let mut sas: BTreeMap<String, RawSa> = BTreeMap::new();
    let mut by_unique: BTreeMap<String, String> = BTreeMap::new();
    for f in &files {
        for sa in &f.sas {
            if let Some(u) = &sa.unique_id {
                by_unique.insert(u.clone(), sa.email.clone());
            }
            sas.entry(sa.email.clone()).or_insert_with(|| sa.clone());
        }
        data.sa_activity_known |= f.sa_activity_present;
        data.key_activity_known |= f.key_activity_present;
        let projects = |activity: &[(String, Option<jiff::Timestamp>)]| -> Vec<String> {
            activity
                .iter()
                .filter_map(|(name, _)| crate::model::gcp::project_in_resource(name))
                .map(str::to_string)
                .collect()
        };
        data.sa_activity_projects.extend(projects(&f.sa_activity));
        data.key_activity_projects.extend(projects(&f.key_activity));
    }
    let email_of = |id: String| by_unique.get(&id).cloned().unwrap_or(id);

    // Bindings, with their resources resolved.
    for f in &files {
        for p in &f.policies {
            let resource = match &p.resource {
                Some(r) => r.clone(),
                None => match named_resource(&options.gcp_resources, &f.path) {
                    Some(r) => r.to_string(),
                    None => {
                        let stem = std::path::Path::new(&f.path)
                            .file_stem()
                            .map(|s| s.to_string_lossy().to_string())
                            .unwrap_or_default();
                        notes.push(format!(
                            "the IAM policy in {} does not name its resource; it was read as project \"{stem}\" (name it with --gcp-resource {}=RESOURCE)",
                            f.path,
                            std::path::Path::new(&f.path).file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default()
                        ));
                        format!("projects/{stem}")
                    }
                },
            };
            let (kind, sa) = resource_kind(&resource);
            for binding in &p.bindings {
                data.bindings.push(GcpBinding {
                    resource: resource.clone(),
                    kind,
                    service_account: sa.clone().map(email_of),
                    role: binding.role.clone(),
                    members: binding.members.clone(),
                    condition: binding.condition.clone(),
                    source: p.source,
                });
            }
        }
        for pr in &f.providers {
            data.providers.push(GcpProvider {
                name: pr.name.clone(),
                issuer: pr.issuer.clone(),
                condition: pr.condition.clone(),
                disabled: pr.disabled,
                source: pr.source,
            });
        }
    }

    // Service accounts named only by bindings or keys.
    let mut extra: BTreeSet<String> = BTreeSet::new();
    for bnd in &data.bindings {
        for m in &bnd.members {
            // `serviceAccount:PROJECT.svc.id.goog[ns/sa]` is a GKE workload, not an account.
            if let Some(email) = m.strip_prefix("serviceAccount:")
                && email.contains('@')
                && !sas.contains_key(email)
            {
                extra.insert(email.to_string());
            }
        }
    }
    for f in &files {
        for k in &f.keys {
            let email = email_of(k.sa.clone());
            if !sas.contains_key(&email) {
                extra.insert(email);
            }
        }
    }
    let first_source = data.bindings.first().map(|b| b.source).unwrap_or_default();
    for email in extra {
        sas.insert(
            email.clone(),
            RawSa {
                email,
                display_name: None,
                project: None,
                unique_id: None,
                disabled: false,
                source: first_source,
            },
        );
    }

    for (email, sa) in &sas {
        let idx = b.add_identity(Identity {
            provider: Provider::Gcp,
            kind: IdentityKind::ServiceAccount,
            id: email.clone(),
            key: email.clone(),
            name: email.clone(),
            app_id: sa.unique_id.clone(),
            app_object_id: None,
            publisher_tenant: sa.project.clone(),
            origin: if is_service_agent(email) {
                Origin::FirstParty
            } else {
                Origin::Home
            },
            verified_publisher: None,
            enabled: Some(!sa.disabled),
            created: None,
            last_used: None,
            activity_known: data.sa_activity_known,
            owners: None,
            settings: Default::default(),
            human_login: None,
            source: sa.source,
        });
        let identity = &mut b.inventory.identities[idx];
        identity.activity_known = data.sa_activity_covers(identity);
        data.by_email.insert(email.clone(), idx);
    }

    // Keys.
    let mut key_index: BTreeMap<String, usize> = BTreeMap::new();
    for f in &files {
        for k in f.keys.iter().filter(|k| k.user_managed) {
            let Some(&idx) = data.by_email.get(&email_of(k.sa.clone())) else {
                continue;
            };
            if key_index.contains_key(&k.key_id) {
                continue;
            }
            key_index.insert(k.key_id.clone(), b.inventory.credentials.len());
            b.inventory.credentials.push(Credential {
                identity: idx,
                kind: CredentialKind::AccessKey,
                host: CredentialHost::Identity,
                key_id: Some(k.key_id.clone()),
                name: Some("user-managed key".into()),
                usage: None,
                created: k.valid_after,
                expires: k.valid_before,
                last_used: None,
                federation: None,
                active: Some(!k.disabled),
                source: k.source,
            });
        }
    }

    // Activity.
    for f in &files {
        for (name, last) in &f.sa_activity {
            let id = super::sa_of(name).unwrap_or_else(|| name.clone());
            if let Some(&idx) = data.by_email.get(&email_of(id)) {
                let i = &mut b.inventory.identities[idx];
                i.last_used = i.last_used.max(*last);
            }
        }
        for (name, last) in &f.key_activity {
            let id = name.rsplit('/').next().unwrap_or(name);
            if let Some(&c) = key_index.get(id) {
                let cred = &mut b.inventory.credentials[c];
                cred.last_used = cred.last_used.max(*last);
            }
        }
    }

    // Grants.
    for bnd in &data.bindings {
        let tier = role_tier(&bnd.role);
        for m in &bnd.members {
            let Some(email) = m.strip_prefix("serviceAccount:") else {
                continue;
            };
            let Some(&idx) = data.by_email.get(email) else {
                continue;
            };
            b.inventory.grants.push(Grant {
                identity: idx,
                kind: GrantKind::RoleBinding,
                resource: bnd.resource.as_str().into(),
                resource_app_id: None,
                permission: bnd.role.as_str().into(),
                permission_id: None,
                tier,
                consent: None,
                scope: bnd.condition.clone().map(|c| format!("condition: {c}")),
                resolution_note: None,
                source: bnd.source,
            });
        }
    }
    b.inventory.gcp = data;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resources_are_classified_from_full_and_short_names() {
        assert_eq!(
            resource_kind("//cloudresourcemanager.googleapis.com/projects/123").0,
            ResourceKind::Project
        );
        assert_eq!(
            resource_kind("organizations/5").0,
            ResourceKind::Organization
        );
        assert_eq!(resource_kind("folders/9").0, ResourceKind::Folder);
        let (kind, sa) = resource_kind(
            "//iam.googleapis.com/projects/p/serviceAccounts/a@p.iam.gserviceaccount.com",
        );
        assert_eq!(
            (kind, sa.as_deref()),
            (
                ResourceKind::ServiceAccount,
                Some("a@p.iam.gserviceaccount.com")
            )
        );
        assert_eq!(
            resource_kind("//storage.googleapis.com/bucket").0,
            ResourceKind::Other
        );
    }

    #[test]
    fn service_agents_and_default_accounts_are_recognised() {
        assert!(is_service_agent(
            "service-123@gcp-sa-cloudbuild.iam.gserviceaccount.com"
        ));
        assert!(is_service_agent("123@cloudservices.gserviceaccount.com"));
        assert!(!is_service_agent(
            "deployer@contoso-prod.iam.gserviceaccount.com"
        ));
        assert!(is_default_sa("123-compute@developer.gserviceaccount.com"));
        assert!(is_default_sa("contoso-prod@appspot.gserviceaccount.com"));
    }
}

/// The `--gcp-resource FILE=RESOURCE` entry naming the policy file at `path`.
/// FILE matches whole trailing path components (`pol.json` names `x/pol.json`
/// but not `x/folderpol.json`); when several match, the longest wins.
fn named_resource<'a>(named: &'a [(String, String)], path: &str) -> Option<&'a str> {
    let path = std::path::Path::new(path);
    named
        .iter()
        .filter_map(|(file, resource)| {
            let file = std::path::Path::new(file.trim_start_matches("./"));
            path.ends_with(file)
                .then(|| (file.components().count(), resource.as_str()))
        })
        .max_by_key(|(n, _)| *n)
        .map(|(_, resource)| resource)
}

#[cfg(test)]
mod named_resource_tests {
    use super::named_resource;

    #[test]
    fn file_names_match_whole_components_and_the_longest_wins() {
        let named = vec![
            ("pol.json".to_string(), "projects/a".to_string()),
            ("./prod/pol.json".to_string(), "projects/b".to_string()),
        ];
        let pick = |p| named_resource(&named, p);
        assert_eq!(pick("exports/dev/pol.json"), Some("projects/a"));
        assert_eq!(pick("exports/prod/pol.json"), Some("projects/b"));
        assert_eq!(pick("exports/folderpol.json"), None);
    }
}
