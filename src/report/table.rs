//! Terminal tables (comfy-table). Colour only when asked for (a TTY without
//! `NO_COLOR`); a fixed width when writing to a file, so output is deterministic.

use std::io::Write;

use comfy_table::{Cell, Color, ContentArrangement, Table, presets::UTF8_FULL_CONDENSED};

use super::Report;
use super::inventory::InventoryReport;
use crate::checks::Severity;
use crate::checks::meta::CheckMeta;

/// How to lay tables out.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    pub color: bool,
    /// Terminal width; `None` for a fixed width.
    pub width: Option<u16>,
}

const FIXED_WIDTH: u16 = 160;

/// The most findings a table lists; the rest are counted, and JSON has them all.
pub const MAX_TABLE_ROWS: usize = 1000;

fn table(style: Style) -> Table {
    let mut t = Table::new();
    t.load_style(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_width(style.width.unwrap_or(FIXED_WIDTH));
    if style.color {
        t.enforce_styling();
    } else {
        t.force_no_tty();
    }
    t
}

fn severity_cell(s: Severity, style: Style) -> Cell {
    let cell = Cell::new(s.as_str());
    if !style.color {
        return cell;
    }
    match s {
        Severity::Critical => cell.fg(Color::Magenta),
        Severity::High => cell.fg(Color::Red),
        Severity::Medium => cell.fg(Color::Yellow),
        Severity::Low => cell.fg(Color::Cyan),
        Severity::Info => cell,
    }
}

fn problems(
    out: &mut dyn Write,
    skipped: &[crate::model::Skipped],
    errors: &[super::ErrorEntry],
    notes: &[String],
) -> std::io::Result<()> {
    for e in errors {
        writeln!(out, "error: {}", e.message)?;
    }
    for s in skipped {
        writeln!(out, "skipped: {}: {}", s.path, s.reason)?;
    }
    for n in notes {
        writeln!(out, "note: {n}")?;
    }
    Ok(())
}

/// The risk report: findings, then a summary line.
pub fn write_report(r: &Report, style: Style, out: &mut dyn Write) -> std::io::Result<()> {
    let tenant = r.tenant.id.as_deref().unwrap_or("unknown");
    writeln!(
        out,
        "nhiscan {} · tenant {tenant} · {} input file(s) · clock {}",
        r.tool.version,
        r.inputs.len(),
        r.scanned_at
    )?;
    if !r.findings.is_empty() {
        let mut t = table(style);
        t.set_header([
            "Severity", "Check", "Identity", "Finding", "OWASP", "Source",
        ]);
        for f in r.findings.iter().take(MAX_TABLE_ROWS) {
            t.add_row(vec![
                severity_cell(f.severity, style),
                Cell::new(f.check_id),
                Cell::new(f.identity.name),
                Cell::new(match (f.suppression, f.baseline) {
                    (Some(s), _) => format!("{} [suppressed: {}]", f.message, s.reason),
                    (None, Some("unchanged")) => format!("{} [in baseline]", f.message),
                    _ => f.message.to_string(),
                }),
                Cell::new(f.owasp_nhi.join(" ")),
                Cell::new(format!("{}:{}", f.location.path, f.location.line)),
            ]);
        }
        writeln!(out, "{t}")?;
        if r.findings.len() > MAX_TABLE_ROWS {
            writeln!(
                out,
                "… {} more finding(s) not shown in the table (the {MAX_TABLE_ROWS} most severe are); use --format json for all",
                r.findings.len() - MAX_TABLE_ROWS
            )?;
        }
    }
    if !r.risk.is_empty() {
        let mut t = table(style);
        t.set_header([
            "Risk", "Identity", "Provider", "Kind", "Crit", "High", "Med", "Low", "Tier",
        ]);
        for x in r.risk.iter().take(RISK_ROWS) {
            let [c, h, m, l] = x.counts;
            t.add_row(vec![
                Cell::new(x.score),
                Cell::new(x.name),
                Cell::new(x.provider),
                Cell::new(x.kind),
                Cell::new(c),
                Cell::new(h),
                Cell::new(m),
                Cell::new(l),
                Cell::new(x.highest_tier),
            ]);
        }
        writeln!(
            out,
            "Riskiest identities ({} of {} scored; docs/reports.md explains the score)",
            r.risk.len().min(RISK_ROWS),
            r.risk.len()
        )?;
        writeln!(out, "{t}")?;
    }
    for view in &r.compliance {
        write_compliance(view, style, out)?;
    }
    problems(out, &r.skipped, &r.errors, &r.notes)?;
    triage_lines(r, out)?;
    let counts: Vec<String> = Severity::ALL
        .iter()
        .map(|s| format!("{} {}", r.summary.by_severity[s.as_str()], s.as_str()))
        .collect();
    writeln!(
        out,
        "{} finding(s) on {} of {} identities ({}) · visibility score {}/100",
        r.summary.findings,
        r.summary.identities_with_findings,
        r.summary.identities,
        counts.join(", "),
        r.visibility.score
    )
}

/// Input gaps, suppressions that need attention, and what the baseline says.
fn triage_lines(r: &Report, out: &mut dyn Write) -> std::io::Result<()> {
    for g in &r.incomplete {
        writeln!(out, "incomplete input ({}): {}", g.provider, g.reason)?;
    }
    for o in &r.suppressions {
        match o.status {
            crate::triage::SuppressionStatus::Expired => writeln!(
                out,
                "expired suppression {} (expired {}, {} finding(s) match it): {}",
                o.suppression.source,
                o.suppression.expires.as_deref().unwrap_or("?"),
                o.matched,
                o.suppression.reason
            )?,
            crate::triage::SuppressionStatus::Stale => writeln!(
                out,
                "stale suppression {} (matches no finding): {}",
                o.suppression.source, o.suppression.reason
            )?,
            crate::triage::SuppressionStatus::Active => {}
        }
    }
    if let Some(b) = &r.baseline {
        writeln!(
            out,
            "baseline {}: {} new, {} unchanged, {} fixed",
            b.path,
            b.new,
            b.unchanged,
            b.fixed.len()
        )?;
        for e in b.fixed {
            writeln!(
                out,
                "  fixed: {} {} ({})",
                e.check_id, e.name, e.fingerprint
            )?;
        }
    }
    Ok(())
}

/// Identities listed in the table's risk section.
const RISK_ROWS: usize = 10;

/// One framework's compliance view: a row per control.
pub fn write_compliance(
    view: &super::compliance::FrameworkView,
    style: Style,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    let mut t = table(style);
    t.set_header([
        "Control",
        "Status",
        "Failing",
        "Passing",
        "Evaluated",
        "Findings",
        "Checks",
    ]);
    for c in &view.controls {
        t.add_row(vec![
            Cell::new(format!("{} {}", c.id, c.title)),
            Cell::new(c.status.as_str()),
            Cell::new(c.failing),
            Cell::new(c.passing),
            Cell::new(c.evaluated),
            Cell::new(c.findings),
            Cell::new(c.checks.len()),
        ]);
    }
    writeln!(out, "{}", view.title)?;
    writeln!(out, "{t}")
}

/// The visibility report: coverage per provider and kind, then a summary line.
pub fn write_inventory(
    r: &InventoryReport,
    style: Style,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    let tenant = r.tenant.id.as_deref().unwrap_or("unknown");
    writeln!(
        out,
        "nhiscan {} · tenant {tenant} · {} input file(s) · clock {}",
        r.tool.version,
        r.inputs.len(),
        r.scanned_at
    )?;
    let mut t = table(style);
    t.set_header([
        "Provider",
        "Kind",
        "NHIs",
        "1st-party",
        "3rd-party",
        "Owned",
        "Last-use data",
        "Unused",
        "Secret/Cert/Fed/Key",
        "Past policy",
        "Expiring ≤90d",
        "Score",
    ]);
    for g in &r.visibility.groups {
        t.add_row(vec![
            g.provider.clone(),
            g.kind.clone(),
            g.total.to_string(),
            g.first_party.to_string(),
            g.third_party.to_string(),
            format!("{}/{} ({}%)", g.owned, g.ownable, g.owned_pct),
            format!(
                "{}/{} ({}%)",
                g.with_last_use, g.usable, g.with_last_use_pct
            ),
            format!("{} ({}%)", g.unused, g.unused_pct),
            format!(
                "{}/{}/{}/{}",
                g.credentials.secret,
                g.credentials.certificate,
                g.credentials.federated,
                g.credentials.access_key
            ),
            format!(
                "{}/{} ({}%)",
                g.past_policy, g.expiring_credentials, g.past_policy_pct
            ),
            g.expiring_within_90_days.to_string(),
            g.score.to_string(),
        ]);
    }
    writeln!(out, "{t}")?;
    problems(out, &r.skipped, &r.errors, &r.notes)?;
    for g in &r.incomplete {
        writeln!(out, "incomplete input ({}): {}", g.provider, g.reason)?;
    }
    writeln!(
        out,
        "{} NHIs · visibility score {}/100 (owners 40%, last-use data 40%, credentials within policy 20%; see docs/visibility.md)",
        r.identities.len(),
        r.visibility.score
    )
}

/// The check catalog.
pub fn write_catalog(
    metas: &[CheckMeta],
    style: Style,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    let mut t = table(style);
    t.set_header(["ID", "Severity", "Title", "OWASP", "NIST"]);
    for m in metas {
        t.add_row(vec![
            Cell::new(&m.id),
            severity_cell(m.severity, style),
            Cell::new(&m.title),
            Cell::new(m.owasp.join(" ")),
            Cell::new(m.nist.join(" ")),
        ]);
    }
    writeln!(out, "{t}")?;
    writeln!(out, "{} checks", metas.len())
}

/// One check in full.
pub fn write_explain(m: &CheckMeta, out: &mut dyn Write) -> std::io::Result<()> {
    writeln!(out, "{} {} ({})", m.id, m.name, m.severity.as_str())?;
    writeln!(out, "{}\n", m.title)?;
    writeln!(out, "What it detects\n  {}\n", m.description.trim())?;
    writeln!(out, "Why it matters\n  {}\n", m.rationale.trim())?;
    writeln!(out, "Remediation\n{}\n", indent(m.remediation.trim()))?;
    writeln!(out, "OWASP NHI Top 10: {}", m.owasp.join(", "))?;
    writeln!(out, "NIST CSF 2.0:     {}", m.nist.join(", "))?;
    if !m.cis.is_empty() {
        writeln!(out, "CIS:              {}", m.cis.join(", "))?;
    }
    if !m.attack.is_empty() {
        writeln!(out, "MITRE ATT&CK:     {}", m.attack.join(", "))?;
    }
    for r in &m.references {
        writeln!(out, "Reference:        {r}")?;
    }
    Ok(())
}

fn indent(s: &str) -> String {
    s.lines()
        .map(|l| format!("  {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}
