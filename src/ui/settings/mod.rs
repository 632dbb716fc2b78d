//! The Settings dialog and the in-browser model's picker and status.

pub(crate) mod local_model_ui;
pub(crate) mod settings_dialog;
