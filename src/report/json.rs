//! JSON output: the [`Report`](super::Report) serialised as documented in
//! docs/json-report.md. Key order follows the structs.
//!
//! Findings and the risk list are the bulk of a large report, so they are rendered
//! in parallel chunks at the right depth of serde_json's pretty layout: risk
//! entries through serde with a formatter that continues that layout, findings
//! written directly in it (`write_finding`). The result is byte-identical to
//! serialising the whole report at once.

use std::io::{self, Write};

use rayon::prelude::*;
use serde::Serialize;
use serde_json::ser::{Formatter, Serializer};

use super::{FindingOut, Report};
use crate::json_string;

/// Writes any report document as pretty JSON with a trailing newline.
pub fn write<T: Serialize>(doc: &T, out: &mut dyn Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, doc)?;
    out.write_all(b"\n")
}

/// Findings per parallel serialisation task: small enough that a few thousand
/// findings still spread over every core, and that a task's buffer (about 40 KB)
/// is one the allocator hands out again to the next task. Buffers of 256 findings
/// (330 KB) were freed on the writing thread, away from the thread that made them,
/// and stayed resident: the render stage added 20 MiB to the peak at 490,000
/// findings (docs/performance.md).
const CHUNK: usize = 32;

/// Writes the risk report: the head (every field but `findings`), then the
/// findings. The two long lists, `risk` (one entry per identity at risk) and
/// `findings`, are serialised in parallel chunks, and each batch of findings is
/// written while the next one is rendered.
pub fn write_report(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    write_report_chunked(report, out, CHUNK)
}

fn write_report_chunked(report: &Report, out: &mut dyn Write, chunk_len: usize) -> io::Result<()> {
    // Batches of chunks bound the memory held in rendered-but-unwritten bytes.
    let batch = chunk_len * 4 * rayon::current_num_threads();
    let findings = report.findings;
    let render_findings = |group: std::ops::Range<usize>| -> io::Result<Vec<Vec<u8>>> {
        let parts: Vec<std::ops::Range<usize>> = (group.start..group.end)
            .step_by(chunk_len)
            .map(|start| start..(start + chunk_len).min(group.end))
            .collect();
        parts
            .into_par_iter()
            .map(|part| Ok(render_findings(findings.range(part))))
            .collect()
    };
    let render_risk = |items: &[super::risk::IdentityRisk]| -> io::Result<Vec<Vec<u8>>> {
        items
            .par_chunks(chunk_len)
            .map(|chunk| render_chunk(chunk.iter(), 384))
            .collect()
    };
    let mut risk = report.risk.chunks(batch);
    // The head is rendered while the first batch of the risk list is.
    let (head, first_risk) = rayon::join(
        || serde_json::to_vec_pretty(&report.head_without_risk()),
        || risk.next().map(render_risk),
    );
    let head = head?;
    // `head` has `"risk": []` where the list goes, and ends with "\n}", before
    // which the findings go.
    const SLOT: &[u8] = b"\n  \"risk\": []";
    let slot = memchr::memmem::find(&head, SLOT)
        .ok_or_else(|| io::Error::other("the report head has no risk field"))?;
    let value_at = slot + SLOT.len() - 2;
    out.write_all(&head[..value_at])?;
    write_list(out, risk, first_risk.transpose()?, render_risk)?;
    out.write_all(&head[value_at + 2..head.len() - 2])?;
    out.write_all(b",\n  \"findings\": ")?;
    write_list(out, findings.chunks(batch), None, render_findings)?;
    out.write_all(b"\n}\n")
}

/// Writes a list at depth 1 as serde_json's pretty printer lays it out (`[]` when
/// empty): its batches are rendered into chunks of items, each batch written
/// while the next one renders, so that only two batches are held at a time.
fn write_list<B: Send>(
    out: &mut dyn Write,
    batches: impl Iterator<Item = B>,
    first: Option<Vec<Vec<u8>>>,
    render: impl Fn(B) -> io::Result<Vec<Vec<u8>>> + Sync,
) -> io::Result<()> {
    out.write_all(b"[")?;
    let mut empty = true;
    super::pipeline::pipeline(batches, first, render, |chunks| {
        for bytes in &chunks {
            out.write_all(if empty { b"\n    " } else { b",\n    " })?;
            out.write_all(bytes)?;
            empty = false;
        }
        Ok(())
    })?;
    out.write_all(if empty { b"]" } else { b"\n  ]" })
}

/// Items at depth 2, separated as serde_json's pretty printer separates them.
/// `per_item` is the expected size of one item, to allocate once.
fn render_chunk<T: Serialize>(
    chunk: impl ExactSizeIterator<Item = T>,
    per_item: usize,
) -> io::Result<Vec<u8>> {
    let mut buf = Vec::with_capacity(chunk.len() * per_item);
    for (i, f) in chunk.enumerate() {
        if i > 0 {
            buf.extend_from_slice(b",\n    ");
        }
        let mut ser = Serializer::with_formatter(&mut buf, Pretty::at(2));
        f.serialize(&mut ser)?;
    }
    Ok(buf)
}

/// Findings at depth 2, laid out as serde_json's pretty printer lays out
/// [`FindingOut`] (key order, indentation, escapes), but written directly:
/// serde_json escapes strings a byte at a time, which was most of the JSON
/// writer's time on a large report. A finding with a suppression goes through
/// serde for that field. A unit test compares the output with serde's for every
/// finding of testdata, so a field added to `FindingOut` and not here fails it.
fn render_findings<'a>(chunk: impl ExactSizeIterator<Item = FindingOut<'a>>) -> Vec<u8> {
    let mut buf = Vec::with_capacity(chunk.len() * 1280);
    for (i, f) in chunk.enumerate() {
        if i > 0 {
            buf.extend_from_slice(b",\n    ");
        }
        write_finding(&mut buf, &f);
    }
    buf
}

fn write_finding(buf: &mut Vec<u8>, f: &FindingOut) {
    const FIELD: &[u8] = b"\n      \"";
    let field = |buf: &mut Vec<u8>, key: &str, first: bool| {
        if !first {
            buf.push(b',');
        }
        buf.extend_from_slice(FIELD);
        buf.extend_from_slice(key.as_bytes());
        buf.extend_from_slice(b"\": ");
    };
    let list = |buf: &mut Vec<u8>, items: &[String]| {
        if items.is_empty() {
            buf.extend_from_slice(b"[]");
            return;
        }
        buf.push(b'[');
        for (k, item) in items.iter().enumerate() {
            if k > 0 {
                buf.push(b',');
            }
            buf.extend_from_slice(b"\n        ");
            json_string::push(buf, item);
        }
        buf.extend_from_slice(b"\n      ]");
    };
    buf.push(b'{');
    field(buf, "check_id", true);
    json_string::push(buf, f.check_id);
    field(buf, "title", false);
    json_string::push(buf, f.title);
    field(buf, "severity", false);
    json_string::push(buf, f.severity.as_str());
    field(buf, "provider", false);
    json_string::push(buf, f.provider);
    field(buf, "identity", false);
    let i = &f.identity;
    buf.extend_from_slice(b"{\n        \"id\": ");
    json_string::push(buf, i.id);
    buf.extend_from_slice(b",\n        \"name\": ");
    json_string::push(buf, i.name);
    buf.extend_from_slice(b",\n        \"kind\": ");
    json_string::push(buf, i.kind);
    buf.extend_from_slice(b",\n        \"provider\": ");
    json_string::push(buf, i.provider);
    buf.extend_from_slice(b"\n      }");
    field(buf, "message", false);
    json_string::push(buf, f.message);
    field(buf, "owasp_nhi", false);
    list(buf, f.owasp_nhi);
    field(buf, "nist_csf", false);
    list(buf, f.nist_csf);
    field(buf, "evidence", false);
    // Evidence is compact JSON, written as it is (serde writes it as a raw value).
    f.evidence.write_json(buf);
    field(buf, "location", false);
    buf.extend_from_slice(b"{\n        \"path\": ");
    json_string::push(buf, f.location.path);
    let _ = write!(buf, ",\n        \"line\": {}\n      }}", f.location.line);
    field(buf, "fingerprint", false);
    json_string::push(buf, f.fingerprint.as_str());
    if let Some(suppression) = f.suppression {
        field(buf, "suppression", false);
        let mut ser = Serializer::with_formatter(&mut *buf, Pretty::at(3));
        // Serialising a plain struct into a vector cannot fail.
        let _ = suppression.serialize(&mut ser);
    }
    if let Some(baseline) = f.baseline {
        field(buf, "baseline", false);
        json_string::push(buf, baseline);
    }
    buf.extend_from_slice(b"\n    }");
}

/// serde_json's pretty layout (two-space indent), starting at a given depth.
struct Pretty {
    indent: usize,
    has_value: bool,
}

impl Pretty {
    fn at(indent: usize) -> Pretty {
        Pretty {
            indent,
            has_value: false,
        }
    }

    fn newline<W: ?Sized + Write>(&self, w: &mut W) -> io::Result<()> {
        const SPACES: &[u8] = b"                                                                ";
        w.write_all(b"\n")?;
        let mut left = self.indent * 2;
        while left > 0 {
            let n = left.min(SPACES.len());
            w.write_all(&SPACES[..n])?;
            left -= n;
        }
        Ok(())
    }
}

impl Formatter for Pretty {
    fn begin_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.indent += 1;
        self.has_value = false;
        w.write_all(b"[")
    }

    fn end_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.indent -= 1;
        if self.has_value {
            self.newline(w)?;
        }
        w.write_all(b"]")
    }

    fn begin_array_value<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        if !first {
            w.write_all(b",")?;
        }
        self.newline(w)
    }

    fn end_array_value<W: ?Sized + Write>(&mut self, _w: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }

    fn begin_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.indent += 1;
        self.has_value = false;
        w.write_all(b"{")
    }

    fn end_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.indent -= 1;
        if self.has_value {
            self.newline(w)?;
        }
        w.write_all(b"}")
    }

    fn begin_object_key<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        if !first {
            w.write_all(b",")?;
        }
        self.newline(w)
    }

    fn begin_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        w.write_all(b": ")
    }

    fn end_object_value<W: ?Sized + Write>(&mut self, _w: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::Thresholds;

    #[derive(Serialize)]
    struct Whole<'a> {
        #[serde(flatten)]
        head: &'a Report<'a>,
        findings: &'a crate::report::Findings<'a>,
    }

    /// serde's layout of one finding at depth 2, the reference for [`write_finding`].
    fn serde_finding(f: &FindingOut) -> String {
        let mut buf = Vec::new();
        let mut ser = Serializer::with_formatter(&mut buf, Pretty::at(2));
        f.serialize(&mut ser).unwrap();
        String::from_utf8(buf).unwrap()
    }

    #[test]
    fn findings_are_written_as_serde_writes_them() {
        // All of testdata, each finding as found, in the baseline's two states and
        // with a suppression, and with strings that need every kind of escape.
        let scan = crate::checks::testkit::scan("testdata");
        let report = scan.report();
        let mut config = crate::config::Config::default();
        config
            .apply_ignore_file(
                "[[suppress]]\ncheck = \"ENTRA-001\"\nreason = \"Accepted \\\"risk\\\"\\ttab\"\n",
                "ignore \"file\".toml",
            )
            .unwrap();
        let suppression = &config.suppressions[0];
        let owasp = vec![String::new(), "a\u{1}b\u{1f}\u{7f}é".to_string()];
        assert!(report.findings.len() > 100);
        let all = report.findings;
        for n in 0..all.len() {
            let mut variants: Vec<FindingOut> = (0..4).map(|_| all.get(n)).collect();
            variants[1].baseline = Some("new");
            variants[2].baseline = Some("unchanged");
            variants[2].suppression = Some(suppression);
            variants[3].message =
                "quote \" backslash \\ \u{8}\u{c}\n\r\t ✓ long enough to span blocks";
            variants[3].owasp_nhi = &[];
            variants[3].nist_csf = &owasp;
            for v in variants {
                let mut ours = Vec::new();
                write_finding(&mut ours, &v);
                assert_eq!(String::from_utf8(ours).unwrap(), serde_finding(&v));
            }
        }
    }

    #[test]
    fn parallel_rendering_is_byte_identical_to_serde_pretty() {
        let demo = crate::checks::testkit::demo();
        let report = demo.report();
        assert!(report.findings.len() > 40);
        assert!(report.risk.len() > 4);
        let mut reference = serde_json::to_vec_pretty(&Whole {
            head: &report,
            findings: &report.findings,
        })
        .unwrap();
        reference.push(b'\n');
        // Several chunks and batches for both parallel lists, and one of each.
        for chunk_len in [1, 3, CHUNK] {
            let mut ours = Vec::new();
            write_report_chunked(&report, &mut ours, chunk_len).unwrap();
            assert_eq!(
                String::from_utf8(ours).unwrap(),
                String::from_utf8(reference.clone()).unwrap(),
                "chunks of {chunk_len}"
            );
        }

        let now = crate::checks::testkit::ts(crate::checks::testkit::NOW);
        let empty = Report::build(&demo.loaded.inventory, &[], &[], now, Thresholds::default());
        let mut ours = Vec::new();
        write_report(&empty, &mut ours).unwrap();
        let text = String::from_utf8(ours).unwrap();
        assert!(
            text.ends_with("\"findings\": []\n}\n"),
            "{}",
            &text[text.len() - 40..]
        );
        serde_json::from_str::<serde_json::Value>(&text).unwrap();
    }
}
