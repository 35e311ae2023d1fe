//! JSON output: the [`Report`](super::Report) serialised as documented in
//! docs/json-report.md. Key order follows the structs, maps are sorted.

use std::io::Write;

use serde::Serialize;

/// Writes any report document as pretty JSON with a trailing newline.
pub fn write<T: Serialize>(doc: &T, out: &mut dyn Write) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, doc)?;
    out.write_all(b"\n")
}
