//! The card's `phase`: one word for people and dashboards, defined by one
//! table ([`RULES`]) that both the code and the README's diagram use.

use std::fmt::Write as _;

use serde::Serialize;

use crate::wire::{BusinessStatus, OperationStatus, ShipmentPhase, TrackingType};

/// Where a card is, summarised.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[non_exhaustive]
pub enum Phase {
    /// The host asked D1 to track the card; no notification yet.
    TrackingRequested,
    /// D1 is tracking the card but has reported nothing this table ranks yet.
    Tracking,
    /// Production is tracked and not finished.
    InProduction,
    /// Production is done (`CARD_PROD_DONE`), not yet shipped.
    Produced,
    /// Shipped (`CARD_SHIPPED`, or a shipment the carrier has not moved yet).
    Shipped,
    /// The carrier has the parcel.
    InTransit,
    /// Out for delivery.
    OutForDelivery,
    /// Waiting at a pick-up point.
    AvailableForPickup,
    /// The carrier reports a problem (exception, failed attempt, expired).
    DeliveryException,
    /// Delivered.
    Delivered,
    /// Production was cancelled (`CARD_PROD_CANCELED`).
    Canceled,
    /// An operation failed, or production reported an exception.
    Failed,
    /// The card came back (`CARD_RETURNED`, or the RETURN tracking succeeded).
    Returned,
}

impl Phase {
    /// The name as views show it (`IN_TRANSIT`).
    pub fn as_str(self) -> &'static str {
        match self {
            Phase::TrackingRequested => "TRACKING_REQUESTED",
            Phase::Tracking => "TRACKING",
            Phase::InProduction => "IN_PRODUCTION",
            Phase::Produced => "PRODUCED",
            Phase::Shipped => "SHIPPED",
            Phase::InTransit => "IN_TRANSIT",
            Phase::OutForDelivery => "OUT_FOR_DELIVERY",
            Phase::AvailableForPickup => "AVAILABLE_FOR_PICKUP",
            Phase::DeliveryException => "DELIVERY_EXCEPTION",
            Phase::Delivered => "DELIVERED",
            Phase::Canceled => "CANCELED",
            Phase::Failed => "FAILED",
            Phase::Returned => "RETURNED",
        }
    }
}

/// A test on the card's current trackings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Condition {
    /// The tracking of this type has this operation status.
    StatusIs(TrackingType, OperationStatus),
    /// Some tracking has this operation status.
    AnyStatusIs(OperationStatus),
    /// Some tracking's business status is one of these.
    AnyBusinessStatusIn(&'static [BusinessStatus]),
    /// The SHIPMENT tracking's shipment phase is one of these.
    ShipmentPhaseIn(&'static [ShipmentPhase]),
    /// The SHIPMENT tracking carries a shipment object.
    HasShipment,
    /// A tracking of this type exists.
    Has(TrackingType),
    /// The host recorded a request, and no notification came yet.
    RequestedOnly,
    /// Always true: the last row.
    Otherwise,
}

/// The phase table: the first row whose condition holds gives the phase.
/// The README's diagram is generated from this table (a test keeps them equal).
pub const RULES: &[(Condition, Phase)] = &[
    (
        Condition::StatusIs(TrackingType::Return, OperationStatus::Successful),
        Phase::Returned,
    ),
    (
        Condition::AnyBusinessStatusIn(&[BusinessStatus::CardReturned]),
        Phase::Returned,
    ),
    (
        Condition::AnyStatusIs(OperationStatus::Failed),
        Phase::Failed,
    ),
    (
        Condition::AnyBusinessStatusIn(&[BusinessStatus::CardProdCanceled]),
        Phase::Canceled,
    ),
    (
        Condition::AnyBusinessStatusIn(&[
            BusinessStatus::DataException,
            BusinessStatus::CardProdException,
        ]),
        Phase::Failed,
    ),
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
        Condition::AnyBusinessStatusIn(&[BusinessStatus::CardShipped]),
        Phase::Shipped,
    ),
    (
        Condition::AnyBusinessStatusIn(&[BusinessStatus::CardProdDone]),
        Phase::Produced,
    ),
    (
        Condition::Has(TrackingType::Production),
        Phase::InProduction,
    ),
    (Condition::RequestedOnly, Phase::TrackingRequested),
    (Condition::Otherwise, Phase::Tracking),
];

/// What the phase table reads of one current tracking.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PhaseInput<'a> {
    pub(crate) status: OperationStatus,
    pub(crate) details_status: Option<&'a str>,
    pub(crate) shipment_phase: Option<ShipmentPhase>,
}

/// One entry per tracking type, in the order of [`TrackingType::ALL`].
pub(crate) type PhaseInputs<'a> = [Option<PhaseInput<'a>>; 3];

impl Condition {
    fn holds(self, trackings: &PhaseInputs<'_>, requested: bool) -> bool {
        let of = |t: TrackingType| trackings.get(t.index()).copied().flatten();
        let mut all = trackings.iter().flatten();
        let shipment_phase = || of(TrackingType::Shipment).and_then(|v| v.shipment_phase);
        match self {
            Condition::StatusIs(t, s) => of(t).is_some_and(|v| v.status == s),
            Condition::AnyStatusIs(s) => all.any(|v| v.status == s),
            Condition::AnyBusinessStatusIn(set) => all.any(|v| {
                v.details_status
                    .is_some_and(|d| set.iter().any(|s| s.is(d)))
            }),
            Condition::ShipmentPhaseIn(set) => shipment_phase().is_some_and(|p| set.contains(&p)),
            Condition::HasShipment => shipment_phase().is_some(),
            Condition::Has(t) => of(t).is_some(),
            Condition::RequestedOnly => requested && all.next().is_none(),
            Condition::Otherwise => true,
        }
    }

    /// The condition as the README's diagram writes it.
    pub fn describe(self) -> String {
        match self {
            Condition::StatusIs(t, s) => format!("{} status is {}", t.as_str(), s.as_str()),
            Condition::AnyStatusIs(s) => format!("any status is {}", s.as_str()),
            Condition::AnyBusinessStatusIn(set) => {
                let names: Vec<&str> = set.iter().map(BusinessStatus::as_str).collect();
                format!("any details.status is {}", names.join(" or "))
            }
            Condition::ShipmentPhaseIn(set) => {
                let names: Vec<&str> = set.iter().map(|p| p.as_str()).collect();
                format!("shipment phase is {}", names.join(" or "))
            }
            Condition::HasShipment => "SHIPMENT has shipment data".to_string(),
            Condition::Has(t) => format!("{} is tracked", t.as_str()),
            Condition::RequestedOnly => "a request recorded, no notification yet".to_string(),
            Condition::Otherwise => "otherwise".to_string(),
        }
    }
}

/// The phase of a card with these current trackings; `requested` says
/// whether the host recorded a Track Card request for it.
pub(crate) fn phase_of_inputs(trackings: &PhaseInputs<'_>, requested: bool) -> Phase {
    RULES
        .iter()
        .find(|(condition, _)| condition.holds(trackings, requested))
        .map_or(Phase::Tracking, |(_, phase)| *phase)
}

/// The phase table as a Mermaid flowchart (what the README shows).
///
/// ```
/// let chart = d1_tracking::phase::diagram();
/// assert!(chart.starts_with("flowchart TD"));
/// assert!(chart.contains("RETURNED"));
/// ```
pub fn diagram() -> String {
    let mut out = String::from("flowchart TD\n");
    let last = RULES.len().saturating_sub(1);
    for (i, (condition, phase)) in RULES.iter().enumerate() {
        if *condition == Condition::Otherwise {
            let _ = writeln!(
                out,
                "    c{i}[\"{}\"] --> p{i}([{}])",
                condition.describe(),
                phase.as_str()
            );
            continue;
        }
        let _ = writeln!(out, "    c{i}{{\"{}?\"}}", condition.describe());
        let _ = writeln!(out, "    c{i} -- yes --> p{i}([{}])", phase.as_str());
        if i < last {
            let _ = writeln!(out, "    c{i} -- no --> c{}", i + 1);
        }
    }
    out
}
