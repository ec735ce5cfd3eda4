//! Turning articles into tantivy documents, one per passage.

use tantivy::TantivyDocument;

use crate::date::DatePrecision;
use crate::index::CODE_KIND;
use crate::index::DatelineSchema;
use crate::indexer::manifest::article_hash;
use crate::indexer::near_duplicates::{Signature, signature};
use crate::ingest::{Article, PassageKind};

/// An article made ready for indexing: its passage documents built (all
/// but the story, which depends on what is already indexed) and its
/// content hash computed. Made by [`prepare_articles`], which runs on the
/// parsing threads so the writer's thread only decides and hands over.
pub struct PreparedArticle {
    pub(crate) hash: u64,
    pub(crate) article_id: u64,
    pub(crate) signature: Option<Signature>,
    pub(crate) undated: bool,
    pub(crate) documents: Vec<TantivyDocument>,
}

/// Builds the documents of a file's articles. The article's metadata
/// (source, title, format, date precision, url, ...) is stored once, on
/// its first passage; every passage carries what ranking and filtering
/// need (text, indexed title, date, article id, story, line): each field
/// on every passage costs indexing time, and metadata repeated on every
/// passage would cost about a sixth of the CPU. Each article's near-copy
/// signature is computed here too, on the parsing threads.
pub fn prepare_articles(
    fields: &DatelineSchema,
    key: &str,
    articles: &[Article],
) -> Vec<PreparedArticle> {
    articles
        .iter()
        .enumerate()
        .map(|(number, article)| {
            let article_id = article_id(key, number);
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
                        let precision = match date.precision {
                            DatePrecision::Day => 0,
                            DatePrecision::Second => 1,
                        };
                        if passage_no == 0 {
                            doc.add_u64(fields.date_precision, precision);
                        }
                    }
                    doc.add_u64(fields.article_id, article_id);
                    doc.add_u64(fields.passage_no, passage_no as u64);
                    doc.add_u64(fields.line, u64::from(passage.line));
                    if passage.kind == PassageKind::Code {
                        doc.add_u64(fields.kind, CODE_KIND);
                    }
                    if passage_no == 0 {
                        add_article_metadata(fields, article, &mut doc);
                    }
                    doc
                })
                .collect();
            PreparedArticle {
                hash: article_hash(article),
                article_id,
                signature: signature(
                    article
                        .passages
                        .iter()
                        .flat_map(|p| p.text.split_whitespace()),
                ),
                undated: article.date.is_none(),
                documents,
            }
        })
        .collect()
}

/// The id of the `number`th article (from 0) of the file `key`: stable
/// across runs, so a file's passages can be deleted by its record alone.
pub(crate) fn article_id(key: &str, number: usize) -> u64 {
    stable_hash(&[key.as_bytes(), &number.to_le_bytes()])
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
