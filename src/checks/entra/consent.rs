//! Delegated permission consents (oauth2PermissionGrants).

use std::collections::BTreeMap;

use crate::checks::{Ctx, Finding, Severity};
use crate::model::{ConsentType, GrantKind};

/// ENTRA-004 `tenant-wide-consent-high-risk`.
///
/// Detects an admin consent for all users (`consentType: AllPrincipals`) that
/// includes a high-risk delegated scope such as `Directory.AccessAsUser.All`,
/// `Mail.ReadWrite` or `Files.ReadWrite.All`. The app can then act as any user who
/// signs in to it, with that user's full reach; consent phishing and token theft
/// turn into tenant-wide data access. One finding per client and resource.
pub fn tenant_wide_consent_high_risk(ctx: &Ctx) -> Vec<Finding> {
    let mut out = Vec::new();
    for (idx, identity) in ctx
        .identities()
        .filter(|(_, i)| i.provider == crate::model::Provider::Entra)
    {
        // (resource) → (scopes, first grant)
        let mut by_resource: BTreeMap<&str, Vec<&crate::model::Grant>> = BTreeMap::new();
        for g in ctx.inv.grants_of(idx) {
            let tenant_wide = g
                .consent
                .as_ref()
                .is_some_and(|c| c.kind == ConsentType::AllPrincipals);
            if g.kind == GrantKind::DelegatedPermission && tenant_wide && g.is_privileged() {
                by_resource.entry(&g.resource).or_default().push(g);
            }
        }
        for (resource, grants) in by_resource {
            let mut scopes: Vec<String> = grants.iter().map(|g| g.permission.to_string()).collect();
            scopes.sort();
            scopes.dedup();
            let tier = grants
                .iter()
                .map(|g| g.tier)
                .min()
                .unwrap_or(crate::model::Tier::Tier1);
            out.push(
                Finding::new(
                    "ENTRA-004",
                    Severity::High,
                    idx,
                    format!("{resource}|{}", scopes.join(" ")),
                    format!(
                        "{} has tenant-wide admin consent to {} on {resource}",
                        identity.name,
                        scopes.join(", ")
                    ),
                    grants[0].source,
                )
                .with("consent_type", "AllPrincipals")
                .with("resource", resource)
                .with("scopes", scopes)
                .with("tier", tier.as_str()),
            );
        }
    }
    out
}

/// ENTRA-007 `consent-from-inactive-user`.
///
/// Detects a delegated consent given by one user (`consentType: Principal`) who is
/// now disabled, or absent from the users export (deleted). The consent and its
/// refresh tokens outlive the person: nobody is accountable for the access and
/// nobody will notice its misuse. Needs a users export; without one it stays silent.
pub fn consent_from_inactive_user(ctx: &Ctx) -> Vec<Finding> {
    let mut out = Vec::new();
    if !ctx.inv.users_known {
        return out;
    }
    for (idx, identity) in ctx
        .identities()
        .filter(|(_, i)| i.provider == crate::model::Provider::Entra)
    {
        let mut by_user: BTreeMap<&str, Vec<&crate::model::Grant>> = BTreeMap::new();
        for g in ctx.inv.grants_of(idx) {
            let Some(c) = &g.consent else { continue };
            if c.kind != ConsentType::Principal {
                continue;
            }
            let Some(user) = c.principal_id.as_deref() else {
                continue;
            };
            by_user.entry(user).or_default().push(g);
        }
        for (user_id, grants) in by_user {
            let state = match ctx.inv.user(user_id) {
                None => "deleted (absent from the users export)",
                Some(u) if u.enabled == Some(false) => "disabled",
                Some(_) => continue,
            };
            let user_name = ctx.inv.user(user_id).and_then(|u| u.name.clone());
            let mut scopes: Vec<String> = grants.iter().map(|g| g.permission.to_string()).collect();
            scopes.sort();
            scopes.dedup();
            out.push(
                Finding::new(
                    "ENTRA-007",
                    Severity::Medium,
                    idx,
                    format!("{user_id}|{}", grants[0].resource),
                    format!(
                        "{} holds delegated consent to {} from a user who is {state}",
                        identity.name,
                        scopes.join(", ")
                    ),
                    grants[0].source,
                )
                .with("consenting_user_id", user_id)
                .with("consenting_user", user_name)
                .with("user_state", state)
                .with("resource", &grants[0].resource)
                .with("scopes", scopes),
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testkit::*;
    use crate::model::{Consent, Origin, Tier};

    fn consent(
        k: &mut Kit,
        idx: usize,
        scope: &str,
        tier: Tier,
        kind: ConsentType,
        user: Option<&str>,
    ) {
        k.grant(idx, GrantKind::DelegatedPermission, scope, tier)
            .consent = Some(Consent {
            kind,
            principal_id: user.map(str::to_string),
        });
    }

    #[test]
    fn tenant_wide_high_risk_consent_fires_once_per_resource() {
        let mut k = Kit::new();
        let bad = k.sp("bad", Origin::ThirdParty);
        consent(
            &mut k,
            bad,
            "Mail.ReadWrite",
            Tier::Tier1,
            ConsentType::AllPrincipals,
            None,
        );
        consent(
            &mut k,
            bad,
            "Files.ReadWrite.All",
            Tier::Tier1,
            ConsentType::AllPrincipals,
            None,
        );
        consent(
            &mut k,
            bad,
            "User.Read",
            Tier::Unclassified,
            ConsentType::AllPrincipals,
            None,
        );
        let low = k.sp("low-risk", Origin::ThirdParty);
        consent(
            &mut k,
            low,
            "User.Read",
            Tier::Unclassified,
            ConsentType::AllPrincipals,
            None,
        );
        let personal = k.sp("personal", Origin::ThirdParty);
        consent(
            &mut k,
            personal,
            "Mail.ReadWrite",
            Tier::Tier1,
            ConsentType::Principal,
            Some("u1"),
        );
        let inv = k.finish();
        let found = run(tenant_wide_consent_high_risk, &inv);
        assert_eq!(fired_on(tenant_wide_consent_high_risk, &inv), ["bad"]);
        assert_eq!(
            found[0].evidence.value("scopes"),
            serde_json::json!(["Files.ReadWrite.All", "Mail.ReadWrite"])
        );
    }

    #[test]
    fn consent_from_disabled_or_deleted_user_fires_and_active_user_does_not() {
        let mut k = Kit::new();
        k.user("active", true, false);
        k.user("gone", false, false);
        let a = k.sp("by-disabled", Origin::Home);
        consent(
            &mut k,
            a,
            "Mail.Read",
            Tier::Tier1,
            ConsentType::Principal,
            Some("gone"),
        );
        let b = k.sp("by-deleted", Origin::Home);
        consent(
            &mut k,
            b,
            "User.Read",
            Tier::Unclassified,
            ConsentType::Principal,
            Some("ghost"),
        );
        let c = k.sp("by-active", Origin::Home);
        consent(
            &mut k,
            c,
            "User.Read",
            Tier::Unclassified,
            ConsentType::Principal,
            Some("active"),
        );
        let inv = k.finish();
        assert_eq!(
            fired_on(consent_from_inactive_user, &inv),
            ["by-deleted", "by-disabled"]
        );
    }

    #[test]
    fn consent_check_is_silent_without_a_users_export() {
        let mut k = Kit::new();
        let b = k.sp("by-unknown", Origin::Home);
        consent(
            &mut k,
            b,
            "User.Read",
            Tier::Unclassified,
            ConsentType::Principal,
            Some("ghost"),
        );
        let inv = k.finish();
        assert!(run(consent_from_inactive_user, &inv).is_empty());
    }
}
