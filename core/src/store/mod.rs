//! What is kept: the intake of a validated operation, the compact encoding
//! of a notification, an operation's kept notifications and the witnesses
//! that define its view, and a card's operations.
//!
//! Uses the `wire` and `json` layers below it (see `docs/architecture.md`).

pub(crate) mod card;
mod compact;
mod dictionary;
pub(crate) mod encoding;
mod intake;
mod operation;
mod order;
mod stored;
pub(crate) mod witness;

pub(crate) use card::{CardState, Pending};
pub(crate) use compact::CompactValue;
pub(crate) use intake::{intake, Incoming, Intake};
pub(crate) use operation::OperationState;
pub(crate) use stored::{Start, Stored};
pub(crate) use witness::{Witness, Witnesses};
