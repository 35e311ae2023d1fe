//! Unused service accounts and keys (from Policy Intelligence activity exports).

use super::service_accounts;
use crate::checks::{Ctx, Finding, Severity};
use crate::model::CredentialKind;
use crate::time::{days_before, days_between};

/// GCP-013 `unused-service-account`.
///
/// Detects, when a serviceAccountLastAuthentication export is given for its
/// project, a service account whose last authentication is older than the unused
/// window (90 days) or that is absent from the export. Accounts of projects
/// without an activity export are not judged. Unused accounts keep their roles and keys with
/// nobody watching (NHI1).
pub fn unused_service_account(ctx: &Ctx) -> Vec<Finding> {
    let window = ctx.thresholds.unused_days;
    let cutoff = days_before(ctx.now, window);
    service_accounts(ctx)
        .filter(|(_, i)| ctx.inv.gcp.sa_activity_covers(i))
        .filter(|(_, i)| i.last_used.is_none_or(|t| t < cutoff))
        .map(|(idx, i)| {
            let message = match i.last_used {
                Some(t) => format!(
                    "{} last authenticated {} days ago",
                    i.name,
                    days_between(t, ctx.now)
                ),
                None => format!("{} has no recorded authentication", i.name),
            };
            Finding::new(
                "GCP-013",
                Severity::Medium,
                idx,
                "unused",
                message,
                i.source,
            )
            .with("last_authenticated", i.last_used)
            .with("unused_days", window)
        })
        .collect()
}

/// GCP-014 `unused-service-account-key`.
///
/// Detects, when a serviceAccountKeyLastAuthentication export is given for the
/// account's project, an enabled
/// user-managed key not used for authentication within the window, or never. Keys
/// younger than the window are spared. A key nobody uses should not exist (NHI1).
pub fn unused_service_account_key(ctx: &Ctx) -> Vec<Finding> {
    let window = ctx.thresholds.unused_days;
    let cutoff = days_before(ctx.now, window);
    let mut out = Vec::new();
    for (idx, i) in service_accounts(ctx).filter(|(_, i)| ctx.inv.gcp.key_activity_covers(i)) {
        for c in ctx
            .inv
            .credentials_of(idx)
            .iter()
            .filter(|c| c.kind == CredentialKind::AccessKey && c.active != Some(false))
        {
            // In use recently, or too new to have been used yet.
            if c.last_used.is_some_and(|t| t >= cutoff) || c.created.is_some_and(|t| t > cutoff) {
                continue;
            }
            out.push(
                Finding::new(
                    "GCP-014",
                    Severity::Medium,
                    idx,
                    c.key_id.clone().unwrap_or_default(),
                    format!(
                        "key {} of {} has not authenticated in {window} days",
                        c.key_id.as_deref().unwrap_or("?"),
                        i.name
                    ),
                    c.source,
                )
                .with("key_id", c.key_id.clone())
                .with("last_used", c.last_used),
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testkit::*;

    #[test]
    fn unused_accounts_fire_only_with_activity_data() {
        let mut k = Kit::new();
        let old = k.gcp_sa("old@p.iam.gserviceaccount.com");
        k.identity(old).last_used = Some(days_ago(200));
        let absent = k.gcp_sa("absent@p.iam.gserviceaccount.com");
        let _ = absent;
        let busy = k.gcp_sa("busy@p.iam.gserviceaccount.com");
        k.identity(busy).last_used = Some(days_ago(1));
        k.inventory_mut().gcp.sa_activity_known = true;
        let inv = k.finish();
        assert_eq!(
            fired_on(unused_service_account, &inv),
            [
                "absent@p.iam.gserviceaccount.com",
                "old@p.iam.gserviceaccount.com"
            ]
        );

        let mut k = Kit::new();
        k.gcp_sa("unknown@p.iam.gserviceaccount.com");
        assert!(run(unused_service_account, &k.finish()).is_empty());
    }

    #[test]
    fn unused_keys_fire_only_with_key_activity_data() {
        let mut k = Kit::new();
        let a = k.gcp_sa("a@p.iam.gserviceaccount.com");
        k.cred(a, CredentialKind::AccessKey, days_ago(300), days_ahead(100))
            .last_used = Some(days_ago(200));
        let b = k.gcp_sa("b@p.iam.gserviceaccount.com");
        k.cred(b, CredentialKind::AccessKey, days_ago(300), days_ahead(100))
            .last_used = Some(days_ago(2));
        k.inventory_mut().gcp.key_activity_known = true;
        let inv = k.finish();
        assert_eq!(
            fired_on(unused_service_account_key, &inv),
            ["a@p.iam.gserviceaccount.com"]
        );
    }

    #[test]
    fn only_accounts_of_projects_with_an_activity_export_are_judged() {
        let mut k = Kit::new();
        // The project comes from the e-mail when the export does not give it.
        for email in [
            "covered@p.iam.gserviceaccount.com",
            "elsewhere@q.iam.gserviceaccount.com",
            "p@appspot.gserviceaccount.com",
        ] {
            let sa = k.gcp_sa(email);
            k.identity(sa).publisher_tenant = None;
        }
        // The exported project id wins over the e-mail.
        let moved = k.gcp_sa("moved@q.iam.gserviceaccount.com");
        k.identity(moved).publisher_tenant = Some("p".into());
        let gcp = &mut k.inventory_mut().gcp;
        gcp.sa_activity_known = true;
        gcp.sa_activity_projects.insert("p".into());
        let inv = k.finish();
        assert_eq!(
            fired_on(unused_service_account, &inv),
            [
                "covered@p.iam.gserviceaccount.com",
                "moved@q.iam.gserviceaccount.com",
                "p@appspot.gserviceaccount.com"
            ]
        );
    }
}
