//! A page of hits is picked from the best matches only (the others are
//! never put in order, nor their articles, dates and stories read): the
//! page, its near-copies, its counts and what it passed over, and the
//! list of files, must be exactly what ordering every match gives.

use std::fmt::Write as _;
use std::path::Path;

use dateline::index::OpenIndex;
use dateline::search::{SearchRequest, SearchResults, SortOrder, matching_sources, search};
use libtest_mimic::Trial;

use crate::util::{dateline, folder_with_owned, index_of, project_root, shared_data, trials};

/// This module's tests, for the harness.
pub fn tests() -> Vec<Trial> {
    trials![
        the_page_from_the_best_matches_is_the_page_from_every_match,
        needs("news-folder") => the_news_folder_pages_are_those_of_every_match,
        needs("scifact") => the_scifact_pages_are_those_of_every_match,
    ]
}

/// Page shapes (limit, per article): the default, one per article, a
/// short page and a long one.
const EVERY_SHAPE: &[(usize, usize)] = &[(10, 2), (10, 1), (3, 1), (50, 2)];

/// Searches every query both ways with each page shape, and compares.
fn assert_same_pages(index: &OpenIndex, queries: &[String], shapes: &[(usize, usize)]) {
    let mut compared = 0;
    let orders = [SortOrder::Relevance, SortOrder::Newest, SortOrder::Oldest];
    for query in queries {
        for (&(limit, per_article), sort) in shapes.iter().flat_map(|s| orders.map(|o| (s, o))) {
            let request = SearchRequest {
                query: query.clone(),
                limit,
                per_article,
                sort,
                ..SearchRequest::default()
            };
            let best = search(index, &request).unwrap();
            let every = search(
                index,
                &SearchRequest {
                    exhaustive: true,
                    ..request.clone()
                },
            )
            .unwrap();
            assert_same(&format!("{query} ({sort:?})"), &best, &every);
            compared += usize::from(!every.hits.is_empty());
            // `--files`: one line a file, in the same order.
            let files = |exhaustive| {
                let request = SearchRequest {
                    exhaustive,
                    ..request.clone()
                };
                matching_sources(index, &request).unwrap()
            };
            assert_eq!(files(false), files(true), "{query}: --files, {limit}");
        }
    }
    assert!(compared > 0, "no query matched anything");
}

fn assert_same(query: &str, best: &SearchResults, every: &SearchResults) {
    assert_eq!(best.total_hits, every.total_hits, "{query}: match counts");
    assert_eq!(best.hidden, every.hidden, "{query}: passed-over counts");
    assert_eq!(best.hits.len(), every.hits.len(), "{query}: page lengths");
    for (a, b) in best.hits.iter().zip(&every.hits) {
        assert_eq!(a, b, "{query}: hit {} differs", b.rank);
    }
}

/// More matching passages than a page first puts in order (1,000), with
/// ties, near-copies of one story filling the top, code, titles and dates.
fn the_page_from_the_best_matches_is_the_page_from_every_match() {
    let mut files: Vec<(String, String)> = Vec::new();
    let words = ["grain", "cocoa", "oil", "tin", "coffee", "sugar", "wheat"];
    for i in 0..1000 {
        let word = words[i % words.len()];
        let other = words[(i * 3 + 1) % words.len()];
        let title = match i % 5 {
            0 => format!("{word} markets"),
            _ => format!("Report {i}"),
        };
        let day = 1 + i % 28;
        let mut body = String::new();
        // One wire story copied by 400 outlets: its 1,200 passages score
        // best for `grain`, more than a page first puts in order, so the
        // page must look further.
        if i < 400 {
            body.push_str("Grain exporters said the grain harvest and grain prices rose as grain ships left the grain port.\n\n");
            body.push_str(
                "The ministry expects record grain shipments this year, traders said.\n\n",
            );
            let _ = write!(body, "Outlet {i} reported the grain news.\n\n");
        } else {
            for p in 0..4 {
                let _ = write!(
                    body,
                    "Paragraph {p} of report {i}: {word} traders watched {other} prices and the {word} crop.\n\n"
                );
            }
            if i % 7 == 0 {
                let _ = write!(body, "```\n{word} = fetch({other})\n```\n\n");
            }
            // Identical paragraphs in different articles: equal scores.
            body.push_str("Markets closed mixed on the day, with oil and grain steady.\n");
        }
        files.push((
            format!("news/{i:03}.md"),
            format!("---\ntitle: {title}\ndate: 2024-03-{day:02}\n---\n\n{body}"),
        ));
    }
    let folder = folder_with_owned(&files);
    let index_dir = index_of(&[folder.path()]);
    let index = OpenIndex::open(index_dir.path()).unwrap();
    let queries: Vec<String> = [
        "grain",
        "grain prices",
        "markets",
        "oil grain",
        "traders prices crop",
        "\"grain prices\"",
        "cocoa -oil",
        "title:markets",
        "fetch",
        "closed mixed day",
    ]
    .map(String::from)
    .to_vec();
    let many = search(
        &index,
        &SearchRequest {
            query: "grain".into(),
            limit: 10,
            per_article: 2,
            ..SearchRequest::default()
        },
    )
    .unwrap();
    assert!(
        many.total_hits > 1000,
        "the fixture must match more passages than a page orders: {}",
        many.total_hits
    );
    assert!(
        !many.hits[0].also_in.is_empty(),
        "the fixture's top story has near-copies"
    );
    assert_same_pages(&index, &queries, EVERY_SHAPE);
}

/// The benchmark's 210 queries (words, pairs, phrases) on the news folder.
fn the_news_folder_pages_are_those_of_every_match() {
    let index_dir = index_of(&[&shared_data("news-folder")]);
    let index = OpenIndex::open(index_dir.path()).unwrap();
    let queries = std::fs::read_to_string(project_root().join("bench/queries.txt")).unwrap();
    let queries: Vec<String> = queries
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(String::from)
        .collect();
    assert_same_pages(&index, &queries, &[(10, 2), (3, 1)]);
}

/// SciFact's claims, long queries of many words, on its abstracts.
fn the_scifact_pages_are_those_of_every_match() {
    let scifact = shared_data("scifact");
    let index_dir = tempfile::TempDir::new().unwrap();
    let index_path = index_dir.path().join("index");
    dateline()
        .arg("eval")
        .arg(&scifact)
        .arg("--index")
        .arg(&index_path)
        .assert()
        .success();
    let index = OpenIndex::open(Path::new(&index_path)).unwrap();
    let queries: Vec<String> = std::fs::read_to_string(scifact.join("queries.jsonl"))
        .unwrap()
        .lines()
        .step_by(10)
        .map(|line| {
            let value: serde_json::Value = serde_json::from_str(line).unwrap();
            value["text"].as_str().unwrap().to_string()
        })
        .collect();
    assert_same_pages(&index, &queries, &[(10, 2), (3, 1)]);
}
