//! The provider-neutral inventory: identities, their credentials and grants, the
//! directory principals they relate to, and where each object came from.
//!
//! Importers build an [`Inventory`]; checks and reports only read it. Nothing in
//! here knows about a particular export format. Secret values are never stored:
//! an importer that meets one records a [`SecretExposure`] and drops the value.

use std::sync::Arc;

use jiff::Timestamp;
use serde::Serialize;

pub mod aws;
pub mod gcp;
pub mod github;
mod inventory;
pub mod k8s;
pub mod okta;

pub use inventory::{Inventory, InventoryBuilder};

/// The platform an identity lives on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Provider {
    Entra,
    Aws,
    Gcp,
    K8s,
    Okta,
    Github,
}

impl Provider {
    pub fn as_str(self) -> &'static str {
        match self {
            Provider::Entra => "entra",
            Provider::Aws => "aws",
            Provider::Gcp => "gcp",
            Provider::K8s => "k8s",
            Provider::Okta => "okta",
            Provider::Github => "github",
        }
    }
}

/// What sort of non-human identity an [`Identity`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum IdentityKind {
    /// An Entra application's service principal (the app's identity in a tenant).
    ServicePrincipal,
    /// An Entra managed identity (system- or user-assigned).
    ManagedIdentity,
    /// An Entra application registration with no service principal in the export.
    Application,
    /// An AWS IAM user.
    IamUser,
    /// An AWS IAM role.
    IamRole,
    /// An AWS account's root user (from the credential report).
    RootAccount,
    /// A Google Cloud service account.
    ServiceAccount,
    /// A Kubernetes service account.
    K8sServiceAccount,
    /// An Okta OAuth 2.0 client application (OIDC or API service app).
    OktaApp,
    /// An Okta API (SSWS) token; it acts with its creating admin's privileges.
    OktaApiToken,
    /// A GitHub App installed on an organisation or account.
    GithubAppInstallation,
    /// A repository deploy key (an SSH key with access to one repository).
    GithubDeployKey,
    /// A fine-grained personal access token approved for, or requesting, an organisation.
    GithubFineGrainedPat,
}

impl IdentityKind {
    pub fn as_str(self) -> &'static str {
        match self {
            IdentityKind::ServicePrincipal => "service_principal",
            IdentityKind::ManagedIdentity => "managed_identity",
            IdentityKind::Application => "application",
            IdentityKind::IamUser => "iam_user",
            IdentityKind::IamRole => "iam_role",
            IdentityKind::RootAccount => "root_account",
            IdentityKind::ServiceAccount => "service_account",
            IdentityKind::K8sServiceAccount => "k8s_service_account",
            IdentityKind::OktaApp => "okta_app",
            IdentityKind::OktaApiToken => "okta_api_token",
            IdentityKind::GithubAppInstallation => "github_app_installation",
            IdentityKind::GithubDeployKey => "github_deploy_key",
            IdentityKind::GithubFineGrainedPat => "github_fine_grained_pat",
        }
    }
}

/// Who publishes the software behind an identity, relative to the scanned tenant or account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Origin {
    /// Published by the platform vendor itself (Microsoft's own apps in Entra).
    FirstParty,
    /// Registered in the scanned tenant or account.
    Home,
    /// Published by another organisation and consented into this one.
    ThirdParty,
    /// The export does not say.
    Unknown,
}

/// Where an object came from: an index into [`Inventory::files`] and the 1-based
/// line on which the object starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Provenance {
    pub file: u32,
    pub line: u32,
}

/// A human or other directory principal, as far as the export tells.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Owner {
    pub id: String,
    pub name: Option<String>,
    pub kind: PrincipalKind,
    pub enabled: Option<bool>,
    pub guest: Option<bool>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PrincipalKind {
    User,
    ServicePrincipal,
    Group,
    Unknown,
}

/// A user of the directory (from a users export), used to judge owners and consents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: String,
    pub name: Option<String>,
    pub enabled: Option<bool>,
    pub guest: bool,
}

/// Sign-in flows and settings that change how an identity authenticates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AuthSettings {
    /// OAuth implicit grant may issue access tokens.
    pub implicit_access_tokens: bool,
    /// Public-client flows (ROPC, device code) are allowed.
    pub public_client_fallback: bool,
    /// Any other tenant may sign in to the application.
    pub multi_tenant: bool,
}

/// One non-human identity.
#[derive(Debug, Clone)]
pub struct Identity {
    pub provider: Provider,
    pub kind: IdentityKind,
    /// The object id that other records reference (an SP object id in Entra).
    pub id: String,
    /// A key that stays the same across re-exports and object kinds (the appId in Entra).
    pub key: String,
    pub name: String,
    /// Entra application (client) id.
    pub app_id: Option<String>,
    /// Entra application object id, when the application object was exported.
    pub app_object_id: Option<String>,
    /// The tenant or organisation that publishes the identity's software.
    pub publisher_tenant: Option<String>,
    pub origin: Origin,
    /// The verified publisher's name, when the platform verified one.
    pub verified_publisher: Option<String>,
    pub enabled: Option<bool>,
    pub created: Option<Timestamp>,
    /// Most recent use known from activity exports.
    pub last_used: Option<Timestamp>,
    /// True when an activity export covering this identity's provider was given.
    pub activity_known: bool,
    /// `None` when no export said who owns the identity.
    pub owners: Option<Vec<Owner>>,
    pub settings: AuthSettings,
    /// Interactive sign-in with a password, when the platform reports it.
    pub human_login: Option<HumanLogin>,
    pub source: Provenance,
}

/// A password sign-in on an identity (an AWS IAM user's console password).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HumanLogin {
    pub password_enabled: bool,
    pub mfa_active: Option<bool>,
    pub password_last_used: Option<Timestamp>,
}

impl Identity {
    pub fn is_first_party(&self) -> bool {
        self.origin == Origin::FirstParty
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CredentialKind {
    /// A shared secret (client secret, password).
    Secret,
    /// An asymmetric key or X.509 certificate.
    Certificate,
    /// A federated (workload identity) trust: no stored secret at all.
    Federated,
    /// A long-lived cloud access key (AWS `AKIA…`).
    AccessKey,
    /// An SSH public key registered for the identity.
    SshKey,
}

impl CredentialKind {
    pub fn as_str(self) -> &'static str {
        match self {
            CredentialKind::Secret => "secret",
            CredentialKind::Certificate => "certificate",
            CredentialKind::Federated => "federated",
            CredentialKind::AccessKey => "access_key",
            CredentialKind::SshKey => "ssh_key",
        }
    }
}

/// Which object a credential is attached to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CredentialHost {
    /// The Entra application object (visible in the app registration blade).
    Application,
    /// The Entra service principal object (hidden from the app registration blade).
    ServicePrincipal,
    /// The identity itself (AWS users' keys, for example).
    Identity,
}

impl CredentialHost {
    pub fn as_str(self) -> &'static str {
        match self {
            CredentialHost::Application => "application",
            CredentialHost::ServicePrincipal => "service_principal",
            CredentialHost::Identity => "identity",
        }
    }
}

/// A federated identity credential's trust.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Federation {
    pub issuer: String,
    pub subject: Option<String>,
    /// A flexible federated credential's claims-matching expression.
    pub expression: Option<String>,
    pub audiences: Vec<String>,
}

/// One credential of one identity.
#[derive(Debug, Clone)]
pub struct Credential {
    /// Index into [`Inventory::identities`].
    pub identity: usize,
    pub kind: CredentialKind,
    pub host: CredentialHost,
    /// The platform's id of the credential (Entra keyId, FIC id).
    pub key_id: Option<String>,
    pub name: Option<String>,
    /// Certificate usage (`Verify` for client authentication, `Sign` for token signing).
    pub usage: Option<String>,
    pub created: Option<Timestamp>,
    pub expires: Option<Timestamp>,
    pub last_used: Option<Timestamp>,
    /// Boxed: most credentials have none, and inline it would double their size.
    pub federation: Option<Box<Federation>>,
    /// `Some(false)` for a credential that exists but is deactivated (AWS `Inactive`).
    pub active: Option<bool>,
    pub source: Provenance,
}

impl Credential {
    /// Token-signing material (SAML signing certificates and their parts), not a
    /// credential the identity authenticates with.
    pub fn is_token_signing(&self) -> bool {
        self.usage.as_deref() == Some("Sign")
    }

    /// A secret or key that can still be used at `now`.
    pub fn is_valid_at(&self, now: Timestamp) -> bool {
        self.kind != CredentialKind::Federated
            && self.active != Some(false)
            && self.expires.is_none_or(|e| e > now)
            && self.created.is_none_or(|c| c <= now)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum GrantKind {
    /// An application permission (app role) held without a signed-in user.
    ApplicationPermission,
    /// A delegated permission consented for the identity to act as users.
    DelegatedPermission,
    /// A directory administrator role.
    DirectoryRole,
    /// An identity-based policy (AWS inline or managed, directly or through a group).
    Policy,
    /// A role bound to the identity on a resource (GCP IAM, Kubernetes RBAC).
    RoleBinding,
    /// Another provider's identity this one can act as (a Kubernetes service
    /// account's cloud role); its tier is that identity's highest tier.
    LinkedIdentity,
}

impl GrantKind {
    pub fn as_str(self) -> &'static str {
        match self {
            GrantKind::ApplicationPermission => "application_permission",
            GrantKind::DelegatedPermission => "delegated_permission",
            GrantKind::DirectoryRole => "directory_role",
            GrantKind::Policy => "policy",
            GrantKind::RoleBinding => "role_binding",
            GrantKind::LinkedIdentity => "linked_identity",
        }
    }
}

/// Privilege tier of a grant. Tier 0 has a known path to full control of the
/// tenant or account; tier 1 reaches sensitive data or broad write access.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Tier {
    Tier0,
    Tier1,
    Tier2,
    Unclassified,
}

impl Tier {
    pub fn as_str(self) -> &'static str {
        match self {
            Tier::Tier0 => "tier0",
            Tier::Tier1 => "tier1",
            Tier::Tier2 => "tier2",
            Tier::Unclassified => "unclassified",
        }
    }
    pub fn from_number(n: u8) -> Tier {
        match n {
            0 => Tier::Tier0,
            1 => Tier::Tier1,
            2 => Tier::Tier2,
            _ => Tier::Unclassified,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum ConsentType {
    /// Admin consent on behalf of every user of the tenant.
    AllPrincipals,
    /// Consent given by one user for themselves.
    Principal,
}

/// Who consented to a delegated grant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Consent {
    pub kind: ConsentType,
    /// The consenting user's object id for `Principal` consents.
    pub principal_id: Option<String>,
}

/// One privilege an identity holds.
#[derive(Debug, Clone)]
pub struct Grant {
    /// Index into [`Inventory::identities`].
    pub identity: usize,
    pub kind: GrantKind,
    /// Display name of the resource (API) the permission is on, or the role's scope.
    /// Shared (`Arc<str>`): an estate repeats a few hundred resources and permissions
    /// over hundreds of thousands of grants.
    pub resource: Arc<str>,
    /// Application id of the resource, when known.
    pub resource_app_id: Option<Arc<str>>,
    /// Permission value (`Mail.Read`) or role name.
    pub permission: Arc<str>,
    /// Platform id of the permission (appRoleId, role template id).
    pub permission_id: Option<Arc<str>>,
    pub tier: Tier,
    pub consent: Option<Consent>,
    /// Where the role applies (Entra `directoryScopeId`), when not tenant-wide.
    pub scope: Option<String>,
    /// How the permission was resolved, when not from the export itself.
    pub resolution_note: Option<&'static str>,
    pub source: Provenance,
}

impl Grant {
    pub fn is_privileged(&self) -> bool {
        matches!(self.tier, Tier::Tier0 | Tier::Tier1)
    }
}

/// A secret value that an export file itself contains. The value is not kept.
#[derive(Debug, Clone)]
pub struct SecretExposure {
    /// The platform whose export held the secret (each provider's check reports its own).
    pub provider: Provider,
    /// The identity the secret belongs to, when the export says.
    pub identity: Option<usize>,
    /// What was found, e.g. "secretText of passwordCredential".
    pub what: &'static str,
    /// The credential id, when known.
    pub key_id: Option<String>,
    pub source: Provenance,
}

/// One input file that was read.
#[derive(Debug, Clone, Serialize)]
pub struct SourceFile {
    pub path: String,
    pub sha256: String,
    /// The detected export format, e.g. `entra.graph-page`.
    pub format: String,
    /// Records imported from the file.
    pub records: usize,
}

/// Something a complete scan needs that the input lacks: an endpoint a collector
/// could not read in full, or objects that grants name but no export holds.
/// Any gap makes `scan` exit 4 unless incomplete input is allowed.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Gap {
    pub provider: &'static str,
    pub reason: String,
}

/// A file that was valid but held nothing nhiscan reads.
#[derive(Debug, Clone, Serialize)]
pub struct Skipped {
    pub path: String,
    pub reason: String,
}

/// How the home tenant was determined.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TenantSource {
    CommandLine,
    OrganizationExport,
    Inferred,
}
