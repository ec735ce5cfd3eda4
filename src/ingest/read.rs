//! Reading one file into its articles: open (through gzip), refuse binary
//! and oversized files, decode, detect the format, parse, then settle each
//! article's date by the documented order and the undated policy.

use std::fs::File;
use std::io::{self, BufReader, Cursor, Read};

use crate::date::{ArticleDate, DatePrecision};
use crate::ingest::dates::{DateSource, date_from_path, is_suspicious};
use crate::ingest::detect::{Format, binary_reason, detect_format, non_article_markup};
use crate::ingest::fields::FieldOverrides;
use crate::ingest::formats::{html, json, mail, markdown, sgml};
use crate::ingest::isolate::isolated;
use crate::ingest::lines::{LineReader, declared_encoding, decode_declared, utf16_encoding};
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

/// Hashes the bytes read through it.
struct HashingReader {
    inner: File,
    hasher: xxhash_rust::xxh3::Xxh3,
}

impl Read for HashingReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        Ok(n)
    }
}

/// Reads and parses one input file into its articles.
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
    let skipped = |reason: String| Skipped {
        path: file.source.clone(),
        reason,
    };
    match isolated(|| read_file(file, options, metadata)) {
        Ok(Ok(read)) => Ok(read),
        Ok(Err(NotIndexed::Skipped(reason))) => Err(skipped(reason)),
        Ok(Err(NotIndexed::LeftOut(kind))) => Ok(FileArticles {
            left_out: Some(kind),
            ..FileArticles::default()
        }),
        Err(message) => Err(skipped(format!(
            "dateline failed on this file ({message}); this is a bug, please report it"
        ))),
    }
}

fn read_file(
    file: &InputFile,
    options: &ReadOptions,
    metadata: &std::fs::Metadata,
) -> Result<FileArticles, NotIndexed> {
    let cannot_read = |e: io::Error| NotIndexed::Skipped(format!("cannot read: {e}"));
    let mut opened = HashingReader {
        inner: File::open(&file.source).map_err(cannot_read)?,
        hasher: xxhash_rust::xxh3::Xxh3::new(),
    };
    let mut reader: Box<dyn Read + Send + '_> = Box::new(&mut opened);
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
    let reader = Cursor::new(head).chain(reader);
    let mut notes = Vec::new();
    let articles = if format.is_stream() && utf16.is_none() {
        let mut lines = LineReader::new(BufReader::with_capacity(256 * 1024, reader))
            .max_line(options.max_file_size);
        let parsed = match format {
            Format::Jsonl => json::parse_json_lines(&mut lines, &options.fields, &mut notes),
            _ => sgml::parse_sgml(&mut lines, &mut notes),
        };
        if let Some(line) = lines.first_recoded_line {
            notes.push(format!(
                "not valid UTF-8 from line {line}: read as Windows-1252"
            ));
        }
        parsed?
    } else {
        let max = options.max_file_size;
        if metadata.len() > max {
            return Err(too_big(metadata.len(), max).into());
        }
        let mut bytes = Vec::with_capacity(metadata.len() as usize);
        reader
            .take(max + 1)
            .read_to_end(&mut bytes)
            .map_err(cannot_read)?;
        if bytes.len() as u64 > max {
            return Err(format!("decompressed {}", too_big(bytes.len() as u64, max)).into());
        }
        let declared = match format {
            Format::Html => declared_encoding(&bytes),
            _ => utf16,
        };
        let text = decode_declared(&bytes, declared, &mut notes);
        parse_text(format, &text, options, &mut notes)?
    };
    // Whatever the parser left unread still counts in the content hash.
    std::io::copy(&mut opened, &mut io::sink()).map_err(cannot_read)?;
    let mut read = FileArticles {
        articles,
        format,
        notes,
        content_hash: opened.hasher.digest(),
        ..FileArticles::default()
    };
    settle_dates(&mut read, file, options, metadata);
    apply_undated_policy(&mut read, options.undated);
    if read.articles.is_empty() && read.rejected_undated == 0 {
        let reason = if read.dropped_undated > 0 {
            "no recognisable date (--undated skip)".to_string()
        } else {
            format!("no article text found (read as {format})")
        };
        return Err(reason.into());
    }
    Ok(read)
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
        Format::Markdown => markdown::parse_markdown_article(text).map(|a| vec![a]),
        Format::Text => Ok(vec![markdown::parse_text_article(text)?]),
        Format::Json => Ok(json::parse_json(text, &options.fields, notes)?),
        Format::Mail => Ok(vec![mail::parse_mail(text)?]),
        Format::Html => html::parse_html(text).map(|a| vec![a]),
        Format::Jsonl | Format::Sgml => {
            let mut lines = LineReader::new(text.as_bytes());
            Ok(match format {
                Format::Jsonl => json::parse_json_lines(&mut lines, &options.fields, notes),
                _ => sgml::parse_sgml(&mut lines, notes),
            }?)
        }
    }
}

/// Fills in what the parsers leave to the file level: paths, format, the
/// date fallbacks, and notes on suspicious dates.
fn settle_dates(
    read: &mut FileArticles,
    file: &InputFile,
    options: &ReadOptions,
    metadata: &std::fs::Metadata,
) {
    let path_date = date_from_path(&file.relative);
    let mtime = options
        .date_from_mtime
        .then(|| metadata.modified().ok())
        .flatten()
        .and_then(|t| jiff::Timestamp::try_from(t).ok())
        .map(|t| ArticleDate::from_stored(t.as_second(), DatePrecision::Second));
    let mut suspicious = 0;
    let mut first_suspicious = None;
    for article in &mut read.articles {
        article.source = file.source.clone();
        article.relative = file.relative.clone();
        article.format = read.format;
        if article.date.is_none() {
            if let Some((date, from_name)) = path_date {
                article.date = Some(date);
                article.date_source = Some(if from_name {
                    DateSource::FileName
                } else {
                    DateSource::Folders
                });
                article.date_text = Some(file.relative.to_string_lossy().into_owned());
            } else if let Some(date) = mtime {
                article.date = Some(date);
                article.date_source = Some(DateSource::Mtime);
                article.date_text = Some(date.to_string());
            }
        }
        if let Some(date) = article.date
            && is_suspicious(&date, options.now_year)
        {
            suspicious += 1;
            first_suspicious.get_or_insert_with(|| (date, article.record_id.clone()));
        }
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
