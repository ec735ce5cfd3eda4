//! Running a parsed command line: the glue between [`crate::cli`], the
//! library and the printers. stdout gets data, stderr gets talk.

use std::io::Write;

use crate::cli::{Command, EvalArgs, EvalFormatArg, IndexArgs, SearchArgs};
use crate::error::Result;
use crate::index::OpenIndex;
use crate::indexer::index_paths;
use crate::output::{OutputFormat, TextPrinter, write_json, write_jsonl};
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
    if let Some(language) = args.language {
        // Creates the index with this analysis, or checks an existing one has it.
        OpenIndex::open_or_create_in(&args.index, language)?;
    }
    let summary = index_paths(&args.to_options())?;
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
