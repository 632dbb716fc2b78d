//! One value of an Input block: text, or an image or audio file (picked, dropped, pasted
//! or recorded). A file shows as a preview with its size; what the connected providers
//! cannot take is listed on the block's problems before any run.

use leptos::html;
use leptos::prelude::*;

/// Longer runs without a space are shown monospaced and broken anywhere (see
/// `markdown::has_unbroken_run`): laid out in the body font they froze the tab.
const UNBROKEN: usize = 2_000;

use super::inspector::edit_config;
use crate::domain::blocks::{BlockConfig, InputValue};
use crate::domain::flow::Block;
use crate::domain::media::{MediaKind, MediaRef};
use crate::domain::util::format::human_size;
use crate::ui::knowledge::knowledge_dialog::files_of;
use crate::ui::platform::media::{self, MediaStore};
use crate::ui::state::editor::Editor;

const ACCEPT: &str =
    "image/png,image/jpeg,image/webp,image/gif,audio/mpeg,audio/wav,audio/x-wav,audio/mp4,audio/x-m4a,\
                      audio/webm,audio/ogg,.mp3,.wav,.m4a,.webm,.ogg";

/// Images above this are worth offering to shrink (Anthropic takes 5 MB; smaller is faster).
const OFFER_SMALLER_ABOVE: u64 = 1_000_000;

fn value_of(b: &Block, i: usize) -> Option<InputValue> {
    match &b.config {
        BlockConfig::Input(c) => c.values.get(i).cloned(),
        _ => None,
    }
}

fn set_value(editor: Editor, cell: RwSignal<Block>, key: String, i: usize, f: impl FnOnce(&mut InputValue)) {
    edit_config(editor, cell, &key, move |c| {
        if let BlockConfig::Input(input) = c {
            if let Some(v) = input.values.get_mut(i) {
                f(v);
            }
        }
    });
}

/// Puts `meta` into value `i` (one undo step).
fn attach(editor: Editor, cell: RwSignal<Block>, i: usize, meta: MediaRef) {
    set_value(editor, cell, format!("value-media-{i}"), i, move |v| {
        *v = InputValue::with_media(v.name.clone(), meta);
    });
    editor.end_merge();
}

/// Puts `meta` into the first Input value named `value` (a template's sample file).
pub fn attach_to_value(editor: Editor, value: &str, meta: MediaRef) {
    let found = editor.with_flow(|f| {
        f.blocks.iter().find_map(|b| match &b.config {
            BlockConfig::Input(i) if i.values.iter().any(|v| v.name == value) => Some((b.id.clone(), i.clone())),
            _ => None,
        })
    });
    let Some((id, mut input)) = found else { return };
    for v in input.values.iter_mut().filter(|v| v.name == value) {
        *v = InputValue::with_media(v.name.clone(), meta.clone());
    }
    let _ = editor.apply(crate::domain::change::FlowChange::SetConfig { id, config: BlockConfig::Input(input) });
}

/// A new Input block at `at` holding `file` (dropped on the canvas), selected.
pub fn add_input_with_file(
    editor: Editor,
    store: MediaStore,
    file: web_sys::File,
    at: crate::domain::flow::Point,
    notice: RwSignal<Option<String>>,
) {
    leptos::task::spawn_local(async move {
        let meta = match store.add_file(file).await {
            Ok(meta) => meta,
            Err(e) => {
                notice.set(Some(e));
                return;
            }
        };
        let value = if meta.kind() == Some(MediaKind::Audio) { "recording" } else { "photo" };
        let block = editor.with_flow(|f| {
            crate::domain::flow::Block::new(
                f.fresh_block_id("input"),
                meta.name.rsplit_once('.').map_or(meta.name.as_str(), |(stem, _)| stem),
                crate::domain::flow::Point::new(
                    crate::domain::layout::snap(at.x - crate::domain::layout::BLOCK_WIDTH / 2.0),
                    crate::domain::layout::snap(at.y),
                ),
                BlockConfig::Input(crate::domain::blocks::InputConfig {
                    values: vec![InputValue::with_media(value, meta.clone())],
                }),
            )
        });
        let id = block.id.clone();
        if editor.apply(crate::domain::change::FlowChange::AddBlock { index: usize::MAX, block }).is_ok() {
            editor.select_only(&id);
        }
    });
}

/// A media value in a table cell: a thumbnail (images) and the file's name.
#[component]
pub fn MediaChip(id: String) -> impl IntoView {
    let store = expect_context::<MediaStore>();
    let id2 = id.clone();
    let meta = move || store.library.with(|l| l.get(&id2).map(|i| i.meta.clone()));
    view! {
        <span class="media-chip">
            {move || match meta() {
                Some(m) => {
                    let thumb = (m.kind() == Some(MediaKind::Image)).then(|| store.url(&m.id)).flatten()
                        .map(|url| view! { <img src=url alt="" /> });
                    view! { {thumb}<span>{crate::domain::media::describe(&m)}</span> }.into_any()
                }
                None => view! { <span>"(file not in this browser)"</span> }.into_any(),
            }}
        </span>
    }
}

#[component]
pub fn InputValueField(cell: RwSignal<Block>, i: usize) -> impl IntoView {
    let editor = expect_context::<Editor>();
    let store = expect_context::<MediaStore>();
    let value = Memo::new(move |_| cell.with(|b| value_of(b, i)));
    let media = Memo::new(move |_| value.with(|v| v.as_ref().and_then(|v| v.media.clone())));
    let message = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let recording = RwSignal::new(false);
    // Seconds recorded so far, shown beside Stop so the person sees the microphone is live.
    let elapsed = RwSignal::new(0u32);
    let ticker = StoredValue::new(None::<IntervalHandle>);
    let stop_ticker = move || {
        if let Some(handle) = ticker.try_update_value(Option::take).flatten() {
            handle.clear();
        }
    };
    let file_input = NodeRef::<html::Input>::new();

    let add_file = move |file: web_sys::File| {
        busy.set(true);
        message.set(None);
        leptos::task::spawn_local(async move {
            match store.add_file(file).await {
                Ok(meta) => attach(editor, cell, i, meta),
                Err(e) => message.set(Some(e)),
            }
            busy.set(false);
        });
    };
    let on_drop = move |ev: leptos::ev::DragEvent| {
        let Some(file) = ev.data_transfer().and_then(|d| d.files()).and_then(|f| f.get(0)) else { return };
        // Only files: dropped text goes into the textarea as usual.
        ev.prevent_default();
        ev.stop_propagation();
        add_file(file);
    };
    let on_paste = move |ev: leptos::ev::ClipboardEvent| {
        let file = ev.clipboard_data().and_then(|d| d.files()).and_then(|f| f.get(0));
        if let Some(file) = file {
            ev.prevent_default();
            add_file(file);
        }
    };
    let toggle_recording = move |_| {
        message.set(None);
        if recording.get_untracked() {
            recording.set(false);
            stop_ticker();
            busy.set(true);
            leptos::task::spawn_local(async move {
                let result = match media::record_stop().await {
                    Ok(wav) => {
                        let iso = crate::domain::time::format_iso(crate::ui::platform::platform::now_ms());
                        let name = format!("Recording {}.wav", iso.get(11..16).unwrap_or("").replace(':', "-"));
                        store.add(name, wav).await
                    }
                    Err(e) => Err(e),
                };
                match result {
                    Ok(meta) => attach(editor, cell, i, meta),
                    Err(e) => message.set(Some(e)),
                }
                busy.set(false);
            });
        } else {
            leptos::task::spawn_local(async move {
                match media::record_start().await {
                    Ok(()) => {
                        elapsed.set(0);
                        stop_ticker();
                        let tick = move || elapsed.update(|s| *s += 1);
                        ticker.set_value(set_interval_with_handle(tick, std::time::Duration::from_secs(1)).ok());
                        recording.set(true);
                    }
                    Err(e) => message.set(Some(e)),
                }
            });
        }
    };
    on_cleanup(move || {
        stop_ticker();
        if recording.get_untracked() {
            media::record_cancel();
        }
    });
    let remove = move |_| {
        set_value(editor, cell, format!("value-media-{i}"), i, |v| {
            v.media = None;
            v.value = String::new();
        });
        editor.end_merge();
    };
    let make_smaller = move |_| {
        let Some(meta) = media.get_untracked() else { return };
        busy.set(true);
        leptos::task::spawn_local(async move {
            match store.downscale(meta.clone()).await {
                Ok(small) => {
                    message.set(Some(format!(
                        "Made smaller: {} \u{2192} {}.",
                        human_size(meta.size),
                        human_size(small.size)
                    )));
                    attach(editor, cell, i, small);
                }
                Err(e) => message.set(Some(e)),
            }
            busy.set(false);
        });
    };

    let preview = move || {
        let meta = media.get()?;
        let url = store.url(&meta.id);
        let caption = format!("{} \u{b7} {}", meta.name, human_size(meta.size));
        let body = match (meta.kind(), url) {
            (_, None) => view! {
                <p class="media-missing">"This file is not in this browser (it came from a link or another device). Add it again."</p>
            }
            .into_any(),
            (Some(MediaKind::Audio), Some(url)) => {
                view! { <audio class="media-audio" controls=true src=url aria-label=format!("Play {}", meta.name)></audio> }.into_any()
            }
            (_, Some(url)) => view! { <img class="media-thumb" src=url alt=meta.name.clone() /> }.into_any(),
        };
        let big_image = meta.kind() == Some(MediaKind::Image) && meta.size > OFFER_SMALLER_ABOVE;
        Some(view! {
            <figure class="media-value">
                {body}
                <figcaption>{caption}</figcaption>
                <div class="media-actions">
                    {big_image.then(|| view! {
                        <button class="button button-quiet" on:click=make_smaller disabled=move || busy.get()>
                            "Make smaller"
                        </button>
                    })}
                    <button class="button button-quiet" on:click=remove aria-label=format!("Remove file from value {}", i + 1)>
                        "Remove file"
                    </button>
                </div>
            </figure>
        })
    };

    view! {
        <div class="input-value-body" on:drop=on_drop on:dragover=|ev: leptos::ev::DragEvent| ev.prevent_default()>
            <Show when=move || media.with(Option::is_some) fallback=move || view! {
                <textarea rows="4" aria-label=format!("Value {}", i + 1)
                    class:text-unbroken=move || value.with(|v| v.as_ref().is_some_and(|v| crate::domain::markdown::has_unbroken_run(&v.value, UNBROKEN)))
                    placeholder="Type text, or drop, paste or add an image or audio file"
                    prop:value=move || value.with(|v| v.as_ref().map(|v| v.value.clone()).unwrap_or_default())
                    on:paste=on_paste
                    on:input=move |ev| {
                        let text = event_target_value(&ev);
                        set_value(editor, cell, format!("value-{i}"), i, move |v| v.value = text);
                    }
                    on:blur=move |_| editor.end_merge()></textarea>
                <div class="media-actions">
                    <button class="button button-quiet" disabled=move || busy.get()
                        on:click=move |_| { if let Some(input) = file_input.get() { input.click(); } }>
                        "Add image or audio\u{2026}"
                    </button>
                    {media::can_record().then(|| view! {
                        <button class="button button-quiet" class:recording=move || recording.get() disabled=move || busy.get()
                            aria-pressed=move || recording.get().to_string()
                            on:click=toggle_recording>
                            {move || if recording.get() { "\u{25a0} Stop recording" } else { "\u{25cf} Record" }}
                        </button>
                        <Show when=move || recording.get()>
                            <span class="recording-time" role="timer" aria-label="Recorded so far">
                                {move || { let s = elapsed.get(); format!("{}:{:02}", s / 60, s % 60) }}
                            </span>
                        </Show>
                    })}
                    <input type="file" accept=ACCEPT class="visually-hidden" node_ref=file_input tabindex="-1"
                        aria-label=format!("Image or audio file for value {}", i + 1)
                        on:change=move |ev| {
                            let input: web_sys::HtmlInputElement = event_target(&ev);
                            if let Some(file) = files_of(input.files()).into_iter().next() {
                                add_file(file);
                            }
                            input.set_value("");
                        } />
                </div>
            }>
                {preview}
            </Show>
            {move || message.get().map(|m| view! { <p class="media-message" role="status">{m}</p> })}
        </div>
    }
}
