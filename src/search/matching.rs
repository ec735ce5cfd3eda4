//! Collecting the documents a query matches, segment by segment, in doc
//! order.
//!
//! tantivy's `DocSetCollector` answers with a `HashSet<DocAddress>`: every
//! match is hashed once to collect and again for each lookup, and ranking
//! then had to regroup and re-sort the set by segment. On a common word that
//! was a third of a search's time. Scoring walks postings in doc order, so
//! the natural shape is one sorted list of doc ids per segment.

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::{DocId, Score, SegmentOrdinal, SegmentReader};

/// The matching doc ids of every segment, indexed by segment ordinal, each
/// list in increasing order.
pub(crate) struct MatchingDocs;

impl Collector for MatchingDocs {
    type Fruit = Vec<Vec<DocId>>;
    type Child = SegmentDocs;

    fn for_segment(
        &self,
        segment: SegmentOrdinal,
        _reader: &SegmentReader,
    ) -> tantivy::Result<SegmentDocs> {
        Ok(SegmentDocs {
            segment,
            docs: Vec::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(
        &self,
        fruits: Vec<(SegmentOrdinal, Vec<DocId>)>,
    ) -> tantivy::Result<Vec<Vec<DocId>>> {
        let segments = fruits.iter().map(|(ord, _)| *ord as usize + 1).max();
        let mut by_segment = vec![Vec::new(); segments.unwrap_or(0)];
        for (ord, docs) in fruits {
            // Doc sets yield in doc order (a pass to check it cost a
            // millisecond on a common word at ten million articles).
            debug_assert!(docs.is_sorted());
            by_segment[ord as usize] = docs;
        }
        Ok(by_segment)
    }
}

/// One segment's share of [`MatchingDocs`].
pub(crate) struct SegmentDocs {
    segment: SegmentOrdinal,
    docs: Vec<DocId>,
}

impl SegmentCollector for SegmentDocs {
    type Fruit = (SegmentOrdinal, Vec<DocId>);

    fn collect(&mut self, doc: DocId, _score: Score) {
        self.docs.push(doc);
    }

    fn collect_block(&mut self, docs: &[DocId]) {
        self.docs.extend_from_slice(docs);
    }

    fn harvest(self) -> (SegmentOrdinal, Vec<DocId>) {
        (self.segment, self.docs)
    }
}

/// Whether `doc` is in `sorted`, for docs asked in increasing order: the
/// cursor only moves forward, so a whole segment costs one pass.
pub(crate) struct SortedMembership<'a> {
    sorted: &'a [DocId],
    at: usize,
}

impl<'a> SortedMembership<'a> {
    /// Membership in `sorted` (increasing doc ids).
    pub(crate) fn new(sorted: &'a [DocId]) -> SortedMembership<'a> {
        SortedMembership { sorted, at: 0 }
    }

    /// Whether `doc` is in the list; `doc` must not be smaller than the
    /// previous one asked.
    pub(crate) fn contains(&mut self, doc: DocId) -> bool {
        while self.at < self.sorted.len() && self.sorted[self.at] < doc {
            self.at += 1;
        }
        self.sorted.get(self.at) == Some(&doc)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn membership_walks_forward_through_a_sorted_list() {
        let docs = [2, 5, 9];
        let mut member = SortedMembership::new(&docs);
        let asked: Vec<bool> = [0, 2, 3, 5, 9, 10]
            .into_iter()
            .map(|doc| member.contains(doc))
            .collect();
        assert_eq!(asked, [false, true, false, true, true, false]);
    }
}
