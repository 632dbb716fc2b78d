//! OpenAI's moderation endpoint (`POST /v1/moderations`), for the Router's "Flagged by OpenAI
//! moderation" guardrail test: the request, reading the reply, what counts as flagged, and
//! the sample moderation used without a key (a small word list, no request).

use serde_json::{json, Value};

use super::error::ProviderError;
use super::types::{HttpRequest, ProviderSettings};
use super::{wire, ProviderKind};

/// The model every moderation request names (free to call).
pub const MODERATION_MODEL: &str = "omni-moderation-latest";

/// One category of a moderation reply.
#[derive(Debug, Clone, PartialEq)]
pub struct ModerationCategory {
    /// OpenAI's name, like `harassment` or `self-harm/intent`.
    pub name: String,
    pub flagged: bool,
    /// 0 to 1.
    pub score: f64,
}

/// What the moderation endpoint said about one input.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ModerationResult {
    pub flagged: bool,
    /// Every category in the reply, highest score first.
    pub categories: Vec<ModerationCategory>,
    /// Made by the sample moderation (no request was sent).
    pub sample: bool,
}

/// The request that moderates `input`. OpenAI only (the key and base URL of the OpenAI
/// settings); the endpoint takes the text as it is.
pub fn build_moderation_request(settings: &ProviderSettings, input: &str) -> Result<HttpRequest, ProviderError> {
    let kind = ProviderKind::OpenAi;
    let base = wire::base_url(kind, settings)?;
    let key = wire::api_key(kind, settings)?;
    let headers = key.map(wire::bearer).into_iter().collect();
    Ok(wire::post_json(format!("{base}/moderations"), headers, &json!({"model": MODERATION_MODEL, "input": input})))
}

/// Reads a successful reply: `results[0].flagged`, `categories` and `category_scores`.
pub fn parse_moderation(body: &str) -> Result<ModerationResult, ProviderError> {
    let kind = ProviderKind::OpenAi;
    let value = wire::parse_json(kind, body, "the moderation reply")?;
    let first = value
        .get("results")
        .and_then(Value::as_array)
        .and_then(|r| r.first())
        .ok_or_else(|| wire::malformed(kind, "the moderation reply has no results"))?;
    let flagged = first
        .get("flagged")
        .and_then(Value::as_bool)
        .ok_or_else(|| wire::malformed(kind, "the moderation reply does not say whether it is flagged"))?;
    let flags = first.get("categories").and_then(Value::as_object);
    let scores = first.get("category_scores").and_then(Value::as_object);
    let mut names: Vec<&String> = flags.map(|m| m.keys().collect()).unwrap_or_default();
    for name in scores.map(|m| m.keys().collect::<Vec<_>>()).unwrap_or_default() {
        if !names.contains(&name) {
            names.push(name);
        }
    }
    let mut categories: Vec<ModerationCategory> = names
        .into_iter()
        .map(|name| ModerationCategory {
            name: name.clone(),
            flagged: flags.and_then(|m| m.get(name)).and_then(Value::as_bool).unwrap_or(false),
            score: scores
                .and_then(|m| m.get(name))
                .and_then(Value::as_f64)
                .filter(|s| s.is_finite())
                .unwrap_or(0.0)
                .clamp(0.0, 1.0),
        })
        .collect();
    sort_categories(&mut categories);
    Ok(ModerationResult { flagged, categories, sample: false })
}

fn sort_categories(categories: &mut [ModerationCategory]) {
    categories.sort_by(|a, b| b.score.total_cmp(&a.score).then_with(|| a.name.cmp(&b.name)));
}

/// Words the sample moderation flags, by category. A stand-in for trying a flow without a
/// key, not a moderation model: it says so in every reason.
const SAMPLE_WORDS: [(&str, &[&str]); 4] = [
    ("harassment", &["idiot", "stupid", "moron", "shut up", "loser", "hate you"]),
    ("violence", &["kill", "hurt you", "shoot", "attack", "beat you", "bomb"]),
    ("self-harm", &["hurt myself", "kill myself", "suicide", "end my life"]),
    ("hate", &["racist", "subhuman"]),
];

/// The sample moderation: flags the categories whose words occur in `input` (whole words,
/// any case), with a score of 0.9; the others score 0.
pub fn sample_moderation(input: &str) -> ModerationResult {
    let lower = input.to_lowercase();
    let mut categories: Vec<ModerationCategory> = SAMPLE_WORDS
        .iter()
        .map(|(name, words)| {
            let hit = words.iter().any(|w| has_word(&lower, w));
            ModerationCategory { name: (*name).to_string(), flagged: hit, score: if hit { 0.9 } else { 0.0 } }
        })
        .collect();
    sort_categories(&mut categories);
    ModerationResult { flagged: categories.iter().any(|c| c.flagged), categories, sample: true }
}

/// `word` in `text` with no letter or digit right before or after it.
fn has_word(text: &str, word: &str) -> bool {
    let mut from = 0;
    while let Some(pos) = text.get(from..).and_then(|t| t.find(word)) {
        let at = from + pos;
        let end = at + word.len();
        let before = text[..at].chars().next_back().is_none_or(|c| !c.is_alphanumeric());
        // A plural counts ("idiots").
        let rest = text[end..].strip_prefix('s').unwrap_or(&text[end..]);
        let after = rest.chars().next().is_none_or(|c| !c.is_alphanumeric());
        if before && after {
            return true;
        }
        from = end;
    }
    false
}

/// The category names in a comma-separated list, trimmed and lowercased (empty: all).
pub fn category_list(categories: &str) -> Vec<String> {
    categories.split(',').map(|c| c.trim().to_lowercase()).filter(|c| !c.is_empty()).collect()
}

impl ModerationResult {
    /// Whether this result trips a rule watching `categories` (comma-separated; empty means
    /// every category) with an optional `min_score`: a watched category OpenAI flagged, or
    /// one scoring at least `min_score`. With no categories and no score, OpenAI's overall
    /// `flagged` decides.
    pub fn trips(&self, categories: &str, min_score: Option<f64>) -> bool {
        !self.hits(categories, min_score).is_empty()
            || (category_list(categories).is_empty() && min_score.is_none() && self.flagged)
    }

    /// The watched categories that count, highest score first.
    pub fn hits(&self, categories: &str, min_score: Option<f64>) -> Vec<&ModerationCategory> {
        let watched = category_list(categories);
        let min = min_score.filter(|m| m.is_finite());
        self.categories
            .iter()
            .filter(|c| watched.is_empty() || watched.contains(&c.name.to_lowercase()))
            .filter(|c| match min {
                Some(m) => c.score >= m,
                None => c.flagged,
            })
            .collect()
    }

    /// The guardrail's reason: "Flagged by OpenAI moderation: harassment (0.91), violence
    /// (0.40)." The sample says no request was sent.
    pub fn reason(&self, categories: &str, min_score: Option<f64>) -> String {
        let hits = self.hits(categories, min_score);
        // Without a hit (flagged overall, no category marked), the top scores explain it.
        let shown: Vec<&ModerationCategory> =
            if hits.is_empty() { self.categories.iter().take(2).collect() } else { hits.into_iter().take(4).collect() };
        let list: Vec<String> = shown.iter().map(|c| format!("{} ({:.2})", c.name, c.score)).collect();
        let mut s = if list.is_empty() {
            "Flagged by OpenAI moderation.".to_string()
        } else {
            format!("Flagged by OpenAI moderation: {}.", list.join(", "))
        };
        if self.sample {
            s.insert_str(s.len() - 1, " (sample moderation, no request sent)");
        }
        s
    }

    /// Said when the rule did not trip: the highest score, so a PM can tune the threshold.
    pub fn passed_note(&self) -> String {
        let top = self
            .categories
            .first()
            .filter(|c| c.score > 0.0)
            .map(|c| format!(" (highest: {} {:.2})", c.name, c.score))
            .unwrap_or_default();
        if self.sample {
            return format!("Not flagged by the sample moderation{top} (no request sent).");
        }
        format!("Not flagged by OpenAI moderation{top}.")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A reply in the shape OpenAI documents for `omni-moderation-latest` (trimmed scores).
    const RECORDED: &str = r#"{
      "id": "modr-970d409ef3bef3b70c73d8232df86e7d",
      "model": "omni-moderation-latest",
      "results": [{
        "flagged": true,
        "categories": {
          "sexual": false, "sexual/minors": false, "harassment": true, "harassment/threatening": false,
          "hate": false, "hate/threatening": false, "illicit": false, "illicit/violent": false,
          "self-harm": false, "self-harm/intent": false, "self-harm/instructions": false,
          "violence": false, "violence/graphic": false
        },
        "category_scores": {
          "sexual": 2.34e-06, "sexual/minors": 1.6e-08, "harassment": 0.9134, "harassment/threatening": 0.0412,
          "hate": 0.0026, "hate/threatening": 1.2e-06, "illicit": 1.8e-05, "illicit/violent": 7.1e-06,
          "self-harm": 3.1e-06, "self-harm/intent": 1.1e-06, "self-harm/instructions": 2.0e-07,
          "violence": 0.4021, "violence/graphic": 4.1e-06
        },
        "category_applied_input_types": { "harassment": ["text"], "violence": ["text"] }
      }]
    }"#;

    #[test]
    fn a_recorded_reply_reads_as_flagged_with_its_scores() {
        let r = parse_moderation(RECORDED).expect("parses");
        assert!(r.flagged && !r.sample);
        assert_eq!(r.categories.len(), 13);
        assert_eq!((r.categories[0].name.as_str(), r.categories[0].flagged), ("harassment", true));
        assert!((r.categories[0].score - 0.9134).abs() < 1e-9);
        assert_eq!(r.categories[1].name, "violence");
        // Flagged overall: any category OpenAI marked.
        assert!(r.trips("", None));
        assert_eq!(r.reason("", None), "Flagged by OpenAI moderation: harassment (0.91).");
        // A threshold counts scores OpenAI did not flag.
        assert_eq!(r.reason("", Some(0.4)), "Flagged by OpenAI moderation: harassment (0.91), violence (0.40).");
        // Watching other categories only: not tripped.
        assert!(!r.trips("violence, self-harm", None));
        assert!(r.trips("Violence", Some(0.3)));
        assert!(!r.trips("", Some(0.95)));
    }

    #[test]
    fn a_reply_without_results_or_verdict_is_an_error_not_a_pass() {
        for body in ["{}", r#"{"results": []}"#, r#"{"results": [{"categories": {}}]}"#, "not json"] {
            assert!(parse_moderation(body).is_err(), "{body}");
        }
        let clean = parse_moderation(
            r#"{"results":[{"flagged":false,"categories":{"hate":false},"category_scores":{"hate":0.01}}]}"#,
        )
        .expect("parses");
        assert!(!clean.trips("", None));
        assert_eq!(clean.passed_note(), "Not flagged by OpenAI moderation (highest: hate 0.01).");
    }

    #[test]
    fn the_request_names_the_model_and_carries_the_key_only_in_a_header() {
        let settings = ProviderSettings { base_url: String::new(), api_key: "sk-test\n".into() };
        let http = build_moderation_request(&settings, "hello").expect("builds");
        assert_eq!(http.url, "https://api.openai.com/v1/moderations");
        assert_eq!(http.header("authorization"), Some("Bearer sk-test"));
        let body: Value = serde_json::from_str(http.body.as_deref().unwrap_or_default()).expect("json");
        assert_eq!(body, json!({"model": "omni-moderation-latest", "input": "hello"}));
        assert!(!format!("{:?}", http.redacted()).contains("sk-test"));
        let local = ProviderSettings { base_url: "http://127.0.0.1:4010/v1/".into(), api_key: "k".into() };
        assert_eq!(build_moderation_request(&local, "x").expect("builds").url, "http://127.0.0.1:4010/v1/moderations");
        assert!(build_moderation_request(&ProviderSettings::default(), "x").is_err(), "no key, no request");
    }

    #[test]
    fn the_sample_moderation_flags_its_words_and_says_it_is_a_sample() {
        let r = sample_moderation("You are an IDIOT and I will hurt you");
        assert!(r.flagged && r.sample);
        assert_eq!(
            r.reason("", None),
            "Flagged by OpenAI moderation: harassment (0.90), violence (0.90) (sample moderation, no request sent)."
        );
        assert!(!sample_moderation("Where is my parcel? Skill and skilled are fine.").flagged);
    }
}
