//! Which segments hold titles.
//!
//! A field no document of a segment holds has no term dictionary there,
//! and tantivy answers a look-up in it with an empty dictionary it builds
//! once per process: an FST builder with a large table, about half a
//! millisecond, a tenth of a one-shot `dateline search` over a folder of
//! the reference format, which has no titles. So search asks each
//! segment's term file which fields it holds (a look at its footer) and
//! leaves the title out where there is none: no title can match or score
//! there, so the results are the same. An open index keeps the answer per
//! segment (`index::per_segment`).

use tantivy::directory::CompositeFile;
use tantivy::index::SegmentComponent;
use tantivy::schema::Field;
use tantivy::{Index, SegmentReader};

/// Whether `segment` has a term dictionary for `field`; when its term file
/// cannot be read, as if it had (tantivy then says what is wrong).
pub(crate) fn holds(index: &Index, segment: &SegmentReader, field: Field) -> bool {
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
