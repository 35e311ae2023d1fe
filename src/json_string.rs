//! JSON string literals written fast, byte for byte as serde_json writes them.
//!
//! serde_json escapes a string a byte at a time. Reports write millions of
//! strings that need no escaping at all (names, ids, messages), so [`push`]
//! checks sixteen bytes at a time and copies runs whole; the output is the same.

/// Appends `s` as a JSON string, escaped exactly as serde_json escapes it: `"`
/// and `\\`, the short forms `\\b \\t \\n \\f \\r`, and other controls as `\\u00xx`.
pub fn push(buf: &mut Vec<u8>, s: &str) {
    buf.reserve(s.len() + 2);
    buf.push(b'"');
    push_unquoted(buf, s);
    buf.push(b'"');
}

/// Appends what [`push`] appends between the quotes: `s` escaped, so that a
/// string literal can be made of a fixed prefix and an escaped value.
pub fn push_unquoted(buf: &mut Vec<u8>, s: &str) {
    fn special(b: u8) -> bool {
        b < 0x20 || b == b'"' || b == b'\\'
    }
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let bytes = s.as_bytes();
    let (mut run, mut i) = (0, 0);
    while i < bytes.len() {
        // Sixteen bytes at a time while none needs escaping (the test is branch-free,
        // so the compiler can check the sixteen at once).
        if let Some(block) = bytes.get(i..i + 16)
            && !block.iter().fold(false, |any, &b| any | special(b))
        {
            i += 16;
            continue;
        }
        let b = bytes[i];
        i += 1;
        if !special(b) {
            continue;
        }
        buf.extend_from_slice(&bytes[run..i - 1]);
        run = i;
        match b {
            b'"' => buf.extend_from_slice(b"\\\""),
            b'\\' => buf.extend_from_slice(b"\\\\"),
            0x08 => buf.extend_from_slice(b"\\b"),
            b'\t' => buf.extend_from_slice(b"\\t"),
            b'\n' => buf.extend_from_slice(b"\\n"),
            0x0c => buf.extend_from_slice(b"\\f"),
            b'\r' => buf.extend_from_slice(b"\\r"),
            _ => buf.extend_from_slice(&[
                b'\\',
                b'u',
                b'0',
                b'0',
                HEX[usize::from(b >> 4)],
                HEX[usize::from(b & 0xf)],
            ]),
        }
    }
    buf.extend_from_slice(&bytes[run..]);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_ascii_character_is_escaped_as_serde_escapes_it_at_every_offset() {
        for c in (0u8..0x80).map(char::from) {
            for offset in 0..40 {
                let s = format!("{}{c}{}", "a".repeat(offset), "é".repeat(40 - offset));
                let mut ours = Vec::new();
                push(&mut ours, &s);
                assert_eq!(
                    String::from_utf8(ours).unwrap(),
                    serde_json::to_string(&s).unwrap()
                );
            }
        }
    }

    proptest::proptest! {
        /// Any string is escaped as serde_json escapes it.
        #[test]
        fn strings_are_escaped_as_serde_escapes_them(s in "(\\PC|[\\x00-\\x1f\"\\\\]){0,80}") {
            let mut ours = Vec::new();
            push(&mut ours, &s);
            proptest::prop_assert_eq!(String::from_utf8(ours).unwrap(), serde_json::to_string(&s).unwrap());
        }
    }
}
