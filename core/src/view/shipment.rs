//! A view's shipment, borrowed from the notification that defines it; its
//! fields, equality and JSON are expanded from the member table's shipment
//! rows (`wire/members.rs`).

use serde_json::{Map, Value};

use super::types::ShipmentView;
use crate::store::{CompactValue, Stored};
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
            /// The shipment of `s`, when it carries one.
            pub(crate) fn of(s: &'a Stored) -> Option<ShipmentRef<'a>> {
                let e = s.encoded();
                e.has(Member::Shipment).then(|| ShipmentRef {
                    $($field: e.text(Member::$name),)*
                    phase: s.shipment_phase(),
                    // Measured only when there is something unknown to show.
                    extra: if s.shipment_extra() {
                        e.raw(Member::Shipment)
                    } else {
                        None
                    },
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
            /// Equal when the views are: the members, and the unknown ones
            /// (compared as JSON only when the objects' bytes differ). The
            /// phase follows from `status`.
            fn eq(&self, other: &Self) -> bool {
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
