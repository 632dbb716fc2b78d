//! Loop ("For each item") blocks on the host: splitting lists, the concurrency limit, per-item
//! failures and retries, Stop keeping partial results, the budget, the estimate, sample
//! answers and sub-flow bodies. A small fake transport answers in OpenAI's wire format.

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

use chainboard::domain::blocks::loop_block::{split_items, CsvRowAs, JoinMode, LoopBody, LoopConfig, SplitMode};
use chainboard::domain::blocks::{BlockConfig, InputConfig, InputValue, OutputConfig, PromptConfig};
use chainboard::domain::engine::{
    estimate, BlockRun, BlockStatus, Command, Engine, EngineConfig, Event, RequestId, RunCache, RunScope,
};
use chainboard::domain::flow::{Block, BlockId, Edge, EdgeId, Flow, Point, PortRef};
use chainboard::domain::providers::ChatRequest;
use serde_json::json;

fn openai_sse(text: &str) -> String {
    let mut s = String::new();
    for piece in text.split_inclusive(' ') {
        let chunk = json!({"choices":[{"index":0,"delta":{"content":piece},"finish_reason":null}]});
        s += &format!("data: {chunk}\n\n");
    }
    let stop = json!({"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]});
    let usage = json!({"choices":[],"usage":{"prompt_tokens":10,"completion_tokens":5,"total_tokens":15}});
    s + &format!("data: {stop}\n\ndata: {usage}\n\ndata: [DONE]\n\n")
}

fn id(s: &str) -> BlockId {
    BlockId::new(s)
}

fn wire(from: (&str, &str), to: (&str, &str)) -> Edge {
    Edge {
        id: EdgeId::new(format!("{}.{}->{}.{}", from.0, from.1, to.0, to.1)),
        from: PortRef::new(id(from.0), from.1),
        to: PortRef::new(id(to.0), to.1),
    }
}

fn input(values: &[(&str, &str)]) -> Block {
    let values = values.iter().map(|(n, v)| InputValue { name: n.to_string(), value: v.to_string(), media: None });
    Block::new(id("in"), "List", Point::new(0.0, 0.0), BlockConfig::Input(InputConfig { values: values.collect() }))
}

fn loop_cfg(provider: &str, concurrency: u32) -> LoopConfig {
    LoopConfig {
        body: LoopBody::Prompt(PromptConfig {
            provider: provider.into(),
            model: if provider == "demo" { String::new() } else { "gpt-4o-mini".into() },
            user: "Summarise in one line: {{item}}".into(),
            ..PromptConfig::default()
        }),
        concurrency,
        ..LoopConfig::default()
    }
}

/// Input(list) → Loop → Output.
fn loop_flow(list: &str, cfg: LoopConfig) -> Flow {
    Flow {
        blocks: vec![
            input(&[("list", list)]),
            Block::new(id("loop"), "For each item", Point::new(300.0, 0.0), BlockConfig::Loop(cfg)),
            Block::new(id("out"), "Results", Point::new(600.0, 0.0), BlockConfig::Output(OutputConfig {})),
        ],
        edges: vec![wire(("in", "list"), ("loop", "list")), wire(("loop", "results"), ("out", "value"))],
        ..Flow::default()
    }
}

fn user_of(chat: &ChatRequest) -> String {
    chat.messages.first().map(|m| m.text.clone()).unwrap_or_default()
}

/// Drives an engine by hand: requests wait in `pending` until answered.
struct Driver {
    engine: Engine,
    now: f64,
    pending: Vec<(RequestId, ChatRequest)>,
    max_in_flight: usize,
    cancelled: BTreeSet<RequestId>,
    /// Time spent inside the engine's own calls (for the bench).
    engine_time: Duration,
}

impl Driver {
    fn start(flow: &Flow, config: EngineConfig) -> Driver {
        let t = Instant::now();
        let mut engine = Engine::start(flow, RunScope::All, &RunCache::new(), config, 0.0).expect("starts");
        let cmds = engine.poll(0.0);
        let engine_time = t.elapsed();
        let mut d =
            Driver { engine, now: 0.0, pending: Vec::new(), max_in_flight: 0, cancelled: BTreeSet::new(), engine_time };
        d.take(cmds);
        d
    }

    fn take(&mut self, cmds: Vec<Command>) {
        for c in cmds {
            match c {
                Command::Send { request, chat, .. } => self.pending.push((request, chat)),
                Command::Cancel { request } => {
                    self.cancelled.insert(request);
                    self.pending.retain(|(r, _)| *r != request);
                }
                _ => {}
            }
        }
        self.max_in_flight = self.max_in_flight.max(self.pending.len());
    }

    fn event(&mut self, e: Event) {
        let t = Instant::now();
        let cmds = self.engine.on_event(e, self.now);
        self.engine_time += t.elapsed();
        self.take(cmds);
    }

    /// Answers the oldest pending request with `reply(user message)`: Ok(text) streams it,
    /// Err(status) fails with that HTTP status.
    fn answer(&mut self, reply: impl Fn(&str) -> Result<String, u16>) -> bool {
        if self.pending.is_empty() {
            return false;
        }
        let (request, chat) = self.pending.remove(0);
        self.now += 10.0;
        match reply(&user_of(&chat)) {
            Ok(text) => {
                self.event(Event::Chunk { request, bytes: openai_sse(&text).into_bytes() });
                self.event(Event::Done { request });
            }
            Err(status) => self.event(Event::HttpError { request, status, body: String::new(), retry_after: None }),
        }
        true
    }

    /// Answers until nothing is pending, firing retry timers as needed.
    fn run(&mut self, reply: impl Fn(&str) -> Result<String, u16> + Copy) {
        for _ in 0..10_000 {
            if self.engine.is_finished() {
                return;
            }
            if !self.answer(reply) {
                self.now += 60_000.0;
                let t = Instant::now();
                let cmds = self.engine.poll(self.now);
                self.engine_time += t.elapsed();
                self.take(cmds);
            }
        }
        panic!("the run did not finish");
    }

    fn block(&self, b: &str) -> BlockRun {
        self.engine.block(&id(b)).cloned().expect("block ran")
    }
}

fn shout(user: &str) -> Result<String, u16> {
    Ok(user.trim_start_matches("Summarise in one line: ").to_uppercase())
}

// ---------------------------------------------------------------------------------------
// Splitting
// ---------------------------------------------------------------------------------------

#[test]
fn lists_split_by_lines_json_and_csv() {
    let auto = |t: &str| split_items(t, SplitMode::Auto, CsvRowAs::Text).expect("splits");
    assert_eq!(auto("apples\n\n  pears \r\nplums\n"), ["apples", "pears", "plums"]);
    // Commas in free text are not CSV: the rows do not line up with a header.
    assert_eq!(
        auto("Great app, love it\nToo slow\nOK, fine, whatever"),
        ["Great app, love it", "Too slow", "OK, fine, whatever"]
    );
    assert_eq!(auto(r#"["a", {"b": 1}, 3]"#), ["a", r#"{"b":1}"#, "3"]);
    let csv = "name,feedback\n\"Smith, Jo\",\"Said \"\"wow\"\"\nthen left\"\nAna,Fine\n";
    assert_eq!(auto(csv), ["name: Smith, Jo\nfeedback: Said \"wow\"\nthen left", "name: Ana\nfeedback: Fine"]);
    let as_json = split_items(csv, SplitMode::Csv, CsvRowAs::Json).expect("splits");
    assert_eq!(as_json[1], r#"{"feedback":"Fine","name":"Ana"}"#);
    // Forced modes say what is wrong.
    let err = split_items("not json", SplitMode::JsonArray, CsvRowAs::Text).unwrap_err();
    assert!(err.contains("not a JSON array"), "{err}");
    let err = split_items("{\"a\":1}", SplitMode::JsonArray, CsvRowAs::Text).unwrap_err();
    assert!(err.contains("not an array"), "{err}");
    let err = split_items("a,b\n\"open", SplitMode::Csv, CsvRowAs::Text).unwrap_err();
    assert!(err.contains("CSV"), "{err}");
    // Lines mode keeps a JSON-looking line as it is.
    assert_eq!(split_items("[1,2]", SplitMode::Lines, CsvRowAs::Text).expect("splits"), ["[1,2]"]);
}

#[test]
fn a_list_longer_than_max_items_is_refused_with_a_clear_problem() {
    let cfg = LoopConfig { max_items: 3, ..loop_cfg("openai", 4) };
    let mut d = Driver::start(&loop_flow("a\nb\nc\nd", cfg), EngineConfig::default());
    assert!(d.pending.is_empty(), "no call is made");
    d.run(shout);
    let run = d.block("loop");
    assert_eq!(run.status, BlockStatus::Error);
    assert!(run.error.as_deref().unwrap_or_default().contains("The list has 4 items; this loop runs at most 3"));
    assert_eq!(d.block("out").status, BlockStatus::Skipped);
}

// ---------------------------------------------------------------------------------------
// Running
// ---------------------------------------------------------------------------------------

#[test]
fn items_run_at_most_n_at_once_and_join_in_order() {
    let list = (1..=10).map(|i| format!("item {i}")).collect::<Vec<_>>().join("\n");
    let mut d = Driver::start(&loop_flow(&list, loop_cfg("openai", 3)), EngineConfig::default());
    assert_eq!(d.pending.len(), 3, "three items start at once");
    assert_eq!(d.block("loop").status, BlockStatus::Running);
    assert_eq!(d.block("loop").loop_run.expect("items").progress(), "0 of 10");
    d.answer(shout);
    assert_eq!(d.block("loop").loop_run.expect("items").progress(), "1 of 10");
    assert_eq!(d.pending.len(), 3, "a finished item makes room for the next");
    // Answer in reverse order of sending: the join still follows the list.
    while let Some((request, chat)) = d.pending.pop() {
        let text = shout(&user_of(&chat)).expect("ok");
        d.event(Event::Chunk { request, bytes: openai_sse(&text).into_bytes() });
        d.event(Event::Done { request });
    }
    assert_eq!(d.max_in_flight, 3);
    assert!(d.engine.is_finished());
    let run = d.block("loop");
    assert_eq!(run.status, BlockStatus::Done);
    let joined: Vec<String> = serde_json::from_str(run.output.as_deref().unwrap_or_default()).expect("JSON array");
    assert_eq!(joined, (1..=10).map(|i| format!("ITEM {i}")).collect::<Vec<_>>());
    assert_eq!(d.block("out").output, run.output, "the Output shows the joined results");
    let items = run.loop_run.expect("items");
    assert_eq!(items.items[4].input, "item 5");
    assert_eq!(items.items[4].usage.output_tokens, Some(5));
    assert!(items.items.iter().all(|i| i.cost_usd.is_some_and(|c| c > 0.0)));
    // The block's and the run's totals count every item.
    assert_eq!(run.usage.input_tokens, Some(100));
    let summary = d.engine.summary();
    assert_eq!(summary.calls, 10);
    assert!((summary.cost_usd - run.cost_usd.expect("priced")).abs() < 1e-12);
}

#[test]
fn the_provider_limit_in_settings_also_bounds_a_loop() {
    let list = "a\nb\nc\nd\ne";
    let config = EngineConfig { concurrency_per_provider: 2, ..EngineConfig::default() };
    let mut d = Driver::start(&loop_flow(list, loop_cfg("openai", 8)), config);
    d.run(shout);
    assert_eq!(d.max_in_flight, 2);
}

#[test]
fn a_failing_item_is_retried_then_marked_failed_and_the_others_finish() {
    let list = "ok one\nbroken\nflaky\nok two";
    let cfg = LoopConfig { join: JoinMode::Text, separator: " | ".into(), ..loop_cfg("openai", 2) };
    let mut d = Driver::start(&loop_flow(list, cfg), EngineConfig::default());
    let flaky_calls = std::cell::Cell::new(0);
    d.run(|user| {
        if user.contains("broken") {
            Err(500)
        } else if user.contains("flaky") && flaky_calls.replace(flaky_calls.get() + 1) == 0 {
            Err(429)
        } else {
            shout(user)
        }
    });
    let run = d.block("loop");
    assert_eq!(run.status, BlockStatus::Done, "one failure does not fail the loop");
    let items = run.loop_run.expect("items");
    assert_eq!(items.note.as_deref(), Some("1 of 4 failed."));
    let broken = &items.items[1];
    assert_eq!(broken.status, BlockStatus::Error);
    assert_eq!(broken.attempts, 4, "retried like a Prompt block");
    assert!(broken.error.as_deref().unwrap_or_default().contains("Gave up after 4 attempts"), "{broken:?}");
    assert_eq!(items.items[2].status, BlockStatus::Done);
    assert_eq!(items.items[2].attempts, 2);
    // Text joins leave failed items out.
    assert_eq!(run.output.as_deref(), Some("OK ONE | FLAKY | OK TWO"));
    assert_eq!(d.block("out").status, BlockStatus::Done);
}

#[test]
fn a_json_join_marks_failed_items_null_and_all_failed_is_an_error() {
    let mut d = Driver::start(&loop_flow("a\nbad\nc", loop_cfg("openai", 4)), EngineConfig::default());
    d.run(|u| if u.contains("bad") { Err(401) } else { shout(u) });
    let joined: serde_json::Value = serde_json::from_str(&d.block("loop").output.expect("joined")).expect("json");
    assert_eq!(joined, json!(["A", null, "C"]));

    let mut d = Driver::start(&loop_flow("a\nb", loop_cfg("openai", 4)), EngineConfig::default());
    d.run(|_| Err(401));
    let run = d.block("loop");
    assert_eq!(run.status, BlockStatus::Error);
    assert!(run.error.as_deref().unwrap_or_default().starts_with("All 2 items failed. The first:"), "{:?}", run.error);
    assert_eq!(d.block("out").status, BlockStatus::Skipped);
}

#[test]
fn stop_mid_loop_keeps_finished_items_and_joins_them() {
    let list = "a\nb\nc\nd\ne\nf";
    let mut d = Driver::start(&loop_flow(list, loop_cfg("openai", 2)), EngineConfig::default());
    d.answer(shout);
    d.answer(shout);
    assert_eq!(d.block("loop").loop_run.expect("items").progress(), "2 of 6");
    let in_flight: Vec<RequestId> = d.pending.iter().map(|(r, _)| *r).collect();
    assert_eq!(in_flight.len(), 2);
    let cmds = d.engine.stop(d.now);
    d.take(cmds);
    assert!(in_flight.iter().all(|r| d.cancelled.contains(r)), "requests in flight are cancelled");
    assert!(d.engine.is_finished());
    let run = d.block("loop");
    assert_eq!(run.status, BlockStatus::Stopped);
    assert!(run.error.as_deref().unwrap_or_default().contains("2 of 6 items have results"), "{:?}", run.error);
    let joined: serde_json::Value = serde_json::from_str(run.output.as_deref().unwrap_or_default()).expect("json");
    assert_eq!(joined, json!(["A", "B", null, null, null, null]));
    let items = run.loop_run.expect("items");
    assert!(items.items[2..].iter().all(|i| i.status == BlockStatus::Stopped));
    // Late events for cancelled requests change nothing.
    let late = in_flight[0];
    d.event(Event::Chunk { request: late, bytes: openai_sse("late").into_bytes() });
    assert_eq!(d.block("loop").status, BlockStatus::Stopped);
}

/// The expected cost of one item's call, as the estimate (and the budget check) sees it.
fn one_item_cost(item: &str) -> f64 {
    let f = loop_flow(item, loop_cfg("openai", 1));
    estimate(&f, &RunScope::All, &RunCache::new(), &EngineConfig::default()).cost_usd.expect("priced")
}

#[test]
fn the_budget_stops_further_items_and_keeps_those_done() {
    let per_item = one_item_cost("a");
    let config = EngineConfig { budget_usd: Some(per_item * 2.5), ..EngineConfig::default() };
    let mut d = Driver::start(&loop_flow("a\nb\nc\nd\ne", loop_cfg("openai", 4)), config);
    assert_eq!(d.pending.len(), 2, "a third item would pass the budget while two are in flight");
    d.run(shout);
    let run = d.block("loop");
    assert_eq!(run.status, BlockStatus::Stopped);
    let error = run.error.clone().unwrap_or_default();
    assert!(error.starts_with("Stopped before item 3: it would pass the run's budget"), "{error}");
    assert!(error.contains("2 of 5 items have results"), "{error}");
    let items = run.loop_run.expect("items");
    assert_eq!(items.succeeded(), 2);
    assert!(items.items[2..].iter().all(|i| i.status == BlockStatus::Stopped));
    assert_eq!(d.engine.summary().calls, 2);
    assert!(d.engine.summary().cost_usd <= per_item * 2.5);
}

#[test]
fn the_estimate_counts_items_times_calls_or_says_up_to() {
    let config = EngineConfig::default();
    let cache = RunCache::new();
    let known = estimate(&loop_flow("a\nb\nc\nd\ne", loop_cfg("openai", 4)), &RunScope::All, &cache, &config);
    assert_eq!(known.calls, 5);
    assert!(!known.at_most);
    assert!((known.cost_usd.expect("priced") - 5.0 * one_item_cost("a")).abs() < 1e-12);
    assert!(known.describe().ends_with(", 5 calls"), "{}", known.describe());

    // The list comes from a model: counted at Max items, said as "up to".
    let mut f = loop_flow("", LoopConfig { max_items: 20, ..loop_cfg("openai", 4) });
    f.blocks.push(Block::new(
        id("writer"),
        "Writer",
        Point::new(0.0, 200.0),
        BlockConfig::Prompt(PromptConfig { user: "List ideas about {{text}}".into(), ..PromptConfig::default() }),
    ));
    f.edges = vec![
        wire(("in", "list"), ("writer", "text")),
        wire(("writer", "text"), ("loop", "list")),
        wire(("loop", "results"), ("out", "value")),
    ];
    let unknown = estimate(&f, &RunScope::All, &cache, &config);
    assert_eq!(unknown.calls, 21);
    assert!(unknown.at_most);
    assert!(unknown.describe().starts_with("up to $"), "{}", unknown.describe());
    assert!(unknown.describe().ends_with("up to 21 calls"), "{}", unknown.describe());

    let demo = estimate(&loop_flow("a\nb", loop_cfg("demo", 4)), &RunScope::All, &cache, &config);
    assert_eq!(demo.describe(), "no calls");
}

const FEEDBACK: &str = "customer,feedback\n\
Ana,\"The new dashboard is fast, but exporting to PDF fails every time.\"\n\
Ben,Support answered within minutes and fixed my billing issue.\n\
Chloe,\"I can't find the dark mode setting anymore; please bring it back.\"\n";

#[test]
fn sample_answers_summarise_each_row_without_a_key() {
    let d = Driver::start(&loop_flow(FEEDBACK, loop_cfg("demo", 4)), EngineConfig::default());
    assert!(d.pending.is_empty(), "sample answers make no request");
    assert!(d.engine.is_finished());
    let run = d.block("loop");
    assert_eq!(run.status, BlockStatus::Done);
    assert!(run.sample);
    let items = run.loop_run.expect("items");
    assert_eq!(items.items.len(), 3);
    let outputs: Vec<String> = items.items.iter().map(|i| i.output.clone().unwrap_or_default()).collect();
    assert!(outputs.iter().all(|o| !o.trim().is_empty()));
    assert!(outputs[0].to_lowercase().contains("pdf") || outputs[0].to_lowercase().contains("export"), "{outputs:?}");
    assert!(outputs[2].to_lowercase().contains("dark mode"), "{outputs:?}");
    assert!(d.block("out").sample, "the Output is labelled as a sample answer");
}

#[test]
fn a_flow_body_runs_another_workspace_flow_per_item() {
    let sub = Flow {
        blocks: vec![
            Block::new(
                id("q"),
                "Ticket",
                Point::new(0.0, 0.0),
                BlockConfig::Input(InputConfig {
                    values: vec![
                        InputValue { name: "tone".into(), value: "calm".into(), media: None },
                        InputValue { name: "ticket".into(), value: String::new(), media: None },
                    ],
                }),
            ),
            Block::new(
                id("p"),
                "Reply",
                Point::new(300.0, 0.0),
                BlockConfig::Prompt(PromptConfig {
                    user: "Reply ({{tone}}) to: {{ticket}}".into(),
                    ..PromptConfig::default()
                }),
            ),
            Block::new(id("o"), "Answer", Point::new(600.0, 0.0), BlockConfig::Output(OutputConfig {})),
        ],
        edges: vec![
            wire(("q", "tone"), ("p", "tone")),
            wire(("q", "ticket"), ("p", "ticket")),
            wire(("p", "text"), ("o", "value")),
        ],
        ..Flow::default()
    };
    let cfg = LoopConfig {
        body: LoopBody::Flow { flow_id: "replies".into(), input: "ticket".into() },
        ..LoopConfig::default()
    };
    let config = EngineConfig { subflows: BTreeMap::from([("replies".to_string(), sub)]), ..EngineConfig::default() };
    let est = estimate(&loop_flow("late parcel\nwrong size", cfg.clone()), &RunScope::All, &RunCache::new(), &config);
    assert_eq!(est.calls, 2);
    let mut d = Driver::start(&loop_flow("late parcel\nwrong size", cfg.clone()), config);
    d.run(|u| Ok(format!("re: {u}")));
    let joined: serde_json::Value = serde_json::from_str(&d.block("loop").output.expect("joined")).expect("json");
    assert_eq!(joined, json!(["re: Reply (calm) to: late parcel", "re: Reply (calm) to: wrong size"]));

    // A flow that is gone fails each item with a sentence, not the run.
    let mut d = Driver::start(&loop_flow("x", cfg), EngineConfig::default());
    d.run(shout);
    let run = d.block("loop");
    assert_eq!(run.status, BlockStatus::Error);
    assert!(run.error.unwrap_or_default().contains("not in this workspace any more"));
}

#[test]
fn a_shared_link_names_the_provider_a_loop_calls() {
    let hosts = chainboard::domain::share::hosts_contacted(&loop_flow("a", loop_cfg("openai", 2)));
    assert_eq!(hosts, ["OpenAI (api.openai.com)"]);
}

#[test]
fn the_loop_block_round_trips_through_a_flow_file() {
    let f = loop_flow("a\nb", LoopConfig { split: SplitMode::Csv, join: JoinMode::Text, ..loop_cfg("demo", 2) });
    let text = chainboard::domain::flow_file::to_json(&f);
    let back = chainboard::domain::flow_file::from_json(&text).expect("loads");
    assert_eq!(back.blocks[1].config, f.blocks[1].config);
}

#[test]
fn a_200_item_loop_takes_the_engine_little_time() {
    let list =
        (1..=200).map(|i| format!("Feedback number {i}: the export button is hard to find.")).collect::<Vec<_>>();
    let cfg = LoopConfig { max_items: 200, ..loop_cfg("openai", 4) };
    // The answers are built before the clock starts: only the engine's calls are timed.
    let bodies: BTreeMap<String, String> =
        list.iter().map(|l| (format!("Summarise in one line: {l}"), openai_sse(&l.to_uppercase()))).collect();
    let mut d = Driver::start(&loop_flow(&list.join("\n"), cfg), EngineConfig::default());
    while let Some((request, chat)) = (!d.pending.is_empty()).then(|| d.pending.remove(0)) {
        let body = bodies.get(&user_of(&chat)).cloned().unwrap_or_default();
        d.event(Event::Chunk { request, bytes: body.into_bytes() });
        d.event(Event::Done { request });
    }
    assert!(d.engine.is_finished());
    assert_eq!(d.max_in_flight, 4);
    let run = d.block("loop");
    assert_eq!(run.status, BlockStatus::Done);
    assert_eq!(run.loop_run.expect("items").succeeded(), 200);
    assert_eq!(d.engine.summary().calls, 200);
    // Timing is measured, never asserted (the machine is shared). `make bench` runs
    // `cargo test --release --test loop_block a_200_item -- --nocapture` and records it.
    eprintln!("engine time for a 200-item loop: {:?} ({:?} per item)", d.engine_time, d.engine_time / 200);
}
