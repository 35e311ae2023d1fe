//! The [`Inventory`] container and the per-identity indexes checks use.

use std::ops::Range;

use super::{
    Credential, Grant, Identity, SecretExposure, Skipped, SourceFile, TenantSource, Tier, User,
};

/// Everything the importers found, joined and indexed. Immutable once built.
#[derive(Debug, Default)]
pub struct Inventory {
    pub identities: Vec<Identity>,
    /// Sorted by identity; see [`Inventory::credentials_of`].
    pub credentials: Vec<Credential>,
    /// Sorted by identity; see [`Inventory::grants_of`].
    pub grants: Vec<Grant>,
    pub users: Vec<User>,
    /// True when a users export was given, so that an absent user means a deleted one.
    pub users_known: bool,
    /// True when a sign-in activity export was given.
    pub activity_known: bool,
    pub exposures: Vec<SecretExposure>,
    pub files: Vec<SourceFile>,
    pub skipped: Vec<Skipped>,
    /// Joins that could not be made and other things the report must mention.
    pub notes: Vec<String>,
    /// What the input lacks for a complete scan (sorted); see [`super::Gap`].
    pub gaps: Vec<super::Gap>,
    pub home_tenant: Option<String>,
    pub tenant_source: Option<TenantSource>,
    /// AWS principals' policies and trust, for the AWS checks.
    pub aws: super::aws::AwsData,
    /// GCP IAM bindings and workload identity providers, for the GCP checks.
    pub gcp: super::gcp::GcpData,
    /// Kubernetes RBAC, workloads, token Secrets and cloud links, for the K8s checks.
    pub k8s: super::k8s::K8sData,
    /// Okta apps' OAuth settings, API tokens' owners and networks, client secrets.
    pub okta: super::okta::OktaData,
    /// GitHub App installations, deploy keys and fine-grained tokens, for the GitHub checks.
    pub github: super::github::GithubData,
    credential_ranges: Vec<Range<usize>>,
    grant_ranges: Vec<Range<usize>>,
    user_index: rustc_hash::FxHashMap<String, usize>,
}

impl Inventory {
    pub fn credentials_of(&self, identity: usize) -> &[Credential] {
        &self.credentials[self.credential_ranges[identity].clone()]
    }

    pub fn grants_of(&self, identity: usize) -> &[Grant] {
        &self.grants[self.grant_ranges[identity].clone()]
    }

    pub fn user(&self, id: &str) -> Option<&User> {
        self.user_index.get(id).map(|&i| &self.users[i])
    }

    /// The highest tier among the identity's grants (`Unclassified` when none).
    pub fn highest_tier(&self, identity: usize) -> Tier {
        self.grants_of(identity)
            .iter()
            .map(|g| g.tier)
            .min()
            .unwrap_or(Tier::Unclassified)
    }

    /// The path of a provenance's file, for reports.
    pub fn path_of(&self, file: u32) -> &str {
        self.files
            .get(file as usize)
            .map(|f| f.path.as_str())
            .unwrap_or("")
    }
}

/// Collects objects in any order, then sorts and indexes them in [`InventoryBuilder::finish`].
#[derive(Debug, Default)]
pub struct InventoryBuilder {
    pub inventory: Inventory,
}

impl InventoryBuilder {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn add_identity(&mut self, identity: super::Identity) -> usize {
        self.inventory.identities.push(identity);
        self.inventory.identities.len() - 1
    }

    pub fn finish(mut self) -> Inventory {
        let inv = &mut self.inventory;
        let n = inv.identities.len();
        // Stable sorts keep the importers' deterministic order within an identity.
        crate::reorder::stable_sort_by_key(&mut inv.credentials, |c| c.identity);
        crate::reorder::stable_sort_by_key(&mut inv.grants, |g| g.identity);
        // Joins push grants one by one: a doubled vector can be half empty, which at
        // 300,000 grants is tens of megabytes held through the checks.
        inv.identities.shrink_to_fit();
        inv.credentials.shrink_to_fit();
        inv.grants.shrink_to_fit();
        inv.credential_ranges = ranges(n, inv.credentials.iter().map(|c| c.identity));
        inv.grant_ranges = ranges(n, inv.grants.iter().map(|g| g.identity));
        inv.user_index = inv
            .users
            .iter()
            .enumerate()
            .map(|(i, u)| (u.id.clone(), i))
            .collect();
        self.inventory
    }
}

/// Per-identity ranges over a list sorted by identity index.
fn ranges(n: usize, owners: impl Iterator<Item = usize>) -> Vec<Range<usize>> {
    let mut out = vec![0..0; n];
    let mut start = 0;
    let mut current: Option<usize> = None;
    let mut len = 0;
    for (i, owner) in owners.enumerate() {
        if current != Some(owner) {
            if let Some(c) = current {
                out[c] = start..i;
            }
            current = Some(owner);
            start = i;
        }
        len = i + 1;
    }
    if let Some(c) = current {
        out[c] = start..len;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::ranges;

    #[test]
    fn ranges_cover_each_owner_and_leave_gaps_empty() {
        let r = ranges(4, [0, 0, 2, 2, 2].into_iter());
        assert_eq!(r, vec![0..2, 0..0, 2..5, 0..0]);
    }
}
