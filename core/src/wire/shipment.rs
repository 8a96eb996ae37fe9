//! The carrier's shipment status (`details.shipment.status`), normalised to
//! a [`ShipmentPhase`] with its rank. The carrier codes follow AfterShip's
//! slugs, so statuses are taken to follow AfterShip's tags: an assumption,
//! since D1's documents do not list them (`docs/decisions.md`).

use super::words::d1_words;

d1_words! {
    /// Where a shipment is, after normalising the carrier's status text:
    /// AfterShip's tags, spelled as views show them, ranked in the fold's
    /// order (a status matches a tag when they are equal but for case,
    /// spaces, `_` and `-`).
    pub enum ShipmentPhase {
        /// A status this version does not know (the text is still shown).
        Unknown = "UNKNOWN" rank 0;
        /// `Pending`: the carrier has no information yet.
        Pending = "PENDING" rank 1;
        /// `InfoReceived`: the carrier has the label, not the parcel.
        InfoReceived = "INFO_RECEIVED" rank 2;
        /// `InTransit`.
        InTransit = "IN_TRANSIT" rank 3;
        /// `Exception`: customs, damage, returned to sender…
        Exception = "EXCEPTION" rank 4;
        /// `AttemptFail`: a delivery attempt failed.
        AttemptFail = "ATTEMPT_FAIL" rank 4;
        /// `Expired`: no news from the carrier for too long.
        Expired = "EXPIRED" rank 4;
        /// `OutForDelivery`.
        OutForDelivery = "OUT_FOR_DELIVERY" rank 5;
        /// `AvailableForPickup`.
        AvailableForPickup = "AVAILABLE_FOR_PICKUP" rank 6;
        /// `Delivered`.
        Delivered = "DELIVERED" rank 7;
    }
}

/// True when `normalised` (lower case, without spaces, `_` or `-`) is
/// `phase`'s spelling normalised the same way.
fn matches_tag(phase: ShipmentPhase, normalised: impl Iterator<Item = char>) -> bool {
    normalised.eq(phase
        .as_str()
        .chars()
        .filter(|c| *c != '_')
        .map(|c| c.to_ascii_lowercase()))
}

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
        let known = ShipmentPhase::ALL.into_iter().skip(1);
        let found = if raw.is_ascii() {
            let norm = || {
                raw.bytes()
                    .filter(|b| !matches!(b, b' ' | b'_' | b'-'))
                    .map(|b| char::from(b.to_ascii_lowercase()))
            };
            known.into_iter().find(|phase| matches_tag(*phase, norm()))
        } else {
            let norm = || {
                raw.chars()
                    .filter(|c| !matches!(c, ' ' | '_' | '-'))
                    .flat_map(char::to_lowercase)
            };
            known.into_iter().find(|phase| matches_tag(*phase, norm()))
        };
        found.unwrap_or(ShipmentPhase::Unknown)
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
