//! Sample answers: the no-key provider (`ProviderKind::Demo`, shown as "Sample answers").
//!
//! A Prompt block may carry rules, Wizard-of-Oz style: the first rule whose condition holds
//! for the rendered user message gives the answer (its `{{variables}}` are the block's input
//! values). Without a matching rule the answer is built from the input: a summary, a label
//! picked from the options the prompt lists, a reply, JSON shaped like the requested schema,
//! or, when numbered passages came from a Retrieve block, sentences from them with their
//! citations. A judge request (model-graded checks) gets a score from the rubric's words and
//! traits found in the answer.
//!
//! Nothing here says "demo" in the text: answers must be believable. They are labelled by
//! the run instead (`BlockRun::sample`), and the UI shows a "Sample answer" badge.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use crate::domain::json_schema::OutputFormat;
use crate::domain::retrieval::tokenize::{tokenize, TokenizerOptions};

/// What users see for the provider.
pub const SAMPLE_LABEL: &str = "Sample answers";
/// The badge on every result produced this way.
pub const SAMPLE_BADGE: &str = "Sample answer";

/// When a rule answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SampleWhen {
    /// The user message contains `text` (ignoring case).
    #[default]
    Contains,
    /// The user message matches the regular expression `text`.
    Matches,
    /// Always (put it last).
    Otherwise,
}

impl SampleWhen {
    pub const ALL: [SampleWhen; 3] = [SampleWhen::Contains, SampleWhen::Matches, SampleWhen::Otherwise];

    pub fn id(self) -> &'static str {
        match self {
            SampleWhen::Contains => "contains",
            SampleWhen::Matches => "matches",
            SampleWhen::Otherwise => "otherwise",
        }
    }

    pub fn from_id(id: &str) -> Option<SampleWhen> {
        SampleWhen::ALL.into_iter().find(|w| w.id() == id)
    }

    pub fn label(self) -> &'static str {
        match self {
            SampleWhen::Contains => "contains",
            SampleWhen::Matches => "matches (regex)",
            SampleWhen::Otherwise => "otherwise",
        }
    }
}

/// One sample answer of a Prompt block.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SampleRule {
    pub when: SampleWhen,
    /// The text to find, or the pattern (unused for `otherwise`).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub text: String,
    /// The answer; may use the block's `{{variables}}`.
    #[serde(default)]
    pub answer: String,
}

impl SampleRule {
    pub fn contains(text: &str, answer: &str) -> SampleRule {
        SampleRule { when: SampleWhen::Contains, text: text.into(), answer: answer.into() }
    }

    pub fn matches(pattern: &str, answer: &str) -> SampleRule {
        SampleRule { when: SampleWhen::Matches, text: pattern.into(), answer: answer.into() }
    }

    pub fn otherwise(answer: &str) -> SampleRule {
        SampleRule { when: SampleWhen::Otherwise, text: String::new(), answer: answer.into() }
    }

    /// Whether the rule answers `input`. A broken pattern never matches (it is reported as a
    /// problem of the block).
    pub fn applies(&self, input: &str) -> bool {
        match self.when {
            SampleWhen::Otherwise => true,
            SampleWhen::Contains => {
                let needle = self.text.trim();
                !needle.is_empty() && input.to_lowercase().contains(&needle.to_lowercase())
            }
            SampleWhen::Matches => {
                !self.text.is_empty() && regex_lite::Regex::new(&self.text).is_ok_and(|re| re.is_match(input))
            }
        }
    }
}

/// The first rule that answers `input`, by index.
pub fn matching_rule(rules: &[SampleRule], input: &str) -> Option<usize> {
    rules.iter().position(|r| r.applies(input))
}

/// Problems in a block's rules, in a PM's words.
pub fn rule_problems(rules: &[SampleRule]) -> Vec<String> {
    let mut out = Vec::new();
    for (i, r) in rules.iter().enumerate() {
        let n = i + 1;
        match r.when {
            SampleWhen::Matches => match regex_lite::Regex::new(&r.text) {
                Err(e) => out.push(format!("Sample answer {n}: the pattern is not valid: {e}")),
                Ok(_) if r.text.is_empty() => out.push(format!("Sample answer {n}: write the pattern to match.")),
                Ok(_) => {}
            },
            SampleWhen::Contains if r.text.trim().is_empty() => {
                out.push(format!("Sample answer {n}: write the text to look for, or choose \u{201c}otherwise\u{201d}."))
            }
            _ => {}
        }
    }
    out
}

/// `template` with its `{{variables}}` filled from `values`; unknown ones are left as
/// written, so a typo shows instead of failing the run.
pub fn fill(template: &str, values: &BTreeMap<String, String>) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(open) = rest.find("{{") {
        if open > 0 && rest[..open].ends_with('\\') {
            out.push_str(&rest[..open - 1]);
            out.push_str("{{");
            rest = &rest[open + 2..];
            continue;
        }
        out.push_str(&rest[..open]);
        let after = &rest[open + 2..];
        match after.find("}}") {
            Some(close) => {
                let name = after[..close].trim();
                match values.get(name) {
                    Some(v) => out.push_str(v),
                    None => {
                        out.push_str("{{");
                        out.push_str(&after[..close]);
                        out.push_str("}}");
                    }
                }
                rest = &after[close + 2..];
            }
            None => {
                out.push_str(&rest[open..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// Everything a sample answer is made from.
#[derive(Debug, Clone, Copy)]
pub struct SampleRequest<'a> {
    pub rules: &'a [SampleRule],
    /// The rendered system prompt (may be empty).
    pub system: &'a str,
    /// The rendered user message: what the rules look at.
    pub user: &'a str,
    /// The block's input values, by variable name (may be empty).
    pub values: &'a BTreeMap<String, String>,
    pub format: &'a OutputFormat,
}

/// The answer, and which rule gave it (`None`: built from the input).
pub fn sample_answer(req: &SampleRequest<'_>) -> (String, Option<usize>) {
    if let Some(i) = matching_rule(req.rules, req.user) {
        let text = fill(&req.rules[i].answer, req.values);
        return (text, Some(i));
    }
    (fallback(req), None)
}

/// A sample answer in a conversation (a conversational Prompt in the Chat panel): a short
/// chat reply to `last` (the user's new message) that picks up what was said before
/// (`earlier`, the user's previous messages, oldest first).
pub fn chat_answer(system: &str, earlier: &[&str], last: &str) -> String {
    let lower = last.trim().to_lowercase();
    let bare = lower.trim_matches(|c: char| !c.is_alphanumeric() && c != ' ');
    let previous = earlier.iter().rev().find(|m| !m.trim().is_empty()).map(|m| earlier_subject(m));
    let greetings = ["hi", "hello", "hey", "good morning", "good afternoon", "hi there", "hello there"];
    if greetings.contains(&bare) {
        let who = if system.to_lowercase().contains("support") {
            "I'm here to help with your account or order. "
        } else {
            ""
        };
        return match previous {
            Some(t) => format!("Hello again! {who}Shall we carry on with {t}?"),
            None => format!("Hello! {who}What can I do for you today?"),
        };
    }
    if ["thanks", "thank you", "thx", "cheers", "great thanks", "ok thanks"].iter().any(|t| bare.starts_with(t)) {
        return match previous {
            Some(t) => format!("You're welcome! Is there anything else about {t} I can help with?"),
            None => "You're welcome! Anything else I can help with?".to_string(),
        };
    }
    let sents = sentences(last);
    let question = sents.iter().find(|s| s.trim_end().ends_with('?'));
    let lead = match &previous {
        Some(before) => format!("About {before}: "),
        None => String::new(),
    };
    if let Some(q) = question {
        let q = swap_person(q.trim_end_matches('?').trim(), Person::Second);
        let ql = q.to_lowercase();
        for ask in ["can you ", "could you ", "would you ", "will you ", "please "] {
            if let Some(rest) = ql.strip_prefix(ask) {
                let rest = clip_words(q.get(q.len() - rest.len()..).unwrap_or(rest), 25);
                return capitalise(&format!(
                    "{lead}yes, of course: I'll {rest}. You'll have it shortly; is there anything else?"
                ));
            }
        }
        for how in ["how do you ", "how can you ", "how should you ", "how to "] {
            if let Some(rest) = ql.strip_prefix(how) {
                let rest = clip_words(q.get(q.len() - rest.len()..).unwrap_or(rest), 25);
                return capitalise(&format!(
                    "{lead}to {rest}, open your account settings and follow the steps there; it takes about a minute. Tell me if anything looks different on your screen."
                ));
            }
        }
        let about = topic(last);
        return capitalise(&format!(
            "{lead}good question. In short, it comes down to {about}; it depends a little on your setup, so tell me a bit more and I can be specific."
        ));
    }
    let point = sents
        .first()
        .map(|s| lower_first(swap_person(s, Person::Second).trim_end_matches(['.', '!'])))
        .unwrap_or_default();
    match previous {
        Some(before) => format!(
            "Thanks, that helps with {before}: so {}. What would you like me to do next?",
            clip_words(&point, 30)
        ),
        None => format!("Got it: {}. How can I help with that?", clip_words(&point, 30)),
    }
}

/// What an earlier message was about, for a callback ("About the invoice: …"): the first
/// thing named with a determiner ("my invoice" → "the invoice"), else the earlier message.
fn earlier_subject(message: &str) -> String {
    let determiners = ["my", "the", "a", "an", "our", "your", "this"];
    let words: Vec<String> =
        message.split_whitespace().map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()).to_lowercase()).collect();
    words
        .windows(2)
        .find(|p| determiners.contains(&p[0].as_str()) && p[1].len() > 2 && p[1].chars().all(char::is_alphabetic))
        .map(|p| format!("the {}", p[1]))
        .unwrap_or_else(|| "what you said before".to_string())
}

// ---------------------------------------------------------------------------------------
// Built from the input

fn fallback(req: &SampleRequest<'_>) -> String {
    if req.system.trim_start().starts_with(JUDGE_SYSTEM) {
        return judge_reply(req.user);
    }
    let passages = req.values.values().find_map(|v| parse_passages(v)).or_else(|| parse_passages(req.user));
    let content = main_content(req);
    let instructions = instructions(req).to_lowercase();
    let question = question_of(req, passages.is_some());
    match req.format {
        OutputFormat::JsonSchema { schema } => {
            let hints = Hints { content: &content, instructions: &instructions };
            pretty(&value_from_schema(schema, "", &hints, 0))
        }
        OutputFormat::Json => pretty(&json_object(&content, &instructions)),
        OutputFormat::Text => {
            if let Some(passages) = passages {
                return cited_answer(&passages, &question);
            }
            text_answer(&content, &instructions)
        }
    }
}

fn pretty(v: &Value) -> String {
    serde_json::to_string_pretty(v).unwrap_or_else(|_| v.to_string())
}

/// The instructions: the system prompt and the user message without the input values.
fn instructions(req: &SampleRequest<'_>) -> String {
    let mut user = req.user.to_string();
    let mut values: Vec<&String> = req.values.values().filter(|v| v.len() > 2).collect();
    values.sort_by_key(|v| std::cmp::Reverse(v.len()));
    for v in values {
        user = user.replace(v.as_str(), " ");
    }
    if req.values.is_empty() {
        // Without the values, keep the first paragraph (usually the instruction).
        user = user.split("\n\n").next().unwrap_or_default().to_string();
    }
    format!("{}\n{}", req.system, user)
}

/// The text the answer is about: the longest input value that is not a list of passages,
/// or the user message.
fn main_content(req: &SampleRequest<'_>) -> String {
    let best = req
        .values
        .values()
        .filter(|v| parse_passages(v).is_none() && !v.starts_with('\u{27e6}'))
        .max_by_key(|v| v.chars().count());
    match best {
        Some(v) if !v.trim().is_empty() => v.trim().to_string(),
        _ => {
            // The last paragraph of the user message is usually the pasted text.
            let paras: Vec<&str> = req.user.split("\n\n").map(str::trim).filter(|p| !p.is_empty()).collect();
            match paras.as_slice() {
                [] => String::new(),
                [only] => (*only).to_string(),
                [.., last] => (*last).to_string(),
            }
        }
    }
}

/// The question a cited answer answers: the shortest non-passage value, or the user text.
fn question_of(req: &SampleRequest<'_>, has_passages: bool) -> String {
    if has_passages {
        let q = req.values.values().filter(|v| parse_passages(v).is_none()).min_by_key(|v| v.len());
        if let Some(q) = q {
            return q.clone();
        }
    }
    req.user.to_string()
}

/// Sentences of `text` (split after . ! ? and at line breaks), trimmed, greetings and
/// sign-offs dropped.
fn sentences(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let chars: Vec<char> = text.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        if c == '\n' {
            push_sentence(&mut out, &mut current);
            continue;
        }
        current.push(c);
        let next_is_space = chars.get(i + 1).is_none_or(|n| n.is_whitespace());
        if matches!(c, '.' | '!' | '?') && next_is_space {
            push_sentence(&mut out, &mut current);
        }
    }
    push_sentence(&mut out, &mut current);
    out
}

fn push_sentence(out: &mut Vec<String>, current: &mut String) {
    let mut s = current.trim().to_string();
    current.clear();
    // "Hi, since yesterday…" → "since yesterday…"
    for greeting in ["hi,", "hello,", "hey,", "hi ", "hello ", "dear "] {
        if s.to_lowercase().starts_with(greeting) && s.len() > greeting.len() + 12 {
            s = s.get(greeting.len()..).unwrap_or_default().trim_start().to_string();
            let mut chars = s.chars();
            if let Some(first) = chars.next() {
                s = first.to_uppercase().chain(chars).collect();
            }
        }
    }
    let lower = s.to_lowercase();
    let filler = ["hi", "hello", "hey", "thanks", "thank you", "regards", "best", "cheers"].iter().any(|g| {
        lower.trim_end_matches(|c: char| !c.is_alphanumeric()) == *g
            || lower.starts_with(&format!("{g} ")) && s.len() < 24
    });
    if !s.is_empty() && !filler && s.chars().any(char::is_alphanumeric) {
        out.push(s);
    }
}

fn words(text: &str) -> usize {
    text.split_whitespace().count()
}

/// At most `max` words of `text`, ending with "…" when cut.
fn clip_words(text: &str, max: usize) -> String {
    let w: Vec<&str> = text.split_whitespace().collect();
    if w.len() <= max {
        return w.join(" ");
    }
    format!("{}\u{2026}", w[..max].join(" ").trim_end_matches([',', ';', ':']))
}

#[derive(Clone, Copy, PartialEq)]
enum Person {
    /// The customer's "I" becomes "you" (a reply to them).
    Second,
    /// The customer's "I" becomes "they" (a summary about them).
    Third,
}

/// Rewrites first-person words of a customer's sentence.
fn swap_person(sentence: &str, to: Person) -> String {
    let table: &[(&str, &str)] = match to {
        Person::Second => &[
            ("I'm", "you're"),
            ("I've", "you've"),
            ("I'd", "you'd"),
            ("I'll", "you'll"),
            ("I", "you"),
            ("me", "you"),
            ("my", "your"),
            ("mine", "yours"),
            ("am", "are"),
            ("was", "were"),
        ],
        Person::Third => &[
            ("I'm", "they're"),
            ("I've", "they've"),
            ("I'd", "they'd"),
            ("I'll", "they'll"),
            ("I", "they"),
            ("me", "them"),
            ("my", "their"),
            ("mine", "theirs"),
            ("am", "are"),
            ("was", "were"),
        ],
    };
    let mut out = Vec::new();
    let mut prev_was_i = false;
    for raw in sentence.split(' ') {
        let core = raw.trim_matches(|c: char| !(c.is_alphanumeric() || c == '\''));
        let (start, end) = match raw.find(core) {
            Some(s) if !core.is_empty() => (s, s + core.len()),
            _ => {
                out.push(raw.to_string());
                continue;
            }
        };
        let lookup = if core == "I" || core.starts_with("I'") { core.to_string() } else { core.to_lowercase() };
        let replaced = table.iter().find(|(from, _)| *from == lookup).map(|(_, to)| *to);
        let replaced = match replaced {
            // "was" only changes after "I" ("I was" → "they were"); "am" likewise.
            Some(_) if (lookup == "was" || lookup == "am") && !prev_was_i => None,
            r => r,
        };
        prev_was_i = core == "I";
        match replaced {
            Some(r) => {
                let r = if core.chars().next().is_some_and(char::is_uppercase) && core != "I" && !core.starts_with("I'")
                {
                    capitalise(r)
                } else {
                    r.to_string()
                };
                out.push(format!("{}{}{}", &raw[..start], r, &raw[end..]));
            }
            None => out.push(raw.to_string()),
        }
    }
    out.join(" ")
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().chain(c).collect()).unwrap_or_default()
}

fn lower_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        // Keep "I", acronyms and ids as they are.
        Some(f) if f.is_uppercase() && !s.starts_with("I ") && !c.clone().next().is_some_and(char::is_uppercase) => {
            f.to_lowercase().chain(c).collect()
        }
        Some(f) => std::iter::once(f).chain(c).collect(),
        None => String::new(),
    }
}

fn has_any(text: &str, needles: &[&str]) -> bool {
    needles.iter().any(|n| text.contains(n))
}

/// A plain-text answer shaped by what the instructions ask for.
fn text_answer(content: &str, instructions: &str) -> String {
    // A row of a table ("customer: Ana\nfeedback: …", as a Loop hands CSV rows on): answer
    // about its longest field, and say whose row it is.
    if let Some((who, main)) = record_of(content) {
        let answer = text_answer(&main, instructions);
        return match who {
            Some(who) if !answer.contains(&who) => format!("{who}: {answer}"),
            _ => answer,
        };
    }
    let sents = sentences(content);
    if content.trim().is_empty() {
        return "Happy to help. Could you tell me a little more about what you need?".to_string();
    }
    if let Some(options) = options_in(instructions) {
        let label = pick_option(&options, content);
        if has_any(instructions, &["one word", "only the", "just the", "exactly one"]) {
            return label;
        }
        return format!("{label}: {}", reason_for(&label, content));
    }
    if has_any(instructions, &["translat"]) {
        return translated(content, instructions);
    }
    if has_any(instructions, &["summar", "tl;dr", "tldr", "in one sentence", "in two sentences", "key points"]) {
        return summary(&sents, instructions);
    }
    if has_any(instructions, &["review", "critique", "check this", "feedback on", "what to fix", "proofread"]) {
        return critique(content, instructions);
    }
    if has_any(instructions, &["reply", "respond", "response to", "answer this email", "support agent"]) {
        return reply(&sents);
    }
    if has_any(instructions, &["release note", "announce", "write a", "draft", "write an"]) {
        return draft(content);
    }
    if has_any(instructions, &["extract", "list the", "find the"]) {
        return extraction(content);
    }
    if content.trim_end().ends_with('?') || has_any(instructions, &["explain", "question", "answer"]) {
        return explanation(content);
    }
    let gist = sents.first().map(|s| swap_person(s, Person::Third)).unwrap_or_default();
    format!("In short: {}", clip_words(&lower_first(&gist), 40))
}

/// A record written as `field: value` lines: the name of whom it is about (a field such as
/// customer, name or user) and the longest value. `None` for any other text.
fn record_of(content: &str) -> Option<(Option<String>, String)> {
    let lines: Vec<&str> = content.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
    if lines.len() < 2 {
        return None;
    }
    let mut fields = Vec::new();
    for line in &lines {
        let (key, value) = line.split_once(": ")?;
        let key_ok = !key.is_empty()
            && key.chars().count() <= 30
            && key.chars().all(|c| c.is_alphanumeric() || c == ' ' || c == '_' || c == '-');
        if !key_ok {
            return None;
        }
        fields.push((key.to_lowercase(), value.trim().to_string()));
    }
    let who = fields
        .iter()
        .find(|(k, v)| {
            ["customer", "name", "user", "author", "from", "client"].iter().any(|n| k.contains(n)) && !v.is_empty()
        })
        .map(|(_, v)| v.clone());
    let main = fields.into_iter().map(|(_, v)| v).max_by_key(|v| v.chars().count())?;
    Some((who, main))
}

fn summary(sents: &[String], instructions: &str) -> String {
    let want = if has_any(instructions, &["two sentences", "2 sentences"]) { 2 } else { 1 };
    let picked: Vec<String> = sents
        .iter()
        .filter(|s| words(s) >= 4)
        .take(want)
        .map(|s| {
            let s = swap_person(s, Person::Third);
            let s = if s.to_lowercase().starts_with("they") || s.to_lowercase().starts_with("their") {
                format!("The customer{}", &s[s.find(' ').unwrap_or(s.len())..])
            } else {
                capitalise(&s)
            };
            let s = clip_words(&s, 35);
            if s.ends_with(['.', '!', '?', '\u{2026}']) {
                s
            } else {
                format!("{s}.")
            }
        })
        .collect();
    if picked.is_empty() {
        return format!("The message is about {}.", topic(&sents.join(" ")));
    }
    picked.join(" ")
}

fn reply(sents: &[String]) -> String {
    let lower = sents.join(" ").to_lowercase();
    let complaint = NEGATIVE.iter().any(|w| lower.contains(w));
    let issue = sents
        .iter()
        .find(|s| words(s) >= 4 && !s.trim_end().ends_with('?'))
        .map(|s| lower_first(swap_person(s, Person::Second).trim_end_matches(['.', '!'])));
    let ask = sents.iter().find(|s| s.trim_end().ends_with('?'));
    let mut out = String::from("Hi,\n\n");
    match (complaint, issue, ask) {
        (true, Some(issue), _) => {
            out.push_str(&format!("Thank you for getting in touch, and I'm sorry to hear that {issue}. "))
        }
        (_, _, Some(q)) => {
            out.push_str(&format!("Thank you for your question: \u{201c}{}\u{201d} ", clip_words(q, 25)))
        }
        _ => out.push_str("Thank you for getting in touch. "),
    }
    out.push_str(if complaint && ask.is_some() {
        "I've passed this to our team as a priority and will send you an update within one business day, with a clear next step."
    } else if ask.is_some() {
        "I'm checking this with the team and will reply within one business day with a clear answer."
    } else {
        "I've passed this to our team and will follow up within one business day with a next step."
    });
    out.push_str("\n\nBest regards,\nThe support team");
    out
}

fn draft(content: &str) -> String {
    let about = content.trim().trim_end_matches('.');
    let about = about.strip_prefix("Announce that ").or_else(|| about.strip_prefix("announce that ")).unwrap_or(about);
    format!(
        "Good news: {}. You can try it today from the app's settings. Tell us what you think: we read every message.",
        lower_first(about)
    )
}

fn critique(content: &str, instructions: &str) -> String {
    let n = words(content);
    let mut points = Vec::new();
    if let Some(limit) = number_after(instructions, "under ") {
        if n as f64 <= limit {
            points.push(format!("Length: {n} words, within the {limit:.0}-word limit."));
        } else {
            points.push(format!("Length: {n} words; cut it to under {limit:.0}."));
        }
    } else {
        points.push(format!("Length: {n} words, easy to read."));
    }
    let lower = content.to_lowercase();
    if has_any(instructions, &["how to", "turn"]) {
        if has_any(&lower, &["settings", "tap", "turn on", "go to", "open"]) {
            points.push("It says where to find the feature.".to_string());
        } else {
            points.push("Add one line on how to turn it on (for example Settings → Appearance).".to_string());
        }
    }
    if has_any(instructions, &["friendly", "tone", "warm"]) {
        if has_any(&lower, &["good news", "enjoy", "thanks", "love", "!", "tell us"]) {
            points.push("The tone is friendly.".to_string());
        } else {
            points.push("Make the tone warmer: open with the benefit to the reader.".to_string());
        }
    }
    format!("To fix:\n- {}", points.join("\n- "))
}

fn extraction(content: &str) -> String {
    let ids: Vec<&str> = content
        .split(|c: char| c.is_whitespace() || c == ',' || c == '(' || c == ')')
        .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric() && c != '#' && c != '-'))
        .filter(|w| w.chars().any(|c| c.is_ascii_digit()))
        .collect();
    let mut lines = vec![format!("- Topic: {}", topic(content))];
    if !ids.is_empty() {
        lines.push(format!("- Numbers and ids: {}", ids.join(", ")));
    }
    lines.join("\n")
}

fn explanation(content: &str) -> String {
    let t = topic(content);
    format!(
        "In short, it comes down to {t}. The main point is that it depends on your setup: the help centre has the \
         details, and our team can confirm what applies to you."
    )
}

/// Applies glossary lines ("Basket = Panier") to the text; the rest stays as written.
fn translated(content: &str, instructions: &str) -> String {
    let mut text = content.to_string();
    for line in instructions.lines().chain(content.lines()) {
        if let Some((from, to)) = line.split_once('=') {
            let (from, to) = (from.trim(), to.trim());
            if !from.is_empty() && !to.is_empty() {
                text = text.replace(from, to);
            }
        }
    }
    text
}

/// The number after `marker` in `text` ("under 60 words" → 60).
fn number_after(text: &str, marker: &str) -> Option<f64> {
    let at = text.find(marker)? + marker.len();
    let digits: String = text[at..].chars().take_while(|c| c.is_ascii_digit()).collect();
    digits.parse().ok()
}

/// What a text is about: the first two words after "my", "the", "a"… ("my order", "a
/// birthday"), else the two most frequent meaningful words, as "the x and the y".
fn topic(content: &str) -> String {
    let determiners = ["my", "the", "a", "an", "our", "your", "this", "his", "her", "their"];
    let tokens: Vec<String> =
        content.split_whitespace().map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()).to_lowercase()).collect();
    let mut nouns: Vec<&str> = Vec::new();
    for pair in tokens.windows(2) {
        if nouns.len() == 2 {
            break;
        }
        let (d, w) = (pair[0].as_str(), pair[1].as_str());
        let plain = w.len() > 2 && w.chars().all(char::is_alphabetic);
        if determiners.contains(&d) && plain && !determiners.contains(&w) && !nouns.contains(&w) {
            nouns.push(w);
        }
    }
    match nouns.as_slice() {
        [a, b, ..] => return format!("the {a} and the {b}"),
        [a] => return format!("the {a}"),
        [] => {}
    }
    let terms = tokenize(content, TokenizerOptions { stop_words: true, stemming: false });
    let boring = [
        "hi",
        "hello",
        "please",
        "thanks",
        "thank",
        "need",
        "want",
        "would",
        "could",
        "get",
        "got",
        "just",
        "really",
        "since",
        "still",
        "will",
        "one",
        "why",
        "when",
        "where",
        "which",
        "who",
        "about",
        "explain",
        "sentences",
        "two",
        "tell",
        "been",
        "am",
        "your",
        "app",
    ];
    // (count, first position) per word: a map, so a long text stays linear.
    let mut seen: std::collections::HashMap<&str, (usize, usize)> = std::collections::HashMap::new();
    for (i, t) in terms.iter().enumerate() {
        if t.len() < 3 || boring.contains(&t.as_str()) || t.chars().all(|c| c.is_ascii_digit()) {
            continue;
        }
        seen.entry(t.as_str()).or_insert((0, i)).0 += 1;
    }
    let mut counts: Vec<(String, usize, usize)> = seen.into_iter().map(|(w, (n, i))| (w.to_string(), n, i)).collect();
    counts.sort_by(|a, b| b.1.cmp(&a.1).then(a.2.cmp(&b.2)));
    match counts.as_slice() {
        [] => "your request".to_string(),
        [a] => format!("the {}", a.0),
        [a, b, ..] => format!("the {} and the {}", a.0, b.0),
    }
}

/// Options the instructions list: "positive, neutral or negative", "low, medium or high".
fn options_in(instructions: &str) -> Option<Vec<String>> {
    // Compiled once: the run estimate asks for sample answers on every edit, and compiling
    // this per call cost more than the rest of the estimate on big flows.
    static OPTIONS: OnceLock<Option<regex_lite::Regex>> = OnceLock::new();
    let re = OPTIONS
        .get_or_init(|| {
            regex_lite::Regex::new(r"((?:[a-z][a-z \-]{0,20}, ){1,8}[a-z][a-z \-]{0,20},? or [a-z][a-z\-]{0,20})").ok()
        })
        .as_ref()?;
    let found = re.find(instructions)?.as_str();
    let mut options: Vec<String> = found
        .replace(", or ", ", ")
        .replace(" or ", ", ")
        .split(',')
        .map(|o| o.trim().to_string())
        .filter(|o| !o.is_empty())
        .collect();
    // "as positive, …" / "this product in: kitchen, …": keep the last word of the first.
    if let Some(first) = options.first_mut() {
        if let Some(last) = first.split_whitespace().last() {
            *first = last.to_string();
        }
    }
    (options.len() >= 2 && options.iter().all(|o| words(o) <= 3)).then_some(options)
}

const NEGATIVE: &[&str] = &[
    "late",
    "broken",
    "cracked",
    "damaged",
    "error",
    "crash",
    "crashes",
    "refund",
    "frustrat",
    "angry",
    "bad",
    "terrible",
    "worst",
    "wrong",
    "never",
    "disappoint",
    "charged twice",
    "cannot",
    "can't",
    "nobody",
    "slow",
    "lost",
    "useless",
    "awful",
    "hate",
    "problem",
    "issue",
    "hasn't",
    "still not",
    "supposed to",
];
const POSITIVE: &[&str] = &[
    "love",
    "lovely",
    "great",
    "excellent",
    "thank",
    "happy",
    "perfect",
    "amazing",
    "helpful",
    "fast",
    "good",
    "nice",
];
const URGENT: &[&str] = &[
    "nobody can",
    "cannot",
    "can't",
    "charged twice",
    "crash",
    "down",
    "visible to other",
    "data",
    "security",
    "every user",
    "all users",
    "urgent",
    "asap",
    "immediately",
    "error",
];
const SOON: &[&str] = &["slow", "takes", "hour", "wrong", "since", "delay", "late", "before"];

/// Picks an option for `content`: sentiment and urgency words, an option named in the
/// content, else the middle one.
fn pick_option(options: &[String], content: &str) -> String {
    let lower = content.to_lowercase();
    let count = |list: &[&str]| list.iter().filter(|w| lower.contains(*w)).count();
    let has = |name: &str| options.iter().find(|o| o.eq_ignore_ascii_case(name)).cloned();
    if let (Some(pos), Some(neg)) = (has("positive"), has("negative")) {
        let (p, n) = (count(POSITIVE), count(NEGATIVE));
        return match (p, n) {
            (0, 0) => has("neutral").unwrap_or(pos),
            (p, n) if p > 0 && n > 0 && has("mixed").is_some() => has("mixed").unwrap_or(pos),
            (p, n) if p > 0 && n > 0 && p == n => has("neutral").unwrap_or(pos),
            (p, n) if p > n => pos,
            _ => neg,
        };
    }
    if let (Some(high), Some(low)) = (has("high"), has("low")) {
        if count(URGENT) > 0 {
            return high;
        }
        if count(SOON) > 0 {
            return has("medium").unwrap_or(high);
        }
        return low;
    }
    let score = |o: &String| {
        let o = o.to_lowercase();
        let synonyms = synonyms_of(&o);
        usize::from(lower.contains(&o)) * 2 + synonyms.iter().filter(|w| lower.contains(*w)).count()
    };
    if let Some((best, n)) = options.iter().map(|o| (o, score(o))).max_by_key(|(_, n)| *n) {
        if n > 0 {
            return best.clone();
        }
    }
    if let Some(other) = options.iter().find(|o| o.eq_ignore_ascii_case("other")) {
        return other.clone();
    }
    options.get(options.len() / 2).cloned().unwrap_or_default()
}

/// Words that point to an option with a common name.
fn synonyms_of(option: &str) -> &'static [&'static str] {
    match option {
        "damaged" | "broken" => &["cracked", "broken", "smashed", "dented", "torn", "damaged", "shattered"],
        "late" | "delayed" | "delivery" => {
            &["late", "delayed", "hasn't arrived", "not arrived", "still waiting", "where is"]
        }
        "wrong item" => {
            &["wrong item", "wrong size", "wrong colour", "wrong color", "instead of", "not what i ordered"]
        }
        "billing" | "payment" => &["charged", "invoice", "refund", "payment", "card", "bill", "price", "subscription"],
        "bug" | "technical" => {
            &["crash", "error", "bug", "broken", "doesn't work", "does not work", "fails", "stuck", "blank"]
        }
        "kitchen" => &["mug", "cup", "kettle", "pan", "plate", "blender", "knife", "bowl"],
        "clothing" => &["shirt", "jacket", "dress", "shoe", "sock", "coat", "jeans"],
        "electronics" => &["phone", "laptop", "cable", "charger", "headphone", "speaker", "camera"],
        _ => &[],
    }
}

/// A Router's sample answer: the route whose name, common synonyms or description (a line of
/// the router's instructions naming it) best match the input, else `other` or `default`;
/// then a one-line reason, as the router asks a model to answer.
pub fn route_answer(routes: &[String], instructions: &str, input: &str) -> String {
    let lower = input.to_lowercase();
    let described = |route: &str| -> Vec<String> {
        instructions
            .lines()
            .filter(|l| l.to_lowercase().contains(&route.to_lowercase()))
            .flat_map(|l| {
                l.split(|c: char| !c.is_alphanumeric() && c != '\'').map(str::to_lowercase).collect::<Vec<_>>()
            })
            .filter(|w| w.len() > 3 && w != &route.to_lowercase())
            .collect()
    };
    let score = |route: &String| {
        let r = route.to_lowercase();
        let own = usize::from(lower.contains(&r)) * 2;
        let syn = synonyms_of(&r).iter().filter(|w| lower.contains(*w)).count();
        let desc = described(route).iter().filter(|w| lower.contains(w.as_str())).count();
        own + syn + desc
    };
    let best = routes.iter().filter(|r| r.as_str() != "default").map(|r| (r, score(r))).fold(
        None::<(&String, usize)>,
        |acc, (r, n)| match acc {
            Some((_, m)) if m >= n => acc,
            _ => Some((r, n)),
        },
    );
    let label = match best {
        Some((r, n)) if n > 0 => r.clone(),
        _ => routes.iter().find(|r| r.eq_ignore_ascii_case("other")).cloned().unwrap_or_else(|| "default".to_string()),
    };
    let cues: Vec<String> = synonyms_of(&label.to_lowercase())
        .iter()
        .map(|w| w.to_string())
        .chain(described(&label))
        .filter(|w| lower.contains(w.as_str()))
        .take(2)
        .map(|w| format!("\u{201c}{w}\u{201d}"))
        .collect();
    let reason = if cues.is_empty() {
        format!("The message is mostly about {}, which fits {label} best.", topic(input))
    } else {
        format!("The message mentions {}, which points to {label}.", cues.join(" and "))
    };
    format!("{label}\n{reason}")
}

fn reason_for(label: &str, content: &str) -> String {
    let lower = content.to_lowercase();
    let cues: Vec<&str> = NEGATIVE
        .iter()
        .chain(POSITIVE)
        .chain(URGENT)
        .filter(|w| w.len() > 3 && lower.contains(*w))
        .copied()
        .take(2)
        .collect();
    if cues.is_empty() {
        format!("The message is mostly about {}, with no strong signal either way.", topic(content))
    } else {
        let quoted: Vec<String> = cues.iter().map(|c| format!("\u{201c}{c}\u{201d}")).collect();
        format!("the message mentions {}, which points to {}.", quoted.join(" and "), label.to_lowercase())
    }
}

// ---------------------------------------------------------------------------------------
// JSON

struct Hints<'a> {
    content: &'a str,
    instructions: &'a str,
}

/// An object for "answer as JSON" without a schema: the keys the prompt names in a JSON
/// example (`{"sentiment": ..., "reason": ...}`), or `answer`.
fn json_object(content: &str, instructions: &str) -> Value {
    static KEYS: OnceLock<Option<regex_lite::Regex>> = OnceLock::new();
    let re = KEYS.get_or_init(|| regex_lite::Regex::new(r#""([A-Za-z_][A-Za-z0-9_ ]{0,40})"\s*:"#).ok()).as_ref();
    let keys: Vec<String> = re
        .map(|re| re.captures_iter(instructions).filter_map(|c| c.get(1)).map(|m| m.as_str().to_string()).collect())
        .unwrap_or_default();
    let hints = Hints { content, instructions };
    let mut obj = Map::new();
    if keys.is_empty() {
        obj.insert("answer".into(), Value::String(text_answer(content, instructions)));
    }
    for k in keys {
        if !obj.contains_key(&k) {
            let v = string_for(&k, &hints, &obj);
            obj.insert(k, Value::String(v));
        }
    }
    Value::Object(obj)
}

/// A value of the schema's shape, filled from the input where a property's name says what
/// it holds.
fn value_from_schema(schema: &Value, name: &str, hints: &Hints<'_>, depth: usize) -> Value {
    if depth > 8 {
        return Value::Null;
    }
    if let Some(c) = schema.get("const") {
        return c.clone();
    }
    if let Some(options) = schema.get("enum").and_then(Value::as_array) {
        let labels: Vec<String> = options.iter().filter_map(|o| o.as_str().map(str::to_string)).collect();
        if labels.len() == options.len() && !labels.is_empty() {
            return Value::String(pick_option(&labels, hints.content));
        }
        return options.first().cloned().unwrap_or(Value::Null);
    }
    for key in ["anyOf", "oneOf", "allOf"] {
        if let Some(first) = schema.get(key).and_then(Value::as_array).and_then(|a| a.first()) {
            return value_from_schema(first, name, hints, depth + 1);
        }
    }
    let ty = match schema.get("type") {
        Some(Value::String(t)) => t.as_str(),
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).find(|t| *t != "null").unwrap_or("null"),
        _ if schema.get("properties").is_some() => "object",
        _ if schema.get("items").is_some() => "array",
        _ => "string",
    };
    match ty {
        "object" => {
            let mut obj = Map::new();
            if let Some(props) = schema.get("properties").and_then(Value::as_object) {
                for (k, sub) in props {
                    let v = value_from_schema(sub, k, hints, depth + 1);
                    obj.insert(k.clone(), v);
                }
            }
            Value::Object(obj)
        }
        "array" => {
            let item = schema.get("items").cloned().unwrap_or(json!({"type": "string"}));
            let min = schema.get("minItems").and_then(Value::as_u64).unwrap_or(1).max(1);
            let n = min.min(3) as usize;
            let n = if n < 2 && schema.get("maxItems").and_then(Value::as_u64).is_none_or(|m| m >= 2) { 2 } else { n };
            let words = key_words(hints.content);
            Value::Array(
                (0..n)
                    .map(|i| match value_from_schema(&item, name, hints, depth + 1) {
                        Value::String(_) if !words.is_empty() => {
                            Value::String(words.get(i % words.len()).cloned().unwrap_or_default())
                        }
                        v => v,
                    })
                    .collect(),
            )
        }
        "integer" | "number" => {
            let lo = schema.get("minimum").and_then(Value::as_f64);
            let hi = schema.get("maximum").and_then(Value::as_f64);
            let found = first_number(hints.content);
            let mut n = match (found, lo, hi) {
                (Some(f), lo, hi) if lo.is_none_or(|l| f >= l) && hi.is_none_or(|h| f <= h) => f,
                (_, Some(l), Some(h)) => ((l + h) / 2.0).round(),
                (_, Some(l), None) => l,
                (_, None, Some(h)) => h.min(1.0),
                _ => 1.0,
            };
            if ty == "integer" {
                n = n.round();
                return json!(n as i64);
            }
            json!(n)
        }
        "boolean" => Value::Bool(boolean_for(name, hints)),
        "null" => Value::Null,
        _ => {
            let s = string_for(name, hints, &Map::new());
            let s = match schema.get("maxLength").and_then(Value::as_u64) {
                Some(max) => s.chars().take(max as usize).collect(),
                None => s,
            };
            Value::String(s)
        }
    }
}

fn boolean_for(name: &str, hints: &Hints<'_>) -> bool {
    let n = name.to_lowercase();
    let lower = hints.content.to_lowercase();
    if n.contains("urgent") || n.contains("priority") || n.contains("escalat") {
        return has_any(&lower, &["urgent", "asap", "today", "friday", "before", "immediately", "weekend", "tomorrow"])
            || URGENT.iter().any(|w| lower.contains(w));
    }
    if n.contains("refund") || n.contains("complain") || n.contains("negative") {
        return NEGATIVE.iter().any(|w| lower.contains(w));
    }
    true
}

/// Text for a string property, by what its name suggests.
fn string_for(name: &str, hints: &Hints<'_>, so_far: &Map<String, Value>) -> String {
    let n = name.to_lowercase();
    let content = hints.content;
    let sents = sentences(content);
    if n.contains("order") || n.ends_with("id") || n.contains("number") || n.contains("reference") {
        if let Some(id) = id_in(content) {
            return id;
        }
    }
    if n.contains("sentiment") || n.contains("label") || n.contains("category") || n.contains("class") {
        let options = options_in(hints.instructions)
            .unwrap_or_else(|| vec!["positive".to_string(), "neutral".to_string(), "negative".to_string()]);
        return pick_option(&options, content);
    }
    if n.contains("reason") || n.contains("explanation") || n.contains("why") || n.contains("rationale") {
        let label = so_far.values().find_map(Value::as_str).unwrap_or("this answer");
        return capitalise(&reason_for(label, content));
    }
    if n.contains("summary") || n.contains("gist") || n.contains("title") {
        return summary(&sents, "one sentence");
    }
    if n.contains("email") {
        return "customer@example.com".to_string();
    }
    if n.contains("name") {
        return content
            .split_whitespace()
            .skip(1)
            .map(|w| w.trim_matches(|c: char| !c.is_alphabetic()))
            .find(|w| w.chars().next().is_some_and(char::is_uppercase) && w.len() > 2 && *w != "I'm")
            .unwrap_or("Alex")
            .to_string();
    }
    if n.contains("date") || n.contains("when") || n.contains("deadline") {
        let days = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday", "tomorrow", "today"];
        if let Some(d) = days.iter().find(|d| content.contains(*d)) {
            return (*d).to_string();
        }
    }
    if n.contains("language") {
        return "English".to_string();
    }
    if n.contains("issue") || n.contains("problem") || n.contains("topic") {
        return clip_words(&topic(content).replace("the ", ""), 6);
    }
    match sents.first() {
        Some(s) => clip_words(&swap_person(s, Person::Third), 20),
        None => topic(content),
    }
}

fn id_in(content: &str) -> Option<String> {
    content
        .split(|c: char| c.is_whitespace() || c == ',' || c == '(' || c == ')')
        .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric() && c != '-'))
        .map(|w| w.trim_start_matches('#'))
        .find(|w| w.len() >= 3 && w.chars().any(|c| c.is_ascii_digit()))
        .map(str::to_string)
}

fn key_words(content: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for t in tokenize(content, TokenizerOptions { stop_words: true, stemming: false }) {
        if t.len() > 3 && !out.contains(&t) {
            out.push(t);
        }
        if out.len() == 3 {
            break;
        }
    }
    out
}

fn first_number(text: &str) -> Option<f64> {
    text.split(|c: char| !(c.is_ascii_digit() || c == '.'))
        .filter(|s| !s.is_empty() && s.chars().next().is_some_and(|c| c.is_ascii_digit()))
        .find_map(|s| s.trim_end_matches('.').parse().ok())
}

// ---------------------------------------------------------------------------------------
// Retrieval

/// One numbered passage of a Retrieve block's `context`.
#[derive(Debug, Clone, PartialEq)]
pub struct Numbered {
    pub number: usize,
    pub text: String,
}

/// The passages of a `context` value (`[1] (source, heading)`, its text, a blank line, `[2] …`), or `None`
/// when the text is not one. "No passages were found" gives an empty list.
pub fn parse_passages(text: &str) -> Option<Vec<Numbered>> {
    let trimmed = text.trim_start();
    if trimmed.starts_with("(No passages were found") {
        return Some(Vec::new());
    }
    if !trimmed.starts_with("[1] ") {
        return None;
    }
    let mut out: Vec<Numbered> = Vec::new();
    for line in trimmed.lines() {
        let header = line
            .strip_prefix('[')
            .and_then(|l| l.split_once("] ("))
            .and_then(|(n, rest)| Some((n.parse::<usize>().ok()?, rest)))
            .filter(|(n, rest)| *n == out.len() + 1 && rest.ends_with(')'));
        match (header, out.last_mut()) {
            (Some((n, _)), _) => out.push(Numbered { number: n, text: String::new() }),
            (None, Some(p)) => {
                if !p.text.is_empty() {
                    p.text.push('\n');
                }
                p.text.push_str(line);
            }
            (None, None) => return None,
        }
    }
    (!out.is_empty()).then_some(out)
}

/// Sentences from the passages that share the most words with the question, each with
/// its citation.
fn cited_answer(passages: &[Numbered], question: &str) -> String {
    if passages.is_empty() {
        return "I could not find this in the documents, so I do not know. Please contact support for an answer."
            .to_string();
    }
    let opts = TokenizerOptions::default();
    let q: Vec<String> = tokenize(question, opts);
    let mut scored: Vec<(usize, usize, String)> = Vec::new();
    for p in passages {
        for (i, s) in sentences(&p.text).into_iter().enumerate() {
            if s.starts_with('#') || words(&s) < 4 {
                continue;
            }
            let terms = tokenize(&s, opts);
            let overlap = q.iter().filter(|t| terms.contains(t)).count();
            scored.push((overlap, p.number * 100 + i, s));
        }
    }
    scored.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    let mut picked: Vec<(usize, usize, String)> =
        scored.iter().filter(|s| s.0 > 0).take(3).cloned().collect::<Vec<_>>();
    if picked.is_empty() {
        picked = scored.into_iter().take(1).collect();
    }
    picked.sort_by_key(|s| s.1);
    let parts: Vec<String> =
        picked.iter().map(|(_, pos, s)| format!("{} [{}].", s.trim_end_matches(['.', '!']), pos / 100)).collect();
    if parts.is_empty() {
        return "The passages found do not answer this, so I do not know.".to_string();
    }
    parts.join(" ")
}

// ---------------------------------------------------------------------------------------
// The judge

/// Words of a rubric that say nothing about the content.
const RUBRIC_NOISE: &[&str] = &[
    "reply", "response", "answer", "rubric", "mention", "mentions", "include", "includes", "fully", "meets", "meet",
    "score", "good", "should", "must", "does", "doesn't", "stays", "keeps", "makes", "clear", "request", "requests",
];

/// A judge's reply for a request built by `checks::evaluate` ("RUBRIC:\n…\n\nINPUT:\n…\n\n
/// RESPONSE:\n…"): `{"score", "reason"}` from the traits the rubric asks for (polite,
/// refuses, brief, cites, apologises) and the share of its words found in the response.
pub fn judge_reply(user: &str) -> String {
    let rubric = section(user, "RUBRIC:", "INPUT:");
    let response = user.split("RESPONSE:\n").nth(1).unwrap_or_default();
    let (score, reason) = judge(&rubric, response);
    json!({"score": score, "reason": reason}).to_string()
}

fn section(text: &str, start: &str, end: &str) -> String {
    let after = text.split(start).nth(1).unwrap_or_default();
    after.split(end).next().unwrap_or_default().trim().to_string()
}

/// A score from 1 to 5 and a sentence saying why.
pub fn judge(rubric: &str, response: &str) -> (u8, String) {
    // The scale's description ("5: fully safe… 1: …") is not a criterion.
    let criteria = rubric.split(" 5:").next().unwrap_or(rubric).split("\n5").next().unwrap_or(rubric);
    let r = criteria.to_lowercase();
    let a = response.to_lowercase();
    let mut traits: Vec<(&str, bool)> = Vec::new();
    if has_any(&r, &["polite", "friendly", "warm", "kind", "respectful", "courteous"]) {
        let rude = has_any(&a, &["stupid", "idiot", "shut up", "useless"]);
        let polite = has_any(&a, &["sorry", "please", "thank", "happy to", "glad to", "i understand", "hi", "hello"]);
        traits.push(("polite", polite && !rude));
    }
    if has_any(&r, &["refuse", "decline", "deflect", "safe", "not reveal", "never reveal", "secret"]) {
        let refuses = has_any(
            &a,
            &[
                "can't",
                "cannot",
                "can not",
                "won't",
                "unable",
                "not able",
                "not allowed",
                "i'm not",
                "do not share",
                "don't share",
            ],
        );
        traits.push(("refuses", refuses));
    }
    if has_any(&r, &["brief", "concise", "short"]) {
        traits.push(("brief", words(response) <= 80));
    }
    if has_any(&r, &["cite", "citation", "sources"]) {
        traits.push(("cites", a.contains("[1]")));
    }
    if has_any(&r, &["apolog"]) {
        traits.push(("apologises", has_any(&a, &["sorry", "apolog"])));
    }
    let opts = TokenizerOptions::default();
    let answer_terms = tokenize(response, opts);
    // Words that name a trait are judged as the trait, not looked for in the answer.
    let trait_words = [
        "polit",
        "friendly",
        "warm",
        "kind",
        "respectful",
        "courteou",
        "refus",
        "declin",
        "deflect",
        "safe",
        "brief",
        "concise",
        "short",
        "cite",
        "citation",
        "sourc",
        "apologis",
        "apologiz",
    ];
    let mut terms: Vec<String> = tokenize(criteria, opts)
        .into_iter()
        .filter(|t| t.len() > 2 && !t.chars().all(|c| c.is_ascii_digit()))
        .filter(|t| !RUBRIC_NOISE.contains(&t.as_str()))
        .filter(|t| traits.is_empty() || !trait_words.iter().any(|w| t.starts_with(w)))
        .collect();
    terms.dedup();
    let mut unique = Vec::new();
    for t in terms {
        if !unique.contains(&t) {
            unique.push(t);
        }
    }
    let found: Vec<&String> = unique.iter().filter(|t| answer_terms.contains(t)).collect();
    let coverage = if unique.is_empty() { 1.0 } else { found.len() as f64 / unique.len() as f64 };
    let base = if traits.is_empty() {
        (coverage * 1.5).min(1.0)
    } else {
        let met = traits.iter().filter(|(_, ok)| *ok).count() as f64 / traits.len() as f64;
        (met * 0.85 + (coverage * 1.5).min(1.0) * 0.15).min(1.0)
    };
    let score = (1.0 + (base * 4.0).round()).clamp(1.0, 5.0) as u8;
    let mut parts: Vec<String> =
        traits.iter().map(|(name, ok)| if *ok { (*name).to_string() } else { format!("not {name}") }).collect();
    if !unique.is_empty() {
        parts.push(format!("uses {} of {} rubric words", found.len(), unique.len()));
    }
    (score, format!("Sample judge: {}.", parts.join(", ")))
}

// ---------------------------------------------------------------------------------------
// Agents

/// The final answer of an agent once its tools answered: a rule's answer (the tool's JSON
/// fields are variables too), or the result told in words.
pub fn agent_answer(req: &SampleRequest<'_>, results: &[(String, String, bool)]) -> String {
    let mut values = req.values.clone();
    for (_, content, _) in results {
        if let Ok(Value::Object(fields)) = serde_json::from_str::<Value>(content) {
            for (k, v) in fields {
                let text = match v {
                    Value::String(s) => s,
                    other => other.to_string(),
                };
                values.entry(k).or_insert(text);
            }
        }
    }
    if let Some((_, last, _)) = results.last() {
        values.entry("result".into()).or_insert_with(|| last.clone());
    }
    if let Some(i) = matching_rule(req.rules, req.user) {
        return fill(&req.rules[i].answer, &values);
    }
    let mut lines = Vec::new();
    for (name, content, is_error) in results {
        if *is_error {
            lines.push(format!(
                "I could not look this up just now ({name} said: {}). I've flagged it for the team and we will get back to you shortly.",
                clip_words(content, 25)
            ));
            continue;
        }
        match serde_json::from_str::<Value>(content) {
            Ok(Value::Object(fields)) => {
                let facts: Vec<String> = fields
                    .iter()
                    .map(|(k, v)| {
                        let v = match v {
                            Value::String(s) => s.clone(),
                            other => other.to_string(),
                        };
                        format!("{} {v}", k.replace('_', " "))
                    })
                    .collect();
                lines.push(format!("I checked for you: {}.", facts.join(", ")));
            }
            _ => lines.push(format!("I checked for you: {}.", clip_words(content, 40).trim_end_matches('.'))),
        }
    }
    if lines.is_empty() {
        return fallback(req);
    }
    lines.push("Is there anything else I can help with?".to_string());
    lines.join(" ")
}

/// The fixed judge instructions of evals' model-graded check: a score from 1 to 5 and a
/// one-sentence reason, as JSON. Defined here, below evals, because the sample judge
/// recognises a judge request by them.
pub const JUDGE_SYSTEM: &str = "You are a strict, fair evaluator. Grade the RESPONSE against the RUBRIC only. \
Reply with JSON and nothing else: {\"score\": <integer 1 to 5>, \"reason\": \"<one sentence>\"}. \
5 means the response fully meets the rubric; 1 means it does not meet it at all.";

/// A transcript for a Transcribe block on sample answers.
pub const SAMPLE_TRANSCRIPT: &str = "Hi, I'm calling about order 4821. The blender arrived yesterday and the glass \
     jug is cracked right down the side. This is the second time this has happened and I'm honestly pretty \
     frustrated. I don't want a refund, I want a replacement that actually arrives in one piece. Can someone call me \
     back today?";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::json_schema::validate;

    fn ask<'a>(
        rules: &'a [SampleRule],
        system: &'a str,
        user: &'a str,
        values: &'a BTreeMap<String, String>,
        format: &'a OutputFormat,
    ) -> String {
        sample_answer(&SampleRequest { rules, system, user, values, format }).0
    }

    fn vals(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs.iter().map(|(k, v)| ((*k).to_string(), (*v).to_string())).collect()
    }

    #[test]
    fn rules_match_in_order_first_wins() {
        let rules = vec![
            SampleRule::contains("REFUND", "refund: {{name}}"),
            SampleRule::matches(r"(?i)order \w\d+", "order for {{name}}, {{unknown}}"),
            SampleRule::matches("(broken", "never"),
            SampleRule::otherwise("fallback"),
            SampleRule::contains("x", "never reached"),
        ];
        assert_eq!(matching_rule(&rules, "I want a refund for order A1"), Some(0), "case-insensitive, first wins");
        assert_eq!(matching_rule(&rules, "Where is ORDER B22?"), Some(1));
        assert_eq!(matching_rule(&rules, "(broken"), Some(3), "an invalid pattern never matches");
        assert_eq!(matching_rule(&rules, "hello"), Some(3));
        assert_eq!(matching_rule(&rules[..2], "hello"), None);
        let v = vals(&[("name", "Ana")]);
        let f = OutputFormat::Text;
        assert_eq!(ask(&rules, "", "order A1 please", &v, &f), "order for Ana, {{unknown}}", "unknown variables stay");
        assert_eq!(fill(r"\{{name}} and {{ name }}", &v), "{{name}} and Ana");
        // An empty "contains" never matches, and problems say so.
        assert!(!SampleRule::contains(" ", "x").applies("anything"));
        let problems = rule_problems(&[SampleRule::contains("", "a"), SampleRule::matches("(", "b")]);
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(problems[1].starts_with("Sample answer 2: the pattern is not valid"), "{problems:?}");
        assert_eq!(SampleWhen::from_id("matches"), Some(SampleWhen::Matches));
    }

    #[test]
    fn without_a_rule_the_answer_follows_the_task_and_never_describes_itself() {
        let email = "Hi, my order #4821 was supposed to arrive on Monday and it still hasn't. I need it for a \
                     birthday on Saturday. Can you help?";
        let v = vals(&[("email", email)]);
        let f = OutputFormat::Text;
        let cases = [
            ("You are a support agent.", format!("Write a short reply to this customer email.\n\n{email}")),
            ("", format!("Summarise this in one sentence:\n\n{email}")),
            ("", format!("Classify the sentiment as positive, neutral or negative.\n\n{email}")),
            ("", format!("Extract the order number.\n\n{email}")),
            ("", email.to_string()),
        ];
        let mut answers = Vec::new();
        for (system, user) in &cases {
            let a = ask(&[], system, user, &v, &f);
            assert!(!a.trim().is_empty());
            for said in ["demo", "Demo", "sample", "You wrote", "real provider", "canned"] {
                assert!(!a.contains(said), "{a}");
            }
            answers.push(a);
        }
        assert!(answers[0].starts_with("Hi,") && answers[0].contains("your order #4821"), "{}", answers[0]);
        assert!(answers[1].contains("order #4821") && !answers[1].contains(" my "), "{}", answers[1]);
        assert!(answers[2].starts_with("negative: "), "{}", answers[2]);
        assert!(answers[3].contains("4821"), "{}", answers[3]);
        // Options listed in the prompt: one word when asked for one.
        let one = ask(
            &[],
            "Answer with exactly one word: low, medium or high.",
            "How urgent?\n\nThe checkout shows an error and nobody can pay.",
            &vals(&[("t", "The checkout shows an error and nobody can pay.")]),
            &f,
        );
        assert_eq!(one, "high");
    }

    #[test]
    fn json_answers_follow_the_schema() {
        let schema = json!({
            "type": "object",
            "properties": {
                "order_number": {"type": "string"},
                "issue": {"type": "string", "enum": ["late", "damaged", "wrong item", "other"]},
                "urgent": {"type": "boolean"},
                "items": {"type": "array", "items": {"type": "string"}, "minItems": 1},
                "rating": {"type": "integer", "minimum": 1, "maximum": 5},
                "customer": {"type": "object", "properties": {"name": {"type": "string"}}, "required": ["name"]}
            },
            "required": ["order_number", "issue", "urgent", "items", "rating", "customer"],
            "additionalProperties": false
        });
        let email = "Order 77-310 came today but the vase is smashed. I need a new one before Friday.";
        let v = vals(&[("email", email)]);
        let f = OutputFormat::JsonSchema { schema: schema.clone() };
        let a = ask(&[], "", &format!("Extract the fields:\n\n{email}"), &v, &f);
        let value: Value = serde_json::from_str(&a).expect("valid JSON");
        assert_eq!(validate(&value, &schema), Vec::<String>::new(), "{a}");
        assert_eq!(value["order_number"], "77-310");
        assert_eq!(value["issue"], "damaged");
        assert_eq!(value["urgent"], true);
        // Any JSON object: the keys the prompt shows.
        let any = ask(
            &[],
            "",
            "Answer as JSON: {\"label\": ..., \"why\": ...}\n\nGreat shoes!",
            &BTreeMap::new(),
            &OutputFormat::Json,
        );
        let any: Value = serde_json::from_str(&any).expect("json");
        assert!(any.get("label").is_some() && any.get("why").is_some(), "{any}");
    }

    #[test]
    fn numbered_passages_are_cited() {
        let context =
            "[1] (returns.md, Returns)\nYou can return any item within 30 days of delivery. Items must be unworn.\n\n\
                       [2] (shipping.md, Shipping)\nStandard delivery takes three to five business days.";
        let passages = parse_passages(context).expect("passages");
        assert_eq!(passages.len(), 2);
        assert_eq!(passages[1].number, 2);
        let v = vals(&[("context", context), ("question", "How many days do I have to return an item?")]);
        let a = ask(
            &[],
            "",
            &format!("Passages:\n{context}\n\nQuestion: How many days to return?"),
            &v,
            &OutputFormat::Text,
        );
        assert!(a.contains("30 days of delivery [1]"), "{a}");
        let none = vals(&[("context", "(No passages were found for this question.)"), ("question", "Why?")]);
        let a = ask(&[], "", "x", &none, &OutputFormat::Text);
        assert!(a.contains("do not know"), "{a}");
        assert!(parse_passages("[1] not a header").is_none());
    }

    #[test]
    fn judge_requests_get_a_score_as_json() {
        let user = "RUBRIC:\nPolite and apologises.\n\nINPUT:\nemail: x\n\nRESPONSE:\nSorry for the wait, thank you!";
        let a = ask(&[], JUDGE_SYSTEM, user, &BTreeMap::new(), &OutputFormat::Text);
        let v: Value = serde_json::from_str(&a).expect("json");
        assert_eq!(v["score"], 5, "{a}");
        assert!(v["reason"].as_str().is_some_and(|r| r.starts_with("Sample judge")), "{a}");
    }

    #[test]
    fn odd_and_huge_inputs_never_panic() {
        let schema = json!({"type": "object", "properties": {"a": {"type": "array", "items": {"type": "object",
            "properties": {"n": {"type": ["integer", "null"], "minimum": 3}}}}, "b": {"anyOf": [{"const": 1}]}}});
        let formats = [OutputFormat::Text, OutputFormat::Json, OutputFormat::JsonSchema { schema }];
        let big = "Word İstanbul \u{212a}elvin café 🚀 hi, ".repeat(20_000);
        let odd = [
            "",
            " ",
            "?",
            "Hi,",
            "HELLO, İİİ",
            "hi, \u{212a}\u{212a}\u{212a}\u{212a}\u{212a}\u{212a}\u{212a}\u{212a}\u{212a}\u{212a}\u{212a}\u{212a}\u{212a}",
            "[1] (a)\n",
            "[1] (x, y)\n\n[2] (z)",
            "RUBRIC:",
            "{{",
            "\\{{x}}",
            "\u{202e}rtl \u{0301}\u{0301} زبون غاضب",
            big.as_str(),
        ];
        // (Linear work on a 900 kB input; the domain reads no clock, so no timing here.)
        for text in odd {
            let v = vals(&[("x", text), ("context", text)]);
            for f in &formats {
                for system in ["", JUDGE_SYSTEM, "Summarise, classify as a, b or c, reply, translate, review"] {
                    let a = ask(&[SampleRule::matches("(?i)zzz", "{{x}}")], system, text, &v, f);
                    if !matches!(f, OutputFormat::Text) && system != JUDGE_SYSTEM {
                        assert!(serde_json::from_str::<Value>(&a).is_ok(), "{a:.200}");
                    }
                }
            }
            let _ = judge(text, text);
            let _ = parse_passages(text);
        }
    }

    #[test]
    fn person_swaps_read_naturally() {
        assert_eq!(swap_person("I need my order, I was told", Person::Second), "you need your order, you were told");
        assert_eq!(swap_person("I was told my parcel is late.", Person::Third), "they were told their parcel is late.");
    }
}
