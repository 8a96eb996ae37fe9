//! Streaming against `serde_json`: the same elements, outlines and errors
//! whichever way a document is read.

// Compiled for the tests only (its parent declares it under `cfg(test)`).
#[cfg(test)]
use super::*;
use crate::json::Node;

fn streamed(text: &str) -> Result<(Vec<String>, Outline<'_>), String> {
    streamed_within(text, usize::MAX)
}

/// The elements as JSON (`-` for one over the budget), and the outline.
fn streamed_within(text: &str, max: usize) -> Result<(Vec<String>, Outline<'_>), String> {
    let mut items = Vec::new();
    let outline = stream_member(text.as_bytes(), &["ops"], max, &mut |e| match e {
        Element::Reset => items.clear(),
        Element::Item { index, node, .. } => {
            assert_eq!(index, items.len());
            items.push(node.map_or("-".to_string(), |n| {
                serde_json::to_string(&n.to_value()).expect("JSON")
            }));
        }
        Element::Begin { .. } | Element::End { .. } => unreachable!("one name"),
    })
    .map_err(|e| e.to_string())?;
    Ok((items, outline))
}

#[test]
fn hands_over_each_element_and_outlines_the_rest() {
    for text in [
        r#"{"x":{"y":[1]},"ops":[{"a":1},2,"s"],"format":"f/1"}"#,
        // A float sends the document to serde_json, with the same result.
        r#"{"x":{"y":[1.5]},"ops":[{"a":1},2,"s"],"format":"f/1"}"#,
        r#"{"ops":[0],"x":[],"ops":[{"a":1},2,"s"],"format":"f/1"}"#,
    ] {
        let (items, outline) = streamed(text).expect("JSON");
        assert_eq!(items, [r#"{"a":1}"#, "2", r#""s""#], "{text}");
        assert_eq!(outline.member, Some(Member::Array(3)));
        assert_eq!(outline.string("format"), Some(Some("f/1")));
        assert_eq!(outline.string("x"), Some(None));
        assert_eq!(outline.not_an_object, None);
    }
}

/// An element with more values than the budget is checked, not kept;
/// the others are kept whole. The same through serde_json (floats).
#[test]
fn keeps_no_element_over_the_budget() {
    for (text, expected) in [
        (
            r#"{"ops":[[1,2],[1,2,3],{"a":{"b":1}},{"a":{"b":[1]}},"s"]}"#,
            ["[1,2]", "-", r#"{"a":{"b":1}}"#, "-", r#""s""#],
        ),
        (
            r#"{"ops":[[1.5,2],[1,2,3.5],{"a":{"b":1.5}},{"a":{"b":[1]}},"s"]}"#,
            ["[1.5,2]", "-", r#"{"a":{"b":1.5}}"#, "-", r#""s""#],
        ),
    ] {
        let (items, outline) = streamed_within(text, 3).expect("JSON");
        assert_eq!(items, expected, "{text}");
        assert_eq!(outline.member, Some(Member::Array(5)));
    }
    // Past the budget the rest is still checked as JSON.
    assert!(streamed_within(r#"{"ops":[[1,2,3,4,x]]}"#, 2).is_err());
    assert!(streamed_within(r#"{"ops":[{"a":1,"b":2,"c":}]}"#, 1).is_err());
}

#[test]
fn names_what_is_not_there() {
    for (text, root, member) in [
        ("[]", Some("an array"), None),
        ("[1.5]", Some("an array"), None),
        ("\"ops\"", Some("a string"), None),
        ("{}", None, None),
        (r#"{"ops":null}"#, None, Some(Member::Other("null"))),
        (
            r#"{"ops":{"a":1.5}}"#,
            None,
            Some(Member::Other("an object")),
        ),
        (r#"{"ops":7}"#, None, Some(Member::Other("a number"))),
    ] {
        let (_, outline) = streamed(text).expect("JSON");
        assert_eq!(
            (outline.not_an_object, outline.member),
            (root, member),
            "{text}"
        );
    }
}

proptest::proptest! {
    /// Wherever the direct reader streams a document to the end, it
    /// agrees with serde_json (valid documents of many shapes, and the
    /// same cut or glued).
    #[test]
    fn streams_as_serde_json_streams(
        parts in proptest::collection::vec(proptest::sample::select(vec![
            "{", "}", "[", "]", ",", ":", "\"ops\"", "\"x\"", "\"format\"", "1", "-2",
            "1.5", "null", "true", "\"s\\n\"", " ", "{}", "[]", "\"\"",
        ]), 0..24),
        valid in proptest::sample::select(vec![
            r#"{"ops":[{"a":[1,{"b":null}]},"x",[]],"format":"f"}"#,
            r#"{"x":[[[]]],"ops":[],"ops":[true]}"#,
            r#"[{"ops":[1]}]"#,
            r#"{"ops":{"a":1}}"#,
            r#"{"ops":[{"x":[1,[2]],"y":{"z":"w"}},{"x":{}},3,{"x":[],"x":[4.5]}],"f":"g"}"#,
        ]),
    ) {
        let glued: String = parts.concat();
        for max in [usize::MAX, 0, 1, 3] {
            for path in [&["ops"][..], &["ops", "x"][..]] {
                proptest::prop_assert!(agrees_with_serde_json(glued.as_bytes(), path, max), "{}", glued);
                proptest::prop_assert!(agrees_with_serde_json(valid.as_bytes(), path, max));
                let cut = &valid[..valid.len().min(parts.len() * 2)];
                proptest::prop_assert!(agrees_with_serde_json(cut.as_bytes(), path, max), "{}", cut);
            }
        }
    }
}

#[test]
fn fails_as_serde_json_fails() {
    for text in [
        "",
        "{",
        r#"{"ops":[1,2]"#,
        r#"{"ops":[1]} x"#,
        r#"{"ops":[1e400]}"#,
    ] {
        let ours = streamed(text).map(|_| ()).unwrap_err();
        // A `Node`, not a `Value`: with `arbitrary_precision` a `Value`
        // takes 1e400, which ours (and a `Node`) refuse in every build.
        let theirs = serde_json::from_str::<Node>(text).unwrap_err();
        assert_eq!(ours, theirs.to_string(), "{text}");
    }
}
