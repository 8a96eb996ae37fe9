//! The benchmarks' workloads, generated deterministically (the same bytes for
//! the Rust, Node and C benches: `cargo run -p d1-tracking-bench --bin
//! workloads` writes them to files), and the parse floor.

pub mod floor;
pub mod workload;
