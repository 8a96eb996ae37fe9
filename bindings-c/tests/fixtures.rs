//! Writes the shared vectors and bad-input catalogue in a flat, line-based
//! form the C tests read without a JSON parser (`target/c-fixtures/`), with
//! the expected bytes in canonical JSON. Strings are hex-encoded.
//!
//! vectors.txt, per vector: `V name`, `C config|-`, steps (`A ms body`,
//! `R card type ms`, `D now older`, `Q request`, `X card`), `E expected`, `.`
//! catalogue.txt: `S body` (setup), then `K target scope code path|- name input`
//! (for recordRequest, input is `card,type,ms` with card and type in hex).

use std::fmt::Write as _;
use std::path::PathBuf;

use core_api::canonical_string;
use d1_tracking_test_support::catalogue::{catalogue, input};
use d1_tracking_test_support::vectors::vectors;
use serde_json::Value;

fn hex(bytes: &[u8]) -> String {
    if bytes.is_empty() {
        return "-".to_string();
    }
    bytes.iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn flat_vectors() -> String {
    let mut out = String::new();
    for (file, v) in vectors() {
        let name = file
            .file_name()
            .expect("a name")
            .to_string_lossy()
            .to_string();
        let _ = writeln!(out, "V {}", hex(name.as_bytes()));
        let config = v
            .get("config")
            .map(|c| serde_json::to_vec(c).expect("JSON"))
            .unwrap_or_default();
        let _ = writeln!(out, "C {}", hex(&config));
        for step in v["steps"].as_array().expect("steps") {
            let ms = |k: &str| step.get(k).and_then(Value::as_u64).unwrap_or(0);
            if let Some(r) = step.get("recordRequest") {
                let s = |k: &str| r[k].as_str().expect("string").as_bytes().to_vec();
                let _ = writeln!(
                    out,
                    "R {} {} {}",
                    hex(&s("cardId")),
                    hex(&s("trackingType")),
                    r["atMs"]
                );
            } else if let Some(d) = step.get("due") {
                let _ = writeln!(out, "D {} {}", d["nowMs"], d["olderThanMs"]);
            } else if let Some(card) = step.get("explain").and_then(Value::as_str) {
                let _ = writeln!(out, "X {}", hex(card.as_bytes()));
            } else if let Some(q) = step.get("trackCardRequest") {
                let _ = writeln!(out, "Q {}", hex(&serde_json::to_vec(q).expect("JSON")));
            } else if let Some(text) = step.get("bodyText").and_then(Value::as_str) {
                let _ = writeln!(out, "A {} {}", ms("receivedAtMs"), hex(text.as_bytes()));
            } else {
                let body = canonical_string(&step["body"]).into_bytes();
                let _ = writeln!(out, "A {} {}", ms("receivedAtMs"), hex(&body));
            }
        }
        let _ = writeln!(out, "E {}", hex(canonical_string(&v["expect"]).as_bytes()));
        out.push_str(".\n");
    }
    out
}

fn flat_catalogue() -> String {
    let catalogue = catalogue();
    let mut out = String::new();
    for body in catalogue["setup"].as_array().expect("setup") {
        let _ = writeln!(out, "S {}", hex(body.as_str().expect("string").as_bytes()));
    }
    for case in catalogue["cases"].as_array().expect("cases") {
        let s = |k: &str| case[k].as_str().unwrap_or("-").to_string();
        let input = if s("target") == "recordRequest" {
            let args: Value = serde_json::from_slice(&input(case)).expect("JSON arguments");
            let t = |k: &str| hex(args[k].as_str().expect("string").as_bytes());
            format!("{},{},{}", t("cardId"), t("trackingType"), args["atMs"])
        } else {
            hex(&input(case))
        };
        let path = case["path"]
            .as_str()
            .map_or("-".to_string(), |p| hex(p.as_bytes()));
        let _ = writeln!(
            out,
            "K {} {} {} {} {} {}",
            s("target"),
            s("scope"),
            s("code"),
            path,
            hex(s("name").as_bytes()),
            input
        );
    }
    out
}

#[test]
fn write_flat_fixtures_for_the_c_tests() {
    let dir = root().join("target/c-fixtures");
    std::fs::create_dir_all(&dir).expect("target/c-fixtures");
    let vectors = flat_vectors();
    assert!(vectors.matches("\nE ").count() >= 40);
    std::fs::write(dir.join("vectors.txt"), vectors).expect("writable");
    let catalogue = flat_catalogue();
    assert!(catalogue.lines().filter(|l| l.starts_with("K ")).count() >= 100);
    std::fs::write(dir.join("catalogue.txt"), catalogue).expect("writable");
}
