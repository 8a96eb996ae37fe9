//! The outbound Track Card call (issuer → D1), built and validated without
//! I/O: the host adds the bearer token and sends it.

use serde::Serialize;
use serde_json::{Map, Value};

use super::identifier::{CARD_ID, CORRELATION_ID, ISSUER_ID};
use super::TrackingType;
use crate::error::{invalid_format, invalid_value, missing, Error};
use crate::json::{canonical_string, field, quoted, type_name};

/// A validated Track Card request: what to ask D1 to track.
///
/// ```
/// use d1_tracking::{TrackCardRequest, TrackingType};
/// let request = TrackCardRequest::new("ISSUER0001", "card-0001", TrackingType::Shipment)?
///     .with_correlation_id("corr-42")?;
/// let call = request.build();
/// assert_eq!(call.method, "POST");
/// assert_eq!(call.path, "/issuers/ISSUER0001/physicalCards/card-0001/operations:tracking");
/// assert_eq!(call.body, br#"{"trackingType":"SHIPMENT"}"#);
/// assert!(call.headers.contains(&("x-correlation-id".to_string(), "corr-42".to_string())));
/// // The host sends it to TrackCardRequest::PRODUCTION_BASE_URL + call.path, plus
/// // its own `Authorization: Bearer <JWT>` header.
/// # Ok::<(), d1_tracking::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrackCardRequest {
    issuer_id: String,
    card_id: String,
    tracking_type: TrackingType,
    correlation_id: Option<String>,
    extra_fields: Map<String, Value>,
    path_template: String,
}

/// An HTTP call, ready for the host to send (it adds `Authorization`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct HttpRequest {
    /// `POST` for Track Card, `GET` for the status query.
    pub method: String,
    /// The path, relative to [`TrackCardRequest::PRODUCTION_BASE_URL`] or
    /// [`TrackCardRequest::STAGING_BASE_URL`].
    pub path: String,
    /// Headers, in this order: `content-type` (when there is a body),
    /// `accept`, then `x-correlation-id` when one was given.
    pub headers: Vec<(String, String)>,
    /// The JSON body, canonical (sorted keys, no white space); empty for
    /// the status query.
    #[serde(serialize_with = "body_as_text")]
    pub body: Vec<u8>,
}

/// A path template for D1's calls: starts with `/`, holds `{issuerId}` and
/// `{cardId}` and no other placeholder, no white space.
pub(crate) fn check_path_template(template: &str) -> Result<(), Error> {
    let rest = template.replace("{issuerId}", "").replace("{cardId}", "");
    let valid = template.starts_with('/')
        && template.contains("{issuerId}")
        && template.contains("{cardId}")
        && !rest.contains(['{', '}'])
        && !template
            .chars()
            .any(|c| c.is_whitespace() || c.is_control());
    if valid {
        Ok(())
    } else {
        Err(invalid_value(
            "pathTemplate",
            format!(
                "expected a path starting with / that contains {{issuerId}} and {{cardId}} and no other placeholder, found {}",
                quoted(template)
            ),
        ))
    }
}

fn body_as_text<S: serde::Serializer>(body: &[u8], s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&String::from_utf8_lossy(body))
}

impl TrackCardRequest {
    /// D1's production base URL for the banking APIs.
    pub const PRODUCTION_BASE_URL: &str = "https://api.d1.thalescloud.io/banking/v1";
    /// D1's staging base URL for the banking APIs.
    pub const STAGING_BASE_URL: &str = "https://api.d1-stg.thalescloud.io/banking/v1";

    /// The default path of the Track Card call, relative to the base URL.
    ///
    /// **An assumption to check against your D1 onboarding documents.** D1's
    /// reference gives Track Card's body but not its method and path; this
    /// template follows the sibling operations of the same API
    /// (`POST …/physicalCards/{cardId}/operations:production`). Pass your own
    /// template to [`TrackCardRequest::with_path_template`] if D1 gave you another.
    pub const DEFAULT_PATH_TEMPLATE: &str =
        "/issuers/{issuerId}/physicalCards/{cardId}/operations:tracking";

    /// A request for D1 to track `card_id` of `issuer_id`.
    ///
    /// # Errors
    /// `FIELD_INVALID_FORMAT` at `issuerId` unless it is exactly 10
    /// characters of `[A-Za-z0-9_-]`; at `cardId` unless it matches
    /// `^[A-Za-z0-9_-]{1,48}$`.
    pub fn new(
        issuer_id: &str,
        card_id: &str,
        tracking_type: TrackingType,
    ) -> Result<TrackCardRequest, Error> {
        ISSUER_ID.check(issuer_id, "issuerId")?;
        CARD_ID.check(card_id, "cardId")?;
        Ok(TrackCardRequest {
            issuer_id: issuer_id.to_string(),
            card_id: card_id.to_string(),
            tracking_type,
            correlation_id: None,
            extra_fields: Map::new(),
            path_template: Self::DEFAULT_PATH_TEMPLATE.to_string(),
        })
    }

    /// Adds the optional `x-correlation-id` header (for D1's logs; never
    /// personal data).
    ///
    /// # Errors
    /// `FIELD_INVALID_FORMAT` at `correlationId` unless it matches
    /// `^[A-Za-z0-9_-]{1,64}$`.
    pub fn with_correlation_id(mut self, id: &str) -> Result<TrackCardRequest, Error> {
        CORRELATION_ID.check(id, "correlationId")?;
        self.correlation_id = Some(id.to_string());
        Ok(self)
    }

    /// Adds body fields that D1's reference does not list, passed through
    /// unchanged.
    ///
    /// # Errors
    /// `FIELD_INVALID_VALUE` at `extraFields.trackingType`: the tracking type
    /// is set by [`TrackCardRequest::new`] and never overridden.
    pub fn with_extra_fields(
        mut self,
        fields: Map<String, Value>,
    ) -> Result<TrackCardRequest, Error> {
        if fields.contains_key("trackingType") {
            return Err(invalid_value(
                "extraFields.trackingType",
                "trackingType is set by the request's tracking type and cannot be overridden"
                    .to_string(),
            ));
        }
        self.extra_fields.extend(fields);
        Ok(self)
    }

    /// Uses another path template. It must contain `{issuerId}` and
    /// `{cardId}` and no other placeholder, and start with `/`.
    ///
    /// # Errors
    /// `FIELD_INVALID_VALUE` at `pathTemplate` otherwise.
    pub fn with_path_template(mut self, template: &str) -> Result<TrackCardRequest, Error> {
        check_path_template(template)?;
        self.path_template = template.to_string();
        Ok(self)
    }

    /// The card to track.
    pub fn card_id(&self) -> &str {
        &self.card_id
    }

    /// What to track.
    pub fn tracking_type(&self) -> TrackingType {
        self.tracking_type
    }

    /// The call to send. Identifiers are `[A-Za-z0-9_-]` only, so the path
    /// needs no escaping.
    pub fn build(&self) -> HttpRequest {
        let path = render_path(&self.path_template, &self.issuer_id, &self.card_id);
        let headers = headers(true, self.correlation_id.as_deref());
        let mut body = self.extra_fields.clone();
        body.insert(
            "trackingType".to_string(),
            Value::from(self.tracking_type.as_str()),
        );
        HttpRequest {
            method: "POST".to_string(),
            path,
            headers,
            body: canonical_string(&Value::Object(body)).into_bytes(),
        }
    }

    /// As [`TrackCardRequest::from_value`], from JSON bytes.
    ///
    /// # Errors
    /// `PARSING_ERROR` when the bytes are not JSON; otherwise as
    /// [`TrackCardRequest::from_value`].
    pub fn from_json(bytes: &[u8]) -> Result<TrackCardRequest, Error> {
        let value: Value = serde_json::from_slice(bytes).map_err(|e| Error::Parsing {
            message: format!("the request is not valid JSON: {e}"),
        })?;
        TrackCardRequest::from_value(&value)
    }

    /// Reads a request from the JSON object the npm package and the C library
    /// take: `{"issuerId", "cardId", "trackingType", "correlationId"?,
    /// "extraFields"?, "pathTemplate"?}`.
    ///
    /// ```
    /// use d1_tracking::TrackCardRequest;
    /// let value = serde_json::json!({"issuerId": "ISSUER0001", "cardId": "card-1",
    ///     "trackingType": "RETURN", "extraFields": {"reason": "lost"}});
    /// let call = TrackCardRequest::from_value(&value)?.build();
    /// assert_eq!(call.body, br#"{"reason":"lost","trackingType":"RETURN"}"#);
    /// # Ok::<(), d1_tracking::Error>(())
    /// ```
    ///
    /// # Errors
    /// As the builder methods, plus `FIELD_MISSING` for an absent required
    /// field, `FIELD_INVALID_VALUE` for an unknown tracking type or an
    /// unknown option, `FIELD_INVALID_FORMAT` for a field of the wrong type.
    pub fn from_value(value: &Value) -> Result<TrackCardRequest, Error> {
        let object = CallObject::read(
            value,
            "request",
            &[
                "issuerId",
                "cardId",
                "trackingType",
                "correlationId",
                "extraFields",
                "pathTemplate",
            ],
        )?;
        // Checked in this order, the first in error reported.
        let issuer_id = object.text("issuerId", true)?.unwrap_or_default();
        let card_id = object.text("cardId", true)?.unwrap_or_default();
        let tracking = object.text("trackingType", true)?.unwrap_or_default();
        let tracking_type = TrackingType::parse_field(tracking, "trackingType")?;
        let mut request = TrackCardRequest::new(issuer_id, card_id, tracking_type)?;
        if let Some(id) = object.text("correlationId", false)? {
            request = request.with_correlation_id(id)?;
        }
        match object.0.get("extraFields") {
            None | Some(Value::Null) => {}
            Some(Value::Object(fields)) => request = request.with_extra_fields(fields.clone())?,
            Some(other) => {
                return Err(invalid_format(
                    "extraFields",
                    format!("expected an object, found {}", type_name(other)),
                ))
            }
        }
        if let Some(template) = object.text("pathTemplate", false)? {
            request = request.with_path_template(template)?;
        }
        Ok(request)
    }
}

/// The path of a call: `template` with its placeholders filled in.
/// Identifiers are `[A-Za-z0-9_-]` only, so the path needs no escaping.
pub(crate) fn render_path(template: &str, issuer_id: &str, card_id: &str) -> String {
    template
        .replace("{issuerId}", issuer_id)
        .replace("{cardId}", card_id)
}

/// A call's headers: `content-type` when it has a body, `accept`, then
/// `x-correlation-id` when one was given.
pub(crate) fn headers(body: bool, correlation_id: Option<&str>) -> Vec<(String, String)> {
    let json = || "application/json".to_string();
    let mut headers = Vec::with_capacity(3);
    if body {
        headers.push(("content-type".to_string(), json()));
    }
    headers.push(("accept".to_string(), json()));
    if let Some(id) = correlation_id {
        headers.push(("x-correlation-id".to_string(), id.to_string()));
    }
    headers
}

/// The JSON object the bindings pass for a call (`what`: `request`,
/// `query`), with no member outside `known`.
pub(crate) struct CallObject<'v>(pub(crate) &'v Map<String, Value>);

impl<'v> CallObject<'v> {
    pub(crate) fn read(
        value: &'v Value,
        what: &str,
        known: &[&str],
    ) -> Result<CallObject<'v>, Error> {
        let Some(map) = value.as_object() else {
            return Err(Error::Parsing {
                message: format!("expected a {what} object, found {}", type_name(value)),
            });
        };
        if let Some(unknown) = map.keys().find(|k| !known.contains(&k.as_str())) {
            return Err(invalid_value(
                &field("", unknown),
                format!("unknown field; expected one of {}", known.join(", ")),
            ));
        }
        Ok(CallObject(map))
    }

    /// The string member `key`; `FIELD_MISSING` when `required` and absent
    /// (or `null`), `FIELD_INVALID_FORMAT` when not a string.
    pub(crate) fn text(&self, key: &str, required: bool) -> Result<Option<&'v str>, Error> {
        match self.0.get(key) {
            None | Some(Value::Null) if required => Err(missing(key, "a string")),
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(other) => Err(invalid_format(
                key,
                format!("expected a string, found {}", type_name(other)),
            )),
        }
    }
}
