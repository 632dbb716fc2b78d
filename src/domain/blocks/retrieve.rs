//! Retrieve: finds the passages of the flow's knowledge base that answer a query. Its input
//! ports are the `{{variables}}` of the query; it gives the passages as a numbered context
//! (for a Prompt to cite `[1]`, `[2]`) and as JSON.

use super::{KindSpec, Port};
use crate::domain::retrieval::search::{RetrieveMode, SearchSettings};
use crate::domain::template;
use serde::{Deserialize, Serialize};

/// A small embedding model for the in-browser provider (any GGUF address works).
pub const LOCAL_EMBEDDING_MODEL: &str =
    "https://huggingface.co/second-state/All-MiniLM-L6-v2-Embedding-GGUF/resolve/main/all-MiniLM-L6-v2-Q8_0.gguf";

/// The numbered passages, ready to put into a prompt.
pub const CONTEXT_PORT: &str = "context";
/// The passages as a JSON array (number, source, text, score).
pub const PASSAGES_PORT: &str = "passages";
/// The most passages a Retrieve block may ask for.
pub const MAX_TOP_K: u32 = 50;

/// Providers with an embeddings endpoint, and the model to suggest for each.
pub const EMBEDDING_PROVIDERS: [(&str, &str); 6] = [
    ("demo", "demo-words"),
    ("browser", LOCAL_EMBEDDING_MODEL),
    ("openai", "text-embedding-3-small"),
    ("gemini", "gemini-embedding-001"),
    ("ollama", "nomic-embed-text"),
    ("openai-compatible", ""),
];

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RetrieveConfig {
    pub query: String,
    #[serde(default)]
    pub mode: RetrieveMode,
    #[serde(default = "default_top_k")]
    pub top_k: u32,
    #[serde(default)]
    pub min_score: f64,
    /// Semantic and hybrid modes: who embeds the query and the chunks.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub embed_provider: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub embed_model: String,
}

fn default_top_k() -> u32 {
    4
}

impl Default for RetrieveConfig {
    fn default() -> Self {
        RetrieveConfig {
            query: "{{question}}".to_string(),
            mode: RetrieveMode::Keyword,
            top_k: default_top_k(),
            min_score: 0.0,
            embed_provider: String::new(),
            embed_model: String::new(),
        }
    }
}

impl RetrieveConfig {
    pub fn settings(&self) -> SearchSettings {
        SearchSettings { mode: self.mode, top_k: self.top_k.clamp(1, MAX_TOP_K) as usize, min_score: self.min_score }
    }

    /// The embeddings cache key: provider and model.
    pub fn model_key(&self) -> String {
        format!("{}:{}", self.embed_provider, self.embed_model.trim())
    }
}

impl KindSpec for RetrieveConfig {
    const KIND: &'static str = "retrieve";
    const LABEL: &'static str = "Retrieve";

    fn input_ports(&self) -> Vec<Port> {
        template::variables(&self.query).into_iter().map(Port::text).collect()
    }

    fn output_ports(&self) -> Vec<Port> {
        vec![Port::text(CONTEXT_PORT), Port::text(PASSAGES_PORT)]
    }

    fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        if self.query.trim().is_empty() {
            out.push("The query is empty. Write what to search for, e.g. {{question}}.".to_string());
        } else if let Err(e) = template::parse(&self.query) {
            out.push(format!("The query template has a problem: {e}"));
        }
        if !(1..=MAX_TOP_K).contains(&self.top_k) {
            out.push(format!("Passages to return must be between 1 and {MAX_TOP_K}."));
        }
        if !self.min_score.is_finite() || self.min_score < 0.0 {
            out.push("The minimum score must be zero or more.".to_string());
        }
        if self.mode.needs_embeddings() {
            match EMBEDDING_PROVIDERS.iter().find(|(id, _)| *id == self.embed_provider) {
                None if self.embed_provider == "anthropic" => out.push(
                    "Anthropic has no embeddings endpoint. Pick another provider for embeddings, or search by keywords."
                        .to_string(),
                ),
                None => out.push(format!(
                    "Searching by meaning needs an embeddings provider. Pick one, or search by keywords{}.",
                    if self.embed_provider.is_empty() { String::new() } else { format!(" (\u{201c}{}\u{201d} is not known)", self.embed_provider) }
                )),
                Some(("demo", _)) => {}
                Some(_) if self.embed_model.trim().is_empty() => {
                    out.push("Name the embeddings model (for example text-embedding-3-small).".to_string())
                }
                Some(_) => {}
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ports_come_from_the_query() {
        let c = RetrieveConfig { query: "{{question}} about {{product}}".into(), ..RetrieveConfig::default() };
        assert_eq!(c.input_ports().iter().map(|p| p.name.as_str()).collect::<Vec<_>>(), ["question", "product"]);
        assert_eq!(c.output_ports().iter().map(|p| p.name.as_str()).collect::<Vec<_>>(), ["context", "passages"]);
        assert!(c.problems().is_empty());
    }

    #[test]
    fn problems_say_what_to_fix() {
        let c = RetrieveConfig { query: " ".into(), top_k: 0, ..RetrieveConfig::default() };
        assert_eq!(c.problems().len(), 2);
        let semantic = RetrieveConfig { mode: RetrieveMode::Semantic, ..RetrieveConfig::default() };
        assert!(semantic.problems()[0].contains("needs an embeddings provider"));
        let anthropic = RetrieveConfig { embed_provider: "anthropic".into(), ..semantic.clone() };
        assert!(anthropic.problems()[0].contains("Anthropic has no embeddings endpoint"));
        let no_model = RetrieveConfig { embed_provider: "openai".into(), ..semantic.clone() };
        assert!(no_model.problems()[0].contains("Name the embeddings model"));
        let demo = RetrieveConfig { embed_provider: "demo".into(), ..semantic };
        assert!(demo.problems().is_empty());
        assert_eq!(demo.model_key(), "demo:");
    }
}
