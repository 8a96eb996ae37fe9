//! The state of one operation: the distinct notifications kept, and the view
//! derived from them.
//!
//! # Why the kept set is a join even when bounded
//! Every field of the view is the maximum (or, for `startTime`, the minimum)
//! of one total order over notifications: its *witness*. The state keeps the
//! greatest K notifications by [`key`](Stored::cmp_key) **and** every witness.
//! For any sets A and B, the witnesses and the top K of A ∪ B are among those
//! kept for A and for B, so `keep(keep(A) ∪ keep(B)) = keep(A ∪ B)`: applying
//! in any order, merging, or restoring gives the same kept set, and the view
//! (a function of the witnesses only) never depends on K.

use std::cmp::Ordering;

use crate::encoding::{Encoded, Field, Raw};
use crate::model::{OperationStatus, ShipmentPhase};
use crate::view::{ShipmentRef, TrackingView};

/// An instant as (seconds, nanoseconds) since the Unix epoch: ordered like
/// the nanosecond count, in 12 bytes instead of 16.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Instant {
    secs: i64,
    nanos: u32,
}

impl Instant {
    pub(crate) fn new((secs, nanos): (i64, u32)) -> Instant {
        Instant { secs, nanos }
    }
}

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
        self.0.encoded.text(Field::StartTime).unwrap_or_default()
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
}

/// The typed facts of a notification, read while validating it.
pub(crate) struct Facts {
    pub(crate) status: OperationStatus,
    pub(crate) business_rank: u8,
    pub(crate) start: Instant,
    pub(crate) end: Option<Instant>,
    pub(crate) shipment_extra: bool,
}

impl Stored {
    pub(crate) fn new(encoded: Encoded, facts: Facts) -> Stored {
        let shipment_phase = if encoded.has(Field::Shipment) {
            encoded
                .text(Field::ShipmentStatus)
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
        }
    }

    pub(crate) fn encoded(&self) -> &Encoded {
        &self.encoded
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

    /// DESIGN 2.3's order of the notifications of one operation: status rank,
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
        // Both hold the same ids at the same places, so any stand-in for
        // them gives the canonical order.
        self.encoded
            .canonical("", "")
            .cmp(&other.encoded.canonical("", ""))
    }

    /// The view's shipment, when this notification carries one.
    fn shipment(&self) -> Option<ShipmentRef<'_>> {
        let e = &self.encoded;
        e.has(Field::Shipment).then(|| ShipmentRef {
            carrier: e.text(Field::Carrier),
            tracking_number: e.text(Field::TrackingNumber),
            status: e.text(Field::ShipmentStatus),
            phase: self.shipment_phase,
            message: e.text(Field::Message),
            tracking_url: e.text(Field::TrackingUrl),
            // Measured only when there is something unknown to show.
            extra: if self.shipment_extra {
                e.raw(Field::Shipment)
            } else {
                None
            },
        })
    }
}

/// Which notification defines each field of the view. `W` names a
/// notification: an index into the kept list when cached, a reference when a
/// view is computed with a notification not inserted yet.
#[derive(Debug, Clone, Copy)]
struct Witnesses<W> {
    top: Option<W>,
    last_successful: Option<W>,
    last_failed: Option<W>,
    details_status: Option<W>,
    shipment: Option<W>,
    production_site: Option<W>,
    end_time: Option<W>,
    start_time: Option<W>,
}

impl<W> Default for Witnesses<W> {
    fn default() -> Self {
        Witnesses {
            top: None,
            last_successful: None,
            last_failed: None,
            details_status: None,
            shipment: None,
            production_site: None,
            end_time: None,
            start_time: None,
        }
    }
}

impl<W: Copy> Witnesses<W> {
    /// Takes `s` (named `id`) into account: every field is a join, so its
    /// witness is either the one it had or `s`. `get` resolves a name.
    /// `ascending` says that `s` is known to be greater than every
    /// notification absorbed before (the kept list is sorted), which spares
    /// the comparisons.
    fn absorb<'s>(&mut self, id: W, s: &'s Stored, ascending: bool, get: impl Fn(W) -> &'s Stored) {
        let cmp = |w: W| {
            if ascending {
                Ordering::Greater
            } else {
                s.cmp_key(get(w))
            }
        };
        let greater = |w: Option<W>| w.is_none_or(|w| cmp(w) == Ordering::Greater);
        let e = &s.encoded;
        if greater(self.top) {
            self.top = Some(id);
        }
        match s.status {
            OperationStatus::Successful if greater(self.last_successful) => {
                self.last_successful = Some(id)
            }
            OperationStatus::Failed if greater(self.last_failed) => self.last_failed = Some(id),
            _ => {}
        }
        if e.has(Field::DetailsStatus) {
            // The highest rank; among equal ranks the greatest key.
            let better = self.details_status.is_none_or(|w| {
                s.business_rank
                    .cmp(&get(w).business_rank)
                    .then_with(|| cmp(w))
                    .is_gt()
            });
            if better {
                self.details_status = Some(id);
            }
        }
        if e.has(Field::Shipment) && greater(self.shipment) {
            self.shipment = Some(id);
        }
        if e.has(Field::ProductionSite) && greater(self.production_site) {
            self.production_site = Some(id);
        }
        if e.has(Field::EndTime) && greater(self.end_time) {
            self.end_time = Some(id);
        }
        // The earliest start; among equal starts the smallest key.
        let earlier = self
            .start_time
            .is_none_or(|w| s.start().cmp(&get(w).start()).then_with(|| cmp(w)).is_lt());
        if earlier {
            self.start_time = Some(id);
        }
    }

    /// Renames every witness (`None` when `f` cannot).
    fn map<V>(self, f: impl Fn(W) -> Option<V>) -> Witnesses<V> {
        let f = |w: Option<W>| w.and_then(&f);
        Witnesses {
            top: f(self.top),
            last_successful: f(self.last_successful),
            last_failed: f(self.last_failed),
            details_status: f(self.details_status),
            shipment: f(self.shipment),
            production_site: f(self.production_site),
            end_time: f(self.end_time),
            start_time: f(self.start_time),
        }
    }
}

/// A position in the kept list.
type Position = u32;

/// The witnesses an operation keeps: positions, `NONE` for none (4 bytes
/// each rather than 16).
#[derive(Debug, Clone, Copy)]
struct Positions([Position; 8]);

const NONE: Position = Position::MAX;

impl Default for Positions {
    fn default() -> Self {
        Positions([NONE; 8])
    }
}

impl Positions {
    fn of(items: &[Stored]) -> Positions {
        let mut w: Witnesses<(usize, &Stored)> = Witnesses::default();
        for (i, s) in items.iter().enumerate() {
            w.absorb((i, s), s, true, |(_, s)| s);
        }
        let w = w.map(|(i, _)| Position::try_from(i).ok().filter(|i| *i != NONE));
        Positions(
            [
                w.top,
                w.last_successful,
                w.last_failed,
                w.details_status,
                w.shipment,
                w.production_site,
                w.end_time,
                w.start_time,
            ]
            .map(|p| p.unwrap_or(NONE)),
        )
    }

    fn unpack(self) -> Witnesses<usize> {
        let [top, last_successful, last_failed, details_status, shipment, production_site, end_time, start_time] =
            self.0.map(|p| (p != NONE).then_some(p as usize));
        Witnesses {
            top,
            last_successful,
            last_failed,
            details_status,
            shipment,
            production_site,
            end_time,
            start_time,
        }
    }

    /// True when position `i` defines a field of the view (the top is kept
    /// anyway).
    fn contains(&self, i: usize) -> bool {
        self.0
            .iter()
            .skip(1)
            .any(|p| *p != NONE && *p as usize == i)
    }
}

/// The kept notifications of one operation, ascending by key, and which of
/// them define the view (kept in step with `items` by `insert`, so reading
/// the view never rescans the history).
#[derive(Debug, Clone, Default)]
pub(crate) struct OperationState {
    items: Vec<Stored>,
    witnesses: Positions,
}

impl OperationState {
    pub(crate) fn items(&self) -> &[Stored] {
        &self.items
    }

    pub(crate) fn contains(&self, stored: &Stored) -> bool {
        self.items.binary_search_by(|x| x.cmp_key(stored)).is_ok()
    }

    /// Adds `stored` (nothing when the same content is kept already), then
    /// keeps the top `max_kept` and the witnesses.
    pub(crate) fn insert(&mut self, stored: Stored, max_kept: usize) {
        if let Err(pos) = self.items.binary_search_by(|x| x.cmp_key(&stored)) {
            // Exactly one more: most operations stop at a few notifications,
            // and every one of them would pay for spare room.
            self.items.reserve_exact(1);
            self.items.insert(pos, stored);
            self.witnesses = Positions::of(&self.items);
            self.prune(max_kept);
        }
    }

    /// Drops what is neither in the top `max_kept` nor a witness.
    fn prune(&mut self, max_kept: usize) {
        let len = self.items.len();
        if len <= max_kept {
            return;
        }
        let witnesses = self.witnesses;
        let first_top = len - max_kept;
        let keep = |i: usize| i >= first_top || witnesses.contains(i);
        let mut i = 0;
        self.items.retain(|_| {
            let k = keep(i);
            i += 1;
            k
        });
        self.items.shrink_to_fit();
        // Positions moved.
        self.witnesses = Positions::of(&self.items);
    }

    /// The earliest `startTime` (the operation's start, used to pick the
    /// current operation of a tracking type).
    pub(crate) fn start(&self) -> Option<Start<'_>> {
        self.witnesses
            .unpack()
            .start_time
            .and_then(|i| self.items.get(i))
            .map(Stored::start)
    }

    /// The view of this operation, borrowed: as it is, or as it would be
    /// once `pending` (a new, distinct notification of this operation) is
    /// folded. `conflict_elsewhere` is the card-level conflict (the same
    /// `operationId` under another tracking type).
    pub(crate) fn view_ref<'a>(
        &'a self,
        operation_id: &'a str,
        pending: Option<&'a Stored>,
        conflict_elsewhere: bool,
    ) -> Option<ViewRef<'a>> {
        let items = &self.items;
        let mut w = self.witnesses.unpack().map(|i| items.get(i));
        if let Some(p) = pending {
            w.absorb(p, p, false, |s| s);
        }
        let count = items.len() + usize::from(pending.is_some());
        view_of(&w, operation_id, count, conflict_elsewhere)
    }

    /// The view of an operation not in the state yet, made by `pending`.
    pub(crate) fn pending_view<'a>(
        operation_id: &'a str,
        pending: &'a Stored,
        conflict_elsewhere: bool,
    ) -> Option<ViewRef<'a>> {
        let mut w = Witnesses::default();
        w.absorb(pending, pending, false, |s| s);
        view_of(&w, operation_id, 1, conflict_elsewhere)
    }

    /// The earliest `startTime`, counting `pending` too.
    pub(crate) fn start_with<'a>(&'a self, pending: Option<&'a Stored>) -> Option<Start<'a>> {
        let own = self.start();
        let pending = pending.map(Stored::start);
        match (own, pending) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }
}

fn view_of<'a>(
    w: &Witnesses<&'a Stored>,
    operation_id: &'a str,
    notifications: usize,
    conflict_elsewhere: bool,
) -> Option<ViewRef<'a>> {
    let top = w.top?;
    Some(ViewRef {
        operation_id,
        // The greatest key has the highest status: status leads the key.
        status: top.status,
        notifications,
        conflict: conflict_elsewhere || (w.last_successful.is_some() && w.last_failed.is_some()),
        top,
        w: *w,
    })
}

/// The view of one operation, borrowed from the notifications that define
/// it; a field is read from its notification only when asked for.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ViewRef<'a> {
    pub(crate) operation_id: &'a str,
    pub(crate) status: OperationStatus,
    pub(crate) notifications: usize,
    pub(crate) conflict: bool,
    top: &'a Stored,
    w: Witnesses<&'a Stored>,
}

impl<'a> ViewRef<'a> {
    fn text(witness: Option<&'a Stored>, field: Field) -> Option<&'a str> {
        witness.and_then(|s| s.encoded.text(field))
    }

    pub(crate) fn details_status(&self) -> Option<&'a str> {
        Self::text(self.w.details_status, Field::DetailsStatus)
    }

    pub(crate) fn production_site(&self) -> Option<Raw<'a>> {
        self.w
            .production_site
            .and_then(|s| s.encoded.raw(Field::ProductionSite))
    }

    pub(crate) fn shipment(&self) -> Option<ShipmentRef<'a>> {
        self.w.shipment.and_then(Stored::shipment)
    }

    /// The shipment's phase, without reading its text.
    pub(crate) fn shipment_phase(&self) -> Option<ShipmentPhase> {
        self.w.shipment.map(|s| s.shipment_phase)
    }

    pub(crate) fn start_time(&self) -> &'a str {
        self.w.start_time.unwrap_or(self.top).start().text()
    }

    pub(crate) fn end_time(&self) -> Option<&'a str> {
        Self::text(self.w.end_time, Field::EndTime)
    }

    pub(crate) fn error_code(&self) -> Option<&'a str> {
        Self::text(self.w.last_failed, Field::ErrorCode)
    }

    pub(crate) fn error(&self) -> Option<&'a str> {
        Self::text(self.w.last_failed, Field::Error)
    }

    /// Equal as views, `notifications` aside. A field whose notification
    /// is the same on both sides is equal without being read.
    pub(crate) fn same(&self, other: &ViewRef<'_>) -> bool {
        let same_source = |a: Option<&Stored>, b: Option<&Stored>| match (a, b) {
            (Some(a), Some(b)) => std::ptr::eq(a, b),
            (None, None) => true,
            _ => false,
        };
        let (a, b) = (&self.w, &other.w);
        self.operation_id == other.operation_id
            && self.status == other.status
            && self.conflict == other.conflict
            && (same_source(a.details_status, b.details_status)
                || self.details_status() == other.details_status())
            && (same_source(a.production_site, b.production_site)
                || self.production_site() == other.production_site())
            && (same_source(a.shipment, b.shipment) || self.shipment() == other.shipment())
            && (same_source(a.end_time, b.end_time) || self.end_time() == other.end_time())
            && (same_source(a.start_time, b.start_time) || self.start_time() == other.start_time())
            && (same_source(a.last_failed, b.last_failed)
                || (self.error_code() == other.error_code() && self.error() == other.error()))
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
            notifications: self.notifications,
            conflict: self.conflict,
        }
    }
}

#[cfg(test)]
mod tests {
    /// A typical card's memory (the goal: 2 KiB) is mostly these
    /// structs and the encoded text; growing them should be a decision.
    #[test]
    fn kept_state_stays_small() {
        assert!(std::mem::size_of::<super::Stored>() <= 80);
        assert!(std::mem::size_of::<super::OperationState>() <= 56);
        assert!(std::mem::size_of::<crate::card::OperationEntry>() <= 80);
    }
}
