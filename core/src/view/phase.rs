//! The card's `phase`: one word for people and dashboards, the most recent
//! physical fact (README, "Phase"), defined by one table ([`RULES`], with
//! [`WITHOUT_FACTS`]) that the code, the README's diagram and its
//! explanation use.

use std::fmt::Write as _;

use super::operation::ViewRef;
pub use super::types::Phase;
use crate::store::Stored;
use crate::wire::{BusinessStatus, Instant, OperationStatus, ShipmentPhase, TrackingType};

/// A fact an operation yields (README, "Phase": the first step).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Condition {
    /// The operation's shipment (as its view shows it) is in one of these
    /// phases; dated by the notification that carries it.
    ShipmentPhaseIn(&'static [ShipmentPhase]),
    /// The operation carries a shipment, whatever its phase; dated by the
    /// notification that carries it.
    HasShipment,
    /// The operation's business status (its view's `detailsStatus`) is one
    /// of these; dated by the notification that carries it.
    BusinessStatusIn(&'static [BusinessStatus]),
    /// An operation of this kind completed (`SUCCESSFUL`) and no
    /// notification of it names a business status; dated by its greatest
    /// `SUCCESSFUL` notification.
    CompletedWithoutStatus(TrackingType),
}

/// What decides the phase when no operation yields a fact.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Fallback {
    /// Some operation's status is `FAILED`.
    AnyFailed,
    /// D1 sent something for the card.
    AnyOperation,
    /// Always true: only the host's request is known.
    Otherwise,
}

/// The facts and the phase each gives. The card's phase is the fact with
/// the greatest instant (the defining notification's `endTime`, else its
/// `startTime`); between facts of equal instants the earlier row wins, so a
/// shipment's phase, the more precise, outranks the business status of the
/// same notification. A `FAILED` status is no fact: it is an alert.
pub const RULES: &[(Condition, Phase)] = &[
    (
        Condition::ShipmentPhaseIn(&[ShipmentPhase::Delivered]),
        Phase::Delivered,
    ),
    (
        Condition::ShipmentPhaseIn(&[
            ShipmentPhase::Exception,
            ShipmentPhase::AttemptFail,
            ShipmentPhase::Expired,
        ]),
        Phase::DeliveryException,
    ),
    (
        Condition::ShipmentPhaseIn(&[ShipmentPhase::AvailableForPickup]),
        Phase::AvailableForPickup,
    ),
    (
        Condition::ShipmentPhaseIn(&[ShipmentPhase::OutForDelivery]),
        Phase::OutForDelivery,
    ),
    (
        Condition::ShipmentPhaseIn(&[ShipmentPhase::InTransit]),
        Phase::InTransit,
    ),
    (Condition::HasShipment, Phase::Shipped),
    (
        Condition::BusinessStatusIn(&[BusinessStatus::CardReturned]),
        Phase::Returned,
    ),
    (
        Condition::BusinessStatusIn(&[BusinessStatus::CardProdCanceled]),
        Phase::Canceled,
    ),
    (
        Condition::BusinessStatusIn(&[
            BusinessStatus::DataException,
            BusinessStatus::CardProdException,
        ]),
        Phase::ProductionException,
    ),
    (
        Condition::BusinessStatusIn(&[BusinessStatus::CardShipped]),
        Phase::Shipped,
    ),
    (
        Condition::BusinessStatusIn(&[BusinessStatus::CardProdDone]),
        Phase::Produced,
    ),
    (
        Condition::BusinessStatusIn(&[
            BusinessStatus::CardProdRequested,
            BusinessStatus::DataPrepared,
            BusinessStatus::CardProdReady,
            BusinessStatus::CardProdOngoing,
        ]),
        Phase::InProduction,
    ),
    (
        Condition::CompletedWithoutStatus(TrackingType::Return),
        Phase::Returned,
    ),
    (
        Condition::CompletedWithoutStatus(TrackingType::Production),
        Phase::Produced,
    ),
];

/// The phase when no operation yields a fact: the first row that holds.
pub const WITHOUT_FACTS: &[(Fallback, Phase)] = &[
    (Fallback::AnyFailed, Phase::Failed),
    (Fallback::AnyOperation, Phase::Tracking),
    (Fallback::Otherwise, Phase::TrackingRequested),
];

/// What the table reads of one operation, read once (the rows test it).
struct OperationFacts<'a> {
    kind: TrackingType,
    shipment: Option<&'a Stored>,
    business: Option<(&'a Stored, BusinessStatus)>,
    last_successful: Option<&'a Stored>,
}

impl<'a> OperationFacts<'a> {
    fn of(op: &ViewRef<'a>) -> Self {
        OperationFacts {
            kind: op.kind,
            shipment: op.shipment_witness(),
            business: op
                .details_status_witness()
                .zip(op.details_status())
                .map(|(s, text)| (s, BusinessStatus::parse(text))),
            last_successful: op.last_successful(),
        }
    }
}

impl Condition {
    /// The notification that makes this a fact of the operation, if it is
    /// one.
    fn witness<'a>(self, op: &OperationFacts<'a>) -> Option<&'a Stored> {
        match self {
            Condition::ShipmentPhaseIn(set) => {
                op.shipment.filter(|s| set.contains(&s.shipment_phase()))
            }
            Condition::HasShipment => op.shipment,
            Condition::BusinessStatusIn(set) => op
                .business
                .as_ref()
                .filter(|(_, status)| set.contains(status))
                .map(|(s, _)| *s),
            Condition::CompletedWithoutStatus(kind) => op
                .last_successful
                .filter(|_| op.kind == kind && op.business.is_none()),
        }
    }

    /// The condition in plain words (the README's explanation and diagram).
    pub fn describe(self) -> String {
        match self {
            Condition::ShipmentPhaseIn(set) => {
                let names: Vec<&str> = set.iter().map(|p| p.as_str()).collect();
                format!("its shipment's phase is {}", names.join(" or "))
            }
            Condition::HasShipment => "it carries a shipment (any other phase)".to_string(),
            Condition::BusinessStatusIn(set) => {
                let names: Vec<&str> = set.iter().map(BusinessStatus::as_str).collect();
                format!("its details.status is {}", names.join(" or "))
            }
            Condition::CompletedWithoutStatus(kind) => format!(
                "a {} operation is SUCCESSFUL without details.status",
                kind.as_str()
            ),
        }
    }
}

impl Fallback {
    fn holds(self, ops: &[ViewRef<'_>]) -> bool {
        match self {
            Fallback::AnyFailed => ops.iter().any(|o| o.status == OperationStatus::Failed),
            Fallback::AnyOperation => !ops.is_empty(),
            Fallback::Otherwise => true,
        }
    }

    /// The fallback in plain words.
    pub fn describe(self) -> &'static str {
        match self {
            Fallback::AnyFailed => "an operation FAILED",
            Fallback::AnyOperation => "D1 sent a notification",
            Fallback::Otherwise => "only a request is recorded",
        }
    }
}

/// The phase of a card whose operations (every kind, current or not) are
/// `ops`.
pub(crate) fn phase_of(ops: &[ViewRef<'_>]) -> Phase {
    // The greatest (instant, precedence): precedence is the reversed row.
    let mut best: Option<(Instant, std::cmp::Reverse<usize>, Phase)> = None;
    for op in ops {
        let facts = OperationFacts::of(op);
        for (row, (condition, phase)) in RULES.iter().enumerate() {
            if let Some(s) = condition.witness(&facts) {
                let fact = (s.instant(), std::cmp::Reverse(row), *phase);
                if best.is_none_or(|b| (fact.0, fact.1) > (b.0, b.1)) {
                    best = Some(fact);
                }
            }
        }
    }
    if let Some((_, _, phase)) = best {
        return phase;
    }
    WITHOUT_FACTS
        .iter()
        .find(|(fallback, _)| fallback.holds(ops))
        .map_or(Phase::TrackingRequested, |(_, phase)| *phase)
}

/// The phase table as a Mermaid flowchart (what the README shows): every
/// fact with the phase it gives, in order of precedence, then the phases
/// without a fact.
///
/// ```
/// let chart = d1_tracking::phase::diagram();
/// assert!(chart.starts_with("flowchart LR"));
/// assert!(chart.contains("RETURNED"));
/// ```
pub fn diagram() -> String {
    let mut out = String::from("flowchart LR\n");
    let _ = writeln!(
        out,
        "    ops[\"every operation of the card\"] --> facts{{\"its facts; the latest instant wins, then the first row\"}}"
    );
    for (i, (condition, phase)) in RULES.iter().enumerate() {
        let _ = writeln!(
            out,
            "    facts -- \"{}. {}\" --> f{i}([{}])",
            i + 1,
            condition.describe(),
            phase.as_str()
        );
    }
    let _ = writeln!(out, "    ops -- no fact --> none{{\"first that holds\"}}");
    for (i, (fallback, phase)) in WITHOUT_FACTS.iter().enumerate() {
        let _ = writeln!(
            out,
            "    none -- \"{}\" --> n{i}([{}])",
            fallback.describe(),
            phase.as_str()
        );
    }
    out
}

/// The phase rule in plain words, as a Markdown list (what the README shows
/// under the diagram).
pub fn explanation() -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Every operation of the card, of every kind, current or not, yields facts. \
         Each fact is dated by the notification that defines it (its `endTime`, else its \
         `startTime`); the phase is the latest fact. Facts of equal instants are ranked by \
         this list: the earlier wins.\n"
    );
    for (i, (condition, phase)) in RULES.iter().enumerate() {
        let _ = writeln!(
            out,
            "{}. `{}` when {}",
            i + 1,
            phase.as_str(),
            condition.describe()
        );
    }
    let _ = writeln!(
        out,
        "\nA `FAILED` status is not a fact: it is an alert, and the operation's facts still count. \
         With no fact at all, the phase is:\n"
    );
    for (fallback, phase) in WITHOUT_FACTS {
        let _ = writeln!(out, "- `{}` when {}", phase.as_str(), fallback.describe());
    }
    out
}
