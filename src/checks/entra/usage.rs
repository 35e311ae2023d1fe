//! Use: identities that hold access but are not used.

use super::{customer_identities, if_privileged};
use crate::checks::{Ctx, Finding, Severity};
use crate::model::IdentityKind;
use crate::time::{days_before, days_between};

/// ENTRA-021 `unused-with-access`.
///
/// Detects a service principal that holds credentials or grants but has not
/// signed in within the unused window (90 days by default), or never appears in a
/// sign-in activity report that was given. Unused access is pure risk: it can be
/// abused without disturbing anyone, and it is the first thing to remove (NHI1).
/// Medium; high with Tier-0/Tier-1 grants. Silent without a sign-in report, and
/// for identities created within the window.
pub fn unused_with_access(ctx: &Ctx) -> Vec<Finding> {
    let window = ctx.thresholds.unused_days;
    let cutoff = days_before(ctx.now, window);
    let mut out = Vec::new();
    for (idx, identity) in customer_identities(ctx) {
        if !identity.activity_known || identity.kind == IdentityKind::Application {
            continue;
        }
        if identity.created.is_some_and(|c| c > cutoff) {
            continue;
        }
        let creds = ctx
            .inv
            .credentials_of(idx)
            .iter()
            .filter(|c| c.federation.is_some() || c.is_valid_at(ctx.now))
            .count();
        let grants = ctx.inv.grants_of(idx).len();
        if creds == 0 && grants == 0 {
            continue;
        }
        let message = match identity.last_used {
            Some(last) if last >= cutoff => continue,
            Some(last) => format!(
                "{} last signed in {} days ago and still holds {creds} credential(s) and {grants} grant(s)",
                identity.name,
                days_between(last, ctx.now)
            ),
            None => format!(
                "{} has no recorded sign-in and still holds {creds} credential(s) and {grants} grant(s)",
                identity.name
            ),
        };
        let tier = ctx.inv.highest_tier(idx);
        out.push(
            Finding::new(
                "ENTRA-021",
                if_privileged(Severity::Medium, Severity::High, tier),
                idx,
                "unused",
                message,
                identity.source,
            )
            .with("last_sign_in", identity.last_used)
            .with("unused_days", window)
            .with("credentials", creds)
            .with("grants", grants)
            .with("highest_tier", tier.as_str()),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testkit::*;
    use crate::model::{CredentialKind, GrantKind, Origin, Tier};

    #[test]
    fn stale_or_absent_sign_in_fires_recent_does_not() {
        let mut k = Kit::new();
        let stale = k.sp("stale", Origin::Home);
        k.identity(stale).last_used = Some(days_ago(200));
        k.grant(
            stale,
            GrantKind::ApplicationPermission,
            "Mail.Read",
            Tier::Tier1,
        );
        let never = k.sp("never", Origin::Home);
        k.cred(
            never,
            CredentialKind::Certificate,
            days_ago(300),
            days_ahead(60),
        );
        let recent = k.sp("recent", Origin::Home);
        k.identity(recent).last_used = Some(days_ago(3));
        k.grant(
            recent,
            GrantKind::ApplicationPermission,
            "Mail.Read",
            Tier::Tier1,
        );
        let idle = k.sp("idle-no-access", Origin::Home);
        k.identity(idle).last_used = Some(days_ago(300));
        k.activity_known();
        let inv = k.finish();
        assert_eq!(fired_on(unused_with_access, &inv), ["never", "stale"]);
        let sev: Vec<_> = run(unused_with_access, &inv)
            .iter()
            .map(|f| (f.severity, f.identity))
            .collect();
        assert_eq!(
            sev,
            [
                (Severity::High, Some(stale)),
                (Severity::Medium, Some(never))
            ]
        );
    }

    #[test]
    fn silent_without_activity_data() {
        let mut k = Kit::new();
        let a = k.sp("unknown", Origin::Home);
        k.grant(
            a,
            GrantKind::ApplicationPermission,
            "Mail.Read",
            Tier::Tier1,
        );
        let inv = k.finish();
        assert!(run(unused_with_access, &inv).is_empty());
    }
}
