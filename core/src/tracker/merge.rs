//! Merging two trackers: the union of their notifications and request
//! times, checked against this tracker's bounds before anything changes.

use std::borrow::Cow;

use super::Tracker;
use crate::config::Config;
use crate::error::Error;
use crate::json::quoted;
use crate::store::Incoming;

impl Tracker {
    /// Makes this tracker's state the union of its own and `other`'s:
    /// commutative, associative and idempotent.
    ///
    /// ```
    /// use d1_tracking::{Config, Tracker};
    /// let body = |status: &str| format!(r#"{{"operations":[{{"operationId":"op-1",
    ///   "operation":"STANDALONE_TRACKING","status":"{status}","startTime":"2026-03-02T09:00:00Z",
    ///   "cardId":"card-1","details":{{"trackingType":"SHIPMENT"}}}}]}}"#);
    /// let mut a = Tracker::new(Config::default());
    /// let mut b = Tracker::new(Config::default());
    /// a.apply(body("PENDING").as_bytes(), 0)?;
    /// b.apply(body("SUCCESSFUL").as_bytes(), 0)?;
    /// let mut ab = a.clone();
    /// ab.merge(&b)?;
    /// b.merge(&a)?;
    /// assert_eq!(ab.snapshot(), b.snapshot());
    /// # Ok::<(), d1_tracking::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::LimitExceeded`] when the union would exceed this tracker's
    /// card or per-card operation bounds; the state is then unchanged.
    pub fn merge(&mut self, other: &Tracker) -> Result<(), Error> {
        self.check_merge_room(other)?;
        for (id, card) in &other.cards {
            for entry in card.operations() {
                for stored in entry.state.items() {
                    // The union of two bounded states keeps the greatest K of
                    // the union: dropping here is the bounded join.
                    self.insert_unreported(Incoming {
                        card_id: Cow::Borrowed(id.as_str()),
                        operation_id: Cow::Borrowed(&entry.id),
                        tracking_type: entry.tracking_type,
                        stored: stored.clone(),
                    });
                }
            }
            if !card.requests.is_empty() {
                let before = self.card_bytes(id);
                let mine = self.cards.entry(*id).or_default();
                for (t, ms) in &card.requests {
                    mine.record_request(*t, *ms);
                }
                let after = mine.bytes();
                self.recount(before, after);
            }
        }
        Ok(())
    }

    fn check_merge_room(&self, other: &Tracker) -> Result<(), Error> {
        // At most the sum (cards both hold count twice): refused only near
        // the bound.
        super::check_state_room(&self.config, self.state_bytes, other.state_bytes, "cards")?;
        let new_cards = other
            .cards
            .keys()
            .filter(|id| !self.cards.contains_key(*id))
            .count();
        if self.cards.len() + new_cards > self.config.max_cards {
            return Err(crate::error::limit(
                "cards",
                format!(
                    "the union holds {} cards; the limit (maxCards) is {}",
                    self.cards.len() + new_cards,
                    self.config.max_cards
                ),
            ));
        }
        for (id, card) in &other.cards {
            let Some(mine) = self.cards.get(id) else {
                if card.operations().len() > self.config.max_operations_per_card {
                    return Err(too_many_operations(
                        id.as_str(),
                        card.operations().len(),
                        &self.config,
                    ));
                }
                continue;
            };
            let union = mine.operations().len()
                + card
                    .operations()
                    .iter()
                    .filter(|e| !mine.has_operation(e.tracking_type, &e.id))
                    .count();
            if union > self.config.max_operations_per_card {
                return Err(too_many_operations(id.as_str(), union, &self.config));
            }
        }
        Ok(())
    }
}

fn too_many_operations(card_id: &str, n: usize, config: &Config) -> Error {
    crate::error::limit(
        "cards",
        format!(
            "card {} would hold {n} operations; the limit (maxOperationsPerCard) is {}",
            quoted(card_id),
            config.max_operations_per_card
        ),
    )
}
