//! A card's views, derived from its state: every operation as views see it
//! (an entry joined with the untyped notifications of its id), the current
//! operation per kind, the phase, and the alerts.

use super::operation::ViewRef;
use super::phase::{Decision, Phase};
use super::types::{Alert, AlertCode, CardView, OperationView};
use crate::store::{CardState, OperationState, Pending};
use crate::wire::{OperationStatus, TrackingType};

/// The current operation of each kind, in the order of [`TrackingType::ALL`].
pub(crate) type TrackingRefs<'a> = [Option<ViewRef<'a>>; 5];

/// What the views of one card are made of: its operations, the current one
/// per kind, and the phase.
#[derive(Debug)]
pub(crate) struct Derived<'a> {
    /// Every operation, in the order of the state.
    pub(crate) operations: Vec<ViewRef<'a>>,
    /// The current operation per kind.
    pub(crate) refs: TrackingRefs<'a>,
    /// The card's phase.
    pub(crate) phase: Phase,
    /// The operations that raise `AMBIGUOUS_ORDER` (README, "The card view").
    pub(crate) ambiguous: Vec<ViewRef<'a>>,
}

/// Reads one card's views.
#[derive(Debug, Clone, Copy)]
pub(crate) struct CardRead<'a>(pub(crate) &'a CardState);

impl<'a> CardRead<'a> {
    /// Every operation as views see it (docs/decisions.md, "`details` or
    /// `details.trackingType` missing is accepted"), as it is or as it
    /// would be once `pending` (a new, distinct notification) is folded: an
    /// operation with a tracking type joined with the untyped notifications
    /// of its id; an untyped one on its own only when no tracking type
    /// claims its id. The filing is a function of the set of notifications,
    /// not of their order.
    pub(crate) fn operations(self, pending: Option<Pending<'a>>) -> Vec<ViewRef<'a>> {
        let card = self.0;
        // Every (kind, id) of the card, with the pending notification's.
        let keys = || {
            card.operations()
                .iter()
                .map(|e| (e.tracking_type, e.id.as_ref()))
                .chain(pending.map(|p| (p.tracking_type, p.operation_id)))
        };
        // The same id under two kinds (untyped aside): both kept, both flagged.
        let elsewhere = |kind: TrackingType, id: &str| {
            kind != TrackingType::Untyped
                && keys().any(|(k, i)| k != TrackingType::Untyped && k != kind && i == id)
        };
        let mut out: Vec<ViewRef<'a>> = Vec::with_capacity(card.operations().len() + 1);
        let mut absorbed = false;
        for e in card.operations() {
            let mine = pending
                .filter(|p| p.tracking_type == e.tracking_type && p.operation_id == e.id.as_ref())
                .map(|p| p.stored);
            absorbed |= mine.is_some();
            let (w, count) = e.state.witnesses_with(mine);
            let conflict = elsewhere(e.tracking_type, &e.id);
            out.extend(ViewRef::from_witnesses(
                e.tracking_type,
                w,
                &e.id,
                count,
                conflict,
            ));
        }
        if let Some(p) = pending.filter(|_| !absorbed) {
            let w = OperationState::pending_witnesses(p.stored);
            let conflict = elsewhere(p.tracking_type, p.operation_id);
            out.extend(ViewRef::from_witnesses(
                p.tracking_type,
                w,
                p.operation_id,
                1,
                conflict,
            ));
        }
        if out.iter().any(|v| v.kind == TrackingType::Untyped) {
            join_untyped(&mut out, elsewhere);
        }
        out
    }

    /// The card's operations, current operations and phase, as they are or
    /// as they would be once `pending` is folded.
    pub(crate) fn derive(self, pending: Option<Pending<'a>>) -> Derived<'a> {
        let operations = self.operations(pending);
        let mut refs: TrackingRefs<'a> = Default::default();
        for op in &operations {
            if let Some(slot) = refs.get_mut(op.kind.index()) {
                // The current operation: greatest (start, id).
                if slot.is_none_or(|c| (op.start(), op.operation_id) > (c.start(), c.operation_id))
                {
                    *slot = Some(*op);
                }
            }
        }
        let decision = Decision::of(&operations);
        let ambiguous = decision
            .ambiguous
            .iter()
            .filter_map(|(i, _)| operations.get(*i).copied())
            .collect();
        Derived {
            phase: decision.phase,
            operations,
            refs,
            ambiguous,
        }
    }

    pub(crate) fn view(self, card_id: &str) -> CardView {
        let derived = self.derive(None);
        CardView {
            card_id: card_id.to_string(),
            phase: derived.phase,
            alerts: alerts(&derived.refs, &derived.ambiguous),
            trackings: derived
                .refs
                .iter()
                .flatten()
                .map(|v| (v.kind, v.to_view()))
                .collect(),
        }
    }

    pub(crate) fn operation_views(self) -> Vec<OperationView> {
        let derived = self.derive(None);
        derived
            .operations
            .iter()
            .map(|op| OperationView {
                tracking_type: op.kind,
                current: derived
                    .refs
                    .get(op.kind.index())
                    .and_then(Option::as_ref)
                    .is_some_and(|c| c.operation_id == op.operation_id),
                view: op.to_view(),
            })
            .collect()
    }
}

/// Joins each untyped operation into the operations with a tracking type
/// and the same id (their witnesses are joins), and drops it when one
/// claims it.
fn join_untyped<'a>(ops: &mut Vec<ViewRef<'a>>, elsewhere: impl Fn(TrackingType, &str) -> bool) {
    let untyped: Vec<ViewRef<'a>> = ops
        .iter()
        .filter(|v| v.kind == TrackingType::Untyped)
        .copied()
        .collect();
    for u in &untyped {
        let mut claimed = false;
        for v in ops
            .iter_mut()
            .filter(|v| v.kind.is_tracked() && v.operation_id == u.operation_id)
        {
            claimed = true;
            let conflict = elsewhere(v.kind, v.operation_id);
            if let Some(joined) = ViewRef::from_witnesses(
                v.kind,
                v.witnesses().join(&u.witnesses(), |s| s),
                v.operation_id,
                v.notifications + u.notifications,
                conflict,
            ) {
                *v = joined;
            }
        }
        if claimed {
            ops.retain(|v| !(v.kind == TrackingType::Untyped && v.operation_id == u.operation_id));
        }
    }
}

/// The alerts the shown entries raise, sorted (README, "The card view"): a
/// failed operation, a conflict, an operation without a tracking type, a
/// carrier word the table does not know; and the card's doubtful order,
/// named by the operations that make it so. An older operation a newer one
/// of its kind replaced raises none: the host asked again.
pub(crate) fn alerts(refs: &TrackingRefs<'_>, ambiguous: &[ViewRef<'_>]) -> Vec<Alert> {
    let mut out = Vec::new();
    let mut raise = |v: &ViewRef<'_>, code: AlertCode, with_error: bool| {
        out.push(Alert {
            tracking_type: v.kind,
            code,
            operation_id: v.operation_id.to_string(),
            error_code: v.error_code().filter(|_| with_error).map(str::to_string),
            error: v.error().filter(|_| with_error).map(str::to_string),
        });
    };
    for v in refs.iter().flatten() {
        if v.status == OperationStatus::Failed {
            raise(v, AlertCode::OperationFailed, true);
        }
        if v.conflict {
            raise(v, AlertCode::Conflict, false);
        }
        if v.kind == TrackingType::Untyped {
            raise(v, AlertCode::UntypedOperation, false);
        }
        if v.carrier_status_witness()
            .is_some_and(|s| !s.is_carrier_event())
        {
            raise(v, AlertCode::UnknownCarrierStatus, false);
        }
    }
    for v in ambiguous {
        raise(v, AlertCode::AmbiguousOrder, false);
    }
    out.sort();
    out.dedup();
    out
}
