//! Reading documents back: every decoding of stored fields lives here, so
//! the rest of the program deals in plain values.
//!
//! A passage document stores its text and line; its date is a fast field,
//! read from there, and its article id and place in its article follow
//! from its article's first passage ([`super::article_column`]); the
//! article's metadata (source, title, format, url, ...) is stored once, on
//! its first passage ([`super::DatelineSchema`]).

use std::cell::OnceCell;
use std::collections::HashSet;
use std::sync::Arc;

use tantivy::collector::DocSetCollector;
use tantivy::columnar::{Column, StrColumn};
use tantivy::query::TermQuery;
use tantivy::schema::{Field, IndexRecordOption, Value};
use tantivy::{DocAddress, Searcher, TantivyDocument, Term};

use crate::date::DatePrecision;
use crate::error::Result;
use crate::index::article_column::ArticleColumn;
use crate::index::columns::ColumnCache;
use crate::index::{CODE_KIND, DatelineSchema};

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

fn text(doc: &TantivyDocument, field: Field) -> Option<String> {
    doc.get_first(field)
        .and_then(|v| v.as_str())
        .map(str::to_string)
}

fn number(doc: &TantivyDocument, field: Field) -> Option<u64> {
    doc.get_first(field).and_then(|v| v.as_u64())
}

/// What a passage's fast fields say about it: the values a passage does
/// not store.
struct FastNumbers {
    article_id: Option<u64>,
    passage_no: u64,
    date: Option<i64>,
}

/// The fast-field columns of one segment that a stored passage is read
/// with.
struct PassageColumns {
    article_id: Option<ArticleColumn>,
    date: Option<Column<i64>>,
    kind: Option<Column<u64>>,
    source: Option<StrColumn>,
}

/// Reads passages and articles back from one searcher.
///
/// A passage's article id, place and date are fast fields; opening a
/// column (finding it by name and parsing its header and block index)
/// costs far more than reading one value, so each segment's columns are
/// opened once, when the reader first needs them, and reused for every hit
/// of the command. It keeps its own handle on the searcher (a cheap
/// clone), so a holder that runs many queries can keep one reader.
pub struct StoredReader<'s> {
    searcher: Searcher,
    fields: &'s DatelineSchema,
    columns: Vec<OnceCell<PassageColumns>>,
    /// Where the numeric columns are opened: the reader's own, or an open
    /// index's shared with the rest of a search.
    cache: Arc<ColumnCache>,
}

impl<'s> StoredReader<'s> {
    /// A reader over `searcher`'s segments; opens nothing yet.
    pub fn new(searcher: &Searcher, fields: &'s DatelineSchema) -> StoredReader<'s> {
        StoredReader::with_columns(searcher, fields, Arc::default())
    }

    /// A reader opening its numeric columns through `cache`.
    pub(crate) fn with_columns(
        searcher: &Searcher,
        fields: &'s DatelineSchema,
        cache: Arc<ColumnCache>,
    ) -> StoredReader<'s> {
        StoredReader {
            searcher: searcher.clone(),
            fields,
            columns: (0..searcher.segment_readers().len())
                .map(|_| OnceCell::new())
                .collect(),
            cache,
        }
    }

    /// The searcher read from.
    pub fn searcher(&self) -> &Searcher {
        &self.searcher
    }

    fn columns(&self, segment_ord: u32) -> Result<&PassageColumns> {
        let cell = &self.columns[segment_ord as usize];
        if let Some(columns) = cell.get() {
            return Ok(columns);
        }
        let segment = self.searcher.segment_reader(segment_ord);
        let name = |field: Field| self.fields.schema.get_field_name(field);
        let columns = PassageColumns {
            article_id: ArticleColumn::cached(&self.cache, segment, self.fields)?,
            date: self.cache.i64(segment, self.fields.date)?,
            kind: self.cache.u64(segment, self.fields.kind)?,
            source: segment.fast_fields().str(name(self.fields.source))?,
        };
        Ok(cell.get_or_init(|| columns))
    }

    /// Whether the passage at `address` is code.
    pub fn is_code(&self, address: DocAddress) -> Result<bool> {
        let columns = self.columns(address.segment_ord)?;
        let kind = columns.kind.as_ref().and_then(|c| c.first(address.doc_id));
        Ok(kind == Some(CODE_KIND))
    }

    /// The fast-field values of the passage at `address`.
    fn fast_numbers(&self, address: DocAddress) -> Result<FastNumbers> {
        let columns = self.columns(address.segment_ord)?;
        let doc = address.doc_id;
        Ok(FastNumbers {
            article_id: columns.article_id.as_ref().and_then(|c| c.id(doc)),
            passage_no: columns
                .article_id
                .as_ref()
                .and_then(|c| c.first_passage(doc))
                .map_or(0, |first| u64::from(doc - first)),
            date: columns.date.as_ref().and_then(|c| c.first(doc)),
        })
    }

    /// The source of the article whose first passage is at `first`: a
    /// column of its own, so lists of sources (`also in`, `--files`)
    /// decompress no stored text.
    fn source_at(&self, first: DocAddress) -> Result<String> {
        let mut source = String::new();
        let columns = self.columns(first.segment_ord)?;
        if let Some(column) = &columns.source
            && let Some(ord) = column.term_ords(first.doc_id).next()
        {
            column.ord_to_str(ord, &mut source)?;
        }
        Ok(source)
    }

    /// The passage at `address`.
    pub fn passage(&self, address: DocAddress) -> Result<StoredPassage> {
        let doc: TantivyDocument = self.searcher.doc(address)?;
        let numbers = self.fast_numbers(address)?;
        Ok(StoredPassage {
            article_id: numbers.article_id.unwrap_or(u64::MAX),
            passage_no: numbers.passage_no,
            line: number(&doc, self.fields.line).unwrap_or(1),
            text: text(&doc, self.fields.text).unwrap_or_default(),
            date: numbers.date,
        })
    }

    /// The metadata of the article the passage at `address` belongs to.
    pub fn article(&self, address: DocAddress) -> Result<StoredArticle> {
        let first = self.first_passage(address)?;
        let doc: TantivyDocument = self.searcher.doc(first)?;
        Ok(decode_article(&doc, self.fields, self.source_at(first)?))
    }

    /// The whole article with id `article_id`; `None` when no live passage has
    /// that id.
    pub fn article_by_id(&self, article_id: u64) -> Result<Option<WholeArticle>> {
        let documents = self.documents_of(article_id)?;
        let mut first = None;
        let mut passages = Vec::with_capacity(documents.len());
        for (address, doc) in documents {
            let numbers = self.fast_numbers(address)?;
            if numbers.passage_no == 0 {
                let source = self.source_at(address)?;
                first = Some((decode_article(&doc, self.fields, source), numbers.date));
            }
            passages.push(decode_passage(&doc, self.fields, numbers.passage_no));
        }
        let Some((article, date)) = first else {
            return Ok(None);
        };
        passages.sort_by_key(|p| p.passage_no);
        Ok(Some(WholeArticle {
            article,
            date,
            passages,
        }))
    }

    /// The source (path) of the article the passage at `address` belongs to.
    pub fn article_source(&self, address: DocAddress) -> Result<String> {
        self.source_at(self.first_passage(address)?)
    }

    /// The source and the unreadable date value of the article whose first
    /// passage is at `address`.
    pub fn unread_date(&self, address: DocAddress) -> Result<StoredUnreadDate> {
        let doc: TantivyDocument = self.searcher.doc(address)?;
        Ok(StoredUnreadDate {
            source: self.source_at(address)?,
            field: text(&doc, self.fields.date_problem_field).unwrap_or_default(),
            value: text(&doc, self.fields.date_problem_value).unwrap_or_default(),
        })
    }

    /// The addresses of every live passage of `article_id`, in no particular
    /// order.
    fn addresses_of(&self, article_id: u64) -> Result<HashSet<DocAddress>> {
        let query = TermQuery::new(
            Term::from_field_u64(self.fields.article_id, article_id),
            IndexRecordOption::Basic,
        );
        Ok(self.searcher.search(&query, &DocSetCollector)?)
    }

    /// The stored documents of every live passage of `article_id`, with their
    /// addresses, in no particular order.
    fn documents_of(&self, article_id: u64) -> Result<Vec<(DocAddress, TantivyDocument)>> {
        let addresses = self.addresses_of(article_id)?;
        let mut documents = Vec::with_capacity(addresses.len());
        for address in addresses {
            documents.push((address, self.searcher.doc(address)?));
        }
        Ok(documents)
    }

    /// Every passage of the article `article_id`, in reading order.
    pub fn article_passages(&self, article_id: u64) -> Result<Vec<ArticlePassage>> {
        let mut passages = Vec::new();
        for (address, doc) in self.documents_of(article_id)? {
            let passage_no = self.fast_numbers(address)?.passage_no;
            passages.push(decode_passage(&doc, self.fields, passage_no));
        }
        passages.sort_by_key(|p| p.passage_no);
        Ok(passages)
    }

    /// The address of the first passage of the article that the passage at
    /// `address` belongs to: the one holding the article's metadata. Only
    /// the article-id column is read.
    fn first_passage(&self, address: DocAddress) -> Result<DocAddress> {
        let columns = self.columns(address.segment_ord)?;
        let first = columns
            .article_id
            .as_ref()
            .and_then(|c| c.first_passage(address.doc_id))
            .unwrap_or(address.doc_id);
        Ok(DocAddress::new(address.segment_ord, first))
    }
}

fn decode_article(doc: &TantivyDocument, fields: &DatelineSchema, source: String) -> StoredArticle {
    StoredArticle {
        source,
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

/// A whole article as stored: what [`StoredReader::article_by_id`] finds.
pub struct WholeArticle {
    /// Its metadata, from its first passage.
    pub article: StoredArticle,
    /// Its date, UTC seconds.
    pub date: Option<i64>,
    /// Every passage, in reading order.
    pub passages: Vec<ArticlePassage>,
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

fn decode_passage(
    doc: &TantivyDocument,
    fields: &DatelineSchema,
    passage_no: u64,
) -> ArticlePassage {
    ArticlePassage {
        passage_no,
        line: number(doc, fields.line).unwrap_or(1),
        text: text(doc, fields.text).unwrap_or_default(),
    }
}
