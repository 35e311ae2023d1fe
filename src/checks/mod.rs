//! Checks: pure functions from the [`Inventory`] to [`Finding`]s.
//!
//! Each check is a Rust function with a doc comment saying what it detects and why
//! it matters; its metadata (title, severity, description, remediation, OWASP and
//! NIST ids) is a TOML file under `checks/<provider>/<ID>.toml`, embedded at build
//! time and validated by [`meta`]. [`registry::ALL`] lists every check; a check not
//! on it does not exist. Checks never read the clock: `Ctx::now` is the clock.

use jiff::Timestamp;
use serde::Serialize;

use crate::model::{Inventory, Provenance};

pub mod aws;
pub mod entra;
mod evidence;
pub mod gcp;
pub mod github;
pub mod k8s;
pub mod meta;
pub mod okta;
mod packed;
pub mod registry;
mod settled;

pub use evidence::{Evidence, EvidenceMap, Fingerprint};
pub use settled::{FrozenEvidence, Settled};

#[cfg(test)]
pub mod testkit;

/// How bad a finding is. Ordered from least to most severe.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }

    pub const ALL: [Severity; 5] = [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
        Severity::Info,
    ];
}

/// Policy thresholds, in days unless named otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Thresholds {
    /// Longest acceptable lifetime of a client secret (CIS M365 5.1.5.4: 180).
    pub secret_max_lifetime_days: i64,
    /// Age after which a secret or key should have been rotated (CIS AWS 1.14: 90).
    pub rotation_days: i64,
    /// No use for this long makes an identity or credential unused.
    pub unused_days: i64,
    /// Credentials expiring within this window are reported.
    pub expiry_warning_days: i64,
    /// More valid client secrets than this on one identity is reported.
    pub max_active_secrets: usize,
    /// An access key unused this long is reported (CIS AWS 1.12: 45).
    pub access_key_unused_days: i64,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            secret_max_lifetime_days: 180,
            rotation_days: 90,
            unused_days: 90,
            expiry_warning_days: 30,
            max_active_secrets: 2,
            access_key_unused_days: 45,
        }
    }
}

/// What every check gets: the inventory, the clock, the thresholds, and the share
/// of identities to look at (the engine splits large inventories into shards).
pub struct Ctx<'a> {
    pub inv: &'a Inventory,
    pub now: Timestamp,
    pub thresholds: Thresholds,
    /// Indexes of the identities this run covers.
    pub shard: std::ops::Range<usize>,
    /// AWS accounts the organisation knows and trusts (cross-account trust to them is expected).
    pub trusted_aws_accounts: &'a [String],
    /// GitHub organisations (lower case) whose workflows may assume roles; empty: not configured.
    pub trusted_github_orgs: &'a [String],
    /// Third-party app ids (lower case) whose vendor the organisation has vetted.
    pub known_vendor_app_ids: &'a [String],
}

impl<'a> Ctx<'a> {
    /// A context covering every identity.
    pub fn whole(inv: &'a Inventory, now: Timestamp, thresholds: Thresholds) -> Ctx<'a> {
        Ctx {
            inv,
            now,
            thresholds,
            shard: 0..inv.identities.len(),
            trusted_aws_accounts: &[],
            trusted_github_orgs: &[],
            known_vendor_app_ids: &[],
        }
    }

    /// The identities of this shard, with their indexes.
    pub fn identities(
        &self,
    ) -> impl Iterator<Item = (usize, &'a crate::model::Identity)> + use<'a> {
        let inv = self.inv;
        self.shard.clone().map(move |i| (i, &inv.identities[i]))
    }

    /// True for the one shard that also runs checks over non-identity records.
    pub fn is_first_shard(&self) -> bool {
        self.shard.start == 0
    }
}

/// One problem found on one identity.
#[derive(Debug, Clone)]
pub struct Finding {
    pub check_id: &'static str,
    pub severity: Severity,
    /// Index into [`Inventory::identities`]; `None` when the export does not say
    /// whose object the finding is about (a bare credential, for example).
    pub identity: Option<usize>,
    pub message: String,
    /// What within the identity the finding is about (a credential id, a permission),
    /// so that two findings of one check on one identity have different fingerprints.
    /// The engine consumes it for the fingerprint: empty in the engine's output.
    pub subject: String,
    pub evidence: EvidenceMap,
    pub source: Provenance,
    /// What an unattached finding is about (a project, a pool provider), shown in
    /// place of an identity.
    pub target: Option<String>,
    /// Filled in by the engine.
    pub fingerprint: Fingerprint,
}

impl Finding {
    pub fn new(
        check_id: &'static str,
        severity: Severity,
        identity: usize,
        subject: impl Into<String>,
        message: impl Into<String>,
        source: Provenance,
    ) -> Finding {
        Finding {
            check_id,
            severity,
            identity: Some(identity),
            message: message.into(),
            subject: subject.into(),
            evidence: EvidenceMap::default(),
            source,
            target: None,
            fingerprint: Fingerprint::default(),
        }
    }

    /// A finding not attached to any identity in the inventory.
    pub fn unattached(
        check_id: &'static str,
        severity: Severity,
        subject: impl Into<String>,
        message: impl Into<String>,
        source: Provenance,
    ) -> Finding {
        let mut f = Finding::new(check_id, severity, 0, subject, message, source);
        f.identity = None;
        f
    }

    /// A finding about a resource rather than an identity (`target` names it).
    pub fn about(
        check_id: &'static str,
        severity: Severity,
        target: impl Into<String>,
        subject: impl Into<String>,
        message: impl Into<String>,
        source: Provenance,
    ) -> Finding {
        let mut f = Finding::unattached(check_id, severity, subject, message, source);
        f.target = Some(target.into());
        f
    }

    /// Adds one evidence field. `None` values are left out.
    pub fn with(mut self, key: &'static str, value: impl Into<Evidence>) -> Finding {
        if let Some(v) = value.into().0 {
            self.evidence.insert(key, v);
        }
        self
    }
}
