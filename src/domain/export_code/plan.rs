//! Reads a flow once for every exporter: which blocks run in which order and which of them
//! may run at the same time (levels), the names of functions and variables, which value
//! feeds which template variable, the tools each agent may call, and what cannot be
//! exported yet (TODOs that the code and the README both show).

use std::collections::{BTreeSet, HashMap};

use super::naming::{snake, Names};
use crate::domain::blocks::loop_block::LoopBody;
use crate::domain::blocks::output::OUTPUT_INPUT_PORT;
use crate::domain::blocks::tool::TOOLS_PORT;
use crate::domain::blocks::transcribe::instruction;
use crate::domain::blocks::{
    ApprovalConfig, BlockConfig, LoopConfig, PromptConfig, RetrieveConfig, RouterConfig, RouterMode, ToolConfig,
    TranscribeConfig, TransformConfig,
};
use crate::domain::flow::{BlockId, Flow, PortRef};
use crate::domain::graph::topological_order;
use crate::domain::media::{kind_of, MediaKind};
use crate::domain::retrieval::search::RetrieveMode;

/// Anthropic requires max_tokens; Chainboard sends this when a block sets none.
pub const ANTHROPIC_DEFAULT_MAX_TOKENS: u32 = 1024;

/// Anthropic's `max_tokens` and thinking budget as the app sends them: `max_tokens` counts
/// the thinking too and must be above the budget.
pub fn anthropic_budget(max_tokens: Option<u32>, thinking: Option<u32>) -> (u32, Option<u32>) {
    let max = match (max_tokens, thinking) {
        (Some(max), Some(budget)) if max <= budget => budget.saturating_add(max),
        (Some(max), _) => max,
        (None, Some(budget)) => budget.saturating_add(ANTHROPIC_DEFAULT_MAX_TOKENS),
        (None, None) => ANTHROPIC_DEFAULT_MAX_TOKENS,
    };
    (max, thinking)
}

/// The SDK a call goes through.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Provider {
    OpenAi,
    /// Any server that speaks OpenAI's API, through the `openai` SDK with another base URL.
    Compatible,
    Anthropic,
    Gemini,
    Ollama,
}

impl Provider {
    /// The environment variable that holds the key (Ollama needs none).
    pub fn key_env(self) -> Option<&'static str> {
        match self {
            Provider::OpenAi => Some("OPENAI_API_KEY"),
            Provider::Compatible => Some("OPENAI_COMPATIBLE_API_KEY"),
            Provider::Anthropic => Some("ANTHROPIC_API_KEY"),
            Provider::Gemini => Some("GEMINI_API_KEY"),
            Provider::Ollama => None,
        }
    }

    /// The environment variable that overrides the address, and its default.
    pub fn base_env(self) -> (&'static str, &'static str) {
        match self {
            Provider::OpenAi => ("OPENAI_BASE_URL", "https://api.openai.com/v1"),
            Provider::Compatible => ("OPENAI_COMPATIBLE_BASE_URL", "http://localhost:1234/v1"),
            Provider::Anthropic => ("ANTHROPIC_BASE_URL", "https://api.anthropic.com"),
            Provider::Gemini => ("GEMINI_BASE_URL", "https://generativelanguage.googleapis.com"),
            Provider::Ollama => ("OLLAMA_HOST", "http://127.0.0.1:11434"),
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Provider::OpenAi => "OpenAI",
            Provider::Compatible => "an OpenAI-compatible server",
            Provider::Anthropic => "Anthropic",
            Provider::Gemini => "Gemini",
            Provider::Ollama => "Ollama",
        }
    }

    /// The name of the client variable in generated code (snake_case).
    pub fn client(self) -> &'static str {
        match self {
            Provider::OpenAi => "openai_client",
            Provider::Compatible => "compatible_client",
            Provider::Anthropic => "anthropic_client",
            Provider::Gemini => "gemini_client",
            Provider::Ollama => "ollama_client",
        }
    }
}

/// Which SDK a Chainboard provider id maps to, the model, and a note when it is not the same
/// thing (sample answers, the in-browser model, a provider this version does not know).
pub fn map_provider(id: &str, model: &str) -> (Provider, String, Option<String>) {
    match id {
        "openai" => (Provider::OpenAi, model.to_string(), None),
        "openai-compatible" => (Provider::Compatible, model.to_string(), None),
        "anthropic" => (Provider::Anthropic, model.to_string(), None),
        "gemini" => (Provider::Gemini, model.to_string(), None),
        "ollama" => (Provider::Ollama, model.to_string(), None),
        "demo" => (
            Provider::OpenAi,
            "gpt-4o-mini".to_string(),
            Some(
                "In Chainboard this block answers with sample answers (no model). The export calls OpenAI's \
                 gpt-4o-mini instead: change the model here."
                    .to_string(),
            ),
        ),
        "browser" => (
            Provider::Compatible,
            model.rsplit('/').next().unwrap_or(model).to_string(),
            Some(
                "In Chainboard this block runs a model inside the browser tab. The export calls an \
                 OpenAI-compatible server (for example llama.cpp's llama-server) with that model instead."
                    .to_string(),
            ),
        ),
        other => (
            Provider::OpenAi,
            model.to_string(),
            Some(format!("TODO: the provider \u{201c}{other}\u{201d} is not known to this exporter; OpenAI is used.")),
        ),
    }
}

/// A value the program takes on the command line.
#[derive(Debug, Clone, PartialEq)]
pub struct InputArg {
    /// The Input value's name: the CLI option (`--ticket`) and the test-case column.
    pub name: String,
    /// The variable holding it in the program.
    pub ident: String,
    /// The flow's value, used when the option is not given (a file name for media).
    pub default: String,
    /// Image or audio: the value is a path to a file.
    pub media: Option<MediaKind>,
    pub block_title: String,
}

/// One template variable (or port) of a step and the program variable that fills it.
#[derive(Debug, Clone, PartialEq)]
pub struct Arg {
    pub name: String,
    /// `None` when nothing is connected (the program passes an empty string, with a TODO).
    pub source: Option<String>,
    /// Fed by an image or audio Input value: a file path, sent as media.
    pub media: Option<MediaKind>,
}

/// A tool an agent may call.
#[derive(Debug, Clone, PartialEq)]
pub struct ToolDef {
    pub block: BlockId,
    pub title: String,
    /// The function that runs it.
    pub func: String,
    pub config: ToolConfig,
    /// The JSON Schema of its arguments.
    pub schema: serde_json::Value,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PromptStep {
    pub config: PromptConfig,
    pub provider: Provider,
    pub model: String,
    pub note: Option<String>,
    /// Indices into [`Plan::tools`].
    pub tools: Vec<usize>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TranscribeStep {
    pub config: TranscribeConfig,
    pub provider: Provider,
    pub model: String,
    pub note: Option<String>,
    /// What a chat model is asked (Gemini).
    pub instruction: String,
}

/// A Router: rules decide in code; in model mode, a model picks the route.
#[derive(Debug, Clone, PartialEq)]
pub struct RouterStep {
    pub config: RouterConfig,
    /// Model mode: who picks, as a Prompt's provider and model.
    pub provider: Provider,
    pub model: String,
    pub note: Option<String>,
    /// Model mode: the app's instructions listing the routes (sent as the system prompt).
    pub system: String,
    /// The output ports in order, `default` last.
    pub routes: Vec<String>,
}

/// A Loop ("For each item") whose body is an inline prompt.
#[derive(Debug, Clone, PartialEq)]
pub struct LoopStep {
    pub config: LoopConfig,
    pub prompt: PromptStep,
}

#[derive(Debug, Clone, PartialEq)]
pub enum StepKind {
    Prompt(Box<PromptStep>),
    Retrieve(RetrieveConfig),
    Transcribe(TranscribeStep),
    Router(Box<RouterStep>),
    Transform(TransformConfig),
    Loop(Box<LoopStep>),
    Approval(ApprovalConfig),
    /// A kind this exporter cannot write yet: its outputs are empty strings and the code says so.
    Todo {
        kind: String,
    },
}

/// A block that runs: a function in the program.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    pub block: BlockId,
    pub title: String,
    pub func: String,
    /// 1 for blocks fed by inputs only; a block runs after every block of a lower level.
    pub level: usize,
    pub args: Vec<Arg>,
    /// (port, variable) for each output port.
    pub outputs: Vec<(String, String)>,
    pub kind: StepKind,
    /// It sits on a branch that may not be taken (after a Router's route or an Approval):
    /// its inputs can carry nothing, and then it does not run.
    pub conditional: bool,
}

/// An Output block: its title and the variables it prints.
#[derive(Debug, Clone, PartialEq)]
pub struct OutputPrint {
    pub title: String,
    /// Every connection into it: several when branches of a Router meet here; only the
    /// branch that ran carries a value.
    pub sources: Vec<String>,
    /// Whether it may show nothing (every branch into it was not taken).
    pub conditional: bool,
}

impl OutputPrint {
    pub fn source(&self) -> Option<&str> {
        self.sources.first().map(String::as_str)
    }
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Plan {
    pub title: String,
    pub description: String,
    pub inputs: Vec<InputArg>,
    /// In dependency order.
    pub steps: Vec<Step>,
    pub outputs: Vec<OutputPrint>,
    pub tools: Vec<ToolDef>,
    /// Note blocks' text, kept as comments.
    pub notes: Vec<(String, String)>,
    /// What the export could not reproduce, one sentence each (README and code).
    pub todos: Vec<String>,
}

impl Plan {
    /// Steps grouped by level, each group in flow order.
    pub fn levels(&self) -> Vec<Vec<&Step>> {
        let max = self.steps.iter().map(|s| s.level).max().unwrap_or(0);
        (1..=max)
            .map(|l| self.steps.iter().filter(|s| s.level == l).collect())
            .filter(|g: &Vec<&Step>| !g.is_empty())
            .collect()
    }

    pub fn providers(&self) -> BTreeSet<Provider> {
        let mut out = BTreeSet::new();
        for s in &self.steps {
            match &s.kind {
                StepKind::Prompt(p) => {
                    out.insert(p.provider);
                }
                StepKind::Transcribe(t) => {
                    out.insert(t.provider);
                }
                StepKind::Router(r) if r.config.mode == RouterMode::Model => {
                    out.insert(r.provider);
                }
                // OpenAI's moderation endpoint, for a rule that is not on the sample list.
                StepKind::Router(r) if r.config.uses_openai_moderation() => {
                    out.insert(Provider::OpenAi);
                }
                StepKind::Loop(l) => {
                    out.insert(l.prompt.provider);
                }
                _ => {}
            }
        }
        out
    }

    pub fn has(&self, kind: fn(&StepKind) -> bool) -> bool {
        self.steps.iter().any(|s| kind(&s.kind))
    }

    /// Whether some block may be skipped (a branch not taken).
    pub fn has_branches(&self) -> bool {
        self.steps.iter().any(|s| s.conditional) || self.outputs.iter().any(|o| o.conditional)
    }

    /// Rules of any Router, for the helpers the rule tests need.
    pub fn rules(&self) -> impl Iterator<Item = &crate::domain::blocks::RouteRule> {
        self.steps.iter().flat_map(|s| match &s.kind {
            StepKind::Router(r) if r.config.mode == RouterMode::Rules => r.config.rules.as_slice(),
            _ => &[],
        })
    }

    /// The conversational Prompts (they are sent the earlier turns).
    pub fn conversational(&self) -> bool {
        self.steps.iter().any(|s| matches!(&s.kind, StepKind::Prompt(p) if p.config.conversation.is_some()))
    }

    pub fn has_retrieve(&self) -> bool {
        self.steps.iter().any(|s| matches!(s.kind, StepKind::Retrieve(_)))
    }

    pub fn has_agent(&self) -> bool {
        self.steps.iter().any(|s| matches!(&s.kind, StepKind::Prompt(p) if !p.tools.is_empty()))
    }

    pub fn has_media(&self, kind: MediaKind) -> bool {
        self.inputs.iter().any(|i| i.media == Some(kind))
    }

    /// Whether any step gets an image (the helpers that read image files are needed).
    pub fn sends_images(&self) -> bool {
        self.steps
            .iter()
            .any(|s| matches!(s.kind, StepKind::Prompt(_)) && s.args.iter().any(|a| a.media == Some(MediaKind::Image)))
    }

    pub fn has_http_tool(&self) -> bool {
        self.tools.iter().any(|t| matches!(t.config.action, crate::domain::blocks::tool::ToolAction::Http(_)))
    }
}

/// Which helper functions a program needs, by SDK family (OpenAI and compatible servers
/// share one).
#[derive(Debug, Default)]
pub struct Helpers {
    /// Building messages for this SDK.
    pub families: BTreeSet<Provider>,
    /// One plain call.
    pub ask: BTreeSet<Provider>,
    /// The agent loop.
    pub agent: BTreeSet<Provider>,
}

fn family(p: Provider) -> Provider {
    if p == Provider::Compatible {
        Provider::OpenAi
    } else {
        p
    }
}

pub fn helpers(plan: &Plan) -> Helpers {
    let mut h = Helpers::default();
    for s in &plan.steps {
        match &s.kind {
            StepKind::Prompt(p) => {
                h.families.insert(family(p.provider));
                if p.tools.is_empty() {
                    h.ask.insert(family(p.provider));
                } else {
                    h.agent.insert(family(p.provider));
                }
            }
            StepKind::Transcribe(t) if t.provider == Provider::Gemini => {
                h.families.insert(Provider::Gemini);
                h.ask.insert(Provider::Gemini);
            }
            StepKind::Router(r) if r.config.mode == RouterMode::Model => {
                h.families.insert(family(r.provider));
                h.ask.insert(family(r.provider));
            }
            StepKind::Loop(l) => {
                h.families.insert(family(l.prompt.provider));
                h.ask.insert(family(l.prompt.provider));
            }
            _ => {}
        }
    }
    h
}

/// Reads `flow` into a [`Plan`]. Never fails: what cannot be exported becomes a TODO.
pub fn plan(flow: &Flow) -> Plan {
    let mut names = Names::new();
    let mut out =
        Plan { title: flow.meta.title.clone(), description: flow.meta.description.clone(), ..Plan::default() };
    let order = match topological_order(flow) {
        Ok(order) => order,
        Err(cycle) => {
            out.todos.push(format!(
                "The flow has a loop of connections ({} blocks); the export runs its blocks in canvas order.",
                cycle.len()
            ));
            flow.blocks.iter().map(|b| b.id.clone()).collect()
        }
    };
    // Which program variable each (block, output port) is held in.
    let mut vars: HashMap<(BlockId, String), String> = HashMap::new();
    let mut media_vars: HashMap<String, MediaKind> = HashMap::new();
    let mut levels: HashMap<BlockId, usize> = HashMap::new();
    let mut tool_index: HashMap<BlockId, usize> = HashMap::new();

    // Inputs and tools first: they do not run, they are there from the start.
    for block in &flow.blocks {
        match &block.config {
            BlockConfig::Input(cfg) => {
                for v in &cfg.values {
                    let media = v.media.as_ref().and_then(|m| kind_of(&m.mime));
                    let ident = names.claim(&snake(&v.name, "value"));
                    let default = match &v.media {
                        Some(m) => m.name.rsplit('/').next().unwrap_or(&m.name).to_string(),
                        None => v.value.clone(),
                    };
                    if let Some(kind) = media {
                        media_vars.insert(ident.clone(), kind);
                    }
                    vars.insert((block.id.clone(), v.name.clone()), ident.clone());
                    out.inputs.push(InputArg {
                        name: v.name.clone(),
                        ident,
                        default,
                        media,
                        block_title: block.display_name(),
                    });
                }
                levels.insert(block.id.clone(), 0);
            }
            BlockConfig::Tool(cfg) => {
                let func = names.claim(&snake(&cfg.name, "tool"));
                let schema = cfg.parameters_schema().unwrap_or_else(|e| {
                    out.todos.push(format!(
                        "Tool \u{201c}{}\u{201d}: {e} An empty argument list is used.",
                        block.display_name()
                    ));
                    serde_json::json!({"type": "object", "properties": {}})
                });
                if let crate::domain::blocks::tool::ToolAction::SubFlow(_) = cfg.action {
                    out.todos.push(format!(
                        "Tool \u{201c}{}\u{201d} runs another flow: export that flow too and call it from the stub.",
                        block.display_name()
                    ));
                }
                tool_index.insert(block.id.clone(), out.tools.len());
                out.tools.push(ToolDef {
                    block: block.id.clone(),
                    title: block.display_name(),
                    func,
                    config: cfg.clone(),
                    schema,
                });
            }
            BlockConfig::Note(n) => out.notes.push((block.display_name(), n.text.clone())),
            _ => {}
        }
    }

    let source_of = |vars: &HashMap<(BlockId, String), String>, block: &BlockId, port: &str| -> Option<String> {
        let edge = flow.edge_into(&PortRef::new(block.clone(), port))?;
        vars.get(&(edge.from.block.clone(), edge.from.port.clone())).cloned()
    };
    // Variables that may carry nothing: a Router's routes, an Approval's output, and the
    // outputs of blocks after them.
    let mut conditional_vars: BTreeSet<String> = BTreeSet::new();

    for id in &order {
        let Some(block) = flow.block(id) else { continue };
        let title = block.display_name();
        let kind = match &block.config {
            BlockConfig::Input(_) | BlockConfig::Tool(_) | BlockConfig::Note(_) => continue,
            BlockConfig::Output(_) => {
                let sources: Vec<String> = flow
                    .edges
                    .iter()
                    .filter(|e| &e.to.block == id && e.to.port == OUTPUT_INPUT_PORT)
                    .filter_map(|e| vars.get(&(e.from.block.clone(), e.from.port.clone())).cloned())
                    .collect();
                let conditional = !sources.is_empty() && sources.iter().all(|s| conditional_vars.contains(s));
                out.outputs.push(OutputPrint { title, sources, conditional });
                continue;
            }
            BlockConfig::Prompt(cfg) => {
                let (provider, model, note) = map_provider(&cfg.provider, &cfg.model);
                let tools: Vec<usize> = flow
                    .edges
                    .iter()
                    .filter(|e| &e.to.block == id && e.to.port == TOOLS_PORT)
                    .filter_map(|e| tool_index.get(&e.from.block).copied())
                    .collect();
                StepKind::Prompt(Box::new(PromptStep { config: cfg.clone(), provider, model, note, tools }))
            }
            BlockConfig::Retrieve(cfg) => {
                if cfg.mode != RetrieveMode::Keyword {
                    out.todos.push(format!(
                        "\u{201c}{title}\u{201d} searches by {} in Chainboard; the export searches by keywords (BM25) \
                         only. Add an embeddings call to search by meaning.",
                        cfg.mode.label().to_lowercase()
                    ));
                }
                StepKind::Retrieve(cfg.clone())
            }
            BlockConfig::Transcribe(cfg) => transcribe_step(&title, cfg, &mut out.todos),
            BlockConfig::Router(cfg) => {
                let (provider, model, note) = map_provider(&cfg.provider, &cfg.model);
                StepKind::Router(Box::new(RouterStep {
                    config: cfg.clone(),
                    provider,
                    model,
                    note,
                    system: cfg.model_system_prompt(),
                    routes: cfg.route_names(),
                }))
            }
            BlockConfig::Transform(cfg) => StepKind::Transform(cfg.clone()),
            BlockConfig::Approval(cfg) => StepKind::Approval(cfg.clone()),
            BlockConfig::Loop(cfg) => match &cfg.body {
                LoopBody::Prompt(p) => {
                    let (provider, model, note) = map_provider(&p.provider, &p.model);
                    // Each item is a fresh call: a loop's prompt has no conversation to remember.
                    let config = PromptConfig { conversation: None, ..p.clone() };
                    let prompt = PromptStep { config, provider, model, note, tools: Vec::new() };
                    StepKind::Loop(Box::new(LoopStep { config: cfg.clone(), prompt }))
                }
                LoopBody::Flow { .. } => {
                    out.todos.push(format!(
                        "\u{201c}{title}\u{201d} runs another flow of the workspace for each item, which this exporter \
                         cannot write yet: its results are empty in the code. Export that flow too and call it \
                         from the function marked TODO."
                    ));
                    StepKind::Todo { kind: block.config.kind_label().to_string() }
                }
            },
            BlockConfig::Unknown(u) => {
                out.todos.push(format!(
                    "\u{201c}{title}\u{201d} is a {} block, which this exporter cannot write yet: its outputs are empty \
                     in the code. Fill in the function marked TODO.",
                    u.kind
                ));
                StepKind::Todo { kind: u.kind.clone() }
            }
        };
        let func = names.claim(&snake(&title, block.config.kind_label()));
        let args: Vec<Arg> = block
            .input_ports()
            .into_iter()
            .filter(|p| p.name != TOOLS_PORT)
            .map(|p| {
                let source = source_of(&vars, id, &p.name);
                let media = source.as_ref().and_then(|s| media_vars.get(s).copied());
                Arg { name: p.name, source, media }
            })
            .collect();
        for a in args.iter().filter(|a| a.source.is_none()) {
            out.todos.push(format!(
                "\u{201c}{title}\u{201d}: nothing is connected to {{{{{}}}}}; the code passes an empty text.",
                a.name
            ));
        }
        let level = flow
            .edges
            .iter()
            .filter(|e| &e.to.block == id && e.to.port != TOOLS_PORT)
            .filter_map(|e| levels.get(&e.from.block))
            .max()
            .map_or(1, |l| l + 1);
        levels.insert(id.clone(), level);
        let conditional = args.iter().any(|a| a.source.as_ref().is_some_and(|s| conditional_vars.contains(s)));
        let branches = matches!(kind, StepKind::Router(_) | StepKind::Approval(_));
        let outputs: Vec<(String, String)> = block
            .output_ports()
            .into_iter()
            .map(|p| {
                let var = names.claim(&format!("{func}_{}", p.name));
                vars.insert((id.clone(), p.name.clone()), var.clone());
                if conditional || branches {
                    conditional_vars.insert(var.clone());
                }
                (p.name, var)
            })
            .collect();
        out.steps.push(Step { block: id.clone(), title, func, level, args, outputs, kind, conditional });
    }
    out
}

/// A Transcribe block: OpenAI's endpoint, or a Gemini chat call with the app's instruction.
fn transcribe_step(title: &str, cfg: &TranscribeConfig, todos: &mut Vec<String>) -> StepKind {
    let (provider, model, note) = match cfg.provider.as_str() {
        "demo" => (
            Provider::OpenAi,
            "gpt-4o-mini-transcribe".to_string(),
            Some("In Chainboard this block gives a sample transcript. The export calls OpenAI.".to_string()),
        ),
        other => map_provider(other, &cfg.model),
    };
    let provider = if matches!(provider, Provider::Anthropic | Provider::Ollama) {
        todos.push(format!("\u{201c}{title}\u{201d}: {} cannot transcribe; OpenAI is used.", provider.label()));
        Provider::OpenAi
    } else {
        provider
    };
    StepKind::Transcribe(TranscribeStep { config: cfg.clone(), provider, model, note, instruction: instruction(cfg) })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::templates::TEMPLATES;

    fn plan_of(id: &str) -> Plan {
        let t = TEMPLATES.iter().find(|t| t.id == id).map(|t| (t.build)(0)).unwrap_or_default();
        plan(&t)
    }

    #[test]
    fn independent_blocks_share_a_level() {
        let p = plan_of("compare-models");
        let levels: Vec<Vec<&str>> = p.levels().iter().map(|g| g.iter().map(|s| s.func.as_str()).collect()).collect();
        assert_eq!(levels, vec![vec!["model_a", "model_b"]]);
        let p = plan_of("draft-critique");
        let levels: Vec<Vec<&str>> = p.levels().iter().map(|g| g.iter().map(|s| s.func.as_str()).collect()).collect();
        assert_eq!(levels, vec![vec!["draft"], vec!["critique"]]);
        assert_eq!(p.steps[1].args[0].source.as_deref(), Some("draft_text"));
        assert_eq!(p.outputs.len(), 2);
    }

    #[test]
    fn agents_know_their_tools_and_demo_maps_to_openai() {
        let p = plan_of("order-agent");
        let StepKind::Prompt(step) = &p.steps[0].kind else { panic!("{p:?}") };
        assert_eq!(step.tools, vec![0]);
        assert_eq!(p.tools[0].func, "lookup_order");
        let (provider, model, note) = map_provider("demo", "demo");
        assert_eq!((provider, model.as_str()), (Provider::OpenAi, "gpt-4o-mini"));
        assert!(note.is_some_and(|n| n.contains("sample answers")));
    }

    #[test]
    fn routes_and_approvals_mark_the_branches_after_them() {
        let p = plan_of("triage");
        let StepKind::Router(r) = &p.steps[0].kind else { panic!("{p:?}") };
        assert_eq!(r.routes, ["billing", "bug", "default"]);
        assert!(r.system.contains("- billing\n"), "{}", r.system);
        assert!(!p.steps[0].conditional);
        assert!(p.steps[1..].iter().all(|s| s.conditional));
        assert_eq!(p.outputs[0].sources, ["billing_reply_text", "bug_reply_text", "other_reply_text"]);
        assert!(p.outputs[0].conditional && p.has_branches());
        assert!(p.todos.is_empty(), "{:?}", p.todos);
        let p = plan_of("approve-email");
        assert!(matches!(p.steps[1].kind, StepKind::Approval(_)));
        assert!(p.outputs[0].conditional);
        assert!(!plan_of("sentiment").has_branches());
    }

    #[test]
    fn a_loop_prompt_forgets_and_a_loop_over_a_flow_is_a_todo() {
        let mut flow = TEMPLATES.iter().find(|t| t.id == "summarise-rows").map(|t| (t.build)(0)).unwrap_or_default();
        for b in &mut flow.blocks {
            if let BlockConfig::Loop(l) = &mut b.config {
                if let LoopBody::Prompt(p) = &mut l.body {
                    p.conversation = Some(Default::default());
                }
            }
        }
        let p = plan(&flow);
        let StepKind::Loop(l) = &p.steps[0].kind else { panic!("{p:?}") };
        assert_eq!(l.prompt.config.conversation, None);
        assert!(!p.conversational());
        for b in &mut flow.blocks {
            if let BlockConfig::Loop(l) = &mut b.config {
                l.body = LoopBody::Flow { flow_id: "f".into(), input: String::new() };
            }
        }
        let p = plan(&flow);
        assert!(matches!(p.steps[0].kind, StepKind::Todo { .. }));
        assert!(p.todos.iter().any(|t| t.contains("runs another flow")), "{:?}", p.todos);
    }

    #[test]
    fn anthropic_max_tokens_stay_above_the_thinking_budget() {
        assert_eq!(anthropic_budget(None, None), (1024, None));
        assert_eq!(anthropic_budget(Some(300), Some(1024)), (1324, Some(1024)));
        assert_eq!(anthropic_budget(Some(4000), Some(1024)), (4000, Some(1024)));
        assert_eq!(anthropic_budget(None, Some(2000)), (3024, Some(2000)));
    }

    #[test]
    fn unknown_kinds_and_loose_ports_become_todos() {
        let mut flow = (TEMPLATES[1].build)(0);
        flow.edges.clear();
        flow.blocks.push(crate::domain::flow::Block::new(
            BlockId::new("x"),
            "Route it",
            crate::domain::flow::Point::default(),
            BlockConfig::Unknown(crate::domain::blocks::UnknownConfig {
                kind: "router".into(),
                raw: serde_json::json!({}),
            }),
        ));
        let p = plan(&flow);
        assert!(p.todos.iter().any(|t| t.contains("router block")), "{:?}", p.todos);
        assert!(p.todos.iter().any(|t| t.contains("nothing is connected to {{ticket}}")), "{:?}", p.todos);
    }
}
