//! The postings of the query's words, read once per query, a block at a
//! time: in how many articles each word occurs (its idf) and each word's
//! frequencies in every match, laid out by match so that scoring reads
//! them in order instead of seeking every word's postings for every
//! match.
//!
//! An article's passages are consecutive documents of one segment, in
//! reading order (the writer adds each article in one batch,
//! `index::writer`), so walking a word's postings in doc order, a posting
//! opens a new article exactly when it lies past the end of the previous
//! posting's article (from the segment's [`ArticleSpans`]). That reads no
//! column and builds, sorts and hashes no set of article ids.

use tantivy::postings::BlockSegmentPostings;
use tantivy::schema::IndexRecordOption;
use tantivy::{DocId, Searcher, Term};

use crate::error::Result;
use crate::index::DatelineSchema;
use crate::search::query::QueryWord;
use crate::search::rank::spans::ArticleSpans;

/// The query words' (text, title) frequency in each match of a segment:
/// one row of `words` pairs per match, in the order of the matches.
pub(super) struct Frequencies {
    words: usize,
    pairs: Vec<(u32, u32)>,
}

impl Frequencies {
    /// The row of the `at`th match.
    pub(super) fn row(&self, at: usize) -> &[(u32, u32)] {
        &self.pairs[at * self.words..][..self.words]
    }
}

/// What the query words' postings say.
pub(super) struct WordPostings {
    /// In how many articles each word occurs, in the text or the title
    /// (when asked for).
    pub(super) articles: Vec<u64>,
    /// Each segment's [`Frequencies`].
    pub(super) frequencies: Vec<Frequencies>,
}

/// Reads every query word's postings in every segment once. `matched` are
/// each segment's matches; `count_articles` asks for the per-word article
/// counts, of live documents.
pub(super) fn read_words(
    searcher: &Searcher,
    fields: &DatelineSchema,
    words: &[QueryWord],
    spans: &[ArticleSpans],
    matched: &[Vec<DocId>],
    count_articles: bool,
) -> Result<WordPostings> {
    let mut articles = vec![0; words.len()];
    let mut frequencies = Vec::with_capacity(matched.len());
    let empty = Vec::new();
    for (segment_ord, segment) in searcher.segment_readers().iter().enumerate() {
        let docs = matched.get(segment_ord).unwrap_or(&empty);
        let spans = &spans[segment_ord];
        let alive = segment.alive_bitset();
        let (text, title) = (
            segment.inverted_index(fields.text)?,
            segment.inverted_index(fields.title)?,
        );
        let mut pairs = vec![(0, 0); docs.len() * words.len()];
        for (w, word) in words.iter().enumerate() {
            // The articles using the word, from its text and its title,
            // each by where it ends.
            let mut found: [Vec<u32>; 2] = [Vec::new(), Vec::new()];
            for (field, (term, index)) in [(&word.text_term, &text), (&word.title_term, &title)]
                .into_iter()
                .enumerate()
            {
                let Some(term) = term else { continue };
                let Some(mut block) =
                    index.read_block_postings(term, IndexRecordOption::WithFreqs)?
                else {
                    continue;
                };
                let mut at = 0;
                // An article is known by where it ends.
                let mut article_end = 0;
                walk(&mut block, |doc, freq| {
                    if count_articles
                        && doc >= article_end
                        && alive.is_none_or(|bits| bits.is_alive(doc))
                    {
                        article_end = spans.end_of(doc);
                        found[field].push(article_end);
                    }
                    while at < docs.len() && docs[at] < doc {
                        at += 1;
                    }
                    if at < docs.len() && docs[at] == doc {
                        let pair = &mut pairs[at * words.len() + w];
                        match field {
                            0 => pair.0 = freq,
                            _ => pair.1 = freq,
                        }
                    }
                });
            }
            articles[w] += distinct_in_either(&found[0], &found[1]);
        }
        frequencies.push(Frequencies {
            words: words.len(),
            pairs,
        });
    }
    Ok(WordPostings {
        articles,
        frequencies,
    })
}

/// Calls `each` with every (doc, frequency) of the postings, in doc order.
fn walk(block: &mut BlockSegmentPostings, mut each: impl FnMut(DocId, u32)) {
    loop {
        let docs = block.docs();
        if docs.is_empty() {
            break;
        }
        for (&doc, &freq) in docs.iter().zip(block.freqs()) {
            each(doc, freq);
        }
        block.advance();
    }
}

/// How many values are in `a` or `b`, both increasing.
fn distinct_in_either(a: &[u32], b: &[u32]) -> u64 {
    let (mut i, mut j, mut count) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        count += 1;
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                i += 1;
                j += 1;
            }
        }
    }
    count + (a.len() - i) as u64 + (b.len() - j) as u64
}

/// How many articles the index holds: each has exactly one passage 0, and
/// `passage_no` is indexed so that is one term's document frequency. Like
/// tantivy's own BM25 statistics it still counts deleted documents until
/// their segment is merged; a full scan instead cost every query a pass
/// over the whole index.
pub(super) fn count_articles(searcher: &Searcher, fields: &DatelineSchema) -> Result<u64> {
    let first_passages = Term::from_field_u64(fields.passage_no, 0);
    Ok(searcher.doc_freq(&first_passages)?.max(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distinct_values_of_two_increasing_lists() {
        assert_eq!(distinct_in_either(&[1, 3, 5], &[2, 3, 6, 7]), 6);
        assert_eq!(distinct_in_either(&[], &[2]), 1);
        assert_eq!(distinct_in_either(&[4], &[]), 1);
        assert_eq!(distinct_in_either(&[], &[]), 0);
    }
}
