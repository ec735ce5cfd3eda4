//! Printing an evaluation report: aligned lines for people, one JSON object
//! for scripts.

use std::io::{self, Write};

use crate::eval::{EvalReport, QueryIds};

/// Writes `report` as aligned `name value` lines, metrics first.
pub fn write_eval_report<W: Write>(out: &mut W, report: &EvalReport) -> io::Result<()> {
    let r = &report.ranking;
    writeln!(
        out,
        "collection     {} ({} split)",
        report.collection, report.split
    )?;
    writeln!(
        out,
        "corpus         {} documents, {} passages, indexed in {:.2}s",
        report.documents, report.passages, report.index_seconds
    )?;
    let which = match report.query_ids {
        QueryIds::All => "",
        QueryIds::Odd => " (odd ids)",
        QueryIds::Even => " (even ids)",
    };
    let dated = match report.dated_queries {
        0 => String::new(),
        n => format!(", {n} of them dated"),
    };
    writeln!(out, "queries        {}{which}{dated}", report.queries)?;
    writeln!(out, "nDCG@10        {:.4}", report.ndcg_at_10)?;
    writeln!(out, "P@10           {:.4}", report.precision_at_10)?;
    writeln!(out, "MAP@100        {:.4}", report.map_at_100)?;
    writeln!(out, "Recall@100     {:.4}", report.recall_at_100)?;
    writeln!(out, "MRR@10         {:.4}", report.mrr_at_10)?;
    writeln!(
        out,
        "speed          {:.0} queries/s ({:.2}s in all)",
        report.queries_per_second, report.query_seconds
    )?;
    writeln!(
        out,
        "ranking        bm25-k1={} bm25-b={} length-floor={} title-weight={} proximity-weight={} proximity-window={} skip-stop-words={} all-words-first={} pair-windows={} article-idf={} sibling-weight={} article-weight={} article-b={} rm3-docs={} rm3-terms={} rm3-original-weight={}",
        r.k1,
        r.b,
        r.length_floor,
        r.title_weight,
        r.proximity_weight,
        r.proximity_window,
        r.skip_stop_words,
        r.all_words_first,
        r.pair_windows,
        r.article_idf,
        r.sibling_weight,
        r.article_weight,
        r.article_b,
        r.feedback_docs,
        r.feedback_terms,
        r.feedback_original_weight
    )
}

/// Writes `report` as one JSON object on one line.
pub fn write_eval_json<W: Write>(out: &mut W, report: &EvalReport) -> io::Result<()> {
    serde_json::to_writer(&mut *out, report)?;
    writeln!(out)
}
