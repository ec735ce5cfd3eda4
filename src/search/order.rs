//! The order results come in: relevance (optionally boosted towards newer
//! articles) or date.
//!
//! Ordering only ever reorders: every sort ranks the same matching passages,
//! so `--sort newest` shows the newest of exactly the articles a relevance
//! search finds. Dates come from the `date` fast field, never from stored
//! documents.

use tantivy::columnar::Column;
use tantivy::{Searcher, SegmentReader};

use crate::search::ScoredPassage;

use crate::error::Result;

/// How results are ordered.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SortOrder {
    /// Best match first (passages with every word before those with some).
    #[default]
    Relevance,
    /// Newest article first; undated articles last.
    Newest,
    /// Oldest article first; undated articles last.
    Oldest,
}

impl SortOrder {
    /// Whether results are ordered by date rather than by relevance.
    pub fn is_by_date(self) -> bool {
        self != SortOrder::Relevance
    }
}

/// Puts passages ranked by relevance ([`super::rank`]) into the requested
/// order. Relevance keeps the tiers (every word first) and, with a recency
/// half-life, multiplies each score by `1 + 2^(−age / half_life)`, age
/// counted back from the newest article in the index, so the boost means
/// the same on a 1987 archive as on today's news; undated articles get no
/// boost. A date order has one tier: date, then score among equal dates,
/// undated articles last in both directions. Ties go to the earlier
/// document, so results are repeatable.
pub(crate) fn order_passages(
    searcher: &Searcher,
    passages: &mut [ScoredPassage],
    sort: SortOrder,
    recency_half_life: Option<i64>,
) -> Result<()> {
    let columns: Vec<Option<Column<i64>>> =
        searcher.segment_readers().iter().map(date_column).collect();
    let date_of = |passage: &ScoredPassage| -> Option<i64> {
        columns
            .get(passage.address.segment_ord as usize)
            .and_then(Option::as_ref)
            .and_then(|column| column.first(passage.address.doc_id))
    };
    match (sort, recency_half_life) {
        (SortOrder::Relevance, Some(half_life)) if half_life > 0 => {
            let newest = newest_date(searcher)?.unwrap_or(0);
            for passage in passages.iter_mut() {
                if let Some(date) = date_of(passage) {
                    let age = (newest - date).max(0) as f64;
                    passage.score = (f64::from(passage.score)
                        * (1.0 + (-age / half_life as f64).exp2()))
                        as f32;
                }
            }
            sort_by_relevance(passages, &date_of);
        }
        (SortOrder::Relevance, _) => sort_by_relevance(passages, &date_of),
        (SortOrder::Newest | SortOrder::Oldest, _) => {
            let newest_first = sort == SortOrder::Newest;
            let key = |passage: &ScoredPassage| match date_of(passage) {
                Some(date) if newest_first => date as f64,
                Some(date) => -(date as f64),
                None => f64::NEG_INFINITY,
            };
            let mut keyed: Vec<(f64, ScoredPassage)> =
                passages.iter().map(|p| (key(p), *p)).collect();
            keyed.sort_unstable_by(|a, b| {
                b.0.total_cmp(&a.0)
                    .then(b.1.score.total_cmp(&a.1.score))
                    .then(a.1.address.cmp(&b.1.address))
            });
            for (slot, (_, passage)) in passages.iter_mut().zip(keyed) {
                *slot = passage;
            }
        }
    }
    Ok(())
}

/// Best first: tier, then score; equal scores go to the newer article,
/// then by article id (a hash of the file's path and the article's place in
/// it), so ties come out the same whatever segments the documents landed
/// in. Passages of one article keep their reading order.
fn sort_by_relevance(
    passages: &mut [ScoredPassage],
    date_of: &dyn Fn(&ScoredPassage) -> Option<i64>,
) {
    let mut keyed: Vec<(Option<i64>, ScoredPassage)> =
        passages.iter().map(|p| (date_of(p), *p)).collect();
    keyed.sort_unstable_by(|(a_date, a), (b_date, b)| {
        b.tier
            .cmp(&a.tier)
            .then(b.score.total_cmp(&a.score))
            .then(b_date.cmp(a_date))
            .then(a.article_id.cmp(&b.article_id))
            .then(a.address.cmp(&b.address))
    });
    for (slot, (_, passage)) in passages.iter_mut().zip(keyed) {
        *slot = passage;
    }
}

fn date_column(segment: &SegmentReader) -> Option<Column<i64>> {
    segment
        .fast_fields()
        .column_opt::<i64>("date")
        .ok()
        .flatten()
}

/// The newest article date in the index, if any article is dated.
pub(crate) fn newest_date(searcher: &Searcher) -> Result<Option<i64>> {
    let mut newest = None;
    for segment in searcher.segment_readers() {
        if let Some(column) = date_column(segment) {
            if column.values.num_vals() > 0 {
                newest = newest.max(Some(column.max_value()));
            }
        }
    }
    Ok(newest)
}
