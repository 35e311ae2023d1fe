//! Role trust policies: who may assume a role.

use super::principals;
use crate::checks::{Ctx, Finding, Severity};
use crate::import::aws::account_of;
use crate::model::aws::AwsPrincipal;
use crate::policy::aws::{Condition, Effect, Principal, Statement};

const GITHUB_HOST: &str = "token.actions.githubusercontent.com";

/// Condition keys that keep an open (`*`) principal to known callers.
const RESTRICTING_KEYS: &[&str] = &[
    "aws:principalorgid",
    "aws:principalorgpaths",
    "aws:principalaccount",
    "aws:principalarn",
    "aws:sourceaccount",
    "aws:sourcearn",
    "aws:sourceowner",
    "aws:sourceorgid",
    "aws:sourceorgpaths",
    "sts:externalid",
];

/// Allow statements of a role's trust policy.
fn trust_statements(p: &AwsPrincipal) -> impl Iterator<Item = &Statement> {
    p.trust
        .iter()
        .flat_map(|d| d.statements.iter())
        .filter(|s| s.effect == Effect::Allow && !s.not_principal)
}

fn github_statement(s: &Statement) -> bool {
    s.principals.iter().any(
        |p| matches!(p, Principal::Federated(f) if f.to_ascii_lowercase().ends_with(GITHUB_HOST)),
    )
}

fn conditions_on<'a>(s: &'a Statement, claim: &str) -> Vec<&'a Condition> {
    let key = format!("{GITHUB_HOST}:{claim}");
    s.conditions
        .iter()
        .filter(|c| c.key.eq_ignore_ascii_case(&key))
        .collect()
}

fn trust_finding(
    id: &'static str,
    severity: Severity,
    idx: usize,
    p: &AwsPrincipal,
    subject: String,
    message: String,
    source: crate::model::Provenance,
) -> Finding {
    Finding::new(id, severity, idx, subject, message, source).with("arn", &p.arn)
}

/// AWS-003 `github-oidc-trust-without-subject`.
///
/// Detects a role that trusts GitHub Actions' OIDC provider with no condition on the
/// token's `sub` claim. GitHub uses one issuer for every repository in the world, so
/// any workflow anywhere can assume the role (NHI6; aws-actions/configure-aws-credentials
/// warns of exactly this).
pub fn github_oidc_trust_without_subject(ctx: &Ctx) -> Vec<Finding> {
    principals(ctx)
        .flat_map(|(idx, p, identity)| {
            trust_statements(p)
                .filter(|s| github_statement(s) && conditions_on(s, "sub").is_empty())
                .map(move |_| {
                    trust_finding("AWS-003", Severity::Critical, idx, p, "github-no-sub".into(),
                        format!("{} trusts GitHub Actions OIDC tokens from any repository (no sub condition)", identity.name),
                        identity.source)
                })
                .take(1)
                .collect::<Vec<_>>()
        })
        .collect()
}

/// How broad one `sub` pattern is, as (severity, why), or `None` when it pins one
/// repository and one ref or environment.
pub(crate) fn broad_subject(value: &str, like: bool) -> Option<(Severity, &'static str)> {
    if value.ends_with(":pull_request") && !value.contains('*') {
        return Some((Severity::Medium, "any pull request of the repository"));
    }
    if !like || !(value.contains('*') || value.contains('?')) {
        // Under StringEquals a wildcard is a literal character.
        return None;
    }
    let Some(rest) = value.strip_prefix("repo:") else {
        return Some(if value == "*" {
            (Severity::Critical, "any repository of any owner")
        } else {
            (
                Severity::High,
                "a wildcard subject that does not start with repo:ORG/REPO",
            )
        });
    };
    let (repo, context) = rest.split_once(':').unwrap_or((rest, ""));
    let (org, name) = repo.split_once('/').unwrap_or((repo, "*"));
    if org.contains('*') || org.contains('?') {
        return Some((Severity::Critical, "the organisation is not pinned"));
    }
    if name.contains('*') || name.contains('?') {
        return Some((Severity::High, "every repository of the organisation"));
    }
    if context.contains('*') || context.contains('?') {
        return Some((
            Severity::Medium,
            "every branch, tag, pull request or environment of the repository",
        ));
    }
    None
}

/// A subject pinned to a GitHub organisation outside `trusted` (lower case), when
/// trusted organisations are configured.
fn untrusted_org(value: &str, trusted: &[String]) -> Option<(Severity, &'static str)> {
    let org = value.strip_prefix("repo:")?.split(['/', ':']).next()?;
    if trusted.is_empty() || org.contains(['*', '?']) {
        return None;
    }
    (!trusted.iter().any(|t| t.eq_ignore_ascii_case(org))).then_some((
        Severity::High,
        "the organisation is not among the trusted GitHub organisations",
    ))
}

/// AWS-004 `github-oidc-trust-broad-subject`.
///
/// Detects a GitHub Actions trust whose `sub` condition admits more than one pinned
/// repository and ref: a wildcard organisation (critical), every repository of an
/// organisation (high), every ref of one repository or any pull request (medium).
/// Wildcards count only under `StringLike` operators. With trusted GitHub
/// organisations configured, a subject pinned to any other organisation is high.
/// Anyone who can run a workflow in the admitted scope gets the role (NHI6).
pub fn github_oidc_trust_broad_subject(ctx: &Ctx) -> Vec<Finding> {
    let mut out = Vec::new();
    for (idx, p, identity) in principals(ctx) {
        let mut worst: Option<(Severity, &str, String)> = None;
        for s in trust_statements(p).filter(|s| github_statement(s)) {
            for c in conditions_on(s, "sub") {
                let like = c.operator.to_ascii_lowercase().contains("like");
                for v in &c.values {
                    let found = [
                        broad_subject(v, like),
                        untrusted_org(v, ctx.trusted_github_orgs),
                    ];
                    for (sev, why) in found.into_iter().flatten() {
                        if worst.as_ref().is_none_or(|w| sev > w.0) {
                            worst = Some((sev, why, v.clone()));
                        }
                    }
                }
            }
        }
        if let Some((severity, why, value)) = worst {
            out.push(
                trust_finding(
                    "AWS-004",
                    severity,
                    idx,
                    p,
                    "github-broad-sub".into(),
                    format!(
                        "{} trusts GitHub Actions subject {value}: {why}",
                        identity.name
                    ),
                    identity.source,
                )
                .with("subject", value)
                .with("reason", why),
            );
        }
    }
    out
}

/// AWS-005 `github-oidc-trust-forallvalues`.
///
/// Detects a `ForAllValues:` condition operator in an Allow statement of a GitHub
/// Actions trust. `ForAllValues` is true when the claim is missing or empty, so the
/// condition can admit tokens it was meant to refuse (configure-aws-credentials README).
pub fn github_oidc_trust_forallvalues(ctx: &Ctx) -> Vec<Finding> {
    principals(ctx)
        .filter_map(|(idx, p, identity)| {
            let ops: Vec<String> = trust_statements(p)
                .filter(|s| github_statement(s))
                .flat_map(|s| s.conditions.iter())
                .filter(|c| c.operator.to_ascii_lowercase().starts_with("forallvalues:"))
                .map(|c| format!("{} {}", c.operator, c.key))
                .collect();
            (!ops.is_empty()).then(|| {
                trust_finding("AWS-005", Severity::High, idx, p, "github-forallvalues".into(),
                    format!("{} trusts GitHub Actions with ForAllValues conditions ({}), which pass when the claim is absent", identity.name, ops.join(", ")),
                    identity.source)
                .with("conditions", ops)
            })
        })
        .collect()
}

/// AWS-006 `oidc-trust-missing-audience`.
///
/// Detects a GitHub Actions trust with no condition on the token's `aud` claim.
/// Without it, a token minted for another audience (another cloud, another
/// relying party) is accepted too (NHI6).
pub fn oidc_trust_missing_audience(ctx: &Ctx) -> Vec<Finding> {
    principals(ctx)
        .filter(|(_, p, _)| {
            trust_statements(p).any(|s| github_statement(s) && conditions_on(s, "aud").is_empty())
        })
        .map(|(idx, p, identity)| {
            trust_finding(
                "AWS-006",
                Severity::Medium,
                idx,
                p,
                "github-no-aud".into(),
                format!(
                    "{} trusts GitHub Actions OIDC tokens without checking their audience",
                    identity.name
                ),
                identity.source,
            )
        })
        .collect()
}

fn restricted(s: &Statement) -> bool {
    s.conditions
        .iter()
        .any(|c| RESTRICTING_KEYS.contains(&c.key.to_ascii_lowercase().as_str()))
}

/// AWS-007 `role-trust-open-to-any-principal`.
///
/// Detects a role trust statement with `Principal: "*"` (or `{"AWS": "*"}`) and no
/// condition that limits callers to an organisation, account, source or external id.
/// Any AWS principal in any account can then assume the role (NHI6, NHI3).
pub fn role_trust_open_to_any_principal(ctx: &Ctx) -> Vec<Finding> {
    principals(ctx)
        .filter(|(_, p, _)| {
            trust_statements(p).any(|s| s.principals.contains(&Principal::Anyone) && !restricted(s))
        })
        .map(|(idx, p, identity)| {
            trust_finding(
                "AWS-007",
                Severity::Critical,
                idx,
                p,
                "open-trust".into(),
                format!(
                    "{} can be assumed by any AWS principal (Principal \"*\" without restricting conditions)",
                    identity.name
                ),
                identity.source,
            )
        })
        .collect()
}

/// Other accounts a role trusts: (account, statement has sts:ExternalId, statement has aws:PrincipalOrgID).
fn foreign_accounts(p: &AwsPrincipal) -> Vec<(String, bool, bool)> {
    let mut out: Vec<(String, bool, bool)> = Vec::new();
    for s in trust_statements(p) {
        let external_id = s
            .conditions
            .iter()
            .any(|c| c.key.eq_ignore_ascii_case("sts:ExternalId"));
        let org = s.conditions.iter().any(|c| {
            c.key.eq_ignore_ascii_case("aws:PrincipalOrgID")
                || c.key.eq_ignore_ascii_case("aws:PrincipalOrgPaths")
        });
        for principal in &s.principals {
            let Principal::Aws(value) = principal else {
                continue;
            };
            let account = if value.len() == 12 && value.bytes().all(|b| b.is_ascii_digit()) {
                value.as_str()
            } else {
                match account_of(value) {
                    Some(a) => a,
                    None => continue,
                }
            };
            if account == p.account {
                continue;
            }
            match out.iter_mut().find(|(a, _, _)| a == account) {
                Some(entry) => {
                    entry.1 &= external_id;
                    entry.2 &= org;
                }
                None => out.push((account.to_string(), external_id, org)),
            }
        }
    }
    out.sort();
    out
}

/// AWS-008 `cross-account-trust-without-external-id`.
///
/// Detects a role that another AWS account may assume without an `sts:ExternalId`
/// condition. The other account is a third party holding a key to yours; without an
/// external id, that party can be tricked into using it for someone else (the
/// confused deputy) (NHI3). Accounts given with `--trusted-aws-account` and
/// statements limited by `aws:PrincipalOrgID` are not reported.
pub fn cross_account_trust_without_external_id(ctx: &Ctx) -> Vec<Finding> {
    let mut out = Vec::new();
    for (idx, p, identity) in principals(ctx) {
        for (account, external_id, org) in foreign_accounts(p) {
            if external_id || org || ctx.trusted_aws_accounts.contains(&account) {
                continue;
            }
            out.push(
                trust_finding(
                    "AWS-008",
                    Severity::High,
                    idx,
                    p,
                    format!("account|{account}"),
                    format!(
                        "{} can be assumed from account {account} without an external id",
                        identity.name
                    ),
                    identity.source,
                )
                .with("trusted_account", account),
            );
        }
    }
    out
}

/// AWS-009 `cross-account-trust-unknown-account`.
///
/// Detects a role trusted by an AWS account that is not on the list of known
/// accounts (`--trusted-aws-account`). Every cross-account trust is a third-party
/// non-human identity; the ones nobody has listed are the ones nobody reviews (NHI3).
pub fn cross_account_trust_unknown_account(ctx: &Ctx) -> Vec<Finding> {
    let mut out = Vec::new();
    for (idx, p, identity) in principals(ctx) {
        for (account, external_id, _) in foreign_accounts(p) {
            if ctx.trusted_aws_accounts.contains(&account) {
                continue;
            }
            out.push(
                trust_finding(
                    "AWS-009",
                    Severity::Medium,
                    idx,
                    p,
                    format!("account|{account}"),
                    format!(
                        "{} trusts account {account}, which is not a known account",
                        identity.name
                    ),
                    identity.source,
                )
                .with("trusted_account", account)
                .with("external_id", external_id),
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subject_breadth_follows_the_documented_grades() {
        assert_eq!(broad_subject("*", true).unwrap().0, Severity::Critical);
        assert_eq!(broad_subject("repo:*", true).unwrap().0, Severity::Critical);
        assert_eq!(
            broad_subject("repo:*/*", true).unwrap().0,
            Severity::Critical
        );
        assert_eq!(
            broad_subject("repo:cont*/app:*", true).unwrap().0,
            Severity::Critical
        );
        assert_eq!(
            broad_subject("repo:contoso/*", true).unwrap().0,
            Severity::High
        );
        assert_eq!(
            broad_subject("repo:contoso/app:*", true).unwrap().0,
            Severity::Medium
        );
        assert_eq!(
            broad_subject("repo:contoso/app:pull_request", false)
                .unwrap()
                .0,
            Severity::Medium
        );
        assert!(broad_subject("repo:contoso/app:ref:refs/heads/main", true).is_none());
        assert!(
            broad_subject("repo:contoso/*", false).is_none(),
            "StringEquals wildcards are literal"
        );
    }
}

#[cfg(test)]
mod check_tests {
    use super::*;
    use crate::checks::testkit::*;
    use crate::model::IdentityKind;
    use serde_json::{Value, json};

    const GH: &str = "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com";

    fn github(conditions: Value) -> Value {
        json!({"Statement": [{"Effect": "Allow", "Principal": {"Federated": GH},
            "Action": "sts:AssumeRoleWithWebIdentity", "Condition": conditions}]})
    }

    fn role(k: &mut Kit, name: &str, trust: Value) {
        k.aws(IdentityKind::IamRole, name, &[], Some(trust));
    }

    fn pinned() -> Value {
        json!({"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
            "token.actions.githubusercontent.com:sub": "repo:contoso/api:ref:refs/heads/main"}})
    }

    #[test]
    fn github_trust_checks_fire_on_their_flaw_and_not_on_a_pinned_trust() {
        let mut k = Kit::new();
        role(
            &mut k,
            "no-sub",
            github(
                json!({"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"}}),
            ),
        );
        role(
            &mut k,
            "org-wide",
            github(
                json!({"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"},
            "StringLike": {"token.actions.githubusercontent.com:sub": "repo:contoso/*"}}),
            ),
        );
        role(
            &mut k,
            "forall",
            github(
                json!({"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"},
            "ForAllValues:StringLike": {"token.actions.githubusercontent.com:sub": "repo:contoso/api:ref:refs/heads/main"}}),
            ),
        );
        role(
            &mut k,
            "no-aud",
            github(
                json!({"StringEquals": {"token.actions.githubusercontent.com:sub": "repo:contoso/api:environment:prod"}}),
            ),
        );
        role(&mut k, "pinned", github(pinned()));
        let inv = k.finish();
        assert_eq!(
            fired_on(github_oidc_trust_without_subject, &inv),
            ["no-sub"]
        );
        assert_eq!(
            fired_on(github_oidc_trust_broad_subject, &inv),
            ["org-wide"]
        );
        assert_eq!(
            run(github_oidc_trust_broad_subject, &inv)[0].severity,
            Severity::High
        );
        assert_eq!(fired_on(github_oidc_trust_forallvalues, &inv), ["forall"]);
        assert_eq!(fired_on(oidc_trust_missing_audience, &inv), ["no-aud"]);
    }

    #[test]
    fn with_trusted_orgs_a_subject_of_another_org_is_reported() {
        let mut k = Kit::new();
        role(&mut k, "ours", github(pinned()));
        role(
            &mut k,
            "theirs",
            github(
                json!({"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
                "token.actions.githubusercontent.com:sub": "repo:fabrikam/api:ref:refs/heads/main"}}),
            ),
        );
        let inv = k.finish();
        // Not configured: both subjects pin one repository and ref.
        assert!(fired_on(github_oidc_trust_broad_subject, &inv).is_empty());
        let trusted = vec!["contoso".to_string()];
        let ctx = Ctx {
            trusted_github_orgs: &trusted,
            ..Ctx::whole(&inv, ts(NOW), crate::checks::Thresholds::default())
        };
        let found = github_oidc_trust_broad_subject(&ctx);
        assert_eq!(found.len(), 1);
        assert_eq!(inv.identities[found[0].identity.unwrap()].name, "theirs");
        assert_eq!(found[0].severity, Severity::High);
    }

    #[test]
    fn open_trust_fires_without_restricting_conditions() {
        let mut k = Kit::new();
        role(
            &mut k,
            "open",
            json!({"Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}]}),
        );
        role(
            &mut k,
            "org-only",
            json!({"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-123"}}}]}),
        );
        role(
            &mut k,
            "service",
            json!({"Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]}),
        );
        let inv = k.finish();
        assert_eq!(fired_on(role_trust_open_to_any_principal, &inv), ["open"]);
    }

    #[test]
    fn cross_account_trust_needs_external_id_and_a_known_account() {
        let trust = |condition: Value| {
            json!({"Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::999988887777:root"},
            "Action": "sts:AssumeRole", "Condition": condition}]})
        };
        let mut k = Kit::new();
        role(&mut k, "vendor", trust(json!({})));
        role(
            &mut k,
            "vendor-with-id",
            trust(json!({"StringEquals": {"sts:ExternalId": "abc"}})),
        );
        role(
            &mut k,
            "own-account",
            json!({"Statement": [{"Effect": "Allow", "Principal": {"AWS": "111122223333"}, "Action": "sts:AssumeRole"}]}),
        );
        let inv = k.finish();
        assert_eq!(
            fired_on(cross_account_trust_without_external_id, &inv),
            ["vendor"]
        );
        assert_eq!(
            fired_on(cross_account_trust_unknown_account, &inv),
            ["vendor", "vendor-with-id"]
        );
        let trusted = vec!["999988887777".to_string()];
        let ctx = Ctx {
            trusted_aws_accounts: &trusted,
            ..Ctx::whole(&inv, ts(NOW), crate::checks::Thresholds::default())
        };
        assert!(cross_account_trust_unknown_account(&ctx).is_empty());
        assert!(cross_account_trust_without_external_id(&ctx).is_empty());
    }
}
