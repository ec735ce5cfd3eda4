//! Windows of two adjacent passages: an answer that straddles a passage
//! boundary scores as the pair. A window is scored like a passage of the
//! pair's combined length, so a neighbour without the query's words only
//! dilutes: an article is never penalised, nor helped, for the passages
//! around the one that answers.

use crate::search::query::QueryWord;
use crate::search::rank::Ranking;
use crate::search::rank::bm25f::Statistics;
use crate::search::rank::scoring::ArticleEvidence;

/// Raises the stronger passage of each pair of adjacent matched passages
/// of one article to the pair's score, when that is higher. `scores` start
/// as the passages' own scores ([`ArticleEvidence::own`]); which of a pair
/// is stronger is judged on those, and the window's score goes to it, the
/// passage shown.
pub(super) fn raise_pairs(
    article: &ArticleEvidence,
    scores: &mut [f32],
    words: &[QueryWord],
    ranking: &Ranking,
    stats: &Statistics,
) {
    let (k1, b) = (ranking.k1, ranking.b);
    let own = &article.own;
    let n = words.len();
    for x in 0..article.docs.len().saturating_sub(1) {
        let y = x + 1;
        if article.docs[y] != article.docs[x] + 1 {
            continue;
        }
        let length = (article.lengths[x].0 + article.lengths[y].0) as f32;
        let length = length.max(ranking.length_floor * stats.avg_text);
        let text_norm = 1.0 - b + b * length / stats.avg_text;
        let mut score = 0.0;
        for (i, word) in words.iter().enumerate() {
            if ranking.skip_stop_words && word.stop {
                continue;
            }
            let text_tf = article.frequencies[x * n + i].0 + article.frequencies[y * n + i].0;
            if text_tf == 0 && article.frequencies[x * n + i].1 == 0 {
                continue;
            }
            // Both passages carry the same title: it counts once.
            let tf =
                text_tf as f32 / text_norm + ranking.title_weight * article.title_tf[x * n + i];
            if tf > 0.0 {
                score += word.weight * word.idf * tf * (k1 + 1.0) / (tf + k1);
            }
        }
        // The window is shown as its stronger passage; on a tie, the first.
        let stronger = if own[y] > own[x] { y } else { x };
        scores[stronger] = scores[stronger].max(score);
    }
}
