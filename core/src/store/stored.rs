//! One kept notification: its compact text and the parts of its order key,
//! precomputed.

use std::cmp::Ordering;

use super::encoding::Encoded;
use super::order::cmp_compact;
use crate::wire::Member;
use crate::wire::{Facts, Instant, OperationStatus, ShipmentPhase};

/// A notification's `startTime`: ordered by instant, then by its text (as
/// [`Timestamp`]); the text is read only on a tie.
///
/// [`Timestamp`]: crate::Timestamp
#[derive(Debug, Clone, Copy)]
pub(crate) struct Start<'a>(&'a Stored);

impl<'a> Start<'a> {
    fn instant(self) -> Instant {
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
}

impl Stored {
    pub(crate) fn new(encoded: Encoded, facts: Facts) -> Stored {
        let shipment_phase = if encoded.has(Member::Shipment) {
            encoded
                .text(Member::ShipmentStatus)
                .map_or(ShipmentPhase::Unknown, ShipmentPhase::classify)
        } else {
            ShipmentPhase::Unknown
        };
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

    fn end(&self) -> Option<Instant> {
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

    fn cmp_content(&self, other: &Stored) -> Ordering {
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

    /// The instant the notification dates what it says: its `endTime`, else
    /// its `startTime` (README, "Phase").
    pub(crate) fn instant(&self) -> Instant {
        self.end().unwrap_or(Instant {
            secs: self.start_secs,
            nanos: self.start_nanos,
        })
    }
}
