//! The C ABI against native Rust, paired: the stream is folded through
//! `Tracker::apply` and through the exported `d1t_tracker_apply` (called from
//! Rust, report not requested) alternately, so that both see the same
//! machine; the medians of each side and of the per-pair ratio are written to
//! target/bench/results/c-abi.jsonl. `D1T_BENCH_QUICK=1` runs 3 pairs instead
//! of 101.

use std::hint::black_box;
use std::ptr::null_mut;
use std::time::{Duration, Instant};

use d1_tracking::{Config, Tracker};
use d1_tracking_bench::workload::stream;
use d1_tracking_bench::{alternate_pairs, median_ms, median_ratio, write_results};

fn native(bodies: &[Vec<u8>]) -> Duration {
    let began = Instant::now();
    let mut t = Tracker::new(Config::default());
    for b in bodies {
        black_box(t.apply(b, 0).expect("accepted"));
    }
    drop(t);
    began.elapsed()
}

fn through_c_abi(bodies: &[Vec<u8>]) -> Duration {
    let began = Instant::now();
    let mut t = null_mut();
    assert_eq!(
        c_abi::d1t_tracker_new(std::ptr::null(), 0, &mut t),
        c_abi::D1T_OK
    );
    for b in bodies {
        let result = c_abi::d1t_tracker_apply(t, b.as_ptr(), b.len(), 0, null_mut());
        assert_eq!(black_box(result), c_abi::D1T_OK);
    }
    c_abi::d1t_tracker_free(t);
    began.elapsed()
}

fn main() {
    let quick = std::env::var_os("D1T_BENCH_QUICK").is_some();
    let pairs = if quick { 3 } else { 101 };
    let bodies = stream(1_000, 7);
    // Warm both paths once.
    native(&bodies);
    through_c_abi(&bodies);
    let (n, c) = alternate_pairs(pairs, || native(&bodies), || through_c_abi(&bodies));
    let ratio = median_ratio(&n, &c);
    let line = format!(
        "{{\"bench\":\"c_abi\",\"bodies\":{},\"pairs\":{pairs},\"native_ms\":{:.3},\"c_abi_ms\":{:.3},\"ratio\":{ratio:.4}}}",
        bodies.len(),
        median_ms(n),
        median_ms(c)
    );
    write_results("c-abi.jsonl", &[line]);
}
