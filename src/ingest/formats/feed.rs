//! RSS (0.9x, 1.0/RDF, 2.0) and Atom feeds, parsed with feed-rs: one
//! article per item or entry.
//!
//! - Title, link (the article's URL), authors; the feed's title is the
//!   outlet.
//! - The date is the item's own, read as written: Atom `<published>`, RSS
//!   `<pubDate>`, `<dc:date>`, else Atom `<updated>`; `date_source` says
//!   which.
//! - The body is the full content (`content:encoded`, Atom `<content>`,
//!   xhtml included) else the summary (`<description>`, `<summary>`),
//!   HTML cleaned as pages are.
//! - The item's id (`<guid>`, Atom `<id>`), else its link, is its
//!   identity: saved again later in another file, it is the same article.
//!   An id that is not a URI or URN (`<guid>123</guid>`) is only unique
//!   within its feed, so it is qualified by the feed's link.
//!
//! feed-rs does not report positions, so each item is found in the text
//! (its `<item>`/`<entry>` element, in order) for its line and its dates as
//! written. When the whole feed does not parse, each item is parsed on its
//! own: a broken item is skipped and counted, the rest indexed.

use feed_rs::model::{Entry, Feed};
use feed_rs::parser::{Builder, Parser};

use crate::date::{ArticleDate, DatePrecision};
use crate::ingest::dates::{DateSource, parse_date_text};
use crate::ingest::formats::html::html_passages;
use crate::ingest::isolate::isolated;
use crate::ingest::{Article, Passage, PassageSplitter};

/// Parses a feed into its items' articles; notes say how many items were
/// skipped and why.
pub fn parse_feed(text: &str, notes: &mut Vec<String>) -> Result<Vec<Article>, String> {
    let items = item_spans(text);
    // A panic in feed-rs is read as the feed not being well-formed.
    let parsed = isolated(|| {
        feed_parser()
            .parse(text.as_bytes())
            .map_err(|e| e.to_string())
    })
    .unwrap_or_else(|panic| Err(format!("the feed parser failed: {panic}")));
    match parsed {
        Ok(feed) => {
            // Items found in the text line up with the parsed ones when
            // there are as many; otherwise positions are not trusted.
            let spans = (items.len() == feed.entries.len()).then_some(&items);
            let channel = Channel::of(&feed);
            let mut articles = Vec::new();
            let mut empty = 0;
            for (at, entry) in feed.entries.iter().enumerate() {
                let span = spans.map(|s| s[at]);
                match entry_article(text, entry, span, &channel) {
                    Some(article) => articles.push(article),
                    None => empty += 1,
                }
            }
            if empty > 0 {
                notes.push(format!("{empty} item(s) without text or title skipped"));
            }
            Ok(articles)
        }
        Err(error) if items.is_empty() => Err(format!("not a readable feed: {error}")),
        Err(error) => Ok(parse_items_one_by_one(text, &items, &error, notes)),
    }
}

fn feed_parser() -> Parser {
    // Items without an id are known by their first link; without either
    // they have no identity (feed-rs would make a random one).
    Builder::new()
        .id_generator(|links, _title, _uri| {
            links
                .first()
                .map(|link| link.href.clone())
                .unwrap_or_default()
        })
        .build()
}

/// What an item takes from its feed.
struct Channel {
    title: Option<String>,
    link: Option<String>,
}

impl Channel {
    fn of(feed: &Feed) -> Channel {
        Channel {
            title: feed
                .title
                .as_ref()
                .map(|t| plain(&t.content))
                .filter(|t| !t.is_empty()),
            link: feed
                .links
                .first()
                .map(|l| l.href.clone())
                .or_else(|| (!feed.id.is_empty()).then(|| feed.id.clone())),
        }
    }
}

/// When the feed as a whole is not well-formed: each item wrapped in the
/// feed's own root element (so its namespaces are declared) and parsed
/// alone.
fn parse_items_one_by_one(
    text: &str,
    items: &[(usize, usize)],
    error: &str,
    notes: &mut Vec<String>,
) -> Vec<Article> {
    let root = root_tag(text).unwrap_or(("<rss>", "rss"));
    let channel = Channel {
        title: element_text(&text[..items[0].0], "title").map(|t| plain(&t)),
        link: None,
    };
    let mut articles = Vec::new();
    let mut bad = 0;
    for &(start, end) in items {
        let item = &text[start..end];
        let wrapped = if root.1 == "rss" {
            format!("{}<channel>{item}</channel></rss>", root.0)
        } else {
            format!("{}{item}</{}>", root.0, root.1)
        };
        // A parser is not reused after an error: feed-rs keeps an item's
        // state in it, and asserts on it at the next item.
        match isolated(|| feed_parser().parse(wrapped.as_bytes())) {
            Ok(Ok(feed)) if feed.entries.len() == 1 => {
                match entry_article(text, &feed.entries[0], Some((start, end)), &channel) {
                    Some(article) => articles.push(article),
                    None => bad += 1,
                }
            }
            _ => bad += 1,
        }
    }
    notes.push(format!(
        "feed is not well-formed ({error}): items read one by one, {bad} unreadable item(s) skipped"
    ));
    articles
}

/// The root element's start tag and name (`<rss version="2.0" …>`, `rss`).
fn root_tag(text: &str) -> Option<(&str, &str)> {
    ["<rss", "<feed", "<rdf:RDF"].iter().find_map(|open| {
        let start = text.find(open)?;
        let end = start + text[start..].find('>')? + 1;
        Some((&text[start..end], &open[1..]))
    })
}

/// The byte ranges of the `<item>` and `<entry>` elements, in order.
fn item_spans(text: &str) -> Vec<(usize, usize)> {
    let mut spans = Vec::new();
    let mut from = 0;
    while let Some((start, name)) = next_item_start(text, from) {
        let close = format!("</{name}>");
        let Some(end) = text[start..]
            .find(&close)
            .map(|at| start + at + close.len())
        else {
            break;
        };
        spans.push((start, end));
        from = end;
    }
    spans
}

fn next_item_start(text: &str, from: usize) -> Option<(usize, &'static str)> {
    let mut search = from;
    loop {
        let at = search + text[search..].find('<')?;
        let rest = &text[at + 1..];
        for name in ["item", "entry"] {
            if rest.starts_with(name)
                && rest[name.len()..].starts_with(|c: char| c.is_whitespace() || c == '>')
            {
                return Some((at, name));
            }
        }
        search = at + 1;
    }
}

/// The text of the first `<name …>…</name>` element, CDATA unwrapped.
fn element_text(xml: &str, name: &str) -> Option<String> {
    element_at(xml, name).map(|(_, text)| text)
}

/// The byte offset where the first `<name>` element's content starts, and
/// that content (CDATA unwrapped, trimmed).
fn element_at(xml: &str, name: &str) -> Option<(usize, String)> {
    let open = format!("<{name}");
    let mut from = 0;
    let start = loop {
        let at = from + xml[from..].find(&open)?;
        let next = xml[at + open.len()..].chars().next();
        if matches!(next, Some(c) if c.is_whitespace() || c == '>' || c == '/') {
            break at;
        }
        from = at + open.len();
    };
    let content = start + xml[start..].find('>')? + 1;
    if xml[..content].ends_with("/>") {
        return None;
    }
    let end = content + xml[content..].find(&format!("</{name}>"))?;
    let raw = xml[content..end].trim();
    let raw = raw
        .strip_prefix("<![CDATA[")
        .and_then(|r| r.strip_suffix("]]>"))
        .unwrap_or(raw);
    Some((content, raw.trim().to_string()))
}

/// Text that may hold markup or entities, as plain words.
fn plain(text: &str) -> String {
    let text = if text.contains('<') || text.contains('&') {
        html_passages(text)
            .into_iter()
            .map(|p| p.text)
            .collect::<Vec<_>>()
            .join(" ")
    } else {
        text.to_string()
    };
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn line_at(text: &str, offset: usize) -> u32 {
    1 + text.as_bytes()[..offset.min(text.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count() as u32
}

/// The article of one entry; `span` is where it is in the text, when known.
/// `None` when it has neither text nor title.
fn entry_article(
    text: &str,
    entry: &Entry,
    span: Option<(usize, usize)>,
    channel: &Channel,
) -> Option<Article> {
    let item = span.map(|(start, end)| &text[start..end]);
    let item_line = span.map_or(1, |(start, _)| line_at(text, start));
    let title = entry
        .title
        .as_ref()
        .map(|t| plain(&t.content))
        .filter(|t| !t.is_empty());
    let link = entry
        .links
        .iter()
        .find(|l| l.rel.as_deref().is_none_or(|r| r == "alternate"))
        .or_else(|| entry.links.first())
        .map(|l| l.href.clone());
    let authors: Vec<String> = entry
        .authors
        .iter()
        .filter_map(|p| p.name.as_deref())
        .map(|name| name.trim().to_string())
        .filter(|n| !n.is_empty())
        .collect();
    let mut article = Article {
        title: title.clone(),
        url: link,
        author: (!authors.is_empty()).then(|| authors.join(", ")),
        outlet: channel.title.clone(),
        record_line: Some(item_line),
        ..Article::default()
    };
    if !entry.id.is_empty() {
        let scoped = if entry.id.contains(':') {
            entry.id.clone()
        } else {
            format!("{}#{}", channel.link.as_deref().unwrap_or(""), entry.id)
        };
        article.identity = Some(format!("feed:{scoped}"));
        article.record_id = Some(entry.id.clone());
    }
    set_date(&mut article, entry, item);
    let (body, elements): (Option<&str>, &[&str]) =
        match entry.content.as_ref().and_then(|c| c.body.as_deref()) {
            Some(body) if !body.trim().is_empty() => (Some(body), &["content:encoded", "content"]),
            _ => (
                entry.summary.as_ref().map(|s| s.content.as_str()),
                &["description", "summary"],
            ),
        };
    // The line where the body's element starts, so passages point near
    // their text.
    let body_line = item
        .and_then(|item| {
            elements
                .iter()
                .find_map(|name| element_at(item, name).map(|(at, _)| at))
        })
        .map_or(item_line, |at| {
            item_line + line_at(item.unwrap_or(""), at) - 1
        });
    if let Some(body) = body {
        let is_html = body.contains('<') || body.contains('&');
        let passages = if is_html {
            html_passages(body)
        } else {
            PassageSplitter::default().split(body, 0)
        };
        article.passages = passages
            .into_iter()
            .map(|p| Passage {
                line: body_line + p.line - 1,
                ..p
            })
            .collect();
    }
    // A headline repeated as the body's first block is the title.
    if article.passages.first().map(|p| &p.text) == title.as_ref() && article.passages.len() > 1 {
        article.passages.remove(0);
    }
    if article.passages.is_empty() {
        article.passages.push(Passage::new(title?, item_line));
    }
    Some(article)
}

/// The item's date, as written in its text when it is known, else as
/// feed-rs read it.
fn set_date(article: &mut Article, entry: &Entry, item: Option<&str>) {
    let written = [
        ("published", DateSource::Published),
        ("pubDate", DateSource::PubDate),
        ("dc:date", DateSource::DcDate),
        ("updated", DateSource::Updated),
    ]
    .into_iter()
    .find_map(|(name, source)| {
        let written = element_text(item?, name)?;
        parse_date_text(&written).map(|date| (date, written, source))
    });
    let parsed = || {
        let (time, source) = match (entry.published, entry.updated) {
            (Some(time), _) => (time, DateSource::Published),
            (None, Some(time)) => (time, DateSource::Updated),
            (None, None) => return None,
        };
        let date = ArticleDate::from_stored(time.timestamp(), DatePrecision::Second);
        Some((date, time.to_rfc3339(), source))
    };
    if let Some((date, written, source)) = written.or_else(parsed) {
        article.date = Some(date);
        article.date_text = Some(written);
        article.date_source = Some(source);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RSS: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel>
<title>The Daily</title>
<link>https://daily.example/</link>
<item>
<title>Rates rise</title>
<link>https://daily.example/rates</link>
<guid isPermaLink="false">42</guid>
<dc:creator>Ann Lee</dc:creator>
<pubDate>Thu, 25 Jan 2024 10:00:00 +0000</pubDate>
<description>Short summary.</description>
<content:encoded><![CDATA[<p>The central bank raised
rates on Thursday.</p>
<p>Markets <b>fell</b>.</p>]]></content:encoded>
</item>
<item>
<title>Only a summary</title>
<link>https://daily.example/summary</link>
<description>Just &lt;i&gt;this&lt;/i&gt; text.</description>
</item>
</channel>
</rss>
"#;

    #[test]
    fn rss_items_with_full_content() {
        let mut notes = Vec::new();
        let articles = parse_feed(RSS, &mut notes).unwrap();
        assert_eq!(articles.len(), 2, "{notes:?}");
        let first = &articles[0];
        assert_eq!(first.title.as_deref(), Some("Rates rise"));
        assert_eq!(first.url.as_deref(), Some("https://daily.example/rates"));
        assert_eq!(first.author.as_deref(), Some("Ann Lee"));
        assert_eq!(first.outlet.as_deref(), Some("The Daily"));
        assert_eq!(first.date.unwrap().to_string(), "2024-01-25T10:00:00Z");
        assert_eq!(first.date_source, Some(DateSource::PubDate));
        assert_eq!(
            first.date_text.as_deref(),
            Some("Thu, 25 Jan 2024 10:00:00 +0000")
        );
        assert_eq!(first.record_line, Some(6));
        assert_eq!(first.record_id.as_deref(), Some("42"));
        assert_eq!(
            first.identity.as_deref(),
            Some("feed:https://daily.example/#42")
        );
        let got: Vec<_> = first
            .passages
            .iter()
            .map(|p| (p.text.as_str(), p.line))
            .collect();
        assert_eq!(
            got,
            [
                ("The central bank raised rates on Thursday.", 13),
                ("Markets fell.", 15)
            ]
        );
        let second = &articles[1];
        assert_eq!(second.passages[0].text, "Just this text.");
        assert_eq!(
            second.identity.as_deref(),
            Some("feed:https://daily.example/summary")
        );
        assert_eq!(second.date, None);
    }

    #[test]
    fn atom_xhtml_content_and_published_over_updated() {
        let atom = r#"<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title type="text">Go Blog</title>
  <id>tag:blog.example,2024:feed</id>
  <entry>
    <title>Range functions</title>
    <id>tag:blog.example,2024:range</id>
    <link rel="alternate" href="https://blog.example/range"/>
    <updated>2024-08-21T00:00:00Z</updated>
    <published>2024-08-20T12:00:00+02:00</published>
    <author><name>Ian</name></author>
    <content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>Go 1.23 adds range over functions.</p><p>Second.</p></div></content>
  </entry>
  <entry>
    <title>Only updated</title>
    <id>tag:blog.example,2024:upd</id>
    <updated>2024-09-01T00:00:00Z</updated>
    <summary>A summary.</summary>
  </entry>
</feed>"#;
        let articles = parse_feed(atom, &mut Vec::new()).unwrap();
        assert_eq!(articles.len(), 2);
        let first = &articles[0];
        assert_eq!(first.date.unwrap().to_string(), "2024-08-20T12:00:00+02:00");
        assert_eq!(first.date_source, Some(DateSource::Published));
        assert_eq!(first.author.as_deref(), Some("Ian"));
        assert_eq!(first.url.as_deref(), Some("https://blog.example/range"));
        assert_eq!(first.record_line, Some(5));
        assert_eq!(
            first.identity.as_deref(),
            Some("feed:tag:blog.example,2024:range")
        );
        let texts: Vec<_> = first.passages.iter().map(|p| p.text.as_str()).collect();
        assert_eq!(texts, ["Go 1.23 adds range over functions.", "Second."]);
        assert_eq!(first.passages[0].line, 12);
        assert_eq!(articles[1].date_source, Some(DateSource::Updated));
        assert_eq!(articles[1].passages[0].text, "A summary.");
    }

    #[test]
    fn rdf_items_with_dc_dates() {
        let rdf = r#"<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel rdf:about="https://news.example/">
<title>News</title>
<link>https://news.example/</link>
<items><rdf:Seq><rdf:li resource="https://news.example/1"/></rdf:Seq></items>
</channel>
<item rdf:about="https://news.example/1">
<title>Storm hits coast</title>
<link>https://news.example/1</link>
<description>A storm hit the coast overnight.</description>
<dc:date>2003-12-13T18:30:02Z</dc:date>
</item>
</rdf:RDF>"#;
        let articles = parse_feed(rdf, &mut Vec::new()).unwrap();
        assert_eq!(articles.len(), 1);
        assert_eq!(articles[0].title.as_deref(), Some("Storm hits coast"));
        assert_eq!(articles[0].date_source, Some(DateSource::DcDate));
        assert_eq!(
            articles[0].date.unwrap().to_string(),
            "2003-12-13T18:30:02Z"
        );
        assert_eq!(articles[0].record_line, Some(8));
        assert_eq!(
            articles[0].passages[0].text,
            "A storm hit the coast overnight."
        );
    }

    #[test]
    fn a_broken_item_is_skipped_and_the_rest_kept() {
        let broken = RSS.replace(
            "<title>Only a summary</title>",
            "<title>Only a <summary</title>",
        );
        let mut notes = Vec::new();
        let articles = parse_feed(&broken, &mut notes).unwrap();
        assert_eq!(articles.len(), 1, "{notes:?}");
        assert_eq!(articles[0].title.as_deref(), Some("Rates rise"));
        assert!(notes[0].contains("1 unreadable item"), "{notes:?}");
    }

    proptest::proptest! {
        #[test]
        fn any_feed_parses_without_panicking(text in "\\PC{0,200}") {
            let _ = parse_feed(&format!("<rss><channel><item><title>{text}</title><description>{text}</description></item></channel></rss>"), &mut Vec::new());
        }
    }
}
