//! The lean index (issue 7): an article's metadata is stored once, on its
//! first passage, and a file's passages are deleted by its articles' ids.
//! These check what a user sees: every hit shows its article's metadata,
//! wherever in the article it matched, and a file that shrinks leaves no
//! stale passages behind.

mod common;

use common::{dateline, search_json};
use tempfile::TempDir;

/// Indexes `folder` into `index`, incrementally.
fn index(folder: &std::path::Path, index: &std::path::Path) {
    dateline()
        .arg("index")
        .arg(folder)
        .arg("--index")
        .arg(index)
        .arg("--quiet")
        .assert()
        .success();
}

#[test]
fn a_hit_deep_in_an_article_shows_the_same_metadata_as_one_at_its_start() {
    let dir = TempDir::new().unwrap();
    let folder = dir.path().join("articles");
    std::fs::create_dir(&folder).unwrap();
    std::fs::write(
        folder.join("rates.md"),
        "---\ntitle: Rates rise\npublished: 2024-02-01T09:30:00+01:00\nurl: https://blog.example/rates\nauthor: Ann Lee\n---\n\n\
         The central bank raised rates on Tuesday.\n\n\
         Analysts had expected a smaller move.\n\n\
         Markets fell sharply after the announcement in Frankfurt.\n",
    )
    .unwrap();
    let idx = dir.path().join("index");
    index(&folder, &idx);

    let first = &search_json(&idx, &["tuesday", "-n", "1"])["results"][0];
    let deep = &search_json(&idx, &["frankfurt", "-n", "1"])["results"][0];
    assert_eq!(first["line"], 8);
    assert_eq!(deep["line"], 12);
    assert!(deep["passage"].as_str().unwrap().contains("Frankfurt"));
    for field in [
        "source",
        "date",
        "title",
        "url",
        "author",
        "date_source",
        "date_text",
        "format",
    ] {
        assert!(!first[field].is_null(), "{field} missing: {first}");
        assert_eq!(deep[field], first[field], "{field}");
    }
    assert_eq!(deep["title"], "Rates rise");
    assert_eq!(deep["url"], "https://blog.example/rates");
}

#[test]
fn a_file_that_loses_articles_leaves_none_of_their_passages_behind() {
    let dir = TempDir::new().unwrap();
    let folder = dir.path().join("feeds");
    std::fs::create_dir(&folder).unwrap();
    let feed = folder.join("items.jsonl");
    std::fs::write(
        &feed,
        "{\"title\": \"Quake\", \"text\": \"An earthquake struck the valley.\", \"timestamp\": 1706176800}\n\
         {\"title\": \"Flood\", \"text\": \"A flood rose in the delta.\", \"timestamp\": 1706176900}\n\
         {\"title\": \"Storm\", \"text\": \"A storm hit the coast.\", \"timestamp\": 1706177000}\n",
    )
    .unwrap();
    let idx = dir.path().join("index");
    index(&folder, &idx);
    assert_eq!(
        search_json(&idx, &["delta"])["results"]
            .as_array()
            .unwrap()
            .len(),
        1
    );

    // The file now holds only its first article, changed.
    std::fs::write(
        &feed,
        "{\"title\": \"Quake\", \"text\": \"An earthquake struck the valley again.\", \"timestamp\": 1706176800}\n",
    )
    .unwrap();
    index(&folder, &idx);
    for gone in ["delta", "coast", "flood", "storm"] {
        let results = search_json(&idx, &[gone]);
        assert!(
            results["results"].as_array().unwrap().is_empty(),
            "{gone}: {results}"
        );
    }
    let again = &search_json(&idx, &["again"])["results"][0];
    assert_eq!(again["title"], "Quake");
    let stats = dateline()
        .args(["stats", "--format", "json", "--index"])
        .arg(&idx)
        .output()
        .unwrap();
    let stats: serde_json::Value = serde_json::from_slice(&stats.stdout).unwrap();
    assert_eq!(stats["articles"], 1);
    assert_eq!(stats["passages"], 1);
}
