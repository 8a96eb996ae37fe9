//! # d1_tracking
//!
//! Folds the notifications of the Thales D1 **Tracking hub** — delivered at
//! least once, duplicated, out of order, in batches — into one trustworthy
//! status per card. No I/O, no clock, no randomness: bytes in, reports and
//! views out. The host does transport, storage and time.
//!
//! **The promise:** the state of a card is a pure function of the *set* of
//! distinct notifications received for it. Any order of arrival, any number of
//! duplicates, any split into batches and any [`Tracker::merge`] give the same
//! state, byte for byte in [`Tracker::snapshot`].
//!
//! ```
//! use d1_tracking::{Config, Outcome, Phase, Tracker};
//!
//! let pending = br#"{"operations":[{"operationId":"op-7","operation":"STANDALONE_TRACKING",
//!   "status":"PENDING","startTime":"2026-03-02T09:00:00Z","cardId":"card-0001",
//!   "details":{"trackingType":"SHIPMENT"}}]}"#;
//! let delivered = br#"{"operations":[{"operationId":"op-7","operation":"STANDALONE_TRACKING",
//!   "status":"SUCCESSFUL","startTime":"2026-03-02T09:00:00Z","endTime":"2026-03-05T11:00:00Z",
//!   "cardId":"card-0001","details":{"trackingType":"SHIPMENT","status":"CARD_SHIPPED",
//!   "shipment":{"carrier":"dhl","status":"Delivered"}}}]}"#;
//!
//! // Out of order: the delivery arrives before the PENDING.
//! let mut tracker = Tracker::new(Config::default());
//! tracker.apply(delivered, 0)?;
//! let late = tracker.apply(pending, 0)?;
//! assert_eq!(late.operations[0].outcome, Outcome::Recorded); // kept, hides nothing
//! assert_eq!(tracker.card("card-0001").unwrap().phase, Phase::Delivered);
//!
//! // Same set, other order: same bytes.
//! let mut other = Tracker::new(Config::default());
//! other.apply(pending, 0)?;
//! other.apply(delivered, 0)?;
//! assert_eq!(tracker.snapshot(), other.snapshot());
//! # Ok::<(), d1_tracking::Error>(())
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]

// The layers, lowest first; each uses only those above it in this list
// (a test reads the `use crate::` lines: tests/layers.rs).
mod config;
mod error;
mod json;
mod store;
mod tracker;
mod view;
mod wire;

pub use config::Config;
pub use error::{Error, ErrorCode};
pub use json::canonical_string;
pub use tracker::{
    rows_from_json, ApplyReport, CardFailure, CardUpdate, DueReason, DueTracking, OperationReport,
    Outcome, OwnedRow, Row, RowsFold, Tracker, SNAPSHOT_FORMAT,
};
pub use view::phase;
pub use view::{
    Alert, AlertCode, AlertExplained, CardView, Change, CycleExplained, Deciding, DecidingStep,
    Explanation, Fact, FactKind, NotificationExplained, NotificationRef, OperationExplained,
    OperationView, Phase, ShipmentView, TerminalExplained, TerminalSourceWord, TrackingRef,
    TrackingView,
};
pub use wire::{
    BusinessStatus, HttpRequest, OperationStatus, ShipmentPhase, StatusQuery, TrackCardRequest,
    TrackingType, PRODUCE, STANDALONE_TRACKING,
};

/// For tests and oracles (feature `test-util`): timestamps as the fold
/// compares them.
#[cfg(feature = "test-util")]
pub use wire::{Timestamp, UnknownWord};

/// Internal checks the fuzz targets call; not part of the API (feature
/// `test-util`, as quinn-proto gates its fuzzing module).
#[cfg(feature = "test-util")]
#[doc(hidden)]
pub mod fuzzing {
    /// True when the direct JSON reader, wherever it accepts `bytes`, reads
    /// them exactly as `serde_json` does.
    pub fn reader_agrees_with_serde_json(bytes: &[u8]) -> bool {
        crate::json::agrees_with_serde_json(bytes)
    }
}

/// The crate README's Rust examples run as doc tests (the repository's
/// README runs as doc tests of the workspace's `test-support` crate).
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
