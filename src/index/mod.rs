//! The on-disk index: schema, text analysis, opening and writing.
//!
//! All tantivy calls for storage live here (and in `search`), so an upgrade
//! of tantivy touches two folders. Next to tantivy's files the index folder
//! holds `dateline.json`, which records the schema version, and the file
//! records of the last commit ([`manifest`]).

pub mod manifest;
mod merging;
pub mod near_duplicates;
mod read_only;
mod schema;
mod stats;
mod stem_cache;
mod words;
mod writer;

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};
use tantivy::Index;
use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RemoveLongFilter, Stemmer, StopWordFilter,
    TextAnalyzer,
};

pub use schema::{DatelineSchema, SCHEMA_VERSION};
pub use stats::{IndexStats, index_stats};
pub use words::WordTokenizer;
pub use writer::{
    ArticleWriter, IndexSummary, OpenedWriter, PreparedArticle, Replaced, prepare_articles,
};

use crate::error::{Error, Result};

/// The name under which dateline's analyzer is registered with tantivy.
pub const ANALYZER_NAME: &str = "dateline_en";

const META_FILE: &str = "dateline.json";

/// What dateline records about an index beside tantivy's own files.
#[derive(Debug, Serialize, Deserialize)]
struct DatelineMeta {
    schema_version: u32,
    written_by: String,
    /// The stemmer language; indexes written before it was recorded are
    /// English.
    #[serde(default = "english_name")]
    language: String,
}

fn english_name() -> String {
    "english".to_string()
}

/// The English analysis used by default on both the index and the query
/// side (see [`analyzer`]).
pub fn english_analyzer() -> TextAnalyzer {
    analyzer(Language::English)
}

/// The analysis used on both the index and the query side: Unicode-aware
/// word splitting that also keeps hyphenated compounds and grouped digits
/// whole and drops the English possessive `'s` ([`WordTokenizer`]),
/// lower-casing, accent folding (`café` finds `cafe`) and Snowball stemming
/// for `language`. No stop words are removed, so every phrase can still be
/// matched exactly.
pub fn analyzer(language: Language) -> TextAnalyzer {
    // The cached stemmer gives the stems of tantivy's `Stemmer`, faster.
    TextAnalyzer::builder(words_of(language))
        .filter(RemoveLongFilter::limit(40))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .filter(stem_cache::CachedStemmer::new(language))
        .build()
}

/// [`analyzer`] with the language's stop words removed, when tantivy has a
/// list for it. Only ranking uses it, to tell which query terms are stop
/// words; the index always keeps them.
pub(crate) fn analyzer_without_stop_words(language: Language) -> Option<TextAnalyzer> {
    let stop_words = StopWordFilter::new(language)?;
    Some(
        TextAnalyzer::builder(words_of(language))
            .filter(RemoveLongFilter::limit(40))
            .filter(LowerCaser)
            .filter(stop_words)
            .filter(AsciiFoldingFilter)
            .filter(Stemmer::new(language))
            .build(),
    )
}

/// The word splitter for `language`: possessives are an English rule.
fn words_of(language: Language) -> WordTokenizer {
    WordTokenizer::new(language == Language::English)
}

/// The stemmer languages tantivy ships, by the name `--language` takes.
pub const LANGUAGES: [(&str, Language); 18] = [
    ("arabic", Language::Arabic),
    ("danish", Language::Danish),
    ("dutch", Language::Dutch),
    ("english", Language::English),
    ("finnish", Language::Finnish),
    ("french", Language::French),
    ("german", Language::German),
    ("greek", Language::Greek),
    ("hungarian", Language::Hungarian),
    ("italian", Language::Italian),
    ("norwegian", Language::Norwegian),
    ("portuguese", Language::Portuguese),
    ("romanian", Language::Romanian),
    ("russian", Language::Russian),
    ("spanish", Language::Spanish),
    ("swedish", Language::Swedish),
    ("tamil", Language::Tamil),
    ("turkish", Language::Turkish),
];

/// The language called `name` (case-insensitive) in [`LANGUAGES`].
pub fn language_by_name(name: &str) -> Option<Language> {
    LANGUAGES
        .iter()
        .find(|(known, _)| known.eq_ignore_ascii_case(name))
        .map(|&(_, language)| language)
}

fn language_name(language: Language) -> &'static str {
    LANGUAGES
        .iter()
        .find(|(_, known)| *known == language)
        .map(|&(name, _)| name)
        .expect("LANGUAGES lists every tantivy language")
}

/// An opened index with its resolved fields.
pub struct OpenIndex {
    /// The tantivy index, with dateline's analyzer registered.
    pub index: Index,
    /// The field handles.
    pub fields: DatelineSchema,
    /// The folder it lives in.
    pub path: PathBuf,
    /// The stemmer language the index was written with; queries are
    /// analysed the same way.
    pub language: Language,
    /// The reader behind [`OpenIndex::snapshot`], opened on first use.
    reader: OnceLock<tantivy::IndexReader>,
}

impl OpenIndex {
    /// Opens an existing index for reading; it must have been written by a
    /// dateline with this schema version.
    pub fn open(path: &Path) -> Result<OpenIndex> {
        if !path.join("meta.json").is_file() {
            return Err(Error::NoIndex(path.to_path_buf()));
        }
        let meta = check_meta(path)?;
        let language = language_by_name(&meta.language).ok_or_else(|| Error::SchemaMismatch {
            path: path.to_path_buf(),
            found: format!("unknown language '{}'", meta.language),
            expected: SCHEMA_VERSION,
        })?;
        let damaged = |reason: String| Error::Damaged {
            path: path.to_path_buf(),
            reason: format!("tantivy cannot open it ({reason})"),
        };
        let directory =
            read_only::TolerantDirectory::open(path).map_err(|e| damaged(e.to_string()))?;
        let index = Index::open(directory).map_err(|e| damaged(e.to_string()))?;
        let fields =
            DatelineSchema::from_schema(index.schema()).ok_or_else(|| Error::SchemaMismatch {
                path: path.to_path_buf(),
                found: "unknown fields".to_string(),
                expected: SCHEMA_VERSION,
            })?;
        Ok(OpenIndex::with_analysis(index, fields, path, language))
    }

    /// The index, its analyzer registered for `language`.
    fn with_analysis(
        index: Index,
        fields: DatelineSchema,
        path: &Path,
        language: Language,
    ) -> OpenIndex {
        index
            .tokenizers()
            .register(ANALYZER_NAME, analyzer(language));
        OpenIndex {
            index,
            fields,
            path: path.to_path_buf(),
            language,
            reader: OnceLock::new(),
        }
    }

    /// Opens the index at `path` with the language it was written with,
    /// creating it (and the folder) with English analysis when absent.
    pub fn open_or_create(path: &Path) -> Result<OpenIndex> {
        if path.join("meta.json").is_file() {
            return OpenIndex::open(path);
        }
        OpenIndex::open_or_create_in(path, Language::English)
    }

    /// Opens the index at `path`, creating it with `language`'s analysis
    /// when absent. An existing index keeps the language it was written
    /// with; asking for another one is an error, since mixing two analyses
    /// in one index would make queries miss.
    pub fn open_or_create_in(path: &Path, language: Language) -> Result<OpenIndex> {
        if path.join("meta.json").is_file() {
            let open = OpenIndex::open(path)?;
            open.check_language(language)?;
            return Ok(open);
        }
        let io = |source| Error::Io {
            path: path.to_path_buf(),
            source,
        };
        std::fs::create_dir_all(path).map_err(io)?;
        let fields = DatelineSchema::build();
        let index = Index::create_in_dir(path, fields.schema.clone())?;
        let meta = DatelineMeta {
            schema_version: SCHEMA_VERSION,
            written_by: concat!("dateline ", env!("CARGO_PKG_VERSION")).to_string(),
            language: language_name(language).to_string(),
        };
        let json = serde_json::to_string_pretty(&meta).expect("plain struct serialises");
        std::fs::write(path.join(META_FILE), json).map_err(io)?;
        Ok(OpenIndex::with_analysis(index, fields, path, language))
    }
}

impl OpenIndex {
    /// A searcher on the index's last commit as of the first call. The
    /// reader is opened once and never reloads, so everything read through
    /// this `OpenIndex` comes from the same snapshot, and a program that
    /// runs many searches (a server, the latency benchmark) does not open
    /// and unmap every segment file again for each one.
    pub fn snapshot(&self) -> Result<tantivy::Searcher> {
        if let Some(reader) = self.reader.get() {
            return Ok(reader.searcher());
        }
        let reader: tantivy::IndexReader = self
            .index
            .reader_builder()
            .reload_policy(tantivy::ReloadPolicy::Manual)
            .try_into()?;
        Ok(self.reader.get_or_init(|| reader).searcher())
    }

    /// Fails unless the index is analysed in `language`.
    pub fn check_language(&self, language: Language) -> Result<()> {
        if self.language != language {
            return Err(Error::LanguageMismatch {
                path: self.path.clone(),
                found: language_name(self.language).to_string(),
                requested: language_name(language).to_string(),
            });
        }
        Ok(())
    }
}

/// The language an index folder's metadata records, if it can be read.
pub(crate) fn recorded_language(path: &Path) -> Option<Language> {
    let text = std::fs::read_to_string(path.join(META_FILE)).ok()?;
    let meta: DatelineMeta = serde_json::from_str(&text).ok()?;
    language_by_name(&meta.language)
}

fn check_meta(path: &Path) -> Result<DatelineMeta> {
    let mismatch = |found: String| Error::SchemaMismatch {
        path: path.to_path_buf(),
        found,
        expected: SCHEMA_VERSION,
    };
    let text = std::fs::read_to_string(path.join(META_FILE))
        .map_err(|_| mismatch(format!("none ({META_FILE} is missing)")))?;
    let meta: DatelineMeta = serde_json::from_str(&text)
        .map_err(|e| mismatch(format!("unreadable ({META_FILE}: {e})")))?;
    if meta.schema_version != SCHEMA_VERSION {
        return Err(mismatch(meta.schema_version.to_string()));
    }
    Ok(meta)
}

/// A stable 64-bit FNV-1a hash: article ids must not change between builds
/// of dateline, which rules out `std`'s randomised hasher.
pub(crate) fn stable_hash(parts: &[&[u8]]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for &byte in *part {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        }
        hash ^= 0xff;
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash
}

/// The stored document holding the metadata (source, title, url, ...) of
/// the article that the passage at `address` belongs to: its first passage,
/// where the metadata is stored once (see [`DatelineSchema`]).
///
/// The first passage usually sits just before the others in the same
/// segment, so that place is tried first; otherwise the article's
/// passages are looked up by id.
pub fn article_document(
    searcher: &tantivy::Searcher,
    fields: &DatelineSchema,
    address: tantivy::DocAddress,
) -> Result<tantivy::TantivyDocument> {
    use tantivy::schema::Value;
    let doc: tantivy::TantivyDocument = searcher.doc(address)?;
    let number =
        |doc: &tantivy::TantivyDocument, field| doc.get_first(field).and_then(|v| v.as_u64());
    let passage_no = number(&doc, fields.passage_no).unwrap_or(0);
    if passage_no == 0 {
        return Ok(doc);
    }
    let Some(article_id) = number(&doc, fields.article_id) else {
        return Ok(doc);
    };
    let is_first = |candidate: &tantivy::TantivyDocument| {
        number(candidate, fields.article_id) == Some(article_id)
            && number(candidate, fields.passage_no) == Some(0)
    };
    if let Some(guess) = address.doc_id.checked_sub(passage_no as u32) {
        let guess = tantivy::DocAddress::new(address.segment_ord, guess);
        let segment = searcher.segment_reader(address.segment_ord);
        if !segment.is_deleted(guess.doc_id) {
            let candidate: tantivy::TantivyDocument = searcher.doc(guess)?;
            if is_first(&candidate) {
                return Ok(candidate);
            }
        }
    }
    let query = tantivy::query::TermQuery::new(
        tantivy::Term::from_field_u64(fields.article_id, article_id),
        tantivy::schema::IndexRecordOption::Basic,
    );
    for found in searcher.search(&query, &tantivy::collector::DocSetCollector)? {
        let candidate: tantivy::TantivyDocument = searcher.doc(found)?;
        if is_first(&candidate) {
            return Ok(candidate);
        }
    }
    Ok(doc)
}
