//! Evidence counted per article: how many articles use a word (for idf),
//! BM25F over whole articles, and articles ranked from their passages.
//!
//! An article's passages are consecutive documents of one segment, in
//! reading order (the writer adds each article in one batch), which lets
//! the per-article counts walk postings without building sets of ids.

use std::collections::HashMap;

use tantivy::schema::IndexRecordOption;
use tantivy::{DocAddress, DocId, DocSet, Searcher, TERMINATED, Term};

use crate::error::Result;
use crate::index::DatelineSchema;
use crate::search::query::QueryWord;
use crate::search::rank::bm25f::Statistics;
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
/// a passage's article starts `passage_no` documents before it: walking a
/// word's postings in doc order, a posting opens a new article exactly
/// when the previous one lies before that start. That reads only the small
/// `passage_no` column (opened once per segment, not once per word), and
/// builds, sorts and hashes no set of article ids.
pub(super) fn articles_with(
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

/// A matched article's word frequencies, summed over its passages.
pub(super) struct ArticleFrequencies {
    pub(super) text: Vec<u32>,
    pub(super) title: Vec<u32>,
    pub(super) title_len: u32,
}

/// BM25F over whole articles, from the frequencies of their matched
/// passages: an article's text is all its passages (their lengths summed
/// over the whole index), its title counted once; a word's document
/// frequency is the number of matched articles holding it.
pub(super) fn score_whole_articles(
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
