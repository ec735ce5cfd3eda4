//! The timeline as an inline SVG bar chart: one slot per period, empty
//! periods included (a faint tick, so zero never looks like missing data),
//! one bar per query in each slot. Every bar is a link that narrows the
//! dates to its period (drill-down), with its count as a tooltip and an
//! accessible label. The axis labels are HTML below the chart, so they stay
//! readable when the chart is stretched to the width of a phone.

use maud::{Markup, html};

use crate::output::html::{PageState, articles, grouped};
use crate::search::timeline::{Bucket, Timeline};

/// The chart's drawing box (the SVG stretches to the page's width).
const WIDTH: f64 = 1000.0;
const HEIGHT: f64 = 140.0;
/// The most periods drawn; beyond it a coarser period is asked for.
pub const MAX_BARS: usize = 400;

/// The chart of `timeline`, or a notice when it has nothing to draw.
pub fn timeline_chart(timeline: &Timeline, state: &PageState) -> Markup {
    let periods = &timeline.periods;
    let total: u64 = timeline.series.iter().map(|s| s.total()).sum();
    let undated: u64 = timeline.series.iter().map(|s| s.undated).sum();
    let by = bucket_name(timeline.bucket);
    if periods.is_empty() || total == 0 {
        return html! {
            section.timeline aria-label="Timeline" {
                p.muted { "No dated article matches, so there is no timeline."
                    @if undated > 0 { " " (articles(undated)) " match without a date." } }
            }
        };
    }
    if periods.len() > MAX_BARS {
        return html! {
            section.timeline aria-label="Timeline" {
                p.muted { "The timeline would have " (grouped(periods.len() as u64)) " bars by " (by)
                    ": choose a longer period under “Bars by”, or narrow the dates." }
            }
        };
    }
    let max = timeline
        .series
        .iter()
        .flat_map(|s| s.articles.iter().copied())
        .max()
        .unwrap_or(0)
        .max(1);
    let series = timeline.series.len();
    let slot = WIDTH / periods.len() as f64;
    let gap = if slot > 4.0 { slot * 0.15 } else { 0.0 };
    let bar = (slot - gap) / series as f64;
    let last = periods.len() - 1;
    html! {
        section.timeline aria-label="Timeline" {
            div.legend {
                @for (s, one) in timeline.series.iter().enumerate() {
                    span.key { span class={ "swatch s" (s % 5) } {} (one.query) ": " (articles(one.total())) }
                }
                span.muted { "by " (by) "; click a bar to narrow the dates" }
                @if undated > 0 { span.muted { " · " (articles(undated)) " undated, not shown" } }
            }
            div.chart {
                span.ymax aria-hidden="true" { (grouped(max)) }
                svg viewBox={ "0 0 " (WIDTH) " " (HEIGHT) } preserveAspectRatio="none"
                    role="group" aria-label={ "Matching articles by " (by) } {
                    @for (i, period) in periods.iter().enumerate() {
                        @let since = period.since.to_string();
                        @let until = period.until.to_string();
                        @let link = state.link(&[("since", &since), ("until", &until), ("on", ""), ("by", "")]);
                        @let counts: Vec<String> = timeline.series.iter().map(|s| format!("{}: {}", s.query, s.articles[i])).collect();
                        @let label = format!("{}: {}", period.label, counts.join(", "));
                        a href=(link) aria-label={ (label) "; show them" } {
                            rect.slot x=(fmt(i as f64 * slot)) y="0" width=(fmt(slot)) height=(fmt(HEIGHT)) {
                                title { (label) }
                            }
                            @for (s, one) in timeline.series.iter().enumerate() {
                                @let count = one.articles[i];
                                @let x = i as f64 * slot + gap / 2.0 + s as f64 * bar;
                                @if count == 0 {
                                    rect.zero x=(fmt(x)) y=(fmt(HEIGHT - 1.0)) width=(fmt(bar)) height="1" {}
                                } @else {
                                    @let height = (count as f64 / max as f64 * (HEIGHT - 4.0)).max(2.0);
                                    rect class={ "bar s" (s % 5) } x=(fmt(x)) y=(fmt(HEIGHT - height)) width=(fmt(bar)) height=(fmt(height)) {
                                        title { (label) }
                                    }
                                }
                            }
                        }
                    }
                }
                div.axis aria-hidden="true" {
                    span { (periods[0].label) }
                    @if last > 1 { span { (periods[last / 2].label) } }
                    @if last > 0 { span { (periods[last].label) } }
                }
            }
        }
    }
}

fn bucket_name(bucket: Bucket) -> &'static str {
    match bucket {
        Bucket::Day => "day",
        Bucket::Week => "week",
        Bucket::Month => "month",
        Bucket::Year => "year",
    }
}

/// A coordinate with at most two decimals, to keep the page small.
fn fmt(value: f64) -> String {
    let rounded = (value * 100.0).round() / 100.0;
    format!("{rounded}")
}
