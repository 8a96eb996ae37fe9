//! Deterministic workloads: single bodies of each kind, bulk bodies, and a
//! realistic stream (typical cards, 20 % duplicates, shuffled). Bodies are
//! written with their members in D1's documented order, not sorted.

use serde_json::{json, Value};

/// The body kinds the benches measure one by one.
pub const KINDS: [&str; 5] = [
    "production",
    "shipment_first",
    "shipment_update",
    "return",
    "failed",
];

/// A small deterministic generator (SplitMix64).
pub struct Rng(u64);

impl Rng {
    /// Seeded.
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    /// The next number.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Fisher–Yates.
    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = (self.next_u64() % (i as u64 + 1)) as usize;
            items.swap(i, j);
        }
    }
}

fn card(i: usize) -> String {
    format!("card-{i:07}")
}

fn time(day: u32, minute: u32) -> String {
    format!(
        "2026-03-{:02}T{:02}:{:02}:00.000Z",
        day,
        minute / 60 % 24,
        minute % 60
    )
}

const SHIPMENT_STATUSES: [&str; 4] = ["InfoReceived", "InTransit", "OutForDelivery", "Delivered"];

/// One operation object of `kind` for card `i`; `update` picks which shipment
/// update (0 to 3).
pub fn operation(kind: &str, i: usize, update: usize) -> Value {
    let base = |op: String, status: &str, tracking: &str| {
        json!({"operationId": op, "operation": "STANDALONE_TRACKING", "status": status,
               "startTime": time(2, 9 * 60), "cardId": card(i), "details": {"trackingType": tracking}})
    };
    match kind {
        "production" => {
            let mut o = base(
                format!("prod-{i:07}-4a51-9e0f-2a7c1f"),
                "SUCCESSFUL",
                "PRODUCTION",
            );
            o["endTime"] = json!(time(2, 16 * 60 + 40));
            o["details"]["status"] = json!("CARD_SHIPPED");
            o["details"]["productionSite"] = json!("FR-PARIS-01");
            o
        }
        "shipment_first" => base(
            format!("ship-{i:07}-4f7e-9a55-0d1e2f"),
            "PENDING",
            "SHIPMENT",
        ),
        "shipment_update" => {
            let mut o = base(
                format!("ship-{i:07}-4f7e-9a55-0d1e2f"),
                "SUCCESSFUL",
                "SHIPMENT",
            );
            o["endTime"] = json!(time(3 + update as u32, 8 * 60 + update as u32 * 7));
            o["details"]["status"] = json!("CARD_SHIPPED");
            o["details"]["shipment"] = json!({
                "carrier": "ups", "trackingNumber": format!("1Z999AA1{i:010}"),
                "status": SHIPMENT_STATUSES[update % 4], "message": format!("Update {update} from the carrier"),
                "trackingUrl": format!("https://carrier.example/track/1Z999AA1{i:010}"),
            });
            o
        }
        "return" => {
            let mut o = base(
                format!("ret-{i:07}-4c22-9d4e-6f7a8b"),
                "SUCCESSFUL",
                "RETURN",
            );
            o["endTime"] = json!(time(9, 9 * 60));
            o["details"]["status"] = json!("CARD_RETURNED");
            o
        }
        _ => {
            let mut o = base(
                format!("prod-{i:07}-4a51-9e0f-2a7c1f"),
                "FAILED",
                "PRODUCTION",
            );
            o["endTime"] = json!(time(2, 12 * 60));
            o["details"]["status"] = json!("CARD_PROD_EXCEPTION");
            o["errorCode"] = json!("EMBOSSING_FAILURE");
            o["error"] = json!("The embossing machine rejected the card body");
            o
        }
    }
}

/// A body holding these operations, members in the order of D1's
/// documentation example (`operationId`, `operation`, `status`, …), as a
/// webhook body would come: not sorted, so the benches pay for the sorting
/// the canonical form needs.
pub fn body(ops: Vec<Value>) -> Vec<u8> {
    let mut out = String::from("{\"operations\":[");
    for (i, op) in ops.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        write_in_order(op, Level::Operation, &mut out);
    }
    out.push_str("]}");
    out.into_bytes()
}

/// Which object of a notification is being written.
#[derive(Clone, Copy)]
enum Level {
    Operation,
    Details,
    Shipment,
    Other,
}

/// Member order per object, as D1's documentation lists the fields; members
/// not listed follow in key order.
fn member_order(level: Level) -> &'static [&'static str] {
    match level {
        Level::Operation => &[
            "operationId",
            "operation",
            "status",
            "startTime",
            "endTime",
            "cardId",
            "details",
            "errorCode",
            "error",
            "issuerRequestId",
        ],
        Level::Details => &["trackingType", "productionSite", "status", "shipment"],
        Level::Shipment => &[
            "carrier",
            "trackingNumber",
            "status",
            "message",
            "trackingUrl",
        ],
        Level::Other => &[],
    }
}

fn write_in_order(value: &Value, level: Level, out: &mut String) {
    let Value::Object(map) = value else {
        out.push_str(&value.to_string());
        return;
    };
    let order = member_order(level);
    let mut keys: Vec<&String> = map.keys().collect();
    keys.sort_by_key(|k| order.iter().position(|o| o == k).unwrap_or(order.len()));
    out.push('{');
    for (i, key) in keys.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&Value::from(key.as_str()).to_string());
        out.push(':');
        let inner = match (level, key.as_str()) {
            (Level::Operation, "details") => Level::Details,
            (Level::Details, "shipment") => Level::Shipment,
            _ => Level::Other,
        };
        write_in_order(&map[key], inner, out);
    }
    out.push('}');
}

/// `n` single bodies of `kind`, for cards 0..n.
pub fn singles(kind: &str, n: usize) -> Vec<Vec<u8>> {
    (0..n)
        .map(|i| body(vec![operation(kind, i, i % 4)]))
        .collect()
}

/// The notifications of a typical card: production, then a shipment PENDING
/// and four updates.
pub fn typical_card(i: usize) -> Vec<Value> {
    let mut ops = vec![
        operation("production", i, 0),
        operation("shipment_first", i, 0),
    ];
    ops.extend((0..4).map(|u| operation("shipment_update", i, u)));
    ops
}

/// `n` bulk bodies of 100 operations each (typical-card notifications of
/// consecutive cards).
pub fn bulk(n: usize) -> Vec<Vec<u8>> {
    let ops: Vec<Value> = (0..(n * 100).div_ceil(6))
        .flat_map(typical_card)
        .take(n * 100)
        .collect();
    ops.chunks(100).map(|c| body(c.to_vec())).collect()
}

/// The realistic stream for `cards` typical cards: every notification as its
/// own body, 20 % of them delivered twice, all shuffled.
pub fn stream(cards: usize, seed: u64) -> Vec<Vec<u8>> {
    let mut rng = Rng::new(seed);
    let mut bodies: Vec<Vec<u8>> = (0..cards)
        .flat_map(typical_card)
        .map(|o| body(vec![o]))
        .collect();
    let duplicates: Vec<Vec<u8>> = (0..bodies.len() / 5)
        .map(|_| bodies[(rng.next_u64() % bodies.len() as u64) as usize].clone())
        .collect();
    bodies.extend(duplicates);
    rng.shuffle(&mut bodies);
    bodies
}
