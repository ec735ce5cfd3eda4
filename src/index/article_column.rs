//! The article-id column: one value per article, on its first passage,
//! read from any of the article's passages.
//!
//! An article's passages are consecutive documents of one segment and each
//! article has exactly one first passage, so the article holding a document
//! is the last one with an id at or before it. tantivy keeps a column with
//! values on some documents only as an optional index (a bitset in blocks,
//! with the count of values before each block) beside the values, so that
//! article is found by counting the values before the document (`rank`) and
//! its first passage by the inverse (`select`), without a per-passage
//! value: a random 64-bit id on every passage took 8 bytes a passage, 5% of
//! the raw text at a million articles. A passage's place in its article is
//! likewise its distance from that first passage.

use tantivy::columnar::column_index::Set;
use tantivy::columnar::{Column, ColumnIndex};
use tantivy::{DocId, SegmentReader};

use crate::index::DatelineSchema;
use crate::index::columns::ColumnCache;
use crate::index::schema::ARTICLE_COLUMN;

/// One segment's article-id column.
#[derive(Clone)]
pub(crate) struct ArticleColumn {
    column: Column<u64>,
}

impl ArticleColumn {
    /// The column of `segment`; `None` when the segment has no article.
    pub(crate) fn of(segment: &SegmentReader) -> tantivy::Result<Option<ArticleColumn>> {
        let column = segment.fast_fields().column_opt::<u64>(ARTICLE_COLUMN)?;
        Ok(column.map(|column| ArticleColumn { column }))
    }

    /// The column of `segment`, through `cache`.
    pub(crate) fn cached(
        cache: &ColumnCache,
        segment: &SegmentReader,
        fields: &DatelineSchema,
    ) -> tantivy::Result<Option<ArticleColumn>> {
        let column = cache.u64(segment, fields.article_column)?;
        Ok(column.map(|column| ArticleColumn { column }))
    }

    /// The number of the article holding `doc` among the segment's
    /// articles, in document order.
    pub(crate) fn ordinal(&self, doc: DocId) -> Option<u32> {
        match &self.column.index {
            ColumnIndex::Full => Some(doc),
            ColumnIndex::Optional(index) => index.rank(doc.saturating_add(1)).checked_sub(1),
            ColumnIndex::Empty { .. } | ColumnIndex::Multivalued(_) => None,
        }
    }

    /// The id of the article holding `doc`.
    pub(crate) fn id(&self, doc: DocId) -> Option<u64> {
        self.ordinal(doc).map(|row| self.column.values.get_val(row))
    }

    /// The first passage of the article holding `doc`.
    pub(crate) fn first_passage(&self, doc: DocId) -> Option<DocId> {
        let row = self.ordinal(doc)?;
        match &self.column.index {
            ColumnIndex::Optional(index) => Some(index.select(row)),
            _ => Some(row),
        }
    }

    /// Whether `doc` is an article's first passage.
    pub(crate) fn is_first_passage(&self, doc: DocId) -> bool {
        self.column.index.has_value(doc)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use tantivy::schema::IndexRecordOption;
    use tantivy::{DocSet, TERMINATED};

    use super::*;
    use crate::index::OpenIndex;
    use crate::indexer::index_on_one_thread;

    /// Indexes one article per entry of `paragraphs` (that many paragraphs
    /// each) on one thread, so the index has one segment.
    fn index_of(paragraphs: &[usize]) -> (tempfile::TempDir, OpenIndex) {
        let folder = tempfile::tempdir().unwrap();
        let articles = folder.path().join("articles");
        std::fs::create_dir(&articles).unwrap();
        for (i, &count) in paragraphs.iter().enumerate() {
            let body: Vec<String> = (0..count)
                .map(|n| format!("Paragraph {n} of article {i} on cocoa."))
                .collect();
            let text = format!(" date 1987-03-02 {}\n", body.join("\n\n"));
            std::fs::write(articles.join(format!("{i:02}.txt")), text).unwrap();
        }
        let index = index_on_one_thread(articles, &folder.path().join("index"));
        (folder, index)
    }

    /// Checks every document against the postings of the `article_id`
    /// terms: its id, its article's first passage and the article's number.
    fn check(index: &OpenIndex) -> ColumnIndex {
        let searcher = index.snapshot().unwrap();
        let segment = &searcher.segment_readers()[0];
        let mut owner: HashMap<DocId, (u64, DocId)> = HashMap::new();
        let inverted = segment.inverted_index(index.fields.article_id).unwrap();
        let mut terms = inverted.terms().stream().unwrap();
        while terms.advance() {
            let id = u64::from_be_bytes(terms.key().try_into().unwrap());
            let mut postings = inverted
                .read_postings_from_terminfo(terms.value(), IndexRecordOption::Basic)
                .unwrap();
            let first = postings.doc();
            while postings.doc() != TERMINATED {
                owner.insert(postings.doc(), (id, first));
                postings.advance();
            }
        }
        let column = ArticleColumn::of(segment).unwrap().unwrap();
        let mut ordinal = None;
        for doc in 0..segment.max_doc() {
            let (id, first) = owner[&doc];
            assert_eq!(column.id(doc), Some(id), "doc {doc}");
            assert_eq!(column.first_passage(doc), Some(first), "doc {doc}");
            assert_eq!(column.is_first_passage(doc), doc == first, "doc {doc}");
            let expected = match (ordinal, doc == first) {
                (None, _) => 0,
                (Some(n), true) => n + 1,
                (Some(n), false) => n,
            };
            assert_eq!(column.ordinal(doc), Some(expected), "doc {doc}");
            ordinal = Some(expected);
        }
        column.column.index.clone()
    }

    #[test]
    fn any_passage_finds_its_articles_id_and_first_passage() {
        let (_folder, index) = index_of(&[3, 1, 2, 5, 1]);
        assert!(matches!(check(&index), ColumnIndex::Optional(_)));
    }

    #[test]
    fn articles_of_one_passage_each_make_a_full_column() {
        let (_folder, index) = index_of(&[1, 1, 1]);
        assert!(matches!(check(&index), ColumnIndex::Full));
    }
}
