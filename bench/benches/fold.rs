//! Native benches (criterion): the duplicate path, merge, snapshot and
//! restore. `apply` against the parse floor (`benches/apply_floor.rs`) and the
//! C ABI against native Rust (`benches/c_abi.rs`) are paired benches instead:
//! criterion measures two functions minutes apart, and this machine drifts.
//! `D1T_BENCH_QUICK=1` runs each for a moment (the test command's smoke run).

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use d1_tracking::{Config, Tracker};
use d1_tracking_bench::workload::stream;

fn fold(bodies: &[Vec<u8>]) -> Tracker {
    let mut t = Tracker::new(Config::default());
    for b in bodies {
        t.apply(b, 0).expect("accepted");
    }
    t
}

fn duplicates(c: &mut Criterion) {
    let bodies = stream(1_000, 7);
    let tracker = fold(&bodies);
    let mut g = c.benchmark_group("duplicate/stream1k");
    g.throughput(Throughput::Elements(bodies.len() as u64));
    g.bench_function("apply_again", |b| {
        b.iter_batched_ref(
            || tracker.clone(),
            |t| {
                for x in &bodies {
                    black_box(t.apply(x, 0).expect("accepted"));
                }
            },
            BatchSize::LargeInput,
        )
    });
    g.finish();
}

fn merge_and_snapshots(c: &mut Criterion) {
    let all = stream(1_500, 7);
    let a = fold(&all[..all.len() * 2 / 3]);
    let b = fold(&all[all.len() / 3..]);
    let mut g = c.benchmark_group("merge/1k+1k");
    g.throughput(Throughput::Elements(b.len() as u64));
    g.bench_function("merge", |bench| {
        bench.iter_batched(
            || a.clone(),
            |mut m| {
                m.merge(&b).expect("within bounds");
                m
            },
            BatchSize::LargeInput,
        )
    });
    g.finish();

    let tracker = fold(&stream(1_000, 7));
    let snapshot = tracker.snapshot();
    // The snapshot's size, for BENCHMARKS.md's throughput (bench/report.mjs
    // reads only what the benches write).
    d1_tracking_bench::write_results(
        "snapshot-size.jsonl",
        &[format!(
            "{{\"bench\":\"snapshot_size\",\"cards\":1000,\"bytes\":{}}}",
            snapshot.len()
        )],
    );
    let mut g = c.benchmark_group("snapshot/1k");
    g.throughput(Throughput::Bytes(snapshot.len() as u64));
    g.bench_function("snapshot", |bench| {
        bench.iter(|| black_box(tracker.snapshot()))
    });
    g.bench_function("restore", |bench| {
        bench.iter_batched_ref(
            || Tracker::new(Config::default()),
            |t| t.restore(snapshot.as_bytes()).expect("valid"),
            BatchSize::LargeInput,
        )
    });
    g.finish();
}

fn config() -> Criterion {
    let c = Criterion::default();
    if std::env::var_os("D1T_BENCH_QUICK").is_some() {
        c.sample_size(10)
            .warm_up_time(Duration::from_millis(50))
            .measurement_time(Duration::from_millis(200))
            .without_plots()
    } else {
        c.sample_size(20)
            .measurement_time(Duration::from_secs(3))
            .without_plots()
    }
}

criterion_group! {
    name = benches;
    config = config();
    targets = duplicates, merge_and_snapshots
}
criterion_main!(benches);
