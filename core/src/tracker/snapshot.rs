//! Snapshots (canonical, versioned JSON of the kept notifications), per-card
//! export/import, and merge.
//!
//! A snapshot holds notifications only; restoring re-derives every view, so a
//! snapshot cannot be internally inconsistent. Format:
//!
//! ```json
//! {"cards":[{"cardId":"card-0001","notifications":[{…canonical operation…}],
//!            "requests":{"SHIPMENT":1772442000000}}],
//!  "format":"d1-tracking/1"}
//! ```
//!
//! `requests` (when the host recorded Track Card requests) maps a tracking
//! type to the latest request time, in ms since the Unix epoch.
//!
//! Keys are sorted, there is no white space, cards are sorted by id and each
//! card's notifications by (tracking type, operation id, fold order). Equal
//! states give equal bytes.

use super::Tracker;
use crate::config::Config;
use crate::error::Error;
use std::borrow::Cow;

use crate::json::{field, index, quoted, stream_member, Element, Member, Node, Outline, Path};
use crate::store::{intake, CardState, Intake, Tracking};
use crate::wire::{TrackingType, CARD_ID};

/// The format tag written into, and required of, every snapshot.
pub const SNAPSHOT_FORMAT: &str = "d1-tracking/1";

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

    /// Replaces the whole state with the one in the concatenation of
    /// `chunks` (as [`snapshot_chunks`](Tracker::snapshot_chunks) gives
    /// them, or any split of a snapshot).
    ///
    /// # Errors
    /// As [`restore`](Tracker::restore).
    pub fn restore_chunks<I>(&mut self, chunks: I) -> Result<(), Error>
    where
        I: IntoIterator,
        I::Item: AsRef<[u8]>,
    {
        let mut bytes = Vec::new();
        for chunk in chunks {
            bytes.extend_from_slice(chunk.as_ref());
        }
        self.restore(&bytes)
    }

    /// Replaces the whole state with the one in `snapshot`.
    ///
    /// # Errors
    /// [`Error::SnapshotInvalid`] for a corrupt, truncated, foreign or
    /// newer-format snapshot; [`Error::LimitExceeded`] when it holds more than
    /// this tracker's bounds allow. Either way the state is unchanged.
    pub fn restore(&mut self, snapshot: &[u8]) -> Result<(), Error> {
        let restored = read_snapshot(snapshot, &self.config)?;
        self.cards = restored.cards;
        self.state_bytes = restored.state_bytes;
        Ok(())
    }

    /// Merges a snapshot (typically one card's, from [`export_card`]) into
    /// this tracker: the result holds the union of both.
    ///
    /// [`export_card`]: Tracker::export_card
    ///
    /// # Errors
    /// As [`restore`](Tracker::restore); on error the state is unchanged.
    pub fn import_card(&mut self, snapshot: &[u8]) -> Result<(), Error> {
        let other = read_snapshot(snapshot, &self.config)?;
        self.merge(&other)
    }

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
                    self.insert_unreported(Tracking {
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

fn invalid(path: &str, message: String) -> Error {
    Error::SnapshotInvalid {
        path: path.to_string(),
        message,
    }
}

/// Reads a snapshot into a fresh tracker with `config`'s bounds, one
/// notification at a time: reading costs one notification's tree (at most
/// `maxOperationBytes` values) and the compact form of one card's
/// notifications until the card is complete, whatever the snapshot's size.
pub(super) fn read_snapshot(bytes: &[u8], config: &Config) -> Result<Tracker, Error> {
    let mut tracker = Tracker::new(config.clone());
    let mut card_error: Option<Error> = None;
    // The current card: its index, and its notifications taken in.
    let mut card = 0;
    let mut taken: Vec<Result<Intake<'_>, Error>> = Vec::new();
    let max_values = config.max_operation_values();
    let outline = stream_member(
        bytes,
        &["cards", "notifications"],
        max_values,
        &mut |element| match element {
            Element::Reset => {
                tracker = Tracker::new(config.clone());
                card_error = None;
                taken.clear();
            }
            Element::Begin { index } => {
                card = index;
                taken.clear();
            }
            Element::Item { index: j, node, .. } if card_error.is_none() => {
                let n_path = index(&field(&index("cards", card), "notifications"), j);
                let result = match node {
                    Some(node) => intake(
                        &node,
                        &Path::Text(&n_path),
                        &tracker.config,
                        &mut tracker.scratch,
                        false,
                    ),
                    None => Err(crate::error::limit(
                        &n_path,
                        format!(
                            "the notification holds more than {max_values} values, so more bytes in canonical form than the limit (maxOperationBytes) of {}",
                            tracker.config.max_operation_bytes
                        ),
                    )),
                };
                taken.push(result);
            }
            Element::Item { .. } => {}
            Element::End { index: i, outline } => {
                if card_error.is_none() {
                    let path = index("cards", i);
                    card_error = read_card(&outline, taken.drain(..), &path, &mut tracker).err();
                }
                taken.clear();
            }
        },
    )
    .map_err(|e| invalid("", format!("not valid JSON: {e}")))?;
    if let Some(found) = outline.not_an_object {
        return Err(invalid(
            "",
            format!("expected a snapshot object, found {found}"),
        ));
    }
    match outline.string("format") {
        Some(Some(f)) if f == SNAPSHOT_FORMAT => {}
        Some(Some(f)) => {
            return Err(invalid(
                "format",
                format!(
                    "format {} is not readable by this version, which reads \"{SNAPSHOT_FORMAT}\"",
                    quoted(f)
                ),
            ))
        }
        _ => {
            return Err(invalid(
                "format",
                format!("expected \"{SNAPSHOT_FORMAT}\": this is not a d1-tracking snapshot"),
            ))
        }
    }
    if !matches!(outline.member, Some(Member::Array(_))) {
        return Err(invalid("cards", "expected an array of cards".to_string()));
    }
    match card_error {
        Some(error) => Err(error),
        None => Ok(tracker),
    }
}

/// Files one card of a snapshot, whose notifications were taken in as
/// they were read (`taken`, in order), into `tracker`; checked in the
/// order of the card's fields: `cardId`, `notifications`, each
/// notification, `requests`.
fn read_card<'a>(
    card: &Outline<'a>,
    taken: impl Iterator<Item = Result<Intake<'a>, Error>>,
    path: &str,
    tracker: &mut Tracker,
) -> Result<(), Error> {
    let card_id = match card.string("cardId") {
        Some(Some(id)) if card.not_an_object.is_none() && CARD_ID.matches(id) => id,
        _ => {
            return Err(invalid(
                &field(path, "cardId"),
                format!("expected a card id matching {}", CARD_ID.regex()),
            ))
        }
    };
    if !matches!(card.member, Some(Member::Array(_))) {
        return Err(invalid(
            &field(path, "notifications"),
            "expected an array of notifications".to_string(),
        ));
    }
    let list_path = field(path, "notifications");
    for (j, parsed) in taken.enumerate() {
        let n_path = index(&list_path, j);
        let Intake::Tracking(tracking) = parsed.map_err(into_snapshot_error)? else {
            return Err(invalid(
                &field(&n_path, "operation"),
                "expected a STANDALONE_TRACKING or PRODUCE notification".to_string(),
            ));
        };
        if tracking.card_id != card_id {
            return Err(invalid(
                &field(&n_path, "cardId"),
                format!(
                    "the notification is for card {}, filed under {}",
                    quoted(&tracking.card_id),
                    quoted(card_id)
                ),
            ));
        }
        tracker.check_room(&tracking, &Path::Text(&n_path))?;
        let operation_id = tracking.operation_id.clone();
        if tracker.insert_unreported(tracking) > 0 {
            // Trimming would change the view's `notifications` and lose
            // history the host kept: the snapshot needs a larger bound.
            return Err(crate::error::limit(
                &n_path,
                format!(
                    "operation {} holds more notifications than this tracker keeps (the greatest {} by maxNotificationsPerOperation, plus those that define the view)",
                    quoted(&operation_id),
                    tracker.config.max_notifications_per_operation
                ),
            ));
        }
    }
    read_requests(card.member("requests"), card_id, path, tracker)
}

fn read_requests(
    requests: Option<Option<&Node<'_>>>,
    card_id: &str,
    path: &str,
    tracker: &mut Tracker,
) -> Result<(), Error> {
    let requests_path = field(path, "requests");
    let requests = match requests {
        None => return Ok(()),
        Some(Some(Node::Object(members))) => members,
        // Not an object, or more values than an object of request times
        // can hold (one per tracking type).
        Some(_) => {
            return Err(invalid(
                &requests_path,
                "expected an object of request times".to_string(),
            ))
        }
    };
    for (key, value) in requests {
        let entry_path = field(&requests_path, key);
        let tracking_type = TrackingType::parse_kind(key)
            .filter(|t| *t != TrackingType::Untyped)
            .ok_or_else(|| {
                invalid(
                    &entry_path,
                    "expected a kind a request names: PRODUCTION, SHIPMENT, RETURN or PRODUCE"
                        .to_string(),
                )
            })?;
        let at_ms = match value {
            Node::Number(n) => n.as_u64(),
            _ => None,
        };
        let at_ms = at_ms.ok_or_else(|| {
            invalid(
                &entry_path,
                "expected a time in ms since the Unix epoch (a whole number)".to_string(),
            )
        })?;
        tracker
            .record_request(card_id, tracking_type, at_ms)
            .map_err(|e| match e {
                // The card id was checked above: only the card bound remains.
                Error::LimitExceeded { message, .. } => Error::LimitExceeded {
                    path: entry_path.clone(),
                    message,
                },
                other => invalid(&entry_path, other.message()),
            })?;
    }
    Ok(())
}

/// An error found inside a snapshot's notification: a bound stays a bound
/// (the snapshot is fine, this tracker's configuration is smaller); anything
/// else means the snapshot is corrupt.
fn into_snapshot_error(error: Error) -> Error {
    match error {
        Error::LimitExceeded { .. } => error,
        other => Error::SnapshotInvalid {
            path: other.path().unwrap_or_default().to_string(),
            message: format!("{}: {}", other.code(), other.message()),
        },
    }
}
