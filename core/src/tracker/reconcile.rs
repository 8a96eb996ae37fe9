//! Request records and the due-for-reconciliation list (README,
//! "Reconciliation").
//!
//! The host records when it asked D1 to track a card; the tracker lists the
//! trackings D1 has gone quiet about, for a `now` the host passes in. The host
//! then calls D1's on-demand status query and folds the answer with the
//! ordinary [`Tracker::apply`]: it has the same `{"operations": [...]}` shape.

use serde::Serialize;

use super::Tracker;
use crate::error::{invalid_value, limit, Error};
use crate::store::CardState;
use crate::view::{diff, CardRead, Change, Derived, ViewRef};
use crate::wire::{
    BusinessStatus, CardId, OperationStatus, ShipmentPhase, Timestamp, TrackingType, CARD_ID,
};

/// Why a tracking is due for reconciliation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[non_exhaustive]
pub enum DueReason {
    /// The host asked D1 to track this, and D1 has said nothing about this
    /// tracking type since.
    AwaitingNotification,
    /// The tracking is not finished and nothing moved for too long.
    Stale,
}

/// One tracking due for reconciliation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct DueTracking {
    /// The card.
    pub card_id: String,
    /// The tracking type to ask D1 about.
    pub tracking_type: TrackingType,
    /// Why.
    pub reason: DueReason,
    /// The last sign of life, in ms since the Unix epoch: the request time, or
    /// D1's latest `startTime`/`endTime` of the current operation.
    pub since_ms: u64,
    /// The current operation, when D1 has sent one.
    pub operation_id: Option<String>,
}

impl Tracker {
    /// Records that the host asked D1 to track `card_id` (at `at_ms`, ms since
    /// the Unix epoch, by the host's clock). Request times are joined with
    /// `max`, so order, repeats and merges do not matter. A card with a
    /// request and no notification yet has the phase `TRACKING_REQUESTED`.
    ///
    /// Returns the changes of the card's view, as `apply` reports them (the
    /// phase, when a request gives a card its first view), so that a host's
    /// outbox of changes is a complete chain.
    ///
    /// ```
    /// use d1_tracking::{Config, Phase, Tracker, TrackingType};
    /// let mut tracker = Tracker::new(Config::default());
    /// let changes = tracker.record_request("card-0001", TrackingType::Shipment, 1_772_442_000_000)?;
    /// assert_eq!(tracker.card("card-0001").unwrap().phase, Phase::TrackingRequested);
    /// assert_eq!((changes[0].field, changes[0].old.is_null()), ("phase", true));
    /// assert_eq!(changes[0].new, "TRACKING_REQUESTED");
    /// // Asked again: nothing of the view changes.
    /// assert!(tracker.record_request("card-0001", TrackingType::Shipment, 1_772_443_000_000)?.is_empty());
    /// # Ok::<(), d1_tracking::Error>(())
    /// ```
    ///
    /// # Errors
    /// `FIELD_INVALID_FORMAT` at `cardId` for an invalid card id;
    /// `LIMIT_EXCEEDED` at `cardId` for a new card when the tracker is full.
    /// The state is then unchanged.
    pub fn record_request(
        &mut self,
        card_id: &str,
        tracking_type: TrackingType,
        at_ms: u64,
    ) -> Result<Vec<Change>, Error> {
        CARD_ID.check(card_id, "cardId")?;
        if tracking_type == TrackingType::Untyped {
            return Err(invalid_value(
                "trackingType",
                "expected one of PRODUCTION, SHIPMENT, RETURN, PRODUCE (a request names what it asks for), found \"UNTYPED\"".to_string(),
            ));
        }
        if self.card_state(card_id).is_none() && self.cards.len() >= self.config.max_cards {
            return Err(limit(
                "cardId",
                format!(
                    "the tracker already holds {} cards, the limit set by maxCards",
                    self.config.max_cards
                ),
            ));
        }
        // Checked above: an identifier always has a key.
        let Some(key) = CardId::new(card_id) else {
            return Ok(Vec::new());
        };
        let existing = self.cards.get(&key);
        super::check_state_room(
            &self.config,
            self.state_bytes,
            CardState::request_bytes_to_add(existing, tracking_type),
            "cardId",
        )?;
        let before = existing.map(|card| CardRead(card).derive(None).phase);
        let bytes_before = existing.map_or(0, CardState::bytes);
        let card = self.cards.entry(key).or_default();
        card.record_request(tracking_type, at_ms);
        let bytes_after = card.bytes();
        // A request changes no operation: the same views before and after,
        // only the phase may differ.
        let after = CardRead(card).derive(None);
        let before = before.map(|phase| Derived {
            operations: Vec::new(),
            refs: after.refs,
            phase,
            ambiguous: Vec::new(),
        });
        let changes = diff(before.as_ref(), &after);
        self.recount(bytes_before, bytes_after);
        Ok(changes)
    }

    /// The trackings to ask D1 about at `now_ms`: those awaiting a first
    /// notification for longer than `older_than_ms` after their request, and
    /// the unfinished ones whose last sign of life is older than that.
    /// Sorted by card id, then tracking type. A pure function of the state and
    /// the arguments.
    ///
    /// Finished trackings are never due: `FAILED`; `CARD_RETURNED` or
    /// `CARD_PROD_CANCELED`; PRODUCTION and RETURN `SUCCESSFUL`; SHIPMENT
    /// `SUCCESSFUL` with a delivered shipment.
    ///
    /// ```
    /// use d1_tracking::{Config, DueReason, Tracker, TrackingType};
    /// let mut tracker = Tracker::new(Config::default());
    /// let asked = 1_772_442_000_000;
    /// tracker.record_request("card-0001", TrackingType::Shipment, asked)?;
    /// let hour = 3_600_000;
    /// assert!(tracker.due_for_reconciliation(asked + hour, 2 * hour).is_empty());
    /// let due = tracker.due_for_reconciliation(asked + 3 * hour, 2 * hour);
    /// assert_eq!(due[0].reason, DueReason::AwaitingNotification);
    /// // The host now calls D1's status query and folds the answer with apply().
    /// # Ok::<(), d1_tracking::Error>(())
    /// ```
    pub fn due_for_reconciliation(&self, now_ms: u64, older_than_ms: u64) -> Vec<DueTracking> {
        let mut due = Vec::new();
        for (card_id, card) in &self.cards {
            card_due(card_id.as_str(), card, now_ms, older_than_ms, &mut due);
        }
        due
    }
}

fn card_due(card_id: &str, card: &CardState, now: u64, older: u64, out: &mut Vec<DueTracking>) {
    let trackings = CardRead(card).derive(None).refs;
    // An untyped operation cannot be asked about: the host does not know
    // what it tracks (its alert says so).
    for (tracking_type, view) in TrackingType::ALL
        .into_iter()
        .zip(trackings)
        .filter(|(t, _)| *t != TrackingType::Untyped)
    {
        let requested = card.requests.get(&tracking_type).copied();
        let heard = view.as_ref().map(last_sign_of_life);
        let (reason, since) = match (requested, heard) {
            (Some(r), None) => (DueReason::AwaitingNotification, r),
            (Some(r), Some(h)) if r > h => (DueReason::AwaitingNotification, r),
            (r, Some(h)) => match &view {
                Some(v) if !is_finished(tracking_type, v) => {
                    (DueReason::Stale, h.max(r.unwrap_or(0)))
                }
                _ => continue,
            },
            (None, None) => continue,
        };
        if now.saturating_sub(since) > older {
            out.push(DueTracking {
                card_id: card_id.to_string(),
                tracking_type,
                reason,
                since_ms: since,
                operation_id: view.map(|v| v.operation_id.to_string()),
            });
        }
    }
}

/// D1's latest timestamp for the operation, in ms (0 before 1970).
fn last_sign_of_life(view: &ViewRef<'_>) -> u64 {
    [Some(view.start_time()), view.end_time()]
        .into_iter()
        .flatten()
        .filter_map(Timestamp::parse)
        .map(|t| u64::try_from(t.unix_nanos() / 1_000_000).unwrap_or(0))
        .max()
        .unwrap_or(0)
}

/// Business statuses after which D1 has nothing more to say.
const FINAL_BUSINESS_STATUSES: [BusinessStatus; 2] = [
    BusinessStatus::CardReturned,
    BusinessStatus::CardProdCanceled,
];

fn is_finished(tracking_type: TrackingType, view: &ViewRef<'_>) -> bool {
    let final_business = view
        .details_status()
        .is_some_and(|d| FINAL_BUSINESS_STATUSES.iter().any(|s| s.is(d)));
    let delivered = view.shipment_phase() == Some(ShipmentPhase::Delivered);
    match view.status {
        OperationStatus::Failed => true,
        _ if final_business => true,
        OperationStatus::Successful => tracking_type != TrackingType::Shipment || delivered,
        OperationStatus::Pending => false,
    }
}
