//! Retrieve blocks: searching the flow's knowledge base. Keyword search finishes at once;
//! meaning search first embeds the chunks that have no vector for the chosen model yet (and
//! the query), through `Command::Embed`, or locally for the Demo provider. Vectors fetched
//! from a provider are kept for the browser layer to store (`take_new_embeddings`).

use std::collections::BTreeMap;
use std::sync::Arc;

use super::node::Phase;
use super::state::{BlockStatus, RetrievalRun};
use super::{Command, Engine};
use crate::domain::blocks::retrieve::{CONTEXT_PORT, PASSAGES_PORT};
use crate::domain::blocks::RetrieveConfig;
use crate::domain::flow::BlockId;
use crate::domain::providers::{classify_http_error, parse_embeddings, ProviderKind};
use crate::domain::retrieval::knowledge::KnowledgeBase;
use crate::domain::retrieval::search::{context_text, demo_embedding, fill_demo_embeddings, search};
use crate::domain::template;

/// Texts per embeddings request (Gemini's batch endpoint takes at most 100).
pub const EMBED_BATCH: usize = 96;

pub(super) const EMPTY_KNOWLEDGE: &str =
    "This flow's knowledge base has no documents yet. Open Knowledge, add files or text, then run again.";

/// A Retrieve block waiting for embeddings.
#[derive(Debug, Clone)]
pub(super) struct RetrieveJob {
    pub(super) config: RetrieveConfig,
    pub(super) query: String,
    pub(super) query_vector: Option<Vec<f32>>,
    /// Embeddings requests not answered yet.
    pub(super) pending: usize,
}

/// One embeddings request in flight: which chunk hash each input is (`None`: the query).
pub(super) struct EmbedInFlight {
    pub(super) block: BlockId,
    pub(super) provider: ProviderKind,
    pub(super) items: Vec<Option<u64>>,
    pub(super) deadline: f64,
}

impl Engine {
    /// Starts a Retrieve block whose inputs are ready.
    pub(super) fn resolve_retrieve(
        &mut self,
        id: &BlockId,
        config: RetrieveConfig,
        values: &BTreeMap<String, String>,
        now: f64,
    ) {
        let query = template::render(&config.query, |n| values.get(n).map(String::as_str));
        let Some(node) = self.nodes.get_mut(id) else { return };
        let query = match query {
            Ok(q) if !q.trim().is_empty() => q,
            Ok(_) => {
                let msg = "The query is empty for this run: its inputs have no text.".to_string();
                return node.finish(BlockStatus::Error, Some(msg), now);
            }
            Err(e) => return node.finish(BlockStatus::Error, Some(e.to_string()), now),
        };
        node.run.retrieval =
            Some(RetrievalRun { query: query.clone(), mode: config.mode, model_key: None, passages: Vec::new() });
        let empty = self.config.knowledge.as_ref().is_none_or(|kb| kb.is_empty());
        if empty {
            return node.finish(BlockStatus::Error, Some(EMPTY_KNOWLEDGE.to_string()), now);
        }
        if !config.mode.needs_embeddings() {
            return self.finish_retrieve(id, &config, &query, None, now);
        }
        let Some(provider) = ProviderKind::from_id(&config.embed_provider) else {
            let msg = format!("Unknown embeddings provider \u{201c}{}\u{201d}.", config.embed_provider);
            return node.finish(BlockStatus::Error, Some(msg), now);
        };
        let key = config.model_key();
        if provider == ProviderKind::Demo {
            // Word-hash vectors: computed here, never stored (they are cheap to make again).
            if let Some(kb) = self.config.knowledge.as_mut() {
                fill_demo_embeddings(Arc::make_mut(kb), &key);
            }
            let q = demo_embedding(&query);
            return self.finish_retrieve(id, &config, &query, Some(q), now);
        }
        let missing = self.config.knowledge.as_ref().map(|kb| kb.missing_embeddings(&key)).unwrap_or_default();
        // The query first, then the chunks without a vector, in batches.
        let mut inputs: Vec<(Option<u64>, String)> = vec![(None, query.clone())];
        inputs.extend(missing.into_iter().map(|(h, t)| (Some(h), t)));
        let batches: Vec<Vec<(Option<u64>, String)>> = inputs.chunks(EMBED_BATCH).map(<[_]>::to_vec).collect();
        node.phase = Phase::Embedding;
        node.run.status = BlockStatus::Running;
        node.run.sent_ms = Some(now);
        node.retrieve = Some(RetrieveJob { config: config.clone(), query, query_vector: None, pending: batches.len() });
        let deadline = now + self.config.timeout_ms;
        for batch in batches {
            let request = self.next_request;
            self.next_request += 1;
            let (items, texts): (Vec<Option<u64>>, Vec<String>) = batch.into_iter().unzip();
            self.embed_requests.insert(request, EmbedInFlight { block: id.clone(), provider, items, deadline });
            self.pending_commands.push(Command::Embed {
                request,
                provider,
                model: config.embed_model.trim().to_string(),
                inputs: texts,
            });
        }
    }

    /// An embeddings reply (any status).
    pub(super) fn on_embeddings(&mut self, request: u64, status: u16, body: &str, now: f64) {
        let Some(r) = self.embed_requests.remove(&request) else { return };
        let result = if (200..300).contains(&status) {
            parse_embeddings(r.provider, body).map_err(|e| e.to_string()).and_then(|vectors| {
                if vectors.len() == r.items.len() {
                    Ok(vectors)
                } else {
                    Err(format!("{} vectors came back for {} texts.", vectors.len(), r.items.len()))
                }
            })
        } else {
            Err(classify_http_error(r.provider, status, body, None).to_string())
        };
        match result {
            Ok(vectors) => self.embedded(&r, vectors, now),
            Err(message) => self.embed_failed(&r.block, r.provider, &message, now),
        }
    }

    pub(super) fn on_embeddings_failed(&mut self, request: u64, message: &str, now: f64) {
        let Some(r) = self.embed_requests.remove(&request) else { return };
        let message = format!("{}. Is the server running and reachable from this page?", message.trim_end_matches('.'));
        self.embed_failed(&r.block, r.provider, &message, now);
    }

    fn embedded(&mut self, r: &EmbedInFlight, vectors: Vec<Vec<f32>>, now: f64) {
        let Some(job) = self.nodes.get_mut(&r.block).and_then(|n| n.retrieve.as_mut()) else { return };
        let mut fresh = Vec::new();
        for (item, vector) in r.items.iter().zip(vectors) {
            match item {
                None => job.query_vector = Some(vector),
                Some(hash) => fresh.push((*hash, vector)),
            }
        }
        job.pending = job.pending.saturating_sub(1);
        let key = job.config.model_key();
        let finished = (job.pending == 0).then(|| job.clone());
        if let Some(kb) = self.config.knowledge.as_mut() {
            Arc::make_mut(kb).add_embeddings(&key, fresh.iter().cloned());
        }
        self.new_embeddings.entry(key).or_default().extend(fresh);
        self.changed.mark(&r.block);
        if let Some(job) = finished {
            if let Some(node) = self.nodes.get_mut(&r.block) {
                node.retrieve = None;
            }
            self.finish_retrieve(&r.block, &job.config, &job.query, job.query_vector, now);
        }
    }

    fn embed_failed(&mut self, block: &BlockId, provider: ProviderKind, message: &str, now: f64) {
        // The other batches of this block are no longer needed.
        let others: Vec<u64> =
            self.embed_requests.iter().filter(|(_, r)| &r.block == block).map(|(id, _)| *id).collect();
        for id in others {
            self.embed_requests.remove(&id);
            self.pending_commands.push(Command::Cancel { request: id });
        }
        if let Some(node) = self.nodes.get_mut(block) {
            if node.run.status.is_terminal() {
                return;
            }
            node.retrieve = None;
            let msg = format!(
                "Embedding with {} failed: {} Search by keywords instead, or check the embeddings settings.",
                provider.label(),
                message.trim()
            );
            node.finish(BlockStatus::Error, Some(msg), now);
            self.changed.mark(block);
        }
    }

    fn finish_retrieve(
        &mut self,
        id: &BlockId,
        config: &RetrieveConfig,
        query: &str,
        query_vector: Option<Vec<f32>>,
        now: f64,
    ) {
        let key = config.model_key();
        let passages = match self.config.knowledge.as_deref() {
            Some(kb) => search(kb, query, config.settings(), &key, query_vector.as_deref()),
            None => Vec::new(),
        };
        let Some(node) = self.nodes.get_mut(id) else { return };
        let context = context_text(&passages);
        let json = serde_json::to_string(&passages_json(&passages)).unwrap_or_default();
        node.run.output = Some(context.clone());
        node.run.outputs = BTreeMap::from([(CONTEXT_PORT.to_string(), context), (PASSAGES_PORT.to_string(), json)]);
        node.run.retrieval = Some(RetrievalRun {
            query: query.to_string(),
            mode: config.mode,
            model_key: config.mode.needs_embeddings().then_some(key),
            passages,
        });
        node.finish(BlockStatus::Done, None, now);
        self.changed.mark(id);
    }

    /// Vectors fetched from providers in this run, by "provider:model", for the browser
    /// layer to add to the stored knowledge base.
    pub fn take_new_embeddings(&mut self) -> BTreeMap<String, Vec<(u64, Vec<f32>)>> {
        std::mem::take(&mut self.new_embeddings)
    }

    /// The knowledge base a Retrieve block searched (with this run's vectors).
    pub fn knowledge(&self) -> Option<&KnowledgeBase> {
        self.config.knowledge.as_deref()
    }
}

/// The JSON a `passages` port carries: what a downstream block may need, no internals.
fn passages_json(passages: &[crate::domain::retrieval::search::Passage]) -> serde_json::Value {
    serde_json::Value::Array(
        passages
            .iter()
            .map(|p| {
                serde_json::json!({
                    "number": p.number,
                    "source": p.source,
                    "heading": p.heading,
                    "text": p.text,
                    "score": (p.score * 1000.0).round() / 1000.0,
                })
            })
            .collect(),
    )
}
