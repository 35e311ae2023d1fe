//! AWS IAM exports (formats.md §2): `get-account-authorization-details`, the
//! credential report (CSV, or the `get-credential-report` JSON with base64
//! `Content`), and the smaller `aws iam` list/get outputs.
//!
//! [`sniff`] recognises the JSON shapes; [`parse`] and [`parse_credential_report`]
//! turn them into [`FileRecords`]; [`join`] adds them to the inventory.

use base64::Engine;
use rayon::prelude::*;
use serde_json::value::RawValue;

use super::InputError;
use super::json::{ArrayFields, JsonType, LineIndex, Obj, array_fields, array_fields_text};
use crate::model::{CredentialKind, Provenance};
use crate::policy::aws::{Document, parse_document_json};
use crate::time::parse_timestamp;

mod join;
mod records;
mod typed;

pub use crate::policy::aws::SENSITIVE_SERVICES;
pub use join::{account_of, join};
pub use records::FileRecords;
use records::*;

/// Top-level keys that identify an AWS IAM JSON export.
const KEYS: &[&str] = &[
    "UserDetailList",
    "RoleDetailList",
    "GroupDetailList",
    "Policies",
    "AccessKeyMetadata",
    "AccessKeyLastUsed",
    "Role",
    "Roles",
    "Users",
    "OpenIDConnectProviderList",
    "ServiceSpecificCredentials",
    "SSHPublicKeys",
    "Certificates",
];

/// A recorder's wrapper (`{"status_code": 200, "data": {...}}`) around the response.
fn unwrap_recording(o: Obj<'_>) -> Obj<'_> {
    if o.has("status_code")
        && let Some(inner) = o.obj("data")
    {
        return inner;
    }
    o
}

fn is_report_json(o: &Obj) -> bool {
    o.get("Content")
        .is_some_and(|c| JsonType::of(c) == JsonType::String)
        && (o.has("ReportFormat") || o.has("GeneratedTime"))
}

/// `true` when the documents are AWS IAM JSON exports.
pub fn sniff(docs: &[&RawValue]) -> bool {
    docs.iter().any(|d| {
        leading_key(d) || {
            Obj::parse(d).map(unwrap_recording).is_some_and(|o| {
                is_report_json(&o) || KEYS.iter().any(|k| o.keys().any(|key| key == *k))
            })
        }
    })
}

/// Top-level keys of `get-account-authorization-details`.
const DETAIL_KEYS: &[&str] = &[
    "UserDetailList",
    "RoleDetailList",
    "GroupDetailList",
    "Policies",
];

/// A known top-level key as the document's first key: the AWS CLI writes
/// `{"UserDetailList": …` and `{"Roles": …`, so most files need no full scan.
fn leading_key(doc: &RawValue) -> bool {
    leading_key_in(doc, KEYS)
}

fn leading_key_in(doc: &RawValue, keys: &[&str]) -> bool {
    leading_key_text(doc.get(), keys)
}

fn leading_key_text(text: &str, keys: &[&str]) -> bool {
    let head = &text.as_bytes()[..text.len().min(256)];
    let Some(rest) = head.strip_prefix(b"{") else {
        return false;
    };
    let rest = rest.trim_ascii_start();
    keys.iter().any(|k| {
        rest.strip_prefix(b"\"")
            .and_then(|r| r.strip_prefix(k.as_bytes()))
            .is_some_and(|r| r.starts_with(b"\""))
    })
}

/// Is this text meant as a credential report CSV? Its header has a `user` column
/// and at least one other report column; a report missing required columns is
/// then an error rather than an unrelated file.
pub fn looks_like_credential_report(text: &str) -> bool {
    let header = text.lines().next().unwrap_or("");
    let cols: Vec<&str> = header.split(',').map(str::trim).collect();
    cols.first() == Some(&"user") && cols.len() > 1
}

struct Parser<'a, 'l> {
    lines: &'l LineIndex<'a>,
    file: u32,
}

impl Parser<'_, '_> {
    fn at(&self, raw: &RawValue) -> Provenance {
        Provenance {
            file: self.file,
            line: self.lines.line_of(raw),
        }
    }

    fn document(&self, o: &Obj, key: &str) -> Option<Result<Document, String>> {
        Some(parse_document_json(o.get(key)?.get()))
    }

    fn inline(&self, o: &Obj, key: &str) -> Vec<RawPolicy> {
        o.array(key)
            .unwrap_or_default()
            .into_iter()
            .filter_map(Obj::parse)
            .map(|p| RawPolicy {
                name: p.text("PolicyName").unwrap_or_else(|| "(unnamed)".into()),
                document: self
                    .document(&p, "PolicyDocument")
                    .unwrap_or_else(|| Err("no PolicyDocument".into()))
                    .map(std::sync::Arc::new),
            })
            .collect()
    }

    fn principal(&self, o: &Obj, raw: &RawValue, name_key: &str) -> Option<RawPrincipal> {
        let name = o.text(name_key)?;
        let role_last_used = if o.has("RoleLastUsed") {
            Some(
                o.obj("RoleLastUsed")
                    .and_then(|r| r.str("LastUsedDate"))
                    .and_then(|s| parse_timestamp(&s)),
            )
        } else {
            None
        };
        Some(RawPrincipal {
            arn: o.text("Arn").unwrap_or_default(),
            path: o.text("Path").unwrap_or_else(|| "/".into()),
            created: o.str("CreateDate").and_then(|s| parse_timestamp(&s)),
            inline: [
                self.inline(o, "UserPolicyList"),
                self.inline(o, "RolePolicyList"),
            ]
            .concat(),
            attached: attached(o),
            groups: o.strings("GroupList"),
            boundary_arn: o
                .obj("PermissionsBoundary")
                .and_then(|b| b.text("PermissionsBoundaryArn")),
            trust: self.document(o, "AssumeRolePolicyDocument"),
            role_last_used,
            password_last_used: o.str("PasswordLastUsed").and_then(|s| parse_timestamp(&s)),
            owner_tags: o.has("Tags").then(|| owner_tags(o)),
            source: self.at(raw),
            name,
        })
    }

    /// The four lists of authorization details, each read in parallel.
    fn details(&self, f: &ArrayFields, out: &mut FileRecords) {
        // The exact CLI shape in one typed pass; anything else by the general reader.
        let read = |raw: &RawValue, name_key: &str| {
            typed::principal(self, raw, name_key)
                .unwrap_or_else(|| Obj::parse(raw).and_then(|o| self.principal(&o, raw, name_key)))
        };
        out.users.par_extend(
            f.array("UserDetailList")
                .par_iter()
                .filter_map(|raw| read(raw, "UserName")),
        );
        out.roles.par_extend(
            f.array("RoleDetailList")
                .par_iter()
                .filter_map(|raw| read(raw, "RoleName")),
        );
        for raw in f.array("GroupDetailList") {
            if let Some(g) = Obj::parse(raw) {
                out.groups.push(RawGroup {
                    name: g.text("GroupName").unwrap_or_default(),
                    inline: self.inline(&g, "GroupPolicyList"),
                    attached: attached(&g),
                });
            }
        }
        out.policies.par_extend(
            f.array("Policies")
                .par_iter()
                .filter_map(|raw| Obj::parse(raw).and_then(|m| self.managed(&m))),
        );
    }

    fn managed(&self, o: &Obj) -> Option<RawManagedPolicy> {
        let arn = o.text("Arn")?;
        let default_id = o.text("DefaultVersionId");
        let versions = o.array("PolicyVersionList").unwrap_or_default();
        let default = versions.iter().filter_map(|v| Obj::parse(v)).find(|v| {
            v.bool("IsDefaultVersion") == Some(true)
                || (default_id.is_some() && v.text("VersionId") == default_id)
        });
        Some(RawManagedPolicy {
            name: o.text("PolicyName").unwrap_or_else(|| arn.clone()),
            document: default
                .and_then(|v| self.document(&v, "Document"))
                .unwrap_or_else(|| Err("no default policy version in the export".into())),
            arn,
        })
    }

    fn user_credential(
        &self,
        raw: &RawValue,
        kind: CredentialKind,
        id_key: &str,
        date_key: &str,
    ) -> Option<RawUserCredential> {
        let o = Obj::parse(raw)?;
        Some(RawUserCredential {
            user: o.text("UserName")?,
            kind,
            id: o.text(id_key)?,
            active: o
                .text("Status")
                .is_some_and(|s| s.eq_ignore_ascii_case("Active")),
            created: o.str(date_key).and_then(|s| parse_timestamp(&s)),
            service: o.text("ServiceName"),
            source: self.at(raw),
        })
    }
}

/// Tag keys that name who is responsible for a principal, by common convention.
const OWNER_TAGS: &[&str] = &[
    "owner",
    "owners",
    "owner-email",
    "owner_email",
    "team",
    "contact",
    "technical-contact",
];

fn owner_tags(o: &Obj) -> Vec<String> {
    o.array("Tags")
        .unwrap_or_default()
        .into_iter()
        .filter_map(Obj::parse)
        .filter(|t| {
            t.text("Key")
                .is_some_and(|k| OWNER_TAGS.iter().any(|o| k.eq_ignore_ascii_case(o)))
        })
        .filter_map(|t| t.text("Value"))
        .collect()
}

fn attached(o: &Obj) -> Vec<AttachedPolicy> {
    o.array("AttachedManagedPolicies")
        .unwrap_or_default()
        .into_iter()
        .filter_map(Obj::parse)
        .filter_map(|p| {
            let arn = p.text("PolicyArn")?;
            Some(AttachedPolicy {
                name: p.text("PolicyName").unwrap_or_else(|| arn.clone()),
                arn,
            })
        })
        .collect()
}

/// Authorization details straight from a file's text, when the text is one
/// object whose first key is a detail list (as the AWS CLI writes it): the
/// arrays are split in the same pass that checks the JSON, and the lines are
/// indexed meanwhile. `None` otherwise; the general path then reads the file and
/// reports any error in it.
pub fn parse_details_text(text: &str, file: u32) -> Option<FileRecords> {
    if !leading_key_text(text.trim_start(), DETAIL_KEYS) {
        return None;
    }
    let (fields, lines) = rayon::join(|| array_fields_text(text), || LineIndex::new(text));
    let fields = fields?;
    let p = Parser {
        lines: &lines,
        file,
    };
    let mut out = FileRecords {
        truncated: fields.bool("IsTruncated") == Some(true),
        format: "aws.authorization-details".into(),
        ..FileRecords::default()
    };
    p.details(&fields, &mut out);
    Some(out)
}

/// Parses the AWS JSON documents of one file.
pub fn parse(
    docs: &[&RawValue],
    lines: &LineIndex,
    file: u32,
    path: &str,
) -> Result<FileRecords, InputError> {
    let p = Parser { lines, file };
    let mut out = FileRecords::default();
    let mut shapes: Vec<&'static str> = Vec::new();
    for doc in docs {
        // Authorization details are a few big arrays: split them in one pass.
        if leading_key_in(doc, DETAIL_KEYS)
            && let Some(fields) = array_fields(doc)
        {
            out.truncated |= fields.bool("IsTruncated") == Some(true);
            p.details(&fields, &mut out);
            shapes.push("authorization-details");
            continue;
        }
        let Some(o) = Obj::parse(doc).map(unwrap_recording) else {
            continue;
        };
        if is_report_json(&o) {
            let content = o.str("Content").unwrap_or_default();
            let csv = if content.trim_start().starts_with("user,") {
                content
            } else {
                let bytes = base64::engine::general_purpose::STANDARD
                    .decode(content.trim().as_bytes())
                    .map_err(|_| InputError::Encoding {
                        path: path.to_string(),
                        message: "credential report Content is neither CSV nor base64".into(),
                    })?;
                String::from_utf8(bytes).map_err(|_| InputError::Encoding {
                    path: path.to_string(),
                    message: "credential report Content is not UTF-8 text".into(),
                })?
            };
            // Rows of an embedded report point at the JSON document's line.
            let line = lines.line_of(doc);
            let mut rows = credential_report_rows(&csv, file, path, Some(line))?;
            out.report.append(&mut rows);
            shapes.push("credential-report-json");
            continue;
        }
        out.truncated |= o.bool("IsTruncated") == Some(true);
        let mut matched = false;
        // Large lists are read in parallel; collect keeps their order.
        for (key, name_key) in [("UserDetailList", "UserName"), ("Users", "UserName")] {
            let raws = o.array(key).unwrap_or_default();
            matched |= !raws.is_empty();
            out.users
                .par_extend(raws.par_iter().filter_map(|raw| {
                    Obj::parse(raw).and_then(|u| p.principal(&u, raw, name_key))
                }));
        }
        for key in ["RoleDetailList", "Roles"] {
            let raws = o.array(key).unwrap_or_default();
            matched |= !raws.is_empty();
            out.roles.par_extend(
                raws.par_iter().filter_map(|raw| {
                    Obj::parse(raw).and_then(|r| p.principal(&r, raw, "RoleName"))
                }),
            );
        }
        if let Some(raw) = o.get("Role")
            && let Some(r) = Obj::parse(raw).and_then(|r| p.principal(&r, raw, "RoleName"))
        {
            out.roles.push(r);
            matched = true;
        }
        for raw in o.array("GroupDetailList").unwrap_or_default() {
            if let Some(g) = Obj::parse(raw) {
                out.groups.push(RawGroup {
                    name: g.text("GroupName").unwrap_or_default(),
                    inline: p.inline(&g, "GroupPolicyList"),
                    attached: attached(&g),
                });
            }
            matched = true;
        }
        for raw in o.array("Policies").unwrap_or_default() {
            if let Some(m) = Obj::parse(raw).and_then(|m| p.managed(&m)) {
                out.policies.push(m);
            }
            matched = true;
        }
        let credential_lists: [(&str, CredentialKind, &str, &str); 4] = [
            (
                "AccessKeyMetadata",
                CredentialKind::AccessKey,
                "AccessKeyId",
                "CreateDate",
            ),
            (
                "SSHPublicKeys",
                CredentialKind::SshKey,
                "SSHPublicKeyId",
                "UploadDate",
            ),
            (
                "Certificates",
                CredentialKind::Certificate,
                "CertificateId",
                "UploadDate",
            ),
            (
                "ServiceSpecificCredentials",
                CredentialKind::Secret,
                "ServiceSpecificCredentialId",
                "CreateDate",
            ),
        ];
        for (key, kind, id_key, date_key) in credential_lists {
            for raw in o.array(key).unwrap_or_default() {
                out.user_credentials
                    .extend(p.user_credential(raw, kind, id_key, date_key));
                matched = true;
            }
        }
        if let Some(used) = o.obj("AccessKeyLastUsed") {
            out.key_last_used.push((
                o.text("UserName").unwrap_or_default(),
                used.str("LastUsedDate").and_then(|s| parse_timestamp(&s)),
            ));
            matched = true;
        }
        for raw in o.array("OpenIDConnectProviderList").unwrap_or_default() {
            out.oidc_providers
                .extend(Obj::parse(raw).and_then(|x| x.text("Arn")));
            matched = true;
        }
        if matched || KEYS.iter().any(|k| o.has(k)) {
            shapes.push(shape_of(&o));
        }
    }
    shapes.dedup();
    out.format = format!("aws.{}", shapes.join("+"));
    Ok(out)
}

fn shape_of(o: &Obj) -> &'static str {
    if o.has("UserDetailList")
        || o.has("RoleDetailList")
        || o.has("GroupDetailList")
        || o.has("Policies")
    {
        "authorization-details"
    } else if o.has("AccessKeyMetadata") {
        "list-access-keys"
    } else if o.has("AccessKeyLastUsed") {
        "get-access-key-last-used"
    } else if o.has("Role") {
        "get-role"
    } else if o.has("Roles") {
        "list-roles"
    } else if o.has("Users") {
        "list-users"
    } else if o.has("OpenIDConnectProviderList") {
        "list-open-id-connect-providers"
    } else if o.has("SSHPublicKeys") {
        "list-ssh-public-keys"
    } else if o.has("Certificates") {
        "list-signing-certificates"
    } else {
        "list-service-specific-credentials"
    }
}

/// Parses a credential report CSV file.
pub fn parse_credential_report(
    text: &str,
    file: u32,
    path: &str,
) -> Result<FileRecords, InputError> {
    Ok(FileRecords {
        format: "aws.credential-report-csv".into(),
        report: credential_report_rows(text, file, path, None)?,
        ..FileRecords::default()
    })
}

const REPORT_COLUMNS: &[&str] = &["user", "arn"];

/// The rows of a credential report, read by header name. `embedded_line` is the
/// line of the JSON document a report came in, if any (rows then point there).
fn credential_report_rows(
    text: &str,
    file: u32,
    path: &str,
    embedded_line: Option<u32>,
) -> Result<Vec<ReportRow>, InputError> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(text.as_bytes());
    let header = reader.headers().map_err(|e| csv_error(path, &e))?.clone();
    let col = |name: &str| header.iter().position(|h| h.trim() == name);
    let missing: Vec<&str> = REPORT_COLUMNS
        .iter()
        .copied()
        .filter(|c| col(c).is_none())
        .collect();
    if !missing.is_empty() {
        return Err(InputError::Invalid {
            path: path.to_string(),
            line: 1,
            message: format!(
                "credential report header lacks the column(s) {}; expected the header of `aws iam get-credential-report`",
                missing.join(", ")
            ),
        });
    }
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| csv_error(path, &e))?;
        let line = embedded_line
            .unwrap_or_else(|| record.position().map(|p| p.line() as u32).unwrap_or(0));
        let get = |name: &str| col(name).and_then(|i| record.get(i)).map(str::trim);
        let flag = |name: &str| match get(name) {
            Some("true") => Some(true),
            Some("false") => Some(false),
            _ => None,
        };
        let date = |name: &str| get(name).and_then(parse_timestamp);
        let slot = |prefix: &str, n: u8, rotated: &str, used: Option<&str>| {
            let created = date(&format!("{prefix}_{n}_{rotated}"));
            let active = flag(&format!("{prefix}_{n}_active")).unwrap_or(false);
            (active || created.is_some()).then(|| ReportKey {
                slot: n,
                active,
                created,
                last_used: used.and_then(|u| date(&format!("{prefix}_{n}_{u}"))),
            })
        };
        let Some(user) = get("user").filter(|u| !u.is_empty()) else {
            continue;
        };
        rows.push(ReportRow {
            user: user.to_string(),
            arn: get("arn").unwrap_or("").to_string(),
            created: date("user_creation_time"),
            password_enabled: flag("password_enabled"),
            password_last_used: date("password_last_used"),
            mfa_active: flag("mfa_active"),
            keys: (1..=2)
                .filter_map(|n| slot("access_key", n, "last_rotated", Some("last_used_date")))
                .collect(),
            certs: (1..=2)
                .filter_map(|n| slot("cert", n, "last_rotated", None))
                .collect(),
            source: Provenance { file, line },
        });
    }
    Ok(rows)
}

fn csv_error(path: &str, e: &csv::Error) -> InputError {
    let line = e.position().map(|p| p.line() as u32).unwrap_or(0);
    let message = match e.kind() {
        csv::ErrorKind::Utf8 { .. } => "invalid UTF-8 in the CSV".to_string(),
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => {
            format!("row has {len} fields, the header {expected_len}")
        }
        _ => "unreadable CSV".to_string(),
    };
    InputError::Invalid {
        path: path.to_string(),
        line,
        message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn details_are_read_from_the_text_only_when_it_is_one_detail_object() {
        let one = r#" {"UserDetailList": [{"UserName": "u", "Arn": "arn:aws:iam::1:user/u"}], "RoleDetailList": [], "IsTruncated": true}"#;
        let r = parse_details_text(one, 0).unwrap();
        assert_eq!((r.users.len(), r.truncated), (1, true));
        assert_eq!(r.format, "aws.authorization-details");
        // Concatenated pages, invalid JSON and other shapes go the general way.
        let two = format!("{one}\n{one}");
        assert!(parse_details_text(&two, 0).is_none());
        assert!(parse_details_text(r#"{"UserDetailList": [}"#, 0).is_none());
        assert!(parse_details_text(r#"{"Roles": []}"#, 0).is_none());
    }

    const HEADER: &str = "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated";

    #[test]
    fn credential_report_rows_read_by_header_with_sentinels() {
        let text = format!(
            "{HEADER}\n<root_account>,arn:aws:iam::1:root,2016-05-16T18:13:11+00:00,not_supported,no_information,not_supported,not_supported,true,true,2020-01-01T00:00:00Z,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A\n"
        );
        let rows = credential_report_rows(&text, 0, "r.csv", None).unwrap();
        assert_eq!(rows.len(), 1);
        let root = &rows[0];
        assert_eq!(root.password_enabled, None);
        assert_eq!(root.password_last_used, None);
        assert_eq!(root.keys.len(), 1);
        assert!(root.keys[0].active && root.keys[0].last_used.is_none());
        assert_eq!(root.source.line, 2);
    }

    #[test]
    fn reordered_and_trimmed_headers_still_read() {
        let text = "arn,user,access_key_1_active,access_key_1_last_rotated\narn:aws:iam::1:user/a,a,true,2024-01-01T00:00:00Z\n";
        let rows = credential_report_rows(text, 0, "r.csv", None).unwrap();
        assert_eq!(rows[0].user, "a");
        assert_eq!(rows[0].keys.len(), 1);
    }

    #[test]
    fn a_wrong_header_is_an_error_naming_the_missing_columns() {
        let err = credential_report_rows("user,name\nx,y\n", 0, "r.csv", None).unwrap_err();
        assert!(err.to_string().contains("lacks the column(s) arn"), "{err}");
    }
}
