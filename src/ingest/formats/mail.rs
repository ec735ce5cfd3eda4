//! Mail and Usenet messages (a single `.eml` file, or one message of an
//! mbox), parsed as MIME with mail-parser: RFC 2047 encoded words in the
//! headers, multipart bodies, quoted-printable and base64, declared
//! charsets.
//!
//! - `Subject:` is the title, `From:` the author, `Newsgroups:` the outlet,
//!   `Date:` the date, `Message-ID` the record id and identity (unless
//!   `--field` names other headers); the thread
//!   is the first of `References`, else `In-Reply-To`, else the message's
//!   own id, so a message and its replies share it.
//! - The body is the `text/plain` parts, else the `text/html` ones cleaned
//!   as pages are; attachments are named, not read.
//! - A patch the message carries (`git format-patch`, `diff -u`) is code,
//!   kept in passages of its own.
//! - Quoted text (`> ` lines, the `On … wrote:` line before them, a
//!   forwarded `-----Original Message-----`) is cut into passages of its
//!   own and marked, so near-copy grouping sees only the message's own
//!   words.
//!
//! Passages point into the file: for bodies sent as they are (7bit, 8bit)
//! the lines are exact; quoted-printable text is found by its first word;
//! base64 text points at the start of its part.

use mail_parser::{Encoding, Header, HeaderValue, Message, MessageParser, MimeHeaders, PartType};

use crate::ingest::dates::DateSource;
use crate::ingest::fields::FieldOverrides;
use crate::ingest::formats::html::html_passages;
use crate::ingest::{Article, Block, Passage, PassageKind, PassageSplitter, split_paragraphs};

/// Parses one message whose first byte is on line `first_line` of its file;
/// `fields` may name other headers for the date, title, author, URL or id.
pub fn parse_message(
    raw: &[u8],
    first_line: u32,
    fields: &FieldOverrides,
) -> Result<Article, String> {
    let message = MessageParser::default()
        .parse(raw)
        .ok_or("not a mail message (no header block)")?;
    let header = |name: &str| {
        message
            .header_raw(name)
            .map(unfold)
            .filter(|v| !v.is_empty())
    };
    // Headers are gathered as text only when `--field` names one.
    let pairs: Vec<(&str, String)> = if fields.names_any() {
        message
            .headers()
            .iter()
            .map(|h| (h.name.as_str(), header_text(raw, h)))
            .collect()
    } else {
        Vec::new()
    };
    let named = fields.pick(&pairs);
    let message_id = message.message_id().map(str::to_string);
    let thread = first_id(message.references())
        .or_else(|| first_id(message.in_reply_to()))
        .or_else(|| message_id.clone());
    let mut article = Article {
        title: named
            .title
            .map(unfold)
            .or_else(|| message.subject().map(unfold))
            .filter(|s| !s.is_empty()),
        author: named.author.map(unfold).or_else(|| {
            message.from().and_then(|from| from.first()).map(|addr| {
                match (addr.name.as_deref(), addr.address.as_deref()) {
                    (Some(name), Some(address)) if !name.is_empty() => {
                        format!("{name} <{address}>")
                    }
                    (_, Some(address)) => address.to_string(),
                    (Some(name), None) => name.to_string(),
                    (None, None) => String::new(),
                }
            })
        }),
        outlet: header("Newsgroups"),
        url: named.url.map(unfold),
        identity: message_id.as_ref().map(|id| format!("message-id:{id}")),
        record_id: named.id.map(unfold).or(message_id),
        thread,
        attachments: message
            .attachments()
            .map(|part| {
                part.attachment_name()
                    .map(str::to_string)
                    .unwrap_or_else(|| "(unnamed)".to_string())
            })
            .collect(),
        ..Article::default()
    };
    article.author = article.author.filter(|a| !a.is_empty());
    let date = match named.date {
        Some((name, written)) => Some((name.to_string(), unfold(written))),
        None => header("Date").map(|written| ("Date".to_string(), written)),
    };
    if let Some((name, written)) = date {
        fields.offer_date(&mut article, &name, &written, DateSource::Header);
    }
    let (passages, quoted) = body(&message, raw, first_line);
    article.passages = passages;
    article.quoted_passages = quoted;
    if article.passages.is_empty() {
        let subject = article
            .title
            .clone()
            .ok_or("message has neither a body nor a Subject:")?;
        article.passages.push(Passage::new(subject, first_line));
    }
    Ok(article)
}

/// A header's value as text: decoded when mail-parser read it as text
/// (RFC 2047 words), else as written, on one line.
fn header_text(raw: &[u8], header: &Header<'_>) -> String {
    match &header.value {
        HeaderValue::Text(text) => unfold(text),
        _ => raw
            .get(header.offset_start as usize..header.offset_end as usize)
            .map(|bytes| unfold(&String::from_utf8_lossy(bytes)))
            .unwrap_or_default(),
    }
}

/// Header values folded over several lines, on one line.
fn unfold(value: &str) -> String {
    value.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn first_id(value: &HeaderValue<'_>) -> Option<String> {
    value
        .as_text_list()
        .and_then(|ids| ids.first())
        .map(|id| id.trim().to_string())
        .filter(|id| !id.is_empty())
}

/// The passages of the message's text, and which of them quote.
fn body(message: &Message<'_>, raw: &[u8], first_line: u32) -> (Vec<Passage>, Vec<usize>) {
    let mut passages = Vec::new();
    let mut quoted = Vec::new();
    let text_parts: Vec<_> = message
        .text_body
        .iter()
        .filter_map(|&id| message.parts.get(id as usize))
        .filter(|part| matches!(part.body, PartType::Text(_)))
        .collect();
    for part in &text_parts {
        let PartType::Text(text) = &part.body else {
            continue;
        };
        let start = part_line(raw, part.offset_body, first_line);
        let (found, marks) = quoted_passages(text, start);
        let found = relocate(found, part.encoding, raw, part.offset_body, start);
        quoted.extend(marks.into_iter().map(|at| at + passages.len()));
        passages.extend(found);
    }
    if !passages.is_empty() {
        return (passages, quoted);
    }
    for &id in &message.html_body {
        let Some(part) = message.parts.get(id as usize) else {
            continue;
        };
        let PartType::Html(html) = &part.body else {
            continue;
        };
        let start = part_line(raw, part.offset_body, first_line);
        let found = html_passages(html).into_iter().map(|mut p| {
            p.line = if part.encoding == Encoding::None {
                start + p.line - 1
            } else {
                start
            };
            p
        });
        passages.extend(found);
    }
    (passages, quoted)
}

/// The line of the file on which byte `offset` of the message lies.
fn part_line(raw: &[u8], offset: u32, first_line: u32) -> u32 {
    let end = (offset as usize).min(raw.len());
    first_line + raw[..end].iter().filter(|&&b| b == b'\n').count() as u32
}

/// Puts each passage of an encoded part on the line of the file where it
/// is written: quoted-printable keeps most words as they are, so a
/// passage's first word is looked up in the part; base64 hides them, so
/// every passage points at the part's start.
fn relocate(
    mut passages: Vec<Passage>,
    encoding: Encoding,
    raw: &[u8],
    offset: u32,
    start: u32,
) -> Vec<Passage> {
    match encoding {
        Encoding::None => passages,
        Encoding::Base64 => {
            for passage in &mut passages {
                passage.line = start;
            }
            passages
        }
        Encoding::QuotedPrintable => {
            let source = String::from_utf8_lossy(raw.get(offset as usize..).unwrap_or_default());
            let mut from = 0;
            let mut line = start;
            for passage in &mut passages {
                let word = passage.text.split_whitespace().next().unwrap_or("");
                let word: String = word.chars().take_while(char::is_ascii).take(20).collect();
                if !word.is_empty()
                    && let Some(found) = source[from..].find(&word)
                {
                    line += source[from..from + found].matches('\n').count() as u32;
                    from += found;
                }
                passage.line = line;
            }
            passages
        }
    }
}

/// Whether a line of a plain-text body quotes another message.
fn is_quote(line: &str) -> bool {
    line.trim_start().starts_with('>')
}

/// An attribution line, said before quoted text: `On Mon, … Ann wrote:`.
fn is_attribution(line: &str) -> bool {
    let line = line.trim();
    line.ends_with("wrote:") || line.ends_with("writes:") || line.ends_with("a écrit :")
}

/// Splits a plain-text body into passages (lines counted from
/// `first_line`), cutting wherever quoting starts or stops, and returns
/// them with the places of the quoting ones: `> ` lines, the attribution
/// line before them, and everything after a forwarded message's
/// `-----Original Message-----`.
pub fn quoted_passages(text: &str, first_line: u32) -> (Vec<Passage>, Vec<usize>) {
    let lines: Vec<&str> = text.split('\n').collect();
    let next_is_quote = |from: usize| {
        lines[from..]
            .iter()
            .find(|l| !l.trim().is_empty())
            .is_some_and(|l| is_quote(l))
    };
    let mut kinds = Vec::with_capacity(lines.len());
    let mut forwarded = false;
    for (at, line) in lines.iter().enumerate() {
        forwarded |= line.trim().starts_with("-----Original Message-----");
        kinds.push(if line.trim().is_empty() {
            None
        } else {
            Some(forwarded || is_quote(line) || (is_attribution(line) && next_is_quote(at + 1)))
        });
    }
    let splitter = PassageSplitter::default();
    let mut passages = Vec::new();
    let mut quoted = Vec::new();
    let mut at = 0;
    while at < lines.len() {
        let Some(kind) = kinds[at] else {
            at += 1;
            continue;
        };
        let end = (at..lines.len())
            .find(|&i| kinds[i] == Some(!kind))
            .unwrap_or(lines.len());
        let segment = lines[at..end].join("\n");
        let line = first_line + at as u32;
        let found = if kind {
            let mut found = splitter.split(&segment, 0);
            for passage in &mut found {
                passage.line += line - 1;
            }
            found
        } else {
            own_passages(&segment, line)
        };
        for passage in found {
            if kind {
                quoted.push(passages.len());
            }
            passages.push(passage);
        }
        at = end;
    }
    (passages, quoted)
}

/// The passages of a message's own text (none of it quoted), whose first
/// line is `first_line` of the file: paragraphs at blank lines, and each
/// patch (from `diff --git`, `Index:` or `--- a/` to the signature line
/// `-- ` or the end) as code, its lines kept.
fn own_passages(text: &str, first_line: u32) -> Vec<Passage> {
    let mut blocks = Vec::new();
    let mut line = first_line;
    let mut region_start = (0, line);
    let mut in_patch = false;
    let mut offset = 0;
    let push = |blocks: &mut Vec<Block>, from: (usize, u32), to: usize, patch: bool| {
        let region = &text[from.0..to];
        if patch {
            blocks.push(Block {
                text: region.trim_end().to_string(),
                line: from.1,
                kind: PassageKind::Code,
            });
            return;
        }
        let mut at = (0, from.1);
        for (start, paragraph) in split_paragraphs(region) {
            let before = &region[at.0..start];
            at = (
                start,
                at.1 + before.bytes().filter(|&b| b == b'\n').count() as u32,
            );
            blocks.push(Block {
                text: paragraph.to_string(),
                line: at.1,
                kind: PassageKind::Prose,
            });
        }
    };
    for raw in text.split_inclusive('\n') {
        let content = raw.trim_end_matches(['\n', '\r']);
        let starts_patch = content.starts_with("diff --git ")
            || content.starts_with("Index: ")
            || (content.starts_with("--- a/") || content.starts_with("--- /dev/null"));
        let ends_patch = content == "-- ";
        if (!in_patch && starts_patch) || (in_patch && ends_patch) {
            push(&mut blocks, region_start, offset, in_patch);
            region_start = (offset, line);
            in_patch = !in_patch;
        }
        offset += raw.len();
        line += 1;
    }
    push(&mut blocks, region_start, offset, in_patch);
    PassageSplitter::default().split_blocks(&blocks)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(article: &Article) -> Vec<(&str, u32)> {
        article
            .passages
            .iter()
            .map(|p| (p.text.as_str(), p.line))
            .collect()
    }

    #[test]
    fn headers_give_title_author_group_and_date() {
        let text = "From: ann@example.org (Ann)\nSubject: Big amateur\n rockets\nNewsgroups: sci.space\nDate: Sat, 17 Apr 1993 02:42:51 GMT\nLines: 3\n\nI was reading.\n\nSecond para.\n";
        let article = parse_message(text.as_bytes(), 1, &FieldOverrides::default()).unwrap();
        assert_eq!(article.title.as_deref(), Some("Big amateur rockets"));
        assert_eq!(article.author.as_deref(), Some("Ann <ann@example.org>"));
        assert_eq!(article.outlet.as_deref(), Some("sci.space"));
        assert_eq!(article.date.unwrap().to_string(), "1993-04-17T02:42:51Z");
        assert_eq!(
            article.date_text.as_deref(),
            Some("Sat, 17 Apr 1993 02:42:51 GMT")
        );
        assert_eq!(article.date_source, Some(DateSource::Header));
        assert_eq!(
            texts(&article),
            [("I was reading.", 8), ("Second para.", 10)]
        );
    }

    #[test]
    fn multipart_alternative_quoted_printable_and_encoded_words() {
        let text = "Message-ID: <b@example.org>\r\n\
            In-Reply-To: <a@example.org>\r\n\
            References: <root@example.org> <a@example.org>\r\n\
            From: =?UTF-8?Q?Andr=C3=A9_M=C3=BCller?= <andre@example.org>\r\n\
            Subject: =?UTF-8?Q?Caf=C3=A9_prices?= rise\r\n\
            Date: Thu, 25 Jan 2024 10:00:00 +0100\r\n\
            MIME-Version: 1.0\r\n\
            Content-Type: multipart/mixed; boundary=\"outer\"\r\n\
            \r\n\
            --outer\r\n\
            Content-Type: multipart/alternative; boundary=\"alt\"\r\n\
            \r\n\
            --alt\r\n\
            Content-Type: text/plain; charset=utf-8\r\n\
            Content-Transfer-Encoding: quoted-printable\r\n\
            \r\n\
            Caf=C3=A9 prices rose again in Z=C3=BCrich this week, a long line that is =\r\n\
            softly broken.\r\n\
            \r\n\
            Second paragraph.\r\n\
            --alt\r\n\
            Content-Type: text/html; charset=utf-8\r\n\
            \r\n\
            <p>HTML version</p>\r\n\
            --alt--\r\n\
            --outer\r\n\
            Content-Type: application/pdf; name=\"report.pdf\"\r\n\
            Content-Disposition: attachment; filename=\"report.pdf\"\r\n\
            Content-Transfer-Encoding: base64\r\n\
            \r\n\
            JVBERi0xLjQK\r\n\
            --outer--\r\n";
        let article = parse_message(text.as_bytes(), 1, &FieldOverrides::default()).unwrap();
        assert_eq!(article.title.as_deref(), Some("Café prices rise"));
        assert_eq!(
            article.author.as_deref(),
            Some("André Müller <andre@example.org>")
        );
        assert_eq!(
            article.date.unwrap().to_string(),
            "2024-01-25T10:00:00+01:00"
        );
        assert_eq!(article.record_id.as_deref(), Some("b@example.org"));
        assert_eq!(
            article.identity.as_deref(),
            Some("message-id:b@example.org")
        );
        assert_eq!(article.thread.as_deref(), Some("root@example.org"));
        assert_eq!(article.attachments, ["report.pdf"]);
        let got = texts(&article);
        assert_eq!(got.len(), 2, "{got:?}");
        assert_eq!(
            got[0].0,
            "Café prices rose again in Zürich this week, a long line that is softly broken."
        );
        assert_eq!(got[0].1, 17);
        assert_eq!(got[1], ("Second paragraph.", 20));
    }

    #[test]
    fn an_html_only_message_is_cleaned_like_a_page() {
        let text = "From: a@b\nSubject: s\nContent-Type: text/html\n\n<html><body><nav>Menu</nav><p>Hello there.</p>\n<p>Bye.</p></body></html>\n";
        let article = parse_message(text.as_bytes(), 10, &FieldOverrides::default()).unwrap();
        assert_eq!(texts(&article), [("Hello there.", 14), ("Bye.", 15)]);
    }

    #[test]
    fn quoting_is_cut_into_passages_of_its_own_and_marked() {
        let body = "I agree with this.\nOn Mon, 1 Jan 2024, Ann wrote:\n> The parent said\n> many things.\nAnd one more point.\n\n-- \nBo";
        let (passages, quoted) = quoted_passages(body, 5);
        let got: Vec<_> = passages.iter().map(|p| (p.text.as_str(), p.line)).collect();
        assert_eq!(
            got,
            [
                ("I agree with this.", 5),
                (
                    "On Mon, 1 Jan 2024, Ann wrote:\n> The parent said\n> many things.",
                    6
                ),
                ("And one more point.", 9),
                ("-- \nBo", 11),
            ]
        );
        assert_eq!(quoted, [1]);
    }

    proptest::proptest! {
        #[test]
        fn any_message_parses_without_panicking(text in "\\PC{0,200}") {
            let _ = parse_message(format!("From: a\n{text}").as_bytes(), 1, &FieldOverrides::default());
            let _ = quoted_passages(&text, 1);
        }
    }

    #[test]
    fn a_patch_is_code_and_the_message_around_it_prose() {
        let text = "From: a\nSubject: [PATCH] blog: fix typo\n\nFix a typo in the post.\n\n---\n x.md | 2 +-\n\ndiff --git a/x.md b/x.md\n--- a/x.md\n+++ b/x.md\n@@ -1 +1 @@\n-[Go 1.22](/blog/go1.22) is ot\n+[Go 1.22](/blog/go1.22) is out\n-- \n2.45.0\n";
        let article = parse_message(text.as_bytes(), 1, &FieldOverrides::default()).unwrap();
        let got: Vec<_> = article
            .passages
            .iter()
            .map(|p| (p.text.as_str(), p.line, p.kind))
            .collect();
        assert_eq!(
            got,
            [
                ("Fix a typo in the post.", 4, PassageKind::Prose),
                ("---\n x.md | 2 +-", 6, PassageKind::Prose),
                (
                    "diff --git a/x.md b/x.md\n--- a/x.md\n+++ b/x.md\n@@ -1 +1 @@\n-[Go 1.22](/blog/go1.22) is ot\n+[Go 1.22](/blog/go1.22) is out",
                    9,
                    PassageKind::Code
                ),
                ("-- \n2.45.0", 15, PassageKind::Prose),
            ]
        );
    }

    #[test]
    fn no_date_header_means_undated() {
        let article = parse_message(
            b"From: a\nSubject: s\n\nbody\n",
            1,
            &FieldOverrides::default(),
        )
        .unwrap();
        assert_eq!(article.date, None);
        assert_eq!(article.date_source, None);
    }

    #[test]
    fn named_headers_override_the_usual_ones_and_bad_dates_are_kept() {
        let text = "From: a\nSubject: s\nDate: Tue, 02 Jan 2024 10:00:00 +0100\nX-Archived-At: 2023-12-31T23:30:00-12:00\nX-Topic: Rockets\n\nbody\n";
        let fields =
            FieldOverrides::parse(&["date=x-archived-at".into(), "title=X-Topic".into()]).unwrap();
        let article = parse_message(text.as_bytes(), 1, &fields).unwrap();
        assert_eq!(article.title.as_deref(), Some("Rockets"));
        let date = article.date.unwrap();
        assert_eq!(date.to_string(), "2023-12-31T23:30:00-12:00");
        assert_eq!(date.day().to_string(), "2023-12-31");
        let bad = parse_message(
            b"From: a\nDate: someday 99\n\nbody\n",
            1,
            &FieldOverrides::default(),
        )
        .unwrap();
        assert_eq!(bad.date, None);
        assert_eq!(
            bad.date_problem.unwrap().to_string(),
            "Date \"someday 99\" not understood"
        );
    }
}
