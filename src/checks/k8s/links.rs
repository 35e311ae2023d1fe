//! Cloud identities that Kubernetes service accounts assume.

use super::service_accounts;
use crate::checks::{Ctx, Finding, Severity};
use crate::model::{Provider, Tier};

/// K8S-010 `linked-cloud-identity-privileged`.
///
/// Detects a service account whose annotation (`eks.amazonaws.com/role-arn`,
/// `iam.gke.io/gcp-service-account`, `azure.workload.identity/client-id`) links it to
/// a cloud identity in the same scan that holds Tier-0 privilege. Any pod running
/// as the account holds that cloud privilege, so a cluster compromise becomes a
/// cloud compromise (NHI5). Silent when the linked identity is not in the scan.
pub fn linked_cloud_identity_privileged(ctx: &Ctx) -> Vec<Finding> {
    let mut out = Vec::new();
    for (idx, i) in service_accounts(ctx) {
        for link in ctx.inv.k8s.links.iter().filter(|l| l.identity == idx) {
            let Some(target) = link.resolved else {
                continue;
            };
            let why = match link.provider {
                Provider::Aws => ctx.inv.aws.principal(target).and_then(|p| {
                    let why = crate::checks::aws::privilege(p)?;
                    // Tier 0 only: a sensitive-service wildcard alone is not.
                    (why != "wildcard on a sensitive service").then(|| why.to_string())
                }),
                Provider::Gcp => crate::checks::gcp::privilege(ctx, &ctx.inv.identities[target].id),
                _ => (ctx.inv.highest_tier(target) == Tier::Tier0)
                    .then(|| "Tier-0 grants".to_string()),
            };
            let Some(why) = why else { continue };
            let cloud = &ctx.inv.identities[target];
            out.push(
                Finding::new(
                    "K8S-010",
                    Severity::High,
                    idx,
                    format!("{}|{}", link.annotation, link.target),
                    format!(
                        "{} assumes {} {} ({why})",
                        i.name,
                        cloud.provider.as_str(),
                        cloud.id
                    ),
                    i.source,
                )
                .with("annotation", link.annotation)
                .with("cloud_identity", cloud.id.clone())
                .with("cloud_privilege", why),
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testkit::*;
    use crate::model::IdentityKind;
    use crate::model::k8s::Link;
    use serde_json::json;

    #[test]
    fn links_to_privileged_cloud_identities_fire_only_when_resolved_and_privileged() {
        let mut k = Kit::new();
        let admin = k.aws(
            IdentityKind::IamRole,
            "admin",
            &[json!({"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})],
            None,
        );
        let reader = k.aws(IdentityKind::IamRole, "reader", &[json!({"Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]})], None);
        let a = k.k8s_sa("ci/deployer");
        let b = k.k8s_sa("ci/reader");
        let c = k.k8s_sa("ci/elsewhere");
        for (sa, target, resolved) in [
            (a, "arn:aws:iam::111122223333:role/admin", Some(admin)),
            (b, "arn:aws:iam::111122223333:role/reader", Some(reader)),
            (c, "arn:aws:iam::999:role/x", None),
        ] {
            k.inventory_mut().k8s.links.push(Link {
                identity: sa,
                annotation: "eks.amazonaws.com/role-arn",
                provider: Provider::Aws,
                target: target.into(),
                resolved,
            });
        }
        let inv = k.finish();
        assert_eq!(
            fired_on(linked_cloud_identity_privileged, &inv),
            ["ci/deployer"]
        );
    }
}
