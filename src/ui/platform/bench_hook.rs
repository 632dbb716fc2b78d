//! One function exported to JavaScript for `make bench`: builds a BM25 index over the given
//! texts and answers queries with it, timing both inside the page, so the benchmark measures
//! the same code a Retrieve block runs (next to minisearch in the same page).

use crate::domain::retrieval::bm25::{Bm25Index, Bm25Params};
use crate::domain::retrieval::chunk::ChunkOptions;
use crate::domain::retrieval::documents::DocFormat;
use crate::domain::retrieval::knowledge::{Document, KnowledgeBase, KnowledgeOptions};
use crate::domain::retrieval::tokenize::TokenizerOptions;
use wasm_bindgen::prelude::wasm_bindgen;

/// `docs_json` and `queries_json` are JSON arrays of strings. Resolves to JSON with the index
/// build time, the knowledge-base build time (chunking too), each query's time and top-`k`
/// document numbers. Malformed input gives `{"error": …}`. The retrieval code it measures
/// loads with the documents feature, so the export waits for that module.
#[wasm_bindgen]
pub async fn bench_retrieval(docs_json: String, queries_json: String, k: u32) -> String {
    measure(docs_json, queries_json, k)
        .await
        .unwrap_or_else(|_| r#"{"error":"the documents module did not load"}"#.to_string())
}

#[leptos::wasm_split::wasm_split(documents, fallible, wasm_split_path = ::leptos::wasm_split)]
fn measure(docs_json: String, queries_json: String, k: u32) -> Result<String, leptos::wasm_split::SplitLoaderError> {
    Ok(measure_now(&docs_json, &queries_json, k))
}

fn measure_now(docs_json: &str, queries_json: &str, k: u32) -> String {
    let (Ok(docs), Ok(queries)) =
        (serde_json::from_str::<Vec<String>>(docs_json), serde_json::from_str::<Vec<String>>(queries_json))
    else {
        return r#"{"error":"expected two JSON arrays of strings"}"#.to_string();
    };
    let now = super::platform::now_precise_ms;
    let plain = TokenizerOptions { stop_words: false, stemming: false };
    let t0 = now();
    let mut index = Bm25Index::new(Bm25Params::default(), plain);
    for d in &docs {
        index.add(d);
    }
    let index_ms = now() - t0;
    let mut query_ms = Vec::with_capacity(queries.len());
    let mut top = Vec::with_capacity(queries.len());
    for q in &queries {
        let t = now();
        let hits = index.search(q, k as usize);
        query_ms.push(now() - t);
        top.push(hits.into_iter().map(|h| h.chunk).collect::<Vec<_>>());
    }
    // The whole path a user's files take: chunking plus indexing with the default options.
    let t1 = now();
    let mut kb = KnowledgeBase::new(KnowledgeOptions { chunk: ChunkOptions::default(), tokenizer: plain });
    kb.documents = docs
        .into_iter()
        .enumerate()
        .map(|(i, text)| Document::new(format!("d{i}"), format!("doc {i}"), DocFormat::Text, text))
        .collect();
    kb.rebuild();
    let kb_ms = now() - t1;
    let t2 = now();
    let stored = kb.to_json();
    let restored = KnowledgeBase::from_json(&stored).map(|kb| kb.chunks.len()).unwrap_or(0);
    let reload_ms = now() - t2;
    serde_json::json!({
        "index_ms": index_ms,
        "query_ms": query_ms,
        "top": top,
        "kb_ms": kb_ms,
        "chunks": kb.chunks.len(),
        "stored_bytes": stored.len(),
        "reload_ms": reload_ms,
        "restored_chunks": restored,
    })
    .to_string()
}
