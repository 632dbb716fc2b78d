//! The Leptos UI: thin components over the domain. Browser APIs go through `platform`.

mod agent_timeline;
mod app;
mod approve_hosts;
mod block_card;
mod canvas;
mod edge_view;
mod editor;
mod eval_batch;
mod eval_charts;
mod eval_dialog;
mod eval_driver;
mod eval_results;
mod files;
mod flows_menu;
mod gallery;
mod help;
mod inspector;
mod markdown_view;
mod minimap;
mod modal;
mod one_shot;
mod palette;
mod persist;
pub mod platform;
mod present;
mod result_panel;
mod run;
mod settings;
mod settings_dialog;
mod share_ui;
mod template_editor;
mod tool_settings;
mod topbar;
mod transport;
mod versions_ui;

pub use app::App;
