//! The compact form a kept notification is stored in.
//!
//! It is the notification's canonical text with two substitutions: a string
//! D1 sends in nearly every notification (member names, the operation name,
//! statuses, tracking types, carrier tags; `dictionary.rs`) is written as two bytes, and the
//! card and operation ids, which the state already holds as keys, as one.
//! Canonical JSON never contains a raw control character (`serde_json`
//! escapes them all), so control characters serve as markers, the canonical
//! text comes back exactly (`compact.rs`), and the compact form is still
//! a `str` that views borrow from without checks. The positions of the
//! view's fields are recorded while encoding, so a view borrows its strings
//! from the stored bytes and nothing is parsed again.
//!
//! The encoding lives in memory only (snapshots hold canonical text), so the
//! dictionary may change between versions.

use super::compact::{decode_into, value_len, CompactValue};
use super::dictionary::{
    dictionary_index, dictionary_word, CARD_ID, INDEX_BASE, OPERATION_ID, TOKEN,
};
use crate::json::{write_number, write_string, Node};
use crate::wire::{Kept, Kind, Member, Place};

/// Where the store records each member's position (the member table,
/// `wire/members.rs`, says which it keeps): its index among the spans, the
/// inline members first in the table's order, then the rare ones;
/// [`NOT_KEPT`] for the others.
const SLOTS: [u8; MEMBER_COUNT] = slots();
const MEMBER_COUNT: usize = Member::ALL.len();
const NOT_KEPT: u8 = u8::MAX;
/// Members whose positions are kept inline.
const INLINE_COUNT: usize = count(Kept::Inline);
/// Members whose positions are kept in [`Extras`].
const RARE_COUNT: usize = count(Kept::Rare);
const KEPT_COUNT: usize = INLINE_COUNT + RARE_COUNT;

const fn count(kept: Kept) -> usize {
    let mut n = 0;
    let mut members: &[Member] = &Member::ALL;
    while let [m, rest @ ..] = members {
        if m.kept() as u8 == kept as u8 {
            n += 1;
        }
        members = rest;
    }
    n
}

const fn slots() -> [u8; MEMBER_COUNT] {
    let mut out = [NOT_KEPT; MEMBER_COUNT];
    let mut next = 0u8;
    let mut pass = 0;
    while pass < 2 {
        let want = if pass == 0 { Kept::Inline } else { Kept::Rare };
        let mut members: &[Member] = &Member::ALL;
        let mut slots: &mut [u8] = &mut out;
        while let [m, rest @ ..] = members {
            if let [slot, others @ ..] = slots {
                if m.kept() as u8 == want as u8 {
                    *slot = next;
                    next += 1;
                }
                slots = others;
            }
            members = rest;
        }
        pass += 1;
    }
    out
}

/// The member at `key` of an object at `place` (`None`: an object the
/// table does not name), when the store keeps its position.
fn kept_member(place: Option<Place>, key: &str) -> Option<Member> {
    Member::at(place?, key).filter(|m| m.kept() != Kept::No)
}

/// The member's slot among the spans (at or past [`KEPT_COUNT`] when not
/// kept).
fn slot(member: Member) -> usize {
    SLOTS
        .get(member as usize)
        .map_or(usize::MAX, |s| usize::from(*s))
}

/// What most notifications do not need: the positions of the rare members
/// and the text of string fields that have escapes.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
struct Extras {
    /// Offset of each rare member's value; 0 when absent.
    rare_spans: [u16; RARE_COUNT],
    /// String fields whose JSON text has escapes, unescaped.
    unescaped: Vec<(Member, Box<str>)>,
}

/// A notification in compact form, with where its view fields are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Encoded {
    text: Box<str>,
    /// Offset of each inline field's value; 0 (the opening brace) when absent.
    spans: [u16; INLINE_COUNT],
    /// Rare positions and unescaped texts; `None` for the common
    /// notification, which has neither (one pointer, no allocation).
    extras: Option<Box<Extras>>,
}

/// Encodes an operation object whose canonical form is at most
/// [`MAX_CANONICAL_BYTES`]; returns the encoding and the canonical length,
/// or `None` with the canonical length when it is longer.
///
/// `scratch` is a buffer reused from call to call: the text is written there
/// and copied once into an allocation of its exact size (writing into a
/// fresh `String` cost a grow and a shrink per notification).
pub(crate) fn encode(
    operation: &Node<'_>,
    scratch: &mut String,
) -> Result<(Encoded, usize), usize> {
    scratch.clear();
    let mut w = Writer {
        out: std::mem::take(scratch),
        expansion: 0,
        spans: [0; KEPT_COUNT],
        unescaped: Vec::new(),
    };
    w.node(operation, Some(Place::Top), None);
    let canonical_len = w.out.len() + w.expansion;
    let text: Option<Box<str>> =
        (canonical_len <= MAX_CANONICAL_BYTES).then(|| w.out.as_str().into());
    // An outsized operation does not leave its buffer behind.
    if w.out.capacity() <= SCRATCH_KEPT_BYTES {
        *scratch = w.out;
    }
    let text = text.ok_or(canonical_len)?;
    let (inline, rare) = w.spans.split_at(INLINE_COUNT);
    let mut spans = [0u16; INLINE_COUNT];
    spans.copy_from_slice(inline);
    let extras = (rare.iter().any(|s| *s != 0) || !w.unescaped.is_empty()).then(|| {
        let mut rare_spans = [0u16; RARE_COUNT];
        rare_spans.copy_from_slice(rare);
        Box::new(Extras {
            rare_spans,
            unescaped: w.unescaped,
        })
    });
    Ok((
        Encoded {
            text,
            spans,
            extras,
        },
        canonical_len,
    ))
}

/// The largest encoding buffer kept between calls.
const SCRATCH_KEPT_BYTES: usize = 4096;

/// The longest canonical operation the state can hold: field positions are
/// 16-bit. `maxOperationBytes` above this acts as this.
pub(crate) const MAX_CANONICAL_BYTES: usize = u16::MAX as usize;

struct Writer {
    out: String,
    /// Canonical bytes the markers stand for, beyond the markers themselves.
    expansion: usize,
    spans: [u16; KEPT_COUNT],
    unescaped: Vec<(Member, Box<str>)>,
}

impl Writer {
    /// Writes `node`, found at `field` of an object at `place` (`None`
    /// where the table names nothing).
    fn node(&mut self, node: &Node<'_>, place: Option<Place>, field: Option<Member>) {
        let absent = |f: Member| match node {
            Node::Null => true,
            Node::String(s) => s.is_empty() && matches!(f.kind(), Kind::Code | Kind::Word),
            _ => false,
        };
        if let Some(f) = field.filter(|f| !absent(*f)) {
            // Past the limit the operation is refused anyway.
            if let Some(slot) = self.spans.get_mut(slot(f)) {
                *slot = u16::try_from(self.out.len()).unwrap_or(0);
            }
        }
        match node {
            Node::Object(members) => {
                self.out.push('{');
                for (i, (key, value)) in members.iter().enumerate() {
                    if i > 0 {
                        self.out.push(',');
                    }
                    self.string(key);
                    self.out.push(':');
                    match (place, key.as_ref(), value) {
                        (Some(Place::Top), "cardId", Node::String(id)) => self.id(CARD_ID, id),
                        (Some(Place::Top), "operationId", Node::String(id)) => {
                            self.id(OPERATION_ID, id)
                        }
                        _ => {
                            let member = kept_member(place, key);
                            self.node(value, member.and_then(Member::opens), member);
                        }
                    }
                }
                self.out.push('}');
            }
            Node::Array(items) => {
                self.out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        self.out.push(',');
                    }
                    self.node(item, None, None);
                }
                self.out.push(']');
            }
            Node::String(s) => {
                let escaped = self.string(s);
                if let Some(f) = field.filter(|_| escaped) {
                    self.unescaped.push((f, s.as_ref().into()));
                }
            }
            Node::Null => self.out.push_str("null"),
            Node::Bool(true) => self.out.push_str("true"),
            Node::Bool(false) => self.out.push_str("false"),
            Node::Number(n) => write_number(n, &mut self.out),
            Node::Integer(t) => self.out.push_str(t),
        }
    }

    /// Writes a string token; says whether its JSON text has escapes.
    fn string(&mut self, s: &str) -> bool {
        if let Some(i) = dictionary_index(s) {
            self.out.push(char::from(TOKEN));
            self.out.push(char::from(INDEX_BASE + i));
            self.expansion += s.len();
            return false;
        }
        let before = self.out.len();
        write_string(s, &mut self.out);
        self.out.len() - before != s.len() + 2
    }

    fn id(&mut self, marker: u8, id: &str) {
        if is_plain(id) {
            self.out.push(char::from(marker));
            self.expansion += id.len() + 1;
        } else {
            // Not a valid id: the operation is refused; keep the text right.
            self.string(id);
        }
    }
}

/// True when `s` is written in JSON as itself in quotes.
fn is_plain(s: &str) -> bool {
    s.bytes()
        .all(|b| b >= 0x20 && b != b'"' && b != b'\\' && b < 0x80)
}

impl Encoded {
    /// The canonical text, given the ids the markers stand for.
    pub(crate) fn decode_into(&self, card_id: &str, operation_id: &str, out: &mut String) {
        decode_into(&self.text, card_id, operation_id, out);
    }

    /// The compact text (for the canonical order, `order.rs`).
    pub(crate) fn compact_text(&self) -> &str {
        &self.text
    }

    /// The canonical text (for tests).
    #[cfg(test)]
    pub(crate) fn canonical(&self, card_id: &str, operation_id: &str) -> String {
        let mut out = String::with_capacity(self.text.len() * 2);
        self.decode_into(card_id, operation_id, &mut out);
        out
    }

    fn span(&self, member: Member) -> Option<usize> {
        let i = slot(member);
        let at = match i.checked_sub(INLINE_COUNT) {
            None => self.spans.get(i),
            Some(r) => self.extras.as_ref().and_then(|e| e.rare_spans.get(r)),
        };
        match at {
            None | Some(0) => None,
            Some(at) => Some(usize::from(*at)),
        }
    }

    /// True when the notification carries `field` (not null).
    pub(crate) fn has(&self, member: Member) -> bool {
        self.span(member).is_some()
    }

    /// A string field's text, unescaped.
    pub(crate) fn text(&self, member: Member) -> Option<&str> {
        let at = self.span(member)?;
        if let Some(extras) = &self.extras {
            if let Some((_, s)) = extras.unescaped.iter().find(|(m, _)| *m == member) {
                return Some(s);
            }
        }
        let rest = self.text.get(at..)?;
        match rest.as_bytes() {
            [TOKEN, i, ..] => dictionary_word(*i),
            [b'"', ..] => {
                // Not in the unescaped list: no escape inside, so the next
                // quote closes it.
                let inner = rest.get(1..)?;
                inner.get(..inner.find('"')?)
            }
            // A code D1 sent as an integer: its digits, as canonical text
            // writes them (no escapes, no markers).
            [b'-' | b'0'..=b'9', ..] if member.kind() == Kind::Code => {
                rest.get(..value_len(rest.as_bytes()))
            }
            _ => None,
        }
    }

    /// Any field's value, as compact bytes (objects, arrays, numbers…).
    pub(crate) fn raw(&self, member: Member) -> Option<CompactValue<'_>> {
        let at = self.span(member)?;
        let rest = self.text.get(at..)?;
        rest.get(..value_len(rest.as_bytes())).map(CompactValue)
    }
}

#[cfg(test)]
mod tests;
