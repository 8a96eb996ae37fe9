//! The native twin of bench/c/fold_bench.c: times folding a workload (JSON
//! Lines) with `Tracker::apply`, the same loop. `native_fold FILE ROUNDS`.

use std::time::Instant;

use d1_tracking::{Config, Tracker};

fn main() {
    let mut args = std::env::args().skip(1);
    let file = args.next().expect("usage: native_fold FILE ROUNDS");
    let rounds: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(5);
    let text = std::fs::read_to_string(&file).expect("readable workload");
    let bodies: Vec<&[u8]> = text.lines().map(str::as_bytes).collect();
    let mut times = Vec::new();
    for _ in 0..rounds {
        let mut t = Tracker::new(Config::default());
        let began = Instant::now();
        for b in &bodies {
            t.apply(b, 0).expect("accepted");
        }
        times.push(format!("{:.3}", began.elapsed().as_secs_f64() * 1e3));
        drop(t);
    }
    println!(
        "{{\"bench\":\"native\",\"bodies\":{},\"ms\":[{}]}}",
        bodies.len(),
        times.join(",")
    );
}
