//! AWS-specific parts of the inventory: what the checks need beyond the neutral
//! model, namely each principal's evaluable policies and its role trust.

use jiff::Timestamp;
use rustc_hash::FxHashMap;

use crate::policy::aws::{Document, Effective};

/// One IAM user or role, with its policies ready for the policy engine.
#[derive(Debug, Clone, Default)]
pub struct AwsPrincipal {
    /// Index into [`super::Inventory::identities`].
    pub identity: usize,
    pub account: String,
    pub arn: String,
    pub path: String,
    /// Inline and attached policies, own and through groups, and the boundary.
    pub effective: Effective,
    /// Names of the policies attached to the user itself (not through groups).
    pub direct_policies: Vec<String>,
    /// A role's trust policy.
    pub trust: Option<Document>,
    /// `None`: the export does not say (list-roles); `Some(None)`: never used
    /// within the tracking window (`RoleLastUsed: {}`); `Some(Some(t))`: last use.
    pub role_last_used: Option<Option<Timestamp>>,
    /// Service-linked roles (`/aws-service-role/`) belong to AWS.
    pub service_linked: bool,
    /// Bits of the privilege-escalation actions allowed (see `policy::aws_privesc`).
    pub privesc_allowed: u128,
}

/// The AWS part of the inventory.
#[derive(Debug, Clone, Default)]
pub struct AwsData {
    pub principals: Vec<AwsPrincipal>,
    /// The accounts the exports describe.
    pub accounts: Vec<String>,
    by_identity: FxHashMap<usize, usize>,
}

impl AwsData {
    pub fn new(principals: Vec<AwsPrincipal>, accounts: Vec<String>) -> AwsData {
        let by_identity = principals
            .iter()
            .enumerate()
            .map(|(i, p)| (p.identity, i))
            .collect();
        AwsData {
            principals,
            accounts,
            by_identity,
        }
    }

    pub fn principal(&self, identity: usize) -> Option<&AwsPrincipal> {
        self.by_identity
            .get(&identity)
            .map(|&i| &self.principals[i])
    }
}
