//! The members of a notification this version names, declared once in
//! [`d1_members!`]: where each sits, what its value must be, whether the
//! store keeps its position, and the view field it feeds.
//!
//! The table is a list that other macros expand, each taking what it needs:
//! [`Member`] and its lookups here (the validator's checks and the known
//! lists of `details` and `details.shipment` come from them), the encoder's
//! positions (`store/encoding.rs`), the shipment view's fields, equality and
//! JSON (`view/shipment.rs`), and the view fields' sources
//! (`view/fields.rs`). Adding a member is a row here, plus the public view
//! struct's field when a view shows it; `view/tests.rs` fails when
//! a row is not validated, shown or compared.
//!
//! The members every operation must carry to be read at all (`operationId`,
//! `operation`, `cardId`, `status`) are checked before these, by name
//! (`notification.rs`).

/// Where a member sits in a notification.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Place {
    /// The operation object itself.
    Top,
    /// `details`.
    Details,
    /// `details.shipment`.
    Shipment,
}

/// What a member's value must be (`null` is always absent).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// An ISO 8601 date-time.
    Time,
    /// A text code or identifier D1 documents: a string, an empty one
    /// absent (D1's documents are loose; docs/decisions.md), or an integer
    /// of at most 64 bits, read as its JSON text (`794612345678`).
    Code,
    /// A word D1 spells, or a link: a string, an empty one absent.
    Word,
    /// Any string, empty included.
    Text,
    /// Any JSON value.
    Json,
    /// An object whose members are the rows of their own place.
    Object,
}

/// Whether the store records where a member's value is, for the views.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kept {
    /// In every stored notification (members most notifications carry).
    Inline,
    /// In a side box that only notifications carrying one allocate.
    Rare,
    /// Not at all: no view reads it.
    No,
}

/// The one table of the members this version names, in D1's documented
/// order within each place (the order the validator checks them in, so the
/// first member in error is the one reported).
///
/// A row: `Name => "key" Kind Kept [fact] [, view field "jsonName" [by
/// Witness [or OtherMember]]];` — `fact` marks a member the fold reads into
/// a notification's facts (checked where it is read, in
/// `notification.rs`); `view` names the field of the public view struct and
/// its JSON name; `by` names the witness that defines it (the store's
/// `witness.rs`), and `or` a second member the same view field falls back
/// to. Shipment rows name their `ShipmentView` field (their witness is the
/// shipment's).
macro_rules! d1_members {
    ($then:ident) => {
        $then! {
            top {
                /// `startTime`; the view shows the earliest, as the fold
                /// orders by it (`view/fields.rs`).
                StartTime => "startTime" Time Inline fact;
                /// `endTime`.
                EndTime => "endTime" Time Inline fact, view end_time "endTime" by EndTime;
                /// `details`, whole (its unknown members are the view's `extra`).
                Details => "details" Object Inline;
                /// `errorCode`, of a `FAILED` notification.
                ErrorCode => "errorCode" Code Inline, view error_code "errorCode" by LastFailed;
                /// `error`, of a `FAILED` notification.
                Error => "error" Text Inline, view error "error" by LastFailed;
                /// `issuerRequestId`: the issuer's correlation id.
                IssuerRequestId => "issuerRequestId" Code Rare,
                    view issuer_request_id "issuerRequestId" by IssuerRequestId or DetailsIssuerRequestId;
                /// `inputFileName`: the issuer's input file.
                InputFileName => "inputFileName" Text Rare,
                    view input_file_name "inputFileName" by InputFileName or DetailsInputFileName;
            }
            details {
                /// `details.trackingType`: the notification's kind.
                TrackingType => "trackingType" Word No fact;
                /// `details.status`: the business status.
                DetailsStatus => "status" Code Inline fact,
                    view details_status "detailsStatus" by DetailsStatus;
                /// `details.reason` (PRODUCE: why an exception happened).
                Reason => "reason" Text Rare, view reason "reason" by Reason;
                /// `details.dueDate` (PRODUCE: the estimated shipment date).
                DueDate => "dueDate" Text Rare, view due_date "dueDate" by DueDate;
                /// `details.inputFileName` (where PRODUCE may carry it).
                DetailsInputFileName => "inputFileName" Text Rare;
                /// `details.issuerRequestId` (where PRODUCE may carry it).
                DetailsIssuerRequestId => "issuerRequestId" Code Rare;
                /// `details.productionSite`, any JSON.
                ProductionSite => "productionSite" Json Inline,
                    view production_site "productionSite" by ProductionSite;
                /// `details.shipment`.
                Shipment => "shipment" Object Inline, view shipment "shipment" by Shipment;
            }
            shipment {
                /// `details.shipment.carrier`: the carrier's code.
                Carrier => "carrier" Code Inline, view carrier "carrier";
                /// `details.shipment.trackingNumber`.
                TrackingNumber => "trackingNumber" Code Inline, view tracking_number "trackingNumber";
                /// `details.shipment.status`: the carrier's status (its
                /// normalised phase follows it in the view).
                ShipmentStatus => "status" Code Inline, view status "status";
                /// `details.shipment.message`: display text.
                Message => "message" Text Inline, view message "message";
                /// `details.shipment.trackingUrl`.
                TrackingUrl => "trackingUrl" Word Inline, view tracking_url "trackingUrl";
            }
        }
    };
}
pub(crate) use d1_members;

macro_rules! member_enum {
    ($(
        $section:ident {
            $(
                $(#[$doc:meta])*
                $name:ident => $key:literal $kind:ident $kept:ident $($fact:ident)?
                $(, view $field:ident $json:literal $(by $witness:ident $(or $other:ident)?)?)?;
            )*
        }
    )*) => {
        /// A member of a notification this version names (see
        /// [`d1_members!`]).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub(crate) enum Member {
            $($($(#[$doc])* $name,)*)*
        }

        impl Member {
            /// Every member, in the table's order.
            pub(crate) const ALL: [Member; [$($(Member::$name),*),*].len()] =
                [$($(Member::$name),*),*];

            /// Its key in its object.
            pub(crate) const fn key(self) -> &'static str {
                match self {
                    $($(Member::$name => $key,)*)*
                }
            }

            /// What its value must be.
            pub(crate) const fn kind(self) -> Kind {
                match self {
                    $($(Member::$name => Kind::$kind,)*)*
                }
            }

            /// Whether the store records its position.
            pub(crate) const fn kept(self) -> Kept {
                match self {
                    $($(Member::$name => Kept::$kept,)*)*
                }
            }

            /// True when the fold reads it into the facts (checked there).
            pub(crate) const fn is_fact(self) -> bool {
                match self {
                    $($(Member::$name => member_enum!(@flag $($fact)?),)*)*
                }
            }
        }

        impl Member {
            /// The member at `key` of an object at `place` (a match the
            /// compiler builds: the encoder asks for every key it writes).
            pub(crate) fn at(place: Place, key: &str) -> Option<Member> {
                match (place, key) {
                    $($((member_enum!(@place $section), $key) => Some(Member::$name),)*)*
                    _ => None,
                }
            }
        }

        /// The members of each place, in the table's order.
        pub(crate) const TOP_MEMBERS: &[Member] = member_enum!(@section top $($section [$($name)*])*);
        /// The members of `details`.
        pub(crate) const DETAILS_MEMBERS: &[Member] = member_enum!(@section details $($section [$($name)*])*);
        /// The members of `details.shipment`.
        pub(crate) const SHIPMENT_MEMBERS: &[Member] = member_enum!(@section shipment $($section [$($name)*])*);
    };
    (@flag fact) => { true };
    (@place top) => { Place::Top };
    (@place details) => { Place::Details };
    (@place shipment) => { Place::Shipment };
    (@flag) => { false };
    (@section $want:ident top [$($t:ident)*] details [$($d:ident)*] shipment [$($s:ident)*]) => {
        member_enum!(@pick $want [$(Member::$t),*] [$(Member::$d),*] [$(Member::$s),*])
    };
    (@pick top $t:tt $d:tt $s:tt) => { &$t };
    (@pick details $t:tt $d:tt $s:tt) => { &$d };
    (@pick shipment $t:tt $d:tt $s:tt) => { &$s };
}

d1_members!(member_enum);

impl Member {
    /// Where it sits.
    #[cfg(test)]
    pub(crate) fn place(self) -> Place {
        if DETAILS_MEMBERS.contains(&self) {
            Place::Details
        } else if SHIPMENT_MEMBERS.contains(&self) {
            Place::Shipment
        } else {
            Place::Top
        }
    }

    /// The place an object member opens (`details`, `details.shipment`).
    pub(crate) const fn opens(self) -> Option<Place> {
        match self {
            Member::Details => Some(Place::Details),
            Member::Shipment => Some(Place::Shipment),
            _ => None,
        }
    }
}

/// The members named at `place`, in the table's order.
pub(crate) const fn members_of(place: Place) -> &'static [Member] {
    match place {
        Place::Top => TOP_MEMBERS,
        Place::Details => DETAILS_MEMBERS,
        Place::Shipment => SHIPMENT_MEMBERS,
    }
}

/// True when `key` names a member of `place` (the others are a view's
/// `extra`).
pub(crate) fn is_known(place: Place, key: &str) -> bool {
    Member::at(place, key).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_member_has_one_place_and_a_unique_key_there() {
        for m in Member::ALL {
            assert_eq!(Member::at(m.place(), m.key()), Some(m), "{m:?}");
        }
        assert_eq!(
            TOP_MEMBERS.len() + DETAILS_MEMBERS.len() + SHIPMENT_MEMBERS.len(),
            Member::ALL.len()
        );
    }

    #[test]
    fn objects_open_the_place_of_their_rows() {
        for m in Member::ALL {
            assert_eq!(m.kind() == Kind::Object, m.opens().is_some(), "{m:?}");
        }
        assert_eq!(Member::Shipment.place(), Place::Details);
        assert!(is_known(Place::Details, "trackingType"));
        assert!(!is_known(Place::Shipment, "estimatedDelivery"));
    }
}
