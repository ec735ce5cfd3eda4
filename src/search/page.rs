//! Picking a page of hits from the ranked matches: at most `per_article`
//! passages of one article, so a long article cannot fill the page, and
//! near-copies of one wire story shown once, the others named beside it.

use std::collections::{HashMap, HashSet};

use tantivy::columnar::Column;
use tantivy::{DocAddress, Searcher};

use crate::error::Result;
use crate::index::{DatelineSchema, stored};
use crate::search::order::PassageOrder;
use crate::search::rank::ScoredPassage;

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
/// passages, read from the `story` fast field.
pub(crate) struct Stories {
    /// Each segment's `story` column, by segment ordinal.
    columns: Vec<Option<Column<u64>>>,
}

impl Stories {
    pub(crate) fn new(searcher: &Searcher) -> Stories {
        let columns = searcher
            .segment_readers()
            .iter()
            .map(|segment| segment.fast_fields().u64("story").ok())
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
            .and_then(|column| column.first(address.doc_id))
            .unwrap_or(article_id)
    }

    /// For each picked passage, the sources of the other matching articles
    /// in its story, best first: up to [`ALSO_IN_SHOWN`] of them, and how
    /// many more there are. One pass over the matches serves the whole
    /// page; `ranked` need not be in order beyond the page.
    pub(crate) fn also_in(
        &self,
        searcher: &Searcher,
        fields: &DatelineSchema,
        ranked: &[ScoredPassage],
        picked: &[(usize, ScoredPassage)],
        order: &PassageOrder,
    ) -> Result<Vec<(Vec<String>, usize)>> {
        // A page holds a handful of stories: a list beats hashing every match.
        let mut members: Vec<(u64, Vec<ScoredPassage>)> = Vec::new();
        for (_, passage) in picked {
            let story = self.of(passage);
            if !members.iter().any(|(s, _)| *s == story) {
                members.push((story, Vec::new()));
            }
        }
        for passage in ranked {
            let story = self.of(passage);
            if let Some((_, list)) = members.iter_mut().find(|(s, _)| *s == story) {
                list.push(*passage);
            }
        }
        for (_, list) in &mut members {
            list.sort_unstable_by(|a, b| order.compare(a, b));
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
                let source = stored::article_source(searcher, fields, other.address)?;
                if !source.is_empty() {
                    sources.push(source);
                }
            }
            answers.push((sources, more));
        }
        Ok(answers)
    }
}
