//! The kinds D1 names: what was asked to track (`trackingType`) and an
//! operation's own status, with its rank.

use serde::Serialize;

/// What D1 was asked to track (`details.trackingType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[non_exhaustive]
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
                    crate::json::quoted(s)
                ),
            )
        })
    }
}

/// The operation's own status (`status`), ranked `PENDING` < `SUCCESSFUL` <
/// `FAILED`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[non_exhaustive]
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
