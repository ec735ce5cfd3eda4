//! `dateline eval`: measuring ranking quality on a test collection in BEIR
//! layout.
//!
//! The collection is indexed like any articles (title + body split into
//! passages by the same splitter, through the indexer's public entry),
//! then every judged query runs through [`crate::search::ArticleRanker`]:
//! the query parser, date filter, passage scoring and article ranking that
//! `dateline search` uses. Judgments are per document, so the ranking is
//! measured per article.
//!
//! `search` shows one article per story of near-copies and names the others
//! under it, and indexes an exact duplicate once. So the ranking measured is
//! the one users see: each article shown, then the near-copies named under
//! it (best first) and the exact duplicates of each, as if retrieved right
//! after it. A collection without copies is measured exactly as before.
//!
//! - `beir`: reading the collection; `metrics`: trec_eval's measures;
//! - `run`: indexing it and running the queries.

mod beir;
pub mod metrics;
mod run;

use std::path::PathBuf;

use serde::Serialize;

pub use beir::{Collection, TestQuery, load_collection};
pub use run::run_eval;

use crate::error::{CollectionError, Result};
use crate::index::Language;
use crate::search::Ranking;

/// What to evaluate and how.
#[derive(Clone, Debug)]
pub struct EvalOptions {
    /// The collection folder (BEIR layout).
    pub collection: PathBuf,
    /// Which qrels file: `qrels/<split>.tsv`.
    pub split: String,
    /// Where to build the index; a temporary folder when `None`.
    pub index_dir: Option<PathBuf>,
    /// The analysis language of the index.
    pub language: Language,
    /// Split documents into passages of at most this many words; `None`
    /// uses the splitter `dateline index` uses.
    pub passage_words: Option<usize>,
    /// The ranking to measure.
    pub ranking: Ranking,
    /// Which of the judged queries to run.
    pub queries: QueryIds,
}

/// A half of the judged queries, by their ids, to choose a ranking on one
/// half and check it on the other.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum QueryIds {
    /// Every judged query.
    #[default]
    All,
    /// Queries whose id ends in an odd number.
    Odd,
    /// Queries whose id ends in an even number.
    Even,
}

impl QueryIds {
    /// The queries of this half, by the number their id ends in (`q12` is
    /// even); an id without one cannot be put in a half.
    pub fn select(self, queries: &[TestQuery]) -> Result<Vec<TestQuery>> {
        let mut selected = Vec::with_capacity(queries.len());
        for query in queries {
            let keep = match self {
                QueryIds::All => true,
                QueryIds::Odd | QueryIds::Even => {
                    let number = id_number(&query.id).ok_or_else(|| {
                        CollectionError::QueryIdWithoutNumber {
                            id: query.id.clone(),
                        }
                    })?;
                    (number % 2 == 1) == (self == QueryIds::Odd)
                }
            };
            if keep {
                selected.push(query.clone());
            }
        }
        Ok(selected)
    }
}

/// The number an id ends in (`q12` → 12), if any.
fn id_number(id: &str) -> Option<u64> {
    let digits = id.len() - id.trim_end_matches(|c: char| c.is_ascii_digit()).len();
    id[id.len() - digits..].parse().ok()
}

/// The scores of one evaluation run.
#[derive(Clone, Debug, Serialize)]
pub struct EvalReport {
    /// The collection folder.
    pub collection: String,
    /// The qrels split.
    pub split: String,
    /// Documents in the corpus.
    pub documents: usize,
    /// Passages they were split into.
    pub passages: usize,
    /// Judged queries run.
    pub queries: usize,
    /// Which of them: all, or the odd or even ids.
    pub query_ids: QueryIds,
    /// How many of them were run with a date filter.
    pub dated_queries: usize,
    /// Mean nDCG@10.
    pub ndcg_at_10: f64,
    /// Mean Recall@100.
    pub recall_at_100: f64,
    /// Mean MRR@10.
    pub mrr_at_10: f64,
    /// Mean P@10.
    pub precision_at_10: f64,
    /// Mean average precision at 100 (MAP@100).
    pub map_at_100: f64,
    /// Seconds spent indexing.
    pub index_seconds: f64,
    /// Seconds spent running the queries.
    pub query_seconds: f64,
    /// Queries per second (one thread).
    pub queries_per_second: f64,
    /// The ranking measured.
    pub ranking: Ranking,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn halves_go_by_the_number_an_id_ends_in() {
        let query = |id: &str| TestQuery {
            id: id.to_string(),
            ..TestQuery::default()
        };
        let queries = [query("1"), query("q2"), query("doc-13"), query("40")];
        let ids = |which: QueryIds| -> Vec<String> {
            which
                .select(&queries)
                .unwrap()
                .into_iter()
                .map(|q| q.id)
                .collect()
        };
        assert_eq!(ids(QueryIds::Odd), ["1", "doc-13"]);
        assert_eq!(ids(QueryIds::Even), ["q2", "40"]);
        assert_eq!(ids(QueryIds::All).len(), 4);
        let unnumbered = [query("a")];
        assert!(QueryIds::Odd.select(&unnumbered).is_err());
        assert_eq!(QueryIds::All.select(&unnumbered).unwrap().len(), 1);
    }
}
