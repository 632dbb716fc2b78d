//! "Data sent": after a run, which providers received requests, from which blocks, and what
//! personal data went with them (see `domain::privacy::sent`). Read from the run's traces,
//! which hold each request as sent with its key removed.

use leptos::prelude::*;

use super::run::Runner;
use crate::domain::privacy::sent::{data_sent, Destination, SentRequest};
use crate::ui::state::editor::Editor;
use crate::ui::widgets::modal::Modal;

#[derive(Clone, Copy)]
pub struct DataSentOpen(pub RwSignal<bool>);

fn destinations(editor: Editor, runner: Runner) -> Vec<Destination> {
    let blocks: Vec<_> = editor.with_flow(|f| f.blocks.iter().map(|b| (b.id.clone(), b.title.clone())).collect());
    let traces: Vec<(String, Vec<crate::domain::providers::HttpRequest>)> = blocks
        .into_iter()
        .filter_map(|(id, title)| {
            let sent = runner.run_of(&id).with(|r| r.as_ref().map(|r| r.trace.sent.clone()))?;
            (!sent.is_empty()).then_some((title, sent))
        })
        .collect();
    data_sent(traces.iter().flat_map(|(title, sent)| {
        sent.iter().map(move |r| SentRequest { block: title, url: &r.url, body: r.body.as_deref() })
    }))
}

crate::ui::widgets::lazy::load_on_first_open!(
    dialogs,
    LazyDataSentDialog,
    build_data_sent_dialog,
    DataSentDialog,
    "Data sent",
    expect_context::<DataSentOpen>().0
);

#[component]
fn DataSentDialog() -> impl IntoView {
    let editor = expect_context::<Editor>();
    let runner = expect_context::<Runner>();
    let open = expect_context::<DataSentOpen>().0;
    view! {
        <Modal open label="Data sent" title="What the last run sent" close_label="Close data sent">
            {move || {
                runner.running.track();
                let list = destinations(editor, runner);
                if list.is_empty() {
                    return view! {
                        <p class="data-sent-none">"Nothing left this browser: no block has sent a request since the flow was opened (sample answers and cached results send nothing)."</p>
                    }.into_any();
                }
                let outside = list.iter().filter(|d| d.leaves_browser).count();
                view! {
                    <p class="field-help">{format!(
                        "{outside} {} received data from this flow. Keys are never listed; each block's Trace shows the exact requests.",
                        if outside == 1 { "destination" } else { "destinations" }
                    )}</p>
                    <ul class="data-sent" aria-label="Destinations">
                        {list.into_iter().map(|d| {
                            let warn = !d.personal.is_empty();
                            view! {
                                <li class:data-sent-warn=warn>
                                    <strong class="data-sent-host">{d.host.clone()}</strong>
                                    <span>{d.describe()}</span>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </Modal>
    }
}
