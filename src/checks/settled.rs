//! A finding as the engine keeps it once it is settled.
//!
//! A large estate yields hundreds of thousands of findings, and each [`Finding`] a
//! check builds is a wide struct with two or three strings. Once the engine has
//! applied overrides and computed the fingerprint, it turns each one into a
//! [`Settled`]: the message, the evidence (packed: [`super::packed`]) and the
//! target share one allocation, the fingerprint is kept as its 16 bytes and the
//! check id behind an interned thin pointer: 64 bytes and one string, where a
//! `Finding` is 176 bytes and three. Reports read it through accessors; the
//! evidence unpacks to the compact JSON it always was.

use std::cell::Cell;
use std::sync::{LazyLock, Mutex};

use rustc_hash::FxHashMap;
use serde::Serialize;
use serde_json::value::RawValue;

use super::{Finding, Fingerprint, Severity};
use crate::model::Provenance;

/// A settled finding: what every report and the triage read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settled {
    /// The fingerprint's 16 bytes (its text is their 32 hex digits).
    fingerprint: [u8; 16],
    /// The message, the evidence and the target, one after the other.
    text: Box<str>,
    /// The check id, interned: a thin pointer, half the size of a `&str`.
    check: &'static &'static str,
    /// Where the message ends and the evidence ends within `text`.
    ends: [u32; 2],
    /// Index into [`Inventory::identities`](crate::model::Inventory), `u32::MAX` for none.
    identity: u32,
    has_target: bool,
    pub severity: Severity,
    pub source: Provenance,
}

const NO_IDENTITY: u32 = u32::MAX;

/// Check ids by their text, each kept once for the process (a few dozen).
static CHECK_IDS: LazyLock<Mutex<FxHashMap<&'static str, &'static &'static str>>> =
    LazyLock::new(Mutex::default);

thread_local! {
    /// The last check id this thread interned: findings come in runs of one check.
    static LAST_CHECK: Cell<Option<&'static &'static str>> = const { Cell::new(None) };
}

/// `id` behind a pointer that lives for the process, the same one for equal ids.
/// Each distinct id is leaked once, on purpose: there are as many as checks.
fn intern(id: &'static str) -> &'static &'static str {
    if let Some(last) = LAST_CHECK.get().filter(|last| **last == id) {
        return last;
    }
    let interned = {
        let mut ids = CHECK_IDS.lock().unwrap_or_else(|e| e.into_inner());
        *ids.entry(id).or_insert_with(|| Box::leak(Box::new(id)))
    };
    LAST_CHECK.set(Some(interned));
    interned
}

thread_local! {
    /// Where each thread builds a finding's text before it is copied out.
    static SCRATCH: std::cell::RefCell<Vec<u8>> = std::cell::RefCell::default();
}

impl Settled {
    /// Settles `f` with the fingerprint the engine computed for it (the finding's
    /// own field is ignored), freezing its evidence and dropping its subject.
    pub fn new(f: Finding, fingerprint: Fingerprint) -> Settled {
        let target = f.target.as_deref().unwrap_or("");
        // Built in a scratch buffer, then copied into an allocation of its exact
        // size: a grown buffer shrunk in place would keep its spare bytes.
        let (text, ends) = SCRATCH.with(|scratch| {
            let mut buf = scratch.borrow_mut();
            buf.clear();
            buf.extend_from_slice(f.message.as_bytes());
            f.evidence.pack_into(&mut buf);
            // Offsets fit in u32: a finding's text is a few hundred bytes.
            let ends = [f.message.len() as u32, buf.len() as u32];
            buf.extend_from_slice(target.as_bytes());
            // Built from strings and serde_json output: always UTF-8.
            // (`from_utf8` checks ASCII a word at a time; the lossy path goes byte
            // by byte, and is only the fallback.)
            let text: Box<str> = match std::str::from_utf8(&buf) {
                Ok(text) => text.into(),
                Err(_) => String::from_utf8_lossy(&buf).into(),
            };
            (text, ends)
        });
        Settled {
            fingerprint: fingerprint.to_bytes(),
            text,
            check: intern(f.check_id),
            ends,
            identity: f
                .identity
                .and_then(|i| u32::try_from(i).ok())
                .unwrap_or(NO_IDENTITY),
            has_target: f.target.is_some(),
            severity: f.severity,
            source: f.source,
        }
    }

    pub fn check_id(&self) -> &'static str {
        self.check
    }

    pub fn fingerprint(&self) -> Fingerprint {
        Fingerprint::from_bytes(&self.fingerprint)
    }

    /// The fingerprint's bytes, which order findings as the fingerprint's text does.
    pub fn fingerprint_bytes(&self) -> &[u8; 16] {
        &self.fingerprint
    }

    /// The identity the finding is about, as an index into the inventory.
    pub fn identity(&self) -> Option<usize> {
        (self.identity != NO_IDENTITY).then_some(self.identity as usize)
    }

    pub fn message(&self) -> &str {
        &self.text[..self.ends[0] as usize]
    }

    /// The evidence (an object; `{}` when there is none).
    pub fn evidence(&self) -> FrozenEvidence<'_> {
        FrozenEvidence(&self.text[self.ends[0] as usize..self.ends[1] as usize])
    }

    /// What an unattached finding is about, shown in place of an identity.
    pub fn target(&self) -> Option<&str> {
        self.has_target.then(|| &self.text[self.ends[1] as usize..])
    }
}

impl From<Finding> for Settled {
    /// Settles a finding with the fingerprint it carries (tests and fixtures).
    fn from(f: Finding) -> Settled {
        let fingerprint = f.fingerprint;
        Settled::new(f, fingerprint)
    }
}

/// A settled finding's evidence, packed; written as compact JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FrozenEvidence<'a>(&'a str);

impl FrozenEvidence<'_> {
    /// The evidence as compact JSON text, as `serde_json` writes the object.
    pub fn to_json(&self) -> String {
        let mut out = String::with_capacity(self.0.len() * 2 + 2);
        super::packed::unpack(self.0, &mut out);
        out
    }

    /// [`to_json`](Self::to_json), appended to a report's buffer.
    pub fn write_json(&self, buf: &mut Vec<u8>) {
        super::packed::unpack(self.0, buf);
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Each name and its value's compact JSON text, in order.
    pub fn for_each(&self, f: impl FnMut(std::borrow::Cow<'_, str>, &str)) {
        super::packed::for_each(self.0, f);
    }

    /// The named values, in order.
    pub fn entries(&self) -> Vec<(String, serde_json::Value)> {
        super::packed::entries(self.0)
    }

    /// The value of `key`, or `null`.
    pub fn value(&self, key: &str) -> serde_json::Value {
        self.entries()
            .into_iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v)
            .unwrap_or(serde_json::Value::Null)
    }
}

impl Serialize for FrozenEvidence<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        // The unpacked text is serde_json's own output: written verbatim.
        let raw = RawValue::from_string(self.to_json()).map_err(serde::ser::Error::custom)?;
        raw.serialize(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::Finding;

    fn finding(target: Option<&str>) -> Finding {
        let mut f = Finding::new(
            "ENTRA-001",
            Severity::High,
            7,
            "subject",
            "app holds Directory.ReadWrite.All",
            Provenance { file: 2, line: 40 },
        )
        .with("permission", "Directory.ReadWrite.All")
        .with("tier", 0i64);
        f.target = target.map(str::to_string);
        f
    }

    #[test]
    fn parts_read_back_as_they_were() {
        let s = Settled::new(finding(None), Fingerprint::from_ascii("abc"));
        assert_eq!(s.message(), "app holds Directory.ReadWrite.All");
        assert_eq!(
            s.evidence().to_json(),
            r#"{"permission":"Directory.ReadWrite.All","tier":0}"#
        );
        assert_eq!(s.evidence().value("tier"), serde_json::json!(0));
        assert_eq!(s.target(), None);
        assert_eq!(s.identity(), Some(7));
        assert_eq!(s.fingerprint(), Fingerprint::from_ascii("abc"));
        assert_eq!(s.source, Provenance { file: 2, line: 40 });
        assert_eq!(
            serde_json::to_string(&s.evidence()).unwrap(),
            s.evidence().to_json()
        );
    }

    #[test]
    fn targets_and_missing_evidence_and_identity() {
        let mut f = finding(Some("projects/demo"));
        f.identity = None;
        f.evidence = Default::default();
        f.message = String::new();
        let s = Settled::from(f);
        assert_eq!(s.message(), "");
        assert!(s.evidence().is_empty());
        assert_eq!(s.evidence().to_json(), "{}");
        assert_eq!(s.target(), Some("projects/demo"));
        assert_eq!(s.identity(), None);
        // An empty target is still a target.
        let s = Settled::from(finding(Some("")));
        assert_eq!(s.target(), Some(""));
    }

    #[test]
    fn settled_findings_are_64_bytes_and_keep_their_check_id_and_fingerprint() {
        assert_eq!(std::mem::size_of::<Settled>(), 64);
        let a = Settled::new(finding(None), Fingerprint::from_ascii("0f"));
        let mut other = finding(None);
        other.check_id = "AWS-001";
        let b = Settled::new(other, Fingerprint::of_digest(&[0xfe; 16]));
        let c = Settled::new(finding(None), Fingerprint::from_ascii("10"));
        assert_eq!(
            (a.check_id(), b.check_id(), c.check_id()),
            ("ENTRA-001", "AWS-001", "ENTRA-001")
        );
        // Interned: equal ids share one pointer.
        assert!(std::ptr::eq(a.check, c.check));
        assert_eq!(b.fingerprint().as_str(), "fe".repeat(16));
        assert!(a.fingerprint_bytes() < c.fingerprint_bytes());
    }
}
