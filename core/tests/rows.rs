//! The host path (docs/decisions.md, "The host path"): folding against
//! per-card rows gives what one tracker gives, whatever the split over
//! workers; the changes it reports form complete chains; the state's byte
//! count is a function of the state.

mod common;

use std::collections::BTreeMap;

use common::{batches, body, cases, deliveries};
use d1_tracking::{Change, Config, Error, Outcome, Row, Tracker, TrackingType};
use proptest::prelude::*;
use serde_json::Value;

/// A host's table: card id → row.
type Table = BTreeMap<String, String>;

/// What a host does for one body: ask which cards it touches, load their
/// rows (or none yet), fold against them, write back what changed.
fn fold_into(table: &mut Table, tracker: &Tracker, body: &[u8]) -> Vec<(String, Change)> {
    let cards = tracker.cards_of_body(body).expect("a valid body");
    let rows: Vec<Row<'_>> = cards
        .iter()
        .map(|id| Row::new(id, table.get(id).map(String::as_bytes)))
        .collect();
    let folded = tracker.fold_rows(body, &rows).expect("folds");
    let mut changes = Vec::new();
    for update in folded.cards {
        changes.extend(
            update
                .changes
                .iter()
                .map(|c| (update.card_id.clone(), c.clone())),
        );
        table.insert(update.card_id, update.row);
    }
    changes
}

/// One tracker holding every row of `tables` (rows of one card merged).
fn merged(tables: &[Table]) -> Tracker {
    let mut tracker = Tracker::new(Config::default());
    for table in tables {
        for row in table.values() {
            tracker.import_card(row.as_bytes()).expect("a row imports");
        }
    }
    tracker
}

fn views(tracker: &Tracker) -> Vec<Value> {
    tracker
        .cards()
        .map(|c| serde_json::to_value(c).unwrap())
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), ..ProptestConfig::default() })]

    /// Any split of a stream over any number of workers, each with its own
    /// rows, then rows of one card merged: the same state and views as one
    /// tracker fed everything. With one shared table, the rows are that
    /// tracker's per-card exports.
    #[test]
    fn folding_through_rows_is_folding_in_one_tracker(
        items in deliveries(10),
        cuts in proptest::collection::vec(1usize..4, 0..10),
        workers in 1usize..5,
        seed in any::<u64>(),
    ) {
        let bodies: Vec<String> = batches(&items, &cuts).iter().map(|b| body(b)).collect();
        let mut one = Tracker::new(Config::default());
        for b in &bodies {
            one.apply(b.as_bytes(), 0).unwrap();
        }
        let host = Tracker::new(Config::default());
        let mut tables = vec![Table::new(); workers];
        let mut rng = seed;
        for b in &bodies {
            rng = rng.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            let w = (rng >> 33) as usize % workers;
            fold_into(&mut tables[w], &host, b.as_bytes());
        }
        let m = merged(&tables);
        prop_assert_eq!(m.snapshot(), one.snapshot());
        prop_assert_eq!(views(&m), views(&one));
        // The host's tracker was never changed.
        prop_assert!(host.is_empty());

        let mut shared = Table::new();
        for b in &bodies {
            fold_into(&mut shared, &host, b.as_bytes());
        }
        let exports: Table = one
            .card_ids()
            .map(|id| (id.to_string(), one.export_card(id).unwrap()))
            .collect();
        prop_assert_eq!(shared, exports);
    }

    /// Through rows, with request records in the mix, the changes of each
    /// card and field form a chain: each `old` is the previous `new`, and
    /// the last `new` is the current view.
    #[test]
    fn changes_through_rows_form_complete_chains(
        items in deliveries(8),
        requests in proptest::collection::vec((0usize..3, 0usize..4, 0u64..200), 0..5),
    ) {
        let host = Tracker::new(Config::default());
        let mut table = Table::new();
        let mut changes: Vec<(String, Change)> = Vec::new();
        let kinds = [TrackingType::Production, TrackingType::Shipment, TrackingType::Return, TrackingType::Produce];
        let mut requests = requests.into_iter();
        for d in &items {
            changes.extend(fold_into(&mut table, &host, body(std::slice::from_ref(d)).as_bytes()));
            if let Some((card, kind, hour)) = requests.next() {
                let card = format!("card-{card}");
                let row = table.get(&card).cloned();
                let update = host
                    .record_request_on_row(
                        Row::new(&card, row.as_deref().map(str::as_bytes)),
                        kinds[kind],
                        1_772_323_200_000 + hour * 3_600_000,
                    )
                    .unwrap();
                changes.extend(update.changes.iter().map(|c| (card.clone(), c.clone())));
                table.insert(card, update.row);
            }
        }
        let state = merged(&[table]);
        let mut last: BTreeMap<(String, Option<TrackingType>, &str), Value> = BTreeMap::new();
        for (card, c) in &changes {
            let key = (card.clone(), c.tracking_type, c.field);
            let previous = last.get(&key).cloned().unwrap_or(Value::Null);
            prop_assert_eq!(&c.old, &previous, "{:?}", key);
            prop_assert_ne!(&c.old, &c.new);
            last.insert(key, c.new.clone());
        }
        for ((card, kind, field), new) in last {
            let view = serde_json::to_value(state.card(&card).unwrap()).unwrap();
            let now = match kind {
                None => view[field].clone(),
                Some(k) => view["trackings"][k.as_str()].get(field).cloned().unwrap_or(Value::Null),
            };
            prop_assert_eq!(new, now);
        }
    }

    /// The state's byte count is a function of the state: the same after a
    /// snapshot round trip and after a merge of two halves; evicting every
    /// card brings it to 0.
    #[test]
    fn state_bytes_is_a_function_of_the_state(items in deliveries(10), split in 0usize..10) {
        let mut a = Tracker::new(Config::default());
        let mut b = Tracker::new(Config::default());
        for (i, d) in items.iter().enumerate() {
            let t = if i < split { &mut a } else { &mut b };
            t.apply(body(std::slice::from_ref(d)).as_bytes(), 0).unwrap();
        }
        let mut all = a.clone();
        all.merge(&b).unwrap();
        let mut restored = Tracker::new(Config::default());
        restored.restore(all.snapshot().as_bytes()).unwrap();
        prop_assert_eq!(restored.state_bytes(), all.state_bytes());
        prop_assert!(all.state_bytes() > 0);
        let ids: Vec<String> = all.card_ids().map(str::to_string).collect();
        for id in &ids {
            let row = all.evict(id).expect("held");
            prop_assert!(row.contains(id.as_str()));
        }
        prop_assert_eq!(all.state_bytes(), 0);
        prop_assert!(all.is_empty());
    }
}

fn operation(card: &str, status: &str) -> String {
    format!(
        r#"{{"operationId":"op-1","operation":"STANDALONE_TRACKING","status":"{status}","startTime":"2026-03-02T09:00:00Z","cardId":"{card}","details":{{"trackingType":"SHIPMENT"}}}}"#
    )
}

/// An operation of `card` with its own id, status and end time (`at`
/// hours after its start: distinct notifications).
fn op_text_at(card: &str, id: &str, status: &str, at: u32) -> String {
    format!(
        r#"{{"operationId":"{id}","operation":"STANDALONE_TRACKING","status":"{status}","startTime":"2026-03-02T09:00:00Z","endTime":"2026-03-03T{at:02}:00:00Z","cardId":"{card}","details":{{"trackingType":"SHIPMENT"}}}}"#
    )
}

fn op_text(card: &str, id: &str, status: &str) -> String {
    op_text_at(card, id, status, 0)
}

fn one_card(card: &str, status: &str) -> String {
    format!(r#"{{"operations":[{}]}}"#, operation(card, status))
}

#[test]
fn cards_of_body_lists_the_cards_apply_would_fold_and_refuses_what_apply_refuses() {
    let tracker = Tracker::new(Config::default());
    let body = format!(
        r#"{{"operations":[{},{},{},{{"operationId":"x","operation":"ACTIVATE","cardId":"card-9"}},{{"cardId":"bad id"}}]}}"#,
        operation("card-2", "PENDING"),
        operation("card-1", "PENDING"),
        operation("card-2", "SUCCESSFUL"),
    );
    assert_eq!(
        tracker.cards_of_body(body.as_bytes()).unwrap(),
        ["card-1", "card-2"]
    );
    for bad in ["", "{", "[]", "{\"operations\":{}}"] {
        let mut t = Tracker::new(Config::default());
        assert_eq!(
            tracker.cards_of_body(bad.as_bytes()).unwrap_err(),
            t.apply(bad.as_bytes(), 0).unwrap_err()
        );
    }
}

/// One card's unreadable row (another version's format, corrupt bytes) or
/// over-bound row never blocks the other cards of the body (README, "The
/// host path").
#[test]
fn a_bad_row_fails_its_card_only() {
    let tracker = Tracker::new(Config::default().with_max_notifications_per_operation(4));
    let body = format!(
        "{{\"operations\":[{},{},{}]}}",
        op_text("card-1", "s-1", "PENDING"),
        op_text("card-2", "s-2", "SUCCESSFUL"),
        op_text("card-3", "s-3", "PENDING")
    );
    let mut big = Tracker::new(Config::default());
    for i in 0..8 {
        let status = format!(
            "{{\"operations\":[{}]}}",
            op_text_at("card-3", "s-3", "PENDING", i)
        );
        big.apply(status.as_bytes(), 0).unwrap();
    }
    let over_bound = big.export_card("card-3").unwrap();
    let folded = tracker
        .fold_rows(
            body.as_bytes(),
            &[
                Row::new(
                    "card-1",
                    Some(b"{\"format\":\"d1-tracking/9\",\"cards\":[]}".as_slice()),
                ),
                Row::new("card-2", None),
                Row::new("card-3", Some(over_bound.as_bytes())),
            ],
        )
        .unwrap();
    let failed: Vec<(&str, &str)> = folded
        .failed
        .iter()
        .map(|f| (f.card_id.as_str(), f.error.code().as_str()))
        .collect();
    assert_eq!(
        failed,
        [("card-1", "SNAPSHOT_INVALID"), ("card-3", "LIMIT_EXCEEDED")]
    );
    let outcomes: Vec<Outcome> = folded.report.operations.iter().map(|o| o.outcome).collect();
    assert_eq!(
        outcomes,
        [Outcome::Rejected, Outcome::Applied, Outcome::Rejected]
    );
    assert!(folded.report.operations.iter().all(|o| !o.retry));
    assert_eq!(
        folded.report.operations[0].raw.as_deref(),
        Some(op_text("card-1", "s-1", "PENDING").as_str())
    );
    let updated: Vec<&str> = folded.cards.iter().map(|c| c.card_id.as_str()).collect();
    assert_eq!(updated, ["card-2"]);
}

#[test]
fn fold_rows_needs_a_row_for_every_card_and_a_row_of_its_own_card() {
    let tracker = Tracker::new(Config::default());
    let body = one_card("card-1", "PENDING");
    let err = tracker.fold_rows(body.as_bytes(), &[]).unwrap_err();
    assert!(
        matches!(&err, Error::FieldMissing { path, message } if path == "rows" && message.contains("card-1"))
    );
    let mut other = Tracker::new(Config::default());
    other
        .apply(one_card("card-2", "PENDING").as_bytes(), 0)
        .unwrap();
    let row = other.export_card("card-2").unwrap();
    // Another card's row fails that card only: its operation is parked
    // (rejected, raw text kept, no retry), its row untouched.
    let folded = tracker
        .fold_rows(body.as_bytes(), &[Row::new("card-1", Some(row.as_bytes()))])
        .unwrap();
    assert_eq!(folded.failed.len(), 1);
    assert_eq!(folded.failed[0].card_id, "card-1");
    assert_eq!(folded.failed[0].error.code().as_str(), "SNAPSHOT_INVALID");
    assert_eq!(folded.failed[0].error.path(), Some("rows[0]"));
    assert!(folded.cards.is_empty());
    let op = &folded.report.operations[0];
    assert_eq!(op.outcome, Outcome::Rejected);
    assert!(!op.retry);
    assert_eq!(
        op.raw.as_deref(),
        Some(&body["{\"operations\":[".len()..body.len() - 2])
    );
    let err = tracker
        .fold_rows(body.as_bytes(), &[Row::new("card 1", None)])
        .unwrap_err();
    assert_eq!(err.path(), Some("rows[0].cardId"));
    // Rows of cards the body does not touch are allowed and left alone.
    let folded = tracker
        .fold_rows(
            body.as_bytes(),
            &[
                Row::new("card-1", None),
                Row::new("card-2", Some(row.as_bytes())),
            ],
        )
        .unwrap();
    assert_eq!(folded.cards.len(), 1);
    assert_eq!(folded.cards[0].card_id, "card-1");
    assert_eq!(folded.report.operations[0].outcome, Outcome::Applied);
}

#[test]
fn the_state_bound_refuses_with_retry_and_changes_nothing() {
    let mut tracker = Tracker::new(Config::default().with_max_state_bytes(1_000));
    let first = tracker
        .apply(one_card("card-1", "PENDING").as_bytes(), 0)
        .unwrap();
    assert_eq!(first.operations[0].outcome, Outcome::Applied);
    let used = tracker.state_bytes();
    assert!(used > 0 && used <= 1_000, "{used}");
    // Fill the tracker until a notification is refused; that apply must
    // change nothing.
    let mut refused = None;
    for i in 2..20 {
        let before = (tracker.snapshot(), tracker.state_bytes());
        let report = tracker
            .apply(one_card(&format!("card-{i}"), "PENDING").as_bytes(), 0)
            .unwrap();
        let op = report.operations[0].clone();
        if op.outcome == Outcome::Rejected {
            assert_eq!((tracker.snapshot(), tracker.state_bytes()), before);
            refused = Some(op);
            break;
        }
    }
    let refused = refused.expect("the bound is reached");
    assert!(refused.retry);
    assert_eq!(
        refused.error.as_ref().unwrap().code().as_str(),
        "LIMIT_EXCEEDED"
    );
    assert!(tracker.state_bytes() <= 1_000);
    // A snapshot larger than the bound is refused whole.
    let mut small = Tracker::new(Config::default().with_max_state_bytes(100));
    let err = small.restore(tracker.snapshot().as_bytes()).unwrap_err();
    assert_eq!(err.code().as_str(), "LIMIT_EXCEEDED");
    assert!(small.is_empty());
}

#[test]
fn chunks_concatenate_to_the_snapshot_and_pages_list_every_card_once() {
    let mut tracker = Tracker::new(Config::default());
    for i in 0..25 {
        tracker
            .apply(one_card(&format!("card-{i:02}"), "PENDING").as_bytes(), 0)
            .unwrap();
    }
    for per in [1, 7, 25, 100] {
        let chunks: Vec<String> = tracker.snapshot_chunks(per).collect();
        assert_eq!(chunks.len(), 25usize.div_ceil(per));
        assert_eq!(chunks.concat(), tracker.snapshot());
        let mut back = Tracker::new(Config::default());
        back.restore_chunks(&chunks).unwrap();
        assert_eq!(back.snapshot(), tracker.snapshot());
    }
    let empty = Tracker::new(Config::default());
    assert_eq!(
        empty.snapshot_chunks(3).collect::<String>(),
        empty.snapshot()
    );
    let mut seen = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let page = tracker.cards_page(after.as_deref(), 10);
        if page.is_empty() {
            break;
        }
        after = page.last().map(|c| c.card_id.clone());
        seen.extend(page.into_iter().map(|c| c.card_id));
    }
    let all: Vec<String> = tracker.card_ids().map(str::to_string).collect();
    assert_eq!(seen, all);
    tracker.clear();
    assert!(tracker.is_empty());
    assert_eq!(tracker.state_bytes(), 0);
}

/// What a worker would have to merge: two rows of one card written by two
/// workers from the same stale row.
#[test]
fn two_rows_of_one_card_merge() {
    let host = Tracker::new(Config::default());
    let a = host
        .fold_rows(
            one_card("card-1", "PENDING").as_bytes(),
            &[Row::new("card-1", None)],
        )
        .unwrap();
    let b = host
        .fold_rows(
            one_card("card-1", "SUCCESSFUL").as_bytes(),
            &[Row::new("card-1", None)],
        )
        .unwrap();
    let m = merged(&[
        Table::from([("card-1".into(), a.cards[0].row.clone())]),
        Table::from([("card-1".into(), b.cards[0].row.clone())]),
    ]);
    let mut one = Tracker::new(Config::default());
    one.apply(one_card("card-1", "PENDING").as_bytes(), 0)
        .unwrap();
    one.apply(one_card("card-1", "SUCCESSFUL").as_bytes(), 0)
        .unwrap();
    assert_eq!(m.snapshot(), one.snapshot());
}
