//! The numbers C programs branch on (`D1T_TRACKING_*`, `D1T_STATUS_*`,
//! `D1T_SHIPMENT_*`, `D1T_PHASE_*`), each declared once with the core's
//! value it stands for, and the conversions both ways.

use core_api::{OperationStatus, Phase, ShipmentPhase, TrackingType};

use crate::result::{Failure, D1T_ERR_INVALID_ARGUMENT};

/// PRODUCTION tracking.
pub const D1T_TRACKING_PRODUCTION: u32 = 1;
/// SHIPMENT tracking.
pub const D1T_TRACKING_SHIPMENT: u32 = 2;
/// RETURN tracking.
pub const D1T_TRACKING_RETURN: u32 = 3;
/// The card order (`operation = PRODUCE`), an entry beside the tracking
/// types.
pub const D1T_TRACKING_PRODUCE: u32 = 4;
/// Operations none of whose notifications names a tracking type.
pub const D1T_TRACKING_UNTYPED: u32 = 5;
/// A kind this header does not know (a newer library).
pub const D1T_TRACKING_UNKNOWN: u32 = 0;

/// Every kind with its number, declared once.
const KINDS: [(TrackingType, u32); 5] = [
    (TrackingType::Production, D1T_TRACKING_PRODUCTION),
    (TrackingType::Shipment, D1T_TRACKING_SHIPMENT),
    (TrackingType::Return, D1T_TRACKING_RETURN),
    (TrackingType::Produce, D1T_TRACKING_PRODUCE),
    (TrackingType::Untyped, D1T_TRACKING_UNTYPED),
];

/// Operation status `PENDING`.
pub const D1T_STATUS_PENDING: u32 = 1;
/// Operation status `SUCCESSFUL`.
pub const D1T_STATUS_SUCCESSFUL: u32 = 2;
/// Operation status `FAILED`.
pub const D1T_STATUS_FAILED: u32 = 3;
/// An operation status this header does not know (a newer library).
pub const D1T_STATUS_UNKNOWN: u32 = 0;

/// Shipment phase: absent or unknown carrier status.
pub const D1T_SHIPMENT_UNKNOWN: u32 = 0;
/// Shipment phase `PENDING`.
pub const D1T_SHIPMENT_PENDING: u32 = 1;
/// Shipment phase `INFO_RECEIVED`.
pub const D1T_SHIPMENT_INFO_RECEIVED: u32 = 2;
/// Shipment phase `IN_TRANSIT`.
pub const D1T_SHIPMENT_IN_TRANSIT: u32 = 3;
/// Shipment phase `EXCEPTION`.
pub const D1T_SHIPMENT_EXCEPTION: u32 = 4;
/// Shipment phase `ATTEMPT_FAIL`.
pub const D1T_SHIPMENT_ATTEMPT_FAIL: u32 = 5;
/// Shipment phase `EXPIRED`.
pub const D1T_SHIPMENT_EXPIRED: u32 = 6;
/// Shipment phase `OUT_FOR_DELIVERY`.
pub const D1T_SHIPMENT_OUT_FOR_DELIVERY: u32 = 7;
/// Shipment phase `AVAILABLE_FOR_PICKUP`.
pub const D1T_SHIPMENT_AVAILABLE_FOR_PICKUP: u32 = 8;
/// Shipment phase `DELIVERED`.
pub const D1T_SHIPMENT_DELIVERED: u32 = 9;
/// Shipment phase `RETURN_TO_SENDER`.
pub const D1T_SHIPMENT_RETURN_TO_SENDER: u32 = 10;

/// Card phase unknown to this header (a newer library).
pub const D1T_PHASE_UNKNOWN: u32 = 0;
/// `TRACKING_REQUESTED`.
pub const D1T_PHASE_TRACKING_REQUESTED: u32 = 1;
/// `TRACKING`.
pub const D1T_PHASE_TRACKING: u32 = 2;
/// `IN_PRODUCTION`.
pub const D1T_PHASE_IN_PRODUCTION: u32 = 3;
/// `PRODUCED`.
pub const D1T_PHASE_PRODUCED: u32 = 4;
/// `SHIPPED`.
pub const D1T_PHASE_SHIPPED: u32 = 5;
/// `IN_TRANSIT`.
pub const D1T_PHASE_IN_TRANSIT: u32 = 6;
/// `OUT_FOR_DELIVERY`.
pub const D1T_PHASE_OUT_FOR_DELIVERY: u32 = 7;
/// `AVAILABLE_FOR_PICKUP`.
pub const D1T_PHASE_AVAILABLE_FOR_PICKUP: u32 = 8;
/// `DELIVERY_EXCEPTION`.
pub const D1T_PHASE_DELIVERY_EXCEPTION: u32 = 9;
/// `DELIVERED`.
pub const D1T_PHASE_DELIVERED: u32 = 10;
/// `CANCELED`.
pub const D1T_PHASE_CANCELED: u32 = 11;
/// `FAILED`.
pub const D1T_PHASE_FAILED: u32 = 12;
/// `RETURNED`.
pub const D1T_PHASE_RETURNED: u32 = 13;
/// `PRODUCTION_EXCEPTION`.
pub const D1T_PHASE_PRODUCTION_EXCEPTION: u32 = 14;
/// `RETURNING`.
pub const D1T_PHASE_RETURNING: u32 = 15;

/// Every card phase with its number and its NUL-terminated name.
const PHASES: [(Phase, u32, &str); 15] = [
    (
        Phase::TrackingRequested,
        D1T_PHASE_TRACKING_REQUESTED,
        "TRACKING_REQUESTED\0",
    ),
    (Phase::Tracking, D1T_PHASE_TRACKING, "TRACKING\0"),
    (
        Phase::InProduction,
        D1T_PHASE_IN_PRODUCTION,
        "IN_PRODUCTION\0",
    ),
    (Phase::Produced, D1T_PHASE_PRODUCED, "PRODUCED\0"),
    (Phase::Shipped, D1T_PHASE_SHIPPED, "SHIPPED\0"),
    (Phase::InTransit, D1T_PHASE_IN_TRANSIT, "IN_TRANSIT\0"),
    (
        Phase::OutForDelivery,
        D1T_PHASE_OUT_FOR_DELIVERY,
        "OUT_FOR_DELIVERY\0",
    ),
    (
        Phase::AvailableForPickup,
        D1T_PHASE_AVAILABLE_FOR_PICKUP,
        "AVAILABLE_FOR_PICKUP\0",
    ),
    (
        Phase::DeliveryException,
        D1T_PHASE_DELIVERY_EXCEPTION,
        "DELIVERY_EXCEPTION\0",
    ),
    (Phase::Delivered, D1T_PHASE_DELIVERED, "DELIVERED\0"),
    (Phase::Canceled, D1T_PHASE_CANCELED, "CANCELED\0"),
    (Phase::Failed, D1T_PHASE_FAILED, "FAILED\0"),
    (Phase::Returned, D1T_PHASE_RETURNED, "RETURNED\0"),
    (
        Phase::ProductionException,
        D1T_PHASE_PRODUCTION_EXCEPTION,
        "PRODUCTION_EXCEPTION\0",
    ),
    (Phase::Returning, D1T_PHASE_RETURNING, "RETURNING\0"),
];

/// The kind of a `D1T_TRACKING_*` number; `D1T_ERR_INVALID_ARGUMENT` at
/// `tracking_type` for any other number.
pub(crate) fn tracking_type(number: u32) -> Result<TrackingType, Failure> {
    KINDS
        .iter()
        .find(|(_, n)| *n == number)
        .map(|(t, _)| *t)
        .ok_or_else(|| {
            Failure::new(
                D1T_ERR_INVALID_ARGUMENT,
                Some("tracking_type"),
                format!(
                    "expected D1T_TRACKING_PRODUCTION, _SHIPMENT, _RETURN, _PRODUCE or _UNTYPED (1 to 5), found {number}"
                ),
            )
        })
}

/// The `D1T_SHIPMENT_*` number of a shipment phase.
pub(crate) fn shipment_phase_number(phase: ShipmentPhase) -> u32 {
    match phase {
        ShipmentPhase::Unknown => D1T_SHIPMENT_UNKNOWN,
        ShipmentPhase::Pending => D1T_SHIPMENT_PENDING,
        ShipmentPhase::InfoReceived => D1T_SHIPMENT_INFO_RECEIVED,
        ShipmentPhase::InTransit => D1T_SHIPMENT_IN_TRANSIT,
        ShipmentPhase::Exception => D1T_SHIPMENT_EXCEPTION,
        ShipmentPhase::AttemptFail => D1T_SHIPMENT_ATTEMPT_FAIL,
        ShipmentPhase::Expired => D1T_SHIPMENT_EXPIRED,
        ShipmentPhase::OutForDelivery => D1T_SHIPMENT_OUT_FOR_DELIVERY,
        ShipmentPhase::AvailableForPickup => D1T_SHIPMENT_AVAILABLE_FOR_PICKUP,
        ShipmentPhase::Delivered => D1T_SHIPMENT_DELIVERED,
        ShipmentPhase::ReturnToSender => D1T_SHIPMENT_RETURN_TO_SENDER,
        // The core's enums are non-exhaustive: a newer phase is unknown here.
        _ => D1T_SHIPMENT_UNKNOWN,
    }
}

/// The `D1T_TRACKING_*` number of a kind; `D1T_TRACKING_UNKNOWN` for one
/// this header does not know.
pub(crate) fn tracking_number(kind: TrackingType) -> u32 {
    KINDS
        .iter()
        .find(|(t, _)| *t == kind)
        .map_or(D1T_TRACKING_UNKNOWN, |(_, n)| *n)
}

/// The `D1T_STATUS_*` number of an operation status.
pub(crate) fn status_number(status: OperationStatus) -> u32 {
    match status {
        OperationStatus::Pending => D1T_STATUS_PENDING,
        OperationStatus::Successful => D1T_STATUS_SUCCESSFUL,
        OperationStatus::Failed => D1T_STATUS_FAILED,
        _ => D1T_STATUS_UNKNOWN,
    }
}

/// The `D1T_PHASE_*` number of a card phase; `D1T_PHASE_UNKNOWN` for one
/// this header does not know.
pub(crate) fn phase_number(phase: Phase) -> u32 {
    PHASES
        .iter()
        .find(|(p, _, _)| *p == phase)
        .map_or(D1T_PHASE_UNKNOWN, |(_, n, _)| *n)
}

/// The NUL-terminated name of a `D1T_PHASE_*` number (`"IN_TRANSIT\0"`);
/// `None` for any other number.
pub(crate) fn phase_name(number: u32) -> Option<&'static str> {
    PHASES
        .iter()
        .find(|(_, n, _)| *n == number)
        .map(|(_, _, name)| *name)
}

#[cfg(test)]
mod tests {
    //! The C names are the core's spellings (`d1_words!` in the core): every
    //! value of each enum has its `#define` in the header, with the number
    //! the tables above give it, and the header has no other.

    use super::*;

    const HEADER: &str = include_str!("../include/d1_tracking.h");

    /// The header's `#define PREFIX_NAME number` lines for one prefix.
    fn defines(prefix: &str) -> Vec<(String, u32)> {
        HEADER
            .lines()
            .filter_map(|line| line.strip_prefix("#define "))
            .filter_map(|rest| rest.split_once(' '))
            .filter_map(|(name, value)| {
                let word = name.strip_prefix(prefix)?;
                Some((word.to_string(), value.trim().parse().ok()?))
            })
            .collect()
    }

    fn check(prefix: &str, spelled: &[(&str, u32)], unknown: u32) {
        let mut expected: Vec<(String, u32)> =
            spelled.iter().map(|(s, n)| (s.to_string(), *n)).collect();
        expected.push(("UNKNOWN".to_string(), unknown));
        let mut found = defines(prefix);
        expected.sort();
        found.sort();
        assert_eq!(found, expected, "{prefix}*");
    }

    #[test]
    fn c_names_are_the_core_spellings() {
        let kinds: Vec<(&str, u32)> = TrackingType::ALL
            .iter()
            .map(|k| (k.as_str(), tracking_number(*k)))
            .collect();
        check("D1T_TRACKING_", &kinds, D1T_TRACKING_UNKNOWN);
        let statuses: Vec<(&str, u32)> = OperationStatus::ALL
            .iter()
            .map(|s| (s.as_str(), status_number(*s)))
            .collect();
        check("D1T_STATUS_", &statuses, D1T_STATUS_UNKNOWN);
        // The shipment's UNKNOWN is a phase of its own in the core.
        let phases: Vec<(&str, u32)> = ShipmentPhase::ALL
            .iter()
            .filter(|p| **p != ShipmentPhase::Unknown)
            .map(|p| (p.as_str(), shipment_phase_number(*p)))
            .collect();
        check("D1T_SHIPMENT_", &phases, D1T_SHIPMENT_UNKNOWN);
        assert_eq!(
            shipment_phase_number(ShipmentPhase::Unknown),
            D1T_SHIPMENT_UNKNOWN
        );
        let card_phases: Vec<(&str, u32)> = Phase::ALL
            .iter()
            .map(|p| (p.as_str(), phase_number(*p)))
            .collect();
        check("D1T_PHASE_", &card_phases, D1T_PHASE_UNKNOWN);
        for phase in Phase::ALL {
            let name = phase_name(phase_number(phase)).unwrap_or_default();
            assert_eq!(name.strip_suffix('\0'), Some(phase.as_str()));
        }
    }
}
