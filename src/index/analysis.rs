//! Text analysis, the same on the index and the query side: Unicode-aware
//! word splitting that also keeps hyphenated compounds and grouped digits
//! whole and drops the English possessive `'s` ([`WordTokenizer`]),
//! lower-casing, accent folding (`café` finds `cafe`) and Snowball stemming
//! for the index's [`Language`]. No stop words are removed, so every phrase
//! can still be matched exactly.

use std::fmt;
use std::str::FromStr;

use tantivy::tokenizer::{
    AsciiFoldingFilter, LowerCaser, RemoveLongFilter, Stemmer, StopWordFilter, TextAnalyzer,
};

use crate::index::stem_cache::CachedStemmer;
use crate::index::words::WordTokenizer;

/// The name under which dateline's analyzer is registered with tantivy.
pub const ANALYZER_NAME: &str = "dateline_en";

/// A stemmer language: one of those tantivy ships, by the name
/// `--language` takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Language(tantivy::tokenizer::Language);

/// The stemmer languages tantivy ships, by name.
const LANGUAGES: [(&str, tantivy::tokenizer::Language); 18] = {
    use tantivy::tokenizer::Language as L;
    [
        ("arabic", L::Arabic),
        ("danish", L::Danish),
        ("dutch", L::Dutch),
        ("english", L::English),
        ("finnish", L::Finnish),
        ("french", L::French),
        ("german", L::German),
        ("greek", L::Greek),
        ("hungarian", L::Hungarian),
        ("italian", L::Italian),
        ("norwegian", L::Norwegian),
        ("portuguese", L::Portuguese),
        ("romanian", L::Romanian),
        ("russian", L::Russian),
        ("spanish", L::Spanish),
        ("swedish", L::Swedish),
        ("tamil", L::Tamil),
        ("turkish", L::Turkish),
    ]
};

impl Language {
    /// English, the default of a new index.
    pub const ENGLISH: Language = Language(tantivy::tokenizer::Language::English);

    /// The language called `name` (case-insensitive).
    pub fn from_name(name: &str) -> Option<Language> {
        LANGUAGES
            .iter()
            .find(|(known, _)| known.eq_ignore_ascii_case(name))
            .map(|&(_, language)| Language(language))
    }

    /// The name `--language` takes and the index records.
    pub fn name(self) -> &'static str {
        LANGUAGES
            .iter()
            .find(|(_, known)| *known == self.0)
            .map(|&(name, _)| name)
            .expect("LANGUAGES lists every language a Language can hold")
    }

    /// Every language's name, alphabetically.
    pub fn names() -> impl Iterator<Item = &'static str> {
        LANGUAGES.iter().map(|(name, _)| *name)
    }

    /// tantivy's name for it.
    pub(crate) fn stemmer(self) -> tantivy::tokenizer::Language {
        self.0
    }
}

impl Default for Language {
    fn default() -> Self {
        Language::ENGLISH
    }
}

impl fmt::Display for Language {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Language {
    type Err = String;

    fn from_str(name: &str) -> Result<Language, String> {
        Language::from_name(name).ok_or_else(|| {
            let names: Vec<&str> = Language::names().collect();
            format!("unknown language; one of: {}", names.join(", "))
        })
    }
}

/// The analysis of `language`, used on both the index and the query side.
pub fn analyzer(language: Language) -> TextAnalyzer {
    // The cached stemmer gives the stems of tantivy's `Stemmer`, faster.
    TextAnalyzer::builder(words_of(language))
        .filter(RemoveLongFilter::limit(40))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .filter(CachedStemmer::new(language.stemmer()))
        .build()
}

/// The English analysis (see [`analyzer`]).
pub fn english_analyzer() -> TextAnalyzer {
    analyzer(Language::ENGLISH)
}

/// [`analyzer`] with the language's stop words removed, when tantivy has a
/// list for it. Only ranking uses it, to tell which query terms are stop
/// words; the index always keeps them.
pub fn analyzer_without_stop_words(language: Language) -> Option<TextAnalyzer> {
    let stop_words = StopWordFilter::new(language.stemmer())?;
    Some(
        TextAnalyzer::builder(words_of(language))
            .filter(RemoveLongFilter::limit(40))
            .filter(LowerCaser)
            .filter(stop_words)
            .filter(AsciiFoldingFilter)
            .filter(Stemmer::new(language.stemmer()))
            .build(),
    )
}

/// The word splitter for `language`: possessives are an English rule.
fn words_of(language: Language) -> WordTokenizer {
    WordTokenizer::new(language == Language::ENGLISH)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn languages_are_found_by_name_in_any_case_and_round_trip() {
        for name in Language::names() {
            assert_eq!(Language::from_name(name).unwrap().name(), name);
        }
        assert_eq!(Language::from_name("French").unwrap().name(), "french");
        assert!(
            "klingon"
                .parse::<Language>()
                .unwrap_err()
                .contains("english")
        );
    }
}
