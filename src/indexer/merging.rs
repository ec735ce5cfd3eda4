//! Which segments tantivy merges in the background while dateline writes.
//!
//! A bulk build fills the writer's memory budget again and again, and each
//! time tantivy writes a segment of a few hundred thousand passages.
//! tantivy's default policy merges eight such segments into one as soon as
//! there are eight: at a million articles that was a tenth of the indexing
//! CPU, and the merges a final commit started kept the run waiting another
//! ten seconds, for searches that measured about the same (twenty
//! budget-sized segments against ten merged ones, the benchmark's 210
//! queries: p99 74 against 75 ms, date-filtered p50 8.9 against 7.5 ms and
//! p99 25.3 against 25.0 ms). So [`SmallSegmentsFirst`] leaves segments of
//! that size alone and merges only small ones, the tails cut by commits and
//! what incremental runs add, in tantivy's log-sized levels. A large
//! segment is still rewritten once most of it is deleted, so re-indexed
//! files do not keep their old passages on disk for ever.

use tantivy::SegmentMeta;
use tantivy::indexer::{LogMergePolicy, MergeCandidate, MergePolicy};

/// Passages from which a segment counts as large: a segment the default
/// 128 MiB budget fills holds about 300,000.
const LARGE_SEGMENT_DOCS: u32 = 100_000;

/// tantivy's [`LogMergePolicy`] for segments of at most
/// [`LARGE_SEGMENT_DOCS`] documents (deleted ones included); a larger one
/// is only rewritten, alone, when more than half of it is deleted.
#[derive(Debug, Default)]
pub struct SmallSegmentsFirst {
    small: LogMergePolicy,
}

impl MergePolicy for SmallSegmentsFirst {
    fn compute_merge_candidates(&self, segments: &[SegmentMeta]) -> Vec<MergeCandidate> {
        let (large, small): (Vec<SegmentMeta>, Vec<SegmentMeta>) = segments
            .iter()
            .cloned()
            .partition(|s| s.max_doc() > LARGE_SEGMENT_DOCS);
        let mut candidates = self.small.compute_merge_candidates(&small);
        candidates.extend(
            large
                .iter()
                .filter(|s| s.num_deleted_docs() > s.num_docs())
                .map(|s| MergeCandidate(vec![s.id()])),
        );
        candidates
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::Index;
    use tantivy::index::SegmentId;
    use tantivy::schema::Schema;

    fn segments(sizes: &[(u32, u32)]) -> Vec<SegmentMeta> {
        let index = Index::create_in_ram(Schema::builder().build());
        sizes
            .iter()
            .map(|&(docs, deleted)| {
                let meta = index.new_segment_meta(SegmentId::generate_random(), docs);
                if deleted > 0 {
                    meta.with_delete_meta(deleted, 1)
                } else {
                    meta
                }
            })
            .collect()
    }

    fn merged(sizes: &[(u32, u32)]) -> Vec<Vec<u32>> {
        let segments = segments(sizes);
        let mut merged: Vec<Vec<u32>> = SmallSegmentsFirst::default()
            .compute_merge_candidates(&segments)
            .into_iter()
            .map(|candidate| {
                let mut sizes: Vec<u32> = candidate
                    .0
                    .iter()
                    .filter_map(|id| segments.iter().find(|s| s.id() == *id))
                    .map(SegmentMeta::max_doc)
                    .collect();
                sizes.sort_unstable();
                sizes
            })
            .collect();
        merged.sort();
        merged
    }

    #[test]
    fn budget_sized_segments_of_a_bulk_build_are_left_alone() {
        assert!(merged(&[(320_000, 0); 20]).is_empty());
    }

    #[test]
    fn small_segments_are_merged_in_levels_as_tantivy_does() {
        let mut sizes = vec![(320_000, 0); 4];
        sizes.extend([(5_000, 0); 8]);
        assert_eq!(merged(&sizes), vec![vec![5_000; 8]]);
        assert!(merged(&[(5_000, 0); 7]).is_empty());
    }

    #[test]
    fn a_large_segment_mostly_deleted_is_rewritten_alone() {
        assert_eq!(
            merged(&[(320_000, 250_000), (320_000, 100_000)]),
            vec![vec![320_000]]
        );
    }
}
