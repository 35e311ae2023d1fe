//! JSON output: the [`Report`](super::Report) serialised as documented in
//! docs/json-report.md. Key order follows the structs.
//!
//! Findings are the bulk of a large report, so they are serialised in parallel
//! chunks with a formatter that continues serde_json's pretty layout at the right
//! depth; the result is byte-identical to serialising the whole report at once.

use std::io::{self, Write};

use rayon::prelude::*;
use serde::Serialize;
use serde_json::ser::{Formatter, Serializer};

use super::Report;

/// Writes any report document as pretty JSON with a trailing newline.
pub fn write<T: Serialize>(doc: &T, out: &mut dyn Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, doc)?;
    out.write_all(b"\n")
}

/// Findings per parallel serialisation task: small enough that a few thousand
/// findings still spread over every core.
const CHUNK: usize = 256;

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
    let mut groups = findings.chunks(batch);
    let render_group = |group: std::ops::Range<usize>| -> io::Result<Vec<Vec<u8>>> {
        let parts: Vec<std::ops::Range<usize>> = (group.start..group.end)
            .step_by(chunk_len)
            .map(|start| start..(start + chunk_len).min(group.end))
            .collect();
        parts
            .into_par_iter()
            .map(|part| render_chunk(findings.range(part), 1280))
            .collect()
    };
    // The head, its risk list and the first batch of findings are rendered at once.
    let ((head, risk), first_group) = rayon::join(
        || {
            rayon::join(
                || serde_json::to_vec_pretty(&report.head_without_risk()),
                || render_array(&report.risk, chunk_len * 4),
            )
        },
        || groups.next().map(render_group),
    );
    let head = head?;
    // `head` has `"risk": []` where the list goes, and ends with "\n}", before
    // which the findings go.
    const SLOT: &[u8] = b"\n  \"risk\": []";
    let slot = memchr::memmem::find(&head, SLOT)
        .ok_or_else(|| io::Error::other("the report head has no risk field"))?;
    let value_at = slot + SLOT.len() - 2;
    out.write_all(&head[..value_at])?;
    for piece in risk? {
        out.write_all(&piece)?;
    }
    out.write_all(&head[value_at + 2..head.len() - 2])?;
    out.write_all(b",\n  \"findings\": [")?;
    let mut first = true;
    super::pipeline::pipeline(groups, first_group.transpose()?, render_group, |chunks| {
        for bytes in &chunks {
            out.write_all(if first { b"\n    " } else { b",\n    " })?;
            out.write_all(bytes)?;
            first = false;
        }
        Ok(())
    })?;
    out.write_all(if first { b"]\n}\n" } else { b"\n  ]\n}\n" })
}

/// A list at depth 1 as serde_json's pretty printer lays it out (`[]` when
/// empty), its items serialised in parallel chunks: the pieces, to write in order.
fn render_array<T: Serialize + Sync>(items: &[T], chunk_len: usize) -> io::Result<Vec<Vec<u8>>> {
    if items.is_empty() {
        return Ok(vec![b"[]".to_vec()]);
    }
    let chunks: Vec<Vec<u8>> = items
        .par_chunks(chunk_len)
        .map(|chunk| render_chunk(chunk.iter(), 384))
        .collect::<io::Result<_>>()?;
    let mut pieces = Vec::with_capacity(2 * chunks.len() + 1);
    for (i, chunk) in chunks.into_iter().enumerate() {
        pieces.push(if i == 0 {
            b"[\n    ".to_vec()
        } else {
            b",\n    ".to_vec()
        });
        pieces.push(chunk);
    }
    pieces.push(b"\n  ]".to_vec());
    Ok(pieces)
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

    #[test]
    fn parallel_rendering_is_byte_identical_to_serde_pretty() {
        let (loaded, findings) = crate::checks::testkit::demo_scan();
        let now = crate::checks::testkit::ts(crate::checks::testkit::NOW);
        let report = Report::build(
            &loaded.inventory,
            &findings,
            &[],
            now,
            Thresholds::default(),
        );
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

        let empty = Report::build(&loaded.inventory, &[], &[], now, Thresholds::default());
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
