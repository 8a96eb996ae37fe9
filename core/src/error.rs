//! The one error type of the crate, with stable codes.
//!
//! Codes are part of the public contract: the strings are D1's own vocabulary
//! where D1 has a word (`FIELD_INVALID_FORMAT`, `FIELD_INVALID_VALUE`), and the
//! numbers are what the C library returns. Neither is ever reused or renumbered.

use std::fmt;

/// A stable error code, shared by every binding.
///
/// ```
/// use d1_tracking::ErrorCode;
/// assert_eq!(ErrorCode::FieldInvalidFormat.as_str(), "FIELD_INVALID_FORMAT");
/// assert_eq!(ErrorCode::FieldInvalidFormat.number(), 103);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum ErrorCode {
    /// The bytes are not JSON (or not UTF-8, or nested too deeply to read).
    ParsingError,
    /// A required field is absent or `null`.
    FieldMissing,
    /// A field has the wrong JSON type or does not match its documented pattern.
    FieldInvalidFormat,
    /// A field is well formed but holds a value outside its documented set.
    FieldInvalidValue,
    /// The body is larger than the configured limit.
    PayloadTooLarge,
    /// A configured bound (strings, operations, cards, nesting…) was reached.
    LimitExceeded,
    /// A snapshot is corrupt, truncated, foreign or of a newer format.
    SnapshotInvalid,
}

impl ErrorCode {
    /// Every code, in numeric order.
    pub const ALL: [ErrorCode; 7] = [
        ErrorCode::ParsingError,
        ErrorCode::FieldMissing,
        ErrorCode::FieldInvalidFormat,
        ErrorCode::FieldInvalidValue,
        ErrorCode::PayloadTooLarge,
        ErrorCode::LimitExceeded,
        ErrorCode::SnapshotInvalid,
    ];

    /// The code as a string, e.g. `"FIELD_MISSING"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            ErrorCode::ParsingError => "PARSING_ERROR",
            ErrorCode::FieldMissing => "FIELD_MISSING",
            ErrorCode::FieldInvalidFormat => "FIELD_INVALID_FORMAT",
            ErrorCode::FieldInvalidValue => "FIELD_INVALID_VALUE",
            ErrorCode::PayloadTooLarge => "PAYLOAD_TOO_LARGE",
            ErrorCode::LimitExceeded => "LIMIT_EXCEEDED",
            ErrorCode::SnapshotInvalid => "SNAPSHOT_INVALID",
        }
    }

    /// The stable number of the code (what the C library returns).
    ///
    /// Grouped by hundreds: 1xx input, 2xx bounds, 3xx snapshots. `0` is
    /// success in C and never an error.
    pub const fn number(self) -> u32 {
        match self {
            ErrorCode::ParsingError => 101,
            ErrorCode::FieldMissing => 102,
            ErrorCode::FieldInvalidFormat => 103,
            ErrorCode::FieldInvalidValue => 104,
            ErrorCode::PayloadTooLarge => 201,
            ErrorCode::LimitExceeded => 202,
            ErrorCode::SnapshotInvalid => 301,
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An error: what is wrong, where (a JSON path such as
/// `operations[2].cardId`), and what was expected.
///
/// ```
/// use d1_tracking::{Config, ErrorCode, Tracker};
/// let mut tracker = Tracker::new(Config::default());
/// let err = tracker.apply(b"{\"operations\": 7}", 0).unwrap_err();
/// assert_eq!(err.code(), ErrorCode::FieldInvalidFormat);
/// assert_eq!(err.path(), Some("operations"));
/// assert_eq!(err.to_string(), "FIELD_INVALID_FORMAT at operations: expected an array, found a number");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// See [`ErrorCode::ParsingError`].
    #[error("{}", self.render())]
    Parsing {
        /// What the JSON reader reported, with line and column.
        message: String,
    },
    /// See [`ErrorCode::FieldMissing`].
    #[error("{}", self.render())]
    FieldMissing {
        /// JSON path of the missing field.
        path: String,
        /// What was expected there.
        message: String,
    },
    /// See [`ErrorCode::FieldInvalidFormat`].
    #[error("{}", self.render())]
    FieldInvalidFormat {
        /// JSON path of the field.
        path: String,
        /// What was expected and what was found.
        message: String,
    },
    /// See [`ErrorCode::FieldInvalidValue`].
    #[error("{}", self.render())]
    FieldInvalidValue {
        /// JSON path of the field.
        path: String,
        /// The accepted values and what was found.
        message: String,
    },
    /// See [`ErrorCode::PayloadTooLarge`].
    #[error("{}", self.render())]
    PayloadTooLarge {
        /// Size of the body in bytes.
        size: usize,
        /// The configured limit.
        limit: usize,
    },
    /// See [`ErrorCode::LimitExceeded`].
    #[error("{}", self.render())]
    LimitExceeded {
        /// JSON path of the value that reached the bound.
        path: String,
        /// Which bound, and its value.
        message: String,
    },
    /// See [`ErrorCode::SnapshotInvalid`].
    #[error("{}", self.render())]
    SnapshotInvalid {
        /// JSON path inside the snapshot (empty for the whole document, which
        /// [`Error::path`] reports as `None`).
        path: String,
        /// What is wrong.
        message: String,
    },
}

impl Error {
    /// The stable code of this error.
    pub fn code(&self) -> ErrorCode {
        match self {
            Error::Parsing { .. } => ErrorCode::ParsingError,
            Error::FieldMissing { .. } => ErrorCode::FieldMissing,
            Error::FieldInvalidFormat { .. } => ErrorCode::FieldInvalidFormat,
            Error::FieldInvalidValue { .. } => ErrorCode::FieldInvalidValue,
            Error::PayloadTooLarge { .. } => ErrorCode::PayloadTooLarge,
            Error::LimitExceeded { .. } => ErrorCode::LimitExceeded,
            Error::SnapshotInvalid { .. } => ErrorCode::SnapshotInvalid,
        }
    }

    /// The JSON path of the field at fault, when one field is at fault.
    pub fn path(&self) -> Option<&str> {
        match self {
            Error::FieldMissing { path, .. }
            | Error::FieldInvalidFormat { path, .. }
            | Error::FieldInvalidValue { path, .. }
            | Error::LimitExceeded { path, .. }
            | Error::SnapshotInvalid { path, .. } => Some(path.as_str()).filter(|p| !p.is_empty()),
            Error::Parsing { .. } | Error::PayloadTooLarge { .. } => None,
        }
    }

    /// The human-readable part of the message, without code and path.
    pub fn message(&self) -> String {
        match self {
            Error::Parsing { message }
            | Error::FieldMissing { message, .. }
            | Error::FieldInvalidFormat { message, .. }
            | Error::FieldInvalidValue { message, .. }
            | Error::LimitExceeded { message, .. }
            | Error::SnapshotInvalid { message, .. } => message.clone(),
            Error::PayloadTooLarge { size, limit } => {
                format!("the body is {size} bytes, the limit (maxBodyBytes) is {limit}")
            }
        }
    }

    /// `CODE at path: message`, or `CODE: message` when no field is at fault:
    /// one shape for every variant, so bindings can rely on it.
    fn render(&self) -> String {
        match self.path() {
            Some(path) => format!("{} at {path}: {}", self.code(), self.message()),
            None => format!("{}: {}", self.code(), self.message()),
        }
    }

    /// The error as the JSON object every binding reports:
    /// `{"code": …, "path": … or null, "message": …}`.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "code": self.code().as_str(),
            "path": self.path(),
            "message": self.message(),
        })
    }
}

impl serde::Serialize for Error {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.to_json().serialize(serializer)
    }
}

pub(crate) fn missing(path: &str, expected: &str) -> Error {
    Error::FieldMissing {
        path: path.to_string(),
        message: format!("expected {expected}"),
    }
}

pub(crate) fn invalid_format(path: &str, message: String) -> Error {
    Error::FieldInvalidFormat {
        path: path.to_string(),
        message,
    }
}

pub(crate) fn invalid_value(path: &str, message: String) -> Error {
    Error::FieldInvalidValue {
        path: path.to_string(),
        message,
    }
}

pub(crate) fn limit(path: &str, message: String) -> Error {
    Error::LimitExceeded {
        path: path.to_string(),
        message,
    }
}
