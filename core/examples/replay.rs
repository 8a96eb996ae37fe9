//! Folds a log of D1 notification bodies and prints every card's view.
//!
//! ```text
//! cargo run --release --example replay                 # the bundled sample log
//! cargo run --release --example replay -- FILE         # JSON Lines, one body per line
//! cargo run --release --example replay -- - < FILE     # the same, from standard input
//! cargo run --release --example replay -- --snapshot   # print the snapshot instead
//! ```
//!
//! Standard output: `{"cards":[…]}`, every card's view sorted by card id.
//! Standard error: one line per rejected line or operation, then a summary.
//! Exit status: 0 when the input was read (whatever was rejected), 2 for a
//! usage or I/O error.

use std::io::Read;
use std::process::ExitCode;

use d1_tracking::{Config, Outcome, Tracker};

const SAMPLE_LOG: &str = include_str!("data/sample-log.jsonl");

const USAGE: &str = "usage: replay [FILE | -] [--snapshot]
  FILE        JSON Lines: each non-blank line is one notification body {\"operations\":[...]}
  -           read the lines from standard input
  (no FILE)   fold the bundled sample log
  --snapshot  print the tracker's snapshot instead of the card views";

struct Args {
    input: Option<String>,
    snapshot: bool,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        input: None,
        snapshot: false,
    };
    for arg in std::env::args().skip(1) {
        match arg.as_str() {
            "--snapshot" => args.snapshot = true,
            "-h" | "--help" => return Err(String::new()),
            _ if arg.starts_with("--") => return Err(format!("unknown option {arg}")),
            _ if args.input.is_some() => return Err("more than one input".to_string()),
            _ => args.input = Some(arg),
        }
    }
    Ok(args)
}

fn read_input(input: Option<&str>) -> Result<String, String> {
    match input {
        None => Ok(SAMPLE_LOG.to_string()),
        Some("-") => {
            let mut text = String::new();
            std::io::stdin()
                .read_to_string(&mut text)
                .map_err(|e| format!("standard input: {e}"))?;
            Ok(text)
        }
        Some(path) => std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}")),
    }
}

#[derive(Default)]
struct Counts {
    lines: usize,
    lines_rejected: usize,
    operations: usize,
    outcomes: [usize; 5],
}

const OUTCOMES: [(Outcome, &str); 5] = [
    (Outcome::Applied, "applied"),
    (Outcome::Recorded, "recorded"),
    (Outcome::Duplicate, "duplicate"),
    (Outcome::Ignored, "ignored"),
    (Outcome::Rejected, "rejected"),
];

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(args) => args,
        Err(message) => {
            if !message.is_empty() {
                eprintln!("replay: {message}");
            }
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    let text = match read_input(args.input.as_deref()) {
        Ok(text) => text,
        Err(message) => {
            eprintln!("replay: {message}");
            return ExitCode::from(2);
        }
    };

    let mut tracker = Tracker::new(Config::default());
    let mut counts = Counts::default();
    for (i, line) in text.lines().enumerate() {
        let line_no = i + 1;
        if line.trim().is_empty() {
            continue;
        }
        counts.lines += 1;
        // The log has no arrival times; the line number stands in for one.
        match tracker.apply(line.as_bytes(), line_no as u64) {
            Err(error) => {
                counts.lines_rejected += 1;
                eprintln!(
                    "line {line_no}: {} {} {}",
                    error.path().unwrap_or("(body)"),
                    error.code(),
                    error.message()
                );
            }
            Ok(report) => {
                for op in &report.operations {
                    counts.operations += 1;
                    for (k, (outcome, _)) in OUTCOMES.iter().enumerate() {
                        if op.outcome == *outcome {
                            counts.outcomes[k] += 1;
                        }
                    }
                    if let Some(error) = &op.error {
                        eprintln!(
                            "line {line_no}: {} {} {}",
                            error.path().unwrap_or("(operation)"),
                            error.code(),
                            error.message()
                        );
                    }
                }
            }
        }
    }

    if args.snapshot {
        println!("{}", tracker.snapshot());
    } else {
        let cards: Vec<_> = tracker.cards().collect();
        let out = serde_json::json!({ "cards": cards });
        match serde_json::to_string_pretty(&out) {
            Ok(text) => println!("{text}"),
            Err(e) => {
                eprintln!("replay: {e}");
                return ExitCode::from(2);
            }
        }
    }

    let outcomes: Vec<String> = OUTCOMES
        .iter()
        .zip(counts.outcomes)
        .map(|((_, name), n)| format!("{n} {name}"))
        .collect();
    eprintln!(
        "replay: {} lines ({} rejected whole), {} operations: {}; {} cards",
        counts.lines,
        counts.lines_rejected,
        counts.operations,
        outcomes.join(", "),
        tracker.len()
    );
    ExitCode::SUCCESS
}
