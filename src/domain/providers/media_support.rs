//! Which provider and model accept which media, and how large, so a block is flagged
//! before the run instead of failing at the provider with a less helpful message.
//! Facts from the providers' vision and audio guides (2025-2026); where a model family is
//! unknown (compatible servers, Ollama models that are not known vision models) the answer
//! is "unsure" with a hint, and the run is allowed.

use super::ProviderKind;
use crate::domain::media::{MediaKind, MediaRef};
use crate::domain::util::format::human_size;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Support {
    Yes,
    /// Will fail: the reason says what to do instead.
    No(String),
    /// May work; the hint says how to tell.
    Unsure(String),
}

/// Inline size limits per file (bytes of the file, before base64).
pub fn size_limit(provider: ProviderKind, kind: MediaKind) -> Option<u64> {
    match (provider, kind) {
        // Anthropic: 5 MB per image through the API.
        (ProviderKind::Anthropic, MediaKind::Image) => Some(5_000_000),
        // OpenAI: 20 MB per image; input_audio rides in the JSON body (about 20 MB).
        (ProviderKind::OpenAi, _) => Some(20_000_000),
        // Gemini: a request with inline data must stay under 20 MB; base64 adds a third.
        (ProviderKind::Gemini, _) => Some(15_000_000),
        _ => None,
    }
}

fn openai_sees_images(model: &str) -> bool {
    let m = model.to_ascii_lowercase();
    let text_only = ["gpt-3.5", "o1-mini", "o3-mini", "davinci", "babbage"];
    !text_only.iter().any(|t| m.contains(t))
}

fn openai_hears(model: &str) -> bool {
    model.to_ascii_lowercase().contains("audio")
}

/// Ollama runs images only through vision models; these families are known to be.
fn ollama_sees_images(model: &str) -> bool {
    let m = model.to_ascii_lowercase();
    [
        "llava",
        "vision",
        "gemma3",
        "qwen2.5vl",
        "qwen2-vl",
        "qwen3-vl",
        "minicpm-v",
        "moondream",
        "mistral-small3",
        "llama4",
    ]
    .iter()
    .any(|f| m.contains(f))
}

/// Whether `provider`'s `model` takes this media as part of a chat message.
pub fn media_support(provider: ProviderKind, model: &str, kind: MediaKind, mime: &str) -> Support {
    let name = provider.label();
    match (provider, kind) {
        (ProviderKind::Demo, _) => Support::Yes,
        (ProviderKind::Browser, _) => Support::No(format!(
            "The small in-browser models read text only, not {}. Pick OpenAI, Anthropic, Gemini or an Ollama vision model.",
            kind.label()
        )),
        (ProviderKind::OpenAi, MediaKind::Image) if openai_sees_images(model) => Support::Yes,
        (ProviderKind::OpenAi, MediaKind::Image) => {
            Support::No(format!("{model} reads text only. Pick a model that sees images, such as gpt-4o-mini."))
        }
        (ProviderKind::OpenAi, MediaKind::Audio) if !openai_hears(model) => Support::No(format!(
            "{model} does not take audio in a chat message. Pick gpt-4o-audio-preview, or turn the audio into \
             text first with a Transcribe block."
        )),
        (ProviderKind::OpenAi, MediaKind::Audio) if !matches!(mime, "audio/wav" | "audio/mpeg") => {
            Support::No("OpenAI takes audio in chat as WAV or MP3 only. Record in Chainboard (it saves WAV) or convert the file.".into())
        }
        (ProviderKind::OpenAi, MediaKind::Audio) => Support::Yes,
        (ProviderKind::Anthropic, MediaKind::Image) => Support::Yes,
        (ProviderKind::Anthropic, MediaKind::Audio) => Support::No(
            "Anthropic models do not take audio. Put a Transcribe block before this Prompt, or pick Gemini.".into(),
        ),
        (ProviderKind::Gemini, MediaKind::Image) if mime == "image/gif" => {
            Support::No("Gemini does not take GIF images. Use PNG, JPEG or WebP.".into())
        }
        (ProviderKind::Gemini, MediaKind::Audio) if matches!(mime, "audio/webm" | "audio/mp4") => Support::No(
            "Gemini takes WAV, MP3, AAC, Ogg and FLAC audio, not this file's format. Record in Chainboard (it saves WAV) \
             or convert the file."
                .into(),
        ),
        (ProviderKind::Gemini, _) => Support::Yes,
        (ProviderKind::Ollama, MediaKind::Image) if ollama_sees_images(model) => Support::Yes,
        (ProviderKind::Ollama, MediaKind::Image) => Support::Unsure(format!(
            "{model} may not be a vision model; Ollama needs one (llava, llama3.2-vision, gemma3, qwen2.5vl…) to see images."
        )),
        (ProviderKind::Ollama, MediaKind::Audio) => Support::No(format!(
            "{name} does not take audio in chat. Put a Transcribe block (OpenAI or Gemini) before this Prompt."
        )),
        (ProviderKind::OpenAiCompatible, _) => Support::Unsure(format!(
            "Whether this server's {model} takes {} depends on the server and model; the run will tell.",
            kind.label()
        )),
    }
}

/// Whether a Transcribe block can use this provider for a file of this type.
pub fn transcription_support(provider: ProviderKind, mime: &str) -> Support {
    match provider {
        ProviderKind::Demo => Support::Yes,
        ProviderKind::OpenAi => Support::Yes,
        ProviderKind::OpenAiCompatible => {
            Support::Unsure("The server must offer /v1/audio/transcriptions (LocalAI and vLLM do).".into())
        }
        ProviderKind::Gemini => media_support(provider, "", MediaKind::Audio, mime),
        other => Support::No(format!(
            "{} cannot transcribe audio. Pick OpenAI, Gemini or an OpenAI-compatible server.",
            other.label()
        )),
    }
}

/// The problem (`Err`) or warning (`Ok(Some)`) for sending `meta` to `provider`/`model`.
pub fn check_media(provider: ProviderKind, model: &str, meta: &MediaRef) -> Result<Option<String>, String> {
    let Some(kind) = meta.kind() else {
        return Err(format!("\u{201c}{}\u{201d} is not an image or audio file.", meta.name));
    };
    if let Some(limit) = size_limit(provider, kind) {
        if meta.size > limit {
            let advice = match kind {
                MediaKind::Image => "Make it smaller on its Input block, or pick another provider.",
                MediaKind::Audio => "Shorten the recording, or pick another provider.",
            };
            return Err(format!(
                "\u{201c}{}\u{201d} is {}; {} takes {}s up to {}. {advice}",
                meta.name,
                human_size(meta.size),
                provider.label(),
                kind.label(),
                human_size(limit)
            ));
        }
    }
    match media_support(provider, model, kind, &meta.mime) {
        Support::Yes => Ok(None),
        Support::No(reason) => Err(reason),
        Support::Unsure(hint) => Ok(Some(hint)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meta(mime: &str, size: u64) -> MediaRef {
        MediaRef { id: "m1".into(), name: "file".into(), mime: mime.into(), size }
    }

    #[test]
    fn images_go_to_vision_models_only() {
        assert_eq!(check_media(ProviderKind::OpenAi, "gpt-4o-mini", &meta("image/png", 1000)), Ok(None));
        assert!(check_media(ProviderKind::OpenAi, "gpt-3.5-turbo", &meta("image/png", 1000)).is_err());
        assert_eq!(check_media(ProviderKind::Anthropic, "claude-sonnet-4-5", &meta("image/webp", 1000)), Ok(None));
        assert!(check_media(ProviderKind::Browser, "x", &meta("image/png", 1000)).is_err());
        assert!(matches!(check_media(ProviderKind::Ollama, "llama3.2", &meta("image/png", 1)), Ok(Some(_))));
        assert_eq!(check_media(ProviderKind::Ollama, "llama3.2-vision:11b", &meta("image/png", 1)), Ok(None));
        assert!(check_media(ProviderKind::Gemini, "gemini-2.5-flash", &meta("image/gif", 1)).is_err());
    }

    #[test]
    fn audio_goes_where_it_is_heard() {
        let wav = meta("audio/wav", 1000);
        assert!(check_media(ProviderKind::Anthropic, "claude-sonnet-4-5", &wav).unwrap_err().contains("Transcribe"));
        assert!(check_media(ProviderKind::OpenAi, "gpt-4o-mini", &wav).is_err());
        assert_eq!(check_media(ProviderKind::OpenAi, "gpt-4o-audio-preview", &wav), Ok(None));
        assert!(check_media(ProviderKind::OpenAi, "gpt-4o-audio-preview", &meta("audio/webm", 1)).is_err());
        assert_eq!(check_media(ProviderKind::Gemini, "gemini-2.5-flash", &wav), Ok(None));
        assert_eq!(transcription_support(ProviderKind::OpenAi, "audio/webm"), Support::Yes);
        assert!(matches!(transcription_support(ProviderKind::Anthropic, "audio/wav"), Support::No(_)));
    }

    #[test]
    fn size_limits_name_the_numbers() {
        let err =
            check_media(ProviderKind::Anthropic, "claude-sonnet-4-5", &meta("image/jpeg", 7_200_000)).unwrap_err();
        assert!(err.contains("7.2 MB") && err.contains("5.0 MB") && err.contains("smaller"), "{err}");
        assert_eq!(check_media(ProviderKind::Demo, "demo", &meta("image/jpeg", 24_000_000)), Ok(None));
    }
}
