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

use tantivy::query::{Query, QueryParser};

use crate::error::{Error, Result};
use crate::index::OpenIndex;

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
    let fields = &index.fields;
    let mut any_parser = QueryParser::for_index(&index.index, vec![fields.text, fields.title]);
    let mut all_parser = QueryParser::for_index(&index.index, vec![fields.text, fields.title]);
    all_parser.set_conjunction_by_default();
    // The title is short and says what the whole article is about.
    for parser in [&mut any_parser, &mut all_parser] {
        parser.set_field_boost(fields.title, 2.0);
    }

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
    let escaped = escape_colons(&repaired);
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
    fn colons_outside_field_names_are_escaped() {
        assert_eq!(escape_colons("https://x.org/a"), "https\\://x.org/a");
        assert_eq!(
            escape_colons("title:troops at 10:30"),
            "title:troops at 10\\:30"
        );
        assert_eq!(escape_colons("-title:x (text:y)"), "-title:x (text:y)");
        assert_eq!(escape_colons("a\\:b"), "a\\:b");
    }
}
