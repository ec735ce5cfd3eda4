//! Reading documents back: every decoding of stored fields lives here, so
//! the rest of the program deals in plain values.
//!
//! A passage document stores its text, line, place in its article and
//! date; the article's metadata (source, title, format, url, ...) is stored
//! once, on its first passage ([`super::DatelineSchema`]).

use tantivy::collector::DocSetCollector;
use tantivy::query::TermQuery;
use tantivy::schema::{Field, IndexRecordOption, Value};
use tantivy::{DocAddress, Searcher, TantivyDocument, Term};

use crate::date::DatePrecision;
use crate::error::Result;
use crate::index::DatelineSchema;

/// One passage as stored.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StoredPassage {
    /// The article it belongs to.
    pub article_id: u64,
    /// Its position in the article, from 0.
    pub passage_no: u64,
    /// The 1-based line of the file where it starts.
    pub line: u64,
    /// The passage text.
    pub text: String,
    /// The article's date, UTC seconds.
    pub date: Option<i64>,
}

/// What is stored once per article, on its first passage.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StoredArticle {
    /// The path as given when indexing.
    pub source: String,
    /// The title as written.
    pub title: Option<String>,
    /// How precisely the date is known.
    pub date_precision: Option<DatePrecision>,
    /// The offset from UTC the date was written in, seconds east.
    pub date_offset: i32,
    /// The rest of what is known about it.
    pub meta: ArticleMeta,
}

/// What is known about an article besides its date, source and title.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ArticleMeta {
    /// The format the file was read as (`reference`, `sgml`, ...).
    pub format: Option<String>,
    /// Where the date came from (`front-matter`, `json-ld`, `filename`, ...).
    pub date_source: Option<String>,
    /// The date as written in the file.
    pub date_text: Option<String>,
    /// The article's URL.
    pub url: Option<String>,
    /// The author(s).
    pub author: Option<String>,
    /// The outlet (newsgroup, site).
    pub outlet: Option<String>,
    /// The record id inside a multi-article file.
    pub record_id: Option<String>,
    /// The line where the record starts inside a multi-article file.
    pub record_line: Option<u64>,
    /// The thread a mail belongs to.
    pub thread: Option<String>,
    /// The names of a mail's attachments.
    pub attachments: Vec<String>,
}

impl ArticleMeta {
    /// Whether passages are located by page (PDF) rather than by line.
    pub fn locates_by_page(&self) -> bool {
        self.format
            .as_deref()
            .and_then(crate::ingest::Format::from_name)
            .is_some_and(crate::ingest::Format::locates_by_page)
    }
}

/// One passage of an article in reading order, as `--context` and the
/// article view show it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ArticlePassage {
    /// The passage's position in its article, from 0.
    pub passage_no: u64,
    /// The 1-based line of the file where it starts.
    pub line: u64,
    /// The passage text.
    pub text: String,
}

/// The precision a stored `date_precision` value names.
pub fn precision_of(stored: u64) -> DatePrecision {
    match stored {
        1 => DatePrecision::Second,
        _ => DatePrecision::Day,
    }
}

/// A date value of an article's metadata that could not be read, as
/// stored on its first passage.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StoredUnreadDate {
    /// The article's source.
    pub source: String,
    /// The field it was found under.
    pub field: String,
    /// The value as written.
    pub value: String,
}

/// The source and the unreadable date value of the article whose first
/// passage is at `address`.
pub fn unread_date(
    searcher: &Searcher,
    fields: &DatelineSchema,
    address: DocAddress,
) -> Result<StoredUnreadDate> {
    let doc: TantivyDocument = searcher.doc(address)?;
    Ok(StoredUnreadDate {
        source: text(&doc, fields.source).unwrap_or_default(),
        field: text(&doc, fields.date_problem_field).unwrap_or_default(),
        value: text(&doc, fields.date_problem_value).unwrap_or_default(),
    })
}

fn text(doc: &TantivyDocument, field: Field) -> Option<String> {
    doc.get_first(field)
        .and_then(|v| v.as_str())
        .map(str::to_string)
}

fn number(doc: &TantivyDocument, field: Field) -> Option<u64> {
    doc.get_first(field).and_then(|v| v.as_u64())
}

/// The passage at `address`.
pub fn passage(
    searcher: &Searcher,
    fields: &DatelineSchema,
    address: DocAddress,
) -> Result<StoredPassage> {
    let doc: TantivyDocument = searcher.doc(address)?;
    Ok(StoredPassage {
        article_id: number(&doc, fields.article_id).unwrap_or(u64::MAX),
        passage_no: number(&doc, fields.passage_no).unwrap_or(0),
        line: number(&doc, fields.line).unwrap_or(1),
        text: text(&doc, fields.text).unwrap_or_default(),
        date: doc.get_first(fields.date).and_then(|v| v.as_i64()),
    })
}

/// The metadata of the article the passage at `address` belongs to.
pub fn article(
    searcher: &Searcher,
    fields: &DatelineSchema,
    address: DocAddress,
) -> Result<StoredArticle> {
    let doc = article_document(searcher, fields, address)?;
    Ok(decode_article(&doc, fields))
}

fn decode_article(doc: &TantivyDocument, fields: &DatelineSchema) -> StoredArticle {
    StoredArticle {
        source: text(doc, fields.source).unwrap_or_default(),
        title: text(doc, fields.title_text),
        date_precision: number(doc, fields.date_precision).map(precision_of),
        date_offset: doc
            .get_first(fields.date_offset)
            .and_then(|v| v.as_i64())
            .and_then(|offset| i32::try_from(offset).ok())
            .unwrap_or(0),
        meta: ArticleMeta {
            format: text(doc, fields.format),
            date_source: text(doc, fields.date_source),
            date_text: text(doc, fields.date_text),
            url: text(doc, fields.url),
            author: text(doc, fields.author),
            outlet: text(doc, fields.outlet),
            record_id: text(doc, fields.record_id),
            record_line: number(doc, fields.record_line),
            thread: text(doc, fields.thread),
            attachments: doc
                .get_all(fields.attachments)
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect(),
        },
    }
}

/// A whole article as stored: what [`article_by_id`] finds.
pub struct WholeArticle {
    /// Its metadata, from its first passage.
    pub article: StoredArticle,
    /// Its date, UTC seconds.
    pub date: Option<i64>,
    /// Every passage, in reading order.
    pub passages: Vec<ArticlePassage>,
}

/// The whole article with id `article_id`; `None` when no live passage has
/// that id.
pub fn article_by_id(
    searcher: &Searcher,
    fields: &DatelineSchema,
    article_id: u64,
) -> Result<Option<WholeArticle>> {
    let documents = documents_of(searcher, fields, article_id)?;
    let mut first = None;
    let mut passages = Vec::with_capacity(documents.len());
    for doc in documents {
        let passage = decode_passage(&doc, fields);
        if passage.passage_no == 0 {
            first = Some(doc);
        }
        passages.push(passage);
    }
    let Some(first) = first else {
        return Ok(None);
    };
    passages.sort_by_key(|p| p.passage_no);
    let date = first.get_first(fields.date).and_then(|v| v.as_i64());
    Ok(Some(WholeArticle {
        article: decode_article(&first, fields),
        date,
        passages,
    }))
}

/// The source (path) of the article the passage at `address` belongs to.
pub fn article_source(
    searcher: &Searcher,
    fields: &DatelineSchema,
    address: DocAddress,
) -> Result<String> {
    let doc = article_document(searcher, fields, address)?;
    Ok(text(&doc, fields.source).unwrap_or_default())
}

/// The stored title and text values of the document at `address`, in that
/// order: the words pseudo-relevance feedback learns from. Only an
/// article's first passage stores its title.
pub fn title_and_text(
    searcher: &Searcher,
    fields: &DatelineSchema,
    address: DocAddress,
) -> Result<Vec<String>> {
    let doc: TantivyDocument = searcher.doc(address)?;
    Ok([fields.title_text, fields.text]
        .into_iter()
        .flat_map(|field| doc.get_all(field))
        .filter_map(|value| value.as_str().map(str::to_string))
        .collect())
}

/// The stored documents of every live passage of `article_id`, in no
/// particular order.
fn documents_of(
    searcher: &Searcher,
    fields: &DatelineSchema,
    article_id: u64,
) -> Result<Vec<TantivyDocument>> {
    let query = TermQuery::new(
        Term::from_field_u64(fields.article_id, article_id),
        IndexRecordOption::Basic,
    );
    let addresses = searcher.search(&query, &DocSetCollector)?;
    let mut documents = Vec::with_capacity(addresses.len());
    for address in addresses {
        documents.push(searcher.doc(address)?);
    }
    Ok(documents)
}

/// Every passage of the article `article_id`, in reading order.
pub fn article_passages(
    searcher: &Searcher,
    fields: &DatelineSchema,
    article_id: u64,
) -> Result<Vec<ArticlePassage>> {
    let mut passages: Vec<ArticlePassage> = documents_of(searcher, fields, article_id)?
        .iter()
        .map(|doc| decode_passage(doc, fields))
        .collect();
    passages.sort_by_key(|p| p.passage_no);
    Ok(passages)
}

fn decode_passage(doc: &TantivyDocument, fields: &DatelineSchema) -> ArticlePassage {
    ArticlePassage {
        passage_no: number(doc, fields.passage_no).unwrap_or(0),
        line: number(doc, fields.line).unwrap_or(1),
        text: text(doc, fields.text).unwrap_or_default(),
    }
}

/// The stored document holding the metadata of the article that the
/// passage at `address` belongs to: its first passage.
///
/// The first passage usually sits just before the others in the same
/// segment (an article's passages are consecutive documents), so that
/// place is tried first; otherwise the article's passages are looked up by
/// id.
fn article_document(
    searcher: &Searcher,
    fields: &DatelineSchema,
    address: DocAddress,
) -> Result<TantivyDocument> {
    let doc: TantivyDocument = searcher.doc(address)?;
    let passage_no = number(&doc, fields.passage_no).unwrap_or(0);
    if passage_no == 0 {
        return Ok(doc);
    }
    let Some(article_id) = number(&doc, fields.article_id) else {
        return Ok(doc);
    };
    let is_first = |candidate: &TantivyDocument| {
        number(candidate, fields.article_id) == Some(article_id)
            && number(candidate, fields.passage_no) == Some(0)
    };
    if let Some(guess) = address.doc_id.checked_sub(passage_no as u32) {
        let guess = DocAddress::new(address.segment_ord, guess);
        let segment = searcher.segment_reader(address.segment_ord);
        if !segment.is_deleted(guess.doc_id) {
            let candidate: TantivyDocument = searcher.doc(guess)?;
            if is_first(&candidate) {
                return Ok(candidate);
            }
        }
    }
    let query = TermQuery::new(
        Term::from_field_u64(fields.article_id, article_id),
        IndexRecordOption::Basic,
    );
    for found in searcher.search(&query, &DocSetCollector)? {
        let candidate: TantivyDocument = searcher.doc(found)?;
        if is_first(&candidate) {
            return Ok(candidate);
        }
    }
    Ok(doc)
}
