//! Scoring passages: BM25F over text and title, with tunable `k1` and `b`,
//! and optional extras, each measured with `dateline eval` (see
//! `docs/relevance.md`): a proximity bonus for query words found near each
//! other, whole-article evidence, stop words left out of the score and RM3
//! pseudo-relevance feedback.
//!
//! tantivy's own BM25 has `k1 = 1.2, b = 0.75` built in and scores fields
//! separately. So tantivy only decides *which* passages match (words,
//! phrases, exclusions, the date range: the user's query semantics stay
//! exactly tantivy's, see [`super::query`]), and the score is computed here
//! from the postings of the query's words and the fieldnorms:
//!
//! - `bm25f`: the passage scorer. BM25F (Robertson & Zaragoza) adds a
//!   word's length-normalised frequencies in text and title *before*
//!   saturating them, which behaves like one field holding title and text
//!   together (Anserini's "flat" index) while still letting the title
//!   weigh more.
//! - `windows`: passage boundaries are a display device (about 120 words,
//!   cut at a sentence end), so an answer may straddle two of them; a
//!   passage may also score as the window it forms with the next passage of
//!   its article ([`Ranking::pair_windows`]).
//! - `articles`: whole-article BM25F ([`Ranking::article_weight`]) and
//!   articles ranked from their passages.
//! - `postings`: the query words' postings read once: a word's idf counts
//!   the articles using it ([`Ranking::article_idf`]), and its frequency
//!   in every match is laid out for scoring.
//! - `feedback`: RM3 expansion words from a first pass.
//! - `scoring`: an article's matching passages scored together, from all
//!   of the above and the code weight.
//! - `prune`: only the articles that can reach the page scored (MaxScore).
//! - `matches`: every match's score, and the best of them made passages
//!   for a page (only those can reach it).

mod articles;
mod bm25f;
mod feedback;
mod matches;
mod postings;
mod prune;
mod scoring;
mod windows;

use serde::Serialize;
use tantivy::query::Query;
use tantivy::{DocAddress, DocId, Searcher};

pub use articles::{ScoredArticle, aggregate_articles};
pub(crate) use feedback::add_feedback_words;
pub(crate) use matches::ScoredMatches;

use std::sync::Arc;

use crate::error::Result;
use crate::index::OpenIndex;
use crate::search::matching::SortedMembership;
use crate::search::parallel::Segments;
use crate::search::query::QueryWord;
use bm25f::{Statistics, bm25_idf};
use postings::{Reading, SegmentWords, count_articles, read_words};
use scoring::{Gathered, Scoring};

/// The ranking knobs. The defaults were measured with `dateline eval` on
/// SciFact (see `docs/relevance.md`) and are sensible for news: no knob is
/// fitted to the test queries.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Ranking {
    /// BM25 term-frequency saturation.
    pub k1: f32,
    /// BM25 length normalisation (0 = none, 1 = full).
    pub b: f32,
    /// Passages shorter than this fraction of the average passage are
    /// normalised as if they had that length, so a two-word fragment cannot
    /// outrank real paragraphs through length normalisation alone.
    pub length_floor: f32,
    /// How much a word in the title counts against one in the text.
    pub title_weight: f32,
    /// Weight of the bonus for pairs of adjacent query words found within
    /// `proximity_window` positions of each other; 0 turns it off.
    pub proximity_weight: f32,
    /// The largest distance, in words, at which a pair still counts as near.
    pub proximity_window: u32,
    /// Whether stop words of the query are left out of the score (they
    /// still count for matching, so phrases stay exact).
    pub skip_stop_words: bool,
    /// Whether passages with every word of the query rank above all others.
    pub all_words_first: bool,
    /// Whether a word's idf counts the *articles* using it (in the text or
    /// the title) rather than the passages. A word a long article repeats
    /// in each of its paragraphs is still used by one article, so it is
    /// not made to look common by how the articles are split.
    pub article_idf: bool,
    /// Whether a passage may score as the window it forms with an adjacent
    /// passage of its article (both matching), scored like one passage of
    /// their combined length; the window's score goes to the stronger of
    /// the two, which is the one shown.
    pub pair_windows: bool,
    /// Article score = best passage + this × the sum of its other passages.
    pub sibling_weight: f32,
    /// Passage score = (1 − this) × its own score + this × BM25F of its
    /// whole article (the article's passages' frequencies summed, the
    /// article normalised by its own length); 0 = the passage alone.
    pub article_weight: f32,
    /// BM25 length normalisation of whole articles (against the average
    /// article), for [`Ranking::article_weight`].
    pub article_b: f32,
    /// RM3 feedback: how many top articles to learn expansion words from; 0
    /// turns feedback off.
    pub feedback_docs: usize,
    /// RM3 feedback: how many expansion words to add.
    pub feedback_terms: usize,
    /// RM3 feedback: the weight of the original query against the expansion.
    pub feedback_original_weight: f32,
}

impl Default for Ranking {
    fn default() -> Self {
        Ranking {
            k1: 1.2,
            b: 0.9,
            length_floor: 0.5,
            title_weight: 2.0,
            proximity_weight: 0.0,
            proximity_window: 4,
            skip_stop_words: false,
            all_words_first: false,
            article_idf: true,
            pair_windows: true,
            sibling_weight: 0.0,
            article_weight: 0.4,
            article_b: 0.4,
            feedback_docs: 0,
            feedback_terms: 10,
            feedback_original_weight: 0.5,
        }
    }
}

/// What a first, pruned pass over the matches scores exactly (see
/// [`prune`]); the other matches are scored when asked for.
#[derive(Clone, Copy)]
pub(crate) enum Top<'a> {
    /// The best `n` matches, and every match tied with the last.
    Matches(usize),
    /// Every match that scores at least the best match of the `n`th best
    /// group, articles grouped by `group` (of an article's id and the
    /// address of one of its passages). A page that shows one article of a
    /// group (a story's near-copies once, or a file once) finds its first
    /// `n` hits among them, and every match it passes over before its last.
    Groups(usize, &'a (dyn Fn(u64, DocAddress) -> u64 + Sync)),
}

/// A passage with its score.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ScoredPassage {
    /// The passage's document.
    pub address: DocAddress,
    /// The article it belongs to.
    pub article_id: u64,
    /// Its score.
    pub score: f32,
    /// 1 when it matched the all-words form of the query (and that rule is
    /// on), else 0; higher tiers rank first.
    pub tier: u8,
}

/// Scores the passages matching `any_words` (and says which also match
/// `all_words`): every one of them, or with `top`, only the articles that
/// can reach it ([`prune`]), the others when asked for (see
/// [`ScoredMatches`]).
pub(crate) fn rank_passages(
    index: &OpenIndex,
    searcher: &Searcher,
    any_words: &dyn Query,
    all_words: Option<&dyn Query>,
    words: &mut [QueryWord],
    ranking: &Ranking,
    top: Option<Top>,
) -> Result<ScoredMatches> {
    let fields = &index.fields;
    let segments = Segments::of(searcher);
    let matched = segments.matching(searcher, any_words)?;
    let top_tier: Vec<Vec<DocId>> = match all_words {
        Some(query) if ranking.all_words_first => segments.matching(searcher, query)?,
        _ => Vec::new(),
    };
    let titled = index.titled_segments(searcher);
    let stats = Statistics::of(searcher, fields, &titled)?;
    let spans = index.article_spans(searcher)?;
    let article_count = match ranking.article_idf || ranking.article_weight > 0.0 {
        true => Some(count_articles(&spans)),
        false => None,
    };
    let count_in_articles = ranking.article_idf && article_count.is_some();
    let counted = index.word_articles(searcher);
    let segment_words: Vec<SegmentWords> = (searcher.segment_readers().iter())
        .zip(&spans)
        .zip(&titled)
        .zip(&counted)
        .map(|(((segment, spans), &titled), counted)| SegmentWords {
            segment,
            spans,
            titled,
            counted: counted.as_deref(),
        })
        .collect();
    let reading = Reading {
        count_articles: count_in_articles,
        mark_articles: top.is_some() && prune::goes_by_articles(words, ranking),
    };
    let postings = read_words(fields, words, &segment_words, &matched, reading, segments)?;
    match article_count {
        Some(count) if ranking.article_idf => {
            for (word, &articles) in words.iter_mut().zip(&postings.articles) {
                word.idf = bm25_idf(count as f32, articles as f32);
            }
        }
        _ => {
            for word in words.iter_mut() {
                let mut doc_freq = 0;
                for term in [&word.text_term, &word.title_term].into_iter().flatten() {
                    doc_freq = doc_freq.max(searcher.doc_freq(term)?);
                }
                word.idf = stats.idf(doc_freq);
            }
        }
    }
    let mut tiers = Vec::new();
    if ranking.all_words_first {
        for (segment, docs) in matched.iter().enumerate() {
            let mut in_top_tier =
                SortedMembership::new(top_tier.get(segment).map_or(&[], Vec::as_slice));
            tiers.extend(docs.iter().map(|&doc| u8::from(in_top_tier.contains(doc))));
        }
    }
    let gathered = Gathered {
        stats,
        spans,
        frequencies: postings.frequencies,
        article_count,
        columns: Arc::clone(index.columns()),
        segments,
    };
    let scoring = Scoring::new(searcher, fields, words, ranking, gathered);
    let mut matches = ScoredMatches::new(searcher, matched, tiers, scoring);
    let fewer = |n: usize| n < matches.len();
    match top {
        // Nothing up front: the matches are scored as asked for.
        Some(Top::Matches(0)) => {}
        Some(top @ (Top::Matches(n) | Top::Groups(n, _)))
            if fewer(n) && prune::applies(&matches) =>
        {
            prune::score_best(&mut matches, top)?;
        }
        _ => matches.score_all()?,
    }
    Ok(matches)
}

/// Sorts passages best first: tier, score, then the earlier document.
/// Addresses are unique, so the order is total and an unstable sort gives
/// the same result as a stable one, faster. (Searches order only the page
/// they show, see `order::PassageOrder::arrange`.)
pub(crate) fn sort_best_first(passages: &mut [ScoredPassage]) {
    passages.sort_unstable_by(|a, b| {
        b.tier
            .cmp(&a.tier)
            .then(b.score.total_cmp(&a.score))
            .then(a.address.cmp(&b.address))
    });
}
