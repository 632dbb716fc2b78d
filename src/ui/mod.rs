//! The Leptos UI: thin components over the domain. Browser APIs go through `platform`.

mod app;
mod block_card;
mod canvas;
mod edge_view;
mod editor;
mod inspector;
mod palette;
pub mod platform;
mod topbar;

pub use app::App;
