//! The kinds D1 names: what was asked to track (`trackingType`), the other
//! entries a card view shows beside it (`PRODUCE`, operations without a
//! type), and an operation's own status, with its rank.

use super::words::d1_words;

d1_words! {
    /// The kind of an operation, and so of an entry of the card view: what D1
    /// was asked to track (`details.trackingType` of a `STANDALONE_TRACKING`
    /// notification), a card order (`PRODUCE`, README, "The card view"), or a
    /// `STANDALONE_TRACKING` operation none of whose notifications names a type
    /// (`UNTYPED`, docs/decisions.md).
    ///
    /// Only the first three are tracking types D1 accepts in a Track Card
    /// request ([`TrackingType::parse`]); views, queries and request records
    /// take every kind but `UNTYPED` ([`TrackingType::parse_kind`]).
    pub enum TrackingType {
        /// The card's production; one notification, `CARD_SHIPPED` when done.
        Production = "PRODUCTION";
        /// The card's shipment; `PENDING`, then updates as carrier data changes.
        Shipment = "SHIPMENT";
        /// The card's return; one notification, `CARD_RETURNED`.
        Return = "RETURN";
        /// The card order D1 produces (`operation = PRODUCE`): business statuses
        /// from `CARD_PROD_REQUESTED` to `CARD_SHIPPED`.
        Produce = "PRODUCE";
        /// A `STANDALONE_TRACKING` operation whose notifications name no
        /// tracking type (D1's schema allows it, e.g. a `FAILED` "card not
        /// found"); shown, and raised as an alert, until one of them does.
        Untyped = "UNTYPED";
    }
}

impl TrackingType {
    /// D1's tracking types: what a Track Card request asks for.
    pub const TRACKED: [TrackingType; 3] = [
        TrackingType::Production,
        TrackingType::Shipment,
        TrackingType::Return,
    ];

    /// The position in [`TrackingType::ALL`].
    pub(crate) const fn index(self) -> usize {
        self as usize
    }

    /// True for D1's three tracking types.
    pub const fn is_tracked(self) -> bool {
        self.index() < Self::TRACKED.len()
    }

    /// Parses a tracking type as D1 spells it in `details.trackingType` and in
    /// Track Card (exact, upper case; `PRODUCTION`, `SHIPMENT`, `RETURN`).
    pub fn parse(s: &str) -> Option<TrackingType> {
        TrackingType::TRACKED.into_iter().find(|t| t.as_str() == s)
    }

    /// Parses any kind a view names (`PRODUCE` and `UNTYPED` too).
    pub fn parse_kind(s: &str) -> Option<TrackingType> {
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
        TrackingType::parse(s).ok_or_else(|| expected(&TrackingType::TRACKED, s, path))
    }

    /// [`parse_kind`](Self::parse_kind) with the error of
    /// [`parse_field`](Self::parse_field): for queries of a view's entries.
    ///
    /// ```
    /// use d1_tracking::TrackingType;
    /// assert_eq!(TrackingType::parse_kind_field("PRODUCE", "kind"), Ok(TrackingType::Produce));
    /// assert!(TrackingType::parse_field("PRODUCE", "trackingType").is_err());
    /// ```
    pub fn parse_kind_field(s: &str, path: &str) -> Result<TrackingType, crate::Error> {
        TrackingType::parse_kind(s).ok_or_else(|| expected(&TrackingType::ALL, s, path))
    }
}

fn expected(kinds: &[TrackingType], found: &str, path: &str) -> crate::Error {
    let names: Vec<&str> = kinds.iter().map(|k| k.as_str()).collect();
    crate::error::invalid_value(
        path,
        format!(
            "expected one of {}, found {}",
            names.join(", "),
            crate::json::quoted(found)
        ),
    )
}

d1_words! {
    /// The operation's own status (`status`), ranked `PENDING` < `SUCCESSFUL` <
    /// `FAILED`.
    pub enum OperationStatus {
        /// Accepted by D1, not complete.
        Pending = "PENDING" rank 1;
        /// Complete (for SHIPMENT: this update succeeded).
        Successful = "SUCCESSFUL" rank 2;
        /// Failed; `errorCode` and `error` say why.
        Failed = "FAILED" rank 3;
    }
}

impl OperationStatus {
    /// Parses D1's spelling.
    pub fn parse(s: &str) -> Option<OperationStatus> {
        s.parse().ok()
    }
}
