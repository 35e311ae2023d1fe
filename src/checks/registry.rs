//! The list of every check. A check not listed here does not exist.
//!
//! Each entry ties an id to its metadata file (embedded at build time) and its
//! function. Entries are sorted by id; tests below keep the list, the metadata
//! files under `checks/` and the docs in step.

use super::{Ctx, Finding, aws, entra, gcp, github, k8s, okta};

/// One registered check.
pub struct CheckDef {
    pub id: &'static str,
    /// The TOML metadata, embedded from `checks/<provider>/<id>.toml`.
    pub meta: &'static str,
    pub run: fn(&Ctx) -> Vec<Finding>,
}

macro_rules! check {
    ($provider:literal, $id:literal, $run:path) => {
        CheckDef {
            id: $id,
            meta: include_str!(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/checks/",
                $provider,
                "/",
                $id,
                ".toml"
            )),
            run: $run,
        }
    };
}

pub static ALL: &[CheckDef] = &[
    check!("aws", "AWS-001", aws::policies::full_admin_access),
    check!("aws", "AWS-002", aws::privesc::privilege_escalation_path),
    check!(
        "aws",
        "AWS-003",
        aws::trust::github_oidc_trust_without_subject
    ),
    check!(
        "aws",
        "AWS-004",
        aws::trust::github_oidc_trust_broad_subject
    ),
    check!("aws", "AWS-005", aws::trust::github_oidc_trust_forallvalues),
    check!("aws", "AWS-006", aws::trust::oidc_trust_missing_audience),
    check!(
        "aws",
        "AWS-007",
        aws::trust::role_trust_open_to_any_principal
    ),
    check!(
        "aws",
        "AWS-008",
        aws::trust::cross_account_trust_without_external_id
    ),
    check!(
        "aws",
        "AWS-009",
        aws::trust::cross_account_trust_unknown_account
    ),
    check!("aws", "AWS-010", aws::keys::access_key_not_rotated),
    check!("aws", "AWS-011", aws::keys::access_key_unused),
    check!("aws", "AWS-012", aws::keys::multiple_active_access_keys),
    check!("aws", "AWS-013", aws::keys::root_access_key),
    check!("aws", "AWS-014", aws::keys::human_use_of_iam_user),
    check!("aws", "AWS-015", aws::usage::unused_privileged_role),
    check!("aws", "AWS-016", aws::policies::user_with_direct_policies),
    check!(
        "aws",
        "AWS-017",
        aws::policies::wildcard_sensitive_service_permissions
    ),
    check!(
        "entra",
        "ENTRA-001",
        entra::permissions::app_permission_tier0
    ),
    check!(
        "entra",
        "ENTRA-002",
        entra::permissions::app_permission_sensitive
    ),
    check!(
        "entra",
        "ENTRA-003",
        entra::permissions::directory_role_tier0
    ),
    check!(
        "entra",
        "ENTRA-004",
        entra::consent::tenant_wide_consent_high_risk
    ),
    check!(
        "entra",
        "ENTRA-005",
        entra::third_party::third_party_app_sensitive_access
    ),
    check!(
        "entra",
        "ENTRA-006",
        entra::third_party::third_party_app_unverified_publisher
    ),
    check!(
        "entra",
        "ENTRA-007",
        entra::consent::consent_from_inactive_user
    ),
    check!(
        "entra",
        "ENTRA-008",
        entra::ownership::owner_disabled_or_guest
    ),
    check!("entra", "ENTRA-009", entra::ownership::owner_missing),
    check!(
        "entra",
        "ENTRA-010",
        entra::secrets::secret_lifetime_exceeds_policy
    ),
    check!("entra", "ENTRA-011", entra::secrets::secret_never_expires),
    check!("entra", "ENTRA-012", entra::secrets::secret_not_rotated),
    check!(
        "entra",
        "ENTRA-013",
        entra::secrets::credential_expired_still_attached
    ),
    check!(
        "entra",
        "ENTRA-014",
        entra::secrets::credential_expiring_soon
    ),
    check!(
        "entra",
        "ENTRA-015",
        entra::secrets::too_many_active_secrets
    ),
    check!(
        "entra",
        "ENTRA-016",
        entra::secrets::credential_on_service_principal
    ),
    check!(
        "entra",
        "ENTRA-017",
        entra::secrets::client_secret_instead_of_certificate
    ),
    check!(
        "entra",
        "ENTRA-018",
        entra::federation::federated_credential_broad_subject
    ),
    check!(
        "entra",
        "ENTRA-019",
        entra::federation::federated_credential_unknown_issuer
    ),
    check!(
        "entra",
        "ENTRA-020",
        entra::federation::federated_credential_nonstandard_audience
    ),
    check!("entra", "ENTRA-021", entra::usage::unused_with_access),
    check!(
        "entra",
        "ENTRA-022",
        entra::legacy_flows::implicit_grant_enabled
    ),
    check!(
        "entra",
        "ENTRA-023",
        entra::legacy_flows::public_client_fallback_enabled
    ),
    check!(
        "entra",
        "ENTRA-024",
        entra::exposure::secret_value_in_export
    ),
    check!("gcp", "GCP-001", gcp::keys::user_managed_key_not_rotated),
    check!("gcp", "GCP-002", gcp::keys::user_managed_key_never_expires),
    check!(
        "gcp",
        "GCP-003",
        gcp::keys::user_managed_key_on_privileged_sa
    ),
    check!("gcp", "GCP-004", gcp::keys::active_key_on_disabled_sa),
    check!(
        "gcp",
        "GCP-005",
        gcp::roles::sa_with_primitive_or_admin_role
    ),
    check!("gcp", "GCP-006", gcp::roles::default_sa_with_editor),
    check!(
        "gcp",
        "GCP-007",
        gcp::roles::project_level_sa_impersonation_grant
    ),
    check!("gcp", "GCP-008", gcp::roles::sa_public_access),
    check!("gcp", "GCP-009", gcp::roles::sa_privilege_escalation_path),
    check!("gcp", "GCP-010", gcp::wif::wif_provider_without_condition),
    check!("gcp", "GCP-011", gcp::wif::wif_condition_not_pinning_owner),
    check!("gcp", "GCP-012", gcp::wif::wif_binding_whole_pool),
    check!("gcp", "GCP-013", gcp::usage::unused_service_account),
    check!("gcp", "GCP-014", gcp::usage::unused_service_account_key),
    check!(
        "github",
        "GITHUB-001",
        github::installations::app_installation_broad_admin_access
    ),
    check!(
        "github",
        "GITHUB-002",
        github::deploy_keys::deploy_key_write_access
    ),
    check!(
        "github",
        "GITHUB-003",
        github::deploy_keys::deploy_key_not_rotated
    ),
    check!(
        "github",
        "GITHUB-004",
        github::deploy_keys::deploy_key_unused
    ),
    check!(
        "github",
        "GITHUB-005",
        github::pats::fine_grained_pat_no_expiry
    ),
    check!(
        "github",
        "GITHUB-006",
        github::pats::fine_grained_pat_expired_still_approved
    ),
    check!("k8s", "K8S-001", k8s::rbac::sa_cluster_admin_or_wildcard),
    check!("k8s", "K8S-002", k8s::rbac::sa_cluster_wide_secret_read),
    check!("k8s", "K8S-003", k8s::rbac::sa_pod_create_or_exec),
    check!("k8s", "K8S-004", k8s::rbac::sa_escalate_bind_impersonate),
    check!("k8s", "K8S-005", k8s::tokens::legacy_service_account_token),
    check!(
        "k8s",
        "K8S-006",
        k8s::workloads::service_account_shared_by_workloads
    ),
    check!(
        "k8s",
        "K8S-007",
        k8s::workloads::default_service_account_in_use
    ),
    check!(
        "k8s",
        "K8S-008",
        k8s::workloads::automount_token_without_need
    ),
    check!("k8s", "K8S-009", k8s::tokens::secret_data_in_export),
    check!(
        "k8s",
        "K8S-010",
        k8s::links::linked_cloud_identity_privileged
    ),
    check!("okta", "OKTA-001", okta::tokens::api_token_owner_inactive),
    check!(
        "okta",
        "OKTA-002",
        okta::tokens::api_token_without_network_restriction
    ),
    check!(
        "okta",
        "OKTA-003",
        okta::apps::service_app_okta_manage_scope
    ),
    check!("okta", "OKTA-004", okta::apps::oauth_client_admin_role),
    check!("okta", "OKTA-005", okta::secrets::client_secret_not_rotated),
    check!(
        "okta",
        "OKTA-006",
        okta::secrets::too_many_active_client_secrets
    ),
    check!(
        "okta",
        "OKTA-007",
        okta::secrets::client_secret_value_in_export
    ),
];

/// A check id with the registry's `'static` lifetime (`""` for an unknown id).
pub fn static_id(id: &str) -> &'static str {
    ALL.iter().find(|c| c.id == id).map(|c| c.id).unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::meta::{ALL_META, CheckMeta};
    use std::collections::BTreeSet;

    #[test]
    fn ids_are_sorted_unique_and_match_their_metadata() {
        let ids: Vec<&str> = ALL.iter().map(|c| c.id).collect();
        let mut sorted = ids.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(
            ids, sorted,
            "registry must be sorted by id without duplicates"
        );
        for (def, meta) in ALL.iter().zip(ALL_META.iter()) {
            assert_eq!(
                def.id, meta.id,
                "metadata file of {} names another id",
                def.id
            );
        }
        let names: BTreeSet<&str> = ALL_META.iter().map(|m| m.name.as_str()).collect();
        assert_eq!(names.len(), ALL_META.len(), "check names must be unique");
    }

    #[test]
    fn every_metadata_file_has_a_check_and_every_check_has_a_file() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("checks");
        let mut on_disk = BTreeSet::new();
        for provider in std::fs::read_dir(&dir).unwrap() {
            let provider = provider.unwrap().path();
            for file in std::fs::read_dir(&provider).unwrap() {
                let path = file.unwrap().path();
                if path.extension().is_some_and(|e| e == "toml") {
                    let text = std::fs::read_to_string(&path).unwrap();
                    let meta = CheckMeta::parse(&path.display().to_string(), &text).unwrap();
                    let stem = path.file_stem().unwrap().to_string_lossy().to_string();
                    assert_eq!(
                        stem,
                        meta.id,
                        "{} must be named after its id",
                        path.display()
                    );
                    assert_eq!(
                        provider.file_name().unwrap().to_string_lossy(),
                        meta.provider,
                        "{} is in the wrong provider directory",
                        path.display()
                    );
                    on_disk.insert(stem);
                }
            }
        }
        let registered: BTreeSet<String> = ALL.iter().map(|c| c.id.to_string()).collect();
        assert_eq!(
            on_disk, registered,
            "checks/ and the registry must list the same checks"
        );
    }
}
