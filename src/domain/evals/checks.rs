//! Checks: what a good answer is, written down. Each check is named and gives Pass, Fail
//! (with the reason) or Error (the check itself could not run: a bad regex, a judge that
//! did not answer). Errors are never counted as failures.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::domain::json_schema;
use crate::domain::json_view::try_parse_json;
use crate::domain::sample::JUDGE_SYSTEM;
use crate::domain::util::json_path::json_at;

/// Model-graded checks pass at this score (out of 5) unless set otherwise.
pub const DEFAULT_PASS_SCORE: u8 = 4;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum CheckKind {
    /// `text` may use `{{expected}}` for the case's expected value.
    Contains {
        text: String,
        #[serde(default)]
        case_sensitive: bool,
    },
    NotContains {
        text: String,
        #[serde(default)]
        case_sensitive: bool,
    },
    /// Equal after trimming; an empty `text` means the case's expected value.
    Equals {
        #[serde(default)]
        text: String,
    },
    StartsWith {
        text: String,
    },
    Regex {
        pattern: String,
    },
    Length {
        min: Option<usize>,
        max: Option<usize>,
    },
    ValidJson,
    MatchesSchema {
        schema: Value,
    },
    /// The JSON field at `path` equals `equals` (compared as text; `{{expected}}` allowed).
    JsonField {
        path: String,
        equals: String,
    },
    /// The number at `path` in a JSON answer (or the first number in the text) is in range.
    NumberRange {
        #[serde(default)]
        path: String,
        min: Option<f64>,
        max: Option<f64>,
    },
    /// Cosine similarity of the answer's and the expected value's embeddings is at least `min`.
    Similarity {
        provider: String,
        model: String,
        #[serde(default = "default_min_similarity")]
        min: f64,
    },
    /// A Router (`block`, its id) sent the input down `route`. An empty `route` or
    /// `{{expected}}` means the case's expected value. Checked against the run's routes
    /// (`evals::routes`), not the answer: "this input must be blocked by the guardrail".
    RouteTaken {
        block: String,
        #[serde(default)]
        route: String,
    },
    /// A model grades the answer against a rubric, 1 to 5.
    ModelGraded {
        rubric: String,
        provider: String,
        model: String,
        #[serde(default = "default_pass")]
        pass_score: u8,
    },
}

fn default_min_similarity() -> f64 {
    0.8
}

fn default_pass() -> u8 {
    DEFAULT_PASS_SCORE
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Check {
    pub name: String,
    pub kind: CheckKind,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum CheckResult {
    Pass {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        score: Option<u8>,
        #[serde(default)]
        reason: String,
    },
    Fail {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        score: Option<u8>,
        reason: String,
    },
    /// The check could not be evaluated; not a failure of the answer.
    Error { message: String },
}

impl CheckResult {
    pub fn passed(&self) -> Option<bool> {
        match self {
            CheckResult::Pass { .. } => Some(true),
            CheckResult::Fail { .. } => Some(false),
            CheckResult::Error { .. } => None,
        }
    }

    fn pass() -> Self {
        CheckResult::Pass { score: None, reason: String::new() }
    }

    fn fail(reason: impl Into<String>) -> Self {
        CheckResult::Fail { score: None, reason: reason.into() }
    }

    fn error(message: impl Into<String>) -> Self {
        CheckResult::Error { message: message.into() }
    }
}

/// What evaluating a check needs next.
#[derive(Debug, Clone, PartialEq)]
pub enum Evaluation {
    Done(CheckResult),
    /// A model must grade it: send this judge request, then call [`grade_reply`].
    Judge {
        system: String,
        user: String,
        provider: String,
        model: String,
        pass_score: u8,
    },
    /// Embed these two texts (answer, expected), then call [`similarity_result`].
    Embed {
        provider: String,
        model: String,
        inputs: [String; 2],
        min: f64,
    },
}

/// The result of a similarity check from the two vectors.
pub fn similarity_result(vectors: &[Vec<f32>], min: f64) -> CheckResult {
    match vectors {
        [a, b] => match crate::domain::util::vector::cosine(a, b) {
            Some(s) if s >= min => CheckResult::Pass { score: None, reason: format!("similarity {s:.2}") },
            Some(s) => CheckResult::fail(format!("similarity {s:.2}, below {min:.2}")),
            None => CheckResult::error("The two embeddings could not be compared."),
        },
        _ => CheckResult::error("The embeddings reply did not have two vectors."),
    }
}

fn with_expected(text: &str, expected: Option<&str>) -> Result<String, CheckResult> {
    if !text.contains("{{expected}}") {
        return Ok(text.to_string());
    }
    match expected {
        Some(e) => Ok(text.replace("{{expected}}", e)),
        None => Err(CheckResult::error("This check uses {{expected}}, but the case has no expected value.")),
    }
}

fn contains(haystack: &str, needle: &str, case_sensitive: bool) -> bool {
    if case_sensitive {
        haystack.contains(needle)
    } else {
        haystack.to_lowercase().contains(&needle.to_lowercase())
    }
}

fn short(text: &str) -> String {
    let mut out: String = text.chars().take(60).collect();
    if text.chars().count() > 60 {
        out.push('\u{2026}');
    }
    out
}

/// The first number written in `text` (`-3.5`, `42`, `1,200` is read as 1200).
fn first_number(text: &str) -> Option<f64> {
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let starts =
            chars[i].is_ascii_digit() || (chars[i] == '-' && chars.get(i + 1).is_some_and(char::is_ascii_digit));
        if starts {
            let mut s = String::new();
            s.push(chars[i]);
            let mut j = i + 1;
            while j < chars.len() && (chars[j].is_ascii_digit() || chars[j] == '.' || chars[j] == ',') {
                if chars[j] != ',' {
                    s.push(chars[j]);
                }
                j += 1;
            }
            return s.trim_end_matches('.').parse().ok();
        }
        i += 1;
    }
    None
}

/// Evaluates `check` on one output. `inputs` is shown to a judge.
pub fn evaluate(check: &CheckKind, output: &str, expected: Option<&str>, inputs: &str) -> Evaluation {
    let done = Evaluation::Done;
    let text = |t: &str| with_expected(t, expected);
    match check {
        CheckKind::Contains { text: t, case_sensitive } => done(match text(t) {
            Err(e) => e,
            Ok(t) if contains(output, &t, *case_sensitive) => CheckResult::pass(),
            Ok(t) => CheckResult::fail(format!("The answer does not contain \u{201c}{}\u{201d}.", short(&t))),
        }),
        CheckKind::NotContains { text: t, case_sensitive } => done(match text(t) {
            Err(e) => e,
            Ok(t) if !contains(output, &t, *case_sensitive) => CheckResult::pass(),
            Ok(t) => CheckResult::fail(format!("The answer contains \u{201c}{}\u{201d}.", short(&t))),
        }),
        CheckKind::Equals { text: t } => {
            let wanted = if t.is_empty() { expected.map(str::to_string).ok_or(()) } else { text(t).map_err(|_| ()) };
            done(match wanted {
                Err(()) => CheckResult::error(
                    "Nothing to compare with: give the check a value, or the case an expected value.",
                ),
                Ok(w) if output.trim() == w.trim() => CheckResult::pass(),
                Ok(w) => CheckResult::fail(format!(
                    "Expected \u{201c}{}\u{201d}, got \u{201c}{}\u{201d}.",
                    short(w.trim()),
                    short(output.trim())
                )),
            })
        }
        CheckKind::StartsWith { text: t } => done(match text(t) {
            Err(e) => e,
            Ok(t) if output.trim_start().starts_with(t.trim_start()) => CheckResult::pass(),
            Ok(t) => CheckResult::fail(format!("The answer does not start with \u{201c}{}\u{201d}.", short(&t))),
        }),
        CheckKind::Regex { pattern } => done(match regex_lite::Regex::new(pattern) {
            Err(e) => CheckResult::error(format!("The pattern is not a valid regular expression: {e}")),
            Ok(re) if re.is_match(output) => CheckResult::pass(),
            Ok(_) => CheckResult::fail(format!("No match for /{}/.", short(pattern))),
        }),
        CheckKind::Length { min, max } => {
            let n = output.chars().count();
            done(match (min, max) {
                (Some(lo), _) if n < *lo => CheckResult::fail(format!("{n} characters; at least {lo} wanted.")),
                (_, Some(hi)) if n > *hi => CheckResult::fail(format!("{n} characters; at most {hi} wanted.")),
                _ => CheckResult::pass(),
            })
        }
        CheckKind::ValidJson => done(match try_parse_json(output) {
            Some(_) => CheckResult::pass(),
            None => CheckResult::fail("The answer is not valid JSON."),
        }),
        CheckKind::MatchesSchema { schema } => done(match try_parse_json(output) {
            None => CheckResult::fail("The answer is not valid JSON."),
            Some(v) => {
                let errors = json_schema::validate(&v, schema);
                if errors.is_empty() {
                    CheckResult::pass()
                } else {
                    CheckResult::fail(errors.join(" "))
                }
            }
        }),
        CheckKind::JsonField { path, equals } => done(match (try_parse_json(output), text(equals)) {
            (_, Err(e)) => e,
            (None, _) => CheckResult::fail("The answer is not valid JSON."),
            (Some(v), Ok(want)) => match json_at(&v, path) {
                None => CheckResult::fail(format!("The answer has no field at \u{201c}{path}\u{201d}.")),
                Some(found) => {
                    let got = match found {
                        Value::String(s) => s.clone(),
                        other => other.to_string(),
                    };
                    if got.trim().eq_ignore_ascii_case(want.trim()) {
                        CheckResult::pass()
                    } else {
                        CheckResult::fail(format!(
                            "{path} is \u{201c}{}\u{201d}, not \u{201c}{}\u{201d}.",
                            short(&got),
                            short(&want)
                        ))
                    }
                }
            },
        }),
        CheckKind::NumberRange { path, min, max } => {
            let number = if path.trim().is_empty() {
                first_number(output)
            } else {
                try_parse_json(output).and_then(|v| {
                    json_at(&v, path).and_then(|n| n.as_f64().or_else(|| n.as_str().and_then(first_number)))
                })
            };
            done(match number {
                None => CheckResult::fail("No number found in the answer."),
                Some(n) if min.is_some_and(|lo| n < lo) => {
                    CheckResult::fail(format!("{n} is below {}.", min.unwrap_or_default()))
                }
                Some(n) if max.is_some_and(|hi| n > hi) => {
                    CheckResult::fail(format!("{n} is above {}.", max.unwrap_or_default()))
                }
                Some(_) => CheckResult::pass(),
            })
        }
        CheckKind::Similarity { provider, model, min } => match expected {
            None => done(CheckResult::error(
                "A similarity check compares with the case's expected value, and this case has none.",
            )),
            Some(e) => Evaluation::Embed {
                provider: provider.clone(),
                model: model.clone(),
                inputs: [output.to_string(), e.to_string()],
                min: min.clamp(-1.0, 1.0),
            },
        },
        // Needs the run's routes: `evals::routes::route_check` decides it.
        CheckKind::RouteTaken { .. } => done(CheckResult::error("A route check looks at the run, not at a text.")),
        CheckKind::ModelGraded { rubric, provider, model, pass_score } => {
            if rubric.trim().is_empty() {
                return done(CheckResult::error("Write the rubric: what makes a good answer, in plain words."));
            }
            Evaluation::Judge {
                system: JUDGE_SYSTEM.to_string(),
                user: format!("RUBRIC:\n{}\n\nINPUT:\n{}\n\nRESPONSE:\n{}", rubric.trim(), inputs, output),
                provider: provider.clone(),
                model: model.clone(),
                pass_score: (*pass_score).clamp(1, 5),
            }
        }
    }
}

/// Reads a judge's reply into a result.
pub fn grade_reply(reply: &str, pass_score: u8) -> CheckResult {
    let Some(v) = try_parse_json(reply) else {
        return CheckResult::error(format!(
            "The judge did not reply with {{score, reason}} JSON: \u{201c}{}\u{201d}",
            short(reply)
        ));
    };
    let score = v.get("score").and_then(|s| s.as_f64().or_else(|| s.as_str().and_then(|t| t.trim().parse().ok())));
    let reason = v.get("reason").and_then(Value::as_str).unwrap_or_default().to_string();
    match score {
        Some(s) if (1.0..=5.0).contains(&s) => {
            let s = s.round() as u8;
            if s >= pass_score {
                CheckResult::Pass { score: Some(s), reason }
            } else {
                CheckResult::Fail { score: Some(s), reason }
            }
        }
        _ => CheckResult::error("The judge's score is missing or not between 1 and 5."),
    }
}

/// Problems in a check's settings, before anything runs.
pub fn check_problems(check: &Check) -> Vec<String> {
    let mut out = Vec::new();
    if check.name.trim().is_empty() {
        out.push("Name the check.".to_string());
    }
    match &check.kind {
        CheckKind::Regex { pattern } => {
            if let Err(e) = regex_lite::Regex::new(pattern) {
                out.push(format!("{}: the pattern is not valid: {e}", check.name));
            }
        }
        CheckKind::Length { min: Some(lo), max: Some(hi) } if lo > hi => {
            out.push(format!("{}: the minimum length is above the maximum.", check.name));
        }
        CheckKind::Similarity { provider, .. } if provider == "anthropic" || provider == "demo" => {
            out.push(format!(
                "{}: {provider} has no embeddings; choose OpenAI, Gemini, Ollama or an OpenAI-compatible server.",
                check.name
            ));
        }
        CheckKind::ModelGraded { rubric, .. } if rubric.trim().is_empty() => {
            out.push(format!("{}: write the rubric.", check.name));
        }
        CheckKind::RouteTaken { block, .. } if block.trim().is_empty() => {
            out.push(format!("{}: choose the Router to look at.", check.name));
        }
        _ => {}
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn run(kind: CheckKind, output: &str, expected: Option<&str>) -> CheckResult {
        match evaluate(&kind, output, expected, "") {
            Evaluation::Done(r) => r,
            other => panic!("not a local check: {other:?}"),
        }
    }

    fn passes(kind: CheckKind, output: &str, expected: Option<&str>) -> Option<bool> {
        run(kind, output, expected).passed()
    }

    #[test]
    fn text_checks() {
        let c = |t: &str| CheckKind::Contains { text: t.into(), case_sensitive: false };
        assert_eq!(passes(c("REFUND"), "We will refund you.", None), Some(true));
        assert_eq!(
            passes(CheckKind::Contains { text: "REFUND".into(), case_sensitive: true }, "refund", None),
            Some(false)
        );
        assert_eq!(passes(c("{{expected}}"), "Order A123 shipped", Some("a123")), Some(true));
        assert_eq!(passes(c("{{expected}}"), "x", None), None, "no expected value is a check error");
        assert_eq!(
            passes(CheckKind::NotContains { text: "sorry".into(), case_sensitive: false }, "Sorry!", None),
            Some(false)
        );
        assert_eq!(passes(CheckKind::Equals { text: String::new() }, " positive \n", Some("positive")), Some(true));
        assert_eq!(passes(CheckKind::Equals { text: String::new() }, "x", None), None);
        assert_eq!(passes(CheckKind::StartsWith { text: "Dear".into() }, "  Dear Ana", None), Some(true));
        let r = run(CheckKind::Equals { text: "yes".into() }, "no", None);
        assert_eq!(
            r,
            CheckResult::Fail { score: None, reason: "Expected \u{201c}yes\u{201d}, got \u{201c}no\u{201d}.".into() }
        );
    }

    #[test]
    fn regex_checks_and_invalid_patterns() {
        assert_eq!(passes(CheckKind::Regex { pattern: r"^[A-Z]\d{3}$".into() }, "A123", None), Some(true));
        assert_eq!(passes(CheckKind::Regex { pattern: r"(?i)refund".into() }, "REFUND", None), Some(true));
        assert_eq!(passes(CheckKind::Regex { pattern: r"\d+".into() }, "none", None), Some(false));
        let bad = run(CheckKind::Regex { pattern: "(unclosed".into() }, "x", None);
        assert!(
            matches!(&bad, CheckResult::Error { message } if message.contains("not a valid regular expression")),
            "{bad:?}"
        );
        let check = Check { name: "Has id".into(), kind: CheckKind::Regex { pattern: "[".into() } };
        assert_eq!(check_problems(&check).len(), 1);
    }

    #[test]
    fn length_json_and_numbers() {
        assert_eq!(passes(CheckKind::Length { min: Some(3), max: Some(5) }, "héllo", None), Some(true));
        assert_eq!(passes(CheckKind::Length { min: None, max: Some(3) }, "four", None), Some(false));
        assert_eq!(passes(CheckKind::ValidJson, "```json\n{\"a\": 1}\n```", None), Some(true));
        assert_eq!(passes(CheckKind::ValidJson, "{a: 1}", None), Some(false));
        let schema =
            json!({"type": "object", "required": ["label"], "properties": {"label": {"enum": ["pos", "neg"]}}});
        assert_eq!(passes(CheckKind::MatchesSchema { schema: schema.clone() }, r#"{"label":"pos"}"#, None), Some(true));
        let r = run(CheckKind::MatchesSchema { schema }, r#"{"label":"meh"}"#, None);
        assert!(matches!(&r, CheckResult::Fail { reason, .. } if reason.contains("$.label")), "{r:?}");
        let f = |p: &str, e: &str| CheckKind::JsonField { path: p.into(), equals: e.into() };
        assert_eq!(passes(f("label", "{{expected}}"), r#"{"label":"POS"}"#, Some("pos")), Some(true));
        assert_eq!(passes(f("a.0", "2"), r#"{"a":[2]}"#, None), Some(true));
        assert_eq!(passes(f("missing", "x"), r#"{}"#, None), Some(false));
        let n = |min, max| CheckKind::NumberRange { path: String::new(), min, max };
        assert_eq!(passes(n(Some(1.0), Some(5.0)), "I rate it 4 out of 5", None), Some(true));
        assert_eq!(passes(n(None, Some(100.0)), "Total: 1,200.50 EUR", None), Some(false));
        assert_eq!(passes(n(Some(-5.0), Some(0.0)), "delta -3.5", None), Some(true));
        assert_eq!(passes(n(None, None), "no digits", None), Some(false));
        let np = CheckKind::NumberRange { path: "score".into(), min: Some(7.0), max: None };
        assert_eq!(passes(np, r#"{"score": 8}"#, None), Some(true));
    }

    #[test]
    fn similarity_checks_embed_answer_and_expected() {
        let kind =
            CheckKind::Similarity { provider: "openai".into(), model: "text-embedding-3-small".into(), min: 0.8 };
        assert_eq!(
            evaluate(&kind, "refund sent", Some("refund issued"), ""),
            Evaluation::Embed {
                provider: "openai".into(),
                model: "text-embedding-3-small".into(),
                inputs: ["refund sent".into(), "refund issued".into()],
                min: 0.8
            }
        );
        assert!(matches!(evaluate(&kind, "x", None, ""), Evaluation::Done(CheckResult::Error { .. })));
        assert!(matches!(similarity_result(&[vec![1.0, 0.0], vec![1.0, 0.1]], 0.8), CheckResult::Pass { .. }));
        assert!(matches!(similarity_result(&[vec![1.0, 0.0], vec![0.0, 1.0]], 0.8), CheckResult::Fail { .. }));
        assert!(matches!(similarity_result(&[vec![1.0]], 0.8), CheckResult::Error { .. }));
        let bad = Check {
            name: "Close".into(),
            kind: CheckKind::Similarity { provider: "anthropic".into(), model: "x".into(), min: 0.8 },
        };
        assert_eq!(check_problems(&bad).len(), 1);
    }

    #[test]
    fn model_graded_checks_ask_a_judge_and_read_its_reply() {
        let kind = CheckKind::ModelGraded {
            rubric: "Polite and mentions a refund.".into(),
            provider: "openai".into(),
            model: "gpt-4o-mini".into(),
            pass_score: 4,
        };
        let Evaluation::Judge { system, user, pass_score, .. } =
            evaluate(&kind, "Sorry, refund sent.", None, "email: help")
        else {
            panic!("a judge is needed");
        };
        assert_eq!(system, JUDGE_SYSTEM);
        assert!(
            user.contains("RUBRIC:\nPolite and mentions a refund.") && user.ends_with("RESPONSE:\nSorry, refund sent.")
        );
        assert_eq!(
            grade_reply(r#"{"score": 5, "reason": "Polite, refund."}"#, pass_score),
            CheckResult::Pass { score: Some(5), reason: "Polite, refund.".into() }
        );
        assert_eq!(
            grade_reply("```json\n{\"score\": \"3\", \"reason\": \"Curt.\"}\n```", pass_score),
            CheckResult::Fail { score: Some(3), reason: "Curt.".into() }
        );
        assert!(matches!(grade_reply("I give it a 5", 4), CheckResult::Error { .. }));
        assert!(matches!(grade_reply(r#"{"score": 9}"#, 4), CheckResult::Error { .. }));
    }
}
