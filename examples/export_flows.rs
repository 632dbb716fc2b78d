//! Writes every gallery template's exports (Python, Node, promptfoo) under an output folder
//! and, with `--engine PORT`, runs each template with Chainboard's own engine against the mock
//! provider on 127.0.0.1:PORT, writing what each Output block showed (`expected.json`).
//! tests/export/run-exports.mjs compares the exported programs' answers with those.
//!
//! Usage: cargo run --example export_flows -- OUT_DIR [--engine PORT] [--provider ID MODEL]

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::sync::Arc;

use chainboard::domain::blocks::{BlockConfig, InputValue};
use chainboard::domain::engine::{BlockStatus, RunCache};
use chainboard::domain::engine::{Command, Engine, EngineConfig, Event, RunScope};
use chainboard::domain::evals::checks::{evaluate, grade_reply, Evaluation};
use chainboard::domain::evals::run::{case_flow, Variant};
use chainboard::domain::evals::suite::EvalSuite;
use chainboard::domain::export_code::{export, ExportSource, ExportTarget};
use chainboard::domain::flow::Flow;
use chainboard::domain::media::{MediaItem, MediaLibrary};
use chainboard::domain::providers::{build_chat_request, HttpRequest, ProviderSettings};
use chainboard::domain::retrieval::knowledge::KnowledgeBase;
use chainboard::domain::template::literal;
use chainboard::domain::templates::{suite_with_provider, with_provider, Template, TEMPLATES};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(out) = args.first() else {
        eprintln!("usage: export_flows OUT_DIR [--engine PORT] [--provider ID MODEL]");
        std::process::exit(2);
    };
    let port = args.iter().position(|a| a == "--engine").and_then(|i| args.get(i + 1)).cloned();
    let provider = args
        .iter()
        .position(|a| a == "--provider")
        .and_then(|i| Some((args.get(i + 1)?.clone(), args.get(i + 2)?.clone())));
    let hostile = Template {
        id: "hostile-titles",
        title: "Hostile titles",
        shows: "",
        build: hostile_flow,
        suite: None,
        documents: None,
        samples: &[],
    };
    let control = Template {
        id: "control-blocks",
        title: "Every control block",
        shows: "",
        build: control_flow,
        suite: None,
        documents: None,
        samples: &[],
    };
    if port.is_some() {
        write_pii_check(Path::new(out));
        write_parser_check(Path::new(out));
    }
    if let Some(port) = &port {
        write_block_check(Path::new(out), port);
    }
    for t in TEMPLATES.iter().chain([&hostile, &control]) {
        let (flow, media) = with_samples(t);
        let flow = match &provider {
            Some((id, model)) => with_provider(flow, id, model),
            None => flow,
        };
        let suite = t.suite.map(|f| f());
        let suite = match (&provider, suite) {
            (Some((id, model)), Some(s)) => Some(suite_with_provider(s, id, model)),
            (_, s) => s,
        };
        let source = ExportSource { flow: flow.clone(), knowledge: t.documents.map(|f| f()), suite };
        // A flow the exporter cannot write whole yet (its code has TODOs) cannot match the
        // app's answers: it is listed, not run (tests/export_code.rs checks the TODOs are there).
        let python = export(ExportTarget::Python, &source);
        if python.iter().any(|f| f.text.contains("TODO")) {
            println!("not run (the export has TODOs): {}", t.id);
            continue;
        }
        let dir = Path::new(out).join(t.id);
        for target in ExportTarget::ALL {
            for file in export(target, &source) {
                write(&dir.join(target.id()).join(&file.path), &file.text);
            }
        }
        if let (Some(port), Some(suite)) = (&port, &source.suite) {
            let counts = run_eval(&source, suite, &media, port);
            write(&dir.join("expected-eval.json"), &(serde_json::to_string_pretty(&counts).unwrap_or_default() + "\n"));
        }
        if let Some(port) = &port {
            let answers = run_engine(&source, media, port);
            write(&dir.join("expected.json"), &(serde_json::to_string_pretty(&answers).unwrap_or_default() + "\n"));
        }
    }
}

/// The Router's "has personal data" test ported to Python and JavaScript (export_code/pii.rs)
/// must answer as the app's detector on the same texts: a few thousand made of the pieces
/// personal data is made of (digits, separators, @, IBAN and ID prefixes, street words), plus
/// plain examples. run-exports.mjs runs both ports on `cases.json` and compares.
fn write_pii_check(out: &Path) {
    use chainboard::domain::export_code::pii;
    use chainboard::domain::privacy::find_personal_data;
    const PIECES: &[&str] = &[
        "0",
        "1",
        "2",
        "3",
        "4",
        "5",
        "6",
        "7",
        "8",
        "9",
        " ",
        "-",
        ".",
        "(",
        ")",
        "+",
        "@",
        "a",
        "X",
        "Z",
        "GB82",
        "DE89",
        "é",
        "ß",
        "Street",
        "St.",
        "Hauptstraße",
        "call ",
        "phone ",
        ".com",
        "_",
        ",",
        "/",
        "\n",
        "4111",
        "1111",
        "AB",
        "C",
        "12-",
        "345",
        "6789",
        " Baker Road",
        "2024-",
        "Allee",
        "\u{1f600}",
        "\u{130}",
        "Tel ",
    ];
    let mut seed: u64 = 0x5eed;
    let mut next = |n: usize| {
        seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        ((seed >> 33) as usize) % n
    };
    let mut corpus: Vec<String> = vec![
        "Hi, please change my card to 4111 1111 1111 1111 and confirm to ana.ruiz@example.com.".into(),
        "Call me on 020 7946 0958.".into(),
        "My order 12345 shipped on 2024-05-01, version 1.2.3.".into(),
        "IBAN GB82 WEST 1234 5698 7654 32".into(),
        "NI number AB 12 34 56 C, DNI 12345678Z, NIE X1234567L".into(),
        "Send it to 221B Baker Street or Hauptstraße 5.".into(),
    ];
    for _ in 0..6000 {
        let len = 1 + next(24);
        corpus.push((0..len).map(|_| PIECES[next(PIECES.len())]).collect());
    }
    let expected: Vec<bool> = corpus.iter().map(|t| !find_personal_data(t).is_empty()).collect();
    let dir = out.join("pii-check");
    let cases = serde_json::json!({"corpus": corpus, "expected": expected});
    write(&dir.join("cases.json"), &cases.to_string());
    let py = format!(
        "import json\nimport re\n{}\ncases = json.load(open(\"cases.json\", encoding=\"utf-8\"))\nprint(json.dumps([has_personal_data(t) for t in cases[\"corpus\"]]))\n",
        pii::PYTHON
    );
    write(&dir.join("detector.py"), &py);
    let js = format!(
        "import {{ readFileSync }} from \"node:fs\";\n{}\nconst cases = JSON.parse(readFileSync(\"cases.json\", \"utf8\"));\nconsole.log(JSON.stringify(cases.corpus.map(hasPersonalData)));\n",
        pii::JS
    );
    write(&dir.join("detector.ts"), &js);
}

/// The ports of the loop's list splitting and of the router's reading of a model's pick
/// (python_control.rs, typescript_control.rs) must answer as the app on the same texts: a few
/// thousand made of CSV, JSON and line pieces, and of labels and punctuation. run-exports.mjs
/// runs both ports on `cases.json` and compares.
fn write_parser_check(out: &Path) {
    use chainboard::domain::blocks::loop_block::{split_items, CsvRowAs, SplitMode};
    use chainboard::domain::blocks::RouterConfig;
    use chainboard::domain::export_code::{python_control as py, typescript_control as js};
    const LIST: &[&str] = &[
        "a",
        "b",
        "1",
        " ",
        ",",
        ";",
        "\t",
        "\"",
        "\"\"",
        "\n",
        "\r\n",
        "[",
        "]",
        "{\"k\": 2}",
        "\"x\"",
        "'=",
        "'",
        "\u{feff}",
        "name,plan\n",
        "é",
        ", ",
        "null",
        "2.5",
    ];
    const ANSWER: &[&str] = &[
        "billing", "Bug", "BUG", "default", "label:", "Label: ", "\n", " ", "*", "_", "reason", "bugs", "é", ".", ":",
        "x",
    ];
    let mut seed: u64 = 0xc0ffee;
    let mut next = |n: usize| {
        seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        ((seed >> 33) as usize) % n
    };
    let modes = [
        ("auto", SplitMode::Auto),
        ("lines", SplitMode::Lines),
        ("json_array", SplitMode::JsonArray),
        ("csv", SplitMode::Csv),
    ];
    let mut split = Vec::new();
    for i in 0..3000 {
        let len = 1 + next(16);
        let text: String = (0..len).map(|_| LIST[next(LIST.len())]).collect();
        let (mode_id, mode) = modes[i % modes.len()];
        let (rows_id, rows) = if next(2) == 0 { ("text", CsvRowAs::Text) } else { ("json", CsvRowAs::Json) };
        let expected = split_items(&text, mode, rows).ok();
        split.push(serde_json::json!({"text": text, "mode": mode_id, "rows": rows_id, "expected": expected}));
    }
    let router = RouterConfig { routes: vec!["billing".into(), "bug".into()], ..RouterConfig::default() };
    let mut route = Vec::new();
    for _ in 0..2000 {
        let len = 1 + next(8);
        let answer: String = (0..len).map(|_| ANSWER[next(ANSWER.len())]).collect();
        let expected = router.parse_model_answer(&answer).route;
        route.push(serde_json::json!({"answer": answer, "expected": expected}));
    }
    let dir = out.join("parser-check");
    write(&dir.join("cases.json"), &serde_json::json!({"split": split, "route": route}).to_string());
    let python = format!(
        "import json\nimport re\n{}{}\n\
         def attempt(case):\n    try:\n        return split_items(case[\"text\"], case[\"mode\"], case[\"rows\"])\n    except Exception:\n        return None\n\n\n\
         cases = json.load(open(\"cases.json\", encoding=\"utf-8\"))\n\
         print(json.dumps({{\"split\": [attempt(c) for c in cases[\"split\"]], \"route\": [pick_route(c[\"answer\"], [\"billing\", \"bug\", \"default\"]) for c in cases[\"route\"]]}}))\n",
        py::LOOP,
        py::PICK_ROUTE
    );
    write(&dir.join("check.py"), &python);
    let node = format!(
        "import {{ readFileSync }} from \"node:fs\";\n{}{}{}{}{}\
         const attempt = (c) => {{\n  try {{\n    return splitItems(c.text, c.mode, c.rows);\n  }} catch {{\n    return null;\n  }}\n}};\n\
         const cases = JSON.parse(readFileSync(\"cases.json\", \"utf8\"));\n\
         console.log(JSON.stringify({{ split: cases.split.map(attempt), route: cases.route.map((c) => pickRoute(c.answer, [\"billing\", \"bug\", \"default\"])) }}));\n",
        chainboard::domain::export_code::typescript::IS_OBJECT,
        js::SORT_KEYS,
        js::TRIM,
        js::LOOP,
        js::PICK_ROUTE
    );
    write(&dir.join("check.ts"), &node);
}

/// The Transform operations and Router rules of the control-blocks flow, without its model
/// calls, on a few hundred generated inputs: the exported programs' `run_flow` must give what
/// the engine gives (or fail where it fails). run-exports.mjs runs the drivers and compares.
fn write_block_check(out: &Path, port: &str) {
    use serde_json::json;
    let mut flow = control_flow(0);
    let models =
        |c: &BlockConfig| matches!(c, BlockConfig::Prompt(_) | BlockConfig::Loop(_) | BlockConfig::Approval(_));
    let removed: Vec<_> = flow.blocks.iter().filter(|b| models(&b.config)).map(|b| b.id.clone()).collect();
    let orphans: Vec<_> =
        flow.edges.iter().filter(|e| removed.contains(&e.from.block)).map(|e| e.to.block.clone()).collect();
    flow.blocks.retain(|b| !removed.contains(&b.id) && !orphans.contains(&b.id));
    flow.edges
        .retain(|e| flow.blocks.iter().any(|b| b.id == e.from.block) && flow.blocks.iter().any(|b| b.id == e.to.block));
    const PIECES: &[&str] = &[
        "{\"total\": ",
        "\"42.5\"",
        "12",
        "-3",
        "}",
        "{",
        "[",
        "]",
        ", ",
        ",",
        "\"customer\": {\"plan\": \"Pro\"}",
        "\"pro \"",
        " ",
        "\n",
        "\r\n",
        "\t",
        "refund #12",
        "REFUND  #7",
        "call 020 7946 0958",
        "Café",
        "RED",
        "blue",
        "please ",
        "ß",
        "-",
        "null",
        "true",
        "```json\n",
        "```",
        "\"a\"",
        "{\"k\": [1, {\"b\": 2, \"a\": \"x\"}]}",
        "#124.",
        "\u{feff}",
        "kill",
        "idiots",
        "skill",
        "Suicide",
        "_bomb",
    ];
    let seed = std::cell::Cell::new(0xb10c_u64);
    let next = |n: usize| {
        seed.set(seed.get().wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407));
        ((seed.get() >> 33) as usize) % n
    };
    let names: Vec<String> = flow
        .blocks
        .iter()
        .filter_map(|b| match &b.config {
            BlockConfig::Input(i) => Some(i.values.iter().map(|v| v.name.clone()).collect::<Vec<_>>()),
            _ => None,
        })
        .flatten()
        .collect();
    let mut inputs = Vec::new();
    let mut expected = Vec::new();
    for _ in 0..300 {
        let text = |n: usize| (0..n).map(|_| PIECES[next(PIECES.len())]).collect::<String>();
        let mut values: Vec<String> = names.iter().map(|_| text(1 + next(9))).collect();
        // Mostly JSON where a JSON field is picked or a list is read, so the rules after them run.
        let totals = [json!("42.5"), json!(7), json!("x"), json!(null), json!(50), json!(" 10 "), json!(-3)];
        let plans = [json!("Pro"), json!("pro "), json!(" PRO"), json!("Free"), json!(3), json!(true)];
        let order = json!({
            "total": totals[next(totals.len())].clone(),
            "customer": {"plan": plans[next(plans.len())].clone(), "name": text(1)},
            "items": (0..next(3)).map(|i| json!({"sku": text(1), "qty": i})).collect::<Vec<_>>(),
        });
        let items: Vec<serde_json::Value> =
            (0..next(4)).map(|i| if i == 2 { json!({"z": text(1), "a": [i]}) } else { json!(text(1)) }).collect();
        let fence = if next(4) == 0 { ("```json\n", "\n```") } else { ("", "") };
        for (name, value) in names.iter().zip(values.iter_mut()) {
            match name.as_str() {
                "order" if next(8) > 0 => *value = format!("{}{}{}", fence.0, order, fence.1),
                "list" if next(8) > 0 => *value = json!(items).to_string(),
                _ => {}
            }
        }
        let mut case = flow.clone();
        for b in &mut case.blocks {
            if let BlockConfig::Input(i) = &mut b.config {
                for (v, value) in i.values.iter_mut().zip(&values) {
                    v.value = value.clone();
                }
            }
        }
        let source = ExportSource { flow: case, knowledge: None, suite: None };
        let answers = run_engine(&source, MediaLibrary::default(), port);
        let failed = answers.as_array().is_some_and(|a| a.iter().any(|o| !o["error"].is_null()));
        let answers: Vec<serde_json::Value> = answers
            .as_array()
            .map(|a| a.iter().map(|o| serde_json::json!({"output": o["output"], "answer": o["answer"]})).collect())
            .unwrap_or_default();
        expected.push(if failed { serde_json::json!("error") } else { serde_json::Value::Array(answers) });
        inputs.push(values);
    }
    let dir = out.join("block-check");
    let source = ExportSource { flow, knowledge: None, suite: None };
    for target in [ExportTarget::Python, ExportTarget::TypeScript] {
        for file in export(target, &source) {
            write(&dir.join(target.id()).join(&file.path), &file.text);
        }
    }
    write(&dir.join("cases.json"), &serde_json::json!({"inputs": inputs, "expected": expected}).to_string());
    write(
        &dir.join("python/check.py"),
        "import asyncio\nimport json\n\nimport main\n\n\nasync def attempt(values):\n    try:\n        return [{\"output\": t, \"answer\": a} for t, a in await main.run_flow(*values)]\n    except Exception:\n        return \"error\"\n\n\ncases = json.load(open(\"../cases.json\", encoding=\"utf-8\"))\nprint(json.dumps([asyncio.run(attempt(v)) for v in cases[\"inputs\"]]))\n",
    );
    let idents: Vec<String> = export(ExportTarget::TypeScript, &source)
        .iter()
        .find(|f| f.path == "main.ts")
        .and_then(|f| f.text.lines().find(|l| l.starts_with("export async function runFlow({")).map(String::from))
        .and_then(|l| Some(l.split_once('{')?.1.split_once('}')?.0.split(',').map(|s| s.trim().to_string()).collect()))
        .unwrap_or_default();
    let js = format!(
        "import {{ readFileSync }} from \"node:fs\";\nimport {{ runFlow }} from \"./main.ts\";\n\nconst NAMES = {};\nconst cases = JSON.parse(readFileSync(\"../cases.json\", \"utf8\"));\nconst results = [];\nfor (const values of cases.inputs) {{\n  try {{\n    results.push(await runFlow(Object.fromEntries(NAMES.map((n, i) => [n, values[i]]))));\n  }} catch {{\n    results.push(\"error\");\n  }}\n}}\nconsole.log(JSON.stringify(results));\n",
        serde_json::to_string(&idents).unwrap_or_default()
    );
    write(&dir.join("typescript/check.ts"), &js);
}

fn write(path: &Path, text: &str) {
    if let Some(parent) = path.parent() {
        let _ = std::fs::create_dir_all(parent);
    }
    if let Err(e) = std::fs::write(path, text) {
        eprintln!("cannot write {}: {e}", path.display());
        std::process::exit(1);
    }
}

/// The template's flow with its sample files in its Input values, as the gallery stores them.
fn with_samples(t: &Template) -> (Flow, MediaLibrary) {
    let mut flow = (t.build)(0);
    let mut library = MediaLibrary::default();
    for (name, path) in t.samples {
        let bytes = std::fs::read(path).unwrap_or_default();
        let file = path.rsplit('/').next().unwrap_or(path);
        let Ok(item) = MediaItem::from_file(file, bytes) else {
            eprintln!("{}: cannot read the sample {path}", t.id);
            continue;
        };
        for b in &mut flow.blocks {
            if let BlockConfig::Input(i) = &mut b.config {
                for v in i.values.iter_mut().filter(|v| v.name == *name) {
                    *v = InputValue::with_media(v.name.clone(), item.meta.clone());
                }
            }
        }
        library.insert(item);
    }
    (flow, library)
}

/// Runs the flow with the app's engine, performing its requests against the mock provider,
/// and returns each Output block's title and answer.
fn run_engine(source: &ExportSource, media: MediaLibrary, port: &str) -> serde_json::Value {
    let config = EngineConfig {
        knowledge: source.knowledge.clone().map(|k| Arc::new(KnowledgeBase::from_portable(k))),
        media: Some(Arc::new(media)),
        // The exported programs approve automatically in the runner (CHAINBOARD_AUTO_APPROVE=1).
        auto_approve: true,
        ..EngineConfig::default()
    };
    let mut engine = match Engine::start(&source.flow, RunScope::All, &RunCache::default(), config, 0.0) {
        Ok(e) => e,
        Err(e) => return serde_json::json!({"error": format!("{e:?}")}),
    };
    let mut queue = engine.poll(0.0);
    let mut now = 0.0;
    while !engine.is_finished() {
        if queue.is_empty() {
            now += 1000.0;
            queue = engine.poll(now);
            if now > 600_000.0 {
                break;
            }
            continue;
        }
        let command = queue.remove(0);
        let more = match command {
            Command::Send { request, provider, chat, .. } => {
                let base = match provider.id() {
                    "anthropic" => format!("http://127.0.0.1:{port}/v1"),
                    "gemini" => format!("http://127.0.0.1:{port}/v1beta"),
                    "ollama" => format!("http://127.0.0.1:{port}"),
                    _ => format!("http://127.0.0.1:{port}/v1"),
                };
                let settings = ProviderSettings { base_url: base, api_key: "test-key".into() };
                match build_chat_request(provider, &settings, &chat) {
                    Ok(http) => match send(&http) {
                        Ok((status, body)) if (200..300).contains(&status) => {
                            let mut cmds = engine.on_event(Event::Chunk { request, bytes: body }, now);
                            cmds.extend(engine.on_event(Event::Done { request }, now));
                            cmds
                        }
                        Ok((status, body)) => engine.on_event(
                            Event::HttpError {
                                request,
                                status,
                                body: String::from_utf8_lossy(&body).into(),
                                retry_after: None,
                            },
                            now,
                        ),
                        Err(message) => engine.on_event(Event::NetworkError { request, message }, now),
                    },
                    Err(e) => engine.on_event(Event::NetworkError { request, message: format!("{e:?}") }, now),
                }
            }
            Command::CallTool { request, http, .. } => match send(&http) {
                Ok((status, body)) => engine.on_event(
                    Event::ToolResponse { request, status, body: String::from_utf8_lossy(&body).into() },
                    now,
                ),
                Err(message) => engine.on_event(Event::ToolFailed { request, message }, now),
            },
            Command::Embed { request, .. } => {
                engine.on_event(Event::ToolFailed { request, message: "no embeddings here".into() }, now)
            }
            // The gallery's guardrail uses the sample moderation: nothing is asked here.
            Command::Moderate { request, .. } => {
                engine.on_event(Event::ToolFailed { request, message: "no moderation here".into() }, now)
            }
            // Only calls outside a flow (a `Fetch`) make these; an engine never does.
            Command::Call { request, .. } => {
                engine.on_event(Event::ToolFailed { request, message: "no outside calls here".into() }, now)
            }
            Command::Cancel { .. } | Command::WakeAt { .. } => Vec::new(),
        };
        queue.extend(more);
        queue.extend(engine.poll(now));
    }
    let answers: Vec<serde_json::Value> = source
        .flow
        .blocks
        .iter()
        .filter(|b| matches!(b.config, BlockConfig::Output(_)))
        .map(|b| {
            let run = engine.block(&b.id);
            let error = run.and_then(|r| r.error.clone());
            // An Output on a branch not taken is skipped, and the programs print null for it;
            // one skipped because a block before it failed ("Skipped: … failed.") is an error.
            let not_taken = run.is_some_and(|r| r.status == BlockStatus::Skipped)
                && error.as_deref().is_some_and(|e| !e.ends_with(" failed."));
            if not_taken {
                return serde_json::json!({"output": b.display_name(), "answer": null, "skipped": error});
            }
            serde_json::json!({
                "output": b.display_name(),
                "answer": run.and_then(|r| r.output.clone()).unwrap_or_default(),
                "error": error,
            })
        })
        .collect();
    serde_json::Value::Array(answers)
}

/// The app's eval of the suite's cases on the base flow, once each: a case passes when every
/// check passes. Judged checks go through the app's judge prompt to the mock, as in the app.
fn run_eval(source: &ExportSource, suite: &EvalSuite, media: &MediaLibrary, port: &str) -> serde_json::Value {
    let target = match &suite.target {
        Some(id) => source.flow.blocks.iter().find(|b| b.id.as_str() == id),
        None => source.flow.blocks.iter().find(|b| matches!(b.config, BlockConfig::Output(_))),
    };
    let target = target.map(|b| b.display_name()).unwrap_or_default();
    let (mut passed, mut failed) = (0, 0);
    for case in &suite.cases {
        let flow = case_flow(&source.flow, case, &Variant::base("Base"));
        let run = ExportSource { flow, ..source.clone() };
        let answers = run_engine(&run, media.clone(), port);
        let answer = answers
            .as_array()
            .and_then(|a| a.iter().find(|o| o["output"] == target.as_str()))
            .and_then(|o| o["answer"].as_str())
            .unwrap_or_default()
            .to_string();
        let inputs = case.inputs.iter().map(|(k, v)| format!("{k}: {v}")).collect::<Vec<_>>().join("\n");
        let all =
            suite.checks.iter().all(|check| match evaluate(&check.kind, &answer, case.expected.as_deref(), &inputs) {
                Evaluation::Done(result) => result.passed() == Some(true),
                Evaluation::Embed { .. } => false,
                Evaluation::Judge { system, user, provider, model, pass_score } => {
                    let reply = judge(&system, &user, &provider, &model, port);
                    grade_reply(&reply, pass_score).passed() == Some(true)
                }
            });
        if all {
            passed += 1;
        } else {
            failed += 1;
        }
    }
    // A check promptfoo cannot see (which route a Router took) is not in the exported config:
    // the counts cannot match, and the runner checks only that the config runs.
    let unexported: Vec<&str> = suite
        .checks
        .iter()
        .filter(|c| matches!(c.kind, chainboard::domain::evals::checks::CheckKind::RouteTaken { .. }))
        .map(|c| c.name.as_str())
        .collect();
    serde_json::json!({"passed": passed, "failed": failed, "unexported": unexported})
}

/// One judge call, run as a one-Prompt flow through the engine.
fn judge(system: &str, user: &str, provider: &str, model: &str, port: &str) -> String {
    use chainboard::domain::blocks::{OutputConfig, PromptConfig};
    use chainboard::domain::flow::{Block, BlockId, Edge, EdgeId, Point, PortRef};
    let prompt = PromptConfig {
        provider: provider.into(),
        model: model.into(),
        system: literal(system),
        user: literal(user),
        ..PromptConfig::default()
    };
    let flow = Flow {
        blocks: vec![
            Block::new(BlockId::new("judge"), "Judge", Point::default(), BlockConfig::Prompt(prompt)),
            Block::new(BlockId::new("out"), "Grade", Point::default(), BlockConfig::Output(OutputConfig {})),
        ],
        edges: vec![Edge {
            id: EdgeId::new("e"),
            from: PortRef::new(BlockId::new("judge"), "text"),
            to: PortRef::new(BlockId::new("out"), "value"),
        }],
        ..Flow::default()
    };
    let source = ExportSource { flow, knowledge: None, suite: None };
    let answers = run_engine(&source, MediaLibrary::default(), port);
    answers[0]["answer"].as_str().unwrap_or_default().to_string()
}

/// A blocking HTTP/1.1 request to 127.0.0.1 (the mock provider): status and whole body.
fn send(request: &HttpRequest) -> Result<(u16, Vec<u8>), String> {
    let rest = request.url.strip_prefix("http://").ok_or("only http:// here")?;
    let (authority, path) = rest.split_once('/').map_or((rest, "/".to_string()), |(a, p)| (a, format!("/{p}")));
    let mut stream = TcpStream::connect(authority).map_err(|e| e.to_string())?;
    // A reply that never ends fails the run instead of hanging `make test`.
    stream.set_read_timeout(Some(std::time::Duration::from_secs(30))).map_err(|e| e.to_string())?;
    let body: Vec<u8> = match (&request.bytes, &request.body) {
        (Some(bytes), _) => bytes.as_ref().clone(),
        (None, Some(text)) => text.clone().into_bytes(),
        (None, None) => Vec::new(),
    };
    let mut head = format!(
        "{} {path} HTTP/1.1\r\nhost: {authority}\r\nconnection: close\r\ncontent-length: {}\r\n",
        request.method.as_str(),
        body.len()
    );
    for (name, value) in &request.headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).map_err(|e| e.to_string())?;
    stream.write_all(&body).map_err(|e| e.to_string())?;
    // Read until the body is complete (by content-length or the last chunk), not until the
    // server closes the connection: a keep-alive server may wait seconds before it does.
    let mut raw = Vec::new();
    let mut buf = [0u8; 16 * 1024];
    loop {
        if let Some(split) = raw.windows(4).position(|w| w == b"\r\n\r\n") {
            let headers = String::from_utf8_lossy(&raw[..split]).to_ascii_lowercase();
            let body = &raw[split + 4..];
            let length = headers
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse::<usize>().ok());
            let complete = match length {
                Some(n) => body.len() >= n,
                None => headers.contains("transfer-encoding: chunked") && body.ends_with(b"0\r\n\r\n"),
            };
            if complete {
                break;
            }
        }
        let n = stream.read(&mut buf).map_err(|e| format!("{e} ({} {})", request.method.as_str(), request.url))?;
        if n == 0 {
            break;
        }
        raw.extend_from_slice(&buf[..n]);
    }
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").ok_or("no headers")?;
    let headers = String::from_utf8_lossy(&raw[..split]).to_ascii_lowercase();
    let status: u16 = headers.split_whitespace().nth(1).and_then(|s| s.parse().ok()).ok_or("no status")?;
    let mut body = raw[split + 4..].to_vec();
    if headers.contains("transfer-encoding: chunked") {
        body = dechunk(&body);
    }
    Ok((status, body))
}

fn dechunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(line_end) = data.windows(2).position(|w| w == b"\r\n") {
        let size_text = String::from_utf8_lossy(&data[..line_end]);
        let size = usize::from_str_radix(size_text.split(';').next().unwrap_or("0").trim(), 16).unwrap_or(0);
        data = &data[line_end + 2..];
        if size == 0 || data.len() < size {
            break;
        }
        out.extend_from_slice(&data[..size]);
        data = data.get(size + 2..).unwrap_or_default();
    }
    out
}

/// Text that breaks careless code generators: quotes of every language, line breaks, comment
/// ends, template-literal and f-string syntax, shell and YAML specials.
const HOSTILE: &str = "Quote \" ' ` \"\"\" ''' */ <!-- ${process.exit(1)} {__import__('os')} \\ \\n\nnext line\r\n# not a comment: - [x] | &anchor *alias !!tag %\u{2028}end";

/// Every title, value and prompt hostile; it still runs (the mock answers "Say hello").
fn hostile_flow(now: i64) -> Flow {
    use chainboard::domain::blocks::{InputConfig, OutputConfig, PromptConfig};
    use chainboard::domain::flow::{Block, BlockId, Edge, EdgeId, FlowMeta, Point, PortRef};
    let block = |id: &str, config| Block::new(BlockId::new(id), format!("{HOSTILE} {id}"), Point::default(), config);
    let edge = |n: &str, from: (&str, &str), to: (&str, &str)| Edge {
        id: EdgeId::new(n),
        from: PortRef::new(BlockId::new(from.0), from.1),
        to: PortRef::new(BlockId::new(to.0), to.1),
    };
    Flow {
        meta: FlowMeta { title: HOSTILE.into(), description: HOSTILE.into(), created_ms: now, updated_ms: now },
        blocks: vec![
            block(
                "input-1",
                BlockConfig::Input(InputConfig {
                    values: vec![InputValue { name: "class".into(), value: HOSTILE.into(), media: None }],
                }),
            ),
            block(
                "prompt-1",
                BlockConfig::Prompt(PromptConfig {
                    system: HOSTILE.into(),
                    user: format!("Say hello \\{{{{ {{{{class}}}} {HOSTILE}"),
                    ..PromptConfig::default()
                }),
            ),
            block("output-1", BlockConfig::Output(OutputConfig {})),
        ],
        edges: vec![
            edge("e1", ("input-1", "class"), ("prompt-1", "class")),
            edge("e2", ("prompt-1", "text"), ("output-1", "value")),
        ],
    }
}

/// Every rule test of a Router, every Transform operation, a Loop joined as JSON, an Approval
/// and a Prompt with example turns and the advanced settings: the exported programs must take
/// the same branches and print the same text as the engine (tests/export/run-exports.mjs).
fn control_flow(now: i64) -> Flow {
    use chainboard::domain::blocks::loop_block::{JoinMode, LoopBody, SplitMode};
    use chainboard::domain::blocks::transform::{CountWhat, SplitBy};
    use chainboard::domain::blocks::{
        ApprovalConfig, ExampleTurn, InputConfig, LoopConfig, ModelParams, OutputConfig, PromptConfig, RouteRule,
        RouterConfig, RuleTest, TransformConfig, TransformOp,
    };
    use chainboard::domain::flow::{Block, BlockId, Edge, EdgeId, FlowMeta, Point, PortRef};
    use chainboard::domain::providers::Role;

    let mut blocks = Vec::new();
    let mut edges = Vec::new();
    let mut connect = |from: (&str, &str), to: (&str, &str)| {
        edges.push(Edge {
            id: EdgeId::new(format!("e{}", edges.len() + 1)),
            from: PortRef::new(BlockId::new(from.0), from.1),
            to: PortRef::new(BlockId::new(to.0), to.1),
        })
    };
    let block = |id: &str, config| Block::new(BlockId::new(id), id, Point::default(), config);
    let values = [
        (
            "order",
            r#"{"total": "42.5", "customer": {"plan": "Pro", "name": "Ana"}, "items": [{"sku": "A1", "qty": 2}, {"sku": "B2", "qty": 1}]}"#,
        ),
        ("notes", "  Line one\r\nline two\n\n  Café au lait  \n"),
        ("tags", "red, green,, blue"),
        ("ticket", "Please call me on 020 7946 0958 about refund #123."),
        ("list", r#"["alpha", "beta", "gamma"]"#),
    ];
    blocks.push(block(
        "in",
        BlockConfig::Input(InputConfig {
            values: values
                .iter()
                .map(|(n, v)| InputValue { name: (*n).into(), value: (*v).into(), media: None })
                .collect(),
        }),
    ));
    let output = |blocks: &mut Vec<Block>, id: &str| {
        blocks.push(block(id, BlockConfig::Output(OutputConfig {})));
    };
    // Transforms, each shown by its own Output.
    let transforms: Vec<(&str, TransformOp, &str)> = vec![
        ("pick-plan", TransformOp::Pick { path: "customer.plan".into() }, "order"),
        ("pick-items", TransformOp::Pick { path: "$.items".into() }, "order"),
        ("split-lines", TransformOp::Split { by: SplitBy::Lines, separator: String::new() }, "notes"),
        ("split-comma", TransformOp::Split { by: SplitBy::Separator, separator: ",".into() }, "tags"),
        ("split-json", TransformOp::Split { by: SplitBy::JsonArray, separator: String::new() }, "list"),
        ("join", TransformOp::Join { separator: "\\n- ".into() }, "list"),
        ("count-items", TransformOp::Count { what: CountWhat::Items }, "list"),
        ("count-words", TransformOp::Count { what: CountWhat::Words }, "notes"),
        ("count-chars", TransformOp::Count { what: CountWhat::Characters }, "notes"),
        ("lower", TransformOp::Lowercase, "ticket"),
        ("upper", TransformOp::Uppercase, "notes"),
        ("trim", TransformOp::Trim, "notes"),
    ];
    for (id, op, input) in transforms {
        blocks.push(block(id, BlockConfig::Transform(TransformConfig { op })));
        connect(("in", input), (id, "value"));
        output(&mut blocks, &format!("{id}-out"));
        connect((id, "result"), (&format!("{id}-out"), "value"));
    }
    blocks.push(block(
        "template",
        BlockConfig::Transform(TransformConfig {
            op: TransformOp::Template { template: "{{tags}} \\{{not}} {{plan}}".into() },
        }),
    ));
    connect(("in", "tags"), ("template", "tags"));
    connect(("pick-plan", "result"), ("template", "plan"));
    output(&mut blocks, "template-out");
    connect(("template", "result"), ("template-out", "value"));
    // Routers: each rule test once; the branch taken is named by a template on each route.
    let rule = |test: RuleTest| RouteRule { route: "yes".into(), test, case_sensitive: false };
    let routers: Vec<(&str, RuleTest, &str)> = vec![
        ("regex", RuleTest::Matches { pattern: r"REFUND\s+#\d+".into() }, "ticket"),
        ("json-field", RuleTest::JsonFieldEquals { path: "customer.plan".into(), value: "pro".into() }, "order"),
        ("number-field", RuleTest::NumberInRange { path: "total".into(), min: Some(10.0), max: Some(50.0) }, "order"),
        ("number-text", RuleTest::NumberInRange { path: String::new(), min: None, max: Some(5.0) }, "ticket"),
        ("pii-phone", RuleTest::PersonalData, "ticket"),
        ("pii-none", RuleTest::PersonalData, "notes"),
        ("starts", RuleTest::StartsWith { text: " please".into() }, "ticket"),
        ("ends", RuleTest::EndsWith { text: "#124.".into() }, "ticket"),
        ("equals", RuleTest::Equals { text: "RED, GREEN,, BLUE".into() }, "tags"),
        ("contains", RuleTest::Contains { text: "Café".into() }, "notes"),
        ("any", RuleTest::ContainsAny { words: "purple, BLUE".into() }, "tags"),
        ("longer", RuleTest::LongerThan { chars: 30 }, "notes"),
        ("moderation", RuleTest::Moderation { categories: String::new(), min_score: None, sample: true }, "notes"),
        (
            "moderation-violence",
            RuleTest::Moderation { categories: "Violence, hate".into(), min_score: Some(0.5), sample: true },
            "ticket",
        ),
    ];
    for (id, test, input) in routers {
        let router = RouterConfig { routes: vec!["yes".into()], rules: vec![rule(test)], ..RouterConfig::default() };
        blocks.push(block(id, BlockConfig::Router(router)));
        connect(("in", input), (id, "value"));
        for route in ["yes", "default"] {
            let mark = format!("{id}-{route}");
            let op = TransformOp::Template { template: format!("{route}: {{{{value}}}}") };
            blocks.push(block(&mark, BlockConfig::Transform(TransformConfig { op })));
            connect((id, route), (&mark, "value"));
            connect((&mark, "result"), (&format!("{id}-out"), "value"));
        }
        output(&mut blocks, &format!("{id}-out"));
    }
    // A loop joined as JSON (one result is JSON and stays JSON), after an approval.
    blocks.push(block("approval", BlockConfig::Approval(ApprovalConfig { instructions: "Check the list.".into() })));
    connect(("in", "list"), ("approval", "value"));
    let body = PromptConfig { user: "Echo item {{item}} of {{count}} ({{index}})".into(), ..PromptConfig::default() };
    blocks.push(block(
        "loop",
        BlockConfig::Loop(LoopConfig {
            split: SplitMode::JsonArray,
            body: LoopBody::Prompt(body),
            concurrency: 2,
            join: JoinMode::JsonArray,
            ..LoopConfig::default()
        }),
    ));
    connect(("approval", "approved"), ("loop", "list"));
    connect(("count-items", "result"), ("loop", "count"));
    output(&mut blocks, "loop-out");
    connect(("loop", "results"), ("loop-out", "value"));
    // A prompt with two user example turns in a row (Anthropic merges them) and every
    // advanced setting (each provider is sent only what it takes).
    let prompt = PromptConfig {
        system: "You greet people.".into(),
        user: "Greet {{name}}".into(),
        examples: vec![
            ExampleTurn { role: Role::User, text: "Greet Bo".into() },
            ExampleTurn { role: Role::User, text: "Say it warmly".into() },
            ExampleTurn { role: Role::Assistant, text: "Hello, Bo!".into() },
        ],
        temperature: Some(0.3),
        max_tokens: Some(300),
        params: ModelParams {
            top_p: Some(0.9),
            stop: vec!["END".into()],
            seed: Some(7),
            reasoning_effort: Some("low".into()),
            thinking_budget: Some(1024),
        },
        ..PromptConfig::default()
    };
    blocks.push(block("greet", BlockConfig::Prompt(prompt)));
    connect(("pick-plan", "result"), ("greet", "name"));
    output(&mut blocks, "greet-out");
    connect(("greet", "text"), ("greet-out", "value"));
    Flow {
        meta: FlowMeta {
            title: "Every control block".into(),
            description: String::new(),
            created_ms: now,
            updated_ms: now,
        },
        blocks,
        edges,
    }
}
