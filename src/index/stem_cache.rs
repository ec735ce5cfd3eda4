//! Snowball stemming with a memory of the words already stemmed.
//!
//! Stemming was the largest single cost of indexing (about a fifth of all
//! CPU time on the news folder), while a corpus repeats the same few
//! thousand words over and over. [`CachedStemmer`] gives exactly the stems
//! of tantivy's [`Stemmer`] (a miss asks it), but looks each word up first.
//! Each tokenizer instance (one per indexing thread and segment) keeps its
//! own bounded table, so nothing is shared or locked. The table hashes with
//! FxHash: std's SipHash alone took about 3% of all indexing CPU (perf, a
//! generated 100k-article corpus).

use rustc_hash::FxHashMap;

use tantivy::tokenizer::{
    Language, RawTokenizer, Stemmer, TextAnalyzer, Token, TokenFilter, TokenStream, Tokenizer,
};

/// Words remembered per tokenizer before the table starts afresh: a few
/// MiB at most, and enough for the common vocabulary of a news corpus.
const MAX_WORDS: usize = 64 * 1024;

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
                known: FxHashMap::default(),
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
    known: FxHashMap<String, String>,
}

impl Stems {
    /// Replaces the token's text with its stem.
    fn stem(&mut self, token: &mut Token) {
        if let Some(stem) = self.known.get(&token.text) {
            token.text.clear();
            token.text.push_str(stem);
            return;
        }
        let stem = {
            let mut stream = self.stemmer.token_stream(&token.text);
            if stream.advance() {
                stream.token().text.clone()
            } else {
                token.text.clone()
            }
        };
        if self.known.len() >= MAX_WORDS {
            self.known.clear();
        }
        let word = std::mem::replace(&mut token.text, stem.clone());
        self.known.insert(word, stem);
    }
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
            generously generous generously 1987 Zürich zurich naïve ÉTÉ";
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
}
