//! Views derived from the store: an operation's view and the table of its
//! fields, a card's views, the phase table, and the difference between two
//! views that `apply` reports as `changes`.
//!
//! Uses the `store`, `wire` and `json` layers below it (see
//! `docs/architecture.md`).

mod card;
mod diff;
mod explain;
mod fields;
mod operation;
pub mod phase;
mod shipment;
mod tracking_ref;
mod types;

pub(crate) use card::{CardRead, Derived};
pub(crate) use diff::diff;
pub use diff::Change;
pub(crate) use explain::explain;
pub use explain::{
    AlertExplained, CycleExplained, Deciding, DecidingStep, Explanation, Fact, FactKind,
    NotificationExplained, NotificationRef, OperationExplained, TerminalExplained,
    TerminalSourceWord,
};
pub(crate) use operation::ViewRef;
pub use tracking_ref::TrackingRef;
pub use types::{Alert, AlertCode, CardView, OperationView, Phase, ShipmentView, TrackingView};

#[cfg(test)]
mod tests;
