//! Reports: the [`Report`] document every format renders, built once from the
//! inventory, the findings and the check metadata.
//!
//! Renderers read only the `Report`; they never see the inventory or secrets.
//! The JSON shape is documented in docs/json-report.md and versioned by
//! [`SCHEMA_VERSION`].

use std::collections::BTreeMap;

use jiff::Timestamp;
use serde::Serialize;

use crate::checks::meta::{CheckMeta, lookup};
use crate::checks::{EvidenceMap, Finding, Severity, Thresholds};
use crate::import::InputError;
use crate::model::{Inventory, Skipped, SourceFile, TenantSource};
use crate::visibility::{self, Visibility};

pub mod compliance;
pub mod csv;
pub mod html;
pub mod inventory;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod ocsf;
pub mod risk;
pub mod sarif;
pub mod table;

/// Version of the JSON report schema (docs/json-report.md).
pub const SCHEMA_VERSION: &str = "1.1";

#[derive(Debug, Serialize)]
pub struct Tool {
    pub name: &'static str,
    pub version: &'static str,
}

pub const TOOL: Tool = Tool {
    name: "nhiscan",
    version: env!("CARGO_PKG_VERSION"),
};

#[derive(Debug, Serialize)]
pub struct Tenant {
    pub id: Option<String>,
    pub source: Option<TenantSource>,
}

#[derive(Debug, Serialize)]
pub struct ErrorEntry {
    pub message: String,
}

#[derive(Debug, Serialize)]
pub struct Summary {
    pub identities: usize,
    pub credentials: usize,
    pub grants: usize,
    pub findings: usize,
    pub identities_with_findings: usize,
    pub by_severity: BTreeMap<&'static str, usize>,
    pub by_check: BTreeMap<&'static str, usize>,
}

#[derive(Debug, Serialize)]
pub struct IdentityRef<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub kind: &'a str,
    pub provider: &'a str,
}

#[derive(Debug, Serialize)]
pub struct Location {
    pub path: String,
    pub line: u32,
}

/// A finding as reports show it. Borrows from the findings, the inventory and the
/// check metadata, so a report of many findings copies none of them.
#[derive(Debug, Serialize)]
pub struct FindingOut<'a> {
    pub check_id: &'static str,
    pub title: &'a str,
    pub severity: Severity,
    pub provider: &'a str,
    pub identity: IdentityRef<'a>,
    pub message: &'a str,
    pub owasp_nhi: &'a [String],
    pub nist_csf: &'a [String],
    pub evidence: &'a EvidenceMap,
    pub location: LocationRef<'a>,
    pub fingerprint: &'a str,
}

#[derive(Debug, Serialize)]
pub struct LocationRef<'a> {
    pub path: &'a str,
    pub line: u32,
}

/// The whole risk report.
#[derive(Debug, Serialize)]
pub struct Report<'a> {
    pub schema_version: &'static str,
    pub tool: Tool,
    pub scanned_at: String,
    pub tenant: Tenant,
    pub thresholds: Thresholds,
    pub inputs: Vec<SourceFile>,
    pub skipped: Vec<Skipped>,
    pub errors: Vec<ErrorEntry>,
    pub notes: Vec<String>,
    pub summary: Summary,
    pub visibility: Visibility,
    /// Identities with a risk score above zero, riskiest first (docs/reports.md).
    pub risk: Vec<risk::IdentityRisk<'a>>,
    /// Per control of OWASP NHI Top 10 and NIST CSF 2.0: checks, identities
    /// evaluated, failing and passing.
    pub compliance: Vec<compliance::FrameworkView>,
    /// Written after the other fields by [`json::write_report`], in parallel.
    #[serde(skip)]
    pub findings: Vec<FindingOut<'a>>,
}

fn meta(id: &str) -> &'static CheckMeta {
    lookup(id).expect("every finding's check is registered")
}

impl<'a> Report<'a> {
    pub fn build(
        inv: &'a Inventory,
        findings: &'a [Finding],
        errors: &[InputError],
        now: Timestamp,
        thresholds: Thresholds,
    ) -> Report<'a> {
        let mut by_severity: BTreeMap<&'static str, usize> =
            Severity::ALL.iter().map(|s| (s.as_str(), 0)).collect();
        let mut by_check: BTreeMap<&'static str, usize> = BTreeMap::new();
        let mut flagged = std::collections::HashSet::new();
        for f in findings {
            *by_severity.entry(f.severity.as_str()).or_default() += 1;
            *by_check.entry(f.check_id).or_default() += 1;
            if let Some(i) = f.identity {
                flagged.insert(i);
            }
        }
        Report {
            schema_version: SCHEMA_VERSION,
            tool: TOOL,
            scanned_at: crate::time::format(now),
            tenant: Tenant {
                id: inv.home_tenant.clone(),
                source: inv.tenant_source,
            },
            thresholds,
            inputs: inv.files.clone(),
            skipped: inv.skipped.clone(),
            errors: errors
                .iter()
                .map(|e| ErrorEntry {
                    message: e.to_string(),
                })
                .collect(),
            notes: inv.notes.clone(),
            summary: Summary {
                identities: inv.identities.len(),
                credentials: inv.credentials.len(),
                grants: inv.grants.len(),
                findings: findings.len(),
                identities_with_findings: flagged.len(),
                by_severity,
                by_check,
            },
            visibility: visibility::compute(inv, now, &thresholds),
            risk: risk::score(inv, findings, now),
            compliance: compliance::Framework::ALL
                .iter()
                .map(|&f| compliance::view(inv, findings, f))
                .collect(),
            findings: findings.iter().map(|f| finding_out(inv, f)).collect(),
        }
    }
}

fn finding_out<'a>(inv: &'a Inventory, f: &'a Finding) -> FindingOut<'a> {
    let m = meta(f.check_id);
    let identity = match f.identity {
        Some(i) => {
            let x = &inv.identities[i];
            IdentityRef {
                id: &x.id,
                name: &x.name,
                kind: x.kind.as_str(),
                provider: x.provider.as_str(),
            }
        }
        None => IdentityRef {
            id: f.target.as_deref().unwrap_or(""),
            name: f.target.as_deref().unwrap_or("(not in the export)"),
            kind: if f.target.is_some() {
                "resource"
            } else {
                "unknown"
            },
            provider: &m.provider,
        },
    };
    FindingOut {
        check_id: f.check_id,
        title: &m.title,
        severity: f.severity,
        provider: identity.provider,
        identity,
        message: &f.message,
        owasp_nhi: &m.owasp,
        nist_csf: &m.nist,
        evidence: &f.evidence,
        location: LocationRef {
            path: inv.path_of(f.source.file),
            line: f.source.line,
        },
        fingerprint: &f.fingerprint,
    }
}
