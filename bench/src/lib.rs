//! The benchmarks' workloads, generated deterministically (the same bytes for
//! the Rust, Node and C benches: `cargo run -p d1-tracking-bench --bin
//! workloads` writes them to files), and the parse floor.

pub mod floor;
pub mod workload;

/// Prints result lines (JSON objects) and writes them, one per line, to
/// `target/bench/results/NAME`, where `bench/report.sh` reads them.
pub fn write_results(name: &str, lines: &[String]) {
    use std::io::Write;
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/bench/results");
    std::fs::create_dir_all(&dir).expect("results dir");
    let mut file = std::fs::File::create(dir.join(name)).expect("results file");
    for line in lines {
        println!("{line}");
        writeln!(file, "{line}").expect("written");
    }
}

/// The median of some durations, in milliseconds (0 when there are none).
pub fn median_ms(mut xs: Vec<std::time::Duration>) -> f64 {
    xs.sort();
    xs.get(xs.len() / 2).map_or(0.0, |d| d.as_secs_f64() * 1e3)
}

/// The median of `b[i] / a[i]` over pairs measured back to back: each ratio
/// is taken while the machine is in one state, so drift between pairs (this
/// VM's speed wanders by tens of percent) does not enter it (1 when empty).
pub fn median_ratio(a: &[std::time::Duration], b: &[std::time::Duration]) -> f64 {
    let mut ratios: Vec<f64> = a
        .iter()
        .zip(b)
        .map(|(a, b)| b.as_secs_f64() / a.as_secs_f64().max(f64::MIN_POSITIVE))
        .collect();
    ratios.sort_by(f64::total_cmp);
    ratios.get(ratios.len() / 2).copied().unwrap_or(1.0)
}

/// Times `a` and `b` `pairs` times, back to back, alternating which goes
/// first (so neither always runs on the cache the other warmed); their
/// durations in pair order, for `median_ratio`.
pub fn alternate_pairs(
    pairs: usize,
    mut a: impl FnMut() -> std::time::Duration,
    mut b: impl FnMut() -> std::time::Duration,
) -> (Vec<std::time::Duration>, Vec<std::time::Duration>) {
    let (mut xs, mut ys) = (Vec::with_capacity(pairs), Vec::with_capacity(pairs));
    for i in 0..pairs {
        if i % 2 == 0 {
            xs.push(a());
            ys.push(b());
        } else {
            ys.push(b());
            xs.push(a());
        }
    }
    (xs, ys)
}

/// Folds `bodies` into a fresh tracker; the time of the folding alone (the
/// tracker is made and dropped outside it). The `apply` side of the paired
/// benches.
pub fn time_apply(bodies: &[Vec<u8>]) -> std::time::Duration {
    let mut t = d1_tracking::Tracker::new(d1_tracking::Config::default());
    let began = std::time::Instant::now();
    for b in bodies {
        std::hint::black_box(t.apply(b, 0).expect("accepted"));
    }
    let spent = began.elapsed();
    drop(t);
    spent
}

/// The host's table of rows in the row-path benches: card id → row, a map
/// standing in for the database. Hashed with fixed keys (`DefaultHasher::new`
/// is the same in every process), so that a pass under callgrind executes the
/// same instructions every run; with random keys the probe sequences, and so
/// the counts, would change from run to run.
pub type RowTable = std::collections::HashMap<
    String,
    String,
    std::hash::BuildHasherDefault<std::collections::hash_map::DefaultHasher>,
>;

/// The fold of one body against its cards' rows in `table` (no row yet for a
/// card `table` lacks): `cards_of_body`, the rows, `fold_rows`. Nothing is
/// written back; `host` is not changed.
pub fn fold_against_rows(
    host: &d1_tracking::Tracker,
    table: &RowTable,
    body: &[u8],
) -> d1_tracking::RowsFold {
    let cards = host.cards_of_body(body).expect("accepted");
    let rows: Vec<d1_tracking::Row<'_>> = cards
        .iter()
        .map(|id| d1_tracking::Row::new(id, table.get(id).map(String::as_bytes)))
        .collect();
    host.fold_rows(body, &rows).expect("folds")
}

/// What a host with a database does for one body (the row path): the cards
/// it touches, their rows from `table`, the fold against them
/// ([`fold_against_rows`]), the new rows written back. `host` is not
/// changed. The report, for the caller to `black_box` and drop.
pub fn fold_through_rows(
    host: &d1_tracking::Tracker,
    table: &mut RowTable,
    body: &[u8],
) -> d1_tracking::ApplyReport {
    let folded = fold_against_rows(host, table, body);
    for update in folded.cards {
        table.insert(update.card_id, update.row);
    }
    folded.report
}
