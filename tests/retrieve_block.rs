//! The Retrieve block in the run engine: keyword search feeding a Prompt, meaning search
//! with embeddings fetched (in the providers' reply formats), cached and reported, and the
//! ways it fails.

use std::sync::Arc;

use chainboard::domain::blocks::{BlockConfig, InputConfig, InputValue, OutputConfig, PromptConfig, RetrieveConfig};
use chainboard::domain::engine::{BlockStatus, Command, Engine, EngineConfig, Event, RunCache, RunScope};
use chainboard::domain::flow::{Block, BlockId, Edge, EdgeId, Flow, Point, PortRef};
use chainboard::domain::providers::ProviderKind;
use chainboard::domain::retrieval::documents::DocFormat;
use chainboard::domain::retrieval::knowledge::{Document, KnowledgeBase, KnowledgeOptions};
use chainboard::domain::retrieval::search::RetrieveMode;
use serde_json::json;

fn block(id: &str, config: BlockConfig) -> Block {
    Block::new(BlockId(id.into()), id, Point { x: 0.0, y: 0.0 }, config)
}

fn edge(n: usize, from: (&str, &str), to: (&str, &str)) -> Edge {
    Edge {
        id: EdgeId(format!("e{n}")),
        from: PortRef { block: BlockId(from.0.into()), port: from.1.into() },
        to: PortRef { block: BlockId(to.0.into()), port: to.1.into() },
    }
}

/// Question → Retrieve → Prompt (cites the context) → Output.
fn flow(retrieve: RetrieveConfig, provider: &str) -> Flow {
    let mut f = Flow::default();
    f.blocks.push(block(
        "in",
        BlockConfig::Input(InputConfig {
            values: vec![InputValue {
                name: "question".into(),
                value: "How long do refunds take?".into(),
                media: None,
            }],
        }),
    ));
    f.blocks.push(block("find", BlockConfig::Retrieve(retrieve)));
    f.blocks.push(block(
        "answer",
        BlockConfig::Prompt(PromptConfig {
            provider: provider.into(),
            model: "gpt-4o-mini".into(),
            user: "Answer from these passages, citing [n]:\n{{context}}\n\nQuestion: {{question}}".into(),
            ..PromptConfig::default()
        }),
    ));
    f.blocks.push(block("out", BlockConfig::Output(OutputConfig::default())));
    f.edges = vec![
        edge(1, ("in", "question"), ("find", "question")),
        edge(2, ("find", "context"), ("answer", "context")),
        edge(3, ("in", "question"), ("answer", "question")),
        edge(4, ("answer", "text"), ("out", "value")),
    ];
    f
}

fn knowledge() -> KnowledgeBase {
    let mut kb = KnowledgeBase::new(KnowledgeOptions::default());
    for (id, name, text) in [
        ("d1", "refunds.md", "# Refunds\n\nRefunds are paid within 14 days of receiving the return."),
        ("d2", "shipping.md", "# Shipping\n\nParcels ship in two days. Express arrives the next day."),
    ] {
        kb.add(Document::new(id, name, DocFormat::Markdown, text));
    }
    kb
}

fn config(kb: Option<KnowledgeBase>) -> EngineConfig {
    EngineConfig { knowledge: kb.map(Arc::new), ..EngineConfig::default() }
}

fn id(s: &str) -> BlockId {
    BlockId(s.into())
}

#[test]
fn keyword_passages_feed_the_prompt_with_numbered_sources() {
    let f = flow(RetrieveConfig { top_k: 1, ..RetrieveConfig::default() }, "demo");
    let mut engine = Engine::start(&f, RunScope::All, &RunCache::new(), config(Some(knowledge())), 0.0).unwrap();
    let commands = engine.poll(0.0);
    assert!(commands.iter().all(|c| !matches!(c, Command::Embed { .. })), "{commands:?}");
    let find = engine.block(&id("find")).unwrap();
    assert_eq!(find.status, BlockStatus::Done);
    let retrieval = find.retrieval.as_ref().unwrap();
    assert_eq!(retrieval.query, "How long do refunds take?");
    assert_eq!(retrieval.passages.len(), 1);
    assert_eq!(retrieval.passages[0].source, "refunds.md");
    assert_eq!(retrieval.passages[0].matched, ["refunds"]);
    let context = find.outputs.get("context").unwrap();
    assert_eq!(context, "[1] (refunds.md, Refunds)\nRefunds are paid within 14 days of receiving the return.");
    let passages: serde_json::Value = serde_json::from_str(find.outputs.get("passages").unwrap()).unwrap();
    assert_eq!(passages[0]["source"], "refunds.md");
    // The prompt received the context.
    let answer = engine.block(&id("answer")).unwrap();
    let chat = answer.trace.chat.as_ref().unwrap();
    assert!(chat.messages.last().unwrap().text.contains("[1] (refunds.md, Refunds)"));
    assert!(engine.is_finished());
}

#[test]
fn an_empty_knowledge_base_says_what_to_do() {
    let f = flow(RetrieveConfig::default(), "demo");
    for kb in [None, Some(KnowledgeBase::new(KnowledgeOptions::default()))] {
        let mut engine = Engine::start(&f, RunScope::All, &RunCache::new(), config(kb), 0.0).unwrap();
        engine.poll(0.0);
        let find = engine.block(&id("find")).unwrap();
        assert_eq!(find.status, BlockStatus::Error);
        assert!(find.error.as_deref().unwrap().contains("Open Knowledge, add files or text"));
        assert_eq!(engine.block(&id("answer")).unwrap().status, BlockStatus::Skipped);
    }
}

fn openai_vectors(n: usize, query_like: usize) -> String {
    // Vector i points along axis i; the query (input 0) is made to match input `query_like`.
    let data: Vec<_> = (0..n)
        .map(|i| {
            let mut v = vec![0.0; 4];
            v[if i == 0 { query_like } else { i % 4 }] = 1.0;
            json!({"object":"embedding","index":i,"embedding":v})
        })
        .collect();
    json!({"object":"list","data":data,"model":"text-embedding-3-small"}).to_string()
}

#[test]
fn meaning_search_embeds_missing_chunks_once_and_reports_them() {
    let retrieve = RetrieveConfig {
        mode: RetrieveMode::Semantic,
        embed_provider: "openai".into(),
        embed_model: "text-embedding-3-small".into(),
        top_k: 1,
        ..RetrieveConfig::default()
    };
    let f = flow(retrieve, "demo");
    let mut engine = Engine::start(&f, RunScope::All, &RunCache::new(), config(Some(knowledge())), 0.0).unwrap();
    let commands = engine.poll(0.0);
    let embeds: Vec<_> = commands
        .iter()
        .filter_map(|c| match c {
            Command::Embed { request, provider, model, inputs } => {
                Some((*request, *provider, model.clone(), inputs.clone()))
            }
            _ => None,
        })
        .collect();
    assert_eq!(embeds.len(), 1);
    let (request, provider, model, inputs) = embeds[0].clone();
    assert_eq!((provider, model.as_str()), (ProviderKind::OpenAi, "text-embedding-3-small"));
    assert_eq!(inputs[0], "How long do refunds take?");
    assert_eq!(inputs.len(), 3);
    assert_eq!(engine.block(&id("find")).unwrap().status, BlockStatus::Running);
    // The query's vector matches the second chunk (shipping).
    engine.on_event(Event::ToolResponse { request, status: 200, body: openai_vectors(3, 2) }, 50.0);
    let find = engine.block(&id("find")).unwrap();
    assert_eq!(find.status, BlockStatus::Done);
    let passages = &find.retrieval.as_ref().unwrap().passages;
    assert_eq!(passages[0].source, "shipping.md");
    assert!((passages[0].similarity.unwrap() - 1.0).abs() < 1e-9);
    let fresh = engine.take_new_embeddings();
    let vectors = fresh.get("openai:text-embedding-3-small").unwrap();
    assert_eq!(vectors.len(), 2);
    // Stored in the knowledge base, the next run only embeds the query.
    let mut kb = knowledge();
    kb.add_embeddings("openai:text-embedding-3-small", vectors.clone());
    let mut again = Engine::start(&f, RunScope::All, &RunCache::new(), config(Some(kb)), 0.0).unwrap();
    let inputs: Vec<_> = again
        .poll(0.0)
        .into_iter()
        .filter_map(|c| match c {
            Command::Embed { inputs, .. } => Some(inputs),
            _ => None,
        })
        .collect();
    assert_eq!(inputs, [vec!["How long do refunds take?".to_string()]]);
}

#[test]
fn embedding_failures_and_stops_end_the_block_clearly() {
    let retrieve = RetrieveConfig {
        mode: RetrieveMode::Hybrid,
        embed_provider: "openai".into(),
        embed_model: "text-embedding-3-small".into(),
        ..RetrieveConfig::default()
    };
    let f = flow(retrieve, "demo");
    let request_of = |commands: Vec<Command>| {
        commands.into_iter().find_map(|c| match c {
            Command::Embed { request, .. } => Some(request),
            _ => None,
        })
    };
    // A bad key.
    let mut engine = Engine::start(&f, RunScope::All, &RunCache::new(), config(Some(knowledge())), 0.0).unwrap();
    let request = request_of(engine.poll(0.0)).unwrap();
    let body = json!({"error":{"message":"Incorrect API key provided","type":"invalid_request_error","code":"invalid_api_key"}});
    engine.on_event(Event::ToolResponse { request, status: 401, body: body.to_string() }, 10.0);
    let find = engine.block(&id("find")).unwrap();
    assert_eq!(find.status, BlockStatus::Error);
    let msg = find.error.as_deref().unwrap();
    assert!(msg.starts_with("Embedding with OpenAI failed:") && msg.contains("Search by keywords instead"), "{msg}");
    assert!(engine.is_finished());
    // A network failure.
    let mut engine = Engine::start(&f, RunScope::All, &RunCache::new(), config(Some(knowledge())), 0.0).unwrap();
    let request = request_of(engine.poll(0.0)).unwrap();
    engine.on_event(Event::ToolFailed { request, message: "Failed to fetch".into() }, 10.0);
    assert!(engine.block(&id("find")).unwrap().error.as_deref().unwrap().contains("Failed to fetch"));
    // Stopped while waiting: the request is cancelled.
    let mut engine = Engine::start(&f, RunScope::All, &RunCache::new(), config(Some(knowledge())), 0.0).unwrap();
    let request = request_of(engine.poll(0.0)).unwrap();
    let commands = engine.stop(5.0);
    assert!(commands.contains(&Command::Cancel { request }), "{commands:?}");
    assert_eq!(engine.block(&id("find")).unwrap().status, BlockStatus::Stopped);
    assert!(engine.is_finished());
    // No answer at all: the timeout ends it.
    let mut engine = Engine::start(&f, RunScope::All, &RunCache::new(), config(Some(knowledge())), 0.0).unwrap();
    request_of(engine.poll(0.0)).unwrap();
    engine.poll(200_000.0);
    assert!(engine.block(&id("find")).unwrap().error.as_deref().unwrap().contains("No response within"));
    assert!(engine.is_finished());
}

#[test]
fn demo_embeddings_work_offline() {
    let retrieve = RetrieveConfig {
        mode: RetrieveMode::Hybrid,
        embed_provider: "demo".into(),
        top_k: 1,
        ..RetrieveConfig::default()
    };
    let mut engine =
        Engine::start(&flow(retrieve, "demo"), RunScope::All, &RunCache::new(), config(Some(knowledge())), 0.0)
            .unwrap();
    let commands = engine.poll(0.0);
    assert!(commands.iter().all(|c| !matches!(c, Command::Embed { .. })));
    let find = engine.block(&id("find")).unwrap();
    assert_eq!(find.retrieval.as_ref().unwrap().passages[0].source, "refunds.md");
    assert!(engine.take_new_embeddings().is_empty(), "demo vectors are not stored");
}

#[test]
fn the_policy_template_answers_from_its_documents_on_demo() {
    use chainboard::domain::templates::{with_provider, TEMPLATES};
    let t = TEMPLATES.iter().find(|t| t.id == "policy-answers").expect("template");
    let flow = with_provider((t.build)(0), "demo", "");
    let kb = KnowledgeBase::from_portable((t.documents.expect("documents"))());
    let mut engine = Engine::start(&flow, RunScope::All, &RunCache::new(), config(Some(kb)), 0.0).unwrap();
    engine.poll(0.0);
    assert!(engine.is_finished());
    let find = engine.block(&id("retrieve-1")).unwrap();
    let passages = &find.retrieval.as_ref().unwrap().passages;
    assert_eq!(passages[0].source, "returns-policy.md", "{passages:?}");
    assert!(passages.iter().any(|p| p.heading.as_deref() == Some("Refunds")));
    assert_eq!(engine.block(&id("output-1")).unwrap().status, BlockStatus::Done);
}
