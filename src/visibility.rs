//! The visibility report: how much of the NHI estate an organisation can see.
//!
//! Per provider and identity kind: how many NHIs, how many have an owner, how many
//! have last-use data, how many are unused, the credential mix and how much of it
//! is past policy, and how many are first- or third-party. The score formula is in
//! docs/visibility.md and in [`score`].

use std::collections::BTreeMap;

use jiff::Timestamp;
use serde::Serialize;

use crate::checks::Thresholds;
use crate::model::{Credential, CredentialKind, Identity, IdentityKind, Inventory, Origin};
use crate::time::{days_before, days_between, year};

#[derive(Debug, Clone, Serialize, Default, PartialEq)]
pub struct CredentialMix {
    pub secret: usize,
    pub certificate: usize,
    pub federated: usize,
    pub access_key: usize,
    pub ssh_key: usize,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Group {
    pub provider: String,
    pub kind: String,
    pub total: usize,
    pub first_party: usize,
    pub third_party: usize,
    pub home: usize,
    /// Identities an organisation is expected to own (not first-party, not managed
    /// identities, not an AWS root account).
    pub ownable: usize,
    pub owned: usize,
    pub owned_pct: f64,
    /// Customer identities that can sign in.
    pub usable: usize,
    pub with_last_use: usize,
    pub with_last_use_pct: f64,
    pub unused: usize,
    pub unused_pct: f64,
    pub credentials: CredentialMix,
    /// Secrets and certificates (federated credentials have no lifetime).
    pub expiring_credentials: usize,
    pub past_policy: usize,
    pub past_policy_pct: f64,
    pub expiring_within_warning: usize,
    pub expiring_within_90_days: usize,
    pub score: u32,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Visibility {
    pub score: u32,
    pub unused_days: i64,
    pub groups: Vec<Group>,
    /// Valid secrets, certificates and keys (not federated, not token-signing) of
    /// identities that are not first-party, by age since creation: one count per
    /// bucket of [`AGE_BOUNDS_DAYS`], then one for an unknown creation date. Read
    /// by the HTML report; not in the JSON report.
    #[serde(skip)]
    pub credential_ages: [usize; AGE_BUCKETS],
    /// Credentials expiring in each of the next 90 days: element `d` counts those
    /// whose expiry falls in (now + d days, now + d + 1 days]. The same credentials
    /// as the groups' `expiring_within_90_days`. Read by the HTML report; not in the
    /// JSON report.
    #[serde(skip)]
    pub expiring_by_day: Vec<usize>,
}

/// Upper bounds (exclusive, in days) of the credential age buckets; the last
/// bucket is open.
pub const AGE_BOUNDS_DAYS: [i64; 5] = [30, 90, 180, 365, 730];

/// The age buckets: one per bound, one open-ended, one for an unknown creation date.
pub const AGE_BUCKETS: usize = AGE_BOUNDS_DAYS.len() + 2;

/// The days covered by [`Visibility::expiring_by_day`].
pub const EXPIRY_CALENDAR_DAYS: i64 = 90;

/// A credential past policy: expired, lifetime over the maximum, or valid and older
/// than the rotation window. Token-signing and federated credentials are left out.
fn past_policy(c: &Credential, now: Timestamp, t: &Thresholds) -> bool {
    if c.kind == CredentialKind::Federated || c.is_token_signing() {
        return false;
    }
    let expired = c.expires.is_some_and(|e| e <= now);
    let too_long = match (c.created, c.expires) {
        (Some(s), Some(e)) => {
            year(e) >= 2100
                || (c.kind == CredentialKind::Secret
                    && days_between(s, e) > t.secret_max_lifetime_days)
        }
        _ => false,
    };
    let stale = c.is_valid_at(now)
        && c.created
            .is_some_and(|s| s < days_before(now, t.rotation_days));
    expired || too_long || stale
}

fn pct(n: usize, d: usize) -> f64 {
    if d == 0 {
        0.0
    } else {
        ((n as f64) * 1000.0 / (d as f64)).round() / 10.0
    }
}

/// The 0–100 visibility score: 40 % owner coverage, 40 % last-use coverage and 20 %
/// credentials within policy. A component with nothing to measure is left out and
/// the others are re-weighted.
pub fn score(g: &Group) -> u32 {
    let mut parts: Vec<(f64, f64)> = Vec::new();
    if g.ownable > 0 {
        parts.push((0.4, g.owned as f64 / g.ownable as f64));
    }
    if g.usable > 0 {
        parts.push((0.4, g.with_last_use as f64 / g.usable as f64));
    }
    if g.expiring_credentials > 0 {
        parts.push((
            0.2,
            1.0 - g.past_policy as f64 / g.expiring_credentials as f64,
        ));
    }
    let weight: f64 = parts.iter().map(|p| p.0).sum();
    if weight == 0.0 {
        return 100;
    }
    (parts.iter().map(|p| p.0 * p.1).sum::<f64>() / weight * 100.0).round() as u32
}

pub fn compute(inv: &Inventory, now: Timestamp, t: &Thresholds) -> Visibility {
    let mut groups: BTreeMap<(String, String), Group> = BTreeMap::new();
    let cutoff = days_before(now, t.unused_days);
    let warn = days_before(now, -t.expiry_warning_days);
    let ninety = days_before(now, -90);
    for (idx, identity) in inv.identities.iter().enumerate() {
        let key = (
            identity.provider.as_str().to_string(),
            identity.kind.as_str().to_string(),
        );
        let g = groups.entry(key.clone()).or_insert_with(|| empty(&key));
        tally(g, inv, idx, identity, now, t, cutoff, warn, ninety);
    }
    let mut groups: Vec<Group> = groups.into_values().collect();
    let mut all = empty(&("all".into(), "all".into()));
    for g in &mut groups {
        g.owned_pct = pct(g.owned, g.ownable);
        g.with_last_use_pct = pct(g.with_last_use, g.usable);
        g.unused_pct = pct(g.unused, g.with_last_use.max(g.unused));
        g.past_policy_pct = pct(g.past_policy, g.expiring_credentials);
        g.score = score(g);
        add(&mut all, g);
    }
    let (credential_ages, expiring_by_day) = credential_calendar(inv, now);
    Visibility {
        score: score(&all),
        unused_days: t.unused_days,
        groups,
        credential_ages,
        expiring_by_day,
    }
}

/// The credential age histogram and the expiry calendar, over the credentials
/// [`tally`] counts (those of identities that are not first-party).
fn credential_calendar(inv: &Inventory, now: Timestamp) -> ([usize; AGE_BUCKETS], Vec<usize>) {
    let mut ages = [0usize; AGE_BUCKETS];
    let mut days = vec![0usize; EXPIRY_CALENDAR_DAYS as usize];
    let horizon = days_before(now, -EXPIRY_CALENDAR_DAYS);
    for c in &inv.credentials {
        if inv.identities[c.identity].origin == Origin::FirstParty {
            continue;
        }
        if c.kind != CredentialKind::Federated && !c.is_token_signing() && c.is_valid_at(now) {
            let slot = match c.created {
                Some(created) => {
                    let age = days_between(created, now);
                    AGE_BOUNDS_DAYS
                        .iter()
                        .position(|&b| age < b)
                        .unwrap_or(AGE_BOUNDS_DAYS.len())
                }
                None => AGE_BUCKETS - 1,
            };
            ages[slot] += 1;
        }
        if let Some(e) = c.expires.filter(|e| *e > now && *e <= horizon) {
            let secs = e.duration_since(now).as_secs();
            days[((secs - 1) / 86_400) as usize] += 1;
        }
    }
    (ages, days)
}

fn empty(key: &(String, String)) -> Group {
    Group {
        provider: key.0.clone(),
        kind: key.1.clone(),
        total: 0,
        first_party: 0,
        third_party: 0,
        home: 0,
        ownable: 0,
        owned: 0,
        owned_pct: 0.0,
        usable: 0,
        with_last_use: 0,
        with_last_use_pct: 0.0,
        unused: 0,
        unused_pct: 0.0,
        credentials: CredentialMix::default(),
        expiring_credentials: 0,
        past_policy: 0,
        past_policy_pct: 0.0,
        expiring_within_warning: 0,
        expiring_within_90_days: 0,
        score: 0,
    }
}

fn add(all: &mut Group, g: &Group) {
    all.total += g.total;
    all.first_party += g.first_party;
    all.third_party += g.third_party;
    all.home += g.home;
    all.ownable += g.ownable;
    all.owned += g.owned;
    all.usable += g.usable;
    all.with_last_use += g.with_last_use;
    all.unused += g.unused;
    all.expiring_credentials += g.expiring_credentials;
    all.past_policy += g.past_policy;
}

#[allow(clippy::too_many_arguments)]
fn tally(
    g: &mut Group,
    inv: &Inventory,
    idx: usize,
    identity: &Identity,
    now: Timestamp,
    t: &Thresholds,
    cutoff: Timestamp,
    warn: Timestamp,
    ninety: Timestamp,
) {
    g.total += 1;
    match identity.origin {
        Origin::FirstParty => {
            g.first_party += 1;
            return; // the vendor's own apps are not the customer's estate
        }
        Origin::ThirdParty => g.third_party += 1,
        Origin::Home | Origin::Unknown => g.home += 1,
    }
    if !matches!(
        identity.kind,
        IdentityKind::ManagedIdentity | IdentityKind::RootAccount
    ) {
        g.ownable += 1;
        if identity.owners.as_ref().is_some_and(|o| !o.is_empty()) {
            g.owned += 1;
        }
    }
    if identity.kind != IdentityKind::Application {
        g.usable += 1;
        if identity.activity_known {
            g.with_last_use += 1;
            if identity.last_used.is_none_or(|l| l < cutoff) {
                g.unused += 1;
            }
        }
    }
    for c in inv.credentials_of(idx) {
        match c.kind {
            CredentialKind::Secret => g.credentials.secret += 1,
            CredentialKind::Certificate => g.credentials.certificate += 1,
            CredentialKind::Federated => g.credentials.federated += 1,
            CredentialKind::AccessKey => g.credentials.access_key += 1,
            CredentialKind::SshKey => g.credentials.ssh_key += 1,
        }
        if c.kind != CredentialKind::Federated && !c.is_token_signing() {
            g.expiring_credentials += 1;
            if past_policy(c, now, t) {
                g.past_policy += 1;
            }
        }
        if let Some(e) = c.expires.filter(|e| *e > now) {
            if e <= warn {
                g.expiring_within_warning += 1;
            }
            if e <= ninety {
                g.expiring_within_90_days += 1;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testkit::*;
    use crate::model::{Owner, PrincipalKind};

    #[test]
    fn coverage_and_score_follow_the_documented_formula() {
        let mut k = Kit::new();
        let owned = k.sp("owned", Origin::Home);
        k.identity(owned).owners = Some(vec![Owner {
            id: "u".into(),
            name: None,
            kind: PrincipalKind::User,
            enabled: Some(true),
            guest: Some(false),
        }]);
        k.identity(owned).last_used = Some(days_ago(1));
        k.cred(owned, CredentialKind::Secret, days_ago(10), days_ahead(20));
        let orphan = k.sp("orphan", Origin::Home);
        k.cred(orphan, CredentialKind::Secret, days_ago(400), days_ago(10));
        k.sp("microsoft", Origin::FirstParty);
        k.activity_known();
        let inv = k.finish();
        let v = compute(&inv, ts(NOW), &Thresholds::default());
        let g = &v.groups[0];
        assert_eq!((g.total, g.first_party, g.ownable, g.owned), (3, 1, 2, 1));
        assert_eq!((g.usable, g.with_last_use, g.unused), (2, 2, 1));
        assert_eq!((g.expiring_credentials, g.past_policy), (2, 1));
        assert_eq!(g.expiring_within_warning, 1);
        // 0.4*0.5 + 0.4*1.0 + 0.2*0.5 = 0.7
        assert_eq!(g.score, 70);
        assert_eq!(v.score, 70);
        // Only the valid secret has an age (10 days); it expires on day 20.
        assert_eq!(v.credential_ages, [1, 0, 0, 0, 0, 0, 0]);
        assert_eq!(v.expiring_by_day.len(), 90);
        assert_eq!(v.expiring_by_day[19], 1);
        assert_eq!(v.expiring_by_day.iter().sum::<usize>(), 1);
    }

    #[test]
    fn age_buckets_and_the_expiry_calendar_cover_customer_credentials() {
        let mut k = Kit::new();
        let a = k.sp("a", Origin::Home);
        k.cred(a, CredentialKind::Secret, days_ago(45), days_ahead(1));
        k.cred(
            a,
            CredentialKind::Certificate,
            days_ago(400),
            days_ahead(90),
        );
        k.cred(a, CredentialKind::Secret, days_ago(800), days_ahead(91));
        let ms = k.sp("microsoft", Origin::FirstParty);
        k.cred(ms, CredentialKind::Secret, days_ago(5), days_ahead(5));
        let inv = k.finish();
        let v = compute(&inv, ts(NOW), &Thresholds::default());
        assert_eq!(v.credential_ages, [0, 1, 0, 0, 1, 1, 0]);
        assert_eq!((v.expiring_by_day[0], v.expiring_by_day[89]), (1, 1));
        let within: usize = v.groups.iter().map(|g| g.expiring_within_90_days).sum();
        assert_eq!(v.expiring_by_day.iter().sum::<usize>(), within);
    }
}
