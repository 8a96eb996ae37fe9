//! A borrowed view of one tracking: what [`TrackingView`] shows, read from
//! the state only when asked for.

use super::operation::ViewRef;
use super::types::TrackingView;
use crate::wire::{OperationStatus, ShipmentPhase};

/// The current operation of one tracking type of a card, borrowed from the
/// tracker (see [`Tracker::tracking`](crate::Tracker::tracking)). Each
/// accessor reads one field, so a host that needs one field does not build
/// a whole [`TrackingView`].
///
/// ```
/// use d1_tracking::{Config, OperationStatus, Tracker, TrackingType};
/// let mut tracker = Tracker::new(Config::default());
/// tracker.apply(br#"{"operations":[{"operationId":"op-1","operation":"STANDALONE_TRACKING",
///   "status":"SUCCESSFUL","startTime":"2026-03-01T08:00:00Z","cardId":"card-0001",
///   "details":{"trackingType":"SHIPMENT","shipment":{"carrier":"ups","status":"InTransit"}}}]}"#, 0)?;
/// let shipment = tracker.tracking("card-0001", TrackingType::Shipment).unwrap();
/// assert_eq!(shipment.status(), OperationStatus::Successful);
/// assert_eq!(shipment.carrier(), Some("ups"));
/// assert!(tracker.tracking("card-0001", TrackingType::Return).is_none());
/// # Ok::<(), d1_tracking::Error>(())
/// ```
#[derive(Debug, Clone, Copy)]
pub struct TrackingRef<'a>(pub(crate) ViewRef<'a>);

impl<'a> TrackingRef<'a> {
    /// The operation shown.
    pub fn operation_id(&self) -> &'a str {
        self.0.operation_id
    }

    /// The highest operation status seen.
    pub fn status(&self) -> OperationStatus {
        self.0.status
    }

    /// The highest business status seen (`details.status`).
    pub fn details_status(&self) -> Option<&'a str> {
        self.0.details_status()
    }

    /// The shipment's normalised phase, when the operation has a shipment.
    pub fn shipment_phase(&self) -> Option<ShipmentPhase> {
        self.0.shipment_phase()
    }

    /// The shipment's carrier code, as given.
    pub fn carrier(&self) -> Option<&'a str> {
        self.0.shipment().and_then(|s| s.carrier)
    }

    /// The shipment's tracking number, as given.
    pub fn tracking_number(&self) -> Option<&'a str> {
        self.0.shipment().and_then(|s| s.tracking_number)
    }

    /// The earliest `startTime`, as given.
    pub fn start_time(&self) -> &'a str {
        self.0.start_time()
    }

    /// `endTime` of the greatest notification carrying one, as given.
    pub fn end_time(&self) -> Option<&'a str> {
        self.0.end_time()
    }

    /// `errorCode` of the greatest `FAILED` notification.
    pub fn error_code(&self) -> Option<&'a str> {
        self.0.error_code()
    }

    /// `error` of the greatest `FAILED` notification.
    pub fn error(&self) -> Option<&'a str> {
        self.0.error()
    }

    /// How many distinct notifications are kept.
    pub fn notifications(&self) -> usize {
        self.0.notifications
    }

    /// See [`TrackingView::conflict`].
    pub fn conflict(&self) -> bool {
        self.0.conflict
    }

    /// The owned view.
    pub fn to_view(&self) -> TrackingView {
        self.0.to_view()
    }
}
