//! The estimate shown before a run: how many model calls and about how much they cost.

use std::collections::BTreeMap;

use super::cache::{request_key, RunCache};
use super::plan::{self, cache_allowed, NodeKind};
use super::request::{build_chat, estimate_tokens, expected_output_tokens, format_usd, request_chars};
use super::{EngineConfig, RunScope};
use crate::domain::blocks::approval::APPROVAL_OUTPUT_PORT;
use crate::domain::blocks::loop_block::{LoopBody, LoopConfig, INDEX_VAR, ITEM_VAR, LIST_PORT, LOOP_OUTPUT_PORT};
use crate::domain::blocks::prompt::PROMPT_OUTPUT_PORT;
use crate::domain::blocks::retrieve::{CONTEXT_PORT, PASSAGES_PORT};
use crate::domain::blocks::transcribe::TRANSCRIPT_PORT;
use crate::domain::blocks::transform::TRANSFORM_OUTPUT_PORT;
use crate::domain::blocks::RouterMode;
use crate::domain::flow::{BlockId, Flow};
use crate::domain::pricing::cost;
use crate::domain::privacy::{count_personal_data, describe_counts, PiiCounts};
use crate::domain::providers::{rule_reply, ChatMessage, ChatRequest, ProviderKind};

/// Characters assumed for a demo reply whose input is not known before the run.
const DEMO_REPLY_CHARS: usize = 300;

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Estimate {
    /// Model calls the run will make (demo and cached blocks make none). Retries not counted.
    pub calls: usize,
    /// Prompt blocks that will be served from the cache.
    pub cached: usize,
    /// `None` when some model has no known price.
    pub cost_usd: Option<f64>,
    /// Models without a price, each once.
    pub unknown_models: Vec<String>,
    /// The calls and cost are upper bounds: a Loop's list is known only during the run, so it
    /// is counted at its "Max items".
    pub at_most: bool,
    /// Personal data in what the run will send over the network (as far as it is known before
    /// the run), per provider that would receive it.
    pub personal_data: Vec<(ProviderKind, PiiCounts)>,
    /// The flow has a Router or an Approval: every branch is counted, so `calls` and the cost
    /// are an upper bound (only the branches taken will run).
    pub branches: bool,
}

impl Estimate {
    /// "about $0.004, 3 calls", "no calls", "3 calls (cost unknown for gpt-x)".
    pub fn describe(&self) -> String {
        if self.calls == 0 {
            return "no calls".to_string();
        }
        if self.at_most {
            // A loop over a list not known before the run: the count is a ceiling.
            let calls = if self.calls == 1 { "1 call".to_string() } else { format!("{} calls", self.calls) };
            return match self.cost_usd {
                Some(usd) => format!("up to {}, up to {calls}", format_usd(usd)),
                None => format!("up to {calls} (cost unknown for {})", self.unknown_models.join(", ")),
            };
        }
        let calls = match (self.calls, self.branches) {
            (0, _) => return "no calls".to_string(),
            (1, false) => "1 call".to_string(),
            (1, true) => "at most 1 call".to_string(),
            (n, false) => format!("{n} calls"),
            (n, true) => format!("at most {n} calls (only the branches taken run)"),
        };
        match self.cost_usd {
            Some(usd) if self.branches => format!("up to {}, {calls}", format_usd(usd)),
            Some(usd) => format!("about {}, {calls}", format_usd(usd)),
            None => format!("{calls} (cost unknown for {})", self.unknown_models.join(", ")),
        }
    }
}

impl Estimate {
    /// "Personal data goes to OpenAI: 1 e-mail address and 1 card number." (`None` when none
    /// was found.)
    pub fn privacy_note(&self) -> Option<String> {
        let parts: Vec<String> = self
            .personal_data
            .iter()
            .map(|(provider, counts)| format!("to {}: {}", provider.label(), describe_counts(counts)))
            .collect();
        (!parts.is_empty()).then(|| format!("Personal data would go {}.", parts.join("; ")))
    }
}

fn note_personal_data(found: &mut Vec<(ProviderKind, PiiCounts)>, provider: ProviderKind, chat: &ChatRequest) {
    let mut counts = PiiCounts::new();
    let texts = chat.system.iter().chain(chat.messages.iter().map(|m| &m.text));
    for text in texts {
        for (kind, n) in count_personal_data(text) {
            *counts.entry(kind).or_default() += n;
        }
    }
    if counts.is_empty() {
        return;
    }
    match found.iter_mut().find(|(p, _)| *p == provider) {
        Some((_, c)) => {
            for (kind, n) in counts {
                *c.entry(kind).or_default() += n;
            }
        }
        None => found.push((provider, counts)),
    }
}

/// A value on a port before the run: known text, or only its expected length.
#[derive(Clone)]
enum Value {
    Known(String),
    Unknown(usize),
}

/// Estimates a run of `scope` the way [`super::Engine`] would run it: the same blocks,
/// the same cache rules. Requests whose inputs come from model calls are estimated with
/// those calls' expected output length. A flow that cannot run needs no calls.
pub fn estimate(flow: &Flow, scope: &RunScope, cache: &RunCache, config: &EngineConfig) -> Estimate {
    let Ok(plan) = plan::plan(flow, scope) else {
        return Estimate { cost_usd: Some(0.0), ..Estimate::default() };
    };
    let mut ports: BTreeMap<BlockId, BTreeMap<String, Value>> = BTreeMap::new();
    let mut est = Estimate::default();
    let mut total = 0.0;
    for id in &plan.order {
        let Some(node) = plan.nodes.get(id) else {
            continue;
        };
        // What a block passes on unchanged (a Router on every route, an Approval), when known.
        let first_input = || {
            node.inputs
                .first()
                .and_then(|(_, from)| ports.get(&from.block).and_then(|p| p.get(&from.port)).cloned())
                .unwrap_or(Value::Unknown(DEMO_REPLY_CHARS))
        };
        let router_prompt;
        let cfg = match &node.kind {
            NodeKind::Input(cfg) => {
                let values = cfg.values.iter().map(|v| (v.name.clone(), Value::Known(v.value.clone()))).collect();
                ports.insert(id.clone(), values);
                continue;
            }
            NodeKind::Prompt(cfg) => cfg,
            NodeKind::Retrieve(cfg) => {
                // Passages are about a chunk each; the exact text is known only after searching.
                let chunk_chars = config.knowledge.as_ref().map_or(800, |kb| kb.options.chunk.target_chars);
                let chars = cfg.settings().top_k * (chunk_chars + 40);
                let values = [CONTEXT_PORT, PASSAGES_PORT].map(|p| (p.to_string(), Value::Unknown(chars))).into();
                ports.insert(id.clone(), values);
                continue;
            }
            NodeKind::Transcribe(_) => {
                // A transcript's length is known only after listening; a few minutes of speech.
                let values = [(TRANSCRIPT_PORT.to_string(), Value::Unknown(3000))].into();
                ports.insert(id.clone(), values);
                continue;
            }
            NodeKind::Router(r) => {
                est.branches = true;
                let passed = first_input();
                let values = r.route_names().into_iter().map(|name| (name, passed.clone())).collect();
                ports.insert(id.clone(), values);
                if r.mode == RouterMode::Rules {
                    if r.uses_openai_moderation() {
                        // A moderation rule sends the input to OpenAI (free, at most one call).
                        est.calls += 1;
                        if let Value::Known(text) = &passed {
                            let chat =
                                ChatRequest { messages: vec![ChatMessage::user(text.clone())], ..Default::default() };
                            note_personal_data(&mut est.personal_data, ProviderKind::OpenAi, &chat);
                        }
                    }
                    continue;
                }
                // Model mode: one call, counted below; every route may carry the input.
                router_prompt = super::control::router_prompt(r);
                &router_prompt
            }
            NodeKind::Approval => {
                est.branches = true;
                let values = [(APPROVAL_OUTPUT_PORT.to_string(), first_input())].into();
                ports.insert(id.clone(), values);
                continue;
            }
            NodeKind::Transform(t) => {
                let mut known = BTreeMap::new();
                let mut unknown = 0;
                for (port, from) in &node.inputs {
                    match ports.get(&from.block).and_then(|p| p.get(&from.port)) {
                        Some(Value::Known(v)) => {
                            known.insert(port.clone(), v.clone());
                        }
                        Some(Value::Unknown(n)) => unknown += n,
                        None => unknown += DEMO_REPLY_CHARS,
                    }
                }
                let out = match (unknown, t.apply(&known)) {
                    (0, Ok(v)) => Value::Known(v),
                    (n, _) => Value::Unknown(n.max(1)),
                };
                ports.insert(id.clone(), [(TRANSFORM_OUTPUT_PORT.to_string(), out)].into());
                continue;
            }
            NodeKind::Loop(cfg) => {
                let value = |port: &str| {
                    let from = node.inputs.iter().find(|(p, _)| p == port).map(|(_, from)| from)?;
                    ports.get(&from.block).and_then(|p| p.get(&from.port))
                };
                let list = match value(LIST_PORT) {
                    Some(Value::Known(v)) => Some(v.clone()),
                    _ => None,
                };
                let values: BTreeMap<String, String> = cfg
                    .extra_variables()
                    .into_iter()
                    .map(|v| {
                        let text = match value(&v) {
                            Some(Value::Known(t)) => t.clone(),
                            _ => String::new(),
                        };
                        (v, text)
                    })
                    .collect();
                let chars =
                    estimate_loop(cfg, list.as_deref(), &values, node.role, cache, config, &mut est, &mut total);
                ports.insert(id.clone(), BTreeMap::from([(LOOP_OUTPUT_PORT.to_string(), Value::Unknown(chars))]));
                continue;
            }
            NodeKind::Output | NodeKind::Tool(_) | NodeKind::Inert(_) => continue,
        };
        let Some(provider) = ProviderKind::from_id(&cfg.provider) else {
            continue;
        };
        let mut known: BTreeMap<String, String> = BTreeMap::new();
        let mut unknown_chars = 0;
        let mut all_known = true;
        for (port, from) in &node.inputs {
            match ports.get(&from.block).and_then(|p| p.get(&from.port)) {
                Some(Value::Known(v)) => {
                    known.insert(port.clone(), v.clone());
                }
                Some(Value::Unknown(chars)) => {
                    all_known = false;
                    unknown_chars += chars;
                    known.insert(port.clone(), String::new());
                }
                None => {
                    all_known = false;
                    known.insert(port.clone(), String::new());
                }
            }
        }
        let Ok(chat) = build_chat(cfg, provider, |n| known.get(n).map(String::as_str)) else {
            continue;
        };
        if super::redaction::leaves_the_browser(provider) {
            note_personal_data(&mut est.personal_data, provider, &chat);
        }
        let router = matches!(node.kind, NodeKind::Router(_));
        let output = if router && provider == ProviderKind::Demo {
            Value::Known(String::new())
        } else if provider == ProviderKind::Demo {
            // A sample answer is known exactly when a rule the user wrote gives it. One the sample
            // generator would write is estimated by its usual length: the generator (with its
            // word lists) is part of the run, and the estimate is shown from the start.
            match all_known.then(|| rule_reply(&chat, &cfg.sample_answers, &known)).flatten() {
                Some(text) => Value::Known(text),
                None => Value::Unknown(DEMO_REPLY_CHARS),
            }
        } else {
            let hit = all_known && cache_allowed(node.role, config.use_cache);
            match hit.then(|| cache.get(request_key(provider, &chat))).flatten() {
                Some(hit) => {
                    est.cached += 1;
                    Value::Known(hit.output.clone())
                }
                None => {
                    est.calls += 1;
                    let out_tokens = expected_output_tokens(chat.max_tokens);
                    let in_tokens = estimate_tokens(request_chars(&chat) + unknown_chars);
                    match config.prices.price(provider, &chat.model) {
                        Some(price) => total += cost(price, in_tokens, out_tokens),
                        None => {
                            if !est.unknown_models.contains(&chat.model) {
                                est.unknown_models.push(chat.model.clone());
                            }
                        }
                    }
                    Value::Unknown(usize::try_from(out_tokens.saturating_mul(4)).unwrap_or(usize::MAX))
                }
            }
        };
        if !router {
            ports.insert(id.clone(), BTreeMap::from([(PROMPT_OUTPUT_PORT.to_string(), output)]));
        }
    }
    est.cost_usd = est.unknown_models.is_empty().then_some(total);
    est
}

/// Characters assumed for an item of a list known only during the run.
const UNKNOWN_ITEM_CHARS: usize = 300;

/// Adds a Loop's calls and cost to `est`/`total`: every item of a known list, or "Max items"
/// items of an unknown one (then the estimate says "up to"). Returns the expected length of
/// the joined results.
#[allow(clippy::too_many_arguments)]
fn estimate_loop(
    cfg: &LoopConfig,
    list: Option<&str>,
    values: &BTreeMap<String, String>,
    role: plan::Role,
    cache: &RunCache,
    config: &EngineConfig,
    est: &mut Estimate,
    total: &mut f64,
) -> usize {
    // A list that will not split makes the loop fail before any call.
    let items: Vec<String> = match list {
        Some(text) => match cfg.items(text) {
            Ok(items) => items,
            Err(_) => return 0,
        },
        None => {
            est.at_most = true;
            vec![String::new(); cfg.max_items as usize]
        }
    };
    let unknown_chars = if list.is_some() { 0 } else { UNKNOWN_ITEM_CHARS };
    let mut out_chars = 0usize;
    match &cfg.body {
        LoopBody::Prompt(p) => {
            let Some(provider) = ProviderKind::from_id(&p.provider) else { return 0 };
            for (i, item) in items.iter().enumerate() {
                let mut lookup = values.clone();
                lookup.insert(ITEM_VAR.to_string(), item.clone());
                lookup.insert(INDEX_VAR.to_string(), (i + 1).to_string());
                let Ok(chat) = build_chat(p, provider, |n| lookup.get(n).map(String::as_str)) else { return 0 };
                if provider == ProviderKind::Demo {
                    out_chars += DEMO_REPLY_CHARS;
                    continue;
                }
                let hit = list.is_some() && cache_allowed(role, config.use_cache);
                if let Some(hit) = hit.then(|| cache.get(request_key(provider, &chat))).flatten() {
                    est.cached += 1;
                    out_chars += hit.output.chars().count();
                    continue;
                }
                est.calls += 1;
                let out_tokens = expected_output_tokens(chat.max_tokens);
                out_chars += usize::try_from(out_tokens.saturating_mul(4)).unwrap_or(0);
                match config.prices.price(provider, &chat.model) {
                    Some(price) => {
                        *total += cost(price, estimate_tokens(request_chars(&chat) + unknown_chars), out_tokens)
                    }
                    None => {
                        if !est.unknown_models.contains(&chat.model) {
                            est.unknown_models.push(chat.model.clone());
                        }
                    }
                }
            }
        }
        LoopBody::Flow { flow_id, input } => {
            if config.depth + 1 >= super::subflow::MAX_SUBFLOW_DEPTH {
                return 0;
            }
            let Some(flow) = config.subflows.get(flow_id) else { return 0 };
            let child_config = EngineConfig { depth: config.depth + 1, ..config.clone() };
            // Items of a known list are estimated one by one (the first 50; the rest like them).
            let sampled = items.len().min(50);
            let mut sub = Estimate::default();
            for item in items.iter().take(sampled) {
                let item = if item.is_empty() { "x".repeat(unknown_chars) } else { item.clone() };
                let Ok(with_item) = super::loop_run::flow_with_item(flow.clone(), input, &item) else { return 0 };
                let e = estimate(&with_item, &RunScope::All, cache, &child_config);
                sub.calls += e.calls;
                sub.cached += e.cached;
                sub.at_most |= e.at_most;
                *sub.cost_usd.get_or_insert(0.0) += e.cost_usd.unwrap_or(0.0);
                for m in e.unknown_models {
                    if !est.unknown_models.contains(&m) {
                        est.unknown_models.push(m);
                    }
                }
            }
            let scale = if sampled == 0 { 0.0 } else { items.len() as f64 / sampled as f64 };
            est.calls += (sub.calls as f64 * scale).round() as usize;
            est.cached += (sub.cached as f64 * scale).round() as usize;
            est.at_most |= sub.at_most;
            *total += sub.cost_usd.unwrap_or(0.0) * scale;
            out_chars = items.len() * DEMO_REPLY_CHARS;
        }
    }
    out_chars
}
