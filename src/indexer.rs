//! The `index` job: walk the inputs, parse articles in parallel, write them.
//!
//! Files are parsed in chunks on rayon's pool while tantivy's own threads
//! index the previous chunk, so both cores stay busy and memory holds one
//! chunk of parsed articles at a time, whatever the corpus size.

use std::path::{Path, PathBuf};
use std::time::Instant;

use rayon::prelude::*;

use crate::error::{Error, Result};
use crate::index::{ArticleWriter, IndexSummary};
use crate::ingest::{
    FileArticles, InputFile, ReadOptions, Skipped, read_articles, undated_rejection, walk_inputs,
};

/// How many files are parsed before their articles are handed to the writer.
const CHUNK_FILES: usize = 1024;

/// What to index and where.
#[derive(Clone, Debug)]
pub struct IndexOptions {
    /// Files and folders to index.
    pub paths: Vec<PathBuf>,
    /// The index folder.
    pub index_dir: PathBuf,
    /// tantivy's indexing memory budget, in bytes.
    pub memory_budget: usize,
    /// How files are read: undated policy, size limit, JSON field names.
    pub read: ReadOptions,
}

/// The default writer budget: enough for fast indexing, small enough for a
/// laptop running other things.
pub const DEFAULT_MEMORY_BUDGET: usize = 128 * 1024 * 1024;

/// Indexes `options.paths` into `options.index_dir`, replacing whatever an
/// earlier run indexed from the same files.
pub fn index_paths(options: &IndexOptions) -> Result<IndexSummary> {
    let started = Instant::now();
    let (files, mut skipped) = walk_inputs(&options.paths)?;
    let mut writer = ArticleWriter::open(&options.index_dir, options.memory_budget)?;
    let mut summary = IndexSummary {
        files: files.len(),
        ..IndexSummary::default()
    };
    for chunk in files.chunks(CHUNK_FILES) {
        let parsed: Vec<_> = chunk
            .par_iter()
            .map(|file| parse_file(file, &options.read))
            .collect();
        for result in parsed {
            match result {
                Ok((file_key, read)) => {
                    summary.notes.extend(read.notes.iter().map(|note| Skipped {
                        path: read_path(&read, &file_key),
                        reason: note.clone(),
                    }));
                    if read.rejected_undated > 0 {
                        summary.undated_rejected += read.rejected_undated;
                        skipped.push(Skipped {
                            path: read_path(&read, &file_key),
                            reason: undated_rejection(&read),
                        });
                        continue;
                    }
                    summary.passages += writer.replace_file(&file_key, &read.articles)?;
                    summary.articles += read.articles.len();
                    summary.undated += read.articles.iter().filter(|a| a.date.is_none()).count();
                    summary.undated_dropped += read.dropped_undated;
                }
                Err(skip) => skipped.push(skip),
            }
        }
    }
    writer.finish()?;
    summary.skipped = skipped;
    summary.elapsed = started.elapsed();
    Ok(summary)
}

fn parse_file(file: &InputFile, options: &ReadOptions) -> Result<(PathBuf, FileArticles), Skipped> {
    let read = read_articles(file, options)?;
    Ok((canonical_key(&file.source), read))
}

/// The path to name in a note: the file as given, when it has articles.
fn read_path(read: &FileArticles, file_key: &Path) -> PathBuf {
    read.articles
        .first()
        .map(|a| a.source.clone())
        .unwrap_or_else(|| file_key.to_path_buf())
}

/// The key a file is replaced by: its canonical path, so `corpus` and
/// `./corpus` name the same files.
fn canonical_key(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}

impl IndexSummary {
    /// Fails when `strict` and any file was skipped.
    pub fn check_strict(&self, strict: bool) -> Result<()> {
        if strict && !self.skipped.is_empty() {
            return Err(Error::StrictSkipped(self.skipped.len()));
        }
        Ok(())
    }

    /// Fails when `--undated error` refused any article.
    pub fn check_undated(&self) -> Result<()> {
        if self.undated_rejected > 0 {
            return Err(Error::UndatedArticles(self.undated_rejected));
        }
        Ok(())
    }
}
