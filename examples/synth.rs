//! Synthetic export generator for benchmarks and scale tests.
//!
//! `cargo run --release --example synth -- --provider entra|aws|gcp|k8s --identities N --out DIR [--seed S]`
//!
//! The output is a pure function of `--provider`, `--identities` and `--seed` (default 1):
//! two runs with the same arguments write byte-identical files. Every provider is scanned
//! with a plain `nhiscan scan DIR` (no extra flags); the benchmarks use
//! `--now 2026-11-01T00:00:00Z`, and the generated dates and activity end on 2026-10-31.
//!
//! - `entra`: a tenant in the shapes of Microsoft Graph pages: service principals (with
//!   the Microsoft Graph resource SP and its app roles), an `az ad app list` array of
//!   applications with credentials and owners, delegated grants, directory role
//!   assignments, users and sign-in activity.
//! - `aws`: `aws iam get-account-authorization-details` (half users, half roles, with
//!   groups and customer-managed policies) and a credential report.
//! - `gcp`: N service accounts in projects of 500 (`N/500` rounded up). Per project
//!   directory: `service-accounts.json` (`gcloud iam service-accounts list`),
//!   `keys/ACCOUNT.json` (`gcloud iam service-accounts keys list`, for accounts with keys),
//!   `project-iam-policy.json` and `sa-iam-policies.json`
//!   (`gcloud asset search-all-iam-policies`, which names each policy's resource, so no
//!   `--gcp-resource` is needed), `wif-providers-POOL.json`
//!   (`gcloud iam workload-identity-pools providers list`), and `sa-last-authentication.json`
//!   and `key-last-authentication.json` (`gcloud policy-intelligence query-activity`); an
//!   `org-iam-policy.json` at the top.
//! - `k8s`: one cluster with N service accounts in namespaces of 50 (`N/50`, the `default`
//!   account included), plus kube-system. `cluster.json` is `kubectl get
//!   serviceaccounts,secrets,roles,clusterroles,rolebindings,clusterrolebindings -A -o json`
//!   and `workloads.json` is `kubectl get pods,deployments,statefulsets,daemonsets,cronjobs
//!   -A -o json`. Legacy token Secrets that carry `data` hold obviously fake values
//!   (base64 of `fake-…`), never a real token.
//!
//! Cross-provider links: the GCP and AWS names are functions of the account index alone,
//! so the k8s cloud-identity annotations name accounts that exist in a `gcp` output of at
//! least 500 identities (`iam.gke.io/gcp-service-account`) and an `aws` output of at least
//! 1,000 (`eks.amazonaws.com/role-arn`); scan the directories together to resolve them.
//! The `azure.workload.identity/client-id` annotations name random client ids.

use std::collections::{BTreeMap, BTreeSet};
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::PathBuf;

use base64::Engine;
use jiff::civil::Date;
use serde_json::{Value, json};

/// SplitMix64: tiny, deterministic, good enough for test data.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
    fn guid(&mut self) -> String {
        let a = self.next();
        let b = self.next();
        format!(
            "{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}",
            a >> 32,
            (a >> 16) & 0xffff,
            a & 0xfff,
            b >> 52,
            b & 0xffff_ffff_ffff
        )
    }
    fn date(&mut self, from_year: u64, span_days: u64) -> String {
        let day = self.below(span_days);
        let base = jiff::civil::date(from_year as i16, 1, 1);
        let d = base
            .checked_add(jiff::Span::new().days(day as i64))
            .expect("date in range");
        format!("{d}T{:02}:{:02}:00Z", self.below(24), self.below(60))
    }
    /// `len` characters drawn from `alphabet`.
    fn pick(&mut self, alphabet: &str, len: usize) -> String {
        let chars: Vec<char> = alphabet.chars().collect();
        (0..len)
            .map(|_| chars[self.below(chars.len() as u64) as usize])
            .collect()
    }
    /// A lowercase hex string of `len` digits (GCP key ids are 40).
    fn hex(&mut self, len: usize) -> String {
        self.pick("0123456789abcdef", len)
    }
    /// A 21-digit GCP unique id (`uniqueId`, `oauth2ClientId`).
    fn unique_id(&mut self) -> String {
        format!(
            "1{:010}{:010}",
            self.below(10_000_000_000),
            self.below(10_000_000_000)
        )
    }
    /// A day in `from..=to`.
    fn day(&mut self, from: Date, to: Date) -> Date {
        let days = from.until(to).expect("ordered dates").get_days() as u64;
        add_days(from, self.below(days + 1) as i64)
    }
    /// An RFC 3339 instant on `day`, to the second.
    fn instant(&mut self, day: Date) -> String {
        format!(
            "{day}T{:02}:{:02}:{:02}Z",
            self.below(24),
            self.below(60),
            self.below(60)
        )
    }
}

fn add_days(d: Date, days: i64) -> Date {
    d.checked_add(jiff::Span::new().days(days))
        .expect("date in range")
}

/// The last day of generated activity: the benchmarks scan with `--now 2026-11-01T00:00:00Z`.
fn last_day() -> Date {
    jiff::civil::date(2026, 10, 31)
}

fn b64(s: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(s)
}

/// Graph application permissions used for assignments: (id, value).
const GRAPH_ROLES: &[(&str, &str)] = &[
    ("df021288-bdef-4463-88db-98f22de89214", "User.Read.All"),
    ("7ab1d382-f21e-4acd-a863-ba3e13f7da61", "Directory.Read.All"),
    ("5b567255-7703-4780-807c-7be8301ae99b", "Group.Read.All"),
    ("810c84a8-4a9e-49e6-bf7d-12d183f40d01", "Mail.Read"),
    (
        "75359482-378d-4052-8f01-80520e7db3cd",
        "Files.ReadWrite.All",
    ),
    (
        "9492366f-7969-46a4-8d15-ed1a20078fff",
        "Sites.ReadWrite.All",
    ),
    (
        "1bfefb4e-e0b5-418b-a88f-73c46d2cc8e9",
        "Application.ReadWrite.All",
    ),
    (
        "9e3f62cf-ca93-4989-b6ce-bf83c28f9fe8",
        "RoleManagement.ReadWrite.Directory",
    ),
];
/// Delegated scopes: five common low-risk ones, then the rare high-risk ones.
const SCOPES: &[&str] = &[
    "User.Read",
    "openid",
    "profile",
    "offline_access",
    "Calendars.Read",
    "Mail.Read",
    "Files.ReadWrite.All",
    "Directory.AccessAsUser.All",
];
const GRAPH: &str = "00000003-0000-0000-c000-000000000000";

struct Args {
    provider: String,
    identities: usize,
    out: PathBuf,
    seed: u64,
}

fn args() -> Args {
    let mut a = Args {
        provider: "entra".into(),
        identities: 1000,
        out: PathBuf::from("synth-out"),
        seed: 1,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it.next().unwrap_or_else(|| panic!("{flag} needs a value"));
        match flag.as_str() {
            "--provider" => a.provider = value,
            "--identities" => a.identities = value.parse().expect("--identities N"),
            "--out" => a.out = value.into(),
            "--seed" => a.seed = value.parse().expect("--seed N"),
            other => panic!("unknown flag {other}"),
        }
    }
    a
}

fn page(context: &str, items: Vec<Value>) -> Value {
    json!({"@odata.context": format!("https://graph.microsoft.com/v1.0/$metadata#{context}"), "value": items})
}

fn write(path: PathBuf, v: &Value) -> std::io::Result<()> {
    let mut w = BufWriter::new(File::create(path)?);
    serde_json::to_writer_pretty(&mut w, v)?;
    w.write_all(b"\n")
}

/// A secret or certificate created in the three years before the scan date
/// (2024-01-01 to 2026-10-31), valid for one or two years (3 %: for 200 years): about
/// half have expired by 2026-11-01, as in tenants that add credentials but rarely
/// remove them.
fn credential(rng: &mut Rng, secret: bool) -> Value {
    let start = rng.date(2024, 1034);
    let years = if rng.chance(3) { 200 } else { 1 + rng.below(2) };
    let end = format!(
        "{}{}",
        start[..4].parse::<u64>().expect("year") + years,
        &start[4..]
    );
    let mut c = json!({
        "customKeyIdentifier": null, "displayName": format!("cred-{}", rng.below(1000)),
        "endDateTime": end, "keyId": rng.guid(), "startDateTime": start,
    });
    if secret {
        c["hint"] = json!("abc");
        c["secretText"] = Value::Null;
    } else {
        c["type"] = json!("AsymmetricX509Cert");
        c["usage"] = json!("Verify");
        c["key"] = Value::Null;
    }
    c
}

fn entra(a: &Args) -> std::io::Result<()> {
    let mut rng = Rng(a.seed);
    let tenant = rng.guid();
    std::fs::create_dir_all(&a.out)?;
    let users: Vec<Value> = (0..(a.identities / 10).max(10))
        .map(|i| {
            json!({"id": rng.guid(), "userPrincipalName": format!("user{i}@contoso.example"),
                   "accountEnabled": !rng.chance(8), "userType": if rng.chance(3) {"Guest"} else {"Member"}})
        })
        .collect();
    let graph_sp_id = rng.guid();
    let mut sps = vec![json!({
        "id": graph_sp_id, "appId": GRAPH, "displayName": "Microsoft Graph",
        "appOwnerOrganizationId": "f8cdef31-a31e-4b4a-93e4-5f571e91255a", "servicePrincipalType": "Application",
        "accountEnabled": true,
        "appRoles": GRAPH_ROLES.iter().map(|(id, v)| json!({"id": id, "value": v, "allowedMemberTypes": ["Application"], "isEnabled": true})).collect::<Vec<_>>(),
        "passwordCredentials": [], "keyCredentials": [],
    })];
    let mut apps = Vec::new();
    let mut grants = Vec::new();
    let mut roles = Vec::new();
    let mut signins = Vec::new();
    for i in 0..a.identities {
        let sp_id = rng.guid();
        let app_id = rng.guid();
        // 15 % managed identities, 20 % third-party apps, 65 % home apps.
        let kind = rng.below(20);
        let (owner_org, sp_type) = match kind {
            0..=2 => (Value::Null, "ManagedIdentity"),
            3..=6 => (json!(rng.guid()), "Application"),
            _ => (json!(tenant), "Application"),
        };
        // Most SPs hold no or few app roles; 10 % of picks are Tier-0/Tier-1.
        let count = match rng.below(10) {
            0..=4 => 0,
            5..=8 => 1 + rng.below(3),
            _ => 3 + rng.below(6),
        };
        let assignments: Vec<Value> = (0..count)
            .map(|_| {
                let (role, _) = GRAPH_ROLES[skewed(&mut rng, GRAPH_ROLES.len(), 3, 10)];
                json!({"id": rng.guid(), "appRoleId": role, "principalId": sp_id, "principalType": "ServicePrincipal",
                       "resourceId": graph_sp_id, "resourceDisplayName": "Microsoft Graph",
                       "createdDateTime": rng.date(2022, 1200)})
            })
            .collect();
        let sp_secrets: Vec<Value> = if rng.chance(3) {
            vec![credential(&mut rng, true)]
        } else {
            vec![]
        };
        sps.push(json!({
            "id": sp_id, "appId": app_id, "displayName": format!("synthetic-app-{i}"),
            "servicePrincipalType": sp_type, "appOwnerOrganizationId": owner_org, "accountEnabled": true,
            "createdDateTime": rng.date(2021, 1500), "servicePrincipalNames": [app_id],
            "verifiedPublisher": {"displayName": null, "verifiedPublisherId": null, "addedDateTime": null},
            "tags": ["WindowsAzureActiveDirectoryIntegratedApp"], "appRoles": [], "oauth2PermissionScopes": [],
            "passwordCredentials": sp_secrets, "keyCredentials": [],
            "appRoleAssignments": assignments,
        }));
        if kind >= 7 {
            let owners: Vec<Value> = (0..rng.below(3))
                .map(|_| {
                    let u = &users[rng.below(users.len() as u64) as usize];
                    json!({"@odata.type": "#microsoft.graph.user", "id": u["id"], "userPrincipalName": u["userPrincipalName"]})
                })
                .collect();
            // About two credentials per service principal over the tenant: 0–4 secrets and
            // 0–2 certificates per home app.
            let secrets: Vec<Value> = (0..rng.below(5))
                .map(|_| credential(&mut rng, true))
                .collect();
            let certs: Vec<Value> = (0..rng.below(3))
                .map(|_| credential(&mut rng, false))
                .collect();
            let fics: Vec<Value> = if rng.chance(10) {
                vec![
                    json!({"id": rng.guid(), "name": "github", "issuer": "https://token.actions.githubusercontent.com",
                            "subject": if rng.chance(30) { format!("repo:contoso/app{i}:pull_request") } else { format!("repo:contoso/app{i}:environment:prod") },
                            "audiences": ["api://AzureADTokenExchange"]}),
                ]
            } else {
                vec![]
            };
            apps.push(json!({
                "id": rng.guid(), "appId": app_id, "displayName": format!("synthetic-app-{i}"),
                "createdDateTime": rng.date(2021, 1500), "signInAudience": "AzureADMyOrg",
                "publisherDomain": "contoso.example", "requiredResourceAccess": [],
                "isFallbackPublicClient": rng.chance(2),
                "web": {"implicitGrantSettings": {"enableAccessTokenIssuance": rng.chance(3), "enableIdTokenIssuance": false}},
                "passwordCredentials": secrets, "keyCredentials": certs,
                "owners": owners, "federatedIdentityCredentials": fics,
            }));
        }
        for _ in 0..rng.below(3) {
            let all = rng.chance(30);
            let scope: Vec<&str> = (0..1 + rng.below(3))
                .map(|_| SCOPES[rng.below(SCOPES.len() as u64) as usize])
                .collect();
            let user = &users[rng.below(users.len() as u64) as usize];
            grants.push(json!({"id": rng.guid(), "clientId": sp_id, "consentType": if all {"AllPrincipals"} else {"Principal"},
                "principalId": if all { Value::Null } else { user["id"].clone() }, "resourceId": graph_sp_id, "scope": scope.join(" ")}));
        }
        if rng.chance(2) {
            roles.push(json!({"id": rng.guid(), "principalId": sp_id, "directoryScopeId": "/",
                "roleDefinitionId": if rng.chance(50) {"62e90394-69f5-4237-9190-012177145e10"} else {"4a5d8f65-41da-4de4-8968-e035b65339cf"}}));
        }
        if rng.chance(80) {
            signins.push(json!({"id": rng.guid(), "appId": app_id,
                "lastSignInActivity": {"lastSignInDateTime": rng.date(2025, 700), "lastSignInRequestId": rng.guid()}}));
        }
    }
    write(
        a.out.join("organization.json"),
        &page(
            "organization",
            vec![json!({"id": tenant, "displayName": "Synthetic", "verifiedDomains": []})],
        ),
    )?;
    write(
        a.out.join("servicePrincipals.json"),
        &page("servicePrincipals(appRoleAssignments())", sps),
    )?;
    write(a.out.join("applications.json"), &Value::Array(apps))?;
    write(
        a.out.join("oauth2PermissionGrants.json"),
        &page("oauth2PermissionGrants", grants),
    )?;
    write(
        a.out.join("roleAssignments.json"),
        &page("roleManagement/directory/roleAssignments", roles),
    )?;
    write(a.out.join("users.json"), &page("users", users))?;
    let report = json!({"@odata.context": "https://graph.microsoft.com/beta/$metadata#reports/servicePrincipalSignInActivities", "value": signins});
    write(a.out.join("servicePrincipalSignInActivities.json"), &report)?;
    Ok(())
}

fn main() -> std::io::Result<()> {
    let a = args();
    match a.provider.as_str() {
        "entra" => entra(&a),
        "aws" => aws(&a),
        "gcp" => gcp(&a),
        "k8s" => k8s(&a),
        other => {
            eprintln!("unknown provider {other} (expected entra, aws, gcp or k8s)");
            std::process::exit(2)
        }
    }
}

/// Inline policy templates for AWS principals, common first: (actions, resource).
const AWS_INLINE: &[(&[&str], &str)] = &[
    (&["s3:GetObject", "s3:PutObject"], "arn:aws:s3:::app-data/*"),
    (
        &["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query"],
        "arn:aws:dynamodb:eu-west-1:111122223333:table/orders",
    ),
    (&["sqs:SendMessage", "sqs:ReceiveMessage"], "*"),
    (&["logs:CreateLogStream", "logs:PutLogEvents"], "*"),
    (
        &["kms:Decrypt"],
        "arn:aws:kms:eu-west-1:111122223333:key/app",
    ),
    (&["ec2:Describe*", "cloudwatch:GetMetricData"], "*"),
    // Rare, risky:
    (&["iam:PassRole", "ec2:RunInstances"], "*"),
    (&["iam:CreatePolicyVersion"], "*"),
    (&["lambda:UpdateFunctionCode"], "*"),
    (&["kms:*", "secretsmanager:*"], "*"),
    (&["*"], "*"),
];

fn aws_policy(rng: &mut Rng) -> Value {
    let (actions, resource) = AWS_INLINE[skewed(rng, AWS_INLINE.len(), 6, 6)];
    json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": actions, "Resource": resource}]})
}

fn aws_trust(rng: &mut Rng, account: &str) -> Value {
    let statement = match rng.below(20) {
        0 => {
            json!({"Effect": "Allow", "Principal": {"Federated": format!("arn:aws:iam::{account}:oidc-provider/token.actions.githubusercontent.com")},
            "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": {"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"},
                          "StringLike": {"token.actions.githubusercontent.com:sub": if rng.chance(30) { "repo:contoso/*".to_string() } else { format!("repo:contoso/app{}:ref:refs/heads/main", rng.below(500)) }}}})
        }
        1 => {
            json!({"Effect": "Allow", "Principal": {"AWS": format!("arn:aws:iam::{:012}:root", 100_000_000_000 + rng.below(50))}, "Action": "sts:AssumeRole"})
        }
        2..=4 => {
            json!({"Effect": "Allow", "Principal": {"AWS": format!("arn:aws:iam::{account}:root")}, "Action": "sts:AssumeRole"})
        }
        _ => {
            let service = [
                "ec2.amazonaws.com",
                "lambda.amazonaws.com",
                "ecs-tasks.amazonaws.com",
            ][rng.below(3) as usize];
            json!({"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"})
        }
    };
    json!({"Version": "2012-10-17", "Statement": [statement]})
}

/// `aws iam get-account-authorization-details` and a credential report for `--identities`
/// principals (half users, half roles), with groups and customer-managed policies.
fn aws(a: &Args) -> std::io::Result<()> {
    let mut rng = Rng(a.seed);
    let account = "111122223333";
    std::fs::create_dir_all(&a.out)?;
    let managed: Vec<Value> = (0..(a.identities / 30).max(5))
        .map(|i| {
            let doc = aws_policy(&mut rng);
            json!({"PolicyName": format!("contoso-policy-{i}"), "PolicyId": format!("ANPA{:016}", i),
                "Arn": format!("arn:aws:iam::{account}:policy/contoso-policy-{i}"), "Path": "/", "DefaultVersionId": "v2",
                "AttachmentCount": 1, "PermissionsBoundaryUsageCount": 0, "IsAttachable": true,
                "CreateDate": rng.date(2021, 900), "UpdateDate": rng.date(2023, 300),
                "PolicyVersionList": [
                    {"Document": doc, "VersionId": "v2", "IsDefaultVersion": true, "CreateDate": rng.date(2023, 300)},
                    {"Document": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*"}]},
                     "VersionId": "v1", "IsDefaultVersion": false, "CreateDate": rng.date(2021, 300)}]})
        })
        .collect();
    let attach = |rng: &mut Rng| -> Vec<Value> {
        (0..rng.below(3))
            .map(|_| {
                let p = &managed[rng.below(managed.len() as u64) as usize];
                json!({"PolicyName": p["PolicyName"], "PolicyArn": p["Arn"]})
            })
            .collect()
    };
    let groups: Vec<Value> = (0..(a.identities / 50).max(3))
        .map(|i| {
            json!({"Path": "/", "GroupName": format!("group-{i}"), "GroupId": format!("AGPA{i:016}"),
                "Arn": format!("arn:aws:iam::{account}:group/group-{i}"), "CreateDate": rng.date(2020, 900),
                "GroupPolicyList": if rng.chance(30) { vec![json!({"PolicyName": "group-inline", "PolicyDocument": aws_policy(&mut rng)})] } else { vec![] },
                "AttachedManagedPolicies": attach(&mut rng)})
        })
        .collect();
    let mut users = Vec::new();
    let mut roles = Vec::new();
    let mut report = String::from(
        "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated\n",
    );
    report.push_str(&format!("<root_account>,arn:aws:iam::{account}:root,2019-01-01T00:00:00+00:00,not_supported,2026-10-01T00:00:00+00:00,not_supported,not_supported,true,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A\n"));
    for i in 0..a.identities {
        let inline: Vec<Value> = (0..rng.below(3))
            .map(|j| json!({"PolicyName": format!("inline-{j}"), "PolicyDocument": aws_policy(&mut rng)}))
            .collect();
        if i % 2 == 0 {
            let name = format!("svc-user-{i}");
            let group_list: Vec<Value> = (0..rng.below(3))
                .map(|_| json!(format!("group-{}", rng.below(groups.len() as u64))))
                .collect();
            users.push(json!({"Path": "/", "UserName": name, "UserId": format!("AIDA{i:016}"),
                "Arn": format!("arn:aws:iam::{account}:user/{name}"), "CreateDate": rng.date(2019, 2000),
                "UserPolicyList": inline, "GroupList": group_list, "AttachedManagedPolicies": attach(&mut rng), "Tags": []}));
            let key = |rng: &mut Rng, active: bool| -> String {
                if !active {
                    return "false,N/A,N/A,N/A,N/A".into();
                }
                let used = if rng.chance(70) {
                    rng.date(2026, 300)
                } else {
                    "N/A".into()
                };
                format!("true,{},{},eu-west-1,s3", rng.date(2022, 1500), used)
            };
            let (a1, a2) = (rng.chance(80), rng.chance(10));
            let k1 = key(&mut rng, a1);
            let k2 = key(&mut rng, a2);
            let password = rng.chance(10);
            report.push_str(&format!(
                "{name},arn:aws:iam::{account}:user/{name},{},{},{},N/A,N/A,{},{k1},{k2},false,N/A,false,N/A\n",
                rng.date(2019, 2000),
                password,
                if password { rng.date(2026, 300) } else { "N/A".into() },
                rng.chance(50),
            ));
        } else {
            let name = format!("app-role-{i}");
            let last_used = if rng.chance(25) {
                json!({})
            } else {
                json!({"LastUsedDate": rng.date(2025, 650), "Region": "eu-west-1"})
            };
            roles.push(json!({"Path": "/", "RoleName": name, "RoleId": format!("AROA{i:016}"),
                "Arn": format!("arn:aws:iam::{account}:role/{name}"), "CreateDate": rng.date(2019, 2000),
                "AssumeRolePolicyDocument": aws_trust(&mut rng, account), "InstanceProfileList": [],
                "RolePolicyList": inline, "AttachedManagedPolicies": attach(&mut rng), "Tags": [],
                "RoleLastUsed": last_used}));
        }
    }
    let details = json!({"UserDetailList": users, "GroupDetailList": groups, "RoleDetailList": roles, "Policies": managed});
    write(a.out.join("authorization-details.json"), &details)?;
    std::fs::write(a.out.join("credential-report.csv"), report)
}

/// An index into a list whose first `low` entries are common and the rest rare:
/// `rare_percent` of picks land in the rare tail.
fn skewed(rng: &mut Rng, len: usize, low: usize, rare_percent: u64) -> usize {
    if rng.chance(rare_percent) {
        low + rng.below((len - low) as u64) as usize
    } else {
        rng.below(low as u64) as usize
    }
}

// ---------------------------------------------------------------------------
// Google Cloud
// ---------------------------------------------------------------------------

/// Service accounts per generated project; the last project takes the rest.
const GCP_PER_PROJECT: usize = 500;
const GCP_ORG: &str = "organizations/612345678901";
const GCP_TEAMS: &[&str] = &[
    "payments",
    "ledger",
    "checkout",
    "analytics",
    "platform",
    "identity",
    "search",
    "ml",
    "web",
    "data",
    "mobile",
    "billing",
];
const GCP_ENVS: &[&str] = &["prod", "staging", "dev"];
const GCP_APPS: &[&str] = &[
    "api",
    "web",
    "worker",
    "etl",
    "ingest",
    "export",
    "billing",
    "search",
    "auth",
    "notify",
    "report",
    "ml",
    "cache",
    "gateway",
    "scheduler",
    "backup",
];
const GCP_PURPOSES: &[&str] = &[
    "runtime", "deployer", "ci", "reader", "writer", "sync", "ops", "job", "tf", "invoker",
];
/// Project-level roles for service accounts, common first, then the rare, risky ones.
const GCP_ROLES: &[&str] = &[
    "roles/logging.logWriter",
    "roles/monitoring.metricWriter",
    "roles/storage.objectViewer",
    "roles/storage.objectAdmin",
    "roles/pubsub.publisher",
    "roles/pubsub.subscriber",
    "roles/cloudsql.client",
    "roles/secretmanager.secretAccessor",
    "roles/bigquery.dataViewer",
    "roles/bigquery.jobUser",
    "roles/viewer",
    "roles/artifactregistry.reader",
    "roles/run.invoker",
    "roles/cloudtrace.agent",
    // Rare, risky:
    "roles/editor",
    "roles/owner",
    "roles/iam.serviceAccountTokenCreator",
    "roles/iam.serviceAccountUser",
    "roles/cloudfunctions.developer",
    "roles/compute.admin",
    "roles/compute.networkAdmin",
    "roles/iam.serviceAccountKeyAdmin",
    "roles/resourcemanager.projectIamAdmin",
    "roles/run.admin",
    "roles/cloudbuild.builds.editor",
];
const GCP_COMMON_ROLES: usize = 14;
const GITHUB_ISSUER: &str = "https://token.actions.githubusercontent.com";

/// Project `p`: (project id, project number). A function of `p` alone.
fn gcp_project(p: usize) -> (String, String) {
    let team = GCP_TEAMS[p % GCP_TEAMS.len()];
    let env = GCP_ENVS[(p / GCP_TEAMS.len()) % GCP_ENVS.len()];
    let number = 310_000_000_000 + p as u64 * 7_777_777 + 4_242;
    (format!("{team}-{env}-{p:02}"), number.to_string())
}

/// The email of service account `i` (project `i / 500`): slot 0 of each project is the
/// default compute account, slot 1 of even projects the App Engine default account.
/// A function of `i` alone, so that the k8s generator can name accounts that exist.
fn gcp_sa_email(i: usize) -> String {
    let p = i / GCP_PER_PROJECT;
    let (project, number) = gcp_project(p);
    match i % GCP_PER_PROJECT {
        0 => format!("{number}-compute@developer.gserviceaccount.com"),
        1 if p.is_multiple_of(2) => format!("{project}@appspot.gserviceaccount.com"),
        _ => {
            let app = GCP_APPS[i % GCP_APPS.len()];
            let purpose = GCP_PURPOSES[(i / GCP_APPS.len()) % GCP_PURPOSES.len()];
            format!("{app}-{purpose}-{i}@{project}.iam.gserviceaccount.com")
        }
    }
}

/// IAM bindings being built: (role, condition (title, expression)) → members. Sorted
/// by role, as the IAM API returns them.
type Bindings = BTreeMap<(String, Option<(String, String)>), BTreeSet<String>>;

fn bind(b: &mut Bindings, role: &str, member: &str) {
    b.entry((role.to_string(), None))
        .or_default()
        .insert(member.to_string());
}

fn bindings_json(b: Bindings) -> Value {
    let list: Vec<Value> = b
        .into_iter()
        .map(|((role, condition), members)| {
            let mut v = json!({"members": members, "role": role});
            if let Some((title, expression)) = condition {
                v["condition"] = json!({"description": "Limited to the team's own resources",
                    "expression": expression, "title": title});
            }
            v
        })
        .collect();
    json!({"bindings": list})
}

/// One `gcloud iam service-accounts keys list` entry: (key, key id, creation day).
fn gcp_key(rng: &mut Rng, project: &str, email: &str, user: bool) -> (Value, String, Date) {
    let id = rng.hex(40);
    let last = last_day();
    let name = format!("projects/{project}/serviceAccounts/{email}/keys/{id}");
    let time = format!(
        "T{:02}:{:02}:{:02}Z",
        rng.below(24),
        rng.below(60),
        rng.below(60)
    );
    if !user {
        // Google rotates its own keys; each is valid for a little over two weeks.
        let created = rng.day(add_days(last, -16), last);
        let key = json!({"keyAlgorithm": "KEY_ALG_RSA_2048", "keyOrigin": "GOOGLE_PROVIDED",
            "keyType": "SYSTEM_MANAGED", "name": name,
            "validAfterTime": format!("{created}{time}"),
            "validBeforeTime": format!("{}{time}", add_days(created, 17))});
        return (key, id, created);
    }
    // 40 % never expire (no iam.serviceAccountKeyExpiryHours policy when created); the
    // rest expire after 90 days or a year, and expired keys have been deleted.
    let (created, expires) = match rng.below(10) {
        0..=3 => {
            let created = if rng.chance(50) {
                rng.day(jiff::civil::date(2021, 1, 1), last)
            } else {
                rng.day(add_days(last, -240), last)
            };
            (created, "9999-12-31T23:59:59Z".to_string())
        }
        4..=7 => {
            let created = rng.day(add_days(last, -88), last);
            (created, format!("{}{time}", add_days(created, 90)))
        }
        _ => {
            let created = rng.day(add_days(last, -360), last);
            (created, format!("{}{time}", add_days(created, 365)))
        }
    };
    let mut key = json!({"keyAlgorithm": "KEY_ALG_RSA_2048",
        "keyOrigin": if rng.chance(5) { "USER_PROVIDED" } else { "GOOGLE_PROVIDED" },
        "keyType": "USER_MANAGED", "name": name,
        "validAfterTime": format!("{created}{time}"), "validBeforeTime": expires});
    if rng.chance(6) {
        key["disabled"] = json!(true);
    }
    (key, id, created)
}

/// A Policy Intelligence `query-activity` entry. Times are day-granular, at midnight
/// US Pacific, as in real exports.
fn gcp_activity(resource: &str, number: &str, unique: &str, key: bool, day: Date) -> Value {
    let hour = if (4..=10).contains(&day.month()) {
        7
    } else {
        8
    };
    let t = format!("{day}T{hour:02}:00:00Z");
    let (kind, field) = if key {
        ("serviceAccountKeyLastAuthentication", "serviceAccountKey")
    } else {
        ("serviceAccountLastAuthentication", "serviceAccount")
    };
    let mut v = json!({"activity": {"lastAuthenticatedTime": t}, "activityType": kind,
        "fullResourceName": resource, "observationPeriod": {"endTime": t, "startTime": t}});
    v["activity"][field] =
        json!({"fullResourceName": resource, "projectNumber": number, "serviceAccountId": unique});
    v
}

/// A day of last use: mostly within the last month, else any day from `from`.
fn recent_or_old(rng: &mut Rng, from: Date, recent_percent: u64) -> Date {
    let last = last_day();
    let month_ago = add_days(last, -30).max(from);
    if rng.chance(recent_percent) {
        rng.day(month_ago, last)
    } else {
        rng.day(from, last)
    }
}

/// The providers of one workload identity pool (`providers list --format=json`).
/// The first project's GitHub pool has one provider of each kind, from the first
/// (created before conditions were required) to one pinning owner and repository ids;
/// other pools have a random subset.
fn gcp_providers(rng: &mut Rng, pool: &str, github: bool, all: bool) -> Vec<Value> {
    let mut out = Vec::new();
    if github {
        // (name, percent of pools that have it, attributeCondition).
        let kinds: [(&str, u64, Option<String>); 4] = [
            ("github-legacy", 35, None),
            (
                "github-main",
                30,
                Some("assertion.ref == 'refs/heads/main'".into()),
            ),
            (
                "github-contoso",
                60,
                Some("assertion.repository_owner == 'contoso'".into()),
            ),
            (
                "github-release",
                40,
                Some(format!(
                    "assertion.repository_owner_id == '1342004' && assertion.repository_id == '{}'",
                    200_000_000 + rng.below(99_999_999)
                )),
            ),
        ];
        let mut chosen: Vec<bool> = kinds.iter().map(|k| all || rng.chance(k.1)).collect();
        if !chosen.contains(&true) {
            chosen[2] = true;
        }
        for ((name, _, condition), _) in kinds.into_iter().zip(chosen).filter(|(_, c)| *c) {
            let mut v = json!({"attributeMapping": {"attribute.actor": "assertion.actor",
                    "attribute.repository": "assertion.repository",
                    "attribute.repository_owner": "assertion.repository_owner",
                    "google.subject": "assertion.sub"},
                "displayName": format!("GitHub {}", &name[7..]),
                "name": format!("{pool}/providers/{name}"),
                "oidc": {"issuerUri": GITHUB_ISSUER}, "state": "ACTIVE"});
            if let Some(c) = condition {
                v["attributeCondition"] = json!(c);
            }
            out.push(v);
        }
    } else {
        let mut v = json!({"attributeMapping": {"attribute.project_path": "assertion.project_path",
                "google.subject": "assertion.sub"},
            "description": "GitLab.com CI for the partner integration", "displayName": "GitLab CI",
            "name": format!("{pool}/providers/gitlab-ci"),
            "oidc": {"issuerUri": "https://gitlab.com"}, "state": "ACTIVE"});
        if rng.chance(50) {
            v["attributeCondition"] = json!("assertion.namespace_path == 'contoso'");
        }
        out.push(v);
        if rng.chance(60) {
            out.push(json!({"attributeMapping": {"google.subject": "assertion.arn"},
                "aws": {"accountId": "111122223333"}, "description": "Contoso AWS production account",
                "displayName": "AWS contoso prod", "name": format!("{pool}/providers/aws-prod"),
                "state": "ACTIVE"}));
        }
    }
    for v in &mut out {
        if !all && rng.chance(5) {
            v["disabled"] = json!(true);
        }
    }
    out
}

/// A Google Cloud organisation: see the module documentation for the files.
fn gcp(a: &Args) -> std::io::Result<()> {
    let mut rng = Rng(a.seed);
    let n = a.identities.max(1);
    let projects = n.div_ceil(GCP_PER_PROJECT);
    std::fs::create_dir_all(&a.out)?;
    let mut org_candidates: Vec<String> = Vec::new();
    let users = [
        "alice.dev",
        "bob.ops",
        "carol.sre",
        "dan.data",
        "erin.ml",
        "frank.web",
    ];
    for p in 0..projects {
        let (project, number) = gcp_project(p);
        let dir = a.out.join(&project);
        std::fs::create_dir_all(dir.join("keys"))?;
        let pool_name =
            |pool: &str| format!("projects/{number}/locations/global/workloadIdentityPools/{pool}");
        let github_pool = p == 0 || rng.chance(60);
        let partners_pool = rng.chance(30);
        let ids: Vec<usize> = (p * GCP_PER_PROJECT..((p + 1) * GCP_PER_PROJECT).min(n)).collect();
        // Unique ids first, so that an account's policy can name any account of the project.
        let uniques: Vec<String> = ids.iter().map(|_| rng.unique_id()).collect();
        let mut bindings = Bindings::new();
        let mut accounts = Vec::new();
        let mut sa_policies = Vec::new();
        let mut sa_activity = Vec::new();
        let mut key_activity = Vec::new();
        for (k, &i) in ids.iter().enumerate() {
            let email = gcp_sa_email(i);
            let account = email.split('@').next().unwrap_or_default().to_string();
            let unique = &uniques[k];
            let member = format!("serviceAccount:{email}");
            let compute = i % GCP_PER_PROJECT == 0;
            let appspot = email.ends_with("@appspot.gserviceaccount.com");
            let disabled = !compute && !appspot && rng.chance(3);
            let mut sa = json!({"displayName": account, "email": email,
                "etag": b64(&format!("{:08}", rng.below(100_000_000))),
                "name": format!("projects/{project}/serviceAccounts/{email}"),
                "oauth2ClientId": unique, "projectId": project, "uniqueId": unique});
            if compute {
                sa["displayName"] = json!("Compute Engine default service account");
            } else if appspot {
                sa["displayName"] = json!("App Engine default service account");
            } else if rng.chance(60) {
                sa["description"] = json!(format!("Service account for {account}"));
            }
            if disabled {
                sa["disabled"] = json!(true);
            }
            accounts.push(sa);

            // Project-level roles. Google grants Editor to the default accounts unless the
            // organisation enforces iam.automaticIamGrantsForDefaultServiceAccounts.
            if compute {
                if rng.chance(75) {
                    bind(&mut bindings, "roles/editor", &member);
                } else {
                    bind(&mut bindings, "roles/logging.logWriter", &member);
                    bind(&mut bindings, "roles/monitoring.metricWriter", &member);
                }
            } else if appspot {
                if rng.chance(40) {
                    bind(&mut bindings, "roles/editor", &member);
                } else {
                    bind(&mut bindings, "roles/cloudtasks.enqueuer", &member);
                    bind(&mut bindings, "roles/datastore.user", &member);
                }
            } else {
                org_candidates.push(member.clone());
                let count = match rng.below(20) {
                    0..=2 => 0,
                    3..=14 => 1 + rng.below(2),
                    _ => 3 + rng.below(2),
                };
                for _ in 0..count {
                    let role = GCP_ROLES[skewed(&mut rng, GCP_ROLES.len(), GCP_COMMON_ROLES, 5)];
                    let conditional = matches!(
                        role,
                        "roles/bigquery.dataViewer" | "roles/storage.objectViewer"
                    ) && rng.chance(15);
                    let condition = conditional.then(|| {
                        let app = account.split('-').next().unwrap_or_default();
                        (
                            format!("{app}-only"),
                            format!("resource.name.startsWith(\"projects/_/buckets/{app}-\")"),
                        )
                    });
                    bindings
                        .entry((role.to_string(), condition))
                        .or_default()
                        .insert(member.clone());
                }
                // Service-account-level policies: who may act as this account.
                if rng.chance(8) {
                    let mut own = Bindings::new();
                    let app = account.split('-').next().unwrap_or_default();
                    let gke = format!(
                        "serviceAccount:{project}.svc.id.goog[{app}/{}]",
                        account
                            .rsplit_once('-')
                            .map_or(account.as_str(), |(s, _)| s)
                    );
                    match rng.below(20) {
                        0..=6 if github_pool => {
                            let pool = pool_name("github");
                            let principal = if rng.chance(30) {
                                format!("principalSet://iam.googleapis.com/{pool}/*")
                            } else {
                                format!(
                                    "principalSet://iam.googleapis.com/{pool}/attribute.repository/contoso/{app}"
                                )
                            };
                            bind(&mut own, "roles/iam.workloadIdentityUser", &principal);
                        }
                        0..=6 | 19 => bind(&mut own, "roles/iam.workloadIdentityUser", &gke),
                        7..=11 => {
                            let other = ids[rng.below(ids.len() as u64) as usize];
                            if other != i {
                                let grantee = format!("serviceAccount:{}", gcp_sa_email(other));
                                bind(&mut own, "roles/iam.serviceAccountTokenCreator", &grantee);
                            }
                        }
                        12..=17 => {
                            let who = if rng.chance(50) {
                                format!("user:{}@contoso.com", users[rng.below(6) as usize])
                            } else {
                                format!("group:{app}-team@contoso.com")
                            };
                            bind(&mut own, "roles/iam.serviceAccountUser", &who);
                        }
                        _ => {
                            let public = if rng.chance(50) {
                                "allUsers"
                            } else {
                                "allAuthenticatedUsers"
                            };
                            bind(&mut own, "roles/iam.serviceAccountTokenCreator", public);
                        }
                    }
                    if !own.is_empty() {
                        sa_policies.push(json!({"assetType": "iam.googleapis.com/ServiceAccount",
                            "organization": GCP_ORG, "policy": bindings_json(own),
                            "project": format!("projects/{number}"),
                            "resource": format!("//iam.googleapis.com/projects/{project}/serviceAccounts/{unique}")}));
                    }
                }
            }

            // Keys: Google-managed ones for accounts in use, user-managed for about a third.
            let mut keys = Vec::new();
            for _ in 0..(rng.chance(40) as u64 + rng.chance(5) as u64) {
                keys.push(gcp_key(&mut rng, &project, &email, false).0);
            }
            let user_keys = match rng.below(100) {
                _ if compute || appspot => rng.chance(5) as u64,
                0..=69 => 0,
                70..=91 => 1,
                92..=97 => 2,
                _ => 3,
            };
            let mut last_key_use: Option<Date> = None;
            for _ in 0..user_keys {
                let (key, id, created) = gcp_key(&mut rng, &project, &email, true);
                // 85 % of keys have authenticated since Policy Intelligence started recording.
                if rng.chance(85) {
                    let used = recent_or_old(&mut rng, created, 75);
                    last_key_use = last_key_use.max(Some(used));
                    let resource = format!(
                        "//iam.googleapis.com/projects/{project}/serviceAccounts/{email}/keys/{id}"
                    );
                    key_activity.push(gcp_activity(&resource, &number, unique, true, used));
                }
                keys.push(key);
            }
            if !keys.is_empty() {
                write(
                    dir.join("keys").join(format!("{account}.json")),
                    &Value::Array(keys),
                )?;
            }

            // Account activity: most accounts authenticated recently; some long ago, some never.
            if last_key_use.is_some() || rng.chance(92) {
                let used = recent_or_old(&mut rng, jiff::civil::date(2025, 1, 1), 85)
                    .max(last_key_use.unwrap_or_default());
                let resource =
                    format!("//iam.googleapis.com/projects/{project}/serviceAccounts/{email}");
                sa_activity.push(gcp_activity(&resource, &number, unique, false, used));
            }
        }

        // Humans and Google-managed accounts in the project policy.
        let team = GCP_TEAMS[p % GCP_TEAMS.len()];
        bind(
            &mut bindings,
            "roles/owner",
            &format!("group:{team}-admins@contoso.com"),
        );
        bind(
            &mut bindings,
            "roles/editor",
            &format!("serviceAccount:{number}@cloudservices.gserviceaccount.com"),
        );
        bind(
            &mut bindings,
            "roles/cloudbuild.builds.builder",
            &format!("serviceAccount:{number}@cloudbuild.gserviceaccount.com"),
        );
        bind(
            &mut bindings,
            "roles/compute.serviceAgent",
            &format!("serviceAccount:service-{number}@compute-system.iam.gserviceaccount.com"),
        );
        let pubsub =
            format!("serviceAccount:service-{number}@gcp-sa-pubsub.iam.gserviceaccount.com");
        bind(&mut bindings, "roles/pubsub.serviceAgent", &pubsub);
        if rng.chance(50) {
            bind(
                &mut bindings,
                "roles/iam.serviceAccountTokenCreator",
                &pubsub,
            );
        }
        if rng.chance(50) {
            bind(
                &mut bindings,
                "roles/container.serviceAgent",
                &format!(
                    "serviceAccount:service-{number}@container-engine-robot.iam.gserviceaccount.com"
                ),
            );
        }
        if rng.chance(30) {
            let user = users[rng.below(6) as usize];
            bind(
                &mut bindings,
                "roles/editor",
                &format!("user:{user}@contoso.com"),
            );
        }
        if rng.chance(30) {
            let user = users[rng.below(6) as usize];
            bind(
                &mut bindings,
                "roles/iam.serviceAccountUser",
                &format!("user:{user}@contoso.com"),
            );
        }
        if rng.chance(15) {
            bind(
                &mut bindings,
                "roles/iam.serviceAccountTokenCreator",
                &format!("group:{team}-sre@contoso.com"),
            );
        }
        if rng.chance(5) {
            bind(&mut bindings, "roles/storage.objectViewer", "allUsers");
        }
        if rng.chance(10) {
            bind(
                &mut bindings,
                "roles/editor",
                &format!(
                    "deleted:serviceAccount:tmp-migration@{project}.iam.gserviceaccount.com?uid={}",
                    rng.unique_id()
                ),
            );
        }
        bind(
            &mut bindings,
            "roles/viewer",
            &format!("group:{team}-developers@contoso.com"),
        );
        let project_policy = json!([{"assetType": "cloudresourcemanager.googleapis.com/Project",
            "organization": GCP_ORG, "policy": bindings_json(bindings),
            "project": format!("projects/{number}"),
            "resource": format!("//cloudresourcemanager.googleapis.com/projects/{number}")}]);

        write(dir.join("service-accounts.json"), &Value::Array(accounts))?;
        write(dir.join("project-iam-policy.json"), &project_policy)?;
        if !sa_policies.is_empty() {
            write(dir.join("sa-iam-policies.json"), &Value::Array(sa_policies))?;
        }
        if github_pool {
            let providers = gcp_providers(&mut rng, &pool_name("github"), true, p == 0);
            write(
                dir.join("wif-providers-github.json"),
                &Value::Array(providers),
            )?;
        }
        if partners_pool {
            let providers = gcp_providers(&mut rng, &pool_name("partners"), false, false);
            write(
                dir.join("wif-providers-partners.json"),
                &Value::Array(providers),
            )?;
        }
        write(
            dir.join("sa-last-authentication.json"),
            &Value::Array(sa_activity),
        )?;
        write(
            dir.join("key-last-authentication.json"),
            &Value::Array(key_activity),
        )?;
    }

    // The organisation policy: auditors, a few org-wide grants, and an impersonation grant.
    let mut org = Bindings::new();
    bind(&mut org, "roles/billing.creator", "domain:contoso.com");
    bind(
        &mut org,
        "roles/resourcemanager.projectCreator",
        "domain:contoso.com",
    );
    bind(
        &mut org,
        "roles/resourcemanager.organizationAdmin",
        "group:gcp-org-admins@contoso.com",
    );
    bind(
        &mut org,
        "roles/iam.serviceAccountTokenCreator",
        "group:gcp-platform-admins@contoso.com",
    );
    if !org_candidates.is_empty() {
        for _ in 0..1 + projects / 4 {
            let sa = &org_candidates[rng.below(org_candidates.len() as u64) as usize];
            let role = match rng.below(10) {
                0..=4 => "roles/iam.securityReviewer",
                5..=8 => "roles/cloudasset.viewer",
                _ => "roles/resourcemanager.organizationAdmin",
            };
            bind(&mut org, role, sa);
        }
    }
    let org_policy = json!([{"assetType": "cloudresourcemanager.googleapis.com/Organization",
        "organization": GCP_ORG, "policy": bindings_json(org),
        "resource": format!("//cloudresourcemanager.googleapis.com/{GCP_ORG}")}]);
    write(a.out.join("org-iam-policy.json"), &org_policy)
}

// ---------------------------------------------------------------------------
// Kubernetes
// ---------------------------------------------------------------------------

/// Service accounts per generated namespace (its `default` included); the last takes the rest.
const K8S_PER_NS: usize = 50;
const K8S_TEAMS: &[&str] = &[
    "payments",
    "checkout",
    "ledger",
    "search",
    "catalog",
    "identity",
    "notifications",
    "analytics",
    "platform",
    "ml",
    "web",
    "mobile-api",
    "billing",
    "shipping",
    "inventory",
    "reviews",
];
const K8S_COMPONENTS: &[&str] = &[
    "api",
    "worker",
    "web",
    "cron",
    "migrator",
    "ingest",
    "exporter",
    "controller",
    "deployer",
    "builder",
    "scheduler",
    "sync",
    "backup",
    "gateway",
    "cache",
    "indexer",
    "notifier",
    "consumer",
    "producer",
    "reporter",
];
/// Characters of generated pod and ReplicaSet suffixes, as Kubernetes picks them.
const K8S_SUFFIX: &str = "bcdfghjklmnpqrstvwxz2456789";
const RBAC: &str = "rbac.authorization.k8s.io/v1";

fn k8s_namespace(k: usize) -> String {
    let team = K8S_TEAMS[k % K8S_TEAMS.len()];
    match k / K8S_TEAMS.len() {
        0 => team.to_string(),
        round => format!("{team}-{}", round + 1),
    }
}

fn k8s_sa_name(slot: usize) -> String {
    if slot == 0 {
        return "default".into();
    }
    let c = K8S_COMPONENTS[(slot - 1) % K8S_COMPONENTS.len()];
    match (slot - 1) / K8S_COMPONENTS.len() {
        0 => c.to_string(),
        round => format!("{c}-{}", round + 1),
    }
}

fn k8s_meta(rng: &mut Rng, name: &str, namespace: Option<&str>, created: &str) -> Value {
    let mut m = json!({"creationTimestamp": created, "name": name,
        "resourceVersion": (10_000_000 + rng.below(90_000_000)).to_string(), "uid": rng.guid()});
    if let Some(ns) = namespace {
        m["namespace"] = json!(ns);
    }
    m
}

fn rule(groups: &[&str], resources: &[&str], verbs: &[&str]) -> Value {
    json!({"apiGroups": groups, "resources": resources, "verbs": verbs})
}

const WRITE: &[&str] = &["create", "delete", "deletecollection", "patch", "update"];
const READ: &[&str] = &["get", "list", "watch"];

/// The bootstrap and platform ClusterRoles. `view`, `edit` and `admin` are aggregated
/// from the `system:aggregate-to-*` roles, and exported with their rules filled in, as
/// a live cluster has them (`edit` includes `impersonate` on serviceaccounts, as upstream).
fn k8s_cluster_roles(rng: &mut Rng) -> Vec<Value> {
    let to_view = vec![
        rule(
            &[""],
            &[
                "configmaps",
                "endpoints",
                "persistentvolumeclaims",
                "pods",
                "pods/log",
                "pods/status",
                "replicationcontrollers",
                "services",
                "serviceaccounts",
                "events",
                "namespaces",
            ],
            READ,
        ),
        rule(
            &["apps"],
            &["daemonsets", "deployments", "replicasets", "statefulsets"],
            READ,
        ),
        rule(&["batch"], &["cronjobs", "jobs"], READ),
    ];
    let to_edit = vec![
        rule(
            &[""],
            &[
                "pods/attach",
                "pods/exec",
                "pods/portforward",
                "pods/proxy",
                "secrets",
                "services/proxy",
            ],
            READ,
        ),
        rule(&[""], &["serviceaccounts"], &["impersonate"]),
        rule(
            &[""],
            &[
                "pods",
                "pods/attach",
                "pods/exec",
                "pods/portforward",
                "pods/proxy",
            ],
            WRITE,
        ),
        rule(
            &[""],
            &[
                "configmaps",
                "persistentvolumeclaims",
                "replicationcontrollers",
                "secrets",
                "serviceaccounts",
                "services",
            ],
            WRITE,
        ),
        rule(
            &["apps"],
            &["daemonsets", "deployments", "replicasets", "statefulsets"],
            WRITE,
        ),
        rule(&["batch"], &["cronjobs", "jobs"], WRITE),
    ];
    let to_admin = vec![
        rule(
            &["authorization.k8s.io"],
            &["localsubjectaccessreviews"],
            &["create"],
        ),
        rule(
            &["rbac.authorization.k8s.io"],
            &["rolebindings", "roles"],
            &[
                "create",
                "delete",
                "deletecollection",
                "get",
                "list",
                "patch",
                "update",
                "watch",
            ],
        ),
    ];
    let edit: Vec<Value> = to_view.iter().chain(&to_edit).cloned().collect();
    let admin: Vec<Value> = edit.iter().chain(&to_admin).cloned().collect();
    let bootstrap = json!({"kubernetes.io/bootstrapping": "rbac-defaults"});
    let created = "2024-11-18T14:02:11Z";
    let mut out = Vec::new();
    let mut role = |rng: &mut Rng,
                    name: &str,
                    labels: Value,
                    rules: Vec<Value>,
                    aggregate: Option<&str>| {
        let mut meta = k8s_meta(rng, name, None, created);
        if labels.as_object().is_some_and(|l| !l.is_empty()) {
            meta["labels"] = labels;
        }
        if name.starts_with("system:") || ["cluster-admin", "admin", "edit", "view"].contains(&name)
        {
            meta["annotations"] = json!({"rbac.authorization.kubernetes.io/autoupdate": "true"});
        }
        let mut v =
            json!({"apiVersion": RBAC, "kind": "ClusterRole", "metadata": meta, "rules": rules});
        if let Some(label) = aggregate {
            v["aggregationRule"] =
                json!({"clusterRoleSelectors": [{"matchLabels": {label: "true"}}]});
        }
        out.push(v);
    };
    let agg = |to: &str| format!("rbac.authorization.k8s.io/aggregate-to-{to}");
    role(
        rng,
        "cluster-admin",
        bootstrap.clone(),
        vec![
            rule(&["*"], &["*"], &["*"]),
            json!({"nonResourceURLs": ["*"], "verbs": ["*"]}),
        ],
        None,
    );
    let labelled = |to: &[&str]| {
        let mut l = bootstrap.clone();
        for t in to {
            l[agg(t)] = json!("true");
        }
        l
    };
    role(
        rng,
        "system:aggregate-to-view",
        labelled(&["view"]),
        to_view.clone(),
        None,
    );
    role(
        rng,
        "system:aggregate-to-edit",
        labelled(&["edit"]),
        to_edit,
        None,
    );
    role(
        rng,
        "system:aggregate-to-admin",
        labelled(&["admin"]),
        to_admin,
        None,
    );
    role(
        rng,
        "view",
        labelled(&["edit"]),
        to_view,
        Some(&agg("view")),
    );
    role(rng, "edit", labelled(&["admin"]), edit, Some(&agg("edit")));
    role(rng, "admin", bootstrap.clone(), admin, Some(&agg("admin")));
    role(
        rng,
        "system:coredns",
        json!({}),
        vec![
            rule(
                &[""],
                &["endpoints", "services", "pods", "namespaces"],
                &["list", "watch"],
            ),
            rule(
                &["discovery.k8s.io"],
                &["endpointslices"],
                &["list", "watch"],
            ),
        ],
        None,
    );
    role(
        rng,
        "system:metrics-server",
        json!({}),
        vec![
            rule(&[""], &["nodes/metrics"], &["get"]),
            rule(&[""], &["pods", "nodes"], READ),
        ],
        None,
    );
    role(
        rng,
        "aws-node",
        json!({}),
        vec![
            rule(&[""], &["pods", "namespaces", "nodes"], READ),
            rule(&["crd.k8s.amazonaws.com"], &["eniconfigs"], READ),
        ],
        None,
    );
    // Platform roles, bound below.
    let platform = json!({"rbac.contoso.com/source": "platform-gitops"});
    role(
        rng,
        "secret-reader",
        platform.clone(),
        vec![rule(&[""], &["secrets"], READ)],
        None,
    );
    role(
        rng,
        "pod-launcher",
        platform.clone(),
        vec![
            rule(&[""], &["pods", "pods/exec"], &["create", "get", "list"]),
            rule(&[""], &["pods/log"], &["get"]),
        ],
        None,
    );
    role(
        rng,
        "rbac-manager",
        platform.clone(),
        vec![rule(
            &["rbac.authorization.k8s.io"],
            &[
                "roles",
                "rolebindings",
                "clusterroles",
                "clusterrolebindings",
            ],
            &["get", "list", "create", "update", "escalate", "bind"],
        )],
        None,
    );
    role(
        rng,
        "impersonator",
        platform.clone(),
        vec![rule(
            &[""],
            &["users", "groups", "serviceaccounts"],
            &["impersonate"],
        )],
        None,
    );
    role(
        rng,
        "ops-superuser",
        platform.clone(),
        vec![rule(
            &["*"],
            &["*"],
            &[
                "get", "list", "watch", "create", "update", "patch", "delete",
            ],
        )],
        None,
    );
    role(
        rng,
        "deploy-manager",
        platform.clone(),
        vec![rule(
            &["apps"],
            &["deployments", "statefulsets", "daemonsets"],
            &["get", "list", "watch", "create", "update", "patch"],
        )],
        None,
    );
    role(
        rng,
        "namespace-lister",
        platform.clone(),
        vec![rule(&[""], &["namespaces"], &["get", "list"])],
        None,
    );
    role(
        rng,
        "node-reader",
        platform.clone(),
        vec![rule(&[""], &["nodes"], READ)],
        None,
    );
    role(
        rng,
        "crd-viewer",
        platform,
        vec![rule(
            &["apiextensions.k8s.io"],
            &["customresourcedefinitions"],
            READ,
        )],
        None,
    );
    // An aggregated role exported before the controller filled its rules.
    let sel = "rbac.contoso.com/aggregate-to-monitoring-reader";
    role(rng, "monitoring-reader", json!({}), vec![], Some(sel));
    role(
        rng,
        "monitoring-reader-metrics",
        json!({sel: "true"}),
        vec![rule(
            &[""],
            &["nodes", "nodes/metrics", "services", "endpoints", "pods"],
            READ,
        )],
        None,
    );
    role(
        rng,
        "monitoring-reader-secrets",
        json!({sel: "true"}),
        vec![rule(&[""], &["secrets"], READ)],
        None,
    );
    // The aggregated role has no `rules` key at all.
    if let Some(m) = out
        .iter_mut()
        .find(|r| r["metadata"]["name"] == "monitoring-reader")
    {
        m.as_object_mut().expect("object").remove("rules");
    }
    out
}

/// A ClusterRoleBinding when `namespace` is `None`, else a RoleBinding.
fn k8s_binding(
    rng: &mut Rng,
    name: &str,
    namespace: Option<&str>,
    role_kind: &str,
    role: &str,
    subjects: Vec<Value>,
    created: &str,
) -> Value {
    json!({"apiVersion": RBAC, "kind": if namespace.is_none() { "ClusterRoleBinding" } else { "RoleBinding" },
        "metadata": k8s_meta(rng, name, namespace, created),
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": role_kind, "name": role},
        "subjects": subjects})
}

fn sa_subject(name: &str, namespace: &str) -> Value {
    json!({"kind": "ServiceAccount", "name": name, "namespace": namespace})
}

/// Everything a workload generator needs to know about the cluster.
struct Cluster {
    nodes: Vec<String>,
    pods: Vec<Value>,
}

/// A pod spec running as `sa` (`None`: no serviceAccountName, so `default`).
fn k8s_pod_spec(rng: &mut Rng, namespace: &str, app: &str, sa: Option<&str>) -> Value {
    let image = format!(
        "registry.contoso.com/{namespace}/{app}:{}.{}.{}",
        1 + rng.below(4),
        rng.below(20),
        rng.below(10)
    );
    let mut spec = json!({"containers": [{"image": image, "imagePullPolicy": "IfNotPresent", "name": app,
            "resources": {"requests": {"cpu": format!("{}m", 50 * (1 + rng.below(8))), "memory": format!("{}Mi", 64 * (1 + rng.below(8)))}},
            "terminationMessagePath": "/dev/termination-log", "terminationMessagePolicy": "File"}],
        "dnsPolicy": "ClusterFirst", "restartPolicy": "Always", "schedulerName": "default-scheduler",
        "securityContext": {}, "terminationGracePeriodSeconds": 30});
    if let Some(sa) = sa {
        spec["serviceAccount"] = json!(sa);
        spec["serviceAccountName"] = json!(sa);
    }
    spec
}

/// A running pod from a template spec, with the projected token volume when mounted.
#[allow(clippy::too_many_arguments)]
fn k8s_pod(
    rng: &mut Rng,
    c: &mut Cluster,
    namespace: &str,
    name: &str,
    labels: Value,
    template: &Value,
    owner: Option<(&str, &str)>,
    automount: bool,
) {
    let day = rng.day(add_days(last_day(), -60), last_day());
    let started = rng.instant(day);
    let mut meta = k8s_meta(rng, name, Some(namespace), &started);
    meta["labels"] = labels;
    if let Some((kind, owner)) = owner {
        let api = if kind == "Job" { "batch/v1" } else { "apps/v1" };
        meta["ownerReferences"] = json!([{"apiVersion": api, "blockOwnerDeletion": true, "controller": true,
            "kind": kind, "name": owner, "uid": rng.guid()}]);
        if kind == "ReplicaSet" {
            meta["generateName"] = json!(format!("{owner}-"));
        }
    }
    let mut spec = template.clone();
    if spec.get("serviceAccountName").is_none() {
        spec["serviceAccount"] = json!("default");
        spec["serviceAccountName"] = json!("default");
    }
    spec["nodeName"] = json!(c.nodes[rng.below(c.nodes.len() as u64) as usize]);
    spec["preemptionPolicy"] = json!("PreemptLowerPriority");
    spec["priority"] = json!(0);
    if automount {
        let volume = format!("kube-api-access-{}", rng.pick(K8S_SUFFIX, 5));
        spec["containers"][0]["volumeMounts"] = json!([{"mountPath": "/var/run/secrets/kubernetes.io/serviceaccount",
            "name": volume, "readOnly": true}]);
        spec["volumes"] = json!([{"name": volume, "projected": {"defaultMode": 420, "sources": [
            {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}},
            {"configMap": {"items": [{"key": "ca.crt", "path": "ca.crt"}], "name": "kube-root-ca.crt"}},
            {"downwardAPI": {"items": [{"fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.namespace"}, "path": "namespace"}]}}]}}]);
    }
    c.pods.push(
        json!({"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": spec,
        "status": {"phase": "Running", "qosClass": "Burstable", "startTime": started}}),
    );
}

/// A Deployment, StatefulSet, DaemonSet or CronJob running as `sa`, with its pods.
#[allow(clippy::too_many_arguments)]
fn k8s_workload(
    rng: &mut Rng,
    c: &mut Cluster,
    kind: &str,
    namespace: &str,
    name: &str,
    sa: Option<&str>,
    automount: bool,
    created: &str,
) -> Value {
    let labels = json!({"app": name});
    let spec = k8s_pod_spec(rng, namespace, name, sa);
    let mut meta = k8s_meta(rng, name, Some(namespace), created);
    meta["labels"] = labels.clone();
    meta["generation"] = json!(1 + rng.below(20));
    let replicas = match kind {
        "DaemonSet" => c.nodes.len() as u64,
        _ => match rng.below(10) {
            0..=5 => 1,
            6..=8 => 2,
            _ => 3,
        },
    };
    if kind == "CronJob" {
        // The Jobs and pods a CronJob spawns are short-lived and not in the export.
        let mut job_spec = spec;
        job_spec["restartPolicy"] = json!("OnFailure");
        return json!({"apiVersion": "batch/v1", "kind": "CronJob", "metadata": meta,
            "spec": {"concurrencyPolicy": "Forbid", "failedJobsHistoryLimit": 1,
                "jobTemplate": {"metadata": {}, "spec": {"template": {"metadata": {"labels": labels}, "spec": job_spec}}},
                "schedule": format!("{} {} * * *", rng.below(60), rng.below(24)),
                "successfulJobsHistoryLimit": 3, "suspend": false},
            "status": {"lastScheduleTime": rng.instant(last_day())}});
    }
    let template = json!({"metadata": {"labels": labels}, "spec": spec});
    let hash = rng.pick(K8S_SUFFIX, 10);
    for k in 0..replicas {
        let (pod, owner_kind, owner, mut pod_labels) = match kind {
            "StatefulSet" => (
                format!("{name}-{k}"),
                "StatefulSet",
                name.to_string(),
                labels.clone(),
            ),
            "DaemonSet" => (
                format!("{name}-{}", rng.pick(K8S_SUFFIX, 5)),
                "DaemonSet",
                name.to_string(),
                labels.clone(),
            ),
            _ => (
                format!("{name}-{hash}-{}", rng.pick(K8S_SUFFIX, 5)),
                "ReplicaSet",
                format!("{name}-{hash}"),
                labels.clone(),
            ),
        };
        if owner_kind == "ReplicaSet" {
            pod_labels["pod-template-hash"] = json!(hash);
        }
        k8s_pod(
            rng,
            c,
            namespace,
            &pod,
            pod_labels,
            &template["spec"],
            Some((owner_kind, &owner)),
            automount,
        );
    }
    let mut spec = json!({"replicas": replicas, "revisionHistoryLimit": 10,
        "selector": {"matchLabels": {"app": name}}, "template": template});
    let mut status = json!({"availableReplicas": replicas, "observedGeneration": meta["generation"],
        "readyReplicas": replicas, "replicas": replicas});
    match kind {
        "StatefulSet" => {
            spec["serviceName"] = json!(name);
            spec["podManagementPolicy"] = json!("OrderedReady");
            spec["updateStrategy"] =
                json!({"rollingUpdate": {"partition": 0}, "type": "RollingUpdate"});
        }
        "DaemonSet" => {
            let o = spec.as_object_mut().expect("object");
            o.remove("replicas");
            spec["updateStrategy"] = json!({"rollingUpdate": {"maxSurge": 0, "maxUnavailable": 1}, "type": "RollingUpdate"});
            status = json!({"currentNumberScheduled": replicas, "desiredNumberScheduled": replicas,
                "numberAvailable": replicas, "numberReady": replicas, "observedGeneration": meta["generation"]});
        }
        _ => {
            spec["progressDeadlineSeconds"] = json!(600);
            spec["strategy"] = json!({"rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}, "type": "RollingUpdate"});
            meta["annotations"] =
                json!({"deployment.kubernetes.io/revision": (1 + rng.below(9)).to_string()});
            status["updatedReplicas"] = json!(replicas);
        }
    }
    json!({"apiVersion": "apps/v1", "kind": kind, "metadata": meta, "spec": spec, "status": status})
}

/// Sorts objects by namespace, then name, as kubectl lists them.
fn by_namespace_and_name(items: &mut [Value]) {
    items.sort_by(|a, b| {
        let key = |v: &Value| {
            (
                v["metadata"]["namespace"]
                    .as_str()
                    .unwrap_or("")
                    .to_string(),
                v["metadata"]["name"].as_str().unwrap_or("").to_string(),
            )
        };
        key(a).cmp(&key(b))
    });
}

fn k8s_list(groups: Vec<Vec<Value>>) -> Value {
    let items: Vec<Value> = groups
        .into_iter()
        .flat_map(|mut g| {
            by_namespace_and_name(&mut g);
            g
        })
        .collect();
    json!({"apiVersion": "v1", "items": items, "kind": "List", "metadata": {"resourceVersion": ""}})
}

/// One cluster: see the module documentation for the files.
fn k8s(a: &Args) -> std::io::Result<()> {
    let mut rng = Rng(a.seed);
    let n = a.identities.max(1);
    let namespaces = (n / K8S_PER_NS).max(1);
    std::fs::create_dir_all(&a.out)?;
    let mut c = Cluster {
        nodes: (0..(n / 100).clamp(3, 200))
            .map(|k| format!("ip-10-20-{}-{}.ec2.internal", k / 250, 10 + k % 240))
            .collect(),
        pods: Vec::new(),
    };
    let (mut sas, mut secrets, mut roles, mut rbs, mut crbs) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let (mut deployments, mut statefulsets, mut daemonsets, mut cronjobs) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let cluster_roles = k8s_cluster_roles(&mut rng);
    let bootstrap = "2024-11-18T14:02:11Z";

    // kube-system: platform accounts, first-party for nhiscan.
    for (name, role) in [
        ("default", None),
        ("coredns", Some("system:coredns")),
        ("kube-proxy", None),
        ("aws-node", Some("aws-node")),
        ("metrics-server", Some("system:metrics-server")),
        ("ebs-csi-controller-sa", None),
        ("cluster-autoscaler", Some("cluster-admin")),
    ] {
        sas.push(json!({"apiVersion": "v1", "kind": "ServiceAccount",
            "metadata": k8s_meta(&mut rng, name, Some("kube-system"), bootstrap)}));
        if let Some(role) = role {
            let binding = if role == "cluster-admin" {
                name.to_string()
            } else {
                role.to_string()
            };
            crbs.push(k8s_binding(
                &mut rng,
                &binding,
                None,
                "ClusterRole",
                role,
                vec![sa_subject(name, "kube-system")],
                bootstrap,
            ));
        }
    }
    crbs.push(k8s_binding(&mut rng, "cluster-admin", None, "ClusterRole", "cluster-admin",
        vec![json!({"apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": "system:masters"})], bootstrap));
    for name in ["kube-proxy", "aws-node"] {
        daemonsets.push(k8s_workload(
            &mut rng,
            &mut c,
            "DaemonSet",
            "kube-system",
            name,
            Some(name),
            true,
            bootstrap,
        ));
    }
    deployments.push(k8s_workload(
        &mut rng,
        &mut c,
        "Deployment",
        "kube-system",
        "coredns",
        Some("coredns"),
        true,
        bootstrap,
    ));

    for k in 0..namespaces {
        let ns = k8s_namespace(k);
        let first = k * K8S_PER_NS;
        let count = if k + 1 == namespaces {
            n - first
        } else {
            K8S_PER_NS
        };
        let ns_created = rng.date(2022, 1000);
        // Namespace Roles: (name, rules), common first.
        let mut ns_roles: Vec<&str> = vec!["config-reader"];
        for (role, percent) in [
            ("leader-election", 60),
            ("secret-reader", 40),
            ("job-runner", 30),
            ("ns-admin", 5),
            ("role-binder", 3),
        ] {
            if rng.chance(percent) {
                ns_roles.push(role);
            }
        }
        for &role in &ns_roles {
            let rules = match role {
                "config-reader" => vec![rule(&[""], &["configmaps"], READ)],
                "leader-election" => vec![
                    rule(
                        &["coordination.k8s.io"],
                        &["leases"],
                        &["get", "create", "update"],
                    ),
                    rule(&[""], &["events"], &["create", "patch"]),
                ],
                "secret-reader" => vec![rule(&[""], &["secrets"], &["get", "list"])],
                "job-runner" => vec![
                    rule(&["batch"], &["jobs"], &["create", "get", "list", "delete"]),
                    rule(&[""], &["pods"], &["create", "get", "list"]),
                    rule(&[""], &["pods/log"], &["get"]),
                ],
                "ns-admin" => vec![rule(&["*"], &["*"], &["*"])],
                _ => vec![rule(
                    &["rbac.authorization.k8s.io"],
                    &["roles", "rolebindings"],
                    &["get", "list", "create", "bind", "escalate"],
                )],
            };
            roles.push(json!({"apiVersion": RBAC, "kind": "Role",
                "metadata": k8s_meta(&mut rng, role, Some(&ns), &ns_created), "rules": rules}));
        }
        // The namespace's default account: often locked down, sometimes bound or used.
        let default_locked = rng.chance(40);
        if rng.chance(8) {
            rbs.push(k8s_binding(
                &mut rng,
                "default-view",
                Some(&ns),
                "ClusterRole",
                "view",
                vec![sa_subject("default", &ns)],
                &ns_created,
            ));
        }
        if rng.chance(5) {
            let group = format!("system:serviceaccounts:{ns}");
            rbs.push(k8s_binding(&mut rng, "serviceaccounts-view", Some(&ns), "ClusterRole", "view",
                vec![json!({"apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": group})], &ns_created));
        }
        if rng.chance(3) {
            // A binding left behind after its account was deleted.
            rbs.push(k8s_binding(
                &mut rng,
                "ci-bot-deploy",
                Some(&ns),
                "ClusterRole",
                "edit",
                vec![sa_subject("ci-bot", &ns)],
                &ns_created,
            ));
        }
        if rng.chance(30) {
            for (w, app) in ["hello", "nginx", "redis"]
                .iter()
                .take(1 + rng.below(2) as usize)
                .enumerate()
            {
                let name = format!("{app}-{w}");
                deployments.push(k8s_workload(
                    &mut rng,
                    &mut c,
                    "Deployment",
                    &ns,
                    &name,
                    None,
                    !default_locked,
                    &ns_created,
                ));
            }
        }
        for slot in 0..count {
            let name = k8s_sa_name(slot);
            let created = if slot == 0 {
                ns_created.clone()
            } else {
                rng.date(2022, 1760)
            };
            let mut meta = k8s_meta(&mut rng, &name, Some(&ns), &created);
            let uid = meta["uid"].clone();
            let mut sa = json!({"apiVersion": "v1", "kind": "ServiceAccount"});
            let automount = if slot == 0 {
                default_locked.then_some(false)
            } else {
                match rng.below(20) {
                    0..=4 => Some(false),
                    5 => Some(true),
                    _ => None,
                }
            };
            if let Some(auto) = automount {
                sa["automountServiceAccountToken"] = json!(auto);
            }
            if slot > 0 && rng.chance(3) {
                meta["annotations"] = match rng.below(3) {
                    0 => {
                        json!({"eks.amazonaws.com/role-arn": format!("arn:aws:iam::111122223333:role/app-role-{}", 2 * rng.below(500) + 1)})
                    }
                    1 => {
                        json!({"iam.gke.io/gcp-service-account": gcp_sa_email(2 + rng.below(GCP_PER_PROJECT as u64 - 2) as usize)})
                    }
                    _ => json!({"azure.workload.identity/client-id": rng.guid(),
                        "azure.workload.identity/tenant-id": "72f988bf-0000-4000-8000-00000000c0de"}),
                };
            } else if slot > 0 && rng.chance(30) {
                meta["annotations"] = json!({"contoso.com/owner": format!("{ns}-team")});
            }
            // Legacy long-lived token Secrets (pre-1.24 clusters, or created by hand).
            if rng.chance(if slot == 0 { 1 } else { 2 }) {
                let secret = format!("{name}-token-{}", rng.pick(K8S_SUFFIX, 5));
                sa["secrets"] = json!([{"name": secret}]);
                let mut smeta = k8s_meta(&mut rng, &secret, Some(&ns), &created);
                smeta["annotations"] = json!({"kubernetes.io/service-account.name": name,
                    "kubernetes.io/service-account.uid": uid});
                if rng.chance(60) {
                    smeta["labels"] = json!({"kubernetes.io/legacy-token-last-used":
                        rng.day(jiff::civil::date(2025, 1, 1), last_day()).to_string()});
                }
                let mut s = json!({"apiVersion": "v1", "kind": "Secret", "metadata": smeta,
                    "type": "kubernetes.io/service-account-token"});
                // Half were exported with their values: obviously fake ones here.
                if rng.chance(50) {
                    s["data"] = json!({"ca.crt": b64("fake-ca-certificate"), "namespace": b64(&ns),
                        "token": b64("fake-token-not-a-credential")});
                }
                secrets.push(s);
            }
            sa["metadata"] = meta;
            sas.push(sa);
            if slot == 0 {
                continue;
            }

            // Cluster-wide grants: rare and mostly risky.
            let component = K8S_COMPONENTS[(slot - 1) % K8S_COMPONENTS.len()];
            let cluster_role = match rng.below(1000) {
                0..=2 => Some("cluster-admin"),
                3..=5 => Some("ops-superuser"),
                6..=15 => Some("secret-reader"),
                16..=25 => Some("pod-launcher"),
                26..=28 => Some("rbac-manager"),
                29..=30 => Some("impersonator"),
                31..=45 => Some("namespace-lister"),
                46..=55 => Some("node-reader"),
                56..=65 => Some("crd-viewer"),
                66..=80 => Some("deploy-manager"),
                _ if component == "exporter" && rng.chance(30) => Some("monitoring-reader"),
                _ => None,
            };
            if let Some(role) = cluster_role {
                crbs.push(k8s_binding(
                    &mut rng,
                    &format!("{ns}-{name}-{role}"),
                    None,
                    "ClusterRole",
                    role,
                    vec![sa_subject(&name, &ns)],
                    &created,
                ));
            }
            // Namespace grants for about half the accounts.
            if rng.chance(55) {
                let mut bound = BTreeSet::new();
                for _ in 0..1 + rng.below(2) {
                    let (kind, role) = match rng.below(100) {
                        0..=39 => ("Role", "config-reader"),
                        40..=59 => ("Role", "leader-election"),
                        60..=79 => ("ClusterRole", "view"),
                        80..=87 => ("Role", "secret-reader"),
                        88..=93 => ("Role", "job-runner"),
                        94..=97 => ("ClusterRole", "edit"),
                        98 => ("Role", "ns-admin"),
                        _ => ("Role", "role-binder"),
                    };
                    let role = if kind == "Role" && !ns_roles.contains(&role) {
                        "config-reader"
                    } else {
                        role
                    };
                    if bound.insert(role) {
                        rbs.push(k8s_binding(
                            &mut rng,
                            &format!("{name}-{role}"),
                            Some(&ns),
                            kind,
                            role,
                            vec![sa_subject(&name, &ns)],
                            &created,
                        ));
                    }
                }
            }
            // Workloads: most accounts run one, some none, a few are shared.
            let mounted = automount != Some(false);
            let workloads = match rng.below(100) {
                0..=14 => 0,
                15..=89 => 1,
                90..=96 => 2,
                _ => 3,
            };
            for w in 0..workloads {
                let wname = match w {
                    0 => name.clone(),
                    1 => format!("{name}-canary"),
                    _ => format!("{name}-worker"),
                };
                let kind = match rng.below(20) {
                    0..=15 => "Deployment",
                    16..=17 => "StatefulSet",
                    _ => "CronJob",
                };
                let v = k8s_workload(
                    &mut rng,
                    &mut c,
                    kind,
                    &ns,
                    &wname,
                    Some(&name),
                    mounted,
                    &created,
                );
                match kind {
                    "Deployment" => deployments.push(v),
                    "StatefulSet" => statefulsets.push(v),
                    _ => cronjobs.push(v),
                }
            }
            // A few standalone debug pods.
            if rng.chance(3) {
                let app = format!("{name}-debug");
                let pod = format!("{app}-{}", rng.pick(K8S_SUFFIX, 5));
                let spec = k8s_pod_spec(&mut rng, &ns, &app, Some(&name));
                k8s_pod(
                    &mut rng,
                    &mut c,
                    &ns,
                    &pod,
                    json!({"app": app}),
                    &spec,
                    None,
                    mounted,
                );
            }
        }
    }
    let cluster = k8s_list(vec![sas, secrets, roles, cluster_roles, rbs, crbs]);
    write(a.out.join("cluster.json"), &cluster)?;
    let pods = std::mem::take(&mut c.pods);
    let workloads = k8s_list(vec![pods, deployments, statefulsets, daemonsets, cronjobs]);
    write(a.out.join("workloads.json"), &workloads)
}
