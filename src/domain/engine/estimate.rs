//! The estimate shown before a run: how many model calls and about how much they cost.

use std::collections::BTreeMap;

use super::cache::{request_key, RunCache};
use super::plan::{self, cache_allowed, NodeKind};
use super::request::{build_chat, estimate_tokens, expected_output_tokens, format_usd, request_chars};
use super::{EngineConfig, RunScope};
use crate::domain::blocks::approval::APPROVAL_OUTPUT_PORT;
use crate::domain::blocks::prompt::PROMPT_OUTPUT_PORT;
use crate::domain::blocks::retrieve::{CONTEXT_PORT, PASSAGES_PORT};
use crate::domain::blocks::transcribe::TRANSCRIPT_PORT;
use crate::domain::blocks::transform::TRANSFORM_OUTPUT_PORT;
use crate::domain::blocks::RouterMode;
use crate::domain::flow::{BlockId, Flow};
use crate::domain::pricing::cost;
use crate::domain::privacy::{count_personal_data, describe_counts, PiiCounts};
use crate::domain::providers::{sample_reply, ChatRequest, ProviderKind};

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
            if all_known {
                Value::Known(sample_reply(&chat, &cfg.sample_answers, &known).0)
            } else {
                Value::Unknown(DEMO_REPLY_CHARS)
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
