//! The fold's properties (README, "What the fold guarantees"): the state is a pure function of the set of distinct
//! notifications, whatever the order, duplicates, batching or merging.

mod common;
mod oracle;

use common::{batches, body, cases, deliveries, Delivery};
use d1_tracking::{Config, Outcome, Tracker};
use d1_tracking_test_support::apply_accepted;
use proptest::prelude::*;
use serde_json::Value;

fn config(max_kept: usize) -> Config {
    Config::default().with_max_notifications_per_operation(max_kept)
}

fn fold(items: &[Delivery], cuts: &[usize], max_kept: usize) -> Tracker {
    let mut tracker = Tracker::new(config(max_kept));
    for batch in batches(items, cuts) {
        apply_accepted(&mut tracker, body(&batch).as_bytes());
    }
    tracker
}

fn values(items: &[Delivery]) -> Vec<Value> {
    items.iter().map(|(v, _)| v.clone()).collect()
}

/// Heap's algorithm: calls `f` with every permutation of `items`.
fn permutations<T: Clone>(items: &mut [T], k: usize, f: &mut dyn FnMut(&[T])) {
    if k <= 1 {
        f(items);
        return;
    }
    permutations(items, k - 1, f);
    for i in 0..k - 1 {
        if k % 2 == 0 {
            items.swap(i, k - 1);
        } else {
            items.swap(0, k - 1);
        }
        permutations(items, k - 1, f);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), ..ProptestConfig::default() })]

    /// Any order, any batching, any history bound: identical snapshot bytes;
    /// and the views are the README's ("The card view"), computed by brute force.
    #[test]
    fn order_and_batching_do_not_change_the_state(
        items in deliveries(10),
        seed in any::<u64>(),
        cuts_a in proptest::collection::vec(1usize..5, 0..20),
        cuts_b in proptest::collection::vec(1usize..5, 0..20),
        max_kept in prop_oneof![Just(1usize), Just(2), Just(32)],
    ) {
        let mut shuffled = items.clone();
        let mut rng = seed;
        for i in (1..shuffled.len()).rev() {
            rng = rng.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            shuffled.swap(i, (rng >> 33) as usize % (i + 1));
        }
        let a = fold(&items, &cuts_a, max_kept);
        let b = fold(&shuffled, &cuts_b, max_kept);
        prop_assert_eq!(a.snapshot(), b.snapshot());
        prop_assert_eq!(
            oracle::actual_trackings(&a),
            oracle::expected_trackings(&values(&items))
        );
    }

    /// Exhaustive permutations of small sets (up to 6 deliveries).
    #[test]
    fn every_permutation_of_a_small_set_gives_the_same_bytes(
        items in deliveries(3).prop_filter("at most 6 deliveries", |d| d.len() <= 6),
        max_kept in prop_oneof![Just(1usize), Just(32)],
    ) {
        let expected = fold(&items, &[], max_kept).snapshot();
        let mut work = items.clone();
        let n = work.len();
        let mut mismatch = None;
        permutations(&mut work, n, &mut |perm| {
            if mismatch.is_none() {
                let got = fold(perm, &[], max_kept).snapshot();
                if got != expected {
                    mismatch = Some(got);
                }
            }
        });
        prop_assert_eq!(mismatch, None);
    }

    /// Applying everything twice is applying it once; the second time every
    /// operation is a duplicate.
    #[test]
    fn applying_twice_is_applying_once(items in deliveries(8), max_kept in prop_oneof![Just(1usize), Just(32)]) {
        let mut tracker = fold(&items, &[], max_kept);
        let once = tracker.snapshot();
        for d in &items {
            let report = tracker.apply(body(std::slice::from_ref(d)).as_bytes(), 0).unwrap();
            // Under a bound, a notification below the kept top K may come back
            // as `recorded`; it still changes nothing.
            prop_assert!(matches!(report.operations[0].outcome, Outcome::Duplicate | Outcome::Recorded));
            prop_assert!(report.operations[0].changes.is_empty());
        }
        prop_assert_eq!(tracker.snapshot(), once);
    }

    /// merge is commutative, associative, idempotent, and equals folding the
    /// union.
    #[test]
    fn merge_is_a_join(
        a in deliveries(5), b in deliveries(5), c in deliveries(5),
        max_kept in prop_oneof![Just(1usize), Just(2), Just(32)],
    ) {
        let (ta, tb, tc) = (fold(&a, &[], max_kept), fold(&b, &[], max_kept), fold(&c, &[], max_kept));
        let merged = |x: &Tracker, y: &Tracker| {
            let mut m = x.clone();
            m.merge(y).unwrap();
            m
        };
        let ab = merged(&ta, &tb);
        prop_assert_eq!(ab.snapshot(), merged(&tb, &ta).snapshot());
        prop_assert_eq!(merged(&ab, &tc).snapshot(), merged(&ta, &merged(&tb, &tc)).snapshot());
        prop_assert_eq!(merged(&ta, &ta).snapshot(), ta.snapshot());
        let union: Vec<Delivery> = a.iter().chain(&b).cloned().collect();
        prop_assert_eq!(ab.snapshot(), fold(&union, &[], max_kept).snapshot());
        // Per-card export/import is merge too.
        let mut imported = ta.clone();
        for id in tb.card_ids() {
            imported.import_card(tb.export_card(id).unwrap().as_bytes()).unwrap();
        }
        prop_assert_eq!(imported.snapshot(), ab.snapshot());
    }

    /// snapshot → restore → snapshot is the identity, views included.
    #[test]
    fn snapshot_round_trips(items in deliveries(10), max_kept in prop_oneof![Just(1usize), Just(32)]) {
        let tracker = fold(&items, &[], max_kept);
        let snapshot = tracker.snapshot();
        let mut restored = Tracker::new(config(max_kept));
        restored.restore(snapshot.as_bytes()).unwrap();
        prop_assert_eq!(restored.snapshot(), snapshot);
        prop_assert_eq!(restored.cards().collect::<Vec<_>>(), tracker.cards().collect::<Vec<_>>());
    }

    /// No known status ever regresses, one notification at a time: an
    /// operation's status and business-status ranks only rise, and a conflict
    /// once seen stays.
    #[test]
    fn no_known_status_regresses(items in deliveries(10)) {
        let mut tracker = Tracker::new(Config::default());
        let mut last: std::collections::BTreeMap<(String, String, String), (u8, u8, bool)> = Default::default();
        for d in &items {
            tracker.apply(body(std::slice::from_ref(d)).as_bytes(), 0).unwrap();
            for card in tracker.card_ids().map(str::to_string).collect::<Vec<_>>() {
                for op in tracker.operations(&card).unwrap() {
                    let rank = op.view.status as u8;
                    let biz = op.view.details_status.as_deref().map_or(0, |s| d1_tracking::BusinessStatus::parse(s).rank());
                    let key = (card.clone(), op.tracking_type.as_str().to_string(), op.view.operation_id.clone());
                    let now = (rank, biz, op.view.conflict);
                    if let Some(before) = last.get(&key) {
                        prop_assert!(now.0 >= before.0 && now.1 >= before.1 && (now.2 || !before.2),
                            "{key:?}: {before:?} -> {now:?}");
                    }
                    last.insert(key, now);
                }
            }
        }
    }

    /// The changes a report lists are exactly the fields of the card's public
    /// view that differ before and after (the fold computes them without
    /// building views); `applied` has changes and `recorded` has none.
    #[test]
    fn reported_changes_are_the_view_difference(
        items in deliveries(10),
        max_kept in prop_oneof![Just(1usize), Just(32)],
    ) {
        let mut tracker = Tracker::new(config(max_kept));
        for d in &items {
            let card = d.0["cardId"].as_str().unwrap().to_string();
            let before = tracker.card(&card).filter(|v| !v.trackings.is_empty());
            let report = tracker.apply(body(std::slice::from_ref(d)).as_bytes(), 0).unwrap();
            let after = tracker.card(&card).unwrap();
            let op = &report.operations[0];
            let expected = view_difference(before.as_ref(), &after);
            match op.outcome {
                Outcome::Applied => prop_assert!(!expected.is_empty()),
                Outcome::Recorded | Outcome::Duplicate => prop_assert!(expected.is_empty()),
                other => prop_assert!(false, "unexpected outcome {other:?}"),
            }
            let got: Vec<(Option<String>, String, Value, Value)> = op
                .changes
                .iter()
                .map(|c| (c.tracking_type.map(|t| t.as_str().to_string()), c.field.to_string(), c.old.clone(), c.new.clone()))
                .collect();
            prop_assert_eq!(got, expected);
        }
    }

    /// Rejected operations change nothing, and the rest of their body still
    /// applies; a body rejected whole changes nothing at all.
    #[test]
    fn rejected_input_changes_nothing(
        items in deliveries(6),
        breakage in proptest::collection::vec((0usize..8, any::<prop::sample::Index>()), 1..4),
    ) {
        let clean = fold(&items, &[], 32);
        let mut ops: Vec<String> = items.iter().map(|(v, s)| common::render(v, *s)).collect();
        for (kind, at) in &breakage {
            let (v, _) = &items[at.index(items.len())];
            let mut bad = v.clone();
            match kind {
                0 => { bad.as_object_mut().unwrap().remove("cardId"); }
                1 => bad["operationId"] = Value::from("no spaces allowed"),
                2 => bad["status"] = Value::from("DONE"),
                3 => bad["startTime"] = Value::from("yesterday"),
                // PRODUCE names no tracking type: a bad business status instead.
                4 if bad["operation"] == "PRODUCE" => bad["details"]["status"] = Value::from(true),
                4 => bad["details"]["trackingType"] = Value::from("TELEPORT"),
                5 => bad["details"]["shipment"] = Value::from(7),
                6 => bad["cardId"] = Value::from("x".repeat(49)),
                _ => bad["details"] = Value::from("none"),
            }
            ops.push(common::render(&bad, 0));
        }
        let mut tracker = Tracker::new(config(32));
        let report = tracker.apply(format!("{{\"operations\":[{}]}}", ops.join(",")).as_bytes(), 0).unwrap();
        prop_assert_eq!(report.count(Outcome::Rejected), breakage.len());
        prop_assert_eq!(tracker.snapshot(), clean.snapshot());
        let before = tracker.snapshot();
        for garbage in ["", "{", "[]", "{\"operations\":{}}", "{\"operations\":[1,2", "\u{0}"] {
            prop_assert!(tracker.apply(garbage.as_bytes(), 0).is_err());
        }
        prop_assert_eq!(tracker.snapshot(), before);
    }
}

/// The field-by-field difference of two card views, through their JSON:
/// entries in kind order, fields by name (`notifications` left out), then
/// `phase`.
fn view_difference(
    before: Option<&d1_tracking::CardView>,
    after: &d1_tracking::CardView,
) -> Vec<(Option<String>, String, Value, Value)> {
    let json = |v: Option<&d1_tracking::CardView>| v.map(|v| serde_json::to_value(v).unwrap());
    let (old, new) = (json(before), json(Some(after)));
    let mut out = Vec::new();
    for t in ["PRODUCTION", "SHIPMENT", "RETURN", "PRODUCE", "UNTYPED"] {
        let get = |v: &Option<Value>| {
            v.as_ref()
                .map_or(Value::Null, |v| v["trackings"][t].clone())
        };
        let (o, n) = (get(&old), get(&new));
        let empty = serde_json::Map::new();
        let (om, nm) = (
            o.as_object().unwrap_or(&empty),
            n.as_object().unwrap_or(&empty),
        );
        let mut fields: Vec<&String> = om.keys().chain(nm.keys()).collect();
        fields.sort();
        fields.dedup();
        for f in fields.into_iter().filter(|f| *f != "notifications") {
            let (a, b) = (
                om.get(f).cloned().unwrap_or(Value::Null),
                nm.get(f).cloned().unwrap_or(Value::Null),
            );
            if a != b {
                out.push((Some(t.to_string()), f.clone(), a, b));
            }
        }
    }
    let old_phase = old.map_or(Value::Null, |v| v["phase"].clone());
    if old_phase != new.as_ref().unwrap()["phase"] {
        out.push((
            None,
            "phase".to_string(),
            old_phase,
            new.unwrap()["phase"].clone(),
        ));
    }
    out
}

#[test]
fn permutations_helper_visits_every_order() {
    let mut items = [1, 2, 3, 4];
    let mut seen = std::collections::BTreeSet::new();
    permutations(&mut items, 4, &mut |p| {
        seen.insert(p.to_vec());
    });
    assert_eq!(seen.len(), 24);
}
