//! Times arrive from JavaScript as numbers; the core takes whole ms.

use d1_tracking::Error;

/// The largest integer a JavaScript number holds exactly.
const MAX_SAFE_INTEGER: f64 = 9_007_199_254_740_991.0;

/// Reads a time in ms since the Unix epoch: a whole, non-negative, safe
/// integer, else `FIELD_INVALID_FORMAT` at `name`.
pub(crate) fn millis(value: f64, name: &str) -> Result<u64, Error> {
    if (0.0..=MAX_SAFE_INTEGER).contains(&value) && value.fract() == 0.0 {
        // In range and whole: the conversion is exact.
        Ok(value as u64)
    } else {
        Err(Error::FieldInvalidFormat {
            path: name.to_string(),
            message: format!(
                "expected a whole number of ms since the Unix epoch (0 to 2^53 - 1), found {value}"
            ),
        })
    }
}
