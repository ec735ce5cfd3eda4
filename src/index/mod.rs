//! The read side of the on-disk index: opening it, its schema and text
//! analysis, decoding what it stores, and figures about it.
//!
//! All tantivy calls live here, in [`crate::indexer`] (the write side) and
//! in [`crate::search`], so an upgrade of tantivy touches three folders.
//! Next to tantivy's files the index folder holds `dateline.json` (the
//! schema version and language, [`meta`]) and the file records of the last
//! commit, which only the indexer reads.

mod analysis;
pub(crate) mod article_column;
pub(crate) mod columns;
mod live;
pub mod meta;
mod per_segment;
mod read_only;
mod schema;
pub(crate) mod spans;
mod stats;
mod stem_cache;
pub mod stored;
mod titles;
pub(crate) mod word_articles;
mod words;

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use tantivy::Index;

pub use analysis::{
    ANALYZER_NAME, Language, analyzer, analyzer_without_stop_words, english_analyzer,
};
pub use live::LiveIndex;
pub use meta::DatelineMeta;
pub use schema::{CODE_KIND, DatelineSchema, SCHEMA_VERSION, index_settings};
pub use stats::{IndexStats, UnreadDateEntry, index_stats};
pub use stored::ArticlePassage;
pub use words::WordTokenizer;

use crate::error::{Error, Result};

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
    /// Where each segment's articles start, read once per segment.
    spans: per_segment::PerSegment<Arc<spans::ArticleSpans>>,
    /// The columns search reads, opened once per segment.
    columns: Arc<columns::ColumnCache>,
    /// Which segments hold titles, read once per segment.
    titles: per_segment::PerSegment<bool>,
    /// Each segment's article counts of common words, if written.
    word_articles: per_segment::PerSegment<Option<Arc<word_articles::WordArticles>>>,
}

impl OpenIndex {
    /// Opens an existing index for reading; it must have been written by a
    /// dateline with this schema version.
    pub fn open(path: &Path) -> Result<OpenIndex> {
        if path.is_file() {
            return Err(Error::IndexNotAFolder(path.to_path_buf()));
        }
        if !path.join("meta.json").is_file() {
            return Err(Error::NoIndex(path.to_path_buf()));
        }
        let meta = DatelineMeta::read_current(path)?;
        let language =
            Language::from_name(&meta.language).ok_or_else(|| Error::SchemaMismatch {
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
        Ok(OpenIndex::from_parts(index, fields, path, language))
    }

    /// The index at `path`, its analyzer registered for `language`; the
    /// indexer builds one this way around an index it has just created.
    pub(crate) fn from_parts(
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
            spans: per_segment::PerSegment::default(),
            columns: Arc::default(),
            titles: per_segment::PerSegment::default(),
            word_articles: per_segment::PerSegment::default(),
        }
    }

    /// A searcher on the index's last commit as of the first call. The
    /// reader is opened once and never reloads, so everything read through
    /// this `OpenIndex` comes from the same snapshot, and a program that
    /// runs many searches (a server, the latency benchmark) does not open
    /// and unmap every segment file again for each one.
    pub fn snapshot(&self) -> Result<tantivy::Searcher> {
        if let Some(reader) = self.reader.get() {
            return Ok(reader.searcher());
        }
        // The store's cache budget shared over the segments; a few blocks a
        // segment at least, so a hit's passage and its article's first
        // passage, often in one block, are read once.
        let segments = self.index.searchable_segment_metas()?.len().max(1);
        let cache_blocks =
            (schema::STORE_CACHE_BYTES / schema::STORE_BLOCK_BYTES / segments).max(4);
        let reader: tantivy::IndexReader = self
            .index
            .reader_builder()
            .reload_policy(tantivy::ReloadPolicy::Manual)
            .doc_store_cache_num_blocks(cache_blocks)
            .try_into()?;
        Ok(self.reader.get_or_init(|| reader).searcher())
    }

    /// Where the articles of each of `searcher`'s segments start.
    pub(crate) fn article_spans(
        &self,
        searcher: &tantivy::Searcher,
    ) -> Result<Vec<std::sync::Arc<spans::ArticleSpans>>> {
        // Every ranked query passes here: the place to let go of the
        // columns of segments merged away.
        self.columns.retain(searcher);
        (self.spans).of(searcher, |segment| {
            Ok(Arc::new(spans::ArticleSpans::of(segment, &self.fields)?))
        })
    }

    /// Whether each of `searcher`'s segments holds titles (see
    /// [`titles`]), by segment ordinal.
    pub(crate) fn titled_segments(&self, searcher: &tantivy::Searcher) -> Vec<bool> {
        let title = self.fields.title;
        let read = |segment: &tantivy::SegmentReader| {
            Ok::<_, std::convert::Infallible>(titles::holds(searcher.index(), segment, title))
        };
        let Ok(titled) = self.titles.of(searcher, read);
        titled
    }

    /// The article counts of common words written for each of
    /// `searcher`'s segments (see [`word_articles`]), by segment ordinal.
    ///
    /// A segment without its file is looked for again at the next call:
    /// the indexer writes a segment's file just after the commit that
    /// makes the segment searchable, and a server that reopened the index
    /// in between would otherwise count that segment's words from their
    /// postings for as long as it lasts.
    pub(crate) fn word_articles(
        &self,
        searcher: &tantivy::Searcher,
    ) -> Vec<Option<Arc<word_articles::WordArticles>>> {
        // Opened only when a segment's file is not known yet.
        let mut directory = None;
        let read = |segment: &tantivy::SegmentReader| {
            let directory = directory
                .get_or_insert_with(|| tantivy::directory::MmapDirectory::open(&self.path).ok());
            let counts = (directory.as_ref())
                .and_then(|directory| word_articles::WordArticles::open(directory, segment));
            Ok::<_, std::convert::Infallible>(counts.map(Arc::new))
        };
        let Ok(counts) = self
            .word_articles
            .of_keeping(searcher, read, Option::is_some);
        counts
    }

    /// The columns of segments searched, opened once per segment.
    pub(crate) fn columns(&self) -> &Arc<columns::ColumnCache> {
        &self.columns
    }

    /// The analyzer the index's text was written with, which queries and
    /// highlights must use too.
    pub fn analyzer(&self) -> tantivy::tokenizer::TextAnalyzer {
        self.index
            .tokenizers()
            .get(ANALYZER_NAME)
            .unwrap_or_else(english_analyzer)
    }

    /// Fails unless the index is analysed in `language`.
    pub fn check_language(&self, language: Language) -> Result<()> {
        if self.language != language {
            return Err(Error::LanguageMismatch {
                path: self.path.clone(),
                found: self.language.name().to_string(),
                requested: language.name().to_string(),
            });
        }
        Ok(())
    }
}
