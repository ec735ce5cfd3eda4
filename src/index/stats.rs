//! What an index holds: articles per format and year, the date range and
//! the undated files.
//!
//! Computed read-only from fast fields (article id, date, day, format) in
//! one pass over the live documents, so `stats` never takes the writer lock
//! and can run while an `index` run is going on. Only undated articles and
//! those with an unreadable date value need their stored document, for the
//! path (and the value).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;

use tantivy::DocAddress;

use crate::date::{ArticleDate, DatePrecision};
use crate::error::Result;
use crate::index::OpenIndex;
use crate::index::article_column::ArticleColumn;
use crate::index::stored::precision_of;
use crate::ingest::DateProblem;

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
    /// Dated articles per year, as the articles write their days.
    pub by_year: BTreeMap<i16, u64>,
    /// Files holding at least one undated article.
    pub undated_files: Vec<String>,
    /// Articles whose metadata held a date value that could not be read
    /// (whether or not something else dated them), by source.
    pub unread_dates: Vec<UnreadDateEntry>,
    /// Bytes the index takes on disk.
    pub index_bytes: u64,
    /// When the index was last committed (RFC 3339, UTC).
    pub last_indexed: Option<String>,
}

/// An article whose metadata held a date value that could not be read.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UnreadDateEntry {
    /// The article's source.
    pub source: String,
    /// The field the value was found under.
    pub field: String,
    /// The value as written.
    pub value: String,
    /// Why it could not be read: `not understood`, `ambiguous`, `out of
    /// range`.
    pub problem: &'static str,
}

/// Computes the figures of an opened index.
pub fn index_stats(index: &OpenIndex) -> Result<IndexStats> {
    let searcher = index.snapshot()?;
    let reader = super::stored::StoredReader::new(&searcher, &index.fields);
    let mut stats = IndexStats {
        passages: searcher.num_docs(),
        index_bytes: folder_bytes(&index.path),
        last_indexed: last_commit(&index.path),
        ..IndexStats::default()
    };
    let mut undated_files = BTreeSet::new();
    // The earliest and latest article, by instant.
    let mut min: Option<ArticleDate> = None;
    let mut max: Option<ArticleDate> = None;
    for (segment_ord, segment) in searcher.segment_readers().iter().enumerate() {
        let fast = segment.fast_fields();
        // A segment where no document has a value may lack the column.
        let Some(ids) = ArticleColumn::of(segment)? else {
            continue;
        };
        let dates = fast.column_opt::<i64>("date")?;
        let precisions = fast.column_opt::<u64>("date_precision")?;
        let offsets = fast.column_opt::<i64>("date_offset")?;
        let problems = fast.column_opt::<u64>("date_problem")?;
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
            if !ids.is_first_passage(doc) {
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
            let address = DocAddress::new(segment_ord as u32, doc);
            if let Some(code) = problems.as_ref().and_then(|p| p.first(doc)) {
                let unread = reader.unread_date(address)?;
                stats.unread_dates.push(UnreadDateEntry {
                    source: unread.source,
                    field: unread.field,
                    value: unread.value,
                    problem: DateProblem::name_of_code(code),
                });
            }
            match dates.as_ref().and_then(|d| d.first(doc)) {
                Some(timestamp) => {
                    stats.dated += 1;
                    let precision = precisions
                        .as_ref()
                        .and_then(|p| p.first(doc))
                        .map_or(DatePrecision::Day, precision_of);
                    let offset = offsets
                        .as_ref()
                        .and_then(|o| o.first(doc))
                        .and_then(|o| i32::try_from(o).ok())
                        .unwrap_or(0);
                    let date = ArticleDate::from_stored_at(timestamp, precision, offset);
                    if min.is_none_or(|m| timestamp < m.timestamp) {
                        min = Some(date);
                    }
                    if max.is_none_or(|m| timestamp > m.timestamp) {
                        max = Some(date);
                    }
                    *stats.by_year.entry(date.day().year()).or_default() += 1;
                }
                None => {
                    stats.undated += 1;
                    let source = reader.article_source(address)?;
                    if !source.is_empty() {
                        undated_files.insert(source);
                    }
                }
            }
        }
    }
    stats.min_date = min;
    stats.max_date = max;
    stats.undated_files = undated_files.into_iter().collect();
    stats
        .unread_dates
        .sort_by(|a, b| (&a.source, &a.value).cmp(&(&b.source, &b.value)));
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
