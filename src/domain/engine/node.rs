//! The engine's private bookkeeping per block and per request.

use super::plan::{NodeKind, PlanNode};
use super::state::{BlockRun, BlockStatus, Usage};
use super::trace::RawCapture;
use crate::domain::blocks::ToolConfig;
use crate::domain::flow::BlockId;
use crate::domain::providers::{ProviderKind, StreamParser};

/// Where a block is in the run's state machine.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Phase {
    /// Waiting for upstream blocks.
    Waiting,
    /// Request built; to be sent at or after `not_before` when a slot is free.
    Ready {
        not_before: f64,
    },
    InFlight(super::RequestId),
    /// An agent waiting for its tools' HTTP calls.
    Tools,
    /// A Retrieve block waiting for embeddings.
    Embedding,
    /// A Router whose moderation request is to be sent at or after `not_before`.
    Moderate {
        not_before: f64,
    },
    /// A Router waiting for OpenAI's moderation reply.
    Moderating(super::RequestId),
    /// An Approval block waiting for a person's decision.
    Awaiting,
    /// A Loop block running its items.
    Looping,
    Finished,
}

pub(super) struct Node {
    pub(super) plan: PlanNode,
    pub(super) phase: Phase,
    pub(super) run: BlockRun,
    pub(super) provider: Option<ProviderKind>,
    /// Estimated cost of the call in flight, counted against the budget until it settles.
    pub(super) reserved_usd: f64,
    /// For a skipped block: the title of the failed block that caused it.
    pub(super) skip_root: Option<String>,
    /// For a block skipped because its branch was not taken: the sentence, passed on to the
    /// blocks after it.
    pub(super) not_taken: Option<String>,
    /// A Router (model mode) or Approval block: the value it received, passed on once the
    /// route or the decision is known.
    pub(super) held_value: Option<String>,
    /// The tools connected to a Prompt; non-empty makes it an agent.
    pub(super) tools: Vec<ToolConfig>,
    /// Tokens of the block's finished requests (an agent makes several).
    pub(super) usage_done: Usage,
    /// The agent's last step is still being answered (a retry reuses it).
    pub(super) step_open: bool,
    /// A Retrieve block's search, while embeddings are fetched.
    pub(super) retrieve: Option<super::retrieve::RetrieveJob>,
    /// A Prompt on sample answers: its input values (for the rules' `{{variables}}`).
    pub(super) sample_values: std::collections::BTreeMap<String, String>,
    /// A Loop block's work while it runs.
    pub(super) looping: Option<super::loop_run::LoopJob>,
}

impl Node {
    pub(super) fn new(plan: PlanNode, now: f64) -> Node {
        let mut run = BlockRun { status: BlockStatus::Queued, ..BlockRun::default() };
        let mut phase = Phase::Waiting;
        if let NodeKind::Inert(reason) = &plan.kind {
            run.status = BlockStatus::Skipped;
            run.error = Some(reason.clone());
            run.finished_ms = Some(now);
            phase = Phase::Finished;
        }
        Node {
            plan,
            phase,
            run,
            provider: None,
            reserved_usd: 0.0,
            skip_root: None,
            not_taken: None,
            held_value: None,
            tools: Vec::new(),
            usage_done: Usage::default(),
            step_open: false,
            retrieve: None,
            sample_values: Default::default(),
            looping: None,
        }
    }

    pub(super) fn is_agent(&self) -> bool {
        !self.tools.is_empty()
    }

    /// Starts the agent's next step, or restarts the open one for a retry.
    pub(super) fn open_step(&mut self) {
        if self.step_open {
            if let Some(step) = self.run.steps.last_mut() {
                *step = Default::default();
            }
        } else {
            self.run.steps.push(Default::default());
            self.step_open = true;
        }
        self.run.output = None;
    }

    /// True when the block's output has any text.
    pub(super) fn has_text(&self) -> bool {
        self.run.output.as_deref().is_some_and(|t| !t.is_empty())
    }

    /// Ends the block with `status` and an optional sentence.
    pub(super) fn finish(&mut self, status: BlockStatus, error: Option<String>, now: f64) {
        self.run.status = status;
        self.run.error = error;
        self.run.retry_at_ms = None;
        self.run.finished_ms = Some(now);
        self.phase = Phase::Finished;
        self.reserved_usd = 0.0;
    }
}

/// One request in flight.
pub(super) struct InFlight {
    pub(super) block: BlockId,
    pub(super) provider: ProviderKind,
    pub(super) parser: Box<dyn StreamParser>,
    /// Cancelled with a timeout error when nothing arrives before this.
    pub(super) deadline: f64,
    pub(super) got_bytes: bool,
    pub(super) raw: RawCapture,
}

/// One tool HTTP request in flight.
pub(super) struct ToolInFlight {
    pub(super) block: BlockId,
    /// Which call of the block's last step it answers.
    pub(super) call: usize,
    pub(super) json_path: String,
    pub(super) host: String,
    pub(super) deadline: f64,
}
