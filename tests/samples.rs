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

/// (file name, format or "skipped") of every input of an inventory of `dir`.
fn formats_of(report: &serde_json::Value) -> std::collections::BTreeMap<String, String> {
    report["inputs"]
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
        .collect()
}

/// Every sample of `provider` imports, with records, or is skipped with a reason
/// that says what it is.
fn every_sample_imports_or_is_skipped(provider: &str) -> serde_json::Value {
    let dir = samples(provider);
    let (code, report, stderr) = json("inventory", &[&dir], &["--no-config"]);
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
            let reason = reason["reason"].as_str().unwrap();
            assert!(
                !reason.starts_with("valid JSON but no recognised"),
                "{path} is skipped without saying what it is: {reason}"
            );
        } else {
            assert!(
                format.starts_with(&format!("{provider}.")),
                "{path}: {format}"
            );
            assert!(
                input["records"].as_u64().unwrap() > 0,
                "{path} imported nothing"
            );
        }
    }
    report
}

#[test]
fn every_okta_sample_imports_or_is_skipped_with_a_reason() {
    let report = every_sample_imports_or_is_skipped("okta");
    let formats = formats_of(&report);
    for (name, format) in [
        (
            "okta_openapi_example_api_tokens_list.json",
            "okta.api-tokens",
        ),
        (
            "okta_openapi_example_app_client_secrets_list.json",
            "okta.client-secrets",
        ),
        ("okta_openapi_example_app_grants_list.json", "okta.grants"),
        ("okta_openapi_example_app_jwks_list.json", "okta.jwks"),
        ("okta_openapi_example_app_oidc.json", "okta.apps"),
        (
            "okta_openapi_example_client_role_assignments.json",
            "okta.client-roles",
        ),
        // SAML and SWA apps only, signing keys that name no app, user refresh tokens.
        ("okta_openapi_example_apps_list.json", "skipped"),
        (
            "okta_openapi_example_app_key_credentials_list.json",
            "skipped",
        ),
        (
            "okta_openapi_example_app_refresh_tokens_list.json",
            "skipped",
        ),
    ] {
        assert_eq!(formats[name], format, "{name}");
    }
    // The client roles sample is an object keyed by example name: all three roles
    // are read, and the assignee links name two clients.
    let apps: Vec<&serde_json::Value> = report["identities"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["kind"] == "okta_app")
        .collect();
    let roles = |id: &str| {
        apps.iter()
            .find(|a| a["id"] == id)
            .map(|a| a["grants"].as_array().unwrap().len())
    };
    assert_eq!(roles("0jrabyQWm4B9zVJPbotY"), Some(1));
    assert_eq!(roles("0oa4ee9vgbIuqTUvd0g7"), Some(2));
    // Secrets and JWKs find their app through their _links.
    let app = apps
        .iter()
        .find(|a| a["id"] == "0oa1nkheCuDn82XVI0g4")
        .unwrap();
    let kinds: Vec<&str> = app["credentials"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["secret", "secret", "certificate", "certificate"]);
}

#[test]
fn the_okta_samples_never_leak_a_client_secret() {
    let dir = samples("okta");
    let full = "wj9bOsLK0BRNJqy7KMMnaE7m8qrW51bPO2n1-PYvkOmhHRYgcuOecQkEwq9MPYa5";
    // (The JWKS sample's public `kid` shares the masked secret's first characters.)
    let masked = "DRUFXGF9XbLn......a3x3";
    let raw = std::fs::read_to_string(dir.join("okta_openapi_example_app_oidc.json")).unwrap();
    assert!(raw.contains(full));
    for cmd in ["scan", "inventory"] {
        let out = nhiscan()
            .args([cmd, "--no-config", "--format", "json", "--now", NOW])
            .arg(&dir)
            .output()
            .unwrap();
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(!text.contains(full), "{cmd} leaks the client secret");
        assert!(!text.contains(masked), "{cmd} leaks a masked client secret");
        assert!(
            !text.contains("yk4SVx4sUWVJVbHt6M"),
            "{cmd} leaks a secret hash"
        );
        if cmd == "scan" {
            let report: serde_json::Value = serde_json::from_str(&text).unwrap();
            let f = report["findings"]
                .as_array()
                .unwrap()
                .iter()
                .find(|f| f["check_id"] == "OKTA-007")
                .expect("the unmasked client_secret is reported");
            assert_eq!(f["identity"]["name"], "Sample Client profile");
            assert_eq!(f["evidence"]["value"], "[redacted]");
        }
    }
}

#[test]
fn every_github_sample_imports_or_is_skipped_with_a_reason() {
    let report = every_sample_imports_or_is_skipped("github");
    let formats = formats_of(&report);
    for (name, format) in [
        (
            "octokit_webhook_deploy_key_created.json",
            "github.deploy-keys",
        ),
        (
            "octokit_webhook_installation_created.json",
            "github.installations",
        ),
        (
            "octokit_webhook_installation_created_with_requester.json",
            "github.installations",
        ),
        (
            "octokit_webhook_installation_new_permissions_accepted.json",
            "github.installations",
        ),
        (
            "octokit_webhook_installation_suspend.json",
            "github.installations",
        ),
        ("octokit_schema_deploy_key_created.json", "skipped"),
        ("octokit_schema_installation.json", "skipped"),
    ] {
        assert_eq!(formats[name], format, "{name}");
    }
    let identities = report["identities"].as_array().unwrap();
    // Three payloads describe installation 957387: one identity.
    let installations: Vec<&serde_json::Value> = identities
        .iter()
        .filter(|i| i["kind"] == "github_app_installation")
        .collect();
    assert_eq!(installations.len(), 2);
    let suspended = installations
        .iter()
        .find(|i| i["id"] == "16598467")
        .unwrap();
    assert_eq!(suspended["enabled"], false);
    // Epoch and offset timestamps of webhook payloads are both read.
    for i in &installations {
        assert!(i["created"].is_string(), "{i}");
    }
    let key = identities
        .iter()
        .find(|i| i["kind"] == "github_deploy_key")
        .unwrap();
    assert_eq!(key["id"], "Codertocat/Hello-World/100");
    assert_eq!(key["grants"][0]["permission"], "contents:read");
    assert!(!report.to_string().contains("AAAAB3NzaC1yc2E"));
}
