//! The bounds walk: string lengths and nesting depth of a parsed value.

use super::{field, index, Node, Path};
use crate::error::{limit, Error};

/// Checks string lengths and nesting depth of a whole value, naming the
/// first offending place. Recursion is bounded: `serde_json` refuses input
/// nested deeper than 128, and the walk stops at `max_depth`.
pub(crate) fn check_bounds(
    value: &Node<'_>,
    path: &Path<'_>,
    max_string: usize,
    max_depth: usize,
) -> Result<(), Error> {
    walk(value, 1, max_string, max_depth).map_err(|(mut steps, message)| {
        let mut p = path.render();
        while let Some(step) = steps.pop() {
            p = match step {
                Step::Key(k) => field(&p, &k),
                Step::Index(i) => index(&p, i),
            };
        }
        limit(&p, message)
    })
}

enum Step {
    Key(String),
    Index(usize),
}

/// On error: the steps from the offending place up to the root, and why.
fn walk(
    v: &Node<'_>,
    depth: usize,
    max_string: usize,
    max_depth: usize,
) -> Result<(), (Vec<Step>, String)> {
    match v {
        Node::String(s) if s.len() > max_string => Err((
            Vec::new(),
            format!(
                "a string of {} bytes is longer than the limit (maxStringBytes) of {max_string}",
                s.len()
            ),
        )),
        Node::Object(_) | Node::Array(_) if depth > max_depth => Err((
            Vec::new(),
            format!("nesting deeper than the limit (maxDepth) of {max_depth}"),
        )),
        Node::Object(members) => {
            for (k, child) in members {
                if k.len() > max_string {
                    // The path names the object: the key itself is what is too long.
                    return Err((
                        Vec::new(),
                        format!(
                            "a key of {} bytes is longer than the limit (maxStringBytes) of {max_string}",
                            k.len()
                        ),
                    ));
                }
                walk(child, depth + 1, max_string, max_depth).map_err(|(mut steps, m)| {
                    steps.push(Step::Key(k.to_string()));
                    (steps, m)
                })?;
            }
            Ok(())
        }
        Node::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                walk(child, depth + 1, max_string, max_depth).map_err(|(mut steps, m)| {
                    steps.push(Step::Index(i));
                    (steps, m)
                })?;
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds_name_the_offending_place() {
        let v: Node = serde_json::from_str(r#"{"a":{"b":["ok","toolong"]}}"#).expect("valid JSON");
        let err = check_bounds(&v, &Path::Index("operations", 0), 5, 16).unwrap_err();
        assert_eq!(err.path(), Some("operations[0].a.b[1]"));
        let err = check_bounds(&v, &Path::Text("op"), 100, 2).unwrap_err();
        assert_eq!(err.path(), Some("op.a.b"));
    }
}
