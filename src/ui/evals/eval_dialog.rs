//! The Evaluate dialog: test cases, checks, variants and settings for the open flow, the
//! run with its progress, and the results a PM reads (pass rates with intervals, consistency
//! of cases, the comparison of variants, every output side by side). Suites and finished runs
//! are kept per flow in local storage.

use super::eval_driver::EvalDriver;
use super::eval_results::Results;
use super::suite_store::{input_names, load_records, load_suite, store_records, store_suite};
use crate::domain::evals::suite::{EvalRecord, EvalRecords, EvalSuite};
use crate::domain::versions::describe_version;
use crate::ui::platform::platform;
use crate::ui::platform::storage_keys;
use crate::ui::state::editor::Editor;
use crate::ui::state::persist::Session;
use crate::ui::state::{unreadable, versions_store};
use crate::ui::widgets::modal::Modal;
use leptos::prelude::*;

#[derive(Clone, Copy)]
pub struct EvalOpen(pub RwSignal<bool>);

crate::ui::widgets::lazy::load_on_first_open!(
    evals,
    LazyEvalDialog,
    build_eval_dialog,
    EvalDialog,
    "Evaluate",
    expect_context::<EvalOpen>().0
);

/// Shared state of the dialog's sections.
#[derive(Clone, Copy)]
pub struct EvalState {
    pub suite: RwSignal<EvalSuite>,
    pub records: RwSignal<EvalRecords>,
    /// Which saved run the results show (`None`: the live or latest one).
    pub shown: RwSignal<Option<usize>>,
    pub message: RwSignal<Option<String>>,
    flow_id: StoredValue<String>,
    /// A shared link is being viewed: its suite is shown, nothing is saved.
    read_only: StoredValue<bool>,
}

impl EvalState {
    fn save_suite(&self) {
        if self.read_only.get_value() {
            return;
        }
        if let Err(e) = self.suite.with_untracked(|s| store_suite(&self.flow_id.get_value(), s)) {
            self.message
                .set(Some(format!("The test cases could not be saved in this browser ({e}). Export them as CSV.")));
        }
    }

    pub fn edit(&self, f: impl FnOnce(&mut EvalSuite)) {
        self.suite.update(f);
        self.save_suite();
    }

    fn save_records(&self) {
        if self.read_only.get_value() {
            return;
        }
        let saved = self.records.with_untracked(|r| store_records(&self.flow_id.get_value(), r));
        if let Err(e) = saved {
            self.message.set(Some(format!(
                "This eval run could not be saved in this browser ({e}); its results stay on screen. Export them."
            )));
        }
    }
}

#[component]
fn EvalDialog() -> impl IntoView {
    let open = expect_context::<EvalOpen>().0;
    let session = expect_context::<Session>();
    let editor = expect_context::<Editor>();
    let driver = expect_context::<EvalDriver>();
    let state = EvalState {
        suite: RwSignal::new(EvalSuite::default()),
        records: RwSignal::new(EvalRecords::default()),
        shown: RwSignal::new(None),
        message: RwSignal::new(None),
        flow_id: StoredValue::new(String::new()),
        read_only: StoredValue::new(false),
    };
    let shared = expect_context::<crate::ui::state::shared::Shared>();
    // Load the open flow's suite and runs each time the dialog opens.
    Effect::new(move |_| {
        if !open.get() {
            return;
        }
        let id = session.current.get_untracked();
        state.flow_id.set_value(id.clone());
        let viewing = editor.read_only.get_untracked();
        state.read_only.set_value(viewing);
        if viewing {
            // A shared link: its own tests (if it brought any), and nothing of the viewer's.
            state.suite.set(shared.suite.get_untracked().unwrap_or_default());
            state.records.set(EvalRecords::default());
        } else {
            state.suite.set(load_suite(&id));
            state.records.set(load_records(&id));
        }
        state.shown.set(None);
        // A suite or runs that could not be loaded are named here too (the banner is behind
        // the dialog).
        let unreadable = [storage_keys::eval_suite(&id), storage_keys::eval_runs(&id)]
            .iter()
            .filter(|_| !viewing)
            .filter_map(|k| unreadable::problem_of(k))
            .collect::<Vec<_>>();
        state.message.set((!unreadable.is_empty()).then(|| unreadable.join(" ")));
    });
    // When an eval ends, keep it with the flow version it ran on.
    Effect::new(move |prev: Option<u64>| {
        let n = driver.ended.get();
        if prev.is_some_and(|p| p != n) {
            if let Some(spec) = driver.spec() {
                let versions = versions_store::load(&state.flow_id.get_value());
                let record = EvalRecord {
                    ran_ms: platform::now_ms(),
                    version: describe_version(&versions, &spec.flow),
                    variants: spec.variants.iter().map(|v| v.name.clone()).collect(),
                    checks: spec.checks.iter().map(|c| c.name.clone()).collect(),
                    inputs: input_names(&spec.flow),
                    cases: spec.cases.clone(),
                    repetitions: spec.repetitions,
                    results: driver.results.get_untracked(),
                    stopped: driver.stopped.get_untracked(),
                };
                state.records.update(|r| r.add(record));
                state.save_records();
                state.shown.set(Some(0));
            }
        }
        n
    });
    provide_context(state);
    let title = move || editor.meta.with(|m| m.title.clone());
    view! {
        <Modal open label="Evaluate" title="Evaluate this flow" close_label="Close evaluate" wide=true extra_class="dialog-eval">
            <p class="field-help eval-intro">{move || format!(
                "Run \u{201c}{}\u{201d} over your test cases several times, check every answer, and see how often it is right.",
                title()
            )}</p>
            {move || state.message.get().map(|m| view! { <p class="result-error" role="alert">{m}</p> })}
            <super::cases::CasesSection />
            <super::checks::ChecksSection />
            <super::run_section::RunSection />
            <Results />
        </Modal>
    }
}
