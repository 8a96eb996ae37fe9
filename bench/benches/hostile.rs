//! What a hostile or broken sender can cost, measured against an ordinary
//! fold of the same bytes. Paired (alternating, median of per-pair ratios)
//! like `apply_floor`:
//!
//! - `tie_case`: 20 bodies of 100 operations folded into one operation that
//!   already keeps 40 notifications of ~14 KiB which tie on every rank (same
//!   status, `endTime`, shipment and business status; they differ in their
//!   last bytes), against the same notifications folded each into a fresh
//!   operation. Every comparison of the fold's order then reaches the
//!   canonical-text tie-break.
//!
//! Writes target/bench/results/hostile.jsonl. `D1T_BENCH_QUICK=1` runs 3
//! pairs instead of 11.

use std::hint::black_box;
use std::time::{Duration, Instant};

use d1_tracking::{Config, Tracker};
use d1_tracking_bench::{alternate_pairs, median_ms, median_ratio, write_results};
use d1_tracking_test_support::apply_accepted;

/// The size of each notification's unknown member.
const NOTE_BYTES: usize = 14 * 1024;
/// Notifications the operation keeps before the timed bodies.
const KEPT: usize = 40;

/// One notification of operation `op` on `card`, tying with every other
/// on the fold's ranks; `n` is written at the end of its long member.
fn notification(card: &str, op: &str, n: usize) -> String {
    // Within `maxStringBytes` (2,048): seven members of 2 KiB, the last
    // one ending with `n`.
    let part = "x".repeat(NOTE_BYTES / 7);
    let mut notes: Vec<String> = (0..6).map(|i| format!(r#""note{i}":"{part}""#)).collect();
    notes.push(format!(r#""note6":"{}{n:08}""#, &part[8..]));
    format!(
        r#"{{"operationId":"{op}","operation":"STANDALONE_TRACKING","status":"SUCCESSFUL","startTime":"2026-03-02T09:00:00.000Z","endTime":"2026-03-04T09:00:00.000Z","cardId":"{card}","details":{{"trackingType":"SHIPMENT",{}}}}}"#,
        notes.join(",")
    )
}

fn body(ops: &[String]) -> Vec<u8> {
    format!(r#"{{"operations":[{}]}}"#, ops.join(",")).into_bytes()
}

fn config() -> Config {
    Config::default()
        .with_max_body_bytes(4 << 20)
        .with_max_notifications_per_operation(KEPT)
}

/// Bodies for the tie case (all into `card-t`/`op-t`, after the kept ones)
/// and for the fresh case (the same notifications, each its own card).
fn workloads(bodies: usize, per_body: usize) -> (Vec<u8>, Vec<Vec<u8>>, Vec<Vec<u8>>) {
    let prefill: Vec<String> = (0..KEPT)
        .map(|n| notification("card-t", "op-t", n))
        .collect();
    let mut tie = Vec::new();
    let mut fresh = Vec::new();
    for b in 0..bodies {
        let numbers = (0..per_body).map(|i| KEPT + b * per_body + i);
        let into_one: Vec<String> = numbers
            .clone()
            .map(|n| notification("card-t", "op-t", n))
            .collect();
        let each_fresh: Vec<String> = numbers
            .map(|n| notification(&format!("card-{n}"), "op-t", n))
            .collect();
        tie.push(body(&into_one));
        fresh.push(body(&each_fresh));
    }
    (body(&prefill), tie, fresh)
}

fn fold(prefill: Option<&[u8]>, bodies: &[Vec<u8>]) -> Duration {
    let mut t = Tracker::new(config());
    if let Some(p) = prefill {
        apply_accepted(&mut t, p);
    }
    let began = Instant::now();
    for b in bodies {
        let report = black_box(t.apply(b, 0).expect("accepted"));
        assert_eq!(report.count(d1_tracking::Outcome::Rejected), 0);
    }
    let spent = began.elapsed();
    drop(t);
    spent
}

fn main() {
    let quick = std::env::var_os("D1T_BENCH_QUICK").is_some();
    let pairs = if quick { 3 } else { 11 };
    let (prefill, tie, fresh) = workloads(20, 100);
    fold(Some(&prefill), &tie);
    fold(None, &fresh);
    let (f, t) = alternate_pairs(pairs, || fold(None, &fresh), || fold(Some(&prefill), &tie));
    let ratio = median_ratio(&f, &t);
    let line = format!(
        "{{\"bench\":\"tie_case\",\"notifications\":{},\"note_bytes\":{NOTE_BYTES},\"kept\":{KEPT},\"pairs\":{pairs},\"fresh_ms\":{:.3},\"tie_ms\":{:.3},\"ratio\":{ratio:.3}}}",
        20 * 100,
        median_ms(f),
        median_ms(t)
    );
    write_results("hostile.jsonl", &[line]);
}
