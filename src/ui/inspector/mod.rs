//! The side panel with the selected block's settings (one file per block kind or section)
//! and its last run.

pub(crate) mod agent_timeline;
pub(crate) mod control_settings;
pub(crate) mod explain_view;
pub(crate) mod get_code;
#[allow(clippy::module_inception)] // the folder is named after its main file
pub(crate) mod inspector;
pub(crate) mod loop_settings;
pub(crate) mod media_value;
pub(crate) mod prompt_messages;
mod prompt_settings;
pub(crate) mod result_panel;
pub(crate) mod retrieve_settings;
mod router_rule;
pub(crate) mod sample_answers;
mod tool_actions;
pub(crate) mod tool_settings;
pub(crate) mod transcribe_settings;
mod transform_settings;
