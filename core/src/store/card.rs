//! The state of one card: its operations, keyed by tracking type and id.

use std::collections::BTreeMap;

use super::operation::OperationState;
use super::stored::Stored;
use crate::wire::TrackingType;

/// A card's own bytes: its state and its key in the tracker's map.
pub(crate) const CARD_BYTES: usize = std::mem::size_of::<CardState>() + 64;
/// An operation's own bytes, besides its id and notifications.
const OPERATION_BYTES: usize = std::mem::size_of::<OperationEntry>();
/// A request record (a map entry).
const REQUEST_BYTES: usize = 48;

/// One operation of a card, under its key.
#[derive(Debug, Clone)]
pub(crate) struct OperationEntry {
    pub(crate) tracking_type: TrackingType,
    pub(crate) id: Box<str>,
    pub(crate) state: OperationState,
}

/// A notification about to be folded into a card.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Pending<'a> {
    pub(crate) tracking_type: TrackingType,
    pub(crate) operation_id: &'a str,
    pub(crate) stored: &'a Stored,
}

/// Where a notification goes in a card: its operation (`Err`: a new one at
/// that index) and its place among the operation's kept notifications
/// (`Ok`: already kept, a duplicate).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Located {
    operation: Result<usize, usize>,
    position: Option<Result<usize, usize>>,
}

impl Located {
    /// True when the notification is kept already.
    pub(crate) fn is_duplicate(&self) -> bool {
        matches!(self.position, Some(Ok(_)))
    }
}

/// Operations of one card, sorted by (tracking type, operation id): an id
/// seen with two tracking types is two entries, both kept and both flagged
/// `conflict` (rejecting one would depend on arrival order). A card has a
/// handful of operations: a sorted vector is smaller than a map.
#[derive(Debug, Clone, Default)]
pub(crate) struct CardState {
    operations: Vec<OperationEntry>,
    /// When the host last asked D1 to track each type (ms; joined with max).
    pub(crate) requests: BTreeMap<TrackingType, u64>,
}

impl CardState {
    fn find(&self, tracking_type: TrackingType, operation_id: &str) -> Result<usize, usize> {
        self.operations.binary_search_by(|e| {
            (e.tracking_type, e.id.as_ref()).cmp(&(tracking_type, operation_id))
        })
    }

    /// The bytes this card's state takes (what `maxStateBytes` counts): the
    /// card, its operations and their kept notifications, its request
    /// records. An estimate of the heap, the same on every platform's
    /// pointer width it runs on.
    pub(crate) fn bytes(&self) -> usize {
        CARD_BYTES
            + self.requests.len() * REQUEST_BYTES
            + self
                .operations
                .iter()
                .map(|e| OPERATION_BYTES + e.id.len() + e.state.bytes())
                .sum::<usize>()
    }

    /// What adding `stored` to operation (`tracking_type`, `operation_id`)
    /// would add to [`bytes`](Self::bytes), at most.
    pub(crate) fn bytes_to_add(
        card: Option<&CardState>,
        tracking_type: TrackingType,
        operation_id: &str,
        stored: &Stored,
    ) -> usize {
        let operation = match card {
            Some(c) if c.has_operation(tracking_type, operation_id) => 0,
            _ => OPERATION_BYTES + operation_id.len(),
        };
        let card = if card.is_some() { 0 } else { CARD_BYTES };
        card + operation + stored.bytes()
    }

    /// What recording a request of `tracking_type` would add to
    /// [`bytes`](Self::bytes).
    pub(crate) fn request_bytes_to_add(
        card: Option<&CardState>,
        tracking_type: TrackingType,
    ) -> usize {
        match card {
            Some(c) if c.requests.contains_key(&tracking_type) => 0,
            Some(_) => REQUEST_BYTES,
            None => CARD_BYTES + REQUEST_BYTES,
        }
    }

    /// Every operation, in order of tracking type, then id.
    pub(crate) fn operations(&self) -> &[OperationEntry] {
        &self.operations
    }

    pub(crate) fn has_operation(&self, tracking_type: TrackingType, operation_id: &str) -> bool {
        self.find(tracking_type, operation_id).is_ok()
    }

    /// Where `pending` goes: its operation and its place there.
    pub(crate) fn locate(&self, pending: Pending<'_>) -> Located {
        let operation = self.find(pending.tracking_type, pending.operation_id);
        let position = operation
            .ok()
            .and_then(|i| self.operations.get(i))
            .map(|e| e.state.position(pending.stored));
        Located {
            operation,
            position,
        }
    }

    /// Inserts a notification where [`locate`](Self::locate) found its
    /// place (the state unchanged since); says how many kept notifications
    /// the history bound dropped.
    pub(crate) fn insert_located(
        &mut self,
        located: Located,
        tracking_type: TrackingType,
        operation_id: &str,
        stored: Stored,
        max_kept: usize,
    ) -> usize {
        match (located.operation, located.position) {
            (Ok(i), Some(Err(pos))) => self
                .operations
                .get_mut(i)
                .map_or(0, |e| e.state.insert_at(pos, stored, max_kept)),
            (Ok(_), Some(Ok(_))) => 0,
            _ => self.insert(tracking_type, operation_id, stored, max_kept),
        }
    }

    pub(crate) fn record_request(&mut self, tracking_type: TrackingType, at_ms: u64) {
        let slot = self.requests.entry(tracking_type).or_insert(at_ms);
        *slot = (*slot).max(at_ms);
    }

    pub(crate) fn insert(
        &mut self,
        tracking_type: TrackingType,
        operation_id: &str,
        stored: Stored,
        max_kept: usize,
    ) -> usize {
        let i = match self.find(tracking_type, operation_id) {
            Ok(i) => i,
            Err(i) => {
                // Exactly one more: cards rarely gain operations, and every
                // card pays for spare capacity.
                self.operations.reserve_exact(1);
                self.operations.insert(
                    i,
                    OperationEntry {
                        tracking_type,
                        id: operation_id.into(),
                        state: OperationState::default(),
                    },
                );
                i
            }
        };
        self.operations
            .get_mut(i)
            .map_or(0, |entry| entry.state.insert(stored, max_kept))
    }
}
