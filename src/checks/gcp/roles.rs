//! Roles bound to service accounts, and who can impersonate them.

use super::{escalations, service_accounts};
use crate::checks::{Ctx, Finding, Severity};
use crate::import::gcp::is_default_sa;
use crate::model::gcp::ResourceKind;
use crate::reference::gcp;

/// GCP-005 `sa-with-primitive-or-admin-role`.
///
/// Detects a service account holding roles/owner (critical), roles/editor or an
/// admin role (high) on a project, folder or organization (CIS GCP 1.5). Whoever
/// runs as the account, or steals its key, administers everything below (NHI5).
pub fn sa_with_primitive_or_admin_role(ctx: &Ctx) -> Vec<Finding> {
    let mut out = Vec::new();
    for (idx, i) in service_accounts(ctx) {
        let member = super::member(&i.id);
        for b in ctx.inv.gcp.bindings_of(&member) {
            if !b.kind.is_container() || !(gcp::is_primitive(&b.role) || gcp::is_admin(&b.role)) {
                continue;
            }
            let sev = if b.role == "roles/owner" {
                Severity::Critical
            } else {
                Severity::High
            };
            out.push(
                Finding::new(
                    "GCP-005",
                    sev,
                    idx,
                    format!("{}|{}", b.resource, b.role),
                    format!("{} holds {} on {}", i.name, b.role, b.resource),
                    b.source,
                )
                .with("role", b.role.as_str())
                .with("resource", b.resource.as_str())
                .with("condition", b.condition.clone()),
            );
        }
    }
    out
}

/// GCP-006 `default-sa-with-editor`.
///
/// Detects a default compute or App Engine service account holding roles/editor
/// (or owner). Every VM or app started without an explicit account runs as it, so
/// any foothold on one workload becomes project-wide write (CIS GCP 4.1).
pub fn default_sa_with_editor(ctx: &Ctx) -> Vec<Finding> {
    let mut out = Vec::new();
    for (idx, i) in service_accounts(ctx).filter(|(_, i)| is_default_sa(&i.id)) {
        let member = super::member(&i.id);
        for b in ctx.inv.gcp.bindings_of(&member) {
            if b.kind.is_container() && gcp::is_primitive(&b.role) {
                out.push(
                    Finding::new(
                        "GCP-006",
                        Severity::High,
                        idx,
                        format!("{}|{}", b.resource, b.role),
                        format!(
                            "default service account {} holds {} on {}",
                            i.name, b.role, b.resource
                        ),
                        b.source,
                    )
                    .with("role", b.role.as_str())
                    .with("resource", b.resource.as_str()),
                );
            }
        }
    }
    out
}

const IMPERSONATION_ROLES: &[&str] = &[
    "roles/iam.serviceAccountUser",
    "roles/iam.serviceAccountTokenCreator",
];

/// GCP-007 `project-level-sa-impersonation-grant`.
///
/// Detects roles/iam.serviceAccountUser or roles/iam.serviceAccountTokenCreator
/// granted on a project, folder or organization (CIS GCP 1.6): the member can act
/// as, or mint tokens for, every service account below, including the most
/// privileged (NHI5). One finding per resource, role and member; Google's service
/// agents are not reported.
pub fn project_level_sa_impersonation_grant(ctx: &Ctx) -> Vec<Finding> {
    if !ctx.is_first_shard() {
        return Vec::new();
    }
    let mut out = Vec::new();
    for b in ctx
        .inv
        .gcp
        .bindings
        .iter()
        .filter(|b| b.kind.is_container())
    {
        if !IMPERSONATION_ROLES.contains(&b.role.as_str()) {
            continue;
        }
        for m in &b.members {
            let email = m.strip_prefix("serviceAccount:");
            if email.is_some_and(crate::import::gcp::is_service_agent) {
                continue;
            }
            let message = format!(
                "{m} holds {} on {}: it can impersonate every service account there",
                b.role, b.resource
            );
            let subject = format!("{}|{}|{m}", b.resource, b.role);
            let f = match email.and_then(|e| ctx.inv.gcp.by_email.get(e)) {
                Some(&idx) => {
                    Finding::new("GCP-007", Severity::High, idx, subject, message, b.source)
                }
                None => Finding::about(
                    "GCP-007",
                    Severity::High,
                    b.resource.as_str(),
                    subject,
                    message,
                    b.source,
                ),
            };
            out.push(
                f.with("member", m.as_str())
                    .with("role", b.role.as_str())
                    .with("resource", b.resource.as_str()),
            );
        }
    }
    out
}

/// GCP-008 `sa-public-access`.
///
/// Detects `allUsers` or `allAuthenticatedUsers` in the IAM policy of a service
/// account: anyone on the internet (or with any Google account) gets the role on
/// it, typically the right to act as it or mint its tokens.
pub fn sa_public_access(ctx: &Ctx) -> Vec<Finding> {
    if !ctx.is_first_shard() {
        return Vec::new();
    }
    let mut out = Vec::new();
    for b in ctx
        .inv
        .gcp
        .bindings
        .iter()
        .filter(|b| b.kind == ResourceKind::ServiceAccount)
    {
        for m in b
            .members
            .iter()
            .filter(|m| *m == "allUsers" || *m == "allAuthenticatedUsers")
        {
            let message = format!("{m} holds {} on service account {}", b.role, b.resource);
            let subject = format!("{}|{m}", b.role);
            let f = match b
                .service_account
                .as_ref()
                .and_then(|e| ctx.inv.gcp.by_email.get(e))
            {
                Some(&idx) => Finding::new(
                    "GCP-008",
                    Severity::Critical,
                    idx,
                    subject,
                    message,
                    b.source,
                ),
                None => Finding::about(
                    "GCP-008",
                    Severity::Critical,
                    b.resource.as_str(),
                    subject,
                    message,
                    b.source,
                ),
            };
            out.push(f.with("member", m.as_str()).with("role", b.role.as_str()));
        }
    }
    out
}

/// GCP-009 `sa-privilege-escalation-path`.
///
/// Detects a service account (short of owner) whose roles on one resource grant all
/// permissions of a known GCP privilege-escalation method (frameworks.md §7): minting
/// tokens or keys for other accounts, changing IAM policies, or running code as
/// another account. Critical when the method works through IAM, Resource Manager or
/// organization policy directly; high otherwise (NHI5).
pub fn sa_privilege_escalation_path(ctx: &Ctx) -> Vec<Finding> {
    let mut out = Vec::new();
    for (idx, i) in service_accounts(ctx) {
        let member = super::member(&i.id);
        if ctx
            .inv
            .gcp
            .bindings_of(&member)
            .any(|b| b.role == "roles/owner")
        {
            continue;
        }
        let mut found = escalations(ctx, &i.id);
        if found.is_empty() {
            continue;
        }
        found.sort_by(|a, b| {
            b.method
                .severity
                .cmp(&a.method.severity)
                .then_with(|| a.method.id.cmp(&b.method.id))
        });
        let lead = &found[0];
        let ids: Vec<String> = found
            .iter()
            .map(|e| format!("{} on {}", e.method.id, e.resource))
            .collect();
        let roles: Vec<String> = {
            let mut r: Vec<String> = found.iter().flat_map(|e| e.roles.iter().cloned()).collect();
            r.sort();
            r.dedup();
            r
        };
        out.push(
            Finding::new(
                "GCP-009",
                lead.method.severity,
                idx,
                "privilege-escalation",
                format!(
                    "{} can escalate privileges: {} ({}) through {} on {}{}",
                    i.name,
                    lead.method.name,
                    lead.method.permissions.join(" + "),
                    lead.roles.join(", "),
                    lead.resource,
                    if found.len() > 1 {
                        format!("; {} more", found.len() - 1)
                    } else {
                        String::new()
                    }
                ),
                i.source,
            )
            .with("method", lead.method.id.as_str())
            .with("methods", ids)
            .with("roles", roles),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testkit::*;

    const SA: &str = "serviceAccount:a@p.iam.gserviceaccount.com";

    #[test]
    fn primitive_and_admin_roles_fire_viewer_does_not() {
        let mut k = Kit::new();
        k.gcp_sa("a@p.iam.gserviceaccount.com");
        k.gcp_sa("b@p.iam.gserviceaccount.com");
        k.gcp_sa("c@p.iam.gserviceaccount.com");
        k.gcp_binding("projects/p", "roles/owner", &[SA]);
        k.gcp_binding(
            "projects/p",
            "roles/iam.securityAdmin",
            &["serviceAccount:b@p.iam.gserviceaccount.com"],
        );
        k.gcp_binding(
            "projects/p",
            "roles/viewer",
            &["serviceAccount:c@p.iam.gserviceaccount.com"],
        );
        let inv = k.finish();
        assert_eq!(
            fired_on(sa_with_primitive_or_admin_role, &inv),
            ["a@p.iam.gserviceaccount.com", "b@p.iam.gserviceaccount.com"]
        );
        let sev: Vec<_> = run(sa_with_primitive_or_admin_role, &inv)
            .iter()
            .map(|f| f.severity)
            .collect();
        assert!(sev.contains(&Severity::Critical) && sev.contains(&Severity::High));
    }

    #[test]
    fn default_accounts_with_editor_fire() {
        let mut k = Kit::new();
        k.gcp_sa("123-compute@developer.gserviceaccount.com");
        k.gcp_sa("app@p.iam.gserviceaccount.com");
        k.gcp_binding(
            "projects/p",
            "roles/editor",
            &[
                "serviceAccount:123-compute@developer.gserviceaccount.com",
                "serviceAccount:app@p.iam.gserviceaccount.com",
            ],
        );
        let inv = k.finish();
        assert_eq!(
            fired_on(default_sa_with_editor, &inv),
            ["123-compute@developer.gserviceaccount.com"]
        );
    }

    #[test]
    fn project_level_impersonation_fires_account_level_does_not() {
        let mut k = Kit::new();
        k.gcp_binding(
            "projects/p",
            "roles/iam.serviceAccountTokenCreator",
            &["group:ops@contoso.com"],
        );
        k.gcp_binding(
            "projects/p/serviceAccounts/a@p.iam.gserviceaccount.com",
            "roles/iam.serviceAccountUser",
            &["user:dev@contoso.com"],
        );
        k.gcp_binding(
            "projects/p",
            "roles/iam.serviceAccountUser",
            &["serviceAccount:service-123@gcp-sa-cloudbuild.iam.gserviceaccount.com"],
        );
        let inv = k.finish();
        assert_eq!(
            fired_on(project_level_sa_impersonation_grant, &inv),
            ["(unattached)"]
        );
        assert_eq!(
            run(project_level_sa_impersonation_grant, &inv)[0]
                .target
                .as_deref(),
            Some("projects/p")
        );
    }

    #[test]
    fn public_access_to_an_account_fires() {
        let mut k = Kit::new();
        k.gcp_sa("a@p.iam.gserviceaccount.com");
        k.gcp_binding(
            "projects/p/serviceAccounts/a@p.iam.gserviceaccount.com",
            "roles/iam.serviceAccountTokenCreator",
            &["allUsers"],
        );
        k.gcp_binding("projects/p", "roles/viewer", &["allUsers"]);
        let inv = k.finish();
        assert_eq!(
            fired_on(sa_public_access, &inv),
            ["a@p.iam.gserviceaccount.com"]
        );
    }

    #[test]
    fn escalation_methods_fire_from_role_permissions_and_owners_are_skipped() {
        let mut k = Kit::new();
        k.gcp_sa("a@p.iam.gserviceaccount.com");
        k.gcp_sa("owner@p.iam.gserviceaccount.com");
        k.gcp_sa("reader@p.iam.gserviceaccount.com");
        k.gcp_binding("projects/p", "roles/iam.serviceAccountTokenCreator", &[SA]);
        k.gcp_binding(
            "projects/p",
            "roles/owner",
            &["serviceAccount:owner@p.iam.gserviceaccount.com"],
        );
        k.gcp_binding(
            "projects/p",
            "roles/viewer",
            &["serviceAccount:reader@p.iam.gserviceaccount.com"],
        );
        let inv = k.finish();
        assert_eq!(
            fired_on(sa_privilege_escalation_path, &inv),
            ["a@p.iam.gserviceaccount.com"]
        );
        assert_eq!(
            run(sa_privilege_escalation_path, &inv)[0].severity,
            Severity::Critical
        );
    }
}
