//! The run engine: runs a flow's blocks in dependency order, sans-IO.
//!
//! The engine never performs I/O and has no clock. The browser layer drives it:
//!
//! 1. [`Engine::start`] plans the run (and refuses a flow that cannot run);
//! 2. [`Engine::poll`] and [`Engine::on_event`] return [`Command`]s: `Send` a request,
//!    `Cancel` one, or call `poll` again at a time (`WakeAt`, for retries and timeouts);
//! 3. the browser layer performs them and reports back [`Event`]s (sent, chunk, done,
//!    HTTP error, network error, aborted), always with the current time;
//! 4. [`Engine::take_changed`] says which blocks to redraw; [`Engine::block`] has their state.
//!
//! Every block moves `Queued → (Running →) Done | Error | Cached | Stopped | Skipped`.
//! See docs/engine.md for the retry, timeout, budget and cache rules.

mod agent;
mod cache;
mod control;
mod estimate;
mod events;
mod fetch;
mod loop_run;
mod machine;
mod media;
mod moderation;
mod node;
mod plan;
mod preflight;
pub mod redaction;
mod request;
mod retrieve;
mod retry;
mod routes;
mod schedule;
mod state;
mod structured;
mod subflow;
mod trace;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::sync::Arc;

pub use agent::step_limit_message;
pub use cache::{canonical_request_json, request_key, CacheKey, CachedOutput, RunCache, MAX_CACHE_ENTRIES};
pub use estimate::{estimate, Estimate};
pub use events::DROPPED_MESSAGE;
pub use fetch::{BatchCall, Fetch, FetchEnd, ProviderCall};
pub use machine::Machine;
pub use preflight::{browser_models, missing_keys, preflight, subflow_id, Blocker, PreflightView};
pub(crate) use request::build_chat;
pub use request::{estimate_tokens, format_usd, DEFAULT_OUTPUT_TOKENS};
pub use retrieve::EMBED_BATCH;
pub use retry::{backoff_ms, retry_delay_ms, BASE_BACKOFF_MS, MAX_RETRY_AFTER_MS};
pub(crate) use routes::Routes;
pub use state::{
    AgentStep, ApprovalDecision, ApprovalRun, ApprovalState, BlockRun, BlockStatus, ItemRun, LoopRun, RetrievalRun,
    ToolCallRun, Usage,
};
pub use structured::{repair_message, structured_errors};
pub use trace::{Trace, RAW_LIMIT_BYTES, RAW_TRUNCATED_NOTE};

use crate::domain::conversation::Conversation;
use crate::domain::flow::{BlockId, Flow};
use crate::domain::media::MediaLibrary;
use crate::domain::pricing::PriceTable;
use crate::domain::providers::{ChatRequest, HttpRequest, ProviderKind};
use crate::domain::retrieval::knowledge::KnowledgeBase;
use crate::domain::validate::Problem;
use node::{InFlight, Node, Phase, ToolInFlight};
use retrieve::EmbedInFlight;

/// Numbers one request (one attempt of one block) within a run.
pub type RequestId = u64;

/// How a run behaves. `Default` gives the documented defaults.
#[derive(Debug, Clone, PartialEq)]
pub struct EngineConfig {
    /// Requests in flight at once per provider; the rest wait as Queued. At least 1.
    pub concurrency_per_provider: usize,
    /// Retries after the first attempt for 429, 5xx, 529 and network failures.
    pub max_retries: u32,
    /// A request that receives nothing for this long is cancelled.
    pub timeout_ms: f64,
    /// No call starts that would take the run's spending past this.
    pub budget_usd: Option<f64>,
    /// The cap on exponential backoff (a provider's `retry-after` may ask for more, up to 60 s).
    pub max_backoff_ms: f64,
    /// Serve blocks inside the scope from the cache when their request is unchanged. Blocks
    /// upstream of a `Block`/`From` scope always use the cache; the named block never does.
    pub use_cache: bool,
    pub prices: PriceTable,
    /// Hosts (`host[:port]`) the user allowed this flow's HTTP tools to call. A tool call to
    /// any other host is refused and the model is told why.
    pub approved_hosts: BTreeSet<String>,
    /// Flows that sub-flow tools may run, by workspace id (the browser layer loads them).
    pub subflows: BTreeMap<String, Flow>,
    /// How deep this run is nested inside sub-flow tools (0 for a run the user started).
    pub depth: u32,
    /// The flow's knowledge base, for Retrieve blocks (shared, not copied, per run).
    pub knowledge: Option<Arc<KnowledgeBase>>,
    /// The images and audio the flow's values and test cases refer to (shared, per run).
    pub media: Option<Arc<MediaLibrary>>,
    /// Replace personal data with placeholders in what goes to a provider over the network,
    /// and put the originals back into Prompt answers (see `redaction`).
    pub redact_personal_data: bool,
    /// Approval blocks pass their value on at once instead of waiting for a person (evaluation
    /// runs and sub-flow tools, where nobody is there to decide).
    pub auto_approve: bool,
    /// A Chat panel turn (or a multi-turn eval case): the user's message for the chat Input
    /// value, and the earlier turns that conversational Prompts are sent.
    pub conversation: Option<Conversation>,
}

impl Default for EngineConfig {
    fn default() -> Self {
        EngineConfig {
            concurrency_per_provider: 4,
            max_retries: 3,
            timeout_ms: 120_000.0,
            budget_usd: None,
            max_backoff_ms: 8_000.0,
            use_cache: false,
            prices: PriceTable::builtin(),
            approved_hosts: BTreeSet::new(),
            subflows: BTreeMap::new(),
            depth: 0,
            knowledge: None,
            media: None,
            redact_personal_data: false,
            auto_approve: false,
            conversation: None,
        }
    }
}

impl EngineConfig {
    /// Replaces values that would break scheduling (zero concurrency, NaN times).
    pub(crate) fn sanitized(mut self) -> Self {
        let d = EngineConfig::default();
        self.concurrency_per_provider = self.concurrency_per_provider.max(1);
        if !(self.timeout_ms.is_finite() && self.timeout_ms > 0.0) {
            self.timeout_ms = d.timeout_ms;
        }
        if !(self.max_backoff_ms.is_finite() && self.max_backoff_ms >= 0.0) {
            self.max_backoff_ms = d.max_backoff_ms;
        }
        if self.budget_usd.is_some_and(|b| !b.is_finite() || b < 0.0) {
            self.budget_usd = None;
        }
        self
    }
}

/// What to run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RunScope {
    /// Every block.
    All,
    /// This block only; what it needs upstream comes from the cache (or runs if not cached).
    Block(BlockId),
    /// This block and everything downstream of it; upstream as for `Block`.
    From(BlockId),
}

/// What the engine asks the browser layer to do.
// `Send` carries the whole request; commands are few and handled one at a time, so boxing
// it would only add noise for the caller.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    /// Perform this request. The browser layer adds the user's key and base URL with
    /// `providers::build_chat_request`, reports [`Event::Sent`] with the redacted request,
    /// then streams the response body back as [`Event::Chunk`]s.
    Send { request: RequestId, block: BlockId, provider: ProviderKind, chat: ChatRequest },
    /// Abort this request. Reporting [`Event::Aborted`] afterwards is fine, not required.
    Cancel { request: RequestId },
    /// Perform a tool's HTTP request (no key is added: it goes out as it is) and report
    /// [`Event::ToolResponse`] with the whole body, or [`Event::ToolFailed`].
    CallTool { request: RequestId, block: BlockId, http: HttpRequest },
    /// Embed `inputs` with `provider`/`model` (the browser layer adds the key) and report the
    /// reply as [`Event::ToolResponse`] or [`Event::ToolFailed`]. Made by eval runs for
    /// similarity checks, never by a flow's engine.
    Embed { request: RequestId, provider: ProviderKind, model: String, inputs: Vec<String> },
    /// Ask OpenAI's moderation endpoint about `input` (a Router's moderation rule). The
    /// browser layer builds the request with `providers::build_moderation_request` and the
    /// OpenAI key, reports [`Event::Sent`] with the redacted request, then the whole reply as
    /// [`Event::ToolResponse`] (2xx), [`Event::HttpError`] (so `Retry-After` is kept),
    /// [`Event::NetworkError`] or [`Event::Aborted`].
    Moderate { request: RequestId, block: BlockId, input: String },
    /// Make a provider call outside a flow (a [`Fetch`]: the connection test, a batch job's
    /// requests, a query embedding). The browser layer builds it with the person's settings,
    /// reports [`Event::Sent`] with the redacted request, then the whole reply as
    /// [`Event::ToolResponse`] (2xx), [`Event::HttpError`], [`Event::NetworkError`] or
    /// [`Event::Aborted`]. Never made by a flow's engine.
    Call { request: RequestId, provider: ProviderKind, call: ProviderCall },
    /// Call [`Engine::poll`] at (or after) this time. Keeping only the latest timer is
    /// enough: after each wake-up the engine asks again for the next one.
    WakeAt { at_ms: f64 },
}

/// What happened to a request.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    Sent {
        request: RequestId,
        redacted: HttpRequest,
    },
    /// Response body bytes of a 2xx response, as they arrive.
    Chunk {
        request: RequestId,
        bytes: Vec<u8>,
    },
    /// The body ended normally (the connection closed).
    Done {
        request: RequestId,
    },
    /// A non-2xx response. `retry_after` is the `Retry-After` header when readable.
    HttpError {
        request: RequestId,
        status: u16,
        body: String,
        retry_after: Option<String>,
    },
    /// The fetch failed, or the connection dropped mid-stream.
    NetworkError {
        request: RequestId,
        message: String,
    },
    /// The request was aborted (normally after a `Cancel`).
    Aborted {
        request: RequestId,
    },
    /// A non-streamed response (a tool's HTTP request, embeddings), any status.
    ToolResponse {
        request: RequestId,
        status: u16,
        body: String,
    },
    /// A tool's HTTP request failed before a response (network, CORS).
    ToolFailed {
        request: RequestId,
        message: String,
    },
    /// A person decided about a waiting Approval block (the UI's Approve / Edit / Reject).
    /// It belongs to no request. Ignored unless `block` is waiting.
    Approval {
        block: BlockId,
        decision: ApprovalDecision,
    },
}

impl Event {
    pub fn request(&self) -> RequestId {
        match self {
            Event::Sent { request, .. }
            | Event::Chunk { request, .. }
            | Event::Done { request }
            | Event::HttpError { request, .. }
            | Event::NetworkError { request, .. }
            | Event::Aborted { request }
            | Event::ToolResponse { request, .. }
            | Event::ToolFailed { request, .. } => *request,
            // Request ids start at 1: 0 names no request, so no route or child claims it.
            Event::Approval { .. } => 0,
        }
    }

    /// The same event for another request id (a sub-flow's own numbering).
    pub(crate) fn with_request(mut self, id: RequestId) -> Event {
        match &mut self {
            Event::Sent { request, .. }
            | Event::Chunk { request, .. }
            | Event::Done { request }
            | Event::HttpError { request, .. }
            | Event::NetworkError { request, .. }
            | Event::Aborted { request }
            | Event::ToolResponse { request, .. }
            | Event::ToolFailed { request, .. } => *request = id,
            Event::Approval { .. } => {}
        }
        self
    }
}

/// Why a run could not start.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum StartError {
    #[error("There is no block \u{201c}{0}\u{201d} in this flow.")]
    UnknownBlock(BlockId),
    /// Problems (from `validate`) in the blocks the run needs.
    #[error("{}", invalid_message(problems))]
    Invalid { problems: Vec<Problem> },
}

fn invalid_message(problems: &[Problem]) -> String {
    match problems {
        [] => "This flow cannot run: its blocks form a loop.".to_string(),
        [one] => format!("This flow cannot run yet. {}", one.message),
        [first, rest @ ..] => format!(
            "This flow cannot run yet. {} (and {} more problem{})",
            first.message,
            rest.len(),
            if rest.len() == 1 { "" } else { "s" }
        ),
    }
}

impl StartError {
    /// Every problem as a sentence.
    pub fn messages(&self) -> Vec<String> {
        match self {
            StartError::UnknownBlock(_) => vec![self.to_string()],
            StartError::Invalid { problems } if problems.is_empty() => vec![self.to_string()],
            StartError::Invalid { problems } => problems.iter().map(|p| p.message.clone()).collect(),
        }
    }
}

/// Totals for the run header.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RunSummary {
    /// Blocks per status (only statuses that occur).
    pub counts: BTreeMap<BlockStatus, usize>,
    /// Requests sent, retries included.
    pub calls: usize,
    /// Dollars spent in this run.
    pub cost_usd: f64,
    /// False when some call's price is unknown, so `cost_usd` is a lower bound.
    pub cost_complete: bool,
    /// Tokens of calls made in this run (cached blocks not counted).
    pub input_tokens: u64,
    pub output_tokens: u64,
    pub elapsed_ms: f64,
    pub finished: bool,
}

impl RunSummary {
    pub fn count(&self, status: BlockStatus) -> usize {
        self.counts.get(&status).copied().unwrap_or(0)
    }
}

/// Why the run stopped starting new calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Halt {
    Budget,
    Stopped,
}

/// Block ids changed since the UI last asked, in first-change order.
#[derive(Debug, Default)]
struct Changed {
    list: Vec<BlockId>,
    set: BTreeSet<BlockId>,
}

impl Changed {
    fn mark(&mut self, id: &BlockId) {
        if self.set.insert(id.clone()) {
            self.list.push(id.clone());
        }
    }
}

/// One run of a flow (or part of it).
pub struct Engine {
    config: EngineConfig,
    order: Vec<BlockId>,
    nodes: BTreeMap<BlockId, Node>,
    requests: BTreeMap<RequestId, InFlight>,
    tool_requests: BTreeMap<RequestId, ToolInFlight>,
    embed_requests: BTreeMap<RequestId, EmbedInFlight>,
    moderation_requests: BTreeMap<RequestId, moderation::ModerationInFlight>,
    /// Commands made while resolving blocks, handed out by the next scheduling pass.
    pending_commands: Vec<Command>,
    /// Vectors fetched in this run, for the browser layer to store.
    new_embeddings: BTreeMap<String, Vec<(u64, Vec<f32>)>>,
    /// Sub-flows running for tool calls, and which of their requests each of ours stands for.
    children: BTreeMap<u64, subflow::Child>,
    routes: routes::Routes,
    subflow_flows: subflow::SubflowFlows,
    next_request: RequestId,
    cache: RunCache,
    /// Outputs to store in the cache, and cache entries used (to keep them fresh).
    fresh: Vec<(CacheKey, CachedOutput)>,
    hits: Vec<CacheKey>,
    spent_usd: f64,
    cost_unknown: bool,
    calls: usize,
    halt: Option<Halt>,
    changed: Changed,
    started_ms: f64,
    last_now: f64,
    finished_ms: Option<f64>,
    /// The earliest `WakeAt` handed out that has not passed yet.
    wake_pending: Option<f64>,
    /// Placeholders for the personal data this run redacted.
    redactor: crate::domain::privacy::Redactor,
}

impl fmt::Debug for Engine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let statuses: Vec<(&str, &str)> =
            self.order.iter().filter_map(|id| Some((id.as_str(), self.nodes.get(id)?.run.status.label()))).collect();
        f.debug_struct("Engine")
            .field("blocks", &statuses)
            .field("in_flight", &self.requests.keys().collect::<Vec<_>>())
            .field("spent_usd", &self.spent_usd)
            .field("halt", &self.halt)
            .finish()
    }
}

impl Engine {
    /// Plans a run. Call [`Engine::poll`] right after to get the first commands.
    pub fn start(
        flow: &Flow,
        scope: RunScope,
        cache: &RunCache,
        config: EngineConfig,
        now_ms: f64,
    ) -> Result<Engine, StartError> {
        // A chat message replaces the chat Input's value for this run only.
        let with_message =
            config.conversation.as_ref().and_then(|c| crate::domain::conversation::with_message(flow, c));
        let flow = with_message.as_ref().unwrap_or(flow);
        let plan = plan::plan(flow, &scope)?;
        let now = if now_ms.is_finite() { now_ms } else { 0.0 };
        let mut changed = Changed::default();
        let mut nodes = BTreeMap::new();
        for id in &plan.order {
            if let Some(p) = plan.nodes.get(id) {
                nodes.insert(id.clone(), Node::new(p.clone(), now));
                changed.mark(id);
            }
        }
        Ok(Engine {
            config: config.sanitized(),
            order: plan.order,
            nodes,
            requests: BTreeMap::new(),
            tool_requests: BTreeMap::new(),
            embed_requests: BTreeMap::new(),
            moderation_requests: BTreeMap::new(),
            pending_commands: Vec::new(),
            new_embeddings: BTreeMap::new(),
            children: BTreeMap::new(),
            routes: routes::Routes::default(),
            subflow_flows: BTreeMap::new(),
            next_request: 1,
            cache: cache.clone(),
            fresh: Vec::new(),
            hits: Vec::new(),
            spent_usd: 0.0,
            cost_unknown: false,
            calls: 0,
            halt: None,
            changed,
            started_ms: now,
            last_now: now,
            finished_ms: None,
            wake_pending: None,
            redactor: Default::default(),
        })
    }

    /// Advances the run: resolves blocks whose inputs are ready, sends what may be sent,
    /// times out stuck requests, starts due retries.
    pub fn poll(&mut self, now_ms: f64) -> Vec<Command> {
        let now = self.clock(now_ms);
        let mut out = Vec::new();
        self.poll_children(now, &mut out);
        self.step(now, &mut out);
        out
    }

    /// Takes in what happened to a request. Events for unknown, finished or cancelled
    /// requests are ignored. Returns follow-up commands (as `poll` would).
    pub fn on_event(&mut self, event: Event, now_ms: f64) -> Vec<Command> {
        let now = self.clock(now_ms);
        let mut out = Vec::new();
        if let Event::Approval { block, decision } = event {
            self.decide(&block, decision, now);
            self.step(now, &mut out);
            return out;
        }
        // A chunk or a "sent" that leaves its request in flight changes no block's phase,
        // so the scheduling pass can wait for the next event or wake-up.
        if self.routes.contains(event.request()) {
            self.route_event(event, now, &mut out);
            self.step(now, &mut out);
            return out;
        }
        let quiet = matches!(event, Event::Chunk { .. } | Event::Sent { .. });
        let request = event.request();
        self.handle(event, now, &mut out);
        if quiet && self.requests.contains_key(&request) {
            return out;
        }
        self.step(now, &mut out);
        out
    }

    /// Stops the run: cancels every request in flight (keeping the text streamed so far)
    /// and marks everything not finished as Stopped.
    pub fn stop(&mut self, now_ms: f64) -> Vec<Command> {
        let now = self.clock(now_ms);
        let mut out = Vec::new();
        self.stop_all(now, &mut out);
        out
    }

    pub fn block(&self, id: &BlockId) -> Option<&BlockRun> {
        self.nodes.get(id).map(|n| &n.run)
    }

    /// The blocks of this run in dependency order, with their state.
    pub fn blocks(&self) -> impl Iterator<Item = (&BlockId, &BlockRun)> + '_ {
        self.order.iter().filter_map(|id| Some((id, &self.nodes.get(id)?.run)))
    }

    /// The block a request belongs to, while it is in flight.
    pub fn request_block(&self, request: RequestId) -> Option<&BlockId> {
        self.requests
            .get(&request)
            .map(|r| &r.block)
            .or_else(|| self.tool_requests.get(&request).map(|r| &r.block))
            .or_else(|| self.embed_requests.get(&request).map(|r| &r.block))
            .or_else(|| self.moderation_requests.get(&request).map(|r| &r.block))
    }

    pub fn in_flight(&self) -> usize {
        self.requests.len() + self.tool_requests.len() + self.embed_requests.len() + self.moderation_requests.len()
    }

    pub fn config(&self) -> &EngineConfig {
        &self.config
    }

    /// Blocks whose [`BlockRun`] changed since the last call, so the UI redraws only those.
    pub fn take_changed(&mut self) -> Vec<BlockId> {
        self.changed.set.clear();
        std::mem::take(&mut self.changed.list)
    }

    /// True when nothing is in flight or waiting: every block has its final status.
    pub fn is_finished(&self) -> bool {
        self.requests.is_empty()
            && self.tool_requests.is_empty()
            && self.embed_requests.is_empty()
            && self.moderation_requests.is_empty()
            && self.nodes.values().all(|n| matches!(n.phase, Phase::Finished))
    }

    pub fn summary(&self) -> RunSummary {
        let mut s = RunSummary {
            calls: self.calls,
            cost_usd: self.spent_usd,
            cost_complete: !self.cost_unknown,
            finished: self.is_finished(),
            elapsed_ms: (self.finished_ms.unwrap_or(self.last_now) - self.started_ms).max(0.0),
            ..RunSummary::default()
        };
        for node in self.nodes.values() {
            *s.counts.entry(node.run.status).or_insert(0) += 1;
            if node.run.status != BlockStatus::Cached {
                s.input_tokens += node.run.usage.input_tokens.unwrap_or(0);
                s.output_tokens += node.run.usage.output_tokens.unwrap_or(0);
            }
        }
        s
    }

    /// Stores this run's finished model outputs in `cache` (and refreshes the entries it
    /// used). Incomplete, failed and demo outputs are never stored.
    pub fn write_cache(&self, cache: &mut RunCache) {
        for key in &self.hits {
            cache.touch(*key);
        }
        for (key, value) in &self.fresh {
            cache.insert(*key, value.clone());
        }
    }

    /// Dollars spent so far, calls in flight not included.
    pub fn spent_usd(&self) -> f64 {
        self.spent_usd
    }

    fn clock(&mut self, now_ms: f64) -> f64 {
        if now_ms.is_finite() {
            self.last_now = now_ms;
        }
        self.last_now
    }
}
