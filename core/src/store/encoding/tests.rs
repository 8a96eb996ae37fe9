//! The encoding against the canonical text: it decodes back exactly, its
//! fields read back, and compact comparisons agree with parsed ones.

// Compiled for the tests only (its parent declares it under `cfg(test)`).
#[cfg(test)]
use proptest::prelude::*;
use serde_json::{json, Value};

use super::*;
use crate::json::write_canonical;
use crate::store::dictionary::DICTIONARY;
use crate::wire::is_known;

fn words() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        prop::sample::select(DICTIONARY.to_vec()).prop_map(str::to_string),
        "[a-zA-Z0-9 _\"\\\\\n\u{e9}\u{1F600}-]{0,12}",
    ]
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        words().prop_map(Value::from),
    ];
    leaf.prop_recursive(4, 32, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
            prop::collection::btree_map(words(), inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// An operation-like object: the documented members (any values) among
/// unknown ones.
fn operation() -> impl Strategy<Value = Value> {
    let member = |key: &'static str| (Just(key), json_value());
    (
        prop::collection::btree_map(words(), json_value(), 0..4),
        prop::collection::vec(
            prop_oneof![
                member("cardId"),
                member("operationId"),
                member("startTime"),
                member("endTime"),
                member("error"),
                member("errorCode"),
                member("issuerRequestId"),
                member("inputFileName"),
                member("details"),
            ],
            0..6,
        ),
        prop::collection::btree_map(words(), json_value(), 0..3),
        prop::collection::btree_map(words(), json_value(), 0..3),
    )
        .prop_map(|(unknown, known, details, shipment)| {
            let mut op: serde_json::Map<String, Value> = unknown.into_iter().collect();
            for (k, v) in known {
                op.insert(k.to_string(), v);
            }
            let mut details: serde_json::Map<String, Value> = details.into_iter().collect();
            details.insert(
                "shipment".into(),
                Value::Object(shipment.into_iter().collect()),
            );
            op.insert("details".into(), Value::Object(details));
            Value::Object(op)
        })
}

fn id_of(op: &Value, key: &str) -> String {
    op.get(key)
        .and_then(Value::as_str)
        .filter(|s| is_plain(s))
        .unwrap_or_default()
        .to_string()
}

proptest! {
    /// Decoding gives back the canonical text exactly, and the length
    /// reported is its length.
    #[test]
    fn decoding_restores_the_canonical_text(op in operation()) {
        let node = Node::from_value(&op);
        let mut canonical = String::new();
        write_canonical(&node, &mut canonical);
        let (encoded, len) = encode(&node, &mut String::new()).expect("small");
        prop_assert_eq!(len, canonical.len());
        prop_assert!(encoded.text.len() <= canonical.len());
        let decoded = encoded.canonical(&id_of(&op, "cardId"), &id_of(&op, "operationId"));
        prop_assert_eq!(decoded, canonical);
    }

    /// Every field reads back as the value it came from.
    #[test]
    fn fields_read_back(op in operation()) {
        let node = Node::from_value(&op);
        let (encoded, _) = encode(&node, &mut String::new()).expect("small");
        let shipment = &op["details"]["shipment"];
        let checks: [(Member, &Value); 10] = [
            (Member::IssuerRequestId, &op["issuerRequestId"]),
            (Member::InputFileName, &op["inputFileName"]),
            (Member::StartTime, &op["startTime"]),
            (Member::EndTime, &op["endTime"]),
            (Member::Error, &op["error"]),
            (Member::ErrorCode, &op["errorCode"]),
            (Member::DetailsStatus, &op["details"]["status"]),
            (Member::Carrier, &shipment["carrier"]),
            (Member::ShipmentStatus, &shipment["status"]),
            (Member::TrackingUrl, &shipment["trackingUrl"]),
        ];
        for (field, value) in checks {
            // An empty code or word is absent, as null is (the encoder's rule).
            let empty_code =
                value.as_str() == Some("") && matches!(field.kind(), Kind::Code | Kind::Word);
            prop_assert_eq!(encoded.has(field), !value.is_null() && !empty_code, "{:?}", field);
            if empty_code {
                prop_assert_eq!(encoded.text(field), None);
            } else if let Value::String(s) = value {
                prop_assert_eq!(encoded.text(field), Some(s.as_str()), "{:?}", field);
            } else if !value.is_null() {
                prop_assert_eq!(encoded.raw(field).map(CompactValue::to_value), Some(value.clone()));
            }
        }
        prop_assert_eq!(encoded.raw(Member::Shipment).map(CompactValue::to_value), Some(shipment.clone()));
    }

    /// Comparing an object's members but the known ones in compact form
    /// agrees with comparing them parsed; changing a known member never
    /// matters.
    #[test]
    fn same_members_but_agrees_with_parsing(a in operation(), b in operation(), status in words()) {
        let unknown = |r: CompactValue<'_>| -> serde_json::Map<String, Value> {
            r.to_value().as_object().into_iter().flatten()
                .filter(|(k, _)| !is_known(Place::Details, k))
                .map(|(k, v)| (k.clone(), v.clone())).collect()
        };
        let mut a2 = a.clone();
        a2["details"]["status"] = Value::from(status);
        let (ea, _) = encode(&Node::from_value(&a), &mut String::new()).expect("small");
        let (ea2, _) = encode(&Node::from_value(&a2), &mut String::new()).expect("small");
        let (eb, _) = encode(&Node::from_value(&b), &mut String::new()).expect("small");
        let (ra, ra2, rb) = (ea.raw(Member::Details).expect("details"), ea2.raw(Member::Details).expect("details"), eb.raw(Member::Details).expect("details"));
        prop_assert!(ra.same_members_but(ra2, Place::Details));
        prop_assert_eq!(ra.same_members_but(rb, Place::Details), unknown(ra) == unknown(rb));
    }
}

#[test]
fn dictionary_indices_are_positions() {
    for (i, word) in DICTIONARY.iter().enumerate() {
        assert_eq!(dictionary_index(word), Some(i as u8));
        assert!(is_plain(word) && word.len() >= 2);
    }
    assert!(DICTIONARY.len() < 256);
}

#[test]
fn a_typical_update_shrinks_by_about_half() {
    let op = json!({"cardId":"card-0000001","details":{"shipment":{"carrier":"ups",
        "message":"Update 1 from the carrier","status":"InTransit",
        "trackingNumber":"1Z999AA10000000001",
        "trackingUrl":"https://carrier.example/track/1Z999AA10000000001"},
        "status":"CARD_SHIPPED","trackingType":"SHIPMENT"},
        "endTime":"2026-03-04T08:07:00.000Z","operation":"STANDALONE_TRACKING",
        "operationId":"ship-0000001-4f7e-9a55-0d1e2f","startTime":"2026-03-02T09:00:00.000Z",
        "status":"SUCCESSFUL"});
    let (encoded, len) = encode(&Node::from_value(&op), &mut String::new()).expect("small");
    assert!(
        encoded.text.len() * 100 < len * 55,
        "{} of {len}",
        encoded.text.len()
    );
}
