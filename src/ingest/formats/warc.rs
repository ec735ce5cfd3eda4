//! Web archives (WARC 1.0/1.1, plain or gzip, one gzip member a record as
//! crawlers write them, which the reader's multi-member gzip decoder reads
//! as one stream).
//!
//! [`WarcReader`] reads one record at a time: the `WARC/1.x` line, the
//! named fields, a blank line, then exactly `Content-Length` bytes. Only
//! `response` records are kept whole (up to the size limit); the others
//! (requests, metadata, warcinfo, revisits) are read past without being
//! held and counted. So a WARC of any size is read in constant memory.
//!
//! [`parse_warc_response`] then reads a kept record on its own (records are
//! parsed in parallel): its HTTP response must be a 2xx with an HTML body,
//! which is de-chunked, decompressed (gzip, deflate), decoded by its
//! declared charset and parsed as a page. The URL is `WARC-Target-URI`;
//! the date is the page's own (JSON-LD, meta tags, `<time>`), else
//! `WARC-Date` (`date_source: warc-date`); the URL is the page's identity,
//! so a page crawled again is updated, not repeated.

use std::io::{self, BufRead, Read};

use crate::ingest::dates::{DateSource, parse_date_text};
use crate::ingest::fields::FieldOverrides;
use crate::ingest::formats::html::parse_html;
use crate::ingest::{Article, RawRecord};

/// What [`WarcReader::next`] found.
pub enum WarcItem {
    /// A response record, whole.
    Response(RawRecord),
    /// A record left out, by kind (`request`, `metadata`, ...).
    LeftOut(String),
    /// Bytes that are not a record, or a record cut short.
    Bad(String),
}

/// Why a response record gives no article.
#[derive(Debug, PartialEq, Eq)]
pub enum NotAnArticle {
    /// Not an HTML page (an image, a redirect): counted by kind.
    LeftOut(String),
    /// Damaged: counted, with the first reason.
    Bad(String),
}

/// Reads WARC records one at a time, counting lines.
pub struct WarcReader {
    /// Lines read so far.
    line: u32,
    /// The size above which a response is read past rather than kept.
    max_record: u64,
    /// A version line found after stray bytes, which were reported first.
    pending: Option<(Vec<u8>, u32)>,
}

impl WarcReader {
    /// A reader keeping responses of at most `max_record` bytes.
    pub fn new(max_record: u64) -> WarcReader {
        WarcReader {
            line: 0,
            max_record,
            pending: None,
        }
    }

    /// The next record, or `None` at the end of the stream.
    pub fn next<R: BufRead>(&mut self, reader: &mut R) -> io::Result<Option<WarcItem>> {
        let mut line = Vec::new();
        let mut skipped = 0;
        // Blank lines end each record; anything else before a version line
        // is damage.
        let start = loop {
            if let Some((pending, at)) = self.pending.take() {
                line = pending;
                break at;
            }
            line.clear();
            if reader.read_until(b'\n', &mut line)? == 0 {
                return Ok((skipped > 0).then(|| {
                    WarcItem::Bad(format!("{skipped} line(s) of stray bytes at the end"))
                }));
            }
            self.line += 1;
            if line.starts_with(b"WARC/") {
                if skipped > 0 {
                    let at = self.line;
                    self.pending = Some((line, at));
                    return Ok(Some(WarcItem::Bad(format!(
                        "{skipped} line(s) of stray bytes before line {at}"
                    ))));
                }
                break self.line;
            }
            if !line.iter().all(u8::is_ascii_whitespace) {
                skipped += 1;
            }
        };
        let mut record = std::mem::take(&mut line);
        let mut kind = String::new();
        let mut length: Option<u64> = None;
        loop {
            line.clear();
            if reader.read_until(b'\n', &mut line)? == 0 {
                return Ok(Some(WarcItem::Bad(format!(
                    "record at line {start} ends inside its header"
                ))));
            }
            self.line += 1;
            record.extend_from_slice(&line);
            let text = String::from_utf8_lossy(&line);
            let text = text.trim_end();
            if text.is_empty() {
                break;
            }
            if let Some((name, value)) = text.split_once(':') {
                let value = value.trim();
                if name.eq_ignore_ascii_case("WARC-Type") {
                    kind = value.to_ascii_lowercase();
                } else if name.eq_ignore_ascii_case("Content-Length") {
                    length = value.parse().ok();
                }
            }
        }
        let Some(length) = length else {
            return Ok(Some(WarcItem::Bad(format!(
                "record at line {start} has no Content-Length"
            ))));
        };
        if kind != "response" || length > self.max_record {
            let read = self.skip(reader, length)?;
            if read < length {
                return Ok(Some(WarcItem::Bad(format!(
                    "record at line {start} is cut short"
                ))));
            }
            let kind = match kind.as_str() {
                "" => "records without a WARC-Type".to_string(),
                "response" => "responses over --max-file-size".to_string(),
                other => format!("{other} records"),
            };
            return Ok(Some(WarcItem::LeftOut(kind)));
        }
        let header_len = record.len();
        reader.take(length).read_to_end(&mut record)?;
        if ((record.len() - header_len) as u64) < length {
            return Ok(Some(WarcItem::Bad(format!(
                "record at line {start} is cut short"
            ))));
        }
        self.line += count_newlines(&record[header_len..]);
        Ok(Some(WarcItem::Response(RawRecord {
            bytes: record,
            line: start,
        })))
    }

    /// Reads past `length` bytes, counting their lines; returns how many
    /// there were.
    fn skip<R: BufRead>(&mut self, reader: &mut R, length: u64) -> io::Result<u64> {
        let mut left = length;
        while left > 0 {
            let buffer = reader.fill_buf()?;
            if buffer.is_empty() {
                break;
            }
            let n = buffer
                .len()
                .min(usize::try_from(left).unwrap_or(usize::MAX));
            self.line += count_newlines(&buffer[..n]);
            reader.consume(n);
            left -= n as u64;
        }
        Ok(length - left)
    }
}

fn count_newlines(bytes: &[u8]) -> u32 {
    bytes.iter().filter(|&&b| b == b'\n').count() as u32
}

/// The header block and the rest of `bytes` (split at the first blank
/// line), with the fields of the header block.
fn split_head(bytes: &[u8]) -> Option<(Vec<(String, String)>, usize)> {
    let mut offset = 0;
    let mut fields: Vec<(String, String)> = Vec::new();
    for line in bytes.split_inclusive(|&b| b == b'\n') {
        offset += line.len();
        let text = String::from_utf8_lossy(line);
        let text = text.trim_end();
        if text.is_empty() {
            return Some((fields, offset));
        }
        if text.starts_with([' ', '\t']) {
            if let Some((_, value)) = fields.last_mut() {
                value.push(' ');
                value.push_str(text.trim());
            }
        } else if let Some((name, value)) = text.split_once(':') {
            fields.push((name.trim().to_ascii_lowercase(), value.trim().to_string()));
        } else {
            fields.push((String::new(), text.to_string()));
        }
    }
    None
}

fn field<'a>(fields: &'a [(String, String)], name: &str) -> Option<&'a str> {
    fields
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

/// The article of one response record (from [`WarcReader`]).
pub fn parse_warc_response(
    record: &RawRecord,
    fields: &FieldOverrides,
) -> Result<Article, NotAnArticle> {
    let bad = |what: &str| NotAnArticle::Bad(format!("record at line {}: {what}", record.line));
    let left_out = |what: &str| NotAnArticle::LeftOut(what.to_string());
    let (warc, block_at) = split_head(&record.bytes).ok_or_else(|| bad("no header block"))?;
    let block = &record.bytes[block_at..];
    if !field(&warc, "content-type").is_some_and(|t| t.starts_with("application/http")) {
        return Err(left_out("responses that are not HTTP"));
    }
    let (http, body_at) = split_head(block).ok_or_else(|| bad("no HTTP header"))?;
    let status = http
        .first()
        .filter(|(name, _)| name.is_empty())
        .and_then(|(_, line)| line.split_whitespace().nth(1))
        .and_then(|code| code.parse::<u16>().ok())
        .ok_or_else(|| bad("no HTTP status line"))?;
    if !(200..300).contains(&status) {
        return Err(left_out("responses other than 2xx (redirects, errors)"));
    }
    let content_type = field(&http, "content-type")
        .unwrap_or("")
        .to_ascii_lowercase();
    if !(content_type.contains("html") || content_type.is_empty()) {
        return Err(left_out("responses that are not HTML"));
    }
    let raw_body = &block[body_at..];
    let mut body = std::borrow::Cow::Borrowed(raw_body);
    if field(&http, "transfer-encoding").is_some_and(|t| t.eq_ignore_ascii_case("chunked")) {
        body = dechunk(&body)
            .ok_or_else(|| bad("bad chunked encoding"))?
            .into();
    }
    match field(&http, "content-encoding").map(str::to_ascii_lowercase) {
        None => {}
        Some(e) if e == "identity" => {}
        Some(e) if e == "gzip" || e == "x-gzip" => {
            let mut out = Vec::new();
            flate2::read::MultiGzDecoder::new(&*body)
                .read_to_end(&mut out)
                .map_err(|e| bad(&format!("bad gzip body: {e}")))?;
            body = out.into();
        }
        Some(e) if e == "deflate" => {
            let mut out = Vec::new();
            flate2::read::ZlibDecoder::new(&*body)
                .read_to_end(&mut out)
                .map_err(|e| bad(&format!("bad deflate body: {e}")))?;
            body = out.into();
        }
        Some(_) => return Err(left_out("responses in an unsupported Content-Encoding")),
    }
    let transformed = body.len() != raw_body.len() || *body != *raw_body;
    if content_type.is_empty() && !looks_like_html(&body) {
        return Err(left_out("responses that are not HTML"));
    }
    let text = decode(&body, &content_type);
    let mut article = parse_html(&text, fields).map_err(|_| left_out("pages with no text"))?;
    let body_line = record.line + count_newlines(&record.bytes[..block_at + body_at]);
    for passage in &mut article.passages {
        passage.line = if transformed {
            body_line
        } else {
            body_line + passage.line - 1
        };
    }
    let target = field(&warc, "warc-target-uri").map(|u| u.trim_matches(['<', '>']).to_string());
    if let Some(target) = &target {
        article.identity = Some(format!("url:{target}"));
        article.url = Some(target.clone());
    }
    article.record_id =
        field(&warc, "warc-record-id").map(|id| id.trim_matches(['<', '>']).to_string());
    article.record_line = Some(record.line);
    if article.date.is_none()
        && let Some(written) = field(&warc, "warc-date")
        && let Some(date) = parse_date_text(written)
    {
        article.date = Some(date);
        article.date_source = Some(DateSource::WarcDate);
        article.date_text = Some(written.to_string());
    }
    Ok(article)
}

fn looks_like_html(body: &[u8]) -> bool {
    let head = String::from_utf8_lossy(&body[..body.len().min(1024)]).to_ascii_lowercase();
    head.contains("<html") || head.contains("<!doctype html") || head.contains("<body")
}

/// The body as text: by the charset the response declares, else UTF-8,
/// else Windows-1252.
fn decode(body: &[u8], content_type: &str) -> String {
    let declared = content_type
        .split(';')
        .find_map(|part| part.trim().strip_prefix("charset="))
        .and_then(|label| encoding_rs::Encoding::for_label(label.trim_matches('"').as_bytes()));
    match (declared, std::str::from_utf8(body)) {
        (None, Ok(text)) => text.to_string(),
        (Some(encoding), _) => encoding.decode_with_bom_removal(body).0.into_owned(),
        (None, Err(_)) => encoding_rs::WINDOWS_1252
            .decode_without_bom_handling(body)
            .0
            .into_owned(),
    }
}

/// An HTTP/1.1 chunked body, joined.
fn dechunk(mut body: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(body.len());
    loop {
        let end = body.iter().position(|&b| b == b'\n')?;
        let size_line = std::str::from_utf8(&body[..end]).ok()?;
        let size_text = size_line.split(';').next()?.trim();
        let size = usize::from_str_radix(size_text, 16).ok()?;
        body = &body[end + 1..];
        if size == 0 {
            return Some(out);
        }
        out.extend_from_slice(body.get(..size)?);
        body = body.get(size..)?;
        body = body.strip_prefix(b"\r").unwrap_or(body);
        body = body.strip_prefix(b"\n").unwrap_or(body);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(kind: &str, content_type: &str, block: &str) -> String {
        format!(
            "WARC/1.0\r\nWARC-Type: {kind}\r\nWARC-Target-URI: https://news.example/a\r\nWARC-Date: 2024-01-25T10:00:00Z\r\nWARC-Record-ID: <urn:uuid:1>\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\r\n{block}\r\n\r\n",
            block.len()
        )
    }

    fn read_all(text: &str) -> Vec<WarcItem> {
        let mut reader = WarcReader::new(1 << 20);
        let mut input = text.as_bytes();
        let mut items = Vec::new();
        while let Some(item) = reader.next(&mut input).unwrap() {
            items.push(item);
        }
        items
    }

    #[test]
    fn responses_are_kept_and_other_records_counted() {
        let page = "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<html><head><title>Storm</title></head><body>\n<p>A storm hit.</p>\n</body></html>";
        let text = [
            record("warcinfo", "application/warc-fields", "software: x\r\n"),
            record(
                "request",
                "application/http; msgtype=request",
                "GET /a HTTP/1.1\r\n\r\n",
            ),
            record("response", "application/http; msgtype=response", page),
            record("metadata", "application/warc-fields", "via: x\r\n"),
        ]
        .concat();
        let items = read_all(&text);
        assert_eq!(items.len(), 4);
        let kinds: Vec<String> = items
            .iter()
            .map(|item| match item {
                WarcItem::Response(r) => format!("response@{}", r.line),
                WarcItem::LeftOut(kind) => kind.clone(),
                WarcItem::Bad(reason) => reason.clone(),
            })
            .collect();
        assert_eq!(
            kinds,
            [
                "warcinfo records",
                "request records",
                "response@24",
                "metadata records"
            ]
        );
        let WarcItem::Response(response) = &items[2] else {
            unreachable!()
        };
        let article = parse_warc_response(response, &FieldOverrides::default()).unwrap();
        assert_eq!(article.title.as_deref(), Some("Storm"));
        assert_eq!(article.url.as_deref(), Some("https://news.example/a"));
        assert_eq!(
            article.identity.as_deref(),
            Some("url:https://news.example/a")
        );
        assert_eq!(article.record_id.as_deref(), Some("urn:uuid:1"));
        assert_eq!(article.date_source, Some(DateSource::WarcDate));
        assert_eq!(article.date.unwrap().to_string(), "2024-01-25T10:00:00Z");
        assert_eq!(article.passages[0].text, "A storm hit.");
        assert_eq!(article.passages[0].line, 36);
    }

    #[test]
    fn chunked_and_gzip_bodies_are_read_and_non_pages_left_out() {
        use std::io::Write;
        let html = "<html><body><p>Zipped page text.</p></body></html>";
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(html.as_bytes()).unwrap();
        let zipped = gz.finish().unwrap();
        let mut block = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec();
        block.extend_from_slice(format!("{:x}\r\n", zipped.len()).as_bytes());
        block.extend_from_slice(&zipped);
        block.extend_from_slice(b"\r\n0\r\n\r\n");
        let mut bytes = format!(
            "WARC/1.1\r\nWARC-Type: response\r\nContent-Type: application/http\r\nContent-Length: {}\r\n\r\n",
            block.len()
        )
        .into_bytes();
        bytes.extend_from_slice(&block);
        let article =
            parse_warc_response(&RawRecord { bytes, line: 1 }, &FieldOverrides::default()).unwrap();
        assert_eq!(article.passages[0].text, "Zipped page text.");
        let image = record(
            "response",
            "application/http",
            "HTTP/1.1 200 OK\r\nContent-Type: image/png\r\n\r\n\u{1}PNG",
        );
        let redirect = record(
            "response",
            "application/http",
            "HTTP/1.1 301 Moved\r\nLocation: /b\r\n\r\n",
        );
        for text in [image, redirect] {
            let raw = RawRecord {
                bytes: text.into_bytes(),
                line: 1,
            };
            assert!(matches!(
                parse_warc_response(&raw, &FieldOverrides::default()),
                Err(NotAnArticle::LeftOut(_))
            ));
        }
    }

    #[test]
    fn damage_is_skipped_up_to_the_next_record() {
        let good = record(
            "response",
            "application/http",
            "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n<p>Fine.</p>",
        );
        let text =
            format!("garbage\r\nmore\r\n{good}WARC/1.0\r\nWARC-Type: response\r\n\r\n{good}");
        let items = read_all(&text);
        let responses = items
            .iter()
            .filter(|i| matches!(i, WarcItem::Response(_)))
            .count();
        let bad = items
            .iter()
            .filter(|i| matches!(i, WarcItem::Bad(_)))
            .count();
        assert_eq!((responses, bad), (2, 2));
    }

    proptest::proptest! {
        #[test]
        fn any_bytes_read_without_panicking(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..300)) {
            let mut reader = WarcReader::new(1 << 20);
            let mut input = &bytes[..];
            let mut prefixed = b"WARC/1.0\r\nContent-Length: 5\r\n\r\n".to_vec();
            prefixed.extend_from_slice(&bytes);
            while let Ok(Some(item)) = reader.next(&mut input) {
                if let WarcItem::Response(r) = item { let _ = parse_warc_response(&r, &FieldOverrides::default()); }
            }
            let _ = parse_warc_response(&RawRecord { bytes: prefixed, line: 1 }, &FieldOverrides::default());
        }
    }
}
