//! Facets: how the articles matching a query spread over years, formats,
//! outlets and authors, and narrowing a search to one of those values.
//!
//! Each matching article is counted once, however many of its passages
//! match. Years come from the `date` fast field; the format, outlet and
//! author are stored once per article, on its first passage, so each
//! matching article's first passage is read once. Outlets and authors are
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
use crate::index::{DatelineSchema, OpenIndex, stored};
use crate::search::{Prepared, SearchRequest, open_searcher};

/// The most values listed per facet, the most frequent first.
pub const FACET_VALUES: usize = 12;

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
}

/// Counts the articles matching `request` (its dates and filters applied)
/// by year, format, outlet and author.
pub fn facets(index: &OpenIndex, request: &SearchRequest) -> Result<Facets> {
    let prepared = Prepared::with_searcher(index, open_searcher(index)?, request)?;
    let mut facets = Facets::default();
    let mut years: BTreeMap<i16, u64> = BTreeMap::new();
    let mut formats: HashMap<String, u64> = HashMap::new();
    let mut outlets: HashMap<String, u64> = HashMap::new();
    let mut authors: HashMap<String, u64> = HashMap::new();
    for_each_matching_article(
        &prepared.searcher,
        &index.fields,
        &*prepared.any_words,
        |_, date, article| {
            facets.articles += 1;
            match date {
                Some(timestamp) => {
                    let year = ArticleDate::from_stored(timestamp, DatePrecision::Second)
                        .day()
                        .year();
                    *years.entry(year).or_default() += 1;
                }
                None => facets.undated += 1,
            }
            for (value, counts) in [
                (&article.meta.format, &mut formats),
                (&article.meta.outlet, &mut outlets),
                (&article.meta.author, &mut authors),
            ] {
                if let Some(value) = value {
                    *counts.entry(value.clone()).or_default() += 1;
                }
            }
        },
    )?;
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
    for_each_matching_article(searcher, fields, query, |article_id, _, article| {
        if filters.iter().all(|f| f.accepts(article)) {
            ids.push(Term::from_field_u64(fields.article_id, article_id));
        }
    })?;
    Ok(Box::new(TermSetQuery::new(ids)))
}

/// Calls `visit` once per article with a passage matching `query`, with its
/// id, date and stored metadata, in document order (which keeps reads of the
/// document store close together).
fn for_each_matching_article(
    searcher: &Searcher,
    fields: &DatelineSchema,
    query: &dyn Query,
    mut visit: impl FnMut(u64, Option<i64>, &stored::StoredArticle),
) -> Result<()> {
    let mut matches: Vec<DocAddress> = searcher
        .search(query, &DocSetCollector)?
        .into_iter()
        .collect();
    matches.sort();
    let mut seen: HashSet<u64> = HashSet::new();
    let mut segment_ord = u32::MAX;
    let mut columns = None;
    for address in matches {
        if address.segment_ord != segment_ord {
            segment_ord = address.segment_ord;
            let fast = searcher.segment_reader(segment_ord).fast_fields();
            columns = Some((fast.u64("article_id")?, fast.column_opt::<i64>("date")?));
        }
        let Some((ids, dates)) = &columns else {
            continue;
        };
        let Some(article_id) = ids.first(address.doc_id) else {
            continue;
        };
        if !seen.insert(article_id) {
            continue;
        }
        let date = dates.as_ref().and_then(|d| d.first(address.doc_id));
        let article = stored::article(searcher, fields, address)?;
        visit(article_id, date, &article);
    }
    Ok(())
}
