//! Writing articles into the index.
//!
//! Re-indexing a file updates it article by article: each article's id
//! is in the file's record, so an article the file still holds unchanged
//! is left as it is, a changed one has its documents deleted (by id) and
//! written again, and one the file no longer holds is deleted; the file's
//! [`FileRecord`] changes in the same commit (see [`super::manifest`]), so a
//! re-run, even after a crash, never duplicates or loses anything.
//!
//! An article's id is its identity's when it has one (a feed item's guid,
//! a mail's Message-ID, a page's URL), else its file's and content's. A
//! named article found in two files is indexed once: from the file with
//! the same text first indexed (a duplicate), or, when the texts differ,
//! from the newer file (by modification time), the older file's record
//! saying it was superseded. tantivy's writer lock makes a
//! second concurrent `index` run fail at once instead of corrupting the
//! index.
//!
//! An index that cannot be trusted (another schema version, damaged
//! metadata) or that the user asked to rebuild is built afresh in a sibling
//! folder, `.NAME.rebuilding`, while the old one stays where it is, locked;
//! only when the new one is committed is it moved into place.

use std::cmp::Ordering;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustc_hash::{FxHashMap, FxHashSet};
use tantivy::directory::error::LockError;
use tantivy::directory::{Directory, DirectoryLock, INDEX_WRITER_LOCK, MmapDirectory};
use tantivy::{Index, IndexWriter, TantivyError};

use crate::error::{Error, Result};
use crate::index::meta::META_FILE;
use crate::index::{
    DatelineMeta, DatelineSchema, Language, OpenIndex, SCHEMA_VERSION, index_settings,
};
use crate::indexer::article_table::RecordBlock;
use crate::indexer::deletes::ArticleIds;
use crate::indexer::documents::PreparedArticle;
use crate::indexer::manifest::{ArticleRecord, Duplicate, FileRecord, Manifest};
use crate::indexer::merging::SmallSegmentsFirst;
use crate::indexer::near_duplicates::{SAME_STORY, StoryIndex, similarity};
use crate::indexer::place_index::PlaceIndex;
use crate::indexer::queue::{DocumentQueue, MOST_QUEUED, QueuedDocument};
use crate::indexer::regroup::{regroup, walk_order};
use crate::indexer::word_articles;

/// Adds, replaces and commits articles and their file records; holds the
/// index's writer lock.
pub struct ArticleWriter {
    index: OpenIndex,
    writer: IndexWriter<QueuedDocument>,
    /// The documents handed to `writer` and not yet taken by its threads.
    queue: Arc<DocumentQueue>,
    manifest: Manifest,
    /// The tables that find what an article duplicates or copies, built
    /// from the records when the first file is written, so a run with
    /// nothing to write never pays for them.
    tables: Option<Tables>,
    /// Whether anything changed since the last commit.
    dirty: bool,
    /// Set when building a replacement beside the index.
    aside: Option<Aside>,
    /// Articles whose documents are to be deleted, by id, sent to tantivy
    /// together ([`ArticleWriter::flush_deletes`]).
    deletes: Vec<u64>,
    /// Set when the files written should be grouped into stories as a
    /// rebuild would: what tells whether they were.
    walk: Option<WalkOrder>,
    /// The story some articles are to be written in, by article id,
    /// whatever their earlier copies say ([`ArticleWriter::regroup`]).
    stories: FxHashMap<u64, u64>,
}

/// What tells whether the files written so far went in walk order into an
/// index that held nothing before: only then does the story each article
/// was given as it came equal a rebuild's.
struct WalkOrder {
    /// Whether the index held files when the run began.
    had_files: bool,
    /// The key of the file written last.
    last: Option<String>,
    /// The first in walk order of the files written or removed, while the
    /// stories before it are known to be a rebuild's.
    first_changed: Option<String>,
}

/// The most article ids deleted in one operation (see
/// [`crate::indexer::deletes`]).
const DELETES_AT_ONCE: usize = 4096;

/// The indexed articles by what another article may share with them, as
/// places in the manifest's article table. Places are only added: one is
/// an answer only while the article there is live and still has the key
/// (see [`ArticleWriter::article_at`]).
struct Tables {
    /// By content hash: the same date and text is a duplicate.
    texts: PlaceIndex,
    /// The named articles (feed items, messages, pages: ids other files
    /// may share) by id.
    names: PlaceIndex,
    /// By near-copy band.
    stories: StoryIndex,
}

/// What an article may share with one already indexed.
#[derive(Clone, Copy)]
enum Shared {
    /// Its content hash.
    Text(u64),
    /// Its id, for a named article.
    Name(u64),
}

impl Tables {
    /// Adds the article at `at`.
    fn add(&mut self, article: &ArticleRecord, at: u32) {
        self.add_keys(article, at);
        if let Some(signature) = &article.signature {
            self.stories.insert(signature, at);
        }
    }

    /// Adds the article at `at` to the duplicate and identity tables only.
    fn add_keys(&mut self, article: &ArticleRecord, at: u32) {
        self.texts.insert(article.hash, at);
        if article.named {
            self.names.insert(article.id, at);
        }
    }
}

/// A replacement index being built beside the one it will replace.
struct Aside {
    /// Where the index lives and will live.
    target: PathBuf,
    /// The old index's writer lock, held so no other run writes to it
    /// while its replacement is built.
    _old_lock: Option<DirectoryLock>,
}

/// A file being (re)indexed: what its record will hold, and its articles
/// from the last run not yet seen again.
pub struct FileUpdate {
    key: String,
    slot: u32,
    /// Where the update's records start in the article table: each goes
    /// there as it is written, so the file's record covers them from
    /// `first` to the table's end.
    first: u32,
    /// The file's record, its articles aside (they are in the table).
    record: FileRecord,
    /// How many of the records from `first` on are the file's articles,
    /// and their passages.
    articles: u32,
    passages: u32,
    /// Where a commit in the middle of the file recorded the articles it
    /// had not seen again: copies that go when the record is made again.
    unseen_copies: Vec<u32>,
    /// The file's articles from the last run not seen again yet, by id:
    /// their places in the article table, whose records are read back
    /// when needed (a big file's records are not held twice).
    old: FxHashMap<u64, u32>,
    /// Where the old records are read from, a block at a time: the file's
    /// articles come in the order they were recorded in.
    old_records: RecordBlock,
    replaced: Replaced,
}

impl FileUpdate {
    /// The places of the file's old articles not seen again yet, in table
    /// order, so their records are read a block at a time.
    fn unseen_in_order(&self) -> Vec<u32> {
        let mut places: Vec<u32> = self.old.values().copied().collect();
        places.sort_unstable();
        places
    }

    /// What the update did so far.
    pub fn replaced(&self) -> &Replaced {
        &self.replaced
    }

    /// Sets the content hash the file's record is stamped with, once the
    /// whole file was read.
    pub fn set_content_hash(&mut self, hash: u64) {
        self.record.hash = hash;
    }
}

/// What [`ArticleWriter::replace_prepared`] did.
#[derive(Debug, Default)]
pub struct Replaced {
    /// Articles indexed: new, or changed since the last run.
    pub articles: usize,
    /// Articles of the file already indexed as they are (or only moved
    /// within it): left in place, or rewritten for their new lines.
    pub kept: usize,
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

/// What tantivy's writer may use: its memory budget in bytes, and its
/// threads (`None`: tantivy's default, one per core up to eight).
#[derive(Clone, Copy, Debug)]
pub struct WriterBudget {
    pub memory: usize,
    pub threads: Option<usize>,
}

/// What opening an index for writing found.
pub enum OpenedWriter {
    /// The index (new or existing) is ready for incremental updates.
    Ready(Box<ArticleWriter>),
    /// The index exists but must be rebuilt; the reason says why.
    NeedsRebuild(String),
}

impl ArticleWriter {
    /// Opens (or creates) the index at `path` for incremental writing, with
    /// `budget` for tantivy's indexing threads.
    /// `language` is the stemmer of a new index; an existing index must
    /// have been written with it, when given.
    pub fn open(
        path: &Path,
        budget: WriterBudget,
        language: Option<Language>,
    ) -> Result<OpenedWriter> {
        let fresh = !path.join("meta.json").exists() && !path.join(META_FILE).exists();
        if fresh {
            let index = open_or_create(path, language.unwrap_or_default())?;
            let writer = open_writer(&index.index, path, budget)?;
            return Ok(OpenedWriter::Ready(Box::new(ArticleWriter::new(
                index,
                writer,
                Manifest::in_dir(path),
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
        let writer = open_writer(&index.index, path, budget)?;
        let metas = index.index.load_metas()?;
        let manifest = match &metas.payload {
            Some(payload) => match Manifest::load(path, payload) {
                Ok(manifest) => manifest,
                Err(reason) => return Ok(OpenedWriter::NeedsRebuild(reason)),
            },
            None if metas.segments.iter().all(|s| s.num_docs() == 0) => Manifest::in_dir(path),
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
        budget: WriterBudget,
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
        let writer = open_writer(&index.index, &building, budget)?;
        let aside = Aside {
            target: path.to_path_buf(),
            _old_lock: old_lock,
        };
        Ok(ArticleWriter::new(
            index,
            writer,
            Manifest::in_dir(&building),
            Some(aside),
        ))
    }

    fn new(
        index: OpenIndex,
        writer: IndexWriter<QueuedDocument>,
        manifest: Manifest,
        aside: Option<Aside>,
    ) -> ArticleWriter {
        ArticleWriter {
            index,
            writer,
            queue: Arc::new(DocumentQueue::new(MOST_QUEUED)),
            manifest,
            tables: None,
            // A rebuild must commit, even with nothing in it, to replace the old index.
            dirty: aside.is_some(),
            aside,
            deletes: Vec::new(),
            walk: None,
            stories: FxHashMap::default(),
        }
    }

    /// Notes from now on whether the files come in walk order (see
    /// [`crate::indexer::regroup`]), so [`Self::stories_to_regroup`]
    /// says whether their stories must be worked out again.
    pub fn watch_walk_order(&mut self) {
        self.walk = Some(WalkOrder {
            had_files: self.manifest.len() > 0,
            last: None,
            // Left by a stopped run: where its changes began is not known.
            first_changed: None,
        });
    }

    /// Notes that the file `key` is written, or removed.
    fn note_written(&mut self, key: &str, removed: bool) {
        let Some(walk) = &mut self.walk else { return };
        let after_last = walk
            .last
            .as_deref()
            .is_none_or(|last| walk_order(key, last) == Ordering::Greater);
        if removed || walk.had_files || !after_last {
            if !self.manifest.regroup {
                // The stories before the first file changed are a rebuild's.
                self.manifest.regroup = true;
                self.dirty = true;
                walk.first_changed = Some(key.to_string());
            }
            if let Some(first) = &mut walk.first_changed
                && walk_order(key, first) == Ordering::Less
            {
                *first = key.to_string();
            }
        }
        walk.last = Some(key.to_string());
    }

    /// Whether the stories of near-copies may differ from a rebuild's:
    /// files were written out of walk order, into an index that held
    /// others, or removed, in this run or in one stopped before it
    /// regrouped them.
    pub fn stories_to_regroup(&self) -> bool {
        self.manifest.regroup
    }

    /// Works out the stories a rebuild would make and has the articles
    /// whose story differs written in it when their files are written
    /// again; returns those files' keys, in walk order, and how many
    /// articles move.
    pub fn regroup(&mut self) -> (Vec<String>, usize) {
        let from = self.walk.as_ref().and_then(|w| w.first_changed.as_deref());
        let regrouping = regroup(&self.manifest, from);
        self.stories = regrouping.stories;
        (regrouping.files, self.stories.len())
    }

    /// Ends a regrouping whose files were all written again.
    pub fn regrouped(&mut self) {
        self.stories = FxHashMap::default();
        if self.manifest.regroup {
            self.manifest.regroup = false;
            self.dirty = true;
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
    /// on another thread) and records the file: [`Self::begin_file`],
    /// [`Self::write_articles`] and [`Self::finish_file`] at once.
    pub fn replace_prepared(
        &mut self,
        key: &str,
        record: FileRecord,
        articles: Vec<PreparedArticle>,
    ) -> Result<Replaced> {
        let mut update = self.begin_file(key, record);
        self.write_articles(&mut update, articles)?;
        Ok(self.finish_file(update, true))
    }

    /// Starts (re)indexing the file `key`, whose articles then come in
    /// batches ([`Self::write_articles`]) until [`Self::finish_file`]: a
    /// container of any size is written without holding its articles.
    pub fn begin_file(&mut self, key: &str, record: FileRecord) -> FileUpdate {
        self.note_written(key, false);
        self.load_tables();
        let slot = self.manifest.reserve(key);
        let mut old = FxHashMap::default();
        for (at, article) in self.manifest.articles_of(key) {
            old.insert(article.id, at);
        }
        FileUpdate {
            key: key.to_string(),
            slot,
            first: self.manifest.next_article_at(),
            record,
            articles: 0,
            passages: 0,
            unseen_copies: Vec::new(),
            old,
            old_records: RecordBlock::default(),
            replaced: Replaced::default(),
        }
    }

    /// Writes a batch of the file's articles, in reading order. An article
    /// indexed from this file before and unchanged is left as it is; one
    /// already indexed from another file (same date, same text) is noted
    /// as a duplicate of it; a named article (a feed item, a message, a
    /// page) another file holds in another version goes to the newer file.
    pub fn write_articles(
        &mut self,
        update: &mut FileUpdate,
        articles: Vec<PreparedArticle>,
    ) -> Result<()> {
        let story_field = self.index.fields.story;
        let story_column = self.index.fields.story_column;
        // Each written article's documents, added once the batch's
        // deletes are sent.
        let mut added = Vec::new();
        for article in articles {
            let slot = update.slot;
            if let Some((owner, _)) = self.holder(update, Shared::Text(article.hash)) {
                let of = self.manifest.key_of(owner);
                update.record.duplicates.push(Duplicate {
                    hash: article.hash,
                    of: of.into(),
                    superseded: false,
                });
                update.replaced.duplicates.push(of.to_string());
                continue;
            }
            let own = update
                .old
                .remove(&article.article_id)
                .map(|at| self.manifest.article_through(at, &mut update.old_records));
            if own.is_none()
                && article.named
                && let Some((owner, at)) = self.holder(update, Shared::Name(article.article_id))
            {
                if owner == slot {
                    // The same item twice in one file: the first stands.
                    continue;
                }
                let theirs = self.manifest.key_of(owner);
                if !self.is_newer(&update.record, &update.key, theirs) {
                    update.record.duplicates.push(Duplicate {
                        hash: article.article_id,
                        of: theirs.into(),
                        superseded: true,
                    });
                    update.replaced.duplicates.push(theirs.to_string());
                    continue;
                }
                self.take_over(owner, at, &article, &update.key);
            }
            let at = self.manifest.next_article_at();
            if let Some(old) = own {
                if old.meta == article.meta {
                    update.replaced.kept += 1;
                    if old.place == article.place && !self.stories.contains_key(&old.id) {
                        // Unchanged: its documents stay.
                        self.keep(update, old, at);
                        continue;
                    }
                } else {
                    update.replaced.articles += 1;
                    update.replaced.undated += usize::from(article.undated);
                    update.replaced.unread_dates += usize::from(article.unread_date);
                }
                self.delete_article(old.id);
            } else {
                update.replaced.articles += 1;
                update.replaced.undated += usize::from(article.undated);
                update.replaced.unread_dates += usize::from(article.unread_date);
            }
            let regrouped = self.stories.get(&article.article_id).copied();
            let story = match (regrouped, &self.tables, &article.signature) {
                (Some(story), _, _) => story,
                (None, Some(Tables { stories, .. }), Some(signature)) => {
                    let manifest = &self.manifest;
                    let first = update.first;
                    let known = stories.candidates(signature).find_map(|candidate| {
                        let other = match candidate >= first {
                            true => Some(manifest.article_at(candidate)),
                            false => manifest.live_article(candidate),
                        }?;
                        let other_signature = other.signature.as_ref()?;
                        (similarity(signature, other_signature) >= SAME_STORY)
                            .then_some(other.story)
                    });
                    known.unwrap_or(article.article_id)
                }
                _ => article.article_id,
            };
            let record = article.record(story);
            if let Some(tables) = &mut self.tables {
                tables.add(&record, at);
            }
            self.push(update, &record);
            // One batch per article: tantivy gives a batch to one indexing
            // thread, so the article's passages become consecutive
            // documents in reading order, which ranking relies on
            // (`search::rank`: adjacent passages, articles per word).
            let mut batch = Vec::with_capacity(article.documents.len());
            let joins_story = story != article.article_id;
            for (passage_no, mut doc) in article.documents.into_iter().enumerate() {
                // An article outside any story, or first in its own, is
                // its story: search reads a missing story as the article id.
                if joins_story {
                    doc.add_u64(story_field, story);
                    if passage_no == 0 {
                        doc.add_u64(story_column, story);
                    }
                }
                batch.push(doc);
                update.replaced.passages += 1;
            }
            added.push(batch);
        }
        // The old versions go before the new ones come, which carry the
        // same ids.
        self.flush_deletes();
        for batch in added {
            self.writer.run(self.queue.admit(batch))?;
        }
        self.dirty = true;
        Ok(())
    }

    /// Keeps an unchanged article of the file being updated where it is.
    fn keep(&mut self, update: &mut FileUpdate, old: ArticleRecord, at: u32) {
        if let Some(tables) = &mut self.tables {
            tables.add(&old, at);
        }
        self.push(update, &old);
    }

    /// Puts one of the file's articles at the end of the article table.
    fn push(&mut self, update: &mut FileUpdate, article: &ArticleRecord) {
        self.manifest.push_pending(article);
        update.articles += 1;
        update.passages += article.passages;
    }

    /// The file (by handle) and place of the article that shares `what`
    /// with an article being written by `update`.
    fn holder(&self, update: &FileUpdate, what: Shared) -> Option<(u32, u32)> {
        let tables = self.tables.as_ref()?;
        let (index, key) = match what {
            Shared::Text(hash) => (&tables.texts, hash),
            Shared::Name(id) => (&tables.names, id),
        };
        index.places(key).into_iter().find_map(|at| {
            let (slot, article) = self.article_at(update, at)?;
            let holds = match what {
                Shared::Text(hash) => article.hash == hash,
                Shared::Name(id) => article.named && article.id == id,
            };
            holds.then_some((slot, at))
        })
    }

    /// The article at `at` in the records and its file's handle, as seen
    /// while `update` is written: one the update wrote, or a live article
    /// of another file. The updated file's articles from before are not
    /// its own until they are seen again, so no article duplicates them.
    fn article_at(&self, update: &FileUpdate, at: u32) -> Option<(u32, ArticleRecord)> {
        match at >= update.first {
            true => (at < self.manifest.next_article_at())
                .then(|| (update.slot, self.manifest.article_at(at))),
            false => {
                let article = self.manifest.live_article(at)?;
                let slot = self.manifest.slot_at(at)?;
                (slot != update.slot).then_some((slot, article))
            }
        }
    }

    /// Whether the file being written (`record`, `key`) is newer than the
    /// file `theirs`: by modification time, then by key, so which version
    /// of a named article wins does not depend on the order files are
    /// read in.
    fn is_newer(&self, record: &FileRecord, key: &str, theirs: &str) -> bool {
        let their_time = self.manifest.stamp(theirs).map_or(i64::MIN, |s| s.mtime_ns);
        (record.mtime_ns, key) > (their_time, theirs)
    }

    /// Moves a named article from the file with handle `owner` (where it is
    /// at `at` in the records) to the file `key`, which has a newer
    /// version of it: the old documents are deleted and the old file's
    /// record says the article is superseded.
    fn take_over(&mut self, owner: u32, at: u32, article: &PreparedArticle, key: &str) {
        self.delete_article(article.article_id);
        self.manifest.drop_article(
            owner,
            at,
            Duplicate {
                hash: article.article_id,
                of: key.into(),
                superseded: true,
            },
        );
    }

    /// Ends the update of a file. `complete`: the file was read to its
    /// end, and its articles not seen again are deleted. Otherwise (an
    /// interrupted run, a commit in the middle of a big file) they stay
    /// indexed and recorded, and the record is stamped so the next run
    /// reads the file again; what was written is then kept as unchanged.
    pub fn finish_file(&mut self, mut update: FileUpdate, complete: bool) -> Replaced {
        if complete {
            for &id in update.old.keys() {
                self.delete_article(id);
            }
        } else {
            self.retain_unseen(&mut update);
            update.record.size = u64::MAX;
            update.record.hash = 0;
        }
        update.record.articles = update.articles;
        update.record.passages = update.passages;
        self.record_update(&update.key, update.record, update.first);
        for at in update.unseen_copies {
            self.manifest.forget(at);
        }
        self.dirty = true;
        update.replaced
    }

    /// Records `record` as `key`'s, with the records from `first` to the
    /// end of the article table.
    fn record_update(&mut self, key: &str, record: FileRecord, first: u32) {
        let count = self.manifest.next_article_at() - first;
        self.manifest.insert_written(key, record, first, count);
    }

    /// Records what a file's update wrote so far, with its articles not yet
    /// seen again, as the file's record (stamped to be read again), so a
    /// commit can be made in the middle of a big file; the update goes on.
    pub fn checkpoint_file(&mut self, update: &mut FileUpdate) {
        let mut record = update.record.clone();
        record.articles = update.articles;
        record.passages = update.passages;
        record.size = u64::MAX;
        record.hash = 0;
        // The articles not seen again so far are recorded as copies after
        // those written, in place of the copies of the last commit.
        let stale = std::mem::take(&mut update.unseen_copies);
        for at in update.unseen_in_order() {
            let old = self.manifest.article_through(at, &mut update.old_records);
            update.unseen_copies.push(self.manifest.next_article_at());
            self.manifest.push_pending(&old);
            record.articles += 1;
            record.passages += old.passages;
        }
        self.record_update(&update.key, record, update.first);
        for at in stale {
            self.manifest.forget(at);
        }
        self.dirty = true;
    }

    /// Puts the articles an interrupted update did not see again back in
    /// its record, as they are still indexed.
    fn retain_unseen(&mut self, update: &mut FileUpdate) {
        let unseen = update.unseen_in_order();
        update.old.clear();
        for at in unseen {
            let old = self.manifest.article_through(at, &mut update.old_records);
            let at = self.manifest.next_article_at();
            // Its text stays with another file that took it meanwhile.
            let taken = self.holder(update, Shared::Text(old.hash)).is_some();
            if let Some(tables) = &mut self.tables {
                if !taken {
                    tables.texts.insert(old.hash, at);
                }
                if old.named {
                    tables.names.insert(old.id, at);
                }
            }
            self.push(update, &old);
        }
    }

    /// Gives up an update: everything indexed from the file, old and new,
    /// is removed with its record (as for a file that can no longer be
    /// read).
    pub fn abort_file(&mut self, mut update: FileUpdate) {
        self.retain_unseen(&mut update);
        let key = update.key.clone();
        self.finish_file(update, true);
        self.remove_file(&key);
    }

    /// Builds the duplicate, identity and near-copy tables from the
    /// records, once.
    fn load_tables(&mut self) {
        if self.tables.is_some() {
            return;
        }
        let dir = &self.index.path;
        let mut tables = Tables {
            texts: PlaceIndex::in_dir(dir, self.manifest.next_article_at() as usize),
            names: PlaceIndex::in_dir(dir, 0),
            stories: StoryIndex::default(),
        };
        for (at, article) in self.manifest.live_articles_in_order() {
            tables.add_keys(&article, at);
        }
        // The bands newest first, until the bounded table is full: what
        // older articles would put in, the bound would forget.
        for (at, article) in self.manifest.live_articles_newest_first() {
            if tables.stories.is_full() {
                break;
            }
            if let Some(signature) = &article.signature {
                tables.stories.insert_older(signature, at);
            }
        }
        self.tables = Some(tables);
    }

    /// Files holding a duplicate whose original is no longer indexed (it
    /// was changed or removed): they must be indexed again, so the article
    /// stays searchable.
    ///
    /// Answered from the records of the files the duplicates name, not
    /// from the tables of every article, so a run that changes nothing
    /// never builds those.
    pub fn orphaned_duplicates(&self) -> Vec<String> {
        // What each named file holds, live: content hashes, and the ids
        // of its named articles.
        let mut holds: FxHashMap<&str, (FxHashSet<u64>, FxHashSet<u64>)> = FxHashMap::default();
        let mut orphans = Vec::new();
        for (key, duplicates) in self.manifest.with_duplicates() {
            let orphaned = duplicates.iter().any(|d| {
                let (hashes, ids) = holds.entry(&d.of).or_insert_with(|| {
                    let mut held = (FxHashSet::default(), FxHashSet::default());
                    for (_, article) in self.manifest.articles_of(&d.of) {
                        held.0.insert(article.hash);
                        if article.named {
                            held.1.insert(article.id);
                        }
                    }
                    held
                });
                match d.superseded {
                    true => !ids.contains(&d.hash),
                    false => !hashes.contains(&d.hash),
                }
            });
            if orphaned {
                orphans.push(key.to_string());
            }
        }
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
        if !self.manifest.contains(key) {
            return false;
        }
        self.note_written(key, true);
        let ids: Vec<u64> = self.manifest.articles_of(key).map(|(_, a)| a.id).collect();
        for id in ids {
            self.delete_article(id);
        }
        self.dirty = true;
        self.manifest.remove(key)
    }

    /// Deletes the documents of the article `id` (sent with others, before
    /// the next documents are added or the next commit).
    fn delete_article(&mut self, id: u64) {
        self.deletes.push(id);
        if self.deletes.len() >= DELETES_AT_ONCE {
            self.flush_deletes();
        }
    }

    /// Sends the deletes waiting, as one operation.
    fn flush_deletes(&mut self) {
        if self.deletes.is_empty() {
            return;
        }
        let ids = std::mem::take(&mut self.deletes);
        let query = ArticleIds::new(self.index.fields.article_id, ids);
        // tantivy fails a delete only when making its weight fails, and
        // `ArticleIds` makes its own without failing.
        let _ = self.writer.delete_query(Box::new(query));
    }

    /// Makes everything done so far durable and visible to searches, file
    /// records included.
    pub fn commit(&mut self) -> Result<()> {
        self.flush_deletes();
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
        word_articles::write_missing(&self.index);
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
        // The segments merges made since the last commit.
        word_articles::write_missing(&self.index);
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
    let index = Index::builder()
        .schema(fields.schema.clone())
        .settings(index_settings())
        .create_in_dir(path)?;
    DatelineMeta::new(language).write(path).map_err(io)?;
    Ok(OpenIndex::from_parts(index, fields, path, language))
}

fn open_writer(
    index: &Index,
    path: &Path,
    budget: WriterBudget,
) -> Result<IndexWriter<QueuedDocument>> {
    let opened = match budget.threads {
        Some(threads) => index.writer_with_num_threads(threads.max(1), budget.memory),
        None => index.writer(budget.memory),
    };
    let writer: IndexWriter<QueuedDocument> = opened.map_err(|error| match error {
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
