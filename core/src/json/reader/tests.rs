//! The direct reader against `serde_json`: where it accepts input it reads
//! it as `serde_json` does, and the combined reader always does.

// Compiled for the tests only (its parent declares it under `cfg(test)`).
#[cfg(test)]
use super::*;
use proptest::prelude::*;

/// The extent of a value, by walking it.
fn measured(node: &Node<'_>) -> Extent {
    let mut extent = Extent::default();
    let mut children = |items: &mut dyn Iterator<Item = &Node<'_>>| {
        for child in items {
            let e = measured(child);
            extent.longest_string = extent.longest_string.max(e.longest_string);
            extent.depth = extent.depth.max(e.depth + 1);
        }
        extent.depth = extent.depth.max(1);
    };
    match node {
        Node::String(s) => {
            return Extent {
                longest_string: s.len(),
                depth: 0,
            }
        }
        Node::Array(items) => children(&mut items.iter()),
        Node::Object(members) => {
            children(&mut members.iter().map(|(_, v)| v));
            let keys = members.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
            extent.longest_string = extent.longest_string.max(keys);
        }
        _ => {}
    }
    extent
}

fn serde(text: &str) -> Option<Node<'_>> {
    serde_json::from_str(text).ok()
}

/// Where the direct reader accepts, it agrees with serde_json; the
/// combined reader always does.
fn agrees(text: &str) {
    let direct = read_direct(text.as_bytes());
    if let Some((node, _)) = &direct {
        assert_eq!(
            Some(node.rounded()),
            serde(text),
            "direct reader on {text:?}"
        );
    }
    assert_eq!(
        read_node(text.as_bytes()).ok().map(|n| n.rounded()),
        serde(text),
        "combined reader on {text:?}"
    );
}

#[test]
fn reads_what_d1_sends_directly() {
    let body = r#" {"operations": [ {"operationId":"a-1","status":"PENDING","n":[1,-2,0,18446744073709551615],
            "details":{"trackingType":"SHIPMENT","shipment":{"message":"caf\u00e9 \"x\"\n\/ \t"}},"b":true,"c":false,"d":null,
            "z":{},"y":[],"a":"dup","a":"later"} ] } "#;
    assert!(read_direct(body.as_bytes()).is_some());
    agrees(body);
}

#[test]
fn gives_up_where_serde_json_decides() {
    for text in [
        "1.5",
        "-0",
        "1e3",
        "-9223372036854775808",
        r#""\ud83d\ude00""#,
        r#""\ud800""#,
        "[".repeat(101).as_str(),
    ] {
        assert!(read_direct(text.as_bytes()).is_none(), "{text}");
        agrees(text);
    }
}

/// An integer beyond 64 bits is kept as its literal, where serde_json
/// would round it through `f64` (README, "Leniency").
#[test]
fn keeps_integers_beyond_64_bits_exactly() {
    for text in [
        "18446744073709551616",
        "-9223372036854775809",
        "9400111899223197428490",
    ] {
        let (node, _) = read_direct(text.as_bytes()).expect("read directly");
        assert_eq!(node, Node::Integer(text.into()), "{text}");
    }
}

#[test]
fn refuses_what_is_not_json() {
    for text in [
        "",
        " ",
        "{",
        "{\"a\"}",
        "{\"a\":1,}",
        "[1,]",
        "[1 2]",
        "01",
        "-",
        "+1",
        "tru",
        "nul",
        "\"a\u{1}\"",
        "\"a",
        r#""\x""#,
        r#""\u12""#,
        r#""\u12G4""#,
        "{} {}",
        "{'a':1}",
        "[1]x",
        "\u{feff}{}",
    ] {
        assert!(read_direct(text.as_bytes()).is_none(), "{text:?}");
        agrees(text);
    }
    assert!(read_node(b"{\"a\":\"\xff\"}").is_err());
}

#[test]
fn agrees_on_escapes_and_numbers() {
    for text in [
        r#""\u0000\u001f\u00e9\uffff\u0041""#,
        r#"["\\", "\"", "\/", "\b\f\n\r\t"]"#,
        r#"{"k\u0065y":"v","key":"w"}"#,
        "9223372036854775808",
        "[0,-1,10,-10]",
        "\"é ü 😀\"",
    ] {
        assert!(read_direct(text.as_bytes()).is_some(), "{text}");
        agrees(text);
    }
}

/// Pieces of JSON and of near-JSON, glued at random: most results are
/// not JSON, and the rest exercise nesting, escapes and numbers.
const PIECES: &[&str] = &[
    "{",
    "}",
    "[",
    "]",
    ":",
    ",",
    " ",
    "\n",
    "\"",
    "\\",
    "\"a\"",
    "\"b\"",
    "\"\\u00e9\"",
    "\"\\ud83d\\ude00\"",
    "\"\\n\"",
    "\\u0041",
    "\\",
    "1",
    "-1",
    "0",
    "-0",
    "01",
    "1.5",
    "1e2",
    "18446744073709551615",
    "18446744073709551616",
    "-9223372036854775808",
    "true",
    "false",
    "null",
    "nul",
    "é",
    "\u{1}",
    "\"\\udc00\"",
];

fn json_value() -> impl Strategy<Value = serde_json::Value> {
    use serde_json::Value;
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<String>().prop_map(Value::String),
        "[a-z\"\\\\/\n\t\u{0}-\u{1f}é😀]{0,12}".prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec(("[a-c]{0,2}", inner), 0..6)
                .prop_map(|members| Value::Object(members.into_iter().collect())),
        ]
    })
}

/// Valid JSON text, with scalars the direct reader must leave to
/// serde_json among those it reads, and white space anywhere.
fn json_text() -> impl Strategy<Value = String> {
    const SCALARS: &[&str] = &[
        "null",
        "true",
        "false",
        "0",
        "7",
        "-7",
        "-0",
        "1.5",
        "-2.5e-3",
        "1E2",
        "0.0",
        "18446744073709551615",
        "18446744073709551616",
        "-9223372036854775807",
        "-9223372036854775808",
        "-9223372036854775809",
        "\"\"",
        "\"a\"",
        "\"\\u00e9\\n\"",
        "\"\\ud83d\\ude00\"",
        "\"\\u0000\"",
        "\"\\\"\\/\"",
        "\"é😀\"",
    ];
    const SPACE: &[&str] = &["", "", " ", "\n", "\t ", "\r\n"];
    let space = || prop::sample::select(SPACE);
    let leaf = prop::sample::select(SCALARS).prop_map(str::to_string);
    leaf.prop_recursive(5, 64, 6, move |inner| {
        prop_oneof![
            prop::collection::vec((space(), inner.clone(), space()), 0..6).prop_map(|items| {
                let items: Vec<String> = items
                    .into_iter()
                    .map(|(a, v, b)| format!("{a}{v}{b}"))
                    .collect();
                format!("[{}]", items.join(","))
            }),
            prop::collection::vec(
                (
                    prop::sample::select(&["a", "b", "a\\u0062", ""][..]),
                    space(),
                    inner
                ),
                0..6
            )
            .prop_map(|members| {
                let members: Vec<String> = members
                    .into_iter()
                    .map(|(k, w, v)| format!("{w}\"{k}\"{w}:{w}{v}{w}"))
                    .collect();
                format!("{{{}}}", members.join(","))
            }),
        ]
    })
}

proptest! {
    #[test]
    fn valid_json_reads_as_serde_json_reads_it(text in json_text()) {
        prop_assert!(agrees_with_serde_json(text.as_bytes()), "{}", text);
        // Of the text: a key given twice may hide a longer or deeper
        // value than the one kept, never the other way round.
        if let Some((node, extent)) = read_direct(text.as_bytes()) {
            let kept = measured(&node);
            prop_assert!(extent.longest_string >= kept.longest_string && extent.depth >= kept.depth);
        }
        let combined = read_node(text.as_bytes());
        prop_assert!(combined.is_ok(), "{}", text);
        prop_assert_eq!(combined.ok().map(|n| n.rounded()), serde(&text));
    }

    #[test]
    fn glued_pieces_read_as_serde_json_reads_them(
        picks in prop::collection::vec(0..PIECES.len(), 0..24)
    ) {
        let text: String = picks.iter().filter_map(|&i| PIECES.get(i).copied()).collect();
        prop_assert!(agrees_with_serde_json(text.as_bytes()), "{:?}", text);
        prop_assert_eq!(read_node(text.as_bytes()).ok().map(|n| n.rounded()), serde(&text));
    }

    #[test]
    fn written_json_is_read_directly_and_identically(value in json_value(), pretty in any::<bool>()) {
        let text = if pretty {
            serde_json::to_string_pretty(&value)
        } else {
            serde_json::to_string(&value)
        }
        .expect("a value prints");
        // i64::MIN is the one integer left to serde_json.
        let direct = read_direct(text.as_bytes());
        if let Some((node, extent)) = &direct {
            prop_assert_eq!(*extent, measured(node));
        }
        prop_assert!(direct.is_some() || text.contains("-9223372036854775808"), "{}", text);
        prop_assert!(agrees_with_serde_json(text.as_bytes()), "{}", text);
    }
}
