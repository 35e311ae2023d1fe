//! Repository deploy keys.

use super::of_kind;
use crate::checks::{Ctx, Finding, Severity};
use crate::model::github::DeployKey;
use crate::model::{Credential, CredentialKind, Identity, IdentityKind};
use crate::time::{days_before, days_between};

/// Each usable deploy key of this shard with its SSH key credential.
fn keys<'a>(
    ctx: &Ctx<'a>,
) -> impl Iterator<Item = (usize, &'a Identity, &'a DeployKey, &'a Credential)> + use<'a> {
    let inv = ctx.inv;
    of_kind(ctx, IdentityKind::GithubDeployKey).filter_map(move |(idx, i)| {
        if i.enabled == Some(false) {
            return None;
        }
        let key = inv.github.deploy_keys.get(&idx)?;
        let cred = inv
            .credentials_of(idx)
            .iter()
            .find(|c| c.kind == CredentialKind::SshKey)?;
        Some((idx, i, key, cred))
    })
}

fn key_finding(
    id: &'static str,
    severity: Severity,
    idx: usize,
    key: &DeployKey,
    c: &Credential,
    message: String,
) -> Finding {
    Finding::new(
        id,
        severity,
        idx,
        c.key_id.clone().unwrap_or_default(),
        message,
        c.source,
    )
    .with("repository", &key.repository)
    .with("key_id", c.key_id.clone())
    .with("title", c.name.clone())
    .with("read_only", key.read_only)
    .with("created", c.created)
    .with("last_used", c.last_used)
}

/// Raised one step for a key that can push.
fn by_write(base: Severity, key: &DeployKey) -> Severity {
    match (key.read_only, base) {
        (Some(false), Severity::Low) => Severity::Medium,
        _ => base,
    }
}

/// GITHUB-002 `deploy-key-write-access`.
///
/// Detects a deploy key with write access (`read_only: false`). A deploy key is
/// an SSH private key outside GitHub's view, not tied to any person and not
/// covered by the organisation's SSO or 2FA; with write access whoever holds it
/// can push to the repository, including its workflow files, and from there
/// reach the repository's Actions secrets (NHI5, NHI7).
pub fn deploy_key_write_access(ctx: &Ctx) -> Vec<Finding> {
    keys(ctx)
        .filter(|(_, _, key, _)| key.read_only == Some(false))
        .map(|(idx, i, key, c)| {
            key_finding(
                "GITHUB-002",
                Severity::Medium,
                idx,
                key,
                c,
                format!("deploy key {} can push to {}", i.name, key.repository),
            )
        })
        .collect()
}

/// GITHUB-003 `deploy-key-not-rotated`.
///
/// Detects a deploy key created longer ago than the rotation window (90 days by
/// default). Deploy keys never expire; the private half sits on build servers and
/// laptops, and an old one is rarely traceable to the machine that holds it
/// (NHI7). Low, medium for a key with write access.
pub fn deploy_key_not_rotated(ctx: &Ctx) -> Vec<Finding> {
    let window = ctx.thresholds.rotation_days;
    let cutoff = days_before(ctx.now, window);
    keys(ctx)
        .filter_map(|(idx, i, key, c)| {
            let created = c.created.filter(|t| *t < cutoff)?;
            let age = days_between(created, ctx.now);
            Some(
                key_finding(
                    "GITHUB-003",
                    by_write(Severity::Low, key),
                    idx,
                    key,
                    c,
                    format!(
                        "deploy key {} is {age} days old (rotate every {window} days)",
                        i.name
                    ),
                )
                .with("age_days", age),
            )
        })
        .collect()
}

/// GITHUB-004 `deploy-key-unused`.
///
/// Detects a deploy key that the export says was last used longer ago than the
/// unused window (90 days by default), or never used although created before it.
/// An unused key is access nobody needs that still works (NHI1). Only exports
/// that carry `last_used` are judged; low, medium for a key with write access.
pub fn deploy_key_unused(ctx: &Ctx) -> Vec<Finding> {
    let window = ctx.thresholds.unused_days;
    let cutoff = days_before(ctx.now, window);
    keys(ctx)
        .filter(|(_, _, key, _)| key.last_used_known)
        .filter_map(|(idx, i, key, c)| {
            let message = match c.last_used {
                Some(last) if last < cutoff => format!(
                    "deploy key {} was last used {} days ago (unused window {window} days)",
                    i.name,
                    days_between(last, ctx.now)
                ),
                Some(_) => return None,
                None => {
                    c.created.filter(|t| *t < cutoff)?;
                    format!(
                        "deploy key {} has never been used since it was added (unused window {window} days)",
                        i.name
                    )
                }
            };
            Some(key_finding(
                "GITHUB-004",
                by_write(Severity::Low, key),
                idx,
                key,
                c,
                message,
            ))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testkit::*;

    #[test]
    fn write_key_fires_read_only_twin_does_not() {
        let mut k = Kit::new();
        k.gh_deploy_key("pusher", false, days_ago(10), None);
        k.gh_deploy_key("reader", true, days_ago(10), None);
        let inv = k.finish();
        assert_eq!(fired_on(deploy_key_write_access, &inv), ["pusher"]);
    }

    #[test]
    fn old_keys_fire_by_access_young_keys_do_not() {
        let mut k = Kit::new();
        k.gh_deploy_key("old-writer", false, days_ago(200), None);
        k.gh_deploy_key("old-reader", true, days_ago(200), None);
        k.gh_deploy_key("young", false, days_ago(30), None);
        let inv = k.finish();
        let got = fired_with_severity(deploy_key_not_rotated, &inv);
        assert_eq!(
            got,
            [
                ("old-writer", Severity::Medium),
                ("old-reader", Severity::Low)
            ]
        );
    }

    #[test]
    fn stale_or_never_used_keys_fire_recent_and_unknown_do_not() {
        let mut k = Kit::new();
        k.gh_deploy_key("stale", true, days_ago(300), Some(Some(days_ago(120))));
        k.gh_deploy_key("never", true, days_ago(300), Some(None));
        k.gh_deploy_key("new-never", true, days_ago(20), Some(None));
        k.gh_deploy_key("recent", true, days_ago(300), Some(Some(days_ago(2))));
        k.gh_deploy_key("unknown", true, days_ago(300), None);
        let inv = k.finish();
        assert_eq!(fired_on(deploy_key_unused, &inv), ["never", "stale"]);
    }
}
