//! Writing snapshots: the whole state, one card's (the host's row), and
//! the same text in pieces for hosts that page through it.

use super::SNAPSHOT_FORMAT;
use crate::store::CardState;
use crate::tracker::Tracker;

/// What every snapshot starts with.
const SNAPSHOT_HEAD: &str = "{\"cards\":[";

/// What every snapshot ends with.
fn snapshot_tail() -> String {
    format!("],\"format\":\"{SNAPSHOT_FORMAT}\"}}")
}

/// One card of a snapshot.
fn write_card(id: &str, card: &CardState, out: &mut String) {
    out.push_str("{\"cardId\":");
    out.push_str(&serde_json::to_string(id).unwrap_or_default());
    out.push_str(",\"notifications\":[");
    let items = card
        .operations()
        .iter()
        .flat_map(|e| e.state.items().iter().map(move |s| (e, s)));
    for (j, (entry, stored)) in items.enumerate() {
        if j > 0 {
            out.push(',');
        }
        stored.encoded().decode_into(id, &entry.id, out);
    }
    out.push(']');
    if !card.requests.is_empty() {
        // Canonical JSON sorts keys by their text (PRODUCE before
        // PRODUCTION), not by the enum's order.
        let mut requests: Vec<(&str, u64)> = card
            .requests
            .iter()
            .map(|(t, ms)| (t.as_str(), *ms))
            .collect();
        requests.sort_unstable();
        out.push_str(",\"requests\":{");
        for (j, (t, ms)) in requests.into_iter().enumerate() {
            if j > 0 {
                out.push(',');
            }
            out.push_str(&format!("\"{t}\":{ms}"));
        }
        out.push('}');
    }
    out.push('}');
}

impl Tracker {
    /// The whole state as canonical JSON (see the module docs of the format).
    ///
    /// ```
    /// use d1_tracking::{Config, Tracker};
    /// let tracker = Tracker::new(Config::default());
    /// assert_eq!(tracker.snapshot(), r#"{"cards":[],"format":"d1-tracking/1"}"#);
    /// ```
    pub fn snapshot(&self) -> String {
        self.write_snapshot(self.cards.iter().map(|(id, card)| (id.as_str(), card)))
    }

    /// One card's state, in the snapshot format (a snapshot holding one card),
    /// or `None` when the card is unknown. A host can keep one row per card.
    pub fn export_card(&self, card_id: &str) -> Option<String> {
        self.card_state(card_id)
            .map(|card| self.write_snapshot(std::iter::once((card_id, card))))
    }

    fn write_snapshot<'a>(&self, cards: impl Iterator<Item = (&'a str, &'a CardState)>) -> String {
        let mut out = String::from(SNAPSHOT_HEAD);
        for (i, (id, card)) in cards.enumerate() {
            if i > 0 {
                out.push(',');
            }
            write_card(id, card, &mut out);
        }
        out.push_str(&snapshot_tail());
        out
    }

    /// The whole state as a sequence of texts whose concatenation is
    /// [`snapshot`](Tracker::snapshot), each holding at most
    /// `cards_per_chunk` cards (at least one): a large state is exported
    /// without building one string of its size. [`restore_chunks`]
    /// reads the sequence back.
    ///
    /// [`restore_chunks`]: Tracker::restore_chunks
    ///
    /// ```
    /// use d1_tracking::{Config, Tracker, TrackingType};
    /// let mut tracker = Tracker::new(Config::default());
    /// for card in ["card-1", "card-2", "card-3"] {
    ///     tracker.record_request(card, TrackingType::Shipment, 1_772_442_000_000)?;
    /// }
    /// let chunks: Vec<String> = tracker.snapshot_chunks(2).collect();
    /// assert_eq!(chunks.len(), 2);
    /// assert_eq!(chunks.concat(), tracker.snapshot());
    /// # Ok::<(), d1_tracking::Error>(())
    /// ```
    pub fn snapshot_chunks(&self, cards_per_chunk: usize) -> impl Iterator<Item = String> + '_ {
        let mut cursor: Option<Option<String>> = Some(None);
        std::iter::from_fn(move || {
            let after = cursor.take()?;
            let (text, next) = self.snapshot_chunk(after.as_deref(), cards_per_chunk);
            cursor = next.map(Some);
            Some(text)
        })
    }

    /// One piece of the snapshot, for hosts that page through it across
    /// calls (the npm package, the C library): the cards after `after`
    /// (from the first when `None`), at most `cards` of them (at least one),
    /// and the `after` of the next piece, `None` when this one ends the
    /// snapshot. The pieces of one unchanged state concatenate to
    /// [`snapshot`](Tracker::snapshot).
    pub fn snapshot_chunk(&self, after: Option<&str>, cards: usize) -> (String, Option<String>) {
        let mut out = String::new();
        if after.is_none() {
            out.push_str(SNAPSHOT_HEAD);
        }
        let mut range = self.cards_after(after).peekable();
        let mut last = None;
        for i in 0..cards.max(1) {
            let Some((id, card)) = range.next() else {
                break;
            };
            if i > 0 || after.is_some() {
                out.push(',');
            }
            write_card(id.as_str(), card, &mut out);
            last = Some(id.as_str());
        }
        if range.peek().is_none() {
            out.push_str(&snapshot_tail());
            return (out, None);
        }
        (out, last.map(str::to_string))
    }
}
