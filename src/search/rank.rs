//! Scoring passages: BM25F over text and title, with tunable `k1` and `b`;
//! optional extras, each measured with `dateline eval` (README,
//! "Relevance"): a proximity bonus for query words found near each other,
//! whole-article evidence, stop words left out of the score and RM3
//! pseudo-relevance feedback.
//!
//! Passage boundaries are a display device (about 120 words, cut at a
//! sentence end), so an answer may straddle two of them. A passage may
//! therefore also score as the window it forms with the next passage of
//! its article, when that window scores higher ([`Ranking::pair_windows`]).
//! Windows are scored like a passage of their combined length, so a
//! neighbour without the query's words only dilutes: an article is never
//! penalised, nor helped, for the passages around the one that answers.
//!
//! A word's idf counts the articles using it, not the passages
//! ([`Ranking::article_idf`]): how an article is split must not make its
//! words look common.
//!
//! tantivy's own BM25 has `k1 = 1.2, b = 0.75` built in and scores fields
//! separately. So tantivy only decides *which* passages match (words,
//! phrases, exclusions, the date range: the user's query semantics stay
//! exactly tantivy's), and the score is computed here from the postings of
//! the query's words. BM25F (Robertson & Zaragoza) adds a word's
//! length-normalised frequencies in text and title *before* saturating them,
//! which behaves like one field holding title and text together (Anserini's
//! "flat" index) while still letting the title weigh more.

use std::collections::{HashMap, HashSet};

use serde::Serialize;
use tantivy::postings::{Postings, SegmentPostings};
use tantivy::query::{BooleanQuery, Occur, Query, TermQuery};
use tantivy::schema::IndexRecordOption;
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{DocAddress, DocId, DocSet, Searcher, TERMINATED, Term};

use crate::error::Result;
use crate::index::{DatelineSchema, analyzer, analyzer_without_stop_words};
use crate::search::matching::{MatchingDocs, SortedMembership};

/// The ranking knobs. The defaults are what the README's "Relevance"
/// section justifies: measured with `dateline eval` on SciFact, and
/// sensible for news (no knob fitted to the test queries).
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
    /// whole article (the article's passages' frequencies summed); 0 = off.
    pub article_weight: f32,
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
            title_weight: 1.0,
            proximity_weight: 0.0,
            proximity_window: 4,
            skip_stop_words: false,
            all_words_first: true,
            article_idf: true,
            pair_windows: true,
            sibling_weight: 0.0,
            article_weight: 0.0,
            feedback_docs: 0,
            feedback_terms: 10,
            feedback_original_weight: 0.5,
        }
    }
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

/// One word of the query as scored: its terms in the text and title fields.
#[derive(Clone, Debug)]
pub(crate) struct QueryWord {
    pub(crate) text: String,
    text_term: Option<Term>,
    title_term: Option<Term>,
    /// How often it occurs in the query (or its feedback weight).
    pub(crate) weight: f32,
    idf: f32,
    stop: bool,
}

impl QueryWord {
    /// The word's terms in the text and title fields.
    pub(crate) fn terms(&self) -> Vec<Term> {
        [&self.text_term, &self.title_term]
            .into_iter()
            .flatten()
            .cloned()
            .collect()
    }
}

/// The words of `query` that can match a passage, in query order, without
/// those under a `-` (they never match a hit) or in other fields.
pub(crate) fn query_words(query: &dyn Query, fields: &DatelineSchema) -> Vec<QueryWord> {
    let mut terms = Vec::new();
    visit_terms(query, &mut terms);
    let mut words: Vec<QueryWord> = Vec::new();
    let mut counts: HashMap<String, (f32, f32)> = HashMap::new();
    for term in terms {
        let Some(text) = term.value().as_str().map(str::to_string) else {
            continue;
        };
        let is_text = term.field() == fields.text;
        if !is_text && term.field() != fields.title {
            continue;
        }
        let position = match words.iter().position(|w| w.text == text) {
            Some(position) => position,
            None => {
                words.push(QueryWord {
                    text: text.clone(),
                    text_term: None,
                    title_term: None,
                    weight: 0.0,
                    idf: 0.0,
                    stop: false,
                });
                words.len() - 1
            }
        };
        let word = &mut words[position];
        let count = counts.entry(text).or_default();
        if is_text {
            word.text_term = Some(term);
            count.0 += 1.0;
        } else {
            word.title_term = Some(term);
            count.1 += 1.0;
        }
        word.weight = count.0.max(count.1);
    }
    words
}

fn visit_terms(query: &dyn Query, out: &mut Vec<Term>) {
    if let Some(boolean) = query.downcast_ref::<BooleanQuery>() {
        for (occur, clause) in boolean.clauses() {
            if *occur != Occur::MustNot {
                visit_terms(clause.as_ref(), out);
            }
        }
    } else {
        query.query_terms(&mut |term, _| out.push(term.clone()));
    }
}

/// Marks the words that are stop words of `language` in `query_text`, by
/// analysing it with and without the stop-word filter: what only the first
/// yields is a stop word, in the same stemmed form as the index terms.
pub(crate) fn mark_stop_words(
    words: &mut [QueryWord],
    query_text: &str,
    language: tantivy::tokenizer::Language,
) {
    let Some(mut without) = analyzer_without_stop_words(language) else {
        return;
    };
    let kept = tokens(&mut without, query_text);
    let all = tokens(&mut analyzer(language), query_text);
    for word in words.iter_mut() {
        word.stop = all.contains(&word.text) && !kept.contains(&word.text);
    }
    // A query of stop words only ("to be or not to be") keeps them all.
    if words.iter().all(|w| w.stop) {
        words.iter_mut().for_each(|w| w.stop = false);
    }
}

pub(crate) fn tokens(analyzer: &mut TextAnalyzer, text: &str) -> HashSet<String> {
    let mut stream = analyzer.token_stream(text);
    let mut out = HashSet::new();
    while stream.advance() {
        out.insert(stream.token().text.clone());
    }
    out
}

/// Collection statistics for BM25F.
struct Statistics {
    docs: f32,
    avg_text: f32,
    avg_title: f32,
}

impl Statistics {
    fn of(searcher: &Searcher, fields: &DatelineSchema) -> Result<Statistics> {
        let mut docs = 0u64;
        let mut text_tokens = 0u64;
        let mut title_tokens = 0u64;
        for segment in searcher.segment_readers() {
            docs += u64::from(segment.max_doc());
            text_tokens += segment.inverted_index(fields.text)?.total_num_tokens();
            title_tokens += segment.inverted_index(fields.title)?.total_num_tokens();
        }
        let docs = docs.max(1) as f32;
        Ok(Statistics {
            docs,
            avg_text: (text_tokens as f32 / docs).max(1.0),
            avg_title: (title_tokens as f32 / docs).max(1.0),
        })
    }

    /// BM25's idf over passages.
    fn idf(&self, doc_freq: u64) -> f32 {
        bm25_idf(self.docs, doc_freq as f32)
    }
}

/// BM25's idf of a word found in `df` of `docs` units, never negative
/// (Lucene's form).
fn bm25_idf(docs: f32, df: f32) -> f32 {
    (1.0 + (docs - df + 0.5) / (df + 0.5)).ln()
}

/// How many articles the index holds: each has exactly one passage 0, and
/// `passage_no` is indexed so that is one term's document frequency. Like
/// tantivy's own BM25 statistics it still counts deleted documents until
/// their segment is merged; a full scan instead cost every query a pass
/// over the whole index.
fn count_articles(searcher: &Searcher, fields: &DatelineSchema) -> Result<u64> {
    let first_passages = Term::from_field_u64(fields.passage_no, 0);
    Ok(searcher.doc_freq(&first_passages)?.max(1))
}

/// In how many articles each word occurs, in the text or the title. An
/// article's passages are consecutive documents of one segment, in reading
/// order (the writer adds each article in one batch, `index::writer`), so
/// a passage's article starts `passage_no` documents before it: walking a
/// word's postings in doc order, a posting opens a new article exactly
/// when the previous one lies before that start. That reads only the small
/// `passage_no` column (opened once per segment, not once per word), and
/// builds, sorts and hashes no set of article ids.
fn articles_with(
    searcher: &Searcher,
    fields: &DatelineSchema,
    words: &[QueryWord],
) -> Result<Vec<u64>> {
    let mut articles = vec![0; words.len()];
    for segment in searcher.segment_readers() {
        let numbers = segment.fast_fields().u64("passage_no")?;
        let alive = segment.alive_bitset();
        let (text, title) = (
            segment.inverted_index(fields.text)?,
            segment.inverted_index(fields.title)?,
        );
        for (word, count) in words.iter().zip(&mut articles) {
            let mut postings = Vec::new();
            for (term, index) in [(&word.text_term, &text), (&word.title_term, &title)] {
                if let Some(term) = term {
                    postings.extend(index.read_postings(term, IndexRecordOption::Basic)?);
                }
            }
            let mut last: Option<DocId> = None;
            loop {
                // The union of the text and title postings, in doc order.
                let doc = postings.iter().map(|p| p.doc()).min().unwrap_or(TERMINATED);
                if doc == TERMINATED {
                    break;
                }
                if alive.is_none_or(|bits| bits.is_alive(doc)) {
                    let start = doc.saturating_sub(numbers.first(doc).unwrap_or(0) as DocId);
                    if last.is_none_or(|last| last < start) {
                        *count += 1;
                    }
                    last = Some(doc);
                }
                for p in postings.iter_mut().filter(|p| p.doc() == doc) {
                    p.advance();
                }
            }
        }
    }
    Ok(articles)
}

/// Scores every passage matching `any_words` (and says which also match
/// `all_words`), in no particular order (see [`sort_best_first`]).
pub(crate) fn rank_passages(
    searcher: &Searcher,
    fields: &DatelineSchema,
    any_words: &dyn Query,
    all_words: Option<&dyn Query>,
    words: &mut [QueryWord],
    ranking: &Ranking,
) -> Result<Vec<ScoredPassage>> {
    let article_weight = ranking.article_weight.clamp(0.0, 1.0);
    let mut articles: Option<HashMap<u64, ArticleFrequencies>> =
        (article_weight > 0.0).then(HashMap::new);
    let matched = searcher.search(any_words, &MatchingDocs)?;
    let top_tier: Vec<Vec<DocId>> = match all_words {
        Some(query) if ranking.all_words_first => searcher.search(query, &MatchingDocs)?,
        _ => Vec::new(),
    };
    let stats = Statistics::of(searcher, fields)?;
    let article_count = match ranking.article_idf {
        true => Some(count_articles(searcher, fields)? as f32),
        false => None,
    };
    match article_count {
        Some(count) => {
            let with = articles_with(searcher, fields, words)?;
            for (word, articles) in words.iter_mut().zip(with) {
                word.idf = bm25_idf(count, articles as f32);
            }
        }
        None => {
            for word in words.iter_mut() {
                let mut doc_freq = 0;
                for term in [&word.text_term, &word.title_term].into_iter().flatten() {
                    doc_freq = doc_freq.max(searcher.doc_freq(term)?);
                }
                word.idf = stats.idf(doc_freq);
            }
        }
    }
    let mut scored = Vec::with_capacity(matched.iter().map(Vec::len).sum());
    let mut windows = ranking.pair_windows.then(|| PairWindows::new(words.len()));
    for (segment_ord, docs) in matched.iter().enumerate() {
        if docs.is_empty() {
            continue;
        }
        let segment_ord = segment_ord as u32;
        let mut in_top_tier = SortedMembership::new(
            top_tier
                .get(segment_ord as usize)
                .map_or(&[], Vec::as_slice),
        );
        let scorer = SegmentScorer::new(searcher, segment_ord, fields, words, ranking, &stats)?;
        scorer.score(docs, &mut |scored_doc| {
            let &ScoredDoc {
                doc,
                article_id,
                score,
                frequencies,
                title_tf,
                text_len,
                passage_no,
                title_len,
            } = scored_doc;
            if let Some(windows) = windows.as_mut() {
                windows.push(frequencies, title_tf, text_len, passage_no);
            }
            if let Some(articles) = articles.as_mut() {
                let entry = articles
                    .entry(article_id)
                    .or_insert_with(|| ArticleFrequencies {
                        text: vec![0; frequencies.len()],
                        title: vec![0; frequencies.len()],
                        title_len,
                    });
                for (i, &(text, title)) in frequencies.iter().enumerate() {
                    entry.text[i] += text;
                    entry.title[i] = entry.title[i].max(title);
                }
            }
            let address = DocAddress::new(segment_ord, doc);
            scored.push(ScoredPassage {
                address,
                article_id,
                score,
                tier: u8::from(in_top_tier.contains(doc)),
            });
        })?;
    }
    if let Some(windows) = windows {
        windows.apply(&mut scored, words, ranking, &stats);
    }
    if let Some(articles) = articles {
        let whole = score_whole_articles(searcher, fields, words, ranking, &stats, &articles)?;
        for passage in &mut scored {
            let article = whole.get(&passage.article_id).copied().unwrap_or(0.0);
            passage.score = (1.0 - article_weight) * passage.score + article_weight * article;
        }
    }
    Ok(scored)
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

/// What scoring a window of two adjacent passages needs of each matched
/// passage, in the order they were scored.
struct PairWindows {
    words: usize,
    /// Text frequencies of the query words, `words` per passage.
    text_tf: Vec<u32>,
    /// Length-normalised title frequencies, `words` per passage.
    title_tf: Vec<f32>,
    /// (text length, passage number) per passage.
    passages: Vec<(u32, Option<u64>)>,
}

impl PairWindows {
    fn new(words: usize) -> PairWindows {
        PairWindows {
            words,
            text_tf: Vec::new(),
            title_tf: Vec::new(),
            passages: Vec::new(),
        }
    }

    fn push(
        &mut self,
        frequencies: &[(u32, u32)],
        title_tf: &[f32],
        text_len: u32,
        passage_no: Option<u64>,
    ) {
        self.text_tf
            .extend(frequencies.iter().map(|&(text, _)| text));
        self.title_tf.extend_from_slice(title_tf);
        self.passages.push((text_len, passage_no));
    }

    /// Raises the stronger passage of each pair of adjacent matched
    /// passages to the pair's score, when that is higher. `scored` is in
    /// the order the passages were pushed: by segment, then doc. An
    /// article's passages are consecutive documents in reading order (the
    /// writer adds each article in one batch), so a passage's successor,
    /// when it matched too, is the next one scored.
    fn apply(
        &self,
        scored: &mut [ScoredPassage],
        words: &[QueryWord],
        ranking: &Ranking,
        stats: &Statistics,
    ) {
        let (k1, b) = (ranking.k1, ranking.b);
        let mut raised: Vec<f32> = scored.iter().map(|p| p.score).collect();
        for (x, pair) in scored.windows(2).enumerate() {
            let (first, next) = (&pair[0], &pair[1]);
            let y = x + 1;
            let adjacent = first.article_id == next.article_id
                && first.address.segment_ord == next.address.segment_ord
                && next.address.doc_id == first.address.doc_id + 1
                && match (self.passages[x].1, self.passages[y].1) {
                    (Some(a), Some(b)) => b == a + 1,
                    _ => false,
                };
            if !adjacent {
                continue;
            }
            let length = (self.passages[x].0 + self.passages[y].0) as f32;
            let length = length.max(ranking.length_floor * stats.avg_text);
            let text_norm = 1.0 - b + b * length / stats.avg_text;
            let mut score = 0.0;
            for (i, word) in words.iter().enumerate() {
                if ranking.skip_stop_words && word.stop {
                    continue;
                }
                let text_tf = self.text_tf[x * self.words + i] + self.text_tf[y * self.words + i];
                // Both passages carry the same title: it counts once.
                let tf = text_tf as f32 / text_norm
                    + ranking.title_weight * self.title_tf[x * self.words + i];
                if tf > 0.0 {
                    score += word.weight * word.idf * tf * (k1 + 1.0) / (tf + k1);
                }
            }
            // The window is shown as its stronger passage; on a tie, the first.
            let stronger = if scored[y].score > scored[x].score {
                y
            } else {
                x
            };
            raised[stronger] = raised[stronger].max(score);
        }
        for (passage, score) in scored.iter_mut().zip(raised) {
            passage.score = score;
        }
    }
}

/// A matched article's word frequencies, summed over its passages.
struct ArticleFrequencies {
    text: Vec<u32>,
    title: Vec<u32>,
    title_len: u32,
}

/// BM25F over whole articles, from the frequencies of their matched
/// passages: an article's text is all its passages (their lengths summed
/// over the whole index), its title counted once; a word's document
/// frequency is the number of matched articles holding it.
fn score_whole_articles(
    searcher: &Searcher,
    fields: &DatelineSchema,
    words: &[QueryWord],
    ranking: &Ranking,
    stats: &Statistics,
    articles: &HashMap<u64, ArticleFrequencies>,
) -> Result<HashMap<u64, f32>> {
    let mut out = HashMap::new();
    let mut lengths: HashMap<u64, u32> = HashMap::new();
    for segment in searcher.segment_readers() {
        let norms = segment.get_fieldnorms_reader(fields.text)?;
        let ids = segment.fast_fields().u64("article_id")?;
        for doc in segment.doc_ids_alive() {
            if let Some(id) = ids.first(doc) {
                *lengths.entry(id).or_default() += norms.fieldnorm(doc);
            }
        }
    }
    let article_count = lengths.len().max(1) as f32;
    let total: u64 = lengths.values().map(|&l| u64::from(l)).sum();
    let avg_text = (total as f32 / article_count).max(1.0);
    let (k1, b) = (ranking.k1, ranking.b);
    let idf: Vec<f32> = (0..words.len())
        .map(|i| {
            let df = articles
                .values()
                .filter(|a| a.text[i] + a.title[i] > 0)
                .count() as f32;
            (1.0 + (article_count - df + 0.5) / (df + 0.5)).ln()
        })
        .collect();
    for (id, article) in articles {
        let length = lengths.get(id).copied().unwrap_or(0) as f32;
        let text_norm = 1.0 - b + b * length / avg_text;
        let title_norm = 1.0 - b + b * article.title_len as f32 / stats.avg_title;
        let mut score = 0.0;
        for (i, word) in words.iter().enumerate() {
            if ranking.skip_stop_words && word.stop {
                continue;
            }
            let tf = article.text[i] as f32 / text_norm
                + ranking.title_weight * article.title[i] as f32 / title_norm;
            if tf > 0.0 {
                score += word.weight * idf[i] * tf * (k1 + 1.0) / (tf + k1);
            }
        }
        out.insert(*id, score);
    }
    Ok(out)
}

/// An article's score from its passages' scores.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ScoredArticle {
    /// The article's id (the `article_id` field).
    pub article_id: u64,
    /// The aggregated score.
    pub score: f32,
    /// The best tier among its passages.
    pub tier: u8,
    /// Its best passage.
    pub best: DocAddress,
}

/// Groups ranked passages by article: an article scores its best passage
/// plus `sibling_weight` times the sum of its other passages, and ranks in
/// its best passage's tier. Best first; ties by article id.
pub fn aggregate_articles(passages: &[ScoredPassage], sibling_weight: f32) -> Vec<ScoredArticle> {
    let mut articles: HashMap<u64, (ScoredArticle, f32)> = HashMap::new();
    // `passages` is sorted best first, so an article's first passage is its best.
    for passage in passages {
        articles
            .entry(passage.article_id)
            .and_modify(|(_, rest)| *rest += passage.score)
            .or_insert((
                ScoredArticle {
                    article_id: passage.article_id,
                    score: passage.score,
                    tier: passage.tier,
                    best: passage.address,
                },
                0.0,
            ));
    }
    let mut ranked: Vec<ScoredArticle> = articles
        .into_values()
        .map(|(mut article, rest)| {
            article.score += sibling_weight * rest;
            article
        })
        .collect();
    ranked.sort_by(|a, b| {
        b.tier
            .cmp(&a.tier)
            .then(b.score.total_cmp(&a.score))
            .then(a.article_id.cmp(&b.article_id))
    });
    ranked
}

/// One scored document of a segment, with the query words' frequencies
/// (text, title) in query-word order.
struct ScoredDoc<'a> {
    doc: DocId,
    article_id: u64,
    score: f32,
    frequencies: &'a [(u32, u32)],
    /// The query words' title frequencies, length-normalised.
    title_tf: &'a [f32],
    /// The passage's length in words.
    text_len: u32,
    /// The passage's position in its article.
    passage_no: Option<u64>,
    title_len: u32,
}

/// The postings of one word in one segment.
struct WordPostings {
    text: Option<SegmentPostings>,
    title: Option<SegmentPostings>,
}

/// Scores documents of one segment, in increasing doc order.
struct SegmentScorer<'a> {
    words: Vec<(&'a QueryWord, WordPostings)>,
    text_norms: tantivy::fieldnorm::FieldNormReader,
    title_norms: tantivy::fieldnorm::FieldNormReader,
    article_ids: tantivy::columnar::Column<u64>,
    passage_numbers: Option<tantivy::columnar::Column<u64>>,
    ranking: &'a Ranking,
    stats: &'a Statistics,
}

impl<'a> SegmentScorer<'a> {
    fn new(
        searcher: &Searcher,
        segment_ord: u32,
        fields: &DatelineSchema,
        words: &'a [QueryWord],
        ranking: &'a Ranking,
        stats: &'a Statistics,
    ) -> Result<SegmentScorer<'a>> {
        let segment = searcher.segment_reader(segment_ord);
        let text_index = segment.inverted_index(fields.text)?;
        let title_index = segment.inverted_index(fields.title)?;
        let text_option = if ranking.proximity_weight > 0.0 {
            IndexRecordOption::WithFreqsAndPositions
        } else {
            IndexRecordOption::WithFreqs
        };
        let mut scored_words = Vec::new();
        for word in words.iter() {
            let text = match &word.text_term {
                Some(term) => text_index.read_postings(term, text_option)?,
                None => None,
            };
            let title = match &word.title_term {
                Some(term) => title_index.read_postings(term, IndexRecordOption::WithFreqs)?,
                None => None,
            };
            scored_words.push((word, WordPostings { text, title }));
        }
        Ok(SegmentScorer {
            words: scored_words,
            text_norms: segment.get_fieldnorms_reader(fields.text)?,
            title_norms: segment.get_fieldnorms_reader(fields.title)?,
            article_ids: segment.fast_fields().u64("article_id")?,
            passage_numbers: segment.fast_fields().u64("passage_no").ok(),
            ranking,
            stats,
        })
    }

    fn score(mut self, docs: &[DocId], emit: &mut dyn FnMut(&ScoredDoc)) -> Result<()> {
        let ranking = self.ranking;
        let k1 = ranking.k1;
        let b = ranking.b;
        let proximity = ranking.proximity_weight > 0.0;
        let mut positions: Vec<Vec<u32>> = vec![Vec::new(); self.words.len()];
        let mut frequencies = vec![(0, 0); self.words.len()];
        let mut title_tfs = vec![0.0; self.words.len()];
        for &doc in docs {
            // Fragments ("Harvested --") would otherwise win on length alone.
            let text_len = (self.text_norms.fieldnorm(doc) as f32)
                .max(ranking.length_floor * self.stats.avg_text);
            let text_norm = 1.0 - b + b * text_len / self.stats.avg_text;
            let title_norm =
                1.0 - b + b * self.title_norms.fieldnorm(doc) as f32 / self.stats.avg_title;
            let mut score = 0.0;
            for (i, (word, postings)) in self.words.iter_mut().enumerate() {
                let text_tf = frequency_at(postings.text.as_mut(), doc);
                let title_tf = frequency_at(postings.title.as_mut(), doc);
                frequencies[i] = (text_tf, title_tf);
                positions[i].clear();
                if proximity && text_tf > 0 {
                    if let Some(text) = postings.text.as_mut() {
                        text.positions(&mut positions[i]);
                    }
                }
                title_tfs[i] = title_tf as f32 / title_norm;
                let tf = text_tf as f32 / text_norm + ranking.title_weight * title_tfs[i];
                if tf > 0.0 && !(ranking.skip_stop_words && word.stop) {
                    score += word.weight * word.idf * tf * (k1 + 1.0) / (tf + k1);
                }
            }
            if proximity {
                score += self.proximity_bonus(&positions);
            }
            let article_id = self.article_ids.first(doc).unwrap_or(u64::MAX);
            emit(&ScoredDoc {
                doc,
                article_id,
                score,
                frequencies: &frequencies,
                title_tf: &title_tfs,
                text_len: self.text_norms.fieldnorm(doc),
                passage_no: self
                    .passage_numbers
                    .as_ref()
                    .and_then(|column| column.first(doc)),
                title_len: self.title_norms.fieldnorm(doc),
            });
        }
        Ok(())
    }

    /// For each pair of query words next to each other in the query, the
    /// number of times they occur within the window, saturated like a term
    /// frequency and weighted by the rarer word's idf.
    fn proximity_bonus(&self, positions: &[Vec<u32>]) -> f32 {
        let k1 = self.ranking.k1;
        let mut bonus = 0.0;
        for pair in 0..self.words.len().saturating_sub(1) {
            let skipped = |w: &QueryWord| self.ranking.skip_stop_words && w.stop;
            if skipped(self.words[pair].0) || skipped(self.words[pair + 1].0) {
                continue;
            }
            let (a, b) = (&positions[pair], &positions[pair + 1]);
            let near = near_pairs(a, b, self.ranking.proximity_window) as f32;
            if near > 0.0 {
                let idf = self.words[pair].0.idf.min(self.words[pair + 1].0.idf);
                bonus += idf * near * (k1 + 1.0) / (near + k1);
            }
        }
        self.ranking.proximity_weight * bonus
    }
}

/// The word's frequency in `doc`, moving the postings forward to it.
fn frequency_at(postings: Option<&mut SegmentPostings>, doc: DocId) -> u32 {
    let Some(postings) = postings else {
        return 0;
    };
    if postings.doc() == TERMINATED || postings.doc() > doc {
        return 0;
    }
    if postings.seek(doc) == doc {
        postings.term_freq()
    } else {
        0
    }
}

/// How many positions in `a` have a position of `b` within `window` words
/// (either side). Both lists are sorted.
fn near_pairs(a: &[u32], b: &[u32], window: u32) -> usize {
    let mut count = 0;
    let mut j = 0;
    for &pa in a {
        while j < b.len() && b[j] + window < pa {
            j += 1;
        }
        if j < b.len() && b[j] <= pa + window && b[j] != pa {
            count += 1;
        }
    }
    count
}

/// RM3 pseudo-relevance feedback: learns expansion words from the best
/// passages of a first pass (one per article, `feedback_docs` of them) and
/// adds them to `words`, re-weighting the original words to
/// `feedback_original_weight` of the total. Returns the new words' terms,
/// which the second pass must also match on.
pub(crate) fn add_feedback_words(
    searcher: &Searcher,
    fields: &DatelineSchema,
    language: tantivy::tokenizer::Language,
    first_pass: &[ScoredPassage],
    words: &mut Vec<QueryWord>,
    ranking: &Ranking,
) -> Result<Vec<Term>> {
    let mut seen_articles = HashSet::new();
    let top: Vec<&ScoredPassage> = first_pass
        .iter()
        .filter(|p| seen_articles.insert(p.article_id))
        .take(ranking.feedback_docs)
        .collect();
    let total_score: f32 = top.iter().map(|p| p.score.max(0.0)).sum();
    if top.is_empty() || total_score <= 0.0 {
        return Ok(Vec::new());
    }
    // Expansion words are content words: stop words are dropped.
    let mut content = analyzer_without_stop_words(language).unwrap_or_else(|| analyzer(language));
    let mut relevance: HashMap<String, f32> = HashMap::new();
    for passage in top {
        let doc: tantivy::TantivyDocument = searcher.doc(passage.address)?;
        let mut counts: HashMap<String, f32> = HashMap::new();
        let mut length: f32 = 0.0;
        for field in [fields.title_text, fields.text] {
            for value in doc.get_all(field) {
                let Some(text) = tantivy::schema::Value::as_str(&value) else {
                    continue;
                };
                let mut stream = content.token_stream(text);
                while stream.advance() {
                    let token = &stream.token().text;
                    if token.chars().all(|c| c.is_ascii_digit()) {
                        continue;
                    }
                    *counts.entry(token.clone()).or_default() += 1.0;
                    length += 1.0;
                }
            }
        }
        let doc_weight = passage.score.max(0.0) / total_score;
        for (token, count) in counts {
            *relevance.entry(token).or_default() += doc_weight * count / length.max(1.0);
        }
    }
    let mut expansion: Vec<(String, f32)> = relevance.into_iter().collect();
    expansion.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    expansion.truncate(ranking.feedback_terms);
    let expansion_total: f32 = expansion.iter().map(|(_, w)| w).sum();
    let original_total: f32 = words.iter().map(|w| w.weight).sum();
    let alpha = ranking.feedback_original_weight.clamp(0.0, 1.0);
    for word in words.iter_mut() {
        word.weight = alpha * word.weight / original_total.max(f32::EPSILON);
    }
    let mut extra = Vec::new();
    for (text, weight) in expansion {
        let weight = (1.0 - alpha) * weight / expansion_total.max(f32::EPSILON);
        if let Some(existing) = words.iter_mut().find(|w| w.text == text) {
            existing.weight += weight;
            continue;
        }
        let text_term = Term::from_field_text(fields.text, &text);
        let title_term = Term::from_field_text(fields.title, &text);
        extra.push(text_term.clone());
        extra.push(title_term.clone());
        words.push(QueryWord {
            text,
            text_term: Some(text_term),
            title_term: Some(title_term),
            weight,
            idf: 0.0,
            stop: false,
        });
    }
    Ok(extra)
}

/// Adds `extra` terms as optional clauses at the top level of `query`
/// (see [`widen_bare_words`]).
pub(crate) fn widen_with_terms(query: Box<dyn Query>, extra: Vec<Term>) -> Box<dyn Query> {
    if extra.is_empty() {
        return query;
    }
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = match query.downcast_ref::<BooleanQuery>() {
        Some(boolean) => boolean
            .clauses()
            .iter()
            .map(|(occur, clause)| (*occur, clause.box_clone()))
            .collect(),
        None => vec![(Occur::Should, query)],
    };
    if clauses.iter().any(|(occur, _)| *occur == Occur::Must) {
        return Box::new(BooleanQuery::new(clauses));
    }
    for term in extra {
        clauses.push((
            Occur::Should,
            Box::new(TermQuery::new(term, IndexRecordOption::Basic)),
        ));
    }
    Box::new(BooleanQuery::new(clauses))
}

/// Lets the words typed outside quotes match on their own.
///
/// tantivy's parser turns a bare word that analyses into several tokens
/// (`anti-inflammatory`, `COVID-19`, `Reagan's`) into a phrase, so a passage
/// with `inflammatory` alone would not match it at all. Those parts are
/// added as optional terms, at the top level of the query so a `-word`
/// still excludes; the proximity bonus, not matching, rewards them for
/// being adjacent. Words inside `"quotes"` are left out: quoted phrases stay
/// exact.
pub(crate) fn widen_bare_words(
    query: Box<dyn Query>,
    words: &[QueryWord],
    query_text: &str,
    language: tantivy::tokenizer::Language,
) -> Box<dyn Query> {
    let quoted = quoted_terms(query_text, language);
    let bare = bare_terms(query_text, language);
    let extra: Vec<Term> = words
        .iter()
        .filter(|w| bare.contains(&w.text) || !quoted.contains(&w.text))
        .flat_map(QueryWord::terms)
        .collect();
    widen_with_terms(query, extra)
}

/// The analysed terms inside and outside `"…"` in the query text.
fn split_quoted(query_text: &str) -> (String, String) {
    let (mut inside, mut outside) = (String::new(), String::new());
    for (i, part) in query_text.split('"').enumerate() {
        let target = if i % 2 == 1 {
            &mut inside
        } else {
            &mut outside
        };
        target.push_str(part);
        target.push(' ');
    }
    (inside, outside)
}

fn quoted_terms(query_text: &str, language: tantivy::tokenizer::Language) -> HashSet<String> {
    tokens(&mut analyzer(language), &split_quoted(query_text).0)
}

fn bare_terms(query_text: &str, language: tantivy::tokenizer::Language) -> HashSet<String> {
    tokens(&mut analyzer(language), &split_quoted(query_text).1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn near_pairs_counts_positions_within_the_window() {
        assert_eq!(near_pairs(&[1, 10], &[2], 1), 1);
        assert_eq!(near_pairs(&[1, 10], &[3, 12], 1), 0);
        assert_eq!(near_pairs(&[1, 10], &[3, 12], 2), 2);
        assert_eq!(near_pairs(&[5], &[1], 4), 1);
        assert_eq!(near_pairs(&[], &[1], 4), 0);
    }

    #[test]
    fn articles_score_their_best_passage_plus_a_share_of_the_rest() {
        let passage = |article_id, doc, score| ScoredPassage {
            address: DocAddress::new(0, doc),
            article_id,
            score,
            tier: 0,
        };
        // Article 1: one strong passage; article 2: several weaker ones.
        let passages = [
            passage(1, 0, 5.0),
            passage(2, 1, 4.0),
            passage(2, 2, 3.0),
            passage(2, 3, 3.0),
        ];
        let max_only = aggregate_articles(&passages, 0.0);
        assert_eq!(
            max_only.iter().map(|a| a.article_id).collect::<Vec<_>>(),
            [1, 2]
        );
        assert_eq!(max_only[1].score, 4.0);
        assert_eq!(max_only[1].best, DocAddress::new(0, 1));
        let with_rest = aggregate_articles(&passages, 0.5);
        assert_eq!(with_rest[0].article_id, 2);
        assert_eq!(with_rest[0].score, 7.0);
    }
}
