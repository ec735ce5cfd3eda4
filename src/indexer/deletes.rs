//! Deleting many articles' documents in one operation.
//!
//! tantivy keeps every delete operation until the next commit, as a
//! `Weight` to run against each segment. `IndexWriter::delete_term` makes a
//! term query's weight, scoring state included: about 1.5 KB a term.
//! Updating a million-article file whose lines all moved (so every article
//! is written again) held 1.5 GB of them. tantivy's `TermSetQuery` holds a
//! set compactly, but runs it by walking the whole term dictionary of each
//! segment, which made that update twice as slow. [`ArticleIds`] holds
//! the ids, 8 bytes each, and looks each one up in a segment as
//! `delete_term` would.

use std::sync::Arc;

use tantivy::query::{EnableScoring, Explanation, Query, Scorer, Weight};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocId, DocSet, Score, SegmentReader, TERMINATED, TantivyError, Term};

/// The documents whose `field` holds one of `ids`: the passages of those
/// articles, for [`tantivy::IndexWriter::delete_query`].
#[derive(Clone, Debug)]
pub(crate) struct ArticleIds {
    field: Field,
    ids: Arc<[u64]>,
}

impl ArticleIds {
    /// The articles `ids`, by their `field` (an indexed `u64` field).
    pub(crate) fn new(field: Field, ids: Vec<u64>) -> ArticleIds {
        ArticleIds {
            field,
            ids: ids.into(),
        }
    }

    /// Calls `each` with the segment's documents of every id, a postings
    /// block at a time (each id's in increasing order).
    fn each_block(
        &self,
        reader: &SegmentReader,
        each: &mut dyn FnMut(&[DocId]),
    ) -> tantivy::Result<()> {
        let index = reader.inverted_index(self.field)?;
        for &id in self.ids.iter() {
            let term = Term::from_field_u64(self.field, id);
            let Some(mut postings) = index.read_block_postings(&term, IndexRecordOption::Basic)?
            else {
                continue;
            };
            while !postings.docs().is_empty() {
                each(postings.docs());
                postings.advance();
            }
        }
        Ok(())
    }
}

impl Query for ArticleIds {
    fn weight(&self, _: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(self.clone()))
    }
}

impl Weight for ArticleIds {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let mut docs = Vec::new();
        self.each_block(reader, &mut |block| docs.extend_from_slice(block))?;
        docs.sort_unstable();
        docs.dedup();
        Ok(Box::new(SortedDocs {
            docs,
            at: 0,
            score: boost,
        }))
    }

    /// The documents in no particular order: deleting only needs each.
    fn for_each_no_score(
        &self,
        reader: &SegmentReader,
        callback: &mut dyn FnMut(&[DocId]),
    ) -> tantivy::Result<()> {
        self.each_block(reader, callback)
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let mut found = false;
        self.each_block(reader, &mut |block| found |= block.contains(&doc))?;
        match found {
            true => Ok(Explanation::new("one of the articles", 1.0)),
            false => Err(TantivyError::InvalidArgument(format!(
                "document {doc} is none of the articles"
            ))),
        }
    }
}

/// A sorted list of documents as a scorer.
struct SortedDocs {
    docs: Vec<DocId>,
    at: usize,
    score: Score,
}

impl DocSet for SortedDocs {
    fn advance(&mut self) -> DocId {
        self.at = (self.at + 1).min(self.docs.len());
        self.doc()
    }

    fn doc(&self) -> DocId {
        self.docs.get(self.at).copied().unwrap_or(TERMINATED)
    }

    fn size_hint(&self) -> u32 {
        (self.docs.len() - self.at) as u32
    }
}

impl Scorer for SortedDocs {
    fn score(&mut self) -> Score {
        self.score
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::collector::Count;
    use tantivy::query::{AllQuery, TermQuery};
    use tantivy::schema::{INDEXED, Schema};
    use tantivy::{Index, TantivyDocument};

    #[test]
    fn every_passage_of_the_articles_named_goes_and_nothing_else() {
        let mut schema = Schema::builder();
        let field = schema.add_u64_field("article_id", INDEXED);
        let index = Index::create_in_ram(schema.build());
        let mut writer = index.writer_with_num_threads(1, 15_000_000).unwrap();
        let add = |writer: &mut tantivy::IndexWriter, id: u64| {
            let mut doc = TantivyDocument::new();
            doc.add_u64(field, id);
            writer.add_document(doc).unwrap();
        };
        // Two segments; three passages an article.
        for ids in [0..600u64, 600..1000] {
            for id in ids {
                for _ in 0..3 {
                    add(&mut writer, id);
                }
            }
            writer.commit().unwrap();
        }
        let gone: Vec<u64> = (0..1000).filter(|id| id % 7 == 3).chain([5000]).collect();
        writer
            .delete_query(Box::new(ArticleIds::new(field, gone.clone())))
            .unwrap();
        // A passage added after the delete stays.
        add(&mut writer, 3);
        writer.commit().unwrap();

        let searcher = index.reader().unwrap().searcher();
        let count = |query: &dyn Query| searcher.search(query, &Count).unwrap();
        assert_eq!(count(&AllQuery), (1000 - (gone.len() - 1)) * 3 + 1);
        for id in [3u64, 10, 11, 997] {
            let term = Term::from_field_u64(field, id);
            let expected = match id {
                3 => 1,
                _ if id % 7 == 3 => 0,
                _ => 3,
            };
            let query = TermQuery::new(term, IndexRecordOption::Basic);
            assert_eq!(count(&query), expected, "article {id}");
        }

        // The scorer finds the same documents, in order.
        let mut found = 0;
        for reader in searcher.segment_readers() {
            let ids = ArticleIds::new(field, vec![11, 2]);
            let mut scorer = ids.scorer(reader, 1.0).unwrap();
            let mut docs = Vec::new();
            while scorer.doc() != TERMINATED {
                docs.push(scorer.doc());
                scorer.advance();
            }
            assert!(docs.is_sorted());
            found += docs.len();
        }
        assert_eq!(found, 6);
    }
}
