//! Typed accessors: what a C program branches on, without a JSON parser.

use std::ffi::c_char;

use core_api::{OperationStatus, Phase, ShipmentPhase, TrackingRef, TrackingType};

use crate::guard;
use crate::ptr::{handle, text, write_string, write_value, OutString};
use crate::result::{d1t_result, Failure, D1T_ERR_INVALID_ARGUMENT};
use crate::tracker::{d1t_tracker, not_found};

/// PRODUCTION tracking.
pub const D1T_TRACKING_PRODUCTION: u32 = 1;
/// SHIPMENT tracking.
pub const D1T_TRACKING_SHIPMENT: u32 = 2;
/// RETURN tracking.
pub const D1T_TRACKING_RETURN: u32 = 3;
/// The card order (`operation = PRODUCE`), an entry beside the tracking
/// types.
pub const D1T_TRACKING_PRODUCE: u32 = 4;
/// Operations none of whose notifications names a tracking type.
pub const D1T_TRACKING_UNTYPED: u32 = 5;
/// A kind this header does not know (a newer library).
pub const D1T_TRACKING_UNKNOWN: u32 = 0;

/// Every kind with its number, declared once.
const KINDS: [(TrackingType, u32); 5] = [
    (TrackingType::Production, D1T_TRACKING_PRODUCTION),
    (TrackingType::Shipment, D1T_TRACKING_SHIPMENT),
    (TrackingType::Return, D1T_TRACKING_RETURN),
    (TrackingType::Produce, D1T_TRACKING_PRODUCE),
    (TrackingType::Untyped, D1T_TRACKING_UNTYPED),
];

/// Operation status `PENDING`.
pub const D1T_STATUS_PENDING: u32 = 1;
/// Operation status `SUCCESSFUL`.
pub const D1T_STATUS_SUCCESSFUL: u32 = 2;
/// Operation status `FAILED`.
pub const D1T_STATUS_FAILED: u32 = 3;
/// An operation status this header does not know (a newer library).
pub const D1T_STATUS_UNKNOWN: u32 = 0;

/// Shipment phase: absent or unknown carrier status.
pub const D1T_SHIPMENT_UNKNOWN: u32 = 0;
/// Shipment phase `PENDING`.
pub const D1T_SHIPMENT_PENDING: u32 = 1;
/// Shipment phase `INFO_RECEIVED`.
pub const D1T_SHIPMENT_INFO_RECEIVED: u32 = 2;
/// Shipment phase `IN_TRANSIT`.
pub const D1T_SHIPMENT_IN_TRANSIT: u32 = 3;
/// Shipment phase `EXCEPTION`.
pub const D1T_SHIPMENT_EXCEPTION: u32 = 4;
/// Shipment phase `ATTEMPT_FAIL`.
pub const D1T_SHIPMENT_ATTEMPT_FAIL: u32 = 5;
/// Shipment phase `EXPIRED`.
pub const D1T_SHIPMENT_EXPIRED: u32 = 6;
/// Shipment phase `OUT_FOR_DELIVERY`.
pub const D1T_SHIPMENT_OUT_FOR_DELIVERY: u32 = 7;
/// Shipment phase `AVAILABLE_FOR_PICKUP`.
pub const D1T_SHIPMENT_AVAILABLE_FOR_PICKUP: u32 = 8;
/// Shipment phase `DELIVERED`.
pub const D1T_SHIPMENT_DELIVERED: u32 = 9;

/// Card phase unknown to this header (a newer library).
pub const D1T_PHASE_UNKNOWN: u32 = 0;
/// `TRACKING_REQUESTED`.
pub const D1T_PHASE_TRACKING_REQUESTED: u32 = 1;
/// `TRACKING`.
pub const D1T_PHASE_TRACKING: u32 = 2;
/// `IN_PRODUCTION`.
pub const D1T_PHASE_IN_PRODUCTION: u32 = 3;
/// `PRODUCED`.
pub const D1T_PHASE_PRODUCED: u32 = 4;
/// `SHIPPED`.
pub const D1T_PHASE_SHIPPED: u32 = 5;
/// `IN_TRANSIT`.
pub const D1T_PHASE_IN_TRANSIT: u32 = 6;
/// `OUT_FOR_DELIVERY`.
pub const D1T_PHASE_OUT_FOR_DELIVERY: u32 = 7;
/// `AVAILABLE_FOR_PICKUP`.
pub const D1T_PHASE_AVAILABLE_FOR_PICKUP: u32 = 8;
/// `DELIVERY_EXCEPTION`.
pub const D1T_PHASE_DELIVERY_EXCEPTION: u32 = 9;
/// `DELIVERED`.
pub const D1T_PHASE_DELIVERED: u32 = 10;
/// `CANCELED`.
pub const D1T_PHASE_CANCELED: u32 = 11;
/// `FAILED`.
pub const D1T_PHASE_FAILED: u32 = 12;
/// `RETURNED`.
pub const D1T_PHASE_RETURNED: u32 = 13;
/// `PRODUCTION_EXCEPTION`.
pub const D1T_PHASE_PRODUCTION_EXCEPTION: u32 = 14;

const PHASES: [(Phase, u32, &str); 14] = [
    (
        Phase::TrackingRequested,
        D1T_PHASE_TRACKING_REQUESTED,
        "TRACKING_REQUESTED\0",
    ),
    (Phase::Tracking, D1T_PHASE_TRACKING, "TRACKING\0"),
    (
        Phase::InProduction,
        D1T_PHASE_IN_PRODUCTION,
        "IN_PRODUCTION\0",
    ),
    (Phase::Produced, D1T_PHASE_PRODUCED, "PRODUCED\0"),
    (Phase::Shipped, D1T_PHASE_SHIPPED, "SHIPPED\0"),
    (Phase::InTransit, D1T_PHASE_IN_TRANSIT, "IN_TRANSIT\0"),
    (
        Phase::OutForDelivery,
        D1T_PHASE_OUT_FOR_DELIVERY,
        "OUT_FOR_DELIVERY\0",
    ),
    (
        Phase::AvailableForPickup,
        D1T_PHASE_AVAILABLE_FOR_PICKUP,
        "AVAILABLE_FOR_PICKUP\0",
    ),
    (
        Phase::DeliveryException,
        D1T_PHASE_DELIVERY_EXCEPTION,
        "DELIVERY_EXCEPTION\0",
    ),
    (Phase::Delivered, D1T_PHASE_DELIVERED, "DELIVERED\0"),
    (Phase::Canceled, D1T_PHASE_CANCELED, "CANCELED\0"),
    (Phase::Failed, D1T_PHASE_FAILED, "FAILED\0"),
    (Phase::Returned, D1T_PHASE_RETURNED, "RETURNED\0"),
    (
        Phase::ProductionException,
        D1T_PHASE_PRODUCTION_EXCEPTION,
        "PRODUCTION_EXCEPTION\0",
    ),
];

pub(crate) fn tracking_type(number: u32) -> Result<TrackingType, Failure> {
    KINDS
        .iter()
        .find(|(_, n)| *n == number)
        .map(|(t, _)| *t)
        .ok_or_else(|| {
            Failure::new(
                D1T_ERR_INVALID_ARGUMENT,
                Some("tracking_type"),
                format!(
                    "expected D1T_TRACKING_PRODUCTION, _SHIPMENT, _RETURN, _PRODUCE or _UNTYPED (1 to 5), found {number}"
                ),
            )
        })
}

fn shipment_phase_number(phase: ShipmentPhase) -> u32 {
    match phase {
        ShipmentPhase::Unknown => D1T_SHIPMENT_UNKNOWN,
        ShipmentPhase::Pending => D1T_SHIPMENT_PENDING,
        ShipmentPhase::InfoReceived => D1T_SHIPMENT_INFO_RECEIVED,
        ShipmentPhase::InTransit => D1T_SHIPMENT_IN_TRANSIT,
        ShipmentPhase::Exception => D1T_SHIPMENT_EXCEPTION,
        ShipmentPhase::AttemptFail => D1T_SHIPMENT_ATTEMPT_FAIL,
        ShipmentPhase::Expired => D1T_SHIPMENT_EXPIRED,
        ShipmentPhase::OutForDelivery => D1T_SHIPMENT_OUT_FOR_DELIVERY,
        ShipmentPhase::AvailableForPickup => D1T_SHIPMENT_AVAILABLE_FOR_PICKUP,
        ShipmentPhase::Delivered => D1T_SHIPMENT_DELIVERED,
        // The core's enums are non-exhaustive: a newer phase is unknown here.
        _ => D1T_SHIPMENT_UNKNOWN,
    }
}

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
        let number = PHASES
            .iter()
            .find(|(p, _, _)| *p == phase)
            .map_or(D1T_PHASE_UNKNOWN, |(_, n, _)| *n);
        write_value(out, number, "out")
    })
}

/// The name of a `D1T_PHASE_*` number (`"IN_TRANSIT"`), a static string
/// (never free it); `"UNKNOWN"` for any other number.
#[no_mangle]
pub extern "C" fn d1t_phase_name(phase: u32) -> *const c_char {
    guard::call_static(|| {
        PHASES
            .iter()
            .find(|(_, n, _)| *n == phase)
            .map_or(c"UNKNOWN".as_ptr(), |(_, _, name)| name.as_ptr().cast())
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
        let number = match view.status() {
            OperationStatus::Pending => D1T_STATUS_PENDING,
            OperationStatus::Successful => D1T_STATUS_SUCCESSFUL,
            OperationStatus::Failed => D1T_STATUS_FAILED,
            _ => D1T_STATUS_UNKNOWN,
        };
        write_value(out, number, "out")
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
        let number = KINDS
            .iter()
            .find(|(t, _)| *t == kind)
            .map_or(D1T_TRACKING_UNKNOWN, |(_, n)| *n);
        write_value(out, number, "out")
    })
}
