//! Paging through the cards in id order: the listing of views
//! ([`Tracker::cards_page`]) and the snapshot in pieces
//! ([`Tracker::snapshot_chunk`]) both start after a card id a host gave
//! back, so that no call builds every card's text or view at once.

use std::ops::Bound;

use super::Tracker;
use crate::store::CardState;
use crate::view::{CardRead, CardView};
use crate::wire::CardId;

impl Tracker {
    /// Up to `limit` card views, sorted by card id, of the cards after
    /// `after` (from the first when `None`): a paged listing, so no call
    /// builds every view at once.
    ///
    /// ```
    /// use d1_tracking::{Config, Tracker, TrackingType};
    /// let mut tracker = Tracker::new(Config::default());
    /// for card in ["card-1", "card-2", "card-3"] {
    ///     tracker.record_request(card, TrackingType::Shipment, 1_772_442_000_000)?;
    /// }
    /// let page = tracker.cards_page(Some("card-1"), 1);
    /// assert_eq!(page[0].card_id, "card-2");
    /// # Ok::<(), d1_tracking::Error>(())
    /// ```
    pub fn cards_page(&self, after: Option<&str>, limit: usize) -> Vec<CardView> {
        self.cards_after(after)
            .take(limit)
            .map(|(id, card)| CardRead(card).view(id.as_str()))
            .collect()
    }

    /// The cards whose id sorts after `after` (every card when `None`), in
    /// id order.
    pub(super) fn cards_after<'a>(
        &'a self,
        after: Option<&'a str>,
    ) -> impl Iterator<Item = (&'a CardId, &'a CardState)> + 'a {
        let start = match after.and_then(CardId::new) {
            Some(key) => Bound::Excluded(key),
            // An id that cannot be a card sorts… anywhere: list from the
            // first card whose id is greater.
            None => Bound::Unbounded,
        };
        self.cards
            .range((start, Bound::Unbounded))
            .filter(move |(id, _)| after.is_none_or(|a| id.as_str() > a))
    }
}
