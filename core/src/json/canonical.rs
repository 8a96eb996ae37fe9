//! Canonical JSON: how a value is written so that equal content gives equal bytes.
//!
//! The canonical form is written here rather than left to `serde_json`'s map
//! ordering: if any crate in a host's build enabled `serde_json/preserve_order`,
//! maps would keep wire order and duplicates would stop matching.

use serde_json::{Number, Value};

use super::Node;

/// Writes `value` in canonical form: object keys sorted bytewise, no
/// insignificant white space, strings escaped as `serde_json` escapes them,
/// numbers as `serde_json` prints them.
///
/// ```
/// let v: serde_json::Value = serde_json::from_str(r#"{ "b": [1, "x"], "a": null }"#).unwrap();
/// assert_eq!(d1_tracking::canonical_string(&v), r#"{"a":null,"b":[1,"x"]}"#);
/// ```
pub fn canonical_string(value: &Value) -> String {
    let mut out = String::new();
    write_canonical(&Node::from_value(value), &mut out);
    out
}

/// Writes `node` in canonical form (its members are already sorted).
pub(crate) fn write_canonical(node: &Node<'_>, out: &mut String) {
    match node {
        Node::Object(members) => {
            out.push('{');
            for (i, (key, v)) in members.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_string(key, out);
                out.push(':');
                write_canonical(v, out);
            }
            out.push('}');
        }
        Node::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_canonical(item, out);
            }
            out.push(']');
        }
        Node::String(s) => write_string(s, out),
        Node::Null => out.push_str("null"),
        Node::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Node::Number(n) => write_number(n, out),
        // An integer's literal is its canonical text.
        Node::Integer(t) => out.push_str(t),
    }
}

/// Writes a number in its one canonical spelling: integers as digits,
/// anything else as the shortest text that reads back as the same `f64`.
///
/// Not `Number`'s `Display`: with `serde_json/arbitrary_precision` switched
/// on anywhere in a host's build, a number keeps its input text (`1e15`,
/// `7.50`), and the canonical form, hence duplicate detection and snapshot
/// bytes, would depend on that feature.
pub(crate) fn write_number(n: &Number, out: &mut String) {
    if let Some(u) = n.as_u64() {
        out.push_str(itoa::Buffer::new().format(u));
    } else if let Some(i) = n.as_i64().filter(|i| *i != 0) {
        // 0 is `as_u64`; an `i64` 0 here is `-0`, a float for serde_json.
        out.push_str(itoa::Buffer::new().format(i));
    } else if let Some(f) = n.as_f64().filter(|f| f.is_finite()) {
        // serde_json's own float writer, the one `Display` uses without
        // arbitrary precision.
        match serde_json::to_string(&f) {
            Ok(text) => out.push_str(&text),
            Err(_) => out.push_str("null"),
        }
    } else {
        out.push_str("null");
    }
}

pub(crate) fn write_string(s: &str, out: &mut String) {
    // Most strings need no escape: copy them. Others go through serde_json,
    // so the escapes are exactly serde_json's.
    if plain_len(s.as_bytes()) == s.len() {
        out.reserve(s.len() + 2);
        out.push('"');
        out.push_str(s);
        out.push('"');
    } else {
        // Serialising a &str to JSON cannot fail.
        out.push_str(&serde_json::to_string(s).unwrap_or_default());
    }
}

/// How many bytes at the start of `bytes` stand for themselves inside a
/// JSON string: the position of the first quote, backslash or control
/// character, or the length.
///
/// Strings are most of a D1 body, so this looks at eight bytes at a time.
pub(crate) fn plain_len(bytes: &[u8]) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    // High bit of each byte that is zero (exact for the lowest one, which is
    // all that is read).
    let zero = |v: u64| v.wrapping_sub(ONES) & !v & HIGH;
    let mut chunks = bytes.chunks_exact(8);
    let mut at = 0;
    for chunk in &mut chunks {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let v = u64::from_le_bytes(word);
        let special = zero(v ^ (ONES * u64::from(b'"')))
            | zero(v ^ (ONES * u64::from(b'\\')))
            | (v.wrapping_sub(ONES * 0x20) & !v & HIGH);
        if special != 0 {
            return at + (special.trailing_zeros() / 8) as usize;
        }
        at += 8;
    }
    let tail = chunks.remainder();
    at + tail
        .iter()
        .position(|&b| b < 0x20 || b == b'"' || b == b'\\')
        .unwrap_or(tail.len())
}

/// The JSON type of a value, for messages ("found a number").
pub(crate) fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// The JSON type of a node, for messages ("found a number").
pub(crate) fn node_type_name(node: &Node<'_>) -> &'static str {
    match node {
        Node::Null => "null",
        Node::Bool(_) => "a boolean",
        Node::Number(_) | Node::Integer(_) => "a number",
        Node::String(_) => "a string",
        Node::Array(_) => "an array",
        Node::Object(_) => "an object",
    }
}

/// A value for an error message: quoted as JSON, and cut short when long (a
/// message must not echo a megabyte back).
pub(crate) fn quoted(s: &str) -> String {
    const MAX_CHARS: usize = 64;
    if s.chars().count() <= MAX_CHARS {
        serde_json::to_string(s).unwrap_or_default()
    } else {
        let head: String = s.chars().take(MAX_CHARS).collect();
        format!("{}…", serde_json::to_string(&head).unwrap_or_default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(node: &Node<'_>) -> usize {
        1 + match node {
            Node::Array(items) => items.iter().map(values).sum(),
            Node::Object(members) => members.iter().map(|(_, v)| values(v)).sum(),
            _ => 0,
        }
    }

    proptest::proptest! {
        /// `n` values take at least `2n - 1` bytes in canonical form (what
        /// `Config::max_operation_values` relies on).
        #[test]
        fn values_take_two_bytes_each_but_one(
            text in proptest::sample::select(vec![
                "0", "[]", "{}", "[0,0]", "[[],[]]", r#"{"":0}"#, r#"{"a":[0,{}],"b":""}"#,
                "[[[[0]]]]", r#"[{"":[]},{"":{}}]"#, "[null,true,false,-1,\"\"]",
            ]),
            repeat in 1usize..4,
        ) {
            let text = format!("[{}]", vec![text; repeat].join(","));
            let node: Node = serde_json::from_str(&text).expect("JSON");
            let mut out = String::new();
            write_canonical(&node, &mut out);
            proptest::prop_assert!(out.len() + 1 >= 2 * values(&node), "{}", text);
        }
    }

    /// The spellings every build must write, whatever serde_json features
    /// the host's build switches on (test.sh runs the suite with
    /// `arbitrary_precision` and `preserve_order` too).
    #[test]
    fn numbers_have_one_spelling_whatever_the_features() {
        for (input, canonical) in [
            ("0", "0"),
            ("-0", "-0.0"),
            ("7", "7"),
            ("-7", "-7"),
            ("7.5", "7.5"),
            ("7.50", "7.5"),
            ("1e15", "1000000000000000.0"),
            ("1E+2", "100.0"),
            ("0.1", "0.1"),
            ("18446744073709551615", "18446744073709551615"),
            ("-9223372036854775808", "-9223372036854775808"),
            ("18446744073709551616", "1.8446744073709552e+19"),
            ("123456789012345678901234567890", "1.2345678901234568e+29"),
        ] {
            let value: Value = serde_json::from_str(input).expect("a number");
            assert_eq!(canonical_string(&value), canonical, "{input}");
            let node: Node = serde_json::from_str(input).expect("a number");
            let mut out = String::new();
            write_canonical(&node, &mut out);
            assert_eq!(out, canonical, "{input} as a node");
        }
    }

    #[test]
    fn plain_len_finds_the_first_byte_to_escape() {
        let slow = |b: &[u8]| {
            b.iter()
                .position(|&c| c < 0x20 || c == b'"' || c == b'\\')
                .unwrap_or(b.len())
        };
        let mut cases: Vec<Vec<u8>> = vec![Vec::new(), b"plain text of some length".to_vec()];
        for special in [b'"', b'\\', 0x00, 0x1f, b'\n'] {
            for len in 0..20 {
                for at in 0..len {
                    let mut v: Vec<u8> = (0..len).map(|i| b'a' + (i % 26) as u8).collect();
                    v[at] = special;
                    // Bytes around the special one that must not be taken for it.
                    if at + 1 < len {
                        v[at + 1] = 0x80 | special;
                    }
                    if at > 0 {
                        v[at - 1] = 0x20;
                    }
                    cases.push(v);
                }
            }
        }
        cases.push("é😀\u{7f}\u{80}".as_bytes().to_vec());
        for case in cases {
            assert_eq!(plain_len(&case), slow(&case), "{case:?}");
        }
    }

    #[test]
    fn canonical_sorts_keys_and_drops_white_space() {
        let a: Value = serde_json::from_str(r#"{ "b": [1, {"y":2,"x":"é\n"}], "a": null }"#)
            .expect("valid JSON");
        assert_eq!(
            canonical_string(&a),
            r#"{"a":null,"b":[1,{"x":"é\n","y":2}]}"#
        );
    }

    /// Found by fuzzing: without serde_json's float_roundtrip, this number
    /// came back as ...222e+113 after one print/parse, so a snapshot holding
    /// it did not round-trip.
    #[test]
    fn canonical_form_is_a_fixpoint_for_floats() {
        for text in [
            "2.2222222222222226e+113",
            "0.1",
            "1e-7",
            "123456789012345678901234567890",
            "-0.0",
        ] {
            let once: Value = serde_json::from_str(text).expect("a number");
            let canon = canonical_string(&once);
            let twice: Value = serde_json::from_str(&canon).expect("canonical is JSON");
            assert_eq!(canonical_string(&twice), canon, "{text}");
        }
    }
}
