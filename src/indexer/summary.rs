//! What an indexing run did, for the summary the command line prints and
//! for scripts.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use crate::error::{Error, Result};
use crate::ingest::Skipped;

/// What an indexing run did.
#[derive(Clone, Debug, Default)]
pub struct IndexSummary {
    /// Files found in the inputs.
    pub files: usize,
    /// Files indexed for the first time.
    pub added: usize,
    /// Files indexed again because their content changed.
    pub updated: usize,
    /// Files whose articles were removed (deleted from disk, or no longer
    /// readable).
    pub removed: usize,
    /// Files left as they were.
    pub unchanged: usize,
    /// Articles indexed in this run: new, or changed since the last run.
    pub articles: usize,
    /// Articles of re-read files that were already indexed as they are
    /// (an mbox or feed that grew keeps its old messages and items).
    pub articles_kept: usize,
    /// Passages indexed in this run.
    pub passages: usize,
    /// Files not indexed, with reasons.
    pub skipped: Vec<Skipped>,
    /// Files left out as not articles, by kind (`svg`, `png`, `go`,
    /// `redirect`, `index page`, ...): counted, not reported one by one.
    pub left_out: BTreeMap<String, usize>,
    /// Articles not indexed because another file holds the same article:
    /// (the file, the file it is indexed under).
    pub duplicates: Vec<(PathBuf, PathBuf)>,
    /// Articles the index holds after the run.
    pub total_articles: u64,
    /// Passages the index holds after the run.
    pub total_passages: u64,
    /// Files the index holds articles from after the run.
    pub total_files: usize,
    /// Articles the index holds once for several files (the same article,
    /// or a newer version of it, is indexed from another file), after the
    /// run: this run's [`IndexSummary::duplicates`] and earlier runs'.
    pub total_duplicates: usize,
    /// Stories the index holds more than one near-copy of, after the run.
    pub near_copy_stories: usize,
    /// Articles in those stories.
    pub near_copy_articles: usize,
    /// Articles written again into the story a rebuild of the index's
    /// files gives them (near-copies are grouped in walk order), and the
    /// files read again for them.
    pub regrouped: (usize, usize),
    /// Whether the run was interrupted (what was done is committed).
    pub interrupted: bool,
    /// Indexed articles without a date (kept under `--undated keep`).
    pub undated: usize,
    /// Undated articles left out under `--undated skip`.
    pub undated_dropped: usize,
    /// Indexed articles whose metadata held a date value that could not be
    /// read (each reported in `notes`; `stats` lists them).
    pub unread_dates: usize,
    /// Undated articles refused under `--undated error`.
    pub undated_rejected: usize,
    /// Non-fatal remarks on indexed files (re-decoded text, bad records,
    /// suspicious dates).
    pub notes: Vec<Skipped>,
    /// Wall time of the run.
    pub elapsed: Duration,
}

impl IndexSummary {
    /// How many files were left out as not articles.
    pub fn left_out_files(&self) -> usize {
        self.left_out.values().sum()
    }

    /// The kinds of files left out, most first (ties by name).
    pub fn left_out_by_count(&self) -> Vec<(&str, usize)> {
        let mut kinds: Vec<(&str, usize)> = self
            .left_out
            .iter()
            .map(|(k, n)| (k.as_str(), *n))
            .collect();
        kinds.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        kinds
    }

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
