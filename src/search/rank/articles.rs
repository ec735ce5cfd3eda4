//! Evidence counted per article: BM25F over whole articles, and articles
//! ranked from their passages.

use std::collections::HashMap;

use tantivy::DocAddress;

use crate::search::query::QueryWord;
use crate::search::rank::bm25f::Statistics;
use crate::search::rank::scoring::ArticleEvidence;
use crate::search::rank::{Ranking, ScoredPassage};

/// BM25F over one whole article: its text is all its passages, its
/// title counted once. A word's frequency is summed over the article's
/// matching passages, and the article is normalised by its own length
/// (`length`, all its passages, matching or not) against the average
/// article, with its own `b` ([`Ranking::article_b`]). So a long report is
/// compared with other articles, not with paragraphs, and a word repeated
/// through it counts for what the article is about. idf is the query
/// word's own. `article_count` is the number of articles in the index, for
/// the average article length; titles are as long on average as the
/// passages' (each passage carries its article's title).
pub(super) fn whole_article_score(
    article: &ArticleEvidence,
    length: u64,
    words: &[QueryWord],
    ranking: &Ranking,
    stats: &Statistics,
    article_count: u64,
) -> f32 {
    let n = words.len();
    let frequencies = |i: usize| {
        (0..article.docs.len()).fold((0, 0), |(text, title), passage| {
            let (text_tf, title_tf) = article.frequencies[passage * n + i];
            // Every passage carries the title: it counts once.
            (text + text_tf, title.max(title_tf))
        })
    };
    let title_len = article.lengths.first().map_or(0, |&(_, title)| title);
    let lengths = (length, title_len);
    article_bm25f(frequencies, lengths, words, ranking, stats, article_count)
}

/// [`whole_article_score`] from each query word's text frequency summed
/// over the article's matching passages and its title frequency
/// (`frequencies(i)` for word `i`), and the article's text and title
/// lengths.
pub(super) fn article_bm25f(
    frequencies: impl Fn(usize) -> (u32, u32),
    (length, title_len): (u64, u32),
    words: &[QueryWord],
    ranking: &Ranking,
    stats: &Statistics,
    article_count: u64,
) -> f32 {
    let avg_text = (stats.text_tokens as f32 / article_count.max(1) as f32).max(1.0);
    let (k1, b) = (ranking.k1, ranking.article_b);
    let text_norm = 1.0 - b + b * length as f32 / avg_text;
    let title_norm = 1.0 - b + b * title_len as f32 / stats.avg_title;
    let mut score = 0.0;
    for (i, word) in words.iter().enumerate() {
        if ranking.skip_stop_words && word.stop {
            continue;
        }
        let (text, title) = frequencies(i);
        if text == 0 && title == 0 {
            continue;
        }
        let tf = ratio(text, text_norm) + ranking.title_weight * ratio(title, title_norm);
        if tf > 0.0 {
            score += word.weight * word.idf * tf * (k1 + 1.0) / (tf + k1);
        }
    }
    score
}

/// `count / norm`, without a division when `count` is 0 (divisions are
/// most of scoring's arithmetic, and most counts of a match are 0).
pub(super) fn ratio(count: u32, norm: f32) -> f32 {
    match count {
        0 => 0.0,
        _ => count as f32 / norm,
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
