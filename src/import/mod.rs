//! Import: from paths on disk to one joined [`Inventory`].
//!
//! 1. [`source::discover`] lists files (sorted, recursing into directories).
//! 2. Each file is read, decoded and split into top-level JSON documents in parallel;
//!    its format is detected by content, never by name ([`detect`]).
//! 3. The provider importer turns documents into owned records with provenance.
//! 4. Records from all files are merged (de-duplicated by id) and joined into the
//!    [`Inventory`] ([`entra::join`], [`aws::join`], [`gcp::join`], [`k8s::join`],
//!    [`okta::join`], [`github::join`], then [`k8s::link`]).
//!
//! A bad file yields an [`InputError`] and the scan goes on with the others.

use std::path::PathBuf;

use rayon::prelude::*;
use serde_json::value::RawValue;

use crate::model::{Inventory, Skipped, SourceFile};

pub mod aws;
pub mod detect;
pub mod entra;
pub mod gcp;
pub mod github;
pub mod json;
pub mod k8s;
pub mod manifest;
pub mod okta;
pub mod source;
pub mod yaml;

pub use source::InputFile;

/// A problem with one input file. The message never contains file content.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum InputError {
    /// The file or directory could not be read.
    #[error("{path}: cannot read: {message}")]
    Io { path: String, message: String },
    /// The bytes are not valid text in the encoding their BOM announces.
    #[error("{path}: {message}")]
    Encoding { path: String, message: String },
    /// The file is empty.
    #[error("{path}: empty file (0 bytes of content); re-run the export")]
    Empty { path: String },
    /// The text is not valid JSON.
    #[error("{path}:{line}:{column}: invalid JSON: {message}")]
    Syntax {
        path: String,
        line: usize,
        column: usize,
        message: String,
    },
    /// A file named on the command line is neither JSON nor a known CSV export.
    #[error("{path}: not a JSON or CSV export (it starts with neither '{{' nor '[')")]
    NotData { path: String },
    /// The content is readable but not what its format requires.
    #[error("{path}:{line}: {message}")]
    Invalid {
        path: String,
        line: u32,
        message: String,
    },
    /// A PowerShell export cut short by `ConvertTo-Json`'s default `-Depth 2`.
    #[error(
        "{path}:{line}: export truncated by ConvertTo-Json's default -Depth 2: `{field}` holds the type name \"{type_name}\" instead of objects. Re-export with `ConvertTo-Json -Depth 10`."
    )]
    Truncated {
        path: String,
        line: u32,
        field: String,
        type_name: String,
    },
}

/// What the loader was asked to do beyond reading files.
#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    /// The home tenant, overriding what the exports say.
    pub tenant_id: Option<String>,
    /// (file path suffix, resource) for bare GCP IAM policies, which name no resource.
    pub gcp_resources: Vec<(String, String)>,
    /// The organisation's other Entra tenants: apps they publish are its own.
    pub home_tenants: Vec<String>,
    /// App ids to treat as the platform's own, beyond the built-in list.
    pub first_party_app_ids: Vec<String>,
}

/// The inventory and every problem met while building it.
pub struct Loaded {
    pub inventory: Inventory,
    pub errors: Vec<InputError>,
    pub timings: crate::timing::Timings,
}

/// Reads, detects, parses and joins every file under `paths`.
pub fn load(paths: &[PathBuf], options: &LoadOptions) -> Loaded {
    let mut timings = crate::timing::Timings::start();
    let (files, errors) = source::discover(paths);
    timings.lap("discover");
    let outcomes = parse_largest_first(&files);
    timings.lap("read+parse");
    assemble(&files, outcomes, errors, options, timings)
}

/// Every file parsed, in parallel, the largest first; the outcomes in the files'
/// order. A large file started last would leave a core idle at the end of the
/// stage while it finishes alone.
fn parse_largest_first(files: &[InputFile]) -> Vec<FileOutcome> {
    let size = |f: &InputFile| std::fs::metadata(&f.path).map_or(0, |m| m.len());
    let mut order: Vec<(u64, usize)> = files.iter().map(size).zip(0..).collect();
    order.sort_by_key(|&(size, i)| (std::cmp::Reverse(size), i));
    let mut parsed: Vec<(usize, FileOutcome)> = order
        .par_iter()
        .map(|&(_, i)| (i, parse_file(&files[i], i as u32)))
        .collect();
    parsed.sort_unstable_by_key(|&(i, _)| i);
    parsed.into_iter().map(|(_, outcome)| outcome).collect()
}

/// One in-memory file through the same stages as [`load`]: decoding, detection
/// (or the importer `force` names, skipping detection), import and join. The fuzz
/// targets (fuzz/) drive each importer's entry point through it.
pub fn load_bytes(
    bytes: &[u8],
    force: Option<crate::model::Provider>,
    options: &LoadOptions,
) -> Loaded {
    let file = InputFile {
        path: PathBuf::from("input"),
        explicit: true,
    };
    let outcome = parse_bytes_as(&file, 0, bytes, force).with_sha256(String::new());
    let timings = crate::timing::Timings::start();
    assemble(
        std::slice::from_ref(&file),
        vec![outcome],
        Vec::new(),
        options,
        timings,
    )
}

/// Merges the files' outcomes and joins them into the inventory.
fn assemble(
    files: &[InputFile],
    outcomes: Vec<FileOutcome>,
    mut errors: Vec<InputError>,
    options: &LoadOptions,
    mut timings: crate::timing::Timings,
) -> Loaded {
    let mut sources = Vec::with_capacity(outcomes.len());
    let mut skipped = Vec::new();
    let mut entra_files = Vec::new();
    let mut aws_files = Vec::new();
    let mut gcp_files = Vec::new();
    let mut k8s_files = Vec::new();
    let mut okta_files = Vec::new();
    let mut github_files = Vec::new();
    let mut gaps = Vec::new();
    for (file, outcome) in files.iter().zip(outcomes) {
        let path = file.display();
        match outcome {
            FileOutcome::Error(e) => {
                errors.push(e);
                sources.push(SourceFile {
                    path,
                    sha256: String::new(),
                    format: "error".into(),
                    records: 0,
                });
            }
            FileOutcome::Skipped { sha256, reason } => {
                skipped.push(Skipped {
                    path: path.clone(),
                    reason,
                });
                sources.push(SourceFile {
                    path,
                    sha256,
                    format: "skipped".into(),
                    records: 0,
                });
            }
            FileOutcome::Entra { sha256, records } => {
                sources.push(SourceFile {
                    path,
                    sha256,
                    format: records.format.clone(),
                    records: records.len(),
                });
                entra_files.push(*records);
            }
            FileOutcome::Aws { sha256, records } => {
                sources.push(SourceFile {
                    path,
                    sha256,
                    format: records.format.clone(),
                    records: records.len(),
                });
                aws_files.push(*records);
            }
            FileOutcome::Gcp { sha256, records } => {
                sources.push(SourceFile {
                    path,
                    sha256,
                    format: records.format.clone(),
                    records: records.len(),
                });
                gcp_files.push(*records);
            }
            FileOutcome::Manifest {
                sha256,
                gaps: found,
                endpoints,
            } => {
                sources.push(SourceFile {
                    path,
                    sha256,
                    format: "nhiscan.manifest".into(),
                    records: endpoints,
                });
                gaps.extend(found);
            }
            FileOutcome::K8s { sha256, records } => {
                sources.push(SourceFile {
                    path,
                    sha256,
                    format: records.format.clone(),
                    records: records.len(),
                });
                k8s_files.push(*records);
            }
            FileOutcome::Okta { sha256, records } => {
                sources.push(SourceFile {
                    path,
                    sha256,
                    format: records.format.clone(),
                    records: records.len(),
                });
                okta_files.push(*records);
            }
            FileOutcome::Github { sha256, records } => {
                sources.push(SourceFile {
                    path,
                    sha256,
                    format: records.format.clone(),
                    records: records.len(),
                });
                github_files.push(*records);
            }
        }
    }
    let mut builder = crate::model::InventoryBuilder::new();
    entra::join(entra_files, options, &mut builder);
    let mut notes = Vec::new();
    aws::join(aws_files, &mut builder, &mut notes);
    gcp::join(gcp_files, options, &mut builder, &mut notes);
    k8s::join(k8s_files, &mut builder);
    okta::join(okta_files, &mut builder, &mut notes);
    github::join(github_files, &mut builder, &mut notes);
    k8s::link(&mut builder);
    builder.inventory.notes.extend(notes);
    builder.inventory.notes.sort();
    builder.inventory.gaps.extend(gaps);
    builder.inventory.gaps.sort();
    builder.inventory.gaps.dedup();
    let mut inventory = builder.finish();
    inventory.files = sources;
    inventory.skipped = skipped;
    timings.lap("join");
    Loaded {
        inventory,
        errors,
        timings,
    }
}

enum FileOutcome {
    Error(InputError),
    Skipped {
        sha256: String,
        reason: String,
    },
    Entra {
        sha256: String,
        records: Box<entra::FileRecords>,
    },
    Aws {
        sha256: String,
        records: Box<aws::FileRecords>,
    },
    Gcp {
        sha256: String,
        records: Box<gcp::FileRecords>,
    },
    K8s {
        sha256: String,
        records: Box<k8s::FileRecords>,
    },
    Okta {
        sha256: String,
        records: Box<okta::FileRecords>,
    },
    Github {
        sha256: String,
        records: Box<github::FileRecords>,
    },
    /// A collection manifest: what it says is missing.
    Manifest {
        sha256: String,
        gaps: Vec<crate::model::Gap>,
        endpoints: usize,
    },
}

/// Files at least this large are first offered to the block reader
/// ([`entra::stream`]), which never holds their whole text.
const STREAM_FROM: u64 = 64 << 20;

fn parse_file(file: &InputFile, index: u32) -> FileOutcome {
    if let Some(outcome) = stream_file(file, index) {
        return outcome;
    }
    let bytes = match source::read_bytes(file) {
        Ok(b) => b,
        Err(e) => return FileOutcome::Error(e),
    };
    // The digest is independent of the parse: compute both at once.
    let (sha256, outcome) = rayon::join(
        || source::sha256_hex(&bytes),
        || parse_bytes(file, index, &bytes),
    );
    outcome.with_sha256(sha256)
}

/// A large Entra list read in blocks; `None` when the file is small, cannot be
/// opened, or is not of a shape the block reader takes.
fn stream_file(file: &InputFile, index: u32) -> Option<FileOutcome> {
    let f = std::fs::File::open(&file.path).ok()?;
    if f.metadata().ok()?.len() < STREAM_FROM {
        return None;
    }
    let path = file.display();
    let streamed = entra::stream::read(f, entra::stream::BLOCK, index, &path)?;
    Some(FileOutcome::Entra {
        sha256: streamed.sha256,
        records: Box::new(streamed.records),
    })
}

impl FileOutcome {
    fn with_sha256(mut self, digest: String) -> FileOutcome {
        match &mut self {
            FileOutcome::Error(_) => {}
            FileOutcome::Skipped { sha256, .. }
            | FileOutcome::Entra { sha256, .. }
            | FileOutcome::Aws { sha256, .. }
            | FileOutcome::Gcp { sha256, .. }
            | FileOutcome::K8s { sha256, .. }
            | FileOutcome::Okta { sha256, .. }
            | FileOutcome::Github { sha256, .. }
            | FileOutcome::Manifest { sha256, .. } => *sha256 = digest,
        }
        self
    }
}

/// Everything after reading; outcomes carry an empty digest, filled in by the caller.
fn parse_bytes(file: &InputFile, index: u32, bytes: &[u8]) -> FileOutcome {
    parse_bytes_as(file, index, bytes, None)
}

/// [`parse_bytes`], with the importer chosen by `force` instead of by detection.
fn parse_bytes_as(
    file: &InputFile,
    index: u32,
    bytes: &[u8],
    force: Option<crate::model::Provider>,
) -> FileOutcome {
    let path = file.display();
    let mut text = match source::decode_text(file, bytes) {
        Ok(t) => t,
        Err(e) => return FileOutcome::Error(e),
    };
    let trimmed = text.text.trim_start();
    if trimmed.is_empty() {
        return FileOutcome::Error(InputError::Empty { path });
    }
    // YAML (kubectl -o yaml) is converted to JSON; its objects keep their YAML lines.
    let from_yaml = !trimmed.starts_with(['{', '[']) && yaml::looks_like_yaml(trimmed);
    if from_yaml {
        match yaml::to_json(&text.text) {
            Ok(json) => text.text = json.into(),
            Err((line, column, message)) => {
                return FileOutcome::Error(InputError::Syntax {
                    path,
                    line,
                    column,
                    message,
                });
            }
        }
    }
    let trimmed = text.text.trim_start();
    if !trimmed.starts_with(['{', '[']) {
        if aws::looks_like_credential_report(trimmed) {
            return match aws::parse_credential_report(trimmed, index, &path) {
                Ok(records) => FileOutcome::Aws {
                    sha256: String::new(),
                    records: Box::new(records),
                },
                Err(e) => FileOutcome::Error(e),
            };
        }
        return if file.explicit {
            FileOutcome::Error(InputError::NotData { path })
        } else {
            FileOutcome::Skipped {
                sha256: String::new(),
                reason: "not a JSON document".into(),
            }
        };
    }
    if force.is_none()
        && let Some(records) = aws::parse_details_text(&text.text, index)
    {
        return FileOutcome::Aws {
            sha256: String::new(),
            records: Box::new(records),
        };
    }
    // Splitting into documents and indexing the lines each read the whole text:
    // do both at once.
    let (docs, lines) = rayon::join(
        || documents(&text.text),
        || json::LineIndex::new(&text.text),
    );
    let docs = match docs {
        Ok(d) => d,
        Err(e) => {
            return FileOutcome::Error(InputError::Syntax {
                path,
                line: e.line(),
                column: e.column().max(1),
                message: syntax_message(&e),
            });
        }
    };
    if force.is_none() && manifest::sniff(&docs) {
        return match manifest::parse(docs[0]) {
            Ok((gaps, endpoints)) => FileOutcome::Manifest {
                sha256: String::new(),
                gaps,
                endpoints,
            },
            Err(message) => FileOutcome::Error(InputError::Invalid {
                path,
                line: 1,
                message,
            }),
        };
    }
    use crate::model::Provider;
    let detected = match force {
        None => detect::detect(&docs),
        Some(Provider::Entra) => detect::Detected::Entra,
        Some(Provider::Aws) => detect::Detected::Aws,
        Some(Provider::Gcp) => detect::Detected::Gcp,
        Some(Provider::K8s) => detect::Detected::K8s,
        Some(Provider::Okta) => detect::Detected::Okta,
        Some(Provider::Github) => detect::Detected::Github,
    };
    match detected {
        detect::Detected::Entra => match entra::parse(&docs, &lines, index, &path) {
            Ok(mut records) => {
                if text.encoding != "utf-8" {
                    records.format = format!("{} ({})", records.format, text.encoding);
                }
                FileOutcome::Entra {
                    sha256: String::new(),
                    records: Box::new(records),
                }
            }
            Err(e) => FileOutcome::Error(e),
        },
        detect::Detected::Aws => match aws::parse(&docs, &lines, index, &path) {
            Ok(records) => FileOutcome::Aws {
                sha256: String::new(),
                records: Box::new(records),
            },
            Err(e) => FileOutcome::Error(e),
        },
        detect::Detected::Gcp => match gcp::parse(&docs, &lines, index, &path) {
            Ok(records) => FileOutcome::Gcp {
                sha256: String::new(),
                records: Box::new(records),
            },
            Err(e) => FileOutcome::Error(e),
        },
        detect::Detected::K8s => {
            let format = if from_yaml { "k8s.yaml" } else { "k8s.json" };
            match k8s::parse(&docs, &lines, index, format) {
                Ok(records) => FileOutcome::K8s {
                    sha256: String::new(),
                    records: Box::new(records),
                },
                Err(e) => FileOutcome::Error(e),
            }
        }
        detect::Detected::Okta => match okta::parse(&docs, &lines, index, &path) {
            Ok(records) => FileOutcome::Okta {
                sha256: String::new(),
                records: Box::new(records),
            },
            Err(e) => FileOutcome::Error(e),
        },
        detect::Detected::Github => match github::parse(&docs, &lines, index, &path) {
            Ok(records) => FileOutcome::Github {
                sha256: String::new(),
                records: Box::new(records),
            },
            Err(e) => FileOutcome::Error(e),
        },
        detect::Detected::Skip(reason) => FileOutcome::Skipped {
            sha256: String::new(),
            reason,
        },
    }
}

/// Every top-level JSON value in the text: one for most files, several for
/// concatenated pages or NDJSON.
pub fn documents(text: &str) -> Result<Vec<&RawValue>, serde_json::Error> {
    serde_json::Deserializer::from_str(text)
        .into_iter::<&RawValue>()
        .collect()
}

/// serde_json's message without its " at line L column C" suffix, which the
/// error already carries as fields.
fn syntax_message(e: &serde_json::Error) -> String {
    let full = e.to_string();
    match full.rfind(" at line ") {
        Some(i) => full[..i].to_string(),
        None => full,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file_of(dir: &std::path::Path, name: &str, text: &str) -> InputFile {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        InputFile {
            path,
            explicit: true,
        }
    }

    /// Files are parsed largest first, and their outcomes come back in their order.
    #[test]
    fn outcomes_keep_the_files_order_whatever_their_sizes() {
        let dir = tempfile::tempdir().unwrap();
        let sp = |i: usize, notes: usize| {
            format!(
                r#"[{{"id": "00000000-0000-4000-8000-00000000000{i}", "appId": "10000000-0000-4000-8000-00000000000{i}", "servicePrincipalType": "Application", "notes": "{}"}}]"#,
                "x".repeat(notes)
            )
        };
        let sizes = [10, 5000, 0, 70000, 300];
        let files: Vec<InputFile> = sizes
            .iter()
            .enumerate()
            .map(|(i, &n)| file_of(dir.path(), &format!("{i}.json"), &sp(i, n)))
            .collect();
        let ids: Vec<String> = parse_largest_first(&files)
            .into_iter()
            .map(|outcome| match outcome {
                FileOutcome::Entra { records, .. } => records.sps[0].id.to_string(),
                _ => panic!("an Entra file"),
            })
            .collect();
        let expected: Vec<String> = (0..sizes.len())
            .map(|i| format!("00000000-0000-4000-8000-00000000000{i}"))
            .collect();
        assert_eq!(ids, expected);
    }

    /// Large lists go to the block reader, small files and other shapes do not.
    #[test]
    fn large_entra_lists_are_streamed_and_the_rest_read_whole() {
        let dir = tempfile::tempdir().unwrap();
        let sp = |notes: usize| {
            format!(
                r#"[{{"id": "00000000-0000-4000-8000-000000000001", "appId": "10000000-0000-4000-8000-000000000001", "servicePrincipalType": "Application", "notes": "{}"}}]"#,
                "x".repeat(notes)
            )
        };
        let large = file_of(dir.path(), "large.json", &sp(STREAM_FROM as usize));
        match stream_file(&large, 0) {
            Some(FileOutcome::Entra { records, sha256 }) => {
                assert_eq!(records.sps.len(), 1);
                assert_eq!(sha256.len(), 64);
            }
            _ => panic!("a large Entra array is streamed"),
        }
        let small = file_of(dir.path(), "small.json", &sp(10));
        assert!(stream_file(&small, 0).is_none());
        // Large, but an object: read whole.
        let object = format!(r#"{{"notes": "{}"}}"#, "x".repeat(STREAM_FROM as usize));
        let object = file_of(dir.path(), "object.json", &object);
        assert!(stream_file(&object, 0).is_none());
    }
}
