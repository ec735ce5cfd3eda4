//! Writing articles into the index.
//!
//! Re-indexing a file replaces it: all documents carrying the file's key are
//! deleted and its articles added again, and its [`FileRecord`] changes in
//! the same commit (see [`super::manifest`]), so a re-run, even after a
//! crash, never duplicates or loses anything. tantivy's writer lock makes a
//! second concurrent `index` run fail at once instead of corrupting the
//! index.
//!
//! An index that cannot be trusted (another schema version, damaged
//! metadata) or that the user asked to rebuild is built afresh in a sibling
//! folder, `.NAME.rebuilding`, while the old one stays where it is, locked;
//! only when the new one is committed is it moved into place.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use tantivy::directory::error::LockError;
use tantivy::directory::{Directory, DirectoryLock, INDEX_WRITER_LOCK, MmapDirectory};
use tantivy::indexer::UserOperation;
use tantivy::{Index, IndexWriter, TantivyDocument, TantivyError, Term};

use crate::date::DatePrecision;
use tantivy::tokenizer::Language;

use crate::error::{Error, Result};
use crate::index::manifest::{Duplicate, FileRecord, Manifest, article_hash};
use crate::index::near_duplicates::{Signature, StoryIndex, from_hex, to_hex};
use crate::index::{OpenIndex, SCHEMA_VERSION, stable_hash};
use crate::ingest::{Article, Skipped};

/// Adds, replaces and commits articles and their file records; holds the
/// index's writer lock.
pub struct ArticleWriter {
    index: OpenIndex,
    writer: IndexWriter,
    manifest: Manifest,
    /// Which file each indexed article (by content hash) is indexed under.
    owners: HashMap<u64, String>,
    /// The near-copy signatures of the indexed articles, built from the
    /// records when the first file is written (a run with nothing to write
    /// never pays for it).
    stories: Option<StoryIndex>,
    /// Each file's entries in `stories`.
    story_entries: HashMap<String, Vec<u32>>,
    /// Whether anything changed since the last commit.
    dirty: bool,
    /// Set when building a replacement beside the index.
    aside: Option<Aside>,
}

/// A replacement index being built beside the one it will replace.
struct Aside {
    /// Where the index lives and will live.
    target: PathBuf,
    /// The old index's writer lock, held so no other run writes to it
    /// while its replacement is built.
    _old_lock: Option<DirectoryLock>,
}

/// What [`ArticleWriter::replace_file`] did.
#[derive(Debug, Default)]
pub struct Replaced {
    /// Articles indexed.
    pub articles: usize,
    /// Passages indexed.
    pub passages: usize,
    /// Articles indexed without a date.
    pub undated: usize,
    /// For each article not indexed because another file holds it: that
    /// file's key.
    pub duplicates: Vec<String>,
}

/// What opening an index for writing found.
pub enum OpenedWriter {
    /// The index (new or existing) is ready for incremental updates.
    Ready(Box<ArticleWriter>),
    /// The index exists but must be rebuilt; the reason says why.
    NeedsRebuild(String),
}

/// What an indexing run did.
#[derive(Debug, Default)]
pub struct IndexSummary {
    /// Files found in the inputs.
    pub files: usize,
    /// Files indexed for the first time.
    pub added: usize,
    /// Files indexed again because their content changed.
    pub updated: usize,
    /// Files whose articles were removed (deleted from disk, or no longer
    /// readable).
    pub removed: usize,
    /// Files left as they were.
    pub unchanged: usize,
    /// Articles indexed in this run.
    pub articles: usize,
    /// Passages indexed in this run.
    pub passages: usize,
    /// Files not indexed, with reasons.
    pub skipped: Vec<Skipped>,
    /// Articles not indexed because another file holds the same article:
    /// (the file, the file it is indexed under).
    pub duplicates: Vec<(PathBuf, PathBuf)>,
    /// Articles the index holds after the run.
    pub total_articles: u64,
    /// Passages the index holds after the run.
    pub total_passages: u64,
    /// Files the index holds articles from after the run.
    pub total_files: usize,
    /// Stories the index holds more than one near-copy of, after the run.
    pub near_copy_stories: usize,
    /// Articles in those stories.
    pub near_copy_articles: usize,
    /// Whether the run was interrupted (what was done is committed).
    pub interrupted: bool,
    /// Indexed articles without a date (kept under `--undated keep`).
    pub undated: usize,
    /// Undated articles left out under `--undated skip`.
    pub undated_dropped: usize,
    /// Undated articles refused under `--undated error`.
    pub undated_rejected: usize,
    /// Non-fatal remarks on indexed files (re-decoded text, bad records,
    /// suspicious dates).
    pub notes: Vec<Skipped>,
    /// Wall time of the run.
    pub elapsed: Duration,
}

impl ArticleWriter {
    /// Opens (or creates) the index at `path` for incremental writing with a
    /// memory budget in bytes for tantivy's indexing threads.
    /// `language` is the stemmer of a new index; an existing index must
    /// have been written with it, when given.
    pub fn open(
        path: &Path,
        memory_budget: usize,
        language: Option<Language>,
    ) -> Result<OpenedWriter> {
        let fresh = !path.join("meta.json").exists() && !path.join(super::META_FILE).exists();
        if fresh {
            let index = OpenIndex::open_or_create_in(path, language.unwrap_or(Language::English))?;
            let writer = open_writer(&index.index, path, memory_budget)?;
            return Ok(OpenedWriter::Ready(Box::new(ArticleWriter::new(
                index,
                writer,
                Manifest::default(),
                None,
            ))));
        }
        let index = match OpenIndex::open(path) {
            Ok(index) => index,
            Err(Error::SchemaMismatch { found, .. }) => {
                return Ok(OpenedWriter::NeedsRebuild(format!(
                    "it was written with schema {found}, this dateline writes {SCHEMA_VERSION}"
                )));
            }
            Err(Error::Damaged { reason, .. }) => return Ok(OpenedWriter::NeedsRebuild(reason)),
            Err(Error::NoIndex(_)) => {
                return Ok(OpenedWriter::NeedsRebuild(
                    "tantivy's meta.json is missing".to_string(),
                ));
            }
            Err(other) => return Err(other),
        };
        if let Some(language) = language {
            // Refused rather than rebuilt: the index may hold folders this
            // run does not name, which a rebuild would lose.
            index.check_language(language)?;
        }
        let writer = open_writer(&index.index, path, memory_budget)?;
        let metas = index.index.load_metas()?;
        let manifest = match &metas.payload {
            Some(payload) => match Manifest::load(path, payload) {
                Ok(manifest) => manifest,
                Err(reason) => return Ok(OpenedWriter::NeedsRebuild(reason)),
            },
            None if metas.segments.iter().all(|s| s.num_docs() == 0) => Manifest::default(),
            None => {
                return Ok(OpenedWriter::NeedsRebuild(
                    "it has no file records".to_string(),
                ));
            }
        };
        // Leftovers of commits that a crash prevented, and of a rebuild that
        // was killed: no other run can be building one, as we hold the lock
        // a rebuild holds.
        Manifest::remove_stale(path, metas.payload.as_deref());
        let _ = std::fs::remove_dir_all(sibling(path, "rebuilding"));
        Ok(OpenedWriter::Ready(Box::new(ArticleWriter::new(
            index, writer, manifest, None,
        ))))
    }

    /// Starts a new, empty index that replaces the one at `path` when
    /// [`ArticleWriter::finish`] commits it; until then the old one stays.
    /// The new index is analysed in `language`, or else in the language the
    /// old one recorded, or else in English.
    pub fn rebuild(
        path: &Path,
        memory_budget: usize,
        language: Option<Language>,
    ) -> Result<ArticleWriter> {
        let language = language
            .or_else(|| super::recorded_language(path))
            .unwrap_or(Language::English);
        let old_lock = match MmapDirectory::open(path) {
            Ok(directory) => Some(
                directory
                    .acquire_lock(&INDEX_WRITER_LOCK)
                    .map_err(|e| lock_error(path, e))?,
            ),
            Err(_) => None,
        };
        let building = sibling(path, "rebuilding");
        if building.exists() {
            // An earlier rebuild that never finished; it is ours to replace.
            std::fs::remove_dir_all(&building).map_err(|source| Error::Io {
                path: building.clone(),
                source,
            })?;
        }
        let index = OpenIndex::open_or_create_in(&building, language)?;
        let writer = open_writer(&index.index, &building, memory_budget)?;
        let aside = Aside {
            target: path.to_path_buf(),
            _old_lock: old_lock,
        };
        Ok(ArticleWriter::new(
            index,
            writer,
            Manifest::default(),
            Some(aside),
        ))
    }

    fn new(
        index: OpenIndex,
        writer: IndexWriter,
        manifest: Manifest,
        aside: Option<Aside>,
    ) -> ArticleWriter {
        let owners = manifest
            .files
            .iter()
            .flat_map(|(key, record)| record.article_hashes.iter().map(move |&h| (h, key.clone())))
            .collect();
        ArticleWriter {
            index,
            writer,
            manifest,
            owners,
            stories: None,
            story_entries: HashMap::new(),
            // A rebuild must commit, even with nothing in it, to replace the old index.
            dirty: aside.is_some(),
            aside,
        }
    }

    /// Whether anything changed since the last commit.
    pub fn has_changes(&self) -> bool {
        self.dirty
    }

    /// The file records as of the last change.
    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    /// Replaces everything indexed from `key` with `articles` and records
    /// the file. An article already indexed from another file (same date,
    /// same text) is not indexed again but noted as a duplicate of it.
    pub fn replace_file(
        &mut self,
        key: &str,
        mut record: FileRecord,
        articles: &[Article],
        signatures: &[Option<Signature>],
    ) -> Result<Replaced> {
        self.load_stories();
        self.forget_owned(key);
        let fields = self.index.fields.clone();
        // A file without a record has nothing indexed (records and
        // documents change in the same commit), so a first build queues no
        // deletes for tantivy to apply to every new segment.
        if self.manifest.files.contains_key(key) {
            self.writer
                .delete_term(Term::from_field_text(fields.file_key, key));
        }
        let mut replaced = Replaced::default();
        for (number, article) in articles.iter().enumerate() {
            let hash = article_hash(article);
            if let Some(owner) = self.owners.get(&hash) {
                record.duplicates.push(Duplicate {
                    hash,
                    of: owner.clone(),
                });
                replaced.duplicates.push(owner.clone());
                continue;
            }
            self.owners.insert(hash, key.to_string());
            record.article_hashes.push(hash);
            replaced.articles += 1;
            replaced.undated += usize::from(article.date.is_none());
            let article_id = stable_hash(&[key.as_bytes(), &number.to_le_bytes()]);
            let signature = signatures.get(number).copied().flatten();
            let story = self.assign_story(key, article_id, signature);
            record
                .signatures
                .push(signature.map(|s| to_hex(&s)).unwrap_or_default());
            record.stories.push(story);
            let source = article.source.to_string_lossy();
            let relative = article.relative.to_string_lossy();
            // One batch per article: tantivy gives a batch to one indexing
            // thread, so the article's passages become consecutive
            // documents in reading order, which ranking relies on
            // (`search::rank`: adjacent passages, articles per word).
            let mut batch = Vec::with_capacity(article.passages.len());
            for (passage_no, passage) in article.passages.iter().enumerate() {
                let mut doc = TantivyDocument::new();
                doc.add_text(fields.text, &passage.text);
                if let Some(title) = &article.title {
                    doc.add_text(fields.title, title);
                }
                if let Some(date) = &article.date {
                    doc.add_i64(fields.date, date.timestamp);
                    let precision = match date.precision {
                        DatePrecision::Day => 0,
                        DatePrecision::Second => 1,
                    };
                    doc.add_u64(fields.date_precision, precision);
                }
                doc.add_text(fields.source, &source);
                doc.add_text(fields.relative, &relative);
                doc.add_text(fields.file_key, key);
                doc.add_u64(fields.article_id, article_id);
                doc.add_u64(fields.story, story);
                doc.add_u64(fields.passage_no, passage_no as u64);
                doc.add_u64(fields.line, u64::from(passage.line));
                doc.add_text(fields.format, article.format.name());
                if let Some(date_source) = article.date_source {
                    doc.add_text(fields.date_source, date_source.name());
                }
                let optional = [
                    (fields.date_text, &article.date_text),
                    (fields.url, &article.url),
                    (fields.author, &article.author),
                    (fields.outlet, &article.outlet),
                    (fields.record_id, &article.record_id),
                ];
                for (field, value) in optional {
                    if let Some(value) = value {
                        doc.add_text(field, value);
                    }
                }
                if let Some(record_line) = article.record_line {
                    doc.add_u64(fields.record_line, u64::from(record_line));
                }
                batch.push(UserOperation::Add(doc));
                replaced.passages += 1;
            }
            self.writer.run(batch)?;
        }
        record.articles = u32::try_from(replaced.articles).unwrap_or(u32::MAX);
        record.passages = u32::try_from(replaced.passages).unwrap_or(u32::MAX);
        self.manifest.files.insert(key.to_string(), record);
        self.dirty = true;
        Ok(replaced)
    }

    /// Builds the near-copy index from the records, once.
    fn load_stories(&mut self) {
        if self.stories.is_some() {
            return;
        }
        let mut stories = StoryIndex::default();
        for (key, record) in &self.manifest.files {
            for (hex, &story) in record.signatures.iter().zip(&record.stories) {
                if let Some(signature) = from_hex(hex) {
                    let entry = stories.insert(signature, story);
                    self.story_entries
                        .entry(key.clone())
                        .or_default()
                        .push(entry);
                }
            }
        }
        self.stories = Some(stories);
    }

    /// The story of a new article: that of a near-copy already indexed, or
    /// a story of its own.
    fn assign_story(&mut self, key: &str, article_id: u64, signature: Option<Signature>) -> u64 {
        let (Some(stories), Some(signature)) = (self.stories.as_mut(), signature) else {
            return article_id;
        };
        let story = stories.find(&signature).unwrap_or(article_id);
        let entry = stories.insert(signature, story);
        self.story_entries
            .entry(key.to_string())
            .or_default()
            .push(entry);
        story
    }

    /// Drops `key` as the owner of the articles it had indexed.
    fn forget_owned(&mut self, key: &str) {
        if let (Some(stories), Some(entries)) =
            (self.stories.as_mut(), self.story_entries.remove(key))
        {
            for entry in entries {
                stories.remove(entry);
            }
        }
        if let Some(record) = self.manifest.files.get(key) {
            for hash in &record.article_hashes {
                if self.owners.get(hash).is_some_and(|owner| owner == key) {
                    self.owners.remove(hash);
                }
            }
        }
    }

    /// Files holding a duplicate whose original is no longer indexed (it
    /// was changed or removed): they must be indexed again, so the article
    /// stays searchable.
    pub fn orphaned_duplicates(&self) -> Vec<String> {
        self.manifest
            .files
            .iter()
            .filter(|(_, record)| {
                record
                    .duplicates
                    .iter()
                    .any(|d| self.owners.get(&d.hash) != Some(&d.of))
            })
            .map(|(key, _)| key.clone())
            .collect()
    }

    /// Updates the record of a file whose content is unchanged (its
    /// modification time moved).
    pub fn touch_file(&mut self, key: &str, size: u64, mtime_ns: i64) {
        if let Some(record) = self.manifest.files.get_mut(key) {
            record.size = size;
            record.mtime_ns = mtime_ns;
            self.dirty = true;
        }
    }

    /// Removes everything indexed from `key`; returns whether it had a record.
    pub fn remove_file(&mut self, key: &str) -> bool {
        self.forget_owned(key);
        self.writer
            .delete_term(Term::from_field_text(self.index.fields.file_key, key));
        self.dirty = true;
        self.manifest.files.remove(key).is_some()
    }

    /// Makes everything done so far durable and visible to searches, file
    /// records included.
    pub fn commit(&mut self) -> Result<()> {
        let dir = self.index.path.clone();
        let mut prepared = self.writer.prepare_commit()?;
        let payload = self
            .manifest
            .save(&dir, prepared.opstamp(), SCHEMA_VERSION)
            .map_err(|source| Error::Io {
                path: dir.clone(),
                source,
            })?;
        prepared.set_payload(&payload);
        prepared.commit()?;
        Manifest::remove_stale(&dir, Some(&payload));
        self.dirty = false;
        Ok(())
    }

    /// Commits if anything changed, waits for background merges (releasing
    /// the lock) and, for a rebuild, moves the new index into place.
    pub fn finish(mut self) -> Result<()> {
        if self.dirty {
            self.commit()?;
        }
        self.writer.wait_merging_threads()?;
        if let Some(aside) = self.aside.take() {
            replace_dir(&aside.target, &self.index.path)?;
        }
        Ok(())
    }
}

fn open_writer(index: &Index, path: &Path, memory_budget: usize) -> Result<IndexWriter> {
    index.writer(memory_budget).map_err(|error| match error {
        TantivyError::LockFailure(lock, _) => lock_error(path, lock),
        other => Error::Tantivy(other),
    })
}

fn lock_error(path: &Path, error: LockError) -> Error {
    match error {
        LockError::LockBusy => Error::Locked {
            path: path.to_path_buf(),
            reason: "its writer lock file .tantivy-writer.lock is held".to_string(),
        },
        LockError::IoError(source) => Error::Io {
            path: path.join(".tantivy-writer.lock"),
            source: std::io::Error::new(source.kind(), source.to_string()),
        },
    }
}

/// `.NAME.suffix` beside `path`.
fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "index".to_string());
    let parent = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    parent.join(format!(".{name}.{suffix}"))
}

/// Moves `new` to `target`, the old `target` aside first and then away.
fn replace_dir(target: &Path, new: &Path) -> Result<()> {
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| Error::Io { path, source }
    };
    let old = sibling(target, "old");
    if old.exists() {
        std::fs::remove_dir_all(&old).map_err(io(&old))?;
    }
    if target.exists() {
        std::fs::rename(target, &old).map_err(io(target))?;
    }
    std::fs::rename(new, target).map_err(io(target))?;
    if old.exists() {
        std::fs::remove_dir_all(&old).map_err(io(&old))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn siblings_sit_next_to_the_index() {
        assert_eq!(
            sibling(Path::new("index"), "old"),
            Path::new("./.index.old")
        );
        assert_eq!(
            sibling(Path::new("/a/b/idx"), "rebuilding"),
            Path::new("/a/b/.idx.rebuilding")
        );
    }
}
