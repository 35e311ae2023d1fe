//! Fine-grained personal access tokens approved for, or requesting, the organisation.

use super::of_kind;
use crate::checks::{Ctx, Finding, Severity};
use crate::model::IdentityKind;
use crate::model::github::{Pat, PatStatus};

fn pats<'a>(ctx: &Ctx<'a>) -> impl Iterator<Item = (usize, &'a str, &'a Pat)> + use<'a> {
    let inv = ctx.inv;
    of_kind(ctx, IdentityKind::GithubFineGrainedPat)
        .filter_map(move |(idx, i)| Some((idx, i.name.as_str(), inv.github.pats.get(&idx)?)))
}

fn pat_finding(
    id: &'static str,
    severity: Severity,
    idx: usize,
    p: &Pat,
    message: String,
    ctx: &Ctx,
) -> Finding {
    Finding::new(
        id,
        severity,
        idx,
        p.token_id.clone().unwrap_or_default(),
        message,
        ctx.inv.identities[idx].source,
    )
    .with("status", p.status.as_str())
    .with("token_id", p.token_id.clone())
    .with("token_name", p.token_name.clone())
    .with("owner", p.owner.clone())
    .with("organization", p.organization.clone())
    .with("repository_selection", p.repository_selection.clone())
    .with("expires", p.expires)
    .with("token_expired", p.token_expired)
}

/// GITHUB-005 `fine-grained-pat-no-expiry`.
///
/// Detects a fine-grained personal access token with no expiry
/// (`token_expires_at: null`) that the organisation approved, or that asks for
/// approval. A token that never expires keeps working in whatever script,
/// laptop or CI variable it was pasted into long after its purpose is gone
/// (NHI7); it also lets a person's automation outlive their role (NHI10).
/// Medium for an approved token, low for a pending request (reject it or ask
/// for an expiry before approving). Exports without `token_expires_at` are not
/// judged.
pub fn fine_grained_pat_no_expiry(ctx: &Ctx) -> Vec<Finding> {
    pats(ctx)
        .filter(|(_, _, p)| p.expiry_known && p.expires.is_none() && p.token_expired != Some(true))
        .map(|(idx, name, p)| {
            let (severity, verb) = match p.status {
                PatStatus::Approved => (Severity::Medium, "is approved for"),
                PatStatus::Pending => (Severity::Low, "requests access to"),
            };
            pat_finding(
                "GITHUB-005",
                severity,
                idx,
                p,
                format!(
                    "fine-grained token {name} never expires and {verb} {}",
                    p.organization.as_deref().unwrap_or("the organization")
                ),
                ctx,
            )
        })
        .collect()
}

/// GITHUB-006 `fine-grained-pat-expired-still-approved`.
///
/// Detects an approved fine-grained token that has expired (`token_expired:
/// true`, or `token_expires_at` in the past) but is still on the organisation's
/// approved list. The token itself no longer works, but the stale grant is
/// access nobody reviews any more: the approved list stops telling which
/// automation really has access (NHI1). Low.
pub fn fine_grained_pat_expired_still_approved(ctx: &Ctx) -> Vec<Finding> {
    pats(ctx)
        .filter(|(_, _, p)| p.status == PatStatus::Approved)
        .filter(|(_, _, p)| {
            p.token_expired == Some(true) || p.expires.is_some_and(|e| e <= ctx.now)
        })
        .map(|(idx, name, p)| {
            pat_finding(
                "GITHUB-006",
                Severity::Low,
                idx,
                p,
                format!(
                    "fine-grained token {name} has expired but is still approved for {}",
                    p.organization.as_deref().unwrap_or("the organization")
                ),
                ctx,
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testkit::*;

    #[test]
    fn tokens_without_expiry_fire_by_status_expiring_twin_does_not() {
        let mut k = Kit::new();
        k.gh_pat("forever", PatStatus::Approved, None, false);
        k.gh_pat("asking", PatStatus::Pending, None, false);
        k.gh_pat("bounded", PatStatus::Approved, Some(days_ahead(60)), false);
        let unknown = k.gh_pat("unknown", PatStatus::Approved, None, false);
        k.inventory_mut()
            .github
            .pats
            .get_mut(&unknown)
            .unwrap()
            .expiry_known = false;
        let inv = k.finish();
        let got = fired_with_severity(fine_grained_pat_no_expiry, &inv);
        assert_eq!(
            got,
            [("forever", Severity::Medium), ("asking", Severity::Low)]
        );
    }

    #[test]
    fn expired_approved_tokens_fire_live_and_pending_do_not() {
        let mut k = Kit::new();
        k.gh_pat("flagged", PatStatus::Approved, Some(days_ago(5)), true);
        k.gh_pat("lapsed", PatStatus::Approved, Some(days_ago(5)), false);
        k.gh_pat("live", PatStatus::Approved, Some(days_ahead(5)), false);
        k.gh_pat("pending", PatStatus::Pending, Some(days_ago(5)), true);
        let inv = k.finish();
        assert_eq!(
            fired_on(fine_grained_pat_expired_still_approved, &inv),
            ["flagged", "lapsed"]
        );
    }
}
