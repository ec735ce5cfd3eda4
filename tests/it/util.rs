//! What the feature modules share: a `dateline` command, temporary indexes,
//! the optional shared data sets, and the `trials!` macro that registers a
//! module's tests with the harness.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use libtest_mimic::Trial;
use tempfile::TempDir;

/// Lists a module's tests as trials named `module::function`.
///
/// A test is a plain `fn name()` that panics on failure, as under libtest.
/// `#[cfg(...)]` attributes may precede a name, and so may `needs(NEED) =>`,
/// where NEED is a [`Need`] or the path of a shared data set:
///
/// ```ignore
/// trials![a_plain_test, needs("news-folder") => a_test_of_the_news_folder]
/// ```
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
    (
        $trials:ident;
        $(#[$attr:meta])* needs($need:expr) => $test:ident $(, $($rest:tt)*)?
    ) => {
        $(#[$attr])*
        $trials.push($crate::util::trial(
            module_path!(),
            stringify!($test),
            $test,
            Some($crate::util::Need::from($need)),
        ));
        $crate::util::push_trials!($trials; $($($rest)*)?);
    };
    ($trials:ident; $(#[$attr:meta])* $test:ident $(, $($rest:tt)*)?) => {
        $(#[$attr])*
        $trials.push($crate::util::trial(module_path!(), stringify!($test), $test, None));
        $crate::util::push_trials!($trials; $($($rest)*)?);
    };
}

pub(crate) use {push_trials, trials};

/// A trial that runs `test`; a panic fails it with the panic's message.
///
/// When `need` is missing the trial is ignored, with the need shown in
/// brackets before its name; `--include-ignored` runs it anyway.
pub fn trial(module_path: &str, name: &str, test: fn(), need: Option<Need>) -> Trial {
    // `it::index` -> `index`: the binary's name says nothing in its output.
    let module = module_path.split_once("::").map_or(module_path, |(_, m)| m);
    let trial = Trial::test(format!("{module}::{name}"), move || {
        test();
        Ok(())
    });
    match need {
        Some(need) if !need.met => trial.with_kind(need.label).with_ignored_flag(true),
        _ => trial,
    }
}

/// Something a test needs beyond the checkout, checked when the tests are
/// listed, before any runs.
pub struct Need {
    /// What is needed, said in brackets before the test's name when missing.
    label: String,
    met: bool,
}

impl Need {
    /// A need described by `label`, present or not.
    pub fn new(label: impl Into<String>, met: bool) -> Need {
        Need {
            label: label.into(),
            met,
        }
    }

    /// Whether it is there.
    pub fn is_met(&self) -> bool {
        self.met
    }
}

/// The substrings of `passage` that the hit's character offsets select.
pub fn highlighted_words(hit: &serde_json::Value) -> Vec<String> {
    let passage: Vec<char> = hit["passage"].as_str().unwrap().chars().collect();
    hit["highlights"]
        .as_array()
        .unwrap()
        .iter()
        .map(|range| {
            let start = range[0].as_u64().unwrap() as usize;
            let end = range[1].as_u64().unwrap() as usize;
            passage[start..end].iter().collect()
        })
        .collect()
}

/// A shared data set, named by its path in `../shared/data`.
impl From<&str> for Need {
    fn from(relative: &str) -> Need {
        Need::new(
            format!("needs ../shared/data/{relative}"),
            shared_data_path(relative).exists(),
        )
    }
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

/// Runs `cmd` with `--format json` added: its exit code, its stdout parsed
/// (null when it is not JSON) and its stderr.
pub fn json_run(cmd: &mut Command) -> (i32, serde_json::Value, String) {
    let output = cmd.args(["--format", "json"]).output().unwrap();
    let value = serde_json::from_slice(&output.stdout).unwrap_or(serde_json::Value::Null);
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    (output.status.code().unwrap_or(-1), value, stderr)
}

/// Runs a search with `--format json` and returns the parsed output.
pub fn search_json(index: &Path, args: &[&str]) -> serde_json::Value {
    let (code, value, stderr) = json_run(
        dateline()
            .arg("search")
            .args(args)
            .arg("--index")
            .arg(index),
    );
    assert!(code == 0 || code == 1, "search failed: {stderr}");
    assert!(
        !value.is_null(),
        "search --format json prints JSON: {stderr}"
    );
    value
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

/// A file or folder of `../shared/data`. The tests that use one list it with
/// `needs(...)`, so they are ignored where the shared data is absent.
pub fn shared_data(relative: &str) -> PathBuf {
    let path = shared_data_path(relative);
    assert!(
        path.exists(),
        "{} is absent: the shared data sets are not beside this checkout",
        path.display()
    );
    path
}

fn shared_data_path(relative: &str) -> PathBuf {
    project_root().join("../shared/data").join(relative)
}

/// [`folder_with`] for files whose names and contents were built at run time.
pub fn folder_with_owned(files: &[(String, String)]) -> TempDir {
    let borrowed: Vec<(&str, &str)> = files
        .iter()
        .map(|(name, text)| (name.as_str(), text.as_str()))
        .collect();
    folder_with(&borrowed)
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

/// Runs `dateline index --verbose` with `extra` arguments, returning
/// stderr; asserts success.
pub fn index_verbose(paths: &[&Path], index: &Path, extra: &[&str]) -> String {
    let output = dateline()
        .arg("index")
        .args(paths)
        .arg("--index")
        .arg(index)
        .arg("--verbose")
        .args(extra)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(output.status.success(), "index failed: {stderr}");
    stderr
}

/// Indexes `folder` into a new temporary index with `--format json`: the
/// index and the run's summary; asserts success and that nothing panicked.
pub fn index_json(folder: &Path) -> (TempDir, serde_json::Value) {
    let index = TempDir::new().unwrap();
    let (code, summary, stderr) = json_run(
        dateline()
            .arg("index")
            .arg(folder)
            .arg("--index")
            .arg(index.path()),
    );
    assert_eq!(code, 0, "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    (index, summary)
}

/// `dateline stats --format json`'s object; asserts success.
pub fn stats_json(index: &Path) -> serde_json::Value {
    let (code, value, stderr) = json_run(dateline().arg("stats").arg("--index").arg(index));
    assert_eq!(code, 0, "{stderr}");
    value
}
