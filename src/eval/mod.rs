//! `dateline eval`: measuring ranking quality on a test collection in BEIR
//! layout.
//!
//! The collection is indexed like any articles (title + body split into
//! passages by the same splitter, through the indexer's public entry),
//! then every judged query runs through [`crate::search::ArticleRanker`]:
//! the query parser, passage scoring and article aggregation that
//! `dateline search` uses. Judgments are per document, so the ranking is
//! measured per article.
//!
//! - `beir`: reading the collection; `metrics`: trec_eval's measures;
//! - `run`: indexing it and running the queries.

mod beir;
pub mod metrics;
mod run;

use std::path::PathBuf;

use serde::Serialize;

pub use beir::{Collection, load_collection};
pub use run::run_eval;

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
    /// Mean nDCG@10.
    pub ndcg_at_10: f64,
    /// Mean Recall@100.
    pub recall_at_100: f64,
    /// Mean MRR@10.
    pub mrr_at_10: f64,
    /// Seconds spent indexing.
    pub index_seconds: f64,
    /// Seconds spent running the queries.
    pub query_seconds: f64,
    /// Queries per second (one thread).
    pub queries_per_second: f64,
    /// The ranking measured.
    pub ranking: Ranking,
}
