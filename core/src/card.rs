//! The state of one card: its operations, keyed by tracking type and id.

use std::collections::BTreeMap;

use crate::model::{Shipment, TrackingType};
use crate::operation::{Insert, OperationState, Stored};
use crate::phase::{phase_of_inputs, Phase, PhaseInput};
use crate::time::Timestamp;
use crate::view::{CardView, OperationView, TrackingView, ViewRef};

/// Operations of one card. Keyed by (tracking type, operation id): an id seen
/// with two tracking types is two entries, both kept and both flagged
/// `conflict` (rejecting one would depend on arrival order).
#[derive(Debug, Clone, Default)]
pub(crate) struct CardState {
    pub(crate) operations: BTreeMap<(TrackingType, String), OperationState>,
    /// When the host last asked D1 to track each type (ms; joined with max).
    pub(crate) requests: BTreeMap<TrackingType, u64>,
}

impl CardState {
    pub(crate) fn has_operation(&self, tracking_type: TrackingType, operation_id: &str) -> bool {
        // The tuple key needs an owned String; this probe is on the apply path
        // only for a notification that is not a duplicate.
        self.operations
            .contains_key(&(tracking_type, operation_id.to_string()))
    }

    pub(crate) fn is_duplicate(&self, stored: &Stored) -> bool {
        let n = &stored.notification;
        self.operations
            .get(&(n.tracking_type, n.operation_id.clone()))
            .is_some_and(|op| op.contains(stored))
    }

    pub(crate) fn record_request(&mut self, tracking_type: TrackingType, at_ms: u64) {
        let slot = self.requests.entry(tracking_type).or_insert(at_ms);
        *slot = (*slot).max(at_ms);
    }

    pub(crate) fn insert(&mut self, stored: Stored, max_kept: usize) -> Insert {
        let key = (
            stored.notification.tracking_type,
            stored.notification.operation_id.clone(),
        );
        self.operations
            .entry(key)
            .or_default()
            .insert(stored, max_kept)
    }

    /// True when `operation_id` is also known under another tracking type.
    fn id_conflict(&self, tracking_type: TrackingType, operation_id: &str) -> bool {
        TrackingType::ALL
            .into_iter()
            .filter(|t| *t != tracking_type)
            .any(|t| self.has_operation(t, operation_id))
    }

    /// The operations of one tracking type.
    fn of_type(
        &self,
        tracking_type: TrackingType,
    ) -> impl Iterator<Item = (&String, &OperationState)> + '_ {
        self.operations
            .range((tracking_type, String::new())..)
            .take_while(move |((t, _), _)| *t == tracking_type)
            .map(|((_, id), op)| (id, op))
    }

    /// The current operation's view per tracking type (in the order of
    /// [`TrackingType::ALL`]), borrowed from the state: as it is, or as it
    /// would be once `pending` (a new, distinct notification) is folded.
    pub(crate) fn tracking_refs<'a>(&'a self, pending: Option<&'a Stored>) -> TrackingRefs<'a> {
        let pending = pending.map(|p| {
            let n = &p.notification;
            (p, n, !self.has_operation(n.tracking_type, &n.operation_id))
        });
        TrackingType::ALL.map(|t| {
            let pending_here = pending.filter(|(_, n, _)| n.tracking_type == t);
            // The current operation: greatest (start, id), starts counting
            // the pending notification.
            let mut current: Option<(&Timestamp, &str, Option<&OperationState>)> = None;
            let mut consider = |start: Option<&'a Timestamp>, id: &'a str, op| {
                if let Some(start) = start {
                    if current.is_none_or(|(s, i, _)| (start, id) > (s, i)) {
                        current = Some((start, id, op));
                    }
                }
            };
            for (id, op) in self.of_type(t) {
                let mine = pending_here
                    .filter(|(_, n, _)| n.operation_id == *id)
                    .map(|(p, _, _)| p);
                consider(op.start_with(mine), id, Some(op));
            }
            if let Some((_, n, true)) = pending_here {
                consider(Some(&n.start_time), &n.operation_id, None);
            }
            let (_, id, op) = current?;
            let conflict = self.id_conflict(t, id)
                || pending
                    .is_some_and(|(_, n, new)| new && n.tracking_type != t && n.operation_id == id);
            let mine = pending_here
                .filter(|(_, n, _)| n.operation_id == id)
                .map(|(p, _, _)| p);
            match (op, mine) {
                (Some(op), mine) => op.view_ref(mine, conflict),
                (None, Some(p)) => OperationState::pending_view(p, conflict),
                (None, None) => None,
            }
        })
    }

    /// The phase of the card whose current trackings are `refs`.
    pub(crate) fn phase_of_refs(&self, refs: &TrackingRefs<'_>) -> Phase {
        let inputs = refs.map(|v| {
            v.map(|v| PhaseInput {
                status: v.status,
                details_status: v.details_status,
                shipment_phase: v.shipment.map(Shipment::phase),
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
            .filter_map(|((t, id), op)| {
                let current = refs[t.index()].is_some_and(|v| v.operation_id == id);
                let view = op.view_ref(None, self.id_conflict(*t, id))?.to_view();
                Some(OperationView {
                    tracking_type: *t,
                    current,
                    view,
                })
            })
            .collect()
    }
}

/// The current trackings of a card, in the order of [`TrackingType::ALL`].
pub(crate) type TrackingRefs<'a> = [Option<ViewRef<'a>>; 3];
