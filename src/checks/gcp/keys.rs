//! User-managed service account keys.

use super::{privilege, service_accounts};
use crate::checks::{Ctx, Finding, Severity};
use crate::model::{Credential, CredentialKind, Identity};
use crate::time::{days_before, days_between, year};

fn keys<'a>(
    ctx: &Ctx<'a>,
) -> impl Iterator<Item = (usize, &'a Identity, &'a Credential)> + use<'a> {
    let inv = ctx.inv;
    service_accounts(ctx).flat_map(move |(idx, i)| {
        inv.credentials_of(idx)
            .iter()
            .filter(|c| c.kind == CredentialKind::AccessKey)
            .map(move |c| (idx, i, c))
    })
}

fn key_finding(
    id: &'static str,
    sev: Severity,
    idx: usize,
    c: &Credential,
    message: String,
) -> Finding {
    Finding::new(
        id,
        sev,
        idx,
        c.key_id.clone().unwrap_or_default(),
        message,
        c.source,
    )
    .with("key_id", c.key_id.clone())
    .with("valid_after", c.created)
    .with("valid_before", c.expires)
    .with("last_used", c.last_used)
}

/// GCP-001 `user-managed-key-not-rotated`.
///
/// Detects an enabled user-managed service account key older than the rotation
/// window (90 days, CIS GCP 1.7). A downloaded JSON key is a bearer credential that
/// works from anywhere until deleted; age is exposure (NHI7).
pub fn user_managed_key_not_rotated(ctx: &Ctx) -> Vec<Finding> {
    let window = ctx.thresholds.rotation_days;
    let cutoff = days_before(ctx.now, window);
    keys(ctx)
        .filter(|(_, _, c)| c.active != Some(false))
        .filter_map(|(idx, i, c)| {
            let created = c.created.filter(|t| *t < cutoff)?;
            let age = days_between(created, ctx.now);
            Some(
                key_finding(
                    "GCP-001",
                    Severity::Medium,
                    idx,
                    c,
                    format!(
                        "user-managed key {} of {} is {age} days old (rotate every {window} days)",
                        c.key_id.as_deref().unwrap_or("?"),
                        i.name
                    ),
                )
                .with("age_days", age),
            )
        })
        .collect()
}

/// GCP-002 `user-managed-key-never-expires`.
///
/// Detects a user-managed key valid until year 9999 (or any date from 2100): the
/// default for keys created without an expiry. Such a key never stops working on
/// its own (NHI7).
pub fn user_managed_key_never_expires(ctx: &Ctx) -> Vec<Finding> {
    keys(ctx)
        .filter(|(_, _, c)| c.active != Some(false))
        .filter_map(|(idx, i, c)| {
            let end = c.expires.filter(|e| year(*e) >= 2100)?;
            let _ = end;
            Some(key_finding(
                "GCP-002",
                Severity::High,
                idx,
                c,
                format!(
                    "user-managed key {} of {} never expires",
                    c.key_id.as_deref().unwrap_or("?"),
                    i.name
                ),
            ))
        })
        .collect()
}

/// GCP-003 `user-managed-key-on-privileged-sa`.
///
/// Detects a privileged service account (owner, editor, an admin role, or a
/// privilege-escalation path) with an active user-managed key. Privilege plus an
/// exportable key is the classic GCP breach: workload identity federation or an
/// attached service account would need no key at all (NHI4).
pub fn user_managed_key_on_privileged_sa(ctx: &Ctx) -> Vec<Finding> {
    let mut out = Vec::new();
    for (idx, i) in service_accounts(ctx) {
        let active: Vec<&Credential> = ctx
            .inv
            .credentials_of(idx)
            .iter()
            .filter(|c| c.kind == CredentialKind::AccessKey && c.active != Some(false))
            .collect();
        if active.is_empty() {
            continue;
        }
        let Some(why) = privilege(ctx, &i.id) else {
            continue;
        };
        let ids: Vec<String> = active.iter().filter_map(|c| c.key_id.clone()).collect();
        out.push(
            Finding::new(
                "GCP-003",
                Severity::High,
                idx,
                "privileged-key",
                format!(
                    "{} holds {why} and has {} user-managed key(s)",
                    i.name,
                    active.len()
                ),
                active[0].source,
            )
            .with("privilege", why)
            .with("key_ids", ids),
        );
    }
    out
}

/// GCP-004 `active-key-on-disabled-sa`.
///
/// Detects a disabled service account that still has an enabled user-managed key.
/// Re-enabling the account revives every copy of the key; offboarding is incomplete
/// until the keys are deleted (NHI1).
pub fn active_key_on_disabled_sa(ctx: &Ctx) -> Vec<Finding> {
    keys(ctx)
        .filter(|(_, i, c)| i.enabled == Some(false) && c.active != Some(false))
        .map(|(idx, i, c)| {
            key_finding(
                "GCP-004",
                Severity::Medium,
                idx,
                c,
                format!(
                    "{} is disabled but its key {} is still enabled",
                    i.name,
                    c.key_id.as_deref().unwrap_or("?")
                ),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testkit::*;

    fn key(
        k: &mut Kit,
        idx: usize,
        created: jiff::Timestamp,
        expires: jiff::Timestamp,
        active: bool,
    ) {
        k.cred(idx, CredentialKind::AccessKey, created, expires)
            .active = Some(active);
    }

    #[test]
    fn old_keys_fire_new_or_disabled_do_not() {
        let mut k = Kit::new();
        let old = k.gcp_sa("old@p.iam.gserviceaccount.com");
        key(&mut k, old, days_ago(120), days_ahead(100), true);
        let new = k.gcp_sa("new@p.iam.gserviceaccount.com");
        key(&mut k, new, days_ago(10), days_ahead(100), true);
        let off = k.gcp_sa("off@p.iam.gserviceaccount.com");
        key(&mut k, off, days_ago(300), days_ahead(100), false);
        let inv = k.finish();
        assert_eq!(
            fired_on(user_managed_key_not_rotated, &inv),
            ["old@p.iam.gserviceaccount.com"]
        );
    }

    #[test]
    fn never_expiring_keys_fire() {
        let mut k = Kit::new();
        let a = k.gcp_sa("forever@p.iam.gserviceaccount.com");
        key(&mut k, a, days_ago(10), ts("9999-12-31T23:59:59Z"), true);
        let b = k.gcp_sa("bounded@p.iam.gserviceaccount.com");
        key(&mut k, b, days_ago(10), days_ahead(30), true);
        let inv = k.finish();
        assert_eq!(
            fired_on(user_managed_key_never_expires, &inv),
            ["forever@p.iam.gserviceaccount.com"]
        );
    }

    #[test]
    fn keys_on_privileged_accounts_fire() {
        let mut k = Kit::new();
        let admin = k.gcp_sa("admin@p.iam.gserviceaccount.com");
        key(&mut k, admin, days_ago(10), days_ahead(30), true);
        k.gcp_binding(
            "projects/p",
            "roles/owner",
            &["serviceAccount:admin@p.iam.gserviceaccount.com"],
        );
        let plain = k.gcp_sa("plain@p.iam.gserviceaccount.com");
        key(&mut k, plain, days_ago(10), days_ahead(30), true);
        k.gcp_binding(
            "projects/p",
            "roles/viewer",
            &["serviceAccount:plain@p.iam.gserviceaccount.com"],
        );
        let keyless = k.gcp_sa("keyless@p.iam.gserviceaccount.com");
        let _ = keyless;
        k.gcp_binding(
            "projects/p",
            "roles/owner",
            &["serviceAccount:keyless@p.iam.gserviceaccount.com"],
        );
        let inv = k.finish();
        assert_eq!(
            fired_on(user_managed_key_on_privileged_sa, &inv),
            ["admin@p.iam.gserviceaccount.com"]
        );
    }

    #[test]
    fn enabled_keys_on_disabled_accounts_fire() {
        let mut k = Kit::new();
        let gone = k.gcp_sa("gone@p.iam.gserviceaccount.com");
        k.identity(gone).enabled = Some(false);
        key(&mut k, gone, days_ago(10), days_ahead(30), true);
        let tidy = k.gcp_sa("tidy@p.iam.gserviceaccount.com");
        k.identity(tidy).enabled = Some(false);
        key(&mut k, tidy, days_ago(10), days_ahead(30), false);
        let inv = k.finish();
        assert_eq!(
            fired_on(active_key_on_disabled_sa, &inv),
            ["gone@p.iam.gserviceaccount.com"]
        );
    }
}
