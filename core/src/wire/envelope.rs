//! The envelope D1 POSTs (and its status query answers):
//! `{"operations": [ … ]}`. Errors here reject the body as a whole.

use crate::config::Config;
use crate::error::{invalid_format, limit, missing, Error};
use crate::json::{node_type_name as type_name, read_measured, Node};

/// Reads the envelope `{"operations": [...]}`. Errors here reject the body
/// as a whole. Also says whether every operation is known to be within the
/// bounds on strings and nesting (measured while reading), so that
/// [`parse_operation`] need not walk them again.
pub(crate) fn parse_envelope<'a>(
    bytes: &'a [u8],
    config: &Config,
) -> Result<(Vec<Node<'a>>, bool), Error> {
    if bytes.len() > config.max_body_bytes {
        return Err(Error::PayloadTooLarge {
            size: bytes.len(),
            limit: config.max_body_bytes,
        });
    }
    let (root, extent) = read_measured(bytes).map_err(|e| Error::Parsing {
        message: format!("the body is not valid JSON: {e}"),
    })?;
    let Node::Object(members) = root else {
        return Err(Error::Parsing {
            message: format!(
                "expected a JSON object {{\"operations\": [...]}}, found {}",
                type_name(&root)
            ),
        });
    };
    let operations = members
        .into_iter()
        .find_map(|(k, v)| (k == "operations").then_some(v));
    let operations = match operations {
        None | Some(Node::Null) => {
            return Err(missing("operations", "an array of operations"));
        }
        Some(Node::Array(items)) => items,
        Some(other) => {
            return Err(invalid_format(
                "operations",
                format!("expected an array, found {}", type_name(&other)),
            ));
        }
    };
    if operations.len() > config.max_operations_per_body {
        return Err(limit(
            "operations",
            format!(
                "{} operations in one body; the limit (maxOperationsPerBody) is {}",
                operations.len(),
                config.max_operations_per_body
            ),
        ));
    }
    // An operation object sits at depth 3 of the body (body, array, object)
    // and counts itself as depth 1.
    let within_bounds = extent.is_some_and(|e| {
        e.longest_string <= config.max_string_bytes && e.depth <= config.max_depth.saturating_add(2)
    });
    Ok((operations, within_bounds))
}
