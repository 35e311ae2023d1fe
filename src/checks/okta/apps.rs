//! Okta OAuth clients: management scopes and admin roles.

use super::apps;
use crate::checks::{Ctx, Finding, Severity};
use crate::model::{Grant, GrantKind, Tier};

/// `okta.*.manage` scopes that reach the org's identities, admin roles,
/// policies, identity providers or other clients: with one of them a stolen
/// client credential takes over the org.
const TAKEOVER_SCOPES: &[&str] = &[
    "okta.users.manage",
    "okta.groups.manage",
    "okta.apps.manage",
    "okta.clients.manage",
    "okta.roles.manage",
    "okta.policies.manage",
    "okta.authorizationServers.manage",
    "okta.idps.manage",
    "okta.apiTokens.manage",
];

fn grant_finding(
    id: &'static str,
    severity: Severity,
    idx: usize,
    g: &Grant,
    message: String,
) -> Finding {
    Finding::new(
        id,
        severity,
        idx,
        g.permission.to_string(),
        message,
        g.source,
    )
    .with("permission", &g.permission)
    .with("permission_id", g.permission_id.clone())
    .with("resource", &g.resource)
    .with("tier", g.tier.as_str())
    .with("scope", g.scope.clone())
}

/// OKTA-003 `service-app-okta-manage-scope`.
///
/// Detects a service app (`application_type: service`, or a client allowed the
/// `client_credentials` grant) granted an `okta.*.manage` management scope.
/// Such an app gets tokens with no user in the loop, so the scope is the app's
/// own standing write access to the org; whoever holds its secret or private
/// key can change users, groups, apps or policies (NHI5). Critical for the
/// scopes that reach identities, roles, policies, identity providers and other
/// clients; high for the other `.manage` scopes. `okta.myAccount.*` scopes are
/// end-user self-service and not reported.
pub fn service_app_okta_manage_scope(ctx: &Ctx) -> Vec<Finding> {
    let mut out = Vec::new();
    for (idx, identity) in apps(ctx) {
        let Some(app) = ctx.inv.okta.app(idx).filter(|a| a.is_service()) else {
            continue;
        };
        for g in ctx.inv.grants_of(idx) {
            if g.kind != GrantKind::ApplicationPermission || g.tier != Tier::Tier0 {
                continue;
            }
            let critical = TAKEOVER_SCOPES
                .iter()
                .any(|s| s.eq_ignore_ascii_case(&g.permission));
            out.push(
                grant_finding(
                    "OKTA-003",
                    if critical {
                        Severity::Critical
                    } else {
                        Severity::High
                    },
                    idx,
                    g,
                    format!(
                        "service app {} is granted {}: it can change the org without a signed-in user",
                        identity.name, g.permission
                    ),
                )
                .with("application_type", app.application_type.clone())
                .with("grant_types", app.grant_types.clone()),
            );
        }
    }
    out
}

/// OKTA-004 `oauth-client-admin-role`.
///
/// Detects an admin role assigned to an OAuth client (`assignmentType: CLIENT`).
/// A client with a role acts as an administrator on its own, with no user in
/// the loop and whatever the role allows: anyone holding its secret or private
/// key is that administrator (NHI5). Critical for
/// `SUPER_ADMIN` and `ORG_ADMIN`; medium for the read-only `READ_ONLY_ADMIN` and
/// `REPORT_ADMIN`; high for every other standard or custom role.
pub fn oauth_client_admin_role(ctx: &Ctx) -> Vec<Finding> {
    let mut out = Vec::new();
    for (idx, identity) in apps(ctx) {
        for g in ctx.inv.grants_of(idx) {
            if g.kind != GrantKind::DirectoryRole {
                continue;
            }
            let role = g.permission.split(' ').next().unwrap_or(&g.permission);
            let severity = match role {
                "SUPER_ADMIN" | "ORG_ADMIN" => Severity::Critical,
                "READ_ONLY_ADMIN" | "REPORT_ADMIN" => Severity::Medium,
                _ => Severity::High,
            };
            out.push(
                grant_finding(
                    "OKTA-004",
                    severity,
                    idx,
                    g,
                    format!(
                        "OAuth client {} holds the admin role {}",
                        identity.name, g.permission
                    ),
                )
                .with("role_type", role),
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testkit::*;

    #[test]
    fn service_app_with_manage_scope_fires_read_scope_and_web_app_do_not() {
        let mut k = Kit::new();
        let svc = k.okta_app("provisioner", "service", &["client_credentials"]);
        k.okta_grant(svc, GrantKind::ApplicationPermission, "okta.users.manage");
        k.okta_grant(svc, GrantKind::ApplicationPermission, "okta.schemas.manage");
        k.okta_grant(svc, GrantKind::ApplicationPermission, "okta.users.read");
        let reader = k.okta_app("reader", "service", &["client_credentials"]);
        k.okta_grant(reader, GrantKind::ApplicationPermission, "okta.logs.read");
        let web = k.okta_app("portal", "web", &["authorization_code"]);
        k.okta_grant(web, GrantKind::ApplicationPermission, "okta.users.manage");
        let inv = k.finish();
        let found = run(service_app_okta_manage_scope, &inv);
        let got: Vec<(&str, Severity)> = found
            .iter()
            .map(|f| (f.subject.as_str(), f.severity))
            .collect();
        assert_eq!(
            got,
            [
                ("okta.users.manage", Severity::Critical),
                ("okta.schemas.manage", Severity::High)
            ]
        );
        assert_eq!(
            fired_on(service_app_okta_manage_scope, &inv),
            ["provisioner", "provisioner"]
        );
    }

    #[test]
    fn admin_roles_fire_by_role_and_unroled_client_is_clean() {
        let mut k = Kit::new();
        let a = k.okta_app("super", "service", &["client_credentials"]);
        k.okta_grant(a, GrantKind::DirectoryRole, "SUPER_ADMIN");
        let b = k.okta_app("helpdesk", "service", &["client_credentials"]);
        k.okta_grant(b, GrantKind::DirectoryRole, "HELP_DESK_ADMIN");
        let c = k.okta_app("auditor", "service", &["client_credentials"]);
        k.okta_grant(c, GrantKind::DirectoryRole, "READ_ONLY_ADMIN");
        let d = k.okta_app("plain", "service", &["client_credentials"]);
        k.okta_grant(d, GrantKind::ApplicationPermission, "okta.logs.read");
        let inv = k.finish();
        let got = fired_with_severity(oauth_client_admin_role, &inv);
        assert_eq!(
            got,
            [
                ("super", Severity::Critical),
                ("helpdesk", Severity::High),
                ("auditor", Severity::Medium)
            ]
        );
    }
}
