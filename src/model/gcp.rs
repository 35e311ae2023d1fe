//! GCP-specific parts of the inventory: every IAM binding with the resource it
//! is on, and workload identity pool providers.

use crate::model::Provenance;

/// The kind of resource an IAM policy is attached to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ResourceKind {
    Organization,
    Folder,
    Project,
    ServiceAccount,
    Other,
}

impl ResourceKind {
    /// The scope names of data/gcp/privesc.toml.
    pub fn scope_name(self) -> &'static str {
        match self {
            ResourceKind::Organization => "organization",
            ResourceKind::Folder => "folder",
            ResourceKind::Project => "project",
            ResourceKind::ServiceAccount => "service_account",
            ResourceKind::Other => "other",
        }
    }

    /// Organization, folder or project: a grant there covers every service account below.
    pub fn is_container(self) -> bool {
        matches!(
            self,
            ResourceKind::Organization | ResourceKind::Folder | ResourceKind::Project
        )
    }
}

/// One role binding on one resource.
#[derive(Debug, Clone)]
pub struct GcpBinding {
    /// The resource's name (`projects/p`, `organizations/1`, `projects/p/serviceAccounts/e`, …).
    pub resource: String,
    pub kind: ResourceKind,
    /// The service account email, for service-account resources.
    pub service_account: Option<String>,
    pub role: String,
    pub members: Vec<String>,
    pub condition: Option<String>,
    pub source: Provenance,
}

/// A workload identity pool provider.
#[derive(Debug, Clone)]
pub struct GcpProvider {
    pub name: String,
    pub issuer: Option<String>,
    pub condition: Option<String>,
    pub disabled: bool,
    pub source: Provenance,
}

#[derive(Debug, Clone, Default)]
pub struct GcpData {
    pub bindings: Vec<GcpBinding>,
    pub providers: Vec<GcpProvider>,
    /// A serviceAccountLastAuthentication export was given.
    pub sa_activity_known: bool,
    /// A serviceAccountKeyLastAuthentication export was given.
    pub key_activity_known: bool,
    /// Projects named in the serviceAccountLastAuthentication exports. Activity
    /// is queried per project, so only accounts of these projects are judged.
    pub sa_activity_projects: std::collections::BTreeSet<String>,
    /// Projects named in the serviceAccountKeyLastAuthentication exports.
    pub key_activity_projects: std::collections::BTreeSet<String>,
    /// Service account email → identity index.
    pub by_email: std::collections::BTreeMap<String, usize>,
    /// Member → indexes into `bindings`, built on first use (with the number of
    /// bindings it covers, so that a later push falls back to a scan).
    member_index: std::sync::OnceLock<(usize, rustc_hash::FxHashMap<String, Vec<usize>>)>,
}

impl GcpData {
    /// Whether account activity was exported for the project of `sa`.
    pub fn sa_activity_covers(&self, sa: &super::Identity) -> bool {
        self.sa_activity_known && covers(&self.sa_activity_projects, sa)
    }

    /// Whether key activity was exported for the project of `sa`.
    pub fn key_activity_covers(&self, sa: &super::Identity) -> bool {
        self.key_activity_known && covers(&self.key_activity_projects, sa)
    }

    /// Bindings that name `member` (e.g. `serviceAccount:a@p.iam.gserviceaccount.com`).
    pub fn bindings_of<'a>(&'a self, member: &'a str) -> impl Iterator<Item = &'a GcpBinding> {
        let (covered, index) = self.member_index.get_or_init(|| {
            let mut index: rustc_hash::FxHashMap<String, Vec<usize>> = Default::default();
            for (i, b) in self.bindings.iter().enumerate() {
                for m in &b.members {
                    let list = index.entry(m.clone()).or_default();
                    if list.last() != Some(&i) {
                        list.push(i);
                    }
                }
            }
            (self.bindings.len(), index)
        });
        let found: Vec<&GcpBinding> = if *covered == self.bindings.len() {
            index
                .get(member)
                .map(|ids| ids.iter().map(|&i| &self.bindings[i]).collect())
                .unwrap_or_default()
        } else {
            self.bindings
                .iter()
                .filter(|b| b.members.iter().any(|m| m == member))
                .collect()
        };
        found.into_iter()
    }
}

/// An activity export that names no project (an empty export) covers every
/// account, as before; otherwise only accounts of the named projects.
fn covers(projects: &std::collections::BTreeSet<String>, sa: &super::Identity) -> bool {
    projects.is_empty() || project_of(sa).is_some_and(|p| projects.contains(p))
}

/// The project id of a service account: from the export, else from its e-mail
/// (`name@PROJECT.iam.gserviceaccount.com`, `PROJECT@appspot.gserviceaccount.com`).
pub fn project_of(sa: &super::Identity) -> Option<&str> {
    if let Some(p) = sa.publisher_tenant.as_deref() {
        return Some(p);
    }
    let (local, domain) = sa.key.split_once('@')?;
    domain
        .strip_suffix(".iam.gserviceaccount.com")
        .or_else(|| (domain == "appspot.gserviceaccount.com").then_some(local))
}

/// The project id in an activity resource name
/// (`//iam.googleapis.com/projects/PROJECT/serviceAccounts/...`).
pub fn project_in_resource(name: &str) -> Option<&str> {
    let rest = name.split("projects/").nth(1)?;
    let project = rest.split('/').next()?;
    (!project.is_empty() && project != "-").then_some(project)
}
