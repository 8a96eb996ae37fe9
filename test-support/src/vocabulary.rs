//! The values plausible D1 notifications are made of, chosen to exercise
//! the fold: two spellings of one instant, unknown business and carrier
//! statuses, carrier statuses in several spellings.

use serde_json::{json, Map, Value};

/// Kinds: the tracking types of `STANDALONE_TRACKING`, `PRODUCE` (a card
/// order), and `""` for a `STANDALONE_TRACKING` notification without a
/// tracking type (and, when nothing else is in it, without `details`).
pub const TRACKING_TYPES: [&str; 5] = ["PRODUCTION", "SHIPMENT", "RETURN", "PRODUCE", ""];
/// Operation statuses.
pub const OPERATION_STATUSES: [&str; 3] = ["PENDING", "SUCCESSFUL", "FAILED"];
/// `startTime`s; the first two and the fifth are one instant spelled three
/// ways (the fifth without offset: UTC); the last two start later
/// operations (a re-request, a re-shipment).
pub const START_TIMES: [&str; 7] = [
    "2026-03-02T09:00:00.000Z",
    "2026-03-02T10:00:00+01:00",
    "2026-03-02T09:00:00.500Z",
    "2026-03-01T23:00:00Z",
    "2026-03-02 09:00:00",
    "2026-03-07T10:00:00.000Z",
    "2026-03-10T08:00:00",
];
/// `endTime`s; groups spell one instant several ways (with `+0100`, `+01`,
/// no offset, a space).
pub const END_TIMES: [&str; 8] = [
    "2026-03-12T15:00:00Z",
    "2026-03-03T08:00:00.000Z",
    "2026-03-03T09:00:00+01:00",
    "2026-03-04T16:12:09.000Z",
    "2026-03-05T11:47:03Z",
    "2026-03-05T11:47:03.000Z",
    "2026-03-05T12:47:03+0100",
    "2026-03-03 08:00:00",
];
/// Business statuses, one of them unknown.
pub const BUSINESS_STATUSES: [&str; 9] = [
    "CARD_PROD_REQUESTED",
    "CARD_PROD_ONGOING",
    "CARD_PROD_DONE",
    "CARD_SHIPPED",
    "CARD_RETURNED",
    "DATA_EXCEPTION",
    "CARD_PROD_EXCEPTION",
    "CARD_PROD_CANCELED",
    "CARD_FROM_THE_FUTURE",
];
/// Carrier statuses, in AfterShip's spelling and others, one unknown.
pub const CARRIER_STATUSES: [&str; 12] = [
    "Pending",
    "InfoReceived",
    "InTransit",
    "IN_TRANSIT",
    "in transit",
    "Exception",
    "AttemptFail",
    "Expired",
    "OutForDelivery",
    "AvailableForPickup",
    "Delivered",
    "Teleported",
];
/// Carrier codes.
pub const CARRIERS: [&str; 3] = ["ups", "dhl", "la-poste-colissimo"];

/// `items[i]`, wrapping around.
pub fn pick<'a>(items: &[&'a str], i: u8) -> &'a str {
    items[usize::from(i) % items.len()]
}

/// A plausible notification as small choices, each an index into the
/// vocabulary (wrapping), so that any generator can fill it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Spec {
    /// Which of `cards` distinct cards.
    pub card: u8,
    /// Into [`TRACKING_TYPES`].
    pub tracking: u8,
    /// Which of three operation ids.
    pub op: u8,
    /// Into [`OPERATION_STATUSES`].
    pub status: u8,
    /// Into [`START_TIMES`].
    pub start: u8,
    /// Into [`END_TIMES`].
    pub end: Option<u8>,
    /// Into [`BUSINESS_STATUSES`].
    pub business: Option<u8>,
    /// The shipment, when there is one.
    pub shipment: Option<ShipmentSpec>,
    /// Whether `details.productionSite` is there.
    pub site: bool,
    /// `errorCode` (one of four).
    pub error_code: Option<u8>,
    /// `error` (one of two texts).
    pub error: Option<u8>,
    /// Whether an unknown top-level member is there.
    pub unknown_field: bool,
    /// What else D1 may send, as bits: 1 `details.reason`, 2
    /// `details.dueDate`, 4 `issuerRequestId` (top-level, or in `details`
    /// for PRODUCE), 8 an unknown `details` member, 16 `inputFileName`; 32
    /// and 64 choose among two values of each.
    pub more: u8,
}

/// `details.shipment` as choices.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ShipmentSpec {
    /// Into [`CARRIERS`].
    pub carrier: Option<u8>,
    /// One of two tracking numbers.
    pub tracking_number: Option<u8>,
    /// Into [`CARRIER_STATUSES`].
    pub status: Option<u8>,
    /// One of two display texts.
    pub message: Option<u8>,
    /// Whether an unknown shipment member is there.
    pub extra: bool,
}

impl ShipmentSpec {
    /// The shipment object.
    pub fn to_json(&self) -> Value {
        let mut m = Map::new();
        let mut put = |k: &str, v: Option<&str>| {
            if let Some(v) = v {
                m.insert(k.to_string(), Value::from(v));
            }
        };
        put("carrier", self.carrier.map(|i| pick(&CARRIERS, i)));
        put(
            "trackingNumber",
            self.tracking_number.map(|i| pick(&["1Z999", "JD0146"], i)),
        );
        put("status", self.status.map(|i| pick(&CARRIER_STATUSES, i)));
        put(
            "message",
            self.message
                .map(|i| pick(&["Departed facility", "Delivered"], i)),
        );
        if self.extra {
            m.insert("estimatedDelivery".into(), json!({"date": "2026-03-09"}));
        }
        Value::Object(m)
    }
}

impl Spec {
    /// The `STANDALONE_TRACKING` operation object, its card one of `cards`
    /// (`card-0`, `card-1`…).
    pub fn to_json(&self, cards: u8) -> Value {
        let kind = pick(&TRACKING_TYPES, self.tracking);
        let produce = kind == "PRODUCE";
        let mut details = Map::new();
        if !produce && !kind.is_empty() {
            details.insert("trackingType".into(), kind.into());
        }
        let bit = |b: u8| self.more & b != 0;
        let which = |a: &'static str, b: &'static str| if bit(32) { b } else { a };
        if bit(1) {
            details.insert(
                "reason".into(),
                which("address invalid", "chip fault").into(),
            );
        }
        if bit(2) {
            details.insert("dueDate".into(), which("2026-03-09", "2026-03-11").into());
        }
        if bit(8) {
            details.insert("batch".into(), json!({"n": u8::from(bit(64))}));
        }
        if let Some(b) = self.business {
            details.insert("status".into(), pick(&BUSINESS_STATUSES, b).into());
        }
        if let Some(s) = &self.shipment {
            details.insert("shipment".into(), s.to_json());
        }
        if self.site {
            details.insert("productionSite".into(), "FR-PARIS-01".into());
        }
        let mut op = Map::new();
        op.insert("operationId".into(), format!("op-{}", self.op % 3).into());
        op.insert(
            "operation".into(),
            if produce {
                "PRODUCE"
            } else {
                "STANDALONE_TRACKING"
            }
            .into(),
        );
        op.insert(
            "status".into(),
            pick(&OPERATION_STATUSES, self.status).into(),
        );
        op.insert("startTime".into(), pick(&START_TIMES, self.start).into());
        op.insert(
            "cardId".into(),
            format!("card-{}", self.card % cards.max(1)).into(),
        );
        if bit(4) {
            let id = Value::from(if bit(64) { "req-2" } else { "req-1" });
            if produce {
                details.insert("issuerRequestId".into(), id);
            } else {
                op.insert("issuerRequestId".into(), id);
            }
        }
        if bit(16) {
            op.insert(
                "inputFileName".into(),
                which("orders-1.csv", "orders-2.csv").into(),
            );
        }
        // An untyped notification with nothing in `details` comes without
        // it (D1's schema does not require it).
        if !details.is_empty() || !kind.is_empty() {
            op.insert("details".into(), Value::Object(details));
        }
        if let Some(e) = self.end {
            op.insert("endTime".into(), pick(&END_TIMES, e).into());
        }
        if let Some(c) = self.error_code {
            op.insert("errorCode".into(), format!("E{}", c % 4).into());
        }
        if let Some(e) = self.error {
            op.insert(
                "error".into(),
                pick(&["embossing", "carrier lost it"], e).into(),
            );
        }
        if self.unknown_field {
            op.insert("futureField".into(), json!([1, {"b": 2, "a": null}]));
        }
        Value::Object(op)
    }
}
