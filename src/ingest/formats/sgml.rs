//! SGML news collections: Reuters-21578's `<REUTERS>` records.
//!
//! The `.sgm` files are not XML (a DTD, no root element, `&#5;`-style
//! references to control characters, one raw Latin-1 byte), so an XML parser
//! would reject them. The record structure is simple and flat, though, so a
//! line scanner reads one `<REUTERS …>…</REUTERS>` record at a time, which
//! also keeps memory flat on arbitrarily large files, and takes the
//! `<DATE>`, `<TITLE>`, `<AUTHOR>` and `<BODY>` elements out of each.
//! Character references are decoded after the text is split, so passage
//! line numbers still point into the file.

use std::io::BufRead;

use memchr::memmem;

use crate::ingest::dates::{DateSource, DayOrder, UnreadDate, parse_reuters_date, read_date};
use crate::ingest::lines::LineReader;
use crate::ingest::{Article, Passage, PassageSplitter};

/// What [`next_sgml_record`] found.
pub enum SgmlRead {
    /// A whole `<REUTERS …>…</REUTERS>` record and the line it starts on.
    Record(String, u32),
    /// A record that starts on this line and never ends.
    Unterminated(u32),
}

/// Reads the next `<REUTERS>` record of a stream, or `None` at the end.
pub fn next_sgml_record<R: BufRead>(
    lines: &mut LineReader<R>,
) -> std::io::Result<Option<SgmlRead>> {
    let mut record = String::new();
    let mut start_line = 0;
    while let Some(line) = lines.next_line()? {
        if start_line == 0 {
            if line.trim_start().starts_with("<REUTERS") {
                start_line = lines.line_no;
            } else {
                continue;
            }
        }
        record.push_str(&line);
        record.push('\n');
        if line.contains("</REUTERS>") {
            return Ok(Some(SgmlRead::Record(record, start_line)));
        }
    }
    Ok((start_line != 0).then_some(SgmlRead::Unterminated(start_line)))
}

/// One record, starting on line `start_line` of its file.
pub fn parse_record(record: &str, start_line: u32) -> Article {
    let open_tag_end = record.find('>').unwrap_or(record.len());
    let attributes = &record[..open_tag_end];
    let mut article = Article {
        record_id: attribute(attributes, "NEWID"),
        record_line: Some(start_line),
        title: element(record, "TITLE")
            .map(|(_, t)| clean(t))
            .filter(|t| !t.is_empty()),
        author: element(record, "AUTHOR")
            .map(|(_, t)| clean(t))
            .map(|t| t.strip_prefix("By ").unwrap_or(&t).to_string())
            .filter(|t| !t.is_empty()),
        ..Article::default()
    };
    if let Some((_, written)) = element(record, "DATE") {
        let written = clean(written);
        match parse_reuters_date(&written).ok_or_else(|| read_date(&written, DayOrder::Unknown)) {
            Ok(date) | Err(Ok(date)) => {
                article.date = Some(date);
                article.date_source = Some(DateSource::SgmlElement);
                article.date_text = Some(written);
            }
            Err(Err(problem)) if !written.is_empty() => {
                article.date_problem = Some(UnreadDate {
                    field: "<DATE>".to_string(),
                    value: written,
                    problem,
                });
            }
            Err(Err(_)) => {}
        }
    }
    let body = element(record, "BODY").or_else(|| unprocessed_text(record));
    if let Some((start, content)) = body {
        article.passages = passages(record, start, start + content.len(), start_line);
    }
    if article.passages.is_empty() {
        // A BRIEF record is only a headline: the headline is its text. A
        // record with no text at all is still an article of the collection
        // (it counts, it has a date) with one empty passage.
        let title = article.title.clone();
        let line =
            element(record, "TITLE").map_or(start_line, |(at, _)| line_at(record, at, start_line));
        article
            .passages
            .push(Passage::new(title.unwrap_or_default(), line));
    }
    article
}

/// Splits `record[start..end]` into passages. Reuters paragraphs begin
/// with an indented line rather than after a blank one.
fn passages(record: &str, start: usize, end: usize, start_line: u32) -> Vec<Passage> {
    let splitter = PassageSplitter::default();
    let mut out = Vec::new();
    let mut paragraph_start = start;
    // The record's line (from 1) that `paragraph_start` and `offset` are on.
    let mut paragraph_line = 1 + line_at(record, start, 0);
    let mut line_no = paragraph_line;
    let mut offset = start;
    for line in record[start..end].split_inclusive('\n') {
        if offset > paragraph_start && (line.starts_with("  ") || line.starts_with('\t')) {
            let paragraph = &record[paragraph_start..offset];
            out.extend(splitter.split_from_line(paragraph, paragraph_line));
            (paragraph_start, paragraph_line) = (offset, line_no);
        }
        offset += line.len();
        line_no += u32::from(line.ends_with('\n'));
    }
    let paragraph = &record[paragraph_start..end];
    out.extend(splitter.split_from_line(paragraph, paragraph_line));
    out.into_iter()
        .filter_map(|p| {
            let text = clean(&p.text);
            (!text.is_empty()).then(|| Passage::new(text, p.line + start_line - 1))
        })
        .collect()
}

/// The content of `<TEXT TYPE="UNPROC">` (or any `<TEXT>`) with tags
/// removed, for records that have no `<BODY>`.
fn unprocessed_text(record: &str) -> Option<(usize, &str)> {
    let (start, content) = element(record, "TEXT")?;
    // Other elements inside TEXT (TITLE, DATELINE) are already used.
    (!content.contains('<')).then_some((start, content))
}

/// `(byte offset of the content, content)` of the first `<NAME …>…</NAME>`.
fn element<'a>(record: &'a str, name: &str) -> Option<(usize, &'a str)> {
    let bytes = record.as_bytes();
    let open = format!("<{name}");
    let mut search = 0;
    let open_at = loop {
        let at = search + memmem::find(&bytes[search..], open.as_bytes())?;
        let next = bytes.get(at + open.len());
        if matches!(next, Some(b'>' | b' ')) {
            break at;
        }
        search = at + open.len();
    };
    let content_start = open_at + memchr::memchr(b'>', &bytes[open_at..])? + 1;
    let close = format!("</{name}>");
    let content_end = content_start + memmem::find(&bytes[content_start..], close.as_bytes())?;
    Some((content_start, &record[content_start..content_end]))
}

fn attribute(tag: &str, name: &str) -> Option<String> {
    let key = format!("{name}=\"");
    let start = tag.find(&key)? + key.len();
    let end = start + tag[start..].find('"')?;
    Some(tag[start..end].to_string())
}

fn line_at(record: &str, offset: usize, start_line: u32) -> u32 {
    start_line + record[..offset].bytes().filter(|&b| b == b'\n').count() as u32
}

/// Decodes character references and drops the control characters the
/// wire service used for framing, keeping line breaks.
fn clean(text: &str) -> String {
    // Most passages have neither; they need no copy but the trimmed one.
    if !text.contains('&')
        && !text
            .chars()
            .any(|c| c.is_control() && c != '\n' && c != '\t')
    {
        return text.trim().to_string();
    }
    let decoded = decode_references(text);
    let kept: String = decoded
        .chars()
        .filter(|&c| !c.is_control() || c == '\n' || c == '\t')
        .collect();
    kept.trim().to_string()
}

/// Decodes `&#N;`, `&#xN;` and the named references SGML news uses; an
/// unknown name is left as written.
fn decode_references(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let end = rest[1..].find(';').map(|e| e + 1).filter(|&e| e <= 10);
        let decoded = end.and_then(|end| {
            let name = &rest[1..end];
            let c = match name {
                "lt" => '<',
                "gt" => '>',
                "amp" => '&',
                "quot" => '"',
                "apos" => '\'',
                "nbsp" => '\u{a0}',
                _ => {
                    let number = name.strip_prefix('#')?;
                    let code = match number.strip_prefix(['x', 'X']) {
                        Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                        None => number.parse().ok()?,
                    };
                    char::from_u32(code)?
                }
            };
            Some((c, end + 1))
        });
        match decoded {
            Some((c, len)) => {
                out.push(c);
                rest = &rest[len..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = r#"<!DOCTYPE lewis SYSTEM "lewis.dtd">
<REUTERS TOPICS="YES" NEWID="1">
<DATE>26-FEB-1987 15:01:01.79</DATE>
<TOPICS><D>cocoa</D></TOPICS>
<TEXT>&#2;
<TITLE>BAHIA COCOA REVIEW</TITLE>
<DATELINE>    SALVADOR, Feb 26 - </DATELINE><BODY>Showers continued in
the Bahia cocoa zone &lt;and&gt; more.
    The dry period means the temporao will be late.
 Reuter
&#3;</BODY></TEXT>
</REUTERS>
<REUTERS NEWID="2">
<DATE> 2-MAR-1987 10:00:00.00</DATE>
<TEXT TYPE="BRIEF">&#2;
******<TITLE>BRIEF HEADLINE ONLY
</TITLE>
&#3;
</TEXT>
</REUTERS>
<REUTERS NEWID="4">
<DATE> 3-APR-1987 07:09:06.48</DATE>
<TEXT TYPE="UNPROC">&#2;
&#3;
</TEXT>
</REUTERS>
<REUTERS NEWID="3">
<DATE>31-MAR-1987 605:12:19.12</DATE>
<TEXT TYPE="UNPROC">&#2;
unprocessed text here
&#31;&#31;
</TEXT>
</REUTERS>
"#;

    #[test]
    fn every_record_becomes_an_article() {
        let mut lines = LineReader::new(SAMPLE.as_bytes());
        let mut articles = Vec::new();
        while let Some(read) = next_sgml_record(&mut lines).unwrap() {
            let SgmlRead::Record(record, line) = read else {
                panic!("every record ends")
            };
            articles.push(parse_record(&record, line));
        }
        assert_eq!(articles.len(), 4);
        assert_eq!(articles[2].passages[0].text, "");
        articles.remove(2);
        let first = &articles[0];
        assert_eq!(first.record_id.as_deref(), Some("1"));
        assert_eq!(first.record_line, Some(2));
        assert_eq!(first.title.as_deref(), Some("BAHIA COCOA REVIEW"));
        assert_eq!(first.date.unwrap().to_string(), "1987-02-26T15:01:01Z");
        assert_eq!(first.date_text.as_deref(), Some("26-FEB-1987 15:01:01.79"));
        let got: Vec<_> = first
            .passages
            .iter()
            .map(|p| (p.text.as_str(), p.line))
            .collect();
        assert_eq!(
            got,
            [
                ("Showers continued in\nthe Bahia cocoa zone <and> more.", 7),
                (
                    "The dry period means the temporao will be late.\n Reuter",
                    9
                )
            ]
        );
        assert_eq!(articles[1].passages[0].text, "BRIEF HEADLINE ONLY");
        assert_eq!(articles[1].passages[0].line, 16);
        assert_eq!(articles[2].date.unwrap().to_string(), "1987-03-31");
        assert_eq!(articles[2].passages[0].text, "unprocessed text here");
    }

    proptest::proptest! {
        #[test]
        fn any_record_text_parses_without_panicking(body in "\\PC{0,200}", tag in "(DATE|TITLE|BODY|TEXT|AUTHOR)") {
            let text = format!("<REUTERS NEWID=\"9\">\n<{tag}>{body}</{tag}>\n{body}\n</REUTERS>\n");
            let _ = parse_record(&text, 1);
            let _ = decode_references(&body);
        }
    }

    #[test]
    fn references_decode() {
        assert_eq!(
            decode_references("a &lt;b&gt; &amp; &#65;&#x42; &bogus; & c"),
            "a <b> & AB &bogus; & c"
        );
    }
}
