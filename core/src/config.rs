//! Bounds, so that a hostile or broken sender cannot exhaust memory.

macro_rules! bounds {
    ($(#[$sdoc:meta])* struct Config;
     $($(#[$doc:meta])* $field:ident, $json:literal, $with:ident = $default:expr;)*) => {
        $(#[$sdoc])*
        #[derive(Debug, Clone, PartialEq, Eq)]
        #[non_exhaustive]
        pub struct Config {
            $($(#[$doc])* pub $field: usize,)*
        }

        impl Default for Config {
            fn default() -> Self {
                Config { $($field: $default,)* }
            }
        }

        impl Config {
            $(
                #[doc = concat!("This configuration with `", stringify!($field), "` set to `value`.")]
                #[must_use]
                pub const fn $with(mut self, value: usize) -> Config {
                    self.$field = value;
                    self
                }
            )*

            /// The bound named `json` (camelCase, as JSON options name it).
            fn slot(&mut self, json: &str) -> Option<&mut usize> {
                match json {
                    $($json => Some(&mut self.$field),)*
                    _ => None,
                }
            }
        }

        /// The camelCase names of the bounds, as JSON options use them.
        const FIELDS: &[&str] = &[$($json),*];
    };
}

// Every bound, declared once: its field, its JSON name, its builder and its
// default.
bounds! {
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
    /// | `max_operation_bytes` | 16 KiB (an operation's canonical form; at most 65,535) |
    /// | `max_depth` | 16 (nesting inside an operation) |
    /// | `max_notifications_per_operation` | 32 (plus the few that define the view) |
    /// | `max_operations_per_card` | 64 |
    /// | `max_cards` | 10,000,000 |
    /// | `max_state_bytes` | 1 GiB (1,073,741,824; the bytes the whole state keeps) |
        ///
    /// ```
    /// use d1_tracking::{Config, Tracker};
    /// let config = Config::default().with_max_cards(1_000);
    /// let tracker = Tracker::new(config);
    /// assert_eq!(tracker.config().max_cards, 1_000);
    /// ```
    ///
    /// [`Error::LimitExceeded`]: crate::Error::LimitExceeded
    /// [`Error::PayloadTooLarge`]: crate::Error::PayloadTooLarge
    ///
    /// The struct is `#[non_exhaustive]`, so that a later version can add a
    /// bound: start from [`Config::default`] (or [`Config::from_json`]) and
    /// change what you need with the `with_…` methods or by assigning fields.
    struct Config;

    /// Largest body `apply` reads, in bytes.
    max_body_bytes, "maxBodyBytes", with_max_body_bytes = 1024 * 1024;
    /// Most operations in one body.
    max_operations_per_body, "maxOperationsPerBody", with_max_operations_per_body = 1_000;
    /// Longest JSON string (value or object key) inside an operation, in bytes.
    max_string_bytes, "maxStringBytes", with_max_string_bytes = 2_048;
    /// Largest canonical form of one operation, in bytes. Values above
    /// 65,535 act as 65,535: the state records positions inside an operation
    /// in 16 bits (D1's notifications are well under 2 KB).
    max_operation_bytes, "maxOperationBytes", with_max_operation_bytes = 16 * 1024;
    /// Deepest nesting of arrays and objects inside one operation (the
    /// operation object itself is depth 1).
    max_depth, "maxDepth", with_max_depth = 16;
    /// How many notifications of one operation are kept verbatim: the greatest
    /// K by the fold's order. The notifications that define the view are kept
    /// beside them, so this bound never changes what the view shows. Values
    /// above 65,000 act as 65,000 (positions in the kept list are 16-bit).
    max_notifications_per_operation, "maxNotificationsPerOperation",
        with_max_notifications_per_operation = 32;
    /// Most operations (tracking requests) per card.
    max_operations_per_card, "maxOperationsPerCard", with_max_operations_per_card = 64;
    /// Most cards per tracker.
    max_cards, "maxCards", with_max_cards = 10_000_000;
    /// Most bytes the whole state keeps: every kept notification (its
    /// struct and compact text), operation, card and request record, as
    /// [`Tracker::state_bytes`](crate::Tracker::state_bytes) counts them. A
    /// count of cards is no memory bound when one card can hold megabytes.
    /// The default (1 GiB) keeps a WebAssembly tracker well under its 4 GiB
    /// ceiling.
    max_state_bytes, "maxStateBytes", with_max_state_bytes = 1 << 30;
}

impl Config {
    /// The most values (scalars, arrays and objects) one operation can
    /// hold within `max_operation_bytes`: in canonical form every value but
    /// the first writes at least two bytes (itself, and the `,` `:` or `[`
    /// before it), so `n` values take at least `2n - 1` bytes. A reader may
    /// stop keeping an operation past this many values: it is over the
    /// bound whatever else it holds.
    pub(crate) fn max_operation_values(&self) -> usize {
        // ⌈max / 2⌉ = ⌊(max + 1) / 2⌋, without overflow.
        self.max_operation_bytes / 2 + self.max_operation_bytes % 2
    }
}

impl Config {
    /// Reads bounds from a JSON object with camelCase names (the form the npm
    /// package and the C library take); absent bounds keep their defaults.
    ///
    /// ```
    /// use d1_tracking::Config;
    /// let config = Config::from_json(br#"{"maxCards": 10, "maxDepth": 8}"#).unwrap();
    /// assert_eq!((config.max_cards, config.max_depth), (10, 8));
    /// let err = Config::from_json(br#"{"maxCard": 10}"#).unwrap_err();
    /// assert_eq!(err.path(), Some("maxCard"));
    /// ```
    ///
    /// # Errors
    /// [`Error::Parsing`] when the bytes are not a JSON object;
    /// [`Error::FieldInvalidValue`] for an unknown name;
    /// [`Error::FieldInvalidFormat`] for a value that is not a whole number
    /// of at least 1.
    ///
    /// [`Error::Parsing`]: crate::Error::Parsing
    /// [`Error::FieldInvalidValue`]: crate::Error::FieldInvalidValue
    /// [`Error::FieldInvalidFormat`]: crate::Error::FieldInvalidFormat
    pub fn from_json(bytes: &[u8]) -> Result<Config, crate::Error> {
        let value: serde_json::Value =
            serde_json::from_slice(bytes).map_err(|e| crate::Error::Parsing {
                message: format!("the options are not valid JSON: {e}"),
            })?;
        Config::from_value(&value)
    }

    /// As [`Config::from_json`], from a parsed value.
    pub fn from_value(value: &serde_json::Value) -> Result<Config, crate::Error> {
        let Some(map) = value.as_object() else {
            return Err(crate::Error::Parsing {
                message: "expected a JSON object of options".to_string(),
            });
        };
        let mut config = Config::default();
        for (key, v) in map {
            let Some(slot) = config.slot(key) else {
                return Err(crate::error::invalid_value(
                    key,
                    format!("unknown option; expected one of {}", FIELDS.join(", ")),
                ));
            };
            *slot = v
                .as_u64()
                .filter(|n| *n >= 1)
                .and_then(|n| usize::try_from(n).ok())
                .ok_or_else(|| {
                    crate::error::invalid_format(
                        key,
                        "expected a whole number of at least 1".to_string(),
                    )
                })?;
        }
        Ok(config)
    }
}
