//! Fairness tests in Evaluate: a box that makes counterfactual copies of the cases (one per
//! group of a protected attribute, with term lists the PM edits), and the results section that
//! compares the groups paired by original case. The logic is in `domain::evals::fairness`.

use super::eval_dialog::EvalState;
use crate::domain::evals::fairness::{counterfactuals, presets, Attribute, FairnessReport, Group};
use crate::domain::evals::stats::percent;
use leptos::prelude::*;

/// "Women's names: Emily, Sarah" per line ↔ groups.
fn groups_text(a: &Attribute) -> String {
    a.groups.iter().map(|g| format!("{}: {}", g.label, g.terms.join(", "))).collect::<Vec<_>>().join("\n")
}

fn parse_groups(text: &str) -> Vec<Group> {
    text.lines()
        .filter_map(|line| {
            let (label, terms) = line.split_once(':')?;
            let terms: Vec<String> = terms.split(',').map(|t| t.trim().to_string()).filter(|t| !t.is_empty()).collect();
            (!label.trim().is_empty() && !terms.is_empty()).then(|| Group { label: label.trim().to_string(), terms })
        })
        .collect()
}

#[component]
pub fn FairnessBox(notice: RwSignal<Option<String>>, open: RwSignal<bool>) -> impl IntoView {
    let state = expect_context::<EvalState>();
    let all = presets();
    let chosen = RwSignal::new(0usize);
    let text = RwSignal::new(groups_text(&all[0]));
    let names: Vec<String> = all.iter().map(|a| a.name.clone()).collect();
    let all_for_change = all.clone();
    let add = move |_| {
        let groups = parse_groups(&text.get_untracked());
        if groups.len() < 2 {
            notice.set(Some("Give at least two groups, one per line: \u{201c}Label: term, term\u{201d}.".into()));
            return;
        }
        let name = presets().get(chosen.get_untracked()).map_or_else(|| "Attribute".to_string(), |a| a.name.clone());
        let attribute = Attribute { name, groups };
        let generated = state.suite.with_untracked(|s| counterfactuals(&s.cases, &attribute));
        let n = generated.cases.len();
        if n == 0 {
            notice.set(Some(format!(
                "No case mentions any of these terms, so there is nothing to vary ({} cases checked).",
                generated.skipped
            )));
            return;
        }
        let originals = n / attribute.groups.len();
        state.edit(|s| s.cases.extend(generated.cases));
        notice.set(Some(format!(
            "Added {n} counterfactual copies of {originals} case{} ({} per case, one per group){}.",
            if originals == 1 { "" } else { "s" },
            attribute.groups.len(),
            if generated.skipped > 0 {
                format!(
                    "; {} case{} mention none of the terms",
                    generated.skipped,
                    if generated.skipped == 1 { "" } else { "s" }
                )
            } else {
                String::new()
            }
        )));
        open.set(false);
    };
    view! {
        <div class="paste-box fairness-box" role="group" aria-label="Fairness test">
            <p class="field-help">
                "Makes a copy of every case for each group, changing only these words (term 1 of each group is swapped for term 1 of the others, and so on). The results then compare the groups case by case. Names and pronouns are proxies: edit the lists to fit your users."
            </p>
            <label class="field">
                <span class="field-label">"What to vary"</span>
                <select aria-label="Attribute to vary" on:change=move |ev| {
                    let i = event_target_value(&ev).parse::<usize>().unwrap_or(0);
                    chosen.set(i);
                    if let Some(a) = all_for_change.get(i) {
                        text.set(groups_text(a));
                    }
                }>
                    {names.into_iter().enumerate().map(|(i, n)| view! { <option value=i.to_string()>{n}</option> }).collect_view()}
                </select>
            </label>
            <label class="field">
                <span class="field-label">"Groups, one per line"</span>
                <textarea rows="4" aria-label="Groups and their terms" spellcheck="false"
                    prop:value=move || text.get() on:input=move |ev| text.set(event_target_value(&ev))></textarea>
            </label>
            <button class="button button-primary" on:click=add>"Add counterfactual copies"</button>
        </div>
    }
}

/// The fairness results of each variant, when the cases include counterfactual copies.
#[component]
pub fn FairnessResults(reports: Vec<(String, FairnessReport)>) -> impl IntoView {
    (!reports.is_empty()).then(|| {
        view! {
            <section class="fairness" aria-label="Fairness">
                <h4>"Fairness"</h4>
                <p class="field-help">"Each group\u{2019}s pass rate over its copies, and the difference from the first group, paired by the original case (the same statistics as the comparison of variants). Groups are defined by the terms you chose: they are proxies."</p>
                {reports.into_iter().map(|(variant, r)| {
                    let sentences = r.sentences();
                    let warnings: Vec<String> = r.groups.iter().filter_map(|g| g.versus_first.as_ref()).flat_map(|c| c.warnings()).collect();
                    view! {
                        <div class="fairness-report">
                            <p><strong>{format!("{} \u{b7} {variant}", r.attribute)}</strong></p>
                            <ul class="held-out-list">
                                {r.groups.iter().map(|g| {
                                    let rate = g.rate.map_or_else(|| "no checked runs yet".to_string(), |i| format!("{}% pass, likely between {}% and {}%", percent(i.estimate), percent(i.low), percent(i.high)));
                                    view! { <li>{format!("{}: {rate}", g.group)}</li> }
                                }).collect_view()}
                            </ul>
                            {sentences.into_iter().map(|s| view! { <p class="verdict">{s}</p> }).collect_view()}
                            {warnings.into_iter().map(|w| view! { <p class="verdict-warning" role="note">{w}</p> }).collect_view()}
                        </div>
                    }
                }).collect_view()}
            </section>
        }
    })
}
