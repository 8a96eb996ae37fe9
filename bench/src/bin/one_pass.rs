//! One pass over a workload (JSON Lines), for instruction counts under
//! `valgrind --tool=callgrind` (repeatable where timing is not):
//! `one_pass floor|apply FILE`.

use d1_tracking::{Config, Tracker};
use d1_tracking_bench::floor;

fn main() {
    let mut args = std::env::args().skip(1);
    let mode = args.next().unwrap_or_default();
    let file = args.next().expect("usage: one_pass floor|apply FILE");
    let text = std::fs::read_to_string(&file).expect("readable workload");
    let bodies: Vec<&[u8]> = text.lines().map(str::as_bytes).collect();
    match mode.as_str() {
        "floor" => bodies.iter().for_each(|b| {
            std::hint::black_box(floor::parse(b));
        }),
        "apply" => {
            let mut t = Tracker::new(Config::default());
            for b in &bodies {
                std::hint::black_box(t.apply(b, 0).expect("accepted"));
            }
        }
        "read" => {}
        _ => panic!("usage: one_pass floor|apply|read FILE"),
    }
}
