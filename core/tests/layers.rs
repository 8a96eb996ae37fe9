//! The core's layers (docs/architecture.md) are one-way: a module may use
//! only its own layer and those below it. This test reads every `crate::`
//! path in the code of `core/src` and fails on one that points up.

use std::path::{Path, PathBuf};

/// The layers, lowest first. A file's layer is its folder under `src/`, or
/// its own name for the files at the root.
const LAYERS: &[&str] = &[
    "error", "config", "json", "wire", "store", "view", "tracker",
];

/// Names the crate root re-exports, by the layer that defines them (doc
/// links and a few paths use them).
const ROOT_NAMES: &[(&str, &str)] = &[("Error", "error"), ("ErrorCode", "error")];

fn level(layer: &str) -> Option<usize> {
    LAYERS.iter().position(|l| *l == layer)
}

/// The layer a path under `src/` belongs to (`None` for `lib.rs`, which
/// assembles the layers).
fn layer_of(relative: &Path) -> Option<String> {
    let first = relative.components().next()?.as_os_str().to_str()?;
    let name = first.strip_suffix(".rs").unwrap_or(first);
    (name != "lib").then(|| name.to_string())
}

/// Every `crate::name` a line of code refers to (comments are skipped).
fn referenced(line: &str) -> Vec<String> {
    let code = line.split("//").next().unwrap_or_default();
    let mut out = Vec::new();
    let mut rest = code;
    while let Some(at) = rest.find("crate::") {
        let after = &rest[at + "crate::".len()..];
        let name: String = after
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        let resolved = ROOT_NAMES
            .iter()
            .find(|(n, _)| *n == name)
            .map_or(name.clone(), |(_, layer)| layer.to_string());
        out.push(resolved);
        rest = after;
    }
    out
}

/// The violations in one file's text, as `line: layer -> higher layer`.
fn violations(layer: &str, text: &str) -> Vec<String> {
    let Some(own) = level(layer) else {
        return vec![format!("unknown layer {layer}: add it to LAYERS")];
    };
    let mut found = Vec::new();
    for (n, line) in text.lines().enumerate() {
        for target in referenced(line) {
            match level(&target) {
                Some(l) if l <= own => {}
                Some(_) => found.push(format!("{}: {layer} uses {target}", n + 1)),
                None => found.push(format!(
                    "{}: {layer} uses crate::{target}, which is no layer",
                    n + 1
                )),
            }
        }
    }
    found
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("readable source folder") {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn no_layer_uses_a_higher_one() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    assert!(files.len() > 20, "found {} files", files.len());
    let mut problems = Vec::new();
    let mut checked = 0;
    for file in &files {
        let relative = file.strip_prefix(&src).expect("under src");
        let Some(layer) = layer_of(relative) else {
            continue;
        };
        let text = std::fs::read_to_string(file).expect("readable source");
        checked += referenced_count(&text);
        for v in violations(&layer, &text) {
            problems.push(format!("{}:{v}", relative.display()));
        }
    }
    assert!(checked > 50, "only {checked} crate:: paths found");
    assert!(problems.is_empty(), "upward uses:\n{}", problems.join("\n"));
}

fn referenced_count(text: &str) -> usize {
    text.lines().map(|l| referenced(l).len()).sum()
}

#[test]
fn the_check_catches_an_upward_use() {
    assert_eq!(
        violations("wire", "use crate::store::Stored;\nuse crate::json::Node;"),
        vec!["1: wire uses store".to_string()]
    );
    assert!(violations("view", "use crate::store::Stored; // crate::tracker").is_empty());
    assert_eq!(
        violations("json", "crate::Error::Parsing"),
        Vec::<String>::new()
    );
    assert_eq!(
        violations("error", "crate::config::Config"),
        vec!["1: error uses config".to_string()]
    );
}
