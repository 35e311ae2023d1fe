//! Per-identity risk score: one number (0–100) that orders identities for
//! triage. It combines three things, documented in docs/reports.md:
//!
//! - **findings** (up to 60): the sum of the identity's finding weights,
//!   critical 30, high 15, medium 6, low 2, info 0;
//! - **privilege** (up to 25): its highest grant tier, Tier 0 → 25, Tier 1 → 12;
//! - **exposure** (up to 15): published by another organisation (+6), holds a
//!   valid stored secret, key or certificate (+4), a secret value of it was
//!   found in an export (+5).
//!
//! The score is a triage order, not a probability. Identities with a score of
//! zero are left out of the list.

use serde::Serialize;

use crate::checks::{Settled, Severity};
use crate::model::{Inventory, Origin, Tier};

/// Caps of the three parts; they add up to 100.
const FINDINGS_CAP: u32 = 60;
const PRIVILEGE_CAP: u32 = 25;
const EXPOSURE_CAP: u32 = 15;

/// One identity's score and its parts.
#[derive(Debug, Clone, Serialize)]
pub struct IdentityRisk<'a> {
    pub score: u32,
    pub name: &'a str,
    pub id: &'a str,
    pub provider: &'a str,
    pub kind: &'a str,
    pub findings: u32,
    pub privilege: u32,
    pub exposure: u32,
    /// Findings by severity: critical, high, medium, low.
    pub counts: [u32; 4],
    pub highest_tier: &'static str,
}

fn weight(s: Severity) -> u32 {
    match s {
        Severity::Critical => 30,
        Severity::High => 15,
        Severity::Medium => 6,
        Severity::Low => 2,
        Severity::Info => 0,
    }
}

fn privilege(tier: Tier) -> u32 {
    match tier {
        Tier::Tier0 => PRIVILEGE_CAP,
        Tier::Tier1 => 12,
        Tier::Tier2 | Tier::Unclassified => 0,
    }
}

/// Scores every identity and returns those above zero, riskiest first (ties by
/// name, then id, so the order is stable).
pub fn score<'a>(
    inv: &'a Inventory,
    findings: &[Settled],
    now: jiff::Timestamp,
) -> Vec<IdentityRisk<'a>> {
    let n = inv.identities.len();
    let mut weights = vec![0u32; n];
    let mut counts = vec![[0u32; 4]; n];
    for f in findings {
        let Some(i) = f.identity() else { continue };
        weights[i] = weights[i].saturating_add(weight(f.severity));
        let slot = match f.severity {
            Severity::Critical => 0,
            Severity::High => 1,
            Severity::Medium => 2,
            Severity::Low => 3,
            Severity::Info => continue,
        };
        counts[i][slot] += 1;
    }
    let mut exposed = vec![false; n];
    for e in &inv.exposures {
        if let Some(i) = e.identity {
            exposed[i] = true;
        }
    }
    // Each identity above zero with the parts of its score (24 bytes), sorted into
    // report order, then written into a list of their exact number: the 120-byte
    // entries grown or merge-sorted held twice that at 100,000 identities.
    struct Scored {
        score: u32,
        index: u32,
        findings: u32,
        privilege: u32,
        exposure: u32,
        tier: crate::model::Tier,
    }
    let mut scored: Vec<Scored> = (0..n)
        .filter_map(|i| {
            let identity = &inv.identities[i];
            let tier = inv.highest_tier(i);
            let findings = weights[i].min(FINDINGS_CAP);
            let privilege = privilege(tier);
            let stored = inv
                .credentials_of(i)
                .iter()
                .any(|c| c.is_valid_at(now) && !c.is_token_signing());
            let exposure = ((identity.origin == Origin::ThirdParty) as u32 * 6
                + stored as u32 * 4
                + exposed[i] as u32 * 5)
                .min(EXPOSURE_CAP);
            let score = findings + privilege + exposure;
            (score > 0).then_some(Scored {
                score,
                index: i as u32,
                findings,
                privilege,
                exposure,
                tier,
            })
        })
        .collect();
    // Riskiest first, ties by name, then id, then inventory order.
    let name = |s: &Scored| inv.identities[s.index as usize].name.as_str();
    let id = |s: &Scored| inv.identities[s.index as usize].id.as_str();
    scored.sort_unstable_by(|a, b| {
        b.score
            .cmp(&a.score)
            .then_with(|| name(a).cmp(name(b)))
            .then_with(|| id(a).cmp(id(b)))
            .then(a.index.cmp(&b.index))
    });
    let mut out = Vec::with_capacity(scored.len());
    out.extend(scored.into_iter().map(|s| {
        let i = s.index as usize;
        let identity = &inv.identities[i];
        IdentityRisk {
            score: s.score,
            name: &identity.name,
            id: &identity.id,
            provider: identity.provider.as_str(),
            kind: identity.kind.as_str(),
            findings: s.findings,
            privilege: s.privilege,
            exposure: s.exposure,
            counts: counts[i],
            highest_tier: s.tier.as_str(),
        }
    }));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testkit::*;
    use crate::model::{CredentialKind, GrantKind};

    fn finding(identity: usize, severity: Severity) -> Settled {
        let mut f = crate::checks::Finding::new(
            "ENTRA-001",
            severity,
            identity,
            "x",
            String::new(),
            Default::default(),
        );
        f.fingerprint = crate::checks::Fingerprint::from_ascii(&format!("{identity}{severity:?}"));
        f.into()
    }

    #[test]
    fn findings_privilege_and_exposure_add_up_and_order_the_list() {
        let mut k = Kit::new();
        let quiet = k.sp("quiet", Origin::Home);
        let admin = k.sp("admin", Origin::Home);
        k.grant(
            admin,
            GrantKind::ApplicationPermission,
            "RoleManagement.ReadWrite.Directory",
            Tier::Tier0,
        );
        let vendor = k.sp("vendor", Origin::ThirdParty);
        k.cred(
            vendor,
            CredentialKind::Secret,
            days_ago(10),
            days_ahead(100),
        );
        let inv = k.finish();
        let findings = vec![
            finding(admin, Severity::Critical),
            finding(vendor, Severity::Medium),
            finding(vendor, Severity::Low),
        ];
        let scores = score(&inv, &findings, ts(NOW));
        let names: Vec<_> = scores.iter().map(|r| (r.name, r.score)).collect();
        // admin: 30 (critical) + 25 (Tier 0); vendor: 6 + 2 + 6 (third party) + 4 (secret).
        assert_eq!(names, [("admin", 55), ("vendor", 18)]);
        assert_eq!(scores[1].counts, [0, 0, 1, 1]);
        assert!(!scores.iter().any(|r| r.id == inv.identities[quiet].id));
    }

    #[test]
    fn the_findings_part_is_capped() {
        let mut k = Kit::new();
        let a = k.sp("a", Origin::Home);
        let inv = k.finish();
        let findings: Vec<_> = (0..5).map(|_| finding(a, Severity::Critical)).collect();
        assert_eq!(score(&inv, &findings, ts(NOW))[0].score, FINDINGS_CAP);
    }
}
