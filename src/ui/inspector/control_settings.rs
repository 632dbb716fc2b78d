//! Settings of the control-flow blocks: Router (routes, rules or a model), Transform (the
//! operation and a live preview on the last run's input) and Approval (what to check).

use leptos::prelude::*;

use super::inspector::edit_config;
use crate::domain::blocks::router::DEFAULT_ROUTE;
use crate::domain::blocks::transform::{CountWhat, SplitBy, TRANSFORM_INPUT_PORT};
use crate::domain::blocks::{
    ApprovalConfig, BlockConfig, RouteRule, RouterConfig, RouterMode, RuleTest, TransformConfig, TransformOp,
};
use crate::domain::flow::Block;
use crate::domain::providers::ProviderKind;
use crate::ui::run::run::Runner;
use crate::ui::state::editor::Editor;

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

/// One text field of a rule: its label, its value, and how an edit writes back.
type RuleField = (&'static str, String, fn(&mut RuleTest, String));

#[component]
fn RuleRow(i: usize, rule: RouteRule, routes: Vec<String>, cell: RwSignal<Block>) -> impl IntoView {
    let editor = expect_context::<Editor>();
    let set = move |key: &'static str, f: Box<dyn FnOnce(&mut RouteRule)>| {
        edit_config(editor, cell, &format!("{key}-{i}"), move |c| {
            if let BlockConfig::Router(r) = c {
                if let Some(rule) = r.rules.get_mut(i) {
                    f(rule);
                }
            }
        });
    };
    let end = move || editor.end_merge();
    let n = i + 1;
    let kind = rule.test.kind_id();
    // One or two text fields, depending on the test.
    let fields: Vec<RuleField> = match &rule.test {
        RuleTest::Contains { text }
        | RuleTest::Equals { text }
        | RuleTest::StartsWith { text }
        | RuleTest::EndsWith { text } => {
            vec![("text", text.clone(), |t, v| match t {
                RuleTest::Contains { text }
                | RuleTest::Equals { text }
                | RuleTest::StartsWith { text }
                | RuleTest::EndsWith { text } => *text = v,
                _ => {}
            })]
        }
        RuleTest::ContainsAny { words } => vec![("words, separated by commas", words.clone(), |t, v| {
            if let RuleTest::ContainsAny { words } = t {
                *words = v;
            }
        })],
        RuleTest::Matches { pattern } => vec![("pattern", pattern.clone(), |t, v| {
            if let RuleTest::Matches { pattern } = t {
                *pattern = v;
            }
        })],
        RuleTest::JsonFieldEquals { path, value } => vec![
            ("field, e.g. customer.plan", path.clone(), |t, v| {
                if let RuleTest::JsonFieldEquals { path, .. } = t {
                    *path = v;
                }
            }),
            ("value", value.clone(), |t, v| {
                if let RuleTest::JsonFieldEquals { value, .. } = t {
                    *value = v;
                }
            }),
        ],
        RuleTest::NumberInRange { path, min, max } => vec![
            ("lowest", min.map(|m| m.to_string()).unwrap_or_default(), |t, v| {
                if let RuleTest::NumberInRange { min, .. } = t {
                    *min = v.trim().parse().ok();
                }
            }),
            ("highest", max.map(|m| m.to_string()).unwrap_or_default(), |t, v| {
                if let RuleTest::NumberInRange { max, .. } = t {
                    *max = v.trim().parse().ok();
                }
            }),
            ("field (optional)", path.clone(), |t, v| {
                if let RuleTest::NumberInRange { path, .. } = t {
                    *path = v;
                }
            }),
        ],
        RuleTest::PersonalData => Vec::new(),
        RuleTest::Moderation { categories, min_score, .. } => vec![
            ("categories (optional), e.g. harassment, violence", categories.clone(), |t, v| {
                if let RuleTest::Moderation { categories, .. } = t {
                    *categories = v;
                }
            }),
            ("score from 0 to 1 (optional)", min_score.map(|m| m.to_string()).unwrap_or_default(), |t, v| {
                if let RuleTest::Moderation { min_score, .. } = t {
                    *min_score = v.trim().parse().ok();
                }
            }),
        ],
        RuleTest::LongerThan { chars } => vec![("most characters allowed", chars.to_string(), |t, v| {
            if let RuleTest::LongerThan { chars } = t {
                *chars = v.trim().parse().unwrap_or(0);
            }
        })],
    };
    let route = rule.route.clone();
    let sample = match &rule.test {
        RuleTest::Moderation { sample, .. } => Some(*sample),
        _ => None,
    };
    let moderation_options = sample.map(|on| {
        view! {
            <label class="check rule-sample">
                <input type="checkbox" prop:checked=on on:change=move |ev| {
                    let on = event_target_checked(&ev);
                    set("rule-sample", Box::new(move |r| if let RuleTest::Moderation { sample, .. } = &mut r.test { *sample = on; }));
                    end();
                } />
                " Sample moderation (no key, no request sent)"
            </label>
            <p class="field-help">{if on {
                "A small built-in word list stands in for OpenAI; each decision says it is a sample."
            } else {
                "Sends the input to OpenAI\u{2019}s moderation endpoint (free) with your OpenAI key. Empty categories: whatever OpenAI flags; a score counts categories at or above it."
            }}</p>
        }
    });
    view! {
        <div class="rule-row" role="group" aria-label=format!("Rule {n}")>
            <div class="control-row">
                <span class="rule-if">"If the input"</span>
                <select aria-label=format!("Rule {n} test") on:change=move |ev| {
                    let k = event_target_value(&ev);
                    set("rule-test", Box::new(move |r| r.test = RuleTest::of_kind(&k)));
                    end();
                }>
                    {RuleTest::KINDS.iter().map(|(id, label)| view! { <option value=*id selected=*id == kind>{*label}</option> }).collect_view()}
                </select>
            </div>
            {fields.into_iter().map(|(label, value, write)| view! {
                <input type="text" class="rule-field" aria-label=format!("Rule {n} {label}") placeholder=label prop:value=value
                    on:input=move |ev| { let v = event_target_value(&ev); set("rule-field", Box::new(move |r| write(&mut r.test, v))); }
                    on:blur=move |_| end() />
            }).collect_view()}
            {moderation_options}
            <div class="control-row">
                <span class="rule-if">"go to"</span>
                <select aria-label=format!("Rule {n} route") on:change=move |ev| {
                    let v = event_target_value(&ev);
                    set("rule-route", Box::new(move |r| r.route = v));
                    end();
                }>
                    {(!routes.contains(&route)).then(|| view! { <option value=route.clone() selected>{format!("{route} (missing)")}</option> })}
                    {routes.iter().map(|r| view! { <option value=r.clone() selected=*r == route>{r.clone()}</option> }).collect_view()}
                </select>
                <label class="check">
                    <input type="checkbox" prop:checked=rule.case_sensitive on:change=move |ev| {
                        let on = event_target_checked(&ev);
                        set("rule-case", Box::new(move |r| r.case_sensitive = on));
                        end();
                    } />
                    " Match case"
                </label>
                <button class="button button-quiet" aria-label=format!("Remove rule {n}") on:click=move |_| {
                    edit_config(editor, cell, "rule-remove", move |c| {
                        if let BlockConfig::Router(r) = c { if i < r.rules.len() { r.rules.remove(i); } }
                    });
                    end();
                }><crate::ui::widgets::icons::Icon name="close" size=14 /></button>
            </div>
        </div>
    }
}

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
