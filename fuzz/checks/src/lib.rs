//! What each fuzz target checks. The cargo-fuzz targets in `fuzz/` call these
//! with libFuzzer's inputs; `tests/replay.rs` calls them with every crash input
//! kept under `tests/fuzz-crashes/`, so a fixed crash stays fixed.
//!
//! A check returns normally when the invariants hold and panics (which
//! libFuzzer reports as a crash) when one is broken.

mod apply_body;
mod c_abi;
mod fold_sequence;
mod restore_snapshot;

pub use apply_body::apply_body;
pub use c_abi::c_abi;
pub use fold_sequence::fold_sequence;
pub use restore_snapshot::restore_snapshot;

/// The bundled sample log: realistic state to fold hostile input into.
pub(crate) const SAMPLE_LOG: &str = include_str!("../../../core/examples/data/sample-log.jsonl");
