//! Builds an [`Explanation`] from the decision the card view's phase
//! comes from.

use std::cmp::Ordering;

use super::{
    AlertExplained, CycleExplained, Deciding, DecidingStep, Explanation, Fact, FactKind,
    NotificationExplained, NotificationRef, OperationExplained, TerminalExplained,
    TerminalSourceWord,
};
use crate::store::{CardState, Stored, Witness};
use crate::view::card::{alerts, CardRead};
use crate::view::operation::ViewRef;
use crate::view::phase::{
    facts_of, Decided, Decision, NotificationFact, Terminal, TerminalSource, WITHOUT_FACTS,
};
use crate::view::types::{AlertCode, Phase};
use crate::wire::{Member, TrackingType};

/// One operation's kept notifications, in display order.
struct Listed<'a> {
    view: ViewRef<'a>,
    kept: Vec<&'a Stored>,
}

impl<'a> Listed<'a> {
    fn position(&self, s: &Stored) -> Option<usize> {
        self.kept.iter().position(|k| std::ptr::eq(*k, s))
    }

    fn reference(&self, s: &Stored) -> Option<NotificationRef> {
        Some(NotificationRef {
            tracking_type: self.view.kind,
            operation_id: self.view.operation_id.to_string(),
            position: self.position(s)?,
        })
    }
}

/// The display order (README, "Why this phase"): instant, carrier order,
/// lifecycle rank, content.
fn display_order(a: &Stored, b: &Stored) -> Ordering {
    a.instant()
        .cmp(&b.instant())
        .then_with(|| a.cmp_carrier(b))
        .then_with(|| a.business_rank().cmp(&b.business_rank()))
        .then_with(|| a.cmp_content(b))
}

/// The kept notifications of the operation `view` shows: its own entry's,
/// and those of the untyped entry of its id that joined it.
fn kept<'a>(card: &'a CardState, view: &ViewRef<'a>) -> Vec<&'a Stored> {
    let mut out: Vec<&'a Stored> = card
        .operations()
        .iter()
        .filter(|e| {
            e.id.as_ref() == view.operation_id
                && (e.tracking_type == view.kind
                    || (e.tracking_type == TrackingType::Untyped && view.kind.is_tracked()))
        })
        .flat_map(|e| e.state.items())
        .collect();
    out.sort_by(|a, b| display_order(a, b));
    out
}

/// Why `card` shows its phase.
pub(crate) fn explain(card_id: &str, card: &CardState) -> super::Explanation {
    let read = CardRead(card);
    let derived = read.derive(None);
    let decision = Decision::of(&derived.operations);
    let listed: Vec<Listed<'_>> = derived
        .operations
        .iter()
        .map(|v| Listed {
            view: *v,
            kept: kept(card, v),
        })
        .collect();
    let reference = |op: usize, s: &Stored| listed.get(op).and_then(|l| l.reference(s));
    let is_current = |v: &ViewRef<'_>| {
        derived
            .refs
            .get(v.kind.index())
            .and_then(Option::as_ref)
            .is_some_and(|c| c.operation_id == v.operation_id)
    };
    let terminal = |t: &Terminal<'_>| {
        Some(TerminalExplained {
            phase: t.phase,
            source: source_word(t.source),
            notification: reference(t.op, t.witness)?,
            dated: !t.fallback,
            instant: t.instant.to_rfc3339(),
            cut: t.cut.to_rfc3339(),
        })
    };
    let cycles = &decision.cycles;
    let explained_cycles = (0..=cycles.open())
        .map(|c| CycleExplained {
            index: c,
            ends_at: cycles.cuts.get(c).map(|cut| cut.to_rfc3339()),
            closed_by: cycles.closing(c).filter_map(terminal).collect(),
            operations: cycles
                .ops_in(c)
                .filter_map(|(i, _)| listed.get(i))
                .map(|l| operation(l, is_current(&l.view)))
                .collect(),
        })
        .collect();
    let card_view_alerts = alerts(&derived.refs, &derived.ambiguous);
    let explained_alerts = card_view_alerts
        .into_iter()
        .map(|alert| {
            let op = listed.iter().position(|l| {
                l.view.kind == alert.tracking_type && l.view.operation_id == alert.operation_id
            });
            let notifications = op
                .map(|i| raised_by(alert.code, i, &listed, &decision))
                .unwrap_or_default();
            AlertExplained {
                alert,
                notifications,
            }
        })
        .collect();
    Explanation {
        card_id: card_id.to_string(),
        phase: decision.phase,
        decided: deciding(&decision, &listed),
        cycles: explained_cycles,
        alerts: explained_alerts,
    }
}

fn operation(l: &Listed<'_>, current: bool) -> OperationExplained {
    let w = l.view.witnesses();
    let mut parcel: Vec<String> = [
        Witness::LowestTrackingNumber,
        Witness::HighestTrackingNumber,
    ]
    .iter()
    .filter_map(|t| w.get(*t).and_then(Stored::tracking_number))
    .map(str::to_string)
    .collect();
    parcel.dedup();
    OperationExplained {
        tracking_type: l.view.kind,
        operation_id: l.view.operation_id.to_string(),
        current,
        start_time: l.view.start_time().to_string(),
        status: l.view.status,
        parcel,
        notifications: l
            .kept
            .iter()
            .enumerate()
            .map(|(position, s)| notification(l.view.kind, position, s))
            .collect(),
    }
}

fn notification(kind: TrackingType, position: usize, s: &Stored) -> NotificationExplained {
    let text = |m: Member| s.encoded().text(m).map(str::to_string);
    NotificationExplained {
        position,
        status: s.status(),
        start_time: s.start().text().to_string(),
        end_time: text(Member::EndTime),
        details_status: text(Member::DetailsStatus).filter(|t| !t.is_empty()),
        carrier_status: s.shipment_text(Member::ShipmentStatus).map(str::to_string),
        message: s.shipment_text(Member::Message).map(str::to_string),
        facts: facts_of(kind, s).iter().map(|f| fact(f, s)).collect(),
    }
}

fn fact(f: &NotificationFact, s: &Stored) -> Fact {
    match f {
        NotificationFact::CarrierEvent(stage, phase) => Fact {
            kind: FactKind::CarrierEvent,
            phase: *phase,
            stage: Some(*stage),
            word: s
                .shipment_text(Member::ShipmentStatus)
                .unwrap_or_default()
                .to_string(),
        },
        NotificationFact::Step(word, phase) => Fact {
            kind: FactKind::BusinessStep,
            phase: *phase,
            stage: None,
            word: word.clone(),
        },
        NotificationFact::Terminal(source, phase) => terminal_fact(*source, *phase),
    }
}

fn terminal_fact(source: TerminalSource, phase: Phase) -> Fact {
    Fact {
        kind: FactKind::Terminal,
        phase,
        stage: None,
        word: source_word(source).as_str().to_string(),
    }
}

fn source_word(source: TerminalSource) -> TerminalSourceWord {
    match source {
        TerminalSource::CardReturned => TerminalSourceWord::CardReturned,
        TerminalSource::ReturnSuccessful => TerminalSourceWord::ReturnSuccessful,
        TerminalSource::CardProdCanceled => TerminalSourceWord::CardProdCanceled,
        TerminalSource::CarrierReturn => TerminalSourceWord::CarrierReturn,
    }
}

/// What decided, with the deciding notification and its fact.
fn deciding(decision: &Decision<'_>, listed: &[Listed<'_>]) -> Deciding {
    let reference = decision
        .deciding()
        .and_then(|(op, s)| Some((listed.get(op)?, s)));
    let notification = reference.and_then(|(l, s)| l.reference(s));
    let facts = |l: &Listed<'_>, s: &Stored| -> Vec<(NotificationFact, Fact)> {
        facts_of(l.view.kind, s)
            .into_iter()
            .map(|f| {
                let shown = fact(&f, s);
                (f, shown)
            })
            .collect()
    };
    let (step, rule, cycle, chosen) = match decision.decided {
        Decided::Terminal { cycle, fact } => {
            let t = decision.cycles.terminals.get(fact);
            (
                DecidingStep::TerminalFact,
                "the latest cycle with a fact is closed: its terminal fact (RETURNED over CANCELED)"
                    .to_string(),
                Some(cycle),
                t.map(|t| terminal_fact(t.source, t.phase)),
            )
        }
        Decided::CarrierEvent { cycle, .. } => (
            DecidingStep::CarrierEvent,
            "the greatest carrier event of the open cycle, in the carrier order".to_string(),
            Some(cycle),
            reference.and_then(|(l, s)| {
                facts(l, s)
                    .into_iter()
                    .find(|(f, _)| matches!(f, NotificationFact::CarrierEvent(..)))
                    .map(|(_, shown)| shown)
            }),
        ),
        Decided::BusinessStep { cycle, .. } => (
            DecidingStep::BusinessStep,
            "the most advanced business step of the latest order of each kind in the open cycle"
                .to_string(),
            Some(cycle),
            reference.and_then(|(l, s)| {
                facts(l, s)
                    .into_iter()
                    .filter(|(f, _)| matches!(f, NotificationFact::Step(..)))
                    .map(|(_, shown)| shown)
                    .find(|shown| shown.phase == decision.phase)
            }),
        ),
        Decided::NoFact(fallback) => (
            DecidingStep::NoFact,
            format!(
                "no fact in any cycle: {}",
                WITHOUT_FACTS
                    .iter()
                    .find(|(f, _)| *f == fallback)
                    .map_or("", |(f, _)| f.describe())
            ),
            None,
            None,
        ),
    };
    Deciding {
        step,
        rule,
        cycle,
        notification,
        fact: chosen,
    }
}

/// The notifications that raised an alert of operation `op`.
fn raised_by(
    code: AlertCode,
    op: usize,
    listed: &[Listed<'_>],
    decision: &Decision<'_>,
) -> Vec<NotificationRef> {
    let Some(l) = listed.get(op) else {
        return Vec::new();
    };
    let w = l.view.witnesses();
    let witnesses: Vec<&Stored> = match code {
        AlertCode::OperationFailed => w.get(Witness::LastFailed).into_iter().collect(),
        // Both statuses seen: the two that disagree; the id under another
        // kind: this operation's greatest.
        AlertCode::Conflict => match (w.get(Witness::LastSuccessful), w.get(Witness::LastFailed)) {
            (Some(a), Some(b)) => vec![a, b],
            _ => w.get(Witness::Top).into_iter().collect(),
        },
        AlertCode::UntypedOperation => w.get(Witness::Top).into_iter().collect(),
        AlertCode::UnknownCarrierStatus => w.get(Witness::ShipmentStatus).into_iter().collect(),
        AlertCode::AmbiguousOrder => decision
            .ambiguous
            .iter()
            .filter(|(i, _)| *i == op)
            .map(|(_, s)| *s)
            .collect(),
    };
    let mut out: Vec<NotificationRef> = witnesses.iter().filter_map(|s| l.reference(s)).collect();
    out.sort();
    out.dedup();
    out
}
