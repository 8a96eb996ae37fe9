//! Replays every crash input fuzzing ever found (kept under
//! `tests/fuzz-crashes/<target>/`) through the same checks, in an ordinary
//! `cargo test`: a fixed crash stays fixed.

use std::path::PathBuf;

use d1_tracking_fuzz_checks as checks;

fn inputs(target: &str) -> Vec<(String, Vec<u8>)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fuzz-crashes")
        .join(target);
    let mut found: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("entry").path())
        .filter(|p| p.file_name().is_some_and(|n| n != ".keep"))
        .map(|p| {
            (
                p.display().to_string(),
                std::fs::read(&p).expect("readable"),
            )
        })
        .collect();
    found.sort();
    found
}

fn replay(target: &str, check: fn(&[u8])) {
    for (name, data) in inputs(target) {
        eprintln!("replaying {name}");
        check(&data);
    }
}

#[test]
fn apply_body_crashes_stay_fixed() {
    replay("apply_body", checks::apply_body);
}

#[test]
fn fold_sequence_crashes_stay_fixed() {
    replay("fold_sequence", checks::fold_sequence);
}

#[test]
fn restore_snapshot_crashes_stay_fixed() {
    replay("restore_snapshot", checks::restore_snapshot);
}

#[test]
fn c_abi_crashes_stay_fixed() {
    replay("c_abi", checks::c_abi);
}

/// The checks themselves run on ordinary inputs (so they are not dead code
/// between fuzzing sessions): every line of the sample log, and every
/// vector's snapshot.
#[test]
fn checks_hold_on_known_inputs() {
    let log = include_str!("../../../core/examples/data/sample-log.jsonl");
    for line in log.lines() {
        checks::apply_body(line.as_bytes());
        checks::restore_snapshot(line.as_bytes());
    }
    let vectors = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/vectors");
    for entry in std::fs::read_dir(vectors).expect("vectors") {
        let path = entry.expect("entry").path();
        if path.extension().is_some_and(|e| e == "json") {
            let v: serde_json::Value =
                serde_json::from_slice(&std::fs::read(&path).expect("readable")).expect("JSON");
            checks::restore_snapshot(
                v["expect"]["snapshot"]
                    .as_str()
                    .expect("snapshot")
                    .as_bytes(),
            );
        }
    }
    for seed in 0u8..64 {
        let data: Vec<u8> = (0..512u32)
            .map(|i| (i as u8).wrapping_mul(seed).wrapping_add(seed))
            .collect();
        checks::fold_sequence(&data);
        checks::c_abi(&data);
    }
}
