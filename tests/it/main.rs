//! The integration tests: `dateline` used through its binary, one module per
//! feature, all in one test binary (one link instead of one per file, and one
//! run that spreads every test over the threads).
//!
//! The harness is libtest-mimic: it takes libtest's arguments (filters,
//! `--test-threads`, `--ignored`, `--include-ignored`, `--list`) and prints
//! libtest's report. Each module lists its tests with `util::trials!`.

mod browser;
mod containers;
mod dates;
mod formats;
mod index;
mod indexing;
mod output;
mod readme;
mod real_world;
mod relevance;
mod robustness;
mod search;
mod serve;
mod top_k;
mod util;
mod visible_text;

use std::process::ExitCode;

fn main() -> ExitCode {
    let args = libtest_mimic::Arguments::from_args();
    let mut trials = Vec::new();
    for module_tests in [
        browser::tests,
        containers::tests,
        dates::tests,
        formats::tests,
        index::tests,
        indexing::tests,
        output::tests,
        readme::tests,
        real_world::tests,
        relevance::tests,
        robustness::tests,
        search::tests,
        top_k::tests,
        serve::tests,
        visible_text::tests,
    ] {
        trials.extend(module_tests());
    }
    trials.sort_by(|a, b| a.name().cmp(b.name()));
    libtest_mimic::run(&args, trials).exit_code()
}
