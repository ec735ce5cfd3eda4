//! Markdown and plain text, with optional YAML (`---`) or TOML (`+++`)
//! front matter.
//!
//! The front matter is converted to JSON values and read by the same field
//! recogniser as JSON articles, so `date`/`published`/`pubDate`, `title`,
//! `url`/`link` and `author` mean the same everywhere, and `--field` names
//! other keys. When no date key gives a date, the keys where static sites
//! keep a post's path (`path`, `permalink`, `url`, `slug`, `aliases`) are
//! read for a day (`path = "2025/06/26/Rust-1.88.0"`). A leading `# Title`
//! heading becomes the title when the front matter has none.

use serde_json::{Map, Value};
use yaml_rust2::{Yaml, YamlLoader};

use crate::date::DatePrecision;
use crate::ingest::dates::{DateSource, PathKey};
use crate::ingest::fields::{FieldOverrides, date_in_path_keys, object_meta};
use crate::ingest::{Article, PassageSplitter};

/// Parses a text or Markdown article with optional front matter; remarks
/// on malformed front matter go to `notes`.
pub fn parse_text_article(
    text: &str,
    fields: &FieldOverrides,
    notes: &mut Vec<String>,
) -> Result<Article, String> {
    let (front, body_start) = split_front_matter(text, notes)?;
    let meta = object_meta(&front, fields);
    let mut article = Article {
        title: meta.title,
        url: meta.url,
        author: meta.author,
        outlet: meta.outlet,
        date_problem: meta.date_problem,
        ..Article::default()
    };
    if let Some((date, written)) = meta.date {
        article.date = Some(date);
        article.date_source = Some(match fields.date.as_deref().and_then(path_key) {
            Some(key) if date.precision == DatePrecision::Day => DateSource::FrontMatterPath(key),
            _ => DateSource::FrontMatter,
        });
        article.date_text = Some(written);
    } else if let Some((date, written, key)) = date_in_path_keys(&front) {
        article.date = Some(date);
        article.date_source = Some(DateSource::FrontMatterPath(key));
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

/// The path key `name` is, when `--field date=` names one.
fn path_key(name: &str) -> Option<PathKey> {
    PathKey::ALL
        .into_iter()
        .find(|key| key.key().eq_ignore_ascii_case(name))
}

/// The front matter as a JSON object (empty when there is none) and the
/// byte offset where the body starts.
///
/// Delimiters are read as Hugo and Jekyll read them: `---` (YAML, closed by
/// `---` or `...`) or `+++` (TOML) alone on the first line, trailing white
/// space allowed. A longer run of dashes (`------`) is malformed but meant
/// as YAML front matter: it is read as such, with a note. Front matter
/// that is never closed is read as body text, with a note.
fn split_front_matter(
    text: &str,
    notes: &mut Vec<String>,
) -> Result<(Map<String, Value>, usize), String> {
    let mut lines = text.split_inclusive('\n');
    let Some(first) = lines.next() else {
        return Ok((Map::new(), 0));
    };
    let opener = first.trim_end();
    let malformed = opener.len() > 3 && opener.bytes().all(|b| b == b'-');
    let fence = if malformed { "---" } else { opener };
    if fence != "---" && fence != "+++" {
        return Ok((Map::new(), 0));
    }
    let mut offset = first.len();
    let content_start = offset;
    for line in lines {
        let trimmed = line.trim_end();
        let closes = trimmed == fence
            || (fence == "---" && (trimmed == "..." || (malformed && trimmed == opener)));
        if closes {
            let content = &text[content_start..offset];
            let object = if fence == "---" {
                yaml_object(content)
            } else {
                toml_object(content)
            };
            let object = match object {
                Ok(object) => object,
                // A run of dashes that does not open valid YAML is a rule
                // line, not front matter.
                Err(_) if malformed => return Ok((Map::new(), 0)),
                Err(error) => return Err(error),
            };
            if malformed {
                notes.push(format!(
                    "front matter opened with '{opener}' instead of '---': read as YAML front matter"
                ));
            }
            return Ok((object, offset + line.len()));
        }
        offset += line.len();
    }
    if !malformed {
        notes.push(format!(
            "front matter opened with '{fence}' on line 1 is never closed: read as text"
        ));
    }
    Ok((Map::new(), 0))
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

    fn parse(text: &str) -> Result<Article, String> {
        parse_text_article(text, &FieldOverrides::default(), &mut Vec::new())
    }

    #[test]
    fn yaml_front_matter_gives_date_title_url_author() {
        let text = "---\ntitle: \"Rates: up\"\ndate: 2024-01-25T10:00:00+01:00\nlink: https://example.com/a\nauthor: [Ann, Bo]\ntags: [x]\n---\n\nFirst para.\n\nSecond.\n";
        let article = parse(text).unwrap();
        assert_eq!(article.title.as_deref(), Some("Rates: up"));
        assert_eq!(
            article.date.unwrap().to_string(),
            "2024-01-25T10:00:00+01:00"
        );
        assert_eq!(article.date.unwrap().utc(), "2024-01-25T09:00:00Z");
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
        let article = parse(text).unwrap();
        assert_eq!(article.title.as_deref(), Some("Old news"));
        assert_eq!(article.date.unwrap().to_string(), "1851-09-18");
    }

    #[test]
    fn a_leading_heading_is_the_title_not_a_passage() {
        let article = parse("\n# Columbus lands\n\nLand was sighted.\n").unwrap();
        assert_eq!(article.title.as_deref(), Some("Columbus lands"));
        assert_eq!(article.passages.len(), 1);
        assert_eq!(article.passages[0].line, 4);
        let plain = parse("Just text.\n\n# Later heading\n").unwrap();
        assert_eq!(plain.title, None);
        assert_eq!(plain.passages.len(), 2);
    }

    proptest::proptest! {
        #[test]
        fn any_text_parses_without_panicking(text in "\\PC{0,200}", fence in "(---|\\+\\+\\+|# )") {
            let _ = parse(&format!("{fence}\n{text}"));
            let _ = parse(&text);
        }
    }

    #[test]
    fn broken_front_matter_is_an_error_unless_never_closed() {
        let mut notes = Vec::new();
        let article = parse_text_article(
            "---\ntitle: x\nbody never closes",
            &FieldOverrides::default(),
            &mut notes,
        )
        .unwrap();
        assert_eq!(article.title, None);
        assert!(notes[0].contains("never closed"), "{notes:?}");
        assert!(
            parse("---\ntitle: [x\n---\nbody")
                .unwrap_err()
                .contains("YAML")
        );
        assert!(
            parse("+++\ntitle = \n+++\nbody")
                .unwrap_err()
                .contains("TOML")
        );
    }
}

#[cfg(test)]
mod front_matter_dates {
    use super::*;

    fn read(text: &str, fields: &FieldOverrides) -> (Article, Vec<String>) {
        let mut notes = Vec::new();
        let article = parse_text_article(text, fields, &mut notes).unwrap();
        (article, notes)
    }

    fn dated(text: &str) -> (String, &'static str) {
        let (article, _) = read(text, &FieldOverrides::default());
        (
            article.date.map(|d| d.to_string()).unwrap_or_default(),
            article.date_source.map_or("", DateSource::name),
        )
    }

    #[test]
    fn the_day_and_offset_are_kept_as_written() {
        let (article, _) = read(
            "---\ndate: 2013-11-04 21:46:02 -0600\n---\nBody.\n",
            &FieldOverrides::default(),
        );
        let date = article.date.unwrap();
        assert_eq!(date.to_string(), "2013-11-04T21:46:02-06:00");
        assert_eq!(date.day().to_string(), "2013-11-04");
        assert_eq!(date.utc(), "2013-11-05T03:46:02Z");
        assert_eq!(
            article.date_text.as_deref(),
            Some("2013-11-04 21:46:02 -0600")
        );
    }

    #[test]
    fn site_path_keys_date_a_post_after_the_date_keys() {
        assert_eq!(
            dated("+++\npath = \"2025/06/26/Rust-1.88.0\"\ntitle = \"x\"\n+++\nBody.\n"),
            ("2025-06-26".into(), "front-matter-path")
        );
        assert_eq!(
            dated("---\npermalink: /blog/2024/01/25/launch/\n---\nBody.\n"),
            ("2024-01-25".into(), "front-matter-permalink")
        );
        assert_eq!(
            dated("---\nurl: https://example.com/2023-05-01-notes.html\n---\nBody.\n"),
            ("2023-05-01".into(), "front-matter-url")
        );
        assert_eq!(
            dated("---\naliases: [/old, /2022/02/03/first]\n---\nBody.\n"),
            ("2022-02-03".into(), "front-matter-aliases")
        );
        assert_eq!(
            dated("---\nslug: 2021-07-08-hello\n---\nBody.\n"),
            ("2021-07-08".into(), "front-matter-slug")
        );
        // The date key wins; a year alone is no day.
        assert_eq!(
            dated("---\ndate: 2020-01-02\npath: 2025/06/26/x\n---\nBody.\n"),
            ("2020-01-02".into(), "front-matter")
        );
        assert_eq!(dated("---\nslug: \"2019\"\n---\nBody.\n"), ("".into(), ""));
    }

    #[test]
    fn a_field_override_names_any_key_even_a_path() {
        let fields = FieldOverrides::parse(&["date=path".into(), "title=headline".into()]).unwrap();
        let (article, _) = read(
            "+++\npath = \"2025/06/26/Rust-1.88.0\"\nheadline = \"H\"\ndate = 2020-01-01\n+++\nBody.\n",
            &fields,
        );
        assert_eq!(article.date.unwrap().to_string(), "2025-06-26");
        assert_eq!(
            article.date_source,
            Some(DateSource::FrontMatterPath(PathKey::Path))
        );
        assert_eq!(article.title.as_deref(), Some("H"));
    }

    #[test]
    fn near_iso_dates_are_read_and_unreadable_ones_kept_for_the_report() {
        assert_eq!(
            dated("---\ndate: 2024-4-09\n---\nBody.\n"),
            ("2024-04-09".into(), "front-matter")
        );
        let (article, _) = read(
            "---\ndate: 2024-13-40\n---\nBody.\n",
            &FieldOverrides::default(),
        );
        assert_eq!(article.date, None);
        let problem = article.date_problem.unwrap();
        assert_eq!(problem.to_string(), "date \"2024-13-40\" not understood");
        // A later date key still dates it, and the bad value is still kept.
        let (article, _) = read(
            "---\ndate: 0100-01-05\npublished: 2024-01-05\n---\nBody.\n",
            &FieldOverrides::default(),
        );
        assert_eq!(article.date.unwrap().to_string(), "2024-01-05");
        assert_eq!(
            article.date_problem.unwrap().problem,
            crate::ingest::DateProblem::OutOfRange
        );
        // No digit: not meant as a date, nothing to report.
        let (article, _) = read("---\ndate: soon\n---\nBody.\n", &FieldOverrides::default());
        assert_eq!(article.date_problem, None);
    }

    #[test]
    fn a_run_of_dashes_opens_yaml_with_a_note_and_trailing_spaces_are_fine() {
        let (article, notes) = read(
            "------\ntitle: \"Book club\"\ndate: 2024-02-22\n---\n\nLearning Kubernetes.\n",
            &FieldOverrides::default(),
        );
        assert_eq!(article.title.as_deref(), Some("Book club"));
        assert_eq!(article.date.unwrap().to_string(), "2024-02-22");
        assert_eq!(article.passages.len(), 1);
        assert_eq!(article.passages[0].line, 6);
        assert!(notes[0].contains("'------'"), "{notes:?}");
        let (article, notes) = read(
            "--- \r\ntitle: x\r\ndate: 2024-02-22\r\n---  \r\nBody.\r\n",
            &FieldOverrides::default(),
        );
        assert_eq!(article.title.as_deref(), Some("x"));
        assert!(notes.is_empty());
        // A rule line that opens no YAML is body text.
        let (article, notes) = read(
            "-----\nJust a rule.\n\n-----\nMore.\n",
            &FieldOverrides::default(),
        );
        assert_eq!(article.passages.len(), 2);
        assert_eq!(article.passages[0].line, 1);
        assert!(notes.is_empty());
    }
}
