//! Showing an indexing job's progress: a bar on a terminal, plain messages
//! otherwise.
//!
//! The bar (files done/total, articles per second, ETA) is drawn only when
//! stderr is a terminal and `--quiet` is not given, so logs and pipes get
//! nothing but the notices and the summary.

use std::io::Write;
use std::time::Instant;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use dateline::indexer::IndexProgress;

/// A progress bar on stderr.
pub struct ProgressBarReporter {
    bar: ProgressBar,
    started: Instant,
    articles: u64,
}

impl ProgressBarReporter {
    /// A bar drawn on stderr.
    pub fn new() -> ProgressBarReporter {
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
        let style = ProgressStyle::with_template("{bar:30} {pos}/{len} files, {msg}, ETA {eta}")
            .expect("the template is valid")
            .progress_chars("=> ");
        bar.set_style(style);
        ProgressBarReporter {
            bar,
            started: Instant::now(),
            articles: 0,
        }
    }
}

impl Default for ProgressBarReporter {
    fn default() -> Self {
        ProgressBarReporter::new()
    }
}

impl IndexProgress for ProgressBarReporter {
    fn notice(&mut self, message: &str) {
        self.bar.suspend(|| eprintln!("dateline: {message}"));
    }

    fn start(&mut self, files: u64) {
        self.started = Instant::now();
        self.bar.set_length(files);
        self.bar.set_message("0 articles/s");
    }

    fn advance(&mut self, files: u64, articles: u64) {
        self.articles += articles;
        let seconds = self.started.elapsed().as_secs_f64().max(0.001);
        self.bar
            .set_message(format!("{:.0} articles/s", self.articles as f64 / seconds));
        self.bar.inc(files);
    }

    fn finish(&mut self) {
        self.bar.finish_and_clear();
    }
}

/// Notices as lines on a writer (stderr when it is not a terminal), and no
/// bar.
pub struct PlainReporter<'a, W: Write> {
    out: &'a mut W,
}

impl<'a, W: Write> PlainReporter<'a, W> {
    /// Notices go to `out`.
    pub fn new(out: &'a mut W) -> PlainReporter<'a, W> {
        PlainReporter { out }
    }
}

impl<W: Write> IndexProgress for PlainReporter<'_, W> {
    fn notice(&mut self, message: &str) {
        // A notice that cannot be written must not stop the indexing.
        let _ = writeln!(self.out, "dateline: {message}");
    }
    fn start(&mut self, _files: u64) {}
    fn advance(&mut self, _files: u64, _articles: u64) {}
    fn finish(&mut self) {}
}
