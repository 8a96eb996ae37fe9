//! The table of a view's fields: each field's JSON name and where it comes
//! from ([`VIEW_FIELDS`]), and one field as read ([`FieldRef`]).
//!
//! The fields a D1 member feeds come from the member table
//! (`wire/members.rs`, its `view` rows); the view's own fields are listed
//! here. The comparison that tells `applied` from `recorded`
//! (`ViewRef::same`), the list of `changes` (`diff.rs`) and the owned view
//! (`ViewRef::to_view`) are derived from it.

use super::shipment::{unknown_members, ShipmentRef};
use crate::store::{CompactValue, Witness};
use crate::wire::{d1_members, Member, Place};

/// Where a field of the view comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Source {
    /// The operation id.
    OperationId,
    /// The highest operation status (the top notification's).
    Status,
    /// The conflict flag.
    Conflict,
    /// The earliest `startTime`, as given.
    StartTime,
    /// A string member of the witness's notification.
    Text(Witness, Member),
    /// A string member of the witness's notification, at the first place
    /// it has it.
    TextEither(Witness, Member, Member),
    /// The unknown members of the witness's `details`.
    Extra(Witness),
    /// Any JSON member of the witness's notification.
    Json(Witness, Member),
    /// The witness's shipment object.
    Shipment(Witness),
}

impl Source {
    /// The witness this field is read from, if any.
    pub(crate) const fn witness(self) -> Option<Witness> {
        match self {
            Source::Text(w, _)
            | Source::TextEither(w, _, _)
            | Source::Extra(w)
            | Source::Json(w, _) => Some(w),
            // Each member of the shipment has its own witness: compared
            // as read.
            Source::Shipment(_) => None,
            Source::StartTime => Some(Witness::StartTime),
            Source::OperationId | Source::Status | Source::Conflict => None,
        }
    }
}

/// The view's own fields: those no single D1 member feeds.
const OWN_FIELDS: [(&str, Source); 5] = [
    ("conflict", Source::Conflict),
    ("extra", Source::Extra(Witness::Extra)),
    ("operationId", Source::OperationId),
    ("startTime", Source::StartTime),
    ("status", Source::Status),
];

/// The source of a member's view field, by the member's kind: the one
/// object a view shows is the shipment; `or` names the member a text falls
/// back to.
macro_rules! member_source {
    (Object, $witness:ident, $name:ident) => {
        $crate::view::fields::Source::Shipment($crate::store::Witness::$witness)
    };
    (Json, $witness:ident, $name:ident) => {
        $crate::view::fields::Source::Json(
            $crate::store::Witness::$witness,
            $crate::wire::Member::$name,
        )
    };
    ($kind:ident, $witness:ident, $name:ident, $other:ident) => {
        $crate::view::fields::Source::TextEither(
            $crate::store::Witness::$witness,
            $crate::wire::Member::$name,
            $crate::wire::Member::$other,
        )
    };
    ($kind:ident, $witness:ident, $name:ident) => {
        $crate::view::fields::Source::Text(
            $crate::store::Witness::$witness,
            $crate::wire::Member::$name,
        )
    };
}

pub(crate) use member_source;

/// The owned value of a field, by its member's kind.
macro_rules! owned_field {
    (Object, $field:expr) => {
        $field.into_shipment()
    };
    (Json, $field:expr) => {
        $field.into_json()
    };
    ($kind:ident, $field:expr) => {
        $field.into_text()
    };
}
pub(crate) use owned_field;

macro_rules! member_fields {
    (
        $(
            $section:ident {
                $(
                    $(#[$doc:meta])*
                    $name:ident => $key:literal $kind:ident $kept:ident $($fact:ident)?
                    $(, view $field:ident $json:literal $(by $witness:ident $(or $other:ident)?)?)?;
                )*
            }
        )*
    ) => {
        /// The fields D1's members feed (the table's `view` rows with a
        /// witness), in the table's order.
        const MEMBER_FIELDS: &[(&str, Source)] = &[
            $($($($(($json, member_source!($kind, $witness, $name $(, $other)?)),)?)?)*)*
        ];

        /// The source of the view field `member` feeds, if any.
        pub(crate) const fn source_of(member: Member) -> Option<Source> {
            match member {
                $($($($(Member::$name => Some(member_source!($kind, $witness, $name $(, $other)?)),)?)?)*)*
                _ => None,
            }
        }

    };
}

d1_members!(member_fields);

const FIELD_COUNT: usize = OWN_FIELDS.len() + MEMBER_FIELDS.len();

/// The view's fields as its JSON names them, sorted by name (the order of
/// `changes`), without `notifications` (a count of history, not status).
/// Adding a field that a D1 member feeds is a row of the member table
/// (`wire/members.rs`) and a field of [`TrackingView`](super::TrackingView).
pub(crate) const VIEW_FIELDS: &[(&str, Source)] =
    &sorted::<FIELD_COUNT>(&OWN_FIELDS, MEMBER_FIELDS);

/// True when `a` sorts strictly before `b`, bytewise.
const fn before(mut a: &[u8], mut b: &[u8]) -> bool {
    loop {
        match (a.split_first(), b.split_first()) {
            (Some((x, rest_a)), Some((y, rest_b))) => {
                if *x != *y {
                    return *x < *y;
                }
                (a, b) = (rest_a, rest_b);
            }
            (None, rest) => return rest.is_some(),
            (Some(_), None) => return false,
        }
    }
}

/// The fields of `a` and `b` sorted by name (at compile time): each slot
/// takes the smallest name after the previous slot's. A name given twice
/// leaves a slot unfilled, which [`sorted_by_name`] then refuses.
const fn sorted<const N: usize>(
    a: &[(&'static str, Source)],
    b: &[(&'static str, Source)],
) -> [(&'static str, Source); N] {
    let mut out = [("", Source::Status); N];
    let mut last: Option<&str> = None;
    let mut slots: &mut [(&str, Source)] = &mut out;
    while let [slot, rest @ ..] = slots {
        let mut best: Option<(&'static str, Source)> = None;
        let mut half = 0;
        while half < 2 {
            let mut scan = if half == 0 { a } else { b };
            while let [(name, source), tail @ ..] = scan {
                let after_last = match last {
                    None => true,
                    Some(l) => before(l.as_bytes(), name.as_bytes()),
                };
                let smaller = match best {
                    None => true,
                    Some((n, _)) => before(name.as_bytes(), n.as_bytes()),
                };
                if after_last && smaller {
                    best = Some((*name, *source));
                }
                scan = tail;
            }
            half += 1;
        }
        if let Some(found) = best {
            *slot = found;
            last = Some(found.0);
        }
        slots = rest;
    }
    out
}

/// True when the names are sorted bytewise, each once.
// Used by the const assertion below, which rustc 1.85 (the crate's
// `rust-version`) does not count as a use.
#[allow(dead_code)]
const fn sorted_by_name(fields: &[(&str, Source)]) -> bool {
    let mut rest = fields;
    while let Some(((name, _), tail)) = rest.split_first() {
        if let Some(((next, _), _)) = tail.split_first() {
            if !before(name.as_bytes(), next.as_bytes()) {
                return false;
            }
        }
        rest = tail;
    }
    true
}

const _: () = assert!(
    sorted_by_name(VIEW_FIELDS),
    "a view field is named twice (the member table and OWN_FIELDS)"
);

/// One field of a view, borrowed; `Null` when absent (as the JSON shows it).
#[derive(Debug, Clone, Copy)]
pub(crate) enum FieldRef<'a> {
    Null,
    Bool(bool),
    Str(&'a str),
    Json(CompactValue<'a>),
    Shipment(ShipmentRef<'a>),
    /// A `details` object with unknown members (the view shows those).
    Extra(CompactValue<'a>),
}

impl PartialEq for FieldRef<'_> {
    /// Equal as the view shows them: two `details` objects by their unknown
    /// members only (read only when their bytes differ).
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (FieldRef::Null, FieldRef::Null) => true,
            (FieldRef::Bool(a), FieldRef::Bool(b)) => a == b,
            (FieldRef::Str(a), FieldRef::Str(b)) => a == b,
            (FieldRef::Json(a), FieldRef::Json(b)) => a == b,
            (FieldRef::Shipment(a), FieldRef::Shipment(b)) => a == b,
            (FieldRef::Extra(a), FieldRef::Extra(b)) => {
                a == b || a.same_members_but(*b, Place::Details)
            }
            _ => false,
        }
    }
}

impl<'a> FieldRef<'a> {
    /// The field as JSON.
    pub(crate) fn to_value(self) -> serde_json::Value {
        use serde_json::Value;
        match self {
            FieldRef::Null => Value::Null,
            FieldRef::Bool(b) => Value::Bool(b),
            FieldRef::Str(s) => Value::from(s),
            FieldRef::Json(v) => v.to_value(),
            FieldRef::Shipment(s) => s.to_value(),
            FieldRef::Extra(d) => Value::Object(unknown_members(Some(d), Place::Details)),
        }
    }

    /// A text field's text.
    pub(crate) fn text(self) -> Option<&'a str> {
        match self {
            FieldRef::Str(s) => Some(s),
            _ => None,
        }
    }

    /// A text field, owned.
    pub(crate) fn into_text(self) -> Option<String> {
        self.text().map(str::to_string)
    }

    /// A JSON field, parsed.
    pub(crate) fn into_json(self) -> Option<serde_json::Value> {
        match self {
            FieldRef::Json(v) => Some(v.to_value()),
            _ => None,
        }
    }

    /// The shipment, owned.
    pub(crate) fn into_shipment(self) -> Option<super::ShipmentView> {
        match self {
            FieldRef::Shipment(s) => Some(s.to_view()),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests;
