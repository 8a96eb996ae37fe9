//! The host path (docs/decisions.md, "The host path"): state in the host's
//! database, one row per card.
//!
//! A host keeps each card's state as a row (the per-card export,
//! [`Tracker::export_card`]). For a body it asks which cards the body
//! touches ([`Tracker::cards_of_body`]), loads and locks those rows, folds
//! the body against them ([`Tracker::fold_rows`]) and writes back the rows,
//! views and changes it gets, with its outbox, in one transaction. Nothing
//! of the tracker it is called on changes: the fold happens in a scratch
//! tracker that holds only the rows given, so its cost is the body's and
//! the rows', whatever else the host holds.

use serde::Serialize;

use super::report::{ApplyReport, Outcome};
use super::Tracker;
use crate::error::{invalid_value, Error};
use crate::json::quoted;
use crate::view::{CardView, Change};
use crate::wire::{TrackingType, CARD_ID};

/// One card's row as the host loaded it: its export, or `None` for a card
/// the host has no row for yet. Every card of the body needs one, so that a
/// host never folds against a partial state by mistake.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Row<'a> {
    /// The card.
    pub card_id: &'a str,
    /// Its row ([`Tracker::export_card`]), or `None`: no row yet.
    pub row: Option<&'a [u8]>,
}

impl<'a> Row<'a> {
    /// The row of `card_id`: `Some(bytes)` as stored, or `None` for none yet.
    pub fn new(card_id: &'a str, row: Option<&'a [u8]>) -> Row<'a> {
        Row { card_id, row }
    }
}

/// A card whose state changed: what the host writes back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct CardUpdate {
    /// The card.
    pub card_id: String,
    /// Its new row (the per-card export).
    pub row: String,
    /// Its view.
    pub view: CardView,
    /// Every change of its view, in order (the `changes` of its operations
    /// in the report, or of the request): the host's outbox.
    pub changes: Vec<Change>,
}

/// What [`Tracker::fold_rows`] gives back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct RowsFold {
    /// The report `apply` would give; the operations of a card in `failed`
    /// are rejected, with that card's error, their raw text and
    /// `retry: false`.
    pub report: ApplyReport,
    /// Every card whose state changed, sorted by card id; the others'
    /// rows stay as they are.
    pub cards: Vec<CardUpdate>,
    /// The cards the fold could not touch, sorted by card id: their row is
    /// unreadable (another version's format, corrupt, another card's) or
    /// over this tracker's bounds. Their rows stay as they are; the other
    /// cards of the body are folded (one card's problem never blocks
    /// another's). The host parks their operations (`report`) as dead
    /// letters and re-drives them once the row is repaired.
    pub failed: Vec<CardFailure>,
}

/// A card of the body whose row the fold could not use.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct CardFailure {
    /// The card.
    pub card_id: String,
    /// Why its row was refused (`SNAPSHOT_INVALID` or `LIMIT_EXCEEDED` at
    /// `rows[i]…`).
    pub error: Error,
}

impl Tracker {
    /// The cards `body` touches (sorted, distinct): those of its operations
    /// that `apply` would fold. The body is validated as `apply` validates
    /// it; nothing changes.
    ///
    /// ```
    /// use d1_tracking::{Config, Tracker};
    /// let tracker = Tracker::new(Config::default());
    /// let body = br#"{"operations":[{"operationId":"op-1","operation":"STANDALONE_TRACKING",
    ///   "status":"PENDING","startTime":"2026-03-02T09:00:00Z","cardId":"card-2",
    ///   "details":{"trackingType":"SHIPMENT"}}]}"#;
    /// assert_eq!(tracker.cards_of_body(body)?, ["card-2"]);
    /// # Ok::<(), d1_tracking::Error>(())
    /// ```
    ///
    /// # Errors
    /// The whole-body errors of [`apply`](Tracker::apply).
    pub fn cards_of_body(&self, body: &[u8]) -> Result<Vec<String>, Error> {
        // A tracker of its own for the encoder's buffer: `self` stays
        // untouched (and shared between a host's requests).
        Tracker::new(self.config.clone()).cards_read(body)
    }

    /// Folds `body` against the rows the host loaded, one for every card of
    /// the body ([`cards_of_body`](Tracker::cards_of_body)); rows of other
    /// cards may be given and are left as they are. Returns the report
    /// `apply` would give on a tracker holding those rows, and for every
    /// card whose state changed its new row, view and changes. This
    /// tracker is not changed (its configuration bounds the fold).
    ///
    /// ```
    /// use d1_tracking::{Config, Row, Tracker};
    /// let tracker = Tracker::new(Config::default());
    /// let body = br#"{"operations":[{"operationId":"op-1","operation":"STANDALONE_TRACKING",
    ///   "status":"PENDING","startTime":"2026-03-02T09:00:00Z","cardId":"card-2",
    ///   "details":{"trackingType":"SHIPMENT"}}]}"#;
    /// let folded = tracker.fold_rows(body, &[Row::new("card-2", None)])?;
    /// let update = &folded.cards[0];
    /// assert_eq!(update.card_id, "card-2");
    /// // Store update.row; the next body for card-2 folds against it.
    /// let again = tracker.fold_rows(body, &[Row::new("card-2", Some(update.row.as_bytes()))])?;
    /// assert!(again.cards.is_empty()); // a duplicate: nothing to write
    /// # Ok::<(), d1_tracking::Error>(())
    /// ```
    ///
    /// A row that is not a snapshot of its own card (`SNAPSHOT_INVALID`),
    /// or exceeds this tracker's bounds (`LIMIT_EXCEEDED`), fails its card
    /// only: it is listed in [`RowsFold::failed`] and its operations are
    /// rejected in the report with their raw text; the other cards fold.
    ///
    /// # Errors
    /// The whole-body errors of `apply`; `FIELD_MISSING` at `rows` naming the
    /// first card of the body without an entry; `FIELD_INVALID_FORMAT` for an
    /// invalid card id in `rows`.
    pub fn fold_rows(&self, body: &[u8], rows: &[Row<'_>]) -> Result<RowsFold, Error> {
        let (mut scratch, failed) = self.scratch_with(rows)?;
        let mut report = scratch.apply(body, 0)?;
        if !failed.is_empty() {
            park(&mut report, &failed, body);
        }
        let cards = touched(&report);
        if let Some(missing) = cards
            .iter()
            .find(|id| !rows.iter().any(|r| r.card_id == id.as_str()))
        {
            return Err(Error::FieldMissing {
                path: "rows".to_string(),
                message: format!(
                    "a row (or an explicit none) for card {}, which the body touches: load every card cards_of_body lists",
                    quoted(missing)
                ),
            });
        }
        let updates = cards
            .iter()
            .filter(|id| !failed.iter().any(|f| &f.card_id == *id))
            .filter(|id| {
                report.operations.iter().any(|op| {
                    op.card_id.as_deref() == Some(id.as_str())
                        && matches!(op.outcome, Outcome::Applied | Outcome::Recorded)
                })
            })
            .filter_map(|id| {
                let changes = report
                    .operations
                    .iter()
                    .filter(|op| op.card_id.as_deref() == Some(id.as_str()))
                    .flat_map(|op| op.changes.iter().cloned())
                    .collect();
                scratch.update_of(id, changes)
            })
            .collect();
        Ok(RowsFold {
            report,
            cards: updates,
            failed,
        })
    }

    /// Records a Track Card request (as [`record_request`]) against the
    /// card's row: the new row, view and changes. This tracker is not
    /// changed.
    ///
    /// [`record_request`]: Tracker::record_request
    ///
    /// # Errors
    /// As `record_request`, and as [`fold_rows`](Tracker::fold_rows) for the
    /// row.
    pub fn record_request_on_row(
        &self,
        row: Row<'_>,
        tracking_type: TrackingType,
        at_ms: u64,
    ) -> Result<CardUpdate, Error> {
        let (mut scratch, failed) = self.scratch_with(std::slice::from_ref(&row))?;
        if let Some(f) = failed.into_iter().next() {
            return Err(f.error);
        }
        let changes = scratch.record_request(row.card_id, tracking_type, at_ms)?;
        scratch
            .update_of(row.card_id, changes)
            .ok_or_else(|| invalid_value("cardId", "the card has no state".to_string()))
    }

    /// Drops one card from this tracker and returns its row, or `None` when
    /// it held nothing of it: a tracker used as a bounded cache.
    pub fn evict(&mut self, card_id: &str) -> Option<String> {
        let row = self.export_card(card_id)?;
        let key = crate::wire::CardId::new(card_id)?;
        if let Some(card) = self.cards.remove(&key) {
            self.state_bytes = self.state_bytes.saturating_sub(card.bytes());
        }
        Some(row)
    }

    /// Drops every card.
    pub fn clear(&mut self) {
        self.cards.clear();
        self.state_bytes = 0;
    }

    /// A tracker with this one's configuration holding `rows` (each must be
    /// a snapshot of its own card only), and the cards whose row it could
    /// not take.
    fn scratch_with(&self, rows: &[Row<'_>]) -> Result<(Tracker, Vec<CardFailure>), Error> {
        let mut scratch: Option<Tracker> = None;
        let mut failed = Vec::new();
        for (i, row) in rows.iter().enumerate() {
            let path = format!("rows[{i}]");
            CARD_ID.check(row.card_id, &format!("{path}.cardId"))?;
            let Some(bytes) = row.row else { continue };
            let taken = super::snapshot::read_snapshot(bytes, &self.config)
                .map_err(|e| at(e, &path))
                .and_then(|one| own_card(one, row.card_id, &path))
                .and_then(|one| match scratch.as_mut() {
                    // The first row read is the scratch tracker (most bodies
                    // touch one card): no copy; the others merge into it.
                    None => {
                        scratch = Some(one);
                        Ok(())
                    }
                    Some(s) => s.merge(&one).map_err(|e| at(e, &path)),
                });
            if let Err(error) = taken {
                failed.push(CardFailure {
                    card_id: row.card_id.to_string(),
                    error,
                });
            }
        }
        failed.sort_by(|a, b| a.card_id.cmp(&b.card_id));
        failed.dedup_by(|a, b| a.card_id == b.card_id);
        let scratch = scratch.unwrap_or_else(|| Tracker::new(self.config.clone()));
        Ok((scratch, failed))
    }

    /// The update of one card of this (scratch) tracker.
    fn update_of(&self, card_id: &str, changes: Vec<Change>) -> Option<CardUpdate> {
        Some(CardUpdate {
            card_id: card_id.to_string(),
            row: self.export_card(card_id)?,
            view: self.card(card_id)?,
            changes,
        })
    }
}

/// `one`, a row read for `card_id`, when it holds that card only.
fn own_card(one: Tracker, card_id: &str, path: &str) -> Result<Tracker, Error> {
    let other = one.card_ids().find(|id| *id != card_id).map(str::to_string);
    match other {
        None => Ok(one),
        Some(other) => Err(Error::SnapshotInvalid {
            path: path.to_string(),
            message: format!(
                "the row of card {} holds card {}",
                quoted(card_id),
                quoted(&other)
            ),
        }),
    }
}

/// Rejects the operations of the cards whose row failed (the scratch
/// tracker folded them against no state: that result is dropped), each with
/// its card's error and its raw text as it stands in the body.
fn park(report: &mut ApplyReport, failed: &[CardFailure], body: &[u8]) {
    let spans = std::str::from_utf8(body)
        .ok()
        .and_then(|text| crate::json::element_spans(text, "operations"));
    for op in &mut report.operations {
        let Some(failure) = failed
            .iter()
            .find(|f| op.card_id.as_deref() == Some(f.card_id.as_str()))
        else {
            continue;
        };
        if op.tracking_type.is_none() || op.outcome == Outcome::Rejected {
            // Not folded (ignored), or refused on its own account already:
            // that outcome stands.
            continue;
        }
        op.outcome = Outcome::Rejected;
        op.changes.clear();
        op.error = Some(failure.error.clone());
        op.retry = false;
        op.raw = spans
            .as_ref()
            .and_then(|s| s.get(op.index))
            .map(|raw| raw.to_string());
    }
}

/// The cards of a report's notifications (those `apply` folded, or would
/// have but for this tracker's capacity), sorted and distinct.
fn touched(report: &ApplyReport) -> Vec<String> {
    let mut cards: Vec<String> = report
        .operations
        .iter()
        .filter(|op| op.tracking_type.is_some())
        .filter_map(|op| op.card_id.clone())
        .collect();
    cards.sort_unstable();
    cards.dedup();
    cards
}

/// An error of a row, with its path under `rows[i]`.
fn at(error: Error, row_path: &str) -> Error {
    match error {
        Error::SnapshotInvalid { path, message } => Error::SnapshotInvalid {
            path: format!("{row_path}.{path}"),
            message,
        },
        Error::LimitExceeded { path, message } => Error::LimitExceeded {
            path: format!("{row_path}.{path}"),
            message,
        },
        other => other,
    }
}

/// A [`Row`] that owns its text: what [`rows_from_json`] reads.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct OwnedRow {
    /// The card.
    pub card_id: String,
    /// Its row, or `None`: no row yet.
    pub row: Option<String>,
}

impl OwnedRow {
    /// The row, borrowed.
    pub fn as_row(&self) -> Row<'_> {
        Row::new(&self.card_id, self.row.as_deref().map(str::as_bytes))
    }
}

/// Reads rows given as JSON, the form the npm package and the C library
/// take: `[{"cardId": "card-1", "row": "<the export>"}, {"cardId": "card-2",
/// "row": null}]`; `row` may also be the export itself, as a JSON object.
///
/// ```
/// let rows = d1_tracking::rows_from_json(br#"[{"cardId":"card-1","row":null}]"#)?;
/// assert_eq!(rows[0].card_id, "card-1");
/// # Ok::<(), d1_tracking::Error>(())
/// ```
///
/// # Errors
/// `PARSING_ERROR` when the bytes are not a JSON array; `FIELD_MISSING`,
/// `FIELD_INVALID_FORMAT` at `rows[i].cardId` or `rows[i].row`.
pub fn rows_from_json(bytes: &[u8]) -> Result<Vec<OwnedRow>, Error> {
    let value: serde_json::Value = serde_json::from_slice(bytes).map_err(|e| Error::Parsing {
        message: format!("the rows are not valid JSON: {e}"),
    })?;
    let serde_json::Value::Array(items) = value else {
        return Err(Error::Parsing {
            message: "expected a JSON array of rows [{\"cardId\": …, \"row\": …}]".to_string(),
        });
    };
    items
        .into_iter()
        .enumerate()
        .map(|(i, item)| {
            let path = format!("rows[{i}]");
            let card_id = match item.get("cardId") {
                Some(serde_json::Value::String(s)) => s.clone(),
                None | Some(serde_json::Value::Null) => {
                    return Err(crate::error::missing(
                        &format!("{path}.cardId"),
                        "a card id",
                    ))
                }
                Some(_) => {
                    return Err(crate::error::invalid_format(
                        &format!("{path}.cardId"),
                        "expected a string".to_string(),
                    ))
                }
            };
            let row = match item.get("row") {
                None | Some(serde_json::Value::Null) => None,
                Some(serde_json::Value::String(s)) => Some(s.clone()),
                Some(object @ serde_json::Value::Object(_)) => Some(object.to_string()),
                Some(_) => {
                    return Err(crate::error::invalid_format(
                        &format!("{path}.row"),
                        "expected the card's export (a string or an object), or null".to_string(),
                    ))
                }
            };
            Ok(OwnedRow { card_id, row })
        })
        .collect()
}
