//! One operation object, validated against D1's documented fields, with an
//! error that names the first field in error (D1's own habit). The checks
//! run in D1's documented field order. What the fold needs is read into
//! typed [`Facts`]; unknown fields stay in the [`Node`], which the store
//! keeps in canonical form.

use super::business::business_rank as business_rank_of;
use super::identifier::{IdRule, CARD_ID, OPERATION_ID};
use super::shipment::KNOWN_SHIPMENT_FIELDS;
use super::time::{parse_instant, Instant};
use super::{OperationStatus, TrackingType};
use crate::error::{invalid_format, invalid_value, missing, Error};
use crate::json::{node_type_name as type_name, quoted, Node, Path};

/// The tracking-hub operation: the tracking types' notifications.
pub const STANDALONE_TRACKING: &str = "STANDALONE_TRACKING";

/// The card-order operation (DESIGN 1.4), folded as its own kind.
pub const PRODUCE: &str = "PRODUCE";

/// Members of `details` the view names; the others are its `extra`.
pub(crate) const KNOWN_DETAILS_FIELDS: [&str; 8] = [
    "dueDate",
    "inputFileName",
    "issuerRequestId",
    "productionSite",
    "reason",
    "shipment",
    "status",
    "trackingType",
];

/// One operation of a body, read; strings borrow from the body.
#[derive(Debug)]
pub(crate) enum ParsedOperation<'a> {
    /// A `STANDALONE_TRACKING` or `PRODUCE` notification.
    Tracking(Notification<'a>),
    /// A well-formed operation of another kind (e.g. `ACTIVATE`).
    Ignored {
        operation: &'a str,
        operation_id: &'a str,
        card_id: &'a str,
    },
}

/// A validated notification the tracker folds: where it is filed (its kind:
/// the tracking type, `PRODUCE`, or `UNTYPED` when it names none), and the
/// typed facts the fold orders it by.
#[derive(Debug)]
pub(crate) struct Notification<'a> {
    pub(crate) card_id: &'a str,
    pub(crate) operation_id: &'a str,
    pub(crate) tracking_type: TrackingType,
    pub(crate) facts: Facts,
}

/// The typed facts of a notification, read while validating it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Facts {
    pub(crate) status: OperationStatus,
    pub(crate) business_rank: u8,
    pub(crate) start: Instant,
    pub(crate) end: Option<Instant>,
    /// The shipment object has members the view does not name.
    pub(crate) shipment_extra: bool,
    /// `details` has members the view does not name.
    pub(crate) details_extra: bool,
}

/// Validates one operation object found at `path` (its bounds are checked
/// by the caller).
pub(crate) fn parse_operation<'a>(
    value: &'a Node<'_>,
    path: &Path<'_>,
) -> Result<ParsedOperation<'a>, Error> {
    let Node::Object(_) = value else {
        return Err(not_an_operation(value, path));
    };
    let r = Reader { node: value, path };
    let operation_id = r.identifier("operationId", OPERATION_ID)?;
    let operation = r.required_str("operation", "a string such as \"STANDALONE_TRACKING\"")?;
    if operation.is_empty() {
        return Err(invalid_format(
            &path.field("operation"),
            "expected a non-empty operation name".to_string(),
        ));
    }
    let card_id = r.identifier("cardId", CARD_ID)?;
    let produce = operation == PRODUCE;
    if !produce && operation != STANDALONE_TRACKING {
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
            "an ISO 8601 date-time such as \"2025-01-17T06:28:02.492Z\"",
        )
    })?;
    let end_time = r.timestamp("endTime")?;

    // `details` is required by D1's guide, not by its schema (DESIGN 1.3):
    // without it the notification has no type and joins its operation.
    let details_path = Path::Field(path, "details");
    let details = match value.get("details") {
        None | Some(Node::Null) => None,
        Some(d @ Node::Object(_)) => Some(d),
        Some(other) => {
            return Err(invalid_format(
                &details_path.render(),
                format!("expected an object, found {}", type_name(other)),
            ))
        }
    };
    let mut kind = if produce {
        TrackingType::Produce
    } else {
        TrackingType::Untyped
    };
    let mut business_rank = 0;
    let mut shipment_extra = false;
    let mut details_extra = false;
    if let Some(details) = details {
        let d = Reader {
            node: details,
            path: &details_path,
        };
        // PRODUCE names no tracking type; a member of that name is kept.
        if let (false, Some(text)) = (produce, d.optional_text("trackingType")?) {
            // The path is written only when the value is wrong.
            kind = TrackingType::parse(text).map_or_else(
                || TrackingType::parse_field(text, &details_path.field("trackingType")),
                Ok,
            )?;
        }
        business_rank = d.optional_text("status")?.map_or(0, business_rank_of);
        d.optional_str("reason")?;
        d.optional_str("dueDate")?;
        d.optional_str("inputFileName")?;
        d.optional_text("issuerRequestId")?;
        shipment_extra = read_shipment(details, &details_path)?;
        details_extra = has_unknown_members(details, &KNOWN_DETAILS_FIELDS);
    }
    r.optional_text("errorCode")?;
    r.optional_str("error")?;
    r.optional_text("issuerRequestId")?;
    r.optional_str("inputFileName")?;
    Ok(ParsedOperation::Tracking(Notification {
        card_id,
        operation_id,
        tracking_type: kind,
        facts: Facts {
            status,
            business_rank,
            start: Instant::new(start_time),
            end: end_time.map(Instant::new),
            shipment_extra,
            details_extra,
        },
    }))
}

/// True when `object` has a member not in `known`.
fn has_unknown_members(object: &Node<'_>, known: &[&str]) -> bool {
    match object {
        Node::Object(members) => members.iter().any(|(k, _)| !known.contains(&k.as_ref())),
        _ => false,
    }
}

/// The error for a member of `operations` that is not an object.
pub(crate) fn not_an_operation(value: &Node<'_>, path: &Path<'_>) -> Error {
    invalid_format(
        &path.render(),
        format!("expected an operation object, found {}", type_name(value)),
    )
}

/// Validates `details.shipment`; says whether it has members the view does
/// not name.
fn read_shipment(details: &Node<'_>, details_path: &Path<'_>) -> Result<bool, Error> {
    let path = Path::Field(details_path, "shipment");
    let node = match details.get("shipment") {
        None | Some(Node::Null) => return Ok(false),
        Some(node @ Node::Object(_)) => node,
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
    Ok(has_unknown_members(node, &KNOWN_SHIPMENT_FIELDS))
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

    fn identifier(&self, key: &str, rule: IdRule) -> Result<&'a str, Error> {
        match self.get(key) {
            Some(Node::String(s)) if rule.matches(s) => Ok(s),
            Some(Node::String(s)) => rule.check(s, &self.path.field(key)),
            _ => self.required_str(key, &rule.pattern()),
        }
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

    /// An optional code-like string: an empty one is absent, as `null` is
    /// (D1's documents are loose; docs/decisions.md).
    fn optional_text(&self, key: &str) -> Result<Option<&'a str>, Error> {
        Ok(self.optional_str(key)?.filter(|s| !s.is_empty()))
    }

    /// An optional ISO 8601 date-time, as seconds since the epoch and
    /// nanoseconds.
    fn timestamp(&self, key: &str) -> Result<Option<(i64, u32)>, Error> {
        let Some(s) = self.optional_str(key)? else {
            return Ok(None);
        };
        parse_instant(s).map(Some).ok_or_else(|| {
            invalid_format(
                &self.path.field(key),
                format!(
                    "expected an ISO 8601 date-time such as \"2025-01-17T06:28:02.492Z\", found {}",
                    quoted(s)
                ),
            )
        })
    }
}

/// The path of operation `i` of a body.
pub(crate) fn operation_path(i: usize) -> Path<'static> {
    Path::Index("operations", i)
}
