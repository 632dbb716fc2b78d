//! The Test cases section of Evaluate: the case table (typed, pasted, imported as CSV, media
//! dropped in), one row per case.

use super::eval_dialog::EvalState;
use super::generate::GenerateBox;
use super::suite_store::input_names;
use crate::domain::evals::cases::{cases_to_csv, parse_table, TestCase};
use crate::domain::evals::run::unknown_columns;
use crate::ui::platform::platform;
use crate::ui::state::editor::Editor;
use leptos::prelude::*;

/// Cases listed for editing before "Show all": a thousand text areas make every update slow.
const CASE_ROWS: usize = 100;

#[component]
pub(super) fn CasesSection() -> impl IntoView {
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
    let media = expect_context::<crate::ui::platform::media::MediaStore>();
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
            let (added, refused) = crate::ui::platform::media::add_files(media, files).await;
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
            let files = crate::ui::platform::media::dropped_files(data).await;
            add_media_files(files);
        });
    };
    let pick_media = move |ev: leptos::ev::Event| {
        let input: web_sys::HtmlInputElement = event_target(&ev);
        let files = crate::ui::knowledge::knowledge_dialog::files_of(input.files());
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
                    return view! { <td><crate::ui::inspector::media_value::MediaChip id=media_id.get_untracked() /></td> }.into_any();
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
