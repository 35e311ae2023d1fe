//! AWS-specific parts of the inventory: what the checks need beyond the neutral
//! model, namely each principal's evaluable policies and its role trust.

use jiff::Timestamp;
use rustc_hash::FxHashMap;

use crate::policy::aws::{Document, Effect, Effective, Principal};

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
    /// `effective.full_admin()`, computed once.
    pub full_admin: Option<crate::policy::aws::Allowed>,
    /// The sensitive services (`SENSITIVE_SERVICES`) allowed in full on all
    /// resources, in that list's order, computed once.
    pub sensitive_services: Vec<(&'static str, crate::policy::aws::Allowed)>,
}

impl AwsPrincipal {
    /// Computes the cached evaluations; call after `effective` is complete.
    pub fn evaluate(self) -> AwsPrincipal {
        let bits = self
            .effective
            .documents
            .iter()
            .fold(0, |b, d| b | d.allow_bits());
        self.evaluate_with(bits)
    }

    /// [`Self::evaluate`], given the OR of its documents' `Document::allow_bits`
    /// (already known to the importer): evaluations the bits rule out are skipped.
    pub fn evaluate_with(mut self, allow_bits: u8) -> AwsPrincipal {
        use crate::policy::aws::{ALLOWS_EVERYTHING, SENSITIVE_SERVICES};
        self.full_admin = if allow_bits & ALLOWS_EVERYTHING != 0 {
            self.effective.full_admin()
        } else {
            None
        };
        self.sensitive_services = SENSITIVE_SERVICES
            .iter()
            .enumerate()
            .filter(|(i, _)| allow_bits & (1 << i) != 0)
            .filter_map(|(_, &s)| self.effective.allows_service(s).map(|a| (s, a)))
            .collect();
        self
    }
}

/// The AWS part of the inventory.
#[derive(Debug, Clone, Default)]
pub struct AwsData {
    pub principals: Vec<AwsPrincipal>,
    /// The accounts the exports describe.
    pub accounts: Vec<String>,
    by_identity: FxHashMap<usize, usize>,
    /// Trust-policy principal (an ARN, `arn:aws:iam::ACCOUNT:root` or an account id)
    /// → indexes of the principals whose trust lets it call `sts:AssumeRole`.
    trusted_by: FxHashMap<String, Vec<usize>>,
}

impl AwsData {
    pub fn new(principals: Vec<AwsPrincipal>, accounts: Vec<String>) -> AwsData {
        let by_identity = principals
            .iter()
            .enumerate()
            .map(|(i, p)| (p.identity, i))
            .collect();
        let mut trusted_by: FxHashMap<String, Vec<usize>> = FxHashMap::default();
        for (i, p) in principals.iter().enumerate() {
            for s in p.trust.iter().flat_map(|d| d.statements.iter()) {
                if s.effect != Effect::Allow
                    || s.not_principal
                    || !s.covers_action("sts:AssumeRole")
                {
                    continue;
                }
                for pr in &s.principals {
                    if let Principal::Aws(v) = pr {
                        let roles = trusted_by.entry(v.clone()).or_default();
                        if !roles.contains(&i) {
                            roles.push(i);
                        }
                    }
                }
            }
        }
        AwsData {
            principals,
            accounts,
            by_identity,
            trusted_by,
        }
    }

    /// Roles whose trust policy names exactly this ARN.
    pub fn trusting_arn<'a>(&'a self, arn: &str) -> impl Iterator<Item = &'a AwsPrincipal> {
        self.trusted_by
            .get(arn)
            .into_iter()
            .flatten()
            .map(move |&i| &self.principals[i])
    }

    /// Roles whose trust policy lets `p` assume them: by its ARN, its account's
    /// root, or its account id.
    pub fn assumable_by<'a>(&'a self, p: &AwsPrincipal) -> impl Iterator<Item = &'a AwsPrincipal> {
        let keys = [
            p.arn.clone(),
            format!("arn:aws:iam::{}:root", p.account),
            p.account.clone(),
        ];
        let mut found: Vec<usize> = keys
            .iter()
            .filter_map(|k| self.trusted_by.get(k))
            .flatten()
            .copied()
            .collect();
        found.sort_unstable();
        found.dedup();
        found.into_iter().map(move |i| &self.principals[i])
    }

    pub fn principal(&self, identity: usize) -> Option<&AwsPrincipal> {
        self.by_identity
            .get(&identity)
            .map(|&i| &self.principals[i])
    }
}
