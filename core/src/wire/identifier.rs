//! D1's identifiers and their rules, declared once: the pattern
//! `^[A-Za-z0-9_-]{1,max}$` with each identifier's length, and [`CardId`],
//! the card id stored inline so that finding a card among a million reads
//! one B-tree node per level instead of a heap string per comparison.

use std::cmp::Ordering;
use std::fmt;

use crate::error::{invalid_format, Error};
use crate::json::quoted;

/// One of D1's identifiers: `^[A-Za-z0-9_-]{min,max}$`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct IdRule {
    /// The shortest length (1, or the exact length when equal to `max`).
    pub(crate) min: usize,
    /// The longest length.
    pub(crate) max: usize,
}

/// `cardId`, in notifications and in requests.
pub(crate) const CARD_ID: IdRule = IdRule { min: 1, max: 48 };
/// `operationId` (UUID-shaped in practice).
pub(crate) const OPERATION_ID: IdRule = IdRule { min: 1, max: 64 };
/// `issuerId`: D1 shows exactly ten characters.
pub(crate) const ISSUER_ID: IdRule = IdRule { min: 10, max: 10 };
/// The optional `x-correlation-id` header.
pub(crate) const CORRELATION_ID: IdRule = IdRule { min: 1, max: 64 };
/// The operation name a report echoes (`STANDALONE_TRACKING`, `PRODUCE`…).
pub(crate) const OPERATION_NAME_MAX: usize = 64;

/// The longest card id D1 issues.
pub(crate) const CARD_ID_MAX: usize = CARD_ID.max;

impl IdRule {
    /// True when `s` follows the rule.
    pub(crate) fn matches(self, s: &str) -> bool {
        (self.min..=self.max).contains(&s.len())
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    }

    /// The rule as a regular expression, `^[A-Za-z0-9_-]{1,48}$`.
    pub(crate) fn regex(self) -> String {
        format!("^[A-Za-z0-9_-]{{{},{}}}$", self.min, self.max)
    }

    /// The rule as an error message writes it.
    pub(crate) fn pattern(self) -> String {
        if self.min == self.max {
            format!("exactly {} characters of [A-Za-z0-9_-]", self.max)
        } else {
            format!("a string matching {}", self.regex())
        }
    }

    /// `s` when it follows the rule; otherwise `FIELD_INVALID_FORMAT` at
    /// `path`, naming the rule and the value found.
    pub(crate) fn check<'s>(self, s: &'s str, path: &str) -> Result<&'s str, Error> {
        if self.matches(s) {
            Ok(s)
        } else {
            Err(invalid_format(
                path,
                format!("expected {}, found {}", self.pattern(), quoted(s)),
            ))
        }
    }
}

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
        if !CARD_ID.matches(text) {
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
