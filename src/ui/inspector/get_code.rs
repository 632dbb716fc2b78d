//! "Get code" in a Prompt block's inspector: the block's request as cURL, Python and Node
//! (src/domain/export_code/snippets.rs), each with a Copy button. The key stays an
//! environment variable; the code is shown as text, never as markup.

use crate::domain::blocks::BlockConfig;
use crate::domain::export_code::snippets::prompt_snippets;
use crate::domain::flow::Block;
use crate::ui::platform::platform;
use leptos::prelude::*;

#[component]
pub fn GetCode(cell: RwSignal<Block>) -> impl IntoView {
    let open = RwSignal::new(false);
    let copied = RwSignal::new(None::<&'static str>);
    let snippets = move || {
        cell.with(|b| match &b.config {
            BlockConfig::Prompt(p) => prompt_snippets(p),
            _ => Vec::new(),
        })
    };
    view! {
        <div class="get-code">
            <button class="button button-quiet" aria-expanded=move || open.get().to_string()
                title="This block's request as cURL, Python and Node code"
                on:click=move |_| { open.update(|o| *o = !*o); copied.set(None); }>
                "Get code"
            </button>
            <Show when=move || open.get()>
                <p class="field-help">"Set the key as an environment variable first, e.g. export OPENAI_API_KEY=\u{2026}"</p>
                {move || snippets().into_iter().map(|s| {
                    let label = s.label;
                    let code = s.code.clone();
                    view! {
                        <section class="code-snippet" aria-label=format!("{label} code")>
                            <div class="code-snippet-head">
                                <span class="field-label">{label}</span>
                                <button class="button button-quiet" aria-label=format!("Copy {label} code")
                                    on:click=move |_| {
                                        let code = code.clone();
                                        leptos::task::spawn_local(async move {
                                            if platform::copy_text(&code).await {
                                                copied.set(Some(label));
                                            }
                                        });
                                    }>
                                    {move || if copied.get() == Some(label) { "Copied" } else { "Copy" }}
                                </button>
                            </div>
                            <pre class="code-snippet-body" tabindex="0">{s.code}</pre>
                        </section>
                    }
                }).collect_view()}
            </Show>
        </div>
    }
}
