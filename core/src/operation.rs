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

use crate::model::{Notification, OperationStatus};
use crate::view::{ShipmentView, TrackingView};

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

/// Which notification defines each field of the view (indices into the
/// kept list, which is sorted ascending by key).
#[derive(Debug, Clone, Default)]
struct Witnesses {
    last_successful: Option<usize>,
    last_failed: Option<usize>,
    details_status: Option<usize>,
    shipment: Option<usize>,
    production_site: Option<usize>,
    end_time: Option<usize>,
    start_time: Option<usize>,
}

impl Witnesses {
    fn of(items: &[Stored]) -> Witnesses {
        let mut w = Witnesses::default();
        for (i, s) in items.iter().enumerate() {
            let n = &s.notification;
            // Items ascend by key, so a later index is a greater key: "the
            // greatest key carrying the field" is the last one seen.
            match n.status {
                OperationStatus::Successful => w.last_successful = Some(i),
                OperationStatus::Failed => w.last_failed = Some(i),
                OperationStatus::Pending => {}
            }
            if n.details_status.is_some() {
                let better = w
                    .details_status
                    .and_then(|j| items.get(j))
                    .is_none_or(|best| s.business_rank >= best.business_rank);
                if better {
                    w.details_status = Some(i);
                }
            }
            if n.shipment.is_some() {
                w.shipment = Some(i);
            }
            if n.production_site.is_some() {
                w.production_site = Some(i);
            }
            if n.end_time.is_some() {
                w.end_time = Some(i);
            }
            // Earliest start; among equal starts the smallest key.
            let earlier = w
                .start_time
                .and_then(|j| items.get(j))
                .is_none_or(|best| n.start_time < best.notification.start_time);
            if earlier {
                w.start_time = Some(i);
            }
        }
        w
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
    witnesses: Witnesses,
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

    /// The view of this operation. `conflict_elsewhere` is the card-level
    /// conflict (the same `operationId` under another tracking type).
    pub(crate) fn view(&self, conflict_elsewhere: bool) -> Option<TrackingView> {
        let top = self.items.last()?;
        let w = &self.witnesses;
        let at = |i: Option<usize>| i.and_then(|i| self.items.get(i)).map(|s| &s.notification);
        let failed = at(w.last_failed);
        let start = at(w.start_time).unwrap_or(&top.notification);
        Some(TrackingView {
            operation_id: top.notification.operation_id.clone(),
            // The greatest key has the highest status: status leads the key.
            status: top.notification.status,
            details_status: at(w.details_status)
                .and_then(|n| n.details_status.as_ref())
                .map(|b| b.as_str().to_string()),
            production_site: at(w.production_site).and_then(|n| n.production_site.clone()),
            shipment: at(w.shipment)
                .and_then(|n| n.shipment.as_ref())
                .map(ShipmentView::from),
            start_time: start.start_time.as_str().to_string(),
            end_time: at(w.end_time)
                .and_then(|n| n.end_time.as_ref())
                .map(|t| t.as_str().to_string()),
            error_code: failed.and_then(|n| n.error_code.clone()),
            error: failed.and_then(|n| n.error.clone()),
            notifications: self.items.len(),
            conflict: conflict_elsewhere
                || (w.last_successful.is_some() && w.last_failed.is_some()),
        })
    }
}
