//! The state of one card: its operations, keyed by tracking type and id.

use std::collections::BTreeMap;

use crate::model::TrackingType;
use crate::operation::{Insert, OperationState, Stored};
use crate::phase::phase_of;
use crate::view::{CardView, OperationView, TrackingView};

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

    /// The current operation of `tracking_type`: greatest (start, id).
    fn current(&self, tracking_type: TrackingType) -> Option<(&String, &OperationState)> {
        self.operations
            .range((tracking_type, String::new())..)
            .take_while(|((t, _), _)| *t == tracking_type)
            .filter_map(|((_, id), op)| op.start().map(|s| (s, id, op)))
            .max_by(|(sa, ida, _), (sb, idb, _)| {
                sa.notification
                    .start_time
                    .cmp(&sb.notification.start_time)
                    .then_with(|| ida.cmp(idb))
            })
            .map(|(_, id, op)| (id, op))
    }

    pub(crate) fn trackings(&self) -> BTreeMap<TrackingType, TrackingView> {
        TrackingType::ALL
            .into_iter()
            .filter_map(|t| {
                let (id, op) = self.current(t)?;
                let view = op.view(self.id_conflict(t, id))?;
                Some((t, view))
            })
            .collect()
    }

    pub(crate) fn view(&self, card_id: &str) -> CardView {
        let trackings = self.trackings();
        CardView {
            card_id: card_id.to_string(),
            phase: phase_of(&trackings, !self.requests.is_empty()),
            trackings,
        }
    }

    pub(crate) fn operation_views(&self) -> Vec<OperationView> {
        self.operations
            .iter()
            .filter_map(|((t, id), op)| {
                let current = self.current(*t).is_some_and(|(cid, _)| cid == id);
                let view = op.view(self.id_conflict(*t, id))?;
                Some(OperationView {
                    tracking_type: *t,
                    current,
                    view,
                })
            })
            .collect()
    }
}
