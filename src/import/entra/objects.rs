//! Reading one Entra object of a known kind into records.
//!
//! Field names are looked up case-insensitively (Graph camelCase, PowerShell
//! PascalCase, `AdditionalProperties`) and legacy AAD Graph names are read as
//! fallbacks (`objectId`, `appOwnerTenantId`, `startDate`, `oauth2AllowImplicitFlow`).

use std::sync::LazyLock;

use base64::Engine;
use regex::Regex;
use serde_json::value::RawValue;

use super::Kind;
use super::id::Id;
use super::records::*;
use crate::import::InputError;
use crate::import::json::{LineIndex, Obj, as_string, elements};
use crate::model::{Owner, PrincipalKind, Provenance};
use crate::time::parse_timestamp;

/// A .NET type name where `ConvertTo-Json -Depth 2` ran out of depth.
static TYPE_NAME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(Microsoft|System)\.[A-Za-z0-9_.`\[\], ]+$").expect("static regex")
});

/// False when no string in `text` (raw JSON) can read as a [`TYPE_NAME`]: such a
/// string starts `"Microsoft.` or `"System.` in the text, unless it is written
/// with escapes. A byte search that spares parsing every nested list again.
fn may_hold_type_name(text: &str) -> bool {
    let bytes = text.as_bytes();
    memchr::memchr(b'\\', bytes).is_some()
        || memchr::memmem::find(bytes, b"\"Microsoft.").is_some()
        || memchr::memmem::find(bytes, b"\"System.").is_some()
}

pub struct Parser<'a, 'l> {
    pub lines: &'l LineIndex<'a>,
    pub file: u32,
    pub path: &'l str,
}

impl Parser<'_, '_> {
    fn at(&self, raw: &RawValue) -> Provenance {
        Provenance {
            file: self.file,
            line: self.lines.line_of(raw),
        }
    }

    /// Errors when `field` holds a .NET type name instead of objects.
    fn not_truncated(&self, o: &Obj, field: &str) -> Result<(), InputError> {
        let Some(raw) = o.get(field) else {
            return Ok(());
        };
        if !may_hold_type_name(raw.get()) {
            return Ok(());
        }
        for item in elements(raw) {
            if let Some(s) = as_string(item).filter(|s| TYPE_NAME.is_match(s)) {
                return Err(InputError::Truncated {
                    path: self.path.to_string(),
                    line: self.lines.line_of(item),
                    field: field.to_string(),
                    type_name: s,
                });
            }
        }
        Ok(())
    }

    /// Object-valued fields of each kind, checked for depth truncation.
    const NESTED: &'static [&'static str] = &[
        "passwordCredentials",
        "keyCredentials",
        "owners",
        "appRoles",
        "appRoleAssignments",
        "federatedIdentityCredentials",
        "requiredResourceAccess",
        "verifiedPublisher",
        "web",
        "api",
        "members",
        "signInActivity",
        "lastSignInActivity",
        "principal",
    ];

    pub fn object(
        &self,
        kind: Kind,
        o: &Obj,
        raw: &RawValue,
        out: &mut FileRecords,
    ) -> Result<(), InputError> {
        // No nested field can hold a type name when the whole object cannot.
        if may_hold_type_name(raw.get()) {
            for field in Self::NESTED {
                self.not_truncated(o, field)?;
            }
        }
        match kind {
            Kind::ServicePrincipal => {
                if let Some(sp) = self.sp(o, raw, out) {
                    out.sps.push(sp);
                }
            }
            Kind::Application => {
                if let Some(app) = self.app(o, raw, out) {
                    out.apps.push(app);
                }
            }
            Kind::Consent => out.consents.extend(self.consent(o, raw)),
            Kind::Assignment => out.assignments.extend(self.assignment(o, raw)),
            Kind::User => out.users.extend(user(o)),
            Kind::Organization => out
                .organizations
                .extend(id_of(o).as_ref().map(String::from)),
            Kind::RoleAssignment => out.role_assignments.extend(self.role_assignment(o, raw)),
            Kind::DirectoryRole => self.directory_role(o, raw, out),
            // A FIC outside an `applications('<id>')/federatedIdentityCredentials`
            // page cannot be attached to an app: counted and reported in a note.
            Kind::Fic => out.orphan_fics += 1,
            Kind::SpActivity => {
                out.sp_activity_present = true;
                if let Some(app_id) = id_field(o, "appId") {
                    out.sp_activity.push((app_id, latest_activity(o)));
                }
            }
            Kind::CredentialActivity => {
                if let Some(key_id) = id_field(o, "keyId") {
                    let last = o
                        .obj("signInActivity")
                        .and_then(|a| a.str("lastSignInDateTime"))
                        .and_then(|s| parse_timestamp(&s));
                    out.credential_activity.push((key_id, last));
                }
            }
            Kind::PasswordCredential => {
                let mut ignored = Vec::new();
                self.password(o, raw, None, &mut ignored, out);
            }
            Kind::OtherDirectoryObject => {}
        }
        Ok(())
    }

    fn sp(&self, o: &Obj, raw: &RawValue, out: &mut FileRecords) -> Option<RawSp> {
        let id = id_of(o)?;
        let mut creds = Vec::new();
        self.credentials(o, Some(&id), &mut creds, out);
        let assignments = o
            .array("appRoleAssignments")
            .unwrap_or_default()
            .into_iter()
            .filter_map(|r| Obj::parse(r).and_then(|a| self.assignment(&a, r)))
            .collect();
        let app_roles = o
            .array("appRoles")
            .unwrap_or_default()
            .into_iter()
            .filter_map(|r| {
                let role = Obj::parse(r)?;
                Some((id_field(&role, "id")?, role.text("value")?))
            })
            .collect();
        Some(RawSp {
            app_id: id_field(o, "appId"),
            name: o.text("displayName").or_else(|| o.text("appDisplayName")),
            sp_type: o.text("servicePrincipalType"),
            owner_org: id_field(o, "appOwnerOrganizationId")
                .or_else(|| id_field(o, "appOwnerTenantId")),
            enabled: o.bool("accountEnabled"),
            created: date(o, "createdDateTime"),
            verified_publisher: verified_publisher(o),
            app_roles,
            creds,
            owners: owners(o),
            assignments,
            source: self.at(raw),
            id,
        })
    }

    fn app(&self, o: &Obj, raw: &RawValue, out: &mut FileRecords) -> Option<RawApp> {
        let id = id_of(o)?;
        let mut creds = Vec::new();
        self.credentials(o, Some(&id), &mut creds, out);
        let fics = o
            .array("federatedIdentityCredentials")
            .unwrap_or_default()
            .into_iter()
            .filter_map(|r| Obj::parse(r).and_then(|f| self.fic(&f, r)))
            .collect();
        let implicit = o
            .obj("web")
            .and_then(|w| w.obj("implicitGrantSettings"))
            .and_then(|s| s.bool("enableAccessTokenIssuance"))
            .or_else(|| o.bool("oauth2AllowImplicitFlow"))
            .unwrap_or(false);
        // v1.0 `isFallbackPublicClient`; legacy `publicClient` was a boolean.
        let fallback = o
            .bool("isFallbackPublicClient")
            .or_else(|| o.bool("publicClient"))
            .unwrap_or(false);
        let multi_tenant = o
            .text("signInAudience")
            .map(|a| a != "AzureADMyOrg")
            .or_else(|| o.bool("availableToOtherTenants"))
            .unwrap_or(false);
        Some(RawApp {
            app_id: id_field(o, "appId"),
            name: o.text("displayName"),
            created: date(o, "createdDateTime"),
            verified_publisher: verified_publisher(o),
            creds,
            owners: owners(o),
            fics,
            implicit_access_tokens: implicit,
            public_client_fallback: fallback,
            multi_tenant,
            source: self.at(raw),
            id,
        })
    }

    /// Password and key credentials of an SP or application.
    fn credentials(
        &self,
        o: &Obj,
        parent: Option<&Id>,
        creds: &mut Vec<RawCred>,
        out: &mut FileRecords,
    ) {
        for r in o.array("passwordCredentials").unwrap_or_default() {
            if let Some(c) = Obj::parse(r) {
                self.password(&c, r, parent, creds, out);
            }
        }
        for r in o.array("keyCredentials").unwrap_or_default() {
            let Some(c) = Obj::parse(r) else { continue };
            let key_type = c.text("type");
            if let Some(key) = c.text("key") {
                let pfx = key_type.as_deref().is_some_and(|t| t.contains("Password"));
                if pfx || holds_private_key(&key) {
                    out.exposures.push(RawExposure {
                        what: "private key in keyCredential",
                        key_id: c.text("keyId"),
                        parent_id: parent.cloned(),
                        source: self.at(r),
                    });
                }
            }
            creds.push(RawCred {
                kind: RawCredKind::Key,
                key_id: id_field(&c, "keyId"),
                name: c.text("displayName"),
                start: date(&c, "startDateTime").or_else(|| date(&c, "startDate")),
                end: date(&c, "endDateTime").or_else(|| date(&c, "endDate")),
                usage: c.text("usage"),
                key_type,
                custom_key_identifier: c.text("customKeyIdentifier"),
                source: self.at(r),
            });
        }
    }

    fn password(
        &self,
        c: &Obj,
        raw: &RawValue,
        parent: Option<&Id>,
        creds: &mut Vec<RawCred>,
        out: &mut FileRecords,
    ) {
        // `secretText` (Graph) and `value` (AAD Graph) are null on read; a value
        // means the file itself holds a live secret. Only its presence is kept.
        let exposed = c.text("secretText").is_some() || c.text("value").is_some();
        if exposed {
            out.exposures.push(RawExposure {
                what: "client secret value (secretText) in passwordCredential",
                key_id: c.text("keyId"),
                parent_id: parent.cloned(),
                source: self.at(raw),
            });
        }
        creds.push(RawCred {
            kind: RawCredKind::Password,
            key_id: id_field(c, "keyId"),
            name: c.text("displayName"),
            start: date(c, "startDateTime").or_else(|| date(c, "startDate")),
            end: date(c, "endDateTime").or_else(|| date(c, "endDate")),
            usage: None,
            key_type: None,
            custom_key_identifier: c.text("customKeyIdentifier"),
            source: self.at(raw),
        });
    }

    pub fn fic(&self, o: &Obj, raw: &RawValue) -> Option<RawFic> {
        let expression = o
            .obj("claimsMatchingExpression")
            .and_then(|e| e.text("value"));
        let mut audiences: Vec<String> = o
            .strings("audiences")
            .iter()
            .flat_map(|a| a.split(['\r', '\n']))
            .map(|a| a.trim().to_string())
            .filter(|a| !a.is_empty())
            .collect();
        audiences.sort();
        Some(RawFic {
            id: o.text("id"),
            name: o.text("name"),
            issuer: o.text("issuer")?,
            subject: o.text("subject"),
            expression,
            audiences,
            source: self.at(raw),
        })
    }

    fn assignment(&self, o: &Obj, raw: &RawValue) -> Option<RawAssignment> {
        Some(RawAssignment {
            id: o.text("id"),
            principal_id: id_field(o, "principalId")?,
            principal_type: o.text("principalType"),
            resource_id: id_field(o, "resourceId")?,
            resource_name: o.text("resourceDisplayName"),
            app_role_id: id_field(o, "appRoleId")?,
            source: self.at(raw),
        })
    }

    fn consent(&self, o: &Obj, raw: &RawValue) -> Option<RawConsent> {
        let scopes = o
            .str("scope")
            .unwrap_or_default()
            .split_whitespace()
            .map(str::to_string)
            .collect();
        Some(RawConsent {
            id: o.text("id").or_else(|| o.text("objectId")),
            client_id: id_field(o, "clientId")?,
            all_principals: o.str_ref("consentType").as_deref() == Some("AllPrincipals"),
            principal_id: id_field(o, "principalId"),
            resource_id: id_field(o, "resourceId")?,
            scopes,
            source: self.at(raw),
        })
    }

    fn role_assignment(&self, o: &Obj, raw: &RawValue) -> Option<RawRoleAssignment> {
        Some(RawRoleAssignment {
            principal_id: id_field(o, "principalId")?,
            role_id: o.text("roleDefinitionId")?.to_ascii_lowercase(),
            role_name: o.obj("roleDefinition").and_then(|d| d.text("displayName")),
            scope: o.text("directoryScopeId"),
            source: self.at(raw),
        })
    }

    /// Legacy `directoryRoles?$expand=members`: one assignment per member.
    fn directory_role(&self, o: &Obj, raw: &RawValue, out: &mut FileRecords) {
        let Some(template) = o.text("roleTemplateId") else {
            return;
        };
        for m in o.array("members").unwrap_or_default() {
            let Some(member) = Obj::parse(m).as_ref().and_then(id_of) else {
                continue;
            };
            out.role_assignments.push(RawRoleAssignment {
                principal_id: member,
                role_id: template.to_ascii_lowercase(),
                role_name: o.text("displayName"),
                scope: Some("/".into()),
                source: self.at(m),
            });
        }
        let _ = raw;
    }
}

/// An object's id (`id`, or AAD Graph's `objectId`).
fn id_of(o: &Obj) -> Option<Id> {
    id_field(o, "id").or_else(|| id_field(o, "objectId"))
}

/// A non-blank string field read as an [`Id`], without copying its text first.
fn id_field(o: &Obj, key: &str) -> Option<Id> {
    o.str_ref(key)
        .filter(|s| !s.trim().is_empty())
        .map(|s| Id::new(&s))
}

fn date(o: &Obj, key: &str) -> Option<jiff::Timestamp> {
    o.str(key).and_then(|s| parse_timestamp(&s))
}

fn verified_publisher(o: &Obj) -> Option<String> {
    let vp = o.obj("verifiedPublisher")?;
    vp.text("verifiedPublisherId")?;
    Some(vp.text("displayName").unwrap_or_else(|| "verified".into()))
}

/// Inline owners (`$expand=owners`); `None` when the field is absent or null,
/// which means "not exported", not "no owner".
fn owners(o: &Obj) -> Option<Vec<Owner>> {
    o.get("owners")?;
    Some(
        o.array("owners")
            .unwrap_or_default()
            .into_iter()
            .filter_map(Obj::parse)
            .map(|x| owner(&x))
            .collect(),
    )
}

/// A directory object listed as an owner.
pub fn owner(o: &Obj) -> Owner {
    let kind = match o.str("@odata.type").or_else(|| o.str("objectType")) {
        Some(t) if t.to_ascii_lowercase().ends_with("user") => PrincipalKind::User,
        Some(t) if t.to_ascii_lowercase().ends_with("serviceprincipal") => {
            PrincipalKind::ServicePrincipal
        }
        Some(t) if t.to_ascii_lowercase().ends_with("group") => PrincipalKind::Group,
        _ if o.has("userPrincipalName") => PrincipalKind::User,
        _ if o.has("appId") => PrincipalKind::ServicePrincipal,
        _ => PrincipalKind::Unknown,
    };
    let upn = o.text("userPrincipalName");
    Owner {
        id: id_of(o).as_ref().map(String::from).unwrap_or_default(),
        name: upn.clone().or_else(|| o.text("displayName")),
        kind,
        enabled: o.bool("accountEnabled"),
        guest: o
            .text("userType")
            .map(|t| t.eq_ignore_ascii_case("guest"))
            .or_else(|| upn.map(|u| u.contains("#EXT#"))),
    }
}

fn user(o: &Obj) -> Option<RawUser> {
    let upn = o.text("userPrincipalName");
    Some(RawUser {
        id: String::from(&id_of(o)?),
        guest: o
            .text("userType")
            .is_some_and(|t| t.eq_ignore_ascii_case("guest"))
            || upn.as_deref().is_some_and(|u| u.contains("#EXT#")),
        upn,
        enabled: o.bool("accountEnabled"),
    })
}

/// The latest sign-in of any kind in a servicePrincipalSignInActivity.
fn latest_activity(o: &Obj) -> Option<jiff::Timestamp> {
    const KINDS: &[&str] = &[
        "lastSignInActivity",
        "delegatedClientSignInActivity",
        "delegatedResourceSignInActivity",
        "applicationAuthenticationClientSignInActivity",
        "applicationAuthenticationResourceSignInActivity",
    ];
    KINDS
        .iter()
        .filter_map(|k| o.obj(k))
        .filter_map(|a| a.str("lastSignInDateTime"))
        .filter_map(|s| parse_timestamp(&s))
        .max()
}

/// PEM text, or base64 of PEM text, that holds a private key.
fn holds_private_key(key: &str) -> bool {
    if key.contains("PRIVATE KEY") {
        return true;
    }
    let compact: String = key.chars().filter(|c| !c.is_whitespace()).collect();
    if !compact.starts_with("LS0tLS1CRUdJT") {
        return false;
    }
    base64::engine::general_purpose::STANDARD
        .decode(compact.as_bytes())
        .is_ok_and(|bytes| {
            bytes
                .windows(b"PRIVATE KEY".len())
                .any(|w| w == b"PRIVATE KEY")
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_keys_are_recognised_in_pem_and_base64_pem() {
        assert!(holds_private_key("-----BEGIN PRIVATE KEY-----\nMIIE"));
        let b64 = base64::engine::general_purpose::STANDARD
            .encode("-----BEGIN RSA PRIVATE KEY-----\nabc\n-----END RSA PRIVATE KEY-----\n");
        assert!(holds_private_key(&b64));
        let cert =
            base64::engine::general_purpose::STANDARD.encode("-----BEGIN CERTIFICATE-----\nabc\n");
        assert!(!holds_private_key(&cert));
        assert!(!holds_private_key("MIIC8DCCAdigAwIBAgIQ"));
    }

    #[test]
    fn type_names_mark_truncation() {
        assert!(
            TYPE_NAME
                .is_match("Microsoft.Graph.PowerShell.Models.MicrosoftGraphPasswordCredential")
        );
        assert!(TYPE_NAME.is_match("System.Collections.Specialized.OrderedDictionary"));
        assert!(!TYPE_NAME.is_match("Microsoft Graph"));
        assert!(!TYPE_NAME.is_match("key1"));
    }

    #[test]
    fn the_byte_search_never_passes_over_a_type_name() {
        let truncated = [
            r#"["Microsoft.Graph.PowerShell.Models.MicrosoftGraphKeyCredential"]"#,
            r#"[ "System.Collections.Hashtable" ]"#,
            r#""System.Object[]""#,
            r#"["\u004dicrosoft.Graph.PowerShell.Models.MicrosoftGraphAppRole"]"#,
        ];
        for text in truncated {
            let raw: &RawValue = serde_json::from_str(text).unwrap();
            let named = elements(raw)
                .into_iter()
                .filter_map(as_string)
                .any(|s| TYPE_NAME.is_match(&s));
            assert!(named, "{text} holds a type name");
            assert!(may_hold_type_name(text), "{text} must be parsed");
        }
        let clean = [
            r##"[{"@odata.type": "#microsoft.graph.passwordCredential", "displayName": "Microsoft Graph"}]"##,
            r#"["key1", "System"]"#,
            "[]",
        ];
        for text in clean {
            assert!(!may_hold_type_name(text), "{text} is skipped");
        }
    }
}
