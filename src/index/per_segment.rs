//! Facts about a segment kept while it is searched.
//!
//! A segment's documents never change (deleting one only marks it), so
//! what is read from a segment once (where its articles start, whether it
//! holds titles) holds as long as the segment exists. A program that
//! searches many times (`dateline serve`, `eval`, the benchmark) reads it
//! once per segment, and forgets it when the segment is merged away.

use std::collections::{HashMap, HashSet};
use std::sync::{Mutex, PoisonError};

use tantivy::index::SegmentId;
use tantivy::{Searcher, SegmentReader};

/// One fact per segment, by segment id.
pub(crate) struct PerSegment<T> {
    by_segment: Mutex<HashMap<SegmentId, T>>,
}

impl<T> Default for PerSegment<T> {
    fn default() -> Self {
        PerSegment {
            by_segment: Mutex::default(),
        }
    }
}

impl<T: Clone> PerSegment<T> {
    /// The fact of each of `searcher`'s segments, by segment ordinal: kept,
    /// or read with `read` and kept. Segments `searcher` no longer has are
    /// forgotten.
    pub(crate) fn of<E>(
        &self,
        searcher: &Searcher,
        read: impl FnMut(&SegmentReader) -> Result<T, E>,
    ) -> Result<Vec<T>, E> {
        self.of_keeping(searcher, read, |_| true)
    }

    /// [`PerSegment::of`], keeping only the facts `keep` accepts: the
    /// others are read again at the next call. For facts written after
    /// their segment, which a search may look for before they exist.
    pub(crate) fn of_keeping<E>(
        &self,
        searcher: &Searcher,
        mut read: impl FnMut(&SegmentReader) -> Result<T, E>,
        keep: impl Fn(&T) -> bool,
    ) -> Result<Vec<T>, E> {
        let mut kept = self
            .by_segment
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let segments = searcher.segment_readers();
        let live: HashSet<SegmentId> = segments.iter().map(SegmentReader::segment_id).collect();
        kept.retain(|id, _| live.contains(id));
        let mut facts = Vec::with_capacity(segments.len());
        for segment in segments {
            let fact = match kept.get(&segment.segment_id()) {
                Some(fact) => fact.clone(),
                None => {
                    let fact = read(segment)?;
                    if keep(&fact) {
                        kept.insert(segment.segment_id(), fact.clone());
                    }
                    fact
                }
            };
            facts.push(fact);
        }
        Ok(facts)
    }

    /// How many segments' facts are kept.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.by_segment
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }
}
