//! What streaming a document hands over ([`Element`]) and gives back
//! ([`Outline`]): one vocabulary for both ways of reading, the direct
//! reader (`stream.rs`) and `serde_json`'s (`stream_serde.rs`), so that
//! each uses it and neither uses the other's.

use std::borrow::Cow;

use super::reader::Extent;
use super::Node;

/// What the caller is handed while reading.
#[derive(Debug)]
pub(crate) enum Element<'a> {
    /// Forget everything handed over so far: the streamed root member
    /// appeared again (the last one wins, as for any key), or the direct
    /// reader gave up and `serde_json` reads the document from the start.
    Reset,
    /// With a path of two names: element `index` of the outer member begins
    /// (or its inner member appeared again): forget its inner elements.
    Begin { index: usize },
    /// With a path of two names: element `index` of the outer member ended;
    /// its members other than the inner one.
    End { index: usize, outline: Outline<'a> },
    /// Element `index` of the innermost member, with its extent when the
    /// direct reader measured it (depths count from the document's root);
    /// `node` is `None` when the element holds more values than the budget
    /// allows (it was checked, not kept).
    Item {
        index: usize,
        node: Option<Node<'a>>,
        extent: Option<Extent>,
        /// The element's text as it stands in the input, when the direct
        /// reader read it (`serde_json` gives no positions).
        raw: Option<&'a str>,
    },
}

/// The streamed member, as found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Member {
    /// An array of this many elements (each was handed over).
    Array(usize),
    /// Another JSON type (`null` included), by name.
    Other(&'static str),
}

/// The document apart from the streamed elements.
#[derive(Debug, Default)]
pub(crate) struct Outline<'a> {
    /// The root's JSON type, by name, when it is not an object.
    pub(crate) not_an_object: Option<&'static str>,
    /// The streamed member, when the root has it.
    pub(crate) member: Option<Member>,
    /// The object's other members, in order: their value when it holds at
    /// most [`SMALL_VALUES`] values, else `None` (checked, not kept).
    pub(crate) others: Vec<(Cow<'a, str>, Option<Node<'a>>)>,
}

/// The most values a member other than the streamed one is kept with.
pub(crate) const SMALL_VALUES: usize = 64;

impl<'a> Outline<'a> {
    /// The member `key` (the last one given wins): `Some(None)` when it is
    /// there but was too large to keep.
    pub(crate) fn member(&self, key: &str) -> Option<Option<&Node<'a>>> {
        self.others
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_ref())
    }

    /// The member `key`, when it is a string (the last one given wins).
    pub(crate) fn string(&self, key: &str) -> Option<Option<&str>> {
        self.member(key).map(|v| v.and_then(Node::as_str))
    }
}
