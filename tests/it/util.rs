//! What the feature modules share: a `dateline` command, temporary indexes,
//! the optional shared data sets, and the `trials!` macro that registers a
//! module's tests with the harness.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use libtest_mimic::Trial;
use tempfile::TempDir;

/// Lists a module's tests as trials named `module::function`.
///
/// A test is a plain `fn name()` that panics on failure, as under libtest;
/// `#[cfg(...)]` attributes may precede a name.
macro_rules! trials {
    ($($list:tt)*) => {{
        // Pushed one by one, so that a `#[cfg]` can leave a test out; in a
        // function of its own, the one place a lint attribute can say so.
        #[allow(clippy::vec_init_then_push, reason = "a `#[cfg]` may leave out any push")]
        fn trials() -> Vec<libtest_mimic::Trial> {
            let mut trials = Vec::new();
            $crate::util::push_trials!(trials; $($list)*);
            trials
        }
        trials()
    }};
}

/// The muncher behind `trials!`, one test at a time.
macro_rules! push_trials {
    ($trials:ident;) => {};
    ($trials:ident; $(#[$attr:meta])* $test:ident $(, $($rest:tt)*)?) => {
        $(#[$attr])*
        $trials.push($crate::util::trial(module_path!(), stringify!($test), $test));
        $crate::util::push_trials!($trials; $($($rest)*)?);
    };
}

pub(crate) use {push_trials, trials};

/// A trial that runs `test`; a panic fails it with the panic's message.
pub fn trial(module_path: &str, name: &str, test: fn()) -> Trial {
    // `it::index` -> `index`: the binary's name says nothing in its output.
    let module = module_path.split_once("::").map_or(module_path, |(_, m)| m);
    Trial::test(format!("{module}::{name}"), move || {
        test();
        Ok(())
    })
}

/// The project's root folder.
pub fn project_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The bundled demo corpus.
pub fn corpus() -> PathBuf {
    project_root().join("corpus")
}

/// A `dateline` command run from the project root with a clean environment.
pub fn dateline() -> Command {
    let mut cmd =
        Command::cargo_bin("dateline").expect("the binary is built for integration tests");
    cmd.current_dir(project_root())
        .env_remove("DATELINE_INDEX")
        .env_remove("NO_COLOR");
    cmd
}

/// Indexes `paths` into a fresh temporary index and returns its folder.
pub fn index_of(paths: &[&Path]) -> TempDir {
    let dir = TempDir::new().unwrap();
    let mut cmd = dateline();
    cmd.arg("index").args(paths).arg("--index").arg(dir.path());
    cmd.assert().success();
    dir
}

/// Runs a search with `--format json` and returns the parsed output.
pub fn search_json(index: &Path, args: &[&str]) -> serde_json::Value {
    let output = dateline()
        .arg("search")
        .args(args)
        .arg("--index")
        .arg(index)
        .args(["--format", "json"])
        .output()
        .unwrap();
    assert!(
        output.status.code() == Some(0) || output.status.code() == Some(1),
        "search failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("search --format json prints JSON")
}

/// The `source` of each hit of a `--format json` search, in order.
pub fn hit_sources(output: &serde_json::Value) -> Vec<&str> {
    output["results"]
        .as_array()
        .expect("a results array")
        .iter()
        .map(|hit| hit["source"].as_str().expect("a source"))
        .collect()
}

/// A folder of `../shared/data`, or `None` (with the reason printed) when the
/// shared data is not beside the project.
pub fn shared_data(relative: &str) -> Option<PathBuf> {
    let path = project_root().join("../shared/data").join(relative);
    if path.exists() {
        Some(path)
    } else {
        eprintln!(
            "skipped: {} is absent (the shared data sets are not beside this checkout)",
            path.display()
        );
        None
    }
}

/// Writes `files` (relative path, contents) into a new temporary folder.
pub fn folder_with(files: &[(&str, &str)]) -> TempDir {
    let dir = TempDir::new().unwrap();
    for (name, contents) in files {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, contents).unwrap();
    }
    dir
}
