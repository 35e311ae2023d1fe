//! Microsoft Entra ID checks, one module per family of risks. Each public function
//! is one check; its doc comment says what it detects and why it matters, and its
//! metadata lives in `checks/entra/<ID>.toml`.

use super::{Ctx, Finding, Severity};
use crate::model::{Credential, Grant, Identity, Tier};

pub mod consent;
pub mod exposure;
pub mod federation;
pub mod legacy_flows;
pub mod ownership;
pub mod permissions;
pub mod secrets;
pub mod third_party;
pub mod usage;

/// Entra identities a check should look at: everything but Microsoft's own apps,
/// which must not raise findings just for existing.
pub(crate) fn customer_identities<'a>(
    ctx: &Ctx<'a>,
) -> impl Iterator<Item = (usize, &'a Identity)> + use<'a> {
    ctx.identities()
        .filter(|(_, i)| i.provider == crate::model::Provider::Entra && !i.is_first_party())
}

/// `base`, raised one step for Tier-1 privilege and two for Tier-0, capped at critical.
pub(crate) fn by_privilege(base: Severity, tier: Tier) -> Severity {
    let steps = match tier {
        Tier::Tier0 => 2,
        Tier::Tier1 => 1,
        _ => 0,
    };
    let order = [
        Severity::Info,
        Severity::Low,
        Severity::Medium,
        Severity::High,
        Severity::Critical,
    ];
    let at = order.iter().position(|s| *s == base).unwrap_or(0);
    order[(at + steps).min(order.len() - 1)]
}

/// Severity for checks whose base applies to unprivileged identities and which
/// rise to `privileged` when the identity holds a Tier-0 or Tier-1 grant.
pub(crate) fn if_privileged(base: Severity, privileged: Severity, tier: Tier) -> Severity {
    if matches!(tier, Tier::Tier0 | Tier::Tier1) {
        privileged
    } else {
        base
    }
}

/// Evidence every grant finding carries.
pub(crate) fn grant_evidence(f: Finding, g: &Grant) -> Finding {
    f.with("grant_type", g.kind.as_str())
        .with("permission", &g.permission)
        .with("permission_id", g.permission_id.clone())
        .with("resource", &g.resource)
        .with("resource_app_id", g.resource_app_id.clone())
        .with("tier", g.tier.as_str())
        .with("scope", g.scope.clone())
        .with("resolution", g.resolution_note)
}

/// Evidence every credential finding carries. Never a secret value: exports do
/// not give one and the model does not keep one.
pub(crate) fn credential_evidence(f: Finding, c: &Credential) -> Finding {
    f.with("credential_type", c.kind.as_str())
        .with("key_id", c.key_id.clone())
        .with("credential_name", c.name.clone())
        .with("attached_to", c.host.as_str())
        .with("created", c.created)
        .with("expires", c.expires)
        .with("last_used", c.last_used)
}

/// A credential's subject for fingerprints: its key id, else its name.
pub(crate) fn credential_subject(c: &Credential) -> String {
    c.key_id
        .clone()
        .or_else(|| c.name.clone())
        .unwrap_or_else(|| format!("line {}", c.source.line))
}

/// A grant's subject for fingerprints.
pub(crate) fn grant_subject(g: &Grant) -> String {
    format!(
        "{}|{}|{}",
        g.kind.as_str(),
        g.resource_app_id.as_deref().unwrap_or(&g.resource),
        g.permission
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn privilege_raises_severity_and_caps_at_critical() {
        assert_eq!(by_privilege(Severity::Low, Tier::Tier0), Severity::High);
        assert_eq!(by_privilege(Severity::Low, Tier::Tier1), Severity::Medium);
        assert_eq!(by_privilege(Severity::Low, Tier::Tier2), Severity::Low);
        assert_eq!(
            by_privilege(Severity::High, Tier::Tier0),
            Severity::Critical
        );
    }
}
