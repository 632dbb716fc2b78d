//! The shell every dialog shares: backdrop (click to close), labelled dialog, title and a
//! close button. Escape closes the dialog on top (also while typing in one of its fields).

use leptos::prelude::*;

#[component]
pub fn Modal(
    open: RwSignal<bool>,
    /// The dialog's accessible name.
    label: &'static str,
    title: &'static str,
    close_label: &'static str,
    #[prop(optional)] wide: bool,
    /// An extra class for a dialog that needs its own size.
    #[prop(optional)]
    extra_class: &'static str,
    children: ChildrenFn,
) -> impl IntoView {
    let class = format!("{} {extra_class}", if wide { "dialog dialog-wide" } else { "dialog" });
    let backdrop = NodeRef::<leptos::html::Div>::new();
    let esc = window_event_listener(leptos::ev::keydown, move |ev| {
        if ev.key() != "Escape" || open.try_get_untracked() != Some(true) {
            return;
        }
        // Only the dialog drawn on top closes: dialogs are siblings, later ones on top.
        let Some(mine) = backdrop.get_untracked() else { return };
        let mut next = mine.next_element_sibling();
        while let Some(el) = next {
            if el.matches(".dialog-backdrop, .present").unwrap_or(false) {
                return;
            }
            next = el.next_element_sibling();
        }
        ev.prevent_default();
        open.set(false);
    });
    on_cleanup(move || esc.remove());
    view! {
        <Show when=move || open.get()>
            <div class="dialog-backdrop" node_ref=backdrop on:click=move |_| open.set(false)>
                <div class=class.clone() role="dialog" aria-modal="true" aria-label=label on:click=|ev| ev.stop_propagation()>
                    <header class="dialog-header">
                        <h2>{title}</h2>
                        <button class="icon-button" aria-label=close_label on:click=move |_| open.set(false)><super::icons::Icon name="close" /></button>
                    </header>
                    {children()}
                </div>
            </div>
        </Show>
    }
}
