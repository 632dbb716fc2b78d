//! Transcribe: speech to text. Its `audio` input takes a recording (an Input holding an
//! audio file); its `text` output is the transcript, for Prompts to summarise or classify.

use super::{KindSpec, Port};
use crate::domain::providers::{transcription_support, ProviderKind, Support};
use serde::{Deserialize, Serialize};

pub const AUDIO_PORT: &str = "audio";
pub const TRANSCRIPT_PORT: &str = "text";

/// Providers that transcribe, and the model to suggest for each.
pub const TRANSCRIBE_PROVIDERS: [(&str, &str); 4] = [
    ("openai", "gpt-4o-mini-transcribe"),
    ("gemini", "gemini-2.5-flash"),
    ("openai-compatible", "whisper-1"),
    ("demo", "demo"),
];

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TranscribeConfig {
    pub provider: String,
    pub model: String,
    /// ISO 639-1 code ("en", "de"); empty lets the model detect the language.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub language: String,
    /// Names and words to expect, which helps spelling.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub hint: String,
}

impl Default for TranscribeConfig {
    fn default() -> Self {
        TranscribeConfig {
            provider: TRANSCRIBE_PROVIDERS[0].0.to_string(),
            model: TRANSCRIBE_PROVIDERS[0].1.to_string(),
            language: String::new(),
            hint: String::new(),
        }
    }
}

/// What the model is asked when transcription goes through a chat model (Gemini, Demo).
pub fn instruction(config: &TranscribeConfig) -> String {
    let mut text = "Transcribe this recording word for word. Reply with the transcript only.".to_string();
    if !config.language.trim().is_empty() {
        text.push_str(&format!(" The language is {}.", config.language.trim()));
    }
    if !config.hint.trim().is_empty() {
        text.push_str(&format!(" Words to expect: {}.", config.hint.trim()));
    }
    text
}

impl KindSpec for TranscribeConfig {
    const KIND: &'static str = "transcribe";
    const LABEL: &'static str = "Transcribe";

    fn input_ports(&self) -> Vec<Port> {
        vec![Port::text(AUDIO_PORT)]
    }

    fn output_ports(&self) -> Vec<Port> {
        vec![Port::text(TRANSCRIPT_PORT)]
    }

    fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        match ProviderKind::from_id(&self.provider) {
            None => out.push(format!("Unknown provider \u{201c}{}\u{201d}.", self.provider)),
            Some(kind) => {
                if let Support::No(reason) = transcription_support(kind, "audio/wav") {
                    out.push(reason);
                }
            }
        }
        if self.model.trim().is_empty() {
            out.push("Choose a transcription model.".to_string());
        }
        let lang = self.language.trim();
        let is_code = lang.len() == 2 && lang.bytes().all(|b| b.is_ascii_lowercase());
        if !lang.is_empty() && !is_code {
            out.push(format!(
                "The language \u{201c}{lang}\u{201d} should be a two-letter code such as en, de or fr (or empty to detect it)."
            ));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn problems_name_what_to_fix() {
        assert!(TranscribeConfig::default().problems().is_empty());
        let anthropic = TranscribeConfig { provider: "anthropic".into(), ..TranscribeConfig::default() };
        assert!(anthropic.problems()[0].contains("cannot transcribe"));
        let lang = TranscribeConfig { language: "English".into(), ..TranscribeConfig::default() };
        assert!(lang.problems()[0].contains("two-letter"));
        let gemini =
            TranscribeConfig { provider: "gemini".into(), language: "de".into(), ..TranscribeConfig::default() };
        assert!(gemini.problems().is_empty());
        assert!(instruction(&gemini).contains("The language is de."));
    }
}
