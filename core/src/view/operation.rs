//! The view of one operation, borrowed from the notifications that define it
//! (its witnesses); each field is read where the field table
//! (`fields.rs`) says it comes from.

use super::fields::{member_source, owned_field, source_of, FieldRef, Source, VIEW_FIELDS};
use super::shipment::{unknown_members, ShipmentRef, SHIPMENT_WITNESSES};
use super::types::TrackingView;
#[cfg(test)]
use crate::store::OperationState;
use crate::store::{Start, Stored, Witness, Witnesses};
use crate::wire::{d1_members, Member, OperationStatus, Place, ShipmentPhase, TrackingType};

/// The view of one operation, borrowed from the notifications that define
/// it; a field is read from its notification only when asked for.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ViewRef<'a> {
    /// The operation's kind (the entry of the card view it is shown under).
    pub(crate) kind: TrackingType,
    pub(crate) operation_id: &'a str,
    pub(crate) status: OperationStatus,
    pub(crate) notifications: usize,
    pub(crate) conflict: bool,
    top: &'a Stored,
    w: Witnesses<&'a Stored>,
}

impl<'a> ViewRef<'a> {
    /// The view of `state` as it is, or as it would be once `pending` (a
    /// new, distinct notification of this operation) is folded.
    /// `conflict_elsewhere` is the card-level conflict (the same
    /// `operationId` under another tracking type).
    #[cfg(test)]
    pub(crate) fn of(
        kind: TrackingType,
        state: &'a OperationState,
        operation_id: &'a str,
        pending: Option<&'a Stored>,
        conflict_elsewhere: bool,
    ) -> Option<ViewRef<'a>> {
        let (w, count) = state.witnesses_with(pending);
        Self::from_witnesses(kind, w, operation_id, count, conflict_elsewhere)
    }

    /// The view of the notifications whose witnesses are `w`.
    pub(crate) fn from_witnesses(
        kind: TrackingType,
        w: Witnesses<&'a Stored>,
        operation_id: &'a str,
        notifications: usize,
        conflict_elsewhere: bool,
    ) -> Option<ViewRef<'a>> {
        let top = w.get(Witness::Top)?;
        let both = w.get(Witness::LastSuccessful).is_some() && w.get(Witness::LastFailed).is_some();
        Some(ViewRef {
            kind,
            operation_id,
            // The greatest key has the highest status: status leads the key.
            status: top.status(),
            notifications,
            conflict: conflict_elsewhere || both,
            top,
            w,
        })
    }

    /// The notifications that define this view.
    pub(crate) fn witnesses(&self) -> Witnesses<&'a Stored> {
        self.w
    }

    /// One field, read from where [`VIEW_FIELDS`] says it comes from.
    pub(crate) fn field(&self, source: Source) -> FieldRef<'a> {
        let text = |s: Option<&'a str>| s.map_or(FieldRef::Null, FieldRef::Str);
        match source {
            Source::OperationId => FieldRef::Str(self.operation_id),
            Source::Status => FieldRef::Str(self.status.as_str()),
            Source::Conflict => FieldRef::Bool(self.conflict),
            Source::StartTime => FieldRef::Str(self.start_time()),
            Source::Text(w, member) => text(self.w.get(w).and_then(|s| s.encoded().text(member))),
            Source::TextEither(w, a, b) => text(self.text_either(w, a, b)),
            Source::Extra(w) => self
                .w
                .get(w)
                .and_then(|s| s.encoded().raw(Member::Details))
                .map_or(FieldRef::Null, FieldRef::Extra),
            Source::Json(w, field) => self
                .w
                .get(w)
                .and_then(|s| s.encoded().raw(field))
                .map_or(FieldRef::Null, FieldRef::Json),
            Source::Shipment(_) => {
                ShipmentRef::of(&self.w).map_or(FieldRef::Null, FieldRef::Shipment)
            }
        }
    }

    fn text_either(&self, witness: Witness, a: Member, b: Member) -> Option<&'a str> {
        let e = self.w.get(witness)?.encoded();
        e.text(a).or_else(|| e.text(b))
    }

    /// The view field `member` feeds, as text (see the member table).
    pub(crate) fn text_of(&self, member: Member) -> Option<&'a str> {
        source_of(member).and_then(|source| self.field(source).text())
    }

    /// `detailsStatus`.
    pub(crate) fn details_status(&self) -> Option<&'a str> {
        self.text_of(Member::DetailsStatus)
    }

    /// The operation's carrier event: the greatest notification with a
    /// recognised carrier status, in the carrier order (README, "Phase").
    pub(crate) fn carrier_event(&self) -> Option<&'a Stored> {
        self.w.get(Witness::CarrierEvent)
    }

    /// The notification whose carrier status the shipment shows.
    pub(crate) fn carrier_status_witness(&self) -> Option<&'a Stored> {
        self.w.get(Witness::ShipmentStatus)
    }

    /// The operation's start: the earliest `startTime` (orders operations).
    pub(crate) fn start(&self) -> Start<'a> {
        self.w.get(Witness::StartTime).unwrap_or(self.top).start()
    }

    /// `shipment`.
    pub(crate) fn shipment(&self) -> Option<ShipmentRef<'a>> {
        match source_of(Member::Shipment).map(|source| self.field(source)) {
            Some(FieldRef::Shipment(s)) => Some(s),
            _ => None,
        }
    }

    /// The shipment's phase, without reading its text.
    pub(crate) fn shipment_phase(&self) -> Option<ShipmentPhase> {
        self.w.get(Witness::Shipment)?;
        Some(
            self.carrier_event()
                .map_or(ShipmentPhase::Unknown, Stored::shipment_phase),
        )
    }

    /// `startTime`: the earliest, as given.
    pub(crate) fn start_time(&self) -> &'a str {
        self.start().text()
    }

    /// `endTime`.
    pub(crate) fn end_time(&self) -> Option<&'a str> {
        self.text_of(Member::EndTime)
    }

    /// `errorCode`, from the greatest `FAILED` notification.
    pub(crate) fn error_code(&self) -> Option<&'a str> {
        self.text_of(Member::ErrorCode)
    }

    /// `error`, from the greatest `FAILED` notification.
    pub(crate) fn error(&self) -> Option<&'a str> {
        self.text_of(Member::Error)
    }

    /// The unknown members of `details` (empty when none).
    pub(crate) fn extra(&self) -> serde_json::Map<String, serde_json::Value> {
        match self.field(Source::Extra(Witness::Extra)) {
            FieldRef::Extra(d) => unknown_members(Some(d), Place::Details),
            _ => serde_json::Map::new(),
        }
    }

    /// Equal as views, `notifications` aside. A field whose notification
    /// is the same on both sides is equal without being read.
    pub(crate) fn same(&self, other: &ViewRef<'_>) -> bool {
        // The fields the view holds itself first: the cheapest, and the
        // status is the likeliest to differ.
        self.kind == other.kind
            && self.operation_id == other.operation_id
            && self.status == other.status
            && self.conflict == other.conflict
            && VIEW_FIELDS.iter().all(|(_, source)| {
                let Some(w) = source.witness() else {
                    // The shipment's members have witnesses of their own:
                    // equal without reading when they are the same.
                    return !matches!(source, Source::Shipment(_))
                        || SHIPMENT_WITNESSES
                            .iter()
                            .all(|w| same_notification(self.w.get(*w), other.w.get(*w)))
                        || self.field(*source) == other.field(*source);
                };
                same_notification(self.w.get(w), other.w.get(w))
                    || self.field(*source) == other.field(*source)
            })
    }
}

/// True when two witnesses are the same notification (or both absent).
fn same_notification(a: Option<&Stored>, b: Option<&Stored>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => std::ptr::eq(a, b),
        (None, None) => true,
        _ => false,
    }
}

/// The owned view: the view's own fields, and each field a member feeds
/// (the member table's `view` rows), read from its source.
macro_rules! to_view {
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
        impl ViewRef<'_> {
            /// The owned view.
            pub(crate) fn to_view(self) -> TrackingView {
                TrackingView {
                    operation_id: self.operation_id.to_string(),
                    status: self.status,
                    start_time: self.start_time().to_string(),
                    extra: self.extra(),
                    notifications: self.notifications,
                    conflict: self.conflict,
                    $($($($(
                        $field: owned_field!(
                            $kind,
                            self.field(member_source!($kind, $witness, $name $(, $other)?))
                        ),
                    )?)?)*)*
                }
            }
        }
    };
}

d1_members!(to_view);

#[cfg(test)]
mod tests;
