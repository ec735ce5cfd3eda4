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
use jiff::tz::Offset;

/// An unusable date argument.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("invalid date '{input}': {reason}; accepted forms: {ACCEPTED_DATE_FORMS}")]
pub struct DateError {
    /// What the user typed.
    pub input: String,
    /// Why it is not a date.
    pub reason: String,
}

/// How precisely a date is known: a day, or an instant to the second.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DatePrecision {
    /// Only the calendar day is known (`2024-01-25`).
    Day,
    /// The instant is known to the second (`2024-01-25T10:00:00Z`).
    Second,
}

/// The date of an article: the instant (UTC, for sorting and time-of-day
/// precision), how precisely it is known, and the offset from UTC it was
/// written in, so the calendar day the author wrote is kept as well.
///
/// `2013-11-04 21:46:02 -0600` is the instant 2013-11-05T03:46:02Z, but its
/// author dated it November 4: filters by day and timelines use that day
/// ([`ArticleDate::day`]), sorting and filters with a time use the instant.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ArticleDate {
    /// Seconds since 1970-01-01T00:00:00Z; negative before 1970. A bare day
    /// is stored as midnight UTC at its start.
    pub timestamp: i64,
    /// Whether only the day, or the exact second, is known.
    pub precision: DatePrecision,
    /// Seconds east of UTC of the local time as written: `-0600` is
    /// -21,600. 0 for a bare day, a time in UTC and a time written without
    /// a zone (read as UTC).
    pub offset: i32,
}

impl ArticleDate {
    /// A day-precision date (stored at midnight UTC).
    pub fn from_day(day: Date) -> ArticleDate {
        ArticleDate {
            timestamp: day_start(day),
            precision: DatePrecision::Day,
            offset: 0,
        }
    }

    /// An instant written as a local date and time at `offset` seconds east
    /// of UTC. Computed by civil arithmetic, so every second of years
    /// 1000–9999 is representable whatever the offset.
    pub fn from_local(datetime: DateTime, offset: i32) -> ArticleDate {
        let time = datetime.time();
        let seconds_of_day = i64::from(time.hour()) * 3_600
            + i64::from(time.minute()) * 60
            + i64::from(time.second());
        ArticleDate {
            timestamp: day_start(datetime.date()) + seconds_of_day - i64::from(offset),
            precision: DatePrecision::Second,
            offset,
        }
    }

    /// Rebuilds a date from what the index stores, written in UTC.
    pub fn from_stored(timestamp: i64, precision: DatePrecision) -> ArticleDate {
        ArticleDate::from_stored_at(timestamp, precision, 0)
    }

    /// Rebuilds a date from what the index stores: the instant, its
    /// precision and the offset it was written in.
    pub fn from_stored_at(timestamp: i64, precision: DatePrecision, offset: i32) -> ArticleDate {
        let offset = match precision {
            DatePrecision::Day => 0,
            DatePrecision::Second => offset,
        };
        ArticleDate {
            timestamp,
            precision,
            offset,
        }
    }

    /// The calendar day as written: the day in the article's own offset
    /// (for a bare day, that day).
    pub fn day(&self) -> Date {
        to_datetime(self.local_seconds()).date()
    }

    /// [`ArticleDate::day`] as a day number (days since 1970-01-01), the
    /// value the index filters and counts by.
    pub fn day_number(&self) -> i64 {
        self.local_seconds().div_euclid(86_400)
    }

    /// The instant in UTC, RFC 3339 (`2013-11-05T03:46:02Z`); a bare day
    /// stays `YYYY-MM-DD`, since it names no instant.
    pub fn utc(&self) -> String {
        match self.precision {
            DatePrecision::Day => self.day().to_string(),
            DatePrecision::Second => format_instant(self.timestamp),
        }
    }

    fn local_seconds(&self) -> i64 {
        self.timestamp.saturating_add(i64::from(self.offset))
    }
}

impl fmt::Display for ArticleDate {
    /// As written: `YYYY-MM-DD` for a day; for an instant, the local date
    /// and time with its offset (`2013-11-04T21:46:02-06:00`), `Z` when the
    /// offset is zero.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.precision {
            DatePrecision::Day => write!(f, "{}", self.day()),
            DatePrecision::Second => {
                let local = to_datetime(self.local_seconds());
                write!(
                    f,
                    "{}{}",
                    local.strftime("%Y-%m-%dT%H:%M:%S"),
                    OffsetText(self.offset)
                )
            }
        }
    }
}

/// An offset as RFC 3339 writes it: `Z`, `+05:30`, `-06:00` (seconds only
/// when there are some, as in historical local mean times).
struct OffsetText(i32);

impl fmt::Display for OffsetText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let offset = self.0;
        if offset == 0 {
            return write!(f, "Z");
        }
        let sign = if offset < 0 { '-' } else { '+' };
        let magnitude = offset.unsigned_abs();
        let (hours, minutes, seconds) = (magnitude / 3_600, magnitude / 60 % 60, magnitude % 60);
        write!(f, "{sign}{hours:02}:{minutes:02}")?;
        if seconds > 0 {
            write!(f, ":{seconds:02}")?;
        }
        Ok(())
    }
}

/// An instant as RFC 3339 in UTC: `2024-01-25T10:00:00Z`.
pub fn format_instant(timestamp: i64) -> String {
    format!("{}Z", to_datetime(timestamp).strftime("%Y-%m-%dT%H:%M:%S"))
}

/// The day number of `day`: days since 1970-01-01 (negative before), the
/// value of the index's day field.
pub fn day_number(day: Date) -> i64 {
    day_start(day).div_euclid(86_400)
}

/// The day a day number names (clamped to the years jiff supports).
pub fn day_from_number(number: i64) -> Date {
    to_datetime(number.saturating_mul(86_400)).date()
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
pub const ACCEPTED_DATE_FORMS: &str = "YYYY, YYYY-MM or YYYY-MM-DD, e.g. 2024, 2024-01, 2024-01-25 \
(also 2024/01/25, January 25, 2024, 25.01.2024, a week 2024-W04); \
with a time and offset, an instant: 2024-01-25T10:00:00+01:00; \
or relative to today (UTC): today, yesterday, 30d, 2w, 6m, 1y, \
this-week, last-week, this-month, last-month, this-year, last-year";

impl Period {
    /// Parses `YYYY`, `YYYY-MM` or `YYYY-MM-DD` (parts also separated by
    /// `/` or `.`, months and days also of one digit, as files write them)
    /// and ISO weeks (`2024-W04`, `2024-W04-4`), rejecting impossible dates
    /// with the reason.
    pub fn parse(text: &str) -> Result<Period, DateError> {
        let invalid = |reason: &str| DateError {
            input: text.to_string(),
            reason: reason.to_string(),
        };
        let trimmed = text.trim();
        if let Some(week) = parse_iso_week(trimmed) {
            return week.map_err(|reason| invalid(&reason));
        }
        let separator = trimmed
            .chars()
            .find(|c| matches!(c, '-' | '/' | '.'))
            .unwrap_or('-');
        let parts: Vec<&str> = trimmed.split(separator).collect();
        let numeric = |part: &str| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit());
        if !parts.iter().all(|part| numeric(part)) {
            return Err(invalid("not a date dateline reads"));
        }
        let number = |part: &str, digits: std::ops::RangeInclusive<usize>, what: &str| {
            if !digits.contains(&part.len()) {
                let count = if digits.start() == digits.end() {
                    digits.start().to_string()
                } else {
                    format!("{} or {}", digits.start(), digits.end())
                };
                return Err(invalid(&format!("the {what} must have {count} digits")));
            }
            part.parse::<i16>()
                .map_err(|_| invalid(&format!("the {what} is not a number")))
        };
        let year = number(parts[0], 4..=4, "year")?;
        if year < 1000 {
            return Err(invalid("years before 1000 are not supported"));
        }
        let period = match parts.len() {
            1 => Period {
                first_day: checked_date(year, 1, 1).map_err(|e| invalid(&e))?,
                last_day: checked_date(year, 12, 31).map_err(|e| invalid(&e))?,
            },
            2 => {
                let month = number(parts[1], 1..=2, "month")?;
                let first = checked_date(year, month, 1).map_err(|e| invalid(&e))?;
                Period {
                    first_day: first,
                    last_day: first.last_of_month(),
                }
            }
            3 => {
                let month = number(parts[1], 1..=2, "month")?;
                let day = number(parts[2], 1..=2, "day")?;
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

    /// Parses an absolute date (see [`Period::parse`]) or one relative to
    /// `today`: `today`, `yesterday`, `30d`, `2w`, `6m`, `1y` (that single
    /// day so long ago), `this-week`, `last-month`, …, the whole calendar
    /// period. `today` is passed in, never read from the clock here, so
    /// relative dates are testable.
    pub fn parse_at(text: &str, today: Date) -> Result<Period, DateError> {
        match Period::parse(text) {
            Ok(period) => Ok(period),
            Err(absolute_error) => match parse_relative(text, today) {
                Some(Ok(period)) => Ok(period),
                Some(Err(reason)) => Err(DateError {
                    input: text.to_string(),
                    reason,
                }),
                None => Err(absolute_error),
            },
        }
    }

    /// The period from `first_day` to `last_day`, both included.
    pub fn between(first_day: Date, last_day: Date) -> Period {
        Period {
            first_day,
            last_day,
        }
    }

    /// The first day of the period.
    pub fn first_day(&self) -> Date {
        self.first_day
    }

    /// The last day of the period.
    pub fn last_day(&self) -> Date {
        self.last_day
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

/// An ISO week date: `2024-W04` (the week, Monday to Sunday) or
/// `2024-W04-4` (its Thursday), also without dashes (`2024W044`). `None`
/// when `text` is not of that shape; `Some(Err)` for a week that does not
/// exist (`2024-W54`).
fn parse_iso_week(text: &str) -> Option<Result<Period, String>> {
    let upper = text.to_ascii_uppercase();
    let (year, rest) = upper.split_once('W')?;
    let year = year.strip_suffix('-').unwrap_or(year);
    let rest = rest.replace('-', "");
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if year.len() != 4 || !digits(year) || !digits(&rest) || !(2..=3).contains(&rest.len()) {
        return None;
    }
    let year: i16 = year.parse().ok()?;
    let week: i8 = rest[..2].parse().ok()?;
    let weekday = rest.get(2..).filter(|d| !d.is_empty());
    let day_of = |weekday: i8| {
        let weekday = jiff::civil::Weekday::from_monday_one_offset(weekday).ok()?;
        jiff::civil::ISOWeekDate::new(year, week, weekday)
            .ok()
            .map(|w| w.date())
    };
    let result = match weekday {
        Some(d) => {
            let d: i8 = d.parse().ok()?;
            day_of(d)
                .map(|day| Period::between(day, day))
                .ok_or_else(|| format!("day {d} of week {week} of {year} does not exist"))
        }
        None => match (day_of(1), day_of(7)) {
            (Some(monday), Some(sunday)) => Ok(Period::between(monday, sunday)),
            _ => Err(format!("week {week} of {year} does not exist")),
        },
    };
    Some(result.and_then(|period| {
        if period.first_day.year() < 1000 {
            Err("years before 1000 are not supported".to_string())
        } else {
            Ok(period)
        }
    }))
}

/// Today's date in UTC by the system clock: the default "now" of relative
/// dates.
pub fn today_utc() -> Date {
    Offset::UTC.to_datetime(jiff::Timestamp::now()).date()
}

/// The UTC calendar day a timestamp falls on.
pub fn day_of(timestamp: i64) -> Date {
    to_datetime(timestamp).date()
}

/// Parses an age or half-life such as `12h`, `30d`, `2w`, `6m` or `1y` into
/// seconds (a month counts 30 days and a year 365, since an age has no
/// calendar position).
pub fn parse_age(text: &str) -> Result<i64, DateError> {
    let invalid = |reason: &str| DateError {
        input: text.to_string(),
        reason: reason.to_string(),
    };
    let normal = text.trim().to_ascii_lowercase().replace(' ', "");
    let digits = normal.bytes().take_while(u8::is_ascii_digit).count();
    let (number, unit) = normal.split_at(digits);
    let count: i64 = number
        .parse()
        .map_err(|_| invalid("expected a number and a unit, e.g. 30d, 2w, 6m, 1y"))?;
    let unit_seconds = match unit {
        "h" | "hour" | "hours" => 3_600,
        "d" | "day" | "days" => 86_400,
        "w" | "week" | "weeks" => 7 * 86_400,
        "m" | "mo" | "month" | "months" => 30 * 86_400,
        "y" | "year" | "years" => 365 * 86_400,
        _ => {
            return Err(invalid(
                "the unit must be h, d, w, m (months) or y, e.g. 30d",
            ));
        }
    };
    match count.checked_mul(unit_seconds) {
        Some(seconds) if seconds > 0 => Ok(seconds),
        _ => Err(invalid(
            "must be more than zero and less than a few billion years",
        )),
    }
}

/// Recognises the relative forms; `None` when `text` is not one of them
/// (so the absolute parser's error is the one reported).
fn parse_relative(text: &str, today: Date) -> Option<Result<Period, String>> {
    let normal = text.trim().to_ascii_lowercase().replace(['-', '_'], " ");
    let words: Vec<&str> = normal.split_whitespace().collect();
    let single = |day: Date| Period::between(day, day);
    match words.as_slice() {
        ["today"] => return Some(Ok(single(today))),
        ["yesterday"] => return Some(Ok(single(today.yesterday().ok()?))),
        [which @ ("this" | "last"), unit] => {
            let back = i64::from(*which == "last");
            let period = match *unit {
                "week" => {
                    let monday = today
                        .checked_sub(
                            jiff::Span::new()
                                .days(i64::from(today.weekday().to_monday_zero_offset())),
                        )
                        .ok()?
                        .checked_sub(jiff::Span::new().weeks(back))
                        .ok()?;
                    Period::between(monday, monday.checked_add(jiff::Span::new().days(6)).ok()?)
                }
                "month" => {
                    let first = today
                        .first_of_month()
                        .checked_sub(jiff::Span::new().months(back))
                        .ok()?;
                    Period::between(first, first.last_of_month())
                }
                "year" => {
                    let year = today.year() - back as i16;
                    Period::between(Date::new(year, 1, 1).ok()?, Date::new(year, 12, 31).ok()?)
                }
                _ => return None,
            };
            return Some(Ok(period));
        }
        _ => {}
    }
    // "30d", "30 d", "30 days", "30 days ago".
    let joined: String = words.iter().filter(|w| **w != "ago").copied().collect();
    let digits = joined.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 {
        return None;
    }
    let (number, unit) = joined.split_at(digits);
    let unit: fn(jiff::Span, i64) -> Result<jiff::Span, jiff::Error> = match unit {
        "d" | "day" | "days" => jiff::Span::try_days,
        "w" | "week" | "weeks" => jiff::Span::try_weeks,
        "m" | "mo" | "month" | "months" => jiff::Span::try_months,
        "y" | "year" | "years" => jiff::Span::try_years,
        _ => return None,
    };
    let count: i64 = match number.parse() {
        Ok(n) if n <= 100_000 => n,
        _ => return Some(Err(format!("{number} is too far back"))),
    };
    let span = unit(jiff::Span::new(), count);
    let day = span.and_then(|span| today.checked_sub(span)).ok();
    match day {
        Some(day) if day.year() >= 1000 => Some(Ok(single(day))),
        _ => Some(Err(format!("{text} reaches before the year 1000"))),
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
/// Computed as civil arithmetic rather than through `jiff::Timestamp`, whose
/// range ends at 9999-12-30T22:00Z and so would reject the last day of 9999.
fn day_start(day: Date) -> i64 {
    day.duration_since(EPOCH_DAY).as_secs()
}

/// The UTC civil date-time of a timestamp (clamped to jiff's range).
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

const EPOCH_DAY: Date = jiff::civil::date(1970, 1, 1);

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
            "2024-123-5",
            "2024-W54",
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
    fn relative_dates_count_back_from_the_given_today() {
        let today = Date::new(2024, 3, 31).unwrap();
        let day = |text: &str| {
            let period = Period::parse_at(text, today).unwrap();
            assert_eq!(period.first_day(), period.last_day(), "{text}");
            period.first_day().to_string()
        };
        assert_eq!(day("today"), "2024-03-31");
        assert_eq!(day("yesterday"), "2024-03-30");
        assert_eq!(day("30d"), "2024-03-01");
        assert_eq!(day("30 days ago"), "2024-03-01");
        assert_eq!(day("2w"), "2024-03-17");
        assert_eq!(day("1m"), "2024-02-29");
        assert_eq!(day("1 month"), "2024-02-29");
        assert_eq!(day("1y"), "2023-03-31");
        assert_eq!(day("2024-01-05"), "2024-01-05");
        assert_eq!(day("2024/1/5"), "2024-01-05");
        assert_eq!(day("2024.01.05"), "2024-01-05");
        assert_eq!(day("2024-W01-5"), "2024-01-05");
        assert_eq!(day("2020w534"), "2020-12-31");
    }

    #[test]
    fn an_instant_keeps_the_day_and_offset_it_was_written_in() {
        let at = |text: &str, offset: i32| {
            let datetime: DateTime = text.parse().unwrap();
            ArticleDate::from_local(datetime, offset)
        };
        let jekyll = at("2013-11-04T21:46:02", -6 * 3_600);
        assert_eq!(jekyll.to_string(), "2013-11-04T21:46:02-06:00");
        assert_eq!(jekyll.utc(), "2013-11-05T03:46:02Z");
        assert_eq!(jekyll.day().to_string(), "2013-11-04");
        assert_eq!(jekyll.day_number(), day_number(jekyll.day()));
        // Across the date line: the same UTC day, two local days apart.
        let kiribati = at("2024-01-01T00:30:00", 14 * 3_600);
        let baker = at("2023-12-31T23:30:00", -12 * 3_600);
        assert_eq!(kiribati.utc(), "2023-12-31T10:30:00Z");
        assert_eq!(baker.utc(), "2024-01-01T11:30:00Z");
        assert_eq!(kiribati.day().to_string(), "2024-01-01");
        assert_eq!(baker.day().to_string(), "2023-12-31");
        assert!(kiribati.timestamp < baker.timestamp);
        assert_eq!(
            at("1900-01-01T00:00:00", 5_521).to_string(),
            "1900-01-01T00:00:00+01:32:01"
        );
        let stored =
            ArticleDate::from_stored_at(baker.timestamp, DatePrecision::Second, baker.offset);
        assert_eq!(stored, baker);
        assert_eq!(day_from_number(day_number(baker.day())), baker.day());
        assert_eq!(day_from_number(-1).to_string(), "1969-12-31");
    }

    #[test]
    fn named_relative_periods_cover_whole_calendar_periods() {
        // 2024-03-31 is a Sunday.
        let today = Date::new(2024, 3, 31).unwrap();
        let span = |text: &str| {
            let period = Period::parse_at(text, today).unwrap();
            format!("{}..{}", period.first_day(), period.last_day())
        };
        assert_eq!(span("this-week"), "2024-03-25..2024-03-31");
        assert_eq!(span("last week"), "2024-03-18..2024-03-24");
        assert_eq!(span("last-month"), "2024-02-01..2024-02-29");
        assert_eq!(span("this month"), "2024-03-01..2024-03-31");
        assert_eq!(span("last-year"), "2023-01-01..2023-12-31");
    }

    #[test]
    fn unknown_relative_forms_are_rejected() {
        let today = Date::new(2024, 3, 31).unwrap();
        for bad in [
            "30x",
            "d30",
            "last decade",
            "tomorrowish",
            "999999y",
            "2000y",
        ] {
            assert!(Period::parse_at(bad, today).is_err(), "{bad}");
        }
        let message = Period::parse_at("2024-13", today).unwrap_err().to_string();
        assert!(message.contains("month 13 does not exist"), "{message}");
        let message = Period::parse_at("soon", today).unwrap_err().to_string();
        assert!(
            message.contains("yesterday") && message.contains("30d"),
            "{message}"
        );
    }

    proptest::proptest! {
        #[test]
        fn date_arguments_never_panic(text in "\\PC{0,24}", days in 0i64..3_000_000) {
            let today = Date::new(1000, 1, 1).unwrap().checked_add(jiff::Span::new().days(days)).unwrap_or(Date::MAX);
            let _ = Period::parse_at(&text, today);
            let _ = parse_age(&text);
        }

        #[test]
        fn relative_days_are_that_many_days_back(n in 0i64..10_000) {
            let today = Date::new(2024, 3, 31).unwrap();
            let period = Period::parse_at(&format!("{n}d"), today).unwrap();
            proptest::prop_assert_eq!(period.first_day(), today.checked_sub(jiff::Span::new().days(n)).unwrap());
        }
    }

    #[test]
    fn ages_are_a_number_and_a_unit() {
        assert_eq!(parse_age("30d").unwrap(), 30 * 86_400);
        assert_eq!(parse_age("2 weeks").unwrap(), 14 * 86_400);
        assert_eq!(parse_age("1y").unwrap(), 365 * 86_400);
        for bad in ["", "d", "30", "30x", "0d", "-3d", "99999999999999999y"] {
            assert!(parse_age(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn instants_display_as_rfc3339_utc() {
        let date = ArticleDate::from_stored(1_706_176_800, DatePrecision::Second);
        assert_eq!(date.to_string(), "2024-01-25T10:00:00Z");
    }

    #[test]
    fn the_last_supported_day_has_a_period() {
        let period = Period::parse("9999-12-31").unwrap();
        assert_eq!(period.end() - period.start(), 86_399);
        assert_eq!(Period::parse("9999").unwrap().end(), period.end());
    }

    mod properties {
        use proptest::prelude::*;

        use super::*;

        proptest! {
            #[test]
            fn parsing_any_text_never_panics(text in "\\PC*") {
                let _ = Period::parse(&text);
            }

            #[test]
            fn parsing_date_shaped_text_never_panics(text in "[0-9]{1,5}(-[0-9]{1,3}){0,3}") {
                let _ = Period::parse(&text);
            }

            #[test]
            fn every_real_day_round_trips(year in 1000i16..=9999, month in 1i8..=12, day in 1i8..=31) {
                if let Ok(date) = Date::new(year, month, day) {
                    let text = date.to_string();
                    let period = Period::parse(&text).unwrap();
                    prop_assert_eq!(period.end() - period.start(), 86_399);
                    let stored = ArticleDate::from_stored(period.start(), DatePrecision::Day);
                    prop_assert_eq!(stored.to_string(), text);
                }
            }
        }
    }
}
