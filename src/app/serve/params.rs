//! Query-string parameters and their conversion into library requests:
//! the server's counterpart of `cli.rs`. The names are the command line's
//! (`since`, `until`, `on`, `sort`, `limit`, `per_article`, `context`,
//! `strict`, `recency`, `vs`, `by`) with the query as `q`; dates are read by
//! the same code as `--since`/`--until`/`--on`. Every value is bounded, and
//! an unknown or malformed parameter is an error that names it, never
//! silently ignored.

use std::ops::RangeInclusive;

use dateline::date::parse_age;
use dateline::search::timeline::{Bucket, TimelineRequest};
use dateline::search::{ArticleFilter, DateFilter, SearchRequest, SortOrder};

use crate::app::cli::DateArgs;
use crate::app::serve::error::ServeError;

/// The longest query string accepted, in bytes.
pub const MAX_QUERY_STRING: usize = 8 * 1024;
/// The longest query (`q`, each `vs`), in characters.
pub const MAX_QUERY_CHARS: usize = 1000;
/// The longest value of any other parameter, in characters.
const MAX_VALUE_CHARS: usize = 200;
/// The most passages one request may ask for.
pub const MAX_LIMIT: usize = 100;
/// The deepest page of results (the library ranks `page × limit` passages).
pub const MAX_PAGE: usize = 50;
/// The most queries one timeline compares (`q` and the `vs`).
const MAX_QUERIES: usize = 5;

/// The parameters of one request, as given.
#[derive(Clone, Debug, Default)]
pub struct Params {
    pairs: Vec<(String, String)>,
}

impl Params {
    /// Parses a query string, refusing names outside `allowed` and values
    /// beyond their bounds. Empty values count as absent (an empty form
    /// field).
    pub fn parse(raw: Option<&str>, allowed: &[&str]) -> Result<Params, ServeError> {
        let raw = raw.unwrap_or("");
        if raw.len() > MAX_QUERY_STRING {
            return Err(ServeError::TooLong(format!(
                "the query string is {} bytes; at most {MAX_QUERY_STRING} are accepted",
                raw.len()
            )));
        }
        let mut pairs = Vec::new();
        for (name, value) in form_urlencoded::parse(raw.as_bytes()) {
            if !allowed.contains(&name.as_ref()) {
                return Err(ServeError::BadRequest(format!(
                    "unknown parameter '{}'; this endpoint takes {}",
                    truncated(&name),
                    allowed.join(", ")
                )));
            }
            let limit = if matches!(name.as_ref(), "q" | "vs") {
                MAX_QUERY_CHARS
            } else {
                MAX_VALUE_CHARS
            };
            if value.chars().count() > limit {
                return Err(ServeError::TooLong(format!(
                    "parameter '{name}' is longer than {limit} characters"
                )));
            }
            if !value.trim().is_empty() {
                pairs.push((name.into_owned(), value.into_owned()));
            }
        }
        Ok(Params { pairs })
    }

    /// The last value of `name`, if given.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.pairs
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// Every value of `name`, in order.
    pub fn all(&self, name: &str) -> Vec<&str> {
        self.pairs
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// The query `q`; `None` when absent or blank.
    pub fn query(&self) -> Option<&str> {
        self.get("q")
    }

    /// A whole number within `range`, or `default` when absent.
    pub fn number(
        &self,
        name: &str,
        default: usize,
        range: RangeInclusive<usize>,
    ) -> Result<usize, ServeError> {
        let Some(text) = self.get(name) else {
            return Ok(default);
        };
        match text.trim().parse::<usize>() {
            Ok(n) if range.contains(&n) => Ok(n),
            _ => Err(ServeError::BadRequest(format!(
                "parameter '{name}' must be a whole number from {} to {}, not '{}'",
                range.start(),
                range.end(),
                truncated(text)
            ))),
        }
    }

    /// `true`/`false` (also `1`/`0`, `on`, as HTML checkboxes send).
    fn flag(&self, name: &str) -> Result<bool, ServeError> {
        match self.get(name) {
            None | Some("false" | "0" | "off") => Ok(false),
            Some("true" | "1" | "on") => Ok(true),
            Some(other) => Err(ServeError::BadRequest(format!(
                "parameter '{name}' must be true or false, not '{}'",
                truncated(other)
            ))),
        }
    }

    /// The date range, read as `--since`, `--until` and `--on` are.
    pub fn dates(&self) -> Result<DateFilter, ServeError> {
        let args = DateArgs {
            since: self.get("since").map(str::to_string),
            until: self.get("until").map(str::to_string),
            on: self.get("on").map(str::to_string),
        };
        Ok(args.to_filter()?)
    }

    fn sort(&self) -> Result<SortOrder, ServeError> {
        match self.get("sort") {
            None | Some("relevance") => Ok(SortOrder::Relevance),
            Some("newest") => Ok(SortOrder::Newest),
            Some("oldest") => Ok(SortOrder::Oldest),
            Some(other) => Err(ServeError::BadRequest(format!(
                "parameter 'sort' must be relevance, newest or oldest, not '{}'",
                truncated(other)
            ))),
        }
    }

    /// The period of a timeline's bars, `None` to follow the range.
    pub fn bucket(&self) -> Result<Option<Bucket>, ServeError> {
        match self.get("by") {
            None => Ok(None),
            Some("day") => Ok(Some(Bucket::Day)),
            Some("week") => Ok(Some(Bucket::Week)),
            Some("month") => Ok(Some(Bucket::Month)),
            Some("year") => Ok(Some(Bucket::Year)),
            Some(other) => Err(ServeError::BadRequest(format!(
                "parameter 'by' must be day, week, month or year, not '{}'",
                truncated(other)
            ))),
        }
    }

    /// The facet filters: `format`, `outlet`, `author`.
    pub fn filters(&self) -> Vec<ArticleFilter> {
        let mut filters = Vec::new();
        filters.extend(
            self.get("format")
                .map(|v| ArticleFilter::Format(v.to_string())),
        );
        filters.extend(
            self.get("outlet")
                .map(|v| ArticleFilter::Outlet(v.to_string())),
        );
        filters.extend(
            self.get("author")
                .map(|v| ArticleFilter::Author(v.to_string())),
        );
        filters
    }

    fn required_query(&self) -> Result<&str, ServeError> {
        self.query().ok_or_else(|| {
            ServeError::BadRequest("parameter 'q' (the query) is required".to_string())
        })
    }

    /// The search these parameters ask for, `limit` passages per page, and
    /// the page (from 1). The library ranks every page up to this one.
    pub fn search_request(
        &self,
        default_limit: usize,
    ) -> Result<(SearchRequest, usize), ServeError> {
        let query = self.required_query()?;
        let limit = self.number("limit", default_limit, 1..=MAX_LIMIT)?;
        let page = self.number("page", 1, 1..=MAX_PAGE)?;
        let recency_half_life = match self.get("recency") {
            None => None,
            Some(text) => Some(parse_age(text).map_err(|e| {
                ServeError::BadRequest(format!("parameter 'recency': {}", e.reason))
            })?),
        };
        let request = SearchRequest {
            query: query.to_string(),
            dates: self.dates()?,
            limit: limit * page,
            per_article: self.number("per_article", 2, 1..=10)?,
            strict: self.flag("strict")?,
            sort: self.sort()?,
            recency_half_life,
            context: self.number("context", 0, 0..=5)?,
            only: self.filters(),
            ..SearchRequest::default()
        };
        Ok((request, page))
    }

    /// The timeline these parameters ask for: `q` and each `vs`.
    pub fn timeline_request(&self, top_passages: bool) -> Result<TimelineRequest, ServeError> {
        let mut queries = vec![self.required_query()?.to_string()];
        queries.extend(self.all("vs").into_iter().map(str::to_string));
        if queries.len() > MAX_QUERIES {
            return Err(ServeError::BadRequest(format!(
                "at most {} 'vs' queries can be compared",
                MAX_QUERIES - 1
            )));
        }
        Ok(TimelineRequest {
            queries,
            dates: self.dates()?,
            bucket: self.bucket()?,
            strict: self.flag("strict")?,
            only: self.filters(),
            top_passages,
        })
    }
}

/// A value cut short for an error message.
fn truncated(text: &str) -> String {
    if text.chars().count() <= 40 {
        text.to_string()
    } else {
        format!("{}…", text.chars().take(40).collect::<String>())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SEARCH: &[&str] = &["q", "since", "until", "on", "limit", "page", "sort"];

    fn parse(raw: &str) -> Result<Params, ServeError> {
        Params::parse(Some(raw), SEARCH)
    }

    #[test]
    fn values_are_decoded_and_empty_ones_are_absent() {
        let params = parse("q=%22interest+rates%22&since=&until=1987-03").unwrap();
        assert_eq!(params.query(), Some("\"interest rates\""));
        assert_eq!(params.get("since"), None);
        assert_eq!(params.get("until"), Some("1987-03"));
    }

    #[test]
    fn unknown_names_and_out_of_bounds_numbers_are_refused() {
        assert!(
            matches!(parse("q=a&lmit=5"), Err(ServeError::BadRequest(m)) if m.contains("'lmit'"))
        );
        let params = parse("q=a&limit=1000&page=0").unwrap();
        assert!(params.search_request(10).is_err());
        let params = parse("q=a&limit=-1").unwrap();
        assert!(params.number("limit", 10, 1..=100).is_err());
        assert!(matches!(
            parse("q=a&sort=sideways").unwrap().search_request(10),
            Err(ServeError::BadRequest(_))
        ));
    }

    #[test]
    fn oversized_values_are_refused() {
        let long = "a".repeat(MAX_QUERY_CHARS + 1);
        assert!(matches!(
            parse(&format!("q={long}")),
            Err(ServeError::TooLong(_))
        ));
        let huge = "q=".to_string() + &"b".repeat(MAX_QUERY_STRING);
        assert!(matches!(parse(&huge), Err(ServeError::TooLong(_))));
    }

    #[test]
    fn pages_rank_every_passage_up_to_them() {
        let (request, page) = parse("q=oil&limit=20&page=3")
            .unwrap()
            .search_request(10)
            .unwrap();
        assert_eq!((request.limit, page), (60, 3));
        assert!(matches!(
            parse("since=2024-02-30&q=a").unwrap().dates(),
            Err(ServeError::Library(_))
        ));
    }
}
