//! Folds a log of D1 notification bodies and prints every card's view.
//!
//! ```text
//! cargo run --release --example replay                 # the bundled sample log
//! cargo run --release --example replay -- FILE         # JSON Lines, one body per line
//! cargo run --release --example replay -- - < FILE     # the same, from standard input
//! cargo run --release --example replay -- --snapshot   # print the snapshot instead
//! cargo run --release --example replay -- --due 1772600000000,7200000
//! cargo run --release --example replay -- --rejected dead-letters.jsonl
//! cargo run --release --example replay -- --explain card-0003
//! ```
//!
//! A line is either a notification body, or a record of a Track Card request
//! the issuer sent: `{"request":{"cardId":"card-0001","trackingType":"SHIPMENT","atMs":1772442000000}}`.
//!
//! Standard output: `{"cards":[…]}`, every card's view sorted by card id;
//! with `--due NOW_MS,OLDER_THAN_MS`, `{"due":[…]}`, the trackings due for
//! reconciliation at NOW_MS; with `--explain CARD`, `{"explain":…}`, why
//! that card shows its phase (`null` when the log never names it).
//! Standard error: one line per rejected line or operation, then a summary.
//! With `--rejected FILE`, what was rejected is also written to FILE as JSON
//! Lines that `replay FILE` reads again: a body rejected whole as it was,
//! a rejected operation as the body `{"operations":[RAW]}` of its raw text.
//! Nothing of the input is lost.
//! The input is read one line at a time, so memory does not grow with the
//! file (only with the cards it holds). A line that is not UTF-8, or that
//! starts with a byte order mark, is rejected alone, with its number (and
//! kept in `--rejected`). On a terminal, a progress line goes to standard
//! error every second.
//! Exit status: 0 when the input was read (whatever was rejected), 2 for a
//! usage or I/O error. `--help` prints the usage to standard output; the
//! arguments are few enough to parse by hand (no dependency for them).

use std::io::{BufRead, BufReader, BufWriter, IsTerminal, Write};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use d1_tracking::{Config, Error, Outcome, Tracker, TrackingType};
use serde_json::Value;

const SAMPLE_LOG: &str = include_str!("data/sample-log.jsonl");

const USAGE: &str =
    "usage: replay [FILE | -] [--snapshot | --due NOW_MS,OLDER_THAN_MS | --explain CARD] [--rejected OUT]
       replay --help | --version
  FILE        JSON Lines: each non-blank line is one notification body {\"operations\":[...]}
              or a request record {\"request\":{\"cardId\":...,\"trackingType\":...,\"atMs\":...}}
  -           read the lines from standard input
  (no FILE)   fold the bundled sample log
  --snapshot  print the tracker's snapshot instead of the card views
  --due N,T   print the trackings due for reconciliation at N ms, quiet for more than T ms
  --explain CARD  print why CARD shows its phase: cycles, notifications, facts, deciding fact
  --rejected OUT  write what was rejected to OUT, as lines replay reads again
  --help      this text;  --version  the version";

/// What the arguments ask for.
enum Command {
    Fold(Args),
    Help,
    Version,
}

struct Args {
    input: Option<String>,
    snapshot: bool,
    due: Option<(u64, u64)>,
    explain: Option<String>,
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

fn parse_args() -> Result<Command, String> {
    let mut args = Args {
        input: None,
        snapshot: false,
        due: None,
        explain: None,
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
            "--explain" => {
                args.explain = Some(argv.next().ok_or("--explain needs a card id")?);
            }
            "--rejected" => {
                args.rejected = Some(argv.next().ok_or("--rejected needs a file name")?);
            }
            "-h" | "--help" => return Ok(Command::Help),
            "-V" | "--version" => return Ok(Command::Version),
            _ if arg.starts_with("--") => return Err(format!("unknown option {arg}")),
            _ if args.input.is_some() => return Err("more than one input".to_string()),
            _ => args.input = Some(arg),
        }
    }
    if [args.snapshot, args.due.is_some(), args.explain.is_some()]
        .iter()
        .filter(|on| **on)
        .count()
        > 1
    {
        return Err(
            "--snapshot, --due and --explain print different things; choose one".to_string(),
        );
    }
    Ok(Command::Fold(args))
}

/// The input, read a line at a time.
fn open_input(input: Option<&str>) -> Result<Box<dyn BufRead>, String> {
    Ok(match input {
        None => Box::new(SAMPLE_LOG.as_bytes()),
        Some("-") => Box::new(BufReader::new(std::io::stdin())),
        Some(path) => Box::new(BufReader::new(
            std::fs::File::open(path).map_err(|e| format!("{path}: {e}"))?,
        )),
    })
}

/// Why a line cannot be read as text, if it cannot.
fn unreadable(line: &[u8]) -> Option<String> {
    if line.starts_with(b"\xEF\xBB\xBF") {
        return Some(
            "the line starts with a byte order mark (U+FEFF); JSON Lines are UTF-8 without one: remove it"
                .to_string(),
        );
    }
    std::str::from_utf8(line).err().map(|e| {
        format!(
            "the line is not UTF-8: invalid byte at column {}",
            e.valid_up_to() + 1
        )
    })
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
        Ok(Command::Fold(args)) => args,
        // A reader that stops early (`| head`) is no error: never a panic.
        Ok(Command::Help) => {
            let _ = writeln!(std::io::stdout(), "{USAGE}");
            return ExitCode::SUCCESS;
        }
        Ok(Command::Version) => {
            let _ = writeln!(
                std::io::stdout(),
                "replay (d1_tracking) {}",
                env!("CARGO_PKG_VERSION")
            );
            return ExitCode::SUCCESS;
        }
        Err(message) => {
            eprintln!("replay: {message}");
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("replay: {message}");
            ExitCode::from(2)
        }
    }
}

fn run(args: &Args) -> Result<(), String> {
    let mut input = open_input(args.input.as_deref())?;
    // Dead letters: lines `replay` reads again, written as they come.
    let mut rejected = match &args.rejected {
        Some(path) => Some(BufWriter::new(
            std::fs::File::create(path).map_err(|e| format!("{path}: {e}"))?,
        )),
        None => None,
    };
    let mut dead_letter = |bytes: &[u8]| -> Result<(), String> {
        if let Some(out) = rejected.as_mut() {
            out.write_all(bytes)
                .and_then(|()| out.write_all(b"\n"))
                .map_err(|e| format!("{}: {e}", args.rejected.as_deref().unwrap_or("")))?;
        }
        Ok(())
    };

    let mut tracker = Tracker::new(Config::default());
    let mut counts = Counts::default();
    let progress = std::io::stderr().is_terminal();
    let started = Instant::now();
    let mut shown = started;
    let mut line: Vec<u8> = Vec::new();
    let mut line_no = 0usize;
    loop {
        line.clear();
        let read = input
            .read_until(b'\n', &mut line)
            .map_err(|e| format!("{}: {e}", args.input.as_deref().unwrap_or("input")))?;
        if read == 0 {
            break;
        }
        line_no += 1;
        if progress && shown.elapsed() >= Duration::from_secs(1) {
            shown = Instant::now();
            eprint!(
                "\rreplay: {line_no} lines, {} cards, {:.0?}",
                tracker.len(),
                started.elapsed()
            );
        }
        let bytes = line.strip_suffix(b"\n").unwrap_or(&line);
        let bytes = bytes.strip_suffix(b"\r").unwrap_or(bytes);
        if let Some(why) = unreadable(bytes) {
            counts.lines += 1;
            counts.lines_rejected += 1;
            eprintln!("line {line_no}: (line) {}", why);
            dead_letter(bytes)?;
            continue;
        }
        // Checked just above.
        let text = std::str::from_utf8(bytes).unwrap_or_default();
        if text.trim().is_empty() {
            continue;
        }
        counts.lines += 1;
        if let Some(record) = request_record(text) {
            match record.and_then(|(card, t, at)| tracker.record_request(&card, t, at)) {
                Ok(_) => counts.requests += 1,
                Err(error) => {
                    counts.lines_rejected += 1;
                    report_error(line_no, &error, "(request)");
                    dead_letter(bytes)?;
                }
            }
            continue;
        }
        // The log has no arrival times; the line number stands in for one.
        match tracker.apply(bytes, line_no as u64) {
            Err(error) => {
                counts.lines_rejected += 1;
                report_error(line_no, &error, "(body)");
                dead_letter(bytes)?;
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
                        dead_letter(format!("{{\"operations\":[{raw}]}}").as_bytes())?;
                    }
                }
            }
        }
    }
    if progress && line_no > 0 && started.elapsed() >= Duration::from_secs(1) {
        eprintln!();
    }
    if let Some(mut out) = rejected {
        out.flush()
            .map_err(|e| format!("{}: {e}", args.rejected.as_deref().unwrap_or("")))?;
    }

    let stdout = std::io::stdout();
    let mut stdout = BufWriter::new(stdout.lock());
    let written = if args.snapshot {
        // In pieces: the output never holds the whole state twice.
        tracker
            .snapshot_chunks(1_000)
            .try_for_each(|piece| stdout.write_all(piece.as_bytes()))
            .and_then(|()| stdout.write_all(b"\n"))
    } else {
        let out = match (args.due, &args.explain) {
            (Some((now, older)), _) => {
                serde_json::json!({ "due": tracker.due_for_reconciliation(now, older) })
            }
            (None, Some(card)) => serde_json::json!({ "explain": tracker.explain(card) }),
            (None, None) => serde_json::json!({ "cards": tracker.cards().collect::<Vec<_>>() }),
        };
        serde_json::to_writer_pretty(&mut stdout, &out)
            .map_err(std::io::Error::other)
            .and_then(|()| stdout.write_all(b"\n"))
    };
    written
        .and_then(|()| stdout.flush())
        .map_err(|e| format!("standard output: {e}"))?;

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
    Ok(())
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
            TrackingType::parse_kind_field(tracking, "request.trackingType")
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
