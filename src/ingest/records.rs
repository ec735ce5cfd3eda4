//! Containers read record by record: JSON Lines, Reuters SGML, mailboxes
//! and web archives.
//!
//! A [`RecordStream`] cuts the file into [`RawRecord`]s (a line, a
//! `<REUTERS>` element, a message, a WARC response) without parsing them
//! and without holding more than one, so memory stays flat whatever the
//! file's size. A [`RecordParser`] turns one raw record into its article:
//! it needs nothing but the record, so the indexer parses records in
//! parallel. A [`RecordTally`] counts what the records gave (bad records,
//! records left out by kind, odd dates) and says it in notes at the end:
//! a bad record is skipped and counted, never the end of the file.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, BufRead, Read};
use std::sync::{Arc, Mutex};

use crate::date::ArticleDate;
use crate::ingest::detect::Format;
use crate::ingest::formats::json::parse_json_line;
use crate::ingest::formats::mbox::{MboxSplitter, parse_mbox_message};
use crate::ingest::formats::sgml::{SgmlRead, next_sgml_record, parse_record};
use crate::ingest::formats::warc::{NotAnArticle, WarcItem, WarcReader, parse_warc_response};
use crate::ingest::isolate::isolated;
use crate::ingest::lines::LineReader;
use crate::ingest::read::{FileDating, ReadOptions, UndatedPolicy};
use crate::ingest::{Article, InputFile};

/// One record of a container as it was read, not yet parsed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RawRecord {
    /// The record's bytes (a decoded line or element for JSON Lines and
    /// SGML; the bytes as written for mail and WARC).
    pub bytes: Vec<u8>,
    /// The 1-based line of the file on which it starts.
    pub line: u32,
}

/// Where a stream's bytes come from.
enum Source {
    /// Decoded line by line (JSON Lines, SGML).
    Lines(LineReader<Box<dyn BufRead + Send>>),
    /// Raw bytes (mail, WARC).
    Bytes(Box<dyn BufRead + Send>),
}

/// A container being read one record at a time.
pub struct RecordStream {
    format: Format,
    source: Source,
    mbox: MboxSplitter,
    warc: WarcReader,
    parser: RecordParser,
    /// What reading found before parsing: records left out, damage.
    tally: RecordTally,
    /// The file, read on to its end when the stream is finished, so the
    /// content hash covers every byte.
    rest: File,
    hasher: Arc<Mutex<xxhash_rust::xxh3::Xxh3>>,
}

/// What a finished stream says about its file.
#[derive(Debug, Default)]
pub struct StreamEnd {
    /// The xxh3 hash of the file's bytes as stored.
    pub content_hash: u64,
    /// Remarks: bad records, records left out, re-decoded text, odd dates.
    pub notes: Vec<String>,
    /// Articles the records gave.
    pub articles: usize,
    /// Undated articles left out under `--undated skip`.
    pub dropped_undated: usize,
    /// Why the file gave no article, when it gave none.
    pub empty_reason: Option<String>,
}

impl RecordStream {
    pub(crate) fn new(
        format: Format,
        reader: Box<dyn BufRead + Send>,
        parser: RecordParser,
        rest: File,
        hasher: Arc<Mutex<xxhash_rust::xxh3::Xxh3>>,
    ) -> RecordStream {
        let source = match format {
            Format::Jsonl | Format::Sgml => {
                Source::Lines(LineReader::new(reader).max_line(parser.options.max_file_size))
            }
            _ => Source::Bytes(reader),
        };
        let now_year = parser.options.now_year;
        RecordStream {
            format,
            source,
            mbox: MboxSplitter::default(),
            warc: WarcReader::new(parser.options.max_file_size),
            tally: RecordTally::new(now_year),
            parser,
            rest,
            hasher,
        }
    }

    /// The format of the container.
    pub fn format(&self) -> Format {
        self.format
    }

    /// A parser for this stream's records, to use on other threads.
    pub fn parser(&self) -> RecordParser {
        self.parser.clone()
    }

    /// The next records: at most `max_records`, or fewer once `max_bytes`
    /// are held; empty at the end of the file.
    pub fn next_batch(
        &mut self,
        max_records: usize,
        max_bytes: usize,
    ) -> Result<Vec<RawRecord>, String> {
        let mut batch = Vec::new();
        let mut bytes = 0;
        while batch.len() < max_records && bytes < max_bytes {
            match self.next_record()? {
                Some(record) => {
                    bytes += record.bytes.len();
                    batch.push(record);
                }
                None => break,
            }
        }
        Ok(batch)
    }

    fn next_record(&mut self) -> Result<Option<RawRecord>, String> {
        let max = self.parser.options.max_file_size;
        loop {
            let read_error = |e: io::Error| format!("cannot read: {e}");
            match (&mut self.source, self.format) {
                (Source::Lines(lines), Format::Jsonl) => {
                    let Some(line) = lines.next_line().map_err(read_error)? else {
                        return Ok(None);
                    };
                    if !line.trim().is_empty() {
                        return Ok(Some(RawRecord {
                            bytes: line.into_bytes(),
                            line: lines.line_no,
                        }));
                    }
                }
                (Source::Lines(lines), _) => {
                    return match next_sgml_record(lines).map_err(read_error)? {
                        Some(SgmlRead::Record(text, line)) => Ok(Some(RawRecord {
                            bytes: text.into_bytes(),
                            line,
                        })),
                        Some(SgmlRead::Unterminated(line)) => {
                            self.tally.notes.push(format!(
                                "record starting on line {line} has no </REUTERS>: ignored"
                            ));
                            Ok(None)
                        }
                        None => Ok(None),
                    };
                }
                (Source::Bytes(reader), Format::Mbox) => {
                    match self.mbox.next(reader, max).map_err(read_error)? {
                        None => return Ok(None),
                        Some(Ok(record)) => return Ok(Some(record)),
                        Some(Err(reason)) => self.tally.bad(reason),
                    }
                }
                (Source::Bytes(reader), _) => match self.warc.next(reader).map_err(read_error)? {
                    None => return Ok(None),
                    Some(WarcItem::Response(record)) => return Ok(Some(record)),
                    Some(WarcItem::LeftOut(kind)) => self.tally.left_out(kind),
                    Some(WarcItem::Bad(reason)) => self.tally.bad(reason),
                },
            }
        }
    }

    /// Ends the stream: reads the rest of the file for its hash and says
    /// what the records (counted in `tally`, merged with what reading
    /// found) gave.
    pub fn finish(mut self, mut tally: RecordTally) -> Result<StreamEnd, String> {
        if let Source::Lines(lines) = &self.source
            && let Some(line) = lines.first_recoded_line
        {
            self.tally.notes.push(format!(
                "not valid UTF-8 from line {line}: read as Windows-1252"
            ));
        }
        let mut rest = HashingTail {
            inner: &mut self.rest,
            hasher: &self.hasher,
        };
        io::copy(&mut rest, &mut io::sink()).map_err(|e| format!("cannot read: {e}"))?;
        let content_hash = self
            .hasher
            .lock()
            .map_err(|_| "the content hash was poisoned".to_string())?
            .digest();
        tally.merge(std::mem::replace(&mut self.tally, RecordTally::new(0)));
        let empty_reason = (tally.articles == 0).then(|| tally.empty_reason(self.format));
        Ok(StreamEnd {
            content_hash,
            articles: tally.articles,
            dropped_undated: tally.dropped_undated,
            notes: tally.notes(self.format),
            empty_reason,
        })
    }
}

/// Reads the rest of the file through the content hash.
struct HashingTail<'a> {
    inner: &'a mut File,
    hasher: &'a Mutex<xxhash_rust::xxh3::Xxh3>,
}

impl Read for HashingTail<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        if let Ok(mut hasher) = self.hasher.lock() {
            hasher.update(&buf[..n]);
        }
        Ok(n)
    }
}

/// What one record gave.
#[derive(Debug)]
pub enum ParsedRecord {
    /// An article to index.
    Article(Box<Article>),
    /// A record that is not an article (a WARC request, an image), by kind.
    LeftOut(String),
    /// A damaged record, and why.
    Bad(String),
    /// An article without a date, under `--undated skip` or `error`.
    Undated,
}

/// Parses records of one file; cheap to clone, usable from any thread.
#[derive(Clone)]
pub struct RecordParser {
    format: Format,
    options: ReadOptions,
    file: InputFile,
    dating: FileDating,
}

impl RecordParser {
    pub(crate) fn new(
        format: Format,
        options: &ReadOptions,
        file: &InputFile,
        dating: FileDating,
    ) -> RecordParser {
        RecordParser {
            format,
            options: options.clone(),
            file: file.clone(),
            dating,
        }
    }

    /// The article of one record, its dates settled as for any file.
    pub fn parse(&self, record: &RawRecord) -> ParsedRecord {
        isolated(|| self.parse_record(record)).unwrap_or_else(|message| {
            ParsedRecord::Bad(format!(
                "record at line {}: dateline failed on it ({message}); this is a bug, please report it",
                record.line
            ))
        })
    }

    fn parse_record(&self, record: &RawRecord) -> ParsedRecord {
        let parsed = match self.format {
            Format::Jsonl => {
                let text = String::from_utf8_lossy(&record.bytes);
                match parse_json_line(&text, &self.options.fields, record.line) {
                    Ok(Some(article)) => Ok(article),
                    Ok(None) => Err(ParsedRecord::LeftOut(
                        "records without text or title".to_string(),
                    )),
                    Err(reason) => Err(ParsedRecord::Bad(reason)),
                }
            }
            Format::Sgml => Ok(parse_record(
                &String::from_utf8_lossy(&record.bytes),
                record.line,
            )),
            Format::Mbox => parse_mbox_message(&record.bytes, record.line, &self.options.fields)
                .map_err(|reason| {
                    ParsedRecord::Bad(format!("message at line {}: {reason}", record.line))
                }),
            _ => parse_warc_response(record, &self.options.fields).map_err(|not| match not {
                NotAnArticle::LeftOut(kind) => ParsedRecord::LeftOut(kind),
                NotAnArticle::Bad(reason) => ParsedRecord::Bad(reason),
            }),
        };
        let mut article = match parsed {
            Ok(article) => article,
            Err(other) => return other,
        };
        self.dating.settle(&mut article, &self.file, self.format);
        if article.date.is_none() && self.options.undated != UndatedPolicy::Keep {
            return ParsedRecord::Undated;
        }
        ParsedRecord::Article(Box::new(article))
    }

    /// The undated policy records are parsed under.
    pub fn undated_policy(&self) -> UndatedPolicy {
        self.options.undated
    }
}

/// Counts what a container's records gave, for the notes on the file.
#[derive(Debug, Default)]
pub struct RecordTally {
    now_year: i16,
    articles: usize,
    bad: usize,
    first_bad: Option<String>,
    left_out: BTreeMap<String, usize>,
    empty_bodies: usize,
    suspicious: usize,
    first_suspicious: Option<(ArticleDate, Option<String>)>,
    dropped_undated: usize,
    notes: Vec<String>,
}

impl RecordTally {
    /// A tally that reports dates after `now_year + 1` as suspicious.
    pub fn new(now_year: i16) -> RecordTally {
        RecordTally {
            now_year,
            ..RecordTally::default()
        }
    }

    /// Counts one parsed record.
    pub fn count(&mut self, parsed: &ParsedRecord) {
        match parsed {
            ParsedRecord::Article(article) => {
                self.articles += 1;
                self.empty_bodies +=
                    usize::from(article.passages.iter().all(|p| p.text.is_empty()));
                if let Some(date) = article.date
                    && crate::ingest::dates::is_suspicious(&date, self.now_year)
                {
                    self.suspicious += 1;
                    self.first_suspicious
                        .get_or_insert_with(|| (date, article.record_id.clone()));
                }
            }
            ParsedRecord::LeftOut(kind) => self.left_out(kind.clone()),
            ParsedRecord::Bad(reason) => self.bad(reason.clone()),
            ParsedRecord::Undated => self.dropped_undated += 1,
        }
    }

    fn bad(&mut self, reason: String) {
        self.bad += 1;
        self.first_bad.get_or_insert(reason);
    }

    fn left_out(&mut self, kind: String) {
        *self.left_out.entry(kind).or_default() += 1;
    }

    fn merge(&mut self, other: RecordTally) {
        self.articles += other.articles;
        self.bad += other.bad;
        if self.first_bad.is_none() {
            self.first_bad = other.first_bad;
        }
        for (kind, n) in other.left_out {
            *self.left_out.entry(kind).or_default() += n;
        }
        self.empty_bodies += other.empty_bodies;
        self.dropped_undated += other.dropped_undated;
        self.notes.extend(other.notes);
    }

    fn empty_reason(&self, format: Format) -> String {
        if let Some(first) = &self.first_bad {
            return first.clone();
        }
        if self.dropped_undated > 0 {
            return "no recognisable date (--undated skip)".to_string();
        }
        match format {
            Format::Sgml => "no <REUTERS> records found".to_string(),
            Format::Mbox => "no messages found (no `From ` separator lines)".to_string(),
            Format::Warc if !self.left_out.is_empty() => {
                format!("no HTML pages among its records ({})", self.left_out_list())
            }
            _ => format!("no article text found (read as {format})"),
        }
    }

    fn left_out_list(&self) -> String {
        self.left_out
            .iter()
            .map(|(kind, n)| format!("{n} {kind}"))
            .collect::<Vec<_>>()
            .join(", ")
    }

    fn notes(mut self, format: Format) -> Vec<String> {
        if self.bad > 0 {
            let what = match format {
                Format::Jsonl => "bad JSON line(s)",
                Format::Mbox => "unreadable message(s)",
                _ => "damaged record(s)",
            };
            self.notes.push(format!(
                "{} {what} skipped; first: {}",
                self.bad,
                self.first_bad.as_deref().unwrap_or("")
            ));
        }
        if !self.left_out.is_empty() && self.articles > 0 {
            self.notes
                .push(format!("left out: {}", self.left_out_list()));
        }
        if format == Format::Sgml && self.empty_bodies > 0 {
            self.notes.push(format!(
                "{} record(s) with no text indexed with an empty body",
                self.empty_bodies
            ));
        }
        if let Some((date, record)) = self.first_suspicious {
            let record = record
                .map(|id| format!(" (record {id})"))
                .unwrap_or_default();
            self.notes.push(format!(
                "{} article(s) dated after {}: suspicious, indexed as written; first {date}{record}",
                self.suspicious,
                self.now_year + 1
            ));
        }
        if self.dropped_undated > 0 && self.articles > 0 {
            self.notes.push(format!(
                "{} undated article(s) left out (--undated skip)",
                self.dropped_undated
            ));
        }
        self.notes
    }
}
