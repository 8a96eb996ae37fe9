//! D1's vocabulary and formats, with no fold state: the kinds and statuses
//! with their ranks, identifiers, timestamps, the envelope and the
//! validation of one operation, and the outbound requests.
//!
//! Uses only the `json` layer below it (see `docs/architecture.md`).

mod business;
mod envelope;
mod identifier;
mod kinds;
mod members;
mod notification;
mod request;
mod shipment;
mod status_query;
mod time;
mod words;

pub use business::BusinessStatus;
pub(crate) use envelope::{read_envelope, Operation};
pub(crate) use identifier::{CardId, CARD_ID, OPERATION_ID, OPERATION_NAME_MAX};
pub use kinds::{OperationStatus, TrackingType};
pub(crate) use members::{d1_members, is_known, Kept, Kind, Member, Place};
pub(crate) use notification::{
    not_an_operation, operation_path, parse_operation, Facts, Notification, ParsedOperation,
};
pub use notification::{PRODUCE, STANDALONE_TRACKING};
pub use request::{HttpRequest, TrackCardRequest};
pub use shipment::ShipmentPhase;
pub use status_query::StatusQuery;
pub(crate) use time::Instant;
pub use time::Timestamp;
pub(crate) use words::d1_words;
pub use words::UnknownWord;
