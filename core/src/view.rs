//! The read-only views: what a host shows and acts on. They serialise to the
//! JSON every binding returns (camelCase keys).

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::{Map, Value};

use crate::encoding::Raw;
use crate::model::{OperationStatus, ShipmentPhase, TrackingType};
use crate::phase::Phase;

/// The view of one card: its current operation per tracking type, and a
/// one-word [`Phase`].
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
pub struct CardView {
    /// The card.
    pub card_id: String,
    /// One entry per tracking type seen, for its current operation (the one
    /// with the greatest `startTime`, then `operationId`).
    pub trackings: BTreeMap<TrackingType, TrackingView>,
    /// The card's phase, a function of `trackings` (see [`Phase`]).
    pub phase: Phase,
}

/// The view of one operation (DESIGN 2.3): every field is a join of its own.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
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
    /// How many distinct notifications are kept.
    pub notifications: usize,
    /// Both `SUCCESSFUL` and `FAILED` were seen, or the same `operationId`
    /// was also seen with another tracking type: the host should reconcile.
    pub conflict: bool,
}

/// `details.shipment` as shown, with the normalised `phase`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
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

/// A [`ShipmentView`] borrowed from the notification that defines it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ShipmentRef<'a> {
    pub(crate) carrier: Option<&'a str>,
    pub(crate) tracking_number: Option<&'a str>,
    pub(crate) status: Option<&'a str>,
    pub(crate) phase: ShipmentPhase,
    pub(crate) message: Option<&'a str>,
    pub(crate) tracking_url: Option<&'a str>,
    /// The whole shipment object, when it has members this version does not
    /// know (they are read from it only when shown).
    pub(crate) extra: Option<Raw<'a>>,
}

/// The shipment members the view names; any other goes to `extra`.
pub(crate) const KNOWN_SHIPMENT_FIELDS: [&str; 5] = [
    "carrier",
    "trackingNumber",
    "status",
    "message",
    "trackingUrl",
];

fn extra_of(object: Option<Raw<'_>>) -> Map<String, Value> {
    match object.map(Raw::to_value) {
        Some(Value::Object(map)) => map
            .into_iter()
            .filter(|(k, _)| !KNOWN_SHIPMENT_FIELDS.contains(&k.as_str()))
            .collect(),
        _ => Map::new(),
    }
}

impl ShipmentRef<'_> {
    /// The owned view.
    pub(crate) fn to_view(self) -> ShipmentView {
        ShipmentView {
            carrier: self.carrier.map(str::to_string),
            tracking_number: self.tracking_number.map(str::to_string),
            status: self.status.map(str::to_string),
            phase: self.phase,
            message: self.message.map(str::to_string),
            tracking_url: self.tracking_url.map(str::to_string),
            extra: extra_of(self.extra),
        }
    }

    /// The view as JSON, built directly (what serialising
    /// [`to_view`](Self::to_view) gives, without the owned view between).
    pub(crate) fn to_value(self) -> Value {
        let text = |s: Option<&str>| s.map_or(Value::Null, Value::from);
        let mut map = Map::new();
        map.insert("carrier".into(), text(self.carrier));
        map.insert("trackingNumber".into(), text(self.tracking_number));
        map.insert("status".into(), text(self.status));
        map.insert("phase".into(), Value::from(self.phase.as_str()));
        map.insert("message".into(), text(self.message));
        map.insert("trackingUrl".into(), text(self.tracking_url));
        let extra = extra_of(self.extra);
        if !extra.is_empty() {
            map.insert("extra".into(), Value::Object(extra));
        }
        Value::Object(map)
    }
}

impl PartialEq for ShipmentRef<'_> {
    /// Equal when the views are: the known fields, and the unknown members
    /// (compared as JSON only when the objects' bytes differ).
    fn eq(&self, other: &Self) -> bool {
        self.carrier == other.carrier
            && self.tracking_number == other.tracking_number
            && self.status == other.status
            && self.message == other.message
            && self.tracking_url == other.tracking_url
            && match (self.extra, other.extra) {
                (None, None) => true,
                (Some(a), Some(b)) => a == b || extra_of(Some(a)) == extra_of(Some(b)),
                _ => false,
            }
    }
}

/// One operation of a card, current or not (see
/// [`Tracker::operations`](crate::Tracker::operations)).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OperationView {
    /// The operation's tracking type.
    pub tracking_type: TrackingType,
    /// Whether it is the one [`CardView::trackings`] shows.
    pub current: bool,
    /// Its view.
    #[serde(flatten)]
    pub view: TrackingView,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipment_json_is_the_serialised_view() {
        let base = ShipmentRef {
            carrier: Some("ups"),
            tracking_number: None,
            status: Some("In \"transit\""),
            phase: ShipmentPhase::InTransit,
            message: Some(""),
            tracking_url: None,
            extra: None,
        };
        for s in [
            base,
            ShipmentRef {
                carrier: None,
                ..base
            },
        ] {
            assert_eq!(s.to_value(), serde_json::to_value(s.to_view()).unwrap());
        }
    }
}
