//! Reading the caller's pointers and writing its outputs. All of the crate's
//! `unsafe` is here; every function documents the contract the header states.

use std::ffi::{c_char, CString};

use crate::result::{Failure, D1T_ERR_INTERNAL, D1T_ERR_INVALID_ARGUMENT};

/// Bytes given as (`ptr`, `len`). NULL is allowed only with `len` 0.
pub(crate) fn bytes<'a>(ptr: *const u8, len: usize, name: &str) -> Result<&'a [u8], Failure> {
    if len == 0 {
        return Ok(&[]);
    }
    if ptr.is_null() {
        return Err(Failure::null(name));
    }
    // SAFETY: the header's contract: a non-NULL `ptr` points to `len`
    // readable bytes that stay valid and unmodified for the call.
    Ok(unsafe { std::slice::from_raw_parts(ptr, len) })
}

/// UTF-8 text given as (`ptr`, `len`); need not be NUL-terminated.
pub(crate) fn text<'a>(ptr: *const u8, len: usize, name: &str) -> Result<&'a str, Failure> {
    std::str::from_utf8(bytes(ptr, len, name)?).map_err(|e| {
        Failure::new(
            D1T_ERR_INVALID_ARGUMENT,
            Some(name),
            format!("{name} is not UTF-8: {e}"),
        )
    })
}

/// The object behind a handle, read-only.
pub(crate) fn handle<'a, T>(ptr: *const T, name: &str) -> Result<&'a T, Failure> {
    // SAFETY: the header's contract: a non-NULL handle comes from its `_new`
    // function, was not freed, and no other thread uses it during the call.
    unsafe { ptr.as_ref() }.ok_or_else(|| Failure::null(name))
}

/// The object behind a handle, for change.
pub(crate) fn handle_mut<'a, T>(ptr: *mut T, name: &str) -> Result<&'a mut T, Failure> {
    // SAFETY: as `handle`; and the caller passes no other pointer to the same
    // object in the same call (the functions taking two handles check that).
    unsafe { ptr.as_mut() }.ok_or_else(|| Failure::null(name))
}

/// Moves a new handle out to the caller.
pub(crate) fn write_handle<T>(out: *mut *mut T, value: T, name: &str) -> Result<(), Failure> {
    if out.is_null() {
        return Err(Failure::null(name));
    }
    let raw = Box::into_raw(Box::new(value));
    // SAFETY: `out` is non-NULL and, per the header, points to writable
    // storage for one pointer.
    unsafe { out.write(raw) };
    Ok(())
}

/// Takes back a handle the caller frees. NULL is a no-op.
pub(crate) fn free_handle<T>(ptr: *mut T) {
    if !ptr.is_null() {
        // SAFETY: the header's contract: `ptr` came from the matching `_new`
        // and is freed once.
        drop(unsafe { Box::from_raw(ptr) });
    }
}

/// A plain value out (`*out = value`).
pub(crate) fn write_value<T>(out: *mut T, value: T, name: &str) -> Result<(), Failure> {
    if out.is_null() {
        return Err(Failure::null(name));
    }
    // SAFETY: `out` is non-NULL and points to writable storage for one `T`.
    unsafe { out.write(value) };
    Ok(())
}

/// An output string slot, checked before any work is done so that nothing
/// is computed (or changed) for a call that cannot return its result.
pub(crate) struct OutString(*mut *mut c_char);

impl OutString {
    pub(crate) fn new(out: *mut *mut c_char, name: &str) -> Result<OutString, Failure> {
        if out.is_null() {
            Err(Failure::null(name))
        } else {
            Ok(OutString(out))
        }
    }

    /// An optional slot: NULL means the caller does not want the output.
    pub(crate) fn optional(out: *mut *mut c_char) -> Option<OutString> {
        (!out.is_null()).then_some(OutString(out))
    }

    /// Writes NULL: an output that is absent (e.g. no next piece).
    pub(crate) fn write_null(self) {
        // SAFETY: `self.0` was checked non-NULL in `new`/`optional` and
        // points to writable storage for one pointer.
        unsafe { self.0.write(std::ptr::null_mut()) };
    }
}

/// Writes a newly allocated NUL-terminated copy of `s` (free it with
/// `d1t_string_free`).
pub(crate) fn write_string(out: OutString, s: String) -> Result<(), Failure> {
    // JSON and the core's texts never hold NUL: serde_json escapes it.
    let c = CString::new(s)
        .map_err(|_| Failure::new(D1T_ERR_INTERNAL, None, "an output held a NUL byte"))?;
    // SAFETY: `out.0` was checked non-NULL in `OutString::new`/`optional`
    // and points to writable storage for one pointer.
    unsafe { out.0.write(c.into_raw()) };
    Ok(())
}

/// Frees a string the library returned. NULL is a no-op.
pub(crate) fn free_string(s: *mut c_char) {
    if !s.is_null() {
        // SAFETY: the header's contract: `s` came from this library's
        // outputs (CString::into_raw) and is freed once.
        drop(unsafe { CString::from_raw(s) });
    }
}
