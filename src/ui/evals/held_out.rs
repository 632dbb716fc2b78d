//! Held-out cases in an eval's results: hidden while the prompt is tuned, revealed on request
//! (for the summary and the outputs grid at once), with a warning when the working cases pass
//! clearly more often.

use crate::domain::evals::report::Report;
use leptos::prelude::*;

/// Whether held-out results are revealed (for the whole results view, so the grid and the
/// summary agree). Provided by [`Results`](super::eval_results::Results).
#[derive(Clone, Copy)]
pub(super) struct HeldOutShown(pub(super) RwSignal<bool>);

/// Held-out cases: hidden while the prompt is tuned, revealed on request with a warning when
/// the working cases pass clearly more often.
#[component]
pub(super) fn HeldOut(report: Report) -> impl IntoView {
    let shown = expect_context::<HeldOutShown>().0;
    let count = report.held_out_cases;
    (count > 0).then(move || {
        let rows = report
            .variants
            .iter()
            .filter_map(|v| {
                let h = v.held_out.as_ref()?;
                let rate = h.rate.map_or_else(|| "no checked runs yet".to_string(), |r| r.describe("pass"));
                let working = v.rate.map_or_else(|| "no checked runs yet".to_string(), |r| r.describe("pass"));
                Some((v.name.clone(), working, rate, h.overfitting_warning(v.rate)))
            })
            .collect::<Vec<_>>();
        view! {
            <div class="held-out" role="region" aria-label="Held-out cases">
                <p>
                    <strong>{format!("{count} held-out case{}", if count == 1 { "" } else { "s" })}</strong>
                    {move || if shown.get() {
                        " \u{b7} results shown below and in the grid."
                    } else {
                        " \u{b7} results hidden while you tune the prompt, so you are not tempted to fit it to them. The numbers above are the working cases only."
                    }}
                </p>
                <Show when=move || !shown.get()>
                    <button class="button button-quiet" on:click=move |_| shown.set(true)>"Show held-out results"</button>
                </Show>
                <Show when=move || shown.get()>
                    <ul class="held-out-list">
                        {rows.clone().into_iter().map(|(name, working, rate, warning)| view! {
                            <li>
                                <strong>{name}</strong>{format!(": held out {rate}; working cases {working}.")}
                                {warning.map(|w| view! { <p class="verdict-warning" role="note">{w}</p> })}
                            </li>
                        }).collect_view()}
                    </ul>
                    <button class="button button-quiet" on:click=move |_| shown.set(false)>"Hide held-out results"</button>
                </Show>
            </div>
        }
    })
}
