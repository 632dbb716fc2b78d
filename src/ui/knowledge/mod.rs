//! The flow's knowledge base: its store (loaded from IndexedDB) and the Knowledge dialog.

#[allow(clippy::module_inception)] // the folder is named after its main file
pub(crate) mod knowledge;
pub(crate) mod knowledge_dialog;
pub(crate) mod passage_list;
