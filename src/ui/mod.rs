//! The Leptos UI: thin components over the domain, in one folder per feature. Browser APIs go
//! through `platform`. The folders form layers (docs/ARCHITECTURE.md, "UI layers"; checked by
//! tests/ui_layers.rs): a folder imports its own layer or lower ones only, and no folders form a circle.

mod canvas;
mod chat;
mod evals;
mod inspector;
mod knowledge;
pub mod platform;
mod run;
mod settings;
mod share;
mod shell;
mod state;
mod widgets;

pub use shell::app::App;
