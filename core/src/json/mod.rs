//! JSON machinery, with no knowledge of D1: reading bytes into a borrowed
//! tree ([`Node`]), writing the canonical form, JSON paths for errors, and
//! the bounds on strings and nesting.
//!
//! The lowest layer of the core: it uses nothing above it (see
//! `docs/architecture.md`).

mod bounds;
mod canonical;
mod node;
mod path;
mod reader;
mod spans;
mod stream;
mod stream_event;
mod stream_serde;

pub(crate) use bounds::check_bounds;
pub use canonical::canonical_string;
pub(crate) use canonical::write_canonical;
pub(crate) use canonical::{
    node_type_name, plain_len, quoted, type_name, write_number, write_string,
};
pub(crate) use node::Node;
pub(crate) use path::{field, index, Path};
pub(crate) use spans::element_spans;
pub(crate) use stream::stream_member;
pub(crate) use stream_event::{Element, Member, Outline};

/// The fuzz targets' checks of the direct reader against `serde_json`.
#[cfg(any(test, feature = "test-util"))]
pub(crate) fn agrees_with_serde_json(bytes: &[u8]) -> bool {
    // With a small budget too, so that the budget's edge is fuzzed.
    reader::agrees_with_serde_json(bytes)
        && stream::agrees_with_serde_json(bytes, &["operations"], usize::MAX)
        && stream::agrees_with_serde_json(bytes, &["operations"], 5)
        && stream::agrees_with_serde_json(bytes, &["cards", "notifications"], 5)
}
