//! The reference article format.
//!
//! ```text
//!  date 2024-01-25 The United States and Iraq have said ...
//!
//! The talks — which have been planned for months — ...
//! ```
//!
//! The first line is an optional leading space, the word `date`, an ISO date,
//! then the first paragraph of the body on the same line (or nothing, with the
//! body starting on the next line). Paragraphs are separated by blank lines.
//! There is no title line: the article's source is its path.

use crate::date::{ArticleDate, checked_date};
use crate::ingest::{Passage, PassageSplitter};

/// What the reference format yields: a date and the body's passages.
#[derive(Debug, PartialEq, Eq)]
pub struct ReferenceArticle {
    /// The date on the first line.
    pub date: ArticleDate,
    /// The body split into passages.
    pub passages: Vec<Passage>,
}

/// Why a file is not a reference-format article.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum ReferenceError {
    /// The first line does not start with `date YYYY-MM-DD`.
    #[error("first line does not start with ' date YYYY-MM-DD' (found '{0}')")]
    NoDateLine(String),
    /// The date on the first line is not a real calendar date.
    #[error("line 1: invalid date '{date}': {reason}")]
    InvalidDate {
        /// The date as written.
        date: String,
        /// Why it is not a real date.
        reason: String,
    },
    /// The article has a date but no body text.
    #[error("no body text after the date line")]
    EmptyBody,
}

/// Parses a reference-format article.
pub fn parse_reference_article(text: &str) -> Result<ReferenceArticle, ReferenceError> {
    let first_line = text.lines().next().unwrap_or("");
    let trimmed = first_line.strip_prefix(' ').unwrap_or(first_line);
    let no_date_line = || ReferenceError::NoDateLine(first_line.chars().take(40).collect());
    let after_word = trimmed.strip_prefix("date ").ok_or_else(no_date_line)?;
    let date_text = after_word.get(..10).ok_or_else(no_date_line)?;
    let rest = &after_word[10..];
    if !(rest.is_empty() || rest.starts_with([' ', '\t', '\r'])) {
        return Err(no_date_line());
    }
    let date = parse_iso_day(date_text).map_err(|reason| match reason {
        None => no_date_line(),
        Some(reason) => ReferenceError::InvalidDate {
            date: date_text.to_string(),
            reason,
        },
    })?;
    // The body starts right after the date; blank it out so byte offsets and
    // line numbers still refer to the original file.
    let body_start = first_line.len() - rest.len();
    let passages = PassageSplitter::default().split(text, body_start);
    if passages.is_empty() {
        return Err(ReferenceError::EmptyBody);
    }
    Ok(ReferenceArticle {
        date: ArticleDate::from_day(date),
        passages,
    })
}

/// Parses `YYYY-MM-DD`. `Err(None)`: not of that shape; `Err(Some)`: of that
/// shape but not a real date.
fn parse_iso_day(text: &str) -> Result<jiff::civil::Date, Option<String>> {
    let bytes = text.as_bytes();
    let shape_ok = bytes.len() == 10
        && bytes[4] == b'-'
        && bytes[7] == b'-'
        && bytes
            .iter()
            .enumerate()
            .all(|(i, b)| i == 4 || i == 7 || b.is_ascii_digit());
    if !shape_ok {
        return Err(None);
    }
    let field = |range: std::ops::Range<usize>| text[range].parse::<i16>().expect("checked digits");
    checked_date(field(0..4), field(5..7), field(8..10)).map_err(Some)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_reference_shape() {
        let article =
            parse_reference_article(" date 2024-01-25 First para.\n\nSecond — para.\n").unwrap();
        assert_eq!(article.date.to_string(), "2024-01-25");
        let texts: Vec<_> = article
            .passages
            .iter()
            .map(|p| (p.text.as_str(), p.line))
            .collect();
        assert_eq!(texts, [("First para.", 1), ("Second — para.", 3)]);
    }

    #[test]
    fn accepts_no_leading_space_and_a_date_only_first_line() {
        let article =
            parse_reference_article("date 1987-03-01\nBody starts here.\n\nMore.").unwrap();
        assert_eq!(article.date.to_string(), "1987-03-01");
        assert_eq!(article.passages[0].text, "Body starts here.");
        assert_eq!(article.passages[0].line, 2);
        assert_eq!(article.passages[1].line, 4);
    }

    #[test]
    fn malformed_first_lines_are_errors_not_panics() {
        for text in [
            "",
            "\n\n",
            "date",
            " date ",
            " date 2024-01",
            "dated 2024-01-25 x",
            " date 2024-01-25x body",
            "Hello world",
            " date 2024/01/25 body",
            " date é024-01-25 x",
        ] {
            assert!(
                matches!(
                    parse_reference_article(text),
                    Err(ReferenceError::NoDateLine(_))
                ),
                "{text:?}"
            );
        }
    }

    #[test]
    fn impossible_dates_and_empty_bodies_are_named() {
        assert!(matches!(
            parse_reference_article(" date 2024-02-30 body"),
            Err(ReferenceError::InvalidDate { .. })
        ));
        assert_eq!(
            parse_reference_article(" date 2024-01-25 \n\n  \n"),
            Err(ReferenceError::EmptyBody)
        );
    }

    #[test]
    fn crlf_line_endings_are_accepted() {
        let article = parse_reference_article(" date 2024-01-25 One.\r\n\r\nTwo.\r\n").unwrap();
        let texts: Vec<_> = article.passages.iter().map(|p| p.text.as_str()).collect();
        assert_eq!(texts, ["One.", "Two."]);
    }

    mod properties {
        use proptest::prelude::*;

        use super::*;

        proptest! {
            #[test]
            fn parsing_never_panics(text in "\\PC*") {
                let _ = parse_reference_article(&text);
            }

            #[test]
            fn parsing_date_lines_never_panics(date in "[0-9]{4}-[0-9]{2}-[0-9]{2}", body in "\\PC*") {
                let _ = parse_reference_article(&format!(" date {date} {body}"));
            }
        }
    }
}
