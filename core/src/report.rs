//! What `apply` reports, per operation of a body (DESIGN 2.5).

use serde::Serialize;
use serde_json::{Map, Value};

use crate::error::Error;
use crate::model::TrackingType;
use crate::view::CardView;

/// What happened to one operation of a body.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
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
    /// Well formed, but not an operation this tracker folds (e.g. `PRODUCE`).
    Ignored,
    /// Invalid: see [`OperationReport::error`]. Nothing of it was applied.
    Rejected,
}

/// One field of a card's view that changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Change {
    /// The tracking whose field changed; `None` for the card's `phase`.
    pub tracking_type: Option<TrackingType>,
    /// The field, as the view names it (`status`, `shipment`, `phase`…).
    pub field: String,
    /// The value before (`null` when absent).
    pub old: Value,
    /// The value after.
    pub new: Value,
}

/// The report for one operation of a body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
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
    /// The tracking type, for a folded notification.
    pub tracking_type: Option<TrackingType>,
    /// For [`Outcome::Applied`]: every field of the card's view that changed,
    /// trackings in order of type, then `phase`. Deterministic: the same state
    /// and notification always give the same list.
    pub changes: Vec<Change>,
    /// For [`Outcome::Rejected`]: why.
    pub error: Option<Error>,
}

/// The report of one `apply`: one entry per operation, in body order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
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

/// Field-by-field difference of two views of one card. `notifications` is a
/// count of history, not status, and is left out.
pub(crate) fn diff(before: Option<&CardView>, after: &CardView) -> Vec<Change> {
    let mut changes = Vec::new();
    for t in TrackingType::ALL {
        let (old_view, new_view) = (
            before.and_then(|b| b.trackings.get(&t)),
            after.trackings.get(&t),
        );
        // Most trackings of a card do not change: compare the structs before
        // paying for their JSON.
        let unchanged = match (old_view, new_view) {
            (None, None) => true,
            (Some(a), Some(b)) => a.same_status(b),
            _ => false,
        };
        if unchanged {
            continue;
        }
        let old = old_view.map(to_map);
        let new = new_view.map(to_map);
        let empty = Map::new();
        let old = old.as_ref().unwrap_or(&empty);
        let new = new.as_ref().unwrap_or(&empty);
        // Sorted explicitly: map order is a build-wide serde_json feature.
        let mut fields: Vec<&String> = new.keys().chain(old.keys()).collect();
        fields.sort_unstable();
        fields.dedup();
        for field in fields {
            if field == "notifications" {
                continue;
            }
            let o = old.get(field).cloned().unwrap_or(Value::Null);
            let n = new.get(field).cloned().unwrap_or(Value::Null);
            if o != n {
                changes.push(Change {
                    tracking_type: Some(t),
                    field: field.clone(),
                    old: o,
                    new: n,
                });
            }
        }
    }
    let old_phase = before.map(|b| b.phase);
    if old_phase != Some(after.phase) {
        changes.push(Change {
            tracking_type: None,
            field: "phase".to_string(),
            old: old_phase.map_or(Value::Null, |p| Value::from(p.as_str())),
            new: Value::from(after.phase.as_str()),
        });
    }
    changes
}

fn to_map<T: Serialize>(v: &T) -> Map<String, Value> {
    match serde_json::to_value(v) {
        Ok(Value::Object(m)) => m,
        _ => Map::new(),
    }
}
