//! The engine: runs every check over one immutable inventory in parallel, gives
//! each finding its fingerprint, and sorts the result so that output is
//! byte-identical for the same inputs and clock, whatever the thread count.

use std::collections::BTreeMap;

use jiff::Timestamp;
use rayon::prelude::*;
use sha2::{Digest, Sha256};

use crate::checks::{Ctx, Finding, Fingerprint, Settled, Severity, Thresholds, registry};
use crate::model::Inventory;
use crate::reorder::permute;

/// Runs all registered checks.
pub fn run(inv: &Inventory, now: Timestamp, thresholds: Thresholds) -> Vec<Settled> {
    run_with(inv, now, thresholds, &[])
}

/// [`run`], with the AWS accounts the organisation trusts.
pub fn run_with(
    inv: &Inventory,
    now: Timestamp,
    thresholds: Thresholds,
    trusted_aws_accounts: &[String],
) -> Vec<Settled> {
    let settings = Settings {
        thresholds,
        trusted_aws_accounts: trusted_aws_accounts.to_vec(),
        ..Settings::default()
    };
    run_settings(inv, now, &settings)
}

/// What a scan is configured with besides the inventory and the clock
/// (`nhiscan.toml` and command-line flags).
#[derive(Debug, Clone, Default)]
pub struct Settings {
    pub thresholds: Thresholds,
    pub trusted_aws_accounts: Vec<String>,
    pub trusted_github_orgs: Vec<String>,
    pub known_vendor_app_ids: Vec<String>,
    /// The checks to run (ids); `None`: every check.
    pub checks: Option<Vec<&'static str>>,
    /// Severity overrides by check id.
    pub severity: BTreeMap<&'static str, Severity>,
}

/// Runs the configured checks and applies severity overrides.
pub fn run_settings(inv: &Inventory, now: Timestamp, settings: &Settings) -> Vec<Settled> {
    run_in_waves(inv, now, settings, TASKS_PER_WAVE)
}

/// [`run_settings`], `per_wave` tasks at a time.
fn run_in_waves(
    inv: &Inventory,
    now: Timestamp,
    settings: &Settings,
    per_wave: usize,
) -> Vec<Settled> {
    // Every check over every shard of identities: enough tasks to keep all
    // threads busy even when a few checks produce most findings.
    let n = inv.identities.len();
    let shards = (n / 2048).clamp(1, 8 * rayon::current_num_threads());
    let size = n.div_ceil(shards).max(1);
    let runs = |c: &usize| {
        settings
            .checks
            .as_ref()
            .is_none_or(|ids| ids.contains(&registry::ALL[*c].id))
    };
    let tasks: Vec<(usize, std::ops::Range<usize>)> = (0..registry::ALL.len())
        .filter(runs)
        .flat_map(|c| (0..shards).map(move |s| (c, s * size..((s + 1) * size).min(n))))
        .collect();
    // Tasks run a wave at a time, and each wave's findings are appended in task
    // order as soon as it ends: collecting every task's findings before one merge
    // held them all twice (31 MB at 490,000 findings) when the checks ended. The
    // list grows by doubling; past 32 MiB the system allocator resizes it by
    // remapping, without a copy.
    let mut findings: Vec<Settled> = Vec::new();
    for wave in tasks.chunks(per_wave.max(1)) {
        // One task at a time per split: a thread that runs out of work steals a task
        // instead of waiting on another thread's run of them (or taking a background
        // job, such as freeing the import's records, while the others finish).
        let parts: Vec<Vec<Settled>> = wave
            .par_iter()
            .with_max_len(1)
            .map(|(c, shard)| {
                let ctx = Ctx {
                    shard: shard.clone(),
                    trusted_aws_accounts: &settings.trusted_aws_accounts,
                    trusted_github_orgs: &settings.trusted_github_orgs,
                    known_vendor_app_ids: &settings.known_vendor_app_ids,
                    ..Ctx::whole(inv, now, settings.thresholds)
                };
                // Settle each task's findings while they are few: override the severity,
                // fingerprint, and compact each one (subject dropped, texts joined).
                let found = (registry::ALL[*c].run)(&ctx);
                // A fresh vector: `collect` would reuse the findings' buffer, twice as
                // wide as the settled findings need.
                let mut settled = Vec::with_capacity(found.len());
                settled.extend(found.into_iter().map(|mut f| {
                    if let Some(&s) = settings.severity.get(f.check_id) {
                        f.severity = s;
                    }
                    let fingerprint = fingerprint(inv, &f);
                    Settled::new(f, fingerprint)
                }));
                settled
            })
            .collect();
        // Each task's part is freed as soon as it is moved.
        for part in parts {
            findings.extend(part);
        }
    }
    sort_and_dedupe(inv, findings)
}

/// Check tasks run in parallel between two appends to the findings list: enough
/// to keep every thread busy, few enough that a wave's findings are a small part
/// of all of them.
const TASKS_PER_WAVE: usize = 64;

/// Sorts settled findings into report order and drops repeated fingerprints.
fn sort_and_dedupe(inv: &Inventory, mut findings: Vec<Settled>) -> Vec<Settled> {
    // Order by severity, check, identity name and fingerprint (the original order
    // breaks ties between duplicates), keep the first of each fingerprint, and
    // move the findings into that order in place. The first three are packed into
    // one integer of ranks, so that a sort entry is 16 bytes, not 80.
    let ranks = Ranks::of(inv);
    let mut order: Vec<(u64, u32)> = findings
        .par_iter()
        .enumerate()
        .map(|(i, f)| (ranks.key(f), i as u32))
        .collect();
    order.par_sort_unstable_by(|a, b| {
        let (fa, fb) = (&findings[a.1 as usize], &findings[b.1 as usize]);
        // Equal keys mean equal names (ranks are dense); check ids differ only
        // for ids outside the registry, which share the last rank.
        a.0.cmp(&b.0)
            .then_with(|| fa.check_id().cmp(fb.check_id()))
            .then_with(|| fa.fingerprint_bytes().cmp(fb.fingerprint_bytes()))
            .then(a.1.cmp(&b.1))
    });
    let before = order.len();
    order.dedup_by(|a, b| {
        findings[a.1 as usize].fingerprint_bytes() == findings[b.1 as usize].fingerprint_bytes()
    });
    let kept = order.len();
    let mut target: Vec<usize> = order.into_iter().map(|k| k.1 as usize).collect();
    if kept < before {
        let mut is_kept = vec![false; before];
        for &i in &target {
            is_kept[i] = true;
        }
        target.extend((0..before).filter(|&i| !is_kept[i]));
    }
    permute(&mut findings, &target);
    findings.truncate(kept);
    findings
}

/// Ranks that order findings as (severity descending, check id, identity name)
/// would: checks by id and identities by name, equal names sharing a rank.
struct Ranks {
    checks: rustc_hash::FxHashMap<&'static str, u64>,
    names: Vec<u64>,
}

impl Ranks {
    fn of(inv: &Inventory) -> Ranks {
        let mut ids: Vec<&'static str> = registry::ALL.iter().map(|c| c.id).collect();
        ids.sort_unstable();
        let checks = ids.into_iter().zip(0..).collect();
        let mut by_name: Vec<u32> = (0..inv.identities.len() as u32).collect();
        by_name.par_sort_unstable_by_key(|&i| inv.identities[i as usize].name.as_str());
        // A finding without an identity sorts as the name "", rank 0.
        let mut names = vec![0u64; inv.identities.len()];
        let (mut rank, mut last) = (0u64, "");
        for i in by_name {
            let name = inv.identities[i as usize].name.as_str();
            if name != last {
                rank += 1;
                last = name;
            }
            names[i as usize] = rank;
        }
        Ranks { checks, names }
    }

    /// Severity (descending) in the top byte, then the check's rank (16 bits; an
    /// unknown id ranks last, and the sort compares the ids themselves on ties),
    /// then the identity name's rank.
    fn key(&self, f: &Settled) -> u64 {
        let severity = u64::from(Severity::Critical as u8 - f.severity as u8);
        let check = self.checks.get(f.check_id()).copied().unwrap_or(0xffff);
        let name = f.identity().map_or(0, |i| self.names[i]);
        (severity << 56) | (check.min(0xffff) << 40) | name.min((1 << 40) - 1)
    }
}

/// A finding's identity across runs and machines: the check, the provider, the
/// Entra home tenant (Entra findings only: appIds are global, so the tenant
/// tells two tenants' findings apart), the identity's stable key (appId, ARN,
/// e-mail, namespace/name) and what the finding is about. Paths, lines, times,
/// file order and the other files in the scan play no part.
pub fn fingerprint(inv: &Inventory, f: &Finding) -> Fingerprint {
    let (provider, key) = match f.identity {
        Some(i) => {
            let identity = &inv.identities[i];
            (identity.provider.as_str(), identity.key.as_str())
        }
        None => (
            f.check_id.split('-').next().unwrap_or(""),
            f.target.as_deref().unwrap_or(""),
        ),
    };
    let provider = provider.to_ascii_lowercase();
    let tenant = match provider.as_str() {
        "entra" => inv.home_tenant.as_deref().unwrap_or(""),
        _ => "",
    };
    let mut h = Sha256::new();
    for part in [f.check_id, &provider, tenant, key, &f.subject] {
        h.update(part.as_bytes());
        h.update([0]);
    }
    Fingerprint::of_digest(&h.finalize())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testkit::Kit;
    use crate::model::{Origin, Provenance};

    /// Waves change when findings are appended, not what or in which order: the
    /// whole testdata tree gives the same findings in waves of any size.
    #[test]
    fn findings_are_the_same_in_waves_of_any_size() {
        let demo = crate::checks::testkit::scan("testdata");
        let inv = &demo.loaded.inventory;
        let now = crate::checks::testkit::ts(crate::checks::testkit::NOW);
        let settings = Settings::default();
        let whole = run_in_waves(inv, now, &settings, usize::MAX);
        assert!(whole.len() > 100, "testdata yields findings");
        assert_eq!(whole, demo.findings);
        for per_wave in [1, 2, 7, TASKS_PER_WAVE] {
            assert!(
                run_in_waves(inv, now, &settings, per_wave) == whole,
                "waves of {per_wave}"
            );
        }
    }

    /// The packed-rank sort gives the order of a plain sort by (severity
    /// descending, check id, identity name, fingerprint, original position), and
    /// keeps the first finding of each fingerprint.
    #[test]
    fn ranked_sort_matches_the_plain_sort_and_dedupes() {
        let mut k = Kit::new();
        let names = ["zeta", "alpha", "mid", "alpha", "", "beta"];
        let ids: Vec<usize> = names.iter().map(|n| k.sp(n, Origin::Home)).collect();
        let inv = k.finish();
        let checks = [
            "ENTRA-013",
            "ENTRA-001",
            "AWS-002",
            "NOT-IN-REGISTRY",
            "ENTRA-013",
        ];
        let severities = [
            Severity::Low,
            Severity::Critical,
            Severity::Medium,
            Severity::High,
        ];
        let mut findings = Vec::new();
        for n in 0..120usize {
            let mut f = Finding::new(
                checks[n % checks.len()],
                severities[n % severities.len()],
                ids[n % ids.len()],
                "",
                format!("finding {n}"),
                Provenance::default(),
            );
            if n % 11 == 0 {
                f.identity = None;
            }
            // Every seventh repeats an earlier fingerprint.
            let fp = if n % 7 == 0 { n / 2 } else { n };
            f.fingerprint = Fingerprint::from_ascii(&format!("{fp:032}"));
            findings.push(Settled::from(f));
        }
        let name = |f: &Settled| f.identity().map_or("", |i| inv.identities[i].name.as_str());
        let mut expected: Vec<(usize, &Settled)> = findings.iter().enumerate().collect();
        expected.sort_by(|(ia, a), (ib, b)| {
            (
                std::cmp::Reverse(a.severity),
                a.check_id(),
                name(a),
                a.fingerprint(),
                ia,
            )
                .cmp(&(
                    std::cmp::Reverse(b.severity),
                    b.check_id(),
                    name(b),
                    b.fingerprint(),
                    ib,
                ))
        });
        expected.dedup_by(|a, b| a.1.fingerprint() == b.1.fingerprint());
        let expected: Vec<String> = expected
            .iter()
            .map(|(_, f)| f.message().to_string())
            .collect();
        let got: Vec<String> = sort_and_dedupe(&inv, findings.clone())
            .iter()
            .map(|f| f.message().to_string())
            .collect();
        assert_eq!(got, expected);
        assert!(got.len() < findings.len(), "duplicates were dropped");
    }
}
