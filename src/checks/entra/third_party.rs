//! Third-party (multi-tenant, foreign-publisher) applications.

use super::customer_identities;
use crate::checks::{Ctx, Finding, Severity};
use crate::model::{GrantKind, Origin};

/// ENTRA-005 `third-party-app-sensitive-access`.
///
/// Detects an application published by another organisation (its home tenant is
/// neither this tenant nor Microsoft) that holds a Tier-0 or Tier-1 application
/// permission or delegated scope. The vendor's security becomes yours: a breach of
/// the vendor, or of its credentials for your tenant, reaches your data (NHI3).
pub fn third_party_app_sensitive_access(ctx: &Ctx) -> Vec<Finding> {
    let mut out = Vec::new();
    for (idx, identity) in customer_identities(ctx) {
        if identity.origin != Origin::ThirdParty {
            continue;
        }
        let grants: Vec<_> = ctx
            .inv
            .grants_of(idx)
            .iter()
            .filter(|g| g.is_privileged())
            .collect();
        if grants.is_empty() {
            continue;
        }
        let mut perms: Vec<String> = grants.iter().map(|g| g.permission.to_string()).collect();
        perms.sort();
        perms.dedup();
        let tier = grants.iter().map(|g| g.tier).min().expect("non-empty");
        out.push(
            Finding::new(
                "ENTRA-005",
                Severity::High,
                idx,
                "third-party-privileged-access",
                format!(
                    "third-party app {} (publisher tenant {}) holds sensitive permissions: {}",
                    identity.name,
                    identity.publisher_tenant.as_deref().unwrap_or("unknown"),
                    perms.join(", ")
                ),
                identity.source,
            )
            .with("publisher_tenant", identity.publisher_tenant.clone())
            .with("verified_publisher", identity.verified_publisher.clone())
            .with("permissions", perms)
            .with("highest_tier", tier.as_str()),
        );
    }
    out
}

/// ENTRA-006 `third-party-app-unverified-publisher`.
///
/// Detects a third-party application without a verified publisher that holds any
/// application permission or delegated consent. Publisher verification ties an app
/// to a Microsoft Partner Network identity; unverified multi-tenant apps are the
/// usual vehicle of consent phishing.
pub fn third_party_app_unverified_publisher(ctx: &Ctx) -> Vec<Finding> {
    let mut out = Vec::new();
    for (idx, identity) in customer_identities(ctx) {
        let vetted = identity.app_id.as_deref().is_some_and(|a| {
            ctx.known_vendor_app_ids
                .iter()
                .any(|k| k.eq_ignore_ascii_case(a))
        });
        if identity.origin != Origin::ThirdParty || identity.verified_publisher.is_some() || vetted
        {
            continue;
        }
        let grants = ctx.inv.grants_of(idx);
        let holds = grants.iter().any(|g| {
            matches!(
                g.kind,
                GrantKind::ApplicationPermission | GrantKind::DelegatedPermission
            )
        });
        if !holds {
            continue;
        }
        out.push(
            Finding::new(
                "ENTRA-006",
                Severity::Medium,
                idx,
                "unverified-publisher",
                format!(
                    "third-party app {} has no verified publisher and holds {} permission grant(s)",
                    identity.name,
                    grants.len()
                ),
                identity.source,
            )
            .with("publisher_tenant", identity.publisher_tenant.clone())
            .with("grants", grants.len()),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testkit::*;
    use crate::model::Tier;

    #[test]
    fn third_party_with_sensitive_grant_fires_and_home_twin_does_not() {
        let mut k = Kit::new();
        let vendor = k.sp("vendor", Origin::ThirdParty);
        k.grant(
            vendor,
            GrantKind::ApplicationPermission,
            "Mail.Read",
            Tier::Tier1,
        );
        let home = k.sp("home", Origin::Home);
        k.grant(
            home,
            GrantKind::ApplicationPermission,
            "Mail.Read",
            Tier::Tier1,
        );
        let harmless = k.sp("harmless-vendor", Origin::ThirdParty);
        k.grant(
            harmless,
            GrantKind::DelegatedPermission,
            "User.Read",
            Tier::Unclassified,
        );
        let inv = k.finish();
        assert_eq!(fired_on(third_party_app_sensitive_access, &inv), ["vendor"]);
    }

    #[test]
    fn unverified_publisher_fires_only_when_unverified_and_granted() {
        let mut k = Kit::new();
        let unverified = k.sp("unverified", Origin::ThirdParty);
        k.grant(
            unverified,
            GrantKind::DelegatedPermission,
            "User.Read",
            Tier::Unclassified,
        );
        let verified = k.sp("verified", Origin::ThirdParty);
        k.identity(verified).verified_publisher = Some("Fabrikam".into());
        k.grant(
            verified,
            GrantKind::DelegatedPermission,
            "User.Read",
            Tier::Unclassified,
        );
        k.sp("no-grants", Origin::ThirdParty);
        let inv = k.finish();
        assert_eq!(
            fired_on(third_party_app_unverified_publisher, &inv),
            ["unverified"]
        );
        // A vendor the organisation vetted (config: known_vendor_app_ids) is left alone.
        let vetted = vec!["APP-UNVERIFIED".to_string()];
        let ctx = Ctx {
            known_vendor_app_ids: &vetted,
            ..Ctx::whole(&inv, ts(NOW), crate::checks::Thresholds::default())
        };
        assert!(third_party_app_unverified_publisher(&ctx).is_empty());
    }
}
