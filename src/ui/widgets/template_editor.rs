//! A textarea for `{{variable}}` templates with the variables highlighted: a backdrop
//! mirrors the text and marks placeholders; the textarea above it is transparent.
//! Text is placed with text nodes only, never parsed as HTML.

use crate::domain::template::{parse, Segment};
use leptos::prelude::*;

fn pieces(text: &str) -> Vec<(String, bool)> {
    match parse(text) {
        Ok(segs) => segs
            .into_iter()
            .map(|s| match s {
                Segment::Text(t) => (t.to_string(), false),
                Segment::Braces => ("\\{{".to_string(), false),
                Segment::Variable { start, end, .. } => (text[start..end].to_string(), true),
            })
            .collect(),
        Err(_) => vec![(text.to_string(), false)],
    }
}

#[component]
pub fn TemplateEditor(
    label: &'static str,
    value: Signal<String>,
    #[prop(into)] on_input: Callback<String>,
    #[prop(into)] on_commit: Callback<()>,
    #[prop(optional)] placeholder: &'static str,
    #[prop(default = 4)] rows: u32,
) -> impl IntoView {
    let backdrop = NodeRef::<leptos::html::Div>::new();
    view! {
        <label class="field">
            <span class="field-label">{label}</span>
            <div class="template-editor">
                <div class="template-backdrop" node_ref=backdrop aria-hidden="true">
                    {move || {
                        let text = value.get();
                        pieces(&text)
                            .into_iter()
                            .map(|(t, var)| if var { view! { <mark>{t}</mark> }.into_any() } else { view! { <span>{t}</span> }.into_any() })
                            .collect_view()
                    }}
                    // A trailing newline needs a character after it to take up a line.
                    " "
                </div>
                <textarea
                    class="template"
                    rows=rows
                    spellcheck="false"
                    placeholder=placeholder
                    aria-label=label
                    prop:value=move || value.get()
                    on:input=move |ev| { on_input.try_run(event_target_value(&ev)); }
                    // Clicking another block removes this editor before its blur arrives: the
                    // callback is gone by then (`run` panicked: "reactive value … disposed").
                    on:blur=move |_| { on_commit.try_run(()); }
                    on:scroll=move |ev| {
                        let ta: web_sys::HtmlTextAreaElement = event_target(&ev);
                        if let Some(b) = backdrop.get() {
                            b.set_scroll_top(ta.scroll_top());
                        }
                    }
                ></textarea>
            </div>
        </label>
    }
}
