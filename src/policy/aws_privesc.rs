//! Privilege-escalation matching: which methods of the reference table a
//! principal's effective permissions fully grant.
//!
//! Every action named by any method gets a bit. Each policy source's statements
//! are matched against those actions once ([`SourceMasks`]); a principal's
//! effective set is then a few bit operations, which keeps tens of thousands of
//! principals × dozens of methods in milliseconds. The masks follow exactly the
//! rules of [`Effective::allows`].

use std::sync::LazyLock;

use super::aws::{Document, Effect, Effective, glob};
use crate::reference::aws::{Method, PRIVESC_METHODS};

/// Bits of the actions a set of statements allows, and denies outright.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SourceMasks {
    pub allow: u128,
    /// Denied on all resources without conditions.
    pub deny: u128,
}

/// The actions of all methods, one bit each, and each method's required bits.
pub struct ActionIndex {
    pub actions: Vec<String>,
    pub methods: Vec<(usize, u128)>,
    /// Service prefix → (bit, action) of that service's indexed actions.
    by_service: std::collections::BTreeMap<String, Vec<(usize, String)>>,
}

pub static INDEX: LazyLock<ActionIndex> = LazyLock::new(|| {
    let mut actions: Vec<String> = PRIVESC_METHODS
        .iter()
        .flat_map(|m| m.permissions.iter().map(|p| p.to_ascii_lowercase()))
        .collect();
    actions.sort();
    actions.dedup();
    assert!(
        actions.len() <= 128,
        "more than 128 privilege-escalation actions"
    );
    let methods = PRIVESC_METHODS
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let bits = m.permissions.iter().fold(0u128, |acc, p| {
                let at = actions
                    .iter()
                    .position(|a| a.eq_ignore_ascii_case(p))
                    .expect("indexed");
                acc | (1u128 << at)
            });
            (i, bits)
        })
        .collect();
    let mut by_service: std::collections::BTreeMap<String, Vec<(usize, String)>> =
        std::collections::BTreeMap::new();
    for (i, a) in actions.iter().enumerate() {
        let service = a.split_once(':').map(|(s, _)| s).unwrap_or(a);
        by_service
            .entry(service.to_string())
            .or_default()
            .push((i, a.clone()));
    }
    ActionIndex {
        actions,
        methods,
        by_service,
    }
});

/// Bits of the indexed actions one pattern matches; a literal service part is
/// looked up directly instead of matching every indexed action.
fn pattern_bits(pattern: &str) -> u128 {
    let service = pattern.split_once(':').map(|(s, _)| s);
    let mut bits = 0u128;
    match service {
        Some(s) if !s.contains(['*', '?']) => {
            if let Some(actions) = INDEX.by_service.get(&s.to_ascii_lowercase()) {
                for (i, a) in actions {
                    if glob(pattern, a) {
                        bits |= 1u128 << i;
                    }
                }
            }
        }
        _ => {
            for (i, a) in INDEX.actions.iter().enumerate() {
                if glob(pattern, a) {
                    bits |= 1u128 << i;
                }
            }
        }
    }
    bits
}

/// The masks of one document.
pub fn masks(doc: &Document) -> SourceMasks {
    let mut m = SourceMasks::default();
    let all = if INDEX.actions.len() == 128 {
        u128::MAX
    } else {
        (1u128 << INDEX.actions.len()) - 1
    };
    for s in &doc.statements {
        let hit = s.actions.iter().fold(0u128, |acc, p| acc | pattern_bits(p));
        let bits = if s.not_action { all & !hit } else { hit };
        match s.effect {
            Effect::Allow => m.allow |= bits,
            Effect::Deny if s.all_resources() && !s.is_conditional() => m.deny |= bits,
            Effect::Deny => {}
        }
    }
    m
}

/// The indexed actions a principal is allowed, given each source's masks and the boundary's.
pub fn allowed(sources: &[SourceMasks], boundary: Option<SourceMasks>) -> u128 {
    let allow = sources.iter().fold(0, |a, m| a | m.allow);
    let deny = sources.iter().fold(0, |a, m| a | m.deny);
    let within = boundary.map(|b| b.allow & !b.deny).unwrap_or(u128::MAX);
    allow & !deny & within
}

/// One matched method.
#[derive(Debug, Clone)]
pub struct MethodMatch {
    pub method: &'static Method,
}

/// The methods fully granted by `allowed`, keeping only minimal ones: a method whose
/// permissions include all of another matched method's is left out.
pub fn matched(allowed: u128) -> Vec<MethodMatch> {
    let hits: Vec<(usize, u128)> = INDEX
        .methods
        .iter()
        .copied()
        .filter(|(_, bits)| allowed & bits == *bits)
        .collect();
    hits.iter()
        .filter(|(i, bits)| {
            !hits
                .iter()
                .any(|(j, other)| j != i && other & bits == *other && (other != bits || j < i))
        })
        .map(|(i, _)| MethodMatch {
            method: &PRIVESC_METHODS[*i],
        })
        .collect()
}

/// The masks of a whole [`Effective`], computed from its statements (slow path, for
/// tests and small inputs; the importer caches per-source masks instead).
pub fn allowed_by(e: &Effective) -> u128 {
    let sources: Vec<SourceMasks> = e.documents.iter().map(|d| masks(d)).collect();
    allowed(&sources, e.boundary.as_deref().map(masks))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::aws::{Source, parse_document};
    use serde_json::json;

    fn effective(docs: &[serde_json::Value]) -> Effective {
        let mut e = Effective::default();
        for (i, d) in docs.iter().enumerate() {
            e.add(
                &parse_document(d).unwrap(),
                Source {
                    policy: format!("p{i}"),
                    arn: None,
                    group: None,
                },
            );
        }
        e
    }

    fn ids(e: &Effective) -> Vec<&'static str> {
        let mut v: Vec<_> = matched(allowed_by(e))
            .iter()
            .map(|m| m.method.id.as_str())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn single_permission_methods_match() {
        let e = effective(&[
            json!({"Statement": [{"Effect": "Allow", "Action": "iam:CreatePolicyVersion", "Resource": "*"}]}),
        ]);
        assert_eq!(ids(&e), ["iam-001"]);
    }

    #[test]
    fn combinations_form_across_policies_and_supersets_are_not_repeated() {
        let e = effective(&[
            json!({"Statement": [{"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"}]}),
            json!({"Statement": [{"Effect": "Allow", "Action": "ec2:RunInstances", "Resource": "*"}]}),
        ]);
        assert_eq!(ids(&e), ["ec2-001"]);
        let only_one = effective(&[
            json!({"Statement": [{"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"}]}),
        ]);
        assert!(ids(&only_one).is_empty());
    }

    #[test]
    fn denies_and_boundaries_remove_methods() {
        let mut e = effective(&[
            json!({"Statement": [{"Effect": "Allow", "Action": "iam:*", "Resource": "*"}]}),
            json!({"Statement": [{"Effect": "Deny", "Action": ["iam:Create*", "iam:Put*", "iam:Attach*", "iam:Update*", "iam:AddUserToGroup", "iam:SetDefaultPolicyVersion"], "Resource": "*"}]}),
        ]);
        // PassRole alone escalates nothing.
        assert!(ids(&e).is_empty(), "{:?}", ids(&e));
        // Drop the Deny policy.
        e.documents.truncate(1);
        e.sources.truncate(1);
        assert!(!ids(&e).is_empty());
        e.boundary = Some(std::sync::Arc::new(
            parse_document(
                &json!({"Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}),
            )
            .unwrap(),
        ));
        assert!(ids(&e).is_empty());
    }

    #[test]
    fn masks_agree_with_the_detailed_evaluator() {
        let e = effective(&[
            json!({"Statement": [{"Effect": "Allow", "NotAction": ["iam:*"], "Resource": "*"}, {"Effect": "Allow", "Action": "iam:Pass*", "Resource": "arn:aws:iam::1:role/r"}]}),
            json!({"Statement": [{"Effect": "Deny", "Action": "lambda:*", "Resource": "*"}, {"Effect": "Deny", "Action": "ec2:RunInstances", "Resource": "arn:x"}]}),
        ]);
        let bits = allowed_by(&e);
        for (i, action) in INDEX.actions.iter().enumerate() {
            assert_eq!(bits & (1 << i) != 0, e.allows(action).is_some(), "{action}");
        }
    }
}
