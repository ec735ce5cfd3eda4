//! Markdown and plain text, with optional YAML (`---`) or TOML (`+++`)
//! front matter.
//!
//! The front matter is converted to JSON values and read by the same field
//! recogniser as JSON articles, so `date`/`published`/`pubDate`, `title`,
//! `url`/`link` and `author` mean the same everywhere, and `--field` names
//! other keys. When no date key gives a date, the keys where static sites
//! keep a post's path (`path`, `permalink`, `url`, `slug`, `aliases`) are
//! read for a day (`path = "2025/06/26/Rust-1.88.0"`). A leading `# Title`
//! heading becomes the title when the front matter has none.
//!
//! Markdown is indexed as the text a reader sees (pulldown-cmark parses
//! it): link text without the address, no reference definitions, no
//! emphasis marks, headings as text joined to the paragraph under them,
//! tables as rows of cells, images by their alt text, HTML blocks by their
//! visible text. Code blocks stay searchable in passages of their own,
//! lines kept. Template directives of static site generators (Hugo
//! shortcodes, Jekyll's Liquid tags, Go templates) are removed first
//! ([`strip_directives`]), keeping a figure's caption and alt text.
//! Plain text is split at blank lines as written.

use pulldown_cmark::{CodeBlockKind, Event, Options, Parser, Tag, TagEnd};
use serde_json::{Map, Value};
use yaml_rust2::Yaml;
use yaml_rust2::parser::{Event as YamlEvent, Parser as YamlParser};
use yaml_rust2::scanner::TScalarStyle;

use crate::date::DatePrecision;
use crate::ingest::dates::{DateSource, PathKey};
use crate::ingest::fields::{FieldOverrides, date_in_path_keys, object_meta};
use crate::ingest::formats::html::{CELL_SEPARATOR, text_blocks};
use crate::ingest::{
    Article, Block, BlockText, NotIndexed, PassageKind, PassageSplitter, merge_headings, tidy_lines,
};

/// Front matter nested deeper than this is cut off there: real front
/// matter is a few levels deep, and building (or dropping) a value nested
/// a hundred thousand levels deep would overflow the stack.
const MAX_FRONT_MATTER_DEPTH: usize = 32;

/// Front-matter keys that make a page a redirect to another.
const REDIRECT_KEYS: &[&str] = &["redirect", "redirect_to", "redirect_url", "redirectURL"];

/// Parses a plain text article (with optional front matter): paragraphs
/// at blank lines. Remarks on malformed front matter go to `notes`.
pub fn parse_text_article(
    text: &str,
    fields: &FieldOverrides,
    notes: &mut Vec<String>,
) -> Result<Article, String> {
    let (mut article, body_start, _) = front_matter_article(text, fields, notes)?;
    let body_start = match leading_heading(text, body_start) {
        Some((heading, after))
            if article.title.is_none() || article.title.as_deref() == Some(heading) =>
        {
            article.title = Some(heading.to_string());
            after
        }
        _ => body_start,
    };
    article.passages = PassageSplitter::default().split(text, body_start);
    if article.passages.is_empty() {
        return Err("no body text".to_string());
    }
    Ok(article)
}

/// Parses a Markdown article (with optional front matter) into the text a
/// reader sees. A page with no body text is left out, as a redirect when
/// its front matter names where it moved. Remarks on malformed front
/// matter go to `notes`.
pub fn parse_markdown_article(
    text: &str,
    fields: &FieldOverrides,
    notes: &mut Vec<String>,
) -> Result<Article, NotIndexed> {
    let (mut article, body_start, redirect) = front_matter_article(text, fields, notes)?;
    let lines = LineIndex::new(text);
    let mut blocks = markdown_blocks(&text[body_start..], body_start, &lines);
    if let Some((first, true)) = blocks.first()
        && first.line > 0
        && text[lines.offset_of(first.line)..]
            .trim_start()
            .starts_with("# ")
        && (article.title.is_none() || article.title.as_deref() == Some(first.text.as_str()))
    {
        article.title = Some(first.text.clone());
        blocks.remove(0);
    }
    article.passages = PassageSplitter::default().split_blocks(&merge_headings(blocks));
    if article.passages.is_empty() {
        let kind = if redirect { "redirect" } else { "no body text" };
        return Err(NotIndexed::LeftOut(kind.to_string()));
    }
    Ok(article)
}

/// The article's metadata from its front matter, the offset where the
/// body starts, and whether the front matter makes it a redirect.
fn front_matter_article(
    text: &str,
    fields: &FieldOverrides,
    notes: &mut Vec<String>,
) -> Result<(Article, usize, bool), String> {
    let (front, body_start) = split_front_matter(text, notes)?;
    let redirect = REDIRECT_KEYS
        .iter()
        .any(|key| front.get(*key).is_some_and(|v| !v.is_null()));
    let meta = object_meta(&front, fields);
    let mut article = Article {
        title: meta.title,
        url: meta.url,
        author: meta.author,
        outlet: meta.outlet,
        date_problem: meta.date_problem,
        ..Article::default()
    };
    if let Some((date, written)) = meta.date {
        article.date = Some(date);
        article.date_source = Some(match fields.date.as_deref().and_then(path_key) {
            Some(key) if date.precision == DatePrecision::Day => DateSource::FrontMatterPath(key),
            _ => DateSource::FrontMatter,
        });
        article.date_text = Some(written);
    } else if let Some((date, written, key)) = date_in_path_keys(&front) {
        article.date = Some(date);
        article.date_source = Some(DateSource::FrontMatterPath(key));
        article.date_text = Some(written);
    }
    Ok((article, body_start, redirect))
}

/// The path key `name` is, when `--field date=` names one.
fn path_key(name: &str) -> Option<PathKey> {
    PathKey::ALL
        .into_iter()
        .find(|key| key.key().eq_ignore_ascii_case(name))
}

/// Byte offsets of line starts, to turn offsets into 1-based lines.
struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    fn new(text: &str) -> LineIndex {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex { starts }
    }

    fn line_of(&self, offset: usize) -> u32 {
        self.starts.partition_point(|&start| start <= offset) as u32
    }

    fn offset_of(&self, line: u32) -> usize {
        self.starts
            .get(line.saturating_sub(1) as usize)
            .copied()
            .unwrap_or(0)
    }
}

/// The blocks of a Markdown body that starts at `base` in the file, each
/// with whether it is a heading.
fn markdown_blocks(body: &str, base: usize, lines: &LineIndex) -> Vec<(Block, bool)> {
    let stripped = strip_directives(body);
    let mut builder = MarkdownBlocks {
        lines,
        base,
        blocks: Vec::new(),
        current: BlockText::default(),
        start: None,
        heading: false,
        code: false,
        html: None,
        list_depth: 0,
        row_cells: 0,
    };
    for (event, range) in Parser::new_ext(&stripped, markdown_options()).into_offset_iter() {
        builder.event(event, range.start);
    }
    builder.flush();
    builder.blocks
}

fn markdown_options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES
}

/// Builds blocks from pulldown-cmark's events.
struct MarkdownBlocks<'a> {
    lines: &'a LineIndex,
    /// Where the body starts in the file.
    base: usize,
    blocks: Vec<(Block, bool)>,
    current: BlockText,
    /// The body offset of the current block's first text.
    start: Option<usize>,
    heading: bool,
    code: bool,
    /// An HTML block being read: its source and where it starts.
    html: Option<(String, usize)>,
    list_depth: u32,
    row_cells: u32,
}

impl MarkdownBlocks<'_> {
    fn event(&mut self, event: Event<'_>, at: usize) {
        match event {
            Event::Start(tag) => self.start_tag(tag, at),
            Event::End(tag) => self.end_tag(tag),
            Event::Text(text)
            | Event::Code(text)
            | Event::InlineMath(text)
            | Event::DisplayMath(text) => self.text(&text, at),
            Event::Html(html) => match self.html.as_mut() {
                Some((source, _)) => source.push_str(&html),
                None => self.html = Some((html.to_string(), at)),
            },
            Event::InlineHtml(html) => {
                let tag = html.trim().to_ascii_lowercase();
                if tag.starts_with("<br") {
                    self.new_line();
                }
            }
            Event::SoftBreak | Event::HardBreak => self.new_line(),
            Event::Rule => self.flush(),
            Event::FootnoteReference(_) | Event::TaskListMarker(_) => {}
        }
    }

    fn start_tag(&mut self, tag: Tag<'_>, at: usize) {
        match tag {
            Tag::Paragraph | Tag::BlockQuote(_) | Tag::FootnoteDefinition(_) | Tag::Table(_) => {
                self.flush()
            }
            Tag::Heading { .. } => {
                self.flush();
                self.heading = true;
            }
            Tag::CodeBlock(kind) => {
                self.flush();
                self.code = true;
                if let CodeBlockKind::Fenced(_) = kind {
                    // The text starts on the line after the fence.
                    self.start = None;
                }
            }
            Tag::HtmlBlock => {
                self.flush();
                self.html = Some((String::new(), at));
            }
            Tag::List(_) => {
                if self.list_depth == 0 {
                    self.flush();
                } else {
                    self.new_line();
                }
                self.list_depth += 1;
            }
            Tag::Item | Tag::TableHead | Tag::TableRow => {
                self.new_line();
                self.row_cells = 0;
            }
            Tag::TableCell => {
                if self.row_cells > 0 {
                    self.current.separate(CELL_SEPARATOR);
                }
                self.row_cells += 1;
            }
            _ => {}
        }
    }

    fn end_tag(&mut self, tag: TagEnd) {
        match tag {
            TagEnd::Paragraph
            | TagEnd::BlockQuote(_)
            | TagEnd::FootnoteDefinition
            | TagEnd::Table
            | TagEnd::Heading(_)
            | TagEnd::CodeBlock => self.flush(),
            TagEnd::HtmlBlock => self.flush_html(),
            TagEnd::List(_) => {
                self.list_depth = self.list_depth.saturating_sub(1);
                if self.list_depth == 0 {
                    self.flush();
                }
            }
            _ => {}
        }
    }

    fn text(&mut self, text: &str, at: usize) {
        if let Some((source, _)) = self.html.as_mut() {
            source.push_str(text);
            return;
        }
        if self.start.is_none() && !text.trim().is_empty() {
            self.start = Some(at);
        }
        if self.code {
            self.current.push_verbatim(text);
        } else {
            self.current.push_flowing(text);
        }
    }

    fn new_line(&mut self) {
        if self.code {
            self.current.push_verbatim("\n");
        } else {
            self.current.line_break();
        }
    }

    fn line_at(&self, body_offset: usize) -> u32 {
        self.lines.line_of(self.base + body_offset)
    }

    fn flush(&mut self) {
        self.flush_html();
        let text = self.current.take();
        let heading = std::mem::replace(&mut self.heading, false);
        let code = std::mem::replace(&mut self.code, false);
        let Some(start) = self.start.take() else {
            return;
        };
        let (text, kind) = if code {
            (text.trim_end().to_string(), PassageKind::Code)
        } else {
            (tidy_lines(&text), PassageKind::Prose)
        };
        if text.trim().is_empty() {
            return;
        }
        let line = self.line_at(start);
        self.blocks.push((Block { text, line, kind }, heading));
    }

    fn flush_html(&mut self) {
        let Some((html, at)) = self.html.take() else {
            return;
        };
        let first_line = self.line_at(at);
        // Only markup nested too deep for the HTML parser fails here; its
        // text is then left out with it.
        for block in text_blocks(&html).unwrap_or_default() {
            let line = first_line + block.line.saturating_sub(1);
            self.blocks.push((Block { line, ..block }, false));
        }
    }
}

/// Removes the template directives of static site generators from a
/// Markdown body, outside code: Hugo shortcodes (`{{< figure ... >}}`,
/// `{{% alert %}}`), Liquid tags (`{% include %}`, `{% raw %}`) and
/// Go-template actions (`{{code "x.go"}}`, `{{.Title}}`). A directive's
/// caption, title and alt text are kept in its place. Jekyll's
/// `{% highlight %}` and Go's `{{raw `...`}}` become fenced code, and
/// what `{% raw %}` protects is kept as written.
///
/// Every directive is replaced by text of the same length (blanks where
/// it was, its newlines kept), so offsets, and the lines of what follows,
/// stay those of the file.
pub fn strip_directives(body: &str) -> std::borrow::Cow<'_, str> {
    if !body.contains("{{") && !body.contains("{%") {
        return std::borrow::Cow::Borrowed(body);
    }
    let mut out: Vec<u8> = body.as_bytes().to_vec();
    // Liquid runs before Markdown, so `{% raw %}` tags go everywhere, and
    // what they protect is left as written.
    let mut protected: Vec<std::ops::Range<usize>> = Vec::new();
    let mut at = 0;
    while let Some(found) = find_tag(body, at, "raw") {
        let content = found.end;
        let Some(end) = find_tag(body, content, "endraw") else {
            break;
        };
        blank(&mut out, found.clone(), "");
        blank(&mut out, end.clone(), "");
        protected.push(content..end.start);
        at = end.end;
    }
    let once_blanked = String::from_utf8_lossy(&out).into_owned();
    let code = code_ranges(&once_blanked);
    protected.extend(code);
    protected.sort_by_key(|r| r.start);
    let is_protected = |i: usize| {
        let after = protected.partition_point(|r| r.start <= i);
        after > 0 && protected[after - 1].contains(&i)
    };
    let bytes = body.as_bytes();
    let mut closers = Closers::default();
    let mut i = 0;
    while i + 1 < bytes.len() {
        if bytes[i] != b'{' || !matches!(bytes[i + 1], b'{' | b'%') || is_protected(i) {
            i += 1;
            continue;
        }
        match directive_at(body, i, &mut closers) {
            Some(directive) => {
                let end = directive.span.end;
                match directive.replacement {
                    Replacement::Text(keep) => blank(&mut out, directive.span, &keep),
                    Replacement::Fence(fence) => blank(&mut out, directive.span, &fence),
                    Replacement::Region(until) => blank(&mut out, directive.span.start..until, ""),
                }
                i = end;
            }
            None => i += 2,
        }
    }
    std::borrow::Cow::Owned(String::from_utf8_lossy(&out).into_owned())
}

/// Where each kind of directive end (`}}`, `%}`, ...) next occurs, found
/// once and reused while the scan is before it, so a text of ten thousand
/// `{{` with no `}}` is read once, not ten thousand times.
#[derive(Default)]
struct Closers {
    found: Vec<(&'static str, usize, Option<usize>)>,
}

impl Closers {
    /// The next `close` at or after `from`.
    fn next(&mut self, body: &str, close: &'static str, from: usize) -> Option<usize> {
        if let Some((_, searched_from, at)) = self.found.iter().find(|(c, _, _)| *c == close)
            && *searched_from <= from
            && at.is_none_or(|at| at >= from)
        {
            return *at;
        }
        let at = body
            .get(from..)
            .and_then(|rest| rest.find(close))
            .map(|i| from + i);
        self.found.retain(|(c, _, _)| *c != close);
        self.found.push((close, from, at));
        at
    }
}

/// What a directive is replaced with.
enum Replacement {
    /// Text kept in its place (often nothing).
    Text(String),
    /// A code fence (the directive is on a line of its own).
    Fence(String),
    /// Everything up to this offset goes (a `{% comment %}` block).
    Region(usize),
}

struct Directive {
    span: std::ops::Range<usize>,
    replacement: Replacement,
}

/// Longest directive looked for: a `{{` with no `}}` this far on is text.
const MAX_DIRECTIVE: usize = 64 * 1024;

fn directive_at(body: &str, at: usize, closers: &mut Closers) -> Option<Directive> {
    let rest = &body[at..];
    let line_start = at == 0 || body.as_bytes()[at - 1] == b'\n';
    let (close, inner_start) = if rest.starts_with("{{<") {
        (">}}", 3)
    } else if rest.starts_with("{{%") {
        ("%}}", 3)
    } else if rest.starts_with("{%") {
        ("%}", 2)
    } else if rest.starts_with("{{raw `") || rest.starts_with("{{raw\t`") {
        let end = closers.next(body, "`}}", at + 7)? - at;
        if end > MAX_DIRECTIVE {
            return None;
        }
        let span = at..at + end + 3;
        let closing_on_own_line = rest.as_bytes()[end - 1] == b'\n';
        let replacement = if line_start && closing_on_own_line && rest[7..].starts_with('\n') {
            // A fence in place of the opening and of the closing.
            let mut fence = String::from("```    ");
            fence.push_str(&rest[7..end]);
            fence.push_str("```");
            Replacement::Fence(fence)
        } else {
            Replacement::Text(String::new())
        };
        return Some(Directive { span, replacement });
    } else {
        ("}}", 2)
    };
    let end = closers.next(body, close, at + inner_start)? - at;
    if end > MAX_DIRECTIVE {
        return None;
    }
    let span = at..at + end + close.len();
    let inner = rest[inner_start..end].trim().trim_matches('-').trim();
    let name = inner.split_whitespace().next().unwrap_or("");
    let replacement = if close == "%}" {
        match name {
            "comment" => {
                let until = find_tag(body, span.end, "endcomment").map_or(span.end, |r| r.end);
                Replacement::Region(until)
            }
            "highlight" if line_start && ends_line(body, span.end) => {
                let language = inner.split_whitespace().nth(1).unwrap_or("");
                Replacement::Fence(format!("```{language}"))
            }
            "endhighlight" if line_start && ends_line(body, span.end) => {
                Replacement::Fence("```".to_string())
            }
            _ => Replacement::Text(String::new()),
        }
    } else if close == "}}" {
        Replacement::Text(String::new())
    } else {
        Replacement::Text(shortcode_text(inner))
    };
    Some(Directive { span, replacement })
}

fn ends_line(body: &str, at: usize) -> bool {
    body[at..]
        .split('\n')
        .next()
        .is_some_and(|rest| rest.trim().is_empty())
}

/// A shortcode's caption, title and alt text, as a sentence each.
fn shortcode_text(inner: &str) -> String {
    let mut kept: Vec<&str> = Vec::new();
    for key in ["caption", "title", "alt"] {
        let mut from = 0;
        while let Some(found) = inner[from..].find(key) {
            let at = from + found;
            from = at + key.len();
            let before_ok = at == 0 || !inner.as_bytes()[at - 1].is_ascii_alphanumeric();
            let rest = inner[from..].trim_start();
            let Some(rest) = rest.strip_prefix('=') else {
                continue;
            };
            let rest = rest.trim_start();
            let Some(quote) = rest.chars().next().filter(|c| *c == '"' || *c == '\'') else {
                continue;
            };
            if let Some(end) = rest[1..].find(quote) {
                let value = rest[1..1 + end].trim();
                if before_ok && !value.is_empty() && !kept.contains(&value) {
                    kept.push(value);
                }
            }
            break;
        }
    }
    kept.iter()
        .map(|value| {
            if value.ends_with(['.', '!', '?']) {
                value.to_string()
            } else {
                format!("{value}.")
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The span of the next `{% name %}` tag (any spacing, `{%-` trimming
/// marks) at or after `from`.
fn find_tag(body: &str, from: usize, name: &str) -> Option<std::ops::Range<usize>> {
    let mut at = from;
    while let Some(found) = body.get(at..)?.find("{%") {
        let start = at + found;
        let inner_start = start + 2;
        let window = &body.as_bytes()[inner_start..body.len().min(inner_start + 256)];
        let close = window.windows(2).position(|w| w == b"%}");
        if let Some(close) = close {
            // Both ends are ASCII, so the slice is on character boundaries.
            let inner = body[inner_start..inner_start + close]
                .trim()
                .trim_matches('-')
                .trim();
            if inner == name {
                return Some(start..inner_start + close + 2);
            }
        }
        at = inner_start;
    }
    None
}

/// Replaces `out[span]` with `keep`, then blanks: the same length, and a
/// newline of the original kept wherever `keep` does not reach.
fn blank(out: &mut [u8], span: std::ops::Range<usize>, keep: &str) {
    let span = span.start.min(out.len())..span.end.min(out.len());
    let keep = keep.as_bytes();
    let keep = &keep[..keep.len().min(span.len())];
    // Never cut a character of the kept text in half.
    let cut = (0..=keep.len())
        .rev()
        .find(|&n| std::str::from_utf8(&keep[..n]).is_ok())
        .unwrap_or(0);
    for (i, at) in span.clone().enumerate() {
        out[at] = if i < cut {
            keep[i]
        } else if out[at] == b'\n' {
            b'\n'
        } else {
            b' '
        };
    }
}

/// The byte ranges of code (code blocks and code spans) in a Markdown
/// text, where directives are examples to keep, not instructions.
fn code_ranges(text: &str) -> Vec<std::ops::Range<usize>> {
    let mut ranges = Vec::new();
    for (event, range) in Parser::new_ext(text, markdown_options()).into_offset_iter() {
        match event {
            Event::Start(Tag::CodeBlock(_)) | Event::Code(_) => ranges.push(range),
            _ => {}
        }
    }
    ranges
}

/// The front matter as a JSON object (empty when there is none) and the
/// byte offset where the body starts.
///
/// Delimiters are read as Hugo and Jekyll read them: `---` (YAML, closed by
/// `---` or `...`) or `+++` (TOML) alone on the first line, trailing white
/// space allowed. A longer run of dashes (`------`) is malformed but meant
/// as YAML front matter: it is read as such, with a note. Front matter
/// that is never closed is read as body text, with a note.
fn split_front_matter(
    text: &str,
    notes: &mut Vec<String>,
) -> Result<(Map<String, Value>, usize), String> {
    let mut lines = text.split_inclusive('\n');
    let Some(first) = lines.next() else {
        return Ok((Map::new(), 0));
    };
    let opener = first.trim_end();
    let malformed = opener.len() > 3 && opener.bytes().all(|b| b == b'-');
    let fence = if malformed { "---" } else { opener };
    if fence != "---" && fence != "+++" {
        return Ok((Map::new(), 0));
    }
    let mut offset = first.len();
    let content_start = offset;
    for line in lines {
        let trimmed = line.trim_end();
        let closes = trimmed == fence
            || (fence == "---" && (trimmed == "..." || (malformed && trimmed == opener)));
        if closes {
            let content = &text[content_start..offset];
            let object = if fence == "---" {
                yaml_object(content)
            } else {
                toml_object(content)
            };
            let object = match object {
                Ok(object) => object,
                // A run of dashes that does not open valid YAML is a rule
                // line, not front matter.
                Err(_) if malformed => return Ok((Map::new(), 0)),
                Err(error) => return Err(error),
            };
            if malformed {
                notes.push(format!(
                    "front matter opened with '{opener}' instead of '---': read as YAML front matter"
                ));
            }
            return Ok((object, offset + line.len()));
        }
        offset += line.len();
    }
    if !malformed {
        notes.push(format!(
            "front matter opened with '{fence}' on line 1 is never closed: read as text"
        ));
    }
    Ok((Map::new(), 0))
}

fn yaml_object(content: &str) -> Result<Map<String, Value>, String> {
    match yaml_first_document(content).map_err(|e| format!("invalid YAML front matter: {e}"))? {
        None | Some(Value::Null) => Ok(Map::new()),
        Some(Value::Object(object)) => Ok(object),
        Some(_) => Err("YAML front matter is not a mapping of keys to values".to_string()),
    }
}

/// The first YAML document of `content` as a JSON value, built from the
/// parser's events with a stack, not by recursion, and refused past
/// [`MAX_FRONT_MATTER_DEPTH`] levels. Aliases (`*name`) are read as null:
/// copying what they name is how a few lines of YAML grow to gigabytes.
fn yaml_first_document(content: &str) -> Result<Option<Value>, String> {
    /// A collection being built: a sequence, or a mapping and its pending key.
    enum Open {
        Sequence(Vec<Value>),
        Mapping(Map<String, Value>, Option<String>),
    }
    let mut parser = YamlParser::new_from_str(content);
    let mut stack: Vec<Open> = Vec::new();
    loop {
        let (event, _) = parser.next_token().map_err(|e| e.to_string())?;
        let value = match event {
            YamlEvent::StreamEnd | YamlEvent::DocumentEnd => return Ok(None),
            YamlEvent::SequenceStart(..) | YamlEvent::MappingStart(..) => {
                if stack.len() >= MAX_FRONT_MATTER_DEPTH {
                    return Err(format!(
                        "nested more than {MAX_FRONT_MATTER_DEPTH} levels deep"
                    ));
                }
                stack.push(match event {
                    YamlEvent::SequenceStart(..) => Open::Sequence(Vec::new()),
                    _ => Open::Mapping(Map::new(), None),
                });
                continue;
            }
            YamlEvent::SequenceEnd | YamlEvent::MappingEnd => match stack.pop() {
                Some(Open::Sequence(items)) => Value::Array(items),
                Some(Open::Mapping(object, _)) => Value::Object(object),
                None => continue,
            },
            YamlEvent::Scalar(text, style, _, _) => yaml_scalar(text, style),
            YamlEvent::Alias(_) => Value::Null,
            _ => continue,
        };
        match stack.last_mut() {
            None => return Ok(Some(value)),
            Some(Open::Sequence(items)) => items.push(value),
            Some(Open::Mapping(object, key)) => match key.take() {
                Some(key) => {
                    object.insert(key, value);
                }
                None => {
                    *key = Some(match value {
                        Value::String(s) => s,
                        Value::Number(n) => n.to_string(),
                        Value::Bool(b) => b.to_string(),
                        // A collection as a key: its value is dropped.
                        _ => String::new(),
                    })
                }
            },
        }
    }
}

/// A scalar as YAML resolves it: plain `123` a number, `true` a boolean,
/// `~`/`null` null; quoted scalars and everything else text (dates stay
/// text, as the field recogniser reads them).
fn yaml_scalar(text: String, style: TScalarStyle) -> Value {
    if style != TScalarStyle::Plain {
        return Value::String(text);
    }
    match Yaml::from_str(&text) {
        Yaml::Integer(i) => Value::from(i),
        Yaml::Boolean(b) => Value::Bool(b),
        Yaml::Null => Value::Null,
        _ => Value::String(text),
    }
}

fn toml_object(content: &str) -> Result<Map<String, Value>, String> {
    let table: toml::Table = toml::from_str(content).map_err(|e| {
        let message = e.to_string();
        format!(
            "invalid TOML front matter: {}",
            message.lines().last().unwrap_or(&message).trim()
        )
    })?;
    Ok(table
        .into_iter()
        .map(|(k, v)| (k, toml_to_json(v)))
        .collect())
}

/// TOML values as JSON; dates become their RFC 3339 text.
fn toml_to_json(value: toml::Value) -> Value {
    match value {
        toml::Value::String(s) => Value::String(s),
        toml::Value::Integer(i) => Value::from(i),
        toml::Value::Float(f) => Value::from(f),
        toml::Value::Boolean(b) => Value::Bool(b),
        toml::Value::Datetime(d) => Value::String(d.to_string()),
        toml::Value::Array(items) => Value::Array(items.into_iter().map(toml_to_json).collect()),
        toml::Value::Table(table) => Value::Object(
            table
                .into_iter()
                .map(|(k, v)| (k, toml_to_json(v)))
                .collect(),
        ),
    }
}

/// A `# Heading` as the first non-blank line from `start`: its text and
/// the offset just after it.
fn leading_heading(text: &str, start: usize) -> Option<(&str, usize)> {
    let mut offset = start;
    for line in text[start..].split_inclusive('\n') {
        let trimmed = line.trim();
        if trimmed.is_empty() {
            offset += line.len();
            continue;
        }
        let heading = trimmed
            .strip_prefix("# ")?
            .trim()
            .trim_end_matches('#')
            .trim();
        return (!heading.is_empty()).then_some((heading, offset + line.len()));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Article, String> {
        parse_text_article(text, &FieldOverrides::default(), &mut Vec::new())
    }

    fn parse_md(text: &str) -> Result<Article, NotIndexed> {
        parse_markdown_article(text, &FieldOverrides::default(), &mut Vec::new())
    }

    #[test]
    fn yaml_front_matter_gives_date_title_url_author() {
        let text = "---\ntitle: \"Rates: up\"\ndate: 2024-01-25T10:00:00+01:00\nlink: https://example.com/a\nauthor: [Ann, Bo]\ntags: [x]\n---\n\nFirst para.\n\nSecond.\n";
        let article = parse(text).unwrap();
        assert_eq!(article.title.as_deref(), Some("Rates: up"));
        assert_eq!(
            article.date.unwrap().to_string(),
            "2024-01-25T10:00:00+01:00"
        );
        assert_eq!(article.date.unwrap().utc(), "2024-01-25T09:00:00Z");
        assert_eq!(article.date_source, Some(DateSource::FrontMatter));
        assert_eq!(
            article.date_text.as_deref(),
            Some("2024-01-25T10:00:00+01:00")
        );
        assert_eq!(article.url.as_deref(), Some("https://example.com/a"));
        assert_eq!(article.author.as_deref(), Some("Ann, Bo"));
        let got: Vec<_> = article
            .passages
            .iter()
            .map(|p| (p.text.as_str(), p.line))
            .collect();
        assert_eq!(got, [("First para.", 9), ("Second.", 11)]);
    }

    #[test]
    fn toml_front_matter_and_native_dates() {
        let text = "+++\ntitle = 'Old news'\npubDate = 1851-09-18\n+++\nThe first issue.\n";
        let article = parse(text).unwrap();
        assert_eq!(article.title.as_deref(), Some("Old news"));
        assert_eq!(article.date.unwrap().to_string(), "1851-09-18");
    }

    #[test]
    fn a_leading_heading_is_the_title_not_a_passage() {
        let article = parse("\n# Columbus lands\n\nLand was sighted.\n").unwrap();
        assert_eq!(article.title.as_deref(), Some("Columbus lands"));
        assert_eq!(article.passages.len(), 1);
        assert_eq!(article.passages[0].line, 4);
        let plain = parse("Just text.\n\n# Later heading\n").unwrap();
        assert_eq!(plain.title, None);
        assert_eq!(plain.passages.len(), 2);
    }

    proptest::proptest! {
        #[test]
        fn any_text_parses_without_panicking(text in "\\PC{0,200}", fence in "(---|\\+\\+\\+|# )") {
            let _ = parse(&format!("{fence}\n{text}"));
            let _ = parse(&text);
        }
    }

    fn passages(markdown: &str) -> Vec<(String, u32, PassageKind)> {
        parse_md(markdown)
            .unwrap()
            .passages
            .into_iter()
            .map(|p| (p.text, p.line, p.kind))
            .collect()
    }

    fn prose(text: &str, line: u32) -> (String, u32, PassageKind) {
        (text.to_string(), line, PassageKind::Prose)
    }

    #[test]
    fn markdown_is_indexed_as_the_text_a_reader_sees() {
        let text = "---\ntitle: T\n---\nSee [KubeCon North America] and **[the guide](https://x.io/g)** _now_.\n\n[KubeCon North America]: https://events.example/kcna\n\n## Getting started\n\nRun ![the gopher](g.png \"Gopher\") <b>today</b>.<br>\nThen rest.\n\n| Flag | Meaning |\n|------|---------|\n| `-v` | verbose |\n\n- one\n- two\n";
        assert_eq!(
            passages(text),
            [
                prose("See KubeCon North America and the guide now.", 4),
                prose("Getting started\nRun the gopher today.\nThen rest.", 8),
                prose("Flag · Meaning\n-v · verbose", 13),
                prose("one\ntwo", 17),
            ]
        );
    }

    #[test]
    fn an_image_captioned_with_its_own_alt_text_reads_once() {
        let text = "Intro.\n\n![Members at KubeCon Chicago](/a.jpg)\n*Members at KubeCon Chicago*\n\n![A map](/m.png)\n*Where we met*\n";
        assert_eq!(
            passages(text),
            [
                prose("Intro.", 1),
                prose("Members at KubeCon Chicago", 3),
                prose("A map\nWhere we met", 6),
            ]
        );
    }

    #[test]
    fn code_blocks_are_passages_of_their_own_with_their_lines() {
        let text = "Spawn a task:\n\n```rust\nfn main() {\n    tokio::spawn(work());\n}\n```\n\n    indented code\n    block\n\nDone.\n";
        assert_eq!(
            passages(text),
            [
                prose("Spawn a task:", 1),
                (
                    "fn main() {\n    tokio::spawn(work());\n}".to_string(),
                    4,
                    PassageKind::Code
                ),
                ("indented code\nblock".to_string(), 9, PassageKind::Code),
                prose("Done.", 12),
            ]
        );
    }

    #[test]
    fn template_directives_go_and_their_captions_stay() {
        let text = "Intro {{< ref \"other.md\" >}} text.\n\n{{< figure src=\"/a.png\" alt=\"Contributors in a group photo\" caption=\"All participants\" >}}\n\n{{% alert title=\"Note\" %}}\nMind the gap.\n{{% /alert %}}\n\n{{image \"x/y.png\" 850}}\n{{code \"pipelines/square.go\" `/func sq/` `/^}/`}}\n\nUse {% link _docs/x.md %} and `{% raw %}{{ site.url }}{% endraw %}`.\n\n{% highlight shell %}\n$ gem install jekyll\n{% endhighlight %}\n\n{{raw `\n\tfunc f() {}\n`}}\n\nKeep `{{.Title}}` in code.\n";
        assert_eq!(
            passages(text),
            [
                prose("Intro text.", 1),
                prose("All participants. Contributors in a group photo.", 3),
                prose("Note.\nMind the gap.", 5),
                prose("Use and {{ site.url }} .", 12),
                ("$ gem install jekyll".to_string(), 15, PassageKind::Code),
                ("func f() {}".to_string(), 19, PassageKind::Code),
                prose("Keep {{.Title}} in code.", 22),
            ]
        );
    }

    #[test]
    fn html_blocks_give_their_visible_text() {
        let text = "<div class=\"text-center\">\n<h2>Get Involved:</h2>\n\nCheck the <a href=\"/docs/\">contributor guide</a>.\n</div>\n\n<!--more-->\n<center><a href=\"x.jpg\"><img src=\"y.jpg\"></a></center>\n";
        assert_eq!(
            passages(text),
            [
                prose("Get Involved:", 2),
                prose("Check the contributor guide.", 4),
            ]
        );
    }

    #[test]
    fn redirect_stubs_and_empty_pages_are_left_out() {
        assert_eq!(
            parse_md("---\nredirect: /blog/cgo\n---\n").unwrap_err(),
            NotIndexed::LeftOut("redirect".into())
        );
        assert_eq!(
            parse_md("---\ntitle: Blog\nmenu:\n  main:\n    weight: 20\n---\n").unwrap_err(),
            NotIndexed::LeftOut("no body text".into())
        );
    }

    #[test]
    fn deep_front_matter_is_refused_without_overflowing_the_stack() {
        let flow = format!(
            "---\ntitle: {}x{}\n---\nbody\n",
            "[".repeat(100_000),
            "]".repeat(100_000)
        );
        assert!(parse_md(&flow).is_err());
        let block: String = (0..3_000)
            .map(|i| format!("{}- \n", "  ".repeat(i)))
            .collect();
        let block = format!("---\nk:\n{block}---\nbody\n");
        let error = parse_md(&block).unwrap_err();
        assert!(
            matches!(&error, NotIndexed::Skipped(r) if r.contains("deep")),
            "{error:?}"
        );
        let aliases = "---\na: &a [x, x, x, x]\nb: &b [*a, *a, *a, *a]\nc: [*b, *b, *b, *b]\ntitle: T\n---\nbody\n";
        assert_eq!(parse_md(aliases).unwrap().title.as_deref(), Some("T"));
    }

    #[test]
    fn deeply_nested_markdown_parses_in_time() {
        for text in [
            ">".repeat(100_000) + " quoted",
            "[".repeat(100_000) + "x" + &"]".repeat(100_000),
            "*a ".repeat(50_000),
            "- ".repeat(50_000) + "item",
            "{{".repeat(50_000),
            "{{< x ".repeat(20_000),
        ] {
            let started = std::time::Instant::now();
            let _ = parse_md(&text);
            assert!(
                started.elapsed() < std::time::Duration::from_secs(20),
                "{:?}",
                &text[..10]
            );
        }
    }

    proptest::proptest! {
        #[test]
        fn any_markdown_parses_without_panicking(
            parts in proptest::collection::vec(
                proptest::sample::select(vec!["# ", "## ", "> ", "- ", "1. ", "```", "    ", "|", "---",
                    "[", "]", "(", ")", "![", "*", "_", "`", "<div>", "</div>", "<br>", "{{<", ">}}",
                    "{{", "}}", "{%", "%}", "{% raw %}", "{% endraw %}", "word", " ", "\n", "\n\n", "é"]),
                0..120,
            )
        ) {
            let text = parts.concat();
            let _ = parse_md(&text);
            let stripped = strip_directives(&text);
            proptest::prop_assert_eq!(stripped.len(), text.len());
            proptest::prop_assert_eq!(stripped.matches('\n').count() <= text.matches('\n').count(), true);
        }
    }

    #[test]
    fn broken_front_matter_is_an_error_unless_never_closed() {
        let mut notes = Vec::new();
        let article = parse_text_article(
            "---\ntitle: x\nbody never closes",
            &FieldOverrides::default(),
            &mut notes,
        )
        .unwrap();
        assert_eq!(article.title, None);
        assert!(notes[0].contains("never closed"), "{notes:?}");
        assert!(
            parse("---\ntitle: [x\n---\nbody")
                .unwrap_err()
                .contains("YAML")
        );
        assert!(
            parse("+++\ntitle = \n+++\nbody")
                .unwrap_err()
                .contains("TOML")
        );
    }
}

#[cfg(test)]
mod front_matter_dates {
    use super::*;

    fn read(text: &str, fields: &FieldOverrides) -> (Article, Vec<String>) {
        let mut notes = Vec::new();
        let article = parse_text_article(text, fields, &mut notes).unwrap();
        (article, notes)
    }

    fn dated(text: &str) -> (String, &'static str) {
        let (article, _) = read(text, &FieldOverrides::default());
        (
            article.date.map(|d| d.to_string()).unwrap_or_default(),
            article.date_source.map_or("", DateSource::name),
        )
    }

    #[test]
    fn the_day_and_offset_are_kept_as_written() {
        let (article, _) = read(
            "---\ndate: 2013-11-04 21:46:02 -0600\n---\nBody.\n",
            &FieldOverrides::default(),
        );
        let date = article.date.unwrap();
        assert_eq!(date.to_string(), "2013-11-04T21:46:02-06:00");
        assert_eq!(date.day().to_string(), "2013-11-04");
        assert_eq!(date.utc(), "2013-11-05T03:46:02Z");
        assert_eq!(
            article.date_text.as_deref(),
            Some("2013-11-04 21:46:02 -0600")
        );
    }

    #[test]
    fn site_path_keys_date_a_post_after_the_date_keys() {
        assert_eq!(
            dated("+++\npath = \"2025/06/26/Rust-1.88.0\"\ntitle = \"x\"\n+++\nBody.\n"),
            ("2025-06-26".into(), "front-matter-path")
        );
        assert_eq!(
            dated("---\npermalink: /blog/2024/01/25/launch/\n---\nBody.\n"),
            ("2024-01-25".into(), "front-matter-permalink")
        );
        assert_eq!(
            dated("---\nurl: https://example.com/2023-05-01-notes.html\n---\nBody.\n"),
            ("2023-05-01".into(), "front-matter-url")
        );
        assert_eq!(
            dated("---\naliases: [/old, /2022/02/03/first]\n---\nBody.\n"),
            ("2022-02-03".into(), "front-matter-aliases")
        );
        assert_eq!(
            dated("---\nslug: 2021-07-08-hello\n---\nBody.\n"),
            ("2021-07-08".into(), "front-matter-slug")
        );
        // The date key wins; a year alone is no day.
        assert_eq!(
            dated("---\ndate: 2020-01-02\npath: 2025/06/26/x\n---\nBody.\n"),
            ("2020-01-02".into(), "front-matter")
        );
        assert_eq!(dated("---\nslug: \"2019\"\n---\nBody.\n"), ("".into(), ""));
    }

    #[test]
    fn a_field_override_names_any_key_even_a_path() {
        let fields = FieldOverrides::parse(&["date=path".into(), "title=headline".into()]).unwrap();
        let (article, _) = read(
            "+++\npath = \"2025/06/26/Rust-1.88.0\"\nheadline = \"H\"\ndate = 2020-01-01\n+++\nBody.\n",
            &fields,
        );
        assert_eq!(article.date.unwrap().to_string(), "2025-06-26");
        assert_eq!(
            article.date_source,
            Some(DateSource::FrontMatterPath(PathKey::Path))
        );
        assert_eq!(article.title.as_deref(), Some("H"));
    }

    #[test]
    fn near_iso_dates_are_read_and_unreadable_ones_kept_for_the_report() {
        assert_eq!(
            dated("---\ndate: 2024-4-09\n---\nBody.\n"),
            ("2024-04-09".into(), "front-matter")
        );
        let (article, _) = read(
            "---\ndate: 2024-13-40\n---\nBody.\n",
            &FieldOverrides::default(),
        );
        assert_eq!(article.date, None);
        let problem = article.date_problem.unwrap();
        assert_eq!(problem.to_string(), "date \"2024-13-40\" not understood");
        // A later date key still dates it, and the bad value is still kept.
        let (article, _) = read(
            "---\ndate: 0100-01-05\npublished: 2024-01-05\n---\nBody.\n",
            &FieldOverrides::default(),
        );
        assert_eq!(article.date.unwrap().to_string(), "2024-01-05");
        assert_eq!(
            article.date_problem.unwrap().problem,
            crate::ingest::DateProblem::OutOfRange
        );
        // No digit: not meant as a date, nothing to report.
        let (article, _) = read("---\ndate: soon\n---\nBody.\n", &FieldOverrides::default());
        assert_eq!(article.date_problem, None);
    }

    #[test]
    fn a_run_of_dashes_opens_yaml_with_a_note_and_trailing_spaces_are_fine() {
        let (article, notes) = read(
            "------\ntitle: \"Book club\"\ndate: 2024-02-22\n---\n\nLearning Kubernetes.\n",
            &FieldOverrides::default(),
        );
        assert_eq!(article.title.as_deref(), Some("Book club"));
        assert_eq!(article.date.unwrap().to_string(), "2024-02-22");
        assert_eq!(article.passages.len(), 1);
        assert_eq!(article.passages[0].line, 6);
        assert!(notes[0].contains("'------'"), "{notes:?}");
        let (article, notes) = read(
            "--- \r\ntitle: x\r\ndate: 2024-02-22\r\n---  \r\nBody.\r\n",
            &FieldOverrides::default(),
        );
        assert_eq!(article.title.as_deref(), Some("x"));
        assert!(notes.is_empty());
        // A rule line that opens no YAML is body text.
        let (article, notes) = read(
            "-----\nJust a rule.\n\n-----\nMore.\n",
            &FieldOverrides::default(),
        );
        assert_eq!(article.passages.len(), 2);
        assert_eq!(article.passages[0].line, 1);
        assert!(notes.is_empty());
    }
}
