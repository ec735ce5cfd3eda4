//! Grouping near-copies into stories as a rebuild would.
//!
//! The writer puts each article in the story of the first earlier article
//! it is a near-copy of, as it is written. A fresh index written in walk
//! order so gets the grouping of its files read in that order. An index
//! kept up to date by incremental runs does not: an added file is compared
//! with what the index holds, not only with the files before it, and an
//! article stays in the story of a copy since removed. So after an
//! incremental run changed anything, the grouping is worked out again from
//! the records alone, their files in walk order, through the same bounded
//! band table a rebuild fills, and the articles whose story differs are
//! written again (the caller reads their files once more). Then the index
//! groups its copies as a rebuild of the same files does, whatever order
//! its files came in.

use std::cmp::Ordering;
use std::path::Path;

use rustc_hash::FxHashMap;

use crate::indexer::article_table::RecordBlock;
use crate::indexer::manifest::{Manifest, key_path};
use crate::indexer::near_duplicates::{SAME_STORY, StoryIndex, similarity};

/// The articles whose story differs from a rebuild's, and their files.
#[derive(Debug, Default)]
pub struct Regrouping {
    /// The story each such article belongs in, by article id.
    pub stories: FxHashMap<u64, u64>,
    /// The keys of the files holding them, in walk order.
    pub files: Vec<String>,
}

/// Works out the stories a rebuild of the manifest's files would make (see
/// the module documentation), and what differs from the records.
///
/// `from`: the first file in walk order that changed since the records
/// were last grouped so, if known. The files before it keep their stories
/// (each article's depends only on those before it), so they only fill
/// the band table; `None` works out every article's.
///
/// Memory: the band table (at most 16 MB) and the differences found.
pub fn regroup(manifest: &Manifest, from: Option<&str>) -> Regrouping {
    let mut slots: Vec<(&str, u32)> = manifest.keys().collect();
    slots.sort_unstable_by(|(a, _), (b, _)| walk_order(a, b));
    let mut bands = StoryIndex::default();
    let mut block = RecordBlock::default();
    let mut moved = Regrouping::default();
    for (key, slot) in slots {
        let settled = from.is_some_and(|from| walk_order(key, from) == Ordering::Less);
        let mut file_moved = false;
        for at in manifest.live_places_of(slot) {
            let article = manifest.article_through(at, &mut block);
            let Some(signature) = &article.signature else {
                continue;
            };
            if !settled {
                let joined = bands.candidates(signature).find_map(|candidate| {
                    let other = manifest.live_article(candidate)?;
                    let theirs = other.signature.as_ref()?;
                    (similarity(signature, theirs) >= SAME_STORY)
                        .then(|| moved.stories.get(&other.id).copied().unwrap_or(other.story))
                });
                let story = joined.unwrap_or(article.id);
                if story != article.story {
                    moved.stories.insert(article.id, story);
                    file_moved = true;
                }
            }
            bands.insert(signature, at);
        }
        if file_moved {
            moved.files.push(key.to_string());
        }
    }
    moved
}

/// The order the walk gives files in: by path, component by component, so
/// a folder's files come right after it (`a/b` before `a-b`), as a
/// depth-first walk with each folder's entries sorted by name gives them.
pub fn walk_order(a: &str, b: &str) -> Ordering {
    let escaped = |key: &str| key.starts_with('\0');
    match escaped(a) || escaped(b) {
        false => Path::new(a).cmp(Path::new(b)),
        true => key_path(a).cmp(&key_path(b)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::indexer::near_duplicates::signature;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering as AtomicOrdering};

    use crate::indexer::{IndexOptions, IndexProgress, IndexSummary, NoProgress, index_paths};

    /// Words `from..from + 102` of a made-up text: 100 word 3-shingles,
    /// so texts `12` words apart share 88 of them (a Jaccard similarity
    /// of 0.79) and texts `24` apart share 76 (0.61).
    fn words(from: usize) -> String {
        (from..from + 102).map(|n| format!("w{n} ")).collect()
    }

    /// The records of the index at `index`.
    fn records(index: &Path) -> Manifest {
        let metas = tantivy::Index::open_in_dir(index)
            .and_then(|index| index.load_metas())
            .expect("the index opens");
        Manifest::load(index, metas.payload.as_deref().expect("a payload"))
            .expect("the records load")
    }

    /// Indexes the folder `articles` into `index`, with `progress`.
    fn index_with(articles: &Path, index: &Path, progress: &mut dyn IndexProgress) -> IndexSummary {
        let options = IndexOptions {
            indexing_threads: Some(1),
            ..IndexOptions::new(vec![articles.to_path_buf()], index.to_path_buf())
        };
        index_paths(&options, progress).expect("the folder indexes")
    }

    /// The stories after indexing the folder `articles` into `index`:
    /// stories with near-copies and their articles, checked to be what
    /// working them out again gives.
    fn index_and_count(articles: &Path, index: &Path) -> (usize, usize) {
        index_with(articles, index, &mut NoProgress);
        let manifest = records(index);
        assert!(!manifest.regroup);
        let left = regroup(&manifest, None);
        assert!(left.stories.is_empty(), "{left:?}");
        manifest.near_copy_groups()
    }

    /// Writes a made-up article of 102 words from `from` on, dated `day`.
    fn write(articles: &Path, name: &str, day: usize, from: usize) {
        let text = format!(" date 2024-01-{day:02} {}\n", words(from));
        std::fs::write(articles.join(name), text).unwrap();
    }

    #[test]
    fn a_copy_between_two_others_groups_them_whenever_it_comes() {
        let sign = |from| signature(words(from).split_whitespace()).expect("long enough");
        let (a, b, c) = (sign(0), sign(12), sign(24));
        assert!(similarity(&a, &b) >= SAME_STORY && similarity(&b, &c) >= SAME_STORY);
        assert!(similarity(&a, &c) < SAME_STORY);

        let dir = tempfile::tempdir().unwrap();
        let articles = dir.path().join("articles");
        let write = |name: &str, day: usize, from: usize| write(&articles, name, day, from);
        std::fs::create_dir(&articles).unwrap();
        write("a.txt", 1, 0);
        write("c.txt", 3, 24);
        let index = dir.path().join("index");
        // Each update groups as a rebuild of the same files.
        let mut rebuilds = 0;
        let mut update = || {
            let updated = index_and_count(&articles, &index);
            rebuilds += 1;
            let fresh = dir.path().join(format!("fresh-{rebuilds}"));
            assert_eq!(updated, index_and_count(&articles, &fresh));
            updated
        };
        assert_eq!(update(), (0, 0));
        // The copy that links them comes later but reads between them.
        write("b.txt", 2, 12);
        assert_eq!(update(), (1, 3));
        // Without it, the two are no story.
        std::fs::remove_file(articles.join("b.txt")).unwrap();
        assert_eq!(update(), (0, 0));
        // A copy of the last, read first; then the link again, which
        // joins the first story it finds (a story is not every copy of a
        // copy).
        write("0.txt", 4, 24);
        assert_eq!(update(), (1, 2));
        write("b.txt", 2, 12);
        assert_eq!(update(), (2, 4));
    }

    #[test]
    fn a_folders_files_come_before_its_longer_named_siblings() {
        let mut keys = vec!["/c/a-b/x", "/c/a.txt", "/c/a/z", "/c/a/b/y", "/c/b"];
        keys.sort_by(|a, b| walk_order(a, b));
        assert_eq!(keys, ["/c/a/b/y", "/c/a/z", "/c/a-b/x", "/c/a.txt", "/c/b"]);
    }

    /// Stops the run once the walk's files are written.
    struct StopAfterWriting(Arc<AtomicBool>);

    impl IndexProgress for StopAfterWriting {
        fn notice(&mut self, _message: &str) {}
        fn start(&mut self, _files: u64) {}
        fn advance(&mut self, _files: u64, _articles: u64) {
            self.0.store(true, AtomicOrdering::SeqCst);
        }
        fn finish(&mut self) {}
    }

    #[test]
    fn a_run_stopped_before_regrouping_leaves_it_to_the_next() {
        let dir = tempfile::tempdir().unwrap();
        let articles = dir.path().join("articles");
        std::fs::create_dir(&articles).unwrap();
        write(&articles, "a.txt", 1, 0);
        write(&articles, "c.txt", 3, 24);
        let index = dir.path().join("index");
        assert_eq!(index_and_count(&articles, &index), (0, 0));
        write(&articles, "b.txt", 2, 12);
        let stop = Arc::new(AtomicBool::new(false));
        let options = IndexOptions {
            indexing_threads: Some(1),
            stop: Arc::clone(&stop),
            ..IndexOptions::new(vec![articles.clone()], index.clone())
        };
        let summary = index_paths(&options, &mut StopAfterWriting(stop)).unwrap();
        assert!(summary.interrupted);
        let stopped = records(&index);
        assert!(stopped.regroup);
        assert!(!regroup(&stopped, None).stories.is_empty());
        // Nothing changed since: the next run regroups all the same.
        drop(stopped);
        assert_eq!(index_and_count(&articles, &index), (1, 3));
    }
}
