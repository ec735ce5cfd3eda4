//! Counting, for each segment committed, the articles its common words
//! occur in, which search reads instead of walking their postings (see
//! [`crate::index::word_articles`]).
//!
//! A segment's documents never change, so its counts are made once, after
//! the commit that brings it (or the merge that makes it), and forgotten
//! with it. The files are a help to search, not part of the index: one
//! that cannot be written is left out, and search counts as it would
//! without.

use std::collections::HashSet;
use std::io::Write;
use std::path::Path;

use rayon::prelude::*;
use tantivy::schema::IndexRecordOption;
use tantivy::{SegmentMeta, SegmentReader};

use crate::error::Result;
use crate::index::spans::{ArticleSpans, for_each_doc};
use crate::index::word_articles::{LEAST_POSTINGS, SUFFIX, encode, file_name};
use crate::index::{DatelineSchema, OpenIndex};

/// How the name of a file of counts being written ends.
const WRITING: &str = ".wordarticles.part";

/// Writes the counts of every segment of the last commit that has none,
/// on rayon's threads, and removes those of segments merged away.
pub(crate) fn write_missing(index: &OpenIndex) {
    let Ok(metas) = index.index.searchable_segment_metas() else {
        return;
    };
    forget_others(&index.path, &metas);
    metas
        .par_iter()
        .filter(|meta| !index.path.join(file_name(meta.id())).exists())
        .for_each(|meta| {
            // A segment that cannot be read or a file that cannot be
            // written leaves search counting as without the file.
            let _ = write_one(index, meta);
        });
}

/// Removes files of counts (whole or half-written) of segments `metas` do
/// not list.
fn forget_others(folder: &Path, metas: &[SegmentMeta]) {
    let kept: HashSet<String> = metas
        .iter()
        .map(|meta| file_name(meta.id()).to_string_lossy().into_owned())
        .collect();
    let Ok(entries) = std::fs::read_dir(folder) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let ours = name.ends_with(SUFFIX) || name.ends_with(WRITING);
        if ours && !kept.contains(&name) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// Counts one segment and writes its file: under another name first, made
/// durable and then renamed, so a crash leaves a whole file or none.
fn write_one(index: &OpenIndex, meta: &SegmentMeta) -> Result<()> {
    let segment = SegmentReader::open(&index.index.segment(meta.clone()))?;
    let counts = count(&segment, &index.fields)?;
    let bytes = encode(segment.max_doc(), &counts);
    let target = index.path.join(file_name(meta.id()));
    let part = target.with_extension(&WRITING[1..]);
    let io = |source| crate::error::Error::Io {
        path: part.clone(),
        source,
    };
    let mut file = std::fs::File::create(&part).map_err(io)?;
    file.write_all(&bytes).map_err(io)?;
    file.sync_all().map_err(io)?;
    std::fs::rename(&part, &target).map_err(io)?;
    Ok(())
}

/// For each word of the segment's text with at least [`LEAST_POSTINGS`]
/// postings, by term ordinal, the articles using it in their text or
/// their title (deleted ones included).
pub(crate) fn count(segment: &SegmentReader, fields: &DatelineSchema) -> Result<Vec<(u32, u32)>> {
    let spans = ArticleSpans::of(segment, fields)?;
    let text = segment.inverted_index(fields.text)?;
    let title = segment.inverted_index(fields.title)?;
    let mut using = vec![0u64; spans.articles().div_ceil(64).max(1)];
    let mut counts = Vec::new();
    let mut words = text.terms().stream()?;
    while words.advance() {
        let info = words.value();
        let Ok(ord) = u32::try_from(words.term_ord()) else {
            break;
        };
        if info.doc_freq < LEAST_POSTINGS {
            continue;
        }
        using.fill(0);
        let mut mark = |doc| {
            let article = spans.article_number(doc);
            using[article / 64] |= 1 << (article % 64);
        };
        let mut postings =
            text.read_block_postings_from_terminfo(info, IndexRecordOption::Basic)?;
        for_each_doc(&mut postings, &mut mark);
        if let Some(info) = title.terms().get(words.key())? {
            let mut postings =
                title.read_block_postings_from_terminfo(&info, IndexRecordOption::Basic)?;
            for_each_doc(&mut postings, &mut mark);
        }
        let articles = using.iter().map(|bits| bits.count_ones()).sum();
        counts.push((ord, articles));
    }
    Ok(counts)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::OpenIndex;
    use crate::indexer::index_on_one_thread;
    use std::path::PathBuf;

    /// An index of one article in a temporary folder, and the index's
    /// folder; the folder goes when the first value is dropped.
    fn one_article() -> (tempfile::TempDir, PathBuf, OpenIndex) {
        let folder = tempfile::tempdir().unwrap();
        let articles = folder.path().join("articles");
        std::fs::create_dir(&articles).unwrap();
        std::fs::write(articles.join("a.txt"), " date 1987-03-02 Cranes stood.\n").unwrap();
        let index_dir = folder.path().join("index");
        let index = index_on_one_thread(articles, &index_dir);
        (folder, index_dir, index)
    }

    /// Every segment of the last commit has its file, and files of
    /// segments gone (or left half-written) are removed.
    #[test]
    fn each_segment_has_its_file_and_no_other_is_kept() {
        let (_folder, index_dir, index) = one_article();
        let gone = "0123456789abcdef0123456789abcdef";
        for name in [format!("{gone}{SUFFIX}"), format!("{gone}{WRITING}")] {
            std::fs::write(index_dir.join(name), b"left over").unwrap();
        }
        std::fs::remove_file(index_dir.join(file_name(
            index.index.searchable_segment_metas().unwrap()[0].id(),
        )))
        .unwrap();
        write_missing(&index);
        let mut found: Vec<String> = std::fs::read_dir(&index_dir)
            .unwrap()
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|name| name.ends_with(SUFFIX) || name.ends_with(WRITING))
            .collect();
        found.sort();
        let mut expected: Vec<String> = (index.index.searchable_segment_metas().unwrap())
            .iter()
            .map(|meta| file_name(meta.id()).to_string_lossy().into_owned())
            .collect();
        expected.sort();
        assert_eq!(found, expected);
    }

    /// A search that found no file for a segment finds it once written:
    /// a server keeps its index open while the indexer writes the files
    /// of the segments it has just committed.
    #[test]
    fn a_file_written_after_a_search_is_found_by_the_next() {
        let (_folder, index_dir, index) = one_article();
        let searcher = index.snapshot().unwrap();
        let segment = index.index.searchable_segment_metas().unwrap()[0].id();
        std::fs::remove_file(index_dir.join(file_name(segment))).unwrap();
        assert!(index.word_articles(&searcher).iter().all(Option::is_none));
        write_missing(&index);
        assert!(index.word_articles(&searcher).iter().all(Option::is_some));
    }
}
