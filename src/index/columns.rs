//! The fast-field columns search reads beside tantivy's own readers (the
//! article ids, stories, days, dates and passage kinds), opened once per
//! segment and kept while the segment is searched.
//!
//! Opening a column parses its header and, for the block-wise codec
//! tantivy picks for most of these, the header of every block of 512
//! values. At ten million articles, in 180 segments, opening them afresh
//! for every query was a fifth of a date-filtered search in a program that
//! searches many times (`dateline serve`, `eval`). A segment's documents
//! never change, so its columns hold as long as it exists; a column is a
//! handle on the mapped index file, so keeping one costs a few words.

use std::collections::{HashMap, HashSet};
use std::sync::{Mutex, PoisonError};

use tantivy::columnar::{Column, DynamicColumn, HasAssociatedColumnType};
use tantivy::index::SegmentId;
use tantivy::schema::Field;
use tantivy::{Searcher, SegmentReader};

/// Columns of one type by segment and field; `None` for a segment that
/// has none.
type Columns<T> = Mutex<HashMap<(SegmentId, Field), Option<Column<T>>>>;

/// Opened columns by segment and field (see the module documentation).
#[derive(Default)]
pub(crate) struct ColumnCache {
    u64s: Columns<u64>,
    i64s: Columns<i64>,
}

impl ColumnCache {
    /// The u64 column of `field` in `segment`; `None` when the segment has
    /// none.
    pub(crate) fn u64(
        &self,
        segment: &SegmentReader,
        field: Field,
    ) -> tantivy::Result<Option<Column<u64>>> {
        cached(&self.u64s, segment, field)
    }

    /// The i64 column of `field` in `segment`, as [`ColumnCache::u64`].
    pub(crate) fn i64(
        &self,
        segment: &SegmentReader,
        field: Field,
    ) -> tantivy::Result<Option<Column<i64>>> {
        cached(&self.i64s, segment, field)
    }

    /// Forgets the columns of segments `searcher` no longer has (merged
    /// away).
    pub(crate) fn retain(&self, searcher: &Searcher) {
        let segments: HashSet<SegmentId> = (searcher.segment_readers().iter())
            .map(SegmentReader::segment_id)
            .collect();
        lock(&self.u64s).retain(|(id, _), _| segments.contains(id));
        lock(&self.i64s).retain(|(id, _), _| segments.contains(id));
    }
}

impl ColumnCache {
    /// How many columns (or their absence) are kept.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        lock(&self.u64s).len() + lock(&self.i64s).len()
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

fn cached<T>(
    columns: &Columns<T>,
    segment: &SegmentReader,
    field: Field,
) -> tantivy::Result<Option<Column<T>>>
where
    T: HasAssociatedColumnType,
    DynamicColumn: Into<Option<Column<T>>>,
{
    let key = (segment.segment_id(), field);
    if let Some(column) = lock(columns).get(&key) {
        return Ok(column.clone());
    }
    // Opened outside the lock: two threads may both open it, and the
    // second keeps its own.
    let name = segment.schema().get_field_name(field);
    let column = segment.fast_fields().column_opt::<T>(name)?;
    lock(columns).insert(key, column.clone());
    Ok(column)
}
