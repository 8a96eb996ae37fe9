//! What `apply` reports, per operation of a body.

use serde::Serialize;

use crate::error::Error;
use crate::view::Change;
use crate::wire::TrackingType;

/// What happened to one operation of a body.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Outcome {
    /// A new distinct notification that changed the card's view; see
    /// [`OperationReport::changes`].
    Applied,
    /// Accepted, but the view did not change (a late, older update). When the
    /// per-operation history bound is reached, such a notification may not be
    /// kept verbatim; whatever it contributes to the view always is.
    Recorded,
    /// Already known: nothing changed.
    Duplicate,
    /// Well formed, but not an operation this tracker folds (e.g. `ACTIVATE`).
    Ignored,
    /// Invalid: see [`OperationReport::error`]. Nothing of it was applied.
    Rejected,
}

/// The report for one operation of a body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct OperationReport {
    /// Its index in the body's `operations`.
    pub index: usize,
    /// What happened.
    pub outcome: Outcome,
    /// The operation name (`STANDALONE_TRACKING`, `PRODUCE`…), when readable.
    pub operation: Option<String>,
    /// The card, when readable.
    pub card_id: Option<String>,
    /// The operation id, when readable.
    pub operation_id: Option<String>,
    /// The notification's kind, for a folded notification (`UNTYPED` when it
    /// names no tracking type).
    pub tracking_type: Option<TrackingType>,
    /// For [`Outcome::Applied`]: every field of the card's view that changed,
    /// trackings in order of type, then `phase`. Deterministic: the same state
    /// and notification always give the same list.
    pub changes: Vec<Change>,
    /// For [`Outcome::Rejected`]: why.
    pub error: Option<Error>,
    /// For [`Outcome::Rejected`]: the operation's text as received (the
    /// host keeps it in a dead-letter store and can apply it again after an
    /// upgrade). When the body was read by `serde_json` (it holds floats or
    /// surrogate escapes), the operation's canonical text, the same content.
    /// `None` only for an operation too large to keep read that way.
    pub raw: Option<String>,
    /// For [`Outcome::Rejected`]: `true` when the cause is this tracker's
    /// total capacity (`maxCards`, `maxStateBytes`): the notification is
    /// fine, and the host should answer D1 with a 5xx so that D1 delivers
    /// it again once the operator has acted (safe: `apply` is idempotent).
    /// `false` when the content is invalid or a per-card bound refused it
    /// (`maxOperationsPerCard`, a card's row the fold cannot read): a
    /// redelivery cannot help; the host parks it and re-drives it later.
    pub retry: bool,
}

impl OperationReport {
    /// The report of operation `index` before anything is read of it:
    /// rejected, naming nothing (reading fills it in).
    pub(crate) fn unread(index: usize) -> OperationReport {
        OperationReport {
            index,
            outcome: Outcome::Rejected,
            operation: None,
            card_id: None,
            operation_id: None,
            tracking_type: None,
            changes: Vec::new(),
            error: None,
            raw: None,
            retry: false,
        }
    }
}

/// The report of one `apply`: one entry per operation, in body order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct ApplyReport {
    /// One report per operation of the body.
    pub operations: Vec<OperationReport>,
}

impl ApplyReport {
    /// How many operations had `outcome`.
    pub fn count(&self, outcome: Outcome) -> usize {
        self.operations
            .iter()
            .filter(|r| r.outcome == outcome)
            .count()
    }
}
