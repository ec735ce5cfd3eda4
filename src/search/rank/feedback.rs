//! RM3 pseudo-relevance feedback: expansion words learnt from the best
//! passages of a first pass.

use std::collections::{HashMap, HashSet};

use tantivy::{Searcher, Term};

use crate::error::Result;
use crate::index::{DatelineSchema, Language, analyzer, analyzer_without_stop_words, stored};
use crate::search::query::QueryWord;
use crate::search::rank::{Ranking, ScoredPassage};

/// RM3 pseudo-relevance feedback: learns expansion words from the best
/// passages of a first pass (one per article, `feedback_docs` of them) and
/// adds them to `words`, re-weighting the original words to
/// `feedback_original_weight` of the total. Returns the new words' terms,
/// which the second pass must also match on.
pub(crate) fn add_feedback_words(
    searcher: &Searcher,
    fields: &DatelineSchema,
    language: Language,
    first_pass: &[ScoredPassage],
    words: &mut Vec<QueryWord>,
    ranking: &Ranking,
) -> Result<Vec<Term>> {
    let mut seen_articles = HashSet::new();
    let top: Vec<&ScoredPassage> = first_pass
        .iter()
        .filter(|p| seen_articles.insert(p.article_id))
        .take(ranking.feedback_docs)
        .collect();
    let total_score: f32 = top.iter().map(|p| p.score.max(0.0)).sum();
    if top.is_empty() || total_score <= 0.0 {
        return Ok(Vec::new());
    }
    // Expansion words are content words: stop words are dropped.
    let mut content = analyzer_without_stop_words(language).unwrap_or_else(|| analyzer(language));
    let mut relevance: HashMap<String, f32> = HashMap::new();
    for passage in top {
        let mut counts: HashMap<String, f32> = HashMap::new();
        let mut length: f32 = 0.0;
        for text in stored::title_and_text(searcher, fields, passage.address)? {
            let mut stream = content.token_stream(&text);
            while stream.advance() {
                let token = &stream.token().text;
                if token.chars().all(|c| c.is_ascii_digit()) {
                    continue;
                }
                *counts.entry(token.clone()).or_default() += 1.0;
                length += 1.0;
            }
        }
        let doc_weight = passage.score.max(0.0) / total_score;
        for (token, count) in counts {
            *relevance.entry(token).or_default() += doc_weight * count / length.max(1.0);
        }
    }
    let mut expansion: Vec<(String, f32)> = relevance.into_iter().collect();
    expansion.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    expansion.truncate(ranking.feedback_terms);
    let expansion_total: f32 = expansion.iter().map(|(_, w)| w).sum();
    let original_total: f32 = words.iter().map(|w| w.weight).sum();
    let alpha = ranking.feedback_original_weight.clamp(0.0, 1.0);
    for word in words.iter_mut() {
        word.weight = alpha * word.weight / original_total.max(f32::EPSILON);
    }
    let mut extra = Vec::new();
    for (text, weight) in expansion {
        let weight = (1.0 - alpha) * weight / expansion_total.max(f32::EPSILON);
        if let Some(existing) = words.iter_mut().find(|w| w.text == text) {
            existing.weight += weight;
            continue;
        }
        let text_term = Term::from_field_text(fields.text, &text);
        let title_term = Term::from_field_text(fields.title, &text);
        extra.push(text_term.clone());
        extra.push(title_term.clone());
        words.push(QueryWord {
            text,
            text_term: Some(text_term),
            title_term: Some(title_term),
            weight,
            idf: 0.0,
            stop: false,
        });
    }
    Ok(extra)
}
