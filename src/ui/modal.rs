//! The shell every dialog shares: backdrop (click to close), labelled dialog, title and a
//! close button. Escape is handled by the app's shortcuts.

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
    view! {
        <Show when=move || open.get()>
            <div class="dialog-backdrop" on:click=move |_| open.set(false)>
                <div class=class.clone() role="dialog" aria-modal="true" aria-label=label on:click=|ev| ev.stop_propagation()>
                    <header class="dialog-header">
                        <h2>{title}</h2>
                        <button class="icon-button" aria-label=close_label on:click=move |_| open.set(false)>"\u{d7}"</button>
                    </header>
                    {children()}
                </div>
            </div>
        </Show>
    }
}
