//! Synthetic export generator for benchmarks and scale tests.
//!
//! `cargo run --release --example synth -- --provider entra --identities 50000 --out /tmp/entra-50k`
//!
//! Writes a realistic Entra tenant in the shapes `nhiscan scan` reads: Graph pages
//! of service principals (with the Microsoft Graph resource SP and its app roles),
//! an `az ad app list` array of applications with credentials and owners,
//! delegated grants, directory role assignments, users and sign-in activity.
//! The output is a pure function of the arguments (`--seed`, default 1).

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::PathBuf;

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

fn credential(rng: &mut Rng, secret: bool) -> Value {
    let start = rng.date(2023, 1000);
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
            let secrets: Vec<Value> = (0..rng.below(4))
                .map(|_| credential(&mut rng, true))
                .collect();
            let certs: Vec<Value> = (0..rng.below(2))
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
        other => {
            eprintln!("provider {other} is not generated yet (entra, aws)");
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
