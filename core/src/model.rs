//! The typed model of a D1 `STANDALONE_TRACKING` notification and its ranks.

use serde::{Serialize, Serializer};

/// What D1 was asked to track (`details.trackingType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum TrackingType {
    /// The card's production; one notification, `CARD_SHIPPED` when done.
    Production,
    /// The card's shipment; `PENDING`, then updates as carrier data changes.
    Shipment,
    /// The card's return; one notification, `CARD_RETURNED`.
    Return,
}

impl TrackingType {
    /// Every tracking type, in the order views list them.
    pub const ALL: [TrackingType; 3] = [
        TrackingType::Production,
        TrackingType::Shipment,
        TrackingType::Return,
    ];

    /// D1's spelling.
    pub const fn as_str(self) -> &'static str {
        match self {
            TrackingType::Production => "PRODUCTION",
            TrackingType::Shipment => "SHIPMENT",
            TrackingType::Return => "RETURN",
        }
    }

    /// The position in [`TrackingType::ALL`].
    pub(crate) const fn index(self) -> usize {
        match self {
            TrackingType::Production => 0,
            TrackingType::Shipment => 1,
            TrackingType::Return => 2,
        }
    }

    /// Parses D1's spelling (exact, upper case).
    pub fn parse(s: &str) -> Option<TrackingType> {
        TrackingType::ALL.into_iter().find(|t| t.as_str() == s)
    }

    /// Parses a tracking type given by a caller as text, reporting
    /// `FIELD_INVALID_VALUE` at `path` for anything else (the bindings take
    /// strings).
    ///
    /// ```
    /// use d1_tracking::TrackingType;
    /// assert_eq!(TrackingType::parse_field("RETURN", "trackingType"), Ok(TrackingType::Return));
    /// let err = TrackingType::parse_field("return", "trackingType").unwrap_err();
    /// assert_eq!(err.code().as_str(), "FIELD_INVALID_VALUE");
    /// ```
    pub fn parse_field(s: &str, path: &str) -> Result<TrackingType, crate::Error> {
        TrackingType::parse(s).ok_or_else(|| {
            crate::error::invalid_value(
                path,
                format!(
                    "expected one of PRODUCTION, SHIPMENT, RETURN, found {}",
                    crate::parse::quoted(s)
                ),
            )
        })
    }
}

/// The operation's own status (`status`), ranked `PENDING` < `SUCCESSFUL` <
/// `FAILED`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum OperationStatus {
    /// Accepted by D1, not complete.
    Pending,
    /// Complete (for SHIPMENT: this update succeeded).
    Successful,
    /// Failed; `errorCode` and `error` say why.
    Failed,
}

impl OperationStatus {
    const ALL: [OperationStatus; 3] = [
        OperationStatus::Pending,
        OperationStatus::Successful,
        OperationStatus::Failed,
    ];

    /// D1's spelling.
    pub const fn as_str(self) -> &'static str {
        match self {
            OperationStatus::Pending => "PENDING",
            OperationStatus::Successful => "SUCCESSFUL",
            OperationStatus::Failed => "FAILED",
        }
    }

    /// Parses D1's spelling.
    pub fn parse(s: &str) -> Option<OperationStatus> {
        Self::ALL.into_iter().find(|t| t.as_str() == s)
    }

    /// The rank in the fold's order (1, 2, 3).
    pub const fn rank(self) -> u8 {
        match self {
            OperationStatus::Pending => 1,
            OperationStatus::Successful => 2,
            OperationStatus::Failed => 3,
        }
    }
}

/// D1's business statuses (`details.status`) in their documented order, with
/// their ranks. Values D1 adds later are kept as text with rank 0.
const BUSINESS_STATUSES: [(&str, u8); 10] = [
    ("CARD_PROD_REQUESTED", 1),
    ("DATA_PREPARED", 2),
    ("CARD_PROD_READY", 3),
    ("CARD_PROD_ONGOING", 4),
    ("CARD_PROD_DONE", 5),
    ("CARD_SHIPPED", 6),
    ("CARD_RETURNED", 7),
    ("DATA_EXCEPTION", 8),
    ("CARD_PROD_EXCEPTION", 8),
    ("CARD_PROD_CANCELED", 9),
];

/// A business status (`details.status`), known or not.
///
/// ```
/// use d1_tracking::BusinessStatus;
/// assert_eq!(BusinessStatus::new("CARD_SHIPPED").rank(), 6);
/// let later = BusinessStatus::new("CARD_LASER_ENGRAVED");
/// assert_eq!((later.rank(), later.as_str()), (0, "CARD_LASER_ENGRAVED"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct BusinessStatus {
    raw: String,
    rank: u8,
}

/// The rank of a business status; 0 for values this version does not know.
pub(crate) fn business_rank(raw: &str) -> u8 {
    BUSINESS_STATUSES
        .iter()
        .find(|(name, _)| *name == raw)
        .map_or(0, |(_, r)| *r)
}

impl BusinessStatus {
    /// Classifies `raw`; an unknown value gets rank 0 and is kept as given.
    pub fn new(raw: &str) -> BusinessStatus {
        BusinessStatus {
            raw: raw.to_string(),
            rank: business_rank(raw),
        }
    }

    /// The value as D1 sent it.
    pub fn as_str(&self) -> &str {
        &self.raw
    }

    /// Rank in the fold's order; 0 for values this version does not know.
    pub fn rank(&self) -> u8 {
        self.rank
    }
}

impl Serialize for BusinessStatus {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.raw)
    }
}

/// Where a shipment is, after normalising the carrier's status text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
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

/// The identifier pattern D1 uses: `^[A-Za-z0-9_-]{1,max}$`.
pub(crate) fn is_identifier(s: &str, max: usize) -> bool {
    !s.is_empty()
        && s.len() <= max
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
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

    #[test]
    fn business_ranks_follow_the_design() {
        assert_eq!(BusinessStatus::new("CARD_PROD_REQUESTED").rank(), 1);
        assert_eq!(BusinessStatus::new("CARD_RETURNED").rank(), 7);
        assert_eq!(BusinessStatus::new("DATA_EXCEPTION").rank(), 8);
        assert_eq!(BusinessStatus::new("CARD_PROD_EXCEPTION").rank(), 8);
        assert_eq!(BusinessStatus::new("CARD_PROD_CANCELED").rank(), 9);
        assert_eq!(BusinessStatus::new("card_shipped").rank(), 0);
    }
}
