//! Answering a query with ranked passages.
//!
//! One searcher serves a whole command, so hits, counts and highlights come
//! from the same snapshot of the index. Ranking is BM25F over passages and
//! their titles ([`Ranking`]), in two tiers: passages containing every word
//! of the query come first, then passages containing only some. At most
//! `per_article` passages of one article are returned, so a long article
//! cannot fill the page. `--sort newest|oldest` and `--recency` change only
//! the order (`order`); `--files` lists the matching articles instead of
//! passages. [`rank_articles`] ranks whole articles the same way for
//! `dateline eval`.

mod article;
mod date_filter;
mod highlight;
mod matching;
mod order;
mod query;
mod rank;
pub mod timeline;

use std::collections::{HashMap, HashSet};

use tantivy::columnar::Column;
use tantivy::query::{BooleanQuery, Occur, Query};
use tantivy::schema::Value;
use tantivy::{DocAddress, Searcher, TantivyDocument};

pub use article::ArticlePassage;
pub use date_filter::DateFilter;
pub use highlight::{Highlighter, to_char_ranges};
use order::PassageOrder;
pub use order::SortOrder;
pub use query::{ParsedQuery, parse_user_query};
pub use rank::{Ranking, ScoredArticle, ScoredPassage, aggregate_articles};

use crate::date::{ArticleDate, DatePrecision};
use crate::error::{Error, Result};
use crate::index::{ANALYZER_NAME, DatelineSchema, OpenIndex, article_document, english_analyzer};
use rank::QueryWord;

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
    /// How passages are scored.
    pub ranking: Ranking,
}

/// One ranked passage.
#[derive(Clone, Debug, Default, PartialEq)]
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
    /// The article this passage belongs to.
    pub article_id: u64,
    /// The passage's position in its article, from 0.
    pub passage_no: u64,
    /// Only the title matched: `passage` is the article's opening, with no
    /// highlights.
    pub title_only: bool,
    /// Other matching articles of the same story (near-copies of this
    /// article), best first, at most five.
    pub also_in: Vec<String>,
    /// How many more near-copies matched than `also_in` names.
    pub also_in_more: usize,
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
    let per_article = request.per_article.max(1);
    let first = first_page(request.limit, per_article);
    let (mut ranked, order) = prepared.rank(first)?;
    let stories = Stories::new(&prepared.searcher);
    let picked = pick_page(
        &order,
        &mut ranked,
        first,
        request.limit,
        per_article,
        |passage| stories.of(passage),
    );
    let searcher = &prepared.searcher;
    let mut also_in = stories.also_in(searcher, &index.fields, &ranked, &picked, &order)?;
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
    for (pick, (_, ScoredPassage { score, address, .. })) in picked.into_iter().enumerate() {
        let mut hit = load_hit(
            index,
            searcher,
            address,
            hits.len() + 1,
            score,
            &mut text_marks,
        )?;
        (hit.also_in, hit.also_in_more) = std::mem::take(&mut also_in[pick]);
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
        total_hits: ranked.len(),
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
    let first = first_page(request.limit, 1);
    let (mut ranked, order) = prepared.rank(first)?;
    // Every matching article, near-copies included: `--files` is a list of
    // files, like `rg -l`.
    let picked = pick_page(&order, &mut ranked, first, request.limit, 1, |passage| {
        passage.article_id
    });
    let mut sources = Vec::with_capacity(picked.len());
    for (_, passage) in picked {
        let doc = article_document(&prepared.searcher, &index.fields, passage.address)?;
        let source = doc
            .get_first(index.fields.source)
            .and_then(|v| v.as_str())
            .unwrap_or_default();
        sources.push(source.to_string());
    }
    Ok((sources, prepared.parsed.ignored))
}

/// A searcher, the parsed query and its date-restricted forms: what every
/// kind of search starts from. `any_words` is the query that decides which
/// passages match (bare compound words widened to their parts, see
/// [`rank`]), so `search`, `--files` and `timeline` agree on the matches.
pub(crate) struct Prepared {
    pub(crate) searcher: Searcher,
    pub(crate) parsed: ParsedQuery,
    pub(crate) all_words: Box<dyn Query>,
    pub(crate) any_words: Box<dyn Query>,
    fields: DatelineSchema,
    words: Vec<QueryWord>,
    ranking: Ranking,
    sort: SortOrder,
    recency_half_life: Option<i64>,
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
        let (words, widened) = scored_words(index, &parsed, &request.query);
        let any_words = restrict(widened, date_query.as_deref());
        Ok(Prepared {
            searcher,
            parsed,
            all_words,
            any_words,
            fields: index.fields.clone(),
            words,
            ranking: request.ranking.clone(),
            sort: request.sort,
            recency_half_life: request.recency_half_life,
        })
    }

    /// Every matching passage, scored, the first `first` of them in the
    /// request's order (see [`PassageOrder::arrange`]), and that order.
    pub(crate) fn rank(&self, first: usize) -> Result<(Vec<ScoredPassage>, PassageOrder)> {
        let mut words = self.words.clone();
        let mut ranked = rank::rank_passages(
            &self.searcher,
            &self.fields,
            &*self.any_words,
            Some(&*self.all_words),
            &mut words,
            &self.ranking,
        )?;
        let order = PassageOrder::new(
            &self.searcher,
            &mut ranked,
            self.sort,
            self.recency_half_life,
        )?;
        order.arrange(&mut ranked, first);
        Ok((ranked, order))
    }
}

/// One searcher for the whole command, so every count and hit comes from
/// the same snapshot; an empty index is an error that says what to run.
pub(crate) fn open_searcher(index: &OpenIndex) -> Result<Searcher> {
    let searcher = index.snapshot()?;
    if searcher.num_docs() == 0 {
        return Err(Error::EmptyIndex(index.path.clone()));
    }
    Ok(searcher)
}

/// The words the ranker scores, and the query that decides which passages
/// match: bare compound words widened to their parts (see [`rank`]).
fn scored_words(
    index: &OpenIndex,
    parsed: &ParsedQuery,
    query_text: &str,
) -> (Vec<QueryWord>, Box<dyn Query>) {
    let mut words = rank::query_words(&*parsed.any_words, &index.fields);
    rank::mark_stop_words(&mut words, query_text, index.language);
    let widened = rank::widen_bare_words(
        parsed.any_words.box_clone(),
        &words,
        query_text,
        index.language,
    );
    (words, widened)
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
    let (mut words, mut query) = scored_words(index, &parsed, query);
    // Every passage, best first: feedback learns from the top, and an
    // article's first passage is its best.
    let ranked = |query: &dyn Query, words: &mut [QueryWord]| -> Result<Vec<ScoredPassage>> {
        let mut passages = rank::rank_passages(
            searcher,
            &index.fields,
            query,
            Some(&*parsed.all_words),
            words,
            ranking,
        )?;
        rank::sort_best_first(&mut passages);
        Ok(passages)
    };
    if ranking.feedback_docs > 0 {
        let first_pass = ranked(&*query, &mut words)?;
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
    let passages = ranked(&*query, &mut words)?;
    let mut articles = aggregate_articles(&passages, ranking.sibling_weight);
    articles.truncate(limit);
    Ok(articles)
}

/// How many of the matches are put in order before picking a page of
/// `limit` hits: enough that near-copies and `per_article` rarely make
/// [`pick_page`] order more.
fn first_page(limit: usize, per_article: usize) -> usize {
    limit
        .saturating_mul(per_article)
        .saturating_mul(8)
        .max(1000)
}

/// [`pick_passages`] over `ranked`, whose first `arranged` passages are in
/// `order`; when they do not fill the page (too many near-copies or
/// passages of one article), more of `ranked` is put in order.
fn pick_page(
    order: &PassageOrder,
    ranked: &mut [ScoredPassage],
    mut arranged: usize,
    limit: usize,
    per_article: usize,
    story_of: impl Fn(&ScoredPassage) -> u64,
) -> Vec<(usize, ScoredPassage)> {
    loop {
        let prefix = &ranked[..arranged.min(ranked.len())];
        let picked = pick_passages(prefix, limit, per_article, &story_of);
        if picked.len() >= limit || arranged >= ranked.len() {
            return picked;
        }
        arranged = arranged.saturating_mul(8);
        order.arrange(ranked, arranged);
    }
}

/// Takes passages in order, at most `per_article` from one article, so one
/// long article cannot fill the page. Articles are grouped by `story_of`
/// (near-copies of one wire story): only the best article of a group is
/// shown, the others are named beside it. Returns each pick with its
/// position in `ranked`.
fn pick_passages(
    ranked: &[ScoredPassage],
    limit: usize,
    per_article: usize,
    story_of: impl Fn(&ScoredPassage) -> u64,
) -> Vec<(usize, ScoredPassage)> {
    let mut leader: HashMap<u64, u64> = HashMap::new();
    let mut per_article_count: HashMap<u64, usize> = HashMap::new();
    let mut picked = Vec::new();
    for (at, passage) in ranked.iter().enumerate() {
        if picked.len() >= limit {
            break;
        }
        let article = passage.article_id;
        if *leader.entry(story_of(passage)).or_insert(article) != article {
            continue;
        }
        let count = per_article_count.entry(article).or_default();
        if *count < per_article {
            *count += 1;
            picked.push((at, *passage));
        }
    }
    picked
}

/// How many near-copies of a hit are named in its `also_in`.
const ALSO_IN_SHOWN: usize = 5;

/// The story (near-copy group, see `index::near_duplicates`) of ranked
/// passages, read from the `story` fast field.
struct Stories {
    /// Each segment's `story` column, by segment ordinal.
    columns: Vec<Option<Column<u64>>>,
}

impl Stories {
    fn new(searcher: &Searcher) -> Stories {
        let columns = searcher
            .segment_readers()
            .iter()
            .map(|segment| segment.fast_fields().u64("story").ok())
            .collect();
        Stories { columns }
    }

    /// The passage's story; an article outside any story is its own.
    fn of(&self, passage: &ScoredPassage) -> u64 {
        self.columns
            .get(passage.address.segment_ord as usize)
            .and_then(Option::as_ref)
            .and_then(|column| column.first(passage.address.doc_id))
            .unwrap_or(passage.article_id)
    }

    /// For each picked passage, the sources of the other matching articles
    /// in its story, best first: up to [`ALSO_IN_SHOWN`] of them, and how
    /// many more there are. One pass over the matches serves the whole
    /// page; `ranked` need not be in order beyond the page.
    fn also_in(
        &self,
        searcher: &Searcher,
        fields: &DatelineSchema,
        ranked: &[ScoredPassage],
        picked: &[(usize, ScoredPassage)],
        order: &PassageOrder,
    ) -> Result<Vec<(Vec<String>, usize)>> {
        // A page holds a handful of stories: a list beats hashing every match.
        let mut members: Vec<(u64, Vec<ScoredPassage>)> = Vec::new();
        for (_, passage) in picked {
            let story = self.of(passage);
            if !members.iter().any(|(s, _)| *s == story) {
                members.push((story, Vec::new()));
            }
        }
        for passage in ranked {
            let story = self.of(passage);
            if let Some((_, list)) = members.iter_mut().find(|(s, _)| *s == story) {
                list.push(*passage);
            }
        }
        for (_, list) in &mut members {
            list.sort_unstable_by(|a, b| order.compare(a, b));
        }
        let mut answers = Vec::with_capacity(picked.len());
        for (_, passage) in picked {
            let story = self.of(passage);
            let list = members
                .iter()
                .find(|(s, _)| *s == story)
                .map_or(&[][..], |(_, list)| list.as_slice());
            let mut seen = HashSet::from([passage.article_id]);
            let mut sources = Vec::new();
            let mut more = 0;
            for other in list {
                if !seen.insert(other.article_id) {
                    continue;
                }
                if sources.len() == ALSO_IN_SHOWN {
                    more += 1;
                    continue;
                }
                let doc = article_document(searcher, fields, other.address)?;
                if let Some(source) = doc.get_first(fields.source).and_then(|v| v.as_str()) {
                    sources.push(source.to_string());
                }
            }
            answers.push((sources, more));
        }
        Ok(answers)
    }
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
    // The article's metadata is stored once, on its first passage.
    let article = article_document(searcher, fields, address)?;
    let text = |field| {
        doc.get_first(field)
            .and_then(|v| v.as_str())
            .map(str::to_string)
    };
    let number = |field| doc.get_first(field).and_then(|v| v.as_u64());
    let article_text = |field| {
        article
            .get_first(field)
            .and_then(|v| v.as_str())
            .map(str::to_string)
    };
    let date = doc
        .get_first(fields.date)
        .and_then(|v| v.as_i64())
        .map(|timestamp| {
            let precision = match article
                .get_first(fields.date_precision)
                .and_then(|v| v.as_u64())
            {
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
        source: article_text(fields.source).unwrap_or_default(),
        line: number(fields.line).unwrap_or(1),
        title: article_text(fields.title_text),
        highlights: highlighter.byte_ranges(&passage),
        passage,
        meta: HitMeta {
            format: article_text(fields.format),
            date_source: article_text(fields.date_source),
            date_text: article_text(fields.date_text),
            url: article_text(fields.url),
            author: article_text(fields.author),
            outlet: article_text(fields.outlet),
            record_id: article_text(fields.record_id),
            record_line: article
                .get_first(fields.record_line)
                .and_then(|v| v.as_u64()),
        },
        ..Hit::default()
    })
}
