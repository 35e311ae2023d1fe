//! AWS IAM checks, one module per family of risks. Each public function is one
//! check; its doc comment says what it detects and why it matters, and its
//! metadata lives in `checks/aws/<ID>.toml`. Policy questions go to the policy
//! engine (`policy::aws`), never to raw JSON.

use super::Ctx;
use crate::model::Identity;
use crate::model::aws::AwsPrincipal;
use crate::policy::aws_privesc;

pub mod keys;
pub mod policies;
pub mod privesc;
pub mod trust;
pub mod usage;

/// The customer's AWS principals in this shard (service-linked roles left out).
pub(crate) fn principals<'a>(
    ctx: &Ctx<'a>,
) -> impl Iterator<Item = (usize, &'a AwsPrincipal, &'a Identity)> + use<'a> {
    let inv = ctx.inv;
    let shard = ctx.shard.clone();
    inv.aws
        .principals
        .iter()
        .filter(move |p| shard.contains(&p.identity) && !p.service_linked)
        .map(move |p| (p.identity, p, &inv.identities[p.identity]))
        .filter(|(_, _, i)| !i.is_first_party())
}

/// Why a principal counts as privileged, if it does: full admin, a
/// privilege-escalation path, or a wildcard on a sensitive service.
/// Whether `method` gives `p` more than power over itself or AWS-owned
/// resources, the filter AWS-002 applies. A bare `sts:AssumeRole` is left out
/// here: whether it escalates depends on which roles trust `p` (AWS-002 checks).
fn escapes_self(p: &AwsPrincipal, method: &crate::reference::aws::Method) -> bool {
    if method.permissions.len() == 1 && method.permissions[0].eq_ignore_ascii_case("sts:AssumeRole")
    {
        return false;
    }
    method
        .permissions
        .iter()
        .any(|perm| match p.effective.allows(perm) {
            Some(a) => match a.scope {
                crate::policy::aws::Scope::All => true,
                crate::policy::aws::Scope::Some(resources) => {
                    !resources.iter().all(|r| privesc::self_only(r, p))
                }
            },
            None => false,
        })
}

pub(crate) fn privilege(p: &AwsPrincipal) -> Option<&'static str> {
    if p.full_admin.is_some() {
        return Some("full administrator");
    }
    if aws_privesc::matched(p.privesc_allowed)
        .iter()
        .any(|m| escapes_self(p, m.method))
    {
        return Some("privilege escalation path");
    }
    (!p.sensitive_services.is_empty()).then_some("wildcard on a sensitive service")
}
