//! Memory per typical card (a counting allocator); the memory needed to
//! read a body or a snapshot (the peak beyond the state it leaves and the
//! report it returns), per byte of it, for shapes a hostile sender may
//! choose; and throughput at 1 k against 1 M cards (the same
//! number of notifications each, interleaved: 1 k cards folded a thousand
//! times into fresh trackers, 1 M cards once). Prints one JSON object per
//! line, and writes them to
//! target/bench/results/native-memory.jsonl. `D1T_BENCH_QUICK=1` uses 10 k
//! cards instead of 1 M.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use d1_tracking::{Config, Tracker};
use d1_tracking_bench::workload::{body, typical_card};

struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

fn grew(by: usize) {
    let now = LIVE.fetch_add(by, Ordering::Relaxed) + by;
    PEAK.fetch_max(now, Ordering::Relaxed);
}

// SAFETY (of the impl): every call forwards to the system allocator with the
// same layout; the counter only observes sizes.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        grew(layout.size());
        // SAFETY: forwarded unchanged.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        // SAFETY: forwarded unchanged.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        grew(new_size);
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        // SAFETY: forwarded unchanged.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Cards whose bodies are made at once (outside the timed part).
const CHUNK: usize = 1_000;

/// The bodies of typical cards `start..end` (6 notifications each, one body
/// each).
fn bodies(start: usize, end: usize) -> Vec<Vec<u8>> {
    (start..end)
        .flat_map(typical_card)
        .map(|o| body(vec![o]))
        .collect()
}

fn apply_all(t: &mut Tracker, bodies: &[Vec<u8>]) -> Duration {
    let began = Instant::now();
    for b in bodies {
        t.apply(b, 0).expect("accepted");
    }
    began.elapsed()
}

/// The heap `f` needs while it runs beyond what it leaves behind (the state
/// it built and the result it returns), in bytes: what reading costs.
fn transient_peak_of<T>(f: impl FnOnce() -> T) -> usize {
    let before = LIVE.load(Ordering::Relaxed);
    PEAK.store(before, Ordering::Relaxed);
    let result = f();
    let after = LIVE.load(Ordering::Relaxed);
    drop(result);
    PEAK.load(Ordering::Relaxed)
        .saturating_sub(after.max(before))
}

/// An operation within every default bound (strings, depth, 16 KiB in
/// canonical form) whose unknown member `filler` is `items` copies of
/// `item`.
fn padded_operation(i: usize, item: &str, items: usize) -> String {
    let filler = vec![item; items].join(",");
    format!(
        r#"{{"operationId":"op-{i}","operation":"STANDALONE_TRACKING","status":"PENDING","startTime":"2026-03-02T09:00:00Z","cardId":"card-{i}","details":{{"trackingType":"SHIPMENT"}},"filler":[{filler}]}}"#
    )
}

/// Bodies of about 1 MiB (the default `maxBodyBytes`), every operation
/// within every bound, by shape; then realistic bodies.
fn read_shapes() -> Vec<(&'static str, Vec<u8>)> {
    let fill = |item: &str, per_op: usize| {
        let mut ops = Vec::new();
        let mut len = 20;
        let mut i = 0;
        while len < 1_000_000 {
            let op = padded_operation(i, item, per_op);
            len += op.len() + 1;
            ops.push(op);
            i += 1;
        }
        format!(r#"{{"operations":[{}]}}"#, ops.join(",")).into_bytes()
    };
    let one = |item: &str, items: usize| {
        format!(r#"{{"operations":[{}]}}"#, padded_operation(0, item, items)).into_bytes()
    };
    vec![
        ("empty_objects", fill("{}", 5_000)),
        ("zeros", fill("0", 7_500)),
        ("empty_arrays", fill("[]", 5_000)),
        ("short_strings", fill(r#""""#, 5_000)),
        // One operation within the bounds, alone in its body.
        ("one_operation_of_zeros", one("0", 7_500)),
        // One operation of 1 MiB (refused: over maxOperationBytes).
        ("one_oversized_operation", one("0", 500_000)),
        (
            "typical_bulk",
            d1_tracking_bench::workload::bulk(1).concat(),
        ),
    ]
}

fn read_memory(lines: &mut Vec<String>) {
    let mut worst: f64 = 0.0;
    for (shape, body) in read_shapes() {
        let config = Config::default();
        let mut tracker = Tracker::new(config.clone());
        let peak = transient_peak_of(|| {
            if shape == "one_oversized_operation" {
                let report = tracker.apply(&body, 0).expect("the body is read");
                assert_eq!(report.count(d1_tracking::Outcome::Rejected), 1);
                report
            } else {
                d1_tracking_test_support::apply_accepted(&mut tracker, &body)
            }
        });
        let snapshot = tracker.snapshot();
        drop(tracker);
        let mut restored = Tracker::new(config);
        let restore_peak =
            transient_peak_of(|| restored.restore(snapshot.as_bytes()).expect("valid"));
        drop(restored);
        let (body_ratio, snapshot_ratio) = (
            peak as f64 / body.len() as f64,
            restore_peak as f64 / snapshot.len().max(1) as f64,
        );
        worst = worst.max(body_ratio);
        // A snapshot of no card (the refused operation left none) is a few
        // bytes: its ratio says nothing.
        if snapshot.len() > 1_000 {
            worst = worst.max(snapshot_ratio);
        }
        lines.push(format!(
            "{{\"bench\":\"read_memory\",\"shape\":\"{shape}\",\"body_bytes\":{},\"apply_peak_bytes\":{peak},\"apply_ratio\":{body_ratio:.2},\"snapshot_bytes\":{},\"restore_peak_bytes\":{restore_peak},\"restore_ratio\":{snapshot_ratio:.2}}}",
            body.len(),
            snapshot.len()
        ));
    }
    // One card holding 16 operations of 32 notifications of about 15 KiB
    // each (empty objects): a snapshot of one large card.
    let notification = |op: usize, n: usize| {
        format!(
            r#"{{"cardId":"card-big","details":{{"trackingType":"SHIPMENT"}},"endTime":"2026-03-02T10:{:02}:{:02}Z","filler":[{}],"operation":"STANDALONE_TRACKING","operationId":"op-{op}","startTime":"2026-03-02T09:00:00Z","status":"PENDING"}}"#,
            n / 60,
            n % 60,
            vec!["{}"; 5_000].join(",")
        )
    };
    let all: Vec<String> = (0..16)
        .flat_map(|op| (0..32).map(move |n| (op, n)))
        .map(|(op, n)| notification(op, n))
        .collect();
    let snapshot = format!(
        r#"{{"cards":[{{"cardId":"card-big","notifications":[{}]}}],"format":"d1-tracking/1"}}"#,
        all.join(",")
    );
    let mut restored = Tracker::new(Config::default());
    let peak = transient_peak_of(|| restored.restore(snapshot.as_bytes()).expect("valid"));
    let ratio = peak as f64 / snapshot.len() as f64;
    worst = worst.max(ratio);
    lines.push(format!(
        "{{\"bench\":\"read_memory\",\"shape\":\"one_large_card\",\"body_bytes\":0,\"apply_peak_bytes\":0,\"apply_ratio\":0,\"snapshot_bytes\":{},\"restore_peak_bytes\":{peak},\"restore_ratio\":{ratio:.2}}}",
        snapshot.len()
    ));
    lines.push(format!(
        "{{\"bench\":\"read_memory_worst\",\"ratio\":{worst:.2}}}"
    ));
}

fn main() {
    // `cargo bench` passes --bench; nothing else to read.
    let quick = std::env::var_os("D1T_BENCH_QUICK").is_some();
    let mut lines = Vec::new();
    read_memory(&mut lines);

    let before = LIVE.load(Ordering::Relaxed);
    let mut tracker = Tracker::new(Config::default());
    for start in (0..10_000).step_by(CHUNK) {
        apply_all(&mut tracker, &bodies(start, start + CHUNK));
    }
    let per_card = (LIVE.load(Ordering::Relaxed) - before) as f64 / 10_000.0;
    lines.push(format!(
        "{{\"bench\":\"memory_per_typical_card\",\"bytes\":{per_card:.0},\"cards\":10000}}"
    ));
    drop(tracker);

    // Throughput with a small and a large state, on the same work,
    // interleaved so that both see the same machine: the large tracker grows
    // by 1,000 cards at a time, and after each step 1,000 cards are folded
    // into a fresh small tracker. Bodies are made 1,000 cards at a time
    // outside the timed part, so the input is as warm for both.
    let small = CHUNK;
    let large = if quick { 10_000 } else { 1_000_000 };
    let small_bodies = bodies(0, small);
    let mut big = Tracker::new(Config::default());
    let (mut small_time, mut large_time) = (Duration::ZERO, Duration::ZERO);
    for start in (0..large).step_by(CHUNK) {
        large_time += apply_all(&mut big, &bodies(start, start + CHUNK));
        let mut fresh = Tracker::new(Config::default());
        small_time += apply_all(&mut fresh, &small_bodies);
    }
    drop(big);
    let notifications = (large * 6) as f64;
    let small_rate = notifications / small_time.as_secs_f64();
    let large_rate = notifications / large_time.as_secs_f64();
    lines.push(format!(
        "{{\"bench\":\"throughput_by_cards\",\"small_cards\":{small},\"small_per_s\":{small_rate:.0},\"large_cards\":{large},\"large_per_s\":{large_rate:.0},\"ratio\":{:.3}}}",
        large_rate / small_rate
    ));

    d1_tracking_bench::write_results("native-memory.jsonl", &lines);
}
