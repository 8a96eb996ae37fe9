//! Every exported function runs its whole body in the panic guard, so no
//! panic ever crosses into C. Reads the crate's source: a new `extern "C"`
//! function without the guard fails this test.

use std::path::Path;

/// (file, function name, the lines just above it, the start of its body)
fn exported_functions() -> Vec<(String, String, String, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).expect("src/ is readable") {
        let path = entry.expect("an entry").path();
        let source = std::fs::read_to_string(&path).expect("readable");
        let file = path.file_name().unwrap().to_string_lossy().to_string();
        let mut rest = source.as_str();
        while let Some(at) = rest.find("extern \"C\" fn ") {
            let before = &rest[..at];
            let after = &rest[at + "extern \"C\" fn ".len()..];
            let name: String = after
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            // The body starts at the first `{` after the signature.
            let open = after.find('{').expect("a body");
            let body = after[open + 1..].trim_start().to_string();
            let attrs = before.lines().rev().take(3).collect::<Vec<_>>().join("\n");
            found.push((file.clone(), name, attrs, body));
            rest = &after[open..];
        }
    }
    found
}

#[test]
fn every_exported_function_is_guarded() {
    let functions = exported_functions();
    assert!(functions.len() >= 25, "found only {}", functions.len());
    for (file, name, attrs, body) in &functions {
        assert!(
            body.starts_with("guard::call(")
                || body.starts_with("guard::call_quiet(")
                || body.starts_with("guard::call_static(")
                || body.starts_with("guard::call_void("),
            "{file}: {name} does not run its body in the panic guard"
        );
        assert!(
            attrs.contains("#[no_mangle]"),
            "{file}: {name} is not #[no_mangle]"
        );
        assert!(
            name.starts_with("d1t_"),
            "{file}: {name} lacks the d1t_ prefix"
        );
    }
}

#[test]
fn every_exported_function_is_in_the_header() {
    let header = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("include/d1_tracking.h"),
    )
    .expect("include/d1_tracking.h is readable");
    for (file, name, _, _) in exported_functions() {
        assert!(
            header.contains(&format!("{name}(")),
            "{file}: {name} is missing from the header"
        );
    }
}

#[test]
fn version_strings_match_cargo() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let header = std::fs::read_to_string(dir.join("include/d1_tracking.h")).expect("header");
    let version = env!("CARGO_PKG_VERSION");
    assert!(
        header.contains(&format!("#define D1T_VERSION_STRING \"{version}\"")),
        "D1T_VERSION_STRING in cbindgen.toml's trailer is not {version}"
    );
    for (name, value) in [
        ("D1T_VERSION_MAJOR", env!("CARGO_PKG_VERSION_MAJOR")),
        ("D1T_VERSION_MINOR", env!("CARGO_PKG_VERSION_MINOR")),
        ("D1T_VERSION_PATCH", env!("CARGO_PKG_VERSION_PATCH")),
    ] {
        assert!(
            header.contains(&format!("#define {name} {value}")),
            "{name} is not {value}"
        );
    }
    // install.sh fills the version from Cargo.toml into the templates.
    for template in [
        "d1_tracking.pc.in",
        "cmake/d1_trackingConfigVersion.cmake.in",
    ] {
        let text = std::fs::read_to_string(dir.join(template)).expect("template");
        assert!(
            text.contains("@VERSION@"),
            "{template} does not take its version from install.sh"
        );
    }
}
