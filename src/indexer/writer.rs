//! Writing articles into the index.
//!
//! Re-indexing a file replaces it: the documents of its articles are
//! deleted (by article id: the ids are a function of the file's key and the
//! article's number, and the record says how many there were) and its
//! articles added again, and its [`FileRecord`] changes in the same commit
//! (see [`super::manifest`]), so a re-run, even after a crash, never
//! duplicates or loses anything. tantivy's writer lock makes a
//! second concurrent `index` run fail at once instead of corrupting the
//! index.
//!
//! An index that cannot be trusted (another schema version, damaged
//! metadata) or that the user asked to rebuild is built afresh in a sibling
//! folder, `.NAME.rebuilding`, while the old one stays where it is, locked;
//! only when the new one is committed is it moved into place.

use std::path::{Path, PathBuf};

use rustc_hash::FxHashMap;
use tantivy::directory::error::LockError;
use tantivy::directory::{Directory, DirectoryLock, INDEX_WRITER_LOCK, MmapDirectory};
use tantivy::indexer::UserOperation;
use tantivy::{Index, IndexWriter, TantivyError, Term};

use crate::error::{Error, Result};
use crate::index::meta::META_FILE;
use crate::index::{DatelineMeta, DatelineSchema, Language, OpenIndex, SCHEMA_VERSION};
use crate::indexer::documents::{PreparedArticle, article_id};
use crate::indexer::manifest::{ArticleRecord, Duplicate, FileRecord, Manifest};
use crate::indexer::merging::SmallSegmentsFirst;
use crate::indexer::near_duplicates::{SAME_STORY, StoryIndex, similarity};

/// Adds, replaces and commits articles and their file records; holds the
/// index's writer lock.
pub struct ArticleWriter {
    index: OpenIndex,
    writer: IndexWriter,
    manifest: Manifest,
    /// Which file (by its handle in the manifest) each indexed article,
    /// by content hash, is indexed under.
    owners: FxHashMap<u64, u32>,
    /// The indexed articles by near-copy band (handles are places in the
    /// manifest's article table), built from the records when the first
    /// file is written (a run with nothing to write never pays for it).
    stories: Option<StoryIndex>,
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

/// What [`ArticleWriter::replace_prepared`] did.
#[derive(Debug, Default)]
pub struct Replaced {
    /// Articles indexed.
    pub articles: usize,
    /// Passages indexed.
    pub passages: usize,
    /// Articles indexed without a date.
    pub undated: usize,
    /// Articles indexed whose metadata held a date that could not be read.
    pub unread_dates: usize,
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
        let fresh = !path.join("meta.json").exists() && !path.join(META_FILE).exists();
        if fresh {
            let index = open_or_create(path, language.unwrap_or_default())?;
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
            .or_else(|| DatelineMeta::recorded_language(path))
            .unwrap_or_default();
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
        let index = open_or_create(&building, language)?;
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
            .live_articles()
            .map(|(slot, _, article)| (article.hash, slot))
            .collect();
        ArticleWriter {
            index,
            writer,
            manifest,
            owners,
            stories: None,
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

    /// The index's fields, for preparing documents on other threads.
    pub fn fields(&self) -> &DatelineSchema {
        &self.index.fields
    }

    /// Replaces everything indexed from `key` with `articles` (made ready by
    /// [`prepare_articles`](crate::indexer::documents::prepare_articles),
    /// on another thread) and records the file. An article already indexed
    /// from another file (same date, same text) is not indexed again but
    /// noted as a duplicate of it.
    pub fn replace_prepared(
        &mut self,
        key: &str,
        mut record: FileRecord,
        articles: Vec<PreparedArticle>,
    ) -> Result<Replaced> {
        self.load_stories();
        self.forget_owned(key);
        let story_field = self.index.fields.story;
        // A file without a record has nothing indexed (records and
        // documents change in the same commit), so a first build queues no
        // deletes for tantivy to apply to every new segment.
        self.delete_documents_of(key);
        let slot = self.manifest.reserve(key);
        // This file's articles go here in the article table once recorded;
        // until then near-copies among them are found in `record.indexed`.
        let first = self.manifest.next_article_at();
        let mut replaced = Replaced::default();
        for article in articles {
            if let Some(&owner) = self.owners.get(&article.hash) {
                let of = self.manifest.key_of(owner);
                record.duplicates.push(Duplicate {
                    hash: article.hash,
                    of: of.into(),
                });
                replaced.duplicates.push(of.to_string());
                continue;
            }
            self.owners.insert(article.hash, slot);
            replaced.articles += 1;
            replaced.undated += usize::from(article.undated);
            replaced.unread_dates += usize::from(article.unread_date);
            let story = match (&mut self.stories, &article.signature) {
                (Some(stories), Some(signature)) => {
                    let manifest = &self.manifest;
                    let known = stories.candidates(signature).find_map(|at| {
                        let other = match at.checked_sub(first) {
                            Some(local) => record.indexed.get(local as usize),
                            None => manifest.live_article(at),
                        }?;
                        let other_signature = other.signature.as_ref()?;
                        (similarity(signature, other_signature) >= SAME_STORY)
                            .then_some(other.story)
                    });
                    let at = first + u32::try_from(record.indexed.len()).unwrap_or(u32::MAX);
                    stories.insert(signature, at);
                    known.unwrap_or(article.article_id)
                }
                _ => article.article_id,
            };
            record.indexed.push(ArticleRecord {
                hash: article.hash,
                story,
                signature: article.signature,
            });
            // One batch per article: tantivy gives a batch to one indexing
            // thread, so the article's passages become consecutive
            // documents in reading order, which ranking relies on
            // (`search::rank`: adjacent passages, articles per word).
            let mut batch = Vec::with_capacity(article.documents.len());
            let joins_story = story != article.article_id;
            for mut doc in article.documents {
                // An article outside any story, or first in its own, is
                // its story: search reads a missing story as the article id.
                if joins_story {
                    doc.add_u64(story_field, story);
                }
                batch.push(UserOperation::Add(doc));
                replaced.passages += 1;
            }
            self.writer.run(batch)?;
        }
        record.articles = u32::try_from(replaced.articles).unwrap_or(u32::MAX);
        record.passages = u32::try_from(replaced.passages).unwrap_or(u32::MAX);
        self.manifest.insert(key, record);
        self.dirty = true;
        Ok(replaced)
    }

    /// Builds the near-copy index from the records, once.
    fn load_stories(&mut self) {
        if self.stories.is_some() {
            return;
        }
        let mut stories = StoryIndex::default();
        for (at, article) in self.manifest.live_articles_in_order() {
            if let Some(signature) = &article.signature {
                stories.insert(signature, at);
            }
        }
        self.stories = Some(stories);
    }

    /// Drops `key` as the owner of the articles it had indexed (its places
    /// in the near-copy index die with its record).
    fn forget_owned(&mut self, key: &str) {
        let Some(slot) = self.manifest.slot_of(key) else {
            return;
        };
        for (_, article) in self.manifest.articles_of(key) {
            if self.owners.get(&article.hash) == Some(&slot) {
                self.owners.remove(&article.hash);
            }
        }
    }

    /// Files holding a duplicate whose original is no longer indexed (it
    /// was changed or removed): they must be indexed again, so the article
    /// stays searchable.
    pub fn orphaned_duplicates(&self) -> Vec<String> {
        let mut orphans: Vec<String> = self
            .manifest
            .with_duplicates()
            .filter(|(_, duplicates)| {
                duplicates.iter().any(|d| {
                    self.owners
                        .get(&d.hash)
                        .map(|&owner| self.manifest.key_of(owner))
                        != Some(&*d.of)
                })
            })
            .map(|(key, _)| key.to_string())
            .collect();
        orphans.sort_unstable();
        orphans
    }

    /// Updates the record of a file whose content is unchanged (its
    /// modification time moved).
    pub fn touch_file(&mut self, key: &str, size: u64, mtime_ns: i64) {
        if self.manifest.restamp(key, size, mtime_ns) {
            self.dirty = true;
        }
    }

    /// Removes everything indexed from `key`; returns whether it had a record.
    pub fn remove_file(&mut self, key: &str) -> bool {
        self.forget_owned(key);
        self.delete_documents_of(key);
        self.dirty = true;
        self.manifest.remove(key)
    }

    /// Deletes the passages indexed from `key`, by their articles' ids:
    /// the record says how many articles the file had, and an article's id
    /// is a function of the key and its number. (A per-passage file term
    /// would do it in one delete, but costs every passage an indexed field:
    /// about a tenth of the indexing CPU.)
    fn delete_documents_of(&mut self, key: &str) {
        for number in 0..self.manifest.article_count(key) {
            self.writer.delete_term(Term::from_field_u64(
                self.index.fields.article_id,
                article_id(key, number),
            ));
        }
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

/// Opens the index at `path` or, when there is none, creates it (and its
/// folder) analysed in `language`. An existing index must be analysed in
/// `language`: mixing two analyses in one index would make queries miss.
fn open_or_create(path: &Path, language: Language) -> Result<OpenIndex> {
    if path.join("meta.json").is_file() {
        let open = OpenIndex::open(path)?;
        open.check_language(language)?;
        return Ok(open);
    }
    let io = |source| Error::Io {
        path: path.to_path_buf(),
        source,
    };
    std::fs::create_dir_all(path).map_err(io)?;
    let fields = DatelineSchema::build();
    let index = Index::create_in_dir(path, fields.schema.clone())?;
    DatelineMeta::new(language).write(path).map_err(io)?;
    Ok(OpenIndex::from_parts(index, fields, path, language))
}

fn open_writer(index: &Index, path: &Path, memory_budget: usize) -> Result<IndexWriter> {
    let writer: IndexWriter = index.writer(memory_budget).map_err(|error| match error {
        TantivyError::LockFailure(lock, _) => lock_error(path, lock),
        other => Error::Tantivy(other),
    })?;
    writer.set_merge_policy(Box::new(SmallSegmentsFirst::default()));
    Ok(writer)
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
