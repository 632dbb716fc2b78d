//! Retrieval over the user's own documents, in the browser: chunking, tokenising, a BM25
//! index and rank fusion. (The documents store, embeddings search and the Retrieve block are
//! still to come; see the retrieval issue.)

pub mod bm25;
pub mod chunk;
pub mod tokenize;
