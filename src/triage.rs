//! Triage: which findings count for the CI gate.
//!
//! After the engine, each finding is one of: suppressed (an accepted risk from
//! the config, see [`crate::config::suppress`]), known (its fingerprint is in the
//! baseline given with `--baseline`), or new. Only new, unsuppressed findings at
//! or above `--fail-on` trip the gate. Baseline entries no longer found are
//! reported as fixed. [`Gate`] turns the outcome, the input errors and the input
//! gaps into the exit code and the one-line summary printed on stderr.

use std::collections::{BTreeMap, HashSet};
use std::path::Path;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::checks::{Fingerprint, Settled, Severity};
use crate::config::{ConfigError, Suppression};
use crate::model::Inventory;

/// The baseline file's format version.
pub const BASELINE_VERSION: u32 = 1;

/// One finding as a baseline records it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct BaselineEntry {
    pub fingerprint: String,
    pub check_id: String,
    pub severity: Severity,
    /// The identity's id (ARN, object id, e-mail), or the target of an unattached finding.
    pub identity: String,
    pub name: String,
}

/// A baseline file (`--write-baseline`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Baseline {
    pub nhiscan_baseline: u32,
    pub tool: String,
    /// The scan's clock (`--now`) when the baseline was written.
    pub created: String,
    /// Sorted by fingerprint.
    pub findings: Vec<BaselineEntry>,
}

impl Baseline {
    /// The baseline of a scan: every finding, suppressed or not.
    pub fn of(inv: &Inventory, findings: &[Settled], now: Timestamp) -> Baseline {
        let mut entries: Vec<BaselineEntry> = findings.iter().map(|f| entry(inv, f)).collect();
        entries.sort();
        entries.dedup_by(|a, b| a.fingerprint == b.fingerprint);
        Baseline {
            nhiscan_baseline: BASELINE_VERSION,
            tool: format!("nhiscan {}", env!("CARGO_PKG_VERSION")),
            created: crate::time::format(now),
            findings: entries,
        }
    }

    /// Reads a baseline file; errors name the file, line and column.
    pub fn read(path: &Path) -> Result<Baseline, ConfigError> {
        let shown = path.display().to_string();
        let at = |line: usize, column: usize, message: String| ConfigError {
            path: shown.clone(),
            line,
            column,
            message,
        };
        let text = std::fs::read_to_string(path)
            .map_err(|e| at(1, 1, format!("cannot read the baseline: {e}")))?;
        let b: Baseline = serde_json::from_str(&text).map_err(|e| {
            at(
                e.line().max(1),
                e.column().max(1),
                format!("not an nhiscan baseline: {e}"),
            )
        })?;
        if b.nhiscan_baseline != BASELINE_VERSION {
            return Err(at(
                1,
                1,
                format!(
                    "baseline version {} is not supported (this nhiscan writes version {BASELINE_VERSION})",
                    b.nhiscan_baseline
                ),
            ));
        }
        Ok(b)
    }
}

fn entry(inv: &Inventory, f: &Settled) -> BaselineEntry {
    let (identity, name) = match f.identity() {
        Some(i) => (inv.identities[i].id.clone(), inv.identities[i].name.clone()),
        None => {
            let t = f.target().unwrap_or_default().to_string();
            (t.clone(), t)
        }
    };
    BaselineEntry {
        fingerprint: f.fingerprint().to_string(),
        check_id: f.check_id().to_string(),
        severity: f.severity,
        identity,
        name,
    }
}

/// What became of one suppression in this scan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SuppressionStatus {
    /// In force and matching findings.
    Active,
    /// Past its expiry date: it no longer suppresses anything.
    Expired,
    /// In force but matching no finding: fixed, or a selector that is wrong.
    Stale,
}

/// A suppression with its outcome.
#[derive(Debug, Clone, Serialize)]
pub struct SuppressionOutcome {
    #[serde(flatten)]
    pub suppression: Suppression,
    pub status: SuppressionStatus,
    /// Findings it matches (for an expired one: would match).
    pub matched: usize,
}

/// The triage of one scan's findings.
#[derive(Debug, Clone, Default)]
pub struct Triage {
    /// Per finding: the index into `suppressions` of the suppression applied (empty
    /// when the scan has no suppressions).
    pub suppressed_by: Vec<Option<usize>>,
    /// Per finding, when a baseline was given: whether its fingerprint is in it.
    pub in_baseline: Option<Vec<bool>>,
    pub suppressions: Vec<SuppressionOutcome>,
    /// The baseline file, when one was given.
    pub baseline_path: Option<String>,
    /// Baseline entries not found any more, sorted by fingerprint.
    pub fixed: Vec<BaselineEntry>,
}

impl Triage {
    /// Applies suppressions (the first in force that matches wins) and the baseline.
    pub fn new(
        inv: &Inventory,
        findings: &[Settled],
        suppressions: &[Suppression],
        baseline: Option<(&str, &Baseline)>,
        now: Timestamp,
    ) -> Triage {
        let mut matched = vec![0usize; suppressions.len()];
        // Without suppressions the list stays empty: a slot per finding would
        // only say "none" half a million times.
        let suppressed_by: Vec<Option<usize>> = findings
            .iter()
            .take(if suppressions.is_empty() {
                0
            } else {
                usize::MAX
            })
            .map(|f| {
                let provider = provider_of(inv, f);
                let mut applied = None;
                for (i, s) in suppressions.iter().enumerate() {
                    if s.matches(inv, f, provider) {
                        matched[i] += 1;
                        if applied.is_none() && !s.expired(now) {
                            applied = Some(i);
                        }
                    }
                }
                applied
            })
            .collect();
        let suppressions = suppressions
            .iter()
            .zip(matched)
            .map(|(s, matched)| SuppressionOutcome {
                status: if s.expired(now) {
                    SuppressionStatus::Expired
                } else if matched == 0 {
                    SuppressionStatus::Stale
                } else {
                    SuppressionStatus::Active
                },
                suppression: s.clone(),
                matched,
            })
            .collect();
        let (in_baseline, fixed, baseline_path) = match baseline {
            Some((path, b)) => {
                let known: HashSet<&str> =
                    b.findings.iter().map(|e| e.fingerprint.as_str()).collect();
                let now_found: HashSet<Fingerprint> =
                    findings.iter().map(Settled::fingerprint).collect();
                let flags = findings
                    .iter()
                    .map(|f| known.contains(f.fingerprint().as_str()))
                    .collect();
                let fixed = b
                    .findings
                    .iter()
                    .filter(|e| {
                        !Fingerprint::parse(&e.fingerprint).is_some_and(|f| now_found.contains(&f))
                    })
                    .cloned()
                    .collect();
                (Some(flags), fixed, Some(path.to_string()))
            }
            None => (None, Vec::new(), None),
        };
        Triage {
            suppressed_by,
            in_baseline,
            suppressions,
            baseline_path,
            fixed,
        }
    }

    /// The suppression applied to finding `i`, if any.
    pub fn suppression_of(&self, i: usize) -> Option<&Suppression> {
        self.suppressed_by
            .get(i)
            .copied()
            .flatten()
            .map(|s| &self.suppressions[s].suppression)
    }

    /// `"new"` or `"unchanged"` for finding `i` when a baseline was given.
    pub fn baseline_state(&self, i: usize) -> Option<&'static str> {
        self.in_baseline
            .as_ref()
            .and_then(|b| b.get(i))
            .map(|&known| if known { "unchanged" } else { "new" })
    }

    /// Whether finding `i` counts for the gate: neither suppressed nor known.
    pub fn counts(&self, i: usize) -> bool {
        self.suppression_of(i).is_none() && self.baseline_state(i) != Some("unchanged")
    }
}

fn provider_of<'a>(inv: &'a Inventory, f: &Settled) -> &'a str {
    match f.identity() {
        Some(i) => inv.identities[i].provider.as_str(),
        None => crate::checks::meta::lookup(f.check_id()).map_or("", |m| m.provider.as_str()),
    }
}

/// The CI gate's verdict.
#[derive(Debug, Clone, Serialize)]
pub struct Gate {
    /// The `--fail-on` threshold; `None`: the gate is off.
    pub fail_on: Option<Severity>,
    pub passed: bool,
    pub exit_code: u8,
    /// Findings that trip the gate: new, unsuppressed, at or above `fail_on`.
    pub failing: usize,
    /// Of those, per check.
    pub failing_by_check: BTreeMap<&'static str, usize>,
    pub findings: usize,
    pub suppressed: usize,
    pub in_baseline: usize,
    pub fixed: usize,
    pub expired_suppressions: usize,
    pub stale_suppressions: usize,
    /// Input gaps and whether they were accepted (`--allow-incomplete`).
    pub gaps: usize,
    pub allow_incomplete: bool,
    pub input_errors: usize,
    /// The line printed on stderr.
    pub summary: String,
}

impl Gate {
    pub fn evaluate(
        findings: &[Settled],
        triage: &Triage,
        fail_on: Option<Severity>,
        gaps: usize,
        allow_incomplete: bool,
        input_errors: usize,
    ) -> Gate {
        let mut failing_by_check: BTreeMap<&'static str, usize> = BTreeMap::new();
        let mut suppressed = 0;
        let mut in_baseline = 0;
        for (i, f) in findings.iter().enumerate() {
            if triage.suppression_of(i).is_some() {
                suppressed += 1;
            } else if triage.baseline_state(i) == Some("unchanged") {
                in_baseline += 1;
            } else if fail_on.is_some_and(|t| f.severity >= t) {
                *failing_by_check.entry(f.check_id()).or_default() += 1;
            }
        }
        let failing: usize = failing_by_check.values().sum();
        let count =
            |s: SuppressionStatus| triage.suppressions.iter().filter(|o| o.status == s).count();
        let mut gate = Gate {
            fail_on,
            passed: failing == 0,
            exit_code: 0,
            failing,
            failing_by_check,
            findings: findings.len(),
            suppressed,
            in_baseline,
            fixed: triage.fixed.len(),
            expired_suppressions: count(SuppressionStatus::Expired),
            stale_suppressions: count(SuppressionStatus::Stale),
            gaps,
            allow_incomplete,
            input_errors,
            summary: String::new(),
        };
        gate.exit_code = if input_errors > 0 {
            crate::cli::exit::INPUT
        } else if gaps > 0 && !allow_incomplete {
            crate::cli::exit::INCOMPLETE
        } else if failing > 0 {
            crate::cli::exit::GATE
        } else {
            crate::cli::exit::OK
        };
        gate.summary = gate.summary_line(triage.baseline_path.is_some());
        gate
    }

    fn summary_line(&self, with_baseline: bool) -> String {
        let mut context = vec![format!("{} findings", self.findings)];
        if self.suppressed > 0 {
            context.push(format!("{} suppressed", self.suppressed));
        }
        if with_baseline {
            context.push(format!("{} in the baseline", self.in_baseline));
            context.push(format!("{} fixed since", self.fixed));
        }
        if self.expired_suppressions > 0 {
            context.push(format!(
                "{} expired suppression(s)",
                self.expired_suppressions
            ));
        }
        if self.stale_suppressions > 0 {
            context.push(format!("{} stale suppression(s)", self.stale_suppressions));
        }
        let context = context.join(", ");
        let new = if with_baseline { "new " } else { "" };
        let verdict = match self.fail_on {
            None => format!("gate off (no --fail-on): {context}"),
            Some(t) if self.failing == 0 => format!(
                "gate passed: no {new}unsuppressed finding at or above {} ({context})",
                t.as_str()
            ),
            Some(t) => {
                let checks: Vec<String> = self
                    .failing_by_check
                    .iter()
                    .map(|(c, n)| format!("{c} x{n}"))
                    .collect();
                format!(
                    "gate failed: {} {new}unsuppressed finding(s) at or above --fail-on {} ({}; {context})",
                    self.failing,
                    t.as_str(),
                    checks.join(", ")
                )
            }
        };
        let mut line = format!("nhiscan: {verdict}");
        if self.input_errors > 0 {
            line.push_str(&format!(
                "; exit 3: {} input file(s) could not be read",
                self.input_errors
            ));
        } else if self.gaps > 0 && !self.allow_incomplete {
            line.push_str(&format!(
                "; exit 4: the input is incomplete ({} gap(s), listed in the report; --allow-incomplete accepts them)",
                self.gaps
            ));
        } else if self.gaps > 0 {
            line.push_str(&format!(
                "; {} input gap(s) accepted (--allow-incomplete)",
                self.gaps
            ));
        }
        line
    }
}
