//! Retrieval over the user's own documents, in the browser: reading files into text
//! (documents, pdf), chunking, tokenising, a BM25 index, the knowledge base a flow keeps,
//! and searching it by keywords, meaning or both with numbered citations.

pub mod bm25;
pub mod chunk;
pub mod documents;
pub mod knowledge;
pub mod pdf;
pub mod search;
pub mod tokenize;
