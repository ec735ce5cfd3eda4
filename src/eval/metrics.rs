//! Ranking metrics as `trec_eval` (and pytrec_eval, which BEIR uses)
//! computes them, per query; the collection's score is the mean over the
//! judged queries.
//!
//! - nDCG@k: gain = the judged relevance grade (linear, not 2^grade − 1),
//!   discount = log2(rank + 1), ideal = the best possible ordering of *all*
//!   judged grades for the query, whether retrieved or not.
//! - Recall@k: relevant documents (grade > 0) in the top k over all relevant.
//! - MRR@k: 1 / rank of the first relevant document in the top k, else 0.
//! - P@k: relevant documents in the top k over k (a shorter list still
//!   counts k places).
//! - MAP@k (`map_cut_k`): the precision at the rank of each relevant
//!   document found in the top k, summed and divided by *all* relevant
//!   documents of the query, found or not.

use std::collections::HashMap;

/// The judgments of one query: document id → relevance grade.
pub type Judgments = HashMap<String, i32>;

/// The metrics `eval` reports, each a mean over the judged queries.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct MeanMetrics {
    pub ndcg_at_10: f64,
    pub recall_at_100: f64,
    pub mrr_at_10: f64,
    pub precision_at_10: f64,
    pub map_at_100: f64,
}

/// Sums the metrics of each query's ranking, for their means.
#[derive(Debug, Default)]
pub struct MetricSums {
    sums: MeanMetrics,
    queries: usize,
}

impl MetricSums {
    /// Adds one query: its ranked document ids and its judgments.
    pub fn add(&mut self, ranked: &[String], judged: &Judgments) {
        let s = &mut self.sums;
        s.ndcg_at_10 += ndcg_at(10, ranked, judged);
        s.recall_at_100 += recall_at(100, ranked, judged);
        s.mrr_at_10 += reciprocal_rank_at(10, ranked, judged);
        s.precision_at_10 += precision_at(10, ranked, judged);
        s.map_at_100 += average_precision_at(100, ranked, judged);
        self.queries += 1;
    }

    /// The means over the queries added (zeros when there were none).
    pub fn means(&self) -> MeanMetrics {
        let n = self.queries.max(1) as f64;
        let s = &self.sums;
        MeanMetrics {
            ndcg_at_10: s.ndcg_at_10 / n,
            recall_at_100: s.recall_at_100 / n,
            mrr_at_10: s.mrr_at_10 / n,
            precision_at_10: s.precision_at_10 / n,
            map_at_100: s.map_at_100 / n,
        }
    }
}

/// nDCG at cut-off `k` of a ranked list of document ids.
pub fn ndcg_at(k: usize, ranked: &[String], judged: &Judgments) -> f64 {
    let gain = |id: &String| f64::from(judged.get(id).copied().unwrap_or(0).max(0));
    let dcg: f64 = ranked
        .iter()
        .take(k)
        .enumerate()
        .map(|(i, id)| gain(id) / discount(i))
        .sum();
    let mut ideal: Vec<i32> = judged.values().copied().filter(|&g| g > 0).collect();
    ideal.sort_unstable_by(|a, b| b.cmp(a));
    let idcg: f64 = ideal
        .iter()
        .take(k)
        .enumerate()
        .map(|(i, &g)| f64::from(g) / discount(i))
        .sum();
    if idcg > 0.0 { dcg / idcg } else { 0.0 }
}

/// log2 of the 1-based rank plus one, for the 0-based index `i`.
fn discount(i: usize) -> f64 {
    ((i + 2) as f64).log2()
}

/// Recall at cut-off `k`: the share of relevant documents found in the top k.
pub fn recall_at(k: usize, ranked: &[String], judged: &Judgments) -> f64 {
    let relevant = judged.values().filter(|&&g| g > 0).count();
    if relevant == 0 {
        return 0.0;
    }
    let found = ranked
        .iter()
        .take(k)
        .filter(|id| is_relevant(id, judged))
        .count();
    found as f64 / relevant as f64
}

/// Reciprocal rank of the first relevant document within the top `k`.
pub fn reciprocal_rank_at(k: usize, ranked: &[String], judged: &Judgments) -> f64 {
    ranked
        .iter()
        .take(k)
        .position(|id| is_relevant(id, judged))
        .map_or(0.0, |i| 1.0 / (i + 1) as f64)
}

/// Precision at cut-off `k`: the share of the top `k` places holding a
/// relevant document.
pub fn precision_at(k: usize, ranked: &[String], judged: &Judgments) -> f64 {
    let found = ranked
        .iter()
        .take(k)
        .filter(|id| is_relevant(id, judged))
        .count();
    found as f64 / k.max(1) as f64
}

/// Average precision at cut-off `k`, over all relevant documents of the
/// query (trec_eval's `map_cut`).
pub fn average_precision_at(k: usize, ranked: &[String], judged: &Judgments) -> f64 {
    let relevant = judged.values().filter(|&&g| g > 0).count();
    if relevant == 0 {
        return 0.0;
    }
    let mut found = 0;
    let mut sum = 0.0;
    for (i, id) in ranked.iter().take(k).enumerate() {
        if is_relevant(id, judged) {
            found += 1;
            sum += f64::from(found) / (i + 1) as f64;
        }
    }
    sum / relevant as f64
}

fn is_relevant(id: &String, judged: &Judgments) -> bool {
    judged.get(id).is_some_and(|&g| g > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    fn judged(pairs: &[(&str, i32)]) -> Judgments {
        pairs.iter().map(|&(id, g)| (id.to_string(), g)).collect()
    }

    const EPS: f64 = 1e-9;

    #[test]
    fn ndcg_uses_graded_gains_log2_discounts_and_the_ideal_from_all_judgments() {
        // Judged: a=3, b=2, c=1, z=0; z is judged non-relevant, d unjudged.
        let qrels = judged(&[("a", 3), ("b", 2), ("c", 1), ("z", 0)]);
        // Ranked: d, a, z, c (b, relevant, is never retrieved).
        let ranked = ids(&["d", "a", "z", "c"]);
        // DCG@3  = 0/log2(2) + 3/log2(3) + 0/log2(4)            = 1.892789…
        // IDCG@3 = 3/log2(2) + 2/log2(3) + 1/log2(4) = 3 + 1.261860 + 0.5
        let dcg = 3.0 / 3f64.log2();
        let idcg = 3.0 + 2.0 / 3f64.log2() + 0.5;
        assert!((ndcg_at(3, &ranked, &qrels) - dcg / idcg).abs() < EPS);
        assert!((ndcg_at(3, &ranked, &qrels) - 0.397_5).abs() < 1e-4);
        // At k=4, c at rank 4 adds 1/log2(5); the ideal adds nothing (z is 0).
        let dcg4 = dcg + 1.0 / 5f64.log2();
        assert!((ndcg_at(4, &ranked, &qrels) - dcg4 / idcg).abs() < EPS);
        // The perfect order scores 1, an empty list 0.
        assert!((ndcg_at(10, &ids(&["a", "b", "c"]), &qrels) - 1.0).abs() < EPS);
        assert_eq!(ndcg_at(10, &[], &qrels), 0.0);
    }

    #[test]
    fn binary_ndcg_matches_a_hand_computed_value() {
        // Two relevant documents, found at ranks 2 and 5.
        let qrels = judged(&[("x", 1), ("y", 1)]);
        let ranked = ids(&["n1", "x", "n2", "n3", "y"]);
        let expected = (1.0 / 3f64.log2() + 1.0 / 6f64.log2()) / (1.0 + 1.0 / 3f64.log2());
        assert!((ndcg_at(10, &ranked, &qrels) - expected).abs() < EPS);
        assert!((ndcg_at(10, &ranked, &qrels) - 0.624_1).abs() < 1e-4);
    }

    #[test]
    fn recall_counts_relevant_documents_within_the_cutoff() {
        let qrels = judged(&[("a", 1), ("b", 2), ("c", 1), ("z", 0)]);
        let ranked = ids(&["a", "z", "x", "c", "b"]);
        assert!((recall_at(2, &ranked, &qrels) - 1.0 / 3.0).abs() < EPS);
        assert!((recall_at(4, &ranked, &qrels) - 2.0 / 3.0).abs() < EPS);
        assert!((recall_at(100, &ranked, &qrels) - 1.0).abs() < EPS);
        assert_eq!(recall_at(100, &ranked, &judged(&[("z", 0)])), 0.0);
    }

    #[test]
    fn precision_counts_relevant_documents_over_the_cutoff() {
        let qrels = judged(&[("a", 1), ("b", 2), ("z", 0)]);
        let ranked = ids(&["a", "z", "b", "x"]);
        assert!((precision_at(2, &ranked, &qrels) - 0.5).abs() < EPS);
        assert!((precision_at(4, &ranked, &qrels) - 0.5).abs() < EPS);
        // A list shorter than the cut-off still counts k places.
        assert!((precision_at(10, &ranked, &qrels) - 0.2).abs() < EPS);
    }

    #[test]
    fn average_precision_divides_by_every_relevant_document() {
        // Relevant a, b, c; found at ranks 1 and 3, c never.
        let qrels = judged(&[("a", 1), ("b", 1), ("c", 1), ("z", 0)]);
        let ranked = ids(&["a", "z", "b", "x"]);
        let expected = (1.0 + 2.0 / 3.0) / 3.0;
        assert!((average_precision_at(100, &ranked, &qrels) - expected).abs() < EPS);
        // The cut-off drops b.
        assert!((average_precision_at(2, &ranked, &qrels) - 1.0 / 3.0).abs() < EPS);
        assert!((average_precision_at(10, &ids(&["a", "b", "c"]), &qrels) - 1.0).abs() < EPS);
        assert_eq!(average_precision_at(10, &ranked, &judged(&[("z", 0)])), 0.0);
    }

    #[test]
    fn reciprocal_rank_is_one_over_the_first_relevant_rank_within_the_cutoff() {
        let qrels = judged(&[("b", 1), ("c", 1), ("z", 0)]);
        assert!(
            (reciprocal_rank_at(10, &ids(&["z", "x", "c", "b"]), &qrels) - 1.0 / 3.0).abs() < EPS
        );
        assert_eq!(reciprocal_rank_at(10, &ids(&["b"]), &qrels), 1.0);
        assert_eq!(reciprocal_rank_at(2, &ids(&["z", "x", "c"]), &qrels), 0.0);
    }

    #[test]
    fn sums_average_each_metric_over_the_queries_added() {
        let mut sums = MetricSums::default();
        assert_eq!(sums.means(), MeanMetrics::default());
        sums.add(&ids(&["a"]), &judged(&[("a", 1)]));
        sums.add(&ids(&["x"]), &judged(&[("a", 1)]));
        let means = sums.means();
        assert!((means.mrr_at_10 - 0.5).abs() < EPS);
        assert!((means.map_at_100 - 0.5).abs() < EPS);
        assert!((means.precision_at_10 - 0.05).abs() < EPS);
        assert!((means.recall_at_100 - 0.5).abs() < EPS);
        assert!((means.ndcg_at_10 - 0.5).abs() < EPS);
    }
}
