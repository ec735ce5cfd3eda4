//! Incremental, crash-safe indexing through the binary: re-runs do only what
//! changed, interruptions and crashes lose nothing, concurrent runs fail
//! fast, and bad input is reported without stopping the run.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command as StdCommand, Output, Stdio};
use std::time::{Duration, Instant};

use assert_cmd::Command;
use assert_cmd::cargo::cargo_bin;
use libtest_mimic::Trial;
use tempfile::TempDir;

use crate::util::{Need, search_json, trials};

/// This module's tests, for the harness.
pub fn tests() -> Vec<Trial> {
    trials![
        a_rerun_updates_only_what_changed_and_matches_a_rebuild,
        a_container_committed_midway_and_updated_midway_matches_a_rebuild,
        a_big_file_whose_lines_all_moved_then_went_keeps_each_article_once,
        a_rerun_with_no_changes_reads_nothing_and_commits_nothing,
        no_prune_keeps_the_articles_of_deleted_files,
        rebuild_starts_from_scratch_and_replaces_the_index,
        an_index_from_another_schema_version_is_rebuilt_and_search_says_what_to_run,
        damaged_metadata_is_detected_and_rebuilt,
        an_index_path_that_is_a_file_is_a_clear_error,
        summary_only_when_stderr_is_not_a_terminal,
        a_second_run_fails_fast_while_another_holds_the_lock,
        two_concurrent_runs_one_clear_error,
        kill_dash_nine_keeps_the_last_commit_and_a_rerun_completes_the_job,
        #[cfg(unix)]
        ctrl_c_commits_what_is_done_prints_the_summary_and_exits_130,
        an_empty_file_is_counted_not_indexed,
        a_binary_file_is_left_out_unless_it_is_named_as_an_article,
        a_truncated_file_is_skipped_and_a_cut_character_is_read,
        a_one_gib_file_is_refused_without_being_read,
        a_100_mb_single_line_is_indexed,
        invalid_utf8_is_read_as_windows_1252_with_a_note,
        #[cfg(unix)]
        symlink_loops_neither_hang_nor_panic,
        #[cfg(unix)]
        needs(permissions_that_stop_reads()) => an_unreadable_file_is_skipped,
        #[cfg(target_os = "linux")]
        a_path_with_non_utf8_bytes_is_indexed,
        #[cfg(unix)]
        needs(fifos()) => a_fifo_where_a_file_was_expected_is_skipped_not_waited_on,
        an_identical_article_under_two_paths_is_indexed_once_and_reported,
        when_the_original_goes_its_duplicate_is_indexed,
        near_copies_of_a_wire_story_are_grouped_as_one_story,
        needs(tmpfs(false)) => a_full_disk_is_a_clear_error_and_the_last_commit_stays_searchable,
        needs(tmpfs(true)) => a_read_only_index_folder_is_a_clear_error_and_stays_searchable,
    ]
}

/// A temporary folder of articles and an index beside it.
struct Workspace {
    dir: TempDir,
}

impl Workspace {
    fn new() -> Workspace {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir(dir.path().join("articles")).unwrap();
        Workspace { dir }
    }

    fn articles(&self) -> PathBuf {
        self.dir.path().join("articles")
    }

    fn index_dir(&self) -> PathBuf {
        self.dir.path().join("index")
    }

    fn write(&self, name: &str, text: &str) -> PathBuf {
        let path = self.articles().join(name);
        fs::write(&path, text).unwrap();
        path
    }

    /// Runs `dateline index ARTICLES --index INDEX --verbose extra...`
    /// (`--verbose` adds what the index holds to the summary).
    fn index(&self, extra: &[&str]) -> Output {
        self.index_into(&self.index_dir(), extra)
    }

    fn index_into(&self, index: &Path, extra: &[&str]) -> Output {
        Command::cargo_bin("dateline")
            .unwrap()
            .arg("index")
            .arg(self.articles())
            .arg("--index")
            .arg(index)
            .arg("--verbose")
            .args(extra)
            .output()
            .unwrap()
    }

    fn search(&self, index: &Path, query: &str) -> Output {
        Command::cargo_bin("dateline")
            .unwrap()
            .args([
                "search",
                "--color",
                "never",
                "--format",
                "jsonl",
                "-n",
                "10000",
                "--per-article",
                "1000",
            ])
            .arg("--index")
            .arg(index)
            .arg("--")
            .arg(query)
            .output()
            .unwrap()
    }
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn assert_success(output: &Output) -> String {
    let err = stderr(output);
    assert!(
        output.status.success(),
        "exit {:?}: {err}",
        output.status.code()
    );
    err
}

/// The "N added, ..." part of an index summary's first line.
fn counts_line(err: &str) -> &str {
    let line = err
        .lines()
        .find(|line| line.contains(" added, "))
        .unwrap_or_else(|| panic!("no summary in {err}"));
    let counts = line.find(" added, ").expect("the counts");
    &line[line[..counts].rfind(": ").map_or(0, |at| at + ": ".len())..]
}

/// The "holds ..." part of the `--verbose` summary: what the index holds.
fn holds(err: &str) -> String {
    let line = err
        .lines()
        .find(|line| line.contains(" holds "))
        .unwrap_or_else(|| panic!("no totals in {err}"));
    line[line.find("holds ").expect("the totals")..].to_string()
}

/// The hits of a search as sorted (source, line, passage) triples: scores
/// may differ between an updated and a rebuilt index (deleted documents
/// still count in term statistics until merged away), the hits may not.
fn hit_set(output: &Output) -> Vec<(String, u64, String)> {
    let mut hits: Vec<_> = String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|line| {
            let value: serde_json::Value = serde_json::from_str(line).unwrap();
            (
                value["source"].as_str().unwrap_or_default().to_string(),
                value["line"].as_u64().unwrap_or_default(),
                value["passage"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    hits.sort();
    hits
}

fn article(date: &str, body: &str) -> String {
    format!(" date {date} {body}\n\nA second paragraph about {body}\n")
}

fn a_rerun_updates_only_what_changed_and_matches_a_rebuild() {
    let ws = Workspace::new();
    ws.write("a.txt", &article("2024-01-01", "apples and pears"));
    ws.write("b.txt", &article("2024-01-02", "bananas"));
    ws.write("c.txt", &article("2024-01-03", "cherries"));
    ws.write("d.txt", &article("2024-01-04", "dates and figs"));
    let first = assert_success(&ws.index(&[]));
    assert!(
        counts_line(&first)
            .starts_with("4 added, 0 updated, 0 removed, 0 unchanged, 0 left out, 0 skipped")
    );

    ws.write("b.txt", &article("2024-02-02", "blueberries instead"));
    fs::remove_file(ws.articles().join("c.txt")).unwrap();
    ws.write("e.txt", &article("2024-01-05", "elderberries"));
    let second = assert_success(&ws.index(&[]));
    assert!(
        counts_line(&second)
            .starts_with("1 added, 1 updated, 1 removed, 2 unchanged, 0 left out, 0 skipped"),
        "{second}"
    );

    let fresh = ws.dir.path().join("fresh");
    let rebuilt = assert_success(&ws.index_into(&fresh, &[]));
    assert_eq!(holds(&second), holds(&rebuilt));
    for query in [
        "bananas",
        "blueberries",
        "cherries",
        "elderberries",
        "paragraph",
        "-nothing",
    ] {
        let updated = ws.search(&ws.index_dir(), query);
        let clean = ws.search(&fresh, query);
        assert_eq!(updated.status.code(), clean.status.code(), "{query}");
        assert_eq!(hit_set(&updated), hit_set(&clean), "{query}");
    }
    assert_eq!(ws.search(&ws.index_dir(), "bananas").status.code(), Some(1));
    assert_eq!(
        ws.search(&ws.index_dir(), "cherries").status.code(),
        Some(1)
    );
    assert_eq!(hit_set(&ws.search(&ws.index_dir(), "blueberries")).len(), 2);
}

/// A JSON Lines article dated day `n` from 2001-01-01. Articles `2k` and
/// `2k + 1` share their text (near-copies: the same story on two days).
fn jsonl_article(n: usize, note: &str) -> String {
    let story = n / 2;
    let day = jiff::civil::date(2001, 1, 1) + jiff::Span::new().days(n as i64);
    let body = format!(
        "Story {story} opens with the harbour cranes of item {story} standing idle for a week \
         while the unions of dock {story} and the port authority of berth {story} argued over \
         pay, shifts and the new scanners. Ships waited offshore, and freight for region \
         {story} went by rail instead.{note}"
    );
    serde_json::json!({ "date": day.to_string(), "title": format!("Item {n}"), "body": body })
        .to_string()
}

fn a_container_committed_midway_and_updated_midway_matches_a_rebuild() {
    let ws = Workspace::new();
    let lines = |range: std::ops::Range<usize>, note: &dyn Fn(usize) -> String| {
        range
            .map(|n| jsonl_article(n, &note(n)) + "\n")
            .collect::<String>()
    };
    ws.write("feed.jsonl", &lines(0..3000, &|_| String::new()));
    // Commits after every batch of the file: its records are recorded
    // midway several times.
    let first = assert_success(&ws.index(&["--commit-interval", "0"]));
    assert!(holds(&first).contains("3000 articles"), "{first}");

    // The first 700 go, every 20th changes, 40 are new; the update commits midway
    // too, while most of the old articles are not seen again yet.
    let changed = |n: usize| match n % 20 {
        0 => " The strike ended on Friday.".to_string(),
        _ => String::new(),
    };
    let text = lines(700..3000, &changed) + &lines(5000..5040, &|_| String::new());
    ws.write("feed.jsonl", &text);
    let second = assert_success(&ws.index(&["--commit-interval", "0"]));
    assert!(
        counts_line(&second).starts_with("0 added, 1 updated"),
        "{second}"
    );

    let fresh = ws.dir.path().join("fresh");
    let rebuilt = assert_success(&ws.index_into(&fresh, &[]));
    assert!(holds(&rebuilt).contains("2340 articles"), "{rebuilt}");
    // Stories included: an update groups near-copies as a rebuild does.
    assert!(
        holds(&rebuilt).contains("stories with near-copies"),
        "{rebuilt}"
    );
    assert_eq!(holds(&second), holds(&rebuilt));
    for query in [
        "cranes",
        "\"item 5\"",
        "strike",
        "\"story 1499\"",
        "\"story 2519\"",
    ] {
        // Every matching article (the passages shown depend on stories).
        let matching = |index: &Path| {
            let output = Command::cargo_bin("dateline")
                .unwrap()
                .args(["search", "--files", "--index"])
                .arg(index)
                .args(["--", query])
                .output()
                .unwrap();
            String::from_utf8_lossy(&output.stdout).lines().count()
        };
        assert_eq!(matching(&ws.index_dir()), matching(&fresh), "{query}");
    }
    // What was recorded is what the index holds: nothing left to do.
    let third = assert_success(&ws.index(&[]));
    assert!(
        counts_line(&third).starts_with("0 added, 0 updated, 0 removed, 1 unchanged"),
        "{third}"
    );
    assert_eq!(holds(&third), holds(&second));
}

/// A file of more articles than are deleted in one operation: a line put
/// first moves every article, so each is deleted and written again, and
/// then the file goes. Each time the index holds each article once.
fn a_big_file_whose_lines_all_moved_then_went_keeps_each_article_once() {
    let ws = Workspace::new();
    let lines = |range: std::ops::Range<usize>| {
        range
            .map(|n| jsonl_article(n, "") + "\n")
            .collect::<String>()
    };
    ws.write("feed.jsonl", &lines(0..9000));
    assert_success(&ws.index(&[]));
    ws.write("feed.jsonl", &(lines(20_000..20_001) + &lines(0..9000)));
    let moved = assert_success(&ws.index(&[]));
    assert!(
        counts_line(&moved).starts_with("0 added, 1 updated"),
        "{moved}"
    );
    assert!(holds(&moved).contains("9001 articles"), "{moved}");
    let fresh = ws.dir.path().join("fresh");
    let rebuilt = assert_success(&ws.index_into(&fresh, &[]));
    assert_eq!(holds(&moved), holds(&rebuilt));
    let passages = |index: &Path, query: &str| {
        search_json(index, &["-n", "1", query])["total_hits"]
            .as_u64()
            .unwrap()
    };
    for query in ["cranes", "\"item 20000\"", "\"story 4321\""] {
        let fresh_count = passages(&fresh, query);
        assert!(fresh_count > 0, "{query}");
        assert_eq!(passages(&ws.index_dir(), query), fresh_count, "{query}");
    }

    fs::remove_file(ws.articles().join("feed.jsonl")).unwrap();
    ws.write("other.txt", &article("2024-01-01", "apples"));
    let gone = assert_success(&ws.index(&[]));
    assert!(counts_line(&gone).contains("1 removed"), "{gone}");
    assert!(
        holds(&gone).contains("holds 1 article (2 passages)"),
        "{gone}"
    );
    assert_eq!(passages(&ws.index_dir(), "cranes"), 0);
    assert_eq!(passages(&ws.index_dir(), "apples"), 2);
}

fn a_rerun_with_no_changes_reads_nothing_and_commits_nothing() {
    let ws = Workspace::new();
    ws.write("a.txt", &article("2024-01-01", "apples"));
    ws.write("b.txt", &article("2024-01-02", "bananas"));
    assert_success(&ws.index(&[]));
    let meta_before = fs::read(ws.index_dir().join("meta.json")).unwrap();
    let again = assert_success(&ws.index(&[]));
    assert!(
        counts_line(&again)
            .starts_with("0 added, 0 updated, 0 removed, 2 unchanged, 0 left out, 0 skipped")
    );
    assert_eq!(
        fs::read(ws.index_dir().join("meta.json")).unwrap(),
        meta_before
    );

    // A new modification time with the same content is not an update.
    let path = ws.articles().join("a.txt");
    let later = fs::metadata(&path).unwrap().modified().unwrap() + Duration::from_secs(60);
    fs::File::options()
        .write(true)
        .open(&path)
        .unwrap()
        .set_modified(later)
        .unwrap();
    let touched = assert_success(&ws.index(&[]));
    assert!(counts_line(&touched).starts_with("0 added, 0 updated, 0 removed, 2 unchanged"));
}

fn no_prune_keeps_the_articles_of_deleted_files() {
    let ws = Workspace::new();
    ws.write("a.txt", &article("2024-01-01", "apples"));
    ws.write("b.txt", &article("2024-01-02", "bananas"));
    assert_success(&ws.index(&[]));
    fs::remove_file(ws.articles().join("b.txt")).unwrap();
    let kept = assert_success(&ws.index(&["--no-prune"]));
    assert!(counts_line(&kept).contains("0 removed"), "{kept}");
    assert_eq!(ws.search(&ws.index_dir(), "bananas").status.code(), Some(0));
    let pruned = assert_success(&ws.index(&[]));
    assert!(counts_line(&pruned).contains("1 removed"), "{pruned}");
    assert_eq!(ws.search(&ws.index_dir(), "bananas").status.code(), Some(1));
}

fn rebuild_starts_from_scratch_and_replaces_the_index() {
    let ws = Workspace::new();
    ws.write("a.txt", &article("2024-01-01", "apples"));
    assert_success(&ws.index(&[]));
    let rebuilt = assert_success(&ws.index(&["--rebuild"]));
    assert!(rebuilt.contains("rebuilding the index"), "{rebuilt}");
    assert!(counts_line(&rebuilt).starts_with("1 added, 0 updated"));
    assert_eq!(ws.search(&ws.index_dir(), "apples").status.code(), Some(0));
    // A rebuild killed half-way leaves its folder; the next run clears it.
    fs::create_dir(ws.dir.path().join(".index.rebuilding")).unwrap();
    fs::write(ws.dir.path().join(".index.rebuilding/meta.json"), "{}").unwrap();
    assert_success(&ws.index(&[]));
    let leftovers: Vec<_> = fs::read_dir(ws.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with(".index."))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

fn an_index_from_another_schema_version_is_rebuilt_and_search_says_what_to_run() {
    let ws = Workspace::new();
    ws.write("a.txt", &article("2024-01-01", "apples"));
    assert_success(&ws.index(&[]));
    let meta = ws.index_dir().join("dateline.json");
    let old = fs::read_to_string(&meta).unwrap().replace(
        &format!("\"schema_version\": {}", dateline::index::SCHEMA_VERSION),
        "\"schema_version\": 1",
    );
    fs::write(&meta, old).unwrap();

    let search = ws.search(&ws.index_dir(), "apples");
    assert_eq!(search.status.code(), Some(2));
    assert!(
        stderr(&search).contains("run `dateline index"),
        "{}",
        stderr(&search)
    );

    let err = assert_success(&ws.index(&[]));
    assert!(
        err.contains("cannot be updated (it was written with schema 1"),
        "{err}"
    );
    assert!(counts_line(&err).starts_with("1 added"));
    assert_eq!(ws.search(&ws.index_dir(), "apples").status.code(), Some(0));
}

fn damaged_metadata_is_detected_and_rebuilt() {
    let ws = Workspace::new();
    ws.write("a.txt", &article("2024-01-01", "apples"));
    assert_success(&ws.index(&[]));
    // The file records of the last commit are lost.
    for entry in fs::read_dir(ws.index_dir()).unwrap() {
        let path = entry.unwrap().path();
        if path
            .file_name()
            .unwrap()
            .to_string_lossy()
            .starts_with("files-")
        {
            fs::write(&path, "{ not json").unwrap();
        }
    }
    let err = assert_success(&ws.index(&[]));
    assert!(err.contains("is damaged"), "{err}");
    assert_eq!(ws.search(&ws.index_dir(), "apples").status.code(), Some(0));

    // tantivy's own metadata is gone.
    fs::remove_file(ws.index_dir().join("meta.json")).unwrap();
    let err = assert_success(&ws.index(&[]));
    assert!(err.contains("meta.json is missing"), "{err}");
    assert_eq!(ws.search(&ws.index_dir(), "apples").status.code(), Some(0));

    // tantivy's own metadata is garbage.
    fs::write(ws.index_dir().join("meta.json"), "garbage").unwrap();
    let search = ws.search(&ws.index_dir(), "apples");
    assert_eq!(search.status.code(), Some(2));
    assert!(
        stderr(&search).contains("is damaged"),
        "{}",
        stderr(&search)
    );
    let err = assert_success(&ws.index(&[]));
    assert!(err.contains("rebuilding it"), "{err}");
    assert_eq!(ws.search(&ws.index_dir(), "apples").status.code(), Some(0));
}

fn an_index_path_that_is_a_file_is_a_clear_error() {
    let ws = Workspace::new();
    ws.write("a.txt", &article("2024-01-01", "apples"));
    let not_a_folder = ws.dir.path().join("plain-file");
    fs::write(&not_a_folder, "x").unwrap();
    let output = ws.index_into(&not_a_folder.join("index"), &[]);
    assert_eq!(output.status.code(), Some(2));
    let err = stderr(&output);
    assert!(
        err.starts_with("dateline: ") && err.contains("plain-file"),
        "{err}"
    );
}

fn summary_only_when_stderr_is_not_a_terminal() {
    let ws = Workspace::new();
    ws.write("a.txt", &article("2024-01-01", "apples"));
    let err = assert_success(&ws.index(&[]));
    assert!(
        err.lines().all(|line| line.starts_with("dateline: ")),
        "{err}"
    );
    assert_eq!(err.lines().count(), 2, "{err}");
    assert!(
        err.contains("s\n") && err.contains("holds 1 article "),
        "{err}"
    );
}

// ---- Concurrency ----------------------------------------------------------

fn a_second_run_fails_fast_while_another_holds_the_lock() {
    let ws = Workspace::new();
    ws.write("a.txt", &article("2024-01-01", "apples"));
    assert_success(&ws.index(&[]));
    // Another writer holds the index (as a running `dateline index` would).
    let index = tantivy::Index::open_in_dir(ws.index_dir()).unwrap();
    let writer: tantivy::IndexWriter = index.writer(15_000_000).unwrap();

    let started = Instant::now();
    let output = ws.index(&[]);
    assert_eq!(output.status.code(), Some(2));
    let err = stderr(&output);
    assert!(
        err.contains("is locked by another `dateline index` run"),
        "{err}"
    );
    assert!(err.contains(".tantivy-writer.lock"), "{err}");
    assert!(started.elapsed() < Duration::from_secs(10));
    // Searching takes no lock.
    assert_eq!(ws.search(&ws.index_dir(), "apples").status.code(), Some(0));
    drop(writer);
    assert_success(&ws.index(&[]));
}

/// Writes `count` generated reference-format articles.
fn generate_articles(folder: &Path, count: usize) {
    let words = [
        "troops", "iraq", "oil", "market", "price", "bank", "rates", "talks", "minister", "trade",
        "shares", "profit",
    ];
    for i in 0..count {
        let mut body = format!("Story {i} about");
        for j in 0..120 {
            body.push(' ');
            body.push_str(words[(i * 7 + j * 13 + j / 5) % words.len()]);
            if j % 30 == 29 {
                body.push_str(".\n\nThen");
            }
        }
        let date = format!("{}-{:02}-{:02}", 1990 + i % 30, 1 + i % 12, 1 + i % 28);
        fs::write(
            folder.join(format!("{i:05}.txt")),
            format!(" date {date} {body}.\n"),
        )
        .unwrap();
    }
}

fn spawn_index(ws: &Workspace, extra: &[&str]) -> Child {
    StdCommand::new(cargo_bin("dateline"))
        .arg("index")
        .arg(ws.articles())
        .arg("--index")
        .arg(ws.index_dir())
        .arg("--verbose")
        .args(extra)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Waits until a search of the index being built succeeds (its first
/// commit is visible); false if the child ended first.
fn wait_for_first_commit(ws: &Workspace, child: &mut Child) -> bool {
    let deadline = Instant::now() + Duration::from_secs(120);
    while Instant::now() < deadline {
        if child.try_wait().unwrap().is_some() {
            return false;
        }
        if ws.search(&ws.index_dir(), "troops").status.code() == Some(0) {
            return true;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("no commit became visible within two minutes");
}

fn two_concurrent_runs_one_clear_error() {
    let ws = Workspace::new();
    generate_articles(&ws.articles(), 6000);
    let mut first = spawn_index(&ws, &["--commit-every", "500"]);
    assert!(
        wait_for_first_commit(&ws, &mut first),
        "the first run ended before the second started"
    );
    let second = ws.index(&[]);
    let still_running = first.try_wait().unwrap().is_none();
    let first_status = first.wait().unwrap();
    assert!(first_status.success());
    assert!(
        still_running,
        "the first run ended too soon for the test to mean anything"
    );
    assert_eq!(second.status.code(), Some(2));
    assert!(
        stderr(&second).contains("locked by another `dateline index` run"),
        "{}",
        stderr(&second)
    );
    // Nothing was corrupted: the next run finds everything in place.
    let rerun = assert_success(&ws.index(&[]));
    assert!(
        counts_line(&rerun).contains("0 added, 0 updated, 0 removed, 6000 unchanged"),
        "{rerun}"
    );
}

fn kill_dash_nine_keeps_the_last_commit_and_a_rerun_completes_the_job() {
    let ws = Workspace::new();
    generate_articles(&ws.articles(), 12_000);
    // Commits by time, the default rule (at 0 s, between every two chunks).
    let mut child = spawn_index(&ws, &["--commit-interval", "0"]);
    assert!(
        wait_for_first_commit(&ws, &mut child),
        "indexing ended before it could be killed"
    );
    child.kill().unwrap(); // SIGKILL on Unix
    child.wait().unwrap();

    // Search works on the last commit, while a run would still be going.
    assert_eq!(ws.search(&ws.index_dir(), "troops").status.code(), Some(0));
    let rerun = assert_success(&ws.index(&[]));
    let fresh = ws.dir.path().join("fresh");
    let clean = assert_success(&ws.index_into(&fresh, &[]));
    assert_eq!(holds(&rerun), holds(&clean));
    assert!(holds(&clean).contains("12000 articles"), "{clean}");
    for query in ["\"story 11999\"", "\"story 0 about\"", "story"] {
        let a = ws.search(&ws.index_dir(), query);
        let b = ws.search(&fresh, query);
        assert_eq!(hit_set(&a).len(), hit_set(&b).len(), "{query}");
    }
}

#[cfg(unix)]
fn ctrl_c_commits_what_is_done_prints_the_summary_and_exits_130() {
    let ws = Workspace::new();
    generate_articles(&ws.articles(), 12_000);
    let mut child = spawn_index(&ws, &["--commit-every", "500"]);
    assert!(
        wait_for_first_commit(&ws, &mut child),
        "indexing ended before it could be interrupted"
    );
    let status = StdCommand::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let output = child.wait_with_output().unwrap();
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(130), "{err}");
    assert!(
        err.contains("interrupted: what was indexed so far is committed"),
        "{err}"
    );
    let holds_after_interrupt = holds(&err);
    assert!(!holds_after_interrupt.contains("12000 articles"), "{err}");
    // What the summary says was committed is what a search sees.
    let rerun = assert_success(&ws.index(&[]));
    assert!(holds(&rerun).contains("12000 articles"), "{rerun}");
    assert!(
        counts_line(&rerun).contains("0 updated, 0 removed"),
        "{rerun}"
    );
}

// ---- Bad input: each is reported with path and reason; the rest is indexed.

/// Indexes a folder holding one good article and the bad input; returns
/// stderr after checking that the run succeeded and the good article is
/// searchable.
fn index_beside_a_good_article(ws: &Workspace, extra: &[&str]) -> String {
    ws.write("good.txt", &article("2024-01-01", "goodness"));
    let err = assert_success(&ws.index(extra));
    assert_eq!(
        ws.search(&ws.index_dir(), "goodness").status.code(),
        Some(0),
        "{err}"
    );
    err
}

fn assert_skipped(err: &str, path: &Path, reason: &str) {
    let expected = format!("dateline: skipped {}: ", path.display());
    let line = err
        .lines()
        .find(|line| line.starts_with(&expected))
        .unwrap_or_else(|| panic!("{} not reported in:\n{err}", path.display()));
    assert!(line.contains(reason), "{line}");
}

fn an_empty_file_is_counted_not_indexed() {
    let ws = Workspace::new();
    ws.write("empty.txt", "");
    let err = index_beside_a_good_article(&ws, &[]);
    assert!(!err.contains("empty.txt"), "{err}");
    assert!(
        err.contains("left out 1 file that is not an article: 1 empty"),
        "{err}"
    );
}

fn a_binary_file_is_left_out_unless_it_is_named_as_an_article() {
    let ws = Workspace::new();
    let png = [0x89, b'P', b'N', b'G', 0, 0, 0, 13, 0xff, 0xd8];
    fs::write(ws.articles().join("image.png"), png).unwrap();
    fs::write(ws.articles().join("photo"), png).unwrap();
    let named_as_text = ws.articles().join("notes.txt");
    fs::write(&named_as_text, png).unwrap();
    let err = index_beside_a_good_article(&ws, &[]);
    assert!(
        err.contains("left out 2 files that are not articles: 1 binary, 1 png"),
        "{err}"
    );
    assert_skipped(&err, &named_as_text, "binary file (PNG image)");
}

fn a_truncated_file_is_skipped_and_a_cut_character_is_read() {
    let ws = Workspace::new();
    // A multi-article JSON file cut in the middle of its second record.
    let cut_json = ws.write(
        "cut.json",
        "[{\"date\": \"2024-01-01\", \"text\": \"first\"}, {\"date\": \"2024-01-02\", \"te",
    );
    // A text file cut in the middle of a character: the dangling byte is
    // read as Windows-1252 and the file indexed, with a note.
    let mut cut_char = article("2024-01-01", "café").into_bytes();
    cut_char.truncate(cut_char.iter().position(|&b| b == 0xc3).unwrap() + 1);
    let cut_char_path = ws.articles().join("cut-char.txt");
    fs::write(&cut_char_path, cut_char).unwrap();
    let err = index_beside_a_good_article(&ws, &[]);
    assert_skipped(&err, &cut_json, "invalid JSON");
    assert!(
        err.contains(&format!(
            "note {}: not valid UTF-8",
            cut_char_path.display()
        )),
        "{err}"
    );
}

fn a_one_gib_file_is_refused_without_being_read() {
    let ws = Workspace::new();
    let path = ws.articles().join("huge.txt");
    // A text head, then a sparse tail: costs no disk and no time, but the
    // file is 1 GiB long.
    let head = article("2024-01-01", &"a huge dump of text. ".repeat(2048));
    fs::write(&path, head).unwrap();
    fs::OpenOptions::new()
        .write(true)
        .open(&path)
        .unwrap()
        .set_len(1 << 30)
        .unwrap();
    let started = Instant::now();
    let err = index_beside_a_good_article(&ws, &[]);
    assert_skipped(
        &err,
        &path,
        "file is 1024.0 MiB, over --max-file-size (64.0 MiB)",
    );
    assert!(started.elapsed() < Duration::from_secs(30));
}

fn a_100_mb_single_line_is_indexed() {
    let ws = Workspace::new();
    let sentence = "Flood waters rose across the valley today. ";
    let mut line = String::with_capacity(100 * 1024 * 1024 + 64);
    line.push_str(" date 2024-03-01 ");
    while line.len() < 100 * 1024 * 1024 {
        line.push_str(sentence);
    }
    line.push_str("Finally the needle.");
    ws.write("one-line.txt", &line);
    drop(line);
    // Over the 64 MiB default: the limit is raised to index it.
    let err = index_beside_a_good_article(&ws, &["--max-file-size", "128"]);
    assert!(counts_line(&err).starts_with("2 added"), "{err}");
    let hits = hit_set(&ws.search(&ws.index_dir(), "needle"));
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].1, 1, "the whole file is line 1");
}

fn invalid_utf8_is_read_as_windows_1252_with_a_note() {
    let ws = Workspace::new();
    let path = ws.articles().join("latin1.txt");
    fs::write(&path, b" date 2024-01-01 caf\xe9 au lait").unwrap();
    let err = index_beside_a_good_article(&ws, &[]);
    assert!(
        err.contains(&format!(
            "note {}: not valid UTF-8 (first bad byte at offset 20): read as Windows-1252",
            path.display()
        )),
        "{err}"
    );
    let hits = hit_set(&ws.search(&ws.index_dir(), "café"));
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].2, "café au lait");
}

#[cfg(unix)]
fn symlink_loops_neither_hang_nor_panic() {
    let ws = Workspace::new();
    // Inside the folder: links are not followed, so the loop is never entered.
    std::os::unix::fs::symlink("loop-b", ws.articles().join("loop-a")).unwrap();
    std::os::unix::fs::symlink("loop-a", ws.articles().join("loop-b")).unwrap();
    index_beside_a_good_article(&ws, &[]);
    // Named on the command line: followed, and reported.
    let output = Command::cargo_bin("dateline")
        .unwrap()
        .arg("index")
        .arg(ws.articles())
        .arg(ws.articles().join("loop-a"))
        .arg("--index")
        .arg(ws.index_dir())
        .output()
        .unwrap();
    let err = assert_success(&output);
    let reported = err
        .lines()
        .find(|line| {
            line.starts_with(&format!(
                "dateline: skipped {}",
                ws.articles().join("loop-a").display()
            ))
        })
        .unwrap_or_else(|| panic!("loop not reported: {err}"));
    assert!(
        reported.to_lowercase().contains("symbolic links"),
        "{reported}"
    );
}

/// File permissions that stop a read: not so for root (hence the label).
#[cfg(unix)]
fn permissions_that_stop_reads() -> Need {
    use std::os::unix::fs::PermissionsExt;
    let file = tempfile::NamedTempFile::new().unwrap();
    fs::set_permissions(file.path(), fs::Permissions::from_mode(0o000)).unwrap();
    Need::new(
        "needs a non-root user",
        fs::File::open(file.path()).is_err(),
    )
}

#[cfg(unix)]
fn an_unreadable_file_is_skipped() {
    use std::os::unix::fs::PermissionsExt;
    let ws = Workspace::new();
    let path = ws.write("secret.txt", &article("2024-01-01", "secrets"));
    fs::set_permissions(&path, fs::Permissions::from_mode(0o000)).unwrap();
    if fs::File::open(&path).is_ok() {
        eprintln!(
            "skipping an_unreadable_file_is_skipped: running as root, permissions do not stop reads"
        );
        return;
    }
    assert_skipped(&index_beside_a_good_article(&ws, &[]), &path, "cannot read");
}

#[cfg(target_os = "linux")]
fn a_path_with_non_utf8_bytes_is_indexed() {
    use std::os::unix::ffi::OsStrExt;
    let ws = Workspace::new();
    let name = std::ffi::OsStr::from_bytes(b"caf\xe9.txt");
    fs::write(ws.articles().join(name), article("2024-01-01", "espresso")).unwrap();
    let err = index_beside_a_good_article(&ws, &[]);
    assert!(counts_line(&err).starts_with("2 added"), "{err}");
    let hits = hit_set(&ws.search(&ws.index_dir(), "espresso"));
    assert_eq!(hits.len(), 2);
    assert!(hits[0].0.ends_with("caf\u{fffd}.txt"), "{hits:?}");
    // A re-run recognises it by its exact bytes.
    let again = assert_success(&ws.index(&[]));
    assert!(
        counts_line(&again).starts_with("0 added, 0 updated, 0 removed, 2 unchanged"),
        "{again}"
    );
}

/// A `mkfifo` command that makes named pipes.
#[cfg(unix)]
fn fifos() -> Need {
    let dir = tempfile::tempdir().unwrap();
    let made = StdCommand::new("mkfifo")
        .arg(dir.path().join("probe"))
        .status()
        .is_ok_and(|status| status.success());
    Need::new("needs mkfifo", made)
}

#[cfg(unix)]
fn a_fifo_where_a_file_was_expected_is_skipped_not_waited_on() {
    let ws = Workspace::new();
    let path = ws.articles().join("pipe");
    let made = StdCommand::new("mkfifo").arg(&path).status();
    if !made.is_ok_and(|s| s.success()) {
        eprintln!("skipping: mkfifo is not available");
        return;
    }
    // Named directly, the walker hands it over as a file; it must not block.
    let output = Command::cargo_bin("dateline")
        .unwrap()
        .arg("index")
        .arg(&path)
        .arg("--index")
        .arg(ws.index_dir())
        .timeout(Duration::from_secs(30))
        .output()
        .unwrap();
    let err = stderr(&output);
    assert!(!err.contains("panicked"), "{err}");
}

// ---- Identical articles under two paths --------------------------------

fn an_identical_article_under_two_paths_is_indexed_once_and_reported() {
    let ws = Workspace::new();
    ws.write("a.txt", " date 2024-01-01 Wire story about\nzeppelins.\n");
    // Same date and text, wrapped differently.
    ws.write("b.txt", " date 2024-01-01 Wire   story\nabout zeppelins.\n");
    // Same text, another date: a different article.
    ws.write("c.txt", " date 2024-01-02 Wire story about zeppelins.\n");
    let err = assert_success(&ws.index(&[]));
    assert!(
        counts_line(&err)
            .starts_with("3 added, 0 updated, 0 removed, 0 unchanged, 0 left out, 0 skipped;")
            && holds(&err).starts_with("holds 2 articles")
            && holds(&err).contains("; 1 duplicate article indexed once;"),
        "{err}"
    );
    let a = ws.articles().join("a.txt");
    let b = ws.articles().join("b.txt");
    assert!(
        err.contains(&format!(
            "dateline: duplicate {}: the same article",
            b.display()
        )),
        "{err}"
    );
    let hits = hit_set(&ws.search(&ws.index_dir(), "zeppelins"));
    let sources: Vec<_> = hits.iter().map(|h| h.0.as_str()).collect();
    assert_eq!(
        sources,
        [
            a.to_str().unwrap(),
            ws.articles().join("c.txt").to_str().unwrap()
        ]
    );
    // The totals are the index's: a run that finds nothing new still
    // counts the duplicate an earlier run found.
    let err = assert_success(&ws.index(&[]));
    assert!(counts_line(&err).contains("3 unchanged"), "{err}");
    assert!(
        holds(&err).starts_with("holds 2 articles")
            && holds(&err).contains("; 1 duplicate article indexed once;"),
        "{err}"
    );
}

fn when_the_original_goes_its_duplicate_is_indexed() {
    let ws = Workspace::new();
    ws.write("a.txt", " date 2024-01-01 Wire story about zeppelins.\n");
    ws.write("b.txt", " date 2024-01-01 Wire story about zeppelins.\n");
    assert_success(&ws.index(&[]));
    fs::remove_file(ws.articles().join("a.txt")).unwrap();
    let err = assert_success(&ws.index(&[]));
    assert!(
        counts_line(&err).contains("0 added, 0 updated, 1 removed, 1 unchanged"),
        "{err}"
    );
    assert!(holds(&err).contains("holds 1 article "), "{err}");
    assert!(
        holds(&err).contains("; 0 duplicate articles indexed once;"),
        "{err}"
    );
    let hits = hit_set(&ws.search(&ws.index_dir(), "zeppelins"));
    assert_eq!(hits.len(), 1);
    assert!(hits[0].0.ends_with("b.txt"), "{hits:?}");

    // And when the original changes instead, both are indexed.
    ws.write("a.txt", " date 2024-01-01 Wire story about zeppelins.\n");
    assert_success(&ws.index(&[]));
    ws.write("b.txt", " date 2024-01-01 Wire story about airships.\n");
    let err = assert_success(&ws.index(&[]));
    assert!(holds(&err).contains("holds 2 articles"), "{err}");
    let fresh = ws.dir.path().join("fresh");
    let clean = assert_success(&ws.index_into(&fresh, &[]));
    assert_eq!(holds(&err), holds(&clean));
    assert_eq!(hit_set(&ws.search(&ws.index_dir(), "zeppelins")).len(), 1);
    assert_eq!(hit_set(&ws.search(&ws.index_dir(), "airships")).len(), 1);
}

// ---- Syndicated near-copies ----------------------------------------------

const WIRE_STORY: &str = "The central bank raised its key interest rate by half a point on Tuesday, citing persistent inflation in food and energy prices. Analysts had expected a smaller move. The governor said further increases could follow if wage growth did not slow, and markets fell sharply after the announcement.";

fn near_copies_of_a_wire_story_are_grouped_as_one_story() {
    let ws = Workspace::new();
    ws.write("a.txt", &format!(" date 2024-01-01 {WIRE_STORY}\n"));
    ws.write(
        "b.txt",
        &format!(" date 2024-01-02 CENTRAL BANK RAISES RATES\n\n{WIRE_STORY}\n\nReporting by the wire desk.\n"),
    );
    ws.write(
        "c.txt",
        &article(
            "2024-01-03",
            "floods in the lower town after a week of heavy rain",
        ),
    );
    let err = assert_success(&ws.index(&[]));
    assert!(
        holds(&err).ends_with("; 1 story with near-copies (2 articles)"),
        "{err}"
    );

    // The grouping survives incremental runs and matches a rebuild: the
    // copy left of a story whose first article went is a story of its own.
    fs::remove_file(ws.articles().join("a.txt")).unwrap();
    let err = assert_success(&ws.index(&[]));
    assert!(
        holds(&err).ends_with("; 0 stories with near-copies (0 articles)"),
        "{err}"
    );
    assert!(
        err.contains("dateline: near-copies grouped as a rebuild would: 1 article written again (1 file read again)"),
        "{err}"
    );
    ws.write(
        "d.txt",
        &format!(" date 2024-01-05 {WIRE_STORY} A late addition.\n"),
    );
    let err = assert_success(&ws.index(&[]));
    let fresh = ws.dir.path().join("fresh");
    let clean = assert_success(&ws.index_into(&fresh, &[]));
    assert_eq!(holds(&err), holds(&clean));
    assert!(
        holds(&clean).ends_with("; 1 story with near-copies (2 articles)"),
        "{clean}"
    );
}

/// A tiny tmpfs mounted for one test, unmounted when dropped.
struct TinyDisk {
    dir: TempDir,
}

impl TinyDisk {
    /// Mounts a `size` tmpfs, or `None` where this machine does not let the
    /// test mount one.
    fn mount(size: &str) -> Option<TinyDisk> {
        let dir = tempfile::tempdir().unwrap();
        let mounted = StdCommand::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir.path())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|status| status.success());
        if mounted {
            Some(TinyDisk { dir })
        } else {
            None
        }
    }

    /// Remounts the disk read-only; false where this machine does not allow it.
    fn remount_read_only(&self) -> bool {
        StdCommand::new("mount")
            .args(["-o", "remount,ro"])
            .arg(self.dir.path())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|status| status.success())
    }
}

/// Rights to mount a tmpfs (root, outside a locked-down container), and
/// with `read_only` to remount it read-only.
fn tmpfs(read_only: bool) -> Need {
    let works = TinyDisk::mount("1m").is_some_and(|disk| !read_only || disk.remount_read_only());
    let label = if read_only {
        "needs to remount a tmpfs read-only"
    } else {
        "needs to mount a tmpfs"
    };
    Need::new(label, works)
}

/// A tiny disk holding an index with one committed article, and that
/// article's hits; `None` where no tmpfs can be mounted.
type Committed = (TinyDisk, Workspace, PathBuf, Vec<(String, u64, String)>);

fn committed_on_tiny_disk(size: &str) -> Option<Committed> {
    let Some(disk) = TinyDisk::mount(size) else {
        eprintln!("skipped: cannot mount a small tmpfs here (needs root and mount rights)");
        return None;
    };
    let ws = Workspace::new();
    ws.write(
        "first.txt",
        &article("2024-01-01", "apples grow in orchards"),
    );
    let index = disk.dir.path().join("index");
    assert_success(&ws.index_into(&index, &[]));
    let before = hit_set(&ws.search(&index, "apples"));
    assert!(!before.is_empty());
    Some((disk, ws, index, before))
}

impl Drop for TinyDisk {
    fn drop(&mut self) {
        let _ = StdCommand::new("umount").arg(self.dir.path()).status();
    }
}

fn a_full_disk_is_a_clear_error_and_the_last_commit_stays_searchable() {
    let Some((_disk, ws, index, before)) = committed_on_tiny_disk("2m") else {
        return;
    };
    // Far more text than the 2 MiB disk can hold, made of pseudo-random
    // words so that it does not compress away.
    let mut seed: u64 = 42;
    for n in 0..800 {
        let words: Vec<String> = (0..500)
            .map(|_| {
                seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                format!("w{:x}", seed >> 40)
            })
            .collect();
        ws.write(
            &format!("bulk-{n:03}.txt"),
            &article("2024-02-01", &words.join(" ")),
        );
    }
    let full = ws.index_into(&index, &[]);
    assert_eq!(full.status.code(), Some(2), "{}", stderr(&full));
    let err = stderr(&full);
    let last = err.lines().last().unwrap_or_default();
    assert!(last.starts_with("dateline: "), "{err}");
    assert!(
        last.contains("check the free disk space") || last.contains("No space left on device"),
        "{err}"
    );
    // The first commit is intact.
    assert_eq!(hit_set(&ws.search(&index, "apples")), before, "{err}");
}

fn a_read_only_index_folder_is_a_clear_error_and_stays_searchable() {
    let Some((disk, ws, index, before)) = committed_on_tiny_disk("8m") else {
        return;
    };
    if !disk.remount_read_only() {
        eprintln!("skipped: cannot remount the tmpfs read-only here");
        return;
    }
    ws.write("second.txt", &article("2024-01-02", "pears grow too"));
    let refused = ws.index_into(&index, &[]);
    let err = stderr(&refused);
    assert_eq!(refused.status.code(), Some(2), "{err}");
    let last = err.lines().last().unwrap_or_default();
    assert!(last.starts_with("dateline: "), "{err}");
    assert!(
        last.contains("Read-only file system") || last.contains("writable"),
        "{err}"
    );
    assert_eq!(hit_set(&ws.search(&index, "apples")), before, "{err}");
}
