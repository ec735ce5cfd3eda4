//! The text layout: a header line per hit, then the passage.
//!
//! ```text
//! 1  2024-01-25  corpus/000_13dcff22e6eeeb5b.txt:1  score 3.21
//!    The United States and Iraq ... foreign troops in the country ...
//! ```
//!
//! Colour marks the parts: rank bold, date green, `path:line` magenta (as
//! ripgrep prints paths), score dimmed, matched words bold red. Without
//! colour the passage is printed exactly as indexed, with no markers.

use std::io::{self, Write};

use crate::search::{Hit, SearchResults};

const BOLD: &str = "\x1b[1m";
const DIM: &str = "\x1b[2m";
const GREEN: &str = "\x1b[32m";
const MAGENTA: &str = "\x1b[35m";
const MATCH: &str = "\x1b[1;31m";
const RESET: &str = "\x1b[0m";

/// Prints results for people.
pub struct TextPrinter {
    color: bool,
}

impl TextPrinter {
    /// A printer that colours (or not).
    pub fn new(color: bool) -> TextPrinter {
        TextPrinter { color }
    }

    /// Writes every hit, separated by blank lines.
    pub fn write<W: Write>(&self, out: &mut W, results: &SearchResults) -> io::Result<()> {
        for (i, hit) in results.hits.iter().enumerate() {
            if i > 0 {
                writeln!(out)?;
            }
            self.write_hit(out, hit)?;
        }
        Ok(())
    }

    fn write_hit<W: Write>(&self, out: &mut W, hit: &Hit) -> io::Result<()> {
        let date = hit
            .date
            .map(|d| d.to_string())
            .unwrap_or_else(|| "undated".to_string());
        let location = format!("{}:{}", hit.source, hit.line);
        write!(
            out,
            "{}  {}  {}",
            self.paint(BOLD, &hit.rank.to_string()),
            self.paint(GREEN, &format!("{date:<10}")),
            self.paint(MAGENTA, &location)
        )?;
        if let Some(title) = &hit.title {
            write!(out, "  {}", self.paint(BOLD, title))?;
        }
        writeln!(
            out,
            "  {}",
            self.paint(DIM, &format!("score {:.2}", hit.score))
        )?;
        let mut body = String::with_capacity(hit.passage.len() + 32);
        let mut at = 0;
        for range in &hit.highlights {
            body.push_str(&hit.passage[at..range.start]);
            body.push_str(&self.paint(MATCH, &hit.passage[range.clone()]));
            at = range.end;
        }
        body.push_str(&hit.passage[at..]);
        for line in body.lines() {
            writeln!(out, "   {line}")?;
        }
        Ok(())
    }

    fn paint(&self, style: &str, text: &str) -> String {
        if self.color {
            format!("{style}{text}{RESET}")
        } else {
            text.to_string()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::date::{ArticleDate, DatePrecision, Period};

    fn results() -> SearchResults {
        let passage = "Troops — and more troops.".to_string();
        let first = passage.find("Troops").unwrap();
        let second = passage.rfind("troops").unwrap();
        SearchResults {
            query: "troops".into(),
            total_hits: 1,
            ignored: vec![],
            hits: vec![Hit {
                rank: 1,
                score: 1.5,
                date: Some(ArticleDate::from_stored(
                    Period::parse("2024-01-25").unwrap().start(),
                    DatePrecision::Day,
                )),
                source: "corpus/a.txt".into(),
                line: 3,
                title: None,
                highlights: vec![first..first + 6, second..second + 6],
                passage,
                ..Hit::default()
            }],
        }
    }

    #[test]
    fn plain_output_has_no_escape_codes_and_the_exact_passage() {
        let mut out = Vec::new();
        TextPrinter::new(false).write(&mut out, &results()).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert_eq!(
            text,
            "1  2024-01-25  corpus/a.txt:3  score 1.50\n   Troops — and more troops.\n"
        );
    }

    #[test]
    fn coloured_output_marks_each_match() {
        let mut out = Vec::new();
        TextPrinter::new(true).write(&mut out, &results()).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert_eq!(text.matches(MATCH).count(), 2);
        assert!(text.contains(&format!("{MATCH}troops{RESET}")));
    }
}
