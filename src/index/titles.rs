//! Which segments hold titles.
//!
//! A field no document of a segment holds has no term dictionary there,
//! and tantivy answers a look-up in it with an empty dictionary it builds
//! once per process: an FST builder with a large table, about half a
//! millisecond, a tenth of a one-shot `dateline search` over a folder of
//! the reference format, which has no titles. So search asks each
//! segment's term file which fields it holds (a look at its footer) and
//! leaves the title out where there is none: no title can match or score
//! there, so the results are the same.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

use tantivy::directory::CompositeFile;
use tantivy::index::{SegmentComponent, SegmentId};
use tantivy::schema::Field;
use tantivy::{Index, Searcher, SegmentReader};

/// Whether each segment searched last holds titles, kept like the article
/// spans: a segment's documents never change.
#[derive(Default)]
pub(crate) struct TitlesCache {
    by_segment: Mutex<HashMap<SegmentId, bool>>,
}

impl TitlesCache {
    /// Whether each of `searcher`'s segments holds terms of `title`, by
    /// segment ordinal. Segments no longer searched are forgotten.
    pub(crate) fn of(&self, searcher: &Searcher, title: Field) -> Vec<bool> {
        let mut cached = self
            .by_segment
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let segments = searcher.segment_readers();
        cached.retain(|id, _| segments.iter().any(|segment| segment.segment_id() == *id));
        segments
            .iter()
            .map(|segment| {
                *cached
                    .entry(segment.segment_id())
                    .or_insert_with(|| holds(searcher.index(), segment, title))
            })
            .collect()
    }
}

/// Whether `segment` has a term dictionary for `field`; when its term file
/// cannot be read, as if it had (tantivy then says what is wrong).
fn holds(index: &Index, segment: &SegmentReader, field: Field) -> bool {
    let meta = index.new_segment_meta(segment.segment_id(), segment.max_doc());
    let Ok(terms) = index.segment(meta).open_read(SegmentComponent::Terms) else {
        return true;
    };
    CompositeFile::open(&terms).map_or(true, |composite| composite.open_read(field).is_some())
}

#[cfg(test)]
mod tests {
    use crate::index::OpenIndex;
    use crate::indexer::{IndexOptions, NoProgress, index_paths};
    use crate::search::{SearchRequest, search};

    /// A folder of the reference format has no titles; once a titled
    /// article joins (in a segment of its own), its title is searched.
    #[test]
    fn segments_without_titles_are_known_and_titles_found_where_they_are() {
        let folder = tempfile::tempdir().unwrap();
        let articles = folder.path().join("articles");
        std::fs::create_dir(&articles).unwrap();
        std::fs::write(
            articles.join("plain.txt"),
            " date 1987-03-02 Growers met the traders.\n",
        )
        .unwrap();
        let index_dir = folder.path().join("index");
        let options = IndexOptions::new(vec![articles.clone()], index_dir.clone());
        index_paths(&options, &mut NoProgress).unwrap();
        let index = OpenIndex::open(&index_dir).unwrap();
        let searcher = index.snapshot().unwrap();
        assert_eq!(index.titled_segments(&searcher), [false]);

        std::fs::write(
            articles.join("titled.md"),
            "---\ntitle: Cocoa report\ndate: 1987-03-03\n---\n\nGrowers left early.\n",
        )
        .unwrap();
        index_paths(&options, &mut NoProgress).unwrap();
        let index = OpenIndex::open(&index_dir).unwrap();
        let searcher = index.snapshot().unwrap();
        let titled = index.titled_segments(&searcher);
        assert!(titled.contains(&true), "{titled:?}");
        let request = SearchRequest {
            query: "cocoa".to_string(),
            limit: 10,
            ..SearchRequest::default()
        };
        let results = search(&index, &request).unwrap();
        assert_eq!(results.hits.len(), 1);
        assert_eq!(results.hits[0].title.as_deref(), Some("Cocoa report"));
    }
}
