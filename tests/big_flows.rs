//! Big flows stay linear: what the editor recomputes on every edit (validation, the run plan,
//! the run estimate) and what opening a file does (parsing) on a 10,000-block flow.
//!
//! The assertions check the results; the times are printed, never asserted (the machine is
//! shared). See them with `cargo test --release --test big_flows -- --nocapture`; the browser
//! side is `node tests/bench/canvas-bench.mjs` (docs/benchmarks.md).

use std::time::Instant;

use chainboard::domain::engine::{estimate, EngineConfig, RunCache, RunScope};
use chainboard::domain::flow_file;
use chainboard::domain::validate::validate;

/// The canvas bench's flow at `n` blocks: Inputs and demo Prompts in pairs, each Prompt fed by
/// its own Input and the next one (so the graph is connected, not a list of islands).
fn big_flow_json(n: usize) -> String {
    let half = n / 2;
    let cols = 25;
    let mut blocks = Vec::with_capacity(n);
    let mut edges = Vec::with_capacity(n);
    for i in 0..half {
        let (x, y) = ((i % cols) * 640, (i / cols) * 400);
        blocks.push(serde_json::json!({"id": format!("in-{i}"), "kind": "input", "title": format!("Input {i}"),
            "position": {"x": x, "y": y}, "config": {"values": [{"name": "text", "value": format!("value {i}")}]}}));
        blocks.push(serde_json::json!({"id": format!("p-{i}"), "kind": "prompt", "title": format!("Prompt {i}"),
            "position": {"x": x + 320, "y": y + 40}, "config": {"provider": "demo", "model": "demo", "user": "{{a}} and {{b}}"}}));
    }
    for i in 0..half {
        edges.push(serde_json::json!({"id": format!("ea-{i}"), "from": {"block": format!("in-{i}"), "port": "text"},
            "to": {"block": format!("p-{i}"), "port": "a"}}));
        edges.push(serde_json::json!({"id": format!("eb-{i}"), "from": {"block": format!("in-{}", (i + 1) % half), "port": "text"},
            "to": {"block": format!("p-{i}"), "port": "b"}}));
    }
    serde_json::json!({"format": "chainboard.flow", "version": 2, "title": "big", "blocks": blocks, "edges": edges})
        .to_string()
}

fn timed<T>(what: &str, f: impl FnOnce() -> T) -> T {
    let t = Instant::now();
    let out = f();
    eprintln!("{what}: {:.1} ms", t.elapsed().as_secs_f64() * 1000.0);
    out
}

#[test]
fn a_10000_block_flow_parses_validates_plans_and_estimates() {
    let text = big_flow_json(10_000);
    let flow = timed("parse 10,000 blocks", || flow_file::from_json(&text)).expect("the file parses");
    assert_eq!((flow.blocks.len(), flow.edges.len()), (10_000, 10_000));
    let problems = timed("validate", || validate(&flow));
    assert!(problems.is_empty(), "{problems:?}");
    let config = EngineConfig::default();
    let est = timed("estimate a whole-flow run (plans it too)", || {
        estimate(&flow, &RunScope::All, &RunCache::new(), &config)
    });
    // Demo prompts answer in the page: no calls, nothing to pay.
    assert_eq!(est.calls, 0);
    assert_eq!(est.cost_usd, Some(0.0));
    let one = timed("estimate from one block", || {
        estimate(&flow, &RunScope::From(flow.blocks[0].id.clone()), &RunCache::new(), &config)
    });
    assert_eq!(one.calls, 0);
}
