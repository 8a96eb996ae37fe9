//! The dictionary of the compact form (`encoding.rs`): the strings D1 sends
//! in nearly every notification, written as two bytes, and the markers that
//! stand for them and for the ids. Canonical JSON never contains a raw
//! control character, so control characters serve as markers.

use crate::wire::{is_known, Place};

/// A dictionary string follows as one byte: its index plus [`INDEX_BASE`].
pub(super) const TOKEN: u8 = 0x01;
/// The card id (the value of the top-level `cardId`).
pub(super) const CARD_ID: u8 = 0x02;
/// The operation id (the value of the top-level `operationId`).
pub(super) const OPERATION_ID: u8 = 0x03;
/// Dictionary indices are written as printable ASCII, so the form stays UTF-8.
pub(super) const INDEX_BASE: u8 = 0x20;

macro_rules! dictionary {
    ($($index:literal => $text:literal,)*) => {
        /// Strings stored as two bytes; plain ASCII, so their JSON form is
        /// the text in quotes.
        pub(super) const DICTIONARY: &[&str] = &[$($text),*];

        pub(super) fn dictionary_index(s: &str) -> Option<u8> {
            match s {
                $($text => Some($index),)*
                _ => None,
            }
        }
    };
}

dictionary! {
    0 => "cardId",
    1 => "details",
    2 => "endTime",
    3 => "error",
    4 => "errorCode",
    5 => "issuerRequestId",
    6 => "operation",
    7 => "operationId",
    8 => "startTime",
    9 => "status",
    10 => "trackingType",
    11 => "productionSite",
    12 => "shipment",
    13 => "carrier",
    14 => "trackingNumber",
    15 => "message",
    16 => "trackingUrl",
    17 => "STANDALONE_TRACKING",
    18 => "PRODUCTION",
    19 => "SHIPMENT",
    20 => "RETURN",
    21 => "PENDING",
    22 => "SUCCESSFUL",
    23 => "FAILED",
    24 => "CARD_PROD_REQUESTED",
    25 => "DATA_PREPARED",
    26 => "CARD_PROD_READY",
    27 => "CARD_PROD_ONGOING",
    28 => "CARD_PROD_DONE",
    29 => "CARD_SHIPPED",
    30 => "CARD_RETURNED",
    31 => "DATA_EXCEPTION",
    32 => "CARD_PROD_EXCEPTION",
    33 => "CARD_PROD_CANCELED",
    34 => "Pending",
    35 => "InfoReceived",
    36 => "InTransit",
    37 => "Exception",
    38 => "AttemptFail",
    39 => "Expired",
    40 => "OutForDelivery",
    41 => "AvailableForPickup",
    42 => "Delivered",
    43 => "PRODUCE",
    44 => "reason",
    45 => "dueDate",
    46 => "inputFileName",
}

/// The dictionary string a token's index byte stands for.
pub(super) fn dictionary_word(index_byte: u8) -> Option<&'static str> {
    DICTIONARY
        .get(usize::from(index_byte.checked_sub(INDEX_BASE)?))
        .copied()
}

/// True when the token's word is a member `place` names.
pub(super) fn is_known_word(index_byte: u8, place: Place) -> bool {
    dictionary_word(index_byte).is_some_and(|w| is_known(place, w))
}
