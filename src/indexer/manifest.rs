//! The per-file records of an index: what was indexed from which file, so a
//! re-run only reads what changed.
//!
//! # Why a sidecar file named by the commit payload
//!
//! The records must change atomically with the passages: after a crash the
//! index may hold neither a file's new passages without its new record (the
//! file would be indexed twice) nor a record without its passages (the file
//! would be lost). tantivy commits are atomic and carry a payload string, so
//! the records ride on the commit: before each commit the whole manifest is
//! written to a new file `files-<opstamp>.bin` (fsynced, then renamed into
//! place), and the commit's payload names that file. A crash before the
//! commit leaves an unreferenced manifest that the next run deletes; a crash
//! after it leaves a consistent pair. Putting the records themselves in the
//! payload would make every `search` parse megabytes of JSON from
//! `meta.json`; storing them as documents in the passage index would make
//! every query (an all-negative `-word` query matches "everything else") and
//! every document count filter them out.
//!
//! # Why binary, and compact in memory
//!
//! The records grow with the corpus: as JSON they take 37 MB for 100,000
//! files, are slow to parse and, held as strings and vectors, cost about
//! 2 KB an article in memory. So the file is a flat little-endian list with
//! an xxh3 checksum (damage is detected, not misread), compressed as one
//! zstd stream (its paths and small numbers were the larger part of it: a
//! fifth of the raw text beside the index), and in memory a file is its key
//! and a fixed-size slot, an article one [`ArticleRecord`].

use std::hash::BuildHasher;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use bit_vec::BitVec;
use hashbrown::HashTable;
use hashbrown::hash_table::Entry;
use rustc_hash::{FxBuildHasher, FxHashMap};
use serde::{Deserialize, Serialize};

use crate::indexer::article_table::{ArticleTable, RecordBlock};
use crate::indexer::near_duplicates::{SIGNATURE_LEN, Signature};

/// What a commit's payload says about the commit.
#[derive(Debug, Serialize, Deserialize)]
pub struct CommitPayload {
    /// The schema version the commit was written with.
    pub schema_version: u32,
    /// The manifest file, relative to the index folder.
    pub files: String,
    /// Whether the stories of near-copies are still to be grouped as a
    /// rebuild would (an incremental run changed the index and was
    /// stopped before it regrouped them).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub regroup: bool,
}

/// What is known about one file: handed to the writer for a file being
/// (re)indexed, which fills in its articles.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileRecord {
    /// The size in bytes when it was indexed.
    pub size: u64,
    /// The modification time, in nanoseconds since the Unix epoch.
    pub mtime_ns: i64,
    /// The xxh3 hash of the content.
    pub hash: u64,
    /// How many articles the file gave.
    pub articles: u32,
    /// How many passages those articles gave.
    pub passages: u32,
    /// The articles indexed from this file.
    pub indexed: Vec<ArticleRecord>,
    /// Articles of this file not indexed because another file holds the
    /// same article.
    pub duplicates: Vec<Duplicate>,
}

/// One indexed article, as the records keep it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ArticleRecord {
    /// The article's id: the term its passages are deleted by.
    pub id: u64,
    /// The article's content hash ([`article_hash`]): the same date and
    /// text elsewhere is a duplicate.
    pub hash: u64,
    /// The hash of everything stored for it but its lines: when it and
    /// `place` are unchanged, a re-read file's article is left as it is.
    pub meta: u64,
    /// The hash of its lines (passages' and record's).
    pub place: u64,
    /// The story it belongs to.
    pub story: u64,
    /// How many passages it has.
    pub passages: u32,
    /// Whether its id comes from its identity (a guid, a Message-ID, a
    /// URL), which other files may share.
    pub named: bool,
    /// Its near-copy signature; `None` for an article too short to have one.
    pub signature: Option<Signature>,
}

/// An article of a file that is not indexed from it, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Duplicate {
    /// The article's content hash; for a superseded article, its id.
    pub hash: u64,
    /// The key of the file it is indexed under.
    pub of: Box<str>,
    /// Whether another file holds a newer version of the same (named)
    /// article, rather than the same text.
    pub superseded: bool,
}

impl FileRecord {
    /// A record of a file's size, time and content hash, before its
    /// articles are counted.
    pub fn new(size: u64, mtime_ns: i64, hash: u64) -> FileRecord {
        FileRecord {
            size,
            mtime_ns,
            hash,
            articles: 0,
            passages: 0,
            indexed: Vec::new(),
            duplicates: Vec::new(),
        }
    }
}

/// The size, time and content hash a file had when it was indexed: what
/// deciding whether to read it again needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FileStamp {
    /// The size in bytes.
    pub size: u64,
    /// The modification time, in nanoseconds since the Unix epoch.
    pub mtime_ns: i64,
    /// The xxh3 hash of the content.
    pub hash: u64,
}

/// The identity of an article for de-duplication: its date and its text
/// with white space normalised (so re-wrapped copies match), hashed.
pub fn article_hash(article: &crate::ingest::Article) -> u64 {
    let mut hasher = xxhash_rust::xxh3::Xxh3::new();
    let date = article.date.map(|d| (d.timestamp, d.offset));
    hasher.update(format!("{date:?}\n").as_bytes());
    // The words are gathered into one buffer and hashed in one update: the
    // same bytes, so the same hash, as one update per word, in a fraction
    // of the time.
    let mut words = Vec::with_capacity(article.passages.iter().map(|p| p.text.len() + 1).sum());
    for passage in &article.passages {
        for word in passage.text.split_whitespace() {
            words.extend_from_slice(word.as_bytes());
            words.push(b' ');
        }
    }
    hasher.update(&words);
    hasher.digest()
}

/// One file's entry in [`Manifest`]: fixed-size numbers, its articles a
/// range of the shared article table.
#[derive(Clone, Debug)]
struct Slot {
    key: Box<str>,
    stamp: FileStamp,
    articles: u32,
    passages: u32,
    first: u32,
    indexed: u32,
}

/// The records of every indexed file, by file key ([`file_key`]).
///
/// Kept compact because it grows with the corpus: a file costs its key,
/// a slot of fixed-size numbers and a map entry; an article costs one
/// [`ArticleRecord`] in a shared table (no per-file vectors or hex
/// strings), which a manifest loaded or made for an index keeps in a
/// scratch file ([`ArticleTable`]), and a bit saying whether it is still
/// live. A replaced file's old articles stay in the table, marked dead,
/// until the next load.
#[derive(Debug, Default)]
pub struct Manifest {
    /// The handles of the files that have records, hashed by their keys:
    /// a key is stored once, in its slot, and a table entry is 4 bytes,
    /// where a map from shared strings to handles took 24 and the shared
    /// string a header of 16 (70 MB at a million files).
    keys: HashTable<u32>,
    slots: Vec<Slot>,
    articles: ArticleTable,
    /// One bit an article: whether its record still holds it.
    alive: BitVec,
    /// Where each record's articles start in the article table, with its
    /// file's handle, in table order: the file an article place is in.
    starts: Vec<(u32, u32)>,
    /// The duplicates of the files that have any, by handle: few files do,
    /// and an empty list in every slot cost 24 bytes a file.
    duplicates: FxHashMap<u32, Vec<Duplicate>>,
    /// Whether the stories of near-copies are still to be grouped as a
    /// rebuild would ([`crate::indexer::regroup`]); committed with the
    /// records.
    pub regroup: bool,
}

/// The hash a key is found by in [`Manifest`]'s table.
fn hash_key(key: &str) -> u64 {
    FxBuildHasher.hash_one(key)
}

const MANIFEST_PREFIX: &str = "files-";
const MANIFEST_SUFFIX: &str = ".bin";
/// The first bytes of a manifest file, with the format's version.
const MAGIC: &[u8; 8] = b"DLMANIF3";

/// The zstd level the manifest is compressed at: the fastest, since it is
/// written at every commit. Its paths and numbers shrink to a fraction;
/// hashes and near-copy signatures do not.
const MANIFEST_ZSTD_LEVEL: i32 = 1;

impl Manifest {
    /// An empty manifest whose article records go to a scratch file in
    /// `dir` (the index folder) rather than memory.
    pub fn in_dir(dir: &Path) -> Manifest {
        Manifest {
            articles: ArticleTable::in_dir(dir),
            ..Manifest::default()
        }
    }

    /// [`Manifest::in_dir`], writing records out whenever `keep` are in
    /// memory.
    #[cfg(test)]
    fn keeping(dir: &Path, keep: usize) -> Manifest {
        Manifest {
            articles: ArticleTable::keeping(dir, keep),
            ..Manifest::default()
        }
    }

    /// How many files have records.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Whether `key` has a record.
    pub fn contains(&self, key: &str) -> bool {
        self.slot_of(key).is_some()
    }

    /// The stamp `key` was indexed with.
    pub fn stamp(&self, key: &str) -> Option<FileStamp> {
        self.slot_of(key)
            .map(|slot| self.slots[slot as usize].stamp)
    }

    /// The handle of `key`'s record; stable for the manifest's lifetime.
    pub fn slot_of(&self, key: &str) -> Option<u32> {
        self.keys
            .find(hash_key(key), |&slot| {
                *self.slots[slot as usize].key == *key
            })
            .copied()
    }

    /// The keys with records, with their handles.
    pub fn keys(&self) -> impl Iterator<Item = (&str, u32)> {
        self.keys
            .iter()
            .map(|&slot| (&*self.slots[slot as usize].key, slot))
    }

    /// The handle of `key`'s record, making an empty one when it has none
    /// yet, so articles can name their file before it is recorded.
    pub fn reserve(&mut self, key: &str) -> u32 {
        let slots = &self.slots;
        let handle = u32::try_from(slots.len()).unwrap_or(u32::MAX);
        let entry = self.keys.entry(
            hash_key(key),
            |&slot| *slots[slot as usize].key == *key,
            |&slot| hash_key(&slots[slot as usize].key),
        );
        match entry {
            Entry::Occupied(found) => *found.get(),
            Entry::Vacant(free) => {
                free.insert(handle);
                self.slots.push(Slot {
                    key: key.into(),
                    stamp: FileStamp {
                        size: 0,
                        mtime_ns: 0,
                        hash: 0,
                    },
                    articles: 0,
                    passages: 0,
                    first: 0,
                    indexed: 0,
                });
                handle
            }
        }
    }

    /// The key of the file with handle `slot`.
    pub fn key_of(&self, slot: u32) -> &str {
        &self.slots[slot as usize].key
    }

    /// Where the next recorded article goes in the article table.
    pub fn next_article_at(&self) -> u32 {
        self.articles.len()
    }

    /// Records `record` as `key`'s, replacing any earlier one; returns the
    /// handle of the key. Its articles go at [`Manifest::next_article_at`]
    /// onwards, in order.
    pub fn insert(&mut self, key: &str, record: FileRecord) -> u32 {
        let first = self.next_article_at();
        let count = u32::try_from(record.indexed.len()).unwrap_or(u32::MAX);
        self.articles.extend(&record.indexed);
        self.alive.grow(record.indexed.len(), false);
        self.insert_written(key, record, first, count)
    }

    /// Appends an article record that is no file's yet, at
    /// [`Manifest::next_article_at`]. A file being written puts its
    /// records in the table as they come, so a container of any size is
    /// not held in memory; [`Manifest::insert_written`] then makes them its
    /// record's.
    pub fn push_pending(&mut self, article: &ArticleRecord) {
        self.articles.extend(std::slice::from_ref(article));
        self.alive.push(false);
    }

    /// Records `record` as `key`'s, replacing any earlier one, with the
    /// `count` records from `first` on (put in the table by
    /// [`Manifest::push_pending`], or recorded as `key`'s by an earlier
    /// call with the same `first`) as its articles; `record.indexed` is not
    /// read. Returns the handle of the key.
    ///
    /// Records an earlier call with the same `first` recorded keep their
    /// flags (some may have been forgotten since); those pushed since
    /// become live. Otherwise the key's earlier articles are no longer
    /// its own.
    pub fn insert_written(&mut self, key: &str, record: FileRecord, first: u32, count: u32) -> u32 {
        let slot = self.reserve(key);
        let earlier = &self.slots[slot as usize];
        let live_from = if earlier.indexed > 0 && earlier.first == first {
            first + earlier.indexed
        } else {
            self.kill_articles(slot);
            first
        };
        for at in live_from..first + count {
            self.alive.set(at as usize, true);
        }
        if count > 0 && self.starts.last() != Some(&(first, slot)) {
            self.starts.push((first, slot));
        }
        let entry = &mut self.slots[slot as usize];
        entry.stamp = FileStamp {
            size: record.size,
            mtime_ns: record.mtime_ns,
            hash: record.hash,
        };
        entry.articles = record.articles;
        entry.passages = record.passages;
        entry.first = first;
        entry.indexed = count;
        match record.duplicates.is_empty() {
            true => self.duplicates.remove(&slot),
            false => self.duplicates.insert(slot, record.duplicates),
        };
        slot
    }

    /// The article record at `at` in the table, whether or not a file's
    /// record holds it.
    pub fn article_at(&self, at: u32) -> ArticleRecord {
        self.articles.get(at)
    }

    /// [`Manifest::article_at`] for records read mostly in order, through
    /// `block`, which holds a block of them between calls.
    pub fn article_through(&self, at: u32, block: &mut RecordBlock) -> ArticleRecord {
        block.get(&self.articles, at)
    }

    /// Takes the record at `at` out of its file's record without a note:
    /// a copy the file's record no longer holds.
    pub fn forget(&mut self, at: u32) {
        self.alive.set(at as usize, false);
    }

    /// Takes the article at `at` (of the file with handle `slot`) out of
    /// that file's record, noting why in its duplicates: a newer version
    /// of it is indexed from another file.
    pub fn drop_article(&mut self, slot: u32, at: u32, why: Duplicate) {
        if self.alive.get(at as usize) != Some(true) {
            return;
        }
        self.alive.set(at as usize, false);
        let passages = self.articles.get(at).passages;
        let entry = &mut self.slots[slot as usize];
        entry.articles = entry.articles.saturating_sub(1);
        entry.passages = entry.passages.saturating_sub(passages);
        self.duplicates.entry(slot).or_default().push(why);
    }

    /// Forgets `key`'s record; returns whether it had one.
    pub fn remove(&mut self, key: &str) -> bool {
        let slots = &self.slots;
        let found = self
            .keys
            .find_entry(hash_key(key), |&slot| *slots[slot as usize].key == *key);
        match found.ok().map(|entry| entry.remove().0) {
            Some(slot) => {
                self.kill_articles(slot);
                self.duplicates.remove(&slot);
                true
            }
            None => false,
        }
    }

    /// Updates the stamp of a file whose content did not change.
    pub fn restamp(&mut self, key: &str, size: u64, mtime_ns: i64) -> bool {
        let Some(slot) = self.slot_of(key) else {
            return false;
        };
        let stamp = &mut self.slots[slot as usize].stamp;
        stamp.size = size;
        stamp.mtime_ns = mtime_ns;
        true
    }

    fn kill_articles(&mut self, slot: u32) {
        let slot = &self.slots[slot as usize];
        let range = slot.first as usize..(slot.first + slot.indexed) as usize;
        for at in range {
            self.alive.set(at, false);
        }
    }

    /// The indexed articles of `key`, by place in the article table.
    pub fn articles_of(&self, key: &str) -> impl Iterator<Item = (u32, ArticleRecord)> {
        let places = self.slot_of(key).map(|slot| self.live_places_of(slot));
        let mut reader = self.articles.reader();
        places
            .into_iter()
            .flatten()
            .map(move |at| (at, reader.get(at)))
    }

    /// The handle of the file whose record put an article at `at` in the
    /// article table (whether or not it is still live).
    pub fn slot_at(&self, at: u32) -> Option<u32> {
        let after = self.starts.partition_point(|&(first, _)| first <= at);
        let (_, slot) = self.starts.get(after.checked_sub(1)?)?;
        Some(*slot)
    }

    /// The places of the live articles of the file with handle `slot`, in
    /// reading order.
    pub fn live_places_of(&self, slot: u32) -> impl Iterator<Item = u32> + '_ {
        let slot = &self.slots[slot as usize];
        (slot.first..slot.first + slot.indexed).filter(|&at| self.alive[at as usize])
    }

    /// The article at `at` in the article table, unless its file was
    /// replaced or removed since.
    pub fn live_article(&self, at: u32) -> Option<ArticleRecord> {
        self.alive
            .get(at as usize)
            .unwrap_or(false)
            .then(|| self.articles.get(at))
    }

    /// Every live article with its place in the table, in that order (the
    /// order they were recorded, which after a load is the key order).
    pub fn live_articles_in_order(&self) -> impl Iterator<Item = (u32, ArticleRecord)> {
        let mut reader = self.articles.reader();
        (0..self.articles.len())
            .filter(|&at| self.alive[at as usize])
            .map(move |at| (at, reader.get(at)))
    }

    /// Every live article with its place in the table, newest first.
    pub fn live_articles_newest_first(&self) -> impl Iterator<Item = (u32, ArticleRecord)> {
        let mut reader = self.articles.reader();
        (0..self.articles.len())
            .rev()
            .filter(|&at| self.alive[at as usize])
            .map(move |at| (at, reader.get(at)))
    }

    /// The keys of files holding duplicates, with the duplicates.
    pub fn with_duplicates(&self) -> impl Iterator<Item = (&str, &[Duplicate])> {
        (self.duplicates.iter()).map(|(&slot, duplicates)| (self.key_of(slot), &**duplicates))
    }

    /// Loads the manifest a commit payload names; the error says what is
    /// wrong, for the "damaged index" message.
    pub fn load(index_dir: &Path, payload: &str) -> Result<Manifest, String> {
        let payload: CommitPayload = serde_json::from_str(payload)
            .map_err(|e| format!("unreadable commit payload ({e})"))?;
        let name = payload.files;
        if !is_manifest_name(&name) {
            return Err(format!("the commit names an odd manifest '{name}'"));
        }
        let file = std::fs::File::open(index_dir.join(&name))
            .map_err(|e| format!("cannot read its manifest {name}: {e}"))?;
        let damaged = |what: String| format!("its manifest {name} is damaged ({what})");
        let decoder = zstd::Decoder::with_buffer(BufReader::with_capacity(256 * 1024, file))
            .map_err(|e| damaged(e.to_string()))?;
        let mut reader = ChecksumReader {
            inner: decoder,
            hasher: xxhash_rust::xxh3::Xxh3::new(),
        };
        let mut manifest = read_manifest(&mut reader, Manifest::in_dir(index_dir))
            .map_err(|e| damaged(e.to_string()))?;
        manifest.regroup = payload.regroup;
        let computed = reader.hasher.digest();
        let mut stored = [0u8; 8];
        reader
            .inner
            .read_exact(&mut stored)
            .map_err(|e| damaged(format!("no checksum: {e}")))?;
        if u64::from_le_bytes(stored) != computed {
            return Err(damaged("checksum mismatch".to_string()));
        }
        Ok(manifest)
    }

    /// Writes the manifest durably as the file for commit `opstamp` and
    /// returns the payload naming it.
    pub fn save(
        &self,
        index_dir: &Path,
        opstamp: u64,
        schema_version: u32,
    ) -> std::io::Result<String> {
        let name = format!("{MANIFEST_PREFIX}{opstamp}{MANIFEST_SUFFIX}");
        let temporary = index_dir.join(format!(".{name}.tmp"));
        {
            let file = BufWriter::with_capacity(256 * 1024, std::fs::File::create(&temporary)?);
            let mut out = ChecksumWriter {
                inner: zstd::Encoder::new(file, MANIFEST_ZSTD_LEVEL)?,
                hasher: xxhash_rust::xxh3::Xxh3::new(),
            };
            self.write_to(&mut out)?;
            let checksum = out.hasher.digest();
            let mut encoder = out.inner;
            encoder.write_all(&checksum.to_le_bytes())?;
            let mut file = encoder.finish()?;
            file.flush()?;
            file.get_ref().sync_all()?;
        }
        std::fs::rename(&temporary, index_dir.join(&name))?;
        // The rename must be durable before the commit that refers to it.
        std::fs::File::open(index_dir)?.sync_all()?;
        let payload = CommitPayload {
            schema_version,
            files: name,
            regroup: self.regroup,
        };
        Ok(serde_json::to_string(&payload).expect("plain struct serialises"))
    }

    /// The binary form: the magic, the file count, then each file's key,
    /// numbers, articles and duplicates, little-endian. Sorted by key, so
    /// the same records always give the same bytes.
    fn write_to(&self, out: &mut impl Write) -> std::io::Result<()> {
        out.write_all(MAGIC)?;
        out.write_all(&(self.keys.len() as u64).to_le_bytes())?;
        // Handles sorted by key: 4 bytes a file, where pairs with the key
        // took 24 (a copy of every handle is made at each commit).
        let mut handles: Vec<u32> = self.keys.iter().copied().collect();
        handles.sort_unstable_by(|&a, &b| self.key_of(a).cmp(self.key_of(b)));
        let mut reader = self.articles.reader();
        for handle in handles {
            let slot = &self.slots[handle as usize];
            write_str(out, &slot.key)?;
            out.write_all(&slot.stamp.size.to_le_bytes())?;
            out.write_all(&slot.stamp.mtime_ns.to_le_bytes())?;
            out.write_all(&slot.stamp.hash.to_le_bytes())?;
            out.write_all(&slot.articles.to_le_bytes())?;
            out.write_all(&slot.passages.to_le_bytes())?;
            let range = slot.first as usize..(slot.first + slot.indexed) as usize;
            let alive = range.clone().filter(|&at| self.alive[at]).count() as u32;
            out.write_all(&alive.to_le_bytes())?;
            for at in range.filter(|&at| self.alive[at]) {
                let article = reader.get(at as u32);
                out.write_all(&article.id.to_le_bytes())?;
                out.write_all(&article.hash.to_le_bytes())?;
                out.write_all(&article.meta.to_le_bytes())?;
                out.write_all(&article.place.to_le_bytes())?;
                out.write_all(&article.story.to_le_bytes())?;
                out.write_all(&article.passages.to_le_bytes())?;
                out.write_all(&[u8::from(article.named)])?;
                match &article.signature {
                    Some(signature) => {
                        out.write_all(&[1])?;
                        out.write_all(signature)?;
                    }
                    None => out.write_all(&[0])?,
                }
            }
            let duplicates = self.duplicates.get(&handle).map_or(&[][..], Vec::as_slice);
            out.write_all(&(duplicates.len() as u32).to_le_bytes())?;
            for duplicate in duplicates {
                out.write_all(&duplicate.hash.to_le_bytes())?;
                out.write_all(&[u8::from(duplicate.superseded)])?;
                write_str(out, &duplicate.of)?;
            }
        }
        Ok(())
    }

    /// Stories told by more than one article (syndicated near-copies), and
    /// how many articles those stories hold.
    ///
    /// A story is named by the id of its first article, so only articles
    /// whose story is another's are counted in a first pass, and the
    /// stories' first articles in a second: the memory is that of the
    /// near-copies, not of every article.
    pub fn near_copy_groups(&self) -> (usize, usize) {
        let mut sizes: FxHashMap<u64, usize> = FxHashMap::default();
        for (_, article) in self.live_articles_in_order() {
            if article.story != article.id {
                *sizes.entry(article.story).or_default() += 1;
            }
        }
        if sizes.is_empty() {
            return (0, 0);
        }
        for (_, article) in self.live_articles_in_order() {
            if let Some(size) = sizes.get_mut(&article.id)
                && article.story == article.id
            {
                *size += 1;
            }
        }
        sizes
            .values()
            .filter(|&&n| n > 1)
            .fold((0, 0), |(groups, articles), &n| (groups + 1, articles + n))
    }

    /// Total articles and passages over all records.
    pub fn totals(&self) -> (u64, u64) {
        self.keys.iter().fold((0, 0), |(a, p), &slot| {
            let record = &self.slots[slot as usize];
            (
                a + u64::from(record.articles),
                p + u64::from(record.passages),
            )
        })
    }

    /// Deletes manifest files other than the one `payload` names: older
    /// commits' and those of commits that never happened, and the JSON
    /// manifests of older versions.
    pub fn remove_stale(index_dir: &Path, payload: Option<&str>) {
        let keep = payload
            .and_then(|p| serde_json::from_str::<CommitPayload>(p).ok())
            .map(|p| p.files);
        let Ok(entries) = std::fs::read_dir(index_dir) else {
            return;
        };
        for entry in entries.flatten() {
            let name = entry.file_name();
            let Some(name) = name.to_str() else { continue };
            let stale_tmp =
                name.starts_with(&format!(".{MANIFEST_PREFIX}")) && name.ends_with(".tmp");
            let old_json = name.starts_with(MANIFEST_PREFIX) && name.ends_with(".json");
            if stale_tmp || old_json || (is_manifest_name(name) && keep.as_deref() != Some(name)) {
                // Best effort: a leftover file costs disk space, not correctness.
                let _ = std::fs::remove_file(entry.path());
            }
        }
    }
}

fn read_manifest(input: &mut impl Read, mut manifest: Manifest) -> std::io::Result<Manifest> {
    let bad = |what: &str| std::io::Error::new(std::io::ErrorKind::InvalidData, what.to_string());
    let mut magic = [0u8; 8];
    input.read_exact(&mut magic)?;
    if &magic != MAGIC {
        return Err(bad("not a dateline manifest"));
    }
    let files = read_u64(input)?;
    for _ in 0..files {
        let key = read_str(input)?;
        let mut record =
            FileRecord::new(read_u64(input)?, read_u64(input)? as i64, read_u64(input)?);
        record.articles = read_u32(input)?;
        record.passages = read_u32(input)?;
        let indexed = read_u32(input)?;
        // No pre-allocation from a count read from disk: a damaged count
        // must not ask for gigabytes.
        for _ in 0..indexed {
            let id = read_u64(input)?;
            let hash = read_u64(input)?;
            let meta = read_u64(input)?;
            let place = read_u64(input)?;
            let story = read_u64(input)?;
            let passages = read_u32(input)?;
            let named = read_u8(input)? == 1;
            let mut flag = [0u8; 1];
            input.read_exact(&mut flag)?;
            let signature = match flag[0] {
                0 => None,
                1 => {
                    let mut signature = [0u8; SIGNATURE_LEN];
                    input.read_exact(&mut signature)?;
                    Some(signature)
                }
                _ => return Err(bad("bad signature flag")),
            };
            record.indexed.push(ArticleRecord {
                id,
                hash,
                meta,
                place,
                story,
                passages,
                named,
                signature,
            });
        }
        for _ in 0..read_u32(input)? {
            let hash = read_u64(input)?;
            let superseded = read_u8(input)? == 1;
            let of = read_str(input)?.into_boxed_str();
            record.duplicates.push(Duplicate {
                hash,
                of,
                superseded,
            });
        }
        manifest.insert(&key, record);
    }
    Ok(manifest)
}

fn write_str(out: &mut impl Write, text: &str) -> std::io::Result<()> {
    out.write_all(&(text.len() as u32).to_le_bytes())?;
    out.write_all(text.as_bytes())
}

fn read_str(input: &mut impl Read) -> std::io::Result<String> {
    let len = read_u32(input)? as usize;
    if len > 1 << 20 {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            "a key longer than 1 MiB",
        ));
    }
    let mut bytes = vec![0u8; len];
    input.read_exact(&mut bytes)?;
    String::from_utf8(bytes)
        .map_err(|_| std::io::Error::new(std::io::ErrorKind::InvalidData, "a key is not UTF-8"))
}

fn read_u64(input: &mut impl Read) -> std::io::Result<u64> {
    let mut bytes = [0u8; 8];
    input.read_exact(&mut bytes)?;
    Ok(u64::from_le_bytes(bytes))
}

fn read_u8(input: &mut impl Read) -> std::io::Result<u8> {
    let mut byte = [0u8; 1];
    input.read_exact(&mut byte)?;
    Ok(byte[0])
}

fn read_u32(input: &mut impl Read) -> std::io::Result<u32> {
    let mut bytes = [0u8; 4];
    input.read_exact(&mut bytes)?;
    Ok(u32::from_le_bytes(bytes))
}

/// Hashes what is written through it, for the manifest's checksum.
struct ChecksumWriter<W> {
    inner: W,
    hasher: xxhash_rust::xxh3::Xxh3,
}

impl<W: Write> Write for ChecksumWriter<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// Hashes what is read through it, to check the manifest's checksum.
struct ChecksumReader<R> {
    inner: R,
    hasher: xxhash_rust::xxh3::Xxh3,
}

impl<R: Read> Read for ChecksumReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        Ok(n)
    }
}

fn is_manifest_name(name: &str) -> bool {
    name.strip_prefix(MANIFEST_PREFIX)
        .and_then(|rest| rest.strip_suffix(MANIFEST_SUFFIX))
        .is_some_and(|digits| !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()))
}

/// The key of a file in the index: its canonical path, so `corpus` and
/// `./corpus` name the same files. Paths that are not UTF-8 are spelled with
/// their bytes escaped, so two such names never collide the way their lossy
/// renderings would.
pub fn file_key(path: &Path) -> String {
    let canonical = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    path_key(&canonical)
}

/// [`file_key`] without the canonicalisation.
pub fn path_key(path: &Path) -> String {
    match path.to_str() {
        Some(text) => text.to_string(),
        None => escape_path_bytes(path),
    }
}

/// The path a key stands for (inverse of [`path_key`]).
pub fn key_path(key: &str) -> PathBuf {
    unescape_path_bytes(key).unwrap_or_else(|| PathBuf::from(key))
}

/// A marker no UTF-8 path starts with, in front of escaped bytes.
const BYTES_MARKER: &str = "\u{0}bytes:";

#[cfg(unix)]
fn escape_path_bytes(path: &Path) -> String {
    use std::os::unix::ffi::OsStrExt;
    let hex: String = path
        .as_os_str()
        .as_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("{BYTES_MARKER}{hex}")
}

#[cfg(not(unix))]
fn escape_path_bytes(path: &Path) -> String {
    path.to_string_lossy().into_owned()
}

#[cfg(unix)]
fn unescape_path_bytes(key: &str) -> Option<PathBuf> {
    use std::os::unix::ffi::OsStringExt;
    let hex = key.strip_prefix(BYTES_MARKER)?;
    let bytes = (0..hex.len())
        .step_by(2)
        .map(|i| {
            hex.get(i..i + 2)
                .and_then(|pair| u8::from_str_radix(pair, 16).ok())
        })
        .collect::<Option<Vec<u8>>>()?;
    Some(PathBuf::from(std::ffi::OsString::from_vec(bytes)))
}

#[cfg(not(unix))]
fn unescape_path_bytes(_key: &str) -> Option<PathBuf> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(size: u64) -> FileRecord {
        FileRecord {
            articles: 1,
            passages: 3,
            indexed: vec![ArticleRecord {
                id: size * 7,
                hash: size,
                meta: 1,
                place: 2,
                story: 9,
                passages: 3,
                named: size % 3 == 0,
                signature: (size % 2 == 0).then_some([size as u8; SIGNATURE_LEN]),
            }],
            duplicates: vec![Duplicate {
                hash: 3,
                of: "/elsewhere".into(),
                superseded: size % 2 == 1,
            }],
            ..FileRecord::new(size, -5, 7)
        }
    }

    fn same(a: &Manifest, b: &Manifest) -> bool {
        let mut out_a = Vec::new();
        let mut out_b = Vec::new();
        a.write_to(&mut out_a).unwrap();
        b.write_to(&mut out_b).unwrap();
        out_a == out_b
    }

    #[test]
    fn a_saved_manifest_loads_back_through_its_payload() {
        let dir = tempfile::tempdir().unwrap();
        let mut manifest = Manifest::default();
        manifest.insert("/a", record(1));
        manifest.insert("/b", record(2));
        manifest.insert("/c", record(4));
        manifest.insert("/c", record(3));
        manifest.remove("/b");
        let payload = manifest.save(dir.path(), 42, 9).unwrap();
        assert!(dir.path().join("files-42.bin").is_file());
        let loaded = Manifest::load(dir.path(), &payload).unwrap();
        assert!(same(&loaded, &manifest));
        assert_eq!(loaded.totals(), (2, 6));
        assert_eq!(loaded.len(), 2);
        assert_eq!(
            loaded.stamp("/c"),
            Some(FileStamp {
                size: 3,
                mtime_ns: -5,
                hash: 7
            })
        );
        assert_eq!(loaded.articles_of("/c").count(), 1);
        assert_eq!(loaded.live_articles_in_order().count(), 2);
        assert_eq!(manifest.live_articles_in_order().count(), 2);
        assert!(!loaded.regroup);
        assert!(!payload.contains("regroup"), "{payload}");

        // Stories left to regroup by a stopped run are still to be
        // regrouped by the next.
        manifest.regroup = true;
        let payload = manifest.save(dir.path(), 43, 9).unwrap();
        assert!(Manifest::load(dir.path(), &payload).unwrap().regroup);
    }

    /// The records of `files` files of `size` articles each, some of them
    /// near-copies of others.
    fn many(files: u64, size: u64) -> Vec<(String, FileRecord)> {
        (0..files)
            .map(|file| {
                let mut record = record(file);
                record.indexed = (0..size)
                    .map(|n| {
                        let id = file * 1_000 + n;
                        ArticleRecord {
                            id,
                            hash: id ^ 0xabc,
                            story: if n % 4 == 1 { id - 1 } else { id },
                            passages: (id % 5) as u32 + 1,
                            named: n % 3 == 0,
                            signature: (n % 2 == 0).then_some([id as u8; SIGNATURE_LEN]),
                            ..record.indexed[0]
                        }
                    })
                    .collect();
                record.articles = size as u32;
                record.passages = record.indexed.iter().map(|a| a.passages).sum();
                (format!("/f{file:03}"), record)
            })
            .collect()
    }

    #[test]
    fn records_kept_in_a_scratch_file_read_as_records_kept_in_memory() {
        let dir = tempfile::tempdir().unwrap();
        let mut in_memory = Manifest::default();
        let mut on_disk = Manifest::keeping(dir.path(), 7);
        for manifest in [&mut in_memory, &mut on_disk] {
            for (key, record) in many(40, 9) {
                manifest.insert(&key, record);
            }
            // Replaced, removed and superseded articles.
            for (key, record) in many(12, 5).into_iter().skip(3) {
                manifest.insert(&key, record);
            }
            manifest.remove("/f020");
            let (at, _) = manifest.articles_of("/f030").nth(1).unwrap();
            let slot = manifest.slot_of("/f030").unwrap();
            manifest.drop_article(
                slot,
                at,
                Duplicate {
                    hash: 1,
                    of: "/f031".into(),
                    superseded: true,
                },
            );
        }
        assert!(on_disk.articles.written_out() > 300);
        assert!(same(&in_memory, &on_disk));
        // Each live article's place names the file it is in, replaced
        // and re-recorded files included.
        for (key, slot) in in_memory.keys() {
            for (at, _) in in_memory.articles_of(key) {
                assert_eq!(in_memory.slot_at(at), Some(slot), "{key}");
                assert_eq!(on_disk.slot_at(at), Some(slot), "{key}");
            }
        }
        let in_order = |m: &Manifest| m.live_articles_in_order().collect::<Vec<_>>();
        assert_eq!(in_order(&in_memory), in_order(&on_disk));
        let mut newest_first: Vec<_> = on_disk.live_articles_newest_first().collect();
        newest_first.reverse();
        assert_eq!(newest_first, in_order(&in_memory));
        for key in ["/f000", "/f005", "/f030", "/f039"] {
            let of = |m: &Manifest| m.articles_of(key).collect::<Vec<_>>();
            assert_eq!(of(&in_memory), of(&on_disk), "{key}");
        }
        for at in 0..in_memory.next_article_at() {
            assert_eq!(in_memory.live_article(at), on_disk.live_article(at), "{at}");
        }
        // 30 files of 9 articles with two pairs each, 9 of 5 with one,
        // less the pair whose second article was dropped.
        assert_eq!(in_memory.near_copy_groups(), (68, 136));
        assert_eq!(on_disk.near_copy_groups(), (68, 136));
        let payload = on_disk.save(dir.path(), 7, 1).unwrap();
        assert!(same(
            &Manifest::load(dir.path(), &payload).unwrap(),
            &in_memory
        ));
    }

    #[test]
    fn a_dropped_article_leaves_its_file_and_is_noted_as_superseded() {
        let dir = tempfile::tempdir().unwrap();
        let mut manifest = Manifest::default();
        let mut two = record(2);
        two.indexed.push(ArticleRecord {
            id: 99,
            ..two.indexed[0]
        });
        two.articles = 2;
        two.passages = 6;
        manifest.insert("/a", two);
        let (at, _) = manifest
            .articles_of("/a")
            .find(|(_, a)| a.id == 99)
            .unwrap();
        let slot = manifest.slot_of("/a").unwrap();
        manifest.drop_article(
            slot,
            at,
            Duplicate {
                hash: 99,
                of: "/newer".into(),
                superseded: true,
            },
        );
        assert_eq!(manifest.articles_of("/a").count(), 1);
        assert_eq!(manifest.totals(), (1, 3));
        let payload = manifest.save(dir.path(), 3, 9).unwrap();
        let loaded = Manifest::load(dir.path(), &payload).unwrap();
        assert!(same(&loaded, &manifest));
        assert_eq!(loaded.articles_of("/a").count(), 1);
        let (_, duplicates) = loaded.with_duplicates().next().unwrap();
        assert!(
            duplicates
                .iter()
                .any(|d| d.superseded && &*d.of == "/newer")
        );
    }

    #[test]
    fn many_keys_are_found_removed_and_recorded_again() {
        let mut manifest = Manifest::default();
        for n in 0..5000u64 {
            manifest.insert(&format!("/folder/{n}.txt"), record(n));
        }
        for n in (0..5000u64).step_by(2) {
            assert!(manifest.remove(&format!("/folder/{n}.txt")));
        }
        assert!(!manifest.remove("/folder/0.txt"));
        manifest.insert("/folder/0.txt", record(77));
        assert_eq!(manifest.len(), 2501);
        assert!(manifest.contains("/folder/0.txt") && manifest.contains("/folder/4999.txt"));
        assert!(!manifest.contains("/folder/2.txt"));
        assert_eq!(manifest.stamp("/folder/0.txt").map(|s| s.size), Some(77));
        assert_eq!(manifest.stamp("/folder/3.txt").map(|s| s.size), Some(3));
        let mut keys: Vec<&str> = manifest.keys().map(|(key, _)| key).collect();
        keys.sort_unstable();
        keys.dedup();
        assert_eq!(keys.len(), 2501);
    }

    #[test]
    fn stale_manifests_are_removed_and_the_current_one_kept() {
        let dir = tempfile::tempdir().unwrap();
        let manifest = Manifest::default();
        manifest.save(dir.path(), 1, 9).unwrap();
        let payload = manifest.save(dir.path(), 2, 9).unwrap();
        std::fs::write(dir.path().join(".files-3.bin.tmp"), "partial").unwrap();
        std::fs::write(dir.path().join("files-1.json"), "{}").unwrap();
        std::fs::write(dir.path().join("meta.json"), "{}").unwrap();
        Manifest::remove_stale(dir.path(), Some(&payload));
        let mut names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        assert_eq!(names, ["files-2.bin", "meta.json"]);
    }

    #[test]
    fn damage_is_described_not_panicked_on() {
        let dir = tempfile::tempdir().unwrap();
        assert!(
            Manifest::load(dir.path(), "not json")
                .unwrap_err()
                .contains("payload")
        );
        let missing = r#"{"schema_version":2,"files":"files-7.bin"}"#;
        assert!(
            Manifest::load(dir.path(), missing)
                .unwrap_err()
                .contains("cannot read")
        );
        std::fs::write(dir.path().join("files-7.bin"), "{\"files\": [").unwrap();
        assert!(
            Manifest::load(dir.path(), missing)
                .unwrap_err()
                .contains("damaged")
        );
        // One flipped byte in a well-formed manifest is caught by the checksum.
        let mut manifest = Manifest::default();
        manifest.insert("/a", record(1));
        let payload = manifest.save(dir.path(), 8, 9).unwrap();
        let path = dir.path().join("files-8.bin");
        let mut bytes = std::fs::read(&path).unwrap();
        bytes[20] ^= 1;
        std::fs::write(&path, bytes).unwrap();
        assert!(
            Manifest::load(dir.path(), &payload)
                .unwrap_err()
                .contains("damaged")
        );
        let escape = r#"{"schema_version":2,"files":"../../etc/passwd"}"#;
        assert!(
            Manifest::load(dir.path(), escape)
                .unwrap_err()
                .contains("odd")
        );
    }

    #[cfg(unix)]
    #[test]
    fn non_utf8_paths_get_distinct_reversible_keys() {
        use std::os::unix::ffi::OsStrExt;
        let a = Path::new(std::ffi::OsStr::from_bytes(b"/x/caf\xe9"));
        let b = Path::new(std::ffi::OsStr::from_bytes(b"/x/caf\xe8"));
        assert_ne!(path_key(a), path_key(b));
        assert_eq!(key_path(&path_key(a)), a);
        assert_eq!(path_key(Path::new("/x/plain")), "/x/plain");
        assert_eq!(key_path("/x/plain"), Path::new("/x/plain"));
    }
}
