//! Answering a query with ranked passages.
//!
//! One searcher serves a whole command, so hits, counts and highlights come
//! from the same snapshot of the index. Ranking is BM25F over passages and
//! their titles ([`Ranking`]), in two tiers: passages containing every word
//! of the query come first, then passages containing only some. At most
//! `per_article` passages of one article are returned, so a long article
//! cannot fill the page. `--sort newest|oldest` and `--recency` change only
//! the order (`order`); `--files` lists the matching articles instead of
//! passages. [`ArticleRanker`] ranks whole articles the same way for
//! `dateline eval`.

pub mod article;
mod date_filter;
mod dated_phrase;
pub mod facets;
mod highlight;
mod matching;
mod order;
mod page;
mod parallel;
mod passage_kinds;
mod query;
mod rank;
mod term_union;
pub mod timeline;

use std::collections::HashMap;
use std::sync::Arc;

use tantivy::query::Query;
use tantivy::{DocAddress, Searcher};

pub use crate::index::ArticlePassage;
pub use crate::index::stored::ArticleMeta;
pub use date_filter::DateFilter;
pub use facets::ArticleFilter;
pub use highlight::{Highlighter, to_char_ranges};
pub use order::SortOrder;
pub use query::{ParsedQuery, parse_user_query};
pub use rank::{Ranking, ScoredArticle, ScoredPassage, aggregate_articles};
use rank::{ScoredMatches, Top};

use crate::date::{ArticleDate, DatePrecision};
use crate::error::{Error, Result};
use crate::index::OpenIndex;
use crate::index::stored::StoredReader;
use order::PassageOrder;
pub use page::HiddenPassages;
use page::{PickedPage, Stories, first_page, pick_from_matches};
use query::{QueryWord, parse_query_for, restrict, scored_words, widen_with_terms};

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
    /// Only articles with these properties (format, outlet, author).
    pub only: Vec<ArticleFilter>,
    /// Put every match in order, not only those that can reach the page.
    /// The results are the same, only slower: this is for checking exactly
    /// that.
    pub exhaustive: bool,
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
    /// The passage is a block of code.
    pub code: bool,
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
    pub meta: ArticleMeta,
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
    /// Matches passed over while picking the hits, by reason.
    pub hidden: HiddenPassages,
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
    let stories = Stories::new(index, &prepared.searcher);
    // A page shows one article of a story: its hits lie among the matches
    // that score at least the best of the `limit`th best story.
    let story_of = |article_id, address| stories.of_article(article_id, address);
    let top = match request.exhaustive {
        true => Top::Matches(usize::MAX),
        false => Top::Groups(request.limit.max(1), &story_of),
    };
    let (mut matches, order) = prepared.rank(index, top)?;
    let first =
        (order.scored_up_front(&matches)).unwrap_or_else(|| first_page(request.limit, per_article));
    let reader = StoredReader::with_columns(
        &prepared.searcher,
        &index.fields,
        Arc::clone(index.columns()),
    );
    let analyzer = index.analyzer();
    let mut text_marks = Highlighter::for_query(
        &*prepared.parsed.any_words,
        index.fields.text,
        analyzer.clone(),
    );
    let mut title_marks =
        Highlighter::for_query(&*prepared.parsed.any_words, index.fields.title, analyzer);
    // A passage is shown once however it matched (by its title, shown as
    // the article's opening, and by its own words): when that leaves the
    // page short, more matches are picked.
    let mut want = request.limit;
    loop {
        let PickedPage { picked, mut hidden } =
            pick_from_matches(&order, &mut matches, first, want, per_article, |passage| {
                stories.of(passage)
            })?;
        let exhausted = picked.len() < want;
        let mut also_in = stories.also_in(&reader, &index.fields, &mut matches, &picked, &order)?;
        let mut hits: Vec<Hit> = Vec::with_capacity(picked.len());
        let mut shown: HashMap<(u64, u64), usize> = HashMap::new();
        for (pick, (_, ScoredPassage { score, address, .. })) in picked.into_iter().enumerate() {
            let mut hit = load_hit(&reader, address, hits.len() + 1, score, &mut text_marks)?;
            (hit.also_in, hit.also_in_more) = std::mem::take(&mut also_in[pick]);
            let title_matched = hit
                .title
                .as_deref()
                .is_some_and(|t| !title_marks.byte_ranges(t).is_empty());
            let needs_article = (hit.highlights.is_empty() && title_matched) || request.context > 0;
            let passages = if needs_article {
                reader.article_passages(hit.article_id)?
            } else {
                Vec::new()
            };
            if hit.highlights.is_empty() && title_matched {
                // Every passage carries the title, so any of them matched;
                // the opening says best what the article is about. One per
                // article.
                if hits
                    .iter()
                    .any(|h| h.article_id == hit.article_id && h.title_only)
                {
                    hidden.same_article += 1;
                    continue;
                }
                if let Some(opening) = passages.first() {
                    hit.passage = opening.text.clone();
                    hit.line = opening.line;
                    hit.passage_no = opening.passage_no;
                }
                hit.title_only = true;
                hit.code = false;
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
            match shown.get(&(hit.article_id, hit.passage_no)) {
                Some(&at) => {
                    // The same passage again: keep the better place, and
                    // the highlights of a match on its own words.
                    hidden.same_article += 1;
                    let earlier = &mut hits[at];
                    if earlier.title_only && !hit.title_only {
                        earlier.highlights = hit.highlights;
                        earlier.title_only = false;
                    }
                }
                None => {
                    shown.insert((hit.article_id, hit.passage_no), hits.len());
                    hits.push(hit);
                }
            }
        }
        if hits.len() >= request.limit || exhausted {
            hits.truncate(request.limit);
            return Ok(SearchResults {
                query: request.query.clone(),
                total_hits: matches.len(),
                hits,
                ignored: prepared.parsed.ignored,
                hidden,
            });
        }
        want += request.limit - hits.len();
    }
}

/// The articles matching `request`, one source each, in the request's order
/// (best or newest first): what `--files` prints. `request.limit` caps the
/// list.
pub fn matching_sources(
    index: &OpenIndex,
    request: &SearchRequest,
) -> Result<(Vec<String>, Vec<String>)> {
    let prepared = Prepared::with_searcher(index, open_searcher(index)?, request)?;
    // One line a file: the list lies among the matches that score at least
    // the best of the `limit`th best article.
    let top = match request.exhaustive {
        true => Top::Matches(usize::MAX),
        false => Top::Groups(request.limit.max(1), &|article_id, _| article_id),
    };
    let (mut matches, order) = prepared.rank(index, top)?;
    let first = (order.scored_up_front(&matches)).unwrap_or_else(|| first_page(request.limit, 1));
    // Every matching article, near-copies included: `--files` is a list of
    // files, like `rg -l`.
    let PickedPage { picked, .. } =
        pick_from_matches(&order, &mut matches, first, request.limit, 1, |passage| {
            passage.article_id
        })?;
    let reader = StoredReader::new(&prepared.searcher, &index.fields);
    let mut sources = Vec::with_capacity(picked.len());
    for (_, passage) in picked {
        sources.push(reader.article_source(passage.address)?);
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
    words: Vec<QueryWord>,
    ranking: Ranking,
    sort: SortOrder,
    recency_half_life: Option<i64>,
    exhaustive: bool,
}

impl Prepared {
    pub(crate) fn with_searcher(
        index: &OpenIndex,
        searcher: Searcher,
        request: &SearchRequest,
    ) -> Result<Prepared> {
        let titled = index.titled_segments(&searcher).contains(&true);
        let parsed = parse_query_for(index, &request.query, request.strict, titled)?;
        let all_words = request
            .dates
            .restrict_in(parsed.all_words.box_clone(), index);
        let (words, widened) = scored_words(index, &parsed, &request.query);
        let widened = term_union::as_term_union(widened);
        let mut any_words = request.dates.restrict_in(widened, index);
        let mut all_words = all_words;
        if !request.only.is_empty() {
            let only = facets::restriction(&searcher, &index.fields, &*any_words, &request.only)?;
            any_words = restrict(any_words, Some(&*only));
            all_words = restrict(all_words, Some(&*only));
        }
        Ok(Prepared {
            searcher,
            parsed,
            all_words,
            any_words,
            words,
            ranking: request.ranking.clone(),
            sort: request.sort,
            recency_half_life: request.recency_half_life,
            exhaustive: request.exhaustive,
        })
    }

    /// The matching passages, scored, and the request's order. Only what
    /// can reach `first` in a relevance order is scored up front; the rest
    /// is scored if asked for (see [`ScoredMatches`]).
    pub(crate) fn rank(
        &self,
        index: &OpenIndex,
        first: Top,
    ) -> Result<(ScoredMatches, PassageOrder)> {
        let mut words = self.words.clone();
        let top = match (self.sort, self.recency_half_life) {
            (SortOrder::Relevance, None) => Some(first),
            // A boost by date changes every score: score all.
            (SortOrder::Relevance, Some(_)) => None,
            (SortOrder::Newest | SortOrder::Oldest, _) if self.exhaustive => None,
            // A date order scores only the matches it can show
            // (`PassageOrder::candidates`).
            (SortOrder::Newest | SortOrder::Oldest, _) => Some(Top::Matches(0)),
        };
        let mut matches = rank::rank_passages(
            index,
            &self.searcher,
            &*self.any_words,
            Some(&*self.all_words),
            &mut words,
            &self.ranking,
            top,
        )?;
        let order = PassageOrder::new(
            index,
            &self.searcher,
            &mut matches,
            self.sort,
            self.recency_half_life,
        )?;
        Ok((matches, order))
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

/// One article ranked for a query: what `dateline eval` measures.
#[derive(Clone, Debug, PartialEq)]
pub struct RankedArticle {
    /// The article's source (for a test collection, the document id).
    pub source: String,
    /// Its score.
    pub score: f32,
    /// The sources of the other matching articles of its story (its
    /// near-copies), best first: a search shows the story once and names
    /// them under it.
    pub near_copies: Vec<String>,
}

/// Ranks whole articles, query after query, on one snapshot of an index:
/// the same query parsing, date filter and passage scoring as [`search`],
/// with each article scored from its passages ([`aggregate_articles`]) and
/// one article per story of near-copies, as a search shows them. Sources
/// are read once per article and remembered, through one reader for all
/// queries.
pub struct ArticleRanker<'a> {
    index: &'a OpenIndex,
    reader: StoredReader<'a>,
    sources: HashMap<u64, String>,
}

impl<'a> ArticleRanker<'a> {
    /// A ranker on the index's current snapshot; an empty index is an error.
    pub fn new(index: &'a OpenIndex) -> Result<ArticleRanker<'a>> {
        Ok(ArticleRanker {
            index,
            reader: StoredReader::with_columns(
                &open_searcher(index)?,
                &index.fields,
                Arc::clone(index.columns()),
            ),
            sources: HashMap::new(),
        })
    }

    /// The best stories for `query` within `dates`, best first, each as its
    /// best article with its near-copies: as many as hold `limit` articles.
    pub fn rank(
        &mut self,
        query: &str,
        dates: &DateFilter,
        ranking: &Ranking,
        limit: usize,
    ) -> Result<Vec<RankedArticle>> {
        let searcher = self.reader.searcher();
        let articles = rank_articles(self.index, searcher, query, dates, ranking)?;
        let stories = Stories::new(self.index, searcher);
        let mut leaders: HashMap<u64, usize> = HashMap::new();
        let mut grouped: Vec<(ScoredArticle, Vec<ScoredArticle>)> = Vec::new();
        for article in articles {
            match leaders.entry(stories.of_article(article.article_id, article.best)) {
                std::collections::hash_map::Entry::Occupied(leader) => {
                    grouped[*leader.get()].1.push(article);
                }
                std::collections::hash_map::Entry::Vacant(entry) => {
                    entry.insert(grouped.len());
                    grouped.push((article, Vec::new()));
                }
            }
        }
        let mut ranked = Vec::new();
        let mut count = 0;
        for (leader, copies) in grouped {
            if count >= limit {
                break;
            }
            count += 1 + copies.len();
            let near_copies = copies
                .iter()
                .map(|copy| self.source(copy))
                .collect::<Result<Vec<_>>>()?;
            ranked.push(RankedArticle {
                source: self.source(&leader)?,
                score: leader.score,
                near_copies,
            });
        }
        Ok(ranked)
    }

    fn source(&mut self, article: &ScoredArticle) -> Result<String> {
        if let Some(source) = self.sources.get(&article.article_id) {
            return Ok(source.clone());
        }
        let source = self.reader.article_source(article.best)?;
        self.sources.insert(article.article_id, source.clone());
        Ok(source)
    }
}

/// Every article matching `query` within `dates`, best first (see
/// [`ArticleRanker`]).
fn rank_articles(
    index: &OpenIndex,
    searcher: &Searcher,
    query: &str,
    dates: &DateFilter,
    ranking: &Ranking,
) -> Result<Vec<ScoredArticle>> {
    let parsed = parse_user_query(index, query, false)?;
    let (mut words, mut query) = scored_words(index, &parsed, query);
    let all_words = dates.restrict_in(parsed.all_words.box_clone(), index);
    // Every passage, best first: feedback learns from the top, and an
    // article's first passage is its best.
    let ranked = |query: &dyn Query, words: &mut [QueryWord]| -> Result<Vec<ScoredPassage>> {
        let query = dates.restrict_in(query.box_clone(), index);
        let mut matches = rank::rank_passages(
            index,
            searcher,
            &*query,
            Some(&*all_words),
            words,
            ranking,
            None,
        )?;
        let mut passages = matches.all()?;
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
        // Widened before the date restriction, which would make the
        // expansion words required.
        query = widen_with_terms(query, extra);
    }
    let passages = ranked(&*query, &mut words)?;
    Ok(aggregate_articles(&passages, ranking.sibling_weight))
}

fn load_hit(
    reader: &StoredReader,
    address: DocAddress,
    rank: usize,
    score: f32,
    highlighter: &mut Highlighter,
) -> Result<Hit> {
    let passage = reader.passage(address)?;
    // The article's metadata is stored once, on its first passage.
    let article = reader.article(address)?;
    let date = passage.date.map(|timestamp| {
        let precision = article.date_precision.unwrap_or(DatePrecision::Day);
        ArticleDate::from_stored_at(timestamp, precision, article.date_offset)
    });
    Ok(Hit {
        article_id: passage.article_id,
        passage_no: passage.passage_no,
        rank,
        score,
        date,
        source: article.source,
        line: passage.line,
        title: article.title,
        highlights: highlighter.byte_ranges(&passage.text),
        code: reader.is_code(address)?,
        passage: passage.text,
        meta: article.meta,
        ..Hit::default()
    })
}
