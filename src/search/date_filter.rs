//! `--since`, `--until` and `--on`, turned into a range of calendar days
//! and, for bounds written with a time, a range of instants; then into
//! range queries on the `day` and `date` fast fields.
//!
//! A day-granular bound (`2024`, `2024-01`, `2024-01-25`, `30d`,
//! `last-month`, `January 25, 2024`) is compared with the day the article
//! writes, in its own offset: a post dated `2013-11-04 21:46:02 -0600` is
//! on November 4, as its author wrote, although it is November 5 in UTC. A
//! bound with a time (`2024-01-25T10:00:00+01:00`) is an instant and is
//! compared with the article's instant.
//!
//! The filter runs inside the index, combined with the text query, never as
//! post-filtering of hits, so `-n 10` always means ten hits from the
//! period.

use std::ops::Bound;

use tantivy::Term;
use tantivy::query::{BooleanQuery, Occur, Query, RangeQuery};
use tantivy::schema::Field;

use jiff::civil::Date;

use crate::date::{DateError, DatePrecision, Period, day_number, format_instant, today_utc};
use crate::error::{Error, Result};
use crate::ingest::{DateProblem, DayOrder, read_date};

/// The articles a search is restricted to: calendar days as the articles
/// write them and, for bounds with a time, instants. Every end may be
/// open; all bounds are inclusive and must all hold.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DateFilter {
    /// The first day included.
    pub first_day: Option<Date>,
    /// The last day included.
    pub last_day: Option<Date>,
    /// The first instant included, UTC seconds.
    pub since_instant: Option<i64>,
    /// The last instant included, UTC seconds.
    pub until_instant: Option<i64>,
}

/// One end of a date argument: a period of days, or an instant.
enum DateArgument {
    Days(Period),
    Instant(i64),
}

impl DateFilter {
    /// Builds the filter from the command-line values. A partial date covers
    /// its whole period: `--since 2024-01` starts on January 1,
    /// `--until 2024-01` ends on January 31.
    pub fn from_args(
        since: Option<&str>,
        until: Option<&str>,
        on: Option<&str>,
    ) -> Result<DateFilter> {
        DateFilter::from_args_at(since, until, on, today_utc())
    }

    /// Like [`DateFilter::from_args`], with relative dates (`30d`,
    /// `yesterday`, `last-month`) counted back from `today` instead of the
    /// system clock.
    pub fn from_args_at(
        since: Option<&str>,
        until: Option<&str>,
        on: Option<&str>,
        today: Date,
    ) -> Result<DateFilter> {
        if let Some(on) = on {
            if since.is_some() || until.is_some() {
                return Err(Error::ConflictingDateFilters);
            }
            return match parse_argument(on, today)? {
                DateArgument::Days(period) => Ok(DateFilter::days(
                    Some(period.first_day()),
                    Some(period.last_day()),
                )),
                DateArgument::Instant(_) => Err(DateError {
                    input: on.to_string(),
                    reason: "--on takes a day, a month, a year or a relative period, not a time; \
                             for a time range use --since and --until"
                        .to_string(),
                }
                .into()),
            };
        }
        let mut filter = DateFilter::default();
        if let Some(since) = since {
            match parse_argument(since, today)? {
                DateArgument::Days(period) => filter.first_day = Some(period.first_day()),
                DateArgument::Instant(instant) => filter.since_instant = Some(instant),
            }
        }
        if let Some(until) = until {
            match parse_argument(until, today)? {
                DateArgument::Days(period) => filter.last_day = Some(period.last_day()),
                DateArgument::Instant(instant) => filter.until_instant = Some(instant),
            }
        }
        let days_reversed =
            matches!((filter.first_day, filter.last_day), (Some(a), Some(b)) if a > b);
        let instants_reversed =
            matches!((filter.since_instant, filter.until_instant), (Some(a), Some(b)) if a > b);
        if let (Some(since), Some(until), true) = (since, until, days_reversed || instants_reversed)
        {
            return Err(Error::EmptyDateRange {
                since: since.to_string(),
                until: until.to_string(),
            });
        }
        Ok(filter)
    }

    /// The days from `first` to `last` (either open), with no instant
    /// bound.
    pub fn days(first: Option<Date>, last: Option<Date>) -> DateFilter {
        DateFilter {
            first_day: first,
            last_day: last,
            ..DateFilter::default()
        }
    }

    /// This filter narrowed to the days `first..=last` (a timeline period).
    pub fn within_days(&self, first: Date, last: Date) -> DateFilter {
        DateFilter {
            first_day: Some(self.first_day.map_or(first, |day| day.max(first))),
            last_day: Some(self.last_day.map_or(last, |day| day.min(last))),
            ..*self
        }
    }

    /// Whether the filter lets every article through (undated ones too).
    pub fn is_unbounded(&self) -> bool {
        self.first_day.is_none()
            && self.last_day.is_none()
            && self.since_instant.is_none()
            && self.until_instant.is_none()
    }

    /// Whether an article on `day` (as it writes it) at the instant
    /// `timestamp` lies inside the filter.
    pub fn contains(&self, day: Date, timestamp: i64) -> bool {
        self.first_day.is_none_or(|first| day >= first)
            && self.last_day.is_none_or(|last| day <= last)
            && self.since_instant.is_none_or(|since| timestamp >= since)
            && self.until_instant.is_none_or(|until| timestamp <= until)
    }

    /// The bound `--since` would be written as to mean this filter's start:
    /// the instant when there is one, else the first day.
    pub fn since_text(&self, first_day: Date) -> String {
        self.since_instant
            .map_or_else(|| first_day.to_string(), format_instant)
    }

    /// The bound `--until` would be written as to mean this filter's end.
    pub fn until_text(&self, last_day: Date) -> String {
        self.until_instant
            .map_or_else(|| last_day.to_string(), format_instant)
    }

    /// The query restricting matches to the filter, on the `day` and `date`
    /// fields; `None` when unbounded. Undated articles have no value in
    /// either field and so never match a bounded filter.
    pub fn to_query(&self, day_field: Field, date_field: Field) -> Option<Box<dyn Query>> {
        let mut ranges: Vec<Box<dyn Query>> = Vec::new();
        if self.first_day.is_some() || self.last_day.is_some() {
            ranges.push(range(
                day_field,
                self.first_day.map(day_number),
                self.last_day.map(day_number),
            ));
        }
        if self.since_instant.is_some() || self.until_instant.is_some() {
            ranges.push(range(date_field, self.since_instant, self.until_instant));
        }
        match ranges.len() {
            0 => None,
            1 => ranges.pop(),
            _ => Some(Box::new(BooleanQuery::new(
                ranges.into_iter().map(|q| (Occur::Must, q)).collect(),
            ))),
        }
    }
}

/// An inclusive range query on an i64 field. An open end is spelled as the
/// extreme value so the query always knows its field.
fn range(field: Field, low: Option<i64>, high: Option<i64>) -> Box<dyn Query> {
    let bound = |value: i64| Bound::Included(Term::from_field_i64(field, value));
    Box::new(RangeQuery::new(
        bound(low.unwrap_or(i64::MIN)),
        bound(high.unwrap_or(i64::MAX)),
    ))
}

/// Reads a date argument: `YYYY[-MM[-DD]]` and ISO weeks, relative dates,
/// then every form articles are written in (a day, or an instant when it
/// has a time). An all-number date that could be day or month first is an
/// error naming both readings.
fn parse_argument(text: &str, today: Date) -> std::result::Result<DateArgument, DateError> {
    let period_error = match Period::parse_at(text, today) {
        Ok(period) => return Ok(DateArgument::Days(period)),
        Err(error) => error,
    };
    match read_date(text, DayOrder::Unknown) {
        Ok(date) => Ok(match date.precision {
            DatePrecision::Day => DateArgument::Days(Period::between(date.day(), date.day())),
            DatePrecision::Second => DateArgument::Instant(date.timestamp),
        }),
        Err(DateProblem::Ambiguous {
            day_first,
            month_first,
        }) => Err(DateError {
            input: text.to_string(),
            reason: format!(
                "ambiguous: {day_first} read day first, {month_first} read month first; write {day_first} or {month_first}"
            ),
        }),
        Err(DateProblem::OutOfRange) => Err(DateError {
            input: text.to_string(),
            reason: "years before 1000 or after 9999 are not supported".to_string(),
        }),
        Err(DateProblem::NotUnderstood) => Err(period_error),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> Date {
        text.parse().unwrap()
    }

    fn filter(since: Option<&str>, until: Option<&str>, on: Option<&str>) -> DateFilter {
        DateFilter::from_args_at(since, until, on, day("2024-03-31")).unwrap()
    }

    #[test]
    fn on_covers_the_whole_named_period() {
        let january = filter(None, None, Some("2024-01"));
        assert_eq!(
            (january.first_day, january.last_day),
            (Some(day("2024-01-01")), Some(day("2024-01-31")))
        );
        assert!(january.contains(day("2024-01-31"), 0));
        assert!(!january.contains(day("2024-02-01"), 0));
        let week = filter(None, None, Some("2024-W05"));
        assert_eq!(
            (week.first_day, week.last_day),
            (Some(day("2024-01-29")), Some(day("2024-02-04")))
        );
    }

    #[test]
    fn since_and_until_are_inclusive_days() {
        let one_day = filter(Some("2024-01-25"), Some("2024-01-25"), None);
        assert!(one_day.contains(day("2024-01-25"), 0));
        assert!(!one_day.contains(day("2024-01-24"), 0));
        assert!(!one_day.contains(day("2024-01-26"), 0));
        assert_eq!(one_day.since_instant, None);
    }

    #[test]
    fn every_form_files_are_written_in_is_a_bound() {
        for text in [
            "2024/01/05",
            "2024.1.5",
            "2024-1-5",
            "January 5, 2024",
            "5 Jan 2024",
            "Jan 5th, 2024",
            "5. Januar 2024",
            "05.01.2024",
            "2024-W01-5",
        ] {
            let parsed = DateFilter::from_args_at(Some(text), None, None, day("2024-03-31"));
            let first = parsed.map(|f| f.first_day);
            if text == "5. Januar 2024" {
                // German month names are not English ones: an error, not a
                // wrong day.
                assert!(first.is_err(), "{text}");
            } else {
                assert_eq!(first.unwrap(), Some(day("2024-01-05")), "{text}");
            }
        }
    }

    #[test]
    fn a_bound_with_a_time_is_an_instant() {
        let f = filter(Some("2024-01-25T10:00:00+01:00"), Some("2024-01"), None);
        assert_eq!(f.since_instant, Some(1_706_173_200));
        assert_eq!(f.first_day, None);
        assert_eq!(f.last_day, Some(day("2024-01-31")));
        let rfc2822 = filter(None, Some("Thu, 25 Jan 2024 10:00:00 GMT"), None);
        assert_eq!(rfc2822.until_instant, Some(1_706_176_800));
    }

    #[test]
    fn bad_combinations_and_dates_are_errors() {
        let today = day("2024-03-31");
        assert!(matches!(
            DateFilter::from_args_at(Some("2024"), None, Some("2024"), today),
            Err(Error::ConflictingDateFilters)
        ));
        assert!(matches!(
            DateFilter::from_args_at(Some("2024-02"), Some("2024-01"), None, today),
            Err(Error::EmptyDateRange { .. })
        ));
        let message = |since: &str| {
            DateFilter::from_args_at(Some(since), None, None, today)
                .unwrap_err()
                .to_string()
        };
        assert!(message("2024-13-01").contains("month 13 does not exist"));
        assert!(message("2024/02/30").contains("day 30 does not exist"));
        let ambiguous = message("04/05/2024");
        assert!(
            ambiguous.contains("2024-05-04") && ambiguous.contains("2024-04-05"),
            "{ambiguous}"
        );
        assert!(message("0100-01-05").contains("before 1000"));
        assert!(message("soon").contains("YYYY-MM-DD"));
        let on_time = DateFilter::from_args_at(None, None, Some("2024-01-25T10:00Z"), today)
            .unwrap_err()
            .to_string();
        assert!(on_time.contains("--since and --until"), "{on_time}");
    }
}
