//! The open flow's state that every feature reads: the editor store and history, the session
//! (autosave, flow list), provider settings, and which provider new blocks start on.

pub(crate) mod editor;
pub(crate) mod persist;
pub(crate) mod settings;
pub(crate) mod shared;
pub(crate) mod starting;
pub(crate) mod unreadable;
pub(crate) mod versions_store;
