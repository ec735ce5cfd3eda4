//! A phrase within a date filter, its dates checked before its positions.
//!
//! tantivy's phrase scorer reads and compares the positions of every
//! document that holds all the phrase's words; a date filter around it
//! then throws most of them away. On a large archive a phrase of two
//! common words ("being made", "three months") holds both words in
//! hundreds of thousands of articles, and its positions were most of a
//! date-filtered search. Here the documents holding every word are found
//! from postings without positions, each one's date is looked up, and only
//! those in range have their positions checked, by tantivy's own phrase
//! scorer moved to them one at a time (`seek_danger`).

use tantivy::query::{
    BooleanQuery, EmptyScorer, EnableScoring, Explanation, PhraseQuery, Query, Scorer, TermQuery,
    Weight,
};
use tantivy::schema::IndexRecordOption;
use tantivy::{DocId, DocSet, Score, SeekDangerResult, SegmentReader, TERMINATED, Term};

use crate::search::date_filter::{Check, DateRanges, in_range};

/// `phrase`'s matches whose dates lie in `ranges`.
#[derive(Clone, Debug)]
pub(crate) struct DatedPhrase {
    pub(crate) phrase: PhraseQuery,
    pub(crate) dates: DateRanges,
}

impl Query for DatedPhrase {
    fn weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let mut words = self.phrase.phrase_terms();
        words.sort();
        words.dedup();
        let every_word = BooleanQuery::intersection(
            words
                .into_iter()
                .map(|word| -> Box<dyn Query> {
                    Box::new(TermQuery::new(word, IndexRecordOption::Basic))
                })
                .collect(),
        );
        let without_scores = EnableScoring::disabled_from_schema(enable_scoring.schema());
        Ok(Box::new(DatedPhraseWeight {
            phrase: self.phrase.weight(enable_scoring)?,
            every_word: every_word.weight(without_scores)?,
            dates: self.dates.clone(),
        }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        self.phrase.query_terms(visitor);
    }
}

struct DatedPhraseWeight {
    phrase: Box<dyn Weight>,
    /// The documents holding every word of the phrase, anywhere.
    every_word: Box<dyn Weight>,
    dates: DateRanges,
}

impl Weight for DatedPhraseWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let Some(checks) = self.dates.checks(reader)? else {
            return Ok(Box::new(EmptyScorer));
        };
        if checks.is_empty() {
            return self.phrase.scorer(reader, boost);
        }
        let mut candidates = self.every_word.scorer(reader, 1.0)?;
        let mut first = candidates.doc();
        while first != TERMINATED && !in_range(&checks, first) {
            first = candidates.advance();
        }
        if first == TERMINATED {
            return Ok(Box::new(EmptyScorer));
        }
        // The phrase scorer starts at the first candidate in range instead
        // of walking to its own first match.
        let (found, phrase) = self.phrase.scorer_danger(reader, first, boost)?;
        let mut scorer = DatedPhraseScorer {
            candidates,
            checks,
            phrase,
        };
        if let SeekDangerResult::SeekLowerBound(next) = found {
            scorer.find_from(next);
        }
        Ok(Box::new(scorer))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        self.dates.explain(&*self.phrase, reader, doc)
    }
}

/// The documents holding every word, in range, and then the phrase.
///
/// The phrase scorer is only ever moved with `seek_danger`, to strictly
/// increasing candidates, and only read (its score) after it says
/// `Found`, as that call's contract asks.
struct DatedPhraseScorer {
    candidates: Box<dyn Scorer>,
    checks: Vec<Check>,
    phrase: Box<dyn Scorer>,
}

impl DatedPhraseScorer {
    /// Moves to the first candidate at or after `target` that is in range
    /// and holds the phrase.
    fn find_from(&mut self, mut target: DocId) -> DocId {
        loop {
            let doc = match target > self.candidates.doc() {
                true => self.candidates.seek(target),
                false => self.candidates.doc(),
            };
            if doc == TERMINATED {
                return TERMINATED;
            }
            if !in_range(&self.checks, doc) {
                target = doc + 1;
                continue;
            }
            match self.phrase.seek_danger(doc) {
                SeekDangerResult::Found => return doc,
                SeekDangerResult::SeekLowerBound(next) => target = next.max(doc + 1),
            }
        }
    }
}

impl DocSet for DatedPhraseScorer {
    fn advance(&mut self) -> DocId {
        match self.doc() {
            TERMINATED => TERMINATED,
            doc => self.find_from(doc + 1),
        }
    }

    fn seek(&mut self, target: DocId) -> DocId {
        match self.doc() {
            doc if doc >= target => doc,
            _ => self.find_from(target),
        }
    }

    fn doc(&self) -> DocId {
        self.candidates.doc()
    }

    fn size_hint(&self) -> u32 {
        // As tantivy's phrase scorer guesses: few documents holding the
        // words hold the phrase.
        self.candidates.size_hint() / 10
    }

    fn cost(&self) -> u64 {
        self.candidates.cost() * 10
    }
}

impl Scorer for DatedPhraseScorer {
    fn score(&mut self) -> Score {
        self.phrase.score()
    }
}
