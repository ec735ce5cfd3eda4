//! What an index holds: articles per format and year, the date range and
//! the undated files.
//!
//! Computed read-only from fast fields (article id, date, format) in one
//! pass over the live documents, so `stats` never takes the writer lock and
//! can run while an `index` run is going on. Only undated articles need
//! their stored document, for the path.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;

use tantivy::DocAddress;

use crate::date::{ArticleDate, DatePrecision};
use crate::error::Result;
use crate::index::OpenIndex;

/// Figures about an index.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct IndexStats {
    /// Articles indexed.
    pub articles: u64,
    /// Passages (tantivy documents) indexed.
    pub passages: u64,
    /// Articles with a date.
    pub dated: u64,
    /// Articles without one.
    pub undated: u64,
    /// The earliest article date.
    pub min_date: Option<ArticleDate>,
    /// The latest article date.
    pub max_date: Option<ArticleDate>,
    /// Articles per format name.
    pub by_format: BTreeMap<String, u64>,
    /// Dated articles per (UTC) year.
    pub by_year: BTreeMap<i16, u64>,
    /// Files holding at least one undated article.
    pub undated_files: Vec<String>,
    /// Bytes the index takes on disk.
    pub index_bytes: u64,
    /// When the index was last committed (RFC 3339, UTC).
    pub last_indexed: Option<String>,
}

/// Computes the figures of an opened index.
pub fn index_stats(index: &OpenIndex) -> Result<IndexStats> {
    let searcher = index.snapshot()?;
    let mut stats = IndexStats {
        passages: searcher.num_docs(),
        index_bytes: folder_bytes(&index.path),
        last_indexed: last_commit(&index.path),
        ..IndexStats::default()
    };
    let mut undated_files = BTreeSet::new();
    // (timestamp, precision) of the earliest and latest article.
    let mut min: Option<(i64, DatePrecision)> = None;
    let mut max: Option<(i64, DatePrecision)> = None;
    for (segment_ord, segment) in searcher.segment_readers().iter().enumerate() {
        let fast = segment.fast_fields();
        // A segment where no document has a value may lack the column.
        let Some(ids) = fast.column_opt::<u64>("article_id")? else {
            continue;
        };
        let dates = fast.column_opt::<i64>("date")?;
        let precisions = fast.column_opt::<u64>("date_precision")?;
        // Only an article's first passage has a format (and its date
        // precision): those documents are the articles.
        let Some(formats) = fast.str("format")? else {
            continue;
        };
        let mut format_names: HashMap<u64, String> = HashMap::new();
        for doc in segment.doc_ids_alive() {
            let Some(ord) = formats.term_ords(doc).next() else {
                continue;
            };
            if ids.first(doc).is_none() {
                continue;
            }
            stats.articles += 1;
            if let std::collections::hash_map::Entry::Vacant(slot) = format_names.entry(ord) {
                let mut name = String::new();
                if formats.ord_to_str(ord, &mut name).is_ok() {
                    slot.insert(name);
                }
            }
            let format = format_names.get(&ord).cloned();
            *stats
                .by_format
                .entry(format.unwrap_or_else(|| "unknown".to_string()))
                .or_default() += 1;
            match dates.as_ref().and_then(|d| d.first(doc)) {
                Some(timestamp) => {
                    stats.dated += 1;
                    let precision = match precisions.as_ref().and_then(|p| p.first(doc)) {
                        Some(1) => DatePrecision::Second,
                        _ => DatePrecision::Day,
                    };
                    if min.is_none_or(|(t, _)| timestamp < t) {
                        min = Some((timestamp, precision));
                    }
                    if max.is_none_or(|(t, _)| timestamp > t) {
                        max = Some((timestamp, precision));
                    }
                    let year = ArticleDate::from_stored(timestamp, DatePrecision::Second)
                        .day()
                        .year();
                    *stats.by_year.entry(year).or_default() += 1;
                }
                None => {
                    stats.undated += 1;
                    let source = super::stored::article_source(
                        &searcher,
                        &index.fields,
                        DocAddress::new(segment_ord as u32, doc),
                    )?;
                    if !source.is_empty() {
                        undated_files.insert(source);
                    }
                }
            }
        }
    }
    stats.min_date = min.map(|(t, p)| ArticleDate::from_stored(t, p));
    stats.max_date = max.map(|(t, p)| ArticleDate::from_stored(t, p));
    stats.undated_files = undated_files.into_iter().collect();
    Ok(stats)
}

fn folder_bytes(path: &Path) -> u64 {
    std::fs::read_dir(path)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok()?.metadata().ok())
                .filter(|m| m.is_file())
                .map(|m| m.len())
                .sum()
        })
        .unwrap_or(0)
}

/// tantivy rewrites `meta.json` on every commit.
fn last_commit(path: &Path) -> Option<String> {
    let modified = std::fs::metadata(path.join("meta.json"))
        .ok()?
        .modified()
        .ok()?;
    let timestamp = jiff::Timestamp::try_from(modified).ok()?;
    Some(format!(
        "{}Z",
        jiff::tz::Offset::UTC
            .to_datetime(timestamp)
            .strftime("%Y-%m-%dT%H:%M:%S")
    ))
}
