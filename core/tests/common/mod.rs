//! Generators shared by the property tests: plausible D1 notifications,
//! rendered with any key order and spacing.
#![allow(dead_code)]

pub use d1_tracking_test_support::vocabulary::{ShipmentSpec, Spec};
use proptest::prelude::*;
use serde_json::Value;

/// Cases per property: `PROPTEST_CASES` when set, else 2,000.
pub fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(2_000)
}

/// A plausible `details.shipment`, as choices of the shared vocabulary.
fn shipment() -> impl Strategy<Value = ShipmentSpec> {
    let choice = || proptest::option::of(any::<u8>());
    (choice(), choice(), choice(), choice(), any::<bool>()).prop_map(
        |(carrier, tracking_number, status, message, extra)| ShipmentSpec {
            carrier,
            tracking_number,
            status,
            message,
            extra,
        },
    )
}

/// One plausible operation object (`STANDALONE_TRACKING` with or without a
/// tracking type, or `PRODUCE`), for two cards.
pub fn notification() -> impl Strategy<Value = Value> {
    let choice = || proptest::option::of(any::<u8>());
    (
        (
            any::<u8>(),
            any::<u8>(),
            any::<u8>(),
            any::<u8>(),
            any::<u8>(),
        ),
        (choice(), choice(), proptest::option::of(shipment())),
        (
            any::<bool>(),
            choice(),
            choice(),
            any::<bool>(),
            any::<u8>(),
        ),
    )
        .prop_map(
            |(
                (card, tracking, op, status, start),
                (end, business, shipment),
                (site, error_code, error, unknown_field, more),
            )| {
                Spec {
                    card,
                    tracking,
                    op,
                    status,
                    start,
                    end,
                    business,
                    shipment,
                    site,
                    error_code,
                    error,
                    unknown_field,
                    more,
                }
                .to_json(2)
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
