//! A parsed JSON value that borrows its strings from the input.
//!
//! `serde_json::Value` owns every key and string, and keeps objects in a
//! `BTreeMap`: reading one operation cost about forty allocations. A [`Node`]
//! borrows strings that need no unescaping and keeps an object as one vector,
//! sorted by key once, so reading, checking and writing the canonical form
//! all walk it in the canonical order.

use std::borrow::Cow;
use std::fmt;

use std::cell::Cell;

use serde::de::{
    Deserialize, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor,
};
use serde_json::{Number, Value};

/// One JSON value; object members are sorted by key (bytewise) and unique.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Node<'a> {
    Null,
    Bool(bool),
    Number(Number),
    /// An integer beyond 64 bits, as its literal text (`-` and digits): kept
    /// exactly, since `serde_json` would round it through `f64` (a 22-digit
    /// tracking number sent as a number stays 22 digits: README,
    /// "Leniency").
    Integer(Cow<'a, str>),
    String(Cow<'a, str>),
    Array(Vec<Node<'a>>),
    Object(Vec<(Cow<'a, str>, Node<'a>)>),
}

impl<'a> Node<'a> {
    /// The member `key` of an object.
    pub(crate) fn get(&self, key: &str) -> Option<&Node<'a>> {
        match self {
            // Objects are small and keys short: a scan that compares lengths
            // first, then bytes in line (a `memcmp` call per candidate cost
            // more than the comparison), beats a binary search.
            Node::Object(members) => members
                .iter()
                .find(|(k, _)| k.len() == key.len() && k.bytes().eq(key.bytes()))
                .map(|(_, v)| v),
            _ => None,
        }
    }

    /// The string member `key` of an object, borrowed from the input when
    /// it has no escapes (so it may outlive this node).
    pub(crate) fn string_member(&self, key: &str) -> Option<Cow<'a, str>> {
        match self.get(key) {
            Some(Node::String(s)) => Some(s.clone()),
            _ => None,
        }
    }

    pub(crate) fn as_str(&self) -> Option<&str> {
        match self {
            Node::String(s) => Some(s),
            _ => None,
        }
    }

    pub(crate) fn is_null(&self) -> bool {
        matches!(self, Node::Null)
    }

    /// The owned `serde_json` value.
    #[cfg(test)]
    pub(crate) fn to_value(&self) -> Value {
        match self {
            Node::Null => Value::Null,
            Node::Bool(b) => Value::Bool(*b),
            Node::Number(n) => Value::Number(n.clone()),
            // What serde_json reads for the same text.
            Node::Integer(t) => serde_json::from_str(t).unwrap_or(Value::Null),
            Node::String(s) => Value::String(s.to_string()),
            Node::Array(items) => Value::Array(items.iter().map(Node::to_value).collect()),
            Node::Object(members) => Value::Object(
                members
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_value()))
                    .collect(),
            ),
        }
    }

    /// The node as `serde_json` reads the same text: an integer beyond 64
    /// bits rounded through `f64` (what the direct reader is checked
    /// against).
    #[cfg(any(test, feature = "test-util"))]
    pub(crate) fn rounded(&self) -> Node<'a> {
        match self {
            Node::Integer(t) => serde_json::from_str::<Number>(t).map_or(Node::Null, Node::Number),
            Node::Array(items) => Node::Array(items.iter().map(Node::rounded).collect()),
            Node::Object(members) => Node::Object(
                members
                    .iter()
                    .map(|(k, v)| (k.clone(), v.rounded()))
                    .collect(),
            ),
            other => other.clone(),
        }
    }

    /// A node borrowing from a `serde_json` value.
    pub(crate) fn from_value(value: &'a Value) -> Node<'a> {
        match value {
            Value::Null => Node::Null,
            Value::Bool(b) => Node::Bool(*b),
            Value::Number(n) => Node::Number(n.clone()),
            Value::String(s) => Node::String(Cow::Borrowed(s)),
            Value::Array(items) => Node::Array(items.iter().map(Node::from_value).collect()),
            Value::Object(map) => Node::object(
                map.iter()
                    .map(|(k, v)| (Cow::Borrowed(k.as_str()), Node::from_value(v)))
                    .collect(),
            ),
        }
    }

    /// An object from members in any order: sorted by key, and for a key
    /// given twice the later member wins (as `serde_json` reads it).
    pub(crate) fn object(mut members: Vec<(Cow<'a, str>, Node<'a>)>) -> Node<'a> {
        // Stable: equal keys keep their input order, so the last one of a
        // run is the later one.
        // Keys are short and differ early: compared in line (a `memcmp`
        // call per comparison cost more than the comparison).
        members.sort_by(|(a, _), (b, _)| a.bytes().cmp(b.bytes()));
        if members
            .windows(2)
            .any(|w| matches!(w, [(a, _), (b, _)] if a == b))
        {
            let mut unique: Vec<(Cow<'a, str>, Node<'a>)> = Vec::with_capacity(members.len());
            for member in members {
                match unique.last_mut() {
                    Some(last) if last.0 == member.0 => *last = member,
                    _ => unique.push(member),
                }
            }
            members = unique;
        }
        Node::Object(members)
    }
}

impl<'de> Deserialize<'de> for Node<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(NodeVisitor { budget: None })
    }
}

/// How many more values a tree may take; `exhausted` once one was refused.
#[derive(Debug)]
pub(crate) struct Budget {
    pub(crate) left: Cell<usize>,
    pub(crate) exhausted: Cell<bool>,
}

impl Budget {
    pub(crate) fn new(values: usize) -> Budget {
        Budget {
            left: Cell::new(values),
            exhausted: Cell::new(false),
        }
    }

    /// Takes one value; false (and exhausted) when none is left.
    pub(crate) fn take(&self) -> bool {
        match self.left.get().checked_sub(1) {
            Some(left) => {
                self.left.set(left);
                true
            }
            None => {
                self.exhausted.set(true);
                false
            }
        }
    }
}

/// A tree read by `serde_json` within a [`Budget`]: past it, values are
/// checked and dropped (the tree is then incomplete: the budget says so).
pub(crate) struct Budgeted<'b>(pub(crate) &'b Budget);

impl<'de> DeserializeSeed<'de> for Budgeted<'_> {
    type Value = Node<'de>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Node<'de>, D::Error> {
        if !self.0.take() {
            IgnoredAny::deserialize(d)?;
            return Ok(Node::Null);
        }
        d.deserialize_any(NodeVisitor {
            budget: Some(self.0),
        })
    }
}

struct NodeVisitor<'b> {
    budget: Option<&'b Budget>,
}

impl NodeVisitor<'_> {
    fn element<'de, A: SeqAccess<'de>>(&self, seq: &mut A) -> Result<Option<Node<'de>>, A::Error> {
        match self.budget {
            Some(b) => seq.next_element_seed(Budgeted(b)),
            None => seq.next_element(),
        }
    }

    fn value<'de, A: MapAccess<'de>>(&self, map: &mut A) -> Result<Node<'de>, A::Error> {
        match self.budget {
            Some(b) => map.next_value_seed(Budgeted(b)),
            None => map.next_value(),
        }
    }

    fn exhausted(&self) -> bool {
        self.budget.is_some_and(|b| b.exhausted.get())
    }
}

/// The member name serde_json gives a number read with
/// `arbitrary_precision` (not public in serde_json; stable since 1.0.12).
const ARBITRARY_PRECISION_NUMBER: &str = "$serde_json::private::Number";

impl<'de> Visitor<'de> for NodeVisitor<'_> {
    type Value = Node<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, b: bool) -> Result<Node<'de>, E> {
        Ok(Node::Bool(b))
    }

    fn visit_i64<E>(self, n: i64) -> Result<Node<'de>, E> {
        Ok(Node::Number(n.into()))
    }

    fn visit_u64<E>(self, n: u64) -> Result<Node<'de>, E> {
        Ok(Node::Number(n.into()))
    }

    fn visit_f64<E>(self, n: f64) -> Result<Node<'de>, E> {
        // As serde_json's own Value does: a non-finite number is null.
        Ok(Number::from_f64(n).map_or(Node::Null, Node::Number))
    }

    fn visit_borrowed_str<E>(self, s: &'de str) -> Result<Node<'de>, E> {
        Ok(Node::String(Cow::Borrowed(s)))
    }

    fn visit_str<E>(self, s: &str) -> Result<Node<'de>, E> {
        Ok(Node::String(Cow::Owned(s.to_string())))
    }

    fn visit_string<E>(self, s: String) -> Result<Node<'de>, E> {
        Ok(Node::String(Cow::Owned(s)))
    }

    fn visit_unit<E>(self) -> Result<Node<'de>, E> {
        Ok(Node::Null)
    }

    fn visit_none<E>(self) -> Result<Node<'de>, E> {
        Ok(Node::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Node<'de>, D::Error> {
        d.deserialize_any(self)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Node<'de>, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(64));
        while let Some(item) = self.element(&mut seq)? {
            if self.exhausted() {
                // Past the budget nothing more is kept.
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                return Ok(Node::Null);
            }
            items.push(item);
        }
        Ok(Node::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node<'de>, A::Error> {
        let mut members = Vec::with_capacity(map.size_hint().unwrap_or(0).min(64));
        while let Some(key) = map.next_key::<Key<'de>>()? {
            if members.is_empty() && key.0 == ARBITRARY_PRECISION_NUMBER {
                // With `serde_json/arbitrary_precision` on anywhere in the
                // host's build, serde_json hands every number to a visitor
                // as this one-member map holding its text.
                // Without that feature, a number beyond `f64` is an error:
                // so it is here.
                let text: Cow<'de, str> = map.next_value::<Key<'de>>()?.0;
                let number = text.parse::<Number>().map_err(serde::de::Error::custom)?;

                let integer = number.is_u64() || number.is_i64();
                if !integer && !number.as_f64().is_some_and(f64::is_finite) {
                    return Err(serde::de::Error::custom("number out of range"));
                }
                return Ok(Node::Number(number));
            }
            let value = self.value(&mut map)?;
            if self.exhausted() {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                return Ok(Node::Null);
            }
            members.push((key.0, value));
        }
        Ok(Node::object(members))
    }
}

/// An object key, borrowed when the input allows.
struct Key<'a>(Cow<'a, str>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_str(KeyVisitor)
    }
}

struct KeyVisitor;

impl<'de> Visitor<'de> for KeyVisitor {
    type Value = Key<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object key")
    }

    fn visit_borrowed_str<E>(self, s: &'de str) -> Result<Key<'de>, E> {
        Ok(Key(Cow::Borrowed(s)))
    }

    fn visit_str<E>(self, s: &str) -> Result<Key<'de>, E> {
        Ok(Key(Cow::Owned(s.to_string())))
    }

    fn visit_string<E>(self, s: String) -> Result<Key<'de>, E> {
        Ok(Key(Cow::Owned(s)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_like_serde_json_value() {
        let text =
            r#"{"b":[1,-2,3.5,1e400,"x\n"],"a":{"z":null,"y":true},"b":"later","é":"\u00e9"}"#;
        // 1e400 is out of range: refused, as serde_json's `Value` refuses it
        // (unless `arbitrary_precision` is on, which must not change ours).
        assert!(serde_json::from_str::<Node>(text).is_err());
        let text = text.replace("1e400", "12345678901234567890123");
        let node: Node = serde_json::from_str(&text).expect("valid JSON");
        let value: Value = serde_json::from_str(&text).expect("valid JSON");
        assert_eq!(node.to_value(), value);
        assert_eq!(node.get("b").and_then(Node::as_str), Some("later"));
        assert!(node
            .get("a")
            .and_then(|a| a.get("z"))
            .is_some_and(Node::is_null));
        assert_eq!(Node::from_value(&value), node);
    }
}
