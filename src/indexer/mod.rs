//! The write side: indexing jobs from files (or articles made by a
//! program) to a committed index.
//!
//! [`index_paths`] is what `dateline index` runs: walk the inputs, work
//! out what changed since the last run, parse the changed files in
//! parallel, write them, commit. [`index_articles`] indexes articles that
//! do not come from files (a test collection, a program's own records)
//! through the same writer, commits and records. Both open the index the
//! same way: incrementally, or rebuilt beside the old one when asked to or
//! when it cannot be trusted.
//!
//! - `job`: the file pipeline; `examine`: one file, changed or not;
//! - `writer`: replacing a file's articles and its record, committing;
//! - `documents`: articles to tantivy documents; `merging`: the merge
//!   policy; `near_duplicates`: near-copy signatures and stories;
//! - `manifest`: the file records committed with the passages;
//!   `article_table`, `place_index`: their articles and keys, on disk;
//! - `regroup`: near-copy stories worked out again as a rebuild makes them;
//! - `queue`: the bound on documents waiting for tantivy's threads;
//! - `summary`: what a run did.

mod article_table;
mod deletes;
mod documents;
mod examine;
mod job;
mod manifest;
mod merging;
mod near_duplicates;
mod place_index;
mod queue;
mod regroup;
mod summary;
mod word_articles;
mod writer;

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

pub use summary::IndexSummary;

use crate::error::{Error, Result};
use crate::index::Language;
use crate::ingest::{Article, FileSelection, ReadOptions};
use writer::{ArticleWriter, OpenedWriter, WriterBudget};

/// What to index and where.
#[derive(Clone, Debug)]
pub struct IndexOptions {
    /// Files and folders to index.
    pub paths: Vec<PathBuf>,
    /// The index folder.
    pub index_dir: PathBuf,
    /// tantivy's indexing memory budget, in bytes.
    pub memory_budget: usize,
    /// How many threads tantivy indexes with; `None`: one per core, up to
    /// eight. One thread puts the articles in one segment in reading
    /// order, which a test that depends on document order needs.
    pub indexing_threads: Option<usize>,
    /// Start from an empty index instead of updating the existing one.
    pub rebuild: bool,
    /// Remove the articles of files that no longer exist.
    pub prune: bool,
    /// Commit after this many articles, if given...
    pub commit_every_articles: Option<usize>,
    /// ...or after this much time, whichever comes first.
    pub commit_interval: Duration,
    /// How files are read: undated policy, size limit, JSON field names.
    pub read: ReadOptions,
    /// Which files are indexed (`--include`, `--exclude`, `--type`).
    pub select: FileSelection,
    /// Set (by a Ctrl-C handler) to stop after committing what is done.
    pub stop: Arc<AtomicBool>,
    /// The stemmer language of a new index; an existing one must match.
    pub language: Option<Language>,
}

/// The default writer budget: enough for fast indexing, small enough for a
/// laptop running other things.
pub const DEFAULT_MEMORY_BUDGET: usize = 128 * 1024 * 1024;

/// By default a commit follows at most this many seconds of work, which is
/// what a kill -9 can lose. There is no article count by default: a commit
/// stalls the pipeline while tantivy closes and fsyncs its segments. With
/// budget-sized segments left unmerged (the merge policy of `merging`),
/// committing every 50,000 articles makes a million-article build about
/// 25% slower than committing by time (see `docs/performance.md`), for no
/// safety that time does not give.
pub const DEFAULT_COMMIT_SECONDS: u64 = 60;

impl IndexOptions {
    /// What tantivy's writer may use.
    fn writer_budget(&self) -> WriterBudget {
        WriterBudget {
            memory: self.memory_budget,
            threads: self.indexing_threads,
        }
    }

    /// Options for indexing `paths` into `index_dir` with the defaults.
    pub fn new(paths: Vec<PathBuf>, index_dir: PathBuf) -> IndexOptions {
        IndexOptions {
            paths,
            index_dir,
            memory_budget: DEFAULT_MEMORY_BUDGET,
            indexing_threads: None,
            rebuild: false,
            prune: true,
            commit_every_articles: None,
            commit_interval: Duration::from_secs(DEFAULT_COMMIT_SECONDS),
            read: ReadOptions::default(),
            select: FileSelection::default(),
            stop: Arc::new(AtomicBool::new(false)),
            language: None,
        }
    }
}

/// Receives progress while a job runs; the job calls it from one thread.
pub trait IndexProgress {
    /// Something the user should know now (e.g. that the index is rebuilt).
    fn notice(&mut self, message: &str);
    /// The walk found `files` files.
    fn start(&mut self, files: u64);
    /// `files` more files were handled, giving `articles` articles.
    fn advance(&mut self, files: u64, articles: u64);
    /// The job is done (or stopped).
    fn finish(&mut self);
}

/// Progress that goes nowhere.
pub struct NoProgress;

impl IndexProgress for NoProgress {
    fn notice(&mut self, _message: &str) {}
    fn start(&mut self, _files: u64) {}
    fn advance(&mut self, _files: u64, _articles: u64) {}
    fn finish(&mut self) {}
}

/// Indexes `options.paths` into `options.index_dir`, doing only the work
/// that changed since the last run.
pub fn index_paths(
    options: &IndexOptions,
    progress: &mut dyn IndexProgress,
) -> Result<IndexSummary> {
    job::index_files(options, progress).map_err(|error| explain_write_error(options, error))
}

/// Indexes articles that do not come from files into `options.index_dir`
/// (`options.paths` is not read and nothing is pruned). Each item is one
/// record, `(key, articles)`, handled like a file: its articles replace
/// whatever an earlier run indexed under the same key, duplicates of
/// articles indexed under another key are noted, not indexed again.
/// `dateline eval` builds its index this way.
pub fn index_articles(
    options: &IndexOptions,
    records: impl IntoIterator<Item = (String, Vec<Article>)>,
    progress: &mut dyn IndexProgress,
) -> Result<IndexSummary> {
    job::index_records(options, records.into_iter(), progress)
        .map_err(|error| explain_write_error(options, error))
}

/// tantivy reports a full disk or a read-only folder from its worker
/// threads as "index writer was killed"; say what it likely means.
fn explain_write_error(options: &IndexOptions, error: Error) -> Error {
    match error {
        Error::Tantivy(inner) => Error::WriteFailed {
            path: options.index_dir.clone(),
            reason: inner.to_string(),
        },
        other => other,
    }
}

/// Opens the index for an incremental run, or starts a rebuild when asked
/// to or when the index cannot be trusted.
fn open_writer(options: &IndexOptions, progress: &mut dyn IndexProgress) -> Result<ArticleWriter> {
    let dir = &options.index_dir;
    if dir.exists() && !dir.is_dir() {
        return Err(Error::IndexNotAFolder(dir.clone()));
    }
    if options.rebuild && dir.join("meta.json").exists() {
        progress.notice(&format!(
            "rebuilding the index at {} from scratch; the old one stays until the new one is committed",
            dir.display()
        ));
        return ArticleWriter::rebuild(dir, options.writer_budget(), options.language);
    }
    match ArticleWriter::open(dir, options.writer_budget(), options.language)? {
        OpenedWriter::Ready(writer) => Ok(*writer),
        OpenedWriter::NeedsRebuild(reason) => {
            progress.notice(&format!(
                "the index at {} cannot be updated ({reason}); rebuilding it from the inputs, the old one stays until the new one is committed",
                dir.display()
            ));
            ArticleWriter::rebuild(dir, options.writer_budget(), options.language)
        }
    }
}

/// Indexes `articles` into `index_dir` on one indexing thread, so the index
/// is one segment with the articles in reading order whatever the
/// scheduling, and opens it: a fixture for tests that look at documents.
#[cfg(test)]
pub(crate) fn index_on_one_thread(
    articles: PathBuf,
    index_dir: &std::path::Path,
) -> crate::index::OpenIndex {
    let options = IndexOptions {
        indexing_threads: Some(1),
        ..IndexOptions::new(vec![articles], index_dir.to_path_buf())
    };
    index_paths(&options, &mut NoProgress).expect("the fixture indexes");
    crate::index::OpenIndex::open(index_dir).expect("the fixture index opens")
}
