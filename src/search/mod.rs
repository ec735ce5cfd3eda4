//! Answering a query with ranked passages.
//!
//! One searcher serves a whole command, so hits, counts and highlights come
//! from the same snapshot of the index. Ranking is BM25F over passages and
//! their titles ([`Ranking`]), in two tiers: passages containing every word
//! of the query come first, then passages containing only some. At most
//! `per_article` passages of one article are returned, so a long article
//! cannot fill the page. [`rank_articles`] ranks whole articles the same way
//! for `dateline eval`.

mod date_filter;
mod highlight;
mod query;
mod rank;

use std::collections::HashMap;

use tantivy::query::{BooleanQuery, Occur, Query};
use tantivy::schema::Value;
use tantivy::snippet::SnippetGenerator;
use tantivy::{DocAddress, ReloadPolicy, Searcher, TantivyDocument};

pub use date_filter::DateFilter;
pub use highlight::to_char_ranges;
pub use query::{ParsedQuery, parse_user_query};
pub use rank::{Ranking, ScoredArticle, ScoredPassage, aggregate_articles};

use crate::date::{ArticleDate, DatePrecision};
use crate::error::{Error, Result};
use crate::index::OpenIndex;
use highlight::Highlighter;

/// A search as the library takes it.
#[derive(Clone, Debug)]
pub struct SearchRequest {
    /// The query as typed.
    pub query: String,
    /// The date range to search in.
    pub dates: DateFilter,
    /// How many passages to return.
    pub limit: usize,
    /// The most passages to return from one article.
    pub per_article: usize,
    /// Whether an unparsable query is an error rather than parsed leniently.
    pub strict: bool,
    /// How passages are scored.
    pub ranking: Ranking,
}

/// One ranked passage.
#[derive(Clone, Debug, PartialEq)]
pub struct Hit {
    /// 1-based rank.
    pub rank: usize,
    /// The passage's score in its tier (see [`Ranking`]).
    pub score: f32,
    /// The article's date, if it has one.
    pub date: Option<ArticleDate>,
    /// The article's path as given when indexing.
    pub source: String,
    /// The 1-based line where the passage starts.
    pub line: u64,
    /// The article title, if any.
    pub title: Option<String>,
    /// The passage text, exactly as indexed.
    pub passage: String,
    /// Matched words as byte ranges into `passage`.
    pub highlights: Vec<std::ops::Range<usize>>,
}

/// The answer to a search.
#[derive(Clone, Debug)]
pub struct SearchResults {
    /// The query as typed.
    pub query: String,
    /// How many passages matched in all (before the limit).
    pub total_hits: usize,
    /// The ranked passages.
    pub hits: Vec<Hit>,
    /// Parts of the query that were ignored, in words.
    pub ignored: Vec<String>,
}

/// Runs `request` against `index`.
pub fn search(index: &OpenIndex, request: &SearchRequest) -> Result<SearchResults> {
    let searcher = open_searcher(index)?;
    let parsed = parse_user_query(index, &request.query, request.strict)?;
    let date_query = request.dates.to_query(index.fields.date);
    let all_words = restrict(parsed.all_words.box_clone(), date_query.as_deref());

    let mut words = rank::query_words(&*parsed.any_words, &index.fields);
    rank::mark_stop_words(&mut words, &request.query, index.language);
    let widened = rank::widen_bare_words(
        parsed.any_words.box_clone(),
        &words,
        &request.query,
        index.language,
    );
    let any_words = restrict(widened, date_query.as_deref());
    let ranked = rank::rank_passages(
        &searcher,
        &index.fields,
        &*any_words,
        Some(&*all_words),
        &mut words,
        &request.ranking,
    )?;
    let picked = pick_passages(&ranked, request.limit, request.per_article.max(1));

    let generator = SnippetGenerator::create(&searcher, &*parsed.any_words, index.fields.text)?;
    let mut highlighter = Highlighter::new(generator);
    let hits = picked
        .iter()
        .enumerate()
        .map(|(i, passage)| {
            load_hit(
                index,
                &searcher,
                passage.address,
                i + 1,
                passage.score,
                &mut highlighter,
            )
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(SearchResults {
        query: request.query.clone(),
        total_hits: ranked.len(),
        hits,
        ignored: parsed.ignored,
    })
}

/// A searcher on the index's current snapshot; fails on an empty index.
pub fn open_searcher(index: &OpenIndex) -> Result<Searcher> {
    let reader = index
        .index
        .reader_builder()
        .reload_policy(ReloadPolicy::Manual)
        .try_into()?;
    let searcher = reader.searcher();
    if searcher.num_docs() == 0 {
        return Err(Error::EmptyIndex(index.path.clone()));
    }
    Ok(searcher)
}

/// Ranks whole articles for `query`, best first, at most `limit`: the same
/// query parsing and passage scoring as [`search`], with each article scored
/// from its passages ([`aggregate_articles`]). This is what `dateline eval`
/// measures.
pub fn rank_articles(
    index: &OpenIndex,
    searcher: &Searcher,
    query: &str,
    ranking: &Ranking,
    limit: usize,
) -> Result<Vec<ScoredArticle>> {
    let parsed = parse_user_query(index, query, false)?;
    let mut words = rank::query_words(&*parsed.any_words, &index.fields);
    rank::mark_stop_words(&mut words, query, index.language);
    let widened =
        rank::widen_bare_words(parsed.any_words.box_clone(), &words, query, index.language);
    let mut query = widened;
    if ranking.feedback_docs > 0 {
        let first_pass = rank::rank_passages(
            searcher,
            &index.fields,
            &*query,
            Some(&*parsed.all_words),
            &mut words,
            ranking,
        )?;
        let extra = rank::add_feedback_words(
            searcher,
            &index.fields,
            index.language,
            &first_pass,
            &mut words,
            ranking,
        )?;
        query = rank::widen_with_terms(query, extra);
    }
    let passages = rank::rank_passages(
        searcher,
        &index.fields,
        &*query,
        Some(&*parsed.all_words),
        &mut words,
        ranking,
    )?;
    let mut articles = aggregate_articles(&passages, ranking.sibling_weight);
    articles.truncate(limit);
    Ok(articles)
}

/// Adds the date filter, when there is one, as a required clause.
fn restrict(text_query: Box<dyn Query>, dates: Option<&dyn Query>) -> Box<dyn Query> {
    match dates {
        None => text_query,
        Some(dates) => Box::new(BooleanQuery::new(vec![
            (Occur::Must, text_query),
            (Occur::Must, dates.box_clone()),
        ])),
    }
}

/// Takes passages in rank order, at most `per_article` from one article, so
/// a long article cannot fill the page.
fn pick_passages(ranked: &[ScoredPassage], limit: usize, per_article: usize) -> Vec<ScoredPassage> {
    let mut per_article_count: HashMap<u64, usize> = HashMap::new();
    let mut picked = Vec::new();
    for passage in ranked {
        if picked.len() >= limit {
            break;
        }
        let count = per_article_count.entry(passage.article_id).or_default();
        if *count < per_article {
            *count += 1;
            picked.push(*passage);
        }
    }
    picked
}

fn load_hit(
    index: &OpenIndex,
    searcher: &Searcher,
    address: DocAddress,
    rank: usize,
    score: f32,
    highlighter: &mut Highlighter,
) -> Result<Hit> {
    let fields = &index.fields;
    let doc: TantivyDocument = searcher.doc(address)?;
    let text = |field| {
        doc.get_first(field)
            .and_then(|v| v.as_str())
            .map(str::to_string)
    };
    let number = |field| doc.get_first(field).and_then(|v| v.as_u64());
    let date = doc
        .get_first(fields.date)
        .and_then(|v| v.as_i64())
        .map(|timestamp| {
            let precision = match number(fields.date_precision) {
                Some(1) => DatePrecision::Second,
                _ => DatePrecision::Day,
            };
            ArticleDate::from_stored(timestamp, precision)
        });
    let passage = text(fields.text).unwrap_or_default();
    Ok(Hit {
        rank,
        score,
        date,
        source: text(fields.source).unwrap_or_default(),
        line: number(fields.line).unwrap_or(1),
        title: text(fields.title),
        highlights: highlighter.byte_ranges(&passage),
        passage,
    })
}
