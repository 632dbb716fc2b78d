//! Conversations with the flow: the Chat panel beside the canvas (it saves a conversation as a
//! test case, so it sits above evals), and the session and views it shares with a shared
//! link's app view.

pub(crate) mod chat_panel;
pub(crate) mod chat_session;
