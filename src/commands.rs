//! Running a parsed command line: the glue between [`crate::cli`], the
//! library and the printers. stdout gets data, stderr gets talk.

use std::io::Write;

use crate::cli::{
    Command, IndexArgs, SearchArgs, StatsArgs, StatsFormatArg, TimelineArgs, TimelineFormatArg,
    write_completions, write_man_page,
};
use crate::error::Result;
use crate::index::{OpenIndex, index_stats};
use crate::indexer::index_paths;
use crate::output::{
    ColorChoice, OutputFormat, TextPrinter, TimelineChart, terminal_width, write_json, write_jsonl,
    write_sources, write_stats_json, write_stats_text, write_timeline_csv, write_timeline_json,
};
use crate::search::timeline::timeline;
use crate::search::{matching_sources, search};

/// How a successful command ended, for the exit code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Something was found or done (exit 0).
    Success,
    /// The search matched nothing (exit 1, like grep).
    NoMatch,
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
