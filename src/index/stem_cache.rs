//! Snowball stemming with a memory of the words already stemmed.
//!
//! Stemming was the largest single cost of indexing (about a fifth of all
//! CPU time on the news folder), while a corpus repeats the same few
//! thousand words over and over. [`CachedStemmer`] gives exactly the stems
//! of tantivy's [`Stemmer`] (a miss asks it), but looks each word up first.
//! Each tokenizer instance (one per indexing thread and segment) keeps its
//! own bounded table, so nothing is shared or locked.
//!
//! The table is direct-mapped: a flat array of 32-byte entries holding a
//! short word and its stem inline, the word's hash choosing its entry, a
//! newer word taking over an entry from an older one. A lookup is one hash
//! of two machine words and one cache line. A map from `String` to
//! `String` cost a probe, a pointer chase to the key and a `memcmp` call
//! per token: 12% of all indexing CPU at a million articles (perf,
//! generated corpus); this table takes about 3% less CPU in all. Words too
//! long to fit inline are rare and are stemmed each time.

use tantivy::tokenizer::{
    Language, RawTokenizer, Stemmer, TextAnalyzer, Token, TokenFilter, TokenStream, Tokenizer,
};

/// The longest word (and stem), in bytes, the table holds.
const INLINE: usize = 15;
/// Table entries at most, a power of two: 4 MiB per tokenizer. A table
/// that fits a core's L2 cache (2^14) measured no faster: the misses it
/// saves are paid back in words stemmed again.
const SLOTS: usize = 1 << 17;
/// Table entries at first: a query or a highlighted passage stems a few
/// words, and must not pay for zeroing 4 MiB (it did: 8% of a search).
const FIRST_SLOTS: usize = 1 << 9;

/// A [`TokenFilter`] that stems like tantivy's [`Stemmer`], remembering
/// the stems it has computed.
#[derive(Clone)]
pub struct CachedStemmer {
    language: Language,
}

impl CachedStemmer {
    /// Stems words of `language`.
    pub fn new(language: Language) -> CachedStemmer {
        CachedStemmer { language }
    }
}

impl TokenFilter for CachedStemmer {
    type Tokenizer<T: Tokenizer> = CachedStemmerFilter<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> CachedStemmerFilter<T> {
        CachedStemmerFilter {
            inner: tokenizer,
            stems: Stems {
                stemmer: TextAnalyzer::builder(RawTokenizer::default())
                    .filter(Stemmer::new(self.language))
                    .build(),
                table: Vec::new(),
                stored: 0,
            },
        }
    }
}

/// The tokenizer [`CachedStemmer`] builds.
#[derive(Clone)]
pub struct CachedStemmerFilter<T> {
    inner: T,
    stems: Stems,
}

/// tantivy's stemmer applied to one word at a time, and its results.
#[derive(Clone)]
struct Stems {
    stemmer: TextAnalyzer,
    /// A power of two of entries, from `FIRST_SLOTS` once the first word
    /// is stemmed to `SLOTS`, growing fourfold whenever the words stored
    /// reach half of it; a word's entry is fixed by its hash, and a newer
    /// word with the same entry takes it over.
    table: Vec<Entry>,
    /// Words stored since the table last grew.
    stored: usize,
}

/// A word and its stem, each [`padded`].
#[derive(Clone, Copy)]
#[repr(C, align(32))]
struct Entry {
    word: Padded,
    stem: Padded,
}

/// A short text zero-padded to [`INLINE`] bytes, its length in the last
/// byte. All zeros is no text's padding (tokens are never empty), so it
/// marks a free entry.
type Padded = [u8; INLINE + 1];

const FREE: Entry = Entry {
    word: [0; INLINE + 1],
    stem: [0; INLINE + 1],
};

impl Stems {
    /// Replaces the token's text with its stem.
    fn stem(&mut self, token: &mut Token) {
        let Some(word) = padded(&token.text) else {
            // Too long to remember: stem it every time.
            token.text = self.compute(&token.text);
            return;
        };
        if self.table.is_empty() {
            self.table = vec![FREE; FIRST_SLOTS];
        }
        let at = slot_of(&word, self.table.len());
        let entry = &self.table[at];
        if entry.word == word {
            let stem = &entry.stem[..usize::from(entry.stem[INLINE])];
            token.text.clear();
            // Only whole UTF-8 stems are stored (they came from a `String`).
            token
                .text
                .push_str(std::str::from_utf8(stem).unwrap_or_default());
            return;
        }
        let stem = self.compute(&token.text);
        if let Some(padded_stem) = padded(&stem) {
            self.table[at] = Entry {
                word,
                stem: padded_stem,
            };
            self.stored += 1;
            if self.stored * 2 >= self.table.len() && self.table.len() < SLOTS {
                self.grow();
            }
        }
        token.text = stem;
    }

    /// Moves the entries into a table four times the size.
    fn grow(&mut self) {
        let size = (self.table.len() * 4).min(SLOTS);
        let old = std::mem::replace(&mut self.table, vec![FREE; size]);
        for entry in old.into_iter().filter(|entry| entry.word[INLINE] != 0) {
            self.table[slot_of(&entry.word, size)] = entry;
        }
        self.stored = 0;
    }

    /// Asks tantivy's stemmer.
    fn compute(&mut self, word: &str) -> String {
        let mut stream = self.stemmer.token_stream(word);
        if stream.advance() {
            std::mem::take(&mut stream.token_mut().text)
        } else {
            word.to_string()
        }
    }
}

/// `text` as a [`Padded`], if it fits.
fn padded(text: &str) -> Option<Padded> {
    let bytes = text.as_bytes();
    if bytes.len() > INLINE {
        return None;
    }
    let mut padded = [0; INLINE + 1];
    padded[..bytes.len()].copy_from_slice(bytes);
    padded[INLINE] = bytes.len() as u8;
    Some(padded)
}

/// The entry of a padded word in a table of `size` (a power of two): its
/// two halves mixed FxHash-style.
fn slot_of(word: &Padded, size: usize) -> usize {
    const K: u64 = 0xf135_7aea_2e62_a9c5;
    let half = |bytes: &[u8]| {
        let mut half = [0; 8];
        half.copy_from_slice(bytes);
        u64::from_le_bytes(half)
    };
    let hash = (half(&word[..8]).wrapping_mul(K) ^ half(&word[8..])).wrapping_mul(K);
    (hash >> 32) as usize & (size - 1)
}

impl<T: Tokenizer> Tokenizer for CachedStemmerFilter<T> {
    type TokenStream<'a> = CachedStemmerStream<'a, T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        CachedStemmerStream {
            tail: self.inner.token_stream(text),
            stems: &mut self.stems,
        }
    }
}

/// The token stream of [`CachedStemmerFilter`].
pub struct CachedStemmerStream<'a, T> {
    tail: T,
    stems: &'a mut Stems,
}

impl<T: TokenStream> TokenStream for CachedStemmerStream<'_, T> {
    fn advance(&mut self) -> bool {
        if !self.tail.advance() {
            return false;
        }
        self.stems.stem(self.tail.token_mut());
        true
    }

    fn token(&self) -> &Token {
        self.tail.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.tail.token_mut()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::tokenizer::{LowerCaser, SimpleTokenizer};

    fn tokens(analyzer: &mut TextAnalyzer, text: &str) -> Vec<(String, usize, usize, usize)> {
        let mut stream = analyzer.token_stream(text);
        let mut out = Vec::new();
        while stream.advance() {
            let t = stream.token();
            out.push((t.text.clone(), t.position, t.offset_from, t.offset_to));
        }
        out
    }

    #[test]
    fn stems_exactly_as_tantivys_stemmer_including_repeated_words() {
        let text = "Banks banking banked; the bank's running runners ran. Banks running \
            generously generous generously 1987 Zürich zurich naïve ÉTÉ \
            internationalisations internationalisations counterrevolutionaries";
        for language in [Language::English, Language::French, Language::German] {
            let mut plain = TextAnalyzer::builder(SimpleTokenizer::default())
                .filter(LowerCaser)
                .filter(Stemmer::new(language))
                .build();
            let mut cached = TextAnalyzer::builder(SimpleTokenizer::default())
                .filter(LowerCaser)
                .filter(CachedStemmer::new(language))
                .build();
            let expected = tokens(&mut plain, text);
            assert!(expected.iter().any(|t| t.0 == "bank"));
            // Twice through the same analyzer: the second pass is served
            // from the table.
            assert_eq!(tokens(&mut cached, text), expected, "{language:?}");
            assert_eq!(tokens(&mut cached, text), expected, "{language:?}");
        }
    }

    #[test]
    fn words_sharing_a_slot_still_stem_exactly() {
        let words: Vec<String> = (0..SLOTS * 2).map(|n| format!("runnings{n}")).collect();
        let text = format!("{} banking banks", words.join(" "));
        let mut plain = TextAnalyzer::builder(SimpleTokenizer::default())
            .filter(Stemmer::new(Language::English))
            .build();
        let mut cached = TextAnalyzer::builder(SimpleTokenizer::default())
            .filter(CachedStemmer::new(Language::English))
            .build();
        let expected = tokens(&mut plain, &text);
        assert_eq!(tokens(&mut cached, &text), expected);
        assert_eq!(tokens(&mut cached, &text), expected);
    }
}
