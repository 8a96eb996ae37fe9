//! Generators shared by the property tests: plausible D1 notifications,
//! rendered with any key order and spacing.
#![allow(dead_code)]

use proptest::prelude::*;
use serde_json::{json, Map, Value};

/// Cases per property: `PROPTEST_CASES` when set, else 2,000.
pub fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(2_000)
}

const START_TIMES: [&str; 4] = [
    "2026-03-02T09:00:00.000Z",
    // The same instant, spelled another way: ordered by text after instant.
    "2026-03-02T10:00:00+01:00",
    "2026-03-02T09:00:00.500Z",
    "2026-03-01T23:00:00Z",
];
const END_TIMES: [&str; 5] = [
    "2026-03-03T08:00:00.000Z",
    "2026-03-03T09:00:00+01:00",
    "2026-03-04T16:12:09.000Z",
    "2026-03-05T11:47:03Z",
    "2026-03-05T11:47:03.000Z",
];
const BUSINESS: [&str; 8] = [
    "CARD_PROD_REQUESTED",
    "CARD_PROD_DONE",
    "CARD_SHIPPED",
    "CARD_RETURNED",
    "DATA_EXCEPTION",
    "CARD_PROD_EXCEPTION",
    "CARD_PROD_CANCELED",
    "CARD_FROM_THE_FUTURE",
];
const SHIPMENT_STATUSES: [&str; 12] = [
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

fn pick<T: Clone + std::fmt::Debug + 'static>(items: &'static [T]) -> impl Strategy<Value = T> {
    proptest::sample::select(items)
}

fn shipment() -> impl Strategy<Value = Value> {
    (
        proptest::option::of(pick(&["ups", "dhl", "la-poste-colissimo"])),
        proptest::option::of(pick(&["1Z999", "JD0146"])),
        proptest::option::of(pick(&SHIPMENT_STATUSES)),
        proptest::option::of(pick(&["Departed facility", "Delivered"])),
        any::<bool>(),
    )
        .prop_map(|(carrier, number, status, message, extra)| {
            let mut m = Map::new();
            let mut put = |k: &str, v: Option<&str>| {
                if let Some(v) = v {
                    m.insert(k.to_string(), Value::from(v));
                }
            };
            put("carrier", carrier);
            put("trackingNumber", number);
            put("status", status);
            put("message", message);
            if extra {
                m.insert("estimatedDelivery".into(), json!({"date": "2026-03-09"}));
            }
            Value::Object(m)
        })
}

/// One plausible `STANDALONE_TRACKING` operation object.
pub fn notification() -> impl Strategy<Value = Value> {
    (
        (
            pick(&["card-a", "card-b"]),
            pick(&["PRODUCTION", "SHIPMENT", "RETURN"]),
            pick(&["op-1", "op-2", "op-3"]),
            pick(&["PENDING", "SUCCESSFUL", "FAILED"]),
            pick(&START_TIMES),
            proptest::option::of(pick(&END_TIMES)),
        ),
        (
            proptest::option::of(pick(&BUSINESS)),
            proptest::option::of(shipment()),
            proptest::option::of(pick(&["FR-PARIS-01", "DE-BERLIN-02"])),
            proptest::option::of(pick(&["E1", "E2"])),
            proptest::option::of(pick(&["embossing", "carrier lost it"])),
            any::<bool>(),
        ),
    )
        .prop_map(
            |((card, tracking, op, status, start, end), (biz, ship, site, code, error, future))| {
                let mut details = Map::new();
                details.insert("trackingType".into(), tracking.into());
                if let Some(b) = biz {
                    details.insert("status".into(), b.into());
                }
                if let Some(s) = ship {
                    details.insert("shipment".into(), s);
                }
                if let Some(s) = site {
                    details.insert("productionSite".into(), s.into());
                }
                let mut op_obj = Map::new();
                op_obj.insert("operationId".into(), op.into());
                op_obj.insert("operation".into(), "STANDALONE_TRACKING".into());
                op_obj.insert("status".into(), status.into());
                op_obj.insert("startTime".into(), start.into());
                op_obj.insert("cardId".into(), card.into());
                op_obj.insert("details".into(), Value::Object(details));
                if let Some(e) = end {
                    op_obj.insert("endTime".into(), e.into());
                }
                if let Some(c) = code {
                    op_obj.insert("errorCode".into(), c.into());
                }
                if let Some(e) = error {
                    op_obj.insert("error".into(), e.into());
                }
                if future {
                    op_obj.insert("futureField".into(), json!([1, {"b": 2, "a": null}]));
                }
                Value::Object(op_obj)
            },
        )
}

/// A delivery: the notification and a seed for how it is spelled on the wire.
pub type Delivery = (Value, u64);

/// Distinct-ish notifications, each delivered one to three times, each time
/// spelled differently.
pub fn deliveries(max_distinct: usize) -> impl Strategy<Value = Vec<Delivery>> {
    proptest::collection::vec((notification(), 1usize..=3, any::<u64>()), 1..=max_distinct)
        .prop_map(|items| {
            items
                .into_iter()
                .flat_map(|(n, times, seed)| {
                    (0..times as u64).map(move |k| (n.clone(), seed.wrapping_add(k)))
                })
                .collect()
        })
}

/// A tiny deterministic generator: the seed came from proptest.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

/// Writes `value` with keys in a seed-chosen order and random spacing.
pub fn render(value: &Value, seed: u64) -> String {
    let mut rng = SplitMix(seed);
    let mut out = String::new();
    write(value, &mut rng, &mut out);
    out
}

fn space(rng: &mut SplitMix, out: &mut String) {
    for _ in 0..(rng.next() % 3) {
        out.push(if rng.next() % 2 == 0 { ' ' } else { '\n' });
    }
}

fn write(value: &Value, rng: &mut SplitMix, out: &mut String) {
    space(rng, out);
    match value {
        Value::Object(map) => {
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            for i in (1..entries.len()).rev() {
                let j = (rng.next() % (i as u64 + 1)) as usize;
                entries.swap(i, j);
            }
            out.push('{');
            for (i, (k, v)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                space(rng, out);
                out.push_str(&serde_json::to_string(k).unwrap());
                space(rng, out);
                out.push(':');
                write(v, rng, out);
            }
            space(rng, out);
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, v) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write(v, rng, out);
            }
            out.push(']');
        }
        other => out.push_str(&other.to_string()),
    }
    space(rng, out);
}

/// A body holding these deliveries, each spelled by its seed.
pub fn body(batch: &[Delivery]) -> String {
    let ops: Vec<String> = batch.iter().map(|(v, seed)| render(v, *seed)).collect();
    format!("{{\"operations\":[{}]}}", ops.join(","))
}

/// Splits `items` into consecutive batches whose sizes come from `cuts`.
pub fn batches<T: Clone>(items: &[T], cuts: &[usize]) -> Vec<Vec<T>> {
    let mut out = Vec::new();
    let mut rest = items;
    let mut i = 0;
    while !rest.is_empty() {
        let n = cuts.get(i).copied().unwrap_or(1).clamp(1, rest.len());
        out.push(rest[..n].to_vec());
        rest = &rest[n..];
        i += 1;
    }
    out
}
