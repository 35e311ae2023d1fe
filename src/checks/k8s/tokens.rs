//! Service account token Secrets, and Secret values inside the export.

use crate::checks::{Ctx, Finding, Severity};

/// K8S-005 `legacy-service-account-token`.
///
/// Detects a Secret of type `kubernetes.io/service-account-token`: a token that
/// never expires, readable by anyone who can read Secrets in its namespace, unlike
/// the short-lived projected tokens pods get today (NHI7). The
/// `kubernetes.io/legacy-token-last-used` label, when present, is in the evidence.
pub fn legacy_service_account_token(ctx: &Ctx) -> Vec<Finding> {
    if !ctx.is_first_shard() {
        return Vec::new();
    }
    ctx.inv
        .k8s
        .secrets
        .iter()
        .filter(|s| s.secret_type == "kubernetes.io/service-account-token")
        .filter(|s| {
            s.service_account
                .is_none_or(|i| !ctx.inv.identities[i].is_first_party())
        })
        .map(|s| {
            let target = format!("Secret {}/{}", s.namespace, s.name);
            let message = format!("{target} holds a long-lived service account token");
            let f = match s.service_account {
                Some(idx) => Finding::new(
                    "K8S-005",
                    Severity::Medium,
                    idx,
                    target.clone(),
                    message,
                    s.source,
                ),
                None => Finding::about(
                    "K8S-005",
                    Severity::Medium,
                    target.clone(),
                    target.clone(),
                    message,
                    s.source,
                ),
            };
            f.with("secret", target)
                .with("last_used", s.last_used.clone())
        })
        .collect()
}

/// K8S-009 `secret-data-in-export`.
///
/// Detects Secret values in the export itself: `data`, `stringData`, or a
/// last-applied-configuration annotation carrying them. The export file is now a
/// credential store (NHI2). nhiscan reports which Secret and where, never a value.
pub fn secret_data_in_export(ctx: &Ctx) -> Vec<Finding> {
    if !ctx.is_first_shard() {
        return Vec::new();
    }
    ctx.inv
        .k8s
        .secrets
        .iter()
        .filter(|s| !s.values_exported.is_empty())
        .map(|s| {
            let target = format!("Secret {}/{}", s.namespace, s.name);
            Finding::about(
                "K8S-009",
                Severity::High,
                target.clone(),
                "values",
                format!(
                    "the export holds the values of {target} ({}); values redacted",
                    s.values_exported.join(", ")
                ),
                s.source,
            )
            .with(
                "found_in",
                s.values_exported
                    .iter()
                    .map(|v| v.to_string())
                    .collect::<Vec<_>>(),
            )
            .with("value", "[redacted]")
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testkit::*;

    #[test]
    fn legacy_token_secrets_fire_other_secrets_do_not() {
        let mut k = Kit::new();
        let bot = k.k8s_sa("ns/bot");
        k.k8s_secret(
            "bot-token",
            "kubernetes.io/service-account-token",
            Some(bot),
            &[],
        );
        k.k8s_secret("tls", "kubernetes.io/tls", None, &[]);
        let inv = k.finish();
        assert_eq!(fired_on(legacy_service_account_token, &inv), ["ns/bot"]);
    }

    #[test]
    fn exported_values_fire_and_empty_secrets_do_not() {
        let mut k = Kit::new();
        k.k8s_secret("api", "Opaque", None, &["stringData"]);
        k.k8s_secret("empty", "Opaque", None, &[]);
        let inv = k.finish();
        let found = run(secret_data_in_export, &inv);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].target.as_deref(), Some("Secret ns/api"));
        assert_eq!(found[0].evidence.value("value"), "[redacted]");
    }
}
