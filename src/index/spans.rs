//! Where each article starts, as a bitset over a segment's documents.
//!
//! An article's passages are consecutive documents of one segment, in
//! reading order (the writer adds each article in one batch), and each
//! article has exactly one passage 0. So the postings of `passage_no = 0`
//! mark every article's first document, and where the article holding a
//! document starts and ends follows from the bitset alone: search reads
//! no `article_id` or `passage_no` column per match, random reads that on
//! a common word at a million articles would be most of a search's time.
//! Building the bitset decodes one posting list per segment, about a
//! millisecond at a million articles, so an open index keeps it
//! (`index::per_segment`).

use tantivy::postings::BlockSegmentPostings;
use tantivy::schema::IndexRecordOption;
use tantivy::{DocId, SegmentReader, Term};

use crate::error::Result;
use crate::index::DatelineSchema;

/// The first document of every article of one segment (deleted ones
/// included: they still bound their neighbours).
pub(crate) struct ArticleSpans {
    /// Bit `doc` is set when `doc` is a passage 0.
    bits: Vec<u64>,
    /// How many bits are set before each word of `bits`, to number the
    /// articles.
    before: Vec<u32>,
    /// For every 64th article, the word of `bits` where it starts, so
    /// that an article is found from near it without a search from the
    /// last one found (a chain of cache misses on a large index).
    every_64th: Vec<u32>,
    max_doc: DocId,
}

impl ArticleSpans {
    /// Reads the article starts of `segment`.
    pub(crate) fn of(segment: &SegmentReader, fields: &DatelineSchema) -> Result<ArticleSpans> {
        let max_doc = segment.max_doc();
        let mut bits = vec![0u64; (max_doc as usize).div_ceil(64)];
        let first_passages = Term::from_field_u64(fields.passage_no, 0);
        let index = segment.inverted_index(fields.passage_no)?;
        if let Some(mut block) =
            index.read_block_postings(&first_passages, IndexRecordOption::Basic)?
        {
            for_each_doc(&mut block, |doc| {
                if let Some(word) = bits.get_mut(doc as usize / 64) {
                    *word |= 1 << (doc % 64);
                }
            });
        }
        Ok(ArticleSpans::from_bits(bits, max_doc))
    }

    fn from_bits(bits: Vec<u64>, max_doc: DocId) -> ArticleSpans {
        let mut before = Vec::with_capacity(bits.len());
        let mut every_64th = Vec::new();
        let mut count = 0;
        for (at, word) in bits.iter().enumerate() {
            before.push(count);
            count += word.count_ones();
            // Each 64th article starting in this word.
            while (every_64th.len() as u32) * 64 < count {
                every_64th.push(at as u32);
            }
        }
        ArticleSpans {
            bits,
            before,
            every_64th,
            max_doc,
        }
    }

    /// How many articles start in the segment (deleted ones included).
    pub(crate) fn articles(&self) -> usize {
        self.before.last().map_or(0, |&before| before as usize)
            + self
                .bits
                .last()
                .map_or(0, |word| word.count_ones() as usize)
    }

    /// The number of the article holding `doc` among the segment's
    /// articles, from 0, in doc order; `doc` must be below `max_doc`.
    /// (A document before the first start counts as the first article.)
    pub(crate) fn article_number(&self, doc: DocId) -> usize {
        let word = doc as usize / 64;
        let upto = self.bits[word] & (u64::MAX >> (63 - doc % 64));
        (self.before[word] + upto.count_ones()).saturating_sub(1) as usize
    }

    /// The first document of article `number` (below [`Self::articles`]),
    /// found by galloping forward from the word where the 64th article
    /// before it starts: each call reads only words near the article, and
    /// does not depend on the one before, so that on a large index the
    /// cache misses of several calls overlap.
    pub(crate) fn start_of_article(&self, number: usize) -> DocId {
        let from = self.every_64th[number / 64] as usize;
        let holds_later = |word: usize| self.before[word] as usize > number;
        let mut step = 1;
        while from + step < self.before.len() && !holds_later(from + step) {
            step *= 2;
        }
        let (low, high) = (from + step / 2, (from + step).min(self.before.len()));
        let word = low + self.before[low..high].partition_point(|&b| b as usize <= number) - 1;
        // The bit of rank `number - before[word]` in the word.
        let mut bits = self.bits[word];
        for _ in 0..number - self.before[word] as usize {
            bits &= bits - 1;
        }
        (word * 64) as DocId + bits.trailing_zeros()
    }

    /// The first document of the article holding `doc`.
    pub(crate) fn start_of(&self, doc: DocId) -> DocId {
        let mut word = doc as usize / 64;
        let Some(&bits) = self.bits.get(word) else {
            return doc;
        };
        let bit = doc % 64;
        let mask = if bit == 63 {
            u64::MAX
        } else {
            (1u64 << (bit + 1)) - 1
        };
        let mut current = bits & mask;
        loop {
            if current != 0 {
                return (word * 64) as DocId + (63 - current.leading_zeros());
            }
            if word == 0 {
                return 0;
            }
            word -= 1;
            current = self.bits[word];
        }
    }

    /// One past the last document of the article holding `doc`.
    pub(crate) fn end_of(&self, doc: DocId) -> DocId {
        let next = doc + 1;
        let mut word = next as usize / 64;
        let Some(&bits) = self.bits.get(word) else {
            return self.max_doc;
        };
        let mut current = bits & (u64::MAX << (next % 64));
        loop {
            if current != 0 {
                let found = (word * 64) as DocId + current.trailing_zeros();
                return found.min(self.max_doc);
            }
            word += 1;
            match self.bits.get(word) {
                Some(&bits) => current = bits,
                None => return self.max_doc,
            }
        }
    }
}

/// Calls `each` with every document of the postings, in order.
pub(crate) fn for_each_doc(block: &mut BlockSegmentPostings, mut each: impl FnMut(DocId)) {
    loop {
        let docs = block.docs();
        if docs.is_empty() {
            break;
        }
        docs.iter().for_each(|&doc| each(doc));
        block.advance();
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::index::OpenIndex;
    use crate::indexer::{IndexOptions, NoProgress, index_paths};

    /// The spans and the opened columns of a segment are kept while it is
    /// searched and forgotten with it.
    #[test]
    fn spans_are_read_once_per_segment_and_forgotten_with_it() {
        let folder = tempfile::tempdir().unwrap();
        let articles = folder.path().join("articles");
        std::fs::create_dir(&articles).unwrap();
        let write = |name: &str, text: &str| {
            let body = format!(" date 1987-03-02 {text}\n\nA second paragraph.\n");
            std::fs::write(articles.join(name), body).unwrap();
        };
        write("a.txt", "Cocoa growers met.");
        let index_dir = folder.path().join("index");
        let options = IndexOptions::new(vec![articles.clone()], index_dir.clone());
        index_paths(&options, &mut NoProgress).unwrap();
        let index = OpenIndex::open(&index_dir).unwrap();
        let searcher = index.snapshot().unwrap();
        let first = index.article_spans(&searcher).unwrap();
        let again = index.article_spans(&searcher).unwrap();
        assert_eq!(first.len(), searcher.segment_readers().len());
        assert!(first.iter().zip(&again).all(|(a, b)| Arc::ptr_eq(a, b)));
        assert_eq!(first[0].end_of(0), 2, "one article of two passages");
        let columns = index.columns();
        for segment in searcher.segment_readers() {
            let fields = &index.fields;
            let cached = columns.u64(segment, fields.article_column).unwrap();
            let again = columns.u64(segment, fields.article_column).unwrap();
            assert_eq!(cached.map(|c| c.num_docs()), again.map(|c| c.num_docs()));
            columns.i64(segment, fields.day).unwrap();
        }
        assert_eq!(columns.len(), 2 * searcher.segment_readers().len());

        // Another run replaces the segments: the old ones' spans go.
        write("b.txt", "Grain traders met.");
        std::fs::remove_file(articles.join("a.txt")).unwrap();
        index_paths(&options, &mut NoProgress).unwrap();
        let reopened = index.index.reader().unwrap().searcher();
        let spans = index.article_spans(&reopened).unwrap();
        assert_eq!(index.spans.len(), reopened.segment_readers().len());
        assert_eq!(spans.len(), index.spans.len());
        let old: Vec<_> = searcher
            .segment_readers()
            .iter()
            .map(|s| s.segment_id())
            .collect();
        assert!(
            reopened
                .segment_readers()
                .iter()
                .all(|s| !old.contains(&s.segment_id()))
        );
        assert_eq!(
            index.columns().len(),
            0,
            "the old segments' columns are let go"
        );
    }

    fn bounds(starts: &[DocId], max_doc: DocId) -> ArticleSpans {
        let mut bits = vec![0u64; (max_doc as usize).div_ceil(64)];
        for &doc in starts {
            bits[doc as usize / 64] |= 1 << (doc % 64);
        }
        ArticleSpans::from_bits(bits, max_doc)
    }

    /// Articles found by number land on their first documents, across
    /// empty words of the bitset, long articles and words holding many
    /// starts (more than 64 articles of one document each).
    #[test]
    fn articles_are_found_by_number() {
        let starts: Vec<DocId> = [0, 3, 5, 63, 64, 65, 127, 700, 701, 1000, 1279]
            .into_iter()
            .chain((1300..1500).step_by(3))
            .chain(1600..1800)
            .chain([5000, 9000, 9001])
            .collect();
        let b = bounds(&starts, 9100);
        assert_eq!(b.articles(), starts.len());
        for (number, &start) in starts.iter().enumerate() {
            assert_eq!(b.start_of_article(number), start, "{number}");
            assert_eq!(b.article_number(start), number);
        }
    }

    #[test]
    fn articles_are_found_from_their_first_documents() {
        // Articles at 0..3, 3..64, 64..65, 65..200.
        let b = bounds(&[0, 3, 64, 65], 200);
        assert_eq!(b.start_of(2), 0);
        assert_eq!(b.start_of(63), 3);
        assert_eq!(b.start_of(64), 64);
        assert_eq!(b.start_of(199), 65);
        assert_eq!(b.end_of(0), 3);
        assert_eq!(b.end_of(3), 64);
        assert_eq!(b.end_of(63), 64);
        assert_eq!(b.end_of(64), 65);
        assert_eq!(b.end_of(65), 200);
        assert_eq!(b.end_of(199), 200);
        assert_eq!(b.articles(), 4);
        let numbers: Vec<usize> = [0, 2, 3, 63, 64, 65, 130, 199]
            .into_iter()
            .map(|doc| b.article_number(doc))
            .collect();
        assert_eq!(numbers, [0, 0, 1, 1, 2, 3, 3, 3]);
    }
}
