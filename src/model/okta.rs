//! Okta-specific parts of the inventory: each OAuth client app's settings, each
//! API token's owner and network restriction, and client secrets whose app the
//! export does not name. The neutral model holds the apps and tokens as
//! identities, client secrets and JWKs as credentials, and management scopes and
//! admin roles as grants.

use std::collections::BTreeMap;

use jiff::Timestamp;

use super::{Provenance, Tier};

/// An OAuth 2.0 client app's settings (`credentials.oauthClient`, `settings.oauthClient`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OktaApp {
    /// `browser`, `native`, `service` or `web`; `None` for an app known only by id.
    pub application_type: Option<String>,
    pub grant_types: Vec<String>,
    pub token_endpoint_auth_method: Option<String>,
    pub sign_on_mode: Option<String>,
    /// `ACTIVE`, `INACTIVE`, ...
    pub status: Option<String>,
    /// True when apps.json held the app; false for an app named only by its
    /// secrets, grants or roles.
    pub exported: bool,
}

impl OktaApp {
    /// A machine-to-machine app: `application_type: service`, or a client allowed
    /// the client credentials grant.
    pub fn is_service(&self) -> bool {
        self.application_type.as_deref() == Some("service")
            || self.grant_types.iter().any(|g| g == "client_credentials")
    }
}

/// An API token's network condition (`network`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Network {
    /// `ANYWHERE` or `ZONE`.
    pub connection: String,
    pub include: Vec<String>,
    pub exclude: Vec<String>,
}

/// An API token's owner, as far as the exports tell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenOwner {
    pub user_id: String,
    /// `profile.login`, when users.json holds the user.
    pub login: Option<String>,
    /// The user's `status`; `None` when users.json does not hold the user.
    pub status: Option<String>,
}

/// An SSWS API token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OktaToken {
    /// Index into [`super::Inventory::identities`].
    pub identity: usize,
    pub owner: Option<TokenOwner>,
    /// `None` when the token has no `network` (no restriction).
    pub network: Option<Network>,
    /// ISO 8601 idle window (`P30D`).
    pub token_window: Option<String>,
    pub client_name: Option<String>,
    pub expires: Option<Timestamp>,
}

/// A client secret whose app the export does not name (no `_links` href).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrphanSecret {
    pub id: String,
    pub active: Option<bool>,
    pub created: Option<Timestamp>,
    pub source: Provenance,
}

/// The Okta part of the inventory.
#[derive(Debug, Default)]
pub struct OktaData {
    /// OAuth settings per app identity.
    pub apps: BTreeMap<usize, OktaApp>,
    pub tokens: Vec<OktaToken>,
    /// True when a users export (users.json) was given: token owners can be judged.
    pub users_known: bool,
    /// Client secrets that name no app.
    pub orphan_secrets: Vec<OrphanSecret>,
}

impl OktaData {
    pub fn app(&self, identity: usize) -> Option<&OktaApp> {
        self.apps.get(&identity)
    }

    pub fn token(&self, identity: usize) -> Option<&OktaToken> {
        self.tokens.iter().find(|t| t.identity == identity)
    }
}

/// User statuses in which the account still works: its API tokens act for an
/// active person. Every other status (`DEPROVISIONED`, `SUSPENDED`, `STAGED`,
/// `PROVISIONED`, ...) means the person cannot sign in.
pub fn user_is_active(status: &str) -> bool {
    matches!(
        status.to_ascii_uppercase().as_str(),
        "ACTIVE" | "PASSWORD_EXPIRED" | "LOCKED_OUT" | "RECOVERY"
    )
}

/// The tier of an Okta management scope.
///
/// `okta.*.manage` scopes write the org's users, groups, apps, policies or
/// roles: Tier 0. Other `*.manage` scopes are Tier 1; `okta.*.read` scopes and
/// the end-user `okta.myAccount.*` scopes are Tier 2.
pub fn scope_tier(scope: &str) -> Tier {
    let s = scope.to_ascii_lowercase();
    if s.starts_with("okta.myaccount.") {
        Tier::Tier2
    } else if s.starts_with("okta.") && s.ends_with(".manage") {
        Tier::Tier0
    } else if s.ends_with(".manage") {
        Tier::Tier1
    } else if s.starts_with("okta.") {
        Tier::Tier2
    } else {
        Tier::Unclassified
    }
}

/// The tier of an admin role assigned to a client: super and org administrators
/// are Tier 0, read-only and report administrators Tier 2, every other standard
/// or custom admin role Tier 1.
pub fn role_tier(role_type: &str) -> Tier {
    match role_type {
        "SUPER_ADMIN" | "ORG_ADMIN" => Tier::Tier0,
        "READ_ONLY_ADMIN" | "REPORT_ADMIN" => Tier::Tier2,
        _ => Tier::Tier1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_and_roles_are_tiered() {
        assert_eq!(scope_tier("okta.users.manage"), Tier::Tier0);
        assert_eq!(scope_tier("okta.apps.manage"), Tier::Tier0);
        assert_eq!(scope_tier("okta.users.read"), Tier::Tier2);
        assert_eq!(scope_tier("okta.myAccount.email.manage"), Tier::Tier2);
        assert_eq!(scope_tier("custom.things.manage"), Tier::Tier1);
        assert_eq!(scope_tier("openid"), Tier::Unclassified);
        assert_eq!(role_tier("SUPER_ADMIN"), Tier::Tier0);
        assert_eq!(role_tier("ORG_ADMIN"), Tier::Tier0);
        assert_eq!(role_tier("APP_ADMIN"), Tier::Tier1);
        assert_eq!(role_tier("CUSTOM"), Tier::Tier1);
        assert_eq!(role_tier("READ_ONLY_ADMIN"), Tier::Tier2);
    }
}
