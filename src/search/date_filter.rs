//! `--since`, `--until` and `--on`, turned into an inclusive range of UTC
//! seconds and then into a range query on the date field.
//!
//! The filter runs inside the index as a `RangeQuery` combined with the text
//! query, never as post-filtering of hits, so `-n 10` always means ten hits
//! from the period.

use std::ops::Bound;

use tantivy::Term;
use tantivy::query::{Query, RangeQuery};
use tantivy::schema::Field;

use jiff::civil::Date;

use crate::date::{Period, today_utc};
use crate::error::{Error, Result};

/// An inclusive range of UTC seconds; either end may be open.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DateFilter {
    /// The first second included, if bounded.
    pub since: Option<i64>,
    /// The last second included, if bounded.
    pub until: Option<i64>,
}

impl DateFilter {
    /// Builds the filter from the command-line values. A partial date covers
    /// its whole period: `--since 2024-01` starts on January 1 at 00:00:00,
    /// `--until 2024-01` ends on January 31 at 23:59:59.
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
        let parse = |text: &str| Period::parse_at(text, today);
        if let Some(on) = on {
            if since.is_some() || until.is_some() {
                return Err(Error::ConflictingDateFilters);
            }
            let period = parse(on)?;
            return Ok(DateFilter {
                since: Some(period.start()),
                until: Some(period.end()),
            });
        }
        let filter = DateFilter {
            since: since.map(parse).transpose()?.map(|p| p.start()),
            until: until.map(parse).transpose()?.map(|p| p.end()),
        };
        if let (Some(start), Some(end), Some(since), Some(until)) =
            (filter.since, filter.until, since, until)
        {
            if start > end {
                return Err(Error::EmptyDateRange {
                    since: since.to_string(),
                    until: until.to_string(),
                });
            }
        }
        Ok(filter)
    }

    /// Whether the filter lets every article through (undated ones too).
    pub fn is_unbounded(&self) -> bool {
        self.since.is_none() && self.until.is_none()
    }

    /// Whether a timestamp lies inside the filter.
    pub fn contains(&self, timestamp: i64) -> bool {
        self.since.is_none_or(|s| timestamp >= s) && self.until.is_none_or(|u| timestamp <= u)
    }

    /// The range query on `field`, or `None` when unbounded. Undated
    /// articles have no value in the field and so never match a bounded
    /// filter.
    pub fn to_query(&self, field: Field) -> Option<Box<dyn Query>> {
        if self.is_unbounded() {
            return None;
        }
        let bound = |value: Option<i64>| match value {
            Some(v) => Bound::Included(Term::from_field_i64(field, v)),
            None => Bound::Unbounded,
        };
        // An open end is spelled as the extreme value so the query always
        // knows its field.
        let lower = bound(Some(self.since.unwrap_or(i64::MIN)));
        let upper = bound(Some(self.until.unwrap_or(i64::MAX)));
        Some(Box::new(RangeQuery::new(lower, upper)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn on_covers_the_whole_named_period() {
        let filter = DateFilter::from_args(None, None, Some("2024-01")).unwrap();
        assert!(filter.contains(Period::parse("2024-01-01").unwrap().start()));
        assert!(filter.contains(Period::parse("2024-01-31").unwrap().end()));
        assert!(!filter.contains(Period::parse("2024-02-01").unwrap().start()));
        assert!(!filter.contains(Period::parse("2023-12-31").unwrap().end()));
    }

    #[test]
    fn since_and_until_are_inclusive() {
        let filter = DateFilter::from_args(Some("2024-01-25"), Some("2024-01-25"), None).unwrap();
        let day = Period::parse("2024-01-25").unwrap();
        assert!(filter.contains(day.start()) && filter.contains(day.end()));
        assert!(!filter.contains(day.end() + 1) && !filter.contains(day.start() - 1));
    }

    #[test]
    fn bad_combinations_and_dates_are_errors() {
        assert!(matches!(
            DateFilter::from_args(Some("2024"), None, Some("2024")),
            Err(Error::ConflictingDateFilters)
        ));
        assert!(matches!(
            DateFilter::from_args(Some("2024-02"), Some("2024-01"), None),
            Err(Error::EmptyDateRange { .. })
        ));
        let message = DateFilter::from_args(Some("2024-13-01"), None, None)
            .unwrap_err()
            .to_string();
        assert!(message.contains("YYYY-MM-DD"), "{message}");
    }
}
