//! Places in the article table by a 64-bit key (a content hash, an
//! article id), kept mostly on disk.
//!
//! The writer asks, for every article it writes, whether another file
//! already holds the same text or the same named article. A map from key
//! to place held in memory costs 17 bytes a bucket and doubles as it
//! grows: about 285 MB at ten million articles. Nearly every answer is
//! "no", so a Bloom filter answers those: 12 bits a key up to about five
//! million keys, then a fixed 8 MiB, so its memory stops growing with the
//! corpus (at ten million keys about 1 false "maybe" in 25, each costing a
//! block read per run from the page cache). The latest keys are in a small
//! map, and the others in sorted runs in unnamed scratch files beside the
//! index, each found through every 256th key kept in memory (one positioned
//! read a run). The runs are merged into one when there are too many.
//!
//! Nothing is ever removed: an index gives the places a key was inserted
//! with, and the caller checks each against the records (is the article
//! still live, does it still have that key). Places only grow, so the
//! newest are given first.

use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use fastbloom::BloomFilter;
use rustc_hash::FxHashMap;

use crate::indexer::article_table::read_exact_at;

/// How many of the latest keys stay in memory before they are written out
/// as a run (a map of about 4.5 MB).
const RECENT: usize = 200_000;
/// How many runs there may be before they are merged into one.
const MOST_RUNS: usize = 8;
/// Every how many entries of a run a key is kept in memory.
const FENCE: usize = 256;
/// Bytes of a run entry: the key, then the place.
const ENTRY_LEN: usize = 12;
/// Filter bits a key, and bits set a key: about 1 false "maybe" in 200.
const FILTER_BITS: usize = 12;
const FILTER_HASHES: u32 = 5;
/// The most bits the filter grows to (8 MiB).
const MOST_FILTER_BITS: usize = 1 << 26;
/// Keys the first filter is made for.
const FIRST_CAPACITY: usize = 1 << 16;

/// Places by key (see the module documentation).
pub struct PlaceIndex {
    /// Where runs may be written; without a folder every key stays in
    /// memory.
    dir: Option<PathBuf>,
    filter: BloomFilter,
    /// How many keys the filter is made for; past them it is made again,
    /// four times larger, up to `most_filter_bits`.
    capacity: usize,
    /// The most bits the filter is made with ([`MOST_FILTER_BITS`]).
    most_filter_bits: usize,
    /// How many keys were inserted.
    inserted: usize,
    recent: FxHashMap<u64, u32>,
    /// How many keys in memory are written out together.
    keep: usize,
    runs: Vec<Run>,
}

/// Sorted (key, place) entries in a scratch file.
struct Run {
    file: File,
    len: usize,
    /// The key of every [`FENCE`]th entry.
    fences: Vec<u64>,
}

impl Default for PlaceIndex {
    fn default() -> PlaceIndex {
        PlaceIndex {
            dir: None,
            filter: new_filter(FIRST_CAPACITY, MOST_FILTER_BITS),
            capacity: FIRST_CAPACITY,
            most_filter_bits: MOST_FILTER_BITS,
            inserted: 0,
            recent: FxHashMap::default(),
            keep: RECENT,
            runs: Vec::new(),
        }
    }
}

impl PlaceIndex {
    /// An index that writes its runs to scratch files in `dir`, made for
    /// about `expected` keys.
    pub fn in_dir(dir: &Path, expected: usize) -> PlaceIndex {
        PlaceIndex::keeping(dir, expected, RECENT)
    }

    /// [`PlaceIndex::in_dir`], writing a run whenever `keep` keys are in
    /// memory.
    pub fn keeping(dir: &Path, expected: usize, keep: usize) -> PlaceIndex {
        let capacity = expected.max(FIRST_CAPACITY);
        PlaceIndex {
            dir: Some(dir.to_path_buf()),
            filter: new_filter(capacity, MOST_FILTER_BITS),
            capacity,
            keep,
            ..PlaceIndex::default()
        }
    }

    /// Records `key` at `place`.
    pub fn insert(&mut self, key: u64, place: u32) {
        self.inserted += 1;
        if self.inserted > self.capacity && self.filter.num_bits() < self.most_filter_bits {
            self.grow_filter();
        }
        self.filter.insert_hash(key);
        self.recent.insert(key, place);
        if self.dir.is_some() && self.recent.len() >= self.keep {
            self.write_run();
        }
    }

    /// The places `key` was inserted with, newest first (the latest of the
    /// keys in memory, every one written out).
    pub fn places(&self, key: u64) -> Vec<u32> {
        if !self.filter.contains_hash(key) {
            return Vec::new();
        }
        let mut places: Vec<u32> = self.recent.get(&key).copied().into_iter().collect();
        for run in &self.runs {
            run.find(key, &mut places);
        }
        places.sort_unstable_by(|a, b| b.cmp(a));
        places.dedup();
        places
    }

    /// The index with a filter made for `capacity` keys that grows to at
    /// most `most_bits` bits.
    #[cfg(test)]
    fn with_filter(mut self, capacity: usize, most_bits: usize) -> PlaceIndex {
        self.capacity = capacity;
        self.most_filter_bits = most_bits;
        self.filter = new_filter(capacity, most_bits);
        self
    }

    /// How many runs are on disk.
    #[cfg(test)]
    fn run_count(&self) -> usize {
        self.runs.len()
    }

    /// Makes the filter again for four times as many keys (within its
    /// bound), from the runs and the keys in memory.
    fn grow_filter(&mut self) {
        self.capacity *= 4;
        // Every key is in the runs or in memory: the old filter goes first,
        // so the two are never held together.
        self.filter = new_filter(1, 1);
        let mut filter = new_filter(self.capacity, self.most_filter_bits);
        for run in &self.runs {
            for (key, _) in run.entries() {
                filter.insert_hash(key);
            }
        }
        for &key in self.recent.keys() {
            filter.insert_hash(key);
        }
        self.filter = filter;
    }

    /// Writes the keys in memory as a sorted run, merging the runs into
    /// one when there are too many. When a scratch file cannot be made or
    /// written (a full disk), the keys stay in memory: the run goes on,
    /// only bigger.
    fn write_run(&mut self) {
        let Some(dir) = self.dir.clone() else { return };
        let mut entries: Vec<(u64, u32)> = self.recent.iter().map(|(&k, &p)| (k, p)).collect();
        entries.sort_unstable();
        match Run::write(&dir, entries.into_iter()) {
            Ok(run) => {
                self.runs.push(run);
                self.recent.clear();
            }
            Err(_) => {
                self.dir = None;
                return;
            }
        }
        if self.runs.len() >= MOST_RUNS {
            let merged = {
                let mut sources: Vec<std::iter::Peekable<RunEntries<'_>>> = self
                    .runs
                    .iter()
                    .map(|run| run.entries().peekable())
                    .collect();
                let merged = std::iter::from_fn(|| {
                    let (i, _) = sources
                        .iter_mut()
                        .enumerate()
                        .filter_map(|(i, s)| s.peek().map(|&entry| (i, entry)))
                        .min_by_key(|&(_, entry)| entry)?;
                    sources[i].next()
                });
                Run::write(&dir, merged)
            };
            // Unmerged runs still answer: only the merge is lost.
            if let Ok(run) = merged {
                self.runs = vec![run];
            }
        }
    }
}

/// A filter for `capacity` keys, of at most `most_bits` bits.
fn new_filter(capacity: usize, most_bits: usize) -> BloomFilter {
    BloomFilter::with_num_bits((capacity * FILTER_BITS).min(most_bits)).hashes(FILTER_HASHES)
}

impl Run {
    /// Writes sorted entries to a new scratch file in `dir`.
    fn write(dir: &Path, entries: impl Iterator<Item = (u64, u32)>) -> std::io::Result<Run> {
        let file = tempfile::tempfile_in(dir)?;
        let mut out = BufWriter::with_capacity(1 << 16, &file);
        let mut len = 0;
        let mut fences = Vec::new();
        for (key, place) in entries {
            if len % FENCE == 0 {
                fences.push(key);
            }
            out.write_all(&key.to_le_bytes())?;
            out.write_all(&place.to_le_bytes())?;
            len += 1;
        }
        out.flush()?;
        drop(out);
        Ok(Run { file, len, fences })
    }

    /// Adds to `places` the places of `key` in this run.
    fn find(&self, key: u64, places: &mut Vec<u32>) {
        // The first block that may hold the key: the one before the first
        // fence not below it (equal keys may end the block before).
        let mut block = self
            .fences
            .partition_point(|&fence| fence < key)
            .saturating_sub(1);
        let mut bytes = vec![0u8; FENCE * ENTRY_LEN];
        while block < self.fences.len() && self.fences[block] <= key {
            let first = block * FENCE;
            let count = (self.len - first).min(FENCE);
            let bytes = &mut bytes[..count * ENTRY_LEN];
            if let Err(error) = read_exact_at(&self.file, bytes, (first * ENTRY_LEN) as u64) {
                panic!("a scratch file of the indexer's key index could not be read back: {error}");
            }
            for (k, place) in bytes.chunks_exact(ENTRY_LEN).map(decode) {
                if k == key {
                    places.push(place);
                }
            }
            block += 1;
        }
    }

    /// Every entry, in order.
    fn entries(&self) -> RunEntries<'_> {
        let mut file = &self.file;
        let reader = match file.seek(SeekFrom::Start(0)) {
            Ok(_) => Some(BufReader::with_capacity(1 << 16, file)),
            Err(_) => None,
        };
        RunEntries {
            reader,
            left: self.len,
        }
    }
}

/// The entries of a [`Run`], read in order.
struct RunEntries<'a> {
    reader: Option<BufReader<&'a File>>,
    left: usize,
}

impl Iterator for RunEntries<'_> {
    type Item = (u64, u32);

    fn next(&mut self) -> Option<(u64, u32)> {
        if self.left == 0 {
            return None;
        }
        self.left -= 1;
        let mut bytes = [0u8; ENTRY_LEN];
        let reader = self.reader.as_mut()?;
        if let Err(error) = reader.read_exact(&mut bytes) {
            panic!("a scratch file of the indexer's key index could not be read back: {error}");
        }
        Some(decode(&bytes))
    }
}

fn decode(bytes: &[u8]) -> (u64, u32) {
    (
        u64::from_le_bytes(bytes[..8].try_into().unwrap()),
        u32::from_le_bytes(bytes[8..12].try_into().unwrap()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(n: u64) -> u64 {
        n.wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ (n >> 7)
    }

    #[test]
    fn every_place_a_key_was_given_is_found_newest_first_across_runs_and_merges() {
        let dir = tempfile::tempdir().unwrap();
        // Small runs and a small first filter, so the runs are merged and
        // the filter made again several times.
        let mut index = PlaceIndex::keeping(dir.path(), 0, 1_000);
        let total = 30_000u32;
        for place in 0..total {
            index.insert(key(u64::from(place)), place);
        }
        // Some keys again, at later places: both places are given.
        for n in (0..total).step_by(97) {
            index.insert(key(u64::from(n)), total + n);
        }
        assert!(index.run_count() >= 1 && index.run_count() < MOST_RUNS);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
        for n in 0..total {
            let expected = match n % 97 {
                0 => vec![total + n, n],
                _ => vec![n],
            };
            assert_eq!(index.places(key(u64::from(n))), expected, "{n}");
        }
        let strangers = (total..total + 20_000)
            .filter(|&n| !index.places(key(u64::from(n) * 1_000_003)).is_empty())
            .count();
        assert_eq!(strangers, 0, "keys never inserted were found");
    }

    #[test]
    fn past_its_bound_the_filter_stops_growing_and_every_key_is_still_found() {
        let dir = tempfile::tempdir().unwrap();
        let most_bits = 1 << 14;
        let mut index = PlaceIndex::keeping(dir.path(), 0, 1_000).with_filter(256, most_bits);
        let total = 20_000u32;
        for place in 0..total {
            index.insert(key(u64::from(place)), place);
        }
        // 20,000 keys in 16,384 bits: most lookups pass the filter.
        assert_eq!(index.filter.num_bits(), most_bits);
        for n in 0..total {
            assert_eq!(index.places(key(u64::from(n))), vec![n], "{n}");
        }
        let strangers = (total..total + 5_000)
            .filter(|&n| !index.places(key(u64::from(n) * 1_000_003)).is_empty())
            .count();
        assert_eq!(strangers, 0, "keys never inserted were found");
    }

    #[test]
    fn without_a_folder_every_key_stays_in_memory() {
        let mut index = PlaceIndex::default();
        for place in 0..(RECENT as u32 + 10) {
            index.insert(key(u64::from(place)), place);
        }
        assert_eq!(index.run_count(), 0);
        assert_eq!(index.places(key(7)), vec![7]);
        assert_eq!(
            index.places(key(RECENT as u64 + 9)),
            vec![RECENT as u32 + 9]
        );
    }
}
