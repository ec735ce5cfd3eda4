//! Every printer: search results (text, JSON), timelines (chart, JSON, CSV),
//! index stats, indexing summaries and evaluation reports, and the pages
//! of `dateline serve` ([`html`]).
//!
//! Printers take the library's plain values and any `io::Write`, so tests
//! capture output in a `Vec<u8>`; they never touch tantivy.

mod eval;
pub mod html;
mod json;
mod layout;
mod stats;
mod summary;
mod text;
mod timeline;

use std::io::IsTerminal;

pub use eval::{write_eval_json, write_eval_report};
pub use json::{JsonContext, JsonHit, JsonMeta, write_article_json, write_json, write_jsonl};
pub use stats::{write_stats_json, write_stats_text};
pub use summary::write_index_summary_json;
pub use text::{TextPrinter, write_sources};
pub use timeline::{TimelineChart, write_timeline_csv, write_timeline_json};

/// The width of the terminal on stdout, or `None` when stdout is not a
/// terminal (output is then not wrapped, so it greps and pipes cleanly).
pub fn terminal_width() -> Option<usize> {
    terminal_size::terminal_size_of(std::io::stdout()).map(|(width, _)| usize::from(width.0))
}

/// How results are printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum OutputFormat {
    /// Ranked passages for reading on a terminal.
    #[default]
    Text,
    /// One JSON object with every result.
    Json,
    /// One JSON object per result, one per line.
    Jsonl,
}

/// How a report (stats, an evaluation, an indexing summary) is printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum ReportFormat {
    /// Lines for reading.
    #[default]
    Text,
    /// One JSON object.
    Json,
}

/// How a timeline is printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum TimelineFormat {
    /// A bar chart.
    #[default]
    Text,
    /// One JSON object.
    Json,
    /// One row per period, one column per query.
    Csv,
}

/// `n` and the noun, singular or plural as `n` asks: "1 article",
/// "2 articles".
pub fn counted(n: usize, singular: &str, plural: &str) -> String {
    format!("{n} {}", if n == 1 { singular } else { plural })
}

/// When to use colour.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum ColorChoice {
    /// Colour when stdout is a terminal and `NO_COLOR` is unset.
    #[default]
    Auto,
    /// Always colour.
    Always,
    /// Never colour.
    Never,
}

impl ColorChoice {
    /// Decides once, the way fd and ripgrep do: `auto` means a terminal on
    /// stdout and no (non-empty) `NO_COLOR` in the environment.
    pub fn use_color(self) -> bool {
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                    && std::io::stdout().is_terminal()
            }
        }
    }
}
