//! Code ranks below prose on equal terms.
//!
//! A code block is kept searchable (`tokio::spawn` must be found), but a
//! passage of code that matches a query as well as a paragraph of prose is
//! rarely what the reader wants first: the prose explains, the code shows.
//! So a code passage's score is multiplied by [`CODE_WEIGHT`] before the
//! passages are ordered: it needs twice the evidence of prose to come
//! first, and still comes first when nothing else matches as well. The
//! all-words tier is unchanged: a code passage with every query word still
//! ranks above prose with only some.

use tantivy::Searcher;
use tantivy::columnar::Column;

use crate::index::CODE_KIND;
use crate::search::rank::ScoredMatches;

/// The factor a code passage's score is multiplied by.
pub(crate) const CODE_WEIGHT: f32 = 0.5;

/// Weighs down the scores of the code passages among `matches`.
pub(crate) fn weigh_code(searcher: &Searcher, matches: &mut ScoredMatches) {
    // An index without code (most news collections) costs one look per
    // segment.
    let columns: Vec<Option<Column<u64>>> = searcher
        .segment_readers()
        .iter()
        .map(|segment| {
            segment
                .fast_fields()
                .u64("kind")
                .ok()
                .filter(|column| column.values.num_vals() > 0)
        })
        .collect();
    if columns.iter().all(Option::is_none) {
        return;
    }
    matches.adjust(|address, score| {
        let kind = columns
            .get(address.segment_ord as usize)
            .and_then(Option::as_ref)
            .and_then(|column| column.first(address.doc_id));
        if kind == Some(CODE_KIND) {
            *score *= CODE_WEIGHT;
        }
    });
}
