//! Every Entra export shape of formats.md §0–1, read through the library API.

mod common;

use common::dir_with;
use nhiscan::import::{LoadOptions, load};
use nhiscan::model::*;

const MS: &str = "f8cdef31-a31e-4b4a-93e4-5f571e91255a";
const HOME: &str = "aaaaaaaa-0000-0000-0000-000000000001";
const GRAPH_APP: &str = "00000003-0000-0000-c000-000000000000";

fn inventory(files: &[(&str, &[u8])]) -> Inventory {
    inventory_with(files, LoadOptions::default())
}

fn inventory_with(files: &[(&str, &[u8])], options: LoadOptions) -> Inventory {
    let dir = dir_with(files);
    let loaded = load(&[dir.path().to_path_buf()], &options);
    assert!(loaded.errors.is_empty(), "{:?}", loaded.errors);
    loaded.inventory
}

fn by_name<'a>(inv: &'a Inventory, name: &str) -> (usize, &'a Identity) {
    inv.identities
        .iter()
        .enumerate()
        .find(|(_, i)| i.name == name)
        .unwrap_or_else(|| panic!("{name} not in inventory"))
}

fn graph_sp() -> String {
    format!(
        r#"{{"id":"graph-sp","appId":"{GRAPH_APP}","displayName":"Microsoft Graph","appOwnerOrganizationId":"{MS}","servicePrincipalType":"Application",
  "appRoles":[{{"id":"9e3f62cf-ca93-4989-b6ce-bf83c28f9fe8","value":"RoleManagement.ReadWrite.Directory"}},{{"id":"810c84a8-4a9e-49e6-bf7d-12d183f40d01","value":"Mail.Read"}}]}}"#
    )
}

fn sp(id: &str, app: &str, name: &str, owner: &str) -> String {
    format!(
        r#"{{"id":"{id}","appId":"{app}","displayName":"{name}","appOwnerOrganizationId":"{owner}","servicePrincipalType":"Application"}}"#
    )
}

#[test]
fn graph_pages_merge_across_files_and_within_a_file_and_dedupe_by_id() {
    let page1 = format!(
        r#"{{"@odata.context":"https://graph.microsoft.com/v1.0/$metadata#servicePrincipals","value":[{},{}],"@odata.nextLink":"https://graph.microsoft.com/v1.0/servicePrincipals?$skiptoken=x"}}"#,
        sp("s1", "a1", "One", HOME),
        sp("s2", "a2", "Two", HOME)
    );
    // Two pages concatenated in one file (people looping az rest by hand), one repeating s2.
    let pages23 = format!(
        "{{\"value\":[{}]}}\n{{\"@odata.context\":\"https://graph.microsoft.com/v1.0/$metadata#servicePrincipals\",\"value\":[{}]}}",
        sp("s2", "a2", "Two", HOME),
        sp("s3", "a3", "Three", HOME)
    );
    let inv = inventory(&[
        ("p1.json", page1.as_bytes()),
        ("p2.json", pages23.as_bytes()),
    ]);
    let names: Vec<&str> = inv.identities.iter().map(|i| i.name.as_str()).collect();
    assert_eq!(names, ["One", "Two", "Three"]);
    assert!(
        inv.notes.iter().any(|n| n.contains("1 duplicate")),
        "{:?}",
        inv.notes
    );
}

#[test]
fn az_cli_arrays_of_apps_and_sps_join_into_one_identity() {
    let apps = (
        r#"[{"id":"app-obj","appId":"a1","displayName":"Payroll","signInAudience":"AzureADMyOrg","requiredResourceAccess":[],
  "web":{"implicitGrantSettings":{"enableAccessTokenIssuance":true}},
  "passwordCredentials":[{"keyId":"K1","displayName":"s","startDateTime":"2026-01-01T00:00:00Z","endDateTime":"2026-06-01T00:00:00Z","secretText":null}]}]"#
    ).to_string();
    let sps = format!("[{}]", sp("s1", "a1", "Payroll SP", HOME));
    let inv = inventory(&[("apps.json", apps.as_bytes()), ("sps.json", sps.as_bytes())]);
    assert_eq!(inv.identities.len(), 1);
    let (idx, payroll) = by_name(&inv, "Payroll SP");
    assert_eq!(payroll.app_object_id.as_deref(), Some("app-obj"));
    assert_eq!(payroll.origin, Origin::Home);
    assert!(payroll.settings.implicit_access_tokens);
    let creds = inv.credentials_of(idx);
    assert_eq!(creds.len(), 1);
    assert_eq!(creds[0].host, CredentialHost::Application);
    assert_eq!(
        creds[0].key_id.as_deref(),
        Some("k1"),
        "key ids are normalised to lower case"
    );
    // The home tenant is the one that owns the exported application's SP.
    assert_eq!(inv.home_tenant.as_deref(), Some(HOME));
    assert_eq!(inv.tenant_source, Some(TenantSource::Inferred));
}

fn utf16le_bom(s: &str) -> Vec<u8> {
    let mut out = vec![0xFF, 0xFE];
    for u in s.encode_utf16() {
        out.extend(u.to_le_bytes());
    }
    out
}

#[test]
fn powershell_single_object_pascal_case_utf16_and_dotnet_dates() {
    let ps = r##"{
    "Id":  "s9",
    "AppId":  "a9",
    "DisplayName":  "PS App",
    "AppOwnerOrganizationId":  "bbbbbbbb-0000-0000-0000-000000000002",
    "PasswordCredentials":  [
        {
            "KeyId":  "k9",
            "DisplayName":  "ps secret",
            "StartDateTime":  "\/Date(1733343742000)\/",
            "EndDateTime":  "\\/Date(4102444800000)\\/"
        }
    ],
    "Owners":  [
        {
            "Id":  "u1",
            "AdditionalProperties":  {
                "@odata.type":  "#microsoft.graph.user",
                "userPrincipalName":  "owner@contoso.com",
                "accountEnabled":  false
            }
        }
    ],
    "AdditionalProperties":  {}
}"##;
    let inv = inventory_with(
        &[
            ("ps.json", &utf16le_bom(ps)),
            (
                "bom.json",
                &[b"\xEF\xBB\xBF".as_slice(), graph_sp().as_bytes()].concat(),
            ),
        ],
        LoadOptions {
            tenant_id: Some(HOME.into()),
            ..LoadOptions::default()
        },
    );
    assert_eq!(
        inv.files
            .iter()
            .map(|f| f.format.as_str())
            .collect::<Vec<_>>(),
        ["entra.object (utf-8-bom)", "entra.powershell (utf-16le)"]
    );
    let (idx, app) = by_name(&inv, "PS App");
    assert_eq!(app.origin, Origin::ThirdParty);
    let c = &inv.credentials_of(idx)[0];
    assert_eq!(
        nhiscan::time::format(c.created.unwrap()),
        "2024-12-04T20:22:22Z"
    );
    assert_eq!(
        nhiscan::time::format(c.expires.unwrap()),
        "2100-01-01T00:00:00Z"
    );
    let owner = &app.owners.as_ref().unwrap()[0];
    assert_eq!(owner.kind, PrincipalKind::User);
    assert_eq!(owner.enabled, Some(false));
    assert_eq!(owner.name.as_deref(), Some("owner@contoso.com"));
    assert_eq!(
        by_name(&inv, "Microsoft Graph").1.origin,
        Origin::FirstParty
    );
}

#[test]
fn legacy_aad_graph_objects_are_read() {
    let legacy = r#"{"odata.metadata":"https://graph.windows.net/x/$metadata#directoryObjects/@Element","odata.type":"Microsoft.DirectoryServices.Application","objectType":"Application","objectId":"LEG-1","appId":"a-leg","displayName":"Legacy App","oauth2AllowImplicitFlow":true,"publicClient":true,
  "passwordCredentials":[{"customKeyIdentifier":null,"endDate":"2030-05-31T08:09:50.738165Z","keyId":"k-leg","startDate":"2021-05-31T08:09:50.738165Z","value":null}]}"#;
    let inv = inventory(&[("legacy.json", legacy.as_bytes())]);
    let (idx, app) = by_name(&inv, "Legacy App");
    assert_eq!(app.kind, IdentityKind::Application);
    assert_eq!(app.id, "leg-1");
    assert!(app.settings.implicit_access_tokens && app.settings.public_client_fallback);
    assert_eq!(
        inv.credentials_of(idx)[0]
            .expires
            .map(nhiscan::time::format)
            .as_deref(),
        Some("2030-05-31T08:09:50Z")
    );
    assert!(
        inv.exposures.is_empty(),
        "a null legacy value is not a secret"
    );
}

#[test]
fn federated_credentials_and_owners_come_from_per_object_pages() {
    let apps = r#"{"value":[{"id":"app-1","appId":"a1","displayName":"Deployer","requiredResourceAccess":[]}]}"#;
    let fics = r#"{"@odata.context":"https://graph.microsoft.com/beta/$metadata#applications('app-1')/federatedIdentityCredentials","value":[
  {"id":"f1","name":"gh","issuer":"https://token.actions.githubusercontent.com/","subject":"repo:o/r:environment:prod","audiences":["api://AzureADTokenExchange"]}]}"#;
    let owners = r##"{"@odata.context":"https://graph.microsoft.com/v1.0/$metadata#applications('app-1')/owners","value":[
  {"@odata.type":"#microsoft.graph.user","id":"u1","userPrincipalName":"dev@contoso.com"}]}"##;
    let users = r#"{"@odata.context":"https://graph.microsoft.com/v1.0/$metadata#users","value":[{"id":"u1","userPrincipalName":"dev@contoso.com","accountEnabled":false,"userType":"Member"}]}"#;
    let inv = inventory(&[
        ("apps.json", apps.as_bytes()),
        ("f.json", fics.as_bytes()),
        ("o.json", owners.as_bytes()),
        ("u.json", users.as_bytes()),
    ]);
    let (idx, app) = by_name(&inv, "Deployer");
    let fic = inv.credentials_of(idx)[0].federation.clone().unwrap();
    assert_eq!(fic.subject.as_deref(), Some("repo:o/r:environment:prod"));
    let owner = &app.owners.as_ref().unwrap()[0];
    assert_eq!(
        owner.enabled,
        Some(false),
        "owner state comes from the users export"
    );
    assert!(inv.users_known);
}

#[test]
fn grants_roles_and_activity_join_on_object_ids_app_ids_and_key_ids() {
    let sps = format!(
        r#"{{"@odata.context":"https://graph.microsoft.com/v1.0/$metadata#servicePrincipals(appRoleAssignments())","value":[{},
  {{"id":"s1","appId":"a1","displayName":"Worker","appOwnerOrganizationId":"{HOME}","servicePrincipalType":"Application",
    "keyCredentials":[{{"keyId":"KC1","type":"AsymmetricX509Cert","usage":"Verify","startDateTime":"2026-01-01T00:00:00Z","endDateTime":"2027-01-01T00:00:00Z"}}],
    "appRoleAssignments":[{{"id":"ara1","appRoleId":"9e3f62cf-ca93-4989-b6ce-bf83c28f9fe8","principalId":"s1","principalType":"ServicePrincipal","resourceId":"graph-sp","resourceDisplayName":"Microsoft Graph"}}]}}]}}"#,
        graph_sp()
    );
    // The same assignment again, standalone, plus one to a resource not in the export.
    let aras = r#"{"value":[
  {"id":"ara1","appRoleId":"9e3f62cf-ca93-4989-b6ce-bf83c28f9fe8","principalId":"s1","principalType":"ServicePrincipal","resourceId":"graph-sp"},
  {"id":"ara2","appRoleId":"810c84a8-4a9e-49e6-bf7d-12d183f40d01","principalId":"s1","principalType":"ServicePrincipal","resourceId":"other-tenant-graph","resourceDisplayName":"Microsoft Graph"}]}"#;
    let grants = r#"{"@odata.context":"https://graph.microsoft.com/v1.0/$metadata#oauth2PermissionGrants","value":[
  {"id":"g1","clientId":"s1","consentType":"AllPrincipals","principalId":null,"resourceId":"graph-sp","scope":"  User.Read   Mail.ReadWrite "}]}"#;
    let roles = r#"{"@odata.context":"https://graph.microsoft.com/v1.0/$metadata#roleManagement/directory/roleAssignments","value":[
  {"id":"r1","principalId":"s1","roleDefinitionId":"62e90394-69f5-4237-9190-012177145e10","directoryScopeId":"/"},
  {"id":"r2","principalId":"user-1","roleDefinitionId":"62e90394-69f5-4237-9190-012177145e10","directoryScopeId":"/"}]}"#;
    let legacy_roles = r##"{"@odata.context":"https://graph.microsoft.com/v1.0/$metadata#directoryRoles(members())","value":[
  {"id":"dr1","displayName":"Application Administrator","roleTemplateId":"9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3","members":[{"@odata.type":"#microsoft.graph.servicePrincipal","id":"s1"}]}]}"##;
    let signins = r#"{"@odata.context":"https://graph.microsoft.com/beta/$metadata#reports/servicePrincipalSignInActivities","value":[
  {"id":"x","appId":"a1","lastSignInActivity":{"lastSignInDateTime":"2026-03-01T00:00:00Z"},"applicationAuthenticationClientSignInActivity":{"lastSignInDateTime":"2026-04-01T00:00:00Z"}}]}"#;
    let creds = r#"{"value":[{"id":"y","appId":"a1","keyId":"kc1","keyType":"certificate","signInActivity":{"lastSignInDateTime":"2026-04-02T00:00:00Z"}}]}"#;
    let inv = inventory(&[
        ("1.json", sps.as_bytes()),
        ("2.json", aras.as_bytes()),
        ("3.json", grants.as_bytes()),
        ("4.json", roles.as_bytes()),
        ("5.json", legacy_roles.as_bytes()),
        ("6.json", signins.as_bytes()),
        ("7.json", creds.as_bytes()),
    ]);
    let (idx, worker) = by_name(&inv, "Worker");
    let mut got: Vec<(GrantKind, String, Tier)> = inv
        .grants_of(idx)
        .iter()
        .map(|g| (g.kind, g.permission.to_string(), g.tier))
        .collect();
    got.sort();
    assert_eq!(
        got,
        vec![
            (
                GrantKind::ApplicationPermission,
                "Mail.Read".into(),
                Tier::Tier1
            ),
            (
                GrantKind::ApplicationPermission,
                "RoleManagement.ReadWrite.Directory".into(),
                Tier::Tier0
            ),
            (
                GrantKind::DelegatedPermission,
                "Mail.ReadWrite".into(),
                Tier::Tier1
            ),
            (
                GrantKind::DelegatedPermission,
                "User.Read".into(),
                Tier::Unclassified
            ),
            (
                GrantKind::DirectoryRole,
                "Application Administrator".into(),
                Tier::Tier0
            ),
            (
                GrantKind::DirectoryRole,
                "Global Administrator".into(),
                Tier::Tier0
            ),
        ]
    );
    let fallback = inv
        .grants_of(idx)
        .iter()
        .find(|g| &*g.permission == "Mail.Read")
        .unwrap();
    assert!(
        fallback.resolution_note.is_some(),
        "a built-in table resolution is disclosed"
    );
    assert_eq!(
        nhiscan::time::format(worker.last_used.unwrap()),
        "2026-04-01T00:00:00Z"
    );
    assert!(worker.activity_known);
    let cert = &inv.credentials_of(idx)[0];
    assert_eq!(
        nhiscan::time::format(cert.last_used.unwrap()),
        "2026-04-02T00:00:00Z"
    );
}

/// GUIDs join whatever case each export writes them in, and read back lower-cased.
#[test]
fn guid_ids_join_across_files_whatever_their_case() {
    const SP: &str = "5A1B2C3D-0000-4000-8000-00000000ABCD";
    const APP: &str = "A1B2C3D4-1111-4111-8111-11111111111F";
    const APP_OBJECT: &str = "0BADC0DE-4444-4444-8444-44444444444E";
    const KEY: &str = "C0FFEE00-2222-4222-8222-2222222222AB";
    const GRAPH_SP: &str = "9F0E1D2C-3333-4333-8333-33333333333A";
    const ROLE: &str = "9E3F62CF-CA93-4989-B6CE-BF83C28F9FE8";
    let lower = |s: &str| s.to_ascii_lowercase();
    let sps = format!(
        r#"{{"@odata.context":"https://graph.microsoft.com/v1.0/$metadata#servicePrincipals","value":[
  {{"id":"{GRAPH_SP}","appId":"{GRAPH_APP}","displayName":"Microsoft Graph","appOwnerOrganizationId":"{MS}","servicePrincipalType":"Application",
    "appRoles":[{{"id":"{ROLE}","value":"RoleManagement.ReadWrite.Directory"}}]}},
  {{"id":"{SP}","appId":"{APP}","displayName":"Worker","appOwnerOrganizationId":"{HOME}","servicePrincipalType":"Application",
    "keyCredentials":[{{"keyId":"{KEY}","type":"AsymmetricX509Cert","usage":"Verify","startDateTime":"2026-01-01T00:00:00Z","endDateTime":"2027-01-01T00:00:00Z"}}]}}]}}"#
    );
    let apps = format!(
        r#"{{"@odata.context":"https://graph.microsoft.com/v1.0/$metadata#applications","value":[
  {{"id":"{APP_OBJECT}","appId":"{}","displayName":"Worker app"}}]}}"#,
        lower(APP)
    );
    let aras = format!(
        r#"{{"value":[{{"id":"ara1","appRoleId":"{}","principalId":"{}","principalType":"ServicePrincipal","resourceId":"{}"}}]}}"#,
        lower(ROLE),
        lower(SP),
        lower(GRAPH_SP)
    );
    let grants = format!(
        r#"{{"@odata.context":"https://graph.microsoft.com/v1.0/$metadata#oauth2PermissionGrants","value":[
  {{"id":"g1","clientId":"{}","consentType":"AllPrincipals","resourceId":"{GRAPH_SP}","scope":"User.Read"}}]}}"#,
        lower(SP)
    );
    let signins = format!(
        r#"{{"@odata.context":"https://graph.microsoft.com/beta/$metadata#reports/servicePrincipalSignInActivities","value":[
  {{"id":"x","appId":"{}","lastSignInActivity":{{"lastSignInDateTime":"2026-03-01T00:00:00Z"}}}}]}}"#,
        lower(APP)
    );
    let creds = format!(
        r#"{{"value":[{{"id":"y","appId":"{APP}","keyId":"{}","keyType":"certificate","signInActivity":{{"lastSignInDateTime":"2026-04-02T00:00:00Z"}}}}]}}"#,
        lower(KEY)
    );
    let inv = inventory(&[
        ("1.json", sps.as_bytes()),
        ("2.json", apps.as_bytes()),
        ("3.json", aras.as_bytes()),
        ("4.json", grants.as_bytes()),
        ("5.json", signins.as_bytes()),
        ("6.json", creds.as_bytes()),
    ]);
    let (idx, worker) = by_name(&inv, "Worker");
    assert_eq!(worker.id, lower(SP));
    assert_eq!(worker.key, lower(APP));
    assert_eq!(worker.app_id.as_deref(), Some(lower(APP).as_str()));
    assert_eq!(
        worker.app_object_id.as_deref(),
        Some(lower(APP_OBJECT).as_str())
    );
    assert_eq!(worker.origin, Origin::Home);
    let got: Vec<_> = inv
        .grants_of(idx)
        .iter()
        .map(|g| {
            (
                g.kind,
                &*g.permission,
                g.permission_id.as_deref(),
                &*g.resource,
                g.resource_app_id.as_deref(),
            )
        })
        .collect();
    let role = lower(ROLE);
    assert_eq!(
        got,
        [
            (
                GrantKind::ApplicationPermission,
                "RoleManagement.ReadWrite.Directory",
                Some(role.as_str()),
                "Microsoft Graph",
                Some(GRAPH_APP),
            ),
            (
                GrantKind::DelegatedPermission,
                "User.Read",
                None,
                "Microsoft Graph",
                Some(GRAPH_APP),
            ),
        ]
    );
    assert_eq!(
        nhiscan::time::format(worker.last_used.unwrap()),
        "2026-03-01T00:00:00Z"
    );
    let cert = &inv.credentials_of(idx)[0];
    assert_eq!(cert.key_id.as_deref(), Some(lower(KEY).as_str()));
    assert_eq!(
        nhiscan::time::format(cert.last_used.unwrap()),
        "2026-04-02T00:00:00Z"
    );
}

#[test]
fn saml_signing_parts_on_a_service_principal_are_marked_as_signing() {
    let sps = format!(
        r#"[{{"id":"s1","appId":"a1","displayName":"SAML App","appOwnerOrganizationId":"{HOME}","servicePrincipalType":"Application","preferredSingleSignOnMode":"saml",
  "keyCredentials":[
    {{"customKeyIdentifier":"THUMB","keyId":"k1","type":"AsymmetricX509Cert","usage":"Sign","startDateTime":"2026-01-01T00:00:00Z","endDateTime":"2029-01-01T00:00:00Z"}},
    {{"customKeyIdentifier":"THUMB","keyId":"k2","type":"AsymmetricX509Cert","usage":"Verify","startDateTime":"2026-01-01T00:00:00Z","endDateTime":"2029-01-01T00:00:00Z"}}],
  "passwordCredentials":[{{"customKeyIdentifier":"THUMB","keyId":"k3","startDateTime":"2026-01-01T00:00:00Z","endDateTime":"2029-01-01T00:00:00Z"}}]}}]"#
    );
    let inv = inventory(&[("sps.json", sps.as_bytes())]);
    let (idx, _) = by_name(&inv, "SAML App");
    assert!(inv.credentials_of(idx).iter().all(|c| c.is_token_signing()));
}

#[test]
fn standalone_assignment_pages_are_grants_not_service_principals() {
    let sps = format!(
        r#"{{"value":[{},{}]}}"#,
        graph_sp(),
        sp("s1", "a1", "Worker", HOME)
    );
    let aras = r#"{"@odata.context":"https://graph.microsoft.com/v1.0/$metadata#servicePrincipals('s1')/appRoleAssignments","value":[
  {"id":"ara1","appRoleId":"9e3f62cf-ca93-4989-b6ce-bf83c28f9fe8","principalId":"s1","principalType":"ServicePrincipal","resourceId":"graph-sp","resourceDisplayName":"Microsoft Graph"}]}"#;
    let inv = inventory(&[("sps.json", sps.as_bytes()), ("aras.json", aras.as_bytes())]);
    assert_eq!(
        inv.identities.len(),
        2,
        "the assignment is not read as a service principal"
    );
    let (idx, _) = by_name(&inv, "Worker");
    assert_eq!(
        &*inv.grants_of(idx)[0].permission,
        "RoleManagement.ReadWrite.Directory"
    );
}

#[test]
fn owners_as_graph_returns_them_are_not_a_users_export() {
    // GET /applications/{id}/owners answers `$metadata#directoryObjects`: no parent id.
    let owners = r##"{"@odata.context":"https://graph.microsoft.com/v1.0/$metadata#directoryObjects","value":[
  {"@odata.type":"#microsoft.graph.user","id":"u1","userPrincipalName":"dev@contoso.com"}]}"##;
    let inv = inventory(&[("owners.json", owners.as_bytes())]);
    assert!(
        !inv.users_known,
        "an owners list must not make absent users look deleted"
    );
    // A plain `az ad user list` array is a users export.
    let users = br#"[{"id":"u1","userPrincipalName":"dev@contoso.com","accountEnabled":true}]"#;
    assert!(inventory(&[("users.json", users)]).users_known);
}

#[test]
fn null_owners_mean_not_exported_and_orphan_fics_are_noted() {
    let sps = format!(
        r#"[{{"Id":"s1","AppId":"a1","DisplayName":"PS","AppOwnerOrganizationId":"{HOME}","ServicePrincipalType":"Application","Owners":null}}]"#
    );
    let fics = br#"[{"id":"f1","name":"gh","issuer":"https://token.actions.githubusercontent.com","subject":"repo:o/r:pull_request","audiences":["api://AzureADTokenExchange"]}]"#;
    let inv = inventory(&[("sps.json", sps.as_bytes()), ("fics.json", fics)]);
    assert_eq!(by_name(&inv, "PS").1.owners, None);
    assert!(
        inv.notes.iter().any(|n| n
            .starts_with("1 federated identity credentials were read without their application")),
        "{:?}",
        inv.notes
    );
}
