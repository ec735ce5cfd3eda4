//! Finding syndicated near-copies: the same wire story under another
//! headline, with a trailing paragraph added or a sentence trimmed.
//!
//! Each article gets a MinHash signature over its word 3-shingles (one
//! permutation hashing into 64 bins, densified), kept as 64 one-byte values
//! ("b-bit MinHash"), stored on the article's first passage as 16 bands of
//! 4 values ([`band_values`]). At the end of an indexing run that changed
//! the index, [`find_stories`] groups the indexed articles in one batch:
//! articles are compared only when they agree on a band (locality-sensitive
//! hashing), which finds pairs whose shingle sets overlap by half or more
//! almost surely, and two articles are one story when their whole
//! signatures estimate a Jaccard similarity of at least [`SAME_STORY`];
//! a story is what such pairs connect.
//!
//! Done in batch, the writer keeps no table of bands while it indexes (it
//! grew with the corpus, about 200 bytes an article), and the stories do
//! not depend on the order files were read in: an index updated run after
//! run groups its articles as a rebuild would.

use tantivy::columnar::Column;
use tantivy::{DocId, Searcher};

use crate::error::Result;
use crate::index::DatelineSchema;
use crate::index::spans::ArticleSpans;
use xxhash_rust::xxh3::xxh3_64;

/// Signature length in one-byte MinHash values.
pub const SIGNATURE_LEN: usize = 64;
/// Values per band...
const ROWS: usize = 4;
/// ...so 64 / 4 = 16 bands.
pub const BANDS: usize = SIGNATURE_LEN / ROWS;
/// Puts into `folded` the word's letters and digits, lowercased: what a
/// shingle hashes, so case and punctuation do not matter.
fn fold_word(word: &str, folded: &mut String) {
    folded.clear();
    if word.is_ascii() {
        folded.extend(
            word.bytes()
                .filter(u8::is_ascii_alphanumeric)
                .map(|b| char::from(b.to_ascii_lowercase())),
        );
    } else {
        folded.extend(
            word.chars()
                .filter(|c| c.is_alphanumeric())
                .flat_map(char::to_lowercase),
        );
    }
}

/// The estimated Jaccard similarity of shingle sets from which two articles
/// are one story.
pub const SAME_STORY: f64 = 0.7;

/// A b-bit MinHash signature.
pub type Signature = [u8; SIGNATURE_LEN];

/// The signature of a text: over word 3-shingles, case and punctuation
/// ignored. `None` for texts too short to say anything (under 8 words).
pub fn signature<'a>(words: impl Iterator<Item = &'a str>) -> Option<Signature> {
    // One buffer for every word: a fresh `String` per word was most of the
    // cost of a signature.
    let mut folded = String::new();
    let words: Vec<u64> = words
        .filter_map(|w| {
            fold_word(w, &mut folded);
            (!folded.is_empty()).then(|| xxh3_64(folded.as_bytes()))
        })
        .collect();
    if words.len() < 8 {
        return None;
    }
    // One permutation hashing: each shingle is hashed once; the top bits
    // pick a bin and each bin keeps its minimum, which costs one hash per
    // shingle instead of one per shingle and signature position.
    let mut minima = [u64::MAX; SIGNATURE_LEN];
    for shingle in words.windows(3) {
        let hash = mix(shingle[0] ^ mix(shingle[1] ^ mix(shingle[2])));
        let bin = (hash >> 58) as usize;
        let value = hash & ((1 << 58) - 1);
        minima[bin] = minima[bin].min(value);
    }
    // Empty bins (short texts) borrow from the next filled bin to the
    // right, marked by the distance, so equal texts still agree on them
    // ("rotation" densification). Eight words give six shingles, so at
    // least one bin is filled.
    let mut signature = [0u8; SIGNATURE_LEN];
    for (i, byte) in signature.iter_mut().enumerate() {
        let (distance, minimum) = (0..SIGNATURE_LEN)
            .map(|d| (d, minima[(i + d) % SIGNATURE_LEN]))
            .find(|&(_, m)| m != u64::MAX)
            .unwrap_or((0, 0));
        *byte = mix(minimum ^ (distance as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15)) as u8;
    }
    Some(signature)
}

/// The estimated Jaccard similarity of the shingle sets behind two
/// signatures (corrected for chance agreement of one-byte values).
pub fn similarity(a: &Signature, b: &Signature) -> f64 {
    let equal = a.iter().zip(b).filter(|(x, y)| x == y).count() as f64 / SIGNATURE_LEN as f64;
    let chance = 1.0 / 256.0;
    ((equal - chance) / (1.0 - chance)).max(0.0)
}

/// The bands of a signature as the first passage stores them: band `b`'s
/// four values as one big-endian `u32`, in band order (a column keeps a
/// document's values in the order they were added).
pub fn band_values(signature: &Signature) -> [u64; BANDS] {
    let mut values = [0u64; BANDS];
    for (value, bytes) in values.iter_mut().zip(signature.chunks(ROWS)) {
        *value = u64::from(u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]));
    }
    values
}

/// The signature behind [`band_values`].
fn signature_from_bands(values: impl Iterator<Item = u64>) -> Signature {
    let mut signature = [0u8; SIGNATURE_LEN];
    for (bytes, value) in signature.chunks_mut(ROWS).zip(values) {
        bytes.copy_from_slice(&(value as u32).to_be_bytes());
    }
    signature
}

/// How many of the articles before it (in article-id order) sharing a
/// band value an article is compared with, nearest first, until one is
/// found in its story: all of them in the usual run of two or three, a
/// bounded number in a long run (a band many unrelated articles share by
/// chance, or a story with many copies, whose copies are joined through
/// one another).
const COMPARED: usize = 8;

/// The band values of one segment's articles.
struct SegmentBands {
    bands: Column<u64>,
    ids: Column<u64>,
    /// Where each signed article's values start in the column, with the
    /// article's number, in doc order: a band is then one read.
    numbers: Vec<(u32, u32)>,
}

/// The articles that have a signature, numbered in article-id order, so
/// that the pairs compared do not depend on how the index is cut into
/// segments.
struct SignedArticles {
    segments: Vec<SegmentBands>,
    /// By number: the segment and the first passage.
    addresses: Vec<(u32, DocId)>,
}

impl SignedArticles {
    /// The signed articles `searcher` sees (deleted ones left out).
    fn read(searcher: &Searcher, fields: &DatelineSchema) -> Result<SignedArticles> {
        let bands_name = fields.schema.get_field_name(fields.bands);
        let ids_name = fields.schema.get_field_name(fields.article_id);
        let mut segments = Vec::new();
        let mut by_id: Vec<(u64, u32, DocId)> = Vec::new();
        for segment in searcher.segment_readers() {
            // A segment of articles too short for a signature has no column.
            let Some(bands) = segment.fast_fields().column_opt::<u64>(bands_name)? else {
                continue;
            };
            let ids = segment.fast_fields().u64(ids_name)?;
            let alive = segment.alive_bitset();
            let ord = segments.len() as u32;
            for doc in ArticleSpans::of(segment, fields)?.starts() {
                if alive.is_none_or(|alive| alive.is_alive(doc))
                    && bands.index.value_row_ids(doc).len() == BANDS
                {
                    by_id.push((ids.first(doc).unwrap_or(0), ord, doc));
                }
            }
            segments.push(SegmentBands {
                bands,
                ids,
                numbers: Vec::new(),
            });
        }
        by_id.sort_unstable();
        let mut addresses = Vec::with_capacity(by_id.len());
        for (number, &(_, ord, doc)) in by_id.iter().enumerate() {
            let segment = &mut segments[ord as usize];
            let row = segment.bands.index.value_row_ids(doc).start;
            segment.numbers.push((row, number as u32));
            addresses.push((ord, doc));
        }
        drop(by_id);
        for segment in &mut segments {
            segment.numbers.sort_unstable();
        }
        Ok(SignedArticles {
            segments,
            addresses,
        })
    }

    fn len(&self) -> usize {
        self.addresses.len()
    }

    /// Band `band` of every article, with its number: `value << 32 | number`.
    fn band_keys(&self, band: usize, keys: &mut Vec<u64>) {
        keys.clear();
        for segment in &self.segments {
            for &(row, number) in &segment.numbers {
                let value = segment.bands.values.get_val(row + band as u32) as u32;
                keys.push(u64::from(value) << 32 | u64::from(number));
            }
        }
    }

    fn article_id(&self, number: u32) -> u64 {
        let (ord, doc) = self.addresses[number as usize];
        self.segments[ord as usize].ids.first(doc).unwrap_or(0)
    }

    fn signature(&self, number: u32) -> Signature {
        let (ord, doc) = self.addresses[number as usize];
        let bands = &self.segments[ord as usize].bands;
        let rows = bands.index.value_row_ids(doc);
        signature_from_bands(rows.map(|row| bands.values.get_val(row)))
    }
}

/// Articles joined into stories: a union-find over their numbers.
struct Joined {
    parent: Vec<u32>,
}

impl Joined {
    fn new(len: usize) -> Joined {
        Joined {
            parent: (0..len as u32).collect(),
        }
    }

    fn find(&mut self, mut at: u32) -> u32 {
        while self.parent[at as usize] != at {
            let up = self.parent[at as usize];
            // Path halving: every other step points at its grandparent.
            self.parent[at as usize] = self.parent[up as usize];
            at = up;
        }
        at
    }

    fn join(&mut self, a: u32, b: u32) {
        let (a, b) = (self.find(a), self.find(b));
        self.parent[a.max(b) as usize] = a.min(b);
    }
}

/// The stories of the articles `searcher` sees: `(article id, story)`
/// for every article with a near-copy, the story named by the least
/// article id in it.
///
/// One pass per band: every signed article's value of the band, with its
/// number, sorted; each run of equal values is a set of candidates, each
/// checked with [`similarity`] against those before it in article-id
/// order ([`COMPARED`]). What it holds grows with the index, about 28 bytes a
/// signed article (the numbers both ways, the sorted band values, the
/// union-find); the writer frees its own tables first.
pub fn find_stories(searcher: &Searcher, fields: &DatelineSchema) -> Result<Vec<(u64, u64)>> {
    let signed = SignedArticles::read(searcher, fields)?;
    let mut joined = Joined::new(signed.len());
    let mut keys: Vec<u64> = Vec::with_capacity(signed.len());
    for band in 0..BANDS {
        signed.band_keys(band, &mut keys);
        keys.sort_unstable();
        for run in keys.chunk_by(|a, b| a >> 32 == b >> 32) {
            // Numbers follow article ids: a run is in article-id order.
            for (i, &key) in run.iter().enumerate().skip(1) {
                let b = key as u32;
                let story = joined.find(b);
                for &earlier in run[i.saturating_sub(COMPARED)..i].iter().rev() {
                    let a = earlier as u32;
                    if joined.find(a) == story {
                        break;
                    }
                    if similarity(&signed.signature(a), &signed.signature(b)) >= SAME_STORY {
                        joined.join(a, b);
                        break;
                    }
                }
            }
        }
    }
    drop(keys);
    // Every number pointed straight at its root, the least number of its
    // story, so the least article id: numbers follow ids.
    for number in 0..signed.len() as u32 {
        let root = joined.find(number);
        joined.parent[number as usize] = root;
    }
    let mut sizes = vec![0u32; signed.len()];
    for &root in &joined.parent {
        sizes[root as usize] += 1;
    }
    let mut members = Vec::new();
    for (number, &root) in joined.parent.iter().enumerate() {
        if sizes[root as usize] > 1 {
            members.push((signed.article_id(number as u32), signed.article_id(root)));
        }
    }
    Ok(members)
}

/// A 64-bit finaliser (from SplitMix64): spreads every input bit.
fn mix(mut x: u64) -> u64 {
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    const STORY: &str = "The central bank raised its key interest rate by half a point on Tuesday, \
        citing persistent inflation in food and energy prices. Analysts had expected a smaller move. \
        The governor said further increases could follow if wage growth did not slow, and markets fell \
        sharply after the announcement while the currency strengthened against the dollar.";

    fn sig(text: &str) -> Signature {
        signature(text.split_whitespace()).unwrap()
    }

    #[test]
    fn a_copy_with_a_trailing_paragraph_is_the_same_story() {
        let copy = format!("{STORY} Reporting by the wire service; editing by the desk.");
        assert!(similarity(&sig(STORY), &sig(&copy)) >= SAME_STORY);
        let (a, b) = (band_values(&sig(STORY)), band_values(&sig(&copy)));
        assert!(a.iter().zip(&b).any(|(x, y)| x == y), "no band shared");
    }

    #[test]
    fn a_different_story_is_not() {
        let other = "Heavy rain flooded the lower town overnight and the river burst its banks near \
            the old bridge. Residents were evacuated to the school and the army sent boats, while \
            the mayor asked for national help and forecasters warned of more storms this week.";
        assert!(similarity(&sig(STORY), &sig(other)) < 0.2);
        let (a, b) = (band_values(&sig(STORY)), band_values(&sig(other)));
        assert!(a.iter().zip(&b).all(|(x, y)| x != y));
    }

    #[test]
    fn bands_give_the_signature_back() {
        let signature = sig(STORY);
        assert_eq!(
            signature_from_bands(band_values(&signature).into_iter()),
            signature
        );
    }

    #[test]
    fn an_index_keeps_the_bands_of_an_article_in_order() {
        // Signatures are read back from the column value by value: the
        // column must keep a document's values in the order they were
        // added, through a merge too.
        use tantivy::schema::{FAST, Schema};
        let mut builder = Schema::builder();
        let bands = builder.add_u64_field("bands", FAST);
        let index = tantivy::Index::create_in_ram(builder.build());
        let mut writer: tantivy::IndexWriter = index.writer(15_000_000).unwrap();
        let descending: Vec<u64> = (0..BANDS as u64).rev().map(|v| v * 1000 + 7).collect();
        for _ in 0..2 {
            let mut doc = tantivy::TantivyDocument::new();
            for &value in &descending {
                doc.add_u64(bands, value);
            }
            writer.add_document(doc).unwrap();
            writer.commit().unwrap();
        }
        let segments = index.searchable_segment_ids().unwrap();
        writer.merge(&segments).wait().unwrap();
        writer.wait_merging_threads().unwrap();
        let reader = index.reader().unwrap();
        let searcher = reader.searcher();
        assert_eq!(searcher.segment_readers().len(), 1);
        let column = searcher.segment_readers()[0]
            .fast_fields()
            .u64("bands")
            .unwrap();
        for doc in 0..2 {
            assert_eq!(column.values_for_doc(doc).collect::<Vec<_>>(), descending);
        }
    }

    #[test]
    fn joined_articles_share_one_root_whatever_the_order() {
        let mut joined = Joined::new(10);
        joined.join(5, 9);
        joined.join(9, 2);
        joined.join(7, 8);
        assert_eq!(joined.find(5), joined.find(2));
        assert_eq!(joined.find(9), 2);
        assert_ne!(joined.find(7), joined.find(2));
        assert_eq!(joined.find(8), 7);
    }

    #[test]
    fn the_ascii_fast_path_folds_words_as_the_general_one_does() {
        // Signatures are kept in the file records, so folding must never
        // change: this is the original per-character spelling.
        let general = |w: &str| -> String {
            w.chars()
                .filter(|c| c.is_alphanumeric())
                .flat_map(char::to_lowercase)
                .collect()
        };
        let mut folded = String::new();
        for word in [
            "Reuters,",
            "U.S.",
            "1987-03-02",
            "--",
            "Zürich's",
            "ÉTÉ",
            "naïve",
            "x_y",
            "İstanbul",
        ] {
            fold_word(word, &mut folded);
            assert_eq!(folded, general(word), "{word}");
        }
    }

    #[test]
    fn case_and_punctuation_do_not_matter_and_short_texts_have_no_signature() {
        assert_eq!(sig(STORY), sig(&STORY.to_uppercase().replace(',', "")));
        assert_eq!(signature("too short to tell".split_whitespace()), None);
    }
}
