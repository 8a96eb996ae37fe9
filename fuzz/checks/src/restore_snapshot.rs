//! Raw bytes into `restore`.

use d1_tracking::{Config, Tracker};

/// Checks: restore never panics; a failed restore leaves the tracker as it
/// was; a successful one round-trips byte for byte from its own snapshot.
pub fn restore_snapshot(data: &[u8]) {
    let mut tracker = Tracker::new(Config::default());
    tracker
        .record_request("card-x", d1_tracking::TrackingType::Shipment, 7)
        .expect("a valid request");
    let before = tracker.snapshot();
    if tracker.restore(data).is_err() {
        assert_eq!(
            tracker.snapshot(),
            before,
            "a failed restore changed the state"
        );
        return;
    }
    let first = tracker.snapshot();
    let mut again = Tracker::new(Config::default());
    again
        .restore(first.as_bytes())
        .expect("our own snapshot restores");
    assert_eq!(again.snapshot(), first, "the snapshot does not round-trip");
    assert_eq!(
        again.cards().collect::<Vec<_>>(),
        tracker.cards().collect::<Vec<_>>()
    );
    // Importing what is already there changes nothing.
    again.import_card(data).expect("a valid snapshot imports");
    assert_eq!(
        again.snapshot(),
        first,
        "importing the same state changed it"
    );
}
