//! `dateline eval`: measuring ranking quality on a test collection in BEIR
//! layout.
//!
//! The collection is indexed like any articles (title + body split into
//! passages by the same splitter), then every judged query runs through
//! [`crate::search::rank_articles`]: the query parser, passage scoring and
//! article aggregation that `dateline search` uses. Judgments are per
//! document, so the ranking is measured per article.

mod beir;
pub mod metrics;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use serde::Serialize;
use tantivy::schema::Value;
use tantivy::tokenizer::Language;
use tantivy::{DocAddress, Searcher};

pub use beir::{Collection, load_collection};

use crate::error::Result;
use crate::index::manifest::FileRecord;
use crate::index::{ArticleWriter, OpenIndex, OpenedWriter};
use crate::indexer::DEFAULT_MEMORY_BUDGET;
use crate::ingest::PassageSplitter;
use crate::search::{Ranking, open_searcher, rank_articles};

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
    let passages = index_collection(&collection, &index_dir, options.language)?;
    let index_seconds = started.elapsed().as_secs_f64();

    let index = OpenIndex::open(&index_dir)?;
    let searcher = open_searcher(&index)?;
    let started = Instant::now();
    let mut ids = DocumentIds::default();
    let (mut ndcg, mut recall, mut mrr) = (0.0, 0.0, 0.0);
    for (query_id, text) in &collection.queries {
        let ranked = rank_articles(&index, &searcher, text, &options.ranking, DEPTH)?;
        let ranked: Vec<String> = ranked
            .iter()
            .map(|article| ids.of(&searcher, &index, article.article_id, article.best))
            .collect::<Result<_>>()?;
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
        passages,
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

/// Indexes every document as one article keyed by its id; returns the
/// number of passages.
fn index_collection(collection: &Collection, dir: &Path, language: Language) -> Result<usize> {
    let mut writer = match ArticleWriter::open(dir, DEFAULT_MEMORY_BUDGET, Some(language))? {
        OpenedWriter::Ready(writer) => *writer,
        OpenedWriter::NeedsRebuild(_) => {
            ArticleWriter::rebuild(dir, DEFAULT_MEMORY_BUDGET, Some(language))?
        }
    };
    let mut passages = 0;
    for article in &collection.articles {
        let key = Path::new("beir").join(&article.source);
        let record = FileRecord::new(0, 0, 0);
        passages += writer
            .replace_file(
                &key.to_string_lossy(),
                record,
                std::slice::from_ref(article),
                &[],
            )?
            .passages;
    }
    writer.finish()?;
    Ok(passages)
}

/// Document ids (the stored `source`) by article id, read once per article.
#[derive(Default)]
struct DocumentIds {
    known: HashMap<u64, String>,
}

impl DocumentIds {
    fn of(
        &mut self,
        searcher: &Searcher,
        index: &OpenIndex,
        article_id: u64,
        passage: DocAddress,
    ) -> Result<String> {
        if let Some(id) = self.known.get(&article_id) {
            return Ok(id.clone());
        }
        let doc = crate::index::article_document(searcher, &index.fields, passage)?;
        let id = doc
            .get_first(index.fields.source)
            .and_then(|v| v.as_str())
            .unwrap_or_default()
            .to_string();
        self.known.insert(article_id, id.clone());
        Ok(id)
    }
}
