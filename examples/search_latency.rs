//! In-process search latency over the library API, for `bench/run.py`.
//!
//! ```text
//! cargo run --release --example search_latency -- INDEX QUERIES [--since DATE --until DATE] [--slowest N]
//! ```
//!
//! Runs every query of QUERIES (one per line) once to warm the caches, then
//! three more times, and prints `{"queries", "p50_ms", "p99_ms", "mean_ms"}`
//! as JSON; with `--slowest N`, first the N queries slowest at their median
//! time, one per line with that time and their match count. The whole
//! process is not timed: only `search`, as a caller embedding dateline
//! would see it.

use std::path::Path;
use std::time::Instant;

use dateline::index::OpenIndex;
use dateline::search::{DateFilter, SearchRequest, search};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (index_dir, queries_file) = match args.as_slice() {
        [index, queries, ..] => (index, queries),
        _ => {
            return Err(
                "usage: search_latency INDEX QUERIES [--since DATE --until DATE] [--slowest N]"
                    .into(),
            );
        }
    };
    let flag = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .map(String::as_str)
    };
    let dates = DateFilter::from_args(flag("--since"), flag("--until"), None)?;
    let index = OpenIndex::open(Path::new(index_dir))?;
    let queries: Vec<String> = std::fs::read_to_string(queries_file)?
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(str::to_string)
        .collect();
    let request = |query: &str| SearchRequest {
        query: query.to_string(),
        dates,
        limit: 10,
        per_article: 2,
        strict: false,
        ..SearchRequest::default()
    };
    for query in &queries {
        search(&index, &request(query))?;
    }
    let mut millis = Vec::new();
    let mut per_query = vec![Vec::new(); queries.len()];
    let mut matches = vec![0; queries.len()];
    for _ in 0..3 {
        for (n, query) in queries.iter().enumerate() {
            let started = Instant::now();
            matches[n] = search(&index, &request(query))?.total_hits;
            let took = started.elapsed().as_secs_f64() * 1000.0;
            millis.push(took);
            per_query[n].push(took);
        }
    }
    if let Some(slowest) = flag("--slowest").and_then(|n| n.parse::<usize>().ok()) {
        let mut medians: Vec<(f64, usize)> = per_query
            .iter_mut()
            .enumerate()
            .map(|(n, times)| {
                times.sort_by(f64::total_cmp);
                (times[times.len() / 2], n)
            })
            .collect();
        medians.sort_by(|a, b| b.0.total_cmp(&a.0));
        for (took, n) in medians.into_iter().take(slowest) {
            println!("{took:8.2} ms {:>9} matches  {}", matches[n], queries[n]);
        }
    }
    millis.sort_by(f64::total_cmp);
    let at = |q: f64| millis[((millis.len() as f64 - 1.0) * q).round() as usize];
    let mean = millis.iter().sum::<f64>() / millis.len() as f64;
    println!(
        "{}",
        serde_json::json!({"queries": queries.len(), "p50_ms": at(0.5), "p99_ms": at(0.99), "mean_ms": mean})
    );
    Ok(())
}
