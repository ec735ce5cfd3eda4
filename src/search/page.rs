//! Picking a page of hits from the ranked matches: at most `per_article`
//! passages of one article, so a long article cannot fill the page, and
//! near-copies of one wire story shown once, the others named beside it.

use std::collections::{HashMap, HashSet};

use tantivy::columnar::Column;
use tantivy::schema::IndexRecordOption;
use tantivy::{DocAddress, DocSet, Searcher, TERMINATED, Term};

use crate::error::Result;
use crate::index::article_column::ArticleColumn;
use crate::index::stored::StoredReader;
use crate::index::{DatelineSchema, OpenIndex};
use crate::search::order::PassageOrder;
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
        let mut members: Vec<(u64, Vec<ScoredPassage>)> = Vec::new();
        for (_, passage) in picked {
            let story = self.of(passage);
            if !members.iter().any(|(s, _)| *s == story) {
                let mut list = self.matching_members(reader.searcher(), fields, story, matches)?;
                list.sort_unstable_by(|a, b| order.compare(a, b));
                members.push((story, list));
            }
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

    /// Every match whose article is in `story`. A story is named by the id
    /// of its first article, and only the other articles carry it (see
    /// `indexer::writer`): so its articles are the documents of the
    /// `article_id` term and of the `story` term of that id.
    fn matching_members(
        &self,
        searcher: &Searcher,
        fields: &DatelineSchema,
        story: u64,
        matches: &mut ScoredMatches,
    ) -> Result<Vec<ScoredPassage>> {
        let mut members = Vec::new();
        for (segment_ord, segment) in searcher.segment_readers().iter().enumerate() {
            let mut docs = Vec::new();
            for field in [fields.story, fields.article_id] {
                let term = Term::from_field_u64(field, story);
                let index = segment.inverted_index(field)?;
                if let Some(mut postings) = index.read_postings(&term, IndexRecordOption::Basic)? {
                    while postings.doc() != TERMINATED {
                        docs.push(postings.doc());
                        postings.advance();
                    }
                }
            }
            docs.sort_unstable();
            docs.dedup();
            for doc in docs {
                let address = DocAddress::new(segment_ord as u32, doc);
                if let Some(passage) = matches.get(address)? {
                    if self.of(&passage) == story {
                        members.push(passage);
                    }
                }
            }
        }
        Ok(members)
    }
}
