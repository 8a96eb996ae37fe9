//! A view's shipment, borrowed from the notification that defines it; its
//! fields, equality and JSON are expanded from the member table's shipment
//! rows (`wire/members.rs`).

use serde_json::{Map, Value};

use super::types::ShipmentView;
use crate::store::{CompactValue, Stored, Witness, Witnesses};
use crate::wire::{d1_members, is_known, Kind, Member, Place, ShipmentPhase};

macro_rules! shipment_ref {
    (
        top { $($top:tt)* }
        details { $($details:tt)* }
        shipment {
            $(
                $(#[$doc:meta])*
                $name:ident => $key:literal $kind:ident $kept:ident $($fact:ident)?
                , view $field:ident $json:literal;
            )*
        }
    ) => {
        /// A [`ShipmentView`] borrowed from the notification that defines it.
        #[derive(Debug, Clone, Copy)]
        pub(crate) struct ShipmentRef<'a> {
            $($(#[$doc])* pub(crate) $field: Option<&'a str>,)*
            /// `status` normalised.
            pub(crate) phase: ShipmentPhase,
            /// The whole shipment object, when it has members this version
            /// does not know (they are read from it only when shown).
            pub(crate) extra: Option<CompactValue<'a>>,
        }

        /// Every shipment member is text: the view shows each as a string.
        const _: () = {
            let mut members: &[Member] = &[$(Member::$name),*];
            while let [m, rest @ ..] = members {
                assert!(matches!(m.kind(), Kind::Code | Kind::Word | Kind::Text), "a shipment member that is not text");
                members = rest;
            }
        };

        impl<'a> ShipmentRef<'a> {
            /// The shipment of the operation whose witnesses are `w`, when
            /// one of its notifications carries one: each member from its
            /// own witness (README, "The shipment").
            pub(crate) fn of(w: &Witnesses<&'a Stored>) -> Option<ShipmentRef<'a>> {
                w.get(Witness::Shipment)?;
                Some(ShipmentRef {
                    $($field: w.get(witness_of(Member::$name)).and_then(|s| s.shipment_text(Member::$name)),)*
                    phase: w.get(Witness::CarrierEvent).map_or(ShipmentPhase::Unknown, Stored::shipment_phase),
                    // Measured only when there is something unknown to show.
                    extra: w.get(Witness::ShipmentExtra).and_then(|s| s.encoded().raw(Member::Shipment)),
                })
            }

            /// The owned view.
            pub(crate) fn to_view(self) -> ShipmentView {
                ShipmentView {
                    $($field: self.$field.map(str::to_string),)*
                    phase: self.phase,
                    extra: extra_of(self.extra),
                }
            }

            /// The view as JSON, built directly (what serialising
            /// [`to_view`](Self::to_view) gives, without the owned view
            /// between): the members in the table's order, `phase` after
            /// the `status` it normalises.
            pub(crate) fn to_value(self) -> Value {
                let text = |s: Option<&str>| s.map_or(Value::Null, Value::from);
                let mut map = Map::new();
                $(
                    map.insert($json.into(), text(self.$field));
                    if $json == "status" {
                        map.insert("phase".into(), Value::from(self.phase.as_str()));
                    }
                )*
                let extra = extra_of(self.extra);
                if !extra.is_empty() {
                    map.insert("extra".into(), Value::Object(extra));
                }
                Value::Object(map)
            }
        }

        impl PartialEq for ShipmentRef<'_> {
            /// Equal when the views are: the members, the phase (the last
            /// stage known, which the shown status need not be), and the
            /// unknown members (compared as JSON only when the objects'
            /// bytes differ).
            fn eq(&self, other: &Self) -> bool {
                self.phase == other.phase &&
                $(self.$field == other.$field &&)*
                match (self.extra, other.extra) {
                    (None, None) => true,
                    (Some(a), Some(b)) => a == b || extra_of(Some(a)) == extra_of(Some(b)),
                    _ => false,
                }
            }
        }
    };
}

d1_members!(shipment_ref);

/// Every witness a shipment view is read from (`witness_of`'s, the
/// existence, the phase and the unknown members).
pub(crate) const SHIPMENT_WITNESSES: [Witness; 8] = [
    Witness::Shipment,
    Witness::ShipmentStatus,
    Witness::CarrierEvent,
    Witness::ShipmentCarrier,
    Witness::ShipmentTrackingNumber,
    Witness::ShipmentMessage,
    Witness::ShipmentTrackingUrl,
    Witness::ShipmentExtra,
];

/// The witness that defines a shipment member's field: each member is a
/// join of its own (README, "The shipment"), the status in the carrier
/// order, the others by instant.
const fn witness_of(member: Member) -> Witness {
    match member {
        Member::ShipmentStatus => Witness::ShipmentStatus,
        Member::Carrier => Witness::ShipmentCarrier,
        Member::TrackingNumber => Witness::ShipmentTrackingNumber,
        Member::Message => Witness::ShipmentMessage,
        Member::TrackingUrl => Witness::ShipmentTrackingUrl,
        _ => Witness::Shipment,
    }
}

fn extra_of(object: Option<CompactValue<'_>>) -> Map<String, Value> {
    unknown_members(object, Place::Shipment)
}

/// The members of `object` that `place` does not name (for a shipment's
/// and a `details`' `extra`).
pub(crate) fn unknown_members(
    object: Option<CompactValue<'_>>,
    place: Place,
) -> Map<String, Value> {
    match object.map(CompactValue::to_value) {
        Some(Value::Object(map)) => map
            .into_iter()
            .filter(|(k, _)| !is_known(place, k))
            .collect(),
        _ => Map::new(),
    }
}
