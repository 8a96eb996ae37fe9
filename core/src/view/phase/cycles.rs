//! A card's life as cycles (README, "Phase", step 2): parcels, the terminal
//! facts that close cycles, their cuts, and the cycle each operation
//! belongs to.

use std::cmp::Ordering;

use super::facts::{OperationFacts, TerminalSource};
use super::Phase;
use crate::store::{Stored, Witness};
use crate::wire::{Instant, TrackingType};

/// A terminal fact: it closes a cycle at its cut.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Terminal<'a> {
    /// The operation it comes from (its position in the card's operations).
    pub(crate) op: usize,
    /// `RETURNED` or `CANCELED`.
    pub(crate) phase: Phase,
    pub(crate) witness: &'a Stored,
    pub(crate) source: TerminalSource,
    /// Its own `endTime` (for a carrier-confirmed return, the `Delivered`'s),
    /// when it has one: what a carrier event of its cycle contradicts.
    pub(crate) dated: Option<Instant>,
    /// True when no `endTime` dated it and the fallback placed it.
    pub(crate) fallback: bool,
    /// The instant it is placed at: its date, or the fallback's.
    pub(crate) instant: Instant,
    /// Where it cuts the card's life.
    pub(crate) cut: Instant,
    /// The cycle it closes.
    pub(crate) cycle: usize,
}

/// The card's operations placed in cycles.
#[derive(Debug)]
pub(crate) struct Cycles<'a> {
    /// Every operation's facts, in the card's order.
    pub(crate) ops: Vec<OperationFacts<'a>>,
    /// The parcel of each operation (the smallest position among the
    /// operations linked to it by a tracking number); empty when no two
    /// operations could share one (each is its own parcel).
    parcel: Vec<usize>,
    /// Every terminal fact, with the cycle it closes.
    pub(crate) terminals: Vec<Terminal<'a>>,
    /// The distinct cuts, ascending: cycle `i` ends at `cuts[i]`; the last
    /// cycle (`cuts.len()`) is open.
    pub(crate) cuts: Vec<Instant>,
}

impl<'a> Cycles<'a> {
    pub(crate) fn of(ops: Vec<OperationFacts<'a>>) -> Cycles<'a> {
        let parcel = parcels(&ops);
        let mut terminals = reports(&ops);
        terminals.extend(carrier_returns(&ops, &parcel));
        let floor = floor(&ops);
        for t in &mut terminals {
            let own_start = ops.get(t.op).map_or(t.instant, |o| o.start);
            let cut = t.instant.min(own_start);
            t.cut = floor.map_or(cut, |f| cut.max(f));
        }
        let mut cuts: Vec<Instant> = terminals.iter().map(|t| t.cut).collect();
        cuts.sort_unstable();
        cuts.dedup();
        for t in &mut terminals {
            t.cycle = cuts.partition_point(|c| *c < t.cut);
        }
        Cycles {
            ops,
            parcel,
            terminals,
            cuts,
        }
    }

    /// The parcel of operation `i` (the smallest position of its parcel).
    pub(crate) fn parcel_of(&self, i: usize) -> usize {
        self.parcel.get(i).copied().unwrap_or(i)
    }

    /// The cycle operation `o` belongs to: after every cut before its start.
    fn cycle_of(&self, o: &OperationFacts<'_>) -> usize {
        self.cuts.partition_point(|c| *c < o.start)
    }

    /// The open cycle (the last).
    pub(crate) fn open(&self) -> usize {
        self.cuts.len()
    }

    /// The operations of cycle `c`, with their positions.
    pub(crate) fn ops_in(
        &self,
        c: usize,
    ) -> impl Iterator<Item = (usize, &OperationFacts<'a>)> + '_ {
        self.ops
            .iter()
            .enumerate()
            .filter(move |(_, o)| self.cycle_of(o) == c)
    }

    /// The terminal facts that close cycle `c`.
    pub(crate) fn closing(&self, c: usize) -> impl Iterator<Item = &Terminal<'a>> + '_ {
        self.terminals.iter().filter(move |t| t.cycle == c)
    }
}

/// Links operations that share a tracking number (directly or through
/// others) into parcels: each operation is labelled by the smallest
/// position of its parcel.
fn parcels(ops: &[OperationFacts<'_>]) -> Vec<usize> {
    let named = |o: &&OperationFacts<'_>| {
        o.view
            .witnesses()
            .get(Witness::LowestTrackingNumber)
            .is_some()
    };
    if ops.iter().filter(named).count() < 2 {
        // Nothing to link: each operation is its own parcel.
        return Vec::new();
    }
    let numbers: Vec<[Option<&str>; 2]> =
        ops.iter().map(OperationFacts::tracking_numbers).collect();
    let mut label: Vec<usize> = (0..ops.len()).collect();
    // A card has few operations (`maxOperationsPerCard`): relabel until
    // nothing changes.
    let mut changed = true;
    while changed {
        changed = false;
        for (i, a) in numbers.iter().enumerate() {
            for (j, b) in numbers.iter().enumerate().skip(i + 1) {
                let shared = a
                    .iter()
                    .flatten()
                    .any(|x| b.iter().flatten().any(|y| x == y));
                if !shared {
                    continue;
                }
                let (li, lj) = (label.get(i).copied(), label.get(j).copied());
                if let (Some(li), Some(lj)) = (li, lj) {
                    if li != lj {
                        let low = li.min(lj);
                        for l in label.iter_mut().filter(|l| **l == li || **l == lj) {
                            *l = low;
                        }
                        changed = true;
                    }
                }
            }
        }
    }
    label
}

/// The earliest start of the operations that ship the card (SHIPMENT,
/// PRODUCE), else of the PRODUCTION ones: no cut falls before it.
fn floor(ops: &[OperationFacts<'_>]) -> Option<Instant> {
    let earliest = |f: &dyn Fn(&OperationFacts<'_>) -> bool| {
        ops.iter().filter(|o| f(o)).map(|o| o.start).min()
    };
    earliest(&|o| o.ships()).or_else(|| earliest(&|o| o.view.kind == TrackingType::Production))
}

/// The terminal reports of every operation, dated by their own `endTime`
/// or by the fallback (README, "Phase", step 2).
fn reports<'a>(ops: &[OperationFacts<'a>]) -> Vec<Terminal<'a>> {
    let mut out = Vec::new();
    for (i, o) in ops.iter().enumerate() {
        for r in o.reports.iter().flatten() {
            let dated = r.witness.end();
            out.push(Terminal {
                op: i,
                phase: r.phase,
                witness: r.witness,
                source: r.source,
                dated,
                fallback: dated.is_none(),
                instant: dated.unwrap_or_else(|| undated_instant(ops, o.start)),
                cut: o.start,
                cycle: 0,
            });
        }
    }
    out
}

/// Where an undated terminal fact of an operation started at `start` is
/// placed: the start of the latest shipping operation started at or before
/// it, else of the earliest one, else its own (a return always ends at
/// least the trip it came back from).
fn undated_instant(ops: &[OperationFacts<'_>], start: Instant) -> Instant {
    let shipping = || ops.iter().filter(|o| o.ships()).map(|o| o.start);
    shipping()
        .filter(|s| *s <= start)
        .max()
        .or_else(|| shipping().min())
        .unwrap_or(start)
}

/// A parcel's carrier-confirmed return: its last `Delivered` at or after
/// its first `ReturnToSender` (the card reached the sender).
fn carrier_returns<'a>(ops: &[OperationFacts<'a>], parcel: &[usize]) -> Vec<Terminal<'a>> {
    let mut out = Vec::new();
    let w = |o: &OperationFacts<'a>, witness| o.view.witnesses().get(witness);
    if !ops
        .iter()
        .any(|o| w(o, Witness::FirstReturnToSender).is_some())
    {
        return out;
    }
    let parcel_of = |i: usize| parcel.get(i).copied().unwrap_or(i);
    for p in (0..ops.len()).filter(|i| parcel_of(*i) == *i) {
        let members = || {
            ops.iter()
                .enumerate()
                .filter(move |(i, _)| parcel_of(*i) == p)
        };
        let Some(first_return) = members()
            .filter_map(|(_, o)| w(o, Witness::FirstReturnToSender))
            .map(Stored::instant)
            .min()
        else {
            continue;
        };
        let last_delivered = members()
            .filter_map(|(i, o)| w(o, Witness::LastDelivered).map(|s| (i, o, s)))
            .max_by(|a, b| later_delivery(a, b));
        if let Some((i, _, s)) = last_delivered.filter(|(_, _, s)| s.instant() >= first_return) {
            out.push(Terminal {
                op: i,
                phase: Phase::Returned,
                witness: s,
                source: TerminalSource::CarrierReturn,
                dated: s.end(),
                fallback: false,
                instant: s.instant(),
                cut: s.instant(),
                cycle: 0,
            });
        }
    }
    out
}

fn later_delivery(
    a: &(usize, &OperationFacts<'_>, &Stored),
    b: &(usize, &OperationFacts<'_>, &Stored),
) -> Ordering {
    a.2.instant()
        .cmp(&b.2.instant())
        .then_with(|| a.2.cmp_content(b.2))
        .then_with(|| a.1.view.operation_id.cmp(b.1.view.operation_id))
}
