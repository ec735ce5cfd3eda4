//! Builds the corpora the benchmark harness (`bench/run.py`) compares on.
//!
//! ```text
//! cargo run --release --example bench_corpus -- ndjson SRC OUT.ndjson
//! cargo run --release --example bench_corpus -- generate SRC OUT_DIR N
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
        _ => Err("usage: bench_corpus ndjson SRC OUT | generate SRC OUT_DIR N".into()),
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
        let date = article.date.map(|d| format!("{}T00:00:00Z", d.day()));
        let record = serde_json::json!({
            "date": date,
            "source": article.source.to_string_lossy(),
            "title": "",
            "body": body(&article),
        });
        serde_json::to_writer(&mut writer, &record)?;
        writer.write_all(b"\n")?;
    }
    writer.flush()?;
    Ok(())
}

fn generate(src: &Path, out: &Path, n: usize) -> Result<(), Box<dyn std::error::Error>> {
    let articles = load(src)?;
    let real = articles.len();
    if real == 0 {
        return Err(format!("no articles under {}", src.display()).into());
    }
    for i in 0..n {
        let base = &articles[i % real];
        let other = &articles[(i.wrapping_mul(7919) + 13) % real];
        let shift_years = ((i / real) % 40) as i16;
        let day = base
            .date
            .map(|d| d.day())
            .unwrap_or(jiff::civil::date(1987, 3, 1));
        let year = day.year() + shift_years;
        // February 29 does not exist in every year: fall back to the 28th.
        let date = jiff::civil::Date::new(year, day.month(), day.day())
            .unwrap_or_else(|_| jiff::civil::date(year, day.month(), 28));
        let mut text = format!(" date {date} {}", body(base));
        if let Some(extra) = other.passages.get(i % other.passages.len().max(1)) {
            text.push_str("\n\n");
            text.push_str(&extra.text);
        }
        text.push('\n');
        let folder: PathBuf = out.join(format!("{:04}-{:02}", date.year(), date.month()));
        fs::create_dir_all(&folder)?;
        fs::write(folder.join(format!("gen-{i:07}.txt")), text)?;
    }
    Ok(())
}
