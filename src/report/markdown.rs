//! Markdown output for pull-request comments and GitHub step summaries: the
//! summary, the riskiest identities, the OWASP NHI view and the most severe
//! findings, kept under GitHub's comment limit.
//!
//! GitHub rejects comments over 65,536 characters, so findings are added until
//! [`BUDGET`] bytes are used and the rest are counted in a closing line. Text
//! from the exports is escaped: it cannot close a table cell, open a link or
//! inject HTML.

use std::fmt::Write as _;
use std::io::{self, Write};

use super::Report;
use super::compliance::Framework;

/// Bytes the document may use: GitHub's 65,536-character comment limit, less
/// room for a bot's own header.
pub const BUDGET: usize = 60_000;

/// Riskiest identities listed.
const TOP_IDENTITIES: usize = 10;

/// Writes the Markdown summary.
pub fn write(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    out.write_all(render(report, BUDGET).as_bytes())
}

fn render(report: &Report, budget: usize) -> String {
    let s = &report.summary;
    let mut md = String::new();
    let _ = writeln!(md, "## nhiscan report\n");
    let tenant = report
        .tenant
        .id
        .as_deref()
        .map(|t| format!(" · tenant `{}`", cell(t)))
        .unwrap_or_default();
    let _ = writeln!(
        md,
        "**{} findings** on {} of {} identities · {} input files{} · visibility score {}/100 · scanned at {}\n",
        s.findings,
        s.identities_with_findings,
        s.identities,
        report.inputs.len(),
        tenant,
        report.visibility.score,
        report.scanned_at
    );
    if !report.errors.is_empty() {
        let _ = writeln!(
            md,
            "> **{} input error(s)**; the report covers the files that were read.\n",
            report.errors.len()
        );
    }
    if let Some(g) = &report.gate {
        let _ = writeln!(
            md,
            "> {}\n",
            cell(g.summary.trim_start_matches("nhiscan: "))
        );
    }
    if !report.incomplete.is_empty() {
        let _ = writeln!(
            md,
            "> **Incomplete input** ({} gap(s)): {}\n",
            report.incomplete.len(),
            cell(&report.incomplete[0].reason)
        );
    }
    md.push_str("| Severity | Findings |\n|---|---:|\n");
    for sev in ["critical", "high", "medium", "low", "info"] {
        let n = s.by_severity.get(sev).copied().unwrap_or(0);
        let _ = writeln!(md, "| {sev} | {n} |");
    }

    if !report.risk.is_empty() {
        md.push_str("\n### Riskiest identities\n\n| Score | Identity | Provider | Kind | Critical | High | Medium | Low | Tier |\n|---:|---|---|---|---:|---:|---:|---:|---|\n");
        for r in report.risk.iter().take(TOP_IDENTITIES) {
            let [c, h, m, l] = r.counts;
            let _ = writeln!(
                md,
                "| {} | {} | {} | {} | {c} | {h} | {m} | {l} | {} |",
                r.score,
                cell(r.name),
                r.provider,
                r.kind,
                r.highest_tier
            );
        }
    }

    if let Some(view) = report
        .compliance
        .iter()
        .find(|v| v.framework == Framework::OwaspNhi)
    {
        let _ = writeln!(
            md,
            "\n### {}\n\n| Control | Status | Failing / evaluated identities | Findings |\n|---|---|---:|---:|",
            view.title
        );
        for c in &view.controls {
            let _ = writeln!(
                md,
                "| {} {} | {} | {} / {} | {} |",
                c.id,
                c.title,
                c.status.as_str(),
                c.failing,
                c.evaluated,
                c.findings
            );
        }
    }

    if report.findings.is_empty() {
        md.push_str("\nNo findings.\n");
        return md;
    }
    md.push_str("\n### Findings, most severe first\n\n| Severity | Check | Identity | Finding | Location |\n|---|---|---|---|---|\n");
    let closing_room = 200;
    let mut shown = 0;
    for f in report.findings.iter() {
        let row = format!(
            "| {} | {} | {} | {} | `{}:{}` |\n",
            f.severity.as_str(),
            f.check_id,
            cell(f.identity.name),
            cell(f.message),
            code(f.location.path),
            f.location.line
        );
        if md.len() + row.len() + closing_room > budget {
            break;
        }
        md.push_str(&row);
        shown += 1;
    }
    let rest = report.findings.len() - shown;
    if rest > 0 {
        let _ = writeln!(
            md,
            "\n… and {rest} more findings, not shown to stay within GitHub's comment size. The JSON, SARIF and HTML reports have all of them."
        );
    }
    md
}

/// A path for a code span inside a table cell: GFM still splits cells on `|`
/// there unless it is escaped, and a backtick would end the span.
fn code(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_control())
        .map(|c| match c {
            '`' => "'".to_string(),
            '|' => "\\|".to_string(),
            c => c.to_string(),
        })
        .collect()
}

/// Text from the exports, made safe for one Markdown table cell.
fn cell(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '|' => out.push_str("\\|"),
            '[' => out.push_str("\\["),
            ']' => out.push_str("\\]"),
            '*' => out.push_str("\\*"),
            '_' => out.push_str("\\_"),
            '`' => out.push_str("\\`"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\n' | '\r' | '\t' => out.push(' '),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{cell, render};
    use crate::checks::testkit::*;
    use crate::checks::{Finding, Severity, Thresholds};
    use crate::model::Origin;
    use crate::report::Report;

    #[test]
    fn findings_stop_at_the_budget_and_the_rest_are_counted() {
        let mut k = Kit::new();
        let mut findings = Vec::new();
        for i in 0..200 {
            let sp = k.sp(&format!("app-{i:03}"), Origin::Home);
            let mut f = Finding::new(
                "ENTRA-012",
                Severity::Medium,
                sp,
                "k",
                format!("secret of app-{i:03} is old"),
                Default::default(),
            );
            f.fingerprint = crate::checks::Fingerprint::from_ascii(&format!("{i:032}"));
            findings.push(crate::checks::Settled::from(f));
        }
        let inv = k.finish();
        let report = Report::build(&inv, &findings, &[], ts(NOW), Thresholds::default());
        let whole = render(&report, usize::MAX);
        assert!(!whole.contains("more findings"));
        let cut = render(&report, whole.len() / 2);
        assert!(cut.len() <= whole.len() / 2, "{} bytes", cut.len());
        let shown = cut
            .lines()
            .filter(|l| l.starts_with("| medium | ENTRA-012 |"))
            .count();
        assert!(shown > 0 && shown < 200);
        assert!(cut.contains(&format!("… and {} more findings", 200 - shown)));
    }

    #[test]
    fn cells_cannot_break_the_table_or_inject_markup() {
        assert_eq!(
            cell("a|b [x](http://e) <img src=x>\nnext"),
            "a\\|b \\[x\\](http://e) &lt;img src=x&gt; next"
        );
        assert_eq!(cell("plain name"), "plain name");
    }
}
