//! Printing a timeline: a horizontal bar chart for people, JSON and CSV for
//! plotting elsewhere.
//!
//! ```text
//! 1987-02    12 ██▍
//! 1987-03   140 ████████████████████████████
//! 1987-04     0
//! ```
//!
//! Bars are drawn in eighths of a character cell, so small differences stay
//! visible, and any period with a match gets at least a sliver: zero and one
//! never look alike. With `--vs` each period gets one row per query, in one
//! colour per query.

use std::io::{self, Write};

use serde::Serialize;

use crate::output::JsonHit;
use crate::search::timeline::{Bucket, Timeline, TimelineSeries};

const RESET: &str = "\x1b[0m";
const DIM: &str = "\x1b[2m";
const SERIES_COLORS: [&str; 5] = ["\x1b[32m", "\x1b[34m", "\x1b[35m", "\x1b[33m", "\x1b[36m"];
const EIGHTHS: [char; 8] = [' ', '▏', '▎', '▍', '▌', '▋', '▊', '▉'];

/// The longest query name shown in front of a bar, in characters.
const MAX_NAME: usize = 24;

/// Draws a timeline as a bar chart.
#[derive(Clone, Debug)]
pub struct TimelineChart {
    color: bool,
    width: usize,
}

impl TimelineChart {
    /// A chart `width` columns wide (the terminal's, or 80 for a pipe).
    pub fn new(color: bool, width: Option<usize>) -> TimelineChart {
        TimelineChart {
            color,
            width: width.unwrap_or(80),
        }
    }

    /// Writes one row per period (per query with `--vs`), empty periods
    /// included.
    pub fn write<W: Write>(&self, out: &mut W, timeline: &Timeline) -> io::Result<()> {
        let label_width = timeline
            .periods
            .iter()
            .map(|p| p.label.len())
            .max()
            .unwrap_or(4);
        let max = timeline
            .series
            .iter()
            .flat_map(|s| s.articles.iter().copied())
            .max()
            .unwrap_or(0);
        let count_width = max.to_string().len();
        let compare = timeline.series.len() > 1;
        let names: Vec<String> = timeline
            .series
            .iter()
            .map(|s| short_name(&s.query))
            .collect();
        let name_width = if compare {
            names.iter().map(|n| n.chars().count()).max().unwrap_or(0) + 2
        } else {
            0
        };
        let bar_width = self
            .width
            .saturating_sub(label_width + 2 + name_width + count_width + 1 + 1)
            .max(10);
        for (i, period) in timeline.periods.iter().enumerate() {
            for (s, series) in timeline.series.iter().enumerate() {
                let count = series.articles[i];
                let label = if s == 0 { period.label.as_str() } else { "" };
                write!(out, "{label:<label_width$}  ")?;
                if compare {
                    let name = format!("{:<width$}", names[s], width = name_width);
                    write!(
                        out,
                        "{}",
                        self.paint(SERIES_COLORS[s % SERIES_COLORS.len()], &name)
                    )?;
                }
                let number = format!("{count:>count_width$}");
                if count == 0 {
                    writeln!(out, "{}", self.paint(DIM, &number))?;
                } else {
                    let bar = bar(count, max, bar_width);
                    writeln!(
                        out,
                        "{number} {}",
                        self.paint(SERIES_COLORS[s % SERIES_COLORS.len()], &bar)
                    )?;
                }
            }
        }
        Ok(())
    }

    fn paint(&self, style: &str, text: &str) -> String {
        if self.color {
            format!("{style}{text}{RESET}")
        } else {
            text.to_string()
        }
    }
}

/// A bar of `count` against `max` filling at most `width` cells.
fn bar(count: u64, max: u64, width: usize) -> String {
    if count == 0 || max == 0 {
        return String::new();
    }
    let eighths = ((u128::from(count) * width as u128 * 8) / u128::from(max)).max(1) as usize;
    let mut bar = "█".repeat(eighths / 8);
    if eighths % 8 > 0 {
        bar.push(EIGHTHS[eighths % 8]);
    }
    bar
}

fn short_name(query: &str) -> String {
    if query.chars().count() <= MAX_NAME {
        query.to_string()
    } else {
        let mut name: String = query.chars().take(MAX_NAME - 1).collect();
        name.push('…');
        name
    }
}

/// A query quoted for a POSIX shell when it needs to be.
fn shell_quote(text: &str) -> String {
    let plain = !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_alphanumeric() || "-_.,/:@+=".contains(c));
    if plain {
        text.to_string()
    } else {
        format!("'{}'", text.replace('\'', "'\\''"))
    }
}

#[derive(Serialize)]
struct JsonTimeline<'a> {
    by: Bucket,
    queries: Vec<JsonSeries<'a>>,
    buckets: Vec<JsonBucket<'a>>,
}

#[derive(Serialize)]
struct JsonSeries<'a> {
    query: &'a str,
    articles: u64,
    undated: u64,
    ignored: &'a [String],
}

#[derive(Serialize)]
struct JsonBucket<'a> {
    period: &'a str,
    since: String,
    until: String,
    counts: Vec<JsonCount<'a>>,
}

#[derive(Serialize)]
struct JsonCount<'a> {
    query: &'a str,
    articles: u64,
    search: String,
    top: Option<JsonHit<'a>>,
}

/// Writes the timeline as one JSON object: per period its `since`/`until`
/// days, and per query the article count, the `dateline search` command
/// that drills into it, and its best passage (or null).
pub fn write_timeline_json<W: Write>(out: &mut W, timeline: &Timeline) -> io::Result<()> {
    let queries = timeline
        .series
        .iter()
        .map(|s: &TimelineSeries| JsonSeries {
            query: &s.query,
            articles: s.total(),
            undated: s.undated,
            ignored: &s.ignored,
        })
        .collect();
    let buckets = timeline
        .periods
        .iter()
        .enumerate()
        .map(|(i, period)| {
            let since = period.since.to_string();
            let until = period.until.to_string();
            let (drill_since, drill_until) = timeline.drill_bounds(period);
            let counts = timeline
                .series
                .iter()
                .map(|s| JsonCount {
                    query: &s.query,
                    articles: s.articles[i],
                    search: format!(
                        "dateline search {} --since {drill_since} --until {drill_until}",
                        shell_quote(&s.query)
                    ),
                    top: s.top.get(i).and_then(Option::as_ref).map(JsonHit::from),
                })
                .collect();
            JsonBucket {
                period: &period.label,
                since,
                until,
                counts,
            }
        })
        .collect();
    let object = JsonTimeline {
        by: timeline.bucket,
        queries,
        buckets,
    };
    serde_json::to_writer_pretty(&mut *out, &object)?;
    writeln!(out)
}

/// Writes the timeline as CSV: `period,since,until` and one column of
/// article counts per query.
pub fn write_timeline_csv<W: Write>(out: &mut W, timeline: &Timeline) -> io::Result<()> {
    let mut header = vec![
        "period".to_string(),
        "since".to_string(),
        "until".to_string(),
    ];
    header.extend(timeline.series.iter().map(|s| csv_field(&s.query)));
    writeln!(out, "{}", header.join(","))?;
    for (i, period) in timeline.periods.iter().enumerate() {
        write!(
            out,
            "{},{},{}",
            csv_field(&period.label),
            period.since,
            period.until
        )?;
        for series in &timeline.series {
            write!(out, ",{}", series.articles[i])?;
        }
        writeln!(out)?;
    }
    Ok(())
}

/// Quotes a CSV field when it holds a comma, quote or line break (RFC 4180).
fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::timeline::{TimelinePeriod, periods_between};

    fn timeline(counts: &[&[u64]]) -> Timeline {
        let periods: Vec<TimelinePeriod> = periods_between(
            Bucket::Month,
            "1987-02-26".parse().unwrap(),
            "1987-04-10".parse().unwrap(),
        )
        .unwrap();
        Timeline {
            bucket: Bucket::Month,
            series: counts
                .iter()
                .enumerate()
                .map(|(i, c)| TimelineSeries {
                    query: ["oil", "\"cocoa, beans\""][i].to_string(),
                    articles: c.to_vec(),
                    undated: 0,
                    top: Vec::new(),
                    ignored: Vec::new(),
                })
                .collect(),
            periods,
            dates: crate::search::DateFilter::default(),
        }
    }

    fn text(chart: &TimelineChart, timeline: &Timeline) -> String {
        let mut out = Vec::new();
        chart.write(&mut out, timeline).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn bars_scale_to_the_largest_count_and_zero_has_none() {
        let shown = text(
            &TimelineChart::new(false, Some(29)),
            &timeline(&[&[1, 16, 0]]),
        );
        assert_eq!(
            shown,
            "1987-02   1 █\n1987-03  16 ████████████████\n1987-04   0\n"
        );
        assert_eq!(bar(1, 1000, 10), "▏");
        assert_eq!(bar(1, 2, 10), "█████");
        assert_eq!(bar(3, 16, 4), "▊");
    }

    #[test]
    fn compared_queries_get_a_row_each() {
        let shown = text(
            &TimelineChart::new(false, Some(40)),
            &timeline(&[&[1, 2, 0], &[0, 4, 4]]),
        );
        let lines: Vec<&str> = shown.lines().collect();
        assert_eq!(lines.len(), 6);
        assert!(lines[0].starts_with("1987-02  oil"), "{shown}");
        assert!(lines[1].starts_with("         \"cocoa, beans\""), "{shown}");
        let coloured = text(
            &TimelineChart::new(true, Some(40)),
            &timeline(&[&[1, 2, 0], &[0, 4, 4]]),
        );
        assert!(coloured.contains(SERIES_COLORS[1]));
    }

    #[test]
    fn csv_quotes_queries_and_json_drills_down() {
        let mut out = Vec::new();
        write_timeline_csv(&mut out, &timeline(&[&[1, 2, 0], &[0, 4, 4]])).unwrap();
        let csv = String::from_utf8(out).unwrap();
        assert_eq!(
            csv,
            "period,since,until,oil,\"\"\"cocoa, beans\"\"\"\n1987-02,1987-02-26,1987-02-28,1,0\n1987-03,1987-03-01,1987-03-31,2,4\n1987-04,1987-04-01,1987-04-10,0,4\n"
        );
        let mut out = Vec::new();
        write_timeline_json(&mut out, &timeline(&[&[1, 2, 0], &[0, 4, 4]])).unwrap();
        let json: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(json["by"], "month");
        assert_eq!(
            json["buckets"][0]["counts"][1]["search"],
            "dateline search '\"cocoa, beans\"' --since 1987-02-26 --until 1987-02-28"
        );
        assert_eq!(json["buckets"][2]["counts"][0]["articles"], 0);
        assert_eq!(json["queries"][1]["articles"], 8);
    }
}
