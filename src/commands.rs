//! Running a parsed command line: the glue between [`crate::cli`], the
//! library and the printers. stdout gets data, stderr gets talk.

use std::io::{IsTerminal, Write};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::cli::{
    Command, EvalArgs, EvalFormatArg, IndexArgs, SearchArgs, StatsArgs, StatsFormatArg,
    TimelineArgs, TimelineFormatArg, write_completions, write_man_page,
};
use crate::error::Result;
use crate::index::{IndexSummary, OpenIndex, index_stats};
use crate::indexer::index_paths;
use crate::output::{
    ColorChoice, OutputFormat, TextPrinter, TimelineChart, terminal_width, write_json, write_jsonl,
    write_sources, write_stats_json, write_stats_text, write_timeline_csv, write_timeline_json,
};
use crate::progress::{PlainReporter, ProgressBarReporter};
use crate::search::timeline::timeline;
use crate::search::{matching_sources, search};

/// How a successful command ended, for the exit code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Something was found or done (exit 0).
    Success,
    /// The search matched nothing (exit 1, like grep).
    NoMatch,
    /// Indexing was interrupted by Ctrl-C after committing what was done
    /// (exit 130, as for a shell's SIGINT).
    Interrupted,
}

/// Replaces Rust's multi-line panic report with one `dateline:` line that
/// says it is a bug and where it happened. A panic is never expected; this
/// only keeps a bug from dumping debug output on the user.
pub fn report_panics_as_bugs() {
    std::panic::set_hook(Box::new(|info| {
        let payload = info.payload();
        let message = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_default();
        let location = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        eprintln!(
            "dateline: internal error{location}: {}; this is a bug, please report it",
            message.replace('\n', " ")
        );
    }));
}

/// Runs `command`, writing results to `out` and messages to `err`.
pub fn run<O: Write, E: Write>(command: &Command, out: &mut O, err: &mut E) -> Result<Outcome> {
    match command {
        Command::Index(args) => run_index(args, err),
        Command::Search(args) if args.files => run_files(args, out, err),
        Command::Search(args) => run_search(args, out, err),
        Command::Timeline(args) => run_timeline(args, out, err),
        Command::Stats(args) => run_stats(args, out),
        Command::Completions(args) => {
            write_completions(args.shell, out)?;
            out.flush()?;
            Ok(Outcome::Success)
        }
        Command::Man => {
            write_man_page(out)?;
            out.flush()?;
            Ok(Outcome::Success)
        }
        Command::Eval(args) => run_eval(args, out, err),
    }
}

fn run_eval<O: Write, E: Write>(args: &EvalArgs, out: &mut O, err: &mut E) -> Result<Outcome> {
    writeln!(err, "dateline: evaluating on {}", args.collection.display())?;
    let report = crate::eval::run_eval(&args.to_options())?;
    match args.format {
        EvalFormatArg::Json => {
            serde_json::to_writer(&mut *out, &report).map_err(std::io::Error::from)?;
            writeln!(out)?;
        }
        EvalFormatArg::Text => crate::output::write_eval_report(out, &report)?,
    }
    out.flush()?;
    Ok(Outcome::Success)
}

fn run_index<E: Write>(args: &IndexArgs, err: &mut E) -> Result<Outcome> {
    let options = args.to_options()?;
    stop_on_ctrl_c(&options.stop);
    let summary = if !args.quiet && std::io::stderr().is_terminal() {
        index_paths(&options, &mut ProgressBarReporter::new())?
    } else {
        index_paths(&options, &mut PlainReporter::new(err))?
    };
    write_index_summary(err, &summary, &args.index)?;
    if summary.interrupted {
        return Ok(Outcome::Interrupted);
    }
    summary.check_undated()?;
    summary.check_strict(args.strict)?;
    Ok(Outcome::Success)
}

/// The first Ctrl-C asks the job to commit and stop; a second one ends the
/// process at once (the last commit is still intact).
fn stop_on_ctrl_c(stop: &Arc<AtomicBool>) {
    let stop = Arc::clone(stop);
    // Fails only when a handler is already installed (a second job in one
    // process), in which case Ctrl-C keeps its earlier meaning.
    let _ = ctrlc::try_set_handler(move || {
        if stop.swap(true, Ordering::SeqCst) {
            std::process::exit(130);
        }
    });
}

/// How many duplicates are named one by one; a news folder can hold
/// hundreds, and the count says the rest.
const SHOWN_DUPLICATES: usize = 10;

fn write_index_summary<E: Write>(err: &mut E, summary: &IndexSummary, index: &Path) -> Result<()> {
    for skipped in &summary.skipped {
        writeln!(err, "dateline: skipped {skipped}")?;
    }
    for (copy, original) in summary.duplicates.iter().take(SHOWN_DUPLICATES) {
        writeln!(
            err,
            "dateline: duplicate {}: the same article (date and text) as {}, indexed once under that path",
            copy.display(),
            original.display()
        )?;
    }
    if summary.duplicates.len() > SHOWN_DUPLICATES {
        writeln!(
            err,
            "dateline: ... and {} more duplicates",
            summary.duplicates.len() - SHOWN_DUPLICATES
        )?;
    }
    writeln!(
        err,
        "dateline: indexed {} articles ({} passages) from {} files into {}; {} skipped; {:.2}s",
        summary.articles,
        summary.passages,
        summary.files,
        index.display(),
        summary.skipped.len(),
        summary.elapsed.as_secs_f64()
    )?;
    writeln!(
        err,
        "dateline: {} added, {} updated, {} removed, {} unchanged, {} skipped, {} duplicate articles indexed once; the index holds {} articles ({} passages) from {} files; {} stories have near-copies ({} articles)",
        summary.added,
        summary.updated,
        summary.removed,
        summary.unchanged,
        summary.skipped.len(),
        summary.duplicates.len(),
        summary.total_articles,
        summary.total_passages,
        summary.total_files,
        summary.near_copy_stories,
        summary.near_copy_articles
    )?;
    for note in &summary.notes {
        writeln!(err, "dateline: note {note}")?;
    }
    if summary.undated > 0 {
        writeln!(
            err,
            "dateline: {} of {} articles have no recognisable date: indexed undated, so date filters exclude them (`dateline stats` lists their files; see --undated)",
            summary.undated, summary.articles
        )?;
    }
    if summary.undated_dropped > 0 {
        writeln!(
            err,
            "dateline: {} undated articles left out (--undated skip)",
            summary.undated_dropped
        )?;
    }
    if summary.interrupted {
        writeln!(
            err,
            "dateline: interrupted: what was indexed so far is committed; run the same command again to finish"
        )?;
    }
    Ok(())
}

fn run_search<O: Write, E: Write>(args: &SearchArgs, out: &mut O, err: &mut E) -> Result<Outcome> {
    let request = args.to_request()?;
    let index = OpenIndex::open(&args.index)?;
    let results = search(&index, &request)?;
    for ignored in &results.ignored {
        writeln!(err, "dateline: ignored part of the query: {ignored}")?;
    }
    match args.output_format() {
        OutputFormat::Text => {
            TextPrinter::new(args.color_choice().use_color())
                .width(terminal_width())
                .snippet_len(args.snippet_len)
                .write(out, &results)?;
            // Results first, then the talk, even when both go to a terminal.
            out.flush()?;
            if !results.hits.is_empty() {
                writeln!(
                    err,
                    "dateline: {} of {} matching passages",
                    results.hits.len(),
                    results.total_hits
                )?;
            }
        }
        OutputFormat::Json => write_json(out, &results)?,
        OutputFormat::Jsonl => write_jsonl(out, &results)?,
    }
    out.flush()?;
    if results.hits.is_empty() {
        writeln!(err, "dateline: no passages match '{}'", args.query)?;
        return Ok(Outcome::NoMatch);
    }
    Ok(Outcome::Success)
}

fn run_files<O: Write, E: Write>(args: &SearchArgs, out: &mut O, err: &mut E) -> Result<Outcome> {
    let request = args.to_request()?;
    let index = OpenIndex::open(&args.index)?;
    let (sources, ignored) = matching_sources(&index, &request)?;
    for ignored in &ignored {
        writeln!(err, "dateline: ignored part of the query: {ignored}")?;
    }
    write_sources(out, &sources, args.color_choice().use_color())?;
    out.flush()?;
    if sources.is_empty() {
        writeln!(err, "dateline: no articles match '{}'", args.query)?;
        return Ok(Outcome::NoMatch);
    }
    Ok(Outcome::Success)
}

fn run_timeline<O: Write, E: Write>(
    args: &TimelineArgs,
    out: &mut O,
    err: &mut E,
) -> Result<Outcome> {
    let request = args.to_request()?;
    let index = OpenIndex::open(&args.index)?;
    let timeline = timeline(&index, &request)?;
    for series in &timeline.series {
        for ignored in &series.ignored {
            writeln!(
                err,
                "dateline: ignored part of the query '{}': {ignored}",
                series.query
            )?;
        }
    }
    match args.format {
        TimelineFormatArg::Text => {
            let color = ColorChoice::from(args.color).use_color();
            TimelineChart::new(color, terminal_width()).write(out, &timeline)?;
        }
        TimelineFormatArg::Json => write_timeline_json(out, &timeline)?,
        TimelineFormatArg::Csv => write_timeline_csv(out, &timeline)?,
    }
    out.flush()?;
    let by = format!("{:?}", timeline.bucket).to_lowercase();
    let mut found = false;
    for series in &timeline.series {
        let total = series.total();
        found |= total > 0 || series.undated > 0;
        let range = match (timeline.periods.first(), timeline.periods.last()) {
            (Some(first), Some(last)) => format!(" from {} to {}", first.since, last.until),
            _ => String::new(),
        };
        let undated = if series.undated > 0 {
            format!(" ({} undated not shown)", series.undated)
        } else {
            String::new()
        };
        writeln!(
            err,
            "dateline: '{}': {total} articles{range}, by {by}{undated}",
            series.query
        )?;
    }
    Ok(if found {
        Outcome::Success
    } else {
        Outcome::NoMatch
    })
}

fn run_stats<O: Write>(args: &StatsArgs, out: &mut O) -> Result<Outcome> {
    let index = OpenIndex::open(&args.index)?;
    let stats = index_stats(&index)?;
    match args.format {
        StatsFormatArg::Text => write_stats_text(out, &stats)?,
        StatsFormatArg::Json => write_stats_json(out, &stats)?,
    }
    out.flush()?;
    Ok(Outcome::Success)
}
