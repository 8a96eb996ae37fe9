//! The canonical order of two kept notifications, read from their compact
//! form without decoding them.
//!
//! The fold breaks ties between notifications by their canonical text,
//! bytewise. Decoding both texts for every comparison made a hostile
//! operation (dozens of large notifications that tie on every rank) fold
//! ten times slower than a fresh one. Here the compact texts are compared
//! directly up to their first difference — equal compact bytes decode to
//! equal canonical bytes — and only the rest is decoded, piece by piece,
//! until the canonical texts differ.

use std::cmp::Ordering;

use super::dictionary::{dictionary_word, CARD_ID, INDEX_BASE, OPERATION_ID, TOKEN};

/// Orders two compact texts of notifications of one operation as their
/// canonical texts. The card and operation ids stand at the same places in
/// both, so they compare as any one stand-in (`""`) would.
pub(crate) fn cmp_compact(a: &[u8], b: &[u8]) -> Ordering {
    let mut at = common_prefix(a, b);
    // A difference in a dictionary index is a difference of its token:
    // decode from the token's first byte (index bytes are never `TOKEN`).
    if at > 0 && a.get(at - 1) == Some(&TOKEN) {
        at -= 1;
    }
    let (Some(a), Some(b)) = (a.get(at..), b.get(at..)) else {
        return Ordering::Equal;
    };
    cmp_pieces(Pieces::new(a), Pieces::new(b))
}

/// The length of the longest common prefix: equal blocks are skipped with
/// one `memcmp` per kilobyte, then per 32 bytes, then bytes are compared.
fn common_prefix(a: &[u8], b: &[u8]) -> usize {
    let mut at = 0;
    for block in [1024, 32, 1] {
        at += a
            .get(at..)
            .unwrap_or_default()
            .chunks_exact(block)
            .zip(b.get(at..).unwrap_or_default().chunks_exact(block))
            .take_while(|(x, y)| x == y)
            .count()
            * block;
    }
    at
}

/// Canonical bytes of a compact text, as a sequence of slices: runs of
/// plain bytes, and the quoted words and ids the markers stand for.
struct Pieces<'a> {
    rest: &'a [u8],
    /// What a dictionary token expands to, still to be given.
    queued: [&'a [u8]; 2],
    queued_len: usize,
}

impl<'a> Pieces<'a> {
    fn new(rest: &'a [u8]) -> Pieces<'a> {
        Pieces {
            rest,
            queued: [&[], &[]],
            queued_len: 0,
        }
    }
}

impl<'a> Iterator for Pieces<'a> {
    type Item = &'a [u8];

    fn next(&mut self) -> Option<&'a [u8]> {
        if self.queued_len > 0 {
            self.queued_len -= 1;
            return self.queued.get(1 - self.queued_len).copied();
        }
        let rest = self.rest;
        match *rest.first()? {
            TOKEN => {
                let word = rest.get(1).and_then(|i| dictionary_word(*i)).unwrap_or("");
                self.rest = rest.get(2..).unwrap_or_default();
                self.queued = [word.as_bytes(), b"\""];
                self.queued_len = 2;
                Some(b"\"")
            }
            CARD_ID | OPERATION_ID => {
                self.rest = rest.get(1..).unwrap_or_default();
                Some(b"\"\"")
            }
            _ => {
                let n = rest
                    .iter()
                    .position(|b| *b < INDEX_BASE)
                    .unwrap_or(rest.len());
                let (run, tail) = rest.split_at(n);
                self.rest = tail;
                Some(run)
            }
        }
    }
}

/// Orders two sequences of slices as the concatenations of their slices.
fn cmp_pieces(mut a: Pieces<'_>, mut b: Pieces<'_>) -> Ordering {
    let (mut x, mut y): (&[u8], &[u8]) = (&[], &[]);
    loop {
        while x.is_empty() {
            match a.next() {
                Some(p) => x = p,
                None => break,
            }
        }
        while y.is_empty() {
            match b.next() {
                Some(p) => y = p,
                None => break,
            }
        }
        if x.is_empty() || y.is_empty() {
            return x.len().cmp(&y.len());
        }
        let n = x.len().min(y.len());
        let ((x_head, x_tail), (y_head, y_tail)) = (x.split_at(n), y.split_at(n));
        match x_head.cmp(y_head) {
            Ordering::Equal => (x, y) = (x_tail, y_tail),
            unequal => return unequal,
        }
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use serde_json::Value;

    use super::*;
    use crate::json::Node;
    use crate::store::encoding::encode;

    fn compact(v: &Value) -> (String, String) {
        let node = Node::from_value(v);
        let (encoded, _) = encode(&node, &mut String::new()).expect("small");
        (
            encoded.compact_text().to_string(),
            encoded.canonical("", ""),
        )
    }

    fn operation(tail: String, status: &str, extra: Option<i64>) -> Value {
        let mut v = serde_json::json!({"cardId":"card-1","operationId":"op-1",
            "operation":"STANDALONE_TRACKING","status":status,
            "startTime":"2026-03-02T09:00:00Z","details":{"trackingType":"SHIPMENT"},
            "note": tail});
        if let (Some(x), Some(map)) = (extra, v.as_object_mut()) {
            map.insert("zz".into(), Value::from(x));
        }
        v
    }

    proptest! {
        /// Comparing compact texts is comparing canonical texts, wherever
        /// the first difference falls (in a run, a token, an index byte).
        #[test]
        fn orders_like_the_canonical_text(
            a in "[a-zA-Z\"\\\\ ]{0,40}", b in "[a-zA-Z\"\\\\ ]{0,40}",
            sa in prop::sample::select(vec!["PENDING", "SUCCESSFUL", "FAILED", "PENDINGX", "SHIPMENT"]),
            sb in prop::sample::select(vec!["PENDING", "SUCCESSFUL", "FAILED", "PENDINGX", "SHIPMENT"]),
            xa in prop::option::of(0i64..3), xb in prop::option::of(0i64..3),
        ) {
            let (ca, ta) = compact(&operation(a, sa, xa));
            let (cb, tb) = compact(&operation(b, sb, xb));
            prop_assert_eq!(cmp_compact(ca.as_bytes(), cb.as_bytes()), ta.cmp(&tb));
            prop_assert_eq!(cmp_compact(cb.as_bytes(), ca.as_bytes()), tb.cmp(&ta));
        }
    }

    #[test]
    fn common_prefix_counts_equal_bytes() {
        let a = b"0123456789abcdef0123456789abcdefXY";
        assert_eq!(common_prefix(a, a), a.len());
        assert_eq!(common_prefix(a, b"0123456789abcdef0123456789abcdefXZ"), 33);
        assert_eq!(common_prefix(a, b"0123"), 4);
        assert_eq!(common_prefix(b"", a), 0);
    }
}
