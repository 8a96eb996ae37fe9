//! Runs every vector of `tests/vectors/` (shared with the Node and C suites)
//! and compares the canonical bytes of reports, card views and snapshot.
//!
//! `D1T_BLESS=1 cargo test --test vectors` writes the current results into
//! the files' `expect` (review the diff before committing).

use d1_tracking::{canonical_string, Config, Error, TrackCardRequest, Tracker, TrackingType};
use d1_tracking_test_support::vectors::vectors;
use serde_json::{json, Value};

/// What a vector's steps produce, in the binding-neutral shape.
fn run(vector: &Value) -> Value {
    let config = match vector.get("config") {
        Some(c) => Config::from_value(c).expect("vector config is valid"),
        None => Config::default(),
    };
    let mut tracker = Tracker::new(config);
    let mut reports = Vec::new();
    for step in vector["steps"].as_array().expect("steps") {
        if let Some(result) = run_other_step(&mut tracker, step) {
            reports.push(result);
            continue;
        }
        let bytes = match (step.get("body"), step.get("bodyText")) {
            // In canonical form: a rejected operation's `raw` is its text as
            // sent, the same in every runner (tests/vectors/README.md).
            (Some(body), None) => canonical_string(body).into_bytes(),
            (None, Some(Value::String(text))) => text.as_bytes().to_vec(),
            _ => panic!("a step has exactly one of body, bodyText: {step}"),
        };
        let received = step
            .get("receivedAtMs")
            .and_then(Value::as_u64)
            .unwrap_or(0);
        reports.push(match tracker.apply(&bytes, received) {
            Ok(report) => serde_json::to_value(&report).expect("serialisable"),
            Err(error) => json!({ "error": error.to_json() }),
        });
    }
    let cards: Vec<Value> = tracker
        .cards()
        .map(|c| serde_json::to_value(&c).expect("serialisable"))
        .collect();
    json!({ "reports": reports, "cards": cards, "snapshot": tracker.snapshot() })
}

/// The steps that are not bodies: request records, due lists, Track Card
/// requests, explanations. Their result is the value, or `{"error": …}`.
fn run_other_step(tracker: &mut Tracker, step: &Value) -> Option<Value> {
    let outcome = |r: Result<Value, Error>| match r {
        Ok(v) => v,
        Err(error) => json!({ "error": error.to_json() }),
    };
    if let Some(record) = step.get("recordRequest") {
        let text = |k: &str| record[k].as_str().expect("string argument");
        return Some(outcome(
            TrackingType::parse_kind_field(text("trackingType"), "trackingType").and_then(|t| {
                let at = record["atMs"].as_u64().expect("atMs");
                tracker
                    .record_request(text("cardId"), t, at)
                    .map(|_| json!({ "ok": true }))
            }),
        ));
    }
    if let Some(due) = step.get("due") {
        let arg = |k: &str| due[k].as_u64().expect("a whole number");
        let list = tracker.due_for_reconciliation(arg("nowMs"), arg("olderThanMs"));
        return Some(json!({ "due": list }));
    }
    if let Some(card) = step.get("explain") {
        let card = card.as_str().expect("a card id");
        let explained = tracker.explain(card);
        return Some(json!({ "explain": explained }));
    }
    if let Some(request) = step.get("trackCardRequest") {
        return Some(outcome(
            TrackCardRequest::from_value(request)
                .map(|r| serde_json::to_value(r.build()).expect("serialisable")),
        ));
    }
    None
}

#[test]
fn every_vector_gives_the_expected_bytes() {
    let bless = std::env::var_os("D1T_BLESS").is_some();
    let all = vectors();
    assert!(all.len() >= 25, "only {} vectors", all.len());
    let mut failures = Vec::new();
    for (path, mut vector) in all {
        let actual = run(&vector);
        if bless {
            vector["expect"] = actual;
            let out = serde_json::to_string_pretty(&vector).expect("serialisable") + "\n";
            std::fs::write(&path, out).expect("writable");
            continue;
        }
        let expected = vector.get("expect").map(canonical_string);
        if expected.as_deref() != Some(canonical_string(&actual).as_str()) {
            failures.push(format!(
                "{}\n  expected: {}\n  actual:   {}",
                path.display(),
                expected.unwrap_or_default(),
                canonical_string(&actual)
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
