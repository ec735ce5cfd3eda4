//! Running a parsed command line: library calls, then printers. stdout
//! gets data, stderr gets talk (progress, notices, summaries).

use std::io::{IsTerminal, Write};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use dateline::error::Result;
use dateline::eval::run_eval;
use dateline::index::{OpenIndex, index_stats};
use dateline::indexer::{IndexSummary, index_paths};
use dateline::output::{
    ColorChoice, OutputFormat, ReportFormat, TextPrinter, TimelineChart, TimelineFormat, counted,
    terminal_width, write_eval_json, write_eval_report, write_index_summary_json, write_json,
    write_jsonl, write_sources, write_stats_json, write_stats_text, write_timeline_csv,
    write_timeline_json,
};
use dateline::search::timeline::timeline;
use dateline::search::{SearchResults, matching_sources, search};

use crate::app::cli::{Command, EvalArgs, IndexArgs, SearchArgs, StatsArgs, TimelineArgs};
use crate::app::help::{write_completions, write_man_page};
use crate::app::progress::{PlainReporter, ProgressBarReporter};
use crate::app::serve;

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
        // A panic while reading one file costs that file only: it is
        // reported as skipped, with the reason, by the indexer.
        if dateline::ingest::panic_is_isolated() {
            return;
        }
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
        Command::Index(args) => run_index(args, out, err),
        Command::Search(args) if args.files => run_files(args, out, err),
        Command::Search(args) => run_search(args, out, err),
        Command::Timeline(args) => run_timeline(args, out, err),
        Command::Stats(args) => run_stats(args, out),
        Command::Serve(args) => serve::run_serve(args, err),
        Command::Eval(args) => run_eval_command(args, out, err),
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

fn run_eval_command<O: Write, E: Write>(
    args: &EvalArgs,
    out: &mut O,
    err: &mut E,
) -> Result<Outcome> {
    writeln!(err, "dateline: evaluating on {}", args.collection.display())?;
    let report = run_eval(&args.to_options())?;
    match ReportFormat::from(args.format) {
        ReportFormat::Json => write_eval_json(out, &report)?,
        ReportFormat::Text => write_eval_report(out, &report)?,
    }
    out.flush()?;
    Ok(Outcome::Success)
}

fn run_index<O: Write, E: Write>(args: &IndexArgs, out: &mut O, err: &mut E) -> Result<Outcome> {
    let options = args.to_options()?;
    stop_on_ctrl_c(&options.stop);
    let summary = if !args.quiet && std::io::stderr().is_terminal() {
        index_paths(&options, &mut ProgressBarReporter::new())?
    } else {
        index_paths(&options, &mut PlainReporter::new(err))?
    };
    write_file_reports(err, &summary)?;
    match ReportFormat::from(args.format) {
        ReportFormat::Text => write_index_summary(err, &summary, &args.index, args.verbose)?,
        ReportFormat::Json => {
            write_index_summary_json(out, &summary, &args.index)?;
            out.flush()?;
        }
    }
    if summary.interrupted {
        writeln!(
            err,
            "dateline: interrupted: what was indexed so far is committed; run the same command again to finish"
        )?;
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

/// What happened to single files: skipped ones with the reason, duplicates,
/// notes. Printed whatever the summary's format, since a script reading the
/// JSON summary on stdout still wants them on stderr.
fn write_file_reports<E: Write>(err: &mut E, summary: &IndexSummary) -> Result<()> {
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
    for note in &summary.notes {
        writeln!(err, "dateline: note {note}")?;
    }
    Ok(())
}

/// One line saying what the run did; with `verbose`, a second saying what
/// the index holds; then what the user may want to act on (undated
/// articles).
fn write_index_summary<E: Write>(
    err: &mut E,
    summary: &IndexSummary,
    index: &Path,
    verbose: bool,
) -> Result<()> {
    writeln!(
        err,
        "dateline: {}: {} added, {} updated, {} removed, {} unchanged, {} left out, {} skipped; {} ({}) indexed into {} in {:.2}s",
        counted(summary.files, "file", "files"),
        summary.added,
        summary.updated,
        summary.removed,
        summary.unchanged,
        summary.left_out_files(),
        summary.skipped.len(),
        counted(summary.articles, "article", "articles"),
        counted(summary.passages, "passage", "passages"),
        index.display(),
        summary.elapsed.as_secs_f64()
    )?;
    if summary.articles_kept > 0 {
        writeln!(
            err,
            "dateline: {} of changed files already indexed as they are: kept",
            counted(summary.articles_kept, "article", "articles"),
        )?;
    }
    if let (articles @ 1.., files) = summary.regrouped {
        writeln!(
            err,
            "dateline: near-copies grouped as a rebuild would: {} written again ({} read again)",
            counted(articles, "article", "articles"),
            counted(files, "file", "files"),
        )?;
    }
    let left_out = summary.left_out_files();
    if left_out > 0 {
        writeln!(err, "dateline: {}", left_out_line(summary, left_out))?;
    }
    if verbose {
        writeln!(
            err,
            "dateline: the index at {} holds {} ({}) from {}; {} indexed once; {} with near-copies ({})",
            index.display(),
            counted(summary.total_articles as usize, "article", "articles"),
            counted(summary.total_passages as usize, "passage", "passages"),
            counted(summary.total_files, "file", "files"),
            counted(
                summary.total_duplicates,
                "duplicate article",
                "duplicate articles"
            ),
            counted(summary.near_copy_stories, "story", "stories"),
            counted(summary.near_copy_articles, "article", "articles"),
        )?;
    }
    if summary.undated > 0 {
        writeln!(
            err,
            "dateline: {} of {} {} no recognisable date: indexed undated, so date filters exclude them (`dateline stats` lists their files; see --undated)",
            summary.undated,
            counted(summary.articles, "article", "articles"),
            if summary.undated == 1 { "has" } else { "have" }
        )?;
    }
    if summary.unread_dates > 0 {
        writeln!(
            err,
            "dateline: {} a date that could not be read (named in the notes above; `dateline stats` lists them)",
            if summary.unread_dates == 1 {
                "1 article has".to_string()
            } else {
                format!("{} articles have", summary.unread_dates)
            }
        )?;
    }
    if summary.undated_dropped > 0 {
        writeln!(
            err,
            "dateline: {} left out (--undated skip)",
            counted(
                summary.undated_dropped,
                "undated article",
                "undated articles"
            )
        )?;
    }
    Ok(())
}

/// How many kinds of left-out files are named; the rest are counted.
const SHOWN_KINDS: usize = 8;

/// "left out 814 files that are not articles: 458 svg, 277 png, ...".
fn left_out_line(summary: &IndexSummary, left_out: usize) -> String {
    let kinds = summary.left_out_by_count();
    let mut named: Vec<String> = kinds
        .iter()
        .take(SHOWN_KINDS)
        .map(|(kind, n)| format!("{n} {kind}"))
        .collect();
    if kinds.len() > SHOWN_KINDS {
        let rest: usize = kinds[SHOWN_KINDS..].iter().map(|(_, n)| n).sum();
        named.push(format!(
            "and {rest} more of {} other kinds",
            kinds.len() - SHOWN_KINDS
        ));
    }
    format!(
        "left out {}: {} (--include GLOB or --type TYPE indexes such files)",
        counted(
            left_out,
            "file that is not an article",
            "files that are not articles"
        ),
        named.join(", ")
    )
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
            TextPrinter::new(ColorChoice::from(args.color).use_color())
                .width(terminal_width())
                .snippet_len(args.snippet_len)
                .write(out, &results)?;
            // Results first, then the talk, even when both go to a terminal.
            out.flush()?;
            if !results.hits.is_empty() {
                writeln!(err, "dateline: {}", shown_of_matching(&results, &request))?;
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

/// "2 of 7 matching passages", and why the others are not shown when it
/// is not `-n`: they are further passages of the articles shown, or
/// near-copies named under "also in".
fn shown_of_matching(results: &SearchResults, request: &dateline::search::SearchRequest) -> String {
    let shown = results.hits.len();
    let mut line = format!(
        "{shown} of {} matching {}",
        results.total_hits,
        if results.total_hits == 1 {
            "passage"
        } else {
            "passages"
        }
    );
    let hidden = &results.hidden;
    let others = hidden.same_article + hidden.near_copies;
    if shown < request.limit && others > 0 {
        let further = format!(
            "further passages of the articles shown (at most {} per article: --per-article N shows more)",
            request.per_article
        );
        let copies = "in near-copies named under \"also in\"";
        let verb = |n: usize| if n == 1 { "is" } else { "are" };
        line.push_str(&match (hidden.same_article, hidden.near_copies) {
            (0, n) => format!("; the other {n} {} {copies}", verb(n)),
            (n, 0) => format!("; the other {n} {} {further}", verb(n)),
            (a, b) => format!(
                "; of the other {others}, {a} {} {further} and {b} {} {copies}",
                verb(a),
                verb(b)
            ),
        });
    }
    line
}

fn run_files<O: Write, E: Write>(args: &SearchArgs, out: &mut O, err: &mut E) -> Result<Outcome> {
    let request = args.to_request()?;
    let index = OpenIndex::open(&args.index)?;
    let (sources, ignored) = matching_sources(&index, &request)?;
    for ignored in &ignored {
        writeln!(err, "dateline: ignored part of the query: {ignored}")?;
    }
    write_sources(out, &sources, ColorChoice::from(args.color).use_color())?;
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
    match args.output_format() {
        TimelineFormat::Text => {
            let color = ColorChoice::from(args.color).use_color();
            TimelineChart::new(color, terminal_width()).write(out, &timeline)?;
        }
        TimelineFormat::Json => write_timeline_json(out, &timeline)?,
        TimelineFormat::Csv => write_timeline_csv(out, &timeline)?,
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
            "dateline: '{}': {}{range}, by {by}{undated}",
            series.query,
            counted(total as usize, "article", "articles")
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
    match ReportFormat::from(args.format) {
        ReportFormat::Text => write_stats_text(out, &stats)?,
        ReportFormat::Json => write_stats_json(out, &stats)?,
    }
    out.flush()?;
    Ok(Outcome::Success)
}
