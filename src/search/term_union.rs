//! Bare words, matched by marking postings in a bitset.
//!
//! A query of bare words matches the passages holding any of them: the
//! union of their postings in the text and the title. tantivy's union
//! merges the postings lists a buffer at a time, with a check per posting
//! of which list is behind; on three common words at ten million articles
//! (millions of postings each) that was a tenth of a search. Marking each
//! posting's document in a bitset of the segment, and reading the marks
//! in order, costs a store per posting instead.

use tantivy::query::{
    BooleanQuery, ConstScorer, EnableScoring, Explanation, Occur, Query, Scorer, TermQuery, Weight,
};
use tantivy::schema::IndexRecordOption;
use tantivy::{DocId, DocSet, Score, SegmentReader, TERMINATED, Term};

/// Documents are handed to a collector this many at a time.
const BLOCK: usize = 1024;

/// The documents holding any of some terms.
#[derive(Clone, Debug)]
pub(crate) struct TermUnion {
    terms: Vec<Term>,
}

/// `query` as a [`TermUnion`] when it is one in effect: a term query, or
/// optional clauses (one enough) of such queries, nested or not, which is
/// what bare words parse to. Anything else is given back as it is: a
/// phrase, a required or excluded clause, a boost (which hides its query).
pub(crate) fn as_term_union(query: Box<dyn Query>) -> Box<dyn Query> {
    let mut terms = Vec::new();
    match add_terms(&*query, &mut terms) {
        true => Box::new(TermUnion { terms }),
        false => query,
    }
}

/// Adds the terms of `query` when it is a union of terms.
fn add_terms(query: &dyn Query, terms: &mut Vec<Term>) -> bool {
    if let Some(term) = query.downcast_ref::<TermQuery>() {
        terms.push(term.term().clone());
        return true;
    }
    let Some(boolean) = query.downcast_ref::<BooleanQuery>() else {
        return false;
    };
    boolean.get_minimum_number_should_match() <= 1
        && (boolean.clauses().iter())
            .all(|(occur, clause)| *occur == Occur::Should && add_terms(&**clause, terms))
}

impl Query for TermUnion {
    fn weight(&self, _: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(self.clone()))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        for term in &self.terms {
            visitor(term, false);
        }
    }
}

impl TermUnion {
    /// A bit per document of `segment`, set for those holding a term
    /// (deleted ones included, as in any weight's matches).
    fn marks(&self, segment: &SegmentReader) -> tantivy::Result<Vec<u64>> {
        let mut bits = vec![0u64; (segment.max_doc() as usize).div_ceil(64)];
        for term in &self.terms {
            let index = segment.inverted_index(term.field())?;
            let Some(mut block) = index.read_block_postings(term, IndexRecordOption::Basic)? else {
                continue;
            };
            loop {
                let docs = block.docs();
                if docs.is_empty() {
                    break;
                }
                for &doc in docs {
                    bits[doc as usize / 64] |= 1 << (doc % 64);
                }
                block.advance();
            }
        }
        Ok(bits)
    }
}

/// The documents whose bits are set, as a doc set: what a date filter
/// walks in a segment it must check match by match.
struct Marked {
    bits: Vec<u64>,
    /// The word of `bits` holding `doc`, and its bits after `doc`.
    word: usize,
    rest: u64,
    doc: DocId,
    count: u32,
}

impl Marked {
    /// The doc set of `bits`, on its first document.
    fn new(bits: Vec<u64>) -> Marked {
        let count = bits.iter().map(|word| word.count_ones()).sum();
        let rest = bits.first().copied().unwrap_or(0);
        let mut marked = Marked {
            bits,
            word: 0,
            rest,
            doc: 0,
            count,
        };
        marked.advance();
        marked
    }

    fn end(&mut self) -> DocId {
        (self.word, self.rest, self.doc) = (self.bits.len(), 0, TERMINATED);
        TERMINATED
    }
}

impl DocSet for Marked {
    fn advance(&mut self) -> DocId {
        while self.rest == 0 {
            self.word += 1;
            match self.bits.get(self.word) {
                Some(&bits) => self.rest = bits,
                None => return self.end(),
            }
        }
        self.doc = (self.word * 64) as DocId + self.rest.trailing_zeros();
        self.rest &= self.rest - 1;
        self.doc
    }

    fn seek(&mut self, target: DocId) -> DocId {
        if self.doc >= target {
            return self.doc;
        }
        // `target` is after `doc`, so in its word or a later one.
        let word = target as usize / 64;
        if word > self.word {
            match self.bits.get(word) {
                Some(&bits) => (self.word, self.rest) = (word, bits),
                None => return self.end(),
            }
        }
        self.rest &= u64::MAX << (target % 64);
        self.advance()
    }

    fn doc(&self) -> DocId {
        self.doc
    }

    fn size_hint(&self) -> u32 {
        self.count
    }
}

impl Weight for TermUnion {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let marked = Marked::new(self.marks(reader)?);
        Ok(Box::new(ConstScorer::new(marked, boost)))
    }

    fn for_each_no_score(
        &self,
        reader: &SegmentReader,
        callback: &mut dyn FnMut(&[DocId]),
    ) -> tantivy::Result<()> {
        let bits = self.marks(reader)?;
        // Room for a whole word of marks after any block not yet full.
        let mut block = [0 as DocId; BLOCK + 64];
        let mut filled = 0;
        for (at, &word) in bits.iter().enumerate() {
            let mut word = word;
            while word != 0 {
                block[filled] = (at * 64) as DocId + word.trailing_zeros();
                filled += 1;
                word &= word - 1;
            }
            if filled >= BLOCK {
                callback(&block[..filled]);
                filled = 0;
            }
        }
        if filled > 0 {
            callback(&block[..filled]);
        }
        Ok(())
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let mut scorer = self.scorer(reader, 1.0)?;
        match scorer.seek(doc) == doc {
            true => Ok(Explanation::new("holds one of the terms", 1.0)),
            false => Err(tantivy::TantivyError::InvalidArgument(format!(
                "document {doc} holds none of the terms"
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::matching::MatchingDocs;
    use crate::search::parallel::{delete_unmerged, segmented_index};
    use crate::search::query::parse_user_query;

    /// Bare words match, by marking postings, exactly the live documents
    /// tantivy's union of them does, through a collector and through a
    /// scorer; any other query is left to tantivy.
    #[test]
    fn a_union_of_words_matches_what_tantivys_union_does() {
        let (_folder, index) = segmented_index();
        let searcher = delete_unmerged(&index, "timber");
        let segments = searcher.segment_readers();
        let parse = |query| parse_user_query(&index, query, false).unwrap().any_words;
        for query in [
            "grain",
            "cocoa harbour",
            "timber OR shipping",
            "steel (quiet week)",
        ] {
            let parsed = parse(query);
            let expected = searcher.search(&*parsed, &MatchingDocs).unwrap();
            let union = as_term_union(parsed);
            assert!(union.is::<TermUnion>(), "{query}");
            let found = searcher.search(&*union, &MatchingDocs).unwrap();
            assert!(found.iter().any(|docs| !docs.is_empty()), "{query}");
            assert_eq!(found, expected, "{query}");
            let weight = union.weight(EnableScoring::disabled_from_searcher(&searcher));
            for (segment, expected) in segments.iter().zip(&expected) {
                let weight = weight.as_ref().unwrap();
                let mut scorer = weight.scorer(segment, 1.0).unwrap();
                let mut walked = Vec::new();
                while scorer.doc() != TERMINATED {
                    walked.push(scorer.doc());
                    scorer.advance();
                }
                let alive = |&doc: &DocId| segment.alive_bitset().is_none_or(|a| a.is_alive(doc));
                let live: Vec<DocId> = walked.iter().copied().filter(alive).collect();
                assert_eq!(&live, expected, "{query}");
                // Seeking lands on the first match at or after the target,
                // from within a word of marks and across words.
                let mut scorer = weight.scorer(segment, 1.0).unwrap();
                for target in (0..segment.max_doc() + 70).step_by(23) {
                    let first = walked.iter().copied().find(|&doc| doc >= target);
                    assert_eq!(
                        scorer.seek(target),
                        first.unwrap_or(TERMINATED),
                        "{query} {target}"
                    );
                }
            }
        }
        for query in [
            "\"grain prices\"",
            "grain -cocoa",
            "+grain cocoa",
            "grain^2",
        ] {
            assert!(!as_term_union(parse(query)).is::<TermUnion>(), "{query}");
        }
    }
}
