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
//! pool, so both cores stay busy, and memory holds at most two chunks of documents,
//! whatever the corpus size. Between chunks the job commits when enough
//! articles or seconds have passed, and stops (committing what is done)
//! when asked to.
//!
//! What the job keeps per file for the whole run is small: the walk
//! ([`WalkedFiles`](crate::ingest::WalkedFiles), one path relative to its
//! root), the file records ([`Manifest`]) and, per record, the place of its
//! file in the walk (four bytes), for pruning.

use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::time::Instant;

use rayon::prelude::*;

use crate::error::Result;
use crate::index::DatelineSchema;
use crate::indexer::documents::prepare_articles;
use crate::indexer::examine::{
    CanonicalParents, Examined, Outcome, Stamp, decide, is_unchanged, read_error, read_file,
    regular_file_stamp, stamp,
};
use crate::indexer::manifest::{FileRecord, FileStamp, Manifest, article_hash, key_path, path_key};
use crate::indexer::writer::{ArticleWriter, FileUpdate, Replaced};
use crate::indexer::{IndexOptions, IndexProgress, IndexSummary, open_writer};
use crate::ingest::{
    Article, InputFile, ParsedRecord, Reading, RecordStream, RecordTally, Skipped, StreamEnd,
    UndatedPolicy, open_file, walk_selected,
};

/// At most this many records of a container are read, parsed and held
/// at once...
const STREAM_BATCH_RECORDS: usize = 512;
/// ...or this many bytes of them.
const STREAM_BATCH_BYTES: usize = 16 * 1024 * 1024;

/// How many files are examined and parsed before their articles are handed
/// to the writer; also how often an interruption is noticed.
const CHUNK_FILES: usize = 256;

/// When the next commit is due: once `commit_interval` has passed, or
/// `commit_every_articles` articles were indexed when that is set.
struct CommitPacing {
    articles: usize,
    since: Instant,
}

impl CommitPacing {
    fn new() -> CommitPacing {
        CommitPacing {
            articles: 0,
            since: Instant::now(),
        }
    }

    /// Counts `articles` more and says whether a commit is due.
    fn add(&mut self, articles: usize, options: &IndexOptions) -> bool {
        self.articles += articles;
        options
            .commit_every_articles
            .is_some_and(|every| self.articles >= every.max(1))
            || self.since.elapsed() >= options.commit_interval
    }

    /// Commits what the writer holds, if anything, and starts counting again.
    fn commit(&mut self, writer: &mut ArticleWriter) -> Result<()> {
        if writer.has_changes() {
            writer.commit()?;
            *self = CommitPacing::new();
        }
        Ok(())
    }
}

/// Runs a file job (see the module documentation).
pub(super) fn index_files(
    options: &IndexOptions,
    progress: &mut dyn IndexProgress,
) -> Result<IndexSummary> {
    let started = Instant::now();
    let (files, mut skipped) = walk_selected(&options.paths, &options.select)?;
    let mut writer = open_writer(options, progress)?;
    writer.watch_walk_order();
    let mut summary = IndexSummary {
        files: files.len() + files.left_out.values().sum::<usize>(),
        left_out: files.left_out.clone(),
        ..IndexSummary::default()
    };
    progress.start(files.len() as u64);
    let mut parents = CanonicalParents::default();
    let fields = writer.fields().clone();
    // For each record (by its handle), the walked file it was seen as, so
    // pruning and re-reading orphans need no map of keys.
    let mut walked: Vec<u32> = Vec::new();
    let mut pacing = CommitPacing::new();
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
                let mut run = Run {
                    writer: &mut writer,
                    summary: &mut summary,
                    skipped: &mut skipped,
                    options,
                    fields: &fields,
                    pacing: &mut pacing,
                };
                run.apply(&key, outcome)?;
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
            if pacing.add(new_articles, options) {
                pacing.commit(&mut writer)?;
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
    // An original indexed in this run is named as the user gave it too.
    for (_, original) in &mut summary.duplicates {
        let given = writer
            .manifest()
            .slot_of(&path_key(original))
            .and_then(|slot| walked.get(slot as usize))
            .and_then(|&at| files.get(at as usize));
        if let Some(file) = given {
            *original = file.source;
        }
    }
    if !summary.interrupted {
        let walked_file = |key: &str, manifest: &Manifest| {
            let slot = manifest.slot_of(key)?;
            let at = *walked.get(slot as usize)?;
            files.get(at as usize)
        };
        let mut run = Run {
            writer: &mut writer,
            summary: &mut summary,
            skipped: &mut skipped,
            options,
            fields: &fields,
            pacing: &mut pacing,
        };
        run.reindex_orphaned_duplicates(&walked_file)?;
        if run.writer.stories_to_regroup() {
            run.regroup_stories(&walked_file)?;
        }
    }
    finish(writer, summary, skipped, started, progress)
}

/// Indexes records that do not come from files (see
/// [`super::index_articles`]): each `(key, articles)` is handled like a
/// file whose content hash is that of its articles, so a record indexed
/// again unchanged is left alone.
pub(super) fn index_records(
    options: &IndexOptions,
    records: impl Iterator<Item = (String, Vec<Article>)>,
    progress: &mut dyn IndexProgress,
) -> Result<IndexSummary> {
    let started = Instant::now();
    let mut writer = open_writer(options, progress)?;
    let fields = writer.fields().clone();
    let mut summary = IndexSummary::default();
    let mut skipped = Vec::new();
    let mut pacing = CommitPacing::new();
    for (key, articles) in records {
        if options.stop.load(Ordering::SeqCst) {
            summary.interrupted = true;
            break;
        }
        summary.files += 1;
        let hash = articles.iter().fold(0u64, |hash, article| {
            hash.rotate_left(5) ^ article_hash(article)
        });
        let outcome = match writer.manifest().stamp(&key) {
            Some(prior) if prior.hash == hash => Outcome::Unchanged,
            _ => Outcome::Parsed {
                source: key_path(&key),
                record: FileRecord::new(0, 0, hash),
                articles: prepare_articles(&fields, &key, &articles),
                notes: Vec::new(),
                dropped_undated: 0,
            },
        };
        let before = summary.articles;
        Run {
            writer: &mut writer,
            summary: &mut summary,
            skipped: &mut skipped,
            options,
            fields: &fields,
            pacing: &mut pacing,
        }
        .apply(&key, outcome)?;
        progress.advance(1, (summary.articles - before) as u64);
        if pacing.add(summary.articles - before, options) {
            pacing.commit(&mut writer)?;
        }
    }
    finish(writer, summary, skipped, started, progress)
}

/// Fills in what the index holds after a run, commits and closes it.
fn finish(
    writer: ArticleWriter,
    mut summary: IndexSummary,
    skipped: Vec<Skipped>,
    started: Instant,
    progress: &mut dyn IndexProgress,
) -> Result<IndexSummary> {
    let (articles, passages) = writer.manifest().totals();
    summary.total_articles = articles;
    summary.total_passages = passages;
    summary.total_files = writer.manifest().len();
    summary.total_duplicates = (writer.manifest().with_duplicates())
        .map(|(_, duplicates)| duplicates.len())
        .sum();
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

/// What writing examined files needs: the writer, the run's accounts and
/// options, and the commit pacing (a big container may commit midway).
struct Run<'a> {
    writer: &'a mut ArticleWriter,
    summary: &'a mut IndexSummary,
    skipped: &'a mut Vec<Skipped>,
    options: &'a IndexOptions,
    fields: &'a DatelineSchema,
    pacing: &'a mut CommitPacing,
}

impl Run<'_> {
    /// Records what examining one file found in the index and the summary.
    fn apply(&mut self, key: &str, outcome: Outcome) -> Result<()> {
        match outcome {
            Outcome::Unchanged => self.summary.unchanged += 1,
            Outcome::Touched { size, mtime_ns } => {
                self.writer.touch_file(key, size, mtime_ns);
                self.summary.unchanged += 1;
            }
            Outcome::Parsed {
                source,
                record,
                articles,
                notes,
                dropped_undated,
            } => {
                self.note(&source, notes);
                self.summary.undated_dropped += dropped_undated;
                self.count_file(key);
                let replaced = self.writer.replace_prepared(key, record, articles)?;
                self.count(&source, replaced);
            }
            Outcome::Stream { file, record } => self.write_stream(key, &file, record)?,
            Outcome::LeftOut(kind) => {
                if self.writer.manifest().contains(key) {
                    self.writer.remove_file(key);
                }
                *self.summary.left_out.entry(kind).or_default() += 1;
            }
            Outcome::Skipped(skip) => self.skip(key, skip),
            Outcome::RejectedUndated(skip, count) => {
                self.summary.undated_rejected += count;
                self.skip(key, skip);
            }
        }
        Ok(())
    }

    /// Notes on the file at `path` (as the user named it).
    fn note(&mut self, path: &Path, notes: Vec<String>) {
        self.summary
            .notes
            .extend(notes.into_iter().map(|reason| Skipped {
                path: path.to_path_buf(),
                reason,
            }));
    }

    fn count_file(&mut self, key: &str) {
        self.count_existing(self.writer.manifest().contains(key));
    }

    fn count_existing(&mut self, existed: bool) {
        if existed {
            self.summary.updated += 1;
        } else {
            self.summary.added += 1;
        }
    }

    /// Counts what was written from the file at `path` (as the user named
    /// it).
    fn count(&mut self, path: &Path, replaced: Replaced) {
        self.summary.passages += replaced.passages;
        self.summary.articles += replaced.articles;
        self.summary.articles_kept += replaced.kept;
        self.summary.undated += replaced.undated;
        self.summary.unread_dates += replaced.unread_dates;
        for original in replaced.duplicates {
            self.summary
                .duplicates
                .push((path.to_path_buf(), key_path(&original)));
        }
    }

    fn skip(&mut self, key: &str, skip: Skipped) {
        // What was indexed from it is no longer what the file holds.
        if self.writer.manifest().contains(key) {
            self.writer.remove_file(key);
        }
        self.skipped.push(skip);
    }

    /// Reads a container record by record and writes its articles batch by
    /// batch: one thread reads and cuts records, rayon's pool parses them
    /// and builds their documents, and this thread writes them, with at
    /// most two batches in memory. A commit due midway records what is
    /// written so far (the file is read again by the next run, which keeps
    /// what is already indexed).
    fn write_stream(&mut self, key: &str, file: &InputFile, record: FileRecord) -> Result<()> {
        let opened = std::fs::metadata(&file.source)
            .map_err(|e| read_error(&e))
            .and_then(|metadata| {
                open_file(file, &self.options.read, &metadata).map_err(|skip| skip.reason)
            });
        let stream = match opened {
            Ok(Reading::Records(stream)) => stream,
            Ok(Reading::Articles(_)) => {
                let reason = "changed while indexing (read again next run)".to_string();
                let path = file.source.clone();
                self.skip(key, Skipped { path, reason });
                return Ok(());
            }
            Err(reason) => {
                let path = file.source.clone();
                self.skip(key, Skipped { path, reason });
                return Ok(());
            }
        };
        let existed = self.writer.manifest().contains(key);
        let mut update = self.writer.begin_file(key, record);
        let (written, end) = self.pump(key, *stream, &mut update);
        let outcome = written.and_then(|rejected| Ok((rejected, end?)));
        let path = file.source.clone();
        match outcome {
            Err(StreamError::Index(error)) => {
                self.writer.finish_file(update, false);
                return Err(error);
            }
            Err(StreamError::Read(reason)) => {
                // What was read is indexed; the rest waits for the next run.
                self.count_existing(existed);
                let replaced = self.writer.finish_file(update, false);
                self.count(&path, replaced);
                self.skipped.push(Skipped {
                    path,
                    reason: format!("{reason} (indexed up to there)"),
                });
            }
            Ok((Some(rejected), _)) => {
                self.writer.abort_file(update);
                self.summary.undated_rejected += rejected;
                let reason = format!(
                    "{rejected} article(s) without a recognisable date (--undated error); add a date or use --undated keep"
                );
                self.skipped.push(Skipped { path, reason });
            }
            Ok((None, end)) if end.interrupted => {
                self.summary.interrupted = true;
                self.count_existing(existed);
                let replaced = self.writer.finish_file(update, false);
                self.count(&path, replaced);
            }
            Ok((None, end)) => {
                let StreamEnd {
                    content_hash,
                    notes,
                    dropped_undated,
                    empty_reason,
                    ..
                } = end.end;
                self.note(&path, notes);
                self.summary.undated_dropped += dropped_undated;
                if let Some(reason) = empty_reason {
                    self.writer.abort_file(update);
                    self.skipped.push(Skipped { path, reason });
                } else {
                    self.count_existing(existed);
                    update.set_content_hash(content_hash);
                    let replaced = self.writer.finish_file(update, true);
                    self.count(&path, replaced);
                }
            }
        }
        Ok(())
    }

    /// Moves a container's records from a reading thread to the writer.
    /// Returns, for the writing, the number of undated articles refused
    /// (under `--undated error`, which stops the file) or an error, and for
    /// the reading how the stream ended.
    fn pump(
        &mut self,
        key: &str,
        mut stream: RecordStream,
        update: &mut FileUpdate,
    ) -> (
        std::result::Result<Option<usize>, StreamError>,
        std::result::Result<Ended, StreamError>,
    ) {
        let parser = stream.parser();
        let refuse_undated = parser.undated_policy() == UndatedPolicy::Error;
        let options = self.options;
        let fields = self.fields;
        std::thread::scope(|scope| {
            let (sender, receiver) = std::sync::mpsc::sync_channel::<Batch>(1);
            let reader = scope.spawn(move || -> std::result::Result<Ended, StreamError> {
                let mut tally = RecordTally::new(options.read.now_year);
                let mut interrupted = false;
                loop {
                    if options.stop.load(Ordering::SeqCst) {
                        interrupted = true;
                        break;
                    }
                    let raw = stream
                        .next_batch(STREAM_BATCH_RECORDS, STREAM_BATCH_BYTES)
                        .map_err(StreamError::Read)?;
                    if raw.is_empty() {
                        break;
                    }
                    let parsed: Vec<ParsedRecord> =
                        raw.par_iter().map(|record| parser.parse(record)).collect();
                    drop(raw);
                    let mut articles = Vec::with_capacity(parsed.len());
                    let mut undated = 0;
                    for record in parsed {
                        tally.count(&record);
                        match record {
                            ParsedRecord::Article(article) => articles.push(*article),
                            ParsedRecord::Undated => undated += 1,
                            _ => {}
                        }
                    }
                    let prepared = articles
                        .par_chunks(8)
                        .flat_map_iter(|chunk| prepare_articles(fields, key, chunk))
                        .collect();
                    if sender.send(Batch { prepared, undated }).is_err() {
                        // The writer gave up on this file.
                        break;
                    }
                }
                drop(sender);
                let end = stream.finish(tally).map_err(StreamError::Read)?;
                Ok(Ended { end, interrupted })
            });
            let written = (|| {
                for batch in receiver {
                    if refuse_undated && batch.undated > 0 {
                        return Ok(Some(batch.undated));
                    }
                    let before = update.replaced().articles;
                    self.writer
                        .write_articles(update, batch.prepared)
                        .map_err(StreamError::Index)?;
                    let new_articles = update.replaced().articles - before;
                    if self.pacing.add(new_articles, options) {
                        self.writer.checkpoint_file(update);
                        self.pacing
                            .commit(self.writer)
                            .map_err(StreamError::Index)?;
                    }
                }
                Ok(None)
            })();
            let ended = match reader.join() {
                Ok(ended) => ended,
                Err(panic) => std::panic::resume_unwind(panic),
            };
            (written, ended)
        })
    }

    /// Indexes again the files whose duplicate articles lost their original
    /// (changed or removed in this run or in an interrupted one), so every
    /// article stays indexed exactly once. The new owner of an article has no
    /// duplicates of it, so this settles at once; the bound is a safeguard.
    fn reindex_orphaned_duplicates(
        &mut self,
        walked: &dyn Fn(&str, &Manifest) -> Option<InputFile>,
    ) -> Result<()> {
        for _ in 0..3 {
            let orphans = self.writer.orphaned_duplicates();
            if orphans.is_empty() {
                break;
            }
            for key in orphans {
                // The file's status (added, unchanged...) is about its content
                // and stays as counted; only what is indexed from it changes.
                let (added, updated) = (self.summary.added, self.summary.updated);
                self.read_again(&key, walked)?;
                (self.summary.added, self.summary.updated) = (added, updated);
            }
        }
        Ok(())
    }

    /// Groups the index's near-copies into the stories a rebuild of its
    /// files would make (see [`crate::indexer::regroup`]), writing again
    /// the articles whose story differs. What the run counted stays as
    /// counted: only the grouping changes.
    fn regroup_stories(
        &mut self,
        walked: &dyn Fn(&str, &Manifest) -> Option<InputFile>,
    ) -> Result<()> {
        let (files, articles) = self.writer.regroup();
        let counted = self.summary.clone();
        let read_again = files.len();
        for key in files {
            if self.options.stop.load(Ordering::SeqCst) {
                self.summary.interrupted = true;
                break;
            }
            self.read_again(&key, walked)?;
        }
        let interrupted = self.summary.interrupted;
        *self.summary = counted;
        self.summary.interrupted = interrupted;
        self.summary.regrouped = (articles, read_again);
        if !interrupted {
            self.writer.regrouped();
        }
        Ok(())
    }

    /// Reads the indexed file `key` again and writes what it holds, as
    /// the walk found it or else at the path its key names; a file that
    /// can no longer be read is removed and reported.
    fn read_again(
        &mut self,
        key: &str,
        walked: &dyn Fn(&str, &Manifest) -> Option<InputFile>,
    ) -> Result<()> {
        let file = walked(key, self.writer.manifest()).unwrap_or_else(|| {
            let source = key_path(key);
            InputFile {
                relative: source.file_name().map(PathBuf::from).unwrap_or_default(),
                source,
            }
        });
        let stamp = std::fs::metadata(&file.source)
            .map_err(|e| read_error(&e))
            .and_then(regular_file_stamp);
        let outcome = stamp
            .and_then(|stamp| read_file(&file, key, None, stamp, &self.options.read, self.fields));
        match outcome {
            Ok(Outcome::Parsed {
                record, articles, ..
            }) => {
                let replaced = self.writer.replace_prepared(key, record, articles)?;
                self.count(&file.source, replaced);
            }
            Ok(Outcome::Stream { file, record }) => self.write_stream(key, &file, record)?,
            Ok(_) => {}
            Err(reason) => {
                self.writer.remove_file(key);
                self.skipped.push(Skipped {
                    path: file.source.clone(),
                    reason,
                });
            }
        }
        Ok(())
    }
}

/// A batch of a container's articles, ready for the writer.
struct Batch {
    prepared: Vec<crate::indexer::documents::PreparedArticle>,
    /// Undated articles left out (`--undated skip`) or refused (`error`).
    undated: usize,
}

/// How reading a container ended.
struct Ended {
    end: StreamEnd,
    /// Stopped by a request to stop, before the end of the file.
    interrupted: bool,
}

/// What stops a container midway.
enum StreamError {
    /// Reading the file failed: what was written stays.
    Read(String),
    /// Writing the index failed: the run ends.
    Index(crate::error::Error),
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
