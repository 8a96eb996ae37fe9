//! Canonical JSON, JSON paths, and the bounds walk over parsed values.
//!
//! The canonical form is written here rather than left to `serde_json`'s map
//! ordering: if any crate in a host's build enabled `serde_json/preserve_order`,
//! maps would keep wire order and duplicates would stop matching.

use serde_json::Value;

use crate::error::{limit, Error};

/// Writes `value` in canonical form: object keys sorted bytewise, no
/// insignificant white space, strings escaped as `serde_json` escapes them,
/// numbers as `serde_json` prints them.
pub fn canonical_string(value: &Value) -> String {
    let mut out = String::new();
    write_canonical(value, &mut out);
    out
}

pub(crate) fn write_canonical(value: &Value, out: &mut String) {
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort_unstable();
            out.push('{');
            for (i, key) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_string(key, out);
                out.push(':');
                if let Some(v) = map.get(key) {
                    write_canonical(v, out);
                }
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_canonical(item, out);
            }
            out.push(']');
        }
        Value::String(s) => write_string(s, out),
        // Scalars other than strings have one spelling in serde_json.
        other => out.push_str(&other.to_string()),
    }
}

fn write_string(s: &str, out: &mut String) {
    // Most strings need no escape: copy them. Others go through serde_json,
    // so the escapes are exactly serde_json's.
    if s.bytes().all(|b| b >= 0x20 && b != b'"' && b != b'\\') {
        out.reserve(s.len() + 2);
        out.push('"');
        out.push_str(s);
        out.push('"');
    } else {
        // Serialising a &str to JSON cannot fail.
        out.push_str(&serde_json::to_string(s).unwrap_or_default());
    }
}

/// A JSON path being built, such as `operations[2].details.shipment`.
pub(crate) fn field(parent: &str, key: &str) -> String {
    let plain = !key.is_empty()
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'$');
    match (parent.is_empty(), plain) {
        (true, true) => key.to_string(),
        (false, true) => format!("{parent}.{key}"),
        (_, false) => format!(
            "{parent}[{}]",
            serde_json::to_string(key).unwrap_or_default()
        ),
    }
}

pub(crate) fn index(parent: &str, i: usize) -> String {
    format!("{parent}[{i}]")
}

/// Checks string lengths and nesting depth of a whole value, naming the
/// first offending place. Recursion is bounded: `serde_json` refuses input
/// nested deeper than 128, and the walk stops at `max_depth`.
pub(crate) fn check_bounds(
    value: &Value,
    path: &str,
    max_string: usize,
    max_depth: usize,
) -> Result<(), Error> {
    walk(value, 1, max_string, max_depth).map_err(|(mut steps, message)| {
        let mut p = path.to_string();
        while let Some(step) = steps.pop() {
            p = match step {
                Step::Key(k) => field(&p, &k),
                Step::Index(i) => index(&p, i),
            };
        }
        limit(&p, message)
    })
}

enum Step {
    Key(String),
    Index(usize),
}

/// On error: the steps from the offending place up to the root, and why.
fn walk(
    v: &Value,
    depth: usize,
    max_string: usize,
    max_depth: usize,
) -> Result<(), (Vec<Step>, String)> {
    match v {
        Value::String(s) if s.len() > max_string => Err((
            Vec::new(),
            format!(
                "a string of {} bytes is longer than the limit (maxStringBytes) of {max_string}",
                s.len()
            ),
        )),
        Value::Object(_) | Value::Array(_) if depth > max_depth => Err((
            Vec::new(),
            format!("nesting deeper than the limit (maxDepth) of {max_depth}"),
        )),
        Value::Object(map) => {
            for (k, child) in map {
                if k.len() > max_string {
                    // The path names the object: the key itself is what is too long.
                    return Err((
                        Vec::new(),
                        format!(
                            "a key of {} bytes is longer than the limit (maxStringBytes) of {max_string}",
                            k.len()
                        ),
                    ));
                }
                walk(child, depth + 1, max_string, max_depth).map_err(|(mut steps, m)| {
                    steps.push(Step::Key(k.clone()));
                    (steps, m)
                })?;
            }
            Ok(())
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                walk(child, depth + 1, max_string, max_depth).map_err(|(mut steps, m)| {
                    steps.push(Step::Index(i));
                    (steps, m)
                })?;
            }
            Ok(())
        }
        _ => Ok(()),
    }
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

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn paths_quote_unusual_keys() {
        assert_eq!(field("operations[0]", "cardId"), "operations[0].cardId");
        assert_eq!(field("x", "a b"), "x[\"a b\"]");
        assert_eq!(field("", "operations"), "operations");
    }

    #[test]
    fn bounds_name_the_offending_place() {
        let v: Value = serde_json::from_str(r#"{"a":{"b":["ok","toolong"]}}"#).expect("valid JSON");
        let err = check_bounds(&v, "operations[0]", 5, 16).unwrap_err();
        assert_eq!(err.path(), Some("operations[0].a.b[1]"));
        let err = check_bounds(&v, "op", 100, 2).unwrap_err();
        assert_eq!(err.path(), Some("op.a.b"));
    }
}
