//! Finding input files and turning their bytes into text.
//!
//! Directories are walked in sorted order so that every run sees the same file
//! order. Text is decoded by its byte-order mark (UTF-8, UTF-16LE, UTF-16BE), or
//! as UTF-16LE without one when the zero bytes say so (Windows PowerShell 5.1).

use std::borrow::Cow;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::InputError;

/// One file to import, with the path as the report shows it.
#[derive(Debug, Clone)]
pub struct InputFile {
    pub path: PathBuf,
    /// True when the file was named on the command line rather than found in a directory.
    pub explicit: bool,
}

impl InputFile {
    pub fn display(&self) -> String {
        self.path.display().to_string()
    }
}

/// Expands the command-line paths into files, recursing into directories.
/// Problems (a missing path, a symlink loop, an unreadable directory) are returned
/// beside the files found, so that one bad entry does not lose the rest.
pub fn discover(paths: &[PathBuf]) -> (Vec<InputFile>, Vec<InputError>) {
    let mut files = Vec::new();
    let mut errors = Vec::new();
    for root in paths {
        match std::fs::metadata(root) {
            Err(e) => errors.push(InputError::Io {
                path: root.display().to_string(),
                message: e.to_string(),
            }),
            Ok(meta) if meta.is_file() => files.push(InputFile {
                path: root.clone(),
                explicit: true,
            }),
            Ok(_) => {
                let walker = walkdir::WalkDir::new(root)
                    .follow_links(true)
                    .sort_by_file_name();
                for entry in walker {
                    match entry {
                        Ok(e) if e.file_type().is_file() => {
                            if is_hidden(e.path(), root) {
                                continue;
                            }
                            files.push(InputFile {
                                path: e.into_path(),
                                explicit: false,
                            });
                        }
                        Ok(_) => {}
                        Err(e) => errors.push(InputError::Io {
                            path: e
                                .path()
                                .map(|p| p.display().to_string())
                                .unwrap_or_else(|| root.display().to_string()),
                            message: walk_message(&e),
                        }),
                    }
                }
            }
        }
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    files.dedup_by(|a, b| a.path == b.path);
    (files, errors)
}

/// Dot-files and dot-directories below a scanned root (`.git`, `.nhiscan-ignore.toml`).
fn is_hidden(path: &Path, root: &Path) -> bool {
    path.strip_prefix(root)
        .map(|rel| {
            rel.components()
                .any(|c| c.as_os_str().to_string_lossy().starts_with('.'))
        })
        .unwrap_or(false)
}

fn walk_message(e: &walkdir::Error) -> String {
    if let Some(ancestor) = e.loop_ancestor() {
        return format!("symlink loop back to {}", ancestor.display());
    }
    match e.io_error() {
        Some(io) => io.to_string(),
        None => e.to_string(),
    }
}

/// A file's decoded text and the SHA-256 of its bytes.
pub struct Text<'a> {
    pub text: Cow<'a, str>,
    pub encoding: &'static str,
}

/// Reads one file's bytes.
pub fn read_bytes(file: &InputFile) -> Result<Vec<u8>, InputError> {
    use std::io::Read;
    let io = |e: std::io::Error| InputError::Io {
        path: file.display(),
        message: e.to_string(),
    };
    let mut f = std::fs::File::open(&file.path).map_err(io)?;
    let len = f.metadata().map_err(io)?.len();
    // A file is read whole, once. One that cannot fit is refused before any of it
    // is read, instead of failing an allocation (an abort) halfway.
    let too_large = |limit: u64, of: &str| InputError::Io {
        path: file.display(),
        message: format!(
            "the file is {} and cannot be held in memory ({} {of}); split the export, or scan on a machine with more memory",
            human_bytes(len),
            human_bytes(limit)
        ),
    };
    if let Some(available) = available_memory()
        && len > available
    {
        return Err(too_large(available, "available"));
    }
    let mut bytes = Vec::new();
    let wanted = usize::try_from(len).map_err(|_| too_large(usize::MAX as u64, "addressable"))?;
    bytes
        .try_reserve_exact(wanted)
        .map_err(|_| too_large(len, "could not be allocated"))?;
    f.read_to_end(&mut bytes).map_err(io)?;
    Ok(bytes)
}

/// Memory the system can still give this process (Linux `MemAvailable`), if known.
fn available_memory() -> Option<u64> {
    let meminfo = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = meminfo.lines().find(|l| l.starts_with("MemAvailable:"))?;
    let kb: u64 = line
        .trim_start_matches("MemAvailable:")
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    Some(kb * 1024)
}

/// `1.5 GB`, `312 MB`, `4 KB`: sizes in messages (decimal units).
pub fn human_bytes(n: u64) -> String {
    match n {
        n if n >= 1_000_000_000 => format!("{:.1} GB", n as f64 / 1e9),
        n if n >= 1_000_000 => format!("{} MB", n / 1_000_000),
        n if n >= 1_000 => format!("{} KB", n / 1_000),
        n => format!("{n} bytes"),
    }
}

/// The SHA-256 of a file's bytes, in hex, as reports cite it.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// Decodes one file's bytes, borrowing them when they are UTF-8 already.
pub fn decode_text<'a>(file: &InputFile, bytes: &'a [u8]) -> Result<Text<'a>, InputError> {
    decode(bytes)
        .map(|(text, encoding)| Text { text, encoding })
        .map_err(|message| InputError::Encoding {
            path: file.display(),
            message,
        })
}

pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        s.push(DIGITS[usize::from(b >> 4)] as char);
        s.push(DIGITS[usize::from(b & 0xf)] as char);
    }
    s
}

/// Decodes by BOM, then by the UTF-16LE zero-byte pattern, else as UTF-8.
pub fn decode(bytes: &[u8]) -> Result<(Cow<'_, str>, &'static str), String> {
    if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        return utf8(rest).map(|s| (Cow::Borrowed(s), "utf-8-bom"));
    }
    if let Some(rest) = bytes.strip_prefix(&[0xFF, 0xFE]) {
        return utf16(rest, u16::from_le_bytes).map(|s| (Cow::Owned(s), "utf-16le"));
    }
    if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        return utf16(rest, u16::from_be_bytes).map(|s| (Cow::Owned(s), "utf-16be"));
    }
    if bytes.len() >= 4 && bytes[0] != 0 && bytes[1] == 0 && bytes[2] != 0 && bytes[3] == 0 {
        return utf16(bytes, u16::from_le_bytes).map(|s| (Cow::Owned(s), "utf-16le"));
    }
    utf8(bytes).map(|s| (Cow::Borrowed(s), "utf-8"))
}

fn utf8(bytes: &[u8]) -> Result<&str, String> {
    std::str::from_utf8(bytes).map_err(|e| {
        let at = e.valid_up_to();
        let before = &bytes[..at];
        let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
        let column = at
            - before
                .iter()
                .rposition(|&b| b == b'\n')
                .map_or(0, |p| p + 1)
            + 1;
        format!(
            "invalid UTF-8 at line {line} column {column} (byte {at}); re-save the export as UTF-8"
        )
    })
}

fn utf16(bytes: &[u8], unit: fn([u8; 2]) -> u16) -> Result<String, String> {
    if !bytes.len().is_multiple_of(2) {
        return Err("UTF-16 text with an odd number of bytes (truncated file?)".into());
    }
    let units = bytes.chunks_exact(2).map(|c| unit([c[0], c[1]]));
    let mut out = String::with_capacity(bytes.len() / 2);
    for (i, ch) in char::decode_utf16(units).enumerate() {
        match ch {
            Ok(c) => out.push(c),
            Err(_) => {
                return Err(format!(
                    "invalid UTF-16 (unpaired surrogate) at byte {}",
                    i * 2
                ));
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::decode;

    #[test]
    fn decodes_boms_and_bare_utf16() {
        assert_eq!(decode(b"\xEF\xBB\xBF[1]").unwrap().0, "[1]");
        assert_eq!(decode(b"\xFF\xFE[\x001\x00]\x00").unwrap().0, "[1]");
        assert_eq!(decode(b"\xFE\xFF\x00[\x001\x00]").unwrap().0, "[1]");
        assert_eq!(decode(b"[\x001\x00]\x00").unwrap().0, "[1]");
        assert_eq!(decode(b"[1]").unwrap().1, "utf-8");
    }

    #[test]
    fn reports_where_encoding_breaks() {
        let err = decode(b"[\n\"a\xFF\"]").unwrap_err();
        assert!(err.contains("line 2 column 3"), "{err}");
        assert!(decode(b"\xFF\xFE[\x00\x00\xD8").is_err());
        assert!(decode(b"\xFF\xFE[").is_err());
    }
}
