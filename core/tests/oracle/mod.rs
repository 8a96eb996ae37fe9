//! A brute-force reading of the fold (README, "What the fold guarantees" and
//! "The card view"), written independently of the
//! crate's incremental fold: sort every distinct notification, pick each
//! field's winner. The tracker's views must equal it, whatever the order of
//! arrival and whatever the history bound.
#![allow(dead_code)]

use std::collections::{BTreeMap, BTreeSet};

use d1_tracking::{canonical_string, BusinessStatus, ShipmentPhase, Timestamp};
use serde_json::{json, Map, Value};

struct N {
    card: String,
    tracking: String,
    op: String,
    status: String,
    key: (u8, Option<i128>, u8, u8, String),
    start: Timestamp,
    end: Option<String>,
    biz: Option<(u8, String)>,
    ship: Option<Value>,
    site: Option<Value>,
    error_code: Option<Value>,
    error: Option<Value>,
}

fn status_rank(s: &str) -> u8 {
    match s {
        "PENDING" => 1,
        "SUCCESSFUL" => 2,
        _ => 3,
    }
}

fn read(v: &Value) -> N {
    let s = |p: &str| v.pointer(p).and_then(Value::as_str).map(str::to_string);
    let status = s("/status").unwrap();
    let end = s("/endTime");
    let biz = s("/details/status").map(|b| (BusinessStatus::parse(&b).rank(), b));
    let ship = v.pointer("/details/shipment").cloned();
    let ship_rank = ship
        .as_ref()
        .and_then(|sh| sh.get("status"))
        .and_then(Value::as_str)
        .map_or(0, |st| ShipmentPhase::classify(st).rank());
    N {
        card: s("/cardId").unwrap(),
        tracking: s("/details/trackingType").unwrap(),
        op: s("/operationId").unwrap(),
        key: (
            status_rank(&status),
            end.as_deref()
                .map(|e| Timestamp::parse(e).unwrap().unix_nanos()),
            ship_rank,
            biz.as_ref().map_or(0, |b| b.0),
            canonical_string(v),
        ),
        status,
        start: Timestamp::parse(&s("/startTime").unwrap()).unwrap(),
        end,
        biz,
        ship,
        site: v.pointer("/details/productionSite").cloned(),
        error_code: v.get("errorCode").cloned(),
        error: v.get("error").cloned(),
    }
}

fn shipment_view(s: &Value) -> Value {
    let f = |k: &str| s.get(k).cloned().unwrap_or(Value::Null);
    let phase = s
        .get("status")
        .and_then(Value::as_str)
        .map_or(ShipmentPhase::Unknown, ShipmentPhase::classify);
    let mut m = json!({
        "carrier": f("carrier"), "trackingNumber": f("trackingNumber"), "status": f("status"),
        "phase": phase.as_str(), "message": f("message"), "trackingUrl": f("trackingUrl"),
    });
    let known = [
        "carrier",
        "trackingNumber",
        "status",
        "message",
        "trackingUrl",
    ];
    let extra: Map<String, Value> = s
        .as_object()
        .into_iter()
        .flatten()
        .filter(|(k, _)| !known.contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    if !extra.is_empty() {
        m["extra"] = Value::Object(extra);
    }
    m
}

fn view(group: &mut [&N], conflict_elsewhere: bool) -> Value {
    group.sort_by(|a, b| a.key.cmp(&b.key));
    let top = group.last().unwrap();
    let last_with = |f: &dyn Fn(&N) -> bool| group.iter().rev().find(|n| f(n)).copied();
    let biz = group
        .iter()
        .filter(|n| n.biz.is_some())
        .max_by(|a, b| {
            (a.biz.as_ref().unwrap().0, &a.key).cmp(&(b.biz.as_ref().unwrap().0, &b.key))
        })
        .and_then(|n| n.biz.as_ref())
        .map(|b| b.1.clone());
    let failed = last_with(&|n| n.status == "FAILED");
    let succeeded = last_with(&|n| n.status == "SUCCESSFUL");
    let start = group
        .iter()
        .min_by(|a, b| (&a.start, &a.key).cmp(&(&b.start, &b.key)))
        .unwrap();
    json!({
        "operationId": top.op,
        "status": top.status,
        "detailsStatus": biz,
        "productionSite": last_with(&|n| n.site.is_some()).and_then(|n| n.site.clone()),
        "shipment": last_with(&|n| n.ship.is_some()).and_then(|n| n.ship.as_ref()).map(shipment_view),
        "startTime": start.start.as_str(),
        "endTime": last_with(&|n| n.end.is_some()).and_then(|n| n.end.clone()),
        "errorCode": failed.and_then(|n| n.error_code.clone()),
        "error": failed.and_then(|n| n.error.clone()),
        "conflict": conflict_elsewhere || (failed.is_some() && succeeded.is_some()),
    })
}

/// Expected `trackings` of every card (without `notifications`), by card id.
pub fn expected_trackings(notifications: &[Value]) -> BTreeMap<String, Value> {
    let mut seen = BTreeSet::new();
    let distinct: Vec<N> = notifications
        .iter()
        .filter(|v| seen.insert(canonical_string(v)))
        .map(read)
        .collect();
    let mut groups: BTreeMap<(String, String, String), Vec<&N>> = BTreeMap::new();
    for n in &distinct {
        groups
            .entry((n.card.clone(), n.tracking.clone(), n.op.clone()))
            .or_default()
            .push(n);
    }
    let mut out: BTreeMap<String, Map<String, Value>> = BTreeMap::new();
    let keys: Vec<_> = groups.keys().cloned().collect();
    for card in keys.iter().map(|k| k.0.clone()).collect::<BTreeSet<_>>() {
        let mut trackings = Map::new();
        for tracking in ["PRODUCTION", "SHIPMENT", "RETURN"] {
            // Current operation: greatest (earliest start of the operation, id).
            let current = groups
                .iter()
                .filter(|((c, t, _), _)| *c == card && t == tracking)
                .max_by(|((_, _, ida), a), ((_, _, idb), b)| {
                    let sa = a.iter().map(|n| &n.start).min().unwrap();
                    let sb = b.iter().map(|n| &n.start).min().unwrap();
                    (sa, ida).cmp(&(sb, idb))
                })
                .map(|(k, _)| k.clone());
            let Some(key) = current else { continue };
            let elsewhere = keys
                .iter()
                .any(|(c, t, id)| *c == card && t != tracking && *id == key.2);
            let group = groups.get_mut(&key).unwrap();
            trackings.insert(tracking.to_string(), view(group, elsewhere));
        }
        out.entry(card).or_default().extend(trackings);
    }
    out.into_iter()
        .map(|(k, v)| (k, Value::Object(v)))
        .collect()
}

/// The tracker's `trackings` of every card, without `notifications`.
pub fn actual_trackings(tracker: &d1_tracking::Tracker) -> BTreeMap<String, Value> {
    tracker
        .cards()
        .map(|card| {
            let mut t = serde_json::to_value(&card.trackings).unwrap();
            for (_, v) in t.as_object_mut().unwrap().iter_mut() {
                v.as_object_mut().unwrap().remove("notifications");
            }
            (card.card_id, t)
        })
        .collect()
}
