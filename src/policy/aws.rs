//! AWS IAM policy documents and a conservative evaluator of identity-based policies.
//!
//! Modelled: Allow and Deny statements; `Action`/`NotAction`; `Resource`/`NotResource`;
//! case-insensitive `*` and `?` wildcards; conditions (kept, never evaluated: they
//! mark a permission as conditional); permission boundaries (intersected); the
//! trust-policy `Principal` element.
//!
//! Not modelled (docs/aws-policy-engine.md): service control policies, resource-based
//! policies, session policies, condition evaluation, and the resource side of a Deny
//! beyond "all resources". Where the engine cannot prove a Deny applies, it keeps the
//! Allow and marks it partially denied: it errs towards reporting.

use serde_json::Value;

/// Statement effect.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    Allow,
    Deny,
}

/// One condition: `{"StringEquals": {"aws:SourceAccount": ["1"]}}` gives
/// operator `StringEquals`, key `aws:SourceAccount`, values `["1"]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Condition {
    pub operator: String,
    pub key: String,
    pub values: Vec<String>,
}

/// A trust policy principal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Principal {
    /// `"*"` or `{"AWS": "*"}`.
    Anyone,
    Aws(String),
    Service(String),
    Federated(String),
    CanonicalUser(String),
}

/// One statement, normalised: single values become one-element lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    pub sid: Option<String>,
    pub effect: Effect,
    /// Action patterns, or NotAction patterns when `not_action`.
    pub actions: Vec<String>,
    pub not_action: bool,
    /// Resource patterns, or NotResource patterns when `not_resource`.
    pub resources: Vec<String>,
    pub not_resource: bool,
    pub principals: Vec<Principal>,
    pub not_principal: bool,
    pub conditions: Vec<Condition>,
}

impl Statement {
    /// Does this statement's action element cover `action`?
    pub fn covers_action(&self, action: &str) -> bool {
        let hit = self.actions.iter().any(|p| glob(p, action));
        hit != self.not_action
    }

    /// Does it apply to every resource (`Resource: "*"`, or any `NotResource`,
    /// which the engine treats as broad)?
    pub fn all_resources(&self) -> bool {
        self.not_resource || self.resources.iter().any(|r| r == "*")
    }

    pub fn is_conditional(&self) -> bool {
        !self.conditions.is_empty()
    }

    /// Does the action element allow every action of `service` (`svc:*`, `*`, or a
    /// NotAction that leaves the service alone)?
    pub fn covers_service(&self, service: &str) -> bool {
        if self.not_action {
            !self.actions.iter().any(|p| touches_service(p, service))
        } else {
            self.actions.iter().any(|p| whole_service(p, service))
        }
    }

    /// Does the action element allow every action of every service?
    pub fn covers_everything(&self) -> bool {
        !self.not_action && self.actions.iter().any(|a| a == "*" || a == "*:*")
    }
}

/// Services whose wildcard on all resources AWS-017 reports: they hand out
/// identities, keys and secrets.
pub const SENSITIVE_SERVICES: &[&str] = &["iam", "sts", "kms", "secretsmanager", "ssm"];

/// A parsed policy document.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Document {
    pub statements: Vec<Statement>,
}

/// The bit of [`Document::allow_bits`] set when an Allow statement covers every action.
pub const ALLOWS_EVERYTHING: u8 = 1 << 7;

impl Document {
    /// A quick superset test for the costlier evaluations: bit `i` is set when an
    /// Allow statement covers the whole of `SENSITIVE_SERVICES[i]`, and
    /// [`ALLOWS_EVERYTHING`] when one covers every action. Resources, conditions,
    /// Denies and boundaries are not considered: a clear bit means "certainly not".
    pub fn allow_bits(&self) -> u8 {
        let mut bits = 0;
        for s in self.statements.iter().filter(|s| s.effect == Effect::Allow) {
            if s.covers_everything() {
                bits |= ALLOWS_EVERYTHING;
            }
            for (i, service) in SENSITIVE_SERVICES.iter().enumerate() {
                if s.covers_service(service) {
                    bits |= 1 << i;
                }
            }
        }
        bits
    }
}

/// Parses a document given as a JSON object, a JSON string, or URL-encoded JSON
/// (as the raw IAM API returns it). The error never quotes the document.
pub fn parse_document(value: &Value) -> Result<Document, String> {
    match value {
        Value::Object(_) => from_value(value),
        Value::String(s) => parse_document_text(s),
        other => Err(format!(
            "a policy document must be an object or a string, not {}",
            kind(other)
        )),
    }
}

/// Parses document text: JSON, or URL-encoded JSON.
pub fn parse_document_text(text: &str) -> Result<Document, String> {
    let t = text.trim();
    let json = if t.starts_with('{') {
        t.to_string()
    } else if t.starts_with("%7B") || t.starts_with("%7b") {
        percent_encoding::percent_decode_str(t)
            .decode_utf8()
            .map_err(|_| "URL-encoded policy document is not UTF-8".to_string())?
            .into_owned()
    } else {
        return Err("policy document is neither JSON nor URL-encoded JSON".into());
    };
    parse_document_json(&json)
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// A string or an array of strings (numbers and booleans read as text).
fn strings(v: Option<&Value>) -> Vec<String> {
    match v {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(a)) => a.iter().filter_map(scalar).collect(),
        Some(other) => scalar(other).into_iter().collect(),
    }
}

fn scalar(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn from_value(value: &Value) -> Result<Document, String> {
    let obj = value
        .as_object()
        .ok_or_else(|| format!("a policy document must be an object, not {}", kind(value)))?;
    let raw = match obj.get("Statement") {
        Some(Value::Array(a)) => a.iter().collect::<Vec<_>>(),
        Some(v @ Value::Object(_)) => vec![v],
        None => Vec::new(),
        Some(other) => {
            return Err(format!(
                "Statement must be an object or an array, not {}",
                kind(other)
            ));
        }
    };
    let mut statements = Vec::with_capacity(raw.len());
    for (i, s) in raw.into_iter().enumerate() {
        statements.push(statement(s).map_err(|e| format!("statement {}: {e}", i + 1))?);
    }
    Ok(Document { statements })
}

fn statement(v: &Value) -> Result<Statement, String> {
    let o = v
        .as_object()
        .ok_or_else(|| format!("a statement must be an object, not {}", kind(v)))?;
    let effect = match o.get("Effect").and_then(Value::as_str) {
        Some(e) if e.eq_ignore_ascii_case("Allow") => Effect::Allow,
        Some(e) if e.eq_ignore_ascii_case("Deny") => Effect::Deny,
        _ => return Err("Effect must be Allow or Deny".into()),
    };
    let (actions, not_action) = match (o.get("Action"), o.get("NotAction")) {
        (Some(a), _) => (strings(Some(a)), false),
        (None, Some(n)) => (strings(Some(n)), true),
        (None, None) => (Vec::new(), false),
    };
    let (resources, not_resource) = match (o.get("Resource"), o.get("NotResource")) {
        (Some(r), _) => (strings(Some(r)), false),
        (None, Some(n)) => (strings(Some(n)), true),
        // Trust policies have no Resource: the role itself.
        (None, None) => (vec!["*".to_string()], false),
    };
    let (principals, not_principal) = match (o.get("Principal"), o.get("NotPrincipal")) {
        (Some(p), _) => (principals(p), false),
        (None, Some(p)) => (principals(p), true),
        (None, None) => (Vec::new(), false),
    };
    let mut conditions = Vec::new();
    if let Some(Value::Object(ops)) = o.get("Condition") {
        for (operator, keys) in ops {
            if let Value::Object(keys) = keys {
                for (key, values) in keys {
                    conditions.push(Condition {
                        operator: operator.clone(),
                        key: key.clone(),
                        values: strings(Some(values)),
                    });
                }
            }
        }
    }
    Ok(Statement {
        sid: o.get("Sid").and_then(Value::as_str).map(str::to_string),
        effect,
        actions,
        not_action,
        resources,
        not_resource,
        principals,
        not_principal,
        conditions,
    })
}

fn principals(v: &Value) -> Vec<Principal> {
    match v {
        Value::String(s) if s == "*" => vec![Principal::Anyone],
        Value::String(s) => vec![Principal::Aws(s.clone())],
        Value::Object(m) => {
            let mut out = Vec::new();
            for (kind, values) in m {
                for value in strings(Some(values)) {
                    out.push(match kind.as_str() {
                        "AWS" if value == "*" => Principal::Anyone,
                        "AWS" => Principal::Aws(value),
                        "Service" => Principal::Service(value),
                        "Federated" => Principal::Federated(value),
                        _ => Principal::CanonicalUser(value),
                    });
                }
            }
            out
        }
        _ => Vec::new(),
    }
}

/// Case-insensitive glob match with `*` (any run) and `?` (any one character).
pub fn glob(pattern: &str, text: &str) -> bool {
    let p = pattern.as_bytes();
    let t = text.as_bytes();
    let (mut pi, mut ti) = (0, 0);
    let (mut star, mut mark) = (None, 0);
    while ti < t.len() {
        if pi < p.len() && (p[pi] == b'?' || p[pi].eq_ignore_ascii_case(&t[ti])) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == b'*' {
            star = Some(pi);
            mark = ti;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    while pi < p.len() && p[pi] == b'*' {
        pi += 1;
    }
    pi == p.len()
}

/// Does an action pattern cover every action of `service`?
fn whole_service(pattern: &str, service: &str) -> bool {
    match pattern.split_once(':') {
        Some((s, a)) => a == "*" && glob(s, service),
        None => pattern == "*",
    }
}

/// Does an action pattern match some action of `service`?
fn touches_service(pattern: &str, service: &str) -> bool {
    match pattern.split_once(':') {
        Some((s, _)) => glob(s, service),
        None => pattern == "*",
    }
}

/// Where a statement came from, for evidence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    /// The policy name (inline) or managed policy name.
    pub policy: String,
    pub arn: Option<String>,
    /// The group the policy reaches the principal through, if any.
    pub group: Option<String>,
}

impl Source {
    /// "Policy" or "Policy (via group G)".
    pub fn label(&self) -> String {
        match &self.group {
            Some(g) => format!("{} (via group {g})", self.policy),
            None => self.policy.clone(),
        }
    }
}

/// A principal's identity-based policies, ready to evaluate. Documents are shared
/// (`Arc`): a managed policy attached to thousands of principals is stored once.
#[derive(Debug, Clone, Default)]
pub struct Effective {
    /// One document per source, in the order added.
    pub documents: Vec<std::sync::Arc<Document>>,
    pub sources: Vec<Source>,
    /// The permissions boundary, when one is set.
    pub boundary: Option<std::sync::Arc<Document>>,
}

/// Where the scope of an allowed action is known to stop.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// Every resource.
    All,
    /// Only these resource patterns.
    Some(Vec<String>),
}

/// How an action is allowed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Allowed {
    pub scope: Scope,
    /// Indexes into [`Effective::sources`] of the granting policies.
    pub via: Vec<usize>,
    /// Only conditional statements allow it.
    pub conditional: bool,
    /// A Deny may remove part of it (conditional or resource-limited Deny).
    pub partially_denied: bool,
}

impl Effective {
    pub fn add(&mut self, doc: &Document, source: Source) {
        self.add_shared(std::sync::Arc::new(doc.clone()), source);
    }

    /// Adds a shared document without copying it.
    pub fn add_shared(&mut self, doc: std::sync::Arc<Document>, source: Source) {
        self.sources.push(source);
        self.documents.push(doc);
    }

    /// Every statement with the index of its source.
    pub fn statements(&self) -> impl Iterator<Item = (&Statement, usize)> {
        self.documents
            .iter()
            .enumerate()
            .flat_map(|(i, d)| d.statements.iter().map(move |s| (s, i)))
    }

    /// Fully denied: an unconditional Deny on all resources covers the action.
    fn denied(&self, covers: impl Fn(&Statement) -> bool) -> (bool, bool) {
        let mut partial = false;
        for (s, _) in self.statements() {
            if s.effect == Effect::Deny && covers(s) {
                if s.all_resources() && !s.is_conditional() {
                    return (true, true);
                }
                partial = true;
            }
        }
        (false, partial)
    }

    fn boundary_allows(&self, covers: impl Fn(&Statement) -> bool) -> bool {
        let Some(b) = &self.boundary else {
            return true;
        };
        let allowed = b
            .statements
            .iter()
            .any(|s| s.effect == Effect::Allow && covers(s));
        let denied = b.statements.iter().any(|s| {
            s.effect == Effect::Deny && covers(s) && s.all_resources() && !s.is_conditional()
        });
        allowed && !denied
    }

    /// Evaluates the allow side for statements selected by `covers`.
    fn evaluate(&self, covers: impl Fn(&Statement) -> bool + Copy) -> Option<Allowed> {
        let (denied, partially_denied) = self.denied(covers);
        if denied || !self.boundary_allows(covers) {
            return None;
        }
        let mut via = Vec::new();
        let mut all = false;
        let mut resources = Vec::new();
        let mut unconditional = false;
        for (s, src) in self.statements() {
            if s.effect != Effect::Allow || !covers(s) {
                continue;
            }
            if !via.contains(&src) {
                via.push(src);
            }
            unconditional |= !s.is_conditional();
            if s.all_resources() {
                all = true;
            } else {
                resources.extend(s.resources.iter().cloned());
            }
        }
        if via.is_empty() {
            return None;
        }
        resources.sort();
        resources.dedup();
        Some(Allowed {
            scope: if all {
                Scope::All
            } else {
                Scope::Some(resources)
            },
            via,
            conditional: !unconditional,
            partially_denied,
        })
    }

    /// Is `action` (e.g. `iam:PassRole`) allowed, and how?
    pub fn allows(&self, action: &str) -> Option<Allowed> {
        self.evaluate(|s| s.covers_action(action))
    }

    /// Is every action of `service` allowed on every resource?
    pub fn allows_service(&self, service: &str) -> Option<Allowed> {
        self.evaluate(|s| s.covers_service(service))
            .filter(|a| a.scope == Scope::All)
    }

    /// Full administrator: `*` on `*` from an unconditional statement, within the
    /// boundary, and not cut down by an unconditional Deny of everything or of IAM.
    /// (A Deny of a few other actions leaves an administrator an administrator.)
    pub fn full_admin(&self) -> Option<Allowed> {
        let admin =
            |s: &Statement| s.covers_everything() && s.all_resources() && !s.is_conditional();
        let allowed = self.evaluate(admin)?;
        let narrowed = self.statements().any(|(s, _)| {
            s.effect == Effect::Deny
                && s.all_resources()
                && !s.is_conditional()
                && (s.covers_everything() || s.covers_service("iam"))
        });
        (!narrowed && allowed.scope == Scope::All).then_some(allowed)
    }

    /// Names of the granting policies, for evidence.
    pub fn labels(&self, via: &[usize]) -> Vec<String> {
        let mut v: Vec<String> = via.iter().map(|&i| self.sources[i].label()).collect();
        v.sort();
        v.dedup();
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn doc(v: Value) -> Document {
        parse_document(&v).unwrap()
    }

    fn effective(docs: &[(&str, Value)]) -> Effective {
        let mut e = Effective::default();
        for (name, d) in docs {
            e.add(
                &doc(d.clone()),
                Source {
                    policy: name.to_string(),
                    arn: None,
                    group: None,
                },
            );
        }
        e
    }

    #[test]
    fn globs_are_case_insensitive_with_star_and_question_mark() {
        assert!(glob("iam:Create*", "IAM:createaccesskey"));
        assert!(glob("*", "s3:GetObject"));
        assert!(glob("iam:?etRole", "iam:GetRole"));
        assert!(glob("*:*", "kms:Decrypt"));
        assert!(!glob("iam:Create*", "iam:DeleteUser"));
        assert!(!glob("iam:PassRole", "iam:PassRoles"));
        assert!(glob("s3:*Object*", "s3:PutObjectAcl"));
    }

    #[test]
    fn documents_parse_from_objects_strings_and_url_encoding() {
        let text = r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}"#;
        let from_string = parse_document(&Value::String(text.into())).unwrap();
        let encoded: String =
            percent_encoding::utf8_percent_encode(text, percent_encoding::NON_ALPHANUMERIC)
                .to_string();
        let from_url = parse_document(&Value::String(encoded)).unwrap();
        let from_object = parse_document(&serde_json::from_str(text).unwrap()).unwrap();
        assert_eq!(from_string, from_object);
        assert_eq!(from_url, from_object);
        assert_eq!(from_object.statements[0].actions, ["s3:*"]);
        assert!(parse_document(&Value::String("<URL-encoded-JSON>".into())).is_err());
        assert!(parse_document(&json!({"Statement": [{"Effect": "Maybe"}]})).is_err());
    }

    #[test]
    fn allows_collects_scope_sources_and_conditions() {
        let e = effective(&[
            (
                "a",
                json!({"Statement": [{"Effect": "Allow", "Action": "iam:PassRole", "Resource": "arn:aws:iam::1:role/x"}]}),
            ),
            (
                "b",
                json!({"Statement": [{"Effect": "Allow", "Action": ["ec2:Run*"], "Resource": "*", "Condition": {"StringEquals": {"aws:RequestedRegion": "eu-west-1"}}}]}),
            ),
        ]);
        let pass = e.allows("iam:passrole").unwrap();
        assert_eq!(
            pass.scope,
            Scope::Some(vec!["arn:aws:iam::1:role/x".into()])
        );
        assert_eq!(e.labels(&pass.via), ["a"]);
        let run = e.allows("ec2:RunInstances").unwrap();
        assert!(run.conditional && run.scope == Scope::All);
        assert!(e.allows("s3:GetObject").is_none());
    }

    #[test]
    fn explicit_deny_on_all_resources_removes_and_partial_deny_only_marks() {
        let e = effective(&[
            (
                "allow",
                json!({"Statement": [{"Effect": "Allow", "Action": "iam:*", "Resource": "*"}]}),
            ),
            (
                "deny",
                json!({"Statement": [
                    {"Effect": "Deny", "Action": "iam:CreateAccessKey", "Resource": "*"},
                    {"Effect": "Deny", "Action": "iam:PutUserPolicy", "Resource": "arn:aws:iam::1:user/admin"}
                ]}),
            ),
        ]);
        assert!(e.allows("iam:CreateAccessKey").is_none());
        let put = e.allows("iam:PutUserPolicy").unwrap();
        assert!(put.partially_denied);
        assert!(!e.allows("iam:PassRole").unwrap().partially_denied);
    }

    #[test]
    fn not_action_allows_everything_else() {
        let e = effective(&[(
            "PowerUserAccess",
            json!({"Statement": [{"Effect": "Allow", "NotAction": ["iam:*", "organizations:*", "account:*"], "Resource": "*"}]}),
        )]);
        assert!(e.allows("ec2:RunInstances").is_some());
        assert!(e.allows("iam:PassRole").is_none());
        assert!(e.allows_service("kms").is_some());
        assert!(e.allows_service("iam").is_none());
        assert!(e.full_admin().is_none());
    }

    #[test]
    fn boundaries_intersect() {
        let mut e = effective(&[(
            "admin",
            json!({"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}),
        )]);
        assert!(e.full_admin().is_some());
        e.boundary = Some(std::sync::Arc::new(doc(
            json!({"Statement": [{"Effect": "Allow", "Action": ["s3:*", "ec2:*"], "Resource": "*"}]}),
        )));
        assert!(e.full_admin().is_none());
        assert!(e.allows("iam:AttachUserPolicy").is_none());
        assert!(e.allows("s3:GetObject").is_some());
    }

    #[test]
    fn full_admin_needs_star_on_star_unconditionally() {
        let admin = effective(&[(
            "AdministratorAccess",
            json!({"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}),
        )]);
        assert!(admin.full_admin().is_some());
        let scoped = effective(&[(
            "x",
            json!({"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "arn:aws:s3:::b/*"}]}),
        )]);
        assert!(scoped.full_admin().is_none());
        let conditional = effective(&[(
            "x",
            json!({"Statement": [{"Effect": "Allow", "Action": "*:*", "Resource": "*", "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}}]}),
        )]);
        assert!(conditional.full_admin().is_none());
        let denied = effective(&[
            (
                "admin",
                json!({"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}),
            ),
            (
                "deny",
                json!({"Statement": [{"Effect": "Deny", "Action": "iam:*", "Resource": "*"}]}),
            ),
        ]);
        assert!(denied.full_admin().is_none());
        let mostly = effective(&[
            (
                "admin",
                json!({"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}),
            ),
            (
                "deny",
                json!({"Statement": [{"Effect": "Deny", "Action": "s3:DeleteBucket", "Resource": "*"}]}),
            ),
        ]);
        assert!(mostly.full_admin().is_some());
    }

    #[test]
    fn trust_principals_and_conditions_are_normalised() {
        let d = doc(json!({"Statement": [
            {"Effect": "Allow", "Principal": {"AWS": ["arn:aws:iam::999:root", "*"], "Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole",
             "Condition": {"StringEquals": {"sts:ExternalId": "abc", "aws:SourceAccount": ["1", "2"]}}},
            {"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole"}
        ]}));
        let s = &d.statements[0];
        assert_eq!(s.principals.len(), 3);
        assert!(s.principals.contains(&Principal::Anyone));
        assert!(
            s.principals
                .contains(&Principal::Service("ec2.amazonaws.com".into()))
        );
        assert_eq!(s.conditions.len(), 2);
        assert_eq!(d.statements[1].principals, [Principal::Anyone]);
    }
}

/// Typed, allocation-light reading of policy JSON straight from text (no
/// intermediate `serde_json::Value`): the importer's fast path.
mod typed {
    use std::collections::BTreeMap;
    use std::fmt;

    use serde::Deserialize;
    use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};

    /// A string, a scalar, or an array of them, as a list of strings.
    #[derive(Default)]
    pub struct Strings(pub Vec<String>);

    impl<'de> Deserialize<'de> for Strings {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            struct V;
            impl<'de> Visitor<'de> for V {
                type Value = Strings;
                fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                    f.write_str("a string or a list of strings")
                }
                fn visit_str<E: de::Error>(self, v: &str) -> Result<Strings, E> {
                    Ok(Strings(vec![v.to_string()]))
                }
                fn visit_bool<E: de::Error>(self, v: bool) -> Result<Strings, E> {
                    Ok(Strings(vec![v.to_string()]))
                }
                fn visit_i64<E: de::Error>(self, v: i64) -> Result<Strings, E> {
                    Ok(Strings(vec![v.to_string()]))
                }
                fn visit_u64<E: de::Error>(self, v: u64) -> Result<Strings, E> {
                    Ok(Strings(vec![v.to_string()]))
                }
                fn visit_f64<E: de::Error>(self, v: f64) -> Result<Strings, E> {
                    Ok(Strings(vec![v.to_string()]))
                }
                fn visit_unit<E: de::Error>(self) -> Result<Strings, E> {
                    Ok(Strings(Vec::new()))
                }
                fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Strings, A::Error> {
                    let mut out = Vec::new();
                    while let Some(Strings(mut v)) = seq.next_element::<Strings>()? {
                        out.append(&mut v);
                    }
                    Ok(Strings(out))
                }
                fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Strings, A::Error> {
                    while map
                        .next_entry::<de::IgnoredAny, de::IgnoredAny>()?
                        .is_some()
                    {}
                    Ok(Strings(Vec::new()))
                }
            }
            d.deserialize_any(V)
        }
    }

    /// `"*"` or `{"AWS": …, "Service": …}`.
    pub enum RawPrincipal {
        Star(String),
        Map(Vec<(String, Vec<String>)>),
    }

    impl<'de> Deserialize<'de> for RawPrincipal {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            struct V;
            impl<'de> Visitor<'de> for V {
                type Value = RawPrincipal;
                fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                    f.write_str("a principal")
                }
                fn visit_str<E: de::Error>(self, v: &str) -> Result<RawPrincipal, E> {
                    Ok(RawPrincipal::Star(v.to_string()))
                }
                fn visit_map<A: MapAccess<'de>>(
                    self,
                    mut map: A,
                ) -> Result<RawPrincipal, A::Error> {
                    let mut out = Vec::new();
                    while let Some((k, Strings(v))) = map.next_entry::<String, Strings>()? {
                        out.push((k, v));
                    }
                    Ok(RawPrincipal::Map(out))
                }
            }
            d.deserialize_any(V)
        }
    }

    #[derive(Deserialize)]
    pub struct RawStatement {
        #[serde(rename = "Sid")]
        pub sid: Option<Strings>,
        #[serde(rename = "Effect")]
        pub effect: Option<String>,
        #[serde(rename = "Action")]
        pub action: Option<Strings>,
        #[serde(rename = "NotAction")]
        pub not_action: Option<Strings>,
        #[serde(rename = "Resource")]
        pub resource: Option<Strings>,
        #[serde(rename = "NotResource")]
        pub not_resource: Option<Strings>,
        #[serde(rename = "Principal")]
        pub principal: Option<RawPrincipal>,
        #[serde(rename = "NotPrincipal")]
        pub not_principal: Option<RawPrincipal>,
        #[serde(rename = "Condition")]
        pub condition: Option<BTreeMap<String, BTreeMap<String, Strings>>>,
    }

    /// One statement object or a list of them.
    pub struct Statements(pub Vec<RawStatement>);

    impl<'de> Deserialize<'de> for Statements {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            struct V;
            impl<'de> Visitor<'de> for V {
                type Value = Statements;
                fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                    f.write_str("a statement or a list of statements")
                }
                fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Statements, A::Error> {
                    let one =
                        RawStatement::deserialize(de::value::MapAccessDeserializer::new(map))?;
                    Ok(Statements(vec![one]))
                }
                fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Statements, A::Error> {
                    let mut out = Vec::new();
                    while let Some(s) = seq.next_element::<RawStatement>()? {
                        out.push(s);
                    }
                    Ok(Statements(out))
                }
            }
            d.deserialize_any(V)
        }
    }

    #[derive(Deserialize)]
    pub struct RawDocument {
        #[serde(rename = "Statement")]
        pub statement: Option<Statements>,
    }
}

/// Parses a policy document from JSON text: an object, or a JSON string holding
/// JSON or URL-encoded JSON. The error never quotes the document.
pub fn parse_document_json(text: &str) -> Result<Document, String> {
    let t = text.trim_start();
    if t.starts_with('"') {
        let inner: String = serde_json::from_str(t)
            .map_err(|_| "policy document string is not valid JSON".to_string())?;
        return parse_document_text(&inner);
    }
    if !t.starts_with('{') {
        return Err("a policy document must be an object or a string".into());
    }
    let raw: typed::RawDocument = serde_json::from_str(t).map_err(|e| {
        format!(
            "policy document has an unexpected shape (line {}, column {})",
            e.line(),
            e.column()
        )
    })?;
    let mut statements = Vec::new();
    for (i, s) in raw
        .statement
        .map(|s| s.0)
        .unwrap_or_default()
        .into_iter()
        .enumerate()
    {
        statements.push(typed_statement(s).map_err(|e| format!("statement {}: {e}", i + 1))?);
    }
    Ok(Document { statements })
}

fn typed_principals(p: typed::RawPrincipal) -> Vec<Principal> {
    match p {
        typed::RawPrincipal::Star(s) if s == "*" => vec![Principal::Anyone],
        typed::RawPrincipal::Star(s) => vec![Principal::Aws(s)],
        typed::RawPrincipal::Map(m) => m
            .into_iter()
            .flat_map(|(kind, values)| {
                values.into_iter().map(move |value| match kind.as_str() {
                    "AWS" if value == "*" => Principal::Anyone,
                    "AWS" => Principal::Aws(value),
                    "Service" => Principal::Service(value),
                    "Federated" => Principal::Federated(value),
                    _ => Principal::CanonicalUser(value),
                })
            })
            .collect(),
    }
}

fn typed_statement(s: typed::RawStatement) -> Result<Statement, String> {
    let effect = match s.effect.as_deref() {
        Some(e) if e.eq_ignore_ascii_case("Allow") => Effect::Allow,
        Some(e) if e.eq_ignore_ascii_case("Deny") => Effect::Deny,
        _ => return Err("Effect must be Allow or Deny".into()),
    };
    let (actions, not_action) = match (s.action, s.not_action) {
        (Some(a), _) => (a.0, false),
        (None, Some(n)) => (n.0, true),
        (None, None) => (Vec::new(), false),
    };
    let (resources, not_resource) = match (s.resource, s.not_resource) {
        (Some(r), _) => (r.0, false),
        (None, Some(n)) => (n.0, true),
        (None, None) => (vec!["*".to_string()], false),
    };
    let (principals, not_principal) = match (s.principal, s.not_principal) {
        (Some(p), _) => (typed_principals(p), false),
        (None, Some(p)) => (typed_principals(p), true),
        (None, None) => (Vec::new(), false),
    };
    let conditions = s
        .condition
        .unwrap_or_default()
        .into_iter()
        .flat_map(|(operator, keys)| {
            keys.into_iter().map(move |(key, values)| Condition {
                operator: operator.clone(),
                key,
                values: values.0,
            })
        })
        .collect();
    Ok(Statement {
        sid: s.sid.and_then(|v| v.0.into_iter().next()),
        effect,
        actions,
        not_action,
        resources,
        not_resource,
        principals,
        not_principal,
        conditions,
    })
}

#[cfg(test)]
mod typed_tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_typed_reader_agrees_with_the_value_reader() {
        let docs = [
            json!({"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}}),
            json!({"Statement": [
                {"Sid": "a", "Effect": "Deny", "NotAction": ["iam:*", "sts:*"], "NotResource": "arn:x", "Condition": {"Bool": {"aws:SecureTransport": false}, "NumericLessThan": {"k": 3}}},
                {"Effect": "Allow", "Principal": {"AWS": ["*", "arn:aws:iam::1:root"], "Federated": "f"}, "Action": "sts:AssumeRole"},
                {"Effect": "Allow", "NotPrincipal": "*", "Action": []}
            ]}),
            json!({"Statement": []}),
        ];
        for d in docs {
            assert_eq!(
                parse_document_json(&d.to_string()).unwrap(),
                parse_document(&d).unwrap(),
                "{d}"
            );
        }
        let as_string = serde_json::to_string(
            &json!({"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}}).to_string(),
        )
        .unwrap();
        assert!(parse_document_json(&as_string).unwrap().statements[0].covers_everything());
        assert!(parse_document_json(r#""<URL-encoded-JSON>""#).is_err());
        assert!(parse_document_json(r#"{"Statement": [{"Effect": "Perhaps"}]}"#).is_err());
    }
}
