//! What identity-based policies allow: administrators, direct grants, wildcards.

use super::principals;
use crate::checks::{Ctx, Finding, Severity};
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
            let allowed = p.full_admin.clone()?;
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
        .filter(|(_, p, identity)| {
            identity.kind == IdentityKind::IamUser && !p.direct_policies.is_empty()
        })
        .map(|(idx, p, identity)| {
            let mut names = p.direct_policies.clone();
            names.sort();
            Finding::new(
                "AWS-016",
                Severity::Low,
                idx,
                "direct-policies",
                format!(
                    "{} holds policies directly: {}",
                    identity.name,
                    names.join(", ")
                ),
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
        .filter(|(_, p, _)| p.full_admin.is_none())
        .filter_map(|(idx, p, identity)| {
            let mut services = Vec::new();
            let mut via = Vec::new();
            let mut conditional = true;
            for (s, a) in &p.sensitive_services {
                services.push(s.to_string());
                via.extend(a.via.iter().copied());
                conditional &= a.conditional;
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testkit::*;
    use serde_json::json;

    fn allow(action: &str, resource: &str) -> serde_json::Value {
        json!({"Statement": [{"Effect": "Allow", "Action": action, "Resource": resource}]})
    }

    #[test]
    fn full_admin_fires_on_star_star_and_not_on_read_only() {
        let mut k = Kit::new();
        k.aws(IdentityKind::IamRole, "admin", &[allow("*", "*")], None);
        k.aws(
            IdentityKind::IamRole,
            "reader",
            &[allow("s3:Get*", "*")],
            None,
        );
        k.aws(
            IdentityKind::IamUser,
            "scoped",
            &[allow("*", "arn:aws:s3:::bucket/*")],
            None,
        );
        let inv = k.finish();
        assert_eq!(fired_on(full_admin_access, &inv), ["admin"]);
    }

    #[test]
    fn direct_policies_fire_on_users_only() {
        let mut k = Kit::new();
        k.aws(
            IdentityKind::IamUser,
            "svc",
            &[allow("s3:GetObject", "*")],
            None,
        );
        let grouped = k.aws(
            IdentityKind::IamUser,
            "grouped",
            &[allow("s3:GetObject", "*")],
            None,
        );
        k.aws_principal(grouped).direct_policies.clear();
        k.aws(
            IdentityKind::IamRole,
            "role",
            &[allow("s3:GetObject", "*")],
            None,
        );
        let inv = k.finish();
        assert_eq!(fired_on(user_with_direct_policies, &inv), ["svc"]);
    }

    #[test]
    fn sensitive_service_wildcards_fire_unless_admin_or_scoped() {
        let mut k = Kit::new();
        k.aws(
            IdentityKind::IamRole,
            "broker",
            &[allow("kms:*", "*"), allow("secretsmanager:*", "*")],
            None,
        );
        k.aws(IdentityKind::IamRole, "admin", &[allow("*", "*")], None);
        k.aws(
            IdentityKind::IamRole,
            "one-key",
            &[allow(
                "kms:Decrypt",
                "arn:aws:kms:eu-west-1:111122223333:key/1",
            )],
            None,
        );
        let inv = k.finish();
        assert_eq!(
            fired_on(wildcard_sensitive_service_permissions, &inv),
            ["broker"]
        );
        assert_eq!(
            run(wildcard_sensitive_service_permissions, &inv)[0]
                .evidence
                .value("services"),
            json!(["kms", "secretsmanager"])
        );
    }
}
