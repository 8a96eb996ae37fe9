//! Bounds, so that a hostile or broken sender cannot exhaust memory.

/// The tracker's configuration: every bound it enforces.
///
/// The defaults fit a webhook receiver of a mid-size issuer; every one can be
/// raised or lowered. Reaching a bound is an [`Error::LimitExceeded`]
/// (or [`Error::PayloadTooLarge`] for the body) and changes nothing.
///
/// | field | default |
/// |---|---|
/// | `max_body_bytes` | 1 MiB (1,048,576) |
/// | `max_operations_per_body` | 1,000 |
/// | `max_string_bytes` | 2,048 (any JSON string or key inside an operation) |
/// | `max_operation_bytes` | 16 KiB (an operation's canonical form) |
/// | `max_depth` | 16 (nesting inside an operation) |
/// | `max_notifications_per_operation` | 32 (plus the few that define the view) |
/// | `max_operations_per_card` | 64 |
/// | `max_cards` | 10,000,000 |
///
/// ```
/// use d1_tracking::{Config, Tracker};
/// let config = Config { max_cards: 1_000, ..Config::default() };
/// let tracker = Tracker::new(config);
/// assert_eq!(tracker.config().max_cards, 1_000);
/// ```
///
/// [`Error::LimitExceeded`]: crate::Error::LimitExceeded
/// [`Error::PayloadTooLarge`]: crate::Error::PayloadTooLarge
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// Largest body `apply` reads, in bytes.
    pub max_body_bytes: usize,
    /// Most operations in one body.
    pub max_operations_per_body: usize,
    /// Longest JSON string (value or object key) inside an operation, in bytes.
    pub max_string_bytes: usize,
    /// Largest canonical form of one operation, in bytes.
    pub max_operation_bytes: usize,
    /// Deepest nesting of arrays and objects inside one operation (the
    /// operation object itself is depth 1).
    pub max_depth: usize,
    /// How many notifications of one operation are kept verbatim: the greatest
    /// K by the fold's order. The notifications that define the view are kept
    /// beside them, so this bound never changes what the view shows.
    pub max_notifications_per_operation: usize,
    /// Most operations (tracking requests) per card.
    pub max_operations_per_card: usize,
    /// Most cards per tracker.
    pub max_cards: usize,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            max_body_bytes: 1024 * 1024,
            max_operations_per_body: 1_000,
            max_string_bytes: 2_048,
            max_operation_bytes: 16 * 1024,
            max_depth: 16,
            max_notifications_per_operation: 32,
            max_operations_per_card: 64,
            max_cards: 10_000_000,
        }
    }
}
