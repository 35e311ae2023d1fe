//! The visibility (inventory) report: every NHI with its owners, use, credentials
//! and grants, plus the per-kind coverage of [`crate::visibility`].

use jiff::Timestamp;
use serde::Serialize;

use super::{ErrorEntry, Location, SCHEMA_VERSION, TOOL, Tenant, Tool};
use crate::checks::Thresholds;
use crate::import::InputError;
use crate::model::{Inventory, Owner, Skipped, SourceFile};
use crate::time::format;
use crate::visibility::{self, Visibility};

#[derive(Debug, Serialize)]
pub struct CredentialOut {
    pub kind: &'static str,
    pub key_id: Option<String>,
    pub name: Option<String>,
    pub attached_to: &'static str,
    pub created: Option<String>,
    pub expires: Option<String>,
    pub last_used: Option<String>,
    pub issuer: Option<String>,
    pub subject: Option<String>,
    pub active: Option<bool>,
}

#[derive(Debug, Serialize)]
pub struct GrantOut {
    pub kind: &'static str,
    pub resource: String,
    pub permission: String,
    pub tier: &'static str,
    pub consent: Option<&'static str>,
}

#[derive(Debug, Serialize)]
pub struct IdentityOut {
    pub provider: &'static str,
    pub kind: &'static str,
    pub id: String,
    pub name: String,
    pub app_id: Option<String>,
    pub origin: crate::model::Origin,
    pub publisher_tenant: Option<String>,
    pub verified_publisher: Option<String>,
    pub enabled: Option<bool>,
    pub created: Option<String>,
    pub last_used: Option<String>,
    pub owners: Option<Vec<Owner>>,
    pub highest_tier: &'static str,
    pub credentials: Vec<CredentialOut>,
    pub grants: Vec<GrantOut>,
    pub location: Location,
}

#[derive(Debug, Serialize)]
pub struct InventoryReport {
    pub schema_version: &'static str,
    pub tool: Tool,
    pub scanned_at: String,
    pub tenant: Tenant,
    pub inputs: Vec<SourceFile>,
    pub skipped: Vec<Skipped>,
    pub errors: Vec<ErrorEntry>,
    pub notes: Vec<String>,
    /// What the input lacks for a complete inventory (see the risk report's `incomplete`).
    pub incomplete: Vec<crate::model::Gap>,
    pub visibility: Visibility,
    pub identities: Vec<IdentityOut>,
}

impl InventoryReport {
    pub fn build(
        inv: &Inventory,
        errors: &[InputError],
        now: Timestamp,
        thresholds: Thresholds,
    ) -> InventoryReport {
        let mut identities: Vec<IdentityOut> = inv
            .identities
            .iter()
            .enumerate()
            .map(|(idx, i)| IdentityOut {
                provider: i.provider.as_str(),
                kind: i.kind.as_str(),
                id: i.id.clone(),
                name: i.name.clone(),
                app_id: i.app_id.clone(),
                origin: i.origin,
                publisher_tenant: i.publisher_tenant.clone(),
                verified_publisher: i.verified_publisher.clone(),
                enabled: i.enabled,
                created: i.created.map(format),
                last_used: i.last_used.map(format),
                owners: i.owners.clone(),
                highest_tier: inv.highest_tier(idx).as_str(),
                credentials: inv
                    .credentials_of(idx)
                    .iter()
                    .map(|c| CredentialOut {
                        kind: c.kind.as_str(),
                        key_id: c.key_id.clone(),
                        name: c.name.clone(),
                        attached_to: c.host.as_str(),
                        created: c.created.map(format),
                        expires: c.expires.map(format),
                        last_used: c.last_used.map(format),
                        issuer: c.federation.as_ref().map(|f| f.issuer.clone()),
                        subject: c
                            .federation
                            .as_ref()
                            .and_then(|f| f.subject.clone().or_else(|| f.expression.clone())),
                        active: c.active,
                    })
                    .collect(),
                grants: inv
                    .grants_of(idx)
                    .iter()
                    .map(|g| GrantOut {
                        kind: g.kind.as_str(),
                        resource: g.resource.to_string(),
                        permission: g.permission.to_string(),
                        tier: g.tier.as_str(),
                        consent: g.consent.as_ref().map(|c| match c.kind {
                            crate::model::ConsentType::AllPrincipals => "all_principals",
                            crate::model::ConsentType::Principal => "principal",
                        }),
                    })
                    .collect(),
                location: Location {
                    path: inv.path_of(i.source.file).to_string(),
                    line: i.source.line,
                },
            })
            .collect();
        identities.sort_by(|a, b| {
            (a.provider, a.kind, &a.name, &a.id).cmp(&(b.provider, b.kind, &b.name, &b.id))
        });
        InventoryReport {
            schema_version: SCHEMA_VERSION,
            tool: TOOL,
            scanned_at: format(now),
            tenant: Tenant {
                id: inv.home_tenant.clone(),
                source: inv.tenant_source,
            },
            inputs: inv.files.clone(),
            skipped: inv.skipped.clone(),
            errors: errors
                .iter()
                .map(|e| ErrorEntry {
                    message: e.to_string(),
                })
                .collect(),
            notes: inv.notes.clone(),
            incomplete: inv.gaps.clone(),
            visibility: visibility::compute(inv, now, &thresholds),
            identities,
        }
    }
}
