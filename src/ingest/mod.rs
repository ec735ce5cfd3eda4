//! From files on disk to [`Article`] values.
//!
//! - [`walk`](walk_files) finds the files, the way `rg` walks folders.
//! - `read` opens one file (through gzip), refuses binary and oversized
//!   ones, and dispatches to the parser of its format; `detect` decides
//!   the format from the first bytes, the extension breaking ties.
//! - `formats/` holds one parser per format (reference, Markdown and text
//!   with front matter, JSON and JSON Lines, mail and mbox, Reuters SGML,
//!   HTML, feeds, WARC, PDF).
//! - `records` reads containers (JSON Lines, SGML, mbox, WARC) one record
//!   at a time, so a file of any size is read in constant memory, and
//!   parses each record on its own, so records can be parsed in parallel.
//! - `select` says which files are articles (the rest is left out and
//!   counted by kind) and chooses files by glob and type; `isolate` runs
//!   each file's parse so that a panic costs that file only.
//! - `dates` reads dates as written; `passages` splits bodies (or the
//!   blocks of Markdown and HTML) into passages; the leaves `lines`
//!   (decoding, declared charsets, record streams) and `fields` (mapping
//!   metadata field names) import nothing from their users.
//!
//! Nothing here knows about tantivy or writes an index: the indexer takes
//! `Article`s.

mod dates;
mod detect;
mod fields;
mod formats;
mod isolate;
mod lines;
mod passages;
mod read;
mod records;
mod select;
mod walk;

use std::fmt;
use std::path::PathBuf;

pub use dates::{
    DateProblem, DateSource, DayOrder, PathKey, UnreadDate, date_from_path, date_from_unix,
    date_in_site_path, parse_date_text, parse_reuters_date, read_date,
};
pub use detect::{Format, detect_format};
pub use fields::{FieldOverrides, PickedFields};
pub use formats::html::text_blocks;
pub use formats::reference::{ReferenceError, parse_reference_article};
pub use isolate::{isolated, panic_is_isolated};
pub use lines::{LineReader, declared_encoding, decode_declared, decode_text};
pub use passages::{Block, PassageKind, PassageSplitter, merge_headings, split_paragraphs};
pub(crate) use passages::{BlockText, tidy_lines};
pub use read::{
    DEFAULT_MAX_FILE_SIZE, FileArticles, ReadOptions, Reading, UndatedPolicy, content_hash,
    open_file, read_articles, read_articles_with, undated_rejection,
};
pub use records::{ParsedRecord, RawRecord, RecordParser, RecordStream, RecordTally, StreamEnd};
pub use select::{FileSelection, kind_of, not_an_article_by_name};
pub use walk::{InputFile, WalkedFiles, walk_files, walk_inputs, walk_selected};

use crate::date::ArticleDate;

/// One article, ready to index. Build it with `..Article::default()` so new
/// metadata fields do not break every constructor.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Article {
    /// The path as the user gave it (joined with the walked file name).
    pub source: PathBuf,
    /// The path relative to the folder that was walked.
    pub relative: PathBuf,
    /// The article's date, if it has one.
    pub date: Option<ArticleDate>,
    /// Where the date was found; `None` exactly when `date` is.
    pub date_source: Option<DateSource>,
    /// The date as written in the file, for display.
    pub date_text: Option<String>,
    /// A date value of the article's metadata that could not be read (the
    /// first one), reported whatever dated the article in the end.
    pub date_problem: Option<UnreadDate>,
    /// The article's title; the reference format has none.
    pub title: Option<String>,
    /// The article's web address, when the format carries one.
    pub url: Option<String>,
    /// The author(s), joined with `, `.
    pub author: Option<String>,
    /// The outlet or channel: a newsgroup, a site name, a wire service.
    pub outlet: Option<String>,
    /// The format the file was read as.
    pub format: Format,
    /// The record's id inside a multi-article file (Reuters `NEWID`, a JSON `_id`).
    pub record_id: Option<String>,
    /// The 1-based line where the record starts, for multi-article files.
    pub record_line: Option<u32>,
    /// A name the article keeps wherever it is found: a feed item's guid
    /// (else its link), a mail's `Message-ID`, a web page's URL. The same
    /// identity in another file, or in the same file read again, is the
    /// same article (updated in place when its content changed), not a
    /// second one. `None` for articles known only by their file.
    pub identity: Option<String>,
    /// The thread a message belongs to: the first of its `References`,
    /// else its `In-Reply-To`, else its own `Message-ID`.
    pub thread: Option<String>,
    /// The names of a message's attachments (not article text).
    pub attachments: Vec<String>,
    /// The places (in `passages`) of passages that quote other text: a
    /// reply's `> ` lines and its `On … wrote:` line. They are searchable
    /// but are not the article's own words, so near-copy grouping leaves
    /// them out.
    pub quoted_passages: Vec<usize>,
    /// The body, split into passages in reading order. In a PDF a
    /// passage's `line` is its page number.
    pub passages: Vec<Passage>,
}

/// A searchable piece of an article: a paragraph or a window of a long
/// one, or a block of code.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Passage {
    /// The exact text, trimmed of surrounding white space.
    pub text: String,
    /// The 1-based line of the file on which the passage starts.
    pub line: u32,
    /// Prose or code: code is searchable but ranks below prose that
    /// matches as well.
    pub kind: PassageKind,
}

impl Passage {
    /// A prose passage.
    pub fn new(text: impl Into<String>, line: u32) -> Passage {
        Passage {
            text: text.into(),
            line,
            kind: PassageKind::Prose,
        }
    }
}

/// Why a parser gives no article for a file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NotIndexed {
    /// The file cannot be read as its format: reported with the reason.
    Skipped(String),
    /// The file is not an article (a redirect, a page without body text,
    /// an index page): counted by this kind, not reported one by one.
    LeftOut(String),
}

impl From<String> for NotIndexed {
    fn from(reason: String) -> NotIndexed {
        NotIndexed::Skipped(reason)
    }
}

impl From<&str> for NotIndexed {
    fn from(reason: &str) -> NotIndexed {
        NotIndexed::Skipped(reason.to_string())
    }
}

/// A file that was not indexed, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Skipped {
    /// The file (or folder) as walked.
    pub path: PathBuf,
    /// A one-line reason a user can act on.
    pub reason: String,
}

impl fmt::Display for Skipped {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path.display(), self.reason)
    }
}
