//! Where each article starts, as a bitset over a segment's documents.
//!
//! An article's passages are consecutive documents of one segment, in
//! reading order (the writer adds each article in one batch), and each
//! article has exactly one passage 0. So the postings of `passage_no = 0`
//! mark every article's first document, and which article a document
//! belongs to, where that article starts and where it ends follow from the
//! bitset alone. Ranking used to read the `article_id` and `passage_no`
//! columns for every matching passage instead: on a common word at a
//! million articles those random reads were most of a search's time, while
//! decoding one posting list is a fraction of a millisecond.

use tantivy::schema::IndexRecordOption;
use tantivy::{DocId, SegmentReader, Term};

use crate::error::Result;
use crate::index::DatelineSchema;

/// The first document of every article of one segment (deleted ones
/// included: they still bound their neighbours).
pub(crate) struct ArticleSpans {
    /// Bit `doc` is set when `doc` is a passage 0.
    bits: Vec<u64>,
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
            loop {
                let docs = block.docs();
                if docs.is_empty() {
                    break;
                }
                for &doc in docs {
                    if let Some(word) = bits.get_mut(doc as usize / 64) {
                        *word |= 1 << (doc % 64);
                    }
                }
                block.advance();
            }
        }
        Ok(ArticleSpans::from_bits(bits, max_doc))
    }

    fn from_bits(bits: Vec<u64>, max_doc: DocId) -> ArticleSpans {
        ArticleSpans { bits, max_doc }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn bounds(starts: &[DocId], max_doc: DocId) -> ArticleSpans {
        let mut bits = vec![0u64; (max_doc as usize).div_ceil(64)];
        for &doc in starts {
            bits[doc as usize / 64] |= 1 << (doc % 64);
        }
        ArticleSpans::from_bits(bits, max_doc)
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
    }
}
