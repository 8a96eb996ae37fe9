//! The cross-binding vectors (`tests/vectors/NNN-name.json`), read in order.

use std::path::PathBuf;

use serde_json::Value;

/// Every vector file, sorted by name, with its JSON.
pub fn vectors() -> Vec<(PathBuf, Value)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("tests/vectors exists")
        .map(|e| e.expect("readable").path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    paths.sort();
    paths
        .into_iter()
        .map(|path| {
            let text = std::fs::read_to_string(&path).expect("readable");
            let vector = serde_json::from_str(&text).expect("a vector is JSON");
            (path, vector)
        })
        .collect()
}
