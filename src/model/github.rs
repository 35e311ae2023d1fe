//! GitHub-specific parts of the inventory: what the GitHub checks need beyond
//! the neutral identities, credentials and grants.

use std::collections::BTreeMap;

use jiff::Timestamp;

use super::Tier;

/// A GitHub App installation.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Installation {
    pub app_slug: Option<String>,
    pub app_id: Option<String>,
    /// The organisation or user the app is installed on.
    pub account: Option<String>,
    /// `Organization` or `User`.
    pub target_type: Option<String>,
    /// `all` or `selected`.
    pub repository_selection: Option<String>,
    /// (permission, level) pairs, sorted by permission.
    pub permissions: Vec<(String, String)>,
    pub suspended: bool,
}

/// A repository deploy key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeployKey {
    /// `owner/repo`.
    pub repository: String,
    /// `None` when the export does not say.
    pub read_only: Option<bool>,
    /// True when the export carries `last_used` (even `null`): use can be judged.
    pub last_used_known: bool,
}

/// Whether a fine-grained token's access is granted or only requested.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PatStatus {
    /// In `/orgs/{org}/personal-access-tokens`: the organisation approved it.
    Approved,
    /// In `/orgs/{org}/personal-access-token-requests`: waiting for approval.
    Pending,
}

impl PatStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            PatStatus::Approved => "approved",
            PatStatus::Pending => "pending_request",
        }
    }
}

/// A fine-grained personal access token's grant or request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pat {
    pub status: PatStatus,
    pub organization: Option<String>,
    pub owner: Option<String>,
    pub token_id: Option<String>,
    pub token_name: Option<String>,
    /// `token_expired` as exported.
    pub token_expired: Option<bool>,
    /// True when the export carries `token_expires_at`; `null` there means no expiry.
    pub expiry_known: bool,
    pub expires: Option<Timestamp>,
    /// `none`, `all` or `subset`.
    pub repository_selection: Option<String>,
    pub reason: Option<String>,
}

/// The GitHub part of the inventory, keyed by identity index.
#[derive(Debug, Default)]
pub struct GithubData {
    pub installations: BTreeMap<usize, Installation>,
    pub deploy_keys: BTreeMap<usize, DeployKey>,
    pub pats: BTreeMap<usize, Pat>,
}

/// Organisation-level permissions: they apply whatever repositories are selected.
pub fn is_organization_permission(permission: &str) -> bool {
    permission.starts_with("organization_") || permission == "members"
}

/// A write or admin level (`read` is not).
pub fn is_write(level: &str) -> bool {
    matches!(level, "write" | "admin")
}

/// The privilege tier of one GitHub App or fine-grained token permission.
///
/// - Tier 0, control of the organisation: `organization_administration` and
///   `members` (which can make a member an owner) at write or admin.
/// - Tier 1, control of code, pipelines or their secrets: `administration`,
///   `secrets`, `organization_secrets`, `workflows`, `contents`, `actions`,
///   `environments`, `organization_self_hosted_runners`, `repository_hooks` and
///   `organization_hooks` at write or admin.
/// - Tier 2: any other write permission. Read permissions are unclassified.
pub fn permission_tier(permission: &str, level: &str) -> Tier {
    if !is_write(level) {
        return Tier::Unclassified;
    }
    match permission {
        "organization_administration" | "members" => Tier::Tier0,
        "administration"
        | "secrets"
        | "organization_secrets"
        | "workflows"
        | "contents"
        | "actions"
        | "environments"
        | "organization_self_hosted_runners"
        | "repository_hooks"
        | "organization_hooks" => Tier::Tier1,
        _ => Tier::Tier2,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn permissions_are_tiered_by_name_and_level() {
        assert_eq!(
            permission_tier("organization_administration", "write"),
            Tier::Tier0
        );
        assert_eq!(permission_tier("members", "write"), Tier::Tier0);
        assert_eq!(permission_tier("workflows", "write"), Tier::Tier1);
        assert_eq!(permission_tier("administration", "admin"), Tier::Tier1);
        assert_eq!(permission_tier("issues", "write"), Tier::Tier2);
        assert_eq!(
            permission_tier("organization_administration", "read"),
            Tier::Unclassified
        );
        assert!(is_organization_permission("members"));
        assert!(!is_organization_permission("administration"));
    }
}
