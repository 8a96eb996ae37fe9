//! A brute-force reading of the fold, v3 (README, "What the fold
//! guarantees", "The card view", "The shipment", "Phase"; the choices in
//! docs/decisions.md, "The phase is the stage of the latest cycle"), written
//! independently of the crate's incremental fold: keep every distinct
//! notification, file it by kind and operation, pick each field's winner by
//! sorting, then derive the facts, the cuts, the cycles and the phase from
//! scratch. The tracker's views must equal it, whatever the order of arrival
//! and whatever the history bound.
//!
//! It has its own tables (business ranks, carrier words) and its own
//! parcels, carrier order and cycles; from the crate it only uses
//! [`Timestamp`] (parsing instants) and [`canonical_string`].
#![allow(dead_code)]

use std::collections::{BTreeMap, BTreeSet};

use d1_tracking::{canonical_string, Timestamp};
use serde_json::{json, Map, Value};

// ---------------------------------------------------------------------------
// Tables
// ---------------------------------------------------------------------------

/// Business statuses in lifecycle order (2.3, v3); anything else ranks 0.
const BUSINESS: [(&str, u8); 10] = [
    ("CARD_PROD_REQUESTED", 1),
    ("DATA_EXCEPTION", 2),
    ("DATA_PREPARED", 3),
    ("CARD_PROD_READY", 4),
    ("CARD_PROD_ONGOING", 5),
    ("CARD_PROD_EXCEPTION", 6),
    ("CARD_PROD_DONE", 7),
    ("CARD_SHIPPED", 8),
    ("CARD_RETURNED", 9),
    ("CARD_PROD_CANCELED", 10),
];

/// A business step's rank when a SUCCESSFUL PRODUCTION names no known status.
const PRODUCED: u8 = 7;
/// A business step's rank for a shipment object without a recognised status.
const SHIPPED: u8 = 8;

fn business_rank(word: &str) -> u8 {
    BUSINESS
        .iter()
        .find(|(w, _)| *w == word)
        .map_or(0, |(_, r)| *r)
}

/// Carrier words, normalised (lower case, without spaces, `_` and `-`):
/// (word, stage, the shipment view's `phase` spelling).
const WORDS: [(&str, u8, &str); 24] = [
    ("pending", 1, "PENDING"),
    ("inforeceived", 2, "INFO_RECEIVED"),
    ("pretransit", 2, "INFO_RECEIVED"),
    ("intransit", 3, "IN_TRANSIT"),
    ("transit", 3, "IN_TRANSIT"),
    ("exception", 4, "EXCEPTION"),
    ("attemptfail", 4, "ATTEMPT_FAIL"),
    ("expired", 4, "EXPIRED"),
    ("failure", 4, "EXCEPTION"),
    ("cancelled", 4, "EXCEPTION"),
    ("error", 4, "EXCEPTION"),
    ("failedattempt", 4, "ATTEMPT_FAIL"),
    // A failed attempt's spelling (README, "Assumptions").
    ("deliveryfailure", 4, "ATTEMPT_FAIL"),
    ("deliveryattempted", 4, "ATTEMPT_FAIL"),
    ("attemptfailed", 4, "ATTEMPT_FAIL"),
    ("outfordelivery", 5, "OUT_FOR_DELIVERY"),
    ("availableforpickup", 6, "AVAILABLE_FOR_PICKUP"),
    ("delivered", 7, "DELIVERED"),
    ("returntosender", 8, "RETURN_TO_SENDER"),
    ("returned", 8, "RETURN_TO_SENDER"),
    ("returnedtosender", 8, "RETURN_TO_SENDER"),
    ("returntoshipper", 8, "RETURN_TO_SENDER"),
    // AfterShip's subtags "returning to sender", "returned to sender"
    // (README, "Assumptions": they say more than their tag).
    ("exception010", 8, "RETURN_TO_SENDER"),
    ("exception011", 8, "RETURN_TO_SENDER"),
];

/// AfterShip's tags (normalised): `Tag_NNN` is a subtag of one of these.
const AFTERSHIP_TAGS: [&str; 9] = [
    "pending",
    "inforeceived",
    "intransit",
    "outfordelivery",
    "attemptfail",
    "availableforpickup",
    "delivered",
    "exception",
    "expired",
];

const DELIVERED: u8 = 7;
const RETURN_TO_SENDER: u8 = 8;

fn normalise(word: &str) -> String {
    word.chars()
        .filter(|c| !matches!(c, ' ' | '_' | '-'))
        .flat_map(char::to_lowercase)
        .collect()
}

fn lookup(normalised: &str) -> Option<(u8, &'static str)> {
    WORDS
        .iter()
        .find(|(w, _, _)| *w == normalised)
        .map(|(_, s, p)| (*s, *p))
}

/// The stage and view spelling of a carrier word; `None` when unrecognised.
/// A subtag (`Delivered_001`) is looked at only when the whole word is none.
fn carrier_word(raw: &str) -> Option<(u8, &'static str)> {
    lookup(&normalise(raw)).or_else(|| {
        let (tag, sub) = raw.rsplit_once('_')?;
        let tag = normalise(tag);
        (!sub.is_empty()
            && sub.bytes().all(|b| b.is_ascii_digit())
            && AFTERSHIP_TAGS.contains(&tag.as_str()))
        .then(|| lookup(&tag))
        .flatten()
    })
}

/// The card phase a carrier stage gives (2.7.1 step 3).
fn stage_phase(stage: u8) -> &'static str {
    match stage {
        1 | 2 => "SHIPPED",
        3 => "IN_TRANSIT",
        4 => "DELIVERY_EXCEPTION",
        5 => "OUT_FOR_DELIVERY",
        6 => "AVAILABLE_FOR_PICKUP",
        7 => "DELIVERED",
        _ => "RETURNING",
    }
}

/// The card phase a business step gives (2.7.1 step 3).
fn step_phase(rank: u8) -> &'static str {
    match rank {
        1 | 3 | 4 | 5 => "IN_PRODUCTION",
        2 | 6 => "PRODUCTION_EXCEPTION",
        7 => "PRODUCED",
        _ => "SHIPPED",
    }
}

fn status_rank(s: &str) -> u8 {
    match s {
        "PENDING" => 1,
        "SUCCESSFUL" => 2,
        _ => 3,
    }
}

const TRACKED: [&str; 3] = ["PRODUCTION", "SHIPMENT", "RETURN"];
const KINDS: [&str; 5] = ["PRODUCTION", "SHIPMENT", "RETURN", "PRODUCE", "UNTYPED"];
const CODES: [&str; 5] = [
    "OPERATION_FAILED",
    "CONFLICT",
    "UNTYPED_OPERATION",
    "UNKNOWN_CARRIER_STATUS",
    "AMBIGUOUS_ORDER",
];

// ---------------------------------------------------------------------------
// One notification
// ---------------------------------------------------------------------------

/// A string member, `null` being absent.
fn text(v: &Value, pointer: &str) -> Option<String> {
    v.pointer(pointer)
        .and_then(Value::as_str)
        .map(str::to_string)
}

/// A code-like member: a non-empty string, or a JSON number read as its
/// text (1.3, v3); `null` and `""` are absent.
fn code(v: &Value, pointer: &str) -> Option<String> {
    match v.pointer(pointer)? {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// A non-empty string member.
fn nonempty(v: &Value, pointer: &str) -> Option<String> {
    text(v, pointer).filter(|s| !s.is_empty())
}

struct N {
    card: String,
    /// `PRODUCTION`, `SHIPMENT`, `RETURN`, `PRODUCE`, or `UNTYPED`.
    kind: String,
    op: String,
    status: String,
    /// The 2.3 key: op-status rank, `endTime` (absent lowest), carrier
    /// stage, business rank, content.
    key: (u8, Option<i128>, u8, u8, String),
    start: Timestamp,
    end_ns: Option<i128>,
    /// `endTime`, else this notification's own `startTime`, in ns.
    instant: i128,
    /// `details.status` and its rank.
    biz: Option<(u8, String)>,
    ship: Option<Value>,
    /// The shipment's raw status word (non-empty), and what it is.
    word: Option<String>,
    /// The stage of `word`, 0 when absent or unrecognised.
    stage: u8,
    /// The view spelling of `word` when recognised.
    word_phase: Option<&'static str>,
    tracking_number: Option<String>,
    content: String,
    /// The content with `cardId` and `operationId` replaced by "".
    anon: String,
    v: Value,
}

impl N {
    fn is_final(&self) -> bool {
        self.stage >= DELIVERED
    }

    /// The carrier order (docs/decisions.md): final first, instant, stage,
    /// content without identifiers, operationId.
    fn carrier_key(&self) -> (bool, i128, u8, &str, &str) {
        (
            self.is_final(),
            self.instant,
            self.stage,
            &self.anon,
            &self.op,
        )
    }

    /// The order of the shipment's display members: instant, "has no
    /// carrier status" above "has one", the carrier order, content.
    #[allow(clippy::type_complexity)]
    fn member_key(&self) -> (i128, bool, Option<(bool, i128, u8, &str, &str)>, &str) {
        (
            self.instant,
            self.word.is_none(),
            self.word.as_ref().map(|_| self.carrier_key()),
            &self.content,
        )
    }
}

fn read(v: &Value) -> N {
    let status = text(v, "/status").unwrap();
    let end_ns = text(v, "/endTime").map(|e| Timestamp::parse(&e).unwrap().unix_nanos());
    let biz = code(v, "/details/status").map(|b| (business_rank(&b), b));
    let ship = v
        .pointer("/details/shipment")
        .filter(|s| !s.is_null())
        .cloned();
    let word = ship.as_ref().and_then(|s| code(s, "/status"));
    let recognised = word.as_deref().and_then(carrier_word);
    let stage = recognised.map_or(0, |r| r.0);
    let kind = if text(v, "/operation").as_deref() == Some("PRODUCE") {
        "PRODUCE".to_string()
    } else {
        code(v, "/details/trackingType").unwrap_or_else(|| "UNTYPED".to_string())
    };
    let start = Timestamp::parse(&text(v, "/startTime").unwrap()).unwrap();
    let content = canonical_string(v);
    let mut anon = v.clone();
    anon["cardId"] = Value::from("");
    anon["operationId"] = Value::from("");
    N {
        card: text(v, "/cardId").unwrap(),
        kind,
        op: text(v, "/operationId").unwrap(),
        key: (
            status_rank(&status),
            end_ns,
            stage,
            biz.as_ref().map_or(0, |b| b.0),
            content.clone(),
        ),
        status,
        instant: end_ns.unwrap_or(start.unix_nanos()),
        start,
        end_ns,
        biz,
        tracking_number: ship.as_ref().and_then(|s| code(s, "/trackingNumber")),
        ship,
        word,
        stage,
        word_phase: recognised.map(|r| r.1),
        content,
        anon: canonical_string(&anon),
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

const SHIPMENT_KNOWN: [&str; 5] = [
    "carrier",
    "trackingNumber",
    "status",
    "message",
    "trackingUrl",
];

// ---------------------------------------------------------------------------
// One operation
// ---------------------------------------------------------------------------

/// One operation: its notifications, sorted by the 2.3 key.
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

    fn start_ns(&self) -> i128 {
        self.start().unix_nanos()
    }

    fn status(&self) -> &str {
        &self.group.last().unwrap().status
    }

    fn conflict(&self) -> bool {
        self.conflict_elsewhere
            || (self.last_with(|n| n.status == "FAILED").is_some()
                && self.last_with(|n| n.status == "SUCCESSFUL").is_some())
    }

    /// The parcel witnesses: the lowest and the highest distinct tracking
    /// number, bytewise.
    fn witnesses(&self) -> BTreeSet<String> {
        let all: BTreeSet<&String> = self
            .group
            .iter()
            .filter_map(|n| n.tracking_number.as_ref())
            .collect();
        all.first()
            .into_iter()
            .chain(all.last())
            .map(|s| (*s).clone())
            .collect()
    }

    /// The notifications with a recognised carrier status.
    fn events(&self) -> impl Iterator<Item = &N> + '_ {
        self.group.iter().copied().filter(|n| n.stage > 0)
    }

    /// The business step of one notification of this operation.
    fn step(&self, n: &N) -> Option<u8> {
        let rank = n.biz.as_ref().map_or(0, |b| b.0);
        let mut step = (1..=8).contains(&rank).then_some(rank);
        if self.kind == "PRODUCTION" && n.status == "SUCCESSFUL" && rank == 0 {
            step = step.max(Some(PRODUCED));
        }
        if n.ship.is_some() && n.stage == 0 {
            step = step.max(Some(SHIPPED));
        }
        step
    }

    /// The highest business step of this operation.
    fn top_step(&self) -> Option<u8> {
        self.group.iter().filter_map(|n| self.step(n)).max()
    }

    /// The notifications that report a terminal fact of this kind.
    fn terminal(&self, returned: bool) -> Vec<&N> {
        self.group
            .iter()
            .copied()
            .filter(|n| n.status != "FAILED")
            .filter(|n| {
                let b = n.biz.as_ref().map(|b| b.1.as_str());
                if returned {
                    b == Some("CARD_RETURNED")
                        || (self.kind == "RETURN" && n.status == "SUCCESSFUL")
                } else {
                    b == Some("CARD_PROD_CANCELED")
                }
            })
            .collect()
    }

    fn shipment_view(&self) -> Option<Value> {
        let with: Vec<&N> = self
            .group
            .iter()
            .copied()
            .filter(|n| n.ship.is_some())
            .collect();
        if with.is_empty() {
            return None;
        }
        let status = with
            .iter()
            .filter(|n| n.word.is_some())
            .max_by(|a, b| a.carrier_key().cmp(&b.carrier_key()))
            .map(|n| n.word.clone().unwrap());
        let phase = with
            .iter()
            .filter(|n| n.stage > 0)
            .max_by(|a, b| a.carrier_key().cmp(&b.carrier_key()))
            .map_or("UNKNOWN", |n| n.word_phase.unwrap());
        let member = |read: &dyn Fn(&Value) -> Option<String>| {
            with.iter()
                .filter(|n| read(n.ship.as_ref().unwrap()).is_some())
                .max_by(|a, b| a.member_key().cmp(&b.member_key()))
                .map_or(Value::Null, |n| {
                    Value::from(read(n.ship.as_ref().unwrap()).unwrap())
                })
        };
        let mut view = json!({
            "carrier": member(&|s| code(s, "/carrier")),
            "trackingNumber": member(&|s| code(s, "/trackingNumber")),
            "status": status,
            "phase": phase,
            "message": member(&|s| nonempty(s, "/message")),
            "trackingUrl": member(&|s| nonempty(s, "/trackingUrl")),
        });
        let extra = with
            .iter()
            .filter(|n| !unknown(n.ship.as_ref(), &SHIPMENT_KNOWN).is_empty())
            .max_by(|a, b| a.member_key().cmp(&b.member_key()));
        if let Some(n) = extra {
            view["extra"] = Value::Object(unknown(n.ship.as_ref(), &SHIPMENT_KNOWN));
        }
        Some(view)
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
            "shipment": self.shipment_view(),
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
}

// ---------------------------------------------------------------------------
// The card: parcels, facts, cuts, cycles, phase, alerts
// ---------------------------------------------------------------------------

/// A terminal fact (2.7.1 step 1-2).
#[derive(Debug, Clone)]
struct Fact {
    /// Index of its operation.
    op: usize,
    returned: bool,
    instant: i128,
    dated: bool,
    /// The `endTime` the fact carries, for AMBIGUOUS_ORDER (b): a report
    /// fact's earliest `endTime`; a carrier-confirmed return's Delivered
    /// `endTime` (none when that Delivered is undated: its instant is then
    /// a `startTime`, which precedes the trip's events by construction).
    end: Option<i128>,
    cut: i128,
}

/// Where the phase was read from, for the properties' preconditions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// The open cycle's greatest carrier event.
    Carrier,
    /// The open cycle's business steps (no carrier event there).
    Business,
    /// The latest closed cycle's terminal facts.
    Closed,
    /// No fact anywhere (`FAILED`, `TRACKING`, `TRACKING_REQUESTED`).
    Nothing,
}

struct Phase {
    phase: &'static str,
    source: Source,
    /// AMBIGUOUS_ORDER alerts: (kind, operationId).
    ambiguous: BTreeSet<(String, String)>,
}

fn file_operations<'a>(mine: &[&'a N]) -> Vec<Op<'a>> {
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
    ops
}

/// The current operation of each kind: greatest (start, operationId).
fn current<'o, 'a>(ops: &'o [Op<'a>], kind: &str) -> Option<&'o Op<'a>> {
    ops.iter()
        .filter(|o| o.kind == kind)
        .max_by(|a, b| (a.start(), &a.id).cmp(&(b.start(), &b.id)))
}

/// Parcels: the index of each operation's parcel (its smallest member).
fn parcels(ops: &[Op]) -> Vec<usize> {
    let witnesses: Vec<BTreeSet<String>> = ops.iter().map(Op::witnesses).collect();
    let mut parcel: Vec<usize> = (0..ops.len()).collect();
    // Transitive closure by repeated relaxation (brute force).
    loop {
        let mut changed = false;
        for i in 0..ops.len() {
            for j in 0..ops.len() {
                if parcel[i] != parcel[j] && !witnesses[i].is_disjoint(&witnesses[j]) {
                    let low = parcel[i].min(parcel[j]);
                    let (a, b) = (parcel[i], parcel[j]);
                    for p in parcel.iter_mut() {
                        if *p == a || *p == b {
                            *p = low;
                        }
                    }
                    changed = true;
                }
            }
        }
        if !changed {
            return parcel;
        }
    }
}

/// Between parcels: the parcel's greatest operation start, then its
/// greatest event's instant, stage and content.
type ParcelKey<'a> = (i128, i128, u8, &'a str);

/// An alert as it sorts: (trackingType, code, operationId, errorCode, error),
/// the first two as positions in [`KINDS`] and [`CODES`].
type AlertKey = (usize, usize, String, Option<String>, Option<String>);

fn phase(ops: &[Op]) -> Phase {
    let starts: Vec<i128> = ops.iter().map(Op::start_ns).collect();
    let shipping: Vec<i128> = ops
        .iter()
        .filter(|o| o.kind == "SHIPMENT" || o.kind == "PRODUCE")
        .map(Op::start_ns)
        .collect();
    let floor = shipping.iter().min().copied().or_else(|| {
        ops.iter()
            .filter(|o| o.kind == "PRODUCTION")
            .map(Op::start_ns)
            .min()
    });
    let cut_of = |instant: i128, own: i128| {
        let c = instant.min(own);
        floor.map_or(c, |f| f.max(c))
    };
    let parcel = parcels(ops);

    // Terminal facts: one per (operation, RETURNED | CANCELED).
    let mut facts = Vec::new();
    for (i, op) in ops.iter().enumerate() {
        for returned in [true, false] {
            let reports = op.terminal(returned);
            if reports.is_empty() {
                continue;
            }
            let own = starts[i];
            let dated = reports.iter().filter_map(|n| n.end_ns).min();
            let instant = dated.unwrap_or_else(|| {
                shipping
                    .iter()
                    .filter(|s| **s <= own)
                    .max()
                    .or_else(|| shipping.iter().min())
                    .copied()
                    .unwrap_or(own)
            });
            facts.push(Fact {
                op: i,
                returned,
                instant,
                dated: dated.is_some(),
                end: dated,
                cut: cut_of(instant, own),
            });
        }
    }
    // Carrier-confirmed returns: one per parcel.
    let roots: BTreeSet<usize> = parcel.iter().copied().collect();
    for root in roots {
        let members: Vec<usize> = (0..ops.len()).filter(|i| parcel[*i] == root).collect();
        let events: Vec<(usize, &N)> = members
            .iter()
            .flat_map(|i| ops[*i].events().map(move |n| (*i, n)))
            .collect();
        let earliest_rts = events
            .iter()
            .filter(|(_, n)| n.stage == RETURN_TO_SENDER)
            .map(|(_, n)| n.instant)
            .min();
        let latest_delivered = events
            .iter()
            .filter(|(_, n)| n.stage == DELIVERED)
            .max_by(|a, b| (a.1.instant, a.1.carrier_key()).cmp(&(b.1.instant, b.1.carrier_key())));
        if let (Some(rts), Some((i, d))) = (earliest_rts, latest_delivered) {
            if rts <= d.instant {
                facts.push(Fact {
                    op: *i,
                    returned: true,
                    instant: d.instant,
                    dated: true,
                    end: d.end_ns,
                    cut: cut_of(d.instant, starts[*i]),
                });
            }
        }
    }

    let cuts: Vec<i128> = facts
        .iter()
        .map(|f| f.cut)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let n = cuts.len();
    // Cycle i holds the operations with cuts[i-1] < start <= cuts[i]; cycle n is open.
    let cycle_of_op: Vec<usize> = starts
        .iter()
        .map(|s| cuts.iter().filter(|c| *c < s).count())
        .collect();
    let cycle_of_fact = |f: &Fact| cuts.iter().position(|c| *c == f.cut).unwrap();
    let in_cycle =
        |c: usize| -> Vec<usize> { (0..ops.len()).filter(|i| cycle_of_op[*i] == c).collect() };

    // The open cycle's carrier events, parcel by parcel.
    let mut best: Option<(ParcelKey, u8)> = None;
    let open_parcels: BTreeSet<usize> = in_cycle(n).into_iter().map(|i| parcel[i]).collect();
    for p in open_parcels {
        let members: Vec<usize> = in_cycle(n)
            .into_iter()
            .filter(|i| parcel[*i] == p)
            .collect();
        let top = members
            .iter()
            .flat_map(|i| ops[*i].events())
            .max_by(|a, b| a.carrier_key().cmp(&b.carrier_key()));
        if let Some(e) = top {
            let pstart = members.iter().map(|i| starts[*i]).max().unwrap();
            let key = (pstart, e.instant, e.stage, e.anon.as_str());
            if best.as_ref().is_none_or(|b| key > b.0) {
                best = Some((key, e.stage));
            }
        }
    }
    let (phase, source, read) = if let Some((_, stage)) = best {
        (stage_phase(stage), Source::Carrier, Some(n))
    } else {
        let step = KINDS
            .iter()
            .filter_map(|kind| {
                in_cycle(n)
                    .into_iter()
                    .filter(|i| ops[*i].kind == *kind)
                    .max_by(|a, b| (starts[*a], &ops[*a].id).cmp(&(starts[*b], &ops[*b].id)))
            })
            .filter_map(|i| ops[i].top_step())
            .max();
        if let Some(step) = step {
            (step_phase(step), Source::Business, Some(n))
        } else if n > 0 {
            let returned = facts
                .iter()
                .any(|f| cycle_of_fact(f) == n - 1 && f.returned);
            (
                if returned { "RETURNED" } else { "CANCELED" },
                Source::Closed,
                Some(n - 1),
            )
        } else if KINDS
            .iter()
            .filter_map(|k| current(ops, k))
            .any(|o| o.status() == "FAILED")
        {
            ("FAILED", Source::Nothing, None)
        } else if !ops.is_empty() {
            ("TRACKING", Source::Nothing, None)
        } else {
            ("TRACKING_REQUESTED", Source::Nothing, None)
        }
    };

    let name = |i: usize| (ops[i].kind.clone(), ops[i].id.clone());
    let mut ambiguous = BTreeSet::new();
    // (a) the cycle read was closed or opened by an undated terminal fact.
    if let Some(r) = read {
        for f in facts.iter().filter(|f| !f.dated) {
            let c = cycle_of_fact(f);
            if c == r || c + 1 == r {
                ambiguous.insert(name(f.op));
            }
        }
    }
    // (b) a closed cycle holds a carrier event reported after its dated
    // closing facts.
    for c in 0..n {
        let Some(latest) = facts
            .iter()
            .filter(|f| cycle_of_fact(f) == c)
            .filter_map(|f| f.end)
            .max()
        else {
            continue;
        };
        for i in in_cycle(c) {
            if ops[i]
                .events()
                .any(|e| e.end_ns.is_some_and(|t| t > latest))
            {
                ambiguous.insert(name(i));
            }
        }
    }
    Phase {
        phase,
        source,
        ambiguous,
    }
}

fn distinct(notifications: &[Value]) -> Vec<N> {
    let mut seen = BTreeSet::new();
    notifications
        .iter()
        .filter(|v| seen.insert(canonical_string(v)))
        .map(read)
        .collect()
}

fn card_view(card: &str, mine: &[&N]) -> (Value, Source) {
    let ops = file_operations(mine);
    let mut trackings = Map::new();
    // (kind, code, operationId, errorCode, error) -> alert.
    let mut alerts: BTreeSet<AlertKey> = BTreeSet::new();
    let kind_order = |k: &str| KINDS.iter().position(|x| *x == k).unwrap();
    let code_order = |c: &str| CODES.iter().position(|x| *x == c).unwrap();
    for kind in KINDS {
        let Some(op) = current(&ops, kind) else {
            continue;
        };
        let view = op.view();
        let mut alert = |code: &str, error: Option<(&Value, &Value)>| {
            let s = |v: &Value| v.as_str().map(str::to_string);
            alerts.insert((
                kind_order(kind),
                code_order(code),
                op.id.clone(),
                error.and_then(|e| s(e.0)),
                error.and_then(|e| s(e.1)),
            ));
        };
        if op.status() == "FAILED" {
            alert(
                "OPERATION_FAILED",
                Some((&view["errorCode"], &view["error"])),
            );
        }
        if op.conflict() {
            alert("CONFLICT", None);
        }
        if kind == "UNTYPED" {
            alert("UNTYPED_OPERATION", None);
        }
        if let Some(word) = view["shipment"]["status"].as_str() {
            if carrier_word(word).is_none() {
                alert("UNKNOWN_CARRIER_STATUS", None);
            }
        }
        trackings.insert(kind.to_string(), view);
    }
    let phase = phase(&ops);
    for (kind, id) in &phase.ambiguous {
        alerts.insert((
            kind_order(kind),
            code_order("AMBIGUOUS_ORDER"),
            id.clone(),
            None,
            None,
        ));
    }
    let alerts: Vec<Value> = alerts
        .into_iter()
        .map(|(k, c, id, error_code, error)| {
            json!({"trackingType": KINDS[k], "code": CODES[c], "operationId": id,
                   "errorCode": error_code, "error": error})
        })
        .collect();
    (
        json!({
            "cardId": card,
            "trackings": trackings,
            "phase": phase.phase,
            "alerts": alerts,
        }),
        phase.source,
    )
}

/// Expected view of every card (without `notifications`), by card id, for
/// `notifications` and the request records (card id, tracking type).
pub fn expected_cards(
    notifications: &[Value],
    requests: &BTreeSet<(String, String)>,
) -> BTreeMap<String, Value> {
    let distinct = distinct(notifications);
    let mut cards: BTreeSet<String> = distinct.iter().map(|n| n.card.clone()).collect();
    cards.extend(requests.iter().map(|(c, _)| c.clone()));
    cards
        .into_iter()
        .map(|card| {
            let mine: Vec<&N> = distinct.iter().filter(|n| n.card == card).collect();
            let view = card_view(&card, &mine).0;
            (card, view)
        })
        .collect()
}

/// Expected `trackings`, phase and alerts of every card, without requests.
pub fn expected_trackings(notifications: &[Value]) -> BTreeMap<String, Value> {
    expected_cards(notifications, &BTreeSet::new())
}

/// Where each card's expected phase is read from (2.7.1 step 3).
pub fn expected_sources(notifications: &[Value]) -> BTreeMap<String, Source> {
    let distinct = distinct(notifications);
    let cards: BTreeSet<String> = distinct.iter().map(|n| n.card.clone()).collect();
    cards
        .into_iter()
        .map(|card| {
            let mine: Vec<&N> = distinct.iter().filter(|n| n.card == card).collect();
            let source = card_view(&card, &mine).1;
            (card, source)
        })
        .collect()
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
