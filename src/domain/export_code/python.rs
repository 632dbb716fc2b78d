//! The Python export: `main.py` (asyncio, one function per block, the flow's levels run with
//! `asyncio.gather`), `requirements.txt` pinned to the versions the tests run, a README.

use std::fmt::Write as _;

use super::naming::{comment_text, multiline_literal, param, py_quote as quote, py_value};
use super::plan::{anthropic_budget, Arg, Plan, PromptStep, Provider, Step, StepKind};
use super::{readme, ExportFile, ExportSource};
use crate::domain::blocks::tool::ToolAction;
use crate::domain::json_schema::OutputFormat;
use crate::domain::media::MediaKind;
use crate::domain::providers::{Role, ToolChoice};

/// The versions `make test` installs and runs (tests/export/requirements.txt).
pub const REQUIREMENTS: &[(&str, &str)] = &[
    ("openai", "3.57.0"),
    ("anthropic", "2.16.0"),
    ("google-genai", "3.6.1"),
    ("ollama", "0.6.3"),
    ("rank-bm25", "0.2.2"),
];

pub fn files(plan: &Plan, source: &ExportSource) -> Vec<ExportFile> {
    let mut files = vec![
        ExportFile::new("main.py", main_py(plan)),
        ExportFile::new("requirements.txt", requirements(plan)),
        ExportFile::new("README.md", readme::python(plan)),
    ];
    files.extend(readme::documents(plan, source));
    files
}

fn requirements(plan: &Plan) -> String {
    let providers = plan.providers();
    let mut out = String::new();
    for (name, version) in REQUIREMENTS {
        let used = match *name {
            "openai" => providers.contains(&Provider::OpenAi) || providers.contains(&Provider::Compatible),
            "anthropic" => providers.contains(&Provider::Anthropic),
            "google-genai" => providers.contains(&Provider::Gemini),
            "ollama" => providers.contains(&Provider::Ollama),
            "rank-bm25" => plan.has_retrieve(),
            _ => false,
        };
        if used {
            let _ = writeln!(out, "{name}=={version}");
        }
    }
    out
}

fn main_py(plan: &Plan) -> String {
    let mut o = String::new();
    let title = if plan.title.trim().is_empty() { "Untitled flow".to_string() } else { comment_text(&plan.title) };
    let _ = writeln!(o, "# {title}: exported from Chainboard.");
    if !plan.description.trim().is_empty() {
        let _ = writeln!(o, "# {}", comment_text(&plan.description));
    }
    o.push_str("#\n# Run: python main.py --help (see README.md). Keys come from environment variables.\n");
    for (t, text) in &plan.notes {
        let _ = writeln!(o, "#\n# Note \u{201c}{}\u{201d}: {}", comment_text(t), comment_text(text));
    }
    for todo in &plan.todos {
        let _ = writeln!(o, "# TODO: {}", comment_text(todo));
    }
    o.push('\n');
    imports(plan, &mut o);
    clients(plan, &mut o);
    o.push_str(RENDER);
    if plan.sends_images() || plan.has_media(MediaKind::Audio) {
        o.push_str(MEDIA);
    }
    let helpers = super::plan::helpers(plan);
    for family in &helpers.families {
        o.push_str(match family {
            Provider::OpenAi | Provider::Compatible => OPENAI_CONTENT,
            Provider::Anthropic => ANTHROPIC_CONTENT,
            Provider::Gemini => GEMINI_CONTENT,
            Provider::Ollama => OLLAMA_CONTENT,
        });
    }
    for family in &helpers.ask {
        o.push_str(match family {
            Provider::OpenAi | Provider::Compatible => ASK_OPENAI,
            Provider::Anthropic => ASK_ANTHROPIC,
            Provider::Gemini => ASK_GEMINI,
            Provider::Ollama => ASK_OLLAMA,
        });
    }
    if !helpers.agent.is_empty() {
        o.push_str(CALL_TOOL);
    }
    for family in &helpers.agent {
        o.push_str(match family {
            Provider::OpenAi | Provider::Compatible => AGENT_OPENAI,
            Provider::Anthropic => AGENT_ANTHROPIC,
            Provider::Gemini => AGENT_GEMINI,
            Provider::Ollama => AGENT_OLLAMA,
        });
    }
    if plan.steps.iter().any(|s| matches!(&s.kind, StepKind::Transcribe(t) if t.provider != Provider::Gemini)) {
        o.push_str(TRANSCRIBE_OPENAI);
    }
    if plan.has_retrieve() {
        o.push_str(SEARCH);
    }
    if plan.has_http_tool() {
        o.push_str(HTTP_TOOL);
    }
    super::python_control::helpers(plan, &mut o);
    if !plan.tools.is_empty() {
        tools(plan, &mut o);
    }
    for step in &plan.steps {
        step_fn(step, plan, &mut o);
    }
    run_flow(plan, &mut o);
    main_fn(plan, &mut o);
    o
}

fn imports(plan: &Plan, o: &mut String) {
    let providers = plan.providers();
    let looping = plan.has(|k| matches!(k, StepKind::Loop(_)));
    let asks = looping || plan.has(|k| matches!(k, StepKind::Approval(_)));
    o.push_str("import argparse\nimport asyncio\n");
    if plan.sends_images() || plan.has_media(MediaKind::Audio) {
        o.push_str("import base64\n");
    }
    o.push_str("import json\n");
    if plan.sends_images() || plan.has_media(MediaKind::Audio) {
        o.push_str("import mimetypes\n");
    }
    let numbers = plan.rules().any(|r| matches!(r.test, crate::domain::blocks::RuleTest::NumberInRange { .. }));
    if numbers || plan.has_retrieve() {
        o.push_str("import math\n");
    }
    o.push_str("import os\n");
    if plan.has_retrieve() {
        o.push_str("import pathlib\n");
    }
    o.push_str("import re\n");
    if asks || plan.conversational() {
        o.push_str("import sys\n");
    }
    if plan.has_http_tool() {
        o.push_str("import urllib.error\nimport urllib.parse\nimport urllib.request\n");
    }
    o.push('\n');
    if providers.contains(&Provider::Anthropic) {
        o.push_str("from anthropic import AsyncAnthropic\n");
    }
    if providers.contains(&Provider::Gemini) {
        o.push_str("from google import genai\nfrom google.genai import types\n");
    }
    if providers.contains(&Provider::Ollama) {
        o.push_str("from ollama import AsyncClient as OllamaClient\n");
    }
    if providers.contains(&Provider::OpenAi) || providers.contains(&Provider::Compatible) {
        o.push_str("from openai import AsyncOpenAI\n");
    }
    if plan.has_retrieve() {
        o.push_str("from rank_bm25 import BM25Okapi\n");
    }
    o.push('\n');
}

fn clients(plan: &Plan, o: &mut String) {
    let providers = plan.providers();
    if providers.is_empty() {
        return;
    }
    o.push_str("# Keys and addresses come from the environment: never write a key into this file.\n");
    for p in providers {
        let (base_env, base_default) = p.base_env();
        let base = format!("os.environ.get({}, {})", quote(base_env), quote(base_default));
        let key = p.key_env().map(|k| format!("os.environ.get({})", quote(k)));
        let _ = match p {
            Provider::OpenAi | Provider::Compatible => writeln!(
                o,
                "{} = AsyncOpenAI(\n    api_key={},\n    base_url={base},\n)",
                p.client(),
                key.unwrap_or_default()
            ),
            Provider::Anthropic => {
                writeln!(o, "{} = AsyncAnthropic(\n    api_key={},\n    base_url={base},\n)", p.client(), key.unwrap_or_default())
            }
            Provider::Gemini => writeln!(
                o,
                "{} = genai.Client(\n    api_key={},\n    http_options=types.HttpOptions(base_url={base}, api_version=\"v1beta\"),\n)",
                p.client(),
                key.unwrap_or_default()
            ),
            Provider::Ollama => writeln!(o, "{} = OllamaClient(host={base})", p.client()),
        };
    }
    o.push('\n');
}

fn tools(plan: &Plan, o: &mut String) {
    for tool in &plan.tools {
        let _ = writeln!(
            o,
            "\n# Tool \u{201c}{}\u{201d}: {}",
            comment_text(&tool.title),
            comment_text(&tool.config.description)
        );
        match &tool.config.action {
            ToolAction::Mock(mock) => {
                o.push_str("# In Chainboard this tool is a mock with fixed answers. Replace the body with a call to\n# your system.\n");
                let _ = writeln!(o, "async def {}(args: dict) -> str:", tool.func);
                for row in &mock.rows {
                    let _ = writeln!(
                        o,
                        "    if arg_text(args, {}).strip().lower() == {}:",
                        quote(row.argument.trim()),
                        quote(&row.equals.trim().to_lowercase())
                    );
                    let _ = writeln!(o, "        return mock_fill({}, args)", quote(&row.response));
                }
                let _ = writeln!(o, "    return mock_fill({}, args)", quote(&mock.response));
            }
            ToolAction::Http(http) => {
                let _ = writeln!(o, "async def {}(args: dict) -> str:", tool.func);
                let headers: Vec<String> =
                    http.headers.iter().map(|h| format!("{}: {}", quote(h.name.trim()), quote(&h.value))).collect();
                let _ = writeln!(
                    o,
                    "    return await http_tool(\n        {},\n        {},\n        {{{}}},\n        {},\n        {},\n        args,\n    )",
                    quote(http.method.id()),
                    quote(&http.url),
                    headers.join(", "),
                    quote(&http.body),
                    quote(&http.json_path)
                );
            }
            ToolAction::SubFlow(_) => {
                let _ = writeln!(o, "async def {}(args: dict) -> str:", tool.func);
                o.push_str("    # TODO: this tool runs another Chainboard flow. Export that flow and call it here.\n");
                o.push_str("    return \"This tool is not available in the exported code yet.\"\n");
            }
        }
        o.push('\n');
        let _ = writeln!(o, "{}_TOOL = {{", tool.func.to_uppercase());
        let _ = writeln!(o, "    \"name\": {},", quote(&tool.config.name));
        let _ = writeln!(o, "    \"description\": {},", quote(&tool.config.description));
        let _ = writeln!(o, "    \"parameters\": {},", py_value(&tool.schema, 4));
        let _ = writeln!(o, "    \"run\": {},", tool.func);
        o.push_str("}\n\n");
    }
    o.push_str(MOCK_FILL);
}

fn params(step: &Step) -> String {
    step.args.iter().map(|a| format!("{}: str", param(&a.name))).collect::<Vec<_>>().join(", ")
}

/// `render(TEMPLATE, {...})` over the text arguments (media arguments render as nothing:
/// the file goes along as an attachment).
pub(super) fn render_call(template: &str, args: &[Arg], indent: &str) -> String {
    let used = crate::domain::template::variables(template);
    let values: Vec<String> = used
        .iter()
        .map(|name| {
            let media = args.iter().any(|a| &a.name == name && a.media.is_some());
            let value = if media { "\"\"".to_string() } else { param(name) };
            format!("{}: {value}", quote(name))
        })
        .collect();
    if used.is_empty() {
        return multiline_literal(template, indent, "", ("(", ")"), &quote);
    }
    let values = format!("{{{}}}", values.join(", "));
    if !template.contains('\n') {
        return format!("render({}, {values})", quote(template));
    }
    // A long template: one line of the template per line of code, then the values.
    let pieces: Vec<String> = template.split_inclusive('\n').map(|p| format!("{indent}    {}", quote(p))).collect();
    format!("render(\n{},\n{indent}    {values},\n{indent})", pieces.join("\n"))
}

fn step_fn(step: &Step, plan: &Plan, o: &mut String) {
    o.push('\n');
    if super::python_control::step_fn(step, plan, o) {
        o.push('\n');
        return;
    }
    match &step.kind {
        StepKind::Prompt(p) => {
            let _ = writeln!(
                o,
                "# Prompt \u{201c}{}\u{201d} ({}, {})",
                comment_text(&step.title),
                p.provider.label(),
                comment_text(&p.model)
            );
            if let Some(note) = &p.note {
                let _ = writeln!(o, "# {}", comment_text(note));
            }
            let mut params = params(step);
            if p.config.conversation.is_some() {
                // The earlier turns of the conversation, oldest first.
                params = [params, "history: list".to_string()]
                    .into_iter()
                    .filter(|s| !s.is_empty())
                    .collect::<Vec<_>>()
                    .join(", ");
            }
            let _ = writeln!(o, "async def {}({params}) -> str:", step.func);
            prompt_call(p, plan, &step.args, "    ", o);
        }
        StepKind::Retrieve(cfg) => {
            let _ = writeln!(
                o,
                "# Retrieve \u{201c}{}\u{201d}: the {} best passages by keywords (BM25)",
                comment_text(&step.title),
                cfg.top_k
            );
            let _ = writeln!(o, "async def {}({}) -> tuple[str, str]:", step.func, params(step));
            let _ = writeln!(o, "    query = {}", render_call(&cfg.query, &step.args, "    "));
            let _ = writeln!(
                o,
                "    return search(query, top_k={}, min_score={:?})",
                cfg.top_k.clamp(1, 50),
                cfg.min_score
            );
        }
        StepKind::Transcribe(t) => {
            let _ = writeln!(
                o,
                "# Transcribe \u{201c}{}\u{201d} ({}, {})",
                comment_text(&step.title),
                t.provider.label(),
                comment_text(&t.model)
            );
            if let Some(note) = &t.note {
                let _ = writeln!(o, "# {}", comment_text(note));
            }
            let _ = writeln!(o, "async def {}({}) -> str:", step.func, params(step));
            let audio = step.args.first().map(|a| param(&a.name)).unwrap_or_else(|| "\"\"".into());
            if t.provider == Provider::Gemini {
                let _ = writeln!(
                    o,
                    "    return await ask_gemini(gemini_client, {}, \"\", {}, media=[{audio}])",
                    quote(&t.model),
                    quote(&t.instruction)
                );
            } else {
                let _ = writeln!(
                    o,
                    "    return await transcribe_openai({}, {}, {audio}, language={}, hint={})",
                    t.provider.client(),
                    quote(&t.model),
                    quote(t.config.language.trim()),
                    quote(t.config.hint.trim())
                );
            }
        }
        StepKind::Router(_) | StepKind::Transform(_) | StepKind::Approval(_) | StepKind::Loop(_) => {}
        StepKind::Todo { kind } => {
            let _ = writeln!(
                o,
                "# TODO: \u{201c}{}\u{201d} is a {} block, which the exporter cannot write yet.",
                comment_text(&step.title),
                comment_text(kind)
            );
            let ret = if step.outputs.len() == 1 {
                "str".to_string()
            } else {
                format!("tuple[{}]", vec!["str"; step.outputs.len()].join(", "))
            };
            let _ = writeln!(o, "async def {}({}) -> {ret}:", step.func, params(step));
            let empties = vec!["\"\""; step.outputs.len().max(1)].join(", ");
            let _ = writeln!(o, "    return {empties}");
        }
    }
    o.push('\n');
}

fn tool_choice(choice: &ToolChoice, provider: Provider) -> Option<String> {
    let text = match (choice, provider) {
        (ToolChoice::Auto, _) => return None,
        (ToolChoice::Required, Provider::Anthropic) => "{\"type\": \"any\"}".to_string(),
        (ToolChoice::None, Provider::Anthropic) => "{\"type\": \"none\"}".to_string(),
        (ToolChoice::Tool(n), Provider::Anthropic) => format!("{{\"type\": \"tool\", \"name\": {}}}", quote(n)),
        (ToolChoice::Required, Provider::Gemini) => "\"ANY\"".to_string(),
        (ToolChoice::None, Provider::Gemini) => "\"NONE\"".to_string(),
        (ToolChoice::Tool(n), Provider::Gemini) => quote(n),
        (_, Provider::Ollama) => return None,
        (ToolChoice::Required, _) => "\"required\"".to_string(),
        (ToolChoice::None, _) => "\"none\"".to_string(),
        (ToolChoice::Tool(n), _) => format!("{{\"type\": \"function\", \"function\": {{\"name\": {}}}}}", quote(n)),
    };
    Some(text)
}

/// The body of a Prompt's function (also a Loop's per-item call): render the templates, then
/// call the SDK with the block's settings, exactly as the app sends them.
pub(super) fn prompt_call(p: &PromptStep, plan: &Plan, args: &[Arg], indent: &str, o: &mut String) {
    let c = &p.config;
    let _ = writeln!(o, "{indent}system = {}", render_call(&c.system, args, indent));
    let _ = writeln!(o, "{indent}user = {}", render_call(&c.user, args, indent));
    let mut turns = Vec::new();
    if !c.examples.is_empty() {
        let _ = writeln!(o, "{indent}# Example turns, sent between the system message and the user message.");
        let _ = writeln!(o, "{indent}examples = [");
        let inner = format!("{indent}    ");
        for e in &c.examples {
            let role = match e.role {
                Role::User => "user",
                Role::Assistant => "assistant",
            };
            let _ = writeln!(o, "{inner}(\"{role}\", {}),", render_call(&e.text, args, &inner));
        }
        let _ = writeln!(o, "{indent}]");
        turns.push("examples");
    }
    if let Some(memory) = c.conversation {
        let _ = writeln!(
            o,
            "{indent}# It remembers the conversation: the last {} turns go before the new message.",
            memory.turns
        );
        turns.push("history");
    }
    let media: Vec<String> = args.iter().filter(|a| a.media.is_some()).map(|a| param(&a.name)).collect();
    let agent = !p.tools.is_empty();
    let helper = match (p.provider, agent) {
        (Provider::OpenAi | Provider::Compatible, false) => "ask_openai",
        (Provider::OpenAi | Provider::Compatible, true) => "agent_openai",
        (Provider::Anthropic, false) => "ask_anthropic",
        (Provider::Anthropic, true) => "agent_anthropic",
        (Provider::Gemini, false) => "ask_gemini",
        (Provider::Gemini, true) => "agent_gemini",
        (Provider::Ollama, false) => "ask_ollama",
        (Provider::Ollama, true) => "agent_ollama",
    };
    let mut call_args = vec![p.provider.client().to_string(), quote(&p.model), "system".into(), "user".into()];
    if !media.is_empty() {
        call_args.push(format!("media=[{}]", media.join(", ")));
    }
    if !turns.is_empty() {
        call_args.push(format!("turns={}", turns.join(" + ")));
    }
    if agent {
        let tools: Vec<String> = p
            .tools
            .iter()
            .filter_map(|i| plan.tools.get(*i))
            .map(|t| format!("{}_TOOL", t.func.to_uppercase()))
            .collect();
        call_args.push(format!("tools=[{}]", tools.join(", ")));
        call_args.push(format!("max_steps={}", c.max_steps));
        if let Some(choice) = tool_choice(&c.tool_choice, p.provider) {
            call_args.push(format!("tool_choice={choice}"));
        }
    }
    call_args.extend(options(p));
    let _ = writeln!(o, "{indent}return await {helper}(");
    for a in call_args {
        let _ = writeln!(o, "{indent}    {a},");
    }
    let _ = writeln!(o, "{indent})");
}

/// The SDK arguments for a Prompt's settings: only what its provider takes, in the shape the
/// app sends (see src/domain/providers/).
fn options(p: &PromptStep) -> Vec<String> {
    let c = &p.config;
    let x = &c.params;
    let top_p = x.top_p.filter(|t| t.is_finite());
    let stop: Vec<&str> = x.stop.iter().map(String::as_str).filter(|s| !s.is_empty()).collect();
    let stop =
        (!stop.is_empty()).then(|| format!("[{}]", stop.iter().map(|s| quote(s)).collect::<Vec<_>>().join(", ")));
    let temperature = c.temperature.filter(|t| t.is_finite());
    let mut options: Vec<String> = Vec::new();
    match p.provider {
        Provider::OpenAi | Provider::Compatible => {
            if let Some(t) = temperature {
                options.push(format!("temperature={t}"));
            }
            if let Some(m) = c.max_tokens {
                let field = if p.provider == Provider::OpenAi { "max_completion_tokens" } else { "max_tokens" };
                options.push(format!("{field}={m}"));
            }
            if let Some(t) = top_p {
                options.push(format!("top_p={t}"));
            }
            if let Some(s) = stop {
                options.push(format!("stop={s}"));
            }
            if let Some(seed) = x.seed {
                options.push(format!("seed={seed}"));
            }
            if let Some(effort) = &x.reasoning_effort {
                options.push(format!("reasoning_effort={}", quote(effort)));
            }
            match &c.output_format {
                OutputFormat::Text => {}
                OutputFormat::Json => options.push("response_format={\"type\": \"json_object\"}".into()),
                OutputFormat::JsonSchema { schema } => options.push(format!(
                    "response_format={}",
                    py_value(&serde_json::json!({"type": "json_schema", "json_schema": {"name": "output", "schema": schema, "strict": true}}), 8)
                )),
            }
        }
        Provider::Anthropic => {
            let (max_tokens, thinking) = anthropic_budget(c.max_tokens, x.thinking_budget);
            options.push(format!("max_tokens={max_tokens}"));
            // With thinking on, Anthropic takes no temperature.
            if let (Some(t), None) = (temperature, thinking) {
                options.push(format!("temperature={t}"));
            }
            if let Some(t) = top_p {
                options.push(format!("top_p={t}"));
            }
            if let Some(budget) = thinking {
                options.push(format!("thinking={{\"type\": \"enabled\", \"budget_tokens\": {budget}}}"));
            }
            if let Some(s) = stop {
                options.push(format!("stop_sequences={s}"));
            }
            match &c.output_format {
                OutputFormat::Text => {}
                OutputFormat::Json => options.push("output_schema={\"type\": \"object\"}".into()),
                OutputFormat::JsonSchema { schema } => options.push(format!("output_schema={}", py_value(schema, 8))),
            }
        }
        Provider::Gemini => {
            if let Some(t) = temperature {
                options.push(format!("temperature={t}"));
            }
            if let Some(m) = c.max_tokens {
                options.push(format!("max_output_tokens={m}"));
            }
            if let Some(s) = stop {
                options.push(format!("stop_sequences={s}"));
            }
            if let Some(t) = top_p {
                options.push(format!("top_p={t}"));
            }
            if let Some(seed) = x.seed {
                options.push(format!("seed={seed}"));
            }
            if let Some(budget) = x.thinking_budget {
                options.push(format!("thinking_config=types.ThinkingConfig(thinking_budget={budget})"));
            }
            match &c.output_format {
                OutputFormat::Text => {}
                OutputFormat::Json => options.push("response_mime_type=\"application/json\"".into()),
                OutputFormat::JsonSchema { schema } => {
                    options.push("response_mime_type=\"application/json\"".into());
                    options.push(format!("response_json_schema={}", py_value(schema, 8)));
                }
            }
        }
        Provider::Ollama => {
            let mut opts = Vec::new();
            if let Some(t) = temperature {
                opts.push(format!("\"temperature\": {t}"));
            }
            if let Some(m) = c.max_tokens {
                opts.push(format!("\"num_predict\": {m}"));
            }
            if let Some(s) = stop {
                opts.push(format!("\"stop\": {s}"));
            }
            if let Some(t) = top_p {
                opts.push(format!("\"top_p\": {t}"));
            }
            if let Some(seed) = x.seed {
                opts.push(format!("\"seed\": {seed}"));
            }
            if !opts.is_empty() {
                options.push(format!("options={{{}}}", opts.join(", ")));
            }
            match &c.output_format {
                OutputFormat::Text => {}
                OutputFormat::Json => options.push("format=\"json\"".into()),
                OutputFormat::JsonSchema { schema } => options.push(format!("format={}", py_value(schema, 8))),
            }
        }
    }
    options
}

fn run_flow(plan: &Plan, o: &mut String) {
    let mut params: Vec<String> = plan.inputs.iter().map(|i| format!("{}: str", i.ident)).collect();
    if plan.conversational() {
        params.push("history: list = ()".into());
    }
    let _ = writeln!(o, "\nasync def run_flow({}) -> list[tuple[str, str | None]]:", params.join(", "));
    o.push_str("    # Blocks run in the flow's order; blocks that do not depend on each other run at the same time.\n");
    if plan.conversational() {
        o.push_str(
            "    # `history` is the conversation so far: (what the user said, the answer) pairs, oldest first.\n",
        );
    }
    if plan.has_branches() {
        o.push_str("    # None marks a branch that was not taken: the blocks on it do not run.\n");
    }
    for group in plan.levels() {
        let target = |s: &Step| {
            let vars: Vec<&str> = s.outputs.iter().map(|(_, v)| v.as_str()).collect();
            if vars.len() == 1 {
                vars[0].to_string()
            } else {
                format!("({})", vars.join(", "))
            }
        };
        if let [one] = group.as_slice() {
            let t = target(one);
            let t = t.trim_start_matches('(').trim_end_matches(')');
            let _ = writeln!(o, "    {t} = await {}", call(one));
        } else {
            let targets: Vec<String> = group.iter().map(|s| target(s)).collect();
            let _ = writeln!(o, "    {} = await asyncio.gather(", targets.join(", "));
            for s in &group {
                let _ = writeln!(o, "        {},", call(s));
            }
            o.push_str("    )\n");
        }
    }
    o.push_str("    return [\n");
    for out in &plan.outputs {
        let value = match out.sources.as_slice() {
            [] => "\"\"".to_string(),
            [one] => one.clone(),
            many => format!("first_taken({})", many.join(", ")),
        };
        let _ = writeln!(o, "        ({}, {value}),", quote(&out.title));
    }
    o.push_str("    ]\n\n");
}

/// The call of one step in `run_flow`: through `when_taken` when it sits on a branch.
fn call(s: &Step) -> String {
    let mut args: Vec<String> = s.args.iter().map(|a| a.source.clone().unwrap_or_else(|| "\"\"".into())).collect();
    if let StepKind::Prompt(p) = &s.kind {
        if let Some(memory) = p.config.conversation {
            args.push(format!("recent_turns(history, {})", memory.turns));
        }
    }
    if !s.conditional {
        return format!("{}({})", s.func, args.join(", "));
    }
    let outputs = if s.outputs.len() > 1 { format!(", outputs={}", s.outputs.len()) } else { String::new() };
    format!("when_taken({}, {}{outputs})", s.func, args.join(", "))
}

fn main_fn(plan: &Plan, o: &mut String) {
    if plan.conversational() {
        chat_fn(plan, o);
    }
    o.push_str("\ndef main() -> None:\n");
    let desc = if plan.title.trim().is_empty() { "Runs the exported flow.".to_string() } else { plan.title.clone() };
    let _ = writeln!(o, "    parser = argparse.ArgumentParser(description={})", quote(&desc));
    for i in &plan.inputs {
        let help = match i.media {
            Some(MediaKind::Image) => format!("{}: path to an image file", i.block_title),
            Some(MediaKind::Audio) => format!("{}: path to an audio file", i.block_title),
            None => i.block_title.clone(),
        };
        let _ = writeln!(
            o,
            "    parser.add_argument({}, dest={}, default={}, help={})",
            quote(&format!("--{}", i.name)),
            quote(&i.ident),
            multiline_literal(&i.default, "    ", "", ("(", ")"), &quote),
            quote(&help.replace('%', "%%"))
        );
    }
    o.push_str("    parser.add_argument(\"--json\", action=\"store_true\", help=\"print the answers as JSON\")\n");
    if plan.has(|k| matches!(k, StepKind::Approval(_))) {
        o.push_str(
            "    parser.add_argument(\n        \"--approve\", action=\"store_true\", help=\"approve every Approval without asking (or CHAINBOARD_AUTO_APPROVE=1)\"\n    )\n",
        );
    }
    if plan.conversational() {
        o.push_str("    parser.add_argument(\"--chat\", action=\"store_true\", help=\"talk to the flow, one message per line\")\n");
    }
    o.push_str("    args = parser.parse_args()\n");
    if plan.has(|k| matches!(k, StepKind::Approval(_))) {
        o.push_str("    if args.approve:\n        os.environ[\"CHAINBOARD_AUTO_APPROVE\"] = \"1\"\n");
    }
    if plan.conversational() {
        o.push_str("    if args.chat:\n        asyncio.run(chat(args))\n        return\n");
    }
    let call_args: Vec<String> = plan.inputs.iter().map(|i| format!("args.{}", i.ident)).collect();
    let _ = writeln!(o, "    outputs = asyncio.run(run_flow({}))", call_args.join(", "));
    o.push_str(
        "    if args.json:\n        print(json.dumps([{\"output\": t, \"answer\": a} for t, a in outputs], ensure_ascii=False))\n        return\n    for title, answer in outputs:\n",
    );
    if plan.outputs.iter().any(|out| out.conditional) {
        o.push_str("        if answer is None:\n            answer = \"(skipped: the branch that leads here was not taken)\"\n");
    }
    o.push_str("        print(f\"== {title} ==\\n{answer}\\n\")\n\n\nif __name__ == \"__main__\":\n    main()\n");
}

/// `--chat`: a conversation on the terminal, each line into the first text input, with the
/// turns so far sent to the Prompts that remember the conversation (as the Chat panel does).
fn chat_fn(plan: &Plan, o: &mut String) {
    let message = plan.inputs.iter().find(|i| i.media.is_none()).map(|i| i.ident.clone());
    o.push_str(RECENT_TURNS);
    o.push_str("\nasync def chat(args) -> None:\n");
    let _ = writeln!(
        o,
        "    # Each line you type is the new message; the first Output's answer is the reply. Ctrl-D ends."
    );
    o.push_str("    history = []\n    while True:\n        try:\n            message = await asyncio.to_thread(input, \"you> \")\n        except EOFError:\n            return\n        if not message.strip():\n            continue\n");
    let args: Vec<String> = plan
        .inputs
        .iter()
        .map(|i| if Some(&i.ident) == message.as_ref() { "message".to_string() } else { format!("args.{}", i.ident) })
        .chain(std::iter::once("history=history".to_string()))
        .collect();
    let _ = writeln!(o, "        outputs = await run_flow({})", args.join(", "));
    o.push_str("        answer = (outputs[0][1] if outputs else None) or \"\"\n        print(f\"bot> {answer}\")\n        history.append((message, answer))\n\n");
}

const RECENT_TURNS: &str = r#"
def recent_turns(history: list, turns: int) -> list:
    # The last `turns` turns of the conversation as user and assistant messages.
    recent = list(history)[-turns:] if turns else []
    return [message for user, answer in recent for message in (("user", user), ("assistant", answer))]

"#;

const RENDER: &str = r#"PLACEHOLDER = re.compile(r"\\\{\{|\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")


def render(template: str, values: dict) -> str:
    # Fills {{name}} placeholders as Chainboard does; \{{ stands for a literal {{.
    return PLACEHOLDER.sub(lambda m: values[m.group(1)] if m.group(1) else "{{", template)

"#;

const MEDIA: &str = r#"
def read_media(path: str) -> tuple[str, bytes]:
    # An image or audio file: its type (from the file name) and its bytes.
    mime = mimetypes.guess_type(path)[0] or "application/octet-stream"
    with open(path, "rb") as f:
        return mime, f.read()


def data_url(path: str) -> str:
    mime, data = read_media(path)
    return f"data:{mime};base64,{base64.b64encode(data).decode()}"

"#;

const OPENAI_CONTENT: &str = r#"
def openai_user_content(user: str, media: list) -> object:
    if not media:
        return user
    parts = [{"type": "image_url", "image_url": {"url": data_url(path)}} for path in media]
    return parts + [{"type": "text", "text": user}]

"#;

const ASK_OPENAI: &str = r#"
async def ask_openai(client, model: str, system: str, user: str, media: list = (), turns: list = (), **options) -> str:
    # One chat completion; `turns` are earlier (role, text) messages; `options` are the
    # block's settings (temperature, max tokens, the response format, ...).
    messages = [{"role": "system", "content": system}] if system.strip() else []
    messages += [{"role": role, "content": text} for role, text in turns]
    messages.append({"role": "user", "content": openai_user_content(user, list(media))})
    response = await client.chat.completions.create(model=model, messages=messages, **options)
    return response.choices[0].message.content or ""

"#;

const ANTHROPIC_CONTENT: &str = r#"
def anthropic_user_content(user: str, media: list) -> object:
    if not media:
        return user
    parts = []
    for path in media:
        mime, data = read_media(path)
        parts.append({"type": "image", "source": {"type": "base64", "media_type": mime, "data": base64.b64encode(data).decode()}})
    return parts + [{"type": "text", "text": user}]


def anthropic_messages(turns: list, content) -> list:
    # Anthropic wants user and assistant turns to alternate: turns of one role in a row become
    # one, as in Chainboard (texts joined by a blank line).
    messages = []
    for role, item in [*turns, ("user", content)]:
        if messages and messages[-1]["role"] == role:
            last = messages[-1]["content"]
            if isinstance(last, str) and isinstance(item, str):
                messages[-1]["content"] = f"{last}\n\n{item}"
            else:
                blocks = lambda c: [{"type": "text", "text": c}] if isinstance(c, str) else list(c)
                messages[-1]["content"] = blocks(last) + blocks(item)
        else:
            messages.append({"role": role, "content": item})
    return messages


def anthropic_params(system: str, output_schema, options: dict) -> dict:
    params = dict(options)
    if system.strip():
        params["system"] = system
    extra = {}
    for name in ("temperature", "top_p"):
        if name in params:
            # Sent in the body: this SDK version has no such argument; the API takes it.
            extra[name] = params.pop(name)
    if output_schema is not None:
        # Structured output: the answer is JSON matching the schema.
        extra["output_config"] = {"format": {"type": "json_schema", "schema": output_schema}}
    if extra:
        params["extra_body"] = extra
    return params

"#;

const ASK_ANTHROPIC: &str = r#"
async def ask_anthropic(client, model: str, system: str, user: str, media: list = (), turns: list = (), output_schema=None, **options) -> str:
    messages = anthropic_messages(list(turns), anthropic_user_content(user, list(media)))
    response = await client.messages.create(model=model, messages=messages, **anthropic_params(system, output_schema, options))
    return "".join(block.text for block in response.content if block.type == "text")

"#;

const GEMINI_CONTENT: &str = r#"
def gemini_contents(user: str, media: list) -> list:
    parts = []
    for path in media:
        mime, data = read_media(path)
        parts.append(types.Part.from_bytes(data=data, mime_type=mime))
    return parts + [types.Part.from_text(text=user)]

"#;

const ASK_GEMINI: &str = r#"
async def ask_gemini(client, model: str, system: str, user: str, media: list = (), turns: list = (), **options) -> str:
    config = types.GenerateContentConfig(system_instruction=system if system.strip() else None, **options)
    # Gemini calls the assistant "model".
    contents = [
        types.Content(role="model" if role == "assistant" else "user", parts=[types.Part.from_text(text=text)])
        for role, text in turns
    ]
    contents.append(types.Content(role="user", parts=gemini_contents(user, list(media))))
    response = await client.aio.models.generate_content(model=model, contents=contents, config=config)
    return response.text or ""

"#;

const OLLAMA_CONTENT: &str = r#"
def ollama_messages(system: str, user: str, media: list, turns: list = ()) -> list:
    messages = [{"role": "system", "content": system}] if system.strip() else []
    messages += [{"role": role, "content": text} for role, text in turns]
    message = {"role": "user", "content": user}
    if media:
        message["images"] = [base64.b64encode(read_media(path)[1]).decode() for path in media]
    return messages + [message]

"#;

const ASK_OLLAMA: &str = r#"
async def ask_ollama(client, model: str, system: str, user: str, media: list = (), turns: list = (), **options) -> str:
    response = await client.chat(model=model, messages=ollama_messages(system, user, list(media), list(turns)), **options)
    return response.message.content or ""

"#;

const CALL_TOOL: &str = r#"
STEP_LIMIT = (
    "Stopped after {steps} model calls: the model was still calling tools. Raise the step limit, "
    "or tell the model in the prompt when it has enough to answer."
)


async def call_tool(tools: list, name: str, arguments) -> str:
    # Runs one tool call; problems go back to the model as text it can act on, as in Chainboard.
    tool = next((t for t in tools if t["name"] == name), None)
    if tool is None:
        return f"There is no tool named {name}."
    if isinstance(arguments, str):
        try:
            arguments = json.loads(arguments) if arguments.strip() else {}
        except json.JSONDecodeError as e:
            return f"The arguments were not valid JSON ({e}). Send a JSON object."
    if not isinstance(arguments, dict):
        return 'The arguments must be a JSON object like {"name": value}.'
    for required in tool["parameters"].get("required", []):
        if arguments.get(required) is None:
            return f"Missing required argument \u201c{required}\u201d. Call {name} again with it."
    return await tool["run"](arguments)

"#;

const AGENT_OPENAI: &str = r#"
async def agent_openai(client, model: str, system: str, user: str, tools: list, max_steps: int, media: list = (), turns: list = (), tool_choice=None, **options) -> str:
    # The agent loop: call the model, run the tools it asks for, send the results back, until it
    # answers without calling a tool.
    messages = [{"role": "system", "content": system}] if system.strip() else []
    messages += [{"role": role, "content": text} for role, text in turns]
    messages.append({"role": "user", "content": openai_user_content(user, list(media))})
    specs = [{"type": "function", "function": {k: t[k] for k in ("name", "description", "parameters")}} for t in tools]
    for step in range(max_steps):
        # A forced tool choice applies to the first call only, or the model could never answer.
        choice = {"tool_choice": tool_choice} if tool_choice and step == 0 else {}
        response = await client.chat.completions.create(model=model, messages=messages, tools=specs, **choice, **options)
        message = response.choices[0].message
        if not message.tool_calls:
            return message.content or ""
        messages.append({
            "role": "assistant",
            "content": message.content,
            "tool_calls": [
                {"id": c.id, "type": "function", "function": {"name": c.function.name, "arguments": c.function.arguments}}
                for c in message.tool_calls
            ],
        })
        for c in message.tool_calls:
            result = await call_tool(tools, c.function.name, c.function.arguments)
            messages.append({"role": "tool", "tool_call_id": c.id, "content": result})
    raise RuntimeError(STEP_LIMIT.format(steps=max_steps))

"#;

const AGENT_ANTHROPIC: &str = r#"
async def agent_anthropic(client, model: str, system: str, user: str, tools: list, max_steps: int, media: list = (), turns: list = (), tool_choice=None, output_schema=None, **options) -> str:
    # The agent loop: call the model, run the tools it asks for, send the results back, until it
    # answers without calling a tool.
    messages = anthropic_messages(list(turns), anthropic_user_content(user, list(media)))
    specs = [{"name": t["name"], "description": t["description"], "input_schema": t["parameters"]} for t in tools]
    params = anthropic_params(system, output_schema, options)
    for step in range(max_steps):
        choice = {"tool_choice": tool_choice} if tool_choice and step == 0 else {}
        response = await client.messages.create(model=model, messages=messages, tools=specs, **choice, **params)
        calls = [block for block in response.content if block.type == "tool_use"]
        if not calls:
            return "".join(block.text for block in response.content if block.type == "text")
        messages.append({"role": "assistant", "content": [block.model_dump(exclude_none=True) for block in response.content]})
        results = []
        for c in calls:
            result = await call_tool(tools, c.name, c.input)
            results.append({"type": "tool_result", "tool_use_id": c.id, "content": result})
        messages.append({"role": "user", "content": results})
    raise RuntimeError(STEP_LIMIT.format(steps=max_steps))

"#;

const AGENT_GEMINI: &str = r#"
async def agent_gemini(client, model: str, system: str, user: str, tools: list, max_steps: int, media: list = (), turns: list = (), tool_choice=None, **options) -> str:
    # The agent loop: call the model, run the tools it asks for, send the results back, until it
    # answers without calling a tool.
    declarations = [
        types.FunctionDeclaration(name=t["name"], description=t["description"], parameters_json_schema=t["parameters"])
        for t in tools
    ]
    contents = [
        types.Content(role="model" if role == "assistant" else "user", parts=[types.Part.from_text(text=text)])
        for role, text in turns
    ]
    contents.append(types.Content(role="user", parts=gemini_contents(user, list(media))))
    for step in range(max_steps):
        calling = None
        if tool_choice and step == 0:
            mode, names = ("ANY", [tool_choice]) if tool_choice not in ("ANY", "NONE") else (tool_choice, None)
            calling = types.ToolConfig(function_calling_config=types.FunctionCallingConfig(mode=mode, allowed_function_names=names))
        config = types.GenerateContentConfig(
            system_instruction=system if system.strip() else None,
            tools=[types.Tool(function_declarations=declarations)],
            tool_config=calling,
            automatic_function_calling=types.AutomaticFunctionCallingConfig(disable=True),
            **options,
        )
        response = await client.aio.models.generate_content(model=model, contents=contents, config=config)
        calls = response.function_calls or []
        if not calls:
            return response.text or ""
        contents.append(response.candidates[0].content)
        parts = []
        for c in calls:
            result = await call_tool(tools, c.name, dict(c.args or {}))
            parts.append(types.Part.from_function_response(name=c.name, response={"result": result}))
        contents.append(types.Content(role="user", parts=parts))
    raise RuntimeError(STEP_LIMIT.format(steps=max_steps))

"#;

const AGENT_OLLAMA: &str = r#"
async def agent_ollama(client, model: str, system: str, user: str, tools: list, max_steps: int, media: list = (), turns: list = (), **options) -> str:
    # The agent loop: call the model, run the tools it asks for, send the results back, until it
    # answers without calling a tool. (Ollama cannot force a tool choice.)
    messages = ollama_messages(system, user, list(media), list(turns))
    specs = [{"type": "function", "function": {k: t[k] for k in ("name", "description", "parameters")}} for t in tools]
    for step in range(max_steps):
        response = await client.chat(model=model, messages=messages, tools=specs, **options)
        message = response.message
        if not message.tool_calls:
            return message.content or ""
        messages.append(message)
        for c in message.tool_calls:
            result = await call_tool(tools, c.function.name, dict(c.function.arguments or {}))
            messages.append({"role": "tool", "content": result, "tool_name": c.function.name})
    raise RuntimeError(STEP_LIMIT.format(steps=max_steps))

"#;

const TRANSCRIBE_OPENAI: &str = r#"
async def transcribe_openai(client, model: str, path: str, language: str = "", hint: str = "") -> str:
    # Speech to text through /audio/transcriptions.
    options = {}
    if language:
        options["language"] = language
    if hint:
        options["prompt"] = hint
    with open(path, "rb") as audio:
        result = await client.audio.transcriptions.create(model=model, file=audio, **options)
    return result.text

"#;

const SEARCH: &str = r#"
# The flow's documents, cut into passages as Chainboard cut them (documents/passages.json).
HERE = pathlib.Path(__file__).resolve().parent
PASSAGES = json.loads((HERE / "documents" / "passages.json").read_text(encoding="utf-8"))


# Chainboard's tokenizer: words of letters and digits (apostrophes dropped), lowercase, common
# English words left out, and a light stemmer so "refunds" and "refunded" meet "refund".
STOP_WORDS = set(
    "a an and are as at be but by can do does for from had has have how i if in into is it its me my no not of "
    "on or our so that the their then there these they this to was we what with you".split()
)
SUFFIXES = [("ational", "ate"), ("ies", "y"), ("sses", "ss"), ("ing", ""), ("edly", ""), ("ed", ""), ("ly", ""), ("es", ""), ("s", "")]


def stem(word: str) -> str:
    if len(word) <= 3 or not word.isascii():
        return word
    for suffix, keep in SUFFIXES:
        base = word[: -len(suffix)]
        if word.endswith(suffix) and len(base) >= 3 and not (suffix == "s" and base.endswith("s")):
            doubled = suffix in ("ing", "ed", "edly") and len(base) >= 4 and base[-1] == base[-2] and base[-1] not in "aeioulsz"
            return (base[:-1] if doubled else base) + keep
    return word


def words(text: str) -> list:
    found = re.findall(r"[^\W_]+(?:['\u2019][^\W_]+)*", text)
    folded = [w.replace("'", "").replace("\u2019", "").lower() for w in found]
    return [stem(w) for w in folded if w not in STOP_WORDS]


class ChainboardBM25(BM25Okapi):
    # Chainboard's BM25: k1 = 1.2, b = 0.75 and an IDF that is never negative.
    def __init__(self, corpus):
        super().__init__(corpus, k1=1.2, b=0.75)

    def _calc_idf(self, nd):
        for word, freq in nd.items():
            self.idf[word] = math.log(1 + (self.corpus_size - freq + 0.5) / (freq + 0.5))


BM25 = ChainboardBM25([words(f"{p['heading']}\n{p['text']}" if p["heading"] else p["text"]) for p in PASSAGES])


def search(query: str, top_k: int, min_score: float = 0.0) -> tuple[str, str]:
    # The best passages for `query` by BM25: a numbered context to cite [1], [2], and the
    # passages as JSON. Each query word counts once.
    scores = BM25.get_scores(sorted(set(words(query))))
    ranked = sorted(range(len(PASSAGES)), key=lambda i: -scores[i])
    hits = [i for i in ranked if scores[i] > 0 and scores[i] >= min_score][:top_k]
    found = [dict(PASSAGES[i], number=n + 1, score=round(float(scores[i]), 3)) for n, i in enumerate(hits)]
    if not found:
        return "(No passages were found for this question.)", "[]"
    context = "\n\n".join(
        f"[{p['number']}] ({p['source']}, {p['heading'] or 'part ' + str(p['chunk'])})\n{p['text']}" for p in found
    )
    return context, json.dumps(found, ensure_ascii=False)

"#;

const HTTP_TOOL: &str = r#"
def url_part(text: str) -> str:
    return urllib.parse.quote(text, safe="-._~")


async def http_tool(method: str, url: str, headers: dict, body: str, json_path: str, args: dict) -> str:
    # A tool that calls an HTTP API: arguments fill the {{placeholders}} (encoded in the URL).
    url = render(url, {k: url_part(arg_text(args, k)) for k in re.findall(r"\{\{\s*(\w+)\s*\}\}", url)})
    data = mock_fill(body, args).encode() if body.strip() and method not in ("GET", "DELETE") else None
    request = urllib.request.Request(url, data=data, method=method, headers={k: mock_fill(v, args) for k, v in headers.items()})
    if data is not None and "content-type" not in {k.lower() for k in headers}:
        request.add_header("content-type", "application/json")

    def send() -> str:
        try:
            with urllib.request.urlopen(request, timeout=30) as reply:
                text = reply.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as e:
            return f"The API answered {e.code}: {e.read().decode('utf-8', 'replace')[:2000]}"
        if not json_path:
            return text
        value = json.loads(text)
        for key in json_path.split("."):
            value = value[int(key)] if isinstance(value, list) else value[key]
        return value if isinstance(value, str) else json.dumps(value)

    return await asyncio.to_thread(send)

"#;

const MOCK_FILL: &str = r#"
def arg_text(args: dict, name: str) -> str:
    value = args.get(name)
    if value is None:
        return ""
    return value if isinstance(value, str) else json.dumps(value)


def mock_fill(template: str, args: dict) -> str:
    # Fills {{argument}} placeholders; inside JSON, text is escaped so the result stays JSON.
    json_like = template.lstrip()[:1] in ("{", "[")
    names = re.findall(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}", template)
    values = {n: json.dumps(arg_text(args, n))[1:-1] if json_like else arg_text(args, n) for n in names}
    return render(template, values)

"#;
