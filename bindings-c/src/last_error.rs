//! What C reads about errors: the name and message of a result code, and
//! the details of the thread's last error (kept by `result.rs`).

use std::ffi::c_char;

use crate::guard;
use crate::ptr::{write_string, OutString};
use crate::result::{d1t_result, entry, last_error, Failure, D1T_ERR_NOT_FOUND};

/// The name of a result code (`"FIELD_MISSING"`), a static NUL-terminated
/// string (never free it); `"UNKNOWN"` for a number that is not a code.
#[no_mangle]
pub extern "C" fn d1t_result_name(result: d1t_result) -> *const c_char {
    guard::call_static(|| entry(result).0.as_ptr().cast())
}

/// A short description of a result code, a static NUL-terminated string
/// (never free it). The details of the last error are in
/// `d1t_last_error_message`.
#[no_mangle]
pub extern "C" fn d1t_result_message(result: d1t_result) -> *const c_char {
    guard::call_static(|| entry(result).1.as_ptr().cast())
}

/// Copies the message of the last error on this thread (what was expected,
/// and what was found) into `*out` (free it with `d1t_string_free`).
/// `D1T_ERR_NOT_FOUND` when this thread had no error yet.
#[no_mangle]
pub extern "C" fn d1t_last_error_message(out: *mut *mut c_char) -> d1t_result {
    guard::call_quiet(|| {
        let out = OutString::new(out, "out")?;
        let failure = last_error().ok_or_else(no_error)?;
        write_string(out, failure.message)
    })
}

/// Copies the JSON path of the field at fault in the last error on this
/// thread (`operations[2].cardId`) into `*out` (free it with
/// `d1t_string_free`). `D1T_ERR_NOT_FOUND` when no field was at fault.
#[no_mangle]
pub extern "C" fn d1t_last_error_path(out: *mut *mut c_char) -> d1t_result {
    guard::call_quiet(|| {
        let out = OutString::new(out, "out")?;
        let failure = last_error().ok_or_else(no_error)?;
        let path = failure
            .path
            .ok_or_else(|| Failure::new(D1T_ERR_NOT_FOUND, None, "no field was at fault"))?;
        write_string(out, path)
    })
}

/// Copies the last error on this thread as canonical JSON,
/// `{"code":"…","message":"…","path":"…" or null}` (the object every binding
/// reports) into `*out` (free it with `d1t_string_free`).
#[no_mangle]
pub extern "C" fn d1t_last_error_json(out: *mut *mut c_char) -> d1t_result {
    guard::call_quiet(|| {
        let out = OutString::new(out, "out")?;
        let failure = last_error().ok_or_else(no_error)?;
        let name = entry(failure.result).0.trim_end_matches('\0');
        let value =
            serde_json::json!({"code": name, "path": failure.path, "message": failure.message});
        write_string(out, core_api::canonical_string(&value))
    })
}

fn no_error() -> Failure {
    Failure::new(D1T_ERR_NOT_FOUND, None, "no error on this thread yet")
}
