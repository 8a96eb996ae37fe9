//! What one operation yields for the phase (README, "Phase", step 1): its
//! carrier event, its business step and its terminal reports, each read
//! from a witness (so dropping old notifications never changes them).

use super::{Phase, STEPS};
use crate::store::{Stored, Witness};
use crate::view::operation::ViewRef;
use crate::wire::{BusinessStatus, Instant, TrackingType};

/// An operation's most advanced business step.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Step<'a> {
    /// Its rank in lifecycle order.
    pub(crate) rank: u8,
    pub(crate) phase: Phase,
    pub(crate) witness: &'a Stored,
}

/// Where a terminal fact comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TerminalSource {
    /// `CARD_RETURNED`.
    CardReturned,
    /// A RETURN operation `SUCCESSFUL`.
    ReturnSuccessful,
    /// `CARD_PROD_CANCELED`.
    CardProdCanceled,
    /// The carrier delivered a parcel at or after its `ReturnToSender`.
    CarrierReturn,
}

/// A terminal report of one operation: the earliest-dated of its
/// notifications that say so.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Report<'a> {
    pub(crate) phase: Phase,
    pub(crate) witness: &'a Stored,
    pub(crate) source: TerminalSource,
}

/// The facts of one operation.
#[derive(Debug, Clone, Copy)]
pub(crate) struct OperationFacts<'a> {
    pub(crate) view: &'a ViewRef<'a>,
    /// Its start (the earliest `startTime`), as an instant.
    pub(crate) start: Instant,
    /// The greatest notification with a recognised carrier status.
    pub(crate) event: Option<&'a Stored>,
    pub(crate) step: Option<Step<'a>>,
    /// `RETURNED`, then `CANCELED`.
    pub(crate) reports: [Option<Report<'a>>; 2],
}

impl<'a> OperationFacts<'a> {
    pub(crate) fn of(view: &'a ViewRef<'a>) -> OperationFacts<'a> {
        let w = view.witnesses();
        let returned = match (w.get(Witness::Returned), w.get(Witness::EarliestSuccessful)) {
            (Some(a), Some(b)) if view.kind == TrackingType::Return => {
                Some(if b.cmp_dated(a).then_with(|| b.cmp_key(a)).is_lt() {
                    (b, TerminalSource::ReturnSuccessful)
                } else {
                    (a, TerminalSource::CardReturned)
                })
            }
            (Some(a), _) => Some((a, TerminalSource::CardReturned)),
            (None, Some(b)) if view.kind == TrackingType::Return => {
                Some((b, TerminalSource::ReturnSuccessful))
            }
            _ => None,
        };
        let canceled = w.get(Witness::Canceled);
        OperationFacts {
            start: view.start().instant(),
            event: view.carrier_event(),
            step: step_of(view),
            reports: [
                returned.map(|(witness, source)| Report {
                    phase: Phase::Returned,
                    witness,
                    source,
                }),
                canceled.map(|witness| Report {
                    phase: Phase::Canceled,
                    witness,
                    source: TerminalSource::CardProdCanceled,
                }),
            ],
            view,
        }
    }

    /// True when the operation is one that ships the card (the cycles'
    /// floor and the undated fallback read these).
    pub(crate) fn ships(&self) -> bool {
        matches!(
            self.view.kind,
            TrackingType::Shipment | TrackingType::Produce
        )
    }

    /// The tracking numbers that name its parcel (a bounded few: the lowest
    /// and the highest).
    pub(crate) fn tracking_numbers(&self) -> [Option<&'a str>; 2] {
        let w = self.view.witnesses();
        [
            Witness::LowestTrackingNumber,
            Witness::HighestTrackingNumber,
        ]
        .map(|t| w.get(t).and_then(Stored::tracking_number))
    }
}

/// The phase a business status gives as a step (README, "Phase").
pub(crate) fn step_phase(status: &BusinessStatus) -> Option<Phase> {
    STEPS
        .iter()
        .find(|(s, _)| s == status)
        .map(|(_, phase)| *phase)
}

/// The phase of the business step of rank `rank` (no text read).
fn step_phase_of_rank(rank: u8) -> Option<Phase> {
    STEPS
        .iter()
        .find(|(s, _)| s.rank() == rank)
        .map(|(_, phase)| *phase)
}

/// The most advanced of the operation's business steps.
fn step_of<'a>(view: &ViewRef<'a>) -> Option<Step<'a>> {
    let w = view.witnesses();
    let business = w.get(Witness::Step).and_then(|s| {
        Some(Step {
            rank: s.step_rank(),
            phase: step_phase_of_rank(s.step_rank())?,
            witness: s,
        })
    });
    let produced = w
        .get(Witness::SuccessfulWithoutStatus)
        .filter(|_| view.kind == TrackingType::Production)
        .map(|s| Step {
            rank: BusinessStatus::CardProdDone.rank(),
            phase: Phase::Produced,
            witness: s,
        });
    let shipped = w.get(Witness::Shipment).map(|s| Step {
        rank: BusinessStatus::CardShipped.rank(),
        phase: Phase::Shipped,
        witness: s,
    });
    // The highest rank; at equal ranks the business status, which names it.
    [business, produced, shipped]
        .into_iter()
        .flatten()
        .fold(None, |best: Option<Step<'a>>, s| match best {
            Some(b) if b.rank >= s.rank => Some(b),
            _ => Some(s),
        })
}

/// What one notification of an operation of `kind` yields (README,
/// "Phase", step 1), by the tests the witnesses use: its carrier event,
/// its business step, its terminal fact. `explain` lists them; a parcel's
/// carrier-confirmed return is the cycles' (it needs the whole parcel).
pub(crate) fn facts_of(kind: TrackingType, s: &Stored) -> Vec<NotificationFact> {
    let mut out = Vec::new();
    if let Some(phase) = Some(s.shipment_phase())
        .filter(|_| s.is_carrier_event())
        .and_then(super::stage_phase)
    {
        out.push(NotificationFact::CarrierEvent(s.shipment_phase(), phase));
    }
    let business = s
        .encoded()
        .text(crate::wire::Member::DetailsStatus)
        .map(BusinessStatus::parse);
    if s.step_rank() > 0 {
        if let Some(status) = business.as_ref() {
            if let Some(phase) = step_phase(status) {
                out.push(NotificationFact::Step(status.as_str().to_string(), phase));
            }
        }
    } else if kind == TrackingType::Production
        && s.status() == crate::wire::OperationStatus::Successful
        && s.business_rank() == 0
    {
        out.push(NotificationFact::Step("SUCCESSFUL".into(), Phase::Produced));
    }
    if s.encoded().has(crate::wire::Member::Shipment) && !s.is_carrier_event() {
        out.push(NotificationFact::Step("shipment".into(), Phase::Shipped));
    }
    if s.status() != crate::wire::OperationStatus::Failed {
        let rank = s.business_rank();
        if rank == BusinessStatus::CardReturned.rank() {
            out.push(NotificationFact::Terminal(
                TerminalSource::CardReturned,
                Phase::Returned,
            ));
        } else if rank == BusinessStatus::CardProdCanceled.rank() {
            out.push(NotificationFact::Terminal(
                TerminalSource::CardProdCanceled,
                Phase::Canceled,
            ));
        }
        if kind == TrackingType::Return && s.status() == crate::wire::OperationStatus::Successful {
            out.push(NotificationFact::Terminal(
                TerminalSource::ReturnSuccessful,
                Phase::Returned,
            ));
        }
    }
    out
}

/// A fact of one notification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum NotificationFact {
    /// A recognised carrier status: its stage and the phase it gives.
    CarrierEvent(crate::wire::ShipmentPhase, Phase),
    /// A business step: what names it and the phase it gives.
    Step(String, Phase),
    /// A terminal fact.
    Terminal(TerminalSource, Phase),
}
