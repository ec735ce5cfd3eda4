//! What is indexed is the text a reader sees: an HTML mail archive's
//! messages as whole paragraphs, Chinese and Japanese by their characters,
//! code findable but below prose, pages in their declared charset; and the
//! files indexed are the ones chosen.

use libtest_mimic::Trial;
use predicates::prelude::*;

use crate::util::{
    dateline, folder_with, highlighted_words, hit_sources, index_json, index_of, index_verbose,
    search_json, trials,
};

/// This module's tests, for the harness.
pub fn tests() -> Vec<Trial> {
    trials![
        an_html_archive_message_is_one_paragraph_and_phrases_cross_its_lines,
        chinese_and_english_are_both_found_with_exact_highlights,
        code_is_found_but_ranks_below_prose,
        a_declared_charset_is_read_without_a_note,
        files_are_chosen_with_include_exclude_and_type,
        an_index_that_is_a_file_is_named_as_such,
    ]
}

fn an_html_archive_message_is_one_paragraph_and_phrases_cross_its_lines() {
    let message = r#"<!DOCTYPE html>
<html><head><title>[dev] Build broken on arm64</title>
<meta name="date" content="2024-03-05">
</head><body>
<div id="header"><a href="/">List archive</a> | <a href="thread.html">Thread index</a></div>
<div class="msg">
Hi all,<br />
<br />
the nightly build has been failing on arm64 since<br />
Tuesday because the linker runs out of<br />
memory while linking the test binaries.<br />
<br />
Ann<br />
</div>
<div class="footer">Powered by the archiver. Subscribe to the list.</div>
</body></html>"#;
    let index_page: String = (1..=12)
        .map(|i| {
            format!("<li><a href=\"{i:06}.html\">[dev] Topic number {i}</a> <i>Ann</i></li>\n")
        })
        .collect();
    let folder = folder_with(&[
        ("archive/000001.html", message),
        (
            "archive/date.html",
            &format!(
                "<html><body><h1>March 2024 archive by date</h1><ul>{index_page}</ul></body></html>"
            ),
        ),
    ]);
    let (index, summary) = index_json(folder.path());
    assert_eq!(summary["left_out"]["kinds"]["index page"], 1, "{summary}");
    assert_eq!(summary["passages"], 3, "{summary}");
    // "out of memory" runs across a <br />.
    let hits = search_json(index.path(), &["\"out of memory\""]);
    assert_eq!(hits["total_hits"], 1, "{hits}");
    let hit = &hits["results"][0];
    assert_eq!(
        hit["passage"],
        "the nightly build has been failing on arm64 since\nTuesday because the linker runs out of\nmemory while linking the test binaries."
    );
    assert_eq!(highlighted_words(hit), ["out", "of", "memory"]);
    assert_eq!(hit["line"], 9);
    for boilerplate in ["subscribe", "\"thread index\""] {
        assert_eq!(search_json(index.path(), &[boilerplate])["total_hits"], 0);
    }
}

fn chinese_and_english_are_both_found_with_exact_highlights() {
    let folder = folder_with(&[
        (
            "zh.md",
            "---\ntitle: 并发编程\ndate: 2024-05-01\n---\nGo 语言用goroutine协程实现并发编程，调度器负责把协程分配到线程上。\n\nChannels let goroutines talk.\n",
        ),
        (
            "ja.md",
            "---\ntitle: 東京\ndate: 2024-05-02\n---\n東京タワーへ行きました。\n",
        ),
        (
            "en.md",
            "---\ntitle: Threads\ndate: 2024-05-03\n---\nA scheduler maps goroutines onto threads.\n",
        ),
    ]);
    let index = index_of(&[folder.path()]);
    let zh = search_json(index.path(), &["调度器"]);
    assert_eq!(hit_sources(&zh).len(), 1, "{zh}");
    assert_eq!(highlighted_words(&zh["results"][0]), ["调度器"]);
    let mixed = search_json(index.path(), &["协程"]);
    assert_eq!(mixed["total_hits"], 1, "{mixed}");
    assert_eq!(highlighted_words(&mixed["results"][0]), ["协程", "协程"]);
    // An English word written against Chinese characters is a word.
    let latin = search_json(index.path(), &["goroutine"]);
    assert_eq!(latin["total_hits"], 3, "{latin}");
    let against_chinese = latin["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["passage"].as_str().unwrap().contains("协程"))
        .unwrap();
    assert_eq!(highlighted_words(against_chinese), ["goroutine"]);
    let ja = search_json(index.path(), &["東京タワー"]);
    assert_eq!(highlighted_words(&ja["results"][0]), ["東京タワー"]);
    // A phrase of characters not in that order is not found.
    assert_eq!(search_json(index.path(), &["\"器度调\""])["total_hits"], 0);
}

fn code_is_found_but_ranks_below_prose() {
    let folder = folder_with(&[(
        "tasks.md",
        "---\ntitle: Tasks\ndate: 2024-01-01\n---\nTo run work in the background, spawn a task with tokio::spawn and keep its handle.\n\n```rust\nlet handle = tokio::spawn(async move {\n    work().await\n});\n```\n",
    )]);
    let index = index_of(&[folder.path()]);
    let hits = search_json(index.path(), &["tokio::spawn", "--per-article", "5"]);
    let results = hits["results"].as_array().unwrap();
    assert_eq!(results.len(), 2, "{hits}");
    assert!(results[0]["code"].is_null(), "{hits}");
    assert_eq!(results[1]["code"], true, "{hits}");
    assert_eq!(
        results[1]["passage"],
        "let handle = tokio::spawn(async move {\n    work().await\n});"
    );
    assert_eq!(results[1]["line"], 8);
}

fn a_declared_charset_is_read_without_a_note() {
    let dir = tempfile::tempdir().unwrap();
    let page = b"<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=iso-8859-1\"><title>Caf\xe9</title></head><body><p>Le caf\xe9 est ferm\xe9 le lundi.</p></body></html>";
    std::fs::write(dir.path().join("page.html"), page).unwrap();
    let index = tempfile::tempdir().unwrap();
    let stderr = index_verbose(&[dir.path()], index.path(), &[]);
    assert!(!stderr.contains("note"), "{stderr}");
    let hits = search_json(index.path(), &["ferme"]);
    assert_eq!(hits["results"][0]["passage"], "Le café est fermé le lundi.");
}

fn files_are_chosen_with_include_exclude_and_type() {
    let folder = folder_with(&[
        ("post.md", "The zeppelin post.\n"),
        ("drafts/draft.md", "The zeppelin draft.\n"),
        ("main.go", "package main // zeppelin\n"),
        ("chart.svg", "<svg><text>zeppelin</text></svg>\n"),
    ]);
    let sources = |extra: &[&str]| -> Vec<String> {
        let index = tempfile::tempdir().unwrap();
        index_verbose(&[folder.path()], index.path(), extra);
        let hits = search_json(index.path(), &["zeppelin"]);
        let mut names: Vec<String> = hit_sources(&hits)
            .iter()
            .map(|s| s.rsplit('/').next().unwrap().to_string())
            .collect();
        names.sort();
        names
    };
    assert_eq!(sources(&[]), ["draft.md", "post.md"]);
    assert_eq!(sources(&["--exclude", "drafts/"]), ["post.md"]);
    assert_eq!(sources(&["--include", "*.go"]), ["main.go"]);
    assert_eq!(
        sources(&["--type", "go", "--type", "md"]),
        ["draft.md", "main.go", "post.md"]
    );
    dateline()
        .args(["index", "--type", "nosuchtype", "--index", "idx"])
        .arg(folder.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("nosuchtype"));
}

fn an_index_that_is_a_file_is_named_as_such() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("index.txt");
    std::fs::write(&file, "not an index").unwrap();
    for command in [&["index", "corpus"][..], &["search", "cocoa"]] {
        dateline()
            .args(command)
            .arg("--index")
            .arg(&file)
            .assert()
            .code(2)
            .stderr(predicate::str::contains("is a file, not an index folder"));
    }
}
