//! Calendar dates as dateline stores and filters them.
//!
//! Dates are kept as whole seconds since the Unix epoch, UTC, in an `i64`.
//! tantivy's own `DateTime` counts nanoseconds in an `i64` and so cannot hold
//! dates before 1677 or after 2262; historical archives need years 1000–9999,
//! which seconds cover with room to spare. The conversion to and from calendar
//! dates goes through jiff so leap years and month lengths are never
//! hand-computed.

use std::fmt;

use jiff::civil::{Date, DateTime, Time};

use crate::error::DateError;

/// How precisely a date is known: a day, or an instant to the second.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DatePrecision {
    /// Only the calendar day is known (`2024-01-25`).
    Day,
    /// The instant is known to the second (`2024-01-25T10:00:00Z`).
    Second,
}

/// The date of an article: a UTC instant plus how precisely it is known.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ArticleDate {
    /// Seconds since 1970-01-01T00:00:00Z; negative before 1970.
    pub timestamp: i64,
    /// Whether only the day, or the exact second, is known.
    pub precision: DatePrecision,
}

impl ArticleDate {
    /// A day-precision date at midnight UTC.
    pub fn from_day(day: Date) -> ArticleDate {
        ArticleDate {
            timestamp: day_start(day),
            precision: DatePrecision::Day,
        }
    }

    /// Rebuilds a date from what the index stores.
    pub fn from_stored(timestamp: i64, precision: DatePrecision) -> ArticleDate {
        ArticleDate {
            timestamp,
            precision,
        }
    }

    /// The UTC calendar day this date falls on.
    pub fn day(&self) -> Date {
        to_datetime(self.timestamp).date()
    }
}

impl fmt::Display for ArticleDate {
    /// ISO 8601: `YYYY-MM-DD` for a day, `YYYY-MM-DDTHH:MM:SSZ` for an instant.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let datetime = to_datetime(self.timestamp);
        match self.precision {
            DatePrecision::Day => write!(f, "{}", datetime.date()),
            DatePrecision::Second => write!(f, "{}Z", datetime.strftime("%Y-%m-%dT%H:%M:%S")),
        }
    }
}

/// A calendar period named by a partial date: a year, a month or a day.
///
/// `2024` covers the whole year, `2024-01` the whole of January and
/// `2024-01-25` one day, so `--until 2024-01` includes January 31 up to
/// 23:59:59 UTC.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Period {
    first_day: Date,
    last_day: Date,
}

/// The forms a date argument may take, for error messages and `--help`.
pub const ACCEPTED_DATE_FORMS: &str =
    "YYYY, YYYY-MM or YYYY-MM-DD (UTC), e.g. 2024, 2024-01, 2024-01-25";

impl Period {
    /// Parses `YYYY`, `YYYY-MM` or `YYYY-MM-DD`, rejecting impossible dates.
    pub fn parse(text: &str) -> Result<Period, DateError> {
        let invalid = |reason: &str| DateError {
            input: text.to_string(),
            reason: reason.to_string(),
        };
        let parts: Vec<&str> = text.trim().split('-').collect();
        let number = |part: &str, digits: usize, what: &str| -> Result<i16, DateError> {
            if part.len() != digits || !part.bytes().all(|b| b.is_ascii_digit()) {
                return Err(invalid(&format!("the {what} must have {digits} digits")));
            }
            part.parse::<i16>()
                .map_err(|_| invalid(&format!("the {what} is not a number")))
        };
        let year = number(parts[0], 4, "year")?;
        if year < 1000 {
            return Err(invalid("years before 1000 are not supported"));
        }
        let period = match parts.len() {
            1 => Period {
                first_day: checked_date(year, 1, 1).map_err(|e| invalid(&e))?,
                last_day: checked_date(year, 12, 31).map_err(|e| invalid(&e))?,
            },
            2 => {
                let month = number(parts[1], 2, "month")?;
                let first = checked_date(year, month, 1).map_err(|e| invalid(&e))?;
                Period {
                    first_day: first,
                    last_day: first.last_of_month(),
                }
            }
            3 => {
                let month = number(parts[1], 2, "month")?;
                let day = number(parts[2], 2, "day")?;
                let date = checked_date(year, month, day).map_err(|e| invalid(&e))?;
                Period {
                    first_day: date,
                    last_day: date,
                }
            }
            _ => return Err(invalid("too many parts")),
        };
        Ok(period)
    }

    /// The first second of the period, UTC.
    pub fn start(&self) -> i64 {
        day_start(self.first_day)
    }

    /// The last second of the period, UTC (23:59:59 on its last day).
    pub fn end(&self) -> i64 {
        day_start(self.last_day) + 86_400 - 1
    }
}

/// Builds a date, explaining an impossible one (`2024-02-30`) in words.
pub fn checked_date(year: i16, month: i16, day: i16) -> Result<Date, String> {
    if !(1..=12).contains(&month) {
        return Err(format!("month {month} does not exist"));
    }
    let month = month as i8;
    Date::new(year, month, day as i8).map_err(|_| {
        let days = Date::new(year, month, 1)
            .map(|d| d.days_in_month())
            .unwrap_or(31);
        format!("day {day} does not exist in {year:04}-{month:02}, which has {days} days")
    })
}

/// Midnight UTC at the start of `day`, in seconds since the epoch.
///
/// Computed as civil arithmetic rather than through `jiff::Timestamp`,
/// whose range stops at 9999-12-30T22:00Z so that every offset stays
/// displayable; 9999-12-31 must still index.
fn day_start(day: Date) -> i64 {
    day.duration_since(EPOCH_DAY).as_secs()
}

/// The first day of the Unix epoch.
const EPOCH_DAY: Date = jiff::civil::date(1970, 1, 1);

/// The UTC civil date-time of a timestamp (clamped to years 1000–9999's
/// neighbourhood jiff can represent).
fn to_datetime(timestamp: i64) -> DateTime {
    let epoch = DateTime::from_parts(EPOCH_DAY, Time::midnight());
    epoch
        .checked_add(jiff::SignedDuration::from_secs(timestamp))
        .unwrap_or(if timestamp < 0 {
            DateTime::MIN
        } else {
            DateTime::MAX
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partial_dates_cover_their_whole_period() {
        let january = Period::parse("2024-01").unwrap();
        assert_eq!(
            january.start(),
            Period::parse("2024-01-01").unwrap().start()
        );
        assert_eq!(january.end(), Period::parse("2024-01-31").unwrap().end());
        let leap = Period::parse("2024-02").unwrap();
        assert_eq!(leap.end(), Period::parse("2024-02-29").unwrap().end());
        let year = Period::parse("1987").unwrap();
        assert_eq!(year.start(), Period::parse("1987-01-01").unwrap().start());
        assert_eq!(year.end() + 1, Period::parse("1988").unwrap().start());
    }

    #[test]
    fn a_day_ends_one_second_before_the_next_begins() {
        let day = Period::parse("2024-01-25").unwrap();
        assert_eq!(day.end() - day.start(), 86_399);
        assert_eq!(day.start(), 1_706_140_800);
    }

    #[test]
    fn impossible_dates_are_rejected_with_a_reason() {
        for bad in [
            "2024-13-01",
            "2024-02-30",
            "2023-02-29",
            "24-01-01",
            "2024-1-5",
            "x",
            "",
            "2024-01-01-01",
            "0999",
        ] {
            let error = Period::parse(bad).unwrap_err();
            assert_eq!(error.input, bad, "{bad}");
            assert!(!error.reason.is_empty());
        }
        assert!(
            Period::parse("2024-02-30")
                .unwrap_err()
                .reason
                .contains("29 days")
        );
    }

    #[test]
    fn historical_dates_round_trip() {
        for text in ["1492-10-12", "1851-09-18", "9999-12-31", "1000-01-01"] {
            let period = Period::parse(text).unwrap();
            let date = ArticleDate::from_stored(period.start(), DatePrecision::Day);
            assert_eq!(date.to_string(), text);
        }
    }

    #[test]
    fn instants_display_as_rfc3339_utc() {
        let date = ArticleDate::from_stored(1_706_176_800, DatePrecision::Second);
        assert_eq!(date.to_string(), "2024-01-25T10:00:00Z");
    }
}
