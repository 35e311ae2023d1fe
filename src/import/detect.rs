//! Format detection by content. File names and extensions are never consulted.
//!
//! Each provider's sniffer looks at the documents' shape and answers whether it
//! reads them. Files nobody reads are skipped with a reason naming what they look
//! like, so that a reference table or an unrelated JSON file is reported, not fatal.

use serde_json::value::RawValue;

use super::{aws, entra};

/// Which importer takes a file.
#[derive(Debug, PartialEq, Eq)]
pub enum Detected {
    Entra,
    Aws,
    /// Valid JSON that holds no inventory nhiscan reads, with the reason.
    Skip(String),
}

pub fn detect(docs: &[&RawValue]) -> Detected {
    if aws::sniff(docs) {
        return Detected::Aws;
    }
    match entra::sniff(docs) {
        Ok(()) => Detected::Entra,
        Err(reason) => Detected::Skip(reason),
    }
}
