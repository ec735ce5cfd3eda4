//! `dateline index`: walking, parsing, skipping bad files, re-indexing.

use libtest_mimic::Trial;
use predicates::prelude::*;
use tantivy::schema::IndexRecordOption;
use tantivy::schema::Value;
use tantivy::{DocAddress, DocSet, TERMINATED, TantivyDocument};
use tempfile::TempDir;

use crate::util::{corpus, dateline, folder_with, index_of, search_json, shared_data, trials};

/// This module's tests, for the harness.
pub fn tests() -> Vec<Trial> {
    trials![
        indexing_the_corpus_reports_a_summary,
        reindexing_the_same_folder_does_not_duplicate_anything,
        a_changed_file_replaces_its_old_passages,
        bad_files_are_skipped_with_path_and_reason_and_the_rest_indexed,
        a_missing_input_path_is_an_error,
        notes_and_duplicates_name_files_as_given,
        needs("news-folder") => the_whole_news_folder_indexes_and_filters_by_month,
        an_articles_passages_are_consecutive_documents_in_reading_order,
        a_hit_deep_in_an_article_shows_the_same_metadata_as_one_at_its_start,
        a_file_that_loses_articles_leaves_none_of_their_passages_behind,
    ]
}

fn indexing_the_corpus_reports_a_summary() {
    let index = tempfile::tempdir().unwrap();
    dateline()
        .arg("index")
        .arg("--index")
        .arg(index.path())
        .assert()
        .success()
        .stdout("")
        .stderr(
            predicate::str::is_match(
                r"40 files: 40 added, 0 updated, 0 removed, 0 unchanged, 0 left out, 0 skipped; 40 articles \(\d+ passages\) indexed into .* in \d+\.\d+s",
            )
            .unwrap(),
        );
}

fn reindexing_the_same_folder_does_not_duplicate_anything() {
    let index = index_of(&[&corpus()]);
    let before = search_json(
        index.path(),
        &["troops OR oil", "-n", "500", "--per-article", "500"],
    );
    for path in [corpus(), corpus().join("."), corpus().join("../corpus")] {
        dateline()
            .arg("index")
            .arg(&path)
            .arg("--index")
            .arg(index.path())
            .assert()
            .success();
    }
    let after = search_json(
        index.path(),
        &["troops OR oil", "-n", "500", "--per-article", "500"],
    );
    assert_eq!(before["total_hits"], after["total_hits"]);
    assert_eq!(
        before["results"].as_array().unwrap().len(),
        after["results"].as_array().unwrap().len()
    );
}

fn a_changed_file_replaces_its_old_passages() {
    let folder = folder_with(&[("a.txt", " date 2024-01-01 The old wording.\n")]);
    let index = index_of(&[folder.path()]);
    std::fs::write(
        folder.path().join("a.txt"),
        " date 2024-01-02 The new wording.\n",
    )
    .unwrap();
    dateline()
        .arg("index")
        .arg(folder.path())
        .arg("--index")
        .arg(index.path())
        .assert()
        .success();
    assert_eq!(search_json(index.path(), &["old"])["total_hits"], 0);
    let new = search_json(index.path(), &["wording"]);
    assert_eq!(new["total_hits"], 1);
    assert_eq!(new["results"][0]["date"], "2024-01-02");
}

fn bad_files_are_skipped_with_path_and_reason_and_the_rest_indexed() {
    let folder = folder_with(&[
        ("good.txt", " date 2024-01-01 A good article about cocoa.\n"),
        ("undated.txt", "Just some notes without a date line.\n"),
        ("empty.txt", ""),
        ("bad-date.txt", " date 2024-02-30 Impossible day.\n"),
    ]);
    std::fs::write(
        folder.path().join("image.bin"),
        [0x89, b'P', b'N', b'G', 0, 0, 1],
    )
    .unwrap();
    std::fs::write(
        folder.path().join("latin1.txt"),
        b" date 2024-01-01 caf\xe9\n",
    )
    .unwrap();
    let index = tempfile::tempdir().unwrap();
    let run = || {
        let mut cmd = dateline();
        cmd.arg("index")
            .arg(folder.path())
            .arg("--index")
            .arg(index.path());
        cmd
    };
    run()
        .assert()
        .success()
        // Text without a date is an undated article, counted.
        .stderr(predicate::str::contains(
            "1 of 3 articles has no recognisable date",
        ))
        .stderr(predicate::str::contains(
            "bad-date.txt: line 1: invalid date '2024-02-30'",
        ))
        // Not articles: counted by kind, not reported one by one.
        .stderr(predicate::str::contains(
            "left out 2 files that are not articles: 1 bin, 1 empty",
        ))
        // Not UTF-8: read as Windows-1252, indexed, and said so.
        .stderr(
            predicate::str::contains("note ").and(predicate::str::contains(
                "latin1.txt: not valid UTF-8 (first bad byte at offset 20): read as Windows-1252",
            )),
        )
        .stderr(
            predicate::str::contains("; 3 articles (")
                .and(predicate::str::contains(", 2 left out, 1 skipped;")),
        );
    assert_eq!(search_json(index.path(), &["cocoa"])["total_hits"], 1);
    run()
        .arg("--strict")
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "1 file(s) were skipped and --strict was given",
        ));
}

fn notes_and_duplicates_name_files_as_given() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("news");
    std::fs::create_dir(&folder).unwrap();
    std::fs::write(folder.join("latin.txt"), b" date 2024-01-01 caf\xe9 text\n").unwrap();
    std::fs::write(folder.join("one.txt"), " date 2024-01-02 Same story.\n").unwrap();
    std::fs::write(folder.join("two.txt"), " date 2024-01-02 Same story.\n").unwrap();
    dateline()
        .current_dir(dir.path())
        .args(["index", "./news", "--index", "idx"])
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "dateline: duplicate ./news/two.txt: the same article (date and text) as ./news/one.txt,",
        ))
        .stderr(predicate::str::contains(
            "dateline: note ./news/latin.txt: not valid UTF-8",
        ));
}

fn a_missing_input_path_is_an_error() {
    let index = tempfile::tempdir().unwrap();
    dateline()
        .args(["index", "no/such/folder", "--index"])
        .arg(index.path())
        .assert()
        .code(2)
        .stderr(predicate::str::starts_with(
            "dateline: no/such/folder: no such file or folder",
        ));
}

fn the_whole_news_folder_indexes_and_filters_by_month() {
    let news = shared_data("news-folder");
    let index = tempfile::tempdir().unwrap();
    dateline()
        .arg("index")
        .arg(&news)
        .arg("--index")
        .arg(index.path())
        .arg("--verbose")
        .assert()
        .success()
        .stderr(
            // 238 files repeat another file's article (same date and
            // text); each such article is indexed once.
            predicate::str::contains("; 21339 articles (")
                .and(predicate::str::contains("21577 files: 21577 added,"))
                .and(predicate::str::contains(", 0 left out, 0 skipped;"))
                .and(predicate::str::contains(
                    "238 duplicate articles indexed once",
                ))
                // Syndicated near-copies: repeats under a headline, reissues.
                .and(predicate::str::contains(
                    "400 stories with near-copies (847 articles)",
                )),
        );
    let march = search_json(
        index.path(),
        &[
            "oil prices",
            "--since",
            "1987-03-01",
            "--until",
            "1987-03-31",
            "-n",
            "200",
        ],
    );
    let hits = march["results"].as_array().unwrap();
    assert_eq!(hits.len(), 200);
    assert!(
        hits.iter()
            .all(|h| h["date"].as_str().unwrap().starts_with("1987-03-")),
        "a hit outside March 1987"
    );
    let all = search_json(index.path(), &["oil prices"]);
    assert!(all["total_hits"].as_u64().unwrap() > march["total_hits"].as_u64().unwrap());
    let cocoa = search_json(index.path(), &["cocoa", "--on", "1987-02-26"]);
    assert!(
        cocoa["results"]
            .as_array()
            .unwrap()
            .iter()
            .any(|h| h["source"].as_str().unwrap().ends_with("reut-00001.txt"))
    );
}

/// Ranking reads an article's passages as consecutive documents in reading
/// order (adjacent-passage windows, articles per word), so the writer must
/// keep them together even though tantivy indexes on several threads.
fn an_articles_passages_are_consecutive_documents_in_reading_order() {
    let paragraph = |article: usize, n: usize| {
        format!("Paragraph {n} of article {article} about harvests, prices and weather.")
    };
    let files: Vec<(String, String)> = (0..300)
        .map(|article| {
            let body: Vec<String> = (0..6).map(|n| paragraph(article, n)).collect();
            (
                format!("a{article:03}.txt"),
                format!(" date 2024-01-01 {}\n", body.join("\n\n")),
            )
        })
        .collect();
    let named: Vec<(&str, &str)> = files
        .iter()
        .map(|(name, text)| (name.as_str(), text.as_str()))
        .collect();
    let folder = folder_with(&named);
    let index = index_of(&[folder.path()]);
    let opened = dateline::index::OpenIndex::open(index.path()).unwrap();
    let searcher = opened.snapshot().unwrap();
    // Each article's documents, from the postings of its `article_id` term.
    let mut runs = 0;
    for (segment_ord, segment) in searcher.segment_readers().iter().enumerate() {
        let ids = segment.fast_fields().u64("article_column").unwrap();
        let inverted = segment.inverted_index(opened.fields.article_id).unwrap();
        let mut terms = inverted.terms().stream().unwrap();
        while terms.advance() {
            let id = u64::from_be_bytes(terms.key().try_into().unwrap());
            let mut postings = inverted
                .read_postings_from_terminfo(terms.value(), IndexRecordOption::Basic)
                .unwrap();
            let mut docs = Vec::new();
            while postings.doc() != TERMINATED {
                docs.push(postings.doc());
                postings.advance();
            }
            let first = docs[0];
            assert_eq!(
                docs,
                (first..first + 6).collect::<Vec<u32>>(),
                "each article is one run of documents"
            );
            // In reading order: each paragraph in its place.
            for (n, &doc) in docs.iter().enumerate() {
                let stored: TantivyDocument = searcher
                    .doc(DocAddress::new(segment_ord as u32, doc))
                    .unwrap();
                let text = stored.get_first(opened.fields.text).unwrap();
                let text = text.as_str().unwrap();
                assert!(text.starts_with(&format!("Paragraph {n} of")), "{text}");
            }
            // The id column is set on the first passage only.
            let column: Vec<Option<u64>> = docs.iter().map(|&d| ids.first(d)).collect();
            assert_eq!(column[0], Some(id));
            assert!(column[1..].iter().all(Option::is_none));
            runs += 1;
        }
    }
    assert_eq!(runs, 300);
}

// ---- Metadata stored once, passages deleted by article ----------------------
//
// An article's metadata is stored on its first passage only, and a file's
// passages are deleted by its articles' ids. What a user sees must not show
// it: every hit carries its article's metadata, wherever in the article it
// matched, and a file that shrinks leaves no stale passages behind.

/// Indexes `folder` into `index`, incrementally.
fn index_quietly(folder: &std::path::Path, index: &std::path::Path) {
    dateline()
        .arg("index")
        .arg(folder)
        .arg("--index")
        .arg(index)
        .arg("--quiet")
        .assert()
        .success();
}

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
    index_quietly(&folder, &idx);

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
    index_quietly(&folder, &idx);
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
    index_quietly(&folder, &idx);
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
