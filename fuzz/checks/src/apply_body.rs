//! Raw bytes into `apply`, on a tracker that already holds state.

use std::sync::OnceLock;

use d1_tracking::{Config, Outcome, Tracker};

use crate::SAMPLE_LOG;

fn seeded() -> &'static Tracker {
    static SEEDED: OnceLock<Tracker> = OnceLock::new();
    SEEDED.get_or_init(|| {
        let mut tracker = Tracker::new(Config::default());
        for line in SAMPLE_LOG.lines().filter(|l| !l.contains("\"request\"")) {
            let _ = tracker.apply(line.as_bytes(), 0);
        }
        tracker
    })
}

/// Checks: the direct JSON reader agrees with `serde_json`; a rejected body changes nothing; a report is well formed (one
/// entry per operation, in order; an error exactly for `rejected`; changes
/// exactly for `applied`); applying the same body again applies nothing; the
/// state still round-trips through its snapshot.
pub fn apply_body(data: &[u8]) {
    assert!(
        d1_tracking::fuzzing::reader_agrees_with_serde_json(data),
        "the direct JSON reader disagrees with serde_json"
    );
    let mut tracker = seeded().clone();
    let before = tracker.snapshot();
    let report = match tracker.apply(data, 0) {
        Err(_) => {
            assert_eq!(
                tracker.snapshot(),
                before,
                "a body rejected whole changed the state"
            );
            return;
        }
        Ok(report) => report,
    };
    for (i, op) in report.operations.iter().enumerate() {
        assert_eq!(op.index, i, "report entries out of order");
        assert_eq!(
            op.outcome == Outcome::Rejected,
            op.error.is_some(),
            "error iff rejected: {op:?}"
        );
        assert_eq!(
            op.outcome == Outcome::Applied,
            !op.changes.is_empty(),
            "changes iff applied: {op:?}"
        );
        if op.outcome != Outcome::Rejected {
            assert!(op.card_id.is_some() && op.operation_id.is_some(), "{op:?}");
            assert!(
                op.raw.is_none() && !op.retry,
                "raw and retry only when rejected: {op:?}"
            );
        } else if let Some(raw) = &op.raw {
            // Nothing D1 sent is lost: the raw text is the operation's, and
            // reads as JSON again.
            assert!(
                serde_json::from_str::<serde_json::Value>(raw).is_ok(),
                "raw text that is not JSON: {op:?}"
            );
        }
    }
    let kept = report
        .operations
        .iter()
        .any(|op| matches!(op.outcome, Outcome::Applied | Outcome::Recorded));
    if !kept {
        assert_eq!(
            tracker.snapshot(),
            before,
            "nothing was kept, yet the state changed"
        );
    }
    let after = tracker.snapshot();
    let again = tracker
        .apply(data, 1)
        .expect("the same body is accepted again");
    assert!(
        again
            .operations
            .iter()
            .all(|op| op.outcome != Outcome::Applied),
        "the same body applied twice: {again:?}"
    );
    assert_eq!(
        tracker.snapshot(),
        after,
        "applying the same body twice changed the state"
    );
    let mut restored = Tracker::new(Config::default());
    restored
        .restore(after.as_bytes())
        .expect("a snapshot restores");
    assert_eq!(
        restored.snapshot(),
        after,
        "the snapshot does not round-trip"
    );
}
