//! A JSON value in compact form, read without decoding the whole
//! notification: its members, its length, and its canonical text back.

use super::dictionary::{dictionary_word, is_known_word, CARD_ID, INDEX_BASE, OPERATION_ID, TOKEN};
use crate::json::write_string;
use crate::wire::Place;

/// A JSON value in compact form (it holds no id markers).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct CompactValue<'a>(pub(super) &'a str);

impl<'a> CompactValue<'a> {
    /// The members of an object, as compact (key, value) texts, in order
    /// (empty for anything else).
    fn members(self) -> impl Iterator<Item = (&'a str, &'a str)> {
        let text = self.0;
        let mut at = usize::from(text.starts_with('{'));
        std::iter::from_fn(move || {
            let rest = text.get(at..)?;
            let key_len = value_len(rest.as_bytes());
            let key = rest.get(..key_len)?;
            // `}` ends the object; a key is a token or a quoted string.
            if key.is_empty() || key.starts_with('}') {
                return None;
            }
            let after_key = rest.get(key_len + 1..)?; // skip ':'
            let value_len = value_len(after_key.as_bytes());
            let value = after_key.get(..value_len)?;
            at += key_len + 1 + value_len + 1; // and ',' or '}'
            Some((key, value))
        })
    }

    /// True when the two objects have the same members besides those
    /// `place` names (dictionary words), compared in compact form: equal
    /// compact texts are equal values, since the encoding is canonical.
    pub(crate) fn same_members_but(self, other: CompactValue<'_>, place: Place) -> bool {
        let unknown = |(key, _): &(&str, &str)| match key.as_bytes() {
            [TOKEN, i] => !is_known_word(*i, place),
            _ => true,
        };
        self.members()
            .filter(unknown)
            .eq(other.members().filter(unknown))
    }

    /// The value, parsed.
    pub(crate) fn to_value(self) -> serde_json::Value {
        let mut text = String::with_capacity(self.0.len() * 2);
        decode_into(self.0, "", "", &mut text);
        serde_json::from_str(&text).unwrap_or(serde_json::Value::Null)
    }
}

/// The length of the compact value at the start of `bytes`.
pub(super) fn value_len(bytes: &[u8]) -> usize {
    match bytes.first() {
        Some(&TOKEN) => 2,
        Some(&(CARD_ID | OPERATION_ID)) => 1,
        Some(b'"') => string_len(bytes),
        Some(b'{' | b'[') => {
            let mut depth = 0usize;
            let mut i = 0;
            while let Some(&b) = bytes.get(i) {
                match b {
                    TOKEN => i += 2,
                    b'"' => i += bytes.get(i..).map_or(1, string_len),
                    b'{' | b'[' => {
                        depth += 1;
                        i += 1;
                    }
                    b'}' | b']' => {
                        depth = depth.saturating_sub(1);
                        i += 1;
                        if depth == 0 {
                            return i;
                        }
                    }
                    _ => i += 1,
                }
            }
            bytes.len()
        }
        _ => bytes
            .iter()
            .position(|b| !is_scalar_byte(*b))
            .unwrap_or(bytes.len()),
    }
}

/// The length of the JSON string token at the start of `bytes`.
fn string_len(bytes: &[u8]) -> usize {
    let mut i = 1;
    while let Some(&c) = bytes.get(i) {
        match c {
            b'\\' => i += 2,
            b'"' => return i + 1,
            _ => i += 1,
        }
    }
    bytes.len()
}

/// Bytes of numbers and literals.
fn is_scalar_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'+' | b'.')
}

/// Writes the canonical text of compact `bytes`.
pub(super) fn decode_into(compact: &str, card_id: &str, operation_id: &str, out: &mut String) {
    let mut rest = compact;
    while let Some(at) = rest.bytes().position(|b| b < INDEX_BASE) {
        out.push_str(rest.get(..at).unwrap_or_default());
        let tail = rest.get(at..).unwrap_or_default();
        let (skip, word) = match tail.as_bytes() {
            [TOKEN, i, ..] => (2, dictionary_word(*i)),
            [CARD_ID, ..] => (1, Some(card_id)),
            [OPERATION_ID, ..] => (1, Some(operation_id)),
            _ => (tail.len(), None),
        };
        if let Some(word) = word {
            write_string(word, out);
        }
        rest = tail.get(skip..).unwrap_or_default();
    }
    out.push_str(rest);
}
