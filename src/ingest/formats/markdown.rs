//! Markdown and plain text, with optional YAML (`---`) or TOML (`+++`)
//! front matter.
//!
//! The front matter is converted to JSON values and read by the same field
//! recogniser as JSON articles, so `date`/`published`/`pubDate`, `title`,
//! `url`/`link` and `author` mean the same everywhere. A leading `# Title`
//! heading becomes the title when the front matter has none.

use serde_json::{Map, Value};
use yaml_rust2::{Yaml, YamlLoader};

use crate::ingest::dates::DateSource;
use crate::ingest::fields::{FieldOverrides, object_meta};
use crate::ingest::{Article, PassageSplitter};

/// Parses a text or Markdown article with optional front matter.
pub fn parse_text_article(text: &str) -> Result<Article, String> {
    let (front, body_start) = split_front_matter(text)?;
    let meta = object_meta(&front, &FieldOverrides::default());
    let mut article = Article {
        title: meta.title,
        url: meta.url,
        author: meta.author,
        outlet: meta.outlet,
        ..Article::default()
    };
    if let Some((date, written)) = meta.date {
        article.date = Some(date);
        article.date_source = Some(DateSource::FrontMatter);
        article.date_text = Some(written);
    }
    let body_start = match leading_heading(text, body_start) {
        Some((heading, after))
            if article.title.is_none() || article.title.as_deref() == Some(heading) =>
        {
            article.title = Some(heading.to_string());
            after
        }
        _ => body_start,
    };
    article.passages = PassageSplitter::default().split(text, body_start);
    if article.passages.is_empty() {
        return Err("no body text".to_string());
    }
    Ok(article)
}

/// The front matter as a JSON object (empty when there is none) and the
/// byte offset where the body starts.
fn split_front_matter(text: &str) -> Result<(Map<String, Value>, usize), String> {
    let mut lines = text.split_inclusive('\n');
    let Some(first) = lines.next() else {
        return Ok((Map::new(), 0));
    };
    let fence = first.trim_end();
    if fence != "---" && fence != "+++" {
        return Ok((Map::new(), 0));
    }
    let mut offset = first.len();
    let content_start = offset;
    for line in lines {
        let trimmed = line.trim_end();
        if trimmed == fence || (fence == "---" && trimmed == "...") {
            let content = &text[content_start..offset];
            let object = if fence == "---" {
                yaml_object(content)?
            } else {
                toml_object(content)?
            };
            return Ok((object, offset + line.len()));
        }
        offset += line.len();
    }
    Err(format!(
        "front matter opened with '{fence}' on line 1 is never closed"
    ))
}

fn yaml_object(content: &str) -> Result<Map<String, Value>, String> {
    let docs = YamlLoader::load_from_str(content)
        .map_err(|e| format!("invalid YAML front matter: {e}"))?;
    match docs.into_iter().next().map(yaml_to_json) {
        None | Some(Value::Null) => Ok(Map::new()),
        Some(Value::Object(object)) => Ok(object),
        Some(_) => Err("YAML front matter is not a mapping of keys to values".to_string()),
    }
}

fn toml_object(content: &str) -> Result<Map<String, Value>, String> {
    let table: toml::Table = toml::from_str(content).map_err(|e| {
        let message = e.to_string();
        format!(
            "invalid TOML front matter: {}",
            message.lines().last().unwrap_or(&message).trim()
        )
    })?;
    Ok(table
        .into_iter()
        .map(|(k, v)| (k, toml_to_json(v)))
        .collect())
}

/// TOML values as JSON; dates become their RFC 3339 text.
fn toml_to_json(value: toml::Value) -> Value {
    match value {
        toml::Value::String(s) => Value::String(s),
        toml::Value::Integer(i) => Value::from(i),
        toml::Value::Float(f) => Value::from(f),
        toml::Value::Boolean(b) => Value::Bool(b),
        toml::Value::Datetime(d) => Value::String(d.to_string()),
        toml::Value::Array(items) => Value::Array(items.into_iter().map(toml_to_json).collect()),
        toml::Value::Table(table) => Value::Object(
            table
                .into_iter()
                .map(|(k, v)| (k, toml_to_json(v)))
                .collect(),
        ),
    }
}

fn yaml_to_json(yaml: Yaml) -> Value {
    match yaml {
        Yaml::String(s) | Yaml::Real(s) => Value::String(s),
        Yaml::Integer(i) => Value::from(i),
        Yaml::Boolean(b) => Value::Bool(b),
        Yaml::Array(items) => Value::Array(items.into_iter().map(yaml_to_json).collect()),
        Yaml::Hash(hash) => Value::Object(
            hash.into_iter()
                .filter_map(|(k, v)| {
                    let key = match k {
                        Yaml::String(s) | Yaml::Real(s) => s,
                        Yaml::Integer(i) => i.to_string(),
                        Yaml::Boolean(b) => b.to_string(),
                        _ => return None,
                    };
                    Some((key, yaml_to_json(v)))
                })
                .collect(),
        ),
        _ => Value::Null,
    }
}

/// A `# Heading` as the first non-blank line from `start`: its text and
/// the offset just after it.
fn leading_heading(text: &str, start: usize) -> Option<(&str, usize)> {
    let mut offset = start;
    for line in text[start..].split_inclusive('\n') {
        let trimmed = line.trim();
        if trimmed.is_empty() {
            offset += line.len();
            continue;
        }
        let heading = trimmed
            .strip_prefix("# ")?
            .trim()
            .trim_end_matches('#')
            .trim();
        return (!heading.is_empty()).then_some((heading, offset + line.len()));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_front_matter_gives_date_title_url_author() {
        let text = "---\ntitle: \"Rates: up\"\ndate: 2024-01-25T10:00:00+01:00\nlink: https://example.com/a\nauthor: [Ann, Bo]\ntags: [x]\n---\n\nFirst para.\n\nSecond.\n";
        let article = parse_text_article(text).unwrap();
        assert_eq!(article.title.as_deref(), Some("Rates: up"));
        assert_eq!(article.date.unwrap().to_string(), "2024-01-25T09:00:00Z");
        assert_eq!(article.date_source, Some(DateSource::FrontMatter));
        assert_eq!(
            article.date_text.as_deref(),
            Some("2024-01-25T10:00:00+01:00")
        );
        assert_eq!(article.url.as_deref(), Some("https://example.com/a"));
        assert_eq!(article.author.as_deref(), Some("Ann, Bo"));
        let got: Vec<_> = article
            .passages
            .iter()
            .map(|p| (p.text.as_str(), p.line))
            .collect();
        assert_eq!(got, [("First para.", 9), ("Second.", 11)]);
    }

    #[test]
    fn toml_front_matter_and_native_dates() {
        let text = "+++\ntitle = 'Old news'\npubDate = 1851-09-18\n+++\nThe first issue.\n";
        let article = parse_text_article(text).unwrap();
        assert_eq!(article.title.as_deref(), Some("Old news"));
        assert_eq!(article.date.unwrap().to_string(), "1851-09-18");
    }

    #[test]
    fn a_leading_heading_is_the_title_not_a_passage() {
        let article = parse_text_article("\n# Columbus lands\n\nLand was sighted.\n").unwrap();
        assert_eq!(article.title.as_deref(), Some("Columbus lands"));
        assert_eq!(article.passages.len(), 1);
        assert_eq!(article.passages[0].line, 4);
        let plain = parse_text_article("Just text.\n\n# Later heading\n").unwrap();
        assert_eq!(plain.title, None);
        assert_eq!(plain.passages.len(), 2);
    }

    proptest::proptest! {
        #[test]
        fn any_text_parses_without_panicking(text in "\\PC{0,200}", fence in "(---|\\+\\+\\+|# )") {
            let _ = parse_text_article(&format!("{fence}\n{text}"));
            let _ = parse_text_article(&text);
        }
    }

    #[test]
    fn broken_front_matter_is_an_error() {
        assert!(
            parse_text_article("---\ntitle: x\nbody never closes")
                .unwrap_err()
                .contains("never closed")
        );
        assert!(
            parse_text_article("---\ntitle: [x\n---\nbody")
                .unwrap_err()
                .contains("YAML")
        );
        assert!(
            parse_text_article("+++\ntitle = \n+++\nbody")
                .unwrap_err()
                .contains("TOML")
        );
    }
}
