//! The Node export: `main.mjs` (plain JavaScript modules, no compiler; one async function per
//! block, the flow's levels run with `Promise.all`), `package.json` pinned to the versions the
//! tests run, a README.

use std::fmt::Write as _;

use super::naming::{camel, comment_text, js_value, multiline_literal, param, quote};
use super::plan::{anthropic_budget, Arg, Plan, PromptStep, Provider, Step, StepKind};
use super::{readme, ExportFile, ExportSource};
use crate::domain::blocks::tool::ToolAction;
use crate::domain::blocks::OutputFormat;
use crate::domain::media::MediaKind;
use crate::domain::providers::{Role, ToolChoice};

/// The versions `make test` installs and runs (package.json devDependencies).
pub const PACKAGES: &[(&str, &str)] = &[
    ("@anthropic-ai/sdk", "1.16.0"),
    ("@google/genai", "2.32.0"),
    ("minisearch", "7.2.0"),
    ("ollama", "0.6.4"),
    ("openai", "6.49.0"),
];

pub fn files(plan: &Plan, source: &ExportSource) -> Vec<ExportFile> {
    let mut files = vec![
        ExportFile::new("main.mjs", main_mjs(plan)),
        ExportFile::new("package.json", package_json(plan)),
        ExportFile::new("README.md", readme::typescript(plan)),
    ];
    files.extend(readme::documents(plan, source));
    files
}

fn package_json(plan: &Plan) -> String {
    let providers = plan.providers();
    let mut deps = serde_json::Map::new();
    for (name, version) in PACKAGES {
        let used = match *name {
            "openai" => providers.contains(&Provider::OpenAi) || providers.contains(&Provider::Compatible),
            "@anthropic-ai/sdk" => providers.contains(&Provider::Anthropic),
            "@google/genai" => providers.contains(&Provider::Gemini),
            "ollama" => providers.contains(&Provider::Ollama),
            "minisearch" => plan.has_retrieve(),
            _ => false,
        };
        if used {
            deps.insert((*name).to_string(), serde_json::json!(version));
        }
    }
    let pkg = serde_json::json!({
        "name": super::slug(&plan.title),
        "private": true,
        "type": "module",
        "description": comment_text(&plan.title),
        "scripts": {"start": "node main.mjs"},
        "engines": {"node": ">=20"},
        "dependencies": deps,
    });
    serde_json::to_string_pretty(&pkg).unwrap_or_default() + "\n"
}

pub(super) fn v(name: &str) -> String {
    camel(name)
}

fn main_mjs(plan: &Plan) -> String {
    let mut o = String::new();
    let title = if plan.title.trim().is_empty() { "Untitled flow".to_string() } else { comment_text(&plan.title) };
    let _ = writeln!(o, "// {title}: exported from Chainboard.");
    if !plan.description.trim().is_empty() {
        let _ = writeln!(o, "// {}", comment_text(&plan.description));
    }
    o.push_str("//\n// Run: node main.mjs --help (see README.md). Keys come from environment variables.\n");
    for (t, text) in &plan.notes {
        let _ = writeln!(o, "//\n// Note \u{201c}{}\u{201d}: {}", comment_text(t), comment_text(text));
    }
    for todo in &plan.todos {
        let _ = writeln!(o, "// TODO: {}", comment_text(todo));
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
    if !plan.tools.is_empty() {
        o.push_str(MOCK_FILL);
    }
    if plan.has_http_tool() {
        o.push_str(HTTP_TOOL);
    }
    super::typescript_control::helpers(plan, &mut o);
    tools(plan, &mut o);
    for step in &plan.steps {
        step_fn(step, plan, &mut o);
    }
    run_flow(plan, &mut o);
    main_fn(plan, &mut o);
    o
}

fn imports(plan: &Plan, o: &mut String) {
    let providers = plan.providers();
    if plan.sends_images() || plan.has_media(MediaKind::Audio) || plan.has_retrieve() {
        o.push_str("import { createReadStream, readFileSync } from \"node:fs\";\n");
    }
    if plan.conversational() || plan.has(|k| matches!(k, StepKind::Approval(_))) {
        o.push_str("import { createInterface } from \"node:readline\";\n");
    }
    o.push_str("import { pathToFileURL } from \"node:url\";\nimport { parseArgs } from \"node:util\";\n");
    if providers.contains(&Provider::Anthropic) {
        o.push_str("import Anthropic from \"@anthropic-ai/sdk\";\n");
    }
    if providers.contains(&Provider::Gemini) {
        o.push_str("import { GoogleGenAI } from \"@google/genai\";\n");
    }
    if plan.has_retrieve() {
        o.push_str("import MiniSearch from \"minisearch\";\n");
    }
    if providers.contains(&Provider::Ollama) {
        o.push_str("import { Ollama } from \"ollama\";\n");
    }
    if providers.contains(&Provider::OpenAi) || providers.contains(&Provider::Compatible) {
        o.push_str("import OpenAI from \"openai\";\n");
    }
    o.push('\n');
}

fn clients(plan: &Plan, o: &mut String) {
    let providers = plan.providers();
    if providers.is_empty() {
        return;
    }
    o.push_str("// Keys and addresses come from the environment: never write a key into this file.\n");
    for p in providers {
        let (base_env, base_default) = p.base_env();
        let base = format!("process.env.{base_env} ?? {}", quote(base_default));
        let key = p.key_env().map(|k| format!("process.env.{k}")).unwrap_or_default();
        let client = v(p.client());
        let _ = match p {
            Provider::OpenAi | Provider::Compatible => {
                writeln!(o, "const {client} = new OpenAI({{\n  apiKey: {key},\n  baseURL: {base},\n}});")
            }
            Provider::Anthropic => writeln!(o, "const {client} = new Anthropic({{\n  apiKey: {key},\n  baseURL: {base},\n}});"),
            Provider::Gemini => writeln!(
                o,
                "const {client} = new GoogleGenAI({{\n  apiKey: {key},\n  apiVersion: \"v1beta\",\n  httpOptions: {{ baseUrl: {base} }},\n}});"
            ),
            Provider::Ollama => writeln!(o, "const {client} = new Ollama({{ host: {base} }});"),
        };
    }
    o.push('\n');
}

fn tools(plan: &Plan, o: &mut String) {
    for tool in &plan.tools {
        let func = v(&tool.func);
        let _ = writeln!(
            o,
            "// Tool \u{201c}{}\u{201d}: {}",
            comment_text(&tool.title),
            comment_text(&tool.config.description)
        );
        match &tool.config.action {
            ToolAction::Mock(mock) => {
                o.push_str("// In Chainboard this tool is a mock with fixed answers. Replace the body with a call to\n// your system.\n");
                let _ = writeln!(o, "async function {func}(args) {{");
                for row in &mock.rows {
                    let _ = writeln!(
                        o,
                        "  if (argText(args, {}).trim().toLowerCase() === {}) {{\n    return mockFill({}, args);\n  }}",
                        quote(row.argument.trim()),
                        quote(&row.equals.trim().to_lowercase()),
                        quote(&row.response)
                    );
                }
                let _ = writeln!(o, "  return mockFill({}, args);\n}}", quote(&mock.response));
            }
            ToolAction::Http(http) => {
                let headers: Vec<String> =
                    http.headers.iter().map(|h| format!("{}: {}", quote(h.name.trim()), quote(&h.value))).collect();
                let _ = writeln!(
                    o,
                    "async function {func}(args) {{\n  return httpTool({}, {}, {{ {} }}, {}, {}, args);\n}}",
                    quote(http.method.id()),
                    quote(&http.url),
                    headers.join(", "),
                    quote(&http.body),
                    quote(&http.json_path)
                );
            }
            ToolAction::SubFlow(_) => {
                let _ = writeln!(
                    o,
                    "async function {func}(args) {{\n  // TODO: this tool runs another Chainboard flow. Export that flow and call it here.\n  return \"This tool is not available in the exported code yet.\";\n}}"
                );
            }
        }
        let _ = writeln!(o, "\nconst {}_TOOL = {{", tool.func.to_uppercase());
        let _ = writeln!(o, "  name: {},", quote(&tool.config.name));
        let _ = writeln!(o, "  description: {},", quote(&tool.config.description));
        let _ = writeln!(o, "  parameters: {},", js_value(&tool.schema, 2));
        let _ = writeln!(o, "  run: {func},\n}};\n");
    }
}

fn params(step: &Step) -> String {
    step.args.iter().map(|a| param(&a.name)).collect::<Vec<_>>().join(", ")
}

pub(super) fn render_call(template: &str, args: &[Arg], indent: &str) -> String {
    let used = crate::domain::template::variables(template);
    let values: Vec<String> = used
        .iter()
        .map(|name| {
            let media = args.iter().any(|a| &a.name == name && a.media.is_some());
            let value = if media { "\"\"".to_string() } else { param(name) };
            if value == *name {
                name.clone()
            } else {
                format!("{}: {value}", quote(name))
            }
        })
        .collect();
    if used.is_empty() {
        return multiline_literal(template, indent, " +", ("(", ")"), &quote);
    }
    let values = format!("{{ {} }}", values.join(", "));
    if !template.contains('\n') {
        return format!("render({}, {values})", quote(template));
    }
    // A long template: one line of the template per line of code, then the values.
    let pieces: Vec<String> = template.split_inclusive('\n').map(|p| format!("{indent}  {}", quote(p))).collect();
    format!("render(\n{},\n{indent}  {values},\n{indent})", pieces.join(" +\n"))
}

fn step_fn(step: &Step, plan: &Plan, o: &mut String) {
    if super::typescript_control::step_fn(step, plan, o) {
        return;
    }
    let func = v(&step.func);
    match &step.kind {
        StepKind::Router(_) | StepKind::Transform(_) | StepKind::Approval(_) | StepKind::Loop(_) => {}
        StepKind::Prompt(p) => {
            let _ = writeln!(
                o,
                "// Prompt \u{201c}{}\u{201d} ({}, {})",
                comment_text(&step.title),
                p.provider.label(),
                comment_text(&p.model)
            );
            if let Some(note) = &p.note {
                let _ = writeln!(o, "// {}", comment_text(note));
            }
            let mut params = params(step);
            if p.config.conversation.is_some() {
                // The earlier turns of the conversation, oldest first.
                params = [params, "history".to_string()]
                    .into_iter()
                    .filter(|s| !s.is_empty())
                    .collect::<Vec<_>>()
                    .join(", ");
            }
            let _ = writeln!(o, "async function {func}({params}) {{");
            prompt_call(p, plan, &step.args, "  ", o);
            o.push_str("}\n\n");
        }
        StepKind::Retrieve(cfg) => {
            let _ = writeln!(
                o,
                "// Retrieve \u{201c}{}\u{201d}: the {} best passages by keywords (BM25)",
                comment_text(&step.title),
                cfg.top_k
            );
            let _ = writeln!(o, "async function {func}({}) {{", params(step));
            let _ = writeln!(o, "  const query = {};", render_call(&cfg.query, &step.args, "  "));
            let _ = writeln!(o, "  return search(query, {}, {:?});\n}}\n", cfg.top_k.clamp(1, 50), cfg.min_score);
        }
        StepKind::Transcribe(t) => {
            let _ = writeln!(
                o,
                "// Transcribe \u{201c}{}\u{201d} ({}, {})",
                comment_text(&step.title),
                t.provider.label(),
                comment_text(&t.model)
            );
            if let Some(note) = &t.note {
                let _ = writeln!(o, "// {}", comment_text(note));
            }
            let _ = writeln!(o, "async function {func}({}) {{", params(step));
            let audio = step.args.first().map(|a| param(&a.name)).unwrap_or_else(|| "\"\"".into());
            if t.provider == Provider::Gemini {
                let _ = writeln!(
                    o,
                    "  return askGemini(geminiClient, {}, \"\", {}, {{ media: [{audio}] }});",
                    quote(&t.model),
                    quote(&t.instruction)
                );
            } else {
                let _ = writeln!(
                    o,
                    "  return transcribeOpenAI({}, {}, {audio}, {{ language: {}, hint: {} }});",
                    v(t.provider.client()),
                    quote(&t.model),
                    quote(t.config.language.trim()),
                    quote(t.config.hint.trim())
                );
            }
            o.push_str("}\n\n");
        }
        StepKind::Todo { kind } => {
            let _ = writeln!(
                o,
                "// TODO: \u{201c}{}\u{201d} is a {} block, which the exporter cannot write yet.",
                comment_text(&step.title),
                comment_text(kind)
            );
            let _ = writeln!(o, "async function {func}({}) {{", params(step));
            if step.outputs.len() == 1 {
                o.push_str("  return \"\";\n}\n\n");
            } else {
                let _ = writeln!(o, "  return [{}];\n}}\n", vec!["\"\""; step.outputs.len()].join(", "));
            }
        }
    }
}

/// The body of a Prompt's function (also a Loop's per-item call): render the templates, then
/// call the SDK with the block's settings, exactly as the app sends them.
pub(super) fn prompt_call(p: &PromptStep, plan: &Plan, args: &[Arg], indent: &str, o: &mut String) {
    let c = &p.config;
    let _ = writeln!(o, "{indent}const system = {};", render_call(&c.system, args, indent));
    let _ = writeln!(o, "{indent}const user = {};", render_call(&c.user, args, indent));
    let mut turns = Vec::new();
    if !c.examples.is_empty() {
        let _ = writeln!(o, "{indent}// Example turns, sent between the system message and the user message.");
        let _ = writeln!(o, "{indent}const examples = [");
        let inner = format!("{indent}  ");
        for e in &c.examples {
            let role = match e.role {
                Role::User => "user",
                Role::Assistant => "assistant",
            };
            let _ = writeln!(o, "{inner}[\"{role}\", {}],", render_call(&e.text, args, &inner));
        }
        let _ = writeln!(o, "{indent}];");
        turns.push("...examples");
    }
    if let Some(memory) = c.conversation {
        let _ = writeln!(
            o,
            "{indent}// It remembers the conversation: the last {} turns go before the new message.",
            memory.turns
        );
        turns.push("...history");
    }
    let media: Vec<String> = args.iter().filter(|a| a.media.is_some()).map(|a| param(&a.name)).collect();
    let agent = !p.tools.is_empty();
    let family = match p.provider {
        Provider::OpenAi | Provider::Compatible => "OpenAI",
        Provider::Anthropic => "Anthropic",
        Provider::Gemini => "Gemini",
        Provider::Ollama => "Ollama",
    };
    let helper = if agent { format!("agent{family}") } else { format!("ask{family}") };
    let call = [v(p.provider.client()), quote(&p.model), "system".into(), "user".into()];
    let mut extra = Vec::new();
    if !media.is_empty() {
        extra.push(format!("media: [{}]", media.join(", ")));
    }
    if !turns.is_empty() {
        extra.push(format!("turns: [{}]", turns.join(", ")));
    }
    if agent {
        let tools: Vec<String> = p
            .tools
            .iter()
            .filter_map(|i| plan.tools.get(*i))
            .map(|t| format!("{}_TOOL", t.func.to_uppercase()))
            .collect();
        extra.push(format!("tools: [{}]", tools.join(", ")));
        extra.push(format!("maxSteps: {}", c.max_steps));
        if let Some(choice) = tool_choice(&c.tool_choice, p.provider) {
            extra.push(format!("toolChoice: {choice}"));
        }
    }
    extra.extend(options(p, indent.len() + 4));
    let _ = writeln!(o, "{indent}return {helper}(");
    for a in call {
        let _ = writeln!(o, "{indent}  {a},");
    }
    if extra.is_empty() {
        let _ = writeln!(o, "{indent}  {{}},");
    } else {
        let _ = writeln!(o, "{indent}  {{");
        for e in extra {
            let _ = writeln!(o, "{indent}    {e},");
        }
        let _ = writeln!(o, "{indent}  }},");
    }
    let _ = writeln!(o, "{indent});");
}

/// The SDK fields for a Prompt's settings: only what its provider takes, in the shape the app
/// sends (see src/domain/providers/).
fn options(p: &PromptStep, depth: usize) -> Vec<String> {
    let c = &p.config;
    let x = &c.params;
    let top_p = x.top_p.filter(|t| t.is_finite());
    let stop: Vec<&str> = x.stop.iter().map(String::as_str).filter(|s| !s.is_empty()).collect();
    let stop =
        (!stop.is_empty()).then(|| format!("[{}]", stop.iter().map(|s| quote(s)).collect::<Vec<_>>().join(", ")));
    let temperature = c.temperature.filter(|t| t.is_finite());
    let mut fields: Vec<String> = Vec::new();
    match p.provider {
        Provider::OpenAi | Provider::Compatible => {
            if let Some(t) = temperature {
                fields.push(format!("temperature: {t}"));
            }
            if let Some(m) = c.max_tokens {
                let field = if p.provider == Provider::OpenAi { "max_completion_tokens" } else { "max_tokens" };
                fields.push(format!("{field}: {m}"));
            }
            if let Some(t) = top_p {
                fields.push(format!("top_p: {t}"));
            }
            if let Some(s) = stop {
                fields.push(format!("stop: {s}"));
            }
            if let Some(seed) = x.seed {
                fields.push(format!("seed: {seed}"));
            }
            if let Some(effort) = &x.reasoning_effort {
                fields.push(format!("reasoning_effort: {}", quote(effort)));
            }
            match &c.output_format {
                OutputFormat::Text => {}
                OutputFormat::Json => fields.push("response_format: { type: \"json_object\" }".into()),
                OutputFormat::JsonSchema { schema } => fields.push(format!(
                    "response_format: {}",
                    js_value(&serde_json::json!({"type": "json_schema", "json_schema": {"name": "output", "schema": schema, "strict": true}}), depth)
                )),
            }
        }
        Provider::Anthropic => {
            let (max_tokens, thinking) = anthropic_budget(c.max_tokens, x.thinking_budget);
            fields.push(format!("max_tokens: {max_tokens}"));
            // With thinking on, Anthropic takes no temperature.
            if let (Some(t), None) = (temperature, thinking) {
                fields.push(format!("temperature: {t}"));
            }
            if let Some(t) = top_p {
                fields.push(format!("top_p: {t}"));
            }
            if let Some(budget) = thinking {
                fields.push(format!("thinking: {{ type: \"enabled\", budget_tokens: {budget} }}"));
            }
            if let Some(s) = stop {
                fields.push(format!("stop_sequences: {s}"));
            }
            let schema = match &c.output_format {
                OutputFormat::Text => None,
                OutputFormat::Json => Some(serde_json::json!({"type": "object"})),
                OutputFormat::JsonSchema { schema } => Some(schema.clone()),
            };
            if let Some(schema) = schema {
                fields.push(format!(
                    "output_config: {}",
                    js_value(&serde_json::json!({"format": {"type": "json_schema", "schema": schema}}), depth)
                ));
            }
        }
        Provider::Gemini => {
            if let Some(t) = temperature {
                fields.push(format!("temperature: {t}"));
            }
            if let Some(m) = c.max_tokens {
                fields.push(format!("maxOutputTokens: {m}"));
            }
            if let Some(s) = stop {
                fields.push(format!("stopSequences: {s}"));
            }
            if let Some(t) = top_p {
                fields.push(format!("topP: {t}"));
            }
            if let Some(seed) = x.seed {
                fields.push(format!("seed: {seed}"));
            }
            if let Some(budget) = x.thinking_budget {
                fields.push(format!("thinkingConfig: {{ thinkingBudget: {budget} }}"));
            }
            match &c.output_format {
                OutputFormat::Text => {}
                OutputFormat::Json => fields.push("responseMimeType: \"application/json\"".into()),
                OutputFormat::JsonSchema { schema } => {
                    fields.push("responseMimeType: \"application/json\"".into());
                    fields.push(format!("responseJsonSchema: {}", js_value(schema, depth)));
                }
            }
        }
        Provider::Ollama => {
            let mut opts = Vec::new();
            if let Some(t) = temperature {
                opts.push(format!("temperature: {t}"));
            }
            if let Some(m) = c.max_tokens {
                opts.push(format!("num_predict: {m}"));
            }
            if let Some(s) = stop {
                opts.push(format!("stop: {s}"));
            }
            if let Some(t) = top_p {
                opts.push(format!("top_p: {t}"));
            }
            if let Some(seed) = x.seed {
                opts.push(format!("seed: {seed}"));
            }
            if !opts.is_empty() {
                fields.push(format!("options: {{ {} }}", opts.join(", ")));
            }
            match &c.output_format {
                OutputFormat::Text => {}
                OutputFormat::Json => fields.push("format: \"json\"".into()),
                OutputFormat::JsonSchema { schema } => fields.push(format!("format: {}", js_value(schema, depth))),
            }
        }
    }
    fields
}

fn tool_choice(choice: &ToolChoice, provider: Provider) -> Option<String> {
    let text = match (choice, provider) {
        (ToolChoice::Auto, _) => return None,
        (ToolChoice::Required, Provider::Anthropic) => "{ type: \"any\" }".to_string(),
        (ToolChoice::None, Provider::Anthropic) => "{ type: \"none\" }".to_string(),
        (ToolChoice::Tool(n), Provider::Anthropic) => format!("{{ type: \"tool\", name: {} }}", quote(n)),
        (ToolChoice::Required, Provider::Gemini) => "\"ANY\"".to_string(),
        (ToolChoice::None, Provider::Gemini) => "\"NONE\"".to_string(),
        (ToolChoice::Tool(n), Provider::Gemini) => quote(n),
        (_, Provider::Ollama) => return None,
        (ToolChoice::Required, _) => "\"required\"".to_string(),
        (ToolChoice::None, _) => "\"none\"".to_string(),
        (ToolChoice::Tool(n), _) => format!("{{ type: \"function\", function: {{ name: {} }} }}", quote(n)),
    };
    Some(text)
}

fn run_flow(plan: &Plan, o: &mut String) {
    let mut params: Vec<String> = plan.inputs.iter().map(|i| v(&i.ident)).collect();
    if plan.conversational() {
        params.push("history = []".into());
    }
    let _ = writeln!(o, "export async function runFlow({{ {} }}) {{", params.join(", "));
    o.push_str("  // Blocks run in the flow's order; blocks that do not depend on each other run at the same time.\n");
    if plan.conversational() {
        o.push_str(
            "  // `history` is the conversation so far: [what the user said, the answer] pairs, oldest first.\n",
        );
    }
    if plan.has_branches() {
        o.push_str("  // null marks a branch that was not taken: the blocks on it do not run.\n");
    }
    let target = |s: &Step| {
        let vars: Vec<String> = s.outputs.iter().map(|(_, var)| v(var)).collect();
        if vars.len() == 1 {
            vars[0].clone()
        } else {
            format!("[{}]", vars.join(", "))
        }
    };
    for group in plan.levels() {
        if let [one] = group.as_slice() {
            let _ = writeln!(o, "  const {} = await {};", target(one), call(one));
        } else {
            let targets: Vec<String> = group.iter().map(|s| target(s)).collect();
            let _ = writeln!(o, "  const [{}] = await Promise.all([", targets.join(", "));
            for s in &group {
                let _ = writeln!(o, "    {},", call(s));
            }
            o.push_str("  ]);\n");
        }
    }
    o.push_str("  return [\n");
    for out in &plan.outputs {
        let value = match out.sources.as_slice() {
            [] => "\"\"".to_string(),
            [one] => v(one),
            many => format!("firstTaken({})", many.iter().map(|s| v(s)).collect::<Vec<_>>().join(", ")),
        };
        let _ = writeln!(o, "    {{ output: {}, answer: {value} }},", quote(&out.title));
    }
    o.push_str("  ];\n}\n\n");
}

/// The call of one step in `runFlow`: through `whenTaken` when it sits on a branch.
fn call(s: &Step) -> String {
    let mut args: Vec<String> = s.args.iter().map(|a| a.source.as_deref().map_or("\"\"".to_string(), v)).collect();
    if let StepKind::Prompt(p) = &s.kind {
        if let Some(memory) = p.config.conversation {
            args.push(format!("recentTurns(history, {})", memory.turns));
        }
    }
    if !s.conditional {
        return format!("{}({})", v(&s.func), args.join(", "));
    }
    let outputs = if s.outputs.len() > 1 { format!("{}, ", s.outputs.len()) } else { "1, ".to_string() };
    format!("whenTaken({}, {outputs}[{}])", v(&s.func), args.join(", "))
}

fn main_fn(plan: &Plan, o: &mut String) {
    let approvals = plan.has(|k| matches!(k, StepKind::Approval(_)));
    if plan.conversational() {
        chat_fn(plan, o);
    }
    o.push_str("// Each input is an option (--name value); without it the flow's own value is used.\n");
    o.push_str("async function main() {\n");
    let body_start = o.len();
    o.push_str("const { values: args } = parseArgs({\n  options: {\n");
    for i in &plan.inputs {
        let _ = writeln!(
            o,
            "    {}: {{ type: \"string\", default: {} }},",
            quote(&i.name),
            multiline_literal(&i.default, "    ", " +", ("(", ")"), &quote)
        );
    }
    o.push_str("    json: { type: \"boolean\", default: false },\n");
    if approvals {
        o.push_str("    approve: { type: \"boolean\", default: false },\n");
    }
    if plan.conversational() {
        o.push_str("    chat: { type: \"boolean\", default: false },\n");
    }
    o.push_str("    help: { type: \"boolean\", default: false },\n  },\n});\n");
    let mut usage = String::from("Usage: node main.mjs");
    for i in &plan.inputs {
        let what = match i.media {
            Some(MediaKind::Image) => "IMAGE_FILE",
            Some(MediaKind::Audio) => "AUDIO_FILE",
            None => "TEXT",
        };
        let _ = write!(usage, " [--{} {what}]", i.name);
    }
    usage.push_str(" [--json]");
    if approvals {
        usage.push_str(" [--approve]");
    }
    if plan.conversational() {
        usage.push_str(" [--chat]");
    }
    let _ = writeln!(o, "if (args.help) {{\n  console.log({});\n  process.exit(0);\n}}", quote(&usage));
    if approvals {
        o.push_str("// --approve (or CHAINBOARD_AUTO_APPROVE=1) approves every Approval without asking.\nif (args.approve) process.env.CHAINBOARD_AUTO_APPROVE = \"1\";\n");
    }
    if plan.conversational() {
        o.push_str("if (args.chat) return chat(args);\n");
    }
    let call: Vec<String> = plan.inputs.iter().map(|i| format!("{}: args[{}]", v(&i.ident), quote(&i.name))).collect();
    let _ = writeln!(o, "const outputs = await runFlow({{ {} }});", call.join(", "));
    let shown = if plan.outputs.iter().any(|out| out.conditional) {
        "${answer ?? \"(skipped: the branch that leads here was not taken)\"}"
    } else {
        "${answer}"
    };
    let _ = writeln!(
        o,
        "if (args.json) {{\n  console.log(JSON.stringify(outputs));\n}} else {{\n  for (const {{ output, answer }} of outputs) console.log(`== ${{output}} ==\\n{shown}\\n`);\n}}"
    );
    let body: String =
        o[body_start..].lines().map(|l| if l.is_empty() { "\n".to_string() } else { format!("  {l}\n") }).collect();
    o.truncate(body_start);
    o.push_str(&body);
    o.push_str("}\n\n");
    o.push_str("// Run from the command line; `import { runFlow } from \"./main.mjs\"` to use the flow elsewhere.\n");
    o.push_str("if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();\n");
}

/// `--chat`: a conversation on the terminal, each line into the first text input, with the
/// turns so far sent to the Prompts that remember the conversation (as the Chat panel does).
fn chat_fn(plan: &Plan, o: &mut String) {
    let message = plan.inputs.iter().find(|i| i.media.is_none()).map(|i| i.ident.clone());
    o.push_str(RECENT_TURNS);
    o.push_str("// Each line you type is the new message; the first Output's answer is the reply. Ctrl-D ends.\n");
    o.push_str("async function chat(args) {\n  const history = [];\n  const lines = createInterface({ input: process.stdin, output: process.stdout, prompt: \"you> \" });\n  lines.prompt();\n  for await (const message of lines) {\n    if (!message.trim()) {\n      lines.prompt();\n      continue;\n    }\n");
    let args: Vec<String> = plan
        .inputs
        .iter()
        .map(|i| {
            if Some(&i.ident) == message.as_ref() {
                format!("{}: message", v(&i.ident))
            } else {
                format!("{}: args[{}]", v(&i.ident), quote(&i.name))
            }
        })
        .chain(std::iter::once("history".to_string()))
        .collect();
    let _ = writeln!(o, "    const outputs = await runFlow({{ {} }});", args.join(", "));
    o.push_str("    const answer = outputs[0]?.answer ?? \"\";\n    console.log(`bot> ${answer}`);\n    history.push([message, answer]);\n    lines.prompt();\n  }\n}\n\n");
}

const RECENT_TURNS: &str = r#"// The last `turns` turns of the conversation as user and assistant messages.
function recentTurns(history, turns) {
  return (turns ? history.slice(-turns) : []).flatMap(([user, answer]) => [["user", user], ["assistant", answer]]);
}

"#;

const RENDER: &str = r#"// Fills {{name}} placeholders as Chainboard does; \{{ stands for a literal {{.
function render(template, values) {
  return template.replace(/\\\{\{|\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g, (_, name) => (name ? values[name] : "{{"));
}

"#;

const MEDIA: &str = r#"// An image or audio file: its type (from the file name) and its bytes as base64.
const MIME = { png: "image/png", jpg: "image/jpeg", jpeg: "image/jpeg", webp: "image/webp", gif: "image/gif", mp3: "audio/mpeg", wav: "audio/wav", m4a: "audio/mp4", webm: "audio/webm", ogg: "audio/ogg" };
function readMedia(path) {
  const mime = MIME[path.split(".").pop().toLowerCase()] ?? "application/octet-stream";
  return { mime, data: readFileSync(path).toString("base64") };
}

"#;

const OPENAI_CONTENT: &str = r#"function openaiUserContent(user, media = []) {
  if (!media.length) return user;
  const images = media.map(readMedia).map(({ mime, data }) => ({ type: "image_url", image_url: { url: `data:${mime};base64,${data}` } }));
  return [...images, { type: "text", text: user }];
}

"#;

const ASK_OPENAI: &str = r#"// One chat completion; `turns` are earlier [role, text] messages; `options` are the block's
// settings (temperature, max tokens, the response format, ...).
async function askOpenAI(client, model, system, user, { media = [], turns = [], ...options }) {
  const messages = system.trim() ? [{ role: "system", content: system }] : [];
  for (const [role, content] of turns) messages.push({ role, content });
  messages.push({ role: "user", content: openaiUserContent(user, media) });
  const response = await client.chat.completions.create({ model, messages, ...options });
  return response.choices[0].message.content ?? "";
}

"#;

const ANTHROPIC_CONTENT: &str = r#"// Anthropic wants user and assistant turns to alternate: turns of one role in a row become
// one, as in Chainboard (texts joined by a blank line).
function anthropicMessages(turns, content) {
  const blocks = (c) => (typeof c === "string" ? [{ type: "text", text: c }] : c);
  const messages = [];
  for (const [role, item] of [...turns, ["user", content]]) {
    const last = messages.at(-1);
    if (last?.role !== role) messages.push({ role, content: item });
    else if (typeof last.content === "string" && typeof item === "string") last.content = `${last.content}\n\n${item}`;
    else last.content = [...blocks(last.content), ...blocks(item)];
  }
  return messages;
}

function anthropicUserContent(user, media = []) {
  if (!media.length) return user;
  const images = media.map(readMedia).map(({ mime, data }) => ({ type: "image", source: { type: "base64", media_type: mime, data } }));
  return [...images, { type: "text", text: user }];
}

"#;

const ASK_ANTHROPIC: &str = r#"async function askAnthropic(client, model, system, user, { media = [], turns = [], ...options }) {
  const messages = anthropicMessages(turns, anthropicUserContent(user, media));
  const response = await client.messages.create({ model, messages, ...(system.trim() ? { system } : {}), ...options });
  return response.content.filter((block) => block.type === "text").map((block) => block.text).join("");
}

"#;

const GEMINI_CONTENT: &str = r#"function geminiParts(user, media = []) {
  if (!media.length) return [{ text: user }];
  const files = media.map(readMedia).map(({ mime, data }) => ({ inlineData: { mimeType: mime, data } }));
  return [...files, { text: user }];
}

"#;

const ASK_GEMINI: &str = r#"async function askGemini(client, model, system, user, { media = [], turns = [], ...options }) {
  const config = { ...(system.trim() ? { systemInstruction: system } : {}), ...options };
  // Gemini calls the assistant "model".
  const contents = turns.map(([role, text]) => ({ role: role === "assistant" ? "model" : "user", parts: [{ text }] }));
  contents.push({ role: "user", parts: geminiParts(user, media) });
  const response = await client.models.generateContent({ model, contents, config });
  return response.text ?? "";
}

"#;

const OLLAMA_CONTENT: &str = r#"function ollamaMessages(system, user, media = [], turns = []) {
  const messages = system.trim() ? [{ role: "system", content: system }] : [];
  for (const [role, content] of turns) messages.push({ role, content });
  const message = { role: "user", content: user };
  if (media.length) message.images = media.map((path) => readMedia(path).data);
  return [...messages, message];
}

"#;

const ASK_OLLAMA: &str = r#"async function askOllama(client, model, system, user, { media = [], turns = [], ...options }) {
  const response = await client.chat({ model, messages: ollamaMessages(system, user, media, turns), ...options });
  return response.message.content ?? "";
}

"#;

const CALL_TOOL: &str = r#"const stepLimit = (steps) =>
  `Stopped after ${steps} model calls: the model was still calling tools. Raise the step limit, ` +
  "or tell the model in the prompt when it has enough to answer.";

// Runs one tool call; problems go back to the model as text it can act on, as in Chainboard.
async function callTool(tools, name, args) {
  const tool = tools.find((t) => t.name === name);
  if (!tool) return `There is no tool named ${name}.`;
  if (typeof args === "string") {
    try {
      args = args.trim() ? JSON.parse(args) : {};
    } catch (e) {
      return `The arguments were not valid JSON (${e.message}). Send a JSON object.`;
    }
  }
  if (!args || typeof args !== "object" || Array.isArray(args)) return 'The arguments must be a JSON object like {"name": value}.';
  for (const required of tool.parameters.required ?? []) {
    if (args[required] == null) return `Missing required argument \u201c${required}\u201d. Call ${name} again with it.`;
  }
  return tool.run(args);
}

"#;

const AGENT_OPENAI: &str = r#"// The agent loop: call the model, run the tools it asks for, send the results back, until it
// answers without calling a tool.
async function agentOpenAI(client, model, system, user, { tools, maxSteps, toolChoice, media = [], turns = [], ...options }) {
  const messages = system.trim() ? [{ role: "system", content: system }] : [];
  for (const [role, content] of turns) messages.push({ role, content });
  messages.push({ role: "user", content: openaiUserContent(user, media) });
  const specs = tools.map(({ name, description, parameters }) => ({ type: "function", function: { name, description, parameters } }));
  for (let step = 0; step < maxSteps; step++) {
    // A forced tool choice applies to the first call only, or the model could never answer.
    const choice = toolChoice && step === 0 ? { tool_choice: toolChoice } : {};
    const response = await client.chat.completions.create({ model, messages, tools: specs, ...choice, ...options });
    const message = response.choices[0].message;
    if (!message.tool_calls?.length) return message.content ?? "";
    messages.push({ role: "assistant", content: message.content, tool_calls: message.tool_calls });
    for (const call of message.tool_calls) {
      const result = await callTool(tools, call.function.name, call.function.arguments);
      messages.push({ role: "tool", tool_call_id: call.id, content: result });
    }
  }
  throw new Error(stepLimit(maxSteps));
}

"#;

const AGENT_ANTHROPIC: &str = r#"// The agent loop: call the model, run the tools it asks for, send the results back, until it
// answers without calling a tool.
async function agentAnthropic(client, model, system, user, { tools, maxSteps, toolChoice, media = [], turns = [], ...options }) {
  const messages = anthropicMessages(turns, anthropicUserContent(user, media));
  const specs = tools.map(({ name, description, parameters }) => ({ name, description, input_schema: parameters }));
  for (let step = 0; step < maxSteps; step++) {
    const choice = toolChoice && step === 0 ? { tool_choice: toolChoice } : {};
    const response = await client.messages.create({ model, messages, tools: specs, ...(system.trim() ? { system } : {}), ...choice, ...options });
    const calls = response.content.filter((block) => block.type === "tool_use");
    if (!calls.length) return response.content.filter((block) => block.type === "text").map((block) => block.text).join("");
    messages.push({ role: "assistant", content: response.content });
    const results = [];
    for (const call of calls) {
      results.push({ type: "tool_result", tool_use_id: call.id, content: await callTool(tools, call.name, call.input) });
    }
    messages.push({ role: "user", content: results });
  }
  throw new Error(stepLimit(maxSteps));
}

"#;

const AGENT_GEMINI: &str = r#"// The agent loop: call the model, run the tools it asks for, send the results back, until it
// answers without calling a tool.
async function agentGemini(client, model, system, user, { tools, maxSteps, toolChoice, media = [], turns = [], ...options }) {
  const functionDeclarations = tools.map(({ name, description, parameters }) => ({ name, description, parametersJsonSchema: parameters }));
  const contents = turns.map(([role, text]) => ({ role: role === "assistant" ? "model" : "user", parts: [{ text }] }));
  contents.push({ role: "user", parts: geminiParts(user, media) });
  for (let step = 0; step < maxSteps; step++) {
    let toolConfig;
    if (toolChoice && step === 0) {
      const named = toolChoice !== "ANY" && toolChoice !== "NONE";
      toolConfig = { functionCallingConfig: named ? { mode: "ANY", allowedFunctionNames: [toolChoice] } : { mode: toolChoice } };
    }
    const config = {
      ...(system.trim() ? { systemInstruction: system } : {}),
      tools: [{ functionDeclarations }],
      ...(toolConfig ? { toolConfig } : {}),
      automaticFunctionCalling: { disable: true },
      ...options,
    };
    const response = await client.models.generateContent({ model, contents, config });
    const calls = response.functionCalls ?? [];
    if (!calls.length) return response.text ?? "";
    contents.push(response.candidates[0].content);
    const parts = [];
    for (const call of calls) {
      const result = await callTool(tools, call.name, call.args ?? {});
      parts.push({ functionResponse: { name: call.name, response: { result } } });
    }
    contents.push({ role: "user", parts });
  }
  throw new Error(stepLimit(maxSteps));
}

"#;

const AGENT_OLLAMA: &str = r#"// The agent loop: call the model, run the tools it asks for, send the results back, until it
// answers without calling a tool. (Ollama cannot force a tool choice.)
async function agentOllama(client, model, system, user, { tools, maxSteps, media = [], turns = [], ...options }) {
  const messages = ollamaMessages(system, user, media, turns);
  const specs = tools.map(({ name, description, parameters }) => ({ type: "function", function: { name, description, parameters } }));
  for (let step = 0; step < maxSteps; step++) {
    const response = await client.chat({ model, messages, tools: specs, ...options });
    const message = response.message;
    if (!message.tool_calls?.length) return message.content ?? "";
    messages.push(message);
    for (const call of message.tool_calls) {
      const result = await callTool(tools, call.function.name, call.function.arguments ?? {});
      messages.push({ role: "tool", content: result, tool_name: call.function.name });
    }
  }
  throw new Error(stepLimit(maxSteps));
}

"#;

const TRANSCRIBE_OPENAI: &str = r#"// Speech to text through /audio/transcriptions.
async function transcribeOpenAI(client, model, path, { language = "", hint = "" }) {
  const result = await client.audio.transcriptions.create({
    model,
    file: createReadStream(path),
    ...(language ? { language } : {}),
    ...(hint ? { prompt: hint } : {}),
  });
  return result.text;
}

"#;

const SEARCH: &str = r#"// The flow's documents, cut into passages as Chainboard cut them (documents/passages.json).
const PASSAGES = JSON.parse(readFileSync(new URL("./documents/passages.json", import.meta.url), "utf8"));

// Chainboard's tokenizer: words of letters and digits (apostrophes dropped), lowercase, common
// English words left out, and a light stemmer so "refunds" and "refunded" meet "refund".
const STOP_WORDS = new Set(
  ("a an and are as at be but by can do does for from had has have how i if in into is it its me my no not of " +
    "on or our so that the their then there these they this to was we what with you").split(" "),
);
const SUFFIXES = [["ational", "ate"], ["ies", "y"], ["sses", "ss"], ["ing", ""], ["edly", ""], ["ed", ""], ["ly", ""], ["es", ""], ["s", ""]];

function stem(word) {
  if (word.length <= 3 || !/^[\x00-\x7f]*$/.test(word)) return word;
  for (const [suffix, keep] of SUFFIXES) {
    const base = word.slice(0, -suffix.length);
    if (word.endsWith(suffix) && base.length >= 3 && !(suffix === "s" && base.endsWith("s"))) {
      const last = base[base.length - 1];
      const doubled = ["ing", "ed", "edly"].includes(suffix) && base.length >= 4 && last === base[base.length - 2] && !"aeioulsz".includes(last);
      return (doubled ? base.slice(0, -1) : base) + keep;
    }
  }
  return word;
}

function words(text) {
  const found = text.match(/[\p{L}\p{N}]+(?:['\u2019][\p{L}\p{N}]+)*/gu) ?? [];
  return found.map((w) => w.replace(/['\u2019]/g, "").toLowerCase()).filter((w) => !STOP_WORDS.has(w)).map(stem);
}

const index = new MiniSearch({ fields: ["text"], tokenize: words, processTerm: (term) => term });
index.addAll(PASSAGES.map((p, id) => ({ id, text: p.heading ? `${p.heading}\n${p.text}` : p.text })));

// The best passages for `query` by BM25 (k1 = 1.2, b = 0.75, as in Chainboard): a numbered
// context to cite [1], [2], and the passages as JSON. Each query word counts once.
function search(query, topK, minScore = 0) {
  const terms = [...new Set(words(query))];
  const hits = index
    .search(terms.join(" "), { tokenize: (q) => q.split(" "), processTerm: (term) => term, bm25: { k: 1.2, b: 0.75, d: 0 } })
    // MiniSearch multiplies by the number of matched words; Chainboard sums the words' scores.
    .map((hit) => ({ id: hit.id, score: hit.score / hit.queryTerms.length }))
    .filter((hit) => hit.score > 0 && hit.score >= minScore)
    .sort((a, b) => b.score - a.score || a.id - b.id)
    .slice(0, topK);
  if (!hits.length) return ["(No passages were found for this question.)", "[]"];
  const found = hits.map((hit, n) => ({ ...PASSAGES[hit.id], number: n + 1, score: Math.round(hit.score * 1000) / 1000 }));
  const context = found.map((p) => `[${p.number}] (${p.source}, ${p.heading ?? `part ${p.chunk}`})\n${p.text}`).join("\n\n");
  return [context, JSON.stringify(found)];
}

"#;

const MOCK_FILL: &str = r#"function argText(args, name) {
  const value = args[name];
  if (value == null) return "";
  return typeof value === "string" ? value : JSON.stringify(value);
}

// Fills {{argument}} placeholders; inside JSON, text is escaped so the result stays JSON.
function mockFill(template, args) {
  const jsonLike = ["{", "["].includes(template.trimStart()[0]);
  const names = [...template.matchAll(/\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g)].map((m) => m[1]);
  const values = Object.fromEntries(names.map((n) => [n, jsonLike ? JSON.stringify(argText(args, n)).slice(1, -1) : argText(args, n)]));
  return render(template, values);
}

"#;

const HTTP_TOOL: &str = r#"// A tool that calls an HTTP API: arguments fill the {{placeholders}} (encoded in the URL).
async function httpTool(method, url, headers, body, jsonPath, args) {
  const names = [...url.matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map((m) => m[1]);
  const target = render(url, Object.fromEntries(names.map((n) => [n, encodeURIComponent(argText(args, n))])));
  const sendBody = body.trim() && !["GET", "DELETE"].includes(method);
  const hdrs = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, mockFill(v, args)]));
  if (sendBody && !Object.keys(hdrs).some((k) => k.toLowerCase() === "content-type")) hdrs["content-type"] = "application/json";
  const reply = await fetch(target, { method, headers: hdrs, body: sendBody ? mockFill(body, args) : undefined });
  const text = await reply.text();
  if (!reply.ok) return `The API answered ${reply.status}: ${text.slice(0, 2000)}`;
  if (!jsonPath) return text;
  let value = JSON.parse(text);
  for (const key of jsonPath.split(".")) value = value[Array.isArray(value) ? Number(key) : key];
  return typeof value === "string" ? value : JSON.stringify(value);
}

"#;
