//! The Chat panel beside the canvas (it saves a conversation as a test case, so it sits above
//! evals).

pub(crate) mod chat_panel;
