//! Properties with Track Card request records in the mix (README,
//! "Reconciliation"):
//! convergence still holds, and the due list is a pure function of the state
//! and `now`.

mod common;

use common::{body, cases, deliveries, Delivery};
use std::collections::BTreeMap;

use d1_tracking::{Change, Config, Tracker, TrackingType};
use proptest::prelude::*;
use serde_json::Value;

/// A request record: card, tracking type, time.
type Request = (&'static str, TrackingType, u64);

#[derive(Debug, Clone)]
enum Event {
    Deliver(Delivery),
    Request(Request),
}

/// Around the generated notifications' times (2026-03-01..06), by the hour.
const T0: u64 = 1_772_323_200_000;
const HOUR: u64 = 3_600_000;

fn request() -> impl Strategy<Value = Request> {
    (
        // The generated notifications' cards (card-0, card-1), and one more.
        prop::sample::select(&["card-0", "card-1", "card-2"][..]),
        prop::sample::select(
            &[
                TrackingType::Production,
                TrackingType::Shipment,
                TrackingType::Return,
                TrackingType::Produce,
            ][..],
        ),
        0u64..200,
    )
        .prop_map(|(card, t, h)| (card, t, T0 + h * HOUR))
}

fn events() -> impl Strategy<Value = Vec<Event>> {
    (deliveries(8), proptest::collection::vec(request(), 0..6)).prop_map(|(d, r)| {
        d.into_iter()
            .map(Event::Deliver)
            .chain(r.into_iter().map(Event::Request))
            .collect()
    })
}

fn run(events: &[Event]) -> Tracker {
    let mut tracker = Tracker::new(Config::default());
    for event in events {
        match event {
            Event::Deliver(d) => {
                tracker
                    .apply(body(std::slice::from_ref(d)).as_bytes(), 0)
                    .unwrap();
            }
            Event::Request((card, t, at)) => {
                tracker.record_request(card, *t, *at).unwrap();
            }
        }
    }
    tracker
}

/// Every change reported while running `events`, in order, per card.
fn run_with_changes(events: &[Event]) -> (Tracker, Vec<(String, Change)>) {
    let mut tracker = Tracker::new(Config::default());
    let mut changes = Vec::new();
    for event in events {
        match event {
            Event::Deliver(d) => {
                let report = tracker
                    .apply(body(std::slice::from_ref(d)).as_bytes(), 0)
                    .unwrap();
                for op in report.operations {
                    let card = op.card_id.unwrap_or_default();
                    changes.extend(op.changes.into_iter().map(|c| (card.clone(), c)));
                }
            }
            Event::Request((card, t, at)) => {
                let reported = tracker.record_request(card, *t, *at).unwrap();
                changes.extend(reported.into_iter().map(|c| (card.to_string(), c)));
            }
        }
    }
    (tracker, changes)
}

fn shuffle<T>(items: &mut [T], mut seed: u64) {
    for i in (1..items.len()).rev() {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        items.swap(i, (seed >> 33) as usize % (i + 1));
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), ..ProptestConfig::default() })]

    /// Any order of notifications and request records: the same snapshot and
    /// the same due list, at any `now` and threshold.
    #[test]
    fn requests_keep_convergence(
        events in events(), seed in any::<u64>(), now_h in 0u64..400, older_h in 0u64..72,
    ) {
        let mut shuffled = events.clone();
        shuffle(&mut shuffled, seed);
        let (a, b) = (run(&events), run(&shuffled));
        prop_assert_eq!(a.snapshot(), b.snapshot());
        let (now, older) = (T0 + now_h * HOUR, older_h * HOUR);
        prop_assert_eq!(a.due_for_reconciliation(now, older), b.due_for_reconciliation(now, older));
    }

    /// A host's outbox is a complete chain: per card, tracking and field,
    /// each change's `old` is the previous change's `new` (`null` first),
    /// and the last `new` is what the view shows now.
    #[test]
    fn changes_form_complete_chains(events in events(), seed in any::<u64>()) {
        let mut shuffled = events.clone();
        shuffle(&mut shuffled, seed);
        let (tracker, changes) = run_with_changes(&shuffled);
        let mut last: BTreeMap<(String, Option<TrackingType>, &str), Value> = BTreeMap::new();
        for (card, c) in &changes {
            let key = (card.clone(), c.tracking_type, c.field);
            let previous = last.get(&key).cloned().unwrap_or(Value::Null);
            prop_assert_eq!(&c.old, &previous, "{:?} {:?}", key, c);
            prop_assert_ne!(&c.old, &c.new);
            last.insert(key, c.new.clone());
        }
        for ((card, tracking, field), new) in &last {
            let view = serde_json::to_value(tracker.card(card).expect("a card")).unwrap();
            let now = match tracking {
                None => view[*field].clone(),
                Some(t) => view["trackings"][t.as_str()][*field].clone(),
            };
            prop_assert_eq!(&now, new, "{} {:?} {}", card, tracking, field);
        }
    }

    /// Merge with requests is commutative, idempotent and equals the union;
    /// recording the same request twice is recording it once.
    #[test]
    fn merge_with_requests_is_a_join(a in events(), b in events()) {
        let (ta, tb) = (run(&a), run(&b));
        let mut ab = ta.clone();
        ab.merge(&tb).unwrap();
        let mut ba = tb.clone();
        ba.merge(&ta).unwrap();
        prop_assert_eq!(ab.snapshot(), ba.snapshot());
        let mut aa = ta.clone();
        aa.merge(&ta).unwrap();
        prop_assert_eq!(aa.snapshot(), ta.snapshot());
        let union: Vec<Event> = a.iter().chain(&b).cloned().collect();
        prop_assert_eq!(ab.snapshot(), run(&union).snapshot());
        let twice: Vec<Event> = a.iter().chain(&a).cloned().collect();
        prop_assert_eq!(run(&twice).snapshot(), ta.snapshot());
    }

    /// The due list depends on nothing but the state and its arguments: a
    /// tracker restored from the snapshot gives the same list; a later `now`
    /// never drops an entry whose tracking nothing changed; a longer
    /// threshold never adds one.
    #[test]
    fn due_list_is_a_pure_function(events in events(), now_h in 0u64..400, older_h in 0u64..72) {
        let tracker = run(&events);
        let mut restored = Tracker::new(Config::default());
        restored.restore(tracker.snapshot().as_bytes()).unwrap();
        prop_assert_eq!(restored.snapshot(), tracker.snapshot());
        let (now, older) = (T0 + now_h * HOUR, older_h * HOUR);
        let due = tracker.due_for_reconciliation(now, older);
        prop_assert_eq!(&restored.due_for_reconciliation(now, older), &due);
        prop_assert_eq!(&tracker.due_for_reconciliation(now, older), &due);
        let later = tracker.due_for_reconciliation(now + 10 * HOUR, older);
        prop_assert!(due.iter().all(|d| later.contains(d)));
        let patient = tracker.due_for_reconciliation(now, older + 10 * HOUR);
        prop_assert!(patient.iter().all(|d| due.contains(d)));
        for d in &due {
            prop_assert!(now - d.since_ms > older);
        }
    }
}
