//! The near-copy stories of an index: which articles tell one wire story.
//!
//! The indexer groups near-copies at the end of each run that changed the
//! index (`indexer::near_duplicates`), from the signatures kept on the
//! articles' first passages, and writes the groups to `stories.bin` beside
//! tantivy's files. Search reads them to show a story once and name its
//! other articles ("also in").
//!
//! Only articles in a story of two or more are listed; every other article
//! is its own story. The file is replaced whole (written aside, synced,
//! renamed), so a reader sees the old groups or the new, never a mix. It
//! names the commit it was computed from: when the index has moved on (a
//! run killed between its last commit and the file), the next run computes
//! the groups again. Until then an article indexed since is its own story
//! and a group may name articles no longer indexed: a page may then show a
//! near-copy on its own, but never loses a hit.

use std::io::Write;
use std::path::Path;
use std::sync::{Arc, Mutex};

/// The file's name in the index folder.
pub const STORIES_FILE: &str = "stories.bin";
/// The first bytes of the file, with the format's version.
const MAGIC: &[u8; 8] = b"DLSTORY1";
/// The magic, the commit and the number of stories, before the stories
/// (each its id, its number of articles and their ids).
const HEADER_BYTES: usize = 24;

/// The stories of an index, by article and by story.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StoryMap {
    /// The commit (tantivy opstamp) the groups were computed from.
    opstamp: u64,
    /// `(article id, story)`, sorted by article id.
    by_article: Vec<(u64, u64)>,
    /// `(story, article id)`, sorted.
    by_story: Vec<(u64, u64)>,
}

impl StoryMap {
    /// The stories computed from commit `opstamp`: `(article id, story)`
    /// for every article in a story of two or more, in any order.
    pub fn new(opstamp: u64, mut members: Vec<(u64, u64)>) -> StoryMap {
        members.sort_unstable();
        members.dedup_by_key(|(article, _)| *article);
        let mut by_story: Vec<(u64, u64)> = members.iter().map(|&(a, s)| (s, a)).collect();
        by_story.sort_unstable();
        StoryMap {
            opstamp,
            by_article: members,
            by_story,
        }
    }

    /// The commit the groups were computed from.
    pub fn opstamp(&self) -> u64 {
        self.opstamp
    }

    /// The story of the article `article_id`: a story's id, or the
    /// article's own id when it is in none.
    pub fn story_of(&self, article_id: u64) -> u64 {
        match self
            .by_article
            .binary_search_by_key(&article_id, |&(article, _)| article)
        {
            Ok(at) => self.by_article[at].1,
            Err(_) => article_id,
        }
    }

    /// The articles of `story`; a story no group names is the article of
    /// that id alone.
    pub fn members(&self, story: u64) -> Vec<u64> {
        let start = self.by_story.partition_point(|&(s, _)| s < story);
        let members: Vec<u64> = self.by_story[start..]
            .iter()
            .take_while(|&&(s, _)| s == story)
            .map(|&(_, article)| article)
            .collect();
        if members.is_empty() {
            vec![story]
        } else {
            members
        }
    }

    /// Stories of more than one article, and how many articles they hold.
    pub fn counts(&self) -> (usize, usize) {
        let stories = self
            .by_story
            .chunk_by(|a, b| a.0 == b.0)
            .filter(|group| group.len() > 1)
            .count();
        (stories, self.by_article.len())
    }

    /// The groups written in `index_dir`, if any; an error says what is
    /// wrong with the file.
    pub fn read(index_dir: &Path) -> Result<Option<StoryMap>, String> {
        let bytes = match std::fs::read(index_dir.join(STORIES_FILE)) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(format!("cannot read {STORIES_FILE}: {e}")),
        };
        let damaged = |what: &str| format!("{STORIES_FILE} is damaged ({what})");
        if bytes.len() < HEADER_BYTES + 8 || &bytes[..8] != MAGIC {
            return Err(damaged("not a dateline stories file"));
        }
        let (body, checksum) = bytes.split_at(bytes.len() - 8);
        if xxhash_rust::xxh3::xxh3_64(body) != u64_at(checksum, 0) {
            return Err(damaged("checksum mismatch"));
        }
        let opstamp = u64_at(body, 8);
        let stories = u64_at(body, 16);
        let mut rest = &body[HEADER_BYTES..];
        let mut members = Vec::new();
        for _ in 0..stories {
            if rest.len() < 12 {
                return Err(damaged("cut short"));
            }
            let story = u64_at(rest, 0);
            let count = u32::from_le_bytes([rest[8], rest[9], rest[10], rest[11]]) as usize;
            rest = &rest[12..];
            if rest.len() < count.saturating_mul(8) {
                return Err(damaged("cut short"));
            }
            let (articles, after) = rest.split_at(count * 8);
            members.extend(articles.chunks_exact(8).map(|id| (u64_at(id, 0), story)));
            rest = after;
        }
        if !rest.is_empty() {
            return Err(damaged("wrong length"));
        }
        Ok(Some(StoryMap::new(opstamp, members)))
    }

    /// The commit the groups in `index_dir` were computed from, if there
    /// is a readable file.
    pub fn read_opstamp(index_dir: &Path) -> Option<u64> {
        StoryMap::read(index_dir)
            .ok()
            .flatten()
            .map(|map| map.opstamp)
    }

    /// Replaces the groups in `index_dir` with these, durably.
    pub fn write(&self, index_dir: &Path) -> std::io::Result<()> {
        let groups = self.by_story.chunk_by(|a, b| a.0 == b.0);
        let mut bytes = Vec::with_capacity(HEADER_BYTES + 12 * self.by_story.len() + 8);
        bytes.extend_from_slice(MAGIC);
        bytes.extend_from_slice(&self.opstamp.to_le_bytes());
        bytes.extend_from_slice(&(groups.clone().count() as u64).to_le_bytes());
        for group in groups {
            bytes.extend_from_slice(&group[0].0.to_le_bytes());
            bytes.extend_from_slice(&(group.len() as u32).to_le_bytes());
            for &(_, article) in group {
                bytes.extend_from_slice(&article.to_le_bytes());
            }
        }
        let checksum = xxhash_rust::xxh3::xxh3_64(&bytes);
        bytes.extend_from_slice(&checksum.to_le_bytes());
        let temporary = index_dir.join(format!(".{STORIES_FILE}.tmp"));
        {
            let mut file = std::fs::File::create(&temporary)?;
            file.write_all(&bytes)?;
            file.sync_all()?;
        }
        std::fs::rename(&temporary, index_dir.join(STORIES_FILE))?;
        std::fs::File::open(index_dir)?.sync_all()
    }
}

fn u64_at(bytes: &[u8], at: usize) -> u64 {
    let mut word = [0u8; 8];
    word.copy_from_slice(&bytes[at..at + 8]);
    u64::from_le_bytes(word)
}

/// The stories an open index read last, kept while the file is the same,
/// so a program that searches many times reads them once per run of the
/// indexer.
#[derive(Default)]
pub(crate) struct StoriesCache {
    last: Mutex<Option<(FileIdentity, Arc<StoryMap>)>>,
}

/// What tells one version of the file from the next (it is replaced by a
/// rename, so a new version is a new inode).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct FileIdentity {
    len: u64,
    modified: Option<std::time::SystemTime>,
    #[cfg(unix)]
    inode: u64,
}

impl StoriesCache {
    /// The stories in `index_dir` now. A missing or damaged file gives no
    /// stories (every article its own), not an error: the groups only
    /// gather near-copies, and the next indexing run writes them again.
    pub(crate) fn of(&self, index_dir: &Path) -> Arc<StoryMap> {
        let Ok(metadata) = std::fs::metadata(index_dir.join(STORIES_FILE)) else {
            return Arc::new(StoryMap::default());
        };
        let identity = FileIdentity {
            len: metadata.len(),
            modified: metadata.modified().ok(),
            #[cfg(unix)]
            inode: std::os::unix::fs::MetadataExt::ino(&metadata),
        };
        let mut last = self
            .last
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some((known, map)) = &*last
            && *known == identity
        {
            return Arc::clone(map);
        }
        let map = Arc::new(StoryMap::read(index_dir).ok().flatten().unwrap_or_default());
        *last = Some((identity, Arc::clone(&map)));
        map
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stories_are_written_and_read_back_by_article_and_by_story() {
        let dir = tempfile::tempdir().unwrap();
        let map = StoryMap::new(7, vec![(30, 10), (10, 10), (20, 5), (5, 5), (40, 10)]);
        map.write(dir.path()).unwrap();
        let read = StoryMap::read(dir.path()).unwrap().unwrap();
        assert_eq!(read, map);
        assert_eq!(read.opstamp(), 7);
        assert_eq!(read.story_of(30), 10);
        assert_eq!(read.story_of(99), 99);
        assert_eq!(read.members(10), [10, 30, 40]);
        assert_eq!(read.members(99), [99]);
        assert_eq!(read.counts(), (2, 5));
        assert_eq!(StoryMap::read_opstamp(dir.path()), Some(7));
    }

    #[test]
    fn a_missing_file_is_no_stories_and_a_damaged_one_is_reported() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(StoryMap::read(dir.path()).unwrap(), None);
        StoryMap::new(3, vec![(1, 1), (2, 1)])
            .write(dir.path())
            .unwrap();
        let path = dir.path().join(STORIES_FILE);
        let mut bytes = std::fs::read(&path).unwrap();
        bytes[HEADER_BYTES] ^= 1;
        std::fs::write(&path, bytes).unwrap();
        assert!(StoryMap::read(dir.path()).unwrap_err().contains("damaged"));
        assert_eq!(StoryMap::read_opstamp(dir.path()), None);
        let cache = StoriesCache::default();
        assert_eq!(cache.of(dir.path()).story_of(2), 2);
    }

    #[test]
    fn the_cache_reads_a_replaced_file_again() {
        let dir = tempfile::tempdir().unwrap();
        let cache = StoriesCache::default();
        assert_eq!(cache.of(dir.path()).story_of(2), 2);
        StoryMap::new(1, vec![(1, 1), (2, 1)])
            .write(dir.path())
            .unwrap();
        assert_eq!(cache.of(dir.path()).story_of(2), 1);
        StoryMap::new(2, vec![(2, 2), (3, 2)])
            .write(dir.path())
            .unwrap();
        let map = cache.of(dir.path());
        assert_eq!((map.story_of(2), map.opstamp()), (2, 2));
    }
}
