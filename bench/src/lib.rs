//! The benchmarks' workloads, generated deterministically (the same bytes for
//! the Rust, Node and C benches: `cargo run -p d1-tracking-bench --bin
//! workloads` writes them to files), and the parse floor.

pub mod floor;
pub mod workload;

/// The median of some durations, in milliseconds (0 when there are none).
pub fn median_ms(mut xs: Vec<std::time::Duration>) -> f64 {
    xs.sort();
    xs.get(xs.len() / 2).map_or(0.0, |d| d.as_secs_f64() * 1e3)
}
