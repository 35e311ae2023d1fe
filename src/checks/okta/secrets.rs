//! Okta client secrets.

use super::apps;
use crate::checks::{Ctx, Finding, Severity};
use crate::model::{Credential, CredentialKind, Provider};
use crate::time::{days_before, days_between};

/// The client secrets of an app that can still be used (not deactivated).
fn active_secrets<'a>(ctx: &Ctx<'a>, idx: usize) -> impl Iterator<Item = &'a Credential> {
    ctx.inv
        .credentials_of(idx)
        .iter()
        .filter(|c| c.kind == CredentialKind::Secret && c.active != Some(false))
}

/// OKTA-005 `client-secret-not-rotated`.
///
/// Detects an active client secret of an Okta app created longer ago than the
/// rotation window (90 days by default). Okta client secrets never expire on
/// their own; a secret copied into a config file, a CI variable or a vendor's
/// system works until someone rotates it (NHI7). Secrets whose app the export
/// does not name are reported against an unknown app.
pub fn client_secret_not_rotated(ctx: &Ctx) -> Vec<Finding> {
    let window = ctx.thresholds.rotation_days;
    let cutoff = days_before(ctx.now, window);
    let mut out = Vec::new();
    for (idx, identity) in apps(ctx) {
        for c in active_secrets(ctx, idx) {
            let Some(created) = c.created.filter(|t| *t < cutoff) else {
                continue;
            };
            let age = days_between(created, ctx.now);
            let key = c.key_id.clone().unwrap_or_default();
            out.push(
                Finding::new(
                    "OKTA-005",
                    Severity::Medium,
                    idx,
                    key.clone(),
                    format!(
                        "client secret {key} of {} is {age} days old (rotate every {window} days)",
                        identity.name
                    ),
                    c.source,
                )
                .with("key_id", key)
                .with("created", created)
                .with("age_days", age),
            );
        }
    }
    if ctx.is_first_shard() {
        for s in &ctx.inv.okta.orphan_secrets {
            if s.active == Some(false) {
                continue;
            }
            let Some(created) = s.created.filter(|t| *t < cutoff) else {
                continue;
            };
            let age = days_between(created, ctx.now);
            out.push(
                Finding::about(
                    "OKTA-005",
                    Severity::Medium,
                    "unknown Okta app",
                    s.id.clone(),
                    format!(
                        "client secret {} of an app the export does not name is {age} days old (rotate every {window} days)",
                        s.id
                    ),
                    s.source,
                )
                .with("key_id", &s.id)
                .with("created", created)
                .with("age_days", age),
            );
        }
    }
    out
}

/// OKTA-006 `too-many-active-client-secrets`.
///
/// Detects an Okta app with more active client secrets than the maximum
/// (`max_active_secrets`, 2 by default). Every active secret is a working key to
/// the app; more than the one in use plus the one being rotated in means a
/// rotation was never finished or secrets were handed out separately (NHI7).
/// Okta itself allows two secrets per app, so with the default maximum this
/// fires only on exports from orgs where that limit does not hold; set
/// `max_active_secrets = 1` to report every unfinished rotation.
pub fn too_many_active_client_secrets(ctx: &Ctx) -> Vec<Finding> {
    let max = ctx.thresholds.max_active_secrets;
    let mut out = Vec::new();
    for (idx, identity) in apps(ctx) {
        let active: Vec<&Credential> = active_secrets(ctx, idx).collect();
        if active.len() <= max {
            continue;
        }
        let ids: Vec<String> = active.iter().filter_map(|c| c.key_id.clone()).collect();
        out.push(
            Finding::new(
                "OKTA-006",
                Severity::Medium,
                idx,
                "active-secrets",
                format!(
                    "{} has {} active client secrets (maximum {max})",
                    identity.name,
                    active.len()
                ),
                active[0].source,
            )
            .with("active_secrets", active.len())
            .with("maximum", max)
            .with("key_ids", ids),
        );
    }
    out
}

/// OKTA-007 `client-secret-value-in-export`.
///
/// Detects an Okta export that holds a client secret in full: a `client_secret`
/// in an app's `credentials.oauthClient` or in a secrets list that is not masked
/// the way Okta masks listed secrets (`DRUF……Zu5B`). The file has become a
/// credential; wherever it was copied, the secret went too (NHI2). nhiscan
/// reports where, never what: the value is not kept or printed.
pub fn client_secret_value_in_export(ctx: &Ctx) -> Vec<Finding> {
    if !ctx.is_first_shard() {
        return Vec::new();
    }
    ctx.inv
        .exposures
        .iter()
        .filter(|e| e.provider == Provider::Okta)
        .map(|e| {
            let subject = format!("{}|{}", e.what, e.key_id.as_deref().unwrap_or(""));
            let path = ctx.inv.path_of(e.source.file);
            let message = format!(
                "{path} line {} contains a {} (value redacted); rotate the secret and delete the file",
                e.source.line, e.what
            );
            let f = match e.identity {
                Some(idx) => Finding::new(
                    "OKTA-007",
                    Severity::Critical,
                    idx,
                    subject,
                    message,
                    e.source,
                ),
                None => Finding::about(
                    "OKTA-007",
                    Severity::Critical,
                    "unknown Okta app",
                    subject,
                    message,
                    e.source,
                ),
            };
            f.with("found", e.what)
                .with("key_id", e.key_id.clone())
                .with("value", "[redacted]")
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::Thresholds;
    use crate::checks::testkit::*;
    use crate::model::SecretExposure;
    use crate::model::okta::OrphanSecret;

    #[test]
    fn old_active_secret_fires_new_and_inactive_do_not() {
        let mut k = Kit::new();
        let old = k.okta_app("old", "service", &["client_credentials"]);
        k.okta_secret(old, days_ago(200), true);
        let fresh = k.okta_app("fresh", "service", &["client_credentials"]);
        k.okta_secret(fresh, days_ago(10), true);
        k.okta_secret(fresh, days_ago(400), false);
        k.inventory_mut().okta.orphan_secrets.push(OrphanSecret {
            id: "ocs-orphan".into(),
            active: Some(true),
            created: Some(days_ago(300)),
            source: Default::default(),
        });
        let inv = k.finish();
        let found = run(client_secret_not_rotated, &inv);
        assert_eq!(found.len(), 2);
        assert_eq!(
            found[0].identity.map(|i| inv.identities[i].name.as_str()),
            Some("old")
        );
        assert_eq!(found[0].evidence.value("age_days"), 200);
        assert_eq!(found[1].target.as_deref(), Some("unknown Okta app"));
    }

    #[test]
    fn more_active_secrets_than_the_maximum_fire() {
        let mut k = Kit::new();
        let two = k.okta_app("two", "service", &["client_credentials"]);
        k.okta_secret(two, days_ago(10), true);
        k.okta_secret(two, days_ago(5), true);
        let three = k.okta_app("three", "service", &["client_credentials"]);
        for d in [1, 2, 3] {
            k.okta_secret(three, days_ago(d), true);
        }
        k.okta_secret(three, days_ago(4), false);
        let inv = k.finish();
        assert_eq!(fired_on(too_many_active_client_secrets, &inv), ["three"]);
        let strict = Thresholds {
            max_active_secrets: 1,
            ..Thresholds::default()
        };
        let found = too_many_active_client_secrets(&Ctx::whole(&inv, ts(NOW), strict));
        assert_eq!(found.len(), 2);
    }

    #[test]
    fn okta_exposures_fire_redacted_and_entra_exposures_do_not() {
        let mut k = Kit::new();
        let app = k.okta_app("leaky", "web", &["authorization_code"]);
        k.inventory_mut().exposures.push(SecretExposure {
            provider: Provider::Okta,
            identity: Some(app),
            what: "client_secret of an Okta OAuth app",
            key_id: None,
            source: Default::default(),
        });
        let sp = k.sp("entra-app", crate::model::Origin::Home);
        k.exposure(Some(sp));
        let inv = k.finish();
        let found = run(client_secret_value_in_export, &inv);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].evidence.value("value"), "[redacted]");
        assert_eq!(fired_on(client_secret_value_in_export, &inv), ["leaky"]);
        let clean = Kit::new().finish();
        assert!(run(client_secret_value_in_export, &clean).is_empty());
    }
}
