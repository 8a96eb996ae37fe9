//! The view of one operation, borrowed from the notifications that define it
//! (its witnesses), and the table of its fields.
//!
//! Every field the view shows is declared once, in [`VIEW_FIELDS`]: its JSON
//! name and where it comes from. The getters, the comparison that tells
//! `applied` from `recorded` ([`ViewRef::same`]) and the list of `changes`
//! (`diff.rs`) are derived from the table.

use super::shipment::{unknown_members, ShipmentRef};
use super::types::TrackingView;
#[cfg(test)]
use crate::store::OperationState;
use crate::store::{Field, Raw, Start, Stored, Witness, Witnesses};
use crate::wire::{OperationStatus, TrackingType, KNOWN_DETAILS_FIELDS};

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
    Text(Witness, Field),
    /// A string member of the witness's notification, at the first place
    /// it has it.
    TextEither(Witness, Field, Field),
    /// The unknown members of the witness's `details`.
    Extra(Witness),
    /// Any JSON member of the witness's notification.
    Json(Witness, Field),
    /// The witness's shipment object.
    Shipment(Witness),
}

impl Source {
    /// The witness this field is read from, if any.
    const fn witness(self) -> Option<Witness> {
        match self {
            Source::Text(w, _)
            | Source::TextEither(w, _, _)
            | Source::Extra(w)
            | Source::Json(w, _)
            | Source::Shipment(w) => Some(w),
            Source::StartTime => Some(Witness::StartTime),
            Source::OperationId | Source::Status | Source::Conflict => None,
        }
    }
}

/// The view's fields as its JSON names them, sorted by name (the order of
/// `changes`), without `notifications` (a count of history, not status).
/// Adding a field: one row here, one field of [`TrackingView`] (and, for a
/// new member of D1's notification, one row of the encoder's field table).
pub(crate) const VIEW_FIELDS: &[(&str, Source)] = &[
    ("conflict", Source::Conflict),
    (
        "detailsStatus",
        Source::Text(Witness::DetailsStatus, Field::DetailsStatus),
    ),
    ("dueDate", Source::Text(Witness::DueDate, Field::DueDate)),
    ("endTime", Source::Text(Witness::EndTime, Field::EndTime)),
    ("error", Source::Text(Witness::LastFailed, Field::Error)),
    (
        "errorCode",
        Source::Text(Witness::LastFailed, Field::ErrorCode),
    ),
    ("extra", Source::Extra(Witness::Extra)),
    (
        "inputFileName",
        Source::TextEither(
            Witness::InputFileName,
            Field::InputFileName,
            Field::DetailsInputFileName,
        ),
    ),
    (
        "issuerRequestId",
        Source::TextEither(
            Witness::IssuerRequestId,
            Field::IssuerRequestId,
            Field::DetailsIssuerRequestId,
        ),
    ),
    ("operationId", Source::OperationId),
    (
        "productionSite",
        Source::Json(Witness::ProductionSite, Field::ProductionSite),
    ),
    ("reason", Source::Text(Witness::Reason, Field::Reason)),
    ("shipment", Source::Shipment(Witness::Shipment)),
    ("startTime", Source::StartTime),
    ("status", Source::Status),
];

/// True when `a` sorts strictly before `b`, bytewise.
// Used by the const assertion below, which rustc 1.85 (the crate's
// `rust-version`) does not count as a use.
#[allow(dead_code)]
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

/// True when the names are sorted bytewise (checked at compile time).
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
    "VIEW_FIELDS must be sorted by name"
);

/// One field of a view, borrowed; `Null` when absent (as the JSON shows it).
#[derive(Debug, Clone, Copy)]
pub(crate) enum FieldRef<'a> {
    Null,
    Bool(bool),
    Str(&'a str),
    Json(Raw<'a>),
    Shipment(ShipmentRef<'a>),
    /// A `details` object with unknown members (the view shows those).
    Extra(Raw<'a>),
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
                a == b || a.same_members_but(*b, &KNOWN_DETAILS_FIELDS)
            }
            _ => false,
        }
    }
}

impl FieldRef<'_> {
    /// The field as JSON.
    pub(crate) fn to_value(self) -> serde_json::Value {
        use serde_json::Value;
        match self {
            FieldRef::Null => Value::Null,
            FieldRef::Bool(b) => Value::Bool(b),
            FieldRef::Str(s) => Value::from(s),
            FieldRef::Json(v) => v.to_value(),
            FieldRef::Shipment(s) => s.to_value(),
            FieldRef::Extra(d) => Value::Object(unknown_members(Some(d), &KNOWN_DETAILS_FIELDS)),
        }
    }
}

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
            Source::Text(w, field) => text(self.w.get(w).and_then(|s| s.encoded().text(field))),
            Source::TextEither(w, a, b) => text(self.text_either(w, a, b)),
            Source::Extra(w) => self
                .w
                .get(w)
                .and_then(|s| s.encoded().raw(Field::Details))
                .map_or(FieldRef::Null, FieldRef::Extra),
            Source::Json(w, field) => self
                .w
                .get(w)
                .and_then(|s| s.encoded().raw(field))
                .map_or(FieldRef::Null, FieldRef::Json),
            Source::Shipment(w) => self
                .w
                .get(w)
                .and_then(ShipmentRef::of)
                .map_or(FieldRef::Null, FieldRef::Shipment),
        }
    }

    fn text(&self, witness: Witness, field: Field) -> Option<&'a str> {
        self.w.get(witness).and_then(|s| s.encoded().text(field))
    }

    fn text_either(&self, witness: Witness, a: Field, b: Field) -> Option<&'a str> {
        let e = self.w.get(witness)?.encoded();
        e.text(a).or_else(|| e.text(b))
    }

    /// `detailsStatus`.
    pub(crate) fn details_status(&self) -> Option<&'a str> {
        self.text(Witness::DetailsStatus, Field::DetailsStatus)
    }

    /// The notification that defines `detailsStatus`.
    pub(crate) fn details_status_witness(&self) -> Option<&'a Stored> {
        self.w.get(Witness::DetailsStatus)
    }

    /// The notification that defines `shipment`.
    pub(crate) fn shipment_witness(&self) -> Option<&'a Stored> {
        self.w.get(Witness::Shipment)
    }

    /// The greatest `SUCCESSFUL` notification.
    pub(crate) fn last_successful(&self) -> Option<&'a Stored> {
        self.w.get(Witness::LastSuccessful)
    }

    /// The operation's start: the earliest `startTime` (orders operations).
    pub(crate) fn start(&self) -> Start<'a> {
        self.w.get(Witness::StartTime).unwrap_or(self.top).start()
    }

    /// `productionSite`, compact.
    pub(crate) fn production_site(&self) -> Option<Raw<'a>> {
        self.w
            .get(Witness::ProductionSite)
            .and_then(|s| s.encoded().raw(Field::ProductionSite))
    }

    /// `shipment`.
    pub(crate) fn shipment(&self) -> Option<ShipmentRef<'a>> {
        self.w.get(Witness::Shipment).and_then(ShipmentRef::of)
    }

    /// The shipment's phase, without reading its text.
    pub(crate) fn shipment_phase(&self) -> Option<crate::wire::ShipmentPhase> {
        self.w.get(Witness::Shipment).map(Stored::shipment_phase)
    }

    /// `startTime`: the earliest, as given.
    pub(crate) fn start_time(&self) -> &'a str {
        self.start().text()
    }

    /// `endTime`.
    pub(crate) fn end_time(&self) -> Option<&'a str> {
        self.text(Witness::EndTime, Field::EndTime)
    }

    /// `errorCode`, from the greatest `FAILED` notification.
    pub(crate) fn error_code(&self) -> Option<&'a str> {
        self.text(Witness::LastFailed, Field::ErrorCode)
    }

    /// `error`, from the greatest `FAILED` notification.
    pub(crate) fn error(&self) -> Option<&'a str> {
        self.text(Witness::LastFailed, Field::Error)
    }

    /// The unknown members of `details` (empty when none).
    pub(crate) fn extra(&self) -> serde_json::Map<String, serde_json::Value> {
        match self.field(Source::Extra(Witness::Extra)) {
            FieldRef::Extra(d) => unknown_members(Some(d), &KNOWN_DETAILS_FIELDS),
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
                    return true;
                };
                let same_source = match (self.w.get(w), other.w.get(w)) {
                    (Some(a), Some(b)) => std::ptr::eq(a, b),
                    (None, None) => true,
                    _ => false,
                };
                same_source || self.field(*source) == other.field(*source)
            })
    }

    /// The owned view.
    pub(crate) fn to_view(self) -> TrackingView {
        TrackingView {
            operation_id: self.operation_id.to_string(),
            status: self.status,
            details_status: self.details_status().map(str::to_string),
            production_site: self.production_site().map(Raw::to_value),
            shipment: self.shipment().map(ShipmentRef::to_view),
            start_time: self.start_time().to_string(),
            end_time: self.end_time().map(str::to_string),
            error_code: self.error_code().map(str::to_string),
            error: self.error().map(str::to_string),
            issuer_request_id: self
                .text_either(
                    Witness::IssuerRequestId,
                    Field::IssuerRequestId,
                    Field::DetailsIssuerRequestId,
                )
                .map(str::to_string),
            reason: self
                .text(Witness::Reason, Field::Reason)
                .map(str::to_string),
            due_date: self
                .text(Witness::DueDate, Field::DueDate)
                .map(str::to_string),
            input_file_name: self
                .text_either(
                    Witness::InputFileName,
                    Field::InputFileName,
                    Field::DetailsInputFileName,
                )
                .map(str::to_string),
            extra: self.extra(),
            notifications: self.notifications,
            conflict: self.conflict,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{ViewRef, VIEW_FIELDS};
    use crate::store::{intake, Intake, OperationState};

    /// The compile-time check of the table's order refuses what is not
    /// sorted, and a name given twice.
    #[test]
    fn the_order_check_refuses_unsorted_names() {
        use super::{before, sorted_by_name, Source};
        assert!(before(b"a", b"b") && before(b"ab", b"abc") && !before(b"b", b"a"));
        assert!(!before(b"same", b"same"));
        let s = Source::Status;
        assert!(sorted_by_name(&[("a", s), ("b", s)]));
        assert!(!sorted_by_name(&[("b", s), ("a", s)]));
        assert!(!sorted_by_name(&[("a", s), ("a", s)]));
    }

    /// `same` compares the fields without a witness by hand: these three.
    #[test]
    fn the_fields_without_a_witness_are_the_views_own() {
        let own: Vec<&str> = VIEW_FIELDS
            .iter()
            .filter(|(_, s)| s.witness().is_none())
            .map(|(n, _)| *n)
            .collect();
        assert_eq!(own, ["conflict", "operationId", "status"]);
    }

    #[test]
    fn the_field_table_names_every_serialised_field_but_notifications() {
        let op: crate::json::Node = serde_json::from_str(
            r#"{"operationId":"op-1","operation":"STANDALONE_TRACKING","status":"PENDING",
            "startTime":"2026-03-01T08:00:00Z","cardId":"card-1",
            "details":{"trackingType":"SHIPMENT","novel":1}}"#,
        )
        .expect("JSON");
        let config = crate::config::Config::default();
        let path = crate::json::Path::Text("op");
        let Ok(Intake::Tracking(t)) = intake(&op, &path, &config, &mut String::new(), false) else {
            panic!("a valid notification");
        };
        let mut state = OperationState::default();
        state.insert(t.stored, 8);
        let view = ViewRef::of(
            crate::wire::TrackingType::Shipment,
            &state,
            "op-1",
            None,
            false,
        )
        .expect("a view")
        .to_view();
        let json = serde_json::to_value(view).expect("serialises");
        let mut names: Vec<&str> = json
            .as_object()
            .expect("an object")
            .keys()
            .map(String::as_str)
            .filter(|k| *k != "notifications")
            .collect();
        names.sort_unstable();
        let table: Vec<&str> = VIEW_FIELDS.iter().map(|(name, _)| *name).collect();
        assert_eq!(names, table);
    }
}
