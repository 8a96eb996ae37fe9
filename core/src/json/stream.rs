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
use super::spans::element_spans;
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
    // serde_json keeps no positions: with one name, an element's raw text
    // is found in the bytes (`spans.rs`), so it is still what was sent.
    let spans = match path {
        [name] => std::str::from_utf8(bytes)
            .ok()
            .and_then(|text| element_spans(text, name)),
        _ => None,
    };
    let mut with_raw = |element: Element<'a>| match element {
        Element::Item {
            index,
            node,
            extent,
            raw: None,
        } => each(Element::Item {
            index,
            node,
            extent,
            raw: spans.as_ref().and_then(|s| s.get(index).copied()),
        }),
        other => each(other),
    };
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let outline = OutlineSeed {
        path,
        restart: None,
        max_values,
        each: &mut with_raw,
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
            let direct_seen = direct_seen.into_iter().map(rounded_debug).collect();
            strip(direct_seen) == strip(serde_seen)
        }
        _ => false,
    }
}

/// A Debug form with each `Integer("…")` (an integer beyond 64 bits, kept
/// exactly) written as serde_json's rounded reading of it.
#[cfg(any(test, feature = "test-util"))]
fn rounded_debug(text: String) -> String {
    const OPEN: &str = "Integer(\"";
    let mut out = String::with_capacity(text.len());
    let mut rest = text.as_str();
    while let Some(at) = rest.find(OPEN) {
        let (head, tail) = rest.split_at(at);
        out.push_str(head);
        let digits = tail.get(OPEN.len()..).unwrap_or_default();
        let end = digits.find('"').unwrap_or(digits.len());
        let literal = digits.get(..end).unwrap_or_default();
        match serde_json::from_str::<serde_json::Number>(literal) {
            Ok(n) => out.push_str(&format!("Number({n:?})")),
            Err(_) => out.push_str("Null"),
        }
        rest = digits.get(end + 2..).unwrap_or_default();
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests;
