//! Federated identity credentials (workload identity federation, frameworks.md §8.2).

use super::{credential_evidence, credential_subject, customer_identities, if_privileged};
use crate::checks::{Ctx, Finding, Severity};
use crate::model::{Credential, Federation, Identity};

const GITHUB_ISSUER: &str = "https://token.actions.githubusercontent.com";

/// The Entra token-exchange audiences (public, US Government, China clouds).
const STANDARD_AUDIENCES: &[&str] = &[
    "api://AzureADTokenExchange",
    "api://AzureADTokenExchangeUSGov",
    "api://AzureADTokenExchangeChina",
];

fn federated<'a>(
    ctx: &'a Ctx,
) -> impl Iterator<Item = (usize, &'a Identity, &'a Credential, &'a Federation)> {
    customer_identities(ctx).flat_map(move |(idx, identity)| {
        ctx.inv
            .credentials_of(idx)
            .iter()
            .filter_map(move |c| Some((idx, identity, c, c.federation.as_deref()?)))
    })
}

fn is_github(issuer: &str) -> bool {
    issuer
        .trim_end_matches('/')
        .eq_ignore_ascii_case(GITHUB_ISSUER)
}

/// Why a GitHub subject or claims expression admits more than one deployment, if it does.
pub(crate) fn broad_github_subject(f: &Federation) -> Option<&'static str> {
    if let Some(subject) = &f.subject {
        if subject.ends_with(":pull_request") {
            return Some("any pull request of the repository can obtain the credential");
        }
        if subject.contains('*') {
            return Some("the subject contains a wildcard");
        }
    }
    let expr = f.expression.as_deref()?;
    // The pattern of `claims['sub'] matches '<pattern>'`.
    let pattern = expr
        .split_once("matches")
        .map(|(_, rest)| rest.trim().trim_matches(|c| c == '\'' || c == '"'))
        .unwrap_or(expr);
    let Some(rest) = pattern.strip_prefix("repo:") else {
        return pattern
            .contains('*')
            .then_some("the expression does not pin an organisation and repository");
    };
    let (repo, context) = rest.split_once(':').unwrap_or((rest, ""));
    if repo.contains('*') {
        return Some("the expression wildcards the organisation or repository");
    }
    if context.starts_with("ref:refs/heads/*") || context == "*" || context.starts_with("*") {
        return Some("the expression admits every branch of the repository");
    }
    if context.contains("pull_request") {
        return Some("any pull request of the repository can obtain the credential");
    }
    None
}

/// ENTRA-018 `federated-credential-broad-subject`.
///
/// Detects a federated credential trusting GitHub Actions whose subject admits
/// more than one protected deployment: `repo:ORG/REPO:pull_request`, or a flexible
/// claims expression with a wildcard in the organisation, repository or branch.
/// Anyone who can open a pull request, or push any branch, then gets the app's
/// tokens (NHI6). High on identities with Tier-0/Tier-1 grants, medium otherwise.
pub fn federated_credential_broad_subject(ctx: &Ctx) -> Vec<Finding> {
    federated(ctx)
        .filter(|(_, _, _, f)| is_github(&f.issuer))
        .filter_map(|(idx, identity, c, f)| {
            let why = broad_github_subject(f)?;
            let tier = ctx.inv.highest_tier(idx);
            let shown = f
                .subject
                .clone()
                .or_else(|| f.expression.clone())
                .unwrap_or_default();
            let finding = Finding::new(
                "ENTRA-018",
                if_privileged(Severity::Medium, Severity::High, tier),
                idx,
                credential_subject(c),
                format!(
                    "{} trusts GitHub Actions subject {shown}: {why}",
                    identity.name
                ),
                c.source,
            );
            Some(
                credential_evidence(finding, c)
                    .with("issuer", &f.issuer)
                    .with("subject", f.subject.clone())
                    .with("claims_expression", f.expression.clone())
                    .with("reason", why)
                    .with("highest_tier", tier.as_str()),
            )
        })
        .collect()
}

/// Issuers of well-known workload identity providers.
fn known_issuer(issuer: &str) -> bool {
    let i = issuer.trim_end_matches('/').to_ascii_lowercase();
    let host = i
        .strip_prefix("https://")
        .map(|r| r.split('/').next().unwrap_or(r))
        .unwrap_or("");
    is_github(&i)
        || matches!(
            host,
            "login.microsoftonline.com"
                | "sts.windows.net"
                | "login.microsoftonline.us"
                | "login.chinacloudapi.cn"
                | "container.googleapis.com"
                | "accounts.google.com"
                | "gitlab.com"
                | "app.terraform.io"
                | "oidc.circleci.com"
                | "api.bitbucket.org"
                | "vstoken.dev.azure.com"
        )
        || host.ends_with(".oic.prod-aks.azure.com")
        || (host.starts_with("oidc.eks.") && host.ends_with(".amazonaws.com"))
}

/// ENTRA-019 `federated-credential-unknown-issuer`.
///
/// Detects a federated credential whose issuer is not a well-known identity
/// provider (GitHub Actions, Entra, AKS, EKS, GKE, GitLab, Terraform Cloud, …).
/// Whoever controls that issuer's signing keys can mint tokens for the app; a
/// self-hosted or typo-squatted issuer needs an explicit review.
pub fn federated_credential_unknown_issuer(ctx: &Ctx) -> Vec<Finding> {
    federated(ctx)
        .filter(|(_, _, _, f)| !known_issuer(&f.issuer))
        .map(|(idx, identity, c, f)| {
            let finding = Finding::new(
                "ENTRA-019",
                Severity::Medium,
                idx,
                credential_subject(c),
                format!(
                    "{} trusts tokens from the unrecognised issuer {}",
                    identity.name, f.issuer
                ),
                c.source,
            );
            credential_evidence(finding, c)
                .with("issuer", &f.issuer)
                .with("subject", f.subject.clone())
        })
        .collect()
}

/// ENTRA-020 `federated-credential-nonstandard-audience`.
///
/// Detects a federated credential whose audiences are not exactly the Entra token
/// exchange audience (`api://AzureADTokenExchange`). A broader or custom audience
/// lets tokens minted for another relying party be replayed against Entra.
pub fn federated_credential_nonstandard_audience(ctx: &Ctx) -> Vec<Finding> {
    federated(ctx)
        .filter(|(_, _, _, f)| {
            !(f.audiences.len() == 1 && STANDARD_AUDIENCES.contains(&f.audiences[0].as_str()))
        })
        .map(|(idx, identity, c, f)| {
            let finding = Finding::new(
                "ENTRA-020",
                Severity::Medium,
                idx,
                credential_subject(c),
                format!(
                    "{} accepts federated tokens for audience(s) {}",
                    identity.name,
                    if f.audiences.is_empty() {
                        "(none)".to_string()
                    } else {
                        f.audiences.join(", ")
                    }
                ),
                c.source,
            );
            credential_evidence(finding, c).with("audiences", f.audiences.clone())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testkit::*;
    use crate::model::{GrantKind, Origin, Tier};

    const AUD: &str = "api://AzureADTokenExchange";

    #[test]
    fn pull_request_subject_fires_environment_subject_does_not() {
        let mut k = Kit::new();
        let a = k.sp("pr", Origin::Home);
        k.fic(
            a,
            "https://token.actions.githubusercontent.com/",
            "repo:o/r:pull_request",
            AUD,
        );
        k.grant(
            a,
            GrantKind::ApplicationPermission,
            "Application.ReadWrite.All",
            Tier::Tier0,
        );
        let b = k.sp("env", Origin::Home);
        k.fic(b, GITHUB_ISSUER, "repo:o/r:environment:Production", AUD);
        let inv = k.finish();
        assert_eq!(fired_on(federated_credential_broad_subject, &inv), ["pr"]);
        assert_eq!(
            run(federated_credential_broad_subject, &inv)[0].severity,
            Severity::High
        );
    }

    #[test]
    fn flexible_expressions_are_judged_by_their_pattern() {
        let fed = |e: &str| Federation {
            issuer: GITHUB_ISSUER.into(),
            subject: None,
            expression: Some(e.into()),
            audiences: vec![AUD.into()],
        };
        assert!(broad_github_subject(&fed("claims['sub'] matches 'repo:contoso/*'")).is_some());
        assert!(
            broad_github_subject(&fed(
                "claims['sub'] matches 'repo:contoso/app:ref:refs/heads/*'"
            ))
            .is_some()
        );
        assert!(broad_github_subject(&fed("claims['sub'] matches '*'")).is_some());
        assert!(
            broad_github_subject(&fed(
                "claims['sub'] matches 'repo:contoso/app:environment:Prod'"
            ))
            .is_none()
        );
    }

    #[test]
    fn unknown_issuer_fires_known_issuers_do_not() {
        let mut k = Kit::new();
        let a = k.sp("custom", Origin::Home);
        k.fic(a, "https://oidc.example-ci.net", "build", AUD);
        let b = k.sp("aks", Origin::Home);
        k.fic(
            b,
            "https://westeurope.oic.prod-aks.azure.com/tid/cid/",
            "system:serviceaccount:ns:sa",
            AUD,
        );
        let c = k.sp("eks", Origin::Home);
        k.fic(
            c,
            "https://oidc.eks.eu-west-1.amazonaws.com/id/ABC",
            "system:serviceaccount:ns:sa",
            AUD,
        );
        let d = k.sp("gh", Origin::Home);
        k.fic(d, GITHUB_ISSUER, "repo:o/r:environment:prod", AUD);
        let inv = k.finish();
        assert_eq!(
            fired_on(federated_credential_unknown_issuer, &inv),
            ["custom"]
        );
    }

    #[test]
    fn nonstandard_audience_fires_standard_does_not() {
        let mut k = Kit::new();
        let a = k.sp("custom-aud", Origin::Home);
        k.fic(
            a,
            GITHUB_ISSUER,
            "repo:o/r:environment:prod",
            "api://custom-audience",
        );
        let b = k.sp("std", Origin::Home);
        k.fic(b, GITHUB_ISSUER, "repo:o/r:environment:prod", AUD);
        let inv = k.finish();
        assert_eq!(
            fired_on(federated_credential_nonstandard_audience, &inv),
            ["custom-aud"]
        );
    }
}
