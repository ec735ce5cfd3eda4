//! Searching a large index's segments on every core.
//!
//! Everything a ranked search does before it picks its page (matching,
//! reading the query words' postings, scoring) is done a segment at a
//! time, and segments are independent: on an index of millions of
//! passages they are searched on rayon's threads, one segment a task. A
//! smaller index is searched on the calling thread, where handing
//! segments to threads and back would cost more than it saves.

use rayon::prelude::*;
use tantivy::collector::Collector;
use tantivy::query::{EnableScoring, Query};
use tantivy::{DocId, Searcher};

use crate::error::Result;
use crate::search::matching::MatchingDocs;

/// Indexes of at least this many documents (passages, about 170,000
/// articles) are searched on several threads. On the benchmark's 100k
/// index (630,000 passages, two segments) threads gained nothing; on its
/// 1M index (20 segments) they cut p99 by a sixth.
const PARALLEL_FROM: u64 = 1 << 20;

/// How a search walks its segments.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Segments {
    /// One after the other, on the calling thread.
    InTurn,
    /// As tasks on rayon's threads.
    InParallel,
}

impl Segments {
    /// How to walk `searcher`'s segments: in parallel when there are
    /// several, the index is large and there is more than one core.
    pub(crate) fn of(searcher: &Searcher) -> Segments {
        #[cfg(test)]
        if let Some(forced) = FORCED.get() {
            return forced;
        }
        let readers = searcher.segment_readers();
        let docs: u64 = readers.iter().map(|r| u64::from(r.max_doc())).sum();
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        match readers.len() > 1 && docs >= PARALLEL_FROM && cores > 1 {
            true => Segments::InParallel,
            false => Segments::InTurn,
        }
    }

    /// `each` applied to every item, the results in the items' order.
    pub(crate) fn map<T, R, F>(self, items: Vec<T>, each: F) -> Vec<R>
    where
        T: Send,
        R: Send,
        F: Fn(T) -> R + Sync + Send,
    {
        match self {
            Segments::InTurn => items.into_iter().map(each).collect(),
            Segments::InParallel => items.into_par_iter().map(each).collect(),
        }
    }

    /// Sets every item of `items` to `value`: on a large index, a few
    /// chunks at once, so the pages of a fresh allocation (tens of
    /// megabytes for a common word's matches) are faulted in and written
    /// on every core.
    pub(crate) fn fill<T: Copy + Send + Sync>(self, items: &mut [T], value: T) {
        match self {
            Segments::InTurn => items.fill(value),
            Segments::InParallel => {
                (items.par_chunks_mut(1 << 16)).for_each(|chunk| chunk.fill(value));
            }
        }
    }

    /// `each` applied to every item, the results in the items' order, or
    /// the first error met.
    pub(crate) fn try_map<T, R, F>(self, items: Vec<T>, each: F) -> Result<Vec<R>>
    where
        T: Send,
        R: Send,
        F: Fn(T) -> Result<R> + Sync + Send,
    {
        match self {
            Segments::InTurn => items.into_iter().map(each).collect(),
            Segments::InParallel => items.into_par_iter().map(each).collect(),
        }
    }

    /// The documents `query` matches in each segment, in doc order
    /// ([`MatchingDocs`]).
    pub(crate) fn matching(
        self,
        searcher: &Searcher,
        query: &dyn Query,
    ) -> Result<Vec<Vec<DocId>>> {
        if self == Segments::InTurn {
            return Ok(searcher.search(query, &MatchingDocs)?);
        }
        let weight = query.weight(EnableScoring::disabled_from_searcher(searcher))?;
        let readers: Vec<_> = searcher.segment_readers().iter().enumerate().collect();
        let fruits = self.try_map(readers, |(ord, reader)| {
            Ok(MatchingDocs.collect_segment(weight.as_ref(), ord as u32, reader)?)
        })?;
        Ok(MatchingDocs.merge_fruits(fruits)?)
    }
}

#[cfg(test)]
thread_local! {
    /// How searches on this thread walk segments, whatever the index.
    static FORCED: std::cell::Cell<Option<Segments>> = const { std::cell::Cell::new(None) };
}

/// Runs `run` with this thread's searches walking segments as `segments`
/// says, so tests can search a small index in parallel.
#[cfg(test)]
pub(crate) fn forcing<R>(segments: Segments, run: impl FnOnce() -> R) -> R {
    let before = FORCED.replace(Some(segments));
    let result = run();
    FORCED.set(before);
    result
}

/// Five segments (a commit every 256 articles) of articles mentioning
/// grain, cocoa and the port in different measures and on different
/// days, some of them repeated in another segment.
#[cfg(test)]
pub(crate) fn segmented_index() -> (tempfile::TempDir, crate::index::OpenIndex) {
    let folder = tempfile::tempdir().unwrap();
    let articles = folder.path().join("articles");
    std::fs::create_dir(&articles).unwrap();
    for i in 0..1280 {
        let body = format!(
            " date 1987-{:02}-{:02} Report {i} from the port. {}\n\n{}\n",
            1 + i % 12,
            1 + i % 28,
            "Grain prices rose. ".repeat(1 + i % 5),
            match i % 4 {
                0 => "Cocoa growers met the grain traders at the port.".to_string(),
                1 => format!("The harbour handled timber {i} and steel."),
                2 => "Cocoa ".repeat(1 + i % 7),
                _ => "Shipping was quiet this week.".to_string(),
            }
        );
        std::fs::write(articles.join(format!("{i:04}.txt")), body).unwrap();
    }
    let index = index_in_segments(articles, &folder.path().join("index"));
    (folder, index)
}

/// Deletes the documents of `index` holding `word` in their text, leaving
/// them in their segments (the indexer's merges would drop them), and
/// gives a searcher that sees the deletes.
#[cfg(test)]
pub(crate) fn delete_unmerged(index: &crate::index::OpenIndex, word: &str) -> tantivy::Searcher {
    let mut writer: tantivy::IndexWriter = index.index.writer(15_000_000).unwrap();
    writer.set_merge_policy(Box::new(tantivy::indexer::NoMergePolicy));
    writer.delete_term(tantivy::Term::from_field_text(index.fields.text, word));
    writer.commit().unwrap();
    drop(writer);
    let searcher = index.index.reader().unwrap().searcher();
    assert!(
        (searcher.segment_readers().iter()).any(|s| s.alive_bitset().is_some()),
        "a segment with deleted documents"
    );
    searcher
}

/// Indexes the 1,280 or more files of `articles` on one thread, a commit
/// every 256 articles (the indexer reads 256 files between two
/// commits): four segments or more.
#[cfg(test)]
pub(crate) fn index_in_segments(
    articles: std::path::PathBuf,
    index_dir: &std::path::Path,
) -> crate::index::OpenIndex {
    let options = crate::indexer::IndexOptions {
        indexing_threads: Some(1),
        commit_every_articles: Some(256),
        ..crate::indexer::IndexOptions::new(vec![articles], index_dir.to_path_buf())
    };
    crate::indexer::index_paths(&options, &mut crate::indexer::NoProgress).unwrap();
    let index = crate::index::OpenIndex::open(index_dir).unwrap();
    let segments = index.snapshot().unwrap().segment_readers().len();
    assert!(segments >= 4, "{segments} segments");
    index
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::{DateFilter, Ranking, SearchRequest, SortOrder, search};

    /// Whatever the query, order, filter or ranking, a search walking the
    /// segments in parallel answers exactly as one walking them in turn.
    #[test]
    fn searching_in_parallel_finds_what_searching_in_turn_does() {
        let (_folder, index) = segmented_index();
        let mut requests = Vec::new();
        for query in [
            "grain",
            "grain cocoa",
            "port grain cocoa",
            "\"grain traders\"",
        ] {
            for limit in [1, 10, 200] {
                requests.push(SearchRequest {
                    query: query.to_string(),
                    limit,
                    ..SearchRequest::default()
                });
            }
            requests.push(SearchRequest {
                query: query.to_string(),
                limit: 10,
                sort: SortOrder::Newest,
                ..SearchRequest::default()
            });
            requests.push(SearchRequest {
                query: query.to_string(),
                limit: 10,
                dates: DateFilter::from_args(Some("1987-03"), Some("1987-06"), None).unwrap(),
                ..SearchRequest::default()
            });
            requests.push(SearchRequest {
                query: query.to_string(),
                limit: 10,
                ranking: Ranking {
                    all_words_first: true,
                    ..Ranking::default()
                },
                ..SearchRequest::default()
            });
        }
        for request in requests {
            let in_turn = forcing(Segments::InTurn, || search(&index, &request).unwrap());
            let in_parallel = forcing(Segments::InParallel, || search(&index, &request).unwrap());
            assert!(!in_turn.hits.is_empty(), "{request:?}");
            assert_eq!(in_parallel.hits, in_turn.hits, "{request:?}");
            assert_eq!(in_parallel.total_hits, in_turn.total_hits, "{request:?}");
        }
    }
}
