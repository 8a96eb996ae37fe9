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

use crate::model::{BusinessStatus, Notification, OperationStatus};
use crate::time::Timestamp;
use crate::view::ViewRef;

/// One distinct notification, with the parts of its key precomputed.
#[derive(Debug, Clone)]
pub(crate) struct Stored {
    status_rank: u8,
    end_nanos: Option<i128>,
    shipment_rank: u8,
    business_rank: u8,
    /// The canonical content: identity, last tie-break, and what snapshots hold.
    pub(crate) canonical: Box<str>,
    pub(crate) notification: Notification,
}

impl Stored {
    pub(crate) fn new(notification: Notification, canonical: String) -> Stored {
        Stored {
            status_rank: notification.status.rank(),
            end_nanos: notification.end_time.as_ref().map(|t| t.unix_nanos()),
            shipment_rank: notification
                .shipment
                .as_ref()
                .map_or(0, |s| s.phase().rank()),
            business_rank: notification.details_status.as_ref().map_or(0, |b| b.rank()),
            canonical: canonical.into_boxed_str(),
            notification,
        }
    }

    /// DESIGN 2.3's order of the notifications of one operation: status rank,
    /// `endTime` instant (absent lowest), shipment rank, business rank, then
    /// the canonical content bytewise. Total: equal only for equal content.
    pub(crate) fn cmp_key(&self, other: &Stored) -> Ordering {
        (
            self.status_rank,
            self.end_nanos,
            self.shipment_rank,
            self.business_rank,
        )
            .cmp(&(
                other.status_rank,
                other.end_nanos,
                other.shipment_rank,
                other.business_rank,
            ))
            .then_with(|| self.canonical.as_bytes().cmp(other.canonical.as_bytes()))
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
    fn absorb<'s>(&mut self, id: W, s: &'s Stored, get: impl Fn(W) -> &'s Stored) {
        let greater = |w: Option<W>| w.is_none_or(|w| s.cmp_key(get(w)) == Ordering::Greater);
        let n = &s.notification;
        if greater(self.top) {
            self.top = Some(id);
        }
        match n.status {
            OperationStatus::Successful if greater(self.last_successful) => {
                self.last_successful = Some(id)
            }
            OperationStatus::Failed if greater(self.last_failed) => self.last_failed = Some(id),
            _ => {}
        }
        if n.details_status.is_some() {
            // The highest rank; among equal ranks the greatest key.
            let better = self.details_status.is_none_or(|w| {
                let best = get(w);
                (s.business_rank, s.cmp_key(best)) > (best.business_rank, Ordering::Equal)
            });
            if better {
                self.details_status = Some(id);
            }
        }
        if n.shipment.is_some() && greater(self.shipment) {
            self.shipment = Some(id);
        }
        if n.production_site.is_some() && greater(self.production_site) {
            self.production_site = Some(id);
        }
        if n.end_time.is_some() && greater(self.end_time) {
            self.end_time = Some(id);
        }
        // The earliest start; among equal starts the smallest key.
        let earlier = self.start_time.is_none_or(|w| {
            let best = get(w);
            (&n.start_time, s.cmp_key(best)) < (&best.notification.start_time, Ordering::Equal)
        });
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

impl Witnesses<usize> {
    fn of(items: &[Stored]) -> Witnesses<usize> {
        let mut w: Witnesses<(usize, &Stored)> = Witnesses::default();
        for (i, s) in items.iter().enumerate() {
            w.absorb((i, s), s, |(_, s)| s);
        }
        w.map(|(i, _)| Some(i))
    }

    fn contains(&self, i: usize) -> bool {
        [
            self.last_successful,
            self.last_failed,
            self.details_status,
            self.shipment,
            self.production_site,
            self.end_time,
            self.start_time,
        ]
        .contains(&Some(i))
    }
}

/// What inserting a notification did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Insert {
    /// The same content is already kept.
    Duplicate,
    /// A new notification; `kept` is false when it fell outside the bound
    /// (it was below the top K and defines no field of the view).
    New { kept: bool },
}

/// The kept notifications of one operation, ascending by key, and which of
/// them define the view (kept in step with `items` by `insert`, so reading
/// the view never rescans the history).
#[derive(Debug, Clone, Default)]
pub(crate) struct OperationState {
    items: Vec<Stored>,
    witnesses: Witnesses<usize>,
}

impl OperationState {
    pub(crate) fn items(&self) -> &[Stored] {
        &self.items
    }

    pub(crate) fn contains(&self, stored: &Stored) -> bool {
        self.items.binary_search_by(|x| x.cmp_key(stored)).is_ok()
    }

    /// Adds `stored`, then keeps the top `max_kept` and the witnesses.
    pub(crate) fn insert(&mut self, stored: Stored, max_kept: usize) -> Insert {
        match self.items.binary_search_by(|x| x.cmp_key(&stored)) {
            Ok(_) => Insert::Duplicate,
            Err(pos) => {
                self.items.insert(pos, stored);
                let kept = self.prune(max_kept, pos);
                self.witnesses = Witnesses::of(&self.items);
                Insert::New { kept }
            }
        }
    }

    /// Drops what is neither in the top `max_kept` nor a witness; says whether
    /// the item at `watch` survived.
    fn prune(&mut self, max_kept: usize, watch: usize) -> bool {
        let len = self.items.len();
        if len <= max_kept {
            return true;
        }
        let witnesses = Witnesses::of(&self.items);
        let first_top = len - max_kept;
        let keep = |i: usize| i >= first_top || witnesses.contains(i);
        let watched_kept = keep(watch);
        let mut i = 0;
        self.items.retain(|_| {
            let k = keep(i);
            i += 1;
            k
        });
        watched_kept
    }

    /// The earliest `startTime` (the operation's start, used to pick the
    /// current operation of a tracking type).
    pub(crate) fn start(&self) -> Option<&Stored> {
        self.witnesses.start_time.and_then(|i| self.items.get(i))
    }

    /// The view of this operation, borrowed: as it is, or as it would be
    /// once `pending` (a new, distinct notification of this operation) is
    /// folded. `conflict_elsewhere` is the card-level conflict (the same
    /// `operationId` under another tracking type).
    pub(crate) fn view_ref<'a>(
        &'a self,
        pending: Option<&'a Stored>,
        conflict_elsewhere: bool,
    ) -> Option<ViewRef<'a>> {
        let items = &self.items;
        let mut w = self.witnesses.map(|i| items.get(i));
        if let Some(p) = pending {
            w.absorb(p, p, |s| s);
        }
        view_of(
            &w,
            items.len() + usize::from(pending.is_some()),
            conflict_elsewhere,
        )
    }

    /// The view of an operation not in the state yet, made by `pending`.
    pub(crate) fn pending_view(pending: &Stored, conflict_elsewhere: bool) -> Option<ViewRef<'_>> {
        let mut w = Witnesses::default();
        w.absorb(pending, pending, |s| s);
        view_of(&w, 1, conflict_elsewhere)
    }

    /// The earliest `startTime`, counting `pending` too.
    pub(crate) fn start_with<'a>(&'a self, pending: Option<&'a Stored>) -> Option<&'a Timestamp> {
        let own = self.start().map(|s| &s.notification.start_time);
        let pending = pending.map(|p| &p.notification.start_time);
        match (own, pending) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }
}

fn view_of<'a>(
    w: &Witnesses<&'a Stored>,
    notifications: usize,
    conflict_elsewhere: bool,
) -> Option<ViewRef<'a>> {
    let top = &w.top?.notification;
    let at = |x: Option<&'a Stored>| x.map(|s| &s.notification);
    let failed = at(w.last_failed);
    let start = at(w.start_time).unwrap_or(top);
    Some(ViewRef {
        operation_id: &top.operation_id,
        // The greatest key has the highest status: status leads the key.
        status: top.status,
        details_status: at(w.details_status)
            .and_then(|n| n.details_status.as_ref())
            .map(BusinessStatus::as_str),
        production_site: at(w.production_site).and_then(|n| n.production_site.as_ref()),
        shipment: at(w.shipment).and_then(|n| n.shipment.as_ref()),
        start_time: start.start_time.as_str(),
        end_time: at(w.end_time)
            .and_then(|n| n.end_time.as_ref())
            .map(Timestamp::as_str),
        error_code: failed.and_then(|n| n.error_code.as_deref()),
        error: failed.and_then(|n| n.error.as_deref()),
        notifications,
        conflict: conflict_elsewhere || (w.last_successful.is_some() && w.last_failed.is_some()),
    })
}
