//! Facets: how the articles matching a query spread over years, formats,
//! outlets and authors, and narrowing a search to one of those values.
//!
//! Each matching article is counted once, however many of its passages
//! match. Years and formats come from fast fields (the format from the
//! article's first passage, which sits just before its others), so they
//! are exact at any size. Outlets and authors are stored only, once per
//! article: reading them costs a document-store read per article, so an
//! article whose format never carries one is not read, the others are
//! counted over the first [`STORED_READS`] (in index order), and
//! [`Facets::sampled`] says so when there are more. They are
//! stored, not indexed, so narrowing by them cannot be a term of the query:
//! the matching articles that pass are collected and the search is
//! restricted to their ids (a term set on `article_id`), which keeps
//! `search`, `timeline` and the facets themselves agreeing on the matches.

use std::collections::{BTreeMap, HashMap, HashSet};

use tantivy::collector::DocSetCollector;
use tantivy::query::{Query, TermSetQuery};
use tantivy::{DocAddress, Searcher, Term};

use crate::date::{ArticleDate, DatePrecision};
use crate::error::Result;
use crate::index::article_column::ArticleColumn;
use crate::index::{DatelineSchema, OpenIndex, stored};
use crate::ingest::Format;
use crate::search::{Prepared, SearchRequest, open_searcher};

/// The most values listed per facet, the most frequent first.
pub const FACET_VALUES: usize = 12;
/// The most matching articles whose stored outlet and author are read for
/// the facets.
pub const STORED_READS: u64 = 2_000;

/// A property of an article a search can be narrowed to.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum ArticleFilter {
    /// The format the file was read as (`markdown`, `mail`, ...).
    Format(String),
    /// The outlet (newsgroup, site).
    Outlet(String),
    /// The author, as stored.
    Author(String),
}

impl ArticleFilter {
    fn accepts(&self, meta: &stored::StoredArticle) -> bool {
        let (wanted, found) = match self {
            ArticleFilter::Format(v) => (v, &meta.meta.format),
            ArticleFilter::Outlet(v) => (v, &meta.meta.outlet),
            ArticleFilter::Author(v) => (v, &meta.meta.author),
        };
        found.as_deref() == Some(wanted.as_str())
    }
}

/// One value of a facet and how many matching articles have it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FacetCount {
    /// The value (a year, a format name, an outlet, an author).
    pub value: String,
    /// Matching articles with that value.
    pub articles: u64,
}

/// The facets of a search's matching articles.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Facets {
    /// Matching articles in all.
    pub articles: u64,
    /// Matching articles per (UTC) year, in year order.
    pub years: Vec<FacetCount>,
    /// Matching undated articles.
    pub undated: u64,
    /// Per format, most frequent first.
    pub formats: Vec<FacetCount>,
    /// Per outlet, most frequent first (empty when none is known).
    pub outlets: Vec<FacetCount>,
    /// Per author, most frequent first (empty when none is known).
    pub authors: Vec<FacetCount>,
    /// How many articles the outlets and authors were counted over, when
    /// some matching articles that may have one were not read.
    pub sampled: Option<u64>,
}

/// Counts the articles matching `request` (its dates and filters applied)
/// by year, format, outlet and author.
pub fn facets(index: &OpenIndex, request: &SearchRequest) -> Result<Facets> {
    let prepared = Prepared::with_searcher(index, open_searcher(index)?, request)?;
    let searcher = &prepared.searcher;
    let reader = stored::StoredReader::new(searcher, &index.fields);
    let mut facets = Facets::default();
    let mut years: BTreeMap<i16, u64> = BTreeMap::new();
    let mut formats: HashMap<String, u64> = HashMap::new();
    let mut outlets: HashMap<String, u64> = HashMap::new();
    let mut authors: HashMap<String, u64> = HashMap::new();
    let mut read = 0;
    let mut unread = 0;
    for_each_matching_article(searcher, &*prepared.any_words, |article| {
        facets.articles += 1;
        match article.date {
            Some(timestamp) => {
                let year = ArticleDate::from_stored(timestamp, DatePrecision::Second)
                    .day()
                    .year();
                *years.entry(year).or_default() += 1;
            }
            None => facets.undated += 1,
        }
        let format = article.format.clone();
        let stored = if !article.may_have_byline() {
            None
        } else if read < STORED_READS {
            read += 1;
            Some(reader.article(article.address)?)
        } else {
            unread += 1;
            None
        };
        let format = format.or_else(|| stored.as_ref().and_then(|s| s.meta.format.clone()));
        if let Some(format) = format {
            *formats.entry(format).or_default() += 1;
        }
        if let Some(stored) = stored {
            for (value, counts) in [
                (stored.meta.outlet, &mut outlets),
                (stored.meta.author, &mut authors),
            ] {
                if let Some(value) = value {
                    *counts.entry(value).or_default() += 1;
                }
            }
        }
        Ok(())
    })?;
    if unread > 0 {
        facets.sampled = Some(read);
    }
    facets.years = years
        .into_iter()
        .map(|(year, articles)| FacetCount {
            value: format!("{year:04}"),
            articles,
        })
        .collect();
    facets.formats = most_frequent(formats);
    facets.outlets = most_frequent(outlets);
    facets.authors = most_frequent(authors);
    Ok(facets)
}

fn most_frequent(counts: HashMap<String, u64>) -> Vec<FacetCount> {
    let mut list: Vec<FacetCount> = counts
        .into_iter()
        .map(|(value, articles)| FacetCount { value, articles })
        .collect();
    list.sort_by(|a, b| b.articles.cmp(&a.articles).then(a.value.cmp(&b.value)));
    list.truncate(FACET_VALUES);
    list
}

/// A query matching only the articles that match `query` and pass every
/// filter: the restriction [`Prepared`] adds for [`SearchRequest::only`].
pub(crate) fn restriction(
    searcher: &Searcher,
    fields: &DatelineSchema,
    query: &dyn Query,
    filters: &[ArticleFilter],
) -> Result<Box<dyn Query>> {
    let mut ids = Vec::new();
    let formats_only = filters
        .iter()
        .all(|f| matches!(f, ArticleFilter::Format(_)));
    let reader = stored::StoredReader::new(searcher, fields);
    for_each_matching_article(searcher, query, |article| {
        let passes = if formats_only && article.format.is_some() {
            filters.iter().all(|f| {
                matches!(f, ArticleFilter::Format(v) if article.format.as_deref() == Some(v.as_str()))
            })
        } else if !article.may_have_byline() {
            // No outlet or author to match; its format is known.
            false
        } else {
            let stored = reader.article(article.address)?;
            filters.iter().all(|f| f.accepts(&stored))
        };
        if passes {
            ids.push(Term::from_field_u64(fields.article_id, article.article_id));
        }
        Ok(())
    })?;
    Ok(Box::new(TermSetQuery::new(ids)))
}

/// A matching article as the fast fields tell it.
struct MatchingArticle {
    article_id: u64,
    date: Option<i64>,
    /// Its first passage.
    address: DocAddress,
    /// Its format, read from the first passage's fast field.
    format: Option<String>,
}

impl MatchingArticle {
    /// Whether its stored metadata may hold an outlet or author: not when
    /// its format never carries one, which spares a document-store read.
    fn may_have_byline(&self) -> bool {
        self.format
            .as_deref()
            .and_then(Format::from_name)
            .is_none_or(Format::carries_byline)
    }
}

/// Calls `visit` once per article with a passage matching `query`, in
/// document order (which keeps reads of the document store close
/// together).
fn for_each_matching_article(
    searcher: &Searcher,
    query: &dyn Query,
    mut visit: impl FnMut(&MatchingArticle) -> Result<()>,
) -> Result<()> {
    let mut matches: Vec<DocAddress> = searcher
        .search(query, &DocSetCollector)?
        .into_iter()
        .collect();
    matches.sort();
    let mut seen: HashSet<u64> = HashSet::new();
    let mut segment_ord = u32::MAX;
    let mut columns = None;
    let mut format_names: HashMap<u64, String> = HashMap::new();
    for address in matches {
        if address.segment_ord != segment_ord {
            segment_ord = address.segment_ord;
            let segment = searcher.segment_reader(segment_ord);
            let fast = segment.fast_fields();
            columns = Some((
                ArticleColumn::of(segment)?,
                fast.column_opt::<i64>("date")?,
                fast.str("format")?,
            ));
            format_names.clear();
        }
        let Some((Some(ids), dates, formats)) = &columns else {
            continue;
        };
        let doc = address.doc_id;
        let Some(article_id) = ids.id(doc) else {
            continue;
        };
        if !seen.insert(article_id) {
            continue;
        }
        let Some(first) = ids.first_passage(doc) else {
            continue;
        };
        let format = match formats {
            Some(formats) => formats.term_ords(first).next().and_then(|ord| {
                if let Some(name) = format_names.get(&ord) {
                    return Some(name.clone());
                }
                let mut name = String::new();
                formats.ord_to_str(ord, &mut name).ok()?;
                format_names.insert(ord, name.clone());
                Some(name)
            }),
            _ => None,
        };
        visit(&MatchingArticle {
            article_id,
            date: dates.as_ref().and_then(|d| d.first(doc)),
            address: DocAddress::new(segment_ord, first),
            format,
        })?;
    }
    Ok(())
}
