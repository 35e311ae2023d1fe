//! Kubernetes exports (formats.md §5): `kubectl get … -o json|yaml` mixed `List`s,
//! typed lists whose items lack `kind` (`ClusterRoleList` from the API), and single
//! objects. ServiceAccounts, Secrets (never their values), Roles, ClusterRoles,
//! bindings and workloads are read; RBAC is resolved per service account at join,
//! including aggregated ClusterRoles.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::value::RawValue;

use super::InputError;
use super::json::{JsonType, LineIndex, Obj, elements};
use super::yaml::LINE_KEY;
use crate::model::k8s::{K8sData, Link, Rule, SaGrant, SecretInfo, Workload};
use crate::model::{
    Grant, GrantKind, Identity, IdentityKind, InventoryBuilder, Origin, Provenance, Provider, Tier,
};
use crate::time::parse_timestamp;

const KINDS: &[&str] = &[
    "ServiceAccount",
    "Secret",
    "Role",
    "ClusterRole",
    "RoleBinding",
    "ClusterRoleBinding",
    "Pod",
    "Deployment",
    "StatefulSet",
    "DaemonSet",
    "Job",
    "CronJob",
];

/// Namespaces whose service accounts belong to the platform.
const SYSTEM_NAMESPACES: &[&str] = &["kube-system", "kube-public", "kube-node-lease"];

#[derive(Debug, Clone)]
struct RawSa {
    namespace: String,
    name: String,
    created: Option<jiff::Timestamp>,
    automount: Option<bool>,
    annotations: BTreeMap<String, String>,
    source: Provenance,
}

#[derive(Debug, Clone)]
struct RawRole {
    cluster: bool,
    namespace: Option<String>,
    name: String,
    labels: BTreeMap<String, String>,
    rules: Vec<Rule>,
    /// `aggregationRule.clusterRoleSelectors[].matchLabels`.
    aggregation: Option<Vec<BTreeMap<String, String>>>,
}

#[derive(Debug, Clone)]
struct RawBinding {
    cluster: bool,
    namespace: Option<String>,
    name: String,
    role_kind: String,
    role_name: String,
    /// (kind, name, namespace).
    subjects: Vec<(String, String, Option<String>)>,
    source: Provenance,
}

#[derive(Debug, Clone)]
struct RawWorkload {
    kind: String,
    namespace: String,
    name: String,
    service_account: String,
    app: Option<String>,
    /// Pods created by a controller are counted through their controller.
    owned: bool,
    source: Provenance,
}

#[derive(Debug, Clone)]
struct RawSecret {
    namespace: String,
    name: String,
    secret_type: String,
    service_account: Option<String>,
    last_used: Option<String>,
    values_exported: Vec<&'static str>,
    source: Provenance,
}

#[derive(Debug, Default)]
pub struct FileRecords {
    pub format: String,
    sas: Vec<RawSa>,
    roles: Vec<RawRole>,
    bindings: Vec<RawBinding>,
    workloads: Vec<RawWorkload>,
    secrets: Vec<RawSecret>,
}

impl FileRecords {
    pub fn len(&self) -> usize {
        self.sas.len()
            + self.roles.len()
            + self.bindings.len()
            + self.workloads.len()
            + self.secrets.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Items of a document with their kind: a `List`, a typed `XxxList`, or one object.
fn items(doc: &RawValue) -> Vec<(&RawValue, Option<String>)> {
    let Some(o) = Obj::parse(doc) else {
        return Vec::new();
    };
    let kind = o.text("kind").unwrap_or_default();
    match o
        .get("items")
        .filter(|i| JsonType::of(i) == JsonType::Array)
    {
        Some(list) => {
            let item_kind = kind
                .strip_suffix("List")
                .filter(|k| !k.is_empty())
                .map(str::to_string);
            elements(list)
                .into_iter()
                .map(|i| (i, item_kind.clone()))
                .collect()
        }
        None => vec![(doc, None)],
    }
}

/// `true` when the documents hold Kubernetes objects this importer reads.
pub fn sniff(docs: &[&RawValue]) -> bool {
    docs.iter().any(|d| {
        items(d).iter().take(32).any(|(raw, list_kind)| {
            Obj::parse(raw).is_some_and(|o| {
                let kind = o
                    .text("kind")
                    .or_else(|| list_kind.clone())
                    .unwrap_or_default();
                KINDS.contains(&kind.as_str()) && o.has("metadata")
            })
        })
    })
}

fn strings(o: &Obj, key: &str) -> Vec<String> {
    o.strings(key)
}

fn map(o: Option<Obj>) -> BTreeMap<String, String> {
    let Some(o) = o else {
        return BTreeMap::new();
    };
    o.keys()
        .filter(|k| *k != LINE_KEY)
        .map(str::to_string)
        .collect::<Vec<_>>()
        .into_iter()
        .filter_map(|k| o.str(&k).map(|v| (k, v)))
        .collect()
}

fn rules(o: &Obj) -> Vec<Rule> {
    o.array("rules")
        .unwrap_or_default()
        .into_iter()
        .filter_map(Obj::parse)
        .map(|r| Rule {
            api_groups: strings(&r, "apiGroups"),
            resources: strings(&r, "resources"),
            verbs: strings(&r, "verbs"),
        })
        .collect()
}

/// Parses one file's documents.
pub fn parse(
    docs: &[&RawValue],
    lines: &LineIndex,
    file: u32,
    format: &str,
) -> Result<FileRecords, InputError> {
    let mut out = FileRecords {
        format: format.to_string(),
        ..FileRecords::default()
    };
    for doc in docs {
        for (raw, list_kind) in items(doc) {
            let Some(o) = Obj::parse(raw) else { continue };
            let kind = o.text("kind").or(list_kind).unwrap_or_default();
            let line = o
                .int(LINE_KEY)
                .map(|l| l as u32)
                .unwrap_or_else(|| lines.line_of(raw));
            let source = Provenance { file, line };
            let meta = o.obj("metadata");
            let name = meta
                .as_ref()
                .and_then(|m| m.text("name"))
                .unwrap_or_default();
            let namespace = meta.as_ref().and_then(|m| m.text("namespace"));
            let labels = map(meta.as_ref().and_then(|m| m.obj("labels")));
            let annotations = map(meta.as_ref().and_then(|m| m.obj("annotations")));
            match kind.as_str() {
                "ServiceAccount" => out.sas.push(RawSa {
                    namespace: namespace.unwrap_or_else(|| "default".into()),
                    name,
                    created: meta
                        .as_ref()
                        .and_then(|m| m.str("creationTimestamp"))
                        .and_then(|s| parse_timestamp(&s)),
                    automount: o.bool("automountServiceAccountToken"),
                    annotations,
                    source,
                }),
                "Role" | "ClusterRole" => out.roles.push(RawRole {
                    cluster: kind == "ClusterRole",
                    namespace,
                    name,
                    labels,
                    rules: rules(&o),
                    aggregation: o.obj("aggregationRule").map(|a| {
                        a.array("clusterRoleSelectors")
                            .unwrap_or_default()
                            .into_iter()
                            .filter_map(Obj::parse)
                            .map(|s| map(s.obj("matchLabels")))
                            .collect()
                    }),
                }),
                "RoleBinding" | "ClusterRoleBinding" => {
                    let role_ref = o.obj("roleRef");
                    out.bindings.push(RawBinding {
                        cluster: kind == "ClusterRoleBinding",
                        namespace,
                        name,
                        role_kind: role_ref
                            .as_ref()
                            .and_then(|r| r.text("kind"))
                            .unwrap_or_default(),
                        role_name: role_ref
                            .as_ref()
                            .and_then(|r| r.text("name"))
                            .unwrap_or_default(),
                        subjects: o
                            .array("subjects")
                            .unwrap_or_default()
                            .into_iter()
                            .filter_map(Obj::parse)
                            .map(|s| {
                                (
                                    s.text("kind").unwrap_or_default(),
                                    s.text("name").unwrap_or_default(),
                                    s.text("namespace"),
                                )
                            })
                            .collect(),
                        source,
                    });
                }
                "Secret" => {
                    let mut values_exported = Vec::new();
                    if o.obj("data")
                        .is_some_and(|d| d.keys().any(|k| k != LINE_KEY))
                    {
                        values_exported.push("data");
                    }
                    if o.obj("stringData")
                        .is_some_and(|d| d.keys().any(|k| k != LINE_KEY))
                    {
                        values_exported.push("stringData");
                    }
                    if annotations
                        .get("kubectl.kubernetes.io/last-applied-configuration")
                        .is_some_and(|a| a.contains("\"data\"") || a.contains("\"stringData\""))
                    {
                        values_exported.push("last-applied-configuration annotation");
                    }
                    out.secrets.push(RawSecret {
                        namespace: namespace.unwrap_or_else(|| "default".into()),
                        name,
                        secret_type: o.text("type").unwrap_or_else(|| "Opaque".into()),
                        service_account: annotations
                            .get("kubernetes.io/service-account.name")
                            .cloned(),
                        last_used: labels.get("kubernetes.io/legacy-token-last-used").cloned(),
                        values_exported,
                        source,
                    });
                }
                "Pod" | "Deployment" | "StatefulSet" | "DaemonSet" | "Job" | "CronJob" => {
                    let spec = match kind.as_str() {
                        "Pod" => o.obj("spec"),
                        "CronJob" => o
                            .obj("spec")
                            .and_then(|s| s.obj("jobTemplate"))
                            .and_then(|j| j.obj("spec"))
                            .and_then(|s| s.obj("template"))
                            .and_then(|t| t.obj("spec")),
                        _ => o
                            .obj("spec")
                            .and_then(|s| s.obj("template"))
                            .and_then(|t| t.obj("spec")),
                    };
                    let template_labels = match kind.as_str() {
                        "Pod" => labels.clone(),
                        _ => map(o
                            .obj("spec")
                            .and_then(|s| s.obj("template"))
                            .and_then(|t| t.obj("metadata"))
                            .and_then(|m| m.obj("labels"))),
                    };
                    let service_account = spec
                        .as_ref()
                        .and_then(|s| {
                            s.text("serviceAccountName")
                                .or_else(|| s.text("serviceAccount"))
                        })
                        .unwrap_or_else(|| "default".into());
                    let owned = kind == "Pod"
                        && meta
                            .as_ref()
                            .and_then(|m| m.array("ownerReferences"))
                            .is_some_and(|r| !r.is_empty());
                    out.workloads.push(RawWorkload {
                        kind: kind.clone(),
                        namespace: namespace.unwrap_or_else(|| "default".into()),
                        name,
                        service_account,
                        app: template_labels
                            .get("app.kubernetes.io/name")
                            .or_else(|| template_labels.get("app"))
                            .cloned(),
                        owned,
                        source,
                    });
                }
                _ => {}
            }
        }
    }
    Ok(out)
}

/// Rules of a role, with aggregated ClusterRoles resolved (one level, as the
/// controller does).
fn resolved_rules(role: &RawRole, all: &[RawRole]) -> Vec<Rule> {
    let mut rules = role.rules.clone();
    if let Some(selectors) = &role.aggregation {
        for other in all.iter().filter(|r| r.cluster && r.name != role.name) {
            let matches = selectors.iter().any(|sel| {
                !sel.is_empty() && sel.iter().all(|(k, v)| other.labels.get(k) == Some(v))
            });
            if matches {
                rules.extend(other.rules.iter().cloned());
            }
        }
    }
    rules
}

/// The tier of a set of RBAC rules.
pub fn rules_tier(rules: &[Rule], role: &str, cluster_wide: bool) -> Tier {
    let admin = role == "cluster-admin" || rules.iter().any(Rule::is_wildcard);
    let escalate = rules.iter().any(|r| {
        r.allows("escalate", "clusterroles")
            || r.allows("escalate", "roles")
            || r.allows("bind", "clusterroles")
            || r.allows("bind", "roles")
            || r.allows("impersonate", "users")
            || r.allows("impersonate", "groups")
            || r.allows("impersonate", "serviceaccounts")
    });
    let secrets = rules.iter().any(|r| {
        ["get", "list", "watch"]
            .iter()
            .any(|v| r.allows(v, "secrets"))
    });
    let pods = rules
        .iter()
        .any(|r| r.allows("create", "pods") || r.allows("create", "pods/exec"));
    if admin || escalate || (cluster_wide && (secrets || pods)) {
        Tier::Tier0
    } else if secrets || pods {
        Tier::Tier1
    } else {
        Tier::Unclassified
    }
}

/// Adds the Kubernetes records of every file to the inventory being built.
pub fn join(files: Vec<FileRecords>, b: &mut InventoryBuilder) {
    if files.is_empty() {
        return;
    }
    let mut sas: BTreeMap<(String, String), RawSa> = BTreeMap::new();
    let mut roles: Vec<RawRole> = Vec::new();
    let mut bindings: Vec<RawBinding> = Vec::new();
    let mut workloads: Vec<RawWorkload> = Vec::new();
    let mut secrets: Vec<RawSecret> = Vec::new();
    for f in files {
        for sa in f.sas {
            sas.entry((sa.namespace.clone(), sa.name.clone()))
                .or_insert(sa);
        }
        roles.extend(f.roles);
        bindings.extend(f.bindings);
        workloads.extend(f.workloads);
        secrets.extend(f.secrets);
    }
    // Service accounts referenced but not exported.
    let mut referenced: BTreeSet<(String, String, Provenance)> = BTreeSet::new();
    for bnd in &bindings {
        for (kind, name, ns) in &bnd.subjects {
            if kind == "ServiceAccount" {
                let ns = ns
                    .clone()
                    .or_else(|| bnd.namespace.clone())
                    .unwrap_or_else(|| "default".into());
                referenced.insert((ns, name.clone(), bnd.source));
            }
        }
    }
    for w in &workloads {
        referenced.insert((w.namespace.clone(), w.service_account.clone(), w.source));
    }
    for (ns, name, source) in referenced {
        sas.entry((ns.clone(), name.clone())).or_insert(RawSa {
            namespace: ns,
            name,
            created: None,
            automount: None,
            annotations: BTreeMap::new(),
            source,
        });
    }

    let mut data = K8sData::default();
    let mut index: BTreeMap<(String, String), usize> = BTreeMap::new();
    for ((ns, name), sa) in &sas {
        let id = format!("{ns}/{name}");
        let idx = b.add_identity(Identity {
            provider: Provider::K8s,
            kind: IdentityKind::K8sServiceAccount,
            id: id.clone(),
            key: id.clone(),
            name: id,
            app_id: None,
            app_object_id: None,
            publisher_tenant: None,
            origin: if SYSTEM_NAMESPACES.contains(&ns.as_str()) {
                Origin::FirstParty
            } else {
                Origin::Home
            },
            verified_publisher: None,
            enabled: None,
            created: sa.created,
            last_used: None,
            activity_known: false,
            owners: None,
            settings: Default::default(),
            human_login: None,
            source: sa.source,
        });
        index.insert((ns.clone(), name.clone()), idx);
        data.automount.insert(idx, sa.automount);
        for (annotation, provider) in [
            ("eks.amazonaws.com/role-arn", Provider::Aws),
            ("iam.gke.io/gcp-service-account", Provider::Gcp),
            ("azure.workload.identity/client-id", Provider::Entra),
        ] {
            if let Some(target) = sa.annotations.get(annotation) {
                data.links.push(Link {
                    identity: idx,
                    annotation,
                    provider,
                    target: target.clone(),
                    resolved: None,
                });
            }
        }
    }

    // RBAC per service account.
    for bnd in &bindings {
        let role = roles.iter().find(|r| {
            r.name == bnd.role_name
                && if bnd.role_kind == "ClusterRole" {
                    r.cluster
                } else {
                    !r.cluster && r.namespace == bnd.namespace
                }
        });
        let rules = role.map(|r| resolved_rules(r, &roles)).unwrap_or_default();
        let cluster_wide = bnd.cluster;
        for (kind, name, ns) in &bnd.subjects {
            let targets: Vec<(usize, Option<String>)> = match kind.as_str() {
                "ServiceAccount" => {
                    let ns = ns
                        .clone()
                        .or_else(|| bnd.namespace.clone())
                        .unwrap_or_else(|| "default".into());
                    index
                        .get(&(ns, name.clone()))
                        .map(|&i| (i, None))
                        .into_iter()
                        .collect()
                }
                "Group" if name == "system:serviceaccounts" => {
                    index.values().map(|&i| (i, Some(name.clone()))).collect()
                }
                "Group" if name.starts_with("system:serviceaccounts:") => {
                    let ns = &name["system:serviceaccounts:".len()..];
                    index
                        .iter()
                        .filter(|((n, _), _)| n == ns)
                        .map(|(_, &i)| (i, Some(name.clone())))
                        .collect()
                }
                _ => Vec::new(),
            };
            for (idx, via_group) in targets {
                let tier = rules_tier(&rules, &bnd.role_name, cluster_wide);
                b.inventory.grants.push(Grant {
                    identity: idx,
                    kind: GrantKind::RoleBinding,
                    resource: match &bnd.namespace {
                        Some(n) if !cluster_wide => format!("namespace {n}").into(),
                        _ => "cluster".into(),
                    },
                    resource_app_id: None,
                    permission: format!("{}/{}", bnd.role_kind, bnd.role_name).into(),
                    permission_id: None,
                    tier,
                    consent: None,
                    scope: via_group.clone().map(|g| format!("via group {g}")),
                    resolution_note: role
                        .is_none()
                        .then_some("the bound role is not in the export"),
                    source: bnd.source,
                });
                data.grants.push(SaGrant {
                    identity: idx,
                    binding: bnd.name.clone(),
                    binding_kind: if cluster_wide {
                        "ClusterRoleBinding"
                    } else {
                        "RoleBinding"
                    },
                    role: bnd.role_name.clone(),
                    role_kind: bnd.role_kind.clone(),
                    cluster_wide,
                    namespace: bnd.namespace.clone(),
                    via_group,
                    rules: rules.clone(),
                    source: bnd.source,
                });
            }
        }
    }

    for w in workloads.iter().filter(|w| !w.owned) {
        if let Some(&idx) = index.get(&(w.namespace.clone(), w.service_account.clone())) {
            data.workloads.push(Workload {
                identity: idx,
                kind: w.kind.clone(),
                namespace: w.namespace.clone(),
                name: w.name.clone(),
                app: w.app.clone(),
                source: w.source,
            });
        }
    }
    for s in secrets {
        data.secrets.push(SecretInfo {
            service_account: s
                .service_account
                .as_ref()
                .and_then(|sa| index.get(&(s.namespace.clone(), sa.clone())).copied()),
            namespace: s.namespace,
            name: s.name,
            secret_type: s.secret_type,
            last_used: s.last_used,
            values_exported: s.values_exported,
            source: s.source,
        });
    }
    b.inventory.k8s = data;
}

/// Resolves service accounts' cloud identity annotations against the identities
/// of the other providers, once every provider is joined.
pub fn link(b: &mut InventoryBuilder) {
    let identities = &b.inventory.identities;
    for link in &mut b.inventory.k8s.links {
        let target = link.target.to_ascii_lowercase();
        link.resolved = identities.iter().position(|i| {
            i.provider == link.provider
                && match link.provider {
                    Provider::Entra => i.app_id.as_deref() == Some(target.as_str()),
                    _ => i.id.eq_ignore_ascii_case(&target) || i.key.eq_ignore_ascii_case(&target),
                }
        });
    }
    // The cloud identity's privilege shows on the service account as a grant.
    let mut edges = Vec::new();
    for link in &b.inventory.k8s.links {
        let Some(target) = link.resolved else {
            continue;
        };
        let tier = b
            .inventory
            .grants
            .iter()
            .filter(|g| g.identity == target)
            .map(|g| g.tier)
            .min()
            .unwrap_or(Tier::Unclassified);
        let cloud = &b.inventory.identities[target];
        let source = b.inventory.identities[link.identity].source;
        edges.push(Grant {
            identity: link.identity,
            kind: GrantKind::LinkedIdentity,
            resource: cloud.provider.as_str().into(),
            resource_app_id: None,
            permission: cloud.id.as_str().into(),
            permission_id: Some(link.annotation.into()),
            tier,
            consent: None,
            scope: None,
            resolution_note: None,
            source,
        });
    }
    b.inventory.grants.extend(edges);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(verbs: &[&str], resources: &[&str]) -> Rule {
        Rule {
            api_groups: vec![String::new()],
            resources: resources.iter().map(|s| s.to_string()).collect(),
            verbs: verbs.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn tiers_follow_the_rules() {
        assert_eq!(rules_tier(&[], "cluster-admin", true), Tier::Tier0);
        assert_eq!(rules_tier(&[rule(&["*"], &["*"])], "x", false), Tier::Tier0);
        assert_eq!(
            rules_tier(&[rule(&["bind"], &["clusterroles"])], "x", false),
            Tier::Tier0
        );
        assert_eq!(
            rules_tier(&[rule(&["get"], &["secrets"])], "x", true),
            Tier::Tier0
        );
        assert_eq!(
            rules_tier(&[rule(&["get"], &["secrets"])], "x", false),
            Tier::Tier1
        );
        assert_eq!(
            rules_tier(&[rule(&["get"], &["configmaps"])], "x", true),
            Tier::Unclassified
        );
    }

    #[test]
    fn aggregated_cluster_roles_take_the_rules_of_matching_roles() {
        let mk = |name: &str,
                  labels: &[(&str, &str)],
                  rules: Vec<Rule>,
                  agg: Option<Vec<BTreeMap<String, String>>>| RawRole {
            cluster: true,
            namespace: None,
            name: name.into(),
            labels: labels
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            rules,
            aggregation: agg,
        };
        let sel: BTreeMap<String, String> = [("agg".to_string(), "yes".to_string())].into();
        let all = vec![
            mk("parent", &[], vec![], Some(vec![sel])),
            mk(
                "child",
                &[("agg", "yes")],
                vec![rule(&["get"], &["secrets"])],
                None,
            ),
            mk("other", &[("agg", "no")], vec![rule(&["*"], &["*"])], None),
        ];
        let rules = resolved_rules(&all[0], &all);
        assert_eq!(rules, vec![rule(&["get"], &["secrets"])]);
    }
}
