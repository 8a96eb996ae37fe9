//! D1's business statuses (`details.status`), declared once with their ranks
//! in [`BUSINESS_STATUSES`]; everything else about them is derived from it.

use serde::{Serialize, Serializer};

macro_rules! business_statuses {
    ($($(#[$doc:meta])* $name:ident => $text:literal, rank $rank:literal;)*) => {
        /// A business status (`details.status`), known or not. D1 asks clients to
        /// tolerate values they do not know: those are kept as given, with rank 0.
        ///
        /// ```
        /// use d1_tracking::BusinessStatus;
        /// assert_eq!(BusinessStatus::parse("CARD_SHIPPED"), BusinessStatus::CardShipped);
        /// assert_eq!(BusinessStatus::CardShipped.rank(), 6);
        /// let later = BusinessStatus::parse("CARD_LASER_ENGRAVED");
        /// assert_eq!((later.rank(), later.as_str()), (0, "CARD_LASER_ENGRAVED"));
        /// ```
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum BusinessStatus {
            $($(#[$doc])* $name,)*
            /// A value this version does not know, as D1 sent it.
            Unknown(Box<str>),
        }

        /// The known business statuses in D1's documented order: spelling,
        /// status, rank in the fold's order.
        pub(crate) const BUSINESS_STATUSES: [(&str, BusinessStatus, u8); [$($rank),*].len()] =
            [$(($text, BusinessStatus::$name, $rank),)*];

        impl BusinessStatus {
            /// D1's spelling (an unknown value as it was sent).
            pub fn as_str(&self) -> &str {
                match self {
                    $(BusinessStatus::$name => $text,)*
                    BusinessStatus::Unknown(raw) => raw,
                }
            }
        }
    };
}

// The one table of business statuses (the two exceptions share a rank).
business_statuses! {
    /// `CARD_PROD_REQUESTED`.
    CardProdRequested => "CARD_PROD_REQUESTED", rank 1;
    /// `DATA_PREPARED`.
    DataPrepared => "DATA_PREPARED", rank 2;
    /// `CARD_PROD_READY`.
    CardProdReady => "CARD_PROD_READY", rank 3;
    /// `CARD_PROD_ONGOING`.
    CardProdOngoing => "CARD_PROD_ONGOING", rank 4;
    /// `CARD_PROD_DONE`.
    CardProdDone => "CARD_PROD_DONE", rank 5;
    /// `CARD_SHIPPED`.
    CardShipped => "CARD_SHIPPED", rank 6;
    /// `CARD_RETURNED`.
    CardReturned => "CARD_RETURNED", rank 7;
    /// `DATA_EXCEPTION`.
    DataException => "DATA_EXCEPTION", rank 8;
    /// `CARD_PROD_EXCEPTION`.
    CardProdException => "CARD_PROD_EXCEPTION", rank 8;
    /// `CARD_PROD_CANCELED`.
    CardProdCanceled => "CARD_PROD_CANCELED", rank 9;
}

fn entry(raw: &str) -> Option<&'static (&'static str, BusinessStatus, u8)> {
    BUSINESS_STATUSES.iter().find(|(name, _, _)| *name == raw)
}

/// The rank of a business status as D1 spells it; 0 for values this version
/// does not know. (The fold ranks every notification: no allocation here.)
pub(crate) fn business_rank(raw: &str) -> u8 {
    entry(raw).map_or(0, |(_, _, rank)| *rank)
}

impl BusinessStatus {
    /// Classifies D1's spelling (exact); an unknown value is kept as given.
    pub fn parse(raw: &str) -> BusinessStatus {
        entry(raw).map_or_else(
            || BusinessStatus::Unknown(raw.into()),
            |(_, s, _)| s.clone(),
        )
    }

    /// True when `raw` is this status's spelling.
    pub fn is(&self, raw: &str) -> bool {
        self.as_str() == raw
    }

    /// Rank in the fold's order; 0 for values this version does not know.
    pub fn rank(&self) -> u8 {
        business_rank(self.as_str())
    }
}

impl Serialize for BusinessStatus {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn business_ranks_follow_the_design() {
        assert_eq!(BusinessStatus::parse("CARD_PROD_REQUESTED").rank(), 1);
        assert_eq!(BusinessStatus::parse("CARD_RETURNED").rank(), 7);
        assert_eq!(BusinessStatus::parse("DATA_EXCEPTION").rank(), 8);
        assert_eq!(BusinessStatus::parse("CARD_PROD_EXCEPTION").rank(), 8);
        assert_eq!(BusinessStatus::parse("CARD_PROD_CANCELED").rank(), 9);
        assert_eq!(BusinessStatus::parse("card_shipped").rank(), 0);
    }

    #[test]
    fn every_known_status_reads_back_as_itself() {
        for (name, status, rank) in BUSINESS_STATUSES {
            assert_eq!(BusinessStatus::parse(name), status);
            assert_eq!((status.as_str(), status.rank()), (name, rank));
        }
    }
}
