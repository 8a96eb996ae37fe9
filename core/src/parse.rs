//! From bytes to validated notifications, with an error that names the field.
//!
//! Every operation is parsed with `serde_json` into a [`Node`] first (strings
//! borrowed from the body), so unknown fields survive in its canonical form;
//! then the documented fields are checked in D1's documented order, and the
//! first field in error is reported (D1's own habit). What the fold needs is
//! read once, into the compact form the state keeps.

use crate::encoding::{encode, MAX_CANONICAL_BYTES};
use crate::error::{invalid_format, invalid_value, limit, missing, Error};
use crate::json::{check_bounds, node_type_name as type_name, Path};
use crate::limits::Config;
use crate::model::{business_rank, is_identifier, OperationStatus, TrackingType};
use crate::node::Node;
use crate::operation::{Facts, Instant, Stored};
use crate::reader::read_measured;
use crate::time::parse_instant;
use crate::view::KNOWN_SHIPMENT_FIELDS;

/// The only operation this tracker folds.
pub const STANDALONE_TRACKING: &str = "STANDALONE_TRACKING";

const OPERATION_ID_MAX: usize = 64;
const CARD_ID_MAX: usize = 48;

/// One operation of a body, read; strings borrow from the body.
#[derive(Debug)]
pub(crate) enum ParsedOperation<'a> {
    /// A `STANDALONE_TRACKING` notification.
    Tracking(Tracking<'a>),
    /// A well-formed operation of another kind (e.g. `PRODUCE`).
    Ignored {
        operation: &'a str,
        operation_id: &'a str,
        card_id: &'a str,
    },
}

/// A validated `STANDALONE_TRACKING` notification, ready to fold.
#[derive(Debug)]
pub(crate) struct Tracking<'a> {
    pub(crate) card_id: &'a str,
    pub(crate) operation_id: &'a str,
    pub(crate) tracking_type: TrackingType,
    /// The notification in the form the state keeps.
    pub(crate) stored: Stored,
}

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

/// Reads and validates one operation object found at `path`; `scratch` is
/// the encoder's reusable buffer. `within_bounds` says that its strings and
/// nesting are known to be within `config`'s bounds already.
pub(crate) fn parse_operation<'a>(
    value: &'a Node<'_>,
    path: &Path<'_>,
    config: &Config,
    scratch: &mut String,
    within_bounds: bool,
) -> Result<ParsedOperation<'a>, Error> {
    let Node::Object(_) = value else {
        return Err(invalid_format(
            &path.render(),
            format!("expected an operation object, found {}", type_name(value)),
        ));
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
    let r = Reader { node: value, path };
    let operation_id = r.identifier("operationId", OPERATION_ID_MAX)?;
    let operation = r.required_str("operation", "a string such as \"STANDALONE_TRACKING\"")?;
    if operation.is_empty() {
        return Err(invalid_format(
            &path.field("operation"),
            "expected a non-empty operation name".to_string(),
        ));
    }
    let card_id = r.identifier("cardId", CARD_ID_MAX)?;
    if operation != STANDALONE_TRACKING {
        return Ok(ParsedOperation::Ignored {
            operation,
            operation_id,
            card_id,
        });
    }
    let status_text = r.required_str("status", "one of PENDING, SUCCESSFUL, FAILED")?;
    let status = OperationStatus::parse(status_text).ok_or_else(|| {
        invalid_value(
            &path.field("status"),
            format!(
                "expected one of PENDING, SUCCESSFUL, FAILED, found {}",
                quoted(status_text)
            ),
        )
    })?;
    let start_time = r.timestamp("startTime")?.ok_or_else(|| {
        missing(
            &path.field("startTime"),
            "an RFC 3339 date-time such as \"2025-01-17T06:28:02.492Z\"",
        )
    })?;
    let end_time = r.timestamp("endTime")?;

    let details_path = Path::Field(path, "details");
    let details = match value.get("details") {
        None | Some(Node::Null) => return Err(missing(&details_path.render(), "an object")),
        Some(d @ Node::Object(_)) => d,
        Some(other) => {
            return Err(invalid_format(
                &details_path.render(),
                format!("expected an object, found {}", type_name(other)),
            ))
        }
    };
    let d = Reader {
        node: details,
        path: &details_path,
    };
    let tracking_text = d.required_str("trackingType", "one of PRODUCTION, SHIPMENT, RETURN")?;
    // The path is written only when the value is wrong.
    let tracking_type = TrackingType::parse(tracking_text).map_or_else(
        || TrackingType::parse_field(tracking_text, &details_path.field("trackingType")),
        Ok,
    )?;
    let business_rank = d.optional_text("status")?.map_or(0, business_rank);
    let shipment_extra = read_shipment(details, &details_path)?;
    r.optional_text("errorCode")?;
    r.optional_str("error")?;
    r.optional_text("issuerRequestId")?;
    let facts = Facts {
        status,
        business_rank,
        start: Instant::new(start_time),
        end: end_time.map(Instant::new),
        shipment_extra,
    };
    Ok(ParsedOperation::Tracking(Tracking {
        card_id,
        operation_id,
        tracking_type,
        stored: Stored::new(encoded, facts),
    }))
}

/// Validates `details.shipment`; says whether it has members the view does
/// not name.
fn read_shipment(details: &Node<'_>, details_path: &Path<'_>) -> Result<bool, Error> {
    let path = Path::Field(details_path, "shipment");
    let (node, members) = match details.get("shipment") {
        None | Some(Node::Null) => return Ok(false),
        Some(node @ Node::Object(members)) => (node, members),
        Some(other) => {
            return Err(invalid_format(
                &path.render(),
                format!("expected an object, found {}", type_name(other)),
            ))
        }
    };
    let r = Reader { node, path: &path };
    r.optional_text("carrier")?;
    r.optional_text("trackingNumber")?;
    r.optional_text("status")?;
    r.optional_str("message")?;
    r.optional_text("trackingUrl")?;
    Ok(members
        .iter()
        .any(|(k, _)| !KNOWN_SHIPMENT_FIELDS.contains(&k.as_ref())))
}

/// Reads fields of one object, building paths only for errors.
struct Reader<'a, 'b, 'p> {
    node: &'a Node<'b>,
    path: &'p Path<'p>,
}

impl<'a, 'b> Reader<'a, 'b, '_> {
    fn get(&self, key: &str) -> Option<&'a Node<'b>> {
        self.node.get(key).filter(|v| !v.is_null())
    }

    fn required_str(&self, key: &str, expected: &str) -> Result<&'a str, Error> {
        match self.get(key) {
            None => Err(missing(&self.path.field(key), expected)),
            Some(Node::String(s)) => Ok(s),
            Some(other) => Err(invalid_format(
                &self.path.field(key),
                format!("expected a string, found {}", type_name(other)),
            )),
        }
    }

    fn identifier(&self, key: &str, max: usize) -> Result<&'a str, Error> {
        let pattern = || format!("a string matching ^[A-Za-z0-9_-]{{1,{max}}}$");
        let s = match self.get(key) {
            Some(Node::String(s)) => s,
            _ => return self.required_str(key, &pattern()),
        };
        if !is_identifier(s, max) {
            return Err(invalid_format(
                &self.path.field(key),
                format!("expected {}, found {}", pattern(), quoted(s)),
            ));
        }
        Ok(s)
    }

    /// An optional string; any text, including empty.
    fn optional_str(&self, key: &str) -> Result<Option<&'a str>, Error> {
        match self.get(key) {
            None => Ok(None),
            Some(Node::String(s)) => Ok(Some(s)),
            Some(other) => Err(invalid_format(
                &self.path.field(key),
                format!("expected a string, found {}", type_name(other)),
            )),
        }
    }

    /// An optional code-like string: must not be empty.
    fn optional_text(&self, key: &str) -> Result<Option<&'a str>, Error> {
        let s = self.optional_str(key)?;
        if s == Some("") {
            return Err(invalid_format(
                &self.path.field(key),
                "expected a non-empty string".to_string(),
            ));
        }
        Ok(s)
    }

    /// An optional RFC 3339 date-time, as seconds since the epoch and
    /// nanoseconds.
    fn timestamp(&self, key: &str) -> Result<Option<(i64, u32)>, Error> {
        let Some(s) = self.optional_str(key)? else {
            return Ok(None);
        };
        parse_instant(s).map(Some).ok_or_else(|| {
            invalid_format(
                &self.path.field(key),
                format!(
                    "expected an RFC 3339 date-time such as \"2025-01-17T06:28:02.492Z\", found {}",
                    quoted(s)
                ),
            )
        })
    }
}

/// A value for an error message: quoted, and cut short when long (a message
/// must not echo a megabyte back).
pub(crate) fn quoted(s: &str) -> String {
    const MAX_CHARS: usize = 64;
    if s.chars().count() <= MAX_CHARS {
        serde_json::to_string(s).unwrap_or_default()
    } else {
        let head: String = s.chars().take(MAX_CHARS).collect();
        format!("{}…", serde_json::to_string(&head).unwrap_or_default())
    }
}

/// The path of operation `i` of a body.
pub(crate) fn operation_path(i: usize) -> Path<'static> {
    Path::Index("operations", i)
}
