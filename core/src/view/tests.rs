//! Every row of the member table (`wire/members.rs`) is validated, shown
//! and compared: a member added to the table and forgotten by one of the
//! places that expand it fails here, not silently.

// Compiled for the tests only (its parent declares it under `cfg(test)`).
#[cfg(test)]
use serde_json::{json, Value};

use super::operation::ViewRef;
use super::shipment::ShipmentRef;
use crate::error::ErrorCode;
use crate::json::{Node, Path};
use crate::store::{intake, Intake, OperationState};
use crate::wire::{Kept, Kind, Member, Place, TrackingType};

/// A valid `FAILED` notification (so that the fields of failures show)
/// with a shipment.
fn base() -> Value {
    json!({"operationId":"op-1","operation":"STANDALONE_TRACKING","status":"FAILED",
        "startTime":"2026-03-01T08:00:00Z","cardId":"card-1",
        "details":{"trackingType":"SHIPMENT","shipment":{"carrier":"ups"}}})
}

/// `base` with `member` set to `value`.
fn with(member: Member, value: Value) -> Value {
    let mut op = base();
    let object = match member.place() {
        Place::Top => &mut op,
        Place::Details => &mut op["details"],
        Place::Shipment => &mut op["details"]["shipment"],
    };
    object[member.key()] = value;
    op
}

/// `base` with `member` showing `value`: for `details` itself, as an
/// unknown member of it (what the view shows of `details`).
fn showing(member: Member, value: Value) -> Value {
    if member == Member::Details {
        let mut op = base();
        op["details"]["novel"] = value;
        return op;
    }
    with(member, value)
}

/// Two different values of the member's kind, as D1 could send them.
fn probes(member: Member) -> [Value; 2] {
    match member.kind() {
        Kind::Time => [json!("2026-03-02T08:00:00Z"), json!("2026-03-03T09:00:00Z")],
        Kind::Code | Kind::Word | Kind::Text => [json!("probe-a"), json!("probe-b")],
        Kind::Json => [json!({"site": "probe-a"}), json!({"site": "probe-b"})],
        Kind::Object if member == Member::Details => [json!("probe-a"), json!("probe-b")],
        Kind::Object => [json!({"probe": "probe-a"}), json!({"probe": "probe-b"})],
    }
}

fn take_in(op: &Value) -> Result<OperationState, crate::Error> {
    let node = Node::from_value(op);
    let path = Path::Text("op");
    let config = crate::config::Config::default();
    match intake(&node, &path, &config, &mut String::new(), false)? {
        Intake::Fold(t) => {
            let mut state = OperationState::default();
            state.insert(t.stored, 8);
            Ok(state)
        }
        Intake::Ignored { .. } => panic!("a tracking notification"),
    }
}

fn view(state: &OperationState) -> ViewRef<'_> {
    ViewRef::of(TrackingType::Shipment, state, "op-1", None, false).expect("a view")
}

#[test]
fn every_member_is_validated() {
    for member in Member::ALL {
        let result = take_in(&with(member, json!(true)));
        if member.kind() == Kind::Json {
            assert!(result.is_ok(), "{member:?} takes any JSON");
            continue;
        }
        let err = result.expect_err(&format!("{member:?} refuses a boolean"));
        assert_eq!(err.code(), ErrorCode::FieldInvalidFormat, "{member:?}");
        let path = err.path().unwrap_or_default();
        assert!(path.ends_with(member.key()), "{member:?}: {path}");
    }
}

#[test]
fn every_kept_member_is_shown_and_compared() {
    for member in Member::ALL {
        if member.kept() == Kept::No {
            continue;
        }
        let [a, b] = probes(member);
        let (state_a, state_b) = (
            take_in(&showing(member, a.clone())).expect("valid"),
            take_in(&showing(member, b)).expect("valid"),
        );
        let (view_a, view_b) = (view(&state_a), view(&state_b));
        let shown = serde_json::to_string(&view_a.to_view()).expect("serialises");
        let probe = a.to_string();
        let probe = probe.trim_matches('"').trim_start_matches('{');
        assert!(shown.contains(probe), "{member:?} is not shown: {shown}");
        assert!(view_a.same(&view(&state_a)), "{member:?}");
        assert!(!view_a.same(&view_b), "{member:?} is not compared");
    }
}

/// The shipment's JSON, built directly, is its serialised view, under
/// either of serde_json's map orders.
#[test]
fn shipment_json_is_the_serialised_view() {
    let shipments = [
        json!({"carrier": "ups", "status": "In \"transit\"", "message": ""}),
        json!({"trackingNumber": "1Z", "status": "Delivered", "novel": [1, {"a": null}]}),
        json!({}),
    ];
    for shipment in shipments {
        let mut op = base();
        op["details"]["shipment"] = shipment;
        let state = take_in(&op).expect("valid");
        let s = ShipmentRef::of(&view(&state).witnesses()).expect("a shipment");
        assert_eq!(
            s.to_value(),
            serde_json::to_value(s.to_view()).expect("serialises")
        );
    }
}

/// A code D1 documents as text may come as an integer: it is read as its
/// JSON text, shown as a string and compared; a number that may not be
/// the one sent (a fraction, an exponent, beyond 64 bits) is refused at its
/// path, and every other kind refuses any number.
#[test]
fn codes_take_integers_as_their_text() {
    for member in Member::ALL {
        let integer = with(member, json!(794_612_345_678_u64));
        match member.kind() {
            Kind::Code => {
                let state = take_in(&integer).expect("an integer code");
                let shown = serde_json::to_string(&view(&state).to_view()).expect("serialises");
                if member.kept() != Kept::No {
                    assert!(shown.contains("\"794612345678\""), "{member:?}: {shown}");
                }
                let other = take_in(&with(member, json!(-12))).expect("a negative integer");
                assert!(!view(&state).same(&view(&other)), "{member:?}");
                for refused in [json!(7.5), json!(1e30), json!(12345678901234567890123_f64)] {
                    let err = take_in(&with(member, refused)).expect_err("not exact");
                    assert_eq!(err.code(), ErrorCode::FieldInvalidFormat, "{member:?}");
                }
            }
            Kind::Json => {}
            _ => {
                let err = take_in(&integer).expect_err(&format!("{member:?} refuses a number"));
                assert_eq!(err.code(), ErrorCode::FieldInvalidFormat, "{member:?}");
            }
        }
    }
}
