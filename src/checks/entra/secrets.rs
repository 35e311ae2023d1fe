//! Client secrets and certificates: lifetime, rotation, expiry, count and placement.

use super::{credential_evidence, credential_subject, customer_identities};
use crate::checks::{Ctx, Finding, Severity};
use crate::model::{Credential, CredentialHost, CredentialKind, Identity, IdentityKind, Origin};
use crate::time::{days_before, days_between, year};

/// Secrets and certificates of customer identities, with their owner.
fn keys<'a>(ctx: &'a Ctx) -> impl Iterator<Item = (usize, &'a Identity, &'a Credential)> {
    customer_identities(ctx).flat_map(move |(idx, identity)| {
        ctx.inv
            .credentials_of(idx)
            .iter()
            .filter(|c| c.kind != CredentialKind::Federated)
            .map(move |c| (idx, identity, c))
    })
}

fn label(c: &Credential) -> String {
    let kind = match c.kind {
        CredentialKind::Secret => "client secret",
        _ => "certificate",
    };
    match &c.name {
        Some(n) => format!("{kind} \"{n}\""),
        None => format!("{kind} {}", c.key_id.as_deref().unwrap_or("(no id)")),
    }
}

fn finding(id: &'static str, sev: Severity, idx: usize, c: &Credential, msg: String) -> Finding {
    credential_evidence(
        Finding::new(id, sev, idx, credential_subject(c), msg, c.source),
        c,
    )
}

/// First year treated as "never expires" (formats.md §1.4.1: 2100 and 2299 seen in the wild).
const NEVER_YEAR: i16 = 2100;

/// ENTRA-010 `secret-lifetime-exceeds-policy`.
///
/// Detects a client secret, still valid, whose lifetime (end minus start) exceeds
/// the policy maximum, 180 days by default (CIS M365 5.1.5.4), but which does
/// expire before 2100 (that case is ENTRA-011). A long-lived secret gives a thief a
/// long window. An expired secret gives none: it is ENTRA-013's, not reported twice.
pub fn secret_lifetime_exceeds_policy(ctx: &Ctx) -> Vec<Finding> {
    let max = ctx.thresholds.secret_max_lifetime_days;
    keys(ctx)
        .filter(|(_, _, c)| c.kind == CredentialKind::Secret && c.is_valid_at(ctx.now))
        .filter_map(|(idx, identity, c)| {
            let (start, end) = (c.created?, c.expires?);
            let days = days_between(start, end);
            (days > max && year(end) < NEVER_YEAR).then(|| {
                finding(
                    "ENTRA-010",
                    Severity::Medium,
                    idx,
                    c,
                    format!(
                        "{} of {} is valid for {days} days (policy: {max})",
                        label(c),
                        identity.name
                    ),
                )
                .with("lifetime_days", days)
                .with("policy_days", max)
            })
        })
        .collect()
}

/// ENTRA-011 `secret-never-expires`.
///
/// Detects a client secret or certificate that expires in 2100 or later, which
/// Entra's own portal cannot even create: it was made through the API to be
/// permanent. A leaked copy works for the life of the application (NHI7).
pub fn secret_never_expires(ctx: &Ctx) -> Vec<Finding> {
    keys(ctx)
        .filter_map(|(idx, identity, c)| {
            let end = c.expires?;
            (year(end) >= NEVER_YEAR).then(|| {
                finding(
                    "ENTRA-011",
                    Severity::High,
                    idx,
                    c,
                    format!(
                        "{} of {} effectively never expires ({})",
                        label(c),
                        identity.name,
                        crate::time::format(end)
                    ),
                )
            })
        })
        .collect()
}

/// ENTRA-012 `secret-not-rotated`.
///
/// Detects a still-valid client secret or client-authentication certificate
/// created longer ago than the rotation window (90 days by default). Every day a
/// credential lives it may have been copied into another script, pipeline or
/// laptop; rotation bounds that. Token-signing (`usage: Sign`) certificates are left out.
pub fn secret_not_rotated(ctx: &Ctx) -> Vec<Finding> {
    let window = ctx.thresholds.rotation_days;
    let cutoff = days_before(ctx.now, window);
    keys(ctx)
        .filter(|(_, _, c)| !c.is_token_signing() && c.is_valid_at(ctx.now))
        .filter_map(|(idx, identity, c)| {
            let created = c.created?;
            (created < cutoff).then(|| {
                let age = days_between(created, ctx.now);
                finding("ENTRA-012", Severity::Medium, idx, c, format!(
                    "{} of {} was created {age} days ago and is still valid (rotate every {window} days)",
                    label(c), identity.name
                ))
                .with("age_days", age)
                .with("rotation_days", window)
            })
        })
        .collect()
}

/// ENTRA-013 `credential-expired-still-attached`.
///
/// Detects a client secret or certificate that has expired but is still attached.
/// It grants nothing now, but it shows an identity nobody maintains, clutters
/// reviews, and hides which credentials are really in use (NHI1).
pub fn credential_expired_still_attached(ctx: &Ctx) -> Vec<Finding> {
    keys(ctx)
        .filter_map(|(idx, identity, c)| {
            let end = c.expires?;
            (end <= ctx.now).then(|| {
                finding(
                    "ENTRA-013",
                    Severity::Low,
                    idx,
                    c,
                    format!(
                        "{} of {} expired {} days ago and is still attached",
                        label(c),
                        identity.name,
                        days_between(end, ctx.now)
                    ),
                )
            })
        })
        .collect()
}

/// ENTRA-014 `credential-expiring-soon`.
///
/// Detects a valid client secret or certificate that expires within the warning
/// window (30 days by default). Outages from expired credentials push teams into
/// emergency fixes such as never-expiring secrets; early warning avoids both.
pub fn credential_expiring_soon(ctx: &Ctx) -> Vec<Finding> {
    let window = ctx.thresholds.expiry_warning_days;
    let horizon = days_before(ctx.now, -window);
    keys(ctx)
        .filter_map(|(idx, identity, c)| {
            let end = c.expires?;
            (end > ctx.now && end <= horizon).then(|| {
                let left = days_between(ctx.now, end);
                finding(
                    "ENTRA-014",
                    Severity::Low,
                    idx,
                    c,
                    format!("{} of {} expires in {left} days", label(c), identity.name),
                )
                .with("days_left", left)
            })
        })
        .collect()
}

/// ENTRA-015 `too-many-active-secrets`.
///
/// Detects an identity with more valid client secrets (application and service
/// principal combined) than the maximum, 2 by default: one in use plus one being
/// rotated in. Extra secrets are usually forgotten copies handed to other teams.
pub fn too_many_active_secrets(ctx: &Ctx) -> Vec<Finding> {
    let max = ctx.thresholds.max_active_secrets;
    let mut out = Vec::new();
    for (idx, identity) in customer_identities(ctx) {
        let active: Vec<&Credential> = ctx
            .inv
            .credentials_of(idx)
            .iter()
            .filter(|c| {
                c.kind == CredentialKind::Secret && !c.is_token_signing() && c.is_valid_at(ctx.now)
            })
            .collect();
        if active.len() > max {
            let ids: Vec<String> = active.iter().map(|c| credential_subject(c)).collect();
            out.push(
                Finding::new(
                    "ENTRA-015",
                    Severity::Medium,
                    idx,
                    "active-secrets",
                    format!(
                        "{} has {} valid client secrets (maximum {max})",
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
    }
    out
}

/// ENTRA-016 `credential-on-service-principal`.
///
/// Detects a client secret, or a client-authentication certificate, stored on the
/// service principal object instead of the application. Such credentials do not
/// show in the app registration blade, so owners and reviewers miss them; adding
/// one is a known persistence technique (ATT&CK T1098.001). SAML token-signing
/// certificates (`usage: Sign`) and managed identities' platform keys are left out.
pub fn credential_on_service_principal(ctx: &Ctx) -> Vec<Finding> {
    keys(ctx)
        .filter(|(_, identity, c)| {
            c.host == CredentialHost::ServicePrincipal
                && identity.kind != IdentityKind::ManagedIdentity
                && !c.is_token_signing()
        })
        .map(|(idx, identity, c)| {
            finding("ENTRA-016", Severity::High, idx, c, format!(
                "{} is stored on the service principal object of {}, hidden from the app registration",
                label(c), identity.name
            ))
        })
        .collect()
}

/// ENTRA-017 `client-secret-instead-of-certificate`.
///
/// Detects an application of this tenant that authenticates with at least one
/// valid client secret. A secret is a bearer password that can be pasted anywhere;
/// a certificate keeps its private key in a store, and a federated credential
/// removes the stored secret altogether (NHI4). One finding per identity.
pub fn client_secret_instead_of_certificate(ctx: &Ctx) -> Vec<Finding> {
    let mut out = Vec::new();
    for (idx, identity) in customer_identities(ctx) {
        if identity.origin != Origin::Home || identity.kind == IdentityKind::ManagedIdentity {
            continue;
        }
        let creds = ctx.inv.credentials_of(idx);
        let client_secret = |c: &&Credential| {
            c.kind == CredentialKind::Secret && !c.is_token_signing() && c.is_valid_at(ctx.now)
        };
        let secrets = creds.iter().filter(client_secret).count();
        let Some(first) = creds.iter().find(client_secret) else {
            continue;
        };
        out.push(
            Finding::new("ENTRA-017", Severity::Low, idx, "client-secret", format!(
                "{} authenticates with {secrets} client secret(s); use a certificate or a federated credential",
                identity.name
            ), first.source)
            .with("valid_secrets", secrets)
            .with("has_certificate", creds.iter().any(|c| c.kind == CredentialKind::Certificate))
            .with("has_federated", creds.iter().any(|c| c.kind == CredentialKind::Federated)),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testkit::*;

    #[test]
    fn long_lifetime_fires_and_policy_compliant_twin_does_not() {
        let mut k = Kit::new();
        let a = k.sp("two-years", Origin::Home);
        k.cred(a, CredentialKind::Secret, days_ago(10), days_ahead(720));
        let b = k.sp("six-months", Origin::Home);
        k.cred(b, CredentialKind::Secret, days_ago(10), days_ahead(170));
        // Two years long but expired: ENTRA-013 reports it, not this check.
        let d = k.sp("expired-two-years", Origin::Home);
        k.cred(d, CredentialKind::Secret, days_ago(800), days_ago(70));
        let c = k.sp("forever", Origin::Home);
        k.cred(
            c,
            CredentialKind::Secret,
            days_ago(10),
            ts("2299-12-31T00:00:00Z"),
        );
        let inv = k.finish();
        assert_eq!(
            fired_on(secret_lifetime_exceeds_policy, &inv),
            ["two-years"]
        );
    }

    #[test]
    fn never_expiring_fires_from_year_2100() {
        let mut k = Kit::new();
        let a = k.sp("forever", Origin::Home);
        k.cred(
            a,
            CredentialKind::Certificate,
            days_ago(10),
            ts("2100-01-01T00:00:00Z"),
        );
        let b = k.sp("bounded", Origin::Home);
        k.cred(
            b,
            CredentialKind::Secret,
            days_ago(10),
            ts("2099-12-31T00:00:00Z"),
        );
        let ms = k.sp("microsoft", Origin::FirstParty);
        k.cred(
            ms,
            CredentialKind::Secret,
            days_ago(10),
            ts("2299-12-31T00:00:00Z"),
        );
        let inv = k.finish();
        assert_eq!(fired_on(secret_never_expires, &inv), ["forever"]);
    }

    #[test]
    fn old_valid_credentials_need_rotation_new_and_expired_do_not() {
        let mut k = Kit::new();
        let old = k.sp("old", Origin::Home);
        k.cred(old, CredentialKind::Secret, days_ago(91), days_ahead(30));
        let fresh = k.sp("fresh", Origin::Home);
        k.cred(fresh, CredentialKind::Secret, days_ago(89), days_ahead(30));
        let expired = k.sp("expired", Origin::Home);
        k.cred(expired, CredentialKind::Secret, days_ago(400), days_ago(1));
        let signing = k.sp("saml", Origin::Home);
        k.cred(
            signing,
            CredentialKind::Certificate,
            days_ago(400),
            days_ahead(30),
        )
        .usage = Some("Sign".into());
        let inv = k.finish();
        assert_eq!(fired_on(secret_not_rotated, &inv), ["old"]);
    }

    #[test]
    fn expired_credentials_fire_valid_ones_do_not() {
        let mut k = Kit::new();
        let a = k.sp("expired", Origin::Home);
        k.cred(a, CredentialKind::Certificate, days_ago(400), days_ago(3));
        let b = k.sp("valid", Origin::Home);
        k.cred(b, CredentialKind::Certificate, days_ago(4), days_ahead(300));
        let inv = k.finish();
        assert_eq!(
            fired_on(credential_expired_still_attached, &inv),
            ["expired"]
        );
    }

    #[test]
    fn expiry_warning_covers_only_the_window() {
        let mut k = Kit::new();
        let a = k.sp("soon", Origin::Home);
        k.cred(a, CredentialKind::Secret, days_ago(4), days_ahead(20));
        let b = k.sp("later", Origin::Home);
        k.cred(b, CredentialKind::Secret, days_ago(4), days_ahead(31));
        let c = k.sp("already", Origin::Home);
        k.cred(c, CredentialKind::Secret, days_ago(40), days_ago(1));
        let inv = k.finish();
        assert_eq!(fired_on(credential_expiring_soon, &inv), ["soon"]);
        assert_eq!(
            run(credential_expiring_soon, &inv)[0]
                .evidence
                .value("days_left"),
            20
        );
    }

    #[test]
    fn more_than_two_valid_secrets_fire_once() {
        let mut k = Kit::new();
        let a = k.sp("three", Origin::Home);
        for _ in 0..3 {
            k.cred(a, CredentialKind::Secret, days_ago(4), days_ahead(20));
        }
        let b = k.sp("two-plus-expired", Origin::Home);
        k.cred(b, CredentialKind::Secret, days_ago(4), days_ahead(20));
        k.cred(b, CredentialKind::Secret, days_ago(4), days_ahead(20));
        k.cred(b, CredentialKind::Secret, days_ago(40), days_ago(2));
        let inv = k.finish();
        assert_eq!(fired_on(too_many_active_secrets, &inv), ["three"]);
    }

    #[test]
    fn secrets_on_the_sp_object_fire_signing_certs_and_app_secrets_do_not() {
        let mut k = Kit::new();
        let a = k.sp("hidden", Origin::Home);
        k.cred(a, CredentialKind::Secret, days_ago(4), days_ahead(20))
            .host = CredentialHost::ServicePrincipal;
        let b = k.sp("saml", Origin::Home);
        let c = k.cred(b, CredentialKind::Certificate, days_ago(4), days_ahead(20));
        c.host = CredentialHost::ServicePrincipal;
        c.usage = Some("Sign".into());
        let d = k.sp("visible", Origin::Home);
        k.cred(d, CredentialKind::Secret, days_ago(4), days_ahead(20));
        let inv = k.finish();
        assert_eq!(fired_on(credential_on_service_principal, &inv), ["hidden"]);
    }

    #[test]
    fn valid_secret_on_home_app_fires_certificate_only_does_not() {
        let mut k = Kit::new();
        let a = k.sp("secret", Origin::Home);
        k.cred(a, CredentialKind::Secret, days_ago(4), days_ahead(20));
        let b = k.sp("cert", Origin::Home);
        k.cred(b, CredentialKind::Certificate, days_ago(4), days_ahead(20));
        let c = k.sp("vendor", Origin::ThirdParty);
        k.cred(c, CredentialKind::Secret, days_ago(4), days_ahead(20));
        let inv = k.finish();
        assert_eq!(
            fired_on(client_secret_instead_of_certificate, &inv),
            ["secret"]
        );
    }
}
