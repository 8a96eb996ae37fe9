//! Reading bytes into a [`Node`]: a direct reader for the JSON that D1 and
//! our snapshots send, with `serde_json` behind it for everything else.
//!
//! Going through `serde_json`'s visitor cost about a quarter of `apply`.
//! The direct reader handles objects, arrays, strings (escapes included,
//! but not surrogate escapes), integers, `true`, `false` and `null`. On
//! anything else — a float, `-0`, a surrogate
//! escape, deep nesting, or any input that is not valid JSON — it gives up,
//! and the input is read again by `serde_json`, whose result (and error
//! message) is then the answer. So the direct reader only ever has to agree
//! with `serde_json` on input that it accepts — except integers beyond 64
//! bits, which it keeps exactly as their literal ([`Node::Integer`]) where
//! `serde_json` rounds them through `f64`; the properties of
//! `reader/tests.rs` and the `apply_body` fuzz target check that it does.

use std::borrow::Cow;

use super::plain_len;
use super::Node;

/// Reads one JSON value, exactly as `serde_json::from_slice::<Node>` does
/// (documents are read with `stream.rs`; this is what the tests of
/// `reader/tests.rs` compare with `serde_json`).
#[cfg(test)]
pub(crate) fn read_node(bytes: &[u8]) -> Result<Node<'_>, serde_json::Error> {
    read_measured(bytes).map(|(node, _)| node)
}

/// As [`read_node`], with the extent of the value when the direct reader
/// read it (`None` when `serde_json` did).
#[cfg(test)]
pub(crate) fn read_measured(bytes: &[u8]) -> Result<(Node<'_>, Option<Extent>), serde_json::Error> {
    match read_direct(bytes) {
        Some((node, extent)) => Ok((node, Some(extent))),
        None => serde_json::from_slice(bytes).map(|node| (node, None)),
    }
}

/// How far a value reaches: what the bounds on strings and nesting need,
/// measured while reading so that checking them needs no second walk.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Extent {
    /// The longest string or key, in bytes once unescaped.
    pub(crate) longest_string: usize,
    /// The deepest nesting of objects and arrays (the value itself is 1 when
    /// it is one).
    pub(crate) depth: usize,
}

/// The direct reader alone: `None` when it gives up.
#[cfg(any(test, feature = "test-util"))]
pub(crate) fn read_direct(bytes: &[u8]) -> Option<(Node<'_>, Extent)> {
    // Outside strings valid JSON is ASCII, so checking the whole input once
    // is checking every string.
    let text = std::str::from_utf8(bytes).ok()?;
    let mut r = Reader::new(text);
    let node = r.value(0)?;
    r.skip_white_space();
    (r.at == text.len()).then_some((node, r.extent))
}

/// True when the direct reader, wherever it accepts `bytes`, reads them as
/// `serde_json` does (the `apply_body` fuzz target checks this on every
/// input).
#[cfg(any(test, feature = "test-util"))]
pub(crate) fn agrees_with_serde_json(bytes: &[u8]) -> bool {
    match read_direct(bytes) {
        None => true,
        Some((node, _)) => {
            serde_json::from_slice::<Node>(bytes).ok().as_ref() == Some(&node.rounded())
        }
    }
}

/// Nesting the direct reader takes; deeper input goes to `serde_json`
/// (which refuses nesting of 128).
pub(super) const MAX_DEPTH: usize = 100;

pub(super) struct Reader<'a> {
    pub(super) text: &'a str,
    pub(super) at: usize,
    pub(super) extent: Extent,
    /// Members of the objects being read, innermost last: each object takes
    /// its own off the top when it closes, in an allocation of its exact
    /// size (reserving room per object cost 150 times the input for an
    /// array of empty objects).
    members: Vec<(Cow<'a, str>, Node<'a>)>,
    /// Items of the arrays being read, likewise.
    items: Vec<Node<'a>>,
    /// How many more values may be kept (see [`Budget`](super::node::Budget)).
    pub(super) budget: usize,
    /// A value was refused for want of budget: what was read is incomplete.
    pub(super) exhausted: bool,
}

impl<'a> Reader<'a> {
    pub(super) fn new(text: &'a str) -> Reader<'a> {
        Reader {
            text,
            at: 0,
            extent: Extent::default(),
            // Room for a typical notification's members at once: growing
            // from nothing cost a copy per doubling in every body.
            members: Vec::with_capacity(16),
            items: Vec::with_capacity(8),
            budget: usize::MAX,
            exhausted: false,
        }
    }

    pub(super) fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.at).copied()
    }

    pub(super) fn skip_white_space(&mut self) {
        while let Some(b' ' | b'\n' | b'\t' | b'\r') = self.peek() {
            self.at += 1;
        }
    }

    /// Consumes `byte` after white space, or gives up.
    pub(super) fn eat(&mut self, byte: u8) -> Option<()> {
        self.skip_white_space();
        (self.peek()? == byte).then(|| self.at += 1)
    }

    fn literal(&mut self, word: &str, node: Node<'a>) -> Option<Node<'a>> {
        let end = self.at.checked_add(word.len())?;
        (self.text.as_bytes().get(self.at..end)? == word.as_bytes()).then(|| {
            self.at = end;
            node
        })
    }

    #[inline]
    pub(super) fn value(&mut self, depth: usize) -> Option<Node<'a>> {
        if self.budget == 0 {
            // Past the budget values are checked, not kept.
            self.exhausted = true;
            return self.skip(depth).map(|_| Node::Null);
        }
        self.budget -= 1;
        self.skip_white_space();
        match self.peek()? {
            b'{' => self.object(depth + 1),
            b'[' => self.array(depth + 1),
            _ => self.scalar(),
        }
    }

    /// A value that is neither an object nor an array.
    fn scalar(&mut self) -> Option<Node<'a>> {
        match self.peek()? {
            b'"' => self.string().map(Node::String),
            b't' => self.literal("true", Node::Bool(true)),
            b'f' => self.literal("false", Node::Bool(false)),
            b'n' => self.literal("null", Node::Null),
            b'-' | b'0'..=b'9' => self.integer(),
            _ => None,
        }
    }

    fn object(&mut self, depth: usize) -> Option<Node<'a>> {
        if depth > MAX_DEPTH {
            return None;
        }
        self.extent.depth = self.extent.depth.max(depth);
        self.at += 1;
        self.skip_white_space();
        if self.peek()? == b'}' {
            self.at += 1;
            return Some(Node::Object(Vec::new()));
        }
        let base = self.members.len();
        loop {
            let key = self.key()?;
            self.skip_white_space();
            // Most members are strings: read them here rather than through
            // `value`, which costs a move of the node through its return.
            if self.peek()? == b'"' && self.budget > 0 {
                self.budget -= 1;
                let text = self.string()?;
                self.members.push((key, Node::String(text)));
            } else {
                let value = self.value(depth)?;
                self.members.push((key, value));
            }
            if self.exhausted {
                self.members.truncate(base);
                return self.skip_rest(b'}', depth).map(|()| Node::Null);
            }
            if self.closes(b'}')? {
                return Some(Node::object(self.members.split_off(base)));
            }
        }
    }

    fn array(&mut self, depth: usize) -> Option<Node<'a>> {
        if depth > MAX_DEPTH {
            return None;
        }
        self.extent.depth = self.extent.depth.max(depth);
        self.at += 1;
        self.skip_white_space();
        if self.peek()? == b']' {
            self.at += 1;
            return Some(Node::Array(Vec::new()));
        }
        let base = self.items.len();
        loop {
            let item = self.value(depth)?;
            self.items.push(item);
            if self.exhausted {
                self.items.truncate(base);
                return self.skip_rest(b']', depth).map(|()| Node::Null);
            }
            if self.closes(b']')? {
                return Some(Node::Array(self.items.split_off(base)));
            }
        }
    }

    /// After a member or an item: `Some(false)` past a `,` (more follow),
    /// `Some(true)` past `close`, `None` for anything else.
    #[inline]
    pub(super) fn closes(&mut self, close: u8) -> Option<bool> {
        self.skip_white_space();
        let b = self.peek()?;
        (b == b',' || b == close).then(|| {
            self.at += 1;
            b == close
        })
    }

    /// A member's key and its `:`, after white space.
    #[inline]
    pub(super) fn key(&mut self) -> Option<Cow<'a, str>> {
        self.skip_white_space();
        if self.peek()? != b'"' {
            return None;
        }
        let key = self.string()?;
        self.eat(b':')?;
        Some(key)
    }

    /// A string token starting at the opening quote; borrowed unless it has
    /// escapes.
    #[inline(always)]
    pub(super) fn string(&mut self) -> Option<Cow<'a, str>> {
        let bytes = self.text.as_bytes();
        let start = self.at + 1;
        let mut i = start + plain_len(bytes.get(start..)?);
        match *bytes.get(i)? {
            b'"' => {
                self.at = i + 1;
                self.extent.longest_string = self.extent.longest_string.max(i - start);
                return self.text.get(start..i).map(Cow::Borrowed);
            }
            // A raw control character is not JSON.
            0x00..=0x1f => return None,
            _ => {}
        }
        let mut out = String::with_capacity(i - start + 16);
        out.push_str(self.text.get(start..i)?);
        loop {
            match *bytes.get(i)? {
                b'"' => {
                    self.at = i + 1;
                    self.extent.longest_string = self.extent.longest_string.max(out.len());
                    return Some(Cow::Owned(out));
                }
                b'\\' => {
                    let (c, len) = match *bytes.get(i + 1)? {
                        b'"' => ('"', 2),
                        b'\\' => ('\\', 2),
                        b'/' => ('/', 2),
                        b'b' => ('\u{8}', 2),
                        b'f' => ('\u{c}', 2),
                        b'n' => ('\n', 2),
                        b'r' => ('\r', 2),
                        b't' => ('\t', 2),
                        b'u' => {
                            let hex = self.text.get(i + 2..i + 6)?;
                            if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
                                return None;
                            }
                            // Surrogates (pairs or lone) are left to serde_json.
                            (char::from_u32(u32::from_str_radix(hex, 16).ok()?)?, 6)
                        }
                        _ => return None,
                    };
                    out.push(c);
                    i += len;
                }
                0x00..=0x1f => return None,
                _ => {
                    // Copy the run up to the next quote or escape at once.
                    let run = plain_len(bytes.get(i..)?);
                    out.push_str(self.text.get(i..i + run)?);
                    i += run;
                }
            }
        }
    }

    /// An integer that `serde_json` reads as one (`u64`, or a negative
    /// `i64`); anything else gives up.
    fn integer(&mut self) -> Option<Node<'a>> {
        let bytes = self.text.as_bytes();
        let negative = self.peek()? == b'-';
        let start = self.at + usize::from(negative);
        let mut i = start;
        let mut magnitude: Option<u64> = Some(0);
        while let Some(&b @ b'0'..=b'9') = bytes.get(i) {
            magnitude = magnitude
                .and_then(|m| m.checked_mul(10))
                .and_then(|m| m.checked_add(u64::from(b - b'0')));
            i += 1;
        }
        let digits = i - start;
        // No digits, a leading zero, or a fraction or exponent next.
        if digits == 0
            || (digits > 1 && bytes.get(start) == Some(&b'0'))
            || matches!(bytes.get(i), Some(b'.' | b'e' | b'E'))
        {
            return None;
        }
        let fits = match magnitude {
            Some(m) if !negative => Some(m),
            // -2^63 is an i64 too: the code below gives it to serde_json.
            Some(m) if m <= i64::MAX as u64 + 1 => Some(m),
            _ => None,
        };
        let Some(magnitude) = fits else {
            // Beyond 64 bits: the literal, exactly (not through `f64`).
            let literal = self.text.get(self.at..i)?;
            self.at = i;
            return Some(Node::Integer(Cow::Borrowed(literal)));
        };
        let number = if negative {
            // serde_json reads -0 as a float.
            if magnitude == 0 {
                return None;
            }
            serde_json::Number::from(i64::try_from(magnitude).ok()?.checked_neg()?)
        } else {
            serde_json::Number::from(magnitude)
        };
        self.at = i;
        Some(Node::Number(number))
    }

    /// Checks the value starting here as [`value`](Reader::value) reads it,
    /// keeping nothing of it; its JSON type, by name.
    pub(super) fn skip(&mut self, depth: usize) -> Option<&'static str> {
        self.skip_white_space();
        match self.peek()? {
            b'{' | b'[' => {
                let (open, close) = if self.peek()? == b'{' {
                    (b'{', b'}')
                } else {
                    (b'[', b']')
                };
                if depth + 1 > MAX_DEPTH {
                    return None;
                }
                self.eat(open)?;
                self.skip_white_space();
                if self.peek()? == close {
                    self.at += 1;
                } else {
                    if open == b'{' {
                        self.key()?;
                    }
                    self.skip(depth + 1)?;
                    self.skip_rest(close, depth + 1)?;
                }
                Some(if open == b'{' {
                    "an object"
                } else {
                    "an array"
                })
            }
            _ => self.scalar().as_ref().map(super::node_type_name),
        }
    }

    /// Checks the rest of an object or array (`close` ends it) whose first
    /// members were read, keeping nothing; positioned after a member.
    fn skip_rest(&mut self, close: u8, depth: usize) -> Option<()> {
        while !self.closes(close)? {
            if close == b'}' {
                self.key()?;
            }
            self.skip(depth)?;
        }
        Some(())
    }
}

#[cfg(test)]
mod tests;
