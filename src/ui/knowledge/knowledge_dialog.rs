//! The Knowledge dialog: the flow's documents (add by picker, drop or paste; size, passages,
//! preview; remove), how they are cut into passages (with a preview of the cuts), and a
//! quick search to try questions against them.

use super::knowledge::Knowledge;
use super::passage_list::PassageList;
use crate::domain::retrieval::chunk::ChunkOptions;
use crate::domain::retrieval::documents::{check_size, extract_text, DocFormat, ACCEPT};
use crate::domain::retrieval::knowledge::{Document, KnowledgeOptions};
use crate::domain::retrieval::search::{search, RetrieveMode, SearchSettings};
use crate::ui::platform::idb::read_file_bytes;
use crate::ui::platform::platform;
use crate::ui::widgets::modal::Modal;
use leptos::prelude::*;

#[derive(Clone, Copy)]
pub struct KnowledgeOpen(pub RwSignal<bool>);

/// What happened to the files last added (added, or refused and why). Shared, because a
/// document dropped on the canvas opens the dialog too, and its outcome must show there.
#[derive(Clone, Copy)]
pub struct KnowledgeStatus(pub RwSignal<Vec<String>>);

/// Reads files and adds them; says what was added and what was refused, and why.
pub fn add_files(knowledge: Knowledge, files: Vec<web_sys::File>, status: RwSignal<Vec<String>>) {
    leptos::task::spawn_local(async move {
        let mut notes = Vec::new();
        for file in files {
            let name = file.name();
            // Refused before reading, so a huge file never reaches memory.
            if let Err(e) = check_size(&name, file.size() as usize) {
                notes.push(e.to_string());
                continue;
            }
            let bytes = match read_file_bytes(&file).await {
                Ok(b) => b,
                Err(e) => {
                    notes.push(format!("\u{201c}{name}\u{201d}: {e}"));
                    continue;
                }
            };
            match add_document(knowledge, name.clone(), bytes).await {
                Ok(note) => notes.push(note),
                Err(_) => notes.push(format!(
                    "\u{201c}{name}\u{201d} was not added: the document reader could not be loaded. \
                     Check the connection, then add the file again."
                )),
            }
        }
        status.set(notes);
    });
}

/// The document reader (PDF, HTML, CSV, JSON) is a wasm module of its own, fetched the first
/// time a file is added: most sessions never add one. It also chunks and indexes the text.
/// Gives what to tell the user: added, or why not.
#[leptos::wasm_split::wasm_split(documents, fallible, wasm_split_path = ::leptos::wasm_split)]
fn add_document(
    knowledge: Knowledge,
    name: String,
    bytes: Vec<u8>,
) -> Result<String, crate::ui::widgets::lazy::ChunkError> {
    let size = bytes.len();
    Ok(match extract_text(&name, &bytes) {
        Ok((format, text)) => {
            let doc = Document {
                bytes: size,
                added_ms: platform::now_ms() as f64,
                ..Document::new(format!("doc-{:x}", platform::random_seed()), name.clone(), format, text)
            };
            knowledge.update(|kb| kb.add(doc));
            format!("Added \u{201c}{name}\u{201d}.")
        }
        Err(e) => e.to_string(),
    })
}

pub(crate) fn files_of(list: Option<web_sys::FileList>) -> Vec<web_sys::File> {
    let Some(list) = list else { return Vec::new() };
    (0..list.length()).filter_map(|i| list.get(i)).collect()
}

crate::ui::widgets::lazy::load_on_first_open!(
    dialogs,
    LazyKnowledgeDialog,
    build_knowledge_dialog,
    KnowledgeDialog,
    "Knowledge",
    expect_context::<KnowledgeOpen>().0
);

#[component]
fn KnowledgeDialog() -> impl IntoView {
    let open = expect_context::<KnowledgeOpen>().0;
    view! {
        <Modal open label="Knowledge" title="Knowledge: documents this flow can search" close_label="Close knowledge" wide=true>
            <KnowledgeBody />
        </Modal>
    }
}

#[component]
fn KnowledgeBody() -> impl IntoView {
    let knowledge = expect_context::<Knowledge>();
    let status = use_context::<KnowledgeStatus>().map_or_else(|| RwSignal::new(Vec::new()), |s| s.0);
    // Each opening starts clean, as when the status lived inside the dialog.
    on_cleanup(move || {
        let _ = status.try_set(Vec::new());
    });
    let file_input = NodeRef::<leptos::html::Input>::new();
    let dragging = RwSignal::new(false);
    let paste_name = RwSignal::new(String::new());
    let paste_text = RwSignal::new(String::new());
    let preview = RwSignal::new(None::<String>);
    let on_drop = move |ev: leptos::ev::DragEvent| {
        ev.prevent_default();
        ev.stop_propagation();
        dragging.set(false);
        add_files(knowledge, files_of(ev.data_transfer().and_then(|d| d.files())), status);
    };
    let add_pasted = move |_| {
        let text = paste_text.get_untracked();
        if text.trim().is_empty() {
            status.set(vec!["Paste some text first.".into()]);
            return;
        }
        let mut name = paste_name.get_untracked().trim().to_string();
        if name.is_empty() {
            name = format!("Pasted text {}", knowledge.kb.with_untracked(|kb| kb.documents.len()) + 1);
        }
        let doc = Document {
            added_ms: platform::now_ms() as f64,
            ..Document::new(format!("doc-{:x}", platform::random_seed()), name.clone(), DocFormat::Text, text)
        };
        knowledge.update(|kb| kb.add(doc));
        paste_text.set(String::new());
        paste_name.set(String::new());
        status.set(vec![format!("Added \u{201c}{name}\u{201d}.")]);
    };
    let read_only = move || !knowledge.persist.get();
    view! {
        <div class="knowledge">
            <Show when=read_only>
                <p class="field-help">"These documents came with a shared link. They are not stored until you make a copy."</p>
            </Show>
            {move || knowledge.problem.get().map(|p| view! { <p class="block-error" role="alert">{p}</p> })}
            <div class="drop-zone" class:dragging=move || dragging.get()
                on:dragover=move |ev: leptos::ev::DragEvent| { ev.prevent_default(); ev.stop_propagation(); dragging.set(true); }
                on:dragleave=move |_| dragging.set(false)
                on:drop=on_drop>
                <p>"Drop files here: .txt, .md, .csv, .json, .html or .pdf (up to 20 MB each)."</p>
                <button class="button" on:click=move |_| { if let Some(i) = file_input.get() { i.click(); } }>"Add files\u{2026}"</button>
                <input type="file" multiple accept=ACCEPT class="visually-hidden" node_ref=file_input tabindex="-1"
                    aria-label="Documents to add"
                    on:change=move |ev| {
                        let input: web_sys::HtmlInputElement = event_target(&ev);
                        add_files(knowledge, files_of(input.files()), status);
                        input.set_value("");
                    } />
            </div>
            <Show when=move || !status.with(Vec::is_empty)>
                <ul class="kb-status" role="status" aria-label="What happened">
                    {move || status.get().into_iter().map(|s| view! { <li>{s}</li> }).collect_view()}
                </ul>
            </Show>
            <details class="paste-doc">
                <summary>"Paste text instead"</summary>
                <label class="field">
                    <span class="field-label">"Name"</span>
                    <input type="text" placeholder="e.g. Refund policy" prop:value=move || paste_name.get()
                        on:input=move |ev| paste_name.set(event_target_value(&ev)) />
                </label>
                <label class="field">
                    <span class="field-label">"Text"</span>
                    <textarea rows="5" prop:value=move || paste_text.get() on:input=move |ev| paste_text.set(event_target_value(&ev))></textarea>
                </label>
                <button class="button" on:click=add_pasted>"Add text"</button>
            </details>
            <DocumentTable preview />
            <ChunkSettings />
            <TrySearch />
        </div>
    }
}

#[component]
fn DocumentTable(preview: RwSignal<Option<String>>) -> impl IntoView {
    let knowledge = expect_context::<Knowledge>();
    let rows = move || {
        knowledge.kb.with(|kb| {
            kb.documents
                .iter()
                .map(|d| {
                    let chunks = kb.chunks_of(&d.id).count();
                    (d.id.clone(), d.name.clone(), d.format.label(), d.size_label(), chunks)
                })
                .collect::<Vec<_>>()
        })
    };
    view! {
        <Show when=move || knowledge.kb.with(|kb| !kb.is_empty())
            fallback=|| view! { <p class="field-help">"No documents yet. Add the policies, FAQs or notes the flow should answer from. They stay in this browser."</p> }>
            <table class="kb-table" aria-label="Documents">
                <thead><tr><th>"Document"</th><th>"Type"</th><th>"Size"</th><th>"Passages"</th><th></th></tr></thead>
                <tbody>
                    {move || rows().into_iter().map(|(id, name, format, size, chunks)| {
                        let (id_preview, id_remove) = (id.clone(), id.clone());
                        let label_preview = format!("Preview {name}");
                        let label_remove = format!("Remove {name}");
                        view! {
                            <tr data-doc=id>
                                <td class="kb-name">{name}</td>
                                <td>{format}</td>
                                <td>{size}</td>
                                <td>{chunks}</td>
                                <td class="kb-actions">
                                    <button class="button button-quiet" aria-label=label_preview
                                        on:click=move |_| preview.update(|p| *p = if p.as_deref() == Some(&id_preview) { None } else { Some(id_preview.clone()) })>"Preview"</button>
                                    <button class="button button-quiet" aria-label=label_remove
                                        on:click=move |_| { let id = id_remove.clone(); knowledge.update(|kb| kb.remove(&id)); }>"Remove"</button>
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
            {move || preview.get().and_then(|id| knowledge.kb.with(|kb| {
                let doc = kb.document(&id)?;
                let chunks: Vec<(usize, Option<String>, String)> =
                    kb.chunks_of(&id).map(|c| (c.number, c.chunk.heading.clone(), c.chunk.text.clone())).collect();
                let total = chunks.len();
                let shown = total.min(40);
                Some(view! {
                    <section class="chunk-preview" aria-label=format!("Passages of {}", doc.name)>
                        <p class="field-help">{format!("{}: {} characters of text, cut into {total} {}{}.", doc.name, doc.text.chars().count(),
                            if total == 1 { "passage" } else { "passages" },
                            if total > shown { format!(" (first {shown} shown)") } else { String::new() })}</p>
                        <ol class="chunks">
                            {chunks.into_iter().take(shown).map(|(n, heading, text)| view! {
                                <li class="chunk">
                                    <span class="chunk-label">{format!("Passage {n}")}{heading.map(|h| format!(" \u{b7} {h}"))}</span>
                                    <p>{text}</p>
                                </li>
                            }).collect_view()}
                        </ol>
                    </section>
                })
            }))}
        </Show>
    }
}

#[component]
fn ChunkSettings() -> impl IntoView {
    let knowledge = expect_context::<Knowledge>();
    let options = move || knowledge.kb.with(|kb| kb.options);
    let set = move |f: Box<dyn FnOnce(&mut KnowledgeOptions)>| {
        let mut o = options();
        f(&mut o);
        knowledge.update(|kb| kb.set_options(o));
    };
    view! {
        <details class="chunk-settings">
            <summary>"How documents are cut and matched"</summary>
            <div class="field-row">
                <label class="field field-narrow">
                    <span class="field-label">"Passage size (characters)"</span>
                    <input type="number" min="100" max="4000" step="50" prop:value=move || options().chunk.target_chars.to_string()
                        on:change=move |ev| {
                            let v: usize = event_target_value(&ev).parse().unwrap_or(800);
                            set(Box::new(move |o| o.chunk = ChunkOptions { target_chars: v.clamp(100, 4000), ..o.chunk }));
                        } />
                </label>
                <label class="field field-narrow">
                    <span class="field-label">"Overlap (characters)"</span>
                    <input type="number" min="0" max="1000" step="10" prop:value=move || options().chunk.overlap_chars.to_string()
                        on:change=move |ev| {
                            let v: usize = event_target_value(&ev).parse().unwrap_or(0);
                            set(Box::new(move |o| o.chunk = ChunkOptions { overlap_chars: v.min(1000), ..o.chunk }));
                        } />
                </label>
            </div>
            <label class="check">
                <input type="checkbox" prop:checked=move || options().tokenizer.stemming
                    on:change=move |ev| { let v = event_target_checked(&ev); set(Box::new(move |o| o.tokenizer.stemming = v)); } />
                " Match word forms (refund, refunds, refunded)"
            </label>
            <label class="check">
                <input type="checkbox" prop:checked=move || options().tokenizer.stop_words
                    on:change=move |ev| { let v = event_target_checked(&ev); set(Box::new(move |o| o.tokenizer.stop_words = v)); } />
                " Ignore common words (the, and, of)"
            </label>
            <p class="field-help">"Passages are cut at headings and paragraphs. Changing these re-indexes every document."</p>
        </details>
    }
}

#[component]
fn TrySearch() -> impl IntoView {
    let knowledge = expect_context::<Knowledge>();
    let query = RwSignal::new(String::new());
    let found = Memo::new(move |_| {
        let q = query.get();
        if q.trim().is_empty() {
            return None;
        }
        let settings = SearchSettings { mode: RetrieveMode::Keyword, top_k: 5, min_score: 0.0 };
        Some(knowledge.kb.with(|kb| search(kb, &q, settings, "", None)))
    });
    view! {
        <Show when=move || knowledge.kb.with(|kb| !kb.is_empty())>
            <label class="field">
                <span class="field-label">"Try a question (keyword search)"</span>
                <input type="search" placeholder="How long do refunds take?" prop:value=move || query.get()
                    on:input=move |ev| query.set(event_target_value(&ev)) />
            </label>
            {move || found.get().map(|p| view! { <PassageList passages=p /> })}
        </Show>
    }
}
