//! Sending an eval as an OpenAI Batch job, and loading its results when the flow's
//! Evaluate opens again (no tab has to stay open while OpenAI works on it).

use super::eval_dialog::EvalState;
use super::eval_driver::EvalDriver;
use crate::domain::engine::{
    preflight, BatchCall, Blocker, EngineConfig, Fetch, FetchEnd, PreflightView, ProviderCall, RunScope,
};
use crate::domain::evals::batch::{batch_plan, parse_id, parse_output, parse_status, PendingBatch};
use crate::domain::evals::run::EvalSpec;
use crate::domain::flow::BlockId;
use crate::domain::flow_file;
use crate::domain::providers::ProviderKind;
use crate::ui::platform::platform;
use crate::ui::run::transport::{self, Driver};
use crate::ui::state::persist::Session;
use crate::ui::state::settings::Settings;
use leptos::prelude::*;

use crate::ui::platform::storage_keys::eval_batch as key;

/// The batch job sent for the flow and not loaded yet (none, or unreadable: then it is kept
/// aside and the person is told).
fn load(flow_id: &str) -> Option<PendingBatch> {
    crate::ui::state::unreadable::load(&key(flow_id), "Send the batch again to get results.")
}

/// Makes one batch request through the run loop (retries with backoff, timeout, the budget,
/// a trace) and returns the body of a 2xx reply, or a sentence about what went wrong.
async fn call(calls: Driver<Fetch>, settings: Settings, kind: ProviderKind, req: BatchCall) -> Result<String, String> {
    let config = transport::limits_config(settings);
    let fetch = transport::call(calls, settings, kind, ProviderCall::Batch(req), &config, 0.0).await;
    let outcome = match fetch.end() {
        Some(FetchEnd::Ok(body)) => Ok(body.clone()),
        Some(FetchEnd::Http { status, body, retry_after }) => {
            Err(crate::domain::providers::classify_http_error(kind, *status, body, retry_after.as_deref()).to_string())
        }
        Some(FetchEnd::Network(e)) => Err(format!("{} could not be reached ({e}).", kind.label())),
        Some(FetchEnd::TimedOut { secs }) => Err(format!("{} did not answer within {secs} s.", kind.label())),
        Some(FetchEnd::OverBudget(why)) => Err(why.clone()),
        Some(FetchEnd::Stopped) | None => Err("It was stopped.".into()),
    };
    // A failure after retries says so ("Tried 4 times, a 429 rate limit each time."): it was not one bad moment.
    outcome.map_err(|e| fetch.with_retry_note(e))
}

#[component]
pub fn BatchControls<F>(spec: F) -> impl IntoView
where
    F: Fn() -> Result<(EvalSpec, EngineConfig), String> + Copy + Send + Sync + 'static,
{
    let state = expect_context::<EvalState>();
    let runner = expect_context::<crate::ui::run::run::Runner>();
    let session = expect_context::<Session>();
    let settings = expect_context::<Settings>();
    let driver = expect_context::<EvalDriver>();
    let pending = RwSignal::new(load(&session.current.get_untracked()));
    let busy = RwSignal::new(false);
    let status = RwSignal::new(None::<String>);
    // Sending and checking are provider calls: one at a time (the buttons wait while busy).
    let calls = Driver::<Fetch>::new();
    let flow_id = move || session.current.get_untracked();

    let send = move |_| {
        let (spec, _) = match spec() {
            Ok(s) => s,
            Err(e) => return status.set(Some(e)),
        };
        let plan = match batch_plan(&spec) {
            Ok(p) => p,
            Err(e) => return status.set(Some(e)),
        };
        let kind = plan.provider;
        // The pre-run check of a run of the flow, plus the batch provider's own key.
        let has_key = |k: ProviderKind| settings.has_key(k);
        let view = PreflightView::keys_only(&has_key);
        let mut missing = match preflight(&spec.flow, &RunScope::All, &view).into_iter().next() {
            Some(Blocker::MissingKeys(k)) => k,
            _ => Vec::new(),
        };
        if !settings.has_key(kind) && !missing.contains(&kind) {
            missing.insert(0, kind);
        }
        if !missing.is_empty() {
            let names = missing.iter().map(|k| k.label()).collect::<Vec<_>>().join(" and ");
            return status.set(Some(format!("Add your {names} key in Settings to send a batch job.")));
        }
        let suite = state.suite.get_untracked();
        let id = flow_id();
        busy.set(true);
        status.set(Some(format!("Uploading {} requests\u{2026}", plan.ids.len())));
        leptos::task::spawn_local(async move {
            let result = async {
                match kind {
                    ProviderKind::Anthropic => {
                        let payload = plan.payload.clone();
                        parse_id(&call(calls, settings, kind, BatchCall::AnthropicCreate { payload }).await?)
                    }
                    _ => {
                        let jsonl = plan.payload.clone();
                        let file_id = parse_id(&call(calls, settings, kind, BatchCall::Upload { jsonl }).await?)?;
                        parse_id(&call(calls, settings, kind, BatchCall::Create { file_id }).await?)
                    }
                }
            }
            .await;
            busy.set(false);
            match result {
                Ok(batch_id) => {
                    let p = PendingBatch {
                        provider: Some(kind),
                        batch_id: batch_id.clone(),
                        sent_ms: platform::now_ms(),
                        ids: plan.ids,
                        flow: flow_file::to_json(&spec.flow),
                        suite,
                        target: spec.target.0.clone(),
                        last_status: Some("validating".into()),
                    };
                    match platform::storage_set(&key(&id), &crate::domain::stored::to_stored(&p)) {
                        Ok(()) => status.set(Some(format!(
                            "Sent as batch {batch_id}. {} runs it within 24 hours; open Evaluate on this flow again to load the results.",
                            kind.label()
                        ))),
                        Err(e) => status.set(Some(format!("Sent as batch {batch_id}, but it could not be remembered ({e}): note the id."))),
                    }
                    pending.set(Some(p));
                }
                Err(e) => status.set(Some(format!("The batch job was not sent: {e}"))),
            }
        });
    };

    let check = move || {
        let Some(p) = pending.get_untracked() else { return };
        if busy.get_untracked() || driver.running.get_untracked() {
            return;
        }
        let kind = p.provider.unwrap_or(ProviderKind::OpenAi);
        let id = flow_id();
        busy.set(true);
        status.set(Some(format!("Asking {} about batch {}\u{2026}", kind.label(), p.batch_id)));
        leptos::task::spawn_local(async move {
            let outcome = async {
                let batch_id = p.batch_id.clone();
                let st = parse_status(&call(calls, settings, kind, BatchCall::Status { batch_id }).await?)?;
                if !st.is_done() {
                    return Ok::<_, String>((st, None));
                }
                let file = st.output_file_id.clone().ok_or("The batch has no results yet.")?;
                let jsonl = call(calls, settings, kind, BatchCall::Results { file }).await?;
                Ok((st, Some(jsonl)))
            }
            .await;
            busy.set(false);
            match outcome {
                Err(e) => status.set(Some(format!("Could not check batch {}: {e}", p.batch_id))),
                Ok((st, None)) if st.is_dead() => {
                    platform::storage_remove(&key(&id));
                    pending.set(None);
                    status.set(Some(format!("Batch {} ended without results: {}.", p.batch_id, st.describe())));
                }
                Ok((st, None)) => {
                    status.set(Some(format!("Batch {}: {}. Check again later.", p.batch_id, st.describe())))
                }
                Ok((_, Some(jsonl))) => {
                    let Ok(flow) = flow_file::from_json(&p.flow) else {
                        return status.set(Some("The batch's flow could not be read back.".into()));
                    };
                    let answers = parse_output(&jsonl, &p.ids);
                    let spec = EvalSpec {
                        flow,
                        target: BlockId::new(p.target.clone()),
                        cases: p.suite.cases.clone(),
                        checks: p.suite.checks.clone(),
                        variants: p.suite.all_variants(),
                        repetitions: p.suite.repetitions.max(1),
                        concurrency: p.suite.concurrency.max(1),
                        budget_usd: None,
                    };
                    let n = answers.len();
                    driver.start_from_answers(settings, spec, runner.config(settings), answers);
                    platform::storage_remove(&key(&id));
                    pending.set(None);
                    status.set(Some(format!("Loaded {n} answers from batch {}.", p.batch_id)));
                }
            }
        });
    };
    // A batch waiting for this flow is checked when Evaluate opens.
    Effect::new(move |_| {
        if pending.with_untracked(Option::is_some) {
            check();
        }
    });
    view! {
        <div class="eval-batch" role="group" aria-label="Batch job">
            <Show when=move || pending.with(Option::is_none)
                fallback=move || view! {
                    <button class="button button-quiet" disabled=move || busy.get() on:click=move |_| check()>"Check the batch now"</button>
                }>
                <button class="button button-quiet" disabled=move || busy.get() || driver.running.get()
                    title="OpenAI or Anthropic runs it within 24 hours at half price; no tab needs to stay open"
                    on:click=send>"Send as a batch job"</button>
            </Show>
            {move || status.get().map(|s| view! { <span class="field-help" role="status" aria-label="Batch status">{s}</span> })}
        </div>
    }
}
