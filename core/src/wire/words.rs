//! One way to declare a word D1 spells (or a view shows): [`d1_words!`]
//! takes each variant with its spelling, and its rank where it has one, and
//! derives the rest — `ALL`, `as_str`, `Display`, `FromStr`, `Serialize`,
//! and `rank`. Every such enum of the crate is declared with it
//! (`kinds.rs`, `business.rs`, `shipment.rs`, and the view's `Phase` and
//! `AlertCode`), and the C library's names are checked against `ALL`.

use std::fmt;

/// A spelling that no value of an enum of words has (`TrackingType`,
/// `OperationStatus`, `ShipmentPhase`, `Phase`, `AlertCode`): what their
/// `FromStr` returns.
///
/// ```
/// use d1_tracking::OperationStatus;
/// let err = "DONE".parse::<OperationStatus>().unwrap_err();
/// assert_eq!(err.to_string(), "expected one of PENDING, SUCCESSFUL, FAILED, found \"DONE\"");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownWord {
    expected: &'static [&'static str],
    found: String,
}

impl UnknownWord {
    pub(crate) fn new(expected: &'static [&'static str], found: &str) -> UnknownWord {
        UnknownWord {
            expected,
            found: found.to_string(),
        }
    }

    /// The spellings that would have been accepted.
    pub fn expected(&self) -> &'static [&'static str] {
        self.expected
    }

    /// The text that was given.
    pub fn found(&self) -> &str {
        &self.found
    }
}

impl fmt::Display for UnknownWord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "expected one of {}, found {}",
            self.expected.join(", "),
            crate::json::quoted(&self.found)
        )
    }
}

impl std::error::Error for UnknownWord {}

/// Declares an enum of words: `Variant = "SPELLING" [rank N];` per value,
/// every value ranked or none. Derives `ALL` (declaration order, which is
/// also `Ord`'s), `SPELLINGS`, `as_str`, `Display`, `FromStr` (exact
/// spelling), `Serialize` (the spelling) and, when ranked, `rank`. An open
/// enum is `pub enum Name else Other { … }`: `Other(Box<str>)` keeps any
/// other spelling (rank 0): it has `KNOWN` instead of `ALL`, and `parse`.
macro_rules! d1_words {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $(
                $(#[$doc:meta])*
                $variant:ident = $text:literal $(rank $rank:literal)?;
            )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum $name {
            $($(#[$doc])* $variant,)*
        }

        impl $name {
            /// Every value, in the order declared.
            pub const ALL: [$name; [$($name::$variant),*].len()] = [$($name::$variant),*];

            /// Every spelling, in the order of `ALL`.
            pub const SPELLINGS: &'static [&'static str] = &[$($text),*];

            /// The spelling.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text,)*
                }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = $crate::wire::UnknownWord;

            /// Parses the exact spelling of any value.
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                $name::ALL
                    .into_iter()
                    .find(|v| v.as_str() == s)
                    .ok_or_else(|| $crate::wire::UnknownWord::new($name::SPELLINGS, s))
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        d1_words!(@rank $name [$($variant $($rank)?),*]);
    };
    // An open enum: the known values, and one that keeps any other
    // spelling as it was sent (rank 0).
    (
        $(#[$meta:meta])*
        pub enum $name:ident else $other:ident {
            $(
                $(#[$doc:meta])*
                $variant:ident = $text:literal rank $rank:literal;
            )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum $name {
            $($(#[$doc])* $variant,)*
            /// A value this version does not know, as D1 sent it.
            $other(Box<str>),
        }

        impl $name {
            /// Every known value, in the order declared.
            pub const KNOWN: [$name; [$($rank),*].len()] = [$($name::$variant),*];

            /// Every known spelling, in the order of `KNOWN`.
            pub const SPELLINGS: &'static [&'static str] = &[$($text),*];

            /// The spelling (another value as it was sent).
            pub fn as_str(&self) -> &str {
                match self {
                    $($name::$variant => $text,)*
                    $name::$other(raw) => raw,
                }
            }

            /// Classifies a spelling (exact); another value is kept as given.
            pub fn parse(raw: &str) -> $name {
                match raw {
                    $($text => $name::$variant,)*
                    _ => $name::$other(raw.into()),
                }
            }

            /// The rank of a spelling in the fold's order, declared beside
            /// it; 0 for another value. (The fold ranks every notification:
            /// no allocation here.)
            pub(crate) fn rank_of(raw: &str) -> u8 {
                match raw {
                    $($text => $rank,)*
                    _ => 0,
                }
            }

            /// The rank in the fold's order; 0 for a value this version does
            /// not know.
            pub const fn rank(&self) -> u8 {
                match self {
                    $($name::$variant => $rank,)*
                    _ => 0,
                }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = ::std::convert::Infallible;

            /// Classifies a spelling; never fails (see `parse`).
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Ok($name::parse(s))
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }
    };
    (@rank $name:ident [$($variant:ident),*]) => {};
    (@rank $name:ident [$($variant:ident $rank:literal),*]) => {
        impl $name {
            /// The rank in the fold's order, declared beside the spelling.
            pub const fn rank(self) -> u8 {
                match self {
                    $($name::$variant => $rank,)*
                }
            }
        }
    };
}
pub(crate) use d1_words;
