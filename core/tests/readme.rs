//! The README's phase diagram is generated from the same table as the code.
//! `D1T_BLESS=1 cargo test --test readme` rewrites it from the table.

#[test]
fn readme_phase_diagram_is_the_code_table() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md");
    let readme = std::fs::read_to_string(path).expect("README.md is readable");
    let start = readme.find("```mermaid\n").expect("a mermaid block") + "```mermaid\n".len();
    let len = readme[start..].find("```").expect("the block ends");
    let generated = d1_tracking::phase::diagram();
    if std::env::var_os("D1T_BLESS").is_some() {
        let updated = format!("{}{generated}{}", &readme[..start], &readme[start + len..]);
        std::fs::write(path, updated).expect("README.md is writable");
        return;
    }
    assert_eq!(
        &readme[start..start + len],
        generated,
        "the README's diagram differs from phase::RULES: run D1T_BLESS=1 cargo test --test readme"
    );
}
