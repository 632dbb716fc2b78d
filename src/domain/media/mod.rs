//! Images and audio in flows.
//!
//! Values between blocks are text, so a media value travels as a token, `⟦media:<id>⟧`,
//! that names bytes kept in the browser (IndexedDB), never in the flow file or a link. The
//! flow keeps only a [`MediaRef`] (name, type, size), enough to check a provider's limits
//! before a run. When a Prompt's rendered user message contains tokens, the engine swaps
//! them for the bytes from the run's [`MediaLibrary`] and each provider builds its own parts.

pub mod wav;

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::domain::util::format::human_size;

/// Image or audio: what a provider must accept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MediaKind {
    Image,
    Audio,
}

impl MediaKind {
    pub fn label(self) -> &'static str {
        match self {
            MediaKind::Image => "image",
            MediaKind::Audio => "audio",
        }
    }
}

/// What the flow file remembers about a media value: the bytes stay in the browser.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MediaRef {
    pub id: String,
    pub name: String,
    pub mime: String,
    pub size: u64,
}

impl MediaRef {
    pub fn kind(&self) -> Option<MediaKind> {
        kind_of(&self.mime)
    }
}

/// The types Chainboard reads. Others are refused when added, with this list in the message.
pub const IMAGE_TYPES: [&str; 4] = ["image/png", "image/jpeg", "image/webp", "image/gif"];
pub const AUDIO_TYPES: [&str; 5] = ["audio/mpeg", "audio/wav", "audio/mp4", "audio/webm", "audio/ogg"];

/// Files larger than this are refused before they are read (no provider takes more inline).
pub const MAX_MEDIA_BYTES: u64 = 25_000_000;

pub fn kind_of(mime: &str) -> Option<MediaKind> {
    if IMAGE_TYPES.contains(&mime) {
        Some(MediaKind::Image)
    } else if AUDIO_TYPES.contains(&mime) {
        Some(MediaKind::Audio)
    } else {
        None
    }
}

/// The type from the file's first bytes: a name or a browser-reported type can lie, and a
/// provider rejects a PNG labelled JPEG.
pub fn sniff(bytes: &[u8]) -> Option<&'static str> {
    let at = |offset: usize, magic: &[u8]| bytes.get(offset..offset + magic.len()) == Some(magic);
    if at(0, b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if at(0, b"\xff\xd8\xff") {
        Some("image/jpeg")
    } else if at(0, b"GIF87a") || at(0, b"GIF89a") {
        Some("image/gif")
    } else if at(0, b"RIFF") && at(8, b"WEBP") {
        Some("image/webp")
    } else if at(0, b"RIFF") && at(8, b"WAVE") {
        Some("audio/wav")
    } else if at(0, b"ID3") || (bytes.len() > 1 && bytes[0] == 0xff && bytes[1] & 0xe0 == 0xe0) {
        Some("audio/mpeg")
    } else if at(4, b"ftyp") {
        Some("audio/mp4")
    } else if at(0, b"\x1a\x45\xdf\xa3") {
        Some("audio/webm")
    } else if at(0, b"OggS") {
        Some("audio/ogg")
    } else {
        None
    }
}

/// Why a file cannot become a media value, in words for the person who picked it.
pub fn accept_file(name: &str, bytes: &[u8]) -> Result<&'static str, String> {
    if bytes.len() as u64 > MAX_MEDIA_BYTES {
        return Err(format!(
            "\u{201c}{name}\u{201d} is {}; images and audio can be at most {} (no provider takes more in one request).",
            human_size(bytes.len() as u64),
            human_size(MAX_MEDIA_BYTES)
        ));
    }
    sniff(bytes).ok_or_else(|| {
        format!(
            "\u{201c}{name}\u{201d} is not an image or audio file Chainboard can read. Use PNG, JPEG, WebP or GIF \
             images, or MP3, WAV, M4A, WebM or Ogg audio."
        )
    })
}

/// A content id: the same bytes get the same id, so adding a file twice stores it once.
/// FNV-1a is not a cryptographic hash; the length is part of the id to make accidental
/// collisions between different files practically impossible for a person's media.
pub fn media_id(bytes: &[u8]) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("m{hash:016x}{:x}", bytes.len())
}

const TOKEN_OPEN: &str = "\u{27e6}media:";
const TOKEN_CLOSE: char = '\u{27e7}';

/// The text that stands for a media value between blocks.
pub fn token(id: &str) -> String {
    format!("{TOKEN_OPEN}{id}{TOKEN_CLOSE}")
}

/// A piece of text that may hold media tokens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment<'a> {
    Text(&'a str),
    Media(&'a str),
}

/// Splits text at media tokens. Malformed tokens stay text.
pub fn segments(text: &str) -> Vec<Segment<'_>> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find(TOKEN_OPEN) {
        let after = &rest[start + TOKEN_OPEN.len()..];
        let Some(end) = after.find(TOKEN_CLOSE) else { break };
        let id = &after[..end];
        if !is_valid_id(id) {
            if !rest[..start + TOKEN_OPEN.len()].is_empty() {
                out.push(Segment::Text(&rest[..start + TOKEN_OPEN.len()]));
            }
            rest = after;
            continue;
        }
        if start > 0 {
            out.push(Segment::Text(&rest[..start]));
        }
        out.push(Segment::Media(id));
        rest = &after[end + TOKEN_CLOSE.len_utf8()..];
    }
    if !rest.is_empty() {
        out.push(Segment::Text(rest));
    }
    out
}

/// The media ids in `text`, in order.
pub fn media_ids(text: &str) -> Vec<&str> {
    segments(text)
        .into_iter()
        .filter_map(|s| match s {
            Segment::Media(id) => Some(id),
            Segment::Text(_) => None,
        })
        .collect()
}

/// `text` when it is exactly one media token.
pub fn single_media(text: &str) -> Option<&str> {
    match segments(text.trim()).as_slice() {
        [Segment::Media(id)] => Some(id),
        _ => None,
    }
}

fn is_valid_id(id: &str) -> bool {
    !id.is_empty() && id.len() <= 64 && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

/// One stored file.
#[derive(Debug, Clone, PartialEq)]
pub struct MediaItem {
    pub meta: MediaRef,
    pub data: Arc<Vec<u8>>,
}

impl MediaItem {
    /// Checks the bytes and builds the item (its id from the content).
    pub fn from_file(name: &str, bytes: Vec<u8>) -> Result<MediaItem, String> {
        let mime = accept_file(name, &bytes)?;
        let meta =
            MediaRef { id: media_id(&bytes), name: name.to_string(), mime: mime.to_string(), size: bytes.len() as u64 };
        Ok(MediaItem { meta, data: Arc::new(bytes) })
    }
}

/// The media a run may use, by id. Shared read-only with the engine (an `Arc`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MediaLibrary {
    items: BTreeMap<String, MediaItem>,
}

impl MediaLibrary {
    pub fn insert(&mut self, item: MediaItem) {
        self.items.insert(item.meta.id.clone(), item);
    }

    pub fn get(&self, id: &str) -> Option<&MediaItem> {
        self.items.get(id)
    }

    pub fn contains(&self, id: &str) -> bool {
        self.items.contains_key(id)
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    pub fn items(&self) -> impl Iterator<Item = &MediaItem> {
        self.items.values()
    }

    pub fn total_bytes(&self) -> u64 {
        self.items.values().map(|i| i.meta.size).sum()
    }
}

/// How a media value reads where text is shown: "image photo.jpg (120 kB)".
pub fn describe(meta: &MediaRef) -> String {
    let kind = meta.kind().map_or("file", MediaKind::label);
    format!("{kind} {} ({})", meta.name, human_size(meta.size))
}

/// The start of `text` for a place that shows only its beginning: at most `max_bytes`, never
/// cutting a character or a media token, ending in "…" when something was left out. Handing
/// a whole multi-megabyte answer to the page to show two lines of it froze the page for
/// seconds (the `huge` fault in tests/browser/faults.spec.js), since the browser lays out
/// all of it.
pub fn preview(text: &str, max_bytes: usize) -> std::borrow::Cow<'_, str> {
    if text.len() <= max_bytes {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut cut = max_bytes;
    while cut > 0 && !text.is_char_boundary(cut) {
        cut -= 1;
    }
    let mut head = text.get(..cut).unwrap_or_default();
    // Half a token (even half its opening) would show as raw text instead of the media's
    // label, so the preview ends before an opening bracket that is not closed.
    if let Some(open) = head.rfind(TOKEN_OPEN.chars().next().unwrap_or('\u{27e6}')) {
        if !head.get(open..).unwrap_or_default().contains(TOKEN_CLOSE) {
            head = head.get(..open).unwrap_or_default();
        }
    }
    std::borrow::Cow::Owned(format!("{head}\u{2026}"))
}

/// Replaces tokens by readable labels, for places that show text (results, exports, judges).
pub fn readable(text: &str, lookup: impl Fn(&str) -> Option<MediaRef>) -> String {
    segments(text)
        .into_iter()
        .map(|s| match s {
            Segment::Text(t) => t.to_string(),
            Segment::Media(id) => match lookup(id) {
                Some(meta) => format!("[{}]", describe(&meta)),
                None => "[missing image or audio]".to_string(),
            },
        })
        .collect()
}

impl crate::domain::stored::Stored for MediaRef {
    const CURRENT_VERSION: u64 = 1;
    const WHAT: &'static str = "a saved image or recording";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_the_formats_it_names() {
        let cases: [(&[u8], &str); 9] = [
            (b"\x89PNG\r\n\x1a\n....", "image/png"),
            (b"\xff\xd8\xff\xe0..JFIF", "image/jpeg"),
            (b"GIF89a....", "image/gif"),
            (b"RIFF\x10\0\0\0WEBPVP8 ", "image/webp"),
            (b"RIFF\x10\0\0\0WAVEfmt ", "audio/wav"),
            (b"ID3\x04\0\0\0\0", "audio/mpeg"),
            (b"\0\0\0\x20ftypM4A ", "audio/mp4"),
            (b"\x1a\x45\xdf\xa3\x9f", "audio/webm"),
            (b"OggS\0\x02", "audio/ogg"),
        ];
        for (bytes, mime) in cases {
            assert_eq!(sniff(bytes), Some(mime), "{mime}");
            assert!(kind_of(mime).is_some());
        }
        assert_eq!(sniff(b"%PDF-1.7"), None);
        assert_eq!(sniff(b""), None);
        assert!(accept_file("notes.pdf", b"%PDF-1.7").unwrap_err().contains("notes.pdf"));
    }

    #[test]
    fn oversized_files_are_refused_from_their_size() {
        let big = vec![0u8; MAX_MEDIA_BYTES as usize + 1];
        let err = accept_file("huge.png", &big).unwrap_err();
        assert!(err.contains("25.0 MB") && err.contains("huge.png"), "{err}");
    }

    #[test]
    fn ids_are_stable_and_depend_on_content() {
        assert_eq!(media_id(b"abc"), media_id(b"abc"));
        assert_ne!(media_id(b"abc"), media_id(b"abd"));
        assert!(is_valid_id(&media_id(&[0; 1000])));
    }

    #[test]
    fn tokens_split_out_of_text() {
        let id = media_id(b"x");
        let text = format!("Look at {} and say what it is. {}", token(&id), token("m2"));
        assert_eq!(
            segments(&text),
            vec![
                Segment::Text("Look at "),
                Segment::Media(&id),
                Segment::Text(" and say what it is. "),
                Segment::Media("m2")
            ]
        );
        assert_eq!(media_ids(&text), vec![id.as_str(), "m2"]);
        assert_eq!(single_media(&format!(" {} ", token(&id))), Some(id.as_str()));
        assert_eq!(single_media(&text), None);
        // A malformed or unterminated token is left as text, never panics.
        for odd in ["\u{27e6}media:", "\u{27e6}media:bad id\u{27e7}", "a\u{27e6}media:\u{27e7}b", "\u{27e6}media:x"] {
            let joined: String = segments(odd)
                .into_iter()
                .map(|s| match s {
                    Segment::Text(t) => t,
                    Segment::Media(_) => panic!("{odd}"),
                })
                .collect();
            assert_eq!(joined, odd);
        }
    }

    #[test]
    fn previews_are_bounded_and_cut_no_character_or_token() {
        assert_eq!(preview("short", 10), "short");
        assert!(matches!(preview("short", 5), std::borrow::Cow::Borrowed(_)));
        assert_eq!(preview("abcdef", 3), "abc\u{2026}");
        // "é" is two bytes: a cut inside it moves back before it.
        assert_eq!(preview("aé b", 2), "a\u{2026}");
        let text = format!("see {} and more text after it", token("m1"));
        for inside in ["see ".len() + 2, "see ".len() + 5, "see ".len() + token("m1").len() - 1] {
            assert_eq!(preview(&text, inside), "see \u{2026}", "cut at {inside}");
        }
        let after = "see ".len() + token("m1").len();
        assert_eq!(preview(&text, after), format!("see {}\u{2026}", token("m1")));
        let huge = "word ".repeat(2_000_000);
        let p = preview(&huge, 2_000);
        assert!(p.len() <= 2_000 + '\u{2026}'.len_utf8());
        assert!(p.ends_with('\u{2026}'));
    }

    #[test]
    fn readable_labels_replace_tokens() {
        let meta = MediaRef { id: "m1".into(), name: "parcel.jpg".into(), mime: "image/jpeg".into(), size: 2048 };
        let text = format!("{} then {}", token("m1"), token("m9"));
        let out = readable(&text, |id| (id == "m1").then(|| meta.clone()));
        assert_eq!(out, "[image parcel.jpg (2.0 kB)] then [missing image or audio]");
    }
}
