//! The Rust run of the bad-input catalogue (`tests/bad-input/catalogue.json`,
//! shared with the Node and C suites): each case gives the exact code and
//! path, and leaves the tracker byte-for-byte as it was.

use d1_tracking::{Config, Error, Outcome, TrackCardRequest, Tracker, TrackingType};
use d1_tracking_test_support::catalogue::{catalogue, input};
use serde_json::Value;

/// The text of the one operation of a body, as sent.
fn raw_operation(body: &[u8]) -> String {
    // The bytes as sent, whichever reader read the body.
    let text = std::str::from_utf8(body).expect("UTF-8");
    let start = text.find('[').expect("an array") + 1;
    let end = text.rfind(']').expect("an array");
    text[start..end].trim().to_string()
}

fn check(name: &str, error: &Error, case: &Value) {
    assert_eq!(error.code().as_str(), case["code"], "{name}: {error}");
    assert_eq!(error.path(), case["path"].as_str(), "{name}: {error}");
    assert!(!error.message().is_empty(), "{name}");
}

#[test]
fn every_bad_input_is_named_and_changes_nothing() {
    let catalogue = catalogue();
    let mut tracker = Tracker::new(Config::default());
    for body in catalogue["setup"].as_array().expect("setup") {
        tracker
            .apply(body.as_str().expect("string").as_bytes(), 0)
            .expect("setup applies");
    }
    let before = tracker.snapshot();
    let cases = catalogue["cases"].as_array().expect("cases");
    assert!(cases.len() >= 60);
    for case in cases {
        let name = case["name"].as_str().expect("name");
        let bytes = input(case);
        match case["target"].as_str().expect("target") {
            "apply" => match (tracker.apply(&bytes, 0), case["scope"].as_str()) {
                (Err(error), Some("body")) => check(name, &error, case),
                (Ok(report), Some("operation")) => {
                    assert_eq!(report.operations.len(), 1, "{name}");
                    let op = &report.operations[0];
                    assert_eq!(op.outcome, Outcome::Rejected, "{name}");
                    assert!(op.changes.is_empty(), "{name}");
                    check(name, op.error.as_ref().expect("an error"), case);
                    // Invalid content: kept for the dead letters, not retried.
                    assert!(!op.retry, "{name}");
                    let raw = op.raw.as_deref().expect("the raw text");
                    let sent = raw_operation(&bytes);
                    assert_eq!(raw, sent, "{name}");
                }
                (other, scope) => panic!("{name}: {scope:?} expected, got {other:?}"),
            },
            "restore" => check(name, &tracker.restore(&bytes).unwrap_err(), case),
            "import" => check(name, &tracker.import_card(&bytes).unwrap_err(), case),
            "config" => check(name, &Config::from_json(&bytes).unwrap_err(), case),
            "trackCardRequest" => check(
                name,
                &TrackCardRequest::from_json(&bytes).unwrap_err(),
                case,
            ),
            "recordRequest" => {
                let args: Value = serde_json::from_slice(&bytes).expect("JSON arguments");
                let text = |k: &str| args[k].as_str().expect("string");
                let result = TrackingType::parse_kind_field(text("trackingType"), "trackingType")
                    .and_then(|t| {
                        tracker.record_request(
                            text("cardId"),
                            t,
                            args["atMs"].as_u64().expect("atMs"),
                        )
                    });
                check(name, &result.unwrap_err(), case);
            }
            other => panic!("{name}: unknown target {other}"),
        }
        assert_eq!(tracker.snapshot(), before, "{name} changed the state");
    }
}

#[test]
fn limits_on_cards_and_operations_change_nothing() {
    let config = Config::default()
        .with_max_cards(1)
        .with_max_operations_per_card(1);
    let op = |id: &str, card: &str| {
        format!(
            r#"{{"operations":[{{"operationId":"{id}","operation":"STANDALONE_TRACKING","status":"PENDING",
            "startTime":"2026-03-02T09:00:00Z","cardId":"{card}","details":{{"trackingType":"SHIPMENT"}}}}]}}"#
        )
    };
    let mut tracker = Tracker::new(config.clone());
    tracker.apply(op("op-1", "card-1").as_bytes(), 0).unwrap();
    let before = tracker.snapshot();
    for (body, path, retry) in [
        (op("op-1", "card-2"), "operations[0].cardId", true),
        (op("op-2", "card-1"), "operations[0].operationId", false),
    ] {
        let report = tracker.apply(body.as_bytes(), 0).unwrap();
        let error = report.operations[0].error.as_ref().unwrap();
        assert_eq!(error.code().as_str(), "LIMIT_EXCEEDED");
        assert_eq!(error.path(), Some(path));
        // A full tracker is not invalid content: D1 should deliver it again.
        // A card's own bound is never cured by a redelivery: no retry.
        assert_eq!(report.operations[0].retry, retry, "{path}");
        assert_eq!(
            report.operations[0].raw.as_deref(),
            Some(raw_operation(body.as_bytes()).as_str())
        );
        assert_eq!(tracker.snapshot(), before);
    }
    // Merge and import respect the same bounds, atomically.
    let mut other = Tracker::new(Config::default());
    other.apply(op("op-1", "card-2").as_bytes(), 0).unwrap();
    other.apply(op("op-2", "card-1").as_bytes(), 0).unwrap();
    assert_eq!(
        tracker.merge(&other).unwrap_err().code().as_str(),
        "LIMIT_EXCEEDED"
    );
    let export = other.export_card("card-1").unwrap();
    assert_eq!(
        tracker
            .import_card(export.as_bytes())
            .unwrap_err()
            .code()
            .as_str(),
        "LIMIT_EXCEEDED"
    );
    let mut small = Tracker::new(config);
    assert_eq!(
        small
            .restore(other.snapshot().as_bytes())
            .unwrap_err()
            .code()
            .as_str(),
        "LIMIT_EXCEEDED"
    );
    assert!(small.is_empty());
    assert_eq!(tracker.snapshot(), before);
}
