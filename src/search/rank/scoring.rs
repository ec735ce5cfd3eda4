//! Scoring the matching passages of one article at a time: each passage's
//! BM25F, raised by the window it forms with its neighbour, mixed with the
//! whole article's BM25F, and weighed down when it is code. Everything a
//! passage's score depends on lies in its own article, so articles can be
//! scored in any order of passes, or skipped when they cannot reach the
//! page (see `prune`), and still score exactly the same.

use std::sync::Arc;

use tantivy::columnar::Column;
use tantivy::fieldnorm::FieldNormReader;
use tantivy::{DocId, Searcher};

use crate::error::Result;
use crate::index::columns::ColumnCache;
use crate::index::spans::ArticleSpans;
use crate::index::{CODE_KIND, DatelineSchema};
use crate::search::parallel::Segments;
use crate::search::passage_kinds::CODE_WEIGHT;
use crate::search::query::QueryWord;
use crate::search::rank::Ranking;
use crate::search::rank::articles::{article_bm25f, ratio, whole_article_score};
use crate::search::rank::bm25f::{SegmentScorer, Statistics};
use crate::search::rank::postings::Frequencies;
use crate::search::rank::windows::raise_pairs;

/// Everything scoring an article needs, owned, so that the matches of a
/// query can score later the articles a first pass skipped.
pub(crate) struct Scoring {
    searcher: Searcher,
    pub(super) fields: DatelineSchema,
    /// The query's words, with their idf.
    pub(super) words: Vec<QueryWord>,
    pub(super) ranking: Ranking,
    stats: Statistics,
    /// Each segment's article starts.
    pub(super) spans: Vec<Arc<ArticleSpans>>,
    /// The query words' frequencies in each segment's matches.
    pub(super) frequencies: Vec<Frequencies>,
    /// The number of articles in the index, when whole-article evidence
    /// counts ([`Ranking::article_weight`] above 0).
    article_count: Option<u64>,
    /// Each segment's `kind` column, when the segment holds code.
    kinds: Vec<Option<Column<u64>>>,
    /// The index's opened columns.
    pub(super) columns: Arc<ColumnCache>,
    /// How scoring walks the segments.
    pub(super) segments: Segments,
}

/// What a query's scoring reads of the index besides the postings of
/// single matches: collection statistics, article bounds and the query
/// words' frequencies in the matches.
pub(super) struct Gathered {
    pub(super) stats: Statistics,
    pub(super) spans: Vec<Arc<ArticleSpans>>,
    pub(super) frequencies: Vec<Frequencies>,
    /// The number of articles in the index, when it was counted.
    pub(super) article_count: Option<u64>,
    /// The index's opened columns.
    pub(super) columns: Arc<ColumnCache>,
    pub(super) segments: Segments,
}

impl Scoring {
    pub(super) fn new(
        searcher: &Searcher,
        fields: &DatelineSchema,
        words: &[QueryWord],
        ranking: &Ranking,
        gathered: Gathered,
    ) -> Scoring {
        // An index without code (most news collections) costs one look per
        // segment.
        let kinds = searcher
            .segment_readers()
            .iter()
            .map(|segment| {
                (gathered.columns.u64(segment, fields.kind).ok().flatten())
                    .filter(|column| column.values.num_vals() > 0)
            })
            .collect();
        Scoring {
            searcher: searcher.clone(),
            fields: fields.clone(),
            words: words.to_vec(),
            ranking: ranking.clone(),
            stats: gathered.stats,
            spans: gathered.spans,
            frequencies: gathered.frequencies,
            article_count: gathered
                .article_count
                .filter(|_| ranking.article_weight > 0.0),
            kinds,
            columns: gathered.columns,
            segments: gathered.segments,
        }
    }

    /// Scoring in one segment, from its first document on.
    pub(super) fn segment(&self, segment_ord: u32) -> Result<SegmentScoring<'_>> {
        Ok(SegmentScoring {
            scoring: self,
            scorer: SegmentScorer::new(
                &self.searcher,
                segment_ord,
                &self.fields,
                &self.words,
                &self.ranking,
                &self.stats,
            )?,
            spans: &self.spans[segment_ord as usize],
            frequencies: &self.frequencies[segment_ord as usize],
            kinds: self
                .kinds
                .get(segment_ord as usize)
                .and_then(Option::as_ref),
            article: ArticleEvidence::default(),
            row: vec![(0, 0); self.words.len()],
            bound_parts: Vec::with_capacity(self.words.len()),
        })
    }
}

/// What the matching passages of one article say about the query, in doc
/// order; the query words' figures come `words` per passage.
#[derive(Default)]
pub(super) struct ArticleEvidence {
    pub(super) docs: Vec<DocId>,
    /// Each passage's own BM25F score.
    pub(super) own: Vec<f32>,
    /// (text, title) frequency of each query word.
    pub(super) frequencies: Vec<(u32, u32)>,
    /// Title frequency of each query word, length-normalised.
    pub(super) title_tf: Vec<f32>,
    /// Each passage's length in words: (text, title).
    pub(super) lengths: Vec<(u32, u32)>,
}

/// Scores articles of one segment, in doc order.
pub(super) struct SegmentScoring<'a> {
    scoring: &'a Scoring,
    scorer: SegmentScorer<'a>,
    spans: &'a ArticleSpans,
    frequencies: &'a Frequencies,
    kinds: Option<&'a Column<u64>>,
    article: ArticleEvidence,
    row: Vec<(u32, u32)>,
    /// [`SegmentScoring::bound`]'s per-word figures.
    bound_parts: Vec<(f32, f32)>,
}

impl SegmentScoring<'_> {
    /// Scores `docs`, the matching passages of one article in doc order
    /// and the segment's matches from the `at`th on, into `scores`.
    /// Articles must come in doc order.
    pub(super) fn score_article(&mut self, docs: &[DocId], at: usize, scores: &mut [f32]) {
        let Scoring {
            words,
            ranking,
            stats,
            article_count,
            ..
        } = self.scoring;
        let length = (article_count.is_some())
            .then(|| docs.first().map(|&first| self.article_length(first)))
            .flatten();
        let article = &mut self.article;
        article.docs.clear();
        article.own.clear();
        article.frequencies.clear();
        article.title_tf.clear();
        article.lengths.clear();
        for (i, &doc) in docs.iter().enumerate() {
            let row = &mut self.row;
            self.frequencies.row_into(at + i, row);
            article.docs.push(doc);
            article.own.push(self.scorer.score(doc, row));
            article.frequencies.extend_from_slice(row);
            article.title_tf.extend_from_slice(&self.scorer.title_tfs);
            article.lengths.push(self.scorer.lengths(doc));
        }
        scores.copy_from_slice(&article.own);
        if ranking.pair_windows {
            raise_pairs(article, scores, words, ranking, stats);
        }
        if let (Some(count), Some(length)) = (article_count, length) {
            let whole = whole_article_score(article, length, words, ranking, stats, *count);
            let weight = ranking.article_weight.clamp(0.0, 1.0);
            for score in scores.iter_mut() {
                *score = (1.0 - weight) * *score + weight * whole;
            }
        }
        if let Some(kinds) = self.kinds {
            for (score, &doc) in scores.iter_mut().zip(docs) {
                if kinds.first(doc) == Some(CODE_KIND) {
                    *score *= CODE_WEIGHT;
                }
            }
        }
    }

    /// The passages' lengths [`SegmentScoring::bound`] reads, for
    /// [`touch`].
    pub(super) fn lengths(&self) -> FieldNormReader {
        self.scorer.text_norms.clone()
    }

    /// The length in words of the text of the article holding `doc`: all
    /// its passages, matching or not.
    fn article_length(&self, doc: DocId) -> u64 {
        (self.spans.start_of(doc)..self.spans.end_of(doc))
            .map(|doc| u64::from(self.scorer.text_norms.fieldnorm(doc)))
            .sum()
    }

    /// A bound on what [`SegmentScoring::score_article`] gives any of the
    /// passages `docs` of one article, the segment's matches from the
    /// `at`th on, where each query word's text frequencies sum to
    /// `sums[w].0` and its title frequency is at most `sums[w].1`,
    /// without scoring them. A bound below `needed` may be a looser one.
    ///
    /// A passage, or the window it forms with the next, holds a word at
    /// most as often as the two together, and is normalised by a length
    /// no shorter than the shortest of the article's matching passages:
    /// so its BM25F is at most that of the two's frequencies at that
    /// length. The whole article's BM25F is worked out as scoring does
    /// (it needs no more than that), and code only weighs a score down.
    /// On common words, where most articles' lengths are near the
    /// average, this is far tighter than a bound from frequencies alone;
    /// it costs a look at the lengths of the article's passages. The
    /// frequencies of all matching passages summed bound every window at
    /// once, more loosely (an article's words are often spread over
    /// passages that are not neighbours): windows are looked at one by
    /// one only when that bound reaches `needed`.
    pub(super) fn bound(
        &mut self,
        docs: &[DocId],
        at: usize,
        sums: &[(u32, u32)],
        needed: f32,
    ) -> f32 {
        let Scoring {
            words,
            ranking,
            stats,
            article_count,
            ..
        } = self.scoring;
        let Some(&first) = docs.first() else {
            return 0.0;
        };
        let norms = &self.scorer.text_norms;
        let text_len = (docs.iter().map(|&doc| norms.fieldnorm(doc)).min()).unwrap_or(0);
        // Most matches hold no query word in the title: its length then
        // does not count, and is not read.
        let titled = sums.iter().any(|&(_, title)| title > 0);
        let title_len = match titled {
            true => (docs.iter().map(|&doc| self.scorer.lengths(doc).1).min()).unwrap_or(0),
            false => 0,
        };
        let (k1, b) = (ranking.k1, ranking.b);
        let text_len = (text_len as f32).max(ranking.length_floor * stats.avg_text);
        let text_norm = 1.0 - b + b * text_len / stats.avg_text;
        let title_norm = 1.0 - b + b * title_len as f32 / stats.avg_title;
        let (whole, weight) = match article_count {
            Some(count) => {
                let title_len = match titled {
                    true => self.scorer.lengths(first).1,
                    false => 0,
                };
                let lengths = (self.article_length(first), title_len);
                let frequencies = |w: usize| sums[w];
                let whole = article_bm25f(frequencies, lengths, words, ranking, stats, *count);
                (whole, ranking.article_weight.clamp(0.0, 1.0))
            }
            None => (0.0, 0.0),
        };
        // Each word's weight and its title's share of a frequency, 0 and
        // 0 for a word left out of the score.
        let parts = &mut self.bound_parts;
        parts.clear();
        parts.extend(words.iter().zip(sums).map(
            |(word, &(_, title))| match ranking.skip_stop_words && word.stop {
                true => (0.0, 0.0),
                false => (
                    word.weight * word.idf,
                    ranking.title_weight * ratio(title, title_norm),
                ),
            },
        ));
        let saturated = |(weight, title): (f32, f32), text: u32| {
            let tf = ratio(text, text_norm) + title;
            match tf > 0.0 {
                true => weight * tf * (k1 + 1.0) / (tf + k1),
                false => 0.0,
            }
        };
        let mut passage: f32 = (parts.iter().zip(sums))
            .map(|(&part, &(text, _))| saturated(part, text))
            .sum();
        let mixed = |passage: f32| (1.0 - weight) * passage + weight * whole;
        if docs.len() > 1 && mixed(passage) >= needed {
            let rows = self.frequencies;
            let window = |i: usize, w: usize| {
                let next = docs.get(i + 1) == Some(&(docs[i] + 1));
                rows.text(at + i, w) + if next { rows.text(at + i + 1, w) } else { 0 }
            };
            passage = (0..docs.len())
                .map(|i| {
                    (parts.iter().enumerate())
                        .map(|(w, &part)| saturated(part, window(i, w)))
                        .sum::<f32>()
                })
                .fold(0.0, f32::max);
        }
        mixed(passage)
    }
}

/// Reads the length of passage `doc` and drops it, so that the cache line
/// (and page) [`SegmentScoring::bound`] reads next is fetched while other
/// articles are looked at: on an index of millions of passages that read
/// is a cache miss, and misses taken together cost far less than misses
/// taken one after another.
pub(super) fn touch(lengths: &FieldNormReader, doc: DocId) {
    std::hint::black_box(lengths.fieldnorm_id(doc));
}
