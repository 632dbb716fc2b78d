//! The flow list: create, open, rename, duplicate and delete flows saved in this browser.

use crate::domain::flow::{Flow, FlowMeta};
use crate::ui::platform::platform;
use crate::ui::state::editor::Editor;
use crate::ui::state::persist::Session;
use leptos::prelude::*;

#[component]
pub fn FlowsMenu() -> impl IntoView {
    let editor = expect_context::<Editor>();
    let session = expect_context::<Session>();
    let open = RwSignal::new(false);
    let renaming = RwSignal::new(None::<String>);
    let anchor = NodeRef::<leptos::html::Div>::new();
    crate::ui::widgets::menu::dismiss_outside(open, anchor);
    let new_flow = move |_| {
        let now = platform::now_ms();
        let flow = Flow {
            meta: FlowMeta {
                title: "Untitled flow".into(),
                description: String::new(),
                created_ms: now,
                updated_ms: now,
            },
            ..Flow::default()
        };
        session.create(editor, flow);
        open.set(false);
    };
    let gallery = expect_context::<super::gallery::GalleryOpen>().0;
    view! {
        <div class="menu-anchor" node_ref=anchor>
            <button class="button" aria-haspopup="true" aria-expanded=move || open.get().to_string()
                on:click=move |_| open.update(|o| *o = !*o)>"Flows"<crate::ui::widgets::icons::Icon name="chevron" size=14 /></button>
            <Show when=move || open.get()>
                <div class="menu flows-menu" role="dialog" aria-label="Flows">
                    <div class="menu-actions">
                        <button class="button button-primary" on:click=new_flow>"New flow"</button>
                        <button class="button" on:click=move |_| { gallery.set(true); open.set(false); }>"Templates\u{2026}"</button>
                    </div>
                    <ul class="flow-list" aria-label="Saved flows">
                        <For each=move || session.workspace.get().flows key=|f| (f.id.clone(), f.title.clone()) let:entry>
                            {
                                let id = entry.id.clone();
                                let (id_open, id_ren, id_dup, id_del, id_edit, id_cur) = (id.clone(), id.clone(), id.clone(), id.clone(), id.clone(), id.clone());
                                let title = entry.title.clone();
                                let title_attr = title.clone();
                                let shown = if title.trim().is_empty() { "Untitled flow".to_string() } else { title.clone() };
                                let is_current = move || session.current.get() == id_cur;
                                view! {
                                    <li class="flow-item" class:current=is_current>
                                        <Show when=move || renaming.get().as_deref() == Some(id_edit.as_str())
                                            fallback={
                                                let shown = shown.clone();
                                                let id_open = id_open.clone();
                                                move || {
                                                    let id_open = id_open.clone();
                                                    view! {
                                                        <button class="flow-open" aria-label=format!("Open {}", shown)
                                                            on:click=move |_| { session.open(editor, &id_open); open.set(false); }>
                                                            {shown.clone()}
                                                        </button>
                                                    }
                                                }
                                            }>
                                            {
                                                let id_ren = id_ren.clone();
                                                let title_attr = title_attr.clone();
                                                view! {
                                                    <input class="flow-rename" type="text" aria-label="New name" prop:value=title_attr
                                                        on:change=move |ev| { session.rename(editor, &id_ren, &event_target_value(&ev)); renaming.set(None); }
                                                        on:keydown=move |ev| if ev.key() == "Escape" { renaming.set(None) } />
                                                }
                                            }
                                        </Show>
                                        <button class="icon-button" aria-label=format!("Rename {}", title) on:click={
                                            let id = id.clone();
                                            move |_| renaming.set(Some(id.clone()))
                                        }><crate::ui::widgets::icons::Icon name="rename" size=14 /></button>
                                        <button class="icon-button" aria-label=format!("Duplicate {}", title)
                                            on:click=move |_| { session.duplicate(editor, &id_dup); open.set(false); }><crate::ui::widgets::icons::Icon name="duplicate" size=14 /></button>
                                        <button class="icon-button" aria-label=format!("Delete {}", title)
                                            on:click=move |_| session.delete(editor, &id_del)><crate::ui::widgets::icons::Icon name="trash" size=14 /></button>
                                    </li>
                                }
                            }
                        </For>
                    </ul>
                </div>
            </Show>
        </div>
    }
}
