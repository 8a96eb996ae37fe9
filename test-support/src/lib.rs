//! What the tests, the fuzz checks and the benches of d1-tracking share, so
//! that each is written once:
//!
//! - [`vocabulary`]: the values plausible notifications are made of, and a
//!   [`Spec`](vocabulary::Spec) that any generator (proptest, `arbitrary`)
//!   fills with small choices and turns into an operation object;
//! - [`catalogue`]: the bad-input catalogue (`tests/bad-input/`), read and
//!   expanded; [`vectors`]: the cross-binding vectors, read in order;
//! - [`apply_accepted`]: apply a body that must be accepted whole, with no
//!   operation rejected.

pub mod catalogue;
pub mod vectors;
pub mod vocabulary;

use d1_tracking::{ApplyReport, Outcome, Tracker};

/// Applies `body`, which must be accepted with no operation rejected; the
/// report. Panics with the report otherwise.
pub fn apply_accepted(tracker: &mut Tracker, body: &[u8]) -> ApplyReport {
    let report = tracker
        .apply(body, 0)
        .unwrap_or_else(|e| panic!("the body is refused: {e}"));
    assert_eq!(report.count(Outcome::Rejected), 0, "{report:?}");
    report
}

/// A body holding these operation objects.
pub fn body(operations: &[serde_json::Value]) -> Vec<u8> {
    serde_json::to_vec(&serde_json::json!({ "operations": operations })).expect("JSON")
}

/// The repository README's Rust examples run as doc tests here: the
/// published crate holds its own README, not the repository's.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
struct RepositoryReadmeDoctests;
