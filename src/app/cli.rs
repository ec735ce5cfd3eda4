//! The command line as clap structs: one `Args` struct per subcommand,
//! each followed by its conversion into the options the library takes.
//! Nothing below `app` sees clap.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Parser, Subcommand, ValueEnum};

use dateline::date::{Period, parse_age, today_utc};
use dateline::error::{Error, Result};
use dateline::eval::{EvalOptions, QueryIds};
use dateline::index::Language;
use dateline::indexer::{DEFAULT_COMMIT_SECONDS, DEFAULT_MEMORY_BUDGET, IndexOptions};
use dateline::ingest::{
    DEFAULT_MAX_FILE_SIZE, DayOrder, FieldOverrides, FileSelection, ReadOptions, UndatedPolicy,
};
use dateline::output::{ColorChoice, OutputFormat, ReportFormat, TimelineFormat};
use dateline::search::timeline::{Bucket, TimelineRequest};
use dateline::search::{DateFilter, Ranking, SearchRequest, SortOrder};

use crate::app::help;

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
    #[command(after_help = help::INDEX)]
    Index(IndexArgs),
    /// Search the index for ranked passages.
    #[command(after_help = help::SEARCH)]
    Search(SearchArgs),
    /// How often a query was mentioned over time: matching articles per
    /// day, week, month or year.
    #[command(after_help = help::TIMELINE)]
    Timeline(TimelineArgs),
    /// Show what the index holds: articles per format and year, dates, undated files.
    #[command(after_help = help::STATS)]
    Stats(StatsArgs),
    /// Serve a search page and a JSON API over the index, on this machine
    /// by default.
    #[command(after_help = help::SERVE)]
    Serve(ServeArgs),
    /// Measure ranking quality on a test collection in BEIR layout.
    #[command(after_help = help::EVAL)]
    Eval(EvalArgs),
    /// Print a shell completion script to stdout.
    #[command(after_help = help::COMPLETIONS)]
    Completions(CompletionsArgs),
    /// Print the man page (roff) to stdout.
    #[command(after_help = help::MAN)]
    Man,
}

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
    /// analysed the same way): arabic, danish, dutch, english, finnish,
    /// french, german, greek, hungarian, italian, norwegian, portuguese,
    /// romanian, russian, spanish, swedish, tamil or turkish. An existing
    /// index keeps its language.
    #[arg(long)]
    pub language: Option<Language>,
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
    /// Also commit after every N articles (by default commits go by time
    /// alone: each one costs the run a pause).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub commit_every: Option<u64>,
    /// Commit at least every SECS seconds, so an interrupted run keeps its
    /// work.
    #[arg(long, value_name = "SECS", default_value_t = DEFAULT_COMMIT_SECONDS)]
    pub commit_interval: u64,
    /// No progress bar (notices, skipped files and the summary are still
    /// printed on stderr).
    #[arg(short, long)]
    pub quiet: bool,
    /// Also say what the index holds after the run: articles, passages,
    /// files, duplicates and near-copy stories.
    #[arg(short, long)]
    pub verbose: bool,
    /// The summary's format: a line on stderr, or one JSON object on stdout.
    #[arg(long, value_enum, default_value_t = ReportFormatArg::Text)]
    pub format: ReportFormatArg,
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
    /// Name the metadata field to read: date=FIELD, title=, text=, url=,
    /// author=, id=; a JSON or front-matter key (dots reach into objects:
    /// date=meta.published), a mail header, an HTML meta name or JSON-LD
    /// key. Repeatable.
    #[arg(long = "field", value_name = "KEY=FIELD")]
    pub fields: Vec<String>,
    /// Read all-number dates such as 04/05/2024 day first (4 May); without
    /// it or --month-first such a date is reported as ambiguous. Files
    /// already indexed are read again only with --rebuild.
    #[arg(long, conflicts_with = "month_first")]
    pub day_first: bool,
    /// Read all-number dates such as 04/05/2024 month first (April 5).
    #[arg(long)]
    pub month_first: bool,
    /// Index only files matching GLOB (as `rg -g`), whatever their kind:
    /// `--include '*.go'` indexes Go files as text. Repeatable.
    #[arg(long, value_name = "GLOB")]
    pub include: Vec<String>,
    /// Do not index files or folders matching GLOB. Repeatable.
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,
    /// Index only files of this type, by rg's type names (`md`, `html`,
    /// `txt`, `json`, `go`, ...; `rg --type-list`), whatever their kind.
    /// Repeatable.
    #[arg(long = "type", short = 't', value_name = "TYPE")]
    pub types: Vec<String>,
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

impl IndexArgs {
    /// The library's options for this run; fails on a bad `--field`.
    pub fn to_options(&self) -> Result<IndexOptions> {
        Ok(IndexOptions {
            memory_budget: (self.memory as usize) * 1024 * 1024,
            rebuild: self.rebuild,
            prune: !self.no_prune,
            commit_every_articles: self
                .commit_every
                .map(|every| usize::try_from(every).unwrap_or(usize::MAX)),
            commit_interval: Duration::from_secs(self.commit_interval),
            language: self.language,
            read: ReadOptions {
                undated: match self.undated {
                    UndatedArg::Skip => UndatedPolicy::Skip,
                    UndatedArg::Keep => UndatedPolicy::Keep,
                    UndatedArg::Error => UndatedPolicy::Error,
                },
                date_from_mtime: self.date_from_mtime,
                max_file_size: self.max_file_size.saturating_mul(1024 * 1024),
                fields: FieldOverrides {
                    day_order: if self.day_first {
                        DayOrder::DayFirst
                    } else if self.month_first {
                        DayOrder::MonthFirst
                    } else {
                        DayOrder::Unknown
                    },
                    ..FieldOverrides::parse(&self.fields).map_err(Error::InvalidArgument)?
                },
                ..ReadOptions::default()
            },
            select: {
                let select = FileSelection {
                    include: self.include.clone(),
                    exclude: self.exclude.clone(),
                    types: self.types.clone(),
                };
                select.check()?;
                select
            },
            ..IndexOptions::new(self.paths.clone(), self.index.clone())
        })
    }
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
    /// The date range: --since, --until, --on.
    #[command(flatten)]
    pub dates: DateArgs,
    /// How many passages to show [default: 10; with --files, every article].
    #[arg(short = 'n', long = "limit", value_name = "N")]
    pub limit: Option<usize>,
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
    /// The order of results; the matching articles are the same in every
    /// order.
    #[arg(long, value_enum, default_value_t = SortArg::Relevance)]
    pub sort: SortArg,
    /// Rank newer articles higher within relevance order: a match HALF_LIFE
    /// older than the newest article gets half the boost (e.g. 30d, 2w, 6m,
    /// 1y).
    #[arg(long, value_name = "HALF_LIFE", value_parser = parse_half_life, conflicts_with = "sort")]
    pub recency: Option<i64>,
    /// Show N passages of the article before and after each hit.
    #[arg(short = 'C', long, value_name = "N", default_value_t = 0)]
    pub context: usize,
    /// List the matching articles only, one source per line (like rg -l).
    #[arg(short = 'l', long, conflicts_with_all = ["context", "format"])]
    pub files: bool,
    /// The most characters of a passage to show around its matches (text
    /// output; 0 shows whole passages).
    #[arg(long, value_name = "CHARS", default_value_t = 300)]
    pub snippet_len: usize,
    /// Ranking knobs, for experiments (see `dateline eval`).
    #[command(flatten)]
    pub ranking: RankingArgs,
}

/// `search --format` values.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum FormatArg {
    /// Ranked passages for reading.
    Text,
    /// One JSON object with all results.
    Json,
    /// One JSON object per result per line.
    Jsonl,
}

/// `--sort` values.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum SortArg {
    /// Best match first.
    Relevance,
    /// Newest article first (undated last).
    Newest,
    /// Oldest article first (undated last).
    Oldest,
}

impl SearchArgs {
    /// The library's request for this search; fails on a bad date.
    pub fn to_request(&self) -> Result<SearchRequest> {
        let default_limit = if self.files { usize::MAX } else { 10 };
        Ok(SearchRequest {
            query: self.query.clone(),
            dates: self.dates.to_filter()?,
            limit: self.limit.unwrap_or(default_limit),
            per_article: self.per_article,
            strict: self.strict,
            sort: match self.sort {
                SortArg::Relevance => SortOrder::Relevance,
                SortArg::Newest => SortOrder::Newest,
                SortArg::Oldest => SortOrder::Oldest,
            },
            recency_half_life: self.recency,
            context: self.context,
            ranking: self.ranking.to_ranking(),
            only: Vec::new(),
            exhaustive: false,
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
}

/// Arguments of `dateline timeline`.
#[derive(Debug, clap::Args)]
pub struct TimelineArgs {
    /// The query: words, "phrases", -excluded words, AND, OR, (groups).
    #[arg(allow_hyphen_values = true)]
    pub query: String,
    /// Another query to compare on the same chart (repeatable).
    #[arg(long = "vs", value_name = "QUERY", allow_hyphen_values = true)]
    pub vs: Vec<String>,
    /// The period of each bar [default: follows the date range].
    #[arg(long, value_enum)]
    pub by: Option<BucketArg>,
    /// The index folder.
    #[arg(long, env = "DATELINE_INDEX", default_value = "index")]
    pub index: PathBuf,
    /// The date range: --since, --until, --on.
    #[command(flatten)]
    pub dates: DateArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = TimelineFormatArg::Text)]
    pub format: TimelineFormatArg,
    /// When to colour the output (NO_COLOR is honoured under auto).
    #[arg(long, value_enum, default_value_t = ColorArg::Auto)]
    pub color: ColorArg,
    /// Fail (exit 2) on a query that cannot be parsed.
    #[arg(long)]
    pub strict: bool,
}

/// `--by` values.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum BucketArg {
    /// Calendar days, the day each article writes.
    Day,
    /// ISO weeks, Monday to Sunday.
    Week,
    /// Calendar months.
    Month,
    /// Calendar years.
    Year,
}

/// `timeline --format` values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum TimelineFormatArg {
    /// A bar chart for reading.
    Text,
    /// One JSON object: buckets with counts, drill-down dates and top passages.
    Json,
    /// One row per period, one column per query.
    Csv,
}

impl TimelineArgs {
    /// The library's request for this timeline; fails on a bad date.
    pub fn to_request(&self) -> Result<TimelineRequest> {
        Ok(TimelineRequest {
            queries: std::iter::once(&self.query)
                .chain(&self.vs)
                .cloned()
                .collect(),
            dates: self.dates.to_filter()?,
            bucket: self.by.map(|by| match by {
                BucketArg::Day => Bucket::Day,
                BucketArg::Week => Bucket::Week,
                BucketArg::Month => Bucket::Month,
                BucketArg::Year => Bucket::Year,
            }),
            strict: self.strict,
            only: Vec::new(),
            top_passages: self.format == TimelineFormatArg::Json,
        })
    }

    /// The chosen output format.
    pub fn output_format(&self) -> TimelineFormat {
        match self.format {
            TimelineFormatArg::Text => TimelineFormat::Text,
            TimelineFormatArg::Json => TimelineFormat::Json,
            TimelineFormatArg::Csv => TimelineFormat::Csv,
        }
    }
}

/// Arguments of `dateline serve`.
#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// The index folder (read only; a concurrent `dateline index` run's
    /// commits show on the next request).
    #[arg(long, env = "DATELINE_INDEX", default_value = "index")]
    pub index: PathBuf,
    /// The address and port to listen on. Anything but a loopback address
    /// makes the index readable by others on the network.
    #[arg(long, value_name = "IP:PORT", default_value = "127.0.0.1:7700")]
    pub addr: std::net::SocketAddr,
    /// Open the search page in the default browser.
    #[arg(long)]
    pub open: bool,
    /// Let pages served from ORIGIN (e.g. http://localhost:3000) call the
    /// JSON API from a browser (CORS); none may by default.
    #[arg(long, value_name = "ORIGIN")]
    pub cors: Option<String>,
}

/// Arguments of `dateline stats`.
#[derive(Debug, clap::Args)]
pub struct StatsArgs {
    /// The index folder.
    #[arg(long, env = "DATELINE_INDEX", default_value = "index")]
    pub index: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ReportFormatArg::Text)]
    pub format: ReportFormatArg,
}

/// `--format` values of `stats`, `eval` and `index`'s summary.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ReportFormatArg {
    /// For reading.
    Text,
    /// One JSON object.
    Json,
}

impl From<ReportFormatArg> for ReportFormat {
    fn from(format: ReportFormatArg) -> ReportFormat {
        match format {
            ReportFormatArg::Text => ReportFormat::Text,
            ReportFormatArg::Json => ReportFormat::Json,
        }
    }
}

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
    #[arg(long, default_value_t = Language::ENGLISH)]
    pub language: Language,
    /// Split documents into passages of at most N words (default: as
    /// `dateline index` does).
    #[arg(long, value_name = "N")]
    pub passage_words: Option<usize>,
    /// Run every judged query, or only those whose id ends in an odd or an
    /// even number (to choose a ranking on one half and check it on the
    /// other).
    #[arg(long, value_enum, default_value_t = QueryIdsArg::All)]
    pub queries: QueryIdsArg,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ReportFormatArg::Text)]
    pub format: ReportFormatArg,
    /// Ranking knobs.
    #[command(flatten)]
    pub ranking: RankingArgs,
}

/// `--queries` values of `eval`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum QueryIdsArg {
    /// Every judged query.
    All,
    /// Ids ending in an odd number.
    Odd,
    /// Ids ending in an even number.
    Even,
}

impl From<QueryIdsArg> for QueryIds {
    fn from(ids: QueryIdsArg) -> QueryIds {
        match ids {
            QueryIdsArg::All => QueryIds::All,
            QueryIdsArg::Odd => QueryIds::Odd,
            QueryIdsArg::Even => QueryIds::Even,
        }
    }
}

impl EvalArgs {
    /// The library's options for this run.
    pub fn to_options(&self) -> EvalOptions {
        EvalOptions {
            collection: self.collection.clone(),
            split: self.split.clone(),
            index_dir: self.index.clone(),
            language: self.language,
            passage_words: self.passage_words,
            ranking: self.ranking.to_ranking(),
            queries: self.queries.into(),
        }
    }
}

/// Arguments of `dateline completions`.
#[derive(Debug, clap::Args)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// The date filters shared by `search` and `timeline`.
#[derive(Debug, clap::Args)]
pub struct DateArgs {
    /// Only articles dated on or after DATE: YYYY, YYYY-MM, YYYY-MM-DD (the
    /// day each article writes), relative (30d, 2w, yesterday, last-month),
    /// or an instant with a time and offset (2024-01-25T10:00:00+01:00).
    #[arg(long, value_name = "DATE")]
    pub since: Option<String>,
    /// Only articles dated on or before DATE, its whole period included.
    #[arg(long, value_name = "DATE")]
    pub until: Option<String>,
    /// Only articles dated within DATE: a year, a month, a week (2024-W04), a
    /// day, or a relative period such as last-week.
    #[arg(long, value_name = "DATE")]
    pub on: Option<String>,
}

impl DateArgs {
    /// The filter these dates name, relative dates counted back from today
    /// (or `DATELINE_TODAY`).
    pub fn to_filter(&self) -> Result<DateFilter> {
        DateFilter::from_args_at(
            self.since.as_deref(),
            self.until.as_deref(),
            self.on.as_deref(),
            reference_today()?,
        )
    }
}

/// The "today" relative dates count back from: the system clock, unless
/// `DATELINE_TODAY=YYYY-MM-DD` pins it (for tests and reproducible runs).
pub fn reference_today() -> Result<jiff::civil::Date> {
    match std::env::var("DATELINE_TODAY") {
        Ok(text) if !text.is_empty() => Period::parse(&text)
            .map(|period| period.first_day())
            .map_err(|mut e| {
                e.reason = format!("DATELINE_TODAY must be YYYY-MM-DD or unset; {}", e.reason);
                e.into()
            }),
        _ => Ok(today_utc()),
    }
}

/// Parses a half-life such as `30d`, `2w`, `6m` or `1y` into seconds.
fn parse_half_life(text: &str) -> std::result::Result<i64, String> {
    parse_age(text).map_err(|e| e.reason)
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

impl From<ColorArg> for ColorChoice {
    fn from(color: ColorArg) -> ColorChoice {
        match color {
            ColorArg::Auto => ColorChoice::Auto,
            ColorArg::Always => ColorChoice::Always,
            ColorArg::Never => ColorChoice::Never,
        }
    }
}

/// Ranking knobs shared by `eval` and `search`; unset ones keep the
/// defaults (see `docs/relevance.md`). In `search` they are for
/// experiments, so only `--help` lists them, not `-h`.
#[derive(Debug, Default, clap::Args)]
#[command(next_help_heading = "Ranking (advanced)")]
pub struct RankingArgs {
    /// BM25 term-frequency saturation (k1).
    #[arg(long, value_name = "K1", hide_short_help = true)]
    pub bm25_k1: Option<f32>,
    /// BM25 length normalisation (b), 0..1.
    #[arg(long, value_name = "B", hide_short_help = true)]
    pub bm25_b: Option<f32>,
    /// Passages shorter than F × the average length count as that long.
    #[arg(long, value_name = "F", hide_short_help = true)]
    pub length_floor: Option<f32>,
    /// Weight of title words against text words.
    #[arg(long, value_name = "W", hide_short_help = true)]
    pub title_weight: Option<f32>,
    /// Weight of the bonus for query words near each other (0 = off).
    #[arg(long, value_name = "W", hide_short_help = true)]
    pub proximity_weight: Option<f32>,
    /// Words apart that still count as near.
    #[arg(long, value_name = "N", hide_short_help = true)]
    pub proximity_window: Option<u32>,
    /// Leave the query's stop words out of the score (true/false).
    #[arg(long, value_name = "BOOL", hide_short_help = true)]
    pub skip_stop_words: Option<bool>,
    /// Rank passages with every query word above the rest (true/false).
    #[arg(long, value_name = "BOOL", hide_short_help = true)]
    pub all_words_first: Option<bool>,
    /// Let a passage score as the window it forms with the next passage of
    /// its article when that scores higher (true/false).
    #[arg(long, value_name = "BOOL", hide_short_help = true)]
    pub pair_windows: Option<bool>,
    /// Count a word's idf over articles instead of passages (true/false).
    #[arg(long, value_name = "BOOL", hide_short_help = true)]
    pub article_idf: Option<bool>,
    /// Article score = best passage + W × the other passages' scores.
    #[arg(long, value_name = "W", hide_short_help = true)]
    pub sibling_weight: Option<f32>,
    /// Mix W × the whole article's BM25F into each passage's score, 0..1.
    #[arg(long, value_name = "W", hide_short_help = true)]
    pub article_weight: Option<f32>,
    /// BM25 length normalisation (b) of whole articles, 0..1.
    #[arg(long, value_name = "B", hide_short_help = true)]
    pub article_b: Option<f32>,
    /// RM3 feedback from the top N articles (0 = off).
    #[arg(long, value_name = "N", hide_short_help = true)]
    pub rm3_docs: Option<usize>,
    /// RM3: how many expansion words.
    #[arg(long, value_name = "N", hide_short_help = true)]
    pub rm3_terms: Option<usize>,
    /// RM3: weight of the original query, 0..1.
    #[arg(long, value_name = "W", hide_short_help = true)]
    pub rm3_original_weight: Option<f32>,
}

impl RankingArgs {
    /// The ranking: the defaults with the given knobs changed.
    pub fn to_ranking(&self) -> Ranking {
        let defaults = Ranking::default();
        Ranking {
            k1: self.bm25_k1.unwrap_or(defaults.k1),
            b: self.bm25_b.unwrap_or(defaults.b),
            length_floor: self.length_floor.unwrap_or(defaults.length_floor),
            title_weight: self.title_weight.unwrap_or(defaults.title_weight),
            proximity_weight: self.proximity_weight.unwrap_or(defaults.proximity_weight),
            proximity_window: self.proximity_window.unwrap_or(defaults.proximity_window),
            skip_stop_words: self.skip_stop_words.unwrap_or(defaults.skip_stop_words),
            all_words_first: self.all_words_first.unwrap_or(defaults.all_words_first),
            pair_windows: self.pair_windows.unwrap_or(defaults.pair_windows),
            article_idf: self.article_idf.unwrap_or(defaults.article_idf),
            sibling_weight: self.sibling_weight.unwrap_or(defaults.sibling_weight),
            article_weight: self.article_weight.unwrap_or(defaults.article_weight),
            article_b: self.article_b.unwrap_or(defaults.article_b),
            feedback_docs: self.rm3_docs.unwrap_or(defaults.feedback_docs),
            feedback_terms: self.rm3_terms.unwrap_or(defaults.feedback_terms),
            feedback_original_weight: self
                .rm3_original_weight
                .unwrap_or(defaults.feedback_original_weight),
        }
    }
}
