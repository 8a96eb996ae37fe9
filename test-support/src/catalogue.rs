//! The bad-input catalogue (`tests/bad-input/catalogue.json`, shared with
//! the Node and C suites), read and expanded.

use std::path::PathBuf;

use serde_json::Value;

/// The catalogue as JSON (`description`, `setup`, `cases`).
pub fn catalogue() -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/bad-input/catalogue.json");
    serde_json::from_str(&std::fs::read_to_string(path).expect("readable")).expect("JSON")
}

/// A case's input bytes: `hex`, or `text` with every `expand` marker
/// replaced by its `repeat` written `times` times.
pub fn input(case: &Value) -> Vec<u8> {
    if let Some(hex) = case.get("hex").and_then(Value::as_str) {
        return (0..hex.len() / 2)
            .map(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).expect("hex"))
            .collect();
    }
    let mut text = case["text"].as_str().expect("text or hex").to_string();
    if let Some(Value::Object(expand)) = case.get("expand") {
        for (marker, how) in expand {
            let piece = how["repeat"].as_str().expect("repeat");
            let times = how["times"].as_u64().expect("times") as usize;
            text = text.replace(marker, &piece.repeat(times));
        }
    }
    text.into_bytes()
}
