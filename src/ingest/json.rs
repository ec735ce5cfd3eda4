//! JSON documents and JSON Lines: one article per object.
//!
//! Field names vary by exporter, so the common ones are recognised
//! (`date`/`published_at`/`pubDate`/`timestamp`, `title`/`headline`,
//! `text`/`body`/`content`/`short_description`, `url`/`link`, `authors`)
//! and `--field date=FIELD` names the odd ones, with dots for nested
//! objects (`meta.published`). Front matter is read through the same
//! recogniser after conversion to JSON values.

use serde_json::value::RawValue;
use serde_json::{Map, Value};

use crate::date::ArticleDate;
use crate::ingest::dates::{DateSource, date_from_unix, parse_date_text};
use crate::ingest::read::LineReader;
use crate::ingest::{Article, PassageSplitter};

const DATE_KEYS: &[&str] = &[
    "date",
    "published_at",
    "publishedAt",
    "published",
    "pubDate",
    "pub_date",
    "datePublished",
    "date_published",
    "publish_date",
    "publishDate",
    "timestamp",
    "created_at",
    "createdAt",
    "created_utc",
    "time",
    "datetime",
];
const TITLE_KEYS: &[&str] = &["title", "headline", "subject"];
const TEXT_KEYS: &[&str] = &[
    "text",
    "body",
    "content",
    "article",
    "maintext",
    "selftext",
    "short_description",
    "description",
    "abstract",
    "summary",
];
const URL_KEYS: &[&str] = &["url", "link", "permalink", "web_url", "href"];
const AUTHOR_KEYS: &[&str] = &["authors", "author", "byline", "creator"];
const ID_KEYS: &[&str] = &["_id", "id", "guid", "doc_id", "uuid"];
const OUTLET_KEYS: &[&str] = &[
    "source",
    "publisher",
    "site_name",
    "outlet",
    "newspaper",
    "source_domain",
];
/// Keys under which a JSON document holds its list of articles.
const LIST_KEYS: &[&str] = &[
    "articles",
    "items",
    "data",
    "posts",
    "entries",
    "results",
    "documents",
    "docs",
];

/// Field names given with `--field KEY=FIELD`, overriding recognition.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FieldOverrides {
    /// The field holding the date.
    pub date: Option<String>,
    /// The field holding the title.
    pub title: Option<String>,
    /// The field holding the body text.
    pub text: Option<String>,
    /// The field holding the URL.
    pub url: Option<String>,
    /// The field holding the author(s).
    pub author: Option<String>,
    /// The field holding the record id.
    pub id: Option<String>,
}

impl FieldOverrides {
    /// Parses `KEY=FIELD` specifications; KEY is one of date, title, text,
    /// url, author, id.
    pub fn parse(specs: &[String]) -> Result<FieldOverrides, String> {
        let mut fields = FieldOverrides::default();
        for spec in specs {
            let (key, field) = spec
                .split_once('=')
                .filter(|(_, f)| !f.trim().is_empty())
                .ok_or_else(|| {
                    format!("--field '{spec}': expected KEY=FIELD, e.g. date=published_on")
                })?;
            let slot = match key.trim() {
                "date" => &mut fields.date,
                "title" => &mut fields.title,
                "text" | "body" => &mut fields.text,
                "url" => &mut fields.url,
                "author" | "authors" => &mut fields.author,
                "id" => &mut fields.id,
                other => {
                    return Err(format!(
                        "--field '{spec}': unknown key '{other}'; use date, title, text, url, author or id"
                    ));
                }
            };
            *slot = Some(field.trim().to_string());
        }
        Ok(fields)
    }
}

/// What an object says about its article, before the body is split.
#[derive(Debug, Default)]
pub(crate) struct ObjectMeta {
    /// The date and the value it was read from, as written.
    pub date: Option<(ArticleDate, String)>,
    /// The title or headline.
    pub title: Option<String>,
    /// The body text (a list of paragraphs is joined with blank lines).
    pub text: Option<String>,
    /// The article's address.
    pub url: Option<String>,
    /// The author(s), joined with `, `.
    pub author: Option<String>,
    /// The record id.
    pub id: Option<String>,
    /// The outlet or publisher.
    pub outlet: Option<String>,
}

/// Reads the recognised (or overridden) fields of one object.
pub(crate) fn object_meta(object: &Map<String, Value>, fields: &FieldOverrides) -> ObjectMeta {
    let pick = |overridden: &Option<String>, keys: &[&str]| -> Option<&Value> {
        match overridden {
            Some(path) => lookup(object, path),
            None => find_key(object, keys),
        }
    };
    ObjectMeta {
        date: pick(&fields.date, DATE_KEYS).and_then(date_value),
        title: pick(&fields.title, TITLE_KEYS).and_then(|v| joined(v, " ")),
        text: pick(&fields.text, TEXT_KEYS).and_then(|v| joined(v, "\n\n")),
        url: pick(&fields.url, URL_KEYS).and_then(|v| joined(v, " ")),
        author: pick(&fields.author, AUTHOR_KEYS).and_then(|v| joined(v, ", ")),
        id: pick(&fields.id, ID_KEYS).and_then(|v| joined(v, " ")),
        outlet: find_key(object, OUTLET_KEYS).and_then(|v| joined(v, ", ")),
    }
}

/// Parses a JSON document: one article object, an array of them, or an
/// object holding such an array under `articles`, `items`, `data`, ...
pub fn parse_json(
    text: &str,
    fields: &FieldOverrides,
    notes: &mut Vec<String>,
) -> Result<Vec<Article>, String> {
    let trimmed = text.trim_start();
    if trimmed.starts_with('[') {
        let records: Vec<&RawValue> =
            serde_json::from_str(text).map_err(|e| format!("invalid JSON: {e}"))?;
        let mut articles = Vec::new();
        let mut skipped = 0;
        // Lines are counted incrementally: records come in file order.
        let (mut counted_to, mut line) = (0, 1u32);
        for raw in records {
            let offset = raw.get().as_ptr() as usize - text.as_ptr() as usize;
            line += text.as_bytes()[counted_to..offset]
                .iter()
                .filter(|&&b| b == b'\n')
                .count() as u32;
            counted_to = offset;
            let value: Value =
                serde_json::from_str(raw.get()).map_err(|e| format!("invalid JSON: {e}"))?;
            match value
                .as_object()
                .and_then(|o| object_article(o, fields, line, true))
            {
                Some(article) => articles.push(article),
                None => skipped += 1,
            }
        }
        note_skipped_records(skipped, notes);
        return Ok(articles);
    }
    let value: Value = serde_json::from_str(text).map_err(|e| format!("invalid JSON: {e}"))?;
    let object = value
        .as_object()
        .ok_or_else(|| "JSON is neither an object nor an array of objects".to_string())?;
    if let Some(list) = LIST_KEYS
        .iter()
        .find_map(|key| object.get(*key).and_then(Value::as_array))
        .filter(|list| list.iter().any(Value::is_object))
    {
        let mut skipped = 0;
        let articles: Vec<Article> = list
            .iter()
            .filter_map(|v| {
                let article = v
                    .as_object()
                    .and_then(|o| object_article(o, fields, 1, true));
                skipped += usize::from(article.is_none());
                article
            })
            .collect();
        note_skipped_records(skipped, notes);
        return Ok(articles);
    }
    object_article(object, fields, 1, false)
        .map(|a| vec![a])
        .ok_or_else(|| {
            "JSON object has no text or title field (name one with --field text=FIELD)".to_string()
        })
}

/// Parses JSON Lines, one record at a time; bad lines are noted and
/// skipped, and only a stream with no good line at all fails.
pub fn parse_json_lines<R: std::io::BufRead>(
    lines: &mut LineReader<R>,
    fields: &FieldOverrides,
    notes: &mut Vec<String>,
) -> Result<Vec<Article>, String> {
    let mut articles = Vec::new();
    let mut bad_lines = 0;
    let mut first_bad = None;
    let mut skipped = 0;
    while let Some(line) = lines
        .next_line()
        .map_err(|e| format!("cannot read line {}: {e}", lines.line_no + 1))?
    {
        if line.trim().is_empty() {
            continue;
        }
        let line_no = lines.line_no;
        match serde_json::from_str::<Value>(&line) {
            Ok(Value::Object(object)) => match object_article(&object, fields, line_no, true) {
                Some(article) => articles.push(article),
                None => skipped += 1,
            },
            Ok(_) => {
                bad_lines += 1;
                first_bad.get_or_insert_with(|| format!("line {line_no}: not a JSON object"));
            }
            Err(e) => {
                bad_lines += 1;
                first_bad.get_or_insert_with(|| format!("line {line_no}: invalid JSON: {e}"));
            }
        }
    }
    if let Some(first) = first_bad {
        if articles.is_empty() {
            return Err(first);
        }
        notes.push(format!(
            "{bad_lines} bad JSON line(s) skipped; first at {first}"
        ));
    }
    note_skipped_records(skipped, notes);
    Ok(articles)
}

fn note_skipped_records(skipped: usize, notes: &mut Vec<String>) {
    if skipped > 0 {
        notes.push(format!("{skipped} record(s) without text or title skipped"));
    }
}

/// One article from one object; `None` when it has neither text nor title.
fn object_article(
    object: &Map<String, Value>,
    fields: &FieldOverrides,
    line: u32,
    in_stream: bool,
) -> Option<Article> {
    let meta = object_meta(object, fields);
    let body = meta.text.as_deref().or(meta.title.as_deref())?;
    let mut passages = PassageSplitter::default().split(body, 0);
    if passages.is_empty() {
        return None;
    }
    // Newlines inside a JSON string are escapes, not lines of the file:
    // every passage points at the record's line.
    for passage in &mut passages {
        passage.line = line;
    }
    let (date, date_text) = meta.date.map_or((None, None), |(d, t)| (Some(d), Some(t)));
    Some(Article {
        date_source: date.map(|_| DateSource::JsonField),
        date,
        date_text,
        title: meta.title,
        url: meta.url,
        author: meta.author,
        outlet: meta.outlet,
        record_id: meta.id,
        record_line: in_stream.then_some(line),
        passages,
        ..Article::default()
    })
}

/// A date from a string in any common form, or a number of seconds (or
/// milliseconds) since the epoch.
fn date_value(value: &Value) -> Option<(ArticleDate, String)> {
    match value {
        Value::String(text) => parse_date_text(text).map(|d| (d, text.clone())),
        Value::Number(number) => date_from_unix(number.as_f64()?).map(|d| (d, number.to_string())),
        Value::Object(object) => object.get("$date").and_then(date_value),
        _ => None,
    }
}

/// Text from a string, a number, a list (joined) or an object's `name`.
fn joined(value: &Value, separator: &str) -> Option<String> {
    let text = match value {
        Value::String(s) => s.trim().to_string(),
        Value::Number(n) => n.to_string(),
        Value::Array(items) => items
            .iter()
            .filter_map(|item| joined(item, separator))
            .collect::<Vec<_>>()
            .join(separator),
        Value::Object(object) => ["name", "title", "text", "#text", "value"]
            .iter()
            .find_map(|key| object.get(*key).and_then(|v| joined(v, separator)))?,
        _ => return None,
    };
    (!text.is_empty()).then_some(text)
}

/// The first of `keys` present and non-null, exact spelling first, then
/// ignoring case.
fn find_key<'a>(object: &'a Map<String, Value>, keys: &[&str]) -> Option<&'a Value> {
    let usable = |v: &&Value| !v.is_null();
    keys.iter()
        .find_map(|key| object.get(*key).filter(usable))
        .or_else(|| {
            keys.iter().find_map(|key| {
                object
                    .iter()
                    .find(|(name, _)| name.eq_ignore_ascii_case(key))
                    .map(|(_, v)| v)
                    .filter(usable)
            })
        })
}

/// A dotted path into nested objects: `meta.published`.
fn lookup<'a>(object: &'a Map<String, Value>, path: &str) -> Option<&'a Value> {
    if let Some(value) = object.get(path) {
        return Some(value);
    }
    let mut parts = path.split('.');
    let mut value = object.get(parts.next()?)?;
    for part in parts {
        value = value.as_object()?.get(part)?;
    }
    Some(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(text: &str) -> Vec<Article> {
        let mut notes = Vec::new();
        parse_json_lines(
            &mut LineReader::new(text.as_bytes()),
            &FieldOverrides::default(),
            &mut notes,
        )
        .unwrap()
    }

    #[test]
    fn common_field_names_are_recognised() {
        let text = r#"{"headline": "Rates rise", "short_description": "The bank raised rates.", "date": "2022-09-23", "link": "https://x/1", "authors": "Ann Lee, Bo Chan", "category": "BUSINESS"}
{"title": "T2", "body": "Second.\n\nThird.", "published_at": 1706176800, "url": "https://x/2", "authors": ["A", {"name": "B"}], "_id": "7"}
"#;
        let articles = lines(text);
        assert_eq!(articles.len(), 2);
        assert_eq!(articles[0].title.as_deref(), Some("Rates rise"));
        assert_eq!(articles[0].date.unwrap().to_string(), "2022-09-23");
        assert_eq!(articles[0].date_source, Some(DateSource::JsonField));
        assert_eq!(articles[0].url.as_deref(), Some("https://x/1"));
        assert_eq!(articles[0].author.as_deref(), Some("Ann Lee, Bo Chan"));
        assert_eq!(
            articles[1].date.unwrap().to_string(),
            "2024-01-25T10:00:00Z"
        );
        assert_eq!(articles[1].author.as_deref(), Some("A, B"));
        assert_eq!(articles[1].record_id.as_deref(), Some("7"));
        assert_eq!(articles[1].passages.len(), 2);
        assert!(articles[1].passages.iter().all(|p| p.line == 2));
    }

    #[test]
    fn overrides_name_odd_fields_with_dotted_paths() {
        let fields =
            FieldOverrides::parse(&["date=meta.when".into(), "text=words".into()]).unwrap();
        let text = r#"{"meta": {"when": "25 Jan 2024"}, "words": "Hello there."}"#;
        let articles = parse_json(text, &fields, &mut Vec::new()).unwrap();
        assert_eq!(articles[0].date.unwrap().to_string(), "2024-01-25");
        assert!(FieldOverrides::parse(&["colour=x".into()]).is_err());
        assert!(FieldOverrides::parse(&["date".into()]).is_err());
    }

    #[test]
    fn arrays_know_each_records_line() {
        let text = "[\n  {\"title\": \"a\", \"text\": \"one\"},\n  {\"title\": \"b\", \"text\": \"two\"}\n]";
        let articles = parse_json(text, &FieldOverrides::default(), &mut Vec::new()).unwrap();
        assert_eq!(
            articles
                .iter()
                .map(|a| a.passages[0].line)
                .collect::<Vec<_>>(),
            [2, 3]
        );
        assert_eq!(articles[1].record_line, Some(3));
    }

    #[test]
    fn truncated_json_is_an_error_and_bad_lines_are_noted() {
        let error = parse_json(
            "{\"title\": \"x\", \"te",
            &FieldOverrides::default(),
            &mut Vec::new(),
        )
        .unwrap_err();
        assert!(error.starts_with("invalid JSON"), "{error}");
        let mut notes = Vec::new();
        let text = "{\"text\": \"ok\"}\n{\"text\": \n";
        let articles = parse_json_lines(
            &mut LineReader::new(text.as_bytes()),
            &FieldOverrides::default(),
            &mut notes,
        )
        .unwrap();
        assert_eq!(articles.len(), 1);
        assert!(notes[0].contains("line 2"), "{notes:?}");
    }
}
