//! Indexing a collection and running its judged queries.

use std::collections::HashMap;
use std::path::Path;
use std::time::Instant;

use crate::error::Result;
use crate::eval::metrics::MetricSums;
use crate::eval::{EvalOptions, EvalReport, load_collection};
use crate::index::OpenIndex;
use crate::indexer::{IndexOptions, NoProgress, index_articles};
use crate::ingest::PassageSplitter;
use crate::search::ArticleRanker;

/// How many articles are ranked per query: enough for Recall@100 and
/// MAP@100.
const DEPTH: usize = 100;

/// The prefix of each document's record key in the index.
const KEY_PREFIX: &str = "beir/";

/// Loads, indexes and evaluates a collection.
pub fn run_eval(options: &EvalOptions) -> Result<EvalReport> {
    let passage_words = options
        .passage_words
        .unwrap_or(PassageSplitter::default().max_words);
    let collection = load_collection(&options.collection, &options.split, passage_words)?;
    let queries = options.queries.select(&collection.queries)?;
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
        let key = format!("{KEY_PREFIX}{}", article.source.display());
        (key, vec![article.clone()])
    });
    let summary = index_articles(&index_options, records, &mut NoProgress)?;
    let index_seconds = started.elapsed().as_secs_f64();
    // An exact duplicate is indexed once, under the first document holding it.
    let mut duplicates: HashMap<String, Vec<String>> = HashMap::new();
    for (copy, original) in &summary.duplicates {
        duplicates
            .entry(document_id(original))
            .or_default()
            .push(document_id(copy));
    }

    let index = OpenIndex::open(&index_dir)?;
    let mut ranker = ArticleRanker::new(&index)?;
    let started = Instant::now();
    let mut sums = MetricSums::default();
    for query in &queries {
        let mut ranked: Vec<String> = Vec::with_capacity(DEPTH);
        for article in ranker.rank(&query.text, &query.dates, &options.ranking, DEPTH)? {
            for id in std::iter::once(article.source).chain(article.near_copies) {
                let copies = duplicates.get(&id).into_iter().flatten().cloned();
                ranked.push(id.clone());
                ranked.extend(copies);
            }
            if ranked.len() >= DEPTH {
                break;
            }
        }
        ranked.truncate(DEPTH);
        sums.add(&ranked, &collection.qrels[&query.id]);
    }
    let query_seconds = started.elapsed().as_secs_f64();
    let means = sums.means();
    Ok(EvalReport {
        collection: options.collection.display().to_string(),
        split: options.split.clone(),
        documents: collection.articles.len(),
        passages: summary.passages,
        queries: queries.len(),
        query_ids: options.queries,
        dated_queries: queries.iter().filter(|q| !q.dates.is_unbounded()).count(),
        ndcg_at_10: means.ndcg_at_10,
        recall_at_100: means.recall_at_100,
        mrr_at_10: means.mrr_at_10,
        precision_at_10: means.precision_at_10,
        map_at_100: means.map_at_100,
        index_seconds,
        query_seconds,
        queries_per_second: queries.len() as f64 / query_seconds.max(1e-9),
        ranking: options.ranking.clone(),
    })
}

/// The document id a record key names.
fn document_id(key: &Path) -> String {
    let key = key.to_string_lossy();
    key.strip_prefix(KEY_PREFIX).unwrap_or(&key).to_string()
}
