//! The command line as people and scripts see it: the text and JSON layouts
//! (snapshots), colour only on terminals, sorting, relative dates, `--files`,
//! `--context`, the timeline (whose counts must agree with `search`), shell
//! completions, the man page, and one-line errors with the right exit codes.

use std::path::Path;

use jiff::civil::Date;
use libtest_mimic::Trial;
use serde_json::Value;
use tempfile::TempDir;

use crate::util::{dateline, project_root, shared_data, trials};

/// This module's tests, for the harness.
pub fn tests() -> Vec<Trial> {
    trials![
        text_output_snapshot,
        text_output_with_context_and_trimmed_passages_snapshot,
        json_output_snapshot,
        timeline_snapshots,
        piped_output_has_no_escape_codes_and_color_always_has_them,
        no_color_is_honoured_under_auto,
        date_sorts_reorder_the_same_articles,
        recency_keeps_the_matches_and_favours_newer_articles,
        relative_dates_count_back_from_today,
        files_lists_every_matching_article_once_unless_limited,
        context_shows_the_neighbouring_passages,
        timeline_counts_agree_with_search_on_the_demo_corpus,
        needs("news-folder") => timeline_counts_agree_with_search_on_the_news_folder,
        errors_are_one_line_with_exit_code_2,
        every_subcommand_has_examples_in_its_help,
        completions_and_man_page_are_generated,
        a_closed_pipe_ends_quietly,
        title_only_matches_show_the_opening_without_highlights,
        the_index_can_come_from_the_environment,
    ]
}

/// The demo corpus indexed with the relative path `corpus`, so sources in
/// the output (and the snapshots) do not depend on where the checkout is.
fn demo_index() -> TempDir {
    let dir = TempDir::new().unwrap();
    dateline()
        .args(["index", "corpus", "--index"])
        .arg(dir.path())
        .assert()
        .success();
    dir
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run(index: &Path, args: &[&str]) -> Run {
    let output = dateline()
        .args(args)
        .arg("--index")
        .arg(index)
        .output()
        .unwrap();
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8(output.stdout).unwrap(),
        stderr: String::from_utf8(output.stderr).unwrap(),
    }
}

fn json(index: &Path, args: &[&str]) -> Value {
    let out = run(index, args);
    assert!(out.code == 0 || out.code == 1, "{}", out.stderr);
    serde_json::from_str(&out.stdout).unwrap()
}

fn files(index: &Path, args: &[&str]) -> Vec<String> {
    let mut all = vec!["search", "--files"];
    all.extend_from_slice(args);
    let out = run(index, &all);
    assert!(out.code == 0 || out.code == 1, "{}", out.stderr);
    out.stdout.lines().map(str::to_string).collect()
}

fn text_output_snapshot() {
    let index = demo_index();
    let out = run(
        index.path(),
        &["search", "cocoa", "-n", "3", "--color", "never"],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    insta::assert_snapshot!("search_cocoa_text", out.stdout);
}

fn text_output_with_context_and_trimmed_passages_snapshot() {
    let index = demo_index();
    let out = run(
        index.path(),
        &[
            "search",
            "\"interest rates\"",
            "-n",
            "2",
            "--context",
            "1",
            "--snippet-len",
            "120",
            "--color",
            "never",
        ],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    insta::assert_snapshot!("search_phrase_context_text", out.stdout);
}

fn json_output_snapshot() {
    let index = demo_index();
    let value = json(
        index.path(),
        &[
            "search",
            "\"interest rates\"",
            "-n",
            "2",
            "--format",
            "json",
        ],
    );
    insta::assert_json_snapshot!("search_phrase_json", value, { ".results[].score" => "[score]" });
}

fn timeline_snapshots() {
    let index = demo_index();
    let args = ["timeline", "oil", "--vs", "cocoa", "--by", "month"];
    let text = run(index.path(), &[&args[..], &["--color", "never"]].concat());
    assert_eq!(text.code, 0, "{}", text.stderr);
    insta::assert_snapshot!("timeline_text", text.stdout);
    let csv = run(index.path(), &[&args[..], &["--format", "csv"]].concat());
    insta::assert_snapshot!("timeline_csv", csv.stdout);
    let value = json(index.path(), &[&args[..], &["--format", "json"]].concat());
    insta::assert_json_snapshot!("timeline_json", value, { ".buckets[].counts[].top.score" => "[score]" });
}

fn piped_output_has_no_escape_codes_and_color_always_has_them() {
    let index = demo_index();
    for args in [&["search", "cocoa"][..], &["timeline", "cocoa"][..]] {
        let piped = run(index.path(), args);
        assert_eq!(piped.code, 0, "{}", piped.stderr);
        assert!(
            !piped.stdout.contains('\x1b'),
            "{args:?}: {:?}",
            piped.stdout
        );
        let always = run(index.path(), &[args, &["--color", "always"]].concat());
        assert!(always.stdout.contains('\x1b'), "{args:?}");
    }
    let always = run(index.path(), &["search", "cocoa", "--color", "always"]);
    assert!(
        always.stdout.contains("\x1b[1;31mcocoa\x1b[0m")
            || always.stdout.contains("\x1b[1;31mCocoa\x1b[0m")
    );
    let files = run(
        index.path(),
        &["search", "cocoa", "--files", "--color", "always"],
    );
    assert!(files.stdout.contains('\x1b'));
}

fn no_color_is_honoured_under_auto() {
    let index = demo_index();
    let output = dateline()
        .args(["search", "cocoa", "--color", "auto", "--index"])
        .arg(index.path())
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert!(!String::from_utf8_lossy(&output.stdout).contains('\x1b'));
}

fn date_sorts_reorder_the_same_articles() {
    let index = demo_index();
    let relevance = files(index.path(), &["oil"]);
    assert!(relevance.len() >= 3, "{relevance:?}");
    let mut matching = relevance.clone();
    matching.sort();
    for sort in ["newest", "oldest"] {
        let mut sorted = files(index.path(), &["oil", "--sort", sort]);
        assert_ne!(
            sorted, relevance,
            "--sort {sort} should change the order here"
        );
        sorted.sort();
        assert_eq!(
            sorted, matching,
            "--sort {sort} changed which articles match"
        );
    }
    let dates = |sort: &str| -> Vec<String> {
        let value = json(
            index.path(),
            &[
                "search", "oil", "--sort", sort, "-n", "50", "--format", "json",
            ],
        );
        value["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|hit| hit["date"].as_str().unwrap().to_string())
            .collect()
    };
    let newest = dates("newest");
    assert!(newest.windows(2).all(|w| w[0] >= w[1]), "{newest:?}");
    let oldest = dates("oldest");
    assert!(oldest.windows(2).all(|w| w[0] <= w[1]), "{oldest:?}");
}

fn recency_keeps_the_matches_and_favours_newer_articles() {
    let index = demo_index();
    let plain = json(
        index.path(),
        &["search", "oil", "-n", "50", "--format", "json"],
    );
    let recent = json(
        index.path(),
        &[
            "search",
            "oil",
            "-n",
            "50",
            "--recency",
            "7d",
            "--format",
            "json",
        ],
    );
    let sources = |v: &Value| {
        let mut s: Vec<String> = v["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| format!("{}:{}", h["source"], h["line"]))
            .collect();
        s.sort();
        s
    };
    assert_eq!(sources(&plain), sources(&recent));
    let newest_first_rank = |v: &Value| {
        v["results"]
            .as_array()
            .unwrap()
            .iter()
            .position(|h| h["date"].as_str().unwrap() >= "1987-06-01")
            .unwrap()
    };
    assert!(newest_first_rank(&recent) <= newest_first_rank(&plain));
    let bad = run(index.path(), &["search", "oil", "--recency", "soon"]);
    assert_eq!(bad.code, 2);
    assert_eq!(bad.stderr.lines().count(), 1, "{}", bad.stderr);
}

fn relative_dates_count_back_from_today() {
    let index = demo_index();
    let pinned = |args: &[&str]| -> Vec<String> {
        let output = dateline()
            .arg("search")
            .arg("--files")
            .args(args)
            .arg("--index")
            .arg(index.path())
            .env("DATELINE_TODAY", "1987-03-31")
            .output()
            .unwrap();
        String::from_utf8(output.stdout)
            .unwrap()
            .lines()
            .map(str::to_string)
            .collect()
    };
    let since_30d = pinned(&["oil", "--since", "30d"]);
    assert!(!since_30d.is_empty());
    assert_eq!(
        since_30d,
        files(index.path(), &["oil", "--since", "1987-03-01"])
    );
    assert_eq!(
        pinned(&["cocoa", "--on", "last-month"]),
        files(index.path(), &["cocoa", "--on", "1987-02"])
    );
    assert_eq!(
        pinned(&["oil", "--until", "yesterday"]),
        files(index.path(), &["oil", "--until", "1987-03-30"])
    );
    let help = dateline().args(["search", "--help"]).output().unwrap();
    let help = String::from_utf8(help.stdout).unwrap();
    for form in ["yesterday", "30d", "2w", "last-month", "YYYY-MM-DD"] {
        assert!(help.contains(form), "--help does not list {form}");
    }
}

fn files_lists_every_matching_article_once_unless_limited() {
    let index = demo_index();
    let all = files(index.path(), &["the"]);
    assert!(all.len() > 10, "no default limit of 10: {}", all.len());
    let mut unique = all.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), all.len());
    assert_eq!(files(index.path(), &["the", "-n", "2"]), all[..2]);
}

fn context_shows_the_neighbouring_passages() {
    let index = demo_index();
    let value = json(
        index.path(),
        &["search", "\"roughly 2,500\"", "-C", "1", "--format", "json"],
    );
    let hit = &value["results"][0];
    assert_eq!(hit["line"], 13);
    assert_eq!(hit["context_before"][0]["line"], 11);
    assert_eq!(hit["context_after"][0]["line"], 15);
    assert!(
        hit["context_after"][0]["passage"]
            .as_str()
            .unwrap()
            .starts_with("A senior US defence official")
    );
}

/// Each period's count is the number of articles `search --files` finds for
/// the same query restricted to that period.
fn check_timeline_agrees_with_search(index: &Path, query: &str, by: &str) -> u64 {
    let value = json(index, &["timeline", query, "--by", by, "--format", "json"]);
    let mut total = 0;
    let buckets = value["buckets"].as_array().unwrap();
    assert!(!buckets.is_empty());
    for bucket in buckets {
        let since = bucket["since"].as_str().unwrap();
        let until = bucket["until"].as_str().unwrap();
        let count = bucket["counts"][0]["articles"].as_u64().unwrap();
        let found = files(index, &[query, "--since", since, "--until", until]);
        assert_eq!(count, found.len() as u64, "{query} {since}..{until}");
        let top = &bucket["counts"][0]["top"];
        assert_eq!(
            top.is_null(),
            count == 0,
            "{query} {since}: top passage iff articles"
        );
        total += count;
    }
    assert_eq!(value["queries"][0]["articles"].as_u64().unwrap(), total);
    total
}

fn timeline_counts_agree_with_search_on_the_demo_corpus() {
    let index = demo_index();
    for (query, by) in [
        ("oil", "week"),
        ("cocoa", "month"),
        ("\"interest rates\"", "day"),
        ("the", "year"),
    ] {
        check_timeline_agrees_with_search(index.path(), query, by);
    }
    // Empty periods are shown as zero, and a bucket is picked without --by.
    let value = json(
        index.path(),
        &[
            "timeline", "oil", "--since", "1987-02", "--until", "1987-10", "--format", "json",
        ],
    );
    assert_eq!(value["by"], "month");
    let periods: Vec<&str> = value["buckets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["period"].as_str().unwrap())
        .collect();
    assert_eq!(
        periods,
        [
            "1987-02", "1987-03", "1987-04", "1987-05", "1987-06", "1987-07", "1987-08", "1987-09",
            "1987-10"
        ]
    );
    assert_eq!(value["buckets"][3]["counts"][0]["articles"], 0);
}

fn timeline_counts_agree_with_search_on_the_news_folder() {
    let news = shared_data("news-folder");
    let index = TempDir::new().unwrap();
    dateline()
        .arg("index")
        .arg(&news)
        .arg("--index")
        .arg(index.path())
        .assert()
        .success();
    let cocoa = check_timeline_agrees_with_search(index.path(), "cocoa", "week");
    assert!(cocoa > 50, "{cocoa}");
    let rates = check_timeline_agrees_with_search(index.path(), "\"interest rates\"", "month");
    assert!(rates > 500, "{rates}");
}

fn errors_are_one_line_with_exit_code_2() {
    let index = demo_index();
    let missing = index.path().join("nothing-here");
    let cases: Vec<(Vec<&str>, &Path, &str)> = vec![
        (vec!["search", "oil"], &missing, "dateline: no index at"),
        (vec!["timeline", "oil"], &missing, "dateline: no index at"),
        (
            vec!["search", "oil", "--since", "1987-13"],
            index.path(),
            "dateline: invalid date '1987-13'",
        ),
        (
            vec!["timeline", "oil", "--until", "someday"],
            index.path(),
            "dateline: invalid date 'someday'",
        ),
        (
            vec!["search", "\"oil", "--strict"],
            index.path(),
            "dateline: invalid query",
        ),
        (
            vec!["timeline", "(oil", "--strict"],
            index.path(),
            "dateline: invalid query",
        ),
        (
            vec!["search", "oil", "--bogus"],
            index.path(),
            "dateline: unexpected argument '--bogus'",
        ),
        (
            vec!["timeline", "oil", "--by", "fortnight"],
            index.path(),
            "dateline: invalid value 'fortnight'",
        ),
        (
            vec![
                "timeline", "oil", "--by", "day", "--since", "1000", "--until", "2024",
            ],
            index.path(),
            "dateline: the timeline would have more than",
        ),
    ];
    for (args, index, start) in cases {
        let out = run(index, &args);
        assert_eq!(out.code, 2, "{args:?}: {}", out.stderr);
        assert!(out.stderr.starts_with(start), "{args:?}: {}", out.stderr);
        assert_eq!(out.stderr.lines().count(), 1, "{args:?}: {}", out.stderr);
        assert!(
            !out.stderr.contains("panicked") && !out.stderr.contains("Error {"),
            "{}",
            out.stderr
        );
    }
    let none = run(index.path(), &["search", "zzyzzx"]);
    assert_eq!(none.code, 1);
    let none = run(index.path(), &["timeline", "zzyzzx"]);
    assert_eq!(none.code, 1, "{}", none.stderr);
}

fn every_subcommand_has_examples_in_its_help() {
    for sub in ["index", "search", "timeline", "completions", "man"] {
        let output = dateline().args([sub, "--help"]).output().unwrap();
        assert!(output.status.success(), "{sub}");
        assert!(
            String::from_utf8_lossy(&output.stdout).contains("Examples:"),
            "{sub} --help has no examples"
        );
    }
}

fn completions_and_man_page_are_generated() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let output = dateline().args(["completions", shell]).output().unwrap();
        assert!(output.status.success(), "{shell}");
        let script = String::from_utf8(output.stdout).unwrap();
        assert!(
            script.contains("dateline") && script.contains("timeline"),
            "{shell}"
        );
    }
    let man = dateline().arg("man").output().unwrap();
    let man = String::from_utf8(man.stdout).unwrap();
    assert!(
        man.starts_with(".ie") || man.contains(".TH dateline"),
        "{}",
        &man[..200.min(man.len())]
    );
    assert!(man.contains("timeline"));
}

fn a_closed_pipe_ends_quietly() {
    let index = demo_index();
    let output = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!(
            "{} timeline the --by day --index {} | head -n 1",
            assert_cmd::cargo::cargo_bin("dateline").display(),
            index.path().display()
        ))
        .current_dir(project_root())
        .output()
        .unwrap();
    assert!(output.status.success());
    assert!(!String::from_utf8_lossy(&output.stderr).contains("panicked"));
}

// `..Article::default()` keeps this test compiling when Article grows fields.
#[allow(clippy::needless_update)]
fn title_only_matches_show_the_opening_without_highlights() {
    use dateline::indexer::{IndexOptions, NoProgress, index_articles};
    use dateline::ingest::{Article, Passage};
    use dateline::search::{SearchRequest, search};

    let dir = TempDir::new().unwrap();
    let passage = |text: &str, line| Passage::new(text, line);
    let titled = Article {
        source: "harvest.md".into(),
        relative: "harvest.md".into(),
        title: Some("Cocoa harvest ends early".into()),
        date: Some(dateline::date::ArticleDate::from_day(
            Date::new(1987, 3, 2).unwrap(),
        )),
        passages: vec![
            passage("Farmers in Bahia finished picking this week.", 3),
            passage("Prices rose in the following days.", 5),
            passage("Shippers were reluctant to offer.", 7),
        ],
        ..Article::default()
    };
    index_articles(
        &IndexOptions::new(Vec::new(), dir.path().to_path_buf()),
        [("/k/harvest.md".to_string(), vec![titled])],
        &mut NoProgress,
    )
    .unwrap();
    let index = dateline::index::OpenIndex::open(dir.path()).unwrap();
    let results = search(
        &index,
        &SearchRequest {
            query: "cocoa".into(),
            limit: 10,
            per_article: 2,
            ..SearchRequest::default()
        },
    )
    .unwrap();
    assert_eq!(
        results.hits.len(),
        1,
        "one hit for the article, not one per passage"
    );
    let hit = &results.hits[0];
    assert!(hit.title_only);
    assert_eq!(hit.line, 3);
    assert_eq!(hit.passage, "Farmers in Bahia finished picking this week.");
    assert!(hit.highlights.is_empty());
}

fn the_index_can_come_from_the_environment() {
    let index = demo_index();
    let output = dateline()
        .args(["timeline", "cocoa", "--format", "csv"])
        .env("DATELINE_INDEX", index.path())
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        String::from_utf8(output.stdout)
            .unwrap()
            .starts_with("period,since,until,cocoa\n")
    );
}
