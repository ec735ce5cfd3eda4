//! An indexing run's summary as one JSON object, for scripts (`dateline
//! index --format json`); the text summary is the command line's talk on
//! stderr.

use std::io::{self, Write};
use std::path::Path;

use serde::Serialize;

use crate::indexer::IndexSummary;

#[derive(Serialize)]
struct JsonSummary {
    index: String,
    files: usize,
    added: usize,
    updated: usize,
    removed: usize,
    unchanged: usize,
    skipped: Vec<JsonFile>,
    left_out: JsonLeftOut,
    articles: usize,
    articles_kept: usize,
    passages: usize,
    undated: usize,
    undated_dropped: usize,
    unread_dates: usize,
    duplicates: Vec<JsonDuplicate>,
    notes: Vec<JsonFile>,
    interrupted: bool,
    seconds: f64,
    holds: JsonHolds,
}

/// Files left out as not articles: how many, and how many of each kind.
#[derive(Serialize)]
struct JsonLeftOut {
    files: usize,
    kinds: std::collections::BTreeMap<String, usize>,
}

#[derive(Serialize)]
struct JsonFile {
    path: String,
    reason: String,
}

#[derive(Serialize)]
struct JsonDuplicate {
    path: String,
    original: String,
}

#[derive(Serialize)]
struct JsonHolds {
    articles: u64,
    passages: u64,
    files: usize,
    near_copy_stories: usize,
    near_copy_articles: usize,
}

/// Writes `summary` of a run into the index at `index` as one JSON object.
pub fn write_index_summary_json<W: Write>(
    out: &mut W,
    summary: &IndexSummary,
    index: &Path,
) -> io::Result<()> {
    let files = |list: &[crate::ingest::Skipped]| {
        list.iter()
            .map(|s| JsonFile {
                path: s.path.display().to_string(),
                reason: s.reason.clone(),
            })
            .collect()
    };
    let object = JsonSummary {
        index: index.display().to_string(),
        files: summary.files,
        added: summary.added,
        updated: summary.updated,
        removed: summary.removed,
        unchanged: summary.unchanged,
        skipped: files(&summary.skipped),
        left_out: JsonLeftOut {
            files: summary.left_out_files(),
            kinds: summary.left_out.clone(),
        },
        articles: summary.articles,
        articles_kept: summary.articles_kept,
        passages: summary.passages,
        undated: summary.undated,
        undated_dropped: summary.undated_dropped,
        unread_dates: summary.unread_dates,
        duplicates: summary
            .duplicates
            .iter()
            .map(|(copy, original)| JsonDuplicate {
                path: copy.display().to_string(),
                original: original.display().to_string(),
            })
            .collect(),
        notes: files(&summary.notes),
        interrupted: summary.interrupted,
        seconds: summary.elapsed.as_secs_f64(),
        holds: JsonHolds {
            articles: summary.total_articles,
            passages: summary.total_passages,
            files: summary.total_files,
            near_copy_stories: summary.near_copy_stories,
            near_copy_articles: summary.near_copy_articles,
        },
    };
    serde_json::to_writer_pretty(&mut *out, &object)?;
    writeln!(out)
}
