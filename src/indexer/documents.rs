//! Turning articles into tantivy documents, one per passage.

use tantivy::TantivyDocument;

use crate::date::DatePrecision;
use crate::index::CODE_KIND;
use crate::index::DatelineSchema;
use crate::indexer::manifest::{ArticleRecord, article_hash};
use crate::indexer::near_duplicates::{Signature, signature};
use crate::ingest::{Article, PassageKind};

/// An article made ready for indexing: its passage documents built (all
/// but the story, which depends on what is already indexed) and its
/// content hash computed. Made by [`prepare_articles`], which runs on the
/// parsing threads so the writer's thread only decides and hands over.
pub struct PreparedArticle {
    pub(crate) hash: u64,
    pub(crate) article_id: u64,
    /// Everything stored but the lines, hashed ([`ArticleRecord::meta`]).
    pub(crate) meta: u64,
    /// The lines, hashed ([`ArticleRecord::place`]).
    pub(crate) place: u64,
    /// Whether the id comes from the article's identity.
    pub(crate) named: bool,
    pub(crate) signature: Option<Signature>,
    pub(crate) undated: bool,
    pub(crate) unread_date: bool,
    pub(crate) documents: Vec<TantivyDocument>,
}

/// Builds the documents of a file's articles. The article's metadata
/// (source, title, format, date precision, url, ...) is stored once, on
/// its first passage; every passage carries what ranking and filtering
/// need (text, indexed title, date, article id, story, line): each field
/// on every passage costs indexing time, and metadata repeated on every
/// passage would cost about a sixth of the CPU. Each article's near-copy
/// signature is computed here too, on the parsing threads, from the
/// article's own words (quoted passages left out).
pub fn prepare_articles(
    fields: &DatelineSchema,
    key: &str,
    articles: &[Article],
) -> Vec<PreparedArticle> {
    articles
        .iter()
        .map(|article| {
            let hash = article_hash(article);
            let article_id = article_id(key, article.identity.as_deref(), hash);
            let documents = article
                .passages
                .iter()
                .enumerate()
                .map(|(passage_no, passage)| {
                    let mut doc = TantivyDocument::new();
                    doc.add_text(fields.text, &passage.text);
                    if let Some(title) = &article.title {
                        doc.add_text(fields.title, title);
                    }
                    if let Some(date) = &article.date {
                        doc.add_i64(fields.date, date.timestamp);
                        doc.add_i64(fields.day, date.day_number());
                        let precision = match date.precision {
                            DatePrecision::Day => 0,
                            DatePrecision::Second => 1,
                        };
                        if passage_no == 0 {
                            doc.add_u64(fields.date_precision, precision);
                            doc.add_i64(fields.date_offset, i64::from(date.offset));
                        }
                    }
                    doc.add_u64(fields.article_id, article_id);
                    doc.add_u64(fields.line, u64::from(passage.line));
                    if passage.kind == PassageKind::Code {
                        doc.add_u64(fields.kind, CODE_KIND);
                    }
                    if passage_no == 0 {
                        doc.add_u64(fields.passage_no, 0);
                        doc.add_u64(fields.article_column, article_id);
                        add_article_metadata(fields, article, &mut doc);
                    }
                    doc
                })
                .collect();
            let (meta, place) = stored_hashes(article);
            PreparedArticle {
                hash,
                article_id,
                meta,
                place,
                named: article.identity.is_some(),
                signature: signature(
                    article
                        .passages
                        .iter()
                        .enumerate()
                        .filter(|(at, _)| !article.quoted_passages.contains(at))
                        .flat_map(|(_, p)| p.text.split_whitespace()),
                ),
                undated: article.date.is_none(),
                unread_date: article.date_problem.is_some(),
                documents,
            }
        })
        .collect()
}

/// The id of an article: from its identity when it has one (so the same
/// feed item, message or page has one id in every file that holds it),
/// else from its file and content hash (so an unchanged article keeps its
/// id wherever it moves in its file). Stable across runs and builds.
pub(crate) fn article_id(key: &str, identity: Option<&str>, hash: u64) -> u64 {
    match identity {
        Some(identity) => stable_hash(&[b"identity", identity.as_bytes()]),
        None => stable_hash(&[key.as_bytes(), &hash.to_le_bytes()]),
    }
}

impl PreparedArticle {
    /// The record of this article once indexed in `story`.
    pub(crate) fn record(&self, story: u64) -> ArticleRecord {
        ArticleRecord {
            id: self.article_id,
            hash: self.hash,
            meta: self.meta,
            place: self.place,
            story,
            passages: u32::try_from(self.documents.len()).unwrap_or(u32::MAX),
            named: self.named,
            signature: self.signature,
        }
    }
}

/// Hashes of what is stored for an article: everything but its lines, and
/// its lines. A re-read article whose hashes match its record is left as
/// it is; one that only moved is rewritten but is not news.
fn stored_hashes(article: &Article) -> (u64, u64) {
    use std::hash::Hasher;
    let mut meta = xxhash_rust::xxh3::Xxh3::new();
    let mut put = |value: Option<&str>| match value {
        Some(text) => {
            meta.write_u8(1);
            meta.write_usize(text.len());
            meta.write(text.as_bytes());
        }
        None => meta.write_u8(0),
    };
    put(Some(article.format.name()));
    put(Some(&article.source.to_string_lossy()));
    put(Some(&article.relative.to_string_lossy()));
    for value in [
        &article.title,
        &article.date_text,
        &article.url,
        &article.author,
        &article.outlet,
        &article.record_id,
        &article.identity,
        &article.thread,
    ] {
        put(value.as_deref());
    }
    put(article.date_source.map(|s| s.name()));
    for name in &article.attachments {
        put(Some(name));
    }
    for passage in &article.passages {
        put(Some(&passage.text));
    }
    meta.write_i64(article.date.map_or(i64::MIN, |d| d.timestamp));
    meta.write_u8(article.date.map_or(2, |d| match d.precision {
        DatePrecision::Day => 0,
        DatePrecision::Second => 1,
    }));
    for &at in &article.quoted_passages {
        meta.write_usize(at);
    }
    let mut place = xxhash_rust::xxh3::Xxh3::new();
    place.write_u32(article.record_line.unwrap_or(0));
    for passage in &article.passages {
        place.write_u32(passage.line);
    }
    (meta.finish(), place.finish())
}

/// What is stored once per article, on its first passage.
fn add_article_metadata(fields: &DatelineSchema, article: &Article, doc: &mut TantivyDocument) {
    doc.add_text(fields.format, article.format.name());
    doc.add_text(fields.source, article.source.to_string_lossy());
    doc.add_text(fields.relative, article.relative.to_string_lossy());
    if let Some(title) = &article.title {
        doc.add_text(fields.title_text, title);
    }
    if let Some(date_source) = article.date_source {
        doc.add_text(fields.date_source, date_source.name());
    }
    let optional = [
        (fields.date_text, &article.date_text),
        (fields.url, &article.url),
        (fields.author, &article.author),
        (fields.outlet, &article.outlet),
        (fields.record_id, &article.record_id),
    ];
    for (field, value) in optional {
        if let Some(value) = value {
            doc.add_text(field, value);
        }
    }
    if let Some(record_line) = article.record_line {
        doc.add_u64(fields.record_line, u64::from(record_line));
    }
    if let Some(unread) = &article.date_problem {
        doc.add_u64(fields.date_problem, unread.problem.code());
        doc.add_text(fields.date_problem_field, &unread.field);
        doc.add_text(fields.date_problem_value, &unread.value);
    }
    if let Some(thread) = &article.thread {
        doc.add_text(fields.thread, thread);
    }
    for name in &article.attachments {
        doc.add_text(fields.attachments, name);
    }
}

/// A stable 64-bit FNV-1a hash: article ids must not change between builds
/// of dateline, which rules out `std`'s randomised hasher.
fn stable_hash(parts: &[&[u8]]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for &byte in *part {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        }
        hash ^= 0xff;
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash
}
