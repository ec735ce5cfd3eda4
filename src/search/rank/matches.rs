//! Every match of a query with its score, and the best of them as
//! passages.
//!
//! Matches are scored an article at a time (`scoring`). After a pruned
//! first pass (`prune`) only the articles that can reach the page are;
//! anything that asks for more (a longer prefix of the order, every
//! match, one match by address) scores what it needs first, so every
//! answer is the one scoring every match gives.
//!
//! Scoring a match reads only the query words' frequencies (read from
//! their postings beforehand), fieldnorms and the segment's article
//! spans. What a page needs beyond the score (the article id that
//! breaks ties and caps passages per article, the date, the story) are
//! random reads of large columns, which on a common word at a million
//! articles cost more than all the scoring: so they are read only for the
//! matches that can reach the page, [`ScoredMatches::best`], which is
//! exact: it keeps every match that ranks among the first `count` by tier
//! and score, ties included, and everything a page shows or counts lies
//! among them (see `search::page`).

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use tantivy::{DocAddress, DocId, Searcher};

use crate::error::Result;
use crate::index::article_column::ArticleColumn;
use crate::index::spans::ArticleSpans;
use crate::search::rank::prune;
use crate::search::rank::scoring::Scoring;
use crate::search::rank::{ScoredPassage, Top};

/// The matches of one query, by segment in doc order, with their scores:
/// all of them, or (after [`super::prune`]) those of the articles that
/// can reach the first `exact_top` places, the others scored on demand.
pub(crate) struct ScoredMatches {
    /// The matching documents of each segment, in doc order.
    pub(super) docs: Vec<Vec<DocId>>,
    /// Where each segment's matches start in `scores`.
    pub(super) offsets: Vec<usize>,
    /// The score of each match, segment after segment.
    pub(super) scores: Vec<f32>,
    /// Whether each match is scored yet; empty once all are.
    pub(super) scored: Vec<bool>,
    /// Whether any match is scored yet: until then a pruned pass need not
    /// look for those scored before.
    pub(super) scored_any: bool,
    /// Up to how many of the best matches [`ScoredMatches::best`] can give
    /// without scoring the rest.
    pub(super) exact_top: usize,
    /// The key of the `exact_top`th best match, when scoring found it.
    pub(super) top_key: Option<u64>,
    /// Where in `scores` the matches keyed at or above `top_key` are, in
    /// order, when the pruned pass that set it kept them (pruning by
    /// groups does): [`ScoredMatches::best`] then reads those instead of
    /// every match. `None` once other scores change.
    pub(super) top_places: Option<Vec<usize>>,
    /// The tier of each match, or empty when every tier is 0.
    tiers: Vec<u8>,
    /// Each segment's article ids.
    article_ids: Vec<Option<ArticleColumn>>,
    pub(super) scoring: Scoring,
}

impl ScoredMatches {
    /// `docs`, none of them scored yet.
    pub(super) fn new(
        searcher: &Searcher,
        docs: Vec<Vec<DocId>>,
        tiers: Vec<u8>,
        scoring: Scoring,
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
            .map(|segment| {
                ArticleColumn::cached(&scoring.columns, segment, &scoring.fields)
                    .ok()
                    .flatten()
            })
            .collect();
        let mut scores = vec![0.0; at];
        scoring.segments.fill(&mut scores, f32::NEG_INFINITY);
        ScoredMatches {
            docs,
            offsets,
            scores,
            scored: vec![false; at],
            scored_any: false,
            exact_top: 0,
            top_key: None,
            top_places: None,
            tiers,
            article_ids,
            scoring,
        }
    }

    /// How many passages matched.
    pub(crate) fn len(&self) -> usize {
        self.scores.len()
    }

    /// Scores every match not scored yet.
    pub(super) fn score_all(&mut self) -> Result<()> {
        if self.scored.is_empty() {
            return Ok(());
        }
        self.top_places = None;
        let (parts, scoring, _) = self.parts();
        scoring.segments.try_map(parts, |part| {
            if part.scored.iter().all(|&scored| scored) {
                return Ok(());
            }
            let mut scorer = scoring.segment(part.segment)?;
            let (docs, spans) = (part.docs, &scoring.spans[part.segment as usize]);
            let mut at = 0;
            while at < docs.len() {
                let end = spans.end_of(docs[at]);
                let len = skip_below(&docs[at..], end);
                // An article is scored whole or not at all.
                if !part.scored[at] {
                    scorer.score_article(&docs[at..at + len], at, &mut part.scores[at..][..len]);
                }
                at += len;
            }
            Ok(())
        })?;
        self.scored = Vec::new();
        self.exact_top = usize::MAX;
        self.top_key = None;
        Ok(())
    }

    /// Each segment's matches with their scores, to be scored apart (on
    /// several threads), how to score them, and each segment's article
    /// ids.
    pub(super) fn parts(
        &mut self,
    ) -> (Vec<SegmentMatches<'_>>, &Scoring, &[Option<ArticleColumn>]) {
        let mut parts = Vec::with_capacity(self.docs.len());
        let (mut scores, mut scored) = (&mut self.scores[..], &mut self.scored[..]);
        for (segment, docs) in self.docs.iter().enumerate() {
            let (these, rest) = std::mem::take(&mut scores).split_at_mut(docs.len());
            scores = rest;
            let flags = match scored.is_empty() {
                true => &mut [][..],
                false => {
                    let (flags, rest) = std::mem::take(&mut scored).split_at_mut(docs.len());
                    scored = rest;
                    flags
                }
            };
            if !docs.is_empty() {
                parts.push(SegmentMatches {
                    segment: segment as u32,
                    docs,
                    scores: these,
                    scored: flags,
                });
            }
        }
        (parts, &self.scoring, &self.article_ids)
    }

    /// Scores the article holding the `at`th match of `segment`, unless it
    /// is scored.
    fn score_article_at(&mut self, segment: usize, at: usize) -> Result<()> {
        let offset = self.offsets[segment];
        if self.scored.get(offset + at).is_none_or(|&scored| scored) {
            return Ok(());
        }
        self.top_places = None;
        let docs = &self.docs[segment];
        let (first, last) = article_at(docs, &self.scoring.spans[segment], at, 0);
        let mut scoring = self.scoring.segment(segment as u32)?;
        let scores = &mut self.scores[offset + first..offset + last];
        scoring.score_article(&docs[first..last], first, scores);
        self.scored[offset + first..offset + last].fill(true);
        self.scored_any = true;
        Ok(())
    }

    /// Changes scores: `change` is called with every match's address and
    /// its score.
    pub(crate) fn adjust(&mut self, mut change: impl FnMut(DocAddress, &mut f32)) -> Result<()> {
        self.score_all()?;
        for (segment, docs) in self.docs.iter().enumerate() {
            let scores = &mut self.scores[self.offsets[segment]..][..docs.len()];
            for (&doc, score) in docs.iter().zip(scores) {
                change(DocAddress::new(segment as u32, doc), score);
            }
        }
        Ok(())
    }

    /// How many of the best matches a pruned pass scored, every match
    /// tied with the last included: [`ScoredMatches::best`] of that many
    /// scores nothing more. `None` once every match is scored.
    pub(crate) fn exact_top(&self) -> Option<usize> {
        (self.exact_top != usize::MAX).then_some(self.exact_top)
    }

    /// Every match as a passage, in doc order.
    pub(crate) fn all(&mut self) -> Result<Vec<ScoredPassage>> {
        self.score_all()?;
        Ok(self.collect(|_| true))
    }

    /// The matches that rank among the first `count` by tier and score,
    /// and every match tied with the last of those: exactly the matches a
    /// relevance order can put among its first `count`, whatever breaks
    /// the ties. In doc order.
    pub(crate) fn best(&mut self, count: usize) -> Result<Vec<ScoredPassage>> {
        if count >= self.len() {
            return self.all();
        }
        if count == 0 {
            return Ok(Vec::new());
        }
        if count > self.exact_top {
            match prune::applies(self) {
                true => prune::score_best(self, Top::Matches(count))?,
                false => self.score_all()?,
            }
        }
        if let Some(threshold) = self.top_key.filter(|_| count == self.exact_top) {
            if let Some(places) = &self.top_places {
                return Ok(self.passages_at(&self.locate(places)));
            }
            return Ok(self.collect(|i| self.key(i) >= threshold));
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
        Ok(self.collect(|i| self.key(i) >= threshold))
    }

    /// The match at `address`, if the document matched.
    pub(crate) fn get(&mut self, address: DocAddress) -> Result<Option<ScoredPassage>> {
        let segment = address.segment_ord as usize;
        let Some(docs) = self.docs.get(segment) else {
            return Ok(None);
        };
        let Ok(at) = docs.binary_search(&address.doc_id) else {
            return Ok(None);
        };
        self.score_article_at(segment, at)?;
        Ok(Some(self.passage(segment, at)))
    }

    /// Every match's address, in the order of their places in `scores`.
    pub(crate) fn addresses(&self) -> impl Iterator<Item = DocAddress> + '_ {
        (self.docs.iter().enumerate()).flat_map(|(segment, docs)| {
            (docs.iter()).map(move |&doc| DocAddress::new(segment as u32, doc))
        })
    }

    /// The matches at `places` in `scores` (increasing), each scored with
    /// its article first if it was not.
    pub(crate) fn scored_at(&mut self, places: &[usize]) -> Result<Vec<ScoredPassage>> {
        let located = self.locate(places);
        for &(segment, at) in &located {
            self.score_article_at(segment, at)?;
        }
        Ok(self.passages_at(&located))
    }

    /// The segment of each of `places` in `scores` (increasing), and the
    /// match's place among the segment's.
    fn locate(&self, places: &[usize]) -> Vec<(usize, usize)> {
        let mut segment = 0;
        (places.iter())
            .map(|&place| {
                while place >= self.offsets[segment] + self.docs[segment].len() {
                    segment += 1;
                }
                (segment, place - self.offsets[segment])
            })
            .collect()
    }

    /// The matches `located` ([`ScoredMatches::locate`]).
    fn passages_at(&self, located: &[(usize, usize)]) -> Vec<ScoredPassage> {
        (located.iter())
            .map(|&(segment, at)| self.passage(segment, at))
            .collect()
    }

    /// The matches `keep` keeps (by their place in `scores`), in doc order.
    fn collect(&self, keep: impl Fn(usize) -> bool + Sync) -> Vec<ScoredPassage> {
        let segments: Vec<usize> = (0..self.docs.len()).collect();
        let kept = self.scoring.segments.map(segments, |segment| {
            let offset = self.offsets[segment];
            (0..self.docs[segment].len())
                .filter(|&at| keep(offset + at))
                .map(|at| self.passage(segment, at))
                .collect::<Vec<_>>()
        });
        kept.concat()
    }

    pub(super) fn passage(&self, segment: usize, at: usize) -> ScoredPassage {
        let i = self.offsets[segment] + at;
        let doc = self.docs[segment][at];
        ScoredPassage {
            address: DocAddress::new(segment as u32, doc),
            article_id: self
                .article_ids
                .get(segment)
                .and_then(Option::as_ref)
                .and_then(|column| column.id(doc))
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

/// One segment's share of [`ScoredMatches`].
pub(super) struct SegmentMatches<'a> {
    pub(super) segment: u32,
    /// Its matches, in doc order.
    pub(super) docs: &'a [DocId],
    pub(super) scores: &'a mut [f32],
    /// Whether each match is scored (empty when every match is).
    pub(super) scored: &'a mut [bool],
}

/// The matches `first..last` of `docs` (a segment's, in doc order) that
/// belong to the article holding the `at`th, none of them before `from`.
pub(super) fn article_at(
    docs: &[DocId],
    spans: &ArticleSpans,
    at: usize,
    from: usize,
) -> (usize, usize) {
    let (start, end) = (spans.start_of(docs[at]), spans.end_of(docs[at]));
    let first = from + docs[from..at].partition_point(|&doc| doc < start);
    (first, at + skip_below(&docs[at..], end))
}

/// How many of `docs` (increasing) come before `target`: a galloping
/// search, as cheap as a scan when the answer is near the start (an
/// article's few passages) and logarithmic when it is far.
pub(super) fn skip_below(docs: &[DocId], target: DocId) -> usize {
    let mut bound = 1;
    while bound <= docs.len() && docs[bound - 1] < target {
        bound *= 2;
    }
    let from = bound / 2;
    let to = bound.min(docs.len());
    from + docs[from..to].partition_point(|&doc| doc < target)
}

/// `score`'s bits, mapped so that unsigned order is `f32::total_cmp`'s.
pub(super) fn ordered_bits(score: f32) -> u32 {
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
    fn skip_below_counts_the_smaller_docs() {
        let docs: Vec<DocId> = (0..100).map(|d| d * 2).collect();
        for target in 0..210 {
            let expected = docs.iter().filter(|&&d| d < target).count();
            assert_eq!(skip_below(&docs, target), expected, "{target}");
        }
        assert_eq!(skip_below(&[], 5), 0);
    }

    #[test]
    fn ordered_bits_keep_the_order_of_scores() {
        let scores = [-2.0f32, -0.5, -0.0, 0.0, 0.25, 1.0, 7.5, f32::INFINITY];
        for pair in scores.windows(2) {
            assert!(ordered_bits(pair[0]) <= ordered_bits(pair[1]), "{pair:?}");
        }
    }
}
