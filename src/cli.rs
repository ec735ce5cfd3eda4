//! The command line, as clap derive structs, and their conversion into the
//! options the library takes. Nothing below this module sees clap.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

use crate::error::Result;
use crate::indexer::{
    DEFAULT_COMMIT_EVERY, DEFAULT_COMMIT_SECONDS, DEFAULT_MAX_FILE_MIB, DEFAULT_MEMORY_BUDGET,
    IndexOptions,
};
use crate::output::{ColorChoice, OutputFormat};
use crate::search::{DateFilter, SearchRequest};

/// Search folders of dated articles: ranked passages with dates, sources and
/// highlighted matches.
#[derive(Debug, Parser)]
#[command(name = "dateline", version, about, propagate_version = true)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Index files and folders of articles (re-running replaces what changed).
    #[command(
        after_help = "Examples:\n  dateline index\n  dateline index ~/news --index ~/.news-index\n  dateline index corpus more/articles --strict\n  dateline index ~/news --rebuild --memory 256\n\nRe-running updates only what changed; Ctrl-C commits what is done (exit 130)."
    )]
    Index(IndexArgs),
    /// Search the index for ranked passages.
    #[command(after_help = SEARCH_EXAMPLES)]
    Search(SearchArgs),
}

const SEARCH_EXAMPLES: &str = "Query language:
  troops iraq          passages with both words rank first, then those with either
  \"timeline for reducing\"   an exact phrase
  troops -syria        exclude a word
  oil OR gas, (oil OR gas) AND opec, title:cocoa

Dates are UTC and inclusive; a partial date covers its whole period:
  --since 2024-01      from 2024-01-01 00:00:00
  --until 2024-01      up to 2024-01-31 23:59:59
  --on 1987-03         all of March 1987

Examples:
  dateline search troops
  dateline search \"interest rates\" --since 1987-03 --until 1987-04 -n 5
  dateline search cocoa --on 1987-02-26 --format json";

/// Arguments of `dateline index`.
#[derive(Debug, clap::Args)]
pub struct IndexArgs {
    /// Files or folders to index.
    #[arg(default_value = "corpus")]
    pub paths: Vec<PathBuf>,
    /// The index folder (created if missing).
    #[arg(long, env = "DATELINE_INDEX", default_value = "index")]
    pub index: PathBuf,
    /// Exit with an error (2) when any file was skipped.
    #[arg(long)]
    pub strict: bool,
    /// Memory budget for the index writer, in MiB.
    #[arg(long, value_name = "MB", default_value_t = (DEFAULT_MEMORY_BUDGET / (1024 * 1024)) as u64, value_parser = clap::value_parser!(u64).range(16..=65536))]
    pub memory: u64,
    /// Start from an empty index instead of updating the existing one (the
    /// old index stays searchable until the new one is committed).
    #[arg(long)]
    pub rebuild: bool,
    /// Keep the articles of files that no longer exist.
    #[arg(long)]
    pub no_prune: bool,
    /// Commit after every N articles, so an interrupted run keeps its work.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_COMMIT_EVERY as u64, value_parser = clap::value_parser!(u64).range(1..))]
    pub commit_every: u64,
    /// Commit at least every SECS seconds.
    #[arg(long, value_name = "SECS", default_value_t = DEFAULT_COMMIT_SECONDS)]
    pub commit_interval: u64,
    /// Skip files larger than MB MiB without reading them.
    #[arg(long, value_name = "MB", default_value_t = DEFAULT_MAX_FILE_MIB)]
    pub max_file_size: u64,
    /// No progress bar (notices, skipped files and the summary are still
    /// printed on stderr).
    #[arg(short, long)]
    pub quiet: bool,
}

/// Arguments of `dateline search`.
#[derive(Debug, clap::Args)]
pub struct SearchArgs {
    /// The query: words, "phrases", -excluded words, AND, OR, (groups).
    #[arg(allow_hyphen_values = true)]
    pub query: String,
    /// The index folder.
    #[arg(long, env = "DATELINE_INDEX", default_value = "index")]
    pub index: PathBuf,
    /// Only articles dated on or after DATE (YYYY, YYYY-MM or YYYY-MM-DD; UTC).
    #[arg(long, value_name = "DATE")]
    pub since: Option<String>,
    /// Only articles dated on or before DATE, its whole period included (UTC).
    #[arg(long, value_name = "DATE")]
    pub until: Option<String>,
    /// Only articles dated within DATE: a year, a month or a day (UTC).
    #[arg(long, value_name = "DATE")]
    pub on: Option<String>,
    /// How many passages to show.
    #[arg(short = 'n', long = "limit", value_name = "N", default_value_t = 10)]
    pub limit: usize,
    /// The most passages to show from one article.
    #[arg(long, value_name = "K", default_value_t = 2)]
    pub per_article: usize,
    /// Output format.
    #[arg(long, value_enum, default_value_t = FormatArg::Text)]
    pub format: FormatArg,
    /// When to colour the output (NO_COLOR is honoured under auto).
    #[arg(long, value_enum, default_value_t = ColorArg::Auto)]
    pub color: ColorArg,
    /// Fail (exit 2) on a query that cannot be parsed instead of ignoring
    /// the unparsable part.
    #[arg(long)]
    pub strict: bool,
}

/// `--format` values.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum FormatArg {
    /// Ranked passages for reading.
    Text,
    /// One JSON object with all results.
    Json,
    /// One JSON object per result per line.
    Jsonl,
}

/// `--color` values.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum ColorArg {
    /// Colour on a terminal unless NO_COLOR is set.
    Auto,
    /// Always colour.
    Always,
    /// Never colour.
    Never,
}

impl IndexArgs {
    /// The library's options for this run.
    pub fn to_options(&self) -> IndexOptions {
        IndexOptions {
            memory_budget: (self.memory as usize) * 1024 * 1024,
            rebuild: self.rebuild,
            prune: !self.no_prune,
            commit_every_articles: usize::try_from(self.commit_every).unwrap_or(usize::MAX),
            commit_interval: std::time::Duration::from_secs(self.commit_interval),
            max_file_bytes: self.max_file_size.saturating_mul(1024 * 1024),
            ..IndexOptions::new(self.paths.clone(), self.index.clone())
        }
    }
}

impl SearchArgs {
    /// The library's request for this search; fails on a bad date.
    pub fn to_request(&self) -> Result<SearchRequest> {
        Ok(SearchRequest {
            query: self.query.clone(),
            dates: DateFilter::from_args(
                self.since.as_deref(),
                self.until.as_deref(),
                self.on.as_deref(),
            )?,
            limit: self.limit,
            per_article: self.per_article,
            strict: self.strict,
        })
    }

    /// The chosen output format.
    pub fn output_format(&self) -> OutputFormat {
        match self.format {
            FormatArg::Text => OutputFormat::Text,
            FormatArg::Json => OutputFormat::Json,
            FormatArg::Jsonl => OutputFormat::Jsonl,
        }
    }

    /// The chosen colour policy.
    pub fn color_choice(&self) -> ColorChoice {
        match self.color {
            ColorArg::Auto => ColorChoice::Auto,
            ColorArg::Always => ColorChoice::Always,
            ColorArg::Never => ColorChoice::Never,
        }
    }
}
