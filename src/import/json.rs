//! Position-preserving, case-insensitive access to JSON objects.
//!
//! Exports spell the same field `passwordCredentials` (Graph), `PasswordCredentials`
//! (PowerShell) or tuck it into `AdditionalProperties`. [`Obj`] looks a key up in all
//! of those places. Values stay borrowed [`RawValue`]s until a field is read, so every
//! object and array element keeps its byte offset in the file, which [`LineIndex`]
//! turns into the 1-based line that reports cite.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;

/// Maps byte offsets of one file's text to 1-based line numbers.
///
/// It keeps the number of newlines before every [`LineIndex::BLOCK`]th byte, and
/// counts the newlines between that block's start and the offset when asked. A
/// pretty-printed export has a newline every 20 to 40 bytes: an index of every
/// newline would be as large as the text, and even visiting each newline once to
/// keep every 16th was 3 % of a scan's time. Counting newlines a block at a time
/// runs at memory speed, and the index is an eighth of a percent of the text.
pub struct LineIndex<'a> {
    text: &'a str,
    /// `lines_before[i]` is the number of newlines in `text[..i * BLOCK]`; the
    /// last entry counts the whole text.
    lines_before: Vec<usize>,
    /// The line `text` starts on in its file (1 unless the text is a later part of it).
    first_line: u32,
}

impl<'a> LineIndex<'a> {
    /// Bytes per counted block.
    const BLOCK: usize = 1024;

    pub fn new(text: &'a str) -> Self {
        Self::starting_at(text, 1)
    }

    /// The index of a part of a file that starts on line `first_line`.
    pub fn starting_at(text: &'a str, first_line: u32) -> Self {
        let bytes = text.as_bytes();
        let mut lines_before = Vec::with_capacity(bytes.len() / Self::BLOCK + 2);
        let mut total = 0;
        for block in bytes.chunks(Self::BLOCK) {
            lines_before.push(total);
            total += memchr::memchr_iter(b'\n', block).count();
        }
        lines_before.push(total);
        LineIndex {
            text,
            lines_before,
            first_line,
        }
    }

    /// The line on which `raw` (a slice of this file's text) starts.
    pub fn line_of(&self, raw: &RawValue) -> u32 {
        let offset = (raw.get().as_ptr() as usize).saturating_sub(self.text.as_ptr() as usize);
        self.line_at(offset)
    }

    /// The 1-based line of byte `offset`.
    pub fn line_at(&self, offset: usize) -> u32 {
        let offset = offset.min(self.text.len());
        let block = offset / Self::BLOCK;
        let from = block * Self::BLOCK;
        let between = memchr::memchr_iter(b'\n', &self.text.as_bytes()[from..offset]).count();
        // Lines past u32::MAX (a file of over 4 billion lines) read as the last one.
        u32::try_from(self.lines_before[block] + between)
            .unwrap_or(u32::MAX)
            .saturating_add(self.first_line)
    }
}

/// A JSON object whose values are still unparsed.
#[derive(Default)]
pub struct Obj<'a> {
    fields: Vec<(Cow<'a, str>, &'a RawValue)>,
    /// Graph PowerShell's `AdditionalProperties` bag, searched after the object itself.
    extra: Option<Box<Obj<'a>>>,
}

/// The JSON type of a raw value, from its first byte.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JsonType {
    Object,
    Array,
    String,
    Number,
    Bool,
    Null,
}

impl JsonType {
    pub fn of(raw: &RawValue) -> JsonType {
        match raw.get().as_bytes().first() {
            Some(b'{') => JsonType::Object,
            Some(b'[') => JsonType::Array,
            Some(b'"') => JsonType::String,
            Some(b't' | b'f') => JsonType::Bool,
            Some(b'n') => JsonType::Null,
            _ => JsonType::Number,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            JsonType::Object => "an object",
            JsonType::Array => "an array",
            JsonType::String => "a string",
            JsonType::Number => "a number",
            JsonType::Bool => "a boolean",
            JsonType::Null => "null",
        }
    }
}

impl<'a> Obj<'a> {
    /// Parses `raw` as an object; `None` when it is not one.
    pub fn parse(raw: &'a RawValue) -> Option<Obj<'a>> {
        if JsonType::of(raw) != JsonType::Object {
            return None;
        }
        let fields = parse_fields(raw)?;
        let mut obj = Obj {
            fields,
            extra: None,
        };
        if let Some(bag) = obj.exact("AdditionalProperties").and_then(parse_fields) {
            obj.extra = Some(Box::new(Obj {
                fields: bag,
                extra: None,
            }));
        }
        Some(obj)
    }

    fn exact(&self, key: &str) -> Option<&'a RawValue> {
        self.fields
            .iter()
            .find(|(k, _)| k.as_ref() == key)
            .map(|(_, v)| *v)
    }

    /// The raw value of `key`, matched exactly, then case-insensitively, then in
    /// `AdditionalProperties`. JSON `null` reads as absent.
    pub fn get(&self, key: &str) -> Option<&'a RawValue> {
        // One pass: an exact match wins, else the first case-insensitive one.
        let mut folded = None;
        let mut found = None;
        for (k, v) in &self.fields {
            if k.as_ref() == key {
                found = Some(*v);
                break;
            }
            if folded.is_none() && k.eq_ignore_ascii_case(key) {
                folded = Some(*v);
            }
        }
        let found = found.or(folded);
        match found {
            Some(v) if JsonType::of(v) == JsonType::Null => None,
            Some(v) => Some(v),
            None => self.extra.as_ref().and_then(|e| e.get(key)),
        }
    }

    /// True when the key is present at all, even as `null`.
    pub fn has(&self, key: &str) -> bool {
        self.fields.iter().any(|(k, _)| k.eq_ignore_ascii_case(key))
            || self.extra.as_ref().is_some_and(|e| e.has(key))
    }

    /// Field names, for shape sniffing.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.fields.iter().map(|(k, _)| k.as_ref())
    }

    /// A string field. Numbers and booleans are not converted.
    pub fn str(&self, key: &str) -> Option<String> {
        self.str_ref(key).map(Cow::into_owned)
    }

    /// A string field, borrowed from the input unless it holds escapes.
    pub fn str_ref(&self, key: &str) -> Option<Cow<'a, str>> {
        let raw = self.get(key)?;
        if JsonType::of(raw) != JsonType::String {
            return None;
        }
        // The value was validated when it was read: without a backslash, its text
        // between the quotes is the string.
        let quoted = raw.get();
        match quoted.get(1..quoted.len() - 1) {
            Some(inner) if !inner.contains('\\') => Some(Cow::Borrowed(inner)),
            _ => serde_json::from_str::<String>(quoted).ok().map(Cow::Owned),
        }
    }

    /// A non-empty string field.
    pub fn text(&self, key: &str) -> Option<String> {
        self.str(key).filter(|s| !s.trim().is_empty())
    }

    /// A boolean field; also accepts the strings "true"/"false" (PowerShell enums).
    pub fn bool(&self, key: &str) -> Option<bool> {
        let raw = self.get(key)?;
        match raw.get() {
            "true" | "\"true\"" | "\"True\"" => Some(true),
            "false" | "\"false\"" | "\"False\"" => Some(false),
            _ => None,
        }
    }

    /// An integer field.
    pub fn int(&self, key: &str) -> Option<i64> {
        serde_json::from_str(self.get(key)?.get()).ok()
    }

    /// An array field's elements. A single non-array value reads as a one-element
    /// array, as PowerShell writes one-element collections.
    pub fn array(&self, key: &str) -> Option<Vec<&'a RawValue>> {
        let raw = self.get(key)?;
        Some(elements(raw))
    }

    /// An object field.
    pub fn obj(&self, key: &str) -> Option<Obj<'a>> {
        Obj::parse(self.get(key)?)
    }

    /// A list of strings (non-strings are dropped).
    pub fn strings(&self, key: &str) -> Vec<String> {
        self.array(key)
            .unwrap_or_default()
            .into_iter()
            .filter_map(|r| serde_json::from_str::<String>(r.get()).ok())
            .collect()
    }
}

/// The elements of an array, or the value itself when it is not an array.
pub fn elements(raw: &RawValue) -> Vec<&RawValue> {
    match JsonType::of(raw) {
        JsonType::Array => serde_json::from_str::<Vec<&RawValue>>(raw.get()).unwrap_or_default(),
        JsonType::Null => Vec::new(),
        _ => vec![raw],
    }
}

/// The first `n` elements of an array (`raw` itself when it is no array), without
/// reading the rest: sniffing a 100 MB array looks at its head only.
pub fn first_elements(raw: &RawValue, n: usize) -> Vec<&RawValue> {
    match JsonType::of(raw) {
        JsonType::Array => {
            let mut out = Vec::new();
            let mut de = serde_json::Deserializer::from_str(raw.get());
            // The visitor stops with an error once it has `n` elements; what it took stays.
            let _ = de.deserialize_seq(TakeElements { n, out: &mut out });
            out
        }
        JsonType::Null => Vec::new(),
        _ => vec![raw],
    }
}

/// True when `raw` is `[]` (whitespace allowed inside).
pub fn is_empty_array(raw: &RawValue) -> bool {
    raw.get()
        .strip_prefix('[')
        .is_some_and(|rest| rest.trim_start().starts_with(']'))
}

struct TakeElements<'a, 'v> {
    n: usize,
    out: &'v mut Vec<&'a RawValue>,
}

impl<'de> Visitor<'de> for TakeElements<'de, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON array")
    }

    fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while self.out.len() < self.n {
            match seq.next_element::<&'de RawValue>()? {
                Some(v) => self.out.push(v),
                None => return Ok(()),
            }
        }
        Err(de::Error::custom("enough elements for sniffing"))
    }
}

/// A string value, if `raw` is one.
pub fn as_string(raw: &RawValue) -> Option<String> {
    if JsonType::of(raw) != JsonType::String {
        return None;
    }
    serde_json::from_str(raw.get()).ok()
}

/// A top-level object read in one pass for paging: its `@odata.context` (or legacy
/// `odata.metadata`) and, when `value` is an array, that array's elements.
#[derive(Default)]
pub struct Page<'a> {
    pub context: Option<String>,
    pub items: Option<Vec<&'a RawValue>>,
}

/// Reads a Graph page without scanning its (possibly huge) `value` array twice.
/// `None` when `raw` is not an object.
pub fn page(raw: &RawValue) -> Option<Page<'_>> {
    if JsonType::of(raw) != JsonType::Object {
        return None;
    }
    let mut de = serde_json::Deserializer::from_str(raw.get());
    de.deserialize_map(PageVisitor).ok()
}

struct PageVisitor;

impl<'de> Visitor<'de> for PageVisitor {
    type Value = Page<'de>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Page<'de>, A::Error> {
        let mut page = Page::default();
        while let Some(key) = map.next_key::<Key<'de>>()? {
            match key.0.as_ref() {
                "value" => page.items = map.next_value::<MaybeArray<'de>>()?.0,
                "@odata.context" | "odata.metadata" => {
                    page.context = map.next_value::<Option<String>>().ok().flatten();
                }
                _ => {
                    map.next_value::<de::IgnoredAny>()?;
                }
            }
        }
        Ok(page)
    }
}

/// A top-level object whose array fields are split into elements in the same
/// pass (for exports that are a few big arrays, such as AWS authorization
/// details). Non-array fields keep only booleans; objects and strings are skipped.
#[derive(Default)]
pub struct ArrayFields<'a> {
    pub arrays: Vec<(Cow<'a, str>, Vec<&'a RawValue>)>,
    pub bools: Vec<(Cow<'a, str>, bool)>,
}

impl<'a> ArrayFields<'a> {
    pub fn array(&self, key: &str) -> &[&'a RawValue] {
        self.arrays
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_slice())
            .unwrap_or(&[])
    }

    pub fn bool(&self, key: &str) -> Option<bool> {
        self.bools.iter().find(|(k, _)| k == key).map(|(_, v)| *v)
    }
}

/// Reads an object's array fields in one pass; `None` when `raw` is not an object.
pub fn array_fields(raw: &RawValue) -> Option<ArrayFields<'_>> {
    if JsonType::of(raw) != JsonType::Object {
        return None;
    }
    let mut de = serde_json::Deserializer::from_str(raw.get());
    de.deserialize_map(ArrayFieldsVisitor).ok()
}

/// [`array_fields`] over a whole file's text that holds exactly one object (and
/// whitespace): one scan, where splitting the file into documents first would
/// take two. `None` when the text is anything else, or not valid JSON.
pub fn array_fields_text(text: &str) -> Option<ArrayFields<'_>> {
    let mut de = serde_json::Deserializer::from_str(text);
    let fields = de.deserialize_map(ArrayFieldsVisitor).ok()?;
    de.end().ok()?;
    Some(fields)
}

struct ArrayFieldsVisitor;

impl<'de> Visitor<'de> for ArrayFieldsVisitor {
    type Value = ArrayFields<'de>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<ArrayFields<'de>, A::Error> {
        let mut out = ArrayFields::default();
        while let Some(key) = map.next_key::<Key<'de>>()? {
            let field = map.next_value::<MaybeArray<'de>>()?;
            if let Some(items) = field.0 {
                out.arrays.push((key.0, items));
            } else if let Some(b) = field.1 {
                out.bools.push((key.0, b));
            }
        }
        Ok(out)
    }
}

/// The elements of a JSON array as raw values (`.0`), or the value of a boolean
/// (`.1`); other values are skipped.
struct MaybeArray<'a>(Option<Vec<&'a RawValue>>, Option<bool>);

impl<'de> de::Deserialize<'de> for MaybeArray<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = MaybeArray<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(64));
                while let Some(item) = seq.next_element::<&'de RawValue>()? {
                    out.push(item);
                }
                Ok(MaybeArray(Some(out), None))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                while map
                    .next_entry::<de::IgnoredAny, de::IgnoredAny>()?
                    .is_some()
                {}
                Ok(MaybeArray(None, None))
            }
            fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
                Ok(MaybeArray(None, None))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
                Ok(MaybeArray(None, Some(v)))
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
                Ok(MaybeArray(None, None))
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
                Ok(MaybeArray(None, None))
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
                Ok(MaybeArray(None, None))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(MaybeArray(None, None))
            }
        }
        d.deserialize_any(V)
    }
}

fn parse_fields(raw: &RawValue) -> Option<Vec<(Cow<'_, str>, &RawValue)>> {
    let mut de = serde_json::Deserializer::from_str(raw.get());
    de.deserialize_map(FieldsVisitor).ok()
}

struct FieldsVisitor;

impl<'de> Visitor<'de> for FieldsVisitor {
    type Value = Vec<(Cow<'de, str>, &'de RawValue)>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut out = Vec::with_capacity(map.size_hint().unwrap_or(16));
        while let Some(key) = map.next_key::<Key<'de>>()? {
            let value: &'de RawValue = map.next_value()?;
            out.push((key.0, value));
        }
        Ok(out)
    }
}

/// A map key that borrows from the input when it holds no escapes.
struct Key<'a>(Cow<'a, str>);

impl<'de> de::Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string key")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v.to_owned())))
            }
        }
        d.deserialize_str(KeyVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(s: &str) -> &RawValue {
        serde_json::from_str(s).unwrap()
    }

    #[test]
    fn line_index_matches_a_naive_count_at_every_offset() {
        // Line lengths vary so that block boundaries fall everywhere; includes empty
        // lines, a leading newline and a text without a final newline, over several
        // blocks; and a text of exactly two blocks.
        let mut text = String::from("\n");
        for i in 0..1000 {
            text.push_str(&"x".repeat(i % 7));
            text.push('\n');
        }
        text.push_str("tail");
        assert!(text.len() > 3 * LineIndex::BLOCK);
        let exact = "abc\n".repeat(LineIndex::BLOCK / 2);
        for text in [text.as_str(), exact.as_str()] {
            let index = LineIndex::starting_at(text, 5);
            for offset in 0..=text.len() {
                let naive = text.as_bytes()[..offset]
                    .iter()
                    .filter(|&&b| b == b'\n')
                    .count()
                    + 5;
                assert_eq!(index.line_at(offset) as usize, naive, "offset {offset}");
            }
        }
        assert_eq!(
            LineIndex::new(&text).line_at(text.len() + 10),
            1002,
            "clamped past the end"
        );
        assert_eq!(LineIndex::new("").line_at(0), 1);
    }

    #[test]
    fn first_elements_stop_at_the_count_and_keep_order() {
        let doc = raw(r#"[{"a":1}, [2], "three", 4, {"five":[5]}]"#);
        let head: Vec<&str> = first_elements(doc, 3).iter().map(|v| v.get()).collect();
        assert_eq!(head, [r#"{"a":1}"#, "[2]", r#""three""#]);
        assert_eq!(first_elements(doc, 10).len(), 5);
        assert!(first_elements(raw("[]"), 64).is_empty());
        assert!(first_elements(raw("null"), 64).is_empty());
        // Not an array: the value itself, as `elements` does.
        assert_eq!(first_elements(raw(r#"{"x":1}"#), 64).len(), 1);
    }

    #[test]
    fn empty_arrays_are_recognised_from_their_text() {
        assert!(is_empty_array(raw("[]")));
        assert!(is_empty_array(raw("[ \n\t ]")));
        assert!(!is_empty_array(raw("[1]")));
        assert!(!is_empty_array(raw("{}")));
    }

    #[test]
    fn looks_up_case_insensitively_and_in_additional_properties() {
        let r = raw(
            r##"{"Id":"1","AppId":null,"AdditionalProperties":{"@odata.type":"#microsoft.graph.user","userPrincipalName":"a@b"}}"##,
        );
        let o = Obj::parse(r).unwrap();
        assert_eq!(o.str("id").as_deref(), Some("1"));
        assert_eq!(o.str("appId"), None);
        assert!(o.has("appId"));
        assert_eq!(
            o.str("@odata.type").as_deref(),
            Some("#microsoft.graph.user")
        );
        assert_eq!(o.str("UserPrincipalName").as_deref(), Some("a@b"));
    }

    #[test]
    fn single_values_read_as_one_element_arrays() {
        let o = Obj::parse(raw(r#"{"a":{"x":1},"b":[1,2],"c":null}"#)).unwrap();
        assert_eq!(o.array("a").unwrap().len(), 1);
        assert_eq!(o.array("b").unwrap().len(), 2);
        assert!(o.array("c").is_none());
    }

    #[test]
    fn line_index_reports_the_line_an_element_starts_on() {
        let text = "{\n \"value\": [\n  {\"id\":1},\n  {\"id\":2}\n ]\n}";
        let lines = LineIndex::new(text);
        let top: &RawValue = serde_json::from_str(text).unwrap();
        let o = Obj::parse(top).unwrap();
        let items = o.array("value").unwrap();
        assert_eq!(lines.line_of(items[0]), 3);
        assert_eq!(lines.line_of(items[1]), 4);
    }

    #[test]
    fn pages_yield_context_and_items_in_one_pass() {
        let p = page(raw(
            r#"{"@odata.context":"ctx","value":[{"a":1},2],"x":{"y":[]}}"#,
        ))
        .unwrap();
        assert_eq!(p.context.as_deref(), Some("ctx"));
        assert_eq!(p.items.unwrap().len(), 2);
        let single = page(raw(r#"{"keyId":"k","value":"not an array"}"#)).unwrap();
        assert!(single.items.is_none() && single.context.is_none());
        assert!(page(raw("[1]")).is_none());
    }

    #[test]
    fn escaped_keys_are_decoded() {
        let o = Obj::parse(raw(r#"{"a\u0062c":"x"}"#)).unwrap();
        assert_eq!(o.str("abc").as_deref(), Some("x"));
    }

    #[test]
    fn strings_read_the_same_with_and_without_escapes() {
        let o = Obj::parse(raw(
            r#"{"plain":"a b","escaped":"a\"b\u00e9\\","empty":"","unicode":"é✓","n":1}"#,
        ))
        .unwrap();
        assert_eq!(o.str("plain").as_deref(), Some("a b"));
        assert_eq!(o.str("escaped").as_deref(), Some("a\"bé\\"));
        assert_eq!(o.str("empty").as_deref(), Some(""));
        assert_eq!(o.str("unicode").as_deref(), Some("é✓"));
        assert_eq!(o.str("n"), None);
    }

    #[test]
    fn an_exact_key_wins_over_an_earlier_case_insensitive_one() {
        let o = Obj::parse(raw(r#"{"AppId":"pascal","appId":"camel"}"#)).unwrap();
        assert_eq!(o.str("appId").as_deref(), Some("camel"));
        assert_eq!(o.str("APPID").as_deref(), Some("pascal"));
    }
}
