//! ISO 8601 date-times, parsed without a clock or a date library, as
//! leniently as D1's loose documents call for: `T`, `t` or one space
//! between date and time, any number of fraction digits, and an offset
//! `Z`, `±HH:MM`, `±HHMM`, `±HH` or none (UTC). Only what is not a
//! date-time at all, or an impossible date, is refused.
//!
//! D1 writes times like `2025-01-17T06:28:02.492Z`. The fold compares them as
//! instants (so `+01:00` offsets order correctly) but always shows and stores
//! the string exactly as given.

use std::cmp::Ordering;

/// A timestamp as D1 sent it, with the instant it denotes. Public only with
/// the `test-util` feature: the fold keeps instants, and hosts see
/// timestamps as the text D1 sent.
///
/// Ordered by instant, then by the text, so that two spellings of one instant
/// still have one order on every platform.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Timestamp {
    raw: String,
    /// Nanoseconds since the Unix epoch (negative before 1970).
    nanos: i128,
}

impl Timestamp {
    /// Parses a date-time `YYYY-MM-DD(T|t| )HH:MM:SS[.fraction][Z|z|±HH:MM|±HHMM|±HH]`
    /// (no offset is UTC). Fractions beyond nanoseconds are read
    /// but do not change the instant.
    ///
    /// With the `test-util` feature (the type is for tests and oracles):
    ///
    /// ```ignore
    /// use d1_tracking::Timestamp;
    /// let a = Timestamp::parse("2026-03-02T10:00:00+01:00").unwrap();
    /// let b = Timestamp::parse("2026-03-02T09:00:00.000Z").unwrap();
    /// assert_eq!(a.unix_nanos(), b.unix_nanos());
    /// assert!(Timestamp::parse("2026-02-30T00:00:00Z").is_none());
    /// ```
    pub fn parse(raw: &str) -> Option<Timestamp> {
        parse_nanos(raw).map(|nanos| Timestamp {
            raw: raw.to_string(),
            nanos,
        })
    }

    /// The text exactly as received.
    #[cfg(any(test, feature = "test-util"))]
    pub fn as_str(&self) -> &str {
        &self.raw
    }

    /// The instant, in nanoseconds since the Unix epoch.
    pub fn unix_nanos(&self) -> i128 {
        self.nanos
    }
}

/// The instant of a date-time, in nanoseconds since the Unix epoch
/// (see [`Timestamp::parse`]), without keeping the text.
pub(crate) fn parse_nanos(raw: &str) -> Option<i128> {
    parse_instant(raw).map(|(secs, nanos)| i128::from(secs) * 1_000_000_000 + i128::from(nanos))
}

/// The instant of a date-time as whole seconds since the Unix
/// epoch and nanoseconds within the second: what the state keeps, read
/// without 128-bit arithmetic (it runs for every notification).
pub(crate) fn parse_instant(raw: &str) -> Option<(i64, u32)> {
    let b = raw.as_bytes();
    if b.len() < 19 {
        return None;
    }
    let year = digits(b, 0, 4)?;
    let month = digits(b, 5, 2)?;
    let day = digits(b, 8, 2)?;
    let hour = digits(b, 11, 2)?;
    let minute = digits(b, 14, 2)?;
    let second = digits(b, 17, 2)?;
    let at = |i: usize| b.get(i).copied();
    // ISO 8601's `T`, in either case, or one space (as RFC 3339 allows).
    if at(4) != Some(b'-') || at(7) != Some(b'-') || !matches!(at(10), Some(b'T' | b't' | b' ')) {
        return None;
    }
    if at(13) != Some(b':') || at(16) != Some(b':') {
        return None;
    }
    if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
        return None;
    }
    // 60 is a leap second; it denotes the same instant as :59 + 1 s.
    if hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let mut i = 19;
    let mut frac_nanos: u32 = 0;
    if b.get(i) == Some(&b'.') {
        i += 1;
        let start = i;
        while let Some(d) = b.get(i).filter(|d| d.is_ascii_digit()) {
            // Digits beyond the ninth are read but do not count.
            if i - start < 9 {
                frac_nanos = frac_nanos * 10 + u32::from(d - b'0');
            }
            i += 1;
        }
        if i == start {
            return None;
        }
        let read = (i - start).min(9);
        frac_nanos *= 10u32.pow(u32::try_from(9 - read).unwrap_or(0));
    }
    let offset_secs: i64 = match b.get(i) {
        // No offset: UTC (docs/decisions.md: D1's examples are all UTC).
        None => 0,
        Some(b'Z' | b'z') if i + 1 == b.len() => 0,
        Some(sign @ (b'+' | b'-')) => {
            // `±HH:MM`, `±HHMM` or `±HH`.
            let (oh, om) = match b.len() - i {
                6 if at(i + 3) == Some(b':') => (digits(b, i + 1, 2)?, digits(b, i + 4, 2)?),
                5 => (digits(b, i + 1, 2)?, digits(b, i + 3, 2)?),
                3 => (digits(b, i + 1, 2)?, 0),
                _ => return None,
            };
            if oh > 23 || om > 59 {
                return None;
            }
            let s = oh * 3600 + om * 60;
            if *sign == b'+' {
                s
            } else {
                -s
            }
        }
        _ => return None,
    };
    let days = days_from_civil(year, month, day);
    let secs = days * 86_400 + hour * 3600 + minute * 60 + second - offset_secs;
    Some((secs, frac_nanos))
}

impl Ord for Timestamp {
    fn cmp(&self, other: &Self) -> Ordering {
        self.nanos
            .cmp(&other.nanos)
            .then_with(|| self.raw.cmp(&other.raw))
    }
}

impl PartialOrd for Timestamp {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

fn digits(b: &[u8], at: usize, n: usize) -> Option<i64> {
    let slice = b.get(at..at + n)?;
    slice.iter().try_fold(0i64, |acc, d| {
        d.is_ascii_digit().then(|| acc * 10 + i64::from(d - b'0'))
    })
}

fn is_leap(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
/// well-known civil-from-days inverse).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// An instant as (seconds, nanoseconds) since the Unix epoch: ordered like
/// the nanosecond count, in 12 bytes instead of 16.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Instant {
    pub(crate) secs: i64,
    pub(crate) nanos: u32,
}

impl Instant {
    pub(crate) fn new((secs, nanos): (i64, u32)) -> Instant {
        Instant { secs, nanos }
    }

    /// The instant in RFC 3339, UTC, with the fraction digits it needs
    /// (`2026-03-02T09:00:00Z`, `…:00.5Z`): how `explain` shows cuts.
    pub(crate) fn to_rfc3339(self) -> String {
        let days = self.secs.div_euclid(86_400);
        let secs = self.secs.rem_euclid(86_400);
        let (year, month, day) = civil_from_days(days);
        let mut out = format!(
            "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}",
            secs / 3600,
            secs / 60 % 60,
            secs % 60
        );
        if self.nanos > 0 {
            let fraction = format!("{:09}", self.nanos);
            out.push('.');
            out.push_str(fraction.trim_end_matches('0'));
        }
        out.push('Z');
        out
    }
}

/// The proleptic Gregorian date of a day count since 1970-01-01 (the
/// inverse of [`days_from_civil`], by the same well-known algorithm).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nanos(s: &str) -> i128 {
        Timestamp::parse(s)
            .map(|t| t.unix_nanos())
            .unwrap_or(i128::MIN)
    }

    #[test]
    fn instants_print_as_rfc3339() {
        for text in [
            "2026-03-02T09:00:00Z",
            "1969-12-31T23:59:59.5Z",
            "2000-02-29T12:34:56.000000001Z",
            "0001-01-01T00:00:00Z",
        ] {
            let instant = Instant::new(parse_instant(text).expect("valid"));
            assert_eq!(instant.to_rfc3339(), text);
        }
    }

    #[test]
    fn known_instants() {
        assert_eq!(nanos("1970-01-01T00:00:00Z"), 0);
        assert_eq!(nanos("2025-01-17T06:28:02.492Z"), 1_737_095_282_492_000_000);
        assert_eq!(nanos("2000-02-29T00:00:00Z"), 951_782_400_000_000_000);
        assert_eq!(nanos("1969-12-31T23:59:59Z"), -1_000_000_000);
        assert_eq!(
            nanos("2026-03-02T10:00:00+01:00"),
            nanos("2026-03-02T09:00:00Z")
        );
        assert_eq!(
            nanos("2026-03-02T09:00:00.5Z") - nanos("2026-03-02T09:00:00Z"),
            500_000_000
        );
        assert_eq!(nanos("1969-12-31T23:59:59.000000001Z"), -999_999_999);
        assert_eq!(
            nanos("2026-03-02T09:00:00.1234567891Z"),
            nanos("2026-03-02T09:00:00.123456789Z")
        );
    }

    /// The leniency of docs/decisions.md ("Timestamps are read leniently"):
    /// what D1 might plausibly send is read, and an offset-less time is UTC.
    #[test]
    fn reads_the_spellings_d1_might_send() {
        let utc = nanos("2026-03-02T09:00:00Z");
        for same in [
            "2026-03-02T09:00:00",
            "2026-03-02 09:00:00Z",
            "2026-03-02t09:00:00z",
            "2026-03-02T10:00:00+0100",
            "2026-03-02T10:00:00+01",
            "2026-03-02T08:30:00-0030",
            "2026-03-02T09:00:00.000",
            "2026-03-02 09:00:00.000000000000+00:00",
        ] {
            assert_eq!(nanos(same), utc, "{same}");
        }
        assert_eq!(nanos("2025-01-17T06:28:02.492"), 1_737_095_282_492_000_000);
    }

    #[test]
    fn rejects_what_is_not_a_date_time() {
        for bad in [
            "",
            "2026-03-02",
            "2026-03-02T09:00",
            "2026-03-02  09:00:00Z",
            "2026-03-02_09:00:00Z",
            "2026-13-02T09:00:00Z",
            "2025-02-29T09:00:00Z",
            "2026-03-02T24:00:00Z",
            "2026-03-02T09:00:00.Z",
            "2026-03-02T09:00:00+1",
            "2026-03-02T09:00:00+01:0",
            "2026-03-02T09:00:00+010",
            "2026-03-02T09:00:00+24:00",
            "2026-03-02T09:00:00Zjunk",
            "2026-03-02T09:00:00 ",
            "２026-03-02T09:00:00Z",
            "+2026-03-02T09:00:00Z",
        ] {
            assert!(Timestamp::parse(bad).is_none(), "{bad} was accepted");
        }
    }

    #[test]
    fn spellings_of_one_instant_order_by_text() {
        let z = Timestamp::parse("2026-03-02T09:00:00Z");
        let plus = Timestamp::parse("2026-03-02T10:00:00+01:00");
        assert!(z.is_some() && plus.is_some());
        assert_ne!(z, plus);
        assert!(z < plus);
    }
}
