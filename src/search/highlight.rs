//! Where the query matches in a passage.
//!
//! The query tree is walked once for the words and phrases it asks for in
//! one field; each passage is then analysed with the index's own analyzer
//! (so `troops` highlights `Troops` and `troop`) and the matches are marked.
//! A phrase is marked only where its words occur in order, one after
//! another, so `"interest rates"` does not light up every `interest` in the
//! passage (each word of an occurrence is its own range, as for single
//! words); excluded words (`-word`) are never marked.
//!
//! Matches are byte ranges; the output formats promise character offsets,
//! which are computed here at the boundary.

use std::collections::{HashMap, HashSet};
use std::ops::Range;

use tantivy::Term;
use tantivy::query::{BooleanQuery, Occur, PhraseQuery, Query, TermQuery};
use tantivy::schema::Field;
use tantivy::tokenizer::{TextAnalyzer, TokenStream};

/// Finds highlight ranges in the texts of one field, in byte offsets.
pub struct Highlighter {
    analyzer: TextAnalyzer,
    words: HashSet<String>,
    phrases: Vec<Vec<String>>,
}

impl Highlighter {
    /// A highlighter for what `query` asks of `field`; `analyzer` must be
    /// the one the field was indexed with.
    pub fn for_query(query: &dyn Query, field: Field, analyzer: TextAnalyzer) -> Highlighter {
        let mut highlighter = Highlighter {
            analyzer,
            words: HashSet::new(),
            phrases: Vec::new(),
        };
        highlighter.collect(query, field);
        highlighter
    }

    /// Whether the query asks anything of the field at all.
    pub fn is_empty(&self) -> bool {
        self.words.is_empty() && self.phrases.is_empty()
    }

    fn collect(&mut self, query: &dyn Query, field: Field) {
        let text = |term: &Term| term.value().as_str().map(str::to_string);
        if let Some(boolean) = query.downcast_ref::<BooleanQuery>() {
            for (occur, clause) in boolean.clauses() {
                if *occur != Occur::MustNot {
                    self.collect(clause.as_ref(), field);
                }
            }
        } else if let Some(phrase) = query.downcast_ref::<PhraseQuery>() {
            if phrase.field() == field {
                let words: Option<Vec<String>> = phrase.phrase_terms().iter().map(text).collect();
                self.phrases.extend(words);
            }
        } else if let Some(term_query) = query.downcast_ref::<TermQuery>() {
            if term_query.term().field() == field {
                self.words.extend(text(term_query.term()));
            }
        } else {
            // Boosted and other wrapped queries do not expose their inner
            // query; their terms still name the words to mark.
            query.query_terms(&mut |term, _| {
                if term.field() == field {
                    self.words.extend(text(term));
                }
            });
        }
    }

    /// The byte ranges of `text` that match, in order, overlaps merged.
    pub fn byte_ranges(&mut self, text: &str) -> Vec<Range<usize>> {
        if self.is_empty() {
            return Vec::new();
        }
        let mut tokens = Vec::new();
        let mut stream = self.analyzer.token_stream(text);
        while stream.advance() {
            let token = stream.token();
            tokens.push((
                token.position,
                token.text.clone(),
                token.offset_from..token.offset_to,
            ));
        }
        let mut ranges: Vec<Range<usize>> = tokens
            .iter()
            .filter(|(_, word, _)| self.words.contains(word))
            .map(|(_, _, range)| range.clone())
            .collect();
        if !self.phrases.is_empty() {
            let mut at: HashMap<usize, Vec<usize>> = HashMap::new();
            for (i, (position, _, _)) in tokens.iter().enumerate() {
                at.entry(*position).or_default().push(i);
            }
            for phrase in &self.phrases {
                for (first, (_, word, _)) in tokens.iter().enumerate() {
                    if Some(word) == phrase.first() {
                        ranges.extend(phrase_at(&tokens, &at, first, phrase).into_iter().flatten());
                    }
                }
            }
        }
        merge(ranges)
    }
}

/// The ranges of the occurrence of `phrase` starting at token `first`, if
/// there is one. A compound's joined form shares the position of its last
/// part (`il`, `10`, `il10` for `IL-10`, see `index::WordTokenizer`), so each
/// next word of the phrase is looked for first at the same position, then
/// at the next one.
fn phrase_at(
    tokens: &[(usize, String, Range<usize>)],
    at: &HashMap<usize, Vec<usize>>,
    first: usize,
    phrase: &[String],
) -> Option<Vec<Range<usize>>> {
    let mut position = tokens[first].0;
    let mut used = vec![first];
    let mut ranges = vec![tokens[first].2.clone()];
    for expected in &phrase[1..] {
        let find = |position: usize, used: &[usize]| {
            at.get(&position)?
                .iter()
                .copied()
                .find(|i| !used.contains(i) && &tokens[*i].1 == expected)
        };
        let found = match find(position, &used) {
            Some(i) => i,
            None => {
                position += 1;
                used.clear();
                find(position, &used)?
            }
        };
        used.push(found);
        ranges.push(tokens[found].2.clone());
    }
    Some(ranges)
}

/// Sorts ranges and merges overlapping or touching ones.
fn merge(mut ranges: Vec<Range<usize>>) -> Vec<Range<usize>> {
    ranges.sort_by_key(|r| (r.start, r.end));
    let mut merged: Vec<Range<usize>> = Vec::with_capacity(ranges.len());
    for range in ranges {
        match merged.last_mut() {
            Some(last) if range.start <= last.end => last.end = last.end.max(range.end),
            _ => merged.push(range),
        }
    }
    merged
}

/// Converts byte ranges into `[start, end)` character offsets.
pub fn to_char_ranges(text: &str, byte_ranges: &[Range<usize>]) -> Vec<[usize; 2]> {
    let char_index = |byte: usize| text[..byte].chars().count();
    byte_ranges
        .iter()
        .map(|r| [char_index(r.start), char_index(r.end)])
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::{DatelineSchema, english_analyzer};
    use tantivy::schema::IndexRecordOption;

    fn marked(query: Box<dyn Query>, field: Field, text: &str) -> Vec<&str> {
        let mut highlighter = Highlighter::for_query(query.as_ref(), field, english_analyzer());
        highlighter
            .byte_ranges(text)
            .into_iter()
            .map(|r| &text[r])
            .collect()
    }

    fn term(field: Field, word: &str) -> Term {
        Term::from_field_text(field, word)
    }

    #[test]
    fn phrases_mark_their_occurrences_not_each_word() {
        let text = DatelineSchema::build().text;
        let phrase = PhraseQuery::new(vec![term(text, "interest"), term(text, "rate")]);
        let passage =
            "Interest was high. Interest rates rose, and rates fell; interest  rates again.";
        let mut highlighter = Highlighter::for_query(&phrase, text, english_analyzer());
        let starts: Vec<usize> = highlighter
            .byte_ranges(passage)
            .into_iter()
            .map(|r| r.start)
            .collect();
        // The lone "Interest" (0) and "rates" (44) are not marked.
        assert_eq!(starts, [19, 28, 56, 66]);
        assert_eq!(
            marked(Box::new(phrase), text, passage),
            ["Interest", "rates", "interest", "rates"]
        );
    }

    #[test]
    fn phrases_with_compounds_mark_both_spellings() {
        let text = DatelineSchema::build().text;
        // "IL-10 levels" as the query parser builds it: the joined word
        // shares the last part's position.
        let hyphenated = PhraseQuery::new_with_offset(vec![
            (0, term(text, "il")),
            (1, term(text, "10")),
            (1, term(text, "il10")),
            (2, term(text, "level")),
        ]);
        let passage = "IL-10 levels rose; IL10 levels fell; IL-10 was low.";
        assert_eq!(
            marked(Box::new(hyphenated), text, passage),
            ["IL-10", "levels"]
        );
        let joined = PhraseQuery::new(vec![term(text, "il10"), term(text, "level")]);
        assert_eq!(
            marked(Box::new(joined), text, passage),
            ["IL-10", "levels", "IL10", "levels"]
        );
    }

    #[test]
    fn words_match_through_the_analyzer_and_exclusions_are_not_marked() {
        let fields = DatelineSchema::build();
        let word = TermQuery::new(term(fields.text, "troop"), IndexRecordOption::Basic);
        let excluded = TermQuery::new(term(fields.text, "iraq"), IndexRecordOption::Basic);
        let title_only = TermQuery::new(term(fields.title, "syria"), IndexRecordOption::Basic);
        let query = BooleanQuery::new(vec![
            (Occur::Should, Box::new(word) as Box<dyn Query>),
            (Occur::MustNot, Box::new(excluded)),
            (Occur::Should, Box::new(title_only)),
        ]);
        assert_eq!(
            marked(
                Box::new(query),
                fields.text,
                "Troops left Iraq and Syria; more troops came."
            ),
            ["Troops", "troops"]
        );
    }

    #[test]
    fn char_offsets_count_characters_not_bytes() {
        let text = "The talks — planned — troops 部队 😀 end";
        let start = text.find("troops").unwrap();
        let ranges = to_char_ranges(text, std::slice::from_ref(&(start..start + 6)));
        let [s, e] = ranges[0];
        let picked: String = text.chars().skip(s).take(e - s).collect();
        assert_eq!(picked, "troops");
        let cjk = text.find("部队").unwrap();
        let [s, e] = to_char_ranges(text, std::slice::from_ref(&(cjk..cjk + "部队".len())))[0];
        assert_eq!(e - s, 2);
    }
}
