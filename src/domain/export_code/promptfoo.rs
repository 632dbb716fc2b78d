//! The flow's test cases and checks as a promptfoo config (`promptfooconfig.yaml`), the cases
//! as CSV, and a README that says what does not map one to one. YAML is written by hand:
//! every string is a double-quoted scalar escaped by [`quote`] (JSON strings are valid YAML).
//!
//! A flow whose checked answer comes straight from one plain Prompt block maps to promptfoo's
//! own provider and a prompt function with the same messages; any other flow is run whole by
//! a small custom provider around the TypeScript export (`flow-provider.ts` + `main.ts`).

use std::fmt::Write as _;

use super::naming::{camel, comment_text, quote};
use super::plan::{Plan, PromptStep, Provider, StepKind};
use super::readme::md;
use super::{typescript, ExportFile, ExportSource};
use crate::domain::blocks::BlockConfig;
use crate::domain::evals::cases::cases_to_csv;
use crate::domain::evals::checks::{Check, CheckKind};
use crate::domain::evals::suite::EvalSuite;
use crate::domain::json_schema::OutputFormat;

/// The promptfoo version the tests run.
pub const PROMPTFOO_VERSION: &str = "0.121.20";

pub fn files(plan: &Plan, source: &ExportSource) -> Vec<ExportFile> {
    let suite = source.suite.clone().unwrap_or_default();
    let target = target_output(source, &suite);
    let single = single_prompt(plan, target.as_deref());
    let mut notes: Vec<String> = Vec::new();
    let mut files = Vec::new();
    let mut yaml = String::new();
    let title = if plan.title.trim().is_empty() { "Untitled flow" } else { plan.title.as_str() };
    let _ = writeln!(
        yaml,
        "# Tests for \u{201c}{}\u{201d}, exported from Chainboard. Run: npx promptfoo eval",
        comment_text(title)
    );
    let _ = writeln!(yaml, "description: {}", quote(title));
    match &single {
        Some((step_title, p)) => {
            files.push(ExportFile::new("prompt.mjs", prompt_function(step_title, p)));
            yaml.push_str("prompts:\n  - \"file://prompt.mjs\"\n");
            yaml.push_str("providers:\n");
            provider_entry(&mut yaml, "Base", &p.provider, &p.model, p, None);
            for variant in &suite.variants {
                if variant.user.is_some() || variant.system.is_some() || variant.provider.is_some() {
                    notes.push(format!(
                        "The variant \u{201c}{}\u{201d} changes the prompt or the provider: add it as another prompt or provider by hand.",
                        md(&variant.name)
                    ));
                    continue;
                }
                let model = variant.model.clone().unwrap_or_else(|| p.model.clone());
                provider_entry(&mut yaml, &variant.name, &p.provider, &model, p, variant.temperature);
            }
        }
        None => {
            let mut ts = typescript::files(plan, source);
            ts.retain(|f| f.path != "README.md");
            files.extend(ts);
            files.push(ExportFile::new("flow-provider.ts", flow_provider(plan, target.as_deref())));
            yaml.push_str("prompts:\n  - \"{{__flow_inputs}}\"\n");
            yaml.push_str("providers:\n  - id: \"file://flow-provider.ts\"\n    label: \"Base\"\n");
            notes.push(
                "The whole flow runs for each case through `flow-provider.ts` (the TypeScript export in `main.ts`, which \
                 promptfoo loads with tsx); the prompt line only names the inputs. Variants are not exported for such flows."
                    .into(),
            );
            if plan.conversational() {
                notes.push(
                    "The flow remembers the conversation: a case's earlier turns go to `flow-provider.ts` as the \
                     `__history` variable (JSON pairs of what the user said and the answer), not through promptfoo's \
                     own multi-turn features; `cases.csv` has no column for them."
                        .into(),
                );
            }
        }
    }
    if suite.repetitions > 1 {
        let _ = writeln!(yaml, "evaluateOptions:\n  repeat: {}", suite.repetitions);
    }
    let mut asserts = String::new();
    for check in &suite.checks {
        match assertion(check) {
            Ok(text) => asserts.push_str(&text),
            Err(note) => notes.push(note),
        }
        if let Some(n) = difference(&check.kind) {
            notes.push(format!("**{}**: {n}", md(&check.name)));
        }
    }
    if !asserts.is_empty() {
        yaml.push_str("defaultTest:\n  assert:\n");
        yaml.push_str(&asserts);
    }
    let inputs: Vec<String> = plan.inputs.iter().map(|i| i.name.clone()).collect();
    if suite.cases.is_empty() {
        yaml.push_str("tests: []\n");
        notes.push("The flow has no test cases yet: add rows to cases.csv and point `tests` at it.".into());
    } else {
        yaml.push_str("tests:\n");
        for (n, case) in suite.cases.iter().enumerate() {
            let _ = writeln!(yaml, "  - description: {}", quote(&format!("Case {}", n + 1)));
            yaml.push_str("    vars:\n");
            let mut all: Vec<(String, String)> = Vec::new();
            for i in &plan.inputs {
                let value = case.inputs.get(&i.name).cloned().unwrap_or_else(|| i.default.clone());
                all.push((i.name.clone(), value));
            }
            if let Some(e) = &case.expected {
                all.push(("expected".into(), e.clone()));
            }
            if single.is_none() {
                let names: Vec<&str> = plan.inputs.iter().map(|i| i.name.as_str()).collect();
                all.push(("__flow_inputs".into(), names.join(", ")));
            }
            if plan.conversational() && !case.history.is_empty() {
                // The conversation before the case's message, for the Prompts that remember it.
                let turns: Vec<[&str; 2]> =
                    case.history.iter().map(|t| [t.user.as_str(), t.assistant.as_str()]).collect();
                all.push(("__history".into(), serde_json::to_string(&turns).unwrap_or_default()));
            }
            for (k, v) in all {
                let _ = writeln!(yaml, "      {}: {}", quote(&k), quote(&v));
            }
        }
    }
    files.push(ExportFile::new("promptfooconfig.yaml", yaml));
    files.push(ExportFile::new("cases.csv", cases_to_csv(&inputs, &suite.cases)));
    files.push(ExportFile::new("README.md", readme(plan, &suite, single.is_some(), &notes)));
    files
}

/// The title of the Output block the checks read: the suite's target or the first Output.
fn target_output(source: &ExportSource, suite: &EvalSuite) -> Option<String> {
    let flow = &source.flow;
    let block = match &suite.target {
        Some(id) => flow.blocks.iter().find(|b| b.id.as_str() == id),
        None => flow.blocks.iter().find(|b| matches!(b.config, BlockConfig::Output(_))),
    }?;
    Some(block.display_name())
}

/// The one plain Prompt (no tools, no media) whose answer the checked Output shows, when it
/// is the only block that runs.
fn single_prompt<'p>(plan: &'p Plan, target: Option<&str>) -> Option<(String, &'p PromptStep)> {
    let [step] = plan.steps.as_slice() else { return None };
    let StepKind::Prompt(p) = &step.kind else { return None };
    if !p.tools.is_empty() || step.args.iter().any(|a| a.media.is_some() || a.source.is_none()) {
        return None;
    }
    // Example turns, memory and the advanced settings are written by the Node export only:
    // such a flow runs whole through flow-provider.ts.
    let c = &p.config;
    if !c.examples.is_empty() || c.conversation.is_some() || c.params != Default::default() {
        return None;
    }
    let out = plan.outputs.iter().find(|o| Some(o.title.as_str()) == target)?;
    (out.source() == step.outputs.first().map(|(_, v)| v.as_str())).then(|| (step.title.clone(), p.as_ref()))
}

fn provider_id(provider: &Provider, model: &str) -> String {
    match provider {
        Provider::OpenAi | Provider::Compatible => format!("openai:chat:{model}"),
        Provider::Anthropic => format!("anthropic:messages:{model}"),
        Provider::Gemini => format!("google:{model}"),
        Provider::Ollama => format!("ollama:chat:{model}"),
    }
}

fn provider_entry(
    yaml: &mut String,
    label: &str,
    provider: &Provider,
    model: &str,
    p: &PromptStep,
    temperature: Option<f64>,
) {
    let c = &p.config;
    let _ = writeln!(yaml, "  - id: {}", quote(&provider_id(provider, model)));
    let _ = writeln!(yaml, "    label: {}", quote(label));
    let mut config = Vec::new();
    if let Some(t) = temperature.or(c.temperature) {
        config.push(format!("temperature: {t}"));
    }
    if let Some(m) = c.max_tokens {
        let field = match provider {
            Provider::OpenAi => "max_completion_tokens",
            Provider::Gemini => "maxOutputTokens",
            Provider::Ollama => "num_predict",
            _ => "max_tokens",
        };
        config.push(format!("{field}: {m}"));
    }
    if *provider == Provider::Compatible {
        config.push(format!("apiBaseUrl: {}", quote(provider.base_env().1)));
    }
    match (&c.output_format, provider) {
        (OutputFormat::Text, _) => {}
        (OutputFormat::Json, Provider::OpenAi | Provider::Compatible) => {
            config.push("response_format:\n      type: \"json_object\"".into())
        }
        (OutputFormat::JsonSchema { schema }, Provider::OpenAi | Provider::Compatible) => config.push(format!(
            "response_format:\n      type: \"json_schema\"\n      json_schema: {}",
            serde_json::json!({"name": "output", "schema": schema, "strict": true})
        )),
        (_, _) => {}
    }
    if !config.is_empty() {
        yaml.push_str("    config:\n");
        for line in config {
            let _ = writeln!(yaml, "      {line}");
        }
    }
}

/// One assertion, or why the check has no promptfoo form.
fn assertion(check: &Check) -> Result<String, String> {
    let name = quote(&check.name);
    let js =
        |body: String| Ok(format!("    - type: \"javascript\"\n      metric: {name}\n      value: {}\n", quote(&body)));
    // `{{expected}}` works in promptfoo too: assertion values are templates over the case's vars.
    let expected_js = |t: &str| -> String {
        let parts: Vec<String> =
            t.split("{{expected}}").map(|p| serde_json::Value::String(p.to_string()).to_string()).collect();
        parts.join(" + String(context.vars.expected ?? \"\") + ")
    };
    match &check.kind {
        CheckKind::Contains { text, case_sensitive } => {
            let ty = if *case_sensitive { "contains" } else { "icontains" };
            Ok(format!("    - type: \"{ty}\"\n      metric: {name}\n      value: {}\n", quote(text)))
        }
        CheckKind::NotContains { text, case_sensitive } => {
            let ty = if *case_sensitive { "not-contains" } else { "not-icontains" };
            Ok(format!("    - type: \"{ty}\"\n      metric: {name}\n      value: {}\n", quote(text)))
        }
        CheckKind::Equals { text } => {
            let want =
                if text.is_empty() { "String(context.vars.expected ?? \"\")".to_string() } else { expected_js(text) };
            js(format!("output.trim() === ({want}).trim()"))
        }
        CheckKind::StartsWith { text } => {
            js(format!("output.trimStart().startsWith(({}).trimStart())", expected_js(text)))
        }
        CheckKind::Regex { pattern } => {
            Ok(format!("    - type: \"regex\"\n      metric: {name}\n      value: {}\n", quote(pattern)))
        }
        CheckKind::Length { min, max } => {
            let mut cond = Vec::new();
            if let Some(lo) = min {
                cond.push(format!("[...output].length >= {lo}"));
            }
            if let Some(hi) = max {
                cond.push(format!("[...output].length <= {hi}"));
            }
            js(if cond.is_empty() { "true".into() } else { cond.join(" && ") })
        }
        CheckKind::ValidJson => Ok(format!("    - type: \"is-json\"\n      metric: {name}\n")),
        CheckKind::MatchesSchema { schema } => {
            Ok(format!("    - type: \"is-json\"\n      metric: {name}\n      value: {}\n", schema))
        }
        CheckKind::JsonField { path, equals } => js(format!(
            "(() => {{ let v = JSON.parse(output); for (const k of {}.split(\".\")) v = v?.[k]; \
             const got = typeof v === \"string\" ? v : JSON.stringify(v); \
             return got !== undefined && got.trim().toLowerCase() === ({}).trim().toLowerCase(); }})()",
            quote(path),
            expected_js(equals)
        )),
        CheckKind::NumberRange { path, min, max } => {
            let read = if path.trim().is_empty() {
                "Number((output.match(/-?\\d+(?:\\.\\d+)?/) ?? [NaN])[0])".to_string()
            } else {
                format!("(() => {{ let v = JSON.parse(output); for (const k of {}.split(\".\")) v = v?.[k]; return Number(v); }})()", quote(path))
            };
            let lo = min.map_or("-Infinity".to_string(), |v| v.to_string());
            let hi = max.map_or("Infinity".to_string(), |v| v.to_string());
            js(format!("(n => n >= {lo} && n <= {hi})({read})"))
        }
        // promptfoo sees the answer only, not which branch a Router took.
        CheckKind::RouteTaken { .. } => Err(format!(
            "**{}**: not exported. A Route taken check looks at a Router's decision, which promptfoo does not see.",
            md(&check.name)
        )),
        CheckKind::Similarity { provider, model, min } => {
            let id = match provider.as_str() {
                "gemini" => format!("google:embedding:{model}"),
                "ollama" => format!("ollama:embeddings:{model}"),
                _ => format!("openai:embedding:{model}"),
            };
            Ok(format!(
                "    - type: \"similar\"\n      metric: {name}\n      value: \"{{{{expected}}}}\"\n      threshold: {min}\n      provider: {}\n",
                quote(&id)
            ))
        }
        CheckKind::ModelGraded { rubric, provider, model, pass_score } => {
            let (p, _, _) = super::plan::map_provider(provider, model);
            let model = if provider == "demo" { "gpt-4o-mini" } else { model.as_str() };
            Ok(format!(
                "    - type: \"llm-rubric\"\n      metric: {name}\n      value: {}\n      threshold: {}\n      provider: {}\n",
                quote(rubric),
                f64::from(*pass_score) / 5.0,
                quote(&provider_id(&p, model))
            ))
        }
    }
}

/// What a check does differently in promptfoo, in a sentence for the README.
fn difference(kind: &CheckKind) -> Option<&'static str> {
    Some(match kind {
        CheckKind::Regex { .. } => {
            "promptfoo uses JavaScript regular expressions; Chainboard's are Rust's. Most patterns mean the same."
        }
        CheckKind::ValidJson | CheckKind::MatchesSchema { .. } => {
            "promptfoo's is-json does not look inside ```json fences, which Chainboard accepts."
        }
        CheckKind::ModelGraded { .. } => {
            "promptfoo's own grader prompt judges the rubric and gives a score from 0 to 1; Chainboard's judge \
             scores 1 to 5. The threshold is the pass score divided by 5."
        }
        CheckKind::Similarity { .. } => "Similarity is computed by promptfoo with the same embeddings model.",
        _ => return None,
    })
}

fn prompt_function(title: &str, p: &PromptStep) -> String {
    let mut o = String::new();
    let _ = writeln!(
        o,
        "// The Prompt block \u{201c}{}\u{201d} as a promptfoo prompt function: the messages",
        comment_text(title)
    );
    o.push_str("// Chainboard sends, with the case's values in the {{placeholders}}.\n");
    let _ = writeln!(o, "const SYSTEM = {};", quote(&p.config.system));
    let _ = writeln!(o, "const USER = {};\n", quote(&p.config.user));
    o.push_str(
        "function render(template, values) {\n  return template.replace(/\\\\\\{\\{|\\{\\{\\s*([A-Za-z_][A-Za-z0-9_]*)\\s*\\}\\}/g, (_, name) => (name ? String(values[name] ?? \"\") : \"{{\"));\n}\n\n",
    );
    o.push_str("export default function ({ vars }) {\n  const messages = SYSTEM.trim() ? [{ role: \"system\", content: render(SYSTEM, vars) }] : [];\n  return [...messages, { role: \"user\", content: render(USER, vars) }];\n}\n");
    o
}

fn flow_provider(plan: &Plan, target: Option<&str>) -> String {
    let mut o = String::from("// Runs the whole exported flow (main.ts) for each promptfoo test case and answers with\n// the Output block the checks read. promptfoo loads TypeScript providers with tsx.\nimport { runFlow } from \"./main.ts\";\n\n");
    let mut args: Vec<String> = plan
        .inputs
        .iter()
        .map(|i| format!("{}: vars[{}] ?? {}", camel(&i.ident), quote(&i.name), quote(&i.default)))
        .collect();
    if plan.conversational() {
        // A case's earlier turns ([user, answer] pairs, as JSON) for the Prompts that remember them.
        args.push("history: JSON.parse(vars.__history ?? \"[]\")".into());
    }
    let _ = writeln!(o, "const TARGET = {};\n", quote(target.unwrap_or_default()));
    o.push_str("// A test case's variables, by name.\ntype Vars = Record<string, string | undefined>;\n\n");
    o.push_str("export default class ChainboardFlow {\n  id(): string {\n    return \"chainboard-flow\";\n  }\n\n  async callApi(_prompt: string, { vars }: { vars: Vars }): Promise<{ output: string }> {\n");
    let _ = writeln!(o, "    const outputs = await runFlow({{ {} }});", args.join(", "));
    if plan.outputs.iter().any(|out| out.conditional) {
        // promptfoo takes an empty output for an error: a branch not taken says so instead.
        o.push_str("    const answer = outputs.find((o) => o.output === TARGET) ?? outputs[0];\n    return { output: answer?.answer ?? \"(skipped: the branch that leads here was not taken)\" };\n  }\n}\n");
    } else {
        o.push_str("    const answer = outputs.find((o) => o.output === TARGET) ?? outputs[0];\n    return { output: answer?.answer ?? \"\" };\n  }\n}\n");
    }
    o
}

fn readme(plan: &Plan, suite: &EvalSuite, single: bool, notes: &[String]) -> String {
    let mut o = String::new();
    let title = if plan.title.trim().is_empty() { "Untitled flow".to_string() } else { md(&plan.title) };
    let _ = writeln!(o, "# Tests for {title}\n");
    let _ = writeln!(
        o,
        "Exported from Chainboard: {} test case(s) and {} check(s) as a promptfoo config (`promptfooconfig.yaml`), and the \
         cases as `cases.csv`.\n",
        suite.cases.len(),
        suite.checks.len()
    );
    o.push_str("## Run it\n\n```sh\n");
    if !single {
        o.push_str("npm install   # the flow's SDKs (package.json)\n");
    }
    for p in plan.providers() {
        if let Some(key) = p.key_env() {
            let _ = writeln!(o, "export {key}=...");
        }
    }
    let _ = writeln!(o, "npx promptfoo@{PROMPTFOO_VERSION} eval\n```\n");
    o.push_str("## What does not map one-to-one\n\n");
    let mut all = notes.to_vec();
    if suite.repetitions > 1 {
        all.push(format!("Each case runs {} times (`evaluateOptions.repeat`), as in Chainboard.", suite.repetitions));
    }
    all.push(
        "Chainboard's statistics (confidence intervals, the paired comparison of variants, held-out cases) are not \
         part of promptfoo: it reports pass rates per provider."
            .into(),
    );
    if single {
        all.push(
            "The prompt is a JavaScript prompt function (`prompt.mjs`) so values are filled exactly as Chainboard fills \
             them."
                .into(),
        );
    }
    for n in all {
        let _ = writeln!(o, "- {n}");
    }
    o
}
