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
use std::ops::Range;

use rayon::prelude::*;
use rustc_hash::FxHashMap as HashMap;

use super::Report;
use crate::checks::meta::ALL_META;

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

/// Findings per parallel rendering task: each task's buffer (about 20 KB) is small
/// enough for the allocator to reuse from task to task (see `report::json`'s
/// `CHUNK`).
const CHUNK: usize = 32;

/// Writes the findings as CSV (RFC 4180 quoting, `\n` line ends). Rows are
/// rendered in parallel chunks, each batch written while the next renders.
pub fn write(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    write_chunked(report, out, CHUNK)
}

fn write_chunked(report: &Report, out: &mut dyn Write, chunk_len: usize) -> io::Result<()> {
    let scores: HashMap<(&str, &str), u32> = report
        .risk
        .iter()
        .map(|r| ((r.provider, r.id), r.score))
        .collect();
    // Each check's framework ids, joined once.
    let frameworks: HashMap<&str, [String; 2]> = ALL_META
        .iter()
        .map(|m| (m.id.as_str(), [m.owasp.join(";"), m.nist.join(";")]))
        .collect();
    let mut header = writer(Vec::new());
    header.write_record(COLUMNS)?;
    out.write_all(&into_bytes(header)?)?;
    let findings = report.findings;
    let render_batch = |batch: Vec<Range<usize>>| -> io::Result<Vec<Vec<u8>>> {
        batch
            .into_par_iter()
            .map(|range| rows(report, &scores, &frameworks, range))
            .collect()
    };
    let mut chunks = findings.chunks(chunk_len).peekable();
    let per_batch = 4 * rayon::current_num_threads();
    let next_batch = || -> Option<Vec<Range<usize>>> {
        chunks.peek()?;
        Some(chunks.by_ref().take(per_batch).collect())
    };
    super::pipeline::pipeline(
        std::iter::from_fn(next_batch),
        None,
        render_batch,
        |rendered| rendered.iter().try_for_each(|bytes| out.write_all(bytes)),
    )?;
    out.flush()
}

fn writer(buf: Vec<u8>) -> csv::Writer<Vec<u8>> {
    csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(buf)
}

fn into_bytes(w: csv::Writer<Vec<u8>>) -> io::Result<Vec<u8>> {
    w.into_inner().map_err(|e| io::Error::other(e.to_string()))
}

/// The rows of the findings at `range`.
fn rows(
    report: &Report,
    scores: &HashMap<(&str, &str), u32>,
    frameworks: &HashMap<&str, [String; 2]>,
    range: Range<usize>,
) -> io::Result<Vec<u8>> {
    // Rows are about 570 bytes: one allocation for the whole chunk.
    let mut out = Vec::with_capacity(range.len() * 640);
    for f in report.findings.range(range) {
        let evidence = f.evidence.to_json();
        let score = scores
            .get(&(f.identity.provider, f.identity.id))
            .map(u32::to_string)
            .unwrap_or_default();
        let line = f.location.line.to_string();
        let joined;
        let [owasp, nist] = match frameworks.get(f.check_id) {
            Some(both) => both,
            None => {
                joined = [f.owasp_nhi.join(";"), f.nist_csf.join(";")];
                &joined
            }
        };
        let record = [
            f.severity.as_str(),
            f.check_id,
            f.title,
            f.provider,
            f.identity.kind,
            f.identity.name,
            f.identity.id,
            f.message,
            owasp,
            nist,
            f.location.path,
            &line,
            f.fingerprint.as_str(),
            &evidence,
            &score,
            f.suppression.map_or("", |s| s.reason.as_str()),
            f.baseline.unwrap_or(""),
        ];
        push_row(&mut out, &record);
    }
    Ok(out)
}

/// Appends a row of defused cells ([`defuse`]), quoted as the `csv` crate quotes
/// them by default (written by hand: the crate's writer was most of this
/// format's time): a cell holding a comma, a quote, a carriage return or a line
/// feed goes in quotes, with its quotes doubled. Rows end with `\n`.
fn push_row(out: &mut Vec<u8>, cells: &[&str]) {
    for (k, cell) in cells.iter().enumerate() {
        if k > 0 {
            out.push(b',');
        }
        let cell = defuse(cell);
        let bytes = cell.as_bytes();
        if !bytes
            .iter()
            .any(|b| matches!(b, b',' | b'"' | b'\r' | b'\n'))
        {
            out.extend_from_slice(bytes);
            continue;
        }
        out.push(b'"');
        for (n, piece) in bytes.split(|&b| b == b'"').enumerate() {
            if n > 0 {
                out.extend_from_slice(b"\"\"");
            }
            out.extend_from_slice(piece);
        }
        out.push(b'"');
    }
    out.push(b'\n');
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
    use super::*;

    /// The `csv` crate's row for the same defused cells: the reference for
    /// [`push_row`].
    fn crate_row(cells: &[&str]) -> Vec<u8> {
        let mut w = writer(Vec::new());
        w.write_record(cells.iter().map(|c| defuse(c).into_owned()))
            .unwrap();
        into_bytes(w).unwrap()
    }

    #[test]
    fn rows_are_quoted_as_the_csv_crate_quotes_them() {
        let cells = [
            "plain",
            "",
            "a,b",
            "say \"hi\"",
            "\"",
            "line\nbreak",
            "cr\r",
            "=SUM(A1)",
            "+1",
            "-x",
            "@cmd",
            "\tlead",
            "\rlead",
            "é ✓",
            "'quoted'",
            "a;b",
            " spaced ",
        ];
        let mut ours = Vec::new();
        push_row(&mut ours, &cells);
        assert_eq!(
            String::from_utf8(ours).unwrap(),
            String::from_utf8(crate_row(&cells)).unwrap()
        );
    }

    proptest::proptest! {
        #[test]
        fn any_row_is_quoted_as_the_csv_crate_quotes_it(
            cells in proptest::collection::vec("([,\"\r\n=+@\t' -]|\\PC){0,12}", 2..20)
        ) {
            let cells: Vec<&str> = cells.iter().map(String::as_str).collect();
            let mut ours = Vec::new();
            push_row(&mut ours, &cells);
            proptest::prop_assert_eq!(ours, crate_row(&cells));
        }
    }

    #[test]
    fn chunked_rendering_gives_the_same_bytes_for_any_chunk_size() {
        let demo = crate::checks::testkit::demo();
        let report = demo.report();
        assert!(report.findings.len() > 40);
        let render = |chunk_len| {
            let mut out = Vec::new();
            write_chunked(&report, &mut out, chunk_len).unwrap();
            String::from_utf8(out).unwrap()
        };
        let whole = render(usize::MAX);
        let rows = ::csv::Reader::from_reader(whole.as_bytes())
            .records()
            .count();
        assert_eq!(rows, report.findings.len());
        for chunk_len in [1, 7, 64] {
            assert_eq!(render(chunk_len), whole, "chunks of {chunk_len}");
        }
    }

    #[test]
    fn formula_cells_are_defused_and_others_kept() {
        assert_eq!(defuse("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(defuse("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(defuse("-1+2"), "'-1+2");
        assert_eq!(defuse("Contoso app"), "Contoso app");
        assert_eq!(defuse(""), "");
    }
}
