//! The text layout: a header line per hit, then the passage.
//!
//! ```text
//!  1  2024-01-25  corpus/000_13dcff22e6eeeb5b.txt:1  score 3.21
//!     The United States and Iraq have said they will begin discussions on the
//!     future of American and other foreign troops in the country, …
//! ```
//!
//! The rank is right-aligned and the date sits in a fixed-width column, so
//! the `path:line` locations (clickable in most terminals and editors) line
//! up. Colour marks the parts: rank bold, date green, `path:line` magenta
//! (as ripgrep prints paths), score dimmed, matches bold red. Long passages
//! are trimmed around their matches with `…`, and wrapped to the terminal
//! width when there is one. With `--context`, a gutter tells the hit (`│`)
//! from its neighbouring passages (`┊`, dimmed).

use std::io::{self, Write};

use crate::output::layout::{Cell, cells, trim_around_matches, wrap};
use crate::search::{Hit, SearchResults, to_char_ranges};

const BOLD: &str = "\x1b[1m";
const DIM: &str = "\x1b[2m";
const GREEN: &str = "\x1b[32m";
const MAGENTA: &str = "\x1b[35m";
const MATCH: &str = "\x1b[1;31m";
const RESET: &str = "\x1b[0m";

/// The passage indent, in columns.
const INDENT: usize = 4;

/// Prints results for people.
#[derive(Clone, Debug)]
pub struct TextPrinter {
    color: bool,
    width: Option<usize>,
    snippet_len: usize,
}

impl TextPrinter {
    /// A printer that colours (or not), neither wrapping nor trimming.
    pub fn new(color: bool) -> TextPrinter {
        TextPrinter {
            color,
            width: None,
            snippet_len: 0,
        }
    }

    /// Wraps passages to `width` columns (the terminal's); `None` keeps
    /// each line of a passage on one line, for pipes.
    pub fn width(mut self, width: Option<usize>) -> TextPrinter {
        self.width = width;
        self
    }

    /// Shows at most about `chars` characters of each passage, around its
    /// matches; 0 shows whole passages.
    pub fn snippet_len(mut self, chars: usize) -> TextPrinter {
        self.snippet_len = chars;
        self
    }

    /// Writes every hit, separated by blank lines.
    pub fn write<W: Write>(&self, out: &mut W, results: &SearchResults) -> io::Result<()> {
        let rank_width = results
            .hits
            .iter()
            .map(|h| h.rank.to_string().len())
            .max()
            .unwrap_or(1);
        let date_width = results
            .hits
            .iter()
            .map(|h| h.date.map_or("undated".len(), |d| d.to_string().len()))
            .max()
            .unwrap_or(10);
        for (i, hit) in results.hits.iter().enumerate() {
            if i > 0 {
                writeln!(out)?;
            }
            self.write_hit(out, hit, rank_width, date_width)?;
        }
        Ok(())
    }

    fn write_hit<W: Write>(
        &self,
        out: &mut W,
        hit: &Hit,
        rank_width: usize,
        date_width: usize,
    ) -> io::Result<()> {
        let date = hit
            .date
            .map(|d| d.to_string())
            .unwrap_or_else(|| "undated".to_string());
        let location = if hit.meta.locates_by_page() {
            format!("{}:page {}", hit.source, hit.line)
        } else {
            format!("{}:{}", hit.source, hit.line)
        };
        write!(
            out,
            "{}  {}  {}",
            self.paint(BOLD, &format!("{:>rank_width$}", hit.rank)),
            self.paint(GREEN, &format!("{date:<date_width$}")),
            self.paint(MAGENTA, &location)
        )?;
        if let Some(record) = &hit.meta.record_id {
            // A record of a multi-article file (Reuters NEWID, a JSON id).
            write!(out, "  {}", self.paint(DIM, &format!("record {record}")))?;
        }
        if let Some(title) = &hit.title {
            write!(out, "  {}", self.paint(BOLD, title))?;
        }
        if hit.title_only {
            // Says why the passage below has no highlighted words.
            write!(out, "  {}", self.paint(DIM, "(title match)"))?;
        }
        writeln!(
            out,
            "  {}",
            self.paint(DIM, &format!("score {:.2}", hit.score))
        )?;

        let has_context = !hit.context_before.is_empty() || !hit.context_after.is_empty();
        let (hit_gutter, context_gutter) = if has_context {
            ("│ ", "┊ ")
        } else {
            ("", "")
        };
        for passage in &hit.context_before {
            self.write_passage(out, &cells(&passage.text, &[]), context_gutter, true, false)?;
        }
        let marks = if hit.title_only {
            Vec::new()
        } else {
            to_char_ranges(&hit.passage, &hit.highlights)
        };
        self.write_passage(
            out,
            &cells(&hit.passage, &marks),
            hit_gutter,
            false,
            hit.code,
        )?;
        for passage in &hit.context_after {
            self.write_passage(out, &cells(&passage.text, &[]), context_gutter, true, false)?;
        }
        if !hit.also_in.is_empty() {
            let mut line = format!("also in: {}", hit.also_in.join(", "));
            if hit.also_in_more > 0 {
                line.push_str(&format!(" (+{} more)", hit.also_in_more));
            }
            writeln!(out, "{:INDENT$}{}", "", self.paint(DIM, &line))?;
        }
        Ok(())
    }

    /// Writes a passage, wrapped to the width; code keeps its lines and
    /// their indentation, unwrapped.
    fn write_passage<W: Write>(
        &self,
        out: &mut W,
        passage: &[Cell],
        gutter: &str,
        dim: bool,
        code: bool,
    ) -> io::Result<()> {
        let trimmed = trim_around_matches(passage, self.snippet_len);
        let width = self
            .width
            .filter(|_| !code)
            .map(|w| w.saturating_sub(INDENT + gutter.chars().count()));
        for line in wrap(&trimmed, width) {
            write!(out, "{:INDENT$}", "")?;
            if !gutter.is_empty() {
                write!(out, "{}", self.paint(DIM, gutter))?;
            }
            self.write_cells(out, &line, dim)?;
            writeln!(out)?;
        }
        Ok(())
    }

    fn write_cells<W: Write>(&self, out: &mut W, line: &[Cell], dim: bool) -> io::Result<()> {
        // Built as one string: a write per character is slow on a
        // buffered writer and slower still in debug builds.
        let base = if dim { DIM } else { "" };
        let mut text = String::with_capacity(line.len() * 2 + 16);
        if self.color && dim {
            text.push_str(DIM);
        }
        let mut in_match = false;
        for cell in line {
            if self.color && cell.marked != in_match {
                in_match = cell.marked;
                if in_match {
                    text.push_str(MATCH);
                } else {
                    text.push_str(RESET);
                    text.push_str(base);
                }
            }
            text.push(cell.ch);
        }
        if self.color && (in_match || dim) {
            text.push_str(RESET);
        }
        out.write_all(text.as_bytes())
    }

    fn paint(&self, style: &str, text: &str) -> String {
        if self.color {
            format!("{style}{text}{RESET}")
        } else {
            text.to_string()
        }
    }
}

/// Writes one source per line: what `--files` prints.
pub fn write_sources<W: Write>(out: &mut W, sources: &[String], color: bool) -> io::Result<()> {
    for source in sources {
        if color {
            writeln!(out, "{MAGENTA}{source}{RESET}")?;
        } else {
            writeln!(out, "{source}")?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::date::{ArticleDate, DatePrecision, Period};
    use crate::search::ArticlePassage;

    fn results() -> SearchResults {
        let passage = "Troops — and more troops.".to_string();
        let first = passage.find("Troops").unwrap();
        let second = passage.rfind("troops").unwrap();
        SearchResults {
            query: "troops".into(),
            total_hits: 1,
            ignored: vec![],
            hidden: Default::default(),
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

    fn printed(printer: &TextPrinter, results: &SearchResults) -> String {
        let mut out = Vec::new();
        printer.write(&mut out, results).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn plain_output_has_no_escape_codes_and_the_exact_passage() {
        let text = printed(&TextPrinter::new(false), &results());
        assert_eq!(
            text,
            "1  2024-01-25  corpus/a.txt:3  score 1.50\n    Troops — and more troops.\n"
        );
    }

    #[test]
    fn a_record_of_a_multi_article_file_shows_its_id() {
        let mut results = results();
        results.hits[0].meta.record_id = Some("1".into());
        results.hits[0].title = Some("BAHIA COCOA REVIEW".into());
        let text = printed(&TextPrinter::new(false), &results);
        assert!(
            text.starts_with(
                "1  2024-01-25  corpus/a.txt:3  record 1  BAHIA COCOA REVIEW  score 1.50\n"
            ),
            "{text}"
        );
    }

    #[test]
    fn coloured_output_marks_each_match() {
        let text = printed(&TextPrinter::new(true), &results());
        assert_eq!(text.matches(MATCH).count(), 2);
        assert!(text.contains(&format!("{MATCH}troops{RESET}")));
    }

    #[test]
    fn ranks_align_and_undated_hits_keep_the_date_column() {
        let mut many = results();
        let template = many.hits[0].clone();
        for rank in 2..=10 {
            many.hits.push(Hit {
                rank,
                date: (rank != 10).then_some(template.date.unwrap()),
                ..template.clone()
            });
        }
        let text = printed(&TextPrinter::new(false), &many);
        assert!(text.starts_with(" 1  2024-01-25  corpus/a.txt:3"), "{text}");
        assert!(text.contains("\n10  undated     corpus/a.txt:3"), "{text}");
    }

    #[test]
    fn wrapped_lines_fit_the_width_even_with_colour() {
        let mut long = results();
        long.hits[0].passage = "troops ".repeat(40).trim_end().to_string();
        long.hits[0].highlights = std::iter::once(0..6).collect();
        let text = printed(&TextPrinter::new(false).width(Some(40)), &long);
        for line in text.lines().skip(1) {
            assert!(line.chars().count() <= 40, "{line:?}");
        }
        let coloured = printed(&TextPrinter::new(true).width(Some(40)), &long);
        assert_eq!(coloured.lines().count(), text.lines().count());
    }

    #[test]
    fn title_only_hits_and_context_show_without_highlights() {
        let mut with_context = results();
        let hit = &mut with_context.hits[0];
        hit.title_only = true;
        hit.title = Some("Troops".into());
        hit.context_after = vec![ArticlePassage {
            passage_no: 1,
            line: 5,
            text: "After.".into(),
        }];
        let text = printed(&TextPrinter::new(true), &with_context);
        assert!(!text.contains(MATCH), "{text:?}");
        assert!(text.contains("(title match)"));
        let plain = printed(&TextPrinter::new(false), &with_context);
        assert!(
            plain.ends_with("    │ Troops — and more troops.\n    ┊ After.\n"),
            "{plain}"
        );
    }
}
