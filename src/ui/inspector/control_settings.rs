//! Settings of the control-flow blocks: Router (routes, rules or a model) and Approval (what to
//! check, and the value waiting or what was decided). A Router's rule rows are router_rule.rs;
//! Transform's settings are transform_settings.rs, reached through here too.

use leptos::prelude::*;

use super::inspector::edit_config;
use super::router_rule::RuleRow;
use crate::domain::blocks::router::DEFAULT_ROUTE;
use crate::domain::blocks::{ApprovalConfig, BlockConfig, RouteRule, RouterConfig, RouterMode, RuleTest};
use crate::domain::flow::Block;
use crate::domain::providers::ProviderKind;
use crate::ui::run::run::Runner;
use crate::ui::state::editor::Editor;

pub use super::transform_settings::TransformSettings;

fn router_of(b: &Block) -> RouterConfig {
    match &b.config {
        BlockConfig::Router(r) => r.clone(),
        _ => RouterConfig::default(),
    }
}

#[component]
pub fn RouterSettings(cell: RwSignal<Block>) -> impl IntoView {
    let editor = expect_context::<Editor>();
    let runner = expect_context::<Runner>();
    let get = move || cell.with(router_of);
    let set = move |key: String, f: Box<dyn FnOnce(&mut RouterConfig)>| {
        edit_config(editor, cell, &key, move |c| {
            if let BlockConfig::Router(r) = c {
                f(r);
            }
        });
    };
    let end = move || editor.end_merge();
    let id = cell.with_untracked(|b| b.id.clone());
    let run = runner.run_of(&id);
    let last = move || {
        run.with(|r| {
            let choice = r.as_ref()?.route.clone()?;
            let mut s = format!("Last run went to \u{201c}{}\u{201d}", choice.route);
            if let Some(i) = choice.rule {
                s.push_str(&format!(" (rule {})", i + 1));
            }
            s.push('.');
            if let Some(reason) = choice.reason {
                s.push_str(&format!(" Reason: {reason}"));
            }
            if let Some(note) = choice.note {
                s.push(' ');
                s.push_str(&note);
            }
            Some(s)
        })
    };
    let route_rows = move || {
        let routes = get().routes;
        routes
            .into_iter()
            .enumerate()
            .map(|(i, name)| {
                view! {
                    <div class="control-row">
                        <input type="text" aria-label=format!("Route {} name", i + 1) prop:value=name
                            on:input=move |ev| {
                                let v = event_target_value(&ev).trim().to_string();
                                set(format!("route-name-{i}"), Box::new(move |c| {
                                    if let Some(old) = c.routes.get(i).cloned() {
                                        // Rules follow a renamed route.
                                        for r in c.rules.iter_mut().filter(|r| r.route == old) {
                                            r.route = v.clone();
                                        }
                                    }
                                    if let Some(slot) = c.routes.get_mut(i) { *slot = v; }
                                }));
                            }
                            on:blur=move |_| end() />
                        <button class="button button-quiet" aria-label=format!("Remove route {}", i + 1)
                            on:click=move |_| { set("route-remove".into(), Box::new(move |c| { if i < c.routes.len() { c.routes.remove(i); } })); end(); }>
                            <crate::ui::widgets::icons::Icon name="close" size=14 />
                        </button>
                    </div>
                }
            })
            .collect_view()
    };
    let rule_rows = move || {
        let cfg = get();
        let routes = cfg.route_names();
        cfg.rules
            .into_iter()
            .enumerate()
            .map(|(i, rule)| view! { <RuleRow i rule routes=routes.clone() cell /> })
            .collect_view()
    };
    view! {
        <p class="field-help">"Sends its input down one route. Blocks on the routes not taken are skipped. Anything no rule matches goes to \u{201c}default\u{201d}."</p>
        <label class="field">
            <span class="field-label">"Choose the route"</span>
            <select on:change=move |ev| {
                let mode = if event_target_value(&ev) == "model" { RouterMode::Model } else { RouterMode::Rules };
                set("router-mode".into(), Box::new(move |c| c.mode = mode));
                end();
            }>
                <option value="rules" selected=move || get().mode == RouterMode::Rules>"By rules (first match wins)"</option>
                <option value="model" selected=move || get().mode == RouterMode::Model>"A model picks"</option>
            </select>
        </label>
        <fieldset class="field control-group">
            <legend class="field-label">"Routes"</legend>
            {route_rows}
            <button class="button" on:click=move |_| {
                set("route-add".into(), Box::new(|c| {
                    let n = (1..).map(|k| format!("route_{k}")).find(|n| !c.routes.contains(n)).unwrap_or_default();
                    c.routes.push(n);
                }));
                end();
            }>"Add route"</button>
            <p class="field-help">"\u{201c}default\u{201d} is always there."</p>
        </fieldset>
        <Show when=move || get().mode == RouterMode::Rules>
            <fieldset class="field control-group">
                <legend class="field-label">"Rules"</legend>
                {rule_rows}
                <button class="button" on:click=move |_| {
                    set("rule-add".into(), Box::new(|c| {
                        let route = c.routes.first().cloned().unwrap_or_else(|| DEFAULT_ROUTE.to_string());
                        c.rules.push(RouteRule { route, test: RuleTest::Contains { text: String::new() }, case_sensitive: false });
                    }));
                    end();
                }>"Add rule"</button>
            </fieldset>
        </Show>
        <Show when=move || get().mode == RouterMode::Model>
            <label class="field">
                <span class="field-label">"Provider"</span>
                <select aria-label="Router provider" on:change=move |ev| {
                    let v = event_target_value(&ev);
                    set("router-provider".into(), Box::new(move |c| c.provider = v));
                    end();
                }>
                    {ProviderKind::ALL.iter().filter(|k| **k != ProviderKind::Browser).map(|k| {
                        let id = k.id();
                        view! { <option value=id selected=move || get().provider == id>{k.label()}</option> }
                    }).collect_view()}
                </select>
            </label>
            <label class="field">
                <span class="field-label">"Model"</span>
                <input type="text" aria-label="Router model" placeholder="gpt-4o-mini" prop:value=move || get().model
                    on:input=move |ev| { let v = event_target_value(&ev).trim().to_string(); set("router-model".into(), Box::new(move |c| c.model = v)); }
                    on:blur=move |_| end() />
            </label>
            <label class="field">
                <span class="field-label">"What the routes mean (optional)"</span>
                <textarea rows="4" placeholder="billing: charges, refunds, invoices"
                    prop:value=move || get().instructions
                    on:input=move |ev| { let v = event_target_value(&ev); set("router-instructions".into(), Box::new(move |c| c.instructions = v)); }
                    on:blur=move |_| end()></textarea>
            </label>
            <p class="field-help">"The model is asked to answer with one route name and a reason; the reason is kept with the run. An answer that names no route goes to \u{201c}default\u{201d}."</p>
        </Show>
        {move || last().map(|s| view! { <p class="control-last" role="status">{s}</p> })}
    }
}

/// A problem that depends on the keys in Settings, not on the flow: a Router's moderation rule
/// with no OpenAI key.
pub fn key_problem(b: &Block, settings: crate::ui::state::settings::Settings) -> Option<String> {
    match &b.config {
        BlockConfig::Router(r) if r.uses_openai_moderation() => {
            r.moderation_key_problem(settings.has_key(crate::domain::providers::ProviderKind::OpenAi))
        }
        _ => None,
    }
}

#[component]
pub fn ApprovalSettings(cell: RwSignal<Block>) -> impl IntoView {
    let editor = expect_context::<Editor>();
    view! {
        <p class="field-help">"Holds the run with the value it receives until someone approves it (as it is, or after editing it) or rejects it. Rejecting skips the blocks after it. Evaluations approve automatically."</p>
        <label class="field">
            <span class="field-label">"What to check"</span>
            <textarea rows="3" placeholder="Facts, tone, names"
                prop:value=move || cell.with(|b| match &b.config { BlockConfig::Approval(a) => a.instructions.clone(), _ => String::new() })
                on:input=move |ev| {
                    let instructions = event_target_value(&ev);
                    edit_config(editor, cell, "approval-instructions", |c| *c = BlockConfig::Approval(ApprovalConfig { instructions }));
                }
                on:blur=move |_| editor.end_merge()></textarea>
        </label>
    }
}

/// The value waiting (with the actions) or what was decided, in the inspector.
#[component]
pub fn ApprovalStatus(id: crate::domain::flow::BlockId) -> impl IntoView {
    let runner = expect_context::<Runner>();
    let run = runner.run_of(&id);
    let approval = move || run.with(|r| r.as_ref().and_then(|r| r.approval.clone()));
    view! {
        {move || approval().map(|a| view! {
            <section class="approval-status" aria-label="Approval">
                <p class="field-label">{a.state.label()}</p>
                <pre class="preview-text">{a.received.clone()}</pre>
                {a.reason.map(|r| view! { <p class="field-help">{format!("Reason: {r}")}</p> })}
            </section>
        })}
        <crate::ui::run::approval::ApprovalActions id=id.clone() />
    }
}
