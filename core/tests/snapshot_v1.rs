//! A snapshot written by an earlier version restores, and its views are
//! re-derived with the current rules (snapshots hold notifications, never
//! views). `fixtures/v1-snapshot.json` is what v1 (commit 31c1919, before
//! the layered core) wrote for the bundled sample log
//! (`replay --snapshot`).

use d1_tracking::{Config, Tracker, TrackingType};
use serde_json::Value;

const V1_SNAPSHOT: &str = include_str!("fixtures/v1-snapshot.json");
const SAMPLE_LOG: &str = include_str!("../examples/data/sample-log.jsonl");

/// The sample log folded by this version, as `replay` folds it, without
/// what v1 did not keep (it ignored `PRODUCE` operations; this version folds
/// them).
fn folded_now() -> Tracker {
    let mut tracker = Tracker::new(Config::default());
    for (i, line) in SAMPLE_LOG.lines().enumerate() {
        let Ok(value) = serde_json::from_str::<Value>(line) else {
            let _ = tracker.apply(line.as_bytes(), i as u64);
            continue;
        };
        if let Some(r) = value.get("request") {
            let tracking = r["trackingType"].as_str().and_then(TrackingType::parse);
            if let (Some(card), Some(t), Some(at)) =
                (r["cardId"].as_str(), tracking, r["atMs"].as_u64())
            {
                let _ = tracker.record_request(card, t, at);
            }
        } else if let Some(Value::Array(ops)) = value.get("operations") {
            let kept: Vec<&Value> = ops
                .iter()
                .filter(|op| op["operation"] != "PRODUCE")
                .collect();
            let body = serde_json::json!({ "operations": kept }).to_string();
            let _ = tracker.apply(body.as_bytes(), i as u64);
        } else {
            let _ = tracker.apply(line.as_bytes(), i as u64);
        }
    }
    tracker
}

#[test]
fn a_v1_snapshot_restores_with_the_current_views() {
    let mut restored = Tracker::new(Config::default());
    restored
        .restore(V1_SNAPSHOT.trim_end().as_bytes())
        .expect("a v1 snapshot restores");
    let now = folded_now();
    assert_eq!(restored.snapshot(), now.snapshot());
    let views = |t: &Tracker| serde_json::to_string(&t.cards().collect::<Vec<_>>()).unwrap();
    assert_eq!(views(&restored), views(&now));
    assert!(restored.len() >= 5, "{} cards", restored.len());
}
