//! Joining AWS records into the inventory.
//!
//! - Users and roles are merged across files by ARN (authorization details win over
//!   list outputs, which lack policies).
//! - A principal's effective policies: its inline and attached policies plus, for
//!   users, every group's; managed policies at their default version; the
//!   permissions boundary, if any.
//! - Credential report rows join users by ARN (else name); the root row becomes the
//!   root account identity. `list-access-keys` fills in keys for users without a row.
//! - Each policy becomes a grant whose tier is what that policy alone allows.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use rayon::prelude::*;
use rustc_hash::FxHashMap as HashMap;

use super::records::*;
use crate::model::aws::{AwsData, AwsPrincipal};
use crate::model::{
    Credential, CredentialHost, CredentialKind, Grant, GrantKind, HumanLogin, Identity,
    IdentityKind, InventoryBuilder, Origin, Provider, Tier,
};
use crate::policy::aws::{
    ALLOWS_EVERYTHING, Document, Effective, SENSITIVE_SERVICES, Source, parse_document,
};
use crate::policy::aws_privesc::{self, SourceMasks};

/// AWS-managed policies whose effect is known without the export carrying them.
static KNOWN_MANAGED: LazyLock<BTreeMap<&'static str, Document>> = LazyLock::new(|| {
    let doc = |v: serde_json::Value| parse_document(&v).expect("static policy");
    BTreeMap::from([
        (
            "arn:aws:iam::aws:policy/AdministratorAccess",
            doc(
                serde_json::json!({"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}),
            ),
        ),
        (
            "arn:aws:iam::aws:policy/IAMFullAccess",
            doc(
                serde_json::json!({"Statement": [{"Effect": "Allow", "Action": ["iam:*", "organizations:DescribeAccount", "organizations:DescribeOrganization", "organizations:DescribeOrganizationalUnit", "organizations:DescribePolicy", "organizations:ListChildren", "organizations:ListParents", "organizations:ListPoliciesForTarget", "organizations:ListRoots", "organizations:ListPolicies", "organizations:ListTargetsForPolicy"], "Resource": "*"}]}),
            ),
        ),
        (
            "arn:aws:iam::aws:policy/PowerUserAccess",
            doc(serde_json::json!({"Statement": [
                {"Effect": "Allow", "NotAction": ["iam:*", "organizations:*", "account:*"], "Resource": "*"},
                {"Effect": "Allow", "Action": ["iam:CreateServiceLinkedRole", "iam:DeleteServiceLinkedRole", "iam:ListRoles", "organizations:DescribeOrganization", "account:ListRegions", "account:GetAccountInformation"], "Resource": "*"}]})),
        ),
    ])
});

/// The account id in an ARN (`arn:aws:iam::123456789012:user/x`).
pub fn account_of(arn: &str) -> Option<&str> {
    arn.split(':')
        .nth(4)
        .filter(|a| a.len() == 12 && a.bytes().all(|b| b.is_ascii_digit()))
}

/// One evaluated policy: its document, masks and the tier it grants on its own.
struct Evaluated {
    document: std::sync::Arc<Document>,
    masks: SourceMasks,
    /// `Document::allow_bits`.
    allow_bits: u8,
    tier: Tier,
}

fn evaluate(document: Document, name: &str) -> Evaluated {
    evaluate_shared(std::sync::Arc::new(document), name)
}

fn evaluate_shared(document: std::sync::Arc<Document>, name: &str) -> Evaluated {
    let masks = aws_privesc::masks(&document);
    let mut alone = Effective::default();
    alone.add_shared(
        document.clone(),
        Source {
            policy: name.to_string(),
            arn: None,
            group: None,
        },
    );
    let allow_bits = document.allow_bits();
    let tier = if (allow_bits & ALLOWS_EVERYTHING != 0 && alone.full_admin().is_some())
        || !aws_privesc::matched(aws_privesc::allowed(&[masks], None)).is_empty()
    {
        Tier::Tier0
    } else if SENSITIVE_SERVICES
        .iter()
        .enumerate()
        .any(|(i, s)| allow_bits & (1 << i) != 0 && alone.allows_service(s).is_some())
    {
        Tier::Tier1
    } else {
        Tier::Unclassified
    };
    Evaluated {
        document,
        masks,
        allow_bits,
        tier,
    }
}

#[derive(Default)]
struct Merged {
    users: Vec<RawPrincipal>,
    roles: Vec<RawPrincipal>,
    groups: HashMap<String, RawGroup>,
    policies: HashMap<String, RawManagedPolicy>,
    report: Vec<ReportRow>,
    user_credentials: Vec<RawUserCredential>,
    key_last_used: HashMap<String, Option<jiff::Timestamp>>,
    truncated: bool,
}

/// Keeps the richer of two records of one principal: authorization details
/// (with policies) over list outputs.
fn merge_principal(
    list: &mut Vec<RawPrincipal>,
    seen: &mut HashMap<String, usize>,
    p: RawPrincipal,
) {
    let key = if p.arn.is_empty() {
        p.name.clone()
    } else {
        p.arn.clone()
    };
    match seen.get(&key) {
        Some(&i) => {
            let kept = &mut list[i];
            let richer = kept.inline.is_empty()
                && kept.attached.is_empty()
                && (!p.inline.is_empty() || !p.attached.is_empty());
            if richer {
                let role_last_used = kept.role_last_used.or(p.role_last_used);
                *kept = RawPrincipal {
                    role_last_used,
                    ..p
                };
            } else {
                kept.role_last_used = kept.role_last_used.or(p.role_last_used);
                kept.trust = kept.trust.take().or(p.trust);
            }
        }
        None => {
            seen.insert(key, list.len());
            list.push(p);
        }
    }
}

fn merge(files: Vec<FileRecords>) -> Merged {
    let mut m = Merged::default();
    m.users.reserve(files.iter().map(|f| f.users.len()).sum());
    m.roles.reserve(files.iter().map(|f| f.roles.len()).sum());
    let mut users_seen = HashMap::default();
    let mut roles_seen = HashMap::default();
    users_seen.reserve(m.users.capacity());
    roles_seen.reserve(m.roles.capacity());
    for f in files {
        for u in f.users {
            merge_principal(&mut m.users, &mut users_seen, u);
        }
        for r in f.roles {
            merge_principal(&mut m.roles, &mut roles_seen, r);
        }
        for g in f.groups {
            m.groups.entry(g.name.clone()).or_insert(g);
        }
        for p in f.policies {
            m.policies.entry(p.arn.clone()).or_insert(p);
        }
        m.report.extend(f.report);
        m.user_credentials.extend(f.user_credentials);
        for (user, last) in f.key_last_used {
            m.key_last_used.insert(user, last);
        }
        m.truncated |= f.truncated;
    }
    m
}

/// Adds the AWS records of every file to the inventory being built.
pub fn join(files: Vec<FileRecords>, b: &mut InventoryBuilder, notes: &mut Vec<String>) {
    if files.is_empty() {
        return;
    }
    let m = merge(files);
    let gap = |b: &mut InventoryBuilder, reason: String| {
        b.inventory.gaps.push(crate::model::Gap {
            provider: "aws",
            reason,
        });
    };
    if m.truncated {
        let reason = "an AWS export says IsTruncated: true: pages were not merged, so principals may be missing (use the CLI's automatic pagination)";
        gap(b, reason.into());
        notes.push(reason.into());
    }

    // Managed policies, evaluated once each.
    let mut managed: HashMap<String, Evaluated> = m
        .policies
        .par_iter()
        .filter_map(|(arn, p)| match &p.document {
            Ok(d) => Some((arn.clone(), evaluate(d.clone(), &p.name))),
            Err(_) => None,
        })
        .collect();
    for p in m.policies.values() {
        if let Err(e) = &p.document {
            notes.push(format!(
                "managed policy {} could not be read ({e}); its permissions are not evaluated",
                p.arn
            ));
        }
    }
    for (arn, doc) in KNOWN_MANAGED.iter() {
        if !managed.contains_key(*arn) {
            managed.insert(arn.to_string(), evaluate(doc.clone(), arn));
        }
    }
    // Groups' inline policies, evaluated once per group rather than once per member.
    let group_inline: HashMap<&str, Vec<Option<Evaluated>>> = m
        .groups
        .par_iter()
        .map(|(name, g)| {
            let evaluated = g
                .inline
                .iter()
                .map(|p| {
                    p.document
                        .as_ref()
                        .ok()
                        .map(|d| evaluate_shared(d.clone(), &p.name))
                })
                .collect();
            (name.as_str(), evaluated)
        })
        .collect();
    let mut accounts: Vec<String> = Vec::new();
    let mut principals: Vec<AwsPrincipal> = Vec::with_capacity(m.users.len() + m.roles.len());
    b.inventory
        .identities
        .reserve(m.users.len() + m.roles.len() + m.report.len());
    // Keys borrow from the merged records, which outlive every lookup.
    let mut by_arn: HashMap<&str, usize> = HashMap::default();
    let mut by_user: HashMap<&str, usize> = HashMap::default();
    let mut missing_policies: BTreeMap<String, usize> = BTreeMap::new();
    let mut unreadable = 0usize;
    let mut missing_groups = 0usize;

    // Each principal is built on its own (in parallel), then numbered in order.
    let all: Vec<(&RawPrincipal, IdentityKind)> = m
        .users
        .iter()
        .map(|u| (u, IdentityKind::IamUser))
        .chain(m.roles.iter().map(|r| (r, IdentityKind::IamRole)))
        .collect();
    let built: Vec<Built> = all
        .par_iter()
        .map(|&(p, kind)| build_principal(p, kind, &managed, &m.groups, &group_inline))
        .collect();
    for (built, (p, kind)) in built.into_iter().zip(all) {
        let Built {
            identity,
            mut grants,
            mut principal,
            missing,
            missing_groups: absent_groups,
            unreadable: bad,
            notes: more,
        } = built;
        missing_groups += absent_groups;
        let account = principal.account.clone();
        if !account.is_empty() && !accounts.contains(&account) {
            accounts.push(account);
        }
        let idx = b.add_identity(identity);
        if kind == IdentityKind::IamUser {
            by_user.insert(p.name.as_str(), idx);
        }
        if !p.arn.is_empty() {
            by_arn.insert(p.arn.as_str(), idx);
        }
        for g in &mut grants {
            g.identity = idx;
        }
        b.inventory.grants.append(&mut grants);
        principal.identity = idx;
        principals.push(principal);
        for arn in missing {
            *missing_policies.entry(arn).or_default() += 1;
        }
        unreadable += bad;
        notes.extend(more);
    }
    for (arn, n) in &missing_policies {
        let reason = format!(
            "managed policy {arn} is attached to {n} principal(s) but not in the export; its permissions are not evaluated"
        );
        gap(b, reason.clone());
        notes.push(reason);
    }
    if missing_groups > 0 {
        gap(
            b,
            format!(
                "{missing_groups} group membership(s) name a group that is not in the export; its policies are not evaluated"
            ),
        );
    }
    if unreadable > 0 {
        notes.push(format!(
            "{unreadable} inline policy document(s) could not be read; their permissions are not evaluated"
        ));
    }

    add_report(
        b,
        &m,
        &mut by_arn,
        &mut by_user,
        &mut accounts,
        &mut principals,
    );
    add_user_credentials(b, &m, &by_user, notes);

    let accounts_sorted = {
        let mut a = accounts;
        a.sort();
        a
    };
    b.inventory.aws = AwsData::new(principals, accounts_sorted);
    drop((by_arn, by_user));
    // Freeing every raw record takes a while; nothing waits for it.
    rayon::spawn(move || drop(m));
}

/// One principal, built without reference to the others.
struct Built {
    identity: Identity,
    /// Grants with `identity` not yet set.
    grants: Vec<Grant>,
    principal: AwsPrincipal,
    /// ARNs of attached policies that are not in the export.
    missing: Vec<String>,
    /// Groups the user is in that are not in the export.
    missing_groups: usize,
    unreadable: usize,
    notes: Vec<String>,
}

fn build_principal(
    p: &RawPrincipal,
    kind: IdentityKind,
    managed: &HashMap<String, Evaluated>,
    groups: &HashMap<String, RawGroup>,
    group_inline: &HashMap<&str, Vec<Option<Evaluated>>>,
) -> Built {
    let account = account_of(&p.arn).unwrap_or("").to_string();
    let service_linked = p.path.starts_with("/aws-service-role/");
    let id = if p.arn.is_empty() {
        p.name.clone()
    } else {
        p.arn.clone()
    };
    let identity = Identity {
        provider: Provider::Aws,
        kind,
        id: id.clone(),
        key: id,
        name: p.name.clone(),
        app_id: None,
        app_object_id: None,
        publisher_tenant: Some(account.clone()).filter(|a| !a.is_empty()),
        origin: if service_linked {
            Origin::FirstParty
        } else {
            Origin::Home
        },
        verified_publisher: None,
        enabled: None,
        created: p.created,
        last_used: p.role_last_used.flatten().or(p.password_last_used),
        activity_known: p.role_last_used.is_some(),
        owners: p.owner_tags.as_ref().map(|values| {
            values
                .iter()
                .map(|v| crate::model::Owner {
                    id: v.clone(),
                    name: Some(v.clone()),
                    kind: crate::model::PrincipalKind::Unknown,
                    enabled: None,
                    guest: None,
                })
                .collect()
        }),
        settings: Default::default(),
        human_login: None,
        source: p.source,
    };
    let mut out = Built {
        identity,
        grants: Vec::new(),
        principal: AwsPrincipal::default(),
        missing: Vec::new(),
        missing_groups: 0,
        unreadable: 0,
        notes: Vec::new(),
    };
    let mut effective = Effective::default();
    let mut masks: Vec<SourceMasks> = Vec::new();
    let mut allow_bits = 0u8;
    let mut direct = Vec::new();
    let mut add = |out: &mut Built, evaluated: &Evaluated, source: Source| {
        out.grants.push(Grant {
            identity: 0,
            kind: GrantKind::Policy,
            resource: format!("AWS account {account}").into(),
            resource_app_id: None,
            permission: source.label().into(),
            permission_id: source.arn.as_deref().map(Into::into),
            tier: evaluated.tier,
            consent: None,
            scope: source.group.as_ref().map(|g| format!("group:{g}")),
            resolution_note: None,
            source: p.source,
        });
        effective.add_shared(evaluated.document.clone(), source);
        masks.push(evaluated.masks);
        allow_bits |= evaluated.allow_bits;
    };
    let source = |policy: &str, arn: Option<&str>, group: Option<&str>| Source {
        policy: policy.to_string(),
        arn: arn.map(str::to_string),
        group: group.map(str::to_string),
    };
    // Own inline and attached policies, then each group's.
    for policy in &p.inline {
        direct.push(policy.name.clone());
        match &policy.document {
            Ok(d) => add(
                &mut out,
                &evaluate_shared(d.clone(), &policy.name),
                source(&policy.name, None, None),
            ),
            Err(_) => out.unreadable += 1,
        }
    }
    for a in &p.attached {
        direct.push(a.name.clone());
        match managed.get(&a.arn) {
            Some(e) => add(&mut out, e, source(&a.name, Some(&a.arn), None)),
            None => out.missing.push(a.arn.clone()),
        }
    }
    for g in &p.groups {
        let Some(group) = groups.get(g) else {
            out.missing_groups += 1;
            out.notes.push(format!(
                "user {} is in group {g}, which is not in the export",
                p.name
            ));
            continue;
        };
        let evaluated = group_inline.get(g.as_str()).map_or(&[][..], Vec::as_slice);
        for (policy, evaluated) in group.inline.iter().zip(evaluated) {
            match evaluated {
                Some(e) => add(&mut out, e, source(&policy.name, None, Some(g))),
                None => out.unreadable += 1,
            }
        }
        for a in &group.attached {
            match managed.get(&a.arn) {
                Some(e) => add(&mut out, e, source(&a.name, Some(&a.arn), Some(g))),
                None => out.missing.push(a.arn.clone()),
            }
        }
    }
    let mut boundary_masks = None;
    if let Some(arn) = &p.boundary_arn {
        match managed.get(arn) {
            Some(e) => {
                effective.boundary = Some(e.document.clone());
                boundary_masks = Some(e.masks);
            }
            None => out.notes.push(format!(
                "the permissions boundary {arn} of {} is not in the export; the principal is evaluated without it",
                p.name
            )),
        }
    }
    let trust = match &p.trust {
        Some(Ok(d)) => Some(d.clone()),
        Some(Err(e)) => {
            out.notes.push(format!(
                "the trust policy of role {} could not be read ({e}); its trust is not evaluated",
                p.name
            ));
            None
        }
        None => None,
    };
    out.principal = AwsPrincipal {
        identity: 0,
        account,
        arn: p.arn.clone(),
        path: p.path.clone(),
        privesc_allowed: aws_privesc::allowed(&masks, boundary_masks),
        effective,
        direct_policies: direct,
        trust,
        role_last_used: p.role_last_used,
        service_linked,
        full_admin: None,
        sensitive_services: Vec::new(),
    }
    .evaluate_with(allow_bits);
    out
}

/// Credential report rows: users' keys, certificates and console logins; the root account.
fn add_report<'a>(
    b: &mut InventoryBuilder,
    m: &'a Merged,
    by_arn: &mut HashMap<&'a str, usize>,
    by_user: &mut HashMap<&'a str, usize>,
    accounts: &mut Vec<String>,
    principals: &mut Vec<AwsPrincipal>,
) {
    for row in &m.report {
        let root = row.user == "<root_account>";
        let account = account_of(&row.arn).unwrap_or("").to_string();
        if !account.is_empty() && !accounts.contains(&account) {
            accounts.push(account.clone());
        }
        let existing = by_arn
            .get(row.arn.as_str())
            .or_else(|| by_user.get(row.user.as_str()))
            .copied();
        let idx = match existing {
            Some(i) => i,
            None => {
                let idx = b.add_identity(Identity {
                    provider: Provider::Aws,
                    kind: if root {
                        IdentityKind::RootAccount
                    } else {
                        IdentityKind::IamUser
                    },
                    id: row.arn.clone(),
                    key: row.arn.clone(),
                    name: row.user.clone(),
                    app_id: None,
                    app_object_id: None,
                    publisher_tenant: Some(account.clone()).filter(|a| !a.is_empty()),
                    origin: Origin::Home,
                    verified_publisher: None,
                    enabled: None,
                    created: row.created,
                    last_used: None,
                    activity_known: false,
                    owners: None,
                    settings: Default::default(),
                    human_login: None,
                    source: row.source,
                });
                by_arn.insert(row.arn.as_str(), idx);
                by_user.insert(row.user.as_str(), idx);
                principals.push(AwsPrincipal {
                    identity: idx,
                    account: account.clone(),
                    arn: row.arn.clone(),
                    path: "/".into(),
                    ..AwsPrincipal::default()
                });
                idx
            }
        };
        let identity = &mut b.inventory.identities[idx];
        if !root {
            identity.human_login = Some(HumanLogin {
                password_enabled: row.password_enabled == Some(true),
                mfa_active: row.mfa_active,
                password_last_used: row.password_last_used,
            });
        }
        let key_uses = row.keys.iter().filter_map(|k| k.last_used);
        identity.last_used = identity
            .last_used
            .into_iter()
            .chain(key_uses)
            .chain(row.password_last_used)
            .max();
        identity.activity_known = true;
        for (list, kind, label) in [
            (&row.keys, CredentialKind::AccessKey, "access_key"),
            (&row.certs, CredentialKind::Certificate, "cert"),
        ] {
            for k in list {
                b.inventory.credentials.push(Credential {
                    identity: idx,
                    kind,
                    host: CredentialHost::Identity,
                    key_id: None,
                    name: Some(format!("{label}_{}", k.slot)),
                    usage: None,
                    created: k.created,
                    expires: None,
                    last_used: k.last_used,
                    federation: None,
                    active: Some(k.active),
                    source: row.source,
                });
            }
        }
    }
}

/// Keys from `list-access-keys` for users without a report row; SSH keys,
/// signing certificates (when no report row has them) and service credentials.
fn add_user_credentials(
    b: &mut InventoryBuilder,
    m: &Merged,
    by_user: &HashMap<&str, usize>,
    notes: &mut Vec<String>,
) {
    let reported: std::collections::HashSet<&str> =
        m.report.iter().map(|r| r.user.as_str()).collect();
    let mut unknown_users = 0;
    for c in &m.user_credentials {
        let Some(&idx) = by_user.get(c.user.as_str()) else {
            unknown_users += 1;
            continue;
        };
        let in_report = reported.contains(c.user.as_str());
        match c.kind {
            CredentialKind::AccessKey | CredentialKind::Certificate if in_report => {
                // The report has the slot; add the key id for evidence.
                let slot = b.inventory.credentials.iter_mut().find(|x| {
                    x.identity == idx
                        && x.kind == c.kind
                        && x.key_id.is_none()
                        && x.created == c.created
                });
                if let Some(slot) = slot {
                    slot.key_id = Some(c.id.clone());
                }
                continue;
            }
            _ => {}
        }
        let last_used = if c.kind == CredentialKind::AccessKey && c.active {
            m.key_last_used.get(&c.user).copied().flatten()
        } else {
            None
        };
        b.inventory.credentials.push(Credential {
            identity: idx,
            kind: c.kind,
            host: CredentialHost::Identity,
            key_id: Some(c.id.clone()),
            name: c.service.clone(),
            usage: None,
            created: c.created,
            expires: None,
            last_used,
            federation: None,
            active: Some(c.active),
            source: c.source,
        });
    }
    if unknown_users > 0 {
        notes.push(format!(
            "{unknown_users} AWS credential(s) belong to users that are not in the export"
        ));
    }
}
