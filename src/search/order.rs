//! The order results come in: relevance (optionally boosted towards newer
//! articles) or date.
//!
//! Ordering only ever reorders: every sort ranks the same matching passages,
//! so `--sort newest` shows the newest of exactly the articles a relevance
//! search finds. Dates come from the `date` fast field, never from stored
//! documents.

use tantivy::collector::TopDocs;
use tantivy::query::Query;
use tantivy::{DocAddress, DocId, Score, Searcher, SegmentReader};

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

/// How a window of top passages is ranked.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Ranking {
    /// BM25 score.
    Score,
    /// BM25 score × (1 + 2^(−age / half_life)), age counted back from
    /// `newest`, so the newest articles score up to twice as much and the
    /// boost halves every half-life. Undated articles get no boost.
    Recency {
        /// The half-life in seconds (> 0).
        half_life: i64,
        /// The date ages are measured from: the newest date in the index,
        /// so the boost means the same on a 1987 archive as on today's news.
        newest: i64,
    },
    /// Date, then score among equal dates.
    Date {
        /// Newest first when true, oldest first otherwise.
        newest_first: bool,
    },
}

impl Ranking {
    /// The ranking for a sort order and an optional recency half-life.
    pub(crate) fn new(
        searcher: &Searcher,
        sort: SortOrder,
        recency_half_life: Option<i64>,
    ) -> Result<Ranking> {
        Ok(match (sort, recency_half_life) {
            (SortOrder::Newest, _) => Ranking::Date { newest_first: true },
            (SortOrder::Oldest, _) => Ranking::Date {
                newest_first: false,
            },
            (SortOrder::Relevance, Some(half_life)) if half_life > 0 => Ranking::Recency {
                half_life,
                newest: newest_date(searcher)?.unwrap_or(0),
            },
            (SortOrder::Relevance, _) => Ranking::Score,
        })
    }

    /// The top `window` passages matching `query`, best first, each with the
    /// score to show. Ties are broken by document address, so results are
    /// repeatable.
    pub(crate) fn top(
        &self,
        searcher: &Searcher,
        query: &dyn Query,
        window: usize,
    ) -> Result<Vec<(f32, DocAddress)>> {
        let top = TopDocs::with_limit(window);
        let mut ranked: Vec<((f64, f64), f32, DocAddress)> = match *self {
            Ranking::Score => searcher
                .search(query, &top.order_by_score())?
                .into_iter()
                .map(|(score, address)| ((f64::from(score), 0.0), score, address))
                .collect(),
            Ranking::Recency { half_life, newest } => searcher
                .search(
                    query,
                    &top.tweak_score(move |segment: &SegmentReader| {
                        let dates = date_column(segment);
                        move |doc: DocId, score: Score| {
                            let boost = match dates.as_ref().and_then(|c| c.first(doc)) {
                                Some(date) => {
                                    1.0 + (-((newest - date).max(0) as f64) / half_life as f64)
                                        .exp2()
                                }
                                None => 1.0,
                            };
                            (f64::from(score) * boost) as Score
                        }
                    }),
                )?
                .into_iter()
                .map(|(score, address)| ((f64::from(score), 0.0), score, address))
                .collect(),
            Ranking::Date { newest_first } => searcher
                .search(
                    query,
                    &top.tweak_score(move |segment: &SegmentReader| {
                        let dates = date_column(segment);
                        move |doc: DocId, score: Score| {
                            // Undated passages sort after every dated one
                            // in both directions.
                            let key = match dates.as_ref().and_then(|c| c.first(doc)) {
                                Some(date) if newest_first => date as f64,
                                Some(date) => -(date as f64),
                                None => f64::NEG_INFINITY,
                            };
                            (key, f64::from(score))
                        }
                    }),
                )?
                .into_iter()
                .map(|(key, address)| (key, key.1 as f32, address))
                .collect(),
        };
        ranked.sort_by(|a, b| {
            b.0.0
                .total_cmp(&a.0.0)
                .then(b.0.1.total_cmp(&a.0.1))
                .then(a.2.cmp(&b.2))
        });
        Ok(ranked
            .into_iter()
            .map(|(_, score, address)| (score, address))
            .collect())
    }
}

fn date_column(segment: &SegmentReader) -> Option<tantivy::columnar::Column<i64>> {
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
