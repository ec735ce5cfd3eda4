//! Reading one file into its articles: open (through gzip), refuse binary
//! and oversized files, decode, detect the format, parse, then settle each
//! article's date by the documented order and the undated policy.

use std::fs::File;
use std::io::{self, BufReader, Cursor, Read};
use std::path::Path;
use std::sync::{Arc, Mutex};

use crate::date::{ArticleDate, DatePrecision};
use crate::ingest::dates::{DateSource, date_from_path, is_suspicious};
use crate::ingest::detect::{
    Format, binary_reason, detect_binary_container, detect_format, is_configuration,
    non_article_markup,
};
use crate::ingest::fields::FieldOverrides;
use crate::ingest::formats::{feed, html, json, mail, markdown, pdf};
use crate::ingest::isolate::isolated;
use crate::ingest::lines::{declared_encoding, decode_declared, utf16_encoding};
use crate::ingest::records::{ParsedRecord, RecordParser, RecordStream, RecordTally};
use crate::ingest::select::{is_article_extension, kind_of};
use crate::ingest::{Article, InputFile, NotIndexed, Skipped, parse_reference_article};

/// How many bytes are read to detect a file's format.
const HEAD_BYTES: u64 = 16 * 1024;

/// The default `--max-file-size`: 64 MiB.
pub const DEFAULT_MAX_FILE_SIZE: u64 = 64 * 1024 * 1024;

/// What to do with an article that has no recognisable date.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum UndatedPolicy {
    /// Leave it out, and say so.
    Skip,
    /// Index it without a date: any date filter excludes it.
    #[default]
    Keep,
    /// Refuse the file and end the run with an error.
    Error,
}

/// How files are read.
#[derive(Clone, Debug)]
pub struct ReadOptions {
    /// What to do with undated articles.
    pub undated: UndatedPolicy,
    /// Use the file's modification time when nothing else gives a date.
    pub date_from_mtime: bool,
    /// Files larger than this are skipped, except record streams.
    pub max_file_size: u64,
    /// JSON field names that override the recognised ones.
    pub fields: FieldOverrides,
    /// The current year: dates after the next one are reported.
    pub now_year: i16,
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            undated: UndatedPolicy::Keep,
            date_from_mtime: false,
            max_file_size: DEFAULT_MAX_FILE_SIZE,
            fields: FieldOverrides::default(),
            now_year: jiff::ZonedDateTime::now().year(),
        }
    }
}

/// The articles read from one file, with what is worth telling the user.
#[derive(Clone, Debug, Default)]
pub struct FileArticles {
    /// The articles to index.
    pub articles: Vec<Article>,
    /// The format the file was read as.
    pub format: Format,
    /// Non-fatal problems: a re-decoded encoding, bad records, odd dates.
    pub notes: Vec<String>,
    /// Undated articles refused under `--undated error`; when non-zero the
    /// file must not be indexed.
    pub rejected_undated: usize,
    /// Undated articles left out under `--undated skip`.
    pub dropped_undated: usize,
    /// Set when the file is not an article (an image, a redirect, an index
    /// page, ...): the kind it is counted under; `articles` is empty.
    pub left_out: Option<String>,
    /// The xxh3 hash of the file's bytes as stored (before any gzip
    /// decompression), computed while reading it, so the indexer need not
    /// read the file a second time.
    pub content_hash: u64,
}

/// Hashes the bytes read through it, into a hasher the record stream
/// shares (it reads the file's tail through the same hasher at the end).
struct HashingReader {
    inner: File,
    hasher: Arc<Mutex<xxhash_rust::xxh3::Xxh3>>,
}

impl Read for HashingReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        if let Ok(mut hasher) = self.hasher.lock() {
            hasher.update(&buf[..n]);
        }
        Ok(n)
    }
}

/// An opened file: its articles, or its records to read one at a time.
pub enum Reading {
    /// A file read whole.
    Articles(FileArticles),
    /// A container (JSON Lines, SGML, mbox, WARC) to read record by record.
    Records(Box<RecordStream>),
}

/// The xxh3 hash of a file's bytes as stored, as [`FileArticles`] and
/// [`crate::ingest::StreamEnd`] give it: a changed modification time with
/// the same hash means the content did not change.
pub fn content_hash(path: &Path) -> io::Result<u64> {
    let mut file = File::open(path)?;
    let mut hasher = xxhash_rust::xxh3::Xxh3::new();
    let mut buffer = vec![0u8; 256 * 1024];
    loop {
        let n = file.read(&mut buffer)?;
        if n == 0 {
            return Ok(hasher.digest());
        }
        hasher.update(&buffer[..n]);
    }
}

/// Reads and parses one input file into its articles (a container's
/// records all at once).
///
/// Every failure is a [`Skipped`] with the reason, never a panic: one bad
/// file must not stop a run over thousands.
pub fn read_articles(file: &InputFile, options: &ReadOptions) -> Result<FileArticles, Skipped> {
    let metadata = std::fs::metadata(&file.source).map_err(|e| Skipped {
        path: file.source.clone(),
        reason: format!("cannot read: {e}"),
    })?;
    read_articles_with(file, options, &metadata)
}

/// [`read_articles`] with the file's metadata already at hand (the indexer
/// has it from deciding whether the file changed), saving a `stat`.
///
/// The parse is isolated: a panic in any parser costs this file only, as
/// a skip saying so.
pub fn read_articles_with(
    file: &InputFile,
    options: &ReadOptions,
    metadata: &std::fs::Metadata,
) -> Result<FileArticles, Skipped> {
    let mut stream = match open_file(file, options, metadata)? {
        Reading::Articles(read) => return Ok(read),
        Reading::Records(stream) => stream,
    };
    let skipped = |reason: String| Skipped {
        path: file.source.clone(),
        reason,
    };
    let parser = stream.parser();
    let mut tally = RecordTally::new(options.now_year);
    let mut articles = Vec::new();
    let mut rejected_undated = 0;
    loop {
        let batch = stream.next_batch(1024, 16 << 20).map_err(skipped)?;
        if batch.is_empty() {
            break;
        }
        for record in &batch {
            let parsed = parser.parse(record);
            tally.count(&parsed);
            match parsed {
                ParsedRecord::Article(article) => articles.push(*article),
                ParsedRecord::Undated if options.undated == UndatedPolicy::Error => {
                    rejected_undated += 1;
                }
                _ => {}
            }
        }
    }
    let format = stream.format();
    let end = stream.finish(tally).map_err(skipped)?;
    if rejected_undated > 0 {
        articles.clear();
    } else if let Some(reason) = end.empty_reason {
        return Err(skipped(reason));
    }
    Ok(FileArticles {
        articles,
        format,
        notes: end.notes,
        rejected_undated,
        dropped_undated: end.dropped_undated,
        left_out: None,
        content_hash: end.content_hash,
    })
}

/// Opens one input file: a file of one or a few articles is read and
/// parsed whole (within `--max-file-size`); a container is returned as a
/// [`RecordStream`], to be read record by record.
pub fn open_file(
    file: &InputFile,
    options: &ReadOptions,
    metadata: &std::fs::Metadata,
) -> Result<Reading, Skipped> {
    let skipped = |reason: String| Skipped {
        path: file.source.clone(),
        reason,
    };
    match isolated(|| open(file, options, metadata)) {
        Ok(Ok(read)) => Ok(read),
        Ok(Err(NotIndexed::Skipped(reason))) => Err(skipped(reason)),
        Ok(Err(NotIndexed::LeftOut(kind))) => Ok(Reading::Articles(FileArticles {
            left_out: Some(kind),
            ..FileArticles::default()
        })),
        Err(message) => Err(skipped(format!(
            "dateline failed on this file ({message}); this is a bug, please report it"
        ))),
    }
}

fn open(
    file: &InputFile,
    options: &ReadOptions,
    metadata: &std::fs::Metadata,
) -> Result<Reading, NotIndexed> {
    let cannot_read = |e: io::Error| NotIndexed::Skipped(format!("cannot read: {e}"));
    let handle = File::open(&file.source).map_err(cannot_read)?;
    let rest = handle.try_clone().map_err(cannot_read)?;
    let hasher = Arc::new(Mutex::new(xxhash_rust::xxh3::Xxh3::new()));
    let opened = HashingReader {
        inner: handle,
        hasher: Arc::clone(&hasher),
    };
    let mut reader: Box<dyn Read + Send> = Box::new(opened);
    let mut head = read_head(&mut reader).map_err(cannot_read)?;
    let compressed = head.starts_with(&[0x1f, 0x8b]);
    if compressed {
        let stream = Cursor::new(std::mem::take(&mut head)).chain(reader);
        reader = Box::new(flate2::read::MultiGzDecoder::new(stream));
        head = read_head(&mut reader)
            .map_err(|e| NotIndexed::Skipped(format!("cannot decompress: {e}")))?;
    }
    let kind = || kind_of(&file.source);
    if head.iter().all(u8::is_ascii_whitespace) {
        return Err(NotIndexed::LeftOut("empty".to_string()));
    }
    let utf16 = utf16_encoding(&head);
    let format = match detect_binary_container(&head) {
        Some(format) => format,
        None => {
            if let Some(reason) = binary_reason(&head).filter(|_| utf16.is_none()) {
                // A binary file named like an article is a surprise worth a
                // reason; one named otherwise (or not at all) is just not text.
                return Err(match kind() {
                    Some(kind) if !is_article_extension(&kind) => NotIndexed::LeftOut(kind),
                    Some(_) => NotIndexed::Skipped(reason),
                    None => NotIndexed::LeftOut("binary".to_string()),
                });
            }
            let head_text = match utf16 {
                Some(encoding) => encoding.decode_with_bom_removal(&head).0,
                None => String::from_utf8_lossy(&head),
            };
            if let Some(other) = non_article_markup(&head_text) {
                return Err(NotIndexed::LeftOut(
                    kind().unwrap_or_else(|| other.to_string()),
                ));
            }
            let format = detect_format(&head_text, &file.source)?;
            // Text named as no article format says it is one only by its
            // content: configuration is left out (a `#` comment first
            // reads as a Markdown heading).
            if matches!(format, Format::Text | Format::Markdown)
                && kind().is_none_or(|kind| !is_article_extension(&kind))
                && is_configuration(&head_text)
            {
                return Err(NotIndexed::LeftOut(
                    kind().unwrap_or_else(|| "configuration".to_string()),
                ));
            }
            format
        }
    };
    let mut reader: Box<dyn Read + Send> = Box::new(Cursor::new(head).chain(reader));
    let dating = FileDating::new(file, options, metadata);
    if format.is_stream() {
        if let Some(encoding) = utf16 {
            // Records are cut from UTF-8 text: a UTF-16 container is
            // decoded whole first (within --max-file-size).
            let bytes = read_within(reader, metadata, options.max_file_size)?;
            let text = encoding.decode_with_bom_removal(&bytes).0.into_owned();
            reader = Box::new(Cursor::new(text.into_bytes()));
        }
        let parser = RecordParser::new(format, options, file, dating);
        let reader = Box::new(BufReader::with_capacity(256 * 1024, reader));
        return Ok(Reading::Records(Box::new(RecordStream::new(
            format, reader, parser, rest, hasher,
        ))));
    }
    let mut notes = Vec::new();
    let articles = {
        let bytes = read_within(reader, metadata, options.max_file_size)?;
        match format {
            Format::Pdf => Ok(vec![pdf::parse_pdf(&bytes, &mut notes)?]),
            Format::Mail => Ok(vec![mail::parse_message(&bytes, 1, &options.fields)?]),
            _ => {
                let declared = match format {
                    Format::Html => declared_encoding(&bytes),
                    _ => utf16,
                };
                let text = decode_declared(&bytes, declared, &mut notes);
                parse_text(format, &text, options, &mut notes)
            }
        }?
    };
    // Whatever the parser left unread still counts in the content hash.
    let mut tail = HashingReader {
        inner: rest,
        hasher: Arc::clone(&hasher),
    };
    std::io::copy(&mut tail, &mut io::sink()).map_err(cannot_read)?;
    let content_hash = hasher
        .lock()
        .map_err(|_| NotIndexed::Skipped("the content hash was poisoned".to_string()))?
        .digest();
    let mut read = FileArticles {
        articles,
        format,
        notes,
        content_hash,
        ..FileArticles::default()
    };
    settle_dates(&mut read, &dating, file, options);
    apply_undated_policy(&mut read, options.undated);
    if read.articles.is_empty() && read.rejected_undated == 0 {
        let reason = if read.dropped_undated > 0 {
            "no recognisable date (--undated skip)".to_string()
        } else {
            format!("no article text found (read as {format})")
        };
        return Err(reason.into());
    }
    Ok(Reading::Articles(read))
}

/// The reason given for a file refused under `--undated error`.
pub fn undated_rejection(read: &FileArticles) -> String {
    format!(
        "{} article(s) without a recognisable date (--undated error); add a date or use --undated keep",
        read.rejected_undated
    )
}

fn parse_text(
    format: Format,
    text: &str,
    options: &ReadOptions,
    notes: &mut Vec<String>,
) -> Result<Vec<Article>, NotIndexed> {
    match format {
        Format::Reference => {
            let parsed = parse_reference_article(text).map_err(|e| e.to_string())?;
            Ok(vec![Article {
                date: Some(parsed.date),
                date_source: Some(DateSource::DateLine),
                date_text: Some(parsed.date.to_string()),
                passages: parsed.passages,
                ..Article::default()
            }])
        }
        Format::Markdown => {
            markdown::parse_markdown_article(text, &options.fields, notes).map(|a| vec![a])
        }
        Format::Text => Ok(vec![markdown::parse_text_article(
            text,
            &options.fields,
            notes,
        )?]),
        Format::Json => Ok(json::parse_json(text, &options.fields, notes)?),
        Format::Html => html::parse_html(text, &options.fields).map(|a| vec![a]),
        Format::Feed => Ok(feed::parse_feed(text, notes)?),
        Format::Mail => Ok(vec![mail::parse_message(
            text.as_bytes(),
            1,
            &options.fields,
        )?]),
        Format::Jsonl | Format::Sgml | Format::Mbox | Format::Warc | Format::Pdf => {
            Err(format!("{format} is not read as text").into())
        }
    }
}

/// The dates a file offers its articles when they carry none: from its
/// path, or (when asked) its modification time.
#[derive(Clone, Debug)]
pub struct FileDating {
    path_date: Option<(ArticleDate, bool)>,
    mtime: Option<ArticleDate>,
}

impl FileDating {
    pub(crate) fn new(
        file: &InputFile,
        options: &ReadOptions,
        metadata: &std::fs::Metadata,
    ) -> FileDating {
        FileDating {
            path_date: date_from_path(&file.relative),
            mtime: options
                .date_from_mtime
                .then(|| metadata.modified().ok())
                .flatten()
                .and_then(|t| jiff::Timestamp::try_from(t).ok())
                .map(|t| ArticleDate::from_stored(t.as_second(), DatePrecision::Second)),
        }
    }

    /// Fills in what the parsers leave to the file level: paths, format,
    /// and the date fallbacks.
    pub(crate) fn settle(&self, article: &mut Article, file: &InputFile, format: Format) {
        article.source = file.source.clone();
        article.relative = file.relative.clone();
        article.format = format;
        if article.date.is_some() {
            return;
        }
        if let Some((date, from_name)) = self.path_date {
            article.date = Some(date);
            article.date_source = Some(if from_name {
                DateSource::FileName
            } else {
                DateSource::Folders
            });
            article.date_text = Some(file.relative.to_string_lossy().into_owned());
        } else if let Some(date) = self.mtime {
            article.date = Some(date);
            article.date_source = Some(DateSource::Mtime);
            article.date_text = Some(date.to_string());
        }
    }
}

/// Settles every article's date (see [`FileDating::settle`]) and notes
/// suspicious dates.
fn settle_dates(
    read: &mut FileArticles,
    dating: &FileDating,
    file: &InputFile,
    options: &ReadOptions,
) {
    let mut suspicious = 0;
    let mut first_suspicious = None;
    let mut unread = 0;
    let mut first_unread = None;
    for article in &mut read.articles {
        dating.settle(article, file, read.format);
        if let Some(problem) = &article.date_problem {
            unread += 1;
            first_unread.get_or_insert_with(|| {
                let record = record_label(&article.record_id);
                format!("{record}{problem}; {}", dated_instead(article.date_source))
            });
        }
        if let Some(date) = article.date
            && is_suspicious(&date, options.now_year)
        {
            suspicious += 1;
            first_suspicious.get_or_insert_with(|| (date, article.record_id.clone()));
        }
    }
    if let Some(first) = first_unread {
        read.notes.push(if unread == 1 {
            first
        } else {
            format!("{unread} articles have a date that could not be read; first {first}")
        });
    }
    if let Some((date, record)) = first_suspicious {
        let record = record
            .map(|id| format!(" (record {id})"))
            .unwrap_or_default();
        read.notes.push(format!(
            "{suspicious} article(s) dated after {}: suspicious, indexed as written; first {date}{record}",
            options.now_year + 1
        ));
    }
}

fn record_label(record_id: &Option<String>) -> String {
    record_id
        .as_ref()
        .map(|id| format!("(record {id}) "))
        .unwrap_or_default()
}

/// What dated an article whose metadata held a date that could not be
/// read, as the end of the note that reports it.
fn dated_instead(source: Option<DateSource>) -> String {
    let from = match source {
        None => return "indexed undated".to_string(),
        Some(DateSource::FileName) => "its file name".to_string(),
        Some(DateSource::Folders) => "its folders".to_string(),
        Some(DateSource::Mtime) => return "dated by its modification time instead".to_string(),
        Some(DateSource::FrontMatterPath(key)) => format!("its front-matter key '{}'", key.key()),
        Some(DateSource::JsonLd) => "its JSON-LD".to_string(),
        Some(DateSource::MetaTag) => "a meta tag".to_string(),
        Some(DateSource::TimeElement) => "a <time> element".to_string(),
        Some(other) => format!("another {} value", other.name()),
    };
    format!("dated from {from} instead")
}

fn apply_undated_policy(read: &mut FileArticles, policy: UndatedPolicy) {
    let undated = read.articles.iter().filter(|a| a.date.is_none()).count();
    if undated == 0 {
        return;
    }
    match policy {
        UndatedPolicy::Keep => {}
        UndatedPolicy::Skip => {
            read.articles.retain(|a| a.date.is_some());
            read.dropped_undated = undated;
            if !read.articles.is_empty() {
                read.notes.push(format!(
                    "{undated} undated article(s) left out (--undated skip)"
                ));
            }
        }
        UndatedPolicy::Error => {
            read.articles.clear();
            read.rejected_undated = undated;
        }
    }
}

/// The rest of a file, read whole when it is within `max` bytes, on disk
/// and decompressed.
fn read_within(
    reader: impl Read,
    metadata: &std::fs::Metadata,
    max: u64,
) -> Result<Vec<u8>, NotIndexed> {
    if metadata.len() > max {
        return Err(too_big(metadata.len(), max).into());
    }
    let mut bytes = Vec::with_capacity(metadata.len() as usize);
    reader
        .take(max + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| NotIndexed::Skipped(format!("cannot read: {e}")))?;
    if bytes.len() as u64 > max {
        return Err(format!("decompressed {}", too_big(bytes.len() as u64, max)).into());
    }
    Ok(bytes)
}

fn too_big(size: u64, max: u64) -> String {
    format!(
        "file is {:.1} MiB, over --max-file-size ({:.1} MiB)",
        size as f64 / 1048576.0,
        max as f64 / 1048576.0
    )
}

fn read_head(reader: &mut dyn Read) -> io::Result<Vec<u8>> {
    let mut head = Vec::with_capacity(HEAD_BYTES as usize);
    reader.take(HEAD_BYTES).read_to_end(&mut head)?;
    Ok(head)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_content_hash_covers_every_stored_byte_whatever_the_format() {
        use std::io::Write;
        let dir = tempfile::tempdir().unwrap();
        let reference = " date 1987-03-02\n\nThe body of the article, long enough to index.\n";
        let jsonl = "{\"date\": \"2024-01-02\", \"text\": \"One record.\"}\n\n\n";
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(reference.as_bytes()).unwrap();
        let cases: [(&str, Vec<u8>); 3] = [
            ("a.txt", reference.as_bytes().to_vec()),
            ("b.jsonl", jsonl.as_bytes().to_vec()),
            ("c.txt.gz", gz.finish().unwrap()),
        ];
        for (name, bytes) in cases {
            let path = dir.path().join(name);
            std::fs::write(&path, &bytes).unwrap();
            let file = InputFile {
                source: path.clone(),
                relative: name.into(),
            };
            let read = read_articles(&file, &ReadOptions::default()).unwrap();
            assert!(!read.articles.is_empty(), "{name}");
            assert_eq!(
                read.content_hash,
                xxhash_rust::xxh3::xxh3_64(&bytes),
                "{name}"
            );
        }
    }

    proptest::proptest! {
        /// Any bytes, after any of the starts that steer format detection,
        /// under any name: read as some format or refused with a reason,
        /// never a panic (which `read_articles` would turn into a skip
        /// saying it is a bug).
        #[test]
        fn any_bytes_in_any_format_read_without_panicking(
            start in proptest::sample::select(vec![
                "", "---\ntitle: x\n---\n", "+++\n", "<html><body>", "<p>", "{\"text\": ",
                "[", "From: a\nSubject: b\n\n", " date 2024-01-01 ", "<REUTERS NEWID=\"1\">",
                "<?xml version=\"1.0\"?>", "\u{feff}", "# Title\n",
            ]),
            bytes in proptest::collection::vec(proptest::arbitrary::any::<u8>(), 0..600),
            name in proptest::sample::select(vec!["a.md", "a.html", "a.json", "a.jsonl", "a.txt", "a", "a.sgm", "a.xml"]),
        ) {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join(name);
            let mut contents = start.as_bytes().to_vec();
            contents.extend_from_slice(&bytes);
            std::fs::write(&path, &contents).unwrap();
            let file = InputFile { source: path, relative: name.into() };
            if let Err(skip) = read_articles(&file, &ReadOptions::default()) {
                proptest::prop_assert!(!skip.reason.contains("this is a bug"), "{}", skip.reason);
            }
        }
    }

    #[test]
    fn gzip_is_read_through_and_text_decoded() {
        use std::io::Write;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.md.gz");
        let mut gz = flate2::write::GzEncoder::new(
            std::fs::File::create(&path).unwrap(),
            flate2::Compression::fast(),
        );
        gz.write_all(b"---\ntitle: Zipped\ndate: 2024-01-25\n---\nCaf\xe9 text.\n")
            .unwrap();
        gz.finish().unwrap();
        let file = InputFile {
            source: path.clone(),
            relative: "a.md.gz".into(),
        };
        let read = read_articles(&file, &ReadOptions::default()).unwrap();
        assert_eq!(read.format, Format::Markdown);
        assert_eq!(read.articles[0].title.as_deref(), Some("Zipped"));
        assert_eq!(read.articles[0].passages[0].text, "Café text.");
        assert!(read.notes[0].contains("Windows-1252"), "{:?}", read.notes);
    }
}
