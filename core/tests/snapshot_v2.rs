//! A snapshot written by v2 restores and shows v3 views (snapshots hold
//! notifications, never views). `fixtures/v2-snapshot.json` is what v2
//! (commit 0e2170b) wrote with `replay --snapshot fixtures/v2-log.jsonl`:
//! the bundled sample log and seven lines v3 reads differently.

use d1_tracking::{Config, Phase, Tracker, TrackingType};
use serde_json::Value;

const V2_SNAPSHOT: &str = include_str!("fixtures/v2-snapshot.json");
const V2_LOG: &str = include_str!("fixtures/v2-log.jsonl");

/// The log folded by this version, as `replay` folds it.
fn folded_now() -> Tracker {
    let mut tracker = Tracker::new(Config::default());
    for (i, line) in V2_LOG.lines().enumerate() {
        let record = serde_json::from_str::<Value>(line)
            .ok()
            .and_then(|v| v.get("request").cloned());
        match record {
            Some(r) => {
                let tracking = r["trackingType"].as_str().and_then(TrackingType::parse);
                if let (Some(card), Some(t), Some(at)) =
                    (r["cardId"].as_str(), tracking, r["atMs"].as_u64())
                {
                    let _ = tracker.record_request(card, t, at);
                }
            }
            None => {
                let _ = tracker.apply(line.as_bytes(), (i + 1) as u64);
            }
        }
    }
    tracker
}

#[test]
fn a_v2_snapshot_restores_with_v3_views() {
    let mut restored = Tracker::new(Config::default());
    restored
        .restore(V2_SNAPSHOT.trim_end().as_bytes())
        .expect("a v2 snapshot restores");
    let now = folded_now();
    assert_eq!(restored.snapshot(), now.snapshot());
    let views = |t: &Tracker| serde_json::to_string(&t.cards().collect::<Vec<_>>()).unwrap();
    assert_eq!(views(&restored), views(&now));
    // v2 showed SHIPPED for the first two (a production report the day
    // after the delivery; `return_to_sender`, a word it did not know), and
    // the re-shipment after an undated return as v3 does.
    assert_eq!(restored.phase("card-0103"), Some(Phase::Delivered));
    assert_eq!(restored.phase("card-0102"), Some(Phase::Returning));
    assert_eq!(restored.phase("card-0101"), Some(Phase::InTransit));
    assert!(restored.explain("card-0101").is_some());
}
