//! An eval run, sans-IO: every case × repetition × variant is one run of the flow (a child
//! [`Engine`]), at most `concurrency` at a time; model-graded checks run a small judge flow
//! the same way. The browser layer sees one stream of commands, as for a single run.
//!
//! Provider failures are retried inside each run (the engine's retry rules); a run that
//! still fails is recorded as an error, kept apart from check failures.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::cases::TestCase;
use super::checks::{evaluate, grade_reply, similarity_result, Check, CheckKind, CheckResult, Evaluation};
use crate::domain::blocks::{BlockConfig, InputConfig, InputValue, OutputConfig, PromptConfig};
use crate::domain::engine::{Command, Engine, EngineConfig, Event, RequestId, Routes, RunCache, RunScope};
use crate::domain::flow::{Block, BlockId, Edge, EdgeId, Flow, Point, PortRef};
use crate::domain::providers::ProviderKind;
use crate::domain::template::literal;

/// One way of running the flow: the base flow, or one Prompt block changed.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Variant {
    pub name: String,
    /// The id of the Prompt block changed; `None` changes every Prompt block.
    #[serde(default)]
    pub block: Option<String>,
    #[serde(default)]
    pub provider: Option<String>,
    #[serde(default)]
    pub model: Option<String>,
    #[serde(default)]
    pub temperature: Option<f64>,
    /// Replaces the user template.
    #[serde(default)]
    pub user: Option<String>,
    #[serde(default)]
    pub system: Option<String>,
}

impl Variant {
    pub fn base(name: &str) -> Variant {
        Variant { name: name.to_string(), ..Variant::default() }
    }

    pub(crate) fn apply(&self, flow: &mut Flow) {
        for block in &mut flow.blocks {
            if self.block.as_ref().is_some_and(|b| b != block.id.as_str()) {
                continue;
            }
            if let BlockConfig::Prompt(p) = &mut block.config {
                if let Some(v) = &self.provider {
                    p.provider.clone_from(v);
                }
                if let Some(v) = &self.model {
                    p.model.clone_from(v);
                }
                if let Some(v) = self.temperature {
                    p.temperature = Some(v);
                }
                if let Some(v) = &self.user {
                    p.user.clone_from(v);
                }
                if let Some(v) = &self.system {
                    p.system.clone_from(v);
                }
            }
        }
    }
}

/// What to evaluate.
#[derive(Debug, Clone, PartialEq)]
pub struct EvalSpec {
    pub flow: Flow,
    /// The block whose output the checks read (an Output or a Prompt block).
    pub target: BlockId,
    pub cases: Vec<TestCase>,
    pub checks: Vec<Check>,
    pub variants: Vec<Variant>,
    pub repetitions: u32,
    /// Runs of the flow in flight at once.
    pub concurrency: usize,
    /// No new run starts once this much is spent.
    pub budget_usd: Option<f64>,
}

/// One run of one case with one variant.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JobResult {
    pub variant: usize,
    pub case: usize,
    pub rep: u32,
    pub output: Option<String>,
    /// The flow itself failed (provider error, timeout): not a check failure.
    pub error: Option<String>,
    /// One per check, in order (empty when `error` is set).
    pub checks: Vec<CheckResult>,
    pub latency_ms: f64,
    pub input_tokens: u64,
    pub output_tokens: u64,
    pub cost_usd: f64,
    /// The route each Router of the flow took, and why (guardrail decisions).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub routes: Vec<super::routes::RouteTaken>,
}

impl JobResult {
    /// Passed every check (`None` when the run failed or no check could be evaluated).
    pub fn passed(&self) -> Option<bool> {
        if self.error.is_some() {
            return None;
        }
        let outcomes: Vec<bool> = self.checks.iter().filter_map(CheckResult::passed).collect();
        if outcomes.is_empty() {
            return None;
        }
        Some(outcomes.iter().all(|p| *p))
    }
}

type JobKey = (usize, usize, u32);

enum Task {
    /// A run of the flow for a case.
    Flow { key: JobKey },
    /// A judge grading one check of a finished run.
    Judge { key: JobKey, check: usize, pass_score: u8 },
}

struct Child {
    engine: Box<Engine>,
    task: Task,
    started_ms: f64,
}

/// Results of a run waiting for their judges.
struct Pending {
    result: JobResult,
    judges_left: usize,
}

pub struct EvalRun {
    spec: EvalSpec,
    config: EngineConfig,
    queue: Vec<JobKey>,
    children: BTreeMap<u64, Child>,
    routes: Routes,
    next_id: u64,
    pending: BTreeMap<JobKey, Pending>,
    /// Similarity checks waiting for embeddings: request → (run, check, threshold, provider).
    embeds: BTreeMap<RequestId, (JobKey, usize, f64, ProviderKind)>,
    results: BTreeMap<JobKey, JobResult>,
    spent_usd: f64,
    stopped: Option<String>,
}

const JUDGE_PROMPT: &str = "judge";

/// An internal three-block flow around one Prompt (an unused Input, the Prompt, an Output),
/// for judges and case generation. Callers pass templates already made literal.
pub(crate) fn prompt_flow(prompt_id: &str, config: PromptConfig) -> Flow {
    let (input_id, output_id) = (format!("{prompt_id}-input"), format!("{prompt_id}-output"));
    let origin = Point::new(0.0, 0.0);
    let unused = InputConfig { values: vec![InputValue { name: "unused".into(), value: String::new(), media: None }] };
    Flow {
        blocks: vec![
            Block::new(BlockId::new(input_id), "Unused", origin, BlockConfig::Input(unused)),
            Block::new(BlockId::new(prompt_id), prompt_id, origin, BlockConfig::Prompt(config)),
            Block::new(BlockId::new(output_id.clone()), "Answer", origin, BlockConfig::Output(OutputConfig {})),
        ],
        edges: vec![Edge {
            id: EdgeId::new(format!("{prompt_id}-e")),
            from: PortRef::new(BlockId::new(prompt_id), "text"),
            to: PortRef::new(BlockId::new(output_id), "value"),
        }],
        ..Flow::default()
    }
}

/// A flow that asks `provider`/`model` to grade with the fixed judge prompt.
fn judge_flow(system: &str, user: &str, provider: &str, model: &str) -> Flow {
    prompt_flow(
        JUDGE_PROMPT,
        PromptConfig {
            provider: provider.to_string(),
            model: model.to_string(),
            temperature: Some(0.0),
            system: literal(system),
            user: literal(user),
            ..PromptConfig::default()
        },
    )
}

/// The flow for one case: Input values named like the case's columns get its values.
pub fn case_flow(base: &Flow, case: &TestCase, variant: &Variant) -> Flow {
    let mut flow = base.clone();
    for block in &mut flow.blocks {
        if let BlockConfig::Input(input) = &mut block.config {
            for v in &mut input.values {
                if let Some(value) = case.inputs.get(&v.name) {
                    v.value.clone_from(value);
                }
            }
        }
    }
    variant.apply(&mut flow);
    flow
}

/// The engine settings for one case: a multi-turn case sends its history to the flow's
/// conversational Prompts (its inputs already hold the new turn).
fn case_config(base: &EngineConfig, case: &TestCase) -> EngineConfig {
    if case.history.is_empty() {
        return base.clone();
    }
    let conversation =
        crate::domain::conversation::Conversation { turns: case.history.clone(), message: None, input: None };
    EngineConfig { conversation: Some(conversation), ..base.clone() }
}

fn inputs_text(case: &TestCase) -> String {
    case.inputs.iter().map(|(k, v)| format!("{k}: {v}")).collect::<Vec<_>>().join("\n")
}

/// Why an eval stopped when the person pressed Stop.
pub const STOPPED_BY_YOU: &str = "Stopped by you.";

/// The run loop drives an eval like a flow run; Stop is the person's.
impl crate::domain::engine::Machine for EvalRun {
    fn poll(&mut self, now_ms: f64) -> Vec<Command> {
        EvalRun::poll(self, now_ms)
    }

    fn on_event(&mut self, event: Event, now_ms: f64) -> Vec<Command> {
        EvalRun::on_event(self, event, now_ms)
    }

    fn stop(&mut self, now_ms: f64) -> Vec<Command> {
        EvalRun::stop(self, now_ms, STOPPED_BY_YOU)
    }

    fn is_finished(&self) -> bool {
        EvalRun::is_finished(self)
    }
}

impl EvalRun {
    /// Plans the runs, skipping those already in `done` (resume after a stop).
    pub fn start(spec: EvalSpec, config: EngineConfig, done: Vec<JobResult>) -> EvalRun {
        let done: BTreeMap<JobKey, JobResult> = done.into_iter().map(|r| ((r.variant, r.case, r.rep), r)).collect();
        let mut queue = Vec::new();
        // Repetition-major order: every case gets a first answer before any gets a second,
        // so a stopped run still covers the cases evenly.
        for rep in 0..spec.repetitions.max(1) {
            for case in 0..spec.cases.len() {
                for variant in 0..spec.variants.len().max(1) {
                    let key = (variant, case, rep);
                    if !done.contains_key(&key) {
                        queue.push(key);
                    }
                }
            }
        }
        queue.reverse();
        let config = EngineConfig { use_cache: false, auto_approve: true, ..config };
        EvalRun {
            spec,
            config,
            queue,
            children: BTreeMap::new(),
            routes: Routes::default(),
            next_id: 1,
            pending: BTreeMap::new(),
            embeds: BTreeMap::new(),
            results: done,
            spent_usd: 0.0,
            stopped: None,
        }
    }

    /// An eval whose answers already exist (a finished provider batch job): only the checks
    /// run, model-graded and similarity ones through the returned commands.
    pub fn from_answers(
        spec: EvalSpec,
        config: EngineConfig,
        answers: Vec<super::batch::BatchAnswer>,
        now: f64,
    ) -> (EvalRun, Vec<Command>) {
        let mut run = EvalRun::start(spec, config, Vec::new());
        run.queue.clear();
        let mut out = Vec::new();
        for a in answers {
            let mut result = run.empty_result(a.key, None, 0.0);
            result.input_tokens = a.input_tokens;
            result.output_tokens = a.output_tokens;
            match a.output {
                Ok(text) => result.output = Some(text),
                Err(e) => result.error = Some(e),
            }
            run.check_result(a.key, result, now, &mut out);
        }
        (run, out)
    }

    pub fn total(&self) -> usize {
        self.spec.cases.len() * self.spec.variants.len().max(1) * self.spec.repetitions.max(1) as usize
    }

    pub fn completed(&self) -> usize {
        self.results.len()
    }

    pub fn results(&self) -> Vec<JobResult> {
        self.results.values().cloned().collect()
    }

    pub fn spec(&self) -> &EvalSpec {
        &self.spec
    }

    pub fn spent_usd(&self) -> f64 {
        self.spent_usd
    }

    /// Why the run stopped early (the user, the budget), if it did.
    pub fn stopped(&self) -> Option<&str> {
        self.stopped.as_deref()
    }

    pub fn is_finished(&self) -> bool {
        self.children.is_empty()
            && self.embeds.is_empty()
            && (self.queue.is_empty() || self.stopped.is_some())
            && self.pending.is_empty()
    }

    pub fn poll(&mut self, now: f64) -> Vec<Command> {
        let mut out = Vec::new();
        let keys: Vec<u64> = self.children.keys().copied().collect();
        for key in keys {
            let commands = self.children.get_mut(&key).map(|c| c.engine.poll(now)).unwrap_or_default();
            self.adopt(key, commands, now, &mut out);
        }
        self.fill(now, &mut out);
        out
    }

    pub fn on_event(&mut self, event: Event, now: f64) -> Vec<Command> {
        let mut out = Vec::new();
        if let Some((key, check, min, provider)) = self.embeds.remove(&event.request()) {
            let result = match &event {
                Event::ToolResponse { status, body, .. } if (200..300).contains(status) => {
                    match crate::domain::providers::parse_embeddings(provider, body) {
                        Ok(vectors) => similarity_result(&vectors, min),
                        Err(e) => CheckResult::Error { message: e.to_string() },
                    }
                }
                Event::ToolResponse { status, body, .. } => CheckResult::Error {
                    message: crate::domain::providers::classify_http_error(provider, *status, body, None).to_string(),
                },
                Event::ToolFailed { message, .. } => {
                    CheckResult::Error { message: format!("The embeddings request failed: {message}") }
                }
                _ => {
                    // Not the reply yet (a "sent" notice); keep waiting.
                    self.embeds.insert(event.request(), (key, check, min, provider));
                    return out;
                }
            };
            self.check_done(key, check, result);
            self.fill(now, &mut out);
            return out;
        }
        if let Some((key, child_request)) = self.routes.target(event.request()) {
            let commands = self
                .children
                .get_mut(&key)
                .map(|c| c.engine.on_event(event.with_request(child_request), now))
                .unwrap_or_default();
            self.adopt(key, commands, now, &mut out);
        }
        self.fill(now, &mut out);
        out
    }

    /// Stops starting runs and cancels those in flight; finished results are kept, and
    /// [`EvalRun::start`] with them resumes.
    pub fn stop(&mut self, now: f64, why: &str) -> Vec<Command> {
        let mut out = Vec::new();
        self.stopped = Some(why.to_string());
        let keys: Vec<u64> = self.children.keys().copied().collect();
        for key in keys {
            let commands = self.children.get_mut(&key).map(|c| c.engine.stop(now)).unwrap_or_default();
            for c in commands {
                if let Command::Cancel { request } = c {
                    if let Some(ours) = self.routes.ours(key, request) {
                        out.push(Command::Cancel { request: ours });
                    }
                }
            }
        }
        for request in std::mem::take(&mut self.embeds).into_keys() {
            out.push(Command::Cancel { request });
        }
        self.children.clear();
        self.routes.clear();
        self.pending.clear();
        out
    }

    /// Starts runs until `concurrency` are in flight.
    fn fill(&mut self, now: f64, out: &mut Vec<Command>) {
        while self.stopped.is_none() && self.children.len() < self.spec.concurrency.max(1) {
            if let Some(budget) = self.spec.budget_usd {
                if self.spent_usd >= budget {
                    self.stopped = Some(format!("The budget of ${budget:.2} is used up."));
                    break;
                }
            }
            let Some(key) = self.queue.pop() else { break };
            let (variant, case_index, _) = key;
            let (Some(case), Some(v)) = (self.spec.cases.get(case_index), self.spec.variants.get(variant)) else {
                continue;
            };
            let flow = case_flow(&self.spec.flow, case, v);
            match Engine::start(&flow, RunScope::All, &RunCache::new(), case_config(&self.config, case), now) {
                Ok(engine) => self.spawn(engine, Task::Flow { key }, now, out),
                Err(e) => {
                    let result = self.empty_result(key, Some(format!("The flow cannot run: {e}")), 0.0);
                    self.results.insert(key, result);
                }
            }
        }
    }

    fn spawn(&mut self, engine: Engine, task: Task, now: f64, out: &mut Vec<Command>) {
        let id = self.next_id;
        self.next_id += 1;
        self.children.insert(id, Child { engine: Box::new(engine), task, started_ms: now });
        let commands = self.children.get_mut(&id).map(|c| c.engine.poll(now)).unwrap_or_default();
        self.adopt(id, commands, now, out);
    }

    fn adopt(&mut self, key: u64, commands: Vec<Command>, now: f64, out: &mut Vec<Command>) {
        self.routes.adopt(key, commands, None, &mut self.next_id, out);
        if self.children.get(&key).is_some_and(|c| c.engine.is_finished()) {
            self.finish(key, now, out);
        }
    }

    fn empty_result(&self, key: JobKey, error: Option<String>, latency_ms: f64) -> JobResult {
        JobResult {
            variant: key.0,
            case: key.1,
            rep: key.2,
            output: None,
            error,
            checks: Vec::new(),
            latency_ms,
            input_tokens: 0,
            output_tokens: 0,
            cost_usd: 0.0,
            routes: Vec::new(),
        }
    }

    fn finish(&mut self, id: u64, now: f64, out: &mut Vec<Command>) {
        let Some(child) = self.children.remove(&id) else { return };
        self.routes.forget(id);
        self.spent_usd += child.engine.spent_usd();
        match child.task {
            Task::Flow { key } => self.flow_finished(key, &child.engine, now - child.started_ms, now, out),
            Task::Judge { key, check, pass_score } => {
                let graded = match child.engine.block(&BlockId::new(JUDGE_PROMPT)) {
                    Some(run) if run.status.has_result() => {
                        grade_reply(run.output.as_deref().unwrap_or_default(), pass_score)
                    }
                    Some(run) => CheckResult::Error {
                        message: format!("The judge could not answer: {}", run.error.clone().unwrap_or_default()),
                    },
                    None => CheckResult::Error { message: "The judge did not run.".into() },
                };
                if let Some(p) = self.pending.get_mut(&key) {
                    p.result.cost_usd += child.engine.spent_usd();
                }
                self.check_done(key, check, graded);
            }
        }
    }

    /// A judged or embedded check has its result; the run is done when none is left.
    fn check_done(&mut self, key: JobKey, check: usize, result: CheckResult) {
        let Some(p) = self.pending.get_mut(&key) else { return };
        if let Some(slot) = p.result.checks.get_mut(check) {
            *slot = result;
        }
        p.judges_left = p.judges_left.saturating_sub(1);
        if p.judges_left == 0 {
            if let Some(p) = self.pending.remove(&key) {
                self.results.insert(key, p.result);
            }
        }
    }

    fn flow_finished(&mut self, key: JobKey, engine: &Engine, latency_ms: f64, now: f64, out: &mut Vec<Command>) {
        let summary = engine.summary();
        let target = engine.block(&self.spec.target);
        let mut result = self.empty_result(key, None, latency_ms);
        result.input_tokens = summary.input_tokens;
        result.output_tokens = summary.output_tokens;
        result.cost_usd = summary.cost_usd;
        result.routes = super::routes::routes_taken(&self.spec.flow, engine);
        match target {
            Some(run) if run.status.has_result() => result.output = Some(run.output.clone().unwrap_or_default()),
            // A Router sent the case down another branch (a guardrail held it back): not a
            // failure of the run. There is no answer, and the route checks say whether that
            // was right.
            Some(run) if run.branch_not_taken => result.output = Some(String::new()),
            Some(run) => {
                // The first failed block says why (the target itself is usually just Skipped).
                let cause = engine
                    .blocks()
                    .find(|(_, r)| r.status == crate::domain::engine::BlockStatus::Error)
                    .and_then(|(_, r)| r.error.clone())
                    .or_else(|| run.error.clone())
                    .unwrap_or_else(|| "The run did not finish.".into());
                result.error = Some(cause);
            }
            None => result.error = Some("The checked block is not part of the flow.".into()),
        }
        self.check_result(key, result, now, out);
    }

    /// Runs the checks on a finished run's answer (judges and embeddings asynchronously).
    fn check_result(&mut self, key: JobKey, mut result: JobResult, now: f64, out: &mut Vec<Command>) {
        let Some(output) = result.output.clone() else {
            self.results.insert(key, result);
            return;
        };
        let case = self.spec.cases.get(key.1).cloned().unwrap_or_default();
        let inputs = inputs_text(&case);
        let mut judges = Vec::new();
        let mut embeds = Vec::new();
        for (i, check) in self.spec.checks.iter().enumerate() {
            if let CheckKind::RouteTaken { block, route } = &check.kind {
                result.checks.push(super::routes::route_check(&result.routes, block, route, case.expected.as_deref()));
                continue;
            }
            match evaluate(&check.kind, &output, case.expected.as_deref(), &inputs) {
                Evaluation::Done(r) => result.checks.push(r),
                Evaluation::Judge { system, user, provider, model, pass_score } => {
                    result.checks.push(CheckResult::Error { message: "Waiting for the judge.".into() });
                    judges.push((i, judge_flow(&system, &user, &provider, &model), pass_score));
                }
                Evaluation::Embed { provider, model, inputs, min } => match ProviderKind::from_id(&provider) {
                    Some(kind) => {
                        result.checks.push(CheckResult::Error { message: "Waiting for the embeddings.".into() });
                        embeds.push((i, kind, model, inputs, min));
                    }
                    None => result.checks.push(CheckResult::Error { message: format!("Unknown provider {provider}.") }),
                },
            }
        }
        if judges.is_empty() && embeds.is_empty() {
            self.results.insert(key, result);
            return;
        }
        self.pending.insert(key, Pending { result, judges_left: judges.len() + embeds.len() });
        for (check, provider, model, inputs, min) in embeds {
            let request = self.next_id;
            self.next_id += 1;
            self.embeds.insert(request, (key, check, min, provider));
            out.push(Command::Embed { request, provider, model, inputs: inputs.to_vec() });
        }
        for (check, flow, pass_score) in judges {
            match Engine::start(&flow, RunScope::All, &RunCache::new(), self.config.clone(), now) {
                Ok(engine) => self.spawn(engine, Task::Judge { key, check, pass_score }, now, out),
                Err(e) => {
                    if let Some(p) = self.pending.get_mut(&key) {
                        if let Some(slot) = p.result.checks.get_mut(check) {
                            *slot = CheckResult::Error { message: format!("The judge cannot run: {e}") };
                        }
                        p.judges_left = p.judges_left.saturating_sub(1);
                    }
                }
            }
        }
        if self.pending.get(&key).is_some_and(|p| p.judges_left == 0) {
            if let Some(p) = self.pending.remove(&key) {
                self.results.insert(key, p.result);
            }
        }
    }
}

/// Whether `variant`'s outputs are sample answers (the no-key provider, `demo`): the checked
/// block is, or is fed by, a Prompt block on it. The eval results and report label these
/// outputs "Sample answer".
pub fn variant_is_sample(flow: &Flow, target: &BlockId, variant: &Variant) -> bool {
    let mut flow = flow.clone();
    variant.apply(&mut flow);
    let mut seen: BTreeSet<&BlockId> = BTreeSet::new();
    let mut todo = vec![target];
    while let Some(id) = todo.pop() {
        if !seen.insert(id) {
            continue;
        }
        let on_samples = flow.blocks.iter().any(|b| {
            &b.id == id && matches!(&b.config, BlockConfig::Prompt(p) if p.provider == ProviderKind::Demo.id())
        });
        if on_samples {
            return true;
        }
        todo.extend(flow.edges.iter().filter(|e| &e.to.block == id).map(|e| &e.from.block));
    }
    false
}

/// [`variant_is_sample`] for each of the spec's variants, in order.
pub fn sample_variants(spec: &EvalSpec) -> Vec<bool> {
    spec.variants.iter().map(|v| variant_is_sample(&spec.flow, &spec.target, v)).collect()
}

/// A model-graded check whose judge is the sample provider: its scores come from the
/// rubric's words and traits (`sample::judge`), not from a model.
pub fn check_is_sample(check: &Check) -> bool {
    matches!(&check.kind, super::checks::CheckKind::ModelGraded { provider, .. } if provider == ProviderKind::Demo.id())
}

/// Case columns the flow's Input blocks do not have (their values would be ignored).
pub fn unknown_columns(flow: &Flow, columns: &[String]) -> Vec<String> {
    let names: BTreeSet<&str> = flow
        .blocks
        .iter()
        .filter_map(|b| match &b.config {
            BlockConfig::Input(i) => Some(i.values.iter().map(|v| v.name.as_str())),
            _ => None,
        })
        .flatten()
        .collect();
    columns.iter().filter(|c| !names.contains(c.as_str())).cloned().collect()
}

/// What an eval will cost before it starts: model calls and dollars over every case,
/// repetition and variant (judges included), and a rough duration.
#[derive(Debug, Clone, PartialEq)]
pub struct EvalEstimate {
    pub runs: usize,
    pub calls: usize,
    /// `None` when some model has no known price.
    pub cost_usd: Option<f64>,
    pub seconds: f64,
}

/// Seconds a model call is assumed to take, for the duration estimate.
pub const ASSUMED_CALL_SECONDS: f64 = 2.0;

impl EvalEstimate {
    pub fn describe(&self) -> String {
        let cost = self.cost_usd.map_or_else(|| "cost unknown".to_string(), crate::domain::engine::format_usd);
        let minutes = self.seconds / 60.0;
        let time =
            if minutes < 1.0 { "under a minute".to_string() } else { format!("about {:.0} min", minutes.ceil()) };
        format!("{} runs, {} model calls, about {cost}, {time}", self.runs, self.calls,)
    }
}

pub fn estimate_eval(spec: &EvalSpec, config: &EngineConfig) -> EvalEstimate {
    use crate::domain::engine::estimate;
    let reps = spec.repetitions.max(1) as usize;
    let mut calls = 0;
    let mut cost = Some(0.0);
    let mut runs = 0;
    let judges: Vec<(String, String)> = spec
        .checks
        .iter()
        .filter_map(|c| match &c.kind {
            super::checks::CheckKind::ModelGraded { provider, model, .. } => Some((provider.clone(), model.clone())),
            _ => None,
        })
        .collect();
    for variant in &spec.variants {
        for case in &spec.cases {
            let flow = case_flow(&spec.flow, case, variant);
            let e = estimate(&flow, &RunScope::All, &RunCache::new(), config);
            runs += reps;
            calls += (e.calls + judges.len()) * reps;
            cost = match (cost, e.cost_usd) {
                (Some(a), Some(b)) => Some(a + b * reps as f64),
                _ => None,
            };
        }
    }
    for (provider, model) in &judges {
        let judge = judge_flow(crate::domain::sample::JUDGE_SYSTEM, "x".repeat(2_000).as_str(), provider, model);
        let e = estimate(&judge, &RunScope::All, &RunCache::new(), config);
        cost = match (cost, e.cost_usd) {
            (Some(a), Some(b)) => Some(a + b * runs as f64),
            _ => None,
        };
    }
    let per_run_calls = if runs == 0 { 0.0 } else { calls as f64 / runs as f64 };
    let waves = (runs as f64 / spec.concurrency.max(1) as f64).ceil();
    EvalEstimate { runs, calls, cost_usd: cost, seconds: waves * per_run_calls * ASSUMED_CALL_SECONDS }
}
