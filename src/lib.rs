//! Chainboard: a browser playground for prototyping AI flows.
//!
//! `domain` is pure Rust (no browser crates, no I/O, no clock) and is tested on the host.
//! `ui` is the thin Leptos layer; it only exists in the wasm build.

pub mod domain;

#[cfg(target_arch = "wasm32")]
pub mod ui;
