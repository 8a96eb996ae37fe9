//! No circles between files: within a layer (which `layers.rs` does not
//! see) as between layers, no file of `core/src` may use, directly or
//! through others, a file that uses it back; nor may a file of
//! `bindings-c/src`. A workspace test, not in the published package: it
//! reads `bindings-c/src` beside the core.
//!
//! The graph: one node per file under `src/`, and an edge from a file to the
//! file that defines each item its code names by a path. The paths read are
//! those starting with `crate::`, `super::` or `self::` (in `use`
//! declarations and in code), and, in a parent module's file (`lib.rs`,
//! `mod.rs`), those starting with the name of one of its child modules.
//! Comments (so doc links), strings and characters are skipped, and so are
//! the items under `#[cfg(test)]` (a file's unit tests may look at any file;
//! they are not part of the crate the other files build). `super::` inside
//! an inline module (`mod fuzzing { … }`) is the file's own module, so it
//! names the file itself, and a file's uses of itself are no edges.
//!
//! A parent assembling its children is not a use of them: its `mod child;`
//! declarations and its public `use` declarations (`pub use`, `pub(crate)
//! use`, …) of paths into its children are no edges. In their place, a path
//! through a module to a name it imports (`crate::view::Phase`, which
//! `view/mod.rs` re-exports from `phase.rs`) leads to the file that defines
//! the name, as the compiler resolves it. So `view/card.rs` using
//! `super::Phase` depends on `view/phase.rs`, not on `view/mod.rs`; a child
//! using an item its parent defines itself (`super::Tracker`) depends on the
//! parent, and is in a circle with it only when the parent's own code (a
//! private `use`, a path in a body) uses the child back.
//!
//! A circle is printed from its least file (by path), as
//! `a.rs -> b.rs -> a.rs`: the same circle always prints the same way.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Circles tolerated while they are being removed: none. The test fails on
/// any circle not listed, and on a listed one that no longer exists, so the
/// list says exactly what is left.
const KNOWN_CIRCLES: &[&str] = &[];

#[test]
fn no_circles_in_the_core_but_the_known_ones() {
    let graph = Graph::read(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"));
    assert!(graph.files.len() > 20, "found {} files", graph.files.len());
    assert!(
        graph.edge_count() > 100,
        "only {} edges found",
        graph.edge_count()
    );
    let found = graph.circles();
    let known: BTreeSet<String> = KNOWN_CIRCLES.iter().map(|c| c.to_string()).collect();
    let mut problems: Vec<String> = found
        .iter()
        .filter(|c| !known.contains(*c))
        .map(|c| format!("files in a circle: {}", graph.explain(c)))
        .collect();
    problems.extend(
        known
            .iter()
            .filter(|c| !found.contains(*c))
            .map(|c| format!("no longer a circle: {c} (remove it from KNOWN_CIRCLES)")),
    );
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn no_circles_in_the_c_library() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("../bindings-c/src");
    let graph = Graph::read(&src);
    assert!(graph.files.len() > 5, "found {} files", graph.files.len());
    assert!(
        graph.edge_count() > 20,
        "only {} edges found",
        graph.edge_count()
    );
    let found: Vec<String> = graph
        .circles()
        .iter()
        .map(|c| format!("files in a circle: {}", graph.explain(c)))
        .collect();
    assert!(found.is_empty(), "{}", found.join("\n"));
}

/// A crate's files, by their paths under `src/`, and what each one uses.
struct Graph {
    files: BTreeSet<String>,
    /// (from, to) -> the first line of `from` naming a path into `to`.
    edges: BTreeMap<(String, String), usize>,
}

/// What one file says: the paths its code names, and its `use`
/// declarations.
#[derive(Default)]
struct Parsed {
    /// (line, the module the path is written in, the path's segments)
    paths: Vec<(usize, Vec<String>, Vec<String>)>,
    uses: Vec<Use>,
}

/// One path of a `use` declaration.
struct Use {
    line: usize,
    /// `pub` or `pub(…)`.
    public: bool,
    /// At the file's top level (not in an inline module or a body).
    top_level: bool,
    /// The module the declaration is written in.
    module: Vec<String>,
    /// The path, with a trailing `self` removed (`*` for a glob).
    path: Vec<String>,
    /// The name it brings in: its alias, or the path's last segment.
    name: String,
}

impl Graph {
    fn read(src: &Path) -> Graph {
        let mut sources = BTreeMap::new();
        read_dir(src, src, &mut sources);
        Graph::build(&sources)
    }

    /// The graph of the files (path under `src/` -> text).
    fn build(sources: &BTreeMap<String, String>) -> Graph {
        let modules: BTreeMap<Vec<String>, String> = sources
            .keys()
            .map(|file| (module_of(file), file.clone()))
            .collect();
        let parsed: BTreeMap<&String, Parsed> = sources
            .iter()
            .map(|(file, text)| (file, parse(&module_of(file), text, &modules)))
            .collect();
        // What each module file's top-level `use` declarations bring in:
        // module -> name -> absolute path.
        let mut imports: BTreeMap<Vec<String>, BTreeMap<String, Vec<String>>> = BTreeMap::new();
        for (file, p) in &parsed {
            for u in p.uses.iter().filter(|u| u.top_level && u.name != "*") {
                if let Some(path) = absolute(&u.module, &u.path, &modules) {
                    imports
                        .entry(module_of(file))
                        .or_default()
                        .insert(u.name.clone(), path);
                }
            }
        }
        let resolver = Resolver {
            modules: &modules,
            imports: &imports,
        };
        let mut edges = BTreeMap::new();
        for (file, p) in &parsed {
            let own = module_of(file);
            let mut add = |line: usize, module: &[String], path: &[String]| {
                let Some(path) = absolute(module, path, &modules) else {
                    return;
                };
                let to = resolver.file_of(&path, 0);
                if to != **file {
                    let first = edges.entry(((*file).clone(), to)).or_insert(line);
                    *first = (*first).min(line);
                }
            };
            for (line, module, path) in &p.paths {
                add(*line, module, path);
            }
            for u in &p.uses {
                let into_child = absolute(&u.module, &u.path, &modules).is_some_and(|path| {
                    path.len() > own.len()
                        && path.starts_with(&own)
                        && modules.contains_key(&path[..=own.len()])
                });
                if u.public && u.top_level && into_child {
                    continue; // a parent assembling its children
                }
                add(u.line, &u.module, &u.path);
            }
        }
        Graph {
            files: sources.keys().cloned().collect(),
            edges,
        }
    }

    fn edge_count(&self) -> usize {
        self.edges.len()
    }

    fn next(&self, from: &str) -> impl Iterator<Item = &String> + '_ {
        let from = from.to_string();
        self.edges
            .keys()
            .filter(move |(f, _)| *f == from)
            .map(|(_, to)| to)
    }

    /// Every circle (each file once in it), from its least file, sorted.
    fn circles(&self) -> BTreeSet<String> {
        let mut found = BTreeSet::new();
        for start in &self.files {
            let mut path = vec![start.clone()];
            self.walk(start, &mut path, &mut found);
        }
        found
    }

    /// Extends `path` (which starts at its least file) by every file greater
    /// than its start and not yet in it; records each way back to the start.
    fn walk(&self, start: &String, path: &mut Vec<String>, found: &mut BTreeSet<String>) {
        let last = path.last().cloned().unwrap_or_default();
        for next in self.next(&last) {
            if next == start {
                let mut circle = path.clone();
                circle.push(start.clone());
                found.insert(circle.join(" -> "));
            } else if next > start && !path.contains(next) {
                path.push(next.clone());
                self.walk(start, path, found);
                path.pop();
            }
        }
    }

    /// A circle with, for each step, the line that makes it.
    fn explain(&self, circle: &str) -> String {
        let files: Vec<&str> = circle.split(" -> ").collect();
        let steps: Vec<String> = files
            .windows(2)
            .map(|pair| {
                let line = self
                    .edges
                    .get(&(pair[0].to_string(), pair[1].to_string()))
                    .copied()
                    .unwrap_or_default();
                format!("    {}:{line} uses {}", pair[0], pair[1])
            })
            .collect();
        format!("{circle}\n{}", steps.join("\n"))
    }
}

fn read_dir(src: &Path, dir: &Path, out: &mut BTreeMap<String, String>) {
    for entry in std::fs::read_dir(dir).expect("readable source folder") {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            read_dir(src, &path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let relative = path.strip_prefix(src).expect("under src");
            let name = relative
                .components()
                .map(|c| c.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/");
            let text = std::fs::read_to_string(&path).expect("readable source");
            out.insert(name, text);
        }
    }
}

/// The module a file is: `lib.rs` the crate, `a/mod.rs` and `a.rs` `a`,
/// `a/b.rs` `a::b`.
fn module_of(file: &str) -> Vec<String> {
    let mut parts: Vec<String> = file
        .trim_end_matches(".rs")
        .split('/')
        .map(str::to_string)
        .collect();
    if parts.last().is_some_and(|p| p == "mod") || parts == ["lib"] || parts == ["main"] {
        parts.pop();
    }
    parts
}

/// `path`, written in `module`, from the crate's root; `None` for a path
/// into another crate.
fn absolute(
    module: &[String],
    path: &[String],
    modules: &BTreeMap<Vec<String>, String>,
) -> Option<Vec<String>> {
    let (first, rest) = path.split_first()?;
    let mut base = module.to_vec();
    let mut rest = rest;
    match first.as_str() {
        "crate" => base.clear(),
        "self" => {}
        "super" => {
            base.pop();
            while let Some((s, r)) = rest.split_first() {
                if s != "super" {
                    break;
                }
                base.pop();
                rest = r;
            }
        }
        child => {
            // A path from a child module of `module`; else another crate's.
            base.push(child.to_string());
            modules.get(&base)?;
        }
    }
    base.extend(rest.iter().cloned());
    Some(base)
}

struct Resolver<'a> {
    modules: &'a BTreeMap<Vec<String>, String>,
    imports: &'a BTreeMap<Vec<String>, BTreeMap<String, Vec<String>>>,
}

impl Resolver<'_> {
    /// The file defining what an absolute path names: down the module files
    /// as far as the path goes, then through what the last module imports.
    fn file_of(&self, path: &[String], depth: usize) -> String {
        let root = self.modules.get(&Vec::new()).cloned().unwrap_or_default();
        let mut module: Vec<String> = Vec::new();
        for (at, segment) in path.iter().enumerate() {
            let mut deeper = module.clone();
            deeper.push(segment.clone());
            if self.modules.contains_key(&deeper) {
                module = deeper;
                continue;
            }
            let imported = self.imports.get(&module).and_then(|i| i.get(segment));
            if let Some(target) = imported.filter(|_| depth < 16) {
                let mut through = target.clone();
                through.extend(path.iter().skip(at + 1).cloned());
                return self.file_of(&through, depth + 1);
            }
            break;
        }
        self.modules.get(&module).cloned().unwrap_or(root)
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Ident(String),
    /// `::`
    PathSep,
    Punct(char),
}

/// The tokens of a file's code with their lines: no comments, strings,
/// characters, lifetimes or numbers.
fn tokens(text: &str) -> Vec<(usize, Token)> {
    let chars: Vec<char> = text.chars().collect();
    let at = |i: usize| chars.get(i).copied().unwrap_or('\0');
    let mut out = Vec::new();
    let mut line = 1;
    let mut i = 0;
    // Skips to the end of a string whose opening quote is at `i`.
    let skip_string = |mut i: usize, line: &mut usize| {
        i += 1;
        while i < chars.len() && at(i) != '"' {
            if at(i) == '\\' {
                i += 1;
            }
            if at(i) == '\n' {
                *line += 1;
            }
            i += 1;
        }
        i + 1
    };
    while i < chars.len() {
        let c = at(i);
        if c == '\n' {
            line += 1;
            i += 1;
        } else if c.is_whitespace() {
            i += 1;
        } else if c == '/' && at(i + 1) == '/' {
            while i < chars.len() && at(i) != '\n' {
                i += 1;
            }
        } else if c == '/' && at(i + 1) == '*' {
            let mut depth = 0;
            while i < chars.len() {
                if at(i) == '/' && at(i + 1) == '*' {
                    depth += 1;
                    i += 2;
                } else if at(i) == '*' && at(i + 1) == '/' {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    if at(i) == '\n' {
                        line += 1;
                    }
                    i += 1;
                }
            }
        } else if c == '"' {
            i = skip_string(i, &mut line);
        } else if c == '\'' {
            if at(i + 1) == '\\' {
                // An escaped character: to the closing quote.
                i += 3;
                while i < chars.len() && at(i) != '\'' {
                    i += 1;
                }
                i += 1;
            } else if at(i + 2) == '\'' {
                i += 3; // a character
            } else {
                i += 1; // a lifetime: its name is skipped as a word
                while at(i).is_alphanumeric() || at(i) == '_' {
                    i += 1;
                }
            }
        } else if c.is_ascii_digit() {
            while at(i).is_alphanumeric() || at(i) == '_' {
                i += 1;
            }
        } else if c.is_alphabetic() || c == '_' {
            let start = i;
            while at(i).is_alphanumeric() || at(i) == '_' {
                i += 1;
            }
            let word: String = chars[start..i].iter().collect();
            let raw = matches!(word.as_str(), "r" | "br" | "cr");
            if matches!(word.as_str(), "b" | "c") && at(i) == '"' {
                i = skip_string(i, &mut line);
            } else if raw && (at(i) == '"' || at(i) == '#') {
                let mut hashes = 0;
                while at(i + hashes) == '#' {
                    hashes += 1;
                }
                if at(i + hashes) == '"' {
                    // A raw string: to `"` and as many `#`.
                    i += hashes + 1;
                    while i < chars.len()
                        && !(at(i) == '"' && (1..=hashes).all(|h| at(i + h) == '#'))
                    {
                        if at(i) == '\n' {
                            line += 1;
                        }
                        i += 1;
                    }
                    i += hashes + 1;
                } else {
                    // A raw identifier (`r#type`).
                    i += 1;
                    let start = i;
                    while at(i).is_alphanumeric() || at(i) == '_' {
                        i += 1;
                    }
                    out.push((line, Token::Ident(chars[start..i].iter().collect())));
                }
            } else {
                out.push((line, Token::Ident(word)));
            }
        } else if c == ':' && at(i + 1) == ':' {
            out.push((line, Token::PathSep));
            i += 2;
        } else {
            out.push((line, Token::Punct(c)));
            i += 1;
        }
    }
    out
}

fn is_ident(token: Option<&(usize, Token)>, word: &str) -> bool {
    matches!(token, Some((_, Token::Ident(w))) if w == word)
}

fn is_punct(token: Option<&(usize, Token)>, c: char) -> bool {
    matches!(token, Some((_, Token::Punct(p))) if *p == c)
}

/// The paths and `use` declarations of a file that is `module`.
fn parse(module: &[String], text: &str, modules: &BTreeMap<Vec<String>, String>) -> Parsed {
    let tokens = tokens(text);
    let mut parsed = Parsed::default();
    // The inline modules we are in, with the brace depth inside each.
    let mut inline: Vec<(String, usize)> = Vec::new();
    let mut depth = 0;
    let mut i = 0;
    while let Some((line, token)) = tokens.get(i) {
        let here: Vec<String> = module
            .iter()
            .cloned()
            .chain(inline.iter().map(|(name, _)| name.clone()))
            .collect();
        match token {
            Token::Punct('#') if is_cfg_test(&tokens, i) => {
                i = end_of_item(&tokens, i + CFG_TEST.len());
                continue;
            }
            Token::Punct('{') => depth += 1,
            Token::Punct('}') => {
                if inline.last().is_some_and(|(_, d)| *d == depth) {
                    inline.pop();
                }
                depth = depth.saturating_sub(1);
            }
            Token::Ident(w) if w == "mod" => {
                if let (Some((_, Token::Ident(name))), true) =
                    (tokens.get(i + 1), is_punct(tokens.get(i + 2), '{'))
                {
                    depth += 1;
                    inline.push((name.clone(), depth));
                    i += 3;
                    continue;
                }
            }
            Token::Ident(w) if w == "use" => {
                let public = is_ident(tokens.get(i.wrapping_sub(1)), "pub")
                    || (is_punct(tokens.get(i.wrapping_sub(1)), ')')
                        && (2..=5).any(|back| {
                            is_ident(tokens.get(i.wrapping_sub(back + 1)), "pub")
                                && is_punct(tokens.get(i.wrapping_sub(back)), '(')
                        }));
                let mut trees = Vec::new();
                i += 1;
                use_tree(&tokens, &mut i, Vec::new(), &mut trees);
                for (path, alias) in trees {
                    let mut path = path;
                    if path.last().is_some_and(|s| s == "self") {
                        path.pop();
                    }
                    let Some(last) = path.last().cloned() else {
                        continue;
                    };
                    parsed.uses.push(Use {
                        line: *line,
                        public,
                        top_level: depth == 0,
                        module: here.clone(),
                        path,
                        name: alias.unwrap_or(last),
                    });
                }
                continue;
            }
            Token::Ident(w) => {
                let starts_path =
                    !matches!(tokens.get(i.wrapping_sub(1)), Some((_, Token::PathSep)))
                        && matches!(tokens.get(i + 1), Some((_, Token::PathSep)));
                let ours = matches!(w.as_str(), "crate" | "super" | "self") || {
                    let mut child = here.clone();
                    child.push(w.clone());
                    modules.contains_key(&child)
                };
                if starts_path && ours {
                    let mut path = vec![w.clone()];
                    let mut j = i + 1;
                    while let (Some((_, Token::PathSep)), Some((_, Token::Ident(s)))) =
                        (tokens.get(j), tokens.get(j + 1))
                    {
                        path.push(s.clone());
                        j += 2;
                    }
                    parsed.paths.push((*line, here.clone(), path));
                    i = j;
                    continue;
                }
            }
            _ => {}
        }
        i += 1;
    }
    parsed
}

/// `#[cfg(test)]`, token by token.
const CFG_TEST: [&str; 7] = ["#", "[", "cfg", "(", "test", ")", "]"];

fn is_cfg_test(tokens: &[(usize, Token)], i: usize) -> bool {
    CFG_TEST
        .iter()
        .enumerate()
        .all(|(k, want)| match tokens.get(i + k) {
            Some((_, Token::Ident(w))) => w == want,
            Some((_, Token::Punct(c))) => want.len() == 1 && want.starts_with(*c),
            _ => false,
        })
}

/// Where the item starting at `tokens[i]` ends: after its `;`, or after the
/// `}` closing its first `{`.
fn end_of_item(tokens: &[(usize, Token)], mut i: usize) -> usize {
    let mut depth = 0;
    while let Some((_, token)) = tokens.get(i) {
        i += 1;
        match token {
            Token::Punct(';') if depth == 0 => break,
            Token::Punct('{') => depth += 1,
            // The end of the block the item is in: not the item's.
            Token::Punct('}') if depth == 0 => return i - 1,
            Token::Punct('}') => {
                depth -= 1;
                if depth == 0 {
                    break;
                }
            }
            _ => {}
        }
    }
    i
}

/// Reads a use tree from `tokens[*i]` to its end (`;`, or the `,` or `}` of
/// the group it is in), with every path it names and its alias.
fn use_tree(
    tokens: &[(usize, Token)],
    i: &mut usize,
    prefix: Vec<String>,
    out: &mut Vec<(Vec<String>, Option<String>)>,
) {
    let mut path = prefix;
    loop {
        match tokens.get(*i) {
            Some((_, Token::PathSep)) => *i += 1,
            Some((_, Token::Ident(segment))) => {
                path.push(segment.clone());
                *i += 1;
                if matches!(tokens.get(*i), Some((_, Token::PathSep))) {
                    continue;
                }
                let alias = match (is_ident(tokens.get(*i), "as"), tokens.get(*i + 1)) {
                    (true, Some((_, Token::Ident(alias)))) => {
                        *i += 2;
                        Some(alias.clone())
                    }
                    _ => None,
                };
                out.push((path, alias));
                break;
            }
            Some((_, Token::Punct('*'))) => {
                path.push("*".to_string());
                out.push((path, None));
                *i += 1;
                break;
            }
            Some((_, Token::Punct('{'))) => {
                *i += 1;
                while !is_punct(tokens.get(*i), '}') && *i < tokens.len() {
                    let before = *i;
                    use_tree(tokens, i, path.clone(), out);
                    if is_punct(tokens.get(*i), ',') || *i == before {
                        *i += 1;
                    }
                }
                *i += 1;
                break;
            }
            _ => break,
        }
    }
    // The end of a whole declaration.
    if is_punct(tokens.get(*i), ';') {
        *i += 1;
    }
}

#[cfg(test)]
mod synthetic {
    use super::*;

    fn circles_of(files: &[(&str, &str)]) -> Vec<String> {
        let sources = files
            .iter()
            .map(|(f, t)| (f.to_string(), t.to_string()))
            .collect();
        Graph::build(&sources).circles().into_iter().collect()
    }

    #[test]
    fn a_circle_is_found_and_printed_from_its_least_file() {
        let files = [
            ("lib.rs", "mod a;\nmod b;\npub use a::A;\n"),
            ("a.rs", "use crate::b::B;\npub struct A(B);\n"),
            ("b.rs", "pub struct B(Option<Box<super::a::A>>);\n"),
        ];
        assert_eq!(circles_of(&files), ["a.rs -> b.rs -> a.rs"]);
        let graph = Graph::build(
            &files
                .iter()
                .map(|(f, t)| (f.to_string(), t.to_string()))
                .collect(),
        );
        assert_eq!(
            graph.explain("a.rs -> b.rs -> a.rs"),
            "a.rs -> b.rs -> a.rs\n    a.rs:1 uses b.rs\n    b.rs:1 uses a.rs"
        );
    }

    #[test]
    fn an_acyclic_graph_passes() {
        let files = [
            ("lib.rs", "mod a;\nmod b;\nmod c;\npub use a::A;\n"),
            ("a.rs", "use crate::{b::B, c::C};\npub struct A(B, C);\n"),
            ("b.rs", "pub struct B(super::c::C);\n"),
            ("c.rs", "pub struct C;\n"),
        ];
        assert!(circles_of(&files).is_empty());
    }

    #[test]
    fn a_longer_circle_and_one_through_a_re_export() {
        // x/mod.rs re-exports its children (no edge), but `super::Two`
        // reaches `x/two.rs` through it.
        let files = [
            ("lib.rs", "mod x;\n"),
            (
                "x/mod.rs",
                "mod one;\nmod three;\nmod two;\npub(crate) use two::Two;\npub use {one::One, three::Three};\n",
            ),
            ("x/one.rs", "use super::Two;\n"),
            ("x/two.rs", "fn f() { crate::x::three::g(); }\n"),
            ("x/three.rs", "pub fn g() { let _ = super::One; }\n"),
        ];
        assert_eq!(
            circles_of(&files),
            ["x/one.rs -> x/two.rs -> x/three.rs -> x/one.rs"]
        );
    }

    #[test]
    fn a_parent_assembling_its_children_is_no_circle() {
        let files = [
            ("lib.rs", "mod t;\npub use t::{Report, Tracker};\n"),
            (
                "t/mod.rs",
                "mod report;\npub use report::Report;\npub struct Tracker;\nfn room() {}\n",
            ),
            (
                "t/report.rs",
                "use super::Tracker;\nfn f() { super::room(); }\npub struct Report;\n",
            ),
        ];
        assert!(circles_of(&files).is_empty());
        // But a parent whose own code uses the child is in a circle with it.
        let files = [
            ("lib.rs", "mod t;\n"),
            (
                "t/mod.rs",
                "mod report;\nfn f() { report::g(); }\npub struct Tracker;\n",
            ),
            ("t/report.rs", "use super::Tracker;\npub fn g() {}\n"),
        ];
        assert_eq!(circles_of(&files), ["t/mod.rs -> t/report.rs -> t/mod.rs"]);
    }

    #[test]
    fn comments_strings_tests_and_inline_modules_are_no_uses() {
        let files = [
            ("lib.rs", "mod a;\nmod b;\n"),
            (
                "a.rs",
                "pub fn f() {}\npub mod inner {\n    use super::*;\n    pub fn g() { super::f(); }\n}\n#[cfg(test)]\nmod tests {\n    use crate::b::*;\n}\n",
            ),
            (
                "b.rs",
                "//! See [`f`](crate::a::f).\n/* crate::a::f */\nconst S: &str = \"crate::a::f\";\nconst R: &str = r#\"crate::a::\"#;\nconst C: char = '{';\nfn g<'a>(x: &'a str) -> &'a str { x }\n",
            ),
        ];
        let graph = Graph::build(
            &files
                .iter()
                .map(|(f, t)| (f.to_string(), t.to_string()))
                .collect(),
        );
        assert_eq!(graph.edge_count(), 0, "{:?}", graph.edges);
    }

    #[test]
    fn use_trees_are_read_whole() {
        let mut i = 0;
        let mut out = Vec::new();
        let tokens = tokens("crate::a::{self, b::{C, D as E}, f::*};");
        use_tree(&tokens, &mut i, Vec::new(), &mut out);
        let paths: Vec<String> = out
            .iter()
            .map(|(p, alias)| format!("{} {alias:?}", p.join("::")))
            .collect();
        assert_eq!(
            paths,
            [
                "crate::a::self None",
                "crate::a::b::C None",
                "crate::a::b::D Some(\"E\")",
                "crate::a::f::* None"
            ]
        );
        assert_eq!(i, tokens.len());
    }
}
