//! Answering a query with ranked passages.
//!
//! One searcher serves a whole command, so hits, counts and highlights come
//! from the same snapshot of the index. Ranking is BM25 over passages, in two
//! tiers: passages containing every word of the query come first, then
//! passages containing only some. At most `per_article` passages of one
//! article are returned, so a long article cannot fill the page.
//! `--sort newest|oldest` and `--recency` change only the order
//! ([`order`]); `--files` lists the matching articles instead of passages.

mod article;
mod date_filter;
mod highlight;
mod order;
mod query;
pub mod timeline;

use std::collections::{HashMap, HashSet};

use tantivy::collector::Count;
use tantivy::query::{BooleanQuery, Occur, Query};
use tantivy::schema::Value;
use tantivy::{DocAddress, ReloadPolicy, Searcher, TantivyDocument};

pub use article::ArticlePassage;
pub use date_filter::DateFilter;
pub use highlight::{Highlighter, to_char_ranges};
pub use order::SortOrder;
pub use query::{ParsedQuery, parse_user_query};

use crate::date::{ArticleDate, DatePrecision};
use crate::error::{Error, Result};
use crate::index::{ANALYZER_NAME, OpenIndex, english_analyzer};
use order::Ranking;

/// A search as the library takes it. Build it with
/// `..SearchRequest::default()` so new options do not break constructors.
#[derive(Clone, Debug, Default)]
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
    /// The order of results (the matches are the same in every order).
    pub sort: SortOrder,
    /// With relevance order, boost newer articles: the half-life in seconds.
    pub recency_half_life: Option<i64>,
    /// How many neighbouring passages to return on each side of a hit.
    pub context: usize,
}

/// One ranked passage.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Hit {
    /// 1-based rank.
    pub rank: usize,
    /// The BM25 score of the passage in its tier.
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
    /// The article this passage belongs to.
    pub article_id: u64,
    /// The passage's position in its article, from 0.
    pub passage_no: u64,
    /// Only the title matched: `passage` is the article's opening, with no
    /// highlights.
    pub title_only: bool,
    /// Up to `context` passages before this one, in reading order.
    pub context_before: Vec<ArticlePassage>,
    /// Up to `context` passages after this one, in reading order.
    pub context_after: Vec<ArticlePassage>,
    /// The article's metadata beyond date, source and title.
    pub meta: HitMeta,
}

/// What is known about a hit's article besides its date, source and title.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HitMeta {
    /// The format the file was read as (`reference`, `sgml`, ...).
    pub format: Option<String>,
    /// Where the date came from (`front-matter`, `json-ld`, `filename`, ...).
    pub date_source: Option<String>,
    /// The date as written in the file.
    pub date_text: Option<String>,
    /// The article's URL.
    pub url: Option<String>,
    /// The author(s).
    pub author: Option<String>,
    /// The outlet (newsgroup, site).
    pub outlet: Option<String>,
    /// The record id inside a multi-article file.
    pub record_id: Option<String>,
    /// The line where the record starts inside a multi-article file.
    pub record_line: Option<u64>,
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
    search_with(index, &open_searcher(index)?, request)
}

/// Runs `request` on an already open searcher, so several searches of one
/// command see the same snapshot.
pub(crate) fn search_with(
    index: &OpenIndex,
    searcher: &Searcher,
    request: &SearchRequest,
) -> Result<SearchResults> {
    let prepared = Prepared::with_searcher(index, searcher.clone(), request)?;
    let picked = prepared.pick(request.limit, request.per_article.max(1))?;
    let searcher = &prepared.searcher;
    let analyzer = index
        .index
        .tokenizers()
        .get(ANALYZER_NAME)
        .unwrap_or_else(english_analyzer);
    let mut text_marks = Highlighter::for_query(
        &*prepared.parsed.any_words,
        index.fields.text,
        analyzer.clone(),
    );
    let mut title_marks =
        Highlighter::for_query(&*prepared.parsed.any_words, index.fields.title, analyzer);
    let mut hits: Vec<Hit> = Vec::with_capacity(picked.len());
    for (score, address) in picked {
        let mut hit = load_hit(
            index,
            searcher,
            address,
            hits.len() + 1,
            score,
            &mut text_marks,
        )?;
        let title_matched = hit
            .title
            .as_deref()
            .is_some_and(|t| !title_marks.byte_ranges(t).is_empty());
        let needs_article = (hit.highlights.is_empty() && title_matched) || request.context > 0;
        if !needs_article {
            hits.push(hit);
            continue;
        }
        let passages = article::article_passages(searcher, &index.fields, hit.article_id)?;
        if hit.highlights.is_empty() && title_matched {
            // Every passage carries the title, so any of them matched; the
            // opening says best what the article is about. One per article.
            if hits
                .iter()
                .any(|h| h.article_id == hit.article_id && h.title_only)
            {
                continue;
            }
            if let Some(opening) = passages.first() {
                hit.passage = opening.text.clone();
                hit.line = opening.line;
                hit.passage_no = opening.passage_no;
            }
            hit.title_only = true;
        }
        if request.context > 0 {
            let at = passages
                .iter()
                .position(|p| p.passage_no == hit.passage_no)
                .unwrap_or(0);
            hit.context_before = passages[at.saturating_sub(request.context)..at].to_vec();
            hit.context_after = passages
                .iter()
                .skip(at + 1)
                .take(request.context)
                .cloned()
                .collect();
        }
        hits.push(hit);
    }
    Ok(SearchResults {
        query: request.query.clone(),
        total_hits: prepared.total_hits,
        hits,
        ignored: prepared.parsed.ignored,
    })
}

/// The articles matching `request`, one source each, in the request's order
/// (best or newest first): what `--files` prints. `request.limit` caps the
/// list.
pub fn matching_sources(
    index: &OpenIndex,
    request: &SearchRequest,
) -> Result<(Vec<String>, Vec<String>)> {
    let prepared = Prepared::with_searcher(index, open_searcher(index)?, request)?;
    let picked = prepared.pick(request.limit, 1)?;
    let mut sources = Vec::with_capacity(picked.len());
    for (_, address) in picked {
        let doc: TantivyDocument = prepared.searcher.doc(address)?;
        let source = doc
            .get_first(index.fields.source)
            .and_then(|v| v.as_str())
            .unwrap_or_default();
        sources.push(source.to_string());
    }
    Ok((sources, prepared.parsed.ignored))
}

/// A searcher, the parsed query and its date-restricted forms: what every
/// kind of search starts from.
pub(crate) struct Prepared {
    pub(crate) searcher: Searcher,
    pub(crate) parsed: ParsedQuery,
    pub(crate) all_words: Box<dyn Query>,
    pub(crate) any_words: Box<dyn Query>,
    pub(crate) total_hits: usize,
    ranking: Ranking,
    sort: SortOrder,
}

impl Prepared {
    pub(crate) fn with_searcher(
        index: &OpenIndex,
        searcher: Searcher,
        request: &SearchRequest,
    ) -> Result<Prepared> {
        let parsed = parse_user_query(index, &request.query, request.strict)?;
        let date_query = request.dates.to_query(index.fields.date);
        let all_words = restrict(parsed.all_words.box_clone(), date_query.as_deref());
        let any_words = restrict(parsed.any_words.box_clone(), date_query.as_deref());
        let total_hits = searcher.search(&any_words, &Count)?;
        let ranking = Ranking::new(&searcher, request.sort, request.recency_half_life)?;
        Ok(Prepared {
            searcher,
            parsed,
            all_words,
            any_words,
            total_hits,
            ranking,
            sort: request.sort,
        })
    }

    /// The top passages, at most `per_article` of one article. Relevance
    /// puts passages with every word first; a date order has one tier,
    /// since it ranks the same matches by date alone.
    pub(crate) fn pick(&self, limit: usize, per_article: usize) -> Result<Vec<(f32, DocAddress)>> {
        let mut picker =
            PassagePicker::new(limit.min(self.total_hits), per_article, self.total_hits);
        if self.total_hits > 0 {
            if !self.sort.is_by_date() {
                picker.collect(&self.searcher, &*self.all_words, &self.ranking)?;
            }
            picker.collect(&self.searcher, &*self.any_words, &self.ranking)?;
        }
        Ok(picker.picked)
    }
}

/// One searcher for the whole command, so every count and hit comes from
/// the same snapshot; an empty index is an error that says what to run.
pub(crate) fn open_searcher(index: &OpenIndex) -> Result<Searcher> {
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

/// Picks passages in rank order, at most `per_article` from one article.
struct PassagePicker {
    limit: usize,
    total: usize,
    per_article: usize,
    picked: Vec<(f32, DocAddress)>,
    seen: HashSet<DocAddress>,
    per_article_count: HashMap<u64, usize>,
}

impl PassagePicker {
    fn new(limit: usize, per_article: usize, total: usize) -> PassagePicker {
        PassagePicker {
            limit,
            total,
            per_article,
            picked: Vec::new(),
            seen: HashSet::new(),
            per_article_count: HashMap::new(),
        }
    }

    fn is_full(&self) -> bool {
        self.picked.len() >= self.limit
    }

    /// Offers the query's hits in score order until full or exhausted. The
    /// window of top documents grows geometrically, since grouping by
    /// article may discard many of them.
    fn collect(&mut self, searcher: &Searcher, query: &dyn Query, ranking: &Ranking) -> Result<()> {
        let mut window = self.limit.saturating_mul(4).clamp(64, self.total.max(64));
        while !self.is_full() {
            let top = ranking.top(searcher, query, window)?;
            let exhausted = top.len() < window || window >= self.total;
            for (score, address) in top {
                if self.is_full() {
                    break;
                }
                if !self.seen.insert(address) {
                    continue;
                }
                let article = article_id(searcher, address)?;
                let count = self.per_article_count.entry(article).or_default();
                if *count < self.per_article {
                    *count += 1;
                    self.picked.push((score, address));
                }
            }
            if exhausted {
                break;
            }
            window = window.saturating_mul(4).min(self.total.max(64));
        }
        Ok(())
    }
}

fn article_id(searcher: &Searcher, address: DocAddress) -> Result<u64> {
    let segment = searcher.segment_reader(address.segment_ord);
    let column = segment.fast_fields().u64("article_id")?;
    Ok(column.first(address.doc_id).unwrap_or(u64::MAX))
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
        article_id: number(fields.article_id).unwrap_or(u64::MAX),
        passage_no: number(fields.passage_no).unwrap_or(0),
        rank,
        score,
        date,
        source: text(fields.source).unwrap_or_default(),
        line: number(fields.line).unwrap_or(1),
        title: text(fields.title),
        highlights: highlighter.byte_ranges(&passage),
        passage,
        meta: HitMeta {
            format: text(fields.format),
            date_source: text(fields.date_source),
            date_text: text(fields.date_text),
            url: text(fields.url),
            author: text(fields.author),
            outlet: text(fields.outlet),
            record_id: text(fields.record_id),
            record_line: number(fields.record_line),
        },
        ..Hit::default()
    })
}
