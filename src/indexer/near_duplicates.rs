//! Finding syndicated near-copies: the same wire story under another
//! headline, with a trailing paragraph added or a sentence trimmed.
//!
//! Each article gets a MinHash signature over its word 3-shingles (one
//! permutation hashing into 64 bins, densified), kept as 64 one-byte values
//! ("b-bit MinHash"): 64 bytes an article, small enough to
//! keep in the file records. Articles are compared only when they agree on
//! one of 16 bands of 4 values (locality-sensitive hashing), which finds
//! pairs whose shingle sets overlap by half or more almost surely; a
//! candidate joins a story when the whole signatures estimate a Jaccard
//! similarity of at least [`SAME_STORY`].

use xxhash_rust::xxh3::xxh3_64;

/// Signature length in one-byte MinHash values.
pub const SIGNATURE_LEN: usize = 64;
/// Values per band: 64 / 4 = 16 bands.
const ROWS: usize = 4;
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

/// The LSH keys of a signature: one per band.
pub fn band_keys(signature: &Signature) -> impl Iterator<Item = u64> + '_ {
    signature.chunks(ROWS).enumerate().map(|(band, values)| {
        let mut key = (band as u64) << 32;
        for &value in values {
            key = (key << 8) | u64::from(value);
        }
        key
    })
}

/// Articles by band, to find an article's candidate near-copies.
///
/// A band remembers only the latest article that had it, by a 32-bit
/// handle the caller gives (its place in the file records), with the band
/// key folded to 32 bits: eight bytes an entry. A folded key that collides
/// only yields a candidate, which the caller checks against the full
/// signature.
///
/// The table is bounded. A band has two buckets of [`WAYS`] entries (a
/// cache line each) it may sit in; the table doubles when half full or
/// when both buckets are, so up to [`MOST_ENTRIES`] (16 MB) no band is
/// lost, and from then on a band takes the place of the one least
/// recently given in its first bucket. So memory stops growing with the
/// corpus, and what is forgotten is what no article had for longest:
/// copies of a story are found as long as some copy had the band within
/// the last two million bands or so (about 135,000 news articles of 15
/// distinct bands), however old its first article.
pub struct StoryIndex {
    /// Buckets of [`WAYS`] entries, each newest first: the folded key in
    /// the high half, the handle in the low; [`EMPTY`] when unused.
    entries: Vec<u64>,
    /// How many entries are used.
    used: usize,
    /// The most entries the table grows to.
    most: usize,
}

/// Entries a bucket: one cache line.
const WAYS: usize = 8;
/// The most entries a [`StoryIndex`] holds.
const MOST_ENTRIES: usize = 1 << 21;
/// An unused entry (no handle is `u32::MAX`: the article table is
/// smaller).
const EMPTY: u64 = u64::MAX;

impl Default for StoryIndex {
    fn default() -> StoryIndex {
        StoryIndex::bounded(MOST_ENTRIES)
    }
}

impl StoryIndex {
    /// A table that holds at most `most` entries (a power of two).
    pub fn bounded(most: usize) -> StoryIndex {
        StoryIndex {
            entries: vec![EMPTY; (WAYS * 64).min(most)],
            used: 0,
            most,
        }
    }

    /// The handles of articles sharing a band with `signature`, to be
    /// checked with [`similarity`].
    pub fn candidates<'a>(&'a self, signature: &'a Signature) -> impl Iterator<Item = u32> + 'a {
        self.prefetch(signature);
        band_keys(signature).filter_map(|key| {
            let key = fold(key);
            self.buckets(key).into_iter().find_map(|at| {
                let bucket = &self.entries[at..at + WAYS];
                let found = bucket.iter().position(|&entry| holds(entry, key))?;
                Some(bucket[found] as u32)
            })
        })
    }

    /// Adds an article under `handle`.
    pub fn insert(&mut self, signature: &Signature, handle: u32) {
        self.prefetch(signature);
        for key in band_keys(signature) {
            self.put(fold(key), handle);
        }
    }

    /// Has the buckets of every band of `signature` brought into the cache
    /// together: the table is larger than the cache, so each band's
    /// lookup would otherwise wait for memory in turn. The first entry of
    /// each bucket is read; the reads do not depend on one another, so
    /// the processor makes them at once.
    fn prefetch(&self, signature: &Signature) {
        let mut touched = 0;
        for key in band_keys(signature) {
            for at in self.buckets(fold(key)) {
                touched ^= self.entries[at];
            }
        }
        std::hint::black_box(touched);
    }

    /// Adds an article older than every one added so far, when the table
    /// is filled from the records newest first: a band a newer article has
    /// stays with it, and at the bound a band goes only where there is
    /// room (it is the least recently given of all). Built so, the table
    /// holds what adding the articles oldest first leaves in it (the same
    /// below the bound, nearly the same at it), without putting in the
    /// bands the bound would forget.
    pub fn insert_older(&mut self, signature: &Signature, handle: u32) {
        for key in band_keys(signature) {
            self.put_older(fold(key), handle);
        }
    }

    /// Whether the table is at its bound and nearly every entry is used:
    /// older articles would add next to nothing.
    pub fn is_full(&self) -> bool {
        self.entries.len() >= self.most && self.used >= self.entries.len() / 16 * 15
    }

    fn put_older(&mut self, key: u32, handle: u32) {
        let [first, second] = self.buckets(key);
        let has = |at: usize| self.entries[at..at + WAYS].iter().any(|&e| holds(e, key));
        if has(first) || has(second) {
            return;
        }
        // Last in its bucket: older than what is there.
        if let Some(at) = self.room_for(key) {
            self.entries[at] = (u64::from(key) << 32) | u64::from(handle);
            self.used += 1;
        }
    }

    /// Where a new band `key` can go: the first free entry of the emptier
    /// of its buckets (two choices keep the buckets even, so they fill up
    /// together), the table doubled first when half full or when both are
    /// full. `None` at the bound with both full.
    fn room_for(&mut self, key: u32) -> Option<usize> {
        loop {
            let growing = self.entries.len() < self.most;
            if growing && self.used * 2 >= self.entries.len() {
                self.grow();
                continue;
            }
            let [first, second] = self.buckets(key);
            let free = |at: usize| self.entries[at..at + WAYS].iter().position(|&e| e == EMPTY);
            match (free(first), free(second)) {
                (Some(a), Some(b)) if b < a => return Some(second + b),
                (Some(a), _) => return Some(first + a),
                (None, Some(b)) => return Some(second + b),
                (None, None) if growing => self.grow(),
                (None, None) => return None,
            }
        }
    }

    /// How many entries the table has room for.
    #[cfg(test)]
    fn room(&self) -> usize {
        self.entries.len()
    }

    /// Where the two buckets `key` may sit in start.
    fn buckets(&self, key: u32) -> [usize; 2] {
        let mask = self.entries.len() / WAYS - 1;
        [
            (key as usize & mask) * WAYS,
            (key.rotate_right(16) as usize & mask) * WAYS,
        ]
    }

    /// Gives the band `key` to `handle`, first in its bucket.
    fn put(&mut self, key: u32, handle: u32) {
        let entry = (u64::from(key) << 32) | u64::from(handle);
        let [first, second] = self.buckets(key);
        // The band's own entry, wherever it is.
        for at in [first, second] {
            let bucket = &mut self.entries[at..at + WAYS];
            if let Some(found) = bucket.iter().position(|&e| holds(e, key)) {
                bucket[..=found].rotate_right(1);
                bucket[0] = entry;
                return;
            }
        }
        match self.room_for(key) {
            Some(at) => {
                let bucket = at / WAYS * WAYS;
                self.entries[bucket..=at].rotate_right(1);
                self.entries[bucket] = entry;
                self.used += 1;
            }
            // Both full at the bound: the least recently given band goes
            // (the table may have grown since `first` was found).
            None => {
                let [first, _] = self.buckets(key);
                let bucket = &mut self.entries[first..first + WAYS];
                bucket.rotate_right(1);
                bucket[0] = entry;
            }
        }
    }

    /// Doubles the table, keeping every entry and each bucket's order.
    fn grow(&mut self) {
        let doubled = vec![EMPTY; self.entries.len() * 2];
        let old = std::mem::replace(&mut self.entries, doubled);
        self.used = 0;
        for bucket in old.chunks_exact(WAYS) {
            for &entry in bucket.iter().rev().filter(|&&entry| entry != EMPTY) {
                self.put((entry >> 32) as u32, entry as u32);
            }
        }
    }
}

/// Whether `entry` is the band `key`'s.
fn holds(entry: u64, key: u32) -> bool {
    entry != EMPTY && (entry >> 32) as u32 == key
}

fn fold(key: u64) -> u32 {
    let mixed = mix(key);
    (mixed ^ (mixed >> 32)) as u32
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
        let mut index = StoryIndex::default();
        index.insert(&sig(STORY), 7);
        assert!(index.candidates(&sig(&copy)).any(|handle| handle == 7));
    }

    #[test]
    fn a_different_story_is_not() {
        let other = "Heavy rain flooded the lower town overnight and the river burst its banks near \
            the old bridge. Residents were evacuated to the school and the army sent boats, while \
            the mayor asked for national help and forecasters warned of more storms this week.";
        assert!(similarity(&sig(STORY), &sig(other)) < 0.2);
        let mut index = StoryIndex::default();
        index.insert(&sig(STORY), 7);
        assert_eq!(index.candidates(&sig(other)).count(), 0);
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

    /// A signature whose 16 bands are all distinct from any other `n`'s.
    fn numbered(n: u32) -> Signature {
        let mut signature = [0u8; SIGNATURE_LEN];
        for (band, values) in signature.chunks_mut(ROWS).enumerate() {
            let word = n.wrapping_mul(16).wrapping_add(band as u32).to_le_bytes();
            values.copy_from_slice(&word);
        }
        signature
    }

    #[test]
    fn below_its_bound_the_band_table_forgets_nothing_and_past_it_the_oldest() {
        let most = 1 << 12;
        let mut index = StoryIndex::bounded(most);
        // 40 articles are 640 bands, more than the table starts with: it
        // grows and keeps them all.
        for n in 0..40 {
            index.insert(&numbered(n), n);
        }
        // Grown at half full: between two and four entries a band.
        assert!(index.room() > 2 * 640 && index.room() <= 4 * 640);
        for n in 0..40 {
            assert_eq!(index.candidates(&numbered(n)).count(), 16, "{n}");
            assert!(index.candidates(&numbered(n)).all(|handle| handle == n));
        }
        // Ten times as many: the table stays at its bound, the latest
        // articles are found whole and the first ones are forgotten.
        for n in 40..2_000 {
            index.insert(&numbered(n), n);
        }
        assert_eq!(index.room(), most);
        for n in 1_950..2_000 {
            assert!(index.candidates(&numbered(n)).count() >= 14, "{n}");
        }
        let remembered: usize = (0..40)
            .map(|n| index.candidates(&numbered(n)).count())
            .sum();
        assert!(remembered < 40, "{remembered} old bands still remembered");
        // A band given again moves to the front: an old story that keeps
        // coming back is not forgotten.
        let mut index = StoryIndex::bounded(most);
        for n in 0..2_000 {
            index.insert(&numbered(0), 0);
            index.insert(&numbered(n + 1), n + 1);
        }
        assert_eq!(index.candidates(&numbered(0)).count(), 16);
    }

    #[test]
    fn loading_newest_first_finds_what_adding_oldest_first_does() {
        let most = 1 << 12;
        // Articles share bands with the one 7 before them.
        let article = |n: u32| {
            let mut signature = numbered(n);
            signature[..ROWS * 8].copy_from_slice(&numbered(n / 7)[..ROWS * 8]);
            signature
        };
        let found = |index: &StoryIndex, n: u32| index.candidates(&article(n)).collect::<Vec<_>>();
        // Below the bound: the same latest article for every band.
        let (mut forward, mut backward) = (StoryIndex::bounded(most), StoryIndex::bounded(most));
        for n in 0..40 {
            forward.insert(&article(n), n);
        }
        for n in (0..40).rev() {
            backward.insert_older(&article(n), n);
        }
        for n in 0..60 {
            assert_eq!(found(&forward, n), found(&backward, n), "{n}");
        }
        // Past it: loading stops once full, and the newest articles are
        // found whole, with the latest holder of each band.
        let mut backward = StoryIndex::bounded(most);
        let mut loaded = 0;
        for n in (0..2_000).rev() {
            if backward.is_full() {
                break;
            }
            backward.insert_older(&article(n), n);
            loaded += 1;
        }
        assert!(backward.is_full() && loaded < 2_000, "{loaded} loaded");
        for n in 1_950..2_000 {
            assert_eq!(found(&backward, n).len(), 16, "{n}");
            assert!(
                found(&backward, n)
                    .iter()
                    .all(|&h| h >= n || h / 7 == n / 7)
            );
        }
    }

    #[test]
    fn case_and_punctuation_do_not_matter_and_short_texts_have_no_signature() {
        assert_eq!(sig(STORY), sig(&STORY.to_uppercase().replace(',', "")));
        assert_eq!(signature("too short to tell".split_whitespace()), None);
    }
}
