//! Real article folders: every supported format, dates and their sources,
//! undated articles, bad files, and `dateline stats`.
//!
//! The corpus tests use `../shared/data` and are ignored, saying why, when it
//! is absent. Each big corpus is indexed once.

use std::io::Write;
use std::path::{Path, PathBuf};

use libtest_mimic::Trial;
use serde_json::Value;

use crate::util::{dateline, index_verbose, json_run, shared_data, stats_json, trials};

/// This module's tests, for the harness.
pub fn tests() -> Vec<Trial> {
    trials![
        needs("reuters21578") => reuters_21578_every_record_is_a_dated_article,
        needs("20newsgroups/20news-bydate.tar.gz") => twenty_newsgroups_all_messages_undated_with_subject_titles,
        needs("scifact/corpus.jsonl") => scifact_jsonl_and_its_gzip_copy_index_the_same,
        a_mixed_folder_indexes_every_format_and_names_the_bad_files,
        undated_policies_skip_and_error,
        field_overrides_size_limits_and_suspicious_dates,
        stats_text_shows_figures_and_a_year_chart,
    ]
}

fn search(index: &Path, args: &[&str]) -> (i32, Value) {
    let (code, value, _) = json_run(
        dateline()
            .arg("search")
            .args(args)
            .arg("--index")
            .arg(index),
    );
    (code, value)
}

fn reuters_21578_every_record_is_a_dated_article() {
    let folder = shared_data("reuters21578");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&folder)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "sgm"))
        .collect();
    files.sort();
    assert_eq!(files.len(), 22);
    let dir = tempfile::tempdir().unwrap();
    let idx = dir.path().join("idx");
    let paths: Vec<&Path> = files.iter().map(PathBuf::as_path).collect();
    let stderr = index_verbose(&paths, &idx, &[]);
    assert!(stderr.contains("; 21578 articles ("), "{stderr}");
    assert!(
        stderr.contains("reut2-017.sgm: not valid UTF-8"),
        "{stderr}"
    );

    let stats = stats_json(&idx);
    assert_eq!(stats["articles"], 21578);
    assert_eq!(stats["dated"], 21578);
    assert_eq!(stats["undated"], 0);
    assert_eq!(stats["by_format"], serde_json::json!({"sgml": 21578}));
    assert_eq!(stats["by_year"], serde_json::json!({"1987": 21578}));
    assert_eq!(stats["min_date"], "1987-02-26T15:01:01Z");
    assert_eq!(stats["max_date"], "1987-10-20T22:53:18Z");
    assert_eq!(stats["undated_files"], serde_json::json!([]));

    let (code, results) = search(&idx, &["cocoa", "--on", "1987-02-26"]);
    assert_eq!(code, 0);
    let first = &results["results"][0];
    assert_eq!(first["record_id"], "1");
    assert_eq!(first["record_line"], 2);
    assert_eq!(first["title"], "BAHIA COCOA REVIEW");
    assert_eq!(first["date"], "1987-02-26T15:01:01Z");
    assert_eq!(first["date_source"], "sgml-element");
    assert_eq!(first["date_text"], "26-FEB-1987 15:01:01.79");
    assert!(first["source"].as_str().unwrap().ends_with("reut2-000.sgm"));

    // The README's month counts: no May, so a May search finds nothing.
    let (code, _) = search(&idx, &["cocoa", "--on", "1987-05"]);
    assert_eq!(code, 1);
}

fn twenty_newsgroups_all_messages_undated_with_subject_titles() {
    let tarball = shared_data("20newsgroups/20news-bydate.tar.gz");
    let dir = tempfile::tempdir().unwrap();
    let extracted = dir.path().join("news");
    let gz = flate2::read::GzDecoder::new(std::fs::File::open(&tarball).unwrap());
    tar::Archive::new(gz).unpack(&extracted).unwrap();
    let idx = dir.path().join("idx");
    let stderr = index_verbose(&[&extracted], &idx, &[]);
    // Every message is accounted for: cross-posted copies (same text, no
    // date) are indexed once and reported as duplicates.
    assert!(stderr.contains("18846 added"), "{stderr}");
    let number_before = |marker: &str| -> usize {
        let head = &stderr[..stderr
            .find(marker)
            .unwrap_or_else(|| panic!("{marker}: {stderr}"))];
        head.rsplit(|c: char| !c.is_ascii_digit())
            .find(|w| !w.is_empty())
            .unwrap()
            .parse()
            .unwrap()
    };
    let indexed = number_before(" articles (");
    let duplicates = number_before(" duplicate articles indexed once");
    assert_eq!(indexed + duplicates, 18846, "{stderr}");
    assert!(
        stderr.contains(&format!(
            "{indexed} of {indexed} articles have no recognisable date"
        )),
        "{stderr}"
    );

    let stats = stats_json(&idx);
    assert_eq!(stats["articles"], indexed);
    assert_eq!(stats["undated"], indexed);
    assert_eq!(stats["dated"], 0);
    assert_eq!(stats["min_date"], Value::Null);
    assert_eq!(stats["by_format"], serde_json::json!({"mail": indexed}));
    assert_eq!(stats["undated_files"].as_array().unwrap().len(), indexed);

    let (code, results) = search(&idx, &["\"amateur rockets\"", "-n", "50"]);
    assert_eq!(code, 0);
    let hit = results["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["source"].as_str().unwrap().ends_with("sci.space/60804"))
        .expect("the sample message is found");
    assert_eq!(hit["title"], "Big amateur rockets");
    assert_eq!(hit["author"], "Paul Dokas <pbd@runyon.cim.cdc.com>");
    assert_eq!(hit["date"], Value::Null);
    // Undated articles never pass a date filter.
    let (code, _) = search(&idx, &["rockets", "--since", "1000"]);
    assert_eq!(code, 1);
}

fn scifact_jsonl_and_its_gzip_copy_index_the_same() {
    let corpus = shared_data("scifact/corpus.jsonl");
    let dir = tempfile::tempdir().unwrap();
    let plain = dir.path().join("plain");
    let stderr = index_verbose(&[&corpus], &plain, &[]);
    assert!(stderr.contains("; 5183 articles ("), "{stderr}");
    let plain_stats = stats_json(&plain);
    assert_eq!(plain_stats["articles"], 5183);
    assert_eq!(plain_stats["undated"], 5183);
    assert_eq!(plain_stats["by_format"], serde_json::json!({"jsonl": 5183}));

    let (code, results) = search(&plain, &["\"diffusion tensor\" newborn", "-n", "1"]);
    assert_eq!(code, 0);
    let first = &results["results"][0];
    assert_eq!(first["record_id"], "4983");
    assert!(
        first["title"]
            .as_str()
            .unwrap()
            .starts_with("Microstructural development of human newborn")
    );
    assert_eq!(first["format"], "jsonl");

    let gz_path = dir.path().join("corpus.jsonl.gz");
    let mut encoder = flate2::write::GzEncoder::new(
        std::fs::File::create(&gz_path).unwrap(),
        flate2::Compression::fast(),
    );
    encoder.write_all(&std::fs::read(&corpus).unwrap()).unwrap();
    encoder.finish().unwrap();
    let zipped = dir.path().join("zipped");
    index_verbose(&[&gz_path], &zipped, &[]);
    let zipped_stats = stats_json(&zipped);
    for key in ["articles", "passages", "dated", "undated", "by_format"] {
        assert_eq!(zipped_stats[key], plain_stats[key], "{key}");
    }
}

/// Writes the mixed folder: every format, plus files that must be skipped.
fn mixed_folder(root: &Path) {
    let write = |name: &str, bytes: &[u8]| {
        let path = root.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    };
    write(
        "reference/a.txt",
        b" date 2024-01-25 The reference article about troops.\n\nMore.\n",
    );
    write(
        "blog/rates.md",
        b"---\ntitle: Rates rise\npublished: 2024-02-01T09:30:00+01:00\nurl: https://blog.example/rates\nauthor: Ann Lee\n---\n\nThe central bank raised rates.\n",
    );
    write(
        "blog/old.md",
        b"+++\ntitle = \"Columbus\"\ndate = 1492-10-12\n+++\n\nLand was sighted at dawn.\n",
    );
    write(
        "posts/1851-09-18-first-issue.md",
        b"# The first issue\n\nThe New-York Daily Times appears.\n",
    );
    write(
        "feeds/news.json",
        br#"[{"headline": "Storm hits coast", "short_description": "A storm hit the coast.", "date": "25 Jan 2024", "link": "https://x/storm", "authors": ["Bo Chan"]}]"#,
    );
    write(
        "feeds/items.jsonl",
        b"{\"title\": \"Quake\", \"text\": \"An earthquake struck.\", \"timestamp\": 1706176800}\n{\"title\": \"Flood\", \"text\": \"A flood rose.\", \"pubDate\": \"Wed, 24 Jan 2024 10:00:00 +0000\"}\n",
    );
    write(
        "mail/1001",
        b"From: carl@example.org\nSubject: Telescope for sale\nNewsgroups: sci.astro\nDate: Sat, 17 Apr 1993 02:42:51 GMT\n\nA fine telescope for sale.\n",
    );
    write(
        "wire/reut.sgm",
        b"<!DOCTYPE lewis SYSTEM \"lewis.dtd\">\n<REUTERS NEWID=\"7\">\n<DATE>26-FEB-1987 15:01:01.79</DATE>\n<TEXT>&#2;\n<TITLE>COCOA REVIEW</TITLE>\n<BODY>Cocoa showers continued.\n Reuter\n&#3;</BODY></TEXT>\n</REUTERS>\n",
    );
    write(
        "web/2023/05/06/page.html",
        b"<!DOCTYPE html><html><head><title>Coronation | Paper</title><meta property=\"og:title\" content=\"Coronation\"><meta property=\"article:published_time\" content=\"2023-05-06T11:00:00+01:00\"></head><body><nav>Home World</nav><article><p>The king was crowned in London.</p></article></body></html>",
    );
    write(
        "web/undated.html",
        b"<html><body><article><p>A page with no date about gardening.</p></article></body></html>",
    );
    write("bad/image.png", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01");
    write("bad/empty.txt", b"");
    write(
        "bad/truncated.json",
        b"{\"title\": \"Cut off\", \"text\": \"This file ends in the mid",
    );
    write(
        "latin1/café.txt",
        b" date 1999-03-04 Le caf\xe9 est ferm\xe9.\n",
    );
}

fn a_mixed_folder_indexes_every_format_and_names_the_bad_files() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("articles");
    mixed_folder(&folder);
    let idx = dir.path().join("idx");
    let stderr = index_verbose(&[&folder], &idx, &[]);
    // Not articles: counted by kind, not reported one by one.
    assert!(!stderr.contains("image.png"), "{stderr}");
    assert!(!stderr.contains("empty.txt"), "{stderr}");
    assert!(
        stderr.contains("left out 2 files that are not articles: 1 empty, 1 png"),
        "{stderr}"
    );
    assert!(stderr.contains("truncated.json: invalid JSON"), "{stderr}");
    assert!(stderr.contains("read as Windows-1252"), "{stderr}");
    assert!(stderr.contains("; 12 articles ("), "{stderr}");
    assert!(stderr.contains(", 2 left out, 1 skipped;"), "{stderr}");
    assert!(
        stderr.contains("1 of 12 articles has no recognisable date"),
        "{stderr}"
    );

    let stats = stats_json(&idx);
    assert_eq!(
        stats["by_format"],
        serde_json::json!({"html": 2, "json": 1, "jsonl": 2, "mail": 1, "markdown": 3, "reference": 2, "sgml": 1})
    );
    assert_eq!(stats["dated"], 11);
    assert_eq!(stats["min_date"], "1492-10-12");
    assert_eq!(stats["max_date"], "2024-02-01T09:30:00+01:00");
    assert!(
        stats["undated_files"][0]
            .as_str()
            .unwrap()
            .ends_with("undated.html")
    );

    // Each article's date, and where it came from.
    let expect = [
        ("troops", "2024-01-25", "date-line"),
        (
            "\"central bank\"",
            "2024-02-01T09:30:00+01:00",
            "front-matter",
        ),
        ("sighted", "1492-10-12", "front-matter"),
        ("\"Daily Times\"", "1851-09-18", "filename"),
        ("storm", "2024-01-25", "json-field"),
        ("earthquake", "2024-01-25T10:00:00Z", "json-field"),
        ("flood", "2024-01-24T10:00:00Z", "json-field"),
        ("telescope", "1993-04-17T02:42:51Z", "header"),
        ("showers", "1987-02-26T15:01:01Z", "sgml-element"),
        ("crowned", "2023-05-06T11:00:00+01:00", "meta-tag"),
        ("café", "1999-03-04", "date-line"),
    ];
    for (query, date, source) in expect {
        let (code, results) = search(&idx, &[query, "-n", "1"]);
        assert_eq!(code, 0, "{query}");
        let hit = &results["results"][0];
        assert_eq!(hit["date"], date, "{query}");
        assert_eq!(hit["date_source"], source, "{query}");
    }
    let (_, rates) = search(&idx, &["rates", "-n", "1"]);
    assert_eq!(rates["results"][0]["title"], "Rates rise");
    assert_eq!(rates["results"][0]["url"], "https://blog.example/rates");
    assert_eq!(rates["results"][0]["author"], "Ann Lee");
    assert_eq!(
        rates["results"][0]["date_text"],
        "2024-02-01T09:30:00+01:00"
    );
    let (_, issue) = search(&idx, &["times", "-n", "1"]);
    assert_eq!(issue["results"][0]["title"], "The first issue");

    // Historical dates filter like any other.
    let (code, columbus) = search(&idx, &["land", "--on", "1492-10-12"]);
    assert_eq!(code, 0);
    assert_eq!(columbus["results"][0]["title"], "Columbus");
    let (_, oldest) = search(&idx, &["land OR times OR rates", "--sort", "oldest"]);
    let dates: Vec<&str> = oldest["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["date"].as_str().unwrap())
        .collect();
    assert_eq!(
        dates,
        ["1492-10-12", "1851-09-18", "2024-02-01T09:30:00+01:00"]
    );
    let (code, _) = search(&idx, &["gardening", "--since", "1000"]);
    assert_eq!(code, 1, "an undated article is excluded by any date filter");
    let (code, _) = search(&idx, &["gardening"]);
    assert_eq!(code, 0);
}

fn undated_policies_skip_and_error() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("in");
    std::fs::create_dir(&folder).unwrap();
    std::fs::write(
        folder.join("dated.md"),
        "---\ndate: 2024-01-25\n---\nDated text.\n",
    )
    .unwrap();
    std::fs::write(folder.join("undated.md"), "Undated text.\n").unwrap();

    let skip = dir.path().join("skip");
    let stderr = index_verbose(&[&folder], &skip, &["--undated", "skip"]);
    assert!(
        stderr.contains("undated.md: no recognisable date (--undated skip)"),
        "{stderr}"
    );
    assert_eq!(stats_json(&skip)["articles"], 1);

    let error = dir.path().join("error");
    let output = dateline()
        .arg("index")
        .arg(&folder)
        .arg("--index")
        .arg(&error)
        .args(["--undated", "error"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("undated.md: 1 article(s) without a recognisable date (--undated error)"),
        "{stderr}"
    );
    assert!(
        stderr.contains("dateline: 1 article(s) had no recognisable date and --undated error"),
        "{stderr}"
    );

    let mtime = dir.path().join("mtime");
    index_verbose(&[&folder], &mtime, &["--date-from-mtime"]);
    let (_, results) = search(&mtime, &["undated"]);
    assert_eq!(results["results"][0]["date_source"], "mtime");
}

fn field_overrides_size_limits_and_suspicious_dates() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("in");
    std::fs::create_dir(&folder).unwrap();
    std::fs::write(
        folder.join("odd.json"),
        r#"{"meta": {"when": "January 25, 2024"}, "words": "Odd schema words."}"#,
    )
    .unwrap();
    std::fs::write(
        folder.join("future.md"),
        "---\ndate: 9999-12-31\n---\nFrom the far future.\n",
    )
    .unwrap();
    std::fs::write(folder.join("big.txt"), "word ".repeat(300_000)).unwrap();
    let idx = dir.path().join("idx");
    let stderr = index_verbose(
        &[&folder],
        &idx,
        &[
            "--field",
            "date=meta.when",
            "--field",
            "text=words",
            "--max-file-size",
            "1",
        ],
    );
    assert!(
        stderr.contains("big.txt: file is 1.4 MiB, over --max-file-size (1.0 MiB)"),
        "{stderr}"
    );
    assert!(
        stderr.contains("future.md: 1 article(s) dated after"),
        "{stderr}"
    );
    let (_, odd) = search(&idx, &["odd"]);
    assert_eq!(odd["results"][0]["date"], "2024-01-25");
    let (code, far) = search(&idx, &["future", "--on", "9999-12-31"]);
    assert_eq!(code, 0, "the suspicious date is indexed, not dropped");
    assert_eq!(far["results"][0]["date"], "9999-12-31");

    let output = dateline()
        .arg("index")
        .arg(&folder)
        .arg("--index")
        .arg(&idx)
        .args(["--field", "colour=x"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("unknown key 'colour'"));
}

fn stats_text_shows_figures_and_a_year_chart() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("articles");
    mixed_folder(&folder);
    let idx = dir.path().join("idx");
    index_verbose(&[&folder], &idx, &[]);
    let output = dateline()
        .arg("stats")
        .arg("--index")
        .arg(&idx)
        .output()
        .unwrap();
    assert!(output.status.success());
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(text.contains("articles      12\n"), "{text}");
    assert!(text.contains("undated       1\n"), "{text}");
    assert!(
        text.contains("date range    1492-10-12 to 2024-02-01\n"),
        "{text}"
    );
    let year_2024 = text.lines().find(|l| l.starts_with("2024 ")).unwrap();
    assert!(
        year_2024.contains('█') && year_2024.ends_with(" 5"),
        "{year_2024}"
    );
    assert!(text.contains("undated files (1)"), "{text}");

    let missing = dateline()
        .arg("stats")
        .arg("--index")
        .arg(dir.path().join("none"))
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).starts_with("dateline: no index at"));
}
