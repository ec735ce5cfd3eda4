//! Mapping the metadata fields of a record to an article's date, title,
//! text, URL, author, id and outlet.
//!
//! Exporters name fields differently, so the common names are recognised
//! (`date`/`published_at`/`pubDate`/`timestamp`, `title`/`headline`,
//! `text`/`body`/`content`/`short_description`, `url`/`link`, `authors`)
//! and `--field KEY=FIELD` names the odd ones, with dots for nested
//! objects (`meta.published`). JSON records and front matter (converted to
//! JSON values) are read through the same mapping, so a name means the
//! same everywhere; formats whose metadata is a list of names and values
//! (mail headers, HTML meta names, feed elements) find the named fields
//! with [`FieldOverrides::pick`]. Every date value goes through
//! [`FieldOverrides::read_date`], so one that cannot be read is kept for
//! the report instead of being dropped.

use serde_json::{Map, Value};

use crate::date::ArticleDate;
use crate::ingest::Article;
use crate::ingest::dates::{
    DateProblem, DateSource, DayOrder, PathKey, UnreadDate, date_in_site_path, looks_like_a_date,
    read_date, read_unix,
};

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
/// How a record's metadata is read: the fields named with `--field
/// KEY=FIELD`, overriding recognition, and the order all-number dates are
/// read in (`--day-first`, `--month-first`).
///
/// Every format with metadata takes it: JSON objects and front matter
/// through `object_meta`; formats whose metadata is a list of names and
/// values (mail headers, HTML meta names, feed item elements) through
/// [`FieldOverrides::pick`] and [`FieldOverrides::offer_date`]. A named
/// field is read instead of the recognised ones where a record has it; a
/// record without it falls back to them.
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
    /// How `04/05/2024` is read.
    pub day_order: DayOrder,
}

/// The values of the fields named with `--field`, found among a record's
/// metadata names and values; `None` where no field was named or the
/// record lacks it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PickedFields<'a> {
    /// The date field: its name as the record writes it, and its value.
    pub date: Option<(&'a str, &'a str)>,
    /// The title.
    pub title: Option<&'a str>,
    /// The body text.
    pub text: Option<&'a str>,
    /// The URL.
    pub url: Option<&'a str>,
    /// The author(s).
    pub author: Option<&'a str>,
    /// The record id.
    pub id: Option<&'a str>,
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

    /// Whether `--field` named any field; when not, a format need not
    /// gather its metadata for [`Self::pick`].
    pub fn names_any(&self) -> bool {
        [
            &self.date,
            &self.title,
            &self.text,
            &self.url,
            &self.author,
            &self.id,
        ]
        .iter()
        .any(|named| named.is_some())
    }

    /// The named fields among `pairs`, a record's metadata as names and
    /// values in document order (mail headers, HTML meta names, feed item
    /// elements). Names compare ignoring case; the first non-empty value
    /// wins. A format calls this first and falls back to the names it
    /// knows for whatever was not named.
    pub fn pick<'a, K: AsRef<str>, V: AsRef<str>>(&self, pairs: &'a [(K, V)]) -> PickedFields<'a> {
        let find = |named: &Option<String>| -> Option<(&'a str, &'a str)> {
            let named = named.as_deref()?;
            pairs.iter().find_map(|(key, value)| {
                let (key, value) = (key.as_ref(), value.as_ref().trim());
                (key.eq_ignore_ascii_case(named) && !value.is_empty()).then_some((key, value))
            })
        };
        PickedFields {
            date: find(&self.date),
            title: find(&self.title).map(|(_, v)| v),
            text: find(&self.text).map(|(_, v)| v),
            url: find(&self.url).map(|(_, v)| v),
            author: find(&self.author).map(|(_, v)| v),
            id: find(&self.id).map(|(_, v)| v),
        }
    }

    /// Offers `value`, found under `field`, as `article`'s date from
    /// `source`. Candidates are offered best first: once the article is
    /// dated the rest are ignored. A value that cannot be read is kept as
    /// the article's [`UnreadDate`] (the first one only) when it looks like
    /// a date or its field was named with `--field`, so it is reported
    /// whatever dates the article in the end.
    pub fn offer_date(&self, article: &mut Article, field: &str, value: &str, source: DateSource) {
        if article.date.is_some() {
            return;
        }
        match self.read_date(field, value) {
            Ok(date) => {
                article.date = Some(date);
                article.date_source = Some(source);
                article.date_text = Some(value.trim().to_string());
            }
            Err(Some(unread)) => {
                article.date_problem.get_or_insert(unread);
            }
            Err(None) => {}
        }
    }

    /// Reads a metadata date value with this run's day order. A value with
    /// no date form but a site path holding a day (`2025/06/26/post`) gives
    /// that day. `Err(None)`: not worth reporting (no digit in a field that
    /// was not named).
    pub fn read_date(&self, field: &str, value: &str) -> Result<ArticleDate, Option<UnreadDate>> {
        read_date(value, self.day_order).or_else(|problem| {
            if let Some(date) = value
                .contains('/')
                .then(|| date_in_site_path(value))
                .flatten()
            {
                return Ok(date);
            }
            let named = self
                .date
                .as_deref()
                .is_some_and(|named| named.eq_ignore_ascii_case(field));
            if named || looks_like_a_date(value) {
                Err(Some(UnreadDate {
                    field: field.to_string(),
                    value: value.trim().to_string(),
                    problem,
                }))
            } else {
                Err(None)
            }
        })
    }
}

/// What an object says about its article, before the body is split.
#[derive(Debug, Default)]
pub(crate) struct ObjectMeta {
    /// The date and the value it was read from, as written.
    pub date: Option<(ArticleDate, String)>,
    /// The first date value that could not be read, if any.
    pub date_problem: Option<UnreadDate>,
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
    // A named field is read first; a record without it falls back to the
    // recognised names, so one `--field` serves a folder of mixed formats.
    let pick = |overridden: &Option<String>, keys: &[&str]| -> Option<&Value> {
        overridden
            .as_deref()
            .and_then(|path| lookup(object, path))
            .filter(|value| !value.is_null())
            .or_else(|| find_key(object, keys))
    };
    let (date, date_problem) = object_date(object, fields);
    ObjectMeta {
        date,
        date_problem,
        title: pick(&fields.title, TITLE_KEYS).and_then(|v| joined(v, " ")),
        text: pick(&fields.text, TEXT_KEYS).and_then(|v| joined(v, "\n\n")),
        url: pick(&fields.url, URL_KEYS).and_then(|v| joined(v, " ")),
        author: pick(&fields.author, AUTHOR_KEYS).and_then(|v| joined(v, ", ")),
        id: pick(&fields.id, ID_KEYS).and_then(|v| joined(v, " ")),
        outlet: find_key(object, OUTLET_KEYS).and_then(|v| joined(v, ", ")),
    }
}

/// A day written in one of the keys where static sites keep a post's path
/// or address (`path`, `permalink`, `url`, `slug`, `aliases`), for front
/// matter whose date keys gave none: the day, the value it was read from
/// and which key.
pub(crate) fn date_in_path_keys(
    object: &Map<String, Value>,
) -> Option<(ArticleDate, String, PathKey)> {
    PathKey::ALL.iter().find_map(|&key| {
        let value = find_key(object, &[key.key()])?;
        let texts: Vec<&str> = match value {
            Value::String(text) => vec![text.as_str()],
            Value::Array(items) => items.iter().filter_map(Value::as_str).collect(),
            _ => Vec::new(),
        };
        texts
            .into_iter()
            .find_map(|text| date_in_site_path(text).map(|date| (date, text.to_string(), key)))
    })
}

/// The first readable date among the date keys (or the named field), and
/// the first date value that could not be read.
fn object_date(
    object: &Map<String, Value>,
    fields: &FieldOverrides,
) -> (Option<(ArticleDate, String)>, Option<UnreadDate>) {
    let named = fields
        .date
        .as_deref()
        .and_then(|path| Some((path, lookup(object, path)?)))
        .filter(|(_, value)| !value.is_null());
    let candidates: Vec<(&str, &Value)> = match named {
        Some(named) => vec![named],
        None => date_keys_present(object),
    };
    let mut problem = None;
    for (field, value) in candidates {
        match date_value(fields, field, value) {
            Ok(date) => return (Some(date), problem),
            Err(Some(unread)) => {
                problem.get_or_insert(unread);
            }
            Err(None) => {}
        }
    }
    (None, problem)
}

/// The date keys an object has, with non-null values, in [`DATE_KEYS`]
/// order: exact spellings first, then other cases.
fn date_keys_present(object: &Map<String, Value>) -> Vec<(&str, &Value)> {
    let mut found: Vec<(&str, &Value)> = Vec::new();
    for key in DATE_KEYS {
        if let Some((name, value)) = object.get_key_value(*key) {
            found.push((name.as_str(), value));
        }
    }
    for key in DATE_KEYS {
        for (name, value) in object {
            if name.eq_ignore_ascii_case(key) && !found.iter().any(|(n, _)| *n == name.as_str()) {
                found.push((name.as_str(), value));
            }
        }
    }
    found.retain(|(_, value)| !value.is_null());
    found
}

/// A date from a string in any common form, or a number of seconds (or
/// milliseconds) since the epoch; `Err` as for [`FieldOverrides::read_date`].
fn date_value(
    fields: &FieldOverrides,
    field: &str,
    value: &Value,
) -> Result<(ArticleDate, String), Option<UnreadDate>> {
    match value {
        Value::String(text) => fields
            .read_date(field, text)
            .map(|d| (d, text.trim().to_string())),
        Value::Number(number) => {
            let written = number.to_string();
            number
                .as_f64()
                .ok_or(DateProblem::NotUnderstood)
                .and_then(read_unix)
                .map(|d| (d, written.clone()))
                .map_err(|problem| {
                    Some(UnreadDate {
                        field: field.to_string(),
                        value: written,
                        problem,
                    })
                })
        }
        Value::Object(object) => match object.get("$date") {
            Some(inner) => date_value(fields, field, inner),
            None => Err(None),
        },
        _ => Err(None),
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
