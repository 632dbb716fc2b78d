//! The Transform block's settings: the operation (template, pick a field, split, join,
//! count…), its fields, and a live preview of it on the value that reached the block in the
//! last run.

use leptos::prelude::*;

use super::inspector::edit_config;
use crate::domain::blocks::transform::{CountWhat, SplitBy, TRANSFORM_INPUT_PORT};
use crate::domain::blocks::{BlockConfig, TransformConfig, TransformOp};
use crate::domain::flow::Block;
use crate::ui::run::run::Runner;
use crate::ui::state::editor::Editor;

fn transform_of(b: &Block) -> TransformConfig {
    match &b.config {
        BlockConfig::Transform(t) => t.clone(),
        _ => TransformConfig::default(),
    }
}

#[component]
pub fn TransformSettings(cell: RwSignal<Block>) -> impl IntoView {
    let editor = expect_context::<Editor>();
    let runner = expect_context::<Runner>();
    let get = move || cell.with(transform_of);
    let set = move |key: &'static str, f: Box<dyn FnOnce(&mut TransformOp)>| {
        edit_config(editor, cell, key, move |c| {
            if let BlockConfig::Transform(t) = c {
                f(&mut t.op);
            }
        });
    };
    let end = move || editor.end_merge();
    // The values that reached this block's inputs in the last run: the upstream blocks' outputs.
    let last_inputs = move || {
        let (id, inputs) = cell.with(|b| (b.id.clone(), b.input_ports()));
        let edges = editor.with_flow(|f| f.edges.iter().filter(|e| e.to.block == id).cloned().collect::<Vec<_>>());
        let mut values = std::collections::BTreeMap::new();
        for port in inputs {
            let value = edges.iter().filter(|e| e.to.port == port.name).find_map(|e| {
                runner.run_of(&e.from.block).with(|r| r.as_ref()?.port_value(&e.from.port).map(String::from))
            });
            if let Some(v) = value {
                values.insert(port.name, v);
            }
        }
        values
    };
    let preview = move || {
        let values = last_inputs();
        if values.is_empty() {
            return None;
        }
        let input = values.get(TRANSFORM_INPUT_PORT).cloned();
        Some((input, get().apply(&values)))
    };
    let op_fields = move || {
        match get().op {
        TransformOp::Template { template } => view! {
            <label class="field">
                <span class="field-label">"Template"</span>
                <textarea rows="4" aria-label="Transform template" prop:value=template
                    on:input=move |ev| { let v = event_target_value(&ev); set("t-template", Box::new(move |o| if let TransformOp::Template { template } = o { *template = v; })); }
                    on:blur=move |_| end()></textarea>
                <span class="field-help">"Each {{name}} becomes an input."</span>
            </label>
        }.into_any(),
        TransformOp::Pick { path } => view! {
            <label class="field">
                <span class="field-label">"Field"</span>
                <input type="text" aria-label="JSON field" placeholder="customer.name or items.0.title" prop:value=path
                    on:input=move |ev| { let v = event_target_value(&ev); set("t-path", Box::new(move |o| if let TransformOp::Pick { path } = o { *path = v; })); }
                    on:blur=move |_| end() />
            </label>
        }.into_any(),
        TransformOp::Split { by, separator } => view! {
            <label class="field">
                <span class="field-label">"Split by"</span>
                <select aria-label="Split by" on:change=move |ev| {
                    let by = match event_target_value(&ev).as_str() { "separator" => SplitBy::Separator, "json" => SplitBy::JsonArray, _ => SplitBy::Lines };
                    set("t-split", Box::new(move |o| if let TransformOp::Split { by: b, .. } = o { *b = by; }));
                    end();
                }>
                    <option value="lines" selected=by == SplitBy::Lines>"Lines"</option>
                    <option value="separator" selected=by == SplitBy::Separator>"A separator"</option>
                    <option value="json" selected=by == SplitBy::JsonArray>"A JSON array"</option>
                </select>
            </label>
            <Show when=move || by == SplitBy::Separator>
                <label class="field">
                    <span class="field-label">"Separator"</span>
                    <input type="text" aria-label="Separator" placeholder=", or ; or \\n" prop:value=separator.clone()
                        on:input=move |ev| { let v = event_target_value(&ev); set("t-sep", Box::new(move |o| if let TransformOp::Split { separator, .. } = o { *separator = v; })); }
                        on:blur=move |_| end() />
                </label>
            </Show>
        }.into_any(),
        TransformOp::Join { separator } => view! {
            <label class="field">
                <span class="field-label">"Join with"</span>
                <input type="text" aria-label="Join with" placeholder=", (\\n for a new line)" prop:value=separator
                    on:input=move |ev| { let v = event_target_value(&ev); set("t-join", Box::new(move |o| if let TransformOp::Join { separator } = o { *separator = v; })); }
                    on:blur=move |_| end() />
            </label>
        }.into_any(),
        TransformOp::Count { what } => view! {
            <label class="field">
                <span class="field-label">"Count"</span>
                <select aria-label="What to count" on:change=move |ev| {
                    let w = match event_target_value(&ev).as_str() { "words" => CountWhat::Words, "characters" => CountWhat::Characters, _ => CountWhat::Items };
                    set("t-count", Box::new(move |o| if let TransformOp::Count { what } = o { *what = w; }));
                    end();
                }>
                    <option value="items" selected=what == CountWhat::Items>"Items of a list"</option>
                    <option value="words" selected=what == CountWhat::Words>"Words"</option>
                    <option value="characters" selected=what == CountWhat::Characters>"Characters"</option>
                </select>
            </label>
        }.into_any(),
        _ => ().into_any(),
    }
    };
    view! {
        <p class="field-help">"Reshapes text or JSON without a model: no code runs, and the result is ready at once."</p>
        <label class="field">
            <span class="field-label">"Operation"</span>
            <select aria-label="Operation" on:change=move |ev| {
                let k = event_target_value(&ev);
                set("t-op", Box::new(move |o| *o = TransformOp::of_kind(&k)));
                end();
            }>
                {TransformOp::KINDS.iter().map(|(id, label)| view! { <option value=*id selected=move || get().op.kind_id() == *id>{*label}</option> }).collect_view()}
            </select>
        </label>
        {op_fields}
        <section class="transform-preview" aria-label="Preview">
            <p class="field-label">"Preview on the last run"</p>
            {move || match preview() {
                None => view! { <p class="field-help">"Run the flow once to see this operation applied to the value that reaches it."</p> }.into_any(),
                Some((input, result)) => view! {
                    {input.map(|i| view! { <p class="field-help">"In"</p><pre class="preview-text">{i}</pre> })}
                    <p class="field-help">"Out"</p>
                    {match result {
                        Ok(out) => view! { <pre class="preview-text">{out}</pre> }.into_any(),
                        Err(e) => view! { <p class="problem-text" role="alert">{e}</p> }.into_any(),
                    }}
                }.into_any(),
            }}
        </section>
    }
}
