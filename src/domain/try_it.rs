//! The "try it" app a shared link can open as: a form built from the flow's Input values,
//! the Output blocks whose answers it shows, and the flow a run uses (the viewer's own
//! inputs, and for a viewer without keys the providers they chose instead). Pure: the UI
//! (src/ui/share/try_it.rs) renders what this describes.

use crate::domain::blocks::{BlockConfig, InputValue};
use crate::domain::conversation::{answer_block, chat_input, conversational_prompts};
use crate::domain::flow::{BlockId, Flow, PortRef};
use crate::domain::graph::topological_order;
use crate::domain::media::{MediaKind, MediaRef};
use crate::domain::providers::local_models::LOCAL_MODELS;
use crate::domain::providers::ProviderKind;
use std::collections::BTreeMap;

/// One field of the form: an Input block's value.
#[derive(Debug, Clone, PartialEq)]
pub struct FormField {
    pub block: BlockId,
    /// Which value of the block (an Input may hold several).
    pub index: usize,
    /// The label: the value's name, with the block's name when the block holds several.
    pub label: String,
    /// The value's name (what templates and test cases use).
    pub name: String,
    /// The flow's value, shown as the default.
    pub default: String,
    /// Set when the flow's value is a file: the field is a file picker of that kind.
    pub media: Option<MediaKind>,
}

/// The form for `flow`: every Input value, Inputs in run order.
pub fn form_fields(flow: &Flow) -> Vec<FormField> {
    let order = topological_order(flow).unwrap_or_else(|_| flow.blocks.iter().map(|b| b.id.clone()).collect());
    let mut out = Vec::new();
    for id in order {
        let Some(block) = flow.block(&id) else { continue };
        let BlockConfig::Input(input) = &block.config else { continue };
        let several = input.values.len() > 1;
        for (index, value) in input.values.iter().enumerate() {
            let name = value.name.trim();
            let label = if several && !name.is_empty() { name.to_string() } else { block.display_name() };
            out.push(FormField {
                block: id.clone(),
                index,
                label,
                name: value.name.clone(),
                default: if value.media.is_some() { String::new() } else { value.value.clone() },
                media: value.media.as_ref().and_then(MediaRef::kind),
            });
        }
    }
    out
}

/// A conversational flow (a Prompt remembers the conversation, and an Output block answers) is
/// tried as a chat: the Input value each message goes into, and the form's other fields. `None`
/// for every other flow, which is tried with the form.
pub fn chat_form(flow: &Flow) -> Option<(PortRef, Vec<FormField>)> {
    conversational_prompts(flow).next()?;
    answer_block(flow)?;
    let input = chat_input(flow, None)?;
    let others = form_fields(flow).into_iter().filter(|f| !(f.block == input.block && f.name == input.port)).collect();
    Some((input, others))
}

/// The blocks whose answers the app shows: the Output blocks, or (a flow without any) the
/// blocks nothing else reads from, in run order.
pub fn answer_blocks(flow: &Flow) -> Vec<(BlockId, String)> {
    let order = topological_order(flow).unwrap_or_else(|_| flow.blocks.iter().map(|b| b.id.clone()).collect());
    let named = |id: &BlockId| flow.block(id).map(|b| (id.clone(), b.display_name()));
    let outputs: Vec<_> = order
        .iter()
        .filter(|id| flow.block(id).is_some_and(|b| matches!(b.config, BlockConfig::Output(_))))
        .filter_map(named)
        .collect();
    if !outputs.is_empty() {
        return outputs;
    }
    order
        .iter()
        .filter(|id| {
            flow.block(id).is_some_and(|b| !matches!(b.config, BlockConfig::Input(_) | BlockConfig::Note(_)))
                && !flow.edges.iter().any(|e| &e.from.block == *id)
        })
        .filter_map(named)
        .collect()
}

/// What the viewer put in one field.
#[derive(Debug, Clone, PartialEq)]
pub enum ViewerValue {
    Text(String),
    File(MediaRef),
}

/// `flow` with the viewer's values in its Inputs (fields they left alone keep the flow's).
pub fn with_viewer_inputs(flow: &Flow, values: &BTreeMap<(BlockId, usize), ViewerValue>) -> Flow {
    let mut out = flow.clone();
    for block in &mut out.blocks {
        let BlockConfig::Input(input) = &mut block.config else { continue };
        for (index, value) in input.values.iter_mut().enumerate() {
            match values.get(&(block.id.clone(), index)) {
                Some(ViewerValue::Text(text)) => {
                    *value = InputValue { name: value.name.clone(), value: text.clone(), media: None }
                }
                Some(ViewerValue::File(meta)) => *value = InputValue::with_media(value.name.clone(), meta.clone()),
                None => {}
            }
        }
    }
    out
}

/// The viewer's inputs by value name, as a test case keeps them (files by their name).
pub fn inputs_by_name(flow: &Flow) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for block in &flow.blocks {
        if let BlockConfig::Input(input) = &block.config {
            for v in &input.values {
                let text = match &v.media {
                    Some(m) => format!("[{}]", m.name),
                    None => v.value.clone(),
                };
                out.insert(v.name.clone(), text);
            }
        }
    }
    out
}

/// The providers `flow` would call that need a key the viewer has not set (the pre-run
/// check's key rule, over every block: see [`crate::domain::engine::preflight`]).
pub fn providers_missing_keys(flow: &Flow, has_key: impl Fn(ProviderKind) -> bool) -> Vec<ProviderKind> {
    crate::domain::engine::missing_keys(&flow.blocks, &has_key)
}

/// `flow` with the Prompt blocks on `missing` providers moved to `to`: sample answers, or
/// the smallest model in this browser.
pub fn instead_of(flow: &Flow, missing: &[ProviderKind], to: ProviderKind) -> Flow {
    let mut out = flow.clone();
    for block in &mut out.blocks {
        // Moderation has no in-browser model: without an OpenAI key it is the sample.
        if let BlockConfig::Router(r) = &block.config {
            if missing.contains(&ProviderKind::OpenAi) {
                if let Some(sampled) = r.with_sample_moderation() {
                    block.config = BlockConfig::Router(sampled);
                }
            }
            continue;
        }
        let BlockConfig::Prompt(p) = &mut block.config else { continue };
        if ProviderKind::from_id(p.provider.trim()).is_some_and(|k| missing.contains(&k)) {
            p.provider = to.id().to_string();
            if to == ProviderKind::Browser {
                p.model = LOCAL_MODELS[0].url.to_string();
            }
        }
    }
    out
}

/// The in-browser models `flow` would load (to answer or to embed), with their download size
/// in MB when known.
pub fn browser_models(flow: &Flow) -> Vec<(String, Option<u32>)> {
    crate::domain::engine::browser_models(&flow.blocks)
}

/// The position of `start` among present mode's steps (`steps` in run order), or 0.
pub fn start_step(steps: &[BlockId], start: Option<&BlockId>) -> usize {
    start.and_then(|s| steps.iter().position(|id| id == s)).unwrap_or(0)
}

/// Whether block `id`'s output is a sample answer when the run is not at hand (a shared
/// link's outputs): a Prompt or Transcribe block on sample answers, or an Output block showing
/// one. Matches what a run sets in `BlockRun::sample`.
pub fn shows_sample(flow: &Flow, id: &BlockId) -> bool {
    let demo = ProviderKind::Demo.id();
    let Some(block) = flow.block(id) else { return false };
    match &block.config {
        BlockConfig::Prompt(p) => p.provider == demo,
        BlockConfig::Transcribe(t) => t.provider == demo,
        BlockConfig::Loop(l) => l.prompt().is_some_and(|p| p.provider == demo),
        BlockConfig::Output(_) => flow.edges.iter().filter(|e| &e.to.block == id).any(|e| {
            flow.block(&e.from.block).is_some_and(|b| match &b.config {
                BlockConfig::Prompt(p) => p.provider == demo,
                BlockConfig::Transcribe(t) => t.provider == demo,
                BlockConfig::Loop(l) => l.prompt().is_some_and(|p| p.provider == demo),
                _ => false,
            })
        }),
        _ => false,
    }
}
