//! The README's phase diagram is generated from the same table as the code.

#[test]
fn readme_phase_diagram_is_the_code_table() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md"))
        .expect("README.md is readable");
    let start = readme.find("```mermaid\n").expect("a mermaid block") + "```mermaid\n".len();
    let len = readme[start..].find("```").expect("the block ends");
    assert_eq!(
        &readme[start..start + len],
        d1_tracking::phase_diagram(),
        "regenerate the README diagram from d1_tracking::phase_diagram()"
    );
}
