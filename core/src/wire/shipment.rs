//! The carrier's shipment status (`details.shipment.status`), normalised to
//! a [`ShipmentPhase`] with its rank. The carrier codes follow AfterShip's
//! slugs, so statuses are taken to follow AfterShip's tags: an assumption,
//! since D1's documents do not list them (`docs/decisions.md`).

use super::words::d1_words;

d1_words! {
    /// Where a shipment is, after normalising the carrier's status text:
    /// AfterShip's tags, spelled as views show them, ranked in the fold's
    /// order (a status matches a tag when they are equal but for case,
    /// spaces, `_` and `-`); EasyPost's and Shippo's words and the usual
    /// spellings of failed attempts match the stage they mean.
    pub enum ShipmentPhase {
        /// A status this version does not know (the text is still shown).
        Unknown = "UNKNOWN" rank 0;
        /// `Pending`: the carrier has no information yet.
        Pending = "PENDING" rank 1;
        /// `InfoReceived`: the carrier has the label, not the parcel.
        InfoReceived = "INFO_RECEIVED" rank 2;
        /// `InTransit`.
        InTransit = "IN_TRANSIT" rank 3;
        /// `Exception`: customs, damage, an address problem…
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
        /// `ReturnToSender`: the carrier is bringing the parcel back.
        ReturnToSender = "RETURN_TO_SENDER" rank 8;
    }
}

/// The longest normalised tag ([`normalised_tag`]) is shorter than this.
const TAG_BYTES: usize = 24;

/// A spelling as a carrier status is compared with it: lower case, without
/// spaces, `_` or `-` (`IN_TRANSIT` → `intransit`), and its length.
const fn normalised_tag(spelling: &str) -> ([u8; TAG_BYTES], usize) {
    let mut out = [0u8; TAG_BYTES];
    let mut len = 0;
    let mut rest = spelling.as_bytes();
    let mut slots: &mut [u8] = &mut out;
    while let [b, tail @ ..] = rest {
        if !matches!(*b, b' ' | b'_' | b'-') {
            if let [slot, others @ ..] = slots {
                *slot = b.to_ascii_lowercase();
                len += 1;
                slots = others;
            }
        }
        rest = tail;
    }
    (out, len)
}

/// Every phase's normalised tag, in the order of `ALL`.
const TAGS: [([u8; TAG_BYTES], usize); ShipmentPhase::ALL.len()] = {
    let mut out = [([0u8; TAG_BYTES], 0); ShipmentPhase::ALL.len()];
    let mut phases: &[ShipmentPhase] = &ShipmentPhase::ALL;
    let mut slots: &mut [([u8; TAG_BYTES], usize)] = &mut out;
    while let ([phase, rest @ ..], [slot, others @ ..]) = (phases, slots) {
        *slot = normalised_tag(phase.as_str());
        phases = rest;
        slots = others;
    }
    out
};

/// The words of the other vocabularies an aggregator may pass through
/// unchanged, as they spell them, with the stage each means (AfterShip's
/// tags are the stages' own spellings, above). An assumption: D1's
/// documents list no carrier statuses (README, "Assumptions").
const OTHER_WORDS: &[(&str, ShipmentPhase)] = &[
    // EasyPost's tracker statuses.
    ("pre_transit", ShipmentPhase::InfoReceived),
    ("in_transit", ShipmentPhase::InTransit),
    ("out_for_delivery", ShipmentPhase::OutForDelivery),
    ("available_for_pickup", ShipmentPhase::AvailableForPickup),
    ("delivered", ShipmentPhase::Delivered),
    ("failure", ShipmentPhase::Exception),
    ("cancelled", ShipmentPhase::Exception),
    ("error", ShipmentPhase::Exception),
    // Shippo's tracking statuses.
    ("PRE_TRANSIT", ShipmentPhase::InfoReceived),
    ("TRANSIT", ShipmentPhase::InTransit),
    ("DELIVERED", ShipmentPhase::Delivered),
    ("FAILURE", ShipmentPhase::Exception),
    ("RETURNED", ShipmentPhase::ReturnToSender),
    // Returns to the sender, as carriers and aggregators spell them.
    ("return_to_sender", ShipmentPhase::ReturnToSender),
    ("Returned to sender", ShipmentPhase::ReturnToSender),
    ("ReturnedToSender", ShipmentPhase::ReturnToSender),
    ("Return to shipper", ShipmentPhase::ReturnToSender),
    // AfterShip's subtags that say more than their tag: "returning to
    // sender", "returned to sender" (the other subtags match their tag).
    ("Exception_010", ShipmentPhase::ReturnToSender),
    ("Exception_011", ShipmentPhase::ReturnToSender),
    // Failed delivery attempts, as carriers spell them.
    ("FailedAttempt", ShipmentPhase::AttemptFail),
    ("DeliveryFailure", ShipmentPhase::AttemptFail),
    ("Delivery attempted", ShipmentPhase::AttemptFail),
    ("AttemptFailed", ShipmentPhase::AttemptFail),
];

/// [`OTHER_WORDS`], normalised.
const OTHER_TAGS: [([u8; TAG_BYTES], usize, ShipmentPhase); OTHER_WORDS.len()] = {
    let mut out = [([0u8; TAG_BYTES], 0, ShipmentPhase::Unknown); OTHER_WORDS.len()];
    let mut words = OTHER_WORDS;
    let mut slots: &mut [([u8; TAG_BYTES], usize, ShipmentPhase)] = &mut out;
    while let ([(word, phase), rest @ ..], [slot, others @ ..]) = (words, slots) {
        let (tag, len) = normalised_tag(word);
        *slot = (tag, len, *phase);
        words = rest;
        slots = others;
    }
    out
};

/// The phase whose normalised tag is `normalised`: a stage's own spelling
/// (AfterShip's tag), another vocabulary's word, or a subtag (`Delivered_001`,
/// `Exception_011`: a tag followed by digits) as its tag.
fn phase_of_tag(normalised: &[u8]) -> ShipmentPhase {
    let find = |word: &[u8]| {
        ShipmentPhase::ALL
            .into_iter()
            .zip(TAGS.iter())
            .skip(1) // `UNKNOWN` is what no tag matches, not a tag.
            .find(|(_, (tag, len))| tag.get(..*len) == Some(word))
            .map(|(phase, _)| phase)
            .or_else(|| {
                OTHER_TAGS
                    .iter()
                    .find(|(tag, len, _)| tag.get(..*len) == Some(word))
                    .map(|(_, _, phase)| *phase)
            })
    };
    // A subtag is looked for only when the whole word is no tag.
    let subtag = || {
        normalised
            .iter()
            .rposition(|b| !b.is_ascii_digit())
            .and_then(|last| normalised.get(..=last))
            .filter(|tag| tag.len() < normalised.len())
    };
    find(normalised)
        .or_else(|| subtag().and_then(find))
        .unwrap_or(ShipmentPhase::Unknown)
}

/// `raw` normalised as a tag is (case, spaces, `_` and `-` ignored), into
/// `out`; `None` when it is longer than any tag.
fn normalise<'o>(raw: &str, out: &'o mut [u8; TAG_BYTES]) -> Option<&'o [u8]> {
    let mut len = 0;
    let mut push = |b: u8| -> Option<()> {
        *out.get_mut(len)? = b;
        len += 1;
        Some(())
    };
    if raw.is_ascii() {
        for b in raw.bytes().filter(|b| !matches!(b, b' ' | b'_' | b'-')) {
            push(b.to_ascii_lowercase())?;
        }
    } else {
        // Some non-ASCII letters lower-case to ASCII ones (the Kelvin sign
        // to `k`); any other character matches no tag.
        for c in raw
            .chars()
            .filter(|c| !matches!(c, ' ' | '_' | '-'))
            .flat_map(char::to_lowercase)
        {
            push(u8::try_from(c).ok().filter(u8::is_ascii)?)?;
        }
    }
    out.get(..len)
}

impl ShipmentPhase {
    /// True for the stages after which a carrier does not move the parcel
    /// again (`Delivered`, `ReturnToSender`): within one parcel they come
    /// first in the carrier order (README, "The shipment").
    pub const fn is_final(self) -> bool {
        matches!(
            self,
            ShipmentPhase::Delivered | ShipmentPhase::ReturnToSender
        )
    }

    /// Classifies a carrier status: case, spaces, `_` and `-` are ignored, so
    /// `IN_TRANSIT`, `in transit` and `InTransit` are one phase.
    ///
    /// ```
    /// use d1_tracking::ShipmentPhase;
    /// assert_eq!(ShipmentPhase::classify("out-for_delivery"), ShipmentPhase::OutForDelivery);
    /// assert_eq!(ShipmentPhase::classify("Teleported"), ShipmentPhase::Unknown);
    /// ```
    pub fn classify(raw: &str) -> ShipmentPhase {
        // Normalised once, on the stack (this runs for every notification
        // with a shipment), then compared with each tag.
        let mut buffer = [0u8; TAG_BYTES];
        normalise(raw, &mut buffer).map_or(ShipmentPhase::Unknown, phase_of_tag)
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
