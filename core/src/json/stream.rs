//! Reading a document whose bulk is one array member of the root object
//! (a body's `operations`, a snapshot's `cards`) one element at a time.
//!
//! Building the whole tree first made reading cost a multiple of the input
//! that grew with its shape: a node per value, and an array of a million
//! empty objects is a million nodes. Here each element is read into a tree,
//! handed over, and dropped before the next; the rest of the document is
//! checked as it is read and nothing of it is kept but the root's short
//! string members. The whole input is still read before the caller acts on
//! anything: a document that turns out not to be JSON at its last byte is
//! refused whole, and the caller, which only collected the elements, has
//! changed nothing.
//!
//! The direct reader does this; where it gives up (see `reader.rs`),
//! `serde_json` streams the same way, and its error is the answer.

use serde::de::DeserializeSeed;

use super::reader::{Extent, Reader, MAX_DEPTH};
use super::stream_event::{Element, Member, Outline, SMALL_VALUES};
use super::stream_serde::OutlineSeed;

/// Reads `bytes`, handing each element of the root member `path[0]` to
/// `each`, in order, as a tree of at most `max_values` values (so reading
/// one element costs at most that many nodes, whatever its size); fails as
/// `serde_json` does on input that is not JSON. With a second name, each
/// element of `path[0]` is itself an object whose member `path[1]` is
/// streamed the same way, between [`Element::Begin`] and [`Element::End`].
pub(crate) fn stream_member<'a>(
    bytes: &'a [u8],
    path: &[&str],
    max_values: usize,
    each: &mut dyn FnMut(Element<'a>),
) -> Result<Outline<'a>, serde_json::Error> {
    if let Some(outline) = direct(bytes, path, max_values, each) {
        return Ok(outline);
    }
    each(Element::Reset);
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let outline = OutlineSeed {
        path,
        restart: None,
        max_values,
        each,
    }
    .deserialize(&mut de)?;
    de.end()?;
    Ok(outline)
}

/// The direct reader's way; `None` when it gives up.
fn direct<'a>(
    bytes: &'a [u8],
    path: &[&str],
    max_values: usize,
    each: &mut dyn FnMut(Element<'a>),
) -> Option<Outline<'a>> {
    let text = std::str::from_utf8(bytes).ok()?;
    let mut r = Reader::new(text);
    let outline = r.outline(path, None, 0, max_values, each)?;
    r.skip_white_space();
    (r.at == text.len()).then_some(outline)
}

impl<'a> Reader<'a> {
    /// The value starting here (read as at `depth`), as an outline whose
    /// member `path[0]` is streamed. `restart` is the element this object
    /// is (when it is one): its member starting again begins it again.
    fn outline(
        &mut self,
        path: &[&str],
        restart: Option<usize>,
        depth: usize,
        max_values: usize,
        each: &mut dyn FnMut(Element<'a>),
    ) -> Option<Outline<'a>> {
        let mut outline = Outline::default();
        self.skip_white_space();
        if self.peek()? != b'{' {
            outline.not_an_object = Some(self.skip(depth)?);
            return Some(outline);
        }
        let own = depth + 1;
        if own > MAX_DEPTH {
            return None;
        }
        self.eat(b'{')?;
        self.skip_white_space();
        if self.peek()? == b'}' {
            self.at += 1;
            return Some(outline);
        }
        let (name, rest) = path.split_first()?;
        loop {
            let key = self.key()?;
            self.skip_white_space();
            if key == *name {
                each(restart.map_or(Element::Reset, |index| Element::Begin { index }));
                outline.member = Some(if self.peek()? == b'[' {
                    Member::Array(self.elements(rest, own, max_values, each)?)
                } else {
                    Member::Other(self.skip(own)?)
                });
            } else {
                (self.budget, self.exhausted) = (SMALL_VALUES, false);
                let value = self.value(own)?;
                let kept = (!self.exhausted).then_some(value);
                outline.others.push((key, kept));
            }
            if self.closes(b'}')? {
                return Some(outline);
            }
        }
    }

    /// The elements of the array starting here (its container at `depth`),
    /// each handed over as it is read; their number. With `rest` empty they
    /// are items; otherwise objects whose member `rest[0]` is streamed.
    fn elements(
        &mut self,
        rest: &[&str],
        depth: usize,
        max_values: usize,
        each: &mut dyn FnMut(Element<'a>),
    ) -> Option<usize> {
        if depth + 1 > MAX_DEPTH {
            return None;
        }
        self.eat(b'[')?;
        self.skip_white_space();
        if self.peek()? == b']' {
            self.at += 1;
            return Some(0);
        }
        let mut index = 0;
        loop {
            if rest.is_empty() {
                self.extent = Extent::default();
                (self.budget, self.exhausted) = (max_values, false);
                self.skip_white_space();
                let start = self.at;
                let node = self.value(depth + 1)?;
                let extent = self.extent;
                each(Element::Item {
                    index,
                    node: (!self.exhausted).then_some(node),
                    extent: Some(extent),
                    raw: self.text.get(start..self.at),
                });
            } else {
                each(Element::Begin { index });
                let outline = self.outline(rest, Some(index), depth + 1, max_values, each)?;
                each(Element::End { index, outline });
            }
            index += 1;
            if self.closes(b']')? {
                return Some(index);
            }
        }
    }
}

/// True when the direct reader, wherever it streams `bytes` to the end,
/// hands over what `serde_json` hands over, and outlines the rest alike
/// (the `apply_body` fuzz target checks this on every input).
#[cfg(any(test, feature = "test-util"))]
pub(crate) fn agrees_with_serde_json(bytes: &[u8], path: &[&str], max_values: usize) -> bool {
    // Every event, written out (nodes and outlines by their Debug form).
    fn record(seen: &mut Vec<String>) -> impl FnMut(Element<'_>) + '_ {
        |e| seen.push(format!("{e:?}"))
    }
    let mut direct_seen = Vec::new();
    let Some(outline) = direct(bytes, path, max_values, &mut record(&mut direct_seen)) else {
        return true;
    };
    direct_seen.push(format!("{outline:?}"));
    let mut serde_seen = Vec::new();
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let serde_outline = OutlineSeed {
        path,
        restart: None,
        max_values,
        each: &mut record(&mut serde_seen),
    }
    .deserialize(&mut de);
    match (serde_outline, de.end()) {
        (Ok(outline), Ok(())) => {
            serde_seen.push(format!("{outline:?}"));
            // The direct reader measures extents; serde_json does not.
            let strip = |v: Vec<String>| -> Vec<String> {
                v.into_iter()
                    .map(|e| match e.split_once(", extent: ") {
                        Some((kept, _)) => kept.to_string(),
                        None => e,
                    })
                    .collect()
            };
            strip(direct_seen) == strip(serde_seen)
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
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
}
