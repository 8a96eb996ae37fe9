//! Arbitrary sequences of plausible steps: apply, duplicate, batch, merge,
//! snapshot/restore, export/import, record a request.

use arbitrary::{Arbitrary, Unstructured};
use d1_tracking::{Config, Tracker, TrackingType};
use d1_tracking_test_support::{apply_accepted, body, vocabulary};
use serde_json::Value;

/// One plausible notification, from small choices.
#[derive(Arbitrary, Debug, Clone)]
struct Spec {
    card: u8,
    tracking: u8,
    op: u8,
    status: u8,
    start: u8,
    end: Option<u8>,
    business: Option<u8>,
    shipment: Option<(Option<u8>, Option<u8>, bool)>,
    site: bool,
    error: Option<u8>,
    unknown_field: bool,
    more: u8,
}

#[derive(Arbitrary, Debug, Clone)]
enum Step {
    Apply(Spec),
    Duplicate(u8),
    Batch(Vec<Spec>),
    Merge(Vec<Spec>),
    SnapshotRestore,
    ExportImport(u8),
    Record(u8, u8, u16),
}

/// Cards the steps are spread over.
const CARDS: u8 = 3;

fn card(i: u8) -> String {
    format!("card-{}", i % CARDS)
}

impl Spec {
    /// The operation object, from the shared vocabulary.
    fn to_json(&self) -> Value {
        vocabulary::Spec {
            card: self.card,
            tracking: self.tracking,
            op: self.op,
            status: self.status,
            start: self.start,
            end: self.end,
            business: self.business,
            shipment: self
                .shipment
                .map(|(carrier, status, extra)| vocabulary::ShipmentSpec {
                    carrier,
                    status,
                    extra,
                    ..vocabulary::ShipmentSpec::default()
                }),
            site: self.site,
            error_code: self.error,
            error: None,
            unknown_field: self.unknown_field,
            more: self.more,
        }
        .to_json(CARDS)
    }
}

/// What the main tracker has been given, to replay at the end.
#[derive(Default)]
struct History {
    notifications: Vec<Value>,
    requests: Vec<(String, TrackingType, u64)>,
}

fn apply(tracker: &mut Tracker, history: &mut History, ops: Vec<Value>) {
    apply_accepted(tracker, &body(&ops));
    history.notifications.extend(ops);
}

fn check_invariants(tracker: &Tracker, last: Option<&Value>) {
    let snapshot = tracker.snapshot();
    let mut restored = Tracker::new(Config::default());
    restored
        .restore(snapshot.as_bytes())
        .expect("a snapshot restores");
    assert_eq!(
        restored.snapshot(),
        snapshot,
        "the snapshot does not round-trip"
    );
    if let Some(op) = last {
        let mut again = tracker.clone();
        let report = again
            .apply(&body(std::slice::from_ref(op)), 0)
            .expect("accepted");
        assert!(
            report.operations.iter().all(|o| o.changes.is_empty()),
            "a repeat changed the view"
        );
        assert_eq!(again.snapshot(), snapshot, "a repeat changed the state");
    }
}

/// Checks, after every step: the snapshot round-trips and repeating the last
/// notification changes nothing; at the end, the same notifications and
/// requests in reverse order, into a fresh tracker, give the same bytes.
pub fn fold_sequence(data: &[u8]) {
    let mut u = Unstructured::new(data);
    let Ok(steps) = Vec::<Step>::arbitrary(&mut u) else {
        return;
    };
    let mut tracker = Tracker::new(Config::default());
    let mut history = History::default();
    for step in steps.into_iter().take(64) {
        match step {
            Step::Apply(spec) => apply(&mut tracker, &mut history, vec![spec.to_json()]),
            Step::Duplicate(i) => {
                if !history.notifications.is_empty() {
                    let op =
                        history.notifications[usize::from(i) % history.notifications.len()].clone();
                    apply(&mut tracker, &mut history, vec![op]);
                }
            }
            Step::Batch(specs) => {
                let ops = specs.iter().take(16).map(Spec::to_json).collect();
                apply(&mut tracker, &mut history, ops);
            }
            Step::Merge(specs) => {
                let mut other = Tracker::new(Config::default());
                let ops: Vec<Value> = specs.iter().take(16).map(Spec::to_json).collect();
                other.apply(&body(&ops), 0).expect("accepted");
                tracker.merge(&other).expect("within bounds");
                history.notifications.extend(ops);
            }
            Step::SnapshotRestore => {
                let snapshot = tracker.snapshot();
                tracker.restore(snapshot.as_bytes()).expect("restores");
                assert_eq!(tracker.snapshot(), snapshot);
            }
            Step::ExportImport(i) => {
                let id = card(i);
                if let Some(row) = tracker.export_card(&id) {
                    let mut fresh = Tracker::new(Config::default());
                    fresh.import_card(row.as_bytes()).expect("imports");
                    assert_eq!(
                        fresh.card(&id),
                        tracker.card(&id),
                        "export/import changed the view"
                    );
                    let before = tracker.snapshot();
                    tracker.import_card(row.as_bytes()).expect("imports");
                    assert_eq!(
                        tracker.snapshot(),
                        before,
                        "importing a card's own row changed it"
                    );
                }
            }
            Step::Record(c, t, hours) => {
                let tracking = TrackingType::ALL[usize::from(t) % 4];
                let at = 1_772_323_200_000 + u64::from(hours) * 3_600_000;
                tracker
                    .record_request(&card(c), tracking, at)
                    .expect("valid");
                history.requests.push((card(c), tracking, at));
            }
        }
        check_invariants(&tracker, history.notifications.last());
    }
    let mut reverse = Tracker::new(Config::default());
    for op in history.notifications.iter().rev() {
        reverse
            .apply(&body(std::slice::from_ref(op)), 0)
            .expect("accepted");
    }
    for (c, t, at) in history.requests.iter().rev() {
        reverse.record_request(c, *t, *at).expect("valid");
    }
    assert_eq!(
        reverse.snapshot(),
        tracker.snapshot(),
        "reverse order gave other bytes"
    );
}
