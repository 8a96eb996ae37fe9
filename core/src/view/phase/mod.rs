//! The card's `phase`: one word for people and dashboards, the stage the
//! card reached in its latest cycle (README, "Phase").
//!
//! The rule is declared once, in the tables below ([`TERMINALS`],
//! [`STAGES`], [`STEPS`], [`WITHOUT_FACTS`]) and the steps of
//! [`decide`](self): each operation yields facts (`facts.rs`), terminal
//! facts cut the card's life into cycles (`cycles.rs`), and the phase is
//! read from the latest cycle that holds a fact (`decide.rs`). The README's
//! diagram ([`diagram`]) and explanation ([`explanation`]) are generated
//! from the same tables, and `explain` reports what the same code decided.

mod cycles;
mod decide;
mod facts;

use std::fmt::Write as _;

pub(crate) use self::cycles::Terminal;
pub(crate) use self::decide::{Decided, Decision};
pub(crate) use self::facts::{facts_of, NotificationFact, TerminalSource};
pub use super::types::Phase;
use crate::wire::{BusinessStatus, ShipmentPhase};

/// The terminal facts and the phase each shows for the cycle it closes
/// (a `FAILED` notification never yields one; a RETURN operation
/// `SUCCESSFUL`, and a parcel the carrier delivered at or after its
/// `ReturnToSender`, are `RETURNED` too).
pub const TERMINALS: &[(BusinessStatus, Phase)] = &[
    (BusinessStatus::CardReturned, Phase::Returned),
    (BusinessStatus::CardProdCanceled, Phase::Canceled),
];

/// The carrier's stages and the phase each gives: carrier events are above
/// every business step.
pub const STAGES: &[(ShipmentPhase, Phase)] = &[
    (ShipmentPhase::Pending, Phase::Shipped),
    (ShipmentPhase::InfoReceived, Phase::Shipped),
    (ShipmentPhase::InTransit, Phase::InTransit),
    (ShipmentPhase::Exception, Phase::DeliveryException),
    (ShipmentPhase::AttemptFail, Phase::DeliveryException),
    (ShipmentPhase::Expired, Phase::DeliveryException),
    (ShipmentPhase::OutForDelivery, Phase::OutForDelivery),
    (ShipmentPhase::AvailableForPickup, Phase::AvailableForPickup),
    (ShipmentPhase::Delivered, Phase::Delivered),
    (ShipmentPhase::ReturnToSender, Phase::Returning),
];

/// The business steps, in lifecycle order, and the phase each gives when
/// no carrier event is known (a PRODUCTION `SUCCESSFUL` without a known
/// status is `PRODUCED`; a shipment without a recognised status is
/// `SHIPPED`).
pub const STEPS: &[(BusinessStatus, Phase)] = &[
    (BusinessStatus::CardProdRequested, Phase::InProduction),
    (BusinessStatus::DataException, Phase::ProductionException),
    (BusinessStatus::DataPrepared, Phase::InProduction),
    (BusinessStatus::CardProdReady, Phase::InProduction),
    (BusinessStatus::CardProdOngoing, Phase::InProduction),
    (
        BusinessStatus::CardProdException,
        Phase::ProductionException,
    ),
    (BusinessStatus::CardProdDone, Phase::Produced),
    (BusinessStatus::CardShipped, Phase::Shipped),
];

/// What decides the phase when no cycle holds a fact.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Fallback {
    /// A current operation's status is `FAILED`.
    AnyFailed,
    /// D1 sent something for the card.
    AnyOperation,
    /// Always true: only the host's request is known.
    Otherwise,
}

/// The phase when no cycle holds a fact: the first row that holds.
pub const WITHOUT_FACTS: &[(Fallback, Phase)] = &[
    (Fallback::AnyFailed, Phase::Failed),
    (Fallback::AnyOperation, Phase::Tracking),
    (Fallback::Otherwise, Phase::TrackingRequested),
];

impl Fallback {
    /// The fallback in plain words.
    pub fn describe(self) -> &'static str {
        match self {
            Fallback::AnyFailed => "a current operation FAILED",
            Fallback::AnyOperation => "D1 sent a notification",
            Fallback::Otherwise => "only a request is recorded",
        }
    }
}

/// The phase a carrier stage gives.
pub(crate) fn stage_phase(stage: ShipmentPhase) -> Option<Phase> {
    STAGES
        .iter()
        .find(|(s, _)| *s == stage)
        .map(|(_, phase)| *phase)
}

/// The phase rule as a Mermaid flowchart (what the README shows): facts,
/// cycles, and the tables each step reads.
///
/// ```
/// let chart = d1_tracking::phase::diagram();
/// assert!(chart.starts_with("flowchart TD"));
/// assert!(chart.contains("RETURNING"));
/// ```
pub fn diagram() -> String {
    let mut out = String::from("flowchart TD\n");
    let mut line = |s: String| {
        let _ = writeln!(out, "    {s}");
    };
    line("ops[\"every operation of the card: its facts\"] --> cut{\"terminal facts cut the life into cycles\"}".into());
    line("cut --> latest{\"the latest cycle that holds a fact\"}".into());
    line("latest -- \"closed\" --> closed{\"its terminal fact\"}".into());
    for (i, (status, phase)) in TERMINALS.iter().enumerate() {
        line(format!(
            "closed -- \"{}\" --> t{i}([{}])",
            status.as_str(),
            phase.as_str()
        ));
    }
    line("closed -- \"RETURN SUCCESSFUL; Delivered after ReturnToSender\" --> t0".into());
    line("latest -- \"open, with carrier events\" --> carrier{\"the greatest in the carrier order\"}".into());
    for (i, (stage, phase)) in STAGES.iter().enumerate() {
        line(format!(
            "carrier -- \"{}\" --> s{i}([{}])",
            stage.as_str(),
            phase.as_str()
        ));
    }
    line("latest -- \"open, business steps only\" --> steps{\"the most advanced step of the latest order of each kind\"}".into());
    for (i, (status, phase)) in STEPS.iter().enumerate() {
        line(format!(
            "steps -- \"{}\" --> b{i}([{}])",
            status.as_str(),
            phase.as_str()
        ));
    }
    line("ops -- \"no fact in any cycle\" --> none{\"the first that holds\"}".into());
    for (i, (fallback, phase)) in WITHOUT_FACTS.iter().enumerate() {
        line(format!(
            "none -- \"{}\" --> n{i}([{}])",
            fallback.describe(),
            phase.as_str()
        ));
    }
    out
}

/// The phase rule in plain words, as Markdown (what the README shows under
/// the diagram).
pub fn explanation() -> String {
    let mut out = String::new();
    let names = |rows: &mut dyn Iterator<Item = (&str, Phase)>| -> String {
        rows.map(|(from, to)| format!("`{from}` → `{}`", to.as_str()))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let _ = writeln!(
        out,
        "1. **Facts.** Each notification yields at most a *carrier event* (its shipment status, when \
         the carrier table knows it), a *business step* (its `details.status`; a PRODUCTION \
         `SUCCESSFUL` without a known one is `PRODUCED`; a shipment without a recognised status is \
         `SHIPPED`) and a *terminal* fact: {}, a RETURN `SUCCESSFUL`, or a parcel the carrier \
         delivered at or after its `ReturnToSender` (`RETURNED`). A `FAILED` notification is an \
         alert: it never yields a terminal fact, but its shipment data and its steps count.",
        names(&mut TERMINALS.iter().map(|(s, p)| (s.as_str(), *p)))
    );
    let _ = writeln!(
        out,
        "2. **Cycles.** A terminal fact closes a cycle at its *cut*: the earlier of its instant (its \
         `endTime`) and its operation's `startTime`, never before the first SHIPMENT or PRODUCE \
         operation started (the first PRODUCTION when there is none). Operations that started \
         after the cut belong to the next cycle. A terminal fact without any `endTime` is placed at \
         the start of the latest shipping operation started before it, and the card raises \
         `AMBIGUOUS_ORDER`."
    );
    let _ = writeln!(
        out,
        "3. **The phase** is read from the latest cycle that holds a fact: a closed cycle shows its \
         terminal fact (`RETURNED` over `CANCELED`); an open one with carrier events shows the \
         greatest in the carrier order (a final `Delivered` or `ReturnToSender` first within a \
         parcel, then the instant; between parcels the one requested last): {}; otherwise the most \
         advanced business step of the latest order of each kind: {}.",
        names(&mut STAGES.iter().map(|(s, p)| (s.as_str(), *p))),
        names(&mut STEPS.iter().map(|(s, p)| (s.as_str(), *p)))
    );
    let _ = writeln!(
        out,
        "4. **With no fact** in any cycle, the first that holds:"
    );
    for (fallback, phase) in WITHOUT_FACTS {
        let _ = writeln!(
            out,
            "   - `{}` when {}",
            phase.as_str(),
            fallback.describe()
        );
    }
    out
}
