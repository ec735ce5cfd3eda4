//! The peer `dateline eval` is compared with: plain tantivy BM25 over whole
//! articles, on the same test collection and queries.
//!
//! ```text
//! cargo run --release --example bm25_baseline -- DIR [--queries all|odd|even] [--split test]
//! ```
//!
//! Each document is one tantivy document: its title and its whole text in
//! two fields analysed by tantivy's `en_stem` (lower-cased, English Porter
//! stemming), its date in a fast field. Queries go through tantivy's own
//! `QueryParser` over both fields (words OR'ed, each field scored by
//! tantivy's BM25, k1 = 1.2, b = 0.75, and the two added), a dated query
//! also through the same date filter `dateline eval` uses, and the top 100
//! documents are scored with dateline's metrics. No passages, no
//! near-copy grouping: every article is ranked on its own. Prints the
//! metrics as one JSON object.

use std::path::Path;
use std::time::Instant;

use dateline::eval::metrics::MetricSums;
use dateline::eval::{QueryIds, load_collection};
use dateline::ingest::PassageSplitter;
use tantivy::collector::TopDocs;
use tantivy::query::{Query, QueryParser};
use tantivy::schema::{FAST, STORED, STRING, Schema, TEXT, TantivyDocument, Value};
use tantivy::{Index, IndexWriter};

/// How many documents are ranked per query, as `dateline eval` does.
const DEPTH: usize = 100;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(dir) = args.first() else {
        return Err("usage: bm25_baseline DIR [--queries all|odd|even] [--split test]".into());
    };
    let flag = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .map(String::as_str)
    };
    let which = match flag("--queries").unwrap_or("all") {
        "all" => QueryIds::All,
        "odd" => QueryIds::Odd,
        "even" => QueryIds::Even,
        other => return Err(format!("--queries {other}: all, odd or even").into()),
    };
    let split = flag("--split").unwrap_or("test");
    let collection = load_collection(Path::new(dir), split, PassageSplitter::default().max_words)?;
    let queries = which.select(&collection.queries)?;

    let mut builder = Schema::builder();
    let id = builder.add_text_field("id", STRING | STORED);
    let title = builder.add_text_field("title", TEXT);
    let body = builder.add_text_field("body", TEXT);
    let date = builder.add_i64_field("date", FAST);
    let day_field = builder.add_i64_field("day", FAST);
    let schema = builder.build();
    let folder = tempfile::tempdir()?;
    let index = Index::create_in_dir(folder.path(), schema)?;
    let started = Instant::now();
    let mut writer: IndexWriter = index.writer(200_000_000)?;
    for article in &collection.articles {
        let mut doc = TantivyDocument::default();
        doc.add_text(id, article.source.to_string_lossy());
        if let Some(text) = &article.title {
            doc.add_text(title, text);
        }
        // The passages joined again: the same words as the document's text.
        let text: Vec<&str> = article.passages.iter().map(|p| p.text.as_str()).collect();
        doc.add_text(body, text.join("\n\n"));
        if let Some(day) = article.date {
            doc.add_i64(date, day.timestamp);
            doc.add_i64(day_field, dateline::date::day_number(day.day()));
        }
        writer.add_document(doc)?;
    }
    writer.commit()?;
    let index_seconds = started.elapsed().as_secs_f64();

    let searcher = index.reader()?.searcher();
    let parser = QueryParser::for_index(&index, vec![title, body]);
    let started = Instant::now();
    let mut sums = MetricSums::default();
    for query in &queries {
        let (text_query, _) = parser.parse_query_lenient(&query.text);
        let query_to_run: Box<dyn Query> = query.dates.restrict(text_query, day_field, date);
        let top = searcher.search(&*query_to_run, &TopDocs::with_limit(DEPTH).order_by_score())?;
        let mut ranked = Vec::with_capacity(top.len());
        for (_, address) in top {
            let doc: TantivyDocument = searcher.doc(address)?;
            let value = doc.get_first(id).and_then(|v| v.as_str()).unwrap_or("");
            ranked.push(value.to_string());
        }
        sums.add(&ranked, &collection.qrels[&query.id]);
    }
    let query_seconds = started.elapsed().as_secs_f64();
    let means = sums.means();
    println!(
        "{}",
        serde_json::json!({
            "collection": dir,
            "system": "tantivy BM25, whole articles (title + body, en_stem)",
            "documents": collection.articles.len(),
            "queries": queries.len(),
            "query_ids": which,
            "dated_queries": queries.iter().filter(|q| !q.dates.is_unbounded()).count(),
            "ndcg_at_10": means.ndcg_at_10,
            "precision_at_10": means.precision_at_10,
            "map_at_100": means.map_at_100,
            "recall_at_100": means.recall_at_100,
            "mrr_at_10": means.mrr_at_10,
            "index_seconds": index_seconds,
            "query_seconds": query_seconds,
        })
    );
    Ok(())
}
