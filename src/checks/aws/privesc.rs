//! Privilege escalation: permission combinations that lead to more privilege.

use super::{principals, privilege};
use crate::checks::{Ctx, Finding, Severity};
use crate::model::aws::AwsPrincipal;
use crate::policy::aws::{Scope, glob};
use crate::policy::aws_privesc::matched;
use crate::reference::aws::PRIVESC_METHODS;

/// A resource pattern through which no escalation is possible: the caller itself
/// (`${aws:username}`, its own ARN), or AWS-owned resources (`arn:aws:iam::aws:…`,
/// AWS-managed policies, which customers cannot change).
pub(crate) fn self_only(resource: &str, p: &AwsPrincipal) -> bool {
    let r = resource.to_ascii_lowercase();
    r.contains("${aws:username}")
        || r.contains("${aws:userid}")
        || resource == p.arn
        || r.starts_with("arn:aws:iam::aws:")
}

/// Privileged roles of the same account whose trust policy names `p` by ARN:
/// within one account such a trust alone lets `p` assume the role, with no
/// `sts:AssumeRole` in `p`'s own policies.
fn trusting_by_arn(ctx: &Ctx, p: &AwsPrincipal) -> Vec<String> {
    let mut out: Vec<String> = ctx
        .inv
        .aws
        .trusting_arn(&p.arn)
        .filter(|r| r.arn != p.arn && r.account == p.account && privilege(r).is_some())
        .map(|r| r.arn.clone())
        .collect();
    out.sort();
    out.dedup();
    out
}

/// Privileged roles `p` may assume, limited to the resources its policy names.
fn assumable_targets(ctx: &Ctx, p: &AwsPrincipal, scope: &Scope) -> Vec<String> {
    let mut out: Vec<String> = ctx
        .inv
        .aws
        .assumable_by(p)
        .filter(|r| r.arn != p.arn && privilege(r).is_some())
        .filter(|r| match scope {
            Scope::All => true,
            Scope::Some(patterns) => patterns.iter().any(|pat| glob(pat, &r.arn)),
        })
        .map(|r| r.arn.clone())
        .collect();
    out.sort();
    out.dedup();
    out
}

/// AWS-002 `privilege-escalation-path`.
///
/// Detects a user or role, short of full admin, that holds every permission of a
/// known privilege-escalation method (frameworks.md §6: the pathfinding.cloud
/// catalogue and the Rhino Security Labs methods), possibly across several policies
/// and groups. Such a principal is an administrator in waiting: one API call, or a
/// role passed to new compute, turns it into one (NHI5, ATT&CK T1098.003). Critical
/// for IAM self-escalation and principal-access methods, high for PassRole and
/// existing-resource methods, and high when a permission is limited to exact ARNs
/// (wildcard ARNs such as `policy/*` do not limit it).
/// One finding per principal, listing every minimal method (a method whose permissions
/// include another matched method's is left out). Methods limited to the caller's own
/// user (`${aws:username}`) are not escalation; `sts:AssumeRole` alone counts only
/// when a privileged role in the export trusts the caller.
pub fn privilege_escalation_path(ctx: &Ctx) -> Vec<Finding> {
    let mut out = Vec::new();
    for (idx, p, identity) in principals(ctx) {
        if p.full_admin.is_some() {
            continue;
        }
        let mut found = Vec::new();
        for m in matched(p.privesc_allowed) {
            let method = m.method;
            let mut via = Vec::new();
            let mut scoped = Vec::new();
            let mut conditional = false;
            let mut partially_denied = false;
            let mut on_self_only = true;
            let mut limited = false;
            let mut assume_scope = Scope::All;
            for perm in &method.permissions {
                let Some(a) = p.effective.allows(perm) else {
                    continue;
                };
                via.extend(a.via);
                conditional |= a.conditional;
                partially_denied |= a.partially_denied;
                if perm.eq_ignore_ascii_case("sts:AssumeRole") {
                    assume_scope = a.scope.clone();
                }
                match a.scope {
                    Scope::Some(resources) => {
                        on_self_only &= resources.iter().all(|r| self_only(r, p));
                        limited |= resources
                            .iter()
                            .all(|r| !r.contains(['*', '?']) && !self_only(r, p));
                        scoped.push(format!("{perm} on {}", resources.join(", ")));
                    }
                    Scope::All => on_self_only = false,
                }
            }
            // Acting on oneself (own access keys, own password) gains nothing.
            if on_self_only {
                continue;
            }
            // Assuming a role escalates only into a more privileged role that trusts us.
            let mut targets = Vec::new();
            if method.permissions.len() == 1
                && method.permissions[0].eq_ignore_ascii_case("sts:AssumeRole")
            {
                targets = assumable_targets(ctx, p, &assume_scope);
                if targets.is_empty() {
                    continue;
                }
            }
            let policies = p.effective.labels(&via);
            // Exact ARNs of other principals or resources limit the path; wildcards
            // (`policy/*`, `user/ci-*`) and the caller itself do not.
            let severity = if limited && method.severity == Severity::Critical {
                Severity::High
            } else {
                method.severity
            };
            let confidence = if conditional || partially_denied || !scoped.is_empty() {
                "medium"
            } else {
                "high"
            };
            found.push((
                severity,
                method,
                policies,
                scoped,
                targets,
                conditional,
                partially_denied,
                confidence,
            ));
        }
        // A privileged role that trusts the principal by ARN is assumable without
        // any identity policy (same account).
        // (The root user cannot assume roles, so it is left out.)
        if identity.kind != crate::model::IdentityKind::RootAccount
            && !found.iter().any(|f| f.1.id == "sts-001")
        {
            let targets = trusting_by_arn(ctx, p);
            if let (false, Some(sts)) = (
                targets.is_empty(),
                PRIVESC_METHODS.iter().find(|m| m.id == "sts-001"),
            ) {
                let policies = targets
                    .iter()
                    .map(|t| format!("trust policy of {t}"))
                    .collect();
                found.push((
                    Severity::High,
                    sts,
                    policies,
                    Vec::new(),
                    targets,
                    false,
                    false,
                    "high",
                ));
            }
        }
        if found.is_empty() {
            continue;
        }
        // Most severe first, then by id: the first method leads the message.
        found.sort_by(|x, y| y.0.cmp(&x.0).then_with(|| x.1.id.cmp(&y.1.id)));
        let (severity, lead, lead_policies, ..) = &found[0];
        let more = found.len() - 1;
        let methods: Vec<serde_json::Value> = found
            .iter()
            .map(|(sev, m, policies, scoped, targets, conditional, partial, confidence)| {
                let mut v = serde_json::json!({
                    "id": m.id, "name": m.name, "category": m.category, "severity": sev.as_str(),
                    "permissions": m.permissions, "policies": policies,
                    "conditional": conditional, "partially_denied": partial, "confidence": confidence,
                });
                if !scoped.is_empty() {
                    v["resource_limits"] = serde_json::json!(scoped);
                }
                if !targets.is_empty() {
                    v["assumable_roles"] = serde_json::json!(targets);
                }
                v
            })
            .collect();
        let mut all_policies: Vec<String> =
            found.iter().flat_map(|f| f.2.iter().cloned()).collect();
        all_policies.sort();
        all_policies.dedup();
        out.push(
            Finding::new(
                "AWS-002",
                *severity,
                idx,
                "privilege-escalation",
                format!(
                    "{} can escalate privileges: {} ({}) through {}{}",
                    identity.name,
                    lead.name,
                    lead.permissions.join(" + "),
                    lead_policies.join(", "),
                    if more > 0 {
                        format!("; {more} more method(s)")
                    } else {
                        String::new()
                    }
                ),
                identity.source,
            )
            .with("arn", &p.arn)
            .with("method", lead.id.as_str())
            .with(
                "method_ids",
                found.iter().map(|f| f.1.id.clone()).collect::<Vec<_>>(),
            )
            .with("policies", all_policies)
            .with("methods", serde_json::Value::Array(methods)),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testkit::*;
    use crate::model::IdentityKind;
    use serde_json::json;

    fn allow(action: &str, resource: &str) -> serde_json::Value {
        json!({"Statement": [{"Effect": "Allow", "Action": action, "Resource": resource}]})
    }

    #[test]
    fn escalation_fires_across_policies_and_not_for_admins_or_harmless_roles() {
        let mut k = Kit::new();
        k.aws(
            IdentityKind::IamUser,
            "versioner",
            &[allow("iam:CreatePolicyVersion", "*")],
            None,
        );
        k.aws(
            IdentityKind::IamRole,
            "launcher",
            &[allow("iam:PassRole", "*"), allow("ec2:RunInstances", "*")],
            None,
        );
        k.aws(IdentityKind::IamRole, "admin", &[allow("*", "*")], None);
        k.aws(
            IdentityKind::IamRole,
            "half",
            &[allow("iam:PassRole", "*")],
            None,
        );
        let inv = k.finish();
        assert_eq!(
            fired_on(privilege_escalation_path, &inv),
            ["launcher", "versioner"]
        );
        let found = run(privilege_escalation_path, &inv);
        let launcher = found
            .iter()
            .find(|f| f.evidence.value("method") == "ec2-001")
            .unwrap();
        assert_eq!(launcher.severity, Severity::High);
        assert_eq!(
            launcher.evidence.value("policies"),
            json!(["policy-0", "policy-1"])
        );
        let versioner = found
            .iter()
            .find(|f| f.evidence.value("method") == "iam-001")
            .unwrap();
        assert_eq!(versioner.severity, Severity::Critical);
    }

    #[test]
    fn a_privileged_role_trusting_the_caller_by_arn_is_escalation_without_any_policy() {
        let mut k = Kit::new();
        k.aws(IdentityKind::IamRole, "intermediate", &[], None);
        k.aws(
            IdentityKind::IamRole,
            "ending",
            &[allow("*", "*")],
            Some(json!({"Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/intermediate"}, "Action": "sts:AssumeRole"}]})),
        );
        k.aws(IdentityKind::IamRole, "bystander", &[], None);
        let inv = k.finish();
        assert_eq!(fired_on(privilege_escalation_path, &inv), ["intermediate"]);
    }

    #[test]
    fn aws_managed_policy_arns_cannot_be_changed() {
        let mut k = Kit::new();
        k.aws(
            IdentityKind::IamUser,
            "fp4",
            &[allow(
                "iam:CreatePolicyVersion",
                "arn:aws:iam::aws:policy/fp4-*",
            )],
            None,
        );
        let inv = k.finish();
        assert!(run(privilege_escalation_path, &inv).is_empty());
    }

    #[test]
    fn self_only_and_exact_arn_scopes_are_judged() {
        let mut k = Kit::new();
        k.aws(
            IdentityKind::IamUser,
            "self-service",
            &[allow(
                "iam:CreateAccessKey",
                "arn:aws:iam::111122223333:user/${aws:username}",
            )],
            None,
        );
        k.aws(
            IdentityKind::IamUser,
            "one-policy",
            &[allow(
                "iam:CreatePolicyVersion",
                "arn:aws:iam::111122223333:policy/app",
            )],
            None,
        );
        let inv = k.finish();
        assert_eq!(fired_on(privilege_escalation_path, &inv), ["one-policy"]);
        assert_eq!(
            run(privilege_escalation_path, &inv)[0].severity,
            Severity::High
        );
    }

    #[test]
    fn assume_role_alone_needs_a_privileged_role_that_trusts_the_caller() {
        let mut k = Kit::new();
        k.aws(
            IdentityKind::IamUser,
            "hopper",
            &[allow("sts:AssumeRole", "*")],
            None,
        );
        let inv = k.finish();
        assert!(
            run(privilege_escalation_path, &inv).is_empty(),
            "no role trusts hopper"
        );

        let mut k = Kit::new();
        k.aws(
            IdentityKind::IamUser,
            "hopper",
            &[allow("sts:AssumeRole", "*")],
            None,
        );
        k.aws(
            IdentityKind::IamRole,
            "target",
            &[allow("*", "*")],
            Some(json!({"Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:user/hopper"}, "Action": "sts:AssumeRole"}]})),
        );
        let inv = k.finish();
        assert_eq!(fired_on(privilege_escalation_path, &inv), ["hopper"]);
        let f = &run(privilege_escalation_path, &inv)[0];
        assert_eq!(
            f.evidence.value("methods")[0]["assumable_roles"],
            json!(["arn:aws:iam::111122223333:role/target"])
        );
    }
}
