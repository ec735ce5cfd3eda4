//! Builds the corpora the benchmark harness (`bench/run.py`) compares on.
//!
//! ```text
//! cargo run --release --example bench_corpus -- ndjson SRC OUT.ndjson
//! cargo run --release --example bench_corpus -- generate SRC OUT_DIR N
//! cargo run --release --example bench_corpus -- warc SRC OUT_DIR N
//! cargo run --release --example bench_corpus -- jsonl SRC OUT_DIR N
//! ```
//!
//! `ndjson` converts a folder of articles into the newline-delimited JSON that
//! `tantivy index` reads (date, source, title, body), so tantivy-cli indexes
//! exactly the articles dateline indexes. `generate` writes N reference-format
//! articles made deterministically from the real ones: article `i` takes the
//! paragraphs of real article `i mod n`, plus one paragraph of another real
//! article, and is re-dated by whole years so that the dates spread over
//! 1987–2026. The vocabulary and paragraph shapes stay real; only the mix is
//! new. It uses the library's own walker and parser.
//!
//! `warc` writes the same N generated articles twice, as HTML pages: as
//! separate files under `OUT_DIR/pages/` and as the `response` records of
//! one web archive, `OUT_DIR/crawl.warc.gz` (one gzip member per record,
//! each response after its request record, as crawlers write them), so the
//! two can be indexed and compared in one run.
//!
//! `jsonl` writes the same N generated articles as `generate`, as JSON Lines
//! files of 10,000 articles in the `ndjson` shape: the input of the largest
//! series (10M articles as files would take 40 GB of 4 KiB blocks).

use std::fs;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use dateline::ingest::{Article, ReadOptions, read_articles, walk_inputs};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["ndjson", src, out] => to_ndjson(Path::new(src), Path::new(out)),
        ["generate", src, out, n] => generate(Path::new(src), Path::new(out), n.parse()?),
        ["warc", src, out, n] => warc(Path::new(src), Path::new(out), n.parse()?),
        ["jsonl", src, out, n] => jsonl(Path::new(src), Path::new(out), n.parse()?),
        _ => Err(
            "usage: bench_corpus ndjson SRC OUT | generate SRC OUT_DIR N | warc SRC OUT_DIR N | jsonl SRC OUT_DIR N"
                .into(),
        ),
    }
}

fn load(src: &Path) -> Result<Vec<Article>, Box<dyn std::error::Error>> {
    let (files, _) = walk_inputs(&[src.to_path_buf()])?;
    let options = ReadOptions::default();
    Ok(files
        .iter()
        .filter_map(|f| read_articles(f, &options).ok())
        .flat_map(|read| read.articles)
        .collect())
}

fn body(article: &Article) -> String {
    let texts: Vec<&str> = article.passages.iter().map(|p| p.text.as_str()).collect();
    texts.join("\n\n")
}

fn to_ndjson(src: &Path, out: &Path) -> Result<(), Box<dyn std::error::Error>> {
    let mut writer = BufWriter::new(fs::File::create(out)?);
    for article in load(src)? {
        let date = article.date.map(|d| d.day());
        let source = article.source.to_string_lossy();
        let title = article.title.as_deref().unwrap_or("");
        write_ndjson(&mut writer, date, &source, title, &body(&article))?;
    }
    writer.flush()?;
    Ok(())
}

/// Writes one article as a line of the JSON tantivy-cli reads.
fn write_ndjson(
    out: &mut impl Write,
    date: Option<jiff::civil::Date>,
    source: &str,
    title: &str,
    body: &str,
) -> std::io::Result<()> {
    let record = serde_json::json!({
        "date": date.map(|d| format!("{d}T00:00:00Z")),
        "source": source,
        "title": title,
        "body": body,
    });
    serde_json::to_writer(&mut *out, &record)?;
    out.write_all(b"\n")
}

/// The `i`th generated article: its date and its paragraphs.
///
/// Dates repeat after 40 years of shifts (`real × 40` articles, 863,080
/// from the news folder, a round); each later round (a 10M series has
/// twelve) is moved by a day more and swaps every other paragraph for one
/// of another real article, so rounds are new articles, not repeats of the
/// first.
fn generated(articles: &[Article], i: usize) -> (jiff::civil::Date, Vec<String>) {
    let real = articles.len();
    let base = &articles[i % real];
    let other = &articles[(i.wrapping_mul(7919) + 13) % real];
    let shift_years = ((i / real) % 40) as i16;
    let round = i / (real * 40);
    let day = base
        .date
        .map(|d| d.day())
        .unwrap_or(jiff::civil::date(1987, 3, 1));
    let year = day.year() + shift_years;
    // February 29 does not exist in every year: fall back to the 28th.
    let mut date = jiff::civil::Date::new(year, day.month(), day.day())
        .unwrap_or_else(|_| jiff::civil::date(year, day.month(), 28));
    let mut paragraphs: Vec<String> = base.passages.iter().map(|p| p.text.clone()).collect();
    if round > 0 {
        date = date
            .checked_add(jiff::Span::new().days(round as i64))
            .unwrap_or(date);
        for (j, paragraph) in paragraphs.iter_mut().enumerate() {
            if (j + round) % 2 == 0 {
                let donor = &articles[(i.wrapping_mul(31) + j * 7 + round) % real];
                if let Some(swap) = donor.passages.get(j % donor.passages.len().max(1)) {
                    *paragraph = swap.text.clone();
                }
            }
        }
    }
    if let Some(extra) = other.passages.get(i % other.passages.len().max(1)) {
        paragraphs.push(extra.text.clone());
    }
    (date, paragraphs)
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn page(i: usize, date: jiff::civil::Date, paragraphs: &[String]) -> String {
    let title = paragraphs
        .first()
        .map(|p| p.split_whitespace().take(8).collect::<Vec<_>>().join(" "))
        .unwrap_or_default();
    let mut html = format!(
        "<!DOCTYPE html>\n<html><head><title>{}</title>\n<meta property=\"article:published_time\" content=\"{date}\">\n<link rel=\"canonical\" href=\"https://news.example/{i}\">\n</head><body>\n<nav><a href=\"/\">Home</a></nav>\n<article>\n",
        escape(&title)
    );
    for paragraph in paragraphs {
        html.push_str(&format!("<p>{}</p>\n", escape(paragraph)));
    }
    html.push_str("</article>\n<footer>News</footer>\n</body></html>\n");
    html
}

fn warc(src: &Path, out: &Path, n: usize) -> Result<(), Box<dyn std::error::Error>> {
    let articles = load(src)?;
    if articles.is_empty() {
        return Err(format!("no articles under {}", src.display()).into());
    }
    let pages = out.join("pages");
    fs::create_dir_all(&pages)?;
    let mut archive = BufWriter::new(fs::File::create(out.join("crawl.warc.gz"))?);
    let mut member = |record: &[u8]| gzip_member(&mut archive, record);
    member(&warc_record(
        "warcinfo",
        "",
        "application/warc-fields",
        b"software: dateline bench_corpus\r\n",
    ))?;
    for i in 0..n {
        let (date, paragraphs) = generated(&articles, i);
        let html = page(i, date, &paragraphs);
        let folder = pages.join(format!("{:03}", i / 1000));
        fs::create_dir_all(&folder)?;
        fs::write(folder.join(format!("page-{i:07}.html")), &html)?;
        let url = format!("https://news.example/{i}");
        let request = format!("GET /{i} HTTP/1.1\r\nHost: news.example\r\n\r\n");
        member(&warc_record(
            "request",
            &url,
            "application/http; msgtype=request",
            request.as_bytes(),
        ))?;
        let response = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\n\r\n{html}",
            html.len()
        );
        member(&warc_record(
            "response",
            &url,
            "application/http; msgtype=response",
            response.as_bytes(),
        ))?;
    }
    archive.flush()?;
    Ok(())
}

/// Appends `record` to `archive` as a gzip member of its own, as web
/// crawlers write WARC files.
fn gzip_member(archive: &mut impl Write, record: &[u8]) -> std::io::Result<()> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(record)?;
    archive.write_all(&gz.finish()?)
}

fn warc_record(kind: &str, url: &str, content_type: &str, block: &[u8]) -> Vec<u8> {
    let target = if url.is_empty() {
        String::new()
    } else {
        format!("WARC-Target-URI: {url}\r\n")
    };
    let mut record = format!(
        "WARC/1.0\r\nWARC-Type: {kind}\r\n{target}WARC-Date: 2026-01-01T00:00:00Z\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\r\n",
        block.len()
    )
    .into_bytes();
    record.extend_from_slice(block);
    record.extend_from_slice(b"\r\n\r\n");
    record
}

fn generate(src: &Path, out: &Path, n: usize) -> Result<(), Box<dyn std::error::Error>> {
    let articles = load(src)?;
    if articles.is_empty() {
        return Err(format!("no articles under {}", src.display()).into());
    }
    for i in 0..n {
        let (date, paragraphs) = generated(&articles, i);
        let text = format!(" date {date} {}\n", paragraphs.join("\n\n"));
        let folder: PathBuf = out.join(format!("{:04}-{:02}", date.year(), date.month()));
        fs::create_dir_all(&folder)?;
        fs::write(folder.join(format!("gen-{i:07}.txt")), text)?;
    }
    Ok(())
}

/// How many generated articles go in one JSON Lines file.
const JSONL_PER_FILE: usize = 10_000;

/// The same N generated articles as `generate`, as JSON Lines files of
/// [`JSONL_PER_FILE`] articles in tantivy-cli's input shape (date, source,
/// title, body): one copy of a large corpus that both tools index, where
/// a file per article would not fit the disk.
fn jsonl(src: &Path, out: &Path, n: usize) -> Result<(), Box<dyn std::error::Error>> {
    let articles = load(src)?;
    if articles.is_empty() {
        return Err(format!("no articles under {}", src.display()).into());
    }
    fs::create_dir_all(out)?;
    for start in (0..n).step_by(JSONL_PER_FILE) {
        let path = out.join(format!("part-{:05}.jsonl", start / JSONL_PER_FILE));
        let mut writer = BufWriter::new(fs::File::create(path)?);
        for i in start..n.min(start + JSONL_PER_FILE) {
            let (date, paragraphs) = generated(&articles, i);
            let source = format!("gen-{i:08}");
            write_ndjson(
                &mut writer,
                Some(date),
                &source,
                "",
                &paragraphs.join("\n\n"),
            )?;
        }
        writer.flush()?;
    }
    Ok(())
}
