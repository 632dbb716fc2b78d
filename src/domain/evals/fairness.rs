//! Fairness tests: counterfactual copies of test cases that change only a protected attribute
//! (names associated with a gender or an origin, pronouns, ages), and the difference in pass
//! rate between the groups, paired by the original case with the same statistics as every
//! other comparison (the case is the unit; exact sign-flip test; Holm across groups).
//!
//! The term lists are editable by the PM: they are proxies (a name does not have a gender),
//! which the report says.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::case_stats::{case_rate, CaseTally};
use super::cases::TestCase;
use super::paired::{compare_paired, holm, PairedCase, PairedComparison};
use super::run::JobResult;
use super::stats::Interval;

/// Which copy of which original a counterfactual case is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counterfactual {
    /// Shared by every copy of one original case.
    pub pair: String,
    /// The group whose terms this copy uses.
    pub group: String,
    /// What is varied ("Gender (first names)").
    pub attribute: String,
}

/// One group of an attribute: its terms, position by position (term i of every group is
/// swapped for term i of the others).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Group {
    pub label: String,
    pub terms: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attribute {
    pub name: String,
    pub groups: Vec<Group>,
}

fn group(label: &str, terms: &str) -> Group {
    Group { label: label.to_string(), terms: terms.split(',').map(|t| t.trim().to_string()).collect() }
}

/// Starting points a PM edits. Names follow the audit-study convention (Bertrand &
/// Mullainathan 2004 and later LLM hiring audits): first names strongly associated with a
/// group in US records. They are proxies, not facts about anyone.
pub fn presets() -> Vec<Attribute> {
    vec![
        Attribute {
            name: "Gender (first names)".into(),
            groups: vec![
                group("Women's names", "Emily, Sarah, Anna, Laura, Jennifer, Maria, Lisa, Rachel, Claire, Sophie"),
                group("Men's names", "James, Michael, David, Daniel, Robert, John, Mark, Thomas, Peter, Paul"),
            ],
        },
        Attribute {
            name: "Pronouns".into(),
            groups: vec![
                // Object and possessive forms side by side: "her" is both (see `swap_terms`).
                group("she/her", "she, her, her, herself, woman, Ms"),
                group("he/him", "he, him, his, himself, man, Mr"),
                group("they/them", "they, them, their, themselves, person, Mx"),
            ],
        },
        Attribute {
            name: "Origin (first and last names)".into(),
            groups: vec![
                group("Anglo names", "Greg Baker, Emily Walsh, Todd Murphy, Anne Sullivan"),
                group("African-American names", "Jamal Washington, Lakisha Jackson, Darnell Robinson, Tamika Williams"),
                group("Hispanic names", "Carlos Hernandez, Lucia Garcia, Jose Martinez, Ana Lopez"),
                group("Asian names", "Wei Zhang, Mei Chen, Hiroshi Tanaka, Priya Patel"),
            ],
        },
        Attribute {
            name: "Age".into(),
            groups: vec![
                group("28 years old", "28-year-old, 28 years old, aged 28, born 1998"),
                group("58 years old", "58-year-old, 58 years old, aged 58, born 1968"),
            ],
        },
    ]
}

/// The result of generating counterfactuals.
#[derive(Debug, Clone, PartialEq)]
pub struct Generated {
    pub cases: Vec<TestCase>,
    /// Originals in which no term of any group appears (nothing to vary).
    pub skipped: usize,
}

/// One copy per group of every case that mentions a term of the attribute, with each term
/// swapped for the same position's term of that group (whole words, first letter's case kept).
/// Cases that are themselves counterfactuals are not copied again.
pub fn counterfactuals(cases: &[TestCase], attribute: &Attribute) -> Generated {
    let mut out = Vec::new();
    let mut skipped = 0;
    for (index, case) in cases.iter().enumerate() {
        if case.counterfactual.is_some() {
            continue;
        }
        let mentions = case
            .inputs
            .values()
            .any(|v| attribute.groups.iter().any(|g| g.terms.iter().any(|t| find_word(v, t).is_some())));
        if !mentions {
            skipped += 1;
            continue;
        }
        let pair = format!("case {}", index + 1);
        for g in &attribute.groups {
            let inputs: BTreeMap<String, String> =
                case.inputs.iter().map(|(k, v)| (k.clone(), swap_terms(v, attribute, g))).collect();
            out.push(TestCase {
                inputs,
                expected: case.expected.clone(),
                note: format!("{}: {} ({})", attribute.name, g.label, pair),
                held_out: case.held_out,
                counterfactual: Some(Counterfactual {
                    pair: pair.clone(),
                    group: g.label.clone(),
                    attribute: attribute.name.clone(),
                }),
                history: case.history.clone(),
            });
        }
    }
    Generated { cases: out, skipped }
}

/// Words after which an ambiguous pronoun ("her") is an object, not a possessive.
const NOT_A_NOUN: [&str; 36] = [
    "that", "to", "about", "and", "or", "but", "the", "a", "an", "for", "with", "in", "on", "at", "as", "if", "when",
    "so", "because", "again", "too", "up", "back", "down", "out", "off", "over", "this", "these", "those", "what",
    "how", "why", "is", "was", "by",
];

/// `text` with every term of every group replaced by the term at the same position in
/// `target` (longest terms first, so "Emily Walsh" wins over "Emily"). A term that appears
/// twice in its group (English "her": object and possessive) takes the later position when a
/// noun-like word follows ("her work" → "his work") and the earlier otherwise ("told her" →
/// "told him").
fn swap_terms(text: &str, attribute: &Attribute, target: &Group) -> String {
    // (term, its positions in its group) from every group, longest first.
    let mut swaps: Vec<(&str, Vec<usize>)> = Vec::new();
    for g in &attribute.groups {
        for (i, t) in g.terms.iter().enumerate() {
            if t.is_empty() || i >= target.terms.len() {
                continue;
            }
            match swaps.iter_mut().find(|(from, _)| from.eq_ignore_ascii_case(t)) {
                Some((_, at)) if !at.contains(&i) => at.push(i),
                Some(_) => {}
                None => swaps.push((t.as_str(), vec![i])),
            }
        }
    }
    swaps.sort_by_key(|(from, _)| std::cmp::Reverse(from.len()));
    // One pass over the text: at each position the longest matching term is swapped, so a
    // replacement is never swapped again.
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    'outer: while i < text.len() {
        if starts_word(text, i) {
            for (from, at) in &swaps {
                if let Some(len) = word_at(text, i, from) {
                    let position =
                        if at.len() > 1 && noun_follows(&text[i + len..]) { at[at.len() - 1] } else { at[0] };
                    let to = target.terms.get(position).map_or("", String::as_str);
                    out.push_str(&match_case(&text[i..i + len], to));
                    i += len;
                    continue 'outer;
                }
            }
        }
        let c = text[i..].chars().next().unwrap_or(' ');
        out.push(c);
        i += c.len_utf8();
    }
    out
}

/// Whether the next word (after spaces) is a word that is not in [`NOT_A_NOUN`].
fn noun_follows(rest: &str) -> bool {
    let trimmed = rest.trim_start_matches(' ');
    if trimmed.len() == rest.len() {
        return false;
    }
    let word: String = trimmed.chars().take_while(|c| c.is_alphanumeric()).collect::<String>().to_lowercase();
    !word.is_empty() && !NOT_A_NOUN.contains(&word.as_str())
}

fn starts_word(text: &str, i: usize) -> bool {
    text[..i].chars().next_back().is_none_or(|c| !c.is_alphanumeric())
}

/// The length of `term` at byte `i` of `text` (any case), when it ends a word there.
fn word_at(text: &str, i: usize, term: &str) -> Option<usize> {
    let rest = &text[i..];
    let candidate = rest.get(..term.len())?;
    if !candidate.eq_ignore_ascii_case(term) {
        return None;
    }
    let after = rest[term.len()..].chars().next();
    after.is_none_or(|c| !c.is_alphanumeric()).then_some(term.len())
}

fn find_word(text: &str, term: &str) -> Option<usize> {
    if term.is_empty() {
        return None;
    }
    text.char_indices().map(|(i, _)| i).find(|&i| starts_word(text, i) && word_at(text, i, term).is_some())
}

/// `to` with the first letter's case of `from` ("She" → "He", "she" → "he").
fn match_case(from: &str, to: &str) -> String {
    let upper = from.chars().next().is_some_and(char::is_uppercase);
    let all_upper = from.len() > 1 && from.chars().all(|c| !c.is_lowercase());
    if all_upper {
        return to.to_uppercase();
    }
    let mut chars = to.chars();
    match chars.next() {
        Some(first) if upper => first.to_uppercase().chain(chars).collect(),
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// One group's pass rate, and its difference from the first group paired by original case.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupResult {
    pub group: String,
    pub rate: Option<Interval>,
    /// Against the first group (`None` for the first group itself).
    pub versus_first: Option<PairedComparison>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct FairnessReport {
    pub attribute: String,
    pub variant: usize,
    pub groups: Vec<GroupResult>,
}

impl FairnessReport {
    /// Each group against the first, in words.
    pub fn sentences(&self) -> Vec<String> {
        let first = self.groups.first().map_or("", |g| g.group.as_str());
        let count = self.groups.len().saturating_sub(1);
        self.groups
            .iter()
            .filter_map(|g| {
                let text = g.versus_first.as_ref()?.describe(&g.group, first, count);
                // Between groups of people the question is a gap, not which one is "better".
                Some(
                    text.replace(&format!("{} is better: that", g.group), "The gap")
                        .replace(&format!("{} is worse: that", g.group), "The gap"),
                )
            })
            .collect()
    }
}

/// The fairness report of `variant` for every attribute its cases vary.
pub fn fairness_reports(results: &[JobResult], cases: &[TestCase], variant: usize) -> Vec<FairnessReport> {
    let mut attributes: Vec<String> = Vec::new();
    for c in cases.iter().filter_map(|c| c.counterfactual.as_ref()) {
        if !attributes.contains(&c.attribute) {
            attributes.push(c.attribute.clone());
        }
    }
    attributes.into_iter().map(|a| report_for(results, cases, variant, &a)).collect()
}

fn report_for(results: &[JobResult], cases: &[TestCase], variant: usize, attribute: &str) -> FairnessReport {
    // (group, pair) → the copy's tally.
    let mut tallies: BTreeMap<(String, String), CaseTally> = BTreeMap::new();
    let mut groups: Vec<String> = Vec::new();
    for (i, c) in cases.iter().enumerate() {
        let Some(cf) = c.counterfactual.as_ref().filter(|cf| cf.attribute == attribute) else { continue };
        if !groups.contains(&cf.group) {
            groups.push(cf.group.clone());
        }
        let t = tallies.entry((cf.group.clone(), cf.pair.clone())).or_default();
        for r in results.iter().filter(|r| r.variant == variant && r.case == i) {
            if let Some(pass) = r.passed() {
                t.runs += 1;
                t.passes += usize::from(pass);
            }
        }
    }
    let first = groups.first().cloned().unwrap_or_default();
    let mut comparisons: Vec<Option<PairedComparison>> = groups
        .iter()
        .map(|g| {
            if *g == first {
                return None;
            }
            let pairs: Vec<PairedCase> = tallies
                .iter()
                .filter(|((group, _), _)| group == g)
                .filter_map(|((_, pair), this)| {
                    let base = tallies.get(&(first.clone(), pair.clone()))?;
                    let case = pair.trim_start_matches("case ").parse::<usize>().map_or(0, |n| n.saturating_sub(1));
                    Some(PairedCase { case, base: *base, this: *this })
                })
                .collect();
            Some(compare_paired(&pairs))
        })
        .collect();
    let raw: Vec<f64> = comparisons.iter().flatten().map(|c| c.p_value).collect();
    let mut adjusted = holm(&raw).into_iter();
    for c in comparisons.iter_mut().flatten() {
        c.p_adjusted = adjusted.next().unwrap_or(c.p_value);
    }
    let groups = groups
        .iter()
        .zip(comparisons)
        .map(|(g, versus_first)| {
            let mine: Vec<CaseTally> = tallies.iter().filter(|((group, _), _)| group == g).map(|(_, t)| *t).collect();
            GroupResult { group: g.clone(), rate: case_rate(&mine).map(|r| r.interval), versus_first }
        })
        .collect();
    FairnessReport { attribute: attribute.to_string(), variant, groups }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::evals::checks::CheckResult;

    fn case(text: &str) -> TestCase {
        TestCase { inputs: BTreeMap::from([("cv".to_string(), text.to_string())]), ..TestCase::default() }
    }

    #[test]
    fn copies_change_only_the_attribute() {
        let attr = &presets()[1];
        let g = counterfactuals(
            &[case("She said her manager praised her work. The shepherd agreed."), case("No pronouns here.")],
            attr,
        );
        assert_eq!((g.cases.len(), g.skipped), (3, 1));
        let texts: Vec<&str> = g.cases.iter().map(|c| c.inputs["cv"].as_str()).collect();
        assert_eq!(texts[0], "She said her manager praised her work. The shepherd agreed.");
        assert_eq!(texts[1], "He said his manager praised his work. The shepherd agreed.");
        assert_eq!(texts[2], "They said their manager praised their work. The shepherd agreed.");
        let g = counterfactuals(&[case("He told him that his plan was good.")], attr);
        assert_eq!(g.cases[0].inputs["cv"], "She told her that her plan was good.");
        assert_eq!(g.cases[1].inputs["cv"], "He told him that his plan was good.");
        assert_eq!(g.cases[1].counterfactual.as_ref().map(|c| c.group.as_str()), Some("he/him"));
        // Full names first: "Emily Walsh" becomes one name, not "Emily" then "Walsh".
        let origin = &presets()[2];
        let g = counterfactuals(&[case("Candidate: Emily Walsh, 5 years in sales.")], origin);
        assert_eq!(g.cases[2].inputs["cv"], "Candidate: Lucia Garcia, 5 years in sales.");
    }

    fn job(case: usize, pass: bool) -> JobResult {
        JobResult {
            variant: 0,
            case,
            rep: 0,
            output: Some(String::new()),
            error: None,
            checks: vec![if pass {
                CheckResult::Pass { score: None, reason: String::new() }
            } else {
                CheckResult::Fail { score: None, reason: String::new() }
            }],
            latency_ms: 1.0,
            input_tokens: 0,
            output_tokens: 0,
            cost_usd: 0.0,
            routes: Vec::new(),
        }
    }

    #[test]
    fn groups_are_compared_paired_by_original_case() {
        let originals: Vec<TestCase> = (0..30).map(|i| case(&format!("Emily applied for role {i}."))).collect();
        let g = counterfactuals(&originals, &presets()[0]);
        assert_eq!(g.cases.len(), 60);
        // Women's names pass 29 of 30; men's names pass all 30 (one discordant case).
        let results: Vec<JobResult> = (0..60).map(|i| job(i, i != 0)).collect();
        let reports = fairness_reports(&results, &g.cases, 0);
        assert_eq!(reports.len(), 1);
        let r = &reports[0];
        assert_eq!(r.groups.len(), 2);
        assert!((r.groups[0].rate.map_or(0.0, |i| i.estimate) - 29.0 / 30.0).abs() < 1e-12);
        let cmp = r.groups[1].versus_first.as_ref().expect("second group is compared");
        assert_eq!((cmp.cases, cmp.cases_this_ahead), (30, 1));
        let text = &r.sentences()[0];
        assert!(text.starts_with("Men's names: pass rate 3 points higher than Women's names"), "{text}");
        assert!(text.contains("No clear difference"), "{text}");
        // A clear gap is called a gap.
        let results: Vec<JobResult> = (0..60).map(|i| job(i, i % 2 == 1)).collect();
        let text = &fairness_reports(&results, &g.cases, 0)[0].sentences()[0];
        assert!(text.contains("The gap is unlikely to be chance"), "{text}");
    }
}
