//! Typed accessors: what a C program branches on, without a JSON parser
//! (the numbers are declared in `kinds.rs`).

use std::ffi::c_char;

use core_api::{TrackingRef, TrackingType};

use crate::guard;
use crate::kinds::{
    phase_name, phase_number, shipment_phase_number, status_number, tracking_number, tracking_type,
};
use crate::ptr::{handle, text, write_string, write_value, OutString};
use crate::result::{d1t_result, Failure};
use crate::tracker::{d1t_tracker, not_found};

/// The current operation of one tracking of one card, borrowed (no view
/// is built for one field).
fn tracking_view<'t>(
    tracker: *const d1t_tracker,
    card_id: *const u8,
    card_id_len: usize,
    tracking: u32,
) -> Result<TrackingRef<'t>, Failure> {
    let t = handle(tracker, "tracker")?;
    let id = text(card_id, card_id_len, "card_id")?;
    let tracking = tracking_type(tracking)?;
    if t.inner.phase(id).is_none() {
        return Err(not_found("card"));
    }
    t.inner
        .tracking(id, tracking)
        .ok_or_else(|| not_found("tracking for this card"))
}

/// The shape of every "one string of a tracking" accessor: `read` picks the
/// field; absent is `D1T_ERR_NOT_FOUND` naming `what`.
fn tracking_string(
    tracker: *const d1t_tracker,
    card_id: *const u8,
    card_id_len: usize,
    tracking: u32,
    out: *mut *mut c_char,
    what: &str,
    read: impl FnOnce(TrackingRef<'_>) -> Option<&str>,
) -> Result<(), Failure> {
    let out = OutString::new(out, "out")?;
    let view = tracking_view(tracker, card_id, card_id_len, tracking)?;
    write_string(out, read(view).ok_or_else(|| not_found(what))?.to_string())
}

/// The card's phase (`D1T_PHASE_*`) into `*out`.
#[no_mangle]
pub extern "C" fn d1t_tracker_card_phase(
    tracker: *const d1t_tracker,
    card_id: *const u8,
    card_id_len: usize,
    out: *mut u32,
) -> d1t_result {
    guard::call(|| {
        let t = handle(tracker, "tracker")?;
        let id = text(card_id, card_id_len, "card_id")?;
        if out.is_null() {
            return Err(Failure::null("out"));
        }
        let phase = t.inner.phase(id).ok_or_else(|| not_found("card"))?;
        write_value(out, phase_number(phase), "out")
    })
}

/// The name of a `D1T_PHASE_*` number (`"IN_TRANSIT"`), a static string
/// (never free it); `"UNKNOWN"` for any other number.
#[no_mangle]
pub extern "C" fn d1t_phase_name(phase: u32) -> *const c_char {
    guard::call_static(|| {
        phase_name(phase).map_or(c"UNKNOWN".as_ptr(), |name| name.as_ptr().cast())
    })
}

/// The operation status (`D1T_STATUS_*`) of the card's current operation of
/// `tracking_type` into `*out`; `D1T_ERR_NOT_FOUND` when the card has no such
/// tracking.
#[no_mangle]
pub extern "C" fn d1t_tracker_tracking_status(
    tracker: *const d1t_tracker,
    card_id: *const u8,
    card_id_len: usize,
    tracking_type: u32,
    out: *mut u32,
) -> d1t_result {
    guard::call(|| {
        if out.is_null() {
            return Err(Failure::null("out"));
        }
        let view = tracking_view(tracker, card_id, card_id_len, tracking_type)?;
        write_value(out, status_number(view.status()), "out")
    })
}

/// The business status (`details.status`, e.g. `"CARD_SHIPPED"`, or a value
/// this version does not know) into `*out` (free it with `d1t_string_free`);
/// `D1T_ERR_NOT_FOUND` when there is none.
#[no_mangle]
pub extern "C" fn d1t_tracker_business_status(
    tracker: *const d1t_tracker,
    card_id: *const u8,
    card_id_len: usize,
    tracking_type: u32,
    out: *mut *mut c_char,
) -> d1t_result {
    guard::call(|| {
        tracking_string(
            tracker,
            card_id,
            card_id_len,
            tracking_type,
            out,
            "business status",
            |v| v.details_status(),
        )
    })
}

/// The shipment phase (`D1T_SHIPMENT_*`) of the card's current operation of
/// `tracking_type` into `*out`; `D1T_ERR_NOT_FOUND` when it has no shipment.
#[no_mangle]
pub extern "C" fn d1t_tracker_shipment_phase(
    tracker: *const d1t_tracker,
    card_id: *const u8,
    card_id_len: usize,
    tracking_type: u32,
    out: *mut u32,
) -> d1t_result {
    guard::call(|| {
        if out.is_null() {
            return Err(Failure::null("out"));
        }
        let view = tracking_view(tracker, card_id, card_id_len, tracking_type)?;
        let phase = view.shipment_phase().ok_or_else(|| not_found("shipment"))?;
        write_value(out, shipment_phase_number(phase), "out")
    })
}

/// The carrier code (e.g. `"ups"`) into `*out` (free it with
/// `d1t_string_free`); `D1T_ERR_NOT_FOUND` when absent.
#[no_mangle]
pub extern "C" fn d1t_tracker_carrier(
    tracker: *const d1t_tracker,
    card_id: *const u8,
    card_id_len: usize,
    tracking_type: u32,
    out: *mut *mut c_char,
) -> d1t_result {
    guard::call(|| {
        tracking_string(
            tracker,
            card_id,
            card_id_len,
            tracking_type,
            out,
            "carrier",
            |v| v.carrier(),
        )
    })
}

/// The carrier's tracking number into `*out` (free it with
/// `d1t_string_free`); `D1T_ERR_NOT_FOUND` when absent.
#[no_mangle]
pub extern "C" fn d1t_tracker_tracking_number(
    tracker: *const d1t_tracker,
    card_id: *const u8,
    card_id_len: usize,
    tracking_type: u32,
    out: *mut *mut c_char,
) -> d1t_result {
    guard::call(|| {
        tracking_string(
            tracker,
            card_id,
            card_id_len,
            tracking_type,
            out,
            "tracking number",
            |v| v.tracking_number(),
        )
    })
}

/// Parses the spelling of a kind (`"SHIPMENT"`, `"PRODUCE"`, `len` bytes) into
/// `*out` (`D1T_TRACKING_*`); `D1T_ERR_FIELD_INVALID_VALUE` at
/// `trackingType` for anything else.
#[no_mangle]
pub extern "C" fn d1t_tracking_type_parse(
    text_ptr: *const u8,
    len: usize,
    out: *mut u32,
) -> d1t_result {
    guard::call(|| {
        let s = text(text_ptr, len, "tracking_type")?;
        if out.is_null() {
            return Err(Failure::null("out"));
        }
        let kind = TrackingType::parse_kind_field(s, "trackingType")?;
        write_value(out, tracking_number(kind), "out")
    })
}
