//! The state of one operation: the distinct notifications kept, and the view
//! derived from them.
//!
//! # Why the kept set is a join even when bounded
//! Every field of the view is the maximum (or, for `startTime`, the minimum)
//! of one total order over notifications: its *witness*. The state keeps the
//! greatest K notifications by [`key`](Stored::cmp_key) **and** every witness.
//! For any sets A and B, the witnesses and the top K of A ∪ B are among those
//! kept for A and for B, so `keep(keep(A) ∪ keep(B)) = keep(A ∪ B)`: applying
//! in any order, merging, or restoring gives the same kept set, and the view
//! (a function of the witnesses only) never depends on K.

use super::stored::Stored;
use super::witness::{Positions, Witnesses};

/// The kept notifications of one operation, ascending by key, and which of
/// them define the view (kept in step with `items` by `insert`, so reading
/// the view never rescans the history).
#[derive(Debug, Clone, Default)]
pub(crate) struct OperationState {
    items: Vec<Stored>,
    witnesses: Positions,
}

impl OperationState {
    pub(crate) fn items(&self) -> &[Stored] {
        &self.items
    }

    /// The bytes this operation's kept notifications take (struct and text).
    pub(crate) fn bytes(&self) -> usize {
        self.items.iter().map(Stored::bytes).sum()
    }

    /// Adds `stored` (nothing when the same content is kept already), then
    /// keeps the top `max_kept` and the witnesses. Says how many kept
    /// notifications that dropped (restoring a snapshot must drop none).
    pub(crate) fn insert(&mut self, stored: Stored, max_kept: usize) -> usize {
        match self.position(&stored) {
            Ok(_) => 0,
            Err(pos) => self.insert_at(pos, stored, max_kept),
        }
    }

    /// Where `stored` is kept (`Ok`), or would be inserted (`Err`).
    pub(crate) fn position(&self, stored: &Stored) -> Result<usize, usize> {
        self.items.binary_search_by(|x| x.cmp_key(stored))
    }

    /// [`insert`](Self::insert) of a notification not kept, at `pos` as
    /// [`position`](Self::position) gave it (the search is not made twice:
    /// with notifications that tie on every rank it reads their text).
    pub(crate) fn insert_at(&mut self, pos: usize, stored: Stored, max_kept: usize) -> usize {
        let max_kept = max_kept.min(super::witness::MAX_KEPT);
        // Exactly one more: most operations stop at a few notifications, and
        // every one of them would pay for spare room.
        self.items.reserve_exact(1);
        let pos = pos.min(self.items.len());
        self.items.insert(pos, stored);
        // Every witness is the greatest of a total order, so the new one is
        // the old one (moved past `pos`) or the notification inserted: no
        // rescan of the history.
        let items = &self.items;
        let mut w = self
            .witnesses
            .unpack()
            .map(|i| Some(i + usize::from(i >= pos)));
        if let Some(inserted) = items.get(pos) {
            w.absorb(pos, inserted, false, |i| items.get(i).unwrap_or(inserted));
        }
        self.witnesses = Positions::pack(w);
        // The property tests run in debug: each insert checks the
        // incremental witnesses against a rescan.
        debug_assert_eq!(self.witnesses, Positions::of(&self.items));
        self.prune(max_kept)
    }

    /// Drops what is neither in the top `max_kept` nor a witness; says how
    /// many.
    fn prune(&mut self, max_kept: usize) -> usize {
        let len = self.items.len();
        if len <= max_kept {
            return 0;
        }
        let witnesses = self.witnesses;
        let first_top = len - max_kept;
        let keep = |i: usize| i >= first_top || witnesses.contains(i);
        let mut i = 0;
        self.items.retain(|_| {
            let k = keep(i);
            i += 1;
            k
        });
        self.items.shrink_to_fit();
        // Positions moved.
        self.witnesses = Positions::of(&self.items);
        len - self.items.len()
    }

    /// The witnesses of this operation as it is, or as it would be once
    /// `pending` (a new, distinct notification of this operation) is folded,
    /// with the number of notifications that makes.
    pub(crate) fn witnesses_with<'a>(
        &'a self,
        pending: Option<&'a Stored>,
    ) -> (Witnesses<&'a Stored>, usize) {
        let items = &self.items;
        let mut w = self.witnesses.unpack().map(|i| items.get(i));
        if let Some(p) = pending {
            w.absorb(p, p, false, |s| s);
        }
        (w, items.len() + usize::from(pending.is_some()))
    }

    /// The witnesses of an operation not in the state yet, made by `pending`.
    pub(crate) fn pending_witnesses(pending: &Stored) -> Witnesses<&Stored> {
        let mut w = Witnesses::default();
        w.absorb(pending, pending, false, |s| s);
        w
    }
}

#[cfg(test)]
mod tests {
    /// A typical card's memory (the goal: 2 KiB) is mostly these
    /// structs and the encoded text; growing them should be a decision.
    /// v2 (docs/decisions.md): +8 bytes per notification for the position
    /// of `details` (the rare members' positions live in a side box most
    /// notifications do not allocate); five more witnesses fit in the same
    /// 56 bytes per operation as 16-bit positions. v3: +32 bytes per
    /// operation for 17 more witnesses (each shipment member's own join and
    /// the phase's facts, kept beside the bounded history: README, "Phase").
    #[test]
    fn kept_state_stays_small() {
        assert!(std::mem::size_of::<crate::store::stored::Stored>() <= 88);
        assert!(std::mem::size_of::<super::OperationState>() <= 88);
        assert!(std::mem::size_of::<crate::store::card::OperationEntry>() <= 112);
    }
}
