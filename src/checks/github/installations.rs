//! GitHub App installations.

use super::of_kind;
use crate::checks::{Ctx, Finding, Severity};
use crate::model::IdentityKind;
use crate::model::github::is_write;

/// Organisation permissions that control the organisation or its secrets.
const ORGANIZATION: &[&str] = &[
    "organization_administration",
    "members",
    "organization_secrets",
];
/// Repository permissions that control code, settings or secrets.
const REPOSITORY: &[&str] = &["administration", "secrets", "workflows"];
/// Permissions with which an installation can make itself or anyone an owner.
const TAKEOVER: &[&str] = &["organization_administration", "members"];

/// GITHUB-001 `app-installation-broad-admin-access`.
///
/// Detects a GitHub App installation that holds write or admin on
/// `organization_administration`, `members` or `organization_secrets` (these
/// apply to the whole organisation whatever repositories are selected), or on
/// `administration`, `secrets` or `workflows` with `repository_selection: all`.
/// The App's private key mints installation tokens with these permissions
/// without any user; a compromised or malicious App vendor, or a leaked key,
/// can then rewrite workflows, read secrets through them, change branch
/// protection or add owners in every repository (NHI3, NHI5). Critical with
/// `organization_administration` or `members` write, high otherwise. Suspended
/// installations are left out.
pub fn app_installation_broad_admin_access(ctx: &Ctx) -> Vec<Finding> {
    let mut out = Vec::new();
    for (idx, identity) in of_kind(ctx, IdentityKind::GithubAppInstallation) {
        let Some(inst) = ctx.inv.github.installations.get(&idx) else {
            continue;
        };
        if inst.suspended {
            continue;
        }
        let all = inst.repository_selection.as_deref() == Some("all");
        let matched = |list: &[&str]| -> Vec<String> {
            inst.permissions
                .iter()
                .filter(|(p, level)| is_write(level) && list.contains(&p.as_str()))
                .map(|(p, level)| format!("{p}:{level}"))
                .collect()
        };
        let organization = matched(ORGANIZATION);
        let repository = if all { matched(REPOSITORY) } else { Vec::new() };
        if organization.is_empty() && repository.is_empty() {
            continue;
        }
        let account = inst.account.as_deref().unwrap_or("its account");
        let mut held = Vec::new();
        if !organization.is_empty() {
            held.push(format!(
                "{} on the organization {account}",
                organization.join(", ")
            ));
        }
        if !repository.is_empty() {
            held.push(format!(
                "{} on all repositories of {account}",
                repository.join(", ")
            ));
        }
        let risky: Vec<String> = organization.into_iter().chain(repository).collect();
        let critical = inst
            .permissions
            .iter()
            .any(|(p, level)| is_write(level) && TAKEOVER.contains(&p.as_str()));
        out.push(
            Finding::new(
                "GITHUB-001",
                if critical {
                    Severity::Critical
                } else {
                    Severity::High
                },
                idx,
                "broad-admin-access",
                format!(
                    "GitHub App installation {} holds {}",
                    identity.name,
                    held.join(" and ")
                ),
                identity.source,
            )
            .with("installation_id", &identity.id)
            .with("app_slug", inst.app_slug.clone())
            .with("app_id", inst.app_id.clone())
            .with("account", inst.account.clone())
            .with("repository_selection", inst.repository_selection.clone())
            .with("permissions", risky),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testkit::*;

    #[test]
    fn broad_write_fires_and_selected_or_read_only_twins_do_not() {
        let mut k = Kit::new();
        k.gh_installation(
            "ci-bot",
            "all",
            &[("workflows", "write"), ("metadata", "read")],
        );
        k.gh_installation(
            "org-admin",
            "selected",
            &[("organization_administration", "write")],
        );
        k.gh_installation(
            "scoped",
            "selected",
            &[("administration", "write"), ("secrets", "write")],
        );
        k.gh_installation(
            "reader",
            "all",
            &[("administration", "read"), ("contents", "read")],
        );
        let suspended = k.gh_installation("frozen", "all", &[("members", "write")]);
        k.inventory_mut()
            .github
            .installations
            .get_mut(&suspended)
            .unwrap()
            .suspended = true;
        let inv = k.finish();
        let got = fired_with_severity(app_installation_broad_admin_access, &inv);
        assert_eq!(
            got,
            [
                ("ci-bot", Severity::High),
                ("org-admin", Severity::Critical)
            ]
        );
        let found = run(app_installation_broad_admin_access, &inv);
        assert_eq!(found[0].evidence.value("permissions")[0], "workflows:write");
    }
}
