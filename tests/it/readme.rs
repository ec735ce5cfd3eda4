//! The README's examples run as written: every ```` ```console ```` block
//! of README.md is run by trycmd against the bundled corpus and its output
//! compared (`[..]` stands for what changes from run to run, such as
//! timings). With `TRYCMD=overwrite` the README's outputs are rewritten
//! from the program's, to be reviewed like any change.

use std::fs;
use std::path::Path;

use libtest_mimic::Trial;

use crate::util::{corpus, dateline, project_root, trials};

pub fn tests() -> Vec<Trial> {
    trials![the_readme_examples_print_what_the_readme_shows]
}

/// Copies the folder `from` to `to`, recursively.
fn copy_folder(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_folder(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), target).unwrap();
        }
    }
}

fn the_readme_examples_print_what_the_readme_shows() {
    // trycmd runs a Markdown case in the folder `NAME.in` beside it: there
    // the README finds `corpus/` and the default `index/`, as a user who
    // followed its two commands would.
    let dir = tempfile::tempdir().unwrap();
    let readme = dir.path().join("README.md");
    let workdir = dir.path().join("README.in");
    copy_folder(&corpus(), &workdir.join("corpus"));
    dateline()
        .current_dir(&workdir)
        .args(["index", "--quiet"])
        .assert()
        .success();
    fs::copy(project_root().join("README.md"), &readme).unwrap();
    let cases = trycmd::TestCases::new();
    cases
        .register_bin("dateline", assert_cmd::cargo::cargo_bin("dateline"))
        .env("NO_COLOR", "1")
        .case(&readme);
    let overwrite = std::env::var("TRYCMD").is_ok_and(|mode| mode == "overwrite");
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| cases.run()));
    if overwrite {
        fs::copy(&readme, project_root().join("README.md")).unwrap();
    }
    if let Err(panic) = outcome {
        std::panic::resume_unwind(panic);
    }
}
