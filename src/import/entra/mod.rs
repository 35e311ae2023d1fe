//! Microsoft Entra ID exports: Graph pages, `az` arrays, Graph PowerShell
//! `ConvertTo-Json` output and legacy AAD Graph 1.6 objects (formats.md §1).
//!
//! [`sniff`] decides whether a file is an Entra inventory; [`parse`] turns its
//! documents into [`FileRecords`]; [`join`] merges all files into the inventory.

use std::sync::LazyLock;

use rayon::prelude::*;
use regex::Regex;
use serde_json::value::RawValue;

use super::InputError;
use super::json::{JsonType, LineIndex, Obj, elements, page};

mod id;
mod join;
mod objects;
mod records;
pub mod stream;

pub use join::join;
pub use records::FileRecords;

/// The kind of Entra object a JSON object is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    ServicePrincipal,
    Application,
    Consent,
    Assignment,
    User,
    Organization,
    RoleAssignment,
    DirectoryRole,
    Fic,
    SpActivity,
    CredentialActivity,
    PasswordCredential,
    /// A directory object of another type (group, device): read, not used.
    OtherDirectoryObject,
}

/// What a page's `@odata.context` says about its items.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Context {
    /// Items of one kind.
    Items(Kind),
    /// Owners of the object with this id.
    OwnersOf(String),
    /// Federated credentials of the application object with this id.
    FicsOf(String),
    /// Sign-in activity reports: present even when empty.
    SpActivityReport,
    /// A list of directory objects of mixed or unknown type (what Graph answers for
    /// `/applications/{id}/owners`): items are classified by content, but a list of
    /// users here is not a users export.
    DirectoryObjects,
    /// Anything else: classify each item by content.
    Unknown,
}

/// `servicePrincipals('<id>')/appRoleAssignments` and other navigation pages.
static NAVIGATION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:applications|servicePrincipals|directoryObjects)\('([^']+)'\)/(\w+)")
        .expect("static regex")
});

fn context(url: &str) -> Context {
    let Some((_, frag)) = url.split_once("$metadata#") else {
        return Context::Unknown;
    };
    if let Some(c) = NAVIGATION.captures(frag) {
        let id = c[1].to_string();
        return match &c[2] {
            "owners" => Context::OwnersOf(id),
            "federatedIdentityCredentials" => Context::FicsOf(id),
            "appRoleAssignments" | "appRoleAssignedTo" => Context::Items(Kind::Assignment),
            "oauth2PermissionGrants" => Context::Items(Kind::Consent),
            _ => Context::DirectoryObjects,
        };
    }
    let head = frag
        .split(['(', '/', '?'])
        .next()
        .unwrap_or(frag)
        .to_ascii_lowercase();
    match head.as_str() {
        "serviceprincipals" => Context::Items(Kind::ServicePrincipal),
        "applications" => Context::Items(Kind::Application),
        "oauth2permissiongrants" => Context::Items(Kind::Consent),
        "users" => Context::Items(Kind::User),
        "organization" => Context::Items(Kind::Organization),
        "directoryroles" => Context::Items(Kind::DirectoryRole),
        "rolemanagement" if frag.contains("roleAssignments") => {
            Context::Items(Kind::RoleAssignment)
        }
        "reports" if frag.contains("servicePrincipalSignInActivities") => Context::SpActivityReport,
        "reports" if frag.contains("appCredentialSignInActivities") => {
            Context::Items(Kind::CredentialActivity)
        }
        "microsoft.graph.passwordcredential" => Context::Items(Kind::PasswordCredential),
        "directoryobjects" => Context::DirectoryObjects,
        _ => Context::Unknown,
    }
}

/// Classifies one object by its fields.
fn classify(o: &Obj) -> Option<Kind> {
    if let Some(t) = o.str("@odata.type").or_else(|| o.str("odata.type")) {
        let t = t.to_ascii_lowercase();
        if t.ends_with("serviceprincipal") {
            return Some(Kind::ServicePrincipal);
        }
        if t.ends_with(".application") {
            return Some(Kind::Application);
        }
        if t.ends_with(".user") {
            return Some(Kind::User);
        }
        if t.ends_with(".group") || t.ends_with(".device") {
            return Some(Kind::OtherDirectoryObject);
        }
    }
    if let Some(t) = o.str("objectType") {
        match t.as_str() {
            "ServicePrincipal" => return Some(Kind::ServicePrincipal),
            "Application" => return Some(Kind::Application),
            "User" => return Some(Kind::User),
            _ => {}
        }
    }
    let has = |k: &str| o.has(k);
    if has("clientId") && has("consentType") {
        return Some(Kind::Consent);
    }
    if has("appRoleId") && has("principalId") && has("resourceId") {
        return Some(Kind::Assignment);
    }
    if has("roleDefinitionId") && has("principalId") {
        return Some(Kind::RoleAssignment);
    }
    if has("roleTemplateId") {
        return Some(Kind::DirectoryRole);
    }
    if has("keyId") && has("appId") && (has("signInActivity") || has("keyType")) {
        return Some(Kind::CredentialActivity);
    }
    if has("appId")
        && (has("lastSignInActivity") || has("applicationAuthenticationClientSignInActivity"))
    {
        return Some(Kind::SpActivity);
    }
    if has("issuer") && has("audiences") && (has("subject") || has("claimsMatchingExpression")) {
        return Some(Kind::Fic);
    }
    if has("keyId") && !has("appId") && (has("secretText") || has("hint")) {
        return Some(Kind::PasswordCredential);
    }
    if has("appId") {
        if has("servicePrincipalType")
            || has("appOwnerOrganizationId")
            || has("appOwnerTenantId")
            || has("servicePrincipalNames")
            || has("appRoleAssignmentRequired")
        {
            return Some(Kind::ServicePrincipal);
        }
        if has("requiredResourceAccess")
            || has("web")
            || has("api")
            || has("publisherDomain")
            || has("identifierUris")
            || has("isFallbackPublicClient")
        {
            return Some(Kind::Application);
        }
    }
    if has("verifiedDomains") || has("tenantType") {
        return Some(Kind::Organization);
    }
    if has("userPrincipalName") {
        return Some(Kind::User);
    }
    None
}

/// Recognisable non-inventory shapes, with the reason they are skipped.
fn known_other(o: &Obj) -> Option<&'static str> {
    let has = |k: &str| o.has(k);
    if has("permissions") && has("resources") {
        return Some("permission reference table (risky permission catalogue), not an inventory");
    }
    if has("EAMTierLevelName") {
        return Some("permission tier classification (reference data), not an inventory");
    }
    if has("AppId") && has("AppDisplayName") && has("Source") && !has("id") {
        return Some("Microsoft first-party application list (reference data), not an inventory");
    }
    if has("AllowedMemberTypes") && has("Value") && !has("principalId") {
        return Some("app role definitions (permission reference table), not an inventory");
    }
    if has("AdminConsentDisplayName") && has("Value") && !has("principalId") {
        return Some("delegated permission definitions (reference table), not an inventory");
    }
    if has("conditions") && (has("grantControls") || has("state")) {
        return Some(
            "Conditional Access policies: not evaluated in this version (no NHI inventory in it)",
        );
    }
    if has("Permissions") && (has("FederatedCredentials") || has("IsMultiTenantEnabled")) {
        return Some(
            "ScubaGear-derived report, not a raw export: export the objects with Microsoft Graph instead",
        );
    }
    if has("AppRoleId") && has("RoleDisplayName") && !has("principalId") {
        return Some(
            "appRoleAssignment projection without principalId or resourceId (ScubaGear shape): export /servicePrincipals/{id}/appRoleAssignments instead",
        );
    }
    None
}

/// The objects a document holds, and the page context when it is a Graph page.
fn items(doc: &RawValue) -> (Context, Vec<&RawValue>) {
    let (ctx, items, _) = page_items(doc);
    (ctx, items)
}

/// Like [`items`], also saying whether the document is a Graph page (`{"value": [...]}`).
fn page_items(doc: &RawValue) -> (Context, Vec<&RawValue>, bool) {
    match JsonType::of(doc) {
        JsonType::Array => (Context::Unknown, elements(doc), false),
        JsonType::Object => {
            let Some(p) = page(doc) else {
                return (Context::Unknown, Vec::new(), false);
            };
            let ctx = p.context.map(|u| context(&u)).unwrap_or(Context::Unknown);
            match p.items {
                Some(items) => (ctx, items, true),
                None => (ctx, vec![doc], false),
            }
        }
        _ => (Context::Unknown, Vec::new(), false),
    }
}

/// A page's context from the first bytes of the document, where Graph, `az rest`
/// and Graph PowerShell put `@odata.context`: spares sniffing a scan of the page.
fn leading_context(doc: &RawValue) -> Context {
    static LEADING: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"^\{\s*"@odata\.context"\s*:\s*"([^"\\]*)""#).expect("static regex")
    });
    let text = doc.get();
    let mut end = text.len().min(2048);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    LEADING
        .captures(&text[..end])
        .map(|c| context(&c[1]))
        .unwrap_or(Context::Unknown)
}

/// True when a document starts with an `@odata.context` naming an Entra collection.
pub fn has_graph_context(docs: &[&RawValue]) -> bool {
    docs.iter().any(|d| leading_context(d) != Context::Unknown)
}

/// The first objects of a document, for sniffing: never the whole of a large array.
fn head_items(doc: &RawValue) -> (Context, Vec<&RawValue>) {
    match JsonType::of(doc) {
        JsonType::Array => (Context::Unknown, super::json::first_elements(doc, 64)),
        _ => items(doc),
    }
}

/// `Ok` when the documents hold Entra objects; otherwise why the file is skipped.
pub fn sniff(docs: &[&RawValue]) -> Result<(), String> {
    let mut other = None;
    let mut saw_page = false;
    for doc in docs {
        if leading_context(doc) != Context::Unknown {
            return Ok(());
        }
        let (ctx, items) = head_items(doc);
        if !matches!(ctx, Context::Unknown) {
            // A page whose context names an Entra collection is Entra even when empty.
            return Ok(());
        }
        saw_page |= page(doc).is_some_and(|p| p.items.is_some());
        for item in items.iter().take(64) {
            if let Some(o) = Obj::parse(item) {
                if let Some(reason) = known_other(&o) {
                    other.get_or_insert(reason);
                    continue;
                }
                if classify(&o).is_some() {
                    return Ok(());
                }
            }
        }
        if items.is_empty() && saw_page {
            return Err("empty page with no @odata.context: nothing to import".into());
        }
    }
    if let Some(reason) = other {
        return Err(reason.to_string());
    }
    Err("valid JSON but no recognised inventory objects (not an Entra, AWS, GCP, Kubernetes, Okta or GitHub export this version reads)".into())
}

/// Items per parallel parsing task.
const CHUNK: usize = 512;

/// Parses one file's documents into records.
pub fn parse(
    docs: &[&RawValue],
    lines: &LineIndex,
    file: u32,
    path: &str,
) -> Result<FileRecords, InputError> {
    let p = objects::Parser { lines, file, path };
    let mut out = FileRecords::default();
    let mut shapes = Vec::new();
    for doc in docs {
        let (ctx, items, page) = page_items(doc);
        match &ctx {
            Context::OwnersOf(parent) => {
                let owners = items
                    .iter()
                    .filter_map(|i| Obj::parse(i))
                    .map(|o| objects::owner(&o))
                    .collect();
                out.owner_pages.push(records::OwnersPage {
                    parent_id: id::Id::new(parent),
                    owners,
                });
            }
            Context::FicsOf(app) => {
                let mut fics = Vec::new();
                for item in &items {
                    if let Some(o) = Obj::parse(item) {
                        fics.extend(p.fic(&o, item));
                    }
                }
                out.fic_pages.push(records::FicPage {
                    app_object_id: id::Id::new(app),
                    fics,
                });
            }
            _ => {
                // `az ad user list`: an array of users is a users export. Owner
                // lists are not.
                out.users_present |= matches!(ctx, Context::Items(Kind::User))
                    || (ctx == Context::Unknown && all_users(&items));
                parse_items(&p, &ctx, &items, &mut out)?;
            }
        }
        shapes.push(shape_name(doc, page, &items));
    }
    shapes.dedup();
    out.format = format!("entra.{}", shapes.join("+"));
    Ok(out)
}

/// True when `items` is not empty and every item is a user.
fn all_users(items: &[&RawValue]) -> bool {
    !items.is_empty()
        && items
            .iter()
            .all(|i| Obj::parse(i).and_then(|o| classify(&o)) == Some(Kind::User))
}

/// Reads a list of objects of one page (or array) into records, in parallel chunks
/// appended in order.
fn parse_items(
    p: &objects::Parser,
    ctx: &Context,
    items: &[&RawValue],
    out: &mut FileRecords,
) -> Result<(), InputError> {
    if *ctx == Context::SpActivityReport {
        out.sp_activity_present = true;
    }
    let parts: Vec<FileRecords> = items
        .par_chunks(CHUNK)
        .map(|chunk| {
            let mut part = FileRecords::default();
            for item in chunk {
                let Some(o) = Obj::parse(item) else { continue };
                let kind = match ctx {
                    Context::Items(k) => Some(*k),
                    Context::SpActivityReport => Some(Kind::SpActivity),
                    _ => classify(&o),
                };
                if let Some(kind) = kind {
                    p.object(kind, &o, item, &mut part)?;
                }
            }
            Ok(part)
        })
        .collect::<Result<_, InputError>>()?;
    out.append_all(parts);
    Ok(())
}

/// A short name for the export shape, for the report's `inputs[].format`.
fn shape_name(doc: &RawValue, page: bool, items: &[&RawValue]) -> &'static str {
    if page {
        return "graph-page";
    }
    let first = items.first().and_then(|i| Obj::parse(i));
    let legacy = first
        .as_ref()
        .is_some_and(|o| o.has("objectId") || o.has("odata.type"));
    let pascal = first.as_ref().is_some_and(|o| {
        o.keys()
            .next()
            .is_some_and(|k| k.starts_with(|c: char| c.is_ascii_uppercase()))
    });
    match (JsonType::of(doc), legacy, pascal) {
        (_, true, _) => "aad-graph-legacy",
        (_, _, true) => "powershell",
        (JsonType::Array, _, _) => "array",
        _ => "object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contexts_name_their_collections_and_parents() {
        let base = "https://graph.microsoft.com/v1.0/$metadata#";
        assert_eq!(
            context(&format!("{base}servicePrincipals(appRoleAssignments())")),
            Context::Items(Kind::ServicePrincipal)
        );
        assert_eq!(
            context(&format!(
                "{base}applications('4d5c')/federatedIdentityCredentials"
            )),
            Context::FicsOf("4d5c".into())
        );
        assert_eq!(
            context(&format!("{base}servicePrincipals('ab')/owners")),
            Context::OwnersOf("ab".into())
        );
        assert_eq!(
            context(&format!("{base}roleManagement/directory/roleAssignments")),
            Context::Items(Kind::RoleAssignment)
        );
        assert_eq!(
            context(
                "https://graph.microsoft.com/beta/$metadata#reports/servicePrincipalSignInActivities"
            ),
            Context::SpActivityReport
        );
        assert_eq!(
            context(&format!("{base}servicePrincipals('ab')/appRoleAssignments")),
            Context::Items(Kind::Assignment)
        );
        assert_eq!(
            context(&format!("{base}directoryObjects")),
            Context::DirectoryObjects
        );
        assert_eq!(context("no metadata here"), Context::Unknown);
    }
}
