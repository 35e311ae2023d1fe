//! Okta API (SSWS) tokens.

use crate::checks::{Ctx, Finding, Severity};
use crate::model::okta::{OktaToken, user_is_active};

/// The tokens of this shard that still work at `ctx.now` (an expired token is
/// dead: Okta rejects it).
fn live_tokens<'a>(ctx: &'a Ctx) -> impl Iterator<Item = &'a OktaToken> {
    ctx.inv
        .okta
        .tokens
        .iter()
        .filter(|t| ctx.shard.contains(&t.identity))
        .filter(|t| t.expires.is_none_or(|e| e > ctx.now))
}

fn token_finding(
    ctx: &Ctx,
    id: &'static str,
    severity: Severity,
    t: &OktaToken,
    subject: String,
    message: String,
) -> Finding {
    let identity = &ctx.inv.identities[t.identity];
    Finding::new(id, severity, t.identity, subject, message, identity.source)
        .with("token_id", &identity.id)
        .with("owner_id", t.owner.as_ref().map(|o| o.user_id.clone()))
        .with(
            "owner_login",
            t.owner.as_ref().and_then(|o| o.login.clone()),
        )
        .with("token_window", t.token_window.clone())
        .with("created", identity.created)
        .with("expires", t.expires)
}

/// OKTA-001 `api-token-owner-inactive`.
///
/// Detects a live API token whose owner, the admin who created it, is no longer
/// an active user (`DEPROVISIONED`, `SUSPENDED`, `STAGED`, ...) according to the
/// users export. An SSWS token acts with its creator's admin privileges and is
/// the creator's responsibility; once that person is gone nobody answers for the
/// integration, and the token is a leftover of improper offboarding (NHI1).
/// Without a users export, or for an owner the export lacks, nothing is guessed.
pub fn api_token_owner_inactive(ctx: &Ctx) -> Vec<Finding> {
    if !ctx.inv.okta.users_known {
        return Vec::new();
    }
    live_tokens(ctx)
        .filter_map(|t| {
            let owner = t.owner.as_ref()?;
            let status = owner.status.as_deref()?;
            if user_is_active(status) {
                return None;
            }
            let name = &ctx.inv.identities[t.identity].name;
            let who = owner.login.as_deref().unwrap_or(&owner.user_id);
            Some(
                token_finding(
                    ctx,
                    "OKTA-001",
                    Severity::High,
                    t,
                    owner.user_id.clone(),
                    format!("API token {name} belongs to {who}, whose Okta account is {status}"),
                )
                .with("owner_status", status),
            )
        })
        .collect()
}

/// OKTA-002 `api-token-without-network-restriction`.
///
/// Detects a live API token with no network condition (`network` absent) or one
/// that allows every network (`connection: ANYWHERE`). An SSWS token is a bearer
/// secret with its admin's privileges; without a network zone, a copy leaked from
/// a script, a CI variable or a log works from any address on the internet
/// (NHI2, NHI7).
pub fn api_token_without_network_restriction(ctx: &Ctx) -> Vec<Finding> {
    live_tokens(ctx)
        .filter_map(|t| {
            let network = match &t.network {
                None => "absent".to_string(),
                Some(n) if n.connection.eq_ignore_ascii_case("ANYWHERE") => n.connection.clone(),
                Some(_) => return None,
            };
            let name = &ctx.inv.identities[t.identity].name;
            Some(
                token_finding(
                    ctx,
                    "OKTA-002",
                    Severity::Medium,
                    t,
                    "network".into(),
                    format!("API token {name} can be used from any network (network: {network})"),
                )
                .with("network", network),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testkit::*;
    use crate::model::okta::Network;

    fn zone() -> Option<Network> {
        Some(Network {
            connection: "ZONE".into(),
            include: vec!["nzo1".into()],
            exclude: vec![],
        })
    }

    #[test]
    fn token_of_a_deprovisioned_owner_fires_active_owner_does_not() {
        let mut k = Kit::new();
        k.okta_users_known();
        k.okta_token("orphaned", Some("DEPROVISIONED"), zone(), days_ahead(20));
        k.okta_token("suspended", Some("SUSPENDED"), zone(), days_ahead(20));
        k.okta_token("healthy", Some("ACTIVE"), zone(), days_ahead(20));
        k.okta_token("unknown-owner", None, zone(), days_ahead(20));
        k.okta_token("expired", Some("DEPROVISIONED"), zone(), days_ago(1));
        let inv = k.finish();
        assert_eq!(
            fired_on(api_token_owner_inactive, &inv),
            ["orphaned", "suspended"]
        );
    }

    #[test]
    fn owner_status_is_not_guessed_without_a_users_export() {
        let mut k = Kit::new();
        k.okta_token("orphaned", Some("DEPROVISIONED"), zone(), days_ahead(20));
        let inv = k.finish();
        assert!(run(api_token_owner_inactive, &inv).is_empty());
    }

    #[test]
    fn token_usable_anywhere_fires_zone_restricted_twin_does_not() {
        let mut k = Kit::new();
        k.okta_token("no-network", Some("ACTIVE"), None, days_ahead(20));
        k.okta_token(
            "anywhere",
            Some("ACTIVE"),
            Some(Network {
                connection: "ANYWHERE".into(),
                include: vec![],
                exclude: vec![],
            }),
            days_ahead(20),
        );
        k.okta_token("zoned", Some("ACTIVE"), zone(), days_ahead(20));
        k.okta_token("expired", Some("ACTIVE"), None, days_ago(3));
        let inv = k.finish();
        assert_eq!(
            fired_on(api_token_without_network_restriction, &inv),
            ["anywhere", "no-network"]
        );
        let f = &run(api_token_without_network_restriction, &inv)[0];
        assert!(f.evidence.get("network").is_some());
    }
}
