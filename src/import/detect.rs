//! Format detection by content. File names and extensions are never consulted.
//!
//! Each provider's sniffer looks at the documents' shape and answers whether it
//! reads them. Files nobody reads are skipped with a reason naming what they look
//! like, so that a reference table or an unrelated JSON file is reported, not fatal.

use serde_json::value::RawValue;

use super::{aws, entra, gcp, k8s};

/// Which importer takes a file.
#[derive(Debug, PartialEq, Eq)]
pub enum Detected {
    Entra,
    Aws,
    Gcp,
    K8s,
    /// Valid JSON that holds no inventory nhiscan reads, with the reason.
    Skip(String),
}

pub fn detect(docs: &[&RawValue]) -> Detected {
    if aws::sniff(docs) {
        return Detected::Aws;
    }
    if gcp::sniff(docs) {
        return Detected::Gcp;
    }
    if k8s::sniff(docs) {
        return Detected::K8s;
    }
    match entra::sniff(docs) {
        Ok(()) => Detected::Entra,
        Err(reason) => Detected::Skip(reason),
    }
}
