//! The library's error types. Each says what failed, where, and what to do.
//!
//! The binary prints them as one line prefixed `dateline:`; per-file problems
//! while indexing are not errors of the run but [`crate::ingest::Skipped`]
//! values reported alongside the summary.

use std::path::PathBuf;

pub use crate::date::DateError;

/// Everything that can stop a dateline command.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A `--since`/`--until`/`--on` value is not a date.
    #[error(transparent)]
    Date(#[from] DateError),

    /// `--on` was combined with `--since` or `--until`.
    #[error(
        "--on cannot be combined with --since or --until: --on DATE already means the whole of DATE"
    )]
    ConflictingDateFilters,

    /// `--since` is after `--until`, so nothing could ever match.
    #[error("--since {since} is after --until {until}: swap them")]
    EmptyDateRange {
        /// The `--since` value as typed.
        since: String,
        /// The `--until` value as typed.
        until: String,
    },

    /// The query could not be parsed and `--strict` was given.
    #[error(
        "invalid query '{query}': {reason}; a query is words, \"exact phrases\", -excluded words, AND, OR and (groups)"
    )]
    Query {
        /// The query as typed.
        query: String,
        /// What the parser objected to.
        reason: String,
    },

    /// There is no index where one was expected.
    #[error("no index at {}: run `dateline index [PATH ...] --index {}` first", .0.display(), .0.display())]
    NoIndex(PathBuf),

    /// `--index` names something that is not a folder.
    #[error("--index {}: is a file, not an index folder: name a folder (it is created if missing)", .0.display())]
    IndexNotAFolder(PathBuf),

    /// The index exists but holds no articles.
    #[error("the index at {} is empty: run `dateline index [PATH ...] --index {}` first", .0.display(), .0.display())]
    EmptyIndex(PathBuf),

    /// The index was written by a dateline with another schema.
    #[error(
        "the index at {} was written by another version of dateline (schema {found}, this one reads {expected}): run `dateline index [PATH ...] --index {}` to rebuild it",
        path.display(),
        path.display()
    )]
    SchemaMismatch {
        /// The index folder.
        path: PathBuf,
        /// The schema version found on disk.
        found: String,
        /// The schema version this build writes.
        expected: u32,
    },

    /// The index was written with another `--language` than asked for.
    #[error(
        "the index at {} is analysed as {found}, not {requested}: index into another folder, or drop --language",
        path.display()
    )]
    LanguageMismatch {
        /// The index folder.
        path: PathBuf,
        /// The language the index was written with.
        found: String,
        /// The language asked for.
        requested: String,
    },

    /// The index's metadata is damaged.
    #[error("the index at {} is damaged ({reason}): run `dateline index [PATH ...] --index {}` to rebuild it", path.display(), path.display())]
    Damaged {
        /// The index folder.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },

    /// Another process is writing to the index.
    #[error("the index at {} is locked by another `dateline index` run ({reason}); wait for it to finish", path.display())]
    Locked {
        /// The index folder.
        path: PathBuf,
        /// tantivy's description of the lock.
        reason: String,
    },

    /// A file or folder of the index could not be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The path involved.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },

    /// An input path given on the command line does not exist.
    #[error("{}: no such file or folder", .0.display())]
    MissingInput(PathBuf),

    /// `--strict` was given and some files were skipped.
    #[error("{0} file(s) were skipped and --strict was given")]
    StrictSkipped(usize),

    /// A command-line value that clap could not check itself.
    #[error("{0}")]
    InvalidArgument(String),

    /// `--undated error` was given and some articles had no date.
    #[error(
        "{0} article(s) had no recognisable date and --undated error was given; their files were not indexed"
    )]
    UndatedArticles(usize),

    /// A timeline would have more periods than can be drawn.
    #[error(
        "the timeline would have more than {limit} periods by {bucket}: use a longer --by or narrow it with --since/--until"
    )]
    TooManyPeriods {
        /// The most periods allowed.
        limit: usize,
        /// The period length asked for.
        bucket: String,
    },

    /// A test collection for `dateline eval` could not be read.
    #[error(transparent)]
    Collection(#[from] CollectionError),

    /// Results could not be written (a closed pipe, a full disk).
    #[error("cannot write output: {0}")]
    Output(#[from] std::io::Error),

    /// Writing the index failed part-way (a full disk, a read-only folder).
    #[error(
        "cannot write the index at {} ({reason}): check the free disk space and that the folder is writable; the last commit is intact and still searchable, and re-running finishes the job",
        path.display()
    )]
    WriteFailed {
        /// The index folder.
        path: PathBuf,
        /// What tantivy reported.
        reason: String,
    },

    /// tantivy failed underneath.
    #[error("index error: {0}")]
    Tantivy(#[from] tantivy::TantivyError),
}

/// What went wrong reading a test collection.
#[derive(Debug, thiserror::Error)]
pub enum CollectionError {
    /// A file of the collection could not be read.
    #[error("{}: {source} (a BEIR collection has corpus.jsonl, queries.jsonl and qrels/<split>.tsv)", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A line of the collection is malformed.
    #[error("{}:{line}: {reason}", path.display())]
    Format {
        /// The file.
        path: PathBuf,
        /// The 1-based line.
        line: usize,
        /// What is wrong.
        reason: String,
    },
}

/// The library's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
