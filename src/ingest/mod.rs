//! From files on disk to [`Article`] values: walking folders, reading files,
//! recognising the article format and splitting bodies into passages.
//!
//! Nothing here knows about tantivy; the index module takes `Article`s.

mod passages;
mod reference;
mod walk;

use std::fmt;
use std::path::{Path, PathBuf};

pub use passages::{PassageSplitter, split_paragraphs};
pub use reference::{ReferenceError, parse_reference_article};
pub use walk::{InputFile, walk_inputs};

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
    /// The article's title; the reference format has none.
    pub title: Option<String>,
    /// The body, split into passages in reading order.
    pub passages: Vec<Passage>,
}

/// A searchable piece of an article: a paragraph or a window of a long one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Passage {
    /// The exact text, trimmed of surrounding white space.
    pub text: String,
    /// The 1-based line of the file on which the passage starts.
    pub line: u32,
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

/// Reads and parses one input file into its article.
///
/// Every failure is returned as a [`Skipped`] with the reason, never a panic:
/// one bad file must not stop a run over thousands.
pub fn read_article(file: &InputFile) -> Result<Article, Skipped> {
    let skipped = |reason: String| Skipped {
        path: file.source.clone(),
        reason,
    };
    let bytes = std::fs::read(&file.source).map_err(|e| skipped(format!("cannot read: {e}")))?;
    let text = decode_text(&bytes).map_err(skipped)?;
    let parsed = parse_reference_article(text).map_err(|e| skipped(e.to_string()))?;
    Ok(Article {
        source: file.source.clone(),
        relative: file.relative.clone(),
        date: Some(parsed.date),
        passages: parsed.passages,
        ..Article::default()
    })
}

/// Checks that a file holds UTF-8 text, not binary data.
fn decode_text(bytes: &[u8]) -> Result<&str, String> {
    if bytes.is_empty() {
        return Err("empty file".to_string());
    }
    if bytes.contains(&0) {
        return Err("binary file (contains NUL bytes)".to_string());
    }
    let text = std::str::from_utf8(bytes).map_err(|e| {
        format!(
            "not valid UTF-8 (first bad byte at offset {})",
            e.valid_up_to()
        )
    })?;
    Ok(text.strip_prefix('\u{feff}').unwrap_or(text))
}

/// The path shown for an input that was given relative to `root`.
pub(crate) fn relative_to(path: &Path, root: &Path) -> PathBuf {
    path.strip_prefix(root)
        .ok()
        .filter(|p| !p.as_os_str().is_empty())
        .map(Path::to_path_buf)
        .unwrap_or_else(|| path.file_name().map(PathBuf::from).unwrap_or_default())
}
