//! The postings of the query's words, read once per query, a block at a
//! time: in how many articles each word occurs (its idf) and each word's
//! frequencies in every match, a column per word in the order of the
//! matches, so that scoring reads them in order instead of seeking every
//! word's postings for every match.
//!
//! An article's passages are consecutive documents of one segment, in
//! reading order (the writer adds each article in one batch,
//! `index::writer`), so a posting's article is its number among the
//! segment's article starts ([`ArticleSpans::article_number`]): each
//! posting marks it in a bitset of the segment's articles, and the bits
//! set are the articles using the word. That reads no column, and takes no
//! branch per posting (most postings of a common word are in an article of
//! their own).
//!
//! A common word's count is usually not read from its postings at all: the
//! indexer wrote it beside the segment ([`WordArticles`]). Its postings
//! are then read only where the segment has matches, and skipped through
//! when the matches are few.

use std::sync::Arc;

use tantivy::postings::{BlockSegmentPostings, Postings};
use tantivy::schema::IndexRecordOption;
use tantivy::{DocId, DocSet, SegmentReader};

use crate::error::Result;
use crate::index::DatelineSchema;
use crate::index::spans::ArticleSpans;
use crate::index::word_articles::WordArticles;
use crate::search::parallel::Segments;
use crate::search::query::QueryWord;

/// The query words' (text, title) frequency in each match of a segment,
/// a column per word and field (empty when the word is not in the field).
///
/// A frequency is kept in 16 bits, which halves the memory of a common
/// word's columns (tens of megabytes at ten million articles, written
/// afresh on every search); a passage holding one word more than 65,535
/// times counts it 65,535 times, where its score has long stopped growing.
pub(super) struct Frequencies {
    text: Vec<Vec<u16>>,
    title: Vec<Vec<u16>>,
    /// For each word, the segment's articles whose matches hold it, a bit
    /// per article number; empty when not asked for ([`Reading`]).
    pub(super) held: Vec<Vec<u64>>,
    /// For each word, those of them whose matches hold it more than once
    /// in the text (in one passage or in several), or in the title.
    pub(super) often: Vec<Vec<u64>>,
}

impl Frequencies {
    /// Word `w`'s (text, title) frequency in the `at`th match.
    pub(super) fn get(&self, at: usize, w: usize) -> (u32, u32) {
        let of = |column: &Vec<u16>| u32::from(column.get(at).copied().unwrap_or(0));
        (of(&self.text[w]), of(&self.title[w]))
    }

    /// Word `w`'s text frequency in the `at`th match.
    pub(super) fn text(&self, at: usize, w: usize) -> u32 {
        u32::from(self.text[w].get(at).copied().unwrap_or(0))
    }

    /// Word `w`'s text frequencies summed and title frequencies' largest
    /// over the matches `matches`.
    pub(super) fn sum(&self, matches: std::ops::Range<usize>, w: usize) -> (u32, u32) {
        let text = self.text[w].get(matches.clone()).map_or(0, |column| {
            column
                .iter()
                .fold(0u32, |sum, &tf| sum.saturating_add(u32::from(tf)))
        });
        let title = self.title[w].get(matches).map_or(0, |column| {
            column.iter().copied().max().map_or(0, u32::from)
        });
        (text, title)
    }

    /// Every word's frequencies in the `at`th match, into `row`.
    pub(super) fn row_into(&self, at: usize, row: &mut [(u32, u32)]) {
        for (w, pair) in row.iter_mut().enumerate() {
            *pair = self.get(at, w);
        }
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

/// What [`read_words`] reads besides each word's frequencies in the
/// matches.
#[derive(Clone, Copy)]
pub(super) struct Reading {
    /// The per-word article counts, of live documents.
    pub(super) count_articles: bool,
    /// The articles each word's matches hold ([`Frequencies::held`] and
    /// `often`), for pruning by articles; only with `count_articles`.
    pub(super) mark_articles: bool,
}

/// Reads every query word's postings in every segment once. `matched` are
/// each segment's matches.
pub(super) fn read_words(
    fields: &DatelineSchema,
    words: &[QueryWord],
    segments: &[SegmentWords],
    matched: &[Vec<DocId>],
    reading: Reading,
    walk: Segments,
) -> Result<WordPostings> {
    let read = walk.try_map(segments.iter().enumerate().collect(), |(ord, segment)| {
        let docs = matched.get(ord).map_or(&[][..], Vec::as_slice);
        read_segment(segment, fields, words, docs, reading)
    })?;
    let mut articles = vec![0; words.len()];
    let mut frequencies = Vec::with_capacity(read.len());
    for (counts, columns) in read {
        for (total, count) in articles.iter_mut().zip(counts) {
            *total += count;
        }
        frequencies.push(columns);
    }
    Ok(WordPostings {
        articles,
        frequencies,
    })
}

/// A segment as [`read_words`] reads it.
pub(super) struct SegmentWords<'a> {
    pub(super) segment: &'a SegmentReader,
    pub(super) spans: &'a ArticleSpans,
    /// Whether it holds titles.
    pub(super) titled: bool,
    /// The article counts of its common words, when written.
    pub(super) counted: Option<&'a WordArticles>,
}

/// Matches fewer than one in this many of a word's postings are looked up
/// in its postings one by one (skipping the blocks between) rather than
/// found by reading every posting.
const SEEK_BELOW: u64 = 32;

/// One segment's share of [`read_words`]: in how many of its articles
/// each word occurs, and the words' frequencies in its matches `docs`.
///
/// A word's article count comes from the segment's [`WordArticles`] when
/// they hold it and the segment has no deleted documents (which they
/// count); otherwise every posting of the word is read to count them.
fn read_segment(
    segment: &SegmentWords,
    fields: &DatelineSchema,
    words: &[QueryWord],
    docs: &[DocId],
    reading: Reading,
) -> Result<(Vec<u64>, Frequencies)> {
    let count_articles = reading.count_articles;
    let mark_articles = count_articles && reading.mark_articles;
    let SegmentWords {
        segment,
        spans,
        titled,
        counted,
    } = *segment;
    let mut articles = vec![0; words.len()];
    let alive = segment.alive_bitset();
    let text = segment.inverted_index(fields.text)?;
    let title = match titled {
        true => Some(segment.inverted_index(fields.title)?),
        false => None,
    };
    let positions = MatchPositions::of(docs, segment.max_doc());
    let mut columns = Frequencies {
        text: Vec::with_capacity(words.len()),
        title: Vec::with_capacity(words.len()),
        held: Vec::new(),
        often: Vec::new(),
    };
    // The articles using the current word, from its text and its title,
    // by number.
    let bitset_words = spans.articles().div_ceil(64).max(1);
    let mut using = Vec::new();
    for (w, word) in words.iter().enumerate() {
        // Counts written cover the text and the title together.
        let known = match (counted, &word.text_term) {
            (Some(counted), Some(term))
                if count_articles && alive.is_none() && (word.title_term.is_some() || !titled) =>
            {
                (text.terms().term_ord(term.serialized_value_bytes())?)
                    .and_then(|ord| counted.articles(ord))
            }
            _ => None,
        };
        let count_here = count_articles && known.is_none();
        if count_here {
            using.clear();
            using.resize(bitset_words, 0u64);
        }
        // Those whose matches hold it, or hold it often (see
        // `Frequencies::held`).
        let (mut held, mut often) = match mark_articles {
            true => (vec![0u64; bitset_words], vec![0u64; bitset_words]),
            false => (Vec::new(), Vec::new()),
        };
        for (field, (term, index)) in [
            (&word.text_term, Some(&text)),
            (&word.title_term, title.as_ref()),
        ]
        .into_iter()
        .enumerate()
        {
            let mut column = Vec::new();
            let info = match (term, index) {
                (Some(term), Some(index)) => index.get_term_info(term)?,
                _ => None,
            };
            if let (Some(info), Some(index)) = (info, index)
                && (count_here || !docs.is_empty())
            {
                column = vec![0; docs.len()];
                // The `at`th match, `doc`, holds the word `freq` times.
                let mut found = |at: usize, doc: DocId, freq: u32| {
                    column[at] = u16::try_from(freq).unwrap_or(u16::MAX);
                    if mark_articles {
                        // Often: in the title, more than once in a
                        // passage, or in a second passage.
                        let article = spans.article_number(doc);
                        let bit = 1 << (article % 64);
                        let before = held[article / 64];
                        held[article / 64] = before | bit;
                        let many = field == 1 || freq > 1 || before & bit != 0;
                        often[article / 64] |= u64::from(many) << (article % 64);
                    }
                };
                let option = IndexRecordOption::WithFreqs;
                if count_here {
                    let mut block = index.read_block_postings_from_terminfo(&info, option)?;
                    walk(&mut block, |doc, freq| {
                        // Without a branch: most postings of a common
                        // word open an article.
                        let live = alive.is_none_or(|bits| bits.is_alive(doc));
                        let article = spans.article_number(doc);
                        using[article / 64] |= u64::from(live) << (article % 64);
                        if let Some(at) = positions.of_doc(doc) {
                            found(at, doc, freq);
                        }
                    });
                } else if (docs.len() as u64) * SEEK_BELOW < u64::from(info.doc_freq) {
                    let mut postings = index.read_postings_from_terminfo(&info, option)?;
                    for (at, &doc) in docs.iter().enumerate() {
                        if postings.doc() < doc && postings.seek(doc) != doc {
                            continue;
                        }
                        if postings.doc() == doc {
                            found(at, doc, postings.term_freq());
                        }
                    }
                } else {
                    let mut block = index.read_block_postings_from_terminfo(&info, option)?;
                    walk(&mut block, |doc, freq| {
                        if let Some(at) = positions.of_doc(doc) {
                            found(at, doc, freq);
                        }
                    });
                }
            }
            match field {
                0 => columns.text.push(column),
                _ => columns.title.push(column),
            }
        }
        articles[w] = match known {
            Some(count) => count,
            None => using.iter().map(|bits| u64::from(bits.count_ones())).sum(),
        };
        if mark_articles {
            columns.held.push(held);
            columns.often.push(often);
        }
    }
    Ok((articles, columns))
}

/// Where each matching document is among a segment's matches: a bitset of
/// the matches with the count of matches before each word of it, so that
/// a posting finds its match without a search or a branch on the gap.
struct MatchPositions {
    bits: Vec<u64>,
    before: Vec<u32>,
}

impl MatchPositions {
    /// The positions of `docs`, increasing, all below `max_doc`.
    fn of(docs: &[DocId], max_doc: DocId) -> MatchPositions {
        let mut bits = vec![0u64; (max_doc as usize).div_ceil(64)];
        for &doc in docs {
            bits[doc as usize / 64] |= 1 << (doc % 64);
        }
        let mut before = Vec::with_capacity(bits.len());
        let mut count = 0;
        for word in &bits {
            before.push(count);
            count += word.count_ones();
        }
        MatchPositions { bits, before }
    }

    /// The position of `doc` among the matches, if it is one.
    fn of_doc(&self, doc: DocId) -> Option<usize> {
        let word = doc as usize / 64;
        let bits = *self.bits.get(word)?;
        let bit = 1u64 << (doc % 64);
        if bits & bit == 0 {
            return None;
        }
        Some((self.before[word] + (bits & (bit - 1)).count_ones()) as usize)
    }
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

/// How many articles the segments hold: each has exactly one passage 0,
/// which starts its span. Like tantivy's own BM25 statistics it still
/// counts deleted documents until their segment is merged; a full scan
/// instead cost every query a pass over the whole index.
pub(super) fn count_articles(spans: &[Arc<ArticleSpans>]) -> u64 {
    let articles: usize = spans.iter().map(|spans| spans.articles()).sum();
    (articles as u64).max(1)
}

#[cfg(test)]
mod tests {
    use tantivy::Term;

    use super::*;
    use crate::indexer::index_on_one_thread;
    use crate::search::rank::Top;
    use crate::search::rank::bm25f::bm25_idf;
    use crate::search::{Prepared, SearchRequest};

    /// A word's idf counts the live articles using it in their text (in
    /// one passage or several) or their title, once each.
    #[test]
    fn a_word_counts_the_live_articles_using_it() {
        let folder = tempfile::tempdir().unwrap();
        let articles = folder.path().join("articles");
        std::fs::create_dir(&articles).unwrap();
        let write = |name: &str, text: &str| std::fs::write(articles.join(name), text).unwrap();
        write(
            "titled.md",
            "---\ntitle: Cocoa report\ndate: 1987-03-02\n---\n\nGrowers met.\n\nTraders left.\n",
        );
        write(
            "twice.txt",
            " date 1987-03-03 Cocoa rose.\n\nGrain fell.\n\nCocoa fell again.\n",
        );
        write("once.txt", " date 1987-03-04 Grain rose.\n\nCocoa held.\n");
        write("none.txt", " date 1987-03-05 Grain rose and fell.\n");
        write("gone.txt", " date 1987-03-06 Cocoa and more cocoa.\n");
        let index_dir = folder.path().join("index");
        // One segment, so the deleted article does not take a segment of
        // its own with it.
        let index = index_on_one_thread(articles, &index_dir);
        // Deleted, its documents left in the segment.
        let searcher = crate::search::parallel::delete_unmerged(&index, "more");
        let request = SearchRequest {
            query: "cocoa".to_string(),
            ..SearchRequest::default()
        };
        let prepared = Prepared::with_searcher(&index, searcher.clone(), &request).unwrap();
        let (matches, _) = prepared.rank(&index, Top::Matches(usize::MAX)).unwrap();
        // Deleted documents still count among all articles, as in
        // tantivy's statistics: each has one passage 0.
        let first_passages = Term::from_field_u64(index.fields.passage_no, 0);
        let all = searcher.doc_freq(&first_passages).unwrap() as f32;
        assert_eq!(matches.scoring.words[0].idf, bm25_idf(all, 3.0));
    }

    /// The idf of `word` in a search of it over `index`.
    fn idf_of(index: &crate::index::OpenIndex, searcher: tantivy::Searcher, word: &str) -> f32 {
        let request = SearchRequest {
            query: word.to_string(),
            ..SearchRequest::default()
        };
        let prepared = Prepared::with_searcher(index, searcher, &request).unwrap();
        let (matches, _) = prepared.rank(index, Top::Matches(usize::MAX)).unwrap();
        matches.scoring.words[0].idf
    }

    /// A common word's article count read from the counts the indexer
    /// wrote is the one its postings give: text and title together, each
    /// article once however many of its passages hold the word; deleted
    /// articles, which the counts include, are left out by reading the
    /// postings instead.
    #[test]
    fn written_counts_give_the_same_idf_as_the_postings() {
        let folder = tempfile::tempdir().unwrap();
        let articles = folder.path().join("articles");
        std::fs::create_dir(&articles).unwrap();
        // "Cranes" in four passages of one article in four, and in the
        // title of one in ten: about 400 text postings, enough to be
        // counted, in a third of the articles (so that its idf is not
        // floored).
        let mut using = 0;
        for n in 0..400 {
            let body = match n % 4 {
                _ if n == 1 => "Cranes gone, and more cranes.".to_string(),
                1 => format!("Cranes at berth {n}.\n\nCranes idle.\n\nCranes.\n\nCranes again."),
                _ => format!("Ships waited at berth {n}.\n\nFreight went by rail."),
            };
            let text = match n % 10 {
                0 => format!("---\ntitle: Cranes report\ndate: 1987-03-02\n---\n\n{body}\n"),
                _ => format!(" date 1987-03-02 {body}\n"),
            };
            std::fs::write(articles.join(format!("{n}.md")), text).unwrap();
            // (Each article its own: the same text twice is one article.)
            using += usize::from(n % 4 == 1 || n % 10 == 0);
        }
        let index_dir = folder.path().join("index");
        let index = index_on_one_thread(articles, &index_dir);
        let searcher = index.snapshot().unwrap();
        assert!(
            index.word_articles(&searcher)[0].is_some(),
            "counts written"
        );
        let all = count_articles(&index.article_spans(&searcher).unwrap()) as f32;
        let expected = bm25_idf(all, using as f32);
        assert_eq!(idf_of(&index, searcher.clone(), "cranes"), expected);

        // Without the files, the postings give the same.
        for entry in std::fs::read_dir(&index_dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "wordarticles") {
                std::fs::remove_file(path).unwrap();
            }
        }
        let reopened = crate::index::OpenIndex::open(&index_dir).unwrap();
        let searcher = reopened.snapshot().unwrap();
        assert!(reopened.word_articles(&searcher)[0].is_none());
        assert_eq!(idf_of(&reopened, searcher, "cranes"), expected);

        // The next run writes them again; with one article deleted, the
        // live articles count.
        let index = index_on_one_thread(folder.path().join("articles"), &index_dir);
        assert!(index.word_articles(&index.snapshot().unwrap())[0].is_some());
        let searcher = crate::search::parallel::delete_unmerged(&index, "gone");
        let fewer = bm25_idf(all, (using - 1) as f32);
        assert_eq!(idf_of(&index, searcher, "cranes"), fewer);
    }

    #[test]
    fn match_positions_count_the_matches_before() {
        let docs = [0, 5, 63, 64, 130];
        let positions = MatchPositions::of(&docs, 200);
        let found: Vec<Option<usize>> = [0, 1, 5, 63, 64, 65, 130, 199, 500]
            .iter()
            .map(|&doc| positions.of_doc(doc))
            .collect();
        let expected = [
            Some(0),
            None,
            Some(1),
            Some(2),
            Some(3),
            None,
            Some(4),
            None,
            None,
        ];
        assert_eq!(found, expected);
    }
}
