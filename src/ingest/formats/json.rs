//! JSON documents and JSON Lines: one article per object, its fields
//! mapped by [`crate::ingest::fields`].

use serde_json::value::RawValue;
use serde_json::{Map, Value};

use crate::ingest::dates::DateSource;
use crate::ingest::fields::{FieldOverrides, object_meta};
use crate::ingest::{Article, PassageSplitter};

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

/// Parses one line of JSON Lines (line `line` of its file): `Ok(None)`
/// for an object with neither text nor title, `Err` for a line that is
/// not a JSON object.
pub fn parse_json_line(
    text: &str,
    fields: &FieldOverrides,
    line: u32,
) -> Result<Option<Article>, String> {
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(object)) => Ok(object_article(&object, fields, line, true)),
        Ok(_) => Err(format!("line {line}: not a JSON object")),
        Err(e) => Err(format!("line {line}: invalid JSON: {e}")),
    }
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
        date_problem: meta.date_problem,
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

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(text: &str) -> Vec<Article> {
        text.lines()
            .enumerate()
            .filter_map(|(at, line)| {
                parse_json_line(line, &FieldOverrides::default(), at as u32 + 1).unwrap()
            })
            .collect()
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
        let error = parse_json_line("{\"text\": ", &FieldOverrides::default(), 2).unwrap_err();
        assert!(error.starts_with("line 2: invalid JSON"), "{error}");
    }
}
