//! The host path (docs/decisions.md, "The host path"): which cards a body
//! touches, a fold against the rows the host loaded, a request on a row,
//! eviction, the snapshot in pieces, pages of cards, the state's byte count.

use std::ffi::c_char;

use core_api::{rows_from_json, OwnedRow, Row};

use crate::guard;
use crate::ptr::{bytes, handle, handle_mut, text, write_string, write_value, OutString};
use crate::result::d1t_result;
use crate::tracker::{canonical_json, d1t_tracker, not_found};

/// Optional text: NULL means none.
fn optional_text<'a>(
    ptr: *const u8,
    len: usize,
    name: &str,
) -> Result<Option<&'a str>, crate::result::Failure> {
    if ptr.is_null() && len == 0 {
        return Ok(None);
    }
    text(ptr, len, name).map(Some)
}

/// The cards `body` touches (sorted, distinct), a canonical JSON array of
/// ids, into `*out`: the rows to load before `d1t_tracker_fold_rows`. A body
/// `apply` would reject whole gives the same error here.
#[no_mangle]
pub extern "C" fn d1t_tracker_cards_of_body(
    tracker: *const d1t_tracker,
    body: *const u8,
    body_len: usize,
    out: *mut *mut c_char,
) -> d1t_result {
    guard::call(|| {
        let t = handle(tracker, "tracker")?;
        let body = bytes(body, body_len, "body")?;
        let out = OutString::new(out, "out")?;
        let cards = t.inner.cards_of_body(body)?;
        write_string(out, canonical_json(&cards)?)
    })
}

/// Folds `body` against the rows the host loaded, one for every card of the
/// body, given as JSON (`rows_json`, `rows_len` bytes):
/// `[{"cardId":"card-1","row":"<its export>"},{"cardId":"card-2","row":null}]`
/// (`row` may also be the export as a JSON object). The tracker is not
/// changed. Into `*out`: `{"report":…,"cards":[{"cardId","row","view",
/// "changes"}]}`, canonical JSON, for every card whose state changed.
/// `D1T_ERR_FIELD_MISSING` at `rows` for a card of the body without a row.
#[no_mangle]
pub extern "C" fn d1t_tracker_fold_rows(
    tracker: *const d1t_tracker,
    body: *const u8,
    body_len: usize,
    rows_json: *const u8,
    rows_len: usize,
    out: *mut *mut c_char,
) -> d1t_result {
    guard::call(|| {
        let t = handle(tracker, "tracker")?;
        let body = bytes(body, body_len, "body")?;
        let rows = rows_from_json(bytes(rows_json, rows_len, "rows_json")?)?;
        let out = OutString::new(out, "out")?;
        let rows: Vec<Row<'_>> = rows.iter().map(OwnedRow::as_row).collect();
        let folded = t.inner.fold_rows(body, &rows)?;
        write_string(out, canonical_json(&folded)?)
    })
}

/// Records a Track Card request (`tracking_type`, one of `D1T_TRACKING_*`
/// but `_UNTYPED`) at `at_ms` against the card's row (`row`, `row_len`
/// bytes: its export; NULL with 0 for none yet). The tracker is not
/// changed. Into `*out`: `{"cardId","row","view","changes"}`, canonical JSON.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub extern "C" fn d1t_tracker_record_request_on_row(
    tracker: *const d1t_tracker,
    card_id: *const u8,
    card_id_len: usize,
    row: *const u8,
    row_len: usize,
    tracking_type: u32,
    at_ms: u64,
    out: *mut *mut c_char,
) -> d1t_result {
    guard::call(|| {
        let t = handle(tracker, "tracker")?;
        let id = text(card_id, card_id_len, "card_id")?;
        let row = optional_text(row, row_len, "row")?;
        let tracking = crate::kinds::tracking_type(tracking_type)?;
        let out = OutString::new(out, "out")?;
        let update =
            t.inner
                .record_request_on_row(Row::new(id, row.map(str::as_bytes)), tracking, at_ms)?;
        write_string(out, canonical_json(&update)?)
    })
}

/// Drops one card from the tracker; its row (export) into `*out` when
/// `out` is not NULL. `D1T_ERR_NOT_FOUND` when the tracker held nothing of
/// it.
#[no_mangle]
pub extern "C" fn d1t_tracker_evict(
    tracker: *mut d1t_tracker,
    card_id: *const u8,
    card_id_len: usize,
    out: *mut *mut c_char,
) -> d1t_result {
    guard::call(|| {
        let t = handle_mut(tracker, "tracker")?;
        let id = text(card_id, card_id_len, "card_id")?;
        let out = OutString::optional(out);
        let row = t.inner.evict(id).ok_or_else(|| not_found("card"))?;
        match out {
            Some(out) => write_string(out, row),
            None => Ok(()),
        }
    })
}

/// Drops every card.
#[no_mangle]
pub extern "C" fn d1t_tracker_clear(tracker: *mut d1t_tracker) -> d1t_result {
    guard::call(|| {
        handle_mut(tracker, "tracker")?.inner.clear();
        Ok(())
    })
}

/// One piece of the snapshot: the cards after `after` (`after_len` bytes;
/// NULL with 0 for the first piece), at most `cards` of them, into
/// `*chunk_out`; the `after` of the next piece into `*next_out`, or NULL
/// when this piece ends the snapshot. The pieces of an unchanged state
/// concatenate to `d1t_tracker_snapshot`'s text; `d1t_tracker_restore`
/// reads the concatenation.
#[no_mangle]
pub extern "C" fn d1t_tracker_snapshot_chunk(
    tracker: *const d1t_tracker,
    after: *const u8,
    after_len: usize,
    cards: usize,
    chunk_out: *mut *mut c_char,
    next_out: *mut *mut c_char,
) -> d1t_result {
    guard::call(|| {
        let t = handle(tracker, "tracker")?;
        let after = optional_text(after, after_len, "after")?;
        let chunk_out = OutString::new(chunk_out, "chunk_out")?;
        let next_out = OutString::new(next_out, "next_out")?;
        let (chunk, next) = t.inner.snapshot_chunk(after, cards);
        // Both outputs, or neither: the next cursor first (it may fail to
        // allocate), then the chunk.
        match next {
            Some(next) => {
                write_string(next_out, next)?;
            }
            None => next_out.write_null(),
        }
        write_string(chunk_out, chunk)
    })
}

/// Up to `limit` card views after card `after` (NULL with 0 for the
/// first), a canonical JSON array sorted by card id, into `*out`.
#[no_mangle]
pub extern "C" fn d1t_tracker_cards_page(
    tracker: *const d1t_tracker,
    after: *const u8,
    after_len: usize,
    limit: usize,
    out: *mut *mut c_char,
) -> d1t_result {
    guard::call(|| {
        let t = handle(tracker, "tracker")?;
        let after = optional_text(after, after_len, "after")?;
        let out = OutString::new(out, "out")?;
        write_string(out, canonical_json(&t.inner.cards_page(after, limit))?)
    })
}

/// The bytes the state keeps (what `maxStateBytes` bounds) into `*out`.
#[no_mangle]
pub extern "C" fn d1t_tracker_state_bytes(
    tracker: *const d1t_tracker,
    out: *mut usize,
) -> d1t_result {
    guard::call(|| {
        let t = handle(tracker, "tracker")?;
        write_value(out, t.inner.state_bytes(), "out")
    })
}
