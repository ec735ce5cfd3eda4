//! The search page and the article view of `dateline serve`, as HTML.
//!
//! Pages are rendered on the server and work without JavaScript: every
//! control is a link or a GET form, so the URL holds the whole state (a page
//! can be shared, and the back button works). Templates are maud's, which
//! escapes every value it is given; nothing from an article or a query is
//! ever written raw, and only `http:`/`https:` URLs become links. The
//! stylesheet and the small script are compiled into the binary and served
//! from it ([`STYLE`], [`SCRIPT`]): no CDN, no network, no inline script
//! (the server's Content-Security-Policy forbids it).

mod article_page;
mod chart;
mod search_page;

use std::io::{self, Write};

use maud::{DOCTYPE, Markup, html};

use crate::output::layout::{cells, trim_around_matches};
use crate::search::article::format_article_id;
use crate::search::to_char_ranges;

pub use article_page::{ArticlePage, write_article_page};
pub use search_page::{SearchPage, write_search_page};

/// The page's stylesheet, served at [`STYLE_PATH`].
pub const STYLE: &str = include_str!("style.css");
/// The page's script (keyboard comfort only), served at [`SCRIPT_PATH`].
pub const SCRIPT: &str = include_str!("app.js");
/// Where the stylesheet is served; the version keeps caches honest.
pub const STYLE_PATH: &str = concat!("/assets/style-", env!("CARGO_PKG_VERSION"), ".css");
/// Where the script is served.
pub const SCRIPT_PATH: &str = concat!("/assets/app-", env!("CARGO_PKG_VERSION"), ".js");

/// How much of a long passage a result shows around its matches, in
/// characters (the article view shows it whole).
const SNIPPET_CHARS: usize = 400;

/// The state of the search form, as typed: what every link of a page is
/// built from, so the URL always holds the whole state.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PageState {
    /// The query.
    pub q: String,
    /// A second query to compare on the timeline.
    pub vs: String,
    /// `since`, as typed (`1987-03`, `30d`, ...).
    pub since: String,
    /// `until`, as typed.
    pub until: String,
    /// `on`, as typed.
    pub on: String,
    /// `relevance`, `newest` or `oldest` (empty: relevance).
    pub sort: String,
    /// The timeline's bars: `day`, `week`, `month`, `year` (empty: auto).
    pub by: String,
    /// The most passages shown per article (empty: 2, as the CLI).
    pub per_article: String,
    /// The format facet narrowing the results.
    pub format: String,
    /// The outlet facet narrowing the results.
    pub outlet: String,
    /// The author facet narrowing the results.
    pub author: String,
    /// The page of results, from 1.
    pub page: usize,
}

/// The parameters of the search page: the fields of [`PageState`], `page`
/// last.
pub const SEARCH_PAGE_PARAMS: &[&str] = &[
    "q",
    "vs",
    "since",
    "until",
    "on",
    "sort",
    "by",
    "per_article",
    "format",
    "outlet",
    "author",
    "page",
];

impl PageState {
    fn value(&self, name: &str) -> &str {
        match name {
            "q" => &self.q,
            "vs" => &self.vs,
            "since" => &self.since,
            "until" => &self.until,
            "on" => &self.on,
            "sort" => &self.sort,
            "by" => &self.by,
            "per_article" => &self.per_article,
            "format" => &self.format,
            "outlet" => &self.outlet,
            "author" => &self.author,
            _ => "",
        }
    }

    /// The search page's URL for this state with `changes` made (an empty
    /// value removes a parameter); the page goes back to the first unless
    /// a change names it.
    pub fn link(&self, changes: &[(&str, &str)]) -> String {
        let mut query = form_urlencoded::Serializer::new(String::new());
        for &name in SEARCH_PAGE_PARAMS.iter().filter(|&&n| n != "page") {
            let value = changes
                .iter()
                .find(|(n, _)| *n == name)
                .map_or(self.value(name), |(_, v)| v);
            if !value.is_empty() {
                query.append_pair(name, value);
            }
        }
        if let Some((_, page)) = changes.iter().find(|(n, _)| *n == "page") {
            if !page.is_empty() && *page != "1" {
                query.append_pair("page", page);
            }
        }
        let query = query.finish();
        if query.is_empty() {
            "/".to_string()
        } else {
            format!("/?{query}")
        }
    }

    /// The article view's URL of `article_id` for this query, scrolled to
    /// passage `passage_no`.
    pub fn article_link(&self, article_id: u64, passage_no: Option<u64>) -> String {
        let mut url = format!("/article/{}", format_article_id(article_id));
        let mut query = form_urlencoded::Serializer::new(String::new());
        for name in [
            "q", "since", "until", "on", "sort", "format", "outlet", "author",
        ] {
            let value = self.value(name);
            if !value.is_empty() {
                query.append_pair(name, value);
            }
        }
        if let Some(passage_no) = passage_no {
            query.append_pair("p", &passage_no.to_string());
        }
        let query = query.finish();
        if !query.is_empty() {
            url.push('?');
            url.push_str(&query);
        }
        if let Some(passage_no) = passage_no {
            url.push_str(&format!("#p{passage_no}"));
        }
        url
    }

    /// Whether an option differs from its default, which opens the
    /// options under the search box.
    fn has_options(&self) -> bool {
        [
            &self.vs,
            &self.since,
            &self.until,
            &self.on,
            &self.by,
            &self.per_article,
        ]
        .iter()
        .any(|v| !v.is_empty())
            || !matches!(self.sort.as_str(), "" | "relevance")
    }
}

/// Writes an error page: the search form and the message.
pub fn write_error_page<W: Write>(
    out: &mut W,
    state: &PageState,
    status: u16,
    message: &str,
) -> io::Result<()> {
    let body = html! {
        main {
            div.error role="alert" {
                strong { "Error " (status) ": " }
                (message)
            }
        }
    };
    write_document(out, &format!("Error {status}"), state, body)
}

/// The whole document around a page's `main`: head, search form, footer.
fn write_document<W: Write>(
    out: &mut W,
    title: &str,
    state: &PageState,
    main: Markup,
) -> io::Result<()> {
    let page = html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="color-scheme" content="light dark";
                meta name="referrer" content="no-referrer";
                title { (title) " — dateline" }
                link rel="stylesheet" href=(STYLE_PATH);
                script src=(SCRIPT_PATH) defer {}
            }
            body {
                a.skip href="#main" { "Skip to results" }
                header.top {
                    a.brand href="/" { "dateline" }
                    (search_form(state))
                }
                div #main { (main) }
                footer {
                    "dateline "
                    (env!("CARGO_PKG_VERSION"))
                    " · JSON: "
                    a href="/api/stats" { "/api/stats" }
                    " · press "
                    kbd { "/" }
                    " to search"
                }
            }
        }
    };
    out.write_all(page.into_string().as_bytes())
}

fn search_form(state: &PageState) -> Markup {
    let sort = if state.sort.is_empty() {
        "relevance"
    } else {
        state.sort.as_str()
    };
    html! {
        form.search action="/" method="get" role="search" {
            div.query {
                label.visually-hidden for="q" { "Query" }
                input #q type="search" name="q" value=(state.q)
                    placeholder="Search the articles" autocomplete="off"
                    aria-describedby="syntax-summary";
                button type="submit" { "Search" }
            }
            @for (name, value) in [("format", &state.format), ("outlet", &state.outlet), ("author", &state.author)] {
                @if !value.is_empty() {
                    input type="hidden" name=(name) value=(value);
                }
            }
            details.options open[state.has_options()] {
                summary { "Dates and options" }
                div.fields {
                    label { "From " input name="since" value=(state.since) placeholder="1987-03, 30d" size="11"; }
                    label { "To " input name="until" value=(state.until) placeholder="1987-04-15" size="11"; }
                    label { "On " input name="on" value=(state.on) placeholder="last-month" size="11"; }
                    label { "Sort "
                        select name="sort" {
                            @for (value, text) in [("relevance", "best match"), ("newest", "newest first"), ("oldest", "oldest first")] {
                                option value=(value) selected[sort == value] { (text) }
                            }
                        }
                    }
                    label { "Bars by "
                        select name="by" {
                            @for (value, text) in [("", "auto"), ("day", "day"), ("week", "week"), ("month", "month"), ("year", "year")] {
                                option value=(value) selected[state.by == value] { (text) }
                            }
                        }
                    }
                    label { "Passages per article "
                        select name="per_article" {
                            @for (value, text) in [("1", "1"), ("", "2"), ("3", "3"), ("5", "5"), ("10", "10")] {
                                option value=(value) selected[state.per_article == value] { (text) }
                            }
                        }
                    }
                    label.vs { "Compare with " input name="vs" value=(state.vs) placeholder="another query" size="18"; }
                }
                p.hint {
                    "Dates are UTC and inclusive: YYYY, YYYY-MM, YYYY-MM-DD, or relative: today, yesterday, 30d, 2w, 6m, 1y, this-week, last-month, last-year."
                }
            }
            details.syntax {
                summary #syntax-summary { "Query syntax" }
                table {
                    tr { td { code { "troops iraq" } } td { "passages with both words first, then either" } }
                    tr { td { code { "\"interest rates\"" } } td { "an exact phrase" } }
                    tr { td { code { "troops -syria" } } td { "leave out a word" } }
                    tr { td { code { "oil OR gas" } } td { "either word" } }
                    tr { td { code { "(oil OR gas) AND opec" } } td { "groups" } }
                    tr { td { code { "title:cocoa" } } td { "a word of the title" } }
                }
                p.hint { "Matching ignores case and accents and finds other forms of a word (troop finds troops)." }
            }
        }
    }
}

/// A passage with its matches (byte ranges, as a [`crate::search::Hit`]
/// carries them) marked, cut to about `max_chars` around them (0: whole).
fn marked_passage(text: &str, highlights: &[std::ops::Range<usize>], max_chars: usize) -> Markup {
    let marks = to_char_ranges(text, highlights);
    let shown = trim_around_matches(&cells(text, &marks), max_chars);
    let mut runs: Vec<(bool, String)> = Vec::new();
    for cell in shown {
        match runs.last_mut() {
            Some((marked, run)) if *marked == cell.marked => run.push(cell.ch),
            _ => runs.push((cell.marked, cell.ch.to_string())),
        }
    }
    html! {
        @for (marked, run) in runs {
            @if marked { mark { (run) } } @else { (run) }
        }
    }
}

/// An article's URL as a link when it is a web address, else as text: a
/// `javascript:` or `data:` URL from an article must never be clickable.
fn external_link(url: &str) -> Markup {
    let lower = url.trim_start().to_ascii_lowercase();
    if lower.starts_with("https://") || lower.starts_with("http://") {
        html! { a href=(url) rel="noopener noreferrer nofollow" { (url) } }
    } else {
        html! { span.url { (url) } }
    }
}

/// A number with thousands separated by thin spaces, as people read them.
fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// "1 article", "2,140 articles".
fn articles(n: u64) -> String {
    format!(
        "{} {}",
        grouped(n),
        if n == 1 { "article" } else { "articles" }
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_keep_the_state_and_reset_the_page() {
        let state = PageState {
            q: "oil & gas".into(),
            since: "1987-03".into(),
            page: 3,
            ..PageState::default()
        };
        assert_eq!(state.link(&[]), "/?q=oil+%26+gas&since=1987-03");
        assert_eq!(
            state.link(&[("since", ""), ("page", "4")]),
            "/?q=oil+%26+gas&page=4"
        );
        assert_eq!(
            state.article_link(255, Some(2)),
            "/article/00000000000000ff?q=oil+%26+gas&since=1987-03&p=2#p2"
        );
        assert_eq!(PageState::default().link(&[]), "/");
    }

    #[test]
    fn passages_are_escaped_and_marked() {
        let text = "<script>alert(1)</script> troops & tanks";
        let start = text.find("troops").unwrap();
        let marks = [std::ops::Range {
            start,
            end: start + 6,
        }];
        let html = marked_passage(text, &marks, 0).into_string();
        assert_eq!(
            html,
            "&lt;script&gt;alert(1)&lt;/script&gt; <mark>troops</mark> &amp; tanks"
        );
    }

    #[test]
    fn only_web_addresses_become_links() {
        assert!(
            external_link("https://example.com/a?b=1&c=2")
                .into_string()
                .starts_with("<a href=\"https://example.com/a?b=1&amp;c=2\"")
        );
        assert_eq!(
            external_link("javascript:alert(1)").into_string(),
            "<span class=\"url\">javascript:alert(1)</span>"
        );
        assert!(
            !external_link(" JavaScript:x")
                .into_string()
                .contains("href")
        );
    }

    #[test]
    fn numbers_are_grouped() {
        assert_eq!(grouped(0), "0");
        assert_eq!(grouped(21577), "21,577");
        assert_eq!(articles(1), "1 article");
        assert_eq!(articles(1234567), "1,234,567 articles");
    }
}
