//! Entra reference data, embedded from `data/entra/` at build time: permission and
//! role tiers, high-risk delegated scopes, Microsoft's tenants and first-party apps.
//! Each data file names its provenance in its header.

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::sync::LazyLock;

use serde::Deserialize;

use crate::model::Tier;

/// Microsoft Graph's application id.
pub const MICROSOFT_GRAPH: &str = "00000003-0000-0000-c000-000000000000";

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Permission {
    pub resource_app_id: String,
    pub resource: String,
    pub value: String,
    #[serde(default)]
    pub id: Option<String>,
    pub tier: u8,
    #[serde(default)]
    pub path: Option<String>,
    #[serde(default)]
    pub why: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PermissionFile {
    #[serde(default)]
    permission: Vec<Permission>,
    #[serde(default)]
    scope: Vec<Permission>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Role {
    pub name: String,
    pub template_id: String,
    pub tier: u8,
    #[serde(default)]
    pub path: Option<String>,
    #[serde(default)]
    pub why: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RoleFile {
    role: Vec<Role>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct Tenant {
    id: String,
    name: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct Resource {
    app_id: String,
    name: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct MicrosoftFile {
    tenant: Vec<Tenant>,
    resource: Vec<Resource>,
}

/// The loaded tables, indexed for lookups.
pub struct EntraReference {
    /// resource appId → appRole id → permission.
    app_roles_by_id: Nested,
    /// resource appId → value (as written and lower-cased) → permission.
    app_roles_by_value: Nested,
    /// resource appId → scope (as written and lower-cased) → scope.
    scopes: Nested,
    roles: HashMap<String, Role>,
    microsoft_tenants: HashMap<String, String>,
    resources: HashMap<String, String>,
    first_party: HashSet<String>,
    /// The first-party list's `# version:` line.
    pub first_party_version: String,
}

/// Two-level map looked up with borrowed keys: no allocation per lookup.
type Nested = HashMap<String, HashMap<String, Permission>>;

fn nested<'p>(items: impl Iterator<Item = (&'p str, &'p str, &'p Permission)>) -> Nested {
    let mut m: Nested = HashMap::default();
    for (outer, inner, p) in items {
        let by = m.entry(outer.to_ascii_lowercase()).or_default();
        by.insert(inner.to_string(), p.clone());
        by.insert(inner.to_ascii_lowercase(), p.clone());
    }
    m
}

/// Looks `inner` up as written, then lower-cased; `outer` lower-cased only if needed.
fn find<'m>(m: &'m Nested, outer: &str, inner: &str) -> Option<&'m Permission> {
    let by = match m.get(outer) {
        Some(by) => by,
        None => m.get(&outer.to_ascii_lowercase())?,
    };
    by.get(inner)
        .or_else(|| by.get(&inner.to_ascii_lowercase()))
}

const APP_PERMISSIONS: &str = include_str!("../../data/entra/app_permissions.toml");
const DELEGATED_SCOPES: &str = include_str!("../../data/entra/delegated_scopes.toml");
const DIRECTORY_ROLES: &str = include_str!("../../data/entra/directory_roles.toml");
const MICROSOFT: &str = include_str!("../../data/entra/microsoft_tenants.toml");
const FIRST_PARTY: &str = include_str!("../../data/entra/first_party_apps.tsv");

/// The embedded tables. They are validated by tests, so a failure here is a build defect.
pub static ENTRA: LazyLock<EntraReference> =
    LazyLock::new(|| EntraReference::load().expect("embedded Entra reference data is valid"));

impl EntraReference {
    fn load() -> Result<Self, String> {
        let perms: PermissionFile =
            toml::from_str(APP_PERMISSIONS).map_err(|e| format!("app_permissions.toml: {e}"))?;
        let scopes: PermissionFile =
            toml::from_str(DELEGATED_SCOPES).map_err(|e| format!("delegated_scopes.toml: {e}"))?;
        let roles: RoleFile =
            toml::from_str(DIRECTORY_ROLES).map_err(|e| format!("directory_roles.toml: {e}"))?;
        let ms: MicrosoftFile =
            toml::from_str(MICROSOFT).map_err(|e| format!("microsoft_tenants.toml: {e}"))?;
        let mut first_party = HashSet::default();
        let mut version = String::new();
        for line in FIRST_PARTY.lines() {
            if let Some(comment) = line.strip_prefix('#') {
                if let Some(v) = comment.trim().strip_prefix("version:") {
                    version = v.trim().to_string();
                }
                continue;
            }
            if let Some(id) = line.split('\t').next().filter(|s| !s.is_empty()) {
                first_party.insert(id.trim().to_ascii_lowercase());
            }
        }
        let lower = |s: &str| s.to_ascii_lowercase();
        Ok(EntraReference {
            app_roles_by_id: nested(
                perms
                    .permission
                    .iter()
                    .filter_map(|p| Some((p.resource_app_id.as_str(), p.id.as_deref()?, p))),
            ),
            app_roles_by_value: nested(
                perms
                    .permission
                    .iter()
                    .map(|p| (p.resource_app_id.as_str(), p.value.as_str(), p)),
            ),
            scopes: nested(
                scopes
                    .scope
                    .iter()
                    .map(|p| (p.resource_app_id.as_str(), p.value.as_str(), p)),
            ),
            roles: roles
                .role
                .into_iter()
                .map(|r| (lower(&r.template_id), r))
                .collect(),
            microsoft_tenants: ms
                .tenant
                .into_iter()
                .map(|t| (lower(&t.id), t.name))
                .collect(),
            resources: ms
                .resource
                .into_iter()
                .map(|r| (lower(&r.app_id), r.name))
                .collect(),
            first_party,
            first_party_version: version,
        })
    }

    /// The tier of an application permission named by its resource and value.
    pub fn app_permission(&self, resource_app_id: &str, value: &str) -> Option<&Permission> {
        find(&self.app_roles_by_value, resource_app_id, value)
    }

    /// An application permission of a resource by its appRole id. Only for resources
    /// whose SP is not in the export: the id is looked up within that resource only.
    pub fn app_permission_by_id(&self, resource_app_id: &str, id: &str) -> Option<&Permission> {
        find(&self.app_roles_by_id, resource_app_id, id)
    }

    /// The tier of a delegated scope on a resource.
    pub fn scope(&self, resource_app_id: &str, value: &str) -> Option<&Permission> {
        find(&self.scopes, resource_app_id, value)
    }

    /// Ids from the importers are lower-cased already; others are lower-cased here.
    pub fn role(&self, template_id: &str) -> Option<&Role> {
        self.roles
            .get(template_id)
            .or_else(|| self.roles.get(&template_id.to_ascii_lowercase()))
    }

    pub fn is_microsoft_tenant(&self, tenant: &str) -> bool {
        self.microsoft_tenants.contains_key(tenant)
            || self
                .microsoft_tenants
                .contains_key(&tenant.to_ascii_lowercase())
    }

    pub fn is_first_party_app(&self, app_id: &str) -> bool {
        self.first_party.contains(app_id) || self.first_party.contains(&app_id.to_ascii_lowercase())
    }

    /// The name of a well-known Microsoft resource application.
    pub fn resource_name(&self, app_id: &str) -> Option<&str> {
        self.resources
            .get(&app_id.to_ascii_lowercase())
            .map(String::as_str)
    }

    /// The tier of a permission, defaulting to unclassified.
    pub fn tier(p: Option<&Permission>) -> Tier {
        p.map(|p| Tier::from_number(p.tier))
            .unwrap_or(Tier::Unclassified)
    }

    /// Every application permission once (the value map holds each under two spellings).
    pub fn all_permissions(&self) -> Vec<&Permission> {
        let mut all: Vec<&Permission> = self
            .app_roles_by_value
            .values()
            .flat_map(|by| by.values())
            .collect();
        all.sort_by(|a, b| (&a.resource_app_id, &a.value).cmp(&(&b.resource_app_id, &b.value)));
        all.dedup_by(|a, b| a.resource_app_id == b.resource_app_id && a.value == b.value);
        all
    }

    pub fn all_roles(&self) -> impl Iterator<Item = &Role> {
        self.roles.values()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_load_with_the_documented_tier0_counts() {
        let r = &*ENTRA;
        let graph_tier0 = r
            .all_permissions()
            .into_iter()
            .filter(|p| p.tier == 0 && p.resource_app_id == MICROSOFT_GRAPH)
            .count();
        assert_eq!(
            graph_tier0, 41,
            "frameworks.md §5.1 lists 41 Tier-0 Graph permissions"
        );
        assert_eq!(r.all_roles().filter(|x| x.tier == 0).count(), 31);
        assert!(r.first_party.len() > 4000);
        assert!(!r.first_party_version.is_empty());
    }

    #[test]
    fn lookups_are_per_resource() {
        let r = &*ENTRA;
        let p = r
            .app_permission_by_id(MICROSOFT_GRAPH, "9E3F62CF-CA93-4989-B6CE-BF83C28F9FE8")
            .unwrap();
        assert_eq!(p.value, "RoleManagement.ReadWrite.Directory");
        // The same GUID on another resource is not Graph's permission.
        assert!(
            r.app_permission_by_id(
                "00000003-0000-0ff1-ce00-000000000000",
                "9e3f62cf-ca93-4989-b6ce-bf83c28f9fe8"
            )
            .is_none()
        );
        let fa = r
            .app_permission("00000002-0000-0ff1-ce00-000000000000", "full_access_as_app")
            .unwrap();
        assert_eq!(fa.tier, 0);
        assert_eq!(
            r.role("62e90394-69f5-4237-9190-012177145e10").unwrap().tier,
            0
        );
        assert!(r.is_microsoft_tenant("F8CDEF31-A31E-4B4A-93E4-5F571E91255A"));
        assert!(r.is_first_party_app("00000003-0000-0000-c000-000000000000"));
    }
}
