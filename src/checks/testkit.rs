//! Small builders for check unit tests: an inventory in a few lines, a fixed clock.

use jiff::Timestamp;

use super::{Ctx, Finding, Severity, Thresholds};
use crate::model::*;

/// The clock every unit test uses.
pub const NOW: &str = "2026-11-01T00:00:00Z";

pub fn ts(s: &str) -> Timestamp {
    crate::time::parse_timestamp(s).expect("test timestamp")
}

pub fn days_ago(days: i64) -> Timestamp {
    crate::time::days_before(ts(NOW), days)
}

pub fn days_ahead(days: i64) -> Timestamp {
    crate::time::days_before(ts(NOW), -days)
}

#[derive(Default)]
pub struct Kit {
    b: InventoryBuilder,
    line: u32,
    aws: Vec<crate::model::aws::AwsPrincipal>,
}

impl Kit {
    pub fn new() -> Kit {
        Kit::default()
    }

    fn next(&mut self) -> Provenance {
        self.line += 1;
        Provenance {
            file: 0,
            line: self.line,
        }
    }

    /// A service principal of the given origin.
    pub fn sp(&mut self, name: &str, origin: Origin) -> usize {
        let source = self.next();
        self.b.add_identity(Identity {
            provider: Provider::Entra,
            kind: IdentityKind::ServicePrincipal,
            id: format!("sp-{name}"),
            key: format!("app-{name}"),
            name: name.to_string(),
            app_id: Some(format!("app-{name}")),
            app_object_id: Some(format!("obj-{name}")),
            publisher_tenant: None,
            origin,
            verified_publisher: None,
            enabled: Some(true),
            created: Some(ts("2024-01-01T00:00:00Z")),
            last_used: None,
            activity_known: false,
            owners: None,
            settings: AuthSettings::default(),
            human_login: None,
            source,
        })
    }

    pub fn identity(&mut self, idx: usize) -> &mut Identity {
        &mut self.b.inventory.identities[idx]
    }

    pub fn grant(
        &mut self,
        idx: usize,
        kind: GrantKind,
        permission: &str,
        tier: Tier,
    ) -> &mut Grant {
        let source = self.next();
        self.b.inventory.grants.push(Grant {
            identity: idx,
            kind,
            resource: "Microsoft Graph".into(),
            resource_app_id: Some(crate::reference::entra::MICROSOFT_GRAPH.into()),
            permission: permission.into(),
            permission_id: None,
            tier,
            consent: None,
            scope: None,
            resolution_note: None,
            source,
        });
        self.b.inventory.grants.last_mut().expect("just pushed")
    }

    pub fn cred(
        &mut self,
        idx: usize,
        kind: CredentialKind,
        created: Timestamp,
        expires: Timestamp,
    ) -> &mut Credential {
        let source = self.next();
        let n = self.b.inventory.credentials.len();
        self.b.inventory.credentials.push(Credential {
            identity: idx,
            kind,
            host: CredentialHost::Application,
            key_id: Some(format!("key-{n}")),
            name: Some(format!("credential {n}")),
            usage: (kind == CredentialKind::Certificate).then(|| "Verify".to_string()),
            created: Some(created),
            expires: Some(expires),
            last_used: None,
            federation: None,
            active: None,
            source,
        });
        self.b
            .inventory
            .credentials
            .last_mut()
            .expect("just pushed")
    }

    pub fn fic(
        &mut self,
        idx: usize,
        issuer: &str,
        subject: &str,
        audience: &str,
    ) -> &mut Credential {
        let source = self.next();
        self.b.inventory.credentials.push(Credential {
            identity: idx,
            kind: CredentialKind::Federated,
            host: CredentialHost::Application,
            key_id: Some(format!("fic-{subject}")),
            name: Some("fic".into()),
            usage: None,
            created: None,
            expires: None,
            last_used: None,
            federation: Some(Box::new(Federation {
                issuer: issuer.to_string(),
                subject: Some(subject.to_string()),
                expression: None,
                audiences: vec![audience.to_string()],
            })),
            active: None,
            source,
        });
        self.b
            .inventory
            .credentials
            .last_mut()
            .expect("just pushed")
    }

    pub fn user(&mut self, id: &str, enabled: bool, guest: bool) {
        self.b.inventory.users.push(User {
            id: id.to_string(),
            name: Some(format!("{id}@contoso.com")),
            enabled: Some(enabled),
            guest,
        });
        self.b.inventory.users_known = true;
    }

    pub fn exposure(&mut self, identity: Option<usize>) {
        let source = self.next();
        self.b.inventory.exposures.push(SecretExposure {
            provider: Provider::Entra,
            identity,
            what: "client secret value (secretText) in passwordCredential",
            key_id: Some("k".into()),
            source,
        });
    }

    pub fn activity_known(&mut self) {
        self.b.inventory.activity_known = true;
        for i in &mut self.b.inventory.identities {
            i.activity_known = true;
        }
    }

    /// An AWS user or role in account 111122223333 with the given policy documents
    /// (JSON values), optional trust policy and role last use.
    pub fn aws(
        &mut self,
        kind: IdentityKind,
        name: &str,
        policies: &[serde_json::Value],
        trust: Option<serde_json::Value>,
    ) -> usize {
        use crate::policy::aws::{Effective, Source, parse_document};
        use crate::policy::aws_privesc;
        let source = self.next();
        let kind_path = if kind == IdentityKind::IamRole {
            "role"
        } else {
            "user"
        };
        let arn = format!("arn:aws:iam::111122223333:{kind_path}/{name}");
        let idx = self.b.add_identity(Identity {
            provider: Provider::Aws,
            kind,
            id: arn.clone(),
            key: arn.clone(),
            name: name.to_string(),
            app_id: None,
            app_object_id: None,
            publisher_tenant: Some("111122223333".into()),
            origin: Origin::Home,
            verified_publisher: None,
            enabled: None,
            created: Some(ts("2024-01-01T00:00:00Z")),
            last_used: None,
            activity_known: false,
            owners: None,
            settings: AuthSettings::default(),
            human_login: None,
            source,
        });
        let mut effective = Effective::default();
        let mut masks = Vec::new();
        for (i, p) in policies.iter().enumerate() {
            let doc = parse_document(p).expect("test policy");
            masks.push(aws_privesc::masks(&doc));
            effective.add(
                &doc,
                Source {
                    policy: format!("policy-{i}"),
                    arn: None,
                    group: None,
                },
            );
        }
        self.aws.push(
            crate::model::aws::AwsPrincipal {
                identity: idx,
                account: "111122223333".into(),
                arn,
                path: "/".into(),
                privesc_allowed: aws_privesc::allowed(&masks, None),
                effective,
                direct_policies: (0..policies.len()).map(|i| format!("policy-{i}")).collect(),
                trust: trust.map(|t| parse_document(&t).expect("test trust policy")),
                role_last_used: None,
                service_linked: false,
                full_admin: None,
                sensitive_services: Vec::new(),
            }
            .evaluate(),
        );
        idx
    }

    /// The AWS principal of an identity added with [`Kit::aws`].
    pub fn aws_principal(&mut self, idx: usize) -> &mut crate::model::aws::AwsPrincipal {
        self.aws
            .iter_mut()
            .find(|p| p.identity == idx)
            .expect("an AWS principal")
    }

    /// An access key on an AWS identity.
    pub fn access_key(
        &mut self,
        idx: usize,
        active: bool,
        created: Timestamp,
        last_used: Option<Timestamp>,
    ) {
        let source = self.next();
        let n = self.b.inventory.credentials.len();
        self.b.inventory.credentials.push(Credential {
            identity: idx,
            kind: CredentialKind::AccessKey,
            host: CredentialHost::Identity,
            key_id: Some(format!("AKIA{n:016}")),
            name: Some(format!("access_key_{}", n % 2 + 1)),
            usage: None,
            created: Some(created),
            expires: None,
            last_used,
            federation: None,
            active: Some(active),
            source,
        });
    }

    /// A GCP service account (email) in project contoso-prod.
    pub fn gcp_sa(&mut self, email: &str) -> usize {
        let source = self.next();
        let idx = self.b.add_identity(Identity {
            provider: Provider::Gcp,
            kind: IdentityKind::ServiceAccount,
            id: email.to_string(),
            key: email.to_string(),
            name: email.to_string(),
            app_id: None,
            app_object_id: None,
            publisher_tenant: Some("contoso-prod".into()),
            origin: if crate::import::gcp::is_service_agent(email) {
                Origin::FirstParty
            } else {
                Origin::Home
            },
            verified_publisher: None,
            enabled: Some(true),
            created: None,
            last_used: None,
            activity_known: false,
            owners: None,
            settings: AuthSettings::default(),
            human_login: None,
            source,
        });
        self.b.inventory.gcp.by_email.insert(email.to_string(), idx);
        idx
    }

    /// A GCP IAM binding on a resource (`projects/p`, `projects/p/serviceAccounts/e`, …).
    pub fn gcp_binding(&mut self, resource: &str, role: &str, members: &[&str]) {
        use crate::model::gcp::{GcpBinding, ResourceKind};
        let source = self.next();
        let sa = resource
            .split("/serviceAccounts/")
            .nth(1)
            .map(str::to_string);
        let kind = if sa.is_some() {
            ResourceKind::ServiceAccount
        } else if resource.starts_with("organizations/") {
            ResourceKind::Organization
        } else {
            ResourceKind::Project
        };
        self.b.inventory.gcp.bindings.push(GcpBinding {
            resource: resource.to_string(),
            kind,
            service_account: sa,
            role: role.to_string(),
            members: members.iter().map(|m| m.to_string()).collect(),
            condition: None,
            source,
        });
    }

    /// A Kubernetes service account `ns/name`.
    pub fn k8s_sa(&mut self, id: &str) -> usize {
        let source = self.next();
        let idx = self.b.add_identity(Identity {
            provider: Provider::K8s,
            kind: IdentityKind::K8sServiceAccount,
            id: id.to_string(),
            key: id.to_string(),
            name: id.to_string(),
            app_id: None,
            app_object_id: None,
            publisher_tenant: None,
            origin: if id.starts_with("kube-system/") {
                Origin::FirstParty
            } else {
                Origin::Home
            },
            verified_publisher: None,
            enabled: None,
            created: None,
            last_used: None,
            activity_known: false,
            owners: None,
            settings: AuthSettings::default(),
            human_login: None,
            source,
        });
        self.b.inventory.k8s.automount.insert(idx, None);
        idx
    }

    /// An RBAC grant of `role` with `rules` ((verbs, resources) pairs) to a service account.
    pub fn k8s_grant(
        &mut self,
        idx: usize,
        role: &str,
        rules: &[(&[&str], &[&str])],
        cluster_wide: bool,
    ) {
        use crate::model::k8s::{Rule, SaGrant};
        let source = self.next();
        self.b.inventory.k8s.grants.push(SaGrant {
            identity: idx,
            binding: format!("binding-{}", source.line),
            binding_kind: if cluster_wide {
                "ClusterRoleBinding"
            } else {
                "RoleBinding"
            },
            role: role.to_string(),
            role_kind: "ClusterRole".into(),
            cluster_wide,
            namespace: (!cluster_wide).then(|| "ns".to_string()),
            via_group: None,
            rules: rules
                .iter()
                .map(|(verbs, resources)| Rule {
                    api_groups: vec![String::new()],
                    verbs: verbs.iter().map(|s| s.to_string()).collect(),
                    resources: resources.iter().map(|s| s.to_string()).collect(),
                })
                .collect(),
            source,
        });
    }

    /// A workload running as a service account.
    pub fn k8s_workload(&mut self, idx: usize, kind: &str, name: &str, app: Option<&str>) {
        let source = self.next();
        self.b
            .inventory
            .k8s
            .workloads
            .push(crate::model::k8s::Workload {
                identity: idx,
                kind: kind.to_string(),
                namespace: "ns".into(),
                name: name.to_string(),
                app: app.map(str::to_string),
                source,
            });
    }

    /// A Secret (values never kept; `values` names where values were exported).
    pub fn k8s_secret(
        &mut self,
        name: &str,
        secret_type: &str,
        sa: Option<usize>,
        values: &[&'static str],
    ) {
        let source = self.next();
        self.b
            .inventory
            .k8s
            .secrets
            .push(crate::model::k8s::SecretInfo {
                namespace: "ns".into(),
                name: name.to_string(),
                secret_type: secret_type.to_string(),
                service_account: sa,
                last_used: None,
                values_exported: values.to_vec(),
                source,
            });
    }

    fn plain_identity(&mut self, provider: Provider, kind: IdentityKind, name: &str) -> usize {
        let source = self.next();
        self.b.add_identity(Identity {
            provider,
            kind,
            id: name.to_string(),
            key: name.to_string(),
            name: name.to_string(),
            app_id: None,
            app_object_id: None,
            publisher_tenant: None,
            origin: Origin::Home,
            verified_publisher: None,
            enabled: None,
            created: None,
            last_used: None,
            activity_known: false,
            owners: None,
            settings: AuthSettings::default(),
            human_login: None,
            source,
        })
    }

    /// An Okta OAuth client app of `application_type` with `grant_types`.
    pub fn okta_app(&mut self, name: &str, application_type: &str, grant_types: &[&str]) -> usize {
        let idx = self.plain_identity(Provider::Okta, IdentityKind::OktaApp, name);
        self.b.inventory.okta.apps.insert(
            idx,
            crate::model::okta::OktaApp {
                application_type: Some(application_type.to_string()),
                grant_types: grant_types.iter().map(|g| g.to_string()).collect(),
                token_endpoint_auth_method: None,
                sign_on_mode: Some("OPENID_CONNECT".into()),
                status: Some("ACTIVE".into()),
                exported: true,
            },
        );
        idx
    }

    /// A management scope (`ApplicationPermission`) or admin role (`DirectoryRole`)
    /// of an Okta app, tiered as the importer tiers it.
    pub fn okta_grant(&mut self, idx: usize, kind: GrantKind, permission: &str) {
        let tier = match kind {
            GrantKind::DirectoryRole => crate::model::okta::role_tier(permission),
            _ => crate::model::okta::scope_tier(permission),
        };
        let g = self.grant(idx, kind, permission, tier);
        g.resource = "https://acme.okta.com".into();
        g.resource_app_id = None;
    }

    /// A client secret of an Okta app.
    pub fn okta_secret(&mut self, idx: usize, created: Timestamp, active: bool) {
        let source = self.next();
        let n = self.b.inventory.credentials.len();
        self.b.inventory.credentials.push(Credential {
            identity: idx,
            kind: CredentialKind::Secret,
            host: CredentialHost::Identity,
            key_id: Some(format!("ocs{n}")),
            name: Some("client secret".into()),
            usage: None,
            created: Some(created),
            expires: None,
            last_used: None,
            federation: None,
            active: Some(active),
            source,
        });
    }

    /// Marks a users export as given (Okta token owners can be judged).
    pub fn okta_users_known(&mut self) {
        self.b.inventory.okta.users_known = true;
    }

    /// An Okta API token owned by a user of `status` (`None`: not in the users export).
    pub fn okta_token(
        &mut self,
        name: &str,
        status: Option<&str>,
        network: Option<crate::model::okta::Network>,
        expires: Timestamp,
    ) -> usize {
        let idx = self.plain_identity(Provider::Okta, IdentityKind::OktaApiToken, name);
        self.b
            .inventory
            .okta
            .tokens
            .push(crate::model::okta::OktaToken {
                identity: idx,
                owner: Some(crate::model::okta::TokenOwner {
                    user_id: format!("00u-{name}"),
                    login: Some(format!("{name}@acme.example")),
                    status: status.map(str::to_string),
                }),
                network,
                token_window: Some("P30D".into()),
                client_name: Some("Okta API".into()),
                expires: Some(expires),
            });
        idx
    }

    /// A GitHub App installation with `selection` and (permission, level) pairs.
    pub fn gh_installation(
        &mut self,
        name: &str,
        selection: &str,
        permissions: &[(&str, &str)],
    ) -> usize {
        let idx = self.plain_identity(Provider::Github, IdentityKind::GithubAppInstallation, name);
        self.b.inventory.github.installations.insert(
            idx,
            crate::model::github::Installation {
                app_slug: Some(name.to_string()),
                account: Some("acme".into()),
                target_type: Some("Organization".into()),
                repository_selection: Some(selection.to_string()),
                permissions: permissions
                    .iter()
                    .map(|(p, l)| (p.to_string(), l.to_string()))
                    .collect(),
                ..Default::default()
            },
        );
        idx
    }

    /// A deploy key created at `created`, with `last_used` (`None`: not in the export).
    pub fn gh_deploy_key(
        &mut self,
        name: &str,
        read_only: bool,
        created: Timestamp,
        last_used: Option<Option<Timestamp>>,
    ) -> usize {
        let idx = self.plain_identity(Provider::Github, IdentityKind::GithubDeployKey, name);
        let source = self.next();
        self.b.inventory.credentials.push(Credential {
            identity: idx,
            kind: CredentialKind::SshKey,
            host: CredentialHost::Identity,
            key_id: Some(format!("{}", source.line)),
            name: Some(name.to_string()),
            usage: None,
            created: Some(created),
            expires: None,
            last_used: last_used.flatten(),
            federation: None,
            active: None,
            source,
        });
        self.b.inventory.github.deploy_keys.insert(
            idx,
            crate::model::github::DeployKey {
                repository: "acme/web".into(),
                read_only: Some(read_only),
                last_used_known: last_used.is_some(),
            },
        );
        idx
    }

    /// A fine-grained token's grant or request; `expires`: `None` for no expiry.
    pub fn gh_pat(
        &mut self,
        name: &str,
        status: crate::model::github::PatStatus,
        expires: Option<Timestamp>,
        token_expired: bool,
    ) -> usize {
        let idx = self.plain_identity(Provider::Github, IdentityKind::GithubFineGrainedPat, name);
        self.b.inventory.github.pats.insert(
            idx,
            crate::model::github::Pat {
                status,
                organization: Some("acme".into()),
                owner: Some("octocat".into()),
                token_id: Some(format!("{idx}")),
                token_name: Some(name.to_string()),
                token_expired: Some(token_expired),
                expiry_known: true,
                expires,
                repository_selection: Some("subset".into()),
                reason: None,
            },
        );
        idx
    }

    pub fn inventory_mut(&mut self) -> &mut Inventory {
        &mut self.b.inventory
    }

    pub fn finish(mut self) -> Inventory {
        let principals = std::mem::take(&mut self.aws);
        self.b.inventory.aws =
            crate::model::aws::AwsData::new(principals, vec!["111122223333".into()]);
        self.b.finish()
    }
}

/// Runs one check at [`NOW`] with default thresholds.
pub fn run(check: fn(&Ctx) -> Vec<Finding>, inv: &Inventory) -> Vec<Finding> {
    check(&Ctx::whole(inv, ts(NOW), Thresholds::default()))
}

/// The names of the identities a check fired on, sorted.
/// The identity name and severity of each finding of `check`, in the check's order.
pub fn fired_with_severity(
    check: fn(&Ctx) -> Vec<Finding>,
    inv: &Inventory,
) -> Vec<(&str, Severity)> {
    run(check, inv)
        .iter()
        .map(|f| {
            let name = f
                .identity
                .map_or("(unattached)", |i| inv.identities[i].name.as_str());
            (name, f.severity)
        })
        .collect()
}

pub fn fired_on(check: fn(&Ctx) -> Vec<Finding>, inv: &Inventory) -> Vec<String> {
    let mut names: Vec<String> = run(check, inv)
        .iter()
        .map(|f| {
            f.identity
                .map(|i| inv.identities[i].name.clone())
                .unwrap_or_else(|| "(unattached)".into())
        })
        .collect();
    names.sort();
    names
}

/// A directory of the repository (`testdata/...`) loaded and scanned at [`NOW`],
/// kept together so that its report can borrow from it.
pub struct Demo {
    pub loaded: crate::import::Loaded,
    pub findings: Vec<crate::checks::Settled>,
}

/// `dir`, relative to the repository root, scanned at [`NOW`].
pub fn scan(dir: &str) -> Demo {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    let loaded = crate::import::load(&[dir], &crate::import::LoadOptions::default());
    let findings = crate::engine::run(&loaded.inventory, ts(NOW), Thresholds::default());
    Demo { loaded, findings }
}

/// The demo tenant (testdata/entra/contoso) scanned at [`NOW`], for renderer tests
/// that need a real report: `demo().report()`.
pub fn demo() -> Demo {
    scan("testdata/entra/contoso")
}

impl Demo {
    /// The risk report of the scan.
    pub fn report(&self) -> crate::report::Report<'_> {
        crate::report::Report::build(
            &self.loaded.inventory,
            &self.findings,
            &[],
            ts(NOW),
            Thresholds::default(),
        )
    }
}
