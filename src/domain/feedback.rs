//! A stakeholder's verdict on a shared app: thumbs up or down (and a comment) on each
//! answer they got, carried back to the person who shared the flow as a short link
//! `…#fb1.<base64url(zlib(json))>` or as a `.json` file, and turned into test cases.
//!
//! # Format
//!
//! The JSON is `{"kind":"chainboard-feedback","v":1,"flow":"<title>","ratings":[…]}`; each
//! rating is `{"inputs":{"name":"value",…},"answer_of":"<output block name>","answer":"…",
//! "good":true,"comment":"…","sample":false}`, and for an answer in a chat, `"history":[…]`:
//! the earlier turns (`{"user":"…","assistant":"…"}`, the last [`MAX_HISTORY_TURNS`]), which an
//! older Chainboard ignores. The link is that JSON compressed with zlib,
//! in base64url without padding, after `fb1.`; the file is the same JSON, pretty-printed.
//! Long texts are cut to [`MAX_TEXT_CHARS`] and a verdict holds at most [`MAX_RATINGS`], so
//! a link stays short enough to paste; decoding refuses more than [`MAX_EXPANDED_BYTES`].
//! Nothing in it is a key: it holds what the viewer typed and what came back.

use crate::domain::conversation::Turn;
use crate::domain::evals::cases::TestCase;
use crate::domain::util::base64::{base64url_decode, base64url_into};
use miniz_oxide::inflate::TINFLStatus;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Starts a feedback link's fragment.
pub const FEEDBACK_PREFIX: &str = "fb1.";
/// The `kind` every feedback file carries, so another JSON file is recognised as not one.
pub const FEEDBACK_KIND: &str = "chainboard-feedback";
/// Each input and answer is cut to this many characters (with an ellipsis).
pub const MAX_TEXT_CHARS: usize = 1_500;
/// A verdict holds at most this many ratings (the latest ones).
pub const MAX_RATINGS: usize = 20;
/// A rated chat answer keeps at most this many earlier turns (the latest), so a verdict
/// stays well under [`MAX_EXPANDED_BYTES`].
pub const MAX_HISTORY_TURNS: usize = 8;
/// A feedback link or file never expands to more than this.
pub const MAX_EXPANDED_BYTES: usize = 512 * 1024;

/// Everything a viewer sends back.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Feedback {
    pub kind: String,
    pub v: u32,
    /// The shared flow's title, so the sharer knows which flow it is about.
    #[serde(default)]
    pub flow: String,
    #[serde(default)]
    pub ratings: Vec<Rating>,
}

/// One answer, judged.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Rating {
    /// What the viewer typed, by the flow's Input value names.
    #[serde(default)]
    pub inputs: BTreeMap<String, String>,
    /// The name of the Output block whose answer this is.
    #[serde(default)]
    pub answer_of: String,
    #[serde(default)]
    pub answer: String,
    pub good: bool,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub comment: String,
    /// The answer came from sample answers, not a model.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub sample: bool,
    /// An answer in a chat: the turns before it, oldest first (the test case replays them).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub history: Vec<Turn>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FeedbackError {
    #[error("This is not Chainboard feedback. A feedback link ends with \u{201c}#fb1.\u{201d} followed by letters and digits; a feedback file is the .json file the viewer downloaded.")]
    NotFeedback,
    #[error("The feedback link looks cut off: ask for the whole link again, or for the feedback file.")]
    Damaged,
    #[error("This feedback is larger than Chainboard opens ({} KB). Ask for the feedback file instead.", MAX_EXPANDED_BYTES / 1024)]
    TooLarge,
    #[error("This feedback was made by a newer Chainboard. Open it in the latest Chainboard.")]
    NewerVersion,
    #[error("This feedback has no ratings in it.")]
    Empty,
}

impl Feedback {
    /// A verdict on `flow_title`: the latest [`MAX_RATINGS`] ratings, long texts cut.
    pub fn new(flow_title: &str, ratings: Vec<Rating>) -> Feedback {
        let skip = ratings.len().saturating_sub(MAX_RATINGS);
        let ratings = ratings
            .into_iter()
            .skip(skip)
            .map(|r| Rating {
                inputs: r.inputs.into_iter().map(|(k, v)| (cut(&k), cut(&v))).collect(),
                answer_of: cut(&r.answer_of),
                answer: cut(&r.answer),
                comment: cut(&r.comment),
                history: r.history[r.history.len().saturating_sub(MAX_HISTORY_TURNS)..]
                    .iter()
                    .map(|t| Turn {
                        user: cut(&t.user),
                        assistant: cut(&t.assistant),
                        answers: t.answers.iter().map(|(k, v)| (cut(k), cut(v))).collect(),
                    })
                    .collect(),
                ..r
            })
            .collect();
        Feedback { kind: FEEDBACK_KIND.into(), v: 1, flow: cut(flow_title), ratings }
    }

    /// The JSON file a viewer downloads.
    pub fn to_file(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// The fragment of a feedback link: `fb1.` and the base64url of zlib(JSON).
    pub fn to_fragment(&self) -> String {
        let json = serde_json::to_string(self).unwrap_or_default();
        let bytes = miniz_oxide::deflate::compress_to_vec_zlib(json.as_bytes(), 9);
        let mut out = String::from(FEEDBACK_PREFIX);
        base64url_into(&bytes, &mut out);
        out
    }

    /// Reads a feedback link (whole URL, or just the part after `#`) or the text of a file.
    pub fn read(text: &str) -> Result<Feedback, FeedbackError> {
        let trimmed = text.trim();
        if trimmed.starts_with('{') {
            if trimmed.len() > MAX_EXPANDED_BYTES {
                return Err(FeedbackError::TooLarge);
            }
            return from_json(trimmed.as_bytes());
        }
        let cleaned: String = trimmed.chars().filter(|c| !c.is_whitespace()).collect();
        let fragment = cleaned.rsplit_once('#').map_or(cleaned.as_str(), |(_, f)| f);
        let fragment = fragment.trim_end_matches(['.', ',', ';', ')', '>', '"', '\'']);
        if fragment == "fb1" {
            return Err(FeedbackError::Damaged);
        }
        let Some(body) = fragment.strip_prefix(FEEDBACK_PREFIX) else {
            let newer = fragment.strip_prefix("fb").and_then(|r| r.split('.').next()).is_some_and(|n| {
                !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()) && n.parse::<u32>().is_ok_and(|n| n > 1)
            });
            return Err(if newer { FeedbackError::NewerVersion } else { FeedbackError::NotFeedback });
        };
        let bytes = base64url_decode(body).map_err(|_| FeedbackError::Damaged)?;
        let json =
            miniz_oxide::inflate::decompress_to_vec_zlib_with_limit(&bytes, MAX_EXPANDED_BYTES).map_err(|e| match e
                .status
            {
                TINFLStatus::HasMoreOutput => FeedbackError::TooLarge,
                _ => FeedbackError::Damaged,
            })?;
        from_json(&json)
    }

    /// Test cases for the flow: the viewer's inputs, a note with the verdict and comment,
    /// and, for a good answer from a model, that answer as the expected reference.
    pub fn to_cases(&self) -> Vec<TestCase> {
        self.ratings
            .iter()
            .map(|r| {
                let verdict = if r.good { "good" } else { "bad" };
                let mut note = format!("Stakeholder: {verdict}");
                if !r.answer_of.is_empty() {
                    note.push_str(&format!(" ({})", r.answer_of));
                }
                match r.history.len() {
                    0 => {}
                    1 => note.push_str(" in a chat, after 1 earlier turn"),
                    n => note.push_str(&format!(" in a chat, after {n} earlier turns")),
                }
                if !r.comment.trim().is_empty() {
                    note.push_str(&format!(" \u{2014} {}", r.comment.trim()));
                }
                if r.sample {
                    // A sample answer is made up from the input: no reference for a model.
                    note.push_str(" [rated a sample answer]");
                } else if !r.good && !r.answer.is_empty() {
                    note.push_str(&format!(" | Answer they disliked: {}", r.answer));
                }
                TestCase {
                    inputs: r.inputs.clone(),
                    expected: (r.good && !r.sample && !r.answer.trim().is_empty()).then(|| r.answer.clone()),
                    note,
                    history: r.history.clone(),
                    ..TestCase::default()
                }
            })
            .collect()
    }
}

fn from_json(bytes: &[u8]) -> Result<Feedback, FeedbackError> {
    let value: serde_json::Value = serde_json::from_slice(bytes).map_err(|_| FeedbackError::Damaged)?;
    if value.get("kind").and_then(|k| k.as_str()) != Some(FEEDBACK_KIND) {
        return Err(FeedbackError::NotFeedback);
    }
    if value.get("v").and_then(|v| v.as_u64()).is_some_and(|v| v > 1) {
        return Err(FeedbackError::NewerVersion);
    }
    let feedback: Feedback = serde_json::from_value(value).map_err(|_| FeedbackError::Damaged)?;
    if feedback.ratings.is_empty() {
        return Err(FeedbackError::Empty);
    }
    // Re-applies the caps: a hand-made file is held to what the app writes.
    Ok(Feedback::new(&feedback.flow, feedback.ratings))
}

/// `text` cut to [`MAX_TEXT_CHARS`] characters, never inside a character.
fn cut(text: &str) -> String {
    match text.char_indices().nth(MAX_TEXT_CHARS) {
        Some((i, _)) => format!("{}\u{2026}", &text[..i]),
        None => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cut_keeps_characters_whole() {
        let long = "é".repeat(MAX_TEXT_CHARS + 5);
        let c = cut(&long);
        assert_eq!(c.chars().count(), MAX_TEXT_CHARS + 1);
        assert!(c.ends_with('\u{2026}'));
        assert_eq!(cut("short"), "short");
    }
}
