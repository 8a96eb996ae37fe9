//! Folds a log of D1 notification bodies and prints every card's view.
//!
//! ```text
//! cargo run --release --example replay                 # the bundled sample log
//! cargo run --release --example replay -- FILE         # JSON Lines, one body per line
//! cargo run --release --example replay -- - < FILE     # the same, from standard input
//! cargo run --release --example replay -- --snapshot   # print the snapshot instead
//! cargo run --release --example replay -- --due 1772600000000,7200000
//! cargo run --release --example replay -- --rejected dead-letters.jsonl
//! ```
//!
//! A line is either a notification body, or a record of a Track Card request
//! the issuer sent: `{"request":{"cardId":"card-0001","trackingType":"SHIPMENT","atMs":1772442000000}}`.
//!
//! Standard output: `{"cards":[…]}`, every card's view sorted by card id;
//! with `--due NOW_MS,OLDER_THAN_MS`, `{"due":[…]}`, the trackings due for
//! reconciliation at NOW_MS.
//! Standard error: one line per rejected line or operation, then a summary.
//! With `--rejected FILE`, what was rejected is also written to FILE as JSON
//! Lines that `replay FILE` reads again: a body rejected whole as it was,
//! a rejected operation as the body `{"operations":[RAW]}` of its raw text.
//! Nothing of the input is lost.
//! Exit status: 0 when the input was read (whatever was rejected), 2 for a
//! usage or I/O error.

use std::io::Read;
use std::process::ExitCode;

use d1_tracking::{Config, Error, Outcome, Tracker, TrackingType};
use serde_json::Value;

const SAMPLE_LOG: &str = include_str!("data/sample-log.jsonl");

const USAGE: &str =
    "usage: replay [FILE | -] [--snapshot | --due NOW_MS,OLDER_THAN_MS] [--rejected OUT]
  FILE        JSON Lines: each non-blank line is one notification body {\"operations\":[...]}
              or a request record {\"request\":{\"cardId\":...,\"trackingType\":...,\"atMs\":...}}
  -           read the lines from standard input
  (no FILE)   fold the bundled sample log
  --snapshot  print the tracker's snapshot instead of the card views
  --due N,T   print the trackings due for reconciliation at N ms, quiet for more than T ms
  --rejected OUT  write what was rejected to OUT, as lines replay reads again";

struct Args {
    input: Option<String>,
    snapshot: bool,
    due: Option<(u64, u64)>,
    rejected: Option<String>,
}

fn parse_due(text: &str) -> Result<(u64, u64), String> {
    let (now, older) = text
        .split_once(',')
        .ok_or_else(|| format!("--due takes NOW_MS,OLDER_THAN_MS, found {text:?}"))?;
    let number = |s: &str| {
        s.trim()
            .parse::<u64>()
            .map_err(|_| format!("--due takes whole numbers of ms, found {s:?}"))
    };
    Ok((number(now)?, number(older)?))
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        input: None,
        snapshot: false,
        due: None,
        rejected: None,
    };
    let mut argv = std::env::args().skip(1);
    while let Some(arg) = argv.next() {
        match arg.as_str() {
            "--snapshot" => args.snapshot = true,
            "--due" => {
                let value = argv.next().ok_or("--due needs NOW_MS,OLDER_THAN_MS")?;
                args.due = Some(parse_due(&value)?);
            }
            "--rejected" => {
                args.rejected = Some(argv.next().ok_or("--rejected needs a file name")?);
            }
            "-h" | "--help" => return Err(String::new()),
            _ if arg.starts_with("--") => return Err(format!("unknown option {arg}")),
            _ if args.input.is_some() => return Err("more than one input".to_string()),
            _ => args.input = Some(arg),
        }
    }
    if args.snapshot && args.due.is_some() {
        return Err("--snapshot and --due print different things; choose one".to_string());
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
    requests: usize,
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
    // Dead letters: lines `replay` reads again.
    let mut rejected: Vec<String> = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line_no = i + 1;
        if line.trim().is_empty() {
            continue;
        }
        counts.lines += 1;
        if let Some(record) = request_record(line) {
            match record.and_then(|(card, t, at)| tracker.record_request(&card, t, at)) {
                Ok(_) => counts.requests += 1,
                Err(error) => {
                    counts.lines_rejected += 1;
                    report_error(line_no, &error, "(request)");
                    rejected.push(line.to_string());
                }
            }
            continue;
        }
        // The log has no arrival times; the line number stands in for one.
        match tracker.apply(line.as_bytes(), line_no as u64) {
            Err(error) => {
                counts.lines_rejected += 1;
                report_error(line_no, &error, "(body)");
                rejected.push(line.to_string());
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
                        report_error(line_no, error, "(operation)");
                    }
                    if let Some(raw) = &op.raw {
                        rejected.push(format!("{{\"operations\":[{raw}]}}"));
                    }
                }
            }
        }
    }

    if let Some(path) = &args.rejected {
        let text: String = rejected.iter().map(|l| format!("{l}\n")).collect();
        if let Err(e) = std::fs::write(path, text) {
            eprintln!("replay: {path}: {e}");
            return ExitCode::from(2);
        }
    }

    if args.snapshot {
        println!("{}", tracker.snapshot());
    } else {
        let out = match args.due {
            Some((now, older)) => {
                serde_json::json!({ "due": tracker.due_for_reconciliation(now, older) })
            }
            None => serde_json::json!({ "cards": tracker.cards().collect::<Vec<_>>() }),
        };
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
        "replay: {} lines ({} rejected whole, {} request records), {} operations: {}; {} cards",
        counts.lines,
        counts.lines_rejected,
        counts.requests,
        counts.operations,
        outcomes.join(", "),
        tracker.len()
    );
    ExitCode::SUCCESS
}

fn report_error(line_no: usize, error: &Error, whole: &str) {
    eprintln!(
        "line {line_no}: {} {} {}",
        error.path().unwrap_or(whole),
        error.code(),
        error.message()
    );
}

/// `Some` when the line is a request record (`{"request": {...}}`), with the
/// record or why it is invalid.
fn request_record(line: &str) -> Option<Result<(String, TrackingType, u64), Error>> {
    let value: Value = serde_json::from_str(line).ok()?;
    let record = value.get("request")?;
    let field = |key: &str| record.get(key);
    let card = field("cardId").and_then(Value::as_str);
    let tracking = field("trackingType").and_then(Value::as_str);
    let at = field("atMs").and_then(Value::as_u64);
    Some(match (card, tracking, at) {
        (Some(card), Some(tracking), Some(at)) => {
            TrackingType::parse_field(tracking, "request.trackingType")
                .map(|t| (card.to_string(), t, at))
        }
        _ => Err(Error::FieldMissing {
            path: "request".to_string(),
            message:
                "expected {\"cardId\": string, \"trackingType\": string, \"atMs\": whole number}"
                    .to_string(),
        }),
    })
}
