//! What identity-based policies allow: administrators, direct grants, wildcards.

use super::principals;
use crate::checks::{Ctx, Finding, Severity};
use crate::import::aws::SENSITIVE_SERVICES;
use crate::model::IdentityKind;

/// AWS-001 `full-admin-access`.
///
/// Detects a user or role allowed every action on every resource (`*` on `*`), from
/// AdministratorAccess or any equivalent inline or custom policy, directly or through
/// a group, and not narrowed by a permissions boundary or a Deny of IAM. One stolen
/// key or assumed session then owns the account (NHI5).
pub fn full_admin_access(ctx: &Ctx) -> Vec<Finding> {
    principals(ctx)
        .filter_map(|(idx, p, identity)| {
            let allowed = p.effective.full_admin()?;
            let policies = p.effective.labels(&allowed.via);
            Some(
                Finding::new(
                    "AWS-001",
                    Severity::Critical,
                    idx,
                    "full-admin",
                    format!(
                        "{} ({}) is allowed * on * through {}",
                        identity.name,
                        identity.kind.as_str(),
                        policies.join(", ")
                    ),
                    identity.source,
                )
                .with("arn", &p.arn)
                .with("policies", policies)
                .with("partially_denied", allowed.partially_denied),
            )
        })
        .collect()
}

/// AWS-016 `user-with-direct-policies`.
///
/// Detects an IAM user with inline or attached policies of its own rather than only
/// through groups (CIS AWS 1.15). Per-user grants drift, escape group reviews and
/// make a service user's access hard to reason about.
pub fn user_with_direct_policies(ctx: &Ctx) -> Vec<Finding> {
    principals(ctx)
        .filter(|(_, p, identity)| identity.kind == IdentityKind::IamUser && !p.direct_policies.is_empty())
        .map(|(idx, p, identity)| {
            let mut names = p.direct_policies.clone();
            names.sort();
            Finding::new(
                "AWS-016",
                Severity::Low,
                idx,
                "direct-policies",
                format!("{} holds policies directly: {}", identity.name, names.join(", ")),
                identity.source,
            )
            .with("arn", &p.arn)
            .with("policies", names)
        })
        .collect()
}

/// AWS-017 `wildcard-sensitive-service-permissions`.
///
/// Detects a principal, short of full admin, allowed every action of a sensitive
/// service (IAM, STS, KMS, Secrets Manager, SSM) on every resource, through a
/// `service:*` action or a NotAction that leaves the service in. These services
/// hand out identities, keys and secrets: a wildcard on them is rarely needed and
/// usually a step to more (NHI5).
pub fn wildcard_sensitive_service_permissions(ctx: &Ctx) -> Vec<Finding> {
    principals(ctx)
        .filter(|(_, p, _)| p.effective.full_admin().is_none())
        .filter_map(|(idx, p, identity)| {
            let mut services = Vec::new();
            let mut via = Vec::new();
            let mut conditional = true;
            for s in SENSITIVE_SERVICES {
                if let Some(a) = p.effective.allows_service(s) {
                    services.push(s.to_string());
                    via.extend(a.via);
                    conditional &= a.conditional;
                }
            }
            if services.is_empty() {
                return None;
            }
            let policies = p.effective.labels(&via);
            Some(
                Finding::new(
                    "AWS-017",
                    Severity::High,
                    idx,
                    format!("services|{}", services.join(",")),
                    format!(
                        "{} is allowed every action of {} on all resources through {}",
                        identity.name,
                        services.join(", "),
                        policies.join(", ")
                    ),
                    identity.source,
                )
                .with("arn", &p.arn)
                .with("services", services)
                .with("policies", policies)
                .with("conditional", conditional),
            )
        })
        .collect()
}
