//! A finding's evidence and fingerprint, in the compact forms the engine keeps.
//!
//! A large estate yields hundreds of thousands of findings, and their evidence is
//! most of their weight. A check builds evidence as named values; the engine then
//! freezes it into one allocation of compact JSON text ([`EvidenceMap::freeze`]),
//! which every report writes as is. Fingerprints are 32 hex digits held inline.

use std::borrow::Cow;
use std::fmt;

use jiff::Timestamp;
use serde::de::{Deserializer, MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use serde_json::value::RawValue;

/// A finding's evidence: named values in the order the check added them,
/// serialised as a JSON object. Keys are static, so building one costs no key
/// allocations; once frozen it is a single string.
#[derive(Debug, Clone, Default)]
pub struct EvidenceMap(Repr);

#[derive(Debug, Clone)]
enum Repr {
    /// While a check builds the finding (keys are static but for a thawed finding's).
    Open(Vec<(Cow<'static, str>, Value)>),
    /// After the engine: the same object as compact JSON text.
    Frozen(Box<RawValue>),
}

impl Default for Repr {
    fn default() -> Repr {
        Repr::Open(Vec::new())
    }
}

impl EvidenceMap {
    /// Sets `key` to `value`, replacing an earlier value of the same key in place.
    pub fn insert(&mut self, key: &'static str, value: Value) {
        if let Repr::Frozen(_) = self.0 {
            // Rare: a finding changed after the engine. Back to named values.
            let entries = self
                .entries()
                .into_iter()
                .map(|(k, v)| (Cow::Owned(k.into_owned()), v))
                .collect();
            self.0 = Repr::Open(entries);
        }
        if let Repr::Open(entries) = &mut self.0 {
            match entries.iter_mut().find(|(k, _)| k == key) {
                Some(slot) => slot.1 = value,
                None => entries.push((Cow::Borrowed(key), value)),
            }
        }
    }

    /// Turns the named values into one allocation of compact JSON text.
    pub fn freeze(&mut self) {
        if let Repr::Open(entries) = &self.0 {
            if entries.is_empty() {
                return;
            }
            // Serialising named JSON values cannot fail; the text is not parsed again.
            if let Ok(raw) = serde_json::value::to_raw_value(self) {
                self.0 = Repr::Frozen(raw);
            }
        }
    }

    /// Appends the evidence in the packed form settled findings keep
    /// ([`super::packed`]).
    pub(super) fn pack_into(&self, out: &mut Vec<u8>) {
        match &self.0 {
            Repr::Open(entries) => super::packed::pack(entries, out),
            Repr::Frozen(_) => {
                let owned: Vec<(Cow<'static, str>, Value)> = self
                    .entries()
                    .into_iter()
                    .map(|(k, v)| (Cow::Owned(k.into_owned()), v))
                    .collect();
                super::packed::pack(&owned, out);
            }
        }
    }

    pub fn is_empty(&self) -> bool {
        match &self.0 {
            Repr::Open(entries) => entries.is_empty(),
            Repr::Frozen(_) => false,
        }
    }

    /// The named values, in order.
    pub fn entries(&self) -> Vec<(Cow<'_, str>, Value)> {
        match &self.0 {
            Repr::Open(entries) => entries
                .iter()
                .map(|(k, v)| (Cow::Borrowed(k.as_ref()), v.clone()))
                .collect(),
            Repr::Frozen(raw) => serde_json::from_str::<Ordered>(raw.get())
                .map(|o| o.0.into_iter().map(|(k, v)| (Cow::Owned(k), v)).collect())
                .unwrap_or_default(),
        }
    }

    /// The value of `key`, if the evidence has it.
    pub fn get(&self, key: &str) -> Option<Value> {
        match &self.0 {
            Repr::Open(entries) => entries
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.clone()),
            Repr::Frozen(_) => self
                .entries()
                .into_iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v),
        }
    }

    /// The value of `key`, or `null`.
    pub fn value(&self, key: &str) -> Value {
        self.get(key).unwrap_or(Value::Null)
    }
}

impl PartialEq for EvidenceMap {
    fn eq(&self, other: &EvidenceMap) -> bool {
        self.entries() == other.entries()
    }
}

impl Serialize for EvidenceMap {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match &self.0 {
            Repr::Open(entries) => {
                let mut m = s.serialize_map(Some(entries.len()))?;
                for (k, v) in entries {
                    m.serialize_entry(k.as_ref(), v)?;
                }
                m.end()
            }
            Repr::Frozen(raw) => raw.serialize(s),
        }
    }
}

/// A JSON object read back with its keys in document order.
struct Ordered(Vec<(String, Value)>);

impl<'de> Deserialize<'de> for Ordered {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Ordered, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Ordered;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Ordered, A::Error> {
                let mut out = Vec::new();
                while let Some(entry) = map.next_entry::<String, Value>()? {
                    out.push(entry);
                }
                Ok(Ordered(out))
            }
        }
        d.deserialize_map(V)
    }
}

/// A finding's fingerprint: 32 lowercase hex digits, held inline (no allocation).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Fingerprint([u8; 32]);

impl Fingerprint {
    /// The hex digits of the first 16 bytes of `digest`.
    pub fn of_digest(digest: &[u8]) -> Fingerprint {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let mut out = [b'0'; 32];
        for (i, b) in digest.iter().take(16).enumerate() {
            out[2 * i] = HEX[usize::from(b >> 4)];
            out[2 * i + 1] = HEX[usize::from(b & 0xf)];
        }
        Fingerprint(out)
    }

    /// A fingerprint from up to 32 hex digits, padded with `0`; any other text is
    /// hashed into one (tests and fixtures).
    pub fn from_ascii(s: &str) -> Fingerprint {
        if s.len() > 32 || !is_lower_hex(s) {
            use sha2::Digest;
            return Fingerprint::of_digest(&sha2::Sha256::digest(s.as_bytes()));
        }
        let mut out = [b'0'; 32];
        out[..s.len()].copy_from_slice(s.as_bytes());
        Fingerprint(out)
    }

    /// The fingerprint written as `s`: exactly 32 lowercase hex digits.
    pub fn parse(s: &str) -> Option<Fingerprint> {
        (s.len() == 32 && is_lower_hex(s)).then(|| Fingerprint::from_ascii(s))
    }

    /// The 16 bytes the hex digits spell (a fingerprint is always 32 lowercase hex
    /// digits), in the same order as the text.
    pub fn to_bytes(&self) -> [u8; 16] {
        let digit = |c: u8| match c {
            b'0'..=b'9' => c - b'0',
            _ => c - b'a' + 10,
        };
        std::array::from_fn(|i| digit(self.0[2 * i]) << 4 | digit(self.0[2 * i + 1]))
    }

    /// The fingerprint whose bytes are `bytes`.
    pub fn from_bytes(bytes: &[u8; 16]) -> Fingerprint {
        Fingerprint::of_digest(bytes)
    }

    pub fn as_str(&self) -> &str {
        // Only ASCII is ever stored.
        std::str::from_utf8(&self.0).unwrap_or("")
    }
}

/// Whether `s` is only digits and `a` to `f`, as a fingerprint's text is.
fn is_lower_hex(s: &str) -> bool {
    s.bytes()
        .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

impl Default for Fingerprint {
    fn default() -> Fingerprint {
        Fingerprint([b'0'; 32])
    }
}

impl std::ops::Deref for Fingerprint {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl fmt::Display for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "{:?}", self.as_str())
    }
}

impl Serialize for Fingerprint {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl PartialEq<str> for Fingerprint {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for Fingerprint {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

/// A value for [`Finding::with`](super::Finding::with).
pub struct Evidence(pub(super) Option<Value>);

impl From<&str> for Evidence {
    fn from(v: &str) -> Self {
        Evidence(Some(Value::String(v.to_string())))
    }
}
impl From<String> for Evidence {
    fn from(v: String) -> Self {
        Evidence(Some(Value::String(v)))
    }
}
impl From<&String> for Evidence {
    fn from(v: &String) -> Self {
        Evidence(Some(Value::String(v.clone())))
    }
}
impl From<&std::sync::Arc<str>> for Evidence {
    fn from(v: &std::sync::Arc<str>) -> Self {
        Evidence(Some(Value::String(v.to_string())))
    }
}
impl From<std::sync::Arc<str>> for Evidence {
    fn from(v: std::sync::Arc<str>) -> Self {
        Evidence(Some(Value::String(v.to_string())))
    }
}
impl From<i64> for Evidence {
    fn from(v: i64) -> Self {
        Evidence(Some(Value::from(v)))
    }
}
impl From<usize> for Evidence {
    fn from(v: usize) -> Self {
        Evidence(Some(Value::from(v)))
    }
}
impl From<bool> for Evidence {
    fn from(v: bool) -> Self {
        Evidence(Some(Value::Bool(v)))
    }
}
impl From<Timestamp> for Evidence {
    fn from(v: Timestamp) -> Self {
        Evidence(Some(Value::String(crate::time::format(v))))
    }
}
impl From<Value> for Evidence {
    fn from(v: Value) -> Self {
        Evidence(Some(v))
    }
}
impl From<Vec<String>> for Evidence {
    fn from(v: Vec<String>) -> Self {
        Evidence(Some(Value::from(v)))
    }
}
impl<T: Into<Evidence>> From<Option<T>> for Evidence {
    fn from(v: Option<T>) -> Self {
        v.map(Into::into).unwrap_or(Evidence(None))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frozen_evidence_keeps_order_values_and_serialisation() {
        let mut e = EvidenceMap::default();
        e.insert("zeta", Value::from(1));
        e.insert("alpha", Value::from("a"));
        e.insert("zeta", Value::from(2));
        let open = serde_json::to_string(&e).unwrap();
        let before = e.clone();
        e.freeze();
        assert_eq!(serde_json::to_string(&e).unwrap(), open);
        assert_eq!(open, r#"{"zeta":2,"alpha":"a"}"#);
        assert_eq!(e, before);
        assert_eq!(e.value("alpha"), "a");
        assert_eq!(e.get("missing"), None);
        e.insert("beta", Value::Bool(true));
        assert_eq!(
            serde_json::to_string(&e).unwrap(),
            r#"{"zeta":2,"alpha":"a","beta":true}"#
        );
    }

    #[test]
    fn fingerprints_are_hex_of_the_first_sixteen_bytes() {
        let f = Fingerprint::of_digest(&[0xab; 32]);
        assert_eq!(f.as_str(), "ab".repeat(16));
        assert_eq!(
            Fingerprint::from_ascii("12").as_str(),
            format!("12{}", "0".repeat(30))
        );
        assert_eq!(
            serde_json::to_string(&f).unwrap(),
            format!("\"{}\"", "ab".repeat(16))
        );
        // Any other text is hashed: still 32 hex digits.
        let other = Fingerprint::from_ascii("0Critical");
        assert_eq!(other, Fingerprint::from_ascii("0Critical"));
        assert_ne!(other, Fingerprint::from_ascii("0High"));
        assert!(
            other
                .bytes()
                .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
        );
    }

    #[test]
    fn fingerprint_bytes_round_trip_and_keep_the_order_of_the_text() {
        let mut prints: Vec<Fingerprint> = (0u8..=255)
            .map(|b| Fingerprint::of_digest(&[b, 255 - b, b ^ 0x5a, 7]))
            .collect();
        prints.push(Fingerprint::from_ascii("f0"));
        for f in &prints {
            assert_eq!(Fingerprint::from_bytes(&f.to_bytes()), *f);
        }
        for a in &prints {
            for b in &prints {
                assert_eq!(a.to_bytes().cmp(&b.to_bytes()), a.cmp(b), "{a} {b}");
            }
        }
    }
}
