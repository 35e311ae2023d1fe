//! Workload identity federation (frameworks.md §8.3).

use crate::checks::{Ctx, Finding, Severity};

fn is_github(issuer: &str) -> bool {
    issuer
        .trim_end_matches('/')
        .eq_ignore_ascii_case("https://token.actions.githubusercontent.com")
}

/// GCP-010 `wif-provider-without-condition`.
///
/// Detects a workload identity pool OIDC provider with no attribute condition: every
/// token the issuer mints enters the pool. For GitHub's issuer that is every
/// workflow of every repository in the world (critical); for other issuers, every
/// workload of that issuer (high) (NHI6).
pub fn wif_provider_without_condition(ctx: &Ctx) -> Vec<Finding> {
    if !ctx.is_first_shard() {
        return Vec::new();
    }
    ctx.inv
        .gcp
        .providers
        .iter()
        .filter(|p| !p.disabled && p.issuer.is_some() && p.condition.as_deref().is_none_or(|c| c.trim().is_empty()))
        .map(|p| {
            let issuer = p.issuer.as_deref().unwrap_or_default();
            let sev = if is_github(issuer) { Severity::Critical } else { Severity::High };
            Finding::about("GCP-010", sev, p.name.as_str(), "no-condition",
                format!("workload identity provider {} accepts every token from {issuer} (no attribute condition)", p.name), p.source)
            .with("issuer", issuer)
        })
        .collect()
}

/// GCP-011 `wif-condition-not-pinning-owner`.
///
/// Detects a GitHub-issuer provider whose attribute condition constrains neither the
/// repository owner nor the repository (`assertion.repository_owner`,
/// `repository_owner_id`, `repository`, `repository_id`). A condition on a branch or
/// workflow name alone admits that branch in anyone's repository (NHI6).
pub fn wif_condition_not_pinning_owner(ctx: &Ctx) -> Vec<Finding> {
    if !ctx.is_first_shard() {
        return Vec::new();
    }
    ctx.inv
        .gcp
        .providers
        .iter()
        .filter(|p| !p.disabled && p.issuer.as_deref().is_some_and(is_github))
        .filter_map(|p| {
            let c = p.condition.as_deref().filter(|c| !c.trim().is_empty())?;
            let pins = ["assertion.repository_owner", "assertion.repository", "attribute.repository"]
                .iter()
                .any(|k| c.contains(k));
            (!pins).then(|| {
                Finding::about("GCP-011", Severity::High, p.name.as_str(), "condition-not-pinned",
                    format!("workload identity provider {} has a condition that pins no repository owner: {c}", p.name), p.source)
                .with("condition", c)
            })
        })
        .collect()
}

/// GCP-012 `wif-binding-whole-pool`.
///
/// Detects a binding to `principalSet://…/workloadIdentityPools/POOL/*`: every
/// identity the pool admits gets the role, instead of one repository or subject
/// (NHI6).
pub fn wif_binding_whole_pool(ctx: &Ctx) -> Vec<Finding> {
    if !ctx.is_first_shard() {
        return Vec::new();
    }
    let mut out = Vec::new();
    for b in &ctx.inv.gcp.bindings {
        for m in b
            .members
            .iter()
            .filter(|m| m.starts_with("principalSet://") && m.ends_with("/*"))
        {
            let message = format!("the whole pool {m} holds {} on {}", b.role, b.resource);
            let subject = format!("{}|{}|{m}", b.resource, b.role);
            let f = match b
                .service_account
                .as_ref()
                .and_then(|e| ctx.inv.gcp.by_email.get(e))
            {
                Some(&idx) => {
                    Finding::new("GCP-012", Severity::High, idx, subject, message, b.source)
                }
                None => Finding::about(
                    "GCP-012",
                    Severity::High,
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testkit::*;
    use crate::model::gcp::GcpProvider;

    fn provider(k: &mut Kit, name: &str, issuer: &str, condition: Option<&str>) {
        k.inventory_mut().gcp.providers.push(GcpProvider {
            name: name.into(),
            issuer: Some(issuer.into()),
            condition: condition.map(str::to_string),
            disabled: false,
            source: Default::default(),
        });
    }

    const GH: &str = "https://token.actions.githubusercontent.com";

    #[test]
    fn providers_without_conditions_fire_and_github_is_critical() {
        let mut k = Kit::new();
        provider(&mut k, "open-gh", GH, None);
        provider(&mut k, "open-gitlab", "https://gitlab.com", None);
        provider(
            &mut k,
            "pinned",
            GH,
            Some("assertion.repository_owner_id == '1'"),
        );
        let inv = k.finish();
        let found = run(wif_provider_without_condition, &inv);
        let names: Vec<_> = found
            .iter()
            .map(|f| (f.target.clone().unwrap(), f.severity))
            .collect();
        assert_eq!(
            names,
            [
                ("open-gh".to_string(), Severity::Critical),
                ("open-gitlab".to_string(), Severity::High)
            ]
        );
    }

    #[test]
    fn conditions_must_pin_the_owner_or_repository() {
        let mut k = Kit::new();
        provider(
            &mut k,
            "branch-only",
            GH,
            Some("assertion.ref == 'refs/heads/main'"),
        );
        provider(
            &mut k,
            "owner",
            GH,
            Some("assertion.repository_owner == 'contoso'"),
        );
        let inv = k.finish();
        let found = run(wif_condition_not_pinning_owner, &inv);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].target.as_deref(), Some("branch-only"));
    }

    #[test]
    fn whole_pool_bindings_fire() {
        let mut k = Kit::new();
        k.gcp_sa("d@p.iam.gserviceaccount.com");
        k.gcp_binding("projects/p/serviceAccounts/d@p.iam.gserviceaccount.com", "roles/iam.workloadIdentityUser",
            &["principalSet://iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/gh/*"]);
        k.gcp_binding("projects/p/serviceAccounts/d@p.iam.gserviceaccount.com", "roles/iam.workloadIdentityUser",
            &["principalSet://iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/gh/attribute.repository/contoso/api"]);
        let inv = k.finish();
        assert_eq!(
            fired_on(wif_binding_whole_pool, &inv),
            ["d@p.iam.gserviceaccount.com"]
        );
    }
}
