//! A view's shipment, borrowed from the notification that defines it.

use serde_json::{Map, Value};

use super::types::ShipmentView;
use crate::store::{Field, Raw, Stored};
use crate::wire::{ShipmentPhase, KNOWN_SHIPMENT_FIELDS};

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

impl<'a> ShipmentRef<'a> {
    /// The shipment of `s`, when it carries one.
    pub(crate) fn of(s: &'a Stored) -> Option<ShipmentRef<'a>> {
        let e = s.encoded();
        e.has(Field::Shipment).then(|| ShipmentRef {
            carrier: e.text(Field::Carrier),
            tracking_number: e.text(Field::TrackingNumber),
            status: e.text(Field::ShipmentStatus),
            phase: s.shipment_phase(),
            message: e.text(Field::Message),
            tracking_url: e.text(Field::TrackingUrl),
            // Measured only when there is something unknown to show.
            extra: if s.shipment_extra() {
                e.raw(Field::Shipment)
            } else {
                None
            },
        })
    }
}

fn extra_of(object: Option<Raw<'_>>) -> Map<String, Value> {
    unknown_members(object, &KNOWN_SHIPMENT_FIELDS)
}

/// The members of `object` not in `known` (for a shipment's and a
/// `details`' `extra`).
pub(crate) fn unknown_members(object: Option<Raw<'_>>, known: &[&str]) -> Map<String, Value> {
    match object.map(Raw::to_value) {
        Some(Value::Object(map)) => map
            .into_iter()
            .filter(|(k, _)| !known.contains(&k.as_str()))
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
