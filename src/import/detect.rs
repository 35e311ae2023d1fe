//! Format detection by content. File names and extensions are never consulted.
//!
//! Each provider's sniffer looks at the documents' shape and answers whether it
//! reads them. Files nobody reads are skipped with a reason naming what they look
//! like, so that a reference table or an unrelated JSON file is reported, not fatal.

use serde_json::value::RawValue;

use super::json::{JsonType, Obj};
use super::{aws, entra, gcp, github, k8s, okta};

/// Which importer takes a file.
#[derive(Debug, PartialEq, Eq)]
pub enum Detected {
    Entra,
    Aws,
    Gcp,
    K8s,
    Okta,
    Github,
    /// Valid JSON that holds no inventory nhiscan reads, with the reason.
    Skip(String),
}

pub fn detect(docs: &[&RawValue]) -> Detected {
    // A Graph page says what it holds in its first bytes: no other sniffer need read
    // a 100 MB page.
    if entra::has_graph_context(docs) {
        return Detected::Entra;
    }
    if aws::sniff(docs) {
        return Detected::Aws;
    }
    if gcp::sniff(docs) {
        return Detected::Gcp;
    }
    if k8s::sniff(docs) {
        return Detected::K8s;
    }
    if !docs.is_empty() && docs.iter().all(|d| is_empty_array(d)) {
        return Detected::Skip("empty list: nothing to import".into());
    }
    if is_json_schema(docs) {
        return Detected::Skip(
            "JSON Schema: a description of a format, not an export of objects".into(),
        );
    }
    match okta::sniff(docs) {
        Some(Ok(())) => return Detected::Okta,
        Some(Err(reason)) => return Detected::Skip(reason),
        None => {}
    }
    match github::sniff(docs) {
        Some(Ok(())) => return Detected::Github,
        Some(Err(reason)) => return Detected::Skip(reason),
        None => {}
    }
    match entra::sniff(docs) {
        Ok(()) => Detected::Entra,
        Err(reason) => Detected::Skip(reason),
    }
}

/// A JSON Schema document (`$schema` with `properties` or `type`), such as the
/// schemas shipped beside webhook examples.
fn is_json_schema(docs: &[&RawValue]) -> bool {
    docs.len() == 1
        && JsonType::of(docs[0]) == JsonType::Object
        && Obj::parse(docs[0])
            .is_some_and(|o| o.has("$schema") && (o.has("properties") || o.has("type")))
}

/// `[]`, possibly with whitespace inside: a list endpoint with nothing in it (a
/// repository without deploy keys, an app without grants).
fn is_empty_array(doc: &RawValue) -> bool {
    super::json::is_empty_array(doc)
}
