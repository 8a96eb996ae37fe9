//! wasm-bindgen bindings of `d1_tracking`, the raw layer of the npm package
//! `d1-tracking`. Values cross as JSON text (views, reports, snapshots) or
//! bytes (bodies); errors cross as JavaScript `Error` objects with `code` and
//! `path`. The JavaScript wrapper in `js/` turns this into the package's API.
#![warn(missing_docs)]

mod error;
mod memory;
mod request;
mod time;
mod tracker;
#[cfg(test)]
mod words;

pub use memory::wasm_memory_bytes;
pub use request::{build_status_query, build_track_card_request};
pub use tracker::WasmTracker;
