//! The search page: quick date ranges, the query's timeline, facets and
//! the ranked passages with "more" pagination; without a query, what the
//! index holds.

use std::io::{self, Write};

use maud::{Markup, html};

use crate::index::IndexStats;
use crate::output::html::chart::timeline_chart;
use crate::output::html::{
    PageState, SNIPPET_CHARS, articles, grouped, marked_passage, write_document,
};
use crate::search::facets::{FacetCount, Facets};
use crate::search::timeline::Timeline;
use crate::search::{Hit, SearchResults};

/// What the search page shows.
#[derive(Clone, Copy, Debug)]
pub struct SearchPage<'a> {
    /// The form's state, from the URL.
    pub state: &'a PageState,
    /// What the index holds (shown without a query, and in quick ranges).
    pub stats: Option<&'a IndexStats>,
    /// The results; `hits` holds this page's passages only.
    pub results: Option<&'a SearchResults>,
    /// Passages per page.
    pub per_page: usize,
    /// Whether a further page may hold more passages.
    pub more: bool,
    /// The query's timeline (with the compared query, if any).
    pub timeline: Option<&'a Timeline>,
    /// The facets of the matching articles.
    pub facets: Option<&'a Facets>,
    /// What went wrong, in words, when the search failed.
    pub error: Option<&'a str>,
}

/// Writes the search page.
pub fn write_search_page<W: Write>(out: &mut W, page: &SearchPage) -> io::Result<()> {
    let title = if page.state.q.is_empty() {
        "Search".to_string()
    } else {
        page.state.q.clone()
    };
    let main = html! {
        main {
            (quick_ranges(page.state, page.stats))
            (filters(page.state))
            @if let Some(error) = page.error {
                div.error role="alert" { (error) }
            }
            @if page.state.q.is_empty() && page.error.is_none() {
                @if let Some(stats) = page.stats { (overview(stats)) }
            }
            @if let Some(timeline) = page.timeline { (timeline_chart(timeline, page.state)) }
            @if let Some(results) = page.results {
                div.columns {
                    @if let Some(facets) = page.facets { (facet_lists(facets, page.state)) }
                    (result_list(results, page))
                }
            }
        }
    };
    write_document(out, &title, page.state, main)
}

/// One-click date ranges: relative ones and each year the index holds.
fn quick_ranges(state: &PageState, stats: Option<&IndexStats>) -> Markup {
    let any = state.since.is_empty() && state.until.is_empty() && state.on.is_empty();
    let relative = [("30d", "past 30 days"), ("1y", "past year")];
    let years: Vec<String> = stats
        .map(|s| s.by_year.keys().map(|y| format!("{y:04}")).collect())
        .unwrap_or_default();
    html! {
        nav.ranges aria-label="Quick date ranges" {
            span.muted { "Dates:" }
            a href=(state.link(&[("since", ""), ("until", ""), ("on", "")])) aria-current=[any.then_some("true")] { "any time" }
            @for (since, text) in relative {
                a href=(state.link(&[("since", since), ("until", ""), ("on", "")]))
                    aria-current=[(state.since == since && state.until.is_empty()).then_some("true")] { (text) }
            }
            @if years.len() <= 30 {
                @for year in &years {
                    a href=(state.link(&[("since", ""), ("until", ""), ("on", year)]))
                        aria-current=[(state.on == *year).then_some("true")] { (year) }
                }
            }
        }
    }
}

/// The facet values narrowing the results, each removable.
fn filters(state: &PageState) -> Markup {
    let active: Vec<(&str, &str, &String)> = [
        ("format", "format", &state.format),
        ("outlet", "outlet", &state.outlet),
        ("author", "author", &state.author),
    ]
    .into_iter()
    .filter(|(_, _, v)| !v.is_empty())
    .collect();
    html! {
        @if !active.is_empty() {
            p.filters {
                "Only "
                @for (name, label, value) in active {
                    span.chip { (label) ": " strong { (value) } " "
                        a href=(state.link(&[(name, "")])) aria-label={ "Remove the " (label) " filter" } { "×" } }
                }
            }
        }
    }
}

fn overview(stats: &IndexStats) -> Markup {
    html! {
        section.overview {
            h1 { "Search " (articles(stats.articles)) }
            p {
                @match (stats.min_date, stats.max_date) {
                    (Some(min), Some(max)) => { "Dated from " (min.day().to_string()) " to " (max.day().to_string()) ". " }
                    _ => { "No article has a date. " }
                }
                @if stats.undated > 0 { (articles(stats.undated)) " without a date. " }
                (grouped(stats.passages)) " passages."
            }
            @if !stats.by_format.is_empty() {
                p.muted { "Formats: "
                    @for (i, (format, n)) in stats.by_format.iter().enumerate() {
                        @if i > 0 { ", " }
                        (format) " " (grouped(*n))
                    }
                }
            }
            p { "Type words to find the passages that mention them, their dates and how often they were mentioned over time." }
        }
    }
}

fn facet_lists(facets: &Facets, state: &PageState) -> Markup {
    let year_links = |count: &FacetCount| {
        let selected = state.on == count.value;
        let link = if selected {
            state.link(&[("on", "")])
        } else {
            state.link(&[("on", &count.value), ("since", ""), ("until", "")])
        };
        (link, selected)
    };
    let value_links = |name: &'static str, current: &str, count: &FacetCount| {
        let selected = current == count.value;
        let link = state.link(&[(name, if selected { "" } else { &count.value })]);
        (link, selected)
    };
    html! {
        aside.facets aria-label="Narrow the results" {
            p.muted { (articles(facets.articles)) " match" @if facets.articles == 1 { "es" } }
            @if !facets.years.is_empty() {
                (facet("Years", &facets.years, |c| year_links(c)))
            }
            @if facets.formats.len() > 1 || !state.format.is_empty() {
                (facet("Formats", &facets.formats, |c| value_links("format", &state.format, c)))
            }
            @if !facets.outlets.is_empty() {
                (facet("Outlets", &facets.outlets, |c| value_links("outlet", &state.outlet, c)))
            }
            @if !facets.authors.is_empty() {
                (facet("Authors", &facets.authors, |c| value_links("author", &state.author, c)))
            }
            @if let (Some(read), false) = (facets.sampled, facets.outlets.is_empty() && facets.authors.is_empty()) {
                p.muted.sampled { "Outlets and authors counted over the first " (grouped(read)) " matching articles." }
            }
        }
    }
}

fn facet(
    heading: &str,
    counts: &[FacetCount],
    link: impl Fn(&FacetCount) -> (String, bool),
) -> Markup {
    html! {
        section.facet {
            h2 { (heading) }
            ul {
                @for count in counts {
                    @let (href, selected) = link(count);
                    li {
                        a href=(href) aria-current=[selected.then_some("true")] {
                            span.value { (count.value) }
                            span.count { (grouped(count.articles)) }
                        }
                    }
                }
            }
        }
    }
}

fn result_list(results: &SearchResults, page: &SearchPage) -> Markup {
    let state = page.state;
    let first = results.hits.first().map_or(1, |h| h.rank);
    let last = results.hits.last().map_or(0, |h| h.rank);
    html! {
        section.results aria-label="Results" {
            @if !results.ignored.is_empty() {
                p.notice { "Ignored part of the query: " (results.ignored.join("; ")) }
            }
            @if results.hits.is_empty() {
                @if page.error.is_none() {
                    p.none { @if state.page > 1 { "No more passages." } @else { "No passage matches." } }
                }
            } @else {
                p.muted.count { "Passages " (first) "–" (last) " of " (grouped(results.total_hits as u64)) " matching" }
                ol.hits start=(first) {
                    @for hit in &results.hits { (result(hit, state)) }
                }
            }
            nav.pages aria-label="More results" {
                @if state.page > 1 {
                    a href=(state.link(&[("page", &(state.page - 1).to_string())])) rel="prev" { "← previous" }
                }
                @if page.more {
                    a.more href=(state.link(&[("page", &(state.page + 1).to_string())])) rel="next" { "more results →" }
                }
            }
        }
    }
}

fn result(hit: &Hit, state: &PageState) -> Markup {
    let date = hit.date.map(|d| d.to_string());
    let heading = hit.title.clone().unwrap_or_else(|| hit.source.clone());
    html! {
        li.hit {
            div.head {
                span.rank { (hit.rank) }
                @if let Some(date) = &date { time datetime=(date) { (date) } } @else { span.undated { "undated" } }
                a.title href=(state.article_link(hit.article_id, Some(hit.passage_no))) { (heading) }
            }
            p.passage { (marked_passage(&hit.passage, if hit.title_only { &[] } else { &hit.highlights }, SNIPPET_CHARS)) }
            p.source {
                (hit.source) ":" (hit.line)
                @if hit.title_only { " · title match" }
                @if let Some(outlet) = &hit.meta.outlet { " · " (outlet) }
                @if let Some(author) = &hit.meta.author { " · " (author) }
            }
            @if !hit.also_in.is_empty() {
                p.also { "also in: " (hit.also_in.join(", "))
                    @if hit.also_in_more > 0 { " (+" (hit.also_in_more) " more)" } }
            }
        }
    }
}
