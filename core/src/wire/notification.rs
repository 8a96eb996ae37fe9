//! One operation object, validated against D1's documented fields, with an
//! error that names the first field in error (D1's own habit). The checks
//! run in D1's documented field order. What the fold needs is read into
//! typed [`Facts`]; unknown fields stay in the [`Node`], which the store
//! keeps in canonical form.

use super::business::business_rank as business_rank_of;
use super::identifier::{IdRule, CARD_ID, OPERATION_ID};
use super::members::{is_known, members_of, Kind, Member, Place};
use super::time::{parse_instant, Instant};
use super::{OperationStatus, TrackingType};
use crate::error::{invalid_format, invalid_value, missing, Error};
use crate::json::{node_type_name as type_name, quoted, Node, Path};

/// The tracking-hub operation: the tracking types' notifications.
pub const STANDALONE_TRACKING: &str = "STANDALONE_TRACKING";

/// The card-order operation (README, "The card view"), folded as its own kind.
pub const PRODUCE: &str = "PRODUCE";

/// What a missing date-time should have been.
const EXPECTED_TIME: &str = "an ISO 8601 date-time such as \"2025-01-17T06:28:02.492Z\"";

/// One operation of a body, read; strings borrow from the body.
#[derive(Debug)]
pub(crate) enum ParsedOperation<'a> {
    /// A `STANDALONE_TRACKING` or `PRODUCE` notification.
    Notification(Notification<'a>),
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
    let r = MemberReader { node: value, path };
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
    let mut kind = if produce {
        TrackingType::Produce
    } else {
        TrackingType::Untyped
    };
    let (mut start, mut end, mut business_rank) = (None, None, 0);
    // The members of the table, in its order (D1's); the facts are read here.
    let unknown = check_members(
        &r,
        Place::Top,
        &mut |member: Member, r: &MemberReader<'_, '_, '_>| {
            let key = member.key();
            match member {
                Member::StartTime => {
                    start = Some(
                        r.timestamp(key)?
                            .ok_or_else(|| missing(&r.path.field(key), EXPECTED_TIME))?,
                    );
                }
                Member::EndTime => end = r.timestamp(key)?,
                // PRODUCE names no tracking type; a member of that name is kept.
                Member::TrackingType if !produce => {
                    if let Some(text) = r.optional_text(key)? {
                        // The path is written only when the value is wrong.
                        kind = TrackingType::parse(text).map_or_else(
                            || TrackingType::parse_field(text, &r.path.field(key)),
                            Ok,
                        )?;
                    }
                }
                Member::DetailsStatus => {
                    // A number is a status this version does not know: rank 0.
                    business_rank = r.optional_code(key)?.map_or(0, business_rank_of);
                }
                _ => {}
            }
            Ok(())
        },
    )?;
    // Read by the table's `startTime` row above, which refuses its absence.
    let Some(start_time) = start else {
        return Err(missing(&path.field("startTime"), EXPECTED_TIME));
    };
    Ok(ParsedOperation::Notification(Notification {
        card_id,
        operation_id,
        tracking_type: kind,
        facts: Facts {
            status,
            business_rank,
            start: Instant::new(start_time),
            end: end.map(Instant::new),
            shipment_extra: unknown.shipment,
            details_extra: unknown.details,
        },
    }))
}

/// The error for a member of `operations` that is not an object.
pub(crate) fn not_an_operation(value: &Node<'_>, path: &Path<'_>) -> Error {
    invalid_format(
        &path.render(),
        format!("expected an operation object, found {}", type_name(value)),
    )
}

/// Which objects have members the table does not name (a view's `extra`).
#[derive(Debug, Default, Clone, Copy)]
struct Unknown {
    details: bool,
    shipment: bool,
}

/// Checks the members of `place` in `r`'s object, in the table's order:
/// a fact goes to `fact`, which reads and checks it; an object's own
/// members are checked in turn, where it sits.
fn check_members<'a, 'b>(
    r: &MemberReader<'a, 'b, '_>,
    place: Place,
    fact: &mut impl FnMut(Member, &MemberReader<'a, 'b, '_>) -> Result<(), Error>,
) -> Result<Unknown, Error> {
    let mut unknown = Unknown::default();
    for &member in members_of(place) {
        let key = member.key();
        if member.is_fact() {
            fact(member, r)?;
            continue;
        }
        match member.kind() {
            Kind::Code => {
                r.optional_code(key)?;
            }
            Kind::Word => {
                r.optional_text(key)?;
            }
            Kind::Text => {
                r.optional_str(key)?;
            }
            Kind::Time => {
                r.timestamp(key)?;
            }
            Kind::Json => {}
            Kind::Object => {
                let Some(inner) = member.opens() else {
                    continue;
                };
                let node = match r.get(key) {
                    None => continue,
                    Some(node @ Node::Object(_)) => node,
                    Some(other) => {
                        return Err(invalid_format(
                            &r.path.field(key),
                            format!("expected an object, found {}", type_name(other)),
                        ))
                    }
                };
                let path = Path::Field(r.path, key);
                let nested = MemberReader { node, path: &path };
                let below = check_members(&nested, inner, fact)?;
                let has_unknown = has_unknown_members(node, inner);
                unknown = Unknown {
                    details: unknown.details
                        || below.details
                        || (inner == Place::Details && has_unknown),
                    shipment: unknown.shipment
                        || below.shipment
                        || (inner == Place::Shipment && has_unknown),
                };
            }
        }
    }
    Ok(unknown)
}

/// True when `object` has a member `place` does not name.
fn has_unknown_members(object: &Node<'_>, place: Place) -> bool {
    match object {
        Node::Object(members) => members.iter().any(|(k, _)| !is_known(place, k)),
        _ => false,
    }
}

/// Reads fields of one object, building paths only for errors.
struct MemberReader<'a, 'b, 'p> {
    node: &'a Node<'b>,
    path: &'p Path<'p>,
}

impl<'a, 'b> MemberReader<'a, 'b, '_> {
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

    /// An optional text code: a string (empty is absent) or an integer (its
    /// literal, however long), which D1 may send for a code it documents as text
    /// (docs/decisions.md). The text of a string; `None` for a number too,
    /// whose text the store reads from its canonical form.
    fn optional_code(&self, key: &str) -> Result<Option<&'a str>, Error> {
        match self.get(key) {
            None => Ok(None),
            Some(Node::String(s)) => Ok(Some(s.as_ref()).filter(|s| !s.is_empty())),
            Some(Node::Number(n)) if n.is_u64() || n.is_i64() => Ok(None),
            Some(Node::Integer(_)) => Ok(None),
            Some(Node::Number(_)) => Err(invalid_format(
                &self.path.field(key),
                "expected a string or an integer, found a number with a fraction or an exponent \
                 (not read as a code: it may not be the number sent)"
                    .to_string(),
            )),
            Some(other) => Err(invalid_format(
                &self.path.field(key),
                format!(
                    "expected a string or an integer, found {}",
                    type_name(other)
                ),
            )),
        }
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
