//! Long-lived access keys and console passwords of IAM users and the root account.

use crate::checks::{Ctx, Finding, Severity};
use crate::model::{Credential, CredentialKind, Identity, IdentityKind, Provider};
use crate::time::{days_before, days_between};

/// AWS identities of this shard with their active access keys.
fn with_keys<'a>(
    ctx: &Ctx<'a>,
) -> impl Iterator<Item = (usize, &'a Identity, Vec<&'a Credential>)> + use<'a> {
    let inv = ctx.inv;
    ctx.identities()
        .filter(|(_, i)| i.provider == Provider::Aws)
        .map(move |(idx, i)| {
            let keys = inv
                .credentials_of(idx)
                .iter()
                .filter(|c| c.kind == CredentialKind::AccessKey && c.active == Some(true))
                .collect();
            (idx, i, keys)
        })
}

fn key_finding(
    id: &'static str,
    sev: Severity,
    idx: usize,
    identity: &Identity,
    c: &Credential,
    message: String,
) -> Finding {
    let subject = c
        .key_id
        .clone()
        .or_else(|| c.name.clone())
        .unwrap_or_default();
    Finding::new(id, sev, idx, subject, message, c.source)
        .with("arn", &identity.id)
        .with("key", c.name.clone())
        .with("access_key_id", c.key_id.clone())
        .with("created", c.created)
        .with("last_used", c.last_used)
}

/// AWS-010 `access-key-not-rotated`.
///
/// Detects an active access key older than the rotation window (90 days by default,
/// CIS AWS 1.14). Access keys never expire; the older one is, the more places it
/// has been copied to (NHI7).
pub fn access_key_not_rotated(ctx: &Ctx) -> Vec<Finding> {
    let window = ctx.thresholds.rotation_days;
    let cutoff = days_before(ctx.now, window);
    let mut out = Vec::new();
    for (idx, identity, keys) in with_keys(ctx) {
        for c in keys {
            let Some(created) = c.created.filter(|c| *c < cutoff) else {
                continue;
            };
            let age = days_between(created, ctx.now);
            out.push(
                key_finding(
                    "AWS-010",
                    Severity::Medium,
                    idx,
                    identity,
                    c,
                    format!(
                        "{} of {} is {age} days old (rotate every {window} days)",
                        c.name.as_deref().unwrap_or("access key"),
                        identity.name
                    ),
                )
                .with("age_days", age),
            );
        }
    }
    out
}

/// AWS-011 `access-key-unused`.
///
/// Detects an active access key, at least 45 days old, unused for 45 days or more or
/// never used (CIS AWS 1.12). An unused key is pure exposure: nothing breaks when it
/// is disabled, and its theft would go unnoticed (NHI1).
pub fn access_key_unused(ctx: &Ctx) -> Vec<Finding> {
    let window = ctx.thresholds.access_key_unused_days;
    let cutoff = days_before(ctx.now, window);
    let mut out = Vec::new();
    for (idx, identity, keys) in with_keys(ctx) {
        for c in keys {
            if c.created.is_none_or(|t| t > cutoff) {
                continue;
            }
            let message = match c.last_used {
                Some(t) if t >= cutoff => continue,
                Some(t) => format!(
                    "{} of {} was last used {} days ago",
                    c.name.as_deref().unwrap_or("access key"),
                    identity.name,
                    days_between(t, ctx.now)
                ),
                None => format!(
                    "{} of {} has never been used",
                    c.name.as_deref().unwrap_or("access key"),
                    identity.name
                ),
            };
            out.push(
                key_finding("AWS-011", Severity::Medium, idx, identity, c, message)
                    .with("unused_days", window),
            );
        }
    }
    out
}

/// AWS-012 `multiple-active-access-keys`.
///
/// Detects a user with two active access keys (CIS AWS 1.13). Two keys are meant to
/// overlap briefly during rotation; two standing keys usually mean a rotation that
/// never finished or a key handed to a second consumer (NHI7, NHI9).
pub fn multiple_active_access_keys(ctx: &Ctx) -> Vec<Finding> {
    with_keys(ctx)
        .filter(|(_, i, keys)| keys.len() >= 2 && i.kind != IdentityKind::RootAccount)
        .map(|(idx, identity, keys)| {
            Finding::new(
                "AWS-012",
                Severity::Medium,
                idx,
                "active-keys",
                format!("{} has {} active access keys", identity.name, keys.len()),
                keys[0].source,
            )
            .with("arn", &identity.id)
            .with("active_keys", keys.len())
        })
        .collect()
}

/// AWS-013 `root-access-key`.
///
/// Detects an active access key on the account's root user (CIS AWS 1.4). The root
/// user cannot be limited by IAM policies; a root key is an unrestricted, unexpiring
/// credential for the whole account.
pub fn root_access_key(ctx: &Ctx) -> Vec<Finding> {
    with_keys(ctx)
        .filter(|(_, i, keys)| i.kind == IdentityKind::RootAccount && !keys.is_empty())
        .flat_map(|(idx, identity, keys)| {
            keys.into_iter().map(move |c| {
                key_finding(
                    "AWS-013",
                    Severity::Critical,
                    idx,
                    identity,
                    c,
                    format!(
                        "the root account of {} has an active access key",
                        identity
                            .publisher_tenant
                            .as_deref()
                            .unwrap_or("this account")
                    ),
                )
            })
        })
        .collect()
}

/// AWS-014 `human-use-of-iam-user`.
///
/// Detects an IAM user with both a console password and an active access key: one
/// identity used by a person interactively and by software, so neither use can be
/// told apart or governed (NHI10). Medium; high when the user has no MFA.
pub fn human_use_of_iam_user(ctx: &Ctx) -> Vec<Finding> {
    with_keys(ctx)
        .filter(|(_, i, keys)| i.kind == IdentityKind::IamUser && !keys.is_empty())
        .filter_map(|(idx, identity, keys)| {
            let login = identity.human_login.filter(|l| l.password_enabled)?;
            let no_mfa = login.mfa_active == Some(false);
            Some(
                Finding::new(
                    "AWS-014",
                    if no_mfa {
                        Severity::High
                    } else {
                        Severity::Medium
                    },
                    idx,
                    "password-and-keys",
                    format!(
                        "{} has a console password{} and {} active access key(s)",
                        identity.name,
                        if no_mfa { " without MFA" } else { "" },
                        keys.len()
                    ),
                    keys[0].source,
                )
                .with("arn", &identity.id)
                .with("mfa_active", login.mfa_active)
                .with("password_last_used", login.password_last_used)
                .with("active_keys", keys.len()),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testkit::*;
    use crate::model::HumanLogin;

    fn user(k: &mut Kit, name: &str) -> usize {
        k.aws(IdentityKind::IamUser, name, &[], None)
    }

    #[test]
    fn old_keys_fire_and_fresh_or_inactive_keys_do_not() {
        let mut k = Kit::new();
        let old = user(&mut k, "old");
        k.access_key(old, true, days_ago(120), Some(days_ago(1)));
        let fresh = user(&mut k, "fresh");
        k.access_key(fresh, true, days_ago(20), Some(days_ago(1)));
        let off = user(&mut k, "inactive");
        k.access_key(off, false, days_ago(400), None);
        let inv = k.finish();
        assert_eq!(fired_on(access_key_not_rotated, &inv), ["old"]);
    }

    #[test]
    fn unused_keys_fire_after_45_days_and_new_keys_are_spared() {
        let mut k = Kit::new();
        let never = user(&mut k, "never");
        k.access_key(never, true, days_ago(60), None);
        let stale = user(&mut k, "stale");
        k.access_key(stale, true, days_ago(300), Some(days_ago(50)));
        let recent = user(&mut k, "recent");
        k.access_key(recent, true, days_ago(300), Some(days_ago(2)));
        let new = user(&mut k, "new");
        k.access_key(new, true, days_ago(10), None);
        let inv = k.finish();
        assert_eq!(fired_on(access_key_unused, &inv), ["never", "stale"]);
    }

    #[test]
    fn two_active_keys_fire_one_active_does_not() {
        let mut k = Kit::new();
        let two = user(&mut k, "two");
        k.access_key(two, true, days_ago(10), None);
        k.access_key(two, true, days_ago(5), None);
        let one = user(&mut k, "one-plus-inactive");
        k.access_key(one, true, days_ago(10), None);
        k.access_key(one, false, days_ago(5), None);
        let inv = k.finish();
        assert_eq!(fired_on(multiple_active_access_keys, &inv), ["two"]);
    }

    #[test]
    fn root_keys_fire_only_on_the_root_account() {
        let mut k = Kit::new();
        let root = user(&mut k, "<root_account>");
        k.identity(root).kind = IdentityKind::RootAccount;
        k.access_key(root, true, days_ago(10), None);
        let svc = user(&mut k, "svc");
        k.access_key(svc, true, days_ago(10), None);
        let inv = k.finish();
        assert_eq!(fired_on(root_access_key, &inv), ["<root_account>"]);
    }

    #[test]
    fn password_plus_keys_fire_higher_without_mfa() {
        let login = |mfa| {
            Some(HumanLogin {
                password_enabled: true,
                mfa_active: Some(mfa),
                password_last_used: None,
            })
        };
        let mut k = Kit::new();
        let a = user(&mut k, "no-mfa");
        k.identity(a).human_login = login(false);
        k.access_key(a, true, days_ago(10), None);
        let b = user(&mut k, "mfa");
        k.identity(b).human_login = login(true);
        k.access_key(b, true, days_ago(10), None);
        let c = user(&mut k, "console-only");
        k.identity(c).human_login = login(false);
        let d = user(&mut k, "keys-only");
        k.access_key(d, true, days_ago(10), None);
        let inv = k.finish();
        assert_eq!(fired_on(human_use_of_iam_user, &inv), ["mfa", "no-mfa"]);
        let sev: Vec<_> = run(human_use_of_iam_user, &inv)
            .iter()
            .map(|f| f.severity)
            .collect();
        assert_eq!(sev, [Severity::High, Severity::Medium]);
    }
}
