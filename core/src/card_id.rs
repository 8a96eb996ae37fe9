//! Card ids stored inline, so that finding a card among a million reads one
//! B-tree node per level instead of a heap string per comparison.

use std::cmp::Ordering;
use std::fmt;

use crate::model::is_identifier;

/// The longest card id D1 issues (`^[A-Za-z0-9_-]{1,48}$`).
pub(crate) const CARD_ID_MAX: usize = 48;

/// A card id, inline. Ordered as its text (bytewise), like `String`: ids
/// hold no NUL byte, so the zero padding sorts a prefix first.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct CardId {
    bytes: [u8; CARD_ID_MAX],
    len: u8,
}

impl CardId {
    /// The id of `text`; `None` when it is not a card id (so no card has it).
    pub(crate) fn new(text: &str) -> Option<CardId> {
        if !is_identifier(text, CARD_ID_MAX) {
            return None;
        }
        let mut bytes = [0; CARD_ID_MAX];
        bytes
            .get_mut(..text.len())?
            .copy_from_slice(text.as_bytes());
        Some(CardId {
            bytes,
            len: u8::try_from(text.len()).ok()?,
        })
    }

    /// The id as text.
    pub(crate) fn as_str(&self) -> &str {
        let bytes = self.bytes.get(..usize::from(self.len)).unwrap_or_default();
        // Built from a `&str`, so always UTF-8.
        std::str::from_utf8(bytes).unwrap_or_default()
    }
}

impl Ord for CardId {
    /// Eight bytes at a time, read big-endian, so that comparing words is
    /// comparing bytes: a map search makes a dozen of these per lookup, and
    /// a call to `memcmp` for each cost more than the comparison itself.
    fn cmp(&self, other: &Self) -> Ordering {
        let word = |c: &[u8]| {
            let mut b = [0u8; 8];
            b.copy_from_slice(c);
            u64::from_be_bytes(b)
        };
        for (a, b) in self.bytes.chunks_exact(8).zip(other.bytes.chunks_exact(8)) {
            match word(a).cmp(&word(b)) {
                Ordering::Equal => {}
                unequal => return unequal,
            }
        }
        self.len.cmp(&other.len)
    }
}

impl PartialOrd for CardId {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Debug for CardId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn orders_like_strings() {
        let ids = [
            "card-1", "card-10", "card-2", "a", "card", "Z", "card-1-", "card_1",
        ];
        let mut by_text: Vec<&str> = ids.to_vec();
        by_text.sort();
        let mut by_id: Vec<CardId> = ids.iter().map(|s| CardId::new(s).unwrap()).collect();
        by_id.sort();
        let back: Vec<&str> = by_id.iter().map(CardId::as_str).collect();
        assert_eq!(back, by_text);
        assert!(CardId::new(&"x".repeat(CARD_ID_MAX)).is_some());
        assert!(CardId::new(&"x".repeat(CARD_ID_MAX + 1)).is_none());
        assert!(CardId::new("card\0").is_none());
    }

    proptest::proptest! {
        /// Word-wise comparison is string comparison, whatever the lengths
        /// and wherever the first difference falls relative to the words.
        #[test]
        fn compares_like_strings(a in "[A-Za-z0-9_-]{1,48}", b in "[A-Za-z0-9_-]{1,48}") {
            let (x, y) = (CardId::new(&a).unwrap(), CardId::new(&b).unwrap());
            proptest::prop_assert_eq!(x.cmp(&y), a.cmp(&b));
            proptest::prop_assert_eq!(x == y, a == b);
        }

        #[test]
        fn compares_like_strings_sharing_a_prefix(
            prefix in "[a-c]{0,40}", a in "[a-c]{1,8}", b in "[a-c]{0,8}",
        ) {
            let (a, b) = (format!("{prefix}{a}"), format!("{prefix}{b}"));
            let (x, y) = (CardId::new(&a).unwrap(), CardId::new(&b));
            if let Some(y) = y {
                proptest::prop_assert_eq!(x.cmp(&y), a.as_str().cmp(b.as_str()));
            }
        }
    }
}
