//! The field table against the serialised view.

// Compiled for the tests only (its parent declares it under `cfg(test)`).
#[cfg(test)]
use super::super::fields::VIEW_FIELDS;
use super::ViewRef;
use crate::store::{intake, Intake, OperationState};

#[test]
fn the_field_table_names_every_serialised_field_but_notifications() {
    let op: crate::json::Node = serde_json::from_str(
        r#"{"operationId":"op-1","operation":"STANDALONE_TRACKING","status":"PENDING",
        "startTime":"2026-03-01T08:00:00Z","cardId":"card-1",
        "details":{"trackingType":"SHIPMENT","novel":1}}"#,
    )
    .expect("JSON");
    let config = crate::config::Config::default();
    let path = crate::json::Path::Text("op");
    let Ok(Intake::Fold(t)) = intake(&op, &path, &config, &mut String::new(), false) else {
        panic!("a valid notification");
    };
    let mut state = OperationState::default();
    state.insert(t.stored, 8);
    let view = ViewRef::of(
        crate::wire::TrackingType::Shipment,
        &state,
        "op-1",
        None,
        false,
    )
    .expect("a view")
    .to_view();
    let json = serde_json::to_value(view).expect("serialises");
    let mut names: Vec<&str> = json
        .as_object()
        .expect("an object")
        .keys()
        .map(String::as_str)
        .filter(|k| *k != "notifications")
        .collect();
    names.sort_unstable();
    let table: Vec<&str> = VIEW_FIELDS.iter().map(|(name, _)| *name).collect();
    assert_eq!(names, table);
}
