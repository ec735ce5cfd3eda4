//! The command line, as clap derive structs, and their conversion into the
//! options the library takes. Nothing below this module sees clap.

use std::path::PathBuf;

use clap::{CommandFactory, Parser, Subcommand, ValueEnum};

use crate::error::{Error, Result};
use crate::indexer::{DEFAULT_COMMIT_SECONDS, DEFAULT_MEMORY_BUDGET, IndexOptions};
use crate::ingest::{DEFAULT_MAX_FILE_SIZE, FieldOverrides, ReadOptions, UndatedPolicy};
use crate::output::{ColorChoice, OutputFormat};
use crate::search::timeline::{Bucket, TimelineRequest};
use crate::search::{DateFilter, SearchRequest, SortOrder};

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
        after_help = "Formats, recognised by content: the reference format, Markdown/text with YAML or TOML front matter, JSON, JSON Lines, mail/Usenet messages, Reuters SGML, HTML; any of them gzip-compressed.\nDates come from the format's metadata, then HTML JSON-LD/meta tags/<time>, then the path (2024-01-25-x.md, 2024/01/25/); never the mtime unless --date-from-mtime.\n\nExamples:\n  dateline index\n  dateline index ~/news --index ~/.news-index\n  dateline index corpus more/articles --strict\n  dateline index ~/news --rebuild --memory 256\n  dateline index export.jsonl.gz --field date=meta.published --undated skip\n\nRe-running updates only what changed; Ctrl-C commits what is done (exit 130)."
    )]
    Index(IndexArgs),
    /// Search the index for ranked passages.
    #[command(after_help = SEARCH_EXAMPLES)]
    Search(SearchArgs),
    /// How often a query was mentioned over time: matching articles per
    /// day, week, month or year.
    #[command(after_help = TIMELINE_EXAMPLES)]
    Timeline(TimelineArgs),
    /// Print a shell completion script to stdout.
    #[command(after_help = COMPLETIONS_EXAMPLES)]
    Completions(CompletionsArgs),
    /// Print the man page (roff) to stdout.
    #[command(
        after_help = "Examples:\n  dateline man > dateline.1 && man ./dateline.1\n  dateline man | sudo tee /usr/local/share/man/man1/dateline.1 > /dev/null"
    )]
    Man,
    /// Show what the index holds: articles per format and year, dates, undated files.
    #[command(
        after_help = "Examples:\n  dateline stats\n  dateline stats --index ~/.news-index --format json"
    )]
    Stats(StatsArgs),
    /// Measure ranking quality on a test collection in BEIR layout.
    #[command(after_help = EVAL_EXAMPLES)]
    Eval(EvalArgs),
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
    /// Let a passage score as the window it forms with the next passage of
    /// its article when that scores higher (true/false).
    #[arg(long, value_name = "BOOL")]
    pub pair_windows: Option<bool>,
    /// Count a word's idf over articles instead of passages (true/false).
    #[arg(long, value_name = "BOOL")]
    pub article_idf: Option<bool>,
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
        r.pair_windows = self.pair_windows.unwrap_or(r.pair_windows);
        r.article_idf = self.article_idf.unwrap_or(r.article_idf);
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

const TIMELINE_EXAMPLES: &str =
    "Counts are articles (not passages) matching the query, the same articles
`dateline search QUERY --files` lists for each period. Periods with no match
show as zero. Without --by the period follows the date range: days up to a
month, weeks up to half a year, months up to six years, years beyond.
Undated articles have no place on the chart; their number is reported.

--since, --until and --on take the dates `dateline search --help` lists:
YYYY, YYYY-MM, YYYY-MM-DD, or relative: today, yesterday, 30d, 2w, 6m, 1y,
this-week, last-week, this-month, last-month, this-year, last-year (UTC).

Examples:
  dateline timeline oil
  dateline timeline \"interest rates\" --by week --since 1987-03 --until 1987-04
  dateline timeline cocoa --vs coffee --vs sugar --by month
  dateline timeline troops --since 2w
  dateline timeline oil --format csv > oil.csv
  dateline timeline oil --format json | jq '.buckets[] | select(.queries[0].articles > 100)'";

const COMPLETIONS_EXAMPLES: &str = "Examples:
  dateline completions bash > ~/.local/share/bash-completion/completions/dateline
  dateline completions zsh > ~/.zfunc/_dateline
  dateline completions fish > ~/.config/fish/completions/dateline.fish
  dateline completions powershell >> $PROFILE";

const SEARCH_EXAMPLES: &str = "Query language:
  troops iraq          passages with both words rank first, then those with either
  \"timeline for reducing\"   an exact phrase
  troops -syria        exclude a word
  oil OR gas, (oil OR gas) AND opec, title:cocoa

Dates are UTC and inclusive; a partial date covers its whole period:
  --since 2024-01      from 2024-01-01 00:00:00
  --until 2024-01      up to 2024-01-31 23:59:59
  --on 1987-03         all of March 1987
Relative dates count back from today (UTC):
  today, yesterday     that day
  30d, 2w, 6m, 1y      the day 30 days / 2 weeks / 6 months / 1 year ago
                       (also '30 days', '2 weeks ago')
  this-week, last-week, this-month, last-month, this-year, last-year
                       that whole calendar period (weeks start on Monday)

Examples:
  dateline search troops
  dateline search \"interest rates\" --since 1987-03 --until 1987-04 -n 5
  dateline search cocoa --on 1987-02-26 --format json
  dateline search troops --since 30d --sort newest
  dateline search oil --recency 30d          newer articles rank higher
  dateline search opec --context 1           with the passages around each hit
  dateline search cocoa --files | xargs wc -l";

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
    /// Ranking knobs.
    #[command(flatten)]
    pub ranking: RankingArgs,
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

/// The date filters shared by `search` and `timeline`.
#[derive(Debug, clap::Args)]
pub struct DateArgs {
    /// Only articles dated on or after DATE (YYYY, YYYY-MM, YYYY-MM-DD, or
    /// relative: 30d, 2w, yesterday, last-month; UTC).
    #[arg(long, value_name = "DATE")]
    pub since: Option<String>,
    /// Only articles dated on or before DATE, its whole period included (UTC).
    #[arg(long, value_name = "DATE")]
    pub until: Option<String>,
    /// Only articles dated within DATE: a year, a month, a day, or a relative
    /// period such as last-week (UTC).
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

/// Arguments of `dateline completions`.
#[derive(Debug, clap::Args)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
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

/// `--by` values.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum BucketArg {
    /// Calendar days (UTC).
    Day,
    /// ISO weeks, Monday to Sunday.
    Week,
    /// Calendar months.
    Month,
    /// Calendar years.
    Year,
}

/// `dateline timeline --format` values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum TimelineFormatArg {
    /// A bar chart for reading.
    Text,
    /// One JSON object: buckets with counts, drill-down dates and top passages.
    Json,
    /// One row per period, one column per query.
    Csv,
}

/// Parses a half-life such as `30d`, `2w`, `6m` or `1y` into seconds.
fn parse_half_life(text: &str) -> std::result::Result<i64, String> {
    crate::date::parse_age(text).map_err(|e| e.reason)
}

/// The "today" relative dates count back from: the system clock, unless
/// `DATELINE_TODAY=YYYY-MM-DD` pins it (for tests and reproducible runs).
fn reference_today() -> Result<jiff::civil::Date> {
    match std::env::var("DATELINE_TODAY") {
        Ok(text) if !text.is_empty() => crate::date::Period::parse(&text)
            .map(|period| period.first_day())
            .map_err(|mut e| {
                e.reason = format!("DATELINE_TODAY must be YYYY-MM-DD or unset; {}", e.reason);
                e.into()
            }),
        _ => Ok(crate::date::today_utc()),
    }
}

/// Prints the completion script for `shell`.
pub fn write_completions(
    shell: clap_complete::Shell,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    // clap_complete panics when its writer fails (a closed pipe), so the
    // script is built in memory and written with errors reported.
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "dateline", &mut script);
    out.write_all(&script)
}

/// Prints the man page.
pub fn write_man_page(out: &mut dyn std::io::Write) -> std::io::Result<()> {
    clap_mangen::Man::new(Cli::command()).render(out)
}

/// A usage error (unknown flag, missing value) as one line for stderr,
/// `dateline: ` prefixed like every other error, pointing at the `--help`
/// of the subcommand named in `argv` (the process arguments).
pub fn usage_error_line(error: &clap::Error, argv: &[String]) -> String {
    let rendered = error.render().to_string();
    // The message is the first paragraph ("error: …", sometimes with the
    // missing arguments on the lines below it), joined into one line.
    let message: Vec<&str> = rendered
        .lines()
        .map(str::trim)
        .skip_while(|line| line.is_empty())
        .take_while(|line| !line.is_empty())
        .collect();
    let joined = message.join(" ");
    let first = match joined.trim_start_matches("error: ").trim() {
        "" => "invalid arguments",
        text => text,
    };
    let tip = rendered
        .lines()
        .map(str::trim)
        .find_map(|line| line.strip_prefix("tip: "))
        .filter(|tip| !first.contains(tip))
        .map(|tip| format!("; {tip}"))
        .unwrap_or_default();
    // Point at the subcommand's help when one was named on the command line.
    let subcommands = Cli::command();
    let command = argv
        .iter()
        .skip(1)
        .find(|arg| subcommands.find_subcommand(arg.as_str()).is_some())
        .map_or_else(|| "dateline".to_string(), |sub| format!("dateline {sub}"));
    format!("dateline: {first}{tip} (see `{command} --help`)")
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
    /// The library's options for this run; fails on a bad `--field`.
    pub fn to_options(&self) -> Result<IndexOptions> {
        Ok(IndexOptions {
            memory_budget: (self.memory as usize) * 1024 * 1024,
            rebuild: self.rebuild,
            prune: !self.no_prune,
            commit_every_articles: self
                .commit_every
                .map(|every| usize::try_from(every).unwrap_or(usize::MAX)),
            commit_interval: std::time::Duration::from_secs(self.commit_interval),
            language: self.language,
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
            ..IndexOptions::new(self.paths.clone(), self.index.clone())
        })
    }
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
        self.color.into()
    }
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
            top_passages: self.format == TimelineFormatArg::Json,
        })
    }
}
