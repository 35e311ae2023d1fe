//! The fast path for the users and roles of `get-account-authorization-details`.
//!
//! The general reader ([`super::Parser::principal`]) looks every field up
//! case-insensitively, accepts a lone value where an array belongs, and so walks
//! each element's text several times (the element, each list, each policy). The
//! AWS CLI and SDKs write one exact shape, so this module reads that shape in a
//! single typed pass, borrowing strings from the input. Anything it does not
//! know (an unknown or differently cased field, a value of another type) makes
//! it give up on that element, and the general reader takes it: the two paths
//! produce the same record for every element the fast path accepts.

use std::borrow::Cow;

use serde::de::IgnoredAny;
use serde::{Deserialize, Deserializer};
use serde_json::value::RawValue;

use super::records::{AttachedPolicy, RawPolicy, RawPrincipal};
use super::{OWNER_TAGS, Parser};
use crate::policy::aws::parse_document_json;
use crate::time::parse_timestamp;

/// `Some(None)` for an explicit `null`, `None` when the field is absent.
fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Option<T>, D::Error> {
    T::deserialize(d).map(Some)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(non_snake_case)]
struct PrincipalJson<'a> {
    #[serde(borrow)]
    UserName: Option<Cow<'a, str>>,
    #[serde(borrow)]
    RoleName: Option<Cow<'a, str>>,
    #[serde(borrow)]
    Arn: Option<Cow<'a, str>>,
    #[serde(borrow)]
    Path: Option<Cow<'a, str>>,
    #[serde(borrow)]
    CreateDate: Option<Cow<'a, str>>,
    // Known fields nhiscan does not use: accepted, not read.
    #[serde(rename = "UserId", default)]
    _user_id: Option<IgnoredAny>,
    #[serde(rename = "RoleId", default)]
    _role_id: Option<IgnoredAny>,
    #[serde(borrow, default)]
    UserPolicyList: Option<Vec<PolicyJson<'a>>>,
    #[serde(borrow, default)]
    RolePolicyList: Option<Vec<PolicyJson<'a>>>,
    #[serde(borrow, default)]
    AttachedManagedPolicies: Option<Vec<AttachedJson<'a>>>,
    #[serde(borrow, default)]
    GroupList: Option<Vec<Cow<'a, str>>>,
    #[serde(borrow, default)]
    PermissionsBoundary: Option<BoundaryJson<'a>>,
    #[serde(borrow)]
    AssumeRolePolicyDocument: Option<&'a RawValue>,
    #[serde(rename = "InstanceProfileList", default)]
    _instance_profiles: Option<IgnoredAny>,
    #[serde(borrow, default, deserialize_with = "present")]
    RoleLastUsed: Option<Option<LastUsedJson<'a>>>,
    #[serde(borrow)]
    PasswordLastUsed: Option<Cow<'a, str>>,
    #[serde(borrow, default, deserialize_with = "present")]
    Tags: Option<Option<Vec<TagJson<'a>>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(non_snake_case)]
struct PolicyJson<'a> {
    #[serde(borrow)]
    PolicyName: Option<Cow<'a, str>>,
    #[serde(borrow)]
    PolicyDocument: Option<&'a RawValue>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(non_snake_case)]
struct AttachedJson<'a> {
    #[serde(borrow)]
    PolicyName: Option<Cow<'a, str>>,
    #[serde(borrow)]
    PolicyArn: Option<Cow<'a, str>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(non_snake_case)]
struct BoundaryJson<'a> {
    #[serde(borrow)]
    PermissionsBoundaryArn: Option<Cow<'a, str>>,
    #[serde(rename = "PermissionsBoundaryType", default)]
    _kind: Option<IgnoredAny>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(non_snake_case)]
struct LastUsedJson<'a> {
    #[serde(borrow)]
    LastUsedDate: Option<Cow<'a, str>>,
    #[serde(rename = "Region", default)]
    _region: Option<IgnoredAny>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(non_snake_case)]
struct TagJson<'a> {
    #[serde(borrow)]
    Key: Option<Cow<'a, str>>,
    #[serde(borrow)]
    Value: Option<Cow<'a, str>>,
}

/// `Obj::text`: a string that is not blank.
fn text(s: &Option<Cow<'_, str>>) -> Option<String> {
    s.as_deref()
        .filter(|s| !s.trim().is_empty())
        .map(str::to_string)
}

/// `Parser::document`: a present, non-null document, parsed.
fn document(raw: Option<&RawValue>) -> Option<Result<crate::policy::aws::Document, String>> {
    raw.filter(|r| r.get() != "null")
        .map(|r| parse_document_json(r.get()))
}

/// Reads one user or role in a single pass; `None` when the element is not in
/// the exact shape the AWS CLI writes (the general reader then takes it).
pub(super) fn principal(
    p: &Parser,
    raw: &RawValue,
    name_key: &str,
) -> Option<Option<RawPrincipal>> {
    let j: PrincipalJson = serde_json::from_str(raw.get()).ok()?;
    let name = match name_key {
        "UserName" => &j.UserName,
        _ => &j.RoleName,
    };
    let Some(name) = text(name) else {
        return Some(None);
    };
    let inline = |list: &Option<Vec<PolicyJson>>| -> Vec<RawPolicy> {
        list.iter()
            .flatten()
            .map(|x| RawPolicy {
                name: text(&x.PolicyName).unwrap_or_else(|| "(unnamed)".into()),
                document: document(x.PolicyDocument)
                    .unwrap_or_else(|| Err("no PolicyDocument".into()))
                    .map(std::sync::Arc::new),
            })
            .collect()
    };
    let mut policies = inline(&j.UserPolicyList);
    policies.extend(inline(&j.RolePolicyList));
    Some(Some(RawPrincipal {
        arn: text(&j.Arn).unwrap_or_default(),
        path: text(&j.Path).unwrap_or_else(|| "/".into()),
        created: j.CreateDate.as_deref().and_then(parse_timestamp),
        inline: policies,
        attached: j
            .AttachedManagedPolicies
            .iter()
            .flatten()
            .filter_map(|a| {
                let arn = text(&a.PolicyArn)?;
                Some(AttachedPolicy {
                    name: text(&a.PolicyName).unwrap_or_else(|| arn.clone()),
                    arn,
                })
            })
            .collect(),
        groups: j
            .GroupList
            .iter()
            .flatten()
            .map(|g| g.to_string())
            .collect(),
        boundary_arn: j
            .PermissionsBoundary
            .as_ref()
            .and_then(|b| text(&b.PermissionsBoundaryArn)),
        trust: document(j.AssumeRolePolicyDocument),
        role_last_used: j.RoleLastUsed.as_ref().map(|r| {
            r.as_ref()
                .and_then(|r| r.LastUsedDate.as_deref())
                .and_then(parse_timestamp)
        }),
        password_last_used: j.PasswordLastUsed.as_deref().and_then(parse_timestamp),
        owner_tags: j.Tags.as_ref().map(|tags| {
            tags.iter()
                .flatten()
                .filter(|t| {
                    text(&t.Key)
                        .is_some_and(|k| OWNER_TAGS.iter().any(|o| k.eq_ignore_ascii_case(o)))
                })
                .filter_map(|t| text(&t.Value))
                .collect()
        }),
        source: p.at(raw),
        name,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::json::{LineIndex, Obj};

    /// Both readers over one element: (fast path, general reader).
    fn both(element: &str, name_key: &str) -> (Option<Option<String>>, Option<String>) {
        let raw: Box<RawValue> = RawValue::from_string(element.to_string()).unwrap();
        let lines = LineIndex::new(raw.get());
        let p = Parser {
            lines: &lines,
            file: 0,
        };
        let fast = principal(&p, &raw, name_key).map(|r| r.map(|r| format!("{r:?}")));
        let general = Obj::parse(&raw)
            .and_then(|o| p.principal(&o, &raw, name_key))
            .map(|r| format!("{r:?}"));
        (fast, general)
    }

    #[test]
    fn the_fast_path_reads_what_the_general_reader_reads() {
        let elements = [
            (
                "UserName",
                r#"{"Path": "/", "UserName": "svc", "UserId": "AIDA1", "Arn": "arn:aws:iam::111122223333:user/svc",
                "CreateDate": "2023-03-09 10:41:45+00:00", "GroupList": ["g1", ""],
                "UserPolicyList": [{"PolicyName": "p", "PolicyDocument": "%7B%22Statement%22%3A%5B%5D%7D"},
                                   {"PolicyName": " ", "PolicyDocument": {"Statement": {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}}},
                                   {"PolicyName": "none"}],
                "AttachedManagedPolicies": [{"PolicyName": "A", "PolicyArn": "arn:aws:iam::aws:policy/A"}, {"PolicyName": "no-arn"}],
                "PermissionsBoundary": {"PermissionsBoundaryType": "Policy", "PermissionsBoundaryArn": "arn:aws:iam::aws:policy/B"},
                "Tags": [{"Key": "Owner", "Value": "team-a"}, {"Key": "env", "Value": "prod"}]}"#,
            ),
            (
                "RoleName",
                r#"{"Path": "/aws-service-role/", "RoleName": "r", "RoleId": "AROA1", "Arn": "arn:aws:iam::111122223333:role/r",
                "CreateDate": "2024-01-01T00:00:00Z", "InstanceProfileList": [{"InstanceProfileName": "x", "Roles": []}],
                "AssumeRolePolicyDocument": {"Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]},
                "RolePolicyList": [], "AttachedManagedPolicies": null, "Tags": null, "RoleLastUsed": {}}"#,
            ),
            (
                "RoleName",
                r#"{"RoleName": "used", "RoleLastUsed": {"LastUsedDate": "2026-10-30T12:00:00Z", "Region": "eu-west-1"}, "PermissionsBoundary": null}"#,
            ),
            ("RoleName", r#"{"RoleName": "never", "RoleLastUsed": null}"#),
            (
                "UserName",
                r#"{"UserName": "  ", "Arn": "arn:aws:iam::111122223333:user/blank"}"#,
            ),
        ];
        for (key, e) in elements {
            let (fast, general) = both(e, key);
            assert_eq!(fast, Some(general), "{e}");
        }
    }

    #[test]
    fn other_shapes_are_left_to_the_general_reader() {
        for e in [
            // A differently cased field.
            r#"{"userName": "svc", "Arn": "arn:aws:iam::1:user/svc"}"#,
            // An unknown field.
            r#"{"UserName": "svc", "MaxSessionDuration": 3600}"#,
            // A lone value where a list belongs (PowerShell).
            r#"{"UserName": "svc", "GroupList": "g1"}"#,
            // PowerShell's bag.
            r#"{"UserName": "svc", "AdditionalProperties": {}}"#,
            // A number where a string belongs.
            r#"{"UserName": "svc", "CreateDate": 1700000000}"#,
        ] {
            let (fast, general) = both(e, "UserName");
            assert_eq!(fast, None, "{e}");
            assert!(general.is_some(), "{e}");
        }
    }
}
