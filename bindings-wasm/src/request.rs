//! `buildTrackCardRequest`.

use d1_tracking::TrackCardRequest;
use wasm_bindgen::prelude::{wasm_bindgen, JsValue};

use crate::error::js_result;

/// Builds a Track Card call from the request object as JSON text (see
/// `TrackCardRequest::from_value`); returns the call as JSON text.
#[wasm_bindgen(js_name = buildTrackCardRequest)]
pub fn build_track_card_request(request_json: &str) -> Result<String, JsValue> {
    let request = js_result(TrackCardRequest::from_json(request_json.as_bytes()))?;
    Ok(serde_json::to_string(&request.build()).unwrap_or_default())
}
