//! The carrier's shipment status (`details.shipment.status`), normalised to
//! a [`ShipmentPhase`] with its rank. The carrier codes follow AfterShip's
//! slugs, so statuses are taken to follow AfterShip's tags: an assumption,
//! since D1's documents do not list them (`docs/decisions.md`).

use serde::Serialize;

/// Where a shipment is, after normalising the carrier's status text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[non_exhaustive]
pub enum ShipmentPhase {
    /// A status this version does not know (the text is still shown).
    Unknown,
    /// `Pending`: the carrier has no information yet.
    Pending,
    /// `InfoReceived`: the carrier has the label, not the parcel.
    InfoReceived,
    /// `InTransit`.
    InTransit,
    /// `Exception`: customs, damage, returned to sender…
    Exception,
    /// `AttemptFail`: a delivery attempt failed.
    AttemptFail,
    /// `Expired`: no news from the carrier for too long.
    Expired,
    /// `OutForDelivery`.
    OutForDelivery,
    /// `AvailableForPickup`.
    AvailableForPickup,
    /// `Delivered`.
    Delivered,
}

/// The AfterShip tags, normalised (lower case, no spaces, `_` or `-`), with
/// their phase and rank.
const SHIPMENT_TAGS: [(&str, ShipmentPhase, u8); 9] = [
    ("pending", ShipmentPhase::Pending, 1),
    ("inforeceived", ShipmentPhase::InfoReceived, 2),
    ("intransit", ShipmentPhase::InTransit, 3),
    ("exception", ShipmentPhase::Exception, 4),
    ("attemptfail", ShipmentPhase::AttemptFail, 4),
    ("expired", ShipmentPhase::Expired, 4),
    ("outfordelivery", ShipmentPhase::OutForDelivery, 5),
    ("availableforpickup", ShipmentPhase::AvailableForPickup, 6),
    ("delivered", ShipmentPhase::Delivered, 7),
];

impl ShipmentPhase {
    /// Classifies a carrier status: case, spaces, `_` and `-` are ignored, so
    /// `IN_TRANSIT`, `in transit` and `InTransit` are one phase.
    ///
    /// ```
    /// use d1_tracking::ShipmentPhase;
    /// assert_eq!(ShipmentPhase::classify("out-for_delivery"), ShipmentPhase::OutForDelivery);
    /// assert_eq!(ShipmentPhase::classify("Teleported"), ShipmentPhase::Unknown);
    /// ```
    pub fn classify(raw: &str) -> ShipmentPhase {
        // Compared as it is read, not collected: this runs for every
        // notification. Bytes when ASCII; chars otherwise, since some
        // non-ASCII letters lower-case to ASCII ones (the Kelvin sign to `k`).
        let found = if raw.is_ascii() {
            let norm = || {
                raw.bytes()
                    .filter(|b| !matches!(b, b' ' | b'_' | b'-'))
                    .map(|b| b.to_ascii_lowercase())
            };
            SHIPMENT_TAGS
                .iter()
                .find(|(tag, _, _)| norm().eq(tag.bytes()))
        } else {
            let norm = || {
                raw.chars()
                    .filter(|c| !matches!(c, ' ' | '_' | '-'))
                    .flat_map(char::to_lowercase)
            };
            SHIPMENT_TAGS
                .iter()
                .find(|(tag, _, _)| norm().eq(tag.chars()))
        };
        found.map_or(ShipmentPhase::Unknown, |(_, phase, _)| *phase)
    }

    /// Rank in the fold's order; 0 for unknown.
    pub fn rank(self) -> u8 {
        SHIPMENT_TAGS
            .iter()
            .find(|(_, phase, _)| *phase == self)
            .map_or(0, |(_, _, r)| *r)
    }

    /// The phase's name as views show it (`IN_TRANSIT`).
    pub fn as_str(self) -> &'static str {
        match self {
            ShipmentPhase::Unknown => "UNKNOWN",
            ShipmentPhase::Pending => "PENDING",
            ShipmentPhase::InfoReceived => "INFO_RECEIVED",
            ShipmentPhase::InTransit => "IN_TRANSIT",
            ShipmentPhase::Exception => "EXCEPTION",
            ShipmentPhase::AttemptFail => "ATTEMPT_FAIL",
            ShipmentPhase::Expired => "EXPIRED",
            ShipmentPhase::OutForDelivery => "OUT_FOR_DELIVERY",
            ShipmentPhase::AvailableForPickup => "AVAILABLE_FOR_PICKUP",
            ShipmentPhase::Delivered => "DELIVERED",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipment_status_matching_ignores_case_spaces_and_separators() {
        for s in ["IN_TRANSIT", "in transit", "InTransit", "in-transit"] {
            assert_eq!(ShipmentPhase::classify(s), ShipmentPhase::InTransit);
        }
        assert_eq!(ShipmentPhase::InTransit.rank(), 3);
        assert_eq!(
            ShipmentPhase::Expired.rank(),
            ShipmentPhase::Exception.rank()
        );
        assert!(ShipmentPhase::Delivered.rank() > ShipmentPhase::AvailableForPickup.rank());
        assert_eq!(ShipmentPhase::Unknown.rank(), 0);
    }

    #[test]
    fn shipment_status_matching_lower_cases_beyond_ascii() {
        // U+212A KELVIN SIGN lower-cases to an ASCII `k`.
        assert_eq!(
            ShipmentPhase::classify("Available For Pic\u{212A}up"),
            ShipmentPhase::AvailableForPickup
        );
        assert_eq!(ShipmentPhase::classify("Delivéred"), ShipmentPhase::Unknown);
    }
}
