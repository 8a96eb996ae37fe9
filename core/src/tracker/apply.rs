//! `apply`: a body read and every operation taken in first (nothing of the
//! state is read or changed), then folded one by one, each reported.

use super::report::{ApplyReport, OperationReport, Outcome};
use super::Tracker;
use crate::config::Config;
use crate::error::{limit, Error};
use std::borrow::Cow;

use crate::json::{write_canonical, Node, Path};
use crate::store::{intake, CardState, Incoming, Intake, Pending};
use crate::view::{diff, CardRead, Change};
use crate::wire::{
    operation_path, read_envelope, CardId, Operation, TrackingType, CARD_ID, OPERATION_ID,
    OPERATION_NAME_MAX, PRODUCE, STANDALONE_TRACKING,
};

impl Tracker {
    /// Folds one body as D1 POSTs it (`{"operations": [...]}`).
    ///
    /// Each operation is reported in order: applied, recorded, duplicate,
    /// ignored or rejected (see [`Outcome`]). A rejected operation changes
    /// nothing, and the others of the body still apply.
    ///
    /// `received_at_ms` is the host's clock when the body arrived
    /// (milliseconds since the Unix epoch). It never orders notifications;
    /// the fold does not read it.
    ///
    /// # Errors
    /// The body as a whole is rejected, and nothing changes, when it is over
    /// [`Config::max_body_bytes`] ([`Error::PayloadTooLarge`]), not JSON or not
    /// an object ([`Error::Parsing`]), lacks `operations` ([`Error::FieldMissing`]),
    /// has `operations` of another type ([`Error::FieldInvalidFormat`]) or more
    /// of them than [`Config::max_operations_per_body`] ([`Error::LimitExceeded`]).
    pub fn apply(&mut self, body: &[u8], received_at_ms: u64) -> Result<ApplyReport, Error> {
        let _ = received_at_ms;
        // Read and take in every operation first (nothing of the state is
        // read or changed), one tree at a time; fold only once the whole
        // body is known to be acceptable.
        // The reports so far, which become the result, and beside each the
        // notification to fold. Most bodies hold one operation: room for
        // one, then as needed.
        let mut reports: Vec<OperationReport> = Vec::with_capacity(1);
        let mut trackings: Vec<Option<(Incoming<'_>, RawText<'_>)>> = Vec::with_capacity(1);
        let (config, scratch) = (&self.config, &mut self.scratch);
        read_envelope(body, config, &mut |operation| {
            let Taken { report, tracking } = match operation {
                Operation::Reset => {
                    reports.clear();
                    trackings.clear();
                    return;
                }
                // Past the bound the body is refused: no work for those.
                Operation::Item { index, .. } | Operation::Oversized { index, .. }
                    if index >= config.max_operations_per_body =>
                {
                    return;
                }
                Operation::Item {
                    index,
                    node,
                    within_bounds,
                    raw,
                } => take(index, &node, raw, config, scratch, within_bounds),
                Operation::Oversized { index, raw } => oversized(index, raw, config),
            };
            reports.push(report);
            trackings.push(tracking);
        })?;
        for (report, tracking) in reports.iter_mut().zip(trackings) {
            self.fold_taken(report, tracking);
        }
        Ok(ApplyReport {
            operations: reports,
        })
    }

    /// The cards of a body's notifications, as `apply` reads and validates
    /// them (nothing is folded): sorted, distinct.
    pub(crate) fn cards_read(&mut self, body: &[u8]) -> Result<Vec<String>, Error> {
        let mut cards: Vec<String> = Vec::new();
        let (config, scratch) = (&self.config, &mut self.scratch);
        read_envelope(body, config, &mut |operation| match operation {
            // Forget what was handed over so far (see `Element::Reset`).
            Operation::Reset => cards.clear(),
            Operation::Item {
                index,
                node,
                within_bounds,
                raw,
            } if index < config.max_operations_per_body => {
                if let Some((t, _)) =
                    take(index, &node, raw, config, scratch, within_bounds).tracking
                {
                    cards.push(t.card_id.into_owned());
                }
            }
            Operation::Item { .. } | Operation::Oversized { .. } => {}
        })?;
        cards.sort_unstable();
        cards.dedup();
        Ok(cards)
    }

    /// Folds one operation taken in, and completes its report.
    fn fold_taken(
        &mut self,
        report: &mut OperationReport,
        tracking: Option<(Incoming<'_>, RawText<'_>)>,
    ) {
        if let Some((tracking, raw)) = tracking {
            match self.fold(tracking, &operation_path(report.index)) {
                Ok((outcome, changes)) => {
                    report.outcome = outcome;
                    report.changes = changes;
                }
                Err(refusal) => {
                    // The notification was valid: a bound refused it
                    // (check_room_of). Only the tracker's total capacity is
                    // worth a redelivery (README, "Limits").
                    report.retry = refusal.retry();
                    report.error = Some(refusal.into_error());
                    report.raw = Some(raw.into_owned());
                }
            }
        }
    }

    /// Checks the card and operation bounds for `tracking` without changing
    /// anything.
    pub(crate) fn check_room(&self, tracking: &Incoming<'_>, path: &Path<'_>) -> Result<(), Error> {
        let card = self.card_state(&tracking.card_id);
        check_room_of(&self.config, self.cards.len(), card, tracking, path)
            .map_err(Refusal::into_error)?;
        super::check_state_room(
            &self.config,
            self.state_bytes,
            bytes_to_add(card, tracking),
            &path.render(),
        )
    }

    /// Folds one validated notification. On error nothing has changed.
    pub(crate) fn fold(
        &mut self,
        tracking: Incoming<'_>,
        path: &Path<'_>,
    ) -> Result<(Outcome, Vec<Change>), Refusal> {
        // Parsing checked the id, so it always has a key.
        let Some(key) = CardId::new(&tracking.card_id) else {
            return Err(Refusal::Card(crate::error::invalid_format(
                &path.field("cardId"),
                "expected a card id".to_string(),
            )));
        };
        let card_count = self.cards.len();
        let max_kept = self.config.max_notifications_per_operation;
        // One lookup: the card is planned against, then changed in place.
        let card = self.cards.get_mut(&key);
        let pending = Pending {
            tracking_type: tracking.tracking_type,
            operation_id: &tracking.operation_id,
            stored: &tracking.stored,
        };
        let existing = card.as_deref();
        let located = existing.map(|c| c.locate(pending));
        if located.is_some_and(|l| l.is_duplicate()) {
            return Ok((Outcome::Duplicate, Vec::new()));
        }
        check_room_of(&self.config, card_count, existing, &tracking, path)?;
        super::check_state_room(
            &self.config,
            self.state_bytes,
            bytes_to_add(existing, &tracking),
            &path.render(),
        )
        .map_err(Refusal::Tracker)?;
        let bytes_before = existing.map_or(0, CardState::bytes);
        // Plan with borrowed views (the state as it is, and as it will be),
        // then commit: nothing is copied unless it changed.
        let empty = CardState::default();
        let state = existing.unwrap_or(&empty);
        let read = CardRead(state);
        // A card known only by its request records has a view already (its
        // phase is TRACKING_REQUESTED): the change reports that as `old`.
        let before = existing.map(|_| read.derive(None));
        let after = read.derive(Some(pending));
        let changes = diff(before.as_ref(), &after);
        let Incoming {
            operation_id,
            tracking_type,
            stored,
            ..
        } = tracking;
        let bytes_after = match card {
            Some(card) => {
                match located {
                    Some(located) => {
                        card.insert_located(located, tracking_type, &operation_id, stored, max_kept)
                    }
                    None => card.insert(tracking_type, &operation_id, stored, max_kept),
                };
                card.bytes()
            }
            None => {
                let mut card = CardState::default();
                card.insert(tracking_type, &operation_id, stored, max_kept);
                let bytes = card.bytes();
                self.cards.insert(key, card);
                bytes
            }
        };
        self.recount(bytes_before, bytes_after);
        let outcome = if changes.is_empty() {
            Outcome::Recorded
        } else {
            Outcome::Applied
        };
        Ok((outcome, changes))
    }

    /// Inserts without reporting (restore and merge). Bounds are checked by
    /// the caller. Says how many kept notifications the history bound
    /// dropped to make room.
    pub(crate) fn insert_unreported(&mut self, tracking: Incoming<'_>) -> usize {
        let max_kept = self.config.max_notifications_per_operation;
        let Incoming {
            card_id,
            operation_id,
            tracking_type,
            stored,
        } = tracking;
        // Parsing checked the id, so it always has a key.
        let Some(key) = CardId::new(&card_id) else {
            return 0;
        };
        let before = self.card_bytes(&key);
        let card = self.cards.entry(key).or_default();
        let dropped = card.insert(tracking_type, &operation_id, stored, max_kept);
        let after = card.bytes();
        self.recount(before, after);
        dropped
    }
}

/// One operation of a body, taken in: its report so far, and the
/// notification to fold when it is one. Borrows from the body only.
struct Taken<'a> {
    report: OperationReport,
    tracking: Option<(Incoming<'a>, RawText<'a>)>,
}

/// An operation's text as received, or its canonical text when the reader
/// kept no position (the same content).
type RawText<'a> = Cow<'a, str>;

fn raw_text<'a>(raw: Option<&'a str>, value: &Node<'_>) -> RawText<'a> {
    raw.map_or_else(
        || {
            let mut text = String::new();
            write_canonical(value, &mut text);
            Cow::Owned(text)
        },
        Cow::Borrowed,
    )
}

/// Takes in operation `index` of a body (validates and encodes it); what
/// can be read of a rejected one is named in its report, so a host can log
/// which card it was.
fn take<'a>(
    index: usize,
    value: &Node<'a>,
    raw: Option<&'a str>,
    config: &Config,
    scratch: &mut String,
    within_bounds: bool,
) -> Taken<'a> {
    let path = operation_path(index);
    let mut report = OperationReport::unread(index);
    let mut tracking = None;
    match intake(value, &path, config, scratch, within_bounds) {
        Err(error) => {
            let text = |key: &str| value.get(key).and_then(Node::as_str);
            report.operation = text("operation")
                .filter(|s| s.len() <= OPERATION_NAME_MAX)
                .map(str::to_string);
            report.card_id = text("cardId")
                .filter(|s| CARD_ID.matches(s))
                .map(str::to_string);
            report.operation_id = text("operationId")
                .filter(|s| OPERATION_ID.matches(s))
                .map(str::to_string);
            report.error = Some(error);
            report.raw = Some(raw_text(raw, value).into_owned());
        }
        Ok(Intake::Ignored {
            operation,
            operation_id,
            card_id,
        }) => {
            report.outcome = Outcome::Ignored;
            report.operation = Some(operation);
            report.card_id = Some(card_id);
            report.operation_id = Some(operation_id);
        }
        Ok(Intake::Fold(t)) => {
            report.operation = Some(
                if t.tracking_type == TrackingType::Produce {
                    PRODUCE
                } else {
                    STANDALONE_TRACKING
                }
                .to_string(),
            );
            report.card_id = Some(t.card_id.to_string());
            report.operation_id = Some(t.operation_id.to_string());
            report.tracking_type = Some(t.tracking_type);
            tracking = Some((t, raw_text(raw, value)));
        }
    }
    Taken { report, tracking }
}

/// The report of an operation with more values than `maxOperationBytes`
/// (its canonical form is longer than that): rejected, as `intake` would,
/// without its tree having been kept.
fn oversized<'a>(index: usize, raw: Option<&'a str>, config: &Config) -> Taken<'a> {
    let mut report = OperationReport::unread(index);
    report.error = Some(limit(
        &operation_path(index).render(),
        format!(
            "the operation holds more than {} values, so more bytes in canonical form than the limit (maxOperationBytes) of {}",
            config.max_operation_values(),
            config.max_operation_bytes
        ),
    ));
    report.raw = raw.map(str::to_string);
    Taken {
        report,
        tracking: None,
    }
}

/// What folding `tracking` into `card` adds to the state's bytes, at most
/// (before the history bound drops anything).
fn bytes_to_add(card: Option<&CardState>, tracking: &Incoming<'_>) -> usize {
    CardState::bytes_to_add(
        card,
        tracking.tracking_type,
        &tracking.operation_id,
        &tracking.stored,
    )
}

/// The card and operation bounds for `tracking`, on a tracker of
/// `card_count` cards where its card is `card`.
/// Why a valid notification was refused: a bound of the whole tracker,
/// which the operator relieves (D1 should deliver again: `retry`), or of one
/// card, which a redelivery never cures (the host parks the operation with
/// its raw bytes and re-drives it after raising the bound).
#[derive(Debug)]
pub(crate) enum Refusal {
    /// `maxCards`, `maxStateBytes`.
    Tracker(Error),
    /// `maxOperationsPerCard`, or a card the fold cannot key.
    Card(Error),
}

impl Refusal {
    /// True when a redelivery may pass once the operator has acted.
    pub(crate) fn retry(&self) -> bool {
        matches!(self, Refusal::Tracker(_))
    }

    pub(crate) fn into_error(self) -> Error {
        match self {
            Refusal::Tracker(e) | Refusal::Card(e) => e,
        }
    }
}

fn check_room_of(
    config: &Config,
    card_count: usize,
    card: Option<&CardState>,
    tracking: &Incoming<'_>,
    path: &Path<'_>,
) -> Result<(), Refusal> {
    match card {
        None if card_count >= config.max_cards => Err(Refusal::Tracker(limit(
            &path.field("cardId"),
            format!(
                "the tracker already holds {} cards, the limit set by maxCards",
                config.max_cards
            ),
        ))),
        Some(card)
            if !card.has_operation(tracking.tracking_type, &tracking.operation_id)
                && card.operations().len() >= config.max_operations_per_card =>
        {
            Err(Refusal::Card(limit(
                &path.field("operationId"),
                format!(
                    "the card already has {} operations, the limit set by maxOperationsPerCard",
                    config.max_operations_per_card
                ),
            )))
        }
        _ => Ok(()),
    }
}
