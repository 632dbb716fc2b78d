//! Asks before a flow's HTTP tools contact hosts for the first time. Nothing is sent until
//! the user allows them; the answer is remembered per flow.

use super::run::Runner;
use crate::ui::state::editor::Editor;
use crate::ui::state::settings::Settings;
use leptos::prelude::*;

#[component]
pub fn ApproveHostsDialog() -> impl IntoView {
    let runner = expect_context::<Runner>();
    let editor = expect_context::<Editor>();
    let settings = expect_context::<Settings>();
    let cancel = move |_| runner.approval.set(None);
    view! {
        <Show when=move || runner.approval.with(Option::is_some)>
            <div class="dialog-backdrop" on:click=cancel>
                <div class="dialog" role="dialog" aria-modal="true" aria-label="Allow tool hosts"
                    on:click=|ev| ev.stop_propagation()>
                    <header class="dialog-header">
                        <h2>"Allow this flow to contact these hosts?"</h2>
                        <button class="icon-button" aria-label="Close without running" on:click=cancel>"\u{d7}"</button>
                    </header>
                    <p>"This flow has tools that send HTTP requests. When the model calls them, your browser will contact:"</p>
                    <ul class="host-list" aria-label="Hosts">
                        {move || runner.approval.get().map(|a| a.hosts).unwrap_or_default().into_iter()
                            .map(|h| view! { <li><code>{h}</code></li> }).collect_view()}
                    </ul>
                    <p class="field-help">"The model chooses the arguments, so requests may carry what is in your inputs. \
                        Your API keys are never sent to these hosts. Chainboard remembers your answer for this flow."</p>
                    <div class="dialog-footer dialog-footer-end">
                        <button class="button button-quiet" on:click=cancel>"Cancel"</button>
                        <button class="button button-primary" on:click=move |_| runner.approve_and_run(editor, settings)>
                            "Allow and run"
                        </button>
                    </div>
                </div>
            </div>
        </Show>
    }
}
