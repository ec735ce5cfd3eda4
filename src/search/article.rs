//! Reading a whole article back from its passages: for `--context` (the
//! passages around a hit) and for hits that matched only in the title (which
//! show the article's opening instead of an arbitrary passage).

use tantivy::collector::DocSetCollector;
use tantivy::query::TermQuery;
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::{Searcher, TantivyDocument, Term};

use crate::error::Result;
use crate::index::DatelineSchema;

/// One passage of an article, as stored.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ArticlePassage {
    /// The passage's position in its article, from 0.
    pub passage_no: u64,
    /// The 1-based line of the file where it starts.
    pub line: u64,
    /// The passage text.
    pub text: String,
}

/// Every passage of the article `article_id`, in reading order.
pub(crate) fn article_passages(
    searcher: &Searcher,
    fields: &DatelineSchema,
    article_id: u64,
) -> Result<Vec<ArticlePassage>> {
    let query = TermQuery::new(
        Term::from_field_u64(fields.article_id, article_id),
        IndexRecordOption::Basic,
    );
    let addresses = searcher.search(&query, &DocSetCollector)?;
    let mut passages = Vec::with_capacity(addresses.len());
    for address in addresses {
        let doc: TantivyDocument = searcher.doc(address)?;
        let number = |field| doc.get_first(field).and_then(|v| v.as_u64());
        passages.push(ArticlePassage {
            passage_no: number(fields.passage_no).unwrap_or(0),
            line: number(fields.line).unwrap_or(1),
            text: doc
                .get_first(fields.text)
                .and_then(|v| v.as_str())
                .unwrap_or_default()
                .to_string(),
        });
    }
    passages.sort_by_key(|p| p.passage_no);
    Ok(passages)
}
