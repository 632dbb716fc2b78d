//! Ready-made flows. The first screen opens on `starter_flow`.

use crate::domain::blocks::{BlockConfig, InputConfig, InputValue, OutputConfig, PromptConfig};
use crate::domain::flow::{Block, BlockId, Edge, EdgeId, Flow, FlowMeta, Point, PortRef};

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
