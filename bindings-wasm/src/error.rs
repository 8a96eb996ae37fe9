//! Core errors as JavaScript `Error` objects with `code` and `path`.

use d1_tracking::Error;
use js_sys::Reflect;
use wasm_bindgen::JsValue;

/// A JavaScript `Error` named `D1TrackingError`, with `code` (the core's
/// stable code string), `path` (the JSON path, or `null`) and `number`.
pub(crate) fn to_js_error(error: &Error) -> JsValue {
    let js = js_sys::Error::new(&error.to_string());
    js.set_name("D1TrackingError");
    let path = error.path().map_or(JsValue::NULL, JsValue::from_str);
    // Setting a property on a fresh Error object cannot fail; if it somehow
    // did, the error still carries its message.
    let _ = Reflect::set(&js, &"code".into(), &error.code().as_str().into());
    let _ = Reflect::set(&js, &"path".into(), &path);
    let _ = Reflect::set(&js, &"number".into(), &error.code().number().into());
    js.into()
}

/// Converts a core result for JavaScript.
pub(crate) fn js_result<T>(result: Result<T, Error>) -> Result<T, JsValue> {
    result.map_err(|e| to_js_error(&e))
}
