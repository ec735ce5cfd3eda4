//! The command line, as clap derive structs, and their conversion into the
//! options the library takes. Nothing below this module sees clap.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

use crate::error::Result;
use crate::indexer::{DEFAULT_MEMORY_BUDGET, IndexOptions};
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
    /// Measure ranking quality on a test collection in BEIR layout.
    #[command(after_help = EVAL_EXAMPLES)]
    Eval(EvalArgs),
}

const EVAL_EXAMPLES: &str =
    "The folder holds corpus.jsonl, queries.jsonl and qrels/test.tsv (BEIR layout).
Prints nDCG@10, Recall@100, MRR@10 and queries/s over the judged queries.

Examples:
  dateline eval ../shared/data/scifact
  dateline eval ../shared/data/scifact --k1 1.2 --b 0.75 --format json
  dateline eval ../shared/data/scifact --proximity 0 --title-weight 1";

/// Arguments of `dateline eval`.
#[derive(Debug, clap::Args)]
pub struct EvalArgs {
    /// The test collection folder (BEIR layout).
    pub collection: PathBuf,
    /// Build the index here (kept afterwards) instead of in a temporary folder.
    #[arg(long)]
    pub index: Option<PathBuf>,
    /// Which judgments to use: qrels/SPLIT.tsv.
    #[arg(long, default_value = "test")]
    pub split: String,
    /// The stemmer language of the index.
    #[arg(long, default_value = "english", value_parser = parse_language)]
    pub language: tantivy::tokenizer::Language,
    /// Split documents into passages of at most N words (default: as
    /// `dateline index` does).
    #[arg(long, value_name = "N")]
    pub passage_words: Option<usize>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = EvalFormatArg::Text)]
    pub format: EvalFormatArg,
    /// Ranking knobs.
    #[command(flatten)]
    pub ranking: RankingArgs,
}

/// Ranking knobs shared by `search` and `eval`; unset ones keep the
/// defaults measured best (README, "Relevance").
#[derive(Debug, Default, clap::Args)]
#[command(next_help_heading = "Ranking")]
pub struct RankingArgs {
    /// BM25 term-frequency saturation.
    #[arg(long, value_name = "K1")]
    pub k1: Option<f32>,
    /// BM25 length normalisation, 0..1.
    #[arg(long, value_name = "B")]
    pub b: Option<f32>,
    /// Passages shorter than F × the average length count as that long.
    #[arg(long, value_name = "F")]
    pub length_floor: Option<f32>,
    /// Weight of title words against text words.
    #[arg(long, value_name = "W")]
    pub title_weight: Option<f32>,
    /// Weight of the bonus for query words near each other (0 = off).
    #[arg(long, value_name = "W")]
    pub proximity: Option<f32>,
    /// Words apart that still count as near.
    #[arg(long, value_name = "N")]
    pub proximity_window: Option<u32>,
    /// Leave the query's stop words out of the score (true/false).
    #[arg(long, value_name = "BOOL")]
    pub skip_stop_words: Option<bool>,
    /// Rank passages with every query word above the rest (true/false).
    #[arg(long, value_name = "BOOL")]
    pub all_words_first: Option<bool>,
    /// Article score = best passage + W × the other passages' scores.
    #[arg(long, value_name = "W")]
    pub sibling_weight: Option<f32>,
    /// Mix W × the whole article's BM25F into each passage's score, 0..1.
    #[arg(long, value_name = "W")]
    pub article_weight: Option<f32>,
    /// RM3 feedback from the top N articles (0 = off).
    #[arg(long, value_name = "N")]
    pub rm3_docs: Option<usize>,
    /// RM3: how many expansion words.
    #[arg(long, value_name = "N")]
    pub rm3_terms: Option<usize>,
    /// RM3: weight of the original query, 0..1.
    #[arg(long, value_name = "W")]
    pub rm3_original_weight: Option<f32>,
}

impl RankingArgs {
    /// The ranking: the defaults with the given knobs changed.
    pub fn to_ranking(&self) -> crate::search::Ranking {
        let mut r = crate::search::Ranking::default();
        let set = |target: &mut f32, value: Option<f32>| {
            if let Some(v) = value {
                *target = v;
            }
        };
        set(&mut r.k1, self.k1);
        set(&mut r.b, self.b);
        set(&mut r.title_weight, self.title_weight);
        set(&mut r.length_floor, self.length_floor);
        set(&mut r.proximity_weight, self.proximity);
        set(&mut r.sibling_weight, self.sibling_weight);
        set(&mut r.article_weight, self.article_weight);
        set(&mut r.feedback_original_weight, self.rm3_original_weight);
        r.proximity_window = self.proximity_window.unwrap_or(r.proximity_window);
        r.skip_stop_words = self.skip_stop_words.unwrap_or(r.skip_stop_words);
        r.all_words_first = self.all_words_first.unwrap_or(r.all_words_first);
        r.feedback_docs = self.rm3_docs.unwrap_or(r.feedback_docs);
        r.feedback_terms = self.rm3_terms.unwrap_or(r.feedback_terms);
        r
    }
}

/// Parses a `--language` name.
fn parse_language(name: &str) -> std::result::Result<tantivy::tokenizer::Language, String> {
    crate::index::language_by_name(name).ok_or_else(|| {
        let names: Vec<&str> = crate::index::LANGUAGES.iter().map(|(n, _)| *n).collect();
        format!("unknown language; one of: {}", names.join(", "))
    })
}

impl EvalArgs {
    /// The library's options for this run.
    pub fn to_options(&self) -> crate::eval::EvalOptions {
        crate::eval::EvalOptions {
            collection: self.collection.clone(),
            split: self.split.clone(),
            index_dir: self.index.clone(),
            language: self.language,
            passage_words: self.passage_words,
            ranking: self.ranking.to_ranking(),
        }
    }
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
    /// The stemmer language of a new index (recorded in it; queries are
    /// analysed the same way). An existing index keeps its language.
    #[arg(long, value_parser = parse_language)]
    pub language: Option<tantivy::tokenizer::Language>,
    /// Memory budget for the index writer, in MiB.
    #[arg(long, value_name = "MB", default_value_t = (DEFAULT_MEMORY_BUDGET / (1024 * 1024)) as u64, value_parser = clap::value_parser!(u64).range(16..=65536))]
    pub memory: u64,
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
    /// Ranking knobs.
    #[command(flatten)]
    pub ranking: RankingArgs,
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

/// `dateline eval --format` values.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum EvalFormatArg {
    /// Aligned lines for reading.
    Text,
    /// One JSON object.
    Json,
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
            paths: self.paths.clone(),
            index_dir: self.index.clone(),
            memory_budget: (self.memory as usize) * 1024 * 1024,
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
            ranking: self.ranking.to_ranking(),
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
