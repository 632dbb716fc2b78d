//! The run state of one block, as the UI shows it.

use std::collections::BTreeMap;

use super::cache::CacheKey;
use super::trace::Trace;
use crate::domain::blocks::router::RouteChoice;
use crate::domain::providers::FinishReason;
use crate::domain::retrieval::search::{Passage, RetrieveMode};
use crate::domain::tools::ToolResult;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub enum BlockStatus {
    /// Not part of this run.
    #[default]
    Idle,
    /// Waiting for upstream blocks, a free connection, or a retry.
    Queued,
    /// A request is in flight.
    Running,
    Done,
    Error,
    /// Served from the cache: no call made.
    Cached,
    /// Stopped by the user or by the budget; any text that streamed is kept.
    Stopped,
    /// Not run because an upstream block failed, its branch was not taken (a Router chose
    /// another route, an Approval was rejected), or because this kind does not run.
    Skipped,
    /// An Approval block holding the run until a person approves, edits or rejects.
    Waiting,
}

impl BlockStatus {
    pub const ALL: [BlockStatus; 9] = [
        BlockStatus::Idle,
        BlockStatus::Queued,
        BlockStatus::Running,
        BlockStatus::Done,
        BlockStatus::Error,
        BlockStatus::Cached,
        BlockStatus::Stopped,
        BlockStatus::Skipped,
        BlockStatus::Waiting,
    ];

    /// True once the block will not change again in this run.
    pub fn is_terminal(self) -> bool {
        matches!(
            self,
            BlockStatus::Done | BlockStatus::Error | BlockStatus::Cached | BlockStatus::Stopped | BlockStatus::Skipped
        )
    }

    /// True when the block's outputs can feed downstream blocks.
    pub fn has_result(self) -> bool {
        matches!(self, BlockStatus::Done | BlockStatus::Cached)
    }

    pub fn label(self) -> &'static str {
        match self {
            BlockStatus::Idle => "idle",
            BlockStatus::Queued => "queued",
            BlockStatus::Running => "running",
            BlockStatus::Done => "done",
            BlockStatus::Error => "error",
            BlockStatus::Cached => "cached",
            BlockStatus::Stopped => "stopped",
            BlockStatus::Skipped => "skipped",
            BlockStatus::Waiting => "waiting",
        }
    }
}

/// Token counts as the provider reported them (the latest totals).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Usage {
    pub input_tokens: Option<u64>,
    pub output_tokens: Option<u64>,
}

impl Usage {
    /// Both counts added; a count stays unknown only when neither side knows it.
    pub fn plus(self, other: Usage) -> Usage {
        let add = |a: Option<u64>, b: Option<u64>| match (a, b) {
            (None, None) => None,
            (a, b) => Some(a.unwrap_or(0).saturating_add(b.unwrap_or(0))),
        };
        Usage {
            input_tokens: add(self.input_tokens, other.input_tokens),
            output_tokens: add(self.output_tokens, other.output_tokens),
        }
    }
}

/// One model call of an agent: what it said and the tools it called.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct AgentStep {
    pub text: String,
    pub calls: Vec<ToolCallRun>,
}

/// One tool call, from the model's arguments to the result sent back.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ToolCallRun {
    /// Numbers the calls of one reply (the stream's index).
    pub index: usize,
    pub id: String,
    pub name: String,
    /// JSON text; grows while it streams.
    pub arguments: String,
    pub signature: Option<String>,
    /// `None` while the tool runs.
    pub result: Option<ToolResult>,
}

/// What a Retrieve block searched for and found.
#[derive(Debug, Clone, PartialEq)]
pub struct RetrievalRun {
    pub query: String,
    pub mode: RetrieveMode,
    /// "provider:model" of the embeddings used (meaning and hybrid modes).
    pub model_key: Option<String>,
    pub passages: Vec<Passage>,
}

/// Everything the UI shows about one block in one run. Times are the `now_ms` values the
/// engine was given.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct BlockRun {
    pub status: BlockStatus,
    /// The main output: a prompt's answer (growing while it streams), an input's first
    /// value, the value an output block shows.
    pub output: Option<String>,
    /// The value on each output port, set once the block has a result.
    pub outputs: BTreeMap<String, String>,
    /// A sentence for the user when the block failed, was skipped or stopped.
    pub error: Option<String>,
    /// The output stopped before the model finished (dropped, timed out, stopped).
    pub incomplete: bool,
    /// Requests sent for this block (1 plus retries).
    pub attempts: u32,
    pub usage: Usage,
    /// Dollars this block cost in this run (0 when cached or free), `None` when the model's
    /// price is unknown.
    pub cost_usd: Option<f64>,
    pub finish: Option<FinishReason>,
    /// The cache key of the block's request, once it is known.
    pub cache_key: Option<CacheKey>,
    /// When a retry is due, while the block waits for it.
    pub retry_at_ms: Option<f64>,
    /// When the block started (first request sent, or resolved).
    pub started_ms: Option<f64>,
    /// When the latest attempt was sent.
    pub sent_ms: Option<f64>,
    pub first_token_ms: Option<f64>,
    pub finished_ms: Option<f64>,
    pub trace: Trace,
    /// For a Prompt with tools: each model call and its tool calls, in order (the last one
    /// may still be streaming). Empty for a plain Prompt.
    pub steps: Vec<AgentStep>,
    /// For a Prompt with tools: the step limit.
    pub max_steps: Option<u32>,
    /// A Retrieve block's query and passages.
    pub retrieval: Option<RetrievalRun>,
    /// For a JSON Schema answer: how it broke the schema (the final answer's, or the first
    /// answer's when a repair fixed it).
    pub schema_errors: Vec<String>,
    /// A repair request was sent after the first answer broke the schema.
    pub repaired: bool,
    /// The text is a sample answer (the no-key provider), not a model's: the UI labels it.
    /// Output blocks showing such text are marked too.
    pub sample: bool,
    /// For a sample answer: which of the block's rules gave it (from 0), `None` when it was
    /// built from the input.
    pub sample_rule: Option<usize>,
    /// Skipped because a Router or an Approval before it sent the value elsewhere (a branch
    /// not taken), not because something failed.
    pub branch_not_taken: bool,
    /// A Router's choice: the route, the rule or the model's reason, and any note.
    pub route: Option<RouteChoice>,
    /// An Approval block's value and what the reviewer decided.
    pub approval: Option<ApprovalRun>,
    /// A Loop block's items and their results.
    pub loop_run: Option<LoopRun>,
}

/// Where an Approval block stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApprovalState {
    /// Waiting for a person.
    Waiting,
    Approved,
    /// Approved after the reviewer changed the text.
    Edited,
    Rejected,
    /// An evaluation run approves every Approval block without asking.
    AutoApproved,
}

impl ApprovalState {
    pub fn label(self) -> &'static str {
        match self {
            ApprovalState::Waiting => "Waiting for approval",
            ApprovalState::Approved => "Approved",
            ApprovalState::Edited => "Edited, then approved",
            ApprovalState::Rejected => "Rejected",
            ApprovalState::AutoApproved => "Approved automatically",
        }
    }
}

/// An Approval block's run: the value it received and the decision.
#[derive(Debug, Clone, PartialEq)]
pub struct ApprovalRun {
    pub state: ApprovalState,
    /// The value as it arrived (before any edit).
    pub received: String,
    /// Why it was rejected, when the reviewer said.
    pub reason: Option<String>,
}

/// What a person decided about a waiting Approval block ([`super::Event::Approval`]).
#[derive(Debug, Clone, PartialEq)]
pub enum ApprovalDecision {
    Approve,
    /// Approve this text instead of the one received.
    Edit {
        text: String,
    },
    /// Stop this branch; `reason` may be empty.
    Reject {
        reason: String,
    },
}

/// One item of a Loop block: what went in, what came out.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ItemRun {
    pub input: String,
    /// Queued (not started), Running, Done, Cached, Error, or Stopped (stop or budget).
    pub status: BlockStatus,
    pub output: Option<String>,
    pub error: Option<String>,
    pub usage: Usage,
    /// `None` when a model's price is unknown.
    pub cost_usd: Option<f64>,
    /// Requests sent for this item (1 plus retries).
    pub attempts: u32,
    /// The result is a sample answer.
    pub sample: bool,
}

/// A Loop block's progress and per-item results.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct LoopRun {
    pub items: Vec<ItemRun>,
    /// A warning for a loop that finished with failures ("3 of 40 failed.").
    pub note: Option<String>,
}

impl LoopRun {
    /// Items that ran to an end (a result or a failure); stopped ones do not count.
    pub fn finished(&self) -> usize {
        self.items
            .iter()
            .filter(|i| matches!(i.status, BlockStatus::Done | BlockStatus::Cached | BlockStatus::Error))
            .count()
    }

    pub fn failed(&self) -> usize {
        self.items.iter().filter(|i| i.status == BlockStatus::Error).count()
    }

    pub fn succeeded(&self) -> usize {
        self.items.iter().filter(|i| i.status.has_result()).count()
    }

    /// "17 of 40".
    pub fn progress(&self) -> String {
        format!("{} of {}", self.finished(), self.items.len())
    }
}

impl BlockRun {
    /// What went into the block, for present mode and recordings: a prompt's rendered user
    /// message, a Retrieve block's query, an approval's input, or the values an input block
    /// hands on.
    pub fn input_text(&self) -> String {
        if let Some(approval) = &self.approval {
            return approval.received.clone();
        }
        if let Some(retrieval) = &self.retrieval {
            return retrieval.query.clone();
        }
        if let Some(chat) = &self.trace.chat {
            // The first turn is what the block asked; an agent's later turns are tool results.
            return chat.messages.first().map(|m| m.text.clone()).unwrap_or_default();
        }
        if self.outputs.len() > 1 {
            return self.outputs.iter().map(|(k, v)| format!("{k}: {v}")).collect::<Vec<_>>().join("\n");
        }
        String::new()
    }

    /// Time to first token of the latest attempt.
    pub fn ttft_ms(&self) -> Option<f64> {
        Some(self.first_token_ms? - self.sent_ms?)
    }

    /// From the first request to the end, retries included.
    pub fn total_ms(&self) -> Option<f64> {
        Some(self.finished_ms? - self.started_ms?)
    }

    /// The value on one output port.
    pub fn port_value(&self, port: &str) -> Option<&str> {
        self.outputs.get(port).map(String::as_str)
    }
}
