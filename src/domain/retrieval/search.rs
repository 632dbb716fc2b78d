//! Searching a knowledge base by keywords (BM25), by meaning (embeddings) or both (reciprocal
//! rank fusion), and turning the passages found into a context with numbered citations.

use serde::{Deserialize, Serialize};

use super::bm25::reciprocal_rank_fusion;
use super::knowledge::{KbChunk, KnowledgeBase};
use super::tokenize::{tokenize, TokenizerOptions};
use crate::domain::util::hash::fnv1a64;
use crate::domain::util::vector::cosine;

/// The usual constant of reciprocal rank fusion.
pub const RRF_K: f64 = 60.0;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RetrieveMode {
    #[default]
    Keyword,
    Semantic,
    Hybrid,
}

impl RetrieveMode {
    pub const ALL: [RetrieveMode; 3] = [RetrieveMode::Keyword, RetrieveMode::Semantic, RetrieveMode::Hybrid];

    pub fn id(self) -> &'static str {
        match self {
            RetrieveMode::Keyword => "keyword",
            RetrieveMode::Semantic => "semantic",
            RetrieveMode::Hybrid => "hybrid",
        }
    }

    pub fn from_id(id: &str) -> Option<RetrieveMode> {
        RetrieveMode::ALL.into_iter().find(|m| m.id() == id)
    }

    pub fn label(self) -> &'static str {
        match self {
            RetrieveMode::Keyword => "Keywords (BM25)",
            RetrieveMode::Semantic => "Meaning (embeddings)",
            RetrieveMode::Hybrid => "Both (hybrid)",
        }
    }

    pub fn needs_embeddings(self) -> bool {
        self != RetrieveMode::Keyword
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct SearchSettings {
    pub mode: RetrieveMode,
    pub top_k: usize,
    /// Keyword mode: BM25 score; semantic: cosine similarity; hybrid: the fused score as a
    /// share of the best possible (a passage ranked first by both = 1).
    pub min_score: f64,
}

/// One passage found, with why it was found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Passage {
    /// The citation number, from 1.
    pub number: usize,
    pub source: String,
    pub doc_id: String,
    /// Position of the chunk within its document, from 1.
    pub chunk: usize,
    pub heading: Option<String>,
    /// Character offsets in the document.
    pub start: usize,
    pub end: usize,
    pub text: String,
    /// The score the mode ranks by.
    pub score: f64,
    pub keyword_score: Option<f64>,
    pub similarity: Option<f64>,
    /// Query terms found in the passage (keyword and hybrid modes).
    pub matched: Vec<String>,
}

/// Dimensions of the Demo provider's embeddings.
pub const DEMO_DIMENSIONS: usize = 256;

/// The Demo provider's embeddings: hashed word stems (and their pairs), normalised. They
/// match words, not meaning: enough to try semantic and hybrid modes with no key.
pub fn demo_embedding(text: &str) -> Vec<f32> {
    let mut v = vec![0.0f32; DEMO_DIMENSIONS];
    let terms = tokenize(text, TokenizerOptions::default());
    let mut add = |t: &str, w: f32| {
        let h = fnv1a64(t.as_bytes());
        let i = (h % DEMO_DIMENSIONS as u64) as usize;
        v[i] += if (h >> 32) & 1 == 0 { w } else { -w };
    };
    for t in &terms {
        add(t, 1.0);
    }
    for pair in terms.windows(2) {
        add(&format!("{} {}", pair[0], pair[1]), 0.5);
    }
    let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
    if norm > 0.0 {
        v.iter_mut().for_each(|x| *x /= norm);
    }
    v
}

/// Gives every passage without a vector under `model_key` its Demo vector (computed here,
/// so nothing is fetched and nothing needs storing).
pub fn fill_demo_embeddings(kb: &mut KnowledgeBase, model_key: &str) {
    let missing = kb.missing_embeddings(model_key);
    kb.add_embeddings(model_key, missing.into_iter().map(|(h, t)| (h, demo_embedding(&t))));
}

fn passage(kb: &KnowledgeBase, c: &KbChunk) -> Passage {
    Passage {
        number: 0,
        source: kb.document(&c.doc).map(|d| d.name.clone()).unwrap_or_default(),
        doc_id: c.doc.clone(),
        chunk: c.number,
        heading: c.chunk.heading.clone(),
        start: c.chunk.start,
        end: c.chunk.end,
        text: c.chunk.text.clone(),
        score: 0.0,
        keyword_score: None,
        similarity: None,
        matched: Vec::new(),
    }
}

/// The best passages for `query`. Semantic and hybrid modes need `query_vector` and the
/// chunks' vectors under `model_key`; chunks without one are left out of the meaning ranking.
pub fn search(
    kb: &KnowledgeBase,
    query: &str,
    settings: SearchSettings,
    model_key: &str,
    query_vector: Option<&[f32]>,
) -> Vec<Passage> {
    let k = settings.top_k.clamp(1, 100);
    // Matched terms are shown as the words the user typed ("daily"), not their stems ("dai").
    let words = tokenize(query, TokenizerOptions { stemming: false, ..kb.index.tokenizer });
    let surface = |term: &String| -> String {
        words
            .iter()
            .find(|w| tokenize(w, kb.index.tokenizer).first() == Some(term))
            .cloned()
            .unwrap_or_else(|| term.clone())
    };
    // Candidates per ranking before fusion: enough that a passage ranked well by one side
    // still meets the other.
    let pool = (k * 4).max(50);
    let keyword = |n: usize| kb.index.search(query, n);
    let semantic = |n: usize| -> Vec<(usize, f64)> {
        let (Some(q), Some(vectors)) = (query_vector, kb.embeddings.get(model_key)) else {
            return Vec::new();
        };
        let mut scored: Vec<(usize, f64)> = kb
            .chunks
            .iter()
            .enumerate()
            .filter_map(|(i, c)| vectors.get(&c.hash).map(|v| (i, cosine(q, v).unwrap_or(0.0))))
            .collect();
        scored.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        scored.truncate(n);
        scored
    };
    let mut out: Vec<Passage> = match settings.mode {
        RetrieveMode::Keyword => keyword(k)
            .into_iter()
            .filter(|h| h.score >= settings.min_score)
            .filter_map(|h| {
                let mut p = passage(kb, kb.chunks.get(h.chunk)?);
                p.score = h.score;
                p.keyword_score = Some(h.score);
                p.matched = h.matched.iter().map(surface).collect();
                Some(p)
            })
            .collect(),
        RetrieveMode::Semantic => semantic(k)
            .into_iter()
            .filter(|(_, s)| *s >= settings.min_score)
            .filter_map(|(i, s)| {
                let mut p = passage(kb, kb.chunks.get(i)?);
                p.score = s;
                p.similarity = Some(s);
                Some(p)
            })
            .collect(),
        RetrieveMode::Hybrid => {
            let kw = keyword(pool);
            let sem = semantic(pool);
            let fused = reciprocal_rank_fusion(
                &[kw.iter().map(|h| h.chunk).collect(), sem.iter().map(|(i, _)| *i).collect()],
                RRF_K,
            );
            let best = 2.0 / (RRF_K + 1.0);
            fused
                .into_iter()
                .map(|(i, s)| (i, s / best))
                .filter(|(_, s)| *s >= settings.min_score)
                .take(k)
                .filter_map(|(i, s)| {
                    let mut p = passage(kb, kb.chunks.get(i)?);
                    p.score = s;
                    if let Some(h) = kw.iter().find(|h| h.chunk == i) {
                        p.keyword_score = Some(h.score);
                        p.matched = h.matched.iter().map(surface).collect();
                    }
                    p.similarity = sem.iter().find(|(j, _)| *j == i).map(|(_, s)| *s);
                    Some(p)
                })
                .collect()
        }
    };
    for (n, p) in out.iter_mut().enumerate() {
        p.number = n + 1;
    }
    out
}

/// The passages as a prompt-ready context: each numbered, with its source, so the model
/// can cite `[1]`, `[2]`.
pub fn context_text(passages: &[Passage]) -> String {
    if passages.is_empty() {
        return "(No passages were found for this question.)".to_string();
    }
    passages
        .iter()
        .map(|p| {
            let place = match &p.heading {
                Some(h) => format!("{}, {h}", p.source),
                None => format!("{}, part {}", p.source, p.chunk),
            };
            format!("[{}] ({place})\n{}", p.number, p.text)
        })
        .collect::<Vec<_>>()
        .join("\n\n")
}

/// The citation numbers `[n]` in a model's answer, in order of first appearance, that name
/// one of `count` passages (also `[1, 2]` and `[1][2]`).
pub fn citations(answer: &str, count: usize) -> Vec<usize> {
    let mut out = Vec::new();
    for piece in CitationSplit::new(answer) {
        if let Segment::Cite(n) = piece {
            if n >= 1 && n <= count && !out.contains(&n) {
                out.push(n);
            }
        }
    }
    out
}

/// A piece of text split around citation markers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment<'a> {
    Text(&'a str),
    Cite(usize),
}

/// Splits text into plain runs and citation numbers: `[2]` gives `Cite(2)`, `[1, 3]` gives
/// `Cite(1)`, `Text(", ")`, `Cite(3)`. Brackets holding anything else stay text.
pub struct CitationSplit<'a> {
    rest: &'a str,
    pending: Vec<Segment<'a>>,
}

impl<'a> CitationSplit<'a> {
    pub fn new(text: &'a str) -> Self {
        CitationSplit { rest: text, pending: Vec::new() }
    }
}

impl<'a> Iterator for CitationSplit<'a> {
    type Item = Segment<'a>;

    fn next(&mut self) -> Option<Segment<'a>> {
        if !self.pending.is_empty() {
            return Some(self.pending.remove(0));
        }
        if self.rest.is_empty() {
            return None;
        }
        let mut search_from = 0;
        while let Some(open) = self.rest[search_from..].find('[').map(|i| i + search_from) {
            let close = self.rest[open..].find(']').map(|i| i + open);
            let Some(close) = close else { break };
            let inner = &self.rest[open + 1..close];
            let numbers: Option<Vec<usize>> = inner
                .split(',')
                .map(|n| n.trim())
                .map(|n| if n.len() <= 3 && !n.is_empty() { n.parse().ok() } else { None })
                .collect();
            if let Some(numbers) = numbers {
                let before = &self.rest[..open];
                self.rest = &self.rest[close + 1..];
                for (i, n) in numbers.into_iter().enumerate() {
                    if i > 0 {
                        self.pending.push(Segment::Text(", "));
                    }
                    self.pending.push(Segment::Cite(n));
                }
                if before.is_empty() {
                    return Some(self.pending.remove(0));
                }
                return Some(Segment::Text(before));
            }
            search_from = open + 1;
        }
        let all = self.rest;
        self.rest = "";
        Some(Segment::Text(all))
    }
}

#[cfg(test)]
mod tests {
    use super::super::documents::DocFormat;
    use super::super::knowledge::{Document, KnowledgeOptions};
    use super::*;

    fn kb() -> KnowledgeBase {
        let mut kb = KnowledgeBase::new(KnowledgeOptions::default());
        for (id, name, text) in [
            ("a", "refunds.md", "# Refunds\n\nRefunds are paid within 14 days of receiving the return."),
            ("b", "shipping.md", "# Shipping\n\nParcels ship in two days. Express delivery arrives tomorrow."),
            ("c", "returns.md", "# Returns\n\nReturn an item within 30 days for a refund or exchange."),
        ] {
            kb.add(Document::new(id, name, DocFormat::Markdown, text));
        }
        kb
    }

    fn settings(mode: RetrieveMode) -> SearchSettings {
        SearchSettings { mode, top_k: 2, min_score: 0.0 }
    }

    #[test]
    fn keyword_search_numbers_passages_and_says_why() {
        let kb = kb();
        let found = search(&kb, "When is my refund paid?", settings(RetrieveMode::Keyword), "", None);
        assert_eq!(found.len(), 2);
        assert_eq!((found[0].number, found[0].source.as_str()), (1, "refunds.md"));
        assert_eq!(found[0].matched, ["paid", "refund"]);
        // Shown as typed, not as stems.
        let daily = search(&kb, "Refunds DAILY", settings(RetrieveMode::Keyword), "", None);
        assert_eq!(daily[0].matched, ["refunds"]);
        assert_eq!(found[1].source, "returns.md");
        assert!(found[0].score > found[1].score);
        let strict = SearchSettings { min_score: found[0].score - 1e-9, ..settings(RetrieveMode::Keyword) };
        assert_eq!(search(&kb, "When is my refund paid?", strict, "", None).len(), 1);
        let context = context_text(&found);
        assert!(context.starts_with("[1] (refunds.md, Refunds)\nRefunds are paid"), "{context}");
        assert!(context.contains("\n\n[2] (returns.md, Returns)\n"));
        assert_eq!(context_text(&[]), "(No passages were found for this question.)");
    }

    #[test]
    fn semantic_and_hybrid_rank_by_vectors() {
        let mut kb = kb();
        let key = "demo:demo-embed";
        fill_demo_embeddings(&mut kb, key);
        let q = demo_embedding("express delivery tomorrow");
        let found = search(&kb, "express delivery tomorrow", settings(RetrieveMode::Semantic), key, Some(&q));
        assert_eq!(found[0].source, "shipping.md");
        assert!(found[0].similarity.is_some_and(|s| s > 0.3 && s <= 1.0 + 1e-9));
        // Without vectors for this model, meaning search finds nothing (and says so upstream).
        assert!(search(&kb, "x", settings(RetrieveMode::Semantic), "other:model", Some(&q)).is_empty());
        let hybrid = search(&kb, "express delivery tomorrow", settings(RetrieveMode::Hybrid), key, Some(&q));
        assert_eq!(hybrid[0].source, "shipping.md");
        // First in both rankings: the best possible fused score.
        assert!((hybrid[0].score - 1.0).abs() < 1e-9, "{}", hybrid[0].score);
        assert!(hybrid[0].keyword_score.is_some() && hybrid[0].similarity.is_some());
    }

    #[test]
    fn citations_are_found_in_answers() {
        assert_eq!(citations("Refunds take 14 days [1]. Express is next day [2][1].", 3), [1, 2]);
        assert_eq!(citations("See [1, 3] and [9] and [note] and [x]", 3), [1, 3]);
        let parts: Vec<Segment> = CitationSplit::new("a [1, 2] b [c] [3]").collect();
        assert_eq!(
            parts,
            [
                Segment::Text("a "),
                Segment::Cite(1),
                Segment::Text(", "),
                Segment::Cite(2),
                Segment::Text(" b [c] "),
                Segment::Cite(3)
            ]
        );
        assert_eq!(CitationSplit::new("").count(), 0);
        assert_eq!(CitationSplit::new("[").collect::<Vec<_>>(), [Segment::Text("[")]);
    }
}
