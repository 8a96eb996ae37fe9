//! D1's business statuses (`details.status`), declared once with their ranks
//! (`words.rs`'s `d1_words!`); everything else about them is derived from it.

use super::words::d1_words;

// The one table of business statuses, in D1's documented order, ranked in
// lifecycle order: D1 reports steps, not clock readings, so a later step
// supersedes an earlier problem (an exception production recovered from
// does not hide the shipped card; docs/decisions.md).
d1_words! {
    /// A business status (`details.status`), known or not. D1 asks clients to
    /// tolerate values they do not know: those are kept as given, with rank 0.
    ///
    /// ```
    /// use d1_tracking::BusinessStatus;
    /// assert_eq!(BusinessStatus::parse("CARD_SHIPPED"), BusinessStatus::CardShipped);
    /// assert_eq!(BusinessStatus::CardShipped.rank(), 8);
    /// let later = BusinessStatus::parse("CARD_LASER_ENGRAVED");
    /// assert_eq!((later.rank(), later.as_str()), (0, "CARD_LASER_ENGRAVED"));
    /// ```
    pub enum BusinessStatus else Unknown {
        /// `CARD_PROD_REQUESTED`.
        CardProdRequested = "CARD_PROD_REQUESTED" rank 1;
        /// `DATA_PREPARED`.
        DataPrepared = "DATA_PREPARED" rank 3;
        /// `CARD_PROD_READY`.
        CardProdReady = "CARD_PROD_READY" rank 4;
        /// `CARD_PROD_ONGOING`.
        CardProdOngoing = "CARD_PROD_ONGOING" rank 5;
        /// `CARD_PROD_DONE`.
        CardProdDone = "CARD_PROD_DONE" rank 7;
        /// `CARD_SHIPPED`.
        CardShipped = "CARD_SHIPPED" rank 8;
        /// `CARD_RETURNED`.
        CardReturned = "CARD_RETURNED" rank 9;
        /// `DATA_EXCEPTION`.
        DataException = "DATA_EXCEPTION" rank 2;
        /// `CARD_PROD_EXCEPTION`.
        CardProdException = "CARD_PROD_EXCEPTION" rank 6;
        /// `CARD_PROD_CANCELED`.
        CardProdCanceled = "CARD_PROD_CANCELED" rank 10;
    }
}

/// The rank of a business status as D1 spells it; 0 for values this version
/// does not know.
pub(crate) fn business_rank(raw: &str) -> u8 {
    BusinessStatus::rank_of(raw)
}

impl BusinessStatus {
    /// True when `raw` is this status's spelling.
    pub fn is(&self, raw: &str) -> bool {
        self.as_str() == raw
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn business_ranks_follow_the_lifecycle() {
        assert_eq!(BusinessStatus::parse("CARD_PROD_REQUESTED").rank(), 1);
        assert_eq!(BusinessStatus::parse("DATA_EXCEPTION").rank(), 2);
        assert_eq!(BusinessStatus::parse("CARD_PROD_EXCEPTION").rank(), 6);
        assert_eq!(BusinessStatus::parse("CARD_SHIPPED").rank(), 8);
        assert_eq!(BusinessStatus::parse("CARD_RETURNED").rank(), 9);
        assert_eq!(BusinessStatus::parse("CARD_PROD_CANCELED").rank(), 10);
        assert_eq!(BusinessStatus::parse("card_shipped").rank(), 0);
    }

    fn name_of_unknown() -> String {
        "CARD_LASER_ENGRAVED"
            .parse::<BusinessStatus>()
            .map(|s| s.to_string())
            .unwrap_or_default()
    }

    #[test]
    fn every_known_status_reads_back_as_itself() {
        for (status, name) in BusinessStatus::KNOWN
            .into_iter()
            .zip(BusinessStatus::SPELLINGS)
        {
            assert_eq!(BusinessStatus::parse(name), status);
            assert_eq!(status.as_str(), *name);
            assert!(status.rank() > 0);
        }
        assert_eq!(name_of_unknown(), "CARD_LASER_ENGRAVED");
    }
}
