//! The engine: runs every check over one immutable inventory in parallel, gives
//! each finding its fingerprint, and sorts the result so that output is
//! byte-identical for the same inputs and clock, whatever the thread count.

use std::collections::BTreeMap;

use jiff::Timestamp;
use rayon::prelude::*;
use sha2::{Digest, Sha256};

use crate::checks::{Ctx, Finding, Fingerprint, Settled, Severity, Thresholds, registry};
use crate::model::Inventory;

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
    let parts: Vec<Vec<Settled>> = tasks
        .par_iter()
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
            (registry::ALL[*c].run)(&ctx)
                .into_iter()
                .map(|mut f| {
                    if let Some(&s) = settings.severity.get(f.check_id) {
                        f.severity = s;
                    }
                    let fingerprint = fingerprint(inv, &f);
                    Settled::new(f, fingerprint)
                })
                .collect()
        })
        .collect();
    // One allocation for all, each task's part freed as soon as it is moved.
    let mut findings = Vec::with_capacity(parts.iter().map(Vec::len).sum());
    for part in parts {
        findings.extend(part);
    }
    // Order by severity, check, identity name and fingerprint (the original order
    // breaks ties between duplicates), keep the first of each fingerprint, and
    // move the findings into that order in place.
    let mut order: Vec<(
        std::cmp::Reverse<Severity>,
        &'static str,
        &str,
        Fingerprint,
        usize,
    )> = findings
        .par_iter()
        .enumerate()
        .map(|(i, f)| {
            (
                std::cmp::Reverse(f.severity),
                f.check_id,
                name_of(inv, f),
                f.fingerprint,
                i,
            )
        })
        .collect();
    order.par_sort_unstable();
    let before = order.len();
    order.dedup_by(|a, b| a.3 == b.3);
    let kept = order.len();
    let mut target: Vec<usize> = order.into_iter().map(|k| k.4).collect();
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

/// Reorders `items` in place so that position `k` holds what was at `from[k]`
/// (`from` is a permutation), following each cycle with swaps.
fn permute<T>(items: &mut [T], from: &[usize]) {
    let mut done = vec![false; items.len()];
    for start in 0..items.len() {
        if done[start] {
            continue;
        }
        let mut k = start;
        loop {
            done[k] = true;
            let src = from[k];
            if src == start {
                break;
            }
            items.swap(k, src);
            k = src;
        }
    }
}

fn name_of<'a>(inv: &'a Inventory, f: &Settled) -> &'a str {
    f.identity()
        .map(|i| inv.identities[i].name.as_str())
        .unwrap_or("")
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
    use super::permute;

    #[test]
    fn permute_moves_each_item_to_its_place() {
        // Two cycles (0 2 4) and (1 3), and a fixed point.
        let mut items = vec!["a", "b", "c", "d", "e", "f"];
        permute(&mut items, &[2, 3, 4, 1, 0, 5]);
        assert_eq!(items, ["c", "d", "e", "b", "a", "f"]);
        let mut same = vec![1, 2, 3];
        permute(&mut same, &[0, 1, 2]);
        assert_eq!(same, [1, 2, 3]);
        let mut none: Vec<u8> = Vec::new();
        permute(&mut none, &[]);
        assert!(none.is_empty());
    }
}
