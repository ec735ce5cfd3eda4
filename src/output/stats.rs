//! Printing [`IndexStats`]: figures and a bar chart of articles per year as
//! text, or one JSON object with stable keys.

use std::collections::BTreeMap;
use std::io::{self, Write};

use serde::Serialize;

use crate::index::IndexStats;

/// The widest bar of the per-year chart, in characters.
const BAR_WIDTH: u64 = 40;
/// Undated files listed in the text output before "... and N more".
const UNDATED_SHOWN: usize = 10;

#[derive(Serialize)]
struct JsonStats<'a> {
    articles: u64,
    passages: u64,
    dated: u64,
    undated: u64,
    min_date: Option<String>,
    max_date: Option<String>,
    by_format: &'a BTreeMap<String, u64>,
    by_year: BTreeMap<String, u64>,
    undated_files: &'a [String],
    unread_dates: Vec<JsonUnreadDate<'a>>,
    index_bytes: u64,
    last_indexed: Option<&'a str>,
}

#[derive(Serialize)]
struct JsonUnreadDate<'a> {
    source: &'a str,
    field: &'a str,
    value: &'a str,
    problem: &'a str,
}

/// Writes the figures as one pretty-printed JSON object.
pub fn write_stats_json<W: Write>(out: &mut W, stats: &IndexStats) -> io::Result<()> {
    let object = JsonStats {
        articles: stats.articles,
        passages: stats.passages,
        dated: stats.dated,
        undated: stats.undated,
        min_date: stats.min_date.map(|d| d.to_string()),
        max_date: stats.max_date.map(|d| d.to_string()),
        by_format: &stats.by_format,
        by_year: stats
            .by_year
            .iter()
            .map(|(y, n)| (format!("{y:04}"), *n))
            .collect(),
        undated_files: &stats.undated_files,
        unread_dates: stats
            .unread_dates
            .iter()
            .map(|u| JsonUnreadDate {
                source: &u.source,
                field: &u.field,
                value: &u.value,
                problem: u.problem,
            })
            .collect(),
        index_bytes: stats.index_bytes,
        last_indexed: stats.last_indexed.as_deref(),
    };
    serde_json::to_writer_pretty(&mut *out, &object)?;
    writeln!(out)
}

/// Writes the figures for people, with articles per year as bars.
pub fn write_stats_text<W: Write>(out: &mut W, stats: &IndexStats) -> io::Result<()> {
    writeln!(out, "articles      {}", stats.articles)?;
    writeln!(out, "passages      {}", stats.passages)?;
    writeln!(out, "dated         {}", stats.dated)?;
    writeln!(out, "undated       {}", stats.undated)?;
    let range = match (stats.min_date, stats.max_date) {
        // Days as written: the span at a glance, as the bars count them
        // (the JSON keeps the instants).
        (Some(min), Some(max)) => format!("{} to {}", min.day(), max.day()),
        _ => "none (no dated articles)".to_string(),
    };
    writeln!(out, "date range    {range}")?;
    let formats: Vec<String> = stats
        .by_format
        .iter()
        .map(|(f, n)| format!("{f} {n}"))
        .collect();
    writeln!(out, "by format     {}", formats.join(", "))?;
    writeln!(
        out,
        "index size    {:.1} MiB",
        stats.index_bytes as f64 / 1_048_576.0
    )?;
    if let Some(last) = &stats.last_indexed {
        writeln!(out, "last indexed  {last}")?;
    }
    if !stats.by_year.is_empty() {
        writeln!(out, "\narticles per year")?;
        let most = stats.by_year.values().copied().max().unwrap_or(1).max(1);
        for (year, count) in &stats.by_year {
            let width = (count * BAR_WIDTH).div_ceil(most) as usize;
            writeln!(
                out,
                "{year:04}  {:<bar$}  {count}",
                "█".repeat(width),
                bar = BAR_WIDTH as usize
            )?;
        }
    }
    if !stats.undated_files.is_empty() {
        writeln!(out, "\nundated files ({})", stats.undated_files.len())?;
        for file in stats.undated_files.iter().take(UNDATED_SHOWN) {
            writeln!(out, "  {file}")?;
        }
        if stats.undated_files.len() > UNDATED_SHOWN {
            writeln!(
                out,
                "  ... and {} more (all listed by --format json)",
                stats.undated_files.len() - UNDATED_SHOWN
            )?;
        }
    }
    if !stats.unread_dates.is_empty() {
        writeln!(
            out,
            "\ndates that could not be read ({})",
            stats.unread_dates.len()
        )?;
        for unread in stats.unread_dates.iter().take(UNDATED_SHOWN) {
            writeln!(
                out,
                "  {}: {} \"{}\" ({})",
                unread.source, unread.field, unread.value, unread.problem
            )?;
        }
        if stats.unread_dates.len() > UNDATED_SHOWN {
            writeln!(
                out,
                "  ... and {} more (all listed by --format json)",
                stats.unread_dates.len() - UNDATED_SHOWN
            )?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::date::{ArticleDate, DatePrecision};

    fn stats() -> IndexStats {
        IndexStats {
            articles: 3,
            passages: 7,
            dated: 2,
            undated: 1,
            min_date: Some(ArticleDate::from_stored(
                -14_656_089_600,
                DatePrecision::Second,
            )),
            max_date: Some(ArticleDate::from_stored(541_263_661, DatePrecision::Second)),
            by_format: [("html".to_string(), 1), ("sgml".to_string(), 2)].into(),
            by_year: [(1505, 1), (1987, 2)].into(),
            undated_files: vec!["a.txt".into()],
            unread_dates: vec![crate::index::UnreadDateEntry {
                source: "b.md".into(),
                field: "date".into(),
                value: "2024-13-40".into(),
                problem: "not understood",
            }],
            index_bytes: 2048,
            last_indexed: Some("2026-01-01T00:00:00Z".into()),
        }
    }

    #[test]
    fn json_has_the_documented_keys() {
        let mut out = Vec::new();
        write_stats_json(&mut out, &stats()).unwrap();
        let value: serde_json::Value = serde_json::from_slice(&out).unwrap();
        for key in [
            "articles",
            "passages",
            "dated",
            "undated",
            "min_date",
            "max_date",
            "by_format",
            "by_year",
            "undated_files",
            "unread_dates",
            "index_bytes",
            "last_indexed",
        ] {
            assert!(value.get(key).is_some(), "{key}");
        }
        assert_eq!(value["by_year"]["1987"], 2);
        assert_eq!(value["by_format"]["sgml"], 2);
    }

    #[test]
    fn text_draws_bars_in_proportion() {
        let mut out = Vec::new();
        write_stats_text(&mut out, &stats()).unwrap();
        let text = String::from_utf8(out).unwrap();
        let bar = |year: &str| {
            text.lines()
                .find(|l| l.starts_with(year))
                .unwrap()
                .matches('█')
                .count()
        };
        assert_eq!(bar("1987"), 40);
        assert_eq!(bar("1505"), 20);
        assert!(text.contains("by format     html 1, sgml 2"));
        assert!(text.contains("undated files (1)\n  a.txt"));
        assert!(text.contains(
            "dates that could not be read (1)\n  b.md: date \"2024-13-40\" (not understood)"
        ));
    }
}
