//! Roles that hold privilege but are not used.

use super::{principals, privilege};
use crate::checks::{Ctx, Finding, Severity};
use crate::model::IdentityKind;
use crate::time::{days_before, days_between};

/// AWS-015 `unused-privileged-role`.
///
/// Detects a privileged role (full admin, a privilege-escalation path, or a wildcard
/// on a sensitive service) that has not been used within the window (90 days) or
/// never (`RoleLastUsed: {}`), and is older than the window. Standing privilege
/// nobody uses is the cheapest risk to remove (NHI1). Medium; high for full admin.
/// Silent when the export has no last-use data (list-roles) and for service-linked roles.
pub fn unused_privileged_role(ctx: &Ctx) -> Vec<Finding> {
    let window = ctx.thresholds.unused_days;
    let cutoff = days_before(ctx.now, window);
    principals(ctx)
        .filter(|(_, _, i)| i.kind == IdentityKind::IamRole)
        .filter_map(|(idx, p, identity)| {
            let last = p.role_last_used?;
            if identity.created.is_some_and(|c| c > cutoff) || last.is_some_and(|t| t >= cutoff) {
                return None;
            }
            let why = privilege(p)?;
            let admin = why == "full administrator";
            let message = match last {
                Some(t) => format!(
                    "{} ({why}) was last used {} days ago",
                    identity.name,
                    days_between(t, ctx.now)
                ),
                None => format!(
                    "{} ({why}) has not been used in AWS's 400-day tracking window",
                    identity.name
                ),
            };
            Some(
                Finding::new(
                    "AWS-015",
                    if admin {
                        Severity::High
                    } else {
                        Severity::Medium
                    },
                    idx,
                    "unused-role",
                    message,
                    identity.source,
                )
                .with("arn", &p.arn)
                .with("privilege", why)
                .with("last_used", last)
                .with("unused_days", window),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testkit::*;
    use serde_json::json;

    #[test]
    fn unused_privileged_roles_fire_used_or_unprivileged_do_not() {
        let admin = json!({"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]});
        let reader =
            json!({"Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]});
        let mut k = Kit::new();
        let never = k.aws(
            IdentityKind::IamRole,
            "never-used-admin",
            std::slice::from_ref(&admin),
            None,
        );
        k.aws_principal(never).role_last_used = Some(None);
        let used = k.aws(
            IdentityKind::IamRole,
            "busy-admin",
            std::slice::from_ref(&admin),
            None,
        );
        k.aws_principal(used).role_last_used = Some(Some(days_ago(2)));
        let idle = k.aws(IdentityKind::IamRole, "idle-reader", &[reader], None);
        k.aws_principal(idle).role_last_used = Some(None);
        let unknown = k.aws(
            IdentityKind::IamRole,
            "from-list-roles",
            std::slice::from_ref(&admin),
            None,
        );
        k.aws_principal(unknown).role_last_used = None;
        let young = k.aws(IdentityKind::IamRole, "new-admin", &[admin], None);
        k.aws_principal(young).role_last_used = Some(None);
        k.identity(young).created = Some(days_ago(10));
        let inv = k.finish();
        assert_eq!(fired_on(unused_privileged_role, &inv), ["never-used-admin"]);
        assert_eq!(
            run(unused_privileged_role, &inv)[0].severity,
            Severity::High
        );
    }

    #[test]
    fn escalation_only_on_itself_or_aws_owned_resources_is_not_privilege() {
        let aws_owned = json!({"Statement": [{"Effect": "Allow", "Action": "iam:CreatePolicyVersion", "Resource": "arn:aws:iam::aws:policy/fp4-*"}]});
        let own_keys = json!({"Statement": [{"Effect": "Allow", "Action": "iam:CreateAccessKey", "Resource": "arn:aws:iam::111122223333:user/${aws:username}"}]});
        let customer = json!({"Statement": [{"Effect": "Allow", "Action": "iam:CreatePolicyVersion", "Resource": "arn:aws:iam::111122223333:policy/*"}]});
        let mut k = Kit::new();
        for (name, doc) in [
            ("aws-owned", aws_owned),
            ("own-keys", own_keys),
            ("customer", customer),
        ] {
            let role = k.aws(IdentityKind::IamRole, name, &[doc], None);
            k.aws_principal(role).role_last_used = Some(None);
        }
        let inv = k.finish();
        assert_eq!(fired_on(unused_privileged_role, &inv), ["customer"]);
    }
}
