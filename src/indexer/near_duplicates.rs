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

use rustc_hash::FxHashMap;
use tantivy::columnar::Column;
use tantivy::{DocId, Searcher};

use crate::error::Result;
use crate::index::DatelineSchema;
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
/// four values as a big-endian `u32`, below `b << 32`, so the values stay
/// in band order however a column orders them.
pub fn band_values(signature: &Signature) -> [u64; BANDS] {
    let mut values = [0u64; BANDS];
    for (band, (value, bytes)) in values.iter_mut().zip(signature.chunks(ROWS)).enumerate() {
        let word = u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]);
        *value = (band as u64) << 32 | u64::from(word);
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

/// The articles of one segment that have a signature.
struct Signed {
    bands: Column<u64>,
    ids: Column<u64>,
    /// Their first passages, alive, in doc order.
    docs: Vec<DocId>,
    /// The number (over all segments) of the first of them.
    start: u32,
}

impl Signed {
    /// Band `band` of the article at `doc`.
    fn band(&self, doc: DocId, band: usize) -> u32 {
        let rows = self.bands.index.value_row_ids(doc);
        self.bands.values.get_val(rows.start + band as u32) as u32
    }
}

/// How many of the articles before it (in article-id order) sharing a
/// band value an article is compared with: all of them in the usual run
/// of two or three, a bounded number in a long run (a band many unrelated
/// articles share by chance, or a story with many copies, whose copies are
/// joined through one another).
const COMPARED: usize = 8;

/// The signed articles of every segment, numbered in segment order.
struct SignedArticles {
    segments: Vec<Signed>,
}

impl SignedArticles {
    /// The segment and first passage of the article numbered `number`.
    fn locate(&self, number: u32) -> (&Signed, DocId) {
        let at = self.segments.partition_point(|s| s.start <= number) - 1;
        let segment = &self.segments[at];
        (segment, segment.docs[(number - segment.start) as usize])
    }

    fn article_id(&self, number: u32) -> u64 {
        let (segment, doc) = self.locate(number);
        segment.ids.first(doc).unwrap_or(0)
    }

    fn signature(&self, number: u32) -> Signature {
        let (segment, doc) = self.locate(number);
        let rows = segment.bands.index.value_row_ids(doc);
        signature_from_bands(rows.map(|row| segment.bands.values.get_val(row)))
    }
}

/// Articles joined into stories: a union-find over the numbers of the
/// articles that have a near-copy (most have none, so a map).
#[derive(Default)]
struct Joined {
    parent: FxHashMap<u32, u32>,
}

impl Joined {
    fn find(&mut self, at: u32) -> u32 {
        let mut root = at;
        while let Some(&up) = self.parent.get(&root) {
            if up == root {
                break;
            }
            root = up;
        }
        // Path halving would need a second map lookup per step; pointing
        // the walked chain at the root is as cheap and as good.
        let mut next = at;
        while next != root {
            let up = self.parent.insert(next, root).unwrap_or(root);
            next = up;
        }
        root
    }

    fn join(&mut self, a: u32, b: u32) {
        let (a, b) = (self.find(a), self.find(b));
        self.parent.entry(a).or_insert(a);
        self.parent.entry(b).or_insert(b);
        if a != b {
            self.parent.insert(a.max(b), a.min(b));
        }
    }
}

/// The stories of the articles `searcher` sees: `(article id, story)`
/// for every article with a near-copy, the story named by the least
/// article id in it.
///
/// One pass per band: every signed article's value of the band, with its
/// number, sorted (8 bytes an article, the only memory that grows with
/// the index); each run of equal values is a set of candidates, put in
/// article-id order and each checked with [`similarity`] against the
/// [`COMPARED`] before it, so the pairs checked, and the stories, do not
/// depend on how the index is cut into segments.
pub fn find_stories(searcher: &Searcher, fields: &DatelineSchema) -> Result<Vec<(u64, u64)>> {
    let bands_name = fields.schema.get_field_name(fields.bands);
    let ids_name = fields.schema.get_field_name(fields.article_id);
    let mut segments = Vec::new();
    let mut total: u32 = 0;
    for segment in searcher.segment_readers() {
        // A segment of articles too short for a signature has no column.
        let Some(bands) = segment.fast_fields().column_opt::<u64>(bands_name)? else {
            continue;
        };
        let ids = segment.fast_fields().u64(ids_name)?;
        let alive = segment.alive_bitset();
        let docs: Vec<DocId> = (0..segment.max_doc())
            .filter(|&doc| alive.is_none_or(|alive| alive.is_alive(doc)))
            .filter(|&doc| bands.index.value_row_ids(doc).len() == BANDS)
            .collect();
        let start = total;
        total = total.saturating_add(u32::try_from(docs.len()).unwrap_or(u32::MAX));
        segments.push(Signed {
            bands,
            ids,
            docs,
            start,
        });
    }
    let signed = SignedArticles { segments };
    let mut joined = Joined::default();
    let mut keys: Vec<u64> = Vec::with_capacity(total as usize);
    let mut candidates: Vec<(u64, u32)> = Vec::new();
    for band in 0..BANDS {
        keys.clear();
        for segment in &signed.segments {
            for (at, &doc) in segment.docs.iter().enumerate() {
                let number = segment.start + at as u32;
                keys.push(u64::from(segment.band(doc, band)) << 32 | u64::from(number));
            }
        }
        keys.sort_unstable();
        for run in keys.chunk_by(|a, b| a >> 32 == b >> 32) {
            if run.len() < 2 {
                continue;
            }
            candidates.clear();
            candidates.extend(run.iter().map(|&key| {
                let number = key as u32;
                (signed.article_id(number), number)
            }));
            candidates.sort_unstable();
            for (i, &(_, b)) in candidates.iter().enumerate().skip(1) {
                for &(_, a) in candidates[i.saturating_sub(COMPARED)..i].iter().rev() {
                    if joined.parent.contains_key(&a)
                        && joined.parent.contains_key(&b)
                        && joined.find(a) == joined.find(b)
                    {
                        continue;
                    }
                    if similarity(&signed.signature(a), &signed.signature(b)) >= SAME_STORY {
                        joined.join(a, b);
                    }
                }
            }
        }
    }
    drop(keys);
    let numbers: Vec<u32> = joined.parent.keys().copied().collect();
    let mut story_of_root: FxHashMap<u32, u64> = FxHashMap::default();
    let mut members = Vec::with_capacity(numbers.len());
    for number in numbers {
        let root = joined.find(number);
        let id = signed.article_id(number);
        let story = story_of_root.entry(root).or_insert(id);
        *story = (*story).min(id);
        members.push((id, root));
    }
    Ok(members
        .into_iter()
        .map(|(id, root)| (id, story_of_root[&root]))
        .collect())
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
    fn bands_keep_their_order_and_give_the_signature_back() {
        let signature = sig(STORY);
        let mut values = band_values(&signature);
        assert!(values.windows(2).all(|w| w[0] >> 32 < w[1] >> 32));
        assert_eq!(signature_from_bands(values.iter().copied()), signature);
        values.sort_unstable();
        assert_eq!(signature_from_bands(values.into_iter()), signature);
    }

    #[test]
    fn joined_articles_share_one_root_whatever_the_order() {
        let mut joined = Joined::default();
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
