//! CSV output: one row per finding, in report order, with a fixed header.
//!
//! The columns are part of the contract (docs/reports.md): new columns are only
//! ever appended. Lists (OWASP, NIST ids) are joined with `;`, and the evidence
//! is one compact JSON object, so a spreadsheet keeps one finding per row.
//!
//! Identity names and messages come from the exports, which an attacker can
//! influence (a third-party app names itself). A cell starting with `=`, `+`,
//! `-`, `@`, tab or carriage return would run as a spreadsheet formula, so such
//! cells get a leading `'` (OWASP's CSV-injection advice).

use std::io::{self, Write};

use super::Report;

/// The header, in column order.
pub const COLUMNS: [&str; 17] = [
    "severity",
    "check_id",
    "title",
    "provider",
    "identity_kind",
    "identity_name",
    "identity_id",
    "message",
    "owasp_nhi",
    "nist_csf",
    "file",
    "line",
    "fingerprint",
    "evidence",
    "risk_score",
    "suppressed_reason",
    "baseline",
];

/// Writes the findings as CSV (RFC 4180 quoting, `\n` line ends).
pub fn write(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let scores: std::collections::HashMap<(&str, &str), u32> = report
        .risk
        .iter()
        .map(|r| ((r.provider, r.id), r.score))
        .collect();
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(out);
    w.write_record(COLUMNS)?;
    for f in report.findings.iter() {
        let evidence = serde_json::to_string(f.evidence)?;
        let score = scores
            .get(&(f.identity.provider, f.identity.id))
            .map(u32::to_string)
            .unwrap_or_default();
        let line = f.location.line.to_string();
        let record = [
            f.severity.as_str(),
            f.check_id,
            f.title,
            f.provider,
            f.identity.kind,
            f.identity.name,
            f.identity.id,
            f.message,
            &f.owasp_nhi.join(";"),
            &f.nist_csf.join(";"),
            f.location.path,
            &line,
            f.fingerprint,
            &evidence,
            &score,
            f.suppression.map_or("", |s| s.reason.as_str()),
            f.baseline.unwrap_or(""),
        ];
        let cells: Vec<_> = record.iter().map(|cell| defuse(cell)).collect();
        w.write_record(cells.iter().map(|c| c.as_bytes()))?;
    }
    w.flush()
}

/// The cell, with a leading `'` when a spreadsheet would read it as a formula.
fn defuse(cell: &str) -> std::borrow::Cow<'_, str> {
    match cell.as_bytes().first() {
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r') => format!("'{cell}").into(),
        _ => cell.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::defuse;

    #[test]
    fn formula_cells_are_defused_and_others_kept() {
        assert_eq!(defuse("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(defuse("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(defuse("-1+2"), "'-1+2");
        assert_eq!(defuse("Contoso app"), "Contoso app");
        assert_eq!(defuse(""), "");
    }
}
