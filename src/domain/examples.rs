//! Ready-made flows. The first screen opens on `starter_flow`.

use crate::domain::blocks::{BlockConfig, InputConfig, InputValue, OutputConfig, PromptConfig};
use crate::domain::flow::{Block, BlockId, Edge, EdgeId, Flow, FlowMeta, Point, PortRef};
use crate::domain::providers::{ProviderKind, DEMO_MODEL};
use crate::domain::sample::SampleRule;

/// Input → Prompt → Output: draft a reply to a customer email.
pub fn starter_flow(now_ms: i64) -> Flow {
    let input = Block::new(
        BlockId::new("input-1"),
        "Customer email",
        Point::new(40.0, 160.0),
        BlockConfig::Input(InputConfig {
            values: vec![InputValue {
                name: "email".into(),
                value: "Hi, my order #4821 was supposed to arrive on Monday and it still hasn't. \
                        I need it for a birthday on Saturday. Can you help?"
                    .into(),
                media: None,
            }],
        }),
    );
    let prompt = Block::new(
        BlockId::new("prompt-1"),
        "Draft a reply",
        Point::new(360.0, 136.0),
        BlockConfig::Prompt(PromptConfig {
            provider: "openai".into(),
            model: "gpt-4o-mini".into(),
            temperature: Some(0.3),
            max_tokens: Some(400),
            system: "You are a warm, concise customer support agent for an online shop.".into(),
            user: "Write a short reply to this customer email. Apologise once, give a next step.\n\n{{email}}".into(),
            output_format: Default::default(),
            // Answers for the no-key provider (Sample answers), first match wins.
            sample_answers: vec![
                SampleRule::contains(
                    "birthday",
                    "Hi,\n\nI'm so sorry your order hasn't arrived yet, especially with a birthday coming up. I've \
                     asked our courier to prioritise it and will email you the new tracking link within the hour. If \
                     it cannot reach you by Friday, I'll send a replacement by express delivery at no cost.\n\nWarm \
                     regards,\nSam from Support",
                ),
                SampleRule::matches(
                    r"(?i)refund|money back|charged",
                    "Hi,\n\nThank you for your message, and I'm sorry for the trouble. I've started your refund \
                     today: it will reach your original payment method within 5 business days, and you'll get an \
                     email when it is on its way.\n\nBest wishes,\nSam from Support",
                ),
                SampleRule::matches(
                    r"(?i)late|hasn't arrived|has not arrived|where is|still waiting|not arrived",
                    "Hi,\n\nI'm sorry your order is taking longer than it should. I've checked with our courier and \
                     asked them to prioritise it; you'll get a tracking update by email today. If it does not arrive \
                     within two days, reply here and I'll send a replacement straight away.\n\nBest regards,\nSam \
                     from Support",
                ),
            ],
            ..PromptConfig::default()
        }),
    );
    let output =
        Block::new(BlockId::new("output-1"), "Reply", Point::new(680.0, 160.0), BlockConfig::Output(OutputConfig {}));
    Flow {
        meta: FlowMeta {
            title: "Reply to a customer".into(),
            description: "Drafts a support reply from a customer email.".into(),
            created_ms: now_ms,
            updated_ms: now_ms,
        },
        edges: vec![
            Edge {
                id: EdgeId::new("e-1"),
                from: PortRef::new(input.id.clone(), "email"),
                to: PortRef::new(prompt.id.clone(), "email"),
            },
            Edge {
                id: EdgeId::new("e-2"),
                from: PortRef::new(prompt.id.clone(), "text"),
                to: PortRef::new(output.id.clone(), "value"),
            },
        ],
        blocks: vec![input, prompt, output],
    }
}

/// Which providers a new flow or a new Prompt block should use: the first hosted provider
/// with a key, else the in-browser model when one is on this device, else sample answers.
/// Returns (provider id, model).
pub fn starting_provider(keyed: &[ProviderKind], local_model: Option<&str>) -> (String, String) {
    let defaults = [
        (ProviderKind::OpenAi, "gpt-4o-mini"),
        (ProviderKind::Anthropic, "claude-3-5-haiku-latest"),
        (ProviderKind::Gemini, "gemini-2.5-flash"),
    ];
    if let Some((kind, model)) = defaults.iter().find(|(k, _)| keyed.contains(k)) {
        return (kind.id().to_string(), (*model).to_string());
    }
    if let Some(m) = local_model.filter(|m| !m.trim().is_empty()) {
        return (ProviderKind::Browser.id().to_string(), m.to_string());
    }
    (ProviderKind::Demo.id().to_string(), DEMO_MODEL.to_string())
}
