//! A regression guard that does not depend on timing: doubling the estate must not
//! more than about double the allocations (a count and a byte total) of a whole scan
//! (import, join, checks, report, JSON). A lookup that scans every record per
//! identity, or a join rebuilt per check, grows with the square of the estate and
//! trips it long before anyone notices it on a clock.
//!
//! Allocations are counted on one thread, so the scan runs in a one-thread pool.
//! This guards memory work only: a lookup that rescans records without allocating
//! (the GCP and Kubernetes per-identity lookups before `0386edd`) grows in time but
//! not in allocations, and needs a benchmark (`cargo bench`) to be seen.

mod common;

use nhiscan::import::{LoadOptions, load};
use serde_json::{Value, json};

/// Allocations (count, bytes) of a full scan of `files` written into a directory.
fn allocations(files: &[(String, Value)]) -> (u64, u64) {
    let dir = tempfile::tempdir().unwrap();
    for (name, v) in files {
        std::fs::write(dir.path().join(name), v.to_string()).unwrap();
    }
    let paths = vec![dir.path().to_path_buf()];
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    let now: jiff::Timestamp = common::NOW.parse().unwrap();
    // A first scan parses the embedded tables, which are then cached: not counted.
    pool.install(|| {
        let _ = load(&paths, &LoadOptions::default());
    });
    let info = pool.install(|| {
        allocation_counter::measure(|| {
            let loaded = load(&paths, &LoadOptions::default());
            let findings = nhiscan::engine::run(&loaded.inventory, now, Default::default());
            let report = nhiscan::report::Report::build(
                &loaded.inventory,
                &findings,
                &loaded.errors,
                now,
                Default::default(),
            );
            nhiscan::report::json::write_report(&report, &mut std::io::sink()).unwrap();
        })
    });
    (info.count_total, info.bytes_total)
}

fn assert_linear(name: &str, small: (u64, u64), large: (u64, u64)) {
    let count = large.0 as f64 / small.0 as f64;
    let bytes = large.1 as f64 / small.1 as f64;
    eprintln!(
        "{name}: allocations {} -> {} (x{count:.2}), bytes {} -> {} (x{bytes:.2})",
        small.0, large.0, small.1, large.1
    );
    assert!(
        count < 2.3 && bytes < 2.3,
        "{name}: doubling the input multiplied allocations by {count:.2} (count) and {bytes:.2} (bytes)"
    );
    assert!(
        count > 1.5,
        "{name}: the scan did not grow with the input ({count:.2})"
    );
}

/// An AWS account of `n` users and `n` roles, with groups, managed policies and trust.
fn aws(n: usize) -> Vec<(String, Value)> {
    let users: Vec<Value> = (0..n)
        .map(|i| {
            json!({"UserName": format!("u{i}"), "Arn": format!("arn:aws:iam::111122223333:user/u{i}"),
                "CreateDate": "2024-01-01T00:00:00Z", "GroupList": [format!("g{}", i % 10)],
                "AttachedManagedPolicies": [{"PolicyName": format!("p{}", i % 20), "PolicyArn": format!("arn:aws:iam::111122223333:policy/p{}", i % 20)}],
                "UserPolicyList": [{"PolicyName": "inline", "PolicyDocument": {"Statement": [{"Effect": "Allow", "Action": ["s3:GetObject", "iam:PassRole"], "Resource": "*"}]}}]})
        })
        .collect();
    let roles: Vec<Value> = (0..n)
        .map(|i| {
            json!({"RoleName": format!("r{i}"), "Arn": format!("arn:aws:iam::111122223333:role/r{i}"),
                "CreateDate": "2024-01-01T00:00:00Z", "RoleLastUsed": {},
                "AssumeRolePolicyDocument": {"Statement": [{"Effect": "Allow", "Principal": {"AWS": format!("arn:aws:iam::{}:root", 100000000000u64 + (i % 7) as u64)}, "Action": "sts:AssumeRole"}]},
                "AttachedManagedPolicies": [{"PolicyName": format!("p{}", i % 20), "PolicyArn": format!("arn:aws:iam::111122223333:policy/p{}", i % 20)}],
                "RolePolicyList": []})
        })
        .collect();
    let groups: Vec<Value> = (0..10)
        .map(|g| json!({"GroupName": format!("g{g}"), "GroupPolicyList": [{"PolicyName": "gp", "PolicyDocument": {"Statement": {"Effect": "Allow", "Action": "kms:*", "Resource": "*"}}}], "AttachedManagedPolicies": []}))
        .collect();
    let policies: Vec<Value> = (0..20)
        .map(|p| json!({"PolicyName": format!("p{p}"), "Arn": format!("arn:aws:iam::111122223333:policy/p{p}"), "DefaultVersionId": "v1",
            "PolicyVersionList": [{"VersionId": "v1", "IsDefaultVersion": true, "Document": {"Statement": [{"Effect": "Allow", "Action": if p == 0 { "*" } else { "ec2:Describe*" }, "Resource": "*"}]}}]}))
        .collect();
    vec![(
        "authorization-details.json".into(),
        json!({"UserDetailList": users, "RoleDetailList": roles, "GroupDetailList": groups, "Policies": policies}),
    )]
}

/// An Entra tenant of `n` service principals with applications, secrets and grants.
fn entra(n: usize) -> Vec<(String, Value)> {
    let graph = "c5393580-f805-4401-95e8-94b7a6ef2fc2";
    let tenant = "a1b2c3d4-0000-4000-8000-00000000c0de";
    let mut sps = vec![
        json!({"id": "00000000-0000-0000-0000-0000000000ff", "appId": "00000003-0000-0000-c000-000000000000",
        "displayName": "Microsoft Graph", "appOwnerOrganizationId": "f8cdef31-a31e-4b4a-93e4-5f571e91255a",
        "appRoles": [{"id": graph, "value": "Mail.Read"}]}),
    ];
    let mut apps = Vec::new();
    let mut assignments = Vec::new();
    for i in 0..n {
        let sp_id = format!("00000000-0000-0000-0001-{i:012}");
        let app_id = format!("00000000-0000-0000-0002-{i:012}");
        sps.push(json!({"id": sp_id, "appId": app_id, "displayName": format!("app-{i}"), "servicePrincipalType": "Application",
            "appOwnerOrganizationId": tenant, "accountEnabled": true, "passwordCredentials": [], "keyCredentials": []}));
        apps.push(json!({"id": format!("00000000-0000-0000-0003-{i:012}"), "appId": app_id, "displayName": format!("app-{i}"),
            "passwordCredentials": [{"keyId": format!("00000000-0000-0000-0004-{i:012}"), "displayName": "ci",
                "startDateTime": "2024-01-01T00:00:00Z", "endDateTime": "2027-01-01T00:00:00Z"}], "keyCredentials": []}));
        if i % 3 == 0 {
            assignments.push(json!({"id": format!("as{i}"), "principalId": sp_id, "principalType": "ServicePrincipal",
                "resourceId": "00000000-0000-0000-0000-0000000000ff", "appRoleId": graph}));
        }
    }
    let page = |ctx: &str, items: Vec<Value>| json!({"@odata.context": format!("https://graph.microsoft.com/v1.0/$metadata#{ctx}"), "value": items});
    vec![
        (
            "organization.json".into(),
            page("organization", vec![json!({"id": tenant})]),
        ),
        (
            "servicePrincipals.json".into(),
            page("servicePrincipals", sps),
        ),
        ("applications.json".into(), page("applications", apps)),
        (
            "appRoleAssignments.json".into(),
            page("appRoleAssignments", assignments),
        ),
    ]
}

#[test]
fn aws_scans_grow_linearly() {
    assert_linear("aws", allocations(&aws(300)), allocations(&aws(600)));
}

#[test]
fn entra_scans_grow_linearly() {
    assert_linear("entra", allocations(&entra(400)), allocations(&entra(800)));
}
