//! The Retrieve block in the inspector: its settings, what the last run retrieved and why
//! (scores, matched words), and a side-by-side comparison of two settings on one query.

use std::sync::Arc;

use crate::domain::blocks::retrieve::{EMBEDDING_PROVIDERS, MAX_TOP_K};
use crate::domain::blocks::{BlockConfig, RetrieveConfig};
use crate::domain::change::FlowChange;
use crate::domain::engine::{Fetch, FetchEnd, ProviderCall};
use crate::domain::flow::{Block, BlockId};
use crate::domain::providers::ProviderKind;
use crate::domain::providers::{build_embeddings_request, parse_embeddings};
use crate::domain::retrieval::knowledge::KnowledgeBase;
use crate::domain::retrieval::search::{demo_embedding, fill_demo_embeddings, search, Passage, RetrieveMode};
use crate::ui::knowledge::knowledge::Knowledge;
use crate::ui::knowledge::knowledge_dialog::KnowledgeOpen;
use crate::ui::knowledge::passage_list::PassageList;
use crate::ui::run::run::Runner;
use crate::ui::run::transport::{self, Driver};
use crate::ui::state::editor::Editor;
use crate::ui::state::settings::Settings;
use leptos::prelude::*;

fn retrieve_of(b: &Block) -> RetrieveConfig {
    match &b.config {
        BlockConfig::Retrieve(r) => r.clone(),
        _ => RetrieveConfig::default(),
    }
}

fn provider_label(id: &str) -> String {
    ProviderKind::from_id(id).map_or_else(|| id.to_string(), |k| k.label().to_string())
}

#[component]
pub fn RetrieveSettings(cell: RwSignal<Block>) -> impl IntoView {
    let editor = expect_context::<Editor>();
    let knowledge = expect_context::<Knowledge>();
    let open_kb = expect_context::<KnowledgeOpen>();
    let get = move || cell.with(retrieve_of);
    let set = move |key: &str, f: Box<dyn FnOnce(&mut RetrieveConfig)>| {
        let Some((id, mut config)) = cell.try_with_untracked(|b| (b.id.clone(), b.config.clone())) else { return };
        if let BlockConfig::Retrieve(r) = &mut config {
            f(r);
        }
        let _ = editor.apply_merging(FlowChange::SetConfig { id: id.clone(), config }, &format!("{key}:{id}"));
    };
    let end = move || editor.end_merge();
    let kb_line = move || {
        knowledge.kb.with(|kb| {
            if kb.is_empty() {
                "The knowledge base is empty.".to_string()
            } else {
                format!(
                    "{} document{} \u{b7} {} passages to search",
                    kb.documents.len(),
                    if kb.documents.len() == 1 { "" } else { "s" },
                    kb.chunks.len()
                )
            }
        })
    };
    let needs_embeddings = move || get().mode.needs_embeddings();
    view! {
        <div class="kb-line">
            <span>{kb_line}</span>
            <button class="button button-quiet" on:click=move |_| open_kb.0.set(true)>"Open Knowledge"</button>
        </div>
        <label class="field">
            <span class="field-label">"Search for"</span>
            <textarea rows="2" spellcheck="false" placeholder="{{question}}"
                prop:value=move || get().query
                on:input=move |ev| { let v = event_target_value(&ev); set("retrieve-query", Box::new(move |c| c.query = v)); }
                on:blur=move |_| end()></textarea>
            <span class="field-help">"Use {{names}} for text from connected blocks. The passages go out on \u{201c}context\u{201d}, numbered so a Prompt can cite [1], [2]."</span>
        </label>
        <div class="field-row">
            <label class="field">
                <span class="field-label">"Match by"</span>
                <select on:change=move |ev| {
                    let mode = RetrieveMode::from_id(&event_target_value(&ev)).unwrap_or_default();
                    set("retrieve-mode", Box::new(move |c| {
                        c.mode = mode;
                        if mode.needs_embeddings() && c.embed_provider.is_empty() {
                            c.embed_provider = "demo".into();
                        }
                    }));
                    end();
                }>
                    {RetrieveMode::ALL.into_iter().map(|m| view! {
                        <option value=m.id() selected=move || get().mode == m>{m.label()}</option>
                    }).collect_view()}
                </select>
            </label>
            <label class="field field-narrow">
                <span class="field-label">"Passages"</span>
                <input type="number" min="1" max=MAX_TOP_K.to_string() step="1"
                    prop:value=move || get().top_k.to_string()
                    on:change=move |ev| {
                        let v = event_target_value(&ev).trim().parse::<u32>().unwrap_or(4);
                        set("retrieve-k", Box::new(move |c| c.top_k = v));
                        end();
                    } />
            </label>
            <label class="field field-narrow">
                <span class="field-label">"Min. score"</span>
                <input type="number" min="0" step="0.05"
                    prop:value=move || get().min_score.to_string()
                    on:change=move |ev| {
                        let v = event_target_value(&ev).trim().parse::<f64>().unwrap_or(0.0);
                        set("retrieve-min", Box::new(move |c| c.min_score = v));
                        end();
                    } />
            </label>
        </div>
        <Show when=needs_embeddings>
            <div class="field-row">
                <label class="field">
                    <span class="field-label">"Embeddings by"</span>
                    <select on:change=move |ev| {
                        let id = event_target_value(&ev);
                        let model = EMBEDDING_PROVIDERS.iter().find(|(p, _)| *p == id).map(|(_, m)| m.to_string()).unwrap_or_default();
                        set("retrieve-embed", Box::new(move |c| { c.embed_provider = id; c.embed_model = model; }));
                        end();
                    }>
                        {EMBEDDING_PROVIDERS.iter().map(|(id, _)| {
                            let id = id.to_string();
                            let label = if id == "demo" { "Word matching (no key)".to_string() } else { provider_label(&id) };
                            let id2 = id.clone();
                            view! { <option value=id selected=move || get().embed_provider == id2>{label}</option> }
                        }).collect_view()}
                    </select>
                </label>
                <Show when=move || get().embed_provider != "demo">
                    <label class="field">
                        <span class="field-label">"Embeddings model"</span>
                        <input type="text" spellcheck="false" prop:value=move || get().embed_model
                            on:input=move |ev| { let v = event_target_value(&ev); set("retrieve-model", Box::new(move |c| c.embed_model = v)); }
                            on:blur=move |_| end() />
                    </label>
                </Show>
            </div>
            <p class="field-help">"Passages are embedded once per model and kept with the documents; later runs only embed the question."</p>
        </Show>
    }
}

/// What the last run retrieved, and the comparison tool.
#[component]
pub fn RetrievalPanel(id: BlockId, cell: RwSignal<Block>) -> impl IntoView {
    let runner = expect_context::<Runner>();
    let run = runner.run_of(&id);
    let retrieval = move || run.with(|r| r.as_ref().and_then(|r| r.retrieval.clone()));
    let error = move || run.with(|r| r.as_ref().and_then(|r| r.error.clone()));
    view! {
        <section class="result" aria-label="Retrieval">
            <div class="result-head"><span class="field-label">"Retrieved"</span></div>
            {move || match (retrieval(), error()) {
                (_, Some(e)) => view! { <p class="block-error" role="alert">{e}</p> }.into_any(),
                (Some(r), None) if !r.passages.is_empty() || run.with(|x| x.as_ref().is_some_and(|x| x.status.is_terminal())) => view! {
                    <p class="field-help">{format!("For \u{201c}{}\u{201d} ({})", r.query, r.mode.label())}</p>
                    <PassageList passages=r.passages />
                }.into_any(),
                (Some(_), None) => view! { <p class="field-help">"Searching\u{2026}"</p> }.into_any(),
                (None, None) => view! { <p class="field-help">"Not run yet. Press Run; the passages found show here with their scores."</p> }.into_any(),
            }}
            <Compare cell last_query=Signal::derive(move || retrieval().map(|r| r.query).unwrap_or_default()) />
        </section>
    }
}

/// One side of a comparison.
#[derive(Clone, Copy)]
struct Side {
    mode: RwSignal<RetrieveMode>,
    top_k: RwSignal<usize>,
    chunk: RwSignal<usize>,
    stemming: RwSignal<bool>,
}

impl Side {
    fn new(mode: RetrieveMode, top_k: usize, chunk: usize, stemming: bool) -> Side {
        Side {
            mode: RwSignal::new(mode),
            top_k: RwSignal::new(top_k),
            chunk: RwSignal::new(chunk),
            stemming: RwSignal::new(stemming),
        }
    }
}

/// The knowledge base as `side` would index it (rebuilt only when its options differ).
fn knowledge_for(kb: &Arc<KnowledgeBase>, side: Side) -> Arc<KnowledgeBase> {
    let mut options = kb.options;
    options.chunk.target_chars = side.chunk.get_untracked().max(50);
    options.tokenizer.stemming = side.stemming.get_untracked();
    if options == kb.options {
        return kb.clone();
    }
    let mut copy = (**kb).clone();
    copy.set_options(options);
    Arc::new(copy)
}

#[component]
fn Compare(cell: RwSignal<Block>, last_query: Signal<String>) -> impl IntoView {
    let knowledge = expect_context::<Knowledge>();
    let settings = expect_context::<Settings>();
    let query = RwSignal::new(String::new());
    let cfg = cell.with_untracked(retrieve_of);
    let opts = knowledge.kb.with_untracked(|kb| kb.options);
    let k = cfg.top_k as usize;
    let a = Side::new(cfg.mode, k, opts.chunk.target_chars, opts.tokenizer.stemming);
    let b = Side::new(
        if cfg.mode == RetrieveMode::Keyword { RetrieveMode::Hybrid } else { RetrieveMode::Keyword },
        k,
        opts.chunk.target_chars,
        opts.tokenizer.stemming,
    );
    let results = RwSignal::new(None::<[Result<Vec<Passage>, String>; 2]>);
    let busy = RwSignal::new(false);
    // The query's embedding is a provider call: one at a time (the button waits).
    let calls = Driver::<Fetch>::new();
    let run_side = move |side: Side, q: String, cfg: RetrieveConfig| async move {
        let kb = knowledge_for(&knowledge.kb.get_untracked(), side);
        if kb.is_empty() {
            return Err("The knowledge base is empty.".to_string());
        }
        let mode = side.mode.get_untracked();
        let search_settings = crate::domain::retrieval::search::SearchSettings {
            mode,
            top_k: side.top_k.get_untracked(),
            min_score: 0.0,
        };
        if !mode.needs_embeddings() {
            return Ok(search(&kb, &q, search_settings, "", None));
        }
        let provider = if cfg.embed_provider.is_empty() { "demo".to_string() } else { cfg.embed_provider.clone() };
        let key = format!("{provider}:{}", cfg.embed_model.trim());
        if provider == "demo" {
            let mut kb = (*kb).clone();
            fill_demo_embeddings(&mut kb, &key);
            return Ok(search(&kb, &q, search_settings, &key, Some(&demo_embedding(&q))));
        }
        if !kb.missing_embeddings(&key).is_empty() {
            return Err(format!(
                "Meaning search with {} needs the passages embedded first: run the flow once with this chunking.",
                provider_label(&provider)
            ));
        }
        let kind = ProviderKind::from_id(&provider).ok_or_else(|| format!("Unknown provider {provider}."))?;
        // Settings that cannot make the request are said at once; the call itself goes
        // through the run loop (retries, timeout, budget, trace).
        build_embeddings_request(kind, &settings.provider_settings(kind), &cfg.embed_model, std::slice::from_ref(&q))
            .map_err(|e| e.to_string())?;
        let call = ProviderCall::Embed { model: cfg.embed_model.clone(), inputs: vec![q.clone()] };
        let fetch = transport::call(calls, settings, kind, call, &transport::limits_config(settings), 0.0).await;
        // A failure after retries says so: it was not one bad moment.
        let failed = |why: String| Err(fetch.with_retry_note(why));
        let body = match fetch.end() {
            Some(FetchEnd::Ok(body)) => body.clone(),
            Some(FetchEnd::Http { status, body, retry_after }) => {
                return failed(
                    crate::domain::providers::classify_http_error(kind, *status, body, retry_after.as_deref())
                        .to_string(),
                )
            }
            Some(FetchEnd::Network(message)) => return failed(message.clone()),
            Some(FetchEnd::TimedOut { secs }) => return failed(format!("No answer after {secs} s.")),
            Some(FetchEnd::OverBudget(why)) => return failed(why.clone()),
            Some(FetchEnd::Stopped) | None => return failed("Stopped.".into()),
        };
        let vector = parse_embeddings(kind, &body).map_err(|e| e.to_string())?.into_iter().next().unwrap_or_default();
        Ok(search(&kb, &q, search_settings, &key, Some(&vector)))
    };
    let compare = move |_| {
        let q =
            if query.get_untracked().trim().is_empty() { last_query.get_untracked() } else { query.get_untracked() };
        if q.trim().is_empty() {
            results.set(Some([Err("Type a question to compare.".into()), Err(String::new())]));
            return;
        }
        let cfg = cell.with_untracked(retrieve_of);
        busy.set(true);
        leptos::task::spawn_local(async move {
            let left = run_side(a, q.clone(), cfg.clone()).await;
            let right = run_side(b, q, cfg).await;
            results.set(Some([left, right]));
            busy.set(false);
        });
    };
    let side_form = move |side: Side, name: &'static str| {
        view! {
            <fieldset class="compare-side" aria-label=name>
                <legend>{name}</legend>
                <label class="field">
                    <span class="field-label">"Match by"</span>
                    <select on:change=move |ev| side.mode.set(RetrieveMode::from_id(&event_target_value(&ev)).unwrap_or_default())>
                        {RetrieveMode::ALL.into_iter().map(|m| view! { <option value=m.id() selected=move || side.mode.get() == m>{m.label()}</option> }).collect_view()}
                    </select>
                </label>
                <div class="field-row">
                    <label class="field field-narrow">
                        <span class="field-label">"Passages"</span>
                        <input type="number" min="1" max="50" prop:value=move || side.top_k.get().to_string()
                            on:change=move |ev| side.top_k.set(event_target_value(&ev).parse().unwrap_or(4).clamp(1, 50)) />
                    </label>
                    <label class="field field-narrow">
                        <span class="field-label">"Chunk size"</span>
                        <input type="number" min="100" max="4000" step="100" prop:value=move || side.chunk.get().to_string()
                            on:change=move |ev| side.chunk.set(event_target_value(&ev).parse().unwrap_or(800).clamp(100, 4000)) />
                    </label>
                </div>
                <label class="check">
                    <input type="checkbox" prop:checked=move || side.stemming.get() on:change=move |ev| side.stemming.set(event_target_checked(&ev)) />
                    " Match word forms (refund = refunds)"
                </label>
            </fieldset>
        }
    };
    view! {
        <details class="compare">
            <summary>"Compare two settings"</summary>
            <label class="field">
                <span class="field-label">"Question"</span>
                <input type="text" placeholder=move || { let q = last_query.get(); if q.is_empty() { "Type a question".to_string() } else { q } }
                    prop:value=move || query.get() on:input=move |ev| query.set(event_target_value(&ev)) />
            </label>
            <div class="compare-grid">
                {side_form(a, "Setting A")}
                {side_form(b, "Setting B")}
            </div>
            <button class="button" disabled=move || busy.get() on:click=compare>"Compare"</button>
            {move || results.get().map(|[left, right]| {
                let col = |r: Result<Vec<Passage>, String>, label: &'static str| match r {
                    Ok(p) => view! { <div class="compare-col"><PassageList passages=p label /></div> }.into_any(),
                    Err(e) if e.is_empty() => view! { <div class="compare-col"></div> }.into_any(),
                    Err(e) => view! { <div class="compare-col"><p class="block-error" role="alert">{e}</p></div> }.into_any(),
                };
                view! { <div class="compare-grid">{col(left, "Passages with setting A")}{col(right, "Passages with setting B")}</div> }
            })}
        </details>
    }
}
