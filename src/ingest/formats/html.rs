//! HTML articles, parsed with scraper (html5ever), so real-world broken
//! markup reads the way a browser reads it.
//!
//! - Title: `og:title`, else `<title>`, else the first `<h1>`.
//! - Date, first found: JSON-LD `datePublished`; meta tags
//!   (`article:published_time`, `og:published_time`, `date`, `pubdate`,
//!   `DC.date.issued`, `itemprop=datePublished`, ...); the first
//!   `<time datetime>` of the main content.
//! - Body: the text a reader sees ([`text_blocks`]) of `<article>`, else
//!   `<main>`, else the body, without its boilerplate.
//! - Pages that are not articles are recognised: redirects (`<meta
//!   http-equiv="refresh">`), pages without body text, and index pages that
//!   only list other posts (archives, tag pages, pagination).
//!
//! html5ever does not report source positions, so a block's line is found
//! by looking its first word up in the source after the previous block's:
//! right for ordinary pages, approximate when markup splits that word.

use ego_tree::iter::Edge;
use rustc_hash::FxHashMap;
use scraper::{ElementRef, Html, Node, Selector};
use serde_json::Value;

use crate::ingest::dates::DateSource;
use crate::ingest::fields::FieldOverrides;
use crate::ingest::{
    Article, Block, BlockText, NotIndexed, Passage, PassageKind, PassageSplitter, merge_headings,
    tidy_lines,
};

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
    "math", "template", "iframe", "select", "menu", "dialog", "object", "canvas", "head", "title",
];

/// Elements that start and end a block of text.
const BLOCK_ELEMENTS: &[&str] = &[
    "p",
    "div",
    "section",
    "article",
    "main",
    "blockquote",
    "pre",
    "table",
    "ul",
    "ol",
    "dl",
    "dd",
    "dt",
    "figure",
    "figcaption",
    "address",
    "details",
    "summary",
    "fieldset",
    "legend",
    "caption",
    "center",
    "hgroup",
    "body",
    "hr",
];

/// ARIA roles of page furniture.
const BOILERPLATE_ROLES: &[&str] = &[
    "navigation",
    "banner",
    "contentinfo",
    "complementary",
    "search",
    "menu",
    "menubar",
    "dialog",
    "alertdialog",
];

/// Words in a `class` or `id` that mark page furniture: navigation,
/// headers and footers, sidebars, cookie banners, sharing buttons, related
/// posts, comments. Matched against the parts of each name split at `-`
/// and `_`, so `site-nav` matches and `canvas` does not.
const BOILERPLATE_NAMES: &[&str] = &[
    "nav",
    "navbar",
    "navigation",
    "menu",
    "menubar",
    "header",
    "masthead",
    "footer",
    "sidebar",
    "breadcrumb",
    "breadcrumbs",
    "cookie",
    "cookies",
    "consent",
    "gdpr",
    "banner",
    "related",
    "share",
    "sharing",
    "social",
    "subscribe",
    "newsletter",
    "signup",
    "pagination",
    "pager",
    "advert",
    "advertisement",
    "ad",
    "ads",
    "sponsor",
    "sponsored",
    "promo",
    "comments",
    "disqus",
    "widget",
    "toolbar",
    "popup",
    "modal",
    "skip",
    "byline",
    "meta",
    "tags",
];

/// Deeper nesting than this is refused before parsing: html5ever's tree
/// builder takes time quadratic in the depth (a page of 50,000 nested
/// `<div>`s takes seconds, 200,000 minutes), and browsers cap the depth of
/// the tree they build at a few hundred.
const MAX_NESTING: usize = 1000;

/// Joins the cells of a table row.
pub const CELL_SEPARATOR: &str = " · ";

/// Parses an HTML page into its article.
pub fn parse_html(source: &str, fields: &FieldOverrides) -> Result<Article, NotIndexed> {
    check_nesting(source)?;
    let document = Html::parse_document(source);
    let json_ld = json_ld_objects(&document);
    let meta = |keys: &[&str]| meta_content(&document, keys);
    let pairs = metadata_pairs(&document, &json_ld);
    let named = fields.pick(&pairs);

    let title = named
        .title
        .map(str::to_string)
        .or_else(|| meta(&["og:title", "twitter:title"]))
        .or_else(|| first_text(&document, "title"))
        .or_else(|| json_ld_string(&json_ld, "headline"))
        .or_else(|| first_text(&document, "h1"));
    let mut article = Article {
        title: title.clone(),
        url: named
            .url
            .map(str::to_string)
            .or_else(|| link_href(&document, "canonical"))
            .or_else(|| meta(&["og:url"])),
        author: named
            .author
            .map(str::to_string)
            .or_else(|| meta(&["author", "article:author", "byl", "dc.creator"]))
            .or_else(|| json_ld_name(&json_ld, "author")),
        outlet: meta(&["og:site_name", "application-name"])
            .or_else(|| json_ld_name(&json_ld, "publisher")),
        ..Article::default()
    };

    if is_listing(&document) {
        return Err(NotIndexed::LeftOut("index page".to_string()));
    }
    let root = main_content(&document);
    if let Some((name, value)) = named.date {
        fields.offer_date(&mut article, name, value, DateSource::MetaTag);
    }
    if let Some(value) = json_ld_string(&json_ld, "datePublished") {
        fields.offer_date(&mut article, "datePublished", &value, DateSource::JsonLd);
    }
    if let Some((name, value)) = DATE_META
        .iter()
        .find_map(|key| meta(&[key]).map(|value| (*key, value)))
    {
        fields.offer_date(&mut article, name, &value, DateSource::MetaTag);
    }
    if let Some(value) = root.and_then(time_datetime) {
        fields.offer_date(
            &mut article,
            "<time datetime>",
            &value,
            DateSource::TimeElement,
        );
    }

    let extracted = match root {
        Some(root) => Extractor::run(root, source),
        None => Extracted::default(),
    };
    if extracted.links >= 10 && extracted.link_chars * 2 >= extracted.chars {
        return Err(NotIndexed::LeftOut("index page".to_string()));
    }
    let mut blocks = extracted.blocks;
    // The headline repeated in the body is the title, not body text.
    if let Some(title) = &title {
        blocks.retain(|b| !(b.heading && &b.block.text == title));
        if blocks.first().is_some_and(|b| &b.block.text == title) {
            blocks.remove(0);
        }
    }
    article.passages = PassageSplitter::default().split_blocks(&finish_blocks(blocks));
    if article.passages.is_empty() {
        let kind = if meta_refresh(&document) {
            "redirect"
        } else {
            "no body text"
        };
        return Err(NotIndexed::LeftOut(kind.to_string()));
    }
    Ok(article)
}

/// The text of an HTML fragment or page, as passages whose lines count
/// from the start of `source`: how feed items and HTML mail bodies are
/// read, so they are cleaned exactly as pages are. Markup too deeply
/// nested to parse gives no passages.
pub fn html_passages(source: &str) -> Vec<Passage> {
    text_blocks(source)
        .map(|blocks| PassageSplitter::default().split_blocks(&blocks))
        .unwrap_or_default()
}

/// The text a reader sees in an HTML page or fragment, as blocks: one per
/// paragraph, heading, list, table, quotation or preformatted block, with
/// `<br>` a line break inside its paragraph (two in a row end it),
/// `<pre>` keeping its lines, and navigation, headers, footers, sidebars,
/// scripts, forms and the like left out. A heading is joined to the
/// paragraph under it. Lines count from the start of `html`.
///
/// Errors only for markup nested too deeply to parse in reasonable time.
pub fn text_blocks(html: &str) -> Result<Vec<Block>, String> {
    check_nesting(html).map_err(|e| match e {
        NotIndexed::Skipped(reason) | NotIndexed::LeftOut(reason) => reason,
    })?;
    let lower = html.get(..html.len().min(4096)).unwrap_or(html);
    let document = if lower.contains("<html") || lower.contains("<body") || lower.contains("<HTML")
    {
        Html::parse_document(html)
    } else {
        Html::parse_fragment(html)
    };
    let root = document
        .select(&selector("body"))
        .next()
        .unwrap_or_else(|| document.root_element());
    Ok(finish_blocks(Extractor::run(root, html).blocks))
}

/// A block as extracted, with what deciding its fate needs.
#[derive(Debug, Default)]
struct RawBlock {
    block: Block,
    heading: bool,
    /// From an element that holds running text (`<p>`, `<blockquote>`,
    /// `<pre>`, a heading), which is never dropped as link furniture.
    text_element: bool,
    chars: usize,
    link_chars: usize,
}

/// Drops link furniture (blocks that are nearly all link text and are not
/// paragraphs: menus, tag lists, "related posts") and joins headings to
/// the paragraph under them.
fn finish_blocks(raw: Vec<RawBlock>) -> Vec<Block> {
    let kept = raw
        .into_iter()
        .filter(|b| b.text_element || b.link_chars * 5 < b.chars * 4)
        .map(|b| (b.block, b.heading));
    merge_headings(kept)
}

/// The body text of an element: a walk over its subtree (iterative, so no
/// depth of markup can overflow the stack) building blocks.
#[derive(Default)]
struct Extractor<'s> {
    source: &'s str,
    /// Where the next block's first word is looked for in the source.
    search_from: usize,
    line: u32,
    blocks: Vec<RawBlock>,
    current: BlockText,
    current_chars: usize,
    current_links: usize,
    /// `<br>`s since the last word.
    breaks: u32,
    heading: u32,
    text_elements: u32,
    link: u32,
    pre: u32,
    code_pre: bool,
    cell_open: bool,
    links: usize,
    link_chars: usize,
    chars: usize,
}

/// What the walk found.
#[derive(Default)]
struct Extracted {
    blocks: Vec<RawBlock>,
    /// Links and the characters of text, in all and inside links, before
    /// any block was dropped: how an index page is told from an article.
    links: usize,
    link_chars: usize,
    chars: usize,
}

/// What an open element did to the walk, undone when it closes.
#[derive(Clone, Copy, Default)]
struct Frame {
    skipped: bool,
    block: bool,
    heading: bool,
    text_element: bool,
    link: bool,
    pre: bool,
    row: bool,
    cell: bool,
}

impl<'s> Extractor<'s> {
    fn run(root: ElementRef<'_>, source: &'s str) -> Extracted {
        let start = source.find("<body").unwrap_or(0);
        let mut extractor = Extractor {
            source,
            search_from: start,
            line: 1 + count_newlines(&source[..start]),
            ..Extractor::default()
        };
        let mut frames: Vec<Frame> = Vec::new();
        let mut skipping = 0usize;
        for edge in root.traverse() {
            match edge {
                Edge::Open(node) => {
                    let frame = match node.value() {
                        Node::Element(element) => {
                            let is_root = node.id() == root.id();
                            let frame = if skipping > 0 {
                                Frame {
                                    skipped: true,
                                    ..Frame::default()
                                }
                            } else {
                                extractor.open(element, node, is_root)
                            };
                            skipping += usize::from(frame.skipped);
                            frame
                        }
                        Node::Text(text) => {
                            if skipping == 0 {
                                extractor.text(text);
                            }
                            continue;
                        }
                        _ => continue,
                    };
                    frames.push(frame);
                }
                Edge::Close(node) => {
                    if !node.value().is_element() {
                        continue;
                    }
                    let Some(frame) = frames.pop() else {
                        continue;
                    };
                    if frame.skipped {
                        skipping -= 1;
                        continue;
                    }
                    extractor.close(frame);
                }
            }
        }
        extractor.flush();
        Extracted {
            blocks: extractor.blocks,
            links: extractor.links,
            link_chars: extractor.link_chars,
            chars: extractor.chars,
        }
    }

    fn open(
        &mut self,
        element: &scraper::node::Element,
        node: ego_tree::NodeRef<'_, Node>,
        is_root: bool,
    ) -> Frame {
        let name = element.name();
        if !is_root && is_boilerplate(element) {
            return Frame {
                skipped: true,
                ..Frame::default()
            };
        }
        let mut frame = Frame::default();
        match name {
            "br" => {
                self.line_break();
                return frame;
            }
            "h1" | "h2" | "h3" | "h4" | "h5" | "h6" => {
                frame.block = true;
                frame.heading = true;
                frame.text_element = true;
            }
            "p" | "blockquote" => {
                frame.block = true;
                frame.text_element = true;
            }
            "pre" => {
                frame.block = true;
                frame.text_element = true;
                frame.pre = true;
            }
            "li" | "tr" => frame.row = true,
            "td" | "th" => frame.cell = true,
            "a" => frame.link = element.attr("href").is_some(),
            _ => frame.block = BLOCK_ELEMENTS.contains(&name),
        }
        if frame.block {
            self.flush();
        }
        if frame.row {
            self.current.line_break();
            self.cell_open = false;
        }
        if frame.cell {
            if self.cell_open {
                self.current.separate(CELL_SEPARATOR);
            }
            self.cell_open = true;
        }
        if frame.pre && self.pre == 0 {
            self.code_pre = is_code(element, node);
        }
        if frame.link {
            self.links += 1;
        }
        self.heading += u32::from(frame.heading);
        self.text_elements += u32::from(frame.text_element);
        self.link += u32::from(frame.link);
        self.pre += u32::from(frame.pre);
        frame
    }

    fn close(&mut self, frame: Frame) {
        if frame.block {
            self.flush();
        }
        self.heading -= u32::from(frame.heading);
        self.text_elements -= u32::from(frame.text_element);
        self.link -= u32::from(frame.link);
        self.pre -= u32::from(frame.pre);
        if frame.row {
            self.current.line_break();
            self.cell_open = false;
        }
    }

    fn text(&mut self, text: &str) {
        let visible = if self.pre > 0 {
            self.current.push_verbatim(text)
        } else {
            self.current.push_flowing(text)
        };
        if visible > 0 {
            self.breaks = 0;
            self.current_chars += visible;
            self.chars += visible;
            if self.link > 0 {
                self.current_links += visible;
                self.link_chars += visible;
            }
        }
    }

    /// A `<br>`: a line break, and two in a row (a blank line) end the
    /// paragraph.
    fn line_break(&mut self) {
        if self.pre > 0 {
            self.current.push_verbatim("\n");
            return;
        }
        self.breaks += 1;
        if self.breaks >= 2 {
            self.flush();
        } else {
            self.current.line_break();
        }
    }

    fn flush(&mut self) {
        self.breaks = 0;
        self.cell_open = false;
        if self.current.is_blank() {
            self.current.take();
            self.current_chars = 0;
            self.current_links = 0;
            return;
        }
        let text = self.current.take();
        let in_pre = self.pre > 0 || self.code_pre;
        let heading = self.heading > 0;
        let text_element = self.text_elements > 0 || in_pre;
        let (chars, link_chars) = (self.current_chars, self.current_links);
        self.current_chars = 0;
        self.current_links = 0;
        if self.pre > 0 && self.code_pre {
            let line = self.locate(text.trim());
            self.push(
                text,
                line,
                PassageKind::Code,
                false,
                true,
                chars,
                link_chars,
            );
        } else if self.pre > 0 {
            // Preformatted prose (a mail archive's message, a poem):
            // paragraphs at blank lines, lines kept.
            for (_, paragraph) in crate::ingest::split_paragraphs(&text) {
                let line = self.locate(paragraph);
                let paragraph = paragraph.to_string();
                let n = paragraph.chars().filter(|c| !c.is_whitespace()).count();
                self.push(paragraph, line, PassageKind::Prose, false, true, n, 0);
            }
        } else {
            let text = tidy_lines(&text);
            let line = self.locate(&text);
            self.push(
                text,
                line,
                PassageKind::Prose,
                heading,
                text_element,
                chars,
                link_chars,
            );
        }
        if self.pre == 0 {
            self.code_pre = false;
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn push(
        &mut self,
        text: String,
        line: u32,
        kind: PassageKind,
        heading: bool,
        text_element: bool,
        chars: usize,
        link_chars: usize,
    ) {
        self.blocks.push(RawBlock {
            block: Block { text, line, kind },
            heading,
            text_element,
            chars,
            link_chars,
        });
    }

    /// The line of the block starting with `text`: where its first word
    /// appears in the source after the previous block's.
    fn locate(&mut self, text: &str) -> u32 {
        let first_word = text.split_whitespace().next().unwrap_or("");
        let rest = self.source.get(self.search_from..).unwrap_or("");
        if !first_word.is_empty()
            && let Some(found) = rest.find(first_word)
        {
            self.line += count_newlines(&rest[..found]);
            self.search_from += found + first_word.len();
        }
        self.line
    }
}

/// Whether an element is page furniture by its tag, role, `class` or `id`,
/// or is hidden.
fn is_boilerplate(element: &scraper::node::Element) -> bool {
    let name = element.name();
    if SKIPPED_ELEMENTS.contains(&name) {
        return true;
    }
    if element.attr("hidden").is_some()
        || element
            .attr("aria-hidden")
            .is_some_and(|v| v.eq_ignore_ascii_case("true"))
    {
        return true;
    }
    if element
        .attr("role")
        .is_some_and(|role| BOILERPLATE_ROLES.contains(&role.to_ascii_lowercase().as_str()))
    {
        return true;
    }
    if matches!(name, "body" | "html" | "article" | "main" | "p" | "pre") {
        return false;
    }
    let names = element
        .attr("class")
        .into_iter()
        .chain(element.attr("id"))
        .flat_map(|value| value.split(|c: char| c.is_whitespace() || c == '-' || c == '_'));
    names
        .into_iter()
        .any(|part| BOILERPLATE_NAMES.contains(&part.to_ascii_lowercase().as_str()))
}

/// Whether a `<pre>` holds code: it wraps a `<code>`, or its class or a
/// `data-lang` says so (highlighters mark it that way).
fn is_code(element: &scraper::node::Element, node: ego_tree::NodeRef<'_, Node>) -> bool {
    let class = element.attr("class").unwrap_or("").to_ascii_lowercase();
    if [
        "code",
        "highlight",
        "lang",
        "source",
        "prettyprint",
        "chroma",
    ]
    .iter()
    .any(|marker| class.contains(marker))
        || element.attr("data-lang").is_some()
    {
        return true;
    }
    let mut elements = node
        .children()
        .filter(|child| !matches!(child.value(), Node::Text(t) if t.trim().is_empty()));
    matches!(
        (elements.next(), elements.next()),
        (Some(only), None) if only.value().as_element().is_some_and(|e| e.name() == "code")
    )
}

/// Refuses markup nested deeper than [`MAX_NESTING`], judged by a quick
/// scan of the tags: elements whose end tag may be left out (`<p>`, `<li>`,
/// table cells) and void elements do not nest, and an end tag closes up to
/// the element it names.
fn check_nesting(source: &str) -> Result<(), NotIndexed> {
    const NOT_NESTING: &[&str] = &[
        "p", "li", "dt", "dd", "tr", "td", "th", "thead", "tbody", "tfoot", "option", "optgroup",
        "rb", "rt", "rp", "colgroup", "caption", "area", "base", "br", "col", "embed", "hr", "img",
        "input", "link", "meta", "source", "track", "wbr", "param", "keygen",
    ];
    const RAW_TEXT: &[&str] = &["script", "style", "textarea", "title", "xmp"];
    let mut stack: Vec<String> = Vec::new();
    let mut open: FxHashMap<String, usize> = FxHashMap::default();
    let mut at = 0;
    while let Some(found) = source[at..].find('<') {
        at += found + 1;
        let rest = &source[at..];
        if rest.starts_with("!--") {
            at += rest.find("-->").map_or(rest.len(), |end| end + 3);
            continue;
        }
        let closing = rest.starts_with('/');
        let name_start = at + usize::from(closing);
        let name_len = source[name_start..]
            .bytes()
            .take_while(|b| b.is_ascii_alphanumeric() || *b == b'-' || *b == b':')
            .count();
        if name_len == 0 {
            continue;
        }
        let name = source[name_start..name_start + name_len].to_ascii_lowercase();
        let tag_end = tag_end(&source[name_start..]).map_or(source.len(), |end| name_start + end);
        let self_closing = source[..tag_end].ends_with('/');
        at = tag_end.min(source.len());
        if closing {
            if open.get(&name).is_some_and(|&count| count > 0) {
                while let Some(top) = stack.pop() {
                    if let Some(count) = open.get_mut(&top) {
                        *count -= 1;
                    }
                    if top == name {
                        break;
                    }
                }
            }
            continue;
        }
        if RAW_TEXT.contains(&name.as_str()) {
            at += end_tag(&source[at..], &name).unwrap_or(source.len() - at);
            continue;
        }
        if self_closing || NOT_NESTING.contains(&name.as_str()) {
            continue;
        }
        *open.entry(name.clone()).or_default() += 1;
        stack.push(name);
        if stack.len() > MAX_NESTING {
            return Err(NotIndexed::Skipped(format!(
                "HTML nested more than {MAX_NESTING} elements deep: not parsed (a page this deep takes minutes to read)"
            )));
        }
    }
    Ok(())
}

/// Where the end tag `</name` (any case) starts in `text`.
fn end_tag(text: &str, name: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(found) = text[from..].find("</") {
        let at = from + found;
        let candidate = text.get(at + 2..at + 2 + name.len())?;
        if candidate.eq_ignore_ascii_case(name) {
            return Some(at);
        }
        from = at + 2;
    }
    None
}

/// The end of a tag starting at `text` (after `<`): its `>`, outside quoted
/// attribute values; a `<` before it ends the tag too (broken markup).
fn tag_end(text: &str) -> Option<usize> {
    let mut quote = None;
    let mut after_equals = false;
    for (i, b) in text.bytes().enumerate() {
        match (quote, b) {
            (Some(q), _) if q == b => quote = None,
            (Some(_), _) => {}
            (None, b'"' | b'\'') if after_equals => quote = Some(b),
            (None, b'>' | b'<') => return Some(i),
            _ => {}
        }
        if quote.is_none() && !b.is_ascii_whitespace() {
            after_equals = b == b'=';
        }
    }
    None
}

fn selector(css: &str) -> Selector {
    Selector::parse(css).expect("selectors in this module are valid CSS")
}

fn main_content(document: &Html) -> Option<ElementRef<'_>> {
    [
        "article",
        "main",
        "[role=main]",
        "[itemprop=articleBody]",
        "body",
    ]
    .iter()
    .find_map(|css| document.select(&selector(css)).next())
    .or_else(|| Some(document.root_element()))
}

/// An index page: three or more articles side by side, or three or more
/// headings that are each a link to another page (post titles in a list).
fn is_listing(document: &Html) -> bool {
    let articles = document
        .select(&selector("article"))
        .filter(|article| {
            !article.ancestors().any(|a| {
                a.value()
                    .as_element()
                    .is_some_and(|e| e.name() == "article")
            })
        })
        .count();
    if articles >= 3 {
        return true;
    }
    let headings: Vec<ElementRef> = document
        .select(&selector("h1, h2, h3, h4"))
        .filter(|h| !h.ancestors().any(is_furniture))
        .collect();
    let linked = headings
        .iter()
        .filter(|heading| {
            let text = normalise(&heading.text().collect::<String>());
            !text.is_empty()
                && heading.select(&selector("a[href]")).any(|a| {
                    let href = a.value().attr("href").unwrap_or("");
                    !href.starts_with('#') && normalise(&a.text().collect::<String>()) == text
                })
        })
        .count();
    linked >= 3 && linked * 2 >= headings.len()
}

fn is_furniture(node: ego_tree::NodeRef<'_, Node>) -> bool {
    node.value().as_element().is_some_and(is_boilerplate)
}

fn meta_refresh(document: &Html) -> bool {
    document.select(&selector("meta[http-equiv]")).any(|meta| {
        meta.value()
            .attr("http-equiv")
            .is_some_and(|v| v.eq_ignore_ascii_case("refresh"))
    })
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

/// Every `<meta>` name (`property`, `name` or `itemprop`) with its content,
/// then the string values of the JSON-LD objects: what `--field` can name.
fn metadata_pairs(document: &Html, json_ld: &[Value]) -> Vec<(String, String)> {
    let mut pairs = Vec::new();
    for meta in document.select(&selector("meta")) {
        let element = meta.value();
        let content = element.attr("content").or_else(|| element.attr("datetime"));
        for attr in ["property", "name", "itemprop"] {
            if let (Some(name), Some(content)) = (element.attr(attr), content) {
                pairs.push((name.to_string(), content.to_string()));
            }
        }
    }
    for object in json_ld {
        if let Some(object) = object.as_object() {
            for (key, value) in object {
                if let Some(text) = value.as_str() {
                    pairs.push((key.clone(), text.to_string()));
                }
            }
        }
    }
    pairs
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
        // serde_json refuses nesting deeper than 128, so the walk below is
        // bounded.
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

fn normalise(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
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

    fn texts(blocks: &[Block]) -> Vec<&str> {
        blocks.iter().map(|b| b.text.as_str()).collect()
    }

    #[test]
    fn metadata_and_main_text_without_navigation() {
        let article = parse_html(PAGE, &FieldOverrides::default()).unwrap();
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
            let _ = parse_html(&format!("<html><body><article>{text}</article></body></html>"), &FieldOverrides::default());
            let _ = text_blocks(&text);
        }

        #[test]
        fn any_nesting_of_tags_parses_without_panicking(
            tags in proptest::collection::vec(
                proptest::sample::select(vec!["<div>", "</div>", "<p>", "<br>", "<pre>", "</pre>",
                    "<a href=x>", "</a>", "<table>", "<tr>", "<td>", "<li>", "<ul>", "</ul>",
                    "<h2>", "</h2>", "<nav>", "</nav>", "<b>", "</b>", "word ", "\n", "<code>"]),
                0..300,
            )
        ) {
            let page = tags.concat();
            let _ = parse_html(&page, &FieldOverrides::default());
            let _ = text_blocks(&page);
        }
    }

    #[test]
    fn meta_tags_then_time_elements_give_the_date() {
        let page = PAGE.replace("\"datePublished\":\"2024-01-24T08:00:00Z\",", "");
        let article = parse_html(&page, &FieldOverrides::default()).unwrap();
        assert_eq!(article.date_source, Some(DateSource::MetaTag));
        assert_eq!(article.date.unwrap().to_string(), "2024-01-25T10:00:00Z");
        let page = "<html><body><article><time datetime=\"1851-09-18\">Sept 18</time><p>Hello.</p></article></body></html>";
        let article = parse_html(page, &FieldOverrides::default()).unwrap();
        assert_eq!(article.date_source, Some(DateSource::TimeElement));
        assert_eq!(article.date.unwrap().to_string(), "1851-09-18");
    }

    #[test]
    fn line_breaks_stay_inside_their_paragraph_and_two_end_it() {
        let html = "<p>Hi all,<br />\nthe build is<br />\nbroken again.<br />\n<br />\nAnn</p>";
        let blocks = text_blocks(html).unwrap();
        assert_eq!(
            texts(&blocks),
            ["Hi all,\nthe build is\nbroken again.", "Ann"]
        );
        assert_eq!(blocks[1].line, 5);
    }

    #[test]
    fn pre_keeps_its_lines_and_code_is_marked() {
        let html = "<p>Run this:</p><pre><code>fn main() {\n    go();\n}</code></pre><pre>Dear list,\nhello.\n\nBye.</pre>";
        let blocks = text_blocks(html).unwrap();
        assert_eq!(
            texts(&blocks),
            [
                "Run this:",
                "fn main() {\n    go();\n}",
                "Dear list,\nhello.",
                "Bye."
            ]
        );
        assert_eq!(blocks[1].kind, PassageKind::Code);
        assert_eq!(blocks[2].kind, PassageKind::Prose);
    }

    #[test]
    fn boilerplate_goes_without_semantic_elements() {
        let html = r#"<html><body>
<div id="top-menu"><a href="/">Home</a> | <a href="/about">About</a></div>
<div class="content"><h2>Release notes</h2><p>The release fixes the parser.</p>
<ul class="post-tags"><li><a href="/t/x">x</a></li></ul>
<ul><li><a href="/a">Older post</a></li><li><a href="/b">Newer post</a></li></ul></div>
<div class="site-footer">Powered by Hugo. Subscribe!</div>
<div class="cookie-banner">We use cookies.</div>
</body></html>"#;
        let blocks = text_blocks(html).unwrap();
        assert_eq!(
            texts(&blocks),
            ["Release notes\nThe release fixes the parser."]
        );
    }

    #[test]
    fn tables_are_rows_of_cells() {
        let html = "<table><tr><th>Form</th><th>Name</th></tr><tr><td>NFC</td><td>composed</td></tr></table>";
        assert_eq!(
            texts(&text_blocks(html).unwrap()),
            ["Form · Name\nNFC · composed"]
        );
    }

    #[test]
    fn index_pages_redirects_and_empty_pages_are_not_articles() {
        let listing: String = (0..4)
            .map(|i| {
                format!(
                    "<article><h2><a href=\"/p{i}\">Post {i}</a></h2><p>Teaser {i}.</p></article>"
                )
            })
            .collect();
        let page = format!("<html><body>{listing}</body></html>");
        assert!(
            matches!(parse_html(&page, &FieldOverrides::default()), Err(NotIndexed::LeftOut(k)) if k == "index page")
        );
        let links: String = (0..12)
            .map(|i| {
                format!("<li><a href=\"{i:06}.html\">Re: build broken {i}</a> <i>Ann</i></li>")
            })
            .collect();
        let archive = format!("<html><body><h1>Archive</h1><ul>{links}</ul></body></html>");
        assert!(
            matches!(parse_html(&archive, &FieldOverrides::default()), Err(NotIndexed::LeftOut(k)) if k == "index page")
        );
        let redirect = "<html><head><title>Moved</title><meta http-equiv=\"refresh\" content=\"0; url=/new\"></head><body></body></html>";
        assert!(
            matches!(parse_html(redirect, &FieldOverrides::default()), Err(NotIndexed::LeftOut(k)) if k == "redirect")
        );
        let empty = "<html><head><title>Nothing</title></head><body><nav>x</nav></body></html>";
        assert!(
            matches!(parse_html(empty, &FieldOverrides::default()), Err(NotIndexed::LeftOut(k)) if k == "no body text")
        );
    }

    #[test]
    fn deep_nesting_is_refused_quickly_and_ordinary_nesting_is_not() {
        let deep = format!(
            "<html><body>{}x{}</body></html>",
            "<div>".repeat(200_000),
            "</div>".repeat(200_000)
        );
        let started = std::time::Instant::now();
        assert!(
            matches!(parse_html(&deep, &FieldOverrides::default()), Err(NotIndexed::Skipped(r)) if r.contains("nested"))
        );
        assert!(started.elapsed() < std::time::Duration::from_secs(10));
        let unclosed_paragraphs = format!("<html><body>{}</body></html>", "<p>text ".repeat(5000));
        assert!(parse_html(&unclosed_paragraphs, &FieldOverrides::default()).is_ok());
        let balanced = format!(
            "<html><body>{}</body></html>",
            "<div><span>a</span></div>".repeat(5000)
        );
        assert!(parse_html(&balanced, &FieldOverrides::default()).is_ok());
    }

    #[test]
    fn field_overrides_name_meta_tags_and_json_ld_keys() {
        let page = r#"<html><head><title>T</title>
<meta property="article:published_time" content="2024-01-02T10:00:00+01:00">
<meta name="parsely-pub-date" content="2023-12-31T23:30:00-12:00">
<meta name="sailthru.author" content="Ann Lee">
<script type="application/ld+json">{"@type": "NewsArticle", "dateCreated": "2020-05-06"}</script>
</head><body><article><p>Text of the page.</p></article></body></html>"#;
        let fields = FieldOverrides::parse(&[
            "date=parsely-pub-date".into(),
            "author=sailthru.author".into(),
        ])
        .unwrap();
        let article = parse_html(page, &fields).unwrap();
        assert_eq!(
            article.date.unwrap().to_string(),
            "2023-12-31T23:30:00-12:00"
        );
        assert_eq!(article.author.as_deref(), Some("Ann Lee"));
        let fields = FieldOverrides::parse(&["date=dateCreated".into()]).unwrap();
        let article = parse_html(page, &fields).unwrap();
        assert_eq!(article.date.unwrap().to_string(), "2020-05-06");
        let article = parse_html(page, &FieldOverrides::default()).unwrap();
        assert_eq!(
            article.date.unwrap().to_string(),
            "2024-01-02T10:00:00+01:00"
        );
    }
}
