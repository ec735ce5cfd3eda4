//! No input stops a run: a file built to overflow a parser's stack, to
//! take quadratic time or to fill memory costs that file alone, reported
//! with its path and reason; the rest of the folder is indexed and the run
//! exits 0.

use std::io::Write;
use std::path::Path;

use libtest_mimic::Trial;

use crate::util::{dateline, search_json, trials};

/// This module's tests, for the harness.
pub fn tests() -> Vec<Trial> {
    trials![
        two_hundred_thousand_nested_divs_cost_one_file,
        a_hundred_thousand_nested_json_arrays_cost_one_file,
        deep_front_matter_costs_one_file,
        a_gigabyte_line_costs_one_file,
        a_gigabyte_text_file_costs_one_file,
    ]
}

/// Indexes a folder holding `bad` (written by `write`) and a good article:
/// the bad file is skipped with a reason that contains `reason`, the good
/// one is found, and the run succeeds.
fn costs_one_file(name: &str, write: impl FnOnce(&Path), reason: &str) {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("articles");
    std::fs::create_dir(&folder).unwrap();
    std::fs::write(
        folder.join("good.md"),
        "---\ntitle: Good\ndate: 2024-01-01\n---\nThe zeppelin landed safely.\n",
    )
    .unwrap();
    let bad = folder.join(name);
    write(&bad);
    let index = dir.path().join("index");
    let output = dateline()
        .arg("index")
        .arg(&folder)
        .arg("--index")
        .arg(&index)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    let line = stderr
        .lines()
        .find(|l| l.starts_with(&format!("dateline: skipped {}: ", bad.display())))
        .unwrap_or_else(|| panic!("{name} not reported:\n{stderr}"));
    assert!(line.contains(reason), "{line}");
    assert!(stderr.contains(", 1 skipped; 1 article ("), "{stderr}");
    let hits = search_json(&index, &["zeppelin"]);
    assert_eq!(hits["total_hits"], 1, "{hits}");
}

fn two_hundred_thousand_nested_divs_cost_one_file() {
    costs_one_file(
        "deep.html",
        |path| {
            let page = format!(
                "<html><body>{}deep{}</body></html>",
                "<div>".repeat(200_000),
                "</div>".repeat(200_000)
            );
            std::fs::write(path, page).unwrap();
        },
        "HTML nested more than 1000 elements deep",
    );
}

fn a_hundred_thousand_nested_json_arrays_cost_one_file() {
    costs_one_file(
        "deep.json",
        |path| {
            let json = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
            std::fs::write(path, json).unwrap();
        },
        "recursion limit exceeded",
    );
}

fn deep_front_matter_costs_one_file() {
    costs_one_file(
        "deep.md",
        |path| {
            let yaml: String = (0..5_000)
                .map(|i| format!("{}- \n", "  ".repeat(i)))
                .collect();
            std::fs::write(path, format!("---\nk:\n{yaml}---\nbody\n")).unwrap();
        },
        "nested more than 32 levels deep",
    );
}

/// A gigabyte on one line, as a record stream: gzip makes it a megabyte
/// on disk, and it is refused after `--max-file-size` bytes, not held in
/// memory whole.
fn a_gigabyte_line_costs_one_file() {
    costs_one_file(
        "huge.jsonl.gz",
        |path| {
            let file = std::fs::File::create(path).unwrap();
            let mut gz = flate2::write::GzEncoder::new(file, flate2::Compression::fast());
            gz.write_all(b"{\"text\": \"").unwrap();
            let chunk = vec![b'a'; 1 << 20];
            for _ in 0..1024 {
                gz.write_all(&chunk).unwrap();
            }
            gz.write_all(b"\"}\n").unwrap();
            gz.finish().unwrap();
        },
        "longer than 64.0 MiB",
    );
}

/// A gigabyte of text in one file (sparse: the disk holds its first
/// bytes): refused by its size before it is read.
fn a_gigabyte_text_file_costs_one_file() {
    costs_one_file(
        "huge.txt",
        |path| {
            let mut file = std::fs::File::create(path).unwrap();
            file.write_all(&[b'a'; 32 * 1024]).unwrap();
            file.set_len(1 << 30).unwrap();
        },
        "file is 1024.0 MiB, over --max-file-size",
    );
}
