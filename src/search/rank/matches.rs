//! Every match of a query with its score, and the best of them as
//! passages.
//!
//! Scoring a match reads only postings, fieldnorms and the segment's
//! article spans. What a page needs beyond the score (the article id that
//! breaks ties and caps passages per article, the date, the story) are
//! random reads of large columns, which on a common word at a million
//! articles cost more than all the scoring: so they are read only for the
//! matches that can reach the page, [`ScoredMatches::best`], which is
//! exact: it keeps every match that ranks among the first `count` by tier
//! and score, ties included, and everything a page shows or counts lies
//! among them (see `search::page`).

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use tantivy::columnar::Column;
use tantivy::{DocAddress, DocId, Searcher};

use crate::search::rank::ScoredPassage;

/// The scored matches of one query, by segment in doc order.
pub(crate) struct ScoredMatches {
    /// The matching documents of each segment, in doc order.
    docs: Vec<Vec<DocId>>,
    /// Where each segment's matches start in `scores`.
    offsets: Vec<usize>,
    /// The score of each match, segment after segment.
    scores: Vec<f32>,
    /// The tier of each match, or empty when every tier is 0.
    tiers: Vec<u8>,
    /// Each segment's `article_id` column.
    article_ids: Vec<Option<Column<u64>>>,
}

impl ScoredMatches {
    pub(super) fn new(
        searcher: &Searcher,
        docs: Vec<Vec<DocId>>,
        scores: Vec<f32>,
        tiers: Vec<u8>,
    ) -> ScoredMatches {
        let mut offsets = Vec::with_capacity(docs.len());
        let mut at = 0;
        for segment in &docs {
            offsets.push(at);
            at += segment.len();
        }
        let article_ids = searcher
            .segment_readers()
            .iter()
            .map(|segment| segment.fast_fields().u64("article_id").ok())
            .collect();
        ScoredMatches {
            docs,
            offsets,
            scores,
            tiers,
            article_ids,
        }
    }

    /// How many passages matched.
    pub(crate) fn len(&self) -> usize {
        self.scores.len()
    }

    /// Changes scores: `change` is called with every match's address and
    /// its score.
    pub(crate) fn adjust(&mut self, mut change: impl FnMut(DocAddress, &mut f32)) {
        for (segment, docs) in self.docs.iter().enumerate() {
            let scores = &mut self.scores[self.offsets[segment]..][..docs.len()];
            for (&doc, score) in docs.iter().zip(scores) {
                change(DocAddress::new(segment as u32, doc), score);
            }
        }
    }

    /// Every match as a passage, in doc order.
    pub(crate) fn all(&self) -> Vec<ScoredPassage> {
        self.collect(|_| true)
    }

    /// The matches that rank among the first `count` by tier and score,
    /// and every match tied with the last of those: exactly the matches a
    /// relevance order can put among its first `count`, whatever breaks
    /// the ties. In doc order.
    pub(crate) fn best(&self, count: usize) -> Vec<ScoredPassage> {
        if count >= self.len() {
            return self.all();
        }
        if count == 0 {
            return Vec::new();
        }
        // The `count` largest keys; most matches lose one comparison.
        let mut largest: BinaryHeap<Reverse<u64>> = BinaryHeap::with_capacity(count + 1);
        for i in 0..self.len() {
            let key = self.key(i);
            if largest.len() < count {
                largest.push(Reverse(key));
            } else if largest.peek().is_some_and(|&Reverse(least)| key > least) {
                largest.pop();
                largest.push(Reverse(key));
            }
        }
        let threshold = largest.peek().map_or(0, |&Reverse(least)| least);
        self.collect(|i| self.key(i) >= threshold)
    }

    /// The match at `address`, if the document matched.
    pub(crate) fn get(&self, address: DocAddress) -> Option<ScoredPassage> {
        let segment = address.segment_ord as usize;
        let at = self
            .docs
            .get(segment)?
            .binary_search(&address.doc_id)
            .ok()?;
        Some(self.passage(segment, at))
    }

    fn collect(&self, keep: impl Fn(usize) -> bool) -> Vec<ScoredPassage> {
        let mut passages = Vec::new();
        for (segment, docs) in self.docs.iter().enumerate() {
            for at in 0..docs.len() {
                if keep(self.offsets[segment] + at) {
                    passages.push(self.passage(segment, at));
                }
            }
        }
        passages
    }

    fn passage(&self, segment: usize, at: usize) -> ScoredPassage {
        let i = self.offsets[segment] + at;
        let doc = self.docs[segment][at];
        ScoredPassage {
            address: DocAddress::new(segment as u32, doc),
            article_id: self
                .article_ids
                .get(segment)
                .and_then(Option::as_ref)
                .and_then(|column| column.first(doc))
                .unwrap_or(u64::MAX),
            score: self.scores[i],
            tier: self.tiers.get(i).copied().unwrap_or(0),
        }
    }

    /// Tier, then score, as one number ordered like them.
    fn key(&self, i: usize) -> u64 {
        let tier = u64::from(self.tiers.get(i).copied().unwrap_or(0));
        (tier << 32) | u64::from(ordered_bits(self.scores[i]))
    }
}

/// `score`'s bits, mapped so that unsigned order is `f32::total_cmp`'s.
fn ordered_bits(score: f32) -> u32 {
    let bits = score.to_bits();
    if bits >> 31 == 1 {
        !bits
    } else {
        bits | 0x8000_0000
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordered_bits_keep_the_order_of_scores() {
        let scores = [-2.0f32, -0.5, -0.0, 0.0, 0.25, 1.0, 7.5, f32::INFINITY];
        for pair in scores.windows(2) {
            assert!(ordered_bits(pair[0]) <= ordered_bits(pair[1]), "{pair:?}");
        }
    }
}
