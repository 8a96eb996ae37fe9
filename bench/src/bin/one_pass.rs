//! One pass over a workload (JSON Lines), for instruction counts under
//! `valgrind --tool=callgrind` (repeatable where timing is not):
//! `one_pass floor|apply|rows|read FILE`.
//!
//! Every mode reads the file and splits its lines first; `read` does only
//! that, so a mode's own count is its total less `read`'s (what
//! the instruction-count guard, `bench/guard/check.sh`, computes per
//! notification for `apply` and `rows`).
//! `rows` is the host's row path, as `bench/benches/rows.rs` drives it:
//! for each body, the rows of its cards from a table, the fold against them,
//! the new rows written back.
//!
//! With the `deliberately-slower` feature (the guard's self-test only),
//! every tenth body is folded twice: `apply` also folds it into a second,
//! shadow tracker, `rows` folds it against its rows once more without
//! writing them back. About 10 % more work per notification, which the guard
//! must refuse.

use std::hint::black_box;

use d1_tracking::{Config, Tracker};
use d1_tracking_bench::{floor, fold_against_rows, fold_through_rows, RowTable};

const USAGE: &str = "usage: one_pass floor|apply|rows|read FILE";

/// Whether body `i` is folded a second time (never without the feature).
fn extra(i: usize) -> bool {
    cfg!(feature = "deliberately-slower") && i % 10 == 0
}

fn main() {
    let mut args = std::env::args().skip(1);
    let mode = args.next().unwrap_or_default();
    let file = args.next().expect(USAGE);
    let text = std::fs::read_to_string(&file).expect("readable workload");
    let bodies: Vec<&[u8]> = text.lines().map(str::as_bytes).collect();
    match mode.as_str() {
        "floor" => bodies.iter().for_each(|b| {
            black_box(floor::parse(b));
        }),
        "apply" => {
            let mut t = Tracker::new(Config::default());
            let mut shadow = Tracker::new(Config::default());
            for (i, b) in bodies.iter().enumerate() {
                black_box(t.apply(b, 0).expect("accepted"));
                if extra(i) {
                    black_box(shadow.apply(b, 0).expect("accepted"));
                }
            }
        }
        "rows" => {
            let host = Tracker::new(Config::default());
            let mut table = RowTable::default();
            for (i, b) in bodies.iter().enumerate() {
                if extra(i) {
                    black_box(fold_against_rows(&host, &table, b));
                }
                black_box(fold_through_rows(&host, &mut table, b));
            }
        }
        "read" => {}
        _ => panic!("{USAGE}"),
    }
}
