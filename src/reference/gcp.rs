//! GCP reference data, embedded from `data/gcp/` at build time: the
//! privilege-escalation methods (frameworks.md §7) and which of their
//! permissions each covered predefined role grants.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use serde::Deserialize;

use crate::checks::Severity;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Method {
    pub id: String,
    pub name: String,
    pub permissions: Vec<String>,
    pub scopes: Vec<String>,
    pub severity: Severity,
    pub rhino_key: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Role {
    pub name: String,
    pub permissions: Vec<String>,
    #[serde(default)]
    pub admin: bool,
    #[serde(default)]
    pub primitive: bool,
    #[serde(default)]
    pub source: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Methods {
    method: Vec<Method>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Roles {
    role: Vec<Role>,
}

pub static METHODS: LazyLock<Vec<Method>> = LazyLock::new(|| {
    toml::from_str::<Methods>(include_str!("../../data/gcp/privesc.toml"))
        .expect("embedded data/gcp/privesc.toml is valid")
        .method
});

pub static ROLES: LazyLock<BTreeMap<String, Role>> = LazyLock::new(|| {
    toml::from_str::<Roles>(include_str!("../../data/gcp/roles.toml"))
        .expect("embedded data/gcp/roles.toml is valid")
        .role
        .into_iter()
        .map(|r| (r.name.clone(), r))
        .collect()
});

/// roles/owner or roles/editor.
pub fn is_primitive(role: &str) -> bool {
    role == "roles/owner" || role == "roles/editor"
}

/// An administrator role: marked so in the table, or named `…admin` / `…Admin`.
pub fn is_admin(role: &str) -> bool {
    ROLES.get(role).is_some_and(|r| r.admin)
        || role
            .rsplit(['.', '/'])
            .next()
            .is_some_and(|last| last.to_ascii_lowercase().ends_with("admin"))
}

/// The method-relevant permissions a role grants (none for roles not in the table).
pub fn permissions(role: &str) -> &'static [String] {
    ROLES
        .get(role)
        .map(|r| r.permissions.as_slice())
        .unwrap_or(&[])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_load_and_cover_rhinos_23_methods() {
        assert_eq!(METHODS.len(), 23);
        assert!(ROLES.contains_key("roles/iam.serviceAccountTokenCreator"));
        assert!(is_primitive("roles/editor") && !is_primitive("roles/viewer"));
        assert!(is_admin("roles/iam.securityAdmin") && is_admin("roles/compute.instanceAdmin.v1"));
        assert!(!is_admin("roles/viewer"));
        let known: Vec<&String> = METHODS.iter().flat_map(|m| &m.permissions).collect();
        for r in ROLES.values() {
            for p in &r.permissions {
                assert!(
                    known.iter().any(|k| k.eq_ignore_ascii_case(p)),
                    "{} lists {p}, which no method uses",
                    r.name
                );
            }
        }
    }
}
