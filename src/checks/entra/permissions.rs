//! Application permissions and directory roles held by service principals.

use super::{customer_identities, grant_evidence, grant_subject};
use crate::checks::{Ctx, Finding, Severity};
use crate::model::{GrantKind, Tier};

/// Findings for every customer identity's grants of `kind` at `tier`.
fn grants_at(
    ctx: &Ctx,
    id: &'static str,
    kind: GrantKind,
    tier: Tier,
    severity: Severity,
    describe: impl Fn(&str, &str) -> String,
) -> Vec<Finding> {
    let mut out = Vec::new();
    for (idx, identity) in customer_identities(ctx) {
        for g in ctx.inv.grants_of(idx) {
            if g.kind != kind || g.tier != tier {
                continue;
            }
            // A role scoped to an administrative unit or one object is less than tenant-wide.
            let severity = if g.scope.is_some() && severity == Severity::Critical {
                Severity::High
            } else {
                severity
            };
            let f = Finding::new(
                id,
                severity,
                idx,
                grant_subject(g),
                describe(&identity.name, &g.permission),
                g.source,
            );
            out.push(grant_evidence(f, g));
        }
    }
    out
}

/// ENTRA-001 `app-permission-tier0`.
///
/// Detects a service principal holding a Tier-0 application permission: one of the
/// 41 Microsoft Graph permissions with a known path to Global Administrator, or
/// Exchange's `full_access_as_app`. Application permissions act without a signed-in
/// user, so whoever holds the SP's credentials holds the tenant.
pub fn app_permission_tier0(ctx: &Ctx) -> Vec<Finding> {
    grants_at(
        ctx,
        "ENTRA-001",
        GrantKind::ApplicationPermission,
        Tier::Tier0,
        Severity::Critical,
        |who, perm| format!("{who} holds the Tier-0 application permission {perm}"),
    )
}

/// ENTRA-002 `app-permission-sensitive`.
///
/// Detects a service principal holding a Tier-1 application permission: tenant-wide
/// read of mail, files, chats or sites, or broad write. No path to Global Admin is
/// known, but a stolen credential reads or changes every user's data.
pub fn app_permission_sensitive(ctx: &Ctx) -> Vec<Finding> {
    grants_at(
        ctx,
        "ENTRA-002",
        GrantKind::ApplicationPermission,
        Tier::Tier1,
        Severity::High,
        |who, perm| format!("{who} holds the sensitive application permission {perm}"),
    )
}

/// ENTRA-003 `directory-role-tier0`.
///
/// Detects a service principal holding a Tier-0 Entra directory role (Global
/// Administrator, Privileged Role Administrator, Application Administrator, …).
/// A workload with such a role is a standing Global Admin equivalent that no MFA
/// or Conditional Access for users protects.
pub fn directory_role_tier0(ctx: &Ctx) -> Vec<Finding> {
    grants_at(
        ctx,
        "ENTRA-003",
        GrantKind::DirectoryRole,
        Tier::Tier0,
        Severity::Critical,
        |who, role| format!("{who} holds the Tier-0 directory role {role}"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testkit::*;
    use crate::model::Origin;

    #[test]
    fn tier0_app_permission_fires_and_tier2_twin_does_not() {
        let mut k = Kit::new();
        let bad = k.sp("bad", Origin::Home);
        k.grant(
            bad,
            GrantKind::ApplicationPermission,
            "RoleManagement.ReadWrite.Directory",
            Tier::Tier0,
        );
        let good = k.sp("good", Origin::Home);
        k.grant(
            good,
            GrantKind::ApplicationPermission,
            "User.Read.All",
            Tier::Tier2,
        );
        let ms = k.sp("graph", Origin::FirstParty);
        k.grant(
            ms,
            GrantKind::ApplicationPermission,
            "Directory.ReadWrite.All",
            Tier::Tier0,
        );
        let inv = k.finish();
        assert_eq!(fired_on(app_permission_tier0, &inv), ["bad"]);
        let f = &run(app_permission_tier0, &inv)[0];
        assert_eq!(f.severity, Severity::Critical);
        assert_eq!(
            f.evidence.value("permission"),
            "RoleManagement.ReadWrite.Directory"
        );
    }

    #[test]
    fn sensitive_app_permission_fires_only_on_tier1() {
        let mut k = Kit::new();
        let bad = k.sp("reader", Origin::ThirdParty);
        k.grant(
            bad,
            GrantKind::ApplicationPermission,
            "Mail.Read",
            Tier::Tier1,
        );
        let good = k.sp("clean", Origin::Home);
        k.grant(
            good,
            GrantKind::DelegatedPermission,
            "Mail.Read",
            Tier::Tier1,
        );
        let inv = k.finish();
        assert_eq!(fired_on(app_permission_sensitive, &inv), ["reader"]);
    }

    #[test]
    fn tier0_directory_role_fires_and_scoped_roles_are_high() {
        let mut k = Kit::new();
        let ga = k.sp("ga", Origin::Home);
        k.grant(
            ga,
            GrantKind::DirectoryRole,
            "Global Administrator",
            Tier::Tier0,
        );
        let scoped = k.sp("scoped", Origin::Home);
        k.grant(
            scoped,
            GrantKind::DirectoryRole,
            "Application Administrator",
            Tier::Tier0,
        )
        .scope = Some("/administrativeUnits/1".into());
        let reader = k.sp("reader", Origin::Home);
        k.grant(
            reader,
            GrantKind::DirectoryRole,
            "Reports Reader",
            Tier::Unclassified,
        );
        let inv = k.finish();
        assert_eq!(fired_on(directory_role_tier0, &inv), ["ga", "scoped"]);
        let sev: Vec<_> = run(directory_role_tier0, &inv)
            .iter()
            .map(|f| f.severity)
            .collect();
        assert_eq!(sev, [Severity::Critical, Severity::High]);
    }
}
