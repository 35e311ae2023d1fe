//! Google Cloud IAM checks, one module per family: `keys`, `roles`, `wif`,
//! `usage`. Each public function is one check with its metadata in
//! `checks/gcp/<ID>.toml`.

use std::collections::BTreeMap;

use super::Ctx;
use crate::model::gcp::{GcpBinding, ResourceKind};
use crate::model::{Identity, Provider};
use crate::reference::gcp;

pub mod keys;
pub mod roles;
pub mod usage;
pub mod wif;

/// The customer's service accounts in this shard (service agents left out).
pub(crate) fn service_accounts<'a>(
    ctx: &Ctx<'a>,
) -> impl Iterator<Item = (usize, &'a Identity)> + use<'a> {
    ctx.identities()
        .filter(|(_, i)| i.provider == Provider::Gcp && !i.is_first_party())
}

pub(crate) fn member(email: &str) -> String {
    format!("serviceAccount:{email}")
}

/// One privilege-escalation method an account completes on one resource.
pub(crate) struct Escalation {
    pub method: &'static gcp::Method,
    pub resource: String,
    pub roles: Vec<String>,
}

/// Methods completed by the account's roles on each resource it holds roles on.
pub(crate) fn escalations(ctx: &Ctx, email: &str) -> Vec<Escalation> {
    let m = member(email);
    let mut by_resource: BTreeMap<(&str, ResourceKind), Vec<&GcpBinding>> = BTreeMap::new();
    for b in ctx.inv.gcp.bindings_of(&m) {
        by_resource
            .entry((&b.resource, b.kind))
            .or_default()
            .push(b);
    }
    let mut out = Vec::new();
    for ((resource, kind), bindings) in by_resource {
        let granted: Vec<&String> = bindings
            .iter()
            .flat_map(|b| gcp::permissions(&b.role).iter())
            .collect();
        for method in gcp::METHODS.iter() {
            let in_scope = method.scopes.iter().any(|s| s == kind.scope_name());
            let all = method
                .permissions
                .iter()
                .all(|p| granted.iter().any(|g| g.eq_ignore_ascii_case(p)));
            if in_scope && all {
                let mut roles: Vec<String> = bindings
                    .iter()
                    .filter(|b| {
                        gcp::permissions(&b.role)
                            .iter()
                            .any(|g| method.permissions.iter().any(|p| p.eq_ignore_ascii_case(g)))
                    })
                    .map(|b| b.role.clone())
                    .collect();
                roles.sort();
                roles.dedup();
                out.push(Escalation {
                    method,
                    resource: resource.to_string(),
                    roles,
                });
            }
        }
    }
    out
}

/// Why a service account counts as privileged, if it does.
pub(crate) fn privilege(ctx: &Ctx, email: &str) -> Option<String> {
    let m = member(email);
    for b in ctx.inv.gcp.bindings_of(&m) {
        if gcp::is_primitive(&b.role) || gcp::is_admin(&b.role) {
            return Some(format!("{} on {}", b.role, b.resource));
        }
    }
    escalations(ctx, email)
        .first()
        .map(|e| format!("privilege escalation ({}) on {}", e.method.name, e.resource))
}
