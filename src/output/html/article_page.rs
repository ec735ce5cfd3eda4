//! The article view: the whole text, the hit passage marked (the URL's
//! fragment scrolls to it), the metadata, and the articles matching the
//! same query just before, on the same day and just after.

use std::io::{self, Write};

use maud::{Markup, html};

use crate::output::html::{PageState, external_link, marked_passage, write_document};
use crate::search::Hit;
use crate::search::article::{ArticleText, Neighbours};

/// How much of a neighbour's passage is shown.
const NEIGHBOUR_CHARS: usize = 160;

/// What the article view shows.
#[derive(Clone, Copy, Debug)]
pub struct ArticlePage<'a> {
    /// The search the article was opened from.
    pub state: &'a PageState,
    /// The article.
    pub article: &'a ArticleText,
    /// The passage to mark and scroll to.
    pub hit: Option<u64>,
    /// The articles around it in time for the same query.
    pub neighbours: &'a Neighbours,
}

/// Writes the article view.
pub fn write_article_page<W: Write>(out: &mut W, page: &ArticlePage) -> io::Result<()> {
    let article = page.article;
    let state = page.state;
    let heading = article.title.as_deref().unwrap_or(&article.source);
    let meta = &article.meta;
    let main = html! {
        main.article-view {
            nav.back {
                @if state.q.is_empty() { a href="/" { "← search" } }
                @else { a href=(state.link(&[])) { "← results for " q { (state.q) } } }
            }
            article aria-labelledby="article-title" {
                h1 #article-title { (heading) }
                dl.meta {
                    dt { "Date" }
                    dd { @match article.date { Some(date) => { time datetime=(date.to_string()) { (date.to_string()) } } None => { "undated" } } }
                    @if let Some(text) = &meta.date_text { dt { "As written" } dd { (text) } }
                    @if let Some(source) = &meta.date_source { dt { "Date from" } dd { (source) } }
                    dt { "Source" }
                    dd.path { (article.source) @if let Some(line) = meta.record_line { ":" (line) } }
                    @if let Some(url) = &meta.url { dt { "URL" } dd { (external_link(url)) } }
                    @if let Some(author) = &meta.author { dt { "Author" } dd { (author) } }
                    @if let Some(outlet) = &meta.outlet { dt { "Outlet" } dd { (outlet) } }
                    @if let Some(format) = &meta.format { dt { "Format" } dd { (format) } }
                    @if let Some(record) = &meta.record_id { dt { "Record" } dd { (record) } }
                }
                div.text {
                    @for (i, passage) in article.passages.iter().enumerate() {
                        @let is_hit = page.hit == Some(passage.passage_no);
                        @let marks = article.highlights.get(i).map(Vec::as_slice).unwrap_or(&[]);
                        p id={ "p" (passage.passage_no) } .hit[is_hit] data-line=(passage.line)
                            tabindex=[is_hit.then_some("-1")] aria-current=[is_hit.then_some("true")] {
                            (marked_passage(&passage.text, marks, 0))
                        }
                    }
                }
            }
            @if !state.q.is_empty() && article.date.is_some() {
                aside.neighbours aria-label="Around it in time" {
                    h2 { "Around it in time, for " q { (state.q) } }
                    (neighbour_list("Earlier", &page.neighbours.earlier, state))
                    (neighbour_list("Same day", &page.neighbours.same_day, state))
                    (neighbour_list("Later", &page.neighbours.later, state))
                }
            }
        }
    };
    write_document(out, heading, state, main)
}

fn neighbour_list(heading: &str, hits: &[Hit], state: &PageState) -> Markup {
    html! {
        section.neighbour {
            h3 { (heading) }
            @if hits.is_empty() { p.muted { "none" } }
            ul {
                @for hit in hits {
                    li {
                        @if let Some(date) = hit.date { time datetime=(date.to_string()) { (date.to_string()) } " " }
                        a href=(state.article_link(hit.article_id, Some(hit.passage_no))) {
                            (hit.title.as_deref().unwrap_or(&hit.source))
                        }
                        p.passage { (marked_passage(&hit.passage, &hit.highlights, NEIGHBOUR_CHARS)) }
                    }
                }
            }
        }
    }
}
