//! One list of retrieved passages, best first, with why each was found: in the Knowledge
//! dialog's search and the Retrieve block's inspector.

use crate::domain::retrieval::search::Passage;
use crate::domain::retrieval::tokenize::tokenize;
use leptos::prelude::*;

/// A passage's text with the words that matched the query marked.
fn marked_text(text: &str, matched: &[String]) -> AnyView {
    if matched.is_empty() {
        return text.to_string().into_any();
    }
    let stems: Vec<String> = matched.iter().flat_map(|m| tokenize(m, Default::default())).collect();
    let mut parts: Vec<AnyView> = Vec::new();
    let mut word = String::new();
    let mut plain = String::new();
    let flush_word = |word: &mut String, plain: &mut String, parts: &mut Vec<AnyView>| {
        if word.is_empty() {
            return;
        }
        let hit = tokenize(word, Default::default()).first().is_some_and(|t| stems.contains(t));
        if hit {
            if !plain.is_empty() {
                parts.push(std::mem::take(plain).into_any());
            }
            parts.push(view! { <mark>{std::mem::take(word)}</mark> }.into_any());
        } else {
            plain.push_str(word);
            word.clear();
        }
    };
    for c in text.chars() {
        if c.is_alphanumeric() {
            word.push(c);
        } else {
            flush_word(&mut word, &mut plain, &mut parts);
            plain.push(c);
        }
    }
    flush_word(&mut word, &mut plain, &mut parts);
    if !plain.is_empty() {
        parts.push(plain.into_any());
    }
    parts.into_iter().collect_view().into_any()
}

fn score_line(p: &Passage) -> String {
    let mut parts = vec![format!("score {:.2}", p.score)];
    if let Some(k) = p.keyword_score.filter(|k| (*k - p.score).abs() > 1e-9) {
        parts.push(format!("keywords {k:.2}"));
    }
    if let Some(s) = p.similarity.filter(|s| (*s - p.score).abs() > 1e-9) {
        parts.push(format!("similarity {s:.2}"));
    }
    parts.join(" \u{b7} ")
}

/// One list of passages, best first, with why each was found.
#[component]
pub fn PassageList(passages: Vec<Passage>, #[prop(optional)] label: &'static str) -> impl IntoView {
    if passages.is_empty() {
        return view! { <p class="field-help">"No passage matched. Try other words, a lower minimum score, or another mode."</p> }.into_any();
    }
    let best = passages.iter().map(|p| p.score).fold(0.0f64, f64::max).max(1e-9);
    let label = if label.is_empty() { "Retrieved passages" } else { label };
    view! {
        <ol class="passages" aria-label=label>
            {passages.into_iter().map(|p| {
                let width = format!("width: {:.0}%", (p.score / best * 100.0).clamp(2.0, 100.0));
                let place = match &p.heading {
                    Some(h) => format!("{} \u{b7} {h}", p.source),
                    None => format!("{} \u{b7} part {}", p.source, p.chunk),
                };
                let matched = p.matched.clone();
                view! {
                    <li class="passage" data-number=p.number.to_string() data-source=p.source.clone()>
                        <div class="passage-head">
                            <span class="passage-number">{format!("[{}]", p.number)}</span>
                            <span class="passage-source">{place}</span>
                            <span class="passage-score">{score_line(&p)}</span>
                        </div>
                        <div class="score-bar" aria-hidden="true"><span style=width></span></div>
                        {(!matched.is_empty()).then(|| view! {
                            <p class="passage-terms">"Matched: "{matched.join(", ")}</p>
                        })}
                        <p class="passage-text">{marked_text(&p.text, &p.matched)}</p>
                    </li>
                }
            }).collect_view()}
        </ol>
    }
    .into_any()
}
