//! How service accounts are used by workloads.

use std::collections::BTreeSet;

use super::service_accounts;
use crate::checks::{Ctx, Finding, Severity};

/// K8S-006 `service-account-shared-by-workloads`.
///
/// Detects one service account used by two or more distinct workloads
/// (Deployments, StatefulSets, DaemonSets, Jobs, or standalone pods with different
/// app labels). Every workload then holds every other's permissions, and no audit
/// log can tell them apart (NHI9).
pub fn service_account_shared_by_workloads(ctx: &Ctx) -> Vec<Finding> {
    let mut out = Vec::new();
    for (idx, i) in service_accounts(ctx) {
        let distinct: BTreeSet<String> = ctx
            .inv
            .k8s
            .workloads_of(idx)
            .map(|w| match (w.kind.as_str(), &w.app) {
                ("Pod", Some(app)) => format!("app {app}"),
                _ => format!("{} {}", w.kind, w.name),
            })
            .collect();
        if distinct.len() >= 2 {
            let first = ctx
                .inv
                .k8s
                .workloads_of(idx)
                .next()
                .map(|w| w.source)
                .unwrap_or(i.source);
            out.push(
                Finding::new(
                    "K8S-006",
                    Severity::Medium,
                    idx,
                    "shared",
                    format!(
                        "{} is used by {} workloads: {}",
                        i.name,
                        distinct.len(),
                        distinct.iter().cloned().collect::<Vec<_>>().join(", ")
                    ),
                    first,
                )
                .with("workloads", distinct.into_iter().collect::<Vec<_>>()),
            );
        }
    }
    out
}

/// K8S-007 `default-service-account-in-use`.
///
/// Detects a namespace's `default` service account that holds RBAC bindings (by
/// name or through a `system:serviceaccounts` group) or runs a workload. Every pod
/// that names no account gets `default`, so its rights spread silently (NHI9).
pub fn default_service_account_in_use(ctx: &Ctx) -> Vec<Finding> {
    let mut out = Vec::new();
    for (idx, i) in service_accounts(ctx).filter(|(_, i)| i.name.ends_with("/default")) {
        let bindings: Vec<String> = ctx
            .inv
            .k8s
            .grants_of(idx)
            .map(|g| g.binding.clone())
            .collect();
        let workloads: Vec<String> = ctx
            .inv
            .k8s
            .workloads_of(idx)
            .map(|w| format!("{} {}", w.kind, w.name))
            .collect();
        if bindings.is_empty() && workloads.is_empty() {
            continue;
        }
        out.push(
            Finding::new(
                "K8S-007",
                Severity::Medium,
                idx,
                "default-in-use",
                format!(
                    "{} has {} binding(s) and runs {} workload(s)",
                    i.name,
                    bindings.len(),
                    workloads.len()
                ),
                i.source,
            )
            .with("bindings", bindings)
            .with("workloads", workloads),
        );
    }
    out
}

/// K8S-008 `automount-token-without-need`.
///
/// Detects a service account with no RBAC bindings that leaves
/// `automountServiceAccountToken` on (the default): pods get an API token they
/// have no use for, one more credential to steal from a compromised container (NHI7).
pub fn automount_token_without_need(ctx: &Ctx) -> Vec<Finding> {
    let mut out = Vec::new();
    for (idx, i) in service_accounts(ctx) {
        let automount = ctx.inv.k8s.automount.get(&idx).copied().flatten();
        if automount == Some(false) || ctx.inv.k8s.grants_of(idx).next().is_some() {
            continue;
        }
        let used = ctx.inv.k8s.workloads_of(idx).count();
        out.push(
            Finding::new("K8S-008", Severity::Low, idx, "automount", format!(
                "{} has no RBAC bindings but mounts an API token into its pods ({used} workload(s))", i.name
            ), i.source)
            .with("workloads", used),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testkit::*;

    #[test]
    fn two_workloads_share_an_account_one_does_not() {
        let mut k = Kit::new();
        let shared = k.k8s_sa("ns/app");
        k.k8s_workload(shared, "Deployment", "checkout", None);
        k.k8s_workload(shared, "Deployment", "refunds", None);
        let single = k.k8s_sa("ns/ledger");
        k.k8s_workload(single, "Pod", "ledger-1", Some("ledger"));
        k.k8s_workload(single, "Pod", "ledger-2", Some("ledger"));
        let inv = k.finish();
        assert_eq!(
            fired_on(service_account_shared_by_workloads, &inv),
            ["ns/app"]
        );
    }

    #[test]
    fn default_accounts_in_use_fire_idle_ones_do_not() {
        let mut k = Kit::new();
        let used = k.k8s_sa("payments/default");
        k.k8s_workload(used, "Pod", "migrate", None);
        let bound = k.k8s_sa("default/default");
        k.k8s_grant(bound, "reader", &[(&["get"], &["configmaps"])], false);
        k.k8s_sa("ci/default");
        let inv = k.finish();
        assert_eq!(
            fired_on(default_service_account_in_use, &inv),
            ["default/default", "payments/default"]
        );
    }

    #[test]
    fn automount_without_bindings_fires_unless_turned_off_or_bound() {
        let mut k = Kit::new();
        let a = k.k8s_sa("mon/exporter");
        k.k8s_workload(a, "Deployment", "exporter", None);
        let off = k.k8s_sa("mon/quiet");
        k.inventory_mut().k8s.automount.insert(off, Some(false));
        let bound = k.k8s_sa("mon/prom");
        k.k8s_grant(bound, "view", &[(&["get"], &["pods"])], true);
        let inv = k.finish();
        assert_eq!(
            fired_on(automount_token_without_need, &inv),
            ["mon/exporter"]
        );
    }
}
