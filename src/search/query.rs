//! Turning what the user typed into tantivy queries.
//!
//! The query language is tantivy's: words, `"phrases"`, `-excluded`, `AND`,
//! `OR`, `(groups)` and `title:word`. Two versions of the query are built:
//! one where bare words are all required and one where any will do. Hits of
//! the first rank above hits of the second, so a passage that has every word
//! always beats one that has only some ([`super::search`]).
//!
//! Users paste URLs, leave quotes open and type stray brackets. Such input is
//! parsed leniently: what tantivy cannot use is dropped and reported back,
//! unless `--strict` asks for an error instead.
//!
//! This module decides *what matches*; [`super::rank`] decides the order.
//! It also lists the query's words for the ranker ([`QueryWord`]), marks
//! its stop words, and widens bare compound words so their parts match on
//! their own ([`widen_bare_words`]).

use std::collections::{HashMap, HashSet};

use tantivy::Term;
use tantivy::query::{BooleanQuery, BoostQuery, Occur, Query, QueryParser, TermQuery};
use tantivy::schema::IndexRecordOption;
use tantivy::tokenizer::TextAnalyzer;

use crate::error::{Error, Result};
use crate::index::{DatelineSchema, Language, OpenIndex, analyzer, analyzer_without_stop_words};

/// The parsed forms of a user query.
pub struct ParsedQuery {
    /// Bare words are all required (`AND` between them).
    pub all_words: Box<dyn Query>,
    /// Bare words are alternatives (`OR` between them).
    pub any_words: Box<dyn Query>,
    /// Parts of the query that could not be used, in words.
    pub ignored: Vec<String>,
}

/// The field names a user may put before a colon.
const QUERYABLE_FIELDS: [&str; 2] = ["text", "title"];

/// Parses `query` against the index's text fields.
pub fn parse_user_query(index: &OpenIndex, query: &str, strict: bool) -> Result<ParsedQuery> {
    let titled = index.snapshot().map_or(true, |searcher| {
        index.titled_segments(&searcher).contains(&true)
    });
    parse_query_for(index, query, strict, titled)
}

/// Parses `query`; bare words search the title too when `titled` (some
/// segment searched holds titles: elsewhere they cannot match).
pub(crate) fn parse_query_for(
    index: &OpenIndex,
    query: &str,
    strict: bool,
    titled: bool,
) -> Result<ParsedQuery> {
    let fields = &index.fields;
    let default_fields = match titled {
        true => vec![fields.text, fields.title],
        false => vec![fields.text],
    };
    let any_parser = QueryParser::for_index(&index.index, default_fields.clone());
    let mut all_parser = QueryParser::for_index(&index.index, default_fields);
    all_parser.set_conjunction_by_default();
    // No field boost: ranking weighs the title itself (`Ranking`), and a
    // boost would hide the term queries from `term_union::as_term_union`.
    if query.trim().is_empty() {
        return Err(Error::Query {
            query: query.to_string(),
            reason: "the query is empty".to_string(),
        });
    }
    let (repaired, mut ignored) = balance_delimiters(query);
    if strict && !ignored.is_empty() {
        return Err(Error::Query {
            query: query.to_string(),
            reason: ignored.join("; "),
        });
    }
    let escaped = escape_colons(&drop_dangling_operators(&repaired));
    match all_parser.parse_query(&escaped) {
        Ok(all_words) => {
            // The same text parsed the same way, only with OR by default.
            let (any_words, _) = any_parser.parse_query_lenient(&escaped);
            Ok(ParsedQuery {
                all_words,
                any_words,
                ignored,
            })
        }
        Err(error) if strict => Err(Error::Query {
            query: query.to_string(),
            reason: error.to_string(),
        }),
        Err(_) => {
            let (all_words, errors) = all_parser.parse_query_lenient(&escaped);
            let (any_words, _) = any_parser.parse_query_lenient(&escaped);
            ignored.extend(errors.iter().map(describe_error));
            Ok(ParsedQuery {
                all_words,
                any_words,
                ignored,
            })
        }
    }
}

/// Drops an unmatched `"` and unmatched brackets, which tantivy would
/// otherwise answer by dropping the whole query; says what was dropped.
fn balance_delimiters(query: &str) -> (String, Vec<String>) {
    let mut drop = Vec::new();
    let quotes: Vec<usize> = query.match_indices('"').map(|(i, _)| i).collect();
    if quotes.len() % 2 == 1 {
        drop.push(*quotes.last().expect("odd count is non-zero"));
    }
    let mut open = Vec::new();
    let mut in_phrase = false;
    for (i, c) in query.char_indices() {
        match c {
            '"' if !drop.contains(&i) => in_phrase = !in_phrase,
            '(' if !in_phrase => open.push(i),
            ')' if !in_phrase && open.pop().is_none() => drop.push(i),
            _ => {}
        }
    }
    drop.extend(open);
    drop.sort_unstable();
    let ignored = drop
        .iter()
        .map(|&i| {
            format!(
                "an unmatched {} at character {}",
                &query[i..i + 1],
                query[..i].chars().count() + 1
            )
        })
        .collect();
    let repaired = query
        .char_indices()
        .map(|(i, c)| if drop.contains(&i) { ' ' } else { c })
        .collect();
    (repaired, ignored)
}

/// Blanks a `+` or `-` that is not directly followed by a word, a quote or
/// a bracket: in `G - quadruplex` or `alpha (+)- thalassemia` it is
/// punctuation, not "require" or "exclude".
fn drop_dangling_operators(query: &str) -> String {
    let chars: Vec<char> = query.chars().collect();
    let mut out = String::with_capacity(query.len());
    for (i, &c) in chars.iter().enumerate() {
        let operator_position =
            i == 0 || chars[i - 1].is_whitespace() || "(\"".contains(chars[i - 1]);
        let applies_to_something = chars
            .get(i + 1)
            .is_some_and(|&next| next.is_alphanumeric() || "\"(".contains(next));
        if (c == '+' || c == '-') && operator_position && !applies_to_something {
            out.push(' ');
        } else {
            out.push(c);
        }
    }
    out
}

/// Escapes colons that do not follow a field name, so `https://example.com`
/// or `10:30` are searched as text instead of as an unknown field.
fn escape_colons(query: &str) -> String {
    let mut out = String::with_capacity(query.len() + 8);
    let mut word_start = 0;
    for (i, c) in query.char_indices() {
        if c.is_whitespace() || "()\"".contains(c) {
            word_start = i + c.len_utf8();
        }
        if c == ':' {
            let before = query[word_start..i].trim_start_matches(['+', '-']);
            let escaped_already = query[..i].ends_with('\\');
            if !QUERYABLE_FIELDS.contains(&before) && !escaped_already {
                out.push('\\');
            }
        }
        out.push(c);
    }
    out
}

fn describe_error(error: &tantivy::query::QueryParserError) -> String {
    use tantivy::query::QueryParserError as E;
    match error {
        E::AllButQueryForbidden => {
            "the query only excludes words (-word), so it matches every passage without them"
                .to_string()
        }
        E::SyntaxError(message) => format!("syntax: {message}"),
        other => other.to_string(),
    }
}

/// One word of the query as scored: its terms in the text and title fields.
#[derive(Clone, Debug)]
pub(crate) struct QueryWord {
    /// The analysed word.
    pub(crate) text: String,
    /// Its term in the text field, when the query uses it there.
    pub(crate) text_term: Option<Term>,
    /// Its term in the title field, when the query uses it there.
    pub(crate) title_term: Option<Term>,
    /// How often it occurs in the query (or its feedback weight).
    pub(crate) weight: f32,
    /// Its idf, set by the ranker.
    pub(crate) idf: f32,
    /// Whether it is a stop word of the index's language.
    pub(crate) stop: bool,
}

impl QueryWord {
    /// The word's terms in the text and title fields.
    pub(crate) fn terms(&self) -> Vec<Term> {
        [&self.text_term, &self.title_term]
            .into_iter()
            .flatten()
            .cloned()
            .collect()
    }
}

/// The words of `query` that can match a passage, in query order, without
/// those under a `-` (they never match a hit) or in other fields.
pub(crate) fn query_words(query: &dyn Query, fields: &DatelineSchema) -> Vec<QueryWord> {
    let mut terms = Vec::new();
    visit_terms(query, &mut terms);
    let mut words: Vec<QueryWord> = Vec::new();
    let mut counts: HashMap<String, (f32, f32)> = HashMap::new();
    for term in terms {
        let Some(text) = term.value().as_str().map(str::to_string) else {
            continue;
        };
        let is_text = term.field() == fields.text;
        if !is_text && term.field() != fields.title {
            continue;
        }
        let position = match words.iter().position(|w| w.text == text) {
            Some(position) => position,
            None => {
                words.push(QueryWord {
                    text: text.clone(),
                    text_term: None,
                    title_term: None,
                    weight: 0.0,
                    idf: 0.0,
                    stop: false,
                });
                words.len() - 1
            }
        };
        let word = &mut words[position];
        let count = counts.entry(text).or_default();
        if is_text {
            word.text_term = Some(term);
            count.0 += 1.0;
        } else {
            word.title_term = Some(term);
            count.1 += 1.0;
        }
        word.weight = count.0.max(count.1);
    }
    words
}

fn visit_terms(query: &dyn Query, out: &mut Vec<Term>) {
    if let Some(boolean) = query.downcast_ref::<BooleanQuery>() {
        for (occur, clause) in boolean.clauses() {
            if *occur != Occur::MustNot {
                visit_terms(clause.as_ref(), out);
            }
        }
    } else {
        query.query_terms(&mut |term, _| out.push(term.clone()));
    }
}

/// Marks the words that are stop words of `language` in `query_text`, by
/// analysing it with and without the stop-word filter: what only the first
/// yields is a stop word, in the same stemmed form as the index terms.
pub(crate) fn mark_stop_words(words: &mut [QueryWord], query_text: &str, language: Language) {
    let Some(mut without) = analyzer_without_stop_words(language) else {
        return;
    };
    let kept = tokens(&mut without, query_text);
    let all = tokens(&mut analyzer(language), query_text);
    for word in words.iter_mut() {
        word.stop = all.contains(&word.text) && !kept.contains(&word.text);
    }
    // A query of stop words only ("to be or not to be") keeps them all.
    if words.iter().all(|w| w.stop) {
        words.iter_mut().for_each(|w| w.stop = false);
    }
}

fn tokens(analyzer: &mut TextAnalyzer, text: &str) -> HashSet<String> {
    let mut stream = analyzer.token_stream(text);
    let mut out = HashSet::new();
    while stream.advance() {
        out.insert(stream.token().text.clone());
    }
    out
}

/// Adds `extra` terms as optional clauses at the top level of `query`
/// (see [`widen_bare_words`]).
pub(crate) fn widen_with_terms(query: Box<dyn Query>, extra: Vec<Term>) -> Box<dyn Query> {
    if extra.is_empty() {
        return query;
    }
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = match query.downcast_ref::<BooleanQuery>() {
        Some(boolean) => boolean
            .clauses()
            .iter()
            .map(|(occur, clause)| (*occur, clause.box_clone()))
            .collect(),
        None => vec![(Occur::Should, query)],
    };
    if clauses.iter().any(|(occur, _)| *occur == Occur::Must) {
        return Box::new(BooleanQuery::new(clauses));
    }
    // A term some optional clause matches on its own already (every bare
    // word is one) would only make matching read its postings twice.
    let mut present = Vec::new();
    for (occur, clause) in &clauses {
        if *occur == Occur::Should {
            terms_matching_alone(&**clause, &mut present);
        }
    }
    for term in extra {
        if present.contains(&term) {
            continue;
        }
        present.push(term.clone());
        clauses.push((
            Occur::Should,
            Box::new(TermQuery::new(term, IndexRecordOption::Basic)),
        ));
    }
    Box::new(BooleanQuery::new(clauses))
}

/// Puts into `terms` the terms of which one is enough for `query` to
/// match: a term query's (boosted or not), or those of a disjunction of
/// term queries.
fn terms_matching_alone(query: &dyn Query, terms: &mut Vec<Term>) {
    if let Some(term) = query.downcast_ref::<TermQuery>() {
        terms.push(term.term().clone());
    } else if query.is::<BoostQuery>() {
        // A boost hides its query (tantivy gives no access to it): one
        // term needing no positions is taken for a term query (`word^2`).
        let mut named = Vec::new();
        query.query_terms(&mut |term, positions| named.push((term.clone(), positions)));
        if let [(term, false)] = named.as_slice() {
            terms.push(term.clone());
        }
    } else if let Some(boolean) = query.downcast_ref::<BooleanQuery>() {
        let disjunction = boolean.get_minimum_number_should_match() <= 1
            && (boolean.clauses().iter()).all(|(occur, _)| *occur == Occur::Should);
        if disjunction {
            for (_, clause) in boolean.clauses() {
                terms_matching_alone(&**clause, terms);
            }
        }
    }
}

/// Lets the words typed outside quotes match on their own.
///
/// tantivy's parser turns a bare word that analyses into several tokens
/// (`anti-inflammatory`, `COVID-19`, `Reagan's`) into a phrase, so a passage
/// with `inflammatory` alone would not match it at all. Those parts are
/// added as optional terms, at the top level of the query so a `-word`
/// still excludes; the proximity bonus, not matching, rewards them for
/// being adjacent. Words inside `"quotes"` are left out: quoted phrases stay
/// exact.
pub(crate) fn widen_bare_words(
    query: Box<dyn Query>,
    words: &[QueryWord],
    query_text: &str,
    language: Language,
) -> Box<dyn Query> {
    let quoted = quoted_terms(query_text, language);
    let bare = bare_terms(query_text, language);
    let extra: Vec<Term> = words
        .iter()
        .filter(|w| bare.contains(&w.text) || !quoted.contains(&w.text))
        .flat_map(QueryWord::terms)
        .collect();
    widen_with_terms(query, extra)
}

/// The analysed terms inside and outside `"…"` in the query text.
fn split_quoted(query_text: &str) -> (String, String) {
    let (mut inside, mut outside) = (String::new(), String::new());
    for (i, part) in query_text.split('"').enumerate() {
        let target = if i % 2 == 1 {
            &mut inside
        } else {
            &mut outside
        };
        target.push_str(part);
        target.push(' ');
    }
    (inside, outside)
}

fn quoted_terms(query_text: &str, language: Language) -> HashSet<String> {
    tokens(&mut analyzer(language), &split_quoted(query_text).0)
}

fn bare_terms(query_text: &str, language: Language) -> HashSet<String> {
    tokens(&mut analyzer(language), &split_quoted(query_text).1)
}

/// The words the ranker scores, and the query that decides which passages
/// match: bare compound words widened to their parts (see [`widen_bare_words`]).
pub(crate) fn scored_words(
    index: &OpenIndex,
    parsed: &ParsedQuery,
    query_text: &str,
) -> (Vec<QueryWord>, Box<dyn Query>) {
    let mut words = query_words(&*parsed.any_words, &index.fields);
    mark_stop_words(&mut words, query_text, index.language);
    let widened = widen_bare_words(
        parsed.any_words.box_clone(),
        &words,
        query_text,
        index.language,
    );
    (words, widened)
}

/// Adds the date filter, when there is one, as a required clause.
pub(crate) fn restrict(text_query: Box<dyn Query>, dates: Option<&dyn Query>) -> Box<dyn Query> {
    match dates {
        None => text_query,
        Some(dates) => Box::new(BooleanQuery::new(vec![
            (Occur::Must, text_query),
            (Occur::Must, dates.box_clone()),
        ])),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unmatched_quotes_and_brackets_are_dropped_and_named() {
        let (repaired, ignored) = balance_delimiters("\"troops iraq");
        assert_eq!(repaired, " troops iraq");
        assert_eq!(ignored, ["an unmatched \" at character 1"]);
        let (repaired, ignored) = balance_delimiters("(a OR b)) (c \"x (\"");
        assert_eq!(repaired, "(a OR b)   c \"x (\"");
        assert_eq!(ignored.len(), 2);
        assert_eq!(balance_delimiters("\"a b\" (c)").1, Vec::<String>::new());
    }

    #[test]
    fn operators_that_apply_to_nothing_are_blanked() {
        assert_eq!(drop_dangling_operators("G - quadruplex"), "G   quadruplex");
        assert_eq!(drop_dangling_operators("alpha (+)- x"), "alpha ( )- x");
        assert_eq!(
            drop_dangling_operators("troops -iraq +1 \"a\" -(b)"),
            "troops -iraq +1 \"a\" -(b)"
        );
        assert_eq!(
            drop_dangling_operators("anti-inflammatory -"),
            "anti-inflammatory  "
        );
    }

    #[test]
    fn colons_outside_field_names_are_escaped() {
        assert_eq!(escape_colons("https://x.org/a"), "https\\://x.org/a");
        assert_eq!(
            escape_colons("title:troops at 10:30"),
            "title:troops at 10\\:30"
        );
        assert_eq!(escape_colons("-title:x (text:y)"), "-title:x (text:y)");
        assert_eq!(escape_colons("a\\:b"), "a\\:b");
    }

    /// The terms of `query`, as many times as it names them.
    fn named_terms(query: &dyn Query) -> Vec<String> {
        let mut terms = Vec::new();
        query.query_terms(&mut |term, _| {
            terms.push(format!(
                "{}:{}",
                term.field().field_id(),
                term.value().as_str().unwrap()
            ))
        });
        terms.sort();
        terms
    }

    /// A bare word is matched by one clause however many fields it is
    /// searched in, and a compound's parts are added once each.
    #[test]
    fn widening_adds_only_terms_no_clause_matches_alone() {
        let folder = tempfile::tempdir().unwrap();
        let articles = folder.path().join("articles");
        std::fs::create_dir(&articles).unwrap();
        std::fs::write(
            articles.join("a.txt"),
            " date 2024-01-02 Grain and cocoa.\n",
        )
        .unwrap();
        let untitled =
            crate::indexer::index_on_one_thread(articles.clone(), &folder.path().join("u"));
        std::fs::write(
            articles.join("b.md"),
            "---\ntitle: Cocoa week\ndate: 2024-01-03\n---\n\nAnti-inflammatory grain.\n",
        )
        .unwrap();
        let titled = crate::indexer::index_on_one_thread(articles, &folder.path().join("t"));
        for (index, fields) in [(&untitled, 1), (&titled, 2)] {
            let widened = |text: &str| {
                let parsed = parse_user_query(index, text, false).unwrap();
                named_terms(&*scored_words(index, &parsed, text).1)
            };
            let words = widened("grain cocoa");
            assert_eq!(words.len(), 2 * fields, "{words:?}");
            let compound = widened("anti-inflammatory grain");
            // The phrase's terms, then its parts and `grain` once each.
            let parts = compound.iter().filter(|t| t.ends_with(":anti")).count();
            assert_eq!(parts, 2 * fields, "{compound:?}");
            let grain = compound.iter().filter(|t| t.ends_with(":grain")).count();
            assert_eq!(grain, fields, "{compound:?}");
        }
    }
}
