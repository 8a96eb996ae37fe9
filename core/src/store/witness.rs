//! Which kept notification defines each field of an operation's view: its
//! *witness*. Every witness is the greatest notification of one total order
//! among those its rule admits, so each is a join of its own, and the kept
//! set "top K plus the witnesses" is one too (see `operation.rs`).
//!
//! The witnesses and their rules are declared once, in [`witnesses!`]; the
//! enum, the table, the fold step and the packed positions derive from it.

use std::cmp::Ordering;

use super::stored::Stored;
use crate::wire::{BusinessStatus, Member, OperationStatus, ShipmentPhase};

/// Which notifications a witness admits, and which of them it takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Rule {
    /// Every notification; the greatest key.
    Greatest,
    /// Notifications with this operation status; the greatest key.
    GreatestWithStatus(OperationStatus),
    /// Notifications carrying this field; the greatest key.
    GreatestCarrying(Member),
    /// Notifications carrying either field (D1 may place it at the top or
    /// in `details`); the greatest key.
    GreatestCarryingEither(Member, Member),
    /// Notifications whose `details` has members the view does not name;
    /// the greatest key.
    GreatestWithDetailsExtra,
    /// Notifications carrying `details.status`; the highest business rank,
    /// then the greatest key (unknown values never lower a known one).
    HighestBusinessStatus,
    /// Every notification; the earliest `startTime`, then the smallest key.
    EarliestStart,
    /// Notifications with a carrier status (recognised or not); the
    /// greatest in the carrier order ([`Stored::cmp_carrier`]).
    GreatestCarrierStatus,
    /// Notifications whose carrier status is recognised (a carrier event,
    /// README, "Phase"); the greatest in the carrier order.
    GreatestCarrierEvent,
    /// Notifications whose shipment carries this member non-empty; the
    /// greatest in the shipment members' order
    /// ([`Stored::cmp_shipment_member`]).
    GreatestShipmentMember(Member),
    /// Notifications whose shipment has members the view does not name;
    /// the greatest in the shipment members' order.
    GreatestShipmentExtra,
    /// Notifications whose business status is a step (not terminal); the
    /// highest rank, then the greatest key.
    HighestStep,
    /// `SUCCESSFUL` notifications without a known business status; the
    /// greatest key.
    SuccessfulWithoutBusinessStatus,
    /// Notifications not `FAILED` whose business status has this rank; the
    /// earliest `endTime` (undated last), then the smallest key.
    EarliestDatedWithBusinessRank(u8),
    /// `SUCCESSFUL` notifications; the earliest `endTime` (undated last),
    /// then the smallest key.
    EarliestDatedSuccessful,
    /// Notifications whose carrier stage is this one; the earliest instant,
    /// then the smallest key.
    EarliestAtStage(ShipmentPhase),
    /// Notifications whose carrier stage is this one; the latest instant,
    /// then the greatest key.
    LatestAtStage(ShipmentPhase),
    /// Carrier events with an `endTime`; the latest `endTime`, then the
    /// greatest key.
    LatestDatedEvent,
    /// Notifications with a tracking number; the smallest number (text),
    /// then the smallest key.
    LowestTrackingNumber,
    /// Notifications with a tracking number; the greatest number (text),
    /// then the greatest key.
    HighestTrackingNumber,
}

macro_rules! witnesses {
    ($($(#[$doc:meta])* $name:ident => $rule:expr,)*) => {
        /// A witness of the view (see the module docs).
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub(crate) enum Witness {
            $($(#[$doc])* $name,)*
        }

        /// Every witness with its rule, in the order of [`Witness`].
        pub(crate) const WITNESS_RULES: &[(Witness, Rule)] = &[$((Witness::$name, $rule),)*];
    };
}

witnesses! {
    /// The greatest notification: the operation's status.
    Top => Rule::Greatest,
    /// The greatest `SUCCESSFUL` one (with `LastFailed`: `conflict`).
    LastSuccessful => Rule::GreatestWithStatus(OperationStatus::Successful),
    /// The greatest `FAILED` one: `errorCode`, `error`.
    LastFailed => Rule::GreatestWithStatus(OperationStatus::Failed),
    /// `detailsStatus`.
    DetailsStatus => Rule::HighestBusinessStatus,
    /// `shipment`.
    Shipment => Rule::GreatestCarrying(Member::Shipment),
    /// `productionSite`.
    ProductionSite => Rule::GreatestCarrying(Member::ProductionSite),
    /// `endTime`.
    EndTime => Rule::GreatestCarrying(Member::EndTime),
    /// `reason`.
    Reason => Rule::GreatestCarrying(Member::Reason),
    /// `dueDate`.
    DueDate => Rule::GreatestCarrying(Member::DueDate),
    /// `issuerRequestId`.
    IssuerRequestId => Rule::GreatestCarryingEither(Member::IssuerRequestId, Member::DetailsIssuerRequestId),
    /// `inputFileName`.
    InputFileName => Rule::GreatestCarryingEither(Member::InputFileName, Member::DetailsInputFileName),
    /// `extra`.
    Extra => Rule::GreatestWithDetailsExtra,
    /// `startTime`.
    StartTime => Rule::EarliestStart,
    /// `shipment.status`: the carrier's last word, known or not.
    ShipmentStatus => Rule::GreatestCarrierStatus,
    /// `shipment.phase`, and the operation's carrier event (README, "Phase").
    CarrierEvent => Rule::GreatestCarrierEvent,
    /// `shipment.carrier`.
    ShipmentCarrier => Rule::GreatestShipmentMember(Member::Carrier),
    /// `shipment.trackingNumber`.
    ShipmentTrackingNumber => Rule::GreatestShipmentMember(Member::TrackingNumber),
    /// `shipment.message`.
    ShipmentMessage => Rule::GreatestShipmentMember(Member::Message),
    /// `shipment.trackingUrl`.
    ShipmentTrackingUrl => Rule::GreatestShipmentMember(Member::TrackingUrl),
    /// `shipment.extra`.
    ShipmentExtra => Rule::GreatestShipmentExtra,
    /// The operation's most advanced business step.
    Step => Rule::HighestStep,
    /// A `SUCCESSFUL` notification without a known business status (a
    /// PRODUCTION one is the step `PRODUCED`).
    SuccessfulWithoutStatus => Rule::SuccessfulWithoutBusinessStatus,
    /// The earliest-dated `CARD_RETURNED` (a terminal fact).
    Returned => Rule::EarliestDatedWithBusinessRank(BusinessStatus::CardReturned.rank()),
    /// The earliest-dated `CARD_PROD_CANCELED` (a terminal fact).
    Canceled => Rule::EarliestDatedWithBusinessRank(BusinessStatus::CardProdCanceled.rank()),
    /// The earliest-dated `SUCCESSFUL` one (of a RETURN: a terminal fact).
    EarliestSuccessful => Rule::EarliestDatedSuccessful,
    /// The first `ReturnToSender`.
    FirstReturnToSender => Rule::EarliestAtStage(ShipmentPhase::ReturnToSender),
    /// The last `Delivered`.
    LastDelivered => Rule::LatestAtStage(ShipmentPhase::Delivered),
    /// The carrier event with the latest `endTime`.
    LatestDatedEvent => Rule::LatestDatedEvent,
    /// The lowest tracking number (the operation's parcel, with the highest).
    LowestTrackingNumber => Rule::LowestTrackingNumber,
    /// The highest tracking number.
    HighestTrackingNumber => Rule::HighestTrackingNumber,
}

/// How many witnesses an operation keeps.
pub(crate) const WITNESS_COUNT: usize = WITNESS_RULES.len();

/// The witnesses of one operation. `W` names a notification: a position in
/// the kept list when cached, a reference when a view is computed with a
/// notification not inserted yet.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Witnesses<W>([Option<W>; WITNESS_COUNT]);

impl<W> Default for Witnesses<W> {
    fn default() -> Self {
        Witnesses(std::array::from_fn(|_| None))
    }
}

impl<W: Copy> Witnesses<W> {
    /// The notification that defines `witness`.
    pub(crate) fn get(&self, witness: Witness) -> Option<W> {
        self.0.get(witness as usize).copied().flatten()
    }

    /// Takes `s` (named `id`) into account: every witness is a join, so it is
    /// either the one it had or `s`. `get` resolves a name. `ascending` says
    /// that `s` is known to be greater than every notification absorbed
    /// before (the kept list is sorted), which spares the comparisons.
    pub(crate) fn absorb<'s>(
        &mut self,
        id: W,
        s: &'s Stored,
        ascending: bool,
        get: impl Fn(W) -> &'s Stored,
    ) {
        let cmp = |w: W| {
            if ascending {
                Ordering::Greater
            } else {
                s.cmp_key(get(w))
            }
        };
        for ((_, rule), slot) in WITNESS_RULES.iter().zip(self.0.iter_mut()) {
            let take = match *rule {
                Rule::Greatest => slot.is_none_or(|w| cmp(w).is_gt()),
                Rule::GreatestWithStatus(status) => {
                    s.status() == status && slot.is_none_or(|w| cmp(w).is_gt())
                }
                Rule::GreatestCarrying(field) => {
                    s.encoded().has(field) && slot.is_none_or(|w| cmp(w).is_gt())
                }
                Rule::GreatestCarryingEither(a, b) => {
                    (s.encoded().has(a) || s.encoded().has(b))
                        && slot.is_none_or(|w| cmp(w).is_gt())
                }
                Rule::GreatestWithDetailsExtra => {
                    s.details_extra() && slot.is_none_or(|w| cmp(w).is_gt())
                }
                Rule::HighestBusinessStatus => {
                    s.encoded().has(Member::DetailsStatus)
                        && slot.is_none_or(|w| {
                            s.business_rank()
                                .cmp(&get(w).business_rank())
                                .then_with(|| cmp(w))
                                .is_gt()
                        })
                }
                Rule::EarliestStart => {
                    slot.is_none_or(|w| s.start().cmp(&get(w).start()).then_with(|| cmp(w)).is_lt())
                }
                Rule::GreatestCarrierStatus => {
                    s.has_carrier_status() && slot.is_none_or(|w| s.cmp_carrier(get(w)).is_gt())
                }
                Rule::GreatestCarrierEvent => {
                    s.is_carrier_event() && slot.is_none_or(|w| s.cmp_carrier(get(w)).is_gt())
                }
                Rule::GreatestShipmentMember(member) => {
                    s.has_shipment_member(member)
                        && slot.is_none_or(|w| s.cmp_shipment_member(get(w)).is_gt())
                }
                Rule::GreatestShipmentExtra => {
                    s.shipment_extra() && slot.is_none_or(|w| s.cmp_shipment_member(get(w)).is_gt())
                }
                Rule::HighestStep => {
                    s.step_rank() > 0
                        && slot.is_none_or(|w| {
                            s.step_rank()
                                .cmp(&get(w).step_rank())
                                .then_with(|| cmp(w))
                                .is_gt()
                        })
                }
                Rule::SuccessfulWithoutBusinessStatus => {
                    s.status() == OperationStatus::Successful
                        && s.business_rank() == 0
                        && slot.is_none_or(|w| cmp(w).is_gt())
                }
                Rule::EarliestDatedWithBusinessRank(rank) => {
                    s.status() != OperationStatus::Failed
                        && s.business_rank() == rank
                        && slot.is_none_or(|w| s.cmp_dated(get(w)).then_with(|| cmp(w)).is_lt())
                }
                Rule::EarliestDatedSuccessful => {
                    s.status() == OperationStatus::Successful
                        && slot.is_none_or(|w| s.cmp_dated(get(w)).then_with(|| cmp(w)).is_lt())
                }
                Rule::EarliestAtStage(stage) => {
                    s.shipment_phase() == stage
                        && slot.is_none_or(|w| {
                            s.instant()
                                .cmp(&get(w).instant())
                                .then_with(|| cmp(w))
                                .is_lt()
                        })
                }
                Rule::LatestAtStage(stage) => {
                    s.shipment_phase() == stage
                        && slot.is_none_or(|w| {
                            s.instant()
                                .cmp(&get(w).instant())
                                .then_with(|| cmp(w))
                                .is_gt()
                        })
                }
                Rule::LatestDatedEvent => {
                    s.is_carrier_event()
                        && s.end().is_some()
                        && slot
                            .is_none_or(|w| s.end().cmp(&get(w).end()).then_with(|| cmp(w)).is_gt())
                }
                Rule::LowestTrackingNumber => {
                    s.has_shipment_member(Member::TrackingNumber)
                        && slot.is_none_or(|w| {
                            s.tracking_number()
                                .cmp(&get(w).tracking_number())
                                .then_with(|| cmp(w))
                                .is_lt()
                        })
                }
                Rule::HighestTrackingNumber => {
                    s.has_shipment_member(Member::TrackingNumber)
                        && slot.is_none_or(|w| {
                            s.tracking_number()
                                .cmp(&get(w).tracking_number())
                                .then_with(|| cmp(w))
                                .is_gt()
                        })
                }
            };
            if take {
                *slot = Some(id);
            }
        }
    }

    /// The witnesses of the union of two sets of notifications of one
    /// operation: each is a join, so it is one of the two sides' own.
    pub(crate) fn join<'s>(mut self, other: &Witnesses<W>, get: impl Fn(W) -> &'s Stored) -> Self {
        for w in other.0.iter().flatten() {
            self.absorb(*w, get(*w), false, &get);
        }
        self
    }

    /// Renames every witness (`None` when `f` cannot).
    pub(crate) fn map<V>(self, f: impl Fn(W) -> Option<V>) -> Witnesses<V> {
        Witnesses(self.0.map(|w| w.and_then(&f)))
    }
}

/// A position in the kept list: 16 bits, since the kept list is never longer
/// than [`MAX_KEPT`] plus the witnesses and the one being inserted.
type Position = u16;

/// The most notifications an operation keeps besides its witnesses, whatever
/// `maxNotificationsPerOperation` says (so positions fit in 16 bits).
pub(crate) const MAX_KEPT: usize = 65_000;

/// The witnesses an operation keeps, as positions in its kept list; `NONE`
/// for none (4 bytes each rather than 16).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Positions([Position; WITNESS_COUNT]);

const NONE: Position = Position::MAX;

impl Default for Positions {
    fn default() -> Self {
        Positions([NONE; WITNESS_COUNT])
    }
}

impl Positions {
    /// The witnesses of `items`, sorted ascending by key.
    pub(crate) fn of(items: &[Stored]) -> Positions {
        let mut w: Witnesses<(usize, &Stored)> = Witnesses::default();
        for (i, s) in items.iter().enumerate() {
            w.absorb((i, s), s, true, |(_, s)| s);
        }
        Positions(w.0.map(|p| {
            p.and_then(|(i, _)| Position::try_from(i).ok())
                .unwrap_or(NONE)
        }))
    }

    /// Positions from indices (`NONE` where an index does not fit).
    pub(crate) fn pack(w: Witnesses<usize>) -> Positions {
        Positions(w.0.map(|p| p.and_then(|i| Position::try_from(i).ok()).unwrap_or(NONE)))
    }

    /// The positions as indices.
    pub(crate) fn unpack(self) -> Witnesses<usize> {
        Witnesses(self.0.map(|p| (p != NONE).then_some(p as usize)))
    }

    /// True when position `i` defines a field of the view (the top is kept
    /// anyway).
    pub(crate) fn contains(&self, i: usize) -> bool {
        self.0
            .iter()
            .zip(WITNESS_RULES)
            .any(|(p, (w, _))| *w != Witness::Top && *p != NONE && *p as usize == i)
    }
}
