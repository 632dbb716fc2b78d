//! A flow's knowledge base: its documents, their chunks, the BM25 index over them and the
//! embeddings computed so far (per model, per chunk text). The whole value is what the
//! browser stores, so reopening a flow does not chunk or index again.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

use super::bm25::{Bm25Index, Bm25Params};
use super::chunk::{chunk, Chunk, ChunkOptions};
use super::documents::DocFormat;
use super::tokenize::TokenizerOptions;
use crate::domain::util::format::human_size;
use crate::domain::util::hash::fnv1a64;

/// Bumped when the stored shape changes; an older value is rebuilt from its documents.
pub const KNOWLEDGE_VERSION: u32 = 1;

/// Share links carry documents only up to this many bytes in total (the user ticks a box).
pub const SHARE_DOCUMENTS_LIMIT: usize = 20_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct KnowledgeOptions {
    pub chunk: ChunkOptions,
    pub tokenizer: TokenizerOptions,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Document {
    pub id: String,
    pub name: String,
    pub format: DocFormat,
    /// Size of the file as added (the text may be smaller, e.g. for a PDF).
    pub bytes: usize,
    pub text: String,
    pub added_ms: f64,
}

impl Document {
    /// A document of `text` (its size is the text's; added at time 0 unless set).
    pub fn new(id: impl Into<String>, name: impl Into<String>, format: DocFormat, text: impl Into<String>) -> Document {
        let text = text.into();
        Document { id: id.into(), name: name.into(), format, bytes: text.len(), text, added_ms: 0.0 }
    }

    pub fn size_label(&self) -> String {
        human_size(self.bytes as u64)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KbChunk {
    pub doc: String,
    /// 1-based position within its document.
    pub number: usize,
    pub chunk: Chunk,
    /// Identifies the text for the embeddings cache.
    pub hash: u64,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct KnowledgeBase {
    pub version: u32,
    pub options: KnowledgeOptions,
    pub documents: Vec<Document>,
    pub chunks: Vec<KbChunk>,
    pub index: Bm25Index,
    /// "provider:model" → chunk hash → vector.
    pub embeddings: BTreeMap<String, HashMap<u64, Vec<f32>>>,
}

/// The text a chunk is indexed and embedded as: its heading, then its text.
fn indexed_text(c: &Chunk) -> String {
    match &c.heading {
        Some(h) => format!("{h}\n{}", c.text),
        None => c.text.clone(),
    }
}

impl KnowledgeBase {
    pub fn new(options: KnowledgeOptions) -> Self {
        let mut kb = KnowledgeBase { version: KNOWLEDGE_VERSION, options, ..Default::default() };
        kb.rebuild();
        kb
    }

    /// Reads a stored knowledge base; an older or damaged index is rebuilt from the documents.
    /// One saved by a newer Chainboard is refused (rebuilding it here would drop what this
    /// version does not know, and the next save would write that over the newer record).
    pub fn from_json(json: &str) -> Result<KnowledgeBase, String> {
        let mut kb: KnowledgeBase =
            serde_json::from_str(json).map_err(|e| format!("The saved knowledge base could not be read ({e})."))?;
        if kb.version > KNOWLEDGE_VERSION {
            return Err(format!(
                "The saved knowledge base was saved by a newer Chainboard (version {}; this app reads up to version \
                 {KNOWLEDGE_VERSION}).",
                kb.version
            ));
        }
        if kb.version != KNOWLEDGE_VERSION || kb.index.len() != kb.chunks.len() {
            kb.version = KNOWLEDGE_VERSION;
            kb.rebuild();
        }
        Ok(kb)
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    pub fn is_empty(&self) -> bool {
        self.documents.is_empty()
    }

    pub fn total_bytes(&self) -> usize {
        self.documents.iter().map(|d| d.bytes).sum()
    }

    pub fn document(&self, id: &str) -> Option<&Document> {
        self.documents.iter().find(|d| d.id == id)
    }

    pub fn chunks_of<'a>(&'a self, doc: &'a str) -> impl Iterator<Item = &'a KbChunk> + 'a {
        self.chunks.iter().filter(move |c| c.doc == doc)
    }

    /// Adds a document, replacing one of the same name (adding a file again updates it).
    pub fn add(&mut self, doc: Document) {
        match self.documents.iter_mut().find(|d| d.name == doc.name) {
            Some(existing) => *existing = Document { id: existing.id.clone(), ..doc },
            None => self.documents.push(doc),
        }
        self.rebuild();
    }

    pub fn remove(&mut self, id: &str) {
        self.documents.retain(|d| d.id != id);
        self.rebuild();
    }

    pub fn set_options(&mut self, options: KnowledgeOptions) {
        if options != self.options {
            self.options = options;
            self.rebuild();
        }
    }

    /// Chunks every document and indexes the chunks again; keeps the embeddings of chunk
    /// texts that still exist.
    pub fn rebuild(&mut self) {
        let mut chunks = Vec::new();
        let mut index = Bm25Index::new(Bm25Params::default(), self.options.tokenizer);
        for doc in &self.documents {
            for (i, c) in chunk(&doc.text, self.options.chunk).into_iter().enumerate() {
                let text = indexed_text(&c);
                index.add(&text);
                chunks.push(KbChunk { doc: doc.id.clone(), number: i + 1, hash: fnv1a64(text.as_bytes()), chunk: c });
            }
        }
        let live: std::collections::HashSet<u64> = chunks.iter().map(|c| c.hash).collect();
        for vectors in self.embeddings.values_mut() {
            vectors.retain(|h, _| live.contains(h));
        }
        self.embeddings.retain(|_, v| !v.is_empty());
        self.chunks = chunks;
        self.index = index;
    }

    /// Chunks without a vector for `model_key`, as (hash, text to embed); each text once.
    pub fn missing_embeddings(&self, model_key: &str) -> Vec<(u64, String)> {
        let have = self.embeddings.get(model_key);
        let mut seen = std::collections::HashSet::new();
        self.chunks
            .iter()
            .filter(|c| !have.is_some_and(|h| h.contains_key(&c.hash)) && seen.insert(c.hash))
            .map(|c| (c.hash, indexed_text(&c.chunk)))
            .collect()
    }

    pub fn add_embeddings(&mut self, model_key: &str, vectors: impl IntoIterator<Item = (u64, Vec<f32>)>) {
        let entry = self.embeddings.entry(model_key.to_string()).or_default();
        entry.extend(vectors);
    }

    /// The text a chunk is embedded as (heading and text).
    pub fn embed_text(c: &KbChunk) -> String {
        indexed_text(&c.chunk)
    }

    /// Only the documents (for exports and share links): chunks, index and vectors are
    /// rebuilt or recomputed by whoever opens them.
    pub fn portable(&self) -> PortableKnowledge {
        PortableKnowledge { options: self.options, documents: self.documents.clone() }
    }

    pub fn from_portable(p: PortableKnowledge) -> KnowledgeBase {
        let mut kb = KnowledgeBase {
            version: KNOWLEDGE_VERSION,
            options: p.options,
            documents: p.documents,
            ..Default::default()
        };
        kb.rebuild();
        kb
    }

    /// Documents small enough to travel in a share link, or why not.
    pub fn shareable(&self) -> Result<PortableKnowledge, String> {
        let bytes: usize = self.documents.iter().map(|d| d.text.len()).sum();
        if bytes > SHARE_DOCUMENTS_LIMIT {
            return Err(format!(
                "The documents hold {} of text; links carry up to {}. Export the flow as a file to include them.",
                human_size(bytes as u64),
                human_size(SHARE_DOCUMENTS_LIMIT as u64)
            ));
        }
        Ok(self.portable())
    }
}

/// The documents of a knowledge base as exports and share links carry them.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct PortableKnowledge {
    #[serde(default)]
    pub options: KnowledgeOptions,
    #[serde(default)]
    pub documents: Vec<Document>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(id: &str, name: &str, text: &str) -> Document {
        Document::new(id, name, DocFormat::Markdown, text)
    }

    #[test]
    fn adding_replacing_and_removing_documents_reindexes() {
        let mut kb = KnowledgeBase::new(KnowledgeOptions::default());
        kb.add(doc("d1", "policy.md", "# Refunds\n\nRefunds take 14 days."));
        kb.add(doc("d2", "faq.md", "Shipping is free over 50 euros."));
        assert_eq!(kb.chunks.len(), 2);
        assert_eq!(kb.index.len(), 2);
        assert_eq!(kb.index.search("refund", 1)[0].chunk, 0);
        // Same name: replaced in place, id kept.
        kb.add(doc("d3", "policy.md", "Refunds take 30 days."));
        assert_eq!(kb.documents.len(), 2);
        assert_eq!(kb.documents[0].id, "d1");
        assert!(kb.chunks[0].chunk.text.contains("30 days"));
        kb.remove("d1");
        assert_eq!(kb.chunks.len(), 1);
        assert!(kb.index.search("refund", 1).is_empty());
    }

    #[test]
    fn the_stored_form_round_trips_and_an_old_one_is_rebuilt() {
        let mut kb = KnowledgeBase::new(KnowledgeOptions::default());
        kb.add(doc("d1", "policy.md", "# Refunds\n\nRefunds take 14 days."));
        let key = "openai:text-embedding-3-small";
        let missing = kb.missing_embeddings(key);
        assert_eq!(missing.len(), 1);
        assert_eq!(missing[0].1, "Refunds\nRefunds take 14 days.");
        kb.add_embeddings(key, [(missing[0].0, vec![0.5, 0.5])]);
        assert!(kb.missing_embeddings(key).is_empty());
        let back = KnowledgeBase::from_json(&kb.to_json()).unwrap();
        assert_eq!(back, kb);
        let mut old: serde_json::Value = serde_json::from_str(&kb.to_json()).unwrap();
        old["version"] = 0.into();
        old["chunks"] = serde_json::json!([]);
        let rebuilt = KnowledgeBase::from_json(&old.to_string()).unwrap();
        assert_eq!(rebuilt.chunks, kb.chunks);
        assert!(KnowledgeBase::from_json("{not json").is_err());
        old["version"] = (KNOWLEDGE_VERSION + 1).into();
        let newer = KnowledgeBase::from_json(&old.to_string()).unwrap_err();
        assert!(newer.contains("saved by a newer Chainboard"), "{newer}");
        // Changing the chunking drops vectors of texts that no longer exist.
        kb.set_options(KnowledgeOptions { chunk: ChunkOptions { target_chars: 60, overlap_chars: 10 }, ..kb.options });
        kb.add(doc("d2", "more.md", &"Another sentence about returns. ".repeat(10)));
        assert!(kb.chunks.len() > 2);
        assert_eq!(kb.embeddings.get(key).map(HashMap::len), Some(1));
        kb.remove("d1");
        assert!(!kb.embeddings.contains_key(key));
    }

    #[test]
    fn only_small_documents_go_into_links() {
        let mut kb = KnowledgeBase::new(KnowledgeOptions::default());
        kb.add(doc("d1", "a.md", "short"));
        assert_eq!(kb.shareable().map(|p| p.documents.len()), Ok(1));
        kb.add(doc("d2", "b.md", &"x".repeat(SHARE_DOCUMENTS_LIMIT)));
        assert!(kb.shareable().unwrap_err().contains("Export the flow as a file"));
        let copy = KnowledgeBase::from_portable(kb.portable());
        assert_eq!(copy.chunks, kb.chunks);
    }
}
