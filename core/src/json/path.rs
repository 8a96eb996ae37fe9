//! JSON paths such as `operations[2].details.shipment`, written only when an
//! error names them.

/// A JSON path being built, such as `operations[2].details.shipment`.
pub(crate) fn field(parent: &str, key: &str) -> String {
    let plain = !key.is_empty()
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'$');
    match (parent.is_empty(), plain) {
        (true, true) => key.to_string(),
        (false, true) => format!("{parent}.{key}"),
        (_, false) => format!(
            "{parent}[{}]",
            serde_json::to_string(key).unwrap_or_default()
        ),
    }
}

pub(crate) fn index(parent: &str, i: usize) -> String {
    format!("{parent}[{i}]")
}

/// A JSON path that is only written out when an error names it: reading a
/// valid operation builds no string.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Path<'a> {
    /// A path already written.
    Text(&'a str),
    /// `parent[i]`.
    Index(&'a str, usize),
    /// `parent.key`.
    Field(&'a Path<'a>, &'a str),
}

impl Path<'_> {
    /// The path, written.
    pub(crate) fn render(&self) -> String {
        match self {
            Path::Text(p) => p.to_string(),
            Path::Index(parent, i) => index(parent, *i),
            Path::Field(parent, key) => field(&parent.render(), key),
        }
    }

    /// The path of member `key`, written.
    pub(crate) fn field(&self, key: &str) -> String {
        field(&self.render(), key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_quote_unusual_keys() {
        assert_eq!(field("operations[0]", "cardId"), "operations[0].cardId");
        assert_eq!(field("x", "a b"), "x[\"a b\"]");
        assert_eq!(field("", "operations"), "operations");
    }
}
