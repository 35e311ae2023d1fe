//! A finding as the engine keeps it once it is settled.
//!
//! A large estate yields hundreds of thousands of findings, and each [`Finding`] a
//! check builds is a wide struct with two or three strings. Once the engine has
//! applied overrides and computed the fingerprint, it turns each one into a
//! [`Settled`]: the message, the evidence (packed: [`super::packed`]) and the
//! target share one allocation, and the struct is half as wide. Reports read it
//! through accessors; the evidence unpacks to the compact JSON it always was.

use serde::Serialize;
use serde_json::value::RawValue;

use super::{Finding, Fingerprint, Severity};
use crate::model::Provenance;

/// A settled finding: what every report and the triage read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settled {
    pub fingerprint: Fingerprint,
    /// The message, the evidence and the target, one after the other.
    text: Box<str>,
    pub check_id: &'static str,
    /// Where the message ends and the evidence ends within `text`.
    ends: [u32; 2],
    /// Index into [`Inventory::identities`](crate::model::Inventory), `u32::MAX` for none.
    identity: u32,
    has_target: bool,
    pub severity: Severity,
    pub source: Provenance,
}

const NO_IDENTITY: u32 = u32::MAX;

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
            let text: Box<str> = String::from_utf8_lossy(&buf).into();
            (text, ends)
        });
        Settled {
            fingerprint,
            text,
            check_id: f.check_id,
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

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
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
        assert_eq!(s.fingerprint, Fingerprint::from_ascii("abc"));
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
}
