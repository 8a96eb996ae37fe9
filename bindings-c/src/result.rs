//! Result codes, their names and messages, the failure every function
//! reports, and where the thread's last error is kept (C reads the names and
//! the last error through `last_error.rs`). Every other file uses this one,
//! so it uses none of them.

use std::cell::RefCell;

use core_api::{Error, ErrorCode};

/// A result code: `D1T_OK` (0) or an error. Numbers are stable and never
/// reused: 1xx input, 2xx bounds, 3xx snapshots (the core's codes), 9xx
/// the C library's own.
pub type d1t_result = u32;

/// Success.
pub const D1T_OK: d1t_result = 0;
/// Not JSON, not UTF-8, nested too deeply, or not the expected object.
pub const D1T_ERR_PARSING: d1t_result = 101;
/// A required field is absent or null.
pub const D1T_ERR_FIELD_MISSING: d1t_result = 102;
/// A field has the wrong type or does not match its pattern.
pub const D1T_ERR_FIELD_INVALID_FORMAT: d1t_result = 103;
/// A field holds a value outside its documented set.
pub const D1T_ERR_FIELD_INVALID_VALUE: d1t_result = 104;
/// The body is larger than `maxBodyBytes`.
pub const D1T_ERR_PAYLOAD_TOO_LARGE: d1t_result = 201;
/// A configured bound was reached.
pub const D1T_ERR_LIMIT_EXCEEDED: d1t_result = 202;
/// A snapshot is corrupt, truncated, foreign or of a newer format.
pub const D1T_ERR_SNAPSHOT_INVALID: d1t_result = 301;
/// A required pointer argument was NULL.
pub const D1T_ERR_NULL_ARGUMENT: d1t_result = 901;
/// An argument is out of its range (e.g. an unknown tracking type number, a
/// card id that is not UTF-8).
pub const D1T_ERR_INVALID_ARGUMENT: d1t_result = 902;
/// The card, tracking or field asked for does not exist.
pub const D1T_ERR_NOT_FOUND: d1t_result = 903;
/// A bug inside the library was caught before it could cross into C. The
/// handle is still valid; please report it.
pub const D1T_ERR_INTERNAL: d1t_result = 999;

/// Every code with its name and a short description.
const CODES: [(d1t_result, &str, &str); 12] = [
    (D1T_OK, "D1T_OK\0", "success\0"),
    (
        D1T_ERR_PARSING,
        "PARSING_ERROR\0",
        "the input is not the JSON expected\0",
    ),
    (
        D1T_ERR_FIELD_MISSING,
        "FIELD_MISSING\0",
        "a required field is missing\0",
    ),
    (
        D1T_ERR_FIELD_INVALID_FORMAT,
        "FIELD_INVALID_FORMAT\0",
        "a field has an invalid format\0",
    ),
    (
        D1T_ERR_FIELD_INVALID_VALUE,
        "FIELD_INVALID_VALUE\0",
        "a field has an invalid value\0",
    ),
    (
        D1T_ERR_PAYLOAD_TOO_LARGE,
        "PAYLOAD_TOO_LARGE\0",
        "the body is larger than maxBodyBytes\0",
    ),
    (
        D1T_ERR_LIMIT_EXCEEDED,
        "LIMIT_EXCEEDED\0",
        "a configured bound was reached\0",
    ),
    (
        D1T_ERR_SNAPSHOT_INVALID,
        "SNAPSHOT_INVALID\0",
        "the snapshot is invalid\0",
    ),
    (
        D1T_ERR_NULL_ARGUMENT,
        "NULL_ARGUMENT\0",
        "a required pointer argument is NULL\0",
    ),
    (
        D1T_ERR_INVALID_ARGUMENT,
        "INVALID_ARGUMENT\0",
        "an argument is out of range\0",
    ),
    (
        D1T_ERR_NOT_FOUND,
        "NOT_FOUND\0",
        "no such card, tracking or field\0",
    ),
    (
        D1T_ERR_INTERNAL,
        "INTERNAL_ERROR\0",
        "internal error (a bug); the handle is still valid\0",
    ),
];

const UNKNOWN: (&str, &str) = ("UNKNOWN\0", "not a d1_tracking result code\0");

/// The number of a core error code.
pub(crate) fn number_of(code: ErrorCode) -> d1t_result {
    code.number()
}

/// An error the C library reports itself (not the core's).
#[derive(Debug, Clone)]
pub(crate) struct Failure {
    pub(crate) result: d1t_result,
    pub(crate) path: Option<String>,
    pub(crate) message: String,
}

impl Failure {
    pub(crate) fn new(
        result: d1t_result,
        path: Option<&str>,
        message: impl Into<String>,
    ) -> Failure {
        Failure {
            result,
            path: path.map(str::to_string),
            message: message.into(),
        }
    }

    pub(crate) fn null(name: &str) -> Failure {
        Failure::new(D1T_ERR_NULL_ARGUMENT, Some(name), format!("{name} is NULL"))
    }
}

impl From<Error> for Failure {
    fn from(e: Error) -> Failure {
        Failure {
            result: number_of(e.code()),
            path: e.path().map(str::to_string),
            message: e.message(),
        }
    }
}

thread_local! {
    static LAST_ERROR: RefCell<Option<Failure>> = const { RefCell::new(None) };
}

/// Records `failure` as the thread's last error (the panic guard does, for
/// every call that fails).
pub(crate) fn set_last_error(failure: &Failure) {
    LAST_ERROR.with(|slot| *slot.borrow_mut() = Some(failure.clone()));
}

/// The thread's last error, if it had one.
pub(crate) fn last_error() -> Option<Failure> {
    LAST_ERROR.with(|slot| slot.borrow().clone())
}

/// The NUL-terminated name and description of a code (`UNKNOWN` for a
/// number that is not one).
pub(crate) fn entry(code: d1t_result) -> (&'static str, &'static str) {
    CODES
        .iter()
        .find(|(c, _, _)| *c == code)
        .map_or(UNKNOWN, |(_, name, message)| (*name, *message))
}
