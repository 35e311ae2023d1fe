//! Reports: the [`Report`] document every format renders, built once from the
//! inventory, the findings and the check metadata.
//!
//! Renderers read only the `Report`; they never see the inventory or secrets.
//! The JSON shape is documented in docs/json-report.md and versioned by
//! [`SCHEMA_VERSION`].

use std::collections::BTreeMap;

use jiff::Timestamp;
use rayon::prelude::*;
use serde::Serialize;

use crate::checks::meta::{CheckMeta, lookup};
use crate::checks::{Fingerprint, FrozenEvidence, Settled, Severity, Thresholds};
use crate::config::Suppression;
use crate::import::InputError;
use crate::model::{Gap, Inventory, Skipped, SourceFile, TenantSource};
use crate::triage::{BaselineEntry, Gate, SuppressionOutcome, Triage};
use crate::visibility::{self, Visibility};

pub mod compliance;
pub mod csv;
pub mod html;
pub mod inventory;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod ocsf;
mod pipeline;
pub mod risk;
pub mod sarif;
pub mod table;

/// Version of the JSON report schema (docs/json-report.md).
pub const SCHEMA_VERSION: &str = "1.2";

#[derive(Debug, Clone, Serialize)]
pub struct Tool {
    pub name: &'static str,
    pub version: &'static str,
}

pub const TOOL: Tool = Tool {
    name: "nhiscan",
    version: env!("CARGO_PKG_VERSION"),
};

#[derive(Debug, Clone, Serialize)]
pub struct Tenant {
    pub id: Option<String>,
    pub source: Option<TenantSource>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ErrorEntry {
    pub message: String,
}

#[derive(Debug, Clone, Serialize)]
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
    pub evidence: FrozenEvidence<'a>,
    pub location: LocationRef<'a>,
    pub fingerprint: Fingerprint,
    /// The accepted risk that suppresses this finding (config or ignore file).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suppression: Option<&'a Suppression>,
    /// With `--baseline`: `new`, or `unchanged` when the baseline has it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baseline: Option<&'static str>,
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
    /// What the input lacks for a complete scan (exit 4 unless allowed).
    pub incomplete: Vec<Gap>,
    /// The configuration files read (`nhiscan.toml`, `.nhiscan-ignore.toml`).
    pub config: Vec<String>,
    /// Every suppression with its status (active, expired, stale) and matches.
    pub suppressions: Vec<SuppressionOutcome>,
    /// With `--baseline`: the file and the findings fixed since.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baseline: Option<BaselineOut<'a>>,
    /// The CI gate's verdict; absent from reports built without one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gate: Option<Gate>,
    /// Written after the other fields by [`json::write_report`], in parallel.
    #[serde(skip)]
    pub findings: Findings<'a>,
}

/// The report's findings, each shown as a [`FindingOut`] when a writer asks for
/// it: a report of half a million findings holds no copy of them.
#[derive(Clone, Copy)]
pub struct Findings<'a> {
    inv: &'a Inventory,
    findings: &'a [Settled],
    triage: Option<&'a Triage>,
}

impl<'a> Findings<'a> {
    pub fn len(&self) -> usize {
        self.findings.len()
    }

    pub fn is_empty(&self) -> bool {
        self.findings.is_empty()
    }

    /// What the `i`th finding is about: its check id, the inventory index of its
    /// identity (if it has one), and the identity as [`FindingOut::identity`] shows
    /// it. Cheaper than [`Findings::get`] for writers that group findings.
    pub fn subject(&self, i: usize) -> (&'static str, Option<usize>, IdentityRef<'a>) {
        let f = &self.findings[i];
        (f.check_id(), f.identity(), identity_ref(self.inv, f))
    }

    /// Whether the `i`th finding counts for the gate: neither suppressed nor in the
    /// baseline. Cheaper than reading [`Findings::get`]'s fields.
    pub fn counts(&self, i: usize) -> bool {
        self.triage.is_none_or(|t| t.counts(i))
    }

    /// The `i`th finding as reports show it.
    pub fn get(&self, i: usize) -> FindingOut<'a> {
        let mut out = finding_out(self.inv, &self.findings[i]);
        if let Some(t) = self.triage {
            out.suppression = t.suppression_of(i);
            out.baseline = t.baseline_state(i);
        }
        out
    }

    /// The findings in report order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = FindingOut<'a>> + use<'a> {
        self.range(0..self.len())
    }

    /// Consecutive position ranges of at most `size` findings, covering them all.
    pub fn chunks(&self, size: usize) -> impl Iterator<Item = std::ops::Range<usize>> + use<> {
        let (len, size) = (self.len(), size.max(1));
        (0..len.div_ceil(size)).map(move |k| k * size..((k + 1) * size).min(len))
    }

    /// The findings at the positions `range`.
    pub fn range(
        &self,
        range: std::ops::Range<usize>,
    ) -> impl ExactSizeIterator<Item = FindingOut<'a>> + use<'a> {
        let this = *self;
        range.map(move |i| this.get(i))
    }
}

/// A JSON array of [`FindingOut`]s (the JSON writer renders them in parallel instead).
impl Serialize for Findings<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.iter())
    }
}

impl std::fmt::Debug for Findings<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        write!(f, "Findings({})", self.len())
    }
}

/// The baseline part of a report.
#[derive(Debug, Clone, Serialize)]
pub struct BaselineOut<'a> {
    pub path: &'a str,
    pub new: usize,
    pub unchanged: usize,
    /// Baseline findings this scan no longer finds.
    pub fixed: &'a [BaselineEntry],
}

fn meta(id: &str) -> &'static CheckMeta {
    lookup(id).expect("every finding's check is registered")
}

impl<'a> Report<'a> {
    pub fn build(
        inv: &'a Inventory,
        findings: &'a [Settled],
        errors: &[InputError],
        now: Timestamp,
        thresholds: Thresholds,
    ) -> Report<'a> {
        // The three views read the same inventory and findings: compute them at once.
        let (visibility, (risk, compliance)) = rayon::join(
            || visibility::compute(inv, now, &thresholds),
            || {
                rayon::join(
                    || risk::score(inv, findings, now),
                    || {
                        compliance::Framework::ALL
                            .par_iter()
                            .map(|&f| compliance::view(inv, findings, f))
                            .collect()
                    },
                )
            },
        );
        let mut by_severity: BTreeMap<&'static str, usize> =
            Severity::ALL.iter().map(|s| (s.as_str(), 0)).collect();
        let mut by_check: BTreeMap<&'static str, usize> = BTreeMap::new();
        let mut flagged = rustc_hash::FxHashSet::default();
        for f in findings {
            *by_severity.entry(f.severity.as_str()).or_default() += 1;
            *by_check.entry(f.check_id()).or_default() += 1;
            if let Some(i) = f.identity() {
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
            visibility,
            risk,
            compliance,
            incomplete: inv.gaps.clone(),
            config: Vec::new(),
            suppressions: Vec::new(),
            baseline: None,
            gate: None,
            findings: Findings {
                inv,
                findings,
                triage: None,
            },
        }
    }

    /// This report with an empty `risk` list, for writers that render the list
    /// apart. Every other field is cloned (they are small; `findings` is a view).
    pub fn head_without_risk(&self) -> Report<'a> {
        Report {
            schema_version: self.schema_version,
            tool: self.tool.clone(),
            scanned_at: self.scanned_at.clone(),
            tenant: self.tenant.clone(),
            thresholds: self.thresholds,
            inputs: self.inputs.clone(),
            skipped: self.skipped.clone(),
            errors: self.errors.clone(),
            notes: self.notes.clone(),
            summary: self.summary.clone(),
            visibility: self.visibility.clone(),
            risk: Vec::new(),
            compliance: self.compliance.clone(),
            incomplete: self.incomplete.clone(),
            config: self.config.clone(),
            suppressions: self.suppressions.clone(),
            baseline: self.baseline.clone(),
            gate: self.gate.clone(),
            findings: self.findings,
        }
    }

    /// Adds the triage (suppressions, baseline) and the gate's verdict.
    pub fn with_triage(mut self, triage: &'a Triage, gate: &Gate, config: &[String]) -> Report<'a> {
        self.findings.triage = Some(triage);
        self.config = config.to_vec();
        self.suppressions = triage.suppressions.clone();
        self.baseline = triage.baseline_path.as_deref().map(|path| {
            let unchanged = (0..self.findings.len())
                .filter(|&i| triage.baseline_state(i) == Some("unchanged"))
                .count();
            BaselineOut {
                path,
                new: self.findings.len() - unchanged,
                unchanged,
                fixed: &triage.fixed,
            }
        });
        self.gate = Some(gate.clone());
        self
    }
}

/// The identity a finding is about, or what stands in for it: the target of an
/// unattached finding, or "not in the export".
fn identity_ref<'a>(inv: &'a Inventory, f: &'a Settled) -> IdentityRef<'a> {
    match f.identity() {
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
            id: f.target().unwrap_or(""),
            name: f.target().unwrap_or("(not in the export)"),
            kind: if f.target().is_some() {
                "resource"
            } else {
                "unknown"
            },
            provider: &meta(f.check_id()).provider,
        },
    }
}

fn finding_out<'a>(inv: &'a Inventory, f: &'a Settled) -> FindingOut<'a> {
    let m = meta(f.check_id());
    let identity = identity_ref(inv, f);
    FindingOut {
        check_id: f.check_id(),
        title: &m.title,
        severity: f.severity,
        provider: identity.provider,
        identity,
        message: f.message(),
        owasp_nhi: &m.owasp,
        nist_csf: &m.nist,
        evidence: f.evidence(),
        location: LocationRef {
            path: inv.path_of(f.source.file),
            line: f.source.line,
        },
        fingerprint: f.fingerprint(),
        suppression: None,
        baseline: None,
    }
}
