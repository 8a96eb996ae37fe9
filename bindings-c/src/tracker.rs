//! The tracker handle: create, fold, read, persist, merge, free.

use std::ffi::c_char;

use core_api::{Config, Tracker};
use serde::Serialize;

use crate::guard;
use crate::ptr::{
    bytes, free_handle, free_string, handle, handle_mut, text, write_handle, write_string,
    write_value, OutString,
};
use crate::result::{d1t_result, Failure, D1T_ERR_INTERNAL, D1T_ERR_NOT_FOUND};

/// A tracker: an opaque handle from `d1t_tracker_new`, freed with
/// `d1t_tracker_free`. Used by one thread at a time.
pub struct d1t_tracker {
    pub(crate) inner: Tracker,
}

/// Canonical JSON (keys sorted, no white space) of a view, report or list:
/// the same bytes the other bindings' vectors expect.
pub(crate) fn canonical_json<T: Serialize>(value: &T) -> Result<String, Failure> {
    let v = serde_json::to_value(value)
        .map_err(|e| Failure::new(D1T_ERR_INTERNAL, None, e.to_string()))?;
    Ok(core_api::canonical_string(&v))
}

pub(crate) fn not_found(what: &str) -> Failure {
    Failure::new(D1T_ERR_NOT_FOUND, None, format!("no such {what}"))
}

/// The shape of every "card id in, string out" function: check the handle,
/// the id and the output slot, then write what `read` finds, or
/// `D1T_ERR_NOT_FOUND` for an unknown card.
fn card_string(
    tracker: *const d1t_tracker,
    card_id: *const u8,
    card_id_len: usize,
    out: *mut *mut c_char,
    read: impl FnOnce(&Tracker, &str) -> Result<Option<String>, Failure>,
) -> Result<(), Failure> {
    let t = handle(tracker, "tracker")?;
    let id = text(card_id, card_id_len, "card_id")?;
    let out = OutString::new(out, "out")?;
    let found = read(&t.inner, id)?.ok_or_else(|| not_found("card"))?;
    write_string(out, found)
}

/// Creates a tracker into `*out`. `options_json` (`options_len` bytes) holds
/// the bounds as a JSON object with camelCase names
/// (`{"maxCards":100000}`); NULL (with length 0) means the defaults.
#[no_mangle]
pub extern "C" fn d1t_tracker_new(
    options_json: *const u8,
    options_len: usize,
    out: *mut *mut d1t_tracker,
) -> d1t_result {
    guard::call(|| {
        if out.is_null() {
            return Err(Failure::null("out"));
        }
        let options = bytes(options_json, options_len, "options_json")?;
        let config = if options.is_empty() {
            Config::default()
        } else {
            Config::from_json(options)?
        };
        write_handle(
            out,
            d1t_tracker {
                inner: Tracker::new(config),
            },
            "out",
        )
    })
}

/// Frees a tracker. NULL is a no-op. The handle must not be used afterwards.
#[no_mangle]
pub extern "C" fn d1t_tracker_free(tracker: *mut d1t_tracker) {
    guard::call_void(|| free_handle(tracker));
}

/// Frees a string the library returned. NULL is a no-op.
#[no_mangle]
pub extern "C" fn d1t_string_free(s: *mut c_char) {
    guard::call_void(|| free_string(s));
}

/// Folds one notification body (`{"operations":[…]}`, `body_len` bytes, as
/// D1 POSTs it). `received_at_ms` is the host's clock (ms since the Unix
/// epoch). When `report_json_out` is not NULL, `*report_json_out` receives the
/// report as canonical JSON (free it with `d1t_string_free`).
///
/// Returns `D1T_OK` when the body was read, even if some operations were
/// rejected (the report says which and why); an error code when the body was
/// rejected whole, and then nothing changed.
#[no_mangle]
pub extern "C" fn d1t_tracker_apply(
    tracker: *mut d1t_tracker,
    body: *const u8,
    body_len: usize,
    received_at_ms: u64,
    report_json_out: *mut *mut c_char,
) -> d1t_result {
    guard::call(|| {
        let t = handle_mut(tracker, "tracker")?;
        let body = bytes(body, body_len, "body")?;
        let out = OutString::optional(report_json_out);
        let report = t.inner.apply(body, received_at_ms)?;
        match out {
            Some(out) => write_string(out, canonical_json(&report)?),
            None => Ok(()),
        }
    })
}

/// The view of one card as canonical JSON into `*out` (free it with
/// `d1t_string_free`); `D1T_ERR_NOT_FOUND` when the card is unknown.
#[no_mangle]
pub extern "C" fn d1t_tracker_card_json(
    tracker: *const d1t_tracker,
    card_id: *const u8,
    card_id_len: usize,
    out: *mut *mut c_char,
) -> d1t_result {
    guard::call(|| {
        card_string(tracker, card_id, card_id_len, out, |t, id| {
            t.card(id).map(|v| canonical_json(&v)).transpose()
        })
    })
}

/// Why the card shows its phase (README, "Why this phase"), canonical JSON,
/// into `*out` (free it with `d1t_string_free`): its cycles, every kept
/// notification with its facts, the deciding fact and each alert's
/// notifications; `D1T_ERR_NOT_FOUND` when the card is unknown.
#[no_mangle]
pub extern "C" fn d1t_tracker_explain_json(
    tracker: *const d1t_tracker,
    card_id: *const u8,
    card_id_len: usize,
    out: *mut *mut c_char,
) -> d1t_result {
    guard::call(|| {
        card_string(tracker, card_id, card_id_len, out, |t, id| {
            t.explain(id).map(|e| canonical_json(&e)).transpose()
        })
    })
}

/// Every card's view, a canonical JSON array sorted by card id, into `*out`
/// (free it with `d1t_string_free`).
#[no_mangle]
pub extern "C" fn d1t_tracker_cards_json(
    tracker: *const d1t_tracker,
    out: *mut *mut c_char,
) -> d1t_result {
    guard::call(|| {
        let t = handle(tracker, "tracker")?;
        let out = OutString::new(out, "out")?;
        write_string(out, canonical_json(&t.inner.cards().collect::<Vec<_>>())?)
    })
}

/// Every operation of a card (current or not), a canonical JSON array, into
/// `*out` (free it with `d1t_string_free`); `D1T_ERR_NOT_FOUND` for an unknown
/// card.
#[no_mangle]
pub extern "C" fn d1t_tracker_operations_json(
    tracker: *const d1t_tracker,
    card_id: *const u8,
    card_id_len: usize,
    out: *mut *mut c_char,
) -> d1t_result {
    guard::call(|| {
        card_string(tracker, card_id, card_id_len, out, |t, id| {
            t.operations(id).map(|ops| canonical_json(&ops)).transpose()
        })
    })
}

/// How many cards the tracker holds, into `*out`.
#[no_mangle]
pub extern "C" fn d1t_tracker_card_count(
    tracker: *const d1t_tracker,
    out: *mut usize,
) -> d1t_result {
    guard::call(|| {
        let t = handle(tracker, "tracker")?;
        write_value(out, t.inner.len(), "out")
    })
}

/// The whole state as a canonical, versioned JSON snapshot into `*out` (free
/// it with `d1t_string_free`). Equal states give equal bytes.
#[no_mangle]
pub extern "C" fn d1t_tracker_snapshot(
    tracker: *const d1t_tracker,
    out: *mut *mut c_char,
) -> d1t_result {
    guard::call(|| {
        let t = handle(tracker, "tracker")?;
        let out = OutString::new(out, "out")?;
        write_string(out, t.inner.snapshot())
    })
}

/// Replaces the whole state with the snapshot's. On error nothing changed.
#[no_mangle]
pub extern "C" fn d1t_tracker_restore(
    tracker: *mut d1t_tracker,
    snapshot: *const u8,
    snapshot_len: usize,
) -> d1t_result {
    guard::call(|| {
        let t = handle_mut(tracker, "tracker")?;
        let snapshot = bytes(snapshot, snapshot_len, "snapshot")?;
        Ok(t.inner.restore(snapshot)?)
    })
}

/// One card as a snapshot (one database row) into `*out` (free it with
/// `d1t_string_free`); `D1T_ERR_NOT_FOUND` for an unknown card.
#[no_mangle]
pub extern "C" fn d1t_tracker_export_card(
    tracker: *const d1t_tracker,
    card_id: *const u8,
    card_id_len: usize,
    out: *mut *mut c_char,
) -> d1t_result {
    guard::call(|| {
        card_string(tracker, card_id, card_id_len, out, |t, id| {
            Ok(t.export_card(id))
        })
    })
}

/// Merges a snapshot (typically one card's) into the tracker. On error
/// nothing changed.
#[no_mangle]
pub extern "C" fn d1t_tracker_import_card(
    tracker: *mut d1t_tracker,
    snapshot: *const u8,
    snapshot_len: usize,
) -> d1t_result {
    guard::call(|| {
        let t = handle_mut(tracker, "tracker")?;
        let snapshot = bytes(snapshot, snapshot_len, "snapshot")?;
        Ok(t.inner.import_card(snapshot)?)
    })
}

/// Makes `tracker`'s state the union of its own and `other`'s (`other` is
/// unchanged). Merging a tracker with itself changes nothing. On error
/// nothing changed.
#[no_mangle]
pub extern "C" fn d1t_tracker_merge(
    tracker: *mut d1t_tracker,
    other: *const d1t_tracker,
) -> d1t_result {
    guard::call(|| {
        if std::ptr::eq(tracker.cast_const(), other) && !other.is_null() {
            // The union of a state with itself; and no aliasing &mut with &.
            return Ok(());
        }
        let t = handle_mut(tracker, "tracker")?;
        let o = handle(other, "other")?;
        Ok(t.inner.merge(&o.inner)?)
    })
}

/// Records that the host asked D1 to track `card_id` (`tracking_type`, one of
/// `D1T_TRACKING_*`) at `at_ms`. Times are joined with max. When
/// `changes_json_out` is not NULL, the changes of the card's view (a
/// canonical JSON array, as in `d1t_tracker_apply`'s report) go there (free
/// it with `d1t_string_free`).
#[no_mangle]
pub extern "C" fn d1t_tracker_record_request(
    tracker: *mut d1t_tracker,
    card_id: *const u8,
    card_id_len: usize,
    tracking_type: u32,
    at_ms: u64,
    changes_json_out: *mut *mut c_char,
) -> d1t_result {
    guard::call(|| {
        let t = handle_mut(tracker, "tracker")?;
        let id = text(card_id, card_id_len, "card_id")?;
        let tracking = crate::kinds::tracking_type(tracking_type)?;
        let out = OutString::optional(changes_json_out);
        let changes = t.inner.record_request(id, tracking, at_ms)?;
        match out {
            Some(out) => write_string(out, canonical_json(&changes)?),
            None => Ok(()),
        }
    })
}

/// The trackings due for reconciliation at `now_ms` (quiet for more than
/// `older_than_ms`), a canonical JSON array, into `*out` (free it with
/// `d1t_string_free`).
#[no_mangle]
pub extern "C" fn d1t_tracker_due_json(
    tracker: *const d1t_tracker,
    now_ms: u64,
    older_than_ms: u64,
    out: *mut *mut c_char,
) -> d1t_result {
    guard::call(|| {
        let t = handle(tracker, "tracker")?;
        let out = OutString::new(out, "out")?;
        let due = t.inner.due_for_reconciliation(now_ms, older_than_ms);
        write_string(out, canonical_json(&due)?)
    })
}
