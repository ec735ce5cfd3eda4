//! Running a parsed command line: the glue between [`crate::cli`], the
//! library and the printers. stdout gets data, stderr gets talk.

use std::io::Write;

use crate::cli::{Command, IndexArgs, SearchArgs, StatsArgs, StatsFormatArg};
use crate::error::Result;
use crate::index::{OpenIndex, index_stats};
use crate::indexer::index_paths;
use crate::output::{
    OutputFormat, TextPrinter, write_json, write_jsonl, write_stats_json, write_stats_text,
};
use crate::search::search;

/// How a successful command ended, for the exit code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Something was found or done (exit 0).
    Success,
    /// The search matched nothing (exit 1, like grep).
    NoMatch,
}

/// Runs `command`, writing results to `out` and messages to `err`.
pub fn run<O: Write, E: Write>(command: &Command, out: &mut O, err: &mut E) -> Result<Outcome> {
    match command {
        Command::Index(args) => run_index(args, err),
        Command::Search(args) => run_search(args, out, err),
        Command::Stats(args) => run_stats(args, out),
    }
}

fn run_index<E: Write>(args: &IndexArgs, err: &mut E) -> Result<Outcome> {
    let summary = index_paths(&args.to_options()?)?;
    for note in &summary.notes {
        writeln!(err, "dateline: note {note}")?;
    }
    for skipped in &summary.skipped {
        writeln!(err, "dateline: skipped {skipped}")?;
    }
    writeln!(
        err,
        "dateline: indexed {} articles ({} passages) from {} files into {}; {} skipped; {:.2}s",
        summary.articles,
        summary.passages,
        summary.files,
        args.index.display(),
        summary.skipped.len(),
        summary.elapsed.as_secs_f64()
    )?;
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
    summary.check_undated()?;
    summary.check_strict(args.strict)?;
    Ok(Outcome::Success)
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
            TextPrinter::new(args.color_choice().use_color()).write(out, &results)?;
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
