//! A settled finding's evidence, packed: each key one character.
//!
//! Evidence is a JSON object whose keys are the checks' own constant names
//! (`permission_id`, `expires`, ...). Written out, the keys are half of it: about
//! 80 of 165 bytes a finding on a large tenant. Packed, each constant key is one
//! private-use character (U+E000 onwards) that indexes a table of key names kept
//! once for the process; any other key is kept as its JSON string. Each value stays
//! compact JSON text and ends with U+001E, which JSON text never holds raw.
//! [`unpack`] gives back the compact JSON object that `serde_json` writes for the
//! same keys and values, byte for byte.

use std::borrow::Cow;
use std::cell::RefCell;
use std::sync::{LazyLock, RwLock};

use rustc_hash::FxHashMap;
use serde_json::Value;

/// The character of key 0.
const FIRST: u32 = 0xE000;
/// Private-use characters available (U+E000 to U+F8FF).
const CAPACITY: u32 = 0x1900;
/// Ends each value.
const END: u8 = 0x1e;

/// Key names by index, for the whole process: the checks' constant names.
static KEYS: LazyLock<RwLock<Table>> = LazyLock::new(RwLock::default);

#[derive(Default)]
struct Table {
    names: Vec<&'static str>,
    index: FxHashMap<&'static str, u32>,
}

thread_local! {
    /// The characters this thread has looked up, by the name's address.
    static SEEN: RefCell<FxHashMap<(usize, usize), char>> = RefCell::default();
}

/// The character for a constant key name; `None` for a name that would need
/// escaping, or when the table is full.
fn key_char(key: &'static str) -> Option<char> {
    let addr = (key.as_ptr() as usize, key.len());
    if let Some(c) = SEEN.with(|s| s.borrow().get(&addr).copied()) {
        return Some(c);
    }
    let plain = !key.is_empty()
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'));
    if !plain {
        return None;
    }
    let known = KEYS.read().ok()?.index.get(key).copied();
    let index = match known {
        Some(i) => i,
        None => {
            let mut table = KEYS.write().ok()?;
            let next = table.names.len() as u32;
            match table.index.get(key) {
                Some(&i) => i,
                None if next < CAPACITY => {
                    table.names.push(key);
                    table.index.insert(key, next);
                    next
                }
                None => return None,
            }
        }
    };
    let c = char::from_u32(FIRST + index)?;
    SEEN.with(|s| s.borrow_mut().insert(addr, c));
    Some(c)
}

/// Packs named values, in order, onto the end of `out`.
pub fn pack(entries: &[(Cow<'static, str>, Value)], out: &mut Vec<u8>) {
    for (key, value) in entries {
        let interned = match key {
            Cow::Borrowed(k) => key_char(k),
            Cow::Owned(_) => None,
        };
        match interned {
            Some(c) => out.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes()),
            None => crate::json_string::push(out, key),
        }
        match value {
            Value::String(text) => crate::json_string::push(out, text),
            // Writing JSON into a vector cannot fail.
            other => {
                let _ = serde_json::to_writer(&mut *out, other);
            }
        }
        out.push(END);
    }
}

/// The packed entries as (key, value text) pairs; the key is JSON string text when
/// it was kept inline.
fn each<'a>(packed: &'a str, names: &[&'static str], mut f: impl FnMut(Key<'a>, &'a str)) {
    let mut rest = packed;
    while let Some(first) = rest.chars().next() {
        let (key, after) = if first == '"' {
            let end = string_end(rest);
            (Key::Json(&rest[..end]), &rest[end..])
        } else {
            let name = (first as u32)
                .checked_sub(FIRST)
                .and_then(|i| names.get(i as usize))
                .copied()
                .unwrap_or("");
            (Key::Plain(name), &rest[first.len_utf8()..])
        };
        let end = after.find(END as char).unwrap_or(after.len());
        f(key, &after[..end]);
        rest = after.get(end + 1..).unwrap_or("");
    }
}

enum Key<'a> {
    /// A constant name, written as is between quotes.
    Plain(&'static str),
    /// A JSON string, quotes included.
    Json(&'a str),
}

/// The length of the JSON string at the start of `s`, quotes included.
fn string_end(s: &str) -> usize {
    let bytes = s.as_bytes();
    let mut i = 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'"' => return i + 1,
            _ => i += 1,
        }
    }
    bytes.len()
}

/// The compact JSON object of packed evidence, appended to `out`.
pub fn unpack(packed: &str, out: &mut impl Text) {
    let Ok(table) = KEYS.read() else { return };
    out.put("{");
    let mut first = true;
    each(packed, &table.names, |key, value| {
        if !first {
            out.put(",");
        }
        first = false;
        match key {
            Key::Plain(name) => {
                out.put("\"");
                out.put(name);
                out.put("\"");
            }
            Key::Json(text) => out.put(text),
        }
        out.put(":");
        out.put(value);
    });
    out.put("}");
}

/// Where [`unpack`] appends: a `String`, or the byte buffer of a report being
/// rendered.
pub trait Text {
    fn put(&mut self, s: &str);
}

impl Text for String {
    fn put(&mut self, s: &str) {
        self.push_str(s);
    }
}

impl Text for Vec<u8> {
    fn put(&mut self, s: &str) {
        self.extend_from_slice(s.as_bytes());
    }
}

/// Calls `f` with each name and its value's compact JSON text, in order, without
/// parsing the values.
pub fn for_each(packed: &str, mut f: impl FnMut(Cow<'_, str>, &str)) {
    let Ok(table) = KEYS.read() else { return };
    each(packed, &table.names, |key, value| {
        let key = match key {
            Key::Plain(name) => Cow::Borrowed(name),
            Key::Json(text) => Cow::Owned(serde_json::from_str(text).unwrap_or_default()),
        };
        f(key, value);
    });
}

/// The named values of packed evidence, in order.
pub fn entries(packed: &str) -> Vec<(String, Value)> {
    let Ok(table) = KEYS.read() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    each(packed, &table.names, |key, value| {
        let key = match key {
            Key::Plain(name) => name.to_string(),
            Key::Json(text) => serde_json::from_str(text).unwrap_or_default(),
        };
        out.push((key, serde_json::from_str(value).unwrap_or(Value::Null)));
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn round_trip(entries: Vec<(Cow<'static, str>, Value)>) {
        let mut packed = Vec::new();
        pack(&entries, &mut packed);
        let packed = String::from_utf8(packed).unwrap();
        let mut map = serde_json::Map::new();
        let mut expected = String::from("{");
        for (i, (k, v)) in entries.iter().enumerate() {
            if i > 0 {
                expected.push(',');
            }
            expected.push_str(&serde_json::to_string(k.as_ref()).unwrap());
            expected.push(':');
            expected.push_str(&serde_json::to_string(v).unwrap());
            map.insert(k.to_string(), v.clone());
        }
        expected.push('}');
        let mut json = String::new();
        unpack(&packed, &mut json);
        assert_eq!(json, expected);
        let named: Vec<(String, Value)> = entries
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect();
        assert_eq!(super::entries(&packed), named);
        let mut texts = Vec::new();
        for_each(&packed, |k, v| texts.push((k.into_owned(), v.to_string())));
        let expected_texts: Vec<(String, String)> = entries
            .iter()
            .map(|(k, v)| (k.to_string(), serde_json::to_string(v).unwrap()))
            .collect();
        assert_eq!(texts, expected_texts);
        assert!(packed.len() < json.len() || entries.is_empty());
    }

    #[test]
    fn packed_evidence_unpacks_to_serde_json_text() {
        round_trip(Vec::new());
        round_trip(vec![
            (
                Cow::Borrowed("permission"),
                json!("Directory.ReadWrite.All"),
            ),
            (Cow::Borrowed("tier"), json!(0)),
            (Cow::Borrowed("expires"), Value::Null),
            (Cow::Borrowed("scopes"), json!(["a\"b", "c\u{1}d", "é"])),
            (Cow::Borrowed("nested"), json!({"k": [1, 2.5, true]})),
        ]);
        // Keys that are not plain constants, and owned ones, are kept whole.
        round_trip(vec![
            (Cow::Borrowed("needs \"escaping\""), json!("x")),
            (Cow::Owned("thawed_key".to_string()), json!(1)),
            (Cow::Borrowed(""), json!("")),
            (Cow::Borrowed("permission"), json!("again")),
        ]);
    }
}
