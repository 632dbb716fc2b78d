//! One rule of a Router, in its settings: the test (contains, matches, a JSON field, a number
//! range, personal data, moderation, length…), the test's text fields, the route it sends to,
//! whether case matters, and removing it.

use leptos::prelude::*;

use super::inspector::edit_config;
use crate::domain::blocks::{BlockConfig, RouteRule, RuleTest};
use crate::domain::flow::Block;
use crate::ui::state::editor::Editor;

/// One text field of a rule: its label, its value, and how an edit writes back.
type RuleField = (&'static str, String, fn(&mut RuleTest, String));

/// The text fields a rule's test has (one or more, none for personal data), with how each writes back.
fn rule_fields(test: &RuleTest) -> Vec<RuleField> {
    match test {
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
    }
}

#[component]
pub(super) fn RuleRow(i: usize, rule: RouteRule, routes: Vec<String>, cell: RwSignal<Block>) -> impl IntoView {
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
    let fields = rule_fields(&rule.test);
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
