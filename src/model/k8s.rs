//! Kubernetes-specific parts of the inventory: each service account's resolved
//! RBAC grants, workloads that run as it, service-account token Secrets, and the
//! cloud identities its annotations name.

use crate::model::{Provenance, Provider};

/// One RBAC rule.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Rule {
    pub api_groups: Vec<String>,
    pub resources: Vec<String>,
    pub verbs: Vec<String>,
}

impl Rule {
    fn has(list: &[String], value: &str) -> bool {
        list.iter().any(|v| v == "*" || v == value)
    }

    /// Does the rule allow `verb` on `resource` (any API group)?
    pub fn allows(&self, verb: &str, resource: &str) -> bool {
        Self::has(&self.verbs, verb) && Self::has(&self.resources, resource)
    }

    /// `*` verbs on `*` resources.
    pub fn is_wildcard(&self) -> bool {
        self.verbs.iter().any(|v| v == "*") && self.resources.iter().any(|r| r == "*")
    }
}

/// A role a service account holds, through one binding.
#[derive(Debug, Clone)]
pub struct SaGrant {
    /// Index into [`super::Inventory::identities`].
    pub identity: usize,
    pub binding: String,
    pub binding_kind: &'static str,
    pub role: String,
    pub role_kind: String,
    /// True for a ClusterRoleBinding (all namespaces).
    pub cluster_wide: bool,
    /// The namespace of a RoleBinding.
    pub namespace: Option<String>,
    /// Through a group (`system:serviceaccounts[:ns]`) rather than by name.
    pub via_group: Option<String>,
    pub rules: Vec<Rule>,
    pub source: Provenance,
}

/// A workload that runs as a service account.
#[derive(Debug, Clone)]
pub struct Workload {
    pub identity: usize,
    pub kind: String,
    pub namespace: String,
    pub name: String,
    /// The `app` / `app.kubernetes.io/name` label, for telling pods apart.
    pub app: Option<String>,
    pub source: Provenance,
}

/// A Secret, without its values.
#[derive(Debug, Clone)]
pub struct SecretInfo {
    pub namespace: String,
    pub name: String,
    pub secret_type: String,
    /// The service account a token Secret belongs to.
    pub service_account: Option<usize>,
    pub last_used: Option<String>,
    /// The export holds values of this Secret (`data`, `stringData`, or a
    /// last-applied-configuration annotation carrying them). Never the values.
    pub values_exported: Vec<&'static str>,
    pub source: Provenance,
}

/// A cloud identity a service account's annotation names.
#[derive(Debug, Clone)]
pub struct Link {
    pub identity: usize,
    pub annotation: &'static str,
    pub provider: Provider,
    pub target: String,
    /// The linked identity, when it is in the scan too.
    pub resolved: Option<usize>,
}

#[derive(Debug, Clone, Default)]
pub struct K8sData {
    pub grants: Vec<SaGrant>,
    pub workloads: Vec<Workload>,
    pub secrets: Vec<SecretInfo>,
    pub links: Vec<Link>,
    /// Identity index → `automountServiceAccountToken` as set on the SA (`None` = unset = true).
    pub automount: std::collections::BTreeMap<usize, Option<bool>>,
    /// Identity → indexes into `grants` and into `workloads`, built on first use.
    grant_index: std::sync::OnceLock<Index>,
    workload_index: std::sync::OnceLock<Index>,
}

/// Identity → positions in a list, and how long the list was when indexed (a later
/// push makes the index stale, and lookups fall back to a scan).
type Index = (usize, rustc_hash::FxHashMap<usize, Vec<usize>>);

fn index_by(identities: impl Iterator<Item = usize>) -> Index {
    let mut map: rustc_hash::FxHashMap<usize, Vec<usize>> = Default::default();
    let mut n = 0;
    for (i, identity) in identities.enumerate() {
        map.entry(identity).or_default().push(i);
        n = i + 1;
    }
    (n, map)
}

impl K8sData {
    pub fn grants_of(&self, identity: usize) -> impl Iterator<Item = &SaGrant> {
        let (n, map) = self
            .grant_index
            .get_or_init(|| index_by(self.grants.iter().map(|g| g.identity)));
        let found: Vec<&SaGrant> = if *n == self.grants.len() {
            map.get(&identity)
                .map(|ids| ids.iter().map(|&i| &self.grants[i]).collect())
                .unwrap_or_default()
        } else {
            self.grants
                .iter()
                .filter(|g| g.identity == identity)
                .collect()
        };
        found.into_iter()
    }

    pub fn workloads_of(&self, identity: usize) -> impl Iterator<Item = &Workload> {
        let (n, map) = self
            .workload_index
            .get_or_init(|| index_by(self.workloads.iter().map(|w| w.identity)));
        let found: Vec<&Workload> = if *n == self.workloads.len() {
            map.get(&identity)
                .map(|ids| ids.iter().map(|&i| &self.workloads[i]).collect())
                .unwrap_or_default()
        } else {
            self.workloads
                .iter()
                .filter(|w| w.identity == identity)
                .collect()
        };
        found.into_iter()
    }
}
