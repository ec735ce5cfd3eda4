//! Indexing a collection and running its judged queries.

use std::time::Instant;

use crate::error::Result;
use crate::eval::{EvalOptions, EvalReport, load_collection, metrics};
use crate::index::OpenIndex;
use crate::indexer::{IndexOptions, NoProgress, index_articles};
use crate::ingest::PassageSplitter;
use crate::search::ArticleRanker;

/// How many articles are ranked per query: enough for Recall@100.
const DEPTH: usize = 100;

/// Loads, indexes and evaluates a collection.
pub fn run_eval(options: &EvalOptions) -> Result<EvalReport> {
    let passage_words = options
        .passage_words
        .unwrap_or(PassageSplitter::default().max_words);
    let collection = load_collection(&options.collection, &options.split, passage_words)?;
    let temporary;
    let index_dir = match &options.index_dir {
        Some(dir) => dir.clone(),
        None => {
            temporary = tempfile::tempdir().map_err(|source| crate::Error::Io {
                path: std::env::temp_dir(),
                source,
            })?;
            temporary.path().to_path_buf()
        }
    };
    let started = Instant::now();
    let index_options = IndexOptions {
        language: Some(options.language),
        ..IndexOptions::new(Vec::new(), index_dir.clone())
    };
    // Each document is one record, keyed by its id.
    let records = collection.articles.iter().map(|article| {
        let key = format!("beir/{}", article.source.display());
        (key, vec![article.clone()])
    });
    let summary = index_articles(&index_options, records, &mut NoProgress)?;
    let index_seconds = started.elapsed().as_secs_f64();

    let index = OpenIndex::open(&index_dir)?;
    let mut ranker = ArticleRanker::new(&index)?;
    let started = Instant::now();
    let (mut ndcg, mut recall, mut mrr) = (0.0, 0.0, 0.0);
    for (query_id, text) in &collection.queries {
        let ranked: Vec<String> = ranker
            .rank(text, &options.ranking, DEPTH)?
            .into_iter()
            .map(|article| article.source)
            .collect();
        let judged = &collection.qrels[query_id];
        ndcg += metrics::ndcg_at(10, &ranked, judged);
        recall += metrics::recall_at(100, &ranked, judged);
        mrr += metrics::reciprocal_rank_at(10, &ranked, judged);
    }
    let query_seconds = started.elapsed().as_secs_f64();
    let n = collection.queries.len().max(1) as f64;
    Ok(EvalReport {
        collection: options.collection.display().to_string(),
        split: options.split.clone(),
        documents: collection.articles.len(),
        passages: summary.passages,
        queries: collection.queries.len(),
        ndcg_at_10: ndcg / n,
        recall_at_100: recall / n,
        mrr_at_10: mrr / n,
        index_seconds,
        query_seconds,
        queries_per_second: collection.queries.len() as f64 / query_seconds.max(1e-9),
        ranking: options.ranking.clone(),
    })
}
