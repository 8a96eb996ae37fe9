//! Writes the shared workloads as JSON Lines for the Node and C benches:
//! `workloads OUT_DIR [STREAM_CARDS]`.

use std::io::Write;

use d1_tracking_bench::workload::{bulk, singles, stream, KINDS};

fn write(dir: &std::path::Path, name: &str, bodies: &[Vec<u8>]) -> std::io::Result<()> {
    let mut f = std::io::BufWriter::new(std::fs::File::create(dir.join(name))?);
    for b in bodies {
        f.write_all(b)?;
        f.write_all(b"\n")?;
    }
    f.flush()
}

fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let dir = std::path::PathBuf::from(
        args.next()
            .unwrap_or_else(|| "target/bench/workloads".into()),
    );
    let cards: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(1_000);
    std::fs::create_dir_all(&dir)?;
    for kind in KINDS {
        write(&dir, &format!("{kind}.jsonl"), &singles(kind, 1_000))?;
    }
    write(&dir, "bulk.jsonl", &bulk(20))?;
    write(&dir, "stream.jsonl", &stream(cards, 7))?;
    eprintln!(
        "workloads written to {} (stream of {cards} cards)",
        dir.display()
    );
    Ok(())
}
