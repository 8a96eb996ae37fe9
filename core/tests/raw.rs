//! A rejected operation's `raw` is the bytes D1 sent, whichever reader read
//! the body: also when `serde_json` read it (a body with a float or a
//! surrogate escape anywhere), which keeps no positions and rounds a
//! 22-digit integer to a float — so there, unlike in the bodies the direct
//! reader reads (vector 089), such a tracking number is refused, with the
//! bytes sent kept (docs/decisions.md, "Codes sent as integers").

use d1_tracking::{Config, Outcome, Tracker};

#[test]
fn rejected_operations_keep_the_bytes_sent() {
    let usps = r#"{"operationId":"op-1","operation":"STANDALONE_TRACKING","status":"SUCCESSFUL",
        "startTime":"2026-03-02T09:00:00Z","cardId":"card-0001","details":{"trackingType":"SHIPMENT",
        "shipment":{"carrier":"usps","trackingNumber":9400111899223197428490,"status":"InTransit"}}}"#;
    let surrogate = r#"{"operationId":"op-2","operation":"STANDALONE_TRACKING","status":"DONE",
        "startTime":"2026-03-02T09:00:00Z","cardId":"card-0002","error":"\ud83d\ude00 7.50"}"#;
    let fine = r#"{"operationId":"op-3","operation":"STANDALONE_TRACKING","status":"PENDING",
        "startTime":"2026-03-02T09:00:00Z","cardId":"card-0003","details":{"trackingType":"PRODUCTION",
        "productionSite":{"load":0.75}}}"#;
    let body = format!("{{\"operations\": [ {usps} ,\n {surrogate}, {fine} ]}}");
    let mut tracker = Tracker::new(Config::default());
    let report = tracker.apply(body.as_bytes(), 0).expect("a body");
    let outcomes: Vec<Outcome> = report.operations.iter().map(|o| o.outcome).collect();
    assert_eq!(
        outcomes,
        [Outcome::Rejected, Outcome::Rejected, Outcome::Applied]
    );
    assert_eq!(report.operations[0].raw.as_deref(), Some(usps));
    assert_eq!(report.operations[1].raw.as_deref(), Some(surrogate));
    // Sent again as they were kept: the tracking number, alone in its body,
    // is read exactly and applies (what a dead letter's re-drive does); the
    // invalid status is refused again for the same reason.
    let again = |tracker: &mut Tracker, op: &d1_tracking::OperationReport| {
        let body = format!(
            "{{\"operations\":[{}]}}",
            op.raw.as_deref().unwrap_or_default()
        );
        tracker.apply(body.as_bytes(), 0).expect("a body")
    };
    let usps_again = again(&mut tracker, &report.operations[0]);
    assert_eq!(usps_again.operations[0].outcome, Outcome::Applied);
    let shown = tracker.card("card-0001").expect("applied");
    let shipment = shown
        .trackings
        .values()
        .next()
        .and_then(|t| t.shipment.clone());
    assert_eq!(
        shipment.and_then(|s| s.tracking_number).as_deref(),
        Some("9400111899223197428490")
    );
    let surrogate_again = again(&mut tracker, &report.operations[1]);
    let code = |e: &Option<d1_tracking::Error>| e.as_ref().map(d1_tracking::Error::code);
    assert_eq!(
        code(&surrogate_again.operations[0].error),
        code(&report.operations[1].error)
    );
    assert!(code(&report.operations[1].error).is_some());
}
