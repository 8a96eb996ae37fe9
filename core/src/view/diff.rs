//! The difference between two views of a card: what `apply` reports as
//! `changes`, field by field, in the order of the view's field table.

use serde::Serialize;
use serde_json::Value;

use super::card::Derived;
use super::fields::{FieldRef, VIEW_FIELDS};
use crate::wire::TrackingType;

/// One field of a card's view that changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
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

/// Field-by-field difference of a card's current operations and phase,
/// before and after a notification or a request (`before` is `None` for a
/// card not known yet). `notifications` is a count of history, not status,
/// and is left out; `alerts` derive from fields reported here. Entries in
/// order of kind, fields by name, then `phase`.
pub(crate) fn diff(before: Option<&Derived<'_>>, after: &Derived<'_>) -> Vec<Change> {
    let mut changes = Vec::new();
    for t in TrackingType::ALL {
        let old = before.and_then(|b| b.refs.get(t.index())?.as_ref());
        let new = after.refs.get(t.index()).and_then(Option::as_ref);
        let unchanged = match (old, new) {
            (None, None) => true,
            (Some(a), Some(b)) => a.same(b),
            _ => false,
        };
        if unchanged {
            continue;
        }
        for (field, source) in VIEW_FIELDS {
            let (o, n) = (
                old.map_or(FieldRef::Null, |v| v.field(*source)),
                new.map_or(FieldRef::Null, |v| v.field(*source)),
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
    let old_phase = before.map(|b| b.phase);
    if old_phase != Some(after.phase) {
        changes.push(Change {
            tracking_type: None,
            field: "phase",
            old: old_phase.map_or(Value::Null, |p| Value::from(p.as_str())),
            new: Value::from(after.phase.as_str()),
        });
    }
    changes
}
