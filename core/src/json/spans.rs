//! Where each element of a root member's array sits in a document's bytes,
//! found without reading the values: what `stream.rs` gives as an element's
//! raw text when the document went to `serde_json` (a float, a number beyond
//! 64 bits, a surrogate escape), which keeps no positions. A rejected
//! operation's `raw` is then still the bytes D1 sent, digits and escapes as
//! they were (README, "What the fold guarantees": what is rejected keeps its raw text).
//!
//! Only run on a document `serde_json` accepts, so it need not check
//! grammar: it skips strings (with their escapes) and counts brackets.

/// The text of each element of the array that is the root object's member
/// `name` (its last occurrence, as `serde_json` streams it), in order;
/// `None` when there is no such array or the text is not as expected.
pub(crate) fn element_spans<'a>(text: &'a str, name: &str) -> Option<Vec<&'a str>> {
    let bytes = text.as_bytes();
    let mut at = white(bytes, 0);
    if bytes.get(at) != Some(&b'{') {
        return None;
    }
    at = white(bytes, at + 1);
    let mut found = None;
    while bytes.get(at) == Some(&b'"') {
        let key_end = string_end(bytes, at)?;
        let key = text.get(at..key_end)?;
        at = white(bytes, key_end);
        if bytes.get(at) != Some(&b':') {
            return None;
        }
        at = white(bytes, at + 1);
        if key_is(key, name) && bytes.get(at) == Some(&b'[') {
            let (spans, end) = elements(text, at)?;
            found = Some(spans);
            at = end;
        } else {
            at = value_end(bytes, at)?;
        }
        at = white(bytes, at);
        match bytes.get(at) {
            Some(b',') => at = white(bytes, at + 1),
            _ => break,
        }
    }
    found
}

/// The elements of the array at `at`, and where the array ends.
fn elements(text: &str, mut at: usize) -> Option<(Vec<&str>, usize)> {
    let bytes = text.as_bytes();
    let mut spans = Vec::new();
    at = white(bytes, at + 1);
    if bytes.get(at) == Some(&b']') {
        return Some((spans, at + 1));
    }
    loop {
        let end = value_end(bytes, at)?;
        spans.push(text.get(at..end)?);
        at = white(bytes, end);
        match bytes.get(at)? {
            b',' => at = white(bytes, at + 1),
            b']' => return Some((spans, at + 1)),
            _ => return None,
        }
    }
}

/// True when the quoted JSON string `key` is `name` (escapes decoded).
fn key_is(key: &str, name: &str) -> bool {
    if key.contains('\\') {
        serde_json::from_str::<String>(key).is_ok_and(|k| k == name)
    } else {
        key.get(1..key.len().saturating_sub(1)) == Some(name)
    }
}

/// The first byte at or after `at` that is not JSON white space.
fn white(bytes: &[u8], mut at: usize) -> usize {
    while matches!(bytes.get(at), Some(b' ' | b'\t' | b'\n' | b'\r')) {
        at += 1;
    }
    at
}

/// Where the string starting at `at` (its opening quote) ends, past its
/// closing quote.
fn string_end(bytes: &[u8], at: usize) -> Option<usize> {
    let mut i = at + 1;
    loop {
        match bytes.get(i)? {
            b'\\' => i += 2,
            b'"' => return Some(i + 1),
            _ => i += 1,
        }
    }
}

/// Where the value starting at `at` ends.
fn value_end(bytes: &[u8], at: usize) -> Option<usize> {
    match bytes.get(at)? {
        b'"' => string_end(bytes, at),
        b'{' | b'[' => {
            let mut depth = 0usize;
            let mut i = at;
            loop {
                match bytes.get(i)? {
                    b'"' => i = string_end(bytes, i)?,
                    b'{' | b'[' => {
                        depth += 1;
                        i += 1;
                    }
                    b'}' | b']' => {
                        depth = depth.checked_sub(1)?;
                        i += 1;
                        if depth == 0 {
                            return Some(i);
                        }
                    }
                    _ => i += 1,
                }
            }
        }
        _ => {
            let mut i = at;
            while bytes
                .get(i)
                .is_some_and(|b| !matches!(b, b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r'))
            {
                i += 1;
            }
            (i > at).then_some(i)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::element_spans;

    #[test]
    fn spans_are_the_bytes_as_sent() {
        let body = r#" { "x": [1, {"operations": 2}], "operations" : [ {"n": 9400111899223197428490, "s": "a\"]}\ud83d\ude00"} ,7.50e0, [] ] } "#;
        let spans = element_spans(body, "operations").expect("an array");
        assert_eq!(
            spans,
            [
                r#"{"n": 9400111899223197428490, "s": "a\"]}\ud83d\ude00"}"#,
                "7.50e0",
                "[]"
            ]
        );
        // The last occurrence, as serde_json streams it; an escaped key.
        let twice = r#"{"operations":[1],"o\u0070erations":[2, 3]}"#;
        assert_eq!(element_spans(twice, "operations"), Some(vec!["2", "3"]));
        assert_eq!(
            element_spans(r#"{"operations":[]}"#, "operations"),
            Some(vec![])
        );
        assert_eq!(element_spans(r#"{"operations":{}}"#, "operations"), None);
        assert_eq!(element_spans("[1]", "operations"), None);
    }
}
