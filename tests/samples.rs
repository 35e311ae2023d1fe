//! Every real sample in ../shared/samples/entra imports or is skipped with a reason.

mod common;

use common::*;

#[test]
fn every_entra_sample_imports_or_is_skipped_with_a_reason() {
    let dir = samples("entra");
    let (code, report, stderr) = json("inventory", &[&dir], &[]);
    assert_eq!(code, 0, "{stderr}");
    assert!(report["errors"].as_array().unwrap().is_empty());
    let inputs = report["inputs"].as_array().unwrap();
    let on_disk = std::fs::read_dir(&dir).unwrap().count();
    assert_eq!(inputs.len(), on_disk, "every sample is listed as an input");
    for input in inputs {
        let format = input["format"].as_str().unwrap();
        let path = input["path"].as_str().unwrap();
        if format == "skipped" {
            let reason = report["skipped"]
                .as_array()
                .unwrap()
                .iter()
                .find(|s| s["path"] == path)
                .unwrap_or_else(|| panic!("{path} skipped without a reason"));
            assert!(reason["reason"].as_str().unwrap().len() > 10);
        } else {
            assert!(format.starts_with("entra."), "{path}: {format}");
            assert!(
                input["records"].as_u64().unwrap() > 0,
                "{path} imported nothing"
            );
        }
    }
}

#[test]
fn inventory_samples_are_read_not_skipped() {
    let dir = samples("entra");
    let (_, report, _) = json("inventory", &[&dir], &[]);
    let formats: std::collections::BTreeMap<String, String> = report["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            let name = i["path"]
                .as_str()
                .unwrap()
                .rsplit('/')
                .next()
                .unwrap()
                .to_string();
            (name, i["format"].as_str().unwrap().to_string())
        })
        .collect();
    for name in [
        "azurecli_rec_aadgraph_1.6_legacy_application.json",
        "azurecli_rec_aadgraph_1.6_legacy_servicePrincipal.json",
        "azurecli_rec_graph_beta_federatedIdentityCredentials_list.json",
        "azurecli_rec_graph_v1_applications_list_with_passwordCredentials.json",
        "cli-m365_graph_v1_oauth2PermissionGrants_list.json",
        "cli-m365_graph_v1_servicePrincipals_list_expand_appRoleAssignments.json",
        "scubagear_MockApplications_utf16_ps51.json",
        "scubagear_MockServicePrincipals_utf16_ps51.json",
    ] {
        assert!(
            formats[name].starts_with("entra."),
            "{name}: {}",
            formats[name]
        );
    }
    assert_eq!(
        formats["scubagear_MockServicePrincipals_utf16_ps51.json"],
        "entra.powershell (utf-16le)"
    );
    assert_eq!(
        formats["azurecli_rec_aadgraph_1.6_legacy_servicePrincipal.json"],
        "entra.aad-graph-legacy"
    );
}

#[test]
fn the_add_password_response_is_a_redacted_critical_finding() {
    let file = samples("entra").join("azurecli_rec_graph_v1_addPassword_response.json");
    let secret = "replaced-microsoft-graph-password";
    assert!(std::fs::read_to_string(&file).unwrap().contains(secret));
    let out = nhiscan()
        .args(["scan", "--format", "json", "--now", NOW])
        .arg(&file)
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        !text.contains(secret),
        "the secret value leaked into the report"
    );
    let report: serde_json::Value = serde_json::from_str(&text).unwrap();
    let f = &report["findings"][0];
    assert_eq!(f["check_id"], "ENTRA-024");
    assert_eq!(f["severity"], "critical");
    assert_eq!(f["evidence"]["value"], "[redacted]");
}

#[test]
fn app_role_ids_resolve_per_resource_not_by_guid() {
    // The SharePoint sample exposes User.ReadWrite.All with the GUID Graph uses for
    // its own User.ReadWrite.All; the assignment sample holds SharePoint roles.
    let dir = samples("entra");
    let (_, report, _) = json(
        "inventory",
        &[
            &dir.join("cli-m365_graph_v1_servicePrincipals_list_sharepoint_online.json"),
            &dir.join("cli-m365_graph_v1_servicePrincipals_list_expand_appRoleAssignments.json"),
        ],
        &[],
    );
    let app = report["identities"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["name"] == "myapp")
        .unwrap();
    for g in app["grants"].as_array().unwrap() {
        assert_eq!(g["resource"], "Office 365 SharePoint Online", "{g}");
        assert!(
            !g["permission"].as_str().unwrap().starts_with("appRole "),
            "{g}"
        );
    }
}
