//! In how many of a segment's articles each common word occurs, counted
//! once when the segment is written.
//!
//! Ranking weighs a word by the articles using it (in their text or their
//! title), not by the passages, and a segment's postings alone do not say
//! that: search would read every posting of every query word in every
//! segment, whatever the query matched there. For a phrase, or a search
//! within dates, that walk was most of the work (a third of a date-filtered
//! search at ten million articles). So the indexer counts, for each word
//! of a segment's text with at least [`LEAST_POSTINGS`] postings, the
//! articles using it, and writes the counts next to the segment's files
//! (`<segment id>.wordarticles`); search reads a count from there and
//! walks only the postings of rarer words, which are cheap.
//!
//! The counts include deleted documents, as the segment was written.
//! A file that is missing, damaged or for another segment is ignored:
//! search then counts as before, so a file lost to a crash costs time,
//! never a result.

use std::path::PathBuf;

use tantivy::SegmentReader;
use tantivy::directory::{Directory, MmapDirectory, OwnedBytes};
use tantivy::index::SegmentId;
use tantivy::termdict::TermOrdinal;

/// Words with fewer postings than this in a segment's text are not
/// counted: reading their postings costs less than keeping their count.
pub(crate) const LEAST_POSTINGS: u32 = 256;

/// The file's first bytes, with its version.
const MAGIC: &[u8; 8] = b"DLWART01";
/// Magic, the segment's document count and the number of entries.
const HEADER_BYTES: usize = 16;
/// A word's term ordinal in the text field and its article count.
const ENTRY_BYTES: usize = 8;

/// How the name of a file of counts ends.
pub(crate) const SUFFIX: &str = ".wordarticles";

/// The name of `segment`'s file of counts in the index folder.
pub(crate) fn file_name(segment: SegmentId) -> PathBuf {
    PathBuf::from(format!("{}{SUFFIX}", segment.uuid_string()))
}

/// The bytes of a file of counts: `counts` are (term ordinal in the text
/// field, articles using the word), by increasing ordinal.
pub(crate) fn encode(max_doc: u32, counts: &[(u32, u32)]) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(HEADER_BYTES + counts.len() * ENTRY_BYTES);
    bytes.extend_from_slice(MAGIC);
    bytes.extend_from_slice(&max_doc.to_le_bytes());
    bytes.extend_from_slice(&(counts.len() as u32).to_le_bytes());
    for &(ord, articles) in counts {
        bytes.extend_from_slice(&ord.to_le_bytes());
        bytes.extend_from_slice(&articles.to_le_bytes());
    }
    bytes
}

/// One segment's counts, read in place (mapped).
pub(crate) struct WordArticles {
    entries: OwnedBytes,
}

impl WordArticles {
    /// The counts written for `segment`, if its file is there and whole.
    /// `directory` is the index folder opened without tantivy's managed
    /// layer, which refuses files that lack its footer.
    pub(crate) fn open(directory: &MmapDirectory, segment: &SegmentReader) -> Option<WordArticles> {
        let name = file_name(segment.segment_id());
        let bytes = directory.open_read(&name).ok()?.read_bytes().ok()?;
        WordArticles::from_bytes(bytes, segment.max_doc())
    }

    fn from_bytes(bytes: OwnedBytes, max_doc: u32) -> Option<WordArticles> {
        let header = bytes.as_slice().get(..HEADER_BYTES)?;
        let u32_at = |at: usize| u32::from_le_bytes(header[at..at + 4].try_into().unwrap());
        let entries = u32_at(12) as usize;
        let whole = bytes.len() == HEADER_BYTES + entries * ENTRY_BYTES;
        (&header[..8] == MAGIC && u32_at(8) == max_doc && whole).then(|| WordArticles {
            entries: bytes.slice(HEADER_BYTES..bytes.len()),
        })
    }

    /// In how many articles the word with term ordinal `ord` in the text
    /// field occurs, in their text or title; `None` for a word with too
    /// few postings to be counted.
    pub(crate) fn articles(&self, ord: TermOrdinal) -> Option<u64> {
        let entries = self.entries.as_slice();
        // The `at`th byte's u32 of entry `i`.
        let half = |i: usize, at: usize| {
            let start = i * ENTRY_BYTES + at;
            u64::from(u32::from_le_bytes(
                entries[start..start + 4].try_into().unwrap(),
            ))
        };
        let (mut low, mut high) = (0, entries.len() / ENTRY_BYTES);
        while low < high {
            let middle = (low + high) / 2;
            match half(middle, 0).cmp(&ord) {
                std::cmp::Ordering::Less => low = middle + 1,
                std::cmp::Ordering::Greater => high = middle,
                std::cmp::Ordering::Equal => return Some(half(middle, 4)),
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_are_found_by_ordinal_and_damaged_files_refused() {
        let counts = [(3, 10), (7, 2), (8, 300), (1000, 1)];
        let bytes = encode(50, &counts);
        let read = WordArticles::from_bytes(OwnedBytes::new(bytes.clone()), 50).unwrap();
        for (ord, articles) in counts {
            assert_eq!(read.articles(u64::from(ord)), Some(u64::from(articles)));
        }
        for missing in [0, 4, 9, 999, 1001] {
            assert_eq!(read.articles(missing), None);
        }
        // Another segment's, cut short, or not a file of counts at all.
        assert!(WordArticles::from_bytes(OwnedBytes::new(bytes.clone()), 51).is_none());
        let cut = bytes[..bytes.len() - 1].to_vec();
        assert!(WordArticles::from_bytes(OwnedBytes::new(cut), 50).is_none());
        let mut other = bytes;
        other[0] = b'X';
        assert!(WordArticles::from_bytes(OwnedBytes::new(other), 50).is_none());
        assert!(WordArticles::from_bytes(OwnedBytes::new(Vec::new()), 50).is_none());
    }
}
