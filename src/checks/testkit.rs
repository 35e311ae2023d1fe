//! Small builders for check unit tests: an inventory in a few lines, a fixed clock.

use jiff::Timestamp;

use super::{Ctx, Finding, Thresholds};
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
            permission: permission.to_string(),
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
            federation: Some(Federation {
                issuer: issuer.to_string(),
                subject: Some(subject.to_string()),
                expression: None,
                audiences: vec![audience.to_string()],
            }),
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

    pub fn finish(self) -> Inventory {
        self.b.finish()
    }
}

/// Runs one check at [`NOW`] with default thresholds.
pub fn run(check: fn(&Ctx) -> Vec<Finding>, inv: &Inventory) -> Vec<Finding> {
    check(&Ctx::whole(inv, ts(NOW), Thresholds::default()))
}

/// The names of the identities a check fired on, sorted.
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
