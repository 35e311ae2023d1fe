//! Owned records read from Entra exports, before they are joined.
//!
//! Each record keeps its [`Provenance`]. Secret values are not among the fields:
//! the parser only notes that one was present.

use jiff::Timestamp;

use super::id::Id;
use crate::model::{Owner, Provenance};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RawCredKind {
    Password,
    Key,
}

#[derive(Debug, Clone)]
pub struct RawCred {
    pub kind: RawCredKind,
    pub key_id: Option<Id>,
    pub name: Option<String>,
    pub start: Option<Timestamp>,
    pub end: Option<Timestamp>,
    pub usage: Option<String>,
    pub key_type: Option<String>,
    /// Base64 thumbprint shared by the parts of one SAML signing certificate.
    pub custom_key_identifier: Option<String>,
    pub source: Provenance,
}

#[derive(Debug, Clone)]
pub struct RawFic {
    pub id: Option<String>,
    pub name: Option<String>,
    pub issuer: String,
    pub subject: Option<String>,
    pub expression: Option<String>,
    pub audiences: Vec<String>,
    pub source: Provenance,
}

#[derive(Debug, Clone)]
pub struct RawAssignment {
    pub id: Option<String>,
    pub principal_id: Id,
    pub principal_type: Option<String>,
    pub resource_id: Id,
    pub resource_name: Option<String>,
    pub app_role_id: Id,
    pub source: Provenance,
}

#[derive(Debug, Clone)]
pub struct RawSp {
    pub id: Id,
    pub app_id: Option<Id>,
    pub name: Option<String>,
    pub sp_type: Option<String>,
    pub owner_org: Option<Id>,
    pub enabled: Option<bool>,
    pub created: Option<Timestamp>,
    pub verified_publisher: Option<String>,
    /// (id, value) of the app roles this SP exposes as a resource.
    pub app_roles: Vec<(Id, String)>,
    pub creds: Vec<RawCred>,
    pub owners: Option<Vec<Owner>>,
    pub assignments: Vec<RawAssignment>,
    pub source: Provenance,
}

#[derive(Debug, Clone)]
pub struct RawApp {
    pub id: Id,
    pub app_id: Option<Id>,
    pub name: Option<String>,
    pub created: Option<Timestamp>,
    pub verified_publisher: Option<String>,
    pub creds: Vec<RawCred>,
    pub owners: Option<Vec<Owner>>,
    pub fics: Vec<RawFic>,
    pub implicit_access_tokens: bool,
    pub public_client_fallback: bool,
    pub multi_tenant: bool,
    pub source: Provenance,
}

#[derive(Debug, Clone)]
pub struct RawConsent {
    pub id: Option<String>,
    pub client_id: Id,
    pub all_principals: bool,
    pub principal_id: Option<Id>,
    pub resource_id: Id,
    pub scopes: Vec<String>,
    pub source: Provenance,
}

#[derive(Debug, Clone)]
pub struct RawUser {
    pub id: String,
    pub upn: Option<String>,
    pub enabled: Option<bool>,
    pub guest: bool,
}

#[derive(Debug, Clone)]
pub struct RawRoleAssignment {
    pub principal_id: Id,
    pub role_id: String,
    pub role_name: Option<String>,
    pub scope: Option<String>,
    pub source: Provenance,
}

/// Owners listed in a per-object file (`applications('<id>')/owners`).
#[derive(Debug, Clone)]
pub struct OwnersPage {
    pub parent_id: Id,
    pub owners: Vec<Owner>,
}

/// Federated credentials listed in a per-app file (`applications('<id>')/federatedIdentityCredentials`).
#[derive(Debug, Clone)]
pub struct FicPage {
    pub app_object_id: Id,
    pub fics: Vec<RawFic>,
}

/// A secret value found in an export.
#[derive(Debug, Clone)]
pub struct RawExposure {
    pub what: &'static str,
    pub key_id: Option<String>,
    /// The SP or application object id the secret belongs to, when known.
    pub parent_id: Option<Id>,
    pub source: Provenance,
}

/// Everything one file contributed.
#[derive(Debug, Default)]
pub struct FileRecords {
    pub format: String,
    pub sps: Vec<RawSp>,
    pub apps: Vec<RawApp>,
    pub assignments: Vec<RawAssignment>,
    pub consents: Vec<RawConsent>,
    pub users: Vec<RawUser>,
    pub users_present: bool,
    pub organizations: Vec<String>,
    pub role_assignments: Vec<RawRoleAssignment>,
    /// (appId, most recent sign-in of any kind).
    pub sp_activity: Vec<(Id, Option<Timestamp>)>,
    pub sp_activity_present: bool,
    /// (keyId, most recent sign-in).
    pub credential_activity: Vec<(Id, Option<Timestamp>)>,
    pub owner_pages: Vec<OwnersPage>,
    pub fic_pages: Vec<FicPage>,
    pub exposures: Vec<RawExposure>,
    /// Federated credentials read without a parent application.
    pub orphan_fics: usize,
}

impl FileRecords {
    /// Records imported, as the report's `inputs[].records` counts them.
    pub fn len(&self) -> usize {
        self.sps.len()
            + self.apps.len()
            + self.assignments.len()
            + self.consents.len()
            + self.users.len()
            + self.organizations.len()
            + self.role_assignments.len()
            + self.sp_activity.len()
            + self.credential_activity.len()
            + self
                .owner_pages
                .iter()
                .map(|p| p.owners.len())
                .sum::<usize>()
            + self.fic_pages.iter().map(|p| p.fics.len()).sum::<usize>()
            + self.exposures.len()
            + self.orphan_fics
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Appends another part of the same file, keeping order.
    /// Appends `parts` in order, each list grown once to its final length: growing
    /// by doubling would copy the large ones several times and leave up to half
    /// of the last allocation unused.
    pub fn append_all(&mut self, parts: Vec<FileRecords>) {
        macro_rules! reserve {
            ($($field:ident),*) => {
                $(self.$field.reserve_exact(parts.iter().map(|p| p.$field.len()).sum());)*
            };
        }
        reserve!(
            sps,
            apps,
            assignments,
            consents,
            users,
            role_assignments,
            sp_activity,
            credential_activity,
            exposures
        );
        for part in parts {
            self.append(part);
        }
    }

    pub fn append(&mut self, mut other: FileRecords) {
        self.sps.append(&mut other.sps);
        self.apps.append(&mut other.apps);
        self.assignments.append(&mut other.assignments);
        self.consents.append(&mut other.consents);
        self.users.append(&mut other.users);
        self.users_present |= other.users_present;
        self.organizations.append(&mut other.organizations);
        self.role_assignments.append(&mut other.role_assignments);
        self.sp_activity.append(&mut other.sp_activity);
        self.sp_activity_present |= other.sp_activity_present;
        self.credential_activity
            .append(&mut other.credential_activity);
        self.owner_pages.append(&mut other.owner_pages);
        self.fic_pages.append(&mut other.fic_pages);
        self.exposures.append(&mut other.exposures);
        self.orphan_fics += other.orphan_fics;
    }
}
