//! One whole article, found by its id in the index: what the server's
//! article view and `/api/article/{id}` show.
//!
//! An article is only ever looked up by its `article_id` (a term of the
//! index), never by a path, so nothing outside the index can be read
//! through it. With a query, the query's words are marked in every passage
//! the way [`super::search`] marks them in hits; [`neighbours`] finds the
//! articles matching the same query just before, on the same day as, and
//! just after it.

use std::ops::Range;

use crate::date::{ArticleDate, DatePrecision};
use crate::error::Result;
use crate::index::{ArticlePassage, OpenIndex, stored};
use crate::search::{
    ArticleMeta, DateFilter, Highlighter, Hit, SearchRequest, SortOrder, open_searcher,
    parse_user_query, search_with,
};

/// How an article id is written in URLs and JSON: 16 hex digits (a JSON
/// number would lose precision in JavaScript beyond 2^53).
pub fn format_article_id(article_id: u64) -> String {
    format!("{article_id:016x}")
}

/// Reads an article id written by [`format_article_id`]; `None` for
/// anything else.
pub fn parse_article_id(text: &str) -> Option<u64> {
    if text.is_empty() || text.len() > 16 || !text.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    u64::from_str_radix(text, 16).ok()
}

/// A whole article as stored, its passages in reading order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ArticleText {
    /// The article's id in the index.
    pub article_id: u64,
    /// The article's date, if it has one.
    pub date: Option<ArticleDate>,
    /// The article's path as given when indexing.
    pub source: String,
    /// The article title, if any.
    pub title: Option<String>,
    /// Everything else known about it.
    pub meta: ArticleMeta,
    /// Every passage, in reading order.
    pub passages: Vec<ArticlePassage>,
    /// The query's matches in each passage as byte ranges, aligned with
    /// `passages` (empty without a query).
    pub highlights: Vec<Vec<Range<usize>>>,
    /// Parts of the query that were ignored, in words.
    pub ignored: Vec<String>,
}

impl ArticleText {
    /// The first passage with a match, if any.
    pub fn first_match(&self) -> Option<u64> {
        self.passages
            .iter()
            .zip(&self.highlights)
            .find(|(_, marks)| !marks.is_empty())
            .map(|(passage, _)| passage.passage_no)
    }
}

/// The article `article_id` with `query`'s words marked (no marks when the
/// query is blank); `None` when the index holds no such article.
pub fn article(index: &OpenIndex, article_id: u64, query: &str) -> Result<Option<ArticleText>> {
    let searcher = open_searcher(index)?;
    let Some(stored::WholeArticle {
        article: stored,
        date,
        passages,
    }) = stored::StoredReader::new(&searcher, &index.fields).article_by_id(article_id)?
    else {
        return Ok(None);
    };
    let (highlights, ignored) = if query.trim().is_empty() {
        (vec![Vec::new(); passages.len()], Vec::new())
    } else {
        let parsed = parse_user_query(index, query, false)?;
        let mut marks =
            Highlighter::for_query(&*parsed.any_words, index.fields.text, index.analyzer());
        let highlights = passages
            .iter()
            .map(|p| marks.byte_ranges(&p.text))
            .collect();
        (highlights, parsed.ignored)
    };
    let precision = stored.date_precision.unwrap_or(DatePrecision::Day);
    Ok(Some(ArticleText {
        article_id,
        date: date.map(|timestamp| ArticleDate::from_stored(timestamp, precision)),
        source: stored.source,
        title: stored.title,
        meta: stored.meta,
        passages,
        highlights,
        ignored,
    }))
}

/// The articles matching a query around one article in time.
#[derive(Clone, Debug, Default)]
pub struct Neighbours {
    /// The nearest earlier ones, nearest first.
    pub earlier: Vec<Hit>,
    /// The best ones of the same (UTC) day, the article itself left out.
    pub same_day: Vec<Hit>,
    /// The nearest later ones, nearest first.
    pub later: Vec<Hit>,
}

/// Up to `per_side` articles matching `query` before, on the day of, and
/// after `article`, one passage each, from one snapshot. Empty for an
/// undated article or a blank query.
pub fn neighbours(
    index: &OpenIndex,
    query: &str,
    article: &ArticleText,
    per_side: usize,
) -> Result<Neighbours> {
    let (Some(date), false) = (article.date, query.trim().is_empty()) else {
        return Ok(Neighbours::default());
    };
    let searcher = open_searcher(index)?;
    let day = date.day();
    let find = |dates: DateFilter, sort: SortOrder, limit: usize| {
        let request = SearchRequest {
            query: query.to_string(),
            dates,
            limit,
            per_article: 1,
            sort,
            ..SearchRequest::default()
        };
        search_with(index, &searcher, &request).map(|results| results.hits)
    };
    let mut same_day = find(
        DateFilter::days(Some(day), Some(day)),
        SortOrder::Relevance,
        per_side + 1,
    )?;
    same_day.retain(|hit| hit.article_id != article.article_id);
    same_day.truncate(per_side);
    let earlier = match day.yesterday() {
        Ok(last) => find(
            DateFilter::days(None, Some(last)),
            SortOrder::Newest,
            per_side,
        )?,
        Err(_) => Vec::new(),
    };
    let later = match day.tomorrow() {
        Ok(first) => find(
            DateFilter::days(Some(first), None),
            SortOrder::Oldest,
            per_side,
        )?,
        Err(_) => Vec::new(),
    };
    Ok(Neighbours {
        earlier,
        same_day,
        later,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn article_ids_round_trip_as_hex_and_nothing_else_parses() {
        for id in [0, 1, 0xdead_beef, u64::MAX] {
            assert_eq!(parse_article_id(&format_article_id(id)), Some(id));
        }
        assert_eq!(format_article_id(255), "00000000000000ff");
        for bad in [
            "",
            "-1",
            "+ff",
            "../etc/passwd",
            "0x10",
            "1ffffffffffffffff",
            "ü",
        ] {
            assert_eq!(parse_article_id(bad), None, "{bad}");
        }
    }
}
