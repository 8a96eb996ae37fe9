//! Memory per typical card (a counting allocator) and throughput at 1 k
//! against 1 M cards. Prints one JSON object per line, and writes them to
//! target/bench/results/native-memory.jsonl. `D1T_BENCH_QUICK=1` uses 10 k
//! cards instead of 1 M.

use std::alloc::{GlobalAlloc, Layout, System};
use std::io::Write;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use d1_tracking::{Config, Tracker};
use d1_tracking_bench::workload::{body, typical_card};

struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);

// SAFETY (of the impl): every call forwards to the system allocator with the
// same layout; the counter only observes sizes.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size(), Ordering::Relaxed);
        // SAFETY: forwarded unchanged.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        // SAFETY: forwarded unchanged.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        LIVE.fetch_add(new_size, Ordering::Relaxed);
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        // SAFETY: forwarded unchanged.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Folds `cards` typical cards (6 notifications each, one body each), bodies
/// made in chunks outside the timed part. Returns the tracker and the time.
fn fold_cards(cards: usize) -> (Tracker, Duration) {
    let mut t = Tracker::new(Config::default());
    let mut spent = Duration::ZERO;
    for start in (0..cards).step_by(10_000) {
        let bodies: Vec<Vec<u8>> = (start..(start + 10_000).min(cards))
            .flat_map(typical_card)
            .map(|o| body(vec![o]))
            .collect();
        let began = Instant::now();
        for b in &bodies {
            t.apply(b, 0).expect("accepted");
        }
        spent += began.elapsed();
    }
    (t, spent)
}

fn main() {
    // `cargo bench` passes --bench; nothing else to read.
    let quick = std::env::var_os("D1T_BENCH_QUICK").is_some();
    let mut lines = Vec::new();

    let before = LIVE.load(Ordering::Relaxed);
    let (tracker, _) = fold_cards(10_000);
    let per_card = (LIVE.load(Ordering::Relaxed) - before) as f64 / 10_000.0;
    lines.push(format!(
        "{{\"bench\":\"memory_per_typical_card\",\"bytes\":{per_card:.0},\"cards\":10000}}"
    ));
    drop(tracker);

    let small = 1_000;
    let large = if quick { 10_000 } else { 1_000_000 };
    let rate = |cards: usize| {
        let (t, spent) = fold_cards(cards);
        let per_s = (cards * 6) as f64 / spent.as_secs_f64();
        drop(t);
        per_s
    };
    // Best of three for the small state (it is quick), one pass for the large.
    let small_rate = (0..3).map(|_| rate(small)).fold(0.0, f64::max);
    let large_rate = rate(large);
    lines.push(format!(
        "{{\"bench\":\"throughput_by_cards\",\"small_cards\":{small},\"small_per_s\":{small_rate:.0},\"large_cards\":{large},\"large_per_s\":{large_rate:.0},\"ratio\":{:.3}}}",
        large_rate / small_rate
    ));

    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/bench/results");
    std::fs::create_dir_all(&dir).expect("results dir");
    let mut f = std::fs::File::create(dir.join("native-memory.jsonl")).expect("results file");
    for line in &lines {
        println!("{line}");
        writeln!(f, "{line}").expect("written");
    }
}
