//! The command line, as clap derive structs, and their conversion into the
//! options the library takes. Nothing below this module sees clap.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

use crate::error::{Error, Result};
use crate::indexer::{DEFAULT_MEMORY_BUDGET, IndexOptions};
use crate::ingest::{DEFAULT_MAX_FILE_SIZE, FieldOverrides, ReadOptions, UndatedPolicy};
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
        after_help = "Examples:\n  dateline index\n  dateline index ~/news --index ~/.news-index\n  dateline index corpus more/articles --strict"
    )]
    Index(IndexArgs),
    /// Search the index for ranked passages.
    #[command(after_help = SEARCH_EXAMPLES)]
    Search(SearchArgs),
    /// Show what the index holds: articles per format and year, dates, undated files.
    #[command(
        after_help = "Examples:\n  dateline stats\n  dateline stats --index ~/.news-index --format json"
    )]
    Stats(StatsArgs),
}

/// Arguments of `dateline stats`.
#[derive(Debug, clap::Args)]
pub struct StatsArgs {
    /// The index folder.
    #[arg(long, env = "DATELINE_INDEX", default_value = "index")]
    pub index: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = StatsFormatArg::Text)]
    pub format: StatsFormatArg,
}

/// `stats --format` values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum StatsFormatArg {
    /// Figures and a bar chart of articles per year.
    Text,
    /// One JSON object.
    Json,
}

/// `--undated` values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum UndatedArg {
    /// Leave undated articles out.
    Skip,
    /// Index them without a date (date filters exclude them).
    Keep,
    /// Refuse their files and exit with an error (2).
    Error,
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
    /// What to do with articles that have no recognisable date.
    #[arg(long, value_enum, default_value_t = UndatedArg::Keep)]
    pub undated: UndatedArg,
    /// Date articles that have no other date by their file's modification time.
    #[arg(long)]
    pub date_from_mtime: bool,
    /// Skip files larger than this many MiB (JSON Lines and SGML streams are
    /// read record by record and have no limit).
    #[arg(long, value_name = "MB", default_value_t = DEFAULT_MAX_FILE_SIZE / (1024 * 1024), value_parser = clap::value_parser!(u64).range(1..))]
    pub max_file_size: u64,
    /// Name a JSON field for odd schemas: date=FIELD, title=, text=, url=,
    /// author=, id= (dots reach into objects: date=meta.published). Repeatable.
    #[arg(long = "field", value_name = "KEY=FIELD")]
    pub fields: Vec<String>,
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
    /// The library's options for this run; fails on a bad `--field`.
    pub fn to_options(&self) -> Result<IndexOptions> {
        Ok(IndexOptions {
            paths: self.paths.clone(),
            index_dir: self.index.clone(),
            memory_budget: (self.memory as usize) * 1024 * 1024,
            read: ReadOptions {
                undated: match self.undated {
                    UndatedArg::Skip => UndatedPolicy::Skip,
                    UndatedArg::Keep => UndatedPolicy::Keep,
                    UndatedArg::Error => UndatedPolicy::Error,
                },
                date_from_mtime: self.date_from_mtime,
                max_file_size: self.max_file_size.saturating_mul(1024 * 1024),
                fields: FieldOverrides::parse(&self.fields).map_err(Error::InvalidArgument)?,
                ..ReadOptions::default()
            },
        })
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
