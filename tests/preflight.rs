//! The checks before a run (`engine::preflight`): keys, downloads, tool hosts, sub-flows and
//! the flow's own problems, in the order the UI asks about them, for each scope.

use std::collections::{BTreeMap, BTreeSet};

use chainboard::domain::blocks::tool::{HttpAction, HttpMethod, SubFlowAction, ToolAction, TOOLS_PORT};
use chainboard::domain::blocks::{BlockConfig, InputConfig, InputValue, OutputConfig, PromptConfig, ToolConfig};
use chainboard::domain::engine::{preflight, Blocker, PreflightView, RunScope, StartError};
use chainboard::domain::flow::{Block, BlockId, Edge, EdgeId, Flow, Point, PortRef};
use chainboard::domain::providers::ProviderKind;

fn block(id: &str, config: BlockConfig) -> Block {
    Block::new(BlockId::new(id), id, Point::new(0.0, 0.0), config)
}

fn edge(n: usize, from: (&str, &str), to: (&str, &str)) -> Edge {
    Edge {
        id: EdgeId(format!("e{n}")),
        from: PortRef::new(BlockId::new(from.0), from.1),
        to: PortRef::new(BlockId::new(to.0), to.1),
    }
}

fn input() -> Block {
    block(
        "in",
        BlockConfig::Input(InputConfig {
            values: vec![InputValue { name: "question".into(), value: "Where is A1?".into(), media: None }],
        }),
    )
}

fn prompt(id: &str, provider: &str, model: &str) -> Block {
    block(
        id,
        BlockConfig::Prompt(PromptConfig {
            provider: provider.into(),
            model: model.into(),
            user: "{{question}}".into(),
            ..PromptConfig::default()
        }),
    )
}

fn tool(id: &str, action: ToolAction) -> Block {
    block(id, BlockConfig::Tool(ToolConfig { name: id.into(), action, ..ToolConfig::default() }))
}

fn http(url: &str) -> ToolAction {
    ToolAction::Http(HttpAction { method: HttpMethod::Get, url: url.into(), ..HttpAction::default() })
}

/// in → first (provider a) → second (provider b) → out
fn chain(a: &str, b: &str) -> Flow {
    Flow {
        blocks: vec![
            input(),
            prompt("first", a, "m"),
            block(
                "second",
                BlockConfig::Prompt(PromptConfig {
                    provider: b.into(),
                    model: "m".into(),
                    user: "{{text}}".into(),
                    ..PromptConfig::default()
                }),
            ),
            block("out", BlockConfig::Output(OutputConfig::default())),
        ],
        edges: vec![
            edge(0, ("in", "question"), ("first", "question")),
            edge(1, ("first", "text"), ("second", "text")),
            edge(2, ("second", "text"), ("out", "value")),
        ],
        ..Flow::default()
    }
}

struct View {
    keys: Vec<ProviderKind>,
    hosts: BTreeSet<String>,
    models: Vec<String>,
    subflows: BTreeMap<String, Flow>,
}

impl View {
    fn none() -> View {
        View { keys: vec![], hosts: BTreeSet::new(), models: vec![], subflows: BTreeMap::new() }
    }

    fn check(&self, flow: &Flow, scope: &RunScope) -> Vec<Blocker> {
        let has_key = |k: ProviderKind| self.keys.contains(&k);
        let model_ok = |m: &str| self.models.iter().any(|x| x == m);
        let view = PreflightView {
            has_key: &has_key,
            approved_hosts: &self.hosts,
            model_ok: &model_ok,
            subflows: &self.subflows,
        };
        preflight(flow, scope, &view)
    }
}

#[test]
fn a_ready_flow_has_no_blockers() {
    let flow = chain("demo", "demo");
    assert_eq!(View::none().check(&flow, &RunScope::All), vec![]);
    let keyed = View { keys: vec![ProviderKind::OpenAi, ProviderKind::Anthropic], ..View::none() };
    assert_eq!(keyed.check(&chain("openai", "anthropic"), &RunScope::All), vec![]);
}

#[test]
fn missing_keys_come_in_block_order_each_once() {
    let flow = chain("anthropic", "openai");
    assert_eq!(
        View::none().check(&flow, &RunScope::All),
        vec![Blocker::MissingKeys(vec![ProviderKind::Anthropic, ProviderKind::OpenAi])]
    );
    let same = chain("openai", "openai");
    assert_eq!(View::none().check(&same, &RunScope::All), vec![Blocker::MissingKeys(vec![ProviderKind::OpenAi])]);
    // Ollama and sample answers need no key.
    assert_eq!(View::none().check(&chain("ollama", "demo"), &RunScope::All), vec![]);
}

#[test]
fn keys_are_asked_for_the_scope_only() {
    let flow = chain("anthropic", "openai");
    // Rerunning the second block: the first comes from the cache, so only OpenAI is asked.
    assert_eq!(
        View::none().check(&flow, &RunScope::Block(BlockId::new("second"))),
        vec![Blocker::MissingKeys(vec![ProviderKind::OpenAi])]
    );
    assert_eq!(
        View::none().check(&flow, &RunScope::From(BlockId::new("first"))),
        vec![Blocker::MissingKeys(vec![ProviderKind::Anthropic, ProviderKind::OpenAi])]
    );
    assert_eq!(View::none().check(&flow, &RunScope::Block(BlockId::new("out"))), vec![]);
}

fn agent_with(tools: Vec<Block>) -> Flow {
    let mut flow = Flow {
        blocks: vec![input(), prompt("agent", "demo", "m")],
        edges: vec![edge(0, ("in", "question"), ("agent", "question"))],
        ..Flow::default()
    };
    for (i, t) in tools.into_iter().enumerate() {
        flow.edges.push(edge(i + 1, (t.id.0.as_str(), "tool"), ("agent", TOOLS_PORT)));
        flow.blocks.push(t);
    }
    flow
}

#[test]
fn unapproved_hosts_are_listed_sorted_once() {
    let flow = agent_with(vec![
        tool("b", http("https://b.example/x")),
        tool("a", http("https://a.example/y")),
        tool("a2", http("https://a.example/z")),
    ]);
    assert_eq!(
        View::none().check(&flow, &RunScope::All),
        vec![Blocker::UnapprovedHosts(vec!["a.example".into(), "b.example".into()])]
    );
    let some = View { hosts: BTreeSet::from(["a.example".to_string()]), ..View::none() };
    assert_eq!(some.check(&flow, &RunScope::All), vec![Blocker::UnapprovedHosts(vec!["b.example".into()])]);
    let all = View { hosts: BTreeSet::from(["a.example".into(), "b.example".into()]), ..View::none() };
    assert_eq!(all.check(&flow, &RunScope::All), vec![]);
}

#[test]
fn sub_flows_are_checked_for_keys_and_hosts_too() {
    let mut lookup = agent_with(vec![tool("api", http("https://orders.example/{{id}}"))]);
    if let Some(BlockConfig::Prompt(p)) = lookup.blocks.iter_mut().find(|b| b.id.0 == "agent").map(|b| &mut b.config) {
        p.provider = "anthropic".into();
    }
    let flow = agent_with(vec![tool("lookup", ToolAction::SubFlow(SubFlowAction { flow_id: "f-lookup".into() }))]);
    // Not saved (or not found): the engine reports it during the run; nothing to ask here.
    assert_eq!(View::none().check(&flow, &RunScope::All), vec![]);
    let view = View { subflows: BTreeMap::from([("f-lookup".to_string(), lookup)]), ..View::none() };
    assert_eq!(
        view.check(&flow, &RunScope::All),
        vec![
            Blocker::MissingKeys(vec![ProviderKind::Anthropic]),
            Blocker::UnapprovedHosts(vec!["orders.example".into()]),
        ]
    );
}

#[test]
fn a_sub_flow_that_runs_itself_is_checked_once() {
    let flow = agent_with(vec![tool("again", ToolAction::SubFlow(SubFlowAction { flow_id: "me".into() }))]);
    let view = View { subflows: BTreeMap::from([("me".to_string(), flow.clone())]), ..View::none() };
    assert_eq!(view.check(&flow, &RunScope::All), vec![]);
}

#[test]
fn browser_models_need_a_yes_unless_confirmed() {
    let flow = chain("browser", "demo");
    let asked = View::none().check(&flow, &RunScope::All);
    let [Blocker::Download(models)] = asked.as_slice() else { panic!("{asked:?}") };
    assert_eq!(models.len(), 1);
    let ok = View { models: vec![models[0].0.clone()], ..View::none() };
    assert_eq!(ok.check(&flow, &RunScope::All), vec![]);
    // Rerunning the second block still loads the model when the first is not cached.
    assert_eq!(View::none().check(&flow, &RunScope::Block(BlockId::new("second"))).len(), 1);
}

#[test]
fn keys_come_first_and_the_flows_problems_last() {
    let mut flow = chain("openai", "demo");
    flow.blocks.push(tool("api", http("http://a.example/")));
    flow.edges.push(edge(9, ("api", "tool"), ("first", TOOLS_PORT)));
    // A Prompt with nothing to send cannot run.
    if let Some(BlockConfig::Prompt(p)) = flow.blocks.iter_mut().find(|b| b.id.0 == "second").map(|b| &mut b.config) {
        p.user = String::new();
    }
    let blockers = View::none().check(&flow, &RunScope::All);
    assert_eq!(blockers.len(), 3, "{blockers:?}");
    assert_eq!(blockers[0], Blocker::MissingKeys(vec![ProviderKind::OpenAi]));
    assert_eq!(blockers[1], Blocker::UnapprovedHosts(vec!["a.example".into()]));
    assert!(matches!(blockers[2], Blocker::CannotRun(StartError::Invalid { .. })), "{blockers:?}");
}

#[test]
fn an_unknown_block_scope_cannot_run() {
    let blockers = View::none().check(&chain("demo", "demo"), &RunScope::Block(BlockId::new("gone")));
    assert_eq!(blockers, vec![Blocker::CannotRun(StartError::UnknownBlock(BlockId::new("gone")))]);
}

/// Generating test cases and batch jobs run one plain flow: the keys-only view asks for keys
/// and lets an in-browser model through (it was picked on purpose), like a full view would.
#[test]
fn the_keys_only_view_checks_keys_and_nothing_else() {
    let flow = chain("anthropic", "browser");
    let none = |_: ProviderKind| false;
    assert_eq!(
        preflight(&flow, &RunScope::All, &PreflightView::keys_only(&none)),
        vec![Blocker::MissingKeys(vec![ProviderKind::Anthropic])]
    );
    let all = |_: ProviderKind| true;
    assert_eq!(preflight(&flow, &RunScope::All, &PreflightView::keys_only(&all)), vec![]);
}
