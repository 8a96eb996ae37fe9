//! A card's views, derived from its state: the current operation per
//! tracking type, the phase, and every operation.

use super::operation::ViewRef;
use super::phase::{phase_of_inputs, Phase, PhaseInput};
use super::types::{CardView, OperationView};
use crate::store::{CardState, OperationState, Pending, Start};
use crate::wire::TrackingType;

/// The current trackings of a card, in the order of [`TrackingType::ALL`].
pub(crate) type TrackingRefs<'a> = [Option<ViewRef<'a>>; 3];

/// Reads one card's views.
#[derive(Debug, Clone, Copy)]
pub(crate) struct CardRead<'a>(pub(crate) &'a CardState);

impl<'a> CardRead<'a> {
    /// The current operation's view per tracking type (in the order of
    /// [`TrackingType::ALL`]), borrowed from the state: as it is, or as it
    /// would be once `pending` (a new, distinct notification) is folded.
    pub(crate) fn tracking_refs(self, pending: Option<Pending<'a>>) -> TrackingRefs<'a> {
        let card = self.0;
        let new_operation =
            pending.is_some_and(|p| !card.has_operation(p.tracking_type, p.operation_id));
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
            for e in card.of_type(t) {
                consider(e.state.start_with(mine(&e.id)), &e.id, Some(&e.state));
            }
            if let Some(p) = pending_here.filter(|_| new_operation) {
                consider(Some(p.stored.start()), p.operation_id, None);
            }
            let (_, id, op) = current?;
            let conflict = card.id_conflict(t, id)
                || pending
                    .is_some_and(|p| new_operation && p.tracking_type != t && p.operation_id == id);
            match (op, mine(id)) {
                (Some(op), mine) => ViewRef::of(op, id, mine, conflict),
                (None, Some(p)) => ViewRef::pending(id, p, conflict),
                (None, None) => None,
            }
        })
    }

    /// The phase of the card whose current trackings are `refs`.
    pub(crate) fn phase_of_refs(self, refs: &TrackingRefs<'_>) -> Phase {
        let inputs = refs.map(|v| {
            v.map(|v| PhaseInput {
                status: v.status,
                details_status: v.details_status(),
                shipment_phase: v.shipment_phase(),
            })
        });
        phase_of_inputs(&inputs, !self.0.requests.is_empty())
    }

    pub(crate) fn view(self, card_id: &str) -> CardView {
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

    pub(crate) fn operation_views(self) -> Vec<OperationView> {
        let refs = self.tracking_refs(None);
        self.0
            .operations()
            .iter()
            .filter_map(|e| {
                let t = e.tracking_type;
                let current = refs
                    .get(t.index())
                    .and_then(Option::as_ref)
                    .is_some_and(|v| v.operation_id == e.id.as_ref());
                let view =
                    ViewRef::of(&e.state, &e.id, None, self.0.id_conflict(t, &e.id))?.to_view();
                Some(OperationView {
                    tracking_type: t,
                    current,
                    view,
                })
            })
            .collect()
    }
}
