//! What `apply` reports, per operation of a body (DESIGN 2.5).

use serde::Serialize;
use serde_json::Value;

use crate::card::TrackingRefs;
use crate::encoding::Raw;
use crate::error::Error;
use crate::model::TrackingType;
use crate::operation::ViewRef;
use crate::phase::Phase;
use crate::view::ShipmentRef;

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
    pub field: &'static str,
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

/// Field-by-field difference of a card's current trackings and phase, before
/// and after a notification (`before` is `None` for a card without
/// operations). `notifications` is a count of history, not status, and is
/// left out. Trackings in order of type, fields by name, then `phase`.
pub(crate) fn diff(
    before: Option<(&TrackingRefs<'_>, Phase)>,
    after: (&TrackingRefs<'_>, Phase),
) -> Vec<Change> {
    let mut changes = Vec::new();
    for t in TrackingType::ALL {
        let old = before.and_then(|(b, _)| b.get(t.index())?.as_ref());
        let new = after.0.get(t.index()).and_then(Option::as_ref);
        let unchanged = match (old, new) {
            (None, None) => true,
            (Some(a), Some(b)) => a.same(b),
            _ => false,
        };
        if unchanged {
            continue;
        }
        for (field, get) in FIELDS {
            let (o, n) = (
                old.map_or(FieldRef::Null, get),
                new.map_or(FieldRef::Null, get),
            );
            if o != n {
                changes.push(Change {
                    tracking_type: Some(t),
                    field,
                    old: o.to_value(),
                    new: n.to_value(),
                });
            }
        }
    }
    let old_phase = before.map(|(_, p)| p);
    if old_phase != Some(after.1) {
        changes.push(Change {
            tracking_type: None,
            field: "phase",
            old: old_phase.map_or(Value::Null, |p| Value::from(p.as_str())),
            new: Value::from(after.1.as_str()),
        });
    }
    changes
}

/// One field of a view, borrowed; `Null` when absent (as the JSON shows it).
#[derive(Debug, Clone, Copy, PartialEq)]
enum FieldRef<'a> {
    Null,
    Bool(bool),
    Str(&'a str),
    Json(Raw<'a>),
    Shipment(ShipmentRef<'a>),
}

impl FieldRef<'_> {
    fn to_value(self) -> Value {
        match self {
            FieldRef::Null => Value::Null,
            FieldRef::Bool(b) => Value::Bool(b),
            FieldRef::Str(s) => Value::from(s),
            FieldRef::Json(v) => v.to_value(),
            FieldRef::Shipment(s) => s.to_value(),
        }
    }
}

fn text(s: Option<&str>) -> FieldRef<'_> {
    s.map_or(FieldRef::Null, FieldRef::Str)
}

type Getter = for<'a, 'b> fn(&'b ViewRef<'a>) -> FieldRef<'a>;

/// The view's fields as its JSON names them, sorted by name, without
/// `notifications`.
const FIELDS: [(&str, Getter); 10] = [
    ("conflict", |v| FieldRef::Bool(v.conflict)),
    ("detailsStatus", |v| text(v.details_status())),
    ("endTime", |v| text(v.end_time())),
    ("error", |v| text(v.error())),
    ("errorCode", |v| text(v.error_code())),
    ("operationId", |v| FieldRef::Str(v.operation_id)),
    ("productionSite", |v| {
        v.production_site().map_or(FieldRef::Null, FieldRef::Json)
    }),
    ("shipment", |v| {
        v.shipment().map_or(FieldRef::Null, FieldRef::Shipment)
    }),
    ("startTime", |v| FieldRef::Str(v.start_time())),
    ("status", |v| FieldRef::Str(v.status.as_str())),
];
