//! Every enum of words (declared with `d1_words!`, `core/src/wire/words.rs`)
//! spells a value the same way everywhere: `as_str`, `Display`, JSON, and
//! `FromStr` reads it back.

use d1_tracking::{AlertCode, BusinessStatus, OperationStatus, Phase, ShipmentPhase, TrackingType};

fn check<T>(all: &[T], spellings: &[&str])
where
    T: std::fmt::Display + std::str::FromStr + serde::Serialize + PartialEq + std::fmt::Debug,
    <T as std::str::FromStr>::Err: std::fmt::Debug,
{
    assert_eq!(all.len(), spellings.len());
    for (value, spelling) in all.iter().zip(spellings) {
        assert_eq!(value.to_string(), *spelling);
        assert_eq!(serde_json::to_value(value).unwrap(), *spelling);
        assert_eq!(&spelling.parse::<T>().unwrap(), value);
    }
}

#[test]
fn every_word_reads_back_and_serialises_as_spelled() {
    check(&TrackingType::ALL, TrackingType::SPELLINGS);
    check(&OperationStatus::ALL, OperationStatus::SPELLINGS);
    check(&ShipmentPhase::ALL, ShipmentPhase::SPELLINGS);
    check(&Phase::ALL, Phase::SPELLINGS);
    check(&AlertCode::ALL, AlertCode::SPELLINGS);
    check(&BusinessStatus::KNOWN, BusinessStatus::SPELLINGS);
    assert_eq!(OperationStatus::ALL.map(OperationStatus::rank), [1, 2, 3]);
    let err = "pending".parse::<OperationStatus>().unwrap_err();
    assert_eq!(err.found(), "pending");
    assert_eq!(err.expected(), OperationStatus::SPELLINGS);
    // An open enum keeps what it does not know.
    let later: BusinessStatus = "CARD_LASER_ENGRAVED".parse().unwrap();
    assert_eq!(
        (later.to_string().as_str(), later.rank()),
        ("CARD_LASER_ENGRAVED", 0)
    );
}

#[test]
fn shipment_phases_match_their_own_spelling_loosely() {
    for phase in ShipmentPhase::ALL {
        assert_eq!(ShipmentPhase::classify(phase.as_str()), phase);
        let loose = phase.as_str().to_lowercase().replace('_', " ");
        assert_eq!(ShipmentPhase::classify(&loose), phase);
    }
}

#[test]
fn other_vocabularies_match_the_stage_they_mean() {
    for (word, phase) in [
        ("pre_transit", ShipmentPhase::InfoReceived),
        ("TRANSIT", ShipmentPhase::InTransit),
        ("in_transit", ShipmentPhase::InTransit),
        ("out_for_delivery", ShipmentPhase::OutForDelivery),
        ("DELIVERED", ShipmentPhase::Delivered),
        ("Delivered_001", ShipmentPhase::Delivered),
        ("InTransit_002", ShipmentPhase::InTransit),
        ("failure", ShipmentPhase::Exception),
        ("FAILURE", ShipmentPhase::Exception),
        ("cancelled", ShipmentPhase::Exception),
        ("FailedAttempt", ShipmentPhase::AttemptFail),
        ("Delivery attempted", ShipmentPhase::AttemptFail),
        ("delivery-failure", ShipmentPhase::AttemptFail),
        ("ReturnToSender", ShipmentPhase::ReturnToSender),
        ("return_to_sender", ShipmentPhase::ReturnToSender),
        ("RETURNED", ShipmentPhase::ReturnToSender),
        ("Returned to sender", ShipmentPhase::ReturnToSender),
        ("Exception_011", ShipmentPhase::ReturnToSender),
        ("Exception_010", ShipmentPhase::ReturnToSender),
        ("Exception_013", ShipmentPhase::Exception),
        ("CustomsHold", ShipmentPhase::Unknown),
        ("007", ShipmentPhase::Unknown),
        ("", ShipmentPhase::Unknown),
    ] {
        assert_eq!(ShipmentPhase::classify(word), phase, "{word}");
    }
}
