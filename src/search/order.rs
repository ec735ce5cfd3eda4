//! The order results come in: relevance (optionally boosted towards newer
//! articles) or date.
//!
//! Ordering only ever reorders: every sort ranks the same matching passages,
//! so `--sort newest` shows the newest of exactly the articles a relevance
//! search finds. Dates come from the `date` fast field, never from stored
//! documents.

use std::cmp::Ordering;

use tantivy::columnar::Column;
use tantivy::{DocAddress, Searcher};

use crate::search::ScoredPassage;
use crate::search::rank::ScoredMatches;

use crate::error::Result;
use crate::index::OpenIndex;

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
/// undated articles last in both directions. Ties go by article id, then
/// reading order, so results are repeatable whatever segments the
/// documents landed in.
pub(crate) struct PassageOrder {
    sort: SortOrder,
    /// Each segment's `date` column, by segment ordinal.
    dates: Vec<Option<Column<i64>>>,
}

impl PassageOrder {
    /// The order `sort` asks for; with a recency half-life (relevance only)
    /// the scores of `matches` are boosted first.
    pub(crate) fn new(
        index: &OpenIndex,
        searcher: &Searcher,
        matches: &mut ScoredMatches,
        sort: SortOrder,
        recency_half_life: Option<i64>,
    ) -> Result<PassageOrder> {
        let dates = (searcher.segment_readers().iter())
            .map(|segment| {
                let column = index.columns().i64(segment, index.fields.date).ok()?;
                column.filter(|column| column.values.num_vals() > 0)
            })
            .collect();
        let order = PassageOrder { sort, dates };
        if let (SortOrder::Relevance, Some(half_life)) = (sort, recency_half_life) {
            if half_life > 0 {
                let newest = (order.dates.iter().flatten())
                    .map(Column::max_value)
                    .max()
                    .unwrap_or(0);
                matches.adjust(|address, score| {
                    if let Some(date) = order.date_at(address) {
                        let age = (newest - date).max(0) as f64;
                        *score =
                            (f64::from(*score) * (1.0 + (-age / half_life as f64).exp2())) as f32;
                    }
                })?;
            }
        }
        Ok(order)
    }

    /// The matches this order can put among its first `count`, ready for
    /// [`PassageOrder::arrange`]: a relevance order ranks by tier and
    /// score first, so the best of them by score suffice
    /// ([`ScoredMatches::best`]); a date order ranks by date first, so
    /// those dated on or after (before) the `count`th newest (oldest) match
    /// do, undated ones only when those are too few. Only they are scored,
    /// for the order among equal dates, unless every match is already.
    pub(crate) fn candidates(
        &self,
        matches: &mut ScoredMatches,
        count: usize,
    ) -> Result<Vec<ScoredPassage>> {
        if self.sort == SortOrder::Relevance {
            return matches.best(count);
        }
        // Every match scored already (an exhaustive search): all of them,
        // as an order by date of every match would.
        if count >= matches.len() || matches.exact_top().is_none() {
            return matches.all();
        }
        if count == 0 {
            return Ok(Vec::new());
        }
        // Each match's date as a number in the order's direction, undated
        // last: never decreasing along the order (two dates may share a
        // number at the ends of the range, which only adds candidates).
        let keys: Vec<u64> = (matches.addresses())
            .map(|address| match self.date_at(address) {
                None => u64::MAX,
                Some(date) => {
                    let ordered = (date as u64) ^ (1 << 63);
                    match self.sort {
                        SortOrder::Newest => !ordered,
                        _ => ordered,
                    }
                }
            })
            .collect();
        let mut sorted = keys.clone();
        let (_, &mut last, _) = sorted.select_nth_unstable(count - 1);
        drop(sorted);
        let places: Vec<usize> = (keys.iter().enumerate())
            .filter(|&(_, &key)| key <= last)
            .map(|(place, _)| place)
            .collect();
        if places.len() >= matches.len() / 4 {
            // Most matches share the last date (an undated collection):
            // scoring every one at once, on every core, is quicker than
            // article by article.
            return matches.all();
        }
        matches.scored_at(&places)
    }

    /// How many of the best matches [`ScoredMatches::exact_top`] says a
    /// pruned pass scored, for a relevance order; `None` for a date order,
    /// which picks its candidates by date.
    pub(crate) fn scored_up_front(&self, matches: &ScoredMatches) -> Option<usize> {
        match self.sort {
            SortOrder::Relevance => matches.exact_top(),
            SortOrder::Newest | SortOrder::Oldest => None,
        }
    }

    fn date_of(&self, passage: &ScoredPassage) -> Option<i64> {
        self.date_at(passage.address)
    }

    fn date_at(&self, address: DocAddress) -> Option<i64> {
        self.dates
            .get(address.segment_ord as usize)
            .and_then(Option::as_ref)
            .and_then(|column| column.first(address.doc_id))
    }

    /// Puts the first `first` passages of the order, in order, at the front
    /// of `passages`; the others follow in no particular order. A page of
    /// results needs only its top, and selecting it is linear where sorting
    /// every match of a common word on a million articles is not.
    pub(crate) fn arrange(&self, passages: &mut [ScoredPassage], first: usize) {
        let mut keyed: Vec<(Option<i64>, ScoredPassage)> =
            passages.iter().map(|p| (self.date_of(p), *p)).collect();
        let compare = |a: &(Option<i64>, ScoredPassage), b: &(Option<i64>, ScoredPassage)| {
            self.compare_keyed(a, b)
        };
        if first < keyed.len() {
            keyed.select_nth_unstable_by(first, compare);
            keyed[..first].sort_unstable_by(compare);
        } else {
            keyed.sort_unstable_by(compare);
        }
        for (slot, (_, passage)) in passages.iter_mut().zip(keyed) {
            *slot = passage;
        }
    }

    /// Whether `a` comes before `b`, as [`PassageOrder::arrange`] orders.
    pub(crate) fn compare(&self, a: &ScoredPassage, b: &ScoredPassage) -> Ordering {
        self.compare_keyed(&(self.date_of(a), *a), &(self.date_of(b), *b))
    }

    /// Relevance: tier, then score; equal scores go to the newer article,
    /// then by article id (a hash of the file's path and the article's
    /// place in it), so ties come out the same whatever segments the
    /// documents landed in. Passages of one article keep their reading
    /// order. Dates: the date, then the score, then the article id, for
    /// the same reason.
    fn compare_keyed(
        &self,
        (a_date, a): &(Option<i64>, ScoredPassage),
        (b_date, b): &(Option<i64>, ScoredPassage),
    ) -> Ordering {
        match self.sort {
            SortOrder::Relevance => b
                .tier
                .cmp(&a.tier)
                .then(b.score.total_cmp(&a.score))
                .then(b_date.cmp(a_date))
                .then(a.article_id.cmp(&b.article_id))
                .then(a.address.cmp(&b.address)),
            SortOrder::Newest | SortOrder::Oldest => {
                let newest_first = self.sort == SortOrder::Newest;
                // Undated last in both directions.
                let key = |date: &Option<i64>| match *date {
                    Some(date) if newest_first => Some(date),
                    Some(date) => Some(-date),
                    None => None,
                };
                key(b_date)
                    .cmp(&key(a_date))
                    .then(b.score.total_cmp(&a.score))
                    .then(a.article_id.cmp(&b.article_id))
                    .then(a.address.cmp(&b.address))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn passage(segment: u32, doc: u32, article_id: u64, score: f32) -> ScoredPassage {
        ScoredPassage {
            address: DocAddress::new(segment, doc),
            article_id,
            score,
            tier: 0,
        }
    }

    #[test]
    fn equal_dates_and_scores_go_by_article_not_by_where_the_documents_landed() {
        let day = Some(1_000);
        // The same two articles, indexed into different segments by two builds.
        let one_build = [(day, passage(0, 5, 7, 2.0)), (day, passage(1, 0, 3, 2.0))];
        let other_build = [(day, passage(1, 9, 7, 2.0)), (day, passage(0, 2, 3, 2.0))];
        for sort in [SortOrder::Newest, SortOrder::Oldest, SortOrder::Relevance] {
            let order = PassageOrder {
                sort,
                dates: Vec::new(),
            };
            for [a, b] in [one_build, other_build] {
                assert_eq!(order.compare_keyed(&a, &b), Ordering::Greater, "{sort:?}");
                assert_eq!(order.compare_keyed(&b, &a), Ordering::Less, "{sort:?}");
            }
            // Passages of one article keep their reading order.
            let (first, second) = ((day, passage(0, 1, 7, 2.0)), (day, passage(0, 2, 7, 2.0)));
            assert_eq!(order.compare_keyed(&first, &second), Ordering::Less);
        }
        // The date comes first, then the score.
        let order = PassageOrder {
            sort: SortOrder::Newest,
            dates: Vec::new(),
        };
        let newer = (Some(2_000), passage(0, 0, 9, 1.0));
        let undated = (None, passage(0, 1, 1, 9.0));
        assert_eq!(order.compare_keyed(&newer, &one_build[1]), Ordering::Less);
        assert_eq!(
            order.compare_keyed(&undated, &one_build[1]),
            Ordering::Greater
        );
    }
}
