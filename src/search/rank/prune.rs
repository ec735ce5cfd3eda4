//! Scoring only the articles that can reach the page: MaxScore (Turtle &
//! Flood) over articles.
//!
//! A passage's score is a weighted mean of BM25F sums (its own, the window
//! it forms with a neighbour, its whole article's; times 1 or less for
//! code), each a sum over the query's words of `weight × idf ×
//! saturate(tf)`, with `saturate` increasing and below `k1 + 1`. So an
//! article's passages never score above the sum of `weight × idf × (k1 +
//! 1)` over the words its matches hold. With the words in order of that
//! bound, the cheapest ones whose bounds add up to less than the `k`th
//! best score so far are *non-essential*: an article with none of the
//! other, essential, words cannot reach the first `k`, and the walk goes
//! from one match with an essential word to the next (a look at each
//! match's row of word frequencies, read beforehand). An article found so
//! is then held to a tighter bound from its words' actual frequencies
//! (`FrequencyBound`), then to one from its passages' lengths and from
//! how its words are spread over them (`SegmentScoring::bound`), and
//! scored, whole, only if that reaches the `k`th best score. As that
//! score rises, more words become non-essential; on a query of common
//! words most articles hold one word once and are never scored. The best
//! `k` and every match tied with them come out exactly as scoring every
//! match gives them: an article is skipped only when its bound is
//! strictly below a score already among the best `k`.
//!
//! Once the threshold is known (on a query of up to six words), the
//! matches are not looked at one by one:
//! reading the postings marked, per word, the articles whose matches hold
//! it and those that hold it often, and the articles whose words by those
//! marks can reach the threshold are found 64 at a time with bit
//! operations ([`Levels`]). On three common words that leaves the articles
//! holding the rarest, or the other two often: a tenth of those holding an
//! essential word.
//!
//! A page that shows each story once (near-copies named beside it), or
//! each file once, needs less than the best `k` matches: its first `k`
//! hits and everything it passes over before the last of them score at
//! least the best match of its `k`th best group ([`Top::Groups`]), since
//! the best match of a group is always shown. So the walk can keep the
//! best score of each group instead, and its threshold is the `k`th best
//! group's: on wire news, where each story comes in dozens of copies,
//! that is far above the `k`th best match, and far fewer articles are
//! scored.
//!
//! (Scoring articles in order of their bound instead, best first, scored
//! a tenth fewer matches but was slower: the bound of every article had to
//! be worked out first, and scoring out of doc order misses the caches.)

use std::cmp::Reverse;
use std::collections::{BTreeSet, BinaryHeap, HashMap};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Mutex, PoisonError};

use tantivy::DocAddress;

use crate::error::Result;
use crate::search::parallel::Segments;
use crate::search::query::QueryWord;
use crate::search::rank::matches::{
    ScoredMatches, SegmentMatches, article_at, ordered_bits, skip_below,
};
use crate::search::rank::postings::Frequencies;
use crate::search::rank::scoring::touch;
use crate::search::rank::{Ranking, Top};

/// Bounds are summed in another order than scores: a skipped article must
/// be below the threshold by more than rounding.
const ROUNDING: f32 = 1.0 + 1e-4;

/// How many articles found by their words' marks are gathered before they
/// are looked at, their lengths fetched together.
const GATHERED: usize = 64;

/// Whether pruning keeps results exact under `ranking`: the bound above
/// needs scores built only from saturated word frequencies with
/// non-negative weights, in one tier.
pub(super) fn applies(matches: &ScoredMatches) -> bool {
    applies_to(&matches.scoring.words, &matches.scoring.ranking)
}

fn applies_to(words: &[QueryWord], ranking: &Ranking) -> bool {
    ranking.proximity_weight <= 0.0
        && !ranking.all_words_first
        && words.iter().all(|word| word.weight >= 0.0)
}

/// Whether pruning `words` under `ranking` goes by articles once it has a
/// threshold, which needs the articles each word's matches hold
/// (`Frequencies::held` and `often`).
pub(super) fn goes_by_articles(words: &[QueryWord], ranking: &Ranking) -> bool {
    applies_to(words, ranking) && words.len() <= LEVELLED_WORDS
}

/// Scores the articles of `matches` that can reach `top`, and marks the
/// matches exact up to it. Articles scored before (for a smaller `top`)
/// count as they are. Segments are walked apart (on several threads for
/// a large index), sharing the best scores.
pub(super) fn score_best(matches: &mut ScoredMatches, top: Top) -> Result<()> {
    if matches.scored.is_empty() {
        // Every match is scored already.
        return Ok(());
    }
    matches.top_places = None;
    let mut before = match top {
        Top::Matches(k) => Best::matches(k),
        Top::Groups(k, _) => Best::groups(k),
    };
    // For groups, the keys of the matches scored that may end at or above
    // the least of the best: those scored before, and those each walk
    // scores at or above the least at the time (which only rises).
    let grouped = matches!(top, Top::Groups(..));
    let mut above = Vec::new();
    let scored_before = match matches.scored_any {
        true => 0..matches.docs.len(),
        false => 0..0,
    };
    for segment in scored_before {
        let offset = matches.offsets[segment];
        for at in 0..matches.docs[segment].len() {
            if !matches.scored[offset + at] {
                continue;
            }
            let key = ordered_bits(matches.scores[offset + at]);
            match top {
                Top::Matches(_) => before.push(key, 0),
                Top::Groups(_, group) => {
                    // Only groups need the article (a column read).
                    let passage = matches.passage(segment, at);
                    before.push(key, group(passage.article_id, passage.address));
                    above.push((key, offset + at));
                }
            }
        }
    }
    let best = SharedBest::new(before);
    let offsets = matches.offsets.clone();
    let (parts, scoring, article_ids) = matches.parts();
    let plan = Plan::new(&scoring.words, &scoring.ranking);
    let walked = scoring.segments.try_map(parts, |part| {
        let mut tighter = plan.tighter.clone();
        let mut above = Vec::new();
        let mut found = Found::new(&best, scoring.segments);
        let SegmentMatches {
            segment,
            docs,
            scores,
            scored,
        } = part;
        let rows = &scoring.frequencies[segment as usize];
        let spans = &scoring.spans[segment as usize];
        let mut scorer = scoring.segment(segment)?;
        let lengths = scorer.lengths();
        // Scores the article of the matches `first..last` if it was not
        // scored before and its frequencies can reach the threshold.
        let mut consider = |first: usize, last: usize| {
            let threshold = best.threshold();
            if scored[first] || tighter.of(rows, first..last) * ROUNDING < threshold {
                return;
            }
            // The bound from lengths costs a look at each passage's length
            // and at the article's: only for articles the first one lets
            // by, and only where lengths bound norms (as for the first).
            let bound = match tighter.least_norms {
                Some(_) => scorer.bound(
                    &docs[first..last],
                    first,
                    &tighter.sums,
                    threshold / ROUNDING,
                ),
                None => f32::INFINITY,
            };
            if bound * ROUNDING < threshold {
                return;
            }
            let scores = &mut scores[first..last];
            scorer.score_article(&docs[first..last], first, scores);
            debug_assert!(
                (scores.iter()).all(|&score| score <= bound * ROUNDING),
                "{scores:?} above the bound {bound}"
            );
            scored[first..last].fill(true);
            if grouped {
                let least = best.least_key();
                let place = offsets[segment as usize] + first;
                let keys = scores.iter().map(|&score| ordered_bits(score));
                let places = keys.zip(place..).filter(|&(key, _)| key >= least);
                above.extend(places);
            }
            match top {
                Top::Matches(_) => scores.iter().for_each(|&score| found.push(score, 0)),
                Top::Groups(_, group) => {
                    let best = scores.iter().copied().fold(f32::NEG_INFINITY, f32::max);
                    if found.best.may_enter(ordered_bits(best)) {
                        let doc = docs[first];
                        let article_id = (article_ids.get(segment as usize))
                            .and_then(Option::as_ref)
                            .and_then(|column| column.id(doc))
                            .unwrap_or(u64::MAX);
                        found.push(best, group(article_id, DocAddress::new(segment, doc)));
                    }
                }
            }
        };
        let levels = (plan.levels.as_ref()).filter(|_| rows.held.len() == plan.order.len());
        let order = &plan.order;
        // Matches before `at` are done with; `scored_to` ends the last
        // article looked at.
        let mut at = 0;
        let mut scored_to = 0;
        while at < docs.len() {
            let threshold = best.threshold();
            if levels.is_some() && threshold > 0.0 {
                // The rest goes by articles (below).
                break;
            }
            let essential = (plan.within.iter())
                .rposition(|&bound| bound * ROUNDING < threshold)
                .unwrap_or(0);
            if essential == order.len() {
                // No article left can reach the best `k`, in any segment.
                return Ok(above);
            }
            if essential > 0 {
                // The next match with an essential word.
                let essential_words = &order[essential..];
                let holds_one = |at: usize| {
                    essential_words
                        .iter()
                        .any(|&(word, _)| rows.get(at, word) != (0, 0))
                };
                match (at..docs.len()).find(|&at| holds_one(at)) {
                    Some(next) => at = next,
                    None => return Ok(above),
                }
            }
            // Its article, whole: matches before it skipped over too.
            let (first, last) = article_at(docs, spans, at, scored_to);
            (at, scored_to) = (last, last);
            consider(first, last);
        }
        let Some(levels) = levels.filter(|_| at < docs.len()) else {
            return Ok(above);
        };
        // The rest by articles: only those whose words, by how often their
        // matches hold them, can reach the threshold, found 64 at a time.
        let from = spans.article_number(docs[at]);
        let (mut formula, mut formula_for) = (Vec::new(), f32::NAN);
        // Articles found are looked at a batch at a time: first where each
        // starts, then their first passages' lengths are fetched (see
        // `touch`), each step for all of them together, so that their
        // cache misses overlap.
        let mut batch = Vec::with_capacity(GATHERED + 64);
        let mut starts = Vec::with_capacity(GATHERED + 64);
        let chunks = from / 64..rows.held[0].len();
        for chunk in chunks.clone() {
            let threshold = best.threshold();
            if threshold != formula_for {
                formula = levels.reaching(threshold);
                formula_for = threshold;
                if formula.is_empty() {
                    // No article left can reach the best `k`.
                    break;
                }
            }
            let mut mask = Levels::articles(&formula, rows, chunk);
            if chunk == from / 64 {
                mask &= u64::MAX << (from % 64);
            }
            while mask != 0 {
                batch.push(chunk * 64 + mask.trailing_zeros() as usize);
                mask &= mask - 1;
            }
            if batch.len() < GATHERED && chunk + 1 < chunks.end {
                continue;
            }
            starts.clear();
            starts.extend(batch.drain(..).map(|number| spans.start_of_article(number)));
            for &start in &starts {
                touch(&lengths, start);
            }
            for &start in &starts {
                let first = at + skip_below(&docs[at..], start);
                if first == docs.len() {
                    return Ok(above);
                }
                let last = first + skip_below(&docs[first..], spans.end_of(start));
                at = last;
                if first < last {
                    consider(first, last);
                }
            }
        }
        Ok(above)
    })?;
    // Every article that can hold a match at or above the least of the
    // best (the `k`th match, or the `k`th group's best) is scored.
    matches.scored_any = true;
    let least = best.least();
    matches.top_key = least.map(u64::from);
    matches.exact_top = match (top, least) {
        (Top::Matches(k), _) => k,
        (Top::Groups(..), Some(least)) => {
            let mut places: Vec<usize> = (above.iter().chain(walked.iter().flatten()))
                .filter(|&&(key, _)| key >= least)
                .map(|&(_, place)| place)
                .collect();
            places.sort_unstable();
            let count = places.len();
            matches.top_places = Some(places);
            count
        }
        // Fewer than `k` groups matched: no article was passed over.
        (Top::Groups(..), None) => matches.len(),
    };
    Ok(())
}

/// What the walk of every segment shares: the query words in order of
/// their plain bound, and the bounds of articles holding only the
/// cheapest of them.
struct Plan {
    /// Each word with its plain bound, cheapest first.
    order: Vec<(usize, f32)>,
    /// `within[j]` bounds an article holding only the first `j` words of
    /// `order`.
    within: Vec<f32>,
    tighter: FrequencyBound,
    /// What each word adds to an article's bound by how often it holds
    /// it, for a query of few enough words.
    levels: Option<Levels>,
}

impl Plan {
    fn new(words: &[QueryWord], ranking: &Ranking) -> Plan {
        let tighter = FrequencyBound::new(words, ranking);
        let saturated = ranking.k1 + 1.0;
        let mut order: Vec<(usize, f32)> = (tighter.weights.iter().enumerate())
            .map(|(i, &weight)| (i, weight * saturated))
            .collect();
        order.sort_by(|a, b| a.1.total_cmp(&b.1));
        let mut within = vec![0.0f32; order.len() + 1];
        for (j, &(_, bound)) in order.iter().enumerate() {
            within[j + 1] = within[j] + bound;
        }
        let levels = (words.len() <= LEVELLED_WORDS).then(|| Levels {
            once: (0..words.len())
                .map(|w| tighter.saturated(w, 1, 0))
                .collect(),
            often: (tighter.weights.iter())
                .map(|&weight| weight * saturated)
                .collect(),
        });
        Plan {
            order,
            within,
            tighter,
            levels,
        }
    }
}

/// The most words a query can have for the walk by articles: it weighs
/// each combination of three levels a word, 729 for six words.
const LEVELLED_WORDS: usize = 6;

/// What each word can add to an article's bound, from how often the
/// article's matches hold it ([`Frequencies::held`] and
/// [`Frequencies::often`]): nothing when they do not; what one occurrence
/// in the text adds ([`FrequencyBound`]'s bound for it) when they hold it
/// once; the plain bound when more often or in the title. This bounds the
/// frequency bound, and the articles that can reach a threshold are found
/// 64 at a time with bit operations instead of a look at each match.
struct Levels {
    once: Vec<f32>,
    often: Vec<f32>,
}

impl Levels {
    /// The least combinations of levels (a level a word: 0 not held, 1
    /// held once, 2 often) whose bound reaches `threshold`: an article
    /// can reach it only if it is at or above one of them in every word.
    fn reaching(&self, threshold: f32) -> Vec<Vec<u8>> {
        let n = self.once.len();
        let bound = |combination: &[u8]| -> f32 {
            (combination.iter().enumerate())
                .map(|(w, &level)| match level {
                    0 => 0.0,
                    1 => self.once[w],
                    _ => self.often[w],
                })
                .sum()
        };
        let reaches = |combination: &[u8]| bound(combination) * ROUNDING >= threshold;
        let mut least = Vec::new();
        let mut combination = vec![0u8; n];
        for code in 0..3usize.pow(n as u32) {
            let mut rest = code;
            for level in combination.iter_mut() {
                *level = (rest % 3) as u8;
                rest /= 3;
            }
            if !reaches(&combination) {
                continue;
            }
            let lower = |w: usize| {
                let mut lower = combination.clone();
                lower[w] -= 1;
                lower
            };
            if (0..n).all(|w| combination[w] == 0 || !reaches(&lower(w))) {
                least.push(combination.clone());
            }
        }
        least
    }

    /// The articles `64 × chunk ..` of a segment at or above one of the
    /// `least` combinations, as bits.
    fn articles(least: &[Vec<u8>], rows: &Frequencies, chunk: usize) -> u64 {
        let mut articles = 0;
        for combination in least {
            let mut these = u64::MAX;
            for (w, &level) in combination.iter().enumerate() {
                match level {
                    0 => {}
                    1 => these &= rows.held[w][chunk],
                    _ => these &= rows.often[w][chunk],
                }
            }
            articles |= these;
        }
        articles
    }
}

/// The best scores seen by every segment's walk (see [`Best`]): kept
/// behind a lock, and their least once there are enough, read without
/// one.
struct SharedBest {
    heap: Mutex<Best>,
    /// The least key kept once there are enough (0 before: no score maps
    /// to 0, see [`ordered_bits`]). It only rises.
    least: AtomicU32,
}

impl SharedBest {
    fn new(best: Best) -> SharedBest {
        SharedBest {
            least: AtomicU32::new(best.least().unwrap_or(0)),
            heap: Mutex::new(best),
        }
    }

    /// Whether a score of `key` can be kept, or is tied with the least
    /// kept (which is kept already).
    fn may_enter(&self, key: u32) -> bool {
        key > self.least_key()
    }

    fn push_all(&self, keys: &[(u32, u64)]) {
        let mut heap = self.heap.lock().unwrap_or_else(PoisonError::into_inner);
        for &(key, group) in keys {
            heap.push(key, group);
        }
        if let Some(least) = heap.least() {
            self.least.store(least, Ordering::Relaxed);
        }
    }

    /// The least key kept once there are enough, else 0.
    fn least_key(&self) -> u32 {
        self.least.load(Ordering::Relaxed)
    }

    /// The least key kept, once there are enough.
    fn least(&self) -> Option<u32> {
        (self.heap.lock().unwrap_or_else(PoisonError::into_inner)).least()
    }

    /// The score an article must reach to matter.
    fn threshold(&self) -> f32 {
        match self.least_key() {
            0 => f32::NEG_INFINITY,
            least => from_bits(least),
        }
    }
}

/// Scores one walk found that may enter the [`SharedBest`], handed to it
/// a batch at a time so that walks on other threads seldom wait for its
/// lock (and when the walk ends).
struct Found<'a> {
    best: &'a SharedBest,
    keys: Vec<(u32, u64)>,
}

/// How many scores a walk on one of several threads hands over at once:
/// few enough that the threshold rises almost as fast as with one walk.
const BATCH: usize = 32;

impl Found<'_> {
    fn new(best: &SharedBest, segments: Segments) -> Found<'_> {
        let batch = match segments {
            Segments::InTurn => 1,
            Segments::InParallel => BATCH,
        };
        Found {
            best,
            keys: Vec::with_capacity(batch),
        }
    }

    /// A score of the article group `group` (ignored when keeping
    /// matches).
    fn push(&mut self, score: f32, group: u64) {
        let key = ordered_bits(score);
        if self.best.may_enter(key) {
            self.keys.push((key, group));
            if self.keys.len() == self.keys.capacity() {
                self.best.push_all(&self.keys);
                self.keys.clear();
            }
        }
    }
}

impl Drop for Found<'_> {
    fn drop(&mut self) {
        self.best.push_all(&self.keys);
    }
}

/// The best keys pushed ([`ordered_bits`] of scores): the `k` best, or the
/// best of each of the `k` best groups.
enum Best {
    Matches {
        k: usize,
        heap: BinaryHeap<Reverse<u32>>,
    },
    Groups {
        k: usize,
        /// The best key of each group kept.
        kept: HashMap<u64, u32>,
        /// The same, ordered by key.
        order: BTreeSet<(u32, u64)>,
    },
}

impl Best {
    fn matches(k: usize) -> Best {
        Best::Matches {
            k,
            heap: BinaryHeap::with_capacity(k.saturating_add(1).min(1 << 16)),
        }
    }

    fn groups(k: usize) -> Best {
        Best::Groups {
            k,
            kept: HashMap::new(),
            order: BTreeSet::new(),
        }
    }

    fn push(&mut self, key: u32, group: u64) {
        match self {
            Best::Matches { k, heap } => {
                if heap.len() < *k {
                    heap.push(Reverse(key));
                } else if heap.peek().is_some_and(|&Reverse(least)| key > least) {
                    heap.pop();
                    heap.push(Reverse(key));
                }
            }
            Best::Groups { k, kept, order } => {
                // A group not kept has no key above the least kept.
                if let Some(best) = kept.get_mut(&group) {
                    if key > *best {
                        order.remove(&(*best, group));
                        order.insert((key, group));
                        *best = key;
                    }
                    return;
                }
                if kept.len() == *k {
                    if order.first().is_none_or(|&(least, _)| key <= least) {
                        return;
                    }
                    if let Some((_, out)) = order.pop_first() {
                        kept.remove(&out);
                    }
                }
                kept.insert(group, key);
                order.insert((key, group));
            }
        }
    }

    /// The least key kept, once `k` are.
    fn least(&self) -> Option<u32> {
        match self {
            Best::Matches { k, heap } => match heap.len() == *k {
                true => heap.peek().map(|&Reverse(least)| least),
                false => None,
            },
            Best::Groups { k, order, .. } => match order.len() == *k {
                true => order.first().map(|&(least, _)| least),
                false => None,
            },
        }
    }
}

/// A tighter bound for one article, from the frequencies of the query's
/// words in its matches: a word's frequency in a passage, in a window of
/// two or in the whole article is at most its sum over the article's
/// matches (its largest, for the title every passage carries), and each
/// is divided by a length norm no smaller than the least any length can
/// give. Saturating that, instead of taking the limit `k1 + 1`, bounds
/// what a word found once in a passage can add at about 60% of the plain
/// bound.
#[derive(Clone)]
struct FrequencyBound {
    /// Each word's `weight × idf`; 0 for a word left out of the score.
    weights: Vec<f32>,
    k1: f32,
    title_weight: f32,
    /// The least text and title norms; `None` when lengths cannot bound
    /// them away from 0 (`b` or `article_b` outside 0..1).
    least_norms: Option<(f32, f32)>,
    /// Each word's text frequencies summed and title frequency's largest
    /// over the article last bounded.
    sums: Vec<(u32, u32)>,
    /// Each word's bound for text frequencies below [`TABLED`] and none in
    /// the title, the common case, worked out once.
    text_only: Vec<f32>,
}

/// How many text frequencies [`FrequencyBound`] works out beforehand.
const TABLED: usize = 16;

impl FrequencyBound {
    fn new(words: &[QueryWord], ranking: &Ranking) -> FrequencyBound {
        let (b, article_b) = (ranking.b, ranking.article_b);
        let text = (1.0 - b + b * ranking.length_floor.max(0.0)).min(1.0 - article_b);
        let title = (1.0 - b).min(1.0 - article_b);
        let sound = (0.0..=1.0).contains(&b)
            && (0.0..=1.0).contains(&article_b)
            && ranking.title_weight >= 0.0
            && text > 0.0
            && title > 0.0;
        let mut bound = FrequencyBound {
            weights: words
                .iter()
                .map(|word| match ranking.skip_stop_words && word.stop {
                    true => 0.0,
                    false => word.weight * word.idf,
                })
                .collect(),
            k1: ranking.k1,
            title_weight: ranking.title_weight,
            least_norms: sound.then_some((text, title)),
            sums: vec![(0, 0); words.len()],
            text_only: Vec::new(),
        };
        bound.text_only = (0..words.len())
            .flat_map(|w| (0..TABLED as u32).map(move |text| (w, text)))
            .map(|(w, text)| bound.saturated(w, text, 0))
            .collect();
        bound
    }

    /// Word `w`'s bound for these frequencies.
    fn saturated(&self, w: usize, text: u32, title: u32) -> f32 {
        let k1 = self.k1;
        let Some((text_norm, title_norm)) = self.least_norms else {
            // Saturation's limit.
            return self.weights[w] * (k1 + 1.0);
        };
        let tf = text as f32 / text_norm + self.title_weight * title as f32 / title_norm;
        self.weights[w] * tf * (k1 + 1.0) / (tf + k1)
    }

    fn of(&mut self, rows: &Frequencies, matches: std::ops::Range<usize>) -> f32 {
        for (w, sum) in self.sums.iter_mut().enumerate() {
            *sum = rows.sum(matches.clone(), w);
        }
        let mut bound = 0.0;
        for (w, &(text, title)) in self.sums.iter().enumerate() {
            bound += match (text, title) {
                (0, 0) => 0.0,
                (text, 0) if (text as usize) < TABLED => self.text_only[w * TABLED + text as usize],
                _ => self.saturated(w, text, title),
            };
        }
        bound
    }
}

/// The score whose [`ordered_bits`] are `bits`.
fn from_bits(bits: u32) -> f32 {
    match bits >> 31 {
        1 => f32::from_bits(bits & 0x7fff_ffff),
        _ => f32::from_bits(!bits),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::OpenIndex;
    use crate::indexer::index_on_one_thread;
    use crate::search::parallel::{forcing, segmented_index};
    use crate::search::rank::ScoredPassage;
    use crate::search::{Prepared, Ranking, SearchRequest};

    /// 300 articles mention `grain` once in passing; 5 are about grain
    /// and cocoa, each saying `cocoa` once more than the one before; 20
    /// have `cocoa` in their title only.
    fn grain_and_cocoa() -> (tempfile::TempDir, OpenIndex) {
        let folder = tempfile::tempdir().unwrap();
        let articles = folder.path().join("articles");
        std::fs::create_dir(&articles).unwrap();
        for i in 0..5 {
            let body = format!(
                " date 1987-02-0{} Grain and cocoa: growers and grain traders met; \
                 prices rose as grain fell.{}\n",
                1 + i,
                " Cocoa.".repeat(i)
            );
            // Named to be indexed first, so the threshold rises at once.
            std::fs::write(articles.join(format!("0-about-{i}.txt")), body).unwrap();
        }
        for i in 0..300 {
            let body = format!(
                " date 1987-03-{:02} Shipping report {i}: the port handled grain, \
                 steel and timber this week among other cargoes and harbour news.\n",
                1 + i % 28
            );
            std::fs::write(articles.join(format!("passing-{i}.txt")), body).unwrap();
        }
        for i in 0..20 {
            let body = format!(
                "---\ntitle: Cocoa week {i}\ndate: 1987-04-{:02}\n---\n\n\
                 Markets were quiet and the port closed early.\n\n\
                 Traders expect more {} next week.\n",
                1 + i,
                "rain ".repeat(1 + i % 4)
            );
            std::fs::write(articles.join(format!("titled-{i}.md")), body).unwrap();
        }
        // One indexing thread: the articles are one segment in reading
        // order, so the strong ones come first, whatever the scheduling.
        let index = index_on_one_thread(articles, &folder.path().join("index"));
        (folder, index)
    }

    /// How many matches are scored (no flags left means every one).
    fn scored(matches: &ScoredMatches) -> usize {
        match matches.scored.is_empty() {
            true => matches.len(),
            false => matches.scored.iter().filter(|&&scored| scored).count(),
        }
    }

    /// 80 made-up words on `topic`, varied by `i`.
    fn filler(topic: &str, i: usize) -> String {
        (0..80)
            .map(|w| format!("{topic}{}", (w * i) % 17))
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// How many of the matches of `query` in the articles of `folder`
    /// (one segment) there are and how many are scored in finding the
    /// best 3, which must be those of scoring every match.
    fn scored_for_best_3(folder: &std::path::Path, query: &str) -> (usize, usize) {
        let index = index_on_one_thread(folder.join("articles"), &folder.join("index"));
        let request = SearchRequest {
            query: query.to_string(),
            ..SearchRequest::default()
        };
        let prepared =
            Prepared::with_searcher(&index, index.snapshot().unwrap(), &request).unwrap();
        let (mut pruned, _) = prepared.rank(&index, Top::Matches(3)).unwrap();
        let (mut every, _) = prepared.rank(&index, Top::Matches(usize::MAX)).unwrap();
        assert_eq!(pruned.best(3).unwrap(), every.best(3).unwrap());
        (pruned.len(), scored(&pruned))
    }

    /// The best 3 of `grain cocoa` are found without scoring the passing
    /// mentions, and are what scoring every match gives.
    #[test]
    fn the_best_matches_are_found_without_scoring_every_article() {
        let (_folder, index) = grain_and_cocoa();
        let request = SearchRequest {
            query: "grain cocoa".to_string(),
            ..SearchRequest::default()
        };
        let prepared =
            Prepared::with_searcher(&index, index.snapshot().unwrap(), &request).unwrap();
        let (mut pruned, _) = prepared.rank(&index, Top::Matches(3)).unwrap();
        let (mut every, _) = prepared.rank(&index, Top::Matches(usize::MAX)).unwrap();
        assert_eq!(pruned.len(), 345);
        let scored = scored(&pruned);
        assert!(scored < 100, "{scored} of 345 matches scored");
        let best = pruned.best(3).unwrap();
        assert_eq!(best, every.best(3).unwrap());
        assert_eq!(best.len(), 3);
        // Asking for more scores what it needs, and still agrees.
        assert_eq!(pruned.best(50).unwrap(), every.best(50).unwrap());
    }

    /// Long articles that mention `harbour` twice are passed over for
    /// short ones that do, by their lengths: their frequencies alone could
    /// reach the short ones' scores.
    #[test]
    fn long_articles_are_passed_over_by_their_lengths() {
        let folder = tempfile::tempdir().unwrap();
        let articles = folder.path().join("articles");
        std::fs::create_dir(&articles).unwrap();
        for i in 0..5 {
            let body = format!(
                " date 1990-01-0{} Harbour strike: the harbour closed.\n",
                1 + i
            );
            std::fs::write(articles.join(format!("0-short-{i}.txt")), body).unwrap();
        }
        for i in 0..200 {
            let body = format!(
                " date 1990-02-{:02} The harbour {}.\n\nThe market {}.\n\nThe harbour {}.\n",
                1 + i % 28,
                filler("ship", i),
                filler("price", i),
                filler("crane", i),
            );
            std::fs::write(articles.join(format!("long-{i}.txt")), body).unwrap();
        }
        let (matches, scored) = scored_for_best_3(folder.path(), "harbour");
        assert_eq!(matches, 405);
        assert!(scored <= 5, "{scored} of 405 matches scored");
    }

    /// Articles whose two query words are each said twice, but in
    /// passages apart, are passed over for those saying both twice in
    /// one passage: summed over the article, their frequencies are the
    /// same, and so are their lengths.
    #[test]
    fn articles_with_their_words_apart_are_passed_over() {
        let folder = tempfile::tempdir().unwrap();
        let articles = folder.path().join("articles");
        std::fs::create_dir(&articles).unwrap();
        for i in 0..5 {
            let body = format!(
                " date 1990-01-0{} Harbour strike: the harbour closed as the strike began, \
                 {}.\n\nThe market {}.\n\nThe cranes {}.\n",
                1 + i,
                filler("ship", i + 1),
                filler("price", i + 1),
                filler("crane", i + 1),
            );
            std::fs::write(articles.join(format!("0-together-{i}.txt")), body).unwrap();
        }
        for i in 0..200 {
            let body = format!(
                " date 1990-02-{:02} The harbour {} by the harbour.\n\nThe market {}.\n\n\
                 The strike {} in the strike.\n",
                1 + i % 28,
                filler("ship", i),
                filler("price", i),
                filler("crane", i),
            );
            std::fs::write(articles.join(format!("apart-{i}.txt")), body).unwrap();
        }
        let (matches, scored) = scored_for_best_3(folder.path(), "harbour strike");
        assert_eq!(matches, 405);
        assert!(scored <= 5, "{scored} of 405 matches scored");
    }

    /// Whatever the ranking's knobs, the best matches pruning finds are
    /// those of scoring every match: the bounds hold for any lengths,
    /// weights and title frequencies (and are plain where lengths cannot
    /// bound the norms, as with `b = 1`).
    #[test]
    fn pruning_agrees_with_scoring_every_match_under_any_ranking() {
        let (_folder, index) = grain_and_cocoa();
        let queries = ["grain cocoa", "cocoa", "port grain rain", "the port"];
        agrees_under_any_ranking(&index, &queries, Segments::InTurn);
    }

    /// Pruned in parallel, the walks of the segments sharing their best
    /// scores, the best matches are still those of scoring every match.
    #[test]
    fn pruning_in_parallel_agrees_with_scoring_every_match() {
        let (_folder, index) = segmented_index();
        let queries = ["grain", "grain cocoa", "port grain cocoa", "cocoa harbour"];
        agrees_under_any_ranking(&index, &queries, Segments::InParallel);
    }

    /// Checks that the best `k` matches of `queries` pruning finds, walking
    /// segments as `segments` says, are those of scoring every match in
    /// turn, under rankings that change every part of the bounds.
    fn agrees_under_any_ranking(index: &OpenIndex, queries: &[&str], segments: Segments) {
        let rankings = [
            Ranking::default(),
            Ranking {
                b: 1.0,
                article_b: 1.0,
                ..Ranking::default()
            },
            Ranking {
                article_weight: 0.0,
                pair_windows: false,
                ..Ranking::default()
            },
            Ranking {
                article_weight: 1.0,
                title_weight: 0.0,
                length_floor: 0.0,
                ..Ranking::default()
            },
            Ranking {
                article_idf: false,
                skip_stop_words: true,
                k1: 3.0,
                ..Ranking::default()
            },
        ];
        for ranking in rankings {
            for query in queries {
                let request = SearchRequest {
                    query: query.to_string(),
                    ranking: ranking.clone(),
                    ..SearchRequest::default()
                };
                let prepared =
                    Prepared::with_searcher(index, index.snapshot().unwrap(), &request).unwrap();
                for k in [1, 3, 10, 40] {
                    let mut pruned = forcing(segments, || {
                        prepared.rank(index, Top::Matches(k)).unwrap().0
                    });
                    let mut every = forcing(Segments::InTurn, || {
                        prepared.rank(index, Top::Matches(usize::MAX)).unwrap().0
                    });
                    assert_eq!(
                        pruned.best(k).unwrap(),
                        every.best(k).unwrap(),
                        "{query}, best {k}, {ranking:?}"
                    );
                }
            }
        }
    }

    /// Pruned for the best of groups of articles (a page showing each
    /// story or file once), the matches scored up front are every match
    /// that scores at least the best of the `k`th best group, as scoring
    /// every match finds them: walking segments in turn or in parallel,
    /// with groups of one article or of many.
    #[test]
    fn pruning_by_groups_keeps_every_match_of_the_best_groups() {
        let one = |id: u64, _: DocAddress| id;
        let sixteen = |id: u64, _: DocAddress| id >> 60;
        let groupings: [&(dyn Fn(u64, DocAddress) -> u64 + Sync); 2] = [&one, &sixteen];
        let (_folder, index) = grain_and_cocoa();
        let (_more, segmented) = segmented_index();
        let cases = [
            (
                &index,
                Segments::InTurn,
                ["grain cocoa", "port grain rain", "the port"],
            ),
            (
                &segmented,
                Segments::InParallel,
                ["grain", "port grain cocoa", "cocoa harbour"],
            ),
        ];
        for (index, segments, queries) in cases {
            for query in queries {
                let request = SearchRequest {
                    query: query.to_string(),
                    ..SearchRequest::default()
                };
                let prepared =
                    Prepared::with_searcher(index, index.snapshot().unwrap(), &request).unwrap();
                let mut every = prepared.rank(index, Top::Matches(usize::MAX)).unwrap().0;
                let every = every.all().unwrap();
                for group in groupings {
                    for k in [1, 3, 10] {
                        let top = Top::Groups(k, group);
                        let mut pruned = forcing(segments, || prepared.rank(index, top).unwrap().0);
                        let count = pruned.exact_top().unwrap_or(usize::MAX);
                        let kept = pruned.best(count).unwrap();
                        assert_eq!(kept, at_least_kth_group(&every, k, group), "{query}, {k}");
                    }
                }
            }
        }
        // Groups of one article: the passing mentions of `grain` are never
        // scored for the best 3.
        let request = SearchRequest {
            query: "grain cocoa".to_string(),
            ..SearchRequest::default()
        };
        let prepared =
            Prepared::with_searcher(&index, index.snapshot().unwrap(), &request).unwrap();
        let (pruned, _) = prepared.rank(&index, Top::Groups(3, &one)).unwrap();
        let scored = scored(&pruned);
        assert!(scored < 100, "{scored} of {} matches scored", pruned.len());
    }

    /// The passages of `every` (in doc order) that score at least the
    /// best passage of the `k`th best group: all of them when fewer than
    /// `k` groups matched.
    fn at_least_kth_group(
        every: &[ScoredPassage],
        k: usize,
        group: &dyn Fn(u64, DocAddress) -> u64,
    ) -> Vec<ScoredPassage> {
        let mut best: HashMap<u64, f32> = HashMap::new();
        for passage in every {
            let entry = (best.entry(group(passage.article_id, passage.address)))
                .or_insert(f32::NEG_INFINITY);
            *entry = entry.max(passage.score);
        }
        let mut scores: Vec<f32> = best.into_values().collect();
        scores.sort_by(|a, b| b.total_cmp(a));
        let least = match scores.get(k - 1) {
            Some(&score) => score,
            None => f32::NEG_INFINITY,
        };
        (every.iter().filter(|p| p.score >= least).copied()).collect()
    }

    #[test]
    fn from_bits_undoes_ordered_bits() {
        for score in [
            -2.0f32,
            -0.0,
            0.0,
            0.25,
            7.5,
            f32::INFINITY,
            f32::NEG_INFINITY,
        ] {
            assert_eq!(from_bits(ordered_bits(score)).to_bits(), score.to_bits());
        }
    }
}
