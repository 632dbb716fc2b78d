//! The Evaluate dialog: test cases, checks, variants and settings for the open flow, the
//! run with its progress, and the results a PM reads (pass rates with intervals, consistency
//! of cases, the comparison of variants, every output side by side). Suites and finished runs
//! are kept per flow in local storage.

use super::editor::Editor;
use super::eval_driver::EvalDriver;
use super::eval_results::Results;
use super::modal::Modal;
use super::persist::Session;
use super::platform;
use super::run::Runner;
use super::settings::Settings;
use crate::domain::blocks::BlockConfig;
use crate::domain::engine::{EngineConfig, RunScope};
use crate::domain::evals::cases::{cases_to_csv, parse_table, TestCase};
use crate::domain::evals::checks::{check_problems, Check, CheckKind, DEFAULT_PASS_SCORE};
use crate::domain::evals::run::{estimate_eval, unknown_columns, EvalSpec, Variant};
use crate::domain::evals::suite::{EvalRecord, EvalRecords, EvalSuite};
use crate::domain::flow::{BlockId, Flow};
use crate::domain::providers::ProviderKind;
use crate::domain::versions::describe_version;
use crate::domain::versions::Versions;
use leptos::prelude::*;

#[derive(Clone, Copy)]
pub struct EvalOpen(pub RwSignal<bool>);

super::lazy::load_on_first_open!(
    evals,
    LazyEvalDialog,
    build_eval_dialog,
    EvalDialog,
    "Evaluate",
    expect_context::<EvalOpen>().0
);

/// Cases listed for editing before "Show all": a thousand text areas make every update slow.
const CASE_ROWS: usize = 100;

/// Where a flow's eval suite is kept in local storage.
pub fn suite_key(flow_id: &str) -> String {
    format!("chainboard.evalsuite.{flow_id}")
}

/// The open flow's saved suite (empty when it has none).
pub fn load_suite(flow_id: &str) -> EvalSuite {
    platform::storage_get(&suite_key(flow_id)).map(|t| EvalSuite::parse(&t)).unwrap_or_default()
}

/// Keeps `suite` as the suite of flow `flow_id`.
pub fn store_suite(flow_id: &str, suite: &EvalSuite) -> Result<(), String> {
    platform::storage_set(&suite_key(flow_id), &serde_json::to_string(suite).unwrap_or_default())
}

fn runs_key(flow_id: &str) -> String {
    format!("chainboard.evalruns.{flow_id}")
}

/// The flow's Input value names: the columns a case fills.
pub fn input_names(flow: &Flow) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for b in &flow.blocks {
        if let BlockConfig::Input(i) = &b.config {
            for v in &i.values {
                if !out.contains(&v.name) {
                    out.push(v.name.clone());
                }
            }
        }
    }
    out
}

/// Blocks whose output can be checked: Output blocks first, then Prompts.
pub(super) fn targets(flow: &Flow) -> Vec<(String, String)> {
    let outputs = flow.blocks.iter().filter(|b| matches!(b.config, BlockConfig::Output(_)));
    let prompts = flow.blocks.iter().filter(|b| matches!(b.config, BlockConfig::Prompt(_)));
    outputs
        .chain(prompts)
        .map(|b| (b.id.0.clone(), format!("{} ({})", b.display_name(), b.config.kind_label())))
        .collect()
}

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
        let text = self.records.with_untracked(|r| serde_json::to_string(r).unwrap_or_default());
        if let Err(e) = platform::storage_set(&runs_key(&self.flow_id.get_value()), &text) {
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
    let shared = expect_context::<super::share_ui::Shared>();
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
            state
                .records
                .set(platform::storage_get(&runs_key(&id)).map(|t| EvalRecords::parse(&t)).unwrap_or_default());
        }
        state.shown.set(None);
        state.message.set(None);
    });
    // When an eval ends, keep it with the flow version it ran on.
    Effect::new(move |prev: Option<u64>| {
        let n = driver.ended.get();
        if prev.is_some_and(|p| p != n) {
            if let Some(spec) = driver.spec() {
                let versions = platform::storage_get(&format!("chainboard.versions.{}", state.flow_id.get_value()))
                    .map(|t| Versions::parse(&t))
                    .unwrap_or_default();
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
            <CasesSection />
            <ChecksSection />
            <RunSection />
            <Results />
        </Modal>
    }
}

#[component]
fn CasesSection() -> impl IntoView {
    let state = expect_context::<EvalState>();
    let editor = expect_context::<Editor>();
    let inputs = Memo::new(move |_| {
        editor.any_rev.track();
        editor.with_flow(input_names)
    });
    let count = Memo::new(move |_| state.suite.with(|s| s.cases.len()));
    let paste = RwSignal::new(String::new());
    let paste_open = RwSignal::new(false);
    let show_all = RwSignal::new(false);
    let generate_open = RwSignal::new(false);
    let fairness_open = RwSignal::new(false);

    let notice = RwSignal::new(None::<String>);
    let add_generated = move |cases: Vec<TestCase>| {
        let n = cases.len();
        state.edit(|s| s.cases.extend(cases));
        notice.set(Some(format!("Added {n} generated case{}.", if n == 1 { "" } else { "s" })));
        generate_open.set(false);
    };
    let add_rows = move |text: String| match parse_table(&text) {
        Ok((columns, cases)) => {
            let unknown = editor.with_flow(|f| unknown_columns(f, &columns));
            let n = cases.len();
            state.edit(|s| s.cases.extend(cases));
            notice.set(Some(if unknown.is_empty() {
                format!("Added {n} case{}.", if n == 1 { "" } else { "s" })
            } else {
                format!("Added {n} cases. These columns match no Input value and are ignored: {}.", unknown.join(", "))
            }));
            paste.set(String::new());
            paste_open.set(false);
        }
        Err(e) => notice.set(Some(e.to_string())),
    };
    let import = move |ev: leptos::ev::Event| {
        let input: web_sys::HtmlInputElement = event_target(&ev);
        let Some(file) = input.files().and_then(|f| f.get(0)) else { return };
        input.set_value("");
        leptos::task::spawn_local(async move {
            match platform::read_file_text(file).await {
                Ok(text) => add_rows(text),
                Err(e) => notice.set(Some(format!("The file could not be read: {e}"))),
            }
        });
    };
    // Images and audio dropped (or picked) become one case each, as the value of the first
    // Input value that holds media.
    let media = expect_context::<super::media::MediaStore>();
    Effect::new(move |_| media.ensure(state.suite.with(|s| crate::domain::evals::cases::media_ids(&s.cases))));
    let add_media_files = move |files: Vec<web_sys::File>| {
        let column = editor.with_flow(|f| {
            f.blocks.iter().find_map(|b| match &b.config {
                crate::domain::blocks::BlockConfig::Input(i) => {
                    i.values.iter().find(|v| v.media.is_some()).map(|v| v.name.clone())
                }
                _ => None,
            })
        });
        let Some(column) = column else {
            notice.set(Some(
                "Add an image or audio file to an Input value first: each dropped file then becomes that value in its own case."
                    .to_string(),
            ));
            return;
        };
        notice.set(Some(format!("Adding {} files\u{2026}", files.len())));
        leptos::task::spawn_local(async move {
            let (added, refused) = super::media::add_files(media, files).await;
            let n = added.len();
            state.edit(|s| s.cases.extend(crate::domain::evals::cases::cases_from_media(&column, &added)));
            let mut text =
                format!("Added {n} case{}, one per file, as \u{201c}{column}\u{201d}.", if n == 1 { "" } else { "s" });
            if !refused.is_empty() {
                text.push_str(&format!(" Skipped {}: {}", refused.len(), refused.join(" ")));
            }
            notice.set(Some(text));
        });
    };
    let on_drop = move |ev: leptos::ev::DragEvent| {
        let Some(data) = ev.data_transfer() else { return };
        if data.files().is_none_or(|f| f.length() == 0) {
            return;
        }
        ev.prevent_default();
        leptos::task::spawn_local(async move {
            let files = super::media::dropped_files(data).await;
            add_media_files(files);
        });
    };
    let pick_media = move |ev: leptos::ev::Event| {
        let input: web_sys::HtmlInputElement = event_target(&ev);
        let files = super::knowledge_dialog::files_of(input.files());
        input.set_value("");
        add_media_files(files);
    };
    let export = move |_| {
        let csv = state.suite.with_untracked(|s| cases_to_csv(&inputs.get_untracked(), &s.cases));
        if let Err(e) = platform::download_text("test-cases.csv", &csv, "text/csv") {
            notice.set(Some(e));
        }
    };
    view! {
        <section class="eval-section" aria-label="Test cases" on:drop=on_drop on:dragover=|ev: leptos::ev::DragEvent| ev.prevent_default()>
            <div class="eval-section-head">
                <h3>{move || format!("Test cases ({})", count.get())}</h3>
                <div class="eval-actions">
                    <button class="button button-quiet" on:click=move |_| generate_open.update(|o| *o = !*o)>"Generate with a model\u{2026}"</button>
                    <button class="button button-quiet" on:click=move |_| paste_open.update(|o| *o = !*o)>"Paste rows\u{2026}"</button>
                    <button class="button button-quiet" disabled=move || count.get() == 0
                        on:click=move |_| fairness_open.update(|o| *o = !*o)>"Fairness test\u{2026}"</button>
                    <label class="button button-quiet file-button">
                        "Import CSV\u{2026}"
                        <input type="file" accept=".csv,.tsv,text/csv,text/plain" class="visually-hidden" aria-label="Import CSV" on:change=import />
                    </label>
                    <button class="button button-quiet" disabled=move || count.get() < 5
                        title="Marks 1 case in 5 as held out, chosen by its content (the same cases every time)"
                        on:click=move |_| state.edit(|s| crate::domain::evals::cases::hold_out_share(&mut s.cases, 0.2))>
                        "Hold out 20%"
                    </button>
                    <button class="button button-quiet" disabled=move || count.get() == 0 on:click=export>"Export CSV"</button>
                    <label class="button button-quiet file-button">
                        "Add image or audio files\u{2026}"
                        <input type="file" multiple accept="image/*,audio/*" class="visually-hidden" aria-label="Add image or audio files as cases" on:change=pick_media />
                    </label>
                </div>
            </div>
            <Show when=move || generate_open.get()>
                <GenerateBox inputs on_add=add_generated />
            </Show>
            <Show when=move || fairness_open.get()>
                <super::fairness_ui::FairnessBox notice open=fairness_open />
            </Show>
            <Show when=move || paste_open.get()>
                <div class="paste-box">
                    <textarea rows="5" aria-label="Paste rows" spellcheck="false"
                        placeholder=move || format!("Paste from a spreadsheet, with a header row: {}, expected, note", inputs.get().join(", "))
                        prop:value=move || paste.get() on:input=move |ev| paste.set(event_target_value(&ev))></textarea>
                    <button class="button button-primary" on:click=move |_| add_rows(paste.get_untracked())>"Add these rows"</button>
                </div>
            </Show>
            {move || notice.get().map(|n| view! { <p class="field-help" role="status">{n}</p> })}
            <Show when=move || count.get() != 0
                fallback=|| view! { <p class="field-help">"No cases yet. Add one, paste rows from a spreadsheet, import a CSV, or drop a folder of images or audio here."</p> }>
                <div class="table-scroll">
                    <table class="cases-table">
                        <thead><tr>
                            <th>"#"</th>
                            {move || inputs.get().into_iter().map(|n| view! { <th>{n}</th> }).collect_view()}
                            <th>"expected"</th><th>"note"</th><th title="Held-out cases are kept apart while you tune the prompt">"held out"</th><th><span class="visually-hidden">"Remove"</span></th>
                        </tr></thead>
                        <tbody>
                            {move || {
                                let names = inputs.get();
                                let shown = if show_all.get() { count.get() } else { count.get().min(CASE_ROWS) };
                                (0..shown).map(|i| view! { <CaseRow i names=names.clone() /> }).collect_view()
                            }}
                        </tbody>
                    </table>
                </div>
            </Show>
            <Show when=move || !show_all.get() && CASE_ROWS < count.get()>
                <button class="button button-quiet" on:click=move |_| show_all.set(true)>
                    {move || format!("Show all {} cases (only the first {CASE_ROWS} are listed)", count.get())}
                </button>
            </Show>
            <button class="button button-quiet" on:click=move |_| {
                state.edit(|s| s.cases.push(TestCase::default()));
                show_all.set(true);
            }>"+ Add case"</button>
        </section>
    }
}

#[component]
fn CaseRow(i: usize, names: Vec<String>) -> impl IntoView {
    let state = expect_context::<EvalState>();
    let n = i + 1;
    let get = move |f: &dyn Fn(&TestCase) -> String| state.suite.with(|s| s.cases.get(i).map(f).unwrap_or_default());
    view! {
        <tr>
            <td class="case-num">{n}{move || {
                // A case saved from the Chat panel: the conversation before its input.
                let history = state.suite.with(|s| s.cases.get(i).map(|c| c.history.clone()).unwrap_or_default());
                (!history.is_empty()).then(|| {
                    let said: Vec<String> = history.iter().map(|t| format!("User: {}\nAnswer: {}", t.user, t.assistant)).collect();
                    let count = history.len();
                    view! { <span class="case-history" title=said.join("\n\n")>{format!("after {count} turn{}", if count == 1 { "" } else { "s" })}</span> }
                })
            }}</td>
            {names.into_iter().map(|name| {
                let (k1, k2) = (name.clone(), name.clone());
                let k3 = name.clone();
                let media_id = move || get(&|c| c.inputs.get(&k3).and_then(|v| crate::domain::media::single_media(v)).unwrap_or("").to_string());
                let media_id = Memo::new(move |_| media_id());
                if !media_id.get_untracked().is_empty() {
                    return view! { <td><super::media_value::MediaChip id=media_id.get_untracked() /></td> }.into_any();
                }
                view! {
                    <td><textarea rows="2" aria-label=format!("Case {n} {name}")
                        prop:value=move || get(&|c| c.inputs.get(&k1).cloned().unwrap_or_default())
                        on:change=move |ev| {
                            let v = event_target_value(&ev);
                            let k = k2.clone();
                            state.edit(|s| if let Some(c) = s.cases.get_mut(i) { c.inputs.insert(k, v); });
                        }></textarea></td>
                }.into_any()
            }).collect_view()}
            <td><textarea rows="2" aria-label=format!("Case {n} expected")
                prop:value=move || get(&|c| c.expected.clone().unwrap_or_default())
                on:change=move |ev| {
                    let v = event_target_value(&ev);
                    state.edit(|s| if let Some(c) = s.cases.get_mut(i) { c.expected = (!v.is_empty()).then_some(v); });
                }></textarea></td>
            <td><textarea rows="2" aria-label=format!("Case {n} note")
                prop:value=move || get(&|c| c.note.clone())
                on:change=move |ev| {
                    let v = event_target_value(&ev);
                    state.edit(|s| if let Some(c) = s.cases.get_mut(i) { c.note = v; });
                }></textarea></td>
            <td class="case-held-out"><input type="checkbox" aria-label=format!("Hold out case {n}")
                title="Held out: kept apart while you tune the prompt; its results stay hidden until you ask for them"
                prop:checked=move || state.suite.with(|s| s.cases.get(i).is_some_and(|c| c.held_out))
                on:change=move |ev| {
                    let on = event_target_checked(&ev);
                    state.edit(|s| if let Some(c) = s.cases.get_mut(i) { c.held_out = on; });
                } /></td>
            <td><button class="icon-button" aria-label=format!("Remove case {n}")
                on:click=move |_| state.edit(|s| if i < s.cases.len() { s.cases.remove(i); })>"\u{d7}"</button></td>
        </tr>
    }
}

const CHECK_KINDS: [(&str, &str); 13] = [
    ("contains", "Contains"),
    ("not_contains", "Does not contain"),
    ("equals", "Equals"),
    ("starts_with", "Starts with"),
    ("regex", "Matches a regex"),
    ("length", "Length in range"),
    ("valid_json", "Is valid JSON"),
    ("matches_schema", "Matches a JSON Schema"),
    ("json_field", "JSON field equals"),
    ("number_range", "Number in range"),
    ("similarity", "Similar to expected (embeddings)"),
    ("model_graded", "Graded by a model (rubric)"),
    ("route_taken", "Route taken (a Router's decision)"),
];

fn new_check(kind: &str) -> Check {
    let (name, kind) = match kind {
        "not_contains" => ("Avoids a phrase", CheckKind::NotContains { text: String::new(), case_sensitive: false }),
        "equals" => ("Matches expected", CheckKind::Equals { text: String::new() }),
        "starts_with" => ("Starts right", CheckKind::StartsWith { text: String::new() }),
        "regex" => ("Pattern", CheckKind::Regex { pattern: String::new() }),
        "length" => ("Length", CheckKind::Length { min: None, max: Some(500) }),
        "valid_json" => ("Valid JSON", CheckKind::ValidJson),
        "matches_schema" => (
            "Schema",
            CheckKind::MatchesSchema {
                schema: serde_json::json!({"type": "object", "properties": {}, "required": []}),
            },
        ),
        "json_field" => ("Field", CheckKind::JsonField { path: String::new(), equals: "{{expected}}".into() }),
        "number_range" => ("Number", CheckKind::NumberRange { path: String::new(), min: None, max: None }),
        "similarity" => (
            "Close to expected",
            CheckKind::Similarity { provider: "openai".into(), model: "text-embedding-3-small".into(), min: 0.8 },
        ),
        "model_graded" => (
            "Rubric",
            CheckKind::ModelGraded {
                rubric: String::new(),
                provider: "openai".into(),
                model: "gpt-4o-mini".into(),
                pass_score: DEFAULT_PASS_SCORE,
            },
        ),
        "route_taken" => ("Route taken", CheckKind::RouteTaken { block: String::new(), route: "{{expected}}".into() }),
        _ => ("Mentions expected", CheckKind::Contains { text: "{{expected}}".into(), case_sensitive: false }),
    };
    Check { name: name.to_string(), kind }
}

fn kind_id(kind: &CheckKind) -> &'static str {
    match kind {
        CheckKind::Contains { .. } => "contains",
        CheckKind::NotContains { .. } => "not_contains",
        CheckKind::Equals { .. } => "equals",
        CheckKind::StartsWith { .. } => "starts_with",
        CheckKind::Regex { .. } => "regex",
        CheckKind::Length { .. } => "length",
        CheckKind::ValidJson => "valid_json",
        CheckKind::MatchesSchema { .. } => "matches_schema",
        CheckKind::JsonField { .. } => "json_field",
        CheckKind::NumberRange { .. } => "number_range",
        CheckKind::Similarity { .. } => "similarity",
        CheckKind::ModelGraded { .. } => "model_graded",
        CheckKind::RouteTaken { .. } => "route_taken",
    }
}

#[component]
fn ChecksSection() -> impl IntoView {
    let state = expect_context::<EvalState>();
    let count = Memo::new(move |_| state.suite.with(|s| s.checks.len()));
    let new_kind = RwSignal::new("contains".to_string());
    view! {
        <section class="eval-section" aria-label="Checks">
            <div class="eval-section-head">
                <h3>{move || format!("Checks ({})", count.get())}</h3>
                <div class="eval-actions">
                    <select aria-label="New check type" on:change=move |ev| new_kind.set(event_target_value(&ev))>
                        {CHECK_KINDS.iter().map(|(id, label)| view! { <option value=*id>{*label}</option> }).collect_view()}
                    </select>
                    <button class="button button-quiet" on:click=move |_| {
                        let mut check = new_check(&new_kind.get_untracked());
                        // A route check starts on the flow's first Router.
                        if let CheckKind::RouteTaken { block, .. } = &mut check.kind {
                            let first = expect_context::<Editor>().with_flow(crate::domain::evals::routes::routers).into_iter().next();
                            *block = first.map(|(id, _, _)| id).unwrap_or_default();
                        }
                        state.edit(|s| s.checks.push(check));
                    }>"+ Add check"</button>
                </div>
            </div>
            <Show when=move || count.get() == 0>
                <p class="field-help">"A check says what a good answer is: it contains the expected value, matches a pattern, or a model grades it against a rubric."</p>
            </Show>
            <ul class="check-list">
                {move || (0..count.get()).map(|i| view! { <CheckRow i /> }).collect_view()}
            </ul>
        </section>
    }
}

#[component]
fn CheckRow(i: usize) -> impl IntoView {
    let state = expect_context::<EvalState>();
    let n = i + 1;
    let kind =
        Memo::new(move |_| state.suite.with(|s| s.checks.get(i).map(|c| kind_id(&c.kind)).unwrap_or("contains")));
    let problems = Memo::new(move |_| state.suite.with(|s| s.checks.get(i).map(check_problems).unwrap_or_default()));
    let label = move || CHECK_KINDS.iter().find(|(id, _)| *id == kind.get()).map_or("", |(_, l)| *l);
    view! {
        <li class="check-row" role="group" aria-label=format!("Check {n}")>
            <div class="check-head">
                <input type="text" class="check-name" aria-label=format!("Name of check {n}")
                    prop:value=move || state.suite.with(|s| s.checks.get(i).map(|c| c.name.clone()).unwrap_or_default())
                    on:change=move |ev| { let v = event_target_value(&ev); state.edit(|s| if let Some(c) = s.checks.get_mut(i) { c.name = v; }); } />
                <span class="check-kind">{label}</span>
                <button class="icon-button" aria-label=format!("Remove check {n}")
                    on:click=move |_| state.edit(|s| if i < s.checks.len() { s.checks.remove(i); })>"\u{d7}"</button>
            </div>
            {move || { kind.track(); view! { <CheckFields i /> } }}
            {move || problems.get().into_iter().map(|p| view! { <p class="result-error">{p}</p> }).collect_view()}
        </li>
    }
}

/// The fields of check `i`, for its kind.
#[component]
fn CheckFields(i: usize) -> impl IntoView {
    let state = expect_context::<EvalState>();
    let n = i + 1;
    let kind = move || state.suite.with(|s| s.checks.get(i).map(|c| c.kind.clone()));
    let set = move |f: Box<dyn FnOnce(&mut CheckKind)>| {
        state.edit(|s| {
            if let Some(c) = s.checks.get_mut(i) {
                f(&mut c.kind);
            }
        });
    };
    let text_field = move |label: &'static str, get: fn(&CheckKind) -> String, put: fn(&mut CheckKind, String)| {
        view! {
            <label class="field">
                <span class="field-label">{label}</span>
                <input type="text" aria-label=format!("{label} (check {n})") spellcheck="false"
                    prop:value=move || kind().map(|k| get(&k)).unwrap_or_default()
                    on:change=move |ev| { let v = event_target_value(&ev); set(Box::new(move |k| put(k, v))); } />
            </label>
        }
    };
    let num = |v: &str| v.trim().parse::<f64>().ok();
    match kind() {
        Some(CheckKind::Contains { .. } | CheckKind::NotContains { .. }) => text_field(
            "Text ({{expected}} for the case's expected value)",
            |k| match k {
                CheckKind::Contains { text, .. } | CheckKind::NotContains { text, .. } => text.clone(),
                _ => String::new(),
            },
            |k, v| {
                if let CheckKind::Contains { text, .. } | CheckKind::NotContains { text, .. } = k {
                    *text = v;
                }
            },
        )
        .into_any(),
        Some(CheckKind::Equals { .. }) => text_field(
            "Equals (empty: the case's expected value)",
            |k| if let CheckKind::Equals { text } = k { text.clone() } else { String::new() },
            |k, v| {
                if let CheckKind::Equals { text } = k {
                    *text = v;
                }
            },
        )
        .into_any(),
        Some(CheckKind::StartsWith { .. }) => text_field(
            "Starts with",
            |k| if let CheckKind::StartsWith { text } = k { text.clone() } else { String::new() },
            |k, v| {
                if let CheckKind::StartsWith { text } = k {
                    *text = v;
                }
            },
        )
        .into_any(),
        Some(CheckKind::Regex { .. }) => text_field(
            "Regular expression",
            |k| if let CheckKind::Regex { pattern } = k { pattern.clone() } else { String::new() },
            |k, v| {
                if let CheckKind::Regex { pattern } = k {
                    *pattern = v;
                }
            },
        )
        .into_any(),
        Some(CheckKind::JsonField { .. }) => view! {
            {text_field("Field path (like label or items.0.name)",
                |k| if let CheckKind::JsonField { path, .. } = k { path.clone() } else { String::new() },
                |k, v| if let CheckKind::JsonField { path, .. } = k { *path = v; })}
            {text_field("Equals",
                |k| if let CheckKind::JsonField { equals, .. } = k { equals.clone() } else { String::new() },
                |k, v| if let CheckKind::JsonField { equals, .. } = k { *equals = v; })}
        }
        .into_any(),
        Some(CheckKind::Length { .. }) => view! {
            <div class="field-row">
                {text_field("Min characters",
                    |k| if let CheckKind::Length { min, .. } = k { min.map(|m| m.to_string()).unwrap_or_default() } else { String::new() },
                    |k, v| if let CheckKind::Length { min, .. } = k { *min = v.trim().parse().ok(); })}
                {text_field("Max characters",
                    |k| if let CheckKind::Length { max, .. } = k { max.map(|m| m.to_string()).unwrap_or_default() } else { String::new() },
                    |k, v| if let CheckKind::Length { max, .. } = k { *max = v.trim().parse().ok(); })}
            </div>
        }
        .into_any(),
        Some(CheckKind::NumberRange { .. }) => view! {
            {text_field("Field path (empty: the first number in the answer)",
                |k| if let CheckKind::NumberRange { path, .. } = k { path.clone() } else { String::new() },
                |k, v| if let CheckKind::NumberRange { path, .. } = k { *path = v; })}
            <div class="field-row">
                {text_field("Min",
                    |k| if let CheckKind::NumberRange { min, .. } = k { min.map(|m| m.to_string()).unwrap_or_default() } else { String::new() },
                    |k, v| if let CheckKind::NumberRange { min, .. } = k { *min = v.trim().parse().ok(); })}
                {text_field("Max",
                    |k| if let CheckKind::NumberRange { max, .. } = k { max.map(|m| m.to_string()).unwrap_or_default() } else { String::new() },
                    |k, v| if let CheckKind::NumberRange { max, .. } = k { *max = v.trim().parse().ok(); })}
            </div>
        }
        .into_any(),
        Some(CheckKind::MatchesSchema { .. }) => {
            let error = RwSignal::new(None::<String>);
            view! {
                <label class="field">
                    <span class="field-label">"JSON Schema"</span>
                    <textarea class="template" rows="5" spellcheck="false" aria-label=format!("JSON Schema (check {n})")
                        prop:value=move || match kind() { Some(CheckKind::MatchesSchema { schema }) => crate::domain::json_view::pretty(&schema), _ => String::new() }
                        on:change=move |ev| {
                            let text = event_target_value(&ev);
                            match serde_json::from_str::<serde_json::Value>(&text) {
                                Ok(v) if v.is_object() => { error.set(None); set(Box::new(move |k| if let CheckKind::MatchesSchema { schema } = k { *schema = v; })); }
                                Ok(_) => error.set(Some("A schema is a JSON object.".into())),
                                Err(e) => error.set(Some(format!("Not valid JSON ({e}); the previous schema is kept."))),
                            }
                        }></textarea>
                    {move || error.get().map(|e| view! { <p class="result-error" role="alert">{e}</p> })}
                </label>
            }
            .into_any()
        }
        Some(CheckKind::ModelGraded { .. }) => {
            let _ = num;
            view! {
                <label class="field">
                    <span class="field-label">"Rubric: what a good answer does, in plain words"</span>
                    <textarea rows="3" aria-label=format!("Rubric (check {n})")
                        prop:value=move || match kind() { Some(CheckKind::ModelGraded { rubric, .. }) => rubric, _ => String::new() }
                        on:change=move |ev| { let v = event_target_value(&ev); set(Box::new(move |k| if let CheckKind::ModelGraded { rubric, .. } = k { *rubric = v; })); }></textarea>
                </label>
                <div class="field-row field-row-3">
                    <label class="field">
                        <span class="field-label">"Judge provider"</span>
                        <select aria-label=format!("Judge provider (check {n})") on:change=move |ev| {
                            let v = event_target_value(&ev);
                            set(Box::new(move |k| if let CheckKind::ModelGraded { provider, .. } = k { *provider = v; }));
                        }>
                            {ProviderKind::ALL.iter().map(|p| {
                                let id = p.id();
                                view! { <option value=id selected=move || matches!(kind(), Some(CheckKind::ModelGraded { provider, .. }) if provider == id)>{p.label()}</option> }
                            }).collect_view()}
                        </select>
                    </label>
                    {text_field("Judge model",
                        |k| if let CheckKind::ModelGraded { model, .. } = k { model.clone() } else { String::new() },
                        |k, v| if let CheckKind::ModelGraded { model, .. } = k { *model = v.trim().to_string(); })}
                    {text_field("Pass at score (1-5)",
                        |k| if let CheckKind::ModelGraded { pass_score, .. } = k { pass_score.to_string() } else { String::new() },
                        |k, v| if let CheckKind::ModelGraded { pass_score, .. } = k { *pass_score = v.trim().parse::<u8>().unwrap_or(DEFAULT_PASS_SCORE).clamp(1, 5); })}
                </div>
            }
            .into_any()
        }
        Some(CheckKind::Similarity { .. }) => view! {
            <div class="field-row field-row-3">
                <label class="field">
                    <span class="field-label">"Embeddings provider"</span>
                    <select aria-label=format!("Embeddings provider (check {n})") on:change=move |ev| {
                        let v = event_target_value(&ev);
                        set(Box::new(move |k| if let CheckKind::Similarity { provider, .. } = k { *provider = v; }));
                    }>
                        {[ProviderKind::OpenAi, ProviderKind::Gemini, ProviderKind::Ollama, ProviderKind::OpenAiCompatible].into_iter().map(|p| {
                            let id = p.id();
                            view! { <option value=id selected=move || matches!(kind(), Some(CheckKind::Similarity { provider, .. }) if provider == id)>{p.label()}</option> }
                        }).collect_view()}
                    </select>
                </label>
                {text_field("Embeddings model",
                    |k| if let CheckKind::Similarity { model, .. } = k { model.clone() } else { String::new() },
                    |k, v| if let CheckKind::Similarity { model, .. } = k { *model = v.trim().to_string(); })}
                {text_field("Pass at similarity (0-1)",
                    |k| if let CheckKind::Similarity { min, .. } = k { min.to_string() } else { String::new() },
                    |k, v| if let CheckKind::Similarity { min, .. } = k { *min = v.trim().parse::<f64>().unwrap_or(0.8).clamp(-1.0, 1.0); })}
            </div>
            <p class="field-help">"Compares the meaning of the answer and the case's expected value (cosine similarity of their embeddings)."</p>
        }
        .into_any(),
        Some(CheckKind::RouteTaken { .. }) => view! { <RouteCheckFields i /> }.into_any(),
        Some(CheckKind::ValidJson) | None => view! { <p class="field-help">"Passes when the answer parses as JSON (also inside a ```json fence)."</p> }.into_any(),
    }
}

#[component]
fn RunSection() -> impl IntoView {
    let state = expect_context::<EvalState>();
    let editor = expect_context::<Editor>();
    let settings = expect_context::<Settings>();
    let runner = expect_context::<Runner>();
    let driver = expect_context::<EvalDriver>();
    let target_list = Memo::new(move |_| {
        editor.any_rev.track();
        editor.with_flow(targets)
    });
    let variant_count = Memo::new(move |_| state.suite.with(|s| s.variants.len()));
    let build_spec = move || -> Result<(EvalSpec, EngineConfig), String> {
        let flow = editor.flow();
        let suite = state.suite.get_untracked();
        if suite.cases.is_empty() {
            return Err("Add at least one test case.".into());
        }
        if suite.checks.is_empty() {
            return Err("Add at least one check: it says what a good answer is.".into());
        }
        if let Some(p) = suite.checks.iter().flat_map(check_problems).next() {
            return Err(p);
        }
        let target = suite
            .target
            .clone()
            .filter(|t| flow.block(&BlockId::new(t.clone())).is_some())
            .or_else(|| targets(&flow).first().map(|t| t.0.clone()))
            .ok_or("The flow has no Output or Prompt block to check.")?;
        let spec = EvalSpec {
            flow: flow.clone(),
            target: BlockId::new(target),
            cases: suite.cases.clone(),
            checks: suite.checks.clone(),
            variants: suite.all_variants(),
            repetitions: suite.repetitions.clamp(1, 100),
            concurrency: suite.concurrency.clamp(1, 32),
            budget_usd: settings.limits.get_untracked().budget_usd,
        };
        let config = EngineConfig {
            approved_hosts: runner.approved_hosts(editor),
            subflows: runner.subflows(editor),
            ..runner.config(settings)
        };
        Ok((spec, config))
    };
    let estimate = move || {
        state.suite.track();
        match build_spec() {
            Ok((spec, config)) => estimate_eval(&spec, &config).describe(),
            Err(e) => e,
        }
    };
    // The pre-run check of a single run (the flow's blocks and its sub-flows), plus the
    // providers of the variants and of model-graded and similarity checks.
    let missing_keys = move |spec: &EvalSpec, config: &EngineConfig| -> Vec<&'static str> {
        let has_key = |k: ProviderKind| settings.has_key(k);
        let view = crate::domain::engine::PreflightView {
            has_key: &has_key,
            approved_hosts: &config.approved_hosts,
            model_ok: &|_| true,
            subflows: &config.subflows,
        };
        let mut kinds: Vec<ProviderKind> = crate::domain::engine::preflight(&spec.flow, &RunScope::All, &view)
            .into_iter()
            .find_map(|b| match b {
                crate::domain::engine::Blocker::MissingKeys(k) => Some(k),
                _ => None,
            })
            .unwrap_or_default();
        let others =
            spec.variants.iter().filter_map(|v| v.provider.clone()).chain(spec.checks.iter().filter_map(|c| {
                match &c.kind {
                    CheckKind::ModelGraded { provider, .. } | CheckKind::Similarity { provider, .. } => {
                        Some(provider.clone())
                    }
                    _ => None,
                }
            }));
        for kind in others.filter_map(|p| ProviderKind::from_id(p.trim())) {
            if kind.needs_key() && !settings.has_key(kind) && !kinds.contains(&kind) {
                kinds.push(kind);
            }
        }
        kinds.into_iter().map(|k| k.label()).collect()
    };
    // Why a run did not start, shown beside the Run eval button (the dialog scrolls: a
    // message at its top was out of view when the button was pressed).
    let run_message = RwSignal::new(None::<String>);
    let run_message_ref = NodeRef::<leptos::html::P>::new();
    let refuse = move |m: String| {
        run_message.set(Some(m));
        request_animation_frame(move || {
            if let Some(el) = run_message_ref.get_untracked() {
                el.scroll_into_view_with_bool(false);
            }
        });
    };
    let run = move |resume: bool| match build_spec() {
        Err(e) => refuse(e),
        Ok((spec, config)) => {
            let missing = missing_keys(&spec, &config);
            if !missing.is_empty() {
                refuse(format!("Add your {} key in Settings to run this eval.", missing.join(" and ")));
                return;
            }
            run_message.set(None);
            state.message.set(None);
            state.shown.set(None);
            let done = if resume { driver.results.get_untracked() } else { Vec::new() };
            driver.start(settings, spec, config, done);
        }
    };
    let can_resume = move || {
        !driver.running.get() && driver.stopped.get().is_some() && {
            let (d, t) = driver.progress.get();
            d < t
        }
    };
    view! {
        <section class="eval-section" aria-label="Run">
            <div class="eval-section-head"><h3>"Run"</h3></div>
            <div class="field-row field-row-3">
                <label class="field">
                    <span class="field-label">"Check the output of"</span>
                    <select on:change=move |ev| { let v = event_target_value(&ev); state.edit(|s| s.target = Some(v)); }>
                        {move || target_list.get().into_iter().map(|(id, label)| {
                            let id2 = id.clone();
                            view! { <option value=id selected=move || state.suite.with(|s| s.target.as_deref() == Some(id2.as_str()))>{label}</option> }
                        }).collect_view()}
                    </select>
                </label>
                <label class="field">
                    <span class="field-label">"Repetitions"</span>
                    <input type="number" min="1" max="100" prop:value=move || state.suite.with(|s| s.repetitions.to_string())
                        on:change=move |ev| { if let Ok(n) = event_target_value(&ev).trim().parse::<u32>() { state.edit(|s| s.repetitions = n.clamp(1, 100)); } } />
                </label>
                <label class="field">
                    <span class="field-label">"At once"</span>
                    <input type="number" min="1" max="32" prop:value=move || state.suite.with(|s| s.concurrency.to_string())
                        on:change=move |ev| { if let Ok(n) = event_target_value(&ev).trim().parse::<usize>() { state.edit(|s| s.concurrency = n.clamp(1, 32)); } } />
                </label>
            </div>
            <div class="field">
                <span class="field-label">"Variants to compare"</span>
                <p class="variant-base">"1. As it is (the flow unchanged)"</p>
                {move || (0..variant_count.get()).map(|i| view! { <VariantRow i /> }).collect_view()}
                <button class="button button-quiet" on:click=move |_| state.edit(|s| {
                    let n = s.variants.len() + 2;
                    s.variants.push(Variant { name: format!("Variant {n}"), ..Variant::default() });
                })>"+ Add variant"</button>
            </div>
            <p class="eval-estimate" aria-label="Estimate">{estimate}</p>
            <super::eval_batch::BatchControls spec=build_spec />
            <div class="eval-run-bar">
                <Show when=move || !driver.running.get()
                    fallback=move || view! { <button class="button button-danger" on:click=move |_| driver.stop()>"Stop eval"</button> }>
                    <button class="button button-primary" on:click=move |_| run(false)>"Run eval"</button>
                    <Show when=can_resume>
                        <button class="button button-quiet" on:click=move |_| run(true)>"Resume"</button>
                    </Show>
                </Show>
                {move || {
                    let (done, total) = driver.progress.get();
                    (total > 0).then(|| view! {
                        <div class="progress" role="progressbar" aria-label="Eval progress"
                            aria-valuemin="0" aria-valuemax=total.to_string() aria-valuenow=done.to_string()>
                            <div class="progress-fill" style:width=format!("{:.1}%", done as f64 * 100.0 / total.max(1) as f64)></div>
                        </div>
                        <span class="progress-text">{format!("{done} of {total} runs")}</span>
                    })
                }}
                {move || driver.stopped.get().map(|s| view! { <span class="field-help">{s}</span> })}
            </div>
            <Show when=move || run_message.with(Option::is_some)>
                <p class="result-error eval-run-message" role="alert" node_ref=run_message_ref>
                    {move || run_message.get().unwrap_or_default()}
                </p>
            </Show>
        </section>
    }
}

#[component]
fn VariantRow(i: usize) -> impl IntoView {
    let state = expect_context::<EvalState>();
    let n = i + 2;
    let get = move |f: fn(&Variant) -> String| state.suite.with(|s| s.variants.get(i).map(f).unwrap_or_default());
    let set = move |f: Box<dyn FnOnce(&mut Variant)>| {
        state.edit(|s| {
            if let Some(v) = s.variants.get_mut(i) {
                f(v)
            }
        })
    };
    view! {
        <div class="variant-row" role="group" aria-label=format!("Variant {n}")>
            <span class="case-num">{format!("{n}.")}</span>
            <input type="text" aria-label=format!("Name of variant {n}") prop:value=move || get(|v| v.name.clone())
                on:change=move |ev| { let x = event_target_value(&ev); set(Box::new(move |v| v.name = x)); } />
            <select aria-label=format!("Provider of variant {n}") on:change=move |ev| {
                let x = event_target_value(&ev);
                set(Box::new(move |v| v.provider = (!x.is_empty()).then_some(x)));
            }>
                <option value="" selected=move || get(|v| v.provider.clone().unwrap_or_default()).is_empty()>"Same provider"</option>
                {ProviderKind::ALL.iter().map(|p| {
                    let id = p.id();
                    view! { <option value=id selected=move || get(|v| v.provider.clone().unwrap_or_default()) == id>{p.label()}</option> }
                }).collect_view()}
            </select>
            <input type="text" aria-label=format!("Model of variant {n}") placeholder="Same model" prop:value=move || get(|v| v.model.clone().unwrap_or_default())
                on:change=move |ev| { let x = event_target_value(&ev).trim().to_string(); set(Box::new(move |v| v.model = (!x.is_empty()).then_some(x))); } />
            <input type="number" step="0.1" min="0" max="2" aria-label=format!("Temperature of variant {n}") placeholder="Same temp."
                prop:value=move || get(|v| v.temperature.map(|t| t.to_string()).unwrap_or_default())
                on:change=move |ev| { let x = event_target_value(&ev); set(Box::new(move |v| v.temperature = x.trim().parse().ok())); } />
            <button class="icon-button" aria-label=format!("Remove variant {n}")
                on:click=move |_| state.edit(|s| if i < s.variants.len() { s.variants.remove(i); })>"\u{d7}"</button>
        </div>
    }
}

/// Asks a model for cases from a description; shows them for review before they are added.
#[component]
fn GenerateBox(
    inputs: Memo<Vec<String>>,
    on_add: impl Fn(Vec<TestCase>) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    use crate::domain::evals::generate::{generator_flow, parse_generated, GENERATOR_BLOCK};
    let editor = expect_context::<Editor>();
    let settings = expect_context::<Settings>();
    let shot = super::one_shot::OneShot::new();
    let runner = expect_context::<super::run::Runner>();
    let description = RwSignal::new(String::new());
    let count = RwSignal::new(10usize);
    // The first Prompt's provider and model: what the flow already uses.
    let (p0, m0) = editor.with_flow(|f| {
        f.blocks
            .iter()
            .find_map(|b| match &b.config {
                BlockConfig::Prompt(p) => Some((p.provider.clone(), p.model.clone())),
                _ => None,
            })
            .unwrap_or_else(|| ("openai".into(), "gpt-4o-mini".into()))
    });
    let provider = RwSignal::new(p0);
    let model = RwSignal::new(m0);
    let generate = move |_| {
        let kind = ProviderKind::from_id(&provider.get_untracked());
        if let Some(k) = kind.filter(|k| k.needs_key() && !settings.has_key(*k)) {
            shot.result.set(Some(Err(format!("Add your {} key in Settings first.", k.label()))));
            return;
        }
        if description.get_untracked().trim().is_empty() {
            shot.result
                .set(Some(Err("Describe the cases you want, for example: angry emails about late parcels.".into())));
            return;
        }
        let flow = generator_flow(
            &description.get_untracked(),
            count.get_untracked(),
            &inputs.get_untracked(),
            &provider.get_untracked(),
            &model.get_untracked(),
        );
        shot.start(settings, &flow, BlockId::new(GENERATOR_BLOCK), runner.config(settings));
    };
    let parsed = Memo::new(move |_| match shot.result.get() {
        Some(Ok(reply)) => Some(parse_generated(&reply, &inputs.get())),
        Some(Err(e)) => Some(Err(e)),
        None => None,
    });
    view! {
        <div class="generate-box" role="group" aria-label="Generate cases">
            <label class="field">
                <span class="field-label">"Describe the cases"</span>
                <textarea rows="2" placeholder="20 angry customer emails about late delivery"
                    prop:value=move || description.get() on:input=move |ev| description.set(event_target_value(&ev))></textarea>
            </label>
            <div class="field-row field-row-3">
                <label class="field">
                    <span class="field-label">"Provider"</span>
                    <select aria-label="Generator provider" on:change=move |ev| provider.set(event_target_value(&ev))>
                        {ProviderKind::ALL.iter().map(|p| {
                            let id = p.id();
                            view! { <option value=id selected=move || provider.get() == id>{p.label()}</option> }
                        }).collect_view()}
                    </select>
                </label>
                <label class="field">
                    <span class="field-label">"Model"</span>
                    <input type="text" aria-label="Generator model" prop:value=move || model.get() on:change=move |ev| model.set(event_target_value(&ev).trim().to_string()) />
                </label>
                <label class="field">
                    <span class="field-label">"How many"</span>
                    <input type="number" min="1" max="50" aria-label="How many cases" prop:value=move || count.get().to_string()
                        on:change=move |ev| { if let Ok(n) = event_target_value(&ev).trim().parse::<usize>() { count.set(n.clamp(1, 50)); } } />
                </label>
            </div>
            <div class="eval-actions">
                <Show when=move || !shot.running.get() fallback=move || view! {
                    <button class="button button-danger" on:click=move |_| shot.stop()>"Stop"</button>
                    <span class="field-help">"Writing cases\u{2026}"</span>
                }>
                    <button class="button button-primary" on:click=generate>"Generate"</button>
                </Show>
            </div>
            {move || match parsed.get() {
                None => ().into_any(),
                Some(Err(e)) => view! { <p class="result-error" role="alert">{e}</p> }.into_any(),
                Some(Ok(cases)) => {
                    let n = cases.len();
                    let names = inputs.get();
                    let add = cases.clone();
                    view! {
                        <p class="field-help">{format!("{n} cases written. Review them, then add them.")}</p>
                        <div class="table-scroll">
                            <table class="cases-table" aria-label="Generated cases">
                                <thead><tr>{names.iter().map(|c| view! { <th>{c.clone()}</th> }).collect_view()}<th>"expected"</th></tr></thead>
                                <tbody>
                                    {cases.iter().map(|c| view! {
                                        <tr>
                                            {names.iter().map(|k| view! { <td>{c.inputs.get(k).cloned().unwrap_or_default()}</td> }).collect_view()}
                                            <td>{c.expected.clone().unwrap_or_default()}</td>
                                        </tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                        </div>
                        <div class="eval-actions">
                            <button class="button button-primary" on:click=move |_| { on_add(add.clone()); shot.result.set(None); }>{format!("Add these {n} cases")}</button>
                            <button class="button button-quiet" on:click=move |_| shot.result.set(None)>"Discard"</button>
                        </div>
                    }.into_any()
                }
            }}
        </div>
    }
}

/// An edit of a route check's (block, route).
type RouteEdit = Box<dyn FnOnce(&mut String, &mut String)>;

/// A "Route taken" check: which Router, and which route it must take (a fixed route, or the
/// case's expected value, so each case can name its own).
#[component]
fn RouteCheckFields(i: usize) -> impl IntoView {
    let state = expect_context::<EvalState>();
    let editor = expect_context::<Editor>();
    let n = i + 1;
    let routers = Memo::new(move |_| {
        editor.any_rev.track();
        editor.with_flow(crate::domain::evals::routes::routers)
    });
    let current = move || {
        state.suite.with(|s| match s.checks.get(i).map(|c| &c.kind) {
            Some(CheckKind::RouteTaken { block, route }) => (block.clone(), route.clone()),
            _ => (String::new(), String::new()),
        })
    };
    let set = move |f: RouteEdit| {
        state.edit(|s| {
            if let Some(CheckKind::RouteTaken { block, route }) = s.checks.get_mut(i).map(|c| &mut c.kind) {
                f(block, route);
            }
        });
    };
    let routes_of_current = move || {
        let (block, _) = current();
        routers
            .with(|rs| rs.iter().find(|(id, _, _)| *id == block).map(|(_, _, names)| names.clone()).unwrap_or_default())
    };
    view! {
        <Show when=move || !routers.with(Vec::is_empty) fallback=|| view! {
            <p class="result-error">"This flow has no Router: add one (a guardrail) to check its decisions."</p>
        }>
            <div class="field-row">
                <label class="field">
                    <span class="field-label">"Router"</span>
                    <select aria-label=format!("Router (check {n})") on:change=move |ev| {
                        let v = event_target_value(&ev);
                        set(Box::new(move |b, _| *b = v));
                    }>
                        {move || {
                            let (block, _) = current();
                            let mut options: Vec<_> = Vec::new();
                            if !routers.with(|rs| rs.iter().any(|(id, _, _)| *id == block)) {
                                options.push(view! { <option value="" selected=true>"Choose a Router"</option> }.into_any());
                            }
                            options.extend(routers.get().into_iter().map(|(id, title, _)| {
                                let selected = id == block;
                                view! { <option value=id selected=selected>{title}</option> }.into_any()
                            }));
                            options
                        }}
                    </select>
                </label>
                <label class="field">
                    <span class="field-label">"must take the route"</span>
                    <select aria-label=format!("Expected route (check {n})") on:change=move |ev| {
                        let v = event_target_value(&ev);
                        set(Box::new(move |_, r| *r = v));
                    }>
                        {move || {
                            let (_, route) = current();
                            let by_case = route.trim().is_empty() || route.trim() == "{{expected}}";
                            let mut options = vec![view! {
                                <option value="{{expected}}" selected=by_case>"the case\u{2019}s expected value"</option>
                            }.into_any()];
                            options.extend(routes_of_current().into_iter().map(|name| {
                                let selected = !by_case && name == route;
                                view! { <option value=name.clone() selected=selected>{name.clone()}</option> }.into_any()
                            }));
                            options
                        }}
                    </select>
                </label>
            </div>
            <p class="field-help">"Checks the Router\u{2019}s decision, not the answer: for example \u{201c}this message must be held back by the guardrail\u{201d}. With the expected value, each case names its route (like flagged or default)."</p>
        </Show>
    }
}
