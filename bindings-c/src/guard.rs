//! The panic guard every exported function runs its body in. A panic inside
//! the library becomes `D1T_ERR_INTERNAL`; it never unwinds into C.

use std::ffi::c_char;
use std::panic::{catch_unwind, AssertUnwindSafe};

use crate::result::{d1t_result, set_last_error, Failure, D1T_ERR_INTERNAL, D1T_OK};

fn caught() -> Failure {
    Failure::new(
        D1T_ERR_INTERNAL,
        None,
        "a panic inside d1_tracking was caught at the C boundary (a bug: please report it)",
    )
}

/// Runs `body`; returns `D1T_OK`, or the failure's code after recording it as
/// the thread's last error.
pub(crate) fn call(body: impl FnOnce() -> Result<(), Failure>) -> d1t_result {
    // AssertUnwindSafe: on a panic nothing of the half-done call is used
    // again by this function, and every mutation of a tracker is atomic in
    // the core (validate, then change).
    let failure = match catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(())) => return D1T_OK,
        Ok(Err(failure)) => failure,
        Err(_) => caught(),
    };
    set_last_error(&failure);
    failure.result
}

/// As [`call`], but leaves the thread's last error alone: for the functions
/// that read it.
pub(crate) fn call_quiet(body: impl FnOnce() -> Result<(), Failure>) -> d1t_result {
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(())) => D1T_OK,
        Ok(Err(failure)) => failure.result,
        Err(_) => D1T_ERR_INTERNAL,
    }
}

/// For functions returning a static string.
pub(crate) fn call_static(body: impl FnOnce() -> *const c_char) -> *const c_char {
    catch_unwind(AssertUnwindSafe(body)).unwrap_or(c"INTERNAL_ERROR".as_ptr())
}

/// For functions returning nothing (the `_free` functions).
pub(crate) fn call_void(body: impl FnOnce()) {
    let _ = catch_unwind(AssertUnwindSafe(body));
}
