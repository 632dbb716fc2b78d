//! Validation messages, as a person reads them.

use chainboard::domain::blocks::{BlockConfig, PromptConfig, UnknownConfig};
use chainboard::domain::change::{apply, FlowChange};
use chainboard::domain::examples::starter_flow;
use chainboard::domain::flow::{Block, BlockId, Edge, EdgeId, Flow, Point, PortRef};
use chainboard::domain::graph::{can_connect, topological_order, ConnectError};
use chainboard::domain::validate::{is_runnable, validate, MAX_UNCONNECTED_LISTED};

fn messages(flow: &Flow) -> Vec<String> {
    validate(flow).into_iter().map(|p| p.message).collect()
}

fn id(s: &str) -> BlockId {
    BlockId::new(s)
}

fn edge(eid: &str, from: (&str, &str), to: (&str, &str)) -> Edge {
    Edge { id: EdgeId::new(eid), from: PortRef::new(id(from.0), from.1), to: PortRef::new(id(to.0), to.1) }
}

fn prompt(user: &str) -> BlockConfig {
    BlockConfig::Prompt(PromptConfig { user: user.into(), ..PromptConfig::default() })
}

#[test]
fn the_starter_flow_is_valid() {
    let flow = starter_flow(0);
    assert_eq!(messages(&flow), Vec::<String>::new());
    assert_eq!(topological_order(&flow).unwrap(), vec![id("input-1"), id("prompt-1"), id("output-1")]);
}

#[test]
fn an_unconnected_variable_is_named() {
    let mut flow = starter_flow(0);
    apply(&mut flow, FlowChange::SetConfig { id: id("prompt-1"), config: prompt("{{email}} and {{tone}}") }).unwrap();
    assert_eq!(
        messages(&flow),
        ["Draft a reply uses {{tone}} but nothing is connected to it. Drag from the right side of the block that should fill it to \u{201c}tone\u{201d} on Draft a reply."]
    );
    assert!(!is_runnable(&validate(&flow)));
}

#[test]
fn cycles_name_the_blocks() {
    let mut flow = starter_flow(0);
    flow.blocks.push(Block::new(id("prompt-2"), "Critique", Point::default(), prompt("{{a}}")));
    apply(&mut flow, FlowChange::SetConfig { id: id("prompt-1"), config: prompt("{{email}} {{b}}") }).unwrap();
    flow.edges.push(edge("e-3", ("prompt-1", "text"), ("prompt-2", "a")));
    flow.edges.push(edge("e-4", ("prompt-2", "text"), ("prompt-1", "b")));
    let msgs = messages(&flow);
    assert!(
        msgs.iter().any(|m| m
            .starts_with("These blocks form a loop: Draft a reply \u{2192} Critique \u{2192} Draft a reply.")
            || m.starts_with("These blocks form a loop: Critique \u{2192} Draft a reply \u{2192} Critique.")),
        "{msgs:?}"
    );
    assert!(topological_order(&flow).is_err());
}

#[test]
fn dangling_edges_and_missing_ports_are_reported() {
    let mut flow = starter_flow(0);
    flow.edges.push(edge("e-5", ("ghost", "text"), ("output-1", "value")));
    flow.edges.push(edge("e-6", ("input-1", "email"), ("prompt-1", "tone")));
    flow.edges.push(edge("e-7", ("input-1", "email"), ("prompt-1", "email")));
    let msgs = messages(&flow);
    assert!(
        msgs.contains(
            &"A connection into Reply at \u{201c}value\u{201d} comes from a block that is not in this flow \
              (\u{201c}ghost\u{201d}). Delete that connection, then connect another block."
                .to_string()
        ),
        "{msgs:?}"
    );
    assert!(msgs.iter().any(|m| m
        .starts_with("A connection goes into Draft a reply at \u{201c}tone\u{201d}, which is not one of its inputs")));
    assert!(msgs.iter().any(|m| m.starts_with("Draft a reply receives 2 connections at \u{201c}email\u{201d}")));
    // An Output takes several connections (the branches of a Router) and shows the one that ran.
    assert!(msgs.iter().all(|m| !m.starts_with("Reply receives")), "{msgs:?}");
    // No problem message speaks of ports: people see blocks, inputs and outputs.
    assert!(msgs.iter().all(|m| !m.contains(" port")), "{msgs:?}");
}

#[test]
fn a_broken_connection_never_blocks_rewiring() {
    use chainboard::domain::graph::{broken_edges_into, edge_is_broken};
    let mut flow = starter_flow(0);
    // An imported edge from a block that is not there, into the Output's only input.
    flow.edges.retain(|e| e.to.block != id("output-1"));
    flow.edges.push(edge("e-9", ("ghost-block", "text"), ("output-1", "value")));
    assert!(edge_is_broken(&flow, &flow.edges[flow.edges.len() - 1]));
    let to = PortRef::new(id("output-1"), "value");
    assert_eq!(can_connect(&flow, &PortRef::new(id("prompt-1"), "text"), &to), Ok(()));
    assert_eq!(broken_edges_into(&flow, &to), vec![EdgeId::new("e-9")]);
    // Renaming {{email}} keeps the old connection, now broken; the new variable takes a new one.
    apply(&mut flow, FlowChange::SetConfig { id: id("prompt-1"), config: prompt("{{ticket}}") }).unwrap();
    let old = flow.edges.iter().find(|e| e.to.block == id("prompt-1")).unwrap();
    assert!(edge_is_broken(&flow, old));
    assert_eq!(
        can_connect(&flow, &PortRef::new(id("input-1"), "email"), &PortRef::new(id("prompt-1"), "ticket")),
        Ok(())
    );
}

#[test]
fn duplicate_ids_unknown_kinds_and_missing_settings() {
    let mut flow = starter_flow(0);
    flow.blocks.push(Block::new(id("input-1"), "Copy", Point::default(), BlockConfig::Output(Default::default())));
    flow.blocks.push(Block::new(
        id("x-1"),
        "",
        Point::default(),
        BlockConfig::Unknown(UnknownConfig { kind: "hologram".into(), raw: serde_json::json!({}) }),
    ));
    flow.blocks.push(Block::new(
        id("p-9"),
        "Empty",
        Point::default(),
        BlockConfig::Prompt(PromptConfig {
            model: " ".into(),
            user: "".into(),
            temperature: Some(3.0),
            ..Default::default()
        }),
    ));
    let msgs = messages(&flow);
    for expected in [
        "Two blocks share the id \u{201c}input-1\u{201d}: every block needs its own id.",
        "hologram: This version of Chainboard does not know the block kind \u{201c}hologram\u{201d}. It is kept as it is but cannot run.",
        "Empty: Choose a model.",
        "Empty: Write the user message: it is what the model is asked.",
        "Empty: Temperature 3 is out of range: use 0 to 2.",
    ] {
        assert!(msgs.contains(&expected.to_string()), "missing {expected:?} in {msgs:?}");
    }
}

#[test]
fn template_syntax_errors_are_shown_with_their_place() {
    let mut flow = starter_flow(0);
    apply(&mut flow, FlowChange::SetConfig { id: id("prompt-1"), config: prompt("{{email}}\nthen {{oops") }).unwrap();
    let msgs = messages(&flow);
    assert!(
        msgs.iter().any(|m| m.starts_with("Draft a reply: User template: Line 2, column 6: `{{` is never closed")),
        "{msgs:?}"
    );
}

#[test]
fn connections_are_checked_before_they_are_made() {
    let mut flow = starter_flow(0);
    let p = |b: &str, port: &str| PortRef::new(id(b), port);
    assert_eq!(
        can_connect(&flow, &p("prompt-1", "text"), &p("output-1", "value")).unwrap_err().to_string(),
        "This input is already connected to Draft a reply. Remove that connection first."
    );
    assert!(matches!(
        can_connect(&flow, &p("output-1", "value"), &p("prompt-1", "email")),
        Err(ConnectError::NotAnOutput { .. })
    ));
    assert!(matches!(
        can_connect(&flow, &p("input-1", "email"), &p("input-1", "email")),
        Err(ConnectError::NotAnInput { .. })
    ));
    // Give the prompt a second variable and try to feed its own answer back: a loop.
    apply(&mut flow, FlowChange::SetConfig { id: id("prompt-1"), config: prompt("{{email}} {{previous}}") }).unwrap();
    assert_eq!(
        can_connect(&flow, &p("prompt-1", "text"), &p("prompt-1", "previous")).unwrap_err(),
        ConnectError::SameBlock
    );
    flow.blocks.push(Block::new(id("prompt-2"), "Critique", Point::default(), prompt("{{draft}}")));
    flow.edges.push(edge("e-3", ("prompt-1", "text"), ("prompt-2", "draft")));
    assert_eq!(
        can_connect(&flow, &p("prompt-2", "text"), &p("prompt-1", "previous")).unwrap_err().to_string(),
        "That would make a loop: Draft a reply \u{2192} Critique \u{2192} Draft a reply."
    );
    assert_eq!(can_connect(&flow, &p("input-1", "email"), &p("prompt-1", "previous")), Ok(()));
}

#[test]
fn tools_connect_many_to_a_prompts_tools_port_and_nowhere_else() {
    use chainboard::domain::blocks::ToolConfig;
    let mut flow = starter_flow(0);
    for t in ["tool-1", "tool-2"] {
        flow.blocks.push(Block::new(id(t), "Tool", Point::new(0.0, 0.0), BlockConfig::Tool(ToolConfig::default())));
    }
    // An unconnected tools port is fine: the prompt is simply not an agent.
    assert_eq!(messages(&flow), Vec::<String>::new());
    let tools = PortRef::new(id("prompt-1"), "tools");
    for (n, t) in ["tool-1", "tool-2"].iter().enumerate() {
        let from = PortRef::new(id(t), "tool");
        assert_eq!(can_connect(&flow, &from, &tools), Ok(()));
        flow.edges.push(edge(&format!("t{n}"), (t, "tool"), ("prompt-1", "tools")));
    }
    assert_eq!(messages(&flow), Vec::<String>::new(), "two tools on one port are fine");
    // The same connection twice is refused.
    assert!(matches!(
        can_connect(&flow, &PortRef::new(id("tool-1"), "tool"), &tools),
        Err(ConnectError::AlreadyConnected { .. })
    ));
    // Tools never feed text, and text never feeds the tools port; the reasons say where to go.
    let to_text = can_connect(&flow, &PortRef::new(id("tool-1"), "tool"), &PortRef::new(id("output-1"), "value"));
    assert_eq!(
        to_text.err().map(|e| e.to_string()).as_deref(),
        Some("A Tool connects only to a Prompt's \u{201c}tools\u{201d} port.")
    );
    let from_text = can_connect(&flow, &PortRef::new(id("input-1"), "email"), &tools);
    assert!(from_text.err().is_some_and(|e| e.to_string().contains("takes Tool blocks")));
}

#[test]
fn a_variable_named_tools_is_reported() {
    let mut flow = starter_flow(0);
    apply(&mut flow, FlowChange::SetConfig { id: id("prompt-1"), config: prompt("{{email}} {{tools}}") }).unwrap();
    let all = messages(&flow).join("\n");
    assert!(all.contains("{{tools}} is the name of the tools port"), "{all}");
}

/// A template pasted with 10,000 placeholders: ten are named, one more problem counts the
/// rest, so the inspector's list and a refused run's message stay readable (not 10,000
/// sentences), and validating stays fast.
#[test]
fn thousands_of_unconnected_variables_are_named_ten_then_counted() {
    let mut flow = starter_flow(0);
    let template: String = (0..10_000).map(|i| format!("{{{{v{i}}}}} ")).collect();
    apply(
        &mut flow,
        FlowChange::SetConfig { id: id("prompt-1"), config: prompt(&format!("{{{{email}}}} {template}")) },
    )
    .unwrap();
    let start = std::time::Instant::now();
    let all = messages(&flow);
    assert!(start.elapsed().as_secs_f64() < 2.0, "validation took {:?}", start.elapsed());
    assert_eq!(all.len(), MAX_UNCONNECTED_LISTED + 1, "{all:#?}");
    assert_eq!(
        all[0],
        "Draft a reply uses {{v0}} but nothing is connected to it. Drag from the right side of the block that should fill it to \u{201c}v0\u{201d} on Draft a reply."
    );
    assert_eq!(
        all[MAX_UNCONNECTED_LISTED],
        "Draft a reply uses 9,990 more {{variables}} with nothing connected to them (10,000 in all, \
         such as {{v10}}). Connect them, or take them out of the template."
    );
    assert!(!is_runnable(&validate(&flow)));
}

#[test]
fn up_to_ten_unconnected_variables_are_each_named() {
    let mut flow = starter_flow(0);
    let template: String = (0..MAX_UNCONNECTED_LISTED).map(|i| format!("{{{{v{i}}}}} ")).collect();
    apply(
        &mut flow,
        FlowChange::SetConfig { id: id("prompt-1"), config: prompt(&format!("{{{{email}}}} {template}")) },
    )
    .unwrap();
    let all = messages(&flow);
    assert_eq!(all.len(), MAX_UNCONNECTED_LISTED);
    assert!(all.iter().all(|m| m.contains("but nothing is connected to it")), "{all:#?}");
}
