//! `apply` against the parse floor, paired: for each workload the floor
//! (`serde_json` into typed structs, `bench/src/floor.rs`) and `apply` (into
//! a fresh tracker) run alternately, so that both see the same machine; the
//! medians of each side and of the per-pair ratio are written to
//! target/bench/results/apply-floor.jsonl.
//! `D1T_BENCH_QUICK=1` runs 3 pairs instead of 21.

use std::hint::black_box;
use std::time::{Duration, Instant};

use d1_tracking_bench::floor;
use d1_tracking_bench::workload::{bulk, singles, stream, KINDS};
use d1_tracking_bench::{
    alternate_pairs, median_ms, median_ratio, time_apply as apply, write_results,
};

fn parse_floor(bodies: &[Vec<u8>]) -> Duration {
    let began = Instant::now();
    for b in bodies {
        black_box(floor::parse(b));
    }
    began.elapsed()
}

fn main() {
    let quick = std::env::var_os("D1T_BENCH_QUICK").is_some();
    let pairs = if quick { 3 } else { 21 };
    let mut sets: Vec<(String, Vec<Vec<u8>>)> = KINDS
        .iter()
        .map(|k| (k.to_string(), singles(k, 1_000)))
        .collect();
    sets.push(("bulk100".to_string(), bulk(10)));
    sets.push(("stream1k".to_string(), stream(1_000, 7)));
    let mut lines = Vec::new();
    for (name, bodies) in &sets {
        parse_floor(bodies);
        apply(bodies);
        let (f, a) = alternate_pairs(pairs, || parse_floor(bodies), || apply(bodies));
        let ratio = median_ratio(&f, &a);
        let line = format!(
            "{{\"bench\":\"apply_floor\",\"workload\":\"{name}\",\"bodies\":{},\"pairs\":{pairs},\"floor_ms\":{:.3},\"apply_ms\":{:.3},\"ratio\":{ratio:.3}}}",
            bodies.len(),
            median_ms(f),
            median_ms(a)
        );
        lines.push(line);
    }
    write_results("apply-floor.jsonl", &lines);
}
