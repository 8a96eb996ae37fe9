//! Snapshots (canonical, versioned JSON of the kept notifications) and
//! their per-card form, the export and import of one card.
//!
//! A snapshot holds notifications only; restoring re-derives every view, so a
//! snapshot cannot be internally inconsistent. Format:
//!
//! ```json
//! {"cards":[{"cardId":"card-0001","notifications":[{…canonical operation…}],
//!            "requests":{"SHIPMENT":1772442000000}}],
//!  "format":"d1-tracking/1"}
//! ```
//!
//! `requests` (when the host recorded Track Card requests) maps a tracking
//! type to the latest request time, in ms since the Unix epoch.
//!
//! Keys are sorted, there is no white space, cards are sorted by id and each
//! card's notifications by (tracking type, operation id, fold order). Equal
//! states give equal bytes.
//!
//! Writing (`write.rs`: the whole state, one card, or in pieces) and reading
//! (`read.rs`: restoring, importing one card) each have their file; merging
//! two trackers is the tracker's (`merge.rs`).

mod read;
mod write;

// The host path reads each row it is given as a snapshot of one card.
pub(super) use read::read_snapshot;

/// The format tag written into, and required of, every snapshot.
pub const SNAPSHOT_FORMAT: &str = "d1-tracking/1";
