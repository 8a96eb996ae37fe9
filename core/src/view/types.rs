//! The read-only views: what a host shows and acts on. They serialise to the
//! JSON every binding returns (camelCase keys).

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::{Map, Value};

use crate::wire::{d1_words, OperationStatus, ShipmentPhase, TrackingType};

/// The view of one card: its current operation per kind (the tracking
/// types, `PRODUCE`, and `UNTYPED` operations), a one-word [`Phase`], and
/// its alerts.
///
/// ```
/// use d1_tracking::{Config, Phase, Tracker, TrackingType};
/// let mut tracker = Tracker::new(Config::default());
/// tracker.apply(br#"{"operations":[{"operationId":"op-1","operation":"STANDALONE_TRACKING",
///   "status":"SUCCESSFUL","startTime":"2026-03-01T08:00:00Z","cardId":"card-0001",
///   "details":{"trackingType":"PRODUCTION","status":"CARD_SHIPPED"}}]}"#, 0).unwrap();
/// let view = tracker.card("card-0001").unwrap();
/// assert_eq!(view.phase, Phase::Shipped);
/// let production = &view.trackings[&TrackingType::Production];
/// assert_eq!(production.details_status.as_deref(), Some("CARD_SHIPPED"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct CardView {
    /// The card.
    pub card_id: String,
    /// One entry per kind seen, for its current operation (the one with the
    /// greatest `startTime`, then `operationId`).
    pub trackings: BTreeMap<TrackingType, TrackingView>,
    /// The card's phase: the stage the card reached in its latest cycle
    /// (see [`Phase`] and the tables of [`phase`](crate::phase)).
    pub phase: Phase,
    /// What a person should look at, sorted by kind, then code (see
    /// [`Alert`]); empty when nothing is wrong.
    pub alerts: Vec<Alert>,
}

/// Something about a card a person should look at, without hiding its
/// physical state: raised by an entry the card view shows.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Alert {
    /// The entry that raises it.
    pub tracking_type: TrackingType,
    /// What is wrong.
    pub code: AlertCode,
    /// The operation.
    pub operation_id: String,
    /// D1's `errorCode`, for a failed operation.
    pub error_code: Option<String>,
    /// D1's `error`, for a failed operation.
    pub error: Option<String>,
}

d1_words! {
    /// What an [`Alert`] is about.
    pub enum AlertCode {
        /// The operation's status is `FAILED`.
        OperationFailed = "OPERATION_FAILED";
        /// The operation is in conflict: both `SUCCESSFUL` and `FAILED` were
        /// seen, or its id was also seen with another kind.
        Conflict = "CONFLICT";
        /// No notification of the operation names its tracking type.
        UntypedOperation = "UNTYPED_OPERATION";
        /// The carrier status the operation's shipment shows is a word the
        /// carrier table does not know (its raw text is shown).
        UnknownCarrierStatus = "UNKNOWN_CARRIER_STATUS";
        /// The order of the card's events is in doubt: the phase comes from
        /// a cycle an undated terminal fact closed or opened, or a carrier
        /// event is dated after the return that closed its cycle. Staff
        /// should ask D1 (README, "Phase").
        AmbiguousOrder = "AMBIGUOUS_ORDER";
    }
}

/// The view of one operation (README, "The card view"): every field is a
/// join of its own.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct TrackingView {
    /// The operation shown.
    pub operation_id: String,
    /// The highest operation status seen.
    pub status: OperationStatus,
    /// The highest business status seen (unknown values only when no known
    /// value was seen).
    pub details_status: Option<String>,
    /// From the greatest notification carrying it.
    pub production_site: Option<Value>,
    /// From the greatest notification carrying it.
    pub shipment: Option<ShipmentView>,
    /// The earliest `startTime` seen, as given.
    pub start_time: String,
    /// From the greatest notification carrying it, as given.
    pub end_time: Option<String>,
    /// From the greatest `FAILED` notification.
    pub error_code: Option<String>,
    /// From the greatest `FAILED` notification.
    pub error: Option<String>,
    /// The issuer's correlation id (`issuerRequestId`, or where a `PRODUCE`
    /// notification may carry it, `details.issuerRequestId`), from the
    /// greatest notification carrying it.
    pub issuer_request_id: Option<String>,
    /// `details.reason` (why a data or production exception happened),
    /// from the greatest notification carrying it.
    pub reason: Option<String>,
    /// `details.dueDate` (the estimated shipment date, as given), from the
    /// greatest notification carrying it.
    pub due_date: Option<String>,
    /// `inputFileName` (or `details.inputFileName`): the issuer's input file,
    /// from the greatest notification carrying it.
    pub input_file_name: Option<String>,
    /// Members of `details` this version does not know, as given, from the
    /// greatest notification that has some (omitted when none).
    #[serde(skip_serializing_if = "Map::is_empty")]
    pub extra: Map<String, Value>,
    /// How many distinct notifications are kept.
    pub notifications: usize,
    /// Both `SUCCESSFUL` and `FAILED` were seen, or the same `operationId`
    /// was also seen with another tracking type: the host should reconcile.
    pub conflict: bool,
}

/// `details.shipment` as shown, with the normalised `phase`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ShipmentView {
    /// Carrier code, as given.
    pub carrier: Option<String>,
    /// Tracking number, as given.
    pub tracking_number: Option<String>,
    /// Carrier status, as given.
    pub status: Option<String>,
    /// `status` normalised (`UNKNOWN` when absent or not recognised).
    pub phase: ShipmentPhase,
    /// Display text, as given.
    pub message: Option<String>,
    /// Tracking page, as given.
    pub tracking_url: Option<String>,
    /// Fields this version does not know, as given (omitted when none).
    #[serde(skip_serializing_if = "Map::is_empty")]
    pub extra: Map<String, Value>,
}

/// One operation of a card, current or not (see
/// [`Tracker::operations`](crate::Tracker::operations)).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct OperationView {
    /// The operation's kind.
    pub tracking_type: TrackingType,
    /// Whether it is the one [`CardView::trackings`] shows.
    pub current: bool,
    /// Its view.
    #[serde(flatten)]
    pub view: TrackingView,
}

d1_words! {
    /// Where a card is, summarised.
    pub enum Phase {
        /// The host asked D1 to track the card; no notification yet.
        TrackingRequested = "TRACKING_REQUESTED";
        /// D1 is tracking the card but has reported nothing this table ranks yet.
        Tracking = "TRACKING";
        /// Production has started and is not finished (a business status
        /// before `CARD_PROD_DONE`).
        InProduction = "IN_PRODUCTION";
        /// Production is done (`CARD_PROD_DONE`, or PRODUCTION `SUCCESSFUL`
        /// without a business status), not yet shipped.
        Produced = "PRODUCED";
        /// Shipped (`CARD_SHIPPED`, or a shipment the carrier has not moved yet).
        Shipped = "SHIPPED";
        /// The carrier has the parcel.
        InTransit = "IN_TRANSIT";
        /// Out for delivery.
        OutForDelivery = "OUT_FOR_DELIVERY";
        /// Waiting at a pick-up point.
        AvailableForPickup = "AVAILABLE_FOR_PICKUP";
        /// The carrier reports a problem (exception, failed attempt, expired).
        DeliveryException = "DELIVERY_EXCEPTION";
        /// Delivered.
        Delivered = "DELIVERED";
        /// The carrier is bringing the card back to the sender
        /// (`ReturnToSender`).
        Returning = "RETURNING";
        /// Production was cancelled (`CARD_PROD_CANCELED`).
        Canceled = "CANCELED";
        /// Nothing physical is known, and an operation failed.
        Failed = "FAILED";
        /// The card came back (`CARD_RETURNED`, the RETURN tracking succeeded,
        /// or the carrier delivered a parcel it was returning to the sender).
        Returned = "RETURNED";
        /// Production reported an exception (`DATA_EXCEPTION`,
        /// `CARD_PROD_EXCEPTION`).
        ProductionException = "PRODUCTION_EXCEPTION";
    }
}
