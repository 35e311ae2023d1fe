//! Owned records read from AWS IAM exports, before they are joined.

use std::sync::Arc;

use jiff::Timestamp;

use crate::model::Provenance;
use crate::policy::aws::Document;

/// A policy document as exported, parsed or with the reason it could not be.
#[derive(Debug, Clone)]
pub struct RawPolicy {
    pub name: String,
    /// Shared: a group's inline policy is evaluated for every member.
    pub document: Result<Arc<Document>, String>,
}

#[derive(Debug, Clone)]
pub struct AttachedPolicy {
    pub name: String,
    pub arn: String,
}

#[derive(Debug, Clone, Default)]
pub struct RawPrincipal {
    pub name: String,
    pub arn: String,
    pub path: String,
    pub created: Option<Timestamp>,
    pub inline: Vec<RawPolicy>,
    pub attached: Vec<AttachedPolicy>,
    /// Users only: group names.
    pub groups: Vec<String>,
    pub boundary_arn: Option<String>,
    /// Roles only.
    pub trust: Option<Result<Document, String>>,
    /// Roles only: see `model::aws::AwsPrincipal::role_last_used`.
    pub role_last_used: Option<Option<Timestamp>>,
    /// Users only (list-users): last console password use.
    pub password_last_used: Option<Timestamp>,
    /// Values of ownership tags (`owner`, `team`, `contact`, …); `None` when the
    /// export has no `Tags` at all.
    pub owner_tags: Option<Vec<String>>,
    pub source: Provenance,
}

#[derive(Debug, Clone, Default)]
pub struct RawGroup {
    pub name: String,
    pub inline: Vec<RawPolicy>,
    pub attached: Vec<AttachedPolicy>,
}

#[derive(Debug, Clone)]
pub struct RawManagedPolicy {
    pub arn: String,
    pub name: String,
    /// The default version's document.
    pub document: Result<Document, String>,
}

/// One access key or signing certificate slot of a credential report row.
#[derive(Debug, Clone, Default)]
pub struct ReportKey {
    pub slot: u8,
    pub active: bool,
    pub created: Option<Timestamp>,
    pub last_used: Option<Timestamp>,
}

/// One row of the IAM credential report.
#[derive(Debug, Clone, Default)]
pub struct ReportRow {
    pub user: String,
    pub arn: String,
    pub created: Option<Timestamp>,
    pub password_enabled: Option<bool>,
    pub password_last_used: Option<Timestamp>,
    pub mfa_active: Option<bool>,
    pub keys: Vec<ReportKey>,
    pub certs: Vec<ReportKey>,
    pub source: Provenance,
}

/// A credential from `list-access-keys`, `list-ssh-public-keys`,
/// `list-signing-certificates` or `list-service-specific-credentials`.
#[derive(Debug, Clone)]
pub struct RawUserCredential {
    pub user: String,
    pub kind: crate::model::CredentialKind,
    pub id: String,
    pub active: bool,
    pub created: Option<Timestamp>,
    /// For service-specific credentials: the service.
    pub service: Option<String>,
    pub source: Provenance,
}

/// Everything one file contributed.
#[derive(Debug, Default)]
pub struct FileRecords {
    pub format: String,
    pub users: Vec<RawPrincipal>,
    pub roles: Vec<RawPrincipal>,
    pub groups: Vec<RawGroup>,
    pub policies: Vec<RawManagedPolicy>,
    pub report: Vec<ReportRow>,
    pub user_credentials: Vec<RawUserCredential>,
    /// `get-access-key-last-used`: (user, last use).
    pub key_last_used: Vec<(String, Option<Timestamp>)>,
    pub oidc_providers: Vec<String>,
    /// Unmerged pagination (`IsTruncated: true`).
    pub truncated: bool,
}

impl FileRecords {
    pub fn len(&self) -> usize {
        self.users.len()
            + self.roles.len()
            + self.groups.len()
            + self.policies.len()
            + self.report.len()
            + self.user_credentials.len()
            + self.key_last_used.len()
            + self.oidc_providers.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
