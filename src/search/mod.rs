//! Answering a query with ranked passages.
//!
//! One searcher serves a whole command, so hits, counts and highlights come
//! from the same snapshot of the index. Ranking is BM25 over passages, in two
//! tiers: passages containing every word of the query come first, then
//! passages containing only some. At most `per_article` passages of one
//! article are returned, so a long article cannot fill the page.

mod date_filter;
mod highlight;
mod query;

use std::collections::{HashMap, HashSet};

use tantivy::collector::{Count, TopDocs};
use tantivy::query::{BooleanQuery, Occur, Query};
use tantivy::schema::Value;
use tantivy::snippet::SnippetGenerator;
use tantivy::{DocAddress, ReloadPolicy, Searcher, TantivyDocument};

pub use date_filter::DateFilter;
pub use highlight::to_char_ranges;
pub use query::{ParsedQuery, parse_user_query};

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
    let reader = index
        .index
        .reader_builder()
        .reload_policy(ReloadPolicy::Manual)
        .try_into()?;
    let searcher = reader.searcher();
    if searcher.num_docs() == 0 {
        return Err(Error::EmptyIndex(index.path.clone()));
    }
    let parsed = parse_user_query(index, &request.query, request.strict)?;
    let date_query = request.dates.to_query(index.fields.date);
    let all_words = restrict(parsed.all_words.box_clone(), date_query.as_ref());
    let any_words = restrict(parsed.any_words.box_clone(), date_query.as_ref());

    let total_hits = searcher.search(&any_words, &Count)?;
    let mut picker = PassagePicker::new(request.limit, request.per_article.max(1));
    if total_hits > 0 {
        picker.collect(&searcher, &*all_words)?;
        picker.collect(&searcher, &*any_words)?;
    }

    let generator = SnippetGenerator::create(&searcher, &*parsed.any_words, index.fields.text)?;
    let mut highlighter = Highlighter::new(generator);
    let hits = picker
        .picked
        .iter()
        .enumerate()
        .map(|(i, &(score, address))| {
            load_hit(index, &searcher, address, i + 1, score, &mut highlighter)
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(SearchResults {
        query: request.query.clone(),
        total_hits,
        hits,
        ignored: parsed.ignored,
    })
}

/// Adds the date filter, when there is one, as a required clause.
fn restrict(text_query: Box<dyn Query>, dates: Option<&Box<dyn Query>>) -> Box<dyn Query> {
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
    per_article: usize,
    picked: Vec<(f32, DocAddress)>,
    seen: HashSet<DocAddress>,
    per_article_count: HashMap<u64, usize>,
}

impl PassagePicker {
    fn new(limit: usize, per_article: usize) -> PassagePicker {
        PassagePicker {
            limit,
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
    fn collect(&mut self, searcher: &Searcher, query: &dyn Query) -> Result<()> {
        let mut window = (self.limit * 4).max(64);
        while !self.is_full() {
            let top = searcher.search(query, &TopDocs::with_limit(window).order_by_score())?;
            let exhausted = top.len() < window;
            let mut tied = sort_ties(top);
            for (score, address) in tied.drain(..) {
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
            window *= 4;
        }
        Ok(())
    }
}

/// Orders equal scores by document address, so results are repeatable.
fn sort_ties(mut top: Vec<(f32, DocAddress)>) -> Vec<(f32, DocAddress)> {
    top.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    top
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
    })
}
