//! Picking a page of hits from the ranked matches: at most `per_article`
//! passages of one article, so a long article cannot fill the page, and
//! near-copies of one wire story shown once, the others named beside it.

use std::collections::{HashMap, HashSet};

use tantivy::columnar::Column;
use tantivy::schema::IndexRecordOption;
use tantivy::{DocAddress, DocSet, InvertedIndexReader, Searcher, TERMINATED, Term};

use crate::error::Result;
use crate::index::article_column::ArticleColumn;
use crate::index::stored::StoredReader;
use crate::index::{DatelineSchema, OpenIndex};
use crate::search::order::PassageOrder;
use crate::search::parallel::Segments;
use crate::search::rank::{ScoredMatches, ScoredPassage};

/// Matching passages a page passed over before its last hit: the reason a
/// page can hold fewer hits than there are matches.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct HiddenPassages {
    /// Further passages of articles already shown `per_article` times
    /// (or already shown by their title).
    pub same_article: usize,
    /// Passages of near-copies of an article shown (named in its
    /// `also_in`).
    pub near_copies: usize,
}

/// How many of the matches are put in order before picking a page of
/// `limit` hits: enough that near-copies and `per_article` rarely make
/// [`pick_page`] order more.
pub(crate) fn first_page(limit: usize, per_article: usize) -> usize {
    limit
        .saturating_mul(per_article)
        .saturating_mul(8)
        .max(1000)
}

/// A page picked from `matches` (see [`pick_page`]): only the matches
/// that can reach the first `first` places of `order` are made passages
/// and put in order ([`PassageOrder::candidates`], a prefix of the whole
/// order); when they do not fill the page, eight times as many are. A
/// page filled from a prefix of the order is the page the whole order
/// gives, with the same passages passed over. Returns the passages put in
/// order, the picks and what was passed over.
pub(crate) fn pick_from_matches(
    order: &PassageOrder,
    matches: &mut ScoredMatches,
    first: usize,
    limit: usize,
    per_article: usize,
    story_of: impl Fn(&ScoredPassage) -> u64,
) -> Result<PickedPage> {
    let mut count = first;
    loop {
        let mut ranked = order.candidates(matches, count)?;
        order.arrange(&mut ranked, first);
        let (picked, hidden) = pick_page(order, &mut ranked, first, limit, per_article, &story_of);
        if picked.len() >= limit || ranked.len() >= matches.len() {
            return Ok(PickedPage { picked, hidden });
        }
        count = count.saturating_mul(8);
    }
}

/// A page of hits: each pick with its place in the order, and what was
/// passed over.
pub(crate) struct PickedPage {
    pub(crate) picked: Vec<(usize, ScoredPassage)>,
    pub(crate) hidden: HiddenPassages,
}

/// [`pick_passages`] over `ranked`, whose first `arranged` passages are in
/// `order`; when they do not fill the page (too many near-copies or
/// passages of one article), more of `ranked` is put in order.
pub(crate) fn pick_page(
    order: &PassageOrder,
    ranked: &mut [ScoredPassage],
    mut arranged: usize,
    limit: usize,
    per_article: usize,
    story_of: impl Fn(&ScoredPassage) -> u64,
) -> (Vec<(usize, ScoredPassage)>, HiddenPassages) {
    loop {
        let prefix = &ranked[..arranged.min(ranked.len())];
        let (picked, hidden) = pick_passages(prefix, limit, per_article, &story_of);
        if picked.len() >= limit || arranged >= ranked.len() {
            return (picked, hidden);
        }
        arranged = arranged.saturating_mul(8);
        order.arrange(ranked, arranged);
    }
}

/// Takes passages in order, at most `per_article` from one article, so one
/// long article cannot fill the page. Articles are grouped by `story_of`
/// (near-copies of one wire story): only the best article of a group is
/// shown, the others are named beside it. Returns each pick with its
/// position in `ranked`, and how many passages before the last pick were
/// passed over, and why.
fn pick_passages(
    ranked: &[ScoredPassage],
    limit: usize,
    per_article: usize,
    story_of: impl Fn(&ScoredPassage) -> u64,
) -> (Vec<(usize, ScoredPassage)>, HiddenPassages) {
    let mut leader: HashMap<u64, u64> = HashMap::new();
    let mut per_article_count: HashMap<u64, usize> = HashMap::new();
    let mut picked = Vec::new();
    let mut hidden = HiddenPassages::default();
    for (at, passage) in ranked.iter().enumerate() {
        if picked.len() >= limit {
            break;
        }
        let article = passage.article_id;
        if *leader.entry(story_of(passage)).or_insert(article) != article {
            hidden.near_copies += 1;
            continue;
        }
        let count = per_article_count.entry(article).or_default();
        if *count < per_article {
            *count += 1;
            picked.push((at, *passage));
        } else {
            hidden.same_article += 1;
        }
    }
    (picked, hidden)
}

/// How many near-copies of a hit are named in its `also_in`.
const ALSO_IN_SHOWN: usize = 5;

/// The story (near-copy group, as the indexer groups them) of ranked
/// passages, read from the story column of their article's first passage.
pub(crate) struct Stories {
    /// Each segment's article ids and story column, by segment ordinal.
    columns: Vec<Option<(ArticleColumn, Column<u64>)>>,
}

impl Stories {
    pub(crate) fn new(index: &OpenIndex, searcher: &Searcher) -> Stories {
        let (cache, fields) = (index.columns(), &index.fields);
        let columns = searcher
            .segment_readers()
            .iter()
            .map(|segment| {
                let stories = cache.u64(segment, fields.story_column).ok()??;
                Some((
                    ArticleColumn::cached(cache, segment, fields).ok()??,
                    stories,
                ))
            })
            .collect();
        Stories { columns }
    }

    /// The passage's story; an article outside any story is its own.
    pub(crate) fn of(&self, passage: &ScoredPassage) -> u64 {
        self.of_article(passage.article_id, passage.address)
    }

    /// The story of the article `article_id`, which holds the passage at
    /// `address`.
    pub(crate) fn of_article(&self, article_id: u64, address: DocAddress) -> u64 {
        self.columns
            .get(address.segment_ord as usize)
            .and_then(Option::as_ref)
            .and_then(|(articles, stories)| stories.first(articles.first_passage(address.doc_id)?))
            .unwrap_or(article_id)
    }

    /// For each picked passage, the sources of the other matching articles
    /// in its story, best first: up to [`ALSO_IN_SHOWN`] of them, and how
    /// many more there are. A story's articles are found through the
    /// indexed `story` and `article_id` terms, not by reading the story of
    /// every match.
    pub(crate) fn also_in(
        &self,
        reader: &StoredReader,
        fields: &DatelineSchema,
        matches: &mut ScoredMatches,
        picked: &[(usize, ScoredPassage)],
        order: &PassageOrder,
    ) -> Result<Vec<(Vec<String>, usize)>> {
        // A page holds a handful of stories: a list beats a map.
        let mut stories: Vec<Story> = Vec::new();
        for (_, passage) in picked {
            let id = self.of(passage);
            if !stories.iter().any(|s| s.id == id) {
                // A passage whose article names the story is its first
                // article, and an article's documents share a segment.
                let first_in = (id == passage.article_id).then_some(passage.address.segment_ord);
                stories.push(Story { id, first_in });
            }
        }
        let mut members = Vec::with_capacity(stories.len());
        let documents = story_documents(reader.searcher(), fields, &stories)?;
        for (story, docs) in stories.iter().zip(documents) {
            let mut list = Vec::new();
            for address in docs {
                if let Some(passage) = matches.get(address)? {
                    if self.of(&passage) == story.id {
                        list.push(passage);
                    }
                }
            }
            list.sort_unstable_by(|a, b| order.compare(a, b));
            members.push((story.id, list));
        }
        let mut answers = Vec::with_capacity(picked.len());
        for (_, passage) in picked {
            let story = self.of(passage);
            let list = members
                .iter()
                .find(|(s, _)| *s == story)
                .map_or(&[][..], |(_, list)| list.as_slice());
            let mut seen = HashSet::from([passage.article_id]);
            let mut sources = Vec::new();
            let mut more = 0;
            for other in list {
                if !seen.insert(other.article_id) {
                    continue;
                }
                if sources.len() == ALSO_IN_SHOWN {
                    more += 1;
                    continue;
                }
                let source = reader.article_source(other.address)?;
                if !source.is_empty() {
                    sources.push(source);
                }
            }
            answers.push((sources, more));
        }
        Ok(answers)
    }
}

/// A story on a page: its id (its first article's), and the segment of
/// its first article when that is known.
struct Story {
    id: u64,
    first_in: Option<u32>,
}

/// The documents of each story's articles, in index order: the documents
/// of the `article_id` term and of the `story` term of its id (a story is
/// named by its first article's id, and only the other articles carry
/// it; see `indexer::writer`). Every segment is asked for every story in
/// one visit, on several threads for a large index: a term look-up in a
/// segment's dictionary is a few cold pages, and an index of millions of
/// articles has a hundred segments or more.
fn story_documents(
    searcher: &Searcher,
    fields: &DatelineSchema,
    stories: &[Story],
) -> Result<Vec<Vec<DocAddress>>> {
    let segments: Vec<_> = searcher.segment_readers().iter().enumerate().collect();
    let found = Segments::of(searcher).try_map(segments, |(ord, segment)| {
        let ord = ord as u32;
        let by_story = segment.inverted_index(fields.story)?;
        let by_article = segment.inverted_index(fields.article_id)?;
        let mut found = Vec::with_capacity(stories.len());
        for story in stories {
            let mut docs = Vec::new();
            let mut read = |index: &InvertedIndexReader, field| -> Result<()> {
                let term = Term::from_field_u64(field, story.id);
                if let Some(mut postings) = index.read_postings(&term, IndexRecordOption::Basic)? {
                    while postings.doc() != TERMINATED {
                        docs.push(postings.doc());
                        postings.advance();
                    }
                }
                Ok(())
            };
            read(&by_story, fields.story)?;
            if story.first_in.is_none_or(|first| first == ord) {
                read(&by_article, fields.article_id)?;
            }
            docs.sort_unstable();
            docs.dedup();
            found.push(docs);
        }
        Ok(found)
    })?;
    let mut documents = vec![Vec::new(); stories.len()];
    for (ord, per_story) in found.into_iter().enumerate() {
        for (documents, docs) in documents.iter_mut().zip(per_story) {
            documents.extend(docs.into_iter().map(|doc| DocAddress::new(ord as u32, doc)));
        }
    }
    Ok(documents)
}

#[cfg(test)]
mod tests {
    use crate::search::parallel::{Segments, forcing, index_in_segments};
    use crate::search::{DateFilter, SearchRequest, search};

    /// Three stories, each with its own word.
    const WORDS: [&str; 3] = ["alpaca", "bison", "caribou"];
    const STORIES: [&str; 3] = [
        "The herd of alpaca crossed the northern valley at dawn, and the rangers counted \
         them from the ridge before the rain; the count was higher than last year, the park \
         service said, crediting the dry winter and fewer hunters in the hills.",
        "Farmers on the plain say the bison returned to the river meadows this spring after \
         a decade away, drawn by new grass where the old fences were taken down. \
         Ranchers worry about disease in their cattle, but the county wants the visitors the \
         animals bring every summer.",
        "A lone caribou wandered into the mining town on Sunday, stopping traffic on the main \
         street for an hour until wardens coaxed it back toward the tundra with salt. \
         Residents filmed the animal outside the post office, and the school let the children \
         watch from the windows.",
    ];

    /// A near-copy of one of three wire stories in every 80th file,
    /// spread over five segments. The first of each (its story's first
    /// article) says its word twice, so it ranks first on the word; the
    /// fifth, in another segment, adds a lodge, so it ranks first on the
    /// word and `lodge`.
    fn stories_over_segments() -> (tempfile::TempDir, crate::index::OpenIndex) {
        let folder = tempfile::tempdir().unwrap();
        let articles = folder.path().join("articles");
        std::fs::create_dir(&articles).unwrap();
        for i in 0..1280 {
            let day = format!("1990-{:02}-{:02}", 1 + i % 12, 1 + i % 28);
            let body = match WORDS.get(i % 80) {
                Some(word) => format!(
                    "{} {} Filed from desk {i}.",
                    STORIES[i % 80],
                    match i / 80 {
                        0 => format!("More on the {word} soon."),
                        4 => "Seen from the lodge.".to_string(),
                        _ => String::new(),
                    }
                ),
                None => format!("Report {i} on harbour traffic, timber {i} and steel {i}."),
            };
            std::fs::write(
                articles.join(format!("{i:04}.txt")),
                format!(" date {day} {body}\n"),
            )
            .unwrap();
        }
        let index = index_in_segments(articles, &folder.path().join("index"));
        (folder, index)
    }

    /// Each story's hit names every other matching article of the story,
    /// whether the hit is its first article (in a known segment) or a copy
    /// (the first article anywhere, or filtered out), and wherever the
    /// copies are.
    #[test]
    fn a_story_hit_names_every_other_matching_copy() {
        let (_folder, index) = stories_over_segments();
        let months = |since: &str, until: &str| {
            DateFilter::from_args(Some(since), Some(until), None).unwrap()
        };
        for (s, word) in WORDS.iter().enumerate() {
            let files = |keep: &dyn Fn(usize) -> bool| -> Vec<String> {
                (s..1280)
                    .step_by(80)
                    .filter(|&i| keep(1 + i % 12))
                    .map(|i| format!("{i:04}.txt"))
                    .collect()
            };
            let (first, second) = (format!("{s:04}.txt"), format!("{:04}.txt", s + 320));
            for (query, dates, expected, shown) in [
                (
                    word.to_string(),
                    DateFilter::default(),
                    files(&|_| true),
                    Some(&first),
                ),
                // A copy first, the first article among the others.
                (
                    format!("{word} lodge"),
                    DateFilter::default(),
                    files(&|_| true),
                    Some(&second),
                ),
                // Without the first article (month 1 + s): a copy first.
                (
                    word.to_string(),
                    months("1990-05", "1990-12"),
                    files(&|m| m >= 5),
                    None,
                ),
            ] {
                for walk in [Segments::InTurn, Segments::InParallel] {
                    let request = SearchRequest {
                        query: query.clone(),
                        dates,
                        limit: 10,
                        per_article: 1,
                        ..SearchRequest::default()
                    };
                    let found = forcing(walk, || search(&index, &request).unwrap());
                    let of_story = |source: &str| expected.iter().any(|f| source.ends_with(f));
                    let shown_here: Vec<_> =
                        found.hits.iter().filter(|h| of_story(&h.source)).collect();
                    assert_eq!(shown_here.len(), 1, "{query} {dates:?}: {:#?}", found.hits);
                    let hit = &found.hits[0];
                    match shown {
                        Some(file) => assert!(
                            hit.source.ends_with(file.as_str()),
                            "{query}: {}",
                            hit.source
                        ),
                        None => assert!(!hit.source.ends_with(&first), "{query}: {}", hit.source),
                    }
                    let mut named: Vec<&str> = hit.also_in.iter().map(String::as_str).collect();
                    named.push(&hit.source);
                    assert_eq!(hit.also_in.len() + hit.also_in_more + 1, expected.len());
                    for source in named {
                        assert!(
                            of_story(source),
                            "{source} is not a matching copy of {query}"
                        );
                    }
                }
            }
        }
    }
}
