//! Windows of two adjacent passages: an answer that straddles a passage
//! boundary scores as the pair. A window is scored like a passage of the
//! pair's combined length, so a neighbour without the query's words only
//! dilutes: an article is never penalised, nor helped, for the passages
//! around the one that answers.

use crate::search::query::QueryWord;
use crate::search::rank::Ranking;
use crate::search::rank::bm25f::Statistics;

/// What scoring a window of two adjacent passages needs of each matched
/// passage, in the order they were scored.
pub(super) struct PairWindows {
    words: usize,
    /// Text frequencies of the query words, `words` per passage.
    text_tf: Vec<u32>,
    /// Length-normalised title frequencies, `words` per passage.
    title_tf: Vec<f32>,
    /// (text length, segment, article number in its segment, doc) per
    /// passage.
    passages: Vec<(u32, u32, u32, u32)>,
}

impl PairWindows {
    /// Room for `passages` passages of a query of `words` words.
    pub(super) fn new(words: usize, passages: usize) -> PairWindows {
        PairWindows {
            words,
            text_tf: Vec::with_capacity(words * passages),
            title_tf: Vec::with_capacity(words * passages),
            passages: Vec::with_capacity(passages),
        }
    }

    pub(super) fn push(
        &mut self,
        frequencies: &[(u32, u32)],
        title_tf: &[f32],
        text_len: u32,
        (segment, article, doc): (u32, u32, u32),
    ) {
        self.text_tf
            .extend(frequencies.iter().map(|&(text, _)| text));
        self.title_tf.extend_from_slice(title_tf);
        self.passages.push((text_len, segment, article, doc));
    }

    /// Raises the stronger passage of each pair of adjacent matched
    /// passages to the pair's score, when that is higher. `scores` are the
    /// passages' scores in the order they were pushed: by segment, then
    /// doc. An article's passages are consecutive documents in reading
    /// order (the writer adds each article in one batch), so a passage's
    /// successor, when it matched too, is the next one scored.
    pub(super) fn apply(
        &self,
        scores: &mut [f32],
        words: &[QueryWord],
        ranking: &Ranking,
        stats: &Statistics,
    ) {
        let (k1, b) = (ranking.k1, ranking.b);
        let mut raised: Vec<f32> = scores.to_vec();
        for (x, pair) in self.passages.windows(2).enumerate() {
            let (first, next) = (pair[0], pair[1]);
            let y = x + 1;
            let adjacent = first.1 == next.1 && first.2 == next.2 && next.3 == first.3 + 1;
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
            let stronger = if scores[y] > scores[x] { y } else { x };
            raised[stronger] = raised[stronger].max(score);
        }
        scores.copy_from_slice(&raised);
    }
}
