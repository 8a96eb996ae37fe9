//! The realistic sequences among the vectors carry `staffExpect`: what a
//! bank's operations staff expect to see, written from D1's pages and the
//! carriers' vocabularies before the fold ran (tests/vectors/README.md).
//! The blessed `expect` must agree with it: the phase, the alert codes, and
//! the shipment fields staff named.

use d1_tracking_test_support::vectors::vectors;
use serde_json::Value;

#[test]
fn the_fold_shows_what_staff_expect() {
    let mut checked = 0;
    let mut failures = Vec::new();
    for (path, vector) in vectors() {
        let Some(staff) = vector.get("staffExpect") else {
            continue;
        };
        checked += 1;
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default();
        let cards = vector["expect"]["cards"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let Some(card) = cards.first() else {
            failures.push(format!("{name}: no card"));
            continue;
        };
        if card["phase"] != staff["phase"] {
            failures.push(format!(
                "{name}: phase {} where staff expect {}",
                card["phase"], staff["phase"]
            ));
        }
        let codes = |alerts: &Value| {
            let mut c: Vec<String> = alerts
                .as_array()
                .into_iter()
                .flatten()
                .map(|a| {
                    a.get("code")
                        .unwrap_or(a)
                        .as_str()
                        .unwrap_or_default()
                        .to_string()
                })
                .collect();
            c.sort();
            c
        };
        if codes(&card["alerts"]) != codes(&staff["alerts"]) {
            failures.push(format!(
                "{name}: alerts {:?} where staff expect {:?}",
                codes(&card["alerts"]),
                codes(&staff["alerts"])
            ));
        }
        for (kind, fields) in staff["shipment"].as_object().into_iter().flatten() {
            for (field, want) in fields.as_object().into_iter().flatten() {
                let got = &card["trackings"][kind]["shipment"][field];
                if got != want {
                    failures.push(format!(
                        "{name}: {kind} shipment.{field} {got} where staff expect {want}"
                    ));
                }
            }
        }
    }
    assert!(checked >= 40, "only {checked} realistic sequences");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
