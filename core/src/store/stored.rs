//! One kept notification: its compact text and the parts of its order key,
//! precomputed.

use std::cmp::Ordering;

use super::encoding::Encoded;
use super::order::cmp_compact;
use crate::wire::Member;
use crate::wire::{BusinessStatus, Facts, Instant, OperationStatus, ShipmentPhase};

/// A notification's `startTime`: ordered by instant, then by its text (as
/// [`Timestamp`]); the text is read only on a tie.
///
/// [`Timestamp`]: crate::Timestamp
#[derive(Debug, Clone, Copy)]
pub(crate) struct Start<'a>(&'a Stored);

impl<'a> Start<'a> {
    pub(crate) fn instant(self) -> Instant {
        Instant {
            secs: self.0.start_secs,
            nanos: self.0.start_nanos,
        }
    }

    /// The text as given.
    pub(crate) fn text(self) -> &'a str {
        self.0.encoded.text(Member::StartTime).unwrap_or_default()
    }
}

impl Ord for Start<'_> {
    fn cmp(&self, other: &Self) -> Ordering {
        self.instant()
            .cmp(&other.instant())
            .then_with(|| self.text().cmp(other.text()))
    }
}

impl PartialOrd for Start<'_> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Start<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Start<'_> {}

/// One distinct notification in compact form, with the parts of its key
/// precomputed. Its card and operation ids are the keys it is filed under.
#[derive(Debug, Clone)]
pub(crate) struct Stored {
    encoded: Encoded,
    start_secs: i64,
    /// Absent `endTime`: `end_nanos` is `u32::MAX`.
    end_secs: i64,
    start_nanos: u32,
    end_nanos: u32,
    status: OperationStatus,
    business_rank: u8,
    shipment_rank: u8,
    shipment_phase: ShipmentPhase,
    /// The shipment object has members the view does not name.
    shipment_extra: bool,
    /// `details` has members the view does not name.
    details_extra: bool,
    /// The shipment carries a status (recognised or not).
    carrier_status: bool,
    /// Which of [`SHIPMENT_MEMBERS`] the shipment carries non-empty (bit
    /// `i` for the `i`th), so the witnesses' tests never read the text.
    shipment_members: u8,
}

/// The shipment members whose presence is kept as a bit.
const SHIPMENT_MEMBERS: [Member; 5] = [
    Member::Carrier,
    Member::TrackingNumber,
    Member::ShipmentStatus,
    Member::Message,
    Member::TrackingUrl,
];

fn shipment_bit(member: Member) -> u8 {
    SHIPMENT_MEMBERS
        .iter()
        .position(|m| *m == member)
        .map_or(0, |i| 1 << i)
}

impl Stored {
    pub(crate) fn new(encoded: Encoded, facts: Facts) -> Stored {
        let has_shipment = encoded.has(Member::Shipment);
        let non_empty = |m: Member| {
            has_shipment
                .then(|| encoded.text(m))
                .flatten()
                .filter(|t| !t.is_empty())
        };
        let shipment_members = SHIPMENT_MEMBERS
            .iter()
            .enumerate()
            .filter(|(_, m)| non_empty(**m).is_some())
            .fold(0u8, |bits, (i, _)| bits | 1 << i);
        let carrier_status = non_empty(Member::ShipmentStatus);
        let shipment_phase = carrier_status.map_or(ShipmentPhase::Unknown, ShipmentPhase::classify);
        let carrier_status = carrier_status.is_some();
        let end = facts.end.unwrap_or(Instant {
            secs: 0,
            nanos: u32::MAX,
        });
        Stored {
            encoded,
            start_secs: facts.start.secs,
            end_secs: end.secs,
            start_nanos: facts.start.nanos,
            end_nanos: end.nanos,
            status: facts.status,
            business_rank: facts.business_rank,
            shipment_rank: shipment_phase.rank(),
            shipment_phase,
            shipment_extra: facts.shipment_extra,
            details_extra: facts.details_extra,
            carrier_status,
            shipment_members,
        }
    }

    pub(crate) fn encoded(&self) -> &Encoded {
        &self.encoded
    }

    /// The bytes this notification takes in the state: its struct and its
    /// compact text (what `maxStateBytes` counts).
    pub(crate) fn bytes(&self) -> usize {
        std::mem::size_of::<Stored>() + self.encoded.compact_text().len()
    }

    /// The `endTime`, when given.
    pub(crate) fn end(&self) -> Option<Instant> {
        (self.end_nanos != u32::MAX).then_some(Instant {
            secs: self.end_secs,
            nanos: self.end_nanos,
        })
    }

    /// The `startTime` (required, so always there).
    pub(crate) fn start(&self) -> Start<'_> {
        Start(self)
    }

    /// The fold's order of the notifications of one operation (README, "What
    /// the fold guarantees"): status rank,
    /// `endTime` instant (absent lowest), shipment rank, business rank, then
    /// the canonical content bytewise. Total: equal only for equal content.
    /// Both must be of one operation (their ids are the same).
    pub(crate) fn cmp_key(&self, other: &Stored) -> Ordering {
        (
            self.status.rank(),
            self.end(),
            self.shipment_rank,
            self.business_rank,
        )
            .cmp(&(
                other.status.rank(),
                other.end(),
                other.shipment_rank,
                other.business_rank,
            ))
            .then_with(|| self.cmp_content(other))
    }

    /// The canonical content, bytewise (ids aside).
    pub(crate) fn cmp_content(&self, other: &Stored) -> Ordering {
        if self.encoded == other.encoded {
            return Ordering::Equal;
        }
        cmp_compact(
            self.encoded.compact_text().as_bytes(),
            other.encoded.compact_text().as_bytes(),
        )
    }

    /// The operation status.
    pub(crate) fn status(&self) -> OperationStatus {
        self.status
    }

    /// The business status's rank (0 when absent or unknown).
    pub(crate) fn business_rank(&self) -> u8 {
        self.business_rank
    }

    /// The shipment's normalised status (`Unknown` without a shipment).
    pub(crate) fn shipment_phase(&self) -> ShipmentPhase {
        self.shipment_phase
    }

    /// True when the shipment object has members the view does not name.
    pub(crate) fn shipment_extra(&self) -> bool {
        self.shipment_extra
    }

    /// True when `details` has members the view does not name.
    pub(crate) fn details_extra(&self) -> bool {
        self.details_extra
    }

    /// True when the shipment carries a status, recognised or not.
    pub(crate) fn has_carrier_status(&self) -> bool {
        self.carrier_status
    }

    /// True when the shipment's status is one the carrier table knows: a
    /// carrier event (README, "Phase").
    pub(crate) fn is_carrier_event(&self) -> bool {
        self.shipment_phase != ShipmentPhase::Unknown
    }

    /// True when the shipment carries `member` non-empty.
    pub(crate) fn has_shipment_member(&self, member: Member) -> bool {
        self.shipment_members & shipment_bit(member) != 0
    }

    /// A member of the shipment, when given and not empty.
    pub(crate) fn shipment_text(&self, member: Member) -> Option<&str> {
        if !self.has_shipment_member(member) {
            return None;
        }
        self.encoded.text(member).filter(|t| !t.is_empty())
    }

    /// The shipment's tracking number (a parcel's name), when given.
    pub(crate) fn tracking_number(&self) -> Option<&str> {
        self.shipment_text(Member::TrackingNumber)
    }

    /// The business step's rank: the business status's rank when it is a
    /// step of the lifecycle, 0 when it is none or a terminal one
    /// (`CARD_RETURNED`, `CARD_PROD_CANCELED`).
    pub(crate) fn step_rank(&self) -> u8 {
        const FIRST_TERMINAL: u8 = BusinessStatus::CardReturned.rank();
        if self.business_rank < FIRST_TERMINAL {
            self.business_rank
        } else {
            0
        }
    }

    /// The carrier order (README, "The shipment"): a final stage
    /// (`Delivered`, `ReturnToSender`) first, then the instant, the stage,
    /// the content. Notifications of different operations compare by
    /// content without their ids (the caller breaks that tie by id).
    pub(crate) fn cmp_carrier(&self, other: &Stored) -> Ordering {
        (
            self.shipment_phase.is_final(),
            self.instant(),
            self.shipment_rank,
        )
            .cmp(&(
                other.shipment_phase.is_final(),
                other.instant(),
                other.shipment_rank,
            ))
            .then_with(|| self.cmp_content(other))
    }

    /// The order a shipment member's notification is chosen by (README,
    /// "The shipment"): the instant, then one without a carrier status
    /// after one with (a follow-up that only adds a message), then the
    /// carrier order.
    pub(crate) fn cmp_shipment_member(&self, other: &Stored) -> Ordering {
        (self.instant(), !self.carrier_status)
            .cmp(&(other.instant(), !other.carrier_status))
            .then_with(|| self.cmp_carrier(other))
    }

    /// Dated before undated, then by `endTime`.
    pub(crate) fn cmp_dated(&self, other: &Stored) -> Ordering {
        let key = |s: &Stored| (s.end().is_none(), s.end());
        key(self).cmp(&key(other))
    }

    /// The instant the notification dates what it says: its `endTime`, else
    /// its `startTime` (README, "Phase").
    pub(crate) fn instant(&self) -> Instant {
        self.end().unwrap_or(Instant {
            secs: self.start_secs,
            nanos: self.start_nanos,
        })
    }
}
