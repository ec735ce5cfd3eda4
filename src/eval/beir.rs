//! Reading a test collection in BEIR layout: `corpus.jsonl` (`_id`,
//! `title`, `text`), `queries.jsonl` (`_id`, `text`) and
//! `qrels/<split>.tsv` (`query-id`, `corpus-id`, `score`, with a header).
//!
//! Two optional fields beyond BEIR let a collection test date filtering: a
//! document's `date` and a query's `since` and `until` (YYYY, YYYY-MM or
//! YYYY-MM-DD, UTC, as `--since` and `--until` take them; a partial date
//! covers its whole period). A dated query is run with that date filter,
//! and its judgments are expected to cover that period only.

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::date::{ArticleDate, DatePrecision, Period};
use crate::error::CollectionError;
use crate::eval::metrics::Judgments;
use crate::ingest::{Article, DateSource, PassageSplitter};
use crate::search::DateFilter;

/// A loaded test collection.
#[derive(Debug, Default)]
pub struct Collection {
    /// The documents, as articles whose `source` is the document id.
    pub articles: Vec<Article>,
    /// The judged queries of the split, in file order.
    pub queries: Vec<TestQuery>,
    /// Judgments by query id.
    pub qrels: HashMap<String, Judgments>,
}

/// A judged query.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TestQuery {
    /// Its id, as the qrels name it.
    pub id: String,
    /// The query as a user would type it.
    pub text: String,
    /// The period it is searched in (unbounded unless `since` or `until`
    /// was given).
    pub dates: DateFilter,
}

#[derive(Deserialize)]
struct CorpusLine {
    #[serde(rename = "_id")]
    id: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    text: String,
    #[serde(default)]
    date: Option<String>,
}

#[derive(Deserialize)]
struct QueryLine {
    #[serde(rename = "_id")]
    id: String,
    #[serde(default)]
    text: String,
    #[serde(default)]
    since: Option<String>,
    #[serde(default)]
    until: Option<String>,
}

/// Loads the collection in `dir` with the judgments of `split` (`test`,
/// `dev`, `train`); only queries with judgments are kept. Document text is
/// split into passages of at most `passage_words` words, as indexing does.
pub fn load_collection(
    dir: &Path,
    split: &str,
    passage_words: usize,
) -> Result<Collection, CollectionError> {
    let qrels = load_qrels(&dir.join("qrels").join(format!("{split}.tsv")))?;
    let splitter = PassageSplitter {
        max_words: passage_words,
    };
    let mut articles = Vec::new();
    for_each_json_line(&dir.join("corpus.jsonl"), |line: CorpusLine| {
        let title = line.title.trim();
        let date = match &line.date {
            Some(text) => Some(ArticleDate::from_stored(
                Period::parse(text).map_err(|e| e.to_string())?.start(),
                DatePrecision::Day,
            )),
            None => None,
        };
        articles.push(Article {
            source: PathBuf::from(&line.id),
            relative: PathBuf::from(&line.id),
            title: (!title.is_empty()).then(|| title.to_string()),
            passages: splitter.split(&line.text, 0),
            date,
            date_source: date.map(|_| DateSource::JsonField),
            date_text: date.and(line.date),
            ..Article::default()
        });
        Ok(())
    })?;
    let mut queries = Vec::new();
    for_each_json_line(&dir.join("queries.jsonl"), |line: QueryLine| {
        if qrels.contains_key(&line.id) {
            queries.push(TestQuery {
                dates: query_dates(line.since.as_deref(), line.until.as_deref())?,
                id: line.id,
                text: line.text,
            });
        }
        Ok(())
    })?;
    Ok(Collection {
        articles,
        queries,
        qrels,
    })
}

fn open(path: &Path) -> Result<BufReader<std::fs::File>, CollectionError> {
    std::fs::File::open(path)
        .map(BufReader::new)
        .map_err(|source| CollectionError::Read {
            path: path.to_path_buf(),
            source,
        })
}

/// A judged query's period. Relative dates (`30d`, `last-month`) are
/// refused: they would judge a different period every day.
fn query_dates(since: Option<&str>, until: Option<&str>) -> Result<DateFilter, String> {
    for text in since.iter().chain(until.iter()) {
        Period::parse(text).map_err(|e| e.to_string())?;
    }
    DateFilter::from_args(since, until, None).map_err(|e| e.to_string())
}

/// Calls `each` with every line of a JSON-lines file; an `Err` from it is
/// reported with the file and line.
fn for_each_json_line<T: for<'de> Deserialize<'de>>(
    path: &Path,
    mut each: impl FnMut(T) -> Result<(), String>,
) -> Result<(), CollectionError> {
    for (number, line) in open(path)?.lines().enumerate() {
        let line = line.map_err(|source| CollectionError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        if line.trim().is_empty() {
            continue;
        }
        let bad = |reason: String| CollectionError::Format {
            path: path.to_path_buf(),
            line: number + 1,
            reason,
        };
        let value = serde_json::from_str(&line).map_err(|e| bad(e.to_string()))?;
        each(value).map_err(bad)?;
    }
    Ok(())
}

/// Reads `query-id <TAB> corpus-id <TAB> score` lines after a header;
/// CRLF line ends are accepted.
fn load_qrels(path: &Path) -> Result<HashMap<String, Judgments>, CollectionError> {
    let mut qrels: HashMap<String, Judgments> = HashMap::new();
    for (number, line) in open(path)?.lines().enumerate() {
        let line = line.map_err(|source| CollectionError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        let line = line.trim_end_matches('\r');
        if number == 0 || line.trim().is_empty() {
            continue;
        }
        let bad = |reason: &str| CollectionError::Format {
            path: path.to_path_buf(),
            line: number + 1,
            reason: reason.to_string(),
        };
        let mut columns = line.split('\t');
        let (Some(query), Some(doc), Some(score)) =
            (columns.next(), columns.next(), columns.next())
        else {
            return Err(bad(
                "expected query-id, corpus-id and score separated by tabs",
            ));
        };
        let score: i32 = score
            .trim()
            .parse()
            .map_err(|_| bad("the score is not a whole number"))?;
        qrels
            .entry(query.to_string())
            .or_default()
            .insert(doc.to_string(), score);
    }
    Ok(qrels)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loads_a_tiny_collection_with_crlf_qrels() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("corpus.jsonl"),
            "{\"_id\": \"d1\", \"title\": \"Cats\", \"text\": \"Cats purr.\"}\n{\"_id\": \"d2\", \"title\": \"\", \"text\": \"Dogs bark.\"}\n",
        )
        .unwrap();
        std::fs::write(
            dir.path().join("queries.jsonl"),
            "{\"_id\": \"q1\", \"text\": \"purring cats\"}\n{\"_id\": \"q2\", \"text\": \"unjudged\"}\n",
        )
        .unwrap();
        std::fs::create_dir(dir.path().join("qrels")).unwrap();
        std::fs::write(
            dir.path().join("qrels/test.tsv"),
            "query-id\tcorpus-id\tscore\r\nq1\td1\t1\r\n",
        )
        .unwrap();
        let collection = load_collection(dir.path(), "test", 120).unwrap();
        assert_eq!(collection.articles.len(), 2);
        assert_eq!(collection.articles[0].title.as_deref(), Some("Cats"));
        assert_eq!(collection.articles[1].title, None);
        assert_eq!(collection.articles[1].passages[0].text, "Dogs bark.");
        assert_eq!(
            collection.queries,
            [TestQuery {
                id: "q1".to_string(),
                text: "purring cats".to_string(),
                dates: DateFilter::default(),
            }]
        );
        assert_eq!(collection.qrels["q1"]["d1"], 1);
    }

    #[test]
    fn documents_may_have_dates_and_queries_periods() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("corpus.jsonl"),
            "{\"_id\": \"d1\", \"text\": \"Cats purr.\", \"date\": \"1987-03-02\"}\n",
        )
        .unwrap();
        std::fs::write(
            dir.path().join("queries.jsonl"),
            "{\"_id\": \"q1\", \"text\": \"cats\", \"since\": \"1987-03\", \"until\": \"1987-03-15\"}\n",
        )
        .unwrap();
        std::fs::create_dir(dir.path().join("qrels")).unwrap();
        std::fs::write(
            dir.path().join("qrels/test.tsv"),
            "query-id\tcorpus-id\tscore\nq1\td1\t1\n",
        )
        .unwrap();
        let collection = load_collection(dir.path(), "test", 120).unwrap();
        let date = collection.articles[0].date.unwrap();
        assert_eq!(date.day(), jiff::civil::date(1987, 3, 2));
        let dates = collection.queries[0].dates;
        assert!(dates.contains(date.day(), date.timestamp));
        assert_eq!(dates.first_day, Some(jiff::civil::date(1987, 3, 1)));
        assert_eq!(dates.last_day, Some(jiff::civil::date(1987, 3, 15)));

        std::fs::write(
            dir.path().join("queries.jsonl"),
            "{\"_id\": \"q1\", \"text\": \"cats\", \"since\": \"30d\"}\n",
        )
        .unwrap();
        let error = load_collection(dir.path(), "test", 120).unwrap_err();
        assert!(error.to_string().contains("queries.jsonl:1"), "{error}");
    }
}
