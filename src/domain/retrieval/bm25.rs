//! A BM25 full-text index over chunks, built and queried in WebAssembly. Serialisable, so a
//! knowledge base is not re-indexed each time a flow opens.
//!
//! Scoring is Okapi BM25 with Lucene's non-negative idf, `ln(1 + (N - df + 0.5) / (df + 0.5))`,
//! k1 = 1.2 and b = 0.75 by default.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::tokenize::{tokenize, TokenizerOptions};

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Bm25Params {
    pub k1: f64,
    pub b: f64,
}

impl Default for Bm25Params {
    fn default() -> Self {
        Bm25Params { k1: 1.2, b: 0.75 }
    }
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Bm25Index {
    pub params: Bm25Params,
    pub tokenizer: TokenizerOptions,
    /// Length in terms of each indexed chunk.
    lengths: Vec<u32>,
    /// term → (chunk, term frequency), chunks ascending.
    postings: HashMap<String, Vec<(u32, u32)>>,
    total_terms: u64,
}

/// One result: the chunk, its score, and the query terms it matched (for "why this result").
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    pub chunk: usize,
    pub score: f64,
    pub matched: Vec<String>,
}

impl Bm25Index {
    pub fn new(params: Bm25Params, tokenizer: TokenizerOptions) -> Self {
        Bm25Index { params, tokenizer, ..Bm25Index::default() }
    }

    /// Adds a chunk; returns its number (chunks are numbered in the order they are added).
    pub fn add(&mut self, text: &str) -> usize {
        let id = self.lengths.len();
        let terms = tokenize(text, self.tokenizer);
        let mut counts: HashMap<String, u32> = HashMap::new();
        for t in &terms {
            *counts.entry(t.clone()).or_insert(0) += 1;
        }
        for (term, tf) in counts {
            self.postings.entry(term).or_default().push((id as u32, tf));
        }
        self.lengths.push(terms.len() as u32);
        self.total_terms += terms.len() as u64;
        id
    }

    pub fn len(&self) -> usize {
        self.lengths.len()
    }

    pub fn is_empty(&self) -> bool {
        self.lengths.is_empty()
    }

    fn idf(&self, df: usize) -> f64 {
        let n = self.lengths.len() as f64;
        let df = df as f64;
        (1.0 + (n - df + 0.5) / (df + 0.5)).ln()
    }

    /// The `k` best chunks for `query`, best first (ties by chunk order).
    pub fn search(&self, query: &str, k: usize) -> Vec<Hit> {
        if self.is_empty() || k == 0 {
            return Vec::new();
        }
        let avgdl = (self.total_terms as f64 / self.lengths.len() as f64).max(1e-9);
        let mut terms = tokenize(query, self.tokenizer);
        terms.sort();
        terms.dedup();
        let mut scores: HashMap<u32, (f64, Vec<String>)> = HashMap::new();
        let Bm25Params { k1, b } = self.params;
        for term in &terms {
            let Some(list) = self.postings.get(term) else { continue };
            let idf = self.idf(list.len());
            for &(doc, tf) in list {
                let dl = f64::from(self.lengths.get(doc as usize).copied().unwrap_or(0));
                let tf = f64::from(tf);
                let s = idf * tf * (k1 + 1.0) / (tf + k1 * (1.0 - b + b * dl / avgdl));
                let entry = scores.entry(doc).or_insert((0.0, Vec::new()));
                entry.0 += s;
                entry.1.push(term.clone());
            }
        }
        let mut hits: Vec<Hit> =
            scores.into_iter().map(|(doc, (score, matched))| Hit { chunk: doc as usize, score, matched }).collect();
        hits.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.chunk.cmp(&b.chunk)));
        hits.truncate(k);
        hits
    }
}

/// Reciprocal rank fusion of several rankings (chunk numbers, best first): each list gives
/// `1 / (k + rank)`, rank counted from 1. The usual `k` is 60.
pub fn reciprocal_rank_fusion(rankings: &[Vec<usize>], k: f64) -> Vec<(usize, f64)> {
    let mut scores: HashMap<usize, f64> = HashMap::new();
    for ranking in rankings {
        for (i, chunk) in ranking.iter().enumerate() {
            *scores.entry(*chunk).or_insert(0.0) += 1.0 / (k + (i + 1) as f64);
        }
    }
    let mut out: Vec<(usize, f64)> = scores.into_iter().collect();
    out.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain() -> TokenizerOptions {
        TokenizerOptions { stop_words: false, stemming: false }
    }

    #[test]
    fn scores_match_a_hand_computation() {
        let mut index = Bm25Index::new(Bm25Params::default(), plain());
        index.add("refund policy refund"); // 3 terms
        index.add("shipping policy"); // 2 terms
        index.add("returns and exchanges window"); // 4 terms
                                                   // N = 3, avgdl = 3. "refund": df 1, idf = ln(1 + 2.5/1.5) = ln(2.6667) = 0.98083.
                                                   // Doc 0: tf 2, dl 3: 0.98083 * 2 * 2.2 / (2 + 1.2 * (0.25 + 0.75)) = 0.98083 * 4.4 / 3.2 = 1.34864.
        let hits = index.search("refund", 5);
        assert_eq!(hits.len(), 1);
        assert!((hits[0].score - 1.348_64).abs() < 1e-4, "{hits:?}");
        // "policy": df 2, idf = ln(1 + 1.5/2.5) = ln(1.6) = 0.47000.
        // Doc 0: tf 1, dl 3: 0.47 * 2.2 / (1 + 1.2) = 0.47000.
        // Doc 1: tf 1, dl 2: 0.47 * 2.2 / (1 + 1.2 * (0.25 + 0.5)) = 1.034 / 1.9 = 0.54421.
        let hits = index.search("policy", 5);
        assert_eq!(hits.iter().map(|h| h.chunk).collect::<Vec<_>>(), [1, 0]);
        assert!((hits[0].score - 0.544_21).abs() < 1e-4 && (hits[1].score - 0.470_00).abs() < 1e-4, "{hits:?}");
        // Both terms: doc 0 sums them, and says which matched.
        let hits = index.search("refund policy", 5);
        assert_eq!(hits[0].chunk, 0);
        assert!((hits[0].score - (1.348_64 + 0.470_00)).abs() < 1e-3);
        assert_eq!(hits[0].matched, ["policy", "refund"]);
        assert!(index.search("nothing matches", 5).is_empty());
        assert!(Bm25Index::default().search("x", 5).is_empty());
    }

    #[test]
    fn the_index_round_trips_through_json() {
        let mut index = Bm25Index::new(Bm25Params::default(), TokenizerOptions::default());
        index.add("Refunds are issued within 14 days.");
        index.add("Shipping takes three to five business days.");
        let json = serde_json::to_string(&index).unwrap_or_default();
        let back: Bm25Index = serde_json::from_str(&json).unwrap_or_default();
        assert_eq!(back, index);
        assert_eq!(back.search("refund days", 2), index.search("refund days", 2));
    }

    #[test]
    fn rank_fusion_rewards_agreement() {
        let fused = reciprocal_rank_fusion(&[vec![3, 1, 2], vec![1, 3, 4]], 60.0);
        // 1 and 3 appear high in both; 1: 1/62 + 1/61, 3: 1/61 + 1/62 — a tie broken by number.
        assert_eq!(fused.iter().map(|(c, _)| *c).collect::<Vec<_>>(), [1, 3, 2, 4]);
        assert!((fused[0].1 - (1.0 / 61.0 + 1.0 / 62.0)).abs() < 1e-12);
        assert!(reciprocal_rank_fusion(&[], 60.0).is_empty());
    }
}
