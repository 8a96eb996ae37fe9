//! Reading snapshots: restoring a whole state (from one text or from
//! pieces), importing one card's, and the reader behind both, which takes
//! a snapshot in one notification at a time.

use super::SNAPSHOT_FORMAT;
use crate::config::Config;
use crate::error::Error;
use crate::json::{field, index, quoted, stream_member, Element, Member, Node, Outline, Path};
use crate::store::{intake, Intake};
use crate::tracker::Tracker;
use crate::wire::{TrackingType, CARD_ID};

impl Tracker {
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
pub(in crate::tracker) fn read_snapshot(bytes: &[u8], config: &Config) -> Result<Tracker, Error> {
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
        let Intake::Fold(tracking) = parsed.map_err(into_snapshot_error)? else {
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
