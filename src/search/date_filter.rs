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
//! period. From the least and greatest value of a segment's column, a
//! segment whose articles all lie outside the period is passed over and
//! one whose articles all lie inside it is searched unchecked (archives
//! indexed in date order have many of both); in the others each match's
//! value is read and compared ([`WithinDates`]).

use std::sync::Arc;

use tantivy::columnar::{Column, ColumnIndex};
use tantivy::query::{
    BooleanQuery, EmptyScorer, EnableScoring, Explanation, Occur, PhraseQuery, Query, Scorer,
    Weight,
};
use tantivy::schema::Field;
use tantivy::{COLLECT_BLOCK_BUFFER_LEN, DocId, DocSet, Score, SegmentReader, TERMINATED, Term};

use jiff::civil::Date;

use crate::date::{DateError, DatePrecision, Period, day_number, format_instant, today_utc};
use crate::error::{Error, Result};
use crate::index::OpenIndex;
use crate::index::columns::ColumnCache;
use crate::ingest::{DateProblem, DayOrder, read_date};
use crate::search::dated_phrase::DatedPhrase;

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

    /// The inclusive ranges the filter sets on the `day` and `date`
    /// fields, an open end spelled as the extreme value; none when
    /// unbounded.
    fn ranges(&self, day_field: Field, date_field: Field) -> Vec<ColumnRange> {
        let mut ranges = Vec::new();
        if self.first_day.is_some() || self.last_day.is_some() {
            ranges.push(ColumnRange {
                field: day_field,
                low: self.first_day.map_or(i64::MIN, day_number),
                high: self.last_day.map_or(i64::MAX, day_number),
            });
        }
        if self.since_instant.is_some() || self.until_instant.is_some() {
            ranges.push(ColumnRange {
                field: date_field,
                low: self.since_instant.unwrap_or(i64::MIN),
                high: self.until_instant.unwrap_or(i64::MAX),
            });
        }
        ranges
    }

    /// `query` restricted to the filter, on the `day` and `date` fields;
    /// `query` itself when unbounded. Undated articles have no value in
    /// either field and so never match a bounded filter.
    pub fn restrict(
        &self,
        query: Box<dyn Query>,
        day_field: Field,
        date_field: Field,
    ) -> Box<dyn Query> {
        self.restrict_with(query, day_field, date_field, Arc::default())
    }

    /// [`DateFilter::restrict`] on `index`, its columns opened once per
    /// segment.
    pub(crate) fn restrict_in(&self, query: Box<dyn Query>, index: &OpenIndex) -> Box<dyn Query> {
        let columns = Arc::clone(index.columns());
        self.restrict_with(query, index.fields.day, index.fields.date, columns)
    }

    fn restrict_with(
        &self,
        query: Box<dyn Query>,
        day_field: Field,
        date_field: Field,
        columns: Arc<ColumnCache>,
    ) -> Box<dyn Query> {
        let ranges = self.ranges(day_field, date_field);
        if ranges.is_empty() {
            return query;
        }
        let dates = DateRanges { ranges, columns };
        Box::new(WithinDates {
            query: dates_before_positions(query, &dates),
            dates,
        })
    }
}

/// `query` with each phrase in it (under boolean clauses) checking dates
/// before positions ([`DatedPhrase`]); the filter around it still checks
/// every match, so what is left as it is stays right.
fn dates_before_positions(query: Box<dyn Query>, dates: &DateRanges) -> Box<dyn Query> {
    if let Some(phrase) = query.downcast_ref::<PhraseQuery>() {
        return Box::new(DatedPhrase {
            phrase: phrase.clone(),
            dates: dates.clone(),
        });
    }
    let Some(boolean) = query.downcast_ref::<BooleanQuery>() else {
        return query;
    };
    let clauses = boolean
        .clauses()
        .iter()
        .map(|(occur, clause)| {
            let clause = match occur {
                Occur::MustNot => clause.box_clone(),
                _ => dates_before_positions(clause.box_clone(), dates),
            };
            (*occur, clause)
        })
        .collect();
    Box::new(BooleanQuery::with_minimum_required_clauses(
        clauses,
        boolean.get_minimum_number_should_match(),
    ))
}

/// An inclusive range of an i64 fast field.
#[derive(Clone, Copy, Debug)]
pub(crate) struct ColumnRange {
    field: Field,
    low: i64,
    high: i64,
}

/// What a segment's values of a field say about a range.
enum Overlap {
    /// No document has a value in the range.
    None,
    /// Every document has a value, and every value is in the range.
    All,
    /// Each document must be looked at, in this column.
    Some(Column<i64>),
}

impl ColumnRange {
    fn overlap(&self, reader: &SegmentReader, columns: &ColumnCache) -> tantivy::Result<Overlap> {
        let Some(column) = columns.i64(reader, self.field)? else {
            return Ok(Overlap::None);
        };
        if column.values.num_vals() == 0 {
            return Ok(Overlap::None);
        }
        // The column's least and greatest value bound every value.
        let (least, greatest) = (column.min_value(), column.max_value());
        Ok(if greatest < self.low || least > self.high {
            Overlap::None
        } else if least >= self.low
            && greatest <= self.high
            && matches!(column.index, ColumnIndex::Full)
        {
            Overlap::All
        } else {
            Overlap::Some(column)
        })
    }
}

/// A query's matches within a [`DateFilter`]. In each segment: nothing,
/// the query's matches as they are, or those matches whose values in the
/// date columns lie in range, looked up match by match, or a block of 64
/// matches at a time for a collector that takes them so (see the module
/// documentation).
///
/// Looking up each match's value costs one read of the column per match.
/// tantivy's range filter, intersected with the query, instead scans the
/// column in windows of at least 128 documents from every match it is
/// asked to reach, which on a common word is the whole column.
struct WithinDates {
    query: Box<dyn Query>,
    dates: DateRanges,
}

impl Clone for WithinDates {
    fn clone(&self) -> WithinDates {
        WithinDates {
            query: self.query.box_clone(),
            dates: self.dates.clone(),
        }
    }
}

impl std::fmt::Debug for WithinDates {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WithinDates")
            .field("query", &self.query)
            .field("dates", &self.dates)
            .finish()
    }
}

impl Query for WithinDates {
    fn weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(WithinDatesWeight {
            query: self.query.weight(enable_scoring)?,
            dates: self.dates.clone(),
        }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        self.query.query_terms(visitor);
    }
}

struct WithinDatesWeight {
    query: Box<dyn Weight>,
    dates: DateRanges,
}

/// The ranges a query's matches must lie in, and where their columns are
/// opened: an [`OpenIndex`]'s, or the query's own.
#[derive(Clone)]
pub(crate) struct DateRanges {
    ranges: Vec<ColumnRange>,
    columns: Arc<ColumnCache>,
}

impl std::fmt::Debug for DateRanges {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(&self.ranges).finish()
    }
}

impl DateRanges {
    /// The ranges a segment's documents must be checked against; `None`
    /// when no document of the segment can pass.
    pub(crate) fn checks(&self, reader: &SegmentReader) -> tantivy::Result<Option<Vec<Check>>> {
        let mut checks = Vec::new();
        for range in &self.ranges {
            match range.overlap(reader, &self.columns)? {
                Overlap::None => return Ok(None),
                Overlap::All => {}
                Overlap::Some(column) => checks.push((column, *range)),
            }
        }
        Ok(Some(checks))
    }

    /// `weight`'s explanation of `doc`, or an error when `doc` lies
    /// outside the ranges.
    pub(crate) fn explain(
        &self,
        weight: &dyn Weight,
        reader: &SegmentReader,
        doc: DocId,
    ) -> tantivy::Result<Explanation> {
        let passes = match self.checks(reader)? {
            None => false,
            Some(checks) => in_range(&checks, doc),
        };
        if !passes {
            return Err(tantivy::TantivyError::InvalidArgument(format!(
                "document {doc} is outside the dates"
            )));
        }
        weight.explain(reader, doc)
    }
}

impl Weight for WithinDatesWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let Some(checks) = self.dates.checks(reader)? else {
            return Ok(Box::new(EmptyScorer));
        };
        let scorer = self.query.scorer(reader, boost)?;
        if checks.is_empty() {
            return Ok(scorer);
        }
        let mut within = InRange { scorer, checks };
        within.settle();
        Ok(Box::new(within))
    }

    /// The matches a block at a time, as collectors without scores take
    /// them: each block's values are read in one call per column, not
    /// one look-up per match.
    fn for_each_no_score(
        &self,
        reader: &SegmentReader,
        callback: &mut dyn FnMut(&[DocId]),
    ) -> tantivy::Result<()> {
        let Some(checks) = self.dates.checks(reader)? else {
            return Ok(());
        };
        if checks.is_empty() {
            return self.query.for_each_no_score(reader, callback);
        }
        let mut scorer = self.query.scorer(reader, 1.0)?;
        let mut block = [0; COLLECT_BLOCK_BUFFER_LEN];
        let mut passes = [true; COLLECT_BLOCK_BUFFER_LEN];
        let mut values = [0i64; COLLECT_BLOCK_BUFFER_LEN];
        let mut kept = [0; COLLECT_BLOCK_BUFFER_LEN];
        loop {
            let filled = scorer.fill_buffer(&mut block);
            let (docs, passes) = (&block[..filled], &mut passes[..filled]);
            passes.fill(true);
            for (column, range) in &checks {
                let within = |value: &i64| (range.low..=range.high).contains(value);
                match column.index {
                    ColumnIndex::Full => {
                        let values = &mut values[..filled];
                        column.values.get_vals(docs, values);
                        for (pass, value) in passes.iter_mut().zip(values.iter()) {
                            *pass &= within(value);
                        }
                    }
                    _ => {
                        for (pass, &doc) in passes.iter_mut().zip(docs) {
                            *pass &= column.values_for_doc(doc).any(|value| within(&value));
                        }
                    }
                }
            }
            let mut count = 0;
            for (&doc, &pass) in docs.iter().zip(passes.iter()) {
                kept[count] = doc;
                count += usize::from(pass);
            }
            if count > 0 {
                callback(&kept[..count]);
            }
            if filled != block.len() {
                return Ok(());
            }
        }
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        self.dates.explain(&*self.query, reader, doc)
    }
}

/// A column whose value each match must have in range.
pub(crate) type Check = (Column<i64>, ColumnRange);

/// Whether `doc` has a value in range in every checked column.
pub(crate) fn in_range(checks: &[Check], doc: DocId) -> bool {
    checks.iter().all(|(column, range)| {
        column
            .values_for_doc(doc)
            .any(|value| (range.low..=range.high).contains(&value))
    })
}

/// A scorer's matches that pass the date checks.
struct InRange {
    scorer: Box<dyn Scorer>,
    checks: Vec<Check>,
}

impl InRange {
    /// Moves on from the current match to the first that passes.
    fn settle(&mut self) -> DocId {
        let mut doc = self.scorer.doc();
        while doc != TERMINATED && !in_range(&self.checks, doc) {
            doc = self.scorer.advance();
        }
        doc
    }
}

impl DocSet for InRange {
    fn advance(&mut self) -> DocId {
        self.scorer.advance();
        self.settle()
    }

    fn seek(&mut self, target: DocId) -> DocId {
        self.scorer.seek(target);
        self.settle()
    }

    fn doc(&self) -> DocId {
        self.scorer.doc()
    }

    fn size_hint(&self) -> u32 {
        self.scorer.size_hint()
    }
}

impl Scorer for InRange {
    fn score(&mut self) -> Score {
        self.scorer.score()
    }
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
    use crate::search::parallel::segmented_index;
    use crate::search::query::parse_user_query;

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

    /// Segments wholly outside a filter, wholly inside it, mixed, and
    /// undated, from one commit each: every filter finds the articles whose
    /// dates it holds, however the segments are passed over or checked.
    #[test]
    fn filtered_segments_find_exactly_the_articles_in_range() {
        use crate::indexer::{IndexOptions, NoProgress, index_paths};
        use crate::search::{SearchRequest, search};

        let folder = tempfile::tempdir().unwrap();
        let articles = folder.path().join("articles");
        std::fs::create_dir(&articles).unwrap();
        let mut dates = Vec::new();
        // The files the indexer reads between two commits.
        const CHUNK: usize = 256;
        // Read in name order, a chunk of files between commits: 1990, 2000,
        // 2010 and 1995 mixed, undated; one commit (segment) of each.
        for (group, days) in [
            (
                "a",
                [
                    "1990-01-01",
                    "1990-01-02",
                    "1990-01-03",
                    "1990-01-04",
                    "1990-01-05",
                    "1990-01-06",
                    "1990-01-07",
                    "1990-01-08",
                ],
            ),
            (
                "b",
                [
                    "2000-01-01",
                    "2000-01-02",
                    "2000-01-03",
                    "2000-01-04",
                    "2000-01-05",
                    "2000-01-06",
                    "2000-01-07",
                    "2000-01-08",
                ],
            ),
            (
                "c",
                [
                    "2010-01-01",
                    "1995-06-01",
                    "2010-01-02",
                    "1995-06-02",
                    "2010-01-03",
                    "1995-06-03",
                    "2010-01-04",
                    "1995-06-04",
                ],
            ),
        ] {
            for i in 0..CHUNK {
                let day = days[i % days.len()];
                // Too short to be anyone's near-copy.
                let body = format!(" date {day} Harbour note {group}{i}.\n");
                std::fs::write(articles.join(format!("{group}-{i:03}.txt")), body).unwrap();
                dates.push(day.parse::<Date>().unwrap());
            }
        }
        for i in 0..CHUNK {
            let body = format!("Undated harbour note {i}.\n");
            std::fs::write(articles.join(format!("d-{i:03}.txt")), body).unwrap();
        }
        let index_dir = folder.path().join("index");
        let options = IndexOptions {
            indexing_threads: Some(1),
            commit_every_articles: Some(CHUNK),
            ..IndexOptions::new(vec![articles], index_dir.clone())
        };
        index_paths(&options, &mut NoProgress).unwrap();
        let index = OpenIndex::open(&index_dir).unwrap();
        let searcher = index.snapshot().unwrap();
        assert!(
            searcher.segment_readers().len() >= 4,
            "one segment a commit"
        );

        let at_noon = |day: &str| {
            crate::ingest::read_date(&format!("{day}T12:00:00Z"), DayOrder::Unknown)
                .unwrap()
                .timestamp
        };
        let filters = [
            filter(None, None, Some("1990")),
            filter(None, None, Some("2000-01")),
            filter(Some("1995"), Some("2005"), None),
            filter(Some("2005"), None, None),
            filter(None, Some("1999-12-31"), None),
            filter(Some("1990-01-04"), Some("2010-01-02"), None),
            filter(None, None, Some("1980")),
            DateFilter {
                since_instant: Some(at_noon("1999-12-31")),
                until_instant: Some(at_noon("2010-01-02")),
                ..DateFilter::default()
            },
        ];
        for dates_filter in filters {
            let expected = dates
                .iter()
                .filter(|&&day| {
                    let midnight = day_number(day) * 86_400;
                    dates_filter.contains(day, midnight)
                })
                .count();
            let request = SearchRequest {
                query: "harbour".to_string(),
                dates: dates_filter,
                limit: 2_000,
                ..SearchRequest::default()
            };
            let results = search(&index, &request).unwrap();
            assert_eq!(results.total_hits, expected, "{dates_filter:?}");
            assert_eq!(results.hits.len(), expected, "{dates_filter:?}");
        }
        // Each kind of segment was met: passed over, taken whole, checked.
        let ranges = filter(None, None, Some("1990")).ranges(index.fields.day, index.fields.date);
        let kinds: Vec<&str> = searcher
            .segment_readers()
            .iter()
            .map(
                |segment| match ranges[0].overlap(segment, &ColumnCache::default()).unwrap() {
                    Overlap::None => "none",
                    Overlap::All => "all",
                    Overlap::Some(_) => "some",
                },
            )
            .collect();
        for kind in ["none", "all"] {
            assert!(kinds.contains(&kind), "{kinds:?}");
        }
        let ranges = filter(None, None, Some("1995")).ranges(index.fields.day, index.fields.date);
        assert!(searcher.segment_readers().iter().any(|segment| matches!(
            ranges[0].overlap(segment, index.columns()).unwrap(),
            Overlap::Some(_)
        )));
    }

    /// Every segment's matches of `query`, taken a block at a time (as
    /// the matching collector takes them) and one by one.
    fn both_ways(index: &OpenIndex, query: &dyn Query) -> (Vec<DocId>, Vec<DocId>) {
        let searcher = index.snapshot().unwrap();
        let weight = query
            .weight(EnableScoring::disabled_from_searcher(&searcher))
            .unwrap();
        let (mut blocks, mut one_by_one) = (Vec::new(), Vec::new());
        for reader in searcher.segment_readers() {
            weight
                .for_each_no_score(reader, &mut |docs| blocks.extend_from_slice(docs))
                .unwrap();
            let mut scorer = weight.scorer(reader, 1.0).unwrap();
            while scorer.doc() != TERMINATED {
                one_by_one.push(scorer.doc());
                scorer.advance();
            }
        }
        (blocks, one_by_one)
    }

    /// An index of `count` files, file `i` holding `text(i)`, indexed on
    /// one thread.
    fn one_file_each(
        count: usize,
        text: impl Fn(usize) -> String,
    ) -> (tempfile::TempDir, OpenIndex) {
        let folder = tempfile::tempdir().unwrap();
        let articles = folder.path().join("articles");
        std::fs::create_dir(&articles).unwrap();
        for i in 0..count {
            std::fs::write(articles.join(format!("{i:03}.txt")), text(i)).unwrap();
        }
        let index = crate::indexer::index_on_one_thread(articles, &folder.path().join("i"));
        (folder, index)
    }

    /// Whether the segments' day columns hold a value for every document
    /// (read a block at a time) or not (read one by one), the matches
    /// kept are those the scorer walks to.
    #[test]
    fn matches_kept_a_block_at_a_time_are_those_walked_one_by_one() {
        let (_folder, every_day_known) = segmented_index();
        let (_undated_folder, some_undated) = one_file_each(400, |i| {
            let date = match i % 3 {
                0 => String::new(),
                _ => format!(" date 1987-{:02}-{:02}", 1 + i % 12, 1 + i % 28),
            };
            format!(
                "{date} Grain report {i}. {}\n",
                "Cocoa rose. ".repeat(i % 4)
            )
        });
        for index in [&every_day_known, &some_undated] {
            for (since, until) in [
                ("1987-03", "1987-06"),
                ("1987-02-10", "1987-02-20"),
                ("1987-11", "1988"),
                ("1986", "1986"),
                ("1987", "1987"),
            ] {
                let dates = DateFilter::from_args(Some(since), Some(until), None).unwrap();
                for words in ["grain", "grain cocoa", "cocoa"] {
                    let query = parse_user_query(index, words, false).unwrap().any_words;
                    let (blocks, one_by_one) = both_ways(index, &*dates.restrict_in(query, index));
                    assert_eq!(blocks, one_by_one, "{words} from {since} to {until}");
                    if since == "1987-03" {
                        assert!(blocks.len() > 64, "{words}: {} matches", blocks.len());
                    }
                }
            }
        }
    }

    /// A phrase within dates, its dates checked first, matches exactly
    /// the phrase's matches in range: in segments checked match by match,
    /// taken whole and passed over, beside documents holding the words
    /// apart or in the other order.
    #[test]
    fn a_phrase_within_dates_matches_its_matches_in_range() {
        let (_folder, one) = one_file_each(600, |i| {
            let date = match i % 7 {
                0 => String::new(),
                _ => format!(" date {}-{:02}-{:02}", 1986 + i % 3, 1 + i % 12, 1 + i % 28),
            };
            let text = match i % 4 {
                0 => "Cocoa prices rose in London.",
                1 => "Prices of cocoa rose; coffee prices fell.",
                2 => "Traders said cocoa prices and sugar prices rose.",
                _ => "Sugar fell.",
            };
            format!("{date} Report {i}. {text}\n")
        });
        let (_segmented_folder, segmented) = segmented_index();
        for index in [&one, &segmented] {
            let searcher = index.snapshot().unwrap();
            let mut found = 0;
            for (since, until) in [("1987-03", "1987-06"), ("1986", "1987"), ("1980", "1981")] {
                let dates = DateFilter::from_args(Some(since), Some(until), None).unwrap();
                let ranges = DateRanges {
                    ranges: dates.ranges(index.fields.day, index.fields.date),
                    columns: index.columns().clone(),
                };
                for words in [
                    "\"cocoa prices\"",
                    "\"prices rose\" sugar",
                    "\"cocoa rose\"",
                    "\"grain prices\" OR \"grain traders\"",
                ] {
                    let query = parse_user_query(index, words, false).unwrap().any_words;
                    let restricted = dates.restrict_in(query.box_clone(), index);
                    assert!(format!("{restricted:?}").contains("DatedPhrase"), "{words}");
                    let (blocks, one_by_one) = both_ways(index, &*restricted);
                    assert_eq!(blocks, one_by_one, "{words} from {since} to {until}");
                    // The phrase's own matches, each then checked.
                    let weight = query
                        .weight(EnableScoring::disabled_from_searcher(&searcher))
                        .unwrap();
                    let mut expected = Vec::new();
                    for reader in searcher.segment_readers() {
                        let Some(checks) = ranges.checks(reader).unwrap() else {
                            continue;
                        };
                        let mut scorer = weight.scorer(reader, 1.0).unwrap();
                        while scorer.doc() != TERMINATED {
                            if in_range(&checks, scorer.doc()) {
                                expected.push(scorer.doc());
                            }
                            scorer.advance();
                        }
                    }
                    assert_eq!(one_by_one, expected, "{words} from {since} to {until}");
                    found += expected.len();
                }
            }
            assert!(found > 100, "{found} matches");
        }
    }
}
