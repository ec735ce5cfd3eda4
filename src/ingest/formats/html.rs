//! HTML articles, parsed with scraper (html5ever), so real-world broken
//! markup reads the way a browser reads it.
//!
//! - Title: `og:title`, else `<title>`, else the first `<h1>`.
//! - Date, first found: JSON-LD `datePublished`; meta tags
//!   (`article:published_time`, `og:published_time`, `date`, `pubdate`,
//!   `DC.date.issued`, `itemprop=datePublished`, ...); the first
//!   `<time datetime>` of the main content.
//! - Body: text blocks of `<article>`, else `<main>`, else `<body>`, leaving
//!   out navigation, headers, footers, asides, scripts and forms.
//!
//! html5ever does not report source positions, so a passage's line is found
//! by looking its first word up in the source after the previous passage's:
//! right for ordinary pages, approximate when markup splits that word.

use scraper::{ElementRef, Html, Node, Selector};
use serde_json::Value;

use crate::ingest::dates::{DateSource, parse_date_text};
use crate::ingest::{Article, Passage, PassageSplitter};

/// Meta tags naming the publication date, by `property`, `name` or `itemprop`.
const DATE_META: &[&str] = &[
    "article:published_time",
    "og:published_time",
    "og:article:published_time",
    "datepublished",
    "date",
    "pubdate",
    "publishdate",
    "publish-date",
    "publication_date",
    "dc.date.issued",
    "dc.date",
    "dcterms.date",
    "dcterms.created",
    "sailthru.date",
    "parsely-pub-date",
];

/// Elements whose text is never article text.
const SKIPPED_ELEMENTS: &[&str] = &[
    "nav", "header", "footer", "aside", "script", "style", "noscript", "form", "button", "svg",
    "template", "iframe", "select", "menu",
];

/// Elements that end a text block.
const BLOCK_ELEMENTS: &[&str] = &[
    "p",
    "div",
    "section",
    "article",
    "main",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "li",
    "ul",
    "ol",
    "blockquote",
    "pre",
    "table",
    "tr",
    "td",
    "th",
    "dd",
    "dt",
    "dl",
    "figcaption",
    "br",
    "hr",
    "body",
];

/// Parses an HTML page into its article.
pub fn parse_html(source: &str) -> Result<Article, String> {
    let document = Html::parse_document(source);
    let json_ld = json_ld_objects(&document);
    let meta = |keys: &[&str]| meta_content(&document, keys);

    let title = meta(&["og:title", "twitter:title"])
        .or_else(|| first_text(&document, "title"))
        .or_else(|| json_ld_string(&json_ld, "headline"))
        .or_else(|| first_text(&document, "h1"));
    let mut article = Article {
        title: title.clone(),
        url: link_href(&document, "canonical").or_else(|| meta(&["og:url"])),
        author: meta(&["author", "article:author", "byl", "dc.creator"])
            .or_else(|| json_ld_name(&json_ld, "author")),
        outlet: meta(&["og:site_name", "application-name"])
            .or_else(|| json_ld_name(&json_ld, "publisher")),
        ..Article::default()
    };

    let root = main_content(&document);
    let candidates = [
        (
            json_ld_string(&json_ld, "datePublished"),
            DateSource::JsonLd,
        ),
        (meta(DATE_META), DateSource::MetaTag),
        (root.and_then(time_datetime), DateSource::TimeElement),
    ];
    if let Some((date, written, source)) = candidates.into_iter().find_map(|(written, source)| {
        written.and_then(|w| parse_date_text(&w).map(|d| (d, w, source)))
    }) {
        article.date = Some(date);
        article.date_text = Some(written);
        article.date_source = Some(source);
    }

    let mut blocks = Vec::new();
    if let Some(root) = root {
        let mut current = String::new();
        collect_blocks(root, &mut current, &mut blocks);
        flush(&mut current, &mut blocks);
    }
    // The headline repeated as the first block is the title, not body text.
    if blocks.first().is_some_and(|b| Some(b) == title.as_ref()) {
        blocks.remove(0);
    }
    article.passages = locate(source, &blocks);
    if article.passages.is_empty() {
        let title = title.ok_or("HTML page has no text and no title")?;
        article.passages.push(Passage {
            text: title,
            line: 1,
        });
    }
    Ok(article)
}

/// The cleaned text of an HTML fragment or page, as passages whose lines
/// count from the start of `source`: how feed items and HTML mail bodies
/// are read, so they are cleaned exactly as pages are.
pub fn html_passages(source: &str) -> Vec<Passage> {
    let document = Html::parse_document(source);
    let mut blocks = Vec::new();
    if let Some(root) = main_content(&document) {
        let mut current = String::new();
        collect_blocks(root, &mut current, &mut blocks);
        flush(&mut current, &mut blocks);
    }
    locate(source, &blocks)
}

fn selector(css: &str) -> Selector {
    Selector::parse(css).expect("selectors in this module are valid CSS")
}

fn main_content(document: &Html) -> Option<ElementRef<'_>> {
    ["article", "main", "[role=main]", "body"]
        .iter()
        .find_map(|css| document.select(&selector(css)).next())
}

fn meta_content(document: &Html, keys: &[&str]) -> Option<String> {
    let metas: Vec<ElementRef> = document.select(&selector("meta")).collect();
    keys.iter().find_map(|key| {
        metas.iter().find_map(|meta| {
            let element = meta.value();
            let named = ["property", "name", "itemprop"].iter().any(|attr| {
                element
                    .attr(attr)
                    .is_some_and(|v| v.eq_ignore_ascii_case(key))
            });
            named
                .then(|| element.attr("content").or_else(|| element.attr("datetime")))
                .flatten()
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_string)
        })
    })
}

fn first_text(document: &Html, css: &str) -> Option<String> {
    document
        .select(&selector(css))
        .map(|e| normalise(&e.text().collect::<String>()))
        .find(|t| !t.is_empty())
}

fn link_href(document: &Html, rel: &str) -> Option<String> {
    document
        .select(&selector("link[rel][href]"))
        .find(|e| {
            e.value()
                .attr("rel")
                .is_some_and(|r| r.eq_ignore_ascii_case(rel))
        })
        .and_then(|e| e.value().attr("href"))
        .map(str::to_string)
}

fn time_datetime(root: ElementRef<'_>) -> Option<String> {
    root.select(&selector("time[datetime]"))
        .find_map(|e| e.value().attr("datetime"))
        .map(str::to_string)
}

fn json_ld_objects(document: &Html) -> Vec<Value> {
    let mut objects = Vec::new();
    for script in document.select(&selector("script[type=\"application/ld+json\"]")) {
        if let Ok(value) = serde_json::from_str::<Value>(&script.text().collect::<String>()) {
            flatten_json_ld(value, &mut objects);
        }
    }
    objects
}

fn flatten_json_ld(value: Value, out: &mut Vec<Value>) {
    match value {
        Value::Array(items) => items.into_iter().for_each(|v| flatten_json_ld(v, out)),
        Value::Object(mut object) => {
            if let Some(graph) = object.remove("@graph") {
                flatten_json_ld(graph, out);
            }
            out.push(Value::Object(object));
        }
        _ => {}
    }
}

fn json_ld_string(objects: &[Value], key: &str) -> Option<String> {
    objects
        .iter()
        .find_map(|o| o.get(key).and_then(Value::as_str))
        .map(str::to_string)
}

/// A person's or organisation's name: a string, `{name}`, or a list.
fn json_ld_name(objects: &[Value], key: &str) -> Option<String> {
    fn name(value: &Value) -> Option<String> {
        match value {
            Value::String(s) => Some(s.clone()),
            Value::Object(o) => o.get("name").and_then(name),
            Value::Array(items) => {
                let names: Vec<String> = items.iter().filter_map(name).collect();
                (!names.is_empty()).then(|| names.join(", "))
            }
            _ => None,
        }
    }
    objects.iter().find_map(|o| o.get(key).and_then(name))
}

fn collect_blocks(element: ElementRef<'_>, current: &mut String, blocks: &mut Vec<String>) {
    for child in element.children() {
        match child.value() {
            Node::Text(text) => current.push_str(text),
            Node::Element(e) => {
                let name = e.name();
                if SKIPPED_ELEMENTS.contains(&name) {
                    continue;
                }
                let Some(child) = ElementRef::wrap(child) else {
                    continue;
                };
                let block = BLOCK_ELEMENTS.contains(&name);
                if block {
                    flush(current, blocks);
                }
                collect_blocks(child, current, blocks);
                if block {
                    flush(current, blocks);
                }
            }
            _ => {}
        }
    }
}

fn flush(current: &mut String, blocks: &mut Vec<String>) {
    let text = normalise(current);
    if !text.is_empty() {
        blocks.push(text);
    }
    current.clear();
}

fn normalise(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Passages of the blocks, each with the line where its first word appears
/// in the source (searching forward from the previous block).
fn locate(source: &str, blocks: &[String]) -> Vec<Passage> {
    let splitter = PassageSplitter::default();
    let mut passages = Vec::new();
    let mut search_from = source.find("<body").unwrap_or(0);
    let mut line = 1 + count_newlines(&source[..search_from]);
    for block in blocks {
        let first_word = block.split_whitespace().next().unwrap_or("");
        if let Some(found) = source[search_from..].find(first_word) {
            line += count_newlines(&source[search_from..search_from + found]);
            search_from += found + first_word.len();
        }
        for mut passage in splitter.split(block, 0) {
            passage.line = line;
            passages.push(passage);
        }
    }
    passages
}

fn count_newlines(text: &str) -> u32 {
    text.bytes().filter(|&b| b == b'\n').count() as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = r#"<!DOCTYPE html>
<html><head>
<title>Rates rise | The Daily</title>
<meta property="og:title" content="Rates rise">
<meta property="og:site_name" content="The Daily">
<meta property="article:published_time" content="2024-01-25T10:00:00+00:00">
<link rel="canonical" href="https://daily.example/rates">
<script type="application/ld+json">{"@context":"https://schema.org","@graph":[{"@type":"NewsArticle","datePublished":"2024-01-24T08:00:00Z","author":{"name":"Ann Lee"}}]}</script>
</head>
<body>
<nav><a href="/">Home</a> <a href="/world">World news</a></nav>
<article>
<h1>Rates rise</h1>
<p>The central bank raised
rates on Thursday.</p>
<p>Markets <b>fell</b> sharply.</p>
</article>
<footer>Copyright</footer>
</body></html>"#;

    #[test]
    fn metadata_and_main_text_without_navigation() {
        let article = parse_html(PAGE).unwrap();
        assert_eq!(article.title.as_deref(), Some("Rates rise"));
        assert_eq!(article.date.unwrap().to_string(), "2024-01-24T08:00:00Z");
        assert_eq!(article.date_source, Some(DateSource::JsonLd));
        assert_eq!(article.url.as_deref(), Some("https://daily.example/rates"));
        assert_eq!(article.author.as_deref(), Some("Ann Lee"));
        assert_eq!(article.outlet.as_deref(), Some("The Daily"));
        let got: Vec<_> = article
            .passages
            .iter()
            .map(|p| (p.text.as_str(), p.line))
            .collect();
        assert_eq!(
            got,
            [
                ("The central bank raised rates on Thursday.", 14),
                ("Markets fell sharply.", 16)
            ]
        );
    }

    proptest::proptest! {
        #[test]
        fn any_page_parses_without_panicking(text in "\\PC{0,200}") {
            let _ = parse_html(&format!("<html><body><article>{text}</article></body></html>"));
        }
    }

    #[test]
    fn meta_tags_then_time_elements_give_the_date() {
        let page = PAGE.replace("\"datePublished\":\"2024-01-24T08:00:00Z\",", "");
        let article = parse_html(&page).unwrap();
        assert_eq!(article.date_source, Some(DateSource::MetaTag));
        assert_eq!(article.date.unwrap().to_string(), "2024-01-25T10:00:00Z");
        let page = "<html><body><article><time datetime=\"1851-09-18\">Sept 18</time><p>Hello.</p></article></body></html>";
        let article = parse_html(page).unwrap();
        assert_eq!(article.date_source, Some(DateSource::TimeElement));
        assert_eq!(article.date.unwrap().to_string(), "1851-09-18");
    }
}
