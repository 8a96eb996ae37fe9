//! The phase read from the cycles (README, "Phase", step 3), and what
//! decided it: the same code gives the card view its phase and `explain`
//! its reasons.

use std::cmp::Ordering;

use super::cycles::Cycles;
use super::facts::OperationFacts;
use super::{stage_phase, Fallback, Phase, WITHOUT_FACTS};
use crate::store::{Stored, Witness};
use crate::view::operation::ViewRef;
use crate::wire::{OperationStatus, TrackingType};

/// Which step of the rule decided the phase (README, "Phase").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Decided {
    /// The latest cycle with a fact is closed: its terminal fact
    /// (`terminals[fact]`).
    Terminal { cycle: usize, fact: usize },
    /// The open cycle's greatest carrier event (operation `op`).
    CarrierEvent { cycle: usize, op: usize },
    /// The open cycle's most advanced business step (operation `op`).
    BusinessStep { cycle: usize, op: usize },
    /// No fact at all: the first fallback that holds.
    NoFact(Fallback),
}

/// The phase of a card and everything that went into it.
#[derive(Debug)]
pub(crate) struct Decision<'a> {
    pub(crate) cycles: Cycles<'a>,
    pub(crate) phase: Phase,
    pub(crate) decided: Decided,
    /// The operations that raise `AMBIGUOUS_ORDER` (positions, ascending),
    /// each with the notification that makes the order doubtful.
    pub(crate) ambiguous: Vec<(usize, &'a Stored)>,
}

impl<'a> Decision<'a> {
    /// Decides the phase of a card whose operations (every kind, current
    /// or not) are `ops`.
    pub(crate) fn of(ops: &'a [ViewRef<'a>]) -> Decision<'a> {
        let cycles = Cycles::of(ops.iter().map(OperationFacts::of).collect());
        let open = cycles.open();
        let decided = carrier_event(&cycles, open)
            .map(|op| Decided::CarrierEvent { cycle: open, op })
            .or_else(|| {
                business_step(&cycles, open).map(|op| Decided::BusinessStep { cycle: open, op })
            })
            .or_else(|| {
                let closed = open.checked_sub(1)?;
                terminal(&cycles, closed).map(|fact| Decided::Terminal {
                    cycle: closed,
                    fact,
                })
            })
            .unwrap_or_else(|| Decided::NoFact(fallback(ops)));
        let phase = phase_of(&cycles, decided);
        let ambiguous = ambiguous(&cycles, decided);
        Decision {
            cycles,
            phase,
            decided,
            ambiguous,
        }
    }

    /// The notification that decided the phase, with its operation.
    pub(crate) fn deciding(&self) -> Option<(usize, &'a Stored)> {
        let op = |i: usize| self.cycles.ops.get(i);
        match self.decided {
            Decided::Terminal { fact, .. } => {
                self.cycles.terminals.get(fact).map(|t| (t.op, t.witness))
            }
            Decided::CarrierEvent { op: i, .. } => op(i).and_then(|o| Some((i, o.event?))),
            Decided::BusinessStep { op: i, .. } => op(i).and_then(|o| Some((i, o.step?.witness))),
            Decided::NoFact(_) => None,
        }
    }
}

fn phase_of(cycles: &Cycles<'_>, decided: Decided) -> Phase {
    let op = |i: usize| cycles.ops.get(i);
    let phase = match decided {
        Decided::Terminal { fact, .. } => cycles.terminals.get(fact).map(|t| t.phase),
        Decided::CarrierEvent { op: i, .. } => {
            op(i).and_then(|o| stage_phase(o.event?.shipment_phase()))
        }
        Decided::BusinessStep { op: i, .. } => op(i).and_then(|o| Some(o.step?.phase)),
        Decided::NoFact(f) => WITHOUT_FACTS.iter().find(|(g, _)| *g == f).map(|(_, p)| *p),
    };
    phase.unwrap_or(Phase::Tracking)
}

/// The operation with the greatest carrier event of cycle `c`: within a
/// parcel the carrier order; between parcels the one requested last first
/// (README, "The shipment").
fn carrier_event(cycles: &Cycles<'_>, c: usize) -> Option<usize> {
    let with_events = || cycles.ops_in(c).filter(|(_, o)| o.event.is_some());
    // The greatest event of each parcel, with the parcel's latest start.
    let mut best: Option<(usize, &OperationFacts<'_>)> = None;
    let mut best_start = None;
    for (i, o) in with_events() {
        let p = cycles.parcel_of(i);
        let greatest = with_events()
            .filter(|(j, _)| cycles.parcel_of(*j) == p)
            // At equal events (one untyped notification joined to two
            // kinds of one id) the later position in the card's order.
            .all(|(j, other)| j == i || cmp_event(o, other).then(i.cmp(&j)).is_gt());
        if !greatest {
            continue;
        }
        let start = cycles
            .ops_in(c)
            .filter(|(j, _)| cycles.parcel_of(*j) == p)
            // As instants: two spellings of one instant are one start.
            .map(|(_, m)| m.start)
            .max();
        let wins = match best {
            None => true,
            Some((b_at, b)) => start
                .cmp(&best_start)
                .then_with(|| cmp_between_parcels(o, b))
                .then(i.cmp(&b_at))
                .is_gt(),
        };
        if wins {
            best = Some((i, o));
            best_start = start;
        }
    }
    best.map(|(i, _)| i)
}

/// Two operations' events in the carrier order, then by operation id.
fn cmp_event(a: &OperationFacts<'_>, b: &OperationFacts<'_>) -> Ordering {
    match (a.event, b.event) {
        (Some(x), Some(y)) => x
            .cmp_carrier(y)
            .then_with(|| a.view.operation_id.cmp(b.view.operation_id)),
        (x, y) => x.is_some().cmp(&y.is_some()),
    }
}

/// Two parcels' greatest events at equal starts: instant, stage, content.
fn cmp_between_parcels(a: &OperationFacts<'_>, b: &OperationFacts<'_>) -> Ordering {
    match (a.event, b.event) {
        (Some(x), Some(y)) => (x.instant(), x.shipment_phase().rank())
            .cmp(&(y.instant(), y.shipment_phase().rank()))
            .then_with(|| x.cmp_content(y))
            .then_with(|| a.view.operation_id.cmp(b.view.operation_id)),
        (x, y) => x.is_some().cmp(&y.is_some()),
    }
}

/// The operation with the most advanced business step among the
/// latest-started operation of each kind in cycle `c` (a step of an order
/// a newer one superseded is history).
fn business_step(cycles: &Cycles<'_>, c: usize) -> Option<usize> {
    let latest = |kind: TrackingType| {
        cycles
            .ops_in(c)
            .filter(move |(_, o)| o.view.kind == kind)
            .max_by(|(_, a), (_, b)| latest_started(a, b))
    };
    TrackingType::ALL
        .into_iter()
        .filter_map(latest)
        .filter_map(|(i, o)| Some((i, o, o.step?)))
        .max_by(|(_, a, x), (_, b, y)| x.rank.cmp(&y.rank).then_with(|| latest_started(a, b)))
        .map(|(i, _, _)| i)
}

/// By start as an instant, then `operationId` (README, "The card view").
fn latest_started(a: &OperationFacts<'_>, b: &OperationFacts<'_>) -> Ordering {
    (a.start, a.view.operation_id).cmp(&(b.start, b.view.operation_id))
}

/// The terminal fact shown for closed cycle `c`: `RETURNED` over
/// `CANCELED`, then the earliest cut, then the first operation.
fn terminal(cycles: &Cycles<'_>, c: usize) -> Option<usize> {
    cycles
        .terminals
        .iter()
        .enumerate()
        .filter(|(_, t)| t.cycle == c)
        .min_by_key(|(_, t)| (t.phase != Phase::Returned, t.op))
        .map(|(i, _)| i)
}

/// With no fact: a current operation that failed, any operation, or only
/// the host's request.
fn fallback(ops: &[ViewRef<'_>]) -> Fallback {
    let current_failed = TrackingType::ALL.into_iter().any(|kind| {
        ops.iter()
            .filter(|o| o.kind == kind)
            .max_by(|a, b| (a.start(), a.operation_id).cmp(&(b.start(), b.operation_id)))
            .is_some_and(|o| o.status == OperationStatus::Failed)
    });
    if current_failed {
        Fallback::AnyFailed
    } else if !ops.is_empty() {
        Fallback::AnyOperation
    } else {
        Fallback::Otherwise
    }
}

/// The operations that make the order doubtful (README, "The card view",
/// `AMBIGUOUS_ORDER`): an undated terminal fact that closed or opened the
/// cycle the phase is read from; a carrier event of a closed cycle dated
/// after the terminal fact that closed it.
fn ambiguous<'a>(cycles: &Cycles<'a>, decided: Decided) -> Vec<(usize, &'a Stored)> {
    let mut out = Vec::new();
    let cycle = match decided {
        Decided::Terminal { cycle, .. }
        | Decided::CarrierEvent { cycle, .. }
        | Decided::BusinessStep { cycle, .. } => Some(cycle),
        Decided::NoFact(_) => None,
    };
    if let Some(c) = cycle {
        let around = |t: &&super::cycles::Terminal<'_>| t.cycle == c || t.cycle + 1 == c;
        out.extend(
            cycles
                .terminals
                .iter()
                .filter(around)
                .filter(|t| t.fallback)
                .map(|t| (t.op, t.witness)),
        );
    }
    for c in 0..cycles.open() {
        let Some(closed_at) = cycles.closing(c).filter_map(|t| t.dated).max() else {
            continue;
        };
        out.extend(cycles.ops_in(c).filter_map(|(i, o)| {
            let latest = o.view.witnesses().get(Witness::LatestDatedEvent)?;
            (latest.end()? > closed_at).then_some((i, latest))
        }));
    }
    out.sort_by_key(|(i, _)| *i);
    out.dedup_by_key(|(i, _)| *i);
    out
}
