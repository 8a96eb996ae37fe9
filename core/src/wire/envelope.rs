//! The envelope D1 POSTs (and its status query answers):
//! `{"operations": [ … ]}`. Errors here reject the body as a whole.

use crate::config::Config;
use crate::error::{invalid_format, limit, missing, Error};
use crate::json::{stream_member, Element, Member, Node};

/// What [`read_envelope`] hands over while reading a body.
#[derive(Debug)]
pub(crate) enum Operation<'a> {
    /// Forget the operations handed over so far (see [`Element::Reset`]).
    Reset,
    /// Operation `index` of the body, read. `within_bounds` says that its
    /// strings and nesting are known to be within the configured bounds
    /// (measured while reading), so they need not be walked again.
    Item {
        index: usize,
        node: Node<'a>,
        within_bounds: bool,
        /// Its text as received, when the reader kept the position.
        raw: Option<&'a str>,
    },
    /// Operation `index` holds more values than `maxOperationBytes`: its
    /// canonical form is longer than that (every value writes at least one
    /// byte), so it was checked as JSON but not kept.
    Oversized { index: usize, raw: Option<&'a str> },
}

/// Reads a body, handing each member of `operations` to `each` as it is
/// read and dropping it after: reading costs one operation's tree at a
/// time, and a tree of at most `maxOperationBytes` values, whatever the
/// body's shape.
///
/// # Errors
/// A body over `maxBodyBytes` (checked before reading), not JSON, not an
/// object, without an `operations` array, or with more operations than
/// `maxOperationsPerBody` is rejected whole; the caller must then drop what
/// it was handed.
pub(crate) fn read_envelope<'a>(
    bytes: &'a [u8],
    config: &Config,
    each: &mut dyn FnMut(Operation<'a>),
) -> Result<(), Error> {
    if bytes.len() > config.max_body_bytes {
        return Err(Error::PayloadTooLarge {
            size: bytes.len(),
            limit: config.max_body_bytes,
        });
    }
    // An operation object sits at depth 3 of the body (body, array, object)
    // and counts itself as depth 1.
    let max_depth = config.max_depth.saturating_add(2);
    let max_values = config.max_operation_values();
    let outline = stream_member(
        bytes,
        &["operations"],
        max_values,
        &mut |element| match element {
            Element::Reset => each(Operation::Reset),
            Element::Item {
                index,
                node: None,
                raw,
                ..
            } => each(Operation::Oversized { index, raw }),
            Element::Item {
                index,
                node: Some(node),
                extent,
                raw,
            } => each(Operation::Item {
                index,
                node,
                raw,
                within_bounds: extent.is_some_and(|e| {
                    e.longest_string <= config.max_string_bytes && e.depth <= max_depth
                }),
            }),
            // One name in the path: no outer elements.
            Element::Begin { .. } | Element::End { .. } => {}
        },
    )
    .map_err(|e| Error::Parsing {
        message: format!("the body is not valid JSON: {e}"),
    })?;
    if let Some(found) = outline.not_an_object {
        return Err(Error::Parsing {
            message: format!("expected a JSON object {{\"operations\": [...]}}, found {found}"),
        });
    }
    let count = match outline.member {
        None | Some(Member::Other("null")) => {
            return Err(missing("operations", "an array of operations"));
        }
        Some(Member::Array(count)) => count,
        Some(Member::Other(found)) => {
            return Err(invalid_format(
                "operations",
                format!("expected an array, found {found}"),
            ));
        }
    };
    if count > config.max_operations_per_body {
        return Err(limit(
            "operations",
            format!(
                "{count} operations in one body; the limit (maxOperationsPerBody) is {}",
                config.max_operations_per_body
            ),
        ));
    }
    Ok(())
}
