//! Showing a flow to others: share links and the app view, feedback, present mode, export as
//! code, and flow files.

pub(crate) mod export_dialog;
pub(crate) mod feedback_ui;
pub(crate) mod files;
mod open_link;
pub(crate) mod present;
pub(crate) mod share_ui;
pub(crate) mod try_it;
mod try_it_answer;
mod try_it_chat;
mod try_it_feedback;
mod try_it_form;
