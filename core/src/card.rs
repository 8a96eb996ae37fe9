//! The state of one card: its operations, keyed by tracking type and id.

use std::collections::BTreeMap;

use crate::model::TrackingType;
use crate::operation::{OperationState, Start, Stored, ViewRef};
use crate::phase::{phase_of_inputs, Phase, PhaseInput};
use crate::view::{CardView, OperationView, TrackingView};

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

    /// Every operation, in order of tracking type, then id.
    pub(crate) fn operations(&self) -> &[OperationEntry] {
        &self.operations
    }

    pub(crate) fn has_operation(&self, tracking_type: TrackingType, operation_id: &str) -> bool {
        self.find(tracking_type, operation_id).is_ok()
    }

    pub(crate) fn is_duplicate(&self, pending: Pending<'_>) -> bool {
        self.find(pending.tracking_type, pending.operation_id)
            .ok()
            .and_then(|i| self.operations.get(i))
            .is_some_and(|e| e.state.contains(pending.stored))
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
    ) {
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
        if let Some(entry) = self.operations.get_mut(i) {
            entry.state.insert(stored, max_kept);
        }
    }

    /// True when `operation_id` is also known under another tracking type.
    fn id_conflict(&self, tracking_type: TrackingType, operation_id: &str) -> bool {
        TrackingType::ALL
            .into_iter()
            .filter(|t| *t != tracking_type)
            .any(|t| self.has_operation(t, operation_id))
    }

    /// The operations of one tracking type.
    fn of_type(&self, tracking_type: TrackingType) -> impl Iterator<Item = &OperationEntry> + '_ {
        let first = self
            .operations
            .partition_point(|e| e.tracking_type < tracking_type);
        self.operations
            .get(first..)
            .unwrap_or_default()
            .iter()
            .take_while(move |e| e.tracking_type == tracking_type)
    }

    /// The current operation's view per tracking type (in the order of
    /// [`TrackingType::ALL`]), borrowed from the state: as it is, or as it
    /// would be once `pending` (a new, distinct notification) is folded.
    pub(crate) fn tracking_refs<'a>(&'a self, pending: Option<Pending<'a>>) -> TrackingRefs<'a> {
        let new_operation =
            pending.is_some_and(|p| !self.has_operation(p.tracking_type, p.operation_id));
        TrackingType::ALL.map(|t| {
            let pending_here = pending.filter(|p| p.tracking_type == t);
            let mine = |id: &str| {
                pending_here
                    .filter(|p| p.operation_id == id)
                    .map(|p| p.stored)
            };
            // The current operation: greatest (start, id), starts counting
            // the pending notification.
            let mut current: Option<(Start<'a>, &'a str, Option<&'a OperationState>)> = None;
            let mut consider = |start: Option<Start<'a>>, id: &'a str, op| {
                if let Some(start) = start {
                    if current.is_none_or(|(s, i, _)| (start, id) > (s, i)) {
                        current = Some((start, id, op));
                    }
                }
            };
            for e in self.of_type(t) {
                consider(e.state.start_with(mine(&e.id)), &e.id, Some(&e.state));
            }
            if let Some(p) = pending_here.filter(|_| new_operation) {
                consider(Some(p.stored.start()), p.operation_id, None);
            }
            let (_, id, op) = current?;
            let conflict = self.id_conflict(t, id)
                || pending
                    .is_some_and(|p| new_operation && p.tracking_type != t && p.operation_id == id);
            match (op, mine(id)) {
                (Some(op), mine) => op.view_ref(id, mine, conflict),
                (None, Some(p)) => OperationState::pending_view(id, p, conflict),
                (None, None) => None,
            }
        })
    }

    /// The phase of the card whose current trackings are `refs`.
    pub(crate) fn phase_of_refs(&self, refs: &TrackingRefs<'_>) -> Phase {
        let inputs = refs.map(|v| {
            v.map(|v| PhaseInput {
                status: v.status,
                details_status: v.details_status(),
                shipment_phase: v.shipment_phase(),
            })
        });
        phase_of_inputs(&inputs, !self.requests.is_empty())
    }

    pub(crate) fn trackings(&self) -> BTreeMap<TrackingType, TrackingView> {
        TrackingType::ALL
            .into_iter()
            .zip(self.tracking_refs(None))
            .filter_map(|(t, v)| Some((t, v?.to_view())))
            .collect()
    }

    pub(crate) fn view(&self, card_id: &str) -> CardView {
        let refs = self.tracking_refs(None);
        CardView {
            card_id: card_id.to_string(),
            phase: self.phase_of_refs(&refs),
            trackings: TrackingType::ALL
                .into_iter()
                .zip(refs)
                .filter_map(|(t, v)| Some((t, v?.to_view())))
                .collect(),
        }
    }

    pub(crate) fn operation_views(&self) -> Vec<OperationView> {
        let refs = self.tracking_refs(None);
        self.operations
            .iter()
            .filter_map(|e| {
                let t = e.tracking_type;
                let current = refs
                    .get(t.index())
                    .and_then(Option::as_ref)
                    .is_some_and(|v| v.operation_id == e.id.as_ref());
                let view = e
                    .state
                    .view_ref(&e.id, None, self.id_conflict(t, &e.id))?
                    .to_view();
                Some(OperationView {
                    tracking_type: t,
                    current,
                    view,
                })
            })
            .collect()
    }
}

/// The current trackings of a card, in the order of [`TrackingType::ALL`].
pub(crate) type TrackingRefs<'a> = [Option<ViewRef<'a>>; 3];
