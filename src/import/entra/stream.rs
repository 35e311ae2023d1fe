//! Large Entra exports read in blocks instead of whole.
//!
//! A tenant of 100,000 service principals exports a 140 MB `servicePrincipals`
//! page and a 110 MB `applications` page. Holding both texts while their records
//! are built was most of a scan's peak memory. A large file whose shape is a plain
//! array (`az`, `ConvertTo-Json`) or one Graph page (`{"@odata.context": ...,
//! "value": [...]}`) is read here a block at a time: the complete objects of each
//! block are parsed (in parallel chunks, as [`super::parse`] does) and the block's
//! text is dropped before the next one is read. Objects keep their lines in the
//! file, and the records are the ones the whole-file reader makes.
//!
//! Anything else is left to the whole-file reader, which also reports every
//! problem, in the order it meets them and with its exact position: a shape this
//! reader does not take, a non-UTF-8 encoding, content detected as another
//! provider's, a syntax error, an object cut by `ConvertTo-Json`'s depth, or
//! trailing content after the list. [`read`] then answers `None`, having read only
//! what it needed to decide.

use std::io::Read;
use std::sync::LazyLock;

use regex::Regex;
use serde::Deserialize;
use serde_json::value::RawValue;
use sha2::{Digest, Sha256};

use super::records::FileRecords;
use super::{Context, Kind, all_users, context, objects, parse_items, shape_name};
use crate::import::json::LineIndex;

/// Bytes read at a time.
pub const BLOCK: usize = 16 << 20;

/// The most a file may hold after its list (a page's `@odata.nextLink` and brace).
const TAIL_MAX: usize = 64 << 10;

/// Objects the detection step looks at (the sniffers read no more).
const HEAD_ITEMS: usize = 64;

/// What a streamed file gave: its records and the SHA-256 of its bytes.
pub struct Streamed {
    pub records: FileRecords,
    pub sha256: String,
}

/// Where the list starts: after `[` of a top-level array, or after the `[` of a
/// Graph page that begins with its `@odata.context` and then `value`. The strings
/// hold neither escapes nor control characters (JSON forbids the latter raw).
static PAGE_HEAD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"^[ \t\n\r]*\{[ \t\n\r]*"@odata\.context"[ \t\n\r]*:[ \t\n\r]*"([^"\\\x00-\x1F]*)"[ \t\n\r]*,[ \t\n\r]*"value"[ \t\n\r]*:[ \t\n\r]*\["#)
        .expect("static regex")
});
static ARRAY_HEAD: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[ \t\n\r]*\[").expect("static regex"));
/// What may follow a page's list: more `@odata.*` scalars, then the closing brace.
static PAGE_TAIL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"^[ \t\n\r]*(,[ \t\n\r]*"@odata\.[A-Za-z]+"[ \t\n\r]*:[ \t\n\r]*("[^"\\\x00-\x1F]*"|[0-9]+)[ \t\n\r]*)*\}[ \t\n\r]*$"#)
        .expect("static regex")
});

/// Reads `input` in blocks of `block` bytes when it is a list of Entra objects;
/// `None` when the whole-file reader must read it instead.
pub fn read(mut input: impl Read, block: usize, file: u32, path: &str) -> Option<Streamed> {
    let mut hasher = Sha256::new();
    let mut buf: Vec<u8> = Vec::with_capacity(block + block / 4);
    let mut eof = false;
    // Fill the first block, and make sure the head is whole.
    while !eof && buf.len() < block.max(4096) {
        eof = fill(&mut input, &mut buf, block, &mut hasher)?;
    }
    let bom = if buf.starts_with(b"\xEF\xBB\xBF") {
        3
    } else {
        0
    };
    // UTF-16 (with or without its mark) is decoded by the whole-file reader.
    if buf[..buf.len().min(4096)].contains(&0) {
        return None;
    }
    let head = std::str::from_utf8(&buf[bom..buf.len().min(bom + 4096)])
        .or_else(|e| std::str::from_utf8(&buf[bom..bom + e.valid_up_to()]))
        .ok()?;
    let (ctx, page, start) = if let Some(c) = PAGE_HEAD.captures(head) {
        (context(&c[1]), true, c.get(0)?.end())
    } else {
        (Context::Unknown, false, ARRAY_HEAD.find(head)?.end())
    };
    if matches!(ctx, Context::OwnersOf(_) | Context::FicsOf(_)) {
        return None;
    }
    let mut scan = Scanner {
        pos: bom + start,
        line: 1,
        expect: Expect::FirstItem,
    };
    let mut parts = Vec::new();
    let mut users = Users::default();
    let mut format = None;
    loop {
        let text = utf8_text(&buf, eof)?;
        let before = (scan.pos, scan.expect);
        let (items, done) = scan.items(text, eof)?;
        if format.is_none() && items.len() < HEAD_ITEMS && !done && !eof {
            // Detection sees as many objects as whole-file detection would.
            (scan.pos, scan.expect) = before;
            eof = fill(&mut input, &mut buf, block, &mut hasher)?;
            continue;
        }
        if format.is_none() {
            // The first block decides, as whole-file detection would, that the file
            // is Entra's, and names its shape.
            let head = synthetic_head(text, &items, page);
            let docs = crate::import::documents(&head).ok()?;
            if crate::import::detect::detect(&docs) != crate::import::detect::Detected::Entra {
                return None;
            }
            let head_items = super::items(docs.first()?).1;
            let shape = shape_name(docs.first()?, page, &head_items);
            format = Some(match bom {
                0 => format!("entra.{shape}"),
                _ => format!("entra.{shape} (utf-8-bom)"),
            });
        }
        let lines = LineIndex::starting_at(text, scan.line);
        let p = objects::Parser {
            lines: &lines,
            file,
            path,
        };
        users.add(&ctx, &items);
        let mut part = FileRecords::default();
        // An error here may not be the file's first (a syntax error further on
        // comes first for the whole-file reader, which parses before it reads
        // objects): the whole-file reader reports it.
        parse_items(&p, &ctx, &items, &mut part).ok()?;
        parts.push(part);
        if done {
            // Read the rest, which should be no more than the page's closing brace.
            while !eof && buf.len() - scan.pos <= TAIL_MAX {
                eof = fill(&mut input, &mut buf, block, &mut hasher)?;
            }
            let tail = std::str::from_utf8(&buf[scan.pos..]).ok()?;
            let tail_ok = if page {
                PAGE_TAIL.is_match(tail)
            } else {
                tail.bytes().all(is_json_space)
            };
            // Trailing content (another document, a syntax error), or more of it
            // than a page's closing keys: the whole-file reader's to report.
            if !tail_ok || !eof {
                return None;
            }
            break;
        }
        // Keep the unread rest, then read the next block after it.
        let newlines = memchr::memchr_iter(b'\n', &buf[..scan.pos]).count();
        scan.line = scan
            .line
            .saturating_add(u32::try_from(newlines).unwrap_or(u32::MAX));
        buf.drain(..scan.pos);
        scan.pos = 0;
        if eof {
            return None; // the list never closed: a syntax error
        }
        eof = fill(&mut input, &mut buf, block, &mut hasher)?;
    }
    let mut records = FileRecords::default();
    records.append_all(parts);
    records.users_present = users.present();
    records.format = format?;
    Some(Streamed {
        records,
        sha256: crate::import::source::hex(&hasher.finalize()),
    })
}

/// Appends up to `block` bytes of `input` to `buf`; `Some(true)` at the end of the
/// input, `None` on a read error (the whole-file reader reports it).
fn fill(
    input: &mut impl Read,
    buf: &mut Vec<u8>,
    block: usize,
    hasher: &mut Sha256,
) -> Option<bool> {
    let old = buf.len();
    buf.resize(old + block, 0);
    let mut filled = old;
    while filled < buf.len() {
        match input.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(_) => return None,
        }
    }
    buf.truncate(filled);
    hasher.update(&buf[old..]);
    Some(filled < old + block)
}

/// The valid UTF-8 text of `buf`, short of a character cut by the block boundary;
/// `None` for invalid UTF-8.
fn utf8_text(buf: &[u8], eof: bool) -> Option<&str> {
    match std::str::from_utf8(buf) {
        Ok(text) => Some(text),
        // Valid but for a character the block's end cut: that prefix is checked
        // again (at most once per block).
        Err(e) if e.error_len().is_none() && !eof => {
            std::str::from_utf8(&buf[..e.valid_up_to()]).ok()
        }
        Err(_) => None,
    }
}

/// A small document of the first objects, in the file's own shape, for detection.
fn synthetic_head(text: &str, items: &[&RawValue], page: bool) -> String {
    let mut head = String::new();
    if page {
        head.push_str(r#"{"@odata.context":"#);
        head.push_str(&serde_json::to_string(&context_url(text)).unwrap_or_default());
        head.push_str(r#","value":["#);
    } else {
        head.push('[');
    }
    for (i, item) in items.iter().take(HEAD_ITEMS).enumerate() {
        if i > 0 {
            head.push(',');
        }
        head.push_str(item.get());
    }
    head.push(']');
    if page {
        head.push('}');
    }
    head
}

/// The `@odata.context` of a page's head.
fn context_url(text: &str) -> String {
    PAGE_HEAD
        .captures(text.trim_start_matches('\u{feff}'))
        .map(|c| c[1].to_string())
        .unwrap_or_default()
}

/// JSON's whitespace: narrower than Rust's or the regex crate's (no form feed).
fn is_json_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r')
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    FirstItem,
    Item,
    Separator,
}

/// Finds the complete objects of the list in a block's text.
struct Scanner {
    /// Where reading resumes in the buffer.
    pos: usize,
    /// The file line on which the buffer starts.
    line: u32,
    expect: Expect,
}

impl Scanner {
    /// The complete items from `pos` on, and whether the list closed. `None` when
    /// the text is not a list of JSON values.
    fn items<'t>(&mut self, text: &'t str, eof: bool) -> Option<(Vec<&'t RawValue>, bool)> {
        let bytes = text.as_bytes();
        let mut items = Vec::new();
        loop {
            while self.pos < bytes.len() && is_json_space(bytes[self.pos]) {
                self.pos += 1;
            }
            let Some(&next) = bytes.get(self.pos) else {
                return Some((items, false));
            };
            match (self.expect, next) {
                (Expect::FirstItem | Expect::Separator, b']') => {
                    self.pos += 1;
                    return Some((items, true));
                }
                (Expect::Separator, b',') => {
                    self.pos += 1;
                    self.expect = Expect::Item;
                }
                (Expect::Separator, _) => return None,
                (Expect::FirstItem | Expect::Item, _) => {
                    let mut de = serde_json::Deserializer::from_str(&text[self.pos..]);
                    let parsed = <&RawValue>::deserialize(&mut de);
                    // The value is a slice of `text`: it ends where its slice ends.
                    let end = |raw: &RawValue| {
                        raw.get().as_ptr() as usize - text.as_ptr() as usize + raw.get().len()
                    };
                    match parsed {
                        // A value that reaches the end of the block (a number) may go on
                        // in the next one.
                        Ok(raw) if end(raw) == bytes.len() && !eof => {
                            return Some((items, false));
                        }
                        Ok(raw) => {
                            self.pos = end(raw);
                            items.push(raw);
                            self.expect = Expect::Separator;
                        }
                        // Cut by the end of the block: the next block completes it.
                        Err(e) if e.is_eof() && !eof => return Some((items, false)),
                        Err(_) => return None,
                    }
                }
            }
        }
    }
}

/// Whether the file is a users export, decided over all blocks as the whole-file
/// reader decides it over all objects.
#[derive(Default)]
struct Users {
    page: bool,
    any: bool,
    all: bool,
    seen: bool,
}

impl Users {
    fn add(&mut self, ctx: &Context, items: &[&RawValue]) {
        self.page = matches!(ctx, Context::Items(Kind::User));
        if *ctx == Context::Unknown && !items.is_empty() {
            let all = all_users(items);
            self.all = if self.seen { self.all && all } else { all };
            self.any = true;
            self.seen = true;
        }
    }

    fn present(&self) -> bool {
        self.page || (self.any && self.all)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The whole-file reader's records for `text`.
    /// As `import::parse_bytes` reads a file whole: decoded, then parsed.
    fn whole(text: &str) -> FileRecords {
        let (text, encoding) = crate::import::source::decode(text.as_bytes()).unwrap();
        let docs = crate::import::documents(&text).unwrap();
        let lines = LineIndex::new(&text);
        let mut records = super::super::parse(&docs, &lines, 3, "f.json").unwrap();
        if encoding != "utf-8" {
            records.format = format!("{} ({encoding})", records.format);
        }
        records
    }

    fn streamed(text: &str, block: usize) -> Option<FileRecords> {
        read(text.as_bytes(), block, 3, "f.json").map(|r| r.records)
    }

    fn demo(name: &str) -> String {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("testdata/entra/contoso")
            .join(name);
        std::fs::read_to_string(path).unwrap()
    }

    /// Blocks from a few bytes (objects and characters cut everywhere) to larger
    /// than the file give the whole-file reader's records, lines included.
    #[test]
    fn blocks_of_any_size_give_the_whole_file_records() {
        let page = demo("servicePrincipals.json");
        assert!(PAGE_HEAD.is_match(&page), "the demo export is a Graph page");
        let array = {
            let docs = crate::import::documents(&page).unwrap();
            let (_, items) = super::super::items(docs[0]);
            // Pretty-printed on its own lines, with non-ASCII text to cut.
            let body: Vec<String> = items
                .iter()
                .map(|i| i.get().replace("Contoso", "Cöntoso"))
                .collect();
            format!("\u{feff}[\n{}\n]\n", body.join(",\n"))
        };
        for (i, text) in [&page, &array, &demo("applications.json")]
            .into_iter()
            .enumerate()
        {
            let expected = format!("{:?}", whole(text));
            for block in [64, 1000, 4096, 1 << 20] {
                let got = streamed(text, block).unwrap_or_else(|| panic!("text {i} block {block}"));
                assert_eq!(format!("{got:?}"), expected, "block {block}");
            }
        }
    }

    /// Shapes and contents the whole-file reader must handle are left to it.
    #[test]
    fn other_shapes_and_bad_content_are_left_to_the_whole_file_reader() {
        let page = demo("servicePrincipals.json");
        let cases = [
            // Not a list.
            r#"{"id": "x", "appId": "y"}"#.to_string(),
            // Two documents.
            format!("{page}\n{page}"),
            // A syntax error inside an object.
            page.replacen("\"appId\"", "\"appId\" \"x\"", 1),
            // The list never closes.
            page.trim_end().trim_end_matches('}').trim_end().trim_end_matches(']').to_string(),
            // Another provider's objects (a GCP service account list).
            r#"[{"email": "a@p.iam.gserviceaccount.com", "uniqueId": "1", "name": "projects/p/serviceAccounts/a"}]"#.to_string(),
            // A control character in the page's context (found by the fuzzer: JSON
            // forbids it raw, so the whole-file reader reports it).
            page.replacen("/v1.0/", "/v1.0\u{f}", 1),
            // An object cut by ConvertTo-Json's depth: an input error, which the
            // whole-file reader reports after any syntax error before it.
            page.replacen(
                "\"appRoles\": [",
                "\"appRoles\": [\"Microsoft.Graph.PowerShell.Models.MicrosoftGraphAppRole\",",
                1,
            ),
            // Whitespace JSON does not allow between objects (found by the fuzzer).
            page.replacen("}\n  ]", "}\u{c}\n  ]", 1),
            // Owners of one object: kept per parent by the whole-file reader.
            r#"{"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#servicePrincipals('ab')/owners", "value": []}"#.to_string(),
        ];
        for (i, text) in cases.iter().enumerate() {
            assert!(streamed(text, 256).is_none(), "case {i}");
        }
        // Invalid UTF-8.
        let mut bytes = page.clone().into_bytes();
        bytes[200] = 0xff;
        assert!(read(&bytes[..], 256, 3, "f.json").is_none());
    }

    #[test]
    fn the_digest_is_that_of_the_whole_file() {
        let page = demo("servicePrincipals.json");
        let r = read(page.as_bytes(), 100, 3, "f.json").unwrap();
        assert_eq!(r.sha256, crate::import::source::sha256_hex(page.as_bytes()));
    }
}
