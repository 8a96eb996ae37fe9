//! A brute-force reading of the fold (README, "What the fold guarantees",
//! "The card view" and "The phase"), written independently of the crate's
//! incremental fold: sort every distinct notification, file it by kind and
//! operation, pick each field's winner, then the facts and the latest of
//! them. The tracker's views must equal it, whatever the order of arrival
//! and whatever the history bound.
#![allow(dead_code)]

use std::collections::{BTreeMap, BTreeSet};

use d1_tracking::{canonical_string, BusinessStatus, ShipmentPhase, Timestamp};
use serde_json::{json, Map, Value};

struct N {
    card: String,
    /// `PRODUCTION`, `SHIPMENT`, `RETURN`, `PRODUCE`, or `UNTYPED`.
    kind: String,
    op: String,
    status: String,
    key: (u8, Option<i128>, u8, u8, String),
    start: Timestamp,
    /// `endTime`, else `startTime`, in ns.
    instant: i128,
    end: Option<String>,
    biz: Option<(u8, String)>,
    ship: Option<Value>,
    v: Value,
}

fn status_rank(s: &str) -> u8 {
    match s {
        "PENDING" => 1,
        "SUCCESSFUL" => 2,
        _ => 3,
    }
}

/// A string member, `null` and (for codes) `""` being absent.
fn text(v: &Value, pointer: &str) -> Option<String> {
    v.pointer(pointer)
        .and_then(Value::as_str)
        .map(str::to_string)
}

fn code(v: &Value, pointer: &str) -> Option<String> {
    text(v, pointer).filter(|s| !s.is_empty())
}

fn read(v: &Value) -> N {
    let status = text(v, "/status").unwrap();
    let end = text(v, "/endTime");
    let biz = code(v, "/details/status").map(|b| (BusinessStatus::parse(&b).rank(), b));
    let ship = v
        .pointer("/details/shipment")
        .filter(|s| !s.is_null())
        .cloned();
    let ship_rank = ship
        .as_ref()
        .and_then(|sh| code(sh, "/status"))
        .map_or(0, |st| ShipmentPhase::classify(&st).rank());
    let kind = if text(v, "/operation").as_deref() == Some("PRODUCE") {
        "PRODUCE".to_string()
    } else {
        code(v, "/details/trackingType").unwrap_or_else(|| "UNTYPED".to_string())
    };
    let start = Timestamp::parse(&text(v, "/startTime").unwrap()).unwrap();
    let end_ns = end
        .as_deref()
        .map(|e| Timestamp::parse(e).unwrap().unix_nanos());
    N {
        card: text(v, "/cardId").unwrap(),
        kind,
        op: text(v, "/operationId").unwrap(),
        key: (
            status_rank(&status),
            end_ns,
            ship_rank,
            biz.as_ref().map_or(0, |b| b.0),
            canonical_string(v),
        ),
        status,
        instant: end_ns.unwrap_or(start.unix_nanos()),
        start,
        end,
        biz,
        ship,
        v: v.clone(),
    }
}

fn unknown(object: Option<&Value>, known: &[&str]) -> Map<String, Value> {
    object
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .filter(|(k, _)| !known.contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

fn shipment_phase(s: &Value) -> ShipmentPhase {
    code(s, "/status").map_or(ShipmentPhase::Unknown, |st| ShipmentPhase::classify(&st))
}

fn shipment_view(s: &Value) -> Value {
    let f = |k: &str| s.get(k).cloned().unwrap_or(Value::Null);
    let c = |k: &str| code(s, &format!("/{k}")).map_or(Value::Null, Value::from);
    let mut m = json!({
        "carrier": c("carrier"), "trackingNumber": c("trackingNumber"), "status": c("status"),
        "phase": shipment_phase(s).as_str(), "message": f("message"), "trackingUrl": c("trackingUrl"),
    });
    let extra = unknown(
        Some(s),
        &[
            "carrier",
            "trackingNumber",
            "status",
            "message",
            "trackingUrl",
        ],
    );
    if !extra.is_empty() {
        m["extra"] = Value::Object(extra);
    }
    m
}

/// One operation as the views see it: its notifications, sorted by key.
struct Op<'a> {
    kind: String,
    id: String,
    group: Vec<&'a N>,
    conflict_elsewhere: bool,
}

impl Op<'_> {
    fn last_with(&self, f: impl Fn(&N) -> bool) -> Option<&N> {
        self.group.iter().rev().find(|n| f(n)).copied()
    }

    fn biz(&self) -> Option<&N> {
        self.group
            .iter()
            .filter(|n| n.biz.is_some())
            .max_by(|a, b| {
                (a.biz.as_ref().unwrap().0, &a.key).cmp(&(b.biz.as_ref().unwrap().0, &b.key))
            })
            .copied()
    }

    fn start(&self) -> &Timestamp {
        &self
            .group
            .iter()
            .min_by(|a, b| (&a.start, &a.key).cmp(&(&b.start, &b.key)))
            .unwrap()
            .start
    }

    fn status(&self) -> &str {
        &self.group.last().unwrap().status
    }

    fn conflict(&self) -> bool {
        self.conflict_elsewhere
            || (self.last_with(|n| n.status == "FAILED").is_some()
                && self.last_with(|n| n.status == "SUCCESSFUL").is_some())
    }

    fn view(&self) -> Value {
        let failed = self.last_with(|n| n.status == "FAILED");
        let carrying = |f: &dyn Fn(&Value) -> Option<Value>| {
            self.last_with(|n| f(&n.v).is_some()).and_then(|n| f(&n.v))
        };
        let str_at = |p: &'static str| move |v: &Value| text(v, p).map(Value::from);
        let code_at = |p: &'static str| move |v: &Value| code(v, p).map(Value::from);
        let details_known = [
            "dueDate",
            "inputFileName",
            "issuerRequestId",
            "productionSite",
            "reason",
            "shipment",
            "status",
            "trackingType",
        ];
        let extra = carrying(&|v| {
            let m = unknown(v.get("details"), &details_known);
            (!m.is_empty()).then_some(Value::Object(m))
        });
        let mut view = json!({
            "operationId": self.id,
            "status": self.status(),
            "detailsStatus": self.biz().map(|n| n.biz.as_ref().unwrap().1.clone()),
            "productionSite": carrying(&|v| v.pointer("/details/productionSite").filter(|s| !s.is_null()).cloned()),
            "shipment": self.last_with(|n| n.ship.is_some()).map(|n| shipment_view(n.ship.as_ref().unwrap())),
            "startTime": self.start().as_str(),
            "endTime": carrying(&str_at("/endTime")),
            "errorCode": failed.and_then(|n| code(&n.v, "/errorCode")),
            "error": failed.and_then(|n| text(&n.v, "/error")),
            "issuerRequestId": carrying(&|v| code_at("/issuerRequestId")(v).or_else(|| code_at("/details/issuerRequestId")(v))),
            "reason": carrying(&str_at("/details/reason")),
            "dueDate": carrying(&str_at("/details/dueDate")),
            "inputFileName": carrying(&|v| str_at("/inputFileName")(v).or_else(|| str_at("/details/inputFileName")(v))),
            "conflict": self.conflict(),
        });
        if let Some(extra) = extra {
            view["extra"] = extra;
        }
        view
    }

    /// The facts of this operation: (instant, precedence, phase); the
    /// smaller precedence wins at equal instants.
    fn facts(&self) -> Vec<(i128, u8, &'static str)> {
        let mut out = Vec::new();
        if let Some(n) = self.last_with(|n| n.ship.is_some()) {
            let (rank, phase) = match shipment_phase(n.ship.as_ref().unwrap()).as_str() {
                "DELIVERED" => (0, "DELIVERED"),
                "EXCEPTION" | "ATTEMPT_FAIL" | "EXPIRED" => (1, "DELIVERY_EXCEPTION"),
                "AVAILABLE_FOR_PICKUP" => (2, "AVAILABLE_FOR_PICKUP"),
                "OUT_FOR_DELIVERY" => (3, "OUT_FOR_DELIVERY"),
                "IN_TRANSIT" => (4, "IN_TRANSIT"),
                _ => (5, "SHIPPED"),
            };
            out.push((n.instant, rank, phase));
        }
        if let Some(n) = self.biz() {
            let fact = match n.biz.as_ref().unwrap().1.as_str() {
                "CARD_RETURNED" => Some((6, "RETURNED")),
                "CARD_PROD_CANCELED" => Some((7, "CANCELED")),
                "DATA_EXCEPTION" | "CARD_PROD_EXCEPTION" => Some((8, "PRODUCTION_EXCEPTION")),
                "CARD_SHIPPED" => Some((9, "SHIPPED")),
                "CARD_PROD_DONE" => Some((10, "PRODUCED")),
                "CARD_PROD_REQUESTED"
                | "DATA_PREPARED"
                | "CARD_PROD_READY"
                | "CARD_PROD_ONGOING" => Some((11, "IN_PRODUCTION")),
                _ => None,
            };
            if let Some((rank, phase)) = fact {
                out.push((n.instant, rank, phase));
            }
        } else if let Some(n) = self.last_with(|n| n.status == "SUCCESSFUL") {
            match self.kind.as_str() {
                "RETURN" => out.push((n.instant, 12, "RETURNED")),
                "PRODUCTION" => out.push((n.instant, 13, "PRODUCED")),
                _ => {}
            }
        }
        out
    }
}

const TRACKED: [&str; 3] = ["PRODUCTION", "SHIPMENT", "RETURN"];
const KINDS: [&str; 5] = ["PRODUCTION", "SHIPMENT", "RETURN", "PRODUCE", "UNTYPED"];

/// Expected view of every card (without `notifications`), by card id, for
/// `notifications` and the request records (card id, tracking type).
pub fn expected_cards(
    notifications: &[Value],
    requests: &BTreeSet<(String, String)>,
) -> BTreeMap<String, Value> {
    let mut seen = BTreeSet::new();
    let distinct: Vec<N> = notifications
        .iter()
        .filter(|v| seen.insert(canonical_string(v)))
        .map(read)
        .collect();
    let mut cards: BTreeSet<String> = distinct.iter().map(|n| n.card.clone()).collect();
    cards.extend(requests.iter().map(|(c, _)| c.clone()));
    let mut out = BTreeMap::new();
    for card in cards {
        let mine: Vec<&N> = distinct.iter().filter(|n| n.card == card).collect();
        let filed: BTreeSet<(String, String)> = mine
            .iter()
            .map(|n| (n.kind.clone(), n.op.clone()))
            .collect();
        let mut ops: Vec<Op> = Vec::new();
        for (kind, id) in &filed {
            let tracked = TRACKED.contains(&kind.as_str());
            let claimed = filed
                .iter()
                .any(|(k, i)| i == id && TRACKED.contains(&k.as_str()));
            if kind == "UNTYPED" && claimed {
                continue;
            }
            let mut group: Vec<&N> = mine
                .iter()
                .filter(|n| n.op == *id && (n.kind == *kind || (tracked && n.kind == "UNTYPED")))
                .copied()
                .collect();
            group.sort_by(|a, b| a.key.cmp(&b.key));
            let conflict_elsewhere = kind != "UNTYPED"
                && filed
                    .iter()
                    .any(|(k, i)| i == id && k != kind && k != "UNTYPED");
            ops.push(Op {
                kind: kind.clone(),
                id: id.clone(),
                group,
                conflict_elsewhere,
            });
        }
        let mut trackings = Map::new();
        let mut alerts = Vec::new();
        for kind in KINDS {
            let Some(current) = ops
                .iter()
                .filter(|o| o.kind == kind)
                .max_by(|a, b| (a.start(), &a.id).cmp(&(b.start(), &b.id)))
            else {
                continue;
            };
            let view = current.view();
            let alert = |code: &str, with_error: bool| {
                let e = |k: &str| {
                    if with_error {
                        view[k].clone()
                    } else {
                        Value::Null
                    }
                };
                json!({"trackingType": kind, "code": code, "operationId": current.id,
                       "errorCode": e("errorCode"), "error": e("error")})
            };
            if current.status() == "FAILED" {
                alerts.push((kind, 0, alert("OPERATION_FAILED", true)));
            }
            if current.conflict() {
                alerts.push((kind, 1, alert("CONFLICT", false)));
            }
            if kind == "UNTYPED" {
                alerts.push((kind, 2, alert("UNTYPED_OPERATION", false)));
            }
            trackings.insert(kind.to_string(), view);
        }
        let kind_order = |k: &str| KINDS.iter().position(|x| *x == k).unwrap();
        alerts.sort_by_key(|a| (kind_order(a.0), a.1));
        let latest = ops
            .iter()
            .flat_map(|o| o.facts())
            .max_by(|a, b| (a.0, std::cmp::Reverse(a.1)).cmp(&(b.0, std::cmp::Reverse(b.1))));
        let phase = match latest {
            Some((_, _, phase)) => phase,
            None if ops.iter().any(|o| o.status() == "FAILED") => "FAILED",
            None if !ops.is_empty() => "TRACKING",
            None => "TRACKING_REQUESTED",
        };
        out.insert(
            card.clone(),
            json!({
                "cardId": card,
                "trackings": trackings,
                "phase": phase,
                "alerts": alerts.into_iter().map(|a| a.2).collect::<Vec<_>>(),
            }),
        );
    }
    out
}

/// Expected `trackings`, phase and alerts of every card, without requests.
pub fn expected_trackings(notifications: &[Value]) -> BTreeMap<String, Value> {
    expected_cards(notifications, &BTreeSet::new())
}

/// The tracker's card views, without `notifications`.
pub fn actual_cards(tracker: &d1_tracking::Tracker) -> BTreeMap<String, Value> {
    tracker
        .cards()
        .map(|card| {
            let mut v = serde_json::to_value(&card).unwrap();
            for (_, t) in v["trackings"].as_object_mut().unwrap().iter_mut() {
                t.as_object_mut().unwrap().remove("notifications");
            }
            (card.card_id, v)
        })
        .collect()
}

/// The tracker's views, as [`expected_trackings`] gives them.
pub fn actual_trackings(tracker: &d1_tracking::Tracker) -> BTreeMap<String, Value> {
    actual_cards(tracker)
}
