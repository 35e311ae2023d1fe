//! What RBAC bindings grant to service accounts.

use super::service_accounts;
use crate::checks::{Ctx, Finding, Severity};
use crate::model::k8s::SaGrant;

fn grant_finding(
    id: &'static str,
    sev: Severity,
    idx: usize,
    g: &SaGrant,
    message: String,
) -> Finding {
    Finding::new(
        id,
        sev,
        idx,
        format!("{}|{}", g.binding_kind, g.binding),
        message,
        g.source,
    )
    .with("binding", format!("{} {}", g.binding_kind, g.binding))
    .with("role", format!("{} {}", g.role_kind, g.role))
    .with("namespace", g.namespace.clone())
    .with("via_group", g.via_group.clone())
}

fn scope(g: &SaGrant) -> String {
    if g.cluster_wide {
        "in all namespaces".into()
    } else {
        format!("in namespace {}", g.namespace.as_deref().unwrap_or("?"))
    }
}

/// K8S-001 `sa-cluster-admin-or-wildcard`.
///
/// Detects a service account bound to cluster-admin, or to a role with `*` verbs on
/// `*` resources. Any pod running as it, or anyone holding its token, controls the
/// cluster (through a ClusterRoleBinding: critical) or the namespace (high) (NHI5).
pub fn sa_cluster_admin_or_wildcard(ctx: &Ctx) -> Vec<Finding> {
    let mut out = Vec::new();
    for (idx, i) in service_accounts(ctx) {
        for g in ctx.inv.k8s.grants_of(idx) {
            if g.role == "cluster-admin" || g.rules.iter().any(|r| r.is_wildcard()) {
                let sev = if g.cluster_wide {
                    Severity::Critical
                } else {
                    Severity::High
                };
                out.push(grant_finding(
                    "K8S-001",
                    sev,
                    idx,
                    g,
                    format!(
                        "{} holds {} {} ({}) {}",
                        i.name,
                        g.role_kind,
                        g.role,
                        if g.role == "cluster-admin" {
                            "cluster-admin"
                        } else {
                            "* on *"
                        },
                        scope(g)
                    ),
                ));
            }
        }
    }
    out
}

/// K8S-002 `sa-cluster-wide-secret-read`.
///
/// Detects a service account that may get, list or watch Secrets in every namespace
/// (through a ClusterRoleBinding). Secrets hold other identities' tokens and
/// credentials: reading all of them is a step to everything (NHI5).
pub fn sa_cluster_wide_secret_read(ctx: &Ctx) -> Vec<Finding> {
    let mut out = Vec::new();
    for (idx, i) in service_accounts(ctx) {
        for g in ctx.inv.k8s.grants_of(idx).filter(|g| g.cluster_wide) {
            let verbs: Vec<String> = ["get", "list", "watch"]
                .iter()
                .filter(|v| g.rules.iter().any(|r| r.allows(v, "secrets")))
                .map(|v| v.to_string())
                .collect();
            if !verbs.is_empty() {
                out.push(
                    grant_finding(
                        "K8S-002",
                        Severity::High,
                        idx,
                        g,
                        format!(
                            "{} may {} Secrets in all namespaces through {}",
                            i.name,
                            verbs.join("/"),
                            g.role
                        ),
                    )
                    .with("verbs", verbs),
                );
            }
        }
    }
    out
}

/// K8S-003 `sa-pod-create-or-exec`.
///
/// Detects a service account that may create pods, or exec/attach into them, in
/// every namespace. Creating a pod lets it mount any service account of the
/// namespace; exec lets it read any running pod's token (NHI5).
pub fn sa_pod_create_or_exec(ctx: &Ctx) -> Vec<Finding> {
    let mut out = Vec::new();
    for (idx, i) in service_accounts(ctx) {
        for g in ctx.inv.k8s.grants_of(idx).filter(|g| g.cluster_wide) {
            let rights: Vec<String> = [
                ("create", "pods"),
                ("create", "pods/exec"),
                ("create", "pods/attach"),
            ]
            .iter()
            .filter(|(v, r)| g.rules.iter().any(|rule| rule.allows(v, r)))
            .map(|(v, r)| format!("{v} {r}"))
            .collect();
            if !rights.is_empty() {
                out.push(
                    grant_finding(
                        "K8S-003",
                        Severity::High,
                        idx,
                        g,
                        format!(
                            "{} may {} in all namespaces through {}",
                            i.name,
                            rights.join(", "),
                            g.role
                        ),
                    )
                    .with("rights", rights),
                );
            }
        }
    }
    out
}

/// K8S-004 `sa-escalate-bind-impersonate`.
///
/// Detects a service account holding `escalate` or `bind` on roles or clusterroles,
/// or `impersonate` on users, groups or service accounts, in any scope. These verbs
/// exist to get around RBAC: each is a direct path to more privilege (NHI5).
pub fn sa_escalate_bind_impersonate(ctx: &Ctx) -> Vec<Finding> {
    const RIGHTS: &[(&str, &str)] = &[
        ("escalate", "roles"),
        ("escalate", "clusterroles"),
        ("bind", "roles"),
        ("bind", "clusterroles"),
        ("impersonate", "users"),
        ("impersonate", "groups"),
        ("impersonate", "serviceaccounts"),
    ];
    let mut out = Vec::new();
    for (idx, i) in service_accounts(ctx) {
        for g in ctx.inv.k8s.grants_of(idx) {
            let rights: Vec<String> = RIGHTS
                .iter()
                .filter(|(v, r)| g.rules.iter().any(|rule| rule.allows(v, r)))
                .map(|(v, r)| format!("{v} {r}"))
                .collect();
            if !rights.is_empty() {
                out.push(
                    grant_finding(
                        "K8S-004",
                        Severity::Critical,
                        idx,
                        g,
                        format!(
                            "{} may {} {} through {}",
                            i.name,
                            rights.join(", "),
                            scope(g),
                            g.role
                        ),
                    )
                    .with("rights", rights),
                );
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testkit::*;

    #[test]
    fn cluster_admin_and_wildcards_fire_with_scope_dependent_severity() {
        let mut k = Kit::new();
        let admin = k.k8s_sa("ci/admin");
        k.k8s_grant(admin, "cluster-admin", &[], true);
        let ns = k.k8s_sa("ns/operator");
        k.k8s_grant(ns, "full", &[(&["*"], &["*"])], false);
        let reader = k.k8s_sa("ns/reader");
        k.k8s_grant(reader, "view", &[(&["get"], &["pods"])], true);
        let system = k.k8s_sa("kube-system/controller");
        k.k8s_grant(system, "cluster-admin", &[], true);
        let inv = k.finish();
        assert_eq!(
            fired_on(sa_cluster_admin_or_wildcard, &inv),
            ["ci/admin", "ns/operator"]
        );
        let sev: Vec<_> = run(sa_cluster_admin_or_wildcard, &inv)
            .iter()
            .map(|f| f.severity)
            .collect();
        assert_eq!(sev, [Severity::Critical, Severity::High]);
    }

    #[test]
    fn cluster_wide_secret_read_fires_namespaced_does_not() {
        let mut k = Kit::new();
        let a = k.k8s_sa("mon/sync");
        k.k8s_grant(
            a,
            "secret-reader",
            &[(&["get", "list"], &["secrets"])],
            true,
        );
        let b = k.k8s_sa("mon/grafana");
        k.k8s_grant(b, "secret-reader", &[(&["get"], &["secrets"])], false);
        let inv = k.finish();
        assert_eq!(fired_on(sa_cluster_wide_secret_read, &inv), ["mon/sync"]);
    }

    #[test]
    fn cluster_wide_pod_create_or_exec_fires() {
        let mut k = Kit::new();
        let a = k.k8s_sa("ci/runner");
        k.k8s_grant(a, "pod-launcher", &[(&["create"], &["pods/exec"])], true);
        let b = k.k8s_sa("ci/job");
        k.k8s_grant(b, "pod-launcher", &[(&["create"], &["pods"])], false);
        let inv = k.finish();
        assert_eq!(fired_on(sa_pod_create_or_exec, &inv), ["ci/runner"]);
    }

    #[test]
    fn escalate_bind_and_impersonate_fire_in_any_scope() {
        let mut k = Kit::new();
        let a = k.k8s_sa("ci/rbac");
        k.k8s_grant(
            a,
            "rbac",
            &[(&["bind", "escalate"], &["clusterroles"])],
            true,
        );
        let b = k.k8s_sa("default/support");
        k.k8s_grant(b, "imp", &[(&["impersonate"], &["serviceaccounts"])], false);
        let c = k.k8s_sa("default/viewer");
        k.k8s_grant(c, "view", &[(&["get", "list"], &["roles"])], true);
        let inv = k.finish();
        assert_eq!(
            fired_on(sa_escalate_bind_impersonate, &inv),
            ["ci/rbac", "default/support"]
        );
    }
}
