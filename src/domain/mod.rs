//! The pure core of Chainboard: no browser crates, no I/O, no clock, no randomness.
//! See docs/ARCHITECTURE.md for the codemap and invariants.

pub mod auto_layout;
pub mod blocks;
pub mod change;
pub mod clipboard;
pub mod engine;
pub mod evals;
pub mod examples;
pub mod export_code;
pub mod flow;
pub mod flow_file;
pub mod graph;
pub mod json_schema;
pub mod json_view;
pub mod layout;
pub mod markdown;
pub mod media;
pub mod pricing;
pub mod privacy;
pub mod providers;
pub mod recording;
pub mod retrieval;
pub mod sample;
pub mod share;
pub mod template;
pub mod templates;
pub mod time;
pub mod tools;
pub mod utf8;
pub mod util;
pub mod validate;
pub mod versions;
pub mod workspace;
