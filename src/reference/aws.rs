//! AWS reference data, embedded from `data/aws/` at build time: the
//! privilege-escalation methods (frameworks.md §6) that AWS-002 looks for.

use std::sync::LazyLock;

use serde::Deserialize;

use crate::checks::Severity;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Method {
    pub id: String,
    pub name: String,
    pub permissions: Vec<String>,
    pub category: String,
    pub severity: Severity,
    #[serde(default)]
    pub rhino: Vec<u8>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct MethodFile {
    method: Vec<Method>,
}

const PRIVESC: &str = include_str!("../../data/aws/privesc.toml");

/// The privilege-escalation methods. Validated by tests, so a failure here is a build defect.
pub static PRIVESC_METHODS: LazyLock<Vec<Method>> = LazyLock::new(|| {
    toml::from_str::<MethodFile>(PRIVESC)
        .expect("embedded data/aws/privesc.toml is valid")
        .method
});

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_covers_pathfinding_and_every_rhino_method() {
        let m = &*PRIVESC_METHODS;
        let pathfinding = m.iter().filter(|x| !x.id.starts_with("rhino-")).count();
        assert_eq!(
            pathfinding, 65,
            "frameworks.md §6.2 lists 65 pathfinding.cloud paths"
        );
        for n in 1..=28u8 {
            assert!(
                m.iter()
                    .any(|x| x.rhino.contains(&n) || x.id == format!("rhino-{n:02}")),
                "Rhino method {n} is not covered"
            );
        }
        let mut ids: Vec<&str> = m.iter().map(|x| x.id.as_str()).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), m.len(), "duplicate method ids");
        for x in m {
            assert!(!x.permissions.is_empty(), "{} has no permissions", x.id);
            assert!(
                matches!(x.severity, Severity::Critical | Severity::High),
                "{}",
                x.id
            );
        }
    }
}
