//! The passage scorer: BM25F over a passage's text and its article's
//! title, from the query words' frequencies in it (read beforehand, see
//! `postings`) and its lengths, with an optional bonus for query words
//! near each other (from their positions).

use tantivy::postings::{Postings, SegmentPostings};
use tantivy::schema::IndexRecordOption;
use tantivy::{DocId, DocSet, Searcher};

use crate::error::Result;
use crate::index::DatelineSchema;
use crate::search::query::QueryWord;
use crate::search::rank::Ranking;
use crate::search::rank::articles::ratio;

/// Collection statistics for BM25F.
pub(super) struct Statistics {
    docs: f32,
    /// Words in all passages' text.
    pub(super) text_tokens: u64,
    pub(super) avg_text: f32,
    pub(super) avg_title: f32,
}

impl Statistics {
    /// The statistics of `searcher`'s segments; `titled` says which hold
    /// titles (the others have no title tokens to count).
    pub(super) fn of(
        searcher: &Searcher,
        fields: &DatelineSchema,
        titled: &[bool],
    ) -> Result<Statistics> {
        let mut docs = 0u64;
        let mut text_tokens = 0u64;
        let mut title_tokens = 0u64;
        for (segment, &titled) in searcher.segment_readers().iter().zip(titled) {
            docs += u64::from(segment.max_doc());
            text_tokens += segment.inverted_index(fields.text)?.total_num_tokens();
            if titled {
                title_tokens += segment.inverted_index(fields.title)?.total_num_tokens();
            }
        }
        let docs = docs.max(1) as f32;
        Ok(Statistics {
            docs,
            text_tokens,
            avg_text: (text_tokens as f32 / docs).max(1.0),
            avg_title: (title_tokens as f32 / docs).max(1.0),
        })
    }

    /// BM25's idf over passages.
    pub(super) fn idf(&self, doc_freq: u64) -> f32 {
        bm25_idf(self.docs, doc_freq as f32)
    }
}

/// BM25's idf of a word found in `df` of `docs` units, never negative
/// (Lucene's form).
pub(super) fn bm25_idf(docs: f32, df: f32) -> f32 {
    (1.0 + (docs - df + 0.5) / (df + 0.5)).ln()
}

/// Scores documents of one segment, in increasing doc order.
pub(super) struct SegmentScorer<'a> {
    words: &'a [QueryWord],
    /// Each word's text postings, for positions: only with a proximity
    /// bonus.
    positioned: Vec<Option<SegmentPostings>>,
    pub(super) text_norms: tantivy::fieldnorm::FieldNormReader,
    title_norms: tantivy::fieldnorm::FieldNormReader,
    ranking: &'a Ranking,
    stats: &'a Statistics,
    /// The last scored document's title frequencies, length-normalised.
    pub(super) title_tfs: Vec<f32>,
    positions: Vec<Vec<u32>>,
}

impl<'a> SegmentScorer<'a> {
    pub(super) fn new(
        searcher: &Searcher,
        segment_ord: u32,
        fields: &DatelineSchema,
        words: &'a [QueryWord],
        ranking: &'a Ranking,
        stats: &'a Statistics,
    ) -> Result<SegmentScorer<'a>> {
        let segment = searcher.segment_reader(segment_ord);
        let text_index = segment.inverted_index(fields.text)?;
        let mut positioned = Vec::new();
        if ranking.proximity_weight > 0.0 {
            for word in words {
                positioned.push(match &word.text_term {
                    Some(term) => {
                        text_index.read_postings(term, IndexRecordOption::WithFreqsAndPositions)?
                    }
                    None => None,
                });
            }
        }
        Ok(SegmentScorer {
            words,
            positioned,
            text_norms: segment.get_fieldnorms_reader(fields.text)?,
            title_norms: segment.get_fieldnorms_reader(fields.title)?,
            ranking,
            stats,
            title_tfs: vec![0.0; words.len()],
            positions: vec![Vec::new(); words.len()],
        })
    }

    /// Scores `doc`, where the query words' (text, title) frequencies are
    /// `row`; documents must come in doc order. Leaves the normalised
    /// title frequencies in [`SegmentScorer::title_tfs`].
    pub(super) fn score(&mut self, doc: DocId, row: &[(u32, u32)]) -> f32 {
        let ranking = self.ranking;
        let (k1, b) = (ranking.k1, ranking.b);
        let proximity = ranking.proximity_weight > 0.0;
        // Fragments ("Harvested --") would otherwise win on length alone.
        let text_len =
            (self.text_norms.fieldnorm(doc) as f32).max(ranking.length_floor * self.stats.avg_text);
        let text_norm = 1.0 - b + b * text_len / self.stats.avg_text;
        let title_norm =
            1.0 - b + b * self.title_norms.fieldnorm(doc) as f32 / self.stats.avg_title;
        let mut score = 0.0;
        for (i, (word, &(text_tf, title_tf))) in self.words.iter().zip(row).enumerate() {
            if proximity {
                self.positions[i].clear();
                if let Some(text) = self.positioned[i].as_mut() {
                    if text.doc() < doc {
                        text.seek(doc);
                    }
                    if text.doc() == doc {
                        text.positions(&mut self.positions[i]);
                    }
                }
            }
            if text_tf == 0 && title_tf == 0 {
                // Most matches hold few of the query's words.
                self.title_tfs[i] = 0.0;
                continue;
            }
            self.title_tfs[i] = ratio(title_tf, title_norm);
            let tf = ratio(text_tf, text_norm) + ranking.title_weight * self.title_tfs[i];
            if tf > 0.0 && !(ranking.skip_stop_words && word.stop) {
                score += word.weight * word.idf * tf * (k1 + 1.0) / (tf + k1);
            }
        }
        if proximity {
            score += self.proximity_bonus();
        }
        score
    }

    /// The lengths in words of `doc`'s text and title.
    pub(super) fn lengths(&self, doc: DocId) -> (u32, u32) {
        (
            self.text_norms.fieldnorm(doc),
            self.title_norms.fieldnorm(doc),
        )
    }

    /// For each pair of query words next to each other in the query, the
    /// number of times they occur within the window, saturated like a term
    /// frequency and weighted by the rarer word's idf.
    fn proximity_bonus(&self) -> f32 {
        let positions = &self.positions;
        let k1 = self.ranking.k1;
        let mut bonus = 0.0;
        for pair in 0..self.words.len().saturating_sub(1) {
            let skipped = |w: &QueryWord| self.ranking.skip_stop_words && w.stop;
            if skipped(&self.words[pair]) || skipped(&self.words[pair + 1]) {
                continue;
            }
            let (a, b) = (&positions[pair], &positions[pair + 1]);
            let near = near_pairs(a, b, self.ranking.proximity_window) as f32;
            if near > 0.0 {
                let idf = self.words[pair].idf.min(self.words[pair + 1].idf);
                bonus += idf * near * (k1 + 1.0) / (near + k1);
            }
        }
        self.ranking.proximity_weight * bonus
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
}
