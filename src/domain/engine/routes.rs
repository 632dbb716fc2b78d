//! Running child engines under one command stream (sub-flow tools, eval runs): a child's
//! requests go out under the parent's request ids, and events for those ids go back to the
//! child with its own numbering.

use std::collections::BTreeMap;

use super::{Command, RequestId};
use crate::domain::flow::BlockId;

#[derive(Debug, Default)]
pub(crate) struct Routes {
    /// our request id → (child key, the child's request id)
    map: BTreeMap<RequestId, (u64, RequestId)>,
}

impl Routes {
    /// The child and its request id that `ours` stands for.
    pub(crate) fn target(&self, ours: RequestId) -> Option<(u64, RequestId)> {
        self.map.get(&ours).copied()
    }

    pub(crate) fn contains(&self, ours: RequestId) -> bool {
        self.map.contains_key(&ours)
    }

    /// Our id for a child's request.
    pub(crate) fn ours(&self, child: u64, request: RequestId) -> Option<RequestId> {
        self.map.iter().find(|(_, r)| **r == (child, request)).map(|(o, _)| *o)
    }

    /// Forgets a child's requests (it finished).
    pub(crate) fn forget(&mut self, child: u64) {
        self.map.retain(|_, (k, _)| *k != child);
    }

    pub(crate) fn clear(&mut self) {
        self.map.clear();
    }

    fn route(&mut self, child: u64, request: RequestId, next: &mut RequestId) -> RequestId {
        let ours = *next;
        *next = next.saturating_add(1);
        self.map.insert(ours, (child, request));
        ours
    }

    /// Rewrites a child's commands under our ids (taken from `next`). `block`, when given,
    /// replaces the block a request is attributed to (a sub-flow's requests belong to the
    /// agent block that called it).
    pub(crate) fn adopt(
        &mut self,
        child: u64,
        commands: Vec<Command>,
        block: Option<&BlockId>,
        next: &mut RequestId,
        out: &mut Vec<Command>,
    ) {
        for command in commands {
            match command {
                Command::Send { request, block: b, provider, chat } => {
                    let request = self.route(child, request, next);
                    out.push(Command::Send { request, block: block.cloned().unwrap_or(b), provider, chat });
                }
                Command::CallTool { request, block: b, http } => {
                    let request = self.route(child, request, next);
                    out.push(Command::CallTool { request, block: block.cloned().unwrap_or(b), http });
                }
                Command::Embed { request, provider, model, inputs } => {
                    let request = self.route(child, request, next);
                    out.push(Command::Embed { request, provider, model, inputs });
                }
                Command::Moderate { request, block: b, input } => {
                    let request = self.route(child, request, next);
                    out.push(Command::Moderate { request, block: block.cloned().unwrap_or(b), input });
                }
                Command::Call { request, provider, call } => {
                    let request = self.route(child, request, next);
                    out.push(Command::Call { request, provider, call });
                }
                Command::Cancel { request } => {
                    if let Some(ours) = self.ours(child, request) {
                        self.map.remove(&ours);
                        out.push(Command::Cancel { request: ours });
                    }
                }
                Command::WakeAt { at_ms } => out.push(Command::WakeAt { at_ms }),
            }
        }
    }
}
