//! Browser glue: the one place that touches browser APIs directly (storage, clock, events,
//! IndexedDB, media files, the in-browser model's JavaScript), plus the bench hook.

pub(crate) mod bench_hook;
mod fetch;
pub(crate) mod idb;
pub(crate) mod local_model;
pub(crate) mod media;
#[allow(clippy::module_inception)] // the folder is named after its main file
pub mod platform;
pub(crate) mod storage_keys;
mod web_crypto;
