//! A card's views, derived from its state: every operation as views see it
//! (an entry joined with the untyped notifications of its id), the current
//! operation per kind, the phase, and the alerts.

use super::operation::ViewRef;
use super::phase::{phase_of, Phase};
use super::types::{Alert, AlertCode, CardView, OperationView};
use crate::store::{CardState, OperationState, Pending, Stored, Witnesses};
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
}

/// One entry of the state (or the pending notification's new one), with the
/// pending notification absorbed when it belongs there.
struct Entry<'a> {
    kind: TrackingType,
    id: &'a str,
    witnesses: Witnesses<&'a Stored>,
    count: usize,
}

/// Reads one card's views.
#[derive(Debug, Clone, Copy)]
pub(crate) struct CardRead<'a>(pub(crate) &'a CardState);

impl<'a> CardRead<'a> {
    /// The state's entries as they are, or as they would be once `pending`
    /// (a new, distinct notification) is folded.
    fn entries(self, pending: Option<Pending<'a>>) -> Vec<Entry<'a>> {
        let card = self.0;
        let mut entries: Vec<Entry<'a>> = Vec::with_capacity(card.operations().len() + 1);
        let mut absorbed = false;
        for e in card.operations() {
            let mine = pending
                .filter(|p| p.tracking_type == e.tracking_type && p.operation_id == e.id.as_ref())
                .map(|p| p.stored);
            absorbed |= mine.is_some();
            let (witnesses, count) = e.state.witnesses_with(mine);
            entries.push(Entry {
                kind: e.tracking_type,
                id: &e.id,
                witnesses,
                count,
            });
        }
        if let Some(p) = pending.filter(|_| !absorbed) {
            entries.push(Entry {
                kind: p.tracking_type,
                id: p.operation_id,
                witnesses: OperationState::pending_witnesses(p.stored),
                count: 1,
            });
        }
        entries
    }

    /// Every operation as views see it (DESIGN 2.4): an operation with a
    /// tracking type joined with the untyped notifications of its id; an
    /// untyped one on its own only when no tracking type claims its id. The
    /// filing is a function of the set of notifications, not of their order.
    pub(crate) fn operations(self, pending: Option<Pending<'a>>) -> Vec<ViewRef<'a>> {
        let entries = self.entries(pending);
        let untyped = |id: &str| {
            entries
                .iter()
                .find(|u| u.kind == TrackingType::Untyped && u.id == id)
        };
        let claimed = |id: &str| entries.iter().any(|e| e.kind.is_tracked() && e.id == id);
        entries
            .iter()
            .filter_map(|e| {
                let (mut witnesses, mut count) = (e.witnesses, e.count);
                match e.kind {
                    TrackingType::Untyped if claimed(e.id) => return None,
                    k if k.is_tracked() => {
                        if let Some(u) = untyped(e.id) {
                            witnesses = witnesses.join(&u.witnesses, |s| s);
                            count += u.count;
                        }
                    }
                    _ => {}
                }
                // The same id under two kinds: both kept, both flagged.
                let conflict = e.kind != TrackingType::Untyped
                    && entries.iter().any(|o| {
                        o.kind != TrackingType::Untyped && o.kind != e.kind && o.id == e.id
                    });
                ViewRef::from_witnesses(e.kind, witnesses, e.id, count, conflict)
            })
            .collect()
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
        let phase = phase_of(&operations);
        Derived {
            operations,
            refs,
            phase,
        }
    }

    pub(crate) fn view(self, card_id: &str) -> CardView {
        let derived = self.derive(None);
        CardView {
            card_id: card_id.to_string(),
            phase: derived.phase,
            alerts: alerts(&derived.refs),
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

/// The alerts the shown entries raise, sorted (DESIGN 2.7): a failed
/// operation, a conflict, an operation without a tracking type. An older
/// operation a newer one of its kind replaced raises none: the host asked
/// again.
pub(crate) fn alerts(refs: &TrackingRefs<'_>) -> Vec<Alert> {
    let mut out = Vec::new();
    for v in refs.iter().flatten() {
        let mut raise = |code: AlertCode, with_error: bool| {
            out.push(Alert {
                tracking_type: v.kind,
                code,
                operation_id: v.operation_id.to_string(),
                error_code: v.error_code().filter(|_| with_error).map(str::to_string),
                error: v.error().filter(|_| with_error).map(str::to_string),
            });
        };
        if v.status == OperationStatus::Failed {
            raise(AlertCode::OperationFailed, true);
        }
        if v.conflict {
            raise(AlertCode::Conflict, false);
        }
        if v.kind == TrackingType::Untyped {
            raise(AlertCode::UntypedOperation, false);
        }
    }
    out.sort();
    out
}
