//! A recorded run: what each block produced, kept so a demo can replay it when the network
//! or the key fails in the room. Plain data; the UI stores it per flow.

use crate::domain::stored::{from_stored, to_stored, Stored, StoredError};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Recording {
    /// Unix ms of the run, passed in.
    pub recorded_ms: i64,
    pub blocks: Vec<RecordedBlock>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecordedBlock {
    pub id: String,
    pub status: String,
    /// What went in: the rendered user message of a prompt, or an input's values.
    #[serde(default)]
    pub input: String,
    pub output: String,
    #[serde(default)]
    pub error: Option<String>,
    /// The output was a sample answer (replays keep the label).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub sample: bool,
}

impl Stored for Recording {
    const CURRENT_VERSION: u64 = 1;
    const WHAT: &'static str = "the recorded run of this flow";
}

impl Recording {
    pub fn get(&self, id: &str) -> Option<&RecordedBlock> {
        self.blocks.iter().find(|b| b.id == id)
    }

    /// The stored recording; a damaged or newer record is an error that says so.
    pub fn parse(text: &str) -> Result<Recording, StoredError> {
        from_stored(text)
    }

    pub fn to_json(&self) -> String {
        to_stored(self)
    }
}

/// How much of `text` a replay shows after `elapsed_ms` at `chars_per_s`, cut on a char
/// boundary so multi-byte text never splits.
pub fn replay_prefix(text: &str, elapsed_ms: f64, chars_per_s: f64) -> &str {
    let n = ((elapsed_ms.max(0.0) / 1000.0) * chars_per_s.max(1.0)) as usize;
    match text.char_indices().nth(n) {
        Some((i, _)) => &text[..i],
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replay_reveals_text_over_time_without_splitting_characters() {
        let t = "héllo 🎉 world";
        assert_eq!(replay_prefix(t, 0.0, 10.0), "");
        assert_eq!(replay_prefix(t, 200.0, 10.0), "hé");
        assert_eq!(replay_prefix(t, 700.0, 10.0), "héllo 🎉");
        assert_eq!(replay_prefix(t, 1e9, 10.0), t);
        assert_eq!(replay_prefix(t, -5.0, 0.0), "");
    }

    #[test]
    fn recordings_round_trip_and_bad_text_is_none() {
        let r = Recording {
            recorded_ms: 5,
            blocks: vec![RecordedBlock {
                id: "p".into(),
                status: "done".into(),
                input: "say hi".into(),
                output: "hi".into(),
                error: None,
                sample: true,
            }],
        };
        assert_eq!(Recording::parse(&r.to_json()), Ok(r.clone()));
        assert_eq!(r.get("p").map(|b| b.output.as_str()), Some("hi"));
        assert!(Recording::parse("{oops").is_err());
    }
}
