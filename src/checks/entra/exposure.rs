//! Secret values present in the export files themselves.

use crate::checks::{Ctx, Finding, Severity};

/// ENTRA-024 `secret-value-in-export`.
///
/// Detects an export file that itself contains a secret: a client secret value
/// (`secretText`, returned only when a secret is created) or a private key. The
/// export has become a credential: wherever it was copied (tickets, shares, CI
/// artifacts), the secret went too (NHI2). nhiscan reports where, never what:
/// the value is not kept, printed or written to any report.
pub fn secret_value_in_export(ctx: &Ctx) -> Vec<Finding> {
    if !ctx.is_first_shard() {
        return Vec::new();
    }
    ctx.inv
        .exposures
        .iter()
        .filter(|e| e.provider == crate::model::Provider::Entra)
        .map(|e| {
            let subject = format!("{}|{}", e.what, e.key_id.as_deref().unwrap_or(""));
            let path = ctx.inv.path_of(e.source.file);
            let message = format!(
                "{path} line {} contains a {} (value redacted); rotate it and delete the file",
                e.source.line, e.what
            );
            let f = match e.identity {
                Some(idx) => Finding::new(
                    "ENTRA-024",
                    Severity::Critical,
                    idx,
                    subject,
                    message,
                    e.source,
                ),
                None => {
                    Finding::unattached("ENTRA-024", Severity::Critical, subject, message, e.source)
                }
            };
            f.with("found", e.what)
                .with("key_id", e.key_id.clone())
                .with("value", "[redacted]")
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testkit::*;
    use crate::model::Origin;

    #[test]
    fn exposures_fire_and_an_inventory_without_them_is_clean() {
        let mut k = Kit::new();
        let a = k.sp("leaky", Origin::Home);
        k.exposure(Some(a));
        k.exposure(None);
        let inv = k.finish();
        assert_eq!(
            fired_on(secret_value_in_export, &inv),
            ["(unattached)", "leaky"]
        );

        let mut clean = Kit::new();
        clean.sp("tidy", Origin::Home);
        assert!(run(secret_value_in_export, &clean.finish()).is_empty());
    }
}
