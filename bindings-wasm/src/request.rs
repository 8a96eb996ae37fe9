//! `buildTrackCardRequest` and `buildStatusQuery`.

use d1_tracking::{StatusQuery, TrackCardRequest};
use wasm_bindgen::prelude::{wasm_bindgen, JsValue};

use crate::error::js_result;

/// Builds a Track Card call from the request object as JSON text (see
/// `TrackCardRequest::from_value`); returns the call as JSON text.
#[wasm_bindgen(js_name = buildTrackCardRequest)]
pub fn build_track_card_request(request_json: &str) -> Result<String, JsValue> {
    let request = js_result(TrackCardRequest::from_json(request_json.as_bytes()))?;
    Ok(serde_json::to_string(&request.build()).unwrap_or_default())
}

/// Builds the on-demand status query from the query object as JSON text
/// (see `StatusQuery::from_value`); returns the call as JSON text.
#[wasm_bindgen(js_name = buildStatusQuery)]
pub fn build_status_query(query_json: &str) -> Result<String, JsValue> {
    let query = js_result(StatusQuery::from_json(query_json.as_bytes()))?;
    Ok(serde_json::to_string(&query.build()).unwrap_or_default())
}
