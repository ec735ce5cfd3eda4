//! Scoring only the articles that can reach the page: MaxScore (Turtle &
//! Flood) over articles.
//!
//! A passage's score never exceeds the sum, over the query words found in
//! its article's matching passages, of `weight × idf × (k1 + 1)`: each
//! word's saturated frequency stays below `k1 + 1`, in a passage, in a
//! window of two and in the whole article, and a passage's score is a
//! weighted mean of those (times 1 or less for code). With the words in
//! order of that bound, the cheapest ones whose bounds add up to less than
//! the `k`th best score so far are *non-essential*: an article with none
//! of the other, essential, words cannot reach the first `k`. So the walk
//! goes from one match with an essential word to the next (a look at each
//! match's row of word frequencies, read beforehand) and scores only those
//! matches' articles, whole. As the `k`th best score
//! rises, more words become non-essential and the jumps get longer; the
//! matches of a common word that appear with no rarer word are never
//! scored. The best `k` and every match tied with them come out exactly as
//! scoring every match gives them: an article is skipped only when its
//! bound is strictly below a score already among the best `k`.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use crate::error::Result;
use crate::search::rank::matches::{ScoredMatches, ordered_bits, skip_below};

/// Bounds are summed in another order than scores: a skipped article must
/// be below the threshold by more than rounding.
const ROUNDING: f32 = 1.0 + 1e-4;

/// Whether pruning keeps results exact under `ranking`: the bound above
/// needs scores built only from saturated word frequencies with
/// non-negative weights, in one tier.
pub(super) fn applies(matches: &ScoredMatches) -> bool {
    let ranking = &matches.scoring.ranking;
    ranking.proximity_weight <= 0.0
        && !ranking.all_words_first
        && matches.scoring.words.iter().all(|word| word.weight >= 0.0)
}

/// Scores the articles of `matches` that can hold one of the best `k`
/// matches, and marks the matches exact up to `k`.
pub(super) fn score_best(matches: &mut ScoredMatches, k: usize) -> Result<()> {
    let scoring = &matches.scoring;
    let ranking = &scoring.ranking;
    // Each word's bound, cheapest first; `within[j]` bounds an article
    // holding only the first `j` of them.
    let mut order: Vec<(usize, f32)> = scoring
        .words
        .iter()
        .enumerate()
        .map(|(i, word)| {
            let counted = !(ranking.skip_stop_words && word.stop);
            let bound = word.weight * word.idf * (ranking.k1 + 1.0);
            (i, if counted { bound } else { 0.0 })
        })
        .collect();
    order.sort_by(|a, b| a.1.total_cmp(&b.1));
    let mut within = vec![0.0f32; order.len() + 1];
    for (j, &(_, bound)) in order.iter().enumerate() {
        within[j + 1] = within[j] + bound;
    }
    let mut best: BinaryHeap<Reverse<u32>> = BinaryHeap::with_capacity(k + 1);
    'segments: for segment in 0..matches.docs.len() {
        let docs = &matches.docs[segment];
        if docs.is_empty() {
            continue;
        }
        let offset = matches.offsets[segment];
        let spans = &scoring.spans[segment];
        let mut scorer = scoring.segment(segment as u32)?;
        // Matches before `at` are done with; `scored_to` ends the last
        // article scored.
        let mut at = 0;
        let mut scored_to = 0;
        while at < docs.len() {
            let threshold = match best.len() == k {
                true => best
                    .peek()
                    .map_or(f32::NEG_INFINITY, |&Reverse(b)| from_bits(b)),
                false => f32::NEG_INFINITY,
            };
            let essential = within
                .iter()
                .rposition(|&bound| bound * ROUNDING < threshold)
                .unwrap_or(0);
            if essential == order.len() {
                // No article left can reach the best `k`, in any segment.
                break 'segments;
            }
            if essential > 0 {
                // The next match with an essential word.
                let essential_words = &order[essential..];
                let rows = &scoring.frequencies[segment];
                let holds_one = |at: usize| {
                    let row = rows.row(at);
                    essential_words.iter().any(|&(word, _)| row[word] != (0, 0))
                };
                match (at..docs.len()).find(|&at| holds_one(at)) {
                    Some(next) => at = next,
                    None => continue 'segments,
                }
            }
            // Its article, whole: matches before it skipped over too.
            let start = spans.start_of(docs[at]);
            let end = spans.end_of(docs[at]);
            let first = scored_to + docs[scored_to..at].partition_point(|&doc| doc < start);
            let last = at + skip_below(&docs[at..], end);
            let scores = &mut matches.scores[offset + first..offset + last];
            scorer.score_article(&docs[first..last], first, scores);
            matches.scored[offset + first..offset + last].fill(true);
            for &score in scores.iter() {
                let key = ordered_bits(score);
                if best.len() < k {
                    best.push(Reverse(key));
                } else if best.peek().is_some_and(|&Reverse(least)| key > least) {
                    best.pop();
                    best.push(Reverse(key));
                }
            }
            at = last;
            scored_to = last;
        }
    }
    matches.exact_top = k;
    // Every article that can hold one of the best `k` is scored, so the
    // least of them is the `k`th best of all.
    matches.top_key = match best.len() == k {
        true => best.peek().map(|&Reverse(least)| u64::from(least)),
        false => None,
    };
    Ok(())
}

/// The score whose [`ordered_bits`] are `bits`.
fn from_bits(bits: u32) -> f32 {
    match bits >> 31 {
        1 => f32::from_bits(bits & 0x7fff_ffff),
        _ => f32::from_bits(!bits),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn from_bits_undoes_ordered_bits() {
        for score in [
            -2.0f32,
            -0.0,
            0.0,
            0.25,
            7.5,
            f32::INFINITY,
            f32::NEG_INFINITY,
        ] {
            assert_eq!(from_bits(ordered_bits(score)).to_bits(), score.to_bits());
        }
    }
}
