//! An indexing job: walk the inputs, work out what changed since the last
//! run, parse the changed files in parallel, write them, commit.
//!
//! A re-run reads nothing but file metadata for files whose size and
//! modification time match their record; a file whose time moved but whose
//! content hash did not is only re-stamped. Changed files have their
//! articles replaced, and files that are gone have theirs removed (unless
//! pruning is off).
//!
//! Files go through in chunks, as a two-stage pipeline: while the writer
//! (this thread) hands chunk N's documents to tantivy's indexing threads,
//! chunk N+1 is read, parsed, hashed and turned into documents on rayon's
//! pool. Parsing and writing used to alternate, leaving a core idle; now
//! both stay busy, and memory holds at most two chunks of documents,
//! whatever the corpus size. Between chunks the job commits when enough
//! articles or seconds have passed, and stops (committing what is done)
//! when asked to.
//!
//! What the job keeps per file for the whole run is small: the walk
//! ([`WalkedFiles`](crate::ingest::WalkedFiles), one path relative to its
//! root), the file records ([`Manifest`]) and, per record, the place of its
//! file in the walk (four bytes), for pruning.

use std::collections::HashMap;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant, UNIX_EPOCH};

use rayon::prelude::*;

use tantivy::tokenizer::Language;

use crate::error::{Error, Result};
use crate::index::manifest::{FileRecord, FileStamp, Manifest, file_key, key_path, path_key};
use crate::index::near_duplicates::signature;
use crate::index::{
    ArticleWriter, DatelineSchema, IndexSummary, OpenedWriter, PreparedArticle, prepare_articles,
};
use crate::ingest::{
    FileArticles, InputFile, ReadOptions, Skipped, read_articles_with, undated_rejection,
    walk_files,
};

/// How many files are examined and parsed before their articles are handed
/// to the writer; also how often an interruption is noticed.
const CHUNK_FILES: usize = 256;

/// What to index and where.
#[derive(Clone, Debug)]
pub struct IndexOptions {
    /// Files and folders to index.
    pub paths: Vec<PathBuf>,
    /// The index folder.
    pub index_dir: PathBuf,
    /// tantivy's indexing memory budget, in bytes.
    pub memory_budget: usize,
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
/// budget-sized segments left unmerged ([`crate::index`]'s merge policy),
/// committing every 50,000 articles made a million-article build 25%
/// slower than committing at the end (48.4 s against 38.9 s, 20 commits),
/// for no safety that time does not give.
pub const DEFAULT_COMMIT_SECONDS: u64 = 60;

impl IndexOptions {
    /// Options for indexing `paths` into `index_dir` with the defaults.
    pub fn new(paths: Vec<PathBuf>, index_dir: PathBuf) -> IndexOptions {
        IndexOptions {
            paths,
            index_dir,
            memory_budget: DEFAULT_MEMORY_BUDGET,
            rebuild: false,
            prune: true,
            commit_every_articles: None,
            commit_interval: Duration::from_secs(DEFAULT_COMMIT_SECONDS),
            read: ReadOptions::default(),
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
    run_job(options, progress).map_err(|error| match error {
        // tantivy reports a full disk or a read-only folder from its worker
        // threads as "index writer was killed"; say what it likely means.
        Error::Tantivy(inner) => Error::WriteFailed {
            path: options.index_dir.clone(),
            reason: inner.to_string(),
        },
        other => other,
    })
}

fn run_job(options: &IndexOptions, progress: &mut dyn IndexProgress) -> Result<IndexSummary> {
    let started = Instant::now();
    let (files, mut skipped) = walk_files(&options.paths)?;
    let mut writer = open_writer(options, progress)?;
    let mut summary = IndexSummary {
        files: files.len(),
        ..IndexSummary::default()
    };
    progress.start(files.len() as u64);
    let mut parents = CanonicalParents::default();
    let fields = writer.fields().clone();
    // For each record (by its handle), the walked file it was seen as, so
    // pruning and re-reading orphans need no map of keys.
    let mut walked: Vec<u32> = Vec::new();
    let mut since_commit = (0usize, Instant::now());
    std::thread::scope(|scope| -> Result<()> {
        let mut chunks = (0..files.len()).step_by(CHUNK_FILES);
        let mut pending: Option<(usize, usize, ChunkJob<'_>)> = None;
        loop {
            // The next chunk's metadata is read and its parsing started on
            // rayon's pool before the previous chunk is written, so parsing
            // and writing overlap; at most two chunks are in memory.
            let next = if options.stop.load(Ordering::SeqCst) {
                summary.interrupted = true;
                None
            } else {
                chunks.next()
            };
            let started_job = next.map(|offset| {
                let chunk = files.slice(offset, CHUNK_FILES);
                parents.learn(&chunk);
                let count = chunk.len();
                let job = start_chunk(scope, chunk, &parents, writer.manifest(), options, &fields);
                (offset, count, job)
            });
            let Some((offset, count, job)) = pending.take() else {
                match started_job {
                    Some(job) => {
                        pending = Some(job);
                        continue;
                    }
                    None => break,
                }
            };
            let examined = job.results();
            let articles_before = summary.articles;
            for (at, (key, outcome)) in examined.into_iter().enumerate() {
                apply(&mut writer, &mut summary, &mut skipped, &key, outcome)?;
                if let Some(slot) = writer.manifest().slot_of(&key) {
                    let slot = slot as usize;
                    if walked.len() <= slot {
                        walked.resize(slot + 1, u32::MAX);
                    }
                    walked[slot] = u32::try_from(offset + at).unwrap_or(u32::MAX);
                }
            }
            let new_articles = summary.articles - articles_before;
            progress.advance(count as u64, new_articles as u64);
            since_commit.0 += new_articles;
            let due = options
                .commit_every_articles
                .is_some_and(|every| since_commit.0 >= every.max(1))
                || since_commit.1.elapsed() >= options.commit_interval;
            if due && writer.has_changes() {
                writer.commit()?;
                since_commit = (0, Instant::now());
            }
            match started_job {
                Some(job) => pending = Some(job),
                None => break,
            }
        }
        Ok(())
    })?;
    let is_walked = |slot: u32| {
        walked
            .get(slot as usize)
            .is_some_and(|&file| file != u32::MAX)
    };
    if options.prune && !summary.interrupted {
        let roots = canonical_roots(&options.paths);
        let gone: Vec<String> = writer
            .manifest()
            .keys()
            .filter(|&(key, slot)| !is_walked(slot) && should_prune(key, &roots))
            .map(|(key, _)| key.to_string())
            .collect();
        for key in gone {
            writer.remove_file(&key);
            summary.removed += 1;
        }
    }
    if !summary.interrupted {
        let walked_file = |key: &str, manifest: &Manifest| {
            let slot = manifest.slot_of(key)?;
            let at = *walked.get(slot as usize)?;
            files.get(at as usize)
        };
        reindex_orphaned_duplicates(
            &mut writer,
            &walked_file,
            &mut summary,
            &mut skipped,
            options,
        )?;
    }
    let (articles, passages) = writer.manifest().totals();
    summary.total_articles = articles;
    summary.total_passages = passages;
    summary.total_files = writer.manifest().len();
    (summary.near_copy_stories, summary.near_copy_articles) = writer.manifest().near_copy_groups();
    writer.finish()?;
    progress.finish();
    summary.skipped = skipped;
    summary.elapsed = started.elapsed();
    Ok(summary)
}

/// A chunk of files being examined: done already (nothing to read), or
/// being parsed on another thread.
enum ChunkJob<'scope> {
    Done(Vec<Examined>),
    Parsing(std::thread::ScopedJoinHandle<'scope, Vec<Examined>>),
}

impl ChunkJob<'_> {
    fn results(self) -> Vec<Examined> {
        match self {
            ChunkJob::Done(examined) => examined,
            ChunkJob::Parsing(handle) => match handle.join() {
                Ok(examined) => examined,
                Err(panic) => std::panic::resume_unwind(panic),
            },
        }
    }
}

/// Reads the metadata of a chunk's files, one after another (in a re-run
/// most are unchanged, and that costs one `lstat` each), and starts reading
/// and parsing those that changed on rayon's pool.
fn start_chunk<'scope, 'env>(
    scope: &'scope std::thread::Scope<'scope, 'env>,
    chunk: Vec<InputFile>,
    parents: &CanonicalParents,
    manifest: &Manifest,
    options: &'env IndexOptions,
    fields: &'env DatelineSchema,
) -> ChunkJob<'scope> {
    let stamped: Vec<(String, Stamp, Option<FileStamp>)> = chunk
        .iter()
        .map(|file| {
            let (key, stamp) = stamp(file, parents);
            let prior = manifest.stamp(&key);
            (key, stamp, prior)
        })
        .collect();
    let examine =
        move |(file, (key, stamp, prior)): (&InputFile, (String, Stamp, Option<FileStamp>))| {
            let outcome = decide(file, &key, prior, stamp, &options.read, fields);
            (key, outcome)
        };
    if stamped
        .iter()
        .all(|(_, stamp, prior)| is_unchanged(*prior, stamp))
    {
        return ChunkJob::Done(chunk.iter().zip(stamped).map(examine).collect());
    }
    ChunkJob::Parsing(scope.spawn(move || chunk.par_iter().zip(stamped).map(examine).collect()))
}

/// Records what examining one file found in the index and the summary.
fn apply(
    writer: &mut ArticleWriter,
    summary: &mut IndexSummary,
    skipped: &mut Vec<Skipped>,
    key: &str,
    outcome: Outcome,
) -> Result<()> {
    match outcome {
        Outcome::Unchanged => summary.unchanged += 1,
        Outcome::Touched { size, mtime_ns } => {
            writer.touch_file(key, size, mtime_ns);
            summary.unchanged += 1;
        }
        Outcome::Parsed {
            record,
            articles,
            notes,
            dropped_undated,
        } => {
            let path = key_path(key);
            summary
                .notes
                .extend(notes.into_iter().map(|reason| Skipped {
                    path: path.clone(),
                    reason,
                }));
            summary.undated_dropped += dropped_undated;
            if writer.manifest().contains(key) {
                summary.updated += 1;
            } else {
                summary.added += 1;
            }
            let replaced = writer.replace_prepared(key, record, articles)?;
            summary.passages += replaced.passages;
            summary.articles += replaced.articles;
            summary.undated += replaced.undated;
            for original in replaced.duplicates {
                summary
                    .duplicates
                    .push((key_path(key), key_path(&original)));
            }
        }
        Outcome::Skipped(skip) => {
            // What was indexed from it is no longer what the file holds.
            if writer.manifest().contains(key) {
                writer.remove_file(key);
            }
            skipped.push(skip);
        }
        Outcome::RejectedUndated(skip, count) => {
            if writer.manifest().contains(key) {
                writer.remove_file(key);
            }
            summary.undated_rejected += count;
            skipped.push(skip);
        }
    }
    Ok(())
}

/// Indexes again the files whose duplicate articles lost their original
/// (changed or removed in this run or in an interrupted one), so every
/// article stays indexed exactly once. The new owner of an article has no
/// duplicates of it, so this settles at once; the bound is a safeguard.
fn reindex_orphaned_duplicates(
    writer: &mut ArticleWriter,
    walked: &dyn Fn(&str, &Manifest) -> Option<InputFile>,
    summary: &mut IndexSummary,
    skipped: &mut Vec<Skipped>,
    options: &IndexOptions,
) -> Result<()> {
    let fields = writer.fields().clone();
    for _ in 0..3 {
        let orphans = writer.orphaned_duplicates();
        if orphans.is_empty() {
            break;
        }
        for key in orphans {
            let file = walked(&key, writer.manifest()).unwrap_or_else(|| {
                let source = key_path(&key);
                InputFile {
                    relative: source.file_name().map(PathBuf::from).unwrap_or_default(),
                    source,
                }
            });
            // The file's status (added, unchanged...) is about its content
            // and stays as counted; only what is indexed from it changes.
            let stamp = std::fs::metadata(&file.source)
                .map_err(|e| read_error(&e))
                .and_then(regular_file_stamp);
            match stamp
                .and_then(|stamp| read_file(&file, &key, None, stamp, &options.read, &fields))
            {
                Ok(Outcome::Parsed {
                    record, articles, ..
                }) => {
                    let replaced = writer.replace_prepared(&key, record, articles)?;
                    summary.passages += replaced.passages;
                    summary.articles += replaced.articles;
                }
                Ok(_) => {}
                Err(reason) => {
                    writer.remove_file(&key);
                    skipped.push(Skipped {
                        path: file.source.clone(),
                        reason,
                    });
                }
            }
        }
    }
    Ok(())
}

/// Opens the index for an incremental run, or starts a rebuild when asked
/// to or when the index cannot be trusted.
fn open_writer(options: &IndexOptions, progress: &mut dyn IndexProgress) -> Result<ArticleWriter> {
    let dir = &options.index_dir;
    if options.rebuild && dir.join("meta.json").exists() {
        progress.notice(&format!(
            "rebuilding the index at {} from scratch; the old one stays until the new one is committed",
            dir.display()
        ));
        return ArticleWriter::rebuild(dir, options.memory_budget, options.language);
    }
    match ArticleWriter::open(dir, options.memory_budget, options.language)? {
        OpenedWriter::Ready(writer) => Ok(*writer),
        OpenedWriter::NeedsRebuild(reason) => {
            progress.notice(&format!(
                "the index at {} cannot be updated ({reason}); rebuilding it from the inputs, the old one stays until the new one is committed",
                dir.display()
            ));
            ArticleWriter::rebuild(dir, options.memory_budget, options.language)
        }
    }
}

type Examined = (String, Outcome);

/// What looking at one input file found.
enum Outcome {
    /// Size and time match the record: not read.
    Unchanged,
    /// The time moved but the content is the same.
    Touched { size: u64, mtime_ns: i64 },
    /// New or changed content, parsed and made ready for the writer.
    Parsed {
        record: FileRecord,
        articles: Vec<PreparedArticle>,
        /// Remarks on the file (re-decoded text, bad records, odd dates).
        notes: Vec<String>,
        /// Undated articles left out under `--undated skip`.
        dropped_undated: usize,
    },
    /// Refused under `--undated error`: how many articles had no date.
    RejectedUndated(Skipped, usize),
    /// Not indexable.
    Skipped(Skipped),
}

/// The canonical form of each folder holding input files, worked out once
/// per folder rather than once per file: the canonical path of a file that
/// is not itself a link is its folder's canonical path joined with its name.
#[derive(Default)]
struct CanonicalParents(HashMap<PathBuf, PathBuf>);

impl CanonicalParents {
    /// Works out the folders of `files` not seen before.
    fn learn(&mut self, files: &[InputFile]) {
        for file in files {
            if let Some(parent) = file.source.parent()
                && !self.0.contains_key(parent)
            {
                let canonical =
                    std::fs::canonicalize(parent).unwrap_or_else(|_| parent.to_path_buf());
                self.0.insert(parent.to_path_buf(), canonical);
            }
        }
    }

    /// The file's key; `is_link` says the file itself is a symbolic link,
    /// whose key is its target's.
    fn key(&self, path: &Path, is_link: bool) -> String {
        let joined = || {
            let parent = self.0.get(path.parent()?)?;
            Some(parent.join(path.file_name()?))
        };
        match (is_link, joined()) {
            (false, Some(canonical)) => path_key(&canonical),
            _ => file_key(path),
        }
    }
}

/// A file's metadata, or why it cannot be indexed.
type Stamp = Result<FileMeta, String>;

/// What one `stat` says about a regular file.
struct FileMeta {
    size: u64,
    mtime_ns: i64,
    metadata: std::fs::Metadata,
}

/// The key and metadata of a file, from one `lstat` (two for a link).
fn stamp(file: &InputFile, parents: &CanonicalParents) -> (String, Stamp) {
    let metadata = std::fs::symlink_metadata(&file.source);
    let is_link = metadata.as_ref().is_ok_and(|m| m.file_type().is_symlink());
    let key = parents.key(&file.source, is_link);
    let metadata = if is_link {
        std::fs::metadata(&file.source)
    } else {
        metadata
    };
    (
        key,
        metadata
            .map_err(|e| read_error(&e))
            .and_then(regular_file_stamp),
    )
}

fn regular_file_stamp(metadata: std::fs::Metadata) -> Stamp {
    if metadata.is_dir() {
        return Err("is a folder where a file was expected".to_string());
    }
    if !metadata.is_file() {
        return Err("not a regular file (a device, socket or pipe)".to_string());
    }
    Ok(FileMeta {
        size: metadata.len(),
        mtime_ns: modified_ns(&metadata),
        metadata,
    })
}

fn read_error(error: &std::io::Error) -> String {
    match error.kind() {
        ErrorKind::NotFound => "no longer exists (deleted while indexing?)".to_string(),
        _ => format!("cannot read: {error}"),
    }
}

fn is_unchanged(prior: Option<FileStamp>, stamp: &Stamp) -> bool {
    match (prior, stamp) {
        (Some(prior), Ok(meta)) => prior.size == meta.size && prior.mtime_ns == meta.mtime_ns,
        _ => false,
    }
}

/// Decides what to do with one file and, if it must be indexed, reads and
/// parses it. Never panics on bad input: every problem is a `Skipped`.
fn decide(
    file: &InputFile,
    key: &str,
    prior: Option<FileStamp>,
    stamp: Stamp,
    read: &ReadOptions,
    fields: &DatelineSchema,
) -> Outcome {
    let outcome = if is_unchanged(prior, &stamp) {
        Ok(Outcome::Unchanged)
    } else {
        stamp.and_then(|stamp| read_file(file, key, prior, stamp, read, fields))
    };
    outcome.unwrap_or_else(|reason| {
        Outcome::Skipped(Skipped {
            path: file.source.clone(),
            reason,
        })
    })
}

/// [`stamp`] then [`decide`], for one file.
#[cfg(test)]
fn examine(
    file: &InputFile,
    parents: &CanonicalParents,
    manifest: &Manifest,
    read: &ReadOptions,
) -> Examined {
    let (key, stamp) = stamp(file, parents);
    let fields = DatelineSchema::build();
    let outcome = decide(file, &key, manifest.stamp(&key), stamp, read, &fields);
    (key, outcome)
}

/// Reads a file that is new or whose size or time changed: unchanged
/// content (same hash) is only re-stamped, anything else parsed and its
/// documents built (all on the calling thread, one of rayon's).
///
/// The file is parsed first: the reader refuses binary and oversized files
/// from their first bytes, so a 1 GiB file is never read whole. The content
/// hash is computed by the reader as the bytes go by, so each file is read
/// once.
fn read_file(
    file: &InputFile,
    key: &str,
    prior: Option<FileStamp>,
    stamp: FileMeta,
    read: &ReadOptions,
    fields: &DatelineSchema,
) -> Result<Outcome, String> {
    let parsed = read_articles_with(file, read, &stamp.metadata).map_err(|skip| skip.reason)?;
    let hash = parsed.content_hash;
    let FileMeta { size, mtime_ns, .. } = stamp;
    if let Some(prior) = prior
        && prior.hash == hash
        && prior.size == size
    {
        return Ok(Outcome::Touched { size, mtime_ns });
    }
    let FileArticles {
        articles,
        notes,
        rejected_undated,
        dropped_undated,
        ..
    } = parsed;
    if rejected_undated > 0 {
        let reason = undated_rejection(&FileArticles {
            rejected_undated,
            ..FileArticles::default()
        });
        let skip = Skipped {
            path: file.source.clone(),
            reason,
        };
        return Ok(Outcome::RejectedUndated(skip, rejected_undated));
    }
    let signatures: Vec<_> = articles
        .iter()
        .map(|article| {
            signature(
                article
                    .passages
                    .iter()
                    .flat_map(|p| p.text.split_whitespace()),
            )
        })
        .collect();
    Ok(Outcome::Parsed {
        record: FileRecord::new(size, mtime_ns, hash),
        articles: prepare_articles(fields, key, &articles, &signatures),
        notes,
        dropped_undated,
    })
}

fn modified_ns(metadata: &std::fs::Metadata) -> i64 {
    let Ok(modified) = metadata.modified() else {
        return 0;
    };
    match modified.duration_since(UNIX_EPOCH) {
        Ok(after) => i64::try_from(after.as_nanos()).unwrap_or(i64::MAX),
        Err(before) => i64::try_from(before.duration().as_nanos()).map_or(i64::MIN, |ns| -ns),
    }
}

fn canonical_roots(paths: &[PathBuf]) -> Vec<PathBuf> {
    paths
        .iter()
        .map(|p| std::fs::canonicalize(p).unwrap_or_else(|_| p.clone()))
        .collect()
}

/// A recorded file not seen in this walk is pruned when it lies under one
/// of the walked roots (deleted, or now ignored) or no longer exists at all;
/// files indexed from other folders in earlier runs are kept.
fn should_prune(key: &str, roots: &[PathBuf]) -> bool {
    let path = key_path(key);
    roots.iter().any(|root| path.starts_with(root)) || std::fs::symlink_metadata(&path).is_err()
}

impl IndexSummary {
    /// Fails when `strict` and any file was skipped.
    pub fn check_strict(&self, strict: bool) -> Result<()> {
        if strict && !self.skipped.is_empty() {
            return Err(Error::StrictSkipped(self.skipped.len()));
        }
        Ok(())
    }

    /// Fails when `--undated error` refused any article.
    pub fn check_undated(&self) -> Result<()> {
        if self.undated_rejected > 0 {
            return Err(Error::UndatedArticles(self.undated_rejected));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(path: &Path) -> InputFile {
        InputFile {
            source: path.to_path_buf(),
            relative: path.file_name().map(PathBuf::from).unwrap_or_default(),
        }
    }

    fn reason(outcome: Outcome) -> String {
        match outcome {
            Outcome::Skipped(skip) => skip.reason,
            _ => panic!("expected a skip"),
        }
    }

    #[test]
    fn a_file_deleted_after_the_walk_is_skipped_with_a_reason() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("gone.txt");
        std::fs::write(&path, " date 2024-01-01 Body.").unwrap();
        let file = input(&path);
        std::fs::remove_file(&path).unwrap();
        let (_, outcome) = examine(
            &file,
            &CanonicalParents::default(),
            &Manifest::default(),
            &ReadOptions::default(),
        );
        assert!(reason(outcome).contains("no longer exists"));
    }

    #[test]
    fn a_folder_where_a_file_was_expected_is_skipped_with_a_reason() {
        let dir = tempfile::tempdir().unwrap();
        let (_, outcome) = examine(
            &input(dir.path()),
            &CanonicalParents::default(),
            &Manifest::default(),
            &ReadOptions::default(),
        );
        assert!(reason(outcome).contains("is a folder"));
    }

    #[test]
    fn an_unchanged_file_is_not_read_and_a_touched_one_is_only_restamped() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.txt");
        std::fs::write(&path, " date 2024-01-01 Body.").unwrap();
        let file = input(&path);
        let (key, outcome) = examine(
            &file,
            &CanonicalParents::default(),
            &Manifest::default(),
            &ReadOptions::default(),
        );
        let Outcome::Parsed { record, .. } = outcome else {
            panic!("expected a parse")
        };
        let mut manifest = Manifest::default();
        manifest.insert(&key, record.clone());
        assert!(matches!(
            examine(
                &file,
                &CanonicalParents::default(),
                &manifest,
                &ReadOptions::default()
            )
            .1,
            Outcome::Unchanged
        ));
        manifest.restamp(&key, record.size, record.mtime_ns - 1);
        assert!(matches!(
            examine(
                &file,
                &CanonicalParents::default(),
                &manifest,
                &ReadOptions::default()
            )
            .1,
            Outcome::Touched { .. }
        ));
        manifest.insert(
            &key,
            FileRecord {
                hash: record.hash ^ 1,
                mtime_ns: record.mtime_ns - 1,
                ..record.clone()
            },
        );
        assert!(matches!(
            examine(
                &file,
                &CanonicalParents::default(),
                &manifest,
                &ReadOptions::default()
            )
            .1,
            Outcome::Parsed { .. }
        ));
    }
}
