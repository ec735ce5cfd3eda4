//! `--format json` and `--format jsonl`.
//!
//! Highlights are `[start, end)` offsets in characters (Unicode scalar
//! values) into `passage`, so a consumer in any language can slice the
//! passage without knowing UTF-8.

use std::io::{self, Write};

use serde::Serialize;

use crate::search::article::{ArticleText, format_article_id};
use crate::search::{ArticleMeta, ArticlePassage, Hit, SearchResults, to_char_ranges};

/// One result as JSON.
#[derive(Debug, Serialize)]
pub struct JsonHit<'a> {
    /// 1-based rank.
    pub rank: usize,
    /// Relevance score (BM25).
    pub score: f32,
    /// The date as written, ISO 8601: `YYYY-MM-DD` when only the day is
    /// known, else the local time with its offset
    /// (`2013-11-04T21:46:02-06:00`); null when undated.
    pub date: Option<String>,
    /// The same instant in UTC (`2013-11-05T03:46:02Z`); a bare day stays
    /// `YYYY-MM-DD`.
    pub date_utc: Option<String>,
    /// The article's path.
    pub source: &'a str,
    /// The 1-based line where the passage starts (absent for a PDF).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
    /// The page the passage is on, for a PDF (in place of `line`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub page: Option<u64>,
    /// The article title, or null.
    pub title: Option<&'a str>,
    /// The passage text, exactly as in the article.
    pub passage: &'a str,
    /// Matched words as `[start, end)` character offsets into `passage`.
    pub highlights: Vec<[usize; 2]>,
    /// Only the title matched; `passage` is the article's opening.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub title_only: bool,
    /// The passage is a block of code (its lines kept as written).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub code: bool,
    /// Near-copies of this article (the same wire story) that also match.
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    pub also_in: &'a [String],
    /// How many more near-copies match than `also_in` names.
    #[serde(skip_serializing_if = "is_zero")]
    pub also_in_more: usize,
    /// With `--context`: the passages before this one, in reading order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub context_before: Vec<JsonContext<'a>>,
    /// With `--context`: the passages after this one, in reading order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub context_after: Vec<JsonContext<'a>>,
    /// The article's metadata.
    #[serde(flatten)]
    pub meta: JsonMeta<'a>,
}

/// What is known about an article besides its date, source and title, as
/// JSON: part of every result and of an article.
#[derive(Debug, Serialize)]
pub struct JsonMeta<'a> {
    /// The article's id in the index (16 hex digits), which
    /// `/api/article/{id}` takes.
    pub article_id: String,
    /// Where the date came from (`date-line`, `front-matter`, `json-ld`,
    /// `filename`, ...), or null when undated.
    pub date_source: Option<&'a str>,
    /// The date exactly as written in the file, or null.
    pub date_text: Option<&'a str>,
    /// The format the file was read as (`reference`, `sgml`, `jsonl`, ...).
    pub format: Option<&'a str>,
    /// The article's URL, when the format carries one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<&'a str>,
    /// The author(s), when the format carries them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub author: Option<&'a str>,
    /// The outlet (newsgroup, site), when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub outlet: Option<&'a str>,
    /// The record id inside a multi-article file (Reuters `NEWID`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub record_id: Option<&'a str>,
    /// The line where the record starts in a multi-article file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub record_line: Option<u64>,
    /// The thread a mail belongs to: the Message-ID of its first message.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub thread: Option<&'a str>,
    /// The names of a mail's attachments.
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    pub attachments: &'a [String],
}

impl<'a> JsonMeta<'a> {
    /// The metadata of article `article_id`.
    pub fn new(article_id: u64, meta: &'a ArticleMeta) -> JsonMeta<'a> {
        JsonMeta {
            article_id: format_article_id(article_id),
            date_source: meta.date_source.as_deref(),
            date_text: meta.date_text.as_deref(),
            format: meta.format.as_deref(),
            url: meta.url.as_deref(),
            author: meta.author.as_deref(),
            outlet: meta.outlet.as_deref(),
            record_id: meta.record_id.as_deref(),
            record_line: meta.record_line,
            thread: meta.thread.as_deref(),
            attachments: &meta.attachments,
        }
    }
}

/// A neighbouring passage shown with `--context`.
#[derive(Debug, Serialize)]
pub struct JsonContext<'a> {
    /// The 1-based line where the passage starts (absent for a PDF).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
    /// The page the passage is on, for a PDF.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub page: Option<u64>,
    /// The passage text.
    pub passage: &'a str,
}

fn json_context(passages: &[ArticlePassage], by_page: bool) -> Vec<JsonContext<'_>> {
    passages
        .iter()
        .map(|p| {
            let (line, page) = line_or_page(p.line, by_page);
            JsonContext {
                line,
                page,
                passage: &p.text,
            }
        })
        .collect()
}

/// A location as `line` or, for a PDF, `page`.
fn line_or_page(location: u64, by_page: bool) -> (Option<u64>, Option<u64>) {
    if by_page {
        (None, Some(location))
    } else {
        (Some(location), None)
    }
}

impl<'a> From<&'a Hit> for JsonHit<'a> {
    fn from(hit: &'a Hit) -> Self {
        let by_page = hit.meta.locates_by_page();
        let (line, page) = line_or_page(hit.line, by_page);
        JsonHit {
            rank: hit.rank,
            score: hit.score,
            date: hit.date.map(|d| d.to_string()),
            date_utc: hit.date.map(|d| d.utc()),
            source: &hit.source,
            line,
            page,
            title: hit.title.as_deref(),
            passage: &hit.passage,
            highlights: to_char_ranges(&hit.passage, &hit.highlights),
            title_only: hit.title_only,
            code: hit.code,
            also_in: &hit.also_in,
            also_in_more: hit.also_in_more,
            context_before: json_context(&hit.context_before, by_page),
            context_after: json_context(&hit.context_after, by_page),
            meta: JsonMeta::new(hit.article_id, &hit.meta),
        }
    }
}

#[derive(Serialize)]
struct JsonResults<'a> {
    query: &'a str,
    total_hits: usize,
    ignored: &'a [String],
    results: Vec<JsonHit<'a>>,
}

/// Writes all results as one pretty-printed JSON object.
pub fn write_json<W: Write>(out: &mut W, results: &SearchResults) -> io::Result<()> {
    let object = JsonResults {
        query: &results.query,
        total_hits: results.total_hits,
        ignored: &results.ignored,
        results: results.hits.iter().map(JsonHit::from).collect(),
    };
    serde_json::to_writer_pretty(&mut *out, &object)?;
    writeln!(out)
}

/// Writes one compact JSON object per result, one per line.
pub fn write_jsonl<W: Write>(out: &mut W, results: &SearchResults) -> io::Result<()> {
    for hit in &results.hits {
        serde_json::to_writer(&mut *out, &JsonHit::from(hit))?;
        writeln!(out)?;
    }
    Ok(())
}

#[derive(Serialize)]
struct JsonArticle<'a> {
    date: Option<String>,
    source: &'a str,
    title: Option<&'a str>,
    #[serde(flatten)]
    meta: JsonMeta<'a>,
    ignored: &'a [String],
    passages: Vec<JsonPassage<'a>>,
}

#[derive(Serialize)]
struct JsonPassage<'a> {
    passage_no: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    line: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    page: Option<u64>,
    passage: &'a str,
    highlights: Vec<[usize; 2]>,
}

/// Writes a whole article as one pretty-printed JSON object: its metadata
/// (the keys of a search result) and every passage with the query's
/// matches as character offsets.
pub fn write_article_json<W: Write>(out: &mut W, article: &ArticleText) -> io::Result<()> {
    let by_page = article.meta.locates_by_page();
    let object = JsonArticle {
        date: article.date.map(|d| d.to_string()),
        source: &article.source,
        title: article.title.as_deref(),
        meta: JsonMeta::new(article.article_id, &article.meta),
        ignored: &article.ignored,
        passages: article
            .passages
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let (line, page) = line_or_page(p.line, by_page);
                JsonPassage {
                    passage_no: p.passage_no,
                    line,
                    page,
                    passage: &p.text,
                    highlights: article
                        .highlights
                        .get(i)
                        .map(|marks| to_char_ranges(&p.text, marks))
                        .unwrap_or_default(),
                }
            })
            .collect(),
    };
    serde_json::to_writer_pretty(&mut *out, &object)?;
    writeln!(out)
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}
