//! Kubernetes service account checks: `rbac` (what bindings grant), `tokens`
//! (legacy token Secrets and Secret values in the export), `workloads` (reuse and
//! token mounting) and `links` (cloud identities named by annotations).

use super::Ctx;
use crate::model::{Identity, Provider};

pub mod links;
pub mod rbac;
pub mod tokens;
pub mod workloads;

/// The customer's service accounts in this shard (system namespaces left out).
pub(crate) fn service_accounts<'a>(
    ctx: &Ctx<'a>,
) -> impl Iterator<Item = (usize, &'a Identity)> + use<'a> {
    ctx.identities()
        .filter(|(_, i)| i.provider == Provider::K8s && !i.is_first_party())
}
