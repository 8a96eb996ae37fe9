//! Why a card shows its phase (README, "Why this phase"): the card's
//! cycles, each operation with every kept notification and the facts it
//! yields, the fact that decided and by which step, and each alert with the
//! notifications that raised it. Built from the [`Decision`] the card
//! view's phase comes from, so the two cannot drift.
//!
//! [`Decision`]: super::phase::Decision

mod build;

use serde::Serialize;

use super::types::{Alert, Phase};
use crate::wire::{d1_words, OperationStatus, ShipmentPhase, TrackingType};

pub(crate) use build::explain;

/// Why a card shows its phase: what [`Tracker::explain`] returns (its JSON
/// is the same in every binding).
///
/// ```
/// use d1_tracking::{Config, DecidingStep, Phase, Tracker};
/// let mut tracker = Tracker::new(Config::default());
/// tracker.apply(br#"{"operations":[{"operationId":"s-1","operation":"STANDALONE_TRACKING",
///   "status":"SUCCESSFUL","startTime":"2026-03-02T09:00:00Z","endTime":"2026-03-04T10:00:00Z",
///   "cardId":"card-0001","details":{"trackingType":"SHIPMENT",
///   "shipment":{"carrier":"ups","status":"Delivered"}}}]}"#, 0).unwrap();
/// let why = tracker.explain("card-0001").unwrap();
/// assert_eq!(why.phase, Phase::Delivered);
/// assert_eq!(why.decided.step, DecidingStep::CarrierEvent);
/// assert!(tracker.explain("card-0002").is_none());
/// ```
///
/// [`Tracker::explain`]: crate::Tracker::explain
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Explanation {
    /// The card.
    pub card_id: String,
    /// The phase the card view shows.
    pub phase: Phase,
    /// What decided it.
    pub decided: Deciding,
    /// The card's cycles, in order; the last is open.
    pub cycles: Vec<CycleExplained>,
    /// The card view's alerts, each with the notifications that raised it.
    pub alerts: Vec<AlertExplained>,
}

d1_words! {
    /// The step of the phase rule that decided (README, "Phase").
    pub enum DecidingStep {
        /// The latest cycle with a fact is closed: its terminal fact.
        TerminalFact = "TERMINAL_FACT";
        /// The open cycle's greatest carrier event.
        CarrierEvent = "CARRIER_EVENT";
        /// The open cycle's most advanced business step.
        BusinessStep = "BUSINESS_STEP";
        /// No fact in any cycle: a fallback.
        NoFact = "NO_FACT";
    }
}

/// What decided the phase.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Deciding {
    /// The step of the rule.
    pub step: DecidingStep,
    /// The step in plain words.
    pub rule: String,
    /// The cycle it was read from (`null` with no fact).
    pub cycle: Option<usize>,
    /// The notification whose fact decided (`null` with no fact).
    pub notification: Option<NotificationRef>,
    /// That fact.
    pub fact: Option<Fact>,
}

/// A kept notification, named by its operation and its position in the
/// operation's `notifications` as `explain` lists them.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct NotificationRef {
    /// The operation's kind.
    pub tracking_type: TrackingType,
    /// The operation.
    pub operation_id: String,
    /// The position in the operation's list (from 0).
    pub position: usize,
}

/// One cycle of the card's life.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct CycleExplained {
    /// Its position, from 0.
    pub index: usize,
    /// Where it ends (the cut of the terminal facts that close it, RFC
    /// 3339, UTC); `null` for the open cycle.
    pub ends_at: Option<String>,
    /// The terminal facts that close it.
    pub closed_by: Vec<TerminalExplained>,
    /// Its operations (placed by their `startTime`).
    pub operations: Vec<OperationExplained>,
}

d1_words! {
    /// What a terminal fact comes from.
    pub enum TerminalSourceWord {
        /// `details.status` `CARD_RETURNED`.
        CardReturned = "CARD_RETURNED";
        /// A RETURN operation `SUCCESSFUL`.
        ReturnSuccessful = "RETURN_SUCCESSFUL";
        /// `details.status` `CARD_PROD_CANCELED`.
        CardProdCanceled = "CARD_PROD_CANCELED";
        /// The carrier delivered the parcel at or after its `ReturnToSender`.
        CarrierReturn = "CARRIER_RETURN";
    }
}

/// A terminal fact and where it cuts the card's life.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct TerminalExplained {
    /// `RETURNED` or `CANCELED`.
    pub phase: Phase,
    /// What it comes from.
    pub source: TerminalSourceWord,
    /// The notification that dates it.
    pub notification: NotificationRef,
    /// False when no `endTime` dated it and the fallback placed it (the card
    /// then raises `AMBIGUOUS_ORDER`).
    pub dated: bool,
    /// The instant it is placed at (RFC 3339, UTC).
    pub instant: String,
    /// Where it cuts (RFC 3339, UTC).
    pub cut: String,
}

/// One operation and its kept notifications.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct OperationExplained {
    /// Its kind.
    pub tracking_type: TrackingType,
    /// The operation.
    pub operation_id: String,
    /// True when the card view shows it (the current one of its kind).
    pub current: bool,
    /// Its earliest `startTime`, as given.
    pub start_time: String,
    /// Its status.
    pub status: OperationStatus,
    /// The tracking numbers that name its parcel (the lowest and highest).
    pub parcel: Vec<String>,
    /// Every kept notification, in display order: instant, carrier order,
    /// lifecycle rank, content (for reading; the phase has its own orders).
    pub notifications: Vec<NotificationExplained>,
}

/// One kept notification and the facts it yields.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct NotificationExplained {
    /// Its position in the operation's list.
    pub position: usize,
    /// Its operation status.
    pub status: OperationStatus,
    /// `startTime`, as given.
    pub start_time: String,
    /// `endTime`, as given.
    pub end_time: Option<String>,
    /// `details.status`.
    pub details_status: Option<String>,
    /// The carrier's status, as sent.
    pub carrier_status: Option<String>,
    /// The shipment's message.
    pub message: Option<String>,
    /// The facts it yields (README, "Phase", step 1).
    pub facts: Vec<Fact>,
}

d1_words! {
    /// The kind of a [`Fact`].
    pub enum FactKind {
        /// A recognised carrier status.
        CarrierEvent = "CARRIER_EVENT";
        /// A business step.
        BusinessStep = "BUSINESS_STEP";
        /// A terminal fact.
        Terminal = "TERMINAL";
    }
}

/// A fact a notification yields, with the phase it gives.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Fact {
    /// What kind of fact.
    pub kind: FactKind,
    /// The phase it gives, where it decides.
    pub phase: Phase,
    /// A carrier event's stage.
    pub stage: Option<ShipmentPhase>,
    /// What it says, in D1's or the carrier's word (`CARD_SHIPPED`,
    /// `Delivered`, `RETURN_SUCCESSFUL`…).
    pub word: String,
}

/// An alert of the card view, with the notifications that raised it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct AlertExplained {
    /// The alert, as the card view shows it.
    #[serde(flatten)]
    pub alert: Alert,
    /// The notifications that raised it.
    pub notifications: Vec<NotificationRef>,
}
