//! Intake: one operation object of a body or a snapshot, checked against the
//! bounds, validated and encoded into the form the state keeps.
//!
//! The checks run in a fixed order, and the first failure is reported:
//! strings and nesting (`maxStringBytes`, `maxDepth`), the canonical size
//! (`maxOperationBytes`), then D1's fields in D1's documented order.

use std::borrow::Cow;

use super::encoding::{encode, MAX_CANONICAL_BYTES};
use super::stored::Stored;
use crate::config::Config;
use crate::error::{limit, Error};
use crate::json::{check_bounds, Node, Path};
use crate::wire::{not_an_operation, parse_operation, Notification, ParsedOperation, TrackingType};

/// One operation, taken in. Nothing borrows from the parsed tree, which
/// can be dropped before the operation is folded.
#[derive(Debug)]
pub(crate) enum Intake<'a> {
    /// A `STANDALONE_TRACKING` or `PRODUCE` notification, ready to fold.
    Fold(Incoming<'a>),
    /// A well-formed operation of another kind (e.g. `ACTIVATE`).
    Ignored {
        operation: String,
        operation_id: String,
        card_id: String,
    },
}

/// An incoming notification, validated, in the form the state keeps, with where it is
/// filed; the ids borrow from the body when it spells them without escapes.
#[derive(Debug)]
pub(crate) struct Incoming<'a> {
    pub(crate) card_id: Cow<'a, str>,
    pub(crate) operation_id: Cow<'a, str>,
    pub(crate) tracking_type: TrackingType,
    /// The notification in the form the state keeps.
    pub(crate) stored: Stored,
}

/// Takes in one operation object found at `path`; `scratch` is the
/// encoder's reusable buffer. `within_bounds` says that its strings and
/// nesting are known to be within `config`'s bounds already (measured while
/// reading the body).
pub(crate) fn intake<'a>(
    value: &Node<'a>,
    path: &Path<'_>,
    config: &Config,
    scratch: &mut String,
    within_bounds: bool,
) -> Result<Intake<'a>, Error> {
    let Node::Object(_) = value else {
        return Err(not_an_operation(value, path));
    };
    if !within_bounds {
        check_bounds(value, path, config.max_string_bytes, config.max_depth)?;
    }
    // The state stores positions within an operation in 16 bits.
    let max_bytes = config.max_operation_bytes.min(MAX_CANONICAL_BYTES);
    let encoded = match encode(value, scratch) {
        Ok((encoded, len)) if len <= max_bytes => encoded,
        Ok((_, len)) | Err(len) => {
            return Err(limit(
                &path.render(),
                format!(
                    "the operation is {len} bytes in canonical form; the limit (maxOperationBytes) is {max_bytes}"
                ),
            ))
        }
    };
    Ok(match parse_operation(value, path)? {
        ParsedOperation::Ignored {
            operation,
            operation_id,
            card_id,
        } => Intake::Ignored {
            operation: operation.to_string(),
            operation_id: operation_id.to_string(),
            card_id: card_id.to_string(),
        },
        ParsedOperation::Notification(Notification {
            card_id,
            operation_id,
            tracking_type,
            facts,
        }) => Intake::Fold(Incoming {
            // The same strings, taken from the tree with the input's lifetime.
            card_id: value
                .string_member("cardId")
                .unwrap_or_else(|| Cow::Owned(card_id.to_string())),
            operation_id: value
                .string_member("operationId")
                .unwrap_or_else(|| Cow::Owned(operation_id.to_string())),
            tracking_type,
            stored: Stored::new(encoded, facts),
        }),
    })
}
