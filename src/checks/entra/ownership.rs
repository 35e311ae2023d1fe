//! Accountability: who owns an application or service principal.

use super::{by_privilege, customer_identities, if_privileged};
use crate::checks::{Ctx, Finding, Severity};
use crate::model::{IdentityKind, Origin, PrincipalKind};

/// ENTRA-008 `owner-disabled-or-guest`.
///
/// Detects an owner of an application or service principal who is a disabled user
/// or a guest. Owners can add credentials to the app and act as it; a departed
/// owner's account is unmonitored, and a guest is governed by another organisation.
/// Medium; high when the identity holds a Tier-0 or Tier-1 grant.
pub fn owner_disabled_or_guest(ctx: &Ctx) -> Vec<Finding> {
    let mut out = Vec::new();
    for (idx, identity) in customer_identities(ctx) {
        let Some(owners) = &identity.owners else {
            continue;
        };
        let tier = ctx.inv.highest_tier(idx);
        for owner in owners {
            if owner.kind != PrincipalKind::User {
                continue;
            }
            let state = match (owner.enabled, owner.guest) {
                (Some(false), _) => "disabled",
                (_, Some(true)) => "a guest",
                _ => continue,
            };
            let who = owner.name.clone().unwrap_or_else(|| owner.id.clone());
            out.push(
                Finding::new(
                    "ENTRA-008",
                    if_privileged(Severity::Medium, Severity::High, tier),
                    idx,
                    format!("owner|{}", owner.id),
                    format!("{} is owned by {who}, who is {state}", identity.name),
                    identity.source,
                )
                .with("owner_id", &owner.id)
                .with("owner", owner.name.clone())
                .with("owner_state", state)
                .with("highest_tier", tier.as_str()),
            );
        }
    }
    out
}

/// ENTRA-009 `owner-missing`.
///
/// Detects an application or service principal registered in this tenant with no
/// owner on either object, when the export lists owners. Without an owner nobody
/// reviews, rotates or retires it, and such identities are the ones left behind
/// when projects end (NHI1). Low; medium with Tier-1 grants, high with Tier-0.
/// Managed identities are owned by their Azure resource and are not reported.
pub fn owner_missing(ctx: &Ctx) -> Vec<Finding> {
    let mut out = Vec::new();
    for (idx, identity) in customer_identities(ctx) {
        if identity.origin != Origin::Home || identity.kind == IdentityKind::ManagedIdentity {
            continue;
        }
        if !identity.owners.as_ref().is_some_and(Vec::is_empty) {
            continue;
        }
        let tier = ctx.inv.highest_tier(idx);
        out.push(
            Finding::new(
                "ENTRA-009",
                by_privilege(Severity::Low, tier),
                idx,
                "no-owner",
                format!("{} has no owner", identity.name),
                identity.source,
            )
            .with("highest_tier", tier.as_str()),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testkit::*;
    use crate::model::{GrantKind, Owner, Tier};

    fn user(id: &str, enabled: bool, guest: bool) -> Owner {
        Owner {
            id: id.into(),
            name: Some(format!("{id}@contoso.com")),
            kind: PrincipalKind::User,
            enabled: Some(enabled),
            guest: Some(guest),
        }
    }

    #[test]
    fn disabled_and_guest_owners_fire_active_member_does_not() {
        let mut k = Kit::new();
        let a = k.sp("disabled-owner", Origin::Home);
        k.identity(a).owners = Some(vec![user("old", false, false)]);
        k.grant(
            a,
            GrantKind::ApplicationPermission,
            "Mail.Read",
            Tier::Tier1,
        );
        let b = k.sp("guest-owner", Origin::Home);
        k.identity(b).owners = Some(vec![user("ext", true, true)]);
        let c = k.sp("good-owner", Origin::Home);
        k.identity(c).owners = Some(vec![user("alice", true, false)]);
        let inv = k.finish();
        assert_eq!(
            fired_on(owner_disabled_or_guest, &inv),
            ["disabled-owner", "guest-owner"]
        );
        let sev: Vec<_> = run(owner_disabled_or_guest, &inv)
            .iter()
            .map(|f| f.severity)
            .collect();
        assert_eq!(sev, [Severity::High, Severity::Medium]);
    }

    #[test]
    fn missing_owner_fires_only_when_owners_are_known_and_empty() {
        let mut k = Kit::new();
        let none = k.sp("ownerless", Origin::Home);
        k.identity(none).owners = Some(vec![]);
        k.grant(
            none,
            GrantKind::ApplicationPermission,
            "Directory.ReadWrite.All",
            Tier::Tier0,
        );
        let unknown = k.sp("unknown-owners", Origin::Home);
        k.identity(unknown).owners = None;
        let owned = k.sp("owned", Origin::Home);
        k.identity(owned).owners = Some(vec![user("alice", true, false)]);
        let vendor = k.sp("vendor", Origin::ThirdParty);
        k.identity(vendor).owners = Some(vec![]);
        let inv = k.finish();
        assert_eq!(fired_on(owner_missing, &inv), ["ownerless"]);
        assert_eq!(run(owner_missing, &inv)[0].severity, Severity::High);
    }
}
