//! `dateline search`: ranked passages, dates, sources, highlights, filters.

use libtest_mimic::Trial;
use predicates::prelude::*;
use serde_json::Value;

use crate::util::{
    corpus, dateline, folder_with, highlighted_words, hit_sources, index_of, search_json, trials,
};

/// This module's tests, for the harness.
pub fn tests() -> Vec<Trial> {
    trials![
        troops_finds_the_reference_article_with_date_source_and_line,
        a_phrase_matches_and_highlights_exactly_its_words,
        words_out_of_phrase_order_do_not_match_the_phrase,
        date_filters_are_inclusive_and_partial_dates_cover_their_period,
        invalid_dates_name_the_accepted_forms,
        highlights_are_character_offsets_even_around_em_dashes,
        highlights_are_character_offsets_in_chinese_text_and_emoji,
        passages_with_every_word_rank_above_passages_with_some,
        at_most_per_article_passages_come_from_one_article,
        messy_queries_are_parsed_leniently_and_the_ignored_part_is_named,
        jsonl_prints_one_result_per_line,
        text_output_shows_rank_date_source_line_and_passage,
        a_missing_or_empty_index_says_to_run_index_first,
        near_copies_of_one_story_show_once_with_also_in,
        equal_scores_are_ordered_newest_first_whatever_the_file_order,
        one_article_with_thousands_of_matching_passages_does_not_hide_the_rest,
    ]
}

const REFERENCE: &str = "corpus/000_13dcff22e6eeeb5b.txt";

fn troops_finds_the_reference_article_with_date_source_and_line() {
    let index = index_of(&[&corpus()]);
    let output = search_json(index.path(), &["troops"]);
    let hits = output["results"].as_array().unwrap();
    let top = &hits[0];
    assert_eq!(top["date"], "2024-01-25");
    assert!(
        top["source"]
            .as_str()
            .unwrap()
            .ends_with("000_13dcff22e6eeeb5b.txt")
    );
    assert_eq!(top["title"], Value::Null);
    // "There are roughly 2,500 US troops deployed in Iraq ..." is on line 13.
    assert_eq!(top["line"], 13);
    assert!(
        top["passage"]
            .as_str()
            .unwrap()
            .starts_with("There are roughly 2,500 US troops")
    );
    assert_eq!(top["rank"], 1);
    assert!(top["score"].as_f64().unwrap() > 0.0);
    assert!(output["total_hits"].as_u64().unwrap() >= hits.len() as u64);
}

fn a_phrase_matches_and_highlights_exactly_its_words() {
    let index = index_of(&[&corpus()]);
    let output = search_json(index.path(), &["\"timeline for reducing\""]);
    let hits = output["results"].as_array().unwrap();
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0]["line"], 1);
    assert_eq!(highlighted_words(&hits[0]), ["timeline", "for", "reducing"]);
}

fn words_out_of_phrase_order_do_not_match_the_phrase() {
    let index = index_of(&[&corpus()]);
    dateline()
        .args(["search", "\"reducing for timeline\"", "--index"])
        .arg(index.path())
        .assert()
        .code(1)
        .stdout("");
}

fn date_filters_are_inclusive_and_partial_dates_cover_their_period() {
    let index = index_of(&[&corpus()]);
    let dir = index.path().to_str().unwrap();
    dateline()
        .args(["search", "troops", "--until", "2023-12-31", "--index", dir])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("no passages match"));
    for filter in [
        vec!["--on", "2024-01"],
        vec!["--on", "2024"],
        vec!["--on", "2024-01-25"],
        vec!["--since", "2024-01-25"],
        vec!["--until", "2024-01-25"],
        vec!["--since", "2024-01-25", "--until", "2024-01-25"],
    ] {
        let mut args = vec!["troops"];
        args.extend(&filter);
        let output = search_json(index.path(), &args);
        let hits = output["results"].as_array().unwrap();
        assert!(!hits.is_empty(), "{filter:?}");
        assert!(hits.iter().all(|h| h["date"] == "2024-01-25"), "{filter:?}");
    }
    let after = search_json(index.path(), &["troops", "--since", "2024-01-26"]);
    assert_eq!(after["results"].as_array().unwrap().len(), 0);
    let march = search_json(index.path(), &["oil", "--on", "1987-03"]);
    let hits = march["results"].as_array().unwrap();
    assert!(!hits.is_empty());
    assert!(
        hits.iter()
            .all(|h| h["date"].as_str().unwrap().starts_with("1987-03"))
    );
    let all_oil = search_json(index.path(), &["oil"]);
    assert!(all_oil["total_hits"].as_u64() > march["total_hits"].as_u64());
}

fn invalid_dates_name_the_accepted_forms() {
    let index = index_of(&[&corpus()]);
    for bad in ["2024-13-01", "2024-02-30", "yesterday-ish", "24-01"] {
        dateline()
            .args(["search", "troops", "--since", bad, "--index"])
            .arg(index.path())
            .assert()
            .code(2)
            .stderr(predicate::str::starts_with("dateline: invalid date"))
            .stderr(predicate::str::contains("YYYY, YYYY-MM or YYYY-MM-DD"));
    }
    dateline()
        .args([
            "search", "troops", "--on", "2024", "--since", "2023", "--index",
        ])
        .arg(index.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--on cannot be combined"));
}

fn highlights_are_character_offsets_even_around_em_dashes() {
    let index = index_of(&[&corpus()]);
    let output = search_json(index.path(), &["talks \"planned for months\""]);
    let top = &output["results"][0];
    assert!(top["passage"].as_str().unwrap().contains('—'));
    assert_eq!(top["line"], 3);
    assert_eq!(
        highlighted_words(top),
        ["talks", "planned", "for", "months"]
    );
}

fn highlights_are_character_offsets_in_chinese_text_and_emoji() {
    let folder = folder_with(&[(
        "zh.txt",
        " date 2024-02-01 部队 😀 — troops 🇮🇶 arrived; 部队 left. Café Troops.\n",
    )]);
    let index = index_of(&[folder.path()]);
    let output = search_json(index.path(), &["部队"]);
    assert_eq!(highlighted_words(&output["results"][0]), ["部队", "部队"]);
    let output = search_json(index.path(), &["troops"]);
    assert_eq!(
        highlighted_words(&output["results"][0]),
        ["troops", "Troops"]
    );
}

fn passages_with_every_word_rank_above_passages_with_some() {
    let folder = folder_with(&[
        (
            "a.txt",
            " date 2024-01-01 oil oil oil oil oil prices everywhere oil.\n",
        ),
        (
            "b.txt",
            " date 2024-01-02 Opec said oil output would fall.\n",
        ),
        ("c.txt", " date 2024-01-03 Opec ministers met.\n"),
    ]);
    let index = index_of(&[folder.path()]);
    let output = search_json(index.path(), &["opec oil"]);
    let sources = hit_sources(&output);
    assert_eq!(sources.len(), 3);
    assert!(sources[0].ends_with("b.txt"), "{sources:?}");
    assert_eq!(output["total_hits"], 3);
}

fn at_most_per_article_passages_come_from_one_article() {
    let index = index_of(&[&corpus()]);
    let count_reference = |output: &Value| {
        output["results"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|h| {
                h["source"]
                    .as_str()
                    .unwrap()
                    .ends_with("000_13dcff22e6eeeb5b.txt")
            })
            .count()
    };
    assert_eq!(count_reference(&search_json(index.path(), &["troops"])), 2);
    assert_eq!(
        count_reference(&search_json(
            index.path(),
            &["troops", "--per-article", "1"]
        )),
        1
    );
    let many = search_json(
        index.path(),
        &["troops", "--per-article", "100", "-n", "100"],
    );
    assert!(count_reference(&many) >= 7);
    let limited = search_json(index.path(), &["troops", "--per-article", "100", "-n", "3"]);
    assert_eq!(limited["results"].as_array().unwrap().len(), 3);
}

fn messy_queries_are_parsed_leniently_and_the_ignored_part_is_named() {
    let index = index_of(&[&corpus()]);
    let dir = index.path().to_str().unwrap();
    for (query, ignored) in [
        ("\"unbalanced troops", "unmatched \""),
        ("troops (", "unmatched ("),
        ("troops)", "unmatched )"),
    ] {
        dateline()
            .args(["search", query, "--index", dir, "--color", "never"])
            .assert()
            .success()
            .stdout(predicate::str::contains("troops"))
            .stderr(
                predicate::str::contains("ignored part of the query")
                    .and(predicate::str::contains(ignored)),
            );
        dateline()
            .args(["search", query, "--index", dir, "--strict"])
            .assert()
            .code(2)
            .stderr(predicate::str::starts_with("dateline: invalid query"));
    }
    // A URL is searched as its words, not as an unknown field.
    let url = search_json(index.path(), &["https://www.aljazeera.com/news/troops"]);
    assert_eq!(url["ignored"].as_array().unwrap().len(), 0);
    // A leading dash is a query, not a flag.
    dateline()
        .args(["search", "-troops", "--index", dir, "-n", "1"])
        .assert()
        .success()
        .stderr(predicate::str::contains("only excludes words"));
    let excluded = search_json(
        index.path(),
        &["troops -syria", "-n", "50", "--per-article", "50"],
    );
    assert!(
        excluded["results"]
            .as_array()
            .unwrap()
            .iter()
            .all(|h| !h["passage"].as_str().unwrap().contains("Syria"))
    );
}

fn jsonl_prints_one_result_per_line() {
    let index = index_of(&[&corpus()]);
    let output = dateline()
        .args(["search", "oil", "-n", "3", "--format", "jsonl", "--index"])
        .arg(index.path())
        .output()
        .unwrap();
    let text = String::from_utf8(output.stdout).unwrap();
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[2]["rank"], 3);
}

fn text_output_shows_rank_date_source_line_and_passage() {
    // Given as a relative path, the source is shown relative too.
    let index = index_of(&[std::path::Path::new("corpus")]);
    dateline()
        .args(["search", "troops", "-n", "1", "--color", "never", "--index"])
        .arg(index.path())
        .assert()
        .success()
        .stdout(predicate::str::starts_with(format!(
            "1  2024-01-25  {REFERENCE}:13  score "
        )))
        .stdout(
            predicate::str::contains("There are roughly 2,500 US troops deployed")
                .and(predicate::str::contains("\x1b[").not()),
        );
}

fn a_missing_or_empty_index_says_to_run_index_first() {
    let empty = tempfile::tempdir().unwrap();
    dateline()
        .args(["search", "troops", "--index"])
        .arg(empty.path().join("nowhere"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("run `dateline index"));
    let nothing = tempfile::tempdir().unwrap();
    let index = index_of(&[nothing.path()]);
    dateline()
        .args(["search", "troops", "--index"])
        .arg(index.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("is empty: run `dateline index"));
}

fn near_copies_of_one_story_show_once_with_also_in() {
    let story = "Opec oil ministers meeting in Vienna agreed to hold output at 15.8 mln barrels per day for the rest of the year, \
        the conference said in a statement after three days of talks. Saudi Arabia, the largest producer, said it would \
        defend the reference price of 18 dlrs a barrel and urged members to respect their quotas. Analysts said the \
        accord removed uncertainty from the market and prices firmed in late trading in London and New York.";
    let folder = folder_with(&[
        ("wire/a.txt", &format!(" date 1987-06-27 {story}\n")),
        (
            "wire/b.txt",
            &format!(" date 1987-06-28 {story}\n\nReuter repeat of an item issued yesterday.\n"),
        ),
        (
            "other.txt",
            " date 1987-06-27 Opec output figures for May were released by the secretariat.\n",
        ),
    ]);
    let index = index_of(&[folder.path()]);
    let output = search_json(index.path(), &["opec output"]);
    let hits = output["results"].as_array().unwrap();
    let wire: Vec<&Value> = hits
        .iter()
        .filter(|h| h["source"].as_str().unwrap().contains("wire/"))
        .collect();
    assert_eq!(wire.len(), 1, "one hit for the story: {hits:#?}");
    let shown = wire[0]["source"].as_str().unwrap();
    let other = if shown.ends_with("a.txt") {
        "b.txt"
    } else {
        "a.txt"
    };
    let also_in = wire[0]["also_in"]
        .as_array()
        .expect("also_in names the near-copy");
    assert_eq!(also_in.len(), 1);
    assert!(also_in[0].as_str().unwrap().ends_with(other));
    // --files still lists every matching file.
    let files = dateline()
        .args(["search", "opec output", "--files", "--index"])
        .arg(index.path())
        .output()
        .unwrap();
    assert_eq!(String::from_utf8(files.stdout).unwrap().lines().count(), 3);
}

fn equal_scores_are_ordered_newest_first_whatever_the_file_order() {
    let folder = folder_with(&[
        ("a.txt", " date 2024-01-02 Cocoa alpha.\n"),
        ("b.txt", " date 2024-01-05 Cocoa bravo.\n"),
        ("c.txt", " date 2024-01-01 Cocoa delta.\n"),
        ("d.txt", " date 2024-01-04 Cocoa gamma.\n"),
        ("e.txt", " date 2024-01-03 Cocoa omega.\n"),
    ]);
    let index = index_of(&[folder.path()]);
    let output = search_json(index.path(), &["cocoa"]);
    let hits = output["results"].as_array().unwrap();
    let scores: Vec<f64> = hits.iter().map(|h| h["score"].as_f64().unwrap()).collect();
    assert!(
        scores.windows(2).all(|w| w[0] == w[1]),
        "equal scores expected: {scores:?}"
    );
    let dates: Vec<&str> = hits.iter().map(|h| h["date"].as_str().unwrap()).collect();
    assert_eq!(
        dates,
        [
            "2024-01-05",
            "2024-01-04",
            "2024-01-03",
            "2024-01-02",
            "2024-01-01"
        ]
    );
}

/// A search orders only the first page's worth of matches; when one long
/// article fills all of them, the per-article cap must still reach the
/// articles ranked after it.
fn one_article_with_thousands_of_matching_passages_does_not_hide_the_rest() {
    let long: Vec<String> = (0..1500)
        .map(|n| format!("Harvest harvest report number {n}."))
        .collect();
    let long = format!(" date 2024-01-01 {}\n", long.join("\n\n"));
    let folder = folder_with(&[
        ("long.txt", long.as_str()),
        (
            "short.txt",
            " date 2024-01-02 The harvest was late this year in the valley, growers said.\n",
        ),
    ]);
    let index = index_of(&[folder.path()]);
    let output = search_json(index.path(), &["harvest", "-n", "2", "--per-article", "1"]);
    let sources = hit_sources(&output);
    assert_eq!(sources.len(), 2, "{output}");
    assert!(sources[0].ends_with("long.txt"), "{sources:?}");
    assert!(sources[1].ends_with("short.txt"), "{sources:?}");
    assert_eq!(output["total_hits"], 1501);
}
