//! Entra identifiers in records: object ids, appIds, tenant ids, keyIds and app
//! role ids, lower-cased, as every Entra join compares them.
//!
//! Nearly all of them are GUIDs, and a 100,000-SP tenant's records hold about two
//! million. A GUID is kept as its 16 bytes, inside the record: as a `String` it
//! was a heap block of 40 bytes besides, and those blocks, freed when the records
//! are, were scattered among the inventory's strings, so the allocator could not
//! give their pages back. Anything that is not a GUID is kept as lower-cased text.

use std::cmp::Ordering;
use std::fmt;
use std::ops::Deref;

/// A lower-cased Entra identifier; see the module documentation.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Id(Repr);

/// A GUID is never held as `Text`, so that derived equality and hashing agree
/// with the text.
#[derive(Clone, PartialEq, Eq, Hash)]
enum Repr {
    Guid([u8; 16]),
    Text(Box<str>),
}

/// The length of a GUID's text, `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`.
const GUID_LEN: usize = 36;
const DASHES: [usize; 4] = [8, 13, 18, 23];

impl Id {
    /// The all-zero GUID (Entra's default access app role).
    pub const NIL: Id = Id(Repr::Guid([0; 16]));

    /// `text`, lower-cased.
    pub fn new(text: &str) -> Id {
        match guid_bytes(text.as_bytes()) {
            Some(bytes) => Id(Repr::Guid(bytes)),
            None => Id(Repr::Text(text.to_ascii_lowercase().into_boxed_str())),
        }
    }

    /// The identifier's text, lower-cased; a GUID's is written on the stack.
    pub fn text(&self) -> IdText<'_> {
        match &self.0 {
            Repr::Guid(bytes) => IdText::Guid(guid_text(bytes)),
            Repr::Text(text) => IdText::Text(text),
        }
    }
}

/// The text of an [`Id`], usable as a `&str`.
pub enum IdText<'a> {
    Guid([u8; GUID_LEN]),
    Text(&'a str),
}

impl Deref for IdText<'_> {
    type Target = str;

    fn deref(&self) -> &str {
        match self {
            // Always ASCII: written by `guid_text`.
            IdText::Guid(bytes) => std::str::from_utf8(bytes).unwrap_or_default(),
            IdText::Text(text) => text,
        }
    }
}

/// The 16 bytes of a GUID written with hex digits of either case; `None` for
/// anything else.
fn guid_bytes(text: &[u8]) -> Option<[u8; 16]> {
    let text: &[u8; GUID_LEN] = text.try_into().ok()?;
    if DASHES.iter().any(|&i| text[i] != b'-') {
        return None;
    }
    let mut out = [0u8; 16];
    for (byte, at) in out.iter_mut().zip(DIGIT_PAIRS) {
        let high = HEX_VALUES[usize::from(text[at])];
        let low = HEX_VALUES[usize::from(text[at + 1])];
        if (high | low) == NOT_HEX {
            return None;
        }
        *byte = (high << 4) | low;
    }
    Some(out)
}

/// Where each byte's two hex digits start in a GUID's text.
const DIGIT_PAIRS: [usize; 16] = [0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34];

/// Marks a byte that is not a hex digit in [`HEX_VALUES`]; any digit's value ORed
/// with it stays `NOT_HEX`.
const NOT_HEX: u8 = 0xff;

/// The value of each byte as a hex digit of either case, else [`NOT_HEX`].
const HEX_VALUES: [u8; 256] = {
    let mut table = [NOT_HEX; 256];
    let mut c = 0;
    while c < 10 {
        table[b'0' as usize + c] = c as u8;
        c += 1;
    }
    let mut c = 0;
    while c < 6 {
        table[b'a' as usize + c] = 10 + c as u8;
        table[b'A' as usize + c] = 10 + c as u8;
        c += 1;
    }
    table
};

/// A GUID's lower-case text.
fn guid_text(bytes: &[u8; 16]) -> [u8; GUID_LEN] {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut out = [b'-'; GUID_LEN];
    for (byte, at) in bytes.iter().zip(DIGIT_PAIRS) {
        out[at] = HEX[usize::from(byte >> 4)];
        out[at + 1] = HEX[usize::from(byte & 0xf)];
    }
    out
}

/// The text as a `String`, without the formatting machinery of `to_string`.
impl From<&Id> for String {
    fn from(id: &Id) -> String {
        String::from(&*id.text())
    }
}

impl fmt::Display for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text())
    }
}

/// Shown as its text, quoted, as a `String` would be.
impl fmt::Debug for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.text(), f)
    }
}

/// Ordered as their texts are.
impl Ord for Id {
    fn cmp(&self, other: &Id) -> Ordering {
        match (&self.0, &other.0) {
            // Hex digits sort as the values they write, and the dashes stand in
            // the same places in both texts.
            (Repr::Guid(a), Repr::Guid(b)) => a.cmp(b),
            _ => self.text().cmp(&other.text()),
        }
    }
}

impl PartialOrd for Id {
    fn partial_cmp(&self, other: &Id) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl From<&str> for Id {
    fn from(text: &str) -> Id {
        Id::new(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GUID: &str = "9A3f0c1e-77b2-4c1d-8e5f-00ffAB12cd34";

    #[test]
    fn a_guid_of_either_case_reads_back_lower_cased() {
        let id = Id::new(GUID);
        assert!(matches!(id.0, Repr::Guid(_)));
        assert_eq!(id.to_string(), GUID.to_ascii_lowercase());
        assert_eq!(&*id.text(), GUID.to_ascii_lowercase());
        assert_eq!(id, Id::new(&GUID.to_ascii_uppercase()));
        assert_eq!(
            format!("{:?}", Some(&id)),
            format!("Some({:?})", GUID.to_ascii_lowercase())
        );
        assert_eq!(Id::new("00000000-0000-0000-0000-000000000000"), Id::NIL);
    }

    #[test]
    fn anything_else_is_kept_as_lower_cased_text() {
        for text in [
            "",
            "Graph-SP",
            "9a3f0c1e-77b2-4c1d-8e5f-00ffab12cd3", // one digit short
            "9a3f0c1e-77b2-4c1d-8e5f-00ffab12cd345", // one too many
            "9a3f0c1e_77b2-4c1d-8e5f-00ffab12cd34", // not a dash
            "9a3f0c1e-77b2-4c1d-8e5f-00ffab12cd3g", // not hex
            "ga3f0c1e-77b2-4c1d-8e5f-00ffab12cd34", // not hex, first
            "9a3f0c1e-77b2-4c1d-8e5f-00ffab12:d34", // just past 9
            "9a3f0c1e-77b2-4c1d-8e5f-00ffab12`d34", // just before a
            "{9a3f0c1e-77b2-4c1d-8e5f-00ffab12cd3}",
            "9a3f0c1e-77b2-4c1d-8e5f-00ffab12cdé",
        ] {
            let id = Id::new(text);
            assert!(matches!(id.0, Repr::Text(_)), "{text}");
            assert_eq!(id.to_string(), text.to_ascii_lowercase());
        }
    }

    #[test]
    fn ids_sort_as_their_texts() {
        let texts = [
            GUID.to_ascii_lowercase(),
            "00000000-0000-0000-0000-00000000000a".to_string(),
            "00000000-0000-0000-0000-000000000009".to_string(),
            "ffffffff-ffff-ffff-ffff-ffffffffffff".to_string(),
            "0".to_string(),
            "zz".to_string(),
            "9a3f0c1e".to_string(),
            "9a3f0c1e-77b2-4c1d-8e5f-00ffab12cd34x".to_string(),
        ];
        let mut ids: Vec<Id> = texts.iter().map(|t| Id::new(t)).collect();
        ids.sort();
        let mut sorted = texts.to_vec();
        sorted.sort();
        let got: Vec<String> = ids.iter().map(Id::to_string).collect();
        assert_eq!(got, sorted);
    }
}
