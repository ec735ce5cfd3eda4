//! Evidence counted per article: how many articles use a word (for idf),
//! BM25F over whole articles, and articles ranked from their passages.
//!
//! An article's passages are consecutive documents of one segment, in
//! reading order (the writer adds each article in one batch), which lets
//! the per-article counts walk postings without building sets of ids.

use std::collections::HashMap;

use tantivy::fieldnorm::FieldNormReader;
use tantivy::schema::IndexRecordOption;
use tantivy::{DocAddress, DocId, DocSet, Searcher, TERMINATED, Term};

use crate::error::Result;
use crate::index::DatelineSchema;
use crate::search::query::QueryWord;
use crate::search::rank::bm25f::Statistics;
use crate::search::rank::spans::ArticleSpans;
use crate::search::rank::{Ranking, ScoredPassage};

/// How many articles the index holds: each has exactly one passage 0, and
/// `passage_no` is indexed so that is one term's document frequency. Like
/// tantivy's own BM25 statistics it still counts deleted documents until
/// their segment is merged; a full scan instead cost every query a pass
/// over the whole index.
pub(super) fn count_articles(searcher: &Searcher, fields: &DatelineSchema) -> Result<u64> {
    let first_passages = Term::from_field_u64(fields.passage_no, 0);
    Ok(searcher.doc_freq(&first_passages)?.max(1))
}

/// In how many articles each word occurs, in the text or the title. An
/// article's passages are consecutive documents of one segment, in reading
/// order (the writer adds each article in one batch, `index::writer`), so
/// walking a word's postings in doc order, a posting opens a new article
/// exactly when its article (from the segment's [`ArticleSpans`]) differs
/// from the previous posting's. That reads no column and builds, sorts and
/// hashes no set of article ids.
pub(super) fn articles_with(
    searcher: &Searcher,
    fields: &DatelineSchema,
    words: &[QueryWord],
    spans: &[ArticleSpans],
) -> Result<Vec<u64>> {
    let mut articles = vec![0; words.len()];
    for (segment, spans) in searcher.segment_readers().iter().zip(spans) {
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
            let mut last: Option<u32> = None;
            loop {
                // The union of the text and title postings, in doc order.
                let doc = postings.iter().map(|p| p.doc()).min().unwrap_or(TERMINATED);
                if doc == TERMINATED {
                    break;
                }
                if alive.is_none_or(|bits| bits.is_alive(doc)) {
                    let article = spans.article_of(doc);
                    if last != Some(article) {
                        *count += 1;
                    }
                    last = Some(article);
                }
                for p in postings.iter_mut().filter(|p| p.doc() == doc) {
                    p.advance();
                }
            }
        }
    }
    Ok(articles)
}

/// BM25F over whole articles, gathered while their passages are scored.
///
/// An article's text is all its passages, its title counted once: a word's
/// frequency is summed over the article's matching passages, and the
/// article is normalised by its own length (all its passages, matching or
/// not) against the average article, with its own `b`
/// ([`Ranking::article_b`]). So a long report is compared with other
/// articles, not with paragraphs, and a word repeated through it counts
/// for what the article is about. idf is the query word's own.
///
/// Matching passages come in doc order, and an article's passages are
/// consecutive documents in reading order (the writer adds each article in
/// one batch), so the passages of one article arrive together: each
/// article is summed in one buffer and scored when the next one starts,
/// with no map of articles. Its length is read from the fieldnorms of its
/// documents, which the segment's [`ArticleSpans`] delimit.
pub(super) struct WholeArticles<'a> {
    words: &'a [QueryWord],
    ranking: &'a Ranking,
    avg_text: f32,
    avg_title: f32,
    /// The whole-article score of each passage pushed, in push order.
    scores: Vec<f32>,
    /// The article being summed.
    current: Option<OpenArticle>,
    /// Where the open article's passages start in `scores`.
    first_pending: usize,
    text_tf: Vec<u32>,
    title_tf: Vec<u32>,
    segment: Option<SegmentColumns<'a>>,
}

/// The article whose passages are being summed.
struct OpenArticle {
    /// Its number in the segment.
    article: u32,
    /// Its first matching document.
    first: DocId,
    title_len: u32,
}

/// What measuring an article's length reads in the current segment.
struct SegmentColumns<'a> {
    text_norms: FieldNormReader,
    spans: &'a ArticleSpans,
}

impl<'a> WholeArticles<'a> {
    /// `article_count` is the number of articles in the index, for the
    /// average article length; titles are as long on average as the
    /// passages' (each passage carries its article's title). `passages`
    /// is how many will be pushed.
    pub(super) fn new(
        words: &'a [QueryWord],
        ranking: &'a Ranking,
        stats: &Statistics,
        article_count: u64,
        passages: usize,
    ) -> WholeArticles<'a> {
        WholeArticles {
            words,
            ranking,
            avg_text: (stats.text_tokens as f32 / article_count.max(1) as f32).max(1.0),
            avg_title: stats.avg_title,
            scores: Vec::with_capacity(passages),
            current: None,
            first_pending: 0,
            text_tf: vec![0; words.len()],
            title_tf: vec![0; words.len()],
            segment: None,
        }
    }

    /// Starts the passages of another segment.
    pub(super) fn start_segment(
        &mut self,
        searcher: &Searcher,
        segment_ord: u32,
        fields: &DatelineSchema,
        spans: &'a ArticleSpans,
    ) -> Result<()> {
        self.finish_article();
        let segment = searcher.segment_reader(segment_ord);
        self.segment = Some(SegmentColumns {
            text_norms: segment.get_fieldnorms_reader(fields.text)?,
            spans,
        });
        Ok(())
    }

    /// Adds a matching passage (in doc order within the segment).
    pub(super) fn push(
        &mut self,
        doc: DocId,
        article: u32,
        frequencies: &[(u32, u32)],
        title_len: u32,
    ) {
        if self.current.as_ref().map(|a| a.article) != Some(article) {
            self.finish_article();
            self.first_pending = self.scores.len();
            self.current = Some(OpenArticle {
                article,
                first: doc,
                title_len,
            });
        }
        for (i, &(text, title)) in frequencies.iter().enumerate() {
            self.text_tf[i] += text;
            // Every passage carries the title: it counts once.
            self.title_tf[i] = self.title_tf[i].max(title);
        }
        self.scores.push(0.0);
    }

    /// Scores the open article and gives the score to its passages.
    fn finish_article(&mut self) {
        let Some(article) = self.current.take() else {
            return;
        };
        let length = self.article_length(&article) as f32;
        let (k1, b) = (self.ranking.k1, self.ranking.article_b);
        let text_norm = 1.0 - b + b * length / self.avg_text;
        let title_norm = 1.0 - b + b * article.title_len as f32 / self.avg_title;
        let mut score = 0.0;
        for (i, word) in self.words.iter().enumerate() {
            let (text, title) = (self.text_tf[i], self.title_tf[i]);
            self.text_tf[i] = 0;
            self.title_tf[i] = 0;
            if self.ranking.skip_stop_words && word.stop {
                continue;
            }
            let tf =
                text as f32 / text_norm + self.ranking.title_weight * title as f32 / title_norm;
            if tf > 0.0 {
                score += word.weight * word.idf * tf * (k1 + 1.0) / (tf + k1);
            }
        }
        self.scores[self.first_pending..].fill(score);
    }

    /// The article's length in words: the fieldnorms of all its documents.
    fn article_length(&self, article: &OpenArticle) -> u64 {
        let Some(segment) = &self.segment else {
            return 0;
        };
        let (start, end) = (
            segment.spans.start_of(article.first),
            segment.spans.end_of(article.first),
        );
        (start..end)
            .map(|doc| u64::from(segment.text_norms.fieldnorm(doc)))
            .sum()
    }

    /// The whole-article score of every passage pushed, in push order.
    pub(super) fn finish(mut self) -> Vec<f32> {
        self.finish_article();
        self.scores
    }
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

#[cfg(test)]
mod tests {
    use super::*;

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
