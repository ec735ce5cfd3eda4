//! `dateline timeline`: how many articles matched a query in each day, week,
//! month or year.
//!
//! Counting is one pass of a collector over the matches, never by loading
//! hits: each matching article is counted once, in the period holding its
//! `day` (the calendar day it writes; periods are ranges of day numbers
//! computed with jiff, since calendar months have no fixed length).
//! Passages are what is indexed, so counting documents would count an
//! article once per matching paragraph; counting articles gives exactly
//! the articles `dateline search QUERY --files` lists for the same period.
//! Undated articles have no place on a time axis and are counted apart.

use std::sync::Arc;

use jiff::ToSpan;
use jiff::civil::Date;
use serde_json::json;
use tantivy::aggregation::agg_req::Aggregations;
use tantivy::aggregation::agg_result::{AggregationResult, AggregationResults, MetricResult};
use tantivy::aggregation::{AggContextParams, AggregationCollector, AggregationLimitsGuard};
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::Column;
use tantivy::query::Query;
use tantivy::{DocId, Score, Searcher, SegmentOrdinal, SegmentReader, TantivyError};

use crate::date::{day_from_number, day_number};
use crate::error::{Error, Result};
use crate::index::OpenIndex;
use crate::index::article_column::ArticleColumn;
use crate::search::{DateFilter, Hit, Prepared, SearchRequest, open_searcher, search_with};

/// The most periods one timeline may have; beyond it a coarser `--by` or a
/// narrower date range is asked for instead of drawing an unreadable chart.
pub const MAX_PERIODS: usize = 20_000;

/// The length of a timeline period.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Bucket {
    /// A calendar day, as the articles write it.
    Day,
    /// An ISO week, Monday to Sunday.
    Week,
    /// A calendar month.
    Month,
    /// A calendar year.
    Year,
}

impl Bucket {
    /// The bucket that gives a readable number of bars for a range of
    /// `days`: days up to a month, weeks up to half a year, months up to
    /// six years, years beyond (at most about 30, 26, 72 bars).
    pub fn for_span(days: i64) -> Bucket {
        match days {
            ..=31 => Bucket::Day,
            32..=183 => Bucket::Week,
            184..=2192 => Bucket::Month,
            _ => Bucket::Year,
        }
    }

    /// The first day of the period containing `day`.
    fn start_of(self, day: Date) -> Date {
        match self {
            Bucket::Day => day,
            Bucket::Week => day
                .checked_sub(i64::from(day.weekday().to_monday_zero_offset()).days())
                .unwrap_or(day),
            Bucket::Month => day.first_of_month(),
            Bucket::Year => day.first_of_year(),
        }
    }

    /// The last day of the period starting on `start`.
    fn end_of(self, start: Date) -> Date {
        match self {
            Bucket::Day => start,
            Bucket::Week => start.checked_add(6.days()).unwrap_or(Date::MAX),
            Bucket::Month => start.last_of_month(),
            Bucket::Year => start.last_of_year(),
        }
    }

    /// How a period is named: `1987-02-26`, `1987-02-23` (the Monday of
    /// the week), `1987-02`, `1987`.
    fn label(self, start: Date) -> String {
        match self {
            Bucket::Day | Bucket::Week => start.to_string(),
            Bucket::Month => start.strftime("%Y-%m").to_string(),
            Bucket::Year => start.strftime("%Y").to_string(),
        }
    }
}

/// A timeline as the library takes it.
#[derive(Clone, Debug, Default)]
pub struct TimelineRequest {
    /// The queries to count, the first being the main one (`--vs` adds more).
    pub queries: Vec<String>,
    /// The date range; open ends follow the matches.
    pub dates: DateFilter,
    /// The period length; `None` picks one from the range.
    pub bucket: Option<Bucket>,
    /// Whether an unparsable query is an error.
    pub strict: bool,
    /// Only articles with these properties (format, outlet, author).
    pub only: Vec<crate::search::ArticleFilter>,
    /// Whether to find each period's best passage (costs one search per
    /// non-empty period and query).
    pub top_passages: bool,
}

/// One period of the timeline. Its days are clipped to the date filter, so
/// `since..=until` is exactly what drills into it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TimelinePeriod {
    /// The period's name: `1987-02-26`, `1987-02`, `1987`, or a week's Monday.
    pub label: String,
    /// The first day counted.
    pub since: Date,
    /// The last day counted.
    pub until: Date,
}

/// The counts of one query.
#[derive(Clone, Debug)]
pub struct TimelineSeries {
    /// The query as typed.
    pub query: String,
    /// Matching articles per period, aligned with [`Timeline::periods`].
    pub articles: Vec<u64>,
    /// Matching undated articles (on no period), when no date filter is set.
    pub undated: u64,
    /// The best passage of each period, when asked for.
    pub top: Vec<Option<Hit>>,
    /// Parts of the query that were ignored, in words.
    pub ignored: Vec<String>,
}

impl TimelineSeries {
    /// All dated matching articles.
    pub fn total(&self) -> u64 {
        self.articles.iter().sum()
    }
}

/// The answer to a timeline request.
#[derive(Clone, Debug)]
pub struct Timeline {
    /// The period length used.
    pub bucket: Bucket,
    /// Every period from the first to the last, empty ones included.
    pub periods: Vec<TimelinePeriod>,
    /// One series per query, in request order.
    pub series: Vec<TimelineSeries>,
    /// The date filter the counts are restricted to.
    pub dates: DateFilter,
}

impl Timeline {
    /// The `--since` and `--until` values that drill into `period`: its
    /// days, except that the first period starts at the filter's instant
    /// and the last ends at it when the filter has them.
    pub fn drill_bounds(&self, period: &TimelinePeriod) -> (String, String) {
        let is_first = self.periods.first() == Some(period);
        let is_last = self.periods.last() == Some(period);
        let since = if is_first {
            self.dates.since_text(period.since)
        } else {
            period.since.to_string()
        };
        let until = if is_last {
            self.dates.until_text(period.until)
        } else {
            period.until.to_string()
        };
        (since, until)
    }
}

/// Counts the articles matching each query of `request` per period.
pub fn timeline(index: &OpenIndex, request: &TimelineRequest) -> Result<Timeline> {
    let searcher = open_searcher(index)?;
    let mut prepared = Vec::with_capacity(request.queries.len());
    for query in &request.queries {
        let search = SearchRequest {
            query: query.clone(),
            dates: request.dates,
            strict: request.strict,
            only: request.only.clone(),
            ..SearchRequest::default()
        };
        prepared.push((
            search.clone(),
            Prepared::with_searcher(index, searcher.clone(), &search)?,
        ));
    }

    let dates = &request.dates;
    let span = match (dates.first_day, dates.last_day) {
        (Some(first), Some(last)) => Some((first, last)),
        (first, last) => {
            let mut found: Option<(Date, Date)> = None;
            for (_, p) in &prepared {
                if let Some((min, max)) = day_span(index, &searcher, &*p.any_words)? {
                    found = Some(found.map_or((min, max), |(a, b)| (a.min(min), b.max(max))));
                }
            }
            found.map(|(min, max)| (first.unwrap_or(min), last.unwrap_or(max)))
        }
    };
    let (first_day, last_day) = match span {
        Some(span) => span,
        // Nothing dated matches: an empty chart, not an error.
        None => {
            let today = crate::date::today_utc();
            (today, today)
        }
    };
    let bucket = request.bucket.unwrap_or_else(|| {
        Bucket::for_span(
            first_day
                .until(last_day)
                .map(|s| i64::from(s.get_days()))
                .unwrap_or(0),
        )
    });
    let periods = if span.is_some() {
        periods_between(bucket, first_day, last_day)?
    } else {
        Vec::new()
    };

    let mut series = Vec::with_capacity(prepared.len());
    for (search, p) in prepared {
        let counts = searcher.search(&*p.any_words, &CountArticles::new(&periods))?;
        let articles = counts.articles;
        // Undated articles pass no date filter.
        let undated = match request.dates.is_unbounded() {
            true => counts.undated,
            false => 0,
        };
        let mut top = Vec::new();
        if request.top_passages {
            for (period, &count) in periods.iter().zip(&articles) {
                if count == 0 {
                    top.push(None);
                    continue;
                }
                let drill = SearchRequest {
                    dates: request.dates.within_days(period.since, period.until),
                    limit: 1,
                    per_article: 1,
                    ..search.clone()
                };
                top.push(
                    search_with(index, &searcher, &drill)?
                        .hits
                        .into_iter()
                        .next(),
                );
            }
        }
        series.push(TimelineSeries {
            query: search.query,
            articles,
            undated,
            top,
            ignored: p.parsed.ignored,
        });
    }
    Ok(Timeline {
        bucket,
        periods,
        series,
        dates: request.dates,
    })
}

/// Every period of `bucket` length from the one holding `first` to the one
/// holding `last`, clipped to `first..=last`.
pub fn periods_between(bucket: Bucket, first: Date, last: Date) -> Result<Vec<TimelinePeriod>> {
    let mut periods = Vec::new();
    let mut start = bucket.start_of(first);
    while start <= last {
        if periods.len() >= MAX_PERIODS {
            return Err(Error::TooManyPeriods {
                limit: MAX_PERIODS,
                bucket: format!("{bucket:?}").to_lowercase(),
            });
        }
        let end = bucket.end_of(start);
        periods.push(TimelinePeriod {
            label: bucket.label(start),
            since: start.max(first),
            until: end.min(last),
        });
        match end.tomorrow() {
            Ok(next) => start = next,
            Err(_) => break,
        }
    }
    Ok(periods)
}

fn run_aggregation(
    index: &OpenIndex,
    searcher: &Searcher,
    query: &dyn Query,
    request: serde_json::Value,
) -> Result<AggregationResults> {
    let aggregations: Aggregations = serde_json::from_value(request).map_err(|e| {
        Error::Tantivy(TantivyError::InternalError(format!(
            "timeline aggregation: {e}"
        )))
    })?;
    let limits = AggregationLimitsGuard::new(None, Some(u32::MAX));
    let collector = AggregationCollector::from_aggs(
        aggregations,
        AggContextParams::new(limits, index.index.tokenizers().clone()),
    );
    Ok(searcher.search(query, &collector)?)
}

/// The earliest and latest day among the passages matching `query`.
fn day_span(
    index: &OpenIndex,
    searcher: &Searcher,
    query: &dyn Query,
) -> Result<Option<(Date, Date)>> {
    let results = run_aggregation(
        index,
        searcher,
        query,
        json!({ "span": { "stats": { "field": "day" } } }),
    )?;
    match results.0.get("span") {
        Some(AggregationResult::MetricResult(MetricResult::Stats(stats))) if stats.count > 0 => {
            match (stats.min, stats.max) {
                (Some(min), Some(max)) => Ok(Some((
                    day_from_number(min as i64),
                    day_from_number(max as i64),
                ))),
                _ => Ok(None),
            }
        }
        _ => Ok(None),
    }
}

/// How many distinct articles have a passage matching a query in each
/// period, and how many undated ones.
struct ArticleCounts {
    /// By period, in the order of the periods.
    articles: Vec<u64>,
    undated: u64,
}

impl ArticleCounts {
    fn none(periods: usize) -> ArticleCounts {
        ArticleCounts {
            articles: vec![0; periods],
            undated: 0,
        }
    }
}

/// Counts the articles matching a query per period in one pass over the
/// matches. An article's passages are consecutive documents of one segment,
/// so it is counted when its first matching passage is seen, by its number
/// in the segment ([`ArticleColumn::ordinal`]): no set of ids is kept.
struct CountArticles {
    /// Each period's first and last day, as day numbers, in order.
    periods: Arc<[(i64, i64)]>,
}

impl CountArticles {
    fn new(periods: &[TimelinePeriod]) -> CountArticles {
        CountArticles {
            periods: periods
                .iter()
                .map(|p| (day_number(p.since), day_number(p.until)))
                .collect(),
        }
    }
}

impl Collector for CountArticles {
    type Fruit = ArticleCounts;
    type Child = SegmentArticleCounts;

    fn for_segment(
        &self,
        _segment_ord: SegmentOrdinal,
        segment: &SegmentReader,
    ) -> tantivy::Result<SegmentArticleCounts> {
        Ok(SegmentArticleCounts {
            articles: ArticleColumn::of(segment)?,
            days: segment.fast_fields().column_opt::<i64>("day")?,
            periods: Arc::clone(&self.periods),
            last: None,
            counts: ArticleCounts::none(self.periods.len()),
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<ArticleCounts>) -> tantivy::Result<ArticleCounts> {
        let mut total = ArticleCounts::none(self.periods.len());
        for fruit in fruits {
            for (sum, count) in total.articles.iter_mut().zip(fruit.articles) {
                *sum += count;
            }
            total.undated += fruit.undated;
        }
        Ok(total)
    }
}

struct SegmentArticleCounts {
    articles: Option<ArticleColumn>,
    days: Option<Column<i64>>,
    periods: Arc<[(i64, i64)]>,
    /// The article of the last match (matches come in document order).
    last: Option<u32>,
    counts: ArticleCounts,
}

impl SegmentCollector for SegmentArticleCounts {
    type Fruit = ArticleCounts;

    fn collect(&mut self, doc: DocId, _score: Score) {
        let Some(article) = self.articles.as_ref().and_then(|a| a.ordinal(doc)) else {
            return;
        };
        if self.last == Some(article) {
            return;
        }
        self.last = Some(article);
        match self.days.as_ref().and_then(|days| days.first(doc)) {
            Some(day) => {
                let at = self.periods.partition_point(|&(_, last)| last < day);
                if let Some(&(first, _)) = self.periods.get(at)
                    && first <= day
                {
                    self.counts.articles[at] += 1;
                }
            }
            None => self.counts.undated += 1,
        }
    }

    fn harvest(self) -> ArticleCounts {
        self.counts
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> Date {
        text.parse().unwrap()
    }

    #[test]
    fn months_cover_the_range_with_clipped_ends() {
        let periods = periods_between(Bucket::Month, day("1987-02-26"), day("1987-05-03")).unwrap();
        let shown: Vec<String> = periods
            .iter()
            .map(|p| format!("{} {}..{}", p.label, p.since, p.until))
            .collect();
        assert_eq!(
            shown,
            [
                "1987-02 1987-02-26..1987-02-28",
                "1987-03 1987-03-01..1987-03-31",
                "1987-04 1987-04-01..1987-04-30",
                "1987-05 1987-05-01..1987-05-03",
            ]
        );
    }

    #[test]
    fn weeks_start_on_monday_and_years_reach_far_back() {
        // 1987-02-26 was a Thursday.
        let weeks = periods_between(Bucket::Week, day("1987-02-26"), day("1987-03-09")).unwrap();
        let labels: Vec<&str> = weeks.iter().map(|p| p.label.as_str()).collect();
        assert_eq!(labels, ["1987-02-23", "1987-03-02", "1987-03-09"]);
        let years = periods_between(Bucket::Year, day("1492-10-12"), day("1494-01-01")).unwrap();
        assert_eq!(years.len(), 3);
        assert_eq!(years[0].since, day("1492-10-12"));
        assert_eq!(years[2].until, day("1494-01-01"));
        let last = periods_between(Bucket::Day, day("9999-12-30"), day("9999-12-31")).unwrap();
        assert_eq!(last.len(), 2);
    }

    #[test]
    fn the_bucket_follows_the_span_and_huge_charts_are_refused() {
        assert_eq!(Bucket::for_span(0), Bucket::Day);
        assert_eq!(Bucket::for_span(60), Bucket::Week);
        assert_eq!(Bucket::for_span(236), Bucket::Month);
        assert_eq!(Bucket::for_span(20 * 365), Bucket::Year);
        assert!(periods_between(Bucket::Day, day("1000-01-01"), day("2024-01-01")).is_err());
    }
}
