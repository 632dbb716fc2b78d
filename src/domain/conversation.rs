//! Conversations: the Chat panel runs the flow once per user turn. This module keeps the
//! turns so far, says what a conversational Prompt is sent of them (its memory limit), which
//! Input value takes the user's message, and which block's value is the answer.
//!
//! The engine gets a [`Conversation`] through `EngineConfig::conversation`; eval cases carry
//! the same [`Turn`]s as their `history`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::domain::blocks::{BlockConfig, Memory};
use crate::domain::flow::{BlockId, Flow, PortRef};
use crate::domain::providers::ChatMessage;

/// One finished turn: what the user said and the flow's answer.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Turn {
    pub user: String,
    /// The flow's answer (its Output block's value).
    #[serde(default)]
    pub assistant: String,
    /// Each conversational Prompt's own answer in this turn, by block id, where it differs
    /// from `assistant` (a Prompt later reworded by another one). Empty in eval cases.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub answers: BTreeMap<String, String>,
}

impl Turn {
    pub fn new(user: impl Into<String>, assistant: impl Into<String>) -> Turn {
        Turn { user: user.into(), assistant: assistant.into(), answers: BTreeMap::new() }
    }

    /// What `block` answered in this turn.
    fn answer_of(&self, block: &BlockId) -> &str {
        self.answers.get(&block.0).map_or(self.assistant.as_str(), String::as_str)
    }
}

/// What a run of the flow is told about the conversation.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Conversation {
    /// Earlier turns, oldest first.
    pub turns: Vec<Turn>,
    /// The new user message; `None` leaves the Input values as they are (eval cases set them).
    pub message: Option<String>,
    /// The Input value that takes `message`; `None` means [`chat_input`] of the flow.
    pub input: Option<PortRef>,
}

/// The turns a Prompt with `memory` is sent: the most recent ones, as user/assistant
/// message pairs, with the Prompt's own earlier answers.
pub fn history_for(turns: &[Turn], block: &BlockId, memory: Memory) -> Vec<ChatMessage> {
    let keep = usize::try_from(memory.turns).unwrap_or(usize::MAX);
    let start = turns.len().saturating_sub(keep);
    turns
        .get(start..)
        .unwrap_or_default()
        .iter()
        .flat_map(|t| [ChatMessage::user(t.user.clone()), ChatMessage::assistant(t.answer_of(block).to_string())])
        .collect()
}

/// How many of `turns` the most forgetful conversational Prompt of `flow` leaves out.
pub fn dropped_turns(flow: &Flow, turns: usize) -> usize {
    memory_limit(flow).map_or(0, |limit| turns.saturating_sub(usize::try_from(limit).unwrap_or(usize::MAX)))
}

/// The smallest memory among the flow's conversational Prompts.
pub fn memory_limit(flow: &Flow) -> Option<u32> {
    conversational_prompts(flow).map(|(_, m)| m.turns).min()
}

/// The Prompts that remember the conversation, with their memory.
pub fn conversational_prompts(flow: &Flow) -> impl Iterator<Item = (&BlockId, Memory)> + '_ {
    flow.blocks.iter().filter_map(|b| match &b.config {
        BlockConfig::Prompt(p) => p.conversation.map(|m| (&b.id, m)),
        _ => None,
    })
}

/// The Input values that can take a chat message: every text (not media) value, in order.
pub fn text_inputs(flow: &Flow) -> Vec<PortRef> {
    flow.blocks
        .iter()
        .filter_map(|b| match &b.config {
            BlockConfig::Input(c) => Some((b, c)),
            _ => None,
        })
        .flat_map(|(b, c)| {
            c.values.iter().filter(|v| v.media.is_none()).map(|v| PortRef::new(b.id.clone(), v.name.clone()))
        })
        .collect()
}

/// The Input value the user's message goes into: `chosen` if the flow still has it, else
/// the first text value of the first Input block.
pub fn chat_input(flow: &Flow, chosen: Option<&PortRef>) -> Option<PortRef> {
    let inputs = text_inputs(flow);
    chosen.filter(|c| inputs.contains(c)).cloned().or_else(|| inputs.into_iter().next())
}

/// The block whose value the Chat panel shows as the answer: the first Output block.
pub fn answer_block(flow: &Flow) -> Option<&BlockId> {
    flow.blocks.iter().find(|b| matches!(b.config, BlockConfig::Output(_))).map(|b| &b.id)
}

/// The Prompt that feeds `output` (the one whose streaming text the panel shows while the
/// answer is being written).
pub fn answer_source<'f>(flow: &'f Flow, output: &BlockId) -> Option<&'f BlockId> {
    flow.edges.iter().find(|e| &e.to.block == output).map(|e| &e.from.block)
}

/// The finished turn, from a run of `flow` that answered `user`: the Output's value, and
/// each conversational Prompt's own answer where it differs. `None` when nothing answered.
/// `output_of` reads a block's output from the run (the engine sits above this module).
pub fn finished_turn(flow: &Flow, user: &str, output_of: impl Fn(&BlockId) -> Option<String>) -> Option<Turn> {
    let answer = answer_block(flow).and_then(&output_of)?;
    let mut answers = BTreeMap::new();
    for (id, _) in conversational_prompts(flow) {
        if let Some(own) = output_of(id) {
            if own != answer {
                answers.insert(id.0.clone(), own);
            }
        }
    }
    Some(Turn { user: user.to_string(), assistant: answer, answers })
}

/// A copy of `flow` whose chat Input value holds the conversation's new message, or `None`
/// when there is no message (or no text Input to put it in).
pub fn with_message(flow: &Flow, conversation: &Conversation) -> Option<Flow> {
    let message = conversation.message.as_ref()?;
    let target = chat_input(flow, conversation.input.as_ref())?;
    let mut copy = flow.clone();
    let block = copy.blocks.iter_mut().find(|b| b.id == target.block)?;
    if let BlockConfig::Input(c) = &mut block.config {
        let value = c.values.iter_mut().find(|v| v.name == target.port)?;
        value.value = message.clone();
    }
    Some(copy)
}

/// A sentence for the panel when older turns are no longer sent.
pub fn dropped_note(dropped: usize, limit: u32) -> Option<String> {
    let kept = if limit == 1 { "only the last turn".to_string() } else { format!("the last {limit}") };
    match dropped {
        0 => None,
        1 => Some(format!("The oldest turn is no longer sent: the flow remembers {kept}.")),
        n => Some(format!("The {n} oldest turns are no longer sent: the flow remembers {kept}.")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn turns(n: usize) -> Vec<Turn> {
        (1..=n).map(|i| Turn::new(format!("q{i}"), format!("a{i}"))).collect()
    }

    #[test]
    fn history_keeps_the_last_turns_in_order() {
        let h = history_for(&turns(5), &BlockId("p".into()), Memory { turns: 2 });
        let texts: Vec<&str> = h.iter().map(|m| m.text.as_str()).collect();
        assert_eq!(texts, ["q4", "a4", "q5", "a5"]);
    }

    #[test]
    fn a_prompt_remembers_its_own_answers() {
        let mut t = Turn::new("hi", "Hello! (polished)");
        t.answers.insert("p".into(), "hello".into());
        let h = history_for(&[t.clone()], &BlockId("p".into()), Memory::default());
        assert_eq!(h[1].text, "hello");
        let other = history_for(&[t], &BlockId("q".into()), Memory::default());
        assert_eq!(other[1].text, "Hello! (polished)");
    }

    #[test]
    fn dropped_turns_are_said_in_words() {
        assert_eq!(dropped_note(0, 20), None);
        assert!(dropped_note(3, 20).is_some_and(|s| s.contains("3 oldest") && s.contains("last 20")));
        assert_eq!(
            dropped_note(1, 1).as_deref(),
            Some("The oldest turn is no longer sent: the flow remembers only the last turn.")
        );
    }
}
