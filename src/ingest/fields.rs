//! Mapping the metadata fields of a record to an article's date, title,
//! text, URL, author, id and outlet.
//!
//! Exporters name fields differently, so the common names are recognised
//! (`date`/`published_at`/`pubDate`/`timestamp`, `title`/`headline`,
//! `text`/`body`/`content`/`short_description`, `url`/`link`, `authors`)
//! and `--field KEY=FIELD` names the odd ones, with dots for nested
//! objects (`meta.published`). JSON records and front matter (converted to
//! JSON values) are read through the same mapping, so a name means the
//! same everywhere.

use serde_json::{Map, Value};

use crate::date::ArticleDate;
use crate::ingest::dates::{date_from_unix, parse_date_text};

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
