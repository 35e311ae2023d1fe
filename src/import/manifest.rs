//! `manifest.json`: what a collection run fetched and what it could not.
//!
//! `nhiscan collect` writes one next to the page files. Each endpoint has a
//! status: `complete`, `incomplete` (retries ran out, a page failed) or
//! `forbidden` (403: a missing licence or permission). `scan` reads the
//! manifest like any other input (it is recognised by its
//! `"nhiscan_manifest"` key) and turns every endpoint that is not complete
//! into a [`Gap`], so that a scan of partial data cannot pass for a full one.
//! The format is documented in docs/inputs.md.

use serde::Deserialize;
use serde_json::value::RawValue;

use crate::model::Gap;

/// The manifest's format version this build reads.
pub const VERSION: u32 = 1;

#[derive(Debug, Deserialize)]
struct Manifest {
    nhiscan_manifest: u32,
    #[serde(default)]
    provider: Option<String>,
    #[serde(default)]
    endpoints: Vec<Endpoint>,
}

#[derive(Debug, Deserialize)]
struct Endpoint {
    name: String,
    status: String,
    #[serde(default)]
    reason: Option<String>,
    #[serde(default)]
    errors: Vec<String>,
}

/// Whether the documents of a file are a collection manifest.
pub fn sniff(docs: &[&RawValue]) -> bool {
    docs.len() == 1
        && crate::import::json::Obj::parse(docs[0]).is_some_and(|o| o.has("nhiscan_manifest"))
}

/// The gaps a manifest records, and how many endpoints it lists.
pub fn parse(doc: &RawValue) -> Result<(Vec<Gap>, usize), String> {
    let m: Manifest = serde_json::from_str(doc.get())
        .map_err(|e| format!("not a valid collection manifest: {e}"))?;
    if m.nhiscan_manifest != VERSION {
        return Err(format!(
            "collection manifest version {} is not supported (this nhiscan reads version {VERSION})",
            m.nhiscan_manifest
        ));
    }
    let provider = provider_name(m.provider.as_deref());
    let mut gaps = Vec::new();
    for e in &m.endpoints {
        let why = e
            .reason
            .clone()
            .or_else(|| e.errors.first().cloned())
            .unwrap_or_else(|| "no reason recorded".into());
        let reason = match e.status.as_str() {
            "complete" => continue,
            "incomplete" => format!("collection of {} is incomplete: {why}", e.name),
            "forbidden" => format!("collection of {} was refused (forbidden): {why}", e.name),
            other => format!("collection of {} has status {other:?}: {why}", e.name),
        };
        gaps.push(Gap { provider, reason });
    }
    Ok((gaps, m.endpoints.len()))
}

fn provider_name(p: Option<&str>) -> &'static str {
    match p.map(str::to_ascii_lowercase).as_deref() {
        Some("entra") => "entra",
        Some("aws") => "aws",
        Some("gcp") => "gcp",
        Some("k8s") => "k8s",
        Some("okta") => "okta",
        Some("github") => "github",
        _ => "unknown",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(s: &str) -> Box<RawValue> {
        RawValue::from_string(s.to_string()).unwrap()
    }

    #[test]
    fn endpoints_not_complete_become_gaps() {
        let doc = raw(
            r#"{"nhiscan_manifest": 1, "provider": "entra", "endpoints": [
                {"name": "servicePrincipals", "status": "complete", "pages": 3, "records": 2500},
                {"name": "oauth2PermissionGrants", "status": "incomplete", "errors": ["page 4: 429 after 8 retries"]},
                {"name": "servicePrincipalSignInActivities", "status": "forbidden", "reason": "403 Authentication_RequestFromNonPremiumTenantOrB2CTenant"}
            ]}"#,
        );
        assert!(sniff(&[&doc]));
        let (gaps, n) = parse(&doc).unwrap();
        assert_eq!(n, 3);
        assert_eq!(gaps.len(), 2);
        assert!(
            gaps[0]
                .reason
                .contains("oauth2PermissionGrants is incomplete: page 4: 429")
        );
        assert!(gaps[1].reason.contains("refused (forbidden): 403"));
        assert_eq!(gaps[1].provider, "entra");
    }

    #[test]
    fn an_unknown_version_is_an_error() {
        assert!(
            parse(&raw(r#"{"nhiscan_manifest": 2}"#))
                .unwrap_err()
                .contains("version 2")
        );
        assert!(!sniff(&[&raw(r#"{"value": []}"#)]));
    }
}
