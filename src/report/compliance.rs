//! Compliance view: for each control of a framework (OWASP NHI Top 10 2025,
//! NIST CSF 2.0), the checks mapped to it, how many identities they evaluated,
//! and how many failed and passed.
//!
//! An identity is *evaluated* by a control when one of the control's checks
//! applies to its provider; it *fails* when one of those checks reported it.
//! Findings about resources (not identities) count in `findings` but not in
//! the identity counts. A control with no mapped check, or no identity of a
//! mapped provider in the scan, is `not_evaluated`.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::checks::Settled;
use crate::checks::meta::{ALL_META, CheckMeta, NIST_IDS, OWASP_NHI};
use crate::model::Inventory;

/// The frameworks the view covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Framework {
    OwaspNhi,
    NistCsf,
}

impl Framework {
    pub const ALL: [Framework; 2] = [Framework::OwaspNhi, Framework::NistCsf];

    pub fn title(self) -> &'static str {
        match self {
            Framework::OwaspNhi => "OWASP Non-Human Identities Top 10 (2025)",
            Framework::NistCsf => "NIST Cybersecurity Framework 2.0",
        }
    }

    /// (control id, title) in the framework's order.
    fn controls(self) -> Vec<(&'static str, &'static str)> {
        match self {
            Framework::OwaspNhi => OWASP_NHI.to_vec(),
            Framework::NistCsf => NIST_IDS.iter().map(|id| (*id, nist_title(id))).collect(),
        }
    }

    fn mapped(self, m: &CheckMeta) -> &[String] {
        match self {
            Framework::OwaspNhi => &m.owasp,
            Framework::NistCsf => &m.nist,
        }
    }
}

/// Short titles of the NIST CSF 2.0 subcategories nhiscan maps to
/// (frameworks.md §2).
fn nist_title(id: &str) -> &'static str {
    match id {
        "PR.AA-01" => "Identities and credentials are managed",
        "PR.AA-02" => "Identities are proofed and bound to credentials",
        "PR.AA-03" => "Users, services and hardware are authenticated",
        "PR.AA-04" => "Identity assertions are protected, conveyed and verified",
        "PR.AA-05" => "Access permissions are managed with least privilege",
        "ID.AM-02" => "Inventories of software and services are maintained",
        "ID.AM-04" => "Inventories of supplier services are maintained",
        "ID.AM-08" => "Assets are managed throughout their life cycles",
        "DE.CM-03" => "Personnel activity and technology usage are monitored",
        "DE.CM-06" => "External service provider activities are monitored",
        "DE.CM-09" => "Computing hardware, software and data are monitored",
        _ => "",
    }
}

#[derive(Debug, Serialize, PartialEq, Eq, Clone, Copy)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Fail,
    Pass,
    NotEvaluated,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Fail => "fail",
            Status::Pass => "pass",
            Status::NotEvaluated => "not evaluated",
        }
    }
}

/// One control's result.
#[derive(Debug, Clone, Serialize)]
pub struct Control {
    pub id: &'static str,
    pub title: &'static str,
    pub status: Status,
    pub checks: Vec<&'static str>,
    pub evaluated: usize,
    pub failing: usize,
    pub passing: usize,
    pub findings: usize,
}

/// One framework's controls.
#[derive(Debug, Clone, Serialize)]
pub struct FrameworkView {
    pub framework: Framework,
    pub title: &'static str,
    pub controls: Vec<Control>,
}

/// Builds the view of `framework` over one scan.
pub fn view(inv: &Inventory, findings: &[Settled], framework: Framework) -> FrameworkView {
    // Identities per provider, and failing identities and findings per check.
    let mut per_provider: BTreeMap<&str, usize> = BTreeMap::new();
    for identity in &inv.identities {
        *per_provider.entry(identity.provider.as_str()).or_default() += 1;
    }
    // Identity indexes per check, sorted and distinct: 4 bytes each, where a set of
    // half a million findings' identities took tens of megabytes.
    let mut failing_by_check: BTreeMap<&str, Vec<u32>> = BTreeMap::new();
    let mut findings_by_check: BTreeMap<&str, usize> = BTreeMap::new();
    for f in findings {
        *findings_by_check.entry(f.check_id()).or_default() += 1;
        if let Some(i) = f.identity() {
            let ids = failing_by_check.entry(f.check_id()).or_default();
            if ids.last() != Some(&(i as u32)) {
                ids.push(i as u32);
            }
        }
    }
    for ids in failing_by_check.values_mut() {
        ids.sort_unstable();
        ids.dedup();
    }
    let controls = framework
        .controls()
        .into_iter()
        .map(|(id, title)| {
            let metas: Vec<&CheckMeta> = ALL_META
                .iter()
                .filter(|m| framework.mapped(m).iter().any(|x| x == id))
                .collect();
            let providers: BTreeSet<&str> = metas.iter().map(|m| m.provider.as_str()).collect();
            let evaluated: usize = providers
                .iter()
                .map(|p| per_provider.get(p).copied().unwrap_or(0))
                .sum();
            // Distinct identities over the control's checks.
            let mut counted = vec![false; inv.identities.len()];
            let failing = metas
                .iter()
                .filter_map(|m| failing_by_check.get(m.id.as_str()))
                .flatten()
                .filter(|&&i| !std::mem::replace(&mut counted[i as usize], true))
                .count();
            let findings = metas
                .iter()
                .filter_map(|m| findings_by_check.get(m.id.as_str()))
                .sum();
            let status = if evaluated == 0 && findings == 0 {
                Status::NotEvaluated
            } else if failing == 0 && findings == 0 {
                Status::Pass
            } else {
                Status::Fail
            };
            Control {
                id,
                title,
                status,
                checks: metas
                    .iter()
                    .map(|m| crate::checks::registry::static_id(&m.id))
                    .collect(),
                evaluated,
                failing,
                passing: evaluated.saturating_sub(failing),
                findings,
            }
        })
        .collect();
    FrameworkView {
        framework,
        title: framework.title(),
        controls,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::Severity;
    use crate::checks::testkit::*;
    use crate::model::Origin;

    #[test]
    fn controls_fail_pass_or_are_not_evaluated() {
        let mut k = Kit::new();
        let a = k.sp("a", Origin::Home);
        k.sp("b", Origin::Home);
        let inv = k.finish();
        let finding = crate::checks::Finding::new(
            "ENTRA-012",
            Severity::Medium,
            a,
            "k",
            String::new(),
            Default::default(),
        );
        let owasp = view(&inv, &[finding.into()], Framework::OwaspNhi);
        let control = |id: &str| owasp.controls.iter().find(|c| c.id == id).unwrap();
        let meta = crate::checks::meta::lookup("ENTRA-012").unwrap();
        let failed = control(&meta.owasp[0]);
        assert_eq!(failed.status, Status::Fail);
        assert_eq!(
            (failed.evaluated, failed.failing, failed.passing),
            (2, 1, 1)
        );
        assert!(failed.checks.contains(&"ENTRA-012"));
        // Every control has Entra checks, and nothing else fired: they pass.
        let passed = owasp
            .controls
            .iter()
            .filter(|c| c.status == Status::Pass)
            .count();
        assert!(passed > 0);

        let nist = view(&inv, &[], Framework::NistCsf);
        assert!(
            nist.controls
                .iter()
                .all(|c| c.status != Status::Fail && c.failing == 0)
        );
    }
}
