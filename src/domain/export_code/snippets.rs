//! "Get code" for one Prompt block: the request as a cURL command and a short Python and
//! TypeScript snippet (Node) with the provider's official SDK. Keys stay environment variables
//! (`$OPENAI_API_KEY`); `{{placeholders}}` are left for the reader to fill.

use std::fmt::Write as _;

use super::naming::{js_value, py_quote, py_value, quote};
use super::plan::{map_provider, Provider};
use crate::domain::blocks::PromptConfig;
use crate::domain::json_schema::OutputFormat;
use crate::domain::providers::{
    build_chat_request, supports, ChatMessage, ChatRequest, JsonMode, Param, ProviderKind, ProviderSettings, Role,
};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snippet {
    /// "cURL", "Python", "TypeScript".
    pub label: &'static str,
    pub code: String,
}

/// The three snippets for a Prompt block.
pub fn prompt_snippets(config: &PromptConfig) -> Vec<Snippet> {
    let (provider, model, note) = map_provider(&config.provider, &config.model);
    let note = note.map(|n| super::naming::comment_text(&n));
    // The SDK snippets stay short; the cURL command and Export as code have everything.
    let short = (!config.examples.is_empty() || config.conversation.is_some() || config.params != Default::default())
        .then_some(
            "Short version: the block's example turns, memory and advanced settings are in the cURL command and in \
             Export as code.",
        );
    let with = |comment: &str, code: String| match short {
        Some(text) => format!("{comment} {text}\n{code}"),
        None => code,
    };
    vec![
        Snippet { label: "cURL", code: curl(config, provider, &model, note.as_deref()) },
        Snippet { label: "Python", code: with("#", python(config, provider, &model, note.as_deref())) },
        Snippet { label: "TypeScript", code: with("//", node(config, provider, &model, note.as_deref())) },
    ]
}

fn kind(p: Provider) -> ProviderKind {
    match p {
        Provider::OpenAi => ProviderKind::OpenAi,
        Provider::Compatible => ProviderKind::OpenAiCompatible,
        Provider::Anthropic => ProviderKind::Anthropic,
        Provider::Gemini => ProviderKind::Gemini,
        Provider::Ollama => ProviderKind::Ollama,
    }
}

/// A shell word in single quotes (a `'` inside becomes `'\''`).
fn shell(text: &str) -> String {
    format!("'{}'", text.replace('\'', "'\\''"))
}

fn curl(config: &PromptConfig, provider: Provider, model: &str, note: Option<&str>) -> String {
    // As the engine builds it (engine/request.rs): example turns before the user message, and
    // only the settings this provider takes.
    let mut messages: Vec<ChatMessage> = config
        .examples
        .iter()
        .map(|e| match e.role {
            Role::User => ChatMessage::user(e.text.clone()),
            Role::Assistant => ChatMessage::assistant(e.text.clone()),
        })
        .collect();
    messages.push(ChatMessage::user(config.user.clone()));
    let takes = |param| supports(kind(provider), param);
    let p = &config.params;
    let chat = ChatRequest {
        model: model.to_string(),
        system: (!config.system.trim().is_empty()).then(|| config.system.clone()),
        messages,
        stop: if takes(Param::Stop) { p.stop.clone() } else { Vec::new() },
        top_p: p.top_p.filter(|_| takes(Param::TopP)),
        seed: p.seed.filter(|_| takes(Param::Seed)),
        reasoning_effort: p.reasoning_effort.clone().filter(|_| takes(Param::ReasoningEffort)),
        thinking_budget: p.thinking_budget.filter(|_| takes(Param::ThinkingBudget)),
        temperature: config.temperature,
        max_tokens: config.max_tokens,
        json_mode: match &config.output_format {
            OutputFormat::Text => None,
            OutputFormat::Json => Some(JsonMode::AnyObject),
            OutputFormat::JsonSchema { schema } => {
                Some(JsonMode::Schema { name: "output".into(), schema: schema.clone() })
            }
        },
        ..ChatRequest::default()
    };
    let key = provider.key_env().map(|k| format!("${k}")).unwrap_or_default();
    let settings = ProviderSettings { base_url: String::new(), api_key: key.clone() };
    let mut o = String::new();
    if let Some(n) = note {
        let _ = writeln!(o, "# {n}");
    }
    o.push_str("# Fill in the {{placeholders}}; -N shows the answer as it streams.\n");
    let Ok(request) = build_chat_request(kind(provider), &settings, &chat) else {
        o.push_str("# This block's settings do not make a request yet.\n");
        return o;
    };
    let _ = write!(o, "curl -N {}", shell(&request.url));
    for (name, value) in &request.headers {
        if !key.is_empty() && value.contains(&key) {
            // Double quotes so the shell puts the key in from the environment.
            let _ = write!(o, " \\\n  -H \"{name}: {value}\"");
        } else {
            let _ = write!(o, " \\\n  -H {}", shell(&format!("{name}: {value}")));
        }
    }
    if let Some(body) = &request.body {
        let pretty = serde_json::from_str::<serde_json::Value>(body)
            .ok()
            .and_then(|v| serde_json::to_string_pretty(&v).ok())
            .unwrap_or_else(|| body.clone());
        let _ = write!(o, " \\\n  -d {}", shell(&pretty));
    }
    o.push('\n');
    o
}

fn python(config: &PromptConfig, provider: Provider, model: &str, note: Option<&str>) -> String {
    let mut o = String::new();
    if let Some(n) = note {
        let _ = writeln!(o, "# {n}");
    }
    let (base_env, base) = provider.base_env();
    let key = provider.key_env().unwrap_or("");
    let system = py_quote(&config.system);
    let user = py_quote(&config.user);
    let mut opts = Vec::new();
    match provider {
        Provider::OpenAi | Provider::Compatible => {
            let _ = writeln!(o, "import os\n\nfrom openai import OpenAI\n\nclient = OpenAI(api_key=os.environ[{}], base_url=os.environ.get({}, {}))", py_quote(key), py_quote(base_env), py_quote(base));
            if let Some(t) = config.temperature {
                opts.push(format!("temperature={t}"));
            }
            if let Some(m) = config.max_tokens {
                opts.push(format!("max_completion_tokens={m}"));
            }
            match &config.output_format {
                OutputFormat::Text => {}
                OutputFormat::Json => opts.push("response_format={\"type\": \"json_object\"}".into()),
                OutputFormat::JsonSchema { schema } => opts.push(format!(
                    "response_format={}",
                    py_value(&serde_json::json!({"type": "json_schema", "json_schema": {"name": "output", "schema": schema, "strict": true}}), 4)
                )),
            }
            let system_line = if config.system.trim().is_empty() {
                String::new()
            } else {
                format!("        {{\"role\": \"system\", \"content\": {system}}},\n")
            };
            let _ = write!(o, "response = client.chat.completions.create(\n    model={},\n", py_quote(model));
            for opt in opts {
                let _ = writeln!(o, "    {opt},");
            }
            let _ = write!(o, "    messages=[\n{system_line}        {{\"role\": \"user\", \"content\": {user}}},\n    ],\n)\nprint(response.choices[0].message.content)\n");
        }
        Provider::Anthropic => {
            let _ = writeln!(
                o,
                "import os\n\nfrom anthropic import Anthropic\n\nclient = Anthropic(api_key=os.environ[{}])",
                py_quote(key)
            );
            let _ = write!(
                o,
                "message = client.messages.create(\n    model={},\n    max_tokens={},\n",
                py_quote(model),
                config.max_tokens.unwrap_or(super::plan::ANTHROPIC_DEFAULT_MAX_TOKENS)
            );
            if !config.system.trim().is_empty() {
                let _ = writeln!(o, "    system={system},");
            }
            let _ = write!(
                o,
                "    messages=[{{\"role\": \"user\", \"content\": {user}}}],\n)\nprint(message.content[0].text)\n"
            );
        }
        Provider::Gemini => {
            let _ = writeln!(o, "import os\n\nfrom google import genai\nfrom google.genai import types\n\nclient = genai.Client(api_key=os.environ[{}])", py_quote(key));
            let mut cfg = Vec::new();
            if !config.system.trim().is_empty() {
                cfg.push(format!("system_instruction={system}"));
            }
            if let Some(t) = config.temperature {
                cfg.push(format!("temperature={t}"));
            }
            if let Some(m) = config.max_tokens {
                cfg.push(format!("max_output_tokens={m}"));
            }
            let _ = write!(
                o,
                "response = client.models.generate_content(\n    model={},\n    contents={user},\n    config=types.GenerateContentConfig({}),\n)\nprint(response.text)\n",
                py_quote(model),
                cfg.join(", ")
            );
        }
        Provider::Ollama => {
            let _ = writeln!(
                o,
                "import os\n\nfrom ollama import Client\n\nclient = Client(host=os.environ.get({}, {}))",
                py_quote(base_env),
                py_quote(base)
            );
            let system_line = if config.system.trim().is_empty() {
                String::new()
            } else {
                format!("        {{\"role\": \"system\", \"content\": {system}}},\n")
            };
            let _ = write!(o, "response = client.chat(\n    model={},\n    messages=[\n{system_line}        {{\"role\": \"user\", \"content\": {user}}},\n    ],\n)\nprint(response.message.content)\n", py_quote(model));
        }
    }
    o
}

fn node(config: &PromptConfig, provider: Provider, model: &str, note: Option<&str>) -> String {
    let mut o = String::new();
    if let Some(n) = note {
        let _ = writeln!(o, "// {n}");
    }
    let (base_env, base) = provider.base_env();
    let key = provider.key_env().unwrap_or("");
    let system = quote(&config.system);
    let user = quote(&config.user);
    let has_system = !config.system.trim().is_empty();
    match provider {
        Provider::OpenAi | Provider::Compatible => {
            let _ = writeln!(o, "import OpenAI from \"openai\";\n\nconst client = new OpenAI({{ apiKey: process.env.{key}, baseURL: process.env.{base_env} ?? {} }});", quote(base));
            let _ = write!(o, "const response = await client.chat.completions.create({{\n  model: {},\n", quote(model));
            if let Some(t) = config.temperature {
                let _ = writeln!(o, "  temperature: {t},");
            }
            if let Some(m) = config.max_tokens {
                let _ = writeln!(o, "  max_completion_tokens: {m},");
            }
            match &config.output_format {
                OutputFormat::Text => {}
                OutputFormat::Json => o.push_str("  response_format: { type: \"json_object\" },\n"),
                OutputFormat::JsonSchema { schema } => {
                    let _ = writeln!(
                        o,
                        "  response_format: {},",
                        js_value(
                            &serde_json::json!({"type": "json_schema", "json_schema": {"name": "output", "schema": schema, "strict": true}}),
                            2
                        )
                    );
                }
            }
            o.push_str("  messages: [\n");
            if has_system {
                let _ = writeln!(o, "    {{ role: \"system\", content: {system} }},");
            }
            let _ = write!(o, "    {{ role: \"user\", content: {user} }},\n  ],\n}});\nconsole.log(response.choices[0].message.content);\n");
        }
        Provider::Anthropic => {
            let _ = writeln!(o, "import Anthropic from \"@anthropic-ai/sdk\";\n\nconst client = new Anthropic({{ apiKey: process.env.{key} }});");
            let _ = write!(
                o,
                "const message = await client.messages.create({{\n  model: {},\n  max_tokens: {},\n",
                quote(model),
                config.max_tokens.unwrap_or(super::plan::ANTHROPIC_DEFAULT_MAX_TOKENS)
            );
            if has_system {
                let _ = writeln!(o, "  system: {system},");
            }
            let _ = write!(
                o,
                "  messages: [{{ role: \"user\", content: {user} }}],\n}});\nconsole.log(message.content.map((block) => (block.type === \"text\" ? block.text : \"\")).join(\"\"));\n"
            );
        }
        Provider::Gemini => {
            let _ = writeln!(o, "import {{ GoogleGenAI }} from \"@google/genai\";\n\nconst client = new GoogleGenAI({{ apiKey: process.env.{key} }});");
            let mut cfg = Vec::new();
            if has_system {
                cfg.push(format!("systemInstruction: {system}"));
            }
            if let Some(t) = config.temperature {
                cfg.push(format!("temperature: {t}"));
            }
            if let Some(m) = config.max_tokens {
                cfg.push(format!("maxOutputTokens: {m}"));
            }
            let _ = write!(o, "const response = await client.models.generateContent({{\n  model: {},\n  contents: {user},\n  config: {{ {} }},\n}});\nconsole.log(response.text);\n", quote(model), cfg.join(", "));
        }
        Provider::Ollama => {
            let _ = writeln!(o, "import {{ Ollama }} from \"ollama\";\n\nconst client = new Ollama({{ host: process.env.{base_env} ?? {} }});", quote(base));
            let _ = write!(o, "const response = await client.chat({{\n  model: {},\n  messages: [\n", quote(model));
            if has_system {
                let _ = writeln!(o, "    {{ role: \"system\", content: {system} }},");
            }
            let _ = write!(
                o,
                "    {{ role: \"user\", content: {user} }},\n  ],\n}});\nconsole.log(response.message.content);\n"
            );
        }
    }
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_stay_environment_variables_and_quotes_stay_quoted() {
        let config = PromptConfig { user: "It's \"{{ticket}}\" $(rm -rf /)".into(), ..PromptConfig::default() };
        let s = prompt_snippets(&config);
        assert_eq!(s.iter().map(|s| s.label).collect::<Vec<_>>(), ["cURL", "Python", "TypeScript"]);
        assert!(s[0].code.contains("-H \"authorization: Bearer $OPENAI_API_KEY\""), "{}", s[0].code);
        // The body is one single-quoted shell word: the quote is closed, escaped and reopened.
        assert!(s[0].code.contains("It'\\''s"), "{}", s[0].code);
        assert!(s[1].code.contains("os.environ[\"OPENAI_API_KEY\"]"));
        assert!(s[2].code.contains("process.env.OPENAI_API_KEY"));
        let anthropic = PromptConfig { provider: "anthropic".into(), model: "claude-haiku-4-5".into(), ..config };
        let s = prompt_snippets(&anthropic);
        assert!(s[0].code.contains("-H \"x-api-key: $ANTHROPIC_API_KEY\""), "{}", s[0].code);
        assert!(s[1].code.contains("max_tokens=1024"));
    }

    #[test]
    fn curl_sends_example_turns_and_the_settings_the_provider_takes() {
        use crate::domain::blocks::{ExampleTurn, ModelParams};
        let config = PromptConfig {
            examples: vec![ExampleTurn { role: Role::Assistant, text: "Hello, Bo!".into() }],
            params: ModelParams {
                top_p: Some(0.5),
                seed: Some(7),
                thinking_budget: Some(2048),
                ..ModelParams::default()
            },
            ..PromptConfig::default()
        };
        let s = prompt_snippets(&config);
        assert!(s[0].code.contains("Hello, Bo!") && s[0].code.contains("\"top_p\": 0.5"), "{}", s[0].code);
        assert!(s[0].code.contains("\"seed\": 7") && !s[0].code.contains("thinking"), "{}", s[0].code);
        assert!(s[1].code.starts_with("# Short version"), "{}", s[1].code);
        let anthropic = PromptConfig { provider: "anthropic".into(), model: "claude-haiku-4-5".into(), ..config };
        let s = prompt_snippets(&anthropic);
        assert!(s[0].code.contains("\"budget_tokens\": 2048") && !s[0].code.contains("seed"), "{}", s[0].code);
    }
}
