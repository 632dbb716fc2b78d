//! The TypeScript export for Node: `main.ts` (strict TypeScript typed with the SDKs' own types;
//! one async function per block, the flow's levels run with `Promise.all`), `tsconfig.json`
//! (strict, type-check only), `package.json` pinned to the versions the tests run (tsx runs
//! `main.ts` on Node 20), a README.

use std::fmt::Write as _;

use super::naming::{camel, comment_text, js_value, multiline_literal, param, quote};
use super::plan::{anthropic_budget, Arg, Plan, PromptStep, Provider, Step, StepKind};
use super::{readme, ExportFile, ExportSource};
use crate::domain::blocks::tool::ToolAction;
use crate::domain::json_schema::OutputFormat;
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
        ExportFile::new("main.ts", main_ts(plan)),
        ExportFile::new("tsconfig.json", TSCONFIG.to_string()),
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
        "scripts": {"start": "tsx main.ts", "typecheck": "tsc --noEmit"},
        "engines": {"node": ">=20"},
        "dependencies": deps,
        "devDependencies": dev_dependencies(),
    });
    serde_json::to_string_pretty(&pkg).unwrap_or_default() + "\n"
}

/// The TypeScript tools (package.json devDependencies): the compiler, Node's types, and tsx,
/// which runs `main.ts` on Node 20 without a build step.
pub const DEV_PACKAGES: &[(&str, &str)] = &[("@types/node", "20.19.43"), ("tsx", "4.23.15"), ("typescript", "7.0.2")];

pub fn dev_dependencies() -> serde_json::Map<String, serde_json::Value> {
    DEV_PACKAGES.iter().map(|(name, version)| ((*name).to_string(), serde_json::json!(version))).collect()
}

/// Strict type-checking for Node 20 (ES2022, ES modules); tsx runs the program, so tsc only checks.
const TSCONFIG: &str = r#"{
  "compilerOptions": {
    "strict": true,
    "target": "ES2022",
    "lib": ["ES2023"],
    "module": "NodeNext",
    "moduleResolution": "NodeNext",
    "types": ["node"],
    "noEmit": true,
    "allowImportingTsExtensions": true,
    "skipLibCheck": true
  },
  "include": ["*.ts"]
}
"#;

pub(super) fn v(name: &str) -> String {
    camel(name)
}

fn main_ts(plan: &Plan) -> String {
    let mut o = String::new();
    let title = if plan.title.trim().is_empty() { "Untitled flow".to_string() } else { comment_text(&plan.title) };
    let _ = writeln!(o, "// {title}: exported from Chainboard.");
    if !plan.description.trim().is_empty() {
        let _ = writeln!(o, "// {}", comment_text(&plan.description));
    }
    o.push_str("//\n// Run: npx tsx main.ts --help (see README.md). Keys come from environment variables.\n");
    for (t, text) in &plan.notes {
        let _ = writeln!(o, "//\n// Note \u{201c}{}\u{201d}: {}", comment_text(t), comment_text(text));
    }
    for todo in &plan.todos {
        let _ = writeln!(o, "// TODO: {}", comment_text(todo));
    }
    o.push('\n');
    imports(plan, &mut o);
    clients(plan, &mut o);
    o.push_str(TYPES);
    let helpers = super::plan::helpers(plan);
    if !helpers.families.is_empty() || plan.conversational() {
        o.push_str(TURN_TYPES);
    }
    if plan.conversational() {
        o.push_str(EXCHANGE);
    }
    if !helpers.agent.is_empty() || super::typescript_control::sorts_keys(plan) {
        o.push_str(IS_OBJECT);
    }
    o.push_str(RENDER);
    // The SDK helpers take files (images, audio) whether or not this flow sends any.
    if uses_media(plan) {
        o.push_str(MEDIA);
    }
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

fn uses_media(plan: &Plan) -> bool {
    plan.sends_images() || plan.has_media(MediaKind::Audio) || !super::plan::helpers(plan).families.is_empty()
}

fn imports(plan: &Plan, o: &mut String) {
    let providers = plan.providers();
    let transcribes =
        plan.steps.iter().any(|s| matches!(&s.kind, StepKind::Transcribe(t) if t.provider != Provider::Gemini));
    match (transcribes, uses_media(plan) || plan.has_retrieve()) {
        (true, _) => o.push_str("import { createReadStream, readFileSync } from \"node:fs\";\n"),
        (false, true) => o.push_str("import { readFileSync } from \"node:fs\";\n"),
        (false, false) => {}
    }
    if plan.conversational() || plan.has(|k| matches!(k, StepKind::Approval(_))) {
        o.push_str("import { createInterface } from \"node:readline\";\n");
    }
    o.push_str("import { pathToFileURL } from \"node:url\";\nimport { parseArgs } from \"node:util\";\n");
    let helpers = super::plan::helpers(plan);
    if providers.contains(&Provider::Anthropic) {
        o.push_str("import Anthropic from \"@anthropic-ai/sdk\";\n");
    }
    if providers.contains(&Provider::Gemini) {
        let mut names = vec!["GoogleGenAI"];
        if helpers.families.contains(&Provider::Gemini) {
            names.extend(["type Content", "type GenerateContentConfig", "type Part"]);
        }
        if helpers.agent.contains(&Provider::Gemini) {
            names.extend(["FunctionCallingConfigMode", "type FunctionDeclaration", "type ToolConfig"]);
        }
        names.sort_by_key(|n| n.trim_start_matches("type ").to_string());
        let _ = writeln!(o, "import {{ {} }} from \"@google/genai\";", names.join(", "));
    }
    if plan.has_retrieve() {
        o.push_str("import MiniSearch from \"minisearch\";\n");
    }
    if providers.contains(&Provider::Ollama) {
        let mut names = vec!["Ollama"];
        if helpers.families.contains(&Provider::Ollama) {
            names.extend(["type ChatRequest", "type Message"]);
        }
        if helpers.agent.contains(&Provider::Ollama) {
            names.push("type Tool as OllamaTool");
        }
        let _ = writeln!(o, "import {{ {} }} from \"ollama\";", names.join(", "));
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
        let args_type = args_type(&tool.func, &tool.schema, o);
        match &tool.config.action {
            ToolAction::Mock(mock) => {
                o.push_str("// In Chainboard this tool is a mock with fixed answers. Replace the body with a call to\n// your system.\n");
                let _ = writeln!(o, "async function {func}(args: {args_type}): Promise<string> {{");
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
                    "async function {func}(args: {args_type}): Promise<string> {{\n  return httpTool({}, {}, {{ {} }}, {}, {}, args);\n}}",
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
                    "async function {func}(_args: {args_type}): Promise<string> {{\n  // TODO: this tool runs another Chainboard flow. Export that flow and call it here.\n  return \"This tool is not available in the exported code yet.\";\n}}"
                );
            }
        }
        let _ = writeln!(o, "\nconst {}_TOOL: ToolSpec = {{", tool.func.to_uppercase());
        let _ = writeln!(o, "  name: {},", quote(&tool.config.name));
        let _ = writeln!(o, "  description: {},", quote(&tool.config.description));
        let _ = writeln!(o, "  parameters: {},", js_value(&tool.schema, 2));
        let _ = writeln!(o, "  run: {func},\n}};\n");
    }
}

/// The arguments' shape from the tool's JSON schema (`type LookupOrderArgs = { ... }`), written
/// before the tool's function; `ToolArgs` when the schema names no arguments.
fn args_type(func: &str, schema: &serde_json::Value, o: &mut String) -> String {
    let Some(props) = schema.get("properties").and_then(|p| p.as_object()).filter(|p| !p.is_empty()) else {
        return "ToolArgs".to_string();
    };
    let required: Vec<&str> = schema
        .get("required")
        .and_then(|r| r.as_array())
        .map(|r| r.iter().filter_map(|n| n.as_str()).collect())
        .unwrap_or_default();
    let camel_name = v(func);
    let mut name: String = camel_name.chars().take(1).flat_map(char::to_uppercase).collect();
    name.push_str(&camel_name.chars().skip(1).collect::<String>());
    name.push_str("Args");
    let _ = writeln!(o, "type {name} = {{");
    for (key, prop) in props {
        let ty = match prop.get("type").and_then(|t| t.as_str()) {
            Some("string") => "string",
            Some("number" | "integer") => "number",
            Some("boolean") => "boolean",
            Some("array") => "unknown[]",
            Some("object") => "Record<string, unknown>",
            _ => "unknown",
        };
        if let Some(d) = prop.get("description").and_then(|d| d.as_str()).filter(|d| !d.trim().is_empty()) {
            let _ = writeln!(o, "  // {}", comment_text(d));
        }
        let ident = key.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == '$')
            && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$');
        let optional = if required.contains(&key.as_str()) { "" } else { "?" };
        let key = if ident { key.clone() } else { quote(key) };
        let _ = writeln!(o, "  {key}{optional}: {ty};");
    }
    o.push_str(
        "};
",
    );
    name
}

fn params(step: &Step) -> String {
    step.args.iter().map(|a| format!("{}: string", param(&a.name))).collect::<Vec<_>>().join(", ")
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
                params = [params, "history: Turn[]".to_string()]
                    .into_iter()
                    .filter(|s| !s.is_empty())
                    .collect::<Vec<_>>()
                    .join(", ");
            }
            let _ = writeln!(o, "async function {func}({params}): Promise<string> {{");
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
            let _ =
                writeln!(o, "async function {func}({}): Promise<[context: string, passages: string]> {{", params(step));
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
            let _ = writeln!(o, "async function {func}({}): Promise<string> {{", params(step));
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
            let returns = if step.outputs.len() == 1 {
                "string".to_string()
            } else {
                format!("[{}]", vec!["string"; step.outputs.len()].join(", "))
            };
            let _ = writeln!(o, "async function {func}({}): Promise<{returns}> {{", params(step));
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
        let _ = writeln!(o, "{indent}const examples: Turn[] = [");
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
    o.push_str(
        "// The flow's inputs: the values of its Input blocks (files by their path).\nexport interface FlowInputs {\n",
    );
    for i in &plan.inputs {
        let _ = writeln!(o, "  {}: string;", v(&i.ident));
    }
    if plan.conversational() {
        o.push_str("  history?: Exchange[];\n");
    }
    o.push_str("}\n\n");
    let mut params: Vec<String> = plan.inputs.iter().map(|i| v(&i.ident)).collect();
    if plan.conversational() {
        params.push("history = []".into());
    }
    let _ = writeln!(o, "export async function runFlow({{ {} }}: FlowInputs): Promise<Answer[]> {{", params.join(", "));
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
    o.push_str("async function main(): Promise<void> {\n");
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
    let mut usage = String::from("Usage: npx tsx main.ts");
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
    let call: Vec<String> = plan.inputs.iter().map(|i| format!("{}: args[{}]", v(&i.ident), quote(&i.name))).collect();
    let _ = writeln!(o, "const inputs: FlowInputs = {{ {} }};", call.join(", "));
    if plan.conversational() {
        o.push_str("if (args.chat) return chat(inputs);\n");
    }
    o.push_str("const outputs = await runFlow(inputs);\n");
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
    o.push_str("// Run from the command line; `import { runFlow } from \"./main.ts\"` to use the flow elsewhere.\n");
    o.push_str("if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();\n");
}

/// `--chat`: a conversation on the terminal, each line into the first text input, with the
/// turns so far sent to the Prompts that remember the conversation (as the Chat panel does).
fn chat_fn(plan: &Plan, o: &mut String) {
    let message = plan.inputs.iter().find(|i| i.media.is_none()).map(|i| i.ident.clone());
    o.push_str(RECENT_TURNS);
    o.push_str("// Each line you type is the new message; the first Output's answer is the reply. Ctrl-D ends.\n");
    o.push_str("async function chat(inputs: FlowInputs): Promise<void> {\n  const history: Exchange[] = [];\n  const lines = createInterface({ input: process.stdin, output: process.stdout, prompt: \"you> \" });\n  lines.prompt();\n  for await (const message of lines) {\n    if (!message.trim()) {\n      lines.prompt();\n      continue;\n    }\n");
    let args: Vec<String> = plan
        .inputs
        .iter()
        .map(|i| if Some(&i.ident) == message.as_ref() { format!("{}: message", v(&i.ident)) } else { String::new() })
        .filter(|a| !a.is_empty())
        .chain(std::iter::once("history".to_string()))
        .collect();
    let _ = writeln!(o, "    const outputs = await runFlow({{ ...inputs, {} }});", args.join(", "));
    o.push_str("    const answer = outputs[0]?.answer ?? \"\";\n    console.log(`bot> ${answer}`);\n    history.push([message, answer]);\n    lines.prompt();\n  }\n}\n\n");
}

const RECENT_TURNS: &str = r#"// The last `turns` turns of the conversation as user and assistant messages.
function recentTurns(history: Exchange[], turns: number): Turn[] {
  return (turns ? history.slice(-turns) : []).flatMap(([user, answer]): Turn[] => [["user", user], ["assistant", answer]]);
}

"#;

const TYPES: &str = r#"// One Output block's answer; null when the branch that leads to it was not taken.
export interface Answer {
  output: string;
  answer: string | null;
}

"#;

const TURN_TYPES: &str = r#"// An earlier message (an example turn, or the conversation so far): who said it, and what.
type Turn = [role: "user" | "assistant", text: string];

// What a Prompt sends besides its own messages: image or audio files, and earlier turns.
interface Extras {
  media?: string[];
  turns?: Turn[];
}

"#;

const EXCHANGE: &str = r#"// One exchange of a conversation: what the user said, and the flow's answer.
export type Exchange = [message: string, answer: string];

"#;

pub const IS_OBJECT: &str = r#"// A JSON object (not null, not an array), whose fields can be read by name.
function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

"#;

const RENDER: &str = r#"// Fills {{name}} placeholders as Chainboard does; \{{ stands for a literal {{.
function render(template: string, values: Record<string, string>): string {
  return template.replace(/\\\{\{|\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g, (_, name?: string) => (name ? values[name] : "{{"));
}

"#;

const MEDIA: &str = r#"// An image or audio file: its type (from the file name) and its bytes as base64.
const MIME: Record<string, string> = { png: "image/png", jpg: "image/jpeg", jpeg: "image/jpeg", webp: "image/webp", gif: "image/gif", mp3: "audio/mpeg", wav: "audio/wav", m4a: "audio/mp4", webm: "audio/webm", ogg: "audio/ogg" };
function readMedia(path: string): { mime: string; data: string } {
  const mime = MIME[(path.split(".").pop() ?? "").toLowerCase()] ?? "application/octet-stream";
  return { mime, data: readFileSync(path).toString("base64") };
}

"#;

const OPENAI_CONTENT: &str = r#"// The block's settings as the SDK takes them (temperature, max tokens, the response format, ...).
type OpenAIOptions = Extras & Omit<OpenAI.ChatCompletionCreateParamsNonStreaming, "model" | "messages">;

function openaiUserContent(user: string, media: string[] = []): string | OpenAI.ChatCompletionContentPart[] {
  if (!media.length) return user;
  const images = media.map(readMedia).map(({ mime, data }): OpenAI.ChatCompletionContentPart => ({ type: "image_url", image_url: { url: `data:${mime};base64,${data}` } }));
  return [...images, { type: "text", text: user }];
}

function openaiMessages(system: string, user: string, media: string[], turns: Turn[]): OpenAI.ChatCompletionMessageParam[] {
  const messages: OpenAI.ChatCompletionMessageParam[] = system.trim() ? [{ role: "system", content: system }] : [];
  for (const [role, content] of turns) messages.push({ role, content });
  messages.push({ role: "user", content: openaiUserContent(user, media) });
  return messages;
}

"#;

const ASK_OPENAI: &str = r#"// One chat completion; `turns` are earlier [role, text] messages; `options` are the block's
// settings (temperature, max tokens, the response format, ...).
async function askOpenAI(client: OpenAI, model: string, system: string, user: string, { media = [], turns = [], ...options }: OpenAIOptions): Promise<string> {
  const messages = openaiMessages(system, user, media, turns);
  const response = await client.chat.completions.create({ model, messages, ...options });
  return response.choices[0].message.content ?? "";
}

"#;

const ANTHROPIC_CONTENT: &str = r#"// The block's settings as the SDK takes them (max tokens, temperature, the output format, ...).
// This SDK version's types do not list temperature and top_p; Chainboard sends them when the
// block sets them, and the API takes them.
type AnthropicOptions = Extras &
  Omit<Anthropic.MessageCreateParamsNonStreaming, "model" | "messages" | "system"> & { temperature?: number; top_p?: number };
type AnthropicContent = string | Anthropic.ContentBlockParam[];

// Anthropic wants user and assistant turns to alternate: turns of one role in a row become
// one, as in Chainboard (texts joined by a blank line).
function anthropicMessages(turns: Turn[], content: AnthropicContent): Anthropic.MessageParam[] {
  const blocks = (c: AnthropicContent): Anthropic.ContentBlockParam[] => (typeof c === "string" ? [{ type: "text", text: c }] : c);
  const messages: Anthropic.MessageParam[] = [];
  const all: [Turn[0], AnthropicContent][] = [...turns, ["user", content]];
  for (const [role, item] of all) {
    const last = messages.at(-1);
    if (last?.role !== role) messages.push({ role, content: item });
    else if (typeof last.content === "string" && typeof item === "string") last.content = `${last.content}\n\n${item}`;
    else last.content = [...blocks(last.content), ...blocks(item)];
  }
  return messages;
}

function anthropicUserContent(user: string, media: string[] = []): AnthropicContent {
  if (!media.length) return user;
  const images = media.map(readMedia).map(({ mime, data }): Anthropic.ImageBlockParam => ({
    type: "image",
    source: { type: "base64", media_type: mime as Anthropic.Base64ImageSource["media_type"], data },
  }));
  return [...images, { type: "text", text: user }];
}

"#;

const ASK_ANTHROPIC: &str = r#"async function askAnthropic(client: Anthropic, model: string, system: string, user: string, { media = [], turns = [], ...options }: AnthropicOptions): Promise<string> {
  const messages = anthropicMessages(turns, anthropicUserContent(user, media));
  const response = await client.messages.create({ model, messages, ...(system.trim() ? { system } : {}), ...options });
  return response.content.map((block) => (block.type === "text" ? block.text : "")).join("");
}

"#;

const GEMINI_CONTENT: &str = r#"// The block's settings as the SDK takes them (temperature, max tokens, the response format, ...).
type GeminiOptions = Extras & GenerateContentConfig;

function geminiParts(user: string, media: string[] = []): Part[] {
  if (!media.length) return [{ text: user }];
  const files = media.map(readMedia).map(({ mime, data }): Part => ({ inlineData: { mimeType: mime, data } }));
  return [...files, { text: user }];
}

// Gemini calls the assistant "model".
function geminiContents(user: string, media: string[], turns: Turn[]): Content[] {
  const contents: Content[] = turns.map(([role, text]) => ({ role: role === "assistant" ? "model" : "user", parts: [{ text }] }));
  contents.push({ role: "user", parts: geminiParts(user, media) });
  return contents;
}

"#;

const ASK_GEMINI: &str = r#"async function askGemini(client: GoogleGenAI, model: string, system: string, user: string, { media = [], turns = [], ...options }: GeminiOptions): Promise<string> {
  const config: GenerateContentConfig = { ...(system.trim() ? { systemInstruction: system } : {}), ...options };
  const contents = geminiContents(user, media, turns);
  const response = await client.models.generateContent({ model, contents, config });
  return response.text ?? "";
}

"#;

const OLLAMA_CONTENT: &str = r#"// The block's settings as the SDK takes them (options such as temperature, the format, ...).
type OllamaOptions = Extras & Omit<ChatRequest, "model" | "messages" | "stream">;

function ollamaMessages(system: string, user: string, media: string[] = [], turns: Turn[] = []): Message[] {
  const messages: Message[] = system.trim() ? [{ role: "system", content: system }] : [];
  for (const [role, content] of turns) messages.push({ role, content });
  const message: Message = { role: "user", content: user };
  if (media.length) message.images = media.map((path) => readMedia(path).data);
  return [...messages, message];
}

"#;

const ASK_OLLAMA: &str = r#"async function askOllama(client: Ollama, model: string, system: string, user: string, { media = [], turns = [], ...options }: OllamaOptions): Promise<string> {
  const response = await client.chat({ model, messages: ollamaMessages(system, user, media, turns), ...options });
  return response.message.content ?? "";
}

"#;

const CALL_TOOL: &str = r#"// A tool's arguments as the model sent them (a JSON object).
type ToolArgs = Record<string, unknown>;

// A tool the model can call: its name, description and JSON schema, and the function that runs it.
interface ToolSpec {
  name: string;
  description: string;
  parameters: { type: "object"; properties: Record<string, unknown>; required?: string[]; [key: string]: unknown };
  // A method, so each tool's function can take its own argument shape; callTool checks the
  // required arguments are there before it runs.
  run(args: ToolArgs): Promise<string>;
}

// The agent helpers' options: the tools, the most model calls, a forced first choice.
interface AgentExtras<Choice> extends Extras {
  tools: ToolSpec[];
  maxSteps: number;
  toolChoice?: Choice;
}

const stepLimit = (steps: number): string =>
  `Stopped after ${steps} model calls: the model was still calling tools. Raise the step limit, ` +
  "or tell the model in the prompt when it has enough to answer.";

// Runs one tool call; problems go back to the model as text it can act on, as in Chainboard.
async function callTool(tools: ToolSpec[], name: string, input: unknown): Promise<string> {
  const tool = tools.find((t) => t.name === name);
  if (!tool) return `There is no tool named ${name}.`;
  let args = input;
  if (typeof args === "string") {
    try {
      args = args.trim() ? JSON.parse(args) : {};
    } catch (e) {
      return `The arguments were not valid JSON (${e instanceof Error ? e.message : e}). Send a JSON object.`;
    }
  }
  if (!isObject(args)) return 'The arguments must be a JSON object like {"name": value}.';
  for (const required of tool.parameters.required ?? []) {
    if (args[required] == null) return `Missing required argument \u201c${required}\u201d. Call ${name} again with it.`;
  }
  return tool.run(args);
}

"#;

const AGENT_OPENAI: &str = r#"// The agent loop: call the model, run the tools it asks for, send the results back, until it
// answers without calling a tool.
async function agentOpenAI(
  client: OpenAI,
  model: string,
  system: string,
  user: string,
  { tools, maxSteps, toolChoice, media = [], turns = [], ...options }: AgentExtras<OpenAI.ChatCompletionToolChoiceOption> & Omit<OpenAIOptions, "tools" | "tool_choice">,
): Promise<string> {
  const messages = openaiMessages(system, user, media, turns);
  const specs = tools.map(({ name, description, parameters }): OpenAI.ChatCompletionTool => ({ type: "function", function: { name, description, parameters } }));
  for (let step = 0; step < maxSteps; step++) {
    // A forced tool choice applies to the first call only, or the model could never answer.
    const choice = toolChoice && step === 0 ? { tool_choice: toolChoice } : {};
    const response = await client.chat.completions.create({ model, messages, tools: specs, ...choice, ...options });
    const message = response.choices[0].message;
    if (!message.tool_calls?.length) return message.content ?? "";
    messages.push({ role: "assistant", content: message.content, tool_calls: message.tool_calls });
    for (const call of message.tool_calls) {
      const result =
        call.type === "function"
          ? await callTool(tools, call.function.name, call.function.arguments)
          : `There is no tool named ${call.custom.name}.`;
      messages.push({ role: "tool", tool_call_id: call.id, content: result });
    }
  }
  throw new Error(stepLimit(maxSteps));
}

"#;

const AGENT_ANTHROPIC: &str = r#"// The agent loop: call the model, run the tools it asks for, send the results back, until it
// answers without calling a tool.
async function agentAnthropic(
  client: Anthropic,
  model: string,
  system: string,
  user: string,
  { tools, maxSteps, toolChoice, media = [], turns = [], ...options }: AgentExtras<Anthropic.ToolChoice> & Omit<AnthropicOptions, "tools" | "tool_choice">,
): Promise<string> {
  const messages = anthropicMessages(turns, anthropicUserContent(user, media));
  const specs = tools.map(({ name, description, parameters }): Anthropic.Tool => ({ name, description, input_schema: parameters }));
  for (let step = 0; step < maxSteps; step++) {
    const choice = toolChoice && step === 0 ? { tool_choice: toolChoice } : {};
    const response = await client.messages.create({ model, messages, tools: specs, ...(system.trim() ? { system } : {}), ...choice, ...options });
    const calls = response.content.filter((block) => block.type === "tool_use");
    if (!calls.length) return response.content.map((block) => (block.type === "text" ? block.text : "")).join("");
    messages.push({ role: "assistant", content: response.content });
    const results: Anthropic.ToolResultBlockParam[] = [];
    for (const call of calls) {
      results.push({ type: "tool_result", tool_use_id: call.id, content: await callTool(tools, call.name, call.input) });
    }
    messages.push({ role: "user", content: results });
  }
  throw new Error(stepLimit(maxSteps));
}

"#;

const AGENT_GEMINI: &str = r#"// The agent loop: call the model, run the tools it asks for, send the results back, until it
// answers without calling a tool. `toolChoice` is "ANY", "NONE" or the name of the one tool to call.
async function agentGemini(
  client: GoogleGenAI,
  model: string,
  system: string,
  user: string,
  { tools, maxSteps, toolChoice, media = [], turns = [], ...options }: AgentExtras<string> & Omit<GeminiOptions, "tools" | "toolConfig">,
): Promise<string> {
  const functionDeclarations = tools.map(({ name, description, parameters }): FunctionDeclaration => ({ name, description, parametersJsonSchema: parameters }));
  const contents = geminiContents(user, media, turns);
  for (let step = 0; step < maxSteps; step++) {
    let toolConfig: ToolConfig | undefined;
    if (toolChoice && step === 0) {
      const named = toolChoice !== "ANY" && toolChoice !== "NONE";
      toolConfig = {
        functionCallingConfig: named
          ? { mode: FunctionCallingConfigMode.ANY, allowedFunctionNames: [toolChoice] }
          : { mode: toolChoice === "ANY" ? FunctionCallingConfigMode.ANY : FunctionCallingConfigMode.NONE },
      };
    }
    const config: GenerateContentConfig = {
      ...(system.trim() ? { systemInstruction: system } : {}),
      tools: [{ functionDeclarations }],
      ...(toolConfig ? { toolConfig } : {}),
      automaticFunctionCalling: { disable: true },
      ...options,
    };
    const response = await client.models.generateContent({ model, contents, config });
    const calls = response.functionCalls ?? [];
    const content = response.candidates?.[0]?.content;
    if (!calls.length || !content) return response.text ?? "";
    contents.push(content);
    const parts: Part[] = [];
    for (const call of calls) {
      const result = await callTool(tools, call.name ?? "", call.args ?? {});
      parts.push({ functionResponse: { name: call.name, response: { result } } });
    }
    contents.push({ role: "user", parts });
  }
  throw new Error(stepLimit(maxSteps));
}

"#;

const AGENT_OLLAMA: &str = r#"// The agent loop: call the model, run the tools it asks for, send the results back, until it
// answers without calling a tool. (Ollama cannot force a tool choice.)
async function agentOllama(
  client: Ollama,
  model: string,
  system: string,
  user: string,
  { tools, maxSteps, media = [], turns = [], ...options }: AgentExtras<never> & Omit<OllamaOptions, "tools">,
): Promise<string> {
  const messages = ollamaMessages(system, user, media, turns);
  // The tool's JSON schema, in the narrower shape ollama's types describe.
  const specs = tools.map(({ name, description, parameters }): OllamaTool => ({
    type: "function",
    function: { name, description, parameters: parameters as OllamaTool["function"]["parameters"] },
  }));
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
async function transcribeOpenAI(client: OpenAI, model: string, path: string, { language = "", hint = "" }: { language?: string; hint?: string }): Promise<string> {
  const result = await client.audio.transcriptions.create({
    model,
    file: createReadStream(path),
    ...(language ? { language } : {}),
    ...(hint ? { prompt: hint } : {}),
  });
  return result.text;
}

"#;

const SEARCH: &str = r#"// A passage of the flow's documents, as Chainboard cut them.
interface Passage {
  source: string;
  heading?: string | null;
  chunk: number;
  text: string;
}

// The flow's documents, cut into passages as Chainboard cut them (documents/passages.json).
const PASSAGES: Passage[] = JSON.parse(readFileSync(new URL("./documents/passages.json", import.meta.url), "utf8"));

// Chainboard's tokenizer: words of letters and digits (apostrophes dropped), lowercase, common
// English words left out, and a light stemmer so "refunds" and "refunded" meet "refund".
const STOP_WORDS = new Set(
  ("a an and are as at be but by can do does for from had has have how i if in into is it its me my no not of " +
    "on or our so that the their then there these they this to was we what with you").split(" "),
);
const SUFFIXES: [suffix: string, keep: string][] = [["ational", "ate"], ["ies", "y"], ["sses", "ss"], ["ing", ""], ["edly", ""], ["ed", ""], ["ly", ""], ["es", ""], ["s", ""]];

function stem(word: string): string {
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

function words(text: string): string[] {
  const found = text.match(/[\p{L}\p{N}]+(?:['\u2019][\p{L}\p{N}]+)*/gu) ?? [];
  return found.map((w) => w.replace(/['\u2019]/g, "").toLowerCase()).filter((w) => !STOP_WORDS.has(w)).map(stem);
}

const index = new MiniSearch<{ id: number; text: string }>({ fields: ["text"], tokenize: words, processTerm: (term) => term });
index.addAll(PASSAGES.map((p, id) => ({ id, text: p.heading ? `${p.heading}\n${p.text}` : p.text })));

// The best passages for `query` by BM25 (k1 = 1.2, b = 0.75, as in Chainboard): a numbered
// context to cite [1], [2], and the passages as JSON. Each query word counts once.
function search(query: string, topK: number, minScore = 0): [context: string, passages: string] {
  const terms = [...new Set(words(query))];
  const hits = index
    .search(terms.join(" "), { tokenize: (q) => q.split(" "), processTerm: (term) => term, bm25: { k: 1.2, b: 0.75, d: 0 } })
    // MiniSearch multiplies by the number of matched words; Chainboard sums the words' scores.
    .map((hit) => ({ id: Number(hit.id), score: hit.score / hit.queryTerms.length }))
    .filter((hit) => hit.score > 0 && hit.score >= minScore)
    .sort((a, b) => b.score - a.score || a.id - b.id)
    .slice(0, topK);
  if (!hits.length) return ["(No passages were found for this question.)", "[]"];
  const found = hits.map((hit, n) => ({ ...PASSAGES[hit.id], number: n + 1, score: Math.round(hit.score * 1000) / 1000 }));
  const context = found.map((p) => `[${p.number}] (${p.source}, ${p.heading ?? `part ${p.chunk}`})\n${p.text}`).join("\n\n");
  return [context, JSON.stringify(found)];
}

"#;

const MOCK_FILL: &str = r#"function argText(args: ToolArgs, name: string): string {
  const value = args[name];
  if (value == null) return "";
  return typeof value === "string" ? value : JSON.stringify(value);
}

// Fills {{argument}} placeholders; inside JSON, text is escaped so the result stays JSON.
function mockFill(template: string, args: ToolArgs): string {
  const jsonLike = ["{", "["].includes(template.trimStart()[0]);
  const names = [...template.matchAll(/\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g)].map((m) => m[1]);
  const values = Object.fromEntries(names.map((n) => [n, jsonLike ? JSON.stringify(argText(args, n)).slice(1, -1) : argText(args, n)]));
  return render(template, values);
}

"#;

const HTTP_TOOL: &str = r#"// A tool that calls an HTTP API: arguments fill the {{placeholders}} (encoded in the URL).
async function httpTool(method: string, url: string, headers: Record<string, string>, body: string, jsonPath: string, args: ToolArgs): Promise<string> {
  const names = [...url.matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map((m) => m[1]);
  const target = render(url, Object.fromEntries(names.map((n) => [n, encodeURIComponent(argText(args, n))])));
  const sendBody = body.trim() && !["GET", "DELETE"].includes(method);
  const hdrs = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, mockFill(v, args)]));
  if (sendBody && !Object.keys(hdrs).some((k) => k.toLowerCase() === "content-type")) hdrs["content-type"] = "application/json";
  const reply = await fetch(target, { method, headers: hdrs, body: sendBody ? mockFill(body, args) : undefined });
  const text = await reply.text();
  if (!reply.ok) return `The API answered ${reply.status}: ${text.slice(0, 2000)}`;
  if (!jsonPath) return text;
  let value: unknown = JSON.parse(text);
  // A missing field fails here, as in Chainboard.
  for (const key of jsonPath.split(".")) value = Array.isArray(value) ? value[Number(key)] : (value as Record<string, unknown>)[key];
  return typeof value === "string" ? value : JSON.stringify(value);
}

"#;
