//! Reading a test collection in BEIR layout: `corpus.jsonl` (`_id`,
//! `title`, `text`), `queries.jsonl` (`_id`, `text`) and
//! `qrels/<split>.tsv` (`query-id`, `corpus-id`, `score`, with a header).

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::error::CollectionError;
use crate::eval::metrics::Judgments;
use crate::ingest::{Article, PassageSplitter};

/// A loaded test collection.
#[derive(Debug, Default)]
pub struct Collection {
    /// The documents, as articles whose `source` is the document id.
    pub articles: Vec<Article>,
    /// The judged queries of the split: `(id, text)`, in file order.
    pub queries: Vec<(String, String)>,
    /// Judgments by query id.
    pub qrels: HashMap<String, Judgments>,
}

#[derive(Deserialize)]
struct CorpusLine {
    #[serde(rename = "_id")]
    id: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    text: String,
}

#[derive(Deserialize)]
struct QueryLine {
    #[serde(rename = "_id")]
    id: String,
    #[serde(default)]
    text: String,
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
        articles.push(Article {
            source: PathBuf::from(&line.id),
            relative: PathBuf::from(&line.id),
            title: (!title.is_empty()).then(|| title.to_string()),
            passages: splitter.split(&line.text, 0),
            ..Article::default()
        });
    })?;
    let mut queries = Vec::new();
    for_each_json_line(&dir.join("queries.jsonl"), |line: QueryLine| {
        if qrels.contains_key(&line.id) {
            queries.push((line.id, line.text));
        }
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

fn for_each_json_line<T: for<'de> Deserialize<'de>>(
    path: &Path,
    mut each: impl FnMut(T),
) -> Result<(), CollectionError> {
    for (number, line) in open(path)?.lines().enumerate() {
        let line = line.map_err(|source| CollectionError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        if line.trim().is_empty() {
            continue;
        }
        let value = serde_json::from_str(&line).map_err(|e| CollectionError::Format {
            path: path.to_path_buf(),
            line: number + 1,
            reason: e.to_string(),
        })?;
        each(value);
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
            [("q1".to_string(), "purring cats".to_string())]
        );
        assert_eq!(collection.qrels["q1"]["d1"], 1);
    }
}
