//! From a Prompt block and its input values to a [`ChatRequest`], and what a call is
//! expected to cost.

use crate::domain::blocks::PromptConfig;
use crate::domain::json_schema::OutputFormat;
use crate::domain::pricing::{cost, PriceTable};
use crate::domain::providers::{supports, ChatMessage, ChatRequest, JsonMode, Param, ProviderKind, Role, DEMO_MODEL};
use crate::domain::template::{self, TemplateError};

/// Output tokens assumed for a call whose block sets no `max_tokens`.
pub const DEFAULT_OUTPUT_TOKENS: u64 = 512;

/// Renders the block's templates with `lookup` and builds the request.
pub(crate) fn build_chat<'v>(
    config: &PromptConfig,
    provider: ProviderKind,
    lookup: impl Fn(&str) -> Option<&'v str> + Copy,
) -> Result<ChatRequest, TemplateError> {
    build_chat_with_history(config, provider, lookup, &[])
}

/// As [`build_chat`], with earlier turns of a conversation placed after the few-shot
/// examples and before the user message.
pub(crate) fn build_chat_with_history<'v>(
    config: &PromptConfig,
    provider: ProviderKind,
    lookup: impl Fn(&str) -> Option<&'v str> + Copy,
    history: &[ChatMessage],
) -> Result<ChatRequest, TemplateError> {
    let system = template::render(&config.system, lookup)?;
    let user = template::render(&config.user, lookup)?;
    let model = match config.model.trim() {
        "" if provider == ProviderKind::Demo => DEMO_MODEL.to_string(),
        m => m.to_string(),
    };
    let json_mode = match &config.output_format {
        OutputFormat::Text => None,
        OutputFormat::Json => Some(JsonMode::AnyObject),
        OutputFormat::JsonSchema { schema } => {
            Some(JsonMode::Schema { name: "output".to_string(), schema: schema.clone() })
        }
    };
    let mut messages = Vec::with_capacity(config.examples.len() + history.len() + 1);
    for turn in &config.examples {
        let text = template::render(&turn.text, lookup)?;
        messages.push(match turn.role {
            Role::User => ChatMessage::user(text),
            Role::Assistant => ChatMessage::assistant(text),
        });
    }
    messages.extend(history.iter().cloned());
    messages.push(ChatMessage::user(user));
    // Only what the provider takes goes into the request (and so into the cache key).
    let p = &config.params;
    let takes = |param| supports(provider, param);
    Ok(ChatRequest {
        model,
        system: if system.trim().is_empty() { None } else { Some(system) },
        messages,
        temperature: config.temperature,
        max_tokens: config.max_tokens,
        json_mode,
        stop: if takes(Param::Stop) { p.stop.clone() } else { Vec::new() },
        tools: Vec::new(),
        tool_choice: Default::default(),
        transcription: None,
        top_p: p.top_p.filter(|_| takes(Param::TopP)),
        seed: p.seed.filter(|_| takes(Param::Seed)),
        reasoning_effort: p.reasoning_effort.clone().filter(|_| takes(Param::ReasoningEffort)),
        thinking_budget: p.thinking_budget.filter(|_| takes(Param::ThinkingBudget)),
    })
}

/// About four characters per token: good enough for an estimate, no tokenizer needed.
pub fn estimate_tokens(chars: usize) -> u64 {
    (chars as u64).div_ceil(4)
}

/// The characters a request sends: system prompt and messages.
pub(crate) fn request_chars(chat: &ChatRequest) -> usize {
    let system = chat.system.as_deref().map_or(0, |s| s.chars().count());
    system + chat.messages.iter().map(|m| m.text.chars().count()).sum::<usize>()
}

/// Output tokens a call may produce: its `max_tokens`, or [`DEFAULT_OUTPUT_TOKENS`].
pub(crate) fn expected_output_tokens(max_tokens: Option<u32>) -> u64 {
    max_tokens.map_or(DEFAULT_OUTPUT_TOKENS, u64::from)
}

/// The expected cost of a call before it is made, `None` when the price is unknown.
pub(crate) fn estimated_cost(prices: &PriceTable, provider: ProviderKind, chat: &ChatRequest) -> Option<f64> {
    let price = prices.price(provider, &chat.model)?;
    Some(cost(price, estimate_tokens(request_chars(chat)), expected_output_tokens(chat.max_tokens)))
}

/// The cost of a finished (or broken-off) call: reported usage where known, otherwise
/// estimated from the request and the text received.
pub(crate) fn actual_cost(
    prices: &PriceTable,
    provider: ProviderKind,
    chat: &ChatRequest,
    input_tokens: Option<u64>,
    output_tokens: Option<u64>,
    output_text: &str,
) -> Option<f64> {
    let price = prices.price(provider, &chat.model)?;
    let input = input_tokens.unwrap_or_else(|| estimate_tokens(request_chars(chat)));
    let output = output_tokens.unwrap_or_else(|| estimate_tokens(output_text.chars().count()));
    Some(cost(price, input, output))
}

/// Dollars for people: "$0.05", "$0.049", "$0.0004", "$1.25".
pub fn format_usd(usd: f64) -> String {
    if !usd.is_finite() {
        return "$?".to_string();
    }
    if usd.abs() >= 1.0 {
        return format!("${usd:.2}");
    }
    let mut s = format!("{usd:.4}");
    while s.ends_with('0') && s.len() > s.find('.').map_or(0, |dot| dot + 3) {
        s.pop();
    }
    format!("${s}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dollars_read_well() {
        assert_eq!(format_usd(0.05), "$0.05");
        assert_eq!(format_usd(0.049), "$0.049");
        assert_eq!(format_usd(0.0004), "$0.0004");
        assert_eq!(format_usd(0.0), "$0.00");
        assert_eq!(format_usd(1.254), "$1.25");
        assert_eq!(format_usd(0.123456), "$0.1235");
    }

    #[test]
    fn tokens_round_up() {
        assert_eq!(estimate_tokens(0), 0);
        assert_eq!(estimate_tokens(1), 1);
        assert_eq!(estimate_tokens(8), 2);
        assert_eq!(estimate_tokens(9), 3);
    }
}
