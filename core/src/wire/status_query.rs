//! The on-demand status query (issuer → D1), built like Track Card, so
//! that the reconciliation loop needs no hand-written URL.

use serde_json::Value;

use super::identifier::{CARD_ID, CORRELATION_ID, ISSUER_ID};
use super::request::{check_path_template, headers, render_path, CallObject, HttpRequest};
use crate::error::Error;

/// A validated status query: what D1 knows of one card, answered with the
/// same `{"operations": [...]}` envelope as its notifications, so the host
/// folds the answer with [`Tracker::apply`](crate::Tracker::apply).
///
/// ```
/// use d1_tracking::StatusQuery;
/// let call = StatusQuery::new("ISSUER0001", "card-0001")?.build();
/// assert_eq!(call.method, "GET");
/// assert_eq!(call.path, "/issuers/ISSUER0001/physicalCards/card-0001/productionStatus");
/// assert!(call.body.is_empty());
/// # Ok::<(), d1_tracking::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusQuery {
    issuer_id: String,
    card_id: String,
    correlation_id: Option<String>,
    path_template: String,
}

impl StatusQuery {
    /// The default path, relative to the base URL.
    ///
    /// **An assumption to check against your D1 onboarding documents.** It
    /// is the path of D1's "Get card order status"
    /// (`GET …/physicalCards/{cardId}/productionStatus`); that it answers
    /// for tracking-hub cards, and in which operation kind (it may answer
    /// `PRODUCE` operations), D1's documents do not say. Pass your own
    /// template to [`StatusQuery::with_path_template`] if D1 gave you another.
    pub const DEFAULT_PATH_TEMPLATE: &'static str =
        "/issuers/{issuerId}/physicalCards/{cardId}/productionStatus";

    /// A query for `card_id` of `issuer_id`.
    ///
    /// # Errors
    /// `FIELD_INVALID_FORMAT` at `issuerId` unless it is exactly 10
    /// characters of `[A-Za-z0-9_-]`; at `cardId` unless it matches
    /// `^[A-Za-z0-9_-]{1,48}$`.
    pub fn new(issuer_id: &str, card_id: &str) -> Result<StatusQuery, Error> {
        ISSUER_ID.check(issuer_id, "issuerId")?;
        CARD_ID.check(card_id, "cardId")?;
        Ok(StatusQuery {
            issuer_id: issuer_id.to_string(),
            card_id: card_id.to_string(),
            correlation_id: None,
            path_template: Self::DEFAULT_PATH_TEMPLATE.to_string(),
        })
    }

    /// Adds the optional `x-correlation-id` header.
    ///
    /// # Errors
    /// `FIELD_INVALID_FORMAT` at `correlationId` unless it matches
    /// `^[A-Za-z0-9_-]{1,64}$`.
    pub fn with_correlation_id(mut self, id: &str) -> Result<StatusQuery, Error> {
        CORRELATION_ID.check(id, "correlationId")?;
        self.correlation_id = Some(id.to_string());
        Ok(self)
    }

    /// Uses another path template (as
    /// [`TrackCardRequest::with_path_template`](crate::TrackCardRequest::with_path_template)).
    ///
    /// # Errors
    /// `FIELD_INVALID_VALUE` at `pathTemplate` unless it starts with `/` and
    /// holds `{issuerId}` and `{cardId}` and no other placeholder.
    pub fn with_path_template(mut self, template: &str) -> Result<StatusQuery, Error> {
        check_path_template(template)?;
        self.path_template = template.to_string();
        Ok(self)
    }

    /// The card asked about.
    pub fn card_id(&self) -> &str {
        &self.card_id
    }

    /// The call to send: `GET`, no body; the host adds `Authorization`.
    pub fn build(&self) -> HttpRequest {
        HttpRequest {
            method: "GET".to_string(),
            path: render_path(&self.path_template, &self.issuer_id, &self.card_id),
            headers: headers(false, self.correlation_id.as_deref()),
            body: Vec::new(),
        }
    }

    /// As [`StatusQuery::from_value`], from JSON bytes.
    ///
    /// # Errors
    /// `PARSING_ERROR` when the bytes are not JSON; otherwise as
    /// [`StatusQuery::from_value`].
    pub fn from_json(bytes: &[u8]) -> Result<StatusQuery, Error> {
        let value: Value = serde_json::from_slice(bytes).map_err(|e| Error::Parsing {
            message: format!("the query is not valid JSON: {e}"),
        })?;
        StatusQuery::from_value(&value)
    }

    /// Reads a query from the JSON object the npm package and the C library
    /// take: `{"issuerId", "cardId", "correlationId"?, "pathTemplate"?}`.
    ///
    /// # Errors
    /// As the builder methods, plus `FIELD_MISSING` for an absent required
    /// field, `FIELD_INVALID_VALUE` for an unknown option,
    /// `FIELD_INVALID_FORMAT` for a field of the wrong type.
    pub fn from_value(value: &Value) -> Result<StatusQuery, Error> {
        let object = CallObject::read(
            value,
            "query",
            &["issuerId", "cardId", "correlationId", "pathTemplate"],
        )?;
        let mut query = StatusQuery::new(
            object.text("issuerId", true)?.unwrap_or_default(),
            object.text("cardId", true)?.unwrap_or_default(),
        )?;
        if let Some(id) = object.text("correlationId", false)? {
            query = query.with_correlation_id(id)?;
        }
        if let Some(template) = object.text("pathTemplate", false)? {
            query = query.with_path_template(template)?;
        }
        Ok(query)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_the_query_and_refuses_what_the_request_refuses() {
        let call = StatusQuery::new("ISSUER0001", "card-1")
            .and_then(|q| q.with_correlation_id("c-1"))
            .and_then(|q| q.with_path_template("/v9/{issuerId}/cards/{cardId}/status"))
            .expect("valid")
            .build();
        assert_eq!(call.path, "/v9/ISSUER0001/cards/card-1/status");
        assert_eq!(
            call.headers,
            [
                ("accept".to_string(), "application/json".to_string()),
                ("x-correlation-id".to_string(), "c-1".to_string())
            ]
        );
        let err = StatusQuery::new("SHORT", "card-1").unwrap_err();
        assert_eq!(err.path(), Some("issuerId"));
        let err = StatusQuery::from_json(br#"{"issuerId":"ISSUER0001"}"#).unwrap_err();
        assert_eq!(
            (err.code().as_str(), err.path()),
            ("FIELD_MISSING", Some("cardId"))
        );
        let err =
            StatusQuery::from_json(br#"{"issuerId":"ISSUER0001","cardId":"c","x":1}"#).unwrap_err();
        assert_eq!(err.path(), Some("x"));
        let err = StatusQuery::new("ISSUER0001", "c")
            .and_then(|q| q.with_path_template("/{cardId}"))
            .unwrap_err();
        assert_eq!(err.path(), Some("pathTemplate"));
    }
}
