//! Writing articles into the index.
//!
//! Re-indexing a file replaces it: all documents carrying the file's
//! canonical path are deleted and its articles added again in the same
//! commit, so a re-run never duplicates anything. tantivy's writer lock makes
//! a second concurrent `index` run fail instead of corrupting the index.

use std::path::Path;
use std::time::Duration;

use tantivy::directory::error::LockError;
use tantivy::{IndexWriter, TantivyDocument, TantivyError, Term};

use crate::date::DatePrecision;
use crate::error::{Error, Result};
use crate::index::{OpenIndex, stable_hash};
use crate::ingest::{Article, Skipped};

/// Adds, replaces and commits articles; holds the index's writer lock.
pub struct ArticleWriter {
    index: OpenIndex,
    writer: IndexWriter,
}

/// What an indexing run did.
#[derive(Debug, Default)]
pub struct IndexSummary {
    /// Files read (indexed or skipped).
    pub files: usize,
    /// Articles indexed.
    pub articles: usize,
    /// Passages indexed.
    pub passages: usize,
    /// Files not indexed, with reasons.
    pub skipped: Vec<Skipped>,
    /// Indexed articles without a date (kept under `--undated keep`).
    pub undated: usize,
    /// Undated articles left out under `--undated skip`.
    pub undated_dropped: usize,
    /// Undated articles refused under `--undated error`.
    pub undated_rejected: usize,
    /// Non-fatal remarks on indexed files (re-decoded text, bad records,
    /// suspicious dates).
    pub notes: Vec<Skipped>,
    /// Wall time of the run.
    pub elapsed: Duration,
}

impl ArticleWriter {
    /// Opens (or creates) the index at `path` for writing with a memory
    /// budget in bytes for tantivy's indexing threads.
    pub fn open(path: &Path, memory_budget: usize) -> Result<ArticleWriter> {
        let index = OpenIndex::open_or_create(path)?;
        let writer = index
            .index
            .writer(memory_budget)
            .map_err(|error| match error {
                TantivyError::LockFailure(LockError::LockBusy, _) => Error::Locked {
                    path: path.to_path_buf(),
                    reason: "its writer lock file .tantivy-writer.lock is held".to_string(),
                },
                other => Error::Tantivy(other),
            })?;
        Ok(ArticleWriter { index, writer })
    }

    /// Replaces everything indexed from `file_key` with `articles`; returns
    /// the number of passages added.
    pub fn replace_file(&mut self, file_key: &Path, articles: &[Article]) -> Result<usize> {
        let fields = &self.index.fields;
        let key = file_key.to_string_lossy();
        self.writer
            .delete_term(Term::from_field_text(fields.file_key, &key));
        let mut passages = 0;
        for (number, article) in articles.iter().enumerate() {
            let article_id = stable_hash(&[key.as_bytes(), &number.to_le_bytes()]);
            let source = article.source.to_string_lossy();
            let relative = article.relative.to_string_lossy();
            for (passage_no, passage) in article.passages.iter().enumerate() {
                let mut doc = TantivyDocument::new();
                doc.add_text(fields.text, &passage.text);
                if let Some(title) = &article.title {
                    doc.add_text(fields.title, title);
                }
                if let Some(date) = &article.date {
                    doc.add_i64(fields.date, date.timestamp);
                    let precision = match date.precision {
                        DatePrecision::Day => 0,
                        DatePrecision::Second => 1,
                    };
                    doc.add_u64(fields.date_precision, precision);
                }
                doc.add_text(fields.source, &source);
                doc.add_text(fields.relative, &relative);
                doc.add_text(fields.file_key, &key);
                doc.add_u64(fields.article_id, article_id);
                doc.add_u64(fields.passage_no, passage_no as u64);
                doc.add_u64(fields.line, u64::from(passage.line));
                doc.add_text(fields.format, article.format.name());
                if let Some(date_source) = article.date_source {
                    doc.add_text(fields.date_source, date_source.name());
                }
                let optional = [
                    (fields.date_text, &article.date_text),
                    (fields.url, &article.url),
                    (fields.author, &article.author),
                    (fields.outlet, &article.outlet),
                    (fields.record_id, &article.record_id),
                ];
                for (field, value) in optional {
                    if let Some(value) = value {
                        doc.add_text(field, value);
                    }
                }
                if let Some(record_line) = article.record_line {
                    doc.add_u64(fields.record_line, u64::from(record_line));
                }
                self.writer.add_document(doc)?;
                passages += 1;
            }
        }
        Ok(passages)
    }

    /// Makes everything added so far durable and visible to searches.
    pub fn commit(&mut self) -> Result<()> {
        self.writer.commit()?;
        Ok(())
    }

    /// Commits and waits for background merges, releasing the lock.
    pub fn finish(mut self) -> Result<()> {
        self.commit()?;
        self.writer.wait_merging_threads()?;
        Ok(())
    }
}
