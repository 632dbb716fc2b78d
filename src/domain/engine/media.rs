//! Images and audio in requests: a Prompt's rendered user message may hold media tokens
//! (from Inputs or test cases); here they become the provider-neutral parts each wire
//! format turns into its own shape, after checking the provider takes them.

use crate::domain::blocks::transcribe::{instruction, TranscribeConfig};
use crate::domain::media::{readable, segments, single_media, MediaItem, MediaLibrary, Segment};
use crate::domain::providers::{
    check_media, transcription_support, ChatMessage, ChatRequest, ContentPart, ProviderKind, Role, Support,
    Transcription,
};
use crate::domain::util::base64;

const MISSING: &str = "is not in this browser (it may come from a shared link or another device). \
                       Add the file again on its Input block.";

fn lookup<'a>(library: Option<&'a MediaLibrary>, id: &str) -> Result<&'a MediaItem, String> {
    library.and_then(|l| l.get(id)).ok_or_else(|| format!("An image or audio value of this run {MISSING}"))
}

fn media_part(item: &MediaItem) -> ContentPart {
    ContentPart::Media { name: item.meta.name.clone(), mime: item.meta.mime.clone(), data: base64::encode(&item.data) }
}

/// Replaces the media tokens of `chat`'s user messages by parts. A request without tokens
/// is left exactly as it was (so its cache key does not change).
pub(crate) fn attach_media(
    chat: &mut ChatRequest,
    provider: ProviderKind,
    library: Option<&MediaLibrary>,
) -> Result<(), String> {
    if chat.system.as_deref().is_some_and(|s| segments(s).iter().any(|p| matches!(p, Segment::Media(_)))) {
        return Err("Images and audio can only go in the user message: move the {{variable}} there.".to_string());
    }
    for message in chat.messages.iter_mut().filter(|m| m.role == Role::User) {
        let pieces = segments(&message.text);
        if !pieces.iter().any(|p| matches!(p, Segment::Media(_))) {
            continue;
        }
        let mut parts = Vec::with_capacity(pieces.len());
        for piece in pieces {
            match piece {
                Segment::Text(text) if !text.trim().is_empty() => {
                    parts.push(ContentPart::Text { text: text.to_string() })
                }
                Segment::Text(_) => {}
                Segment::Media(id) => {
                    let item = lookup(library, id)?;
                    check_media(provider, &chat.model, &item.meta)?;
                    parts.push(media_part(item));
                }
            }
        }
        message.text = readable(&message.text, |id| library.and_then(|l| l.get(id)).map(|i| i.meta.clone()));
        message.parts = parts;
    }
    Ok(())
}

/// The call a Transcribe block makes for the audio value it was given.
pub(crate) fn transcription_chat(
    config: &TranscribeConfig,
    provider: ProviderKind,
    audio: &str,
    library: Option<&MediaLibrary>,
) -> Result<ChatRequest, String> {
    let Some(id) = single_media(audio) else {
        return Err(if audio.trim().is_empty() {
            "No audio came in: connect an Input that holds a recording to \u{201c}audio\u{201d}.".to_string()
        } else {
            "The value connected to \u{201c}audio\u{201d} is text, not a recording: connect an Input that holds an \
             audio file."
                .to_string()
        });
    };
    let item = lookup(library, id)?;
    if item.meta.kind() != Some(crate::domain::media::MediaKind::Audio) {
        return Err(format!("\u{201c}{}\u{201d} is an image, not a recording.", item.meta.name));
    }
    if let Support::No(reason) = transcription_support(provider, &item.meta.mime) {
        return Err(reason);
    }
    if provider == ProviderKind::Gemini {
        // Gemini hears audio through a chat call, so its chat limits and formats apply.
        check_media(provider, &config.model, &item.meta)?;
    }
    let text = instruction(config);
    let message = ChatMessage {
        parts: vec![ContentPart::Text { text: text.clone() }, media_part(item)],
        text: format!("{text} [{}]", crate::domain::media::describe(&item.meta)),
        ..ChatMessage::user("")
    };
    let model = match config.model.trim() {
        "" if provider == ProviderKind::Demo => crate::domain::providers::DEMO_MODEL.to_string(),
        m => m.to_string(),
    };
    Ok(ChatRequest {
        model,
        messages: vec![message],
        // A transcript should be the words said, not a creative rendering.
        temperature: (provider == ProviderKind::Gemini).then_some(0.0),
        transcription: Some(Transcription {
            language: config.language.trim().to_string(),
            hint: config.hint.trim().to_string(),
        }),
        ..ChatRequest::default()
    })
}
