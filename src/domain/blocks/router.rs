//! Router: sends its input down one of several named routes, by rules or by a model's pick.
//! Each route is an output port; the route not chosen carries nothing, so the blocks on it
//! are skipped (see `engine::control`). `default` is always there and catches the rest.

use super::{KindSpec, Port};
use crate::domain::providers::{sample_moderation, ModerationResult, ProviderKind};
use crate::domain::template::is_valid_name;
use serde::{Deserialize, Serialize};

/// The port a Router reads.
pub const ROUTER_INPUT_PORT: &str = "value";
/// The route taken when no rule matches (or the model's pick is not a route).
pub const DEFAULT_ROUTE: &str = "default";

/// Shown on a Router whose moderation rule needs OpenAI and there is no OpenAI key.
pub const MODERATION_NEEDS_KEY: &str =
    "OpenAI moderation needs your OpenAI key: add it in Settings, or tick \u{201c}Sample \
     moderation\u{201d} in the rule to try the flow without a key (no request is sent).";

/// How a router chooses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RouterMode {
    /// The first rule whose test passes names the route.
    #[default]
    Rules,
    /// A model picks one route name and says why.
    Model,
}

/// What a rule checks about the input. Text tests ignore case unless `case_sensitive`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "test", rename_all = "snake_case")]
pub enum RuleTest {
    Contains {
        text: String,
    },
    /// One of a comma-separated list of words or phrases.
    ContainsAny {
        words: String,
    },
    Equals {
        text: String,
    },
    StartsWith {
        text: String,
    },
    EndsWith {
        text: String,
    },
    /// A regular expression (regex-lite syntax), anywhere in the input.
    Matches {
        pattern: String,
    },
    /// The input is JSON and the field at `path` (`a.b.0`) equals `value` (text comparison;
    /// a JSON string compares without its quotes).
    JsonFieldEquals {
        path: String,
        value: String,
    },
    /// The input (or the field at `path`, when given) is a number within `min..=max`; an
    /// absent bound is open.
    NumberInRange {
        #[serde(default, skip_serializing_if = "String::is_empty")]
        path: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        min: Option<f64>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        max: Option<f64>,
    },
    /// Guardrail: the input holds personal data (`domain::privacy`: e-mail addresses, phone,
    /// card and ID numbers with their checks, IBANs, street addresses).
    PersonalData,
    /// Guardrail: the input has more than `chars` characters.
    LongerThan {
        chars: usize,
    },
    /// Guardrail: OpenAI's moderation endpoint flags the input (`providers::moderation`).
    /// `categories` (comma-separated) narrows it to those categories; `min_score` counts a
    /// category scoring at least that (0 to 1) even if OpenAI did not flag it. `sample`
    /// uses the built-in word list instead: no key, no request.
    Moderation {
        #[serde(default, skip_serializing_if = "String::is_empty")]
        categories: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        min_score: Option<f64>,
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        sample: bool,
    },
}

impl RuleTest {
    /// The kinds a user picks from, with their names in the inspector.
    pub const KINDS: [(&'static str, &'static str); 11] = [
        ("contains", "contains"),
        ("contains_any", "contains any of"),
        ("equals", "equals"),
        ("starts_with", "starts with"),
        ("ends_with", "ends with"),
        ("matches", "matches the pattern"),
        ("json_field_equals", "JSON field equals"),
        ("number_in_range", "number between"),
        ("personal_data", "has personal data"),
        ("longer_than", "is longer than (characters)"),
        ("moderation", "flagged by OpenAI moderation"),
    ];

    pub fn kind_id(&self) -> &'static str {
        match self {
            RuleTest::Contains { .. } => "contains",
            RuleTest::ContainsAny { .. } => "contains_any",
            RuleTest::Equals { .. } => "equals",
            RuleTest::StartsWith { .. } => "starts_with",
            RuleTest::EndsWith { .. } => "ends_with",
            RuleTest::Matches { .. } => "matches",
            RuleTest::JsonFieldEquals { .. } => "json_field_equals",
            RuleTest::NumberInRange { .. } => "number_in_range",
            RuleTest::PersonalData => "personal_data",
            RuleTest::LongerThan { .. } => "longer_than",
            RuleTest::Moderation { .. } => "moderation",
        }
    }

    /// A fresh test of kind `id` (unknown ids give `contains`).
    pub fn of_kind(id: &str) -> RuleTest {
        match id {
            "contains_any" => RuleTest::ContainsAny { words: String::new() },
            "equals" => RuleTest::Equals { text: String::new() },
            "starts_with" => RuleTest::StartsWith { text: String::new() },
            "ends_with" => RuleTest::EndsWith { text: String::new() },
            "matches" => RuleTest::Matches { pattern: String::new() },
            "json_field_equals" => RuleTest::JsonFieldEquals { path: String::new(), value: String::new() },
            "number_in_range" => RuleTest::NumberInRange { path: String::new(), min: None, max: None },
            "personal_data" => RuleTest::PersonalData,
            "longer_than" => RuleTest::LongerThan { chars: 2000 },
            "moderation" => RuleTest::Moderation { categories: String::new(), min_score: None, sample: false },
            _ => RuleTest::Contains { text: String::new() },
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RouteRule {
    /// The route this rule sends the input to.
    pub route: String,
    #[serde(flatten)]
    pub test: RuleTest,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub case_sensitive: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RouterConfig {
    #[serde(default)]
    pub mode: RouterMode,
    /// Route names, in order; each is an output port. `default` is added after them.
    pub routes: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rules: Vec<RouteRule>,
    /// Model mode: who picks, with which model (as a Prompt's).
    #[serde(default = "default_provider")]
    pub provider: String,
    #[serde(default)]
    pub model: String,
    /// Model mode: what the routes mean, in the user's words (added to the question).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub instructions: String,
}

fn default_provider() -> String {
    ProviderKind::Demo.id().to_string()
}

impl Default for RouterConfig {
    fn default() -> Self {
        RouterConfig {
            mode: RouterMode::Rules,
            routes: vec!["yes".into(), "no".into()],
            rules: vec![RouteRule {
                route: "yes".into(),
                test: RuleTest::Contains { text: "yes".into() },
                case_sensitive: false,
            }],
            provider: default_provider(),
            model: String::new(),
            instructions: String::new(),
        }
    }
}

impl KindSpec for RouterConfig {
    const KIND: &'static str = "router";
    const LABEL: &'static str = "Router";

    fn input_ports(&self) -> Vec<Port> {
        vec![Port::text(ROUTER_INPUT_PORT)]
    }

    fn output_ports(&self) -> Vec<Port> {
        let mut ports: Vec<Port> = Vec::new();
        for r in &self.routes {
            if is_valid_name(r) && r != DEFAULT_ROUTE && !ports.iter().any(|p| &p.name == r) {
                ports.push(Port::text(r.clone()));
            }
        }
        ports.push(Port::text(DEFAULT_ROUTE));
        ports
    }

    fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        if self.routes.is_empty() {
            out.push("Add at least one route.".to_string());
        }
        for (i, r) in self.routes.iter().enumerate() {
            if r == DEFAULT_ROUTE {
                out.push("A route is named \u{201c}default\u{201d}: that one is always there. Rename it.".to_string());
            } else if !is_valid_name(r) {
                out.push(format!(
                    "Route {} is named \u{201c}{r}\u{201d}: use letters, digits and _ (starting with a letter), \
                     up to 64 characters.",
                    i + 1
                ));
            } else if self.routes[..i].contains(r) {
                out.push(format!("Two routes are named \u{201c}{r}\u{201d}: rename one."));
            }
        }
        match self.mode {
            RouterMode::Rules => {
                if self.rules.is_empty() {
                    out.push("Add a rule, or every input goes to \u{201c}default\u{201d}.".to_string());
                }
                for (i, rule) in self.rules.iter().enumerate() {
                    out.extend(rule_problems(i + 1, rule, &self.routes));
                }
            }
            RouterMode::Model => {
                if ProviderKind::from_id(&self.provider).is_none() {
                    out.push(format!("Unknown provider \u{201c}{}\u{201d}.", self.provider));
                } else if self.model.trim().is_empty() && self.provider != ProviderKind::Demo.id() {
                    out.push("Choose the model that picks the route.".to_string());
                }
            }
        }
        out
    }
}

fn rule_problems(n: usize, rule: &RouteRule, routes: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    if rule.route != DEFAULT_ROUTE && !routes.contains(&rule.route) {
        out.push(format!(
            "Rule {n} sends to \u{201c}{}\u{201d}, which is not one of the routes. Pick a route or add it.",
            rule.route
        ));
    }
    let empty = |s: &str| s.trim().is_empty();
    match &rule.test {
        RuleTest::Contains { text } | RuleTest::StartsWith { text } | RuleTest::EndsWith { text } if empty(text) => {
            out.push(format!("Rule {n}: write the text to look for."))
        }
        RuleTest::ContainsAny { words } if words.split(',').all(empty) => {
            out.push(format!("Rule {n}: list the words to look for, separated by commas."))
        }
        RuleTest::Matches { pattern } => match regex_lite::Regex::new(pattern) {
            _ if pattern.is_empty() => out.push(format!("Rule {n}: write the pattern to match.")),
            Err(e) => out.push(format!("Rule {n}: the pattern is not valid: {e}")),
            Ok(_) => {}
        },
        RuleTest::JsonFieldEquals { path, .. } if empty(path) => {
            out.push(format!("Rule {n}: name the JSON field, for example \u{201c}customer.plan\u{201d}."))
        }
        RuleTest::NumberInRange { min: None, max: None, .. } => {
            out.push(format!("Rule {n}: give a lowest or a highest number (or both)."))
        }
        RuleTest::LongerThan { chars: 0 } => out.push(format!("Rule {n}: give the most characters allowed.")),
        RuleTest::NumberInRange { min: Some(a), max: Some(b), .. } if a > b => {
            out.push(format!("Rule {n}: the lowest number is above the highest."))
        }
        RuleTest::Moderation { min_score: Some(m), .. } if !(0.0..=1.0).contains(m) => {
            out.push(format!("Rule {n}: the score is between 0 and 1, like 0.5."))
        }
        _ => {}
    }
    out
}

impl RouterConfig {
    /// The names a route can take, `default` last.
    pub fn route_names(&self) -> Vec<String> {
        self.output_ports().into_iter().map(|p| p.name).collect()
    }
}

/// How a route was chosen, for the trace and the card.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RouteChoice {
    pub route: String,
    /// Rules mode: the rule that matched (from 0); `None` means no rule did.
    pub rule: Option<usize>,
    /// Model mode: the reason the model gave.
    pub reason: Option<String>,
    /// Something the user should know: an unreadable answer, a field that was not there.
    pub note: Option<String>,
}

/// Where a rules-mode choice stands: chosen, or waiting for OpenAI's moderation reply.
#[derive(Debug, Clone, PartialEq)]
pub enum RuleStep {
    Chosen(RouteChoice),
    /// Rule `rule` (from 0) needs the moderation endpoint's verdict on the input: ask, then
    /// call [`RouterConfig::choose_with_moderation`] with the reply.
    NeedsModeration {
        rule: usize,
    },
}

/// How rules that need OpenAI moderation are treated while choosing.
#[derive(Clone, Copy)]
enum Moderation<'a> {
    /// Stop and ask for it.
    Ask,
    /// The endpoint's reply.
    Given(&'a ModerationResult),
    /// Not available (a preview): the rule does not pass, with a note.
    Skip,
}

impl RouterConfig {
    /// Rules mode: the first rule that passes, else `default`. Notes say when a rule could
    /// not be checked (the input is not JSON, a field is missing). A moderation rule that
    /// needs a request does not pass here (the engine asks the endpoint instead).
    pub fn choose_by_rules(&self, input: &str) -> RouteChoice {
        match self.choose(input, Moderation::Skip) {
            RuleStep::Chosen(c) => c,
            RuleStep::NeedsModeration { .. } => RouteChoice::default(),
        }
    }

    /// Rules mode, as the engine runs it: stops at the first moderation rule that needs
    /// OpenAI's reply (sample moderation rules are answered at once).
    pub fn choose_step(&self, input: &str) -> RuleStep {
        self.choose(input, Moderation::Ask)
    }

    /// Rules mode with OpenAI's moderation reply for the input.
    pub fn choose_with_moderation(&self, input: &str, moderation: &ModerationResult) -> RouteChoice {
        match self.choose(input, Moderation::Given(moderation)) {
            RuleStep::Chosen(c) => c,
            RuleStep::NeedsModeration { .. } => RouteChoice::default(),
        }
    }

    /// The problem shown on the block when a moderation rule would ask OpenAI and no OpenAI
    /// key is set (the UI knows about keys; the flow does not).
    pub fn moderation_key_problem(&self, has_openai_key: bool) -> Option<String> {
        (self.uses_openai_moderation() && !has_openai_key).then(|| MODERATION_NEEDS_KEY.to_string())
    }

    /// This router with every OpenAI moderation rule on the sample moderation instead (for
    /// running without an OpenAI key); `None` when no rule asks OpenAI.
    pub fn with_sample_moderation(&self) -> Option<RouterConfig> {
        if !self.uses_openai_moderation() {
            return None;
        }
        let mut out = self.clone();
        for rule in &mut out.rules {
            if let RuleTest::Moderation { sample, .. } = &mut rule.test {
                *sample = true;
            }
        }
        Some(out)
    }

    /// Whether any rule asks OpenAI's moderation endpoint (not the sample).
    pub fn uses_openai_moderation(&self) -> bool {
        self.mode == RouterMode::Rules
            && self.rules.iter().any(|r| matches!(r.test, RuleTest::Moderation { sample: false, .. }))
    }

    fn choose(&self, input: &str, moderation: Moderation<'_>) -> RuleStep {
        let mut notes: Vec<String> = Vec::new();
        let mut sample_result: Option<ModerationResult> = None;
        let mut moderated: Option<ModerationResult> = None;
        for (i, rule) in self.rules.iter().enumerate() {
            let passes = match &rule.test {
                RuleTest::Moderation { categories, min_score, sample } => {
                    let result = if *sample {
                        Some(sample_result.get_or_insert_with(|| sample_moderation(input)).clone())
                    } else {
                        match moderation {
                            Moderation::Ask => return RuleStep::NeedsModeration { rule: i },
                            Moderation::Given(r) => Some(r.clone()),
                            Moderation::Skip => None,
                        }
                    };
                    match result {
                        Some(r) if r.trips(categories, *min_score) => {
                            let reason = Some(r.reason(categories, *min_score));
                            return RuleStep::Chosen(RouteChoice {
                                route: rule.route.clone(),
                                rule: Some(i),
                                reason,
                                note: None,
                            });
                        }
                        Some(r) => {
                            moderated = Some(r);
                            Ok(false)
                        }
                        None => Err("it needs OpenAI moderation, checked when the flow runs.".to_string()),
                    }
                }
                _ => rule_passes(rule, input),
            };
            match passes {
                Ok(true) => {
                    // A guardrail says what it found, for the trace, the card and present mode.
                    let fold = |s: &str| if rule.case_sensitive { s.to_string() } else { s.to_lowercase() };
                    let reason = match &rule.test {
                        RuleTest::PersonalData => Some(format!(
                            "Personal data found: {}.",
                            crate::domain::privacy::describe_counts(&crate::domain::privacy::count_personal_data(
                                input
                            ))
                        )),
                        RuleTest::LongerThan { chars } => {
                            Some(format!("{} characters, more than the {chars} allowed.", input.chars().count()))
                        }
                        RuleTest::ContainsAny { words } => words
                            .split(',')
                            .map(str::trim)
                            .find(|w| !w.is_empty() && fold(input).contains(&fold(w)))
                            .map(|w| format!("Contains \u{201c}{w}\u{201d}.")),
                        _ => None,
                    };
                    return RuleStep::Chosen(RouteChoice {
                        route: rule.route.clone(),
                        rule: Some(i),
                        reason,
                        note: None,
                    });
                }
                Ok(false) => {}
                Err(why) => notes.push(format!("Rule {}: {why}", i + 1)),
            }
        }
        if let Some(r) = moderated {
            notes.push(r.passed_note());
        }
        RuleStep::Chosen(RouteChoice {
            route: DEFAULT_ROUTE.to_string(),
            rule: None,
            reason: None,
            note: Some(if notes.is_empty() {
                "No rule matched, so the input went to \u{201c}default\u{201d}.".to_string()
            } else {
                format!("No rule matched, so the input went to \u{201c}default\u{201d}. {}", notes.join(" "))
            }),
        })
    }
}

impl RouterConfig {
    /// Model mode: the instructions sent with the input (the input is the user message).
    pub fn model_system_prompt(&self) -> String {
        let labels: Vec<String> = self.route_names();
        let mut s =
            String::from("You route requests. Read the user's message and pick exactly one label from this list:\n");
        for l in &labels {
            s.push_str("- ");
            s.push_str(l);
            s.push('\n');
        }
        if !self.instructions.trim().is_empty() {
            s.push('\n');
            s.push_str(self.instructions.trim());
            s.push('\n');
        }
        s.push_str(
            "\nAnswer with the label on the first line and one short sentence saying why on the second line, \
             like:\nlabel\nreason",
        );
        s
    }

    /// Model mode: reads the model's answer. An exact label, the same label in other case,
    /// or a label named inside the text all count; anything else goes to `default` with a note.
    pub fn parse_model_answer(&self, answer: &str) -> RouteChoice {
        let labels = self.route_names();
        let trimmed = answer.trim();
        let mut lines = trimmed.lines().map(str::trim).filter(|l| !l.is_empty());
        let first = lines.next().unwrap_or_default();
        let rest: Vec<&str> = lines.collect();
        let clean = |s: &str| {
            s.trim_matches(|c: char| !c.is_alphanumeric() && c != '_')
                .trim_start_matches("label:")
                .trim_start_matches("Label:")
                .trim()
                .to_string()
        };
        let reason_of = |rest: &[&str]| {
            let r = rest.join(" ");
            let r = r.trim_start_matches("reason:").trim_start_matches("Reason:").trim().to_string();
            (!r.is_empty()).then_some(r)
        };
        let head = clean(first);
        if let Some(l) = labels.iter().find(|l| **l == head) {
            return RouteChoice { route: l.clone(), rule: None, reason: reason_of(&rest), note: None };
        }
        if let Some(l) = labels.iter().find(|l| l.eq_ignore_ascii_case(&head)) {
            return RouteChoice { route: l.clone(), rule: None, reason: reason_of(&rest), note: None };
        }
        // A label inside the text: the one named first wins (whole words only).
        let lower = trimmed.to_lowercase();
        let found = labels
            .iter()
            .filter_map(|l| word_position(&lower, &l.to_lowercase()).map(|at| (at, l)))
            .min_by_key(|(at, _)| *at);
        if let Some((_, l)) = found {
            return RouteChoice { route: l.clone(), rule: None, reason: Some(clip(trimmed, 300)), note: None };
        }
        RouteChoice {
            route: DEFAULT_ROUTE.to_string(),
            rule: None,
            reason: None,
            note: Some(format!(
                "The model's answer named none of the routes, so the input went to \u{201c}default\u{201d}. \
                 It said: \u{201c}{}\u{201d}",
                clip(trimmed, 200)
            )),
        }
    }
}

/// Where `word` occurs in `text` as a whole word (letters, digits and _ around it do not count).
fn word_position(text: &str, word: &str) -> Option<usize> {
    if word.is_empty() {
        return None;
    }
    let is_word = |c: char| c.is_alphanumeric() || c == '_';
    let mut from = 0;
    while let Some(pos) = text.get(from..)?.find(word) {
        let at = from + pos;
        let end = at + word.len();
        let before = text[..at].chars().next_back().is_none_or(|c| !is_word(c));
        let after = text[end..].chars().next().is_none_or(|c| !is_word(c));
        if before && after {
            return Some(at);
        }
        from = end;
    }
    None
}

fn clip(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut s: String = text.chars().take(max).collect();
    s.push('\u{2026}');
    s
}

/// Whether `rule` passes for `input`; `Err` says why it could not be checked.
fn rule_passes(rule: &RouteRule, input: &str) -> Result<bool, String> {
    let fold = |s: &str| if rule.case_sensitive { s.to_string() } else { s.to_lowercase() };
    let hay = fold(input);
    let needle = |t: &str| fold(t.trim());
    Ok(match &rule.test {
        RuleTest::Contains { text } => !text.trim().is_empty() && hay.contains(&needle(text)),
        RuleTest::ContainsAny { words } => {
            words.split(',').map(needle).filter(|w| !w.is_empty()).any(|w| hay.contains(&w))
        }
        RuleTest::Equals { text } => hay.trim() == needle(text),
        RuleTest::StartsWith { text } => !text.trim().is_empty() && hay.trim_start().starts_with(&needle(text)),
        RuleTest::EndsWith { text } => !text.trim().is_empty() && hay.trim_end().ends_with(&needle(text)),
        RuleTest::Matches { pattern } => {
            let pattern = if rule.case_sensitive { pattern.clone() } else { format!("(?i){pattern}") };
            let re = regex_lite::Regex::new(&pattern).map_err(|_| "the pattern is not valid.".to_string())?;
            re.is_match(input)
        }
        RuleTest::JsonFieldEquals { path, value } => {
            let field = json_field(input, path)?;
            let text = match field {
                serde_json::Value::String(s) => s,
                other => other.to_string(),
            };
            fold(text.trim()) == needle(value)
        }
        RuleTest::NumberInRange { path, min, max } => {
            let n = if path.trim().is_empty() {
                input.trim().parse::<f64>().map_err(|_| "the input is not a number.".to_string())?
            } else {
                match json_field(input, path)? {
                    serde_json::Value::Number(n) => n.as_f64().unwrap_or(f64::NAN),
                    serde_json::Value::String(s) => s
                        .trim()
                        .parse::<f64>()
                        .map_err(|_| format!("the field \u{201c}{}\u{201d} is not a number.", path.trim()))?,
                    _ => return Err(format!("the field \u{201c}{}\u{201d} is not a number.", path.trim())),
                }
            };
            n.is_finite() && min.is_none_or(|m| n >= m) && max.is_none_or(|m| n <= m)
        }
        RuleTest::PersonalData => !crate::domain::privacy::find_personal_data(input).is_empty(),
        RuleTest::LongerThan { chars } => input.chars().count() > *chars,
        // Decided in `choose`, which has the moderation reply.
        RuleTest::Moderation { .. } => false,
    })
}

/// The JSON value at `path` in `input`, or why there is none.
fn json_field(input: &str, path: &str) -> Result<serde_json::Value, String> {
    let value: serde_json::Value =
        serde_json::from_str(input.trim()).map_err(|_| "the input is not JSON.".to_string())?;
    crate::domain::util::json_path::json_at(&value, path)
        .cloned()
        .ok_or_else(|| format!("the input has no field \u{201c}{}\u{201d}.", path.trim()))
}
