//! The index schema: one tantivy document per passage.
//!
//! Every passage document carries what ranking and filtering need: its
//! text, the article's title (indexed, for BM25F), date, ids and line. The
//! article's metadata (source, stored title, url, author, ...) is stored
//! once, on the article's first passage (`passage_no` 0): repeating it on
//! every passage made the index twice the size of the text and cost
//! indexing time, while a search shows a handful of hits and fetches the
//! metadata once for each. The field handles are resolved once into
//! [`DatelineSchema`]; hot code never looks fields up by name.
//!
//! What takes the space is the stored text, then the text's postings and
//! positions (`docs/performance.md`, "What takes the space"), so a passage
//! stores only its text and line: its date is a fast field, its article
//! id and story columns on its article's first passage, its place in the
//! article its distance from that passage (`index::stored`,
//! `index::article_column`), and the store is compressed with zstd
//! ([`index_settings`]). The article's source is a fast column
//! too: pages name other articles by their source (`also in`), and reading
//! it from the store would decompress a block of text for each.

use tantivy::IndexSettings;
use tantivy::schema::{
    FAST, Field, IndexRecordOption, NumericOptions, STORED, Schema, TextFieldIndexing, TextOptions,
};
use tantivy::store::{Compressor, ZstdCompressor};

use crate::index::ANALYZER_NAME;

/// The name of the article-id column: the article id, on first passages
/// only.
pub(crate) const ARTICLE_COLUMN: &str = "article_column";

/// The name of the story column: a near-copy's story, on its first
/// passage only.
pub(crate) const STORY_COLUMN: &str = "story_column";

/// Bumped whenever the fields or the analysis change, so an index written
/// by another version is recognised and rebuilt instead of misread (what
/// each version changed: `docs/architecture.md`).
pub const SCHEMA_VERSION: u32 = 14;

/// The zstd level of the document store: level 3 (zstd's default) packs
/// the stored text about a third smaller than tantivy's default lz4 at a
/// small cost in indexing time; level 6 packed it 2% smaller still but
/// cost 12% more indexing time (`docs/performance.md`).
const STORE_ZSTD_LEVEL: i32 = 3;

/// The document store's block size: a hit decompresses the block holding
/// its passage, so larger blocks compress better but make each fetch
/// slower, which a fresh process (`dateline search`) pays on every hit.
/// On small indexes the block cache ([`STORE_CACHE_BYTES`]) holds the
/// whole store.
pub(crate) const STORE_BLOCK_BYTES: usize = 64 * 1024;

/// How many bytes of decompressed document-store blocks a reader keeps,
/// over all segments: shared out as a number of blocks per segment, so a
/// long-running `serve` holds a bounded cache however many segments the
/// index has, and a small index is cached whole.
pub(crate) const STORE_CACHE_BYTES: usize = 64 << 20;

/// The settings an index is created with: the document store compressed
/// with zstd in blocks of 64 KiB (figures:
/// `docs/performance.md`). They are recorded in the index, so readers
/// need nothing.
pub fn index_settings() -> IndexSettings {
    IndexSettings {
        docstore_compression: Compressor::Zstd(ZstdCompressor {
            compression_level: Some(STORE_ZSTD_LEVEL),
        }),
        docstore_blocksize: STORE_BLOCK_BYTES,
        ..IndexSettings::default()
    }
}

/// The value of the `kind` field on a code passage.
pub const CODE_KIND: u64 = 1;

/// The fields of a passage document.
#[derive(Clone, Debug)]
pub struct DatelineSchema {
    /// The tantivy schema itself.
    pub schema: Schema,
    /// The passage text: analysed with positions (phrases), and stored.
    pub text: Field,
    /// The article title, analysed like the text, on every passage; not
    /// stored (see `title_text`).
    pub title: Field,
    /// The article title as written: stored on the first passage only.
    pub title_text: Field,
    /// The instant: UTC seconds since the epoch (i64, so years 1000–9999
    /// fit), for sorting, recency and filters with a time; a fast field
    /// only, on every dated passage.
    pub date: Field,
    /// The calendar day as the article writes it (in its own offset), as
    /// days since 1970-01-01: what filters by day and timelines use.
    pub day: Field,
    /// 0 = day precision, 1 = second precision (first passage only).
    pub date_precision: Field,
    /// The offset from UTC the date was written in, seconds east (first
    /// passage only), to show the date as written.
    pub date_offset: Field,
    /// Why a date value of the article's metadata could not be read (see
    /// `DateProblem::code`; first passage only, and only then): a fast
    /// field so `stats` finds these articles without reading every one.
    pub date_problem: Field,
    /// The field the unreadable date value was found under.
    pub date_problem_field: Field,
    /// The unreadable date value as written.
    pub date_problem_value: Field,
    /// The path as given when indexing, for display (first passage only): a
    /// fast column, not stored, so a list of sources (`also in`, `--files`)
    /// is read without decompressing any stored text.
    pub source: Field,
    /// The path relative to the indexed folder (first passage only).
    pub relative: Field,
    /// A stable hash identifying the article, on every passage: the term
    /// a file's passages are deleted and an article is looked up by.
    /// Indexed only; its value is read from `article_column`.
    pub article_id: Field,
    /// The article id again, as a fast column on the first passage only
    /// (read for any passage through `index::article_column`).
    pub article_column: Field,
    /// The story the article belongs to, on the passages of the near-copies
    /// of a wire story after its first article (see
    /// `indexer::near_duplicates`): that first article's id. Absent on
    /// every other passage, whose story is its own article id. Indexed
    /// only, so a story's articles are the documents of its `story` term
    /// and of the `article_id` term of the same value.
    pub story: Field,
    /// The story again, as a fast column on the first passage of those
    /// near-copies only.
    pub story_column: Field,
    /// 0, on an article's first passage only: indexed, so its documents
    /// mark where articles start (`index::spans`) and their count is the
    /// number of articles. A passage's place in its article is its
    /// distance from that first passage (`index::article_column`), as an
    /// article's passages are consecutive documents. Not stored.
    pub passage_no: Field,
    /// The 1-based line of the file where the passage starts (in a PDF,
    /// its page).
    pub line: Field,
    /// What the passage holds: 1 for code, absent for prose (fast: a code
    /// passage's score is weighed down, see `search::passage_kinds`).
    pub kind: Field,
    /// The article's format name (`sgml`, `jsonl`, ...): a fast field for
    /// `stats`; on the first passage only, which is how `stats` counts
    /// articles.
    pub format: Field,
    /// Where the date came from (`front-matter`, `json-ld`, `filename`, ...).
    pub date_source: Field,
    /// The date as written in the file.
    pub date_text: Field,
    /// The article's URL, when known.
    pub url: Field,
    /// The author(s), when known.
    pub author: Field,
    /// The outlet: newsgroup, site name.
    pub outlet: Field,
    /// The record id inside a multi-article file (Reuters `NEWID`).
    pub record_id: Field,
    /// The 1-based line where the record starts in a multi-article file.
    pub record_line: Field,
    /// The thread a mail belongs to (the id of its first message).
    pub thread: Field,
    /// The names of a mail's attachments, one value each.
    pub attachments: Field,
}

impl DatelineSchema {
    /// Builds the schema this version of dateline writes.
    pub fn build() -> DatelineSchema {
        let mut builder = Schema::builder();
        let analysed = TextOptions::default().set_stored().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(ANALYZER_NAME)
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        );
        let indexed_only = TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(ANALYZER_NAME)
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        );
        builder.add_text_field("text", analysed);
        builder.add_text_field("title", indexed_only);
        builder.add_text_field("title_text", STORED);
        // Ids are looked up by term, never scored: no field norms. Their
        // values are read from columns set on first passages only (an id
        // repeated on every passage of an article costs 8 bytes a passage).
        let id = || NumericOptions::default().set_indexed();
        let per_article = || NumericOptions::default().set_fast();
        builder.add_i64_field("date", FAST);
        builder.add_i64_field("day", FAST);
        builder.add_u64_field("date_precision", STORED | FAST);
        builder.add_i64_field("date_offset", STORED | FAST);
        builder.add_u64_field("date_problem", STORED | FAST);
        builder.add_text_field("date_problem_field", STORED);
        builder.add_text_field("date_problem_value", STORED);
        builder.add_text_field("source", FAST);
        builder.add_text_field("relative", STORED);
        builder.add_u64_field("article_id", id());
        builder.add_u64_field(ARTICLE_COLUMN, per_article());
        builder.add_u64_field("story", id());
        builder.add_u64_field(STORY_COLUMN, per_article());
        builder.add_u64_field("passage_no", id());
        builder.add_u64_field("line", STORED);
        builder.add_u64_field("kind", FAST);
        builder.add_text_field("format", STORED | FAST);
        builder.add_text_field("date_source", STORED);
        builder.add_text_field("date_text", STORED);
        builder.add_text_field("url", STORED);
        builder.add_text_field("author", STORED);
        builder.add_text_field("outlet", STORED);
        builder.add_text_field("record_id", STORED);
        builder.add_u64_field("record_line", STORED);
        builder.add_text_field("thread", STORED);
        builder.add_text_field("attachments", STORED);
        DatelineSchema::from_schema(builder.build()).expect("the schema just built has every field")
    }

    /// Resolves the field handles of a schema read from disk; `None` when a
    /// field is missing (an index from another program or version).
    pub fn from_schema(schema: Schema) -> Option<DatelineSchema> {
        let field = |name: &str| schema.get_field(name).ok();
        Some(DatelineSchema {
            text: field("text")?,
            title: field("title")?,
            title_text: field("title_text")?,
            date: field("date")?,
            day: field("day")?,
            date_precision: field("date_precision")?,
            date_offset: field("date_offset")?,
            date_problem: field("date_problem")?,
            date_problem_field: field("date_problem_field")?,
            date_problem_value: field("date_problem_value")?,
            source: field("source")?,
            relative: field("relative")?,
            article_id: field("article_id")?,
            article_column: field(ARTICLE_COLUMN)?,
            story: field("story")?,
            story_column: field(STORY_COLUMN)?,
            passage_no: field("passage_no")?,
            line: field("line")?,
            kind: field("kind")?,
            format: field("format")?,
            date_source: field("date_source")?,
            date_text: field("date_text")?,
            url: field("url")?,
            author: field("author")?,
            outlet: field("outlet")?,
            record_id: field("record_id")?,
            record_line: field("record_line")?,
            thread: field("thread")?,
            attachments: field("attachments")?,
            schema,
        })
    }
}
