//! The tracker: every card's state, its queries (here) and paged listing
//! (`paging.rs`), `apply` (`apply.rs`), snapshots (`snapshot/`), merge
//! (`merge.rs`), request records and reconciliation (`reconcile.rs`).

use std::collections::BTreeMap;

use crate::config::Config;
use crate::store::CardState;
use crate::view::{CardRead, CardView, OperationView, Phase, TrackingRef};
use crate::wire::{CardId, TrackingType};

mod apply;
mod merge;
mod paging;
mod reconcile;
mod report;
mod rows;
mod snapshot;

pub use reconcile::{DueReason, DueTracking};
pub use report::{ApplyReport, OperationReport, Outcome};
pub use rows::{rows_from_json, CardFailure, CardUpdate, OwnedRow, Row, RowsFold};
pub use snapshot::SNAPSHOT_FORMAT;

/// Folds D1 notifications into one view per card. Sans-I/O: bytes in,
/// reports and views out; the host does transport, storage and time.
///
/// The state is a pure function of the *set* of distinct notifications
/// received: any order, any duplicates, any batching and any [`merge`]
/// give the same state, byte for byte in [`snapshot`].
///
/// ```
/// use d1_tracking::{Config, Outcome, Phase, Tracker};
///
/// let body = br#"{"operations":[{"operationId":"5f0c6a52-3a4e","operation":"STANDALONE_TRACKING",
///   "status":"SUCCESSFUL","startTime":"2026-03-02T09:00:00.000Z","endTime":"2026-03-04T16:12:09.000Z",
///   "cardId":"card-0001","details":{"trackingType":"SHIPMENT","status":"CARD_SHIPPED",
///   "shipment":{"carrier":"ups","trackingNumber":"1Z999AA10123456784","status":"InTransit"}}}]}"#;
///
/// let mut tracker = Tracker::new(Config::default());
/// let report = tracker.apply(body, 1_772_442_000_000)?;
/// assert_eq!(report.operations[0].outcome, Outcome::Applied);
///
/// // D1 delivers at least once: the same body again changes nothing.
/// let again = tracker.apply(body, 1_772_442_060_000)?;
/// assert_eq!(again.operations[0].outcome, Outcome::Duplicate);
///
/// assert_eq!(tracker.card("card-0001").unwrap().phase, Phase::InTransit);
/// # Ok::<(), d1_tracking::Error>(())
/// ```
///
/// [`merge`]: Tracker::merge
/// [`snapshot`]: Tracker::snapshot
#[derive(Debug, Clone)]
pub struct Tracker {
    pub(crate) config: Config,
    pub(crate) cards: BTreeMap<CardId, CardState>,
    /// The encoder's buffer, reused from notification to notification (not
    /// state: it is cleared before each use).
    pub(crate) scratch: String,
    /// The bytes the state keeps, as `maxStateBytes` counts them (the sum
    /// of every card's [`CardState::bytes`]).
    pub(crate) state_bytes: usize,
}

impl Tracker {
    /// An empty tracker with these bounds.
    pub fn new(config: Config) -> Tracker {
        Tracker {
            config,
            cards: BTreeMap::new(),
            scratch: String::new(),
            state_bytes: 0,
        }
    }

    /// The state of one card.
    pub(crate) fn card_state(&self, card_id: &str) -> Option<&CardState> {
        self.cards.get(&CardId::new(card_id)?)
    }

    /// The bounds this tracker enforces.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The bytes the state keeps, as [`Config::max_state_bytes`] bounds
    /// them: every kept notification (its struct and compact text), every
    /// operation, card and request record.
    pub fn state_bytes(&self) -> usize {
        self.state_bytes
    }

    /// Updates [`state_bytes`](Tracker::state_bytes) for a card that took
    /// `before` bytes and now takes `after`.
    pub(crate) fn recount(&mut self, before: usize, after: usize) {
        self.state_bytes = self
            .state_bytes
            .saturating_sub(before)
            .saturating_add(after);
    }

    /// The bytes one card takes (0 when unknown).
    pub(crate) fn card_bytes(&self, key: &CardId) -> usize {
        self.cards.get(key).map_or(0, CardState::bytes)
    }

    /// How many cards the tracker holds.
    pub fn len(&self) -> usize {
        self.cards.len()
    }

    /// True when the tracker holds no card.
    pub fn is_empty(&self) -> bool {
        self.cards.is_empty()
    }

    /// The ids of every card, sorted.
    pub fn card_ids(&self) -> impl Iterator<Item = &str> + '_ {
        self.cards.keys().map(CardId::as_str)
    }

    /// The view of one card, or `None` when nothing is known of it.
    pub fn card(&self, card_id: &str) -> Option<CardView> {
        self.card_state(card_id).map(|c| CardRead(c).view(card_id))
    }

    /// Every card's view, sorted by card id.
    pub fn cards(&self) -> impl Iterator<Item = CardView> + '_ {
        self.cards
            .iter()
            .map(|(id, c)| CardRead(c).view(id.as_str()))
    }

    /// Every operation of one card (not only the current ones), in order of
    /// tracking type then operation id.
    pub fn operations(&self, card_id: &str) -> Option<Vec<OperationView>> {
        self.card_state(card_id)
            .map(|c| CardRead(c).operation_views())
    }

    /// The current operation of one kind of a card, borrowed, or
    /// `None` when there is none: one field of what [`card`](Tracker::card)
    /// shows under `trackings`, without building the whole view.
    pub fn tracking(&self, card_id: &str, tracking_type: TrackingType) -> Option<TrackingRef<'_>> {
        let card = CardRead(self.card_state(card_id)?);
        let refs = card.derive(None).refs;
        refs.get(tracking_type.index())
            .copied()
            .flatten()
            .map(TrackingRef)
    }

    /// Why the card shows its phase (README, "Why this phase"): its cycles,
    /// every kept notification with the facts it yields, the fact that
    /// decided and by which step, and each alert with the notifications that
    /// raised it. `None` for a card this tracker does not know.
    ///
    /// ```
    /// use d1_tracking::{Config, Tracker};
    /// let tracker = Tracker::new(Config::default());
    /// assert!(tracker.explain("card-0001").is_none());
    /// ```
    pub fn explain(&self, card_id: &str) -> Option<crate::view::Explanation> {
        Some(crate::view::explain(card_id, self.card_state(card_id)?))
    }

    /// The phase of one card, or `None` when nothing is known of it: what
    /// [`card`](Tracker::card) shows as `phase`, without building the view.
    ///
    /// ```
    /// use d1_tracking::{Config, Phase, Tracker, TrackingType};
    /// let mut tracker = Tracker::new(Config::default());
    /// tracker.record_request("card-0001", TrackingType::Shipment, 1_772_442_000_000)?;
    /// assert_eq!(tracker.phase("card-0001"), Some(Phase::TrackingRequested));
    /// assert_eq!(tracker.phase("card-0002"), None);
    /// # Ok::<(), d1_tracking::Error>(())
    /// ```
    pub fn phase(&self, card_id: &str) -> Option<Phase> {
        Some(CardRead(self.card_state(card_id)?).derive(None).phase)
    }
}

/// Checks that adding `add` bytes to a state of `state_bytes` stays within
/// `maxStateBytes` (`LIMIT_EXCEEDED` at `path` otherwise): the one check
/// behind folds, request records, restores and merges. A function of the
/// fields, so that it runs while a card is borrowed.
pub(crate) fn check_state_room(
    config: &Config,
    state_bytes: usize,
    add: usize,
    path: &str,
) -> Result<(), crate::Error> {
    let total = state_bytes.saturating_add(add);
    if total > config.max_state_bytes {
        return Err(crate::error::limit(
            path,
            format!(
                "the state would keep up to {total} bytes; the limit (maxStateBytes) is {}",
                config.max_state_bytes
            ),
        ));
    }
    Ok(())
}
