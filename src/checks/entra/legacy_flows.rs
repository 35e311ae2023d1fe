//! Legacy OAuth flows left enabled on application registrations.

use super::customer_identities;
use crate::checks::{Ctx, Finding, Severity};
use crate::model::CredentialKind;

/// ENTRA-022 `implicit-grant-enabled`.
///
/// Detects an application that lets the OAuth implicit grant issue access tokens
/// (`web.implicitGrantSettings.enableAccessTokenIssuance`). Implicit-flow tokens
/// travel in URL fragments, land in browser history and logs, and cannot be bound
/// to the client; OAuth 2.0 Security BCP deprecates the flow (NHI4).
pub fn implicit_grant_enabled(ctx: &Ctx) -> Vec<Finding> {
    customer_identities(ctx)
        .filter(|(_, i)| i.settings.implicit_access_tokens)
        .map(|(idx, i)| {
            Finding::new(
                "ENTRA-022",
                Severity::Medium,
                idx,
                "implicit-grant",
                format!(
                    "{} allows the implicit grant to issue access tokens",
                    i.name
                ),
                i.source,
            )
            .with(
                "setting",
                "web.implicitGrantSettings.enableAccessTokenIssuance",
            )
        })
        .collect()
}

/// ENTRA-023 `public-client-fallback-enabled`.
///
/// Detects an application with `isFallbackPublicClient` on that also holds
/// secrets or certificates, i.e. a confidential client that still accepts public
/// client flows (resource owner password, device code) that need no client
/// credential. Those flows bypass the app's own authentication (NHI4).
pub fn public_client_fallback_enabled(ctx: &Ctx) -> Vec<Finding> {
    customer_identities(ctx)
        .filter(|(_, i)| i.settings.public_client_fallback)
        .filter_map(|(idx, i)| {
            let creds = ctx
                .inv
                .credentials_of(idx)
                .iter()
                .filter(|c| c.kind != CredentialKind::Federated)
                .count();
            (creds > 0).then(|| {
                Finding::new(
                    "ENTRA-023",
                    Severity::Medium,
                    idx,
                    "public-client-fallback",
                    format!(
                        "{} is a confidential client ({creds} credential(s)) that also allows public client flows",
                        i.name
                    ),
                    i.source,
                )
                .with("setting", "isFallbackPublicClient")
                .with("credentials", creds)
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testkit::*;
    use crate::model::Origin;

    #[test]
    fn implicit_grant_fires_only_when_enabled() {
        let mut k = Kit::new();
        let a = k.sp("spa", Origin::Home);
        k.identity(a).settings.implicit_access_tokens = true;
        k.sp("modern", Origin::Home);
        let inv = k.finish();
        assert_eq!(fired_on(implicit_grant_enabled, &inv), ["spa"]);
    }

    #[test]
    fn public_fallback_fires_only_on_confidential_clients() {
        let mut k = Kit::new();
        let a = k.sp("confidential", Origin::Home);
        k.identity(a).settings.public_client_fallback = true;
        k.cred(a, CredentialKind::Secret, days_ago(3), days_ahead(30));
        let b = k.sp("mobile", Origin::Home);
        k.identity(b).settings.public_client_fallback = true;
        let inv = k.finish();
        assert_eq!(
            fired_on(public_client_fallback_enabled, &inv),
            ["confidential"]
        );
    }
}
