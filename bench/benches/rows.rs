//! Folding against per-card rows (the host path; its cost is in
//! docs/decisions.md, "The host path") against `apply` on a tracker that
//! keeps every card, paired as `apply_floor` pairs: for the realistic
//! stream, side A folds every body into one tracker; side B does what a host
//! with a database does per body — the cards it touches, their rows from a
//! table (a `HashMap` standing in for the database), the fold against them,
//! the new rows written back (`fold_through_rows`, the step the
//! instruction-count guard counts too). Medians and the median of the
//! per-pair ratio go to target/bench/results/rows.jsonl.
//! `D1T_BENCH_QUICK=1` runs 3 pairs instead of 11.

use std::hint::black_box;
use std::time::{Duration, Instant};

use d1_tracking::{Config, Tracker};
use d1_tracking_bench::workload::stream;
use d1_tracking_bench::{
    alternate_pairs, fold_through_rows, median_ms, median_ratio, time_apply as warm, write_results,
    RowTable,
};

fn through_rows(bodies: &[Vec<u8>]) -> Duration {
    let host = Tracker::new(Config::default());
    let mut table = RowTable::default();
    let began = Instant::now();
    for b in bodies {
        black_box(fold_through_rows(&host, &mut table, b));
    }
    let spent = began.elapsed();
    drop(table);
    spent
}

fn main() {
    let quick = std::env::var_os("D1T_BENCH_QUICK").is_some();
    let pairs = if quick { 3 } else { 11 };
    let bodies = stream(1_000, 7);
    warm(&bodies);
    through_rows(&bodies);
    let (a, r) = alternate_pairs(pairs, || warm(&bodies), || through_rows(&bodies));
    let ratio = median_ratio(&a, &r);
    let line = format!(
        "{{\"bench\":\"rows\",\"workload\":\"stream1k\",\"bodies\":{},\"pairs\":{pairs},\"apply_ms\":{:.3},\"rows_ms\":{:.3},\"ratio\":{ratio:.3}}}",
        bodies.len(),
        median_ms(a),
        median_ms(r)
    );
    write_results("rows.jsonl", &[line]);
}
